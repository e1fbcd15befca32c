//! Every screen and every refusal of the first cut, in process (tower's
//! `oneshot`), over a temporary SQLite file.

mod harness;

use axum::http::StatusCode;
use countersign::throttle::Factor;
use countersign_web::{CONTENT_SECURITY_POLICY, Options};
use harness::*;

const CODE_REFUSED: &str = "That code is not valid.";

// ---- Login (seed 003) --------------------------------------------------------

#[tokio::test]
async fn login_page_sets_a_strict_session_cookie_and_headers() {
    let server = Server::new();
    let mut browser = server.browser();
    let page = browser.get("/login").await;
    page.assert(StatusCode::OK, "Username or Client ID");
    let cookie = &page.set_cookies()[0];
    assert!(cookie.starts_with("countersign_session="));
    for attribute in ["HttpOnly", "SameSite=Strict", "Secure", "Path=/"] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
    let header = |name: &str| page.headers.get(name).unwrap().to_str().unwrap().to_owned();
    assert_eq!(header("content-security-policy"), CONTENT_SECURITY_POLICY);
    assert!(!CONTENT_SECURITY_POLICY.contains("unsafe"));
    assert_eq!(header("x-content-type-options"), "nosniff");
    assert_eq!(header("cache-control"), "no-store");
    assert_eq!(header("x-request-id").len(), 16);
    assert_eq!(header("strict-transport-security"), "max-age=31536000");
    assert_eq!(browser.csrf.len(), 64);
}

#[tokio::test]
async fn development_cookies_are_not_secure() {
    let server = Server::dev();
    let page = server.browser().get("/login").await;
    assert!(!page.set_cookies()[0].contains("Secure"));
    assert!(
        !page.headers.contains_key("strict-transport-security"),
        "plain http on loopback"
    );
}

#[tokio::test]
async fn login_by_client_id_or_username_with_a_fresh_session_id() {
    let server = Server::new();
    let mut browser = server.browser();
    browser.get("/login").await;
    let before = browser.cookies["countersign_session"].clone();
    let page = browser
        .post("/login", &[("login", "1707"), ("password", JOE_PASSWORD)])
        .await;
    assert_eq!(
        (page.status, page.location()),
        (StatusCode::SEE_OTHER, "/profile")
    );
    let after = browser.cookies["countersign_session"].clone();
    assert_ne!(before, after, "a fresh id after login");

    let profile = browser.get("/profile").await;
    profile.assert(StatusCode::OK, "Joe Example");
    for text in [
        "AUTHENTICATION",
        "Click to change",
        "Click to enable",
        "1707",
    ] {
        assert!(profile.body.contains(text), "{text}");
    }

    // The id planted before login is worth nothing.
    let mut fixated = server.browser();
    fixated.cookies.insert("countersign_session".into(), before);
    assert_eq!(fixated.get("/profile").await.location(), "/login");

    let mut contact = server.browser();
    contact.sign_in("CONTACT.example", CONTACT_PASSWORD).await;
    contact
        .get("/profile")
        .await
        .assert(StatusCode::OK, "Contact Example");
}

#[tokio::test]
async fn an_unknown_login_and_a_wrong_password_say_the_same() {
    let server = Server::new();
    let mut browser = server.browser();
    let wrong = browser
        .login("joe.example", "not the password at all")
        .await;
    wrong.assert(
        StatusCode::UNAUTHORIZED,
        "The login name or password is incorrect.",
    );
    let unknown = browser
        .login("nobody.here", "not the password at all")
        .await;
    unknown.assert(
        StatusCode::UNAUTHORIZED,
        "The login name or password is incorrect.",
    );
    assert_eq!(
        server
            .account(3522)
            .throttles()
            .get(Factor::Password)
            .consecutive_failures(),
        1,
        "the facade counted the wrong password"
    );
}

#[tokio::test]
async fn a_locked_account_refuses_even_the_right_password() {
    let server = Server::new();
    let mut browser = server.browser();
    browser
        .login("contact.example", "not the password at all")
        .await;
    server.lock_out("contact.example");
    let page = browser.login("contact.example", CONTACT_PASSWORD).await;
    page.assert(
        StatusCode::TOO_MANY_REQUESTS,
        "locked until an administrator unlocks it",
    );
    assert!(browser.get("/profile").await.location() == "/login");
}

#[tokio::test]
async fn logout_forgets_the_contact() {
    let server = Server::new();
    let mut browser = server.browser();
    browser.sign_in("joe.example", JOE_PASSWORD).await;
    browser.logout().await;
    assert_eq!(browser.get("/profile").await.location(), "/login");
}

// ---- Protections -------------------------------------------------------------

