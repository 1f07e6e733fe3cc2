//! Walking every GET route with a token: a route path made concrete with each value its
//! dynamic segment may take, and a request carrying a token as a bearer and a session.

use asset_registry::auth::SESSION_COOKIE;
use rocket::http::{Cookie, Header};
use rocket::local::blocking::LocalRequest;

/// The concrete paths of a route path (`/api/v1/assets/<key>/ledger`): each dynamic
/// segment replaced by each of `values`, then each path again with each of `extra`
/// (queries for the routes whose answer they change).
pub fn concrete_paths(path: &str, values: &[String], extra: &[String]) -> Vec<String> {
    let segments: Vec<&str> = path.split('/').collect();
    let dynamic = segments.iter().filter(|s| s.starts_with('<')).count();
    let mut paths = match dynamic {
        0 => vec![path.to_owned()],
        1 => values
            .iter()
            .map(|v| {
                let encoded = rocket::http::RawStr::new(v.as_str()).percent_encode();
                segments
                    .iter()
                    .map(|s| {
                        if s.starts_with('<') {
                            encoded.to_string()
                        } else {
                            s.to_string()
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("/")
            })
            .collect(),
        _ => panic!("{path}: no values for {dynamic} dynamic segments"),
    };
    let base = paths.clone();
    for query in extra {
        paths.extend(base.iter().map(|p| format!("{p}{query}")));
    }
    paths
}

/// `request` with `secret` as its bearer token and its session cookie.
pub fn with_token<'c>(request: LocalRequest<'c>, secret: &str) -> LocalRequest<'c> {
    request
        .header(Header::new("Authorization", format!("Bearer {secret}")))
        .cookie(Cookie::new(SESSION_COOKIE, secret.to_owned()))
}
