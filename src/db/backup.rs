//! Backups of a SQLite register: a consistent copy taken while the register serves
//! (`VACUUM INTO` reads one snapshot), and its restoration in place of a stopped one.

use std::path::Path;

use diesel::connection::SimpleConnection;

use super::{DbConnection, DbError};

/// Why a backup or restore failed.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbError),
    /// A file could not be read or written.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The target exists and `force` was not given.
    #[error("{0} 已存在；确认服务已停止后加 --force 覆盖")]
    TargetExists(String),
}

/// Writes a consistent copy of the SQLite database behind `conn` to `file`.
///
/// Fails when `file` exists or the copy cannot be written.
pub fn sqlite_backup(conn: &mut DbConnection, file: &Path) -> Result<(), BackupError> {
    let path = file.to_string_lossy().replace('\'', "''");
    conn.batch_execute(&format!("VACUUM INTO '{path}'"))
        .map_err(|e| BackupError::Db(DbError::Query(e)))
}

/// Puts the backup `file` in place of the database at `target` (with no WAL left over).
///
/// Fails when `target` exists and `force` is false, or a file cannot be copied.
pub fn sqlite_restore(file: &Path, target: &Path, force: bool) -> Result<(), BackupError> {
    if target.exists() && !force {
        return Err(BackupError::TargetExists(target.display().to_string()));
    }
    if let Some(folder) = target.parent().filter(|f| !f.as_os_str().is_empty()) {
        std::fs::create_dir_all(folder)?;
    }
    let staging = target.with_extension("restoring");
    std::fs::copy(file, &staging)?;
    for suffix in ["-wal", "-shm"] {
        let side = format!("{}{suffix}", target.display());
        if Path::new(&side).exists() {
            std::fs::remove_file(side)?;
        }
    }
    std::fs::rename(&staging, target)?;
    Ok(())
}
