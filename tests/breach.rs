//! Issue 14, breached-password checks in the facade: every flow that sets a new
//! password (create account, change, reset) asks the checker, the checker sees only
//! the 5-digit prefix, and a failing checker fails closed.

mod fixtures;

use std::sync::{Arc, Mutex};

use countersign::breach::{BreachCheck, CheckError};
use countersign::password::{RangePrefix, ViolationCode};
use countersign::{Error, Portal, ServerKey};
use fixtures::*;
use sha1::Digest;

/// A passphrase that passes every other rule of the portal's policy.
const BREACHED: &str = "Correct Horse Battery Staple 1234";

fn sha1_hex(password: &str) -> String {
    sha1::Sha1::digest(password.as_bytes())
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect()
}

/// A padded range response for `prefix`, with `seen` of (password, count) in it,
/// synthesized in the documented format (not recorded): 35 upper-case hex digits, a
/// colon and a count per line, padding entries counting 0, sorted, CRLF between
/// lines and none after the last.
fn range(prefix: &str, seen: &[(&str, u64)]) -> Vec<u8> {
    let mut lines: Vec<String> = (0..900u32)
        .map(|i| format!("{:035X}:{}", u128::from(i) * 0x1234_5678_9abc_def1, i % 7))
        .collect();
    for (password, count) in seen {
        let hash = sha1_hex(password);
        if &hash[..5] == prefix {
            lines.push(format!("{}:{count}", &hash[5..]));
        }
    }
    lines.sort();
    lines.join("\r\n").into_bytes()
}

