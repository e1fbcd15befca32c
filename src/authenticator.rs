//! Several TOTP authenticators per contact (a phone and a hardware token), each
//! named, each with its own secret, parameters, last accepted step and throttle.
//! A step accepted on one is spent for all (RFC 6238 §5.2, contact-wide): after
//! the token's code of step s signs in, no code of step s or earlier does, from
//! any authenticator.
//!
//! 1. The first authenticator comes with enabling two-factor
//!    ([`Portal::begin_enrollment`](crate::Portal::begin_enrollment)); it is named
//!    [`DEFAULT_AUTHENTICATOR_NAME`].
//! 2. [`Portal::begin_adding_authenticator`]: with two-factor on, the contact
//!    names another one ("Joe's phone") and re-enters the password; the key is
//!    shown as at enrollment. [`Portal::confirm_authenticator`] takes a code from
//!    the new app and adds it. The backup codes stay one set per contact: adding
//!    an authenticator makes no new ones. Only the password is asked, not a code
//!    from an existing authenticator: the contact adding a token is often the one
//!    who lost the phone.
//! 3. [`Portal::remove_authenticator`]: password re-entry, one authenticator by
//!    name. The last one cannot be removed this way: that is disabling two-factor
//!    ([`Portal::disable_two_factor`](crate::Portal::disable_two_factor)), which
//!    also drops the backup codes and revokes the remembered devices.
//!
//! **Names** ([`AuthenticatorName`]) are trimmed, 1 to
//! [`AuthenticatorName::MAX_CHARS`] characters, without control or invisible
//! characters (format characters such as bidi overrides and zero-width spaces,
//! line and paragraph separators, Hangul fillers, variation selectors), stored
//! NFC, and unique per contact after NFKC and ignoring case ("Joe's Phone",
//! "joe's phone" and "José" spelled with a combining accent next to "José" would
//! be indistinguishable in a list). A contact holds at most [`MAX_AUTHENTICATORS`]:
//! the stored state stays bounded, and so does what a guesser gains (below).
//!
//! **Throttling a code tried against several authenticators.** Every TOTP
//! attempt is first admitted by the contact's one TOTP lane
//! ([`Throttles::get`](crate::account::Throttles::get)`(Factor::Totp)`); it, not the
//! authenticators, bounds how many codes a guesser may try, so N authenticators do
//! not give N times the attempts. An admitted code is compared with every
//! authenticator whose own lane admits it too. A code that matches none counts one
//! failure on the contact lane and one on each authenticator it was compared with;
//! a code that matches resets the contact lane and that authenticator's lane only.
//! So a legitimate sign-in with the phone gives a guesser a fresh budget against
//! the phone alone: the token an attacker backed off stays backed off until its
//! own wait ends (or the administrator's "Unlock"). The cost is what the
//! arithmetic says: each admitted guess has N chances to match, one per
//! authenticator, which is why N is bounded by [`MAX_AUTHENTICATORS`].

use core::fmt;

use rand::CryptoRng;
use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

use crate::account::{Account, PendingEnrollment};
use crate::enrollment::EnrollmentStarted;
use crate::gate::Permissions;
use crate::sealed::SealedSecret;
use crate::throttle::{Factor, Throttle, ThrottlePolicy};
use crate::totp::{Config, Match, Verifier};
use crate::{Error, Portal, Result};

/// The most authenticators one contact may hold.
pub const MAX_AUTHENTICATORS: usize = 10;

/// The name of the authenticator that comes with enabling two-factor, and of the
/// one authenticator of an account stored before version 3.
pub const DEFAULT_AUTHENTICATOR_NAME: &str = "Authenticator app";

/// The name a contact gave an authenticator ("Joe's phone"), checked.
///
/// # Examples
///
/// ```
/// use countersign::authenticator::AuthenticatorName;
///
/// let name = AuthenticatorName::new("  Joe's phone ")?;
/// assert_eq!(name.as_str(), "Joe's phone");
/// assert!(AuthenticatorName::new("   ").is_err());
/// assert!(AuthenticatorName::new("tab\there").is_err());
/// # Ok::<(), countersign::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AuthenticatorName(String);

impl AuthenticatorName {
    /// The longest name, in characters (Unicode code points) after trimming.
    pub const MAX_CHARS: usize = 64;

