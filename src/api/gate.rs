//! The door in front of token lookups: a short-lived cache of valid tokens (so a busy
//! client does not cost a database query per request) and a throttle on addresses that
//! keep presenting bad tokens.
//!
//! A revoked token is dropped from this process's cache at once (and never cached
//! again); another server process sharing the database stops accepting it within
//! [`CACHE_TTL`]. An address that presented [`FAILURE_LIMIT`] bad tokens within
//! [`FAILURE_WINDOW`] is refused for a window — except for tokens that already succeeded
//! from that address, so the colleagues of a misbehaving client behind the same proxy
//! keep working.

use std::collections::{HashMap, HashSet};
use std::net::IpAddr;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use crate::auth::Caller;

/// How long a token found valid is trusted without asking the database again.
pub const CACHE_TTL: Duration = Duration::from_secs(2);

/// Bad tokens an address may present within [`FAILURE_WINDOW`] before it is refused.
pub const FAILURE_LIMIT: u32 = 20;

/// The window over which bad tokens are counted, and how long an address is refused.
pub const FAILURE_WINDOW: Duration = Duration::from_secs(60);

/// How long a token that succeeded from an address stays welcome there during a block.
pub const KNOWN_GOOD: Duration = Duration::from_secs(600);

/// The most entries each table remembers; past it, new ones are not added.
const MAX_ENTRIES: usize = 10_000;

/// Bad tokens from one address: how many in the current window, since when, and since
/// when the address is refused.
#[derive(Clone, Copy)]
struct Failures {
    count: u32,
    since: Instant,
    blocked_since: Option<Instant>,
}

/// The cache and the throttle, shared by all requests of a server process.
#[derive(Default)]
pub struct Gate {
    valid: Mutex<HashMap<String, (Caller, Instant)>>,
    revoked: Mutex<HashSet<String>>,
    failures: Mutex<HashMap<IpAddr, Failures>>,
    good: Mutex<HashMap<(IpAddr, String), Instant>>,
}

/// Locks a table; a panic elsewhere cannot leave these tables inconsistent, so a
/// poisoned lock is taken as it is.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Gate {
    /// The caller of a token digest found valid within the last [`CACHE_TTL`].
    pub fn cached(&self, digest: &str) -> Option<Caller> {
        let mut valid = lock(&self.valid);
        match valid.get(digest) {
            Some((caller, at)) if at.elapsed() < CACHE_TTL => Some(caller.clone()),
            Some(_) => {
                valid.remove(digest);
                None
            }
            None => None,
        }
    }

    /// Remembers a token digest as valid (unless its token was revoked meanwhile), and
    /// as good from `address`.
    pub fn remember(&self, digest: String, caller: Caller, address: Option<IpAddr>) {
        if lock(&self.revoked).contains(&caller.token_id) {
            return;
        }
        if let Some(address) = address {
            let mut good = lock(&self.good);
            if good.len() >= MAX_ENTRIES {
                good.retain(|_, at| at.elapsed() < KNOWN_GOOD);
            }
            if good.len() < MAX_ENTRIES {
                good.insert((address, digest.clone()), Instant::now());
            }
        }
        let mut valid = lock(&self.valid);
        if valid.len() >= MAX_ENTRIES {
            valid.retain(|_, (_, at)| at.elapsed() < CACHE_TTL);
        }
        if valid.len() < MAX_ENTRIES {
            valid.insert(digest, (caller, Instant::now()));
        }
    }

    /// Forgets a revoked token at once, for good.
    pub fn forget(&self, token_id: &str) {
        lock(&self.revoked).insert(token_id.to_owned());
        lock(&self.valid).retain(|_, (caller, _)| caller.token_id != token_id);
    }

    /// Whether a token (by digest) from an address is refused unheard: the address has
    /// presented too many bad tokens lately and this token has not succeeded from it.
    pub fn refused(&self, address: Option<IpAddr>, digest: &str) -> bool {
        let Some(address) = address else {
            return false;
        };
        let blocked = lock(&self.failures)
            .get(&address)
            .and_then(|f| f.blocked_since)
            .is_some_and(|since| since.elapsed() < FAILURE_WINDOW);
        blocked
            && lock(&self.good)
                .get(&(address, digest.to_owned()))
                .is_none_or(|at| at.elapsed() >= KNOWN_GOOD)
    }

    /// Counts a bad token from an address; reaching the limit starts a block.
    pub fn failed(&self, address: Option<IpAddr>) {
        let Some(address) = address else {
            return;
        };
        let mut failures = lock(&self.failures);
        if failures.len() >= MAX_ENTRIES && !failures.contains_key(&address) {
            failures.retain(|_, f| {
                f.since.elapsed() < FAILURE_WINDOW
                    || f.blocked_since
                        .is_some_and(|b| b.elapsed() < FAILURE_WINDOW)
            });
            if failures.len() >= MAX_ENTRIES {
                return;
            }
        }
        let now = Instant::now();
        let entry = failures.entry(address).or_insert(Failures {
            count: 0,
            since: now,
            blocked_since: None,
        });
        if entry.since.elapsed() >= FAILURE_WINDOW {
            entry.count = 0;
            entry.since = now;
        }
        entry.count += 1;
        if entry.count >= FAILURE_LIMIT
            && entry
                .blocked_since
                .is_none_or(|b| b.elapsed() >= FAILURE_WINDOW)
        {
            entry.blocked_since = Some(now);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Role;

    #[test]
    fn revoked_tokens_leave_the_cache_for_good_and_bad_ones_are_throttled() {
        let gate = Gate::default();
        let address = Some(IpAddr::from([10, 0, 0, 1]));
        let caller = Caller {
            token_id: "t1".into(),
            name: "n".into(),
            role: Role::Reader,
            scope: crate::domain::Scope::County,
        };
        gate.remember("d1".into(), caller.clone(), address);
        assert_eq!(gate.cached("d1"), Some(caller.clone()));
        gate.forget("t1");
        assert_eq!(gate.cached("d1"), None);
        // A lookup that began before the revocation cannot put the token back.
        gate.remember("d1".into(), caller, address);
        assert_eq!(gate.cached("d1"), None);
        let colleague = Caller {
            token_id: "t2".into(),
            name: "c".into(),
            role: Role::Clerk,
            scope: crate::domain::Scope::County,
        };
        gate.remember("d2".into(), colleague, address);
        for _ in 0..FAILURE_LIMIT {
            assert!(!gate.refused(address, "guess"));
            gate.failed(address);
        }
        assert!(gate.refused(address, "guess"));
        assert!(
            !gate.refused(address, "d2"),
            "a token that succeeded from the address still works"
        );
        assert!(!gate.refused(Some(IpAddr::from([10, 0, 0, 2])), "guess"));
    }
}
