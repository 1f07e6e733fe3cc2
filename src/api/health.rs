//! `GET /api/v1/health`: open to all, says which database answers.

use rocket::serde::json::Json;
use rocket::{get, State};
use serde::Serialize;

use super::error::ApiError;
use crate::db::{Db, DbError};

/// The health report.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Health {
    /// `ok` when the database answered.
    pub status: &'static str,
    /// `sqlite` or `postgres`.
    pub database: &'static str,
    /// The server's version.
    pub version: &'static str,
}

/// Reports health after a round trip to the database.
#[get("/health")]
pub async fn health(db: &State<Db>) -> Result<Json<Health>, ApiError> {
    db.run(|conn| {
        use diesel::connection::SimpleConnection;
        conn.batch_execute("SELECT 1").map_err(DbError::from)
    })
    .await?;
    Ok(Json(Health {
        status: "ok",
        database: db.backend().name(),
        version: env!("CARGO_PKG_VERSION"),
    }))
}
