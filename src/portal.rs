//! The [`Portal`]: the server key, the settings, and every account flow.
//!
//! A service builds one `Portal` at start-up (it holds the [`ServerKey`], or a
//! [`KeyRing`] of current and retired keys, and the keys derived from them) and
//! calls its flows with an [`Account`] loaded from storage, `now`, and an RNG
//! where a flow draws secrets.
//! The flows live in their own modules: [`enrollment`](crate::enrollment),
//! [`login`](crate::login), [`reset`](crate::reset) and
//! [`security_codes`](crate::security_codes).

use rand::CryptoRng;
use serde::{Deserialize, Serialize};

use crate::account::{Account, Profile};
use crate::device::DevicePolicy;
use crate::key_ring::{KeyId, KeyRing};
use crate::one_time::{OneTimePolicy, Purpose};
use crate::password::{Context, Hasher, Policy};
use crate::sealed::{SealedSecret, SealingKey};
use crate::throttle::{SendPolicy, Throttle, ThrottlePolicy};
use crate::totp::{BackupSettings, Config};
use crate::{Error, Result, ServerKey};

/// The seeds' issuer name, shown by authenticator apps above the code.
pub const DEFAULT_ISSUER: &str = "Vivio Portal";

/// How long a started enrollment waits for its confirming code: 10 minutes.
pub const DEFAULT_ENROLLMENT_LIFETIME: u64 = 10 * 60;

/// How long a password check stands while the second factor is asked: 10 minutes.
pub const DEFAULT_LOGIN_TICKET_LIFETIME: u64 = 10 * 60;

/// At or below this many unused backup codes, the contact is asked to regenerate
/// them, when [`Settings::backup_codes_low_water`] is not set and the set holds
/// more than this many codes (see [`Settings::low_water_mark`]).
pub const DEFAULT_BACKUP_CODES_LOW_WATER: usize = 3;

/// Everything a deployment may tune. Serde (a configuration file); `Default` is
/// the seeds' portal.
///
/// # Examples
///
/// ```
/// use countersign::Settings;
///
/// let settings = Settings::default();
/// assert_eq!(settings.issuer, "Vivio Portal");
/// assert_eq!(settings.enrollment_lifetime, 600);
/// assert_eq!(settings.devices.lifetime(), 30 * 86_400);
/// ```
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// The issuer in otpauth URIs ("Vivio Portal").
    pub issuer: String,
    /// Password rules and Argon2id parameters (seed 003's rules by default).
    pub password: Policy,
    /// Throttling of every typed secret (each lane counts on its own; no hard
    /// lock unless asked for: see [`throttle`](crate::throttle)).
    pub throttle: ThrottlePolicy,
    /// How many SMS login codes one contact may be sent: 5 an hour.
    pub sms_sends: SendPolicy,
    /// How many password reset codes one contact may be emailed: 5 an hour.
    pub reset_requests: SendPolicy,
    /// "Remember this device for 30 days".
    pub devices: DevicePolicy,
    /// TOTP parameters and skew window for new enrollments. `params.t0` must stay 0
    /// ([`Portal::new`] refuses another): an otpauth URI cannot carry T0.
    pub totp: Config,
    /// How many backup codes, hashed how.
    pub backup_codes: BackupSettings,
    /// At or below this many unused backup codes, the sign-in result and the
    /// account view ask the contact to regenerate them
    /// ([`Portal::backup_codes_running_low`]). `None` (the default, and what a
    /// configuration without the setting reads as) follows the count:
    /// [`DEFAULT_BACKUP_CODES_LOW_WATER`] (3), or `backup_codes.count - 1` when
    /// the set is smaller (see [`low_water_mark`](Self::low_water_mark)). A value
    /// set explicitly must be less than `backup_codes.count`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backup_codes_low_water: Option<usize>,
    /// SMS login codes: 6 digits, 5 minutes, 5 tries.
    pub sms_code: OneTimePolicy,
    /// Emailed password reset codes: 8 digits, 15 minutes, 5 tries.
    pub reset_code: OneTimePolicy,
    /// Seconds a started enrollment waits for its confirming code.
    pub enrollment_lifetime: u64,
    /// Seconds a password check stands while the second factor is asked.
    pub login_ticket_lifetime: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            issuer: DEFAULT_ISSUER.to_owned(),
            password: Policy::portal(),
            throttle: ThrottlePolicy::default(),
            sms_sends: SendPolicy::default(),
            reset_requests: SendPolicy::default(),
            devices: DevicePolicy::default(),
            totp: Config::default(),
            backup_codes: BackupSettings::default(),
            backup_codes_low_water: None,
            sms_code: OneTimePolicy::for_purpose(Purpose::SmsLogin),
            reset_code: OneTimePolicy::for_purpose(Purpose::EmailPasswordReset),
            enrollment_lifetime: DEFAULT_ENROLLMENT_LIFETIME,
            login_ticket_lifetime: DEFAULT_LOGIN_TICKET_LIFETIME,
        }
    }
}

