//! Signing in (seeds 003, 004): the login name, the password, then one second factor.
//!
//! 1. The service finds the contact whose [`Profile::answers_to`](crate::account::Profile::answers_to)
//!    the login name typed (a username, or the client ID for the primary contact).
//! 2. [`Portal::sign_in`] checks the password through its throttle. Without
//!    two-factor the contact is signed in; with it, a [`LoginTicket`] says the
//!    password was right, to keep in the server-side session while the second
//!    factor is asked.
//! 3. [`Portal::complete_sign_in`] takes one [`SecondFactor`]: a TOTP code (the
//!    accepted step is stored: RFC 6238 §5.2 replay protection), a backup code
//!    (consumed), a remembered-device cookie, or a code sent by SMS
//!    ([`Portal::send_sms_code`]). Asked to "remember this device for 30 days", it
//!    returns a device token to set as a cookie.
//!
//! The hot path is a TOTP code: [`Portal::prepare_totp`] opens the sealed secret and
//! keys the HMAC once, and the [`PreparedTotp`] it returns may be kept per account
//! (in memory, never stored) for [`Portal::verify_totp`], which then costs a
//! throttle check, the bare verification and a state update.

use crate::error::check_state_version;
use core::fmt;

use rand::CryptoRng;
use serde::{Deserialize, Serialize};

use crate::account::Account;
use crate::device::DeviceToken;
use crate::one_time::{Delivery, PendingCode, Purpose};
use crate::portal::{Lane, Portal, guarded};
use crate::totp::{Match, Verifier};
use crate::{Error, Result};

/// Proof that a contact's password was right a moment ago, while the second factor
/// is asked. Keep it in the server-side session (it is serde for that), never in a
/// cookie: it is not signed.
///
/// It is good for one sign-in: it is bound to the account's count of completed
/// sign-ins, so the sign-in it completes (or any other completed since) spends
/// it. Serde, versioned (`"v": 2`; a version 1 ticket reads as issued before
/// the first counted sign-in, so it too is spent by the next one).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "TicketRecord", into = "TicketRecord")]
pub struct LoginTicket {
    contact_id: u64,
    /// The account's revocation generation when the password was checked: a
    /// password change, reset or two-factor disable since voids the ticket.
    generation: u64,
    /// The account's completed sign-ins when the password was checked.
    sign_ins: u64,
    issued_at: u64,
    expires_at: u64,
}

const TICKET_VERSION: u32 = 2;

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct TicketRecord {
    v: u32,
    contact_id: u64,
    generation: u64,
    /// Since version 2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sign_ins: Option<u64>,
    issued_at: u64,
    expires_at: u64,
}

impl TryFrom<TicketRecord> for LoginTicket {
    type Error = Error;

    fn try_from(r: TicketRecord) -> Result<Self> {
        const STATE: &str = "login ticket";
        let sign_ins = match (r.v, r.sign_ins) {
            (1, None) => 0,
            (1, Some(_)) => {
                return Err(Error::CorruptState {
                    state: STATE,
                    reason: "a version 1 ticket does not count sign-ins",
                });
            }
            (v, sign_ins) => {
                check_state_version(STATE, v, TICKET_VERSION)?;
                sign_ins.ok_or(Error::CorruptState {
                    state: STATE,
                    reason: "the count of sign-ins is missing",
                })?
            }
        };
        Ok(Self {
            contact_id: r.contact_id,
            generation: r.generation,
            sign_ins,
            issued_at: r.issued_at,
            expires_at: r.expires_at,
        })
    }
}

impl From<LoginTicket> for TicketRecord {
    fn from(t: LoginTicket) -> Self {
        Self {
            v: TICKET_VERSION,
            contact_id: t.contact_id,
            generation: t.generation,
            sign_ins: Some(t.sign_ins),
            issued_at: t.issued_at,
            expires_at: t.expires_at,
        }
    }
}

impl LoginTicket {
    /// When it stops standing, unix seconds.
    #[must_use]
    pub fn expires_at(&self) -> u64 {
        self.expires_at
    }

