//! Attempt throttling for every secret a person types.
//!
//! One [`Throttle`] per account and [`Factor`] (password, TOTP code, backup code,
//! one-time code, security code) counts consecutive failures. A few are free; after
//! that each further failure doubles the wait before the next attempt (capped);
//! after many the factor is hard-locked until an administrator unlocks it (the
//! portal's "Unlock" tab). NIST SP 800-63B §5.2.2 requires a verifier to limit
//! consecutive failed attempts to no more than 100, so that is the ceiling any
//! [`ThrottlePolicy`] can be built with.
//!
//! The API makes the order of operations a matter of types: the only way to
//! record an outcome is through the [`Attempt`] that [`Throttle::admit`] returns,
//! and `admit` refuses a throttled attempt before the caller can check any secret.
//!
//! ```
//! use countersign::throttle::{Factor, Throttle, ThrottlePolicy};
//!
//! let policy = ThrottlePolicy::default(); // 5 free failures, then 1 s, 2 s, 4 s ...
//! let mut throttle = Throttle::new(Factor::Totp);
//! let now = 1_700_000_000;
//!
//! // The login flow: admit first, then check the secret, then record the outcome.
//! let attempt = throttle.admit(&policy, now)?;
//! let code_was_right = false; // ... verify the TOTP code here ...
//! throttle = if code_was_right { attempt.succeeded() } else { attempt.failed() };
//! assert_eq!(throttle.consecutive_failures(), 1);
//! // Store `throttle` (it is serde) with the account.
//! # Ok::<(), countersign::throttle::Throttled>(())
//! ```
//!
//! Two concurrent attempts admitted from the same stored throttle would each record
//! one outcome on a copy: store the new state with a compare-and-swap (or under the
//! account's row lock) so that no failure is lost.

use crate::error::check_state_version;
use core::fmt;

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// The most consecutive failures any policy may allow before the hard lock
/// (NIST SP 800-63B §5.2.2: "no more than 100 consecutive failed attempts").
pub const HARD_LOCK_CEILING: u32 = 100;

/// Which secret a throttle guards.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Factor {
    /// The account password.
    Password,
    /// A TOTP code from an authenticator app.
    Totp,
    /// A backup code.
    BackupCode,
    /// A one-time code sent by SMS or email.
    OneTimeCode,
    /// A caller's security code, as given to support.
    SecurityCode,
}

impl fmt::Display for Factor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Password => "password",
            Self::Totp => "authentication code",
            Self::BackupCode => "backup code",
            Self::OneTimeCode => "one-time code",
            Self::SecurityCode => "security code",
        })
    }
}

/// How many failures are free, how the back-off grows, and when the hard lock falls.
///
/// After failure number `n` (counting consecutive failures), the next attempt waits
/// `0` seconds while `n <= free_failures`, then `base_delay * 2^(n - free_failures - 1)`
/// seconds, never more than `max_delay`. Failure number `lock_after` locks the factor.
///
/// Serialized as its four settings; deserializing re-checks them, so an invalid
/// policy cannot come from a configuration file either.
///
/// # Examples
///
/// ```
/// use countersign::throttle::ThrottlePolicy;
///
/// let policy = ThrottlePolicy::default();
/// assert_eq!(policy.delay_after(5), 0);
/// assert_eq!(policy.delay_after(6), 1);
/// assert_eq!(policy.delay_after(7), 2);
/// assert_eq!(policy.delay_after(8), 4);
///
/// let strict = ThrottlePolicy::new(3, 2, 60, 10)?;
/// assert_eq!(strict.delay_after(4), 2);
/// assert_eq!(strict.delay_after(9), 60);
/// # Ok::<(), countersign::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "PolicySettings", into = "PolicySettings")]
pub struct ThrottlePolicy {
    free_failures: u32,
    base_delay: u64,
    max_delay: u64,
    lock_after: u32,
}

/// The serialized form of a [`ThrottlePolicy`], checked on the way in.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicySettings {
    free_failures: u32,
    base_delay: u64,
    max_delay: u64,
    lock_after: u32,
}

