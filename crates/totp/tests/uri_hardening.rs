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
    // The parameter is there, its text redacted.
    assert!(debug.contains("Other([redacted])"), "{debug}");
}

/// Finding 2: the OTP type echoed in an error stops where the type ends, so a URI
/// without a `/` after its type does not put its query, and the secret, in the message.
#[test]
fn an_unknown_type_does_not_echo_the_query() {
    let error = KeyUri::parse("otpauth://totp?secret=JBSWY3DPEHPK3PXP&issuer=ACME").unwrap_err();
    assert_eq!(
        error,
        Error::UriType {
            found: "totp".into()
        }
    );
    let error =
        KeyUri::parse("otpauth://JBSWY3DPEHPK3PXP/joe?secret=JBSWY3DPEHPK3PXP").unwrap_err();
    assert_eq!(
        error,
        Error::UriType {
            found: "JBSWY3DP".into()
        }
    );
}

mod no_secret_in_errors {
    use countersign_totp::{KeyUri, Secret};
    use proptest::prelude::*;

    prop_compose! {
        /// Malformed otpauth URIs holding `secret=X` in their query: a broken type, a
        /// missing or doubled slash, a bad label, bad parameters around the secret.
        fn malformed()(
            bytes in proptest::collection::vec(any::<u8>(), 10..=40),
            scheme in prop_oneof![Just("otpauth://"), Just("OTPAUTH://"), Just("otpauth:/"), Just("otpauth:")],
            kind in prop_oneof![Just("totp"), Just("hotp"), Just("motp"), Just(""), Just("totp "), Just("t%6Ftp")],
            slash in prop_oneof![Just("/"), Just(""), Just("//"), Just("&"), Just("#")],
            label in prop_oneof![Just("joe"), Just(""), Just("A:joe"), Just("A%3Ajoe"), Just("%FF"), Just("%1B:j"), Just("B:joe")],
            before in proptest::collection::vec(prop_oneof![
                Just("issuer=C"), Just("digits=9"), Just("period=0"), Just("algorithm=MD5"),
                Just("image=http://a"), Just("image=https://"), Just("x=%FF"), Just("counter=-1"),
                Just("secret"), Just(""),
            ], 0..3),
            after in proptest::collection::vec(prop_oneof![
                Just("issuer=C"), Just("digits=9"), Just("period=0"), Just("algorithm=MD5"),
                Just("image=http://a"), Just("secret=0"), Just("s%65cret=A"), Just("%FF"),
            ], 0..3),
            separator in prop_oneof![Just("?"), Just("&"), Just(""), Just("#")],
            lower in any::<bool>(),
        ) -> (String, String) {
            let secret = Secret::from_bytes(&bytes).unwrap().to_base32().to_string();
            let secret = if lower { secret.to_lowercase() } else { secret };
            let mut params: Vec<String> = before.iter().map(|p| (*p).to_owned()).collect();
            params.push(format!("secret={secret}"));
            params.extend(after.iter().map(|p| (*p).to_owned()));
            let text = format!("{scheme}{kind}{slash}{label}{separator}{}", params.join("&"));
            (text, secret)
        }
    }

    proptest! {
        #[test]
        fn no_error_repeats_the_secret((text, secret) in malformed()) {
            for error in [KeyUri::parse(&text).err(), KeyUri::parse_lenient(&text).err()].into_iter().flatten() {
                for shown in [error.to_string(), format!("{error:?}")] {
                    prop_assert!(!shown.contains(&secret), "{} -> {}", text, shown);
                }
            }
        }
    }
}

/// A Google Authenticator export of one TOTP key with these names.
fn export(name: &str, issuer: &str) -> String {
    export_bytes(name.as_bytes(), issuer.as_bytes())
}

/// As [`export`], with names that need not be UTF-8.
fn export_bytes(name: &[u8], issuer: &[u8]) -> String {
    use base64ct::{Base64, Encoding};
    let field = |number: u8, bytes: &[u8]| {
        let mut out = vec![number << 3 | 2];
        let mut len = bytes.len();
        loop {
            let byte = u8::try_from(len & 0x7f).unwrap();
            len >>= 7;
            if len == 0 {
                out.push(byte);
                break;
            }
            out.push(byte | 0x80);
        }
        out.extend_from_slice(bytes);
        out
    };
    let mut key = field(1, b"Hello!\xde\xad\xbe\xef");
    key.extend(field(2, name));
    key.extend(field(3, issuer));
    key.extend([0x30, 0x02]);
    let payload = field(1, &key);
    let data = Base64::encode_string(&payload)
        .replace('+', "%2B")
        .replace('/', "%2F")
        .replace('=', "%3D");
    format!("otpauth-migration://offline?data={data}")
}

