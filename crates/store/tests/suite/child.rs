//! This test binary run again as a child process: one racer or one victim of a
//! kill, on the database the parent names. Roles:
//!
//! - `verify`: waits for the parent's go file, then submits one TOTP code
//!   through the store, and prints `accepted`, `replayed` or the error;
//! - `hang-after-load`: loads the account and hangs inside the step (the parent
//!   kills it there, between load and swap);
//! - `sleep-after-commit`: submits the code, prints the answer once committed,
//!   and hangs (the parent kills it right after the commit).
//!
//! Every wait is bounded: a child left alone exits by itself.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use countersign::Error as FlowError;
use countersign::totp::Error as TotpError;
use countersign_store::{DatabaseUrl, Error, StoreExt};

use crate::setup::race_portal;

const LONGEST: Duration = Duration::from_secs(60);

fn var(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} is set for a child"))
}

pub fn run(role: &str) {
    let url: DatabaseUrl = var("COUNTERSIGN_STORE_URL").parse().unwrap();
    let code = var("COUNTERSIGN_STORE_CODE");
    let now: u64 = var("COUNTERSIGN_STORE_NOW").parse().unwrap();
    let portal = race_portal();
    let store = countersign_store::open(&url).unwrap();
    let mut out = std::io::stdout();
    let verify = |a: &mut countersign::Account| {
        let prepared = portal.prepare_totp(a)?;
        portal.verify_totp(a, &prepared, &code, now)
    };
    match role {
        "verify" => {
            let go = PathBuf::from(var("COUNTERSIGN_STORE_GO"));
            let deadline = Instant::now() + LONGEST;
            while !go.exists() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(1));
            }
            let answer = describe(&store.update(3522, verify));
            writeln!(out, "{answer}").unwrap();
        }
        "hang-after-load" => {
            let _ = store.update(3522, |a| {
                writeln!(out, "loaded").unwrap();
                out.flush().unwrap();
                std::thread::sleep(LONGEST);
                verify(a)
            });
            std::process::exit(3);
        }
        "sleep-after-commit" => {
            let answer = describe(&store.update(3522, verify));
            writeln!(out, "{answer}").unwrap();
            out.flush().unwrap();
            std::thread::sleep(LONGEST);
            std::process::exit(3);
        }
        other => panic!("no child role {other}"),
    }
}

pub fn describe<T>(answer: &countersign_store::Result<T>) -> String {
    match answer {
        Ok(_) => "accepted".into(),
        Err(Error::Flow(FlowError::Totp(TotpError::Replayed { .. }))) => "replayed".into(),
        Err(e) => format!("error: {e}"),
    }
}

/// Starts this binary as a child in `role`.
pub fn spawn(
    role: &str,
    url: &DatabaseUrl,
    code: &str,
    now: u64,
    go: Option<&std::path::Path>,
) -> Child {
    let url = match url {
        DatabaseUrl::Sqlite(path) => format!("sqlite:{}", path.display()),
        DatabaseUrl::Postgres(url) => url.clone(),
        _ => unreachable!(),
    };
    let mut command = Command::new(std::env::current_exe().unwrap());
    command
        .env("COUNTERSIGN_STORE_CHILD", role)
        .env("COUNTERSIGN_STORE_URL", url)
        .env("COUNTERSIGN_STORE_CODE", code)
        .env("COUNTERSIGN_STORE_NOW", now.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    if let Some(go) = go {
        command.env("COUNTERSIGN_STORE_GO", go);
    }
    command.spawn().unwrap()
}

/// The first line a child printed (blocking until it prints one or exits).
pub fn first_line(child: &mut Child) -> String {
    use std::io::BufRead;
    let stdout = child.stdout.as_mut().unwrap();
    let mut line = String::new();
    std::io::BufReader::new(stdout)
        .read_line(&mut line)
        .unwrap();
    line.trim().to_owned()
}
