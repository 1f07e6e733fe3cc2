//! Access tokens and roles, and who sees what: tokens are random, shown once, and stored
//! only as their SHA-256; the web interface keeps one in its session cookie.

use std::fmt;

use diesel::prelude::*;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::db::schema::access_tokens;
use crate::db::DbConnection;
use crate::domain::dates::timestamp_now;
use crate::domain::id_number::mask;
use crate::domain::Scope;

/// The name of the web interface's session cookie, which carries a token (the API
/// accepts it too).
pub const SESSION_COOKIE: &str = "ar_session";

/// What a token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Reads the register; sees owner ID numbers masked.
    Reader,
    /// Reads, imports, records ledger entries and declarations.
    Clerk,
    /// Reads everything (unmasked), verifies, exports, sees findings; writes nothing.
    Auditor,
    /// Everything a clerk and an auditor may do, and manages tokens.
    Admin,
    /// Reads as a clerk does (ID numbers whole); approves or rejects proposals.
    Approver,
}

/// What an endpoint requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Any valid token.
    Read,
    /// clerk or admin.
    Write,
    /// auditor or admin.
    Audit,
    /// Export the register and see the findings, to fix what they name: clerk, auditor,
    /// admin, and the approver (who reads as a clerk).
    Review,
    /// admin only.
    Administer,
    /// approver only: approve or reject proposals.
    Approve,
}

impl Role {
    /// Every role, in the order messages list them.
    pub const ALL: [Role; 5] = [
        Role::Reader,
        Role::Clerk,
        Role::Auditor,
        Role::Admin,
        Role::Approver,
    ];

    /// Parses `reader`, `clerk`, `auditor`, `admin` or `approver`; `None` for anything
    /// else.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "reader" => Some(Role::Reader),
            "clerk" => Some(Role::Clerk),
            "auditor" => Some(Role::Auditor),
            "admin" => Some(Role::Admin),
            "approver" => Some(Role::Approver),
            _ => None,
        }
    }

    /// The role's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Reader => "reader",
            Role::Clerk => "clerk",
            Role::Auditor => "auditor",
            Role::Admin => "admin",
            Role::Approver => "approver",
        }
    }

    /// The role as a person reads it.
    pub fn label(self) -> &'static str {
        match self {
            Role::Reader => "只读",
            Role::Clerk => "经办",
            Role::Auditor => "审计",
            Role::Admin => "管理员",
            Role::Approver => "审批",
        }
    }

    /// Whether this role grants `access`.
    pub fn allows(self, access: Access) -> bool {
        match access {
            Access::Read => true,
            Access::Write => matches!(self, Role::Clerk | Role::Admin),
            Access::Audit => matches!(self, Role::Auditor | Role::Admin),
            Access::Review => self != Role::Reader,
            Access::Administer => self == Role::Admin,
            Access::Approve => self == Role::Approver,
        }
    }

    /// Whether this role sees owner ID numbers masked.
    pub fn sees_masked_ids(self) -> bool {
        self == Role::Reader
    }

    /// How this role sees owner ID numbers.
    pub fn visibility(self) -> Visibility {
        if self.sees_masked_ids() {
            Visibility::Masked
        } else {
            Visibility::Whole
        }
    }
}

/// Whether owner ID numbers are shown whole or masked (for readers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    /// Shown whole.
    Whole,
    /// Masked: `610481********4310`.
    Masked,
}

impl Visibility {
    /// Applies the visibility to an ID number.
    pub fn id_number(self, id: Option<&str>) -> Option<String> {
        id.map(|id| match self {
            Visibility::Whole => id.to_owned(),
            Visibility::Masked => mask(id),
        })
    }

    /// A telephone number as this caller may see it (`138****5678` masked).
    pub fn phone(self, phone: Option<&str>) -> Option<String> {
        phone.map(|phone| match self {
            Visibility::Whole => phone.to_owned(),
            Visibility::Masked => crate::ledger::entry::personal::mask_phone(phone),
        })
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The holder of a valid token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The token's id.
    pub token_id: String,
    /// The token's name, recorded as the actor of what it writes.
    pub name: String,
    /// Its role.
    pub role: Role,
    /// What it sees and writes.
    pub scope: Scope,
}

impl Caller {
    /// How this caller sees owner ID numbers.
    pub fn visibility(&self) -> Visibility {
        self.role.visibility()
    }
}

/// A token just created: the secret is shown this once.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    /// The token's id (for revocation).
    pub id: String,
    /// The secret to send as `Authorization: Bearer …`.
    pub secret: String,
    /// The token's name.
    pub name: String,
    /// Its role.
    pub role: Role,
    /// Its scope.
    pub scope: Scope,
    /// When it was created.
    pub created_at: String,
}

/// A token as the list shows it: never its secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenSummary {
    /// The token's id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its role, as stored (`None` when the stored text is no role).
    pub role: Option<Role>,
    /// Its scope, as stored (`None` when the stored text is no scope).
    pub scope: Option<Scope>,
    /// When it was created.
    pub created_at: String,
    /// When it was revoked, if it was.
    pub revoked_at: Option<String>,
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = access_tokens, treat_none_as_default_value = false)]
struct TokenRow {
    id: String,
    name: String,
    role: String,
    token_sha256: String,
    created_at: String,
    revoked_at: Option<String>,
    scope: String,
}

