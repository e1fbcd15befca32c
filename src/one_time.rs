//! One-time codes sent by SMS (login) or email (password reset), seeds 003 and 004.
//!
//! [`PendingCode::issue`] makes a random numeric code and returns two things: a
//! [`Delivery`] (the plain code, its destination and purpose) for the service to
//! send, and the [`PendingCode`] to store with the account. The stored state holds
//! only HMAC-SHA256 of the code under the [`ServerKey`]: a stolen database row
//! does not give the code away, since a plain or salted hash of a 6-digit code
//! falls to a million guesses in microseconds and a keyed one cannot be tried
//! without the key.
//!
//! A code is accepted at most once, only before it expires, only for the purpose
//! it was issued for (the purpose is inside the MAC, so editing the stored purpose
//! does not help either), and only within a bounded number of tries: after that
//! it is dead and a new one must be requested. Comparison is constant-time.
//!
//! ```
//! use countersign::ServerKey;
//! use countersign::one_time::{OneTimePolicy, PendingCode, Purpose};
//!
//! let key = ServerKey::generate();
//! let now = 1_700_000_000;
//! let (delivery, mut pending) = PendingCode::issue(
//!     &key,
//!     Purpose::SmsLogin,
//!     &OneTimePolicy::for_purpose(Purpose::SmsLogin), // 6 digits, 5 minutes, 5 tries
//!     "+1 555 0100",
//!     now,
//! );
//! // The service texts `delivery.code.as_str()` to `delivery.destination`,
//! // and stores `pending` (serde) with the account.
//! assert_eq!(delivery.code.as_str().len(), 6);
//!
//! let typed = delivery.code.as_str().to_owned();
//! pending.verify(&key, Purpose::SmsLogin, &typed, now + 60)?;
//! assert!(pending.verify(&key, Purpose::SmsLogin, &typed, now + 61).is_err(), "single use");
//! # Ok::<(), countersign::Error>(())
//! ```
//!
//! The digest names the server key that made it ([`KeyId`]): a code issued
//! under a key since retired still verifies while the key ring holds that key.
//! It cannot be re-made under another key (only its digest is stored), and it
//! does not need to be: it dies within its lifetime, at most a day.
//!
//! The state changes on every verification that gets as far as comparing a code
//! (a try is used, or the code is spent): store it after each call, whatever the
//! result.

use crate::error::check_state_version;
use core::fmt;

use hmac::Mac;
use rand::CryptoRng;
use rand::distr::{Distribution, Uniform};
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::key_ring::{KeyId, ServerKeys};
use crate::{Error, Result, ServerKey, hex};

/// Domain label of one-time code hashes (see [`ServerKey`]).
const DOMAIN: &[u8] = b"countersign/one-time-code/v1\0";
const NONCE_LEN: usize = 16;
const DIGEST_LEN: usize = 32;
/// Fewest digits: NIST SP 800-63B §5.1.3.2 asks out-of-band secrets for at least
/// 20 bits of entropy, which NIST accepts 6 random decimal digits (19.93 bits) as
/// meeting.
const MIN_DIGITS: u8 = 6;
/// Most digits: 10^10 still fits a `u64` draw with a negligible rejection rate.
const MAX_DIGITS: u8 = 10;
/// The most tries any policy allows per code.
pub const MAX_TRIES_CEILING: u32 = 10;
/// The longest any policy lets a code live: one day.
pub const MAX_LIFETIME: u64 = 24 * 60 * 60;
/// Typed input longer than this is refused before looking at it.
const MAX_INPUT_LEN: usize = 64;

/// What a one-time code is for. Bound into the code's hash: a code issued for one
/// purpose is never accepted for another.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Purpose {
    /// The second factor at login, sent by SMS to the contact's cell phone (seed 004).
    SmsLogin,
    /// A password reset, sent by email (seed 003: "This code will quickly expire").
    EmailPasswordReset,
}

impl Purpose {
    /// How the code travels.
    ///
    /// # Examples
    ///
    /// ```
    /// use countersign::one_time::{Channel, Purpose};
    ///
    /// assert_eq!(Purpose::SmsLogin.channel(), Channel::Sms);
    /// assert_eq!(Purpose::EmailPasswordReset.channel(), Channel::Email);
    /// ```
    #[must_use]
    pub fn channel(self) -> Channel {
        match self {
            Self::SmsLogin => Channel::Sms,
            Self::EmailPasswordReset => Channel::Email,
        }
    }

    fn tag(self) -> u8 {
        match self {
            Self::SmsLogin => 1,
            Self::EmailPasswordReset => 2,
        }
    }
}

impl fmt::Display for Purpose {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::SmsLogin => "signing in",
            Self::EmailPasswordReset => "resetting your password",
        })
    }
}

/// How a one-time code reaches the person.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Channel {
    /// A text message to a cell phone.
    Sms,
    /// An email.
    Email,
}

