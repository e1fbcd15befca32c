//! Outages a caller may retry, each made for real: a file another process holds
//! locked past the busy timeout (SQLite), and a connection the network resets
//! mid-session (PostgreSQL: a proxy, a load balancer or a NAT table restarting
//! between a node and its server). The reset is made by a loopback proxy that
//! closes its side with the node's request unread, so the kernel answers with a
//! TCP reset rather than an orderly close. Either is [`Error::Unavailable`], and
//! the store recovers by itself once it is over.

use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use countersign_store::{DatabaseUrl, Error, PostgresStore, Store};
use libtest_mimic::Failed;

use crate::Case;
use crate::db::Db;
use crate::fixtures::*;
use crate::setup::*;

/// Cases that run on SQLite only.
pub const SQLITE_CASES: &[(&str, Case)] = &[(
    "a_file_locked_past_the_busy_timeout_is_an_outage_and_the_store_recovers",
    a_file_locked_past_the_busy_timeout_is_an_outage_and_the_store_recovers,
)];

/// Cases that run on PostgreSQL only.
pub const POSTGRES_CASES: &[(&str, Case)] = &[(
    "a_connection_reset_mid_session_is_an_outage_and_the_store_recovers",
    a_connection_reset_mid_session_is_an_outage_and_the_store_recovers,
)];

fn a_file_locked_past_the_busy_timeout_is_an_outage_and_the_store_recovers(
    db: &Db,
) -> Result<(), Failed> {
    let path = db
        .sqlite_path()
        .ok_or("an SQLite case given another database")?;
    let store = db.open();
    let portal = strict_portal();
    let ann = account(&portal, contact(), CONTACT_PASSWORD);
    // Another connection holds the write lock for longer than the store waits
    // (`BUSY_TIMEOUT`); readers still read (WAL), a writer gives up.
    let holder = rusqlite::Connection::open(path)?;
    holder.execute_batch("BEGIN EXCLUSIVE")?;
    let err = store.insert(&ann).unwrap_err();
    assert!(
        matches!(
            err,
            Error::Unavailable {
                backend: "sqlite",
                ..
            }
        ),
        "{err}"
    );
    assert!(err.is_unavailable());
    holder.execute_batch("ROLLBACK")?;
    store.insert(&ann)?;
    assert_eq!(store.load(3523)?, ann);
    Ok(())
}

fn a_connection_reset_mid_session_is_an_outage_and_the_store_recovers(
    db: &Db,
) -> Result<(), Failed> {
    let DatabaseUrl::Postgres(url) = &db.url else {
        return Err("a PostgreSQL case given another database".into());
    };
    let portal = strict_portal();
    stored_joe(&*db.open(), &portal);
    let server = url
        .split_once("127.0.0.1:")
        .and_then(|(_, rest)| rest.split_once('/'))
        .and_then(|(port, _)| port.parse::<u16>().ok())
        .ok_or("the cluster's URL names a loopback port")?;
    let proxy = Proxy::to(server)?;
    let through = url.replace(&format!(":{server}/"), &format!(":{}/", proxy.port));
    // One pooled connection, so the reset one is the one the next load uses.
    let store = PostgresStore::open_with(&through, 1)?;
    let before = store.load(3522)?;

    proxy.reset_open_connections();
    let err = store.load(3522).unwrap_err();
    assert!(
        matches!(
            err,
            Error::Unavailable {
                backend: "postgres",
                ..
            }
        ),
        "{err}"
    );
    assert!(err.is_unavailable());
    // The pool drops the broken connection and the next load makes a new one.
    assert_eq!(store.load(3522)?, before);
    Ok(())
}

/// A loopback TCP proxy to a local port, one thread per connection, stopped on
/// drop. [`Proxy::reset_open_connections`] makes each connection open at that
/// time reset at its client's next request.
struct Proxy {
    port: u16,
    generation: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
    acceptor: Option<JoinHandle<()>>,
}

impl Proxy {
    fn to(server: u16) -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let port = listener.local_addr()?.port();
        let generation = Arc::new(AtomicU64::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (g, s) = (Arc::clone(&generation), Arc::clone(&stop));
        let acceptor = std::thread::spawn(move || {
            let mut pumps = Vec::new();
            let started = Instant::now();
            // Bounded: a case takes seconds; a proxy left running stops by itself.
            while !s.load(Ordering::Relaxed) && started.elapsed() < Duration::from_secs(60) {
                match listener.accept() {
                    Ok((client, _)) => {
                        let (g, s) = (Arc::clone(&g), Arc::clone(&s));
                        pumps.push(std::thread::spawn(move || {
                            let _ = pump(client, server, &g, &s);
                        }));
                    }
                    Err(e) if e.kind() == ErrorKind::WouldBlock => {
                        std::thread::sleep(Duration::from_millis(2));
                    }
                    Err(_) => break,
                }
            }
            s.store(true, Ordering::Relaxed);
            for pump in pumps {
                let _ = pump.join();
            }
        });
        Ok(Self {
            port,
            generation,
            stop,
            acceptor: Some(acceptor),
        })
    }

    fn reset_open_connections(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
    }
}

/// Forwards bytes both ways until either side closes, the proxy stops, or the
/// connection is reset. This thread owns the only handle to each socket, so
/// returning closes them.
#[allow(clippy::needless_pass_by_value)] // owned, so that returning closes it
fn pump(
    client: TcpStream,
    server: u16,
    generation: &AtomicU64,
    stop: &AtomicBool,
) -> std::io::Result<()> {
    let born = generation.load(Ordering::SeqCst);
    let server = TcpStream::connect(("127.0.0.1", server))?;
    client.set_nonblocking(true)?;
    server.set_nonblocking(true)?;
    let mut buffer = [0u8; 16 * 1024];
    while !stop.load(Ordering::Relaxed) {
        if generation.load(Ordering::SeqCst) != born {
            // Wait for the client's next request and close with it unread: the
            // kernel then sends a reset (RST), not an orderly end (FIN).
            match client.peek(&mut buffer) {
                Err(e) if e.kind() == ErrorKind::WouldBlock => {
                    std::thread::sleep(Duration::from_millis(1));
                    continue;
                }
                _ => return Ok(()),
            }
        }
        let mut idle = true;
        for (mut from, mut to) in [(&client, &server), (&server, &client)] {
            match from.read(&mut buffer) {
                Ok(0) => return Ok(()),
                // A request read just as the reset was asked for is not forwarded:
                // closing here (an orderly end, or a reset if more is unread) is
                // still an outage, where forwarding it would leave the reset to
                // wait for a request that never comes.
                Ok(_) if generation.load(Ordering::SeqCst) != born => return Ok(()),
                Ok(n) => {
                    idle = false;
                    write_all(&mut to, &buffer[..n])?;
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                Err(e) => return Err(e),
            }
        }
        if idle {
            std::thread::sleep(Duration::from_millis(1));
        }
    }
    Ok(())
}

fn write_all(to: &mut &TcpStream, mut bytes: &[u8]) -> std::io::Result<()> {
    while !bytes.is_empty() {
        match to.write(bytes) {
            Ok(n) => bytes = &bytes[n..],
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(1));
            }
            Err(e) => return Err(e),
        }
    }
    Ok(())
}