    /// Checks a typed name: surrounding whitespace is trimmed; what is left must
    /// be 1 to [`MAX_CHARS`](Self::MAX_CHARS) characters with no control
    /// character (a newline or a tab would break a list or a log line) and no
    /// invisible one: no format character (Unicode general category Cf: bidi
    /// overrides and isolates, zero-width spaces and joiners, the byte-order
    /// mark, the soft hyphen), no line or paragraph separator (Zl, Zp), no
    /// Hangul filler, combining grapheme joiner or variation selector. Such a
    /// character would let "Authenticator app" and "Authenticator app" plus a
    /// zero-width space stand side by side looking the same, or reverse how a
    /// name reads. The name is stored NFC-normalized.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidAuthenticatorName`] saying which rule the name breaks.
    pub fn new(name: &str) -> Result<Self> {
        let name: String = name.trim().nfc().collect();
        let invalid = |reason| Err(Error::InvalidAuthenticatorName { reason });
        if name.is_empty() {
            return invalid("the name is empty");
        }
        if name.chars().count() > Self::MAX_CHARS {
            return invalid("the name is longer than 64 characters");
        }
        if name.chars().any(char::is_control) {
            return invalid("the name contains a control character");
        }
        if name.chars().any(is_invisible) {
            return invalid("the name contains an invisible or format character");
        }
        Ok(Self(name))
    }

    /// The name.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether two names would be confused in a list: equal after NFKC
    /// normalization (composed and decomposed accents, full-width letters,
    /// ligatures) and ignoring case.
    ///
    /// ```
    /// use countersign::authenticator::AuthenticatorName;
    ///
    /// let phone = AuthenticatorName::new("Joe's Phone")?;
    /// assert!(phone.same_as(&AuthenticatorName::new("joe's phone")?));
    /// # Ok::<(), countersign::Error>(())
    /// ```
    #[must_use]
    pub fn same_as(&self, other: &Self) -> bool {
        self.0 == other.0 || folded(&self.0) == folded(&other.0)
    }

    pub(crate) fn default_name() -> Self {
        Self(DEFAULT_AUTHENTICATOR_NAME.to_owned())
    }
}

/// A name as compared for duplicates: NFKC, lowercased (UTS #39's idea of a
/// skeleton, kept to what the standard library and NFKC give).
fn folded(name: &str) -> String {
    name.nfkc().flat_map(char::to_lowercase).nfkc().collect()
}

/// Characters that show nothing, or change how the rest shows, in a list.
fn is_invisible(c: char) -> bool {
    matches!(
        c.general_category(),
        GeneralCategory::Format
            | GeneralCategory::LineSeparator
            | GeneralCategory::ParagraphSeparator
    ) || matches!(
        c,
        // Hangul fillers: letters (Lo) that draw nothing.
        '\u{115F}' | '\u{1160}' | '\u{3164}' | '\u{FFA0}'
        // The soft hyphen (Cf, listed for the reader) and the combining grapheme joiner.
        | '\u{00AD}' | '\u{034F}'
        // Variation selectors, Mongolian free variation selectors.
        | '\u{FE00}'..='\u{FE0F}' | '\u{E0100}'..='\u{E01EF}' | '\u{180B}'..='\u{180F}'
    )
}

impl fmt::Display for AuthenticatorName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for AuthenticatorName {
    type Error = Error;

    fn try_from(name: String) -> Result<Self> {
        let checked = Self::new(&name)?;
        if checked.0 != name {
            // Stored names are stored trimmed and NFC: anything else was altered.
            return Err(Error::InvalidAuthenticatorName {
                reason: "a stored name is not trimmed or not normalized (NFC)",
            });
        }
        Ok(checked)
    }
}

impl From<AuthenticatorName> for String {
    fn from(name: AuthenticatorName) -> Self {
        name.0
    }
}

