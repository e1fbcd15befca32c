//! The stored security state of one contact: what a service keeps per login.
//!
//! **Every stored state carries a [revision](Account::revision), and every step
//! that changes it moves the revision on by one.** Store an account with a
//! compare-and-swap on it: load `(revision, account)`, run one flow step, and
//! write the result back only if the stored revision is still the one read
//! (`UPDATE ... WHERE contact_id = ? AND revision = ?`); if it is not, another
//! node or thread got there first: load again and run the step again on the
//! fresh state. A flow that left the revision where it was changed nothing, and
//! needs no write. Write a refused attempt too: it counts a failure in its
//! throttle, and a code spends a try. Without the compare-and-swap, two nodes
//! that run the same step on one loaded row both accept the same code, and each
//! counts only its own failures. `countersign-store` does all of this over
//! SQLite and PostgreSQL; a service with its own table (an existing users table,
//! DynamoDB's conditional writes) does the same with [`Account::revision`].
//!
//! An [`Account`] is created once with [`Portal::create_account`](crate::Portal::create_account)
//! (revision 1) and then handed to every flow as `&mut Account`; each flow changes
//! it in place.
//!
//! It is serde and versioned (`"v": 3`). Version 2 accounts, written before a
//! contact could hold several authenticators, still read: their one TOTP
//! secret becomes one [`Authenticator`]
//! named [`DEFAULT_AUTHENTICATOR_NAME`](crate::authenticator::DEFAULT_AUTHENTICATOR_NAME),
//! added when two-factor was enabled, with its last accepted step and a fresh
//! own lane. Version 1 accounts, written before revisions and before the
//! throttle lanes were split, still read, as revision 1. Both are written back
//! as version 3. It holds no plain secret: the password
//! as an Argon2id PHC string, the TOTP secret sealed under the server key, backup
//! codes as Argon2id hashes, one-time codes as keyed hashes. Deserializing checks
//! that its parts agree, so a corrupted row is a typed error, never an open door.

use crate::error::check_state_version;
use serde::{Deserialize, Serialize};

use crate::authenticator::{Authenticator, AuthenticatorName};
use crate::device::RememberedDevices;
use crate::key_ring::KeyId;
use crate::one_time::PendingCode;
use crate::sealed::SealedSecret;
use crate::throttle::{Factor, SendLimit, Throttle};
use crate::totp::{BackupCodes, Config};
use crate::{Error, Result};

const ACCOUNT_VERSION: u32 = 4;
/// The format before passkeys: read (without passkeys), never written.
const ACCOUNT_VERSION_NO_PASSKEYS: u32 = 3;
/// The format with one TOTP authenticator: read, never written.
const ACCOUNT_VERSION_ONE_AUTHENTICATOR: u32 = 2;
/// The format before revisions: read as revision 1, never written.
const ACCOUNT_VERSION_UNREVISED: u32 = 1;
/// The revision of a state that was never changed.
pub(crate) const FIRST_REVISION: u64 = 1;

/// Who a contact is: the profile fields the flows read.
///
/// # Examples
///
/// ```
/// use countersign::account::Profile;
///
/// let joe = Profile {
///     contact_id: 3522,
///     client_id: 1707,
///     name: "Joe Example".into(),
///     username: "joe.example".into(),
///     email: "marketing@viviotech.net".into(),
///     cell_phone: Some("+1 509 555 0100".into()),
///     primary: true,
/// };
/// assert!(joe.answers_to("1707") && joe.answers_to("JOE.EXAMPLE"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// The contact's id (the portal's contact list: 3522, 3523, 3526).
    pub contact_id: u64,
    /// The client (account) the contact belongs to: 1707 in the seeds.
    pub client_id: u64,
    /// Full name ("Joe Example").
    pub name: String,
    /// Login name.
    pub username: String,
    /// Email address: where password reset codes go.
    pub email: String,
    /// Cell phone, for SMS login codes (seed 004); `None` hides "Send SMS Code".
    pub cell_phone: Option<String>,
    /// Whether this is the client's primary contact, who may always enable
    /// two-factor and see the account's codes.
    pub primary: bool,
}