#[tokio::test]
async fn a_form_without_the_csrf_token_is_refused_and_changes_nothing() {
    let server = Server::new();
    let mut browser = server.browser();
    browser.sign_in("joe.example", JOE_PASSWORD).await;
    browser.get("/profile/two-factor/enable").await;
    let before = server.account(3522);

    let body = format!("password={}", JOE_PASSWORD.replace(' ', "+"));
    let missing = browser
        .post_raw("/profile/two-factor/enable", body.clone())
        .await;
    missing.assert(StatusCode::FORBIDDEN, "did not come from this site");
    let forged = browser
        .post_raw(
            "/profile/two-factor/enable",
            format!("{body}&csrf={}", "0".repeat(64)),
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(server.account(3522), before, "no state change");

    // Logging in is a state change too.
    let mut other = server.browser();
    other.get("/login").await;
    let page = other
        .post_raw("/login", "login=joe.example&password=wrong+password".into())
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert_eq!(
        server.account(3522),
        before,
        "no failure counted without the token"
    );
}

#[tokio::test]
async fn logins_are_rate_limited_per_address() {
    let server = Server::with(&Options {
        burst: 3,
        refill_seconds: 60,
        ..Options::default()
    });
    let mut browser = server.browser();
    for _ in 0..3 {
        assert_eq!(
            browser
                .login("joe.example", "a wrong password here")
                .await
                .status,
            StatusCode::UNAUTHORIZED
        );
    }
    let limited = browser.login("joe.example", JOE_PASSWORD).await;
    limited.assert(
        StatusCode::TOO_MANY_REQUESTS,
        "Too many attempts from your address",
    );
    assert!(limited.headers.contains_key("retry-after"));
    server.clock.advance(2); // past the facade's own back-off for Joe's account
    server
        .browser_from([127, 0, 0, 2])
        .sign_in("joe.example", JOE_PASSWORD)
        .await;
}

#[tokio::test]
async fn request_bodies_are_bounded() {
    let server = Server::new();
    let mut browser = server.browser();
    browser.get("/login").await;
    let page = browser
        .post_raw("/login", format!("login={}", "a".repeat(20_000)))
        .await;
    assert_eq!(page.status, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn pages_escape_what_people_typed() {
    let server = Server::new();
    let mut browser = server.browser();
    browser.get("/create").await;
    let page = browser
        .post(
            "/create",
            &[
                ("name", "<script>alert(1)</script>"),
                ("email", "x@example.com"),
                ("username", "mallory"),
                ("password", "Tulips on the balcony, 7 of them"),
            ],
        )
        .await;
    page.assert(StatusCode::OK, "was created");
    browser
        .sign_in("mallory", "Tulips on the balcony, 7 of them")
        .await;
    let profile = browser.get("/profile").await;
    assert!(profile.body.contains("&#60;script&#62;") || profile.body.contains("&lt;script&gt;"));
    assert!(!profile.body.contains("<script>"));
}

// ---- Two-factor: enabling and disabling (seeds 000, 001) -----------------------

#[tokio::test]
async fn enabling_two_factor_through_the_pop_ups() {
    let server = Server::new();
    let mut browser = server.browser();
    browser.sign_in("joe.example", JOE_PASSWORD).await;

    let step4 = browser.get("/profile/two-factor/enable").await;
    step4.assert(StatusCode::OK, "To proceed, please verify your password:");
    let refused = browser
        .post(
            "/profile/two-factor/enable",
            &[("password", "not my password!")],
        )
        .await;
    refused.assert(StatusCode::UNAUTHORIZED, "The password is incorrect.");
    assert!(!server.account(3522).enrollment_pending(NOW));

    let step5 = browser
        .post("/profile/two-factor/enable", &[("password", JOE_PASSWORD)])
        .await;
    step5.assert(StatusCode::OK, "Your secret key is shown below. Use your app to scan the barcode or enter the key manually.");
    assert!(step5.body.contains("<svg"), "the QR code inline");
    let key = step5.between("id=\"key\">", "<");
    assert_eq!(
        key.split(' ').count(),
        8,
        "32 base32 characters in groups of four: {key}"
    );
    assert!(server.account(3522).enrollment_pending(NOW));

    let verify = browser.get("/profile/two-factor/verify").await;
    verify.assert(StatusCode::OK, "Please verify your token.");
    assert!(
        !verify.body.contains("Adding:"),
        "enabling two-factor adds no named authenticator"
    );
    let app = app_for(&key);
    let right = code(&app, NOW);
    let refused = browser
        .post("/profile/two-factor/verify", &[("code", &wrong(&right))])
        .await;
    refused.assert(StatusCode::UNAUTHORIZED, CODE_REFUSED);
    let done = browser
        .post("/profile/two-factor/verify", &[("code", &right)])
        .await;
    done.assert(StatusCode::OK, "Success: Two-Factor Enrollment Complete.");
    assert_eq!(
        done.body.matches("<li><code>").count(),
        10,
        "the backup codes, shown once"
    );
    assert!(done.body.contains("Warning"));
    assert!(server.account(3522).two_factor_enabled());

    browser
        .get("/profile")
        .await
        .assert(StatusCode::OK, "Click to disable");
}

#[tokio::test]
async fn an_expired_enrollment_leaves_two_factor_off() {
    let server = Server::new();
    let mut browser = server.browser();
    browser.sign_in("joe.example", JOE_PASSWORD).await;
    browser.get("/profile/two-factor/enable").await;
    let step5 = browser
        .post("/profile/two-factor/enable", &[("password", JOE_PASSWORD)])
        .await;
    let app = app_for(&step5.between("id=\"key\">", "<"));
    server.clock.advance(601);
    let again = browser.get("/profile/two-factor/verify").await;
    assert_eq!(
        again.location(),
        "/profile/two-factor/enable",
        "nothing left to verify"
    );
    let late = browser
        .post(
            "/profile/two-factor/verify",
            &[("code", &code(&app, server.clock.now()))],
        )
        .await;
    late.assert(
        StatusCode::GONE,
        "The enrollment expired and two-factor is still off",
    );
    assert!(!server.account(3522).two_factor_enabled());
}

#[tokio::test]
async fn cancel_drops_the_pending_enrollment() {
    let server = Server::new();
    let mut browser = server.browser();
    browser.sign_in("joe.example", JOE_PASSWORD).await;
    browser.get("/profile/two-factor/enable").await;
    browser
        .post("/profile/two-factor/enable", &[("password", JOE_PASSWORD)])
        .await;
    let page = browser.post("/profile/two-factor/cancel", &[]).await;
    assert_eq!(page.location(), "/profile");
    assert!(!server.account(3522).enrollment_pending(NOW));
}

#[tokio::test]
async fn a_contact_without_client_profile_view_may_not_enable() {
    let server = Server::new();
    let mut browser = server.browser();
    browser.sign_in("contact.example", CONTACT_PASSWORD).await;
    browser.get("/profile/two-factor/enable").await;
    let before = server.account(3523);
    let page = browser
        .post(
            "/profile/two-factor/enable",
            &[("password", CONTACT_PASSWORD)],
        )
        .await;
    page.assert(StatusCode::FORBIDDEN, "Client Profile: View");
    assert_eq!(
        server.account(3523),
        before,
        "refused before the password was even checked"
    );
}

#[tokio::test]
async fn disabling_two_factor_asks_for_the_password() {
    let server = Server::new();
    let mut browser = server.browser();
    browser.sign_in("joe.example", JOE_PASSWORD).await;
    browser.enable_two_factor(JOE_PASSWORD, &server.clock).await;

    let page = browser.get("/profile/two-factor/disable").await;
    page.assert(StatusCode::OK, "Disable two-factor authentication? If you are sure you would like to proceed, please verify your password below.");
    let wrong = browser
        .post(
            "/profile/two-factor/disable",
            &[("password", "not my password!")],
        )
        .await;
    wrong.assert(StatusCode::UNAUTHORIZED, "The password is incorrect.");
    assert!(server.account(3522).two_factor_enabled());

    let done = browser
        .post("/profile/two-factor/disable", &[("password", JOE_PASSWORD)])
        .await;
    assert_eq!(done.location(), "/profile");
    let profile = browser.get("/profile").await;
    profile.assert(StatusCode::OK, "Success: Two-Factor Has Been Disabled.");
    assert!(profile.body.contains("Click to enable"));
    assert!(!server.account(3522).two_factor_enabled());
}

// ---- Two-factor: the second step of signing in (seed 004) ------------------------

/// Joe with two-factor on, logged out; returns his app and backup codes.
async fn joe_enrolled(server: &Server) -> (countersign::totp::Totp, Vec<String>) {
    let mut browser = server.browser();
    browser.sign_in("joe.example", JOE_PASSWORD).await;
    let enrolled = browser.enable_two_factor(JOE_PASSWORD, &server.clock).await;
    browser.logout().await;
    server.clock.advance(60); // past the step enrollment consumed
    enrolled
}

#[tokio::test]
async fn the_second_step_with_the_app_and_a_remembered_device() {
    let server = Server::new();
    let (app, _) = joe_enrolled(&server).await;
    let mut browser = server.browser();
    let page = browser.login("1707", JOE_PASSWORD).await;
    assert_eq!(page.location(), "/login/code");
    assert_eq!(
        browser.get("/profile").await.location(),
        "/login",
        "not signed in yet"
    );

    let step = browser.get("/login/code").await;
    for text in [
        "Authentication Code",
        "Remember this device for 30 days",
        "Send SMS Code",
        "Use a backup code",
    ] {
        step.assert(StatusCode::OK, text);
    }
    let right = code(&app, server.clock.now());
    let wrong_code = browser
        .post("/login/code", &[("kind", "app"), ("code", &wrong(&right))])
        .await;
    wrong_code.assert(StatusCode::UNAUTHORIZED, CODE_REFUSED);

    let signed_in = browser
        .post(
            "/login/code",
            &[("kind", "app"), ("code", &right), ("remember", "on")],
        )
        .await;
    assert_eq!(signed_in.location(), "/profile");
    let device = signed_in
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("countersign_device="))
        .expect("the remembered-device cookie");
    for attribute in ["HttpOnly", "SameSite=Strict", "Secure", "Max-Age=2592000"] {
        assert!(device.contains(attribute), "{device}");
    }
    browser
        .get("/profile")
        .await
        .assert(StatusCode::OK, "Joe Example");

    // The same code on another browser: a replay, answered as a wrong code is.
    let mut thief = server.browser();
    thief.login("joe.example", JOE_PASSWORD).await;
    let replayed = thief
        .post("/login/code", &[("kind", "app"), ("code", &right)])
        .await;
    assert_eq!(replayed.status, wrong_code.status);
    assert_eq!(
        replayed.between("role=\"alert\">", "<"),
        wrong_code.between("role=\"alert\">", "<"),
        "a wrong and a replayed code say the same"
    );

    // Next week, on the remembered device: no code asked.
    browser.logout().await;
    server.clock.advance(7 * 86_400);
    let again = browser.login("joe.example", JOE_PASSWORD).await;
    assert_eq!(again.location(), "/profile");
}

#[tokio::test]
async fn the_second_step_with_a_backup_code_once() {
    let server = Server::new();
    let (_, codes) = joe_enrolled(&server).await;
    let mut browser = server.browser();
    browser.login("joe.example", JOE_PASSWORD).await;
    browser
        .get("/login/code?with=backup")
        .await
        .assert(StatusCode::OK, "Backup Code");
    let page = browser
        .post("/login/code", &[("kind", "backup"), ("code", &codes[0])])
        .await;
    assert_eq!(page.location(), "/profile");
    browser
        .get("/profile")
        .await
        .assert(StatusCode::OK, "9 backup codes left");

    browser.logout().await;
    browser.login("joe.example", JOE_PASSWORD).await;
    let again = browser
        .post("/login/code", &[("kind", "backup"), ("code", &codes[0])])
        .await;
    again.assert(StatusCode::UNAUTHORIZED, CODE_REFUSED);
}

#[tokio::test]
async fn the_second_step_with_an_sms_code() {
    let server = Server::new();
    joe_enrolled(&server).await;
    let mut browser = server.browser();
    browser.login("joe.example", JOE_PASSWORD).await;
    browser.get("/login/code").await;
    let sent = browser.post("/login/sms", &[]).await;
    assert_eq!(sent.location(), "/login/code?with=sms");
    browser
        .get("/login/code?with=sms")
        .await
        .assert(StatusCode::OK, "A code was sent to your cell phone.");
    let sms = server.last_message_to("+1 509 555 0100");
    // The code's life, in whole minutes (5 minutes, the facade's SMS code lifetime).
    assert!(sms.contains("It expires in 5 minutes."), "{sms}");
    let code = digits(&sms, 6);
    let page = browser
        .post("/login/code", &[("kind", "sms"), ("code", &code)])
        .await;
    assert_eq!(page.location(), "/profile");

    browser.logout().await;
    browser.login("joe.example", JOE_PASSWORD).await;
    let used = browser
        .post("/login/code", &[("kind", "sms"), ("code", &code)])
        .await;
    used.assert(StatusCode::UNAUTHORIZED, CODE_REFUSED);
}

#[tokio::test]
async fn no_sms_button_without_a_cell_phone() {
    let server = Server::new();
    // Contact Example may enroll once Joe allows it; here, enroll directly.
    let mut account = server.account(3523);
    let read = account.revision();
    let allowed = |_: u64, _: countersign::Gate| true;
    let started = server
        .app
        .portal()
        .begin_enrollment(
            &mut account,
            &allowed,
            CONTACT_PASSWORD,
            NOW,
            &mut rand::rng(),
        )
        .unwrap();
    let app = app_for(&started.key_for_typing());
    server
        .app
        .portal()
        .confirm_enrollment(&mut account, &code(&app, NOW), NOW, &mut rand::rng())
        .unwrap();
    server.app.store().swap(read, &account).unwrap();

    let mut browser = server.browser();
    browser.login("contact.example", CONTACT_PASSWORD).await;
    let step = browser.get("/login/code").await;
    step.assert(StatusCode::OK, "Authentication Code");
    assert!(!step.body.contains("Send SMS Code"));
}

// ---- Create Account, Reset Password, Change Password (seed 003) --------------------

#[tokio::test]
async fn create_account_shows_the_policy_and_its_violations() {
    let server = Server::new();
    let mut browser = server.browser();
    let form = browser.get("/create").await;
    form.assert(
        StatusCode::OK,
        "Password must contain 12 characters or more",
    );
    let fields = |password| {
        [
            ("name", "Jane Doe"),
            ("email", "jane@example.com"),
            ("username", "jane.doe"),
            ("password", password),
        ]
    };
    let short = browser.post("/create", &fields("jane.doe")).await;
    short.assert(
        StatusCode::UNPROCESSABLE_ENTITY,
        "The password does not meet the rules.",
    );
    assert!(short.body.contains("class=\"violations\""));
    assert!(
        short
            .body
            .contains("<li>Use at least 12 characters; this password has 8.</li>"),
        "each rule broken, in the facade's words: {}",
        short.body
    );
    assert!(
        short.body.contains("value=\"jane.doe\""),
        "the form keeps what was typed"
    );

    let taken = browser
        .post(
            "/create",
            &[
                ("name", "Joe"),
                ("email", "joe@example.com"),
                ("username", "joe.example"),
                ("password", "Tulips on the balcony, 7 of them"),
            ],
        )
        .await;
    taken.assert(StatusCode::CONFLICT, "That username is taken.");

    let created = browser
        .post("/create", &fields("Tulips on the balcony, 7 of them"))
        .await;
    created.assert(StatusCode::OK, "Sign in to your new account");
    browser
        .sign_in("jane.doe", "Tulips on the balcony, 7 of them")
        .await;
}

#[tokio::test]
async fn reset_password_with_the_emailed_code() {
    let server = Server::new();
    let mut browser = server.browser();
    browser
        .get("/reset")
        .await
        .assert(StatusCode::OK, "Reset Password");
    let page = browser
        .post("/reset", &[("login", "contact.example")])
        .await;
    page.assert(StatusCode::OK, "quickly expire");
    let email = server.last_message_to("marketing@viviotech.net");
    assert!(email.contains("quickly expire (in 15 minutes)"), "{email}");
    let code = digits(&email, 8);

    let refused = browser
        .post(
            "/reset/code",
            &[
                ("code", &wrong(&code)),
                ("password", "Tulips on the balcony, 7 of them"),
            ],
        )
        .await;
    refused.assert(StatusCode::UNAUTHORIZED, CODE_REFUSED);
    let weak = browser
        .post(
            "/reset/code",
            &[("code", &code), ("password", "contact.example")],
        )
        .await;
    weak.assert(StatusCode::UNPROCESSABLE_ENTITY, "class=\"violations\"");
    let done = browser
        .post(
            "/reset/code",
            &[
                ("code", &code),
                ("password", "Tulips on the balcony, 7 of them"),
            ],
        )
        .await;
    assert_eq!(done.location(), "/login");
    browser
        .get("/login")
        .await
        .assert(StatusCode::OK, "Success: Your password has been reset.");
    browser
        .sign_in("contact.example", "Tulips on the balcony, 7 of them")
        .await;

    // An unknown login gets the same page, and no code works for it.
    let mut stranger = server.browser();
    stranger.get("/reset").await;
    stranger
        .post("/reset", &[("login", "nobody.here")])
        .await
        .assert(StatusCode::OK, "quickly expire");
    let nothing = stranger
        .post(
            "/reset/code",
            &[
                ("code", &code),
                ("password", "Tulips on the balcony, 7 of them"),
            ],
        )
        .await;
    nothing.assert(StatusCode::UNAUTHORIZED, CODE_REFUSED);
}

#[tokio::test]
async fn change_password_checks_the_current_one_and_the_rules() {
    let server = Server::new();
    let mut browser = server.browser();
    browser.sign_in("joe.example", JOE_PASSWORD).await;
    browser
        .get("/profile/password")
        .await
        .assert(StatusCode::OK, "Current Password");
    let wrong = browser
        .post(
            "/profile/password",
            &[
                ("current", "not my password!"),
                ("password", "A brand new passphrase for Joe"),
            ],
        )
        .await;
    wrong.assert(StatusCode::UNAUTHORIZED, "The password is incorrect.");
    let weak = browser
        .post(
            "/profile/password",
            &[("current", JOE_PASSWORD), ("password", "short")],
        )
        .await;
    weak.assert(StatusCode::UNPROCESSABLE_ENTITY, "class=\"violations\"");
    let done = browser
        .post(
            "/profile/password",
            &[
                ("current", JOE_PASSWORD),
                ("password", "A brand new passphrase for Joe"),
            ],
        )
        .await;
    assert_eq!(done.location(), "/profile");
    browser
        .get("/profile")
        .await
        .assert(StatusCode::OK, "Success: Password changed.");
    browser.logout().await;
    browser
        .sign_in("1707", "A brand new passphrase for Joe")
        .await;
}

// ---- Development mode ------------------------------------------------------------

#[tokio::test]
async fn the_outbox_shows_in_development_mode_only() {
    let server = Server::dev();
    let mut browser = server.browser();
    browser.get("/reset").await;
    browser.post("/reset", &[("login", "1707")]).await;
    let outbox = browser.get("/dev/outbox").await;
    outbox.assert(
        StatusCode::OK,
        "<td>Email</td><td>marketing@viviotech.net</td>",
    );
    assert!(outbox.body.contains("password reset code"));
    joe_enrolled(&server).await;
    let mut joe = server.browser();
    joe.login("joe.example", JOE_PASSWORD).await;
    joe.post("/login/sms", &[]).await;
    let outbox = browser.get("/dev/outbox").await;
    outbox.assert(StatusCode::OK, "<td>SMS</td><td>+1 509 555 0100</td>");

    let production = Server::new();
    assert_eq!(
        production.browser().get("/dev/outbox").await.status,
        StatusCode::NOT_FOUND
    );
}

// ---- View Contacts, Edit Contact (seeds 000, 001, 002) -----------------------------

#[tokio::test]
async fn view_contacts_shows_the_seeds_table() {
    let server = Server::new();
    let mut browser = server.browser();
    browser.sign_in("joe.example", JOE_PASSWORD).await;
    let page = browser.get("/contacts").await;
    page.assert(StatusCode::OK, "Contacts 1-3 of 3 Shown");
    for text in [
        "3522",
        "Joe Example",
        "Primary Contact",
        "3523",
        "Contact Example 2",
        "Security Code",
        "href=\"/contacts/3526\"",
    ] {
        assert!(page.body.contains(text), "{text}");
    }
    let details = browser.get("/contacts/3523").await;
    details.assert(StatusCode::OK, "Edit Contact");
    for tab in ["Contact Details", "Permissions", "Unlock"] {
        assert!(details.body.contains(tab), "{tab}");
    }
}

#[tokio::test]
async fn only_the_primary_contact_manages_contacts() {
    let server = Server::new();
    let mut browser = server.browser();
    browser.sign_in("contact.example", CONTACT_PASSWORD).await;
    assert_eq!(browser.get("/contacts").await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        browser.get("/contacts/3523?tab=permissions").await.status,
        StatusCode::FORBIDDEN
    );
    browser.get("/profile").await;
    let grant = browser
        .post(
            "/contacts/3523/permissions",
            &[("client-profile.view", "allow")],
        )
        .await;
    grant.assert(StatusCode::FORBIDDEN, "primary contact manages contacts");
    // Still no "Client Profile: View": enabling stays refused.
    browser.get("/profile/two-factor/enable").await;
    let page = browser
        .post(
            "/profile/two-factor/enable",
            &[("password", CONTACT_PASSWORD)],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn another_clients_contacts_are_not_found() {
    let server = Server::new();
    let mut browser = server.browser();
    browser.get("/create").await;
    browser
        .post(
            "/create",
            &[
                ("name", "Other Owner"),
                ("email", "o@example.com"),
                ("username", "other.owner"),
                ("password", "Tulips on the balcony, 7 of them"),
            ],
        )
        .await
        .assert(StatusCode::OK, "was created");
    browser
        .sign_in("other.owner", "Tulips on the balcony, 7 of them")
        .await;
    assert_eq!(
        browser.get("/contacts/3523").await.status,
        StatusCode::NOT_FOUND
    );
    browser.get("/contacts").await;
    let unlock = browser.post("/contacts/3523/unlock", &[]).await;
    assert_eq!(unlock.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_permissions_grid_lets_a_contact_enable_two_factor() {
    let server = Server::new();
    let mut joe = server.browser();
    joe.sign_in("joe.example", JOE_PASSWORD).await;
    let grid = joe.get("/contacts/3523?tab=permissions").await;
    grid.assert(StatusCode::OK, "Filter resources");
    for text in [
        "() shows inherited value",
        "Client Portal",
        "(None)",
        "Viviotech Website",
        "<td>-</td>",
        "name=\"client-profile.view\"",
    ] {
        assert!(grid.body.contains(text), "{text}");
    }
    let filtered = joe
        .get("/contacts/3523?tab=permissions&filter=profile")
        .await;
    assert!(filtered.body.contains("Client Profile") && !filtered.body.contains("Billing"));
    assert!(
        filtered.body.contains("name=\"client-profile.view\"")
            && !filtered.body.contains("name=\"viviotech-website."),
        "the grid's rows are filtered, not only its text"
    );

    let updated = joe
        .post(
            "/contacts/3523/permissions",
            &[("client-profile.view", "allow")],
        )
        .await;
    assert_eq!(updated.location(), "/contacts");
    joe.get("/contacts")
        .await
        .assert(StatusCode::OK, "Success: Contact updated.");
    let grid = joe.get("/contacts/3523?tab=permissions").await;
    assert!(
        grid.body.contains("value=\"allow\" selected"),
        "Client Profile: View is Allow"
    );
    assert!(grid.body.contains("(Allow)"), "Profile inherits it");
    joe.post(
        "/contacts/3523/permissions",
        &[("client-profile.view", "deny")],
    )
    .await;
    let grid = joe.get("/contacts/3523?tab=permissions").await;
    assert!(
        grid.body.contains("value=\"deny\" selected")
            && !grid.body.contains("value=\"allow\" selected"),
        "Client Profile: View is Deny now"
    );
    joe.post(
        "/contacts/3523/permissions",
        &[("client-profile.view", "allow")],
    )
    .await;

    let mut contact = server.browser();
    contact.sign_in("contact.example", CONTACT_PASSWORD).await;
    contact
        .enable_two_factor(CONTACT_PASSWORD, &server.clock)
        .await;
    assert!(server.account(3523).two_factor_enabled());

    let bad = joe
        .post(
            "/contacts/3523/permissions",
            &[("viviotech-website.create", "allow")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "\"-\" cannot be set");
}

#[tokio::test]
async fn the_unlock_tab_counts_failed_attempts_before_any_lockout() {
    let server = Server::new();
    let mut joe = server.browser();
    joe.sign_in("joe.example", JOE_PASSWORD).await;
    joe.get("/contacts/3523?tab=unlock")
        .await
        .assert(StatusCode::OK, "Nothing is locked");
    // One wrong password: refused as wrong, not locked, but counted, so the tab
    // says so.
    let wrong = server
        .browser()
        .login("contact.example", "not the password!!")
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    joe.get("/contacts/3523?tab=unlock")
        .await
        .assert(StatusCode::OK, "Failed attempts are counted for: password.");
}

#[tokio::test]
async fn unlock_lifts_a_lockout() {
    let server = Server::new();
    let mut contact = server.browser();
    server.lock_out("contact.example");
    contact
        .login("contact.example", CONTACT_PASSWORD)
        .await
        .assert(StatusCode::TOO_MANY_REQUESTS, "locked");

    let mut joe = server.browser();
    joe.sign_in("joe.example", JOE_PASSWORD).await;
    let tab = joe.get("/contacts/3523?tab=unlock").await;
    tab.assert(StatusCode::OK, "Failed attempts are counted for");
    let done = joe.post("/contacts/3523/unlock", &[]).await;
    assert_eq!(done.location(), "/contacts/3523?tab=unlock");
    joe.get("/contacts/3523?tab=unlock")
        .await
        .assert(StatusCode::OK, "Nothing is locked");
    contact.sign_in("contact.example", CONTACT_PASSWORD).await;
}

#[tokio::test]
async fn deactivate_closes_a_contacts_way_in_and_ends_its_sessions() {
    let server = Server::new();
    let mut contact = server.browser();
    contact.sign_in("contact.example", CONTACT_PASSWORD).await;

    let mut joe = server.browser();
    joe.sign_in("joe.example", JOE_PASSWORD).await;
    let list = joe.get("/contacts").await;
    list.assert(StatusCode::OK, "action=\"/contacts/3523/deactivate\"");
    assert!(
        !list.body.contains("/contacts/3522/deactivate"),
        "the primary contact's own line offers no deactivate"
    );
    let done = joe.post("/contacts/3523/deactivate", &[]).await;
    assert_eq!(done.location(), "/contacts");
    assert!(server.account(3523).deactivated_at().is_some());
    joe.get("/contacts")
        .await
        .assert(StatusCode::OK, "(deactivated)");

    // Its open session ended, and the right password no longer signs it in.
    let profile = contact.get("/profile").await;
    assert_eq!(profile.location(), "/login");
    contact
        .login("contact.example", CONTACT_PASSWORD)
        .await
        .assert(StatusCode::FORBIDDEN, "deactivated");

    joe.post("/contacts/3523/reactivate", &[]).await;
    assert!(server.account(3523).deactivated_at().is_none());
    contact.sign_in("contact.example", CONTACT_PASSWORD).await;
}

#[tokio::test]
async fn only_the_primary_contact_deactivates_and_not_itself() {
    let server = Server::new();
    let mut contact = server.browser();
    contact.sign_in("contact.example", CONTACT_PASSWORD).await;
    let before = server.account(3526).revision();
    let refused = contact.post("/contacts/3526/deactivate", &[]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(server.account(3526).revision(), before, "state changed");

    let mut joe = server.browser();
    joe.sign_in("joe.example", JOE_PASSWORD).await;
    let itself = joe.post("/contacts/3522/deactivate", &[]).await;
    assert_eq!(itself.status, StatusCode::FORBIDDEN);
    assert!(server.account(3522).deactivated_at().is_none());
}

// ---- Security codes (seed 002) ------------------------------------------------------

#[tokio::test]
async fn the_account_wide_code_under_custom_fields() {
    let server = Server::new();
    let mut joe = server.browser();
    joe.sign_in("joe.example", JOE_PASSWORD).await;
    let profile = joe.get("/profile").await;
    profile.assert(StatusCode::OK, "CUSTOM FIELDS");
    assert!(profile.body.contains("href=\"/profile/security-code\""));
    joe.get("/profile/security-code")
        .await
        .assert(StatusCode::OK, "A minimum of eight characters is required.");
    let refused = joe
        .post("/profile/security-code", &[("code", "Joe-04-12-1985")])
        .await;
    refused.assert(
        StatusCode::UNPROCESSABLE_ENTITY,
        "That security code was refused",
    );
    assert!(refused.body.contains("class=\"violations\""));
    let listed = refused.between("class=\"violations\">", "</ul>");
    assert!(
        listed.starts_with("<li>The code contains a calendar date.")
            && listed.contains("<li>The code contains part of the contact&#39;s name."),
        "each reason, in the policy's words: {listed}"
    );
    let saved = joe
        .post("/profile/security-code", &[("code", "Lighthouse-42-Oak")])
        .await;
    assert_eq!(saved.location(), "/profile");
    let profile = joe.get("/profile").await;
    profile.assert(StatusCode::OK, "Success: Account information updated.");
    assert_eq!(
        profile.between("id=\"security-code\">", "<"),
        "Lighthouse-42-Oak"
    );

    // Contact Example 2 sees it only once Joe allows "Profile: View".
    let mut contact = server.browser();
    contact.sign_in("contact.example.2", CONTACT_PASSWORD).await;
    assert!(!contact.get("/profile").await.body.contains("CUSTOM FIELDS"));
    joe.get("/contacts/3526?tab=permissions").await;
    joe.post("/contacts/3526/permissions", &[("profile.view", "allow")])
        .await;
    let seen = contact.get("/profile").await;
    assert_eq!(
        seen.between("id=\"security-code\">", "<"),
        "Lighthouse-42-Oak"
    );
    assert!(
        !seen.body.contains("href=\"/profile/security-code\""),
        "no EDIT without Profile: Update"
    );
    contact.get("/profile/security-code").await;
    let denied = contact
        .post("/profile/security-code", &[("code", "Another-Code-99")])
        .await;
    denied.assert(StatusCode::FORBIDDEN, "Profile: Update");
    let joe_sees = joe.get("/profile").await;
    assert_eq!(
        joe_sees.between("id=\"security-code\">", "<"),
        "Lighthouse-42-Oak",
        "unchanged"
    );
}

#[tokio::test]
async fn a_contacts_own_code_on_the_custom_fields_tab() {
    let server = Server::new();
    let mut joe = server.browser();
    joe.sign_in("joe.example", JOE_PASSWORD).await;
    joe.get("/contacts/3526/security-code")
        .await
        .assert(StatusCode::OK, "Custom Fields");
    let saved = joe
        .post(
            "/contacts/3526/security-code",
            &[("code", "Marmot-Ridge-77")],
        )
        .await;
    assert_eq!(saved.location(), "/contacts/3526/security-code");
    let tab = joe.get("/contacts/3526/security-code").await;
    tab.assert(StatusCode::OK, "Success: Contact updated.");
    assert!(tab.body.contains("value=\"Marmot-Ridge-77\""));
    assert!(server.account(3526).has_security_code());

    let mut other = server.browser();
    other.sign_in("contact.example", CONTACT_PASSWORD).await;
    assert_eq!(
        other.get("/contacts/3526/security-code").await.status,
        StatusCode::FORBIDDEN
    );
    let mut own = server.browser();
    own.sign_in("contact.example.2", CONTACT_PASSWORD).await;
    let denied = own.get("/contacts/3526/security-code").await;
    denied.assert(StatusCode::FORBIDDEN, "Manage Contacts: View and Update");
}

#[tokio::test]
async fn support_verifies_a_caller_and_says_whose_code_it_was() {
    let server = Server::dev();
    let mut joe = server.browser();
    joe.sign_in("joe.example", JOE_PASSWORD).await;
    joe.get("/profile/security-code").await;
    joe.post("/profile/security-code", &[("code", "Lighthouse-42-Oak")])
        .await;
    joe.get("/contacts/3526/security-code").await;
    joe.post(
        "/contacts/3526/security-code",
        &[("code", "Copper-Kettle-19")],
    )
    .await;

    let mut agent = server.browser();
    agent
        .get("/support")
        .await
        .assert(StatusCode::OK, "Verify a Caller");
    let own = agent
        .post(
            "/support",
            &[("client_id", "1707"), ("said", "copper kettle 19")],
        )
        .await;
    own.assert(
        StatusCode::OK,
        "Verified: the own security code of Contact Example 2 (3526).",
    );
    let wide = agent
        .post(
            "/support",
            &[("client_id", "1707"), ("said", "LIGHTHOUSE 42 OAK")],
        )
        .await;
    wide.assert(
        StatusCode::OK,
        "the account-wide security code of client 1707",
    );
    let wrong = agent
        .post(
            "/support",
            &[("client_id", "1707"), ("said", "not a code at all")],
        )
        .await;
    wrong.assert(
        StatusCode::UNAUTHORIZED,
        "not a security code on this account",
    );

    assert_eq!(
        Server::new().browser().get("/support").await.status,
        StatusCode::NOT_FOUND
    );
}

// ---- Cell phone (seed 004) ------------------------------------------------------------

#[tokio::test]
async fn the_cell_phone_is_validated_and_stored_in_e164() {
    let server = Server::new();
    let mut browser = server.browser();
    browser.sign_in("contact.example", CONTACT_PASSWORD).await;
    let form = browser.get("/profile/cell-phone").await;
    form.assert(StatusCode::OK, "Country Code");
    assert!(form.body.contains("United Kingdom (+44)"));

    let bad = browser
        .post(
            "/profile/cell-phone",
            &[("country", "US"), ("cell_phone", "123")],
        )
        .await;
    bad.assert(StatusCode::UNPROCESSABLE_ENTITY, "not a valid phone number");
    assert_eq!(server.account(3523).profile().cell_phone, None);
    assert_eq!(
        bad.body.matches(" selected>").count(),
        1,
        "the country chosen, and only it, stays selected"
    );
    bad.assert(
        StatusCode::UNPROCESSABLE_ENTITY,
        "<option value=\"US\" selected>",
    );

    let saved = browser
        .post(
            "/profile/cell-phone",
            &[("country", "GB"), ("cell_phone", "07911 123456")],
        )
        .await;
    assert_eq!(saved.location(), "/profile");
    let profile = browser.get("/profile").await;
    profile.assert(StatusCode::OK, "Success: Contact updated.");
    assert!(profile.body.contains("+447911123456"));
    assert_eq!(
        server.account(3523).profile().cell_phone.as_deref(),
        Some("+447911123456")
    );

    browser.get("/profile/cell-phone").await;
    browser
        .post(
            "/profile/cell-phone",
            &[("country", "GB"), ("cell_phone", "")],
        )
        .await;
    assert_eq!(
        server.account(3523).profile().cell_phone,
        None,
        "an empty field removes it"
    );
}

#[tokio::test]
async fn the_login_and_password_tab_emails_a_reset_code() {
    let server = Server::new();
    let mut joe = server.browser();
    joe.sign_in("joe.example", JOE_PASSWORD).await;
    let tab = joe.get("/contacts/3523?tab=login").await;
    tab.assert(StatusCode::OK, "Login &amp; Password");
    assert!(tab.body.contains("contact.example"));
    assert!(
        tab.body
            .contains("href=\"/contacts/3523?tab=login\" class=\"current\"")
            && tab.body.contains("Remembered devices:")
            && tab.body.contains("Email a Reset Code"),
        "the login tab, not Contact Details: {}",
        tab.body
    );
    let sent = joe.post("/contacts/3523/reset", &[]).await;
    assert_eq!(sent.location(), "/contacts/3523?tab=login");
    joe.get("/contacts/3523?tab=login").await.assert(
        StatusCode::OK,
        "A reset code was emailed to marketing@viviotech.net.",
    );
    let code = digits(&server.last_message_to("marketing@viviotech.net"), 8);

    // A request from Reset Password replaces it.
    let mut contact = server.browser();
    contact.get("/reset").await;
    contact
        .post("/reset", &[("login", "contact.example")])
        .await;
    let fresh = digits(&server.last_message_to("marketing@viviotech.net"), 8);
    assert_ne!(code, fresh, "a new request replaces the code");

    joe.get("/contacts/3526?tab=login").await;
    let none = joe.post("/contacts/3526/reset", &[]).await;
    none.assert(
        StatusCode::UNPROCESSABLE_ENTITY,
        "No email is on file for this contact.",
    );

    let mut other = server.browser();
    other.sign_in("contact.example", CONTACT_PASSWORD).await;
    assert_eq!(
        other.post("/contacts/3522/reset", &[]).await.status,
        StatusCode::FORBIDDEN
    );
}

// ---- Several authenticators and renewable backup codes (issue 14) -------------

/// Adds an authenticator named `name` through its pop-ups; returns its app.
async fn add_authenticator(
    browser: &mut Browser,
    server: &Server,
    name: &str,
) -> countersign::totp::Totp {
    browser
        .get("/profile/authenticators/add")
        .await
        .assert(StatusCode::OK, "Add Another Authenticator");
    let key = browser
        .post(
            "/profile/authenticators/add",
            &[("name", name), ("password", JOE_PASSWORD)],
        )
        .await;
    key.assert(StatusCode::OK, "Your secret key is shown below");
    key.assert(StatusCode::OK, "Complete enrollment within 10 minutes.");
    let app = app_for(&key.between("id=\"key\">", "<"));
    let verify = browser.get("/profile/two-factor/verify").await;
    verify.assert(StatusCode::OK, "Please verify your token.");
    // The pop-up names what is being confirmed, escaped as askama escapes.
    let escaped = name
        .trim()
        .replace('&', "&#38;")
        .replace('<', "&#60;")
        .replace('>', "&#62;")
        .replace('\'', "&#39;")
        .replace('"', "&#34;");
    verify.assert(StatusCode::OK, &format!("Adding: {escaped}"));
    let done = browser
        .post(
            "/profile/two-factor/verify",
            &[("code", &code(&app, server.clock.now()))],
        )
        .await;
    assert_eq!(done.location(), "/profile", "{}", done.body);
    app
}

#[tokio::test]
async fn another_authenticator_is_added_with_a_name_and_either_signs_in() {
    let server = Server::new();
    let mut browser = server.browser();
    browser.sign_in("joe.example", JOE_PASSWORD).await;
    browser.enable_two_factor(JOE_PASSWORD, &server.clock).await;
    let profile = browser.get("/profile").await;
    for text in [
        "Authenticators:",
        "Authenticator app",
        "Add another authenticator",
        "(10 backup codes left)",
        "Regenerate backup codes",
    ] {
        profile.assert(StatusCode::OK, text);
    }
    assert!(!profile.body.contains("backup-codes-low"));

    // The wrong password, a taken name, a blank name: refused, nothing pending.
    browser.get("/profile/authenticators/add").await;
    let wrong_password = browser
        .post(
            "/profile/authenticators/add",
            &[("name", "YubiKey"), ("password", "not my password!")],
        )
        .await;
    wrong_password.assert(StatusCode::UNAUTHORIZED, "The password is incorrect.");
    assert!(
        wrong_password.body.contains("value=\"YubiKey\""),
        "the name is kept"
    );
    let taken = browser
        .post(
            "/profile/authenticators/add",
            &[("name", " authenticator APP "), ("password", JOE_PASSWORD)],
        )
        .await;
    taken.assert(
        StatusCode::UNPROCESSABLE_ENTITY,
        "you already have an authenticator named",
    );
    let blank = browser
        .post(
            "/profile/authenticators/add",
            &[("name", "  "), ("password", JOE_PASSWORD)],
        )
        .await;
    blank.assert(
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid authenticator name",
    );
    assert!(!server.account(3522).enrollment_pending(server.clock.now()));

    server.clock.advance(30);
    let token = add_authenticator(&mut browser, &server, "Joe's <b>token</b>").await;
    let profile = browser.get("/profile").await;
    profile.assert(StatusCode::OK, "Success: Authenticator Added.");
    profile.assert(StatusCode::OK, "Joe&#39;s &#60;b&#62;token&#60;/b&#62;");
    assert!(!profile.body.contains("<b>token"), "the name is escaped");
    assert_eq!(server.account(3522).authenticators().len(), 2);
    assert_eq!(
        server.account(3522).backup_codes_left(),
        Some(10),
        "no new codes"
    );

    // The token signs in; the profile then says when it was last used.
    browser.logout().await;
    server.clock.advance(60);
    browser.login("joe.example", JOE_PASSWORD).await;
    let signed_in = browser
        .post(
            "/login/code",
            &[("kind", "app"), ("code", &code(&token, server.clock.now()))],
        )
        .await;
    assert_eq!(signed_in.location(), "/profile");
    let profile = browser.get("/profile").await;
    profile.assert(StatusCode::OK, "2025-11-23");
    assert!(
        profile.body.contains("never"),
        "the first app was not used since"
    );
}

#[tokio::test]
async fn an_authenticator_is_removed_with_the_password_and_the_last_one_stays() {
    let server = Server::new();
    let mut browser = server.browser();
    browser.sign_in("joe.example", JOE_PASSWORD).await;
    let (phone, _) = browser.enable_two_factor(JOE_PASSWORD, &server.clock).await;
    server.clock.advance(30);
    let token = add_authenticator(&mut browser, &server, "YubiKey").await;

    let page = browser
        .get("/profile/authenticators/remove?name=YubiKey")
        .await;
    page.assert(StatusCode::OK, "Remove the authenticator");
    assert_eq!(page.between("id=\"authenticator\">", "<"), "YubiKey");
    let wrong = browser
        .post(
            "/profile/authenticators/remove",
            &[("name", "YubiKey"), ("password", "not my password!")],
        )
        .await;
    wrong.assert(StatusCode::UNAUTHORIZED, "The password is incorrect.");
    assert_eq!(server.account(3522).authenticators().len(), 2);
    let unknown = browser
        .post(
            "/profile/authenticators/remove",
            &[("name", "a drawer"), ("password", JOE_PASSWORD)],
        )
        .await;
    unknown.assert(
        StatusCode::NOT_FOUND,
        "no authenticator of yours has that name",
    );

    let done = browser
        .post(
            "/profile/authenticators/remove",
            &[("name", "YubiKey"), ("password", JOE_PASSWORD)],
        )
        .await;
    assert_eq!(done.location(), "/profile");
    let profile = browser.get("/profile").await;
    profile.assert(StatusCode::OK, "Success: Authenticator Removed.");
    assert!(!profile.body.contains("YubiKey"));

    // The last one: refused, two-factor stays on.
    browser
        .get("/profile/authenticators/remove?name=Authenticator%20app")
        .await;
    let last = browser
        .post(
            "/profile/authenticators/remove",
            &[("name", "Authenticator app"), ("password", JOE_PASSWORD)],
        )
        .await;
    last.assert(StatusCode::CONFLICT, "this is your only authenticator");
    assert!(server.account(3522).two_factor_enabled());

    // The removed token no longer signs in; the phone does.
    browser.logout().await;
    server.clock.advance(60);
    browser.login("joe.example", JOE_PASSWORD).await;
    let now = server.clock.now();
    browser
        .post(
            "/login/code",
            &[("kind", "app"), ("code", &code(&token, now))],
        )
        .await
        .assert(StatusCode::UNAUTHORIZED, CODE_REFUSED);
    let signed_in = browser
        .post(
            "/login/code",
            &[("kind", "app"), ("code", &code(&phone, now))],
        )
        .await;
    assert_eq!(signed_in.location(), "/profile");
}

#[tokio::test]
async fn regenerating_the_backup_codes_shows_the_new_set_once_and_kills_the_old() {
    let server = Server::new();
    let (_, old) = joe_enrolled(&server).await;
    let mut browser = server.browser();
    browser.login("joe.example", JOE_PASSWORD).await;
    let by_backup = browser
        .post("/login/code", &[("kind", "backup"), ("code", &old[0])])
        .await;
    assert_eq!(by_backup.location(), "/profile");
    browser.get("/profile").await;

    browser
        .get("/profile/backup-codes")
        .await
        .assert(StatusCode::OK, "every old code, used or not, stops working");
    let wrong = browser
        .post("/profile/backup-codes", &[("password", "not my password!")])
        .await;
    wrong.assert(StatusCode::UNAUTHORIZED, "The password is incorrect.");
    assert_eq!(
        server.account(3522).backup_codes_left(),
        Some(9),
        "the old set stays"
    );

    let done = browser
        .post("/profile/backup-codes", &[("password", JOE_PASSWORD)])
        .await;
    done.assert(StatusCode::OK, "Success: New Backup Codes Generated.");
    done.assert(
        StatusCode::OK,
        "note your backup codes in a secure location",
    );
    let new: Vec<String> = done
        .body
        .split("<li><code>")
        .skip(1)
        .map(|s| s.split('<').next().unwrap().to_owned())
        .collect();
    assert_eq!(new.len(), 10);
    assert!(new.iter().all(|c| !old.contains(c)));
    let profile = browser.get("/profile").await;
    profile.assert(StatusCode::OK, "(10 backup codes left)");
    assert!(!profile.body.contains(&new[0]), "shown once");

    // An old code no longer signs in; a new one does.
    browser.logout().await;
    browser.login("joe.example", JOE_PASSWORD).await;
    browser
        .post("/login/code", &[("kind", "backup"), ("code", &old[1])])
        .await
        .assert(StatusCode::UNAUTHORIZED, CODE_REFUSED);
    let signed_in = browser
        .post("/login/code", &[("kind", "backup"), ("code", &new[0])])
        .await;
    assert_eq!(signed_in.location(), "/profile");
    browser
        .get("/profile")
        .await
        .assert(StatusCode::OK, "9 backup codes left");
}

#[tokio::test]
async fn few_backup_codes_left_ask_the_contact_to_regenerate() {
    let server = Server::new();
    let (_, codes) = joe_enrolled(&server).await;
    let mut browser = server.browser();
    for code in &codes[..7] {
        browser.login("joe.example", JOE_PASSWORD).await;
        let page = browser
            .post("/login/code", &[("kind", "backup"), ("code", code)])
            .await;
        assert_eq!(page.location(), "/profile");
        browser.logout().await;
    }
    browser.login("joe.example", JOE_PASSWORD).await;
    browser
        .post("/login/code", &[("kind", "backup"), ("code", &codes[7])])
        .await;
    let profile = browser.get("/profile").await;
    profile.assert(
        StatusCode::OK,
        "You signed in with a backup code: 2 backup codes left. You are running out of backup codes",
    );
    profile.assert(StatusCode::OK, "id=\"backup-codes-low\"");
    profile.assert(StatusCode::OK, "(2 backup codes left)");
}

#[tokio::test]
async fn an_apps_debug_names_its_portal_and_options_and_no_session_or_hash() {
    let server = Server::new();
    let mut browser = server.browser();
    browser.sign_in("joe.example", JOE_PASSWORD).await;
    let session = browser.cookies["countersign_session"].clone();
    let debug = format!("{:?}", server.app);
    assert!(debug.starts_with("App { portal: Portal {"), "{debug}");
    assert!(debug.contains(", options: Options {"), "{debug}");
    assert!(debug.ends_with(", .. }"), "the rest is left out: {debug}");
    // A session id is a bearer credential; the decoy hash is a real Argon2id hash.
    assert!(!debug.contains(&session), "{debug}");
    assert!(!debug.contains("$argon2"), "{debug}");
}

#[tokio::test]
async fn the_root_sends_a_visitor_to_login_and_a_contact_to_the_profile() {
    let server = Server::new();
    let mut browser = server.browser();
    let visitor = browser.get("/").await;
    assert_eq!(
        (visitor.status, visitor.location()),
        (StatusCode::SEE_OTHER, "/login")
    );
    browser.sign_in("joe.example", JOE_PASSWORD).await;
    let contact = browser.get("/").await;
    assert_eq!(
        (contact.status, contact.location()),
        (StatusCode::SEE_OTHER, "/profile")
    );
}

#[tokio::test]
async fn the_stylesheet_is_served_as_css_and_may_be_cached() {
    let server = Server::new();
    let page = server.browser().get("/static/portal.css").await;
    assert_eq!(page.status, StatusCode::OK);
    let header = |name: &str| page.headers.get(name).unwrap().to_str().unwrap().to_owned();
    assert_eq!(header("content-type"), "text/css; charset=utf-8");
    assert_eq!(
        header("cache-control"),
        "public, max-age=3600",
        "no secret in it"
    );
    assert_eq!(page.body, include_str!("../static/portal.css"));
}

#[tokio::test]
async fn create_account_refuses_each_missing_or_malformed_field_alone() {
    let server = Server::new();
    let mut browser = server.browser();
    browser.get("/create").await;
    let password = "Tulips on the balcony, 7 of them";
    let longest = "u".repeat(64);
    let form = |name, email, username| {
        [
            ("name", name),
            ("email", email),
            ("username", username),
            ("password", password),
        ]
    };
    const REQUIRED: &str = "Fill out every required field (*).";
    const SHAPE: &str =
        "Enter an email address, and a username of at most 64 characters without spaces.";
    let too_long = format!("{longest}u");
    for (fields, says) in [
        (form(" ", "jane@example.com", "jane.doe"), REQUIRED),
        (form("Jane Doe", "", "jane.doe"), REQUIRED),
        (form("Jane Doe", "jane@example.com", " "), REQUIRED),
        (form("Jane Doe", "jane.example.com", "jane.doe"), SHAPE),
        (form("Jane Doe", "jane@example.com", &too_long), SHAPE),
        (form("Jane Doe", "jane@example.com", "jane doe"), SHAPE),
    ] {
        let page = browser.post("/create", &fields).await;
        page.assert(StatusCode::UNPROCESSABLE_ENTITY, says);
    }
    // A username of 64 characters is taken, and signs in.
    let created = browser
        .post("/create", &form("Jane Doe", "jane@example.com", &longest))
        .await;
    created.assert(StatusCode::OK, "Sign in to your new account");
    browser.sign_in(&longest, password).await;
}

#[tokio::test]
async fn a_reset_for_a_damaged_record_is_an_error_and_sends_nothing() {
    let server = Server::new();
    let mut browser = server.browser();
    browser.get("/reset").await;
    // The login is found, but the record behind it no longer reads.
    rusqlite::Connection::open(server.database())
        .unwrap()
        .execute(
            "UPDATE countersign_accounts SET state = '{\"damaged\":true}' WHERE contact_id = 3522",
            [],
        )
        .unwrap();
    let page = browser.post("/reset", &[("login", "joe.example")]).await;
    page.assert(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong on our side. Try again.",
    );
    assert!(
        server.outbox.messages().is_empty(),
        "no email, and no page saying one was sent"
    );
}

#[tokio::test]
async fn past_five_reset_emails_an_hour_the_answer_is_the_same_and_no_email_goes() {
    let server = Server::new();
    let mut browser = server.browser();
    browser.get("/reset").await;
    for sent in 1..=6 {
        let page = browser
            .post("/reset", &[("login", "contact.example")])
            .await;
        page.assert(StatusCode::OK, "quickly expire");
        let emails = server.outbox.messages().len();
        assert_eq!(emails, sent.min(5), "request {sent}");
    }
}
