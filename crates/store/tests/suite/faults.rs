//! Separate processes, and processes and servers that die: a code is accepted at
//! most once whatever is killed, and nothing committed is lost.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use countersign_store::{DatabaseUrl, Error, StoreExt};
use libtest_mimic::{Failed, Trial};

use crate::Case;
use crate::child::{describe, first_line, spawn};
use crate::cluster::Cluster;
use crate::db::Db;
use crate::fixtures::*;
use crate::setup::*;

pub const CASES: &[(&str, Case)] = &[
    (
        "processes_racing_one_code_accept_it_once",
        processes_racing_one_code_accept_it_once,
    ),
    (
        "a_process_killed_between_load_and_swap_loses_nothing",
        a_process_killed_between_load_and_swap_loses_nothing,
    ),
    (
        "a_process_killed_right_after_commit_keeps_its_commit",
        a_process_killed_right_after_commit_keeps_its_commit,
    ),
];

const PROCESSES: usize = 8;

fn integrity_check(db: &Db) {
    if let Some(path) = db.sqlite_path() {
        let c = rusqlite::Connection::open(path).unwrap();
        let verdict: String = c
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(verdict, "ok");
    }
}

fn processes_racing_one_code_accept_it_once(db: &Db) -> Result<(), Failed> {
    let portal = race_portal();
    let (app, _) = stored_joe(&*db.open(), &portal);
    let dir = tempfile::tempdir()?;
    for round in 1..=3u64 {
        let now = NOW + 90 * round;
        let code = code(&app, now);
        let go = dir.path().join(format!("go-{round}"));
        let mut children: Vec<_> = (0..PROCESSES)
            .map(|_| spawn("verify", &db.url, &code, now, Some(&go)))
            .collect();
        // Let them all open their stores, then release them together.
        std::thread::sleep(Duration::from_millis(300));
        std::fs::write(&go, b"go")?;
        let answers: Vec<String> = children.iter_mut().map(first_line).collect();
        for child in &mut children {
            child.wait()?;
        }
        let accepted = answers.iter().filter(|a| *a == "accepted").count();
        let replayed = answers.iter().filter(|a| *a == "replayed").count();
        assert_eq!(
            (accepted, replayed),
            (1, PROCESSES - 1),
            "round {round}: {answers:?}"
        );
    }
    integrity_check(db);
    Ok(())
}

fn a_process_killed_between_load_and_swap_loses_nothing(db: &Db) -> Result<(), Failed> {
    let portal = race_portal();
    let store = db.open();
    let (app, _) = stored_joe(&*store, &portal);
    let before = store.load(3522)?;
    let now = NOW + 90;
    let code = code(&app, now);
    let mut child = spawn("hang-after-load", &db.url, &code, now, None);
    assert_eq!(first_line(&mut child), "loaded");
    child.kill()?; // SIGKILL
    child.wait()?;
    integrity_check(db);
    assert_eq!(
        store.load(3522)?,
        before,
        "nothing of the killed step was written"
    );
    let prepared = portal.prepare_totp(&before)?;
    assert_eq!(
        describe(&store.update(3522, |a| portal.verify_totp(a, &prepared, &code, now))),
        "accepted"
    );
    assert_eq!(
        describe(&store.update(3522, |a| portal.verify_totp(a, &prepared, &code, now))),
        "replayed"
    );
    Ok(())
}

fn a_process_killed_right_after_commit_keeps_its_commit(db: &Db) -> Result<(), Failed> {
    let portal = race_portal();
    let store = db.open();
    let (app, _) = stored_joe(&*store, &portal);
    let now = NOW + 90;
    let code = code(&app, now);
    let mut child = spawn("sleep-after-commit", &db.url, &code, now, None);
    assert_eq!(first_line(&mut child), "accepted");
    child.kill()?;
    child.wait()?;
    integrity_check(db);
    let account = store.load(3522)?;
    assert_eq!(
        account.last_accepted_step(),
        Some(now / 30),
        "the commit survived the kill"
    );
    let prepared = portal.prepare_totp(&account)?;
    assert_eq!(
        describe(&store.update(3522, |a| portal.verify_totp(a, &prepared, &code, now))),
        "replayed"
    );
    Ok(())
}

