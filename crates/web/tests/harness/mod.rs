//! An in-process portal over a temporary SQLite file, and a browser that keeps
//! cookies and CSRF tokens, driving the router with tower's `oneshot`.
#![allow(dead_code, unreachable_pub)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use countersign::throttle::ThrottlePolicy;
use countersign::totp::Totp;
use countersign::{Portal, ServerKey, Settings};
use countersign_store::SqliteStore;
use countersign_web::{App, Clock, Options, Outbox};
use tower::ServiceExt;

pub const NOW: u64 = 1_763_900_000;
#[allow(unused_imports)] // not every test binary uses each
pub use countersign_web::demo::{CONTACT_PASSWORD, JOE_PASSWORD};

/// The workspace fixtures' cheap Argon2id, and a throttle of 2 free failures,
/// then 1 s, with the opt-in hard lock at 100.
pub fn settings() -> Settings {
    Settings {
        // A back-off of 1 s after 2 free failures, and the hard lock a deployment
        // may opt into, at 100 (NIST SP 800-63B §5.2.2's ceiling; never lower).
        throttle: ThrottlePolicy::new(2, 1, 1)
            .and_then(|p| p.with_hard_lock(100))
            .unwrap(),
        ..fixtures::settings()
    }
}

/// The demo portal in this process on `127.0.0.1:0` over the SQLite file `db`,
/// in development mode (plain http cookies on loopback), with a clock the
/// caller moves by hand, for the real-browser walks. `portal` is made once the
/// port is known, for a relying party at `http://localhost:PORT`.
pub async fn serve_demo(
    db: &std::path::Path,
    portal: impl FnOnce(u16) -> Portal,
) -> (SocketAddr, Clock) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let portal = portal(address.port());
    let clock = Clock::manual(NOW);
    let options = Options {
        dev: true,
        burst: 1_000,
        clock: clock.clone(),
        ..Options::default()
    };
    let store = SqliteStore::open(db).unwrap();
    let app = App::new(
        Box::new(store),
        portal,
        Arc::new(countersign_web::NoSender),
        options,
    )
    .unwrap();
    assert!(countersign_web::demo::seed(app.store(), app.portal()).unwrap());
    let router = countersign_web::router(app);
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap();
    });
    (address, clock)
}

pub struct Server {
    pub app: Arc<App>,
    pub router: Router,
    pub clock: Clock,
    pub outbox: Arc<Outbox>,
    _dir: tempfile::TempDir,
}

impl Server {
    /// Wrong passwords until the hard lock, through the store: the per-IP rate
    /// limit would stop one browser long before 100 of them.
    pub fn lock_out(&self, login: &str) {
        use countersign_store::StoreExt;
        let id = self.app.store().find_login(login).unwrap().unwrap();
        for _ in 0..100 {
            let now = self.clock.now();
            let _ = self.app.store().update(id, |a| {
                self.app
                    .portal()
                    .sign_in(a, "not the password at all", now, &mut rand::rng())
            });
            self.clock.advance(2); // past each back-off delay
        }
    }

    /// Production mode (Secure cookies, no outbox page) with the demo client.
    pub fn new() -> Self {
        Self::with(&Options::default())
    }

    pub fn dev() -> Self {
        Self::with(&Options {
            dev: true,
            ..Options::default()
        })
    }

    pub fn with(options: &Options) -> Self {
        Self::seeded(options, |portal| portal)
    }

    /// Production mode with passkeys on for the relying party `localhost` at
    /// `http://localhost:8080`, passwordless sign-in included.
    pub fn passkeys() -> Self {
        Self::seeded(&Options::default(), |portal| {
            let settings = countersign::passkey::PasskeySettings {
                passwordless: true,
                ..countersign::passkey::PasskeySettings::new(
                    "localhost",
                    "http://localhost:8080",
                    "Client Portal",
                )
            };
            portal.with_passkeys(settings).unwrap()
        })
    }

    fn seeded(options: &Options, portal: fn(Portal) -> Portal) -> Self {
        let server = Self::over(tempfile::tempdir().unwrap(), options, portal);
        assert!(countersign_web::demo::seed(server.app.store(), server.app.portal()).unwrap());
        server
    }

    /// A second server process, as after a restart: a new `App` (new sessions,
    /// nothing in memory) over the same SQLite file, the same key and clock.
    pub fn restart(self) -> Self {
        let now = self.clock.now();
        let Self {
            app, router, _dir, ..
        } = self;
        drop((app, router));
        let server = Self::over(_dir, &Options::default(), |portal| portal);
        server.clock.advance(now - NOW);
        assert!(
            !countersign_web::demo::seed(server.app.store(), server.app.portal()).unwrap(),
            "the demo client is already there"
        );
        server
    }

    fn over(dir: tempfile::TempDir, options: &Options, portal: fn(Portal) -> Portal) -> Self {
        let store = SqliteStore::open(dir.path().join("countersign.db")).unwrap();
        let portal = portal(Portal::new(ServerKey::from_bytes([0x42; 32]), settings()).unwrap());
        let clock = Clock::manual(NOW);
        let outbox = Arc::new(Outbox::default());
        let default_burst = Options::default().burst;
        let options = Options {
            clock: clock.clone(),
            // Tests log in often from one address; the rate-limit test sets its own.
            burst: if options.burst == default_burst {
                1_000
            } else {
                options.burst
            },
            dev: options.dev,
            refill_seconds: options.refill_seconds,
        };
        let app = App::new(Box::new(store), portal, outbox.clone(), options).unwrap();
        let router = countersign_web::router(Arc::clone(&app));
        Self {
            app,
            router,
            clock,
            outbox,
            _dir: dir,
        }
    }

    /// The SQLite file under this server.
    pub fn database(&self) -> std::path::PathBuf {
        self._dir.path().join("countersign.db")
    }

