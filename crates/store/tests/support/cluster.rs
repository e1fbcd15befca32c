//! A throwaway PostgreSQL cluster for the tests and benches: `initdb` into a
//! temporary directory, `postgres` on a free loopback port, stopped on drop
//! (and by a watchdog if this process dies without dropping it).
//!
//! It finds the server binaries in `$COUNTERSIGN_PG_BIN`, in Debian's
//! `/usr/lib/postgresql/<version>/bin`, or on `PATH`. Run as root, it runs them as
//! the `postgres` user (initdb refuses root).
#![allow(dead_code, unreachable_pub)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A running cluster. Trust authentication, loopback only.
pub struct Cluster {
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
    run_as: Option<String>,
}

/// Where `initdb`, `pg_ctl` and `postgres` are, if anywhere.
pub fn binaries() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("COUNTERSIGN_PG_BIN") {
        return Some(PathBuf::from(dir));
    }
    let debian = Path::new("/usr/lib/postgresql");
    if let Ok(entries) = std::fs::read_dir(debian) {
        let mut versions: Vec<(u32, PathBuf)> = entries
            .filter_map(|e| e.ok())
            .filter_map(|e| {
                let v = e.file_name().to_str()?.parse::<u32>().ok()?;
                let bin = e.path().join("bin");
                bin.join("initdb").exists().then_some((v, bin))
            })
            .collect();
        versions.sort();
        if let Some((_, bin)) = versions.pop() {
            return Some(bin);
        }
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .find(|dir| dir.join("initdb").exists() && dir.join("pg_ctl").exists())
}

fn output(command: &mut Command) -> Result<String, String> {
    let out = command.output().map_err(|e| format!("{command:?}: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
    } else {
        Err(format!(
            "{command:?} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    Ok(listener.local_addr().map_err(|e| e.to_string())?.port())
}

impl Cluster {
    /// Starts a fresh cluster, or says why it cannot.
    pub fn start() -> Result<Self, String> {
        let bin = binaries()
            .ok_or("no PostgreSQL server binaries (initdb, pg_ctl): install Debian's postgresql")?;
        let root = output(Command::new("id").arg("-u"))? == "0";
        let run_as = root.then(|| "postgres".to_owned());
        let dir = tempfile::Builder::new()
            .prefix("countersign-pg-")
            .tempdir()
            .map_err(|e| e.to_string())?;
        if let Some(user) = &run_as {
            let uid: u32 = output(Command::new("id").args(["-u", user]))?
                .parse()
                .map_err(|_| format!("no user {user} to run PostgreSQL as"))?;
            let gid: u32 = output(Command::new("id").args(["-g", user]))?
                .parse()
                .map_err(|_| format!("no group of {user}"))?;
            std::os::unix::fs::chown(dir.path(), Some(uid), Some(gid))
                .map_err(|e| e.to_string())?;
        }
        let port = free_port()?;
        let cluster = Self {
            dir,
            bin,
            port,
            run_as,
        };
        let data = cluster.data();
        cluster.run(
            "initdb",
            &[
                "-D",
                data.to_str().ok_or("temporary path is not UTF-8")?,
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-locale",
                "--no-sync",
            ],
        )?;
        cluster.start_server()?;
        cluster.watch_this_process();
        Ok(cluster)
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn command(&self, program: &str) -> Command {
        let program = self.bin.join(program);
        match &self.run_as {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.args(["-u", user, "--"]).arg(program);
                c
            }
            None => Command::new(program),
        }
    }

    fn run(&self, program: &str, args: &[&str]) -> Result<String, String> {
        output(self.command(program).args(args).stdin(Stdio::null()))
    }

    fn start_server(&self) -> Result<(), String> {
        let data = self.data();
        let data = data.to_str().ok_or("temporary path is not UTF-8")?;
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c max_connections=400",
            self.port,
            self.dir.path().display()
        );
        let log = format!("{data}/server.log");
        self.run(
            "pg_ctl",
            &[
                "-D", data, "-l", &log, "-w", "-t", "60", "-o", &options, "start",
            ],
        )
        .map(|_| ())
    }

    /// A shell that stops the server if this process dies without dropping the
    /// cluster (a killed test run leaves no server behind). It watches `/proc`,
    /// not `kill -0`: run as the `postgres` user, it may not signal us.
    fn watch_this_process(&self) {
        let script = format!(
            "while [ -d /proc/{pid} ]; do sleep 1; done; {ctl} -D {data} -m immediate stop >/dev/null 2>&1",
            pid = std::process::id(),
            ctl = self.bin.join("pg_ctl").display(),
            data = self.data().display(),
        );
        let mut watchdog = match &self.run_as {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.args(["-u", user, "--", "sh", "-c", &script]);
                c
            }
            None => {
                let mut c = Command::new("sh");
                c.args(["-c", &script]);
                c
            }
        };
        let _ = watchdog
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
    }

    /// The loopback port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The URL of `database` as the superuser.
    pub fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }

    /// Creates an empty database; returns its URL.
    pub fn create_database(&self, name: &str) -> Result<String, String> {
        let mut admin = postgres::Client::connect(&self.url("postgres"), postgres::NoTls)
            .map_err(|e| e.to_string())?;
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .map_err(|e| e.to_string())?;
        Ok(self.url(name))
    }

    /// `pg_ctl stop -m immediate`: the server dies as in a crash.
    pub fn crash(&self) -> Result<(), String> {
        let data = self.data();
        self.run(
            "pg_ctl",
            &[
                "-D",
                data.to_str().unwrap_or_default(),
                "-m",
                "immediate",
                "-w",
                "stop",
            ],
        )
        .map(|_| ())
    }

    /// Starts the server again after [`Cluster::crash`] (it recovers from its WAL).
    pub fn restart(&self) -> Result<(), String> {
        self.start_server()
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let data = self.data();
        let _ = self.run(
            "pg_ctl",
            &[
                "-D",
                data.to_str().unwrap_or_default(),
                "-m",
                "fast",
                "-w",
                "stop",
            ],
        );
    }
}
