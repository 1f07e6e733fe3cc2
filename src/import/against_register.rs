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
        let mut verdict = Verdict::Unchanged;
        for (field, registered_value, file_value) in differences {
            verdict = Verdict::Conflicts;
            let message = format!(
                "项目 {code} 已登记，“{}”登记为“{registered_value}”，文件中为“{file_value}”",
                field.chinese()
            );
            errors.push(conflict(
                layout,
                line,
                field,
                message,
                registered_value,
                file_value,
            ));
        }
        verdict
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
        let mut verdict = Verdict::Unchanged;
        for (field, registered_value, file_value) in differences {
            verdict = Verdict::Conflicts;
            let message = format!(
                "资产 {} 已登记，“{}”登记为“{registered_value}”，文件中为“{file_value}”；已登记资产的变更请记入管护台账",
                asset.code,
                field.chinese()
            );
            errors.push(conflict(
                layout,
                line,
                field,
                message,
                registered_value,
                file_value,
            ));
        }
        verdict
    }
}

/// A `conflicts_with_register` error with both values.
fn conflict(
    layout: &Layout,
    line: u64,
    field: Field,
    message: String,
    registered: String,
    file: String,
) -> RowError {
    let mut error = RowError::cell(
        line,
        layout.header_of(field),
        "conflicts_with_register",
        message,
    );
    error.registered_value = Some(registered);
    error.file_value = Some(file);
    error
}
