//! Every rule of the policy at its edges.

use countersign_password::{
    Blocklist, CharacterClasses, Context, Error, Normalization, Policy, Report, SuggestionCode,
    ViolationCode,
};

const JOE: Context<'static> = Context::new("joe.example");

/// `n` code points of a password that is in no list and like no context.
fn password_of(n: usize) -> String {
    "Zq8!vm3#Lp2x-".chars().cycle().take(n).collect()
}

fn codes(report: &Report) -> Vec<ViolationCode> {
    report.violations.iter().map(|v| v.code).collect()
}

#[test]
fn length_edges_11_12_128_129() {
    let policy = Policy::portal();
    assert_eq!(
        codes(&policy.check(&password_of(11), &JOE)),
        [ViolationCode::TooShort]
    );
    assert!(policy.check(&password_of(12), &JOE).passed());
    assert!(policy.check(&password_of(128), &JOE).passed());
    assert_eq!(
        codes(&policy.check(&password_of(129), &JOE)),
        [ViolationCode::TooLong]
    );
}

#[test]
fn messages_name_the_numbers() {
    let report = Policy::portal().check(&password_of(11), &JOE);
    assert_eq!(
        report.violations[0].message,
        "Use at least 12 characters; this password has 11."
    );
    let report = Policy::portal().check(&password_of(129), &JOE);
    assert!(
        report.violations[0]
            .message
            .starts_with("Use at most 128 characters; this password has 129.")
    );
}

#[test]
fn length_counts_code_points_not_bytes() {
    let policy = Policy::portal();
    // Four bytes each in UTF-8.
    let eleven = "🔐".repeat(11);
    let twelve = "🔐".repeat(12);
    assert_eq!(
        codes(&policy.check(&eleven, &JOE)),
        [ViolationCode::TooShort]
    );
    assert!(policy.check(&twelve, &JOE).passed());
    // A family emoji is five code points (three people joined by two ZWJ).
    let family = "👨\u{200d}👩\u{200d}👧";
    assert!(
        policy
            .check(&family.repeat(2), &JOE)
            .has(ViolationCode::TooShort)
    ); // 10
    assert!(
        policy
            .check(&format!("{family}{family}🔐🔐"), &JOE)
            .passed()
    ); // 12
    // 128 and 129 of them.
    assert!(policy.check(&"é".repeat(128), &JOE).passed());
    assert!(
        policy
            .check(&"é".repeat(129), &JOE)
            .has(ViolationCode::TooLong)
    );
}

#[test]
fn length_is_counted_after_nfc_normalization() {
    let policy = Policy::portal();
    // "e" + combining acute composes to "é": 24 code points in, 12 counted.
    let decomposed = "e\u{301}".repeat(12);
    assert_eq!(decomposed.chars().count(), 24);
    assert!(policy.check(&decomposed, &JOE).passed());
    // 11 composed pairs are 11 characters, however many code points were typed.
    assert!(
        policy
            .check(&"e\u{301}".repeat(11), &JOE)
            .has(ViolationCode::TooShort)
    );
    // Near the maximum, composition decides: 129 typed pairs are 129 characters.
    assert!(policy.check(&"e\u{301}".repeat(128), &JOE).passed());
    assert!(
        policy
            .check(&"e\u{301}".repeat(129), &JOE)
            .has(ViolationCode::TooLong)
    );
    // "q" has no precomposed form with an acute: two code points each.
    assert!(policy.check(&"q\u{301}".repeat(6), &JOE).passed());
    assert!(
        policy
            .check(&format!("{}q", "q\u{301}".repeat(5)), &JOE)
            .has(ViolationCode::TooShort)
    );
}

#[test]
fn lone_combining_marks_and_control_characters_count_and_do_not_panic() {
    let policy = Policy::portal();
    assert!(policy.check(&"\u{301}".repeat(12), &JOE).passed());
    assert!(
        policy
            .check(&"\u{301}".repeat(11), &JOE)
            .has(ViolationCode::TooShort)
    );
    let rtl = "\u{202e}\u{200f}abc\u{0}\u{7}\u{1b}[0m\u{feff}\u{fffd}";
    let report = policy.check(rtl, &JOE);
    assert!(report.passed(), "{report:?}");
}

#[test]
fn nfkc_equivalents_are_distinct_under_nfc_and_folded_under_nfkc() {
    // The "ffi" ligature is one code point under NFC (NIST rev 4) and three under NFKC.
    let ligatures = "\u{fb03}".repeat(4);
    assert!(
        Policy::portal()
            .check(&ligatures, &JOE)
            .has(ViolationCode::TooShort)
    );
    let nfkc = Policy::portal().with_normalization(Normalization::Nfkc);
    assert!(nfkc.check(&ligatures, &JOE).passed());
}

