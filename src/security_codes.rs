//! Security codes for callers (seed 002).
//!
//! "A security code can be created for the account and made viewable for each
//! authorized contact or user on the account. Or each authorized contact or user on
//! the account can have a unique security code."
//!
//! - The account-wide code lives in the [`Client`] state:
//!   [`Portal::set_account_code`] ("Success: Account information updated.") and
//!   [`Portal::view_account_code`] (primary contact, or "Profile: View").
//! - A contact's own code lives in their [`Account`]: [`Portal::set_contact_code`]
//!   and [`Portal::view_contact_code`] (primary contact, or "Manage Contacts: View
//!   and Update"), "Success: Contact updated.".
//! - [`Portal::verify_caller`]: a support agent types what a caller says and learns
//!   whose code it was (a contact's own, or the account-wide one), through the
//!   client's security-code throttle.
//!
//! Every new code passes the `countersign-security-code` policy (8 or more
//! characters, no personally identifiable information, nothing trivial), checked
//! against the profile of the contact it is for, and is sealed at rest with
//! ChaCha20-Poly1305 under a key derived from the server key.
//!
//! A seal is bound to its owner: the client id (and, for a contact's own code,
//! the contact id) joins the AEAD's associated data, as the TOTP seal binds the
//! contact id. A code copied into another client's or contact's record does not
//! open there. Codes sealed before this binding (key id `countersign-v1`, in
//! version 1 records) still open; the next [`Portal::set_account_code`] or
//! [`Portal::set_contact_code`], or the portal's re-sealing, binds them.

use crate::account::{FIRST_REVISION, next_revision, read_revision};
use hmac::Mac;
use serde::{Deserialize, Serialize};

use crate::account::{Account, Profile};
use crate::client_grants::ContactGrants;
use crate::gate::{self, Gate, Permissions};
use crate::key_ring::KeyId;
use crate::portal::{Portal, guarded};
use crate::security_code::{
    Context, Date, SealedCode, SealingKey, SecurityCode, Speech, StoredCode,
};
use crate::throttle::{Factor, Throttle};
use crate::{Error, Result, ServerKey, notice};

const KEY_DOMAIN: &[u8] = b"countersign/security-code-key/v1\0";
/// The key id of the seals made before they were bound to their owner (and
/// before key rings): read as made by the default server key.
pub(crate) const UNBOUND_KEY_ID: &str = "countersign-v1";
const CLIENT_DOMAIN: &[u8] = b"countersign/security-code/client/v1\0";
const CONTACT_DOMAIN: &[u8] = b"countersign/security-code/contact/v1\0";
const CLIENT_VERSION: u32 = 3;
/// The format before the contacts' grants were kept in the client: read with
/// no grants, never written.
const CLIENT_VERSION_UNGRANTED: u32 = 2;
/// The format before revisions (and before the code was bound to its client):
/// read as revision 1, never written.
const CLIENT_VERSION_UNREVISED: u32 = 1;

/// The security-code sealing keys derived from the server key `id`: the one that
/// seals, owner-bound, named `id`; and for the default key, the one that reads
/// the unbound seals of version 1.
pub(crate) fn sealing_keys(
    id: &KeyId,
    server: &ServerKey,
) -> Result<(SealingKey, Option<SealingKey>)> {
    let bytes: [u8; 32] = server.mac(KEY_DOMAIN).finalize().into_bytes().into();
    let unbound = if *id == KeyId::DEFAULT {
        Some(SealingKey::new(UNBOUND_KEY_ID, bytes)?)
    } else {
        None
    };
    Ok((SealingKey::new(id.as_str(), bytes)?, unbound))
}

/// The key id to report for a seal: as [`key_id_of`], or the seal's own text
/// when it is no id a ring could hold (then no ring opens it).
pub(crate) fn reported_key_id(sealed: &SealedCode) -> KeyId {
    key_id_of(sealed).unwrap_or_else(|_| KeyId::unchecked(sealed.key_id()))
}

/// The server key a stored seal names: its own id, or the default key for the
/// unbound seals of version 1.
pub(crate) fn key_id_of(sealed: &SealedCode) -> Result<KeyId> {
    if sealed.key_id() == UNBOUND_KEY_ID {
        Ok(KeyId::DEFAULT)
    } else {
        KeyId::stored(sealed.key_id())
    }
}

