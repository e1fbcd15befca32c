//! Several authenticators per contact, and backup codes that renew (issue 14).

mod fixtures;

use countersign::authenticator::{
    AuthenticatorName, DEFAULT_AUTHENTICATOR_NAME, MAX_AUTHENTICATORS,
};
use countersign::throttle::{Factor, ThrottlePolicy};
use countersign::totp::Totp;
use countersign::{Access, Account, Error, Portal, SecondFactor, ServerKey, Settings, Via};
use fixtures::*;
use rand::SeedableRng;
use rand::rngs::StdRng;

const V2_ACCOUNT: &str = include_str!("data/v2/account.json");
const V2_SECRETS: &str = include_str!("data/v2/secrets.json");

/// An RNG per authenticator, so each gets another secret.
fn seeded(n: u64) -> StdRng {
    StdRng::seed_from_u64(1000 + n)
}

/// Adds the authenticator `name` at `at`; returns its app.
fn add(portal: &Portal, account: &mut Account, name: &str, at: u64, n: u64) -> Totp {
    let permissions = seeded_permissions();
    let access = Access::new(&permissions).unwrap();
    let started = portal
        .begin_adding_authenticator(account, &access, name, JOE_PASSWORD, at, &mut seeded(n))
        .unwrap();
    let app = app_for(&started.key_for_typing());
    let added = portal
        .confirm_authenticator(account, &code(&app, at), at)
        .unwrap();
    assert_eq!(added.name.as_str(), name.trim());
    // Displayed, as a list or a notice shows it, it is the name as stored.
    assert_eq!(added.name.to_string(), name.trim());
    app
}

fn sign_in_totp(
    portal: &Portal,
    account: &mut Account,
    typed: &str,
    at: u64,
) -> countersign::Result<countersign::SignedIn> {
    let ticket = ticket(portal, account, JOE_PASSWORD, at);
    portal.complete_sign_in(
        account,
        &ticket,
        SecondFactor::Totp(typed),
        false,
        at,
        &mut rng(),
    )
}

fn names(account: &Account) -> Vec<&str> {
    account
        .authenticators()
        .iter()
        .map(|a| a.name().as_str())
        .collect()
}

#[test]
fn any_authenticator_signs_in_each_keeps_its_last_use_and_a_step_is_spent_for_all() {
    let portal = portal();
    let mut joe = account(&portal, joe(), JOE_PASSWORD);
    let (phone, _) = enroll(&portal, &mut joe, JOE_PASSWORD);
    let token = add(&portal, &mut joe, "  YubiKey 5  ", NOW + 30, 1);
    assert_eq!(names(&joe), [DEFAULT_AUTHENTICATOR_NAME, "YubiKey 5"]);
    let [first, second] = joe.authenticators() else {
        panic!("two authenticators")
    };
    assert_eq!((first.added_at(), second.added_at()), (NOW, NOW + 30));
    assert_eq!((first.last_used_at(), second.last_used_at()), (None, None));

    let at = NOW + 90;
    let signed_in = sign_in_totp(&portal, &mut joe, &code(&token, at), at).unwrap();
    assert_eq!(signed_in.via, Via::Totp);
    assert_eq!(joe.authenticators()[1].last_used_at(), Some(at));
    assert_eq!(joe.authenticators()[1].last_accepted_step(), Some(at / 30));
    assert_eq!(joe.authenticators()[0].last_used_at(), None);
    // The phone's code of the same step is refused: the step is spent for all.
    assert!(matches!(
        sign_in_totp(&portal, &mut joe, &code(&phone, at), at),
        Err(Error::Totp(countersign::totp::Error::Replayed { .. }))
    ));
    sign_in_totp(&portal, &mut joe, &code(&phone, at + 30), at + 30).unwrap();
    assert_eq!(
        joe.authenticators()[0].last_accepted_step(),
        Some((at + 30) / 30)
    );
    assert_eq!(joe.authenticators()[1].last_accepted_step(), Some(at / 30));
    // The token's code, again: a replay.
    assert!(matches!(
        sign_in_totp(&portal, &mut joe, &code(&token, at + 30), at + 30),
        Err(Error::Totp(countersign::totp::Error::Replayed { .. }))
    ));
}

