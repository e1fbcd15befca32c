//! One test per seed recipe: the flows as the help articles walk them.

mod fixtures;

use countersign::one_time::{Channel, Purpose};
use countersign::{Access, PasswordStep, SecondFactor, Via, notice};
use fixtures::*;

#[test]
fn seed_000_joe_enables_two_factor() {
    let portal = portal();
    let mut joe = account(&portal, joe(), JOE_PASSWORD);
    // The primary contact needs no grant at all.
    let permissions = no_permissions();
    let access = Access::new(&permissions).unwrap();
    let started = portal
        .begin_enrollment(&mut joe, &access, JOE_PASSWORD, NOW, &mut rng())
        .unwrap();
    assert!(joe.enrollment_pending(NOW));
    assert!(!joe.two_factor_enabled());
    let typed = started.key_for_typing();
    assert_eq!(typed.replace(' ', "").len(), 32, "160 bits in base32");
    assert!(typed.split(' ').all(|group| group.len() == 4));
    let uri = started.otpauth_uri();
    assert!(
        uri.starts_with("otpauth://totp/Vivio%20Portal:joe.example?"),
        "{}",
        uri.as_str()
    );
    assert!(uri.contains("issuer=Vivio%20Portal"));
    #[cfg(feature = "qr")]
    {
        // Both drawings are of the pop-up's key URI (the totp crate's tests decode
        // them with zbar).
        assert!(started.qr_svg().unwrap().contains("<svg"));
        assert_eq!(
            *started.qr_svg().unwrap(),
            *started.key_uri().qr_svg().unwrap()
        );
        assert_eq!(
            *started.qr_terminal().unwrap(),
            *started.key_uri().qr_terminal().unwrap()
        );
    }

    let app = app_for(&typed);
    let done = portal
        .confirm_enrollment(&mut joe, &code(&app, NOW + 40), NOW + 40, &mut rng())
        .unwrap();
    assert_eq!(done.message, "Success: Two-Factor Enrollment Complete.");
    assert_eq!(done.backup_codes.len(), 10);
    assert!(joe.two_factor_enabled());
    assert!(!joe.enrollment_pending(NOW + 40));
    assert_eq!(joe.backup_codes_left(), Some(10));

    // No plain secret in what is stored: not the key, not a backup code.
    let stored = serde_json::to_string(&joe).unwrap();
    assert!(!stored.contains(&typed.replace(' ', "")));
    for code in &done.backup_codes {
        assert!(!stored.contains(code.expose()));
    }
    assert!(!stored.contains(JOE_PASSWORD));
}

#[test]
fn seed_000_joe_disables_two_factor() {
    let portal = portal();
    let mut joe = account(&portal, joe(), JOE_PASSWORD);
    let (app, _) = enroll(&portal, &mut joe, JOE_PASSWORD);
    let PasswordStep::SecondFactorRequired(ticket) = portal
        .sign_in(&mut joe, JOE_PASSWORD, NOW + 60, &mut rng())
        .unwrap()
    else {
        panic!("two-factor is on")
    };
    let signed_in = portal
        .complete_sign_in(
            &mut joe,
            &ticket,
            SecondFactor::Totp(&code(&app, NOW + 60)),
            true,
            NOW + 60,
            &mut rng(),
        )
        .unwrap();
    assert!(signed_in.device_token.is_some());
    assert_eq!(joe.devices().devices().len(), 1);

    let message = portal
        .disable_two_factor(&mut joe, JOE_PASSWORD, NOW + 120, &mut rng())
        .unwrap();
    assert_eq!(message, notice::TWO_FACTOR_DISABLED);
    assert!(!joe.two_factor_enabled());
    assert_eq!(joe.backup_codes_left(), None, "backup codes die with it");
    assert!(
        joe.devices().devices().is_empty(),
        "so do remembered devices"
    );
    // "no longer required the next time you log in"
    assert!(matches!(
        portal.sign_in(&mut joe, JOE_PASSWORD, NOW + 180, &mut rng()),
        Ok(PasswordStep::SignedIn(s)) if s.via == Via::Password
    ));
}