    pub fn browser(&self) -> Browser {
        self.browser_from([127, 0, 0, 1])
    }

    pub fn browser_from(&self, ip: [u8; 4]) -> Browser {
        Browser {
            router: self.router.clone(),
            cookies: HashMap::new(),
            csrf: String::new(),
            ip: SocketAddr::from((ip, 40_000)),
        }
    }

    pub fn account(&self, contact_id: u64) -> countersign::Account {
        self.app.store().load(contact_id).unwrap()
    }

    /// The last message sent to `to`.
    pub fn last_message_to(&self, to: &str) -> String {
        self.outbox
            .messages()
            .into_iter()
            .find(|m| m.to == to)
            .map(|m| m.body)
            .expect("a message was sent")
    }
}

/// The digits of the first run of `len` digits in `text`.
pub fn digits(text: &str, len: usize) -> String {
    text.split(|c: char| !c.is_ascii_digit())
        .find(|run| run.len() == len)
        .expect("a code in the message")
        .to_owned()
}

pub struct Page {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    pub fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect()
    }

    /// The text between `start` and the next `end`.
    pub fn between(&self, start: &str, end: &str) -> String {
        let from = self
            .body
            .find(start)
            .unwrap_or_else(|| panic!("{start:?} in\n{}", self.body))
            + start.len();
        let to = self.body[from..].find(end).unwrap() + from;
        self.body[from..to].to_owned()
    }

    #[track_caller]
    pub fn assert(&self, status: StatusCode, text: &str) {
        assert_eq!(self.status, status, "{}", self.body);
        assert!(self.body.contains(text), "{text:?} not in\n{}", self.body);
    }
}

pub struct Browser {
    router: Router,
    pub cookies: HashMap<String, String>,
    pub csrf: String,
    ip: SocketAddr,
}

impl Browser {
    async fn send(&mut self, method: Method, path: &str, body: String) -> Page {
        let cookie = self
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if !cookie.is_empty() {
            request = request.header(header::COOKIE, cookie);
        }
        let mut request = request.body(Body::from(body)).unwrap();
        request.extensions_mut().insert(ConnectInfo(self.ip));
        let response = self.router.clone().oneshot(request).await.unwrap();
        let (parts, body) = response.into_parts();
        let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap();
        let page = Page {
            status: parts.status,
            headers: parts.headers,
            body: String::from_utf8(bytes.to_vec()).unwrap(),
        };
        for cookie in page.set_cookies() {
            let pair = cookie.split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            self.cookies.insert(name.to_owned(), value.to_owned());
        }
        if let Some(at) = page.body.find("name=\"csrf\" value=\"") {
            let from = at + "name=\"csrf\" value=\"".len();
            self.csrf = page.body[from..from + 64].to_owned();
        }
        page
    }

    pub async fn get(&mut self, path: &str) -> Page {
        self.send(Method::GET, path, String::new()).await
    }

    /// Posts `fields` with the CSRF token of the last page seen.
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let mut fields = fields.to_vec();
        let csrf = self.csrf.clone();
        fields.push(("csrf", &csrf));
        let body = serde_urlencoded::to_string(&fields).unwrap();
        self.send(Method::POST, path, body).await
    }

    /// Posts `fields` as they are: no CSRF token unless among them.
    pub async fn post_raw(&mut self, path: &str, body: String) -> Page {
        self.send(Method::POST, path, body).await
    }

    /// Logs in with the password; returns the answer to the password step,
    /// having followed a redirect to the second step (as a browser would).
    pub async fn login(&mut self, login: &str, password: &str) -> Page {
        self.get("/login").await;
        let page = self
            .post("/login", &[("login", login), ("password", password)])
            .await;
        if page.location() == "/login/code" {
            self.get("/login/code").await;
        }
        page
    }

    /// Logs in without two-factor and opens the profile; panics if not signed in.
    pub async fn sign_in(&mut self, login: &str, password: &str) {
        let page = self.login(login, password).await;
        assert_eq!(
            (page.status, page.location()),
            (StatusCode::SEE_OTHER, "/profile"),
            "{}",
            page.body
        );
        // Follow the redirect, as a browser would: its forms carry the new token.
        self.get("/profile").await;
    }

    /// Enables two-factor through the three pop-ups; returns the app and the backup codes.
    pub async fn enable_two_factor(
        &mut self,
        password: &str,
        clock: &Clock,
    ) -> (Totp, Vec<String>) {
        self.get("/profile/two-factor/enable").await;
        let key = self
            .post("/profile/two-factor/enable", &[("password", password)])
            .await;
        key.assert(StatusCode::OK, "Your secret key is shown below");
        // The facade's enrollment lifetime, 10 minutes, in whole minutes.
        key.assert(StatusCode::OK, "Complete enrollment within 10 minutes.");
        let app = app_for(&key.between("id=\"key\">", "<"));
        self.get("/profile/two-factor/verify").await;
        let code = code(&app, clock.now());
        let done = self
            .post("/profile/two-factor/verify", &[("code", &code)])
            .await;
        done.assert(StatusCode::OK, "Success: Two-Factor Enrollment Complete.");
        let codes = done
            .body
            .split("<li><code>")
            .skip(1)
            .map(|s| s.split('<').next().unwrap().to_owned())
            .collect();
        (app, codes)
    }

    pub async fn logout(&mut self) {
        self.get("/profile").await;
        let page = self.post("/logout", &[]).await;
        assert_eq!(page.location(), "/login");
    }
}

// The authenticator app of the workspace's own tests: one model, not two.
#[path = "../../../../tests/fixtures/mod.rs"]
mod fixtures;
#[allow(unused_imports)] // not every test binary uses each
pub use fixtures::{app_for, code, wrong};
