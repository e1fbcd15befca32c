//! The permission grid's grants of a client's contacts, kept in the [`Client`]
//! record (seeds 000, 001, 002).
//!
//! "Joe Example sets Client Profile: View to Allow for Contact Example": the
//! grid a primary contact edits is part of the client's state, so it is stored,
//! revisioned and compare-and-swapped with the client like the account-wide
//! security code. Only the client's primary contact edits its contacts' grants
//! ([`Portal::set_contact_grants`]); a contact of another client never.
//!
//! The gates read them back as a compiled policy: [`ContactGrants::policy`],
//! compiled with [`CompiledPolicy::compile`](crate::permissions::CompiledPolicy::compile)
//! and asked through [`Access`].
//!
//! # Examples
//!
//! ```
//! use countersign::permissions::{CompiledPolicy, Setting};
//! use countersign::security_codes::Client;
//! use countersign::{Access, Gate, Permissions, Portal, Profile, ServerKey, Settings};
//!
//! let portal = Portal::new(ServerKey::generate(), Settings::default())?;
//! let profile = |contact_id, primary| Profile {
//!     contact_id, client_id: 1707, name: format!("Contact {contact_id}"),
//!     username: format!("contact.{contact_id}"), email: String::new(),
//!     cell_phone: None, primary,
//! };
//! let (joe, contact) = (profile(3522, true), profile(3523, false));
//! let mut client = Client::new(1707);
//! let cells = [("client-profile".to_owned(), "view".to_owned(), Setting::Allow)];
//! portal.set_contact_grants(&mut client, &joe, &contact, &cells)?;
//! assert_eq!(client.revision(), 2);
//!
//! let compiled = CompiledPolicy::compile(&client.grants().policy()?);
//! assert!(Access::new(&compiled)?.permits(3523, Gate::EnableTwoFactor));
//! // Contact Example may not give themself more.
//! assert!(portal.set_contact_grants(&mut client, &contact, &contact, &cells).is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::account::Profile;
use crate::gate::Access;
use crate::permissions::{
    GrantsDef, HolderDef, IdMap, Policy, PolicyDocument, SchemaSource, Setting,
};
use crate::portal::Portal;
use crate::security_codes::Client;
use crate::{Error, Result, notice};

/// The schema every client's grants are written against.
const SCHEMA: &str = "client-portal";

/// The explicit grants of each contact of one client: contact id -> resource id
/// -> action id -> allow | deny. Validated against the client-portal schema when
/// made or read (a stored grant on an unknown resource or action, on a "-" cell,
/// or repeated, is refused as [`Error::CorruptState`]), and kept in the schema's
/// order with no Inherit cells, so equal grants are equal values.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    try_from = "BTreeMap<u64, GrantsDef>",
    into = "BTreeMap<u64, GrantsDef>"
)]
pub struct ContactGrants(BTreeMap<u64, GrantsDef>);

impl TryFrom<BTreeMap<u64, GrantsDef>> for ContactGrants {
    type Error = Error;

    fn try_from(stored: BTreeMap<u64, GrantsDef>) -> Result<Self> {
        let corrupt = Error::CorruptState {
            state: "client",
            reason: "a contact's grants name a resource or action the client-portal \
                     schema lacks, a \"-\" cell, or a cell twice",
        };
        let policy = policy_of(&stored).map_err(|_| corrupt)?;
        Ok(Self::canonical(&policy))
    }
}

impl From<ContactGrants> for BTreeMap<u64, GrantsDef> {
    fn from(grants: ContactGrants) -> Self {
        grants.0
    }
}

