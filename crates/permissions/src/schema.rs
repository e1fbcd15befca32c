//! The schema: a tree of resources, the actions declared for it, and which actions apply where.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::action::{ActionDef, ActionIndex, ActionSet, MAX_ACTIONS};
use crate::error::{Error, Format, Result};

/// The most resources a schema may declare.
pub const MAX_RESOURCES: usize = 1 << 20;

/// The longest id accepted, in characters.
const MAX_ID_CHARS: usize = 128;

/// Checks an id: 1 to 128 characters, no whitespace, no control characters.
pub(crate) fn check_id(kind: &'static str, id: &str) -> Result<()> {
    let count = id.chars().count();
    if count == 0 || count > MAX_ID_CHARS || id.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(Error::InvalidId {
            kind,
            id: id.to_owned(),
        });
    }
    Ok(())
}

/// A schema as written in a document: the declared actions and a flat list of resources,
/// each naming its parent. This is plain data; [`Schema::from_def`] validates it.
///
/// ```toml
/// actions = ["view", "create", "update", "delete"]   # optional: this is the default
///
/// [[resources]]
/// id = "client-portal"
/// name = "Client Portal"
///
/// [[resources]]
/// id = "change-password"
/// name = "Change Password"
/// parent = "client-portal"
/// actions = ["view", "update"]                          # optional: default is every action
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SchemaDef {
    /// The actions, in column order. Defaults to View, Create, Update, Delete.
    #[serde(default = "ActionDef::defaults")]
    pub actions: Vec<ActionDef>,
    /// The resources; a parent must be declared before its children.
    #[serde(default)]
    pub resources: Vec<ResourceDef>,
}

impl Default for SchemaDef {
    fn default() -> Self {
        SchemaDef {
            actions: ActionDef::defaults(),
            resources: Vec::new(),
        }
    }
}

/// One resource as written in a document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceDef {
    /// The stable id used in grants and checks (`manage-contacts`).
    pub id: String,
    /// The display name in the grid (`Manage Contacts`); defaults to the id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The parent's id; absent for a root.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// The actions that apply (ids); absent means every declared action.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actions: Option<Vec<String>>,
}

/// A pre-resolved resource: its dense position in the schema (depth-first, parents first).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ResourceIndex(pub(crate) u32);

impl ResourceIndex {
    /// The position of the resource in depth-first order (the grid's row order).
    pub fn get(self) -> usize {
        self.0 as usize
    }
}

/// A pre-resolved cell of the grid: a resource and an action that applies to it.
///
/// Resolve cells once (at start-up) with [`Schema::cell`]; checks through
/// [`CompiledPolicy::allows`](crate::CompiledPolicy::allows) then do no string work.
/// A cell belongs to the schema that made it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cell {
    pub(crate) resource: ResourceIndex,
    pub(crate) action: ActionIndex,
    /// `resource * action_count + action`: the cell's bit in a compiled row.
    pub(crate) bit: u32,
}

impl Cell {
    /// The cell's resource.
    pub fn resource(self) -> ResourceIndex {
        self.resource
    }

    /// The cell's action.
    pub fn action(self) -> ActionIndex {
        self.action
    }
}

/// A gate: one resource and one or more of its actions, all of which must be allowed
/// ("Manage Contacts: View and Update"). Made by [`Schema::gate`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Gate {
    pub(crate) cells: Vec<Cell>,
}

impl Gate {
    /// The cells the gate needs.
    pub fn cells(&self) -> &[Cell] {
        &self.cells
    }
}

/// A resource of a validated schema.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resource {
    id: String,
    name: String,
    parent: Option<ResourceIndex>,
    depth: u32,
    actions: ActionSet,
    children: Vec<ResourceIndex>,
    /// One past the last index of the subtree (depth-first order makes a subtree a range).
    subtree_end: u32,
}

impl Resource {
    /// The stable id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The display name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The parent, `None` for a root.
    pub fn parent(&self) -> Option<ResourceIndex> {
        self.parent
    }

    /// The depth: 0 for a root.
    pub fn depth(&self) -> u32 {
        self.depth
    }

    /// The actions that apply; the others are the grid's "-".
    pub fn actions(&self) -> ActionSet {
        self.actions
    }

    /// The children, in declaration order.
    pub fn children(&self) -> &[ResourceIndex] {
        &self.children
    }
}

