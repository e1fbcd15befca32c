#![no_main]
//! A security key's answer as the passkey script posts it (the `response`
//! field), from arbitrary bytes: the text back or a typed refusal, never a
//! panic. The first byte picks the ceremony; the answer accepted is at most
//! the ceiling, a JSON object of the credential's shape, and accepted again
//! as it was returned.

use countersign_web::input::{Ceremony, MAX_PASSKEY_RESPONSE, passkey_response};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let ceremony = if selector & 1 == 0 {
        Ceremony::Registration
    } else {
        Ceremony::Assertion
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    if let Ok(answer) = passkey_response(text, ceremony) {
        assert!(!answer.is_empty() && answer.len() <= MAX_PASSKEY_RESPONSE);
        let value: serde_json::Value = serde_json::from_str(answer).expect("JSON");
        assert_eq!(value["type"], "public-key");
        assert!(value["response"]["clientDataJSON"].is_string());
        assert_eq!(passkey_response(answer, ceremony), Ok(answer));
    }
});
