//! Enabling and disabling two-factor authentication (seeds 000, 001, 004).
//!
//! 1. [`Portal::begin_enrollment`]: the contact may (primary contact, or "Client
//!    Profile: View" resolves to Allow) and re-enters the password; a new secret is
//!    made and sealed into a pending enrollment, and the key is shown for the app:
//!    grouped for typing, as an otpauth URI, as a QR code. It expires (10 minutes).
//! 2. [`Portal::confirm_enrollment`]: a code from the app completes it, returns the
//!    backup codes to show once and "Success: Two-Factor Enrollment Complete.". A
//!    wrong code leaves it pending; [`Portal::cancel_enrollment`] or expiry leaves
//!    two-factor off.
//! 3. [`Portal::disable_two_factor`]: password re-entry; every authenticator,
//!    remembered device and backup code dies with it. "Success: Two-Factor Has
//!    Been Disabled."
//! 4. [`Portal::regenerate_backup_codes`]: password re-entry; a new set, shown
//!    once, replaces the old one. [`Portal::backup_codes_running_low`] says when
//!    to ask for it.
//!
//! More authenticators than the first: see [`authenticator`](crate::authenticator).

use core::fmt;

use rand::CryptoRng;
use zeroize::Zeroizing;

use crate::account::{Account, PendingEnrollment, TwoFactor};
use crate::authenticator::{Authenticator, AuthenticatorName};
use crate::gate::{self, Gate, Permissions};
use crate::portal::{Portal, guarded};
use crate::totp::{KeyUri, PlainCodes, Secret, Verifier};
use crate::{Error, Result, notice};

/// What the "scan the QR code or enter the key manually" pop-up shows. Holds the
/// plain key: show it, then drop it (it is zeroized on drop).
pub struct EnrollmentStarted {
    uri: KeyUri,
    expires_at: u64,
}

impl fmt::Debug for EnrollmentStarted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EnrollmentStarted")
            .field("key", &"[redacted]")
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

impl EnrollmentStarted {
    /// The secret key in base32, in groups of four for typing ("QHNA TAPG ...").
    #[must_use]
    pub fn key_for_typing(&self) -> Zeroizing<String> {
        self.uri.secret().to_base32_grouped()
    }

    /// The `otpauth://totp/Issuer:username?...` URI an app scans.
    #[must_use]
    pub fn otpauth_uri(&self) -> Zeroizing<String> {
        self.uri.to_uri()
    }

    /// The key URI, for anything else (its QR code, its parameters).
    #[must_use]
    pub fn key_uri(&self) -> &KeyUri {
        &self.uri
    }

    /// The QR code of the URI as SVG text.
    ///
    /// # Errors
    ///
    /// [`Error::Totp`] if the URI does not fit a QR code (an absurdly long issuer or username).
    #[cfg(feature = "qr")]
    pub fn qr_svg(&self) -> Result<Zeroizing<String>> {
        Ok(self.uri.qr_svg()?)
    }

    /// The QR code of the URI drawn with block characters, for a terminal.
    ///
    /// # Errors
    ///
    /// As [`EnrollmentStarted::qr_svg`].
    #[cfg(feature = "qr")]
    pub fn qr_terminal(&self) -> Result<Zeroizing<String>> {
        Ok(self.uri.qr_terminal()?)
    }

    /// When the pending enrollment expires, unix seconds.
    #[must_use]
    pub fn expires_at(&self) -> u64 {
        self.expires_at
    }
}

/// A completed enrollment: the backup codes, to show once, and the notice.
#[derive(Debug)]
pub struct EnrollmentComplete {
    /// The backup codes in plain text: show them once ("note your backup codes in a
    /// secure location"), then drop them. Only their hashes are stored.
    pub backup_codes: PlainCodes,
    /// "Success: Two-Factor Enrollment Complete."
    pub message: &'static str,
}

impl Portal {
    /// "Click to enable", then the password re-entry pop-up: starts an enrollment.
    ///
    /// The gate first (no password is checked for a contact who may not enroll),
    /// then the password through its throttle, then a fresh 160-bit secret sealed
    /// into the account as a pending enrollment, replacing any earlier one.
    ///
    /// # Errors
    ///
    /// - [`Error::AlreadyEnrolled`]: two-factor is already on;
    /// - [`Error::PermissionDenied`]: not the primary contact, and "Client Profile:
    ///   View" does not resolve to Allow;
    /// - [`Error::Throttled`]: too many wrong passwords (nothing was checked);
    /// - [`Error::Password`]: the wrong password (`WrongPassword`), or a stored hash
    ///   that cannot be read.
    pub fn begin_enrollment<R: CryptoRng + ?Sized>(
        &self,
        account: &mut Account,
        permissions: &(impl Permissions + ?Sized),
        password: &str,
        now: u64,
        rng: &mut R,
    ) -> Result<EnrollmentStarted> {
        account.step(|account| {
            if account.two_factor_enabled() {
                return Err(Error::AlreadyEnrolled);
            }
            gate::require(permissions, account.profile(), Gate::EnableTwoFactor)?;
            self.check_password(account, password, now, rng)?;
            self.start_enrollment(account, AuthenticatorName::default_name(), now, rng)
        })
    }

