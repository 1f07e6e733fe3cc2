//! Every maintained total recomputed from the rows and compared with the stored one:
//! the register's and each class's (`register::summary`), then every figure by group
//! (`register::figures`), every rollup by scope and grouping (`register::rollups`) and
//! every figure by date (`register::dated`).

use crate::db::DbConnection;
use crate::domain::{AssetClass, Vocabulary};
use crate::register::summary::{class_index, Summary};
use crate::register::{dated, figures, rollups};

/// The first maintained figure that differs from its recomputation, and the problem
/// in Chinese; `None` when all agree.
///
/// Fails only when the database fails.
pub(super) fn compare(conn: &mut DbConnection) -> diesel::QueryResult<Option<(String, String)>> {
    let kept = Summary::load(conn)?;
    let again = Summary::recompute(conn)?;
    let difference = match first_difference(&kept, &again) {
        Some(difference) => Some(difference),
        None => match figures::compare(conn)? {
            Some(found) => Some(found),
            None => match rollups::compare(conn, &figures::recomputed_sql())? {
                Some(found) => Some(found),
                None => dated::compare(conn)?,
            },
        }
        .map(|(figure, kept, again)| (figure, kept.to_string(), again.to_string())),
    };
    Ok(difference.map(|(figure, kept, again)| {
        let problem =
            format!("维护的合计 {figure} 为 {kept}，而按资产和项目重算为 {again}（合计表被改动）");
        (figure, problem)
    }))
}

fn first_difference(kept: &Summary, again: &Summary) -> Option<(String, String, String)> {
    let overall = |s: &Summary| -> [(&'static str, String); 8] {
        [
            ("projects", s.overall.projects.to_string()),
            ("funds_fen", s.overall.funds_fen.to_string()),
            ("assets", s.overall.assets.to_string()),
            ("value_fen", s.overall.value_fen.to_string()),
            (
                "unclassified_projects",
                s.overall.unclassified_projects.to_string(),
            ),
            (
                "unclassified_funds_fen",
                s.overall.unclassified_funds_fen.to_string(),
            ),
            ("last_registered_on", s.last_registered_on.clone()),
            ("last_value_event_on", s.last_value_event_on.clone()),
        ]
    };
    for ((name, a), (_, b)) in overall(kept).into_iter().zip(overall(again)) {
        if a != b {
            return Some((format!("register_summary.{name}"), a, b));
        }
    }
    for &class in AssetClass::ALL {
        let (a, b) = (
            kept.classes[class_index(class)],
            again.classes[class_index(class)],
        );
        let figures = [
            ("projects", a.projects, b.projects),
            ("assets", a.assets, b.assets),
            ("funds_fen", a.funds_fen, b.funds_fen),
            ("value_fen", a.value_fen, b.value_fen),
        ];
        if let Some((name, a, b)) = figures.into_iter().find(|(_, a, b)| a != b) {
            return Some((
                format!("class_summary.{}.{name}", class.as_str()),
                a.to_string(),
                b.to_string(),
            ));
        }
    }
    None
}
