//! People with two-factor enrolled, made through the facade and the store
//! before a test or a load run times anything: each gets their own account,
//! since a TOTP code is accepted once per account per step.
#![allow(dead_code, unreachable_pub)]

use countersign::totp::{Params, Secret, Totp};
use countersign::{Gate, Portal, Profile};
use countersign_store::{Store, StoreExt};

/// The password every made person has (it passes the portal's policy).
pub const PASSWORD: &str = "Seven tulips on the balcony, all of them red";

/// A made person: their login and their authenticator app.
pub struct Person {
    pub login: String,
    pub app: Totp,
}

/// Contact `contact_id` of client 1707, with two-factor enrolled at `at`
/// (give a time a step or more in the past, so the code of "now" is fresh).
///
/// # Panics
///
/// When the store or the facade refuses (test set-up).
pub fn make(store: &dyn Store, portal: &Portal, contact_id: u64, at: u64) -> Person {
    let login = format!("person.{contact_id}");
    let profile = Profile {
        contact_id,
        client_id: 1707,
        name: format!("Person {contact_id}"),
        username: login.clone(),
        email: format!("person.{contact_id}@example.com"),
        cell_phone: None,
        primary: false,
    };
    let account = portal
        .create_account(profile, PASSWORD, &mut rand::rng())
        .expect("the person's account");
    store.insert(&account).expect("the person is stored");
    // Set-up, not a gate under test: this person may enable two-factor.
    let anyone = |_: u64, _: Gate| true;
    let key = store
        .update(contact_id, |a| {
            portal
                .begin_enrollment(a, &anyone, PASSWORD, at, &mut rand::rng())
                .map(|started| started.key_for_typing().to_string())
        })
        .expect("enrollment begins");
    let app = Totp::new(
        &Secret::from_base32(&key).expect("the key shown"),
        Params::default(),
    )
    .expect("the portal's TOTP parameters");
    let code = app.code_at(at).expect("a code").to_string();
    store
        .update(contact_id, |a| {
            portal.confirm_enrollment(a, &code, at, &mut rand::rng())
        })
        .expect("enrollment completes");
    Person { login, app }
}
