//! The resolution rule case by case, and every validation error.

use countersign_permissions::{
    CompiledPolicy, Decision, Error, Holder, Policy, Schema, Setting, Source,
};

fn policy(body: &str) -> Policy {
    Policy::from_toml(&format!("schema = \"client-portal\"\n{body}")).unwrap()
}

fn error(body: &str) -> Error {
    Policy::from_toml(body).unwrap_err()
}

fn decision(policy: &Policy, principal: &str, resource: &str, action: &str) -> Decision {
    let why = policy.explain(principal, resource, action).unwrap();
    // The compiled table must agree on every case below.
    let compiled = CompiledPolicy::compile(policy);
    assert_eq!(
        compiled.check(principal, resource, action).unwrap(),
        why.is_allowed(),
        "{principal} {resource}:{action}"
    );
    why.decision
}

#[test]
fn deny_under_allow() {
    let p = policy(
        r#"
        [principals.c]
        grants.client-profile.view = "allow"
        grants.payment-methods.view = "deny"
        "#,
    );
    assert_eq!(decision(&p, "c", "profile", "view"), Decision::Allow);
    assert_eq!(decision(&p, "c", "payment-methods", "view"), Decision::Deny);
    assert_eq!(
        p.explain("c", "payment-methods", "view").unwrap().source,
        Source::Own {
            resource: "payment-methods",
            inherited: false
        }
    );
}

#[test]
fn allow_under_deny() {
    let p = policy(
        r#"
        [principals.c]
        grants.client-portal.update = "deny"
        grants.manage-contacts.update = "allow"
        "#,
    );
    assert_eq!(
        decision(&p, "c", "manage-contacts", "update"),
        Decision::Allow
    );
    assert_eq!(decision(&p, "c", "profile", "update"), Decision::Deny);
    assert_eq!(decision(&p, "c", "reports", "update"), Decision::Deny);
    assert_eq!(
        p.explain("c", "profile", "update").unwrap().source,
        Source::Own {
            resource: "client-portal",
            inherited: true
        }
    );
}

#[test]
fn own_grant_beats_role_even_when_the_role_is_nearer() {
    let p = policy(
        r#"
        [roles.r]
        grants.profile.view = "allow"
        [principals.c]
        roles = ["r"]
        grants.client-portal.view = "deny"
        "#,
    );
    // The role's Allow is on the resource itself, the own Deny on the root: own wins.
    assert_eq!(decision(&p, "c", "profile", "view"), Decision::Deny);
    assert_eq!(
        p.explain("c", "profile", "view").unwrap().source,
        Source::Own {
            resource: "client-portal",
            inherited: true
        }
    );
}

#[test]
fn a_role_fills_what_the_principal_leaves_as_inherit() {
    let p = policy(
        r#"
        [roles.r]
        grants.profile.view = "allow"
        [principals.c]
        roles = ["r"]
        grants.payment-methods.view = "deny"
        "#,
    );
    assert_eq!(decision(&p, "c", "profile", "view"), Decision::Allow);
    assert_eq!(
        p.explain("c", "profile", "view").unwrap().source,
        Source::Role {
            role: "r",
            resource: "profile",
            inherited: false
        }
    );
}

#[test]
fn role_deny_beats_role_allow_at_the_same_resource_whatever_the_order() {
    for roles in [r#"["a", "d"]"#, r#"["d", "a"]"#] {
        let p = policy(&format!(
            r#"
            [roles.a]
            grants.client-profile.update = "allow"
            [roles.d]
            grants.client-profile.update = "deny"
            [principals.c]
            roles = {roles}
            "#
        ));
        assert_eq!(
            decision(&p, "c", "client-profile", "update"),
            Decision::Deny,
            "{roles}"
        );
        assert_eq!(
            decision(&p, "c", "profile", "update"),
            Decision::Deny,
            "{roles}"
        );
        assert_eq!(
            p.explain("c", "profile", "update").unwrap().source,
            Source::Role {
                role: "d",
                resource: "client-profile",
                inherited: true
            }
        );
    }
}

