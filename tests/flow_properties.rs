//! Properties of the flows under any interleaving of attempts:
//! - a code (TOTP step, backup code, SMS code) is accepted at most once;
//! - a throttle that refuses an attempt lets no secret be checked: the attempt
//!   fails and the stored account is exactly as it was.

mod fixtures;

use std::collections::HashSet;

use countersign::throttle::{Factor, ThrottlePolicy};
use countersign::{Account, PasswordStep, Portal, SecondFactor, ServerKey};
use fixtures::*;
use proptest::prelude::*;

#[derive(Clone, Debug)]
enum Op {
    Advance(u16),
    TotpRight(i8),
    TotpWrong,
    TotpAgain,
    Backup(usize),
    SendSms,
    SmsRight,
    SmsWrong,
    Unlock,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (1u16..200).prop_map(Op::Advance),
        (-2i8..=2).prop_map(Op::TotpRight),
        Just(Op::TotpWrong),
        Just(Op::TotpAgain),
        (0usize..12).prop_map(Op::Backup),
        Just(Op::SendSms),
        Just(Op::SmsRight),
        Just(Op::SmsWrong),
        Just(Op::Unlock),
    ]
}

fn strict_portal() -> Portal {
    let mut settings = settings();
    // One free failure, then 5 s doubling to 20 s: sequences of a few dozen
    // attempts reach every state. (No hard lock: none may fall below 100
    // failures since issue 12, and the back-off alone makes refusals.)
    settings.throttle = ThrottlePolicy::new(1, 5, 20).unwrap();
    Portal::new(ServerKey::from_bytes([3; 32]), settings).unwrap()
}

fn factor_of(op: &Op) -> Option<Factor> {
    match op {
        Op::TotpRight(_) | Op::TotpWrong | Op::TotpAgain => Some(Factor::Totp),
        Op::Backup(_) => Some(Factor::BackupCode),
        Op::SmsRight | Op::SmsWrong => Some(Factor::SmsCode),
        _ => None,
    }
}

fn fresh_ticket(portal: &Portal, account: &mut Account, now: u64) -> countersign::LoginTicket {
    match portal
        .sign_in(account, JOE_PASSWORD, now, &mut rng())
        .unwrap()
    {
        PasswordStep::SecondFactorRequired(t) => t,
        PasswordStep::SignedIn(_) => panic!("two-factor is on"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn codes_are_accepted_at_most_once_and_refusals_check_nothing(
        ops in proptest::collection::vec(op(), 1..40)
    ) {
        let portal = strict_portal();
        let policy = portal.settings().throttle;
        let mut account = account(&portal, joe(), JOE_PASSWORD);
        let (app, backup) = enroll(&portal, &mut account, JOE_PASSWORD);
        let mut now = NOW + 30;
        let mut accepted_steps: HashSet<u64> = account.last_accepted_step().into_iter().collect();
        let mut accepted_backup: HashSet<usize> = HashSet::new();
        let mut sms: Option<String> = None;
        let mut sms_accepted = false;
        let mut last_typed: Option<String> = None;
        let mut ticket = fresh_ticket(&portal, &mut account, now);

        for op in ops {
            if now >= ticket.expires_at() {
                ticket = fresh_ticket(&portal, &mut account, now);
            }
            let refused_before = factor_of(&op)
                .is_some_and(|f| account.throttles().get(f).admit(&policy, now).is_err());
            let before = account.clone();
            let result = match &op {
                Op::Advance(secs) => {
                    now += u64::from(*secs);
                    continue;
                }
                Op::Unlock => {
                    account.unlock();
                    continue;
                }
                Op::SendSms => {
                    // At most 5 sends an hour: a refused send leaves the last code live.
                    let Ok(delivery) = portal.send_sms_code(&mut account, &ticket, now, &mut rng()) else { continue };
                    sms = Some(delivery.code.as_str().to_owned());
                    sms_accepted = false;
                    continue;
                }
                Op::TotpRight(offset) => {
                    let at = now.checked_add_signed(i64::from(*offset) * 30).unwrap();
                    let typed = code(&app, at);
                    last_typed = Some(typed.clone());
                    portal.complete_sign_in(&mut account, &ticket, SecondFactor::Totp(&typed), false, now, &mut rng())
                }
                Op::TotpWrong => {
                    let typed = wrong(&code(&app, now));
                    portal.complete_sign_in(&mut account, &ticket, SecondFactor::Totp(&typed), false, now, &mut rng())
                }
                Op::TotpAgain => {
                    let typed = last_typed.clone().unwrap_or_else(|| code(&app, NOW));
                    portal.complete_sign_in(&mut account, &ticket, SecondFactor::Totp(&typed), false, now, &mut rng())
                }
                Op::Backup(index) => {
                    let typed = backup.get(*index).cloned().unwrap_or_else(|| "2222-2222-22".into());
                    let result = portal.complete_sign_in(&mut account, &ticket, SecondFactor::BackupCode(&typed), false, now, &mut rng());
                    if result.is_ok() {
                        prop_assert!(accepted_backup.insert(*index), "backup code {index} accepted twice");
                    }
                    result
                }
                Op::SmsRight | Op::SmsWrong => {
                    let Some(right) = sms.clone() else { continue };
                    let typed = if matches!(op, Op::SmsRight) { right } else { wrong(&right) };
                    let result = portal.complete_sign_in(&mut account, &ticket, SecondFactor::SmsCode(&typed), false, now, &mut rng());
                    if result.is_ok() {
                        prop_assert!(!sms_accepted, "an SMS code accepted twice");
                        sms_accepted = true;
                    }
                    result
                }
            };
            if refused_before {
                prop_assert!(result.is_err(), "{op:?} admitted by a refusing throttle");
                prop_assert_eq!(&account, &before, "{:?}: a refused attempt changed the state", op);
            }
            if result.is_ok() {
                // The sign-in spent the ticket (issue 12, defect 3).
                prop_assert!(matches!(
                    portal.send_sms_code(&mut account, &ticket, now, &mut rng()),
                    Err(countersign::Error::LoginTicketInvalid)
                ));
                ticket = fresh_ticket(&portal, &mut account, now);
            }
            if let Ok(signed_in) = &result
                && signed_in.via == countersign::Via::Totp
            {
                let step = account.last_accepted_step().unwrap();
                prop_assert!(accepted_steps.iter().all(|&s| s < step), "step {step} not after every earlier one");
                prop_assert!(accepted_steps.insert(step));
            }
        }
    }
}
