//! The permission grid's grants live in the store's client record: they survive
//! a restart, a forged grid post changes nothing, and two grids updated at
//! once both land (the client record's compare-and-swap).

mod harness;

use axum::http::StatusCode;
use harness::*;

fn client_revision(server: &Server) -> u64 {
    server
        .app
        .store()
        .load_client(1707)
        .map_or(1, |c| c.revision())
}

#[tokio::test]
async fn a_grant_survives_a_restart() {
    let server = Server::new();
    let mut joe = server.browser();
    joe.sign_in("joe.example", JOE_PASSWORD).await;
    joe.get("/contacts/3523?tab=permissions").await;
    let updated = joe
        .post(
            "/contacts/3523/permissions",
            &[("client-profile.view", "allow")],
        )
        .await;
    assert_eq!(updated.location(), "/contacts");

    // A new process over the same file: nothing of the first one's memory.
    let server = server.restart();
    let mut joe = server.browser();
    joe.sign_in("joe.example", JOE_PASSWORD).await;
    let grid = joe.get("/contacts/3523?tab=permissions").await;
    assert!(
        grid.body.contains("value=\"allow\" selected"),
        "Client Profile: View is still Allow"
    );
    // And the gate reads it: Contact Example may enable two-factor.
    let mut contact = server.browser();
    contact.sign_in("contact.example", CONTACT_PASSWORD).await;
    contact
        .enable_two_factor(CONTACT_PASSWORD, &server.clock)
        .await;
    assert!(server.account(3523).two_factor_enabled());
}

#[tokio::test]
async fn a_forged_grid_post_by_a_contact_is_403_and_changes_nothing() {
    let server = Server::new();
    let before = client_revision(&server);
    let mut contact = server.browser();
    contact.sign_in("contact.example", CONTACT_PASSWORD).await;
    contact.get("/profile").await; // a valid CSRF token of their own session
    for target in ["3523", "3526", "3522"] {
        let forged = contact
            .post(
                &format!("/contacts/{target}/permissions"),
                &[
                    ("client-profile.view", "allow"),
                    ("manage-contacts.update", "allow"),
                ],
            )
            .await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN, "{target}");
    }
    assert_eq!(client_revision(&server), before, "no state change");
    let grants = server
        .app
        .store()
        .load_client(1707)
        .map(|c| c.grants().is_empty())
        .unwrap_or(true);
    assert!(grants, "no grant was stored");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_contacts_grids_updated_at_once_both_land() {
    let server = Server::new();
    let mut first = server.browser();
    let mut second = server.browser();
    first.sign_in("joe.example", JOE_PASSWORD).await;
    second.sign_in("1707", JOE_PASSWORD).await;
    first.get("/contacts/3523?tab=permissions").await;
    second.get("/contacts/3526?tab=permissions").await;
    let before = client_revision(&server);
    let rounds = 12;
    for round in 0..rounds {
        let value = if round % 2 == 0 { "allow" } else { "deny" };
        let (one, two) = (
            [("profile.view", value)],
            [("billing-and-services.view", value)],
        );
        let (a, b) = tokio::join!(
            first.post("/contacts/3523/permissions", &one),
            second.post("/contacts/3526/permissions", &two),
        );
        assert_eq!(a.location(), "/contacts", "round {round}: {}", a.body);
        assert_eq!(b.location(), "/contacts", "round {round}: {}", b.body);
        let client = server.app.store().load_client(1707).unwrap();
        let grants = client.grants();
        let cell = |contact, resource: &str, action: &str| {
            grants
                .of(contact)
                .and_then(|g| g.get(resource))
                .and_then(|a| a.get(action))
                .map(|s| format!("{s:?}").to_lowercase())
        };
        assert_eq!(
            cell(3523, "profile", "view").as_deref(),
            Some(value),
            "round {round}"
        );
        assert_eq!(
            cell(3526, "billing-and-services", "view").as_deref(),
            Some(value),
            "round {round}"
        );
    }
    // Each update moved the client's revision by exactly one.
    assert_eq!(client_revision(&server), before + 2 * rounds);
}
