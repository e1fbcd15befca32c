//! Backup-code redemption (issue 4): a right and a wrong code with 10 codes left and with
//! 1 left, default Argon2id parameters, beside the floor: one bare Argon2id derivation
//! with the same parameters from the `argon2` crate.
//!
//! Target: wrong code with 10 left within 1.15x of wrong code with 1 left (one
//! derivation either way); every redemption close to the floor.

use std::hint::black_box;
use std::time::Duration;

use argon2::{Algorithm, Argon2, Params, Version};
use countersign::totp::BackupCodes;
use countersign::totp::backup::{BackupSettings, KdfParams};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use rand::SeedableRng;
use rand::rngs::StdRng;

const NOW: u64 = 1_700_000_000;

fn redeem(c: &mut Criterion) {
    let settings = BackupSettings::default();
    assert_eq!(settings.params, KdfParams::DEFAULT);
    let (ten_left, codes) =
        BackupCodes::generate_with(&settings, &mut StdRng::seed_from_u64(4), NOW).unwrap();
    let codes: Vec<String> = codes.iter().map(|code| code.expose().to_owned()).collect();
    let mut one_left = ten_left.clone();
    for code in &codes[..9] {
        one_left.redeem(code, NOW).unwrap();
    }
    assert_eq!((ten_left.remaining(), one_left.remaining()), (10, 1));
    let wrong = "zzzzz-zzzzz";
    assert!(!codes.iter().any(|code| code == wrong));

    let mut group = c.benchmark_group("backup_redeem");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));

    let params = KdfParams::DEFAULT;
    let argon2 = Argon2::new(
        Algorithm::Argon2id,
        Version::V0x13,
        Params::new(params.m_cost(), params.t_cost(), params.p_cost(), Some(32)).unwrap(),
    );
    group.bench_function("floor_one_argon2id", |b| {
        let mut out = [0u8; 32];
        b.iter(|| {
            argon2
                .hash_password_into(black_box(b"zzzzzzzzzz"), &[7u8; 16], &mut out)
                .unwrap();
            out
        });
    });

    // The pair the target compares runs back to back, so a shift in machine load
    // between them is as small as it can be.
    let stores = [
        ("10_left", &ten_left, &codes[0]),
        ("1_left", &one_left, &codes[9]),
    ];
    for (name, store, _) in stores {
        group.bench_function(format!("wrong_code_{name}"), |b| {
            b.iter_batched_ref(
                || store.clone(),
                |store| store.redeem(black_box(wrong), NOW).unwrap_err(),
                BatchSize::SmallInput,
            );
        });
    }
    for (name, store, right) in stores {
        group.bench_function(format!("right_code_{name}"), |b| {
            b.iter_batched_ref(
                || store.clone(),
                |store| store.redeem(black_box(right), NOW).unwrap(),
                BatchSize::SmallInput,
            );
        });
    }
    group.finish();
}

criterion_group!(benches, redeem);
criterion_main!(benches);