    pub(crate) fn check(&self, account: &Account, now: u64) -> Result<()> {
        if self.contact_id != account.profile().contact_id
            || self.generation != account.devices().generation()
            || self.sign_ins != account.0.sign_ins
            || account.0.deactivated_at.is_some()
            || now < self.issued_at
            || now >= self.expires_at
        {
            return Err(Error::LoginTicketInvalid);
        }
        Ok(())
    }
}

/// What the password step leads to.
#[derive(Debug)]
#[must_use = "sign the contact in, or ask for the second factor"]
pub enum PasswordStep {
    /// Two-factor is off: the contact is signed in.
    SignedIn(SignedIn),
    /// Two-factor is on: ask for the "Authentication Code" (or a backup code, or
    /// offer "Send SMS Code"), and keep the ticket for [`Portal::complete_sign_in`].
    SecondFactorRequired(LoginTicket),
}

/// The second factor a contact offers.
#[derive(Clone, Copy)]
pub enum SecondFactor<'a> {
    /// A code from the authenticator app, verified cold (the secret is opened for
    /// this call).
    Totp(&'a str),
    /// A code from the authenticator app, verified on a verifier prepared earlier.
    PreparedTotp(&'a PreparedTotp, &'a str),
    /// A backup code; it is consumed.
    BackupCode(&'a str),
    /// The cookie of a remembered device.
    RememberedDevice(&'a str),
    /// The code sent by [`Portal::send_sms_code`].
    SmsCode(&'a str),
    /// A passkey or security key: the sealed state of
    /// [`Portal::begin_passkey_sign_in`]'s challenge and the browser's response
    /// (the JSON of the `PublicKeyCredential` `navigator.credentials.get()`
    /// returned).
    Passkey {
        /// [`PasskeyChallenge::state`](crate::passkey::PasskeyChallenge::state).
        state: &'a str,
        /// The browser's response.
        response_json: &'a str,
    },
}

impl fmt::Debug for SecondFactor<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Totp(_) => "Totp([redacted])",
            Self::PreparedTotp(..) => "PreparedTotp([redacted])",
            Self::BackupCode(_) => "BackupCode([redacted])",
            Self::RememberedDevice(_) => "RememberedDevice([redacted])",
            Self::SmsCode(_) => "SmsCode([redacted])",
            Self::Passkey { .. } => "Passkey([redacted])",
        })
    }
}

/// How a contact got in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Via {
    /// The password alone (two-factor off).
    Password,
    /// Password and an authenticator app code.
    Totp,
    /// Password and a backup code.
    BackupCode,
    /// Password and a remembered device.
    RememberedDevice,
    /// Password and a code sent by SMS.
    SmsCode,
    /// Password and a passkey or security key.
    Passkey,
    /// A passkey alone (passwordless sign-in).
    PasswordlessPasskey,
}

/// A contact signed in.
#[derive(Debug)]
#[non_exhaustive]
pub struct SignedIn {
    /// How.
    pub via: Via,
    /// Set when "remember this device" was asked with a real second factor, or
    /// when a device remembered under a retired server key was re-issued under
    /// the current one: the cookie to set (`Secure`, `HttpOnly`, `Max-Age` the
    /// device lifetime).
    pub device_token: Option<DeviceToken>,
    /// With two-factor on: how many unused backup codes are left (`None` for a
    /// password-only sign-in).
    pub backup_codes_left: Option<usize>,
    /// At or below [`Settings::low_water_mark`](crate::Settings::low_water_mark)
    /// backup codes are left: ask the contact to regenerate them
    /// ([`Portal::regenerate_backup_codes`]; the notice
    /// [`BACKUP_CODES_LOW`](crate::notice::BACKUP_CODES_LOW)).
    pub backup_codes_low: bool,
}

