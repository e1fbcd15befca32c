//! The seeds walked in a real browser (issue 13, "Proof"): headless chromium
//! driven through chromedriver (WebDriver, `fantoccini`) against the portal
//! served on an ephemeral loopback port over a temporary SQLite file with the
//! demo client. Each screen is saved as a PNG under
//! `$CARGO_TARGET_TMPDIR/browser-screenshots/`; the QR code on the key pop-up
//! is decoded with `zbarimg` and must carry the key the page shows.
//!
//! Without chromium and chromedriver the test says it skipped and passes,
//! unless `CI` or `COUNTERSIGN_REQUIRE_BROWSER` is set: then it fails.
#![cfg(unix)]

mod harness;

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use countersign::{Portal, ServerKey};
use countersign_store::SqliteStore;
use countersign_web::{App, Clock, NoSender, Options};
use fantoccini::{Client, ClientBuilder, Locator};
use harness::{CONTACT_PASSWORD, JOE_PASSWORD, NOW, app_for, code};
use hyper_util::client::legacy::connect::HttpConnector;

const CHROMIUM: &str = "/usr/bin/chromium";
const SKIPPED: &str = "skipped: the browser test (no chromium/chromedriver: install Debian's chromium and chromium-driver)";
/// Every wait in this test is bounded; the whole walk, too.
const WAIT: Duration = Duration::from_secs(20);
const WALK: Duration = Duration::from_secs(240);

/// `name` on `PATH`, as the shell's `command -v` finds it.
fn on_path(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|dir| Path::new(dir).join(name))
        .find(|path| path.is_file())
}

/// chromedriver on a free loopback port, killed when dropped.
struct Chromedriver {
    child: Child,
    url: String,
}