/// A validated resource tree with its actions.
///
/// Resources get dense indices in depth-first order (a parent before its children), which
/// is the grid's row order; actions keep their declaration order, which is the grid's
/// column order.
///
/// ```
/// use countersign_permissions::Schema;
///
/// let schema = Schema::client_portal();
/// let change_password = schema.resource("change-password").unwrap();
/// let resource = schema.get(change_password).unwrap();
/// assert_eq!(resource.name(), "Change Password");
/// assert!(schema.cell("change-password", "update").is_ok());
/// assert!(schema.cell("change-password", "create").is_err()); // a "-" cell
/// ```
#[derive(Clone, Debug)]
pub struct Schema {
    actions: Vec<ActionDef>,
    resources: Vec<Resource>,
    by_id: HashMap<String, ResourceIndex>,
}

impl PartialEq for Schema {
    fn eq(&self, other: &Self) -> bool {
        // `by_id` is derived from `resources`.
        self.actions == other.actions && self.resources == other.resources
    }
}

impl Eq for Schema {}

/// A resource before indexing: declaration position of its parent.
struct Raw {
    id: String,
    name: String,
    parent: Option<usize>,
    actions: ActionSet,
}

impl Schema {
    /// Starts building a schema in code, with the default actions.
    pub fn builder() -> SchemaBuilder {
        SchemaBuilder::default()
    }

    /// Validates a schema definition.
    ///
    /// # Errors
    ///
    /// [`Error::NoActions`], [`Error::TooManyActions`], [`Error::NoResources`],
    /// [`Error::TooManyResources`], [`Error::InvalidId`], [`Error::DuplicateAction`],
    /// [`Error::DuplicateResource`], [`Error::UnknownParent`] (a parent must be declared
    /// before its children, which also rules out cycles), [`Error::UndeclaredAction`].
    pub fn from_def(def: &SchemaDef) -> Result<Schema> {
        if def.actions.is_empty() {
            return Err(Error::NoActions);
        }
        if def.actions.len() > MAX_ACTIONS {
            return Err(Error::TooManyActions {
                count: def.actions.len(),
                max: MAX_ACTIONS,
            });
        }
        let mut action_ids: HashMap<&str, ()> = HashMap::new();
        for action in &def.actions {
            check_id("action", &action.id)?;
            if action_ids.insert(&action.id, ()).is_some() {
                return Err(Error::DuplicateAction {
                    id: action.id.clone(),
                });
            }
        }
        if def.resources.is_empty() {
            return Err(Error::NoResources);
        }
        if def.resources.len() > MAX_RESOURCES {
            return Err(Error::TooManyResources {
                count: def.resources.len(),
                max: MAX_RESOURCES,
            });
        }
        let all = ActionSet::first(def.actions.len());
        let mut seen: HashMap<&str, usize> = HashMap::with_capacity(def.resources.len());
        let mut raw = Vec::with_capacity(def.resources.len());
        for (position, resource) in def.resources.iter().enumerate() {
            check_id("resource", &resource.id)?;
            if seen.contains_key(resource.id.as_str()) {
                return Err(Error::DuplicateResource {
                    id: resource.id.clone(),
                });
            }
            let parent = match &resource.parent {
                None => None,
                Some(parent) => match seen.get(parent.as_str()) {
                    Some(&index) => Some(index),
                    None => {
                        return Err(Error::UnknownParent {
                            resource: resource.id.clone(),
                            parent: parent.clone(),
                        });
                    }
                },
            };
            let actions = match &resource.actions {
                None => all,
                Some(listed) => {
                    let mut set = ActionSet::default();
                    for action in listed {
                        match find_action(&def.actions, action) {
                            Some(index) => set.insert(index),
                            None => {
                                return Err(Error::UndeclaredAction {
                                    resource: resource.id.clone(),
                                    action: action.clone(),
                                });
                            }
                        }
                    }
                    set
                }
            };
            seen.insert(&resource.id, position);
            raw.push(Raw {
                id: resource.id.clone(),
                name: resource.name.clone().unwrap_or_else(|| resource.id.clone()),
                parent,
                actions,
            });
        }
        Ok(Schema::assemble(def.actions.clone(), raw))
    }

    /// Reads a schema definition from TOML and validates it.
    ///
    /// # Errors
    ///
    /// [`Error::Parse`] for malformed TOML, else as [`Schema::from_def`].
    pub fn from_toml(text: &str) -> Result<Schema> {
        let def: SchemaDef = toml::from_str(text).map_err(|e| Error::from_toml(text, &e))?;
        Schema::from_def(&def)
    }

