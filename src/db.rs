//! Storage, and every difference between the two engines: the connection type over
//! SQLite and PostgreSQL, the pool and migrations, the rows written in bulk and how
//! each engine loads them, bulk-load tuning, read snapshots, backups, and the schema.
//! No module outside `db` names a backend.

pub mod attachment_rows;
pub mod backup;
pub mod bulk;
pub mod bulk_load;
pub mod code_keys;
pub mod failure;
pub mod finding_rows;
pub mod holders;
pub mod migrate_to;
pub mod name_search;
pub mod pool;
pub mod read;
pub mod rows;
pub mod schema;
pub mod seek;
pub mod stocktake_rows;
pub mod tls;

pub use failure::lock_not_granted;
pub(crate) use pool::db_variant_from_query;
pub use pool::{lift_statement_timeout, Backend, Db, DbConnection, DbError, Pool};
pub use read::{columns_of, first_cached, read_snapshot};
