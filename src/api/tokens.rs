//! `POST /api/v1/tokens`, `GET /api/v1/tokens` and `DELETE /api/v1/tokens/{id}` (an
//! admin with county scope).

use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{delete, get, post, State};
use serde::{Deserialize, Serialize};

use super::error::ApiError;
use super::guard::AdminAccess;
use super::params;
use crate::auth::{self, Role, TokenSummary};
use crate::db::{Db, DbError};
use crate::domain::Scope;

/// The body of a token request.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct NewToken {
    /// Who or what will use it; recorded as the actor of its writes.
    pub name: String,
    /// `reader`, `clerk`, `auditor`, `admin` or `approver`.
    pub role: String,
    /// `county` (the default), `town:<镇街>`, `village:<镇街>/<村>` or
    /// `department:<行业主管部门>`.
    #[serde(default)]
    pub scope: Option<String>,
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
    /// Its scope.
    pub scope: String,
    /// Its scope as a person reads it.
    pub scope_label: String,
    /// When it was created.
    pub created_at: String,
}

/// A token as listed: never its secret.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct TokenView {
    /// The token's id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its role (`null` if the stored role is unknown).
    pub role: Option<&'static str>,
    /// Its scope (`null` if the stored scope is unreadable).
    pub scope: Option<String>,
    /// Its scope as a person reads it.
    pub scope_label: Option<String>,
    /// When it was created.
    pub created_at: String,
    /// When it was revoked; `null` while it is live.
    pub revoked_at: Option<String>,
}

impl TokenView {
    fn new(token: TokenSummary) -> Self {
        let TokenSummary {
            id,
            name,
            role,
            scope,
            created_at,
            revoked_at,
        } = token;
        TokenView {
            id,
            name,
            role: role.map(Role::as_str),
            scope_label: scope.as_ref().map(Scope::label),
            scope: scope.map(|s| s.to_string()),
            created_at,
            revoked_at,
        }
    }
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
    let NewToken { name, role, scope } = body.into_inner();
    let name = auth::token_name(&name).map_err(|message| invalid("name", message))?;
    let role = Role::parse(&role).ok_or_else(|| {
        invalid(
            "role",
            format!("role 只能是 reader、clerk、auditor、admin 或 approver，收到“{role}”"),
        )
    })?;
    let scope = match scope {
        Some(text) => Scope::parse(&text).map_err(|e| invalid("scope", e.to_string()))?,
        None => Scope::County,
    };
    let issued = db
        .run(move |conn| auth::create_token(conn, &name, role, &scope).map_err(DbError::from))
        .await?;
    Ok((
        Status::Created,
        Json(CreatedToken {
            id: issued.id,
            token: issued.secret,
            name: issued.name,
            role: issued.role.as_str(),
            scope_label: issued.scope.label(),
            scope: issued.scope.to_string(),
            created_at: issued.created_at,
        }),
    ))
}

/// Every token, live and revoked, oldest first; never a secret.
#[get("/tokens")]
pub async fn list_tokens(
    _admin: AdminAccess,
    db: &State<Db>,
) -> Result<Json<Vec<TokenView>>, ApiError> {
    let tokens = db
        .run(|conn| auth::list_tokens(conn).map_err(DbError::from))
        .await?;
    Ok(Json(tokens.into_iter().map(TokenView::new).collect()))
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
