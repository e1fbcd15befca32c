//! Secrets come from stdin (`-`) or a file (`@FILE`), as with oathtool, not from argv,
//! where every user of the machine reads them in the process list (issue 12, defect 11).
//! A secret given on argv still works, with a warning on stderr.

use std::path::PathBuf;

mod invoke;
use invoke::{countersign, text};

const RFC_KEY: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"; // "12345678901234567890"
const URI: &str = "otpauth://totp/Vivio%20Portal:joe?secret=JBSWY3DPEHPK3PXP&issuer=Vivio%20Portal";

fn file(name: &str, contents: &str) -> String {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("secrets_off_argv");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    format!("@{}", path.display())
}

/// Runs `args` with `stdin`: (exit code, stdout, stderr).
fn run(args: &[&str], stdin: &str) -> (Option<i32>, String, String) {
    let output = countersign(args, stdin.as_bytes());
    (
        output.status.code(),
        text(&output.stdout),
        text(&output.stderr),
    )
}

fn assert_quiet_success(args: &[&str], stdin: &str, expected: &str) {
    let (code, out, err) = run(args, stdin);
    assert_eq!(code, Some(0), "{args:?}: {err}");
    assert!(out.contains(expected), "{args:?}: {out}");
    assert!(err.is_empty(), "{args:?} warned: {err}");
}

#[test]
fn secrets_and_codes_come_from_stdin_or_a_file_without_a_warning() {
    let key_file = file("rfc.key", &format!("{RFC_KEY}\n"));
    let code_file = file("code", "287 082\n");
    let uri_file = file("uri", &format!("{URI}\n"));
    let stdin_key = format!("{RFC_KEY}\n");
    let code = ["totp", "code", "--digits", "8", "--time", "59"];

    // The key: from stdin by default, with "-", or from a file.
    assert_quiet_success(&code, &stdin_key, "94287082");
    assert_quiet_success(
        &[&code[..], &["--secret", "-"]].concat(),
        &stdin_key,
        "94287082",
    );
    assert_quiet_success(
        &[&code[..], &["--secret", &key_file]].concat(),
        "",
        "94287082",
    );
    assert_quiet_success(
        &["hotp", "code", "--secret", &key_file, "--counter", "0"],
        "",
        "755224",
    );
    assert_quiet_success(
        &["uri", "new", "--account", "joe", "--secret", "-"],
        "JBSWY3DPEHPK3PXP\n",
        "secret=JBSWY3DPEHPK3PXP",
    );

    // The code too: from a file, or from the line after the key's.
    let verify = ["totp", "verify", "--time", "59"];
    assert_quiet_success(
        &[&verify[..], &["--secret", &key_file, "--code", &code_file]].concat(),
        "",
        "step 1 (drift 0 steps, 0 s)",
    );
    assert_quiet_success(
        &[&verify[..], &["--secret", "-", "--code", "-"]].concat(),
        &format!("{RFC_KEY}\n287 082\n"),
        "step 1 (drift 0 steps, 0 s)",
    );
    assert_quiet_success(
        &[&verify[..], &["--secret", &key_file, "--code", "-"]].concat(),
        "287082\n",
        "step 1 (drift 0 steps, 0 s)",
    );

    // The URI holds the key: the same ways.
    assert_quiet_success(
        &["uri", "parse", "-"],
        &format!("{URI}\n"),
        "JBSW Y3DP EHPK 3PXP",
    );
    assert_quiet_success(&["uri", "parse", &uri_file], "", "JBSW Y3DP EHPK 3PXP");
    assert_quiet_success(&["uri", "qr", "-", "--format", "svg"], URI, "<svg");

    // One line short: said so, exit 2.
    let (exit, _, err) = run(
        &[&verify[..], &["--secret", "-", "--code", "-"]].concat(),
        RFC_KEY,
    );
    assert_eq!(exit, Some(2), "{err}");
    assert!(err.contains("--code: stdin ended"), "{err}");
}

#[test]
fn a_secret_on_argv_still_works_with_a_warning() {
    for (args, expected, flags) in [
        (
            vec![
                "totp", "code", "--secret", RFC_KEY, "--digits", "8", "--time", "59",
            ],
            "94287082",
            vec!["--secret"],
        ),
        (
            vec![
                "totp", "verify", "--secret", RFC_KEY, "--code", "287 082", "--time", "59",
            ],
            "step 1",
            vec!["--secret", "--code"],
        ),
        (
            vec!["hotp", "code", "--secret", RFC_KEY, "--counter", "0"],
            "755224",
            vec!["--secret"],
        ),
        (
            vec!["uri", "parse", URI],
            "JBSW Y3DP EHPK 3PXP",
            vec!["the URI"],
        ),
    ] {
        let (code, out, err) = run(&args, "");
        assert_eq!(code, Some(0), "{args:?}: {err}");
        assert!(out.contains(expected), "{args:?}: {out}");
        for flag in flags {
            assert!(
                err.contains(&format!(
                    "countersign: warning: {flag} given on the command line is visible to \
                     every user of this machine"
                )),
                "{args:?}: {err}"
            );
        }
        assert!(err.contains("- to read it from stdin, or"), "{err}");
    }
    // A wrong code on argv: the answer (exit 1, the reason) and the warning.
    let (code, _, err) = run(
        &[
            "totp", "verify", "--secret", RFC_KEY, "--code", "000000", "--time", "59",
        ],
        "",
    );
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("not valid now") && err.contains("warning: --code"),
        "{err}"
    );
}

