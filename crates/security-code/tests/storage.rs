//! Sealing, hashing and verification: known answers from independent
//! implementations, round trips, every tampering and truncation a typed error.

use std::convert::Infallible;

use countersign_security_code::{
    Context, Date, Error, HashParams, HashedCode, MAX_ITERATIONS, MAX_MEMORY_KIB, MAX_PARALLELISM,
    SealedCode, SealingKey, SecurityCode, Speech, StoredCode, Verification, Which, verify_caller,
};
use rand::{TryCryptoRng, TryRng};

/// An "RNG" that replays fixed bytes: for known-answer tests only.
struct Replay(Vec<u8>);

impl TryRng for Replay {
    type Error = Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        unreachable!()
    }
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        unreachable!()
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        let n = dst.len();
        dst.copy_from_slice(&self.0[..n]);
        self.0.drain(..n);
        Ok(())
    }
}
impl TryCryptoRng for Replay {}

/// An RNG that fails.
struct Broken;
#[derive(Debug)]
struct Failure;
impl core::fmt::Display for Failure {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("broken")
    }
}
impl core::error::Error for Failure {}
impl TryRng for Broken {
    type Error = Failure;
    fn try_next_u32(&mut self) -> Result<u32, Failure> {
        Err(Failure)
    }
    fn try_next_u64(&mut self) -> Result<u64, Failure> {
        Err(Failure)
    }
    fn try_fill_bytes(&mut self, _: &mut [u8]) -> Result<(), Failure> {
        Err(Failure)
    }
}
impl TryCryptoRng for Broken {}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

/// The salt bytes of a PHC string (unpadded standard base64).
fn phc_salt(phc: &str) -> Vec<u8> {
    let b64 = phc.split('$').nth(4).unwrap();
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut bits = 0u32;
    let mut n = 0;
    let mut out = Vec::new();
    for c in b64.bytes() {
        bits = bits << 6 | u32::try_from(alphabet.iter().position(|&a| a == c).unwrap()).unwrap();
        n += 6;
        if n >= 8 {
            n -= 8;
            out.push(((bits >> n) & 0xFF).to_le_bytes()[0]);
        }
    }
    out
}

fn key() -> SealingKey {
    SealingKey::new("k1", [9; 32]).unwrap()
}

fn cheap() -> HashParams {
    HashParams::new(256, 1, 1, None).unwrap()
}

#[test]
fn seal_matches_pyca_cryptography() {
    let data = include_str!("data/seal_vectors.tsv");
    let mut n = 0;
    for line in data.lines().filter(|l| !l.starts_with('#')) {
        let f: Vec<&str> = line.split('\t').collect();
        let k: [u8; 32] = hex(f[0]).try_into().unwrap();
        let key = SealingKey::new(f[1], k).unwrap();
        let sealed =
            SealedCode::seal_with_rng(&SecurityCode::new(f[3]), &key, &mut Replay(hex(f[2])))
                .unwrap();
        assert_eq!(sealed.to_bytes(), hex(f[4]), "vector {n}");
        let parsed = SealedCode::from_hex(f[4]).unwrap();
        assert_eq!(parsed.key_id(), f[1]);
        assert_eq!(parsed.open(&key).unwrap().expose(), f[3]);
        n += 1;
    }
    assert_eq!(n, 4);
}

#[test]
fn hashed_verifies_libargon2_hashes() {
    let data = include_str!("data/hash_vectors.tsv");
    let mut n = 0;
    for line in data.lines().filter(|l| !l.starts_with('#')) {
        let f: Vec<&str> = line.split('\t').collect();
        assert_eq!(
            Speech::default().normalize(f[0]).as_str(),
            f[1],
            "normalized form"
        );
        let h = HashedCode::from_phc(f[4], Speech::default()).unwrap();
        assert!(h.verify(f[0]).unwrap(), "the code as set: {}", f[0]);
        assert!(h.verify(f[2]).unwrap(), "as spoken: {}", f[2]);
        assert!(!h.verify(f[3]).unwrap(), "a wrong code: {}", f[3]);
        // Hashing the same normalized code with the same salt reproduces libargon2's string.
        let salt = phc_salt(f[4]);
        let ours = HashedCode::hash_with(
            &SecurityCode::new(f[0]),
            Speech::default(),
            cheap(),
            &mut Replay(salt),
        )
        .unwrap();
        assert_eq!(ours.phc(), f[4]);
        n += 1;
    }
    assert_eq!(n, 3);
}