/// Whose code a seal is: the associated data that binds it to its owner.
#[derive(Clone, Copy)]
pub(crate) enum Owner {
    /// The account-wide code of a client.
    Client(u64),
    /// A contact's own code.
    Contact {
        /// The client the contact belongs to.
        client_id: u64,
        /// The contact.
        contact_id: u64,
    },
}

impl Owner {
    pub(crate) fn of(profile: &Profile) -> Self {
        Self::Contact {
            client_id: profile.client_id,
            contact_id: profile.contact_id,
        }
    }

    fn context(self) -> Vec<u8> {
        match self {
            Self::Client(client_id) => [CLIENT_DOMAIN, &client_id.to_be_bytes()].concat(),
            Self::Contact {
                client_id,
                contact_id,
            } => [
                CONTACT_DOMAIN,
                &client_id.to_be_bytes(),
                &contact_id.to_be_bytes(),
            ]
            .concat(),
        }
    }
}

/// The client (account) as a whole: the account-wide security code, the
/// throttle of callers' guesses and the contacts' permission grants
/// ([`ContactGrants`]). Serde, versioned (`"v": 3`: the grants; version 2, the
/// code bound to the client and a revision, still reads with no grants;
/// version 1 still reads, as revision 1).
///
/// Like an [`Account`], it carries a [revision](Client::revision) that every step
/// changing it moves on by one: store it with a compare-and-swap on that revision.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "ClientRecord", into = "ClientRecord")]
pub struct Client {
    revision: u64,
    client_id: u64,
    security_code: Option<StoredCode>,
    throttle: Throttle,
    grants: ContactGrants,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ClientRecord {
    v: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    revision: Option<u64>,
    client_id: u64,
    security_code: Option<StoredCode>,
    throttle: Throttle,
    /// Version 3 on: absent when no contact has a grant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    grants: Option<ContactGrants>,
}

impl TryFrom<ClientRecord> for Client {
    type Error = Error;

    fn try_from(r: ClientRecord) -> Result<Self> {
        // Version 2 is revisioned like version 3; only version 1 is not.
        let revisioned = if r.v == CLIENT_VERSION_UNGRANTED {
            CLIENT_VERSION_UNGRANTED
        } else {
            CLIENT_VERSION
        };
        let revision = read_revision(
            "client",
            r.v,
            r.revision,
            CLIENT_VERSION_UNREVISED,
            revisioned,
        )?;
        if r.v < CLIENT_VERSION && r.grants.is_some() {
            return Err(Error::CorruptState {
                state: "client",
                reason: "grants in a format before grants",
            });
        }
        if r.throttle.factor() != Factor::SecurityCode {
            return Err(Error::CorruptState {
                state: "client",
                reason: "the caller throttle guards another factor",
            });
        }
        Ok(Self {
            revision,
            client_id: r.client_id,
            security_code: r.security_code,
            throttle: r.throttle,
            grants: r.grants.unwrap_or_default(),
        })
    }
}

impl From<Client> for ClientRecord {
    fn from(c: Client) -> Self {
        Self {
            v: CLIENT_VERSION,
            revision: Some(c.revision),
            client_id: c.client_id,
            security_code: c.security_code,
            throttle: c.throttle,
            grants: (!c.grants.is_empty()).then_some(c.grants),
        }
    }
}

impl Client {
    /// A client with no account-wide code yet.
    ///
    /// # Examples
    ///
    /// ```
    /// let client = countersign::security_codes::Client::new(1707);
    /// assert_eq!(client.client_id(), 1707);
    /// assert!(!client.has_security_code());
    /// ```
    #[must_use]
    pub fn new(client_id: u64) -> Self {
        Self {
            revision: FIRST_REVISION,
            client_id,
            security_code: None,
            throttle: Throttle::new(Factor::SecurityCode),
            grants: ContactGrants::default(),
        }
    }

    /// The revision: 1 for a new client, one more after every step that changed it.
    #[must_use]
    pub fn revision(&self) -> u64 {
        self.revision
    }

    /// Runs one step that may change the state, and moves the revision on by one
    /// if it did (as [`Account`] does).
    pub(crate) fn step<T>(&mut self, step: impl FnOnce(&mut Self) -> T) -> T {
        let before = self.clone();
        let out = step(self);
        if *self != before {
            self.revision = next_revision(before.revision);
        }
        out
    }

    /// The client ID (1707 in the seeds).
    #[must_use]
    pub fn client_id(&self) -> u64 {
        self.client_id
    }

