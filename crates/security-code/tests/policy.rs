//! Policy configuration, the date type, reports and admission.

use countersign_security_code::{
    Context, Date, Error, Policy, PolicyConfig, ReasonCode, Report, check,
};

fn ctx() -> Context {
    Context::new(Date::new(2026, 11, 23).unwrap())
}

#[test]
fn policy_settings_are_validated() {
    let ok = |json: &str| serde_json::from_str::<Policy>(json);
    assert_eq!(ok("{}").unwrap(), Policy::default());
    assert_eq!(
        ok(r#"{"min_length": 12, "max_length": 40}"#)
            .unwrap()
            .min_length(),
        12
    );
    for bad in [
        r#"{"min_length": 7}"#,
        r#"{"min_length": 20, "max_length": 10}"#,
        r#"{"max_length": 2000}"#,
        r#"{"min_distinct": 1}"#,
        r#"{"min_distinct": 9}"#,
        r#"{"max_sequence_run": 2}"#,
        r#"{"unknown": 1}"#,
    ] {
        assert!(ok(bad).is_err(), "{bad}");
    }
    let err = Policy::new(PolicyConfig {
        min_length: 4,
        ..PolicyConfig::default()
    })
    .unwrap_err();
    assert!(matches!(err, Error::InvalidPolicy { .. }));
    assert!(err.to_string().contains("min_length must be at least 8"));
    let json = serde_json::to_string(&Policy::default()).unwrap();
    assert_eq!(
        json,
        r#"{"min_length":8,"max_length":64,"min_distinct":4,"max_sequence_run":5}"#
    );
}

#[test]
fn policy_settings_accept_their_documented_bounds() {
    // Each range in PolicyConfig's docs includes its ends: max_length from min_length
    // to 1024, min_distinct from 2 to min_length, max_sequence_run from 3.
    let ok = |json: &str| serde_json::from_str::<Policy>(json);
    for edge in [
        r#"{"min_length": 8}"#,
        r#"{"min_length": 12, "max_length": 12}"#,
        r#"{"max_length": 1024}"#,
        r#"{"min_distinct": 2}"#,
        r#"{"min_distinct": 8}"#,
        r#"{"min_length": 10, "min_distinct": 10}"#,
        r#"{"max_sequence_run": 3}"#,
    ] {
        assert!(ok(edge).is_ok(), "{edge}: {:?}", ok(edge));
    }
    let p = ok(r#"{"min_length": 12, "max_length": 12}"#).unwrap();
    assert_eq!((p.min_length(), p.max_length()), (12, 12));
    assert_eq!(ok(r#"{"max_length": 1024}"#).unwrap().max_length(), 1024);
    for past in [
        r#"{"min_length": 12, "max_length": 11}"#,
        r#"{"max_length": 1025}"#,
        r#"{"min_length": 10, "min_distinct": 11}"#,
    ] {
        assert!(ok(past).is_err(), "{past}");
    }
}

#[test]
fn a_stricter_policy_applies() {
    let p: Policy = serde_json::from_str(r#"{"min_length": 12, "max_sequence_run": 3}"#).unwrap();
    let r = p.check("Oak-Pine-x", &ctx());
    assert_eq!(
        r.violation_codes().collect::<Vec<_>>(),
        [ReasonCode::TooShort]
    );
    assert!(p.check("Lighthouse-abcd", &ctx()).has(ReasonCode::Sequence));
    assert!(check("Lighthouse-abcd", &ctx()).passed());
}

#[test]
fn admit_returns_the_code_or_the_report() {
    let code = Policy::default()
        .admit(" Lighthouse-42-Oak ", &ctx())
        .unwrap();
    assert_eq!(code.expose(), "Lighthouse-42-Oak");
    match Policy::default().admit("password", &ctx()) {
        Err(Error::Refused { report }) => assert!(report.has(ReasonCode::CommonWord)),
        other => panic!("{other:?}"),
    }
}

#[test]
fn dates_validate() {
    assert!(Date::new(2024, 2, 29).is_ok());
    assert!(Date::new(1900, 2, 29).is_err());
    assert!(Date::new(2000, 2, 29).is_ok());
    // February of a common year has 28 days.
    assert!(Date::new(2026, 2, 28).is_ok());
    assert!(Date::new(2026, 2, 29).is_err());
    assert!(Date::new(2026, 4, 31).is_err());
    assert!(Date::new(0, 1, 1).is_err());
    assert!(Date::new(2026, 13, 1).is_err());
    for bad in [
        "1985-4-12",
        "1985/04/12",
        // Each separator is checked on its own.
        "1985-04/12",
        "1985/04-12",
        "85-04-12",
        "1985-04-31",
        "",
        "abcd-ef-gh",
        "1985-04-1x",
    ] {
        assert!(bad.parse::<Date>().is_err(), "{bad}");
    }
    let d: Date = "1985-04-12".parse().unwrap();
    assert_eq!(d.to_string(), "1985-04-12");
    assert_eq!(serde_json::to_string(&d).unwrap(), r#""1985-04-12""#);
    assert_eq!(serde_json::from_str::<Date>(r#""1985-04-12""#).unwrap(), d);
    assert!(Date::new(1985, 4, 12).unwrap() < Date::new(1985, 4, 13).unwrap());
    assert!(Date::new(1985, 12, 31).unwrap() < Date::new(1986, 1, 1).unwrap());
}

#[test]
fn an_unknown_reason_code_is_an_error_that_says_so() {
    // What a caller parsing stored or configured codes shows its operator.
    let err = "nope".parse::<ReasonCode>().unwrap_err();
    assert_eq!(err.to_string(), "unknown security-code reason code");
}

#[test]
fn reports_serialize_with_stable_codes() {
    let r = check("1990-01-31-blue", &ctx());
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["violations"][0]["code"], "date");
    let back: Report = serde_json::from_value(json).unwrap();
    assert_eq!(back, r);
    for code in ReasonCode::ALL {
        assert_eq!(code.as_str().parse::<ReasonCode>().unwrap(), code);
        assert_eq!(serde_json::to_string(&code).unwrap(), format!("\"{code}\""));
    }
    assert!("nope".parse::<ReasonCode>().is_err());
    assert_eq!(r.summary(), "date");
    assert!(r.to_string().starts_with("error[date]: "));
    // Messages never quote the code.
    let secretive = check("Oak-481-59-2637", &ctx());
    assert!(
        secretive
            .violations
            .iter()
            .all(|f| !f.message.contains("2637"))
    );
}

#[test]
fn today_bounds_the_date_rules() {
    let then = Context::new(Date::new(1999, 1, 1).unwrap());
    assert!(check("Birch20100101", &then).passed());
    assert!(!check("Birch20100101", &ctx()).passed());
}

#[test]
fn a_two_digit_year_is_a_past_date_in_the_1900s_or_the_2000s() {
    // In 1950, `4/12/60` is 12 April 1960 or 2060: both still to come, so no date.
    let then = Context::new(Date::new(1950, 6, 1).unwrap());
    assert!(!check("Oak-4/12/60", &then).has(ReasonCode::Date));
    assert!(check("Oak-4/12/49", &then).has(ReasonCode::Date));
    // 29 February `00` is a date: 1900 was no leap year, but 2000 was.
    assert!(check("Oak-2/29/00", &ctx()).has(ReasonCode::Date));
}

#[test]
fn hostile_lengths_do_not_hang() {
    let huge = "1985-04-12 ".repeat(20_000);
    let r = check(&huge, &ctx());
    assert_eq!(
        r.violation_codes().collect::<Vec<_>>(),
        [ReasonCode::TooLong]
    );
    let near = "a1-".repeat(300);
    assert!(!check(&near, &ctx()).passed());
}

#[test]
fn codes_past_the_analysis_limit_are_only_too_long() {
    // Past 1024 code points a code is reported too long and not analysed further
    // (the bound on check's work); at 1024 it is analysed in full.
    let codes = |r: Report| r.violation_codes().collect::<Vec<_>>();
    assert_eq!(
        codes(check(&"a".repeat(1025), &ctx())),
        [ReasonCode::TooLong]
    );
    assert_eq!(
        codes(check(&"a".repeat(1024), &ctx())),
        [ReasonCode::TooLong, ReasonCode::RepeatedCharacter]
    );
    let p: Policy = serde_json::from_str(r#"{"max_length": 1024}"#).unwrap();
    assert_eq!(
        codes(p.check(&"a".repeat(1025), &ctx())),
        [ReasonCode::TooLong]
    );
    assert_eq!(
        codes(p.check(&"a".repeat(1024), &ctx())),
        [ReasonCode::RepeatedCharacter]
    );
}
