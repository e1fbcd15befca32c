#![no_main]
//! `Policy::check` never panics, whatever the password and context (with zxcvbn too:
//! the fuzz crate builds countersign-password with `strength`), and its length verdicts
//! agree with a count of code points after NFC.

use countersign_password::{Blocklist, CharacterClasses, Context, Policy, ViolationCode};
use libfuzzer_sys::fuzz_target;
use unicode_normalization::UnicodeNormalization;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    // password \0 username \0 email \0 client id \0 blocklist words separated by \n
    let mut parts = text.split('\0');
    let password = parts.next().unwrap_or("");
    let username = parts.next().unwrap_or("");
    let email = parts.next().unwrap_or("");
    let client_id = parts.next().unwrap_or("");
    let words = parts.next().unwrap_or("");
    let context = Context::new(username).email(email).client_id(client_id);

    let report = Policy::portal().check(password, &context);
    assert_eq!(report.passed(), report.violations.is_empty());
    let length = password.nfc().count();
    assert_eq!(report.has(ViolationCode::TooShort), length < 12);
    assert_eq!(report.has(ViolationCode::TooLong), length > 128);

    let legacy = Policy::nist_single_factor()
        .with_required_classes(CharacterClasses::ALL)
        .with_forbidden_context_substrings(true)
        .with_blocklist(Blocklist::new(words.split('\n')));
    let _ = legacy.check(password, &context);
});
