//! Passkeys and security keys (WebAuthn) beside TOTP: as a second factor after
//! the password, and for passwordless sign-in where the deployment enables it.
//! The WebAuthn checks are webauthn-rs's, through [`countersign_passkey`]; this
//! module joins them to the account flows.
//!
//! 1. **Configure**: [`Portal::with_passkeys`] with the relying party id, the
//!    origin and the name ([`PasskeySettings`]). Without it every passkey flow
//!    is refused with [`Error::PasskeysDisabled`].
//! 2. **Register** ("Add a security key or passkey"): two-factor must be on
//!    already (a TOTP authenticator enrolled, backup codes issued), so that the
//!    backup codes stay the recovery path whatever authenticator is lost.
//!    [`Portal::begin_passkey_registration`] checks the name (the rules of
//!    [`AuthenticatorName`], unique among the contact's passkeys), the count
//!    ([`MAX_PASSKEYS`]), the permission gate and the password (through the
//!    password throttle, as at adding a TOTP authenticator), and returns a
//!    [`PasskeyChallenge`]: the options for `navigator.credentials.create()` and
//!    the sealed state to keep in the server-side session.
//!    [`Portal::finish_passkey_registration`] takes the browser's response. The
//!    contact's registered credentials are excluded, so the same authenticator
//!    is not registered twice.
//! 3. **Second factor**: after [`Portal::sign_in`] returns a [`LoginTicket`],
//!    [`Portal::begin_passkey_sign_in`] makes the challenge, and
//!    [`Portal::complete_sign_in`] with [`SecondFactor::Passkey`](crate::login::SecondFactor::Passkey) finishes it,
//!    like any other second factor: the ticket is spent, "remember this device"
//!    is honoured, the account is re-sealed after a key rotation.
//! 4. **Passwordless** (only with [`PasskeySettings::passwordless`]):
//!    [`Portal::begin_passwordless_sign_in`] needs no account;
//!    [`Portal::passwordless_contact`] reads which contact the browser's
//!    response names (load that account), and
//!    [`Portal::finish_passwordless_sign_in`] verifies it.
//! 5. **Remove**: [`Portal::remove_passkey`], with the password.
//!    [`Portal::disable_two_factor`] removes every passkey with the rest.
//!
//! **Single use.** A ceremony's state is sealed with a random challenge id and
//! its expiry ([`PasskeySettings::challenge_ttl_secs`], 300 s by default). A
//! finished ceremony records the id in the account as spent until that expiry
//! (at most [`MAX_SPENT_CHALLENGES`] at a time), and the store's
//! compare-and-swap re-runs a step that lost a race on the fresh record: the
//! same response submitted on two nodes is accepted once.
//!
//! **Counter and backup flags.** After each sign-in the credential's signature
//! counter and backup flags are updated as webauthn-rs advises
//! (`update_credential`); a counter that does not move past the stored one,
//! on an authenticator that keeps one, is refused as a clone
//! ([`countersign_passkey::Error::ClonedAuthenticator`], inside [`Error::Passkey`]).
//!
//! **User handle.** The WebAuthn user handle of a contact encodes its contact id
//! ([`countersign_passkey::UserHandle`]): a passwordless response says which
//! account to load without an index of handles, and the handle survives key
//! rotation (an authenticator's copy cannot be changed). It is an internal
//! number, no personal data.
//!
//! **Throttling.** A passkey cannot be guessed: a wrong response is a failed
//! signature, not a try out of a small space, so passkey attempts count on no
//! throttle lane. The password before a second-factor passkey goes through the
//! password throttle as always.

mod state;
mod stored;

use rand::CryptoRng;
use serde::{Deserialize, Serialize};

use countersign_passkey::{
    AuthenticationState, Credential, DiscoverableState, RegistrationState, RelyingParty, UserHandle,
};

use crate::account::Account;
use crate::authenticator::AuthenticatorName;
use crate::gate::Permissions;
use crate::login::{LoginTicket, SignedIn, Via};
use crate::{Error, Portal, Result};

pub(crate) use state::StateKey;
use state::{Kind, Opened};
pub use stored::{MAX_PASSKEYS, MAX_SPENT_CHALLENGES, Passkey, PasskeyId};
pub(crate) use stored::{SpentChallenge, check_list, check_spent};

pub use countersign_passkey::{Refusal, UserHandle as PasskeyUserHandle};

/// How long a ceremony's challenge stands: 5 minutes (webauthn-rs's default
/// browser timeout, W3C WebAuthn's recommendation).
pub const DEFAULT_CHALLENGE_TTL: u64 = 300;