/// One enrolled TOTP authenticator, as stored with the account.
///
/// Its secret is sealed under the server key; `Debug` does not show it.
///
/// # Examples
///
/// ```
/// # let portal = countersign::Portal::new(countersign::ServerKey::from_bytes([7; 32]), Default::default()).unwrap();
/// # let profile = countersign::Profile { contact_id: 3522, client_id: 1707, name: "Joe Example".into(),
/// #     username: "joe.example".into(), email: "joe@example.com".into(), cell_phone: None, primary: true };
/// # let mut account = portal.create_account(profile, "correct horse battery staple", &mut rand::rng())?;
/// assert!(account.authenticators().is_empty(), "two-factor is off");
/// # Ok::<(), countersign::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Authenticator {
    pub(crate) name: AuthenticatorName,
    pub(crate) secret: SealedSecret,
    pub(crate) config: Config,
    /// RFC 6238 §5.2: the last step this authenticator had accepted (the
    /// contact's replay floor is the latest of all of them).
    pub(crate) last_accepted_step: Option<u64>,
    pub(crate) throttle: Throttle,
    pub(crate) added_at: u64,
    pub(crate) last_used_at: Option<u64>,
}

impl fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Authenticator")
            .field("name", &self.name)
            .field("secret", &"[redacted]")
            .field("config", &self.config)
            .field("last_accepted_step", &self.last_accepted_step)
            .field("throttle", &self.throttle)
            .field("added_at", &self.added_at)
            .field("last_used_at", &self.last_used_at)
            .finish()
    }
}

impl Authenticator {
    pub(crate) fn new(
        name: AuthenticatorName,
        secret: SealedSecret,
        config: Config,
        last_accepted_step: Option<u64>,
        added_at: u64,
    ) -> Self {
        Self {
            name,
            secret,
            config,
            last_accepted_step,
            throttle: Throttle::new(Factor::Totp),
            added_at,
            last_used_at: None,
        }
    }

    /// The name the contact gave it.
    #[must_use]
    pub fn name(&self) -> &AuthenticatorName {
        &self.name
    }

    /// Its TOTP parameters and skew window.
    #[must_use]
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The last step it had accepted (RFC 6238 §5.2 replay protection).
    #[must_use]
    pub fn last_accepted_step(&self) -> Option<u64> {
        self.last_accepted_step
    }

    /// Its own throttle lane (see the [module docs](self)).
    #[must_use]
    pub fn throttle(&self) -> &Throttle {
        &self.throttle
    }

    /// When it was added, unix seconds.
    #[must_use]
    pub fn added_at(&self) -> u64 {
        self.added_at
    }

    /// When a code from it last signed in, unix seconds (`None`: never; the
    /// code that confirmed it does not count).
    #[must_use]
    pub fn last_used_at(&self) -> Option<u64> {
        self.last_used_at
    }
}

/// Checks that a list of stored authenticators could have been made by the flows:
/// 1 to [`MAX_AUTHENTICATORS`], names distinct, sealed secrets distinct, each
/// lane a TOTP lane.
pub(crate) fn check_list(list: &[Authenticator]) -> core::result::Result<(), &'static str> {
    if list.is_empty() {
        return Err("two-factor is on with no authenticator");
    }
    if list.len() > MAX_AUTHENTICATORS {
        return Err("more authenticators than a contact may hold");
    }
    for (at, a) in list.iter().enumerate() {
        if a.throttle.factor() != Factor::Totp {
            return Err("an authenticator's throttle guards another factor");
        }
        if list[..at].iter().any(|b| b.name.same_as(&a.name)) {
            return Err("two authenticators share a name");
        }
        // Every sealing draws a fresh nonce: a repeated nonce or ciphertext is one
        // secret copied under another name, which would make one code count twice.
        if list[..at].iter().any(|b| {
            b.secret.nonce() == a.secret.nonce() || b.secret.ciphertext() == a.secret.ciphertext()
        }) {
            return Err("two authenticators share a sealed secret");
        }
    }
    Ok(())
}

/// The name a new authenticator may take next to `list`.
fn check_new_name(list: &[Authenticator], name: &AuthenticatorName) -> Result<()> {
    if list.len() >= MAX_AUTHENTICATORS {
        return Err(Error::TooManyAuthenticators {
            max: MAX_AUTHENTICATORS,
        });
    }
    if list.iter().any(|a| a.name.same_as(name)) {
        return Err(Error::DuplicateAuthenticatorName {
            name: name.as_str().to_owned(),
        });
    }
    Ok(())
}

