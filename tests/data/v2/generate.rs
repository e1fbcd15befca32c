//! Writes tests/data/v2/: a version 2 Account as stored by the facade at commit
//! c17d5ac (main before issue 14: one authenticator per contact), and the plain
//! secrets needed to use it. Kept for the record; it only compiles against that
//! commit's API.

// Ran as tests/make_v2_fixture.rs beside tests/fixtures at commit c17d5ac:
// cargo test -p countersign --test make_v2_fixture -- --ignored
mod fixtures;

use countersign::{PasswordStep, SecondFactor};
use fixtures::*;

#[test]
#[ignore = "run once, against the v2 code, to write tests/data/v2"]
fn write_v2_fixture() {
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
    let backup: Vec<String> = done
        .backup_codes
        .iter()
        .map(|c| c.expose().to_owned())
        .collect();
    let ticket = |joe: &mut countersign::Account, at| match portal
        .sign_in(joe, JOE_PASSWORD, at, &mut rng())
        .unwrap()
    {
        PasswordStep::SecondFactorRequired(ticket) => ticket,
        PasswordStep::SignedIn(_) => panic!("two-factor is on"),
    };
    // A TOTP sign-in that remembers the device (its step is stored).
    let t = ticket(&mut joe, NOW + 60);
    let signed = portal
        .complete_sign_in(
            &mut joe,
            &t,
            SecondFactor::Totp(&code(&app, NOW + 60)),
            true,
            NOW + 60,
            &mut rng(),
        )
        .unwrap();
    let cookie = signed.device_token.unwrap();
    // One backup code spent, one wrong TOTP code counted.
    let t = ticket(&mut joe, NOW + 120);
    portal
        .complete_sign_in(
            &mut joe,
            &t,
            SecondFactor::BackupCode(&backup[0]),
            false,
            NOW + 120,
            &mut rng(),
        )
        .unwrap();
    let t = ticket(&mut joe, NOW + 180);
    assert!(portal
        .complete_sign_in(
            &mut joe,
            &t,
            SecondFactor::Totp(&wrong(&code(&app, NOW + 180))),
            false,
            NOW + 180,
            &mut rng(),
        )
        .is_err());
    let account = serde_json::to_string_pretty(&joe).unwrap();
    assert!(account.contains(r#""v": 2"#));
    let secrets = serde_json::json!({
        "password": JOE_PASSWORD,
        "server_key_hex": "4242424242424242424242424242424242424242424242424242424242424242",
        "totp_key_base32": typed_key,
        "backup_codes": backup,
        "backup_codes_used": [0],
        "device_cookie": cookie.as_str(),
        "enabled_at": NOW,
        "last_accepted_step": (NOW + 60) / 30,
    });
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/v2");
    std::fs::write(format!("{dir}/account.json"), account + "\n").unwrap();
    std::fs::write(
        format!("{dir}/secrets.json"),
        serde_json::to_string_pretty(&secrets).unwrap() + "\n",
    )
    .unwrap();
}