impl ThrottlePolicy {
    /// A policy: `free_failures` failures without delay, then a back-off starting at
    /// `base_delay` seconds and doubling up to `max_delay` seconds, and a hard lock at
    /// failure number `lock_after`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidThrottlePolicy`] if `lock_after` is 0 or above
    /// [`HARD_LOCK_CEILING`], if `free_failures` is not below `lock_after`, if
    /// `base_delay` is 0, or if `max_delay` is below `base_delay`.
    ///
    /// # Examples
    ///
    /// ```
    /// use countersign::throttle::ThrottlePolicy;
    ///
    /// assert!(ThrottlePolicy::new(5, 1, 900, 100).is_ok());
    /// assert!(ThrottlePolicy::new(5, 1, 900, 101).is_err(), "NIST SP 800-63B §5.2.2");
    /// assert!(ThrottlePolicy::new(10, 1, 900, 10).is_err(), "free failures must be fewer");
    /// ```
    pub fn new(
        free_failures: u32,
        base_delay: u64,
        max_delay: u64,
        lock_after: u32,
    ) -> Result<Self> {
        let reason = if lock_after == 0 {
            Some("lock_after must be at least 1")
        } else if lock_after > HARD_LOCK_CEILING {
            Some("lock_after may be at most 100 (NIST SP 800-63B §5.2.2)")
        } else if free_failures >= lock_after {
            Some("free_failures must be fewer than lock_after")
        } else if base_delay == 0 {
            Some("base_delay must be at least 1 second")
        } else if max_delay < base_delay {
            Some("max_delay must be at least base_delay")
        } else {
            None
        };
        match reason {
            Some(reason) => Err(Error::InvalidThrottlePolicy { reason }),
            None => Ok(Self {
                free_failures,
                base_delay,
                max_delay,
                lock_after,
            }),
        }
    }

    /// Failures allowed before any delay.
    #[must_use]
    pub fn free_failures(&self) -> u32 {
        self.free_failures
    }

    /// The first delay, in seconds.
    #[must_use]
    pub fn base_delay(&self) -> u64 {
        self.base_delay
    }

    /// The longest delay, in seconds.
    #[must_use]
    pub fn max_delay(&self) -> u64 {
        self.max_delay
    }

    /// The failure count at which the factor locks until unlocked.
    #[must_use]
    pub fn lock_after(&self) -> u32 {
        self.lock_after
    }

    /// Seconds to wait after the `failures`-th consecutive failure before the next
    /// attempt (0: no wait). Ignores the hard lock; see [`Throttle::admit`].
    #[must_use]
    pub fn delay_after(&self, failures: u32) -> u64 {
        let Some(doublings) = failures.checked_sub(self.free_failures + 1) else {
            return 0;
        };
        let factor = 1u64.checked_shl(doublings).unwrap_or(u64::MAX);
        self.base_delay.saturating_mul(factor).min(self.max_delay)
    }
}

impl Default for ThrottlePolicy {
    /// 5 free failures; then 1 s, 2 s, 4 s ... up to 15 minutes; locked at 20.
    ///
    /// Twenty consecutive failures take over an hour of waiting to reach, far more
    /// than a person mistyping ever needs, and keep an online guesser to a handful
    /// of tries per account, well under the NIST ceiling of 100.
    fn default() -> Self {
        Self {
            free_failures: 5,
            base_delay: 1,
            max_delay: 15 * 60,
            lock_after: 20,
        }
    }
}

impl TryFrom<PolicySettings> for ThrottlePolicy {
    type Error = Error;

    fn try_from(s: PolicySettings) -> Result<Self> {
        Self::new(s.free_failures, s.base_delay, s.max_delay, s.lock_after)
    }
}

impl From<ThrottlePolicy> for PolicySettings {
    fn from(p: ThrottlePolicy) -> Self {
        Self {
            free_failures: p.free_failures,
            base_delay: p.base_delay,
            max_delay: p.max_delay,
            lock_after: p.lock_after,
        }
    }
}

/// The throttle state of one account and one factor: store it with the account.
///
/// Serde, versioned (`"v": 1`); deserializing checks that the fields agree, so a
/// corrupted state is an error rather than a silently unlocked factor.
///
/// # Examples
///
/// ```
/// use countersign::throttle::{Factor, Throttle, ThrottlePolicy};
///
/// let policy = ThrottlePolicy::new(0, 30, 30, 3)?; // every failure costs 30 s; locked at 3
/// let mut throttle = Throttle::new(Factor::Password);
/// let mut now = 1_000;
/// for _ in 0..3 {
///     throttle = throttle.admit(&policy, now)?.failed();
///     now += 30;
/// }
/// let refused = throttle.admit(&policy, now).unwrap_err();
/// assert_eq!(refused.retry_at(), None); // hard lock: no time will lift it
///
/// throttle = throttle.unlock(); // the administrator's "Unlock"
/// assert!(throttle.admit(&policy, now).is_ok());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "ThrottleRecord", into = "ThrottleRecord")]
pub struct Throttle {
    factor: Factor,
    failures: u32,
    last_failure_at: Option<u64>,
    locked: bool,
}