/// How long a code is, how long it lives and how many tries it allows.
///
/// # Examples
///
/// ```
/// use countersign::one_time::{OneTimePolicy, Purpose};
///
/// let sms = OneTimePolicy::for_purpose(Purpose::SmsLogin);
/// assert_eq!((sms.digits(), sms.lifetime(), sms.max_tries()), (6, 300, 5));
/// let email = OneTimePolicy::for_purpose(Purpose::EmailPasswordReset);
/// assert_eq!((email.digits(), email.lifetime(), email.max_tries()), (8, 900, 5));
/// assert!(OneTimePolicy::new(4, 300, 5).is_err(), "too short");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "OneTimePolicySettings", into = "OneTimePolicySettings")]
pub struct OneTimePolicy {
    digits: u8,
    lifetime: u64,
    max_tries: u32,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct OneTimePolicySettings {
    digits: u8,
    lifetime: u64,
    max_tries: u32,
}

impl OneTimePolicy {
    /// A policy: `digits` decimal digits, valid for `lifetime` seconds, dead after
    /// `max_tries` wrong tries.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidOneTimePolicy`] unless `digits` is 6 to 10, `lifetime` is 1
    /// second to [`MAX_LIFETIME`], and `max_tries` is 1 to [`MAX_TRIES_CEILING`].
    pub fn new(digits: u8, lifetime: u64, max_tries: u32) -> Result<Self> {
        let reason = if !(MIN_DIGITS..=MAX_DIGITS).contains(&digits) {
            Some(
                "digits must be 6 to 10 (NIST SP 800-63B §5.1.3.2: about 20 bits of entropy at least)",
            )
        } else if lifetime == 0 || lifetime > MAX_LIFETIME {
            Some("lifetime must be 1 second to 1 day")
        } else if max_tries == 0 || max_tries > MAX_TRIES_CEILING {
            Some("max_tries must be 1 to 10")
        } else {
            None
        };
        match reason {
            Some(reason) => Err(Error::InvalidOneTimePolicy { reason }),
            None => Ok(Self {
                digits,
                lifetime,
                max_tries,
            }),
        }
    }

    /// The defaults for `purpose`.
    ///
    /// - SMS login: 6 digits, 5 minutes, 5 tries (seed 004's six-digit codes).
    /// - Email password reset: 8 digits, 15 minutes, 5 tries. The seed only says
    ///   the code "will quickly expire"; a reset replaces the password, so it gets
    ///   two more digits, which cost nothing when the code is copied from an email.
    #[must_use]
    pub fn for_purpose(purpose: Purpose) -> Self {
        match purpose {
            Purpose::SmsLogin => Self {
                digits: 6,
                lifetime: 5 * 60,
                max_tries: 5,
            },
            Purpose::EmailPasswordReset => Self {
                digits: 8,
                lifetime: 15 * 60,
                max_tries: 5,
            },
        }
    }

    /// Digits per code.
    #[must_use]
    pub fn digits(&self) -> u8 {
        self.digits
    }

    /// Seconds a code stays valid.
    #[must_use]
    pub fn lifetime(&self) -> u64 {
        self.lifetime
    }

    /// Wrong tries before a code dies.
    #[must_use]
    pub fn max_tries(&self) -> u32 {
        self.max_tries
    }
}

impl TryFrom<OneTimePolicySettings> for OneTimePolicy {
    type Error = Error;

    fn try_from(s: OneTimePolicySettings) -> Result<Self> {
        Self::new(s.digits, s.lifetime, s.max_tries)
    }
}

impl From<OneTimePolicy> for OneTimePolicySettings {
    fn from(p: OneTimePolicy) -> Self {
        Self {
            digits: p.digits,
            lifetime: p.lifetime,
            max_tries: p.max_tries,
        }
    }
}

/// A plain one-time code, to be sent once and never stored. `Debug` prints
/// `[redacted]`; the text is zeroized on drop.
///
/// # Examples
///
/// ```
/// use countersign::ServerKey;
/// use countersign::one_time::{OneTimePolicy, PendingCode, Purpose};
///
/// let policy = OneTimePolicy::for_purpose(Purpose::SmsLogin);
/// let (delivery, _) = PendingCode::issue(&ServerKey::generate(), Purpose::SmsLogin, &policy, "+1 555 0100", 0);
/// assert_eq!(format!("{:?}", delivery.code), "OneTimeCode([redacted])");
/// assert!(delivery.code.as_str().bytes().all(|b| b.is_ascii_digit()));
/// ```
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct OneTimeCode(String);

impl OneTimeCode {
    /// The code's digits, to put in the message.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for OneTimeCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OneTimeCode([redacted])")
    }
}

