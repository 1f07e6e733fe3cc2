//! Request guards for bearer tokens and the role each endpoint requires. The web
//! interface's session cookie carries the same token: it is accepted on reads, and on
//! writes only with the `X-Requested-With` header that the interface's own script sends
//! (a page on another site cannot send it without a CORS preflight we never grant).

use rocket::http::Status;
use rocket::request::{FromRequest, Outcome};
use rocket::Request;

use super::error::ApiError;
use super::gate::Gate;
use crate::auth::{self, Access, Caller, SESSION_COOKIE};
use crate::db::Db;
use crate::domain::CountyScope;

/// The header the web interface's script sends with cookie-authenticated writes.
pub const SCRIPT_HEADER: (&str, &str) = ("X-Requested-With", "asset-registry");

/// The token a request carries: the bearer header, else the session cookie (on writes
/// only together with [`SCRIPT_HEADER`]).
fn presented_token(request: &Request<'_>) -> Option<String> {
    if let Some(header) = request.headers().get_one("Authorization") {
        return header.strip_prefix("Bearer ").map(|s| s.trim().to_owned());
    }
    let cookie = request.cookies().get(SESSION_COOKIE)?.value().to_owned();
    let safe = matches!(
        request.method(),
        rocket::http::Method::Get | rocket::http::Method::Head
    );
    let from_script = request.headers().get_one(SCRIPT_HEADER.0) == Some(SCRIPT_HEADER.1);
    (safe || from_script).then_some(cookie)
}

/// Resolves the caller's token once per request.
pub async fn caller(request: &Request<'_>) -> Result<Caller, ApiError> {
    let cached: &Result<Caller, Status> = request
        .local_cache_async(async {
            let Some(secret) = presented_token(request) else {
                return Err(Status::Unauthorized);
            };
            let (Some(db), Some(gate)) = (
                request.rocket().state::<Db>(),
                request.rocket().state::<Gate>(),
            ) else {
                return Err(Status::InternalServerError);
            };
            let address = request.client_ip();
            let digest = auth::secret_digest(&secret);
            if let Some(caller) = gate.cached(&digest) {
                return Ok(caller);
            }
            if gate.refused(address, &digest) {
                return Err(Status::TooManyRequests);
            }
            match db
                .run(move |conn| {
                    auth::authenticate(conn, &secret).map_err(crate::db::DbError::from)
                })
                .await
            {
                Ok(Some(caller)) => {
                    gate.remember(digest, caller.clone(), address);
                    Ok(caller)
                }
                Ok(None) => {
                    gate.failed(address);
                    Err(Status::Unauthorized)
                }
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
        Err(Status::TooManyRequests) => Err(ApiError::TooManyRequests),
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
        Err(ApiError::TooManyRequests) => {
            Outcome::Error((Status::TooManyRequests, ApiError::TooManyRequests))
        }
        Err(e) => Outcome::Error((Status::InternalServerError, e)),
    }
}

/// The caller with `access` and county scope: 403 `forbidden` without the role, 403
/// `county_scope_required` with a narrower scope.
async fn authorize_county(
    request: &Request<'_>,
    access: Access,
) -> Outcome<(Caller, CountyScope), ApiError> {
    match authorize(request, access).await {
        Outcome::Success(caller) => match caller.scope.county() {
            Some(county) => Outcome::Success((caller, county)),
            None => {
                // Rocket hands a guard's 403 to the catcher, not its error: the catcher
                // reads this mark to answer `county_scope_required`.
                request.local_cache(|| CountyScopeRefused(true));
                Outcome::Error((Status::Forbidden, ApiError::CountyScopeRequired))
            }
        },
        Outcome::Error(e) => Outcome::Error(e),
        Outcome::Forward(status) => Outcome::Forward(status),
    }
}

/// Marks a request refused for want of county scope (see [`county_scope_refused`]).
struct CountyScopeRefused(bool);

/// Whether this request was refused because its token's scope is not the county.
pub fn county_scope_refused(request: &Request<'_>) -> bool {
    request.local_cache(|| CountyScopeRefused(false)).0
}

/// Any valid token (reader, clerk, auditor, admin, approver); what it reads is held to
/// its scope by the queries, which take `caller.scope`.
pub struct ReadAccess(pub Caller);

/// Any valid token with county scope (declarations and reconciliation).
pub struct CountyRead(pub Caller, pub CountyScope);

/// A clerk or admin token with county scope.
pub struct CountyWrite(pub Caller, pub CountyScope);

/// An auditor or admin token with county scope (verification).
pub struct CountyAudit(pub Caller, pub CountyScope);

/// A clerk or admin token.
pub struct WriteAccess(pub Caller);

/// An auditor or admin token.
pub struct AuditAccess(pub Caller);

/// An admin token with county scope (token management).
pub struct AdminAccess(pub Caller, pub CountyScope);

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
        authorize_county(request, Access::Administer)
            .await
            .map(|(caller, county)| AdminAccess(caller, county))
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for CountyRead {
    type Error = ApiError;
    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, ApiError> {
        authorize_county(request, Access::Read)
            .await
            .map(|(caller, county)| CountyRead(caller, county))
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for CountyWrite {
    type Error = ApiError;
    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, ApiError> {
        authorize_county(request, Access::Write)
            .await
            .map(|(caller, county)| CountyWrite(caller, county))
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for CountyAudit {
    type Error = ApiError;
    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, ApiError> {
        authorize_county(request, Access::Audit)
            .await
            .map(|(caller, county)| CountyAudit(caller, county))
    }
}
