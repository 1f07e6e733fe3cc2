//! The finding `not_stocktaken`: a live asset that the last closed stock-take covering
//! it left without a result.

use diesel::prelude::*;
use diesel::sql_types::Text;

use super::ledger_rows::Place;

use crate::db::DbConnection;

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
    #[diesel(embed)]
    place: Place,
}

/// One asset a closed stock-take left unchecked.
pub(super) struct NotStocktaken {
    /// The asset's code.
    pub code: String,
    /// Its town, village and project's department.
    pub place: Place,
    /// What the finding says.
    pub detail: String,
}

/// Every asset meeting `condition` (SQL on the asset row aliased `a`, e.g. its scope),
/// not disposed, that the latest closed campaign covering it (by closing time) left
/// unchecked: one each, by code.
///
/// Fails when the query fails.
pub(super) fn not_stocktaken(
    conn: &mut DbConnection,
    condition: &str,
) -> QueryResult<Vec<NotStocktaken>> {
    let mut rows: Vec<Unchecked> = diesel::sql_query(format!(
        "SELECT a.code AS code, a.name AS name, s.name AS campaign, COALESCE(s.closed_on, '') AS closed_on, \
         a.town AS town, a.village AS village, p.department AS department \
         FROM stocktake_assets sa JOIN stocktakes s ON s.id = sa.stocktake_id \
         JOIN assets a ON a.id = sa.asset_id JOIN projects p ON p.code = a.project_code \
         WHERE s.status = 'closed' AND sa.result IS NULL AND a.status <> 'disposed' AND {condition} \
         AND NOT EXISTS (SELECT 1 FROM stocktake_assets sb JOIN stocktakes t ON t.id = sb.stocktake_id \
             WHERE sb.asset_id = sa.asset_id AND t.status = 'closed' \
             AND (t.closed_at > s.closed_at OR (t.closed_at = s.closed_at AND t.id > s.id)))",
    ))
    .load(conn)?;
    rows.sort_by(|a, b| a.code.cmp(&b.code));
    rows.dedup_by(|a, b| a.code == b.code);
    Ok(rows
        .into_iter()
        .map(|r| NotStocktaken {
            detail: format!(
                "资产“{}”在 {} 结束的盘点“{}”中未盘点",
                r.name, r.closed_on, r.campaign
            ),
            code: r.code,
            place: r.place,
        })
        .collect())
}
