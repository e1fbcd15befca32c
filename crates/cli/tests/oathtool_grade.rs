//! The oathtool-grade surface of issue 14: `--window` code lists, `hotp verify`,
//! `--time` as `@UNIX` or RFC 3339, TOTP drift in steps and seconds, completions and
//! man pages, the exit statuses in `--help`; and hostile input to each of them, which
//! is one line on stderr and exit 2, never a panic.

use std::path::PathBuf;
use std::process::Output;

mod invoke;
use invoke::{countersign, text};

const RFC_KEY: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"; // "12345678901234567890"

/// RFC 4226 Appendix D: the HOTP codes of counters 0 to 9 for `RFC_KEY`.
const RFC4226: [&str; 10] = [
    "755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871",
    "520489",
];

/// Runs `args` with the key (and any further `lines`) on stdin.
fn run(args: &[&str], lines: &[&str]) -> Output {
    let mut stdin = format!("{RFC_KEY}\n");
    for line in lines {
        stdin.push_str(line);
        stdin.push('\n');
    }
    countersign(args, stdin.as_bytes())
}

fn stdout(output: &Output) -> String {
    text(&output.stdout)
}

fn stderr(output: &Output) -> String {
    text(&output.stderr)
}

/// "STEP\tCODE" lines for RFC 4226's counters `range`.
fn listing(range: std::ops::RangeInclusive<usize>) -> String {
    range.map(|i| format!("{i}\t{}\n", RFC4226[i])).collect()
}

fn file(name: &str, contents: &str) -> String {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("oathtool_grade");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    format!("@{}", path.display())
}

/// Bad input: exit 2, exactly one line on stderr, nothing on stdout, no panic.
fn assert_refused(args: &[&str], lines: &[&str], needle: &str) {
    let output = run(args, lines);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{args:?}: {err}");
    assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
    assert!(err.starts_with("countersign: "), "{args:?}: {err}");
    assert!(err.contains(needle), "{args:?}: {err:?} lacks {needle:?}");
    assert!(!err.contains("panicked"), "{args:?}: {err}");
    assert!(output.stdout.is_empty(), "{args:?}: {}", stdout(&output));
}

