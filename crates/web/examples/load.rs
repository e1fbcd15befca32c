//! A bounded load test of the portal's login with TOTP, on loopback only.
//!
//! ```sh
//! cargo run --release -p countersign-web --example load -- --database sqlite --clients 8 --logins 200
//! cargo run --release -p countersign-web --example load -- --database postgres
//! ```
//!
//! It makes one person per login with two-factor enrolled (through the facade,
//! before any timing: a TOTP code is accepted once per account per step),
//! serves the real router over a temporary SQLite file or a throwaway
//! PostgreSQL cluster (crates/store's test cluster: Debian's `postgresql`),
//! then `--clients` concurrent clients log those people in over TCP: the
//! password (one Argon2id verification with the portal's real parameters),
//! then the code. It prints logins per second, p50 and p99 latency of a whole
//! login and of each step, one bare Argon2id verification with the same
//! parameters, and the share of the run's CPU time that Argon2id took. It
//! stops by itself.

#[path = "../tests/support/client.rs"]
mod client;
#[path = "../../store/tests/support/cluster.rs"]
mod cluster;
#[path = "../tests/support/people.rs"]
mod people;

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use countersign::{Portal, ServerKey, Settings};
use countersign_store::Store;
use countersign_web::{App, NoSender, Options};

/// Which deployment to load.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// A temporary SQLite file.
    Sqlite,
    /// A throwaway PostgreSQL cluster on a loopback port.
    Postgres,
}

/// A run's shape.
#[derive(Clone, Copy, Debug)]
pub struct Load {
    /// The deployment.
    pub backend: Backend,
    /// Concurrent clients.
    pub clients: usize,
    /// Logins in all (one person each).
    pub logins: usize,
}

/// What a run measured.
#[derive(Debug)]
pub struct Report {
    /// The run's shape.
    pub load: Load,
    /// The timed part, first login to last.
    pub wall: Duration,
    /// Each login, password and code.
    pub login: Vec<Duration>,
    /// Each password step (the login page, the password post, the code page).
    pub password: Vec<Duration>,
    /// Each code post.
    pub code: Vec<Duration>,
    /// One bare Argon2id verification with the portal's parameters.
    pub argon2: Duration,
    /// This process's CPU time over the timed part.
    pub cpu: Duration,
    /// Making the people (not timed).
    pub setup: Duration,
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    // Nearest rank: the smallest value with at least p % of them at or below it.
    let len = sorted.len();
    let rank = (1..=len)
        .find(|&rank| rank as f64 * 100.0 >= p * len as f64)
        .unwrap_or(len);
    sorted[rank - 1]
}

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1e3)
}

impl Report {
    /// Logins per second over the timed part.
    pub fn rate(&self) -> f64 {
        self.login.len() as f64 / self.wall.as_secs_f64()
    }

    /// The share of the run's CPU time (server and clients, one process)
    /// that the Argon2id verifications took: logins x one bare verification.
    /// An estimate: near 1 it may come out a little above (the two CPU
    /// figures are read at 10 ms resolution, on a machine others share).
    pub fn argon2_share(&self) -> f64 {
        let argon2 = self.argon2.as_secs_f64() * self.login.len() as f64;
        argon2 / self.cpu.as_secs_f64().max(f64::EPSILON)
    }

    /// The table.
    pub fn table(&self) -> String {
        let (mut login, mut password, mut code) =
            (self.login.clone(), self.password.clone(), self.code.clone());
        login.sort();
        password.sort();
        code.sort();
        let line = |name: &str, d: &[Duration]| {
            format!(
                "{name:<16} {:>9} {:>9}\n",
                ms(percentile(d, 50.0)),
                ms(percentile(d, 99.0))
            )
        };
        format!(
            "backend {:?}, {} clients, {} logins (set-up {:.1} s, not timed)\n\
             logins/s {:.1} over {:.2} s; CPU {:.2} s\n\
             {:<16} {:>9} {:>9}\n{}{}{}\
             bare Argon2id verify {} ms of CPU; Argon2id share of the run's CPU {:.0} %\n",
            self.load.backend,
            self.load.clients,
            self.login.len(),
            self.setup.as_secs_f64(),
            self.rate(),
            self.wall.as_secs_f64(),
            self.cpu.as_secs_f64(),
            "latency (ms)",
            "p50",
            "p99",
            line("login", &login),
            line("  password step", &password),
            line("  code step", &code),
            ms(self.argon2),
            100.0 * self.argon2_share(),
        )
    }
}

