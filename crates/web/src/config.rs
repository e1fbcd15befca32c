//! Configuration by flags and environment variables, the server key, and the
//! server's start and graceful stop.

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, bail};
use clap::Parser;
use countersign::passkey::PasskeySettings;
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

    /// The WebAuthn relying party id: the domain security keys and passkeys
    /// are bound to (`portal.example.com`, or `example.com` to share them with
    /// its subdomains). Never an IP address: browsers refuse those. Defaults to
    /// the origin's host; in development mode, to `localhost`. Without it and
    /// without --origin, outside development mode, passkeys are off.
    #[arg(long, env = "COUNTERSIGN_RP_ID")]
    pub rp_id: Option<String>,

    /// The origin people open the portal at (`https://portal.example.com`):
    /// its host must be the relying party id or a subdomain of it. Defaults to
    /// `https://RP_ID`; in development mode, to `http://localhost:PORT` with the
    /// port served.
    #[arg(long, env = "COUNTERSIGN_ORIGIN")]
    pub origin: Option<String>,

    /// The name the browser shows when it asks to create a passkey.
    #[arg(long, env = "COUNTERSIGN_RP_NAME", default_value = "Client Portal")]
    pub rp_name: String,

    /// "Sign in with a passkey" on the login page: passwordless sign-in with a
    /// discoverable credential. On by default in development mode only.
    #[arg(long, env = "COUNTERSIGN_PASSWORDLESS", action = clap::ArgAction::Set)]
    pub passwordless: Option<bool>,
}

/// The WebAuthn relying party the portal's passkeys are bound to, as checked
/// at start: an id that is a domain name (not an IP address) and an origin on it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RelyingParty {
    /// The relying party id (`example.com`, `localhost`).
    pub id: String,
    /// The origin the browser reports (`https://portal.example.com`, no path).
    pub origin: String,
    /// The name shown at registration.
    pub name: String,
    /// Passwordless sign-in with a passkey is offered on the login page.
    pub passwordless: bool,
}

impl Config {
    /// The relying party from the flags, with the defaults of development mode
    /// (`localhost`, `http://localhost:PORT` of `served`), or `None` when none is
    /// configured outside development mode (passkeys off).
    ///
    /// # Errors
    ///
    /// An id that is not a domain name, an origin that is not `https://HOST[:PORT]`
    /// (plain `http` only on localhost), or an origin whose host is neither the
    /// id nor a subdomain of it.
    pub fn relying_party(&self, served: SocketAddr) -> anyhow::Result<Option<RelyingParty>> {
        let (id, origin) = match (self.rp_id.as_deref(), self.origin.as_deref()) {
            (None, None) if !self.dev => return Ok(None),
            (None, None) => (
                "localhost".to_owned(),
                format!("http://localhost:{}", served.port()),
            ),
            (Some(id), None) if self.dev && id == "localhost" => {
                (id.to_owned(), format!("http://localhost:{}", served.port()))
            }
            (Some(id), None) => (id.to_owned(), format!("https://{id}")),
            (None, Some(origin)) => (origin_host(origin)?, origin.to_owned()),
            (Some(id), Some(origin)) => (id.to_owned(), origin.to_owned()),
        };
        let origin = check_relying_party(&id, &origin)
            .context("the relying party of passkeys (--rp-id, --origin) is refused")?;
        Ok(Some(RelyingParty {
            id,
            origin,
            name: self.rp_name.clone(),
            passwordless: self.passwordless.unwrap_or(self.dev),
        }))
    }
}

/// The relying party id an origin implies: its host as a browser reads it
/// (`scheme://host[:port]`, in lower case). Whatever else is wrong with the origin,
/// [`check_relying_party`] says next.
fn origin_host(origin: &str) -> anyhow::Result<String> {
    url::Url::parse(origin)
        .ok()
        .and_then(|url| url.host_str().map(str::to_owned))
        .with_context(|| {
            format!(
                "the origin {origin:?} is not scheme://host[:port] (https://portal.example.com)"
            )
        })
}

