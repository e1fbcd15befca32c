#![no_main]
//! A `Cookie` header value and a session id from arbitrary bytes: whatever the
//! bytes, an answer, never a panic; a value found is a slice of the header; a
//! session id accepted is 64 lower-case hex digits.

use countersign_web::input::{SESSION_ID_LEN, cookie, session_id};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = core::str::from_utf8(data) else {
        return;
    };
    // The first line names the cookie, the rest is the header.
    let (name, header) = text
        .split_once('\n')
        .unwrap_or(("countersign_session", text));
    if let Some(value) = cookie(header, name) {
        assert!(header.contains(value));
        assert!(!value.contains(';'), "a value never spans two pairs");
        if let Some(id) = session_id(value) {
            assert_eq!(id.len(), SESSION_ID_LEN);
            assert!(
                id.bytes()
                    .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
            );
        }
    }
    if let Some(id) = session_id(text) {
        assert_eq!(id, text);
    }
});
