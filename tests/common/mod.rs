//! The seeds' demo people and a portal with cheap Argon2id parameters.
#![allow(dead_code, unreachable_pub)]

use countersign::password::{HashParams, Policy};
use countersign::permissions::{CompiledPolicy, Policy as PermissionPolicy};
use countersign::totp::{BackupSettings, KdfParams, Params, Secret, Totp};
use countersign::{Account, Portal, Profile, ServerKey, Settings};
use rand::SeedableRng;
use rand::rngs::StdRng;

pub const NOW: u64 = 1_763_900_000;
pub const JOE_PASSWORD: &str = "Vivio is gr8! I like knowing my account is Secure";
pub const CONTACT_PASSWORD: &str = "Y? 'Cuz I Reelee lik mi prYvacee.";

pub fn rng() -> StdRng {
    StdRng::seed_from_u64(8)
}

pub fn settings() -> Settings {
    let cheap = HashParams {
        memory_kib: 64,
        iterations: 1,
        ..HashParams::OWASP
    };
    Settings {
        password: Policy::portal().with_hashing(cheap).unwrap(),
        backup_codes: BackupSettings {
            params: KdfParams::new(8, 1, 1).unwrap(),
            ..BackupSettings::default()
        },
        ..Settings::default()
    }
}

pub fn portal() -> Portal {
    Portal::new(ServerKey::from_bytes([0x42; 32]), settings()).unwrap()
}

pub fn joe() -> Profile {
    Profile {
        contact_id: 3522,
        client_id: 1707,
        name: "Joe Example".into(),
        username: "joe.example".into(),
        email: "marketing@viviotech.net".into(),
        cell_phone: Some("+1 509 555 0100".into()),
        primary: true,
    }
}

pub fn contact() -> Profile {
    Profile {
        contact_id: 3523,
        client_id: 1707,
        name: "Contact Example".into(),
        username: "contact.example".into(),
        email: "marketing@viviotech.net".into(),
        cell_phone: None,
        primary: false,
    }
}

pub fn contact2() -> Profile {
    Profile {
        contact_id: 3526,
        client_id: 1707,
        name: "Contact Example 2".into(),
        username: "contact.example.2".into(),
        email: String::new(),
        cell_phone: None,
        primary: false,
    }
}

pub fn account(portal: &Portal, profile: Profile, password: &str) -> Account {
    portal
        .create_account(profile, password, &mut rng())
        .unwrap()
}

/// The seeds' grants after every "Success: Contact updated.": 3523 may enable
/// two-factor (Client Profile: View), 3526 may see the account-wide code
/// (Profile: View) and manage its own (Manage Contacts: View and Update).
pub fn seeded_permissions() -> CompiledPolicy {
    let policy = PermissionPolicy::from_toml(
        r#"
        schema = "client-portal"
        [principals.contact-3522]
        [principals.contact-3523]
        grants.client-profile.view = "allow"
        [principals.contact-3526]
        grants.profile.view = "allow"
        grants.manage-contacts = { view = "allow", update = "allow" }
        "#,
    )
    .unwrap();
    CompiledPolicy::compile(&policy)
}

/// No grants at all: every gate is "(None)".
pub fn no_permissions() -> CompiledPolicy {
    let policy = PermissionPolicy::from_toml(
        r#"
        schema = "client-portal"
        [principals.contact-3523]
        [principals.contact-3526]
        "#,
    )
    .unwrap();
    CompiledPolicy::compile(&policy)
}

/// Enables two-factor for `account`; returns the app and the plain backup codes.
pub fn enroll(portal: &Portal, account: &mut Account, password: &str) -> (Totp, Vec<String>) {
    let permissions = seeded_permissions();
    let access = countersign::Access::new(&permissions).unwrap();
    let started = portal
        .begin_enrollment(account, &access, password, NOW, &mut rng())
        .unwrap();
    let app = app_for(&started.key_for_typing());
    let code = app.code_at(NOW).unwrap().to_string();
    let done = portal
        .confirm_enrollment(account, &code, NOW, &mut rng())
        .unwrap();
    let codes = done
        .backup_codes
        .iter()
        .map(|c| c.expose().to_owned())
        .collect();
    (app, codes)
}

pub fn app_for(typed_key: &str) -> Totp {
    Totp::new(&Secret::from_base32(typed_key).unwrap(), Params::default()).unwrap()
}

pub fn code(app: &Totp, at: u64) -> String {
    app.code_at(at).unwrap().to_string()
}

/// A well-formed code that is not `right` (each digit moved by one).
pub fn wrong(right: &str) -> String {
    right
        .bytes()
        .map(|b| char::from(b'0' + (b - b'0' + 1) % 10))
        .collect()
}
