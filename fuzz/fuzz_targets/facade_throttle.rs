#![no_main]
//! The throttle and the send limit over arbitrary time sequences and outcomes
//! (issue 12).
//!
//! Input layout: six bytes of policy (free failures, base delay, max delay in
//! minutes, an opt-in hard lock when the fourth byte is at least 100, sends per
//! window, window in minutes), then one op per byte, some taking the next eight
//! bytes as an absolute time: time running forward, stepping back, jumping to
//! 0 or to the end of time; an attempt with a right or a wrong secret; a store
//! and reload; the administrator's unlock; a code sent.
//!
//! Whatever the bytes:
//! - no panic;
//! - never more secret checks than the policy admits: every admission agrees
//!   with a reference model of the documented rules (free failures, doubling
//!   capped delay, stored times more than an hour ahead ignored, the opt-in
//!   hard lock), and no failure is ever counted past an opt-in hard lock;
//! - no lock that never ends: without the opt-in hard lock, a refused attempt
//!   names a retry time at most `MAX_CLOCK_LEAD + max_delay` away, and an
//!   attempt at that time is admitted; a send refusal likewise ends;
//! - a send window never holds more sends than the policy allows.

use countersign::Error;
use countersign::one_time::Purpose;
use countersign::throttle::{
    Factor, MAX_CLOCK_LEAD, SendLimit, SendPolicy, Throttle, ThrottlePolicy,
};
use libfuzzer_sys::fuzz_target;

fn word(bytes: &[u8]) -> u64 {
    let mut word = [0u8; 8];
    for (slot, byte) in word.iter_mut().zip(bytes) {
        *slot = *byte;
    }
    u64::from_le_bytes(word)
}

/// The documented rules, written out again independently of the throttle.
#[derive(Clone, Copy, Debug, Default)]
struct Model {
    failures: u32,
    last: Option<u64>,
    locked: bool,
}

enum Admission {
    Admitted,
    Wait(u64),
    Locked,
}

impl Model {
    fn delay(policy: &ThrottlePolicy, failures: u32) -> u64 {
        if failures <= policy.free_failures() {
            return 0;
        }
        let doublings = failures - policy.free_failures() - 1;
        let factor = if doublings >= 64 {
            u64::MAX
        } else {
            1u64 << doublings
        };
        policy
            .base_delay()
            .saturating_mul(factor)
            .min(policy.max_delay())
    }

    fn plausible(&self, now: u64) -> Option<u64> {
        self.last
            .filter(|&last| last <= now.saturating_add(MAX_CLOCK_LEAD))
    }

    fn admit(&self, policy: &ThrottlePolicy, now: u64) -> Admission {
        if self.locked || policy.hard_lock_after().is_some_and(|n| self.failures >= n) {
            return Admission::Locked;
        }
        match (self.plausible(now), Self::delay(policy, self.failures)) {
            (Some(last), delay) if delay > 0 && now < last.saturating_add(delay) => {
                Admission::Wait(last.saturating_add(delay))
            }
            _ => Admission::Admitted,
        }
    }

    fn fail(&mut self, policy: &ThrottlePolicy, now: u64) {
        self.failures = self.failures.saturating_add(1);
        self.last = Some(self.plausible(now).map_or(now, |last| last.max(now)));
        self.locked |= policy.hard_lock_after().is_some_and(|n| self.failures >= n);
    }
}

