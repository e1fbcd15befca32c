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
