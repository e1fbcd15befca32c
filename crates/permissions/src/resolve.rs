//! Resolution: the one rule, its explanation, and the bulk questions built on it.

use core::fmt;

use serde::Serialize;

use crate::error::Result;
use crate::grant::Effect;
use crate::policy::{Policy, PrincipalIndex, RoleIndex};
use crate::schema::{Cell, ResourceIndex, Schema};

/// The effective value of a cell for a principal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    /// An Allow decided: the action is permitted.
    Allow,
    /// A Deny decided: the action is refused.
    Deny,
    /// Nothing decided: the action is refused (the grid's "(None)").
    None,
}

impl Decision {
    /// Whether the action is permitted (only [`Decision::Allow`]).
    pub fn is_allowed(self) -> bool {
        self == Decision::Allow
    }

    /// `"Allow"`, `"Deny"` or `"None"`, as the grid shows it.
    pub fn label(self) -> &'static str {
        match self {
            Decision::Allow => "Allow",
            Decision::Deny => "Deny",
            Decision::None => "None",
        }
    }
}

impl From<Effect> for Decision {
    fn from(effect: Effect) -> Self {
        match effect {
            Effect::Allow => Decision::Allow,
            Effect::Deny => Decision::Deny,
        }
    }
}

/// What decided a cell.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Source<'p> {
    /// The principal's own grant on `resource` (the asked resource or an ancestor).
    Own {
        /// The resource whose grant decided (its id).
        resource: &'p str,
        /// Whether that is an ancestor of the asked resource.
        inherited: bool,
    },
    /// A role's grant on `resource`, the principal's own chain being silent.
    Role {
        /// The role whose grant decided (its id).
        role: &'p str,
        /// The resource whose grant decided (its id).
        resource: &'p str,
        /// Whether that is an ancestor of the asked resource.
        inherited: bool,
    },
    /// Nothing on the chain of the principal or its roles: denied ("None").
    Default,
}

/// A decision and why: the answer of [`Policy::explain`].
///
/// Its `Display` is one sentence for a log or a support screen.
#[derive(Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Explanation<'p> {
    /// The principal asked about (its id).
    pub principal: &'p str,
    /// The resource asked about (its id).
    pub resource: &'p str,
    /// The action asked about (its id).
    pub action: &'p str,
    /// The effective value.
    pub decision: Decision,
    /// What decided it.
    pub source: Source<'p>,
    #[serde(skip)]
    schema: &'p Schema,
    #[serde(skip)]
    cell: Cell,
}

impl fmt::Debug for Explanation<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The schema it borrows for `Display` is left out: it would drown the answer.
        f.debug_struct("Explanation")
            .field("principal", &self.principal)
            .field("resource", &self.resource)
            .field("action", &self.action)
            .field("decision", &self.decision)
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

impl Explanation<'_> {
    /// Whether the action is permitted.
    pub fn is_allowed(&self) -> bool {
        self.decision.is_allowed()
    }
}

impl fmt::Display for Explanation<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verdict = if self.is_allowed() { "allow" } else { "deny" };
        let asked = self.schema.describe(self.cell);
        let name = |id: &str| {
            self.schema
                .resource(id)
                .and_then(|r| self.schema.get(r))
                .map_or_else(|| id.to_owned(), |r| r.name().to_owned())
        };
        let action = self
            .schema
            .action_def(self.cell.action())
            .map_or("?", |a| a.name.as_str());
        let how = |inherited: bool, resource: &str| {
            if inherited {
                format!("inherited from {}: {action}", name(resource))
            } else {
                "set on this cell".to_owned()
            }
        };
        match self.source {
            Source::Own {
                resource,
                inherited,
            } => write!(
                f,
                "{verdict}: {} for {} ({}, own grant of {})",
                self.decision.label(),
                asked,
                how(inherited, resource),
                self.principal
            ),
            Source::Role {
                role,
                resource,
                inherited,
            } => write!(
                f,
                "{verdict}: {} for {} ({}, grant of role {role}; {} sets nothing on this chain)",
                self.decision.label(),
                asked,
                how(inherited, resource),
                self.principal
            ),
            Source::Default => write!(
                f,
                "{verdict}: None for {asked} (nothing on this resource or above it grants it to {} or its roles)",
                self.principal
            ),
        }
    }
}

/// What decided a cell, by index (the allocation-free core of [`Policy::explain`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Decider {
    Own(ResourceIndex),
    Role(RoleIndex, ResourceIndex),
    Default,
}