#[test]
fn nearest_role_grant_wins() {
    let p = policy(
        r#"
        [roles.far]
        grants.client-portal.view = "deny"
        [roles.near]
        grants.manage-contacts.view = "allow"
        [principals.c]
        roles = ["far", "near"]
        "#,
    );
    // near's Allow on the resource beats far's Deny on the root: nearest resource wins
    // before Deny-beats-Allow is even asked.
    assert_eq!(
        decision(&p, "c", "manage-contacts", "view"),
        Decision::Allow
    );
    assert_eq!(decision(&p, "c", "profile", "view"), Decision::Deny);
}

#[test]
fn nested_roles_grant_through_their_parents_and_are_named() {
    let p = policy(
        r#"
        [roles.base]
        grants.support.view = "allow"
        [roles.mid]
        roles = ["base"]
        [roles.top]
        roles = ["mid"]
        [principals.c]
        roles = ["top"]
        "#,
    );
    assert_eq!(decision(&p, "c", "support", "view"), Decision::Allow);
    assert_eq!(
        p.explain("c", "support", "view").unwrap().source,
        Source::Role {
            role: "base",
            resource: "support",
            inherited: false
        }
    );
}

#[test]
fn a_walk_passes_over_an_ancestor_where_the_action_does_not_apply() {
    let schema = Schema::builder()
        .root("site", "Site")
        .child_with_actions("site", "website", "Website", &["view"])
        .child("website", "blog", "Blog")
        .build()
        .unwrap();
    let mut p = Policy::new(schema);
    p.add_principal("c", &[]).unwrap();
    p.set("c", "site", "update", Setting::Allow).unwrap();
    assert!(p.allows("c", "blog", "update").unwrap());
    assert!(!p.allows("c", "blog", "delete").unwrap());
}

#[test]
fn inherit_clears_an_explicit_grant() {
    let mut p = policy("[principals.c]\ngrants.profile.view = \"allow\"");
    p.set("c", "profile", "view", Setting::Inherit).unwrap();
    assert_eq!(decision(&p, "c", "profile", "view"), Decision::None);
    assert_eq!(
        p.explain("c", "profile", "view").unwrap().source,
        Source::Default
    );
}

#[test]
fn explanations_read_as_sentences() {
    let p = policy(
        r#"
        [roles.billing]
        grants.billing-and-services.view = "allow"
        [principals.c]
        roles = ["billing"]
        grants.profile.update = "deny"
        "#,
    );
    assert_eq!(
        p.explain("c", "reports", "view").unwrap().to_string(),
        "deny: None for Reports: View (nothing on this resource or above it grants it to c or its roles)"
    );
    assert_eq!(
        p.explain("c", "profile", "update").unwrap().to_string(),
        "deny: Deny for Profile: Update (set on this cell, own grant of c)"
    );
    assert_eq!(
        p.explain("c", "billing-and-services", "view")
            .unwrap()
            .to_string(),
        "allow: Allow for Billing & Services: View (set on this cell, grant of role billing; c sets nothing on this chain)"
    );
}

#[test]
fn bulk_questions() {
    let p = policy(
        r#"
        [roles.support]
        grants.support = { view = "allow", create = "allow" }
        [principals.a]
        roles = ["support"]
        [principals.b]
        grants.support.view = "allow"
        [principals.c]
        roles = ["support"]
        grants.support.create = "deny"
        "#,
    );
    assert_eq!(
        p.principals_allowed("support", "view").unwrap(),
        ["a", "b", "c"]
    );
    assert_eq!(p.principals_allowed("support", "create").unwrap(), ["a"]);
    assert!(p.principals_allowed("reports", "view").unwrap().is_empty());
    let can = |id| {
        p.permissions_of(id)
            .unwrap()
            .iter()
            .map(|x| format!("{}:{}", x.resource, x.action))
            .collect::<Vec<_>>()
    };
    assert_eq!(can("a"), ["support:view", "support:create"]);
    assert_eq!(can("c"), ["support:view"]);

    let compiled = CompiledPolicy::compile(&p);
    let cell = p.schema().cell("support", "create").unwrap();
    assert_eq!(
        compiled.principals_allowed(cell),
        [p.principal("a").unwrap()]
    );
    let a = p.principal("a").unwrap();
    assert_eq!(
        compiled.permissions_of(&p, a),
        p.permissions_of("a").unwrap()
    );
}