/// Which error of several authenticators' to report: a replay says the most (the
/// code was right once), then a wrong code, then a malformed one. Among errors of one
/// rank, the first authenticator's (the oldest) is reported.
fn rank(error: &crate::totp::Error) -> u8 {
    match error {
        crate::totp::Error::Replayed { .. } => 3,
        crate::totp::Error::WrongCode => 2,
        _ => 1,
    }
}

/// Tries `code` against each authenticator (see the [module docs](self)):
/// admitted by `lane` first, then by each authenticator's own lane. Returns the
/// match, and whether anything stored changed.
pub(crate) fn verify_code(
    policy: &ThrottlePolicy,
    lane: &mut Throttle,
    authenticators: &mut [Authenticator],
    verifiers: &[Option<Verifier>],
    code: &str,
    now: u64,
) -> (Result<Match>, bool) {
    let attempt = match lane.admit(policy, now) {
        Ok(attempt) => attempt,
        Err(refused) => return (Err(refused.into()), false),
    };
    // RFC 6238 §5.2: a verifier MUST NOT accept the same OTP twice. A step
    // accepted on any authenticator is spent for all of them, so replay safety
    // does not rest on every secret being distinct (checked at decode too).
    let spent = authenticators
        .iter()
        .filter_map(|a| a.last_accepted_step)
        .max();
    // At most MAX_AUTHENTICATORS (10): a bit per authenticator compared.
    let mut compared: u32 = 0;
    let mut error: Option<crate::totp::Error> = None;
    let mut refused: Option<crate::throttle::Throttled> = None;
    for (at, (a, verifier)) in authenticators.iter_mut().zip(verifiers).enumerate() {
        // A secret that did not open matches nothing: not compared, not counted.
        let Some(verifier) = verifier else {
            continue;
        };
        let own = match a.throttle.admit(policy, now) {
            Ok(own) => own,
            Err(r) => {
                refused.get_or_insert(r);
                continue;
            }
        };
        match verifier.verify(code, now, spent) {
            Ok(matched) => {
                a.throttle = own.succeeded();
                // Always later than every stored step: the verifier refuses the rest.
                a.last_accepted_step = Some(matched.step);
                a.last_used_at = Some(now);
                *lane = attempt.succeeded();
                return (Ok(matched), true);
            }
            Err(e) => {
                if matches!(
                    e,
                    crate::totp::Error::WrongCode | crate::totp::Error::Replayed { .. }
                ) {
                    compared |= 1 << at;
                }
                if error.as_ref().is_none_or(|held| rank(&e) > rank(held)) {
                    error = Some(e);
                }
            }
        }
    }
    // A code compared with any authenticator fails the contact lane and each compared
    // authenticator's lane. That changes the account (a count grows, or a failure time
    // moves) unless every one of those lanes is at its ceiling of u32::MAX failures and
    // already stamped `now`. The flag says "compared": in that corner it over-reports,
    // costing one write of an unchanged account; it never under-reports a failure.
    let changed = compared != 0;
    if changed {
        *lane = attempt.failed();
        for (at, a) in authenticators.iter_mut().enumerate() {
            if compared & (1 << at) == 0 {
                continue;
            }
            // Admitted a moment ago at the same `now`: admitted again.
            if let Ok(own) = a.throttle.admit(policy, now) {
                a.throttle = own.failed();
            }
        }
    }
    let error = match (error, refused) {
        (Some(e), _) => Error::Totp(e),
        (None, Some(refused)) => refused.into(),
        (None, None) => Error::NotEnrolled,
    };
    (Err(error), changed)
}

/// What "Add another authenticator" completed.
#[derive(Debug)]
#[non_exhaustive]
pub struct AuthenticatorAdded {
    /// The new authenticator's name.
    pub name: AuthenticatorName,
    /// "Success: Authenticator Added."
    pub message: &'static str,
}

