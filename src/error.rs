//! The facade's one error type.
//!
//! Every fallible call in the facade's own modules ([`throttle`](crate::throttle),
//! [`device`](crate::device), [`one_time`](crate::one_time),
//! [`server_key`](crate::server_key)) returns [`Result`]. Each variant carries
//! what went wrong, and its message says what the person or the operator can do
//! about it. The leaf crates keep their own error types; the account flows that
//! compose them add their own variants here (the enum is `#[non_exhaustive]`).

use crate::one_time::Purpose;
use crate::throttle::Throttled;

/// `core::result::Result` with the facade's [`Error`].
pub type Result<T> = core::result::Result<T, Error>;

/// Everything that can go wrong in the facade.
///
/// # Examples
///
/// ```
/// use countersign::Error;
/// use countersign::device::RememberedDevices;
/// use countersign::ServerKey;
///
/// let key = ServerKey::from_bytes([7; 32]);
/// let devices = RememberedDevices::new();
/// let err = devices.verify(&key, "not a token", 1_700_000_000).unwrap_err();
/// assert!(matches!(err, Error::MalformedDeviceToken { .. }));
/// println!("{err}"); // "this device cookie is not a Countersign device token (...)"
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Too many consecutive failures for this factor: the attempt was refused before
    /// any secret was checked.
    #[error(transparent)]
    Throttled(#[from] Throttled),

    /// A throttle policy that cannot be built (see [`ThrottlePolicy::new`](crate::throttle::ThrottlePolicy::new)).
    #[error("invalid throttle policy: {reason}")]
    InvalidThrottlePolicy {
        /// Which rule the settings break.
        reason: &'static str,
    },

    /// A remembered-device policy that cannot be built.
    #[error("invalid remembered-device policy: {reason}")]
    InvalidDevicePolicy {
        /// Which rule the settings break.
        reason: &'static str,
    },

    /// A one-time code policy that cannot be built.
    #[error("invalid one-time code policy: {reason}")]
    InvalidOneTimePolicy {
        /// Which rule the settings break.
        reason: &'static str,
    },

    /// A server key of the wrong length.
    #[error(
        "a server key is exactly {expected} bytes, got {actual}: generate one with ServerKey::generate"
    )]
    ServerKeyLength {
        /// The required length in bytes.
        expected: usize,
        /// The length that was given.
        actual: usize,
    },

    /// A stored state written by a format version this build does not read.
    #[error("stored {state} has format version {found}, this build reads version {supported}")]
    UnsupportedStateVersion {
        /// Which state type.
        state: &'static str,
        /// The version found in storage.
        found: u32,
        /// The version this build reads and writes.
        supported: u32,
    },

    /// A stored state whose fields contradict each other: it was corrupted or
    /// edited by hand. Nothing is accepted on the strength of it.
    #[error("stored {state} is corrupt: {reason}")]
    CorruptState {
        /// Which state type.
        state: &'static str,
        /// What is inconsistent.
        reason: &'static str,
    },

    /// The device cookie is not a device token at all (wrong length, characters or
    /// version): sign in with the second factor.
    #[error(
        "this device cookie is not a Countersign device token ({reason}): sign in with your second factor"
    )]
    MalformedDeviceToken {
        /// What is wrong with its shape.
        reason: &'static str,
    },

    /// A device id (as shown in a list of remembered devices) that is not 32
    /// lower-case hex digits.
    #[error("not a device id (expected 32 lower-case hex digits)")]
    MalformedDeviceId,

    /// The device token's signature does not verify under this server key: it was
    /// altered, or minted under another key.
    #[error(
        "this device token was not issued by this server (bad signature): sign in with your second factor"
    )]
    ForgedDeviceToken,

    /// The device token has expired.
    #[error(
        "this device is no longer remembered (the 30-day period ended at {expired_at}): sign in with your second factor"
    )]
    DeviceTokenExpired {
        /// When it expired, unix seconds.
        expired_at: u64,
    },

    /// The device was forgotten: revoked on its own, or with every other device when
    /// the password changed or two-factor was disabled.
    #[error(
        "this device is no longer remembered (it was revoked): sign in with your second factor"
    )]
    DeviceRevoked,

    /// The typed one-time code is not a code of the expected shape. It does not
    /// count as a try.
    #[error("a one-time code is {digits} digits: check what you typed")]
    MalformedOneTimeCode {
        /// How many digits the code has.
        digits: u8,
    },

    /// The one-time code is wrong.
    #[error("wrong code: {tries_left} tries left")]
    WrongOneTimeCode {
        /// Tries left before the code dies (0: request a new code).
        tries_left: u32,
    },

    /// The one-time code has expired.
    #[error("this code expired at {expired_at}: request a new code")]
    OneTimeCodeExpired {
        /// When it expired, unix seconds.
        expired_at: u64,
    },

    /// The one-time code was already used once.
    #[error("this code was already used: request a new code")]
    OneTimeCodeUsed,

    /// Too many wrong tries: the one-time code is dead.
    #[error("too many wrong tries for this code: request a new code")]
    OneTimeCodeExhausted,

    /// The one-time code was issued for another purpose (an SMS login code used as
    /// a password reset code, or the reverse).
    #[error("this code was sent for {issued_for}, not for {presented_for}: request a new code")]
    WrongPurpose {
        /// What the code was issued for.
        issued_for: Purpose,
        /// What it was presented for.
        presented_for: Purpose,
    },
}
