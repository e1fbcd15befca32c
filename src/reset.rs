//! Resetting a forgotten password with an emailed code, and changing a known one
//! (seed 003).
//!
//! "Reset Password" emails a code that "will quickly expire" (8 digits, 15 minutes,
//! 5 tries; only its keyed hash is stored): [`Portal::request_password_reset`]
//! returns what to send and to whom, at most 5 times an hour per contact. [`Portal::reset_password`] sets the new
//! password only with the right code, and only if it passes the password policy
//! (the code is checked first, so a guesser never makes a breach lookup).
//! Either way a password changes, every remembered device is revoked.

use rand::CryptoRng;

use crate::account::Account;
use crate::one_time::{Delivery, PendingCode, Purpose};
use crate::portal::Portal;
use crate::{Error, Result, notice};

impl Portal {
    /// "Reset Password": issues an emailed reset code to the contact's email on
    /// file, replacing any earlier one. The service finds the contact by email or
    /// username first, and sends the [`Delivery`].
    ///
    /// Anyone who knows a username can ask, so it needs no secret and locks
    /// nothing: it is bounded by [`Settings::reset_requests`](crate::Settings::reset_requests)
    /// (5 codes an hour by default), so that nobody can make the service flood a
    /// mailbox, and it never touches a throttle.
    ///
    /// # Errors
    ///
    /// [`Error::TooManyCodesSent`]: the window is full; nothing was issued and the
    /// pending code (if any) stays as it was. [`Error::ContactDeactivated`]: the
    /// contact is [deactivated](crate::deactivation); nothing was issued.
    pub fn request_password_reset<R: CryptoRng + ?Sized>(
        &self,
        account: &mut Account,
        now: u64,
        rng: &mut R,
    ) -> Result<Delivery> {
        account.step(|account| {
            if account.0.deactivated_at.is_some() {
                return Err(Error::ContactDeactivated);
            }
            account.0.throttles.reset_requests.record(
                &self.settings.reset_requests,
                Purpose::EmailPasswordReset,
                now,
            )?;
            let email = account.profile().email.clone();
            let (delivery, pending) = PendingCode::issue_with_rng(
                &self.ring,
                Purpose::EmailPasswordReset,
                &self.settings.reset_code,
                &email,
                now,
                rng,
            );
            account.0.reset_code = Some(pending);
            Ok(delivery)
        })
    }

    /// Sets a new password with the emailed code.
    ///
    /// The code first, through the reset code's own throttle (wrong reset codes never
    /// slow down SMS login), and only then the new password against the policy and
    /// the [breach checker](crate::breach): an attempt without the right code, or
    /// with a code that is expired, used or out of tries, or while the throttle is
    /// closed, is refused before any lookup, so that nobody who can start a reset
    /// can make the service send requests to Pwned Passwords. The code is checked on
    /// a copy and spent only once the new password is accepted, so a refused
    /// password (or a failing checker) uses up neither the code nor a try. On
    /// success: the new Argon2id hash, every remembered device revoked, both password
    /// lanes unlocked (failures against the old password say nothing any more).
    ///
    /// # Errors
    ///
    /// [`Error::NoPendingCode`]; [`Error::Throttled`]; the one-time code errors
    /// ([`Error::WrongOneTimeCode`], [`Error::OneTimeCodeExpired`],
    /// [`Error::OneTimeCodeUsed`], [`Error::OneTimeCodeExhausted`],
    /// [`Error::MalformedOneTimeCode`]); with the right code,
    /// [`Error::PasswordRejected`] or [`Error::BreachCheckFailed`] when a breach
    /// checker fails (the code stays as it was, and nothing else happened).
    pub fn reset_password<R: CryptoRng + ?Sized>(
        &self,
        account: &mut Account,
        code: &str,
        new_password: &str,
        now: u64,
        rng: &mut R,
    ) -> Result<&'static str> {
        account.step(|account| {
            let record = &mut account.0;
            let no_code = Error::NoPendingCode {
                purpose: Purpose::EmailPasswordReset,
            };
            let pending = record.reset_code.as_mut().ok_or(no_code)?;
            // Refused here, before the code is looked at: a closed throttle.
            let attempt = record
                .throttles
                .reset_code
                .admit(&self.settings.throttle, now)?;
            // Verified on a copy: a wrong try is kept at once, the right code is
            // spent only with the password set.
            let mut trial = pending.clone();
            if let Err(error) = trial.verify(&self.ring, Purpose::EmailPasswordReset, code, now) {
                *pending = trial;
                if matches!(error, Error::WrongOneTimeCode { .. }) {
                    record.throttles.reset_code = attempt.failed();
                }
                return Err(error);
            }
            // The right code: only now the policy and the breach lookup. A refusal
            // records no outcome, so the code, its tries and the throttle stay.
            self.check_new_password(account.profile(), new_password)?;
            // Hashed only once the code is right: no Argon2id for a guesser.
            let hash = self.hash_password(new_password, rng)?;
            let record = &mut account.0;
            record.throttles.reset_code = attempt.succeeded();
            record.reset_code = Some(trial);
            record.password_hash = hash;
            record.devices.revoke_all();
            record.throttles.password = record.throttles.password.clone().unlock();
            record.throttles.password_on_device =
                record.throttles.password_on_device.clone().unlock();
            Ok(notice::PASSWORD_RESET)
        })
    }

    /// "Change Password": the current password (through its throttle), then the new
    /// one against the policy and the [breach checker](crate::breach). Every
    /// remembered device is revoked.
    ///
    /// The current password is verified first, so only someone who knows it (and is
    /// admitted by its throttle) makes a breach lookup: a wrong or throttled current
    /// password costs no request.
    ///
    /// # Errors
    ///
    /// [`Error::Throttled`]; [`Error::Password`] (`WrongPassword` for the current
    /// one); [`Error::PasswordRejected`] for a new one that breaks a rule;
    /// [`Error::BreachCheckFailed`] when a [breach checker](crate::breach) fails.
    pub fn change_password<R: CryptoRng + ?Sized>(
        &self,
        account: &mut Account,
        current: &str,
        new_password: &str,
        now: u64,
        rng: &mut R,
    ) -> Result<&'static str> {
        account.step(|account| {
            self.check_password(account, current, now, rng)?;
            let hash = self.hash_new_password(account.profile(), new_password, rng)?;
            let record = &mut account.0;
            record.password_hash = hash;
            record.devices.revoke_all();
            Ok(notice::PASSWORD_CHANGED)
        })
    }
}
