//! The register a command works on (the one `--database` names, or a backup), opened:
//! created when missing only by the commands that may create one (`serve`, `import`).

use crate::db::Db;

/// Opens the register at `database`, creating and migrating it, with a pool of 8
/// connections. Only `serve` and `import` call this.
///
/// Fails with the reason as text when it cannot be opened or migrated.
pub(super) fn open_or_create(database: &str) -> Result<Db, String> {
    Db::open(database, 8).map_err(|e| e.to_string())
}

/// Opens the register at `database`, which must exist, migrating it.
///
/// Fails with a message naming the file when a SQLite register is not there, and with
/// the reason when it cannot be opened or migrated.
pub(super) fn open(database: &str) -> Result<Db, String> {
    Db::open_existing(database, 8).map_err(|e| e.to_string())
}