impl Settings {
    /// The low-water mark in force: [`backup_codes_low_water`](Self::backup_codes_low_water)
    /// if set, else the smaller of [`DEFAULT_BACKUP_CODES_LOW_WATER`] and
    /// `backup_codes.count - 1`, so a fresh set is never already "running low".
    ///
    /// ```
    /// use countersign::Settings;
    ///
    /// let mut settings = Settings::default();
    /// assert_eq!(settings.low_water_mark(), 3);
    /// settings.backup_codes.count = 2;
    /// assert_eq!(settings.low_water_mark(), 1);
    /// settings.backup_codes_low_water = Some(0);
    /// assert_eq!(settings.low_water_mark(), 0);
    /// ```
    #[must_use]
    pub fn low_water_mark(&self) -> usize {
        self.backup_codes_low_water.unwrap_or_else(|| {
            DEFAULT_BACKUP_CODES_LOW_WATER.min(self.backup_codes.count.saturating_sub(1))
        })
    }
}

/// The account flows of the seeds, over one server key and one set of [`Settings`].
///
/// See the [walkthrough](crate::walkthrough) for every flow end to end.
#[derive(Debug)]
pub struct Portal {
    pub(crate) ring: KeyRing,
    /// The keys derived from each server key, in the ring's order.
    pub(crate) derived: Vec<Derived>,
    pub(crate) hasher: Hasher,
    pub(crate) settings: Settings,
    /// The breached-password checker, if the service set one.
    pub(crate) breach: crate::breach::Checker,
    /// The passkey relying party, if the service configured one
    /// ([`Portal::with_passkeys`]).
    pub(crate) passkeys: Option<Box<crate::passkey::Passkeys>>,
}

/// The keys derived from one server key of the ring.
#[derive(Debug)]
pub(crate) struct Derived {
    /// Seals TOTP secrets.
    pub(crate) sealing: SealingKey,
    /// Seals security codes, owner-bound; its id is the server key's.
    pub(crate) code: crate::security_code::SealingKey,
    /// Reads the unbound security-code seals of version 1 (the default key only).
    pub(crate) unbound_code: Option<crate::security_code::SealingKey>,
    /// Seals passkey ceremony states.
    pub(crate) passkey_state: crate::passkey::StateKey,
}