/// SHA-256 of a token's secret, as stored.
pub fn secret_digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// The longest name a token may have, in characters.
pub const MAX_TOKEN_NAME_CHARS: usize = 100;

/// A token's name as given (`--name`, `name`): trimmed. It is the person every entry,
/// proposal and approval names, so the API and the command line hold it to one rule.
///
/// Fails, saying why in Chinese, when it is empty, longer than
/// [`MAX_TOKEN_NAME_CHARS`] characters or holds a control character, a bidi control or
/// another that shows nothing (`domain::codes::is_invisible`).
pub fn token_name(raw: &str) -> Result<String, String> {
    let name = raw.trim();
    if name.is_empty() {
        Err("令牌名称（name）不能为空：它是记录、提议和审批上署的人名".to_owned())
    } else if name.chars().count() > MAX_TOKEN_NAME_CHARS {
        Err(format!(
            "令牌名称（name）不能超过 {MAX_TOKEN_NAME_CHARS} 个字符，此处为 {} 个",
            name.chars().count()
        ))
    } else if name.chars().any(char::is_control) {
        Err("令牌名称（name）不能含有控制字符".to_owned())
    } else if let Some(c) = name
        .chars()
        .find(|&c| crate::domain::codes::is_invisible(c))
    {
        // A bidi control or a zero-width character would make the name every entry
        // carries show otherwise than it is stored.
        Err(format!(
            "令牌名称（name）不能含有不可见字符或双向控制符（U+{:04X}）",
            u32::from(c)
        ))
    } else {
        Ok(name.to_owned())
    }
}

/// Creates a token named `name` with `role` and `scope`; `name` is held to
/// [`token_name`] by its callers.
///
/// Fails when the insert fails.
pub fn create_token(
    conn: &mut DbConnection,
    name: &str,
    role: Role,
    scope: &Scope,
) -> QueryResult<IssuedToken> {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let secret = format!("ar_{}", hex::encode(bytes));
    let row = TokenRow {
        id: uuid::Uuid::new_v4().to_string(),
        name: name.to_owned(),
        role: role.as_str().to_owned(),
        token_sha256: secret_digest(&secret),
        created_at: timestamp_now(),
        revoked_at: None,
        scope: scope.to_string(),
    };
    diesel::insert_into(access_tokens::table)
        .values(&row)
        .execute(conn)?;
    Ok(IssuedToken {
        id: row.id,
        secret,
        name: row.name,
        role,
        scope: scope.clone(),
        created_at: row.created_at,
    })
}

/// Every token, live and revoked, oldest first, without secrets.
///
/// Fails when the query fails.
pub fn list_tokens(conn: &mut DbConnection) -> QueryResult<Vec<TokenSummary>> {
    let rows: Vec<TokenRow> = access_tokens::table
        .order((access_tokens::created_at, access_tokens::id))
        .select(TokenRow::as_select())
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|row| TokenSummary {
            role: Role::parse(&row.role),
            scope: Scope::parse(&row.scope).ok(),
            id: row.id,
            name: row.name,
            created_at: row.created_at,
            revoked_at: row.revoked_at,
        })
        .collect())
}

/// The caller a bearer secret belongs to, unless it is unknown or revoked.
///
/// The secret is looked up by its SHA-256, so its comparison never depends on how
/// many leading characters of a guess were right. Fails when the query fails.
pub fn authenticate(conn: &mut DbConnection, secret: &str) -> QueryResult<Option<Caller>> {
    let row: Option<TokenRow> = access_tokens::table
        .filter(access_tokens::token_sha256.eq(secret_digest(secret)))
        .filter(access_tokens::revoked_at.is_null())
        .select(TokenRow::as_select())
        .first(conn)
        .optional()?;
    // A stored role or scope that does not parse admits no one.
    Ok(row.and_then(|row| {
        let role = Role::parse(&row.role)?;
        let scope = Scope::parse(&row.scope).ok()?;
        Some(Caller {
            token_id: row.id,
            name: row.name,
            role,
            scope,
        })
    }))
}

/// Revokes the token with this id; `false` when there is no such live token.
///
/// Fails when the update fails.
pub fn revoke_token(conn: &mut DbConnection, id: &str) -> QueryResult<bool> {
    let changed = diesel::update(
        access_tokens::table
            .filter(access_tokens::id.eq(id))
            .filter(access_tokens::revoked_at.is_null()),
    )
    .set(access_tokens::revoked_at.eq(Some(timestamp_now())))
    .execute(conn)?;
    Ok(changed == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_grant_what_the_spec_says() {
        use Access::*;
        let table = [
            (Role::Reader, [true, false, false, false, false, false]),
            (Role::Clerk, [true, true, false, true, false, false]),
            (Role::Auditor, [true, false, true, true, false, false]),
            (Role::Admin, [true, true, true, true, true, false]),
            (Role::Approver, [true, false, false, true, false, true]),
        ];
        for (role, expected) in table {
            let granted = [Read, Write, Audit, Review, Administer, Approve].map(|a| role.allows(a));
            assert_eq!(granted, expected, "{role}");
        }
        assert!(
            !Role::Approver.sees_masked_ids(),
            "an approver reads as a clerk"
        );
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
    }
}
