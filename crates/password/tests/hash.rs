//! Hashing: PHC format, rehash detection, pepper, untrusted stored hashes, length.

use countersign_password::{
    Error, HashParams, Hasher, Normalization, Password, PasswordHash, Pepper, Policy,
};

/// Cheap parameters so the suite stays quick; the defaults are covered by interop.rs.
const CHEAP: HashParams = HashParams {
    memory_kib: 64,
    iterations: 1,
    parallelism: 1,
    ..HashParams::OWASP
};

fn hasher_with(params: HashParams) -> Hasher {
    Hasher::new(&Policy::portal().with_hashing(params).expect("valid")).expect("valid")
}

#[test]
fn default_hash_is_argon2id_with_owasp_parameters() {
    let hasher = Hasher::new(&Policy::portal()).expect("valid");
    let stored = hasher.hash("correct horse battery staple").expect("hashes");
    let phc = stored.as_str();
    assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
    let fields: Vec<&str> = phc.split('$').collect();
    assert_eq!(fields.len(), 6);
    assert_eq!(fields[4].len(), 22, "16-byte salt in unpadded base64");
    assert_eq!(fields[5].len(), 43, "32-byte hash in unpadded base64");
    assert!(
        !hasher
            .verify("correct horse battery staple", phc)
            .expect("verifies")
            .needs_rehash
    );
}

#[test]
fn salts_differ_between_hashes() {
    let hasher = hasher_with(CHEAP);
    let a = hasher.hash("same password here").expect("hashes");
    let b = hasher.hash("same password here").expect("hashes");
    assert_ne!(a, b);
}

#[test]
fn rehash_is_asked_after_each_parameter_change() {
    let old = hasher_with(CHEAP);
    let stored = old.hash("correct horse battery staple").expect("hashes");
    assert!(
        !old.verify("correct horse battery staple", stored.as_str())
            .expect("ok")
            .needs_rehash
    );
    for changed in [
        HashParams {
            memory_kib: 128,
            ..CHEAP
        },
        HashParams {
            iterations: 2,
            ..CHEAP
        },
        HashParams {
            parallelism: 2,
            ..CHEAP
        },
        HashParams {
            output_len: 64,
            ..CHEAP
        },
    ] {
        let new = hasher_with(changed);
        let verified = new
            .verify("correct horse battery staple", stored.as_str())
            .expect("still verifies");
        assert!(verified.needs_rehash, "{changed:?}");
        // And the rehash does not ask again.
        let rehashed = new.hash("correct horse battery staple").expect("hashes");
        assert!(
            !new.verify("correct horse battery staple", rehashed.as_str())
                .expect("ok")
                .needs_rehash
        );
    }
}

#[test]
fn a_stored_key_id_alone_asks_for_a_rehash() {
    // A key id (PHC `keyid`) does not enter the Argon2 computation, so a hash with
    // one added still verifies; the crate never writes one, so it asks for the plain
    // form. Everything else matches the hasher.
    let hasher = hasher_with(CHEAP);
    let stored = hasher.hash("correct horse battery staple").expect("hashes");
    let with_key_id = stored.as_str().replace(",p=1$", ",p=1,keyid=AAAAAAAA$");
    assert_ne!(with_key_id, stored.as_str());
    let verified = hasher
        .verify("correct horse battery staple", &with_key_id)
        .expect("verifies");
    assert!(verified.needs_rehash);
}

#[test]
fn stored_hashes_at_the_limits_are_verified() {
    // The configured maxima are allowed: only a cost above one is refused.
    let at_the_limits = HashParams {
        max_memory_kib: 64,
        max_iterations: 1,
        max_parallelism: 1,
        ..CHEAP
    };
    let hasher = hasher_with(at_the_limits);
    let stored = hasher.hash("correct horse battery staple").expect("hashes");
    assert!(stored.as_str().contains("$m=64,t=1,p=1$"), "{stored:?}");
    assert!(
        !hasher
            .verify("correct horse battery staple", stored.as_str())
            .expect("at the limits")
            .needs_rehash
    );
}