impl Profile {
    /// Whether the login name typed on the sign-in form names this contact: its
    /// username (case-insensitively), or, for the primary contact, the client ID
    /// (seed 003: "log in with your Client ID number").
    #[must_use]
    pub fn answers_to(&self, login: &str) -> bool {
        let login = login.trim();
        if login.eq_ignore_ascii_case(&self.username) {
            return true;
        }
        self.primary && !login.is_empty() && login.parse::<u64>().ok() == Some(self.client_id)
    }
}

/// Two-factor authentication as it is stored once enrolled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TwoFactor {
    /// 1 to [`MAX_AUTHENTICATORS`](crate::authenticator::MAX_AUTHENTICATORS),
    /// in the order they were added; names distinct.
    pub(crate) authenticators: Vec<Authenticator>,
    /// One set per contact, whatever the number of authenticators.
    pub(crate) backup_codes: BackupCodes,
    pub(crate) enabled_at: u64,
}

/// The stored form of [`TwoFactor`]: version 3's list of authenticators, or the
/// one authenticator of versions 1 and 2 (`secret`, `config`, `last_accepted_step`).
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct TwoFactorRecord {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    authenticators: Option<Vec<Authenticator>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    secret: Option<SealedSecret>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    config: Option<Config>,
    /// Present (a step or `null`) in versions 1 and 2, absent in version 3.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    last_accepted_step: Option<Option<u64>>,
    backup_codes: BackupCodes,
    enabled_at: u64,
}

/// A field that is present, even as `null`: `Some(None)`, not `None`.
fn present<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> core::result::Result<Option<Option<u64>>, D::Error> {
    Option::<u64>::deserialize(d).map(Some)
}

impl TwoFactorRecord {
    /// The two-factor state of a stored account of format version `v`.
    fn read(self, v: u32) -> core::result::Result<TwoFactor, &'static str> {
        let authenticators = match (v, self.authenticators) {
            (ACCOUNT_VERSION_NO_PASSKEYS, Some(list)) => {
                if self.secret.is_some()
                    || self.config.is_some()
                    || self.last_accepted_step.is_some()
                {
                    return Err("a version 3 two-factor state with a version 2 authenticator");
                }
                crate::authenticator::check_list(&list)?;
                list
            }
            (ACCOUNT_VERSION_NO_PASSKEYS, None) => {
                return Err("a version 3 two-factor state without its authenticators");
            }
            (_, Some(_)) => return Err("authenticators in a format before version 3"),
            (_, None) => {
                let (Some(secret), Some(config), Some(last_accepted_step)) =
                    (self.secret, self.config, self.last_accepted_step)
                else {
                    return Err(
                        "a version 2 two-factor state without its secret, parameters or step",
                    );
                };
                vec![Authenticator::new(
                    AuthenticatorName::default_name(),
                    secret,
                    config,
                    last_accepted_step,
                    self.enabled_at,
                )]
            }
        };
        Ok(TwoFactor {
            authenticators,
            backup_codes: self.backup_codes,
            enabled_at: self.enabled_at,
        })
    }
}

impl From<TwoFactor> for TwoFactorRecord {
    fn from(t: TwoFactor) -> Self {
        Self {
            authenticators: Some(t.authenticators),
            secret: None,
            config: None,
            last_accepted_step: None,
            backup_codes: t.backup_codes,
            enabled_at: t.enabled_at,
        }
    }
}

/// An enrollment started and not yet confirmed: the first authenticator (two-factor
/// off) or another one (two-factor on).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PendingEnrollment {
    pub(crate) secret: SealedSecret,
    pub(crate) config: Config,
    /// The name the authenticator will take. Since version 3 (always there in
    /// it); `None` read from version 2, which named nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) name: Option<AuthenticatorName>,
    pub(crate) started_at: u64,
    pub(crate) expires_at: u64,
}

/// One [`Throttle`] per typed secret (the password has two lanes; each
/// authenticator also keeps its own lane behind the contact's TOTP lane, see
/// [`authenticator`](crate::authenticator)), and one [`SendLimit`] per kind of code sent: see the [throttle module](crate::throttle)
/// for the design.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "ThrottlesRecord", into = "ThrottlesRecord")]
pub struct Throttles {
    pub(crate) password: Throttle,
    /// Password attempts that came with a valid remembered-device cookie.
    pub(crate) password_on_device: Throttle,
    pub(crate) totp: Throttle,
    pub(crate) backup_code: Throttle,
    pub(crate) sms_code: Throttle,
    pub(crate) reset_code: Throttle,
    pub(crate) security_code: Throttle,
    pub(crate) sms_sends: SendLimit,
    pub(crate) reset_requests: SendLimit,
}

