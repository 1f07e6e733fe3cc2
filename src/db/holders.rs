//! Which processes hold the register open, so that `restore` never replaces a register
//! under a live server (whose acknowledged writes would go on into the replaced file).
//!
//! On SQLite every process that opens the register takes a shared lock on a lock file
//! beside it (`registry.sqlite3.lock`) for as long as it holds the register; a restore
//! takes it exclusively, and while it cannot, names the holders from `/proc` (the
//! processes with the lock file open: pid, command line, start time). On PostgreSQL
//! every connection names itself in `application_name` (`asset-registry serve (pid
//! 1234)`), and the holders are the other sessions of this program on the database in
//! `pg_stat_activity`.

use std::fmt;
use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset};
use diesel::sql_types::{Integer, Nullable, Text};
use diesel::{Connection, PgConnection, QueryableByName, RunQueryDsl};

use super::pool::DbError;

/// What every connection of this program calls itself on PostgreSQL, before the command.
pub const APPLICATION: &str = "asset-registry";

/// A process that holds the register open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    /// Its process id (on PostgreSQL, as it named itself).
    pub pid: Option<u32>,
    /// What it is: its command line, or the name it gave its connections.
    pub command: String,
    /// When it started (SQLite) or first connected (PostgreSQL), China time.
    pub since: Option<String>,
}

impl fmt::Display for Holder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.pid {
            Some(pid) => write!(f, "进程 {pid}：{}", self.command)?,
            None => write!(f, "{}", self.command)?,
        }
        if let Some(since) = &self.since {
            write!(f, "，{since} 起（北京时间）")?;
        }
        Ok(())
    }
}

/// The name a connection of this process gives itself on PostgreSQL for `purpose`
/// (`asset-registry serve (pid 1234)`), within PostgreSQL's 63 bytes.
pub fn application_name(purpose: &str) -> String {
    let purpose: String = purpose
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == ' ')
        .take(24)
        .collect();
    format!("{APPLICATION} {purpose} (pid {})", std::process::id())
}

/// The lock file beside a SQLite register.
fn lock_path(database: &Path) -> PathBuf {
    let mut name = database.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

fn open_lock(database: &Path) -> std::io::Result<File> {
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(lock_path(database))
}

/// Marks the SQLite register at `database` as held by this process until the returned
/// file is dropped (waiting while a restore replaces it).
///
/// Fails when the lock file cannot be created or locked.
pub fn hold(database: &Path) -> Result<File, DbError> {
    let file = open_lock(database)?;
    file.lock_shared()?;
    Ok(file)
}

/// Takes the SQLite register at `database` for this process alone, until the returned
/// file is dropped: no other process has it open, and none can open it meanwhile.
///
/// Fails with the processes that hold it (`Err(Ok(holders))`), or when the lock file
/// cannot be used (`Err(Err(..))`).
pub fn take_alone(database: &Path) -> Result<File, Result<Vec<Holder>, std::io::Error>> {
    let file = open_lock(database).map_err(Err)?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(TryLockError::WouldBlock) => Err(Ok(holders_of_file(&lock_path(database)))),
        Err(TryLockError::Error(e)) => Err(Err(e)),
    }
}

/// The processes that have `file` open, from `/proc` (those this user may inspect);
/// one unnamed holder when none can be named.
fn holders_of_file(file: &Path) -> Vec<Holder> {
    let wanted = std::fs::canonicalize(file).unwrap_or_else(|_| file.to_owned());
    let mut holders = Vec::new();
    let processes = std::fs::read_dir("/proc").into_iter().flatten().flatten();
    for process in processes {
        let Some(pid) = process.file_name().to_str().and_then(|n| n.parse().ok()) else {
            continue;
        };
        let descriptors = std::fs::read_dir(process.path().join("fd"));
        let open = descriptors
            .into_iter()
            .flatten()
            .flatten()
            .filter(|fd| std::fs::read_link(fd.path()).is_ok_and(|target| target == wanted))
            .count();
        // This process has the file open once to ask for the lock; more is a hold.
        let own = if pid == std::process::id() { 1 } else { 0 };
        if open > own {
            holders.push(describe_process(pid, &process.path()));
        }
    }
    if holders.is_empty() {
        holders.push(Holder {
            pid: None,
            command: "另一个无法识别的进程（可能属于其他用户）".to_owned(),
            since: None,
        });
    }
    holders
}