/// A deployment's passkey configuration. Serde (a configuration file).
///
/// # Examples
///
/// ```
/// use countersign::passkey::PasskeySettings;
///
/// let settings = PasskeySettings::new("example.com", "https://portal.example.com", "Vivio Portal");
/// assert!(!settings.passwordless);
/// assert_eq!(settings.challenge_ttl_secs, 300);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasskeySettings {
    /// The relying party id: the site's domain ("example.com"), which every
    /// credential is bound to.
    pub rp_id: String,
    /// The origin the browser runs the ceremonies at
    /// (`"https://portal.example.com"`): the RP id or a subdomain of it.
    pub origin: String,
    /// The name authenticators show ("Vivio Portal").
    pub rp_name: String,
    /// Whether contacts may sign in with a passkey alone (no password).
    #[serde(default)]
    pub passwordless: bool,
    /// Seconds a started ceremony stands (1 to 3600).
    #[serde(default = "default_ttl")]
    pub challenge_ttl_secs: u64,
}

fn default_ttl() -> u64 {
    DEFAULT_CHALLENGE_TTL
}

impl PasskeySettings {
    /// Settings for `rp_id` at `origin`, shown as `rp_name`: passwordless off,
    /// challenges standing [`DEFAULT_CHALLENGE_TTL`] seconds.
    #[must_use]
    pub fn new(rp_id: &str, origin: &str, rp_name: &str) -> Self {
        Self {
            rp_id: rp_id.to_owned(),
            origin: origin.to_owned(),
            rp_name: rp_name.to_owned(),
            passwordless: false,
            challenge_ttl_secs: DEFAULT_CHALLENGE_TTL,
        }
    }
}

/// The portal's passkey configuration, checked.
#[derive(Debug)]
pub(crate) struct Passkeys {
    rp: RelyingParty,
    settings: PasskeySettings,
}

/// A started ceremony: what the browser needs, and what the server keeps.
pub struct PasskeyChallenge {
    options_json: String,
    state: String,
    expires_at: u64,
}

impl core::fmt::Debug for PasskeyChallenge {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PasskeyChallenge")
            .field("state", &"[sealed]")
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

impl PasskeyChallenge {
    /// The options to hand to `navigator.credentials.create()` or `.get()`:
    /// JSON of webauthn-rs's `CreationChallengeResponse` (registration) or
    /// `RequestChallengeResponse` (sign-in), whose `publicKey` member is the
    /// W3C options with binary fields as base64url.
    #[must_use]
    pub fn options_json(&self) -> &str {
        &self.options_json
    }

    /// The sealed state: keep it in the server-side session (it is not secret
    /// but must come back unchanged) and pass it to the finishing call.
    #[must_use]
    pub fn state(&self) -> &str {
        &self.state
    }

    /// When the ceremony stops standing, unix seconds.
    #[must_use]
    pub fn expires_at(&self) -> u64 {
        self.expires_at
    }
}

impl Portal {
    /// This portal with passkeys enabled under `settings`.
    ///
    /// # Errors
    ///
    /// [`Error::Passkey`] with `InvalidRelyingParty` for an RP id, origin,
    /// name or lifetime that cannot work (see
    /// [`countersign_passkey::RelyingParty::new`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use countersign::{Portal, ServerKey, Settings};
    /// use countersign::passkey::PasskeySettings;
    ///
    /// let portal = Portal::new(ServerKey::generate(), Settings::default())?
    ///     .with_passkeys(PasskeySettings::new("example.com", "https://portal.example.com", "Vivio Portal"))?;
    /// assert!(portal.passkeys_enabled() && !portal.passwordless_enabled());
    /// # Ok::<(), countersign::Error>(())
    /// ```
    pub fn with_passkeys(mut self, settings: PasskeySettings) -> Result<Self> {
        let rp = RelyingParty::new(
            &settings.rp_id,
            &settings.origin,
            &settings.rp_name,
            settings.challenge_ttl_secs,
        )?;
        self.passkeys = Some(Box::new(Passkeys { rp, settings }));
        Ok(self)
    }

    /// Whether passkeys are configured.
    #[must_use]
    pub fn passkeys_enabled(&self) -> bool {
        self.passkeys.is_some()
    }

    /// Whether passwordless sign-in with a passkey is enabled.
    #[must_use]
    pub fn passwordless_enabled(&self) -> bool {
        self.passkeys
            .as_ref()
            .is_some_and(|p| p.settings.passwordless)
    }

    /// The passkey settings, when configured.
    #[must_use]
    pub fn passkey_settings(&self) -> Option<&PasskeySettings> {
        self.passkeys.as_ref().map(|p| &p.settings)
    }