/// What the service must send, and to whom: the flow never sends anything itself.
#[derive(Debug)]
pub struct Delivery {
    /// What the code is for (and so, through [`Purpose::channel`], how it travels).
    pub purpose: Purpose,
    /// The phone number or email address to send it to, as given to `issue`.
    pub destination: String,
    /// The code itself.
    pub code: OneTimeCode,
    /// When it stops being accepted, unix seconds.
    pub expires_at: u64,
}

/// An issued one-time code as the account stores it: its keyed hash, the id of
/// the key, and what is left of it (tries, validity). Serde, versioned (`"v": 2`;
/// version 1, without the key id, still reads).
///
/// # Examples
///
/// ```
/// use countersign::{Error, ServerKey};
/// use countersign::one_time::{OneTimePolicy, PendingCode, Purpose};
///
/// let key = ServerKey::generate();
/// let policy = OneTimePolicy::for_purpose(Purpose::EmailPasswordReset);
/// let (delivery, mut pending) =
///     PendingCode::issue(&key, Purpose::EmailPasswordReset, &policy, "joe@example.com", 0);
///
/// // An emailed reset code is no good for signing in.
/// assert!(matches!(
///     pending.verify(&key, Purpose::SmsLogin, delivery.code.as_str(), 1),
///     Err(Error::WrongPurpose { .. }),
/// ));
/// // A wrong code uses up one of the 5 tries.
/// let wrong: String = delivery.code.as_str().bytes()
///     .map(|b| if b == b'9' { '0' } else { char::from(b + 1) })
///     .collect();
/// assert!(matches!(
///     pending.verify(&key, Purpose::EmailPasswordReset, &wrong, 1),
///     Err(Error::WrongOneTimeCode { tries_left: 4 }),
/// ));
/// pending.verify(&key, Purpose::EmailPasswordReset, delivery.code.as_str(), 2)?;
/// # Ok::<(), countersign::Error>(())
/// ```
///
/// `Debug` shows what is left of the code, never its nonce or keyed digest.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "PendingRecord", into = "PendingRecord")]
pub struct PendingCode {
    key: KeyId,
    purpose: Purpose,
    digits: u8,
    nonce: [u8; NONCE_LEN],
    digest: [u8; DIGEST_LEN],
    issued_at: u64,
    expires_at: u64,
    tries_left: u32,
    used: bool,
}

impl fmt::Debug for PendingCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PendingCode")
            .field("purpose", &self.purpose)
            .field("digits", &self.digits)
            .field("digest", &"[redacted]")
            .field("issued_at", &self.issued_at)
            .field("expires_at", &self.expires_at)
            .field("tries_left", &self.tries_left)
            .field("used", &self.used)
            .finish_non_exhaustive()
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PendingRecord {
    v: u32,
    /// Since version 2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    key: Option<KeyId>,
    purpose: Purpose,
    digits: u8,
    #[serde(with = "hex::fixed")]
    nonce: [u8; NONCE_LEN],
    #[serde(with = "hex::fixed")]
    digest: [u8; DIGEST_LEN],
    issued_at: u64,
    expires_at: u64,
    tries_left: u32,
    used: bool,
}

const PENDING_VERSION: u32 = 2;

impl TryFrom<PendingRecord> for PendingCode {
    type Error = Error;

    fn try_from(r: PendingRecord) -> Result<Self> {
        const STATE: &str = "one-time code";
        let key = match (r.v, r.key) {
            (1, None) => KeyId::DEFAULT,
            (v, key) => {
                check_state_version(STATE, v, PENDING_VERSION)?;
                key.ok_or(Error::CorruptState {
                    state: STATE,
                    reason: "the id of the key is missing (or given in version 1)",
                })?
            }
        };
        let reason = if !(MIN_DIGITS..=MAX_DIGITS).contains(&r.digits) {
            Some("a code length no policy allows")
        } else if r.expires_at < r.issued_at {
            Some("it expires before it was issued")
        } else if r.tries_left > MAX_TRIES_CEILING {
            Some("more tries left than any policy allows")
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
            key,
            purpose: r.purpose,
            digits: r.digits,
            nonce: r.nonce,
            digest: r.digest,
            issued_at: r.issued_at,
            expires_at: r.expires_at,
            tries_left: r.tries_left,
            used: r.used,
        })
    }
}

impl From<PendingCode> for PendingRecord {
    fn from(p: PendingCode) -> Self {
        Self {
            v: PENDING_VERSION,
            key: Some(p.key),
            purpose: p.purpose,
            digits: p.digits,
            nonce: p.nonce,
            digest: p.digest,
            issued_at: p.issued_at,
            expires_at: p.expires_at,
            tries_left: p.tries_left,
            used: p.used,
        }
    }
}

