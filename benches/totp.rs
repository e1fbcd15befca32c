//! TOTP verification against its floor, the bare keyed HMAC-SHA1.
//!
//! Everything is in one group so the ratios can be read off one run:
//! a right code at the current step should cost about one bare HMAC
//! (target: within 1.3x), a wrong code the whole ±1 window, three HMACs
//! (target: within 1.3x of `hmac-sha1 floor x3`).

use std::hint::black_box;

use countersign::totp::{Config, Secret, Verifier};
use criterion::{Criterion, criterion_group, criterion_main};
use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;

fn verify(c: &mut Criterion) {
    let secret = Secret::from_bytes(b"12345678901234567890").expect("a 160-bit key");
    let verifier = Verifier::new(&secret, Config::default()).expect("default config"); // SHA-1, 6 digits, ±1
    let now = 1_700_000_000u64;
    let right = verifier.totp().code_at(now).expect("after T0").to_string();
    // A code that matches no step of the window.
    let wrong = (0..1_000_000u32)
        .map(|n| format!("{n:06}"))
        .find(|code| verifier.verify(code, now, None).is_err())
        .expect("some code is wrong");

    // The floor: HMAC-SHA1 keyed once, then per counter clone + update + finalize.
    let prepared = Hmac::<Sha1>::new_from_slice(secret.expose_bytes()).expect("any key length");
    let bare = |counter: u64| {
        let mut mac = prepared.clone();
        mac.update(&counter.to_be_bytes());
        mac.finalize().into_bytes()
    };
    let step = now / 30;

    let mut group = c.benchmark_group("totp");
    group.bench_function("hmac-sha1 floor x1", |b| b.iter(|| bare(black_box(step))));
    group.bench_function("hmac-sha1 floor x3", |b| {
        b.iter(|| {
            let s = black_box(step);
            (bare(s), bare(s - 1), bare(s + 1))
        });
    });
    group.bench_function("verify right code (current step)", |b| {
        b.iter(|| verifier.verify(black_box(&right), black_box(now), None));
    });
    group.bench_function("verify wrong code (window ±1)", |b| {
        b.iter(|| verifier.verify(black_box(&wrong), black_box(now), None));
    });
    group.bench_function("code generation", |b| {
        b.iter(|| verifier.totp().code_at(black_box(now)));
    });
    group.finish();
}

criterion_group!(benches, verify);
criterion_main!(benches);
