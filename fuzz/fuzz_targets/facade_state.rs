#![no_main]
//! Stored facade state from arbitrary JSON, driven with arbitrary inputs.
//!
//! Input layout: one selector byte, JSON text up to the first NUL byte, then the
//! bytes that drive the state (times, outcomes, typed codes, cookies). Whatever
//! the bytes: a typed error, never a panic; a deserialized one-time code never
//! accepts anything (its digest would need the server key); a deserialized device
//! list never accepts a cookie the server did not sign; a locked throttle never
//! admits an attempt; a deserialized account (any format version) holds 1 to
//! `MAX_AUTHENTICATORS` authenticators with distinct, well-formed names while
//! two-factor is on, none while off, and is written back as the current version
//! it reads again unchanged; an authenticator name is trimmed, bounded and free
//! of control characters, or refused.

use countersign::authenticator::{AuthenticatorName, MAX_AUTHENTICATORS};
use countersign::device::{DevicePolicy, RememberedDevices};
use countersign::one_time::{OneTimePolicy, PendingCode, Purpose};
use countersign::throttle::{Throttle, ThrottlePolicy};
use countersign::{Account, ServerKey};
use libfuzzer_sys::fuzz_target;

fn key() -> ServerKey {
    ServerKey::from_bytes([0x5a; 32])
}

fn word(bytes: &[u8]) -> u64 {
    let mut word = [0u8; 8];
    for (slot, byte) in word.iter_mut().zip(bytes) {
        *slot = *byte;
    }
    u64::from_le_bytes(word)
}

fn round_trips<T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + core::fmt::Debug>(
    state: &T,
) {
    let json = serde_json::to_string(state).expect("a state always serializes");
    let back: T = serde_json::from_str(&json).expect("what we write we read back");
    assert_eq!(&back, state);
}

fn drive_throttle(json: &str, ops: &[u8]) {
    let Ok(mut throttle) = serde_json::from_str::<Throttle>(json) else {
        return;
    };
    round_trips(&throttle);
    let policy = if ops.len() >= 4 {
        ThrottlePolicy::new(u32::from(ops[0]), u64::from(ops[1]), u64::from(ops[2]) * 60)
            .and_then(|p| match ops[3] {
                // An opted-in hard lock, at or above the floor of 100.
                n @ 100.. => p.with_hard_lock(u32::from(n)),
                _ => Ok(p),
            })
            .unwrap_or_default()
    } else {
        ThrottlePolicy::default()
    };
    let mut now = 1_700_000_000u64;
    for &op in ops.iter().skip(4) {
        now = now.saturating_add(u64::from(op >> 1) * 7);
        let locked = throttle.is_locked(&policy);
        match throttle.admit(&policy, now) {
            Ok(attempt) => {
                assert!(!locked, "a locked throttle admitted an attempt");
                throttle = if op & 1 == 0 {
                    attempt.failed()
                } else {
                    attempt.succeeded()
                };
            }
            Err(refused) => assert_eq!(refused.is_locked(), locked),
        }
        round_trips(&throttle);
    }
    let _ = serde_json::from_str::<ThrottlePolicy>(json);
}

fn drive_devices(json: &str, ops: &[u8]) {
    let Ok(mut devices) = serde_json::from_str::<RememberedDevices>(json) else {
        return;
    };
    round_trips(&devices);
    let key = key();
    let now = word(ops);
    let cookie = String::from_utf8_lossy(ops.get(8..).unwrap_or_default());
    assert!(
        devices.verify(&key, &cookie, now).is_err(),
        "an unsigned cookie was accepted"
    );
    for chunk in ops.chunks(17) {
        if let Ok(text) = core::str::from_utf8(chunk) {
            assert!(devices.verify(&key, text, now).is_err());
        }
    }
    let now = now % (u64::MAX / 2);
    let token = devices.remember(&key, &DevicePolicy::default(), now);
    let id = devices
        .verify(&key, token.as_str(), now)
        .expect("a fresh token verifies");
    round_trips(&devices);
    if ops.first().is_some_and(|b| b & 1 == 1) {
        assert!(devices.revoke(id));
    } else {
        devices.revoke_all();
    }
    assert!(
        devices.verify(&key, token.as_str(), now).is_err(),
        "a revoked device verified"
    );
}