/// A code of `digits` digits, uniformly drawn: rand's [`Uniform`], Lemire's widening
/// multiply with rejection, so no modulo bias. (Not `random_range`: without rand's
/// `unbiased` feature it uses Canon's method, biased by up to 2^-64.)
fn draw_code<R: CryptoRng + ?Sized>(rng: &mut R, digits: u8) -> u64 {
    // 10^digits is at least 1 for any digits that fit a u64, so the range is never
    // empty and `new` never fails (policies allow 6 to 10 digits).
    Uniform::new(0, 10u64.pow(u32::from(digits))).map_or(0, |codes| codes.sample(rng))
}

impl PendingCode {
    /// Issues a code for `purpose` to `destination` at `now`, with the OS RNG.
    /// Returns what to send, and the state to store (replacing any earlier code for
    /// the same purpose: only the newest code is live).
    #[must_use = "send the delivery and store the pending code"]
    pub fn issue<K: ServerKeys + ?Sized>(
        keys: &K,
        purpose: Purpose,
        policy: &OneTimePolicy,
        destination: &str,
        now: u64,
    ) -> (Delivery, Self) {
        Self::issue_with_rng(keys, purpose, policy, destination, now, &mut rand::rng())
    }

    /// [`PendingCode::issue`] with the given cryptographic RNG.
    ///
    /// # Examples
    ///
    /// ```
    /// use countersign::ServerKey;
    /// use countersign::one_time::{OneTimePolicy, PendingCode, Purpose};
    /// use rand::SeedableRng;
    ///
    /// let mut rng = rand::rngs::StdRng::seed_from_u64(1);
    /// let key = ServerKey::generate_with(&mut rng);
    /// let policy = OneTimePolicy::for_purpose(Purpose::SmsLogin);
    /// let (delivery, pending) =
    ///     PendingCode::issue_with_rng(&key, Purpose::SmsLogin, &policy, "+1 555 0100", 100, &mut rng);
    /// assert_eq!(delivery.expires_at, 400);
    /// assert_eq!(pending.expires_at(), 400);
    /// ```
    #[must_use = "send the delivery and store the pending code"]
    pub fn issue_with_rng<K: ServerKeys + ?Sized, R: CryptoRng + ?Sized>(
        keys: &K,
        purpose: Purpose,
        policy: &OneTimePolicy,
        destination: &str,
        now: u64,
        rng: &mut R,
    ) -> (Delivery, Self) {
        let digits = policy.digits;
        let value = Zeroizing::new(draw_code(rng, digits));
        let code = OneTimeCode(format!("{:0width$}", *value, width = usize::from(digits)));
        let mut nonce = [0u8; NONCE_LEN];
        rng.fill_bytes(&mut nonce);
        let expires_at = now.saturating_add(policy.lifetime);
        let (key_id, key) = keys.current_key();
        let mut pending = Self {
            key: key_id.clone(),
            purpose,
            digits,
            nonce,
            digest: [0; DIGEST_LEN],
            issued_at: now,
            expires_at,
            tries_left: policy.max_tries,
            used: false,
        };
        pending.digest = pending.digest_of(key, code.as_str().as_bytes());
        let delivery = Delivery {
            purpose,
            destination: destination.to_owned(),
            code,
            expires_at,
        };
        (delivery, pending)
    }

    /// HMAC-SHA256 under the server key of everything that defines this code: its
    /// purpose, length, nonce and validity, then the digits themselves. Editing any
    /// of the stored fields makes the right code stop matching.
    fn digest_of(&self, key: &ServerKey, code: &[u8]) -> [u8; DIGEST_LEN] {
        key.mac(DOMAIN)
            .chain_update([self.purpose.tag(), self.digits])
            .chain_update(self.nonce)
            .chain_update(self.issued_at.to_be_bytes())
            .chain_update(self.expires_at.to_be_bytes())
            .chain_update(code)
            .finalize()
            .into_bytes()
            .into()
    }