impl Chromedriver {
    fn start(binary: &Path, log: &Path) -> Self {
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

/// The portal in this process on `127.0.0.1:0`, in development mode (plain
/// http cookies on loopback), with a clock the walk moves by hand so that each
/// TOTP code falls in a step of its own.
async fn serve(db: &Path) -> (SocketAddr, Clock) {
    let store = SqliteStore::open(db).unwrap();
    let portal = Portal::new(ServerKey::generate(), harness::settings()).unwrap();
    let clock = Clock::manual(NOW);
    let options = Options {
        dev: true,
        burst: 1_000,
        clock: clock.clone(),
        ..Options::default()
    };
    let app = App::new(Box::new(store), portal, Arc::new(NoSender), options).unwrap();
    assert!(countersign_web::demo::seed(app.store(), app.portal()).unwrap());
    let router = countersign_web::router(app);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
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

fn capabilities(profile: &Path) -> fantoccini::wd::Capabilities {
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
struct Walk {
    client: Client,
    base: String,
    shots: PathBuf,
    taken: usize,
}

impl Walk {
    async fn goto(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.base))
            .await
            .unwrap();
    }

    async fn fill(&self, css: &str, text: &str) {
        let field = self.client.find(Locator::Css(css)).await.unwrap();
        field.clear().await.unwrap();
        field.send_keys(text).await.unwrap();
    }

    async fn click(&self, css: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    }

    async fn follow(&self, link_text: &str) {
        self.client
            .find(Locator::LinkText(link_text))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    }

    async fn text_of(&self, css: &str) -> String {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    /// Waits (bounded) until the page's main column says `text`.
    async fn expect(&self, text: &str) {
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
    async fn shot(&mut self, name: &str) -> PathBuf {
        self.taken += 1;
        let path = self.shots.join(format!("{:02}-{name}.png", self.taken));
        std::fs::write(&path, self.client.screenshot().await.unwrap()).unwrap();
        path
    }

    async fn login(&mut self, login: &str, password: &str) {
        self.goto("/login").await;
        self.expect("Username or Client ID").await;
        self.fill("input[name=login]", login).await;
        self.fill("input[name=password]", password).await;
        self.click("form[action='/login'] button[type=submit]")
            .await;
    }

    async fn path(&self) -> String {
        self.client.current_url().await.unwrap().path().to_owned()
    }

    async fn logout(&self) {
        self.click("form[action='/logout'] button[type=submit]")
            .await;
        self.expect("If you are a current client").await;
    }
}

/// The text `zbarimg` reads from the QR code in `png`.
fn decode_qr(png: &Path) -> String {
    let out = Command::new("zbarimg")
        .args(["--raw", "--quiet", "-Sdisable", "-Sqrcode.enable"])
        .arg(png)
        .stdin(Stdio::null())
        .output()
        .expect("zbarimg (Debian's zbar-tools) is installed");
    assert!(out.status.success(), "zbarimg decodes {}", png.display());
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_seeds_in_a_real_browser() {
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
        return;
    };

    let dir = tempfile::tempdir().unwrap();
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser-screenshots");
    let _ = std::fs::remove_dir_all(&shots);
    std::fs::create_dir_all(&shots).unwrap();
    let (address, clock) = serve(&dir.path().join("countersign.db")).await;
    // The driver's log holds what was typed (the demo passwords, the TOTP key):
    // it stays in the test's temporary folder, removed with it.
    let chromedriver = Chromedriver::start(&driver, &dir.path().join("chromedriver.log"));

    let profile = dir.path().join("chromium-profile");
    let client = tokio::time::timeout(
        WAIT * 3,
        // chromedriver is plain HTTP on loopback: a bare connector, no TLS.
        ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities(&profile))
            .connect(&chromedriver.url),
    )
    .await
    .expect("chromium starts within a minute")
    .expect("a WebDriver session");
    let mut walk = Walk {
        client: client.clone(),
        base: format!("http://{address}"),
        shots,
        taken: 0,
    };
    let walked = tokio::time::timeout(WALK, the_walk(&mut walk, &clock)).await;
    let _ = client.close().await;
    drop(chromedriver);
    walked.expect("the walk ends within its bound");
}

async fn the_walk(walk: &mut Walk, clock: &Clock) {
    // Seed 003: Create Account. The screen makes a new client with a new
    // Client ID (the demo client 1707 is the server's own seed, with the
    // contacts the grid needs): first a password the rules refuse, then one
    // they take, and the new account signs in.
    walk.goto("/create").await;
    walk.expect("Required fields are notated with an asterisk")
        .await;
    walk.fill("input[name=name]", "Jane Example").await;
    walk.fill("input[name=email]", "jane@example.com").await;
    walk.fill("input[name=username]", "jane.example").await;
    walk.fill("input[name=password]", "jane.example").await;
    walk.click("form[action='/create'] button[type=submit]")
        .await;
    walk.expect("Create Account").await;
    assert!(
        walk.client
            .find(Locator::Css("ul.violations li"))
            .await
            .is_ok(),
        "the policy's violations are listed"
    );
    walk.shot("create-refused").await;
    walk.fill("input[name=password]", "Tulips on the balcony, 7 of them")
        .await;
    walk.click("form[action='/create'] button[type=submit]")
        .await;
    walk.expect("Your account jane.example was created").await;
    walk.shot("create-done").await;
    walk.login("jane.example", "Tulips on the balcony, 7 of them")
        .await;
    walk.expect("Jane Example").await;
    walk.logout().await;

    // Seed 003: log in by Client ID.
    walk.goto("/login").await;
    walk.expect("If you are a current client").await;
    walk.shot("login").await;
    walk.login("1707", JOE_PASSWORD).await;
    walk.expect("AUTHENTICATION").await;
    walk.expect("Joe Example").await;
    walk.shot("profile").await;

    // Seeds 000, 001, 004: the enrollment pop-ups in order.
    walk.follow("Click to enable").await;
    walk.expect("To proceed, please verify your password").await;
    walk.shot("enable-password").await;
    walk.fill("input[name=password]", JOE_PASSWORD).await;
    walk.click("form[action='/profile/two-factor/enable'] button[type=submit]")
        .await;
    walk.expect("Your secret key is shown below").await;
    walk.shot("enable-key").await;
    let key = walk.text_of("#key").await;
    let qr = walk
        .client
        .find(Locator::Css(".qr svg"))
        .await
        .unwrap()
        .screenshot()
        .await
        .unwrap();
    let qr_png = walk.shots.join("qr.png");
    std::fs::write(&qr_png, qr).unwrap();
    let uri = decode_qr(&qr_png);
    let compact: String = key.chars().filter(|c| !c.is_whitespace()).collect();
    assert!(uri.starts_with("otpauth://totp/"), "{uri}");
    assert!(
        uri.contains(&format!("secret={compact}")),
        "the QR code carries the key shown: {uri} vs {key}"
    );
    let app = app_for(&compact);

    walk.follow("Next").await;
    walk.expect("Please verify your token").await;
    walk.shot("enable-verify").await;
    walk.fill("input[name=code]", &code(&app, clock.now()))
        .await;
    walk.click("form[action='/profile/two-factor/verify'] button[type=submit]")
        .await;
    walk.expect("Success: Two-Factor Enrollment Complete.")
        .await;
    walk.shot("enable-done").await;
    let mut backup_codes = Vec::new();
    for item in walk
        .client
        .find_all(Locator::Css("ul.codes code"))
        .await
        .unwrap()
    {
        backup_codes.push(item.text().await.unwrap());
    }
    assert!(
        !backup_codes.is_empty() && backup_codes.iter().all(|c| !c.trim().is_empty()),
        "the backup codes are shown: {backup_codes:?}"
    );
    walk.follow("I have noted them").await;
    walk.expect("Click to disable").await;
    walk.logout().await;

    // Seed 004: the second step, and "Remember this device for 30 days".
    clock.advance(60); // past the step enrollment consumed
    walk.login("joe.example", JOE_PASSWORD).await;
    walk.expect("Remember this device for 30 days").await;
    assert_eq!(walk.path().await, "/login/code");
    walk.expect("Send SMS Code").await;
    walk.fill("input[name=code]", &code(&app, clock.now()))
        .await;
    walk.click("input[name=remember]").await;
    walk.shot("login-code").await;
    walk.click("form[action='/login/code'] button[type=submit]")
        .await;
    walk.expect("Click to disable").await;
    walk.shot("profile-two-factor").await;
    assert!(
        walk.client
            .get_all_cookies()
            .await
            .unwrap()
            .iter()
            .any(|c| c.name() == "countersign_device"),
        "the remembered-device cookie is kept"
    );
    walk.logout().await;

    // The next day, on the remembered device: the password only, no code asked.
    clock.advance(86_400);
    walk.login("joe.example", JOE_PASSWORD).await;
    walk.expect("Click to disable").await;
    assert_eq!(walk.path().await, "/profile", "no code asked");
    walk.shot("profile-remembered-device").await;

    // Seeds 001, 002: Contact Example 2 may see the account-wide code.
    walk.follow("View Contacts").await;
    walk.expect("Contact Example 2").await;
    walk.shot("contacts").await;
    walk.goto("/contacts/3526?tab=permissions").await;
    walk.expect("Filter resources").await;
    walk.client
        .find(Locator::Css("select[name='profile.view']"))
        .await
        .unwrap()
        .select_by_value("allow")
        .await
        .unwrap();
    walk.shot("permissions").await;
    walk.click("form[action='/contacts/3526/permissions'] button[type=submit]")
        .await;
    walk.expect("Success: Contact updated.").await;
    walk.shot("permissions-updated").await;

    // Seed 002: the account-wide security code under CUSTOM FIELDS.
    let security_code = "Lighthouse-42-Oak";
    walk.follow("View Profile").await;
    walk.expect("CUSTOM FIELDS").await;
    walk.follow("EDIT").await;
    walk.expect("A minimum of eight characters is required.")
        .await;
    walk.fill("input[name=code]", security_code).await;
    walk.shot("security-code").await;
    walk.click("form[action='/profile/security-code'] button[type=submit]")
        .await;
    walk.expect("Success: Account information updated.").await;
    assert_eq!(walk.text_of("#security-code").await, security_code);
    walk.shot("security-code-saved").await;
    walk.logout().await;

    // The contact allowed to see it sees it, and may not edit it.
    walk.login("contact.example.2", CONTACT_PASSWORD).await;
    walk.expect("Contact Example 2").await;
    walk.expect("CUSTOM FIELDS").await;
    assert_eq!(walk.text_of("#security-code").await, security_code);
    assert!(
        walk.client
            .find_all(Locator::LinkText("EDIT"))
            .await
            .unwrap()
            .is_empty(),
        "no EDIT without Profile: Update"
    );
    walk.shot("contact-sees-code").await;
}
