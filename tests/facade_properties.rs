//! Properties of the facade's building blocks, for any interleaving of attempts:
//! a one-time code is accepted at most once (and only when it is the right one),
//! a locked throttle never admits an attempt, and no string but a token the
//! server issued opens a remembered device.

use countersign::device::{DevicePolicy, RememberedDevices};
use countersign::one_time::{OneTimePolicy, PendingCode, Purpose};
use countersign::throttle::{Factor, Throttle, ThrottlePolicy};
use countersign::{Error, ServerKey};
use proptest::prelude::*;
use rand::SeedableRng;
use rand::rngs::StdRng;

const T0: u64 = 1_700_000_000;

#[derive(Clone, Debug)]
enum CodeOp {
    /// Type the right code.
    Right,
    /// Type another well-formed code.
    Other(u32),
    /// Type the right code for the other purpose.
    OtherPurpose,
    /// Type garbage.
    Garbage(String),
    /// Let time pass.
    Wait(u64),
    /// Store and reload the state.
    Reload,
}

fn code_op() -> impl Strategy<Value = CodeOp> {
    prop_oneof![
        3 => Just(CodeOp::Right),
        3 => (0u32..1_000_000).prop_map(CodeOp::Other),
        1 => Just(CodeOp::OtherPurpose),
        1 => ".{0,12}".prop_map(CodeOp::Garbage),
        2 => (0u64..200).prop_map(CodeOp::Wait),
        1 => Just(CodeOp::Reload),
    ]
}

proptest! {
    #[test]
    fn a_one_time_code_is_accepted_at_most_once(
        seed in any::<u64>(),
        ops in proptest::collection::vec(code_op(), 0..40),
    ) {
        let mut rng = StdRng::seed_from_u64(seed);
        let key = ServerKey::generate_with(&mut rng);
        let policy = OneTimePolicy::for_purpose(Purpose::SmsLogin);
        let (delivery, mut pending) =
            PendingCode::issue_with_rng(&key, Purpose::SmsLogin, &policy, "+1 555 0100", T0, &mut rng);
        let right = delivery.code.as_str().to_owned();
        let mut now = T0;
        let mut accepted = 0;
        let mut tries = 0;
        for op in ops {
            let outcome = match op {
                CodeOp::Right => Some((pending.verify(&key, Purpose::SmsLogin, &right, now), true)),
                CodeOp::Other(n) => {
                    let typed = format!("{n:06}");
                    Some((pending.verify(&key, Purpose::SmsLogin, &typed, now), typed == right))
                }
                CodeOp::OtherPurpose => {
                    let result = pending.verify(&key, Purpose::EmailPasswordReset, &right, now);
                    prop_assert!(result.is_err());
                    None
                }
                CodeOp::Garbage(text) => {
                    let well_formed = text.len() == 6 && text.bytes().all(|b| b.is_ascii_digit());
                    Some((pending.verify(&key, Purpose::SmsLogin, &text, now), well_formed && text == right))
                }
                CodeOp::Wait(seconds) => {
                    now += seconds;
                    None
                }
                CodeOp::Reload => {
                    let json = serde_json::to_string(&pending).unwrap();
                    pending = serde_json::from_str(&json).unwrap();
                    None
                }
            };
            if let Some((result, was_right)) = outcome {
                if result.is_ok() {
                    prop_assert!(was_right, "only the right code is ever accepted");
                    prop_assert!(now < T0 + 300, "never after expiry");
                    accepted += 1;
                }
                if matches!(result, Ok(()) | Err(Error::WrongOneTimeCode { .. })) {
                    tries += 1;
                }
            }
        }
        prop_assert!(accepted <= 1, "accepted {accepted} times");
        prop_assert!(tries <= 5, "compared {tries} times, more than the 5 tries");
    }
}

#[derive(Clone, Debug)]
enum ThrottleOp {
    /// Try at `now + wait`; the secret is right or wrong.
    Try { wait: u64, right: bool },
    /// Store and reload the state.
    Reload,
}