impl Portal {
    /// A portal over a server key (a ring of one) or a [`KeyRing`], with `settings`.
    ///
    /// # Errors
    ///
    /// [`Error::Password`] when the password policy's hashing parameters are
    /// invalid; [`Error::InvalidRequest`] for a zero enrollment or ticket lifetime;
    /// [`Error::Totp`] for TOTP parameters no code can be made with;
    /// [`Error::InvalidSettings`] for a T0 (`totp.t0` in a configuration file) other than 0,
    /// or a `backup_codes_low_water` set explicitly and not below
    /// `backup_codes.count` (every fresh set would already be "running low"; when
    /// it is not set, the mark follows the count), or an `issuer` no otpauth URI can
    /// carry (a colon, a control or bidirectional formatting character, more than
    /// [`MAX_NAME_LEN`](crate::totp::MAX_NAME_LEN) bytes): every enrollment would
    /// fail on it.
    ///
    /// ```
    /// use countersign::{Error, Portal, ServerKey, Settings};
    ///
    /// let mut settings = Settings::default();
    /// settings.totp.params.t0 = 1_700_000_000;
    /// let refused = Portal::new(ServerKey::generate(), settings).unwrap_err();
    /// assert!(matches!(refused, Error::InvalidSettings { setting: "totp.t0", .. }));
    /// ```
    pub fn new(keys: impl Into<KeyRing>, settings: Settings) -> Result<Self> {
        let ring = keys.into();
        if settings.enrollment_lifetime == 0 || settings.login_ticket_lifetime == 0 {
            return Err(Error::InvalidRequest {
                reason: "the enrollment and login ticket lifetimes must be at least 1 second",
            });
        }
        // The Key Uri Format has no T0 parameter: an app that scanned the enrollment's
        // otpauth URI counts steps from the Unix epoch (RFC 6238 §4.1's default), so a
        // server counting from another T0 would disagree with it on every code, forever.
        if settings.totp.params.t0 != 0 {
            return Err(Error::InvalidSettings {
                setting: "totp.t0",
                reason: "must be 0: an otpauth URI cannot carry T0, so an authenticator app \
                         always counts time steps from the Unix epoch",
            });
        }
        let probe = crate::totp::Secret::from_bytes(&[0; 20])?;
        if crate::totp::KeyUri::new_totp(&probe, Some(&settings.issuer), "probe").is_err() {
            return Err(Error::InvalidSettings {
                setting: "issuer",
                reason: "must fit an otpauth URI: at most 256 bytes, without a colon or a \
                         control or bidirectional formatting character",
            });
        }
        if settings
            .backup_codes_low_water
            .is_some_and(|mark| mark >= settings.backup_codes.count)
        {
            return Err(Error::InvalidSettings {
                setting: "backup_codes_low_water",
                reason: "must be below backup_codes.count: a fresh set would already ask to be regenerated",
            });
        }
        settings.totp.params.validate()?;
        settings.totp.window.validate()?;
        let derived = ring
            .entries()
            .map(|(id, key)| {
                let (code, unbound_code) = crate::security_codes::sealing_keys(id, key)?;
                Ok(Derived {
                    sealing: SealingKey::derive(key),
                    code,
                    unbound_code,
                    passkey_state: crate::passkey::StateKey::derive(key),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Self {
            hasher: Hasher::new(&settings.password)?,
            ring,
            derived,
            settings,
            breach: crate::breach::Checker::default(),
            passkeys: None,
        })
    }

    /// The keys derived from the server key `id`.
    pub(crate) fn derived(&self, id: &KeyId) -> Result<&Derived> {
        self.ring
            .ids()
            .position(|held| held == id)
            .and_then(|at| self.derived.get(at))
            .ok_or_else(|| Error::UnknownKeyId {
                id: id.as_str().to_owned(),
            })
    }

    /// The keys derived from the current server key, and its id.
    pub(crate) fn current(&self) -> Result<(&KeyId, &Derived)> {
        let id = self.ring.current_id();
        Ok((id, self.derived(id)?))
    }

    /// Seals a TOTP secret for `contact_id` under the current key.
    pub(crate) fn seal_totp_secret<R: CryptoRng + ?Sized>(
        &self,
        contact_id: u64,
        secret: &crate::totp::Secret,
        rng: &mut R,
    ) -> Result<SealedSecret> {
        let (id, keys) = self.current()?;
        SealedSecret::seal(id, &keys.sealing, contact_id, secret, rng)
    }

    /// Opens a sealed TOTP secret under the key it names.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownKeyId`] when the ring no longer holds that key;
    /// [`Error::SealedSecretUnreadable`] when it does not open.
    pub(crate) fn open_totp_secret(
        &self,
        sealed: &SealedSecret,
        contact_id: u64,
    ) -> Result<crate::totp::Secret> {
        sealed.open(&self.derived(sealed.key_id())?.sealing, contact_id)
    }

    /// The key ring: the current server key and the retired ones.
    #[must_use]
    pub fn key_ring(&self) -> &KeyRing {
        &self.ring
    }

    /// The settings.
    #[must_use]
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The current server key (device tokens, one-time code hashes, sealed TOTP
    /// secrets and security codes are made under it).
    #[must_use]
    pub fn server_key(&self) -> &ServerKey {
        self.ring.current()
    }

    /// Creates a contact's account with its first password (seed 003, "Create
    /// Account"): the password must pass the policy, and is stored only as Argon2id.
    ///
    /// With a [breach checker](crate::breach), each call that passes the other rules
    /// makes one request to it, and no secret gates this flow: the service must
    /// rate-limit its create endpoint (the web app does, per client IP) so that it
    /// cannot be made to send unbounded requests to Pwned Passwords.
    ///
    /// # Errors
    ///
    /// [`Error::PasswordRejected`] with the policy's report when the password breaks
    /// a rule (or was seen in breaches, with a [breach check](crate::breach));
    /// [`Error::BreachCheckFailed`] when the breach checker fails; [`Error::Password`]
    /// if hashing fails or the checker's answer is malformed.
    pub fn create_account<R: CryptoRng + ?Sized>(
        &self,
        profile: Profile,
        password: &str,
        rng: &mut R,
    ) -> Result<Account> {
        let hash = self.hash_new_password(&profile, password, rng)?;
        Ok(Account::new(profile, hash))
    }

    /// Checks a new password against the policy, in the contact's context
    /// (username, email, client ID), then hashes it.
    pub(crate) fn hash_new_password<R: CryptoRng + ?Sized>(
        &self,
        profile: &Profile,
        password: &str,
        rng: &mut R,
    ) -> Result<String> {
        self.check_new_password(profile, password)?;
        self.hash_password(password, rng)
    }

    pub(crate) fn hash_password<R: CryptoRng + ?Sized>(
        &self,
        password: &str,
        rng: &mut R,
    ) -> Result<String> {
        Ok(self
            .hasher
            .hash_with_rng(password, rng)?
            .as_str()
            .to_owned())
    }

    /// Checks a new password against the policy, in the contact's context, and
    /// against breaches if a checker is set ([`breach`](crate::breach)).
    pub(crate) fn check_new_password(&self, profile: &Profile, password: &str) -> Result<()> {
        let client_id = profile.client_id.to_string();
        let context = Context::new(&profile.username)
            .email(&profile.email)
            .client_id(&client_id);
        let report = self.check_with_breaches(password, &context)?;
        if report.passed() {
            return Ok(());
        }
        let summary = report
            .violations
            .iter()
            .map(|v| v.message.as_ref())
            .collect::<Vec<_>>()
            .join("; ");
        Err(Error::PasswordRejected {
            summary,
            report: Box::new(report),
        })
    }

    /// Verifies a typed password against the stored hash through the password
    /// lane anyone can reach, and upgrades the hash when its parameters are out
    /// of date.
    pub(crate) fn check_password<R: CryptoRng + ?Sized>(
        &self,
        account: &mut Account,
        password: &str,
        now: u64,
        rng: &mut R,
    ) -> Result<()> {
        self.check_password_on(account, Lane::Anywhere, password, now, rng)
    }

    /// Verifies a typed password through `lane`.
    pub(crate) fn check_password_on<R: CryptoRng + ?Sized>(
        &self,
        account: &mut Account,
        lane: Lane,
        password: &str,
        now: u64,
        rng: &mut R,
    ) -> Result<()> {
        let record = &mut account.0;
        let policy = &self.settings.throttle;
        let hash = &record.password_hash;
        let check = || Ok(self.hasher.verify(password, hash)?);
        let counts =
            |e: &Error| matches!(e, Error::Password(crate::password::Error::WrongPassword));
        let verified = match lane {
            Lane::Anywhere => guarded(policy, &mut record.throttles.password, now, check, counts),
            Lane::OnDevice => guarded(
                policy,
                &mut record.throttles.password_on_device,
                now,
                check,
                counts,
            ),
            Lane::PaidByBackupCode => {
                // Not admitted by the lane: a backup code was spent on this check.
                let attempt = record.throttles.password.admit_paid(policy, now);
                match check() {
                    Ok(verified) => {
                        // Its success does not reset the lane an attacker may be
                        // backing off: that would hand them a fresh budget.
                        drop(attempt);
                        Ok(verified)
                    }
                    Err(error) => {
                        if counts(&error) {
                            record.throttles.password = attempt.failed();
                        }
                        Err(error)
                    }
                }
            }
        }?;
        if verified.needs_rehash {
            // The password is known right now: the one moment a rehash is possible.
            record.password_hash = self
                .hasher
                .hash_with_rng(password, rng)?
                .as_str()
                .to_owned();
        }
        // Said only after the right password: a guesser learns nothing from it.
        if record.deactivated_at.is_some() {
            return Err(Error::ContactDeactivated);
        }
        Ok(())
    }
}

/// Which password lane an attempt goes through (see [`throttle`](crate::throttle)).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Lane {
    /// No remembered device: the lane anyone who knows the username can reach.
    Anywhere,
    /// With a valid remembered-device cookie.
    OnDevice,
    /// Paid for with a backup code spent a moment ago.
    PaidByBackupCode,
}

/// Runs `check` (which looks at a typed secret) only if `throttle` admits the
/// attempt, and records the outcome: a success resets the count, an error for
/// which `counts` says a secret was actually compared is one more failure, any
/// other error (malformed input, nothing to compare) records nothing.
pub(crate) fn guarded<T>(
    policy: &ThrottlePolicy,
    throttle: &mut Throttle,
    now: u64,
    check: impl FnOnce() -> Result<T>,
    counts: impl FnOnce(&Error) -> bool,
) -> Result<T> {
    // Refused here, before `check` runs: a locked factor never sees its secret.
    let attempt = throttle.admit(policy, now)?;
    match check() {
        Ok(value) => {
            *throttle = attempt.succeeded();
            Ok(value)
        }
        Err(error) => {
            if counts(&error) {
                *throttle = attempt.failed();
            }
            Err(error)
        }
    }
}