/// The stored form of [`Throttles`]: version 2's lanes, or version 1's (one
/// `one_time_code` lane shared by SMS login and password reset, no send limits).
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ThrottlesRecord {
    password: Throttle,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    password_on_device: Option<Throttle>,
    totp: Throttle,
    backup_code: Throttle,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    one_time_code: Option<Throttle>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sms_code: Option<Throttle>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reset_code: Option<Throttle>,
    security_code: Throttle,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sms_sends: Option<SendLimit>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reset_requests: Option<SendLimit>,
}

impl ThrottlesRecord {
    /// The lanes of a version 1 account: its shared one-time code lane becomes
    /// both one-time code lanes (neither loses a back-off it had), the device
    /// lane and the send limits start empty.
    fn into_v2_lanes(self) -> Result<Throttles> {
        let corrupt = || Error::CorruptState {
            state: "account",
            reason: "version 1 throttles have exactly the five version 1 lanes",
        };
        if self.password_on_device.is_some()
            || self.sms_code.is_some()
            || self.reset_code.is_some()
            || self.sms_sends.is_some()
            || self.reset_requests.is_some()
        {
            return Err(corrupt());
        }
        let shared = self.one_time_code.ok_or_else(corrupt)?;
        Ok(Throttles {
            password: self.password,
            password_on_device: Throttle::new(Factor::Password),
            totp: self.totp,
            backup_code: self.backup_code,
            sms_code: shared.clone().for_factor(Factor::SmsCode),
            reset_code: shared.for_factor(Factor::ResetCode),
            security_code: self.security_code,
            sms_sends: SendLimit::new(),
            reset_requests: SendLimit::new(),
        })
    }
}

impl TryFrom<ThrottlesRecord> for Throttles {
    type Error = Error;

    fn try_from(r: ThrottlesRecord) -> Result<Self> {
        let missing = || Error::CorruptState {
            state: "account",
            reason: "a throttle lane is missing",
        };
        if r.one_time_code.is_some() {
            return Err(Error::CorruptState {
                state: "account",
                reason: "the shared one-time code lane is gone since version 2",
            });
        }
        Ok(Self {
            password: r.password,
            password_on_device: r.password_on_device.ok_or_else(missing)?,
            totp: r.totp,
            backup_code: r.backup_code,
            sms_code: r.sms_code.ok_or_else(missing)?,
            reset_code: r.reset_code.ok_or_else(missing)?,
            security_code: r.security_code,
            sms_sends: r.sms_sends.ok_or_else(missing)?,
            reset_requests: r.reset_requests.ok_or_else(missing)?,
        })
    }
}

impl From<Throttles> for ThrottlesRecord {
    fn from(t: Throttles) -> Self {
        Self {
            password: t.password,
            password_on_device: Some(t.password_on_device),
            totp: t.totp,
            backup_code: t.backup_code,
            one_time_code: None,
            sms_code: Some(t.sms_code),
            reset_code: Some(t.reset_code),
            security_code: t.security_code,
            sms_sends: Some(t.sms_sends),
            reset_requests: Some(t.reset_requests),
        }
    }
}

impl Default for Throttles {
    fn default() -> Self {
        Self {
            password: Throttle::new(Factor::Password),
            password_on_device: Throttle::new(Factor::Password),
            totp: Throttle::new(Factor::Totp),
            backup_code: Throttle::new(Factor::BackupCode),
            sms_code: Throttle::new(Factor::SmsCode),
            reset_code: Throttle::new(Factor::ResetCode),
            security_code: Throttle::new(Factor::SecurityCode),
            sms_sends: SendLimit::new(),
            reset_requests: SendLimit::new(),
        }
    }
}

impl Throttles {
    /// The throttle of `factor` (for the password: the lane of attempts without
    /// a remembered device, the one anyone can reach).
    #[must_use]
    pub fn get(&self, factor: Factor) -> &Throttle {
        match factor {
            Factor::Totp => &self.totp,
            Factor::BackupCode => &self.backup_code,
            Factor::SmsCode => &self.sms_code,
            Factor::ResetCode => &self.reset_code,
            Factor::SecurityCode => &self.security_code,
            Factor::Password => &self.password,
        }
    }

