//! Replays the permission screens of seeds 001 and 002.

use countersign_permissions::{
    CompiledPolicy, Decision, Effect, GridCell, Policy, Schema, Setting,
};

const CONTACT: &str = "contact-3523";

fn fresh() -> Policy {
    let mut policy = Policy::new(Schema::client_portal());
    policy.add_principal(CONTACT, &[]).unwrap();
    policy
}

fn data(name: &str) -> String {
    std::fs::read_to_string(format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// Every resource id and the actions the seeds' grid shows for it ("-" elsewhere).
const PORTAL: [(&str, &str, [bool; 4]); 14] = [
    ("client-portal", "Client Portal", [true; 4]),
    ("client-profile", "Client Profile", [true; 4]),
    ("profile", "Profile", [true; 4]),
    ("payment-methods", "Payment Methods", [true; 4]),
    (
        "change-password",
        "Change Password",
        [true, false, true, false],
    ),
    ("manage-contacts", "Manage Contacts", [true; 4]),
    (
        "manage-contact-facility-access",
        "Manage Contact Facility Access",
        [true; 4],
    ),
    ("billing-and-services", "Billing & Services", [true; 4]),
    ("reports", "Reports", [true; 4]),
    ("domain-management", "Domain Management", [true; 4]),
    ("support", "Support", [true; 4]),
    ("device-manager", "Device Manager", [true; 4]),
    (
        "viviotech-website",
        "Viviotech Website",
        [true, false, false, false],
    ),
    ("client-preferences", "Client Preferences", [true; 4]),
];
const ACTIONS: [&str; 4] = ["view", "create", "update", "delete"];

#[test]
fn the_portal_schema_has_every_row_and_dash_of_the_seeds_in_order() {
    let schema = Schema::client_portal();
    let rows: Vec<(&str, &str)> = schema
        .resources()
        .map(|(_, r)| (r.id(), r.name()))
        .collect();
    let expected: Vec<(&str, &str)> = PORTAL.iter().map(|(id, name, _)| (*id, *name)).collect();
    assert_eq!(rows, expected);
    for (id, _, applies) in PORTAL {
        for (action, applies) in ACTIONS.iter().zip(applies) {
            assert_eq!(schema.cell(id, action).is_ok(), applies, "{id}: {action}");
        }
    }
    let profile = schema
        .get(schema.resource("client-profile").unwrap())
        .unwrap();
    assert_eq!(profile.children().len(), 5);
    let root = schema
        .get(schema.resource("client-portal").unwrap())
        .unwrap();
    assert_eq!(root.children().len(), 8);
    assert_eq!(
        schema
            .actions()
            .iter()
            .map(|a| a.name.as_str())
            .collect::<Vec<_>>(),
        ["View", "Create", "Update", "Delete"]
    );
}

#[test]
fn a_fresh_contact_can_do_nothing_and_sees_none_everywhere() {
    let policy = fresh();
    let grid = policy.grid(CONTACT).unwrap();
    for (id, _, applies) in PORTAL {
        for (action, applies) in ACTIONS.iter().zip(applies) {
            let expected = if applies {
                GridCell::Inherited(Decision::None)
            } else {
                GridCell::NotApplicable
            };
            assert_eq!(grid.cell(id, action), Some(expected), "{id}: {action}");
        }
    }
    assert!(policy.permissions_of(CONTACT).unwrap().is_empty());
    assert_eq!(grid.to_string(), data("grid_fresh.txt"));
}

#[test]
fn seed_001_client_profile_view_lets_the_contact_enable_two_factor() {
    let mut policy = fresh();
    policy
        .set(CONTACT, "client-profile", "view", Setting::Allow)
        .unwrap();
    let grid = policy.grid(CONTACT).unwrap();

    // The row set shows plain "Allow"; its children show "(Allow)" for View.
    assert_eq!(
        grid.cell("client-profile", "view"),
        Some(GridCell::Explicit(Effect::Allow))
    );
    for child in [
        "profile",
        "payment-methods",
        "change-password",
        "manage-contacts",
        "manage-contact-facility-access",
    ] {
        assert_eq!(
            grid.cell(child, "view"),
            Some(GridCell::Inherited(Decision::Allow)),
            "{child}"
        );
        assert_eq!(
            grid.cell(child, "update"),
            Some(GridCell::Inherited(Decision::None)),
            "{child}"
        );
    }
    // The root and the siblings stay "(None)".
    assert_eq!(
        grid.cell("client-portal", "view"),
        Some(GridCell::Inherited(Decision::None))
    );
    assert_eq!(
        grid.cell("billing-and-services", "view"),
        Some(GridCell::Inherited(Decision::None))
    );
    assert_eq!(grid.to_string(), data("grid_001_client_profile_view.txt"));

    // The facade's gate for enabling two-factor.
    let compiled = CompiledPolicy::compile(&policy);
    let contact = compiled.principal(CONTACT).unwrap();
    let enable_2fa = compiled.schema().gate("client-profile", &["view"]).unwrap();
    assert!(compiled.permits(contact, &enable_2fa));
    // ...and the fresh contact could not.
    assert!(!CompiledPolicy::compile(&fresh()).permits(contact, &enable_2fa));
}

fn allowed(policy: &Policy) -> Vec<String> {
    policy
        .permissions_of(CONTACT)
        .unwrap()
        .iter()
        .map(|p| format!("{}:{}", p.resource, p.action))
        .collect()
}

#[test]
fn seed_002_profile_view_shows_the_account_wide_code_and_nothing_else() {
    let mut policy = fresh();
    policy
        .set(CONTACT, "profile", "view", Setting::Allow)
        .unwrap();
    assert_eq!(allowed(&policy), ["profile:view"]);
    assert!(policy.allows(CONTACT, "profile", "view").unwrap());
    // Not the contacts section, not the parent, not editing the profile.
    assert!(!policy.allows(CONTACT, "manage-contacts", "view").unwrap());
    assert!(!policy.allows(CONTACT, "client-profile", "view").unwrap());
    assert!(!policy.allows(CONTACT, "profile", "update").unwrap());
    assert_eq!(
        policy.grid(CONTACT).unwrap().to_string(),
        data("grid_002_profile_view.txt")
    );
}

#[test]
fn seed_002_manage_contacts_view_and_update_shows_and_changes_their_own_code_and_nothing_else() {
    let mut policy = fresh();
    policy
        .set(CONTACT, "manage-contacts", "view", Setting::Allow)
        .unwrap();
    policy
        .set(CONTACT, "manage-contacts", "update", Setting::Allow)
        .unwrap();
    assert_eq!(
        allowed(&policy),
        ["manage-contacts:view", "manage-contacts:update"]
    );
    let compiled = CompiledPolicy::compile(&policy);
    let contact = compiled.principal(CONTACT).unwrap();
    let own_code = compiled
        .schema()
        .gate("manage-contacts", &["view", "update"])
        .unwrap();
    let account_code = compiled.schema().gate("profile", &["view"]).unwrap();
    assert!(compiled.permits(contact, &own_code));
    assert!(!compiled.permits(contact, &account_code));
    assert!(!policy.allows(CONTACT, "manage-contacts", "create").unwrap());
    assert!(!policy.allows(CONTACT, "manage-contacts", "delete").unwrap());
    assert_eq!(
        policy.grid(CONTACT).unwrap().to_string(),
        data("grid_002_manage_contacts.txt")
    );

    // View alone is not enough to change it.
    policy
        .set(CONTACT, "manage-contacts", "update", Setting::Inherit)
        .unwrap();
    let compiled = CompiledPolicy::compile(&policy);
    assert!(!compiled.permits(contact, &own_code));
}

#[test]
fn the_example_policy_file_replays_both_seeds() {
    let policy = Policy::from_toml(include_str!("../examples/portal.toml")).unwrap();
    assert!(
        policy
            .allows("contact-3523", "client-profile", "view")
            .unwrap()
    );
    assert!(policy.allows("contact-3526", "profile", "view").unwrap());
    assert!(
        policy
            .allows("contact-3526", "manage-contacts", "update")
            .unwrap()
    );
    assert!(
        !policy
            .allows("contact-3526", "payment-methods", "view")
            .unwrap()
    );
    // joe: account-manager, which includes security-code-holder.
    assert!(policy.allows("joe", "manage-contacts", "update").unwrap());
    assert!(policy.allows("joe", "payment-methods", "update").unwrap());
    assert!(!policy.allows("joe", "payment-methods", "delete").unwrap());
}

#[test]
fn the_readme_shows_the_example_policy_file_verbatim() {
    let readme = include_str!("../README.md");
    assert!(readme.contains(include_str!("../examples/portal.toml")));
}

#[test]
fn the_json_fixture_is_the_same_policy_as_the_toml_example() {
    let toml = Policy::from_toml(include_str!("../examples/portal.toml")).unwrap();
    let json = Policy::parse(&data("portal.json")).unwrap();
    assert_eq!(toml.to_document(), json.to_document());
}