    /// Checks a code the person typed, for `purpose`, at `now`. Spaces and hyphens
    /// are ignored ("123 456"). On success the code is spent.
    ///
    /// Checks in this order, and only the last two change the state: already used;
    /// purpose; expiry (valid up to, not including, `expires_at`); tries left; the
    /// input's shape; then the comparison, which uses up a try.
    ///
    /// # Errors
    ///
    /// - [`Error::OneTimeCodeUsed`]: the code was already accepted once;
    /// - [`Error::WrongPurpose`]: the code was issued for another purpose;
    /// - [`Error::OneTimeCodeExpired`]: `now` is at or past its expiry;
    /// - [`Error::OneTimeCodeExhausted`]: no tries left;
    /// - [`Error::MalformedOneTimeCode`]: not the right number of digits (no try used);
    /// - [`Error::UnknownKeyId`]: issued under a server key `keys` no longer holds
    ///   (no try used);
    /// - [`Error::WrongOneTimeCode`]: the wrong code (one try used).
    ///
    /// # Examples
    ///
    /// ```
    /// use countersign::{Error, ServerKey};
    /// use countersign::one_time::{OneTimePolicy, PendingCode, Purpose};
    ///
    /// let key = ServerKey::generate();
    /// let policy = OneTimePolicy::for_purpose(Purpose::SmsLogin);
    /// let (delivery, mut pending) = PendingCode::issue(&key, Purpose::SmsLogin, &policy, "+1 555 0100", 0);
    /// assert!(matches!(
    ///     pending.verify(&key, Purpose::SmsLogin, delivery.code.as_str(), 300),
    ///     Err(Error::OneTimeCodeExpired { expired_at: 300 }),
    /// ));
    /// assert!(matches!(
    ///     pending.verify(&key, Purpose::SmsLogin, "12ab56", 10),
    ///     Err(Error::MalformedOneTimeCode { digits: 6 }),
    /// ));
    /// let spaced = format!("{} {}", &delivery.code.as_str()[..3], &delivery.code.as_str()[3..]);
    /// assert!(matches!(pending.verify(&key, Purpose::SmsLogin, &spaced, 299), Ok(())));
    /// ```
    pub fn verify<K: ServerKeys + ?Sized>(
        &mut self,
        keys: &K,
        purpose: Purpose,
        input: &str,
        now: u64,
    ) -> Result<()> {
        if self.used {
            return Err(Error::OneTimeCodeUsed);
        }
        if purpose != self.purpose {
            return Err(Error::WrongPurpose {
                issued_for: self.purpose,
                presented_for: purpose,
            });
        }
        if now >= self.expires_at {
            return Err(Error::OneTimeCodeExpired {
                expired_at: self.expires_at,
            });
        }
        if self.tries_left == 0 {
            return Err(Error::OneTimeCodeExhausted);
        }
        let malformed = Error::MalformedOneTimeCode {
            digits: self.digits,
        };
        if input.len() > MAX_INPUT_LEN {
            return Err(malformed);
        }
        let mut typed = Zeroizing::new([0u8; MAX_DIGITS as usize]);
        let mut len = 0;
        for byte in input.bytes().filter(|b| !matches!(b, b' ' | b'-')) {
            if !byte.is_ascii_digit() || len == usize::from(self.digits) {
                return Err(malformed);
            }
            typed[len] = byte;
            len += 1;
        }
        if len != usize::from(self.digits) {
            return Err(malformed);
        }
        let key = keys.key_named(&self.key)?;
        // The try is spent before the comparison, so no outcome can skip counting it.
        self.tries_left -= 1;
        let expected = self.digest_of(key, &typed[..len]);
        if bool::from(expected.ct_eq(&self.digest)) {
            self.used = true;
            Ok(())
        } else {
            Err(Error::WrongOneTimeCode {
                tries_left: self.tries_left,
            })
        }
    }

    /// What the code is for.
    #[must_use]
    pub fn purpose(&self) -> Purpose {
        self.purpose
    }

    /// When it was issued, unix seconds.
    #[must_use]
    pub fn issued_at(&self) -> u64 {
        self.issued_at
    }

    /// When it stops being accepted, unix seconds.
    #[must_use]
    pub fn expires_at(&self) -> u64 {
        self.expires_at
    }

    /// Wrong tries left before it dies.
    #[must_use]
    pub fn tries_left(&self) -> u32 {
        self.tries_left
    }

    /// Whether it was already accepted once.
    #[must_use]
    pub fn is_used(&self) -> bool {
        self.used
    }

    /// The id of the server key its digest was made under.
    #[must_use]
    pub fn key_id(&self) -> &KeyId {
        &self.key
    }

