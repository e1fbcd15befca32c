//! Attempt throttling for every secret a person types, and limits on the codes
//! the service sends.
//!
//! # The design
//!
//! **What is counted.** One [`Throttle`] per account and *lane* counts
//! consecutive failures of one secret: the password (two lanes, below), the TOTP
//! code, the backup code, the SMS login code, the emailed reset code, and a
//! client's security code. Lanes never share a count: failures on one secret
//! slow down that secret only, so an attacker who can fail one factor (anyone who
//! knows a username can fail passwords and reset codes) cannot slow down another.
//! Only an attempt that really compared a secret counts; malformed input, a code
//! that was never sent and every other refusal that checks nothing count nothing.
//!
//! **Back-off that always ends by itself.** A few failures are free; after that
//! each further consecutive failure doubles the wait before the next attempt, up
//! to [`ThrottlePolicy::max_delay`] (at most [`MAX_DELAY_CEILING`], one day). A
//! success resets the lane. By default nothing ever hard-locks: the worst an
//! attacker can do to a victim is keep one lane at its longest wait, and the
//! wait ends on its own (NIST SP 800-63B §5.2.2 lists exactly this, "requiring
//! the claimant to wait following a failed attempt", among the ways to limit
//! online guessing without handing the attacker a lockout).
//!
//! **A hard lock only where the deployment opts in**
//! ([`ThrottlePolicy::with_hard_lock`]), and never below [`HARD_LOCK_FLOOR`],
//! NIST SP 800-63B §5.2.2's limit of 100 consecutive failed attempts: fewer
//! would let anyone lock a victim out cheaply. A hard lock is lifted only by the
//! administrator's "Unlock" ([`Throttle::unlock`], and
//! [`Account::unlock`](crate::Account::unlock) for every lane at once), and for
//! the password lanes by a password reset; a backup code gets a contact past a
//! locked password lane without lifting the lock (see below). A later, laxer
//! policy does not lift it.
//!
//! **Requests that need no secret never lock anything.** Sending a code (an SMS
//! login code, an emailed reset code) checks no secret, so it is not a
//! [`Throttle`]: it is a [`SendLimit`], a bounded number of sends in a sliding
//! window ([`SendPolicy`], 5 an hour by default), so that the service cannot be
//! made to spam a victim's phone or mailbox. It always ends by itself, and it
//! never touches a throttle: an attacker who requests a thousand resets for a
//! victim slows down nobody's sign-in.
//!
//! **Which factor gets a contact past which lane, and why it is safe.**
//!
//! | The contact has                     | gets past                                   | because |
//! |-------------------------------------|---------------------------------------------|---------|
//! | a remembered device's cookie        | the password lane an attacker backs off     | password attempts that come with a valid device cookie use their own lane ([`Portal::sign_in_on_device`](crate::Portal::sign_in_on_device)); the cookie is a 256-bit MAC an attacker cannot guess, and that lane is throttled like the other |
//! | a valid backup code                 | the password lane, even a hard lock         | [`Portal::sign_in_with_backup_code`](crate::Portal::sign_in_with_backup_code) spends the backup code (through the backup-code lane) before it checks the password once, so each extra password check costs a backup code: at most as many as the contact has |
//! | the emailed reset code              | both password lanes (reset to zero)         | the password changes: failures against the old one say nothing any more |
//! | any second factor                   | nothing else                                | no success resets another lane: that would hand an attacker a fresh budget every time the contact signs in |
//! | a code from one of several authenticators | the contact's TOTP lane and that authenticator's own lane | every TOTP code is admitted by the contact's one TOTP lane, so N authenticators give a guesser no more attempts than one; a code that matches none counts once there and once on each authenticator tried; a match resets only its own authenticator's lane, so a sign-in with the phone does not reopen the token to a guesser (see [`authenticator`](crate::authenticator)) |
//! | the code confirming a new authenticator | nothing                                     | it is checked through the contact's TOTP lane (a wrong one counts), but a right one resets no lane: someone with the password and a session could otherwise add a token of their own to wipe a guesser's failures |
//! | the administrator's "Unlock"        | every lane                                  | the seeds' Unlock tab: the lever for whatever remains locked |
//!
//! **Clock glitches.** A stored failure time may lead the current time by at
//! most [`MAX_CLOCK_LEAD`] (an hour): within it, a clock that stepped back does
//! not shorten a wait; beyond it, the stored time is a glitch, not a failure
//! time, and is ignored (the count is kept, the next failure records the current
//! time). So one attempt at `now = u64::MAX` cannot lock a lane forever: from any
//! `now`, no lane waits longer than `MAX_CLOCK_LEAD + max_delay`
//! ([`Throttle::retry_at_from`]).
//!
//! # Using it
//!
//! The API makes the order of operations a matter of types: the only way to
//! record an outcome is through the [`Attempt`] that [`Throttle::admit`] returns,
//! and `admit` refuses a throttled attempt before the caller can check any secret.
//!
//! ```
//! use countersign::throttle::{Factor, Throttle, ThrottlePolicy};
//!
//! let policy = ThrottlePolicy::default(); // 5 free failures, then 1 s, 2 s, 4 s ... 15 min
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

use crate::one_time::Purpose;
use crate::{Error, Result};

/// The fewest consecutive failures at which a deployment may hard-lock a lane
/// (NIST SP 800-63B §5.2.2: "no more than 100 consecutive failed attempts"; a
/// lock below that is a denial of service anyone can cause).
pub const HARD_LOCK_FLOOR: u32 = 100;

