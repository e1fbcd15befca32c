//! The compiled policy: every cell of every principal precomputed as one bit.

use std::collections::HashMap;
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::grant::Effect;
use crate::policy::{Policy, PrincipalIndex, RoleIndex};
use crate::resolve::{Permission, RowScratch, bit};
use crate::schema::{Cell, Gate, Schema};

/// A policy compiled for the hot path.
///
/// For each principal, the effective decision of every cell of the schema is one bit of a
/// row of `u64` words (`resources × actions` bits, "-" cells included so that a cell's
/// bit is `resource × actions + action`). A check is two multiplications, a bounds check
/// and a shift: constant time whatever the depth of the tree or the number of roles, and
/// no string hashing when the principal and the cell are resolved beforehand.
///
/// For the portal schema (14 resources × 4 actions = 56 bits) a principal's row is one
/// word: 8 bytes.
///
/// The compiled form does not change by itself: after changing the policy, call
/// [`refresh`](CompiledPolicy::refresh) (one principal), [`refresh_role`](CompiledPolicy::refresh_role)
/// (everyone who has the role) or compile again.
///
/// ```
/// use countersign_permissions::{CompiledPolicy, Policy, Setting};
///
/// let mut policy = Policy::from_toml(r#"
///     schema = "client-portal"
///     [principals.contact-3523]
/// "#).unwrap();
/// let mut compiled = CompiledPolicy::compile(&policy);
///
/// // Resolve once at start-up...
/// let contact = compiled.principal("contact-3523").unwrap();
/// let enable_2fa = compiled.schema().cell("client-profile", "view").unwrap();
/// // ...check on every request.
/// assert!(!compiled.allows(contact, enable_2fa));
///
/// policy.set("contact-3523", "client-profile", "view", Setting::Allow).unwrap();
/// compiled.refresh(&policy, contact).unwrap();
/// assert!(compiled.allows(contact, enable_2fa));
/// ```
#[derive(Clone, Debug)]
pub struct CompiledPolicy {
    schema: Arc<Schema>,
    /// Words per principal.
    stride: usize,
    words: Vec<u64>,
    ids: IdIndex,
}

impl CompiledPolicy {
    /// Compiles every principal of a policy.
    pub fn compile(policy: &Policy) -> CompiledPolicy {
        let schema = Arc::clone(policy.schema_arc());
        let stride = schema.cell_count().div_ceil(64);
        let count = policy.principals.len();
        let mut words = vec![0u64; stride * count];
        let mut compiler = Compiler::new(policy);
        for (index, row) in words.chunks_exact_mut(stride.max(1)).enumerate() {
            compiler.row(
                PrincipalIndex(u32::try_from(index).unwrap_or(u32::MAX)),
                row,
            );
        }
        let ids = IdIndex::build(policy.principals());
        CompiledPolicy {
            schema,
            stride,
            words,
            ids,
        }
    }

    /// Whether a principal may do a cell: the hot path.
    ///
    /// An index or cell from another policy or schema that falls outside the table is
    /// refused, never a panic.
    #[inline]
    pub fn allows(&self, principal: PrincipalIndex, cell: Cell) -> bool {
        let word = (cell.bit / 64) as usize;
        if word >= self.stride {
            return false;
        }
        match self.words.get(principal.get() * self.stride + word) {
            Some(w) => w >> (cell.bit % 64) & 1 == 1,
            None => false,
        }
    }

    /// Whether a principal may do every cell of a gate ("Manage Contacts: View and Update").
    ///
    /// ```
    /// use countersign_permissions::{CompiledPolicy, Policy};
    ///
    /// let policy = Policy::from_toml(r#"
    ///     schema = "client-portal"
    ///     [principals.contact-3526]
    ///     grants.manage-contacts = { view = "allow", update = "allow" }
    /// "#).unwrap();
    /// let compiled = CompiledPolicy::compile(&policy);
    /// let own_code = compiled.schema().gate("manage-contacts", &["view", "update"]).unwrap();
    /// let contact = compiled.principal("contact-3526").unwrap();
    /// assert!(compiled.permits(contact, &own_code));
    /// ```
    pub fn permits(&self, principal: PrincipalIndex, gate: &Gate) -> bool {
        !gate.cells.is_empty() && gate.cells.iter().all(|&c| self.allows(principal, c))
    }

    /// [`allows`](CompiledPolicy::allows) by ids: convenient, but it hashes three strings;
    /// resolve indices once for the hot path.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownPrincipal`], and as [`Schema::cell`].
    pub fn check(&self, principal: &str, resource: &str, action: &str) -> Result<bool> {
        let index = self
            .principal(principal)
            .ok_or_else(|| Error::UnknownPrincipal {
                principal: principal.to_owned(),
            })?;
        Ok(self.allows(index, self.schema.cell(resource, action)?))
    }

