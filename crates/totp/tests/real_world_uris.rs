//! otpauth URIs as real issuers and apps wrote them (`data/real_world_uris.jsonl`, each
//! line naming the issue, README or specification it comes from; where the original's
//! secret was redacted, ours stands in). Each is read to the fields a person would
//! expect; strict parsing accepts exactly those lenient parsing reads without warnings;
//! accepted ones are written back byte for byte, the others resolved, and the rebuilt
//! text parses strictly to the same key.

use countersign_totp::{KeyUri, UriWarning};
use serde_json::Value;

fn kind(warning: &UriWarning) -> &'static str {
    match warning {
        UriWarning::IssuerMismatch { .. } => "IssuerMismatch",
        UriWarning::ColonInName { .. } => "ColonInName",
        UriWarning::ImageDropped { .. } => "ImageDropped",
        _ => "unknown",
    }
}

#[test]
fn every_real_world_uri() {
    let mut checked = 0;
    for (number, line) in include_str!("data/real_world_uris.jsonl")
        .lines()
        .enumerate()
    {
        let record: Value = serde_json::from_str(line).unwrap();
        let text = record["uri"].as_str().unwrap();
        let context = format!("line {}: {}", number + 1, record["source"]);

        let (uri, warnings) = KeyUri::parse_lenient(text).expect(&context);
        assert_eq!(uri.issuer(), record["issuer"].as_str(), "{context}");
        assert_eq!(
            uri.account(),
            record["account"].as_str().unwrap(),
            "{context}"
        );
        assert_eq!(uri.image(), record["image"].as_str(), "{context}");
        let expected: Vec<&str> = record["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w.as_str().unwrap())
            .collect();
        let found: Vec<&str> = warnings.iter().map(kind).collect();
        assert_eq!(found, expected, "{context}");

        let strict = KeyUri::parse(text);
        let rebuilt = uri.to_uri();
        if warnings.is_empty() {
            assert_eq!(strict.as_ref(), Ok(&uri), "{context}");
            assert_eq!(rebuilt.as_str(), text, "{context}: byte for byte");
        } else {
            assert!(
                strict.is_err(),
                "{context}: strict refuses what lenient warns of"
            );
            assert_eq!(
                rebuilt.as_str(),
                record["rebuilt"].as_str().unwrap(),
                "{context}"
            );
        }
        // The rebuilt URI is clean when it can be: a warning of a colon inside a name
        // stays (the name is what it is); the others are resolved.
        let (again, again_warnings) = KeyUri::parse_lenient(&rebuilt).expect(&context);
        assert_eq!(again, uri, "{context}");
        assert!(
            again_warnings
                .iter()
                .all(|w| matches!(w, UriWarning::ColonInName { .. })),
            "{context}: {again_warnings:?}"
        );
        assert_eq!(again.to_uri(), rebuilt, "{context}: a fixed point");
        checked += 1;
    }
    assert_eq!(checked, 23);
}