#[test]
fn never_the_username_in_any_case_or_width() {
    let policy = Policy::portal();
    let context = Context::new("JoeExample2024")
        .email("joe@example.com")
        .client_id("100420004200");
    for password in [
        "joeexample2024",
        "JOEEXAMPLE2024",
        "JoeExample2024",
        "ＪｏｅＥｘａｍｐｌｅ２０２４",
    ] {
        let report = policy.check(password, &context);
        assert_eq!(
            codes(&report),
            [ViolationCode::SameAsUsername],
            "{password}"
        );
        assert_eq!(
            report.violations[0].message,
            "The password must not be the same as the username."
        );
    }
    assert!(policy.check("joeexample2025", &context).passed());
}

#[test]
fn never_the_username_after_normalization() {
    let context = Context::new("Zoë Müller-Lüdenscheidt");
    let decomposed = "ZOE\u{308} MU\u{308}LLER-LU\u{308}DENSCHEIDT";
    assert!(
        Policy::portal()
            .check(decomposed, &context)
            .has(ViolationCode::SameAsUsername)
    );
}

#[test]
fn never_the_email_or_the_client_id() {
    let context = Context::new("joe")
        .email("Joe.Example@Example.com")
        .client_id("100420004200");
    let policy = Policy::portal();
    assert_eq!(
        codes(&policy.check("joe.example@EXAMPLE.COM", &context)),
        [ViolationCode::SameAsEmail]
    );
    assert_eq!(
        codes(&policy.check("100420004200", &context)),
        [ViolationCode::SameAsClientId]
    );
    // An empty context never matches.
    assert!(policy.check(&password_of(12), &Context::new("")).passed());
}

#[test]
fn every_kind_of_blocklist_hit() {
    let policy = Policy::portal();
    // Verbatim, other case, full-width (folded), decomposed accents of a plain entry.
    for password in [
        "passwordpassword",
        "PasswordPassword",
        "ｐａｓｓｗｏｒｄｐａｓｓｗｏｒｄ",
        "qwertyuiop123",
        "1234567890123",
        "IloveyouForever",
    ] {
        assert_eq!(
            codes(&policy.check(password, &JOE)),
            [ViolationCode::CommonPassword],
            "{password}"
        );
    }
    // A neighbour of an entry is not a hit.
    assert!(policy.check("passwordpassword!", &JOE).passed());
    // Switched off, the list is not consulted.
    assert!(
        policy
            .clone()
            .with_common_passwords(false)
            .check("passwordpassword", &JOE)
            .passed()
    );
    // The deployment's own words, matched case-insensitively after folding.
    let policy = policy.with_blocklist(Blocklist::new(["Viviotech Portal", "Zoë's café login"]));
    assert_eq!(
        codes(&policy.check("VIVIOTECH PORTAL", &JOE)),
        [ViolationCode::Blocklisted]
    );
    assert_eq!(
        codes(&policy.check("zoe\u{308}'s CAFE\u{301} login", &JOE)),
        [ViolationCode::Blocklisted]
    );
    assert!(policy.check("Viviotech Portal 2", &JOE).passed());
}

#[test]
fn a_deployment_word_shorter_than_the_minimum_still_reports() {
    let policy = Policy::portal().with_blocklist(Blocklist::new(["vivio"]));
    let report = policy.check("VIVIO", &JOE);
    assert_eq!(
        codes(&report),
        [ViolationCode::TooShort, ViolationCode::Blocklisted]
    );
}

#[test]
fn every_violation_at_once() {
    let policy = Policy::portal()
        .with_required_classes(CharacterClasses::ALL)
        .with_blocklist(Blocklist::new(["joe"]));
    let report = policy.check("JOE", &Context::new("joe"));
    assert_eq!(
        codes(&report),
        [
            ViolationCode::TooShort,
            ViolationCode::SameAsUsername,
            ViolationCode::Blocklisted,
            ViolationCode::MissingLowercase,
            ViolationCode::MissingDigit,
            ViolationCode::MissingSpecial,
        ]
    );
}