fn drive_code(json: &str, ops: &[u8]) {
    let key = key();
    if let Ok(mut pending) = serde_json::from_str::<PendingCode>(json) {
        round_trips(&pending);
        let now = word(ops);
        for (i, chunk) in ops.chunks(8).enumerate() {
            let purpose = if i % 2 == 0 {
                Purpose::SmsLogin
            } else {
                Purpose::EmailPasswordReset
            };
            let typed = String::from_utf8_lossy(chunk);
            assert!(
                pending
                    .verify(&key, purpose, &typed, now.wrapping_add(i as u64))
                    .is_err(),
                "a code from a hand-made state was accepted"
            );
            round_trips(&pending);
        }
    }
    let _ = serde_json::from_str::<OneTimePolicy>(json);

    // A code we issue ourselves: accepted once, for its purpose only.
    let purpose = if ops.first().is_some_and(|b| b & 1 == 1) {
        Purpose::SmsLogin
    } else {
        Purpose::EmailPasswordReset
    };
    let now = word(ops) % (u64::MAX / 2);
    let (delivery, mut pending) =
        PendingCode::issue(&key, purpose, &OneTimePolicy::for_purpose(purpose), "", now);
    for chunk in ops.chunks(8) {
        let typed = String::from_utf8_lossy(chunk);
        if pending.verify(&key, purpose, &typed, now).is_ok() {
            let digits: String = typed.chars().filter(|c| *c != ' ' && *c != '-').collect();
            assert_eq!(digits, delivery.code.as_str(), "accepted a wrong code");
        }
    }
    let first = pending.verify(&key, purpose, delivery.code.as_str(), now);
    let second = pending.verify(&key, purpose, delivery.code.as_str(), now);
    assert!(second.is_err(), "accepted twice (first: {first:?})");
}

fn check_name(name: &AuthenticatorName) {
    let text = name.as_str();
    assert_eq!(text, text.trim(), "an untrimmed name");
    assert!(!text.is_empty() && text.chars().count() <= AuthenticatorName::MAX_CHARS);
    assert!(!text.chars().any(char::is_control), "a control character");
}

fn drive_account(json: &str, ops: &[u8]) {
    if let Ok(name) = AuthenticatorName::new(&String::from_utf8_lossy(ops)) {
        check_name(&name);
    }
    let Ok(account) = serde_json::from_str::<Account>(json) else {
        return;
    };
    let list = account.authenticators();
    if account.two_factor_enabled() {
        assert!(
            (1..=MAX_AUTHENTICATORS).contains(&list.len()),
            "{}",
            list.len()
        );
    } else {
        assert!(list.is_empty());
    }
    for (at, a) in list.iter().enumerate() {
        check_name(a.name());
        assert!(
            list[..at].iter().all(|b| !b.name().same_as(a.name())),
            "two authenticators share a name"
        );
        assert_eq!(a.throttle().factor(), countersign::throttle::Factor::Totp);
    }
    assert_eq!(
        account.last_accepted_step(),
        list.iter().filter_map(|a| a.last_accepted_step()).max()
    );
    let written = serde_json::to_value(&account).expect("an account always serializes");
    assert_eq!(written["v"], 3, "written as the current version");
    round_trips(&account);
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let split = rest.iter().position(|&b| b == 0).unwrap_or(rest.len());
    let Ok(json) = core::str::from_utf8(&rest[..split]) else {
        return;
    };
    let ops = rest.get(split + 1..).unwrap_or_default();
    match selector % 4 {
        0 => drive_throttle(json, ops),
        1 => drive_devices(json, ops),
        2 => drive_code(json, ops),
        _ => drive_account(json, ops),
    }
});