/// The longest back-off delay any policy may impose: one day. A longer wait is
/// a lock by another name.
pub const MAX_DELAY_CEILING: u64 = 24 * 60 * 60;

/// How far a stored time may lead the current time before it is taken for a
/// clock glitch and ignored: one hour.
pub const MAX_CLOCK_LEAD: u64 = 60 * 60;

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
    /// A login code sent by SMS.
    SmsCode,
    /// A password reset code sent by email.
    ResetCode,
    /// A caller's security code, as given to support.
    SecurityCode,
}

impl fmt::Display for Factor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Password => "password",
            Self::Totp => "authentication code",
            Self::BackupCode => "backup code",
            Self::SmsCode => "SMS code",
            Self::ResetCode => "password reset code",
            Self::SecurityCode => "security code",
        })
    }
}

/// How many failures are free, how the back-off grows, and whether a hard lock
/// falls at all.
///
/// After failure number `n` (counting consecutive failures), the next attempt waits
/// `0` seconds while `n <= free_failures`, then `base_delay * 2^(n - free_failures - 1)`
/// seconds, never more than `max_delay`. Without [`ThrottlePolicy::with_hard_lock`]
/// nothing else happens, ever.
///
/// Serialized as its settings (`hard_lock_after` may be left out: no hard lock);
/// deserializing re-checks them, so an invalid policy cannot come from a
/// configuration file either.
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
/// assert_eq!(policy.delay_after(1_000), 900);
/// assert_eq!(policy.hard_lock_after(), None);
///
/// let strict = ThrottlePolicy::new(3, 2, 60)?.with_hard_lock(100)?;
/// assert_eq!(strict.delay_after(4), 2);
/// assert_eq!(strict.delay_after(9), 60);
/// assert_eq!(strict.hard_lock_after(), Some(100));
/// # Ok::<(), countersign::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "PolicySettings", into = "PolicySettings")]
pub struct ThrottlePolicy {
    free_failures: u32,
    base_delay: u64,
    max_delay: u64,
    hard_lock_after: Option<u32>,
}

/// The serialized form of a [`ThrottlePolicy`], checked on the way in.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicySettings {
    free_failures: u32,
    base_delay: u64,
    max_delay: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    hard_lock_after: Option<u32>,
    /// Before issue 12: read only to refuse it by name.
    #[serde(default, skip_serializing)]
    lock_after: Option<u32>,
}

impl ThrottlePolicy {
    /// A policy without hard lock: `free_failures` failures without delay, then a
    /// back-off starting at `base_delay` seconds and doubling up to `max_delay`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidThrottlePolicy`] if `base_delay` is 0, if `max_delay` is
    /// below `base_delay` or above [`MAX_DELAY_CEILING`].
    ///
    /// # Examples
    ///
    /// ```
    /// use countersign::throttle::ThrottlePolicy;
    ///
    /// assert!(ThrottlePolicy::new(5, 1, 900).is_ok());
    /// assert!(ThrottlePolicy::new(5, 0, 900).is_err(), "a back-off needs a delay");
    /// assert!(ThrottlePolicy::new(5, 1, 30 * 86_400).is_err(), "a month is a lock");
    /// ```
    pub fn new(free_failures: u32, base_delay: u64, max_delay: u64) -> Result<Self> {
        let reason = if base_delay == 0 {
            Some("base_delay must be at least 1 second")
        } else if max_delay < base_delay {
            Some("max_delay must be at least base_delay")
        } else if max_delay > MAX_DELAY_CEILING {
            Some("max_delay may be at most one day (86400 seconds): a longer wait is a lock")
        } else {
            None
        };
        match reason {
            Some(reason) => Err(Error::InvalidThrottlePolicy { reason }),
            None => Ok(Self {
                free_failures,
                base_delay,
                max_delay,
                hard_lock_after: None,
            }),
        }
    }

    /// The same policy with a hard lock at failure number `after`, which only the
    /// administrator's "Unlock" lifts. Opt in only where a deployment must.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidThrottlePolicy`] if `after` is below [`HARD_LOCK_FLOOR`] or
    /// not above `free_failures`.
    ///
    /// # Examples
    ///
    /// ```
    /// use countersign::throttle::ThrottlePolicy;
    ///
    /// let policy = ThrottlePolicy::default();
    /// assert!(policy.with_hard_lock(100).is_ok());
    /// assert!(policy.with_hard_lock(20).is_err(), "NIST SP 800-63B §5.2.2: not below 100");
    /// ```
    pub fn with_hard_lock(self, after: u32) -> Result<Self> {
        if after < HARD_LOCK_FLOOR {
            return Err(Error::InvalidThrottlePolicy {
                reason: "hard_lock_after may not be below 100 (NIST SP 800-63B §5.2.2): a lower lock is a denial of service",
            });
        }
        if after <= self.free_failures {
            return Err(Error::InvalidThrottlePolicy {
                reason: "hard_lock_after must be above free_failures",
            });
        }
        Ok(Self {
            hard_lock_after: Some(after),
            ..self
        })
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

    /// The failure count at which a lane locks until unlocked, if the deployment
    /// opted in; `None`: no hard lock, only the back-off.
    #[must_use]
    pub fn hard_lock_after(&self) -> Option<u32> {
        self.hard_lock_after
    }

    /// Seconds to wait after the `failures`-th consecutive failure before the next
    /// attempt (0: no wait). Ignores the hard lock; see [`Throttle::admit`].
    #[must_use]
    pub fn delay_after(&self, failures: u32) -> u64 {
        if failures <= self.free_failures {
            return 0;
        }
        // At least 0: `failures > free_failures`.
        let doublings = failures - self.free_failures - 1;
        let factor = 1u64.checked_shl(doublings).unwrap_or(u64::MAX);
        self.base_delay.saturating_mul(factor).min(self.max_delay)
    }

    fn locks_at(&self, failures: u32) -> bool {
        self.hard_lock_after.is_some_and(|after| failures >= after)
    }
}

impl Default for ThrottlePolicy {
    /// 5 free failures; then 1 s, 2 s, 4 s ... up to 15 minutes; no hard lock.
    ///
    /// Ten failures cost a minute of waiting, far more than a person mistyping
    /// ever needs; after that an online guesser gets four tries an hour per lane.
    fn default() -> Self {
        Self {
            free_failures: 5,
            base_delay: 1,
            max_delay: 15 * 60,
            hard_lock_after: None,
        }
    }
}

impl TryFrom<PolicySettings> for ThrottlePolicy {
    type Error = Error;

