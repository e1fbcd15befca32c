//! `countersign permissions` end to end.

use std::path::PathBuf;
use std::process::Output;

mod invoke;
use invoke::{countersign, text};

fn run(args: &[&str]) -> Output {
    countersign(args, b"")
}

const POLICY: &str = r#"
schema = "client-portal"

[roles.security-code-holder]
grants.manage-contacts = { view = "allow", update = "allow" }

[principals.contact-3523]
grants.client-profile.view = "allow"

[principals.contact-3526]
roles = ["security-code-holder"]
"#;

/// Writes a file under a fresh temporary directory (removed by the OS, named per test).
fn file(test: &str, name: &str, contents: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "countersign-cli-permissions-{}-{test}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path
}

#[test]
fn grid_prints_the_seed_table() {
    let policy = file("grid", "policy.toml", POLICY);
    let out = run(&[
        "permissions",
        "grid",
        "--policy",
        policy.to_str().unwrap(),
        "--principal",
        "contact-3523",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.starts_with("() shows inherited value\nResources                           View     Create   Update   Delete\n"));
    assert!(
        stdout
            .contains("\nClient Portal                       (None)   (None)   (None)   (None)\n")
    );
    assert!(
        stdout
            .contains("\n▼ Client Profile                    Allow    (None)   (None)   (None)\n")
    );
    assert!(
        stdout.contains("\n    Change Password                 (Allow)  -        (None)   -\n")
    );
    assert!(
        stdout.contains("\n  Viviotech Website                 (None)   -        -        -\n")
    );
}

#[test]
fn grid_as_json() {
    let policy = file("grid-json", "policy.toml", POLICY);
    let out = run(&[
        "permissions",
        "grid",
        "--policy",
        policy.to_str().unwrap(),
        "--principal",
        "contact-3523",
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let grid: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        grid["rows"][2]["cells"][0],
        serde_json::json!({"state": "inherited", "value": "allow"})
    );
}

#[test]
fn check_exits_0_when_allowed_and_1_when_denied_with_the_reason() {
    let policy = file("check", "policy.toml", POLICY);
    let p = policy.to_str().unwrap();
    let out = run(&[
        "permissions",
        "check",
        "--policy",
        p,
        "--principal",
        "contact-3523",
        "--resource",
        "profile",
        "--action",
        "view",
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        text(&out.stdout),
        "allow: Allow for Profile: View (inherited from Client Profile: View, own grant of contact-3523)\n"
    );

    let out = run(&[
        "permissions",
        "check",
        "--policy",
        p,
        "--principal",
        "contact-3523",
        "--resource",
        "profile",
        "--action",
        "update",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).starts_with("deny: None for Profile: Update"));

    let out = run(&[
        "permissions",
        "check",
        "--policy",
        p,
        "--principal",
        "contact-3526",
        "--resource",
        "manage-contacts",
        "--action",
        "Update",
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).contains("grant of role security-code-holder"));
}

#[test]
fn check_reads_json_too() {
    let policy = file(
        "check-json",
        "policy.json",
        r#"{"schema": "client-portal", "principals": {"c": {"grants": {"support": {"view": "deny"}}}}}"#,
    );
    let out = run(&[
        "permissions",
        "check",
        "--policy",
        policy.to_str().unwrap(),
        "--principal",
        "c",
        "--resource",
        "support",
        "--action",
        "view",
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let why: serde_json::Value = serde_json::from_str(text(&out.stderr).trim()).unwrap();
    assert_eq!(why["decision"], "deny");
}

#[test]
fn bad_questions_exit_2_with_one_line() {
    let policy = file("bad", "policy.toml", POLICY);
    let p = policy.to_str().unwrap();
    let malformed = file(
        "bad",
        "malformed.toml",
        "schema = \"client-portal\"\n[principals.c]\ngrants.profile.view = \"alow\"\n",
    );
    let m = malformed.to_str().unwrap();
    for args in [
        vec!["permissions", "grid", "--policy", m, "--principal", "c"],
        vec![
            "permissions",
            "check",
            "--policy",
            p,
            "--principal",
            "nobody",
            "--resource",
            "profile",
            "--action",
            "view",
        ],
        vec![
            "permissions",
            "check",
            "--policy",
            p,
            "--principal",
            "contact-3523",
            "--resource",
            "change-password",
            "--action",
            "delete",
        ],
        vec![
            "permissions",
            "grid",
            "--policy",
            "/nonexistent/policy.toml",
            "--principal",
            "c",
        ],
    ] {
        let out = run(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = text(&out.stderr);
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.starts_with("countersign: "), "{stderr}");
    }
}

#[test]
fn validate_says_valid_or_what_is_wrong() {
    let good = file("validate", "good.toml", POLICY);
    let out = run(&[
        "permissions",
        "validate",
        "--policy",
        good.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        text(&out.stdout),
        "valid: 14 resources, 4 actions, 1 roles, 2 principals\n"
    );

    let cycle = file(
        "validate",
        "cycle.toml",
        "schema = \"client-portal\"\n[roles.a]\nroles = [\"b\"]\n[roles.b]\nroles = [\"a\"]\n",
    );
    let out = run(&[
        "permissions",
        "validate",
        "--policy",
        cycle.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr),
        "invalid: the roles include each other in a cycle: a -> b -> a\n"
    );

    let dash = file(
        "validate",
        "dash.toml",
        "schema = \"client-portal\"\n[principals.c]\ngrants.change-password.create = \"allow\"\n",
    );
    let out = run(&[
        "permissions",
        "validate",
        "--policy",
        dash.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("does not apply to resource 'change-password'"));
}

#[test]
fn a_policy_files_extension_names_its_format() {
    let validate = |path: &PathBuf| {
        let out = run(&[
            "permissions",
            "validate",
            "--policy",
            path.to_str().unwrap(),
        ]);
        (out.status.code(), text(&out.stderr))
    };
    let json = r#"{"schema": "client-portal", "principals": {"c": {"grants": {"support": {"view": "deny"}}}}}"#;
    // Each text read as its own extension says, in either case, and refused under the
    // other; without either extension, read as its first character says.
    for (name, contents) in [
        ("policy.toml", POLICY),
        ("POLICY.JSON", json),
        ("policy.conf", json),
        ("policy", POLICY),
    ] {
        let (code, said) = validate(&file("extension", name, contents));
        assert_eq!(code, Some(0), "{name}: {said}");
    }
    for (name, contents) in [("policy.json", POLICY), ("policy.Toml", json)] {
        let (code, said) = validate(&file("extension", name, contents));
        assert_eq!(code, Some(1), "{name}: {said}");
        assert!(said.starts_with("invalid: "), "{name}: {said}");
    }
}
