#![no_main]
//! Google Authenticator export parsing: arbitrary bytes as the protobuf payload (wrapped
//! in a link as the app writes it) and as the link text itself. Never a panic; every key
//! read is a Key URI that lenient parsing reads back the same from its own text.

use base64ct::{Base64, Encoding};
use countersign_totp::{KeyUri, Migration, UriWarning};
use libfuzzer_sys::fuzz_target;

fn check(export: countersign_totp::Result<Migration>) {
    let Ok(export) = export else { return };
    assert!(export.keys().len() <= countersign_totp::MAX_MIGRATION_KEYS);
    for key in export.keys() {
        let text = key.uri.to_uri();
        assert!(text.len() <= countersign_totp::MAX_URI_LEN);
        let (again, warnings) = KeyUri::parse_lenient(&text).expect("an imported key's URI parses");
        assert_eq!(again, key.uri);
        assert!(
            warnings
                .iter()
                .all(|w| matches!(w, UriWarning::ColonInName { .. }))
        );
    }
}

fuzz_target!(|data: &[u8]| {
    let link = format!(
        "otpauth-migration://offline?data={}",
        Base64::encode_string(data)
            .replace('+', "%2B")
            .replace('/', "%2F")
            .replace('=', "%3D")
    );
    check(Migration::parse(&link));
    if let Ok(text) = core::str::from_utf8(data) {
        check(Migration::parse(text));
    }
});
