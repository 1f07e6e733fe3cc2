//! A chunk of rows compared with the register: a project or asset registered before
//! with the same values is unchanged; one registered with other values is a
//! `conflicts_with_register` error (changes to registered assets go through the
//! ledger); one not registered is new. A code registered outside the importer's scope
//! is `out_of_scope`, and none of that registration's values is shown.

use std::collections::{HashMap, HashSet};

use super::error::{ErrorList, ImportFailure, RowError};
use super::read::field::{asset_values, project_value, Field, EMPTY};
use super::read::header::Layout;
use crate::db::DbConnection;
use crate::domain::codes::code_key;
use crate::domain::Scope;
use crate::register::scope::{holds_asset, holds_project};
use crate::register::store::{AssetRow, ProjectRow};
use crate::register::{AssetRecord, ProjectRecord};

/// How a project or asset of the file compares with the register.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Not registered: the import registers it.
    New,
    /// Registered with the same values.
    Unchanged,
    /// Registered with other values, or outside the importer's scope (the errors are
    /// listed).
    Conflicts,
}

/// The projects and assets of the register that a chunk of rows names.
#[derive(Debug, Default)]
pub struct Registered {
    projects: HashMap<String, ProjectRecord>,
    assets: HashMap<String, AssetRecord>,
    /// The code keys of those registered outside the importer's scope.
    outside: HashSet<String>,
}

impl Registered {
    /// Looks up the projects and assets with these codes, in one query each, and which
    /// of them lie outside `scope`.
    ///
    /// Fails when a query fails or a stored row is not valid.
    pub fn look_up(
        conn: &mut DbConnection,
        scope: &Scope,
        project_codes: &[&str],
        asset_codes: &[&str],
    ) -> Result<Self, ImportFailure> {
        let keys = |codes: &[&str]| codes.iter().map(|c| code_key(c)).collect::<Vec<_>>();
        let mut outside = HashSet::new();
        let mut projects = HashMap::new();
        for row in ProjectRow::find_by_keys(conn, &keys(project_codes), project_codes)? {
            let record = row.to_record()?;
            if !holds_project(scope, &row) {
                outside.insert(record.code.key());
            }
            projects.insert(record.code.key(), record);
        }
        let mut assets = HashMap::new();
        for row in AssetRow::find_by_keys(conn, &keys(asset_codes), asset_codes)? {
            let record = row.to_record()?;
            if !holds_asset(scope, &row) {
                outside.insert(record.code.key());
            }
            assets.insert(record.code.key(), record);
        }
        Ok(Registered {
            projects,
            assets,
            outside,
        })
    }

    /// Compares `project`, on the row at `line`, with the register; a difference in
    /// any field is an error in `errors`, in that field's column of `layout`.
    pub fn compare_project(
        &self,
        layout: &Layout,
        line: u64,
        project: &ProjectRecord,
        errors: &mut ErrorList,
    ) -> Verdict {
        let code = project.code.as_str();
        let Some(registered) = self.projects.get(&project.code.key()) else {
            return Verdict::New;
        };
        if self.outside.contains(&project.code.key()) {
            errors.push(registered_elsewhere(
                layout,
                line,
                Field::ProjectCode,
                "项目",
                code,
            ));
            return Verdict::Conflicts;
        }
        // A look-alike of the registered code is a conflict in the code's column first.
        let look_alike = (registered.code != project.code).then(|| {
            (
                Field::ProjectCode,
                registered.code.to_string(),
                project.code.to_string(),
            )
        });
        let differences =
            look_alike
                .into_iter()
                .chain(
                    Field::project_details()
                        .iter()
                        .copied()
                        .filter_map(|field| {
                            let (a, b) = (
                                project_value(registered, field),
                                project_value(project, field),
                            );
                            (a != b).then_some((field, a, b))
                        }),
                );
        let what = format!("项目 {code}");
        verdict(layout, line, differences, errors, &what, "")
    }

