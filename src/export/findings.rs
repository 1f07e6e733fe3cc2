//! The findings export: each finding with the asset or project it names, with Chinese
//! headers and labels, for clerks to work through.

use std::io::Write;

use super::{csv_writer, neutralise, ExportEncoding, ExportError};
use crate::db::DbConnection;
use crate::domain::{AssetClass, Scope, Vocabulary};
use crate::paging::{Cursor, Limit};
use crate::reconcile::findings::{finding_label, page, FindingKey, FindingKind};
use crate::register::query::{assets_with_codes, projects_with_codes};

/// The header of the findings export.
pub const FINDINGS_HEADER: [&str; 10] = [
    "发现类别",
    "资产编号",
    "资产名称",
    "资产类别",
    "项目编号",
    "项目名称",
    "镇街",
    "村",
    "管护主体",
    "说明",
];

/// How many findings are looked up together.
const FINDINGS_PER_LOOKUP: u16 = 500;

/// Writes the findings of `kind` (or of every kind) about the register in `scope`, in
/// the order the API lists them, a page at a time (memory bounded by a page): one row each, with its kind's Chinese name and the
/// asset (name, class, custodian) or project it names, where it is, and what is wrong.
///
/// Fails when the database fails or the output cannot be written.
pub fn write_findings(
    conn: &mut DbConnection,
    scope: &Scope,
    kind: Option<FindingKind>,
    encoding: ExportEncoding,
    out: &mut dyn Write,
) -> Result<u64, ExportError> {
    let mut writer = csv_writer(encoding, out)?;
    writer.write_record(FINDINGS_HEADER)?;
    let mut written = 0u64;
    let mut after: Option<Cursor<FindingKey>> = None;
    loop {
        let found = page(
            conn,
            scope,
            kind,
            after.as_ref(),
            Limit::fixed(FINDINGS_PER_LOOKUP),
        )?;
        let chunk = found.items.as_slice();
        let asset_codes: Vec<&str> = chunk
            .iter()
            .filter_map(|f| f.asset_code.as_deref())
            .collect();
        let assets = assets_with_codes(conn, scope, &asset_codes)?;
        let mut project_codes: Vec<&str> = chunk
            .iter()
            .filter_map(|f| f.project_code.as_deref())
            .chain(assets.iter().map(|a| a.project_code.as_str()))
            .collect();
        project_codes.sort_unstable();
        project_codes.dedup();
        let projects = projects_with_codes(conn, scope, &project_codes)?;
        for finding in chunk {
            let asset = finding
                .asset_code
                .as_deref()
                .and_then(|code| assets.iter().find(|a| a.code == code));
            let project_code = finding
                .project_code
                .as_deref()
                .or(asset.map(|a| a.project_code.as_str()));
            let project = project_code.and_then(|code| projects.iter().find(|p| p.code == code));
            let class = asset.map_or("", |a| {
                AssetClass::parse(&a.class).map_or("", |class| class.label())
            });
            let (town, village) = match (asset, project) {
                (Some(a), _) => (a.town.as_str(), a.village.as_deref()),
                (None, Some(p)) => (p.town.as_str(), p.village.as_deref()),
                (None, None) => ("", None),
            };
            writer.write_record([
                finding_label(finding.kind).to_owned(),
                neutralise(finding.asset_code.as_deref().unwrap_or_default()),
                neutralise(asset.map_or("", |a| a.name.as_str())),
                class.to_owned(),
                neutralise(project_code.unwrap_or_default()),
                neutralise(project.map_or("", |p| p.name.as_str())),
                neutralise(town),
                neutralise(village.unwrap_or_default()),
                neutralise(
                    asset
                        .and_then(|a| a.custodian.as_deref())
                        .unwrap_or_default(),
                ),
                neutralise(&finding.detail),
            ])?;
            written += 1;
        }
        match found.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    writer.flush()?;
    Ok(written)
}
