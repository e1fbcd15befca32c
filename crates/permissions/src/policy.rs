//! The policy: a schema, roles and principals with their grants.

use std::collections::HashMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Format, Holder, Result};
use crate::grant::{Grants, GrantsDef, Setting, resolve_cell};
use crate::id_map::IdMap;
use crate::schema::{Schema, SchemaDef, check_id};

/// Where a policy document's schema comes from: a built-in name or an inline definition.
///
/// ```toml
/// schema = "client-portal"
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum SchemaSource {
    /// A built-in schema by name (`"client-portal"`).
    Builtin(String),
    /// A schema written out in the document.
    Inline(SchemaDef),
}

impl<'de> Deserialize<'de> for SchemaSource {
    fn deserialize<D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> core::result::Result<Self, D::Error> {
        // By hand rather than `untagged`, so that a mistake inside an inline schema is
        // reported as itself, not as "did not match any variant".
        struct SourceVisitor;
        impl<'de> serde::de::Visitor<'de> for SourceVisitor {
            type Value = SchemaSource;
            fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str("a built-in schema name or a table { actions, resources }")
            }
            fn visit_str<E: serde::de::Error>(
                self,
                name: &str,
            ) -> core::result::Result<Self::Value, E> {
                Ok(SchemaSource::Builtin(name.to_owned()))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> core::result::Result<Self::Value, A::Error> {
                SchemaDef::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(SchemaSource::Inline)
            }
        }
        deserializer.deserialize_any(SourceVisitor)
    }
}

/// A principal or a role as written in a document: roles it takes grants from (in order)
/// and its own grants.
///
/// ```toml
/// [principals.contact-3523]
/// roles = ["security-code-holder"]
/// grants.client-profile.view = "allow"
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HolderDef {
    /// Roles, in order (the order names the role in explanations; it never changes a decision).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
    /// Explicit grants: resource id -> action id -> allow | deny | inherit.
    #[serde(default, skip_serializing_if = "IdMap::is_empty")]
    pub grants: GrantsDef,
}

/// A policy document: the schema, roles and principals. Plain data; [`Policy::from_document`]
/// validates it. See the crate docs for a complete example.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyDocument {
    /// The schema, built in (`"client-portal"`) or inline.
    pub schema: SchemaSource,
    /// Roles by id.
    #[serde(default, skip_serializing_if = "IdMap::is_empty")]
    pub roles: IdMap<HolderDef>,
    /// Principals by id.
    #[serde(default, skip_serializing_if = "IdMap::is_empty")]
    pub principals: IdMap<HolderDef>,
}

/// A pre-resolved principal: its dense position in the policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PrincipalIndex(pub(crate) u32);

impl PrincipalIndex {
    /// The position of the principal in the policy.
    pub fn get(self) -> usize {
        self.0 as usize
    }
}

/// A pre-resolved role: its dense position in the policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RoleIndex(pub(crate) u32);

impl RoleIndex {
    /// The position of the role in the policy.
    pub fn get(self) -> usize {
        self.0 as usize
    }
}

/// A validated principal or role.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Member {
    pub(crate) id: String,
    /// Direct roles, in order.
    pub(crate) roles: Vec<RoleIndex>,
    pub(crate) grants: Grants,
    /// Every role reached through `roles`, depth-first, each once (principals only).
    pub(crate) all_roles: Vec<RoleIndex>,
}

/// A validated policy: what [`explain`](Policy::explain), [`grid`](Policy::grid) and
/// [`CompiledPolicy::compile`](crate::CompiledPolicy::compile) work on.
#[derive(Clone, Debug)]
pub struct Policy {
    pub(crate) schema: Arc<Schema>,
    pub(crate) roles: Vec<Member>,
    role_ids: HashMap<String, RoleIndex>,
    pub(crate) principals: Vec<Member>,
    principal_ids: HashMap<String, PrincipalIndex>,
}

fn index_u32(len: usize) -> u32 {
    u32::try_from(len).unwrap_or(u32::MAX)
}

impl Policy {
    /// An empty policy over a schema: no roles, no principals.
    pub fn new(schema: impl Into<Arc<Schema>>) -> Policy {
        Policy {
            schema: schema.into(),
            roles: Vec::new(),
            role_ids: HashMap::new(),
            principals: Vec::new(),
            principal_ids: HashMap::new(),
        }
    }