/// The policy document of `grants`: the client-portal schema, one principal
/// `contact-<id>` per contact.
fn policy_of(grants: &BTreeMap<u64, GrantsDef>) -> Result<Policy> {
    let document = PolicyDocument {
        schema: SchemaSource::Builtin(SCHEMA.to_owned()),
        roles: IdMap::new(),
        principals: grants
            .iter()
            .map(|(id, grants)| {
                (
                    Access::principal_id(*id),
                    HolderDef {
                        roles: Vec::new(),
                        grants: grants.clone(),
                    },
                )
            })
            .collect(),
    };
    Ok(Policy::from_document(&document)?)
}

impl ContactGrants {
    /// The canonical grants of a policy made by [`policy_of`]: its principals'
    /// explicit cells in schema order, contacts with none left out.
    fn canonical(policy: &Policy) -> Self {
        let document = policy.to_document();
        Self(
            document
                .principals
                .iter()
                .filter(|(_, holder)| !holder.grants.is_empty())
                .filter_map(|(id, holder)| {
                    let contact_id = id.strip_prefix("contact-")?.parse().ok()?;
                    Some((contact_id, holder.grants.clone()))
                })
                .collect(),
        )
    }

    /// The contacts' grants as a policy over the client-portal schema, one
    /// principal per contact (`contact-3523`, see [`Access::principal_id`]).
    /// Compile it ([`CompiledPolicy::compile`](crate::permissions::CompiledPolicy::compile))
    /// for the gates, or draw a contact's grid from it.
    ///
    /// # Errors
    ///
    /// [`Error::Permissions`] only if the grants no longer fit the built-in
    /// schema (they were checked against it when made or read).
    pub fn policy(&self) -> Result<Policy> {
        policy_of(&self.0)
    }

    /// The explicit grants of one contact, if any.
    #[must_use]
    pub fn of(&self, contact_id: u64) -> Option<&GrantsDef> {
        self.0.get(&contact_id)
    }

    /// Whether no contact has an explicit grant.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The ids of the contacts with explicit grants, in order.
    pub fn contacts(&self) -> impl Iterator<Item = u64> + '_ {
        self.0.keys().copied()
    }

    /// The grants with every `(resource, action, setting)` of `contact_id` set,
    /// all or none.
    fn with(&self, contact_id: u64, cells: &[(String, String, Setting)]) -> Result<Self> {
        let mut policy = self.policy()?;
        let id = Access::principal_id(contact_id);
        if policy.principal(&id).is_none() {
            policy.add_principal(&id, &[])?;
        }
        for (resource, action, setting) in cells {
            policy.set(&id, resource, action, *setting)?;
        }
        Ok(Self::canonical(&policy))
    }
}

impl Portal {
    /// The permission grid's "Update" on Edit Contact's Permissions tab: sets
    /// each `(resource, action, setting)` of `target` (Inherit clears a cell),
    /// all or none, and answers "Success: Contact updated.". Only the client's
    /// primary contact (`actor`) edits its contacts' grants; the client's
    /// revision moves on by one when anything changed. Run it through the
    /// store's compare-and-swap of the client record, so two primary contacts'
    /// edits of two contacts both land.
    ///
    /// # Errors
    ///
    /// [`Error::PermissionDenied`] when `actor` is not the primary contact;
    /// [`Error::InvalidRequest`] when `actor` or `target` belongs to another
    /// client; [`Error::Permissions`] for a resource or action the schema lacks,
    /// or a "-" cell. The client is unchanged on every error.
    pub fn set_contact_grants(
        &self,
        client: &mut Client,
        actor: &Profile,
        target: &Profile,
        cells: &[(String, String, Setting)],
    ) -> Result<&'static str> {
        client.step(|client| {
            for profile in [actor, target] {
                if profile.client_id != client.client_id() {
                    return Err(Error::InvalidRequest {
                        reason: "this contact belongs to another client",
                    });
                }
            }
            if !actor.primary {
                return Err(Error::PermissionDenied {
                    gate: "Primary Contact",
                });
            }
            let grants = client.grants().with(target.contact_id, cells)?;
            client.replace_grants(grants);
            Ok(notice::CONTACT_UPDATED)
        })
    }
}