#[test]
fn refresh_and_refresh_role_patch_the_table() {
    let mut p = policy("[roles.r]\n[principals.a]\nroles = [\"r\"]\n[principals.b]");
    let mut compiled = CompiledPolicy::compile(&p);
    let cell = p.schema().cell("reports", "view").unwrap();
    let (a, b) = (p.principal("a").unwrap(), p.principal("b").unwrap());

    p.set_role("r", "client-portal", "view", Setting::Allow)
        .unwrap();
    assert!(!compiled.allows(a, cell), "stale until refreshed");
    compiled.refresh_role(&p, p.role("r").unwrap()).unwrap();
    assert!(compiled.allows(a, cell));
    assert!(!compiled.allows(b, cell));

    // A principal added after compiling joins the table on refresh.
    let d = p.add_principal("d", &["r"]).unwrap();
    assert!(!compiled.allows(d, cell));
    compiled.refresh(&p, d).unwrap();
    assert!(compiled.allows(d, cell));
    assert_eq!(compiled.principal("d"), Some(d));

    // Another schema is refused.
    let other = Policy::new(Schema::builder().root("x", "X").build().unwrap());
    assert_eq!(compiled.refresh(&other, a), Err(Error::SchemaMismatch));
}

#[test]
fn the_portal_table_is_one_word_per_principal() {
    let p = policy("[principals.a]\n[principals.b]");
    let compiled = CompiledPolicy::compile(&p);
    assert_eq!(compiled.bytes_per_principal(), 8);
    assert_eq!(compiled.table_bytes(), 16);
    assert_eq!(compiled.principal_count(), 2);
}

#[test]
fn out_of_range_indices_are_refused_not_panics() {
    let p = policy("[principals.a]");
    let compiled = CompiledPolicy::compile(&p);
    let big = Schema::builder()
        .root("r", "R")
        .child("r", "s", "S")
        .child("s", "t", "T")
        .child("t", "u", "U")
        .child("u", "v", "V")
        .child("v", "w", "W")
        .child("w", "x", "X")
        .child("x", "y", "Y")
        .child("y", "z", "Z")
        .child("z", "zz", "ZZ")
        .child("zz", "zzz", "ZZZ")
        .child("zzz", "zzzz", "ZZZZ")
        .child("zzzz", "zzzzz", "ZZZZZ")
        .child("zzzzz", "zzzzzz", "ZZZZZZ")
        .child("zzzzzz", "zzzzzzz", "ZZZZZZZ")
        .child("zzzzzzz", "zzzzzzzz", "ZZZZZZZZ")
        .child("zzzzzzzz", "last", "Last")
        .build()
        .unwrap();
    let foreign = big.cell("last", "delete").unwrap();
    let mut q = Policy::new(big);
    let far = {
        for i in 0..5 {
            q.add_principal(&format!("p{i}"), &[]).unwrap();
        }
        q.principal("p4").unwrap()
    };
    assert!(!compiled.allows(far, p.schema().cell("profile", "view").unwrap()));
    assert!(!compiled.allows(p.principal("a").unwrap(), foreign));
    assert_eq!(
        p.decide(far, p.schema().cell("profile", "view").unwrap()),
        Decision::None
    );
}

// ---- validation ----