    fn passkey_config(&self) -> Result<&Passkeys> {
        self.passkeys.as_deref().ok_or(Error::PasskeysDisabled)
    }

    fn passwordless_config(&self) -> Result<&Passkeys> {
        let config = self.passkey_config()?;
        if !config.settings.passwordless {
            return Err(Error::PasswordlessDisabled);
        }
        Ok(config)
    }

    fn challenge<R: CryptoRng + ?Sized>(
        &self,
        options_json: String,
        opened: &Opened,
        rng: &mut R,
    ) -> Result<PasskeyChallenge> {
        Ok(PasskeyChallenge {
            options_json,
            state: self.seal_passkey_state(opened, rng)?,
            expires_at: opened.expires_at,
        })
    }

    /// "Add a security key or passkey": with two-factor on, checks the name,
    /// the count, the permission gate (as for enabling two-factor) and the
    /// password, and starts the registration.
    ///
    /// The name and the count are checked before the password, so a name that
    /// cannot be taken costs no password try.
    ///
    /// # Errors
    ///
    /// - [`Error::PasskeysDisabled`]; [`Error::NotEnrolled`]: two-factor is off
    ///   (enable it first, so that backup codes exist);
    /// - [`Error::PermissionDenied`];
    /// - [`Error::InvalidAuthenticatorName`], [`Error::DuplicatePasskeyName`],
    ///   [`Error::TooManyPasskeys`]: nothing was checked;
    /// - [`Error::Throttled`], [`Error::Password`]: as at every password re-entry;
    /// - [`Error::PasskeyChallengeInvalid`] if webauthn-rs's state is longer than
    ///   [`MAX_STATE_LEN`](crate::webauthn::MAX_STATE_LEN) (each credential it
    ///   lists takes under 1 KiB of it, and a contact holds at most ten).
    pub fn begin_passkey_registration<R: CryptoRng + ?Sized>(
        &self,
        account: &mut Account,
        permissions: &(impl Permissions + ?Sized),
        name: &str,
        password: &str,
        now: u64,
        rng: &mut R,
    ) -> Result<PasskeyChallenge> {
        let config = self.passkey_config()?;
        account.step(|account| {
            if !account.two_factor_enabled() {
                return Err(Error::NotEnrolled);
            }
            crate::gate::require(permissions, account.profile(), crate::Gate::EnableTwoFactor)?;
            let name = AuthenticatorName::new(name)?;
            check_new_passkey(account.passkeys(), &name)?;
            self.check_password(account, password, now, rng)?;
            let profile = account.profile();
            let exclude = credentials(account);
            let (options, state) = config.rp.start_registration(
                UserHandle::from_id(profile.contact_id),
                &profile.username,
                &profile.name,
                &exclude,
                config.settings.passwordless,
            )?;
            let opened = Opened::new(
                Kind::Registration,
                Some(profile.contact_id),
                now.saturating_add(config.settings.challenge_ttl_secs),
                Some(name),
                state.to_json()?,
                rng,
            );
            self.challenge(options, &opened, rng)
        })
    }

    /// Finishes "Add a security key or passkey" with the browser's response
    /// (the JSON of the `PublicKeyCredential` that
    /// `navigator.credentials.create()` returned). Returns the new passkey's id.
    ///
    /// # Errors
    ///
    /// - [`Error::PasskeysDisabled`]; [`Error::NotEnrolled`];
    /// - [`Error::PasskeyChallengeInvalid`], [`Error::PasskeyChallengeExpired`],
    ///   [`Error::PasskeyChallengeSpent`] (this registration finished already),
    ///   [`Error::UnknownKeyId`];
    /// - [`Error::DuplicatePasskeyName`], [`Error::TooManyPasskeys`]: one was
    ///   added meanwhile;
    /// - [`Error::Passkey`]: the response was refused (wrong origin or RP id,
    ///   no user verification, an authenticator already registered, malformed).
    pub fn finish_passkey_registration(
        &self,
        account: &mut Account,
        state: &str,
        response_json: &str,
        now: u64,
    ) -> Result<PasskeyId> {
        let config = self.passkey_config()?;
        account.step(|account| {
            let contact_id = account.profile().contact_id;
            let opened =
                self.open_passkey_state(state, Kind::Registration, Some(contact_id), now)?;
            if !account.two_factor_enabled() {
                return Err(Error::NotEnrolled);
            }
            check_unspent(account, &opened)?;
            let name = opened.name.clone().ok_or(Error::PasskeyChallengeInvalid {
                reason: "a registration without a name",
            })?;
            check_new_passkey(account.passkeys(), &name)?;
            let ceremony = RegistrationState::from_json(&opened.ceremony)?;
            let credential =
                config
                    .rp
                    .finish_registration(&ceremony, response_json, &credentials(account))?;
            let id = PasskeyId::of(&credential);
            spend(account, &opened, now)?;
            account.0.passkeys.push(Passkey {
                id,
                name,
                added_at: now,
                last_used_at: None,
                credential,
            });
            Ok(id)
        })
    }