    /// A principal's index by id.
    pub fn principal(&self, id: &str) -> Option<PrincipalIndex> {
        self.ids.get(id)
    }

    /// The schema the table was compiled for (to resolve cells and gates).
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// How many principals the table holds.
    pub fn principal_count(&self) -> usize {
        self.words.len() / self.stride.max(1)
    }

    /// The bytes of decision table per principal (`ceil(resources × actions / 64) × 8`).
    pub fn bytes_per_principal(&self) -> usize {
        self.stride * core::mem::size_of::<u64>()
    }

    /// The bytes of the whole decision table.
    pub fn table_bytes(&self) -> usize {
        self.words.len() * core::mem::size_of::<u64>()
    }

    /// All the heap the compiled form holds: the decision table plus the id index used by
    /// [`principal`](CompiledPolicy::principal) (the ids' bytes and 8 bytes each;
    /// allocator overhead and the shared schema not counted).
    pub fn heap_bytes(&self) -> usize {
        self.table_bytes() + self.ids.heap_bytes()
    }

    /// The cells a principal may do, from the table.
    pub fn permissions_of<'p>(
        &self,
        policy: &'p Policy,
        principal: PrincipalIndex,
    ) -> Vec<Permission<'p>> {
        let start = principal.get() * self.stride;
        let Some(row) = self.words.get(start..start + self.stride) else {
            return Vec::new();
        };
        self.schema
            .cells()
            .filter(|c| bit(row, c.bit))
            .map(|c| policy.permission(c))
            .collect()
    }

    /// The principals who may do a cell, from the table, in index order.
    pub fn principals_allowed(&self, cell: Cell) -> Vec<PrincipalIndex> {
        let count = self.principal_count();
        (0..count)
            .map(|i| PrincipalIndex(u32::try_from(i).unwrap_or(u32::MAX)))
            .filter(|&p| self.allows(p, cell))
            .collect()
    }

    fn check_schema(&self, policy: &Policy) -> Result<()> {
        if Arc::ptr_eq(&self.schema, policy.schema_arc()) || *self.schema == *policy.schema() {
            Ok(())
        } else {
            Err(Error::SchemaMismatch)
        }
    }

    /// Recomputes one principal's row after its grants or roles changed; a principal added
    /// to the policy since compiling is added to the table.
    ///
    /// # Errors
    ///
    /// [`Error::SchemaMismatch`] if `policy` has another schema;
    /// [`Error::UnknownPrincipal`] if the index is not in `policy`.
    pub fn refresh(&mut self, policy: &Policy, principal: PrincipalIndex) -> Result<()> {
        self.check_schema(policy)?;
        let Some((_, id)) = policy.principals().nth(principal.get()) else {
            return Err(Error::UnknownPrincipal {
                principal: format!("#{}", principal.get()),
            });
        };
        let mut scratch = RowScratch::new(&self.schema);
        let old = self.principal_count();
        if principal.get() >= old {
            // Principals added to the policy since compiling (up to this one) join the table.
            self.words.resize((principal.get() + 1) * self.stride, 0);
            for (index, id) in policy
                .principals()
                .skip(old)
                .take(principal.get() + 1 - old)
            {
                self.ids.insert(id, index);
                let start = index.get() * self.stride;
                policy.effective_row(
                    index,
                    &mut scratch,
                    &mut self.words[start..start + self.stride],
                );
            }
        } else {
            self.ids.insert(id, principal);
            let start = principal.get() * self.stride;
            policy.effective_row(
                principal,
                &mut scratch,
                &mut self.words[start..start + self.stride],
            );
        }
        Ok(())
    }

    /// Recomputes the row of every principal who has a role, after the role's grants changed.
    ///
    /// # Errors
    ///
    /// [`Error::SchemaMismatch`] if `policy` has another schema.
    pub fn refresh_role(&mut self, policy: &Policy, role: RoleIndex) -> Result<()> {
        self.check_schema(policy)?;
        let members: Vec<PrincipalIndex> = policy.members_of(role).collect();
        for principal in members {
            self.refresh(policy, principal)?;
        }
        Ok(())
    }
}

/// Principal ids for lookup by id, packed: the ids concatenated in sorted order, their end
/// offsets and their indices, searched by bisection. About `len + 8` bytes per principal,
/// against some 40 more for a `HashMap<String, _>`; lookups by id are not the hot path.
#[derive(Clone, Debug, Default)]
struct IdIndex {
    text: String,
    ends: Vec<u32>,
    principals: Vec<PrincipalIndex>,
}

