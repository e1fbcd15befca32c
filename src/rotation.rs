//! Re-sealing what a record holds under the current server key (see
//! [`key_ring`](crate::key_ring) for rotating a key end to end).

use rand::CryptoRng;

use crate::account::Account;
use crate::portal::Portal;
use crate::security_codes::{Client, Owner};
use crate::{Error, Result};

impl Portal {
    /// Re-seals everything `account` holds under a retired server key (or not
    /// yet bound to its owner) under the current key. Returns whether anything
    /// changed: store the account if so.
    ///
    /// - The sealed TOTP secret (and a pending enrollment's) is opened and sealed
    ///   again; a [`PreparedTotp`](crate::PreparedTotp) kept for the account is
    ///   then stale (prepare it again).
    /// - The contact's own security code is sealed again, bound to the contact.
    /// - One-time codes under a retired key that are dead at `now` (used, out of
    ///   tries, expired) are dropped; a live one stays, as it cannot be re-made
    ///   without its plain code, and dies within its lifetime.
    /// - Spent passkey challenge ids whose challenge expired are dropped
    ///   (passkeys themselves hold nothing sealed: a public key is not secret).
    /// - Expired remembered devices are dropped; a live one under a retired key
    ///   stays, as its token is in the browser, and gets a fresh cookie under the
    ///   current key at its next sign-in.
    ///
    /// A completed sign-in does this too (and ignores what cannot be opened).
    ///
    /// # Errors
    ///
    /// [`Error::UnknownKeyId`] naming a key a record needs and the ring does not
    /// hold; [`Error::SealedSecretUnreadable`] or [`Error::SecurityCode`] for a seal
    /// that does not open. Everything else was still re-sealed: store the account
    /// whatever the result, as after every call.
    ///
    /// # Examples
    ///
    /// ```
    /// use countersign::{KeyRing, Portal, Profile, ServerKey, Settings};
    /// use countersign::password::{HashParams, Policy};
    /// # let cheap = HashParams { memory_kib: 64, iterations: 1, ..HashParams::OWASP };
    /// # let settings = || Settings { password: Policy::portal().with_hashing(cheap).unwrap(), ..Settings::default() };
    /// # let joe = Profile { contact_id: 3522, client_id: 1707, name: "Joe Example".into(),
    /// #     username: "joe.example".into(), email: "marketing@viviotech.net".into(),
    /// #     cell_phone: None, primary: true };
    /// let old_key = ServerKey::from_bytes([1; 32]);
    /// let portal = Portal::new(old_key, settings())?;
    /// let mut rng = rand::rng();
    /// let mut account = portal.create_account(joe, "Vivio is gr8! I like knowing my account is Secure", &mut rng)?;
    /// let joe = account.profile().clone();
    /// portal.set_contact_code(&mut account, &joe, &|_, _| false, "Lighthouse-42-Oak", 0)?;
    /// assert_eq!(account.key_ids().iter().map(|id| id.as_str()).collect::<Vec<_>>(), ["default"]);
    ///
    /// // Rotate: a new current key, the old one retired.
    /// let ring = KeyRing::new("2027-01".parse()?, ServerKey::generate())
    ///     .with_retired(countersign::KeyId::DEFAULT, ServerKey::from_bytes([1; 32]))?;
    /// let portal = Portal::new(ring, settings())?;
    /// assert!(portal.reseal_account(&mut account, 0, &mut rng)?);
    /// assert_eq!(account.key_ids().iter().map(|id| id.as_str()).collect::<Vec<_>>(), ["2027-01"]);
    /// assert!(!portal.reseal_account(&mut account, 0, &mut rng)?, "nothing left to do");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn reseal_account<R: CryptoRng + ?Sized>(
        &self,
        account: &mut Account,
        now: u64,
        rng: &mut R,
    ) -> Result<bool> {
        account.step(|account| {
            let current = self.ring.current_id().clone();
            let record = &mut account.0;
            let contact_id = record.profile.contact_id;
            let owner = Owner::of(&record.profile);
            let mut changed = false;
            let mut first_error: Option<Error> = None;
            let mut note = |result: Result<bool>| match result {
                Ok(did) => changed |= did,
                Err(error) => {
                    first_error.get_or_insert(error);
                }
            };
            let secrets = record
                .two_factor
                .iter_mut()
                .flat_map(|t| &mut t.authenticators)
                .map(|a| &mut a.secret)
                .chain(record.pending_enrollment.iter_mut().map(|p| &mut p.secret));
            for sealed in secrets {
                if *sealed.key_id() != current {
                    note(
                        self.open_totp_secret(sealed, contact_id)
                            .and_then(|secret| self.seal_totp_secret(contact_id, &secret, rng))
                            .map(|fresh| {
                                *sealed = fresh;
                                true
                            }),
                    );
                }
            }
            if let Some(stored) = &record.security_code {
                note(self.reseal_code(stored, owner).map(|fresh| match fresh {
                    Some(fresh) => {
                        record.security_code = Some(fresh);
                        true
                    }
                    None => false,
                }));
            }
            for slot in [&mut record.sms_code, &mut record.reset_code] {
                if slot
                    .as_ref()
                    .is_some_and(|code| *code.key_id() != current && !code.is_live(now))
                {
                    *slot = None;
                    changed = true;
                }
            }
            let devices = record.devices.devices().len();
            record.devices.prune(now);
            changed |= record.devices.devices().len() != devices;
            // Passkey ceremony states are sealed in the caller's session, not
            // here: one made under a retired key opens while the ring holds it
            // and dies within its lifetime. The account keeps only their spent
            // ids, dropped once expired.
            let spent = record.spent_challenges.len();
            record.spent_challenges.retain(|s| now < s.expires_at);
            changed |= record.spent_challenges.len() != spent;
            match first_error {
                Some(error) => Err(error),
                None => Ok(changed),
            }
        })
    }

    /// Re-seals the client's account-wide security code under the current key,
    /// bound to the client, unless it already is. Returns whether it changed.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownKeyId`] naming the key the code was sealed under, when the
    /// ring no longer holds it; [`Error::SecurityCode`] when the seal does not open.
    pub fn reseal_client(&self, client: &mut Client) -> Result<bool> {
        client.step(|client| {
            let owner = Owner::Client(client.client_id());
            let Some(stored) = client.stored_code() else {
                return Ok(false);
            };
            match self.reseal_code(stored, owner)? {
                Some(fresh) => {
                    client.replace_code(fresh);
                    Ok(true)
                }
                None => Ok(false),
            }
        })
    }
}