/// The TOTP verifiers opened from an account's sealed secrets (one per
/// authenticator), each keyed once.
///
/// Keep it in memory per account between logins (never store it: it holds the
/// keyed HMAC states, as good as the secrets). [`Portal::verify_totp`] refuses it
/// once an authenticator was added, removed or re-sealed, after a re-enrollment,
/// or for another contact.
pub struct PreparedTotp {
    contact_id: u64,
    /// Each authenticator's sealing nonce, in the account's order.
    sealing_nonces: Vec<[u8; 12]>,
    /// Each authenticator's verifier, in the same order; `None` where its secret
    /// did not open (see [`Portal::prepare_totp`]).
    verifiers: Vec<Option<Verifier>>,
}

impl fmt::Debug for PreparedTotp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PreparedTotp")
            .field("contact_id", &self.contact_id)
            .finish_non_exhaustive()
    }
}

impl Portal {
    /// The password step of signing in.
    ///
    /// # Errors
    ///
    /// [`Error::Throttled`] (nothing was checked); [`Error::Password`] with
    /// `WrongPassword`; [`Error::ContactDeactivated`] after the right password
    /// of a [deactivated](crate::deactivation) contact.
    pub fn sign_in<R: CryptoRng + ?Sized>(
        &self,
        account: &mut Account,
        password: &str,
        now: u64,
        rng: &mut R,
    ) -> Result<PasswordStep> {
        account.step(|account| {
            self.check_password(account, password, now, rng)?;
            if !account.two_factor_enabled() {
                return Ok(PasswordStep::SignedIn(self.signed_in(
                    account,
                    Via::Password,
                    None,
                )));
            }
            Ok(PasswordStep::SecondFactorRequired(LoginTicket {
                contact_id: account.profile().contact_id,
                generation: account.devices().generation(),
                sign_ins: account.0.sign_ins,
                issued_at: now,
                expires_at: now.saturating_add(self.settings.login_ticket_lifetime),
            }))
        })
    }

    /// "Send SMS Code": issues a 6-digit code for the contact's cell phone, valid 5
    /// minutes, replacing any earlier one. Returns what to text, and to whom.
    ///
    /// Bounded by [`Settings::sms_sends`](crate::Settings::sms_sends) (5 an hour by
    /// default), so that the service cannot be made to flood a phone.
    ///
    /// # Errors
    ///
    /// [`Error::LoginTicketInvalid`]; [`Error::NotEnrolled`]; [`Error::NoCellPhone`];
    /// [`Error::TooManyCodesSent`] (nothing was sent; the pending code stays).
    pub fn send_sms_code<R: CryptoRng + ?Sized>(
        &self,
        account: &mut Account,
        ticket: &LoginTicket,
        now: u64,
        rng: &mut R,
    ) -> Result<Delivery> {
        account.step(|account| {
            ticket.check(account, now)?;
            if !account.two_factor_enabled() {
                return Err(Error::NotEnrolled);
            }
            let phone = account
                .profile()
                .cell_phone
                .clone()
                .ok_or(Error::NoCellPhone)?;
            account.0.throttles.sms_sends.record(
                &self.settings.sms_sends,
                Purpose::SmsLogin,
                now,
            )?;
            let (delivery, pending) = PendingCode::issue_with_rng(
                &self.ring,
                Purpose::SmsLogin,
                &self.settings.sms_code,
                &phone,
                now,
                rng,
            );
            account.0.sms_code = Some(pending);
            Ok(delivery)
        })
    }

