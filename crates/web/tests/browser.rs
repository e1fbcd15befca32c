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

#[path = "support/chromium.rs"]
mod chromium;
mod harness;

use std::net::SocketAddr;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use chromium::{Chromedriver, Walk};
use countersign::{Portal, ServerKey};
use countersign_web::Clock;
use fantoccini::Locator;
use harness::{CONTACT_PASSWORD, JOE_PASSWORD, app_for, code};

/// The whole walk is bounded.
const WALK: Duration = Duration::from_secs(240);

/// The demo portal on a loopback port (see [`harness::serve_demo`]); the walk
/// moves its clock so that each TOTP code falls in a step of its own.
async fn serve(db: &Path) -> (SocketAddr, Clock) {
    harness::serve_demo(db, |_| {
        Portal::new(ServerKey::generate(), harness::settings()).unwrap()
    })
    .await
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
    let Some(driver) = chromium::chromedriver_or_skip() else {
        return;
    };

    let dir = tempfile::tempdir().unwrap();
    let shots = chromium::screenshots("browser-screenshots");
    let (address, clock) = serve(&dir.path().join("countersign.db")).await;
    // The driver's log holds what was typed (the demo passwords, the TOTP key):
    // it stays in the test's temporary folder, removed with it.
    let chromedriver = Chromedriver::start(&driver, &dir.path().join("chromedriver.log"));

    let client = chromium::connect(&chromedriver, &dir.path().join("chromium-profile")).await;
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
    walk.click("#remember").await;
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
