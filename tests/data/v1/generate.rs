//! Writes tests/data/v1/: a v1 Account and Client as stored by the facade at
//! commit 65d6942 (before key ids, split throttles and owner-bound security
//! codes), and the plain secrets needed to use them. Kept for the record; it
//! only compiles against that commit's API.

// Ran as tests/make_v1_fixture.rs beside tests/fixtures at commit 65d6942:
// cargo test -p countersign --test make_v1_fixture -- --ignored
mod fixtures;

use countersign::security_codes::Client;
use countersign::{PasswordStep, SecondFactor};
use fixtures::*;

#[test]
#[ignore = "run once, against the v1 code, to write tests/data/v1"]
fn write_v1_fixture() {
    let portal = portal();
    let permissions = seeded_permissions();
    let access = countersign::Access::new(&permissions).unwrap();
    let mut joe = account(&portal, joe(), JOE_PASSWORD);
    let started = portal
        .begin_enrollment(&mut joe, &access, JOE_PASSWORD, NOW, &mut rng())
        .unwrap();
    let typed_key = started.key_for_typing().replace(' ', "");
    let app = app_for(&typed_key);
    let done = portal
        .confirm_enrollment(&mut joe, &code(&app, NOW), NOW, &mut rng())
        .unwrap();
    let backup: Vec<String> = done.backup_codes.iter().map(|c| c.expose().to_owned()).collect();
    // A remembered device.
    let PasswordStep::SecondFactorRequired(ticket) =
        portal.sign_in(&mut joe, JOE_PASSWORD, NOW + 60, &mut rng()).unwrap()
    else {
        panic!()
    };
    let signed = portal
        .complete_sign_in(&mut joe, &ticket, SecondFactor::Totp(&code(&app, NOW + 60)), true, NOW + 60, &mut rng())
        .unwrap();
    let cookie = signed.device_token.unwrap();
    // Two wrong passwords, one wrong SMS code, a pending SMS code and reset code.
    for at in [NOW + 100, NOW + 101] {
        assert!(portal.sign_in(&mut joe, "not the password at all", at, &mut rng()).is_err());
    }
    let PasswordStep::SecondFactorRequired(ticket) =
        portal.sign_in(&mut joe, JOE_PASSWORD, NOW + 120, &mut rng()).unwrap()
    else {
        panic!()
    };
    let sms = portal.send_sms_code(&mut joe, &ticket, NOW + 120, &mut rng()).unwrap();
    assert!(portal
        .complete_sign_in(&mut joe, &ticket, SecondFactor::SmsCode(&wrong(sms.code.as_str())), false, NOW + 121, &mut rng())
        .is_err());
    let reset = portal.request_password_reset(&mut joe, NOW + 130, &mut rng());
    portal
        .set_contact_code(&mut joe, &fixtures::joe(), &access, "Lighthouse-42-Oak", NOW)
        .unwrap();
    let mut client = Client::new(1707);
    portal
        .set_account_code(&mut client, &fixtures::joe(), &access, "Harbor-Seventeen-Kite", NOW)
        .unwrap();

    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/v1");
        std::fs::write(format!("{dir}/account.json"), joe.json()).unwrap();
    std::fs::write(format!("{dir}/client.json"), client.json()).unwrap();
    let secrets = serde_json::json!({
        "server_key_hex": "42".repeat(32),
        "password": JOE_PASSWORD,
        "totp_base32": typed_key,
        "backup_codes": backup,
        "device_cookie": cookie.as_str(),
        "sms_code": sms.code.as_str(),
        "reset_code": reset.code.as_str(),
        "contact_security_code": "Lighthouse-42-Oak",
        "account_security_code": "Harbor-Seventeen-Kite",
        "written_at": NOW + 130,
    });
    std::fs::write(format!("{dir}/secrets.json"), serde_json::to_string_pretty(&secrets).unwrap() + "\n").unwrap();
}

trait Erased {
    fn json(&self) -> String;
}
impl<T: serde::Serialize> Erased for T {
    fn json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap() + "\n"
    }
}
