//! The register: projects and the assets they formed, as records, database rows and
//! the queries over them (totals).

pub mod created;
pub mod dated;
pub mod figures;
pub mod public;
pub mod query;
pub mod record;
pub mod rollups;
pub mod scope;
pub mod store;
pub mod summary;
pub mod totals;

pub use record::{AssetDetails, AssetRecord, FundingSplit, Owner, ProjectRecord};
