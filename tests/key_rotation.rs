//! Issue 12, "Server key rotation": rotate, sign in, every record re-sealed, the
//! old key retired, everything still works; a record under a removed key is
//! refused by name.

mod fixtures;

use std::collections::BTreeSet;

use countersign::security_codes::{Client, Whose};
use countersign::{Account, Error, KeyId, KeyRing, Portal, SecondFactor, ServerKey, Via};
use fixtures::*;

fn old_key() -> ServerKey {
    ServerKey::from_bytes([0x42; 32])
}

fn new_key() -> ServerKey {
    ServerKey::from_bytes([0x77; 32])
}

fn id(text: &str) -> KeyId {
    text.parse().unwrap()
}

fn ids(list: &[&str]) -> BTreeSet<KeyId> {
    list.iter().map(|text| id(text)).collect()
}

/// Joe with every kind of record: a sealed TOTP secret, a remembered device,
/// his own security code, a live SMS code; and the client's account-wide code.
struct Joe {
    account: Account,
    client: Client,
    app: countersign::totp::Totp,
    cookie: String,
    sms: String,
}

fn joe_under(portal: &Portal) -> Joe {
    let permissions = seeded_permissions();
    let access = countersign::Access::new(&permissions).unwrap();
    let mut account = account(portal, joe(), JOE_PASSWORD);
    let (app, _) = enroll(portal, &mut account, JOE_PASSWORD);
    let t = ticket(portal, &mut account, JOE_PASSWORD, NOW + 60);
    let cookie = portal
        .complete_sign_in(
            &mut account,
            &t,
            SecondFactor::Totp(&code(&app, NOW + 60)),
            true,
            NOW + 60,
            &mut rng(),
        )
        .unwrap()
        .device_token
        .unwrap()
        .as_str()
        .to_owned();
    portal
        .set_contact_code(&mut account, &joe(), &access, "Lighthouse-42-Oak", NOW)
        .unwrap();
    let mut client = Client::new(1707);
    portal
        .set_account_code(&mut client, &joe(), &access, "Harbor-Seventeen-Kite", NOW)
        .unwrap();
    let t = ticket(portal, &mut account, JOE_PASSWORD, NOW + 90);
    let sms = portal
        .send_sms_code(&mut account, &t, NOW + 90, &mut rng())
        .unwrap();
    Joe {
        account,
        client,
        app,
        cookie,
        sms: sms.code.as_str().to_owned(),
    }
}

