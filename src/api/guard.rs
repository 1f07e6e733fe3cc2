//! Request guards for bearer tokens and the role each endpoint requires.

use rocket::http::Status;
use rocket::request::{FromRequest, Outcome};
use rocket::Request;

use super::error::ApiError;
use crate::auth::{self, Access, Caller};
use crate::db::Db;

/// Resolves the bearer token once per request.
async fn caller(request: &Request<'_>) -> Result<Caller, ApiError> {
    let cached: &Result<Caller, Status> = request
        .local_cache_async(async {
            let Some(header) = request.headers().get_one("Authorization") else {
                return Err(Status::Unauthorized);
            };
            let Some(secret) = header.strip_prefix("Bearer ").map(str::trim) else {
                return Err(Status::Unauthorized);
            };
            let Some(db) = request.rocket().state::<Db>() else {
                return Err(Status::InternalServerError);
            };
            let secret = secret.to_owned();
            match db
                .run(move |conn| {
                    auth::authenticate(conn, &secret).map_err(crate::db::DbError::from)
                })
                .await
            {
                Ok(Some(caller)) => Ok(caller),
                Ok(None) => Err(Status::Unauthorized),
                Err(e) => {
                    rocket::error!("token lookup failed: {e}");
                    Err(Status::InternalServerError)
                }
            }
        })
        .await;
    match cached {
        Ok(caller) => Ok(caller.clone()),
        Err(Status::Unauthorized) => Err(ApiError::Unauthorized),
        Err(_) => Err(ApiError::Internal("token lookup failed".to_owned())),
    }
}

async fn authorize(request: &Request<'_>, access: Access) -> Outcome<Caller, ApiError> {
    match caller(request).await {
        Ok(caller) if caller.role.allows(access) => Outcome::Success(caller),
        Ok(_) => Outcome::Error((Status::Forbidden, ApiError::Forbidden)),
        Err(ApiError::Unauthorized) => {
            Outcome::Error((Status::Unauthorized, ApiError::Unauthorized))
        }
        Err(e) => Outcome::Error((Status::InternalServerError, e)),
    }
}

/// Any valid token (reader, clerk, auditor, admin).
pub struct ReadAccess(pub Caller);

/// A clerk or admin token.
pub struct WriteAccess(pub Caller);

/// An auditor or admin token.
pub struct AuditAccess(pub Caller);

/// An admin token.
pub struct AdminAccess(pub Caller);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for ReadAccess {
    type Error = ApiError;
    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, ApiError> {
        authorize(request, Access::Read).await.map(ReadAccess)
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for WriteAccess {
    type Error = ApiError;
    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, ApiError> {
        authorize(request, Access::Write).await.map(WriteAccess)
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for AuditAccess {
    type Error = ApiError;
    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, ApiError> {
        authorize(request, Access::Audit).await.map(AuditAccess)
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for AdminAccess {
    type Error = ApiError;
    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, ApiError> {
        authorize(request, Access::Administer)
            .await
            .map(AdminAccess)
    }
}