    fn try_from(s: PolicySettings) -> Result<Self> {
        if s.lock_after.is_some() {
            return Err(Error::InvalidThrottlePolicy {
                reason: "lock_after is gone: the back-off alone ends by itself; for a hard lock \
                         set hard_lock_after, at least 100 (NIST SP 800-63B §5.2.2)",
            });
        }
        let policy = Self::new(s.free_failures, s.base_delay, s.max_delay)?;
        match s.hard_lock_after {
            Some(after) => policy.with_hard_lock(after),
            None => Ok(policy),
        }
    }
}

impl From<ThrottlePolicy> for PolicySettings {
    fn from(p: ThrottlePolicy) -> Self {
        Self {
            free_failures: p.free_failures,
            base_delay: p.base_delay,
            max_delay: p.max_delay,
            hard_lock_after: p.hard_lock_after,
            lock_after: None,
        }
    }
}

/// The throttle state of one account and one lane: store it with the account.
///
/// Serde, versioned (`"v": 2`). Version 1, written before the lanes were split,
/// still reads: its shared `one_time_code` lane reads as the SMS code lane (an
/// account copies it into the reset code lane too), and a version 1 lock below
/// [`HARD_LOCK_FLOOR`] reads as the back-off of its count.
/// Deserializing checks that the fields agree, so a corrupted state is an error
/// rather than a silently unlocked lane.
///
/// # Examples
///
/// ```
/// use countersign::throttle::{Factor, Throttle, ThrottlePolicy};
///
/// let policy = ThrottlePolicy::new(0, 30, 30)?.with_hard_lock(100)?;
/// let mut throttle = Throttle::new(Factor::Password);
/// let mut now = 1_000;
/// for _ in 0..100 {
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

/// The factor as stored: version 1 had one lane for both kinds of one-time code.
#[derive(Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum StoredFactor {
    Password,
    Totp,
    BackupCode,
    SmsCode,
    ResetCode,
    SecurityCode,
    /// Version 1 only: the lane SMS login and password reset shared.
    OneTimeCode,
}

/// The stored form of a [`Throttle`], checked on the way in. Versions 1 and 2
/// have the same fields; version 2 names the split one-time code lanes, counts
/// past 100, and locks only at an opted-in threshold of at least 100.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ThrottleRecord {
    v: u32,
    factor: StoredFactor,
    failures: u32,
    last_failure_at: Option<u64>,
    locked: bool,
}

const THROTTLE_VERSION: u32 = 2;

impl TryFrom<ThrottleRecord> for Throttle {
    type Error = Error;

    fn try_from(r: ThrottleRecord) -> Result<Self> {
        const STATE: &str = "throttle";
        let corrupt = |reason| Error::CorruptState {
            state: STATE,
            reason,
        };
        if r.v != 1 {
            check_state_version(STATE, r.v, THROTTLE_VERSION)?;
        }
        if (r.failures == 0) != r.last_failure_at.is_none() {
            return Err(corrupt(
                "a failure count needs the time of the last failure, and only then",
            ));
        }
        let factor = match (r.v, r.factor) {
            (_, StoredFactor::Password) => Factor::Password,
            (_, StoredFactor::Totp) => Factor::Totp,
            (_, StoredFactor::BackupCode) => Factor::BackupCode,
            (_, StoredFactor::SecurityCode) => Factor::SecurityCode,
            // Version 1's shared lane is read as the SMS code lane; the account
            // reader copies it into the reset code lane as well.
            (1, StoredFactor::OneTimeCode) => Factor::SmsCode,
            (1, _) => return Err(corrupt("a version 1 throttle names a version 2 factor")),
            (_, StoredFactor::SmsCode) => Factor::SmsCode,
            (_, StoredFactor::ResetCode) => Factor::ResetCode,
            (_, StoredFactor::OneTimeCode) => {
                return Err(corrupt(
                    "the shared one-time code lane is gone since version 2",
                ));
            }
        };
        let locked = if r.v == 1 {
            if r.failures > 100 {
                return Err(corrupt("more consecutive failures than any policy allows"));
            }
            if r.locked && r.failures == 0 {
                return Err(corrupt("locked without any failure"));
            }
            // Version 1 locked at 20 failures by default: exactly the lock anyone
            // could cause. Such a lock becomes the back-off of its count; only a
            // lock at the floor that version 2 allows is kept.
            r.locked && r.failures >= HARD_LOCK_FLOOR
        } else {
            if r.locked && r.failures < HARD_LOCK_FLOOR {
                return Err(corrupt("locked below the hard lock floor of 100 failures"));
            }
            r.locked
        };
        Ok(Self {
            factor,
            failures: r.failures,
            last_failure_at: r.last_failure_at,
            locked,
        })
    }
}