#[test]
fn a_key_typed_on_stdin_is_taken_at_its_line_break_without_waiting_for_the_end() {
    use std::io::Write as _;
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    let mut child = Command::new(env!("CARGO_BIN_EXE_countersign"))
        .args(["totp", "code", "--digits", "8", "--time", "59"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(format!("{RFC_KEY}\n").as_bytes()).unwrap();
    stdin.flush().unwrap();
    // stdin stays open, as at a terminal: the command answers after the line break.
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(10) {
            child.kill().unwrap();
            panic!("waited for the end of stdin");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    drop(stdin);
    let output = child.wait_with_output().unwrap();
    assert_eq!(text(&output.stdout).trim(), "94287082");
}

/// Made by Debian's argon2 command: `echo -n password | argon2 somesaltsomesalt -id -t 2
/// -k 19456 -p 1 -e`.
const PHC: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$K13EBUiG7JV+9ZxztmHFTdb7J0WQsnj2V8bZaqyPptE";

#[test]
fn a_stored_hash_and_a_callers_ssn_and_birth_date_come_off_argv_too() {
    // The hash: the first line of stdin (the password is the rest), or a file.
    let hash_file = file("hash", &format!("{PHC}\n"));
    let verify = ["password", "verify", "--hash"];
    assert_quiet_success(
        &[&verify[..], &["-"]].concat(),
        &format!("{PHC}\npassword\n"),
        "verified",
    );
    assert_quiet_success(
        &[&verify[..], &[&hash_file]].concat(),
        "password",
        "verified",
    );
    let (code, _, err) = run(&[&verify[..], &["-"]].concat(), &format!("{PHC}\nwrong\n"));
    assert_eq!(code, Some(1), "{err}");
    let (code, _, err) = run(&[&verify[..], &["-"]].concat(), "");
    assert_eq!(
        (code, err.trim()),
        (
            Some(2),
            "countersign: --hash: stdin ended before it was given"
        )
    );

    // SSN and date of birth: a line each (the date first), the security code after them.
    let check = ["security-code", "check", "--today", "2026-11-23"];
    let ssn_file = file("ssn", "481-59-2637\n");
    let dob_file = file("dob", "1985-04-12\n");
    for (args, stdin, reason) in [
        (
            vec!["--ssn", "-"],
            "481-59-2637\nOak-2637-Pine\n",
            "contains_ssn",
        ),
        (vec!["--ssn", &ssn_file], "Oak-2637-Pine\n", "contains_ssn"),
        (
            vec!["--dob", "-"],
            "1985-04-12\nOak-041285-x\n",
            "contains_birth_date",
        ),
        (
            vec!["--dob", &dob_file],
            "Oak-041285-x",
            "contains_birth_date",
        ),
        (
            vec!["--ssn", "-", "--dob", "-"],
            "1985-04-12\n481-59-2637\nOak-2637-Pine\n",
            "contains_ssn",
        ),
        (
            vec!["--dob", "-", "--ssn", "-"],
            "1985-04-12\n481-59-2637\nOak-041285-x\n",
            "contains_birth_date",
        ),
    ] {
        let (code, _, err) = run(&[&check[..], &args].concat(), stdin);
        assert_eq!(code, Some(1), "{args:?}: {err}");
        assert!(err.contains(&format!("error[{reason}]")), "{args:?}: {err}");
        assert!(!err.contains("warning:"), "{args:?}: {err}");
    }
    // Without the profile's line the code passes: the line was the SSN, not the code.
    assert_quiet_success(
        &[&check[..], &["--ssn", "-"]].concat(),
        "111-22-3333\nOak-2637-Pine\n",
        "passed",
    );
    let (code, _, err) = run(&[&check[..], &["--dob", "-"]].concat(), "1985-02-30\nx\n");
    assert_eq!(code, Some(2), "{err}");
    assert!(err.starts_with("countersign: --dob"), "{err}");
    let (code, _, err) = run(&[&check[..], &["--ssn", "@/nonexistent/ssn"]].concat(), "x");
    assert_eq!(code, Some(2), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");

    // On argv they still work, with the warning.
    let (code, out, err) = run(&[&verify[..], &[PHC]].concat(), "password");
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("verified"));
    assert!(
        err.contains("warning: --hash given on the command line"),
        "{err}"
    );
    let (code, _, err) = run(
        &[&check[..], &["--ssn", "481-59-2637", "--dob", "1985-04-12"]].concat(),
        "Oak-2637-Pine",
    );
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("error[contains_ssn]"), "{err}");
    assert!(
        err.contains("warning: --ssn given on the command line"),
        "{err}"
    );
    assert!(
        err.contains("warning: --dob given on the command line"),
        "{err}"
    );
}
