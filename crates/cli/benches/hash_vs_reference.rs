//! Our Argon2id hashing against the C reference, side by side in one criterion group,
//! on the same parameters (OWASP: m = 19456 KiB, t = 2, p = 1, 32-byte output).
//!
//! Without unsafe FFI the fairest comparison is process against process: each sample
//! spawns `countersign password hash` (this package's release binary) or Debian's
//! `/usr/bin/argon2 <salt> -id -t 2 -k 19456 -p 1 -l 32 -e`, writes the password to its
//! stdin and waits for the PHC string. `-e` matters: without it the reference command
//! also verifies the hash it just made, a second derivation (strace shows a second
//! 19 MiB allocation), which would halve its apparent speed. Both pay a process start and a pipe; a third
//! entry, `countersign version`, shows what that start costs on its own. Target: ours
//! within 1.25x of the reference.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};

const PASSWORD: &[u8] = b"Vivio is gr8! I like my privacy";
const REFERENCE: &str = "/usr/bin/argon2";

/// Run `program args`, feed `stdin`, and check it succeeded.
fn run(program: &str, args: &[&str], stdin: &[u8]) {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the program starts");
    if let Some(mut input) = child.stdin.take() {
        input.write_all(stdin).expect("writes stdin");
    }
    let output = child.wait_with_output().expect("the program finishes");
    assert!(output.status.success(), "{program} {args:?} failed");
    assert!(!output.stdout.is_empty());
}

fn hash_vs_reference(c: &mut Criterion) {
    let ours = env!("CARGO_BIN_EXE_countersign");
    let mut group = c.benchmark_group("argon2id_owasp_process");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(5));
    group.bench_function("countersign_password_hash", |b| {
        b.iter(|| run(ours, &["password", "hash"], PASSWORD));
    });
    if Path::new(REFERENCE).exists() {
        // A fixed 16-byte salt: the reference takes it as an argument.
        let args = [
            "countersign-salt",
            "-id",
            "-t",
            "2",
            "-k",
            "19456",
            "-p",
            "1",
            "-l",
            "32",
            // Encoded output only: one derivation, like `countersign password hash`.
            "-e",
        ];
        group.bench_function("c_reference_argon2", |b| {
            b.iter(|| run(REFERENCE, &args, PASSWORD));
        });
    } else {
        eprintln!("{REFERENCE} is not installed: skipping the C reference");
    }
    group.bench_function("process_start_only", |b| {
        b.iter(|| run(ours, &["version"], b""));
    });
    group.finish();
}

criterion_group!(benches, hash_vs_reference);
criterion_main!(benches);
