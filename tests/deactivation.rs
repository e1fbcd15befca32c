//! Deactivating a contact (the contact list's "deactivate"): every way in closes,
//! only the client's primary contact may do it, and never on itself.

mod fixtures;

use countersign::{Error, SecondFactor};
use fixtures::*;

#[test]
fn a_deactivated_contact_cannot_sign_in_even_with_the_right_password() {
    let portal = portal();
    let joe = account(&portal, joe(), JOE_PASSWORD);
    let mut contact = account(&portal, contact(), CONTACT_PASSWORD);
    portal
        .deactivate_contact(&mut contact, joe.profile(), NOW)
        .unwrap();
    assert_eq!(contact.deactivated_at(), Some(NOW));
    let refused = portal.sign_in(&mut contact, CONTACT_PASSWORD, NOW + 1, &mut rng());
    assert!(
        matches!(refused, Err(Error::ContactDeactivated)),
        "{refused:?}"
    );
    // A wrong password still says only that: nothing tells a guesser the state.
    let wrong = portal.sign_in(&mut contact, "not the password at all", NOW + 2, &mut rng());
    assert!(matches!(wrong, Err(Error::Password(_))), "{wrong:?}");

    portal
        .reactivate_contact(&mut contact, joe.profile())
        .unwrap();
    assert_eq!(contact.deactivated_at(), None);
    assert!(
        portal
            .sign_in(&mut contact, CONTACT_PASSWORD, NOW + 3, &mut rng())
            .is_ok()
    );
}

#[test]
fn a_ticket_issued_before_deactivation_no_longer_completes() {
    let portal = portal();
    let joe_account = account(&portal, joe(), JOE_PASSWORD);
    let mut contact = account(&portal, contact(), CONTACT_PASSWORD);
    let (app, _) = enroll(&portal, &mut contact, CONTACT_PASSWORD);
    let at = NOW + 60;
    let ticket = ticket(&portal, &mut contact, CONTACT_PASSWORD, at);
    portal
        .deactivate_contact(&mut contact, joe_account.profile(), at)
        .unwrap();
    let refused = portal.complete_sign_in(
        &mut contact,
        &ticket,
        SecondFactor::Totp(&code(&app, at)),
        false,
        at,
        &mut rng(),
    );
    assert!(
        matches!(refused, Err(Error::LoginTicketInvalid)),
        "{refused:?}"
    );
}

#[test]
fn deactivation_revokes_remembered_devices_and_sends_no_reset_code() {
    let portal = portal();
    let joe_account = account(&portal, joe(), JOE_PASSWORD);
    let mut contact = account(&portal, contact(), CONTACT_PASSWORD);
    portal
        .request_password_reset(&mut contact, NOW, &mut rng())
        .unwrap();
    portal
        .deactivate_contact(&mut contact, joe_account.profile(), NOW)
        .unwrap();
    assert!(contact.devices().devices().is_empty());
    let refused = portal.request_password_reset(&mut contact, NOW + 1, &mut rng());
    assert!(
        matches!(refused, Err(Error::ContactDeactivated)),
        "{refused:?}"
    );
    // The code emailed before deactivation died with it.
    let reset = portal.reset_password(
        &mut contact,
        "123456",
        "a brand new long passphrase",
        NOW + 2,
        &mut rng(),
    );
    assert!(
        matches!(reset, Err(Error::NoPendingCode { .. })),
        "{reset:?}"
    );
}

#[test]
fn only_the_clients_primary_contact_deactivates_and_never_itself() {
    let portal = portal();
    let mut joe_account = account(&portal, joe(), JOE_PASSWORD);
    let mut contact = account(&portal, contact(), CONTACT_PASSWORD);
    let contact2_account = account(&portal, contact2(), CONTACT_PASSWORD);
    let before = contact.revision();
    let by_contact = portal.deactivate_contact(&mut contact, contact2_account.profile(), NOW);
    assert!(matches!(by_contact, Err(Error::PermissionDenied { .. })));
    let mut other_client = joe();
    other_client.client_id = 9999;
    let by_stranger = portal.deactivate_contact(&mut contact, &other_client, NOW);
    assert!(matches!(by_stranger, Err(Error::PermissionDenied { .. })));
    assert_eq!(
        contact.revision(),
        before,
        "a refused deactivation changed the contact"
    );
    assert_eq!(contact.deactivated_at(), None);

    let joe_profile = joe_account.profile().clone();
    let itself = portal.deactivate_contact(&mut joe_account, &joe_profile, NOW);
    assert!(matches!(itself, Err(Error::PermissionDenied { .. })));
    assert_eq!(joe_account.deactivated_at(), None);
}

#[test]
fn deactivating_twice_changes_nothing_the_second_time() {
    let portal = portal();
    let joe_account = account(&portal, joe(), JOE_PASSWORD);
    let mut contact = account(&portal, contact(), CONTACT_PASSWORD);
    portal
        .deactivate_contact(&mut contact, joe_account.profile(), NOW)
        .unwrap();
    let revision = contact.revision();
    portal
        .deactivate_contact(&mut contact, joe_account.profile(), NOW + 10)
        .unwrap();
    assert_eq!(contact.revision(), revision);
    assert_eq!(contact.deactivated_at(), Some(NOW), "the first date stays");
}

#[test]
fn a_deactivated_contact_round_trips_through_its_stored_form() {
    let portal = portal();
    let joe_account = account(&portal, joe(), JOE_PASSWORD);
    let mut contact = account(&portal, contact(), CONTACT_PASSWORD);
    portal
        .deactivate_contact(&mut contact, joe_account.profile(), NOW)
        .unwrap();
    let json = serde_json::to_string(&contact).unwrap();
    let back: countersign::Account = serde_json::from_str(&json).unwrap();
    assert_eq!(back.deactivated_at(), Some(NOW));
}
