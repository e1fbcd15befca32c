//! Races: 16 threads, each with its own store (its own connections), on one
//! account. Every racer loads the same revision and then waits for the others
//! before it runs its step (a barrier in the step's first run), so each round is
//! the worst case: 16 writers holding one stale row. The negative controls run
//! the same races through a store whose swap has the version check removed, and
//! show that the tests catch it.

use std::sync::{Barrier, Mutex};

use countersign::throttle::{Factor, Throttle};
use countersign::totp::Error as TotpError;
use countersign::{Account, Error as FlowError, LoginTicket, PasswordStep, Portal, SecondFactor};
use countersign_store::{Error, Store, StoreExt};
use libtest_mimic::Failed;

use crate::Case;
use crate::db::{Db, Faulty, SwapFault};
use crate::fixtures::*;
use crate::setup::*;

pub const CASES: &[(&str, Case)] = &[
    (
        "race_one_totp_code_is_accepted_once",
        race_one_totp_code_is_accepted_once,
    ),
    (
        "race_one_totp_code_is_accepted_once_under_serializable_isolation",
        race_under_serializable,
    ),
    (
        "race_negative_control_without_the_version_check_accepts_a_code_many_times",
        race_negative_control_totp,
    ),
    (
        "race_one_backup_code_is_accepted_once",
        race_one_backup_code_is_accepted_once,
    ),
    (
        "race_one_sms_code_is_accepted_once",
        race_one_sms_code_is_accepted_once,
    ),
    (
        "race_one_reset_code_is_accepted_once",
        race_one_reset_code_is_accepted_once,
    ),
    (
        "race_wrong_guesses_are_all_counted_and_no_more_checked_than_admitted",
        race_wrong_guesses,
    ),
    (
        "race_negative_control_without_the_version_check_loses_failures",
        race_negative_control_guesses,
    ),
    (
        "race_a_password_change_against_a_sign_in_leaves_the_old_password_dead",
        race_password_change,
    ),
    (
        "race_a_right_password_among_wrong_ones_is_answered_only_if_the_throttle_admits_it",
        race_right_among_wrong,
    ),
];

pub const RACERS: usize = 16;
const ROUNDS: u64 = 20;

/// Runs `step` on the account from `RACERS` threads at once, each on its own
/// store, all holding the same loaded revision when they run it. Returns every
/// racer's answer, in racer order.
pub fn race<T: Send>(
    stores: &[Box<dyn Store + '_>],
    step: impl Fn(usize, &mut Account) -> countersign::Result<T> + Sync,
) -> Vec<countersign_store::Result<T>> {
    let barrier = Barrier::new(stores.len());
    let answers = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for (i, store) in stores.iter().enumerate() {
            let (barrier, answers, step) = (&barrier, &answers, &step);
            s.spawn(move || {
                let mut first = true;
                let answer = store.update(3522, |a| {
                    if std::mem::take(&mut first) {
                        barrier.wait();
                    }
                    step(i, a)
                });
                answers.lock().unwrap().push((i, answer));
            });
        }
    });
    let mut answers = answers.into_inner().unwrap();
    answers.sort_by_key(|(i, _)| *i);
    answers.into_iter().map(|(_, answer)| answer).collect()
}

pub fn stores(db: &Db) -> Vec<Box<dyn Store + '_>> {
    (0..RACERS).map(|_| db.open()).collect()
}

pub fn blind_stores(db: &Db) -> Vec<Box<dyn Store + '_>> {
    (0..RACERS)
        .map(|_| {
            Box::new(Faulty {
                inner: db.open(),
                db,
                fault: SwapFault::Blind,
            }) as Box<dyn Store>
        })
        .collect()
}