    /// The second factor step of signing in.
    ///
    /// `remember` is the "Remember this device for 30 days" box: honoured after a
    /// TOTP, backup or SMS code (not after a device cookie, which is already one).
    ///
    /// # Errors
    ///
    /// - [`Error::LoginTicketInvalid`]: the ticket is for another contact, expired,
    ///   already spent by a completed sign-in, or the password changed (or
    ///   two-factor was disabled) since it was issued;
    /// - [`Error::NotEnrolled`]: two-factor was turned off meanwhile;
    /// - [`Error::Throttled`]: too many failures of this factor (nothing was checked);
    /// - [`Error::Totp`]: a wrong, replayed or malformed TOTP code; a wrong, used or
    ///   malformed backup code;
    /// - the device errors ([`Error::DeviceRevoked`], [`Error::DeviceTokenExpired`],
    ///   [`Error::ForgedDeviceToken`], [`Error::MalformedDeviceToken`]);
    /// - the one-time code errors ([`Error::NoPendingCode`],
    ///   [`Error::WrongOneTimeCode`], [`Error::OneTimeCodeExpired`],
    ///   [`Error::OneTimeCodeUsed`], ...);
    /// - [`Error::SealedSecretUnreadable`], [`Error::StaleVerifier`].
    pub fn complete_sign_in<R: CryptoRng + ?Sized>(
        &self,
        account: &mut Account,
        ticket: &LoginTicket,
        factor: SecondFactor<'_>,
        remember: bool,
        now: u64,
        rng: &mut R,
    ) -> Result<SignedIn> {
        account.step(|account| {
            ticket.check(account, now)?;
            if !account.two_factor_enabled() {
                return Err(Error::NotEnrolled);
            }
            let mut device_token = None;
            let via = match factor {
                SecondFactor::Totp(code) => {
                    let prepared = self.prepare_totp(account)?;
                    self.verify_totp(account, &prepared, code, now)?;
                    Via::Totp
                }
                SecondFactor::PreparedTotp(prepared, code) => {
                    self.verify_totp(account, prepared, code, now)?;
                    Via::Totp
                }
                SecondFactor::BackupCode(code) => {
                    self.redeem_backup_code(account, code, now)?;
                    Via::BackupCode
                }
                SecondFactor::RememberedDevice(cookie) => {
                    let device = account.0.devices.verify(&self.ring, cookie, now)?;
                    // Remembered under a retired key: a fresh cookie under the current one.
                    device_token = account.0.devices.reissue(&self.ring, device);
                    Via::RememberedDevice
                }
                SecondFactor::SmsCode(code) => {
                    let record = &mut account.0;
                    let pending = record.sms_code.as_mut().ok_or(Error::NoPendingCode {
                        purpose: Purpose::SmsLogin,
                    })?;
                    guarded(
                        &self.settings.throttle,
                        &mut record.throttles.sms_code,
                        now,
                        || pending.verify(&self.ring, Purpose::SmsLogin, code, now),
                        |e| matches!(e, Error::WrongOneTimeCode { .. }),
                    )?;
                    Via::SmsCode
                }
                SecondFactor::Passkey {
                    state,
                    response_json,
                } => {
                    self.verify_passkey(account, state, response_json, now)?;
                    Via::Passkey
                }
            };
            // Spends this ticket, and any other issued before this sign-in.
            account.0.count_sign_in();
            if remember && via != Via::RememberedDevice {
                device_token = Some(account.0.devices.remember_with_rng(
                    &self.ring,
                    &self.settings.devices,
                    now,
                    rng,
                ));
            }
            self.reseal_after_sign_in(account, now, rng);
            Ok(self.signed_in(account, via, device_token))
        })
    }

    /// Signing in on a remembered device: the device cookie and the password in
    /// one step, and the cookie stands in for the second factor.
    ///
    /// The password is checked through its own lane, the one only requests with
    /// a valid device cookie reach: an attacker failing passwords from anywhere
    /// else (which anyone who knows the username can do) never slows this down.
    /// The cookie is checked first, costs no throttle and counts no failure: it is
    /// a 256-bit MAC nobody can guess.
    ///
    /// # Errors
    ///
    /// - [`Error::NotEnrolled`]: two-factor is off (no device can be remembered);
    /// - the device errors ([`Error::DeviceRevoked`], [`Error::DeviceTokenExpired`],
    ///   [`Error::ForgedDeviceToken`], [`Error::MalformedDeviceToken`]): sign in
    ///   with [`Portal::sign_in`] and a second factor instead; nothing was checked;
    /// - [`Error::Throttled`]: too many wrong passwords on this lane;
    /// - [`Error::Password`] with `WrongPassword`.
    pub fn sign_in_on_device<R: CryptoRng + ?Sized>(
        &self,
        account: &mut Account,
        cookie: &str,
        password: &str,
        now: u64,
        rng: &mut R,
    ) -> Result<SignedIn> {
        account.step(|account| {
            if !account.two_factor_enabled() {
                return Err(Error::NotEnrolled);
            }
            let device = account.0.devices.verify(&self.ring, cookie, now)?;
            self.check_password_on(account, Lane::OnDevice, password, now, rng)?;
            account.0.count_sign_in();
            let device_token = account.0.devices.reissue(&self.ring, device);
            self.reseal_after_sign_in(account, now, rng);
            Ok(self.signed_in(account, Via::RememberedDevice, device_token))
        })
    }

