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
//! 3. [`Portal::disable_two_factor`]: password re-entry; every remembered device and
//!    backup code dies with it. "Success: Two-Factor Has Been Disabled."

use core::fmt;

use rand::CryptoRng;
use zeroize::Zeroizing;

use crate::account::{Account, PendingEnrollment, TwoFactor};
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
                started_at: now,
                expires_at,
            });
            Ok(EnrollmentStarted { uri, expires_at })
        })
    }

    /// "Complete Enrollment": checks the code the app shows, and turns two-factor on.
    ///
    /// The code's step is stored as accepted, so the same code cannot then log in.
    ///
    /// # Errors
    ///
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
            let (backup_codes, plain) =
                crate::totp::BackupCodes::generate_with(&self.settings.backup_codes, rng, now)?;
            let Some(pending) = record.pending_enrollment.take() else {
                return Err(Error::NoPendingEnrollment);
            };
            record.two_factor = Some(TwoFactor {
                secret: pending.secret,
                config: pending.config,
                last_accepted_step: Some(matched.step),
                backup_codes,
                enabled_at: now,
            });
            Ok(EnrollmentComplete {
                backup_codes: plain,
                message: notice::ENROLLMENT_COMPLETE,
            })
        })
    }

    /// "Cancel": drops the pending enrollment; two-factor stays off. Returns whether
    /// one was pending.
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
            record.two_factor = None;
            record.sms_code = None;
            record.devices.revoke_all();
            Ok(notice::TWO_FACTOR_DISABLED)
        })
    }
}

/// A TOTP error that compared a code: wrong or replayed. Malformed input compares
/// nothing and costs no try.
pub(crate) fn counts_as_totp_failure(error: &Error) -> bool {
    matches!(
        error,
        Error::Totp(crate::totp::Error::WrongCode | crate::totp::Error::Replayed { .. })
    )
}
