//! The REST API under `/api/v1`: routes, catchers and the Rocket instance.

pub mod assets;
pub mod declarations;
pub mod error;
pub mod gate;
pub mod guard;
pub mod health;
pub mod imports;
pub mod ledger;
pub mod openapi;
pub mod params;
pub mod projects;
pub mod tokens;
pub mod totals;
pub mod views;

use rocket::data::ByteUnit;
use rocket::figment::Figment;
use rocket::http::Status;
use rocket::{catch, catchers, routes, Build, Request, Rocket};

use crate::db::Db;
use error::{problem, Problem};

/// The upload limit for import bodies when none is configured (`limits.import`).
pub const DEFAULT_IMPORT_LIMIT: ByteUnit = ByteUnit::Mebibyte(256);

/// The Rocket instance serving the API over `db`, configured by `figment` (Rocket's own
/// settings plus `limits.import`).
pub fn rocket(db: Db, figment: Figment) -> Rocket<Build> {
    // The client address comes from the socket unless an `ip_header` is configured for
    // a trusted proxy: a header any client can set must not steer the throttle.
    let figment = figment
        .join(("limits.import", DEFAULT_IMPORT_LIMIT))
        .join(("ip_header", false));
    rocket::custom(figment)
        .manage(db)
        .manage(gate::Gate::default())
        .attach(security_headers())
        .attach(rocket::fairing::AdHoc::on_response("Content-Security-Policy", |_request, response| {
            Box::pin(async move {
                // Scripts only from this server, never inline; no framing; forms post here.
                response.set_raw_header(
                    "Content-Security-Policy",
                    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; \
                     frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'",
                );
            })
        }))
        .mount("/api/v1", routes())
        .mount("/", crate::web::routes())
        .register("/", crate::web::catchers())
        .register(
            "/api",
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
            ],
        )
}

/// Rocket's shield with frames denied and content types not sniffed.
fn security_headers() -> rocket::shield::Shield {
    use rocket::shield::{Frame, NoSniff, Referrer, Shield};
    Shield::default()
        .enable(Frame::Deny)
        .enable(NoSniff::Enable)
        .enable(Referrer::SameOrigin)
}

/// Every route of the API, to mount under `/api/v1`.
pub fn routes() -> Vec<rocket::Route> {
    routes![
        health::health,
        imports::create_import,
        imports::list_imports,
        imports::get_import,
        projects::list,
        projects::get_one,
        totals::get_totals,
        tokens::create_token,
        tokens::revoke_token,
        assets::list,
        assets::export_csv,
        assets::get_one,
        ledger::asset_ledger,
        ledger::append,
        ledger::events,
        ledger::verify,
        openapi::openapi,
        declarations::create,
        declarations::list,
        declarations::get_one,
        declarations::reconciliation,
        declarations::report_html,
        declarations::list_findings,
    ]
}

#[catch(400)]
fn bad_request() -> Problem {
    Problem(
        Status::BadRequest,
        problem(
            Status::BadRequest,
            "bad_request",
            "请求无效",
            "请求格式无效",
        ),
    )
}

#[catch(401)]
fn unauthorized() -> Problem {
    let (status, body) = error::ApiError::Unauthorized.to_problem();
    Problem(status, body)
}

#[catch(429)]
fn too_many_requests() -> error::ApiError {
    error::ApiError::TooManyRequests
}

#[catch(403)]
fn forbidden() -> Problem {
    let (status, body) = error::ApiError::Forbidden.to_problem();
    Problem(status, body)
}

#[catch(404)]
fn not_found(request: &Request<'_>) -> Problem {
    Problem(
        Status::NotFound,
        problem(
            Status::NotFound,
            "not_found",
            "未找到",
            &format!("没有 {} {}", request.method(), request.uri().path()),
        ),
    )
}

#[catch(413)]
fn payload_too_large() -> Problem {
    Problem(
        Status::PayloadTooLarge,
        problem(
            Status::PayloadTooLarge,
            "payload_too_large",
            "上传内容过大",
            "请求体超过上限，未写入任何数据",
        ),
    )
}

#[catch(422)]
fn unprocessable() -> Problem {
    Problem(
        Status::UnprocessableEntity,
        problem(
            Status::UnprocessableEntity,
            "unprocessable",
            "请求内容无效",
            "请求体无法解析（JSON 格式或字段类型错误）",
        ),
    )
}

#[catch(500)]
fn internal() -> Problem {
    Problem(
        Status::InternalServerError,
        problem(
            Status::InternalServerError,
            "internal",
            "服务器内部错误",
            "服务器内部错误，已记录日志",
        ),
    )
}

#[catch(default)]
fn default_catcher(status: Status, _request: &Request<'_>) -> Problem {
    Problem(
        status,
        problem(
            status,
            "error",
            status.reason().unwrap_or("错误"),
            status.reason().unwrap_or("错误"),
        ),
    )
}