#[test]
fn a_name_is_trimmed_bounded_free_of_control_characters_and_unique_per_contact() {
    let portal = portal();
    let mut joe = account(&portal, joe(), JOE_PASSWORD);
    enroll(&portal, &mut joe, JOE_PASSWORD);
    let permissions = seeded_permissions();
    let access = Access::new(&permissions).unwrap();
    let long = "x".repeat(AuthenticatorName::MAX_CHARS + 1);
    let fits = "é".repeat(AuthenticatorName::MAX_CHARS);
    assert!(
        AuthenticatorName::new(&fits).is_ok(),
        "characters, not bytes"
    );
    for bad in ["", "   ", long.as_str(), "Joe's\nphone", "tab\tname"] {
        let before = joe.clone();
        assert!(
            matches!(
                portal.begin_adding_authenticator(
                    &mut joe,
                    &access,
                    bad,
                    JOE_PASSWORD,
                    NOW,
                    &mut rng()
                ),
                Err(Error::InvalidAuthenticatorName { .. })
            ),
            "{bad:?}"
        );
        assert_eq!(joe, before, "nothing checked, nothing changed");
    }
    let duplicate = portal
        .begin_adding_authenticator(
            &mut joe,
            &access,
            " AUTHENTICATOR app",
            JOE_PASSWORD,
            NOW,
            &mut rng(),
        )
        .unwrap_err();
    assert!(
        matches!(&duplicate, Error::DuplicateAuthenticatorName { name } if name == "AUTHENTICATOR app"),
        "{duplicate}"
    );
}

#[test]
fn a_contact_holds_at_most_the_maximum_and_the_stored_state_stays_bounded() {
    let portal = portal();
    let mut joe = account(&portal, joe(), JOE_PASSWORD);
    enroll(&portal, &mut joe, JOE_PASSWORD);
    for n in 1..MAX_AUTHENTICATORS as u64 {
        add(&portal, &mut joe, &format!("token {n}"), NOW + 30 * n, n);
    }
    assert_eq!(joe.authenticators().len(), MAX_AUTHENTICATORS);
    let permissions = seeded_permissions();
    let access = Access::new(&permissions).unwrap();
    let refused = portal
        .begin_adding_authenticator(
            &mut joe,
            &access,
            "one more",
            JOE_PASSWORD,
            NOW + 600,
            &mut rng(),
        )
        .unwrap_err();
    assert!(
        matches!(refused, Error::TooManyAuthenticators { max: 10 }),
        "{refused}"
    );
    // The maximum itself, stored, loads back as it was.
    let mut value = serde_json::to_value(&joe).unwrap();
    assert_eq!(
        serde_json::from_value::<Account>(value.clone()).unwrap(),
        joe
    );
    // Eleven in a stored state: refused on read.
    let list = value["two_factor"]["authenticators"]
        .as_array_mut()
        .unwrap();
    let mut extra = list[0].clone();
    extra["name"] = "eleventh".into();
    list.push(extra);
    let error = refusal(value);
    assert!(
        error.contains("more authenticators than a contact may hold"),
        "{error}"
    );
}

#[test]
fn adding_needs_two_factor_on_the_gate_and_the_password() {
    let portal = portal();
    let mut contact = account(&portal, contact2(), CONTACT_PASSWORD);
    let none = no_permissions();
    let denied = Access::new(&none).unwrap();
    assert!(matches!(
        portal.begin_adding_authenticator(
            &mut contact,
            &denied,
            "phone",
            CONTACT_PASSWORD,
            NOW,
            &mut rng()
        ),
        Err(Error::NotEnrolled)
    ));
    let mut joe = account(&portal, joe(), JOE_PASSWORD);
    enroll(&portal, &mut joe, JOE_PASSWORD);
    let permissions = seeded_permissions();
    let access = Access::new(&permissions).unwrap();
    let failures = joe.throttles().get(Factor::Password).consecutive_failures();
    assert!(matches!(
        portal.begin_adding_authenticator(
            &mut joe,
            &access,
            "phone",
            "not the password at all",
            NOW,
            &mut rng()
        ),
        Err(Error::Password(countersign::password::Error::WrongPassword))
    ));
    assert_eq!(
        joe.throttles().get(Factor::Password).consecutive_failures(),
        failures + 1
    );
    assert!(!joe.enrollment_pending(NOW));
    // The first enrollment's confirmation does not complete an addition, nor the reverse.
    let started = portal
        .begin_adding_authenticator(
            &mut joe,
            &access,
            "phone",
            JOE_PASSWORD,
            NOW,
            &mut seeded(1),
        )
        .unwrap();
    assert_eq!(
        joe.pending_authenticator_name(NOW)
            .map(AuthenticatorName::as_str),
        Some("phone")
    );
    // Pending up to the second it expires, as `enrollment_pending` says.
    let expires_at = started.expires_at();
    assert!(joe.pending_authenticator_name(expires_at - 1).is_some());
    assert!(joe.enrollment_pending(expires_at - 1));
    assert!(joe.pending_authenticator_name(expires_at).is_none());
    assert!(!joe.enrollment_pending(expires_at));
    let app = app_for(&started.key_for_typing());
    assert!(matches!(
        portal.confirm_enrollment(&mut joe, &code(&app, NOW + 30), NOW + 30, &mut rng()),
        Err(Error::AlreadyEnrolled)
    ));
    assert!(portal.cancel_enrollment(&mut joe));
    assert!(matches!(
        portal.confirm_authenticator(&mut joe, &code(&app, NOW + 30), NOW + 30),
        Err(Error::NoPendingEnrollment)
    ));
    assert_eq!(joe.authenticators().len(), 1);
}

