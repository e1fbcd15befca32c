//! The small public values say what their docs say: a resource's action set, a
//! holder's grant count, the grid's labels, and the message of a document that cannot
//! be read.

use countersign_permissions::{
    ActionDef, ActionSet, Effect, Error, IdMap, MAX_RESOURCES, Policy, ResourceDef, Schema,
    SchemaDef, Setting,
};

fn ids(schema: &Schema, set: ActionSet) -> Vec<&str> {
    set.iter()
        .map(|a| schema.action_def(a).unwrap().id.as_str())
        .collect()
}

fn actions_of(schema: &Schema, resource: &str) -> ActionSet {
    schema
        .get(schema.resource(resource).unwrap())
        .unwrap()
        .actions()
}

/// A policy over the built-in portal schema, as `tests/rules.rs` writes them.
fn portal(body: &str) -> Result<Policy, Error> {
    Policy::from_toml(&format!("schema = \"client-portal\"\n{body}"))
}

#[test]
fn a_resource_without_a_list_takes_every_declared_action_and_no_more() {
    let schema = Schema::builder().root("portal", "Portal").build().unwrap();
    let set = actions_of(&schema, "portal");
    assert_eq!(set.len(), 4);
    assert!(!set.is_empty());
    assert_eq!(ids(&schema, set), ["view", "create", "update", "delete"]);

    // At the limit of 64 declared actions the set is every bit of its word.
    let many: Vec<ActionDef> = (0..64)
        .map(|i| ActionDef::from_id(format!("a{i}")))
        .collect();
    let schema = Schema::builder()
        .actions(many)
        .root("portal", "Portal")
        .build()
        .unwrap();
    let set = actions_of(&schema, "portal");
    assert_eq!(set.len(), 64);
    assert_eq!(ids(&schema, set).last(), Some(&"a63"));
}

#[test]
fn a_resource_with_a_list_takes_only_the_listed_actions_in_column_order() {
    let schema = Schema::builder()
        .root("portal", "Portal")
        .child_with_actions("portal", "reports", "Reports", &["delete", "view"])
        .child_with_actions("portal", "heading", "Heading", &[])
        .build()
        .unwrap();
    let reports = actions_of(&schema, "reports");
    assert_eq!(reports.len(), 2);
    assert!(!reports.is_empty());
    assert_eq!(ids(&schema, reports), ["view", "delete"]);
    assert!(reports.contains(schema.action("view").unwrap()));
    assert!(!reports.contains(schema.action("create").unwrap()));

    let heading = actions_of(&schema, "heading");
    assert!(heading.is_empty());
    assert_eq!(heading.len(), 0);
    assert_eq!(heading.iter().count(), 0);
    assert!(ActionSet::default().is_empty());
}

#[test]
fn the_grid_labels_its_effects_allow_and_deny() {
    assert_eq!(Effect::Allow.label(), "Allow");
    assert_eq!(Effect::Deny.label(), "Deny");
    assert_eq!(Setting::from(Effect::Deny), Setting::Deny);
}

#[test]
fn a_holders_grants_count_the_cells_set_and_inherit_unsets_one() {
    let mut policy = portal(
        r#"
        [principals.a]
        grants.profile.view = "allow"
        grants.reports.view = "deny"
        [principals.b]
        "#,
    )
    .unwrap();
    let a = policy.principal("a").unwrap();
    let b = policy.principal("b").unwrap();
    assert_eq!(policy.grants(a).unwrap().len(), 2);
    assert!(!policy.grants(a).unwrap().is_empty());
    assert_eq!(policy.grants(b).unwrap().len(), 0);
    assert!(policy.grants(b).unwrap().is_empty());

    policy
        .set("a", "reports", "view", Setting::Inherit)
        .unwrap();
    assert_eq!(policy.grants(a).unwrap().len(), 1);
}

#[test]
fn a_document_that_cannot_be_read_names_its_format() {
    let toml = Policy::from_toml("schema = ").unwrap_err().to_string();
    assert!(
        toml.starts_with("the TOML document could not be read: "),
        "{toml}"
    );
    let json = Policy::from_json("{").unwrap_err().to_string();
    assert!(
        json.starts_with("the JSON document could not be read: "),
        "{json}"
    );
    let json = Schema::from_json("[").unwrap_err().to_string();
    assert!(
        json.starts_with("the JSON document could not be read: "),
        "{json}"
    );
}

#[test]
fn an_action_that_is_neither_an_id_nor_a_table_says_what_was_expected() {
    let err = Schema::from_toml("actions = [\"view\", 3]\n[[resources]]\nid = \"portal\"\n")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("expected an action id or a table { id, name }"),
        "{err}"
    );
}

#[test]
fn a_schema_source_or_a_holder_table_of_the_wrong_type_says_what_was_expected() {
    let err = Policy::from_toml("schema = 3").unwrap_err().to_string();
    assert!(
        err.contains("expected a built-in schema name or a table { actions, resources }"),
        "{err}"
    );
    let err = portal("principals = 3").unwrap_err().to_string();
    assert!(err.contains("expected a table keyed by id"), "{err}");
}

