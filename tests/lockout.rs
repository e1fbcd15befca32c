//! Issue 12, "Lockout that cannot be used for denial of service": each test is
//! named after what it proves, and failed on the code before its fix (or with the
//! fix reverted, for the flows the fix added).

mod fixtures;

use countersign::throttle::{Factor, Throttle, ThrottlePolicy};
use countersign::{Error, SecondFactor};
use fixtures::*;

#[test]
fn one_attempt_at_the_end_of_time_does_not_lock_the_throttle_forever() {
    let policy = ThrottlePolicy::new(0, 60, 900)
        .unwrap()
        .with_hard_lock(100)
        .unwrap();
    let glitched = Throttle::new(Factor::Password)
        .admit(&policy, u64::MAX)
        .unwrap()
        .failed();
    // Back at the real time, the glitched failure time imposes no wait; the
    // failure itself still counts.
    let real = NOW;
    let attempt = glitched.admit(&policy, real);
    assert!(attempt.is_ok(), "{:?}", attempt.unwrap_err());
    let next = attempt.unwrap().failed();
    assert_eq!(next.consecutive_failures(), 2);
    assert_eq!(
        next.admit(&policy, real).unwrap_err().retry_at(),
        Some(real + 120)
    );
}

#[test]
fn wrong_reset_codes_do_not_throttle_sms_login() {
    let portal = portal();
    let mut joe = account(&portal, joe(), JOE_PASSWORD);
    enroll(&portal, &mut joe, JOE_PASSWORD);
    // Anyone who knows the username: request resets and type wrong codes.
    let mut at = NOW + 10;
    for _ in 0..12 {
        let _ = portal.request_password_reset(&mut joe, at, &mut rng());
        for _ in 0..3 {
            match portal.reset_password(
                &mut joe,
                "00000000",
                "a perfectly fine passphrase",
                at,
                &mut rng(),
            ) {
                Err(Error::Throttled(refused)) => at = refused.retry_at().unwrap_or(at),
                _ => at += 1,
            }
        }
    }
    // One more the moment the back-off ends, so that it runs again.
    let _ = portal.request_password_reset(&mut joe, at, &mut rng());
    while let Err(Error::Throttled(refused)) = portal.reset_password(
        &mut joe,
        "00000000",
        "a perfectly fine passphrase",
        at,
        &mut rng(),
    ) {
        at = refused.retry_at().unwrap_or(at);
    }
    at += 1;
    // Joe signs in by SMS: his SMS code is not throttled by the attacker's failures.
    let ticket = ticket(&portal, &mut joe, JOE_PASSWORD, at);
    let sms = portal
        .send_sms_code(&mut joe, &ticket, at, &mut rng())
        .unwrap();
    let signed_in = portal.complete_sign_in(
        &mut joe,
        &ticket,
        SecondFactor::SmsCode(sms.code.as_str()),
        false,
        at,
        &mut rng(),
    );
    assert!(signed_in.is_ok(), "{signed_in:?}");
}

#[test]
fn wrong_passwords_never_lock_the_account_by_default() {
    let portal = portal();
    let mut joe = account(&portal, joe(), JOE_PASSWORD);
    let policy = portal.settings().throttle;
    let mut at = NOW;
    for _ in 0..150 {
        if let Err(Error::Throttled(refused)) =
            portal.sign_in(&mut joe, "definitely the wrong one", at, &mut rng())
        {
            let retry = refused.retry_at().expect("a back-off, never a lock");
            assert!(retry <= at + 15 * 60, "the wait is capped");
            at = retry;
            assert!(
                portal
                    .sign_in(&mut joe, "definitely the wrong one", at, &mut rng())
                    .is_err()
            );
        }
        at += 1;
    }
    let _ = policy;
    let retry = joe
        .throttles()
        .get(Factor::Password)
        .retry_at(&portal.settings().throttle)
        .unwrap_or(at);
    assert!(
        portal
            .sign_in(&mut joe, JOE_PASSWORD, retry.max(at), &mut rng())
            .is_ok()
    );
}

#[test]
fn password_reset_requests_are_bounded_per_hour() {
    let portal = portal();
    let mut joe = account(&portal, joe(), JOE_PASSWORD);
    let mut sent = 0;
    for i in 0..50 {
        match portal.request_password_reset(&mut joe, NOW + i, &mut rng()) {
            Ok(_) => sent += 1,
            Err(Error::TooManyCodesSent { retry_at, .. }) => assert_eq!(retry_at, NOW + 3_600),
            Err(other) => panic!("{other:?}"),
        }
    }
    assert!(sent <= 5, "{sent} reset emails sent within a minute");
    // The account holds what was sent: the limit is stored with it.
    let policy = &portal.settings().reset_requests;
    assert_eq!(
        joe.throttles()
            .reset_requests()
            .sends_in_window(policy, NOW + 49),
        sent
    );
}

/// An attacker who knows Joe's username keeps his password lane backed off.
fn attacker_backs_off_the_password(
    portal: &countersign::Portal,
    joe: &mut countersign::Account,
    from: u64,
) -> u64 {
    let mut at = from;
    for _ in 0..30 {
        if let Err(Error::Throttled(refused)) =
            portal.sign_in(joe, "guess from the botnet", at, &mut rng())
        {
            at = refused.retry_at().unwrap_or(at);
        }
    }
    // The last guess landed the moment the wait ended: the lane waits again.
    assert!(matches!(
        portal.sign_in(joe, JOE_PASSWORD, at, &mut rng()),
        Err(Error::Throttled(_))
    ));
    at
}