/// Checks a relying party id and an origin as browsers will, with the rules the
/// portal's relying party is built with ([`countersign::webauthn::check_rp_id_and_origin`]):
/// the id is a domain name, not an IP address; the origin is `https`, or `http`
/// on `localhost` and `*.localhost` (secure contexts); its host is the id or a
/// subdomain of it. Returns the origin without a trailing `/`.
///
/// # Errors
///
/// What is wrong and how to put it right, as one sentence.
pub fn check_relying_party(id: &str, origin: &str) -> anyhow::Result<String> {
    // One check, the one the portal's relying party is later built with.
    countersign::webauthn::check_rp_id_and_origin(id, origin)
        .map_err(|e| anyhow::anyhow!("--rp-id {id:?} with --origin {origin:?}: {e}"))?;
    Ok(origin.strip_suffix('/').unwrap_or(origin).to_owned())
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

/// Opens the store, builds the portal (with passkeys for the relying party
/// configured, checked), seeds the demo client in development mode, and
/// serves until Ctrl-C or SIGTERM, letting requests in flight finish.
///
/// # Errors
///
/// No server key; a database that cannot be opened; an address that cannot be
/// bound; a relying party id or origin that is refused.
pub async fn run(config: Config) -> anyhow::Result<()> {
    let from_env = std::env::var(KEY_VAR).ok();
    let key = load_server_key(from_env.as_deref(), config.key_file.as_deref(), config.dev)?;
    let url = config.database.clone();
    let store = tokio::task::spawn_blocking(move || countersign_store::open(&url))
        .await?
        .with_context(|| format!("cannot open {}", config.database))?;
    // Bound first: the development origin names the port actually served.
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let served = listener.local_addr()?;
    let mut portal = Portal::new(key, Settings::default())?;
    let relying_party = config.relying_party(served)?;
    if let Some(rp) = &relying_party {
        let settings = PasskeySettings {
            passwordless: rp.passwordless,
            ..PasskeySettings::new(&rp.id, &rp.origin, &rp.name)
        };
        portal = portal
            .with_passkeys(settings)
            .context("the relying party of passkeys is refused")?;
        tracing::info!(rp_id = %rp.id, origin = %rp.origin, passwordless = rp.passwordless, "passkeys on");
    } else {
        tracing::info!(
            "passkeys off: give --rp-id or --origin to offer security keys and passkeys"
        );
    }
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
    let url = format!("http://{served}/");
    tracing::info!(database = %config.database, %url, "listening");
    if config.dev {
        // WebAuthn refuses IP addresses: on localhost, the browser must say so.
        let passkeys_at = relying_party
            .as_ref()
            .filter(|rp| rp.id == "localhost")
            .map(|rp| rp.origin.as_str());
        // One write: a reader that stops at the outbox line misses nothing after it.
        println!("{}", crate::demo::logins(&url, passkeys_at));
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

    fn config(dev: bool, rp_id: Option<&str>, origin: Option<&str>) -> Config {
        let mut args = vec!["countersign-web".to_owned(), format!("--dev={dev}")];
        if let Some(id) = rp_id {
            args.push(format!("--rp-id={id}"));
        }
        if let Some(origin) = origin {
            args.push(format!("--origin={origin}"));
        }
        Config::try_parse_from(args).unwrap()
    }

    #[test]
    fn the_relying_party_defaults_to_localhost_in_development_only() {
        let served: SocketAddr = "127.0.0.1:8123".parse().unwrap();
        let dev = config(true, None, None)
            .relying_party(served)
            .unwrap()
            .unwrap();
        assert_eq!(
            (dev.id.as_str(), dev.origin.as_str(), dev.passwordless),
            ("localhost", "http://localhost:8123", true)
        );
        assert_eq!(dev.name, "Client Portal");
        assert_eq!(
            config(false, None, None).relying_party(served).unwrap(),
            None,
            "passkeys are off unless configured"
        );
        let prod = config(false, Some("example.com"), None)
            .relying_party(served)
            .unwrap()
            .unwrap();
        assert_eq!(
            (prod.origin.as_str(), prod.passwordless),
            ("https://example.com", false)
        );
        let from_origin = config(false, None, Some("https://portal.example.com/"))
            .relying_party(served)
            .unwrap()
            .unwrap();
        assert_eq!(from_origin.id, "portal.example.com");
        assert_eq!(from_origin.origin, "https://portal.example.com");
        // In development an id of localhost alone is served here over plain
        // http; any other id alone is an https site, in development too.
        let origin_of = |dev, id| {
            config(dev, Some(id), None)
                .relying_party(served)
                .unwrap()
                .unwrap()
                .origin
        };
        assert_eq!(origin_of(true, "localhost"), "http://localhost:8123");
        assert_eq!(origin_of(true, "example.com"), "https://example.com");
        assert_eq!(origin_of(false, "localhost"), "https://localhost");
    }

    #[test]
    fn the_id_taken_from_an_origin_is_its_host() {
        for (origin, host) in [
            ("https://portal.example.com", "portal.example.com"),
            ("https://portal.example.com:8443/", "portal.example.com"),
            ("https://[::1]", "[::1]"),
            ("https://[::1]:8443", "[::1]"),
            ("https://Portal.Example.COM", "portal.example.com"),
            ("https://user@portal.example.com/path", "portal.example.com"),
        ] {
            assert_eq!(origin_host(origin).unwrap(), host, "{origin}");
        }
        for no_host in [
            "portal.example.com",
            "https://",
            "mailto:joe@example.com",
            "",
        ] {
            let error = origin_host(no_host).unwrap_err().to_string();
            assert!(
                error.contains("is not scheme://host[:port]"),
                "{no_host}: {error}"
            );
        }
        // What else is wrong with an origin, the relying party check says.
        let served: SocketAddr = "127.0.0.1:8123".parse().unwrap();
        for (origin, says) in [
            ("https://portal.example.com/portal", "path, query or user"),
            ("https://user@portal.example.com", "path, query or user"),
            ("http://portal.example.com", "plain http"),
        ] {
            let error = config(false, None, Some(origin))
                .relying_party(served)
                .unwrap_err();
            assert!(format!("{error:#}").contains(says), "{origin}: {error:#}");
        }
        // So an IPv6 origin is refused for what it is, an IP address (no
        // relying party id), and not as a malformed origin.
        let error = config(false, None, Some("https://[::1]:8443"))
            .relying_party(served)
            .unwrap_err();
        assert!(format!("{error:#}").contains("IP address"), "{error:#}");
    }

    #[test]
    fn the_origin_must_be_on_the_relying_party_id() {
        let ok = |id, origin| check_relying_party(id, origin).unwrap();
        assert_eq!(
            ok("example.com", "https://example.com"),
            "https://example.com"
        );
        assert_eq!(
            ok("example.com", "https://portal.example.com:8443/"),
            "https://portal.example.com:8443"
        );
        assert_eq!(
            ok("localhost", "http://localhost:8080"),
            "http://localhost:8080"
        );
        assert_eq!(
            ok("portal.localhost", "http://portal.localhost:8080"),
            "http://portal.localhost:8080"
        );
        for (id, origin, says) in [
            (
                "example.com",
                "https://example.org",
                "not on the relying party id",
            ),
            (
                "example.com",
                "https://badexample.com",
                "not on the relying party id",
            ),
            (
                "portal.example.com",
                "https://example.com",
                "not on the relying party id",
            ),
            ("127.0.0.1", "http://127.0.0.1:8080", "IP address"),
            ("[::1]", "http://[::1]:8080", "IP address"),
            ("Example.com", "https://example.com", "not a domain name"),
            (
                "example.com:443",
                "https://example.com",
                "not a domain name",
            ),
            (
                "https://example.com",
                "https://example.com",
                "not a domain name",
            ),
            ("", "https://example.com", "not a domain name"),
            ("example.com", "http://example.com", "plain http"),
            (
                "localhost.example.com",
                "http://localhost.example.com",
                "plain http",
            ),
            ("example.com", "example.com", "not scheme://host"),
            ("example.com", "ftp://example.com", "neither https"),
            ("example.com", "https://example.com/portal", "path"),
            (
                "example.com",
                "https://user@example.com",
                "path, query or user",
            ),
            ("example.com", "https://example.com:https", "port"),
        ] {
            let error = format!("{:#}", check_relying_party(id, origin).unwrap_err());
            assert!(error.contains(says), "{id} {origin}: {error}");
        }
        let refused = config(false, Some("example.com"), Some("https://example.org"))
            .relying_party("127.0.0.1:1".parse().unwrap())
            .unwrap_err();
        assert!(format!("{refused:#}").contains("--rp-id"), "{refused:#}");
    }

    #[test]
    fn keys_from_env_file_or_generated_in_dev_only() {
        let dir = tempfile::tempdir().unwrap();
        let hex = "42".repeat(32);
        let key = load_server_key(Some(&hex), None, false).unwrap();
        assert_eq!(key.expose_bytes(), &[0x42; 32]);
        assert!(load_server_key(Some("42"), None, true).is_err());
        let none = load_server_key(None, None, false).unwrap_err().to_string();
        assert!(
            none.starts_with("no server key: set COUNTERSIGN_SERVER_KEY"),
            "production needs a key, and no default file stands in for it: {none}"
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