fn totp_rounds(db: &Db, stores: &[Box<dyn Store + '_>]) -> Vec<(usize, usize)> {
    let portal = race_portal();
    let (app, _) = stored_joe(&*db.open(), &portal);
    let prepared = portal.prepare_totp(&db.open().load(3522).unwrap()).unwrap();
    (1..=ROUNDS)
        .map(|round| {
            let now = NOW + 90 * round;
            let code = code(&app, now);
            let answers = race(stores, |_, a| portal.verify_totp(a, &prepared, &code, now));
            let accepted = answers.iter().filter(|a| a.is_ok()).count();
            let replayed = answers
                .iter()
                .filter(|a| {
                    matches!(
                        a,
                        Err(Error::Flow(FlowError::Totp(TotpError::Replayed { .. })))
                    )
                })
                .count();
            (accepted, replayed)
        })
        .collect()
}

fn race_one_totp_code_is_accepted_once(db: &Db) -> Result<(), Failed> {
    for (round, (accepted, replayed)) in totp_rounds(db, &stores(db)).into_iter().enumerate() {
        assert_eq!((accepted, replayed), (1, RACERS - 1), "round {round}");
    }
    Ok(())
}

fn race_under_serializable(db: &Db) -> Result<(), Failed> {
    // CockroachDB's and YugabyteDB's default. A swap that meets a concurrent
    // update there fails with a serialization failure (SQLSTATE 40001) instead of
    // matching no row: the store reads it as a conflict and runs the step again,
    // so the losers still hear "replayed", not a database error. SQLite is
    // serializable always: there the case is the plain race again.
    if let countersign_store::DatabaseUrl::Postgres(url) = &db.url {
        db.execute(
            "DO $$ BEGIN EXECUTE format(
                'ALTER DATABASE %I SET default_transaction_isolation TO serializable',
                current_database()); END $$",
        );
        // A new connection, as the store's will be, starts serializable.
        let mut c = postgres::Client::connect(url, postgres::NoTls)?;
        let isolation: String = c.query_one("SHOW transaction_isolation", &[])?.get(0);
        assert_eq!(isolation, "serializable");
    }
    race_one_totp_code_is_accepted_once(db)
}

fn race_negative_control_totp(db: &Db) -> Result<(), Failed> {
    let rounds = totp_rounds(db, &blind_stores(db));
    assert!(
        rounds.iter().all(|&(accepted, _)| accepted > 1),
        "without the version check every round accepts the code more than once: {rounds:?}"
    );
    Ok(())
}

fn race_one_backup_code_is_accepted_once(db: &Db) -> Result<(), Failed> {
    let portal = race_portal();
    let store = db.open();
    let (_, backup) = stored_joe(&*store, &portal);
    assert_eq!(backup.len(), ROUNDS as usize);
    let stores = stores(db);
    for (round, typed) in backup.iter().enumerate() {
        let now = NOW + 60 * round as u64;
        let ticket = stored_ticket(&*store, &portal, JOE_PASSWORD, now);
        let left = store.load(3522)?.backup_codes_left().unwrap();
        let answers = race(&stores, |_, a| {
            portal.complete_sign_in(
                a,
                &ticket,
                SecondFactor::BackupCode(typed),
                false,
                now,
                &mut rng(),
            )
        });
        assert_eq!(
            answers.iter().filter(|a| a.is_ok()).count(),
            1,
            "round {round}"
        );
        for answer in answers.iter().filter_map(|a| a.as_ref().err()) {
            assert!(
                matches!(
                    answer,
                    Error::Flow(
                        FlowError::Totp(TotpError::BackupCodeUsed { .. })
                            | FlowError::LoginTicketInvalid
                    )
                ),
                "{answer}"
            );
        }
        assert_eq!(
            store.load(3522)?.backup_codes_left(),
            Some(left - 1),
            "round {round}"
        );
    }
    Ok(())
}

fn sms_ticket(store: &dyn Store, portal: &Portal, now: u64) -> (LoginTicket, String) {
    let ticket = stored_ticket(store, portal, JOE_PASSWORD, now);
    let delivery = store
        .update(3522, |a| portal.send_sms_code(a, &ticket, now, &mut rng()))
        .unwrap();
    (ticket, delivery.code.as_str().to_owned())
}

fn race_one_sms_code_is_accepted_once(db: &Db) -> Result<(), Failed> {
    let portal = race_portal();
    let store = db.open();
    stored_joe(&*store, &portal);
    let stores = stores(db);
    for round in 0..ROUNDS {
        // 15 minutes apart: four codes an hour, under the default send limit.
        let now = NOW + 900 * round;
        let (ticket, sms) = sms_ticket(&*store, &portal, now);
        let answers = race(&stores, |_, a| {
            portal.complete_sign_in(
                a,
                &ticket,
                SecondFactor::SmsCode(&sms),
                false,
                now,
                &mut rng(),
            )
        });
        assert_eq!(
            answers.iter().filter(|a| a.is_ok()).count(),
            1,
            "round {round}"
        );
        assert!(
            store
                .load(3522)?
                .throttles()
                .get(Factor::SmsCode)
                .consecutive_failures()
                < 50
        );
    }
    Ok(())
}

