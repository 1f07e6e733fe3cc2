//! A chunk of rows compared with the register: a project or asset registered before
//! with the same values is unchanged; one registered with other values is a
//! `conflicts_with_register` error (changes to registered assets go through the
//! ledger); one not registered is new.

use std::collections::HashMap;

use super::error::{ErrorList, ImportFailure, RowError};
use super::read::field::{asset_values, project_value, Field};
use super::read::header::Layout;
use crate::db::DbConnection;
use crate::register::store::{AssetRow, ProjectRow};
use crate::register::{AssetRecord, ProjectRecord};

/// How a project or asset of the file compares with the register.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Not registered: the import registers it.
    New,
    /// Registered with the same values.
    Unchanged,
    /// Registered with other values (the errors are listed).
    Conflicts,
}

/// The projects and assets of the register that a chunk of rows names.
#[derive(Debug, Default)]
pub struct Registered {
    projects: HashMap<String, ProjectRecord>,
    assets: HashMap<String, AssetRecord>,
}

impl Registered {
    /// Looks up the projects and assets with these codes, in one query each.
    ///
    /// Fails when a query fails or a stored row is not valid.
    pub fn look_up(
        conn: &mut DbConnection,
        project_codes: &[&str],
        asset_codes: &[&str],
    ) -> Result<Self, ImportFailure> {
        let projects = ProjectRow::find_by_codes(conn, project_codes)?
            .into_iter()
            .map(|r| r.to_record().map(|rec| (r.code, rec)))
            .collect::<Result<_, _>>()?;
        let assets = AssetRow::find_by_codes(conn, asset_codes)?
            .into_iter()
            .map(|r| r.to_record().map(|rec| (r.code, rec)))
            .collect::<Result<_, _>>()?;
        Ok(Registered { projects, assets })
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
        let Some(registered) = self.projects.get(code) else {
            return Verdict::New;
        };
        let differences = Field::PROJECT_DETAILS.into_iter().filter_map(|field| {
            let (a, b) = (
                project_value(registered, field),
                project_value(project, field),
            );
            (a != b).then_some((field, a, b))
        });
        verdict(
            layout,
            line,
            differences,
            errors,
            |field, registered, file| {
                format!(
                    "项目 {code} 已登记，“{}”登记为“{registered}”，文件中为“{file}”",
                    field.chinese()
                )
            },
        )
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
        let Some(registered) = self.assets.get(asset.code.as_str()) else {
            return Verdict::New;
        };
        // ID numbers are compared whole but shown masked: the messages are kept with
        // the batch, which readers may see.
        let shown = |field: Field, value: String| {
            if field == Field::OwnerIdNumber {
                crate::domain::id_number::mask(&value)
            } else {
                value
            }
        };
        let differences = asset_values(registered)
            .into_iter()
            .zip(asset_values(asset))
            .filter(|((_, a), (_, b))| a != b)
            .map(|((field, a), (_, b))| (field, shown(field, a), shown(field, b)));
        verdict(
            layout,
            line,
            differences,
            errors,
            |field, registered, file| {
                format!(
                "资产 {} 已登记，“{}”登记为“{registered}”，文件中为“{file}”；已登记资产的变更请记入管护台账",
                asset.code,
                field.chinese()
            )
            },
        )
    }
}

/// Unchanged when there are no `differences` (field, registered value, file value);
/// otherwise each is a `conflicts_with_register` error in `errors`, at `line` in the
/// field's column, with both values and the message `message` words.
fn verdict(
    layout: &Layout,
    line: u64,
    differences: impl Iterator<Item = (Field, String, String)>,
    errors: &mut ErrorList,
    message: impl Fn(Field, &str, &str) -> String,
) -> Verdict {
    let mut verdict = Verdict::Unchanged;
    for (field, registered, file) in differences {
        verdict = Verdict::Conflicts;
        let mut error = RowError::cell(
            line,
            layout.header_of(field),
            "conflicts_with_register",
            message(field, &registered, &file),
        );
        error.registered_value = Some(registered);
        error.file_value = Some(file);
        errors.push(error);
    }
    verdict
}
