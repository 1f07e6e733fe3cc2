//! `token create`: a new access token, printed alone on stdout.

use std::process::ExitCode;

use super::database::open;
use crate::auth::{self, Role};
use crate::domain::Scope;

/// Creates a token of `role` and `scope` for `name` and prints its secret.
pub(super) fn create(
    database: &str,
    role: &str,
    name: &str,
    scope: &str,
) -> Result<ExitCode, String> {
    let role = Role::parse(role).ok_or_else(|| {
        format!("未知角色“{role}”：应为 reader、clerk、auditor、admin 或 approver")
    })?;
    let scope = Scope::parse(scope).map_err(|e| e.to_string())?;
    let name = auth::token_name(name)?;
    let db = open(database, "token")?;
    let mut conn = db.conn().map_err(|e| e.to_string())?;
    let issued = auth::create_token(&mut conn, &name, role, &scope).map_err(|e| e.to_string())?;
    println!("{}", issued.secret);
    Ok(ExitCode::SUCCESS)
}