#[test]
fn the_seeds_character_classes_are_suggestions_by_default() {
    let policy = Policy::portal();
    let report = policy.check("abcdefghijkm nopq", &JOE);
    assert!(report.passed());
    let suggested: Vec<_> = report.suggestions.iter().map(|s| s.code).collect();
    assert_eq!(
        suggested,
        [
            SuggestionCode::AddUppercase,
            SuggestionCode::AddDigit,
            SuggestionCode::AddSpecial,
            SuggestionCode::UsePassphrase
        ]
    );
    // Each suggestion carries its code's advice, in the words the portal shows.
    let advice: Vec<_> = report.suggestions.iter().map(|s| &*s.message).collect();
    assert_eq!(
        advice,
        [
            "Consider adding an upper-case letter.",
            "Consider adding a number.",
            "Consider adding a special character, one of ! @ # $ % ^ & * ? _ ~.",
            "Consider a passphrase: a sentence of several words, with playful spelling \
             that a dictionary would not guess.",
        ]
    );
    for suggestion in &report.suggestions {
        assert_eq!(suggestion.message, suggestion.code.message());
    }
    let report = policy.check("Vivio is gr8! I like knowing my account is Secure", &JOE);
    assert!(report.passed());
    assert!(report.suggestions.is_empty(), "{:?}", report.suggestions);
    // Each special character of the seeds' set counts; others do not.
    for special in "!@#$%^&*?_~".chars() {
        let report = policy.check(&format!("Abcdefghijk1{special}"), &JOE);
        assert!(!report.suggests(SuggestionCode::AddSpecial), "{special}");
    }
    assert!(
        policy
            .check("Abcdefghijk1-", &JOE)
            .suggests(SuggestionCode::AddSpecial)
    );
}

#[test]
fn each_class_can_be_required_for_legacy_compliance() {
    let cases = [
        (
            CharacterClasses {
                lowercase: true,
                ..Default::default()
            },
            "ABCDEFGHIJKL1!",
            ViolationCode::MissingLowercase,
        ),
        (
            CharacterClasses {
                uppercase: true,
                ..Default::default()
            },
            "abcdefghijkl1!",
            ViolationCode::MissingUppercase,
        ),
        (
            CharacterClasses {
                digit: true,
                ..Default::default()
            },
            "abcdefghijkL!x",
            ViolationCode::MissingDigit,
        ),
        (
            CharacterClasses {
                special: true,
                ..Default::default()
            },
            "abcdefghijkL1x",
            ViolationCode::MissingSpecial,
        ),
    ];
    for (classes, password, code) in cases {
        let policy = Policy::portal().with_required_classes(classes);
        let report = policy.check(password, &JOE);
        assert_eq!(codes(&report), [code], "{password}");
        assert!(policy.check("Abcdefghijk1!", &JOE).passed());
    }
}

#[test]
fn must_not_contain_the_identifiers_when_switched_on() {
    let context = Context::new("joe")
        .email("Zoe.Example@example.com")
        .client_id("10042");
    let policy = Policy::portal().with_forbidden_context_substrings(true);
    assert_eq!(
        codes(&policy.check("my name is JOE and I ski", &context)),
        [ViolationCode::ContainsUsername]
    );
    assert_eq!(
        codes(&policy.check("hello zoe.example friends", &context)),
        [ViolationCode::ContainsEmail]
    );
    // The whole address holds its name part too: still one violation.
    assert_eq!(
        codes(&policy.check("mail zoe.example@example.com now", &context)),
        [ViolationCode::ContainsEmail]
    );
    assert_eq!(
        codes(&policy.check("client 10042 rules ok", &context)),
        [ViolationCode::ContainsClientId]
    );
    assert!(policy.check("an unrelated passphrase", &context).passed());
    // Off by default.
    assert!(
        Policy::portal()
            .check("my name is JOE and I ski", &context)
            .passed()
    );
    // Identifiers under three code points are ignored.
    assert!(
        policy
            .check("a jo in the middle", &Context::new("jo"))
            .passed()
    );
}

#[test]
fn presets_and_configurable_maximum() {
    let nist = Policy::nist_single_factor();
    assert_eq!(nist.min_length(), 15);
    assert!(
        nist.check(&password_of(14), &JOE)
            .has(ViolationCode::TooShort)
    );
    assert!(nist.check(&password_of(15), &JOE).passed());

    assert!(matches!(
        Policy::portal().with_max_length(63),
        Err(Error::InvalidPolicy {
            setting: "max_length",
            value: 63,
            ..
        })
    ));
    let tight = Policy::portal().with_max_length(64).expect("64 is allowed");
    assert!(tight.check(&password_of(64), &JOE).passed());
    assert!(
        tight
            .check(&password_of(65), &JOE)
            .has(ViolationCode::TooLong)
    );
    assert!(Policy::portal().with_min_length(7).is_err());
    let eight = Policy::portal()
        .with_min_length(8)
        .expect("NIST's floor of 8 is allowed");
    assert_eq!(eight.min_length(), 8);
    assert!(
        Policy::portal()
            .with_max_length(1000)
            .and_then(|p| p.with_min_length(1000))
            .is_ok()
    );
}

