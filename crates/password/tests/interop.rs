//! PHC interop with the C reference: hashes made by libargon2 (Debian's `argon2`
//! command and argon2-cffi, see data/make-reference-hashes.py) verify here. The other
//! direction (the reference verifies ours) is `.ci/checks/argon2-interop`.

use countersign_password::{Error, HashParams, Hasher, Policy};
use serde::Deserialize;

#[derive(Deserialize)]
struct Case {
    password: String,
    phc: String,
    maker: String,
    needs_rehash: bool,
    note: String,
}

fn cases() -> Vec<Case> {
    let text = include_str!("data/reference-hashes.json");
    serde_json::from_str(text).expect("reference-hashes.json parses")
}

fn hasher() -> Hasher {
    Hasher::new(&Policy::portal()).expect("default policy hashes")
}

#[test]
fn every_reference_hash_verifies_with_the_expected_rehash_verdict() {
    let hasher = hasher();
    let cases = cases();
    assert_eq!(cases.len(), 15);
    for case in &cases {
        let verified = hasher
            .verify(&case.password, &case.phc)
            .unwrap_or_else(|e| panic!("{} ({}): {e}", case.note, case.maker));
        assert_eq!(verified.needs_rehash, case.needs_rehash, "{}", case.note);
    }
}

#[test]
fn every_reference_hash_refuses_a_wrong_password() {
    let hasher = hasher();
    for case in cases() {
        let wrong = format!("{}x", case.password);
        assert_eq!(
            hasher.verify(&wrong, &case.phc),
            Err(Error::WrongPassword),
            "{}",
            case.note
        );
    }
}

#[test]
fn a_decomposed_password_verifies_against_the_reference_nfc_hash() {
    let case = cases()
        .into_iter()
        .find(|c| c.password.starts_with("Ünïcødé"))
        .expect("the non-ASCII case");
    let decomposed: String = {
        use unicode_normalization::UnicodeNormalization;
        case.password.nfd().collect()
    };
    assert_ne!(decomposed, case.password);
    assert!(hasher().verify(&decomposed, &case.phc).is_ok());
}

#[test]
fn a_missing_version_means_0x10_as_in_the_reference() {
    let case = cases()
        .into_iter()
        .find(|c| c.phc.contains("$v=16$"))
        .expect("the v=16 case");
    let without = case.phc.replace("$v=16$", "$");
    let verified = hasher()
        .verify(&case.password, &without)
        .expect("verifies as 0x10");
    assert!(verified.needs_rehash);
}

#[test]
fn a_reference_hash_beyond_the_limits_is_refused_before_hashing() {
    let case = cases()
        .into_iter()
        .find(|c| c.phc.contains("m=47104"))
        .expect("the 46 MiB case");
    let tight = HashParams {
        max_memory_kib: 32_768,
        ..HashParams::OWASP
    };
    let hasher = Hasher::new(&Policy::portal().with_hashing(tight).expect("valid")).expect("valid");
    assert_eq!(
        hasher.verify(&case.password, &case.phc),
        Err(Error::HashCostTooHigh {
            parameter: "m",
            value: 47_104,
            limit: 32_768
        })
    );
}