#[test]
fn seed_000_contact_allowed_client_profile_view_enables_two_factor() {
    let portal = portal();
    let mut contact = account(&portal, contact(), CONTACT_PASSWORD);
    let permissions = seeded_permissions();
    let access = Access::new(&permissions).unwrap();
    let started = portal
        .begin_enrollment(&mut contact, &access, CONTACT_PASSWORD, NOW, &mut rng())
        .unwrap();
    let app = app_for(&started.key_for_typing());
    let done = portal
        .confirm_enrollment(&mut contact, &code(&app, NOW), NOW, &mut rng())
        .unwrap();
    assert_eq!(done.message, notice::ENROLLMENT_COMPLETE);
}

#[test]
fn seed_001_cancel_leaves_two_factor_off() {
    let portal = portal();
    let mut joe = account(&portal, joe(), JOE_PASSWORD);
    let started = portal
        .begin_enrollment(&mut joe, &|_, _| false, JOE_PASSWORD, NOW, &mut rng())
        .unwrap();
    let app = app_for(&started.key_for_typing());
    assert!(portal.cancel_enrollment(&mut joe));
    assert!(!joe.two_factor_enabled());
    assert!(matches!(
        portal.confirm_enrollment(&mut joe, &code(&app, NOW), NOW, &mut rng()),
        Err(countersign::Error::NoPendingEnrollment)
    ));
}

#[test]
fn seed_003_login_by_username_or_client_id() {
    let portal = portal();
    let mut joe = account(&portal, joe(), JOE_PASSWORD);
    let contact = account(&portal, contact(), CONTACT_PASSWORD);
    for login in ["joe.example", "Joe.Example", "1707", " 1707 "] {
        assert!(joe.profile().answers_to(login), "{login}");
    }
    assert!(
        !contact.profile().answers_to("1707"),
        "the client ID names the primary contact"
    );
    assert!(contact.profile().answers_to("contact.example"));
    let step = portal
        .sign_in(&mut joe, JOE_PASSWORD, NOW, &mut rng())
        .unwrap();
    assert!(matches!(step, PasswordStep::SignedIn(s) if s.via == Via::Password));
}

#[test]
fn seed_003_password_reset_with_an_emailed_code() {
    let portal = portal();
    let mut joe = account(&portal, joe(), JOE_PASSWORD);
    let email = portal
        .request_password_reset(&mut joe, NOW, &mut rng())
        .unwrap();
    assert_eq!(email.purpose, Purpose::EmailPasswordReset);
    assert_eq!(email.purpose.channel(), Channel::Email);
    assert_eq!(email.destination, "marketing@viviotech.net");
    assert_eq!(email.code.as_str().len(), 8);
    assert_eq!(
        email.expires_at,
        NOW + 15 * 60,
        "this code will quickly expire"
    );
    let stored = serde_json::to_string(&joe).unwrap();
    assert!(!stored.contains(email.code.as_str()));

    let new_password = "Tulips on the balcony, seven of them";
    let done = portal
        .reset_password(
            &mut joe,
            email.code.as_str(),
            new_password,
            NOW + 60,
            &mut rng(),
        )
        .unwrap();
    assert_eq!(done, notice::PASSWORD_RESET);
    assert!(
        portal
            .sign_in(&mut joe, new_password, NOW + 61, &mut rng())
            .is_ok()
    );
    assert!(
        portal
            .sign_in(&mut joe, JOE_PASSWORD, NOW + 62, &mut rng())
            .is_err()
    );
}

