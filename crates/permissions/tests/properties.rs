//! Properties over random trees, grants and roles.

use std::collections::BTreeMap;

use countersign_permissions::{
    ActionDef, CompiledPolicy, HolderDef, IdMap, Policy, PolicyDocument, ResourceDef, SchemaDef,
    SchemaSource, Setting,
};
use proptest::prelude::*;

/// A random policy: a forest of resources (each parent declared before its children),
/// 1 to 5 actions, applicable subsets, acyclic roles (a role only includes earlier roles),
/// and principals with ordered roles and grants.
/// (resource, action, setting) triples.
type RandomGrants = Vec<(usize, usize, Setting)>;
/// (included roles, grants) of a role or a principal.
type RandomHolder = (Vec<usize>, RandomGrants);

#[derive(Debug, Clone)]
struct Random {
    actions: usize,
    /// (parent, applicable-action mask) per resource.
    resources: Vec<(Option<usize>, u8)>,
    /// (included roles, grants) per role.
    roles: Vec<RandomHolder>,
    /// (roles, grants) per principal.
    principals: Vec<RandomHolder>,
}

fn setting() -> impl Strategy<Value = Setting> + Clone {
    prop_oneof![4 => Just(Setting::Allow), 3 => Just(Setting::Deny), 1 => Just(Setting::Inherit)]
}

fn random() -> impl Strategy<Value = Random> {
    (1usize..=5, 1usize..=24, 0usize..=5, 1usize..=5).prop_flat_map(
        |(actions, n, roles, principals)| {
            let resources = (0..n)
                .map(|i| {
                    let parent = if i == 0 {
                        Just(None).boxed()
                    } else {
                        prop_oneof![1 => Just(None), 8 => (0..i).prop_map(Some)].boxed()
                    };
                    (parent, any::<u8>())
                })
                .collect::<Vec<_>>();
            let grants = proptest::collection::vec((0..n, 0..actions, setting()), 0..8);
            let role_list = (0..roles)
                .map(|i| {
                    let includes = if i == 0 {
                        Just(Vec::new()).boxed()
                    } else {
                        proptest::collection::vec(0..i, 0..3).boxed()
                    };
                    (includes, grants.clone())
                })
                .collect::<Vec<_>>();
            let member_roles = if roles == 0 {
                Just(Vec::new()).boxed()
            } else {
                proptest::collection::vec(0..roles, 0..4).boxed()
            };
            let principal_list = proptest::collection::vec((member_roles, grants), principals);
            (Just(actions), resources, role_list, principal_list).prop_map(
                |(actions, resources, roles, principals)| Random {
                    actions,
                    resources,
                    roles,
                    principals,
                },
            )
        },
    )
}

impl Random {
    fn applies(&self, resource: usize, action: usize) -> bool {
        self.resources[resource].1 >> action & 1 == 1
    }

    fn grants(&self, list: &[(usize, usize, Setting)]) -> IdMap<IdMap<Setting>> {
        // Last write wins per cell; "-" cells dropped (they are a validation error).
        let mut cells = BTreeMap::new();
        for &(r, a, s) in list {
            if self.applies(r, a) {
                cells.insert((r, a), s);
            }
        }
        let mut def: IdMap<IdMap<Setting>> = IdMap::new();
        for ((r, a), s) in cells {
            match def.0.last_mut() {
                Some((id, actions)) if *id == format!("r{r}") => actions.push(format!("a{a}"), s),
                _ => def.push(format!("r{r}"), IdMap::new().with(format!("a{a}"), s)),
            }
        }
        def
    }