#[test]
fn wrong_password_is_a_typed_error() {
    let hasher = hasher_with(CHEAP);
    let stored = hasher.hash("correct horse battery staple").expect("hashes");
    assert_eq!(
        hasher.verify("correct horse battery stapler", stored.as_str()),
        Err(Error::WrongPassword)
    );
    assert_eq!(
        hasher.verify("", stored.as_str()),
        Err(Error::WrongPassword)
    );
}

#[test]
fn pepper_is_argon2s_secret_input() {
    let plain = hasher_with(CHEAP);
    let peppered = hasher_with(CHEAP)
        .with_pepper(Pepper::new(*b"a pepper kept out of the database").expect("ok"));
    let other = hasher_with(CHEAP).with_pepper(Pepper::new(*b"another pepper").expect("ok"));
    let stored = peppered
        .hash("correct horse battery staple")
        .expect("hashes");
    assert!(
        peppered
            .verify("correct horse battery staple", stored.as_str())
            .is_ok()
    );
    assert_eq!(
        plain.verify("correct horse battery staple", stored.as_str()),
        Err(Error::WrongPassword)
    );
    assert_eq!(
        other.verify("correct horse battery staple", stored.as_str()),
        Err(Error::WrongPassword)
    );
    assert!(Pepper::new(Vec::new()).is_err());
    assert!(Pepper::new(vec![0; 1025]).is_err());
}

#[test]
fn canonically_equivalent_passwords_hash_the_same() {
    let hasher = hasher_with(CHEAP);
    let stored = hasher.hash("Zoë's café login").expect("hashes");
    assert!(
        hasher
            .verify("Zoe\u{308}'s cafe\u{301} login", stored.as_str())
            .is_ok()
    );
    // Compatibility variants are different passwords under NFC...
    let stored = hasher.hash("\u{fb03}ne dining hall").expect("hashes");
    assert_eq!(
        hasher.verify("ffine dining hall", stored.as_str()),
        Err(Error::WrongPassword)
    );
    // ...and the same under NFKC.
    let nfkc = Hasher::new(
        &Policy::portal()
            .with_hashing(CHEAP)
            .expect("ok")
            .with_normalization(Normalization::Nfkc),
    )
    .expect("ok");
    let stored = nfkc.hash("\u{fb03}ne dining hall").expect("hashes");
    assert!(nfkc.verify("ffine dining hall", stored.as_str()).is_ok());
}

#[test]
fn a_password_over_the_maximum_is_refused_before_hashing() {
    let hasher = hasher_with(CHEAP);
    let long = "a".repeat(129);
    assert_eq!(
        hasher.hash(&long).map(|_| ()),
        Err(Error::PasswordTooLong {
            max: 128,
            actual: 129
        })
    );
    // Refused even against a hash that would cost 4 GiB: the length is checked first.
    let monster = "$argon2id$v=19$m=4194304,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$K13EBUiG7JV+9ZxztmHFTdb7J0WQsnj2V8bZaqyPptE";
    assert_eq!(
        hasher.verify(&long, monster),
        Err(Error::PasswordTooLong {
            max: 128,
            actual: 129
        })
    );
    // 128 code points of four bytes each are fine.
    let stored = hasher.hash(&"🔐".repeat(128)).expect("hashes");
    assert!(hasher.verify(&"🔐".repeat(128), stored.as_str()).is_ok());
    // Composed before counting: 129 typed pairs e + U+0301 are 129 characters.
    assert!(hasher.hash(&"e\u{301}".repeat(128)).is_ok());
    assert!(matches!(
        hasher.hash(&"e\u{301}".repeat(129)),
        Err(Error::PasswordTooLong { actual: 129, .. })
    ));
}

#[test]
fn stored_hashes_beyond_the_limits_are_refused_unhashed() {
    let hasher = hasher_with(CHEAP);
    let salt_hash = "c29tZXNhbHRzb21lc2FsdA$K13EBUiG7JV+9ZxztmHFTdb7J0WQsnj2V8bZaqyPptE";
    let cases = [
        ("m=4194304,t=1,p=1", "m", 4_194_304, 262_144),
        ("m=19456,t=4294967295,p=1", "t", u32::MAX, 16),
        ("m=19456,t=2,p=9", "p", 9, 8),
    ];
    for (params, parameter, value, limit) in cases {
        let phc = format!("$argon2id$v=19${params}${salt_hash}");
        assert_eq!(
            hasher.verify("correct horse battery staple", &phc),
            Err(Error::HashCostTooHigh {
                parameter,
                value,
                limit
            }),
            "{phc}"
        );
    }
}

