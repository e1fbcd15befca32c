//! `countersign totp`, `hotp` and `uri` as a user runs them.

use std::process::Output;

mod invoke;
use invoke::{countersign, text, unix_now};

fn run(args: &[&str]) -> Output {
    countersign(args, b"")
}

fn stdout(output: &Output) -> String {
    text(&output.stdout)
}

fn stderr(output: &Output) -> String {
    text(&output.stderr)
}

const RFC_KEY: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"; // "12345678901234567890"

#[test]
fn totp_code_matches_rfc6238() {
    for (algorithm, key, code) in [
        ("sha1", RFC_KEY, "94287082"),
        (
            "sha256",
            "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZA",
            "46119246",
        ),
        (
            "SHA512",
            "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNA",
            "90693936",
        ),
    ] {
        let output = run(&[
            "totp",
            "code",
            "--secret",
            key,
            "--algorithm",
            algorithm,
            "--digits",
            "8",
            "--time",
            "59",
        ]);
        assert!(output.status.success(), "{}", stderr(&output));
        assert_eq!(stdout(&output).trim(), code, "{algorithm}");
    }
}

#[test]
fn totp_code_without_a_time_is_the_code_of_now() {
    let code_at = |time: u64| {
        let output = run(&[
            "totp",
            "code",
            "--secret",
            RFC_KEY,
            "--time",
            &time.to_string(),
        ]);
        assert!(output.status.success(), "{}", stderr(&output));
        stdout(&output).trim().to_owned()
    };
    let before = unix_now();
    let output = run(&["totp", "code", "--secret", RFC_KEY]);
    let after = unix_now();
    assert!(output.status.success(), "{}", stderr(&output));
    // The run may straddle a step boundary: the code is of one end or the other.
    let live = stdout(&output).trim().to_owned();
    assert!(
        live == code_at(before) || live == code_at(after),
        "{live} is neither the code at {before} nor at {after}"
    );
}

#[test]
fn a_reader_that_went_away_ends_the_command_quietly() {
    // `countersign totp code ... | head -c0`: stdout's reader closed before the code
    // is written. The command ends as it would have (exit 0), with no error about
    // the pipe; any other failure to write is still reported.
    let code_into = |stdout: std::process::Stdio| {
        std::process::Command::new(env!("CARGO_BIN_EXE_countersign"))
            .args(["totp", "code", "--secret", RFC_KEY, "--time", "59"])
            .stdin(std::process::Stdio::null())
            .stdout(stdout)
            .stderr(std::process::Stdio::piped())
            .output()
            .unwrap()
    };
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let output = code_into(writer.into());
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(!stderr(&output).contains("stdout"), "{}", stderr(&output));
    // Where writing fails for another reason (a full disk: Linux's /dev/full), it is
    // an error.
    if cfg!(target_os = "linux") {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let output = code_into(full.into());
        assert_ne!(output.status.code(), Some(0));
        assert!(
            stderr(&output).contains("writing to stdout"),
            "{}",
            stderr(&output)
        );
    }
}

#[test]
fn totp_verify_says_yes_no_and_replay() {
    let yes = run(&[
        "totp", "verify", "--secret", RFC_KEY, "--code", "287 082", "--time", "59",
    ]);
    assert_eq!(yes.status.code(), Some(0), "{}", stderr(&yes));
    assert_eq!(stdout(&yes).trim(), "step 1 (drift 0 steps, 0 s)");

    let behind = run(&[
        "totp", "verify", "--secret", RFC_KEY, "--code", "287082", "--time", "89",
    ]);
    assert_eq!(stdout(&behind).trim(), "step 1 (drift -1 step, -30 s)");

    let wrong = run(&[
        "totp", "verify", "--secret", RFC_KEY, "--code", "000000", "--time", "59",
    ]);
    assert_eq!(wrong.status.code(), Some(1));
    assert!(stderr(&wrong).contains("not valid"), "{}", stderr(&wrong));

    let replay = run(&[
        "totp",
        "verify",
        "--secret",
        RFC_KEY,
        "--code",
        "287082",
        "--time",
        "59",
        "--last-step",
        "1",
    ]);
    assert_eq!(replay.status.code(), Some(1));
    assert!(stderr(&replay).contains("already used"));

    let short = run(&[
        "totp", "verify", "--secret", RFC_KEY, "--code", "28708", "--time", "59",
    ]);
    assert_eq!(short.status.code(), Some(1));
    assert!(stderr(&short).contains("5 digits; expected 6"));

    let outside = run(&[
        "totp", "verify", "--secret", RFC_KEY, "--code", "287082", "--time", "149", "--window", "2",
    ]);
    assert_eq!(outside.status.code(), Some(1));
}

#[test]
fn hotp_code_matches_rfc4226() {
    let output = run(&["hotp", "code", "--secret", RFC_KEY, "--counter", "9"]);
    assert!(output.status.success());
    assert_eq!(stdout(&output).trim(), "520489");
}