/// A process's command line and start time, from `/proc/PID`.
fn describe_process(pid: u32, folder: &Path) -> Holder {
    let command = std::fs::read(folder.join("cmdline"))
        .map(|bytes| {
            let mut words = bytes
                .split(|b| *b == 0)
                .filter(|word| !word.is_empty())
                .map(|word| String::from_utf8_lossy(word).into_owned());
            // The program by its file name, not the folder it was started from.
            let program = words.next().map(|first| {
                Path::new(&first)
                    .file_name()
                    .map_or(first.clone(), |name| name.to_string_lossy().into_owned())
            });
            program
                .into_iter()
                .chain(words)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_default();
    Holder {
        pid: Some(pid),
        command: if command.is_empty() {
            "（命令行不可见）".to_owned()
        } else {
            command
        },
        since: started(folder),
    }
}

/// When the process of `/proc/PID` started, China time: its start in clock ticks after
/// boot (field 22 of `stat`; USER_HZ is 100 on Linux) plus the boot time.
fn started(folder: &Path) -> Option<String> {
    let stat = std::fs::read_to_string(folder.join("stat")).ok()?;
    // The command name (field 2) may hold spaces and parentheses: count after the last `)`.
    let after_name = &stat[stat.rfind(')')? + 1..];
    let ticks: i64 = after_name.split_whitespace().nth(19)?.parse().ok()?;
    let boot: i64 = std::fs::read_to_string("/proc/stat")
        .ok()?
        .lines()
        .find_map(|line| line.strip_prefix("btime "))?
        .trim()
        .parse()
        .ok()?;
    let china = FixedOffset::east_opt(8 * 3600)?;
    let at = DateTime::from_timestamp(boot + ticks / 100, 0)?.with_timezone(&china);
    Some(at.format("%Y-%m-%d %H:%M:%S").to_string())
}

#[derive(QueryableByName)]
struct Session {
    #[diesel(sql_type = Text)]
    application_name: String,
    #[diesel(sql_type = Nullable<Text>)]
    since: Option<String>,
    #[diesel(sql_type = Integer)]
    connections: i32,
}

/// The other processes of this program connected to the PostgreSQL database at `url`,
/// one per name they gave, from `pg_stat_activity`.
///
/// Fails when the database cannot be reached or queried.
pub fn postgres_holders(url: &str) -> Result<Vec<Holder>, DbError> {
    super::tls::init();
    let mut conn = PgConnection::establish(url)?;
    let sessions: Vec<Session> = diesel::sql_query(
        "SELECT application_name, \
                to_char(min(backend_start) AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI:SS') AS since, \
                CAST(count(*) AS INTEGER) AS connections \
           FROM pg_stat_activity \
          WHERE datname = current_database() AND pid <> pg_backend_pid() \
            AND application_name LIKE 'asset-registry %' \
          GROUP BY application_name ORDER BY min(backend_start)",
    )
    .load(&mut conn)?;
    Ok(sessions
        .into_iter()
        .map(|session| {
            let pid = session
                .application_name
                .rsplit_once("(pid ")
                .and_then(|(_, rest)| rest.trim_end_matches(')').parse().ok());
            Holder {
                pid,
                command: format!(
                    "{}（{} 个连接）",
                    session.application_name, session.connections
                ),
                since: session.since,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shared_hold_keeps_a_restore_out_and_names_this_process() {
        let folder = tempfile::tempdir().expect("temp dir");
        let database = folder.path().join("registry.sqlite3");
        let held = hold(&database).expect("hold");
        let also = hold(&database).expect("holders share the register");
        let Err(Ok(holders)) = take_alone(&database) else {
            panic!("a held register was taken");
        };
        assert_eq!(holders.len(), 1, "{holders:?}");
        assert_eq!(holders[0].pid, Some(std::process::id()));
        let text = holders[0].to_string();
        assert!(
            text.starts_with(&format!("进程 {}：", std::process::id())),
            "{text}"
        );
        assert!(text.ends_with(" 起（北京时间）"), "{text}");
        drop((held, also));
        let alone = take_alone(&database).expect("nobody holds it now");
        drop(alone);
    }

    #[test]
    fn application_names_fit_postgres_and_name_the_process() {
        let name = application_name("serve");
        assert_eq!(
            name,
            format!("asset-registry serve (pid {})", std::process::id())
        );
        assert!(application_name(&"x".repeat(200)).len() <= 63);
        assert_eq!(
            application_name("a'; DROP"),
            format!("asset-registry a DROP (pid {})", std::process::id())
        );
    }
}
