//! `countersign account keys`: which server keys the stored records still need,
//! through a rotation from one key to the next.

#[path = "../../../tests/fixtures/mod.rs"]
mod fixtures;
mod invoke;

use countersign::key_ring::KeyRing;
use countersign::{Portal, ServerKey};
use countersign_store::{DatabaseUrl, StoreExt};
use invoke::{countersign, text};

fn ring(current: (&str, u8), retired: Option<(&str, u8)>) -> KeyRing {
    let ring = KeyRing::new(
        current.0.parse().unwrap(),
        ServerKey::from_bytes([current.1; 32]),
    );
    match retired {
        Some((id, byte)) => ring
            .with_retired(id.parse().unwrap(), ServerKey::from_bytes([byte; 32]))
            .unwrap(),
        None => ring,
    }
}

#[test]
fn the_report_counts_records_under_a_retired_key_until_they_are_resealed() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("keys.db").display());
    let store = countersign_store::open(&url.parse::<DatabaseUrl>().unwrap()).unwrap();
    let old = Portal::new(ring(("k2025", 1), None), fixtures::settings()).unwrap();
    let mut joe = fixtures::account(&old, fixtures::joe(), fixtures::JOE_PASSWORD);
    fixtures::enroll(&old, &mut joe, fixtures::JOE_PASSWORD);
    store.insert(&joe).unwrap();
    store
        .insert(&fixtures::account(
            &old,
            fixtures::contact(),
            fixtures::CONTACT_PASSWORD,
        ))
        .unwrap();
    // The client's account-wide security code, sealed under the old key too.
    let permissions = fixtures::seeded_permissions();
    let access = countersign::Access::new(&permissions).unwrap();
    let mut client = countersign::security_codes::Client::new(1707);
    old.set_account_code(
        &mut client,
        &fixtures::joe(),
        &access,
        "Quiet Maple Lantern 9326",
        fixtures::NOW,
    )
    .unwrap();
    store.insert_client(&client).unwrap();

    let report = |current: &str| {
        countersign(
            &["account", "--database", &url, "keys", "--current", current],
            b"",
        )
    };
    let before = report("k2026");
    assert_eq!(before.status.code(), Some(1), "{}", text(&before.stderr));
    assert_eq!(
        text(&before.stdout),
        "key k2025: 1 account and 1 client (retired: keep it in the ring)\n"
    );
    assert!(
        text(&before.stderr).contains("2 records still need"),
        "{}",
        text(&before.stderr)
    );

    // Rotate: the new key is current, the old one retired; re-seal Joe.
    let new = Portal::new(ring(("k2026", 2), Some(("k2025", 1))), fixtures::settings()).unwrap();
    let changed = store
        .update(3522, |a| {
            new.reseal_account(a, fixtures::NOW, &mut fixtures::rng())
        })
        .unwrap();
    assert!(changed);
    let after_joe = report("k2026");
    assert_eq!(
        after_joe.status.code(),
        Some(1),
        "{}",
        text(&after_joe.stderr)
    );
    assert_eq!(
        text(&after_joe.stdout),
        "key k2025: 0 accounts and 1 client (retired: keep it in the ring)\n\
         key k2026: 1 account and 0 clients (current)\n"
    );
    assert!(store.update_client(1707, |c| new.reseal_client(c)).unwrap());
    let after = report("k2026");
    assert_eq!(after.status.code(), Some(0), "{}", text(&after.stderr));
    assert_eq!(
        text(&after.stdout),
        "key k2026: 1 account and 1 client (current)\nevery record is under the current key k2026\n"
    );
    // A bad key id is bad input.
    assert_eq!(report("not a key id!").status.code(), Some(2));
}
