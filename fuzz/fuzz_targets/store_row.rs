#![no_main]
//! Stored rows from arbitrary bytes: an account or client row (its columns and
//! its state text) and a line of an export. Whatever the bytes: a typed error,
//! never a panic; a row that decodes agrees with its columns (its version is its
//! state's revision, its ids and login are its profile's; a client's grants
//! compile and write back to the same client), and an export line
//! that parses writes back to the same JSON text it was read from, modulo
//! whitespace outside the state.

use countersign_store::{AccountRow, ClientRow, ExportLine, fold_login};
use libfuzzer_sys::fuzz_target;

fn word(bytes: &[u8]) -> u64 {
    let mut word = [0u8; 8];
    for (slot, byte) in word.iter_mut().zip(bytes) {
        *slot = *byte;
    }
    u64::from_le_bytes(word)
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let (columns, text) = rest.split_at(rest.len().min(16));
    let Ok(text) = core::str::from_utf8(text) else {
        return;
    };
    let id = word(columns);
    let version = word(columns.get(8..).unwrap_or_default());
    match selector % 3 {
        0 => {
            let row = AccountRow {
                contact_id: id,
                client_id: id / 2,
                login: "joe.example".into(),
                primary: selector & 0x80 != 0,
                version,
                updated_at: 0,
                state: text.to_owned(),
            };
            if let Ok(account) = row.decode() {
                assert_eq!(account.revision(), version);
                assert_eq!(account.profile().contact_id, id);
                assert_eq!(fold_login(&account.profile().username), row.login);
                let again = AccountRow::of(&account, 0).expect("a decoded account encodes");
                assert_eq!(again.decode().expect("what we write we read back"), account);
            }
        }
        1 => {
            let row = ClientRow {
                client_id: id,
                version,
                updated_at: 0,
                state: text.to_owned(),
            };
            if let Ok(client) = row.decode() {
                assert_eq!(client.revision(), version);
                assert_eq!(client.client_id(), id);
                // The contacts' grants (version 3) were checked on the way in:
                // they make a policy, and write back to the same client.
                let policy = client
                    .grants()
                    .policy()
                    .expect("decoded grants fit the schema");
                let _ = countersign::permissions::CompiledPolicy::compile(&policy);
                let again = ClientRow::of(&client, 0).expect("a decoded client encodes");
                assert_eq!(again.decode().expect("what we write we read back"), client);
            }
        }
        _ => {
            if let Ok(line) = ExportLine::parse(2, text) {
                let written = line.to_json().expect("a parsed line writes");
                let again = ExportLine::parse(2, &written).expect("what we write we read back");
                assert_eq!(again, line);
            }
        }
    }
});
