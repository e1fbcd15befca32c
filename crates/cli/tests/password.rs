//! `countersign password`: the password comes from stdin; exit 0 yes, 1 no, 2 bad input.

use std::path::PathBuf;
use std::process::Output;

mod invoke;
use invoke::{countersign, countersign_with_env, text};

fn run(args: &[&str], stdin: &str) -> Output {
    countersign(args, stdin.as_bytes())
}

fn run_with_env(args: &[&str], stdin: &str, env: &[(&str, &str)]) -> Output {
    countersign_with_env(args, stdin.as_bytes(), env)
}

/// A policy file with cheap hashing parameters, so the tests stay quick.
fn cheap_policy() -> PathBuf {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cheap-policy.toml");
    std::fs::write(&path, "[hashing]\nmemory_kib = 64\niterations = 1\n").expect("writes");
    path
}

#[test]
fn check_passes_with_exit_0() {
    let out = run(
        &["password", "check", "--username", "joe"],
        "Vivio is gr8! I like knowing my account is Secure\n",
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("passes"));
}

#[test]
fn check_fails_with_exit_1_and_every_reason_on_stderr() {
    let out = run(
        &[
            "password",
            "check",
            "--username",
            "Joe.Example",
            "--email",
            "joe@example.com",
            "--client-id",
            "10042",
        ],
        "joe.example\n",
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("too_short: Use at least 12 characters; this password has 11."),
        "{stderr}"
    );
    assert!(stderr.contains("same_as_username"), "{stderr}");
}

