//! Resetting a forgotten password with an emailed code, and changing a known one
//! (seed 003).
//!
//! "Reset Password" emails a code that "will quickly expire" (8 digits, 15 minutes,
//! 5 tries; only its keyed hash is stored): [`Portal::request_password_reset`]
//! returns what to send and to whom, at most 5 times an hour per contact. [`Portal::reset_password`] sets the new
//! password only if it passes the password policy, and only with the right code.
//! Either way a password changes, every remembered device is revoked.

use rand::CryptoRng;

use crate::account::Account;
use crate::one_time::{Delivery, PendingCode, Purpose};
use crate::portal::{Portal, guarded};
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
    /// The new password is checked against the policy first, so a rejected password
    /// does not use up the code. Then the code, through the reset code's own
    /// throttle (wrong reset codes never slow down SMS login). On success: the new
    /// Argon2id hash, every remembered device revoked, both password lanes
    /// unlocked (failures against the old password say nothing any more).
    ///
    /// # Errors
    ///
    /// [`Error::PasswordRejected`] (nothing else happened); [`Error::BreachCheckFailed`]
    /// when a [breach checker](crate::breach) fails (nothing else happened either);
    /// [`Error::NoPendingCode`];
    /// [`Error::Throttled`]; the one-time code errors ([`Error::WrongOneTimeCode`],
    /// [`Error::OneTimeCodeExpired`], [`Error::OneTimeCodeUsed`],
    /// [`Error::OneTimeCodeExhausted`], [`Error::MalformedOneTimeCode`]).
    pub fn reset_password<R: CryptoRng + ?Sized>(
        &self,
        account: &mut Account,
        code: &str,
        new_password: &str,
        now: u64,
        rng: &mut R,
    ) -> Result<&'static str> {
        account.step(|account| {
            if account.0.reset_code.is_none() {
                return Err(Error::NoPendingCode {
                    purpose: Purpose::EmailPasswordReset,
                });
            }
            self.check_new_password(account.profile(), new_password)?;
            let record = &mut account.0;
            let pending = record.reset_code.as_mut().ok_or(Error::NoPendingCode {
                purpose: Purpose::EmailPasswordReset,
            })?;
            guarded(
                &self.settings.throttle,
                &mut record.throttles.reset_code,
                now,
                || pending.verify(&self.ring, Purpose::EmailPasswordReset, code, now),
                |e| matches!(e, Error::WrongOneTimeCode { .. }),
            )?;
            // Hashed only once the code is right: no Argon2id for a guesser.
            record.password_hash = self.hash_password(new_password, rng)?;
            record.devices.revoke_all();
            record.throttles.password = record.throttles.password.clone().unlock();
            record.throttles.password_on_device =
                record.throttles.password_on_device.clone().unlock();
            Ok(notice::PASSWORD_RESET)
        })
    }

    /// "Change Password": the current password (through its throttle), then the new
    /// one against the policy. Every remembered device is revoked.
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