    /// Whether it could still be accepted at `now` (unused, unexpired, tries left).
    #[must_use]
    pub fn is_live(&self, now: u64) -> bool {
        !self.used && now < self.expires_at && self.tries_left > 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    const NOW: u64 = 1_700_000_000;

    fn issue(purpose: Purpose) -> (ServerKey, Delivery, PendingCode) {
        let mut rng = StdRng::seed_from_u64(11);
        let key = ServerKey::generate_with(&mut rng);
        let policy = OneTimePolicy::for_purpose(purpose);
        let (delivery, pending) = PendingCode::issue_with_rng(
            &key,
            purpose,
            &policy,
            "contact@example.com",
            NOW,
            &mut rng,
        );
        (key, delivery, pending)
    }

    #[test]
    fn a_refusal_says_what_the_code_was_for() {
        let refusals = [
            (
                Error::NoPendingCode {
                    purpose: Purpose::SmsLogin,
                },
                "no code was sent for signing in: request a new code",
            ),
            (
                Error::NoPendingCode {
                    purpose: Purpose::EmailPasswordReset,
                },
                "no code was sent for resetting your password: request a new code",
            ),
        ];
        for (error, message) in refusals {
            assert_eq!(error.to_string(), message);
        }
    }

    fn wrong(code: &str) -> String {
        code.bytes()
            .map(|b| char::from(b'0' + (b - b'0' + 1) % 10))
            .collect()
    }

    #[test]
    fn sms_code_expires_at_the_boundary() {
        let (key, delivery, pending) = issue(Purpose::SmsLogin);
        assert_eq!(delivery.expires_at, NOW + 300);
        assert_eq!(delivery.destination, "contact@example.com");
        assert!(pending.is_live(NOW + 299));
        assert!(
            !pending.is_live(NOW + 300),
            "live up to its expiry, not at it"
        );
        let mut at_end = pending.clone();
        assert!(matches!(
            at_end.verify(&key, Purpose::SmsLogin, delivery.code.as_str(), NOW + 300),
            Err(Error::OneTimeCodeExpired { expired_at }) if expired_at == NOW + 300
        ));
        let mut just_before = pending;
        assert!(matches!(
            just_before.verify(&key, Purpose::SmsLogin, delivery.code.as_str(), NOW + 299),
            Ok(())
        ));
    }

    #[test]
    fn email_code_lives_fifteen_minutes() {
        let (key, delivery, mut pending) = issue(Purpose::EmailPasswordReset);
        assert_eq!(delivery.code.as_str().len(), 8);
        assert_eq!(pending.expires_at(), NOW + 900);
        assert!(
            pending
                .verify(
                    &key,
                    Purpose::EmailPasswordReset,
                    delivery.code.as_str(),
                    NOW + 899
                )
                .is_ok()
        );
    }

    #[test]
    fn a_code_is_single_use() {
        let (key, delivery, mut pending) = issue(Purpose::SmsLogin);
        assert!(!pending.is_used());
        assert!(matches!(
            pending.verify(&key, Purpose::SmsLogin, delivery.code.as_str(), NOW),
            Ok(())
        ));
        assert!(pending.is_used());
        assert!(matches!(
            pending.verify(&key, Purpose::SmsLogin, delivery.code.as_str(), NOW + 1),
            Err(Error::OneTimeCodeUsed)
        ));
    }

    #[test]
    fn wrong_purpose_is_refused_both_ways_without_using_a_try() {
        let (key, delivery, mut pending) = issue(Purpose::SmsLogin);
        assert!(matches!(
            pending.verify(
                &key,
                Purpose::EmailPasswordReset,
                delivery.code.as_str(),
                NOW
            ),
            Err(Error::WrongPurpose {
                issued_for: Purpose::SmsLogin,
                presented_for: Purpose::EmailPasswordReset
            })
        ));
        assert_eq!(pending.tries_left(), 5);
        let (key, delivery, mut pending) = issue(Purpose::EmailPasswordReset);
        assert!(matches!(
            pending.verify(&key, Purpose::SmsLogin, delivery.code.as_str(), NOW),
            Err(Error::WrongPurpose { .. })
        ));
    }

    #[test]
    fn an_edited_stored_purpose_does_not_match() {
        // Same digits for both purposes so only the purpose differs.
        let mut rng = StdRng::seed_from_u64(5);
        let key = ServerKey::generate_with(&mut rng);
        let policy = OneTimePolicy::new(6, 300, 5).unwrap();
        let (delivery, pending) = PendingCode::issue_with_rng(
            &key,
            Purpose::SmsLogin,
            &policy,
            "+1 555 0100",
            NOW,
            &mut rng,
        );
        let json = serde_json::to_string(&pending)
            .unwrap()
            .replace("sms_login", "email_password_reset");
        let mut edited: PendingCode = serde_json::from_str(&json).unwrap();
        assert!(matches!(
            edited.verify(
                &key,
                Purpose::EmailPasswordReset,
                delivery.code.as_str(),
                NOW
            ),
            Err(Error::WrongOneTimeCode { tries_left: 4 })
        ));
    }

    #[test]
    fn an_edited_expiry_does_not_match() {
        let (key, delivery, pending) = issue(Purpose::SmsLogin);
        let json = serde_json::to_string(&pending).unwrap();
        let json = json.replace(
            &format!("\"expires_at\":{}", NOW + 300),
            &format!("\"expires_at\":{}", NOW + 9_999),
        );
        let mut edited: PendingCode = serde_json::from_str(&json).unwrap();
        assert_eq!(edited.expires_at(), NOW + 9_999);
        assert!(matches!(
            edited.verify(&key, Purpose::SmsLogin, delivery.code.as_str(), NOW + 1_000),
            Err(Error::WrongOneTimeCode { .. })
        ));
    }

    #[test]
    fn tries_are_bounded_then_the_code_is_dead() {
        let (key, delivery, mut pending) = issue(Purpose::SmsLogin);
        let bad = wrong(delivery.code.as_str());
        for left in (0..5).rev() {
            assert!(matches!(
                pending.verify(&key, Purpose::SmsLogin, &bad, NOW),
                Err(Error::WrongOneTimeCode { tries_left }) if tries_left == left
            ));
        }
        assert!(!pending.is_live(NOW));
        assert!(
            matches!(
                pending.verify(&key, Purpose::SmsLogin, delivery.code.as_str(), NOW),
                Err(Error::OneTimeCodeExhausted)
            ),
            "even the right code is refused once the tries are gone"
        );
    }

    #[test]
    fn the_last_try_can_succeed() {
        let (key, delivery, mut pending) = issue(Purpose::SmsLogin);
        let bad = wrong(delivery.code.as_str());
        for _ in 0..4 {
            assert!(pending.verify(&key, Purpose::SmsLogin, &bad, NOW).is_err());
        }
        assert!(matches!(
            pending.verify(&key, Purpose::SmsLogin, delivery.code.as_str(), NOW),
            Ok(())
        ));
    }

    #[test]
    fn malformed_input_uses_no_try() {
        let (key, delivery, mut pending) = issue(Purpose::SmsLogin);
        let long = "1".repeat(1000);
        for input in [
            "",
            "12345",
            "1234567",
            "12345a",
            "١٢٣٤٥٦",
            "123456\0",
            long.as_str(),
        ] {
            assert!(
                matches!(
                    pending.verify(&key, Purpose::SmsLogin, input, NOW),
                    Err(Error::MalformedOneTimeCode { digits: 6 })
                ),
                "{input:?}"
            );
        }
        assert_eq!(pending.tries_left(), 5);
        let dashed = format!(
            "{}-{}",
            &delivery.code.as_str()[..3],
            &delivery.code.as_str()[3..]
        );
        assert!(matches!(
            pending.verify(&key, Purpose::SmsLogin, &dashed, NOW),
            Ok(())
        ));
    }

    #[test]
    fn another_server_key_never_matches() {
        let (_, delivery, mut pending) = issue(Purpose::SmsLogin);
        let other = ServerKey::from_bytes([1; 32]);
        assert!(matches!(
            pending.verify(&other, Purpose::SmsLogin, delivery.code.as_str(), NOW),
            Err(Error::WrongOneTimeCode { .. })
        ));
    }

    #[test]
    fn the_stored_state_holds_no_plain_code() {
        let (_, delivery, pending) = issue(Purpose::EmailPasswordReset);
        let json = serde_json::to_string(&pending).unwrap();
        assert!(!json.contains(delivery.code.as_str()), "{json}");
        assert!(
            json.starts_with(
                r#"{"v":2,"key":"default","purpose":"email_password_reset","digits":8,"nonce":""#
            ),
            "{json}"
        );
        assert_eq!(serde_json::from_str::<PendingCode>(&json).unwrap(), pending);
        // Version 1 names no key: the default key made it.
        let v1 = json.replacen(r#"{"v":2,"key":"default","#, r#"{"v":1,"#, 1);
        assert_eq!(serde_json::from_str::<PendingCode>(&v1).unwrap(), pending);
    }

    #[test]
    fn corrupt_states_are_refused() {
        let (_, _, pending) = issue(Purpose::SmsLogin);
        let json = serde_json::to_string(&pending).unwrap();
        for (from, to) in [
            (r#""v":2"#, r#""v":7"#),
            (r#""key":"default","#, ""),
            (r#""digits":6"#, r#""digits":3"#),
            (r#""tries_left":5"#, r#""tries_left":500"#),
            (&format!("\"expires_at\":{}", NOW + 300), "\"expires_at\":0"),
            (r#""nonce":""#, r#""nonce":"zz"#),
            (r#""used":false"#, r#""used":false,"extra":1"#),
        ] {
            assert!(read_edited(&json, from, to).is_err(), "{from} -> {to}");
        }
    }

    /// The stored state `json` with `from` replaced by `to` (which must occur), read back.
    fn read_edited(json: &str, from: &str, to: &str) -> serde_json::Result<PendingCode> {
        let edited = json.replace(from, to);
        assert_ne!(edited, json, "{from}");
        serde_json::from_str(&edited)
    }

    #[test]
    fn stored_states_at_their_bounds_are_read() {
        let (_, _, pending) = issue(Purpose::SmsLogin);
        let json = serde_json::to_string(&pending).unwrap();
        let expiry = format!("\"expires_at\":{}", NOW + 300);
        let read = |from: &str, to: &str| read_edited(&json, from, to);
        // The most tries any policy gives, and no more.
        let most = format!("\"tries_left\":{MAX_TRIES_CEILING}");
        let one_more = format!("\"tries_left\":{}", MAX_TRIES_CEILING + 1);
        assert_eq!(
            read(r#""tries_left":5"#, &most).unwrap().tries_left(),
            MAX_TRIES_CEILING
        );
        assert!(read(r#""tries_left":5"#, &one_more).is_err());
        // A code that expires the second it was issued is only expired; one that
        // expires before it was issued cannot have been written by any policy.
        let at_issue = read(&expiry, &format!("\"expires_at\":{NOW}")).unwrap();
        assert_eq!((at_issue.issued_at(), at_issue.expires_at()), (NOW, NOW));
        assert!(!at_issue.is_live(NOW));
        assert!(read(&expiry, &format!("\"expires_at\":{}", NOW - 1)).is_err());
    }

    #[test]
    fn an_input_of_max_input_len_bytes_is_read_and_one_byte_more_is_not() {
        let (key, delivery, mut pending) = issue(Purpose::SmsLogin);
        let code = delivery.code.as_str();
        let padded = |len: usize| format!("{code}{}", " ".repeat(len - code.len()));
        assert!(matches!(
            pending.verify(&key, Purpose::SmsLogin, &padded(MAX_INPUT_LEN + 1), NOW),
            Err(Error::MalformedOneTimeCode { digits: 6 })
        ));
        assert_eq!(pending.tries_left(), 5, "no try spent on it");
        assert!(matches!(
            pending.verify(&key, Purpose::SmsLogin, &padded(MAX_INPUT_LEN), NOW),
            Ok(())
        ));
    }

    #[test]
    fn codes_are_zero_padded_and_spread() {
        let mut rng = StdRng::seed_from_u64(2);
        let key = ServerKey::generate_with(&mut rng);
        let policy = OneTimePolicy::for_purpose(Purpose::SmsLogin);
        let mut first_digits = [0u32; 10];
        for _ in 0..2_000 {
            let (d, _) =
                PendingCode::issue_with_rng(&key, Purpose::SmsLogin, &policy, "", NOW, &mut rng);
            assert_eq!(d.code.as_str().len(), 6);
            first_digits[usize::from(d.code.as_str().as_bytes()[0] - b'0')] += 1;
        }
        // Each leading digit ~200 times; a zero count would mean padding or range bugs.
        assert!(
            first_digits.iter().all(|&n| (120..=280).contains(&n)),
            "{first_digits:?}"
        );
    }

    #[test]
    fn draws_are_uniform_below_the_bound() {
        let mut rng = StdRng::seed_from_u64(3);
        // One digit: every value about 2,000 times in 20,000 (5 sigma is 212).
        let mut counts = [0u32; 10];
        for _ in 0..20_000 {
            counts[usize::try_from(draw_code(&mut rng, 1)).unwrap()] += 1;
        }
        assert!(
            counts.iter().all(|&n| (1_788..=2_212).contains(&n)),
            "{counts:?}"
        );
        // The widest policy: below 10^10, and past 2^32 (a u64 draw, not a u32 one).
        let draws: Vec<u64> = (0..1_000)
            .map(|_| draw_code(&mut rng, MAX_DIGITS))
            .collect();
        assert!(draws.iter().all(|&d| d < 10_000_000_000));
        assert!(draws.iter().any(|&d| d > u64::from(u32::MAX)));
    }

    #[test]
    fn policy_rules() {
        assert!(OneTimePolicy::new(6, 1, 1).is_ok());
        assert!(OneTimePolicy::new(10, MAX_LIFETIME, MAX_TRIES_CEILING).is_ok());
        for (d, l, t) in [
            (5, 300, 5),
            (11, 300, 5),
            (6, 0, 5),
            (6, MAX_LIFETIME + 1, 5),
            (6, 300, 0),
            (6, 300, 11),
        ] {
            assert!(
                matches!(
                    OneTimePolicy::new(d, l, t),
                    Err(Error::InvalidOneTimePolicy { .. })
                ),
                "{d} {l} {t}"
            );
        }
        let sms = OneTimePolicy::for_purpose(Purpose::SmsLogin);
        let json = serde_json::to_string(&sms).unwrap();
        assert_eq!(serde_json::from_str::<OneTimePolicy>(&json).unwrap(), sms);
        assert!(
            serde_json::from_str::<OneTimePolicy>(r#"{"digits":4,"lifetime":300,"max_tries":5}"#)
                .is_err()
        );
    }

    #[test]
    fn a_day_is_the_longest_a_code_may_live() {
        assert!(OneTimePolicy::new(6, 86_400, 5).is_ok());
        assert!(matches!(
            OneTimePolicy::new(6, 86_401, 5),
            Err(Error::InvalidOneTimePolicy { .. })
        ));
    }

    #[test]
    fn issuing_at_the_end_of_time_still_gives_a_live_code() {
        let key = ServerKey::from_bytes([3; 32]);
        let policy = OneTimePolicy::for_purpose(Purpose::SmsLogin);
        let (d, mut p) = PendingCode::issue(&key, Purpose::SmsLogin, &policy, "", u64::MAX - 10);
        assert_eq!(p.expires_at(), u64::MAX);
        assert!(matches!(
            p.verify(&key, Purpose::SmsLogin, d.code.as_str(), u64::MAX - 1),
            Ok(())
        ));
    }
}