#[test]
fn policy_round_trips_through_serde_and_validates() {
    let policy = Policy::portal()
        .with_blocklist(Blocklist::new(["Vivio", "viviotech"]))
        .with_required_classes(CharacterClasses {
            digit: true,
            ..Default::default()
        });
    let json = serde_json::to_string(&policy).expect("serializes");
    let back: Policy = serde_json::from_str(&json).expect("deserializes");
    assert_eq!(back, policy);

    let empty: Policy = serde_json::from_str("{}").expect("all fields optional");
    assert_eq!(empty, Policy::portal());

    let error = serde_json::from_str::<Policy>(r#"{"max_length": 32}"#).expect_err("below 64");
    assert!(error.to_string().contains("max_length is 32"), "{error}");
    assert!(serde_json::from_str::<Policy>(r#"{"min_lenght": 12}"#).is_err());
    assert!(serde_json::from_str::<Policy>(r#"{"hashing": {"memory_kib": 4}}"#).is_err());
}

#[test]
fn report_serializes_with_stable_snake_case_codes() {
    let report = Policy::portal().check("joe", &Context::new("joe"));
    let json = serde_json::to_value(&report).expect("serializes");
    assert_eq!(json["violations"][0]["code"], "too_short");
    assert_eq!(json["violations"][1]["code"], "same_as_username");
    assert_eq!(json["suggestions"][0]["code"], "add_uppercase");
    assert!(
        json["violations"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("12"))
    );
    let back: Report = serde_json::from_value(json).expect("deserializes");
    assert_eq!(back, report);
}

#[test]
fn megabytes_of_input_do_not_panic_and_are_refused() {
    let huge = "a\u{301}".repeat(1 << 19);
    let report = Policy::portal().check(&huge, &Context::new(&huge).email(&huge));
    assert!(report.has(ViolationCode::TooLong));
    assert!(report.has(ViolationCode::SameAsUsername));
}

#[test]
fn a_policy_no_password_can_meet_is_refused_on_load_naming_the_field() {
    // Issue 12, defect 12: `min_length = max_length = u64::MAX` loaded, and then no
    // password could ever pass.
    let json = format!(r#"{{"min_length": {0}, "max_length": {0}}}"#, u64::MAX);
    let error = serde_json::from_str::<Policy>(&json).expect_err("no password fits");
    assert!(
        error
            .to_string()
            .contains("max_length is 18446744073709551615"),
        "{error}"
    );
    // TOML, the CLI's policy files, tops out at i64::MAX.
    let toml_text = format!("min_length = {0}\nmax_length = {0}\n", i64::MAX);
    let error = toml::from_str::<Policy>(&toml_text).expect_err("no password fits");
    assert!(error.to_string().contains("max_length is"), "{error}");
    assert!(matches!(
        Policy::portal().with_max_length(usize::MAX),
        Err(Error::InvalidPolicy {
            setting: "max_length",
            ..
        })
    ));
    assert!(matches!(
        Policy::portal().with_min_length(usize::MAX),
        Err(Error::InvalidPolicy {
            setting: "min_length",
            ..
        })
    ));
    // The ceiling itself is a policy some password meets.
    let longest = Policy::portal()
        .with_max_length(countersign_password::HIGHEST_MAX_LENGTH)
        .and_then(|p| p.with_min_length(countersign_password::HIGHEST_MAX_LENGTH))
        .expect("4096 is allowed");
    assert!(longest.check(&password_of(4096), &JOE).passed());
    assert!(
        Policy::portal()
            .with_max_length(countersign_password::HIGHEST_MAX_LENGTH + 1)
            .is_err()
    );
}

#[test]
fn a_blocklist_keeps_its_words_folded_sorted_and_once() {
    let list = Blocklist::new([
        "Zeta",
        "ACME",
        "acme",
        "",
        "\u{FF28}\u{FF4F}\u{FF53}\u{FF54}",
    ]);
    assert_eq!(list.words().collect::<Vec<_>>(), ["acme", "host", "zeta"]);
    assert!(!list.is_empty());
    assert!(Blocklist::new([""]).is_empty());
    assert!(Blocklist::default().is_empty());
}
