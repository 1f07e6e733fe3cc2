//! The request fairing: every request gets an id (the `X-Request-Id` a proxy sent when
//! it is a sane token, else a fresh one), returned in `X-Request-Id`, quoted as
//! `instance` in every problem body, and logged with the method, the route, the status,
//! the duration, and the token's name and scope (never the token).

use std::time::{Duration, Instant};

use rocket::fairing::{Fairing, Info, Kind};
use rocket::{Data, Request, Response};

/// The header carrying the request id both ways.
pub const HEADER: &str = "X-Request-Id";

/// The longest request id taken from a proxy.
const MAX_LEN: usize = 64;

/// A request's id and when it began, kept with the request.
struct Started {
    id: String,
    at: Instant,
}

impl Started {
    /// The id `supplied` by a proxy when it is a sane token (1 to 64 of `A-Z a-z 0-9 - _ . :`),
    /// else a fresh UUID.
    fn new(supplied: Option<&str>) -> Started {
        let sane = supplied.filter(|id| {
            (1..=MAX_LEN).contains(&id.len())
                && id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
        });
        Started {
            id: sane.map_or_else(|| uuid::Uuid::now_v7().to_string(), str::to_owned),
            at: Instant::now(),
        }
    }
}

fn started<'r>(request: &'r Request<'_>) -> &'r Started {
    request.local_cache(|| Started::new(request.headers().get_one(HEADER)))
}

/// The id of `request` (made now if the fairing has not seen it, as in a bare test app).
pub fn id_of<'r>(request: &'r Request<'_>) -> &'r str {
    &started(request).id
}

/// The route `request` matched, as mounted (`/api/v1/assets/<key>`), or `unmatched`:
/// a label of few values, never the path a client typed (it may hold names).
pub fn route_of(request: &Request<'_>) -> String {
    request.route().map_or_else(
        || "unmatched".to_owned(),
        |route| route.uri.origin.path().as_str().to_owned(),
    )
}

/// The fairing that numbers, times and logs every request.
pub struct RequestLog;

#[rocket::async_trait]
impl Fairing for RequestLog {
    fn info(&self) -> Info {
        Info {
            name: "Request ids and log lines",
            kind: Kind::Request | Kind::Response,
        }
    }

    async fn on_request(&self, request: &mut Request<'_>, _: &mut Data<'_>) {
        started(request);
    }

    async fn on_response<'r>(&self, request: &'r Request<'_>, response: &mut Response<'r>) {
        super::access::record(request, response).await;
        let started = started(request);
        response.set_raw_header(HEADER, started.id.clone());
        let elapsed: Duration = started.at.elapsed();
        let status = response.status().code;
        let route = route_of(request);
        super::metrics::METRICS.request(request.method().as_str(), &route, status, elapsed);
        let caller = crate::api::guard::cached_caller(request)
            .or_else(|| crate::web::session::signed_in(request));
        let (token, scope) = caller.map_or_else(
            || (String::new(), String::new()),
            |caller| (caller.name, caller.scope.to_string()),
        );
        tracing::info!(
            request_id = %started.id,
            method = %request.method(),
            route = %route,
            status,
            duration_ms = elapsed.as_secs_f64() * 1000.0,
            token = %token,
            scope = %scope,
            "request"
        );
    }
}
