//! The register a command works on (the one `--database` names, or a backup), opened:
//! created when missing only by the commands that may create one (`serve`, `import`).

use crate::db::Db;

/// Opens the register at `database` for the command `purpose` (how `restore` names
/// this process while it holds the register), creating and migrating it, with a pool
/// of 8 connections. Only `serve` and `import` call this.
///
/// Fails with the reason as text when it cannot be opened or migrated.
pub(super) fn open_or_create(database: &str, purpose: &str) -> Result<Db, String> {
    Db::open_for(database, 8, purpose).map_err(|e| e.to_string())
}

/// Opens the register at `database` for `serve` as [`open_or_create`] does, with the
/// server's statement timeout (the setting `statement_timeout` of `figment`).
///
/// Fails with the reason as text when it cannot be opened or migrated.
pub(super) fn open_for_serving(
    database: &str,
    figment: &rocket::figment::Figment,
) -> Result<Db, String> {
    let timeout = crate::db::pool::statement_timeout(figment);
    Db::open_with_timeout(database, 8, "serve", timeout).map_err(|e| e.to_string())
}

/// Opens the register at `database`, which must exist, for the command `purpose`,
/// migrating it.
///
/// Fails with a message naming the file when a SQLite register is not there, and with
/// the reason when it cannot be opened or migrated.
pub(super) fn open(database: &str, purpose: &str) -> Result<Db, String> {
    Db::open_existing(database, 8, purpose).map_err(|e| e.to_string())
}