#[test]
fn seed_003_reset_refuses_a_password_that_breaks_the_rules() {
    let portal = portal();
    let mut joe = account(&portal, joe(), JOE_PASSWORD);
    let email = portal
        .request_password_reset(&mut joe, NOW, &mut rng())
        .unwrap();
    for bad in ["short", "joe.example", "marketing@viviotech.net"] {
        let err = portal
            .reset_password(&mut joe, email.code.as_str(), bad, NOW + 1, &mut rng())
            .unwrap_err();
        assert!(
            matches!(err, countersign::Error::PasswordRejected { .. }),
            "{bad}: {err}"
        );
    }
    // The refusals did not spend the code.
    assert!(
        portal
            .reset_password(
                &mut joe,
                email.code.as_str(),
                "a perfectly fine passphrase",
                NOW + 2,
                &mut rng()
            )
            .is_ok()
    );
}

#[test]
fn seed_004_login_with_the_app_and_remember_the_device() {
    let portal = portal();
    let mut joe = account(&portal, joe(), JOE_PASSWORD);
    let (app, _) = enroll(&portal, &mut joe, JOE_PASSWORD);
    let at = NOW + 3_600;
    let PasswordStep::SecondFactorRequired(ticket) = portal
        .sign_in(&mut joe, JOE_PASSWORD, at, &mut rng())
        .unwrap()
    else {
        panic!()
    };
    let signed_in = portal
        .complete_sign_in(
            &mut joe,
            &ticket,
            SecondFactor::Totp(&code(&app, at)),
            true,
            at,
            &mut rng(),
        )
        .unwrap();
    assert_eq!(signed_in.via, Via::Totp);
    let cookie = signed_in.device_token.unwrap();
    assert_eq!(joe.last_accepted_step(), Some(at / 30));

    // 29 days later: the device stands in for the code.
    let later = at + 29 * 86_400;
    let PasswordStep::SecondFactorRequired(ticket) = portal
        .sign_in(&mut joe, JOE_PASSWORD, later, &mut rng())
        .unwrap()
    else {
        panic!()
    };
    let again = portal
        .complete_sign_in(
            &mut joe,
            &ticket,
            SecondFactor::RememberedDevice(cookie.as_str()),
            true,
            later,
            &mut rng(),
        )
        .unwrap();
    assert_eq!(again.via, Via::RememberedDevice);
    assert!(again.device_token.is_none(), "already remembered");

    // 31 days after: no longer.
    let after = at + 31 * 86_400;
    let PasswordStep::SecondFactorRequired(ticket) = portal
        .sign_in(&mut joe, JOE_PASSWORD, after, &mut rng())
        .unwrap()
    else {
        panic!()
    };
    assert!(matches!(
        portal.complete_sign_in(
            &mut joe,
            &ticket,
            SecondFactor::RememberedDevice(cookie.as_str()),
            false,
            after,
            &mut rng()
        ),
        Err(countersign::Error::DeviceTokenExpired { .. })
    ));
}

#[test]
fn seed_004_login_with_an_sms_code() {
    let portal = portal();
    let mut joe = account(&portal, joe(), JOE_PASSWORD);
    enroll(&portal, &mut joe, JOE_PASSWORD);
    let PasswordStep::SecondFactorRequired(ticket) = portal
        .sign_in(&mut joe, JOE_PASSWORD, NOW + 60, &mut rng())
        .unwrap()
    else {
        panic!()
    };
    let sms = portal
        .send_sms_code(&mut joe, &ticket, NOW + 60, &mut rng())
        .unwrap();
    assert_eq!(sms.purpose.channel(), Channel::Sms);
    assert_eq!(sms.destination, "+1 509 555 0100");
    assert_eq!(sms.code.as_str().len(), 6);
    assert_eq!(sms.expires_at, NOW + 60 + 300);
    let signed_in = portal
        .complete_sign_in(
            &mut joe,
            &ticket,
            SecondFactor::SmsCode(sms.code.as_str()),
            false,
            NOW + 90,
            &mut rng(),
        )
        .unwrap();
    assert_eq!(signed_in.via, Via::SmsCode);
}