/// This process's CPU time (user + system), from /proc.
fn cpu_time() -> Duration {
    cpu_of("/proc/self/stat")
}

/// The CPU time (user + system) of a /proc stat file.
fn cpu_of(path: &str) -> Duration {
    let stat = std::fs::read_to_string(path).unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    // Fields 14 and 15 (utime, stime), counted after the command name.
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    Duration::from_secs_f64((ticks(11) + ticks(12)) as f64 / 100.0)
}

/// The CPU time of one bare Argon2id verification with the portal's
/// parameters: this thread's CPU time over 20 of them (CPU, not wall-clock
/// time, so other load on the machine does not inflate it).
fn bare_argon2(settings: &Settings) -> Duration {
    let hasher = countersign::password::Hasher::new(&settings.password).expect("parameters");
    let hash = hasher.hash(people::PASSWORD).expect("a hash");
    let rounds = 20;
    let before = cpu_of("/proc/thread-self/stat");
    for _ in 0..rounds {
        hasher
            .verify(people::PASSWORD, hash.as_str())
            .expect("verifies");
    }
    cpu_of("/proc/thread-self/stat").saturating_sub(before) / rounds
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Runs one load test.
///
/// # Errors
///
/// Why it could not run: no PostgreSQL server binaries, a store that does not
/// open, a login the portal refused.
///
/// # Panics
///
/// When the set-up's facade or store calls fail (see `people::make`).
pub fn run(load: Load) -> Result<Report, String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let mut _cluster = None;
    let url = match load.backend {
        Backend::Sqlite => format!("sqlite:{}", dir.path().join("load.db").display()),
        Backend::Postgres => {
            let cluster = cluster::Cluster::start()?;
            let url = cluster.create_database("load")?;
            _cluster = Some(cluster);
            url
        }
    };
    let store: Box<dyn Store> = countersign_store::open(&url.parse().map_err(|e| format!("{e}"))?)
        .map_err(|e| e.to_string())?;
    // The portal's real Argon2id for passwords (what a login costs); backup
    // codes, which no login here redeems, hashed cheaply so that making a
    // few hundred people with two-factor does not take minutes.
    let settings = Settings {
        backup_codes: countersign::totp::BackupSettings {
            params: countersign::totp::KdfParams::new(8, 1, 1).map_err(|e| e.to_string())?,
            ..countersign::totp::BackupSettings::default()
        },
        ..Settings::default()
    };
    let portal = Portal::new(ServerKey::generate(), settings.clone()).map_err(|e| e.to_string())?;

    // Set-up, not timed: one person per login, made on every core.
    let setup = Instant::now();
    let at = unix_now() - 60;
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let next = AtomicUsize::new(0);
    let mut people: Vec<(usize, people::Person)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut made = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::SeqCst);
                        if i >= load.logins {
                            return made;
                        }
                        made.push((
                            i,
                            people::make(store.as_ref(), &portal, 10_000 + i as u64, at),
                        ));
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("a set-up thread"))
            .collect()
    });
    people.sort_by_key(|(i, _)| *i);
    let people: Arc<Vec<people::Person>> = Arc::new(people.into_iter().map(|(_, p)| p).collect());
    let argon2 = bare_argon2(&settings);
    let setup = setup.elapsed();

    let options = Options {
        // One address for every client: the per-IP limit is not under test.
        burst: u32::MAX,
        ..Options::default()
    };
    let app = App::new(store, portal, Arc::new(NoSender), options).map_err(|e| e.to_string())?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    // The app is dropped after the runtime: a PostgreSQL pool's blocking
    // client may not be dropped on a runtime thread.
    let router = countersign_web::router(Arc::clone(&app));
    let report = runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| e.to_string())?;
        let address = listener.local_addr().map_err(|e| e.to_string())?;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(async move {
            axum::serve(
                listener,
                router.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await
        });
        let next = Arc::new(AtomicUsize::new(0));
        let cpu = cpu_time();
        let started = Instant::now();
        let clients: Vec<_> = (0..load.clients)
            .map(|_| {
                let (next, people) = (Arc::clone(&next), Arc::clone(&people));
                tokio::spawn(async move { client_loop(address, &people, &next).await })
            })
            .collect();
        let mut times = Vec::new();
        for client in clients {
            times.extend(client.await.map_err(|e| e.to_string())??);
        }
        let wall = started.elapsed();
        let cpu = cpu_time().saturating_sub(cpu);
        let _ = stop.send(());
        let _ = tokio::time::timeout(Duration::from_secs(10), server).await;
        Ok(Report {
            load,
            wall,
            login: times
                .iter()
                .map(|t: &(Duration, Duration)| t.0 + t.1)
                .collect(),
            password: times.iter().map(|t| t.0).collect(),
            code: times.iter().map(|t| t.1).collect(),
            argon2,
            cpu,
            setup,
        })
    });
    drop(runtime);
    drop(app);
    report
}

