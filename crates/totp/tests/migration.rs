//! Google Authenticator exports (`data/migration.jsonl`): real `otpauth-migration` links
//! from the projects named on each line, with the Key URIs their keys become. Where a
//! project printed the otpauth URI a link decodes to, the expected one is built from
//! it; the batch fields were cross-checked with `data/migration_decode.py`, a decoder
//! written on Python's standard library alone.

use countersign_totp::{Migration, UriWarning};
use serde_json::Value;

#[test]
fn every_migration_vector() {
    let mut checked = 0;
    for (number, line) in include_str!("data/migration.jsonl").lines().enumerate() {
        let record: Value = serde_json::from_str(line).unwrap();
        let context = format!("line {}: {}", number + 1, record["source"]);
        let export = Migration::parse(record["migration"].as_str().unwrap()).expect(&context);
        let batch = [
            export.version(),
            export.batch_size(),
            export.batch_index(),
            export.batch_id(),
        ];
        let expected: Vec<i32> = ["version", "batch_size", "batch_index", "batch_id"]
            .iter()
            .map(|field| i32::try_from(record[field].as_i64().unwrap()).unwrap())
            .collect();
        assert_eq!(batch.to_vec(), expected, "{context}");
        let keys = record["keys"].as_array().unwrap();
        assert_eq!(export.keys().len(), keys.len(), "{context}");
        for (key, expected) in export.keys().iter().zip(keys) {
            assert_eq!(
                key.uri.to_uri().as_str(),
                expected["uri"].as_str().unwrap(),
                "{context}"
            );
            let warnings: Vec<&str> = key
                .warnings
                .iter()
                .map(|warning| match warning {
                    UriWarning::IssuerMismatch { .. } => "IssuerMismatch",
                    UriWarning::ColonInName { .. } => "ColonInName",
                    _ => "other",
                })
                .collect();
            let expected: Vec<&str> = expected["warnings"]
                .as_array()
                .unwrap()
                .iter()
                .map(|w| w.as_str().unwrap())
                .collect();
            assert_eq!(warnings, expected, "{context}");
        }
        checked += 1;
    }
    assert_eq!(checked, 9);
}

#[test]
fn malformed_exports_are_typed_errors() {
    use countersign_totp::Error;
    let cases = [
        ("otpauth://totp/a?secret=JBSWY3DPEHPK3PXP", "scheme"),
        ("otpauth-migration://offline?foo=bar", "encoding"),
        ("otpauth-migration://offline?data=%%%", "encoding"),
        (
            "otpauth-migration://offline?data=AAAA&data=AAAA",
            "encoding",
        ),
        ("otpauth-migration://offline?data=CgE%3D", "protobuf"), // entry length past the end
        // unspecified OTP type (field 6 absent)
        (
            "otpauth-migration://offline?data=CgwKCkhlbGxvId6tvu8%3D",
            "unsupported",
        ),
        // digits = 3, not in the schema
        (
            "otpauth-migration://offline?data=ChAKCkhlbGxvId6tvu8oAzAC",
            "unsupported",
        ),
        // a five-byte secret: 40 bits
        (
            "otpauth-migration://offline?data=CgkKBUhlbGxvMAI%3D",
            "short",
        ),
    ];
    for (text, kind) in cases {
        let error = Migration::parse(text).unwrap_err();
        let ok = match kind {
            "scheme" => matches!(error, Error::MigrationScheme),
            "encoding" => matches!(error, Error::MigrationEncoding { .. }),
            "protobuf" => matches!(error, Error::MigrationProtobuf { .. }),
            "unsupported" => matches!(error, Error::MigrationUnsupported { .. }),
            _ => matches!(error, Error::SecretTooShort { .. }),
        };
        assert!(ok, "{text}: {error:?}");
    }
    let long = format!("otpauth-migration://offline?data={}", "A".repeat(9000));
    assert!(matches!(
        Migration::parse(&long),
        Err(Error::MigrationTooLarge { what: "text", .. })
    ));
}

#[test]
fn an_export_of_max_migration_len_bytes_is_read_and_one_byte_more_is_not() {
    use countersign_totp::{Error, MAX_MIGRATION_LEN};
    // A real link, padded with a parameter the reader ignores.
    let link = "otpauth-migration://offline?data=CjEKCkhlbGxvId6tvu8SGEV4YW1wbGU6YWxpY2VAZ29vZ2xlLmNvbRoHRXhhbXBsZTAC&pad=";
    let longest = format!("{link}{}", "x".repeat(MAX_MIGRATION_LEN - link.len()));
    assert_eq!(longest.len(), MAX_MIGRATION_LEN);
    assert_eq!(Migration::parse(&longest).unwrap().keys().len(), 1);
    let longer = format!("{longest}x");
    assert_eq!(
        Migration::parse(&longer).unwrap_err(),
        Error::MigrationTooLarge {
            what: "text",
            len: MAX_MIGRATION_LEN + 1,
            max: MAX_MIGRATION_LEN,
        }
    );
}