/// Finding 3: the label's issuer is checked for control and bidirectional formatting
/// characters even when the `issuer` parameter wins, so a warning never carries one.
#[test]
fn a_losing_label_issuer_is_checked_too() {
    let text = "otpauth://totp/%E2%80%AEEvil%1B%5D0%3Bx%07:joe?secret=JBSWY3DPEHPK3PXP&issuer=ACME";
    assert!(
        matches!(KeyUri::parse(text), Err(Error::UriLabel { .. })),
        "{:?}",
        KeyUri::parse(text)
    );
    assert!(
        matches!(KeyUri::parse_lenient(text), Err(Error::UriLabel { .. })),
        "{:?}",
        KeyUri::parse_lenient(text)
    );
    let link = export("\u{202e}Evil\u{1b}]0;x\u{7}:joe", "ACME");
    let read = countersign_totp::Migration::parse(&link);
    assert!(matches!(read, Err(Error::UriLabel { .. })), "{read:?}");
    // A clean losing issuer is still a warning.
    assert!(countersign_totp::Migration::parse(&export("Contoso:joe", "ACME")).is_ok());
}

/// Finding 4: names are bounded, so a built URI fits under `MAX_URI_LEN` and parses back.
#[test]
fn long_names_are_refused_so_built_uris_parse_back() {
    use countersign_totp::{MAX_NAME_LEN, Secret};
    let secret = Secret::from_base32("JBSWY3DPEHPK3PXP").unwrap();
    let long = "a".repeat(4100);
    assert_eq!(
        KeyUri::new_totp(&secret, None, &long).unwrap_err(),
        Error::UriNameTooLong {
            part: "account name",
            len: 4100,
            max: MAX_NAME_LEN
        }
    );
    assert!(matches!(
        KeyUri::new_totp(&secret, Some(&long), "joe"),
        Err(Error::UriNameTooLong { part: "issuer", .. })
    ));
    let longest = "é".repeat(MAX_NAME_LEN / 2);
    let uri = KeyUri::new_totp(&secret, Some(&longest), &longest).unwrap();
    assert_eq!(KeyUri::parse(&uri.to_uri()).unwrap(), uri);
    // Parsed: the label's issuer, the issuer parameter and the account name alike.
    let over = "%C3%A9".repeat(MAX_NAME_LEN / 2 + 1);
    for text in [
        format!("otpauth://totp/A?secret=JBSWY3DPEHPK3PXP&issuer={over}"),
        format!("otpauth://totp/{over}:joe?secret=JBSWY3DPEHPK3PXP&issuer=ACME"),
        format!("otpauth://totp/{over}?secret=JBSWY3DPEHPK3PXP"),
    ] {
        assert!(
            matches!(KeyUri::parse(&text), Err(Error::UriNameTooLong { .. })),
            "{text}"
        );
        assert!(
            matches!(
                KeyUri::parse_lenient(&text),
                Err(Error::UriNameTooLong { .. })
            ),
            "{text}"
        );
    }
}

/// Finding 4: a lenient URI whose resolved label makes it longer than `MAX_URI_LEN`
/// (its unknown parameters kept) is refused, rather than rebuilt to a text that does
/// not parse.
#[test]
fn a_lenient_rebuild_never_outgrows_max_uri_len() {
    use countersign_totp::MAX_URI_LEN;
    let issuer = "%C3%A9".repeat(128);
    let mut text = format!("otpauth://totp/B:joe?secret=JBSWY3DPEHPK3PXP&issuer={issuer}&x=");
    text.push_str(&"y".repeat(MAX_URI_LEN - text.len()));
    assert_eq!(text.len(), MAX_URI_LEN);
    match KeyUri::parse_lenient(&text) {
        Ok((uri, _)) => {
            let rebuilt = uri.to_uri();
            assert!(rebuilt.len() <= MAX_URI_LEN, "{}", rebuilt.len());
        }
        Err(error) => assert!(matches!(error, Error::UriTooLong { .. }), "{error:?}"),
    }
}

