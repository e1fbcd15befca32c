//! The permission gates of the seeds' flows.
//!
//! Three steps are gated by the portal's permission grid: enabling two-factor
//! ("Client Profile: View", seed 000), seeing the account-wide security code
//! ("Profile: View", seed 002) and seeing or changing one's own security code
//! ("Manage Contacts: View and Update", seed 002). Setting the account-wide code
//! is the account owner's business; this crate gates it on "Profile: Update".
//! The primary contact always passes every gate.
//!
//! The flows ask a [`Permissions`] whether a contact passes a [`Gate`]. The
//! [`Access`] type answers from a compiled
//! `countersign-permissions` policy; any `Fn(u64, Gate) -> bool` answers too
//! (handy in tests, or over another permission store).

use core::fmt;

use serde::{Deserialize, Serialize};

use crate::account::Profile;
use crate::{Error, Result};

/// A permission a flow needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Gate {
    /// "Client Profile: View" resolves to Allow: may enable two-factor (seed 000).
    EnableTwoFactor,
    /// "Profile: View": may see the account-wide security code (seed 002).
    ViewAccountCode,
    /// "Profile: Update": may set the account-wide security code.
    SetAccountCode,
    /// "Manage Contacts: View" and "Update": may see and change one's own
    /// security code (seed 002).
    ManageOwnCode,
}

impl Gate {
    /// Every gate.
    pub const ALL: [Gate; 4] = [
        Gate::EnableTwoFactor,
        Gate::ViewAccountCode,
        Gate::SetAccountCode,
        Gate::ManageOwnCode,
    ];

    /// The permission as the portal's grid names it; a gate displays as this name.
    ///
    /// # Examples
    ///
    /// ```
    /// use countersign::gate::Gate;
    ///
    /// assert_eq!(Gate::EnableTwoFactor.permission(), "Client Profile: View");
    /// assert_eq!(Gate::ManageOwnCode.permission(), "Manage Contacts: View and Update");
    /// assert_eq!(Gate::SetAccountCode.to_string(), "Profile: Update");
    /// ```
    #[must_use]
    pub fn permission(self) -> &'static str {
        match self {
            Self::EnableTwoFactor => "Client Profile: View",
            Self::ViewAccountCode => "Profile: View",
            Self::SetAccountCode => "Profile: Update",
            Self::ManageOwnCode => "Manage Contacts: View and Update",
        }
    }

    /// The resource id and actions in `countersign-permissions`' client-portal schema.
    #[must_use]
    pub fn cells(self) -> (&'static str, &'static [&'static str]) {
        match self {
            Self::EnableTwoFactor => ("client-profile", &["view"]),
            Self::ViewAccountCode => ("profile", &["view"]),
            Self::SetAccountCode => ("profile", &["update"]),
            Self::ManageOwnCode => ("manage-contacts", &["view", "update"]),
        }
    }
}

impl fmt::Display for Gate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.permission())
    }
}

/// Answers whether a contact passes a gate.
pub trait Permissions {
    /// Whether the contact `contact_id` has the permission `gate` names.
    fn permits(&self, contact_id: u64, gate: Gate) -> bool;
}

impl<F: Fn(u64, Gate) -> bool> Permissions for F {
    fn permits(&self, contact_id: u64, gate: Gate) -> bool {
        self(contact_id, gate)
    }
}

/// The primary contact always passes; anyone else needs the permission.
pub(crate) fn require(
    permissions: &(impl Permissions + ?Sized),
    profile: &Profile,
    gate: Gate,
) -> Result<()> {
    if profile.primary || permissions.permits(profile.contact_id, gate) {
        Ok(())
    } else {
        Err(Error::PermissionDenied {
            gate: gate.permission(),
        })
    }
}

/// [`Permissions`] answered by a compiled `countersign-permissions` policy: contact
/// `3523` is the principal `contact-3523` (see [`Access::principal_id`]).
///
/// # Examples
///
/// ```
/// use countersign::{Access, Gate, Permissions};
/// use countersign::permissions::{CompiledPolicy, Policy};
///
/// // Seed 000: Joe sets "Client Profile: View" to Allow for Contact Example.
/// let policy = Policy::from_toml(r#"
///     schema = "client-portal"
///     [principals.contact-3523]
///     grants.client-profile.view = "allow"
/// "#)?;
/// let compiled = CompiledPolicy::compile(&policy);
/// let access = Access::new(&compiled)?;
/// assert!(access.permits(3523, Gate::EnableTwoFactor));
/// assert!(!access.permits(3526, Gate::EnableTwoFactor), "no grant: (None)");
/// // "Client Profile: View" also resolves "Profile: View" by inheritance.
/// assert!(access.permits(3523, Gate::ViewAccountCode));
/// assert!(!access.permits(3523, Gate::ManageOwnCode));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Access<'a> {
    policy: &'a crate::permissions::CompiledPolicy,
    gates: [crate::permissions::Gate; 4],
}

impl<'a> Access<'a> {
    /// Resolves the four gates in the policy's schema once.
    ///
    /// # Errors
    ///
    /// [`Error::Permissions`] when the schema lacks a resource or action a gate
    /// names (the client-portal schema has them all).
    pub fn new(policy: &'a crate::permissions::CompiledPolicy) -> Result<Self> {
        let schema = policy.schema();
        let resolve = |gate: Gate| {
            let (resource, actions) = gate.cells();
            schema.gate(resource, actions)
        };
        Ok(Self {
            gates: [
                resolve(Gate::ALL[0])?,
                resolve(Gate::ALL[1])?,
                resolve(Gate::ALL[2])?,
                resolve(Gate::ALL[3])?,
            ],
            policy,
        })
    }

    /// The principal id of a contact in the policy: `contact-<id>`.
    #[must_use]
    pub fn principal_id(contact_id: u64) -> String {
        format!("contact-{contact_id}")
    }
}

impl Permissions for Access<'_> {
    fn permits(&self, contact_id: u64, gate: Gate) -> bool {
        let index = match gate {
            Gate::EnableTwoFactor => 0,
            Gate::ViewAccountCode => 1,
            Gate::SetAccountCode => 2,
            Gate::ManageOwnCode => 3,
        };
        self.policy
            .principal(&Self::principal_id(contact_id))
            .is_some_and(|p| self.policy.permits(p, &self.gates[index]))
    }
}