    /// "Remove" beside one passkey, then the password re-entry: removes it.
    /// The last passkey can be removed: TOTP stays.
    ///
    /// # Errors
    ///
    /// [`Error::NoSuchPasskey`] (no password was checked); [`Error::Throttled`],
    /// [`Error::Password`].
    pub fn remove_passkey<R: CryptoRng + ?Sized>(
        &self,
        account: &mut Account,
        password: &str,
        id: PasskeyId,
        now: u64,
        rng: &mut R,
    ) -> Result<()> {
        account.step(|account| {
            let at = account
                .passkeys()
                .iter()
                .position(|p| p.id == id)
                .ok_or(Error::NoSuchPasskey)?;
            self.check_password(account, password, now, rng)?;
            account.0.passkeys.remove(at);
            Ok(())
        })
    }

    /// "Use a security key" on the second step of signing in: a challenge for
    /// the contact's registered passkeys. Finish it with
    /// [`Portal::complete_sign_in`] and [`SecondFactor::Passkey`](crate::SecondFactor::Passkey).
    ///
    /// # Errors
    ///
    /// [`Error::PasskeysDisabled`]; [`Error::LoginTicketInvalid`];
    /// [`Error::NotEnrolled`]; [`Error::Passkey`] with `NoCredentials` when the
    /// contact has no passkey; [`Error::PasskeyChallengeInvalid`] if
    /// webauthn-rs's state is longer than
    /// [`MAX_STATE_LEN`](crate::webauthn::MAX_STATE_LEN) (each credential it lists
    /// takes under 1 KiB of it, and a contact holds at most ten).
    pub fn begin_passkey_sign_in<R: CryptoRng + ?Sized>(
        &self,
        account: &Account,
        ticket: &LoginTicket,
        now: u64,
        rng: &mut R,
    ) -> Result<PasskeyChallenge> {
        let config = self.passkey_config()?;
        ticket.check(account, now)?;
        if !account.two_factor_enabled() {
            return Err(Error::NotEnrolled);
        }
        let (options, state) = config.rp.start_authentication(&credentials(account))?;
        let opened = Opened::new(
            Kind::SignIn,
            Some(account.profile().contact_id),
            now.saturating_add(config.settings.challenge_ttl_secs),
            None,
            state.to_json()?,
            rng,
        );
        self.challenge(options, &opened, rng)
    }

    /// The passkey step of [`Portal::complete_sign_in`]: opens the state,
    /// verifies the response, spends the challenge, stores the counter.
    pub(crate) fn verify_passkey(
        &self,
        account: &mut Account,
        state: &str,
        response_json: &str,
        now: u64,
    ) -> Result<()> {
        let config = self.passkey_config()?;
        let contact_id = account.profile().contact_id;
        let opened = self.open_passkey_state(state, Kind::SignIn, Some(contact_id), now)?;
        check_unspent(account, &opened)?;
        let ceremony = AuthenticationState::from_json(&opened.ceremony)?;
        let mut creds = credentials(account);
        let used = config
            .rp
            .finish_authentication(&ceremony, response_json, &mut creds)?;
        spend(account, &opened, now)?;
        record_use(account, creds, used.index, now);
        Ok(())
    }

    /// "Sign in with a passkey" on the login page (passwordless): a challenge
    /// for whatever discoverable credential the browser holds for this site.
    ///
    /// # Errors
    ///
    /// [`Error::PasskeysDisabled`]; [`Error::PasswordlessDisabled`];
    /// [`Error::PasskeyChallengeInvalid`] if webauthn-rs's state is longer than
    /// [`MAX_STATE_LEN`](crate::webauthn::MAX_STATE_LEN) (it lists no credential).
    pub fn begin_passwordless_sign_in<R: CryptoRng + ?Sized>(
        &self,
        now: u64,
        rng: &mut R,
    ) -> Result<PasskeyChallenge> {
        let config = self.passwordless_config()?;
        let (options, state) = config.rp.start_discoverable()?;
        let opened = Opened::new(
            Kind::Passwordless,
            None,
            now.saturating_add(config.settings.challenge_ttl_secs),
            None,
            state.to_json()?,
            rng,
        );
        self.challenge(options, &opened, rng)
    }

