//! `countersign security-code check`: exit codes, reports, profile flags.

use std::process::Output;

mod invoke;
use invoke::{countersign, text};

/// `countersign security-code check` on a fixed day, `code` on stdin.
fn run(code: &str, args: &[&str]) -> Output {
    let mut all = vec!["security-code", "check", "--today", "2026-11-23"];
    all.extend_from_slice(args);
    countersign(&all, code.as_bytes())
}

#[test]
fn passing_code_exits_0() {
    let out = run("Lighthouse-42-Oak\n", &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "passed\n");
}

#[test]
fn warnings_are_shown_on_a_pass() {
    let out = run("Tulip-040785-x\n", &[]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        text(&out.stdout).contains("warning[six_digit_date]"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn failing_code_exits_1_with_the_report() {
    let out = run("1990-01-31-blue\n", &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).starts_with("error[date]: "),
        "{}",
        text(&out.stderr)
    );
    let out = run("A123456789", &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("error[ssn]"));
}

#[test]
fn profile_flags_refuse_personal_data() {
    let cases: &[(&str, &[&str], &str)] = &[
        (
            "JoeLighthouse-42",
            &["--name", "Joe Example"],
            "contains_name",
        ),
        (
            "Jdoe42-Lighthouse",
            &["--username", "jdoe42"],
            "contains_username",
        ),
        (
            "Marketing-Oak-42",
            &["--email", "marketing@viviotech.net"],
            "contains_email",
        ),
        (
            "Oak-1707-Pine",
            &["--client-id", "1707"],
            "contains_client_id",
        ),
        (
            "Oak-5246801-x",
            &["--phone", "555-246-8013"],
            "contains_phone",
        ),
        (
            "Oak-041285-x",
            &["--dob", "1985-04-12"],
            "contains_birth_date",
        ),
        ("Oak-2637-Pine", &["--ssn", "481-59-2637"], "contains_ssn"),
    ];
    for (code, args, reason) in cases {
        let out = run(code, args);
        assert_eq!(out.status.code(), Some(1), "{code}");
        assert!(
            text(&out.stderr).contains(&format!("error[{reason}]")),
            "{code}: {}",
            text(&out.stderr)
        );
        // Without the profile the same code passes.
        assert_eq!(
            run(code, &[]).status.code(),
            Some(0),
            "{code} without profile"
        );
    }
}

#[test]
fn json_report() {
    let out = run("Oak-Apr-12-Pine", &["--json", "--dob", "1985-04-12"]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let codes: Vec<&str> = v["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["date", "contains_birth_date"]);
    let out = run("Lighthouse-42-Oak", &["--json"]);
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["violations"].as_array().unwrap().len(), 0);
}

#[test]
fn bad_input_exits_2() {
    let out = run("Lighthouse-42-Oak", &["--dob", "1985-02-30"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).starts_with("countersign: --dob"),
        "{}",
        text(&out.stderr)
    );
    let out = countersign(&["security-code", "check"], &[0xff, 0xfe, b'a']);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn empty_stdin_is_too_short() {
    let out = run("", &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("error[too_short]"));
}

#[test]
fn system_clock_default_works() {
    let out = countersign(&["security-code", "check"], b"Birch19850412");
    assert_eq!(out.status.code(), Some(1));
}