#[test]
fn an_id_map_keeps_document_order_and_repeated_ids_and_finds_the_first() {
    let mut map = IdMap::new();
    assert!(map.is_empty());
    assert_eq!(map.len(), 0);
    map.push("b", 1);
    map.push("a", 2);
    map.push("b", 3);
    assert!(!map.is_empty());
    assert_eq!(map.len(), 3);
    assert_eq!(map.get("b"), Some(&1));
    assert_eq!(map.get("a"), Some(&2));
    assert_eq!(map.get("c"), None);
    assert_eq!(
        map.iter().map(|(k, _)| k).collect::<Vec<_>>(),
        ["b", "a", "b"]
    );
}

#[test]
fn a_name_longer_than_the_label_column_widens_it_to_one_space_past_the_longest() {
    let long = "A Resource Name Of Exactly Forty Letters";
    assert_eq!(long.chars().count(), 40);
    let schema = Schema::builder().root("r", long).build().unwrap();
    let mut policy = Policy::new(schema);
    policy.add_principal("p", &[]).unwrap();
    let text = policy.grid("p").unwrap().to_string();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[1],
        format!("{:41}View     Create   Update   Delete", "Resources")
    );
    assert_eq!(
        lines[2],
        format!("{long} (None)   (None)   (None)   (None)")
    );
}

#[test]
fn an_id_may_have_128_characters_and_no_more() {
    let at_limit = "é".repeat(128);
    let schema = Schema::builder().root(&at_limit, "Long").build().unwrap();
    assert!(schema.resource(&at_limit).is_some());
    let past = "é".repeat(129);
    assert!(matches!(
        Schema::builder().root(&past, "Long").build(),
        Err(Error::InvalidId {
            kind: "resource",
            ..
        })
    ));
}

#[test]
fn a_schema_may_declare_max_resources_and_no_more() {
    let resource = |i: usize| ResourceDef {
        id: format!("r{i}"),
        name: None,
        parent: None,
        actions: Some(Vec::new()),
    };
    let mut def = SchemaDef {
        resources: (0..MAX_RESOURCES).map(resource).collect(),
        ..SchemaDef::default()
    };
    let schema = Schema::from_def(&def).unwrap();
    assert_eq!(schema.len(), MAX_RESOURCES);
    assert!(!schema.is_empty());
    drop(schema);
    def.resources.push(resource(MAX_RESOURCES));
    assert_eq!(
        Schema::from_def(&def).unwrap_err(),
        Error::TooManyResources {
            count: MAX_RESOURCES + 1,
            max: MAX_RESOURCES
        }
    );
}

#[test]
fn a_resource_lists_its_actions_by_id_in_any_case_or_by_display_name() {
    let schema = Schema::from_toml(
        r#"
        actions = [{ id = "approve", name = "Sign Off" }, "view"]
        [[resources]]
        id = "root"
        actions = ["sign off"]
        [[resources]]
        id = "child"
        parent = "root"
        actions = ["APPROVE", "View"]
        "#,
    )
    .unwrap();
    assert_eq!(ids(&schema, actions_of(&schema, "root")), ["approve"]);
    assert_eq!(
        ids(&schema, actions_of(&schema, "child")),
        ["approve", "view"]
    );
}

#[test]
fn the_roles_are_listed_in_index_order_with_their_ids() {
    let policy = portal(
        r#"
        [roles.staff]
        [roles.billing]
        roles = ["staff"]
        "#,
    )
    .unwrap();
    let roles: Vec<_> = policy.roles().collect();
    assert_eq!(
        roles,
        [
            (policy.role("staff").unwrap(), "staff"),
            (policy.role("billing").unwrap(), "billing")
        ]
    );
}

#[test]
fn roles_sharing_a_role_load_and_a_cycle_through_a_second_role_is_found() {
    // A diamond: both routes reach `base`, which is not a cycle.
    let policy = portal(
        r#"
        [roles.base]
        [roles.left]
        roles = ["base"]
        [roles.right]
        roles = ["base"]
        [roles.top]
        roles = ["left", "right"]
        "#,
    )
    .unwrap();
    assert_eq!(policy.roles().count(), 4);
    let cycle = portal(
        r#"
        [roles.a]
        roles = ["b", "c"]
        [roles.b]
        [roles.c]
        roles = ["a"]
        "#,
    )
    .unwrap_err();
    assert_eq!(
        cycle,
        Error::RoleCycle {
            cycle: vec!["a".into(), "c".into(), "a".into()]
        }
    );
}

#[test]
fn an_explanations_debug_shows_the_answer_and_leaves_the_schema_out() {
    let policy = portal("[principals.c]\ngrants.profile.view = \"allow\"").unwrap();
    let why = policy.explain("c", "profile", "view").unwrap();
    let debug = format!("{why:?}");
    assert!(
        debug.starts_with("Explanation { principal: \"c\""),
        "{debug}"
    );
    assert!(debug.contains("decision: Allow"), "{debug}");
    assert!(debug.ends_with(", .. }"), "{debug}");
    assert!(!debug.contains("Client Portal"), "{debug}");
}
