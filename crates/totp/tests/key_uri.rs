//! What a `KeyUri` promises at its edges: when two are equal, the parameters it reads
//! for each type, the lengths it accepts, and what its warnings say.

use countersign_totp::{Algorithm, Error, KeyUri, MAX_URI_LEN, UriWarning};

const BASE: &str = "otpauth://totp/ACME:joe?secret=JBSWY3DPEHPK3PXP&issuer=ACME";

fn parse(text: &str) -> KeyUri {
    KeyUri::parse(text).unwrap_or_else(|error| panic!("{text}: {error}"))
}

/// `text`, padded with an unknown parameter to exactly `len` bytes.
fn padded(text: &str, len: usize) -> String {
    let text = format!("{text}&pad=");
    let padded = format!("{text}{}", "x".repeat(len - text.len()));
    assert_eq!(padded.len(), len);
    padded
}

#[test]
fn key_uris_are_equal_only_when_every_field_and_the_layout_are() {
    assert_eq!(parse(BASE), parse(BASE));
    // Each differs from BASE in one thing only.
    for other in [
        "otpauth://hotp/ACME:joe?secret=JBSWY3DPEHPK3PXP&issuer=ACME&counter=0",
        "otpauth://totp/ACME:joe?secret=JBSWY3DPEHPK3PXP&issuer=ACME&period=60",
        "otpauth://totp/ACMF:joe?secret=JBSWY3DPEHPK3PXP&issuer=ACMF",
        "otpauth://totp/ACME:jo?secret=JBSWY3DPEHPK3PXP&issuer=ACME",
        "otpauth://totp/ACME:joe?secret=JBSWY3DPEHPK3PXQ&issuer=ACME",
        "otpauth://totp/ACME:joe?secret=JBSWY3DPEHPK3PXP&issuer=ACME&algorithm=SHA256",
        "otpauth://totp/ACME:joe?secret=JBSWY3DPEHPK3PXP&issuer=ACME&digits=8",
        "otpauth://totp/ACME:joe?secret=JBSWY3DPEHPK3PXP&issuer=ACME&image=https%3A%2F%2Fa.example%2Fl.png",
        // The same values written another way: the parameters in another order, or
        // an unknown parameter with another value. Equality agrees with `to_uri`.
        "otpauth://totp/ACME:joe?issuer=ACME&secret=JBSWY3DPEHPK3PXP",
        "otpauth://totp/ACME:joe?secret=JBSWY3DPEHPK3PXP&issuer=ACME&lock=true",
    ] {
        let (a, b) = (parse(BASE), parse(other));
        assert_ne!(a, b, "{other}");
        assert_ne!(a.to_uri(), b.to_uri(), "{other}");
    }
    assert_ne!(
        parse(&format!("{BASE}&lock=true")),
        parse(&format!("{BASE}&lock=false"))
    );
    // A setter's change is counted in the layout: BASE with SHA-256 set is the URI
    // that was written with it.
    assert_eq!(
        parse(BASE).with_algorithm(Algorithm::Sha256),
        parse(&format!("{BASE}&algorithm=SHA256"))
    );
}

#[test]
fn the_empty_pair_of_a_doubled_ampersand_is_no_extra_parameter() {
    let text = "otpauth://totp/joe?secret=JBSWY3DPEHPK3PXP&&lock=true&";
    let uri = parse(text);
    assert_eq!(
        uri.extra_parameters().collect::<Vec<_>>(),
        [("lock", "true")]
    );
    assert_eq!(uri.to_uri().as_str(), text);
}

#[test]
fn a_period_belongs_to_totp_and_a_counter_to_hotp_elsewhere_they_are_extra() {
    let hotp = parse("otpauth://hotp/joe?secret=JBSWY3DPEHPK3PXP&counter=5&period=60");
    assert_eq!(hotp.counter(), Some(5));
    assert_eq!(hotp.period(), None);
    assert_eq!(
        hotp.extra_parameters().collect::<Vec<_>>(),
        [("period", "60")]
    );
    let totp = parse("otpauth://totp/joe?secret=JBSWY3DPEHPK3PXP&period=60&counter=5");
    assert_eq!(totp.period(), Some(60));
    assert_eq!(totp.counter(), None);
    assert_eq!(
        totp.extra_parameters().collect::<Vec<_>>(),
        [("counter", "5")]
    );
}

#[test]
fn a_uri_of_max_uri_len_bytes_parses_and_one_byte_more_does_not() {
    let longest = padded(BASE, MAX_URI_LEN);
    assert_eq!(parse(&longest).to_uri().as_str(), longest);
    assert_eq!(
        KeyUri::parse(&format!("{longest}x")),
        Err(Error::UriTooLong {
            len: MAX_URI_LEN + 1,
            max: MAX_URI_LEN
        })
    );
}

#[test]
fn a_setter_may_take_a_parsed_uri_to_max_uri_len_and_no_further() {
    // `with_digits(8)` adds `&digits=8`, nine bytes.
    let fits = parse(&padded(BASE, MAX_URI_LEN - 9))
        .with_digits(8)
        .unwrap();
    assert_eq!(fits.to_uri().len(), MAX_URI_LEN);
    assert_eq!(parse(&fits.to_uri()), fits);
    assert_eq!(
        parse(&padded(BASE, MAX_URI_LEN - 8)).with_digits(8),
        Err(Error::UriTooLong {
            len: MAX_URI_LEN + 1,
            max: MAX_URI_LEN
        })
    );
}

#[test]
fn an_image_url_may_have_1024_bytes_and_no_more() {
    let url = |len: usize| format!("https://a.example/{}", "x".repeat(len - 18));
    let uri = parse(BASE).with_image(&url(1024)).unwrap();
    assert_eq!(uri.image(), Some(url(1024).as_str()));
    match parse(BASE).with_image(&url(1025)) {
        Err(Error::UriInvalidParameter { name, reason, .. }) => {
            assert_eq!(
                (name, reason),
                ("image", "the URL is longer than 1024 bytes")
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn each_warning_says_what_was_found_and_what_was_kept() {
    let said = |text: &str| -> Vec<String> {
        let (_, warnings) = KeyUri::parse_lenient(text).unwrap();
        warnings.iter().map(ToString::to_string).collect()
    };
    assert_eq!(
        said("otpauth://totp/Contoso:joe?secret=JBSWY3DPEHPK3PXP&issuer=Microsoft"),
        [
            "the label says issuer \"Contoso\" but the issuer parameter says \"Microsoft\": \
             \"Microsoft\" was kept"
        ]
    );
    assert_eq!(
        said("otpauth://totp/ACME:joe%3Ahome?secret=JBSWY3DPEHPK3PXP"),
        ["the account name holds a colon, which some apps read as the issuer separator"]
    );
    let dropped =
        said("otpauth://totp/joe?secret=JBSWY3DPEHPK3PXP&image=http%3A%2F%2Fa.example%2F");
    assert_eq!(dropped.len(), 1);
    assert!(
        dropped[0].starts_with("the image was dropped: ") && dropped[0].contains("https"),
        "{dropped:?}"
    );
    assert_eq!(
        UriWarning::ImageDropped {
            reason: "why".into()
        }
        .to_string(),
        "the image was dropped: why"
    );
}