    /// The password lane of attempts made with a valid remembered-device cookie
    /// ([`Portal::sign_in_on_device`](crate::Portal::sign_in_on_device)).
    #[must_use]
    pub fn password_on_device(&self) -> &Throttle {
        &self.password_on_device
    }

    /// The SMS login codes sent lately.
    #[must_use]
    pub fn sms_sends(&self) -> &SendLimit {
        &self.sms_sends
    }

    /// The password reset codes sent lately.
    #[must_use]
    pub fn reset_requests(&self) -> &SendLimit {
        &self.reset_requests
    }

    fn lanes(&self) -> [(&Throttle, Factor); 7] {
        [
            (&self.password, Factor::Password),
            (&self.password_on_device, Factor::Password),
            (&self.totp, Factor::Totp),
            (&self.backup_code, Factor::BackupCode),
            (&self.sms_code, Factor::SmsCode),
            (&self.reset_code, Factor::ResetCode),
            (&self.security_code, Factor::SecurityCode),
        ]
    }
}

/// The stored security state of one contact. See the [module docs](self).
///
/// `Debug` shows the profile and the state of each factor, never a hash.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "StoredAccount", into = "StoredAccount")]
pub struct Account(pub(crate) AccountRecord);

impl core::fmt::Debug for Account {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let r = &self.0;
        f.debug_struct("Account")
            .field("profile", &r.profile)
            .field("password_hash", &"[redacted]")
            .field("two_factor", &r.two_factor.is_some())
            .field("authenticators", &self.authenticators())
            .field("last_accepted_step", &self.last_accepted_step())
            .field("backup_codes_left", &self.backup_codes_left())
            .field("enrollment_pending", &r.pending_enrollment.is_some())
            .field("devices", &r.devices.devices().len())
            .field("throttles", &r.throttles)
            .field(
                "sms_code",
                &r.sms_code.as_ref().map(|c| (c.tries_left(), c.is_used())),
            )
            .field(
                "reset_code",
                &r.reset_code.as_ref().map(|c| (c.tries_left(), c.is_used())),
            )
            .field("security_code", &r.security_code.is_some())
            .field("passkeys", &r.passkeys)
            .finish()
    }
}

#[derive(Clone, PartialEq, Eq)]
pub(crate) struct AccountRecord {
    /// Moves on by one with every step that changes the state.
    pub(crate) revision: u64,
    pub(crate) profile: Profile,
    /// Argon2id PHC string.
    pub(crate) password_hash: String,
    pub(crate) two_factor: Option<TwoFactor>,
    pub(crate) pending_enrollment: Option<PendingEnrollment>,
    pub(crate) devices: RememberedDevices,
    pub(crate) throttles: Throttles,
    pub(crate) sms_code: Option<PendingCode>,
    pub(crate) reset_code: Option<PendingCode>,
    /// The contact's own security code, sealed (seed 002).
    pub(crate) security_code: Option<crate::security_code::StoredCode>,
    /// Sign-ins completed so far: a login ticket is bound to the count it was
    /// issued at, so the sign-in it completes spends it.
    pub(crate) sign_ins: u64,
    /// When the client's primary contact deactivated this contact: it cannot
    /// sign in or reset its password until reactivated.
    pub(crate) deactivated_at: Option<u64>,
    /// Registered passkeys and security keys (since version 4), in the order
    /// added; only while two-factor is on.
    pub(crate) passkeys: Vec<crate::passkey::Passkey>,
    /// Finished passkey ceremonies, each until its challenge's expiry.
    pub(crate) spent_challenges: Vec<crate::passkey::SpentChallenge>,
}

/// The stored form of an [`Account`]: version 3, version 2 (one authenticator),
/// or version 1 (written before the throttle lanes were split and before sign-ins
/// were counted).
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StoredAccount {
    v: u32,
    /// `None` only in version 1, which predates revisions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    revision: Option<u64>,
    profile: Profile,
    password_hash: String,
    two_factor: Option<TwoFactorRecord>,
    pending_enrollment: Option<PendingEnrollment>,
    devices: RememberedDevices,
    throttles: ThrottlesRecord,
    sms_code: Option<PendingCode>,
    reset_code: Option<PendingCode>,
    security_code: Option<crate::security_code::StoredCode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sign_ins: Option<u64>,
    /// Absent unless deactivated (and never before version 3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    deactivated_at: Option<u64>,
    /// Since version 4 (always there in it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    passkeys: Option<Vec<crate::passkey::Passkey>>,
    /// Since version 4 (always there in it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    spent_passkey_challenges: Option<Vec<crate::passkey::SpentChallenge>>,
}