#[test]
fn removing_one_needs_the_password_and_the_last_one_stays() {
    let portal = portal();
    let mut joe = account(&portal, joe(), JOE_PASSWORD);
    let (phone, _) = enroll(&portal, &mut joe, JOE_PASSWORD);
    let token = add(&portal, &mut joe, "YubiKey", NOW + 30, 1);
    let at = NOW + 120;
    assert!(matches!(
        portal.remove_authenticator(
            &mut joe,
            "YubiKey",
            "not the password at all",
            at,
            &mut rng()
        ),
        Err(Error::Password(countersign::password::Error::WrongPassword))
    ));
    assert_eq!(joe.authenticators().len(), 2);
    assert!(matches!(
        portal.remove_authenticator(&mut joe, "a drawer", JOE_PASSWORD, at, &mut rng()),
        Err(Error::NoSuchAuthenticator)
    ));
    let prepared = portal.prepare_totp(&joe).unwrap();
    portal
        .remove_authenticator(&mut joe, "yubikey", JOE_PASSWORD, at, &mut rng())
        .unwrap();
    assert_eq!(names(&joe), [DEFAULT_AUTHENTICATOR_NAME]);
    assert!(matches!(
        portal.verify_totp(&mut joe, &prepared, &code(&phone, at), at),
        Err(Error::StaleVerifier)
    ));
    assert!(matches!(
        sign_in_totp(&portal, &mut joe, &code(&token, at), at),
        Err(Error::Totp(countersign::totp::Error::WrongCode))
    ));
    sign_in_totp(&portal, &mut joe, &code(&phone, at), at).unwrap();
    let before = joe.clone();
    assert!(matches!(
        portal.remove_authenticator(
            &mut joe,
            DEFAULT_AUTHENTICATOR_NAME,
            JOE_PASSWORD,
            at,
            &mut rng()
        ),
        Err(Error::LastAuthenticator)
    ));
    assert_eq!(joe, before, "no password was checked");
}

#[test]
fn disabling_two_factor_removes_every_authenticator_and_the_backup_codes() {
    let portal = portal();
    let mut joe = account(&portal, joe(), JOE_PASSWORD);
    let (phone, _) = enroll(&portal, &mut joe, JOE_PASSWORD);
    add(&portal, &mut joe, "YubiKey", NOW + 30, 1);
    let cookie = remember_device(&portal, &mut joe, &phone, NOW + 60);
    portal
        .disable_two_factor(&mut joe, JOE_PASSWORD, NOW + 90, &mut rng())
        .unwrap();
    assert!(joe.authenticators().is_empty());
    assert_eq!(joe.backup_codes_left(), None);
    assert!(
        joe.devices()
            .verify(portal.key_ring(), cookie.as_str(), NOW + 91)
            .is_err()
    );
}

/// A strict lane: one free failure, then waits; a hard lock after 100.
fn strict_portal() -> Portal {
    Portal::new(
        ServerKey::from_bytes([0x42; 32]),
        Settings {
            throttle: ThrottlePolicy::new(1, 60, 3_600).unwrap(),
            ..settings()
        },
    )
    .unwrap()
}