#[test]
fn malformed_phc_strings_are_typed_errors() {
    let hasher = hasher_with(CHEAP);
    let good = hasher.hash("correct horse battery staple").expect("hashes");
    let good = good.as_str();
    let (head, output) = good.rsplit_once('$').expect("has an output");
    let cases: Vec<String> = vec![
        String::new(),
        "$".into(),
        "argon2id".into(),
        "$argon2id".into(),
        "$argon2id$v=19$m=64,t=1,p=1".into(),
        head.into(),
        format!("{head}$"),
        format!("{head}$!!!!"),
        format!("{good}$extra"),
        good.replace("v=19", "v=20"),
        good.replace("m=64,", ""),
        good.replace("t=1", "t=0"),
        good.replace("m=64", "m=4"),
        good.replace("p=1", "p=1,x=3"),
        good.replace("m=64", "m=6x"),
        format!("{head}${}", &output[..8]),
    ];
    for phc in &cases {
        let error = hasher
            .verify("correct horse battery staple", phc)
            .expect_err(phc);
        assert!(
            matches!(error, Error::MalformedHash { .. }),
            "{phc}: {error:?}"
        );
    }
    for phc in [
        "$scrypt$ln=16,r=8,p=1$aM15713r3Xsvxbi31lqr1Q$nFNh2CVHVjNldFVKDHDlm4CbdRSCdEBsjjJxD+iCs5E",
        "$argon2x$v=19$m=64,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$K13EBUiG7JV+9ZxztmHFTdb7J0WQsnj2V8bZaqyPptE",
    ] {
        assert!(
            matches!(
                hasher.verify("x", phc),
                Err(Error::UnsupportedAlgorithm { .. })
            ),
            "{phc}"
        );
    }
}

/// The reason a stored hash is refused as malformed.
fn malformed_reason(hasher: &Hasher, phc: &str) -> &'static str {
    match hasher.verify("correct horse battery staple", phc) {
        Err(Error::MalformedHash { reason }) => reason,
        other => panic!("{phc}: {other:?}"),
    }
}

#[test]
fn each_malformed_phc_string_names_what_is_wrong() {
    let hasher = hasher_with(CHEAP);
    let good = hasher.hash("correct horse battery staple").expect("hashes");
    let good = good.as_str();
    let (head, output) = good.rsplit_once('$').expect("has an output");
    let (params, _salt) = head.rsplit_once('$').expect("has a salt");
    let cases = [
        (String::new(), "a field is missing"),
        (format!("{head}$"), "the hash output has an invalid length"),
        (
            format!("{head}${}", &output[..8]),
            "the hash output has an invalid length",
        ),
        (
            format!("{params}$AAAA${output}"),
            "the salt has an invalid length",
        ),
        (
            format!("{params}${}${output}", "A".repeat(100)),
            "the salt has an invalid length",
        ),
        (format!("{head}$!!!!"), "invalid base64"),
        (
            format!("{good}$extra"),
            "unexpected data after the hash output",
        ),
        ("$".into(), "not a PHC string ($id$v=..$params$salt$hash)"),
        ("$argon2id$v=19$m=64,t=1,p=1".into(), "the salt is missing"),
        (good.replace("t=1,", ""), "a parameter m, t or p is missing"),
        (good.replace("v=19", "v=20"), "unknown argon2 version"),
        (good.replace("p=1", "p=1,x=3"), "unknown argon2 parameter"),
    ];
    for (phc, reason) in &cases {
        assert_eq!(malformed_reason(&hasher, phc), *reason, "{phc}");
    }
}

#[test]
fn a_repeated_parameter_is_refused_not_read_one_way() {
    // `p=2,p=1` is ambiguous: libargon2 refuses it, and a reader that takes the first
    // value and one that takes the last would hash differently.
    let hasher = hasher_with(CHEAP);
    let good = hasher.hash("correct horse battery staple").expect("hashes");
    for repeated in [
        good.as_str().replace("p=1", "p=1,p=1"),
        good.as_str().replace("p=1", "p=2,p=1"),
        good.as_str().replace("m=64", "m=64,m=64"),
        good.as_str().replace("p=1", "p=1,keyid=AAAA,keyid=AAAA"),
    ] {
        assert_eq!(
            malformed_reason(&hasher, &repeated),
            "a parameter is repeated",
            "{repeated}"
        );
    }
}