impl From<Throttle> for ThrottleRecord {
    fn from(t: Throttle) -> Self {
        Self {
            v: THROTTLE_VERSION,
            factor: match t.factor {
                Factor::Password => StoredFactor::Password,
                Factor::Totp => StoredFactor::Totp,
                Factor::BackupCode => StoredFactor::BackupCode,
                Factor::SmsCode => StoredFactor::SmsCode,
                Factor::ResetCode => StoredFactor::ResetCode,
                Factor::SecurityCode => StoredFactor::SecurityCode,
            },
            failures: t.failures,
            last_failure_at: t.last_failure_at,
            locked: t.locked,
        }
    }
}

/// The stored failure time as seen from `now`: `None` when there is none, or
/// when it leads `now` by more than [`MAX_CLOCK_LEAD`] (a clock glitch).
fn plausible(last: Option<u64>, now: u64) -> Option<u64> {
    last.filter(|&last| last <= now.saturating_add(MAX_CLOCK_LEAD))
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

    /// The same state for another factor: version 1's shared one-time code lane
    /// becomes both one-time code lanes.
    pub(crate) fn for_factor(self, factor: Factor) -> Self {
        Self { factor, ..self }
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

    /// Whether the lane is hard-locked under `policy`: it locked when the failure
    /// count reached an opted-in threshold, or the count is at or over this
    /// policy's threshold. Only [`Throttle::unlock`] lifts a lock; a later,
    /// laxer policy does not.
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
        self.locked || policy.locks_at(self.failures)
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
    /// time at all while the lane is hard-locked (only with an opted-in hard lock).
    ///
    /// # Examples
    ///
    /// ```
    /// use countersign::throttle::{Factor, Throttle, ThrottlePolicy};
    ///
    /// let policy = ThrottlePolicy::new(1, 10, 60)?;
    /// let mut throttle = Throttle::new(Factor::SmsCode);
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
        if let Some(retry_at) = self.retry_at_from(policy, now)
            && now < retry_at
        {
            return Err(Throttled {
                factor: self.factor,
                retry_at: Some(retry_at),
            });
        }
        Ok(self.attempt(policy, now))
    }

    /// An attempt that skips admission: only for a password check that a spent
    /// backup code paid for (see the module docs), never for anything else.
    pub(crate) fn admit_paid(&self, policy: &ThrottlePolicy, now: u64) -> Attempt {
        self.attempt(policy, now)
    }

    fn attempt(&self, policy: &ThrottlePolicy, now: u64) -> Attempt {
        Attempt {
            throttle: self.clone(),
            policy: *policy,
            now,
        }
    }

    /// When the back-off delay after the last failure ends, as stored (`None`
    /// when there is no delay). Says nothing of the hard lock (see
    /// [`Throttle::is_locked`]) nor of clock glitches (see
    /// [`Throttle::retry_at_from`], which [`Throttle::admit`] uses).
    #[must_use]
    pub fn retry_at(&self, policy: &ThrottlePolicy) -> Option<u64> {
        let last = self.last_failure_at?;
        match policy.delay_after(self.failures) {
            0 => None,
            delay => Some(last.saturating_add(delay)),
        }
    }

    /// When the back-off delay ends, seen from `now`: as [`Throttle::retry_at`],
    /// except that a stored failure time more than [`MAX_CLOCK_LEAD`] ahead of
    /// `now` is a clock glitch and imposes no wait. So the answer is never later
    /// than `now + MAX_CLOCK_LEAD + policy.max_delay()`, and an attempt at that
    /// time is admitted (unless hard-locked).
    ///
    /// # Examples
    ///
    /// ```
    /// use countersign::throttle::{Factor, Throttle, ThrottlePolicy};
    ///
    /// let policy = ThrottlePolicy::new(0, 60, 900)?;
    /// // One failure recorded by a clock that jumped to the end of time.
    /// let glitched = Throttle::new(Factor::Password).admit(&policy, u64::MAX)?.failed();
    /// assert_eq!(glitched.retry_at(&policy), Some(u64::MAX));
    /// assert_eq!(glitched.retry_at_from(&policy, 1_700_000_000), None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn retry_at_from(&self, policy: &ThrottlePolicy, now: u64) -> Option<u64> {
        let last = plausible(self.last_failure_at, now)?;
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

    /// The secret was wrong: one more consecutive failure, and the hard lock if
    /// that reaches the policy's opted-in threshold. Returns the state to store.
    #[must_use = "store the returned throttle, or the failure is not counted"]
    pub fn failed(self) -> Throttle {
        let before = self.throttle;
        let failures = before.failures.saturating_add(1);
        // A clock that stepped back (within MAX_CLOCK_LEAD) must not shorten the
        // current delay; a stored time further ahead is a glitch and is replaced.
        let last =
            plausible(before.last_failure_at, self.now).map_or(self.now, |last| last.max(self.now));
        Throttle {
            factor: before.factor,
            failures,
            last_failure_at: Some(last),
            locked: before.locked || self.policy.locks_at(failures),
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
/// let policy = ThrottlePolicy::new(0, 60, 60)?;
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

/// The most sends any [`SendPolicy`] allows per window.
pub const MAX_SENDS_CEILING: u32 = 20;

/// How many codes may be sent to one contact in a sliding window.
///
/// # Examples
///
/// ```
/// use countersign::throttle::SendPolicy;
///
/// let policy = SendPolicy::default();
/// assert_eq!((policy.max_sends(), policy.window()), (5, 3_600));
/// assert!(SendPolicy::new(3, 600).is_ok());
/// assert!(SendPolicy::new(0, 600).is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "SendPolicySettings", into = "SendPolicySettings")]
pub struct SendPolicy {
    max_sends: u32,
    window: u64,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SendPolicySettings {
    max_sends: u32,
    window: u64,
}

impl SendPolicy {
    /// At most `max_sends` codes in any `window` seconds.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidThrottlePolicy`] unless `max_sends` is 1 to
    /// [`MAX_SENDS_CEILING`] and `window` is 1 second to one day.
    pub fn new(max_sends: u32, window: u64) -> Result<Self> {
        if max_sends == 0 || max_sends > MAX_SENDS_CEILING {
            return Err(Error::InvalidThrottlePolicy {
                reason: "max_sends must be 1 to 20",
            });
        }
        if window == 0 || window > MAX_DELAY_CEILING {
            return Err(Error::InvalidThrottlePolicy {
                reason: "a send window must be 1 second to one day",
            });
        }
        Ok(Self { max_sends, window })
    }

    /// Sends allowed per window.
    #[must_use]
    pub fn max_sends(&self) -> u32 {
        self.max_sends
    }

    /// The window, in seconds.
    #[must_use]
    pub fn window(&self) -> u64 {
        self.window
    }
}

impl Default for SendPolicy {
    /// 5 codes an hour: enough for a person whose messages are slow to arrive,
    /// too few to make a phone or a mailbox unusable.
    fn default() -> Self {
        Self {
            max_sends: 5,
            window: 60 * 60,
        }
    }
}

impl TryFrom<SendPolicySettings> for SendPolicy {
    type Error = Error;

    fn try_from(s: SendPolicySettings) -> Result<Self> {
        Self::new(s.max_sends, s.window)
    }
}

impl From<SendPolicy> for SendPolicySettings {
    fn from(p: SendPolicy) -> Self {
        Self {
            max_sends: p.max_sends,
            window: p.window,
        }
    }
}

/// The codes sent to one contact for one purpose: when, within the window.
///
/// Sending needs no secret, so it is never a lock: the oldest send leaves the
/// window and the next is allowed. Serde, versioned (`"v": 1`).
///
/// # Examples
///
/// ```
/// use countersign::Error;
/// use countersign::one_time::Purpose;
/// use countersign::throttle::{SendLimit, SendPolicy};
///
/// let policy = SendPolicy::new(2, 600)?;
/// let mut sends = SendLimit::new();
/// sends.record(&policy, Purpose::EmailPasswordReset, 1_000)?;
/// sends.record(&policy, Purpose::EmailPasswordReset, 1_010)?;
/// let refused = sends.record(&policy, Purpose::EmailPasswordReset, 1_020).unwrap_err();
/// assert!(matches!(refused, Error::TooManyCodesSent { retry_at: 1_600, .. }));
/// sends.record(&policy, Purpose::EmailPasswordReset, 1_600)?;
/// # Ok::<(), countersign::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "SendRecord", into = "SendRecord")]
pub struct SendLimit {
    sent_at: Vec<u64>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SendRecord {
    v: u32,
    sent_at: Vec<u64>,
}

const SEND_VERSION: u32 = 1;

impl TryFrom<SendRecord> for SendLimit {
    type Error = Error;

    fn try_from(r: SendRecord) -> Result<Self> {
        check_state_version("send limit", r.v, SEND_VERSION)?;
        if u32::try_from(r.sent_at.len()).map_or(true, |n| n > MAX_SENDS_CEILING) {
            return Err(Error::CorruptState {
                state: "send limit",
                reason: "more sends than any policy allows",
            });
        }
        Ok(Self { sent_at: r.sent_at })
    }
}

impl From<SendLimit> for SendRecord {
    fn from(s: SendLimit) -> Self {
        Self {
            v: SEND_VERSION,
            sent_at: s.sent_at,
        }
    }
}

impl SendLimit {
    /// No codes sent.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The sends still in the window at `now` (glitched future times excluded).
    #[must_use]
    pub fn sends_in_window(&self, policy: &SendPolicy, now: u64) -> usize {
        self.live(policy, now).count()
    }

    fn live<'a>(&'a self, policy: &SendPolicy, now: u64) -> impl Iterator<Item = u64> + 'a {
        let window = policy.window;
        self.sent_at.iter().copied().filter(move |&at| {
            plausible(Some(at), now).is_some() && at.saturating_add(window) > now
        })
    }

    /// Records one send at `now` for `purpose`, if the window has room. Sends
    /// that left the window, and times more than [`MAX_CLOCK_LEAD`] ahead of
    /// `now` (clock glitches), are forgotten either way.
    ///
    /// # Errors
    ///
    /// [`Error::TooManyCodesSent`] with the time the oldest send leaves the
    /// window, when a send is allowed again; no send is recorded.
    pub fn record(&mut self, policy: &SendPolicy, purpose: Purpose, now: u64) -> Result<()> {
        let mut live: Vec<u64> = self.live(policy, now).collect();
        live.sort_unstable();
        self.sent_at.clone_from(&live);
        let max = usize::try_from(policy.max_sends).unwrap_or(usize::MAX);
        if live.len() >= max {
            let oldest = live[live.len() - max];
            return Err(Error::TooManyCodesSent {
                purpose,
                retry_at: oldest.saturating_add(policy.window),
            });
        }
        live.push(now);
        self.sent_at = live;
        Ok(())
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    const T0: u64 = 1_700_000_000;

    #[test]
    fn failures_up_to_free_failures_are_free_even_at_the_u32_ceiling() {
        // "0 seconds while n <= free_failures": with every count free, the last one is
        // too (its `free_failures + 1` must not saturate into a delay).
        let all_free = ThrottlePolicy::new(u32::MAX, 1, 60).unwrap();
        assert_eq!(all_free.delay_after(u32::MAX), 0);
        assert_eq!(all_free.delay_after(u32::MAX - 1), 0);
        let five = ThrottlePolicy::new(5, 1, 60).unwrap();
        assert_eq!(five.delay_after(5), 0);
        assert_eq!(five.delay_after(6), 1);
        assert_eq!(five.delay_after(u32::MAX), 60);
    }

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

    fn locking() -> ThrottlePolicy {
        ThrottlePolicy::new(2, 1, 4)
            .unwrap()
            .with_hard_lock(HARD_LOCK_FLOOR)
            .unwrap()
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
    fn the_default_never_locks_and_the_wait_stays_capped() {
        let policy = ThrottlePolicy::default();
        let (throttle, now) = fail_n(&policy, 1_000);
        assert!(!throttle.is_locked(&policy));
        assert_eq!(throttle.consecutive_failures(), 1_000);
        let refused = throttle.admit(&policy, now).unwrap_err();
        assert_eq!(refused.retry_at(), Some(now + 900));
        assert!(throttle.admit(&policy, now + 900).is_ok());
    }

    #[test]
    fn locks_at_the_threshold_and_not_before() {
        let policy = locking();
        let (throttle, now) = fail_n(&policy, HARD_LOCK_FLOOR - 1);
        assert!(!throttle.is_locked(&policy));
        let retry_at = throttle.retry_at(&policy).unwrap();
        assert!(
            throttle.admit(&policy, retry_at).is_ok(),
            "not locked at 99 of 100"
        );
        let (throttle, now2) = fail_n(&policy, HARD_LOCK_FLOOR);
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
        let policy = ThrottlePolicy::new(0, 100, 100).unwrap();
        let (throttle, now) = fail_n(&policy, 1);
        assert!(throttle.admit(&policy, now + 10).is_err());
        let throttle = throttle.unlock();
        assert_eq!(throttle.consecutive_failures(), 0);
        assert_eq!(throttle.last_failure_at(), None);
        assert!(throttle.admit(&policy, now).is_ok());
        let (locked, now) = fail_n(&locking(), HARD_LOCK_FLOOR);
        assert!(locked.admit(&locking(), now).is_err());
        assert!(locked.unlock().admit(&locking(), now).is_ok());
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
        let (throttle, now) = fail_n(&locking(), HARD_LOCK_FLOOR);
        let lax = ThrottlePolicy::new(5, 1, 1).unwrap();
        assert!(throttle.admit(&lax, now + 1000).unwrap_err().is_locked());
    }

    #[test]
    fn a_stricter_policy_locks_an_over_threshold_count() {
        let lax = ThrottlePolicy::default();
        let (throttle, now) = fail_n(&lax, HARD_LOCK_FLOOR);
        assert!(throttle.admit(&lax, now + 10_000).is_ok());
        let strict = lax.with_hard_lock(HARD_LOCK_FLOOR).unwrap();
        assert!(
            throttle
                .admit(&strict, now + 10_000)
                .unwrap_err()
                .is_locked()
        );
    }

    #[test]
    fn clock_stepping_back_does_not_shorten_the_delay() {
        let policy = ThrottlePolicy::new(0, 100, 100).unwrap();
        let t = Throttle::new(Factor::Password)
            .admit(&policy, 1_000)
            .unwrap()
            .failed();
        let t = t.admit(&policy, 1_100).unwrap().failed();
        assert_eq!(t.retry_at(&policy), Some(1_200));
        assert!(t.admit(&policy, 500).is_err());
    }

    #[test]
    fn a_far_future_failure_time_is_a_glitch_not_a_lock() {
        let policy = ThrottlePolicy::new(0, 60, 900).unwrap();
        let glitched = Throttle::new(Factor::Password)
            .admit(&policy, u64::MAX)
            .unwrap()
            .failed();
        assert_eq!(glitched.retry_at_from(&policy, T0), None);
        let next = glitched.admit(&policy, T0).unwrap().failed();
        assert_eq!(next.consecutive_failures(), 2, "the count is kept");
        assert_eq!(
            next.last_failure_at(),
            Some(T0),
            "the real time replaces it"
        );
        assert_eq!(
            next.admit(&policy, T0).unwrap_err().retry_at(),
            Some(T0 + 120)
        );
        // Within the bound, a lead is honoured.
        let ahead = Throttle {
            last_failure_at: Some(T0 + MAX_CLOCK_LEAD),
            ..next
        };
        assert_eq!(
            ahead.admit(&policy, T0).unwrap_err().retry_at(),
            Some(T0 + MAX_CLOCK_LEAD + 120)
        );
    }

    #[test]
    fn from_any_time_no_lane_waits_longer_than_the_bound() {
        let policy = ThrottlePolicy::new(0, MAX_DELAY_CEILING / 2, MAX_DELAY_CEILING).unwrap();
        for last in [
            0,
            T0,
            T0 + MAX_CLOCK_LEAD,
            T0 + MAX_CLOCK_LEAD + 1,
            u64::MAX,
        ] {
            for failures in [1, 2, 50, u32::MAX] {
                let throttle = Throttle {
                    factor: Factor::Totp,
                    failures,
                    last_failure_at: Some(last),
                    locked: false,
                };
                // Refused now, the retry time is within the bound and admits.
                match throttle.admit(&policy, T0) {
                    Ok(_) => {}
                    Err(refused) => {
                        let at = refused.retry_at().unwrap();
                        assert!(
                            at <= T0 + MAX_CLOCK_LEAD + MAX_DELAY_CEILING,
                            "{last} {failures}: {at}"
                        );
                        assert!(throttle.admit(&policy, at).is_ok(), "{last} {failures}");
                    }
                }
            }
        }
    }

    #[test]
    fn delay_saturates_without_overflow() {
        let policy = ThrottlePolicy::new(0, MAX_DELAY_CEILING / 2, MAX_DELAY_CEILING).unwrap();
        assert_eq!(policy.delay_after(99), MAX_DELAY_CEILING);
        assert_eq!(policy.delay_after(u32::MAX), MAX_DELAY_CEILING);
        let never_free = ThrottlePolicy::new(u32::MAX, 1, 1).unwrap();
        assert_eq!(never_free.delay_after(u32::MAX - 1), 0);
        let throttle = Throttle::new(Factor::Totp)
            .admit(&policy, u64::MAX)
            .unwrap()
            .failed();
        assert_eq!(throttle.retry_at(&policy), Some(u64::MAX));
        let mut counted = Throttle {
            failures: u32::MAX - 1,
            last_failure_at: Some(0),
            ..Throttle::new(Factor::Totp)
        };
        for _ in 0..3 {
            counted = counted.admit_paid(&policy, 0).failed();
        }
        assert_eq!(counted.consecutive_failures(), u32::MAX);
    }

    #[test]
    fn policy_rules() {
        let read_back = ThrottlePolicy::new(5, 2, 900).unwrap();
        assert_eq!(
            (
                read_back.free_failures(),
                read_back.base_delay(),
                read_back.max_delay()
            ),
            (5, 2, 900)
        );
        assert!(ThrottlePolicy::new(0, 1, 1).is_ok());
        assert!(ThrottlePolicy::new(u32::MAX, 1, MAX_DELAY_CEILING).is_ok());
        for (free, base, max) in [(0, 0, 1), (0, 2, 1), (0, 1, MAX_DELAY_CEILING + 1)] {
            assert!(
                matches!(
                    ThrottlePolicy::new(free, base, max),
                    Err(Error::InvalidThrottlePolicy { .. })
                ),
                "{free} {base} {max}"
            );
        }
        let policy = ThrottlePolicy::default();
        assert!(policy.with_hard_lock(HARD_LOCK_FLOOR).is_ok());
        assert!(policy.with_hard_lock(u32::MAX).is_ok());
        for bad in [0, 1, 20, HARD_LOCK_FLOOR - 1] {
            assert!(policy.with_hard_lock(bad).is_err(), "{bad}");
        }
        let generous = ThrottlePolicy::new(200, 1, 1).unwrap();
        assert!(
            generous.with_hard_lock(150).is_err(),
            "not above free_failures"
        );
        for bad in [
            r#"{"free_failures":5,"base_delay":1,"max_delay":900,"hard_lock_after":20}"#,
            r#"{"free_failures":5,"base_delay":1,"max_delay":900,"lock_after":20}"#,
            r#"{"free_failures":5,"base_delay":1,"max_delay":9000000}"#,
        ] {
            assert!(
                serde_json::from_str::<ThrottlePolicy>(bad).is_err(),
                "{bad}"
            );
        }
        let old = r#"{"free_failures":5,"base_delay":1,"max_delay":900,"lock_after":20}"#;
        let refused = serde_json::from_str::<ThrottlePolicy>(old)
            .unwrap_err()
            .to_string();
        assert!(refused.contains("hard_lock_after"), "{refused}");
        let default = serde_json::to_string(&ThrottlePolicy::default()).unwrap();
        assert_eq!(
            default,
            r#"{"free_failures":5,"base_delay":1,"max_delay":900}"#
        );
        assert_eq!(
            serde_json::from_str::<ThrottlePolicy>(&default).unwrap(),
            ThrottlePolicy::default()
        );
        let locking = locking();
        let json = serde_json::to_string(&locking).unwrap();
        assert_eq!(
            serde_json::from_str::<ThrottlePolicy>(&json).unwrap(),
            locking
        );
    }

    #[test]
    fn state_round_trips_and_rejects_corruption() {
        let policy = ThrottlePolicy::default();
        let (throttle, _) = fail_n(&policy, 7);
        let json = serde_json::to_string(&throttle).unwrap();
        assert!(json.contains(r#""v":2"#), "{json}");
        assert_eq!(serde_json::from_str::<Throttle>(&json).unwrap(), throttle);
        let (locked, _) = fail_n(&locking(), HARD_LOCK_FLOOR);
        let json = serde_json::to_string(&locked).unwrap();
        assert_eq!(serde_json::from_str::<Throttle>(&json).unwrap(), locked);
        for bad in [
            r#"{"v":3,"factor":"totp","failures":0,"last_failure_at":null,"locked":false}"#,
            r#"{"v":2,"factor":"totp","failures":3,"last_failure_at":null,"locked":false}"#,
            r#"{"v":2,"factor":"totp","failures":0,"last_failure_at":5,"locked":false}"#,
            r#"{"v":2,"factor":"totp","failures":50,"last_failure_at":5,"locked":true}"#,
            r#"{"v":2,"factor":"totp","failures":0,"last_failure_at":null,"locked":true}"#,
            r#"{"v":2,"factor":"one_time_code","failures":0,"last_failure_at":null,"locked":false}"#,
            r#"{"v":2,"factor":"sms","failures":0,"last_failure_at":null,"locked":false}"#,
            r#"{"v":1,"factor":"sms_code","failures":0,"last_failure_at":null,"locked":false}"#,
            r#"{"v":1,"factor":"totp","failures":101,"last_failure_at":5,"locked":true}"#,
            r#"{"v":1,"factor":"totp","failures":0,"last_failure_at":null,"locked":true}"#,
        ] {
            assert!(serde_json::from_str::<Throttle>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn version_1_states_still_read() {
        let shared: Throttle = serde_json::from_str(
            r#"{"v":1,"factor":"one_time_code","failures":3,"last_failure_at":5,"locked":false}"#,
        )
        .unwrap();
        assert_eq!(shared.factor(), Factor::SmsCode);
        assert_eq!(shared.consecutive_failures(), 3);
        // Version 1's lock at 20 becomes the back-off of its count.
        let locked_at_20: Throttle = serde_json::from_str(
            r#"{"v":1,"factor":"password","failures":20,"last_failure_at":5,"locked":true}"#,
        )
        .unwrap();
        let policy = ThrottlePolicy::default();
        assert!(!locked_at_20.is_locked(&policy));
        assert_eq!(
            locked_at_20.admit(&policy, 5).unwrap_err().retry_at(),
            Some(905)
        );
        let locked_at_100: Throttle = serde_json::from_str(
            r#"{"v":1,"factor":"password","failures":100,"last_failure_at":5,"locked":true}"#,
        )
        .unwrap();
        assert!(
            locked_at_100.is_locked(&policy),
            "a lock the floor allows is kept"
        );
    }

    #[test]
    fn throttled_converts_into_the_facade_error() {
        let (throttle, now) = fail_n(&locking(), HARD_LOCK_FLOOR);
        let err: Error = throttle.admit(&locking(), now).unwrap_err().into();
        assert!(matches!(err, Error::Throttled(t) if t.is_locked()));
        assert_eq!(
            err.to_string(),
            "too many wrong authentication code attempts: locked until an administrator unlocks it"
        );
    }

    #[test]
    fn sends_are_bounded_in_a_sliding_window_that_ends_by_itself() {
        let policy = SendPolicy::new(3, 600).unwrap();
        let purpose = Purpose::SmsLogin;
        let mut sends = SendLimit::new();
        for at in [T0, T0 + 100, T0 + 200] {
            sends.record(&policy, purpose, at).unwrap();
        }
        let refused = sends.record(&policy, purpose, T0 + 300).unwrap_err();
        assert!(
            matches!(refused, Error::TooManyCodesSent { retry_at, .. } if retry_at == T0 + 600)
        );
        assert_eq!(
            sends.sends_in_window(&policy, T0 + 300),
            3,
            "a refusal records nothing"
        );
        sends.record(&policy, purpose, T0 + 600).unwrap();
        assert!(sends.record(&policy, purpose, T0 + 650).is_err());
        // A send recorded by a glitched clock does not block the real time.
        let mut glitched = SendLimit::new();
        for _ in 0..3 {
            let _ = glitched.record(&policy, purpose, u64::MAX);
        }
        assert!(glitched.record(&policy, purpose, T0).is_ok());
        let json = serde_json::to_string(&sends).unwrap();
        assert!(json.starts_with(r#"{"v":1,"sent_at":["#), "{json}");
        assert_eq!(serde_json::from_str::<SendLimit>(&json).unwrap(), sends);
        // A stored list of the most sends any policy allows is read, one more is not.
        let stored = |n: usize| format!(r#"{{"v":1,"sent_at":[{}]}}"#, vec!["1"; n].join(","));
        let most = usize::try_from(MAX_SENDS_CEILING).unwrap();
        assert!(serde_json::from_str::<SendLimit>(&stored(most)).is_ok());
        assert!(serde_json::from_str::<SendLimit>(&stored(most + 1)).is_err());
    }

    #[test]
    fn a_deployments_send_policy_is_read_as_written() {
        let policy: SendPolicy = serde_json::from_str(r#"{"max_sends":3,"window":600}"#).unwrap();
        assert_eq!((policy.max_sends(), policy.window()), (3, 600));
        assert_eq!(
            serde_json::to_string(&policy).unwrap(),
            r#"{"max_sends":3,"window":600}"#
        );
        for bad in [
            r#"{"max_sends":0,"window":600}"#,
            r#"{"max_sends":21,"window":600}"#,
            r#"{"max_sends":3,"window":0}"#,
            r#"{"max_sends":3,"window":600,"burst":2}"#,
        ] {
            assert!(serde_json::from_str::<SendPolicy>(bad).is_err(), "{bad}");
        }
    }
}
