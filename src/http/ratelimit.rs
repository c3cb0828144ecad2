//! [`Failures`]: failed sign-ins counted per client address, so that guessing tokens from
//! one address is turned away (429) after [`MAX_FAILURES`] a [`WINDOW`]; memory stays
//! bounded however many addresses try.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failed attempts an address may make per [`WINDOW`] before it is turned away.
pub const MAX_FAILURES: u32 = 10;
/// The window failed attempts are counted in.
pub const WINDOW: Duration = Duration::from_secs(60);
/// Addresses remembered at most (the oldest windows are forgotten first).
const MAX_ADDRESSES: usize = 10_000;

/// Failed sign-ins per client address.
#[derive(Debug, Default)]
pub struct Failures {
    by_address: Mutex<HashMap<IpAddr, (u32, Instant)>>,
}

impl Failures {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<IpAddr, (u32, Instant)>> {
        self.by_address.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Seconds until `address` may try again, when it failed too often.
    pub fn blocked_for(&self, address: IpAddr) -> Option<u64> {
        let map = self.lock();
        let (count, since) = map.get(&address)?;
        let left = WINDOW.checked_sub(since.elapsed())?;
        (*count >= MAX_FAILURES).then(|| left.as_secs().max(1))
    }

    pub fn record(&self, address: IpAddr) {
        let mut map = self.lock();
        if map.len() >= MAX_ADDRESSES {
            map.retain(|_, (_, since)| since.elapsed() < WINDOW);
        }
        let entry = map.entry(address).or_insert((0, Instant::now()));
        if entry.1.elapsed() >= WINDOW {
            *entry = (0, Instant::now());
        }
        entry.0 += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_is_blocked_after_too_many_failures_and_others_are_not() {
        let failures = Failures::default();
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        for _ in 0..MAX_FAILURES {
            assert!(failures.blocked_for(a).is_none());
            failures.record(a);
        }
        assert!(failures.blocked_for(a).is_some());
        assert!(failures.blocked_for(b).is_none());
    }
}
