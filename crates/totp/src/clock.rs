//! Where "now" comes from: a [`Clock`] handed to a [`Totp`](crate::Totp) or a
//! [`Verifier`](crate::Verifier), so that their `*_now` forms exist while the crate
//! stays sans-IO underneath.

use std::time::{SystemTime, UNIX_EPOCH};

/// A source of the current Unix time in seconds.
///
/// The `*_now` methods ([`Totp::code_now`](crate::Totp::code_now),
/// [`Verifier::verify_now`](crate::Verifier::verify_now)) are thin wrappers: they ask
/// the clock once and call the `*_at(now)` form. [`SystemClock`] is the default;
/// [`FixedClock`] stands still for tests; a service with its own notion of time (a
/// monotonic-corrected source, a simulated one) implements this one method.
///
/// ```
/// use countersign_totp::{Clock, FixedClock, SystemClock};
///
/// assert_eq!(FixedClock(1_700_000_000).now(), 1_700_000_000);
/// assert!(SystemClock.now() > 1_700_000_000);
/// ```
pub trait Clock {
    /// Seconds since the Unix epoch.
    fn now(&self) -> u64;
}

/// The operating system's wall clock ([`SystemTime::now`]).
///
/// A system clock set before 1970 reads as 0: codes then belong to step 0 and verify
/// nothing a real app shows, so a broken clock fails closed rather than panicking.
///
/// ```
/// use countersign_totp::{Clock, SystemClock};
///
/// let now = SystemClock.now();
/// assert!(now >= 1_700_000_000);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |since| since.as_secs())
    }
}

/// A clock that always reads the same time: for tests and for replaying a recorded
/// moment.
///
/// ```
/// use countersign_totp::{Clock, FixedClock};
///
/// let clock = FixedClock(59);
/// assert_eq!((clock.now(), clock.now()), (59, 59));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FixedClock(pub u64);

impl Clock for FixedClock {
    fn now(&self) -> u64 {
        self.0
    }
}