    /// Reads a policy document, TOML or JSON: a document whose first non-blank character
    /// is `{` is read as JSON, anything else as TOML.
    ///
    /// # Errors
    ///
    /// [`Error::Parse`], else as [`Policy::from_document`].
    pub fn parse(text: &str) -> Result<Policy> {
        if text.trim_start().starts_with('{') {
            Policy::from_json(text)
        } else {
            Policy::from_toml(text)
        }
    }

    /// Reads a TOML policy document.
    ///
    /// # Errors
    ///
    /// [`Error::Parse`], else as [`Policy::from_document`].
    pub fn from_toml(text: &str) -> Result<Policy> {
        let document: PolicyDocument =
            toml::from_str(text).map_err(|e| Error::from_toml(text, &e))?;
        Policy::from_document(&document)
    }

    /// Reads a JSON policy document.
    ///
    /// # Errors
    ///
    /// [`Error::Parse`], else as [`Policy::from_document`].
    pub fn from_json(text: &str) -> Result<Policy> {
        let document: PolicyDocument = serde_json::from_str(text).map_err(|e| Error::Parse {
            format: Format::Json,
            message: e.to_string(),
        })?;
        Policy::from_document(&document)
    }

    /// Validates a policy document.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownBuiltinSchema`] and the schema's errors ([`Schema::from_def`]);
    /// [`Error::InvalidId`], [`Error::DuplicateRole`], [`Error::DuplicatePrincipal`];
    /// [`Error::UnknownRole`] for a dangling role name; [`Error::RoleCycle`]; and the
    /// grants' errors: [`Error::UnknownResource`], [`Error::UnknownAction`],
    /// [`Error::NotApplicable`], [`Error::DuplicateGrant`].
    pub fn from_document(document: &PolicyDocument) -> Result<Policy> {
        let schema = match &document.schema {
            SchemaSource::Builtin(name) => Schema::builtin(name)
                .ok_or_else(|| Error::UnknownBuiltinSchema { name: name.clone() })?,
            SchemaSource::Inline(def) => Schema::from_def(def)?,
        };
        let mut policy = Policy::new(schema);

        // Roles first, so that every name can be resolved; then their edges.
        for (id, _) in document.roles.iter() {
            check_id("role", id)?;
            if policy.role_ids.contains_key(id) {
                return Err(Error::DuplicateRole { id: id.to_owned() });
            }
            let index = RoleIndex(index_u32(policy.roles.len()));
            policy.role_ids.insert(id.to_owned(), index);
            policy.roles.push(Member {
                id: id.to_owned(),
                roles: Vec::new(),
                grants: Grants::default(),
                all_roles: Vec::new(),
            });
        }
        for (position, (id, def)) in document.roles.iter().enumerate() {
            let holder = Holder::Role(id.to_owned());
            let roles = policy.resolve_roles(&holder, &def.roles)?;
            let grants = Grants::from_def(&policy.schema, &holder, &def.grants)?;
            policy.roles[position].roles = roles;
            policy.roles[position].grants = grants;
        }
        policy.check_role_cycles()?;

        for (id, def) in document.principals.iter() {
            check_id("principal", id)?;
            if policy.principal_ids.contains_key(id) {
                return Err(Error::DuplicatePrincipal { id: id.to_owned() });
            }
            let holder = Holder::Principal(id.to_owned());
            let roles = policy.resolve_roles(&holder, &def.roles)?;
            let grants = Grants::from_def(&policy.schema, &holder, &def.grants)?;
            policy.push_principal(id, roles, grants);
        }
        Ok(policy)
    }

    fn resolve_roles(&self, holder: &Holder, names: &[String]) -> Result<Vec<RoleIndex>> {
        let mut roles = Vec::with_capacity(names.len());
        for name in names {
            let index = self.role(name).ok_or_else(|| Error::UnknownRole {
                role: name.clone(),
                holder: holder.clone(),
            })?;
            if !roles.contains(&index) {
                roles.push(index);
            }
        }
        Ok(roles)
    }

