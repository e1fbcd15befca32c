//! Grants: Allow, Deny or Inherit for a cell, per principal or role.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Holder, Result};
use crate::id_map::IdMap;
use crate::schema::{Cell, Schema};

/// An explicit grant: what a principal or role sets on a cell.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Effect {
    /// The action is allowed.
    #[serde(alias = "Allow")]
    Allow,
    /// The action is denied, whatever inherits from above.
    #[serde(alias = "Deny")]
    Deny,
}

impl Effect {
    /// `"Allow"` or `"Deny"`, as the grid shows it.
    pub fn label(self) -> &'static str {
        match self {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
        }
    }
}

/// What a cell can be set to in the grid's drop-down: Allow, Deny, or Inherit (unset).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Setting {
    /// Set the cell to Allow.
    #[serde(alias = "Allow")]
    Allow,
    /// Set the cell to Deny.
    #[serde(alias = "Deny")]
    Deny,
    /// Leave the cell unset: it takes what it inherits.
    #[serde(alias = "Inherit")]
    Inherit,
}

impl Setting {
    /// The explicit effect, `None` for Inherit.
    pub fn effect(self) -> Option<Effect> {
        match self {
            Setting::Allow => Some(Effect::Allow),
            Setting::Deny => Some(Effect::Deny),
            Setting::Inherit => None,
        }
    }
}

impl From<Effect> for Setting {
    fn from(effect: Effect) -> Self {
        match effect {
            Effect::Allow => Setting::Allow,
            Effect::Deny => Setting::Deny,
        }
    }
}

/// Grants as written in a document: resource id -> action id -> setting.
///
/// ```toml
/// [principals.contact-3523.grants]
/// client-profile = { view = "allow" }
/// manage-contacts = { view = "allow", update = "allow" }
/// ```
pub type GrantsDef = IdMap<IdMap<Setting>>;

/// A validated grant set: the explicit cells of one principal or role.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Grants {
    cells: BTreeMap<Cell, Effect>,
}

impl Grants {
    /// Validates a grant definition against a schema.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownResource`], [`Error::UnknownAction`], [`Error::NotApplicable`] (a
    /// grant on a "-" cell), [`Error::DuplicateGrant`]; each names the holder.
    pub(crate) fn from_def(schema: &Schema, holder: &Holder, def: &GrantsDef) -> Result<Grants> {
        let mut grants = Grants::default();
        let mut seen = std::collections::BTreeSet::new();
        for (resource, actions) in def.iter() {
            for (action, setting) in actions.iter() {
                let cell = resolve_cell(schema, holder, resource, action)?;
                if !seen.insert(cell) {
                    return Err(Error::DuplicateGrant {
                        holder: holder.clone(),
                        resource: resource.to_owned(),
                        action: action.to_owned(),
                    });
                }
                grants.set(cell, *setting);
            }
        }
        Ok(grants)
    }

    /// The explicit effect on a cell.
    pub fn get(&self, cell: Cell) -> Option<Effect> {
        self.cells.get(&cell).copied()
    }

    /// Sets a cell (Inherit removes the explicit grant).
    pub(crate) fn set(&mut self, cell: Cell, setting: Setting) {
        match setting.effect() {
            Some(effect) => {
                self.cells.insert(cell, effect);
            }
            None => {
                self.cells.remove(&cell);
            }
        }
    }

    /// The explicit cells, in cell order.
    pub fn iter(&self) -> impl Iterator<Item = (Cell, Effect)> + '_ {
        self.cells.iter().map(|(&c, &e)| (c, e))
    }

    /// How many cells are set.
    pub fn len(&self) -> usize {
        self.cells.len()
    }

    /// Whether nothing is set.
    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }

    /// Back to a definition with ids.
    pub(crate) fn to_def(&self, schema: &Schema) -> GrantsDef {
        let mut def: GrantsDef = IdMap::new();
        for (cell, effect) in self.iter() {
            let (Some(resource), Some(action)) = (
                schema.get(cell.resource()),
                schema.action_def(cell.action()),
            ) else {
                continue;
            };
            match def.0.last_mut() {
                Some((id, actions)) if id == resource.id() => {
                    actions.push(action.id.clone(), effect.into());
                }
                _ => def.push(
                    resource.id(),
                    IdMap::new().with(action.id.clone(), effect.into()),
                ),
            }
        }
        def
    }
}

/// Resolves a cell named in a holder's grants, with errors that name the holder.
pub(crate) fn resolve_cell(
    schema: &Schema,
    holder: &Holder,
    resource: &str,
    action: &str,
) -> Result<Cell> {
    let r = schema
        .resource(resource)
        .ok_or_else(|| Error::UnknownResource {
            resource: resource.to_owned(),
            holder: Some(holder.clone()),
        })?;
    let a = schema.action(action).ok_or_else(|| Error::UnknownAction {
        action: action.to_owned(),
        holder: Some(holder.clone()),
    })?;
    schema.cell_at(r, a).ok_or_else(|| Error::NotApplicable {
        resource: resource.to_owned(),
        action: action.to_owned(),
        holder: Some(holder.clone()),
    })
}