/// The stored form of a [`Throttle`], checked on the way in.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ThrottleRecord {
    v: u32,
    factor: Factor,
    failures: u32,
    last_failure_at: Option<u64>,
    locked: bool,
}

const THROTTLE_VERSION: u32 = 1;

impl TryFrom<ThrottleRecord> for Throttle {
    type Error = Error;

    fn try_from(r: ThrottleRecord) -> Result<Self> {
        const STATE: &str = "throttle";
        check_state_version(STATE, r.v, THROTTLE_VERSION)?;
        let reason = if (r.failures == 0) != r.last_failure_at.is_none() {
            Some("a failure count needs the time of the last failure, and only then")
        } else if r.failures > HARD_LOCK_CEILING {
            Some("more consecutive failures than any policy allows")
        } else if r.locked && r.failures == 0 {
            Some("locked without any failure")
        } else {
            None
        };
        if let Some(reason) = reason {
            return Err(Error::CorruptState {
                state: STATE,
                reason,
            });
        }
        Ok(Self {
            factor: r.factor,
            failures: r.failures,
            last_failure_at: r.last_failure_at,
            locked: r.locked,
        })
    }
}

impl From<Throttle> for ThrottleRecord {
    fn from(t: Throttle) -> Self {
        Self {
            v: THROTTLE_VERSION,
            factor: t.factor,
            failures: t.failures,
            last_failure_at: t.last_failure_at,
            locked: t.locked,
        }
    }
}

impl Throttle {
    /// A fresh throttle: no failures.
    ///
    /// # Examples
    ///
    /// ```
    /// use countersign::throttle::{Factor, Throttle};
    ///
    /// let throttle = Throttle::new(Factor::BackupCode);
    /// assert_eq!(throttle.consecutive_failures(), 0);
    /// ```
    #[must_use]
    pub fn new(factor: Factor) -> Self {
        Self {
            factor,
            failures: 0,
            last_failure_at: None,
            locked: false,
        }
    }

    /// The factor this throttle guards.
    #[must_use]
    pub fn factor(&self) -> Factor {
        self.factor
    }

    /// Consecutive failures since the last success or unlock.
    #[must_use]
    pub fn consecutive_failures(&self) -> u32 {
        self.failures
    }

    /// When the last failure happened, unix seconds (`None` without failures).
    #[must_use]
    pub fn last_failure_at(&self) -> Option<u64> {
        self.last_failure_at
    }

    /// Whether the factor is hard-locked under `policy`: it locked when the failure
    /// count reached the threshold, or the count is at or over this policy's threshold.
    /// Only [`Throttle::unlock`] lifts a lock; a later, laxer policy does not.
    ///
    /// # Examples
    ///
    /// ```
    /// use countersign::throttle::{Factor, Throttle, ThrottlePolicy};
    ///
    /// let throttle = Throttle::new(Factor::Totp);
    /// assert!(!throttle.is_locked(&ThrottlePolicy::default()));
    /// ```
    #[must_use]
    pub fn is_locked(&self, policy: &ThrottlePolicy) -> bool {
        self.locked || self.failures >= policy.lock_after
    }

