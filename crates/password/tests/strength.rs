//! The `strength` feature: zxcvbn after the cheap rules, on a bounded prefix, with the
//! crate's own advice.
#![cfg(feature = "strength")]

use std::time::{Duration, Instant};

use countersign_password::{Context, Policy, STRENGTH_PREFIX, SuggestionCode, ViolationCode};

const JOE: Context<'static> = Context::new("joe.example");

#[test]
fn strength_runs_only_when_the_cheap_rules_pass() {
    let policy = Policy::portal();
    assert!(policy.check("short", &JOE).strength.is_none());
    assert!(policy.check("passwordpassword", &JOE).strength.is_none());
    let report = policy.check("Vivio is gr8! I like knowing my account is Secure", &JOE);
    let strength = report.strength.expect("estimated");
    assert_eq!(strength.score, 4);
    assert_eq!(strength.assessed, STRENGTH_PREFIX);
}

#[test]
fn a_minimum_score_is_a_violation() {
    let policy = Policy::portal().with_min_strength(4).expect("valid");
    let report = policy.check("aaaaaaaaaaaaaaaaaa", &JOE);
    assert!(report.has(ViolationCode::TooWeak), "{report:?}");
    assert!(report.suggests(SuggestionCode::AvoidRepeats), "{report:?}");
    // A score of exactly the minimum is enough.
    let report = policy.check("Vivio is gr8! I like knowing my account is Secure", &JOE);
    assert_eq!(report.strength.map(|s| s.score), Some(4));
    assert!(!report.has(ViolationCode::TooWeak), "{report:?}");
    assert!(policy.with_min_strength(5).is_err());
}

#[test]
fn the_advice_is_the_crates_own_and_never_discourages_symbols() {
    let policy = Policy::portal();
    for password in [
        "poiuytrewq;lkj",
        "abcdefghijklmnop",
        "December 25 2019",
        "jonathanjonathan1",
        "Password12345678",
    ] {
        let report = policy.check(password, &JOE);
        for suggestion in &report.suggestions {
            assert!(
                !suggestion.message.to_lowercase().contains("no need"),
                "{password}: {suggestion:?}"
            );
        }
    }
    let report = policy.check("zxcvbnm,./asdf", &JOE);
    assert!(
        report.suggests(SuggestionCode::AvoidKeyboardPatterns),
        "{report:?}"
    );
}

#[test]
fn adversarial_keyboard_runs_are_bounded_and_do_not_panic() {
    let policy = Policy::portal();
    for pattern in ["!@", "1593", "+-*/", "qwas", "~!@#$%^&*()_+", "7410852963"] {
        let password: String = pattern.chars().cycle().take(128).collect();
        let started = Instant::now();
        let report = policy.check(&password, &JOE);
        assert!(started.elapsed() < Duration::from_secs(2), "{pattern}");
        assert!(
            report
                .strength
                .is_some_and(|s| s.assessed == STRENGTH_PREFIX),
            "{pattern}"
        );
    }
}
