#![no_main]
//! A form body's CSRF field from arbitrary bytes: an answer, never a panic.

use countersign_web::input::csrf_field;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some(token) = csrf_field(data) {
        // What was found is what a form with that token would carry.
        let again = serde_urlencoded::to_string([("csrf", token.as_str())]).expect("a form");
        assert_eq!(
            csrf_field(again.as_bytes()).as_deref(),
            Some(token.as_str())
        );
    }
});
