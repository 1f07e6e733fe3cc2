//! The setting `approvals`, parsed once into a typed policy: which entry kinds wait for
//! approval, and by which levels in which order.

use std::fmt;

use crate::ledger::entry::EntryKind;

/// The setting's name.
pub const SETTING: &str = "approvals";

/// The setting's default: disposals by the town then the county, distributions by the
/// town, ownership transfers by the county.
pub const DEFAULT: &str =
    "disposed=town,county; income_distributed=town; ownership_transferred=county";

/// A level that approves: the town (镇街) or the county (县).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Level {
    /// 镇街审批: an approver scoped to the asset's town or to the county.
    Town,
    /// 县级审批: an approver with county scope.
    County,
}

impl Level {
    /// Parses `town` or `county`.
    pub fn parse(text: &str) -> Option<Level> {
        match text {
            "town" => Some(Level::Town),
            "county" => Some(Level::County),
            _ => None,
        }
    }

    /// The level's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Town => "town",
            Level::County => "county",
        }
    }

    /// The level as a person reads it.
    pub fn label(self) -> &'static str {
        match self {
            Level::Town => "镇街审批",
            Level::County => "县级审批",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which kinds wait for approval, and their steps in order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ApprovalPolicy {
    rules: Vec<(EntryKind, Vec<Level>)>,
}

/// A value of `approvals` that is not a policy: the message says why, in Chinese.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("设置 approvals 的值无效：{0}")]
pub struct PolicyError(String);

impl ApprovalPolicy {
    /// Parses `kind=level,level; kind=level` (an empty value: nothing waits). Kinds
    /// are those clerks append; levels `town` and `county`, the town first, each once.
    ///
    /// Fails naming the first part that is wrong.
    pub fn parse(text: &str) -> Result<ApprovalPolicy, PolicyError> {
        let mut rules: Vec<(EntryKind, Vec<Level>)> = Vec::new();
        for part in text.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            let (kind, levels) = part
                .split_once('=')
                .ok_or_else(|| PolicyError(format!("“{part}”应写作 类型=town,county")))?;
            let kind = kind.trim();
            let kind = EntryKind::parse(kind)
                .filter(|k| k.appendable() && *k != EntryKind::Correction)
                .ok_or_else(|| PolicyError(format!("“{kind}”不是可审批的台账记录类型")))?;
            if rules.iter().any(|(k, _)| *k == kind) {
                return Err(PolicyError(format!(
                    "类型 {kind:?} 重复",
                    kind = kind.as_str()
                )));
            }
            let mut steps = Vec::new();
            for level in levels.split(',').map(str::trim) {
                let level = Level::parse(level).ok_or_else(|| {
                    PolicyError(format!("“{level}”不是审批层级（应为 town 或 county）"))
                })?;
                if steps.last().is_some_and(|last| *last >= level) {
                    return Err(PolicyError(format!(
                        "“{part}”的层级应先镇街（town）后县（county），各一次"
                    )));
                }
                steps.push(level);
            }
            rules.push((kind, steps));
        }
        Ok(ApprovalPolicy { rules })
    }

    /// Whether nothing waits (the setting is empty): every entry appends at once.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The steps an entry of `kind` waits for; empty when it appends at once. A
    /// `correction` waits for the steps of the kind it corrects (`waits::steps_for`).
    pub fn steps(&self, kind: EntryKind) -> &[Level] {
        self.rules
            .iter()
            .find(|(k, _)| *k == kind)
            .map_or(&[], |(_, steps)| steps.as_slice())
    }
}

/// Steps as stored: `town,county`.
pub fn steps_text(steps: &[Level]) -> String {
    steps
        .iter()
        .map(|l| l.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

/// Steps as stored, read back (an unknown word is skipped).
pub fn steps_of(text: &str) -> Vec<Level> {
    text.split(',')
        .filter_map(|l| Level::parse(l.trim()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_policy_parses() {
        let policy = ApprovalPolicy::parse(DEFAULT).expect("default");
        assert_eq!(
            policy.steps(EntryKind::Disposed),
            [Level::Town, Level::County]
        );
        assert_eq!(policy.steps(EntryKind::IncomeDistributed), [Level::Town]);
        assert_eq!(
            policy.steps(EntryKind::OwnershipTransferred),
            [Level::County]
        );
        assert!(policy.steps(EntryKind::Income).is_empty());
    }

    #[test]
    fn an_empty_policy_waits_for_nothing() {
        let policy = ApprovalPolicy::parse(" ").expect("empty");
        assert!(policy.is_empty());
        assert!(!ApprovalPolicy::parse(DEFAULT).expect("default").is_empty());
        assert!(policy.steps(EntryKind::Disposed).is_empty());
    }

    #[test]
    fn a_bad_policy_says_what_is_wrong() {
        let message = |text: &str| ApprovalPolicy::parse(text).err().map(|e| e.to_string());
        assert_eq!(
            message("disposed=county,town"),
            Some("设置 approvals 的值无效：“disposed=county,town”的层级应先镇街（town）后县（county），各一次".to_owned())
        );
        assert_eq!(
            message("registered=town"),
            Some("设置 approvals 的值无效：“registered”不是可审批的台账记录类型".to_owned())
        );
        assert_eq!(
            message("disposed=village"),
            Some(
                "设置 approvals 的值无效：“village”不是审批层级（应为 town 或 county）".to_owned()
            )
        );
        assert_eq!(
            message("disposed"),
            Some("设置 approvals 的值无效：“disposed”应写作 类型=town,county".to_owned())
        );
    }
}