#[test]
fn hotp_window_lists_counter_to_counter_plus_n_like_oathtool() {
    let out = run(&["hotp", "code", "--counter", "0", "--window", "9"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), listing(0..=9));
    let out = run(&["hotp", "code", "--counter", "5", "--window", "2"], &[]);
    assert_eq!(stdout(&out), listing(5..=7));
    // --window 0 is the one code, with its counter; no --window is the bare code.
    let out = run(&["hotp", "code", "--counter", "3", "--window", "0"], &[]);
    assert_eq!(stdout(&out), listing(3..=3));
    let out = run(&["hotp", "code", "--counter", "3"], &[]);
    assert_eq!(stdout(&out), "969429\n");
    // The counter ends at u64::MAX: the list stops there instead of wrapping.
    let out = run(
        &[
            "hotp",
            "code",
            "--counter",
            "18446744073709551614",
            "--window",
            "5",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let steps: Vec<String> = stdout(&out)
        .lines()
        .map(|line| line.split('\t').next().unwrap().to_owned())
        .collect();
    assert_eq!(steps, ["18446744073709551614", "18446744073709551615"]);
}

#[test]
fn totp_window_lists_the_current_step_and_the_n_after_it_like_oathtool() {
    // oathtool --totp -w N prints steps T..=T+N, forward only; at time 59 T is 1.
    for time in [
        "59",
        "@59",
        "1970-01-01T00:00:59Z",
        "1970-01-01T01:00:59+01:00",
    ] {
        let out = run(&["totp", "code", "--time", time, "--window", "3"], &[]);
        assert_eq!(out.status.code(), Some(0), "{time}: {}", stderr(&out));
        assert_eq!(stdout(&out), listing(1..=4), "{time}");
    }
    let out = run(
        &[
            "totp", "code", "--time", "30", "--period", "10", "--window", "1",
        ],
        &[],
    );
    assert_eq!(stdout(&out), listing(3..=4));
    let out = run(&["totp", "code", "--time", "59"], &[]);
    assert_eq!(stdout(&out), "287082\n");
}

#[test]
fn time_takes_rfc3339_and_at_unix_as_well_as_seconds() {
    // RFC 6238 Appendix B: T = 1111111109 is 2005-03-18T01:58:29Z, code 07081804.
    for time in [
        "1111111109",
        "@1111111109",
        "2005-03-18T01:58:29Z",
        "2005-03-18t01:58:29.999z",
        "2005-03-17T20:58:29-05:00",
    ] {
        let out = run(&["totp", "code", "--digits", "8", "--time", time], &[]);
        assert_eq!(out.status.code(), Some(0), "{time}: {}", stderr(&out));
        assert_eq!(stdout(&out), "07081804\n", "{time}");
    }
}

#[test]
fn hotp_verify_looks_ahead_and_prints_the_matched_counter() {
    // oathtool --hotp -w 10 KEY 520489 prints 9.
    let out = run(
        &[
            "hotp",
            "verify",
            "--counter",
            "0",
            "--window",
            "10",
            "--code",
            "-",
        ],
        &["520 489"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), "counter 9 (next 10)\n");
    // The default look-ahead is oathtool's: none.
    let out = run(
        &["hotp", "verify", "--counter", "4", "--code", "-"],
        &["338314"],
    );
    assert_eq!(stdout(&out), "counter 4 (next 5)\n");
    let out = run(
        &["hotp", "verify", "--counter", "4", "--code", "-"],
        &["254676"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "countersign: the code matches no counter from 4 to 4\n"
    );
    // Counters before --counter are used up: never accepted, whatever the window.
    let out = run(
        &[
            "hotp",
            "verify",
            "--counter",
            "3",
            "--window",
            "1000",
            "--code",
            "-",
        ],
        &["755224"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("from 3 to 1003"), "{}", stderr(&out));
    // Malformed codes are a "no" too, as with totp verify.
    for code in ["12345", "12345a", "1234567"] {
        let out = run(
            &["hotp", "verify", "--counter", "0", "--code", "-"],
            &[code],
        );
        assert_eq!(out.status.code(), Some(1), "{code}");
        assert_eq!(stderr(&out).lines().count(), 1, "{code}");
    }
    // The code from a file, the key from a file, other algorithms and lengths.
    let key = file("key", &format!("{RFC_KEY}\n"));
    let code = file("code", "162583\n");
    let out = countersign(
        &[
            "hotp",
            "verify",
            "--secret",
            &key,
            "--code",
            &code,
            "--counter",
            "2",
            "--window",
            "5",
        ],
        b"",
    );
    assert_eq!(stdout(&out), "counter 7 (next 8)\n", "{}", stderr(&out));
    assert!(out.stderr.is_empty(), "{}", stderr(&out));
    let made = run(
        &[
            "hotp",
            "code",
            "--counter",
            "77",
            "--algorithm",
            "sha512",
            "--digits",
            "8",
        ],
        &[],
    );
    let made = stdout(&made);
    let out = run(
        &[
            "hotp",
            "verify",
            "--counter",
            "70",
            "--window",
            "7",
            "--algorithm",
            "sha512",
            "--digits",
            "8",
            "--code",
            "-",
        ],
        &[made.trim()],
    );
    assert_eq!(stdout(&out), "counter 77 (next 78)\n", "{}", stderr(&out));
}

#[test]
fn hotp_verify_at_the_last_counter_is_a_no_not_a_panic() {
    let last = run(&["hotp", "code", "--counter", "18446744073709551615"], &[]);
    let out = run(
        &[
            "hotp",
            "verify",
            "--counter",
            "18446744073709551615",
            "--window",
            "3",
            "--code",
            "-",
        ],
        &[stdout(&last).trim()],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("re-enroll"), "{}", stderr(&out));
}

#[test]
fn totp_verify_reports_drift_in_steps_and_seconds() {
    let verify = |code: &str, extra: &[&str]| {
        let args = [&["totp", "verify", "--code", "-"][..], extra].concat();
        run(&args, &[code])
    };
    // Step 1's code (287082): at step 1, one behind, two ahead (the user's clock ahead).
    for (time, window, expected) in [
        ("59", "1", "step 1 (drift 0 steps, 0 s)"),
        ("89", "1", "step 1 (drift -1 step, -30 s)"),
        ("119", "2", "step 1 (drift -2 steps, -60 s)"),
        ("1", "1", "step 1 (drift 1 step, 30 s)"),
        ("1970-01-01T00:00:01Z", "1", "step 1 (drift 1 step, 30 s)"),
    ] {
        let out = verify("287082", &["--time", time, "--window", window]);
        assert_eq!(out.status.code(), Some(0), "{time}: {}", stderr(&out));
        assert_eq!(stdout(&out).trim(), expected, "{time}");
    }
    // Seconds follow the period: step 3 of 60 s at step 1 is two steps, 120 s, ahead.
    let code = stdout(&run(
        &["totp", "code", "--period", "60", "--time", "180"],
        &[],
    ));
    let out = verify(
        code.trim(),
        &["--period", "60", "--time", "60", "--window", "2"],
    );
    assert_eq!(
        stdout(&out).trim(),
        "step 3 (drift 2 steps, 120 s)",
        "{}",
        stderr(&out)
    );
}

#[test]
fn hostile_times_are_refused_in_one_line() {
    for time in [
        "",
        "@",
        "yesterday",
        "-1",
        "@-1",
        "+59",
        "1e9",
        " 59",
        "18446744073709551616",
        "99999999999999999999999999999999",
        "1969-12-31T23:59:59Z",
        "2023-02-30T00:00:00Z",
        "2023-11-14T25:00:00Z",
        "2023-11-14T22:13:20",
        "2023-11-14",
        "@2023-11-14T22:13:20Z",
        "2023-11-14T22:13:20Z\u{1b}[2J",
    ] {
        for command in [
            &["totp", "code", "--time", time][..],
            &["totp", "verify", "--code", "123456", "--time", time][..],
        ] {
            assert_refused(command, &[], "--time");
        }
    }
    // The last second there is: with 1 s steps its step is u64::MAX, and the list
    // stops there instead of wrapping to step 0.
    let out = run(
        &[
            "totp",
            "code",
            "--time",
            "18446744073709551615",
            "--period",
            "1",
            "--window",
            "3",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out).lines().count(), 1, "{}", stdout(&out));
    assert!(stdout(&out).starts_with("18446744073709551615\t"));
}

#[test]
fn windows_are_bounded_and_bad_ones_refused_in_one_line() {
    for window in ["1001", "18446744073709551616", "-1", "abc", "", "1.5"] {
        for command in [
            &["totp", "code", "--window", window][..],
            &["hotp", "code", "--counter", "0", "--window", window][..],
            &[
                "hotp",
                "verify",
                "--counter",
                "0",
                "--code",
                "123456",
                "--window",
                window,
            ][..],
        ] {
            assert_refused(command, &[], "from 0 to 1000");
        }
    }
    // The bound itself is accepted.
    let out = run(&["hotp", "code", "--counter", "0", "--window", "1000"], &[]);
    assert_eq!(stdout(&out).lines().count(), 1001, "{}", stderr(&out));
    // totp verify's skew window keeps the verifier's own, tighter, bound.
    assert_refused(
        &["totp", "verify", "--code", "123456", "--window", "11"],
        &[],
        "at most 10 steps",
    );
    assert_refused(&["hotp", "code", "--counter", "x"], &[], "--counter");
}

#[test]
fn missing_files_and_empty_stdin_are_refused_in_one_line() {
    let missing = "@/nonexistent/countersign-test/key";
    assert_refused(
        &[
            "hotp",
            "verify",
            "--secret",
            missing,
            "--counter",
            "0",
            "--code",
            "123456",
        ],
        &[],
        "cannot read --secret /nonexistent/countersign-test/key",
    );
    assert_refused(
        &["hotp", "verify", "--counter", "0", "--code", missing],
        &[],
        "cannot read --code",
    );
    assert_refused(
        &["totp", "code", "--window", "2", "--secret", missing],
        &[],
        "cannot read --secret",
    );
    for command in [
        &["totp", "code", "--window", "2"][..],
        &["hotp", "code", "--counter", "0", "--window", "2"][..],
        &["hotp", "verify", "--counter", "0", "--code", "-"][..],
    ] {
        let out = countersign(command, b"");
        assert_eq!(out.status.code(), Some(2), "{command:?}");
        assert_eq!(
            stderr(&out),
            "countersign: --secret: stdin ended before it was given\n"
        );
    }
    // The key given, the code's line missing.
    assert_refused(
        &["hotp", "verify", "--counter", "0", "--code", "-"],
        &[],
        "--code: stdin ended before it was given",
    );
}

#[test]
fn help_documents_the_exit_statuses_on_every_command() {
    for command in [
        &["--help"][..],
        &["totp", "verify", "--help"][..],
        &["hotp", "verify", "--help"][..],
        &["hotp", "code", "--help"][..],
        &["password", "verify", "--help"][..],
        &["completions", "--help"][..],
    ] {
        let out = countersign(command, b"");
        assert_eq!(out.status.code(), Some(0), "{command:?}");
        let help = stdout(&out);
        assert!(
            help.contains("Exit status:")
                && help.contains("0  yes")
                && help.contains("1  no")
                && help.contains("2  bad input or usage"),
            "{command:?}: {help}"
        );
    }
}

#[test]
fn completions_for_every_shell_know_the_new_commands() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = countersign(&["completions", shell], b"");
        assert_eq!(out.status.code(), Some(0), "{shell}: {}", stderr(&out));
        let script = stdout(&out);
        assert!(script.contains("countersign"), "{shell}");
        assert!(script.contains("verify"), "{shell}");
        // Every shell names the flag its own way: `--window`, fish's `-l window`.
        assert!(script.contains("window"), "{shell}");
    }
    let out = countersign(&["completions", "tcsh"], b"");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stderr(&out).lines().count(), 1, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("possible values: bash"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn man_pages_come_from_the_same_definitions() {
    let out = countersign(&["man"], b"");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let page = stdout(&out);
    assert!(page.contains(".TH countersign 1"), "{page}");
    assert!(page.contains("hotp"), "{page}");
    assert!(page.contains("Exit status:"), "{page}");

    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("man-pages");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let out = countersign(&["man", "--dir", dir.to_str().unwrap()], b"");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let verify = std::fs::read_to_string(dir.join("countersign-hotp-verify.1")).unwrap();
    assert!(
        verify.contains("look\\-ahead") || verify.contains("look-ahead"),
        "{verify}"
    );
    assert!(verify.contains("window"), "{verify}");
    assert!(dir.join("countersign.1").exists());

    let out = countersign(&["man", "--dir", "/nonexistent/countersign-man"], b"");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stderr(&out).lines().count(), 1, "{}", stderr(&out));
}
