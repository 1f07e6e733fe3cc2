//! Storage: the connection type over SQLite and PostgreSQL, the pool, migrations,
//! backups and the schema.

pub mod backup;
pub mod pool;
pub mod schema;

pub use pool::{Backend, Db, DbConnection, DbError, Pool};
