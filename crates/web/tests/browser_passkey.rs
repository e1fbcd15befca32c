//! Passkeys in a real browser (issue 15, "Proof"): headless chromium with
//! chromedriver's virtual authenticator (the W3C WebAuthn WebDriver extension:
//! a platform authenticator with resident keys and user verification) against
//! the portal with passkeys on, opened at `http://localhost:PORT` (WebAuthn
//! refuses IP addresses as relying party ids; localhost is a secure context)
//! while the server binds 127.0.0.1 only.
//!
//! Joe Example enables two-factor (passkeys join it: backup codes stay the
//! way back), registers a passkey, logs out, signs in with the password and
//! the passkey as the second factor, logs out, signs in with the passkey
//! alone, and removes it. Each screen is saved as a PNG under
//! `$CARGO_TARGET_TMPDIR/browser-passkey-screenshots/`.
//!
//! Without chromium and chromedriver the test says it skipped and passes,
//! unless `CI` or `COUNTERSIGN_REQUIRE_BROWSER` is set: then it fails.
#![cfg(unix)]

#[path = "support/chromium.rs"]
mod chromium;
mod harness;

use std::path::Path;
use std::time::{Duration, Instant};

use chromium::{Chromedriver, VirtualAuthenticator, WAIT, Walk};
use countersign::passkey::PasskeySettings;
use countersign::{Portal, ServerKey};
use countersign_web::Clock;
use fantoccini::Locator;
use harness::{JOE_PASSWORD, app_for, code};

/// The whole walk is bounded.
const WALK: Duration = Duration::from_secs(180);

