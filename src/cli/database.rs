//! The register a command works on (the one `--database` names, or a backup), opened.

use crate::db::Db;

/// Opens the register at `database` for the command `purpose` (how `restore` names
/// this process while it holds the register), migrating it, with a pool of 8
/// connections.
///
/// Fails with the reason as text when it cannot be opened or migrated.
pub(super) fn open(database: &str, purpose: &str) -> Result<Db, String> {
    Db::open_for(database, 8, purpose).map_err(|e| e.to_string())
}
