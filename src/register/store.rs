//! Database rows of projects and assets, and the queries the register runs on them.

use diesel::prelude::*;

use super::record::{AssetDetails, AssetRecord, Owner, ProjectRecord};
pub use crate::db::rows::{AssetRow, ProjectRow};
use crate::db::schema::{assets, projects};
use crate::db::DbConnection;
use crate::domain::{
    AssetClass, AssetCode, AssetStatus, BusinessDate, IdNumber, OwnerType, ProjectCode, Quantity,
    Vocabulary, Year, Yuan,
};

/// A stored value that the domain types refuse: the database was changed behind the
/// application's back.
#[derive(Debug, thiserror::Error)]
#[error("stored {table} row {key} has an invalid {field}: {value:?}")]
pub struct CorruptRow {
    table: &'static str,
    key: String,
    field: &'static str,
    value: String,
}

impl ProjectRow {
    /// A row for a new project registered by `batch_id` at `now`.
    pub fn new(record: &ProjectRecord, batch_id: &str, now: &str) -> Self {
        ProjectRow {
            code: record.code.to_string(),
            name: record.name.clone(),
            year: record.year.get(),
            town: record.town.clone(),
            village: record.village.clone(),
            funds_fen: record.funds.fen(),
            funding_source: record.funding_source.clone(),
            batch_id: batch_id.to_owned(),
            created_at: now.to_owned(),
            code_key: Some(record.code.key()),
            department: record.department.clone(),
            funds_central_fen: record.funding[0].map(Yuan::fen),
            funds_provincial_fen: record.funding[1].map(Yuan::fen),
            funds_local_fen: record.funding[2].map(Yuan::fen),
            funds_integrated_fen: record.funding[3].map(Yuan::fen),
            funds_sector_fen: record.funding[4].map(Yuan::fen),
            funds_social_fen: record.funding[5].map(Yuan::fen),
            funds_other_fen: record.funding[6].map(Yuan::fen),
        }
    }

    /// The amount from each funding channel, in fen, in the order of
    /// [`FundingChannel::ALL`](crate::domain::FundingChannel).
    pub fn funding_fen(&self) -> [Option<i64>; 7] {
        [
            self.funds_central_fen,
            self.funds_provincial_fen,
            self.funds_local_fen,
            self.funds_integrated_fen,
            self.funds_sector_fen,
            self.funds_social_fen,
            self.funds_other_fen,
        ]
    }

    /// The project as a record.
    ///
    /// Fails when a stored value is not valid for its domain type.
    pub fn to_record(&self) -> Result<ProjectRecord, CorruptRow> {
        let corrupt = |field: &'static str, value: String| CorruptRow {
            table: "projects",
            key: self.code.clone(),
            field,
            value,
        };
        Ok(ProjectRecord {
            code: ProjectCode::from_stored(&self.code),
            name: self.name.clone(),
            year: Year::new(self.year).ok_or_else(|| corrupt("year", self.year.to_string()))?,
            town: self.town.clone(),
            village: self.village.clone(),
            funds: Yuan::from_fen(self.funds_fen)
                .ok_or_else(|| corrupt("funds_fen", self.funds_fen.to_string()))?,
            funding_source: self.funding_source.clone(),
            department: self.department.clone(),
            funding: {
                let mut funding = [None; 7];
                for (slot, fen) in funding.iter_mut().zip(self.funding_fen()) {
                    *slot = match fen {
                        Some(fen) => Some(
                            Yuan::from_fen(fen)
                                .ok_or_else(|| corrupt("funds_channel_fen", fen.to_string()))?,
                        ),
                        None => None,
                    };
                }
                funding
            },
        })
    }

    /// The registered projects whose code has one of `keys` (see
    /// [`code_key`](crate::domain::codes::code_key)), or is one of `codes`.
    ///
    /// Fails when the query fails.
    pub fn find_by_keys(
        conn: &mut DbConnection,
        keys: &[String],
        codes: &[&str],
    ) -> QueryResult<Vec<ProjectRow>> {
        projects::table
            .filter(
                projects::code_key
                    .eq_any(keys)
                    .or(projects::code.eq_any(codes)),
            )
            .select(ProjectRow::as_select())
            .load(conn)
    }

    /// Registers new projects in one statement.
    ///
    /// Fails when a code is already registered or the insert fails.
    pub fn insert_all(conn: &mut DbConnection, rows: &[ProjectRow]) -> QueryResult<usize> {
        crate::db::bulk::insert_projects(conn, rows)
    }
}

impl AssetRow {
    /// A row for a new asset of `project` registered by `batch_id` at `now` with its
    /// first ledger entry (`last_seq`, dated `registered_on`).
    pub fn new(
        id: &str,
        record: &AssetRecord,
        project: &ProjectRecord,
        batch_id: &str,
        entry: (i64, &str),
        now: &str,
    ) -> Self {
        let (last_seq, registered_on) = entry;
        AssetRow {
            id: id.to_owned(),
            code: record.code.to_string(),
            project_code: record.project_code.to_string(),
            name: record.name.clone(),
            class: record.class.as_str().to_owned(),
            quantity: record.quantity.as_ref().map(ToString::to_string),
            unit: record.unit.clone(),
            value_fen: record.value.fen(),
            owner_name: record.owner.name.clone(),
            owner_type: record.owner.owner_type.as_str().to_owned(),
            owner_id_number: record.owner.id_number.as_ref().map(ToString::to_string),
            custodian: record.custodian.clone(),
            status: record.status.as_str().to_owned(),
            confirmed_on: record.confirmed_on.map(|d| d.to_string()),
            certificate_no: record.certificate_no.clone(),
            town: record.town.clone(),
            village: record.village.clone(),
            batch_id: batch_id.to_owned(),
            last_seq,
            created_at: now.to_owned(),
            income_fen: 0,
            distributed_fen: 0,
            registered_on: registered_on.to_owned(),
            has_value_events: 0,
            code_key: Some(record.code.key()),
            condition: record.details.condition.map(|c| c.as_str().to_owned()),
            operating_mode: record.details.operating_mode.map(|m| m.as_str().to_owned()),
            details: details_json(&record.details),
            project_year: project.year.get(),
            project_department: project.department.clone(),
        }
    }