    /// Reads a schema definition from JSON and validates it.
    ///
    /// # Errors
    ///
    /// [`Error::Parse`] for malformed JSON, else as [`Schema::from_def`].
    pub fn from_json(text: &str) -> Result<Schema> {
        let def: SchemaDef = serde_json::from_str(text).map_err(|e| Error::Parse {
            format: Format::Json,
            message: e.to_string(),
        })?;
        Schema::from_def(&def)
    }

    /// A built-in schema by name: `client-portal` is [`Schema::client_portal`].
    pub fn builtin(name: &str) -> Option<Schema> {
        match name {
            "client-portal" => Some(Schema::client_portal()),
            _ => None,
        }
    }

    /// The client portal of the seeds' permission grid.
    ///
    /// ```text
    /// client-portal                     Client Portal
    ///   client-profile                  Client Profile
    ///     profile                       Profile
    ///     payment-methods               Payment Methods
    ///     change-password               Change Password            (View, Update only)
    ///     manage-contacts               Manage Contacts
    ///     manage-contact-facility-access  Manage Contact Facility Access
    ///   billing-and-services            Billing & Services
    ///   reports                         Reports
    ///   domain-management               Domain Management
    ///   support                         Support
    ///   device-manager                  Device Manager
    ///   viviotech-website               Viviotech Website          (View only)
    ///   client-preferences              Client Preferences
    /// ```
    pub fn client_portal() -> Schema {
        const VIEW: u64 = 0b0001;
        const UPDATE: u64 = 0b0100;
        const ALL: u64 = 0b1111;
        // (id, name, parent's position in this list, applicable actions)
        let rows: [(&str, &str, Option<usize>, u64); 14] = [
            ("client-portal", "Client Portal", None, ALL),
            ("client-profile", "Client Profile", Some(0), ALL),
            ("profile", "Profile", Some(1), ALL),
            ("payment-methods", "Payment Methods", Some(1), ALL),
            ("change-password", "Change Password", Some(1), VIEW | UPDATE),
            ("manage-contacts", "Manage Contacts", Some(1), ALL),
            (
                "manage-contact-facility-access",
                "Manage Contact Facility Access",
                Some(1),
                ALL,
            ),
            ("billing-and-services", "Billing & Services", Some(0), ALL),
            ("reports", "Reports", Some(0), ALL),
            ("domain-management", "Domain Management", Some(0), ALL),
            ("support", "Support", Some(0), ALL),
            ("device-manager", "Device Manager", Some(0), ALL),
            ("viviotech-website", "Viviotech Website", Some(0), VIEW),
            ("client-preferences", "Client Preferences", Some(0), ALL),
        ];
        let raw = rows
            .into_iter()
            .map(|(id, name, parent, actions)| Raw {
                id: id.to_owned(),
                name: name.to_owned(),
                parent,
                actions: ActionSet(actions),
            })
            .collect();
        Schema::assemble(ActionDef::defaults(), raw)
    }

    /// Indexes validated resources depth-first. Parents precede children in `raw`.
    fn assemble(actions: Vec<ActionDef>, raw: Vec<Raw>) -> Schema {
        let mut children: Vec<Vec<usize>> = vec![Vec::new(); raw.len()];
        let mut roots = Vec::new();
        for (position, resource) in raw.iter().enumerate() {
            match resource.parent {
                Some(parent) => children[parent].push(position),
                None => roots.push(position),
            }
        }
        // Iterative depth-first walk: a deep tree cannot overflow the stack.
        let mut order = Vec::with_capacity(raw.len());
        let mut stack: Vec<usize> = roots.into_iter().rev().collect();
        while let Some(position) = stack.pop() {
            order.push(position);
            stack.extend(children[position].iter().rev());
        }
        let mut new_index = vec![0u32; raw.len()];
        for (index, &position) in order.iter().enumerate() {
            // `from_def` bounds the count by MAX_RESOURCES, well within u32.
            new_index[position] = u32::try_from(index).unwrap_or(u32::MAX);
        }
        let mut resources: Vec<Resource> = Vec::with_capacity(raw.len());
        let mut raw: Vec<Option<Raw>> = raw.into_iter().map(Some).collect();
        for &position in &order {
            let Some(r) = raw[position].take() else {
                continue;
            };
            let parent = r.parent.map(|p| ResourceIndex(new_index[p]));
            let depth = parent.map_or(0, |p| resources[p.get()].depth + 1);
            resources.push(Resource {
                id: r.id,
                name: r.name,
                parent,
                depth,
                actions: r.actions,
                children: children[position]
                    .iter()
                    .map(|&c| ResourceIndex(new_index[c]))
                    .collect(),
                subtree_end: 0,
            });
        }
        // Children follow their parent, so one backward pass closes every subtree.
        for index in (0..resources.len()).rev() {
            let end = resources[index]
                .subtree_end
                .max(u32::try_from(index + 1).unwrap_or(u32::MAX));
            resources[index].subtree_end = end;
            if let Some(parent) = resources[index].parent {
                let parent = &mut resources[parent.get()];
                parent.subtree_end = parent.subtree_end.max(end);
            }
        }
        let by_id = resources
            .iter()
            .enumerate()
            .map(|(i, r)| {
                (
                    r.id.clone(),
                    ResourceIndex(u32::try_from(i).unwrap_or(u32::MAX)),
                )
            })
            .collect();
        Schema {
            actions,
            resources,
            by_id,
        }
    }

