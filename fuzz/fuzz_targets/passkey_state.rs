#![no_main]
//! Passkey state from arbitrary bytes: the stored credential record, the
//! facade's stored passkey entry, webauthn-rs's ceremony states as this crate
//! keeps them, the sealed ceremony state the caller hands back, and browser
//! responses.
//!
//! Input layout: one selector byte, then text (for the sealed state: the state
//! up to the first NUL byte, then the browser's response). Whatever the bytes:
//! a typed error, never a panic; a credential or passkey that reads is written
//! back as what it reads again unchanged; no sealed state that this portal did
//! not seal opens (the fuzzer cannot forge the Poly1305 tag), so every finish
//! is refused and the account is unchanged.

use std::sync::OnceLock;

use countersign::passkey::{Passkey, PasskeySettings};
use countersign::password::{HashParams, Policy};
use countersign::{Account, Portal, Profile, ServerKey, Settings};
use countersign_passkey::{
    AuthenticationState, Credential, DiscoverableState, RegistrationState, RelyingParty,
    UserHandle,
};
use libfuzzer_sys::fuzz_target;
use rand::SeedableRng;

fn portal() -> &'static (Portal, Account) {
    static PORTAL: OnceLock<(Portal, Account)> = OnceLock::new();
    PORTAL.get_or_init(|| {
        let cheap = HashParams {
            memory_kib: 64,
            iterations: 1,
            ..HashParams::OWASP
        };
        let settings = Settings {
            password: Policy::portal().with_hashing(cheap).expect("cheap parameters"),
            ..Settings::default()
        };
        let portal = Portal::new(ServerKey::from_bytes([0x5a; 32]), settings)
            .and_then(|p| {
                p.with_passkeys(PasskeySettings {
                    passwordless: true,
                    ..PasskeySettings::new(
                        "example.com",
                        "https://portal.example.com",
                        "Vivio Portal",
                    )
                })
            })
            .expect("a valid portal");
        let joe = Profile {
            contact_id: 3522,
            client_id: 1707,
            name: "Joe Example".into(),
            username: "joe.example".into(),
            email: "joe@example.com".into(),
            cell_phone: None,
            primary: true,
        };
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        let account = portal
            .create_account(joe, "Vivio is gr8! I like knowing my account is Secure", &mut rng)
            .expect("an account");
        (portal, account)
    })
}

fn round_trips<T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + core::fmt::Debug>(
    state: &T,
) {
    let json = serde_json::to_string(state).expect("a state always serializes");
    let back: T = serde_json::from_str(&json).expect("what we write we read back");
    assert_eq!(&back, state);
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    match selector % 4 {
        0 => {
            if let Ok(credential) = serde_json::from_str::<Credential>(&text) {
                round_trips(&credential);
                assert!((16..=1023).contains(&credential.id().len()));
            }
            if let Ok(passkey) = serde_json::from_str::<Passkey>(&text) {
                round_trips(&passkey);
            }
        }
        1 => {
            if let Ok(state) = RegistrationState::from_json(&text) {
                let json = state.to_json().expect("a state always serializes");
                assert!(RegistrationState::from_json(&json).is_ok());
            }
            let _ = AuthenticationState::from_json(&text);
            let _ = DiscoverableState::from_json(&text);
        }
        2 => {
            // A browser response against real ceremony states.
            let rp = RelyingParty::new("example.com", "https://portal.example.com", "Vivio", 300)
                .expect("a valid relying party");
            let _ = rp.identify(&text);
            if let Ok((_, state)) = rp.start_registration(UserHandle::from_id(1), "u", "U", &[], true) {
                assert!(rp.finish_registration(&state, &text, &[]).is_err());
            }
            if let Ok((_, state)) = rp.start_discoverable() {
                let mut none: [Credential; 0] = [];
                assert!(rp
                    .finish_discoverable(&state, &text, UserHandle::from_id(1), &mut none)
                    .is_err());
            }
        }
        _ => {
            let (portal, account) = portal();
            let (state, response) = text.split_once('\0').unwrap_or((&text, "{}"));
            let mut account = account.clone();
            let before = account.clone();
            let mut rng = rand::rngs::StdRng::seed_from_u64(2);
            assert!(portal
                .finish_passkey_registration(&mut account, state, response, 1_700_000_000)
                .is_err());
            assert!(portal
                .finish_passwordless_sign_in(&mut account, state, response, 1_700_000_000, &mut rng)
                .is_err());
            let _ = portal.passwordless_contact(response);
            assert_eq!(account, before, "a refused finish changes nothing");
        }
    }
});
