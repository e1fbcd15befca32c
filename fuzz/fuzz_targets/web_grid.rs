#![no_main]
//! The permission grid's post from arbitrary bytes (a form body, as axum's
//! `Form` reads it): cells or a typed refusal, never a panic; the cells
//! accepted are each `resource.action` once, and the facade's step then sets
//! them all or none.

use countersign::permissions::Setting;
use countersign::security_codes::Client;
use countersign::{Portal, Profile, ServerKey, Settings};
use countersign_web::input::{MAX_GRID_CELLS, grid_post};
use libfuzzer_sys::fuzz_target;

fn profile(contact_id: u64, primary: bool) -> Profile {
    Profile {
        contact_id,
        client_id: 1707,
        name: "Joe Example".into(),
        username: "joe.example".into(),
        email: String::new(),
        cell_phone: None,
        primary,
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(fields) = serde_urlencoded::from_bytes::<Vec<(String, String)>>(data) else {
        return;
    };
    let Ok(cells) = grid_post(&fields) else {
        return;
    };
    assert!(cells.len() <= MAX_GRID_CELLS);
    for (i, (resource, action, _)) in cells.iter().enumerate() {
        assert!(!resource.is_empty() && !action.is_empty());
        assert!(
            !cells[..i]
                .iter()
                .any(|(r, a, _)| r == resource && a == action),
            "a cell twice"
        );
    }
    thread_local! {
        static PORTAL: Portal =
            Portal::new(ServerKey::from_bytes([7; 32]), Settings::default()).expect("a portal");
    }
    PORTAL.with(|portal| {
        let mut client = Client::new(1707);
        let before = client.clone();
        match portal.set_contact_grants(
            &mut client,
            &profile(3522, true),
            &profile(3523, false),
            &cells,
        ) {
            Ok(_) => {
                let explicit = cells.iter().any(|(_, _, s)| *s != Setting::Inherit);
                assert_eq!(
                    client.revision() == 2,
                    explicit,
                    "moved only if something is set"
                );
                let json = serde_json::to_string(&client).expect("a client serializes");
                let back: Client = serde_json::from_str(&json).expect("what we write we read back");
                assert_eq!(back, client);
            }
            Err(_) => assert_eq!(client, before, "all or none"),
        }
    });
});