    /// The contact id a passwordless response names: load that account, then
    /// [`Portal::finish_passwordless_sign_in`]. Nothing is verified yet.
    ///
    /// # Errors
    ///
    /// [`Error::PasskeysDisabled`]; [`Error::PasswordlessDisabled`];
    /// [`Error::Passkey`] with `MalformedResponse` or `UnknownUserHandle`.
    pub fn passwordless_contact(&self, response_json: &str) -> Result<u64> {
        let config = self.passwordless_config()?;
        Ok(config.rp.identify(response_json)?.id())
    }

    /// Finishes a passwordless sign-in on the account
    /// [`Portal::passwordless_contact`] named. The contact is signed in
    /// ([`Via::PasswordlessPasskey`]); every login ticket issued before is spent.
    ///
    /// # Errors
    ///
    /// - [`Error::PasskeysDisabled`]; [`Error::PasswordlessDisabled`];
    /// - [`Error::PasskeyChallengeInvalid`], [`Error::PasskeyChallengeExpired`],
    ///   [`Error::PasskeyChallengeSpent`], [`Error::UnknownKeyId`];
    /// - [`Error::ContactDeactivated`]; [`Error::NotEnrolled`];
    /// - [`Error::Passkey`]: refused, a clone, not this account's credential.
    pub fn finish_passwordless_sign_in<R: CryptoRng + ?Sized>(
        &self,
        account: &mut Account,
        state: &str,
        response_json: &str,
        now: u64,
        rng: &mut R,
    ) -> Result<SignedIn> {
        let config = self.passwordless_config()?;
        account.step(|account| {
            let opened = self.open_passkey_state(state, Kind::Passwordless, None, now)?;
            check_unspent(account, &opened)?;
            if !account.two_factor_enabled() {
                return Err(Error::NotEnrolled);
            }
            let ceremony = DiscoverableState::from_json(&opened.ceremony)?;
            let contact_id = account.profile().contact_id;
            let mut creds = credentials(account);
            let used = config.rp.finish_discoverable(
                &ceremony,
                response_json,
                UserHandle::from_id(contact_id),
                &mut creds,
            )?;
            // Said only after the passkey verified: nobody else learns it.
            if account.0.deactivated_at.is_some() {
                return Err(Error::ContactDeactivated);
            }
            spend(account, &opened, now)?;
            record_use(account, creds, used.index, now);
            account.0.count_sign_in();
            self.reseal_after_sign_in(account, now, rng);
            Ok(self.signed_in(account, Via::PasswordlessPasskey, None))
        })
    }
}

/// The account's WebAuthn credentials, in its order.
fn credentials(account: &Account) -> Vec<Credential> {
    account
        .passkeys()
        .iter()
        .map(|p| p.credential.clone())
        .collect()
}

/// Stores the updated credential (counter, backup flags) and when it was used.
fn record_use(account: &mut Account, creds: Vec<Credential>, at: usize, now: u64) {
    if let (Some(passkey), Some(credential)) =
        (account.0.passkeys.get_mut(at), creds.into_iter().nth(at))
    {
        passkey.credential = credential;
        passkey.last_used_at = Some(now.max(passkey.added_at));
    }
}

fn check_new_passkey(list: &[Passkey], name: &AuthenticatorName) -> Result<()> {
    if list.iter().any(|p| p.name.same_as(name)) {
        return Err(Error::DuplicatePasskeyName {
            name: name.as_str().to_owned(),
        });
    }
    if list.len() >= MAX_PASSKEYS {
        return Err(Error::TooManyPasskeys { max: MAX_PASSKEYS });
    }
    Ok(())
}

/// Refuses a ceremony whose challenge id is recorded as spent. An id is kept
/// until its ceremony's expiry, when the state itself stops opening, so the
/// record needs no time check of its own.
fn check_unspent(account: &Account, opened: &Opened) -> Result<()> {
    if account
        .0
        .spent_challenges
        .iter()
        .any(|s| s.id == opened.challenge)
    {
        return Err(Error::PasskeyChallengeSpent);
    }
    Ok(())
}

/// Records the challenge as spent until its expiry, pruning the expired ones.
fn spend(account: &mut Account, opened: &Opened, now: u64) -> Result<()> {
    let spent = &mut account.0.spent_challenges;
    spent.retain(|s| now < s.expires_at);
    if spent.len() >= MAX_SPENT_CHALLENGES {
        return Err(Error::TooManyPasskeyCeremonies {
            retry_at: spent.iter().map(|s| s.expires_at).min().unwrap_or(now),
        });
    }
    spent.push(SpentChallenge {
        id: opened.challenge,
        expires_at: opened.expires_at,
    });
    Ok(())
}
