//! Running the `countersign` binary as a user would, shared by every CLI test file:
//! arguments, bytes on stdin, extra environment variables.

use std::io::Write;
use std::process::{Command, Output, Stdio};

/// Run `countersign` with `args` and `stdin` piped in (any bytes, UTF-8 or not).
#[allow(dead_code)] // not every test file needs each entry point
pub(crate) fn countersign(args: &[&str], stdin: &[u8]) -> Output {
    countersign_with_env(args, stdin, &[])
}

/// Run `countersign` with `args`, `stdin` piped in and `env` added to its environment.
///
/// The command may exit before it reads stdin (it refused its arguments, or stopped at
/// an oversized input): a broken pipe is fine, any other write error fails the test.
#[allow(dead_code)]
pub(crate) fn countersign_with_env(args: &[&str], stdin: &[u8], env: &[(&str, &str)]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_countersign"))
        .args(args)
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let written = child.stdin.take().expect("stdin is piped").write_all(stdin);
    if let Err(error) = written {
        assert_eq!(error.kind(), std::io::ErrorKind::BrokenPipe, "{error}");
    }
    child.wait_with_output().expect("the binary finishes")
}

/// What the command printed, which must be UTF-8.
#[allow(dead_code)]
pub(crate) fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("the command prints UTF-8")
}

/// Now, unix seconds, by the system clock: to bracket a run that reads the clock.
#[allow(dead_code)]
pub(crate) fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("the system clock is after 1970")
        .as_secs()
}