#[test]
fn several_authenticators_give_a_guesser_no_more_attempts_than_one() {
    // The admitted wrong guesses in ten minutes, with 1 and with 3 authenticators.
    let admitted = |extra: u64| {
        let portal = strict_portal();
        let mut joe = account(&portal, joe(), JOE_PASSWORD);
        let (phone, _) = enroll(&portal, &mut joe, JOE_PASSWORD);
        for n in 1..=extra {
            add(&portal, &mut joe, &format!("token {n}"), NOW + 30 * n, n);
        }
        let mut count = 0;
        for at in (NOW + 200..NOW + 800).step_by(5) {
            match sign_in_totp(&portal, &mut joe, &wrong(&code(&phone, at)), at) {
                Err(Error::Totp(_)) => count += 1,
                Err(Error::Throttled(_)) => {}
                other => panic!("{other:?}"),
            }
        }
        (count, joe)
    };
    let (one, _) = admitted(0);
    let (three, joe) = admitted(2);
    assert_eq!(one, three);
    // One failure on the contact lane per guess, and one on each authenticator.
    let lane = joe.throttles().get(Factor::Totp).consecutive_failures();
    assert_eq!(lane, u32::try_from(three).unwrap());
    for a in joe.authenticators() {
        assert_eq!(a.throttle().consecutive_failures(), lane, "{}", a.name());
    }
}

#[test]
fn a_success_resets_the_contact_lane_and_its_own_not_the_others() {
    let portal = strict_portal();
    let mut joe = account(&portal, joe(), JOE_PASSWORD);
    let (phone, _) = enroll(&portal, &mut joe, JOE_PASSWORD);
    let token = add(&portal, &mut joe, "YubiKey", NOW + 30, 1);
    // Three wrong guesses, each waited out.
    let mut at = NOW + 100;
    for _ in 0..3 {
        let _ = sign_in_totp(&portal, &mut joe, &wrong(&code(&phone, at)), at);
        at += 4_000;
    }
    assert_eq!(joe.authenticators()[1].throttle().consecutive_failures(), 3);
    sign_in_totp(&portal, &mut joe, &code(&phone, at), at).unwrap();
    assert_eq!(joe.throttles().get(Factor::Totp).consecutive_failures(), 0);
    assert_eq!(joe.authenticators()[0].throttle().consecutive_failures(), 0);
    assert_eq!(
        joe.authenticators()[1].throttle().consecutive_failures(),
        3,
        "the phone's sign-in does not reopen the token to a guesser"
    );
    // The token still works once its own wait is over (it is now).
    sign_in_totp(&portal, &mut joe, &code(&token, at + 30), at + 30).unwrap();
    assert_eq!(joe.authenticators()[1].throttle().consecutive_failures(), 0);
    // A code that matches one authenticator counts no failure on another.
    sign_in_totp(&portal, &mut joe, &code(&token, at + 60), at + 60).unwrap();
    assert_eq!(joe.authenticators()[0].throttle().consecutive_failures(), 0);
    // Unlock clears every lane, the authenticators' too.
    let _ = sign_in_totp(&portal, &mut joe, &wrong(&code(&phone, at + 90)), at + 90);
    joe.unlock();
    assert!(
        joe.authenticators()
            .iter()
            .all(|a| a.throttle().consecutive_failures() == 0)
    );
}

#[test]
fn regenerating_the_backup_codes_kills_the_old_set_and_needs_the_password() {
    let portal = portal();
    let mut joe = account(&portal, joe(), JOE_PASSWORD);
    let (_, old) = enroll(&portal, &mut joe, JOE_PASSWORD);
    let spend = |joe: &mut Account, code: &str, at| {
        let ticket = ticket(&portal, joe, JOE_PASSWORD, at);
        portal.complete_sign_in(
            joe,
            &ticket,
            SecondFactor::BackupCode(code),
            false,
            at,
            &mut rng(),
        )
    };
    spend(&mut joe, &old[0], NOW + 60).unwrap();
    assert!(matches!(
        portal.regenerate_backup_codes(&mut joe, "not the password at all", NOW + 90, &mut rng()),
        Err(Error::Password(countersign::password::Error::WrongPassword))
    ));
    assert_eq!(joe.backup_codes_left(), Some(9), "the old set stays");
    let renewed = portal
        .regenerate_backup_codes(&mut joe, JOE_PASSWORD, NOW + 120, &mut seeded(7))
        .unwrap();
    assert_eq!(
        renewed.message,
        countersign::notice::BACKUP_CODES_REGENERATED
    );
    assert_eq!(joe.backup_codes_left(), Some(10));
    assert!(matches!(
        spend(&mut joe, &old[1], NOW + 150),
        Err(Error::Totp(
            countersign::totp::Error::BackupCodeWrong { .. }
        ))
    ));
    let new = renewed
        .backup_codes
        .iter()
        .next()
        .unwrap()
        .expose()
        .to_owned();
    let signed_in = spend(&mut joe, &new, NOW + 180).unwrap();
    assert_eq!(signed_in.backup_codes_left, Some(9));
    let mut off = account(&portal, contact(), CONTACT_PASSWORD);
    assert!(matches!(
        portal.regenerate_backup_codes(&mut off, CONTACT_PASSWORD, NOW, &mut rng()),
        Err(Error::NotEnrolled)
    ));
}

