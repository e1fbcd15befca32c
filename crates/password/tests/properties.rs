//! Invariants of the policy and the hasher, by proptest.

use std::collections::HashSet;
use std::sync::OnceLock;

use countersign_password::{Blocklist, CharacterClasses, Context, HashParams, Hasher, Policy};
use proptest::prelude::*;
use unicode_normalization::UnicodeNormalization;

/// The embedded list, read independently of the crate's binary search.
fn common() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| {
        include_str!("../data/common-passwords.txt")
            .lines()
            .collect()
    })
}

fn fold(text: &str) -> String {
    text.nfkc().flat_map(char::to_lowercase).collect()
}

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-zA-Z0-9 !@#$%^&*?_~]{0,140}",
        // Combining marks, bidirectional controls, emoji and ligatures together.
        "[a-e\u{300}-\u{36f}\u{200d}\u{200e}\u{202e}\u{fb00}-\u{fb06}\u{1f600}-\u{1f64f}]{0,140}",
    ]
}

proptest! {
    #[test]
    fn check_never_panics(password in any_text(), username in any_text(), email in any_text(), words in prop::collection::vec(any_text(), 0..4)) {
        let context = Context::new(&username).email(&email).client_id(&password);
        let report = Policy::portal().check(&password, &context);
        prop_assert_eq!(report.passed(), report.violations.is_empty());
        let legacy = Policy::portal()
            .with_required_classes(CharacterClasses::ALL)
            .with_forbidden_context_substrings(true)
            .with_blocklist(Blocklist::new(words));
        let _ = legacy.check(&password, &context);
    }

    #[test]
    fn an_ordinary_password_of_12_to_128_code_points_passes(
        password in "[\\PC]{12,128}",
        username in "[a-z0-9.]{1,20}",
        client_id in "[0-9]{1,12}",
    ) {
        let normalized: String = password.nfc().collect();
        let length = normalized.chars().count();
        prop_assume!((12..=128).contains(&length));
        let folded = fold(&normalized);
        prop_assume!(!common().contains(folded.as_str()));
        let email = format!("{username}@example.com");
        for word in [&username, &email, &client_id] {
            prop_assume!(folded != fold(word));
        }
        let context = Context::new(&username).email(&email).client_id(&client_id);
        let report = Policy::portal().check(&password, &context);
        prop_assert!(report.passed(), "{:?}", report.violations);
    }

    #[test]
    fn a_list_entry_fails_in_any_case(index in 0usize..43_940, flips in any::<u64>()) {
        let entry = include_str!("../data/common-passwords.txt").lines().nth(index).unwrap_or("");
        let variant: String = entry
            .chars()
            .enumerate()
            .map(|(i, c)| if flips >> (i % 64) & 1 == 1 { c.to_ascii_uppercase() } else { c })
            .collect();
        let report = Policy::portal().check(&variant, &Context::new("someone"));
        prop_assert!(report.has(countersign_password::ViolationCode::CommonPassword), "{}", variant);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn hash_then_verify_round_trips(password in "\\PC{0,100}") {
        let cheap = HashParams { memory_kib: 32, iterations: 1, ..HashParams::OWASP };
        let hasher = Hasher::new(&Policy::portal().with_hashing(cheap).expect("valid")).expect("valid");
        let stored = hasher.hash(&password).expect("hashes");
        prop_assert!(hasher.verify(&password, stored.as_str()).is_ok());
        let other = format!("{password}.");
        prop_assert!(hasher.verify(&other, stored.as_str()).is_err());
    }
}