    /// Whether an account-wide code is set.
    #[must_use]
    pub fn has_security_code(&self) -> bool {
        self.security_code.is_some()
    }

    /// The throttle of callers' guesses.
    #[must_use]
    pub fn throttle(&self) -> &Throttle {
        &self.throttle
    }

    /// The ids of the server keys the client's records need (its account-wide
    /// security code's): see [`key_ring`](crate::key_ring).
    ///
    /// # Examples
    ///
    /// ```
    /// let client = countersign::security_codes::Client::new(1707);
    /// assert!(client.key_ids().is_empty());
    /// ```
    #[must_use]
    pub fn key_ids(&self) -> std::collections::BTreeSet<KeyId> {
        self.security_code
            .iter()
            .filter_map(|stored| match stored {
                StoredCode::Sealed(sealed) => Some(reported_key_id(sealed)),
                _ => None,
            })
            .collect()
    }

    /// The permission grid's grants of the client's contacts.
    #[must_use]
    pub fn grants(&self) -> &ContactGrants {
        &self.grants
    }

    pub(crate) fn replace_grants(&mut self, grants: ContactGrants) {
        self.grants = grants;
    }

    pub(crate) fn stored_code(&self) -> Option<&StoredCode> {
        self.security_code.as_ref()
    }

    pub(crate) fn replace_code(&mut self, code: StoredCode) {
        self.security_code = Some(code);
    }

    /// The administrator's "Unlock" of the caller throttle.
    pub fn unlock(&mut self) {
        self.step(|c| c.throttle = Throttle::new(Factor::SecurityCode));
    }
}

/// Whose code a caller gave.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "whose")]
#[non_exhaustive]
pub enum Whose {
    /// A contact's own code.
    Contact {
        /// The contact's id.
        contact_id: u64,
        /// The contact's name, for the agent's screen.
        name: String,
    },
    /// The account-wide code.
    AccountWide,
}

/// The calendar date of unix time `now` (UTC), for the policy's "today".
fn date_of(now: u64) -> Result<Date> {
    let invalid = || Error::InvalidRequest {
        reason: "the time is outside the calendar the security-code policy knows",
    };
    let date = i64::try_from(now)
        .ok()
        .and_then(|secs| time::OffsetDateTime::from_unix_timestamp(secs).ok())
        .ok_or_else(invalid)?
        .date();
    let year = u16::try_from(date.year()).map_err(|_| invalid())?;
    Ok(Date::new(year, date.month().into(), date.day())?)
}

/// The personal data a code must not contain: the contact's profile.
fn context_of(profile: &Profile, now: u64) -> Result<Context> {
    let mut context = Context::new(date_of(now)?)
        .name(profile.name.clone())
        .username(profile.username.clone())
        .client_id(profile.client_id.to_string());
    if !profile.email.is_empty() {
        context = context.email(profile.email.clone());
    }
    if let Some(phone) = &profile.cell_phone {
        context = context.phone(phone.clone());
    }
    Ok(context)
}

impl Portal {
    fn seal_code(&self, code: &str, context: &Context, owner: Owner) -> Result<StoredCode> {
        let admitted = crate::security_code::Policy::default().admit(code, context)?;
        self.seal_admitted(&admitted, owner)
    }

    /// Seals a code under the current key, bound to `owner`.
    fn seal_admitted(&self, code: &SecurityCode, owner: Owner) -> Result<StoredCode> {
        let (_, keys) = self.current()?;
        let sealed = SealedCode::seal_bound_with_rng(
            code,
            &keys.code,
            &owner.context(),
            &mut rand::rngs::SysRng,
        )?;
        Ok(sealed.into())
    }

    /// The key that opens `sealed`, and whether the seal is bound to its owner.
    fn code_key_for(&self, sealed: &SealedCode) -> Result<(&SealingKey, bool)> {
        let derived = self.derived(&key_id_of(sealed)?)?;
        if sealed.key_id() == UNBOUND_KEY_ID {
            let unbound = derived.unbound_code.as_ref().ok_or(Error::UnknownKeyId {
                id: UNBOUND_KEY_ID.to_owned(),
            })?;
            Ok((unbound, false))
        } else {
            Ok((&derived.code, true))
        }
    }