/// The portal in this process on `127.0.0.1:0` with passkeys for the relying
/// party `localhost` at `http://localhost:PORT` and passwordless sign-in on,
/// in development mode, with a clock the walk moves by hand.
async fn serve(db: &Path) -> (u16, Clock) {
    let (address, clock) = harness::serve_demo(db, |port| {
        let passkeys = PasskeySettings {
            passwordless: true,
            ..PasskeySettings::new(
                "localhost",
                &format!("http://localhost:{port}"),
                "Client Portal",
            )
        };
        Portal::new(ServerKey::generate(), harness::settings())
            .unwrap()
            .with_passkeys(passkeys)
            .unwrap()
    })
    .await;
    (address.port(), clock)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passkeys_in_a_real_browser() {
    let Some(driver) = chromium::chromedriver_or_skip() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let shots = chromium::screenshots("browser-passkey-screenshots");
    let (port, clock) = serve(&dir.path().join("countersign.db")).await;
    // The driver's log holds what was typed: it stays in the temporary folder.
    let chromedriver = Chromedriver::start(&driver, &dir.path().join("chromedriver.log"));
    let client = chromium::connect(&chromedriver, &dir.path().join("chromium-profile")).await;
    let mut walk = Walk {
        client: client.clone(),
        base: format!("http://localhost:{port}"),
        shots,
        taken: 0,
    };
    let walked = tokio::time::timeout(WALK, the_walk(&mut walk, &clock)).await;
    let _ = client.close().await;
    drop(chromedriver);
    walked.expect("the walk ends within its bound");
}

/// Waits (bounded) until the passkey script has enabled the button, then
/// clicks it: the virtual authenticator answers `navigator.credentials`.
async fn use_the_key(walk: &Walk) {
    let deadline = Instant::now() + WAIT;
    let button = walk.client.find(Locator::Css("#passkey")).await.unwrap();
    while !button.is_enabled().await.unwrap() {
        assert!(
            Instant::now() < deadline,
            "the passkey script enables its button within {WAIT:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    button.click().await.unwrap();
}

/// The Last used column of the passkey named `name` on the profile.
async fn last_used(walk: &Walk, name: &str) -> String {
    for row in walk
        .client
        .find_all(Locator::Css("table.passkeys tbody tr"))
        .await
        .unwrap()
    {
        let cells = row.find_all(Locator::Css("td")).await.unwrap();
        if cells[0].text().await.unwrap() == name {
            return cells[2].text().await.unwrap();
        }
    }
    panic!("{name} is not listed among the passkeys");
}

/// Whether the browser holds the remembered-device cookie.
async fn has_device_cookie(walk: &Walk) -> bool {
    walk.client
        .get_all_cookies()
        .await
        .unwrap()
        .iter()
        .any(|c| c.name() == "countersign_device")
}

async fn the_walk(walk: &mut Walk, clock: &Clock) {
    let authenticator = VirtualAuthenticator::add(&walk.client).await;
    assert!(authenticator.credentials().await.is_empty());

    // Two-factor first: passkeys join it, and its backup codes stay the way
    // back whatever authenticator is lost.
    walk.login("joe.example", JOE_PASSWORD).await;
    walk.expect("AUTHENTICATION").await;
    walk.follow("Click to enable").await;
    walk.fill("input[name=password]", JOE_PASSWORD).await;
    walk.click("form[action='/profile/two-factor/enable'] button[type=submit]")
        .await;
    walk.expect("Your secret key is shown below").await;
    let key = walk.text_of("#key").await;
    let compact: String = key.chars().filter(|c| !c.is_whitespace()).collect();
    let app = app_for(&compact);
    walk.follow("Next").await;
    walk.fill("input[name=code]", &code(&app, clock.now()))
        .await;
    walk.click("form[action='/profile/two-factor/verify'] button[type=submit]")
        .await;
    walk.expect("Success: Two-Factor Enrollment Complete.")
        .await;
    walk.follow("I have noted them").await;
    walk.expect("No security key or passkey yet.").await;

    // "Add a security key or passkey": a name and the password, then the
    // browser's ceremony.
    walk.follow("Add a security key or passkey").await;
    walk.expect("Name it so that you can tell it from the others")
        .await;
    walk.fill("input[name=name]", "Joe's laptop").await;
    walk.fill("input[name=password]", JOE_PASSWORD).await;
    walk.shot("passkey-add").await;
    walk.click("form[action='/profile/passkeys/add'] button[type=submit]")
        .await;
    walk.expect("Adding: Joe's laptop").await;
    walk.shot("passkey-create").await;
    use_the_key(walk).await;
    walk.expect("Success: the security key Joe's laptop was added.")
        .await;
    assert_eq!(last_used(walk, "Joe's laptop").await, "never");
    walk.shot("passkey-added").await;
    let credentials = authenticator.credentials().await;
    assert_eq!(credentials.len(), 1, "one credential: {credentials:?}");
    assert_eq!(credentials[0]["rpId"], "localhost");
    assert_eq!(
        credentials[0]["isResidentCredential"], true,
        "a discoverable credential (a passkey)"
    );
    walk.logout().await;

    // The second step: "Use a Security Key" instead of the code.
    clock.advance(60);
    walk.login("joe.example", JOE_PASSWORD).await;
    walk.expect("Use a Security Key").await;
    assert_eq!(walk.path().await, "/login/code");
    walk.shot("login-security-key").await;
    // One "Remember this device" on the page, for the code and the key alike.
    let boxes = walk
        .client
        .find_all(Locator::Css("input[type=checkbox][name=remember]"))
        .await
        .unwrap();
    assert_eq!(boxes.len(), 1, "one remember checkbox on the second step");
    assert!(!has_device_cookie(walk).await);
    walk.click("#remember").await;
    use_the_key(walk).await;
    walk.expect("Click to disable").await;
    assert_eq!(walk.path().await, "/profile");
    assert!(
        has_device_cookie(walk).await,
        "the ticked box remembers the device for a security key too"
    );
    assert_ne!(
        last_used(walk, "Joe's laptop").await,
        "never",
        "the sign-in is recorded"
    );
    walk.shot("profile-after-security-key").await;
    walk.logout().await;

    // Passwordless: "Sign in with a Passkey" on the login page, no password.
    clock.advance(60);
    walk.goto("/login").await;
    walk.expect("Sign in with a Passkey").await;
    walk.shot("login-passkey").await;
    use_the_key(walk).await;
    walk.expect("Click to disable").await;
    walk.expect("Joe Example").await;
    assert_eq!(walk.path().await, "/profile");
    walk.shot("profile-after-passkey").await;

    // "Remove" beside it, with the password.
    walk.click("table.passkeys button[type=submit]").await;
    walk.expect("Remove the security key or passkey").await;
    assert_eq!(walk.text_of("#passkey-name").await, "Joe's laptop");
    walk.fill("input[name=password]", JOE_PASSWORD).await;
    walk.shot("passkey-remove").await;
    walk.click("form[action='/profile/passkeys/remove'] button[type=submit]")
        .await;
    walk.expect("Success: the security key Joe's laptop was removed.")
        .await;
    walk.expect("No security key or passkey yet.").await;
    walk.shot("passkey-removed").await;
    walk.logout().await;

    authenticator.remove().await;
}