/// The cases that need a cluster of their own (they crash its server): run
/// where the shared cluster started, ignored (or, where PostgreSQL is required,
/// failed) where it could not.
pub fn own_cluster_trials(available: Result<(), String>, required: bool) -> Vec<Trial> {
    let name = "postgres::a_server_crashed_mid_race_and_restarted_accepted_each_code_at_most_once";
    match available {
        Ok(()) => vec![Trial::test(name, crashed_mid_race)],
        Err(reason) if required => vec![Trial::test(name, move || {
            Err(format!("PostgreSQL is required here but unavailable: {reason}").into())
        })],
        Err(_) => vec![Trial::test(name, || Ok(())).with_ignored_flag(true)],
    }
}

fn crashed_mid_race() -> Result<(), Failed> {
    let cluster = Cluster::start()?;
    let db = Db::at(DatabaseUrl::Postgres(cluster.create_database("crash")?));
    let portal = race_portal();
    let (app, _) = stored_joe(&*db.open(), &portal);
    let prepared = portal.prepare_totp(&db.open().load(3522)?)?;
    let stores: Vec<_> = (0..8).map(|_| db.open()).collect();
    let accepted: Mutex<Vec<(u64, Instant)>> = Mutex::new(Vec::new());
    let restarted: Mutex<Option<Instant>> = Mutex::new(None);
    let errors: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let running = AtomicBool::new(true);
    let start = Instant::now();
    std::thread::scope(|s| -> Result<(), Failed> {
        for store in &stores {
            let (accepted, errors, running, prepared, app, portal) =
                (&accepted, &errors, &running, &prepared, &app, &portal);
            s.spawn(move || {
                // Race the codes of successive steps until told to stop: each
                // racer submits each step's code until it gets a definite answer.
                let mut step = 1;
                while running.load(Ordering::Relaxed) {
                    let now = NOW + 30 * step;
                    let typed = code(app, now);
                    loop {
                        if !running.load(Ordering::Relaxed) {
                            return;
                        }
                        match store.update(3522, |a| portal.verify_totp(a, prepared, &typed, now)) {
                            Ok(m) => {
                                accepted.lock().unwrap().push((m.step, Instant::now()));
                                break;
                            }
                            Err(Error::Flow(_)) => break,
                            Err(e) => {
                                assert!(
                                    e.is_unavailable() || matches!(e, Error::Database { .. }),
                                    "{e}"
                                );
                                errors.lock().unwrap().push(e.to_string());
                                std::thread::sleep(Duration::from_millis(50));
                            }
                        }
                    }
                    step += 1;
                }
            });
        }
        std::thread::sleep(Duration::from_millis(1_500));
        cluster.crash()?;
        std::thread::sleep(Duration::from_millis(1_000));
        cluster.restart()?;
        *restarted.lock().unwrap() = Some(Instant::now());
        std::thread::sleep(Duration::from_millis(2_500));
        running.store(false, Ordering::Relaxed);
        Ok(())
    })?;
    assert!(start.elapsed() < Duration::from_secs(60));
    let accepted = accepted.into_inner().unwrap();
    let restarted = restarted.into_inner().unwrap().unwrap();
    assert!(
        accepted.iter().any(|&(_, at)| at > restarted),
        "the store came back by itself: steps were accepted after the restart"
    );
    let accepted: Vec<u64> = accepted.into_iter().map(|(step, _)| step).collect();
    let mut unique = accepted.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(
        unique.len(),
        accepted.len(),
        "a step accepted twice: {accepted:?}"
    );
    assert!(
        !errors.lock().unwrap().is_empty(),
        "the crash was seen, as typed errors"
    );
    // Steps accepted after the restart too: the store came back by itself.
    let last = db
        .open()
        .load(3522)?
        .last_accepted_step()
        .unwrap_or_default();
    assert!(
        accepted.contains(&last),
        "the last stored step was someone's answer"
    );
    assert!(
        accepted.len() > 10,
        "racing went on before and after the crash: {}",
        accepted.len()
    );
    Ok(())
}
