//! Request guards for bearer tokens and the role each endpoint requires. The web
//! interface's session cookie carries the same token: it is accepted on reads, and on
//! writes only with the `X-Requested-With` header that the interface's own script sends
//! (a page on another site cannot send it without a CORS preflight we never grant).

use std::net::IpAddr;

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

/// Checks a presented token through the gate: a token found valid lately is taken from
/// the cache; an address that presented too many bad tokens lately is refused unheard
/// (429); otherwise the database answers, and a bad token counts against the address.
/// The API's bearer tokens, the web interface's session cookie and sign-in all pass
/// here, so they share one throttle.
///
/// Fails with 401 for a bad token, 429 for a throttled address, 500 when the lookup
/// fails.
pub async fn check_token(
    db: &Db,
    gate: &Gate,
    secret: String,
    address: Option<IpAddr>,
) -> Result<Caller, Status> {
    let digest = auth::secret_digest(&secret);
    if let Some(caller) = gate.cached(&digest) {
        return Ok(caller);
    }
    if gate.refused(address, &digest) {
        return Err(Status::TooManyRequests);
    }
    match db
        .run(move |conn| auth::authenticate(conn, &secret).map_err(crate::db::DbError::from))
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
}

/// [`check_token`] with the request's database, gate and client address.
///
/// Fails as [`check_token`] does (500 without the managed state).
pub async fn check_token_of(request: &Request<'_>, secret: String) -> Result<Caller, Status> {
    let (Some(db), Some(gate)) = (
        request.rocket().state::<Db>(),
        request.rocket().state::<Gate>(),
    ) else {
        return Err(Status::InternalServerError);
    };
    check_token(db, gate, secret, request.client_ip()).await
}

/// The caller this request's token was found to be, once [`caller`] has run for it
/// (`None` before, or when the token was refused): for its log line.
pub fn cached_caller(request: &Request<'_>) -> Option<Caller> {
    let cached: &Result<Caller, Status> = request.local_cache(|| Err(Status::Unauthorized));
    cached.as_ref().ok().cloned()
}

/// Resolves the caller's token once per request.
pub async fn caller(request: &Request<'_>) -> Result<Caller, ApiError> {
    let cached: &Result<Caller, Status> = request
        .local_cache_async(async {
            let Some(secret) = presented_token(request) else {
                return Err(Status::Unauthorized);
            };
            check_token_of(request, secret).await
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

/// A token that may export the register and see the findings: clerk, auditor, admin,
/// approver.
pub struct ReviewAccess(pub Caller);

/// An approver token: approves or rejects proposals (which steps, its scope decides).
pub struct ApproveAccess(pub Caller);

/// An admin token with county scope (token management).
pub struct AdminAccess(pub Caller, pub CountyScope);

/// Implements `FromRequest` for `$guard` as `$outcome`, the outcome of authorizing
/// `$request`.
macro_rules! guard {
    ($guard:ident, $request:ident => $outcome:expr) => {
        #[rocket::async_trait]
        impl<'r> FromRequest<'r> for $guard {
            type Error = ApiError;
            async fn from_request($request: &'r Request<'_>) -> Outcome<Self, ApiError> {
                $outcome
            }
        }
    };
}

guard!(ReadAccess, r => authorize(r, Access::Read).await.map(ReadAccess));
guard!(WriteAccess, r => authorize(r, Access::Write).await.map(WriteAccess));
guard!(AuditAccess, r => authorize(r, Access::Audit).await.map(AuditAccess));
guard!(ReviewAccess, r => authorize(r, Access::Review).await.map(ReviewAccess));
guard!(ApproveAccess, r => authorize(r, Access::Approve).await.map(ApproveAccess));
guard!(AdminAccess, r => authorize_county(r, Access::Administer).await.map(|(c, s)| AdminAccess(c, s)));
guard!(CountyRead, r => authorize_county(r, Access::Read).await.map(|(c, s)| CountyRead(c, s)));
guard!(CountyWrite, r => authorize_county(r, Access::Write).await.map(|(c, s)| CountyWrite(c, s)));
guard!(CountyAudit, r => authorize_county(r, Access::Audit).await.map(|(c, s)| CountyAudit(c, s)));