    /// The asset's 台账 columns as stored.
    ///
    /// Fails when the stored JSON does not read back.
    pub fn details(&self) -> Result<AssetDetails, CorruptRow> {
        match &self.details {
            Some(text) => serde_json::from_str(text).map_err(|_| CorruptRow {
                table: "assets",
                key: self.code.clone(),
                field: "details",
                value: text.clone(),
            }),
            None => Ok(AssetDetails::default()),
        }
    }

    /// Whether the row holds personal data (the owner's ID number, or a 联系电话 among
    /// its details, as far as they read back): what a response that shows the row whole
    /// must record in the access log.
    pub fn carries_personal(&self) -> bool {
        self.owner_id_number.is_some() || self.details().is_ok_and(|d| d.phone.is_some())
    }

    /// The asset's current state as a record.
    ///
    /// Fails when a stored value is not valid for its domain type.
    pub fn to_record(&self) -> Result<AssetRecord, CorruptRow> {
        let corrupt = |field: &'static str, value: &str| CorruptRow {
            table: "assets",
            key: self.code.clone(),
            field,
            value: value.to_owned(),
        };
        let optional_date = |field: &'static str, value: &Option<String>| match value {
            Some(text) => BusinessDate::stored(text)
                .map(Some)
                .ok_or_else(|| corrupt(field, text)),
            None => Ok(None),
        };
        Ok(AssetRecord {
            code: AssetCode::from_stored(&self.code),
            project_code: ProjectCode::from_stored(&self.project_code),
            name: self.name.clone(),
            class: AssetClass::parse(&self.class).ok_or_else(|| corrupt("class", &self.class))?,
            quantity: match &self.quantity {
                Some(q) => Some(Quantity::parse(q).map_err(|_| corrupt("quantity", q))?),
                None => None,
            },
            unit: self.unit.clone(),
            value: Yuan::from_fen(self.value_fen)
                .ok_or_else(|| corrupt("value_fen", &self.value_fen.to_string()))?,
            owner: Owner {
                name: self.owner_name.clone(),
                owner_type: OwnerType::parse(&self.owner_type)
                    .ok_or_else(|| corrupt("owner_type", &self.owner_type))?,
                id_number: match &self.owner_id_number {
                    Some(id) => {
                        Some(IdNumber::parse(id).map_err(|_| corrupt("owner_id_number", id))?)
                    }
                    None => None,
                },
            },
            custodian: self.custodian.clone(),
            status: AssetStatus::parse(&self.status)
                .ok_or_else(|| corrupt("status", &self.status))?,
            confirmed_on: optional_date("confirmed_on", &self.confirmed_on)?,
            certificate_no: self.certificate_no.clone(),
            town: self.town.clone(),
            village: self.village.clone(),
            details: self.details()?,
        })
    }

    /// The registered assets whose code has one of `keys` (see
    /// [`code_key`](crate::domain::codes::code_key)), or is one of `codes`.
    ///
    /// Fails when the query fails.
    pub fn find_by_keys(
        conn: &mut DbConnection,
        keys: &[String],
        codes: &[&str],
    ) -> QueryResult<Vec<AssetRow>> {
        assets::table
            .filter(assets::code_key.eq_any(keys).or(assets::code.eq_any(codes)))
            .select(AssetRow::as_select())
            .load(conn)
    }

    /// Registers new assets in one statement, holding the names a search as of a date
    /// finds them by (their own and their registered owner's: see
    /// [`crate::ledger::search_names`]).
    ///
    /// Fails when a code is already registered or the insert fails.
    pub fn insert_all(conn: &mut DbConnection, rows: &[AssetRow]) -> QueryResult<usize> {
        let inserted = crate::db::bulk::insert_assets(conn, rows)?;
        crate::ledger::search_names::hold_registered(
            conn,
            rows.iter()
                .map(|a| (a.id.as_str(), a.name.as_str(), a.owner_name.as_str())),
        )?;
        Ok(inserted)
    }
}

/// The `details` column of an asset with these 台账 columns: `None` when none is filled.
pub fn details_json(details: &AssetDetails) -> Option<String> {
    if details.is_empty() {
        return None;
    }
    // Serializing a struct of strings, numbers and enums cannot fail.
    serde_json::to_string(details).ok()
}

/// Whether the register holds no project yet (so an import need not look anything up).
///
/// Fails when the query fails.
pub fn register_is_empty(conn: &mut DbConnection) -> QueryResult<bool> {
    let first: Option<String> = projects::table
        .select(projects::code)
        .first(conn)
        .optional()?;
    Ok(first.is_none())
}
