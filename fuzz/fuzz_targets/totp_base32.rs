#![no_main]
//! Lenient base32 decoding of arbitrary text: never a panic, and whatever is
//! accepted round-trips through the canonical encoding.

use countersign_totp::Secret;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Ok(secret) = Secret::from_base32(text) {
        assert!(secret.bits() >= Secret::LEGACY_MIN_BITS);
        let again = Secret::from_base32(&secret.to_base32()).expect("canonical base32 parses");
        assert_eq!(again, secret);
        let grouped =
            Secret::from_base32(&secret.to_base32_grouped()).expect("grouped base32 parses");
        assert_eq!(grouped, secret);
    }
    let _ = Secret::from_base32_strict(text);
});