#[test]
fn configured_parameters_at_their_bounds_are_accepted_and_past_them_refused() {
    let refused = |params: HashParams| match Policy::portal().with_hashing(params) {
        Err(Error::InvalidHashParams {
            setting,
            requirement,
            ..
        }) => (setting, requirement),
        other => panic!("{params:?}: {other:?}"),
    };
    // Each maximum is allowed, and one past it is refused.
    let at_the_maxima = HashParams {
        memory_kib: 64,
        iterations: 3,
        parallelism: 2,
        max_memory_kib: 64,
        max_iterations: 3,
        max_parallelism: 2,
        ..CHEAP
    };
    assert!(Policy::portal().with_hashing(at_the_maxima).is_ok());
    assert_eq!(
        refused(HashParams {
            memory_kib: 65,
            ..at_the_maxima
        }),
        ("memory_kib", "it must not exceed max_memory_kib")
    );
    assert_eq!(
        refused(HashParams {
            iterations: 4,
            ..at_the_maxima
        }),
        ("iterations", "it must not exceed max_iterations")
    );
    assert_eq!(
        refused(HashParams {
            parallelism: 3,
            ..at_the_maxima
        }),
        ("parallelism", "it must not exceed max_parallelism")
    );
    // Argon2's floor of 8 KiB per lane, exactly, is allowed; a KiB less is not.
    let eight_per_lane = HashParams {
        memory_kib: 16,
        ..at_the_maxima
    };
    assert!(Policy::portal().with_hashing(eight_per_lane).is_ok());
    assert_eq!(
        refused(HashParams {
            memory_kib: 15,
            ..at_the_maxima
        }),
        ("memory_kib", "it must be at least 8 KiB per lane")
    );
}

#[test]
fn invalid_configured_parameters_are_refused() {
    for params in [
        HashParams {
            output_len: 8,
            ..CHEAP
        },
        HashParams {
            output_len: 65,
            ..CHEAP
        },
        HashParams {
            iterations: 0,
            ..CHEAP
        },
        HashParams {
            parallelism: 0,
            ..CHEAP
        },
        HashParams {
            memory_kib: 7,
            ..CHEAP
        },
        HashParams {
            memory_kib: 64,
            parallelism: 9,
            max_parallelism: 16,
            ..CHEAP
        },
        HashParams {
            memory_kib: 300_000,
            ..CHEAP
        },
    ] {
        assert!(
            matches!(
                Policy::portal().with_hashing(params),
                Err(Error::InvalidHashParams { .. })
            ),
            "{params:?}"
        );
    }
}

#[test]
fn secrets_are_redacted() {
    let hasher = hasher_with(CHEAP);
    let stored: PasswordHash = hasher.hash("correct horse battery staple").expect("hashes");
    assert_eq!(format!("{stored:?}"), "PasswordHash([redacted])");
    assert_eq!(
        format!("{:?}", Password::new("hunter2hunter2")),
        "Password([redacted])"
    );
    let pepper = Pepper::new(*b"pepper").expect("ok");
    assert_eq!(format!("{pepper:?}"), "Pepper([redacted])");
    let debug = format!("{:?}", hasher.with_pepper(pepper));
    assert!(!debug.contains("pepper\""), "{debug}");
    // The pepper is shown as present, its bytes not at all; the rest is configuration.
    assert!(debug.contains("pepper: Some(\"[redacted]\")"), "{debug}");
    assert!(debug.contains("memory_kib: 64"), "{debug}");
    let plain = format!("{:?}", hasher_with(CHEAP));
    assert!(plain.contains("pepper: None"), "{plain}");
    // A stored hash equals its own copy (constant-time) and no other.
    assert_eq!(stored.clone(), stored);
    let again = hasher_with(CHEAP).hash("correct horse battery staple");
    assert_ne!(stored, again.expect("hashes"));
    assert!(Password::new("a") == Password::new("a"));
    assert!(Password::new("a") != Password::new("b"));
}
