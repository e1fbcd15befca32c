//! Headless chromium driven through chromedriver (WebDriver, `fantoccini`),
//! shared by the browser tests: chromedriver on a free loopback port, the
//! browser's flags, a walk that saves a screenshot of each screen, and the
//! WebAuthn virtual authenticator (the W3C WebAuthn spec's WebDriver
//! extension commands, §11) for the passkey walk.
#![allow(dead_code, unreachable_pub)]

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use axum::http::Method;
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const SKIPPED: &str = "skipped: the browser test (no chromium/chromedriver: install Debian's chromium and chromium-driver)";
/// Every wait in these tests is bounded.
pub const WAIT: Duration = Duration::from_secs(20);

/// chromedriver, or `None` (after saying the test skipped) without chromium
/// and chromedriver; with `CI` or `COUNTERSIGN_REQUIRE_BROWSER` set, a panic.
pub fn chromedriver_or_skip() -> Option<PathBuf> {
    let driver = on_path("chromedriver");
    let (Some(driver), true) = (driver, Path::new(CHROMIUM).is_file()) else {
        let required = ["CI", "COUNTERSIGN_REQUIRE_BROWSER"]
            .iter()
            .any(|v| std::env::var_os(v).is_some_and(|v| !v.is_empty()));
        assert!(
            !required,
            "{SKIPPED}; CI and COUNTERSIGN_REQUIRE_BROWSER refuse to skip it"
        );
        println!("{SKIPPED}");
        return None;
    };
    Some(driver)
}

/// A folder for a walk's screenshots under `$CARGO_TARGET_TMPDIR`, emptied.
pub fn screenshots(name: &str) -> PathBuf {
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&shots);
    std::fs::create_dir_all(&shots).unwrap();
    shots
}

/// A WebDriver session on chromium with its profile in `profile`.
pub async fn connect(chromedriver: &Chromedriver, profile: &Path) -> Client {
    tokio::time::timeout(
        WAIT * 3,
        // chromedriver is plain HTTP on loopback: a bare connector, no TLS.
        ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities(profile))
            .connect(&chromedriver.url),
    )
    .await
    .expect("chromium starts within a minute")
    .expect("a WebDriver session")
}

/// `name` on `PATH`, as the shell's `command -v` finds it.
fn on_path(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|dir| Path::new(dir).join(name))
        .find(|path| path.is_file())
}

/// chromedriver on a free loopback port, killed when dropped.
pub struct Chromedriver {
    child: Child,
    pub url: String,
}

impl Chromedriver {
    pub fn start(binary: &Path, log: &Path) -> Self {
        // A port the kernel just handed out and let go: free unless another
        // process takes it in the instant before chromedriver binds it.
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .unwrap()
            .port();
        let child = Command::new(binary)
            .arg(format!("--port={port}"))
            // Loopback callers only (chromedriver's default, stated).
            .arg("--allowed-ips=127.0.0.1")
            .arg(format!("--log-path={}", log.display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let driver = Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        let deadline = Instant::now() + WAIT;
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "chromedriver listens within {WAIT:?}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        driver
    }
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn capabilities(profile: &Path) -> fantoccini::wd::Capabilities {
    let args = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1200,1000",
        &format!("--user-data-dir={}", profile.display()),
    ];
    let value = serde_json::json!({
        "browserName": "chrome",
        "goog:chromeOptions": { "binary": CHROMIUM, "args": args },
    });
    match value {
        serde_json::Value::Object(map) => map,
        _ => unreachable!(),
    }
}

/// One browser on the portal, saving a screenshot of each screen it is shown.
pub struct Walk {
    pub client: Client,
    pub base: String,
    pub shots: PathBuf,
    pub taken: usize,
}

impl Walk {
    pub async fn goto(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.base))
            .await
            .unwrap();
    }

    pub async fn fill(&self, css: &str, text: &str) {
        let field = self.client.find(Locator::Css(css)).await.unwrap();
        field.clear().await.unwrap();
        field.send_keys(text).await.unwrap();
    }

    pub async fn click(&self, css: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    }

    pub async fn follow(&self, link_text: &str) {
        self.client
            .find(Locator::LinkText(link_text))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    }

