//! The kept findings (`reconcile::findings::maintain`) compared with their
//! recomputation from the register and the ledger.

use crate::db::DbConnection;
use crate::domain::Scope;
use crate::reconcile::findings::maintain;

/// The first finding on which the kept findings and their recomputation differ, named
/// (`findings.missing_custodian.A001`), and the problem in Chinese; `None` when they
/// agree.
///
/// Fails only when the database fails.
pub(super) fn compare(conn: &mut DbConnection) -> diesel::QueryResult<Option<(String, String)>> {
    Ok(maintain::compare(conn, &Scope::County)?.map(|(name, kept, again)| {
        let problem = match (kept, again) {
            (Some(kept), Some(again)) => format!(
                "维护的审计发现 {name} 为“{}”，而按台账和资产重算为“{}”（审计发现表被改动）",
                kept.detail, again.detail
            ),
            (Some(_), None) => {
                format!("维护的审计发现中有 {name}，而按台账和资产重算没有这一项（审计发现表被改动）")
            }
            _ => format!("维护的审计发现中缺少 {name}，而按台账和资产重算有这一项（审计发现表被改动）"),
        };
        (name, problem)
    }))
}
