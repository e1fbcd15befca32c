//! The seeds' people in a store, and the portals the cases run.

use countersign::throttle::ThrottlePolicy;
use countersign::totp::Totp;
use countersign::{LoginTicket, PasswordStep, Portal, ServerKey};
use countersign_store::{Store, StoreExt};

use crate::fixtures::*;

/// The server key every case and child process shares.
pub const KEY: [u8; 32] = [0x42; 32];

/// The fixtures' portal (cheap Argon2id), with a throttle that lets a race of
/// 16 wrong or replayed codes through without back-off, so each racer's answer
/// is the code's own (`Replayed`), not the throttle's; and 20 backup codes.
pub fn race_portal() -> Portal {
    let mut settings = settings();
    settings.throttle = ThrottlePolicy::new(50, 1, 60).unwrap();
    // 20 backup codes: one per round of the backup-code race.
    settings.backup_codes.count = 20;
    Portal::new(ServerKey::from_bytes(KEY), settings).unwrap()
}

/// The fixtures' portal, default throttle (5 free failures).
pub fn strict_portal() -> Portal {
    Portal::new(ServerKey::from_bytes(KEY), settings()).unwrap()
}

/// Joe Example stored with two-factor on: his authenticator app and backup codes.
pub fn stored_joe(store: &dyn Store, portal: &Portal) -> (Totp, Vec<String>) {
    let mut joe = account(portal, joe(), JOE_PASSWORD);
    let enrolled = enroll(portal, &mut joe, JOE_PASSWORD);
    store.insert(&joe).unwrap();
    enrolled
}

/// The password step through the store: the ticket for the second factor.
pub fn stored_ticket(store: &dyn Store, portal: &Portal, password: &str, now: u64) -> LoginTicket {
    match store
        .update(3522, |a| portal.sign_in(a, password, now, &mut rng()))
        .unwrap()
    {
        PasswordStep::SecondFactorRequired(ticket) => ticket,
        PasswordStep::SignedIn(_) => panic!("two-factor is on"),
    }
}
