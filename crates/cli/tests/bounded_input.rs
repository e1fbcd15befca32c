//! Every read of stdin and of a file is bounded (issue 12, defect 6): `countersign totp
//! code --secret -` read 3 GB of stdin and aborted. Oversized input is refused in one
//! line with exit 2, after reading just past the bound: the writer sees the pipe close.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

mod invoke;
use invoke::text;

/// Far past every bound (64 KiB for secrets, 1 MiB for files).
const HUGE: usize = 16 << 20;

struct Run {
    code: Option<i32>,
    stderr: String,
    /// Whether the command stopped reading before the input ended.
    stopped_reading: bool,
}

fn run(args: &[&str], stdin: &[u8]) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_countersign"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let mut pipe = child.stdin.take().expect("stdin is piped");
    let written = pipe.write_all(stdin);
    drop(pipe);
    let stopped_reading = match written {
        Ok(()) => false,
        Err(error) => {
            assert_eq!(error.kind(), std::io::ErrorKind::BrokenPipe, "{error}");
            true
        }
    };
    let output = child.wait_with_output().expect("the binary finishes");
    Run {
        code: output.status.code(),
        stderr: text(&output.stderr),
        stopped_reading,
    }
}

fn assert_refused(args: &[&str], run: &Run, says: &str) {
    assert_eq!(run.code, Some(2), "{args:?}: {}", run.stderr);
    assert_eq!(run.stderr.lines().count(), 1, "{args:?}: {}", run.stderr);
    assert!(run.stderr.starts_with("countersign: "), "{}", run.stderr);
    assert!(run.stderr.contains(says), "{args:?}: {}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
}

#[test]
fn oversized_stdin_is_refused_in_one_line_with_exit_2_for_every_command() {
    let base32 = "A".repeat(HUGE); // one endless line of a valid base32 symbol
    let password = "correct horse battery staple ".repeat(HUGE / 29);
    let commands: [(&[&str], &str); 12] = [
        (&["totp", "code", "--secret", "-"], &base32),
        (&["totp", "code"], &base32),
        (
            &["totp", "verify", "--secret", "-", "--code", "123456"],
            &base32,
        ),
        (
            &[
                "totp",
                "verify",
                "--secret",
                "JBSWY3DPEHPK3PXP",
                "--code",
                "-",
            ],
            &base32,
        ),
        (
            &["hotp", "code", "--secret", "-", "--counter", "1"],
            &base32,
        ),
        (
            &["uri", "new", "--account", "joe", "--secret", "-"],
            &base32,
        ),
        (&["uri", "parse", "-"], &base32),
        (&["uri", "qr", "-"], &base32),
        (&["password", "check", "--username", "joe"], &password),
        (&["password", "hash"], &password),
        (
            &[
                "password",
                "verify",
                "--hash",
                "$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaA",
            ],
            &password,
        ),
        (&["security-code", "check"], &password),
    ];
    for (args, input) in commands {
        let run = run(args, input.as_bytes());
        assert_refused(args, &run, "on stdin is over 65536 bytes");
        assert!(run.stopped_reading, "{args:?} read all {HUGE} bytes");
    }
}

#[test]
fn oversized_files_are_refused_in_one_line_with_exit_2() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bounded_input");
    std::fs::create_dir_all(&dir).unwrap();
    let policy = dir.join("huge.toml");
    std::fs::write(&policy, format!("# {}\n", "x".repeat(2 << 20))).unwrap();
    let secret = dir.join("huge.key");
    std::fs::write(&secret, "A".repeat(1 << 20)).unwrap();
    let policy = policy.to_str().unwrap();
    let secret_arg = format!("@{}", secret.to_str().unwrap());
    let commands: [(&[&str], &str); 4] = [
        (
            &["password", "check", "--username", "joe", "--policy", policy],
            "is over 1048576 bytes",
        ),
        (
            &["permissions", "validate", "--policy", policy],
            "is over 1048576 bytes",
        ),
        (
            &["totp", "code", "--secret", &secret_arg],
            "is over 65536 bytes",
        ),
        (&["uri", "parse", &secret_arg], "is over 65536 bytes"),
    ];
    for (args, says) in commands {
        let run = run(args, b"correct horse battery staple\n");
        assert_refused(args, &run, says);
    }
}

#[test]
fn a_line_at_the_bound_is_read_and_one_byte_more_is_not() {
    // The key's line, without its line break: 65,536 bytes are the key (refused or
    // used for what it is), one more is refused for its size without being read.
    for (len, over) in [(65_536, false), (65_537, true)] {
        let run = run(
            &["totp", "code", "--secret", "-"],
            "A".repeat(len).as_bytes(),
        );
        assert_eq!(
            run.stderr.contains("is over 65536 bytes"),
            over,
            "{len}: {}",
            run.stderr
        );
    }
}
