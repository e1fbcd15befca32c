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

/// Refuse a stored `state` whose version `found` is not the one this build reads and
/// writes (`supported`): every versioned state type checks this first when it is read.
pub(crate) fn check_state_version(state: &'static str, found: u32, supported: u32) -> Result<()> {
    if found == supported {
        Ok(())
    } else {
        Err(Error::UnsupportedStateVersion {
            state,
            found,
            supported,
        })
    }
}

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

    /// Too many codes were sent for this purpose lately: nothing was sent. It
    /// needs no secret, so it is never a lock: the window slides on by itself.
    #[error("too many codes were sent for {purpose} lately: try again at {retry_at} (unix time)")]
    TooManyCodesSent {
        /// What the codes are for.
        purpose: Purpose,
        /// When the oldest send leaves the window, unix seconds.
        retry_at: u64,
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

    /// [`Settings`](crate::Settings) a [`Portal`](crate::Portal) cannot keep its promises
    /// with: refused by [`Portal::new`](crate::Portal::new), before any account sees them.
    #[error("invalid portal settings: {setting} {reason}")]
    InvalidSettings {
        /// The setting, as its path in a configuration file (`totp.t0`).
        setting: &'static str,
        /// What is wrong with it.
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

    /// A record was made under a server key the key ring does not hold (it was
    /// removed, or never added on this node).
    #[error(
        "this record was sealed under server key {id:?}, which is not in the key ring: add it back as a retired key"
    )]
    UnknownKeyId {
        /// The key id the record names.
        id: String,
    },

    /// A server key id that cannot be used (see [`KeyId`](crate::key_ring::KeyId)).
    #[error("invalid server key id: {reason}")]
    InvalidKeyId {
        /// Which rule it breaks.
        reason: &'static str,
    },

    /// Two server keys in one ring with the same id.
    #[error("the key ring already holds a server key named {id:?}")]
    DuplicateKeyId {
        /// The id given twice.
        id: String,
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

    // ---- account flows ---------------------------------------------------------
    /// A password error from `countersign-password`: most often
    /// [`WrongPassword`](crate::password::Error::WrongPassword) at a re-entry or a login.
    #[error(transparent)]
    Password(#[from] crate::password::Error),

    /// The breached-password checker failed (for instance the network is down): the
    /// new password was not set, and can be tried again. Fails closed; see
    /// [`breach`](crate::breach) for a checker that fails open instead.
    #[error("could not check the password against known breaches, try again: {reason}")]
    BreachCheckFailed {
        /// The checker's error message.
        reason: String,
    },

    /// A TOTP or backup-code error from `countersign-totp`: a wrong or replayed code,
    /// a used backup code, a malformed input.
    #[error(transparent)]
    Totp(#[from] crate::totp::Error),

    /// A permission policy error from `countersign-permissions`.
    #[error(transparent)]
    Permissions(#[from] crate::permissions::Error),

    /// A security-code error from `countersign-security-code`: most often
    /// `Refused { report }`, a new code that breaks the policy.
    #[error(transparent)]
    SecurityCode(#[from] crate::security_code::Error),

    /// What the caller said matches none of the client's security codes.
    #[error("that is not a security code on this account: ask the caller to check it")]
    WrongSecurityCode,

    /// The client has no security code at all, account-wide or per contact.
    #[error("no security code is set on this account: verify the caller another way")]
    NoSecurityCode,

    /// The contact lacks the permission this step needs (and is not the primary
    /// contact, who always may).
    #[error("you need the \"{gate}\" permission for this: ask the account's primary contact")]
    PermissionDenied {
        /// The permission, as the portal's grid names it ("Client Profile: View").
        gate: &'static str,
    },

    /// The client's primary contact deactivated this contact: it cannot sign in
    /// or reset its password (see [`deactivation`](crate::deactivation)).
    #[error("this login is deactivated: ask the account's primary contact to reactivate it")]
    ContactDeactivated,

    /// Two-factor authentication is already on for this contact.
    #[error("two-factor authentication is already enabled: disable it first to enroll again")]
    AlreadyEnrolled,

    /// An authenticator name that cannot be taken (see
    /// [`AuthenticatorName::new`](crate::authenticator::AuthenticatorName::new)).
    #[error("invalid authenticator name: {reason}")]
    InvalidAuthenticatorName {
        /// Which rule the name breaks.
        reason: &'static str,
    },

    /// The contact already has an authenticator of that name (ignoring case).
    #[error("you already have an authenticator named \"{name}\": choose another name")]
    DuplicateAuthenticatorName {
        /// The name asked for.
        name: String,
    },

    /// The contact already holds the most authenticators allowed.
    #[error("you already have {max} authenticators, the most allowed: remove one first")]
    TooManyAuthenticators {
        /// The limit ([`MAX_AUTHENTICATORS`](crate::authenticator::MAX_AUTHENTICATORS)).
        max: usize,
    },

    /// No authenticator of this contact has that name.
    #[error("no authenticator of yours has that name")]
    NoSuchAuthenticator,

    /// The authenticator asked to be removed is the contact's only one.
    #[error(
        "this is your only authenticator: add another first, or disable two-factor authentication"
    )]
    LastAuthenticator,

    /// Two-factor authentication is off for this contact.
    #[error("two-factor authentication is not enabled for this contact")]
    NotEnrolled,

    /// A passkey ceremony or credential was refused by WebAuthn's rules
    /// (webauthn-rs, through `countersign-passkey`): a wrong origin or RP id, a
    /// cloned authenticator, a malformed response, ...
    #[error(transparent)]
    Passkey(#[from] countersign_passkey::Error),

    /// The portal has no passkey configuration ([`Portal::with_passkeys`](crate::Portal::with_passkeys)).
    #[error("passkeys are not enabled on this site: use your authenticator app")]
    PasskeysDisabled,

    /// Passwordless sign-in is off in this deployment.
    #[error("signing in with a passkey alone is not enabled on this site: enter your password")]
    PasswordlessDisabled,

    /// A passkey ceremony state that is not one this portal sealed for this
    /// ceremony and contact (truncated, altered, another contact's).
    #[error("this passkey request is not valid ({reason}): start again")]
    PasskeyChallengeInvalid {
        /// What is wrong with it.
        reason: &'static str,
    },

    /// The passkey challenge's lifetime ended.
    #[error("this passkey request expired at {expired_at} (unix time): start again")]
    PasskeyChallengeExpired {
        /// When it expired.
        expired_at: u64,
    },

    /// The passkey challenge was answered already (here or on another node).
    #[error("this passkey request was already used: start again")]
    PasskeyChallengeSpent,

    /// Too many passkey ceremonies finished within one challenge lifetime.
    #[error("too many passkey sign-ins lately: try again at {retry_at} (unix time)")]
    TooManyPasskeyCeremonies {
        /// When the oldest recorded one expires.
        retry_at: u64,
    },

    /// No passkey of the contact has that id.
    #[error("no passkey of yours has that id")]
    NoSuchPasskey,

    /// The contact has a passkey of that name already.
    #[error("you already have a passkey named \"{name}\": choose another name")]
    DuplicatePasskeyName {
        /// The name asked for.
        name: String,
    },

    /// The contact holds the most passkeys allowed.
    #[error("you already have {max} passkeys, the most allowed: remove one first")]
    TooManyPasskeys {
        /// The limit.
        max: usize,
    },

    /// No enrollment is pending: it was never started, was cancelled, or completed.
    #[error("no two-factor enrollment is pending: select \"Click to enable\" to start again")]
    NoPendingEnrollment,

    /// The pending enrollment expired before it was confirmed; two-factor stays off.
    #[error(
        "the enrollment expired at {expired_at} (unix time) and two-factor is still off: start again"
    )]
    EnrollmentExpired {
        /// When it expired, unix seconds.
        expired_at: u64,
    },

    /// The stored TOTP secret does not open under this server key for this contact:
    /// another server key, another contact's row, or altered bytes.
    #[error(
        "the stored two-factor key cannot be opened (wrong server key or altered state): re-enroll two-factor"
    )]
    SealedSecretUnreadable,

    /// A prepared TOTP verifier made for another contact or an earlier enrollment.
    #[error(
        "this prepared verifier belongs to another contact or an earlier enrollment: prepare it again"
    )]
    StaleVerifier,

    /// The login ticket is for another contact, its time ran out, it was spent by a
    /// completed sign-in, or the password changed since: sign in again.
    #[error(
        "this sign-in has expired, was already completed, or belongs to another contact: enter your password again"
    )]
    LoginTicketInvalid,

    /// An SMS code was asked for, but the contact has no cell phone on file.
    #[error(
        "no cell phone number is on file for this contact: update it under Team, or use your app"
    )]
    NoCellPhone,

    /// A one-time code was typed, but none was sent (or it was already cleared).
    #[error("no code was sent for {purpose}: request a new code")]
    NoPendingCode {
        /// What the code would have been for.
        purpose: Purpose,
    },

    /// The new password breaks the password policy; nothing changed.
    #[error("the new password does not meet the password rules: {summary}")]
    PasswordRejected {
        /// Every violation's message, joined.
        summary: String,
        /// The full report (violations and suggestions), to show beside the form.
        report: Box<crate::password::Report>,
    },

    /// A person typed a secret with no second factor step to go with it (for
    /// instance a remembered-device cookie offered to "remember this device").
    #[error("{reason}")]
    InvalidRequest {
        /// What is wrong with the request.
        reason: &'static str,
    },
}