#[test]
fn a_remembered_device_signs_in_while_an_attacker_backs_off_the_password() {
    let portal = portal();
    let mut joe = account(&portal, joe(), JOE_PASSWORD);
    let (app, _) = enroll(&portal, &mut joe, JOE_PASSWORD);
    let cookie = remember_device(&portal, &mut joe, &app, NOW + 60);
    let at = attacker_backs_off_the_password(&portal, &mut joe, NOW + 100);
    let signed_in = portal
        .sign_in_on_device(&mut joe, cookie.as_str(), JOE_PASSWORD, at, &mut rng())
        .unwrap();
    assert_eq!(signed_in.via, countersign::Via::RememberedDevice);
    // Without the cookie, nothing reaches the device lane.
    assert!(matches!(
        portal.sign_in_on_device(&mut joe, "not a cookie", JOE_PASSWORD, at, &mut rng()),
        Err(Error::MalformedDeviceToken { .. })
    ));
    assert_eq!(
        joe.throttles().password_on_device().consecutive_failures(),
        0
    );
}

#[test]
fn a_backup_code_signs_in_past_a_hard_locked_password() {
    let mut settings = settings();
    settings.throttle = settings.throttle.with_hard_lock(100).unwrap();
    let portal =
        countersign::Portal::new(countersign::ServerKey::from_bytes([0x42; 32]), settings).unwrap();
    let mut joe = account(&portal, joe(), JOE_PASSWORD);
    let (_, backup) = enroll(&portal, &mut joe, JOE_PASSWORD);
    let mut at = NOW + 100;
    for _ in 0..100 {
        if let Some(retry) = joe
            .throttles()
            .get(Factor::Password)
            .retry_at(&portal.settings().throttle)
        {
            at = at.max(retry);
        }
        assert!(
            portal
                .sign_in(&mut joe, "guess from the botnet", at, &mut rng())
                .is_err()
        );
    }
    assert!(matches!(
        portal.sign_in(&mut joe, JOE_PASSWORD, at + 86_400, &mut rng()),
        Err(Error::Throttled(t)) if t.is_locked()
    ));
    // A wrong password with a right backup code: the code is spent, no sign-in.
    assert!(matches!(
        portal.sign_in_with_backup_code(
            &mut joe,
            "guess from the botnet",
            &backup[0],
            false,
            at,
            &mut rng()
        ),
        Err(Error::Password(_))
    ));
    assert_eq!(joe.backup_codes_left(), Some(9));
    let signed_in = portal
        .sign_in_with_backup_code(&mut joe, JOE_PASSWORD, &backup[1], true, at, &mut rng())
        .unwrap();
    assert_eq!(signed_in.via, countersign::Via::BackupCode);
    assert_eq!(signed_in.backup_codes_left, Some(8));
    assert!(signed_in.device_token.is_some());
    // A wrong backup code checks no password at all.
    assert!(matches!(
        portal.sign_in_with_backup_code(
            &mut joe,
            JOE_PASSWORD,
            "2222-2222-22",
            false,
            at,
            &mut rng()
        ),
        Err(Error::Totp(_))
    ));
    // The lane the attacker locked stays locked for the administrator.
    assert!(
        joe.throttles()
            .get(Factor::Password)
            .is_locked(&portal.settings().throttle)
    );
    joe.unlock();
    assert!(
        portal
            .sign_in(&mut joe, JOE_PASSWORD, at, &mut rng())
            .is_ok()
    );
}

#[test]
fn sms_sends_are_bounded_per_hour() {
    let portal = portal();
    let mut joe = account(&portal, joe(), JOE_PASSWORD);
    enroll(&portal, &mut joe, JOE_PASSWORD);
    let first = ticket(&portal, &mut joe, JOE_PASSWORD, NOW + 10);
    let sent = (0..20)
        .filter(|i| {
            portal
                .send_sms_code(&mut joe, &first, NOW + 10 + i, &mut rng())
                .is_ok()
        })
        .count();
    assert_eq!(sent, 5);
    let policy = &portal.settings().sms_sends;
    assert_eq!(
        joe.throttles()
            .sms_sends()
            .sends_in_window(policy, NOW + 30),
        5
    );
    let later = ticket(&portal, &mut joe, JOE_PASSWORD, NOW + 10 + 3_600);
    assert!(
        portal
            .send_sms_code(&mut joe, &later, NOW + 10 + 3_600, &mut rng())
            .is_ok()
    );
}

#[test]
fn wrong_codes_at_enrollment_count_against_the_totp_lane_and_malformed_ones_do_not() {
    let portal = portal();
    let mut joe = account(&portal, joe(), JOE_PASSWORD);
    let permissions = seeded_permissions();
    let access = countersign::Access::new(&permissions).unwrap();
    let started = portal
        .begin_enrollment(&mut joe, &access, JOE_PASSWORD, NOW, &mut rng())
        .unwrap();
    let app = app_for(&started.key_for_typing());
    let failures =
        |joe: &countersign::Account| joe.throttles().get(Factor::Totp).consecutive_failures();
    // Malformed: nothing was compared, no try is spent.
    assert!(matches!(
        portal.confirm_enrollment(&mut joe, "12a456", NOW, &mut rng()),
        Err(Error::Totp(_))
    ));
    assert_eq!(failures(&joe), 0);
    // Wrong: a code was compared, and the TOTP lane counts it.
    assert!(matches!(
        portal.confirm_enrollment(&mut joe, &wrong(&code(&app, NOW)), NOW, &mut rng()),
        Err(Error::Totp(countersign::totp::Error::WrongCode))
    ));
    assert_eq!(failures(&joe), 1);
}
