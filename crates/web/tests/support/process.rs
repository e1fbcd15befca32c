//! The `countersign-web` binary as a child process on an ephemeral loopback
//! port, stopped (SIGTERM, then SIGKILL) when dropped.
#![allow(dead_code, unreachable_pub)]

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A running server.
pub struct Process {
    child: Child,
    pub address: SocketAddr,
}

impl Process {
    /// Starts the binary in development mode over `database` with the server
    /// key `key_hex`, its log in `dir`; waits for its banner.
    ///
    /// # Panics
    ///
    /// When it does not start within 60 s.
    pub fn start(binary: &str, dir: &Path, name: &str, database: &str, key_hex: &str) -> Self {
        let log = std::fs::File::create(dir.join(format!("{name}.log"))).unwrap();
        let mut child = Command::new(binary)
            .args([
                "--listen",
                "127.0.0.1:0",
                "--dev",
                "true",
                "--database",
                database,
            ])
            .current_dir(dir)
            .env("COUNTERSIGN_SERVER_KEY", key_hex)
            .env_remove("COUNTERSIGN_KEY_FILE")
            .env("RUST_LOG", "warn")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (lines, received) = mpsc::channel();
        std::thread::spawn(move || {
            // Keep draining after the banner: a closed pipe would fail the
            // server's next print.
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = lines.send(line);
            }
        });
        let mut process = Self {
            child,
            address: SocketAddr::from(([127, 0, 0, 1], 0)),
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        while process.address.port() == 0 {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = received
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("{name} printed no URL within 60 s"));
            if let Some(rest) = line.split("http://").nth(1)
                && let Some(address) = rest.split('/').next()
                && let Ok(address) = address.parse()
            {
                process.address = address;
            }
        }
        process
    }
}

impl Process {
    /// SIGTERM, and how it exited (a graceful stop exits 0), or `None` if it
    /// did not stop within 10 s (then SIGKILL).
    pub fn stop(mut self) -> Option<std::process::ExitStatus> {
        self.terminate()
    }

    fn terminate(&mut self) -> Option<std::process::ExitStatus> {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        None
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.terminate();
    }
}
