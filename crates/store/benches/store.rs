//! A full TOTP login through the store (load, the prepared login step, swap) on
//! SQLite and on PostgreSQL, each beside its floor in the same group: the bare
//! `SELECT` + conditional `UPDATE` round trip of the same row on one connection,
//! with no state decoded or encoded and no step run. And on PostgreSQL, the
//! throughput of 16 concurrent clients on distinct accounts against one client's.
//!
//! The PostgreSQL groups start a throwaway cluster (as the tests do) and are
//! skipped, saying so, where no PostgreSQL server binaries are installed.
//! Durability is as deployed: SQLite `synchronous=FULL`, PostgreSQL `fsync=on`.

#![allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]

#[path = "../tests/support/cluster.rs"]
mod cluster;

use std::hint::black_box;
use std::sync::Barrier;
use std::time::{Duration, Instant};

use countersign::password::{HashParams, Policy};
use countersign::totp::{Secret, Totp};
use countersign::{Portal, PreparedTotp, Profile, ServerKey, Settings};
use countersign_store::{DatabaseUrl, Store, StoreExt};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const NOW: u64 = 1_763_900_000;
const PASSWORD: &str = "Vivio is gr8! I like knowing my account is Secure";

fn portal() -> Portal {
    let cheap = HashParams {
        memory_kib: 64,
        iterations: 1,
        ..HashParams::OWASP
    };
    // Cheap key derivation: the benches enroll many contacts, and time no hash.
    let settings = Settings {
        password: Policy::portal().with_hashing(cheap).unwrap(),
        backup_codes: countersign::totp::BackupSettings {
            params: countersign::totp::KdfParams::new(8, 1, 1).unwrap(),
            ..countersign::totp::BackupSettings::default()
        },
        ..Settings::default()
    };
    Portal::new(ServerKey::from_bytes([0x42; 32]), settings).unwrap()
}

/// One enrolled contact: its app, and a verifier prepared as a service keeps it.
struct Contact {
    id: u64,
    app: Totp,
    prepared: PreparedTotp,
    /// The next TOTP step to log in at: every login is a fresh code.
    step: u64,
}

impl Contact {
    fn login(&mut self, portal: &Portal, store: &dyn Store) {
        self.step += 1;
        let now = self.step * 30;
        let code = self.app.code_at(now).unwrap().to_string();
        let matched = store
            .update(self.id, |a| {
                portal.verify_totp(a, &self.prepared, &code, now)
            })
            .unwrap();
        black_box(matched);
    }
}

fn enrolled(portal: &Portal, store: &dyn Store, id: u64) -> Contact {
    let profile = Profile {
        contact_id: id,
        client_id: id,
        name: format!("Contact {id}"),
        username: format!("contact.{id}"),
        email: format!("contact.{id}@example.com"),
        cell_phone: None,
        primary: true,
    };
    let mut rng = rand::rng();
    let mut account = portal.create_account(profile, PASSWORD, &mut rng).unwrap();
    let policy = countersign::permissions::Policy::from_toml("schema = \"client-portal\"").unwrap();
    let compiled = countersign::permissions::CompiledPolicy::compile(&policy);
    let access = countersign::Access::new(&compiled).unwrap();
    let started = portal
        .begin_enrollment(&mut account, &access, PASSWORD, NOW, &mut rng)
        .unwrap();
    let app = Totp::new(
        &Secret::from_base32(&started.key_for_typing()).unwrap(),
        countersign::totp::Params::default(),
    )
    .unwrap();
    let code = app.code_at(NOW).unwrap().to_string();
    portal
        .confirm_enrollment(&mut account, &code, NOW, &mut rng)
        .unwrap();
    store.insert(&account).unwrap();
    Contact {
        id,
        app,
        prepared: portal.prepare_totp(&account).unwrap(),
        step: NOW / 30,
    }
}

/// The floor: what any compare-and-swap store pays per login, on one connection,
/// with the cheapest statements each driver has (one round trip each).
trait Floor {
    fn round_trip(&mut self, id: i64);
}

struct SqliteFloor(rusqlite::Connection);