impl Portal {
    /// "Add another authenticator": with two-factor on, names a new one, checks the
    /// password, and starts its enrollment (the key to scan or type, as at
    /// enabling two-factor), replacing any earlier pending one.
    ///
    /// The name and the count are checked before the password, so a name that
    /// cannot be taken costs no password try.
    ///
    /// # Errors
    ///
    /// - [`Error::NotEnrolled`]: two-factor is off (enable it first:
    ///   [`Portal::begin_enrollment`]);
    /// - [`Error::PermissionDenied`]: as for enabling two-factor;
    /// - [`Error::InvalidAuthenticatorName`], [`Error::DuplicateAuthenticatorName`],
    ///   [`Error::TooManyAuthenticators`]: nothing was checked;
    /// - [`Error::Throttled`], [`Error::Password`]: as at every password re-entry.
    ///
    /// # Examples
    ///
    /// ```
    /// # use countersign::totp::{Secret, Totp, Params};
    /// # let portal = countersign::Portal::new(countersign::ServerKey::from_bytes([7; 32]), Default::default()).unwrap();
    /// # let profile = countersign::Profile { contact_id: 3522, client_id: 1707, name: "Joe Example".into(),
    /// #     username: "joe.example".into(), email: "joe@example.com".into(), cell_phone: None, primary: true };
    /// # let (password, now, rng) = ("correct horse battery staple", 1_700_000_000, &mut rand::rng());
    /// # let mut account = portal.create_account(profile, password, rng)?;
    /// # let nobody = |_: u64, _: countersign::Gate| false;
    /// # let app_of = |started: &countersign::enrollment::EnrollmentStarted| {
    /// #     Totp::new(&Secret::from_base32(&started.key_for_typing()).unwrap(), Params::default()).unwrap() };
    /// let started = portal.begin_enrollment(&mut account, &nobody, password, now, rng)?;
    /// let phone = app_of(&started);
    /// portal.confirm_enrollment(&mut account, &phone.code_at(now)?.to_string(), now, rng)?;
    ///
    /// let started = portal.begin_adding_authenticator(&mut account, &nobody, "YubiKey", password, now + 30, rng)?;
    /// let token = app_of(&started);
    /// let added = portal.confirm_authenticator(&mut account, &token.code_at(now + 30)?.to_string(), now + 30)?;
    /// assert_eq!(added.name.as_str(), "YubiKey");
    /// let names: Vec<_> = account.authenticators().iter().map(|a| a.name().as_str()).collect();
    /// assert_eq!(names, ["Authenticator app", "YubiKey"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn begin_adding_authenticator<R: CryptoRng + ?Sized>(
        &self,
        account: &mut Account,
        permissions: &(impl Permissions + ?Sized),
        name: &str,
        password: &str,
        now: u64,
        rng: &mut R,
    ) -> Result<EnrollmentStarted> {
        account.step(|account| {
            let list = account.authenticators();
            if list.is_empty() {
                return Err(Error::NotEnrolled);
            }
            crate::gate::require(permissions, account.profile(), crate::Gate::EnableTwoFactor)?;
            let name = AuthenticatorName::new(name)?;
            check_new_name(list, &name)?;
            self.check_password(account, password, now, rng)?;
            self.start_enrollment(account, name, now, rng)
        })
    }

    /// "Complete" of "Add another authenticator": a code from the new app adds it.
    /// Its step is stored as accepted, so the same code cannot then log in. The
    /// code goes through the contact's TOTP lane, as every TOTP code does: a wrong
    /// one counts a failure there, a right one does not reset it (only a sign-in
    /// code does).
    ///
    /// # Errors
    ///
    /// - [`Error::NotEnrolled`]: two-factor is off (confirm the first enrollment
    ///   with [`Portal::confirm_enrollment`]);
    /// - [`Error::NoPendingEnrollment`], [`Error::EnrollmentExpired`] (cleared);
    /// - [`Error::Throttled`]; [`Error::Totp`] for a wrong or malformed code (it
    ///   stays pending);
    /// - [`Error::DuplicateAuthenticatorName`], [`Error::TooManyAuthenticators`]:
    ///   another one was added meanwhile under that name, or up to the limit (cleared);
    /// - [`Error::SealedSecretUnreadable`].
    pub fn confirm_authenticator(
        &self,
        account: &mut Account,
        code: &str,
        now: u64,
    ) -> Result<AuthenticatorAdded> {
        account.step(|account| {
            if !account.two_factor_enabled() {
                return Err(Error::NotEnrolled);
            }
            // A wrong code counts on the contact's TOTP lane; a right one leaves
            // it as it was: only a sign-in code resets it (see the throttle
            // table), so adding a token does not wipe a guesser's failures.
            let lane = account.0.throttles.totp.clone();
            let step = self.confirm_pending(account, code, now)?;
            let record = &mut account.0;
            record.throttles.totp = lane;
            let (Some(pending), Some(two_factor)) =
                (record.pending_enrollment.take(), record.two_factor.as_mut())
            else {
                return Err(Error::NoPendingEnrollment);
            };
            let PendingEnrollment {
                secret,
                config,
                name,
                ..
            } = pending;
            let name = name.unwrap_or_else(AuthenticatorName::default_name);
            check_new_name(&two_factor.authenticators, &name)?;
            two_factor.authenticators.push(Authenticator::new(
                name.clone(),
                secret,
                config,
                Some(step),
                now,
            ));
            Ok(AuthenticatorAdded {
                name,
                message: crate::notice::AUTHENTICATOR_ADDED,
            })
        })
    }

    /// "Remove" beside one authenticator, then the password re-entry: removes it.
    /// Remembered devices and backup codes stay; a prepared verifier of the
    /// account goes stale ([`Error::StaleVerifier`]: prepare it again).
    ///
    /// # Errors
    ///
    /// - [`Error::NotEnrolled`]; [`Error::NoSuchAuthenticator`] (no password was
    ///   checked);
    /// - [`Error::LastAuthenticator`]: it is the only one; disable two-factor
    ///   instead (no password was checked);
    /// - [`Error::Throttled`], [`Error::Password`]: as at every password re-entry.
    ///
    /// # Examples
    ///
    /// ```
    /// # use countersign::totp::{Secret, Totp, Params};
    /// # let portal = countersign::Portal::new(countersign::ServerKey::from_bytes([7; 32]), Default::default()).unwrap();
    /// # let profile = countersign::Profile { contact_id: 3522, client_id: 1707, name: "Joe Example".into(),
    /// #     username: "joe.example".into(), email: "joe@example.com".into(), cell_phone: None, primary: true };
    /// # let (password, now, rng) = ("correct horse battery staple", 1_700_000_000, &mut rand::rng());
    /// # let mut account = portal.create_account(profile, password, rng)?;
    /// # let nobody = |_: u64, _: countersign::Gate| false;
    /// # let app_of = |started: &countersign::enrollment::EnrollmentStarted| {
    /// #     Totp::new(&Secret::from_base32(&started.key_for_typing()).unwrap(), Params::default()).unwrap() };
    /// # let started = portal.begin_enrollment(&mut account, &nobody, password, now, rng)?;
    /// # portal.confirm_enrollment(&mut account, &app_of(&started).code_at(now)?.to_string(), now, rng)?;
    /// # let started = portal.begin_adding_authenticator(&mut account, &nobody, "YubiKey", password, now + 30, rng)?;
    /// # portal.confirm_authenticator(&mut account, &app_of(&started).code_at(now + 30)?.to_string(), now + 30)?;
    /// portal.remove_authenticator(&mut account, "Authenticator app", password, now + 60, rng)?;
    /// assert_eq!(account.authenticators().len(), 1);
    /// let last = portal.remove_authenticator(&mut account, "yubikey", password, now + 60, rng);
    /// assert!(matches!(last, Err(countersign::Error::LastAuthenticator)));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn remove_authenticator<R: CryptoRng + ?Sized>(
        &self,
        account: &mut Account,
        name: &str,
        password: &str,
        now: u64,
        rng: &mut R,
    ) -> Result<&'static str> {
        account.step(|account| {
            let list = account.authenticators();
            if list.is_empty() {
                return Err(Error::NotEnrolled);
            }
            let wanted = AuthenticatorName::new(name).map_err(|_| Error::NoSuchAuthenticator)?;
            let at = list
                .iter()
                .position(|a| a.name.same_as(&wanted))
                .ok_or(Error::NoSuchAuthenticator)?;
            if list.len() == 1 {
                return Err(Error::LastAuthenticator);
            }
            self.check_password(account, password, now, rng)?;
            if let Some(two_factor) = account.0.two_factor.as_mut() {
                two_factor.authenticators.remove(at);
            }
            Ok(crate::notice::AUTHENTICATOR_REMOVED)
        })
    }
}