/// A checker over a fixed "corpus" that records every prefix it was asked for.
#[derive(Clone, Default)]
struct Recorder {
    corpus: Vec<(&'static str, u64)>,
    asked: Arc<Mutex<Vec<String>>>,
    down: bool,
}

impl BreachCheck for Recorder {
    fn range(&self, prefix: RangePrefix) -> Result<Vec<u8>, CheckError> {
        self.asked.lock().unwrap().push(prefix.as_str().to_owned());
        if self.down {
            return Err("connection refused".into());
        }
        Ok(range(prefix.as_str(), &self.corpus))
    }
}

fn checked(corpus: &[(&'static str, u64)]) -> (Portal, Recorder) {
    let recorder = Recorder {
        corpus: corpus.to_vec(),
        ..Recorder::default()
    };
    let portal = Portal::new(ServerKey::from_bytes([0x42; 32]), settings())
        .unwrap()
        .with_breach_check(recorder.clone());
    (portal, recorder)
}

fn asked(recorder: &Recorder) -> Vec<String> {
    recorder.asked.lock().unwrap().clone()
}

fn breached(error: &Error) -> bool {
    matches!(error, Error::PasswordRejected { report, .. } if report.has(ViolationCode::Breached))
}

#[test]
fn create_account_refuses_a_breached_password_and_sends_only_its_prefix() {
    let (portal, recorder) = checked(&[(BREACHED, 3)]);
    let error = portal
        .create_account(joe(), BREACHED, &mut rng())
        .unwrap_err();
    assert!(breached(&error), "{error:?}");
    assert_eq!(asked(&recorder), [sha1_hex(BREACHED)[..5].to_owned()]);
    if let Error::PasswordRejected { summary, .. } = &error {
        assert!(summary.contains("data breaches 3 times"), "{summary}");
    }
    // A password the corpus does not hold is accepted, after one request.
    portal
        .create_account(joe(), JOE_PASSWORD, &mut rng())
        .unwrap();
    assert_eq!(asked(&recorder).len(), 2);
}

#[test]
fn the_threshold_is_the_policys() {
    let recorder = Recorder {
        corpus: vec![(BREACHED, 3)],
        ..Recorder::default()
    };
    let mut settings = settings();
    settings.password = settings.password.with_breach_threshold(4).unwrap();
    let portal = Portal::new(ServerKey::from_bytes([0x42; 32]), settings)
        .unwrap()
        .with_breach_check(recorder);
    portal.create_account(joe(), BREACHED, &mut rng()).unwrap();
}

#[test]
fn change_and_reset_refuse_a_breached_password_and_keep_the_reset_code() {
    let (portal, _) = checked(&[(BREACHED, 1)]);
    let mut account = account(&portal, joe(), JOE_PASSWORD);
    let error = portal
        .change_password(&mut account, JOE_PASSWORD, BREACHED, NOW, &mut rng())
        .unwrap_err();
    assert!(breached(&error), "{error:?}");

    let email = portal
        .request_password_reset(&mut account, NOW + 1, &mut rng())
        .unwrap();
    let revision = account.revision();
    let error = portal
        .reset_password(
            &mut account,
            email.code.as_str(),
            BREACHED,
            NOW + 2,
            &mut rng(),
        )
        .unwrap_err();
    assert!(breached(&error), "{error:?}");
    assert_eq!(account.revision(), revision, "nothing happened");
    // The code was not used up by the refused password.
    portal
        .reset_password(
            &mut account,
            email.code.as_str(),
            CONTACT_PASSWORD,
            NOW + 3,
            &mut rng(),
        )
        .unwrap();
}

#[test]
fn a_failing_checker_fails_closed_in_every_flow() {
    let recorder = Recorder {
        down: true,
        ..Recorder::default()
    };
    let plain = portal();
    let mut account = account(&plain, joe(), JOE_PASSWORD);
    let portal = Portal::new(ServerKey::from_bytes([0x42; 32]), settings())
        .unwrap()
        .with_breach_check(recorder.clone());
    let down = |e: &Error| matches!(e, Error::BreachCheckFailed { reason } if reason == "connection refused");

    let error = portal
        .create_account(joe(), CONTACT_PASSWORD, &mut rng())
        .unwrap_err();
    assert!(down(&error), "{error:?}");
    assert!(error.to_string().contains("try again"), "{error}");
    let error = portal
        .change_password(
            &mut account,
            JOE_PASSWORD,
            CONTACT_PASSWORD,
            NOW,
            &mut rng(),
        )
        .unwrap_err();
    assert!(down(&error), "{error:?}");
    let email = portal
        .request_password_reset(&mut account, NOW + 1, &mut rng())
        .unwrap();
    let error = portal
        .reset_password(
            &mut account,
            email.code.as_str(),
            CONTACT_PASSWORD,
            NOW + 2,
            &mut rng(),
        )
        .unwrap_err();
    assert!(down(&error), "{error:?}");
    assert_eq!(asked(&recorder).len(), 3);
    // The current password is still the old one: the next change gets past its
    // check (a wrong one would be `WrongPassword`) to the checker again.
    let error = portal
        .change_password(
            &mut account,
            JOE_PASSWORD,
            CONTACT_PASSWORD,
            NOW + 3,
            &mut rng(),
        )
        .unwrap_err();
    assert!(down(&error), "{error:?}");
}

#[test]
fn a_password_the_policy_refuses_costs_no_request() {
    let (portal, recorder) = checked(&[]);
    let error = portal
        .create_account(joe(), "too short", &mut rng())
        .unwrap_err();
    assert!(matches!(error, Error::PasswordRejected { .. }));
    let error = portal
        .create_account(joe(), "passwordpassword", &mut rng())
        .unwrap_err();
    assert!(matches!(error, Error::PasswordRejected { .. }));
    assert!(asked(&recorder).is_empty());
}

#[test]
fn a_malformed_answer_is_a_typed_error() {
    let portal = Portal::new(ServerKey::from_bytes([0x42; 32]), settings())
        .unwrap()
        .with_breach_check(|_: RangePrefix| -> Result<Vec<u8>, CheckError> {
            Ok(b"<html>503 Service Unavailable</html>".to_vec())
        });
    let error = portal
        .create_account(joe(), JOE_PASSWORD, &mut rng())
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::Password(countersign::password::Error::MalformedRange { line: 1, .. })
        ),
        "{error:?}"
    );
}

#[test]
fn a_closure_is_a_checker_and_its_answer_is_what_is_read() {
    // A plain function or closure plugs in as a checker (the blanket `BreachCheck`
    // for `Fn`): the range it answers is the one searched.
    let portal = Portal::new(ServerKey::from_bytes([0x42; 32]), settings())
        .unwrap()
        .with_breach_check(|prefix: RangePrefix| -> Result<Vec<u8>, CheckError> {
            Ok(range(prefix.as_str(), &[(BREACHED, 2)]))
        });
    assert_eq!(portal.breach_count(BREACHED).unwrap(), Some(2));
    let error = portal
        .create_account(joe(), BREACHED, &mut rng())
        .unwrap_err();
    assert!(breached(&error), "{error:?}");
}

#[test]
fn a_portals_debug_says_whether_passwords_are_checked() {
    let debug = format!("{:?}", portal());
    assert!(debug.contains("breach: Checker(None)"), "{debug}");
    let (portal, _) = checked(&[(BREACHED, 3)]);
    let debug = format!("{portal:?}");
    assert!(debug.contains("breach: Checker(Some(..))"), "{debug}");
}

#[test]
fn a_password_not_in_nfc_makes_exactly_one_lookup_of_its_nfc_form() {
    // "é" typed decomposed (e + U+0301); the corpus holds the composed spelling.
    // Whether a password is in NFC must not change how many requests go out (an
    // observer would count them), nor hand the service a second prefix of it.
    let typed = "Caf\u{65}\u{301} au lait, s'il vous plait";
    let composed = "Caf\u{e9} au lait, s'il vous plait";
    let (portal, recorder) = checked(&[(composed, 12)]);
    let error = portal.create_account(joe(), typed, &mut rng()).unwrap_err();
    assert!(breached(&error), "{error:?}");
    assert_eq!(asked(&recorder), [sha1_hex(composed)[..5].to_owned()]);
    assert_eq!(portal.breach_count(typed).unwrap(), Some(12));
    assert_eq!(asked(&recorder).len(), 2, "one request per lookup");
    // The composed spelling asks for the same single prefix.
    assert_eq!(portal.breach_count(composed).unwrap(), Some(12));
    assert_eq!(
        asked(&recorder),
        vec![sha1_hex(composed)[..5].to_owned(); 3]
    );
}

#[test]
fn without_a_checker_nothing_is_asked() {
    let portal = portal();
    assert!(!portal.has_breach_check());
    assert_eq!(portal.breach_count(BREACHED).unwrap(), None);
    portal.create_account(joe(), BREACHED, &mut rng()).unwrap();
}

#[test]
fn a_portal_with_a_checker_is_still_shared_between_threads() {
    fn shared<T: Send + Sync>(_: &T) {}
    let (portal, _) = checked(&[]);
    shared(&portal);
}

#[test]
fn a_reset_without_the_right_code_makes_no_request() {
    let (portal, recorder) = checked(&[]);
    let mut account = account(&portal, joe(), JOE_PASSWORD);
    recorder.asked.lock().unwrap().clear(); // the account's creation asked once
    let email = portal
        .request_password_reset(&mut account, NOW, &mut rng())
        .unwrap();
    let wrong = if email.code.as_str() == "00000000" {
        "11111111"
    } else {
        "00000000"
    };
    // Wrong codes, through the tries, the throttle and past the code's death:
    // none of them reaches the checker.
    for i in 0..40 {
        let error = portal
            .reset_password(
                &mut account,
                wrong,
                CONTACT_PASSWORD,
                NOW + 1 + i,
                &mut rng(),
            )
            .unwrap_err();
        assert!(!breached(&error), "{error:?}");
    }
    assert!(asked(&recorder).is_empty(), "{:?}", asked(&recorder));
    // The exhausted code, now right: refused before any lookup.
    let error = portal
        .reset_password(
            &mut account,
            email.code.as_str(),
            CONTACT_PASSWORD,
            NOW + 100_000,
            &mut rng(),
        )
        .unwrap_err();
    assert!(!breached(&error), "{error:?}");
    assert!(asked(&recorder).is_empty(), "{:?}", asked(&recorder));

    // An expired code: refused before any lookup too.
    let email = portal
        .request_password_reset(&mut account, NOW + 200_000, &mut rng())
        .unwrap();
    let error = portal
        .reset_password(
            &mut account,
            email.code.as_str(),
            CONTACT_PASSWORD,
            NOW + 300_000,
            &mut rng(),
        )
        .unwrap_err();
    assert!(
        matches!(error, Error::OneTimeCodeExpired { .. }),
        "{error:?}"
    );
    assert!(asked(&recorder).is_empty(), "{:?}", asked(&recorder));

    // With the right code, one request, and the password set.
    let email = portal
        .request_password_reset(&mut account, NOW + 400_000, &mut rng())
        .unwrap();
    portal
        .reset_password(
            &mut account,
            email.code.as_str(),
            CONTACT_PASSWORD,
            NOW + 400_001,
            &mut rng(),
        )
        .unwrap();
    assert_eq!(asked(&recorder).len(), 1);
}

#[test]
fn a_refused_reset_password_spends_neither_the_code_nor_a_try() {
    let (portal, recorder) = checked(&[(BREACHED, 1)]);
    let mut account = account(&portal, joe(), JOE_PASSWORD);
    recorder.asked.lock().unwrap().clear(); // the account's creation asked once
    let email = portal
        .request_password_reset(&mut account, NOW, &mut rng())
        .unwrap();
    // More refusals than the code has tries: the right code is never a wrong try.
    for i in 0..8 {
        let error = portal
            .reset_password(
                &mut account,
                email.code.as_str(),
                BREACHED,
                NOW + 1 + i,
                &mut rng(),
            )
            .unwrap_err();
        assert!(breached(&error), "{error:?}");
    }
    assert_eq!(asked(&recorder).len(), 8);
    portal
        .reset_password(
            &mut account,
            email.code.as_str(),
            CONTACT_PASSWORD,
            NOW + 20,
            &mut rng(),
        )
        .unwrap();
    // Used now: a second reset with it is refused before any lookup.
    let error = portal
        .reset_password(
            &mut account,
            email.code.as_str(),
            JOE_PASSWORD,
            NOW + 21,
            &mut rng(),
        )
        .unwrap_err();
    assert!(matches!(error, Error::OneTimeCodeUsed), "{error:?}");
    assert_eq!(asked(&recorder).len(), 9);
}