    /// The schema as a definition (for writing it out); resources in depth-first order.
    pub fn to_def(&self) -> SchemaDef {
        let all = ActionSet::first(self.actions.len());
        SchemaDef {
            actions: self.actions.clone(),
            resources: self
                .resources
                .iter()
                .map(|r| ResourceDef {
                    id: r.id.clone(),
                    name: (r.name != r.id).then(|| r.name.clone()),
                    parent: r.parent.map(|p| self.resources[p.get()].id.clone()),
                    actions: (r.actions != all).then(|| {
                        r.actions
                            .iter()
                            .map(|a| self.actions[a.get()].id.clone())
                            .collect()
                    }),
                })
                .collect(),
        }
    }

    /// The declared actions, in column order.
    pub fn actions(&self) -> &[ActionDef] {
        &self.actions
    }

    /// How many resources the schema has.
    pub fn len(&self) -> usize {
        self.resources.len()
    }

    /// Whether the schema has no resources (never true for a validated schema).
    pub fn is_empty(&self) -> bool {
        self.resources.is_empty()
    }

    /// The resources with their indices, in depth-first (grid) order.
    pub fn resources(&self) -> impl Iterator<Item = (ResourceIndex, &Resource)> {
        (0u32..).map(ResourceIndex).zip(self.resources.iter())
    }

    /// A resource by index.
    pub fn get(&self, resource: ResourceIndex) -> Option<&Resource> {
        self.resources.get(resource.get())
    }

    /// A resource's index by id (exact match).
    pub fn resource(&self, id: &str) -> Option<ResourceIndex> {
        self.by_id.get(id).copied()
    }

    /// An action's index by id; failing an exact match, by id or display name ignoring
    /// ASCII case (`view`, `View`, `VIEW`).
    pub fn action(&self, id: &str) -> Option<ActionIndex> {
        find_action(&self.actions, id)
    }

    /// The declared action at an index.
    pub fn action_def(&self, action: ActionIndex) -> Option<&ActionDef> {
        self.actions.get(action.get())
    }

    /// The resource and its descendants, depth-first (a subtree is a range of indices).
    pub fn subtree(&self, resource: ResourceIndex) -> impl Iterator<Item = ResourceIndex> + use<> {
        let end = self.get(resource).map_or(resource.0, |r| r.subtree_end);
        (resource.0..end).map(ResourceIndex)
    }

