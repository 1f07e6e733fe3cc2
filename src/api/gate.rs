//! The door in front of token lookups: a short-lived cache of valid tokens (so a busy
//! client does not cost a database query per request) and a throttle on addresses that
//! keep presenting bad tokens.
//!
//! A revoked token is dropped from this process's cache at once; another server process
//! sharing the database stops accepting it within [`CACHE_TTL`].

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::auth::Caller;

/// How long a token found valid is trusted without asking the database again.
pub const CACHE_TTL: Duration = Duration::from_secs(2);

/// Bad tokens an address may present within [`FAILURE_WINDOW`] before it is refused.
pub const FAILURE_LIMIT: u32 = 20;

/// The window over which bad tokens are counted, and how long an address is refused.
pub const FAILURE_WINDOW: Duration = Duration::from_secs(60);

/// The cache and the throttle, shared by all requests of a server process.
#[derive(Default)]
pub struct Gate {
    valid: Mutex<HashMap<String, (Caller, Instant)>>,
    failures: Mutex<HashMap<IpAddr, (u32, Instant)>>,
}

impl Gate {
    /// The caller of a token digest found valid within the last [`CACHE_TTL`].
    pub fn cached(&self, digest: &str) -> Option<Caller> {
        let mut valid = self
            .valid
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match valid.get(digest) {
            Some((caller, at)) if at.elapsed() < CACHE_TTL => Some(caller.clone()),
            Some(_) => {
                valid.remove(digest);
                None
            }
            None => None,
        }
    }

    /// Remembers a token digest as valid.
    pub fn remember(&self, digest: String, caller: Caller) {
        let mut valid = self
            .valid
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if valid.len() > 10_000 {
            valid.retain(|_, (_, at)| at.elapsed() < CACHE_TTL);
        }
        valid.insert(digest, (caller, Instant::now()));
    }

    /// Forgets a revoked token at once.
    pub fn forget(&self, token_id: &str) {
        let mut valid = self
            .valid
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        valid.retain(|_, (caller, _)| caller.token_id != token_id);
    }

    /// Whether an address has presented too many bad tokens lately.
    pub fn blocked(&self, address: Option<IpAddr>) -> bool {
        let Some(address) = address else { return false };
        let failures = self
            .failures
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        failures.get(&address).is_some_and(|(count, since)| {
            *count >= FAILURE_LIMIT && since.elapsed() < FAILURE_WINDOW
        })
    }

    /// Counts a bad token from an address.
    pub fn failed(&self, address: Option<IpAddr>) {
        let Some(address) = address else { return };
        let mut failures = self
            .failures
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if failures.len() > 10_000 {
            failures.retain(|_, (_, since)| since.elapsed() < FAILURE_WINDOW);
        }
        let entry = failures.entry(address).or_insert((0, Instant::now()));
        if entry.1.elapsed() >= FAILURE_WINDOW {
            *entry = (0, Instant::now());
        }
        entry.0 += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Role;

    #[test]
    fn revoked_tokens_leave_the_cache_and_bad_ones_are_throttled() {
        let gate = Gate::default();
        let caller = Caller {
            token_id: "t1".into(),
            name: "n".into(),
            role: Role::Reader,
        };
        gate.remember("d1".into(), caller.clone());
        assert_eq!(gate.cached("d1"), Some(caller));
        gate.forget("t1");
        assert_eq!(gate.cached("d1"), None);
        let address = Some(IpAddr::from([10, 0, 0, 1]));
        for _ in 0..FAILURE_LIMIT {
            assert!(!gate.blocked(address));
            gate.failed(address);
        }
        assert!(gate.blocked(address));
        assert!(!gate.blocked(Some(IpAddr::from([10, 0, 0, 2]))));
    }
}
