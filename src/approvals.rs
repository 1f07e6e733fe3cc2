//! Proposals and approvals (待审批), and public notices (公示): an entry of a kind the
//! setting `approvals` names waits as a proposal until each of its steps approves it
//! (the town, then the county) and, for disposals and distributions, a notice has run
//! its days with no open objection (a correction of such an entry waits for the same
//! steps, without a notice); the last approval appends it to the ledger with the
//! approvals inside its hashed data. Every decision takes the chain's lock first, so
//! that several servers on one database never take one step twice.

pub mod decide;
pub mod notices;
pub mod policy;
pub mod proposals;
pub mod public;
pub mod replies;
pub mod waits;

use rocket::figment::Figment;

use crate::db::db_variant_from_query;
use crate::db::DbError;
use crate::domain::text::{described, unshowable};
use crate::ledger::append::AppendError;
pub use policy::{ApprovalPolicy, Level};

/// The setting naming how many days a notice runs by default.
pub const NOTICE_DAYS: &str = "notice_days";

/// The default of `notice_days`.
pub const DEFAULT_NOTICE_DAYS: u32 = 7;

/// The setting naming the county, in the title of printed notices.
pub const COUNTY_NAME: &str = "county_name";

/// The default of `county_name`.
pub const DEFAULT_COUNTY_NAME: &str = "本县";

/// The approval settings the server runs with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApprovalSettings {
    /// Which kinds wait, for which steps.
    pub policy: ApprovalPolicy,
    /// How many days a notice runs when its request names none.
    pub notice_days: u32,
    /// The county's name, for printed notices.
    pub county_name: String,
}

impl Default for ApprovalSettings {
    fn default() -> Self {
        ApprovalSettings {
            // Infallible: the default is a valid policy (a unit test parses it).
            policy: ApprovalPolicy::parse(policy::DEFAULT).unwrap_or_default(),
            notice_days: DEFAULT_NOTICE_DAYS,
            county_name: DEFAULT_COUNTY_NAME.to_owned(),
        }
    }
}

impl ApprovalSettings {
    /// Reads `approvals`, `notice_days` and `county_name` from `figment`, each with
    /// its default when not set.
    ///
    /// Fails with a Chinese message when one is set to something it cannot be.
    pub fn of(figment: &Figment) -> Result<ApprovalSettings, String> {
        let policy = match figment.find_value(policy::SETTING) {
            Err(_) => ApprovalPolicy::parse(policy::DEFAULT),
            // Not text (`approvals = false`, a number): refused, not read as empty, which
            // would turn approvals off.
            Ok(value) => match value.as_str() {
                Some(text) => ApprovalPolicy::parse(text),
                None => {
                    return Err(format!(
                        "设置 approvals 应为文本（如 \"{}\"；空文本表示不需审批），收到 {value:?}",
                        policy::DEFAULT
                    ))
                }
            },
        }
        .map_err(|e| e.to_string())?;
        let notice_days = match figment.find_value(NOTICE_DAYS) {
            Err(_) => DEFAULT_NOTICE_DAYS,
            Ok(value) => value
                .to_u128()
                .and_then(|n| u32::try_from(n).ok())
                .or_else(|| value.as_str().and_then(|s| s.trim().parse().ok()))
                .filter(|days| (1..=365).contains(days))
                .ok_or_else(|| format!("设置 {NOTICE_DAYS} 的值无效：应为 1 至 365 之间的天数"))?,
        };
        let county_name = figment
            .extract_inner::<String>(COUNTY_NAME)
            .ok()
            .map(|name| name.trim().to_owned())
            .filter(|name| !name.is_empty())
            .unwrap_or_else(|| DEFAULT_COUNTY_NAME.to_owned());
        Ok(ApprovalSettings {
            policy,
            notice_days,
            county_name,
        })
    }
}

/// Why a proposal, a decision or a notice was refused.
#[derive(Debug, thiserror::Error)]
pub enum ProposalError {
    /// Nothing with this id in the caller's scope.
    #[error("{0}")]
    NotFound(String),
    /// A rule refused it: the HTTP status it answers with, its code, the field at
    /// fault and the message in Chinese.
    #[error("{message}")]
    Refused {
        /// 403, 409 or 422.
        status: u16,
        /// Machine-readable code.
        code: &'static str,
        /// The field at fault (empty for the request as a whole).
        field: &'static str,
        /// What is wrong, in Chinese.
        message: String,
    },
    /// Appending the entry failed (a rule of the ledger, the key reused…).
    #[error(transparent)]
    Append(#[from] AppendError),
    /// A stored proposal cannot be read back.
    #[error("stored proposal is malformed: {0}")]
    Malformed(String),
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbError),
}

db_variant_from_query!(ProposalError);

/// Refuses a text a person wrote — a notice's place, an objection, its resolution, a
/// reason for rejecting — that holds a control or bidi control character, as every text
/// of a ledger entry is refused (`domain::text`): PostgreSQL cannot store a NUL, SQLite
/// would keep it, and a bidi control shows the text otherwise on the notice. Checked
/// before anything is read or written.
///
/// Fails with 422 `invalid_value` on `field`, naming it by `label`.
pub fn check_text(field: &'static str, label: &str, text: &str) -> Result<(), ProposalError> {
    match unshowable(text) {
        Some(c) => Err(refused(
            422,
            "invalid_value",
            field,
            format!("{label}（{field}）含有{}", described(c)),
        )),
        None => Ok(()),
    }
}

/// A refusal with `status`, `code`, `field` and `message`.
pub fn refused(
    status: u16,
    code: &'static str,
    field: &'static str,
    message: impl Into<String>,
) -> ProposalError {
    ProposalError::Refused {
        status,
        code,
        field,
        message: message.into(),
    }
}

#[cfg(test)]
mod tests {
    use rocket::figment::Figment;

    use super::ApprovalSettings;

    #[test]
    fn an_approvals_setting_that_is_not_text_is_refused_rather_than_read_as_off() {
        for value in [
            Figment::new().merge(("approvals", false)),
            Figment::new().merge(("approvals", 0)),
        ] {
            let refused = ApprovalSettings::of(&value).expect_err("not text");
            assert!(refused.contains("设置 approvals 应为文本"), "{refused}");
        }
        assert!(ApprovalSettings::of(&Figment::new().merge(("approvals", ""))).is_ok());
        assert!(ApprovalSettings::of(&Figment::new()).is_ok());
    }
}
