//! The binary as `cargo run -p countersign-web` starts it, on an ephemeral
//! loopback port in a temporary folder: the demo client and its logins on the
//! first start, a generated server key that never shows in the output, a demo
//! login over real TCP, and a graceful stop on SIGTERM.
#![cfg(unix)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

struct Running {
    child: Child,
    address: String,
    stdout: String,
}

/// A server the test did not stop (an assertion failed first) is killed, not left
/// running after the test.
impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn start(dir: &Path) -> Running {
    let log = std::fs::File::create(dir.join("log.txt")).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_countersign-web"))
        .args(["--listen", "127.0.0.1:0", "--dev", "true"])
        .current_dir(dir)
        .env_remove("COUNTERSIGN_SERVER_KEY")
        .env_remove("COUNTERSIGN_KEY_FILE")
        .env_remove("COUNTERSIGN_DATABASE")
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (lines, received) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    let mut text = String::new();
    loop {
        let line = received
            .recv_timeout(Duration::from_secs(60))
            .expect("the server prints its URL and demo logins");
        text.push_str(&line);
        text.push('\n');
        if line.starts_with("Messages the portal sends appear at") {
            break;
        }
    }
    let address = text
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap()
        .to_owned();
    Running {
        child,
        address,
        stdout: text,
    }
}

fn stop(mut running: Running) -> String {
    let status = Command::new("kill")
        .args(["-TERM", &running.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(exit) = running.child.try_wait().unwrap() {
            assert!(exit.success(), "a graceful stop exits 0: {exit}");
            return std::mem::take(&mut running.stdout);
        }
        assert!(Instant::now() < deadline, "stopped within 20 s of SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// One HTTP/1.1 exchange over a fresh connection.
fn http(address: &str, request: &str) -> String {
    let mut stream = TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}

fn header<'a>(response: &'a str, name: &str) -> &'a str {
    response
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(": ")?;
            k.eq_ignore_ascii_case(name).then_some(v)
        })
        .unwrap_or("")
}

#[test]
fn cargo_run_serves_the_demo_and_stops_gracefully() {
    let dir = tempfile::tempdir().unwrap();
    let running = start(dir.path());
    for text in [
        "Demo logins, client 1707",
        "1707 or joe.example",
        "contact.example",
        "contact.example.2",
        // Passkeys on in development, where browsers allow them: localhost.
        "Security keys and passkeys work at http://localhost:",
    ] {
        assert!(
            running.stdout.contains(text),
            "{text} in\n{}",
            running.stdout
        );
    }

    // The login page, then a demo login by Client ID with its cookie and token.
    let address = running.address.clone();
    let page = http(
        &address,
        "GET /login HTTP/1.1\r\nHost: portal\r\nConnection: close\r\n\r\n",
    );
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
    // Passwordless sign-in is on in development: the login page offers it.
    assert!(page.contains("Sign in with a Passkey"), "{page}");
    let cookie = header(&page, "set-cookie")
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let marker = "name=\"csrf\" value=\"";
    let at = page.find(marker).unwrap() + marker.len();
    let csrf = &page[at..at + 64];
    let body = format!(
        "login=1707&password={}&csrf={csrf}",
        countersign_web::demo::JOE_PASSWORD
            .replace('!', "%21")
            .replace(' ', "+")
    );
    let login = http(
        &address,
        &format!(
            "POST /login HTTP/1.1\r\nHost: portal\r\nConnection: close\r\nCookie: {cookie}\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        ),
    );
    assert!(login.starts_with("HTTP/1.1 303"), "{login}");
    assert_eq!(header(&login, "location"), "/profile");
    // `--dev true` reaches the application: the development outbox is served.
    let outbox = http(
        &address,
        "GET /dev/outbox HTTP/1.1\r\nHost: portal\r\nConnection: close\r\n\r\n",
    );
    assert!(outbox.starts_with("HTTP/1.1 200"), "{outbox}");

    let stdout = stop(running);
    let log = std::fs::read_to_string(dir.path().join("log.txt")).unwrap();
    assert!(log.contains("generated a new server key"), "{log}");
    assert!(log.contains("created the demo client 1707"));
    assert!(log.contains("stopped"), "graceful shutdown finished: {log}");
    assert!(log.contains("id="), "request ids in the log lines");

    let key = std::fs::read_to_string(dir.path().join("countersign.key")).unwrap();
    let key = key.trim();
    assert_eq!(key.len(), 64);
    assert!(
        !log.contains(key) && !stdout.contains(key),
        "the key is never printed"
    );
    assert!(
        !log.contains(countersign_web::demo::JOE_PASSWORD),
        "no password in the log"
    );
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(dir.path().join("countersign.key"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o077, 0);

    // The second start keeps the key and the accounts.
    let again = start(dir.path());
    stop(again);
    let log = std::fs::read_to_string(dir.path().join("log.txt")).unwrap();
    assert!(!log.contains("generated a new server key"), "{log}");
    assert!(!log.contains("created the demo client"));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("countersign.key"))
            .unwrap()
            .trim(),
        key
    );
}