impl TryFrom<StoredAccount> for Account {
    type Error = Error;

    fn try_from(mut r: StoredAccount) -> Result<Self> {
        const STATE: &str = "account";
        let corrupt = |reason| Error::CorruptState {
            state: STATE,
            reason,
        };
        // Version 4 adds passkeys to version 3; a version 3 account reads as one
        // without any, and is version 3 for the rest of the checks.
        let mut passkeys_before_v4 = false;
        let (v, passkeys, spent_challenges) =
            match (r.v, r.passkeys.take(), r.spent_passkey_challenges.take()) {
                (ACCOUNT_VERSION, Some(passkeys), Some(spent)) => {
                    crate::passkey::check_list(&passkeys).map_err(corrupt)?;
                    crate::passkey::check_spent(&spent).map_err(corrupt)?;
                    (ACCOUNT_VERSION_NO_PASSKEYS, passkeys, spent)
                }
                (ACCOUNT_VERSION, _, _) => {
                    return Err(corrupt("a version 4 account without its passkeys"));
                }
                (v @ ACCOUNT_VERSION_UNREVISED..ACCOUNT_VERSION, None, None) => {
                    (v, Vec::new(), Vec::new())
                }
                // Refused below, once the revision was read: a state broken in
                // both ways names its revision first.
                (v @ ACCOUNT_VERSION_UNREVISED..ACCOUNT_VERSION, _, _) => {
                    passkeys_before_v4 = true;
                    (v, Vec::new(), Vec::new())
                }
                (v, _, _) => {
                    return Err(Error::UnsupportedStateVersion {
                        state: STATE,
                        found: v,
                        supported: ACCOUNT_VERSION,
                    });
                }
            };
        r.v = v;
        // Versions 2 and 3 differ only in the two-factor state: revisions read alike.
        let revised = if r.v == ACCOUNT_VERSION_ONE_AUTHENTICATOR {
            ACCOUNT_VERSION_NO_PASSKEYS
        } else {
            r.v
        };
        let revision = read_revision(
            STATE,
            revised,
            r.revision,
            ACCOUNT_VERSION_UNREVISED,
            ACCOUNT_VERSION_NO_PASSKEYS,
        )?;
        if passkeys_before_v4 {
            return Err(corrupt("passkeys in a format before version 4"));
        }
        let (throttles, sign_ins) = match r.v {
            1 => {
                if r.sign_ins.is_some() {
                    return Err(corrupt("a version 1 account does not count sign-ins"));
                }
                (r.throttles.into_v2_lanes()?, 0)
            }
            _ => {
                check_state_version(STATE, revised, ACCOUNT_VERSION_NO_PASSKEYS)?;
                let sign_ins = r
                    .sign_ins
                    .ok_or(corrupt("the count of sign-ins is missing"))?;
                (Throttles::try_from(r.throttles)?, sign_ins)
            }
        };
        let two_factor = r
            .two_factor
            .map(|t| t.read(r.v))
            .transpose()
            .map_err(corrupt)?;
        let mut pending_enrollment = r.pending_enrollment;
        if let Some(pending) = &mut pending_enrollment {
            match (r.v, &pending.name) {
                (ACCOUNT_VERSION_NO_PASSKEYS, None) => {
                    return Err(corrupt("a version 3 pending enrollment without a name"));
                }
                (ACCOUNT_VERSION_NO_PASSKEYS, Some(_)) => {}
                (_, Some(_)) => {
                    return Err(corrupt("a named pending enrollment before version 3"));
                }
                (_, None) => pending.name = Some(AuthenticatorName::default_name()),
            }
        }
        let reason = if r.v != ACCOUNT_VERSION_NO_PASSKEYS && r.deactivated_at.is_some() {
            Some("a contact deactivated before version 3")
        } else if r.v != ACCOUNT_VERSION_NO_PASSKEYS
            && two_factor.is_some()
            && pending_enrollment.is_some()
        {
            // Since version 3 it is another authenticator being added.
            Some("an enrollment is pending while two-factor is already on")
        } else if throttles.lanes().iter().any(|(t, f)| t.factor() != *f) {
            Some("a throttle guards another factor than its slot")
        } else if r
            .sms_code
            .as_ref()
            .is_some_and(|c| c.purpose() != crate::one_time::Purpose::SmsLogin)
            || r.reset_code
                .as_ref()
                .is_some_and(|c| c.purpose() != crate::one_time::Purpose::EmailPasswordReset)
        {
            Some("a one-time code sits in another purpose's slot")
        } else if two_factor.is_none() && r.sms_code.is_some() {
            Some("an SMS login code without two-factor")
        } else if two_factor.is_none() && !passkeys.is_empty() {
            Some("passkeys without two-factor")
        } else if pending_enrollment
            .as_ref()
            .is_some_and(|p| p.expires_at < p.started_at)
        {
            Some("an enrollment that expires before it started")
        } else {
            None
        };
        if let Some(reason) = reason {
            return Err(corrupt(reason));
        }
        Ok(Self(AccountRecord {
            revision,
            profile: r.profile,
            password_hash: r.password_hash,
            two_factor,
            pending_enrollment,
            devices: r.devices,
            throttles,
            sms_code: r.sms_code,
            reset_code: r.reset_code,
            security_code: r.security_code,
            sign_ins,
            deactivated_at: r.deactivated_at,
            passkeys,
            spent_challenges,
        }))
    }
}

