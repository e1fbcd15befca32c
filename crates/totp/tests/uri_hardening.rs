//! Regression tests of the otpauth URI review (issue 14 follow-up): each test failed
//! before its fix.

use countersign_totp::{Error, KeyUri};

/// Finding 1: a percent-encoded parameter name is the parameter it spells (pyotp's
/// `parse_qsl` decodes names, last value wins), so it gets the duplicate check.
#[test]
fn an_encoded_parameter_name_is_the_parameter_it_spells() {
    for (text, name) in [
        (
            "otpauth://totp/joe?secret=JBSWY3DPEHPK3PXP&s%65cret=GEZDGNBVGY3TQOJQ",
            "secret",
        ),
        (
            "otpauth://totp/joe?secret=JBSWY3DPEHPK3PXP&issuer=ACME&iss%75er=Evil",
            "issuer",
        ),
        (
            "otpauth://totp/joe?secret=JBSWY3DPEHPK3PXP&%64igits=8&digits=6",
            "digits",
        ),
    ] {
        assert_eq!(
            KeyUri::parse(text),
            Err(Error::UriDuplicateParameter { name }),
            "{text}"
        );
        assert!(KeyUri::parse_lenient(text).is_err(), "{text}");
    }
    // Alone, an encoded name reads as the parameter, and is written back as it came.
    let text = "otpauth://totp/joe?s%65cret=GEZDGNBVGY3TQOJQ&ISS%75ER=ACME";
    let uri = KeyUri::parse(text).unwrap();
    assert_eq!(
        uri.secret(),
        &countersign_totp::Secret::from_base32("GEZDGNBVGY3TQOJQ").unwrap()
    );
    assert_eq!(uri.issuer(), Some("ACME"));
    assert_eq!(uri.extra_parameters().count(), 0);
    assert_eq!(uri.to_uri().as_str(), text);
}

/// Finding 1: an unknown parameter may be a vendor's secret-bearing field, so its value
/// is not shown by `Debug`.
#[test]
fn unknown_parameters_are_redacted_in_debug() {
    let uri =
        KeyUri::parse("otpauth://totp/joe?secret=JBSWY3DPEHPK3PXP&vendorkey=GEZDGNBVGY3TQOJQ")
            .unwrap();
    let debug = format!("{uri:?}");
    assert!(!debug.contains("GEZDGNBVGY3TQOJQ"), "{debug}");
    assert!(!debug.contains("JBSWY3DPEHPK3PXP"), "{debug}");
}
