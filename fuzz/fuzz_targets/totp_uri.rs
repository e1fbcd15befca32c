#![no_main]
//! otpauth URI parsing of arbitrary text, strict and lenient: never a panic; strict
//! parsing accepts exactly what lenient parsing reads without warnings; whatever strict
//! parsing accepts is built back to the same text byte for byte; whatever lenient
//! parsing accepts is built to a URI that parses to the same value, with no warning
//! left but a colon inside a name, and building that again is a fixed point. Every
//! text built is at most `MAX_URI_LEN` bytes; an unknown type is echoed without the
//! query (which holds the secret).

use countersign_totp::{Error, KeyUri, MAX_URI_LEN, UriWarning};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let strict = KeyUri::parse(text);
    if let Err(Error::UriType { found }) = &strict {
        assert!(found.chars().count() <= 8 && !found.contains(['?', '#', '&', '=', '/']));
    }
    if let Ok(uri) = &strict {
        let built = uri.to_uri();
        assert_eq!(built.as_str(), text, "build(parse(u)) == u");
        let again = KeyUri::parse(&built).expect("a built URI parses");
        assert_eq!(&again, uri);
    }
    match KeyUri::parse_lenient(text) {
        Ok((uri, warnings)) => {
            assert_eq!(strict.is_ok(), warnings.is_empty());
            let built = uri.to_uri();
            assert!(built.len() <= MAX_URI_LEN, "a rebuilt URI fits");
            let (again, again_warnings) =
                KeyUri::parse_lenient(&built).expect("a built URI parses leniently");
            assert_eq!(again, uri);
            assert!(
                again_warnings
                    .iter()
                    .all(|w| matches!(w, UriWarning::ColonInName { .. }))
            );
            assert_eq!(again.to_uri(), built);
        }
        // Strict may fail earlier, on what lenient parsing lets through.
        Err(_) => assert!(strict.is_err()),
    }
});
