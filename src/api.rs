//! The REST API under `/api/v1`: its routes, and its catchers, which answer in
//! problem+json too (the Rocket instance is `crate::server`'s).

pub mod access_log;
pub mod assets;
pub mod attachments;
pub mod declarations;
pub mod error;
pub mod gate;
pub mod guard;
pub mod health;
pub mod households;
pub mod imports;
pub mod ledger;
pub mod notices;
pub mod openapi;
pub mod params;
pub mod projects;
pub mod proposals;
pub mod public;
pub mod stocktakes;
pub mod tokens;
pub mod totals;
pub mod views;

use rocket::data::{ByteUnit, Data, Limits};
use rocket::http::Status;
use rocket::{catch, catchers, routes, Catcher, Request, Route};

use error::ApiError;

/// The upload limit for import bodies when none is configured (`limits.import`).
pub const DEFAULT_IMPORT_LIMIT: ByteUnit = ByteUnit::Mebibyte(256);

/// The limit of a JSON body (a ledger entry, a declaration) when none is configured
/// (`limits.json`, as Rocket's own): 1 MiB, room for thousands of distribution lines.
pub const DEFAULT_JSON_LIMIT: ByteUnit = ByteUnit::Mebibyte(1);

/// Reads a JSON body whole, up to `limits.json`.
///
/// Fails as [`read_body`] does.
pub async fn json_body(body: Data<'_>, limits: &Limits) -> Result<Vec<u8>, ApiError> {
    read_body(body, limits.get("json").unwrap_or(DEFAULT_JSON_LIMIT)).await
}

/// Reads a body whole, up to `limit`.
///
/// Fails with [`ApiError::PayloadTooLarge`] naming the limit when the body is longer,
/// and with a 500 when it cannot be read.
pub async fn read_body(body: Data<'_>, limit: ByteUnit) -> Result<Vec<u8>, ApiError> {
    let read = body
        .open(limit)
        .into_bytes()
        .await
        .map_err(|e| ApiError::Internal(format!("cannot read the body: {e}")))?;
    if !read.is_complete() {
        return Err(ApiError::PayloadTooLarge {
            limit: limit.as_u64(),
        });
    }
    Ok(read.into_inner())
}

/// The upload limit of an import or a filled-in checklist (`limits.import`).
pub fn import_limit(limits: &Limits) -> ByteUnit {
    limits.get("import").unwrap_or(DEFAULT_IMPORT_LIMIT)
}

/// Spools an upload to a temporary file, up to `limit`: a file to import is read from
/// disk, never held whole in memory.
///
/// Fails with [`ApiError::PayloadTooLarge`] naming the limit when the body is longer,
/// and with a 500 when the file cannot be created or written.
pub async fn spool_body(
    body: Data<'_>,
    limit: ByteUnit,
) -> Result<tempfile::NamedTempFile, ApiError> {
    let spool = tempfile::NamedTempFile::new()
        .map_err(|e| ApiError::Internal(format!("cannot create a temp file: {e}")))?;
    let written = body
        .open(limit)
        .into_file(spool.path())
        .await
        .map_err(|e| ApiError::Internal(format!("cannot spool the upload: {e}")))?;
    if !written.is_complete() {
        return Err(ApiError::PayloadTooLarge {
            limit: limit.as_u64(),
        });
    }
    Ok(spool)
}

/// A `Content-Disposition` offering a download as `filename` (ASCII), and as
/// `utf8_filename` to the browsers that read RFC 6266's percent-encoded UTF-8 name.
pub fn attachment_disposition(filename: &str, utf8_filename: Option<&str>) -> String {
    let mut disposition = format!("attachment; filename=\"{filename}\"");
    if let Some(name) = utf8_filename {
        let encoded: String = name
            .bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-_.".contains(&b) {
                    char::from(b).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect();
        disposition.push_str(&format!("; filename*=UTF-8''{encoded}"));
    }
    disposition
}

/// Every route of the API, to mount under `/api/v1`.
pub fn routes() -> Vec<Route> {
    let mut routes = routes![
        health::health,
        imports::create_import,
        imports::list_imports,
        imports::get_import,
        projects::list_projects,
        projects::get_project,
        totals::get_totals,
        tokens::create_token,
        tokens::list_tokens,
        tokens::revoke_token,
        assets::list_assets,
        assets::export_csv,
        assets::export_xlsx,
        assets::get_asset,
        ledger::asset_ledger,
        ledger::append,
        ledger::events,
        ledger::verify,
        openapi::openapi,
        declarations::create,
        declarations::list_declarations,
        declarations::get_one,
        declarations::reconciliation,
        declarations::report_html,
        declarations::list_findings,
        declarations::export_findings,
        households::get_household,
        access_log::list_access_log,
        attachments::upload_attachment,
        attachments::get_attachment,
        proposals::list_proposals,
        proposals::get_proposal,
        proposals::approve,
        proposals::reject,
        notices::create_notice,
        notices::create_objection,
        notices::resolve_objection,
    ];
    routes.extend(stocktakes::routes());
    routes
}

/// The public notice routes of the API, mounted under `/api/v1` when the setting
/// `public` is on.
pub fn public_routes() -> Vec<Route> {
    routes![public::village]
}

/// The API's catchers, to register under `/api`: Rocket's own refusals (a malformed
/// body, a path with no route, a body over the limit…) as problem+json.
pub fn catchers() -> Vec<Catcher> {
    catchers![
        bad_request,
        unauthorized,
        too_many_requests,
        forbidden,
        not_found,
        payload_too_large,
        unprocessable,
        internal,
        default_catcher
    ]
}

#[catch(400)]
fn bad_request(request: &Request<'_>) -> ApiError {
    ledger::idempotency_key_refused(request).unwrap_or(ApiError::Refused(Status::BadRequest))
}

#[catch(401)]
fn unauthorized() -> ApiError {
    ApiError::Unauthorized
}

#[catch(429)]
fn too_many_requests() -> ApiError {
    ApiError::TooManyRequests
}

#[catch(403)]
fn forbidden(request: &Request<'_>) -> ApiError {
    if guard::county_scope_refused(request) {
        ApiError::CountyScopeRequired
    } else {
        ApiError::Forbidden
    }
}

#[catch(404)]
fn not_found(request: &Request<'_>) -> ApiError {
    ApiError::NotFound(format!(
        "没有 {} {}",
        request.method(),
        request.uri().path()
    ))
}

#[catch(413)]
fn payload_too_large() -> ApiError {
    ApiError::Refused(Status::PayloadTooLarge)
}

#[catch(422)]
fn unprocessable() -> ApiError {
    ApiError::Refused(Status::UnprocessableEntity)
}

#[catch(500)]
fn internal() -> ApiError {
    ApiError::Refused(Status::InternalServerError)
}

#[catch(default)]
fn default_catcher(status: Status, _request: &Request<'_>) -> ApiError {
    ApiError::Refused(status)
}