#[test]
fn fresh_nonce_per_seal() {
    let code = SecurityCode::new("Lighthouse-42-Oak");
    let a = SealedCode::seal(&code, &key()).unwrap();
    let b = SealedCode::seal(&code, &key()).unwrap();
    assert_ne!(a.to_bytes(), b.to_bytes());
    assert_eq!(a.open(&key()).unwrap(), b.open(&key()).unwrap());
}

#[test]
fn failing_rng_is_an_error() {
    let code = SecurityCode::new("Lighthouse-42-Oak");
    assert!(matches!(
        SealedCode::seal_with_rng(&code, &key(), &mut Broken),
        Err(Error::Randomness)
    ));
    assert!(matches!(
        HashedCode::hash_with(&code, Speech::default(), cheap(), &mut Broken),
        Err(Error::Randomness)
    ));
    assert!(matches!(
        SealingKey::generate("k", &mut Broken),
        Err(Error::Randomness)
    ));
}

#[test]
fn key_rotation_names_the_key() {
    let old = SealingKey::new("2025-01", [1; 32]).unwrap();
    let new = SealingKey::new("2026-11", [2; 32]).unwrap();
    let sealed = SealedCode::seal(&SecurityCode::new("Lighthouse-42-Oak"), &old).unwrap();
    match sealed.open(&new) {
        Err(Error::KeyMismatch { sealed_with, given }) => {
            assert_eq!(
                (sealed_with.as_str(), given.as_str()),
                ("2025-01", "2026-11")
            );
        }
        other => panic!("expected KeyMismatch, got {other:?}"),
    }
    // Rotate: open with the old key, seal with the new.
    let resealed = SealedCode::seal(&sealed.open(&old).unwrap(), &new).unwrap();
    assert_eq!(resealed.key_id(), "2026-11");
    // Same id, wrong key bytes: authentication fails.
    let impostor = SealingKey::new("2025-01", [3; 32]).unwrap();
    assert!(matches!(sealed.open(&impostor), Err(Error::Tampered)));
}

#[test]
fn every_flipped_bit_is_a_typed_error() {
    let bytes = SealedCode::seal(&SecurityCode::new("Lighthouse-42-Oak"), &key())
        .unwrap()
        .to_bytes();
    for i in 0..bytes.len() {
        for bit in 0..8 {
            let mut t = bytes.clone();
            t[i] ^= 1 << bit;
            let outcome = SealedCode::from_bytes(&t).and_then(|s| s.open(&key()));
            match outcome {
                Err(
                    Error::Tampered
                    | Error::UnknownFormat
                    | Error::UnsupportedVersion { .. }
                    | Error::Truncated { .. }
                    | Error::InvalidKeyId { .. }
                    | Error::KeyMismatch { .. },
                ) => {}
                other => panic!("byte {i} bit {bit}: {other:?}"),
            }
        }
    }
}

#[test]
fn every_truncation_is_a_typed_error() {
    let bytes = SealedCode::seal(&SecurityCode::new("Lighthouse-42-Oak"), &key())
        .unwrap()
        .to_bytes();
    for len in 0..bytes.len() {
        let outcome = SealedCode::from_bytes(&bytes[..len]).and_then(|s| s.open(&key()));
        assert!(
            matches!(outcome, Err(Error::Truncated { .. } | Error::Tampered)),
            "length {len}: {outcome:?}"
        );
    }
    assert!(matches!(
        SealedCode::from_bytes(b"NOPE\x01\x02"),
        Err(Error::UnknownFormat)
    ));
    let mut v2 = bytes;
    v2[4] = 2;
    assert!(matches!(
        SealedCode::from_bytes(&v2),
        Err(Error::UnsupportedVersion {
            version: 2,
            supported: 1
        })
    ));
}