impl From<Account> for StoredAccount {
    fn from(a: Account) -> Self {
        let r = a.0;
        Self {
            v: ACCOUNT_VERSION,
            revision: Some(r.revision),
            profile: r.profile,
            password_hash: r.password_hash,
            two_factor: r.two_factor.map(Into::into),
            pending_enrollment: r.pending_enrollment,
            devices: r.devices,
            throttles: r.throttles.into(),
            sms_code: r.sms_code,
            reset_code: r.reset_code,
            security_code: r.security_code,
            sign_ins: Some(r.sign_ins),
            deactivated_at: r.deactivated_at,
            passkeys: Some(r.passkeys),
            spent_passkey_challenges: Some(r.spent_challenges),
        }
    }
}

impl AccountRecord {
    /// Moves the revision on by one: the state changed.
    pub(crate) fn bump_revision(&mut self) {
        self.revision = next_revision(self.revision);
    }

    /// One more completed sign-in: every login ticket issued before is spent.
    pub(crate) fn count_sign_in(&mut self) {
        self.sign_ins = self.sign_ins.wrapping_add(1);
    }
}

/// The revision after `revision`.
pub(crate) fn next_revision(revision: u64) -> u64 {
    // Saturating: a state at u64::MAX is refused when read, never wrapped to 0.
    revision.saturating_add(1)
}

/// The revision of a stored state of format version `v`: absent in the format
/// before revisions (`unrevised`, read as [`FIRST_REVISION`]), present from
/// `current` on, and never 0 or `u64::MAX` (a revision that cannot move on would
/// let a compare-and-swap write succeed twice).
pub(crate) fn read_revision(
    state: &'static str,
    v: u32,
    revision: Option<u64>,
    unrevised: u32,
    current: u32,
) -> Result<u64> {
    match (v, revision) {
        (v, None) if v == unrevised => Ok(FIRST_REVISION),
        (v, Some(r)) if v == current && r != 0 && r != u64::MAX => Ok(r),
        (v, Some(_)) if v == current => Err(Error::CorruptState {
            state,
            reason: "a revision of 0 or u64::MAX",
        }),
        (v, _) if v == unrevised || v == current => Err(Error::CorruptState {
            state,
            reason: "a revision in a format before revisions, or none in one after",
        }),
        (v, _) => check_state_version(state, v, current).map(|()| FIRST_REVISION),
    }
}

impl Account {
    pub(crate) fn new(profile: Profile, password_hash: String) -> Self {
        Self(AccountRecord {
            revision: FIRST_REVISION,
            profile,
            password_hash,
            two_factor: None,
            pending_enrollment: None,
            devices: RememberedDevices::new(),
            throttles: Throttles::default(),
            sms_code: None,
            reset_code: None,
            security_code: None,
            sign_ins: 0,
            deactivated_at: None,
            passkeys: Vec::new(),
            spent_challenges: Vec::new(),
        })
    }