    /// A fresh 160-bit secret for the authenticator `name`, sealed into the account
    /// as a pending enrollment (replacing any earlier one); the key to show.
    pub(crate) fn start_enrollment<R: CryptoRng + ?Sized>(
        &self,
        account: &mut Account,
        name: AuthenticatorName,
        now: u64,
        rng: &mut R,
    ) -> Result<EnrollmentStarted> {
        let secret = Secret::generate_with(rng, Secret::DEFAULT_BITS)?;
        let contact_id = account.profile().contact_id;
        let sealed = self.seal_totp_secret(contact_id, &secret, rng)?;
        let config = self.settings.totp;
        let uri = KeyUri::new_totp(
            &secret,
            Some(self.settings.issuer.as_str()),
            &account.profile().username,
        )?
        .with_algorithm(config.params.algorithm)
        .with_digits(config.params.digits)?
        .with_period(config.params.period)?;
        let expires_at = now.saturating_add(self.settings.enrollment_lifetime);
        account.0.pending_enrollment = Some(PendingEnrollment {
            secret: sealed,
            config,
            name: Some(name),
            started_at: now,
            expires_at,
        });
        Ok(EnrollmentStarted { uri, expires_at })
    }

    /// Checks a code against the pending enrollment through the contact's TOTP
    /// lane; returns its step. An expired enrollment is cleared.
    pub(crate) fn confirm_pending(
        &self,
        account: &mut Account,
        code: &str,
        now: u64,
    ) -> Result<u64> {
        let contact_id = account.profile().contact_id;
        let record = &mut account.0;
        let pending = record
            .pending_enrollment
            .as_ref()
            .ok_or(Error::NoPendingEnrollment)?;
        if now >= pending.expires_at {
            let expired_at = pending.expires_at;
            record.pending_enrollment = None;
            return Err(Error::EnrollmentExpired { expired_at });
        }
        let matched = guarded(
            &self.settings.throttle,
            &mut record.throttles.totp,
            now,
            || {
                let secret = self.open_totp_secret(&pending.secret, contact_id)?;
                let verifier = Verifier::new(&secret, pending.config)?;
                Ok(verifier.verify(code, now, None)?)
            },
            counts_as_totp_failure,
        )?;
        Ok(matched.step)
    }

    /// "Complete Enrollment": checks the code the app shows, and turns two-factor on.
    ///
    /// The code's step is stored as accepted, so the same code cannot then log in.
    ///
    /// # Errors
    ///
    /// - [`Error::AlreadyEnrolled`]: two-factor is on (a pending addition is
    ///   confirmed with [`Portal::confirm_authenticator`]);
    /// - [`Error::NoPendingEnrollment`]: nothing to confirm;
    /// - [`Error::EnrollmentExpired`]: too late; the pending enrollment is cleared
    ///   and two-factor stays off;
    /// - [`Error::Throttled`]: too many wrong codes (nothing was checked);
    /// - [`Error::Totp`]: a malformed or wrong code; the enrollment stays pending;
    /// - [`Error::SealedSecretUnreadable`]: the pending state was altered.
    pub fn confirm_enrollment<R: CryptoRng + ?Sized>(
        &self,
        account: &mut Account,
        code: &str,
        now: u64,
        rng: &mut R,
    ) -> Result<EnrollmentComplete> {
        account.step(|account| {
            if account.two_factor_enabled() {
                // A pending addition: `Portal::confirm_authenticator` completes it.
                return Err(Error::AlreadyEnrolled);
            }
            let step = self.confirm_pending(account, code, now)?;
            let record = &mut account.0;
            let (backup_codes, plain) =
                crate::totp::BackupCodes::generate_with(&self.settings.backup_codes, rng, now)?;
            let Some(pending) = record.pending_enrollment.take() else {
                return Err(Error::NoPendingEnrollment);
            };
            let name = pending.name.unwrap_or_else(AuthenticatorName::default_name);
            record.two_factor = Some(TwoFactor {
                authenticators: vec![Authenticator::new(
                    name,
                    pending.secret,
                    pending.config,
                    Some(step),
                    now,
                )],
                backup_codes,
                enabled_at: now,
            });
            Ok(EnrollmentComplete {
                backup_codes: plain,
                message: notice::ENROLLMENT_COMPLETE,
            })
        })
    }

    /// "Cancel": drops the pending enrollment (of the first authenticator, or of
    /// another one); two-factor stays as it was. Returns whether one was pending.
    pub fn cancel_enrollment(&self, account: &mut Account) -> bool {
        account.step(|account| account.0.pending_enrollment.take().is_some())
    }

