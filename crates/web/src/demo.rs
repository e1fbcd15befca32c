//! The seeds' demo client, created on first start in development mode: client
//! 1707 "Any Company" with Joe Example (3522, the primary contact), Contact
//! Example (3523) and Contact Example 2 (3526).

use countersign::{Portal, Profile};
use countersign_store::Store;

/// Joe Example's password (seed 003's example phrase).
pub const JOE_PASSWORD: &str = "Vivio is gr8! I like knowing my account is Secure";
/// The other contacts' password (seed 003's other example).
pub const CONTACT_PASSWORD: &str = "Y? 'Cuz I Reelee lik mi prYvacee.";

/// The demo people, with their passwords.
#[must_use]
pub fn people() -> [(Profile, &'static str); 3] {
    let contact = |contact_id, name: &str, username: &str, email: &str| Profile {
        contact_id,
        client_id: 1707,
        name: name.into(),
        username: username.into(),
        email: email.into(),
        cell_phone: None,
        primary: false,
    };
    [
        (
            Profile {
                cell_phone: Some("+1 509 555 0100".into()),
                primary: true,
                ..contact(
                    3522,
                    "Joe Example",
                    "joe.example",
                    "marketing@viviotech.net",
                )
            },
            JOE_PASSWORD,
        ),
        (
            contact(
                3523,
                "Contact Example",
                "contact.example",
                "marketing@viviotech.net",
            ),
            CONTACT_PASSWORD,
        ),
        (
            contact(3526, "Contact Example 2", "contact.example.2", ""),
            CONTACT_PASSWORD,
        ),
    ]
}

/// Creates the demo client unless client 1707 already has its primary contact.
/// Returns whether it created it.
///
/// # Errors
///
/// When a password fails the portal's policy (a policy stricter than the
/// seeds'), or the store refuses the accounts.
pub fn seed(store: &dyn Store, portal: &Portal) -> anyhow::Result<bool> {
    if store.find_login("1707")?.is_some() {
        return Ok(false);
    }
    for (profile, password) in people() {
        let account = portal.create_account(profile, password, &mut rand::rng())?;
        store.insert(&account)?;
    }
    Ok(true)
}

/// The lines printed at start-up: where to go and how to log in, and, when
/// passkeys are on, the origin where they work (`passkeys_at`: browsers refuse
/// WebAuthn on an IP address, so the served address is not it). The served
/// URL is the first one printed; the outbox line is the last.
#[must_use]
pub fn logins(url: &str, passkeys_at: Option<&str>) -> String {
    let passkeys = passkeys_at.map_or_else(String::new, |origin| {
        format!(
            "Security keys and passkeys work at {origin}/ (browsers refuse them on an IP address)\n"
        )
    });
    format!(
        "Countersign portal (development mode): {url}\n\
         {passkeys}\
         Demo logins, client 1707 \"Any Company\":\n  \
           1707 or joe.example   {JOE_PASSWORD}   (Joe Example, primary contact; SMS to +1 509 555 0100)\n  \
           contact.example       {CONTACT_PASSWORD}   (Contact Example)\n  \
           contact.example.2     {CONTACT_PASSWORD}   (Contact Example 2)\n\
         Messages the portal sends appear at {url}dev/outbox\n"
    )
}