/// One client: logs the next person in until none is left; returns each
/// login's (password step, code step) times.
async fn client_loop(
    address: SocketAddr,
    people: &[people::Person],
    next: &AtomicUsize,
) -> Result<Vec<(Duration, Duration)>, String> {
    let source = Ipv4Addr::LOCALHOST;
    let mut times = Vec::new();
    loop {
        let i = next.fetch_add(1, Ordering::SeqCst);
        let Some(person) = people.get(i) else {
            return Ok(times);
        };
        let started = Instant::now();
        let at = client::password_step(source, address, &person.login, people::PASSWORD).await?;
        let password = started.elapsed();
        let code = person
            .app
            .code_at(unix_now())
            .map_err(|e| e.to_string())?
            .to_string();
        let started = Instant::now();
        let body = client::code_body(&at, &code);
        let answer = client::send(
            source,
            address,
            "POST",
            "/login/code",
            Some(&at.cookie),
            Some(&body),
        )
        .await?;
        if !client::signed_in(&answer) {
            return Err(format!(
                "{} was not signed in: {}",
                person.login, answer.status
            ));
        }
        times.push((password, started.elapsed()));
    }
}

fn main() {
    let mut load = Load {
        backend: Backend::Sqlite,
        clients: 8,
        logins: 200,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().unwrap_or_default();
        match (flag.as_str(), value.as_str()) {
            ("--database", "sqlite") => load.backend = Backend::Sqlite,
            ("--database", "postgres") => load.backend = Backend::Postgres,
            ("--clients", n) if n.parse::<usize>().is_ok_and(|n| n > 0) => {
                load.clients = n.parse().unwrap_or(8);
            }
            ("--logins", n) if n.parse::<usize>().is_ok_and(|n| n > 0) => {
                load.logins = n.parse().unwrap_or(200);
            }
            _ => {
                eprintln!(
                    "usage: load [--database sqlite|postgres] [--clients N] [--logins N]\n\
                     unknown or invalid: {flag} {value}"
                );
                std::process::exit(2);
            }
        }
    }
    match run(load) {
        Ok(report) => print!("{}", report.table()),
        Err(reason) => {
            eprintln!("load test not run: {reason}");
            std::process::exit(1);
        }
    }
}