#[test]
fn unknown_resource_and_action_in_a_grant_name_the_holder() {
    assert_eq!(
        error("schema = \"client-portal\"\n[principals.c]\ngrants.profiel.view = \"allow\""),
        Error::UnknownResource {
            resource: "profiel".into(),
            holder: Some(Holder::Principal("c".into()))
        }
    );
    assert_eq!(
        error("schema = \"client-portal\"\n[roles.r]\ngrants.profile.read = \"allow\""),
        Error::UnknownAction {
            action: "read".into(),
            holder: Some(Holder::Role("r".into()))
        }
    );
}

#[test]
fn a_grant_on_a_dash_cell_is_refused() {
    let e = error(
        "schema = \"client-portal\"\n[principals.c]\ngrants.change-password.create = \"allow\"",
    );
    assert_eq!(
        e,
        Error::NotApplicable {
            resource: "change-password".into(),
            action: "create".into(),
            holder: Some(Holder::Principal("c".into()))
        }
    );
    assert_eq!(
        e.to_string(),
        "the action 'create' does not apply to resource 'change-password' (a \"-\" cell) in the grants of principal 'c'"
    );
    let e = error(
        "schema = \"client-portal\"\n[principals.c]\ngrants.viviotech-website.update = \"deny\"",
    );
    assert!(matches!(e, Error::NotApplicable { .. }));
}

