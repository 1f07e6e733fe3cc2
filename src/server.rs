//! The Rocket instance: the API under `/api/v1` and the web interface at `/`, their
//! catchers, the security headers, and the managed state (the database and the token
//! gate). Kept apart from launching, so that tests build the same app.

use rocket::fairing::AdHoc;
use rocket::figment::Figment;
use rocket::shield::{Frame, NoSniff, Referrer, Shield};
use rocket::{Build, Rocket};

use crate::api::gate::Gate;
use crate::approvals::ApprovalSettings;
use crate::db::Db;
use crate::observe::scrape::Exposure;

/// The Content-Security-Policy of every response: scripts only from this server, never
/// inline; no framing; forms post here.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; \
     frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'";

/// The Rocket instance serving the API and the web interface over `db`, configured by
/// `figment` (Rocket's own settings plus `limits.import`, and `public`, which mounts
/// the villages' public notice pages, and `metrics`, who may read `/metrics`).
pub fn rocket(db: Db, figment: Figment) -> Rocket<Build> {
    let figment = crate::settings::serving(figment);
    // The public notice pages answer without a token: off unless `public = true`.
    let public = figment.extract_inner::<bool>("public").unwrap_or(false);
    // An unknown exposure is refused by `serve` before this; here it keeps the default.
    let metrics = Exposure::of(&figment).unwrap_or(Exposure::Loopback);
    // An invalid approval setting is refused by every command before this; here it
    // keeps the defaults.
    let approvals = ApprovalSettings::of(&figment).unwrap_or_default();
    let rocket = rocket::custom(figment)
        .manage(db)
        .manage(approvals)
        .manage(Gate::default())
        .manage(metrics)
        .attach(crate::observe::requests::RequestLog)
        .attach(security_headers())
        .attach(AdHoc::on_response(
            "Content-Security-Policy",
            |_request, response| {
                Box::pin(async move {
                    response.set_raw_header("Content-Security-Policy", CONTENT_SECURITY_POLICY);
                })
            },
        ))
        .attach(AdHoc::on_response("Cache-Control", |request, response| {
            Box::pin(async move {
                // Pages and answers may carry ID and phone numbers whole: no browser
                // cache on a shared office PC and no proxy keeps them. The embedded
                // stylesheet and scripts hold nothing of the register.
                if !request.uri().path().starts_with("/static/") {
                    response.set_raw_header("Cache-Control", "no-store");
                }
            })
        }))
        .mount("/api/v1", crate::api::routes())
        .mount("/", crate::web::routes())
        .register("/", crate::web::catchers())
        .register("/api", crate::api::catchers());
    let rocket = if metrics == Exposure::Off {
        rocket
    } else {
        rocket.mount("/", crate::observe::scrape::routes())
    };
    if public {
        rocket
            .mount("/api/v1", crate::api::public_routes())
            .mount("/", crate::web::public_routes())
    } else {
        rocket
    }
}

/// Rocket's shield with frames denied and content types not sniffed.
fn security_headers() -> Shield {
    Shield::default()
        .enable(Frame::Deny)
        .enable(NoSniff::Enable)
        .enable(Referrer::SameOrigin)
}