    pub async fn text_of(&self, css: &str) -> String {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    /// Waits (bounded) until the page's main column says `text`.
    pub async fn expect(&self, text: &str) {
        let deadline = Instant::now() + WAIT;
        loop {
            let shown = match self.client.find(Locator::Css("main")).await {
                Ok(main) => main.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            if shown.contains(text) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{text:?} within {WAIT:?}; the page at {} says:\n{shown}",
                self.client.current_url().await.unwrap()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Saves the window as `NN-name.png`.
    pub async fn shot(&mut self, name: &str) -> PathBuf {
        self.taken += 1;
        let path = self.shots.join(format!("{:02}-{name}.png", self.taken));
        std::fs::write(&path, self.client.screenshot().await.unwrap()).unwrap();
        path
    }

    pub async fn login(&mut self, login: &str, password: &str) {
        self.goto("/login").await;
        self.expect("Username or Client ID").await;
        self.fill("input[name=login]", login).await;
        self.fill("input[name=password]", password).await;
        self.click("form[action='/login'] button[type=submit]")
            .await;
    }

    pub async fn path(&self) -> String {
        self.client.current_url().await.unwrap().path().to_owned()
    }

    pub async fn logout(&self) {
        self.click("form[action='/logout'] button[type=submit]")
            .await;
        self.expect("If you are a current client").await;
    }
}

/// A WebAuthn extension command of WebDriver (W3C Web Authentication Level 2,
/// §11 "WebDriver Extension Commands"), under `/session/{id}/webauthn/`.
#[derive(Debug)]
struct WebAuthnCommand {
    method: Method,
    /// After `webauthn/`: `authenticator`, `authenticator/{id}/credentials`.
    path: String,
    body: Option<serde_json::Value>,
}

impl WebDriverCompatibleCommand for WebAuthnCommand {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        let session = session_id.unwrap_or_default();
        base_url.join(&format!("session/{session}/webauthn/{}", self.path))
    }

    fn method_and_body(&self, _: &url::Url) -> (Method, Option<String>) {
        (
            self.method.clone(),
            self.body.as_ref().map(serde_json::Value::to_string),
        )
    }
}

/// A virtual authenticator in the browser, as a platform authenticator with
/// user verification (a laptop's fingerprint reader, say) that keeps
/// discoverable credentials: every `navigator.credentials` call the page makes
/// is answered by it, with the user verified, and no prompt.
pub struct VirtualAuthenticator {
    client: Client,
    pub id: String,
}

impl VirtualAuthenticator {
    /// Adds one: `POST /session/{id}/webauthn/authenticator` (§11.3).
    pub async fn add(client: &Client) -> Self {
        let answer = client
            .issue_cmd(WebAuthnCommand {
                method: Method::POST,
                path: "authenticator".to_owned(),
                body: Some(serde_json::json!({
                    "protocol": "ctap2",
                    "transport": "internal",
                    "hasResidentKey": true,
                    "hasUserVerification": true,
                    "isUserVerified": true,
                })),
            })
            .await
            .expect("chromedriver adds a virtual authenticator");
        let id = answer.as_str().expect("the authenticator's id").to_owned();
        Self {
            client: client.clone(),
            id,
        }
    }

    /// The credentials it holds: `GET .../authenticator/{id}/credentials` (§11.7),
    /// each `{credentialId, isResidentCredential, rpId, privateKey, userHandle, signCount}`.
    pub async fn credentials(&self) -> Vec<serde_json::Value> {
        let answer = self
            .client
            .issue_cmd(WebAuthnCommand {
                method: Method::GET,
                path: format!("authenticator/{}/credentials", self.id),
                body: None,
            })
            .await
            .expect("chromedriver lists the credentials");
        answer.as_array().cloned().unwrap_or_default()
    }

    /// Removes it: `DELETE .../authenticator/{id}` (§11.4).
    pub async fn remove(self) {
        self.client
            .issue_cmd(WebAuthnCommand {
                method: Method::DELETE,
                path: format!("authenticator/{}", self.id),
                body: None,
            })
            .await
            .expect("chromedriver removes the virtual authenticator");
    }
}