#[test]
fn uri_new_parse_round_trip() {
    let made = run(&[
        "uri",
        "new",
        "--issuer",
        "Vivio Portal",
        "--account",
        "joe@example.com",
        "--secret",
        "jbsw y3dp ehpk 3pxp",
        "--digits",
        "8",
        "--period",
        "60",
    ]);
    assert!(made.status.success(), "{}", stderr(&made));
    let uri = stdout(&made).trim().to_owned();
    assert_eq!(
        uri,
        "otpauth://totp/Vivio%20Portal:joe%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=Vivio%20Portal&digits=8&period=60"
    );

    let parsed = run(&["uri", "parse", &uri, "--json"]);
    assert!(parsed.status.success());
    let json: serde_json::Value = serde_json::from_str(&stdout(&parsed)).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "type": "totp", "issuer": "Vivio Portal", "account": "joe@example.com",
            "secret": "JBSWY3DPEHPK3PXP", "algorithm": "SHA1", "digits": 8, "period": 60, "counter": null
        })
    );

    let fresh = run(&[
        "uri",
        "new",
        "--account",
        "bob",
        "--counter",
        "7",
        "--algorithm",
        "sha256",
    ]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&run(&[
        "uri",
        "parse",
        stdout(&fresh).trim(),
        "--json",
    ])))
    .unwrap();
    assert_eq!(json["type"], "hotp");
    assert_eq!(json["counter"], 7);
    assert_eq!(json["algorithm"], "SHA256");
    assert_eq!(json["secret"].as_str().unwrap().len(), 32); // 160 bits
}

#[test]
fn uri_qr_in_both_formats() {
    let uri = "otpauth://totp/Example:alice@google.com?secret=JBSWY3DPEHPK3PXP&issuer=Example";
    let svg = run(&["uri", "qr", uri, "--format", "svg"]);
    assert!(svg.status.success());
    assert!(stdout(&svg).contains("<svg"));
    let terminal = run(&["uri", "qr", uri]);
    assert!(terminal.status.success());
    assert!(stdout(&terminal).contains('▄') || stdout(&terminal).contains('▀'));
}

#[test]
fn bad_input_is_one_line_and_exit_2() {
    for args in [
        &["totp", "code", "--secret", "QHNATAPGLOMF8XZ2"][..],
        &[
            "totp",
            "code",
            "--secret",
            "JBSWY3DPEHPK3PXP",
            "--digits",
            "9",
        ],
        &[
            "totp",
            "code",
            "--secret",
            "JBSWY3DPEHPK3PXP",
            "--period",
            "0",
        ],
        &[
            "totp",
            "verify",
            "--secret",
            "JBSWY3DPEHPK3PXP",
            "--code",
            "123456",
            "--window",
            "99",
        ],
        &["hotp", "code", "--secret", "JBSW", "--counter", "1"],
        &["uri", "parse", "https://example.com"],
        &[
            "uri",
            "parse",
            "otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP&issuer=B",
        ],
        &["uri", "new", "--account", "a:b"],
    ] {
        let output = run(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let message = stderr(&output);
        assert_eq!(message.lines().count(), 1, "{args:?}: {message}");
        assert!(message.starts_with("countersign: "), "{message}");
        assert!(!message.contains("panicked"));
    }
    let seeds_key = stderr(&run(&["totp", "code", "--secret", "QHNATAPGLOMF8XZ2"]));
    // The position and the kind of the bad character, never the character: the key is a
    // secret (issue 12, defect 10).
    assert!(seeds_key.contains("character 13 (a digit)"), "{seeds_key}");
    assert!(!seeds_key.contains('8'), "{seeds_key}");
}

#[test]
fn uri_output_never_carries_terminal_controls_or_bidi_overrides() {
    // Issue 12, defect 7: an untrusted QR code's URI printed raw could set the terminal
    // title and clear the screen. Such labels are refused by the parser; whatever the
    // command still echoes (the bad part of a URI, in its error) is escaped.
    let hostile = [
        "otpauth://totp/Evil%1B%5D0%3Bpwned%07%1B%5B2J:joe?secret=JBSWY3DPEHPK3PXP",
        "otpauth://totp/Evil:joe%1B%5B2J?secret=JBSWY3DPEHPK3PXP",
        "otpauth://totp/joe?secret=JBSWY3DPEHPK3PXP&issuer=%E2%80%AElatroP%C2%9B",
        "otpauth://totp/A%E2%81%A6:joe?secret=JBSWY3DPEHPK3PXP&issuer=B",
        "otpauth://to\u{1b}]0;x\u{7}tp/a?secret=JBSWY3DPEHPK3PXP",
        "otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&digits=\u{1b}[2J\u{202e}",
    ];
    let raw = |text: &str| {
        text.chars().any(|c| {
            (c.is_control() && c != '\n')
                || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}')
        })
    };
    for uri in hostile {
        for args in [
            vec!["uri", "parse", uri],
            vec!["uri", "parse", "--json", uri],
            vec!["uri", "qr", uri],
        ] {
            let output = run(&args);
            let (out, err) = (stdout(&output), stderr(&output));
            assert!(!raw(&out) && !raw(&err), "{args:?}: {out:?} {err:?}");
            assert_eq!(output.status.code(), Some(2), "{args:?}: {out} {err}");
            assert_eq!(err.lines().count(), 1, "{err:?}");
        }
    }
}
