//! Benches of countersign-password's hot paths.
//!
//! - `password_check`: `Policy::check` on typical passwords; target < 5 µs median
//!   without the `strength` feature (`cargo bench --bench password`).
//! - `password_hash`: hash and verify with the default (OWASP) Argon2id parameters.
//!   The side-by-side against the C reference, process against process on the same
//!   parameters, is `crates/cli/benches/hash_vs_reference.rs`.

use std::hint::black_box;
use std::time::Duration;

use countersign::password::{Context, Hasher, Policy};
use criterion::{Criterion, criterion_group, criterion_main};

fn check(c: &mut Criterion) {
    let policy = Policy::portal();
    let context = Context::new("joe.example")
        .email("joe@example.com")
        .client_id("10042");
    let mut group = c.benchmark_group("password_check");
    group.measurement_time(Duration::from_secs(3));
    for (name, password) in [
        ("typical_passphrase", "Vivio is gr8! I like my privacy"),
        ("typical_ascii", "Tr0ub4dour&3horse"),
        ("non_ascii", "Zoë's café: 日本語のパスワード 🔐"),
        ("common_password_hit", "passwordpassword"),
        ("too_short", "joe.example"),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| policy.check(black_box(password), black_box(&context)));
        });
    }
    group.finish();
}

fn hash(c: &mut Criterion) {
    let hasher = Hasher::new(&Policy::portal()).expect("the default policy hashes");
    let password = "Vivio is gr8! I like my privacy";
    let stored = hasher.hash(password).expect("hashes");
    let mut group = c.benchmark_group("password_hash_owasp");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(4));
    group.bench_function("hash", |b| b.iter(|| hasher.hash(black_box(password))));
    group.bench_function("verify", |b| {
        b.iter(|| hasher.verify(black_box(password), black_box(stored.as_str())));
    });
    group.finish();
}

criterion_group!(benches, check, hash);
criterion_main!(benches);