    /// "Click to disable", then the password re-entry: turns two-factor off. Every
    /// remembered device is revoked, the backup codes and any SMS code are dropped.
    /// Returns "Success: Two-Factor Has Been Disabled.".
    ///
    /// # Errors
    ///
    /// [`Error::NotEnrolled`]; [`Error::Throttled`]; [`Error::Password`] for the
    /// wrong password (two-factor stays on).
    pub fn disable_two_factor<R: CryptoRng + ?Sized>(
        &self,
        account: &mut Account,
        password: &str,
        now: u64,
        rng: &mut R,
    ) -> Result<&'static str> {
        account.step(|account| {
            if !account.two_factor_enabled() {
                return Err(Error::NotEnrolled);
            }
            self.check_password(account, password, now, rng)?;
            let record = &mut account.0;
            // Every authenticator, every passkey and the backup codes go with it.
            record.two_factor = None;
            record.passkeys.clear();
            record.pending_enrollment = None;
            record.sms_code = None;
            record.devices.revoke_all();
            Ok(notice::TWO_FACTOR_DISABLED)
        })
    }
}

impl Portal {
    /// "Regenerate backup codes", then the password re-entry: a new set replaces
    /// the old one, every old code dies (used or not), and the new codes are
    /// returned to show once, like at enrollment. Backup codes are one set per
    /// contact, whatever the number of authenticators.
    ///
    /// # Errors
    ///
    /// [`Error::NotEnrolled`]; [`Error::Throttled`]; [`Error::Password`] for the
    /// wrong password (the old set stays); [`Error::Totp`] if the codes cannot be
    /// made (invalid backup-code settings).
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
    /// # let started = portal.begin_enrollment(&mut account, &nobody, password, now, rng)?;
    /// # let app = Totp::new(&Secret::from_base32(&started.key_for_typing()).unwrap(), Params::default()).unwrap();
    /// let enrolled = portal.confirm_enrollment(&mut account, &app.code_at(now)?.to_string(), now, rng)?;
    /// let renewed = portal.regenerate_backup_codes(&mut account, password, now + 60, rng)?;
    /// assert_eq!(renewed.backup_codes.len(), 10);
    /// assert_ne!(renewed.backup_codes.iter().next().map(|c| c.expose().to_owned()),
    ///            enrolled.backup_codes.iter().next().map(|c| c.expose().to_owned()));
    /// assert_eq!(account.backup_codes_left(), Some(10));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn regenerate_backup_codes<R: CryptoRng + ?Sized>(
        &self,
        account: &mut Account,
        password: &str,
        now: u64,
        rng: &mut R,
    ) -> Result<BackupCodesRegenerated> {
        account.step(|account| {
            if !account.two_factor_enabled() {
                return Err(Error::NotEnrolled);
            }
            self.check_password(account, password, now, rng)?;
            let two_factor = account.0.two_factor.as_mut().ok_or(Error::NotEnrolled)?;
            let backup_codes =
                two_factor
                    .backup_codes
                    .regenerate(&self.settings.backup_codes, rng, now)?;
            Ok(BackupCodesRegenerated {
                backup_codes,
                message: notice::BACKUP_CODES_REGENERATED,
            })
        })
    }

    /// Whether the contact should regenerate the backup codes: two-factor is on
    /// and at most [`Settings::low_water_mark`](crate::Settings::low_water_mark)
    /// unused codes are left.
    ///
    /// ```
    /// # let portal = countersign::Portal::new(countersign::ServerKey::from_bytes([7; 32]), Default::default()).unwrap();
    /// # let profile = countersign::Profile { contact_id: 3522, client_id: 1707, name: "Joe Example".into(),
    /// #     username: "joe.example".into(), email: "joe@example.com".into(), cell_phone: None, primary: true };
    /// let account = portal.create_account(profile, "correct horse battery staple", &mut rand::rng())?;
    /// assert!(!portal.backup_codes_running_low(&account), "two-factor is off: no codes to run out of");
    /// # Ok::<(), countersign::Error>(())
    /// ```
    #[must_use]
    pub fn backup_codes_running_low(&self, account: &Account) -> bool {
        account
            .backup_codes_left()
            .is_some_and(|left| left <= self.settings.low_water_mark())
    }
}

/// A regenerated set of backup codes: to show once, and the notice.
#[derive(Debug)]
#[non_exhaustive]
pub struct BackupCodesRegenerated {
    /// The new codes in plain text: show them once behind the same warning as at
    /// enrollment, then drop them. Only their hashes are stored.
    pub backup_codes: PlainCodes,
    /// "Success: New Backup Codes Generated."
    pub message: &'static str,
}

/// A TOTP error that compared a code: wrong or replayed. Malformed input compares
/// nothing and costs no try.
pub(crate) fn counts_as_totp_failure(error: &Error) -> bool {
    matches!(
        error,
        Error::Totp(crate::totp::Error::WrongCode | crate::totp::Error::Replayed { .. })
    )
}