#[test]
fn seed_004_no_cell_phone_no_sms() {
    let portal = portal();
    let mut contact = account(&portal, contact(), CONTACT_PASSWORD);
    enroll(&portal, &mut contact, CONTACT_PASSWORD);
    let PasswordStep::SecondFactorRequired(ticket) = portal
        .sign_in(&mut contact, CONTACT_PASSWORD, NOW + 60, &mut rng())
        .unwrap()
    else {
        panic!()
    };
    assert!(matches!(
        portal.send_sms_code(&mut contact, &ticket, NOW + 60, &mut rng()),
        Err(countersign::Error::NoCellPhone)
    ));
}

#[test]
fn seed_004_backup_codes_after_setup_each_work_once() {
    let portal = portal();
    let mut joe = account(&portal, joe(), JOE_PASSWORD);
    let (_, backup) = enroll(&portal, &mut joe, JOE_PASSWORD);
    for (i, code) in backup.iter().take(3).enumerate() {
        // One sign-in per ticket (issue 12, defect 3).
        let PasswordStep::SecondFactorRequired(ticket) = portal
            .sign_in(&mut joe, JOE_PASSWORD, NOW + 60, &mut rng())
            .unwrap()
        else {
            panic!()
        };
        let typed = code.to_uppercase();
        let signed_in = portal
            .complete_sign_in(
                &mut joe,
                &ticket,
                SecondFactor::BackupCode(&typed),
                false,
                NOW + 61 + i as u64,
                &mut rng(),
            )
            .unwrap();
        assert_eq!(signed_in.via, Via::BackupCode);
        assert_eq!(signed_in.backup_codes_left, Some(9 - i));
    }
}

