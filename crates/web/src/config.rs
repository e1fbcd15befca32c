//! Configuration by flags and environment variables, the server key, and the
//! server's start and graceful stop.

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, bail};
use clap::Parser;
use countersign::{Portal, ServerKey, Settings};
use countersign_store::DatabaseUrl;

use crate::app::{App, Options};
use crate::sender::NoSender;

/// The environment variable that may hold the server key (64 hex digits).
pub const KEY_VAR: &str = "COUNTERSIGN_SERVER_KEY";

/// `countersign-web`'s flags; each may also come from its environment variable.
#[derive(Clone, Debug, Parser)]
#[command(
    name = "countersign-web",
    version,
    about = "The client portal's screens over countersign-store"
)]
pub struct Config {
    /// Where the accounts are: sqlite:PATH (created and migrated on first start)
    /// or postgres://user@host:port/database.
    #[arg(
        long,
        env = "COUNTERSIGN_DATABASE",
        default_value = "sqlite:countersign.db"
    )]
    pub database: DatabaseUrl,

    /// The address to listen on.
    #[arg(long, env = "COUNTERSIGN_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// The file holding the server key (64 hex digits). Ignored when
    /// COUNTERSIGN_SERVER_KEY is set. In development mode it defaults to
    /// countersign.key and is generated on first start.
    #[arg(long, env = "COUNTERSIGN_KEY_FILE")]
    pub key_file: Option<PathBuf>,

    /// Development mode: plain-http cookies (no Secure), a generated server key,
    /// the demo client, and the outbox page. On by default in debug builds
    /// (`cargo run`), off in release builds; give `--dev false` or `--dev true`.
    #[arg(long, env = "COUNTERSIGN_DEV", default_value_t = cfg!(debug_assertions), action = clap::ArgAction::Set)]
    pub dev: bool,
}

/// The server key: from COUNTERSIGN_SERVER_KEY, else from the key file; in
/// development mode a missing file is generated (with a warning). The key is
/// never printed or logged.
///
/// # Errors
///
/// A key that is not 64 hex digits; an unreadable file; no key at all outside
/// development mode.
pub fn load_server_key(
    from_env: Option<&str>,
    key_file: Option<&Path>,
    dev: bool,
) -> anyhow::Result<ServerKey> {
    if let Some(hex) = from_env {
        return parse_key(hex).with_context(|| format!("{KEY_VAR} is not a server key"));
    }
    let path = match key_file {
        Some(path) => path.to_owned(),
        None if dev => PathBuf::from("countersign.key"),
        None => bail!(
            "no server key: set {KEY_VAR} or give --key-file (or run with --dev true to generate one)"
        ),
    };
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            parse_key(&text).with_context(|| format!("{} is not a server key", path.display()))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && dev => {
            let key = ServerKey::generate();
            write_key(&path, &key)?;
            tracing::warn!(
                path = %path.display(),
                "generated a new server key: keep this file secret and keep it (sealed TOTP keys and device cookies depend on it)"
            );
            Ok(key)
        }
        Err(e) => Err(e).with_context(|| format!("cannot read the key file {}", path.display())),
    }
}

fn parse_key(text: &str) -> anyhow::Result<ServerKey> {
    let text = text.trim();
    if text.len() != 2 * ServerKey::LEN || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        bail!("a server key is {} hex digits", 2 * ServerKey::LEN);
    }
    let mut bytes = zeroize::Zeroizing::new([0u8; ServerKey::LEN]);
    for (i, byte) in bytes.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16)?;
    }
    Ok(ServerKey::from_bytes(*bytes))
}

fn write_key(path: &Path, key: &ServerKey) -> anyhow::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .with_context(|| format!("cannot create the key file {}", path.display()))?;
    let hex: zeroize::Zeroizing<String> = zeroize::Zeroizing::new(
        key.expose_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect(),
    );
    writeln!(file, "{}", hex.as_str())?;
    file.sync_all()?;
    Ok(())
}

/// Opens the store, builds the portal, seeds the demo client in development
/// mode, and serves until Ctrl-C or SIGTERM, letting requests in flight finish.
///
/// # Errors
///
/// No server key; a database that cannot be opened; an address that cannot be bound.
pub async fn run(config: Config) -> anyhow::Result<()> {
    let from_env = std::env::var(KEY_VAR).ok();
    let key = load_server_key(from_env.as_deref(), config.key_file.as_deref(), config.dev)?;
    let url = config.database.clone();
    let store = tokio::task::spawn_blocking(move || countersign_store::open(&url))
        .await?
        .with_context(|| format!("cannot open {}", config.database))?;
    let portal = Portal::new(key, Settings::default())?;
    let options = Options {
        dev: config.dev,
        ..Options::default()
    };
    let app = App::new(store, portal, Arc::new(NoSender), options)?;
    if config.dev {
        let seeding = Arc::clone(&app);
        let created = tokio::task::spawn_blocking(move || {
            crate::demo::seed(seeding.store(), seeding.portal())
        })
        .await??;
        if created {
            tracing::info!("created the demo client 1707");
        }
    } else {
        tracing::info!(
            "production mode: cookies are Secure, so serve over HTTPS (a TLS proxy in front)"
        );
    }
    let stop = shutdown()?;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let url = format!("http://{}/", listener.local_addr()?);
    tracing::info!(database = %config.database, %url, "listening");
    if config.dev {
        println!("{}", crate::demo::logins(&url));
    }
    // Ours to drop last, on the blocking pool: the PostgreSQL store's
    // synchronous client may not be dropped on a runtime thread (it aborts).
    let store_owner = Arc::clone(&app);
    axum::serve(
        listener,
        crate::router(app).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(stop)
    .await?;
    tokio::task::spawn_blocking(move || drop(store_owner)).await?;
    tracing::info!("stopped");
    Ok(())
}

/// A future that resolves on Ctrl-C or SIGTERM. The handlers are installed
/// when this is called (not when it is first polled), so a signal that arrives
/// as soon as the banner is printed still stops the server gracefully.
fn shutdown() -> anyhow::Result<impl Future<Output = ()>> {
    #[cfg(unix)]
    let (mut interrupt, mut terminate) = {
        use tokio::signal::unix::{SignalKind, signal};
        (
            signal(SignalKind::interrupt())?,
            signal(SignalKind::terminate())?,
        )
    };
    Ok(async move {
        #[cfg(unix)]
        tokio::select! {
            _ = interrupt.recv() => {},
            _ = terminate.recv() => {},
        }
        #[cfg(not(unix))]
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("shutting down: finishing requests in flight");
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_from_env_file_or_generated_in_dev_only() {
        let dir = tempfile::tempdir().unwrap();
        let hex = "42".repeat(32);
        let key = load_server_key(Some(&hex), None, false).unwrap();
        assert_eq!(key.expose_bytes(), &[0x42; 32]);
        assert!(load_server_key(Some("42"), None, true).is_err());
        assert!(
            load_server_key(None, None, false).is_err(),
            "production needs a key"
        );

        let path = dir.path().join("server.key");
        assert!(
            load_server_key(None, Some(&path), false).is_err(),
            "never generated outside dev"
        );
        let generated = load_server_key(None, Some(&path), true).unwrap();
        let again = load_server_key(None, Some(&path), false).unwrap();
        assert_eq!(
            generated.expose_bytes(),
            again.expose_bytes(),
            "read back, not regenerated"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "only the owner may read the key file");
        }
    }
}