    /// The revision: 1 for a new account, one more after every step that changed
    /// it. Compare-and-swap on it (see the [module docs](self)).
    ///
    /// # Examples
    ///
    /// ```
    /// # let portal = countersign::Portal::new(countersign::ServerKey::from_bytes([7; 32]), Default::default()).unwrap();
    /// # let profile = countersign::Profile { contact_id: 3522, client_id: 1707, name: "Joe Example".into(),
    /// #     username: "joe.example".into(), email: "joe@example.com".into(), cell_phone: None, primary: true };
    /// let mut account = portal.create_account(profile, "correct horse battery staple", &mut rand::rng())?;
    /// assert_eq!(account.revision(), 1);
    ///
    /// let read = account.revision();
    /// let _ = portal.sign_in(&mut account, "wrong password here", 1_700_000_000, &mut rand::rng());
    /// assert_eq!(account.revision(), read + 1); // a counted failure is a change: store it
    ///
    /// account.unlock();
    /// assert_eq!(account.revision(), read + 2);
    /// account.unlock(); // nothing left to unlock: no change, no new revision
    /// assert_eq!(account.revision(), read + 2);
    /// # Ok::<(), countersign::Error>(())
    /// ```
    #[must_use]
    pub fn revision(&self) -> u64 {
        self.0.revision
    }

    /// Runs one step that may change the state, and moves the revision on by one
    /// if it did. Idempotent for nested steps: the revision ends one past the one
    /// before the outer step, however many inner steps changed something.
    pub(crate) fn step<T>(&mut self, step: impl FnOnce(&mut Self) -> T) -> T {
        let before = self.0.clone();
        let out = step(self);
        if self.0 != before {
            self.0.revision = next_revision(before.revision);
        }
        out
    }

    /// When the client's primary contact deactivated this contact (see
    /// [`Portal::deactivate_contact`](crate::Portal::deactivate_contact)), or
    /// `None` while it is active.
    #[must_use]
    pub fn deactivated_at(&self) -> Option<u64> {
        self.0.deactivated_at
    }

    /// The contact's profile.
    #[must_use]
    pub fn profile(&self) -> &Profile {
        &self.0.profile
    }

    /// The contact's profile, to edit (name, email, cell phone). Changing
    /// `contact_id` makes the sealed TOTP secret unreadable: re-enroll after it.
    ///
    /// The revision moves on with the call, whether or not the profile is then
    /// changed: the borrow cannot tell.
    pub fn profile_mut(&mut self) -> &mut Profile {
        self.0.bump_revision();
        &mut self.0.profile
    }

    /// Whether two-factor authentication is on.
    #[must_use]
    pub fn two_factor_enabled(&self) -> bool {
        self.0.two_factor.is_some()
    }

    /// When two-factor was enabled, unix seconds (`None` while off).
    #[must_use]
    pub fn two_factor_enabled_at(&self) -> Option<u64> {
        self.0.two_factor.as_ref().map(|t| t.enabled_at)
    }

    /// The latest TOTP step any authenticator had accepted (RFC 6238 §5.2
    /// replay protection; each authenticator keeps its own:
    /// [`Authenticator::last_accepted_step`]).
    #[must_use]
    pub fn last_accepted_step(&self) -> Option<u64> {
        self.authenticators()
            .iter()
            .filter_map(Authenticator::last_accepted_step)
            .max()
    }

    /// The enrolled authenticators, in the order they were added (empty while
    /// two-factor is off): what "AUTHENTICATION" lists, with when each was added
    /// and last used.
    ///
    /// ```
    /// # let portal = countersign::Portal::new(countersign::ServerKey::from_bytes([7; 32]), Default::default()).unwrap();
    /// # let profile = countersign::Profile { contact_id: 3522, client_id: 1707, name: "Joe Example".into(),
    /// #     username: "joe.example".into(), email: "joe@example.com".into(), cell_phone: None, primary: true };
    /// let account = portal.create_account(profile, "correct horse battery staple", &mut rand::rng())?;
    /// for a in account.authenticators() {
    ///     println!("{}: added {}, last used {:?}", a.name(), a.added_at(), a.last_used_at());
    /// }
    /// assert!(account.authenticators().is_empty());
    /// # Ok::<(), countersign::Error>(())
    /// ```
    #[must_use]
    pub fn authenticators(&self) -> &[Authenticator] {
        self.0
            .two_factor
            .as_ref()
            .map_or(&[], |t| t.authenticators.as_slice())
    }