impl IdIndex {
    fn build<'a>(ids: impl Iterator<Item = (PrincipalIndex, &'a str)>) -> IdIndex {
        let mut sorted: Vec<(&str, PrincipalIndex)> = ids.map(|(p, id)| (id, p)).collect();
        sorted.sort_unstable();
        let mut index = IdIndex {
            text: String::with_capacity(sorted.iter().map(|(id, _)| id.len()).sum()),
            ends: Vec::with_capacity(sorted.len()),
            principals: Vec::with_capacity(sorted.len()),
        };
        for (id, principal) in sorted {
            index.text.push_str(id);
            index
                .ends
                .push(u32::try_from(index.text.len()).unwrap_or(u32::MAX));
            index.principals.push(principal);
        }
        index
    }

    fn start(&self, position: usize) -> usize {
        position.checked_sub(1).map_or(0, |p| self.ends[p] as usize)
    }

    fn key(&self, position: usize) -> &str {
        self.text
            .get(self.start(position)..self.ends[position] as usize)
            .unwrap_or("")
    }

    /// `Ok(position)` of the id, or `Err(position)` where it would go.
    fn search(&self, id: &str) -> core::result::Result<usize, usize> {
        let (mut low, mut high) = (0, self.ends.len());
        while low < high {
            let middle = low + (high - low) / 2;
            match self.key(middle).cmp(id) {
                core::cmp::Ordering::Less => low = middle + 1,
                core::cmp::Ordering::Greater => high = middle,
                core::cmp::Ordering::Equal => return Ok(middle),
            }
        }
        Err(low)
    }

    fn get(&self, id: &str) -> Option<PrincipalIndex> {
        self.search(id)
            .ok()
            .map(|position| self.principals[position])
    }

    fn insert(&mut self, id: &str, principal: PrincipalIndex) {
        match self.search(id) {
            Ok(position) => self.principals[position] = principal,
            Err(position) => {
                let start = self.start(position);
                self.text.insert_str(start, id);
                let grow = u32::try_from(id.len()).unwrap_or(u32::MAX);
                for end in &mut self.ends[position..] {
                    *end = end.saturating_add(grow);
                }
                self.ends.insert(
                    position,
                    u32::try_from(start)
                        .unwrap_or(u32::MAX)
                        .saturating_add(grow),
                );
                self.principals.insert(position, principal);
            }
        }
    }

    fn heap_bytes(&self) -> usize {
        self.text.capacity()
            + self.ends.capacity() * core::mem::size_of::<u32>()
            + self.principals.capacity() * core::mem::size_of::<PrincipalIndex>()
    }
}

/// Compiles rows fast. The roles' part of a row depends only on the set of roles (the rule
/// is order-free among roles), so it is worked out once per distinct set; a principal's own
/// grants, which beat every role, are then painted over it, each over its subtree and the
/// shallowest first, so that a nearer own grant paints later and wins. `refresh` keeps to
/// the plain top-down pass, and the tests hold both to `explain`.
struct Compiler<'p> {
    policy: &'p Policy,
    scratch: RowScratch,
    by_roles: HashMap<Vec<RoleIndex>, Vec<u64>>,
    paint: Vec<(u32, Cell, Effect)>,
}

impl<'p> Compiler<'p> {
    /// Distinct role sets kept at once; past it the cache starts again (bounded memory).
    const CACHE: usize = 4096;

    fn new(policy: &'p Policy) -> Self {
        Compiler {
            policy,
            scratch: RowScratch::new(policy.schema()),
            by_roles: HashMap::new(),
            paint: Vec::new(),
        }
    }

    fn row(&mut self, principal: PrincipalIndex, row: &mut [u64]) {
        let Some(member) = self.policy.member(principal) else {
            row.iter_mut().for_each(|w| *w = 0);
            return;
        };
        let mut roles = member.all_roles.clone();
        roles.sort_unstable();
        match self.by_roles.get(&roles) {
            Some(base) => row.copy_from_slice(base),
            None => {
                self.policy.fill_row(None, &roles, &mut self.scratch, row);
                if self.by_roles.len() >= Self::CACHE {
                    self.by_roles.clear();
                }
                self.by_roles.insert(roles, row.to_vec());
            }
        }
        let schema = self.policy.schema();
        self.paint.clear();
        self.paint
            .extend(member.grants.iter().map(|(cell, effect)| {
                let depth = schema.get(cell.resource()).map_or(0, |r| r.depth());
                (depth, cell, effect)
            }));
        self.paint
            .sort_unstable_by_key(|&(depth, cell, _)| (depth, cell));
        let width = schema.actions().len();
        for &(_, cell, effect) in &self.paint {
            for resource in schema.subtree(cell.resource()) {
                let applies = schema
                    .get(resource)
                    .is_some_and(|r| r.actions().contains(cell.action()));
                if !applies {
                    continue;
                }
                let bit = resource.get() * width + cell.action().get();
                if let Some(word) = row.get_mut(bit / 64) {
                    let mask = 1u64 << (bit % 64);
                    match effect {
                        Effect::Allow => *word |= mask,
                        Effect::Deny => *word &= !mask,
                    }
                }
            }
        }
    }
}
