//! Security codes: `check` on a typical and a 64-character code (target: under
//! 10 µs median for 64 characters), seal, open and verify.
//!
//! Floors in the same groups: NFKC + lower case of the same text (the first step
//! of `check`), and the bare ChaCha20-Poly1305 encryption and decryption.

use std::hint::black_box;
use std::time::Duration;

use chacha20poly1305::aead::{AeadInOut, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use countersign::security_code::{
    Context, Date, HashParams, HashedCode, Policy, SealedCode, SealingKey, SecurityCode, Speech,
};
use criterion::{Criterion, criterion_group, criterion_main};
use unicode_normalization::UnicodeNormalization;

const TYPICAL: &str = "Lighthouse-42-Oak";
const LONG: &str = "Lighthouse-Harbor-Willow-Canyon-Meadow-Falcon-Orchard-Glacier-Zq";

fn context() -> Context {
    Context::new(Date::new(2026, 11, 23).unwrap())
        .name("Joe Example")
        .username("jexample")
        .email("joe.example@example.com")
        .client_id("1707")
        .phone("555-246-8013")
        .date_of_birth(Date::new(1985, 4, 12).unwrap())
        .ssn("481-59-2637")
}

fn check(c: &mut Criterion) {
    assert_eq!(LONG.chars().count(), 64);
    let policy = Policy::default();
    let ctx = context();
    let bare = Context::new(Date::new(2026, 11, 23).unwrap());
    let mut g = c.benchmark_group("security_code_check");
    g.bench_function("floor_nfkc_lowercase_64", |b| {
        b.iter(|| black_box(LONG).nfkc().flat_map(char::to_lowercase).count());
    });
    g.bench_function("typical_full_profile", |b| {
        b.iter(|| policy.check(black_box(TYPICAL), &ctx));
    });
    g.bench_function("typical_no_profile", |b| {
        b.iter(|| policy.check(black_box(TYPICAL), &bare));
    });
    g.bench_function("64_chars_full_profile", |b| {
        b.iter(|| policy.check(black_box(LONG), &ctx));
    });
    g.bench_function("64_chars_unicode_full_profile", |b| {
        let accented = "Caf\u{e9}-Na\u{ef}ve-Ol\u{e9}-Br\u{fb}l\u{e9}e-\u{c9}t\u{e9}-For\u{ea}t-Ch\u{e2}teau-\u{ce}le-Gar\u{e7}on-Fj\u{f6}rd-Mo\u{f1}a-Zq";
        assert_eq!(accented.chars().count(), 64);
        b.iter(|| policy.check(black_box(accented), &ctx));
    });
    g.bench_function("64_chars_digits_full_profile", |b| {
        let digits = "Oak-1985-04-12-202-555-0143-481-59-2637-Tulip-040785-x-Pine-2019";
        b.iter(|| policy.check(black_box(digits), &ctx));
    });
    g.finish();
}

fn storage(c: &mut Criterion) {
    let key = SealingKey::new("2026-11", [7; 32]).unwrap();
    let code = SecurityCode::new(TYPICAL);
    let sealed = SealedCode::seal(&code, &key).unwrap();
    let speech = Speech::default();
    let aead = ChaCha20Poly1305::new(&Key::from([7u8; 32]));
    let nonce = Nonce::from([1u8; 12]);
    let mut g = c.benchmark_group("security_code_seal");
    g.bench_function("floor_chacha20poly1305_encrypt_17b", |b| {
        b.iter(|| {
            let mut buf = *b"Lighthouse-42-Oak";
            aead.encrypt_inout_detached(&nonce, b"header", (&mut buf[..]).into())
                .unwrap()
        });
    });
    g.bench_function("seal_os_rng", |b| {
        b.iter(|| SealedCode::seal(black_box(&code), &key).unwrap());
    });
    g.bench_function("seal_thread_rng", |b| {
        let mut rng = rand::rng();
        b.iter(|| SealedCode::seal_with_rng(black_box(&code), &key, &mut rng).unwrap());
    });
    g.bench_function("open", |b| {
        b.iter(|| black_box(&sealed).open(&key).unwrap());
    });
    g.bench_function("verify_sealed", |b| {
        b.iter(|| {
            black_box(&sealed)
                .verify(black_box("lighthouse 42 oak"), &key, &speech)
                .unwrap()
        });
    });
    g.bench_function("parse_bytes", |b| {
        let bytes = sealed.to_bytes();
        b.iter(|| SealedCode::from_bytes(black_box(&bytes)).unwrap());
    });
    g.finish();

    let mut g = c.benchmark_group("security_code_hashed");
    g.sample_size(10).measurement_time(Duration::from_secs(3));
    let owasp = HashedCode::hash_with(
        &code,
        speech,
        HashParams::default(),
        &mut rand::rngs::SysRng,
    )
    .unwrap();
    g.bench_function("verify_hashed_owasp_19MiB", |b| {
        b.iter(|| owasp.verify(black_box("lighthouse 42 oak")).unwrap());
    });
    g.finish();
}

criterion_group!(benches, check, storage);
criterion_main!(benches);
