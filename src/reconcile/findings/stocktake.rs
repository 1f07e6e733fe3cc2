//! The finding `not_stocktaken`: a live asset that the last closed stock-take covering
//! it left without a result.

use diesel::prelude::*;
use diesel::sql_types::Text;

use super::{asset_finding, Finding};
use crate::db::DbConnection;
use crate::domain::Scope;
use crate::register::scope::asset_sql;

#[derive(QueryableByName)]
struct Unchecked {
    #[diesel(sql_type = Text)]
    code: String,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    campaign: String,
    #[diesel(sql_type = Text)]
    closed_on: String,
}

/// Every asset in `scope`, not disposed, that the latest closed campaign covering it
/// (by closing time) left unchecked: one finding each, by code.
///
/// Fails when the query fails.
pub fn not_stocktaken(conn: &mut DbConnection, scope: &Scope) -> QueryResult<Vec<Finding>> {
    let mut rows: Vec<Unchecked> = diesel::sql_query(format!(
        "SELECT a.code AS code, a.name AS name, s.name AS campaign, COALESCE(s.closed_on, '') AS closed_on \
         FROM stocktake_assets sa JOIN stocktakes s ON s.id = sa.stocktake_id \
         JOIN assets a ON a.id = sa.asset_id \
         WHERE s.status = 'closed' AND sa.result IS NULL AND a.status <> 'disposed' AND {in_scope} \
         AND NOT EXISTS (SELECT 1 FROM stocktake_assets sb JOIN stocktakes t ON t.id = sb.stocktake_id \
             WHERE sb.asset_id = sa.asset_id AND t.status = 'closed' \
             AND (t.closed_at > s.closed_at OR (t.closed_at = s.closed_at AND t.id > s.id)))",
        in_scope = asset_sql(scope, "a"),
    ))
    .load(conn)?;
    rows.sort_by(|a, b| a.code.cmp(&b.code));
    rows.dedup_by(|a, b| a.code == b.code);
    Ok(rows
        .into_iter()
        .map(|r| {
            asset_finding(
                "not_stocktaken",
                r.code,
                format!(
                    "资产“{}”在 {} 结束的盘点“{}”中未盘点",
                    r.name, r.closed_on, r.campaign
                ),
            )
        })
        .collect())
}