    /// Finds a cycle in the role graph (iteratively: a long chain cannot overflow the stack).
    fn check_role_cycles(&self) -> Result<()> {
        const WHITE: u8 = 0;
        const GREY: u8 = 1;
        const BLACK: u8 = 2;
        let mut colour = vec![WHITE; self.roles.len()];
        for start in 0..self.roles.len() {
            if colour[start] != WHITE {
                continue;
            }
            // (role, next child to visit)
            let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
            colour[start] = GREY;
            while let Some(&mut (role, ref mut next)) = stack.last_mut() {
                if let Some(child) = self.roles[role].roles.get(*next) {
                    *next += 1;
                    let child = child.get();
                    match colour[child] {
                        WHITE => {
                            colour[child] = GREY;
                            stack.push((child, 0));
                        }
                        GREY => {
                            let from = stack.iter().position(|&(r, _)| r == child).unwrap_or(0);
                            let mut cycle: Vec<String> = stack[from..]
                                .iter()
                                .map(|&(r, _)| self.roles[r].id.clone())
                                .collect();
                            cycle.push(self.roles[child].id.clone());
                            return Err(Error::RoleCycle { cycle });
                        }
                        _ => {}
                    }
                } else {
                    colour[role] = BLACK;
                    stack.pop();
                }
            }
        }
        Ok(())
    }

    /// Every role reachable from `direct`, depth-first in order, each once.
    fn flatten_roles(&self, direct: &[RoleIndex]) -> Vec<RoleIndex> {
        let mut seen = vec![false; self.roles.len()];
        let mut out = Vec::new();
        let mut stack: Vec<RoleIndex> = direct.iter().rev().copied().collect();
        while let Some(role) = stack.pop() {
            if core::mem::replace(&mut seen[role.get()], true) {
                continue;
            }
            out.push(role);
            stack.extend(self.roles[role.get()].roles.iter().rev());
        }
        out
    }

    fn push_principal(
        &mut self,
        id: &str,
        roles: Vec<RoleIndex>,
        grants: Grants,
    ) -> PrincipalIndex {
        let index = PrincipalIndex(index_u32(self.principals.len()));
        let all_roles = self.flatten_roles(&roles);
        self.principal_ids.insert(id.to_owned(), index);
        self.principals.push(Member {
            id: id.to_owned(),
            roles,
            grants,
            all_roles,
        });
        index
    }

    /// Adds a role that takes grants from `roles` (which must already exist, so no cycle
    /// can be made this way).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidId`], [`Error::DuplicateRole`], [`Error::UnknownRole`].
    pub fn add_role(&mut self, id: &str, roles: &[&str]) -> Result<RoleIndex> {
        check_id("role", id)?;
        if self.role_ids.contains_key(id) {
            return Err(Error::DuplicateRole { id: id.to_owned() });
        }
        let names: Vec<String> = roles.iter().map(|&r| r.to_owned()).collect();
        let roles = self.resolve_roles(&Holder::Role(id.to_owned()), &names)?;
        let index = RoleIndex(index_u32(self.roles.len()));
        self.role_ids.insert(id.to_owned(), index);
        self.roles.push(Member {
            id: id.to_owned(),
            roles,
            grants: Grants::default(),
            all_roles: Vec::new(),
        });
        Ok(index)
    }

    /// Adds a principal that takes grants from `roles`, in order.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidId`], [`Error::DuplicatePrincipal`], [`Error::UnknownRole`].
    pub fn add_principal(&mut self, id: &str, roles: &[&str]) -> Result<PrincipalIndex> {
        check_id("principal", id)?;
        if self.principal_ids.contains_key(id) {
            return Err(Error::DuplicatePrincipal { id: id.to_owned() });
        }
        let names: Vec<String> = roles.iter().map(|&r| r.to_owned()).collect();
        let roles = self.resolve_roles(&Holder::Principal(id.to_owned()), &names)?;
        Ok(self.push_principal(id, roles, Grants::default()))
    }