#[test]
fn a_truncated_seal_says_how_long_it_must_be() {
    let sealed = SealedCode::seal(&SecurityCode::new("Lighthouse-42-Oak"), &key()).unwrap();
    let bytes = sealed.to_bytes();
    // Before the key id's length is read, the shortest seal there can be: "CSSC",
    // version, length, a 1-byte key id, the nonce and the tag (an empty code).
    for len in 0..6 {
        assert!(
            matches!(
                SealedCode::from_bytes(&bytes[..len]),
                Err(Error::Truncated { len: l, needed: 35 }) if l == len
            ),
            "length {len}"
        );
    }
    // From the 6-byte header on, the shortest seal with this key id ("k1").
    for len in 6..36 {
        assert!(
            matches!(
                SealedCode::from_bytes(&bytes[..len]),
                Err(Error::Truncated { len: l, needed: 36 }) if l == len
            ),
            "length {len}"
        );
    }
    // At 36 the framing is complete (an empty ciphertext): from_bytes accepts it and
    // the tag check refuses it.
    let framed = SealedCode::from_bytes(&bytes[..36]).unwrap();
    assert!(matches!(framed.open(&key()), Err(Error::Tampered)));
    // A 6-byte header is read as a header: its version is checked before its length.
    assert!(matches!(
        SealedCode::from_bytes(b"CSSC\x02\x02"),
        Err(Error::UnsupportedVersion {
            version: 2,
            supported: 1
        })
    ));
    // The borrowed bytes are the bytes to store.
    assert_eq!(sealed.as_bytes(), bytes.as_slice());
    assert_eq!(SealedCode::from_bytes(sealed.as_bytes()).unwrap(), sealed);
}

#[test]
fn a_sealed_codes_debug_shows_its_key_id_and_length_only() {
    // Sealed codes end up in logs through the records that hold them: Debug names the
    // key (for rotation) and the size, never the nonce or the ciphertext.
    let sealed = SealedCode::seal(&SecurityCode::new("Lighthouse-42-Oak"), &key()).unwrap();
    assert_eq!(
        format!("{sealed:?}"),
        r#"SealedCode { key_id: "k1", len: 53 }"#
    );
}

