//! The passkey screens (issue 15) in process, and what they do with hostile
//! input: a missing, damaged, oversized or foreign answer, an answer without
//! a ceremony, a ceremony's answer posted to another, a passkey id that is
//! not one. Every one is a page that says what to do, never a panic, and
//! changes nothing. Whole ceremonies run here with webauthn-rs's software
//! authenticator (the workspace's `tests/browser` module) and in a real browser
//! in `browser_passkey.rs`.

mod harness;
#[path = "../../../tests/browser/mod.rs"]
mod softkey;

use axum::http::StatusCode;
use countersign_web::CONTENT_SECURITY_POLICY;
use harness::*;

/// An answer of the right shape whose bytes are nobody's: the facade's
/// WebAuthn checks refuse it.
const FORGED_ASSERTION: &str = r#"{"id":"AQIDBA","rawId":"AQIDBA","type":"public-key",
  "response":{"authenticatorData":"SZYN5YgOjGh0NBcPZHZgW4_krrmihjLHmVzzuoMdl2MFAAAAAQ",
  "clientDataJSON":"eyJ0eXBlIjoid2ViYXV0aG4uZ2V0In0","signature":"MEUCIQ","userHandle":"AAAAAAAADcI"},
  "extensions":{}}"#;
const FORGED_REGISTRATION: &str = r#"{"id":"AQIDBA","rawId":"AQIDBA","type":"public-key",
  "response":{"attestationObject":"o2NmbXRkbm9uZQ","clientDataJSON":"eyJ0eXBlIjoid2ViYXV0aG4uY3JlYXRlIn0"},
  "extensions":{}}"#;

/// Joe with two-factor on, signed in on `browser`'s profile.
async fn joe_enrolled(server: &Server, browser: &mut Browser) {
    browser.sign_in("joe.example", JOE_PASSWORD).await;
    browser.enable_two_factor(JOE_PASSWORD, &server.clock).await;
    browser.get("/profile").await;
}