    /// Compares `asset`, on the row at `line`, with the register; a difference in any
    /// field is an error in `errors`, in that field's column of `layout`.
    pub fn compare_asset(
        &self,
        layout: &Layout,
        line: u64,
        asset: &AssetRecord,
        errors: &mut ErrorList,
    ) -> Verdict {
        let Some(registered) = self.assets.get(&asset.code.key()) else {
            return Verdict::New;
        };
        if self.outside.contains(&asset.code.key()) {
            let code = asset.code.as_str();
            errors.push(registered_elsewhere(
                layout,
                line,
                Field::AssetCode,
                "资产",
                code,
            ));
            return Verdict::Conflicts;
        }
        // ID and phone numbers are compared whole but shown masked: the messages are
        // kept with the batch, which readers may see.
        let shown = |field: Field, value: String| match field {
            _ if value == EMPTY => value,
            Field::OwnerIdNumber => crate::domain::id_number::mask(&value),
            Field::Phone => crate::ledger::entry::personal::mask_phone(&value),
            _ => value,
        };
        let look_alike = (registered.code != asset.code).then(|| {
            (
                Field::AssetCode,
                registered.code.to_string(),
                asset.code.to_string(),
            )
        });
        let differences = look_alike.into_iter().chain(
            asset_values(registered)
                .into_iter()
                .zip(asset_values(asset))
                .filter(|((_, a), (_, b))| a != b)
                .map(|((field, a), (_, b))| (field, shown(field, a), shown(field, b))),
        );
        let what = format!("资产 {}", asset.code);
        verdict(layout, line, differences, errors, &what, ASSET_CHANGES)
    }
}

/// The error `out_of_scope` for a code registered outside the importer's scope, in the
/// code's column: it says no more than that the code is taken.
fn registered_elsewhere(
    layout: &Layout,
    line: u64,
    field: Field,
    what: &str,
    code: &str,
) -> RowError {
    RowError::cell(
        line,
        layout.header_of(field),
        "out_of_scope",
        format!("{what}编号“{code}”已在本账号范围以外登记，不能由本账号导入；未写入任何数据"),
    )
}

/// Where a change to a registered asset belongs, said after each of its conflicts.
const ASSET_CHANGES: &str = "；已登记资产的变更请记入管护台账";

/// Unchanged when there are no `differences` (field, registered value, file value);
/// otherwise each is a `conflicts_with_register` error in `errors`, at `line` in the
/// field's column, saying that `what` (项目 XP-1) is registered with the one value, the
/// file has the other, and then `advice`.
fn verdict(
    layout: &Layout,
    line: u64,
    differences: impl Iterator<Item = (Field, String, String)>,
    errors: &mut ErrorList,
    what: &str,
    advice: &str,
) -> Verdict {
    let mut verdict = Verdict::Unchanged;
    for (field, registered, file) in differences {
        verdict = Verdict::Conflicts;
        let mut error = RowError::cell(
            line,
            layout.header_of(field),
            "conflicts_with_register",
            format!(
                "{what} 已登记，“{}”登记为“{registered}”，文件中为“{file}”{advice}",
                field.chinese()
            ),
        );
        error.registered_value = Some(registered);
        error.file_value = Some(file);
        errors.push(error);
    }
    verdict
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::MoneyUnit;

    #[test]
    fn each_conflict_names_the_field_and_both_values() {
        let header = ["项目编号", "项目名称", "项目年度", "镇街", "项目资金"];
        let layout = Layout::from_header(2, &header, Some(MoneyUnit::Yuan)).expect("header");
        let mut errors = ErrorList::default();
        let differences = [(Field::ProjectName, "旧名".to_owned(), "新名".to_owned())];
        let found = verdict(
            &layout,
            5,
            differences.into_iter(),
            &mut errors,
            "项目 XP-1",
            "",
        );
        assert_eq!(found, Verdict::Conflicts);
        let unchanged = verdict(&layout, 6, std::iter::empty(), &mut errors, "资产 A-1", "");
        assert_eq!(unchanged, Verdict::Unchanged);
        let differences = [(Field::Town, "东镇".to_owned(), "西镇".to_owned())];
        verdict(
            &layout,
            7,
            differences.into_iter(),
            &mut errors,
            "资产 A-1",
            ASSET_CHANGES,
        );
        let messages: Vec<(Option<u64>, &str)> = errors
            .listed()
            .iter()
            .map(|e| (e.line, e.message.as_str()))
            .collect();
        assert_eq!(
            messages,
            [
                (Some(5), "项目 XP-1 已登记，“项目名称”登记为“旧名”，文件中为“新名”"),
                (
                    Some(7),
                    "资产 A-1 已登记，“镇街”登记为“东镇”，文件中为“西镇”；已登记资产的变更请记入管护台账"
                ),
            ]
        );
        assert_eq!(errors.listed()[1].registered_value.as_deref(), Some("东镇"));
        assert_eq!(errors.listed()[1].file_value.as_deref(), Some("西镇"));
    }
}