/// Finding 4: a too-long name in an export is the export's own error, not a complaint
/// about a URI text the caller never passed.
#[test]
fn a_long_name_in_an_export_is_a_migration_error() {
    let read = countersign_totp::Migration::parse(&export(&"ö".repeat(1000), ""));
    assert!(
        matches!(read, Err(Error::MigrationTooLarge { what: "name", .. })),
        "{read:?}"
    );
    let read = countersign_totp::Migration::parse(&export("joe", &"ö".repeat(1000)));
    assert!(
        matches!(read, Err(Error::MigrationTooLarge { what: "issuer", .. })),
        "{read:?}"
    );
}

mod lengths {
    use countersign_totp::{Algorithm, Error, KeyUri, MAX_NAME_LEN, MAX_URI_LEN, Secret};
    use proptest::prelude::*;

    /// Names up to the bound, of characters that encode to three bytes per byte.
    fn long_name() -> impl Strategy<Value = String> {
        (
            1usize..=MAX_NAME_LEN,
            prop_oneof![Just('a'), Just('&'), Just('é'), Just('€')],
        )
            .prop_map(|(len, c)| {
                let mut name = String::new();
                while name.len() + c.len_utf8() <= len {
                    name.push(c);
                }
                if name.is_empty() {
                    "x".to_owned()
                } else {
                    name
                }
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Every URI built from accepted parts, at the longest names and secret, fits
        /// under `MAX_URI_LEN` and parses back to itself; an image that would not fit
        /// is refused.
        #[test]
        fn built_uris_fit(
            issuer in proptest::option::of(long_name()),
            account in long_name(),
            bytes in prop_oneof![Just(1024usize), 10usize..=1024],
            hotp in any::<bool>(),
            image_len in 0usize..=2000,
        ) {
            let secret = Secret::from_bytes(&vec![0xa5; bytes]).unwrap();
            let uri = if hotp {
                KeyUri::new_hotp(&secret, issuer.as_deref(), &account, u64::MAX).unwrap()
            } else {
                KeyUri::new_totp(&secret, issuer.as_deref(), &account).unwrap().with_period(u64::MAX).unwrap()
            }
            .with_algorithm(Algorithm::Sha512)
            .with_digits(8)
            .unwrap();
            let text = uri.to_uri();
            prop_assert!(text.len() <= MAX_URI_LEN, "{}", text.len());
            prop_assert_eq!(KeyUri::parse(&text), Ok(uri.clone()));
            let url = format!("https://a.example/{}", "%".repeat(image_len));
            match uri.with_image(&url) {
                Ok(uri) => {
                    let text = uri.to_uri();
                    prop_assert!(text.len() <= MAX_URI_LEN, "{}", text.len());
                    prop_assert_eq!(KeyUri::parse(&text), Ok(uri));
                }
                Err(error) => prop_assert!(
                    matches!(error, Error::UriTooLong { .. } | Error::UriInvalidParameter { name: "image", .. }),
                    "{error:?}"
                ),
            }
        }

        /// Parsed URIs with long names and many unknown parameters: whatever lenient
        /// parsing accepts is rebuilt within `MAX_URI_LEN`, and the setters keep it there.
        #[test]
        fn parsed_uris_stay_within_bounds(
            label in long_name(),
            issuer in long_name(),
            extras in proptest::collection::vec("[a-z]{1,8}=[a-zA-Z0-9%]{0,400}", 0..40),
            digits in 6u8..=8,
            period in 1u64..=u64::MAX,
        ) {
            let encode = |name: &str| -> String {
                name.bytes().map(|b| format!("%{b:02X}")).collect()
            };
            let mut text = format!(
                "otpauth://totp/{}:joe?secret=JBSWY3DPEHPK3PXP&issuer={}",
                encode(&label),
                encode(&issuer),
            );
            for extra in &extras {
                text.push('&');
                text.push_str(extra);
            }
            if let Ok((uri, _)) = KeyUri::parse_lenient(&text) {
                let rebuilt = uri.to_uri();
                prop_assert!(rebuilt.len() <= MAX_URI_LEN, "{}", rebuilt.len());
                prop_assert!(KeyUri::parse_lenient(&rebuilt).is_ok());
                for changed in [uri.clone().with_digits(digits), uri.with_period(period)] {
                    match changed {
                        Ok(changed) => {
                            let text = changed.to_uri();
                            prop_assert!(text.len() <= MAX_URI_LEN, "{}", text.len());
                            prop_assert_eq!(KeyUri::parse_lenient(&text).map(|(u, _)| u), Ok(changed));
                        }
                        Err(error) => prop_assert!(matches!(error, Error::UriTooLong { .. }), "{error:?}"),
                    }
                }
            }
        }
    }
}

/// Finding 5: an image URL is checked after decoding for control and bidirectional
/// formatting characters, must have a host, and may not carry user information.
#[test]
fn image_urls_without_a_host_or_with_bidi_or_userinfo_are_refused() {
    use countersign_totp::{Secret, UriWarning};
    let base = || {
        KeyUri::new_totp(
            &Secret::from_base32("JBSWY3DPEHPK3PXP").unwrap(),
            None,
            "joe",
        )
        .unwrap()
    };
    for url in [
        "https://a.example/\u{202e}gnp.exe",
        "https://\u{202e}a.example/x",
        "https://a.example/\u{2066}x",
        "https://@/x",
        "https://@",
        "https://:443/x",
        "https://user@a.example/x",
        "https://trusted.example@evil.example/logo.png",
        "https://user:pw@a.example",
    ] {
        let set = base().with_image(url);
        assert!(
            matches!(set, Err(Error::UriInvalidParameter { name: "image", .. })),
            "{url:?}: {set:?}"
        );
        let encoded: String = url.bytes().map(|b| format!("%{b:02X}")).collect();
        let text = format!("otpauth://totp/joe?secret=JBSWY3DPEHPK3PXP&image={encoded}");
        assert!(
            matches!(
                KeyUri::parse(&text),
                Err(Error::UriInvalidParameter { name: "image", .. })
            ),
            "{text}"
        );
        let (uri, warnings) = KeyUri::parse_lenient(&text).unwrap();
        assert_eq!(uri.image(), None);
        assert!(
            matches!(warnings[..], [UriWarning::ImageDropped { .. }]),
            "{warnings:?}"
        );
    }
    assert!(
        base()
            .with_image("https://a.example:8443/logo.png?at=x@y")
            .is_ok()
    );
}

/// Finding 6: the URI text holds the secret, so it is sized up front: a String that
/// grows copies itself and frees the old buffer unwiped (`Zeroizing` wipes only the
/// last one).
#[test]
fn the_uri_text_is_sized_up_front_so_no_unwiped_copy_is_left() {
    use countersign_totp::{MAX_URI_LEN, Secret};
    let secret = Secret::from_bytes(&[7; 64]).unwrap();
    let uri = KeyUri::new_totp(&secret, Some("ACME"), "joe@example.com").unwrap();
    let text = uri.to_uri();
    assert!(text.len() > 128);
    assert!(text.capacity() >= MAX_URI_LEN, "{}", text.capacity());
}

/// Finding 7: a name or issuer that is not UTF-8 is reported where it is.
#[test]
fn a_non_utf8_name_is_reported_at_its_offset() {
    use countersign_totp::Migration;
    // The key message: the secret's field (2 + 10 bytes), then the name's key and length.
    assert_eq!(
        Migration::parse(&export_bytes(b"jo\xff", b"")),
        Err(Error::MigrationProtobuf {
            offset: 14,
            reason: "the name is not UTF-8"
        })
    );
    assert_eq!(
        Migration::parse(&export_bytes(b"joe", b"AC\xffME")),
        Err(Error::MigrationProtobuf {
            offset: 19,
            reason: "the issuer is not UTF-8"
        })
    );
}

/// Finding 7: an empty `image=` is refused strictly as what it is (no URL), and dropped
/// with a warning leniently.
#[test]
fn an_empty_image_is_named_as_such() {
    use countersign_totp::UriWarning;
    let text = "otpauth://totp/joe?secret=JBSWY3DPEHPK3PXP&image=";
    assert_eq!(
        KeyUri::parse(text),
        Err(Error::UriInvalidParameter {
            name: "image",
            value: String::new(),
            reason: "the URL is empty"
        })
    );
    let (uri, warnings) = KeyUri::parse_lenient(text).unwrap();
    assert_eq!(uri.image(), None);
    assert!(matches!(warnings[..], [UriWarning::ImageDropped { .. }]));
    assert_eq!(
        uri.to_uri().as_str(),
        "otpauth://totp/joe?secret=JBSWY3DPEHPK3PXP"
    );
}