    /// Sets a principal's cell to Allow, Deny or Inherit (what the grid's drop-down does).
    ///
    /// A [`CompiledPolicy`](crate::CompiledPolicy) made earlier does not see the change
    /// until [`refresh`](crate::CompiledPolicy::refresh)ed.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownPrincipal`], [`Error::UnknownResource`], [`Error::UnknownAction`],
    /// [`Error::NotApplicable`].
    pub fn set(
        &mut self,
        principal: &str,
        resource: &str,
        action: &str,
        setting: Setting,
    ) -> Result<()> {
        let index = self
            .principal(principal)
            .ok_or_else(|| Error::UnknownPrincipal {
                principal: principal.to_owned(),
            })?;
        let cell = resolve_cell(
            &self.schema,
            &Holder::Principal(principal.to_owned()),
            resource,
            action,
        )?;
        self.principals[index.get()].grants.set(cell, setting);
        Ok(())
    }

    /// Sets a role's cell to Allow, Deny or Inherit.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownRole`], [`Error::UnknownResource`], [`Error::UnknownAction`],
    /// [`Error::NotApplicable`].
    pub fn set_role(
        &mut self,
        role: &str,
        resource: &str,
        action: &str,
        setting: Setting,
    ) -> Result<()> {
        let holder = Holder::Role(role.to_owned());
        let index = self.role(role).ok_or_else(|| Error::UnknownRole {
            role: role.to_owned(),
            holder: holder.clone(),
        })?;
        let cell = resolve_cell(&self.schema, &holder, resource, action)?;
        self.roles[index.get()].grants.set(cell, setting);
        Ok(())
    }

    /// The schema.
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// The schema, shared.
    pub fn schema_arc(&self) -> &Arc<Schema> {
        &self.schema
    }

    /// A principal's index by id.
    pub fn principal(&self, id: &str) -> Option<PrincipalIndex> {
        self.principal_ids.get(id).copied()
    }

    /// A role's index by id.
    pub fn role(&self, id: &str) -> Option<RoleIndex> {
        self.role_ids.get(id).copied()
    }

    /// The principals' ids, in index order.
    pub fn principals(&self) -> impl Iterator<Item = (PrincipalIndex, &str)> {
        (0u32..)
            .map(PrincipalIndex)
            .zip(self.principals.iter().map(|p| p.id.as_str()))
    }

    /// The roles' ids, in index order.
    pub fn roles(&self) -> impl Iterator<Item = (RoleIndex, &str)> {
        (0u32..)
            .map(RoleIndex)
            .zip(self.roles.iter().map(|r| r.id.as_str()))
    }

    /// A principal's own explicit grants.
    pub fn grants(&self, principal: PrincipalIndex) -> Option<&Grants> {
        self.principals.get(principal.get()).map(|p| &p.grants)
    }

    /// A role's own explicit grants.
    pub fn role_grants(&self, role: RoleIndex) -> Option<&Grants> {
        self.roles.get(role.get()).map(|r| &r.grants)
    }

    /// Every role a principal takes grants from (its roles and theirs, depth-first, each once).
    pub fn roles_of(&self, principal: PrincipalIndex) -> &[RoleIndex] {
        self.principals
            .get(principal.get())
            .map_or(&[], |p| p.all_roles.as_slice())
    }

    /// The principals that take grants from a role, directly or through other roles.
    pub fn members_of(&self, role: RoleIndex) -> impl Iterator<Item = PrincipalIndex> + '_ {
        self.principals()
            .filter(move |&(p, _)| self.roles_of(p).contains(&role))
            .map(|(p, _)| p)
    }

    /// The policy as a document (schema inline), for writing it out.
    pub fn to_document(&self) -> PolicyDocument {
        let holder = |m: &Member| HolderDef {
            roles: m
                .roles
                .iter()
                .map(|r| self.roles[r.get()].id.clone())
                .collect(),
            grants: m.grants.to_def(&self.schema),
        };
        PolicyDocument {
            schema: SchemaSource::Inline(self.schema.to_def()),
            roles: self
                .roles
                .iter()
                .map(|r| (r.id.clone(), holder(r)))
                .collect(),
            principals: self
                .principals
                .iter()
                .map(|p| (p.id.clone(), holder(p)))
                .collect(),
        }
    }

    pub(crate) fn member(&self, principal: PrincipalIndex) -> Option<&Member> {
        self.principals.get(principal.get())
    }

    pub(crate) fn principal_index(&self, id: &str) -> Result<PrincipalIndex> {
        self.principal(id).ok_or_else(|| Error::UnknownPrincipal {
            principal: id.to_owned(),
        })
    }
}
