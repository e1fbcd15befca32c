//! The contacts' grants in the client record: the grid's "Update" as a facade
//! step (primary contact only, the client's own contacts only, the revision on
//! by one), the version 3 record (version 2 still reads, with no grants), and
//! corrupt grants refused with a typed error.

mod fixtures;

use countersign::permissions::{CompiledPolicy, Setting};
use countersign::security_codes::Client;
use countersign::{Access, Error, Gate, Permissions};
use fixtures::*;

fn cells(list: &[(&str, &str, Setting)]) -> Vec<(String, String, Setting)> {
    list.iter()
        .map(|(r, a, s)| ((*r).to_owned(), (*a).to_owned(), *s))
        .collect()
}

fn permits(client: &Client, contact_id: u64, gate: Gate) -> bool {
    let compiled = CompiledPolicy::compile(&client.grants().policy().unwrap());
    Access::new(&compiled).unwrap().permits(contact_id, gate)
}

#[test]
fn the_primary_contact_sets_a_contacts_grants_and_the_revision_moves_by_one() {
    let portal = portal();
    let mut client = Client::new(1707);
    let allow = cells(&[("client-profile", "view", Setting::Allow)]);
    assert!(!permits(&client, 3523, Gate::EnableTwoFactor));
    let notice = portal
        .set_contact_grants(&mut client, &joe(), &contact(), &allow)
        .unwrap();
    assert_eq!(notice, "Success: Contact updated.");
    assert_eq!(client.revision(), 2);
    assert!(permits(&client, 3523, Gate::EnableTwoFactor));
    assert!(
        !permits(&client, 3526, Gate::EnableTwoFactor),
        "only 3523's"
    );
    // The grid reads a contact's own cells back (and nothing for one without).
    assert_eq!(
        serde_json::to_value(client.grants().of(3523)).unwrap(),
        serde_json::json!({"client-profile": {"view": "allow"}})
    );
    assert!(client.grants().of(3526).is_none());
    assert_eq!(client.grants().contacts().collect::<Vec<_>>(), [3523]);

    portal
        .set_contact_grants(&mut client, &joe(), &contact(), &allow)
        .unwrap();
    assert_eq!(client.revision(), 2, "the same grants again change nothing");

    let inherit = cells(&[("client-profile", "view", Setting::Inherit)]);
    portal
        .set_contact_grants(&mut client, &joe(), &contact(), &inherit)
        .unwrap();
    assert_eq!(client.revision(), 3);
    assert!(client.grants().is_empty(), "Inherit clears the cell");
    assert_eq!(client.grants().contacts().count(), 0);
    assert!(
        serde_json::to_value(&client)
            .unwrap()
            .get("grants")
            .is_none(),
        "no grants, no field"
    );
}

#[test]
fn only_the_primary_contact_of_the_same_client_edits_grants() {
    let portal = portal();
    let mut client = Client::new(1707);
    let allow = cells(&[("manage-contacts", "update", Setting::Allow)]);
    let denied = portal.set_contact_grants(&mut client, &contact(), &contact(), &allow);
    assert!(
        matches!(denied, Err(Error::PermissionDenied { .. })),
        "{denied:?}"
    );
    let mut stranger = joe();
    stranger.client_id = 9999;
    let other = portal.set_contact_grants(&mut client, &stranger, &contact(), &allow);
    assert!(
        matches!(other, Err(Error::InvalidRequest { .. })),
        "{other:?}"
    );
    let mut foreign = contact2();
    foreign.client_id = 9999;
    let target = portal.set_contact_grants(&mut client, &joe(), &foreign, &allow);
    assert!(
        matches!(target, Err(Error::InvalidRequest { .. })),
        "{target:?}"
    );
    assert_eq!(client, Client::new(1707), "nothing changed");
}

#[test]
fn a_bad_cell_sets_nothing() {
    let portal = portal();
    let mut client = Client::new(1707);
    let mixed = cells(&[
        ("client-profile", "view", Setting::Allow),
        ("no-such-resource", "view", Setting::Allow),
    ]);
    let refused = portal.set_contact_grants(&mut client, &joe(), &contact(), &mixed);
    assert!(matches!(refused, Err(Error::Permissions(_))), "{refused:?}");
    assert_eq!(client, Client::new(1707), "all or none");
}

#[test]
fn grants_round_trip_in_a_version_3_record() {
    let portal = portal();
    let mut client = Client::new(1707);
    let allow = cells(&[
        ("profile", "view", Setting::Allow),
        ("client-profile", "view", Setting::Deny),
    ]);
    portal
        .set_contact_grants(&mut client, &joe(), &contact(), &allow)
        .unwrap();
    let json = serde_json::to_value(&client).unwrap();
    assert_eq!(json["v"], 3);
    assert_eq!(json["grants"]["3523"]["profile"]["view"], "allow");
    let back: Client = serde_json::from_value(json).unwrap();
    assert_eq!(back, client);
    assert!(permits(&back, 3523, Gate::ViewAccountCode));
    assert!(!permits(&back, 3523, Gate::EnableTwoFactor));
}

#[test]
fn a_version_2_record_reads_with_no_grants_and_is_written_as_version_3() {
    let v2 = r#"{"v":2,"revision":7,"client_id":1707,"security_code":null,
        "throttle":{"v":2,"factor":"security_code","failures":0,"last_failure_at":null,"locked":false}}"#;
    let client: Client = serde_json::from_str(v2).unwrap();
    assert_eq!(client.revision(), 7);
    assert!(client.grants().is_empty());
    assert_eq!(serde_json::to_value(&client).unwrap()["v"], 3);

    let smuggled = v2.replacen(
        r#""client_id":1707"#,
        r#""client_id":1707,"grants":{"3523":{"profile":{"view":"allow"}}}"#,
        1,
    );
    let err = serde_json::from_str::<Client>(&smuggled).unwrap_err();
    assert!(err.to_string().contains("grants"), "{err}");
}

#[test]
fn corrupt_grants_are_refused_with_a_typed_error() {
    let base = serde_json::to_value(Client::new(1707)).unwrap();
    for grants in [
        serde_json::json!({"3523": {"no-such-resource": {"view": "allow"}}}),
        serde_json::json!({"3523": {"profile": {"fly": "allow"}}}),
        serde_json::json!({"3523": {"profile": {"view": "sometimes"}}}),
        serde_json::json!({"not-a-number": {"profile": {"view": "allow"}}}),
        serde_json::json!({"3523": ["profile"]}),
    ] {
        let mut value = base.clone();
        value["grants"] = grants.clone();
        assert!(
            serde_json::from_value::<Client>(value).is_err(),
            "accepted {grants}"
        );
    }
    let mut value = base;
    value["grants"] = serde_json::json!({"3523": {"no-such-resource": {"view": "allow"}}});
    let err = serde_json::from_value::<Client>(value).unwrap_err();
    assert!(
        err.to_string().contains("corrupt") || err.to_string().contains("schema"),
        "{err}"
    );
}

#[test]
fn explicit_inherit_cells_read_as_no_cell() {
    let mut value = serde_json::to_value(Client::new(1707)).unwrap();
    value["grants"] = serde_json::json!({"3523": {"profile": {"view": "inherit"}}});
    let client: Client = serde_json::from_value(value).unwrap();
    assert!(client.grants().is_empty());
    let again: Client = serde_json::from_value(serde_json::to_value(&client).unwrap()).unwrap();
    assert_eq!(again, client);
}