fn race_one_reset_code_is_accepted_once(db: &Db) -> Result<(), Failed> {
    let portal = race_portal();
    let store = db.open();
    store.insert(&account(&portal, joe(), JOE_PASSWORD))?;
    let stores = stores(db);
    for round in 0..ROUNDS {
        let now = NOW + 3_600 * round;
        let delivery = store.update(3522, |a| portal.request_password_reset(a, now, &mut rng()))?;
        let typed = delivery.code.as_str().to_owned();
        let answers = race(&stores, |i, a| {
            portal.reset_password(
                a,
                &typed,
                &format!("{JOE_PASSWORD} round {round} racer {i}"),
                now,
                &mut rng(),
            )
        });
        let winners: Vec<usize> = answers
            .iter()
            .enumerate()
            .filter(|(_, a)| a.is_ok())
            .map(|(i, _)| i)
            .collect();
        assert_eq!(winners.len(), 1, "round {round}");
        for answer in answers.iter().filter_map(|a| a.as_ref().err()) {
            assert!(
                matches!(answer, Error::Flow(FlowError::OneTimeCodeUsed)),
                "{answer}"
            );
        }
        // Exactly one new password took: one of the racers' (the answers are not
        // in racer order, so find whose).
        let signed_in = (0..RACERS)
            .filter(|i| {
                let password = format!("{JOE_PASSWORD} round {round} racer {i}");
                matches!(
                    store.update(3522, |a| portal.sign_in(a, &password, now, &mut rng())),
                    Ok(PasswordStep::SignedIn(_))
                )
            })
            .count();
        assert_eq!(signed_in, 1, "round {round}");
    }
    Ok(())
}