    /// Asks to check a secret at `now` (unix seconds).
    ///
    /// Call this before looking at the secret at all; then check the secret and
    /// record the outcome with [`Attempt::succeeded`] or [`Attempt::failed`], which
    /// give the state to store.
    ///
    /// # Errors
    ///
    /// [`Throttled`] with the time to retry while a back-off delay runs, or with no
    /// time at all while the factor is hard-locked.
    ///
    /// # Examples
    ///
    /// ```
    /// use countersign::throttle::{Factor, Throttle, ThrottlePolicy};
    ///
    /// let policy = ThrottlePolicy::new(1, 10, 60, 5)?;
    /// let mut throttle = Throttle::new(Factor::OneTimeCode);
    /// throttle = throttle.admit(&policy, 100)?.failed(); // free
    /// throttle = throttle.admit(&policy, 101)?.failed(); // now wait 10 s
    /// assert_eq!(throttle.admit(&policy, 105).unwrap_err().retry_at(), Some(111));
    /// assert!(throttle.admit(&policy, 111).is_ok());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn admit(
        &self,
        policy: &ThrottlePolicy,
        now: u64,
    ) -> core::result::Result<Attempt, Throttled> {
        if self.is_locked(policy) {
            return Err(Throttled {
                factor: self.factor,
                retry_at: None,
            });
        }
        if let Some(retry_at) = self.retry_at(policy)
            && now < retry_at
        {
            return Err(Throttled {
                factor: self.factor,
                retry_at: Some(retry_at),
            });
        }
        Ok(Attempt {
            throttle: self.clone(),
            policy: *policy,
            now,
        })
    }

    /// When the back-off delay after the last failure ends (`None` when there is
    /// no delay). Says nothing of the hard lock: see [`Throttle::is_locked`].
    #[must_use]
    pub fn retry_at(&self, policy: &ThrottlePolicy) -> Option<u64> {
        let last = self.last_failure_at?;
        match policy.delay_after(self.failures) {
            0 => None,
            delay => Some(last.saturating_add(delay)),
        }
    }

    /// The administrator's "Unlock": forgets every failure and lifts the lock.
    ///
    /// # Examples
    ///
    /// ```
    /// use countersign::throttle::{Factor, Throttle};
    ///
    /// let throttle = Throttle::new(Factor::SecurityCode).unlock();
    /// assert_eq!(throttle, Throttle::new(Factor::SecurityCode));
    /// ```
    #[must_use]
    pub fn unlock(self) -> Self {
        Self::new(self.factor)
    }
}

/// Permission to check one secret, granted by [`Throttle::admit`].
///
/// It cannot be built any other way, and recording the outcome consumes it, so
/// every outcome recorded belongs to exactly one admitted attempt. Dropping it
/// without recording an outcome records nothing: always record one.
#[derive(Debug)]
#[must_use = "record the outcome with `succeeded()` or `failed()` and store the returned throttle"]
pub struct Attempt {
    throttle: Throttle,
    policy: ThrottlePolicy,
    now: u64,
}

impl Attempt {
    /// The factor being attempted.
    #[must_use]
    pub fn factor(&self) -> Factor {
        self.throttle.factor
    }

    /// The secret was right: the failure count starts over. Returns the state to store.
    #[must_use = "store the returned throttle"]
    pub fn succeeded(self) -> Throttle {
        Throttle::new(self.throttle.factor)
    }

    /// The secret was wrong: one more consecutive failure, and the hard lock if that
    /// reaches the policy's threshold. Returns the state to store.
    #[must_use = "store the returned throttle, or the failure is not counted"]
    pub fn failed(self) -> Throttle {
        let before = self.throttle;
        let failures = before.failures.saturating_add(1).min(HARD_LOCK_CEILING);
        // A clock that stepped back must not shorten the current delay.
        let last = before
            .last_failure_at
            .map_or(self.now, |last| last.max(self.now));
        Throttle {
            factor: before.factor,
            failures,
            last_failure_at: Some(last),
            locked: before.locked || failures >= self.policy.lock_after,
        }
    }
}

/// An attempt refused by a [`Throttle`], before any secret was checked.
///
/// # Examples
///
/// ```
/// use countersign::throttle::{Factor, Throttle, ThrottlePolicy};
///
/// let policy = ThrottlePolicy::new(0, 60, 60, 10)?;
/// let throttle = Throttle::new(Factor::Password).admit(&policy, 0)?.failed();
/// let refused = throttle.admit(&policy, 15).unwrap_err();
/// assert_eq!(refused.retry_at(), Some(60));
/// assert_eq!(refused.seconds_to_wait(15), Some(45));
/// assert_eq!(refused.to_string(), "too many wrong password attempts: try again at 60 (unix time)");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Throttled {
    factor: Factor,
    retry_at: Option<u64>,
}

impl Throttled {
    /// The factor that was refused.
    #[must_use]
    pub fn factor(&self) -> Factor {
        self.factor
    }