#[test]
fn the_sign_in_result_counts_the_backup_codes_left_and_asks_to_regenerate_at_the_low_water_mark() {
    let portal = portal();
    let mut joe = account(&portal, joe(), JOE_PASSWORD);
    let (phone, codes) = enroll(&portal, &mut joe, JOE_PASSWORD);
    let by_app = sign_in_totp(&portal, &mut joe, &code(&phone, NOW + 60), NOW + 60).unwrap();
    assert_eq!(
        (by_app.backup_codes_left, by_app.backup_codes_low),
        (Some(10), false)
    );
    let mut at = NOW + 120;
    for (used, code) in codes.iter().take(7).enumerate() {
        let ticket = ticket(&portal, &mut joe, JOE_PASSWORD, at);
        let signed_in = portal
            .complete_sign_in(
                &mut joe,
                &ticket,
                SecondFactor::BackupCode(code),
                false,
                at,
                &mut rng(),
            )
            .unwrap();
        let left = 10 - used - 1;
        assert_eq!(signed_in.backup_codes_left, Some(left));
        assert_eq!(signed_in.backup_codes_low, left <= 3, "{left}");
        assert_eq!(portal.backup_codes_running_low(&joe), left <= 3);
        at += 60;
    }
    let by_app = sign_in_totp(&portal, &mut joe, &code(&phone, at), at).unwrap();
    assert_eq!(
        (by_app.backup_codes_left, by_app.backup_codes_low),
        (Some(3), true)
    );
}

