//! `POST /api/v1/tokens` and `DELETE /api/v1/tokens/{id}` (admin).

use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{delete, post, State};
use serde::{Deserialize, Serialize};

use super::error::ApiError;
use super::guard::AdminAccess;
use super::params;
use crate::auth::{self, Role};
use crate::db::{Db, DbError};

/// The body of a token request.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct NewToken {
    /// Who or what will use it; recorded as the actor of its writes.
    pub name: String,
    /// `reader`, `clerk`, `auditor` or `admin`.
    pub role: String,
}

/// A token just created: `token` is shown this once.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct CreatedToken {
    /// The token's id, for revocation.
    pub id: String,
    /// The secret.
    pub token: String,
    /// Its name.
    pub name: String,
    /// Its role.
    pub role: &'static str,
    /// When it was created.
    pub created_at: String,
}

fn invalid(field: &str, message: String) -> ApiError {
    ApiError::Unprocessable {
        code: "invalid_token_request",
        detail: message.clone(),
        errors: serde_json::json!([{"field": field, "code": "invalid_value", "message": message}]),
    }
}

/// Creates a token.
#[post("/tokens", data = "<body>")]
pub async fn create_token(
    _admin: AdminAccess,
    body: Json<NewToken>,
    db: &State<Db>,
) -> Result<(Status, Json<CreatedToken>), ApiError> {
    let NewToken { name, role } = body.into_inner();
    let name = name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(invalid(
            "name",
            "name 不能为空，且不超过 100 个字符".to_owned(),
        ));
    }
    let role = Role::parse(&role).ok_or_else(|| {
        invalid(
            "role",
            format!("role 只能是 reader、clerk、auditor 或 admin，收到“{role}”"),
        )
    })?;
    let issued = db
        .run(move |conn| auth::create_token(conn, &name, role).map_err(DbError::from))
        .await?;
    Ok((
        Status::Created,
        Json(CreatedToken {
            id: issued.id,
            token: issued.secret,
            name: issued.name,
            role: issued.role.as_str(),
            created_at: issued.created_at,
        }),
    ))
}

/// Revokes a token; it is refused from the next request on.
#[delete("/tokens/<id>")]
pub async fn revoke_token(
    _admin: AdminAccess,
    id: &str,
    db: &State<Db>,
    gate: &State<super::gate::Gate>,
) -> Result<Status, ApiError> {
    let key = params::key(id)?;
    let revoked = db
        .run(move |conn| auth::revoke_token(conn, &key).map_err(DbError::from))
        .await?;
    if revoked {
        gate.forget(id);
        Ok(Status::NoContent)
    } else {
        Err(ApiError::NotFound(format!("没有有效的令牌 {id}")))
    }
}