fn throttle_op() -> impl Strategy<Value = ThrottleOp> {
    prop_oneof![
        8 => (prop_oneof![Just(0u64), 0u64..5, 0u64..2_000], proptest::bool::weighted(0.1))
            .prop_map(|(wait, right)| ThrottleOp::Try { wait, right }),
        1 => Just(ThrottleOp::Reload),
    ]
}

fn throttle_policy() -> impl Strategy<Value = ThrottlePolicy> {
    // A hard lock only where opted in, and never below 100 failures (issue 12).
    (
        prop_oneof![Just(None), (100u32..=120).prop_map(Some)],
        0u32..40,
    )
        .prop_flat_map(|(lock, free)| (Just(lock), Just(free), 1u64..100))
        .prop_flat_map(|(lock, free, base)| (Just(lock), Just(free), Just(base), base..5_000))
        .prop_map(|(lock, free, base, max)| {
            let policy = ThrottlePolicy::new(free, base, max).unwrap();
            lock.map_or(policy, |n| policy.with_hard_lock(n).unwrap())
        })
}

proptest! {
    #[test]
    fn a_locked_throttle_never_admits_an_attempt(
        policy in throttle_policy(),
        ops in proptest::collection::vec(throttle_op(), 0..250),
    ) {
        let mut throttle = Throttle::new(Factor::Totp);
        let mut now = T0;
        let mut was_locked = false;
        for op in ops {
            match op {
                ThrottleOp::Try { wait, right } => {
                    now += wait;
                    let locked = throttle.is_locked(&policy);
                    prop_assert!(!was_locked || locked, "only unlock lifts a lock");
                    was_locked = locked;
                    let failures = throttle.consecutive_failures();
                    match throttle.admit(&policy, now) {
                        Ok(attempt) => {
                            prop_assert!(!locked, "a locked throttle admitted an attempt");
                            if let Some(at) = throttle.retry_at(&policy) {
                                prop_assert!(now >= at, "admitted during the back-off");
                            }
                            throttle = if right { attempt.succeeded() } else { attempt.failed() };
                            if right {
                                prop_assert_eq!(throttle.consecutive_failures(), 0);
                            } else {
                                prop_assert_eq!(throttle.consecutive_failures(), failures + 1);
                                prop_assert_eq!(
                                    throttle.is_locked(&policy),
                                    policy.hard_lock_after().is_some_and(|n| failures + 1 >= n),
                                    "locks exactly at the threshold"
                                );
                            }
                        }
                        Err(refused) => {
                            prop_assert_eq!(refused.is_locked(), locked);
                            if let Some(at) = refused.retry_at() {
                                prop_assert!(at > now);
                            }
                        }
                    }
                }
                ThrottleOp::Reload => {
                    let json = serde_json::to_string(&throttle).unwrap();
                    throttle = serde_json::from_str(&json).unwrap();
                }
            }
        }
    }

    #[test]
    fn no_forged_string_opens_a_remembered_device(
        seed in any::<u64>(),
        cookie in prop_oneof![".{0,200}", "[0-9a-f]{130}"],
        flip in 0usize..130,
    ) {
        let mut rng = StdRng::seed_from_u64(seed);
        let key = ServerKey::generate_with(&mut rng);
        let mut devices = RememberedDevices::new();
        let token = devices.remember_with_rng(&key, &DevicePolicy::default(), T0, &mut rng);
        prop_assert!(devices.verify(&key, &cookie, T0).is_err());

        let mut tampered = token.as_str().as_bytes().to_vec();
        tampered[flip] = if tampered[flip] == b'0' { b'1' } else { b'0' };
        let tampered = String::from_utf8(tampered).unwrap();
        prop_assert!(devices.verify(&key, &tampered, T0).is_err());
        prop_assert!(devices.verify(&key, token.as_str(), T0).is_ok());
    }
}
