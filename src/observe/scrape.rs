//! `GET /metrics`: the metrics in the Prometheus text format, for the addresses the
//! setting `metrics` opens it to: `loopback` (the default: a scraper on the same
//! machine), `open` (any address: behind a firewall or a proxy that guards it) or `off`
//! (not served).

use std::net::IpAddr;

use rocket::figment::Figment;
use rocket::http::ContentType;
use rocket::{get, routes, Route, State};

use super::metrics::{PoolGauges, METRICS};
use crate::api::error::ApiError;
use crate::db::Db;
use crate::settings;

/// The setting naming who may read the metrics.
pub const SETTING: &str = "metrics";

/// The setting's default.
pub const DEFAULT_EXPOSURE: &str = "loopback";

/// Who may read `/metrics`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exposure {
    /// Only clients on this machine.
    Loopback,
    /// Any client.
    Open,
    /// Nobody: the route is not mounted.
    Off,
}

impl Exposure {
    /// The exposure `figment` asks for.
    ///
    /// Fails naming the setting when it is none of `loopback`, `open`, `off`.
    pub fn of(figment: &Figment) -> Result<Exposure, String> {
        match settings::chosen(figment, SETTING, DEFAULT_EXPOSURE).as_str() {
            "loopback" => Ok(Exposure::Loopback),
            "open" => Ok(Exposure::Open),
            "off" => Ok(Exposure::Off),
            other => Err(settings::invalid_choice(
                SETTING,
                other,
                "loopback、open 或 off",
            )),
        }
    }

    /// Whether a client at `address` may read the metrics.
    fn admits(self, address: Option<IpAddr>) -> bool {
        match self {
            Exposure::Open => true,
            Exposure::Off => false,
            Exposure::Loopback => address.is_some_and(|ip| ip.to_canonical().is_loopback()),
        }
    }
}

/// The metrics, to a client the exposure admits.
///
/// Fails with 403 for any other client.
#[get("/metrics")]
fn metrics(
    db: &State<Db>,
    exposure: &State<Exposure>,
    address: Option<IpAddr>,
) -> Result<(ContentType, String), ApiError> {
    if !exposure.admits(address) {
        return Err(ApiError::AddressRefused);
    }
    let pool = db.pool_state();
    let text = METRICS.render(PoolGauges {
        in_use: pool.in_use,
        idle: pool.idle,
        waiting: pool.waiting,
        max: pool.max,
    });
    Ok((
        ContentType::new("text", "plain").with_params([("version", "0.0.4"), ("charset", "utf-8")]),
        text,
    ))
}

/// The metrics route, to mount at `/` unless the exposure is `off`.
pub fn routes() -> Vec<Route> {
    routes![metrics]
}