    /// When to try again, unix seconds; `None` for a hard lock that only an
    /// administrator's unlock lifts.
    #[must_use]
    pub fn retry_at(&self) -> Option<u64> {
        self.retry_at
    }

    /// Whether this is the hard lock rather than a back-off delay.
    #[must_use]
    pub fn is_locked(&self) -> bool {
        self.retry_at.is_none()
    }

    /// Seconds from `now` until the retry time (`None` for a hard lock).
    #[must_use]
    pub fn seconds_to_wait(&self, now: u64) -> Option<u64> {
        self.retry_at.map(|at| at.saturating_sub(now))
    }
}

impl fmt::Display for Throttled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.retry_at {
            Some(at) => write!(
                f,
                "too many wrong {} attempts: try again at {at} (unix time)",
                self.factor
            ),
            None => write!(
                f,
                "too many wrong {} attempts: locked until an administrator unlocks it",
                self.factor
            ),
        }
    }
}

impl std::error::Error for Throttled {}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: u64 = 1_700_000_000;

    fn fail_n(policy: &ThrottlePolicy, n: u32) -> (Throttle, u64) {
        let mut throttle = Throttle::new(Factor::Totp);
        let mut now = T0;
        for _ in 0..n {
            if let Some(at) = throttle.retry_at(policy) {
                now = now.max(at);
            }
            throttle = throttle.admit(policy, now).unwrap().failed();
        }
        (throttle, now)
    }

    #[test]
    fn free_failures_have_no_delay() {
        let policy = ThrottlePolicy::default();
        let (throttle, now) = fail_n(&policy, 5);
        assert_eq!(now, T0, "no wait was ever needed");
        assert_eq!(throttle.retry_at(&policy), None);
        assert!(throttle.admit(&policy, now).is_ok());
    }

    #[test]
    fn back_off_doubles_with_exact_retry_times() {
        let policy = ThrottlePolicy::default();
        let (mut throttle, mut now) = fail_n(&policy, 5);
        for expected_delay in [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900] {
            throttle = throttle.admit(&policy, now).unwrap().failed();
            let retry_at = now + expected_delay;
            let refused = throttle.admit(&policy, retry_at - 1).unwrap_err();
            assert_eq!(refused.retry_at(), Some(retry_at));
            assert_eq!(refused.seconds_to_wait(retry_at - 1), Some(1));
            assert!(
                throttle.admit(&policy, retry_at).is_ok(),
                "admitted exactly at retry_at"
            );
            now = retry_at;
        }
    }

    #[test]
    fn locks_at_the_threshold_and_not_before() {
        let policy = ThrottlePolicy::new(2, 1, 4, 7).unwrap();
        let (throttle, now) = fail_n(&policy, 6);
        assert!(!throttle.is_locked(&policy));
        let retry_at = throttle.retry_at(&policy).unwrap();
        assert!(
            throttle.admit(&policy, retry_at).is_ok(),
            "not locked at 6 of 7"
        );
        let (throttle, now2) = fail_n(&policy, 7);
        assert!(now2 >= now);
        assert!(throttle.is_locked(&policy));
        for later in [now2, now2 + 1, now2 + 86_400 * 365, u64::MAX] {
            let refused = throttle.admit(&policy, later).unwrap_err();
            assert!(refused.is_locked());
            assert_eq!(refused.retry_at(), None);
        }
    }

    #[test]
    fn unlock_resets_everything() {
        let policy = ThrottlePolicy::new(0, 1, 1, 1).unwrap();
        let (throttle, now) = fail_n(&policy, 1);
        assert!(throttle.admit(&policy, now + 10).is_err());
        let throttle = throttle.unlock();
        assert_eq!(throttle.consecutive_failures(), 0);
        assert_eq!(throttle.last_failure_at(), None);
        assert!(throttle.admit(&policy, now).is_ok());
    }

    #[test]
    fn success_resets_the_count() {
        let policy = ThrottlePolicy::default();
        let (throttle, now) = fail_n(&policy, 9);
        let at = throttle.retry_at(&policy).unwrap();
        let throttle = throttle.admit(&policy, at).unwrap().succeeded();
        assert_eq!(throttle, Throttle::new(Factor::Totp));
        assert!(throttle.admit(&policy, now).is_ok());
    }

    #[test]
    fn a_laxer_policy_does_not_lift_a_lock() {
        let strict = ThrottlePolicy::new(0, 1, 1, 3).unwrap();
        let (throttle, now) = fail_n(&strict, 3);
        let lax = ThrottlePolicy::new(5, 1, 1, 50).unwrap();
        assert!(throttle.admit(&lax, now + 1000).unwrap_err().is_locked());
    }

    #[test]
    fn a_stricter_policy_locks_an_over_threshold_count() {
        let lax = ThrottlePolicy::default();
        let (throttle, now) = fail_n(&lax, 10);
        let strict = ThrottlePolicy::new(0, 1, 1, 10).unwrap();
        assert!(
            throttle
                .admit(&strict, now + 10_000)
                .unwrap_err()
                .is_locked()
        );
    }

    #[test]
    fn clock_stepping_back_does_not_shorten_the_delay() {
        let policy = ThrottlePolicy::new(0, 100, 100, 10).unwrap();
        let t = Throttle::new(Factor::Password)
            .admit(&policy, 1_000)
            .unwrap()
            .failed();
        let t = t.admit(&policy, 1_100).unwrap().failed();
        assert_eq!(t.retry_at(&policy), Some(1_200));
        assert!(t.admit(&policy, 500).is_err());
    }

    #[test]
    fn delay_saturates_without_overflow() {
        let policy = ThrottlePolicy::new(0, u64::MAX / 2, u64::MAX, 100).unwrap();
        assert_eq!(policy.delay_after(99), u64::MAX);
        let (throttle, _) = (Throttle::new(Factor::Totp), 0);
        let throttle = throttle.admit(&policy, u64::MAX).unwrap().failed();
        assert_eq!(throttle.retry_at(&policy), Some(u64::MAX));
    }

    #[test]
    fn policy_rules() {
        assert!(ThrottlePolicy::new(0, 1, 1, 1).is_ok());
        assert!(ThrottlePolicy::new(99, 1, 1, 100).is_ok());
        for (free, base, max, lock) in [
            (0, 1, 1, 0),
            (0, 1, 1, 101),
            (5, 1, 1, 5),
            (0, 0, 1, 5),
            (0, 2, 1, 5),
        ] {
            assert!(
                matches!(
                    ThrottlePolicy::new(free, base, max, lock),
                    Err(Error::InvalidThrottlePolicy { .. })
                ),
                "{free} {base} {max} {lock}"
            );
        }
        let json = r#"{"free_failures":5,"base_delay":1,"max_delay":900,"lock_after":1000}"#;
        assert!(serde_json::from_str::<ThrottlePolicy>(json).is_err());
        let default = serde_json::to_string(&ThrottlePolicy::default()).unwrap();
        assert_eq!(
            serde_json::from_str::<ThrottlePolicy>(&default).unwrap(),
            ThrottlePolicy::default()
        );
    }

    #[test]
    fn state_round_trips_and_rejects_corruption() {
        let policy = ThrottlePolicy::default();
        let (throttle, _) = fail_n(&policy, 7);
        let json = serde_json::to_string(&throttle).unwrap();
        assert!(json.contains(r#""v":1"#), "{json}");
        assert_eq!(serde_json::from_str::<Throttle>(&json).unwrap(), throttle);
        for bad in [
            r#"{"v":2,"factor":"totp","failures":0,"last_failure_at":null,"locked":false}"#,
            r#"{"v":1,"factor":"totp","failures":3,"last_failure_at":null,"locked":false}"#,
            r#"{"v":1,"factor":"totp","failures":0,"last_failure_at":5,"locked":false}"#,
            r#"{"v":1,"factor":"totp","failures":101,"last_failure_at":5,"locked":true}"#,
            r#"{"v":1,"factor":"totp","failures":0,"last_failure_at":null,"locked":true}"#,
            r#"{"v":1,"factor":"sms","failures":0,"last_failure_at":null,"locked":false}"#,
        ] {
            assert!(serde_json::from_str::<Throttle>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn throttled_converts_into_the_facade_error() {
        let policy = ThrottlePolicy::new(0, 1, 1, 1).unwrap();
        let (throttle, now) = fail_n(&policy, 1);
        let err: Error = throttle.admit(&policy, now).unwrap_err().into();
        assert!(matches!(err, Error::Throttled(t) if t.is_locked()));
        assert_eq!(
            err.to_string(),
            "too many wrong authentication code attempts: locked until an administrator unlocks it"
        );
    }
}