#[test]
fn the_low_water_mark_is_a_validated_serde_setting() {
    let settings: Settings = serde_json::from_str(r#"{"backup_codes_low_water": 5}"#).unwrap();
    assert_eq!(settings.backup_codes_low_water, Some(5));
    assert_eq!(settings.low_water_mark(), 5);
    assert_eq!(Settings::default().backup_codes_low_water, None);
    assert_eq!(Settings::default().low_water_mark(), 3);
    let too_high: Settings = serde_json::from_str(r#"{"backup_codes_low_water": 10}"#).unwrap();
    assert!(matches!(
        Portal::new(ServerKey::generate(), too_high),
        Err(Error::InvalidSettings {
            setting: "backup_codes_low_water",
            ..
        })
    ));
}

#[test]
fn a_version_2_account_written_by_main_loads_unchanged_as_one_named_authenticator() {
    let secrets: serde_json::Value = serde_json::from_str(V2_SECRETS).unwrap();
    assert!(V2_ACCOUNT.contains(r#""v": 2"#));
    let portal = portal();
    let mut joe: Account = serde_json::from_str(V2_ACCOUNT).unwrap();
    let [only] = joe.authenticators() else {
        panic!("one authenticator")
    };
    assert_eq!(only.name().as_str(), DEFAULT_AUTHENTICATOR_NAME);
    assert_eq!(Some(only.added_at()), joe.two_factor_enabled_at());
    assert_eq!(only.added_at(), secrets["enabled_at"].as_u64().unwrap());
    assert_eq!(
        only.last_accepted_step(),
        secrets["last_accepted_step"].as_u64()
    );
    assert_eq!(only.last_used_at(), None, "version 2 did not record it");
    assert_eq!(joe.backup_codes_left(), Some(9));
    assert_eq!(joe.throttles().get(Factor::Totp).consecutive_failures(), 1);

    // Written back as the current version (4 since passkeys), it round-trips.
    let json = serde_json::to_string(&joe).unwrap();
    assert!(json.starts_with(r#"{"v":4,"#), "{json}");
    assert_eq!(serde_json::from_str::<Account>(&json).unwrap(), joe);

    // The stored step still refuses a replay; the next code, the used backup
    // code, an unused one and the device cookie behave as before.
    let app = app_for(secrets["totp_key_base32"].as_str().unwrap());
    let step = secrets["last_accepted_step"].as_u64().unwrap();
    let replay_at = step * 30;
    assert!(matches!(
        sign_in_totp(&portal, &mut joe, &code(&app, replay_at), replay_at + 10),
        Err(Error::Totp(countersign::totp::Error::Replayed { .. }))
    ));
    let at = replay_at + 600;
    sign_in_totp(&portal, &mut joe, &code(&app, at), at).unwrap();
    let backup = secrets["backup_codes"].as_array().unwrap();
    let ticket_at = |joe: &mut Account, at| ticket(&portal, joe, JOE_PASSWORD, at);
    let t = ticket_at(&mut joe, at + 30);
    assert!(matches!(
        portal.complete_sign_in(
            &mut joe,
            &t,
            SecondFactor::BackupCode(backup[0].as_str().unwrap()),
            false,
            at + 30,
            &mut rng()
        ),
        Err(Error::Totp(countersign::totp::Error::BackupCodeUsed { .. }))
    ));
    let t = ticket_at(&mut joe, at + 60);
    portal
        .complete_sign_in(
            &mut joe,
            &t,
            SecondFactor::BackupCode(backup[1].as_str().unwrap()),
            false,
            at + 60,
            &mut rng(),
        )
        .unwrap();
    let t = ticket_at(&mut joe, at + 90);
    let cookie = secrets["device_cookie"].as_str().unwrap();
    portal
        .complete_sign_in(
            &mut joe,
            &t,
            SecondFactor::RememberedDevice(cookie),
            false,
            at + 90,
            &mut rng(),
        )
        .unwrap();
}

#[test]
fn a_corrupt_version_3_two_factor_state_is_a_typed_error() {
    let portal = portal();
    let mut joe = account(&portal, joe(), JOE_PASSWORD);
    enroll(&portal, &mut joe, JOE_PASSWORD);
    add(&portal, &mut joe, "YubiKey", NOW + 30, 1);
    let good = serde_json::to_value(&joe).unwrap();
    let refused = |edit: &dyn Fn(&mut serde_json::Value), why: &str| {
        let mut bad = good.clone();
        edit(&mut bad);
        let error = refusal(bad);
        assert!(error.contains(why), "{why}: {error}");
    };
    refused(
        &|v| v["two_factor"]["authenticators"][1]["name"] = "authenticator APP".into(),
        "two authenticators share a name",
    );
    refused(
        &|v| v["two_factor"]["authenticators"] = serde_json::json!([]),
        "two-factor is on with no authenticator",
    );
    refused(
        &|v| {
            let t = v["two_factor"].as_object_mut().unwrap();
            t.remove("authenticators");
        },
        "without its authenticators",
    );
    // Each field of a version 2 authenticator, alone.
    refused(
        &|v| v["two_factor"]["secret"] = v["two_factor"]["authenticators"][0]["secret"].clone(),
        "a version 3 two-factor state with a version 2 authenticator",
    );
    refused(
        &|v| v["two_factor"]["config"] = v["two_factor"]["authenticators"][0]["config"].clone(),
        "a version 3 two-factor state with a version 2 authenticator",
    );
    refused(
        &|v| v["two_factor"]["last_accepted_step"] = 5.into(),
        "a version 3 two-factor state with a version 2 authenticator",
    );
    refused(
        &|v| {
            // A version 3 state (as written before passkeys) claiming version 2.
            v["v"] = 2.into();
            let fields = v.as_object_mut().unwrap();
            fields.remove("passkeys");
            fields.remove("spent_passkey_challenges");
        },
        "authenticators in a format before version 3",
    );
    refused(
        &|v| v["two_factor"]["authenticators"][0]["name"] = " padded".into(),
        "a stored name is not trimmed",
    );
    refused(
        &|v| v["two_factor"]["authenticators"][0]["name"] = "".into(),
        "the name is empty",
    );
    refused(
        &|v| v["two_factor"]["authenticators"][0]["throttle"]["factor"] = "password".into(),
        "an authenticator's throttle guards another factor",
    );
    // A version 2 state missing its step (present as null is fine, absent is not).
    let mut v2: serde_json::Value = serde_json::from_str(V2_ACCOUNT).unwrap();
    v2["two_factor"]["last_accepted_step"] = serde_json::Value::Null;
    assert!(serde_json::from_value::<Account>(v2.clone()).is_ok());
    v2["two_factor"]
        .as_object_mut()
        .unwrap()
        .remove("last_accepted_step");
    let error = refusal(v2);
    assert!(
        error.contains("without its secret, parameters or step"),
        "{error}"
    );
    // A pending addition must be named in version 3, and cannot be in version 2.
    let permissions = seeded_permissions();
    let access = Access::new(&permissions).unwrap();
    portal
        .begin_adding_authenticator(
            &mut joe,
            &access,
            "phone",
            JOE_PASSWORD,
            NOW + 60,
            &mut seeded(2),
        )
        .unwrap();
    let mut pending = serde_json::to_value(&joe).unwrap();
    assert_eq!(
        serde_json::from_value::<Account>(pending.clone()).unwrap(),
        joe
    );
    pending["pending_enrollment"]
        .as_object_mut()
        .unwrap()
        .remove("name");
    let error = refusal(pending);
    assert!(
        error.contains("a version 3 pending enrollment without a name"),
        "{error}"
    );
}

#[test]
fn invisible_and_look_alike_names_are_refused() {
    let portal = portal();
    let mut joe = account(&portal, joe(), JOE_PASSWORD);
    enroll(&portal, &mut joe, JOE_PASSWORD);
    for bad in [
        "\u{202E}enohp s'eoJ",
        "x\u{2066}y",
        "\u{200B}",
        "\u{FEFF}",
        "\u{115F}",
        "\u{1160}",
        "\u{3164}",
        "\u{FFA0}",
        "a\u{00AD}b",
        "a\u{034F}b",
        "a\u{FE0F}b",
        "a\u{E0100}b",
        "a\u{2028}b",
        "a\u{2029}b",
        "a\u{0085}b",
        "Authenticator app\u{200B}",
    ] {
        assert!(
            matches!(
                AuthenticatorName::new(bad),
                Err(Error::InvalidAuthenticatorName { .. })
            ),
            "{bad:?}"
        );
    }
    // Stored NFC: the decomposed spelling is stored composed.
    let decomposed = AuthenticatorName::new("Jose\u{301}").unwrap();
    assert_eq!(decomposed.as_str(), "Jos\u{E9}");
    // Compatibility look-alikes are one name: full-width, ligatures, composition.
    let composed = AuthenticatorName::new("Jos\u{E9}").unwrap();
    assert!(composed.same_as(&decomposed));
    assert!(
        AuthenticatorName::new("\u{FF2A}OS\u{C9}")
            .unwrap()
            .same_as(&composed)
    );
    assert!(
        AuthenticatorName::new("\u{FB01}le")
            .unwrap()
            .same_as(&AuthenticatorName::new("file").unwrap())
    );
    add(&portal, &mut joe, "Jos\u{E9}", NOW + 30, 1);
    let permissions = seeded_permissions();
    let access = Access::new(&permissions).unwrap();
    for twin in ["Jose\u{301}", "JOS\u{C9}", "\u{FF2A}os\u{E9}"] {
        assert!(
            matches!(
                portal.begin_adding_authenticator(
                    &mut joe,
                    &access,
                    twin,
                    JOE_PASSWORD,
                    NOW + 60,
                    &mut rng()
                ),
                Err(Error::DuplicateAuthenticatorName { .. })
            ),
            "{twin:?}"
        );
    }
    // A stored state with such a name is refused with a typed error.
    let good = serde_json::to_value(&joe).unwrap();
    for (name, why) in [
        ("Authenticator app\u{200B}", "invisible"),
        ("Jose\u{301}", "not normalized"),
        (
            "\u{FF21}uthenticator app",
            "two authenticators share a name",
        ),
    ] {
        let mut bad = good.clone();
        bad["two_factor"]["authenticators"][1]["name"] = name.into();
        let error = refusal(bad);
        assert!(error.contains(why), "{name:?}: {error}");
    }
}

#[test]
fn a_stored_state_with_one_secret_twice_is_refused() {
    let portal = portal();
    let mut joe = account(&portal, joe(), JOE_PASSWORD);
    enroll(&portal, &mut joe, JOE_PASSWORD);
    add(&portal, &mut joe, "YubiKey", NOW + 30, 1);
    let good = serde_json::to_value(&joe).unwrap();
    let mut copied = good.clone();
    copied["two_factor"]["authenticators"][1]["secret"] =
        good["two_factor"]["authenticators"][0]["secret"].clone();
    let error = refusal(copied);
    assert!(
        error.contains("two authenticators share a sealed secret"),
        "{error}"
    );
    // The same ciphertext under another nonce, or the same nonce, is refused too.
    for field in ["nonce", "sealed"] {
        let mut half = good.clone();
        half["two_factor"]["authenticators"][1]["secret"][field] =
            good["two_factor"]["authenticators"][0]["secret"][field].clone();
        if field == "sealed" {
            // Lengths match (the same secret size), so only the check refuses it.
            assert_eq!(
                good["two_factor"]["authenticators"][0]["secret"]["sealed"]
                    .as_str()
                    .unwrap()
                    .len(),
                good["two_factor"]["authenticators"][1]["secret"]["sealed"]
                    .as_str()
                    .unwrap()
                    .len()
            );
        }
        let error = refusal(half);
        assert!(
            error.contains("two authenticators share a sealed secret"),
            "{field}: {error}"
        );
    }
}

#[test]
fn a_step_accepted_on_one_authenticator_is_spent_for_all() {
    let portal = portal();
    let mut joe = account(&portal, joe(), JOE_PASSWORD);
    let (phone, _) = enroll(&portal, &mut joe, JOE_PASSWORD);
    let token = add(&portal, &mut joe, "YubiKey", NOW + 30, 1);
    let at = NOW + 300;
    sign_in_totp(&portal, &mut joe, &code(&token, at), at).unwrap();
    assert!(matches!(
        sign_in_totp(&portal, &mut joe, &code(&phone, at + 1), at + 1),
        Err(Error::Totp(countersign::totp::Error::Replayed { .. }))
    ));
    sign_in_totp(&portal, &mut joe, &code(&phone, at + 30), at + 30).unwrap();
}

#[test]
fn confirming_an_addition_leaves_the_contact_lane_alone() {
    let portal = strict_portal();
    let mut joe = account(&portal, joe(), JOE_PASSWORD);
    let (phone, _) = enroll(&portal, &mut joe, JOE_PASSWORD);
    let mut at = NOW + 100;
    for _ in 0..3 {
        let _ = sign_in_totp(&portal, &mut joe, &wrong(&code(&phone, at)), at);
        at += 4_000;
    }
    assert_eq!(joe.throttles().get(Factor::Totp).consecutive_failures(), 3);
    add(&portal, &mut joe, "YubiKey", at, 1);
    assert_eq!(
        joe.throttles().get(Factor::Totp).consecutive_failures(),
        3,
        "only a sign-in code resets the contact lane"
    );
}

#[test]
fn an_unreadable_secret_does_not_block_the_other_authenticators() {
    use countersign::key_ring::KeyRing;
    let old = || ServerKey::from_bytes([0x42; 32]);
    let new = || ServerKey::from_bytes([0x43; 32]);
    let both = Portal::new(
        KeyRing::from(old())
            .rotate("2027-01".parse().unwrap(), new())
            .unwrap(),
        settings(),
    )
    .unwrap();
    let portal = portal();
    let mut joe = account(&portal, joe(), JOE_PASSWORD);
    enroll(&portal, &mut joe, JOE_PASSWORD);
    // Added under the new key: the first stays sealed under the old one.
    let token = add(&both, &mut joe, "YubiKey", NOW + 30, 1);
    let only_new =
        Portal::new(KeyRing::new("2027-01".parse().unwrap(), new()), settings()).unwrap();
    let prepared = only_new.prepare_totp(&joe).unwrap();
    let at = NOW + 300;
    // A wrong code is compared with the one that opened only: the other's lane is
    // not failed for a code it was never compared with.
    let unread = joe.authenticators()[0].throttle().clone();
    assert!(
        only_new
            .verify_totp(&mut joe, &prepared, &wrong(&code(&token, at)), at)
            .is_err()
    );
    assert_eq!(joe.authenticators()[0].throttle(), &unread);
    assert_eq!(joe.authenticators()[1].throttle().consecutive_failures(), 1);
    only_new
        .verify_totp(&mut joe, &prepared, &code(&token, at), at)
        .unwrap();
    // Nothing opens: the error is returned.
    let none = Portal::new(ServerKey::from_bytes([0x44; 32]), settings()).unwrap();
    assert!(none.prepare_totp(&joe).is_err());
}

#[test]
fn the_low_water_mark_follows_a_small_backup_code_count() {
    let params = serde_json::to_value(countersign::totp::KdfParams::new(8, 1, 1).unwrap()).unwrap();
    for count in 1..=3 {
        // A configuration that was valid before the low-water mark, without it.
        let settings: Settings = serde_json::from_value(serde_json::json!({
            "backup_codes": { "count": count, "params": params }
        }))
        .unwrap();
        assert_eq!(settings.low_water_mark(), count - 1);
        let portal = Portal::new(ServerKey::generate(), settings);
        assert!(portal.is_ok(), "count {count}: {:?}", portal.err());
    }
    // Set explicitly, the mark must still be below the count.
    let mut settings = Settings::default();
    settings.backup_codes.count = 2;
    settings.backup_codes_low_water = Some(2);
    assert!(matches!(
        Portal::new(ServerKey::generate(), settings),
        Err(Error::InvalidSettings {
            setting: "backup_codes_low_water",
            ..
        })
    ));
}
