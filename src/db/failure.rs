//! What a database failure means for the one who asked: a full disk, or a database
//! too busy to take the request now (retry), told apart on either engine.

use std::time::Duration;

use diesel::result::DatabaseErrorKind;

use super::pool::DbError;

impl DbError {
    /// Whether the database failed because its disk (or its allotted space) is full:
    /// SQLite's `SQLITE_FULL` ("database or disk is full"), PostgreSQL's `disk_full`
    /// (53100, "could not extend file …: No space left on device"), also when a commit
    /// failed so and its rollback then failed too.
    pub fn is_disk_full(&self) -> bool {
        match self {
            DbError::Query(e) => query_is_disk_full(e),
            DbError::Folder(e) => e.kind() == std::io::ErrorKind::StorageFull,
            _ => false,
        }
    }

    /// Whether the database was too busy to take the request now, which a retry a
    /// moment later may not be: no pooled connection was free in time, SQLite stayed
    /// locked past its busy timeout, or a write did not get its turn at a lock in time
    /// (a serialization failure, which [`lock_not_granted`] makes of a lock statement
    /// that the statement timeout cancelled while it waited).
    pub fn is_busy(&self) -> bool {
        match self {
            DbError::Pool(_) => true,
            DbError::Query(diesel::result::Error::DatabaseError(kind, info)) => {
                let message = info.message();
                matches!(kind, DatabaseErrorKind::SerializationFailure)
                    || message.contains("database is locked")
                    || message.contains("database is busy")
            }
            _ => false,
        }
    }
}

/// How long a lock statement must have waited before its failure is taken for a wait
/// that ran out: a statement refused for another reason (no privilege on the table, a
/// relation missing, a read-only database, an I/O error) fails at once.
const WAITED_FOR_THE_LOCK: Duration = Duration::from_millis(250);

/// The error of a statement whose only work is to take a lock (the ledger chain's),
/// after `waited`, as a serialization failure when it failed otherwise than by a full
/// disk or a lost connection after waiting at least [`WAITED_FOR_THE_LOCK`]: on
/// PostgreSQL the statement timeout (or an administrator, or the deadlock detector)
/// cancelled it while it waited behind another process's long write (an import).
/// The write did not get its turn and wrote nothing, so it is [`DbError::is_busy`] — a
/// retry, not a server fault (PostgreSQL words its cancellation in the server's own
/// language, so the message cannot tell it). A failure sooner is left as it is: a
/// fault to log and answer 500, not a retry for ever. (SQLite's busy timeout running out
/// is "database is locked", busy already.)
pub fn lock_not_granted(error: diesel::result::Error, waited: Duration) -> diesel::result::Error {
    use diesel::result::Error;
    match error {
        Error::DatabaseError(DatabaseErrorKind::Unknown, info)
            if waited >= WAITED_FOR_THE_LOCK && !query_is_disk_full_info(&*info) =>
        {
            Error::DatabaseError(
                DatabaseErrorKind::SerializationFailure,
                Box::new(format!(
                    "the lock was not granted in time: {}",
                    info.message()
                )),
            )
        }
        other => other,
    }
}

fn query_is_disk_full_info(info: &dyn diesel::result::DatabaseErrorInformation) -> bool {
    let message = info.message();
    message.contains("database or disk is full") || message.contains("No space left on device")
}

fn query_is_disk_full(error: &diesel::result::Error) -> bool {
    use diesel::result::Error;
    match error {
        Error::DatabaseError(_, info) => query_is_disk_full_info(&**info),
        Error::RollbackErrorOnCommit {
            rollback_error,
            commit_error,
        } => query_is_disk_full(rollback_error) || query_is_disk_full(commit_error),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::result::{DatabaseErrorKind, Error};

    fn unknown(message: &str) -> Error {
        Error::DatabaseError(DatabaseErrorKind::Unknown, Box::new(message.to_owned()))
    }

    fn kind(error: &Error) -> Option<&DatabaseErrorKind> {
        match error {
            Error::DatabaseError(kind, _) => Some(kind),
            _ => None,
        }
    }

    #[test]
    fn only_a_lock_statement_that_waited_is_told_to_retry() {
        let waited = lock_not_granted(
            unknown("canceling statement due to statement timeout"),
            Duration::from_secs(1),
        );
        assert!(matches!(
            kind(&waited),
            Some(DatabaseErrorKind::SerializationFailure)
        ));
        assert!(DbError::Query(waited).is_busy());
        let at_once = lock_not_granted(
            unknown("permission denied for table ledger_head"),
            Duration::from_millis(3),
        );
        assert!(matches!(kind(&at_once), Some(DatabaseErrorKind::Unknown)));
        assert!(!DbError::Query(at_once).is_busy());
        let full = lock_not_granted(
            unknown("could not extend file: No space left on device"),
            Duration::from_secs(1),
        );
        assert!(DbError::Query(full).is_disk_full());
    }
}
