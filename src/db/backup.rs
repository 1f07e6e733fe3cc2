//! Backups: on SQLite a consistent copy taken while the register serves (`VACUUM INTO`
//! reads one snapshot) and its restoration in place of a register no process holds
//! open; on PostgreSQL the advice to use the engine's own tools, once no process of
//! this program is connected.

use std::path::{Path, PathBuf};

use diesel::connection::SimpleConnection;

use super::holders::{self, Holder};
use super::pool::{Backend, DbConnection, DbError, SQLITE_PREFIX};

/// How to back up and restore a PostgreSQL register.
const PG_DUMP_ADVICE: &str = "PostgreSQL 数据库请用 pg_dump/pg_restore 备份与恢复，例如：\n  pg_dump --format=custom --file=registry.dump \"$DATABASE_URL\"\n  pg_restore --clean --if-exists --dbname=\"$DATABASE_URL\" registry.dump";

/// Why a backup or restore failed.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbError),
    /// A file could not be read or written.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The backup file exists already.
    #[error("{0} 已存在，请换一个文件名")]
    BackupExists(String),
    /// The restore target exists and `force` was not given.
    #[error("{0} 已存在；确认服务已停止后加 --force 覆盖")]
    TargetExists(String),
    /// Other processes hold the register open: replacing it under them would lose
    /// the writes they acknowledge afterwards.
    #[error("{}", in_use(.0))]
    InUse(Vec<Holder>),
    /// The register is on PostgreSQL, which has its own tools.
    #[error("{PG_DUMP_ADVICE}")]
    UsePgDump,
}

/// The refusal of a restore while `holders` hold the register open, naming each.
fn in_use(holders: &[Holder]) -> String {
    let mut text = "仍有进程打开着登记库，未恢复（恢复会让它们此后确认的写入落进被替换的文件而丢失）；请先停止：".to_owned();
    for holder in holders {
        text.push_str("\n  ");
        text.push_str(&holder.to_string());
    }
    text
}

/// Writes a consistent copy of the SQLite database behind `conn` to `file`.
///
/// Fails on PostgreSQL (with the advice to use `pg_dump`), when `file` exists, or when
/// the copy cannot be written.
pub fn backup(conn: &mut DbConnection, file: &Path) -> Result<(), BackupError> {
    if conn.backend() != Backend::Sqlite {
        return Err(BackupError::UsePgDump);
    }
    if file.exists() {
        return Err(BackupError::BackupExists(file.display().to_string()));
    }
    let path = file.to_string_lossy().replace('\'', "''");
    conn.batch_execute(&format!("VACUUM INTO '{path}'"))
        .map_err(|e| BackupError::Db(DbError::Query(e)))
}

/// The file a backup of the register at `url` is restored to.
///
/// Fails for a PostgreSQL URL: with the other processes of this program connected to
/// the database (stop them before `pg_restore`), else with the advice to use
/// `pg_restore`.
pub fn restore_target(url: &str) -> Result<PathBuf, BackupError> {
    match Backend::of_url(url) {
        Backend::Postgres => {
            let holders = holders::postgres_holders(url)?;
            if holders.is_empty() {
                Err(BackupError::UsePgDump)
            } else {
                Err(BackupError::InUse(holders))
            }
        }
        Backend::Sqlite => Ok(PathBuf::from(
            url.strip_prefix(SQLITE_PREFIX).unwrap_or(url),
        )),
    }
}

/// Puts the backup `file` in place of the SQLite database at `target` (with no WAL
/// left over).
///
/// Fails when `target` exists and `force` is false, while any process holds it open
/// (naming each), or when a file cannot be copied.
pub fn restore(file: &Path, target: &Path, force: bool) -> Result<(), BackupError> {
    if target.exists() && !force {
        return Err(BackupError::TargetExists(target.display().to_string()));
    }
    if let Some(folder) = target.parent().filter(|f| !f.as_os_str().is_empty()) {
        std::fs::create_dir_all(folder)?;
    }
    // Held until the copy is in place: no server can open the register meanwhile.
    let _alone = holders::take_alone(target).map_err(|refused| match refused {
        Ok(holders) => BackupError::InUse(holders),
        Err(e) => BackupError::Io(e),
    })?;
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
