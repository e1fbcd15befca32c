//! The facade's building blocks against their floor.
//!
//! - `device_verify`: checking a remembered-device cookie (hex decode, HMAC-SHA256
//!   under the server key, expiry, generation and live-list checks) against the
//!   bare HMAC-SHA256 of the same bytes, keyed from the same 32-byte key.
//! - `one_time_verify`: checking a typed one-time code (input shape, keyed hash,
//!   constant-time compare) against the same bare HMAC.
//! - `throttle_admit`: admitting an attempt and recording a success, the
//!   throttle's share of every login step.
//! - `login_totp`: the full TOTP login step on a prepared verifier
//!   ([`Portal::verify_totp`]: throttle admission, replay-safe verification,
//!   state update) against the bare prepared `Verifier::verify` of the totp crate
//!   with the right code (target: within 1.5x), and the cold step (unseal the
//!   stored secret, key the HMAC, then the same step).

use std::hint::black_box;
use std::time::{Duration, Instant};

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

fn login_totp(c: &mut Criterion) {
    use countersign::password::{HashParams, Policy};
    use countersign::totp::{BackupSettings, Config, KdfParams, Params, Secret, Totp, Verifier};
    use countersign::{Portal, Profile, Settings};
    use rand::SeedableRng;

    let mut rng = rand::rngs::StdRng::seed_from_u64(1);
    let cheap = HashParams {
        memory_kib: 64,
        iterations: 1,
        ..HashParams::OWASP
    };
    let settings = Settings {
        password: Policy::portal().with_hashing(cheap).expect("valid"),
        backup_codes: BackupSettings {
            params: KdfParams::new(8, 1, 1).expect("valid"),
            ..BackupSettings::default()
        },
        ..Settings::default()
    };
    let portal = Portal::new(ServerKey::from_bytes([7; 32]), settings).expect("valid settings");
    let profile = Profile {
        contact_id: 3522,
        client_id: 1707,
        name: "Joe Example".into(),
        username: "joe.example".into(),
        email: "marketing@viviotech.net".into(),
        cell_phone: None,
        primary: true,
    };
    let password = "Vivio is gr8! I like knowing my account is Secure";
    let mut account = portal
        .create_account(profile, password, &mut rng)
        .expect("account");
    let started = portal
        .begin_enrollment(&mut account, &|_, _| false, password, NOW, &mut rng)
        .expect("enrollment");
    let secret = Secret::from_base32(&started.key_for_typing()).expect("key");
    let app = Totp::new(&secret, Params::default()).expect("totp");
    let first = app.code_at(NOW).expect("code").to_string();
    portal
        .confirm_enrollment(&mut account, &first, NOW, &mut rng)
        .expect("confirm");
    // A login a minute later: the right code, at a step after the stored one.
    let at = NOW + 60;
    let code = app.code_at(at).expect("code").to_string();
    let bare = Verifier::new(&secret, Config::default()).expect("verifier");
    let prepared = portal.prepare_totp(&account).expect("prepare");

    // Each accepted code moves the stored step on, so a second run of the same code
    // is a replay. Every timed call therefore gets a fresh copy of the account,
    // cloned outside the timed region in chunks; the floor runs the same loop shape.
    const CHUNK: u64 = 1_024;
    let timed = |iters: u64, step: &mut dyn FnMut(&mut countersign::Account)| {
        let mut total = Duration::ZERO;
        let mut left = iters;
        while left > 0 {
            let n = left.min(CHUNK);
            let mut copies: Vec<_> = (0..n).map(|_| account.clone()).collect();
            let start = Instant::now();
            for copy in &mut copies {
                step(copy);
            }
            total += start.elapsed();
            left -= n;
        }
        total
    };

    let mut group = c.benchmark_group("login_totp");
    group.measurement_time(Duration::from_secs(3));
    group.bench_function("floor: bare prepared Verifier::verify (right code)", |b| {
        b.iter_custom(|iters| {
            timed(iters, &mut |copy| {
                black_box(copy);
                let _ = black_box(bare.verify(
                    black_box(&code),
                    black_box(at),
                    black_box(Some(NOW / 30)),
                ));
            })
        });
    });
    group.bench_function(
        "Portal::verify_totp (prepared: throttle, verify, update)",
        |b| {
            b.iter_custom(|iters| {
                timed(iters, &mut |copy| {
                    let _ = black_box(portal.verify_totp(
                        copy,
                        &prepared,
                        black_box(&code),
                        black_box(at),
                    ));
                })
            });
        },
    );
    group.bench_function("cold: prepare_totp (unseal, key) + verify_totp", |b| {
        b.iter_custom(|iters| {
            timed(iters, &mut |copy| {
                let matched = portal.prepare_totp(copy).and_then(|prepared| {
                    portal.verify_totp(copy, &prepared, black_box(&code), black_box(at))
                });
                let _ = black_box(matched);
            })
        });
    });
    group.finish();
}

criterion_group!(
    benches,
    device_verify,
    one_time_verify,
    throttle_admit,
    login_totp
);
criterion_main!(benches);
