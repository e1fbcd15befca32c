//! The contacts' permission grants, read from the store for every request.
//!
//! The grants live in the client record ([`countersign::client_grants`]), so
//! they survive a restart and every server process over the same database
//! sees the same grid. Each request that passes a gate loads the client and
//! compiles its small policy: for the seeds' three contacts the compile costs
//! a few microseconds next to the row read (measured in the tests:
//! `compiling_a_clients_grants_is_cheap`), so there is no cache to keep
//! coherent across processes.

use countersign::permissions::{CompiledPolicy, Grid, Policy, Schema};
use countersign::security_codes::Client;
use countersign::{Access, Result};
use countersign_store::Store;

/// One client's grants, compiled for the gates.
pub(crate) struct ClientGrants {
    policy: Policy,
    compiled: CompiledPolicy,
}

impl ClientGrants {
    /// Compiles the grants of `client`.
    pub(crate) fn of(client: &Client) -> Result<Self> {
        let policy = client.grants().policy()?;
        let compiled = CompiledPolicy::compile(&policy);
        Ok(Self { policy, compiled })
    }

    /// The gates' view of the grants.
    pub(crate) fn access(&self) -> Result<Access<'_>> {
        Access::new(&self.compiled)
    }

    /// The grid of a contact ("(None)" everywhere for one never edited).
    pub(crate) fn grid(&self, contact_id: u64) -> Result<Grid> {
        let id = Access::principal_id(contact_id);
        match self.policy.principal(&id) {
            Some(index) => Ok(self.policy.grid_of(index)),
            None => {
                let mut fresh = Policy::new(Schema::client_portal());
                let index = fresh.add_principal(&id, &[])?;
                Ok(fresh.grid_of(index))
            }
        }
    }
}

/// The client record of `client_id`, or a new one if none is stored yet.
pub(crate) fn load_client(store: &dyn Store, client_id: u64) -> countersign_store::Result<Client> {
    match store.load_client(client_id) {
        Ok(client) => Ok(client),
        Err(countersign_store::Error::NotFound { .. }) => Ok(Client::new(client_id)),
        Err(error) => Err(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use countersign::permissions::Setting;
    use countersign::{Gate, Permissions, Portal, Profile, ServerKey, Settings};

    /// The figure behind "compile per request, no cache": the seeds' grants of
    /// two contacts, compiled and asked one gate.
    #[test]
    fn compiling_a_clients_grants_is_cheap() {
        let portal = Portal::new(ServerKey::from_bytes([7; 32]), Settings::default()).unwrap();
        let profile = |contact_id, primary| Profile {
            contact_id,
            client_id: 1707,
            name: format!("Contact {contact_id}"),
            username: format!("contact.{contact_id}"),
            email: String::new(),
            cell_phone: None,
            primary,
        };
        let mut client = Client::new(1707);
        for contact in [3523, 3526] {
            let cells = [
                (
                    "client-profile".to_owned(),
                    "view".to_owned(),
                    Setting::Allow,
                ),
                (
                    "manage-contacts".to_owned(),
                    "update".to_owned(),
                    Setting::Deny,
                ),
            ];
            portal
                .set_contact_grants(
                    &mut client,
                    &profile(3522, true),
                    &profile(contact, false),
                    &cells,
                )
                .unwrap();
        }
        let rounds = 1_000;
        let started = std::time::Instant::now();
        let mut allowed = 0;
        for _ in 0..rounds {
            let grants = ClientGrants::of(&client).unwrap();
            allowed += usize::from(
                grants
                    .access()
                    .unwrap()
                    .permits(3523, Gate::EnableTwoFactor),
            );
        }
        let each = started.elapsed() / rounds;
        println!("compile + one gate: {each:?} per request");
        assert_eq!(allowed, 1_000);
        // Far under a row read even unoptimized; a cache would buy nothing.
        assert!(each < std::time::Duration::from_millis(5), "{each:?}");
    }
}
