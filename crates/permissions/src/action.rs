//! Actions: the grid's columns (View, Create, Update, Delete by default).

use core::fmt;

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

/// The most actions a schema may declare: each resource's applicable actions are a 64-bit set.
pub const MAX_ACTIONS: usize = 64;

/// An action declared by a schema: a stable id (`view`) and a display name (`View`).
///
/// In a document an action is written either as its id alone (`"view"`, displayed with a
/// capital first letter) or as a table `{ id = "approve", name = "Approve" }`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct ActionDef {
    /// The stable id used in grants and checks.
    pub id: String,
    /// The column heading in the grid.
    pub name: String,
}

impl ActionDef {
    /// An action with an explicit display name.
    pub fn new(id: impl Into<String>, name: impl Into<String>) -> Self {
        ActionDef {
            id: id.into(),
            name: name.into(),
        }
    }

    /// An action displayed as its id with a capital first letter (`view` -> `View`).
    pub fn from_id(id: impl Into<String>) -> Self {
        let id = id.into();
        let mut chars = id.chars();
        let name = match chars.next() {
            Some(first) => first.to_uppercase().chain(chars).collect(),
            None => String::new(),
        };
        ActionDef { id, name }
    }

    /// The portal's four actions: View, Create, Update, Delete.
    pub fn defaults() -> Vec<ActionDef> {
        ["view", "create", "update", "delete"]
            .into_iter()
            .map(ActionDef::from_id)
            .collect()
    }
}

impl<'de> Deserialize<'de> for ActionDef {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Full {
            id: String,
            name: Option<String>,
        }
        // By hand rather than `untagged`, so that a mistake in a table is reported as itself.
        struct ActionVisitor;
        impl<'de> Visitor<'de> for ActionVisitor {
            type Value = ActionDef;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an action id or a table { id, name }")
            }
            fn visit_str<E: de::Error>(self, id: &str) -> Result<Self::Value, E> {
                Ok(ActionDef::from_id(id))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                let full = Full::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(match full.name {
                    Some(name) => ActionDef::new(full.id, name),
                    None => ActionDef::from_id(full.id),
                })
            }
        }
        deserializer.deserialize_any(ActionVisitor)
    }
}

/// A pre-resolved action: its dense position among the schema's actions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ActionIndex(pub(crate) u8);

impl ActionIndex {
    /// The position of the action in the schema's declaration order.
    pub fn get(self) -> usize {
        usize::from(self.0)
    }
}

/// A set of actions (those that apply to a resource), one bit per declared action.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct ActionSet(pub(crate) u64);

impl ActionSet {
    /// The set of the first `count` actions (all declared actions).
    pub(crate) fn first(count: usize) -> Self {
        if count >= 64 {
            ActionSet(u64::MAX)
        } else {
            ActionSet((1u64 << count) - 1)
        }
    }

    /// Whether the action is in the set.
    pub fn contains(self, action: ActionIndex) -> bool {
        action.0 < 64 && self.0 >> action.0 & 1 == 1
    }

    /// Adds an action.
    pub(crate) fn insert(&mut self, action: ActionIndex) {
        if action.0 < 64 {
            self.0 |= 1 << action.0;
        }
    }

    /// The actions in the set, in declaration order.
    pub fn iter(self) -> impl Iterator<Item = ActionIndex> {
        // Set bits only, lowest first: compiling visits every resource, so this is hot.
        let mut bits = self.0;
        core::iter::from_fn(move || {
            if bits == 0 {
                return None;
            }
            // trailing_zeros of a non-zero u64 is below 64: it fits a u8.
            let index = u8::try_from(bits.trailing_zeros()).unwrap_or(u8::MAX);
            bits &= bits - 1;
            Some(ActionIndex(index))
        })
    }

    /// How many actions are in the set.
    pub fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
}

#[cfg(test)]
mod tests {
    use super::{ActionIndex, ActionSet};

    // A schema has at most 64 actions, so no index past 63 is handed out; a set still
    // answers one without a shift overflow.
    #[test]
    fn an_index_past_the_word_is_in_no_set_and_is_not_inserted() {
        assert!(!ActionSet::first(64).contains(ActionIndex(64)));
        let mut set = ActionSet::default();
        set.insert(ActionIndex(64));
        set.insert(ActionIndex(u8::MAX));
        assert!(set.is_empty());
    }
}