    /// Opens a stored code for `owner`: a bound seal only with its owner, an
    /// unbound version 1 seal as it was made.
    fn open_code(&self, stored: &StoredCode, owner: Owner) -> Result<SecurityCode> {
        match stored {
            StoredCode::Sealed(sealed) => match self.code_key_for(sealed)? {
                (key, true) => Ok(sealed.open_bound(key, &owner.context())?),
                (key, false) => Ok(sealed.open(key)?),
            },
            // An Argon2id hash binds no owner and needs no server key: anyone who
            // can write a row could plant one, so the facade accepts none.
            _ => Err(Error::InvalidRequest {
                reason: "this security code is stored hashed only, not sealed for its owner",
            }),
        }
    }

    /// Whether `spoken` is the stored code of `owner`, compared in constant time
    /// (by the security-code crate, padded, so the time does not say the length).
    fn code_matches(&self, stored: &StoredCode, owner: Owner, spoken: &str) -> Result<bool> {
        let speech = Speech::default();
        match stored {
            StoredCode::Sealed(sealed) => match self.code_key_for(sealed)? {
                (key, true) => Ok(sealed.verify_bound(spoken, key, &owner.context(), &speech)?),
                (key, false) => Ok(sealed.verify(spoken, key, &speech)?),
            },
            _ => self.open_code(stored, owner).map(|_| false),
        }
    }

    /// Re-seals `stored` under the current key, bound to `owner`, unless it
    /// already is. Returns the new seal, or `None` when nothing needs doing.
    pub(crate) fn reseal_code(
        &self,
        stored: &StoredCode,
        owner: Owner,
    ) -> Result<Option<StoredCode>> {
        let StoredCode::Sealed(sealed) = stored else {
            return Ok(None);
        };
        if sealed.key_id() == self.ring.current_id().as_str() {
            return Ok(None);
        }
        let code = self.open_code(stored, owner)?;
        self.seal_admitted(&code, owner).map(Some)
    }

    /// Sets (or changes) the account-wide security code: "Success: Account
    /// information updated.". `actor` is the contact doing it: the primary contact,
    /// or one allowed "Profile: Update". The code is checked against the actor's
    /// profile and the client ID.
    ///
    /// # Errors
    ///
    /// [`Error::PermissionDenied`]; [`Error::InvalidRequest`] when the actor belongs
    /// to another client; [`Error::SecurityCode`] with `Refused { report }` when the
    /// code breaks the policy (too short, personal data, trivial).
    pub fn set_account_code(
        &self,
        client: &mut Client,
        actor: &Profile,
        permissions: &(impl Permissions + ?Sized),
        code: &str,
        now: u64,
    ) -> Result<&'static str> {
        client.step(|client| {
            same_client(client, actor)?;
            gate::require(permissions, actor, Gate::SetAccountCode)?;
            client.security_code = Some(self.seal_code(
                code,
                &context_of(actor, now)?,
                Owner::Client(client.client_id),
            )?);
            Ok(notice::ACCOUNT_UPDATED)
        })
    }

    /// Shows the account-wide code to `actor`: the primary contact, or one allowed
    /// "Profile: View" (seed 002). `None` when no code is set.
    ///
    /// # Errors
    ///
    /// [`Error::PermissionDenied`]; [`Error::SecurityCode`] when the stored seal does
    /// not open (another server key, altered bytes).
    pub fn view_account_code(
        &self,
        client: &Client,
        actor: &Profile,
        permissions: &(impl Permissions + ?Sized),
    ) -> Result<Option<SecurityCode>> {
        same_client(client, actor)?;
        gate::require(permissions, actor, Gate::ViewAccountCode)?;
        client
            .security_code
            .as_ref()
            .map(|stored| self.open_code(stored, Owner::Client(client.client_id)))
            .transpose()
    }