fn policies(bytes: &[u8]) -> (ThrottlePolicy, SendPolicy) {
    let throttle = ThrottlePolicy::new(
        u32::from(bytes[0]),
        u64::from(bytes[1]).max(1),
        u64::from(bytes[2]) * 60,
    )
    .and_then(|p| match bytes[3] {
        n @ 100.. => p.with_hard_lock(u32::from(n)),
        _ => Ok(p),
    })
    .unwrap_or_default();
    let sends =
        SendPolicy::new(u32::from(bytes[4] % 21), u64::from(bytes[5]) * 60).unwrap_or_default();
    (throttle, sends)
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 6 {
        return;
    }
    let (policy, send_policy) = policies(&data[..6]);
    let ends_by_itself = policy.hard_lock_after().is_none();
    let mut throttle = Throttle::new(Factor::Password);
    let mut model = Model::default();
    let mut sends = SendLimit::new();
    let mut now = 1_700_000_000u64;
    let mut ops = data[6..].iter().copied().enumerate();
    while let Some((at, op)) = ops.next() {
        match op % 16 {
            // Time runs forward, by a little or a lot.
            0..=3 => now = now.saturating_add(u64::from(op >> 4) * 7),
            4 => now = now.saturating_add(u64::from(op >> 4) * 3_600),
            // Steps back: within the tolerated lead, or far.
            5 => now = now.saturating_sub(u64::from(op >> 4) * 60),
            6 => now = now.saturating_sub(u64::from(op >> 4) * 86_400),
            // Clock glitches, and an arbitrary absolute time.
            7 => now = if op >> 4 < 8 { u64::MAX } else { 0 },
            8 => {
                now = word(data.get(6 + at + 1..).unwrap_or_default());
                for _ in 0..8 {
                    ops.next();
                }
            }
            // An attempt: the secret right or wrong.
            9..=12 => {
                let right = op % 16 == 9;
                let expected = model.admit(&policy, now);
                match (throttle.admit(&policy, now), expected) {
                    (Ok(attempt), Admission::Admitted) => {
                        if right {
                            throttle = attempt.succeeded();
                            model = Model::default();
                        } else {
                            throttle = attempt.failed();
                            model.fail(&policy, now);
                        }
                    }
                    (Err(refused), Admission::Wait(retry)) => {
                        assert_eq!(refused.retry_at(), Some(retry), "retry time");
                        assert!(retry > now);
                        assert!(
                            retry <= now.saturating_add(MAX_CLOCK_LEAD + policy.max_delay()),
                            "a wait longer than the bound: {now} -> {retry}"
                        );
                        assert!(throttle.admit(&policy, retry).is_ok(), "the wait ends");
                    }
                    (Err(refused), Admission::Locked) => {
                        assert!(refused.is_locked());
                        assert!(!ends_by_itself, "a lock the policy did not opt into");
                    }
                    (Ok(_), _) => panic!("admitted what the policy refuses"),
                    (Err(refused), Admission::Admitted) => {
                        panic!("refused what the policy admits: {refused}")
                    }
                }
                assert_eq!(throttle.consecutive_failures(), model.failures);
                assert_eq!(throttle.last_failure_at(), model.last);
                if let Some(n) = policy.hard_lock_after() {
                    assert!(model.failures <= n, "a failure counted past the hard lock");
                }
            }
            // Store and reload.
            13 => {
                let json = serde_json::to_string(&throttle).expect("serializes");
                throttle = serde_json::from_str(&json).expect("what we write we read");
                let json = serde_json::to_string(&sends).expect("serializes");
                sends = serde_json::from_str(&json).expect("what we write we read");
            }
            // The administrator's unlock.
            14 => {
                throttle = throttle.unlock();
                model = Model::default();
            }
            // A code sent.
            _ => match sends.record(&send_policy, Purpose::SmsLogin, now) {
                Ok(()) => {
                    assert!(
                        sends.sends_in_window(&send_policy, now)
                            <= send_policy.max_sends() as usize
                    );
                }
                Err(Error::TooManyCodesSent { retry_at, .. }) => {
                    assert!(retry_at > now || now == u64::MAX);
                    assert!(retry_at <= now.saturating_add(MAX_CLOCK_LEAD + send_policy.window()));
                    let mut later = sends.clone();
                    assert!(
                        later
                            .record(&send_policy, Purpose::SmsLogin, retry_at)
                            .is_ok()
                            || retry_at == u64::MAX,
                        "the send window slides on"
                    );
                }
                Err(other) => panic!("{other}"),
            },
        }
    }
});