    /// The resource followed by its ancestors up to the root.
    pub fn ancestors(&self, resource: ResourceIndex) -> impl Iterator<Item = ResourceIndex> + '_ {
        let start = self.get(resource).map(|_| resource);
        core::iter::successors(start, move |&r| self.resources[r.get()].parent)
    }

    /// Resolves a cell by ids, once, for checks on the hot path.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownResource`], [`Error::UnknownAction`], or [`Error::NotApplicable`]
    /// when the action is a "-" for this resource.
    pub fn cell(&self, resource: &str, action: &str) -> Result<Cell> {
        let r = self
            .resource(resource)
            .ok_or_else(|| Error::UnknownResource {
                resource: resource.to_owned(),
                holder: None,
            })?;
        let a = self.action(action).ok_or_else(|| Error::UnknownAction {
            action: action.to_owned(),
            holder: None,
        })?;
        self.cell_at(r, a).ok_or_else(|| Error::NotApplicable {
            resource: resource.to_owned(),
            action: action.to_owned(),
            holder: None,
        })
    }

    /// The cell of a resource and an action, if the action applies to it.
    pub fn cell_at(&self, resource: ResourceIndex, action: ActionIndex) -> Option<Cell> {
        let r = self.get(resource)?;
        r.actions
            .contains(action)
            .then(|| self.cell_unchecked(resource, action))
    }

    /// A cell without the applicability check (used by resolution walks, which skip
    /// "-" cells themselves).
    pub(crate) fn cell_unchecked(&self, resource: ResourceIndex, action: ActionIndex) -> Cell {
        // At most MAX_ACTIONS (64) actions.
        let width = u32::try_from(self.actions.len()).unwrap_or(64);
        Cell {
            resource,
            action,
            bit: resource.0 * width + u32::from(action.0),
        }
    }

    /// Every applicable cell, row by row.
    pub fn cells(&self) -> impl Iterator<Item = Cell> + '_ {
        self.resources().flat_map(move |(index, r)| {
            r.actions.iter().map(move |a| self.cell_unchecked(index, a))
        })
    }

    /// The number of cells per row in a compiled table, "-" cells included.
    pub(crate) fn cell_count(&self) -> usize {
        self.resources.len() * self.actions.len()
    }

    /// A gate: a resource and actions that must all be allowed.
    ///
    /// ```
    /// use countersign_permissions::Schema;
    ///
    /// let schema = Schema::client_portal();
    /// let gate = schema.gate("manage-contacts", &["view", "update"]).unwrap();
    /// assert_eq!(gate.cells().len(), 2);
    /// ```
    ///
    /// # Errors
    ///
    /// As [`Schema::cell`], for the first cell that does not resolve.
    pub fn gate(&self, resource: &str, actions: &[&str]) -> Result<Gate> {
        let cells = actions
            .iter()
            .map(|action| self.cell(resource, action))
            .collect::<Result<Vec<_>>>()?;
        Ok(Gate { cells })
    }

    /// `"Resource: Action"` with display names, for messages.
    pub fn describe(&self, cell: Cell) -> String {
        let resource = self.get(cell.resource).map_or("?", |r| r.name());
        let action = self
            .action_def(cell.action)
            .map_or("?", |a| a.name.as_str());
        format!("{resource}: {action}")
    }
}

fn find_action(actions: &[ActionDef], id: &str) -> Option<ActionIndex> {
    let position = actions.iter().position(|a| a.id == id).or_else(|| {
        actions
            .iter()
            .position(|a| a.id.eq_ignore_ascii_case(id) || a.name.eq_ignore_ascii_case(id))
    })?;
    u8::try_from(position).ok().map(ActionIndex)
}

/// Builds a [`Schema`] in code; validation happens in [`SchemaBuilder::build`].
///
/// ```
/// use countersign_permissions::Schema;
///
/// let schema = Schema::builder()
///     .root("shop", "Shop")
///     .child("shop", "orders", "Orders")
///     .child_with_actions("shop", "website", "Website", &["view"])
///     .build()
///     .unwrap();
/// assert_eq!(schema.len(), 3);
/// ```
#[derive(Clone, Debug, Default)]
pub struct SchemaBuilder {
    def: SchemaDef,
}

impl SchemaBuilder {
    /// Replaces the declared actions (default: view, create, update, delete).
    pub fn actions<I, A>(mut self, actions: I) -> Self
    where
        I: IntoIterator<Item = A>,
        A: Into<ActionDef>,
    {
        self.def.actions = actions.into_iter().map(Into::into).collect();
        self
    }

    /// Adds a root resource to which every action applies.
    pub fn root(mut self, id: &str, name: &str) -> Self {
        self.def.resources.push(ResourceDef {
            id: id.to_owned(),
            name: Some(name.to_owned()),
            parent: None,
            actions: None,
        });
        self
    }

    /// Adds a resource under `parent` to which every action applies.
    pub fn child(mut self, parent: &str, id: &str, name: &str) -> Self {
        self.def.resources.push(ResourceDef {
            id: id.to_owned(),
            name: Some(name.to_owned()),
            parent: Some(parent.to_owned()),
            actions: None,
        });
        self
    }

    /// Adds a resource under `parent` to which only `actions` apply.
    pub fn child_with_actions(
        mut self,
        parent: &str,
        id: &str,
        name: &str,
        actions: &[&str],
    ) -> Self {
        self.def.resources.push(ResourceDef {
            id: id.to_owned(),
            name: Some(name.to_owned()),
            parent: Some(parent.to_owned()),
            actions: Some(actions.iter().map(|&a| a.to_owned()).collect()),
        });
        self
    }

    /// Validates and builds the schema.
    ///
    /// # Errors
    ///
    /// As [`Schema::from_def`].
    pub fn build(self) -> Result<Schema> {
        Schema::from_def(&self.def)
    }
}

impl From<&str> for ActionDef {
    fn from(id: &str) -> Self {
        ActionDef::from_id(id)
    }
}
