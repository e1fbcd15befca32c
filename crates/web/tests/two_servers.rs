//! Two `countersign-web` processes over one PostgreSQL database, behind no
//! load balancer: the same TOTP code submitted to both at once is accepted by
//! exactly one (the store's compare-and-swap on the account). And the negative
//! control that shows the test can fail: the same run over two databases
//! seeded alike (one export, imported twice) sees both accept.
//!
//! Needs PostgreSQL's server binaries (Debian's `postgresql`): a throwaway
//! cluster on a loopback port. Without them it prints that it skipped; with
//! `CI` or `COUNTERSIGN_REQUIRE_POSTGRES` set it fails instead.
#![cfg(unix)]

#[path = "support/client.rs"]
mod client;
#[path = "../../store/tests/support/cluster.rs"]
mod cluster;
#[path = "support/people.rs"]
mod people;
#[path = "support/process.rs"]
mod process;

use std::net::Ipv4Addr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use countersign::{Portal, ServerKey, Settings};
use countersign_store::Store;
use process::Process;

const KEY: [u8; 32] = [0x42; 32];
/// Rounds over one database: each must accept exactly once.
const ROUNDS: u64 = 12;
/// Rounds of the negative control: some must accept twice.
const CONTROL_ROUNDS: u64 = 3;

fn key_hex() -> String {
    KEY.iter().map(|b| format!("{b:02x}")).collect()
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn required() -> bool {
    std::env::var_os("CI").is_some() || std::env::var_os("COUNTERSIGN_REQUIRE_POSTGRES").is_some()
}

fn cluster() -> Option<cluster::Cluster> {
    match cluster::Cluster::start() {
        Ok(cluster) => Some(cluster),
        Err(reason) if required() => {
            panic!(
                "PostgreSQL is required here (CI or COUNTERSIGN_REQUIRE_POSTGRES), but: {reason}"
            )
        }
        Err(reason) => {
            eprintln!("skipped: the two-server test needs PostgreSQL ({reason})");
            None
        }
    }
}

fn open(url: &str) -> Box<dyn Store> {
    countersign_store::open(&url.parse().unwrap()).unwrap()
}

/// The demo client and `rounds` people with two-factor, one per round,
/// enrolled a minute ago (so the code of now is a step they never used).
fn seed(store: &dyn Store, rounds: u64) -> Vec<people::Person> {
    let portal = Portal::new(ServerKey::from_bytes(KEY), Settings::default()).unwrap();
    assert!(countersign_web::demo::seed(store, &portal).unwrap());
    let at = unix_now() - 60;
    (0..rounds)
        .map(|i| people::make(store, &portal, 5000 + i, at))
        .collect()
}

/// One round: both servers take the password of `person` from the round's
/// own loopback address (each its own session and login ticket), then the
/// same fresh code goes to both at once. Returns how many accepted it.
async fn round(servers: [&Process; 2], person: &people::Person, round: u64) -> usize {
    // Each round its own address: the per-IP rate limit is not under test.
    let source = Ipv4Addr::new(127, 0, 1, u8::try_from(2 + round).unwrap());
    let (a, b) = tokio::join!(
        client::password_step(source, servers[0].address, &person.login, people::PASSWORD),
        client::password_step(source, servers[1].address, &person.login, people::PASSWORD),
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    let code = person.app.code_at(unix_now()).unwrap().to_string();
    let barrier = Arc::new(tokio::sync::Barrier::new(2));
    let mut tasks = Vec::new();
    for (server, at) in [(servers[0].address, a), (servers[1].address, b)] {
        let barrier = Arc::clone(&barrier);
        let request = client::request(
            "POST",
            "/login/code",
            Some(&at.cookie),
            Some(&client::code_body(&at, &code)),
        );
        tasks.push(tokio::spawn(async move {
            let stream = client::connect(source, server).await.unwrap();
            // Everything but the last byte, then the last byte of both at once.
            let (head, last) = request.split_at(request.len() - 1);
            let mut stream = stream;
            tokio::io::AsyncWriteExt::write_all(&mut stream, head)
                .await
                .unwrap();
            barrier.wait().await;
            client::finish(stream, last).await.unwrap()
        }));
    }
    let mut accepted = 0;
    for task in tasks {
        let answer = task.await.unwrap();
        if client::signed_in(&answer) {
            accepted += 1;
        } else {
            assert_eq!(answer.status, 401, "a refused code: {}", answer.body);
            // Refused as a replay, or because the winner's sign-in spent the
            // login ticket the loser held (the facade re-ran on the fresh account).
            assert!(
                answer.body.contains("That code is not valid.")
                    || answer.body.contains("Your sign-in expired"),
                "{}",
                answer.body
            );
        }
    }
    accepted
}

/// Runs `rounds` rounds against two servers; returns each round's acceptances.
async fn run(servers: [&Process; 2], people: &[people::Person]) -> Vec<usize> {
    let mut counts = Vec::new();
    for (i, person) in people.iter().enumerate() {
        counts.push(round(servers, person, i as u64).await);
    }
    counts
}

#[test]
fn the_same_code_on_two_servers_over_one_database_is_accepted_once() {
    let Some(cluster) = cluster() else { return };
    let started = Instant::now();
    let binary = env!("CARGO_BIN_EXE_countersign-web");
    let dir = tempfile::tempdir().unwrap();

    // One database, two processes.
    let shared = cluster.create_database("shared").unwrap();
    let people = seed(open(&shared).as_ref(), ROUNDS);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()
        .unwrap();
    let one = Process::start(binary, dir.path(), "one", &shared, &key_hex());
    let two = Process::start(binary, dir.path(), "two", &shared, &key_hex());
    let counts = runtime.block_on(run([&one, &two], &people));
    for server in [one, two] {
        let status = server.stop();
        assert!(
            status.is_some_and(|s| s.success()),
            "a graceful stop over PostgreSQL exits 0: {status:?}"
        );
    }
    println!("one database, acceptances per round: {counts:?}");
    assert!(
        counts.iter().all(|&n| n == 1),
        "each code accepted exactly once: {counts:?}"
    );

    // The negative control: two databases seeded alike, one export imported
    // into both (the same TOTP secrets), two processes.
    let first = cluster.create_database("first").unwrap();
    let second = cluster.create_database("second").unwrap();
    let source = open(&first);
    let people = seed(source.as_ref(), CONTROL_ROUNDS);
    open(&second).import(&source.export().unwrap()).unwrap();
    let one = Process::start(binary, dir.path(), "first", &first, &key_hex());
    let two = Process::start(binary, dir.path(), "second", &second, &key_hex());
    let counts = runtime.block_on(run([&one, &two], &people));
    drop((one, two));
    println!("two databases, acceptances per round: {counts:?}");
    assert!(
        counts.contains(&2),
        "apart, both servers accept the same code: the test can fail: {counts:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(300), "bounded");
}