impl Floor for SqliteFloor {
    fn round_trip(&mut self, id: i64) {
        let (version, state): (i64, String) = self
            .0
            .query_row(
                "SELECT version, state FROM countersign_accounts WHERE contact_id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        let changed = self
            .0
            .execute(
                "UPDATE countersign_accounts SET version = ?1, state = ?2, updated_at = ?3
                 WHERE contact_id = ?4 AND version = ?5",
                rusqlite::params![version + 1, state, 0, id, version],
            )
            .unwrap();
        assert_eq!(changed, 1);
    }
}

struct PostgresFloor(postgres::Client);

impl Floor for PostgresFloor {
    fn round_trip(&mut self, id: i64) {
        use postgres::types::Type;
        let row = self
            .0
            .query_typed_one(
                "SELECT version, state FROM countersign_accounts WHERE contact_id = $1",
                &[(&id, Type::INT8)],
            )
            .unwrap();
        let (version, state): (i64, String) = (row.get(0), row.get(1));
        let changed = self
            .0
            .execute_typed(
                "UPDATE countersign_accounts SET version = $1, state = $2, updated_at = $3
                 WHERE contact_id = $4 AND version = $5",
                &[
                    (&(version + 1), Type::INT8),
                    (&state, Type::TEXT),
                    (&0_i64, Type::INT8),
                    (&id, Type::INT8),
                    (&version, Type::INT8),
                ],
            )
            .unwrap();
        assert_eq!(changed, 1);
    }
}

/// The group of one backend: the floor and the full login, side by side.
fn login_group(c: &mut Criterion, name: &str, store: &dyn Store, floor: &mut dyn Floor) {
    let portal = portal();
    let floor_contact = enrolled(&portal, store, 1);
    let mut contact = enrolled(&portal, store, 2);
    let mut group = c.benchmark_group(name);
    group
        .sample_size(30)
        .measurement_time(Duration::from_secs(6));
    let floor_id = i64::try_from(floor_contact.id).unwrap();
    group.bench_function("floor: bare SELECT + conditional UPDATE", |b| {
        b.iter(|| floor.round_trip(floor_id));
    });
    group.bench_function("full TOTP login: load, prepared step, swap", |b| {
        b.iter(|| contact.login(&portal, store));
    });
    group.finish();
}

fn sqlite(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bench.db");
    let store = countersign_store::SqliteStore::open(&path).unwrap();
    let connection = rusqlite::Connection::open(&path).unwrap();
    connection
        .execute_batch(
            "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;",
        )
        .unwrap();
    login_group(
        c,
        "store_login_sqlite",
        &store,
        &mut SqliteFloor(connection),
    );
}

fn postgres(c: &mut Criterion) {
    let cluster = match cluster::Cluster::start() {
        Ok(cluster) => cluster,
        Err(reason) => {
            eprintln!("skipped: the PostgreSQL benches ({reason})");
            return;
        }
    };
    let url = cluster.create_database("bench").unwrap();
    let store = countersign_store::open(&DatabaseUrl::Postgres(url.clone())).unwrap();
    let client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    login_group(
        c,
        "store_login_postgres",
        &*store,
        &mut PostgresFloor(client),
    );
    throughput(c, &*store);
    conflicts(&*store);
    drop(store);
    drop(cluster);
}

/// Logins per second with 1 client and with 16 concurrent clients, each on its
/// own account (no conflicts): the time per login, all clients together.
fn throughput(c: &mut Criterion, store: &dyn Store) {
    const CLIENTS: usize = 16;
    let portal = portal();
    let mut contacts: Vec<Contact> = (0..CLIENTS as u64)
        .map(|i| enrolled(&portal, store, 100 + i))
        .collect();
    let mut group = c.benchmark_group("store_throughput_postgres");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(8))
        .throughput(Throughput::Elements(1));
    group.bench_function("1 client", |b| {
        b.iter(|| contacts[0].login(&portal, store));
    });
    group.bench_function("16 clients, distinct accounts (time per login)", |b| {
        b.iter_custom(|iters| {
            let barrier = Barrier::new(CLIENTS);
            let per_client = iters.div_ceil(CLIENTS as u64).max(1);
            let started = std::thread::scope(|s| {
                let handles: Vec<_> = contacts
                    .iter_mut()
                    .map(|contact| {
                        let (barrier, portal) = (&barrier, &portal);
                        s.spawn(move || {
                            barrier.wait();
                            let start = Instant::now();
                            for _ in 0..per_client {
                                contact.login(portal, store);
                            }
                            start
                        })
                    })
                    .collect();
                handles
                    .into_iter()
                    .map(|h| h.join().unwrap())
                    .min()
                    .unwrap()
            });
            let elapsed = started.elapsed();
            // Time per login of all clients together, scaled to `iters` logins.
            elapsed.mul_f64(iters as f64 / (per_client * CLIENTS as u64) as f64)
        });
    });
    group.finish();
}

/// What the store adds to the round trip in-process: a row decoded into an
/// account (parse and check) and an account encoded into a row.
fn codec(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let store = countersign_store::SqliteStore::open(dir.path().join("codec.db")).unwrap();
    let portal = portal();
    let contact = enrolled(&portal, &store, 1);
    let account = store.load(contact.id).unwrap();
    let row = countersign_store::AccountRow::of(&account, 0).unwrap();
    let mut group = c.benchmark_group("store_row_codec");
    group.bench_function("decode a stored row (parse, check)", |b| {
        b.iter(|| black_box(&row).decode().unwrap());
    });
    group.bench_function("encode an account into a row", |b| {
        b.iter(|| countersign_store::AccountRow::of(black_box(&account), 0).unwrap());
    });
    group.finish();
}

/// The same-account race as a service meets it: 16 clients logging in to one
/// account at once, each with the code of the current step. Prints how many
/// runs of the step met another writer's commit (re-ran) per 1,000 logins.
fn conflicts(store: &dyn Store) {
    use std::sync::atomic::{AtomicU64, Ordering};
    const CLIENTS: u64 = 16;
    const LOGINS_EACH: u64 = 60;
    let portal = portal();
    let contact = enrolled(&portal, store, 500);
    let runs = AtomicU64::new(0);
    let start = Instant::now();
    std::thread::scope(|s| {
        for client in 0..CLIENTS {
            let (contact, portal, runs) = (&contact, &portal, &runs);
            s.spawn(move || {
                for i in 0..LOGINS_EACH {
                    // Every client types the code of the same step: one is
                    // accepted, the rest are refused as replays.
                    let now = (NOW / 30 + 1 + i) * 30 + client % 2;
                    let code = contact.app.code_at(now).unwrap().to_string();
                    let _ = store.update(contact.id, |a| {
                        runs.fetch_add(1, Ordering::Relaxed);
                        portal.verify_totp(a, &contact.prepared, &code, now)
                    });
                }
            });
        }
    });
    let logins = CLIENTS * LOGINS_EACH;
    let reruns = runs.into_inner() - logins;
    println!(
        "store_conflicts_postgres: {CLIENTS} clients x {LOGINS_EACH} logins on one account: \
         {:.0} conflicts per 1,000 logins ({reruns} re-runs), {:.0} logins/s",
        reruns as f64 * 1_000.0 / logins as f64,
        logins as f64 / start.elapsed().as_secs_f64()
    );
}

criterion_group!(benches, codec, sqlite, postgres);
criterion_main!(benches);