#[test]
fn rotate_sign_in_every_record_resealed_old_key_retired_everything_still_works() {
    let before = portal();
    let mut j = joe_under(&before);
    assert_eq!(j.account.key_ids(), ids(&["default"]));
    assert_eq!(j.client.key_ids(), ids(&["default"]));

    // Rotate: 2027-01 is current, the old key retired.
    let ring = KeyRing::new(id("2027-01"), new_key())
        .with_retired(KeyId::DEFAULT, old_key())
        .unwrap();
    let rotated = Portal::new(ring, settings()).unwrap();
    // Sign in with the SMS code sent before the rotation: read under the retired key.
    let at = NOW + 120;
    let t = ticket(&rotated, &mut j.account, JOE_PASSWORD, at);
    let signed_in = rotated
        .complete_sign_in(
            &mut j.account,
            &t,
            SecondFactor::SmsCode(&j.sms),
            false,
            at,
            &mut rng(),
        )
        .unwrap();
    assert_eq!(signed_in.via, Via::SmsCode);
    // The remembered device still works, and comes back with a cookie under the new key.
    let on_device = rotated
        .sign_in_on_device(&mut j.account, &j.cookie, JOE_PASSWORD, at + 1, &mut rng())
        .unwrap();
    let fresh_cookie = on_device
        .device_token
        .expect("re-issued under the current key")
        .as_str()
        .to_owned();
    assert_ne!(fresh_cookie, j.cookie);
    // The sign-ins re-sealed the account; the client is re-sealed on its own.
    assert_eq!(j.account.key_ids(), ids(&["2027-01"]));
    assert!(rotated.reseal_client(&mut j.client).unwrap());
    assert_eq!(j.client.key_ids(), ids(&["2027-01"]));
    assert!(
        !rotated
            .reseal_account(&mut j.account, at + 2, &mut rng())
            .unwrap()
    );
    assert!(!rotated.reseal_client(&mut j.client).unwrap());
    // The stored records round-trip.
    let json = serde_json::to_string(&j.account).unwrap();
    assert!(
        json.contains(r#""key":"2027-01""#) && !json.contains(r#""key":"default""#),
        "{json}"
    );
    j.account = serde_json::from_str(&json).unwrap();

    // Retire the old key for good: everything still works.
    let ring = KeyRing::new(id("2027-01"), new_key());
    let after = Portal::new(ring, settings()).unwrap();
    let at = at + 3_600;
    let t = ticket(&after, &mut j.account, JOE_PASSWORD, at);
    assert!(
        after
            .complete_sign_in(
                &mut j.account,
                &t,
                SecondFactor::Totp(&code(&j.app, at)),
                false,
                at,
                &mut rng()
            )
            .is_ok()
    );
    assert!(
        after
            .sign_in_on_device(
                &mut j.account,
                &fresh_cookie,
                JOE_PASSWORD,
                at + 1,
                &mut rng()
            )
            .is_ok()
    );
    assert!(
        matches!(
            after.sign_in_on_device(&mut j.account, &j.cookie, JOE_PASSWORD, at + 2, &mut rng()),
            Err(Error::ForgedDeviceToken)
        ),
        "the superseded cookie is refused"
    );
    let permissions = seeded_permissions();
    let access = countersign::Access::new(&permissions).unwrap();
    let own = after
        .view_contact_code(&j.account, &joe(), &access)
        .unwrap()
        .unwrap();
    assert_eq!(own.expose(), "Lighthouse-42-Oak");
    let whose = after
        .verify_caller(&mut j.client, &[&j.account], "harbor seventeen kite", at)
        .unwrap();
    assert_eq!(whose, Whose::AccountWide);
    let t = ticket(&after, &mut j.account, JOE_PASSWORD, at + 60);
    let sms = after
        .send_sms_code(&mut j.account, &t, at + 60, &mut rng())
        .unwrap();
    assert!(
        after
            .complete_sign_in(
                &mut j.account,
                &t,
                SecondFactor::SmsCode(sms.code.as_str()),
                false,
                at + 61,
                &mut rng()
            )
            .is_ok()
    );
    let email = after
        .request_password_reset(&mut j.account, at + 70, &mut rng())
        .unwrap();
    assert!(
        after
            .reset_password(
                &mut j.account,
                email.code.as_str(),
                "Tulips on the balcony, 7 of them",
                at + 71,
                &mut rng()
            )
            .is_ok()
    );
    assert_eq!(j.account.key_ids(), ids(&["2027-01"]));
}

#[test]
fn a_record_sealed_under_a_removed_key_is_refused_by_name() {
    let first = Portal::new(KeyRing::new(id("k1"), old_key()), settings()).unwrap();
    let mut j = joe_under(&first);
    assert_eq!(j.account.key_ids(), ids(&["k1"]));
    // k1 removed without re-sealing anything.
    let second = Portal::new(KeyRing::new(id("k2"), new_key()), settings()).unwrap();
    let by_name = |result: Result<_, Error>| match result {
        Err(Error::UnknownKeyId { id }) => id == "k1",
        _ => false,
    };
    assert!(by_name(second.prepare_totp(&j.account).map(|_| ())));
    let at = NOW + 120;
    let t = ticket(&second, &mut j.account, JOE_PASSWORD, at);
    assert!(by_name(
        second
            .complete_sign_in(
                &mut j.account,
                &t,
                SecondFactor::Totp(&code(&j.app, at)),
                false,
                at,
                &mut rng()
            )
            .map(|_| ())
    ));
    assert!(by_name(
        second
            .complete_sign_in(
                &mut j.account,
                &t,
                SecondFactor::RememberedDevice(&j.cookie),
                false,
                at,
                &mut rng()
            )
            .map(|_| ())
    ));
    assert!(by_name(
        second
            .complete_sign_in(
                &mut j.account,
                &t,
                SecondFactor::SmsCode(&j.sms),
                false,
                at,
                &mut rng()
            )
            .map(|_| ())
    ));
    assert_eq!(
        j.account
            .throttles()
            .get(countersign::throttle::Factor::SmsCode)
            .consecutive_failures(),
        0,
        "an unknown key is no wrong code"
    );
    let permissions = seeded_permissions();
    let access = countersign::Access::new(&permissions).unwrap();
    assert!(by_name(
        second
            .view_contact_code(&j.account, &joe(), &access)
            .map(|_| ())
    ));
    assert!(by_name(
        second
            .view_account_code(&j.client, &joe(), &access)
            .map(|_| ())
    ));
    assert!(by_name(
        second
            .verify_caller(&mut j.client, &[&j.account], "Harbor-Seventeen-Kite", at)
            .map(|_| ())
    ));
    let err = second
        .reseal_account(&mut j.account, at, &mut rng())
        .unwrap_err();
    assert!(err.to_string().contains("\"k1\""), "{err}");
    assert!(by_name(second.reseal_client(&mut j.client).map(|_| ())));
}

#[test]
fn a_lone_server_key_and_a_ring_of_it_read_the_same_records() {
    let lone = portal();
    let mut j = joe_under(&lone);
    let ring = Portal::new(KeyRing::from(old_key()), settings()).unwrap();
    assert_eq!(ring.key_ring().current_id(), &KeyId::DEFAULT);
    let t = ticket(&ring, &mut j.account, JOE_PASSWORD, NOW + 120);
    assert!(
        ring.complete_sign_in(
            &mut j.account,
            &t,
            SecondFactor::RememberedDevice(&j.cookie),
            false,
            NOW + 120,
            &mut rng()
        )
        .is_ok()
    );
    assert!(
        !ring
            .reseal_account(&mut j.account, NOW + 120, &mut rng())
            .unwrap()
    );
}

#[test]
fn a_seal_naming_an_id_no_ring_could_hold_is_reported_by_its_own_text() {
    // A sealed code may name any printable id; a ring's ids are narrower. A stored seal
    // naming one ("key#one") is reported as it is spelled, not as the default key.
    let portal = portal();
    let j = joe_under(&portal);
    let json = serde_json::to_string(&j.client).unwrap();
    let hex = |text: &str| -> String { text.bytes().map(|b| format!("{b:02x}")).collect() };
    let edited = json.replacen(&hex("default"), &hex("key#one"), 1);
    assert_ne!(edited, json, "{json}");
    let client: Client = serde_json::from_str(&edited).unwrap();
    let reported = client.key_ids();
    let reported: Vec<&str> = reported.iter().map(KeyId::as_str).collect();
    assert_eq!(reported, ["key#one"]);
}