    /// The name of the authenticator a pending enrollment will add, while one is
    /// pending at `now`.
    #[must_use]
    pub fn pending_authenticator_name(&self, now: u64) -> Option<&AuthenticatorName> {
        self.0
            .pending_enrollment
            .as_ref()
            .filter(|p| now < p.expires_at)
            .and_then(|p| p.name.as_ref())
    }

    /// The registered passkeys and security keys, in the order they were added
    /// (empty while two-factor is off): what the profile lists, with when each
    /// was added and last used. See [`passkey`](crate::passkey).
    #[must_use]
    pub fn passkeys(&self) -> &[crate::passkey::Passkey] {
        &self.0.passkeys
    }

    /// Unused backup codes left (`None` while two-factor is off).
    #[must_use]
    pub fn backup_codes_left(&self) -> Option<usize> {
        self.0
            .two_factor
            .as_ref()
            .map(|t| t.backup_codes.remaining())
    }

    /// Whether an enrollment is pending at `now` (started, not expired, not confirmed).
    #[must_use]
    pub fn enrollment_pending(&self, now: u64) -> bool {
        self.0
            .pending_enrollment
            .as_ref()
            .is_some_and(|p| now < p.expires_at)
    }

    /// The remembered devices ("Remember this device for 30 days").
    #[must_use]
    pub fn devices(&self) -> &RememberedDevices {
        &self.0.devices
    }

    /// Forgets one remembered device; returns whether it was remembered.
    pub fn forget_device(&mut self, id: crate::device::DeviceId) -> bool {
        self.step(|a| a.0.devices.revoke(id))
    }

    /// The throttles of every typed secret.
    #[must_use]
    pub fn throttles(&self) -> &Throttles {
        &self.0.throttles
    }

    /// Whether the contact has an own security code (seed 002).
    #[must_use]
    pub fn has_security_code(&self) -> bool {
        self.0.security_code.is_some()
    }

    /// The ids of the server keys this account's records need: its sealed TOTP
    /// secret (and a pending enrollment's), its remembered devices, its one-time
    /// codes and its security code. After rotating to a new key and
    /// [`Portal::reseal_account`](crate::Portal::reseal_account), a retired id
    /// here is only a live one-time code or remembered device (see
    /// [`key_ring`](crate::key_ring)).
    #[must_use]
    pub fn key_ids(&self) -> std::collections::BTreeSet<KeyId> {
        let r = &self.0;
        let mut ids = std::collections::BTreeSet::new();
        for a in self.authenticators() {
            ids.insert(a.secret.key_id().clone());
        }
        if let Some(p) = &r.pending_enrollment {
            ids.insert(p.secret.key_id().clone());
        }
        for d in r.devices.devices() {
            ids.insert(d.key_id().clone());
        }
        for c in r.sms_code.iter().chain(&r.reset_code) {
            ids.insert(c.key_id().clone());
        }
        if let Some(crate::security_code::StoredCode::Sealed(sealed)) = &r.security_code {
            ids.insert(crate::security_codes::reported_key_id(sealed));
        }
        ids
    }

    /// Whether the contact's security code is sealed the version 1 way, not yet
    /// bound to the contact.
    pub(crate) fn has_unbound_security_code(&self) -> bool {
        matches!(&self.0.security_code, Some(crate::security_code::StoredCode::Sealed(s))
            if s.key_id() == crate::security_codes::UNBOUND_KEY_ID)
    }

    /// The administrator's "Unlock" (the portal's Unlock tab): every throttle
    /// forgets its failures, hard locks included, and the send limits start over.
    pub fn unlock(&mut self) {
        self.step(|a| {
            a.0.throttles = Throttles::default();
            for authenticator in
                a.0.two_factor
                    .iter_mut()
                    .flat_map(|t| &mut t.authenticators)
            {
                authenticator.throttle = Throttle::new(Factor::Totp);
            }
        });
    }
}
