#![no_main]
//! The Country Code and Cell Phone fields from arbitrary bytes: an E.164
//! number or a message, never a panic; what is accepted is `+` and digits, and
//! parses again to itself.

use countersign_web::input::{COUNTRIES, e164};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let Ok(number) = core::str::from_utf8(rest) else {
        return;
    };
    let country = match COUNTRIES.get(usize::from(selector) % (COUNTRIES.len() + 1)) {
        Some((code, _)) => *code,
        None => "ZZ",
    };
    if let Ok(stored) = e164(country, number) {
        assert!(stored.starts_with('+'), "{stored}");
        assert!(stored[1..].bytes().all(|b| b.is_ascii_digit()), "{stored}");
        assert!(stored.len() <= 16, "E.164 has at most 15 digits: {stored}");
        assert_eq!(e164(country, &stored).as_deref(), Ok(stored.as_str()));
    }
});