#[test]
fn duplicate_ids_are_refused() {
    let json = |s: &str| Policy::from_json(s).unwrap_err();
    assert_eq!(
        json(r#"{"schema": "client-portal", "principals": {"c": {}, "c": {}}}"#),
        Error::DuplicatePrincipal { id: "c".into() }
    );
    assert_eq!(
        json(r#"{"schema": "client-portal", "roles": {"r": {}, "r": {}}}"#),
        Error::DuplicateRole { id: "r".into() }
    );
    assert!(matches!(
        json(
            r#"{"schema": "client-portal", "principals": {"c": {"grants": {"profile": {"view": "allow", "View": "deny"}}}}}"#
        ),
        Error::DuplicateGrant { .. }
    ));
    assert_eq!(
        error("[schema]\n[[schema.resources]]\nid = \"a\"\n[[schema.resources]]\nid = \"a\""),
        Error::DuplicateResource { id: "a".into() }
    );
    assert_eq!(
        error("[schema]\nactions = [\"view\", \"view\"]\n[[schema.resources]]\nid = \"a\""),
        Error::DuplicateAction { id: "view".into() }
    );
    // TOML itself refuses a repeated table.
    assert!(matches!(
        error("schema = \"client-portal\"\n[principals.c]\n[principals.c]"),
        Error::Parse { .. }
    ));
}

#[test]
fn role_cycles_are_refused_with_the_cycle() {
    let e = error(
        r#"
        schema = "client-portal"
        [roles.a]
        roles = ["b"]
        [roles.b]
        roles = ["c"]
        [roles.c]
        roles = ["a"]
        "#,
    );
    assert_eq!(
        e,
        Error::RoleCycle {
            cycle: vec!["a".into(), "b".into(), "c".into(), "a".into()]
        }
    );
    assert_eq!(
        e.to_string(),
        "the roles include each other in a cycle: a -> b -> c -> a"
    );
    let e = error("schema = \"client-portal\"\n[roles.a]\nroles = [\"a\"]");
    assert_eq!(
        e,
        Error::RoleCycle {
            cycle: vec!["a".into(), "a".into()]
        }
    );
}

#[test]
fn dangling_role_names_are_refused() {
    assert_eq!(
        error("schema = \"client-portal\"\n[principals.c]\nroles = [\"ghost\"]"),
        Error::UnknownRole {
            role: "ghost".into(),
            holder: Holder::Principal("c".into())
        }
    );
    assert_eq!(
        error("schema = \"client-portal\"\n[roles.r]\nroles = [\"ghost\"]"),
        Error::UnknownRole {
            role: "ghost".into(),
            holder: Holder::Role("r".into())
        }
    );
}

#[test]
fn schema_errors() {
    assert_eq!(
        error("schema = \"intranet\""),
        Error::UnknownBuiltinSchema {
            name: "intranet".into()
        }
    );
    assert_eq!(
        error(
            "[schema]\n[[schema.resources]]\nid = \"b\"\nparent = \"a\"\n[[schema.resources]]\nid = \"a\""
        ),
        Error::UnknownParent {
            resource: "b".into(),
            parent: "a".into()
        }
    );
    assert_eq!(
        error("[schema]\n[[schema.resources]]\nid = \"a\"\nactions = [\"fly\"]"),
        Error::UndeclaredAction {
            resource: "a".into(),
            action: "fly".into()
        }
    );
    assert_eq!(
        error("[schema]\nactions = []\n[[schema.resources]]\nid = \"a\""),
        Error::NoActions
    );
    assert_eq!(error("[schema]\nresources = []"), Error::NoResources);
    assert!(matches!(
        error("[schema]\n[[schema.resources]]\nid = \"a b\""),
        Error::InvalidId {
            kind: "resource",
            ..
        }
    ));
    assert!(matches!(
        error("schema = \"client-portal\"\n[principals.\"\"]"),
        Error::InvalidId {
            kind: "principal",
            ..
        }
    ));
    let many: Vec<String> = (0..65).map(|i| format!("\"a{i}\"")).collect();
    assert_eq!(
        error(&format!(
            "[schema]\nactions = [{}]\n[[schema.resources]]\nid = \"a\"",
            many.join(",")
        )),
        Error::TooManyActions { count: 65, max: 64 }
    );
    assert!(matches!(error("schema = 3"), Error::Parse { .. }));
    assert!(matches!(
        error("schema = \"client-portal\"\nsurprise = 1"),
        Error::Parse { .. }
    ));
    assert!(matches!(
        Policy::parse("{\"schema\": "),
        Err(Error::Parse { .. })
    ));
}

#[test]
fn questions_about_unknown_things_are_errors() {
    let p = policy("[principals.c]");
    assert!(matches!(
        p.explain("nobody", "profile", "view"),
        Err(Error::UnknownPrincipal { .. })
    ));
    assert!(matches!(
        p.explain("c", "nowhere", "view"),
        Err(Error::UnknownResource { holder: None, .. })
    ));
    assert!(matches!(
        p.explain("c", "profile", "fly"),
        Err(Error::UnknownAction { holder: None, .. })
    ));
    assert!(matches!(
        p.explain("c", "change-password", "delete"),
        Err(Error::NotApplicable { .. })
    ));
    assert!(matches!(
        p.grid("nobody"),
        Err(Error::UnknownPrincipal { .. })
    ));
    // Actions by display name, any case.
    assert!(p.explain("c", "profile", "View").is_ok());
    assert!(p.explain("c", "profile", "UPDATE").is_ok());
}

#[test]
fn documents_round_trip_through_toml_and_json() {
    let p = Policy::from_toml(include_str!("../examples/portal.toml")).unwrap();
    let document = p.to_document();
    let toml = toml::to_string(&document).unwrap();
    let json = serde_json::to_string_pretty(&document).unwrap();
    assert_eq!(Policy::from_toml(&toml).unwrap().to_document(), document);
    assert_eq!(Policy::parse(&json).unwrap().to_document(), document);
    assert_eq!(
        Schema::from_def(&Schema::client_portal().to_def()).unwrap(),
        Schema::client_portal()
    );
}

#[test]
fn the_grid_serializes_for_a_web_page() {
    let p = policy("[principals.c]\ngrants.client-profile.view = \"allow\"");
    let json = serde_json::to_value(p.grid("c").unwrap()).unwrap();
    assert_eq!(json["principal"], "c");
    assert_eq!(json["columns"][0]["name"], "View");
    assert_eq!(json["rows"][1]["id"], "client-profile");
    assert_eq!(
        json["rows"][1]["cells"][0],
        serde_json::json!({"state": "explicit", "value": "allow"})
    );
    assert_eq!(
        json["rows"][2]["cells"][0],
        serde_json::json!({"state": "inherited", "value": "allow"})
    );
    assert_eq!(
        json["rows"][4]["cells"][1],
        serde_json::json!({"state": "not_applicable"})
    );
    let why = serde_json::to_value(p.explain("c", "profile", "view").unwrap()).unwrap();
    assert_eq!(
        why,
        serde_json::json!({
            "principal": "c", "resource": "profile", "action": "view", "decision": "allow",
            "source": {"kind": "own", "resource": "client-profile", "inherited": true}
        })
    );
}

#[test]
fn parse_errors_are_one_line_with_line_and_column() {
    let e = error("schema = \"client-portal\"\n[principals.c]\ngrants.profile.view = \"alow\"\n");
    let Error::Parse { message, .. } = &e else {
        panic!("{e:?}")
    };
    assert!(
        message.starts_with("line 3, column 23: unknown variant `alow`"),
        "{message}"
    );
    assert!(!e.to_string().contains('\n'));
    let e = Policy::from_json("{\"schema\": \"client-portal\", \"principals\": 3}").unwrap_err();
    assert!(!e.to_string().contains('\n'), "{e}");
}

#[test]
fn gates_on_the_reference_path_agree_with_the_compiled_one() {
    let p =
        policy("[principals.c]\ngrants.manage-contacts = { view = \"allow\", update = \"allow\" }");
    let c = p.principal("c").unwrap();
    let own_code = p
        .schema()
        .gate("manage-contacts", &["view", "update"])
        .unwrap();
    let full = p
        .schema()
        .gate("manage-contacts", &["view", "update", "delete"])
        .unwrap();
    let compiled = CompiledPolicy::compile(&p);
    assert!(p.permits(c, &own_code) && compiled.permits(c, &own_code));
    assert!(!p.permits(c, &full) && !compiled.permits(c, &full));
}

#[test]
fn a_typo_inside_an_inline_schema_is_reported_as_itself() {
    let e = error("[schema]\n[[schema.resources]]\nid = \"a\"\nparnt = \"b\"\n");
    assert!(e.to_string().contains("unknown field `parnt`"), "{e}");
    let e = error(
        "[schema]\nactions = [{ id = \"x\", nme = \"X\" }]\n[[schema.resources]]\nid = \"a\"\n",
    );
    assert!(e.to_string().contains("unknown field `nme`"), "{e}");
    let p = Policy::from_toml(
        "[schema]\nactions = [\"view\", { id = \"approve\", name = \"Approve!\" }, { id = \"x\" }]\n[[schema.resources]]\nid = \"a\"\n",
    )
    .unwrap();
    let names: Vec<&str> = p
        .schema()
        .actions()
        .iter()
        .map(|a| a.name.as_str())
        .collect();
    assert_eq!(names, ["View", "Approve!", "X"]);
}

#[test]
fn the_portal_compiled_form_stays_under_64_bytes_per_principal_with_its_id_index() {
    let mut p = Policy::new(Schema::client_portal());
    for i in 0..1_000 {
        p.add_principal(&format!("contact-{i}"), &[]).unwrap();
    }
    let mut compiled = CompiledPolicy::compile(&p);
    let per_principal = compiled.heap_bytes() / 1_000;
    println!(
        "portal: {} table bytes, {per_principal} heap bytes per principal",
        compiled.bytes_per_principal()
    );
    assert!(per_principal < 64, "{per_principal}");
    // The packed id index finds everyone, including principals added later, in any order.
    for id in ["zed", "aaron", "contact-50x", "m"] {
        let index = p.add_principal(id, &[]).unwrap();
        compiled.refresh(&p, index).unwrap();
    }
    for (index, id) in p.principals() {
        assert_eq!(compiled.principal(id), Some(index), "{id}");
    }
    assert_eq!(compiled.principal("contact-1000"), None);
    assert_eq!(compiled.principal(""), None);
}