impl Policy {
    /// The decision for a pre-resolved cell, with the index of what decided it.
    ///
    /// This is the reference resolver, the rule exactly as the crate docs state it.
    pub(crate) fn resolve(&self, principal: PrincipalIndex, cell: Cell) -> (Decision, Decider) {
        let Some(member) = self.member(principal) else {
            return (Decision::None, Decider::Default);
        };
        let schema = &*self.schema;
        let action = cell.action();
        // 1. The principal's own chain: the nearest explicit grant decides.
        for resource in schema.ancestors(cell.resource()) {
            let here = schema.cell_unchecked(resource, action);
            if let Some(effect) = member.grants.get(here) {
                return (effect.into(), Decider::Own(resource));
            }
        }
        // 2. The roles, by the same walk: the nearest resource wins; at one resource a Deny
        //    from any role beats an Allow from another.
        for resource in schema.ancestors(cell.resource()) {
            let here = schema.cell_unchecked(resource, action);
            let mut allowed_by = None;
            for &role in &member.all_roles {
                match self.roles[role.get()].grants.get(here) {
                    Some(Effect::Deny) => return (Decision::Deny, Decider::Role(role, resource)),
                    Some(Effect::Allow) => {
                        allowed_by.get_or_insert(role);
                    }
                    None => {}
                }
            }
            if let Some(role) = allowed_by {
                return (Decision::Allow, Decider::Role(role, resource));
            }
        }
        // 3. Nothing decided: denied.
        (Decision::None, Decider::Default)
    }

    /// The decision for a pre-resolved cell (no explanation, no allocation).
    ///
    /// An unknown principal index gets [`Decision::None`].
    pub fn decide(&self, principal: PrincipalIndex, cell: Cell) -> Decision {
        self.resolve(principal, cell).0
    }

    /// Whether a principal may do every cell of a gate (the reference path; see
    /// [`CompiledPolicy::permits`](crate::CompiledPolicy::permits) for the hot path).
    pub fn permits(&self, principal: PrincipalIndex, gate: &crate::Gate) -> bool {
        !gate.cells().is_empty()
            && gate
                .cells()
                .iter()
                .all(|&c| self.decide(principal, c).is_allowed())
    }

    /// Whether a principal may do an action on a resource, by ids.
    ///
    /// ```
    /// use countersign_permissions::Policy;
    ///
    /// let policy = Policy::from_toml(r#"
    ///     schema = "client-portal"
    ///     [principals.contact-3523]
    ///     grants.client-profile.view = "allow"
    /// "#).unwrap();
    /// assert!(policy.allows("contact-3523", "profile", "view").unwrap());
    /// assert!(!policy.allows("contact-3523", "profile", "update").unwrap());
    /// ```
    ///
    /// # Errors
    ///
    /// As [`Policy::explain`].
    pub fn allows(&self, principal: &str, resource: &str, action: &str) -> Result<bool> {
        Ok(self.explain(principal, resource, action)?.is_allowed())
    }