#[test]
fn the_account_state_round_trips_through_json() {
    let portal = portal();
    let mut joe = account(&portal, joe(), JOE_PASSWORD);
    let (app, _) = enroll(&portal, &mut joe, JOE_PASSWORD);
    let json = serde_json::to_string(&joe).unwrap();
    assert!(json.starts_with(r#"{"v":4,"revision":"#), "{json}");
    let mut back: countersign::Account = serde_json::from_str(&json).unwrap();
    assert_eq!(back, joe);
    // The stored state still signs in.
    let at = NOW + 600;
    let PasswordStep::SecondFactorRequired(ticket) = portal
        .sign_in(&mut back, JOE_PASSWORD, at, &mut rng())
        .unwrap()
    else {
        panic!()
    };
    assert!(
        portal
            .complete_sign_in(
                &mut back,
                &ticket,
                SecondFactor::Totp(&code(&app, at)),
                false,
                at,
                &mut rng()
            )
            .is_ok()
    );
}

#[test]
fn seed_002_account_wide_code_set_viewed_and_verified() {
    use countersign::security_codes::{Client, Whose};
    let portal = portal();
    let joe_account = account(&portal, joe(), JOE_PASSWORD);
    let contact2_account = account(&portal, contact2(), CONTACT_PASSWORD);
    let permissions = seeded_permissions();
    let access = Access::new(&permissions).unwrap();
    let mut client = Client::new(1707);

    let message = portal
        .set_account_code(
            &mut client,
            joe_account.profile(),
            &access,
            "Lighthouse-42-Oak",
            NOW,
        )
        .unwrap();
    assert_eq!(message, "Success: Account information updated.");
    assert!(client.has_security_code());
    let stored = serde_json::to_string(&client).unwrap();
    assert!(!stored.to_lowercase().contains("lighthouse"), "{stored}");

    // Contact Example 2 was allowed "Profile: View" (seed 002, steps 6-8).
    let seen = portal
        .view_account_code(&client, contact2_account.profile(), &access)
        .unwrap()
        .unwrap();
    assert_eq!(seen.expose(), "Lighthouse-42-Oak");

    // Support: the caller reads it out; the agent learns it is the account-wide code.
    let whose = portal
        .verify_caller(
            &mut client,
            &[&joe_account, &contact2_account],
            "lighthouse 42 oak",
            NOW + 60,
        )
        .unwrap();
    assert_eq!(whose, Whose::AccountWide);
}

#[test]
fn seed_002_individual_codes_for_other_users() {
    use countersign::security_codes::{Client, Whose};
    let portal = portal();
    let joe_account = account(&portal, joe(), JOE_PASSWORD);
    let mut contact_account = account(&portal, contact(), CONTACT_PASSWORD);
    let mut contact2_account = account(&portal, contact2(), CONTACT_PASSWORD);
    let permissions = seeded_permissions();
    let access = Access::new(&permissions).unwrap();
    let mut client = Client::new(1707);
    portal
        .set_account_code(
            &mut client,
            joe_account.profile(),
            &access,
            "Lighthouse-42-Oak",
            NOW,
        )
        .unwrap();

    // Joe creates a code for Contact Example 2 ("Success: Contact updated.").
    let message = portal
        .set_contact_code(
            &mut contact2_account,
            joe_account.profile(),
            &access,
            "Marmot-Ridge-77",
            NOW,
        )
        .unwrap();
    assert_eq!(message, notice::CONTACT_UPDATED);
    // Contact Example 2 has "Manage Contacts: View and Update": may view and change it.
    let own = contact2_account.profile().clone();
    let seen = portal
        .view_contact_code(&contact2_account, &own, &access)
        .unwrap()
        .unwrap();
    assert_eq!(seen.expose(), "Marmot-Ridge-77");
    portal
        .set_contact_code(
            &mut contact2_account,
            &own,
            &access,
            "Copper-Kettle-19",
            NOW + 1,
        )
        .unwrap();
    // Joe also gives Contact Example one.
    portal
        .set_contact_code(
            &mut contact_account,
            joe_account.profile(),
            &access,
            "Velvet-Harbor-63",
            NOW,
        )
        .unwrap();

    let contacts = [&joe_account, &contact_account, &contact2_account];
    let whose = portal
        .verify_caller(&mut client, &contacts, "COPPER KETTLE 19", NOW + 60)
        .unwrap();
    assert_eq!(
        whose,
        Whose::Contact {
            contact_id: 3526,
            name: "Contact Example 2".into()
        }
    );
    let whose = portal
        .verify_caller(&mut client, &contacts, "velvet-harbor-63", NOW + 61)
        .unwrap();
    assert!(matches!(
        whose,
        Whose::Contact {
            contact_id: 3523,
            ..
        }
    ));
    assert!(
        matches!(
            portal.verify_caller(&mut client, &contacts, "Marmot-Ridge-77", NOW + 62),
            Err(countersign::Error::WrongSecurityCode)
        ),
        "the changed code no longer works"
    );
}

#[test]
fn a_service_keeps_a_prepared_verifier_per_account() {
    let portal = portal();
    let mut joe = account(&portal, joe(), JOE_PASSWORD);
    let (app, _) = enroll(&portal, &mut joe, JOE_PASSWORD);
    let prepared = portal.prepare_totp(&joe).unwrap();
    assert!(!format!("{prepared:?}").contains("secret"));
    for minutes in [5u64, 60, 600] {
        let at = NOW + minutes * 60;
        let PasswordStep::SecondFactorRequired(ticket) = portal
            .sign_in(&mut joe, JOE_PASSWORD, at, &mut rng())
            .unwrap()
        else {
            panic!()
        };
        let typed = code(&app, at);
        let signed_in = portal
            .complete_sign_in(
                &mut joe,
                &ticket,
                SecondFactor::PreparedTotp(&prepared, &typed),
                false,
                at,
                &mut rng(),
            )
            .unwrap();
        assert_eq!(signed_in.via, Via::Totp);
        assert_eq!(joe.last_accepted_step(), Some(at / 30));
        let stored = serde_json::to_string(&ticket).unwrap();
        assert!(stored.starts_with(r#"{"v":2,"#), "{stored}");
    }
}
