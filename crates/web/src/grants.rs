//! The contacts' permission grants: the policy the grid edits, and its compiled
//! form the gates read.
//!
//! Held in memory in this first cut: `countersign-store` keeps accounts and
//! clients, not grants, so a restart forgets them (see the README).

use countersign::permissions::{CompiledPolicy, Grid, Policy, Schema, Setting};
use countersign::{Access, Result};

/// The grants of every contact.
pub(crate) struct Grants {
    policy: Policy,
    compiled: CompiledPolicy,
}

impl Default for Grants {
    fn default() -> Self {
        let policy = Policy::new(Schema::client_portal());
        let compiled = CompiledPolicy::compile(&policy);
        Self { policy, compiled }
    }
}

impl Grants {
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

    /// Sets every `(resource, action, setting)` of a contact, all or none.
    pub(crate) fn set(
        &mut self,
        contact_id: u64,
        cells: &[(String, String, Setting)],
    ) -> Result<()> {
        let id = Access::principal_id(contact_id);
        let mut policy = self.policy.clone();
        if policy.principal(&id).is_none() {
            policy.add_principal(&id, &[])?;
        }
        for (resource, action, setting) in cells {
            policy.set(&id, resource, action, *setting)?;
        }
        self.compiled = CompiledPolicy::compile(&policy);
        self.policy = policy;
        Ok(())
    }
}