    /// The decision for a cell, by ids, and what decided it.
    ///
    /// ```
    /// use countersign_permissions::{Decision, Policy, Source};
    ///
    /// let policy = Policy::from_toml(r#"
    ///     schema = "client-portal"
    ///     [principals.contact-3523]
    ///     grants.client-profile.view = "allow"
    /// "#).unwrap();
    /// let why = policy.explain("contact-3523", "profile", "view").unwrap();
    /// assert_eq!(why.decision, Decision::Allow);
    /// assert_eq!(why.source, Source::Own { resource: "client-profile", inherited: true });
    /// assert_eq!(
    ///     why.to_string(),
    ///     "allow: Allow for Profile: View (inherited from Client Profile: View, own grant of contact-3523)"
    /// );
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::UnknownPrincipal`](crate::Error::UnknownPrincipal), and as
    /// [`Schema::cell`] (unknown resource or action, or a "-" cell).
    pub fn explain(
        &self,
        principal: &str,
        resource: &str,
        action: &str,
    ) -> Result<Explanation<'_>> {
        let principal = self.principal_index(principal)?;
        let cell = self.schema.cell(resource, action)?;
        Ok(self.explain_cell(principal, cell))
    }

    /// [`Policy::explain`] for pre-resolved indices. An unknown principal index is
    /// explained as the default (its id shows as `""`).
    pub fn explain_cell(&self, principal: PrincipalIndex, cell: Cell) -> Explanation<'_> {
        let (decision, decider) = self.resolve(principal, cell);
        let schema = &*self.schema;
        let id_of = |r: ResourceIndex| schema.get(r).map_or("", |r| r.id());
        let source = match decider {
            Decider::Own(at) => Source::Own {
                resource: id_of(at),
                inherited: at != cell.resource(),
            },
            Decider::Role(role, at) => Source::Role {
                role: self.roles.get(role.get()).map_or("", |r| r.id.as_str()),
                resource: id_of(at),
                inherited: at != cell.resource(),
            },
            Decider::Default => Source::Default,
        };
        Explanation {
            principal: self.member(principal).map_or("", |m| m.id.as_str()),
            resource: id_of(cell.resource()),
            action: schema
                .action_def(cell.action())
                .map_or("", |a| a.id.as_str()),
            decision,
            source,
            schema,
            cell,
        }
    }

    /// Every cell a principal may do, row by row (bulk question one).
    ///
    /// ```
    /// use countersign_permissions::Policy;
    ///
    /// let policy = Policy::from_toml(r#"
    ///     schema = "client-portal"
    ///     [principals.contact-3523]
    ///     grants.manage-contacts = { view = "allow", update = "allow" }
    /// "#).unwrap();
    /// let can: Vec<String> = policy
    ///     .permissions_of("contact-3523")
    ///     .unwrap()
    ///     .iter()
    ///     .map(|p| format!("{}:{}", p.resource, p.action))
    ///     .collect();
    /// assert_eq!(can, ["manage-contacts:view", "manage-contacts:update"]);
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::UnknownPrincipal`](crate::Error::UnknownPrincipal).
    pub fn permissions_of(&self, principal: &str) -> Result<Vec<Permission<'_>>> {
        let index = self.principal_index(principal)?;
        let mut row = vec![0u64; self.schema.cell_count().div_ceil(64)];
        let mut scratch = RowScratch::new(&self.schema);
        self.effective_row(index, &mut scratch, &mut row);
        Ok(self
            .schema
            .cells()
            .filter(|c| bit(&row, c.bit))
            .map(|c| self.permission(c))
            .collect())
    }

    /// Every principal who may do an action on a resource (bulk question two), in policy order.
    ///
    /// # Errors
    ///
    /// As [`Schema::cell`].
    pub fn principals_allowed(&self, resource: &str, action: &str) -> Result<Vec<&str>> {
        let cell = self.schema.cell(resource, action)?;
        Ok(self
            .principals()
            .filter(|&(p, _)| self.decide(p, cell).is_allowed())
            .map(|(_, id)| id)
            .collect())
    }

    pub(crate) fn permission(&self, cell: Cell) -> Permission<'_> {
        Permission {
            resource: self.schema.get(cell.resource()).map_or("", |r| r.id()),
            action: self
                .schema
                .action_def(cell.action())
                .map_or("", |a| a.id.as_str()),
            cell,
        }
    }

    /// Writes the effective decision of every cell of a principal as bits (1 = allowed),
    /// top-down: a cell takes the nearest explicit value of the own chain, else of the
    /// roles' chain; "-" cells stay 0.
    pub(crate) fn effective_row(
        &self,
        principal: PrincipalIndex,
        scratch: &mut RowScratch,
        row: &mut [u64],
    ) {
        match self.member(principal) {
            Some(member) => self.fill_row(Some(&member.grants), &member.all_roles, scratch, row),
            None => row.iter_mut().for_each(|w| *w = 0),
        }
    }

    /// [`Policy::effective_row`] for given own grants (none: the roles alone) and roles.
    pub(crate) fn fill_row(
        &self,
        own_grants: Option<&crate::grant::Grants>,
        all_roles: &[RoleIndex],
        scratch: &mut RowScratch,
        row: &mut [u64],
    ) {
        row.iter_mut().for_each(|w| *w = 0);
        let schema = &*self.schema;
        let width = schema.actions().len();
        let (own, roles) = (&mut scratch.own, &mut scratch.roles);
        own.iter_mut().for_each(|v| *v = UNSET);
        roles.iter_mut().for_each(|v| *v = UNSET);
        for (cell, effect) in own_grants.into_iter().flat_map(|g| g.iter()) {
            own[cell.bit as usize] = encode(effect);
        }
        for &role in all_roles {
            for (cell, effect) in self.roles[role.get()].grants.iter() {
                let slot = &mut roles[cell.bit as usize];
                // At one resource, Deny beats Allow.
                if *slot != DENY {
                    *slot = encode(effect);
                }
            }
        }
        // Depth-first order puts every parent before its children.
        for (index, resource) in schema.resources() {
            let base = index.get() * width;
            if let Some(parent) = resource.parent() {
                let parent_base = parent.get() * width;
                for a in 0..width {
                    if own[base + a] == UNSET {
                        own[base + a] = own[parent_base + a];
                    }
                    if roles[base + a] == UNSET {
                        roles[base + a] = roles[parent_base + a];
                    }
                }
            }
            for a in resource.actions().iter() {
                let i = base + a.get();
                let value = if own[i] == UNSET { roles[i] } else { own[i] };
                if value == ALLOW {
                    row[i / 64] |= 1 << (i % 64);
                }
            }
        }
    }
}

const UNSET: u8 = 0;
const ALLOW: u8 = 1;
const DENY: u8 = 2;

fn encode(effect: Effect) -> u8 {
    match effect {
        Effect::Allow => ALLOW,
        Effect::Deny => DENY,
    }
}

pub(crate) fn bit(row: &[u64], bit: u32) -> bool {
    row.get((bit / 64) as usize)
        .is_some_and(|w| w >> (bit % 64) & 1 == 1)
}

/// Reusable buffers for [`Policy::effective_row`].
pub(crate) struct RowScratch {
    own: Vec<u8>,
    roles: Vec<u8>,
}

impl RowScratch {
    pub(crate) fn new(schema: &Schema) -> Self {
        RowScratch {
            own: vec![UNSET; schema.cell_count()],
            roles: vec![UNSET; schema.cell_count()],
        }
    }
}

/// A cell a principal may do, by ids (an answer of [`Policy::permissions_of`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Permission<'p> {
    /// The resource id.
    pub resource: &'p str,
    /// The action id.
    pub action: &'p str,
    /// The cell, pre-resolved.
    #[serde(skip)]
    pub cell: Cell,
}