    fn document(&self) -> PolicyDocument {
        let schema = SchemaDef {
            actions: (0..self.actions)
                .map(|a| ActionDef::from_id(format!("a{a}")))
                .collect(),
            resources: self
                .resources
                .iter()
                .enumerate()
                .map(|(i, &(parent, mask))| ResourceDef {
                    id: format!("r{i}"),
                    name: None,
                    parent: parent.map(|p| format!("r{p}")),
                    actions: Some(
                        (0..self.actions)
                            .filter(|a| mask >> a & 1 == 1)
                            .map(|a| format!("a{a}"))
                            .collect(),
                    ),
                })
                .collect(),
        };
        let holder =
            |roles: &[usize], grants: &[(usize, usize, Setting)], prefix: &str| HolderDef {
                roles: roles.iter().map(|r| format!("{prefix}{r}")).collect(),
                grants: self.grants(grants),
            };
        PolicyDocument {
            schema: SchemaSource::Inline(schema),
            roles: self
                .roles
                .iter()
                .enumerate()
                .map(|(i, (includes, grants))| {
                    (format!("role{i}"), holder(includes, grants, "role"))
                })
                .collect(),
            principals: self
                .principals
                .iter()
                .enumerate()
                .map(|(i, (roles, grants))| (format!("p{i}"), holder(roles, grants, "role")))
                .collect(),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// The compiled table, the bulk answers and the grid agree with `explain` on every cell.
    #[test]
    fn compiled_agrees_with_explain_on_every_cell(random in random()) {
        let policy = Policy::from_document(&random.document()).unwrap();
        let compiled = CompiledPolicy::compile(&policy);
        let schema = policy.schema();
        for (principal, id) in policy.principals() {
            let grid = policy.grid(id).unwrap();
            let mut expected = Vec::new();
            for cell in schema.cells() {
                let why = policy.explain_cell(principal, cell);
                prop_assert_eq!(compiled.allows(principal, cell), why.is_allowed(), "{}", why);
                prop_assert_eq!(
                    grid.cell(why.resource, why.action).and_then(|c| c.decision()),
                    Some(why.decision)
                );
                if why.is_allowed() {
                    expected.push(cell);
                }
            }
            let listed: Vec<_> = policy.permissions_of(id).unwrap().iter().map(|p| p.cell).collect();
            prop_assert_eq!(&listed, &expected);
            let from_table: Vec<_> = compiled.permissions_of(&policy, principal).iter().map(|p| p.cell).collect();
            prop_assert_eq!(&from_table, &expected);
        }
    }

    /// A cell that neither the principal nor any of its roles sets has its parent's
    /// effective value for the same action, where the action applies to the parent.
    #[test]
    fn an_unset_cell_inherits_its_parents_value(random in random()) {
        let policy = Policy::from_document(&random.document()).unwrap();
        let schema = policy.schema();
        for (principal, _) in policy.principals() {
            let own = policy.grants(principal).unwrap();
            for cell in schema.cells() {
                let set_by_role = policy
                    .roles_of(principal)
                    .iter()
                    .any(|&r| policy.role_grants(r).unwrap().get(cell).is_some());
                if own.get(cell).is_some() || set_by_role {
                    continue;
                }
                let Some(parent) = schema.get(cell.resource()).unwrap().parent() else { continue };
                let Some(parent_cell) = schema.cell_at(parent, cell.action()) else { continue };
                prop_assert_eq!(policy.decide(principal, cell), policy.decide(principal, parent_cell));
            }
        }
    }

    /// Patching a compiled table after random changes equals compiling afresh.
    #[test]
    fn refresh_equals_recompile(random in random(), changes in proptest::collection::vec((0usize..5, 0usize..24, 0usize..5, setting()), 1..10)) {
        let mut policy = Policy::from_document(&random.document()).unwrap();
        let mut compiled = CompiledPolicy::compile(&policy);
        for (p, r, a, s) in changes {
            let p = p % random.principals.len();
            let r = r % random.resources.len();
            let a = a % random.actions;
            if !random.applies(r, a) {
                continue;
            }
            let id = format!("p{p}");
            policy.set(&id, &format!("r{r}"), &format!("a{a}"), s).unwrap();
            compiled.refresh(&policy, policy.principal(&id).unwrap()).unwrap();
        }
        let fresh = CompiledPolicy::compile(&policy);
        for (principal, _) in policy.principals() {
            for cell in policy.schema().cells() {
                prop_assert_eq!(compiled.allows(principal, cell), fresh.allows(principal, cell));
            }
        }
    }

    /// A policy written out as TOML or JSON and read back decides the same everywhere.
    #[test]
    fn documents_round_trip(random in random()) {
        let policy = Policy::from_document(&random.document()).unwrap();
        let document = policy.to_document();
        let from_json = Policy::parse(&serde_json::to_string(&document).unwrap()).unwrap();
        let from_toml = Policy::parse(&toml::to_string(&document).unwrap()).unwrap();
        for (_, id) in policy.principals() {
            let grid = policy.grid(id).unwrap();
            prop_assert_eq!(&from_json.grid(id).unwrap(), &grid);
            prop_assert_eq!(&from_toml.grid(id).unwrap(), &grid);
        }
    }
}
