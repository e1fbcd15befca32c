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
//! It is serde and versioned (`"v": 2`; version 1, from before revisions, still
//! reads, as revision 1). It holds no plain secret: the password
//! as an Argon2id PHC string, the TOTP secret sealed under the server key, backup
//! codes as Argon2id hashes, one-time codes as keyed hashes. Deserializing checks
//! that its parts agree, so a corrupted row is a typed error, never an open door.

use crate::error::check_state_version;
use serde::{Deserialize, Serialize};

use crate::device::RememberedDevices;
use crate::one_time::PendingCode;
use crate::sealed::SealedSecret;
use crate::throttle::{Factor, Throttle};
use crate::totp::{BackupCodes, Config};
use crate::{Error, Result};

const ACCOUNT_VERSION: u32 = 2;
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
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TwoFactor {
    pub(crate) secret: SealedSecret,
    pub(crate) config: Config,
    /// RFC 6238 §5.2: the last accepted step, so no code is accepted twice.
    pub(crate) last_accepted_step: Option<u64>,
    pub(crate) backup_codes: BackupCodes,
    pub(crate) enabled_at: u64,
}

/// An enrollment started and not yet confirmed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PendingEnrollment {
    pub(crate) secret: SealedSecret,
    pub(crate) config: Config,
    pub(crate) started_at: u64,
    pub(crate) expires_at: u64,
}

/// One [`Throttle`] per typed secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Throttles {
    pub(crate) password: Throttle,
    pub(crate) totp: Throttle,
    pub(crate) backup_code: Throttle,
    pub(crate) one_time_code: Throttle,
    pub(crate) security_code: Throttle,
}

impl Default for Throttles {
    fn default() -> Self {
        Self {
            password: Throttle::new(Factor::Password),
            totp: Throttle::new(Factor::Totp),
            backup_code: Throttle::new(Factor::BackupCode),
            one_time_code: Throttle::new(Factor::OneTimeCode),
            security_code: Throttle::new(Factor::SecurityCode),
        }
    }
}

impl Throttles {
    /// The throttle of `factor`.
    #[must_use]
    pub fn get(&self, factor: Factor) -> &Throttle {
        match factor {
            Factor::Password => &self.password,
            Factor::Totp => &self.totp,
            Factor::BackupCode => &self.backup_code,
            Factor::OneTimeCode => &self.one_time_code,
            Factor::SecurityCode => &self.security_code,
        }
    }

    fn all(&self) -> [&Throttle; 5] {
        [
            &self.password,
            &self.totp,
            &self.backup_code,
            &self.one_time_code,
            &self.security_code,
        ]
    }
}

/// The stored security state of one contact. See the [module docs](self).
///
/// `Debug` shows the profile and the state of each factor, never a hash.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "AccountRecord", into = "AccountRecord")]
pub struct Account(pub(crate) AccountRecord);

impl core::fmt::Debug for Account {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let r = &self.0;
        f.debug_struct("Account")
            .field("profile", &r.profile)
            .field("password_hash", &"[redacted]")
            .field("two_factor", &r.two_factor.is_some())
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
            .finish()
    }
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AccountRecord {
    pub(crate) v: u32,
    /// Moves on by one with every step that changes the state (`None` only in
    /// version 1 records, which predate it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) revision: Option<u64>,
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
}

impl TryFrom<AccountRecord> for Account {
    type Error = Error;

    fn try_from(mut r: AccountRecord) -> Result<Self> {
        const STATE: &str = "account";
        r.revision = Some(read_revision(
            STATE,
            r.v,
            r.revision,
            ACCOUNT_VERSION_UNREVISED,
            ACCOUNT_VERSION,
        )?);
        r.v = ACCOUNT_VERSION;
        let factors = [
            Factor::Password,
            Factor::Totp,
            Factor::BackupCode,
            Factor::OneTimeCode,
            Factor::SecurityCode,
        ];
        let reason = if r.two_factor.is_some() && r.pending_enrollment.is_some() {
            Some("an enrollment is pending while two-factor is already on")
        } else if r
            .throttles
            .all()
            .iter()
            .zip(factors)
            .any(|(t, f)| t.factor() != f)
        {
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
        } else if r.two_factor.is_none() && r.sms_code.is_some() {
            Some("an SMS login code without two-factor")
        } else if r
            .pending_enrollment
            .as_ref()
            .is_some_and(|p| p.expires_at < p.started_at)
        {
            Some("an enrollment that expires before it started")
        } else {
            None
        };
        if let Some(reason) = reason {
            return Err(Error::CorruptState {
                state: STATE,
                reason,
            });
        }
        Ok(Self(r))
    }
}

impl AccountRecord {
    /// Moves the revision on by one: the state changed.
    pub(crate) fn bump_revision(&mut self) {
        self.revision = Some(next_revision(self.revision));
    }
}

/// The revision after `revision` (`None`: a state read from before revisions).
pub(crate) fn next_revision(revision: Option<u64>) -> u64 {
    // Saturating: a state at u64::MAX is refused when read, never wrapped to 0.
    revision.unwrap_or(FIRST_REVISION).saturating_add(1)
}

/// The revision of a stored state of format version `v`: absent in the format
/// before revisions (`unrevised`, read as [`FIRST_REVISION`]), present from
/// `current` on, and never 0 or `u64::MAX` (a revision that cannot move on would
/// make a compare-and-swap write succeed twice).
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

impl From<Account> for AccountRecord {
    fn from(a: Account) -> Self {
        a.0
    }
}

impl Account {
    pub(crate) fn new(profile: Profile, password_hash: String) -> Self {
        Self(AccountRecord {
            v: ACCOUNT_VERSION,
            revision: Some(FIRST_REVISION),
            profile,
            password_hash,
            two_factor: None,
            pending_enrollment: None,
            devices: RememberedDevices::new(),
            throttles: Throttles::default(),
            sms_code: None,
            reset_code: None,
            security_code: None,
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
        self.0.revision.unwrap_or(FIRST_REVISION)
    }

    /// Runs one step that may change the state, and moves the revision on by one
    /// if it did. Idempotent for nested steps: the revision ends one past the one
    /// before the outer step, however many inner steps changed something.
    pub(crate) fn step<T>(&mut self, step: impl FnOnce(&mut Self) -> T) -> T {
        let before = self.0.clone();
        let out = step(self);
        if self.0 != before {
            self.0.revision = Some(next_revision(before.revision));
        }
        out
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

    /// The last TOTP step accepted (RFC 6238 §5.2 replay protection).
    #[must_use]
    pub fn last_accepted_step(&self) -> Option<u64> {
        self.0
            .two_factor
            .as_ref()
            .and_then(|t| t.last_accepted_step)
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

    /// The administrator's "Unlock" (the portal's Unlock tab): every throttle
    /// forgets its failures.
    pub fn unlock(&mut self) {
        self.step(|a| a.0.throttles = Throttles::default());
    }
}
