//! `GET /api/v1/public/{镇街}/{村}`: a village's public notice as JSON, without a token;
//! mounted only when the setting `public` is on (`serve --public`).

use rocket::serde::json::Json;
use rocket::{get, State};

use super::error::ApiError;
use crate::approvals::public::village_notice_with_open;
use crate::db::Db;
use crate::register::public::{NoticeError, VillageNotice};

impl From<NoticeError> for ApiError {
    fn from(e: NoticeError) -> Self {
        match e {
            NoticeError::Query(e) => ApiError::from(e),
            NoticeError::Place(e) => ApiError::NotFound(e.to_string()),
        }
    }
}

/// The village's assets, income and distributions of the last 24 months, open notices
/// and the ledger head; 404 when the register holds no asset there.
#[get("/public/<town>/<village>")]
pub async fn village(
    town: &str,
    village: &str,
    db: &State<Db>,
) -> Result<Json<VillageNotice>, ApiError> {
    let (town, village) = (town.to_owned(), village.to_owned());
    db.run(move |conn| {
        let notice = village_notice_with_open(conn, &town, &village)?
            .ok_or_else(|| ApiError::NotFound(format!("没有{town}{village}的公示")))?;
        Ok(Json(notice))
    })
    .await
}
