//! Races of passkey sign-ins (issue 15): one authenticator response submitted
//! on 16 nodes at once is accepted once. The challenge's id is recorded in the
//! account as spent when the ceremony finishes; a node that lost the
//! compare-and-swap re-runs its step on the fresh record and finds it spent.
//! The negative control runs the same race through stores whose swap has the
//! version check removed, and shows that the test catches it.

use countersign::passkey::PasskeySettings;
use countersign::webauthn::UserHandle;
use countersign::{Access, Error as FlowError, Portal, SecondFactor};
use countersign_store::{Error, Store, StoreExt};
use libtest_mimic::Failed;

use crate::Case;
use crate::browser::{Browser, ORIGIN, RP_ID};
use crate::db::Db;
use crate::fixtures::*;
use crate::races::{RACERS, blind_stores, race, stores};
use crate::setup::*;

pub const CASES: &[(&str, Case)] = &[
    (
        "race_one_passkey_response_is_accepted_once",
        race_one_passkey_response_is_accepted_once,
    ),
    (
        "race_one_passwordless_response_is_accepted_once",
        race_one_passwordless_response_is_accepted_once,
    ),
    (
        "race_negative_control_without_the_version_check_accepts_a_passkey_response_many_times",
        race_negative_control_passkey,
    ),
];

const ROUNDS: u64 = 5;

fn passkey_portal() -> Portal {
    let settings = PasskeySettings {
        passwordless: true,
        ..PasskeySettings::new(RP_ID, ORIGIN, "Vivio Portal")
    };
    race_portal().with_passkeys(settings).unwrap()
}

/// Joe stored with two-factor on and the browser's authenticator registered.
fn stored_joe_with_passkey(store: &dyn Store, portal: &Portal) -> Browser {
    stored_joe(store, portal);
    let mut browser = Browser::new();
    let permissions = seeded_permissions();
    let access = Access::new(&permissions).unwrap();
    let challenge = store
        .update(3522, |a| {
            portal.begin_passkey_registration(a, &access, "YubiKey", JOE_PASSWORD, NOW, &mut rng())
        })
        .unwrap();
    let response = browser.create(challenge.options_json());
    store
        .update(3522, |a| {
            portal.finish_passkey_registration(a, challenge.state(), &response, NOW)
        })
        .unwrap();
    browser
}

/// Each round: the password, one challenge answered once, that answer raced on
/// every store. Returns (accepted, refused as already used) per round.
fn second_factor_rounds(db: &Db, stores: &[Box<dyn Store + '_>]) -> Vec<(usize, usize)> {
    let portal = passkey_portal();
    let store = db.open();
    let mut browser = stored_joe_with_passkey(&*store, &portal);
    (1..=ROUNDS)
        .map(|round| {
            let now = NOW + 60 * round;
            let ticket = stored_ticket(&*store, &portal, JOE_PASSWORD, now);
            let challenge = portal
                .begin_passkey_sign_in(&store.load(3522).unwrap(), &ticket, now, &mut rng())
                .unwrap();
            let response = browser.get(challenge.options_json());
            let answers = race(stores, |_, a| {
                portal.complete_sign_in(
                    a,
                    &ticket,
                    SecondFactor::Passkey {
                        state: challenge.state(),
                        response_json: &response,
                    },
                    false,
                    now,
                    &mut rng(),
                )
            });
            let accepted = answers.iter().filter(|a| a.is_ok()).count();
            let refused = answers
                .iter()
                .filter(|a| {
                    matches!(
                        a,
                        Err(Error::Flow(
                            FlowError::LoginTicketInvalid | FlowError::PasskeyChallengeSpent
                        ))
                    )
                })
                .count();
            (accepted, refused)
        })
        .collect()
}

fn race_one_passkey_response_is_accepted_once(db: &Db) -> Result<(), Failed> {
    for (round, counts) in second_factor_rounds(db, &stores(db))
        .into_iter()
        .enumerate()
    {
        assert_eq!(counts, (1, RACERS - 1), "round {round}");
    }
    let joe = db.open().load(3522)?;
    assert_eq!(
        joe.passkeys()[0].credential().counter(),
        ROUNDS as u32,
        "one counter step per accepted round"
    );
    Ok(())
}

fn race_one_passwordless_response_is_accepted_once(db: &Db) -> Result<(), Failed> {
    let portal = passkey_portal();
    let store = db.open();
    let mut browser = stored_joe_with_passkey(&*store, &portal);
    let credential_id = store.load(3522)?.passkeys()[0].credential().id().to_vec();
    let handle = UserHandle::from_id(3522).uuid();
    let stores = stores(db);
    for round in 1..=ROUNDS {
        let now = NOW + 60 * round;
        let challenge = portal.begin_passwordless_sign_in(now, &mut rng())?;
        let response =
            browser.get_discoverable(challenge.options_json(), &credential_id, handle.as_bytes());
        assert_eq!(portal.passwordless_contact(&response)?, 3522);
        // No ticket here: only the spent challenge id stands between the racers.
        let answers = race(&stores, |_, a| {
            portal.finish_passwordless_sign_in(a, challenge.state(), &response, now, &mut rng())
        });
        assert_eq!(
            answers.iter().filter(|a| a.is_ok()).count(),
            1,
            "round {round}"
        );
        for answer in answers.iter().filter_map(|a| a.as_ref().err()) {
            assert!(
                matches!(answer, Error::Flow(FlowError::PasskeyChallengeSpent)),
                "{answer}"
            );
        }
    }
    Ok(())
}

fn race_negative_control_passkey(db: &Db) -> Result<(), Failed> {
    let rounds = second_factor_rounds(db, &blind_stores(db));
    assert!(
        rounds.iter().all(|&(accepted, _)| accepted > 1),
        "without the version check every round accepts the response more than once: {rounds:?}"
    );
    Ok(())
}
