//! Benches of countersign-password's hot paths.
//!
//! - `password_check`: `Policy::check` on typical passwords; target < 5 µs median
//!   without the `strength` feature (`cargo bench --bench password`).
//! - `password_breach_range`: finding the count in a padded Pwned Passwords range
//!   response of about 900 lines (the ones of the password crate's tests,
//!   synthesized in the documented format, not recorded), against the floor of
//!   splitting the same bytes into lines and counting them. The parser reads and
//!   compares every line in constant time, so a hit and a miss cost the same.
//!   `hash_file_count`: one binary search of a 5,000-line hash file in memory.
//! - `password_hash`: hash and verify with the default (OWASP) Argon2id parameters.
//!   The side-by-side against the C reference, process against process on the same
//!   parameters, is `crates/cli/benches/hash_vs_reference.rs`.

use std::hint::black_box;
use std::time::Duration;

use std::io::Cursor;

use countersign::password::{BreachHash, Context, HashFile, Hasher, Policy};
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
    // The breach rule only compares a count the caller looked up.
    let seen = context.breach_count(3);
    group.bench_function("typical_passphrase_breach_count", |b| {
        b.iter(|| {
            policy.check(
                black_box("Vivio is gr8! I like my privacy"),
                black_box(&seen),
            )
        });
    });
    group.finish();
}

const RANGE_HIT: &[u8] = include_bytes!("../crates/password/tests/data/breach/range-5BAA6.txt");
const RANGE_MISS: &[u8] = include_bytes!("../crates/password/tests/data/breach/range-47F3A.txt");
const HASH_FILE: &[u8] =
    include_bytes!("../crates/password/tests/data/breach/hashes-ordered-by-hash.txt");

fn breach(c: &mut Criterion) {
    let mut group = c.benchmark_group("password_breach_range");
    group.measurement_time(Duration::from_secs(3));
    let password = BreachHash::of("password");
    // Same prefix, a suffix the response lacks: the same work as a hit.
    let absent =
        BreachHash::from_hex("5BAA600000000000000000000000000000000000").expect("40 hex digits");
    let other = BreachHash::of("Y? Cuz I reelee lik mi prYvacee");
    assert_eq!(password.count_in_range(RANGE_HIT), Ok(52_256_179));
    assert_eq!(absent.count_in_range(RANGE_HIT), Ok(0));
    assert_eq!(other.count_in_range(RANGE_MISS), Ok(0));
    group.bench_function("floor_split_lines", |b| {
        b.iter(|| black_box(RANGE_HIT).split(|&byte| byte == b'\n').count());
    });
    group.bench_function("count_hit_844_lines", |b| {
        b.iter(|| password.count_in_range(black_box(RANGE_HIT)));
    });
    group.bench_function("count_miss_844_lines", |b| {
        b.iter(|| absent.count_in_range(black_box(RANGE_HIT)));
    });
    group.bench_function("count_miss_895_lines", |b| {
        b.iter(|| other.count_in_range(black_box(RANGE_MISS)));
    });
    group.bench_function("sha1_and_prefix", |b| {
        b.iter(|| BreachHash::of(black_box("Vivio is gr8! I like my privacy")).prefix());
    });
    let mut file = HashFile::open_verified(Cursor::new(HASH_FILE)).expect("sorted");
    group.bench_function("hash_file_count_5000_lines", |b| {
        b.iter(|| file.count(black_box(&password)));
    });
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

criterion_group!(benches, check, breach, hash);
criterion_main!(benches);