    /// Sets a contact's own code: "Success: Contact updated.". `actor` is the
    /// contact doing it (the contact themself, or the primary contact for their
    /// other users), who needs "Manage Contacts: View and Update" unless primary.
    /// The code is checked against the target contact's profile.
    ///
    /// # Errors
    ///
    /// As [`Portal::set_account_code`], with the "Manage Contacts: View and Update" gate.
    pub fn set_contact_code(
        &self,
        target: &mut Account,
        actor: &Profile,
        permissions: &(impl Permissions + ?Sized),
        code: &str,
        now: u64,
    ) -> Result<&'static str> {
        target.step(|target| {
            may_manage(target.profile(), actor, permissions)?;
            let sealed = self.seal_code(
                code,
                &context_of(target.profile(), now)?,
                Owner::of(target.profile()),
            )?;
            target.0.security_code = Some(sealed);
            Ok(notice::CONTACT_UPDATED)
        })
    }

    /// Shows a contact's own code to `actor` (the contact, or the primary contact),
    /// who needs "Manage Contacts: View and Update" unless primary. `None` when the
    /// contact has no own code.
    ///
    /// # Errors
    ///
    /// As [`Portal::view_account_code`], with the "Manage Contacts: View and Update" gate.
    pub fn view_contact_code(
        &self,
        target: &Account,
        actor: &Profile,
        permissions: &(impl Permissions + ?Sized),
    ) -> Result<Option<SecurityCode>> {
        may_manage(target.profile(), actor, permissions)?;
        target
            .0
            .security_code
            .as_ref()
            .map(|stored| self.open_code(stored, Owner::of(target.profile())))
            .transpose()
    }

    /// A support agent checks what a caller says against every code of the client:
    /// each contact's own code and the account-wide one. Returns whose code it was.
    ///
    /// Throttled on the client (the caller is not identified yet): a locked
    /// throttle refuses before any code is opened. Every code is compared, matched
    /// or not, so the time taken does not say which one matched.
    ///
    /// # Errors
    ///
    /// [`Error::Throttled`]; [`Error::WrongSecurityCode`] (one more failure);
    /// [`Error::NoSecurityCode`] when the client has no code at all; [`Error::SecurityCode`]
    /// when a stored seal does not open.
    pub fn verify_caller(
        &self,
        client: &mut Client,
        contacts: &[&Account],
        spoken: &str,
        now: u64,
    ) -> Result<Whose> {
        client.step(|client| {
            let contacts: Vec<&Account> = contacts
                .iter()
                .copied()
                .filter(|a| {
                    a.profile().client_id == client.client_id && a.0.security_code.is_some()
                })
                .collect();
            if contacts.is_empty() && client.security_code.is_none() {
                return Err(Error::NoSecurityCode);
            }
            let account_code = client.security_code.as_ref();
            let client_id = client.client_id;
            guarded(
                &self.settings.throttle,
                &mut client.throttle,
                now,
                || {
                    let mut whose = None;
                    for contact in &contacts {
                        if let Some(stored) = &contact.0.security_code
                            && self.code_matches(stored, Owner::of(contact.profile()), spoken)?
                            && whose.is_none()
                        {
                            whose = Some(Whose::Contact {
                                contact_id: contact.profile().contact_id,
                                name: contact.profile().name.clone(),
                            });
                        }
                    }
                    if let Some(stored) = account_code
                        && self.code_matches(stored, Owner::Client(client_id), spoken)?
                        && whose.is_none()
                    {
                        whose = Some(Whose::AccountWide);
                    }
                    whose.ok_or(Error::WrongSecurityCode)
                },
                |e| matches!(e, Error::WrongSecurityCode),
            )
        })
    }
}

fn same_client(client: &Client, actor: &Profile) -> Result<()> {
    if client.client_id == actor.client_id {
        Ok(())
    } else {
        Err(Error::InvalidRequest {
            reason: "this contact belongs to another client",
        })
    }
}

/// The contact themself or the primary contact of the same client, with "Manage
/// Contacts: View and Update" unless primary.
fn may_manage(
    target: &Profile,
    actor: &Profile,
    permissions: &(impl Permissions + ?Sized),
) -> Result<()> {
    if target.client_id != actor.client_id {
        return Err(Error::InvalidRequest {
            reason: "this contact belongs to another client",
        });
    }
    if target.contact_id != actor.contact_id && !actor.primary {
        return Err(Error::PermissionDenied {
            gate: "Primary Contact",
        });
    }
    gate::require(permissions, actor, Gate::ManageOwnCode)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_of_unix_times() {
        assert_eq!(date_of(0).unwrap().to_string(), "1970-01-01");
        assert_eq!(date_of(951_782_400).unwrap().to_string(), "2000-02-29");
        assert_eq!(date_of(1_763_900_000).unwrap().to_string(), "2025-11-23");
        // The last second the calendar knows (the end of 9999), and the next.
        assert_eq!(date_of(253_402_300_799).unwrap().to_string(), "9999-12-31");
        assert!(date_of(253_402_300_800).is_err());
        assert!(date_of(u64::MAX).is_err());
    }
}
