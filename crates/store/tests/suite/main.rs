//! The store's test suite, run over every backend: one generic suite, each case
//! once on a fresh SQLite file and once on a fresh PostgreSQL database of a
//! throwaway cluster that this harness starts (and stops) itself. The few cases
//! that concern one backend's kind of outage (`outages`) run on that one only.
//!
//! Without PostgreSQL server binaries on the machine, the PostgreSQL cases are
//! reported as ignored and the reason printed; with `CI` or
//! `COUNTERSIGN_REQUIRE_POSTGRES` set, they fail instead: CI never skips them.
//!
//! The same binary is also the child process of the multi-process races and the
//! kill tests (`COUNTERSIGN_STORE_CHILD` names the role).

#![allow(unreachable_pub)]
// Test arithmetic on small known numbers: casts cannot lose anything here.
#![allow(clippy::cast_possible_truncation, clippy::cast_possible_wrap)]

#[path = "../../../../tests/browser/mod.rs"]
mod browser;
#[path = "../support/cluster.rs"]
mod cluster;
#[path = "../../../../tests/fixtures/mod.rs"]
mod fixtures;

mod basics;
mod child;
mod db;
mod faults;
mod hostile;
mod outages;
mod passkeys;
mod races;
mod setup;

use std::sync::Arc;

use libtest_mimic::{Arguments, Failed, Trial};

use db::{Backend, Db};

/// A case of the generic suite.
type Case = fn(&Db) -> Result<(), Failed>;

fn cases() -> Vec<(&'static str, Case)> {
    let mut all: Vec<(&'static str, Case)> = Vec::new();
    all.extend(basics::CASES);
    all.extend(hostile::CASES);
    all.extend(races::CASES);
    all.extend(passkeys::CASES);
    all.extend(faults::CASES);
    all
}

fn postgres_required() -> bool {
    std::env::var_os("COUNTERSIGN_REQUIRE_POSTGRES").is_some()
        || std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

fn main() {
    if let Some(role) = std::env::var_os("COUNTERSIGN_STORE_CHILD") {
        child::run(&role.to_string_lossy());
        return;
    }
    let args = Arguments::from_args();
    // Start the cluster only when a PostgreSQL case is going to run.
    let wants_postgres = !args.list
        && args
            .filter
            .as_deref()
            .is_none_or(|f| !f.starts_with("sqlite"))
        && !args.skip.iter().any(|s| s.starts_with("postgres"));
    let cluster = if wants_postgres {
        Some(cluster::Cluster::start().map(Arc::new))
    } else {
        None
    };
    let postgres = match &cluster {
        Some(Ok(c)) => Ok(Arc::clone(c)),
        Some(Err(reason)) => Err(reason.clone()),
        None => Err("not started (filtered out)".to_owned()),
    };
    if let Err(reason) = &postgres
        && wants_postgres
    {
        if postgres_required() {
            eprintln!(
                "PostgreSQL is required here (CI or COUNTERSIGN_REQUIRE_POSTGRES), but: {reason}"
            );
        } else {
            eprintln!("skipped: every PostgreSQL case ({reason}); SQLite cases run");
        }
    }

    let mut trials = Vec::new();
    let both = cases().into_iter().map(|case| (case, true, true));
    let sqlite_only = outages::SQLITE_CASES
        .iter()
        .map(|&case| (case, true, false));
    let postgres_only = outages::POSTGRES_CASES
        .iter()
        .map(|&case| (case, false, true));
    for ((name, case), on_sqlite, on_postgres) in both.chain(sqlite_only).chain(postgres_only) {
        if on_sqlite {
            trials.push(Trial::test(format!("sqlite::{name}"), move || {
                case(&Db::new(Backend::Sqlite)?)
            }));
        }
        if !on_postgres {
            continue;
        }
        let trial_name = format!("postgres::{name}");
        match &postgres {
            Ok(cluster) => {
                let cluster = Arc::clone(cluster);
                trials.push(Trial::test(trial_name, move || {
                    case(&Db::new(Backend::Postgres(cluster))?)
                }));
            }
            Err(reason) if postgres_required() => {
                let reason = reason.clone();
                trials.push(Trial::test(trial_name, move || {
                    Err(format!("PostgreSQL is required here but unavailable: {reason}").into())
                }));
            }
            Err(_) => trials.push(Trial::test(trial_name, || Ok(())).with_ignored_flag(true)),
        }
    }
    let available = postgres.as_ref().map(|_| ()).map_err(Clone::clone);
    trials.extend(faults::own_cluster_trials(available, postgres_required()));
    let conclusion = libtest_mimic::run(&args, trials);
    // Stop the cluster before exiting: `exit` runs no destructors.
    drop(postgres);
    drop(cluster);
    conclusion.exit();
}