#[test]
fn serde_round_trip_as_hex() {
    let sealed = SealedCode::seal(&SecurityCode::new("Lighthouse-42-Oak"), &key()).unwrap();
    let json = serde_json::to_string(&StoredCode::Sealed(sealed.clone())).unwrap();
    assert!(json.starts_with(r#"{"sealed":"43535343"#), "{json}");
    let back: StoredCode = serde_json::from_str(&json).unwrap();
    assert_eq!(back, StoredCode::Sealed(sealed));
    assert!(serde_json::from_str::<SealedCode>(r#""4353534301""#).is_err());
    assert!(serde_json::from_str::<SealedCode>(r#""zz""#).is_err());
}

#[test]
fn a_stored_value_of_the_wrong_type_names_what_was_expected() {
    let err = serde_json::from_str::<SealedCode>("42").unwrap_err();
    assert!(
        err.to_string()
            .contains("expected a sealed security code (hex text or bytes)"),
        "{err}"
    );
}

#[test]
fn hex_text_is_read_in_either_case_and_a_bad_digit_is_located() {
    let sealed = SealedCode::seal(&SecurityCode::new("Lighthouse-42-Oak"), &key()).unwrap();
    let hex: String = serde_json::to_value(&sealed)
        .unwrap()
        .as_str()
        .unwrap()
        .to_owned();
    assert!(hex.bytes().any(|b| b.is_ascii_lowercase()), "{hex}");
    assert_eq!(
        SealedCode::from_hex(&hex.to_ascii_uppercase()).unwrap(),
        sealed
    );
    assert_eq!(SealedCode::from_hex(&hex).unwrap(), sealed);
    // The position of the first character that is not a hex digit, high or low nibble.
    for (text, position) in [("435353g3", 6), ("4353534g", 7), ("43535", 5)] {
        assert!(
            matches!(
                SealedCode::from_hex(text),
                Err(Error::InvalidEncoding { position: p }) if p == position
            ),
            "{text}: {:?}",
            SealedCode::from_hex(text)
        );
    }
}

#[test]
fn speech_normalization_is_configurable() {
    let sealed = SealedCode::seal(&SecurityCode::new("Lighthouse-42-Oak"), &key()).unwrap();
    let loose = Speech::default();
    for said in [
        "Lighthouse-42-Oak",
        "lighthouse 42 oak",
        "LIGHTHOUSE42OAK",
        " light house - 42 oak ",
    ] {
        assert!(sealed.verify(said, &key(), &loose).unwrap(), "{said}");
    }
    for said in [
        "lighthouse 42",
        "lighthouse-24-oak",
        "Lighthouse.42.Oak",
        "",
    ] {
        assert!(!sealed.verify(said, &key(), &loose).unwrap(), "{said}");
    }
    let strict = Speech {
        ignore_case: false,
        ignore_spaces: false,
        ignore_hyphens: false,
        ignore_punctuation: false,
    };
    assert!(sealed.verify("Lighthouse-42-Oak", &key(), &strict).unwrap());
    assert!(!sealed.verify("lighthouse-42-oak", &key(), &strict).unwrap());
    assert!(!sealed.verify("Lighthouse 42 Oak", &key(), &strict).unwrap());
    let punct = Speech {
        ignore_punctuation: true,
        ..Speech::default()
    };
    assert!(sealed.verify("Lighthouse.42.Oak!", &key(), &punct).unwrap());
    // A very long input is a mismatch, not a panic.
    assert!(!sealed.verify(&"x".repeat(10_000), &key(), &loose).unwrap());
}

#[test]
fn only_a_match_is_a_match() {
    // Callers gate support actions on is_match: a mismatch or no code set must not pass.
    assert!(Verification::Matched(Which::Contact).is_match());
    assert!(!Verification::Mismatch(Which::Contact).is_match());
    assert!(!Verification::Mismatch(Which::Account).is_match());
    assert!(!Verification::NoCodeSet.is_match());
}

#[test]
fn spoken_dashes_of_every_kind_are_ignored_as_hyphens() {
    // An agent's keyboard or a pasted note may carry a Unicode dash or the minus sign
    // (U+2212); NFKC leaves them alone, so the speech rules fold them with the hyphen.
    let sealed = SealedCode::seal(&SecurityCode::new("Lighthouse-42-Oak"), &key()).unwrap();
    let loose = Speech::default();
    for said in [
        "Lighthouse\u{2010}42\u{2010}Oak",
        "Lighthouse\u{2013}42\u{2013}Oak",
        "Lighthouse\u{2015}42\u{2015}Oak",
        "Lighthouse\u{2212}42\u{2212}Oak",
    ] {
        assert!(sealed.verify(said, &key(), &loose).unwrap(), "{said:?}");
        assert_eq!(
            loose.normalize(said).as_str(),
            "lighthouse42oak",
            "{said:?}"
        );
    }
}

#[test]
fn hashed_code_verifies_but_cannot_be_opened() {
    let code = SecurityCode::new("Tulip-040785-x");
    let h =
        HashedCode::hash_with(&code, Speech::default(), cheap(), &mut rand::rngs::SysRng).unwrap();
    assert!(h.phc().starts_with("$argon2id$v=19$m=256,t=1,p=1$"));
    assert!(h.verify("tulip 040785 x").unwrap());
    assert!(!h.verify("tulip 040785").unwrap());
    // Serde round trip keeps the speech rules.
    let json = serde_json::to_string(&h).unwrap();
    let back: HashedCode = serde_json::from_str(&json).unwrap();
    assert!(back.verify("TULIP-040785-X").unwrap());
    assert!(matches!(
        HashedCode::from_phc(
            "$argon2i$v=19$m=256,t=1,p=1$c2FsdHNhbHQ$aGFzaA",
            Speech::default()
        ),
        Err(Error::InvalidHash { .. })
    ));
    assert!(matches!(
        HashedCode::from_phc("not a hash", Speech::default()),
        Err(Error::InvalidHash { .. })
    ));
}

#[test]
fn a_hashed_code_keeps_the_speech_it_was_hashed_under() {
    // A hashed code is verified under its own rules, not the caller's: `speech()` is
    // what a store records beside the PHC string.
    let strict = Speech {
        ignore_case: false,
        ..Speech::default()
    };
    let code = SecurityCode::new("Copper-Kettle-Rain");
    let h = HashedCode::hash_with(&code, strict, cheap(), &mut rand::rngs::SysRng).unwrap();
    assert_eq!(h.speech(), strict);
    let back = HashedCode::from_phc(h.phc(), h.speech()).unwrap();
    assert!(back.verify("Copper Kettle Rain").unwrap());
    assert!(!back.verify("copper kettle rain").unwrap());
}

#[test]
fn contact_code_before_account_code() {
    let k = key();
    let account: StoredCode = SealedCode::seal(&SecurityCode::new("Lighthouse-42-Oak"), &k)
        .unwrap()
        .into();
    let contact: StoredCode = HashedCode::hash_with(
        &SecurityCode::new("Copper-Kettle-Rain"),
        Speech::default(),
        cheap(),
        &mut rand::rngs::SysRng,
    )
    .unwrap()
    .into();
    let s = Speech::default();
    assert_eq!(
        verify_caller("copper kettle rain", Some(&contact), Some(&account), &k, &s).unwrap(),
        Verification::Matched(Which::Contact)
    );
    // With a contact code set, the account-wide code is not accepted for that contact.
    assert_eq!(
        verify_caller("lighthouse 42 oak", Some(&contact), Some(&account), &k, &s).unwrap(),
        Verification::Mismatch(Which::Contact)
    );
    assert_eq!(
        verify_caller("lighthouse 42 oak", None, Some(&account), &k, &s).unwrap(),
        Verification::Matched(Which::Account)
    );
    assert_eq!(
        verify_caller("copper kettle rain", None, Some(&account), &k, &s).unwrap(),
        Verification::Mismatch(Which::Account)
    );
    assert_eq!(
        verify_caller("anything", None, None, &k, &s).unwrap(),
        Verification::NoCodeSet
    );
    assert!(Verification::Matched(Which::Account).is_match());
    assert_eq!(
        serde_json::to_string(&Verification::Matched(Which::Contact)).unwrap(),
        r#"{"outcome":"matched","code":"contact"}"#
    );
}

#[test]
fn secrets_are_redacted() {
    let code = SecurityCode::new("Lighthouse-42-Oak");
    assert!(!format!("{code:?}").contains("Lighthouse"));
    let k = SealingKey::new("k1", [0xAB; 32]).unwrap();
    let dbg = format!("{k:?}");
    assert!(
        dbg.contains("k1") && dbg.contains("redacted") && !dbg.contains("171"),
        "{dbg}"
    );
    let ctx = Context::new(Date::new(2026, 11, 23).unwrap())
        .name("Joe Example")
        .ssn("481-59-2637");
    let dbg = format!("{ctx:?}");
    assert!(!dbg.contains("Joe") && !dbg.contains("2637"), "{dbg}");
    let h =
        HashedCode::hash_with(&code, Speech::default(), cheap(), &mut rand::rngs::SysRng).unwrap();
    assert!(!format!("{h:?}").contains("argon2id"));
    // The form is the redaction: the hash replaced, the speech rules shown.
    assert_eq!(
        format!("{h:?}"),
        format!(
            "HashedCode {{ phc: \"[redacted]\", speech: {:?} }}",
            Speech::default()
        )
    );
    // Constant-time equality, normalized as set.
    assert_eq!(code, SecurityCode::new(" Lighthouse-42-Oak "));
    assert_ne!(code, SecurityCode::new("Lighthouse-42-Oa"));
}

#[test]
fn key_ids_are_validated() {
    for bad in ["", "has space", "tab\t", "\u{e9}", &"x".repeat(65)] {
        assert!(
            matches!(
                SealingKey::new(bad, [0; 32]),
                Err(Error::InvalidKeyId { .. })
            ),
            "{bad:?}"
        );
    }
    assert!(SealingKey::new(&"x".repeat(64), [0; 32]).is_ok());
}

/// A stored hash is untrusted input: one asking for 4 GiB (or absurd passes or
/// lanes) is refused when it is read, before any hashing, whether it arrives as a
/// PHC string or inside a serialized store; the limits themselves are accepted.
#[test]
fn hashed_refuses_stored_costs_beyond_the_limits() {
    let salt = "c29tZXNhbHRzb21lc2FsdA";
    let out = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    let phc = |m: u32, t: u32, p: u32| format!("$argon2id$v=19$m={m},t={t},p={p}${salt}${out}");
    for (m, t, p) in [
        (4 * 1024 * 1024, 1, 1),
        (MAX_MEMORY_KIB + 1, 1, 1),
        (1024, MAX_ITERATIONS + 1, 1),
        (1024, 1, MAX_PARALLELISM + 1),
    ] {
        let err = HashedCode::from_phc(&phc(m, t, p), Speech::default()).unwrap_err();
        assert!(
            matches!(err, Error::HashCostTooHigh { memory_kib, iterations, parallelism, .. }
                if (memory_kib, iterations, parallelism) == (m, t, p)),
            "m={m} t={t} p={p}: {err:?}"
        );
        let stored = serde_json::json!({ "phc": phc(m, t, p), "speech": Speech::default() });
        assert!(
            serde_json::from_value::<HashedCode>(stored).is_err(),
            "m={m} t={t} p={p}"
        );
    }
    HashedCode::from_phc(
        &phc(MAX_MEMORY_KIB, MAX_ITERATIONS, MAX_PARALLELISM),
        Speech::default(),
    )
    .expect("the limits themselves are accepted");
}