#[test]
fn check_json_reports_on_stdout() {
    let out = run(
        &["password", "check", "--username", "joe", "--json"],
        "passwordpassword",
    );
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(report["passed"], false);
    assert_eq!(report["violations"][0]["code"], "common_password");

    let out = run(
        &["password", "check", "--username", "joe", "--json"],
        "correct horse battery staple 42!",
    );
    assert_eq!(out.status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(report["passed"], true);
    assert!(report["strength"]["score"].is_u64(), "{report}");
}

#[test]
fn only_one_trailing_line_break_is_removed() {
    // "joe\n" is the username; "joe\n\n" keeps a line break and is not.
    let out = run(
        &[
            "password",
            "check",
            "--username",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "--json",
        ],
        &format!("{}\r\n", "a".repeat(49)),
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(
        report["violations"][0]["code"], "same_as_username",
        "{report}"
    );
    let out = run(
        &[
            "password",
            "check",
            "--username",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "--json",
        ],
        &format!("{}\n\n", "a".repeat(49)),
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert!(
        report["violations"]
            .as_array()
            .is_some_and(|v| v.iter().all(|v| v["code"] != "same_as_username")),
        "{report}"
    );
}

#[test]
fn the_password_is_never_taken_from_argv() {
    let out = run(
        &["password", "check", "--username", "joe", "hunter2hunter2"],
        "",
    );
    assert_eq!(out.status.code(), Some(2));
    let out = run(&["password", "hash", "--password", "hunter2hunter2"], "");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn hash_then_verify() {
    let policy = cheap_policy();
    let policy = policy.to_str().expect("UTF-8 path");
    let out = run(
        &["password", "hash", "--policy", policy],
        "correct horse battery staple\n",
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let phc = text(&out.stdout).trim().to_owned();
    assert!(phc.starts_with("$argon2id$v=19$m=64,t=1,p=1$"), "{phc}");

    let out = run(
        &["password", "verify", "--policy", policy, "--hash", &phc],
        "correct horse battery staple\n",
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).trim(), "verified");

    // With the default (OWASP) policy the cheap hash still verifies, and asks for a rehash.
    let out = run(
        &["password", "verify", "--hash", &phc, "--json"],
        "correct horse battery staple",
    );
    assert_eq!(out.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(
        json,
        serde_json::json!({"verified": true, "needs_rehash": true})
    );

    let out = run(
        &["password", "verify", "--policy", policy, "--hash", &phc],
        "correct horse battery stapler",
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("does not match"));
}

#[test]
fn a_reference_hash_verifies_from_the_shell() {
    // Made by Debian's argon2 command: `echo -n password | argon2 somesaltsomesalt -id -t 2 -k 19456 -p 1 -e`.
    let phc = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$K13EBUiG7JV+9ZxztmHFTdb7J0WQsnj2V8bZaqyPptE";
    let out = run(&["password", "verify", "--hash", phc], "password");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

#[test]
fn pepper_from_the_environment() {
    let policy = cheap_policy();
    let policy = policy.to_str().expect("UTF-8 path");
    let env = [("TEST_PEPPER", "kept out of the database")];
    let out = run_with_env(
        &[
            "password",
            "hash",
            "--policy",
            policy,
            "--pepper-env",
            "TEST_PEPPER",
        ],
        "correct horse",
        &env,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let phc = text(&out.stdout).trim().to_owned();
    let out = run_with_env(
        &[
            "password",
            "verify",
            "--policy",
            policy,
            "--pepper-env",
            "TEST_PEPPER",
            "--hash",
            &phc,
        ],
        "correct horse",
        &env,
    );
    assert_eq!(out.status.code(), Some(0));
    let out = run(
        &["password", "verify", "--policy", policy, "--hash", &phc],
        "correct horse",
    );
    assert_eq!(out.status.code(), Some(1));
    let out = run(
        &[
            "password",
            "hash",
            "--pepper-env",
            "COUNTERSIGN_TEST_UNSET_VARIABLE",
        ],
        "x",
    );
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn bad_input_exits_2_with_one_line() {
    for phc in [
        "garbage",
        "$argon2id$v=19$m=4194304,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$K13EBUiG7JV+9ZxztmHFTdb7J0WQsnj2V8bZaqyPptE",
    ] {
        let out = run(&["password", "verify", "--hash", phc], "password");
        assert_eq!(out.status.code(), Some(2), "{phc}");
        assert_eq!(
            text(&out.stderr).lines().count(),
            1,
            "{}",
            text(&out.stderr)
        );
    }
    // Too long to hash: bad input; too long to verify: cannot match.
    let long = "a".repeat(129);
    assert_eq!(run(&["password", "hash"], &long).status.code(), Some(2));
    let phc = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$K13EBUiG7JV+9ZxztmHFTdb7J0WQsnj2V8bZaqyPptE";
    let out = run(&["password", "verify", "--hash", phc], &long);
    assert_eq!(out.status.code(), Some(1));
    // Told why on stderr; with --json the answer is the JSON on stdout alone.
    assert!(
        text(&out.stderr).contains("more than the maximum of 128"),
        "{}",
        text(&out.stderr)
    );
    let out = run(&["password", "verify", "--hash", phc, "--json"], &long);
    assert_eq!(out.status.code(), Some(1));
    // (stderr still warns of --hash on the command line: that is not the answer)
    assert!(
        !text(&out.stderr).contains("maximum"),
        "{}",
        text(&out.stderr)
    );
    let answer: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(answer["verified"], false);
    // Not UTF-8 on stdin.
    assert_eq!(
        countersign(
            &["password", "check", "--username", "joe"],
            &[0xff, 0xfe, 0x00]
        )
        .status
        .code(),
        Some(2)
    );
    // A bad policy file.
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bad-policy.toml");
    let check_with_policy = |policy: &str| {
        std::fs::write(&path, policy).expect("writes");
        let args = ["password", "check", "--username", "joe", "--policy"];
        let path = path.to_str().expect("UTF-8");
        run(&[&args[..], &[path]].concat(), "x")
    };
    let out = check_with_policy("max_length = 10\n");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("max_length"),
        "{}",
        text(&out.stderr)
    );
    let out = check_with_policy("max_lenth = 100\n");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr).lines().count(),
        1,
        "{}",
        text(&out.stderr)
    );
    assert!(
        text(&out.stderr).contains("(line 1)"),
        "{}",
        text(&out.stderr)
    );
    // The line named is the one the mistake is on.
    let out = check_with_policy("min_length = 8\n\nmax_lenth = 100\n");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("(line 3)"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_file_name_with_terminal_controls_is_escaped_in_the_error() {
    // Issue 12, defect 7: every human-readable output is escaped, errors quoting a file
    // name included.
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
    let path = dir.join("no such \u{1b}]0;pwned\u{7}\u{1b}[2J\u{202e}policy.toml");
    let out = run(
        &[
            "password",
            "check",
            "--username",
            "joe",
            "--policy",
            path.to_str().unwrap(),
        ],
        "correct horse battery staple\n",
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr:?}");
    assert!(stderr.contains("cannot read the policy file"), "{stderr:?}");
    assert!(
        stderr.contains("\\u{1b}]0;pwned\\u{7}\\u{1b}[2J\\u{202e}policy.toml"),
        "{stderr:?}"
    );
    assert!(
        !stderr.contains('\u{1b}') && !stderr.contains('\u{202e}'),
        "{stderr:?}"
    );
}

#[test]
fn a_policy_file_no_password_can_meet_is_refused_naming_the_field() {
    // Issue 12, defect 12: min_length = max_length = the largest integer loaded, and no
    // password could ever pass it.
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("impossible-policy.toml");
    std::fs::write(
        &path,
        format!("min_length = {0}\nmax_length = {0}\n", i64::MAX),
    )
    .expect("writes");
    for command in ["check", "hash"] {
        let mut args = vec![
            "password",
            command,
            "--policy",
            path.to_str().expect("UTF-8"),
        ];
        if command == "check" {
            args.extend(["--username", "joe"]);
        }
        let out = run(&args, "correct horse battery staple\n");
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(
            stderr.contains("max_length is 9223372036854775807"),
            "{stderr}"
        );
    }
}
