//! The facade's building blocks against their floor.
//!
//! - `device_verify`: checking a remembered-device cookie (hex decode, HMAC-SHA256
//!   under the server key, expiry, generation and live-list checks) against the
//!   bare HMAC-SHA256 of the same bytes, keyed from the same 32-byte key.
//! - `one_time_verify`: checking a typed one-time code (input shape, keyed hash,
//!   constant-time compare) against the same bare HMAC.
//! - `throttle_admit`: admitting an attempt and recording a success, the
//!   throttle's share of every login step.

use std::hint::black_box;
use std::time::Duration;

use countersign::ServerKey;
use countersign::device::{DevicePolicy, RememberedDevices};
use countersign::one_time::{OneTimePolicy, PendingCode, Purpose};
use countersign::throttle::{Factor, Throttle, ThrottlePolicy};
use criterion::{Criterion, criterion_group, criterion_main};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

const NOW: u64 = 1_700_000_000;

fn bare_hmac(key: &[u8; 32], message: &[u8]) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("any key length");
    mac.update(message);
    mac.finalize().into_bytes().into()
}

fn device_verify(c: &mut Criterion) {
    let key = ServerKey::from_bytes([7; 32]);
    let mut devices = RememberedDevices::new();
    let policy = DevicePolicy::default();
    // A full account: the token checked is the last of 10.
    let mut token = devices.remember(&key, &policy, NOW);
    for _ in 1..policy.max_devices() {
        token = devices.remember(&key, &policy, NOW);
    }
    let mut group = c.benchmark_group("device_verify");
    group.measurement_time(Duration::from_secs(3));
    group.bench_function("floor: bare HMAC-SHA256 of the signed bytes", |b| {
        // Domain label (28 bytes) + payload (33 bytes), as the token's MAC input.
        let message = [0x42u8; 61];
        b.iter(|| bare_hmac(black_box(key.expose_bytes()), black_box(&message)));
    });
    group.bench_function("RememberedDevices::verify", |b| {
        b.iter(|| {
            devices.verify(
                black_box(&key),
                black_box(token.as_str()),
                black_box(NOW + 1),
            )
        });
    });
    group.finish();
}

fn one_time_verify(c: &mut Criterion) {
    let key = ServerKey::from_bytes([7; 32]);
    let policy = OneTimePolicy::for_purpose(Purpose::SmsLogin);
    let (delivery, pending) =
        PendingCode::issue(&key, Purpose::SmsLogin, &policy, "+1 555 0100", NOW);
    let code = delivery.code.as_str().to_owned();
    let mut group = c.benchmark_group("one_time_verify");
    group.measurement_time(Duration::from_secs(3));
    group.bench_function("floor: bare HMAC-SHA256 of the hashed bytes", |b| {
        // Domain label (29) + purpose, digits (2) + nonce (16) + times (16) + code (6).
        let message = [0x42u8; 69];
        b.iter(|| bare_hmac(black_box(key.expose_bytes()), black_box(&message)));
    });
    group.bench_function("PendingCode::verify (right code)", |b| {
        b.iter_batched(
            || pending.clone(),
            |mut p| {
                p.verify(
                    black_box(&key),
                    Purpose::SmsLogin,
                    black_box(&code),
                    NOW + 1,
                )
            },
            criterion::BatchSize::SmallInput,
        );
    });
    group.finish();
}

fn throttle_admit(c: &mut Criterion) {
    let policy = ThrottlePolicy::default();
    let throttle = Throttle::new(Factor::Totp);
    let mut group = c.benchmark_group("throttle_admit");
    group.measurement_time(Duration::from_secs(2));
    group.bench_function("admit + succeeded", |b| {
        b.iter(|| {
            black_box(&throttle)
                .admit(&policy, black_box(NOW))
                .map(|a| a.succeeded())
        });
    });
    group.finish();
}

criterion_group!(benches, device_verify, one_time_verify, throttle_admit);
criterion_main!(benches);