/// 200 wrong TOTP guesses from 16 threads at one instant: how many the policy
/// admits there, the failures stored, and the answers that said "wrong code".
///
/// `blind`: the stores write without the version check, so a racer may read a
/// version that another's blind write took back (`WentBackwards`).
fn guesses(db: &Db, stores: &[Box<dyn Store + '_>], blind: bool) -> (u32, u32, u32) {
    let portal = strict_portal();
    let (app, _) = stored_joe(&*db.open(), &portal);
    let policy = portal.settings().throttle;
    let now = NOW + 3_600;
    let mut admitted = 0;
    let mut throttle = Throttle::new(Factor::Totp);
    while let Ok(attempt) = throttle.admit(&policy, now) {
        throttle = attempt.failed();
        admitted += 1;
    }
    let prepared = portal.prepare_totp(&db.open().load(3522).unwrap()).unwrap();
    let typed = wrong(&code(&app, now));
    let per_racer = 200 / RACERS + 1;
    let answered_wrong = Mutex::new(0u32);
    let total = Mutex::new(0usize);
    let barrier = Barrier::new(stores.len());
    std::thread::scope(|s| {
        for store in stores {
            let (answered_wrong, total, barrier, prepared, typed, portal) = (
                &answered_wrong,
                &total,
                &barrier,
                &prepared,
                &typed,
                &portal,
            );
            s.spawn(move || {
                for guess in 0..per_racer {
                    {
                        let mut total = total.lock().unwrap();
                        if *total == 200 {
                            return;
                        }
                        *total += 1;
                    }
                    let mut first = guess == 0;
                    let answer = store.update(3522, |a| {
                        if std::mem::take(&mut first) {
                            barrier.wait();
                        }
                        portal.verify_totp(a, prepared, typed, now)
                    });
                    match answer {
                        Err(Error::Flow(FlowError::Totp(TotpError::WrongCode))) => {
                            *answered_wrong.lock().unwrap() += 1;
                        }
                        Err(Error::Flow(FlowError::Throttled(_))) => {}
                        Err(Error::WentBackwards { .. }) if blind => {}
                        other => panic!("a wrong guess answered {other:?}"),
                    }
                }
            });
        }
    });
    assert_eq!(total.into_inner().unwrap(), 200);
    let stored = db
        .open()
        .load(3522)
        .unwrap()
        .throttles()
        .get(Factor::Totp)
        .consecutive_failures();
    (admitted, stored, answered_wrong.into_inner().unwrap())
}

fn race_wrong_guesses(db: &Db) -> Result<(), Failed> {
    let (admitted, stored, answered_wrong) = guesses(db, &stores(db), false);
    assert!((1..200).contains(&admitted));
    assert_eq!(
        answered_wrong, admitted,
        "no more secrets checked (and answered) than the throttle admits"
    );
    assert_eq!(stored, answered_wrong, "every failure counted, none lost");
    Ok(())
}

fn race_negative_control_guesses(db: &Db) -> Result<(), Failed> {
    let (admitted, stored, answered_wrong) = guesses(db, &blind_stores(db), true);
    assert!(
        answered_wrong > admitted && stored < answered_wrong,
        "without the version check the racers check more guesses than admitted and lose failures: \
         admitted {admitted}, answered {answered_wrong}, stored {stored}"
    );
    Ok(())
}

fn race_password_change(db: &Db) -> Result<(), Failed> {
    let portal = race_portal();
    let store = db.open();
    let (app, backup) = stored_joe(&*store, &portal);
    let stores: Vec<Box<dyn Store>> = (0..2).map(|_| db.open()).collect();
    let mut password = JOE_PASSWORD.to_owned();
    for round in 0..10u64 {
        let now = NOW + 600 * round;
        // A device remembered before the race: the change must revoke it.
        let ticket_before = stored_ticket(&*store, &portal, &password, now);
        let cookie = store
            .update(3522, |a| {
                // The OS RNG for device ids: the fixtures' seeded one draws the same id every time.
                portal.complete_sign_in(
                    a,
                    &ticket_before,
                    SecondFactor::BackupCode(&backup[round as usize]),
                    true,
                    now,
                    &mut rand::rng(),
                )
            })?
            .device_token
            .unwrap();
        let new_password = format!("{JOE_PASSWORD} {round}");
        let code = code(&app, now + 30);
        let old = password.clone();
        let answers = race(&stores, |i, a| {
            if i == 0 {
                portal
                    .change_password(a, &old, &new_password, now + 30, &mut rng())
                    .map(|_| None)
            } else {
                // The old password, then a code, asking to remember this device:
                // written on the stale row, it would bring back the old hash and
                // a device of the old password.
                let PasswordStep::SecondFactorRequired(ticket) =
                    portal.sign_in(a, &old, now + 30, &mut rng())?
                else {
                    unreachable!()
                };
                portal
                    .complete_sign_in(
                        a,
                        &ticket,
                        SecondFactor::Totp(&code),
                        true,
                        now + 30,
                        &mut rand::rng(),
                    )
                    .map(|s| s.device_token)
            }
        });
        assert_eq!(answers.len(), 2);
        let shown: Vec<String> = answers
            .iter()
            .map(|a| match a {
                Ok(_) => "ok".into(),
                Err(e) => e.to_string(),
            })
            .collect();
        let after = now + 60;
        let old_sign_in = store.update(3522, |a| portal.sign_in(a, &old, after, &mut rng()));
        assert!(
            matches!(old_sign_in, Err(Error::Flow(FlowError::Password(_)))),
            "round {round}: the old password still signs in ({shown:?})"
        );
        let ticket = stored_ticket(&*store, &portal, &new_password, after);
        let devices: Vec<String> = answers
            .iter()
            .filter_map(|a| a.as_ref().ok().cloned().flatten())
            .map(|t| t.as_str().to_owned())
            .chain([cookie.as_str().to_owned()])
            .collect();
        for device in &devices {
            let answer = store.update(3522, |a| {
                portal.complete_sign_in(
                    a,
                    &ticket,
                    SecondFactor::RememberedDevice(device),
                    false,
                    after,
                    &mut rng(),
                )
            });
            assert!(
                answer.is_err(),
                "round {round}: a device of the old password still signs in"
            );
        }
        assert!(
            store.load(3522)?.devices().devices().is_empty(),
            "round {round}"
        );
        password = new_password;
    }
    Ok(())
}

/// A right password on a clean throttle changes nothing, so it writes nothing:
/// answered from the state it loaded, it would be a guess the throttle never
/// admitted once the wrong guesses racing it have committed their failures. The
/// right guess here is checked first, on the clean state, and answers last.
fn race_right_among_wrong(db: &Db) -> Result<(), Failed> {
    let portal = strict_portal();
    let store = db.open();
    store.insert(&account(&portal, joe(), JOE_PASSWORD))?;
    let policy = portal.settings().throttle;
    let now = NOW;
    let mut admitted = 0;
    let mut throttle = Throttle::new(Factor::Password);
    while let Ok(attempt) = throttle.admit(&policy, now) {
        throttle = attempt.failed();
        admitted += 1;
    }
    assert!(
        admitted < (RACERS - 1) as u32,
        "the wrong guesses alone close the throttle"
    );
    let first_run = std::sync::atomic::AtomicBool::new(true);
    let answers = race(&stores(db), |i, a| {
        if i == 0 {
            let answer = portal.sign_in(a, JOE_PASSWORD, now, &mut rng());
            if first_run.swap(false, std::sync::atomic::Ordering::SeqCst) {
                // Every wrong guess commits before the right one answers.
                std::thread::sleep(std::time::Duration::from_secs(1));
            }
            answer.map(|_| ())
        } else {
            portal
                .sign_in(a, "not the password!", now, &mut rng())
                .map(|_| ())
        }
    });
    let stored = store
        .load(3522)?
        .throttles()
        .get(Factor::Password)
        .consecutive_failures();
    assert_eq!(
        stored, admitted,
        "the wrong guesses committed what the throttle admits"
    );
    assert!(
        matches!(answers[0], Err(Error::Flow(FlowError::Throttled(_)))),
        "the right password was answered past a closed throttle: {:?}",
        answers[0].as_ref().map_err(ToString::to_string)
    );
    Ok(())
}
