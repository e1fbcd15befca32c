#![no_main]
//! otpauth URI parsing of arbitrary text: never a panic, and whatever is
//! accepted builds back to a URI that parses to the same value.

use countersign_totp::KeyUri;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Ok(uri) = KeyUri::parse(text) {
        let built = uri.to_uri();
        let again = KeyUri::parse(&built).expect("a built URI parses");
        assert_eq!(again, uri);
    }
});