    /// "Locked out? Sign in with a backup code": the password and a backup code in
    /// one step, for a contact whose password lane an attacker keeps backed off
    /// (or hard-locked, where a deployment opted in).
    ///
    /// The backup code is checked first, through the backup-code lane, and spent;
    /// only then is the password checked, once, without asking the password lane:
    /// the spent backup code paid for that check. A wrong password still counts on
    /// the password lane, and the backup code stays spent (otherwise one code
    /// would buy unlimited guesses). So an attacker who holds a backup code but
    /// not the password gains one password guess per code, no more.
    ///
    /// # Errors
    ///
    /// - [`Error::NotEnrolled`]: two-factor is off;
    /// - [`Error::Throttled`]: too many wrong backup codes (nothing was checked);
    /// - [`Error::Totp`]: a wrong, used or malformed backup code (the password was
    ///   not checked);
    /// - [`Error::Password`] with `WrongPassword` (the backup code is spent).
    pub fn sign_in_with_backup_code<R: CryptoRng + ?Sized>(
        &self,
        account: &mut Account,
        password: &str,
        backup_code: &str,
        remember: bool,
        now: u64,
        rng: &mut R,
    ) -> Result<SignedIn> {
        account.step(|account| {
            self.redeem_backup_code(account, backup_code, now)?;
            self.check_password_on(account, Lane::PaidByBackupCode, password, now, rng)?;
            account.0.count_sign_in();
            let device_token = remember.then(|| {
                account
                    .0
                    .devices
                    .remember_with_rng(&self.ring, &self.settings.devices, now, rng)
            });
            self.reseal_after_sign_in(account, now, rng);
            Ok(self.signed_in(account, Via::BackupCode, device_token))
        })
    }

    /// The sign-in result: with the count of backup codes left, and whether it
    /// is at the low-water mark.
    pub(crate) fn signed_in(
        &self,
        account: &Account,
        via: Via,
        device_token: Option<DeviceToken>,
    ) -> SignedIn {
        SignedIn {
            via,
            device_token,
            backup_codes_left: account.backup_codes_left(),
            backup_codes_low: self.backup_codes_running_low(account),
        }
    }

    /// After a completed sign-in, the next write of the account: whatever it holds
    /// under a retired key is re-sealed under the current one. What cannot be
    /// opened is left for [`Portal::reseal_account`] to report: the contact is
    /// signed in either way.
    pub(crate) fn reseal_after_sign_in<R: CryptoRng + ?Sized>(
        &self,
        account: &mut Account,
        now: u64,
        rng: &mut R,
    ) {
        if account
            .key_ids()
            .iter()
            .any(|id| id != self.ring.current_id())
            || account.has_unbound_security_code()
        {
            // Deliberately ignored: see the doc comment.
            let _ = self.reseal_account(account, now, rng);
        }
    }

    /// Redeems a backup code through the backup-code lane; returns how many are left.
    fn redeem_backup_code(&self, account: &mut Account, code: &str, now: u64) -> Result<usize> {
        let record = &mut account.0;
        let two_factor = record.two_factor.as_mut().ok_or(Error::NotEnrolled)?;
        let redeemed = guarded(
            &self.settings.throttle,
            &mut record.throttles.backup_code,
            now,
            || Ok(two_factor.backup_codes.redeem(code, now)?),
            |e| {
                matches!(
                    e,
                    Error::Totp(
                        crate::totp::Error::BackupCodeWrong { .. }
                            | crate::totp::Error::BackupCodeUsed { .. }
                    )
                )
            },
        )?;
        Ok(redeemed.remaining)
    }

