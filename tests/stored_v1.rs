//! Records written by the version 1 code (tests/data/v1, made by its
//! generate.rs at commit 65d6942) still read, still work, and are written back
//! in the current format.

mod fixtures;

use countersign::security_codes::{Client, Whose};
use countersign::throttle::Factor;
use countersign::{Account, SecondFactor, Via};
use fixtures::*;

const ACCOUNT: &str = include_str!("data/v1/account.json");
const CLIENT: &str = include_str!("data/v1/client.json");
const SECRETS: &str = include_str!("data/v1/secrets.json");

fn secret(name: &str) -> String {
    let secrets: serde_json::Value = serde_json::from_str(SECRETS).unwrap();
    secrets[name].as_str().unwrap().to_owned()
}

/// When the fixture was written, and a little after.
const WRITTEN: u64 = 1_763_900_130;

#[test]
fn a_version_1_account_reads_with_its_lanes_split() {
    assert!(ACCOUNT.contains(r#""v": 1"#));
    let account: Account = serde_json::from_str(ACCOUNT).unwrap();
    let throttles = account.throttles();
    // The shared one-time code lane (one wrong SMS code) became both lanes.
    assert_eq!(throttles.get(Factor::SmsCode).consecutive_failures(), 1);
    assert_eq!(throttles.get(Factor::ResetCode).consecutive_failures(), 1);
    assert_eq!(throttles.get(Factor::ResetCode).factor(), Factor::ResetCode);
    assert_eq!(throttles.password_on_device().consecutive_failures(), 0);
    assert_eq!(account.backup_codes_left(), Some(10));
    // Written back as the current version, which reads back the same.
    let json = serde_json::to_string(&account).unwrap();
    assert!(json.starts_with(r#"{"v":4,"#), "{json}");
    assert_eq!(serde_json::from_str::<Account>(&json).unwrap(), account);
}

#[test]
fn a_version_1_account_with_any_lane_of_a_later_version_is_refused() {
    // Version 1 had five lanes; a record claiming version 1 with any one of the lanes
    // that came later is not one version 1 wrote.
    let current = serde_json::to_value(portal_account()).unwrap();
    for lane in [
        "password_on_device",
        "sms_code",
        "reset_code",
        "sms_sends",
        "reset_requests",
    ] {
        let mut v1: serde_json::Value = serde_json::from_str(ACCOUNT).unwrap();
        let value = current["throttles"][lane].clone();
        assert!(!value.is_null(), "{lane}");
        v1["throttles"][lane] = value;
        let error = refusal(v1);
        assert!(
            error.contains("version 1 throttles have exactly the five version 1 lanes"),
            "{lane}: {error}"
        );
    }
}

/// A current account whose send limits have sent something (an empty limit is left
/// out of the record).
fn portal_account() -> Account {
    let portal = portal();
    let mut joe = account(&portal, joe(), JOE_PASSWORD);
    enroll(&portal, &mut joe, JOE_PASSWORD);
    let t = ticket(&portal, &mut joe, JOE_PASSWORD, WRITTEN);
    portal
        .send_sms_code(&mut joe, &t, WRITTEN, &mut rng())
        .unwrap();
    portal
        .request_password_reset(&mut joe, WRITTEN, &mut rng())
        .unwrap();
    joe
}

#[test]
fn a_version_1_account_still_signs_in_with_every_factor() {
    let portal = portal();
    let mut account: Account = serde_json::from_str(ACCOUNT).unwrap();
    let app = app_for(&secret("totp_base32"));
    let at = WRITTEN + 60;
    // The pending SMS code, sent before the upgrade.
    let t = ticket(&portal, &mut account, &secret("password"), at);
    let signed_in = portal
        .complete_sign_in(
            &mut account,
            &t,
            SecondFactor::SmsCode(&secret("sms_code")),
            false,
            at,
            &mut rng(),
        )
        .unwrap();
    assert_eq!(signed_in.via, Via::SmsCode);
    // The remembered device.
    let signed_in = sign_in_on_the_remembered_device(&portal, &mut account, at + 1);
    assert_eq!(signed_in.via, Via::RememberedDevice);
    // The sealed TOTP secret.
    let t = ticket(&portal, &mut account, &secret("password"), at + 60);
    let signed_in = portal
        .complete_sign_in(
            &mut account,
            &t,
            SecondFactor::Totp(&code(&app, at + 60)),
            false,
            at + 60,
            &mut rng(),
        )
        .unwrap();
    assert_eq!(signed_in.via, Via::Totp);
    // A backup code.
    let backup: serde_json::Value = serde_json::from_str(SECRETS).unwrap();
    let first = backup["backup_codes"][0].as_str().unwrap();
    let t = ticket(&portal, &mut account, &secret("password"), at + 90);
    assert!(
        portal
            .complete_sign_in(
                &mut account,
                &t,
                SecondFactor::BackupCode(first),
                false,
                at + 90,
                &mut rng()
            )
            .is_ok()
    );
    // The pending reset code.
    portal
        .reset_password(
            &mut account,
            &secret("reset_code"),
            "Tulips on the balcony, 7 of them",
            at + 100,
            &mut rng(),
        )
        .unwrap();
}

#[test]
fn version_1_security_codes_still_open_and_verify() {
    let portal = portal();
    let permissions = seeded_permissions();
    let access = countersign::Access::new(&permissions).unwrap();
    let account: Account = serde_json::from_str(ACCOUNT).unwrap();
    let mut client: Client = serde_json::from_str(CLIENT).unwrap();
    let own = portal
        .view_contact_code(&account, &joe(), &access)
        .unwrap()
        .unwrap();
    assert_eq!(own.expose(), secret("contact_security_code"));
    let wide = portal
        .view_account_code(&client, &joe(), &access)
        .unwrap()
        .unwrap();
    assert_eq!(wide.expose(), secret("account_security_code"));
    let whose = portal
        .verify_caller(
            &mut client,
            &[&account],
            &secret("account_security_code"),
            WRITTEN,
        )
        .unwrap();
    assert_eq!(whose, Whose::AccountWide);
    let json = serde_json::to_string(&client).unwrap();
    assert!(json.starts_with(r#"{"v":3,"#), "{json}");
}

#[test]
fn a_version_1_account_is_resealed_under_a_new_key_and_its_codes_bound() {
    let ring = countersign::KeyRing::new(
        "2027-01".parse().unwrap(),
        countersign::ServerKey::generate(),
    )
    .with_retired(
        countersign::KeyId::DEFAULT,
        countersign::ServerKey::from_bytes([0x42; 32]),
    )
    .unwrap();
    let portal = countersign::Portal::new(ring, settings()).unwrap();
    let mut account: Account = serde_json::from_str(ACCOUNT).unwrap();
    let mut client: Client = serde_json::from_str(CLIENT).unwrap();
    // The v1 security codes are unbound (key id countersign-v1): reported as the default key's.
    assert!(account.key_ids().iter().all(|id| id.as_str() == "default"));
    assert_eq!(client.key_ids().iter().next().unwrap().as_str(), "default");
    assert!(
        portal
            .reseal_account(&mut account, WRITTEN + 60, &mut rng())
            .unwrap()
    );
    assert!(portal.reseal_client(&mut client).unwrap());
    // What cannot be re-sealed without its secret stays under the retired key:
    // the live SMS and reset codes, and the remembered device until its next use.
    let left: Vec<String> = account.key_ids().iter().map(ToString::to_string).collect();
    assert_eq!(left, ["2027-01", "default"]);
    assert_eq!(client.key_ids().iter().next().unwrap().as_str(), "2027-01");
    let permissions = seeded_permissions();
    let access = countersign::Access::new(&permissions).unwrap();
    let own = portal
        .view_contact_code(&account, &joe(), &access)
        .unwrap()
        .unwrap();
    assert_eq!(own.expose(), secret("contact_security_code"));
    // Once used, the device and codes move to the new key too.
    let t = ticket(&portal, &mut account, &secret("password"), WRITTEN + 60);
    let signed_in = portal
        .complete_sign_in(
            &mut account,
            &t,
            SecondFactor::RememberedDevice(&secret("device_cookie")),
            false,
            WRITTEN + 60,
            &mut rng(),
        )
        .unwrap();
    assert!(
        signed_in.device_token.is_some(),
        "a fresh cookie under 2027-01"
    );
    portal
        .reset_password(
            &mut account,
            &secret("reset_code"),
            "Tulips on the balcony, 7 of them",
            WRITTEN + 70,
            &mut rng(),
        )
        .unwrap();
    assert!(
        portal
            .reseal_account(&mut account, WRITTEN + 70, &mut rng())
            .is_ok()
    );
    let left: Vec<String> = account.key_ids().iter().map(ToString::to_string).collect();
    // The SMS code is still live (it was sent at WRITTEN - 10, for 5 minutes).
    assert_eq!(left, ["2027-01", "default"]);
    assert!(
        portal
            .reseal_account(&mut account, WRITTEN + 600, &mut rng())
            .unwrap()
    );
    let left: Vec<String> = account.key_ids().iter().map(ToString::to_string).collect();
    assert_eq!(left, ["2027-01"], "the SMS code expired and was dropped");
}

#[test]
fn a_version_1_account_forgets_its_device_and_binds_its_security_code_at_the_next_sign_in() {
    let portal = portal();
    assert!(!account(&portal, joe(), JOE_PASSWORD).has_security_code());
    let mut account: Account = serde_json::from_str(ACCOUNT).unwrap();
    assert!(account.has_security_code());
    // Version 1 sealed the contact's security code unbound (key id "countersign-v1").
    // The ring has not rotated, so only that makes the sign-in re-seal it, bound.
    let unbound_id_hex: String = b"countersign-v1"
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let sealed = |account: &Account| {
        serde_json::to_value(account).unwrap()["security_code"]["sealed"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert!(sealed(&account).contains(&unbound_id_hex));
    let at = WRITTEN + 60;
    sign_in_on_the_remembered_device(&portal, &mut account, at);
    let bound = sealed(&account);
    assert!(!bound.contains(&unbound_id_hex));
    assert!(account.has_security_code());
    // Bound and under the current key: the next sign-in leaves it as it is.
    sign_in_on_the_remembered_device(&portal, &mut account, at + 1);
    assert_eq!(sealed(&account), bound);

    // Forgetting the remembered device says whether there was one.
    let id = account.devices().devices().first().unwrap().id();
    assert!(account.forget_device(id));
    assert!(account.devices().devices().is_empty());
    assert!(!account.forget_device(id));
}

/// Signs the fixture's contact in with the remembered device it came with.
fn sign_in_on_the_remembered_device(
    portal: &countersign::Portal,
    account: &mut Account,
    at: u64,
) -> countersign::SignedIn {
    let t = ticket(portal, account, &secret("password"), at);
    portal
        .complete_sign_in(
            account,
            &t,
            SecondFactor::RememberedDevice(&secret("device_cookie")),
            false,
            at,
            &mut rng(),
        )
        .unwrap()
}