#[tokio::test]
async fn the_script_is_this_origins_and_the_csp_allows_it_alone() {
    let server = Server::passkeys();
    let mut browser = server.browser();
    let script = browser.get("/static/passkey.js").await;
    script.assert(StatusCode::OK, "navigator.credentials.create");
    assert_eq!(
        script.headers["content-type"],
        "text/javascript; charset=utf-8"
    );
    assert!(CONTENT_SECURITY_POLICY.contains("script-src 'self'"));
    assert!(!CONTENT_SECURITY_POLICY.contains("unsafe"));
    let login = browser.get("/login").await;
    assert!(
        login
            .body
            .contains(r#"<script src="/static/passkey.js" defer></script>"#)
    );
    // No inline script anywhere: the CSP would refuse it.
    assert_eq!(login.body.matches("<script").count(), 1);
}

#[tokio::test]
async fn the_login_page_offers_a_passkey_only_where_enabled() {
    let on = Server::passkeys();
    let page = on.browser().get("/login").await;
    page.assert(StatusCode::OK, "Sign in with a Passkey");
    // The options for navigator.credentials.get, escaped into the attribute.
    page.assert(StatusCode::OK, "data-passkey=\"get\"");
    page.assert(StatusCode::OK, "&#34;publicKey&#34;");
    // Without JavaScript the button stays disabled, and says why.
    page.assert(StatusCode::OK, "disabled>Sign in with a Passkey");
    page.assert(StatusCode::OK, "<noscript>");

    let off = Server::new();
    let page = off.browser().get("/login").await;
    assert!(!page.body.contains("Passkey"), "{}", page.body);
    assert!(!page.body.contains("<script"));
    // Nor do its routes.
    let mut browser = off.browser();
    browser.get("/login").await;
    let refused = browser
        .post("/login/passwordless", &[("response", FORGED_ASSERTION)])
        .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn passwordless_answers_that_are_not_credentials_are_refused() {
    let server = Server::passkeys();
    let mut browser = server.browser();
    let too_long = format!(r#"{{"id":"{}"}}"#, "A".repeat(13 * 1024));
    for (answer, status, says) in [
        ("", StatusCode::BAD_REQUEST, "this needs JavaScript"),
        ("not json", StatusCode::BAD_REQUEST, "did not arrive whole"),
        ("[]", StatusCode::BAD_REQUEST, "did not arrive whole"),
        (
            r#"{"id":"x"}"#,
            StatusCode::BAD_REQUEST,
            "did not arrive whole",
        ),
        (
            FORGED_REGISTRATION,
            StatusCode::BAD_REQUEST,
            "has no authenticatorData",
        ),
        (&too_long, StatusCode::BAD_REQUEST, "longer than"),
    ] {
        browser.get("/login").await;
        let page = browser
            .post("/login/passwordless", &[("response", answer)])
            .await;
        page.assert(status, says);
        page.assert(status, "Sign in with a Passkey");
    }
    // No response field at all.
    browser.get("/login").await;
    browser
        .post("/login/passwordless", &[])
        .await
        .assert(StatusCode::BAD_REQUEST, "this needs JavaScript");
    // Of the right shape, signed by nobody: the facade refuses it.
    browser.get("/login").await;
    let forged = browser
        .post("/login/passwordless", &[("response", FORGED_ASSERTION)])
        .await;
    forged.assert(StatusCode::UNAUTHORIZED, "The security key was refused:");
    assert!(!forged.body.contains("Log Out"), "nobody is signed in");
    // And again on the page that refusal showed: refused the same way.
    let again = browser
        .post("/login/passwordless", &[("response", FORGED_ASSERTION)])
        .await;
    assert!(again.status.is_client_error());
    // An answer bigger than any form: the body limit.
    let huge = browser
        .post("/login/passwordless", &[("response", &"A".repeat(20_000))])
        .await;
    assert_eq!(huge.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(browser.get("/profile").await.location(), "/login");
}

#[tokio::test]
async fn an_answer_without_its_ceremony_is_refused() {
    let server = Server::passkeys();
    let mut browser = server.browser();
    // The CSRF token of a page that began no passwordless ceremony.
    browser.get("/create").await;
    browser
        .post("/login/passwordless", &[("response", FORGED_ASSERTION)])
        .await
        .assert(StatusCode::GONE, "expired or was already used");
    // The second step without a password first.
    let page = browser
        .post("/login/passkey", &[("response", FORGED_ASSERTION)])
        .await;
    assert_eq!(page.location(), "/login");
}

#[tokio::test]
async fn the_profile_adds_a_key_with_the_password_and_refuses_forged_answers() {
    let server = Server::passkeys();
    let mut browser = server.browser();
    browser.sign_in("joe.example", JOE_PASSWORD).await;
    // Two-factor first: the backup codes are the way back.
    let profile = browser.get("/profile").await;
    assert!(!profile.body.contains("Add a security key or passkey"));
    assert_eq!(
        browser.get("/profile/passkeys/add").await.location(),
        "/profile/two-factor/enable"
    );
    browser.enable_two_factor(JOE_PASSWORD, &server.clock).await;
    let profile = browser.get("/profile").await;
    profile.assert(StatusCode::OK, "No security key or passkey yet.");
    profile.assert(StatusCode::OK, "Add a security key or passkey");

    browser
        .get("/profile/passkeys/add")
        .await
        .assert(StatusCode::OK, "verify your password");
    let wrong = browser
        .post(
            "/profile/passkeys/add",
            &[("name", "Joe's laptop"), ("password", "not the password")],
        )
        .await;
    wrong.assert(StatusCode::UNAUTHORIZED, "The password is incorrect.");
    wrong.assert(StatusCode::UNAUTHORIZED, "value=\"Joe&#39;s laptop\"");
    for name in [&"x".repeat(65), "Joe\u{7}s laptop", "Joe\u{202e}s laptop"] {
        let refused = browser
            .post(
                "/profile/passkeys/add",
                &[("name", name), ("password", JOE_PASSWORD)],
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{name:?}");
        refused.assert(StatusCode::UNPROCESSABLE_ENTITY, "class=\"banner error\"");
    }
    let unnamed = browser
        .post(
            "/profile/passkeys/add",
            &[("name", "   "), ("password", JOE_PASSWORD)],
        )
        .await;
    assert_eq!(unnamed.status, StatusCode::UNPROCESSABLE_ENTITY);

    server.clock.advance(2); // past the back-off of the wrong password
    let started = browser
        .post(
            "/profile/passkeys/add",
            &[("name", "Joe's laptop"), ("password", JOE_PASSWORD)],
        )
        .await;
    started.assert(StatusCode::OK, "Adding: Joe&#39;s laptop");
    started.assert(StatusCode::OK, "data-passkey=\"create\"");
    started.assert(StatusCode::OK, "&#34;publicKey&#34;");
    started.assert(StatusCode::OK, "Register the Security Key");

    // A damaged answer is refused before the facade sees it.
    let damaged = browser
        .post("/profile/passkeys/finish", &[("response", "{\"id\":")])
        .await;
    damaged.assert(StatusCode::BAD_REQUEST, "did not arrive whole");
    // That try spent the ceremony: start again.
    browser
        .post(
            "/profile/passkeys/finish",
            &[("response", FORGED_REGISTRATION)],
        )
        .await
        .assert(StatusCode::GONE, "start again");
    browser
        .post(
            "/profile/passkeys/add",
            &[("name", "Joe's laptop"), ("password", JOE_PASSWORD)],
        )
        .await;
    let forged = browser
        .post(
            "/profile/passkeys/finish",
            &[("response", FORGED_REGISTRATION)],
        )
        .await;
    forged.assert(StatusCode::UNAUTHORIZED, "The security key was refused:");
    assert!(server.account(3522).passkeys().is_empty(), "nothing added");
    let profile = browser.get("/profile").await;
    profile.assert(StatusCode::OK, "No security key or passkey yet.");
}

#[tokio::test]
async fn removing_a_key_that_is_not_there_changes_nothing() {
    let server = Server::passkeys();
    let mut browser = server.browser();
    joe_enrolled(&server, &mut browser).await;
    for id in ["", "not-an-id", &"0".repeat(32), &"z".repeat(5_000)] {
        let page = browser
            .get(&format!("/profile/passkeys/remove?id={id}"))
            .await;
        assert_eq!(page.location(), "/profile", "{id}");
        browser.get("/profile").await;
        let page = browser
            .post(
                "/profile/passkeys/remove",
                &[("id", id), ("password", JOE_PASSWORD)],
            )
            .await;
        assert_eq!(page.location(), "/profile", "{id}");
        browser.get("/profile").await.assert(
            StatusCode::OK,
            "That security key is not on your account any more.",
        );
    }
}

#[tokio::test]
async fn the_second_step_offers_a_key_only_to_those_who_have_one() {
    let server = Server::passkeys();
    let mut browser = server.browser();
    joe_enrolled(&server, &mut browser).await;
    browser.logout().await;
    browser.login("joe.example", JOE_PASSWORD).await;
    let page = browser.get("/login/code").await;
    page.assert(StatusCode::OK, "Authentication Code");
    assert!(!page.body.contains("Use a Security Key"), "{}", page.body);
    // An answer posted anyway: no ceremony was begun for it.
    let refused = browser
        .post("/login/passkey", &[("response", FORGED_ASSERTION)])
        .await;
    refused.assert(StatusCode::GONE, "expired or was already used");
    refused.assert(StatusCode::GONE, "Authentication Code");
    assert_eq!(browser.get("/profile").await.location(), "/login");
}

/// The options a page rendered into its passkey button, unescaped.
fn options_of(page: &Page) -> String {
    page.between("data-options=\"", "\"")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&#60;", "<")
        .replace("&#62;", ">")
        .replace("&#38;", "&")
}

#[tokio::test]
async fn a_key_registered_through_the_pages_signs_in_and_each_answer_counts_once() {
    let server = Server::passkeys();
    let mut browser = server.browser();
    joe_enrolled(&server, &mut browser).await;
    let mut key = softkey::Browser::at("http://localhost:8080");

    // Registration: the page's options to the authenticator, its answer posted back.
    let started = browser
        .post(
            "/profile/passkeys/add",
            &[("name", "Joe's laptop"), ("password", JOE_PASSWORD)],
        )
        .await;
    started.assert(StatusCode::OK, "Register the Security Key");
    let created = key.create(&options_of(&started));
    let added = browser
        .post("/profile/passkeys/finish", &[("response", &created)])
        .await;
    assert_eq!(added.location(), "/profile", "{}", added.body);
    let profile = browser.get("/profile").await;
    profile.assert(
        StatusCode::OK,
        "Success: the security key Joe&#39;s laptop was added.",
    );
    profile.assert(StatusCode::OK, "<td class=\"name\">Joe&#39;s laptop</td>");
    assert_eq!(server.account(3522).passkeys().len(), 1);
    // The same answer again: its ceremony is gone.
    browser
        .post("/profile/passkeys/finish", &[("response", &created)])
        .await
        .assert(StatusCode::GONE, "start again");
    browser.logout().await;

    // The second step with the key.
    server.clock.advance(60);
    browser.login("joe.example", JOE_PASSWORD).await;
    let second = browser.get("/login/code").await;
    second.assert(StatusCode::OK, "Use a Security Key");
    let signed = key.get(&options_of(&second));
    let page = browser
        .post("/login/passkey", &[("response", &signed)])
        .await;
    assert_eq!(page.location(), "/profile", "{}", page.body);
    let used = server.account(3522);
    assert!(used.passkeys()[0].last_used_at().is_some());
    browser.logout().await;

    // That answer replayed at the next sign-in answers the old challenge.
    server.clock.advance(60);
    browser.login("joe.example", JOE_PASSWORD).await;
    browser.get("/login/code").await;
    let replayed = browser
        .post("/login/passkey", &[("response", &signed)])
        .await;
    replayed.assert(StatusCode::UNAUTHORIZED, "The security key was refused:");
    replayed.assert(StatusCode::UNAUTHORIZED, "Use a Security Key");
    assert_eq!(browser.get("/profile").await.location(), "/login");

    // A fresh one signs in; then disabling two-factor takes the key with it.
    let second = browser.get("/login/code").await;
    let signed = key.get(&options_of(&second));
    let page = browser
        .post("/login/passkey", &[("response", &signed)])
        .await;
    assert_eq!(page.location(), "/profile", "{}", page.body);
    browser.get("/profile/two-factor/disable").await.assert(
        StatusCode::OK,
        "Your 1 security key or passkey is removed with it",
    );
    let off = browser
        .post("/profile/two-factor/disable", &[("password", JOE_PASSWORD)])
        .await;
    assert_eq!(off.location(), "/profile");
    assert!(server.account(3522).passkeys().is_empty());
}