    /// Opens the account's sealed TOTP secrets (one per authenticator) and keys a
    /// verifier over each: the expensive part of checking a code, done once per
    /// account and kept.
    ///
    /// An authenticator whose secret does not open (sealed under a server key the
    /// ring no longer holds, or altered) is skipped: it could match no code, and
    /// it must not lock the contact out of the others. Its place is kept, so the
    /// prepared verifier still goes stale when the list changes; it is never
    /// compared with, so it counts no failure on its own lane.
    ///
    /// # Errors
    ///
    /// [`Error::NotEnrolled`]; when no authenticator's secret opens, the first
    /// one's error: [`Error::SealedSecretUnreadable`] (it does not open under
    /// this server key for this contact) or [`Error::UnknownKeyId`] (the ring
    /// does not hold the key that sealed it).
    pub fn prepare_totp(&self, account: &Account) -> Result<PreparedTotp> {
        let authenticators = account.authenticators();
        if authenticators.is_empty() {
            return Err(Error::NotEnrolled);
        }
        let contact_id = account.profile().contact_id;
        let mut sealing_nonces = Vec::with_capacity(authenticators.len());
        let mut verifiers = Vec::with_capacity(authenticators.len());
        let mut first_error = None;
        for a in authenticators {
            sealing_nonces.push(*a.secret.nonce());
            let verifier = self
                .open_totp_secret(&a.secret, contact_id)
                .and_then(|secret| Ok(Verifier::new(&secret, a.config)?));
            match verifier {
                Ok(verifier) => verifiers.push(Some(verifier)),
                Err(error) => {
                    first_error.get_or_insert(error);
                    verifiers.push(None);
                }
            }
        }
        if verifiers.iter().all(Option::is_none) {
            return Err(first_error.unwrap_or(Error::NotEnrolled));
        }
        Ok(PreparedTotp {
            contact_id,
            sealing_nonces,
            verifiers,
        })
    }

    /// The TOTP login step on prepared verifiers: admission by the contact's TOTP
    /// lane, then each authenticator (through its own lane) with replay-safe
    /// verification against its stored last step, and the state update (its new
    /// last step and last use, the lanes' outcomes). Returns the matched step and
    /// drift. See [`authenticator`](crate::authenticator) for how the lanes count.
    ///
    /// Call it after [`Portal::sign_in`] (or use [`Portal::complete_sign_in`], which
    /// also checks the ticket): on its own it proves the code, not the password.
    ///
    /// # Errors
    ///
    /// [`Error::NotEnrolled`]; [`Error::StaleVerifier`]; [`Error::Throttled`] (the
    /// contact's lane, or every authenticator's own); [`Error::Totp`] with
    /// `WrongCode`, `Replayed` (the code's step, or a later one, was accepted
    /// before on any authenticator), or a malformed code.
    #[inline]
    pub fn verify_totp(
        &self,
        account: &mut Account,
        prepared: &PreparedTotp,
        code: &str,
        now: u64,
    ) -> Result<Match> {
        let record = &mut account.0;
        let two_factor = record.two_factor.as_mut().ok_or(Error::NotEnrolled)?;
        let authenticators = &mut two_factor.authenticators;
        if prepared.contact_id != record.profile.contact_id
            || prepared.sealing_nonces.len() != authenticators.len()
            || prepared
                .sealing_nonces
                .iter()
                .zip(authenticators.iter())
                .any(|(nonce, a)| nonce != a.secret.nonce())
        {
            return Err(Error::StaleVerifier);
        }
        // The hot path: no `Account::step` (it clones the state to compare); the
        // check says itself whether it changed anything.
        let (matched, changed) = crate::authenticator::verify_code(
            &self.settings.throttle,
            &mut record.throttles.totp,
            authenticators,
            &prepared.verifiers,
            code,
            now,
        );
        if changed {
            record.bump_revision();
        }
        matched
    }
}
