//! Backup codes: one-time use, normalization, nothing plain in the store, regeneration,
//! stores from older parameters, and refusals before hashing.

use std::convert::Infallible;
use std::time::{Duration, Instant};

use countersign_totp::backup::{ALPHABET, BackupSettings, KdfParams, MAX_INPUT_LEN};
use countersign_totp::{BackupCodes, CharacterKind, Error, PlainCodes};
use rand::rngs::StdRng;
use rand::{SeedableRng, TryCryptoRng, TryRng};

const NOW: u64 = 1_700_000_000;

/// Cheap Argon2id (8 KiB, one pass) so the suite stays fast; the logic is the same.
fn cheap() -> BackupSettings {
    BackupSettings {
        count: 10,
        params: KdfParams::new(8, 1, 1).unwrap(),
    }
}

fn generate(seed: u64, settings: &BackupSettings) -> (BackupCodes, PlainCodes) {
    BackupCodes::generate_with(settings, &mut StdRng::seed_from_u64(seed), NOW).unwrap()
}

fn plain(codes: &PlainCodes) -> Vec<String> {
    codes.iter().map(|code| code.expose().to_owned()).collect()
}

#[test]
fn generated_codes_are_ten_grouped_codes_from_the_alphabet() {
    let (store, codes) = BackupCodes::generate(NOW).unwrap();
    assert_eq!(codes.len(), 10);
    assert_eq!(store.total(), 10);
    assert_eq!(store.remaining(), 10);
    assert_eq!(store.params(), &KdfParams::DEFAULT);
    assert_eq!(store.generated_at(), NOW);
    let mut seen = plain(&codes);
    for code in &seen {
        let (first, second) = code.split_once('-').unwrap();
        assert_eq!((first.len(), second.len()), (5, 5), "{code}");
        assert!(
            first
                .bytes()
                .chain(second.bytes())
                .all(|b| ALPHABET.contains(&b)),
            "{code}"
        );
    }
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 10, "codes of a set differ");
}

#[test]
fn count_is_configurable_within_limits() {
    for count in [1, 3, 16] {
        let settings = BackupSettings { count, ..cheap() };
        let (store, codes) = generate(1, &settings);
        assert_eq!((store.total(), codes.len()), (count, count));
    }
    for count in [0, 101] {
        let settings = BackupSettings { count, ..cheap() };
        let result = BackupCodes::generate_with(&settings, &mut StdRng::seed_from_u64(1), NOW);
        assert_eq!(
            result.unwrap_err(),
            Error::BackupCountOutOfRange {
                count,
                min: 1,
                max: 100
            }
        );
    }
}

#[test]
fn each_code_redeems_exactly_once() {
    let (mut store, codes) = generate(2, &cheap());
    let codes = plain(&codes);
    for (used, code) in codes.iter().enumerate() {
        let redeemed = store.redeem(code, NOW + 10).unwrap();
        assert_eq!(redeemed.remaining, 9 - used);
        assert_eq!(
            store.redeem(code, NOW + 20),
            Err(Error::BackupCodeUsed {
                used_at: NOW + 10,
                remaining: 9 - used
            })
        );
    }
    assert_eq!(store.remaining(), 0);
    assert!(store.used_at().all(|at| at == Some(NOW + 10)));
    for code in &codes {
        assert!(matches!(
            store.redeem(code, NOW + 30),
            Err(Error::BackupCodeUsed { remaining: 0, .. })
        ));
    }
}

#[test]
fn a_wrong_code_is_refused_and_consumes_nothing() {
    let (mut store, codes) = generate(3, &cheap());
    let codes = plain(&codes);
    let wrong = (0..)
        .map(|i: u32| format!("{:0>10}", i).replace('0', "2").replace('1', "3"))
        .find(|candidate| !codes.iter().any(|code| code.replace('-', "") == *candidate))
        .unwrap();
    assert_eq!(
        store.redeem(&wrong, NOW),
        Err(Error::BackupCodeWrong { remaining: 10 })
    );
    assert_eq!(store.remaining(), 10);
}

#[test]
fn typing_variants_redeem_the_same_code() {
    let (store, codes) = generate(4, &cheap());
    for code in plain(&codes) {
        let (first, second) = code.split_once('-').unwrap();
        let bare = format!("{first}{second}");
        let spaced: String = bare.chars().flat_map(|c| [c, ' ']).collect();
        for typed in [
            format!("{}-{second}", first.to_uppercase()), // "ABCDE-fghjk"
            code.to_uppercase(),
            bare.clone(),
            format!("{first} {second}"),
            format!("  {code}\n"),
            spaced,
        ] {
            let mut fresh = store.clone();
            assert_eq!(
                fresh.redeem(&typed, NOW).map(|r| r.remaining),
                Ok(9),
                "{typed:?}"
            );
            // And it is the same code: no other spelling of it works a second time.
            assert!(matches!(
                fresh.redeem(&code, NOW),
                Err(Error::BackupCodeUsed { .. })
            ));
        }
    }
}

#[test]
fn the_literal_example_abcde_fghjk_redeems() {
    let (mut store, codes) = older_store();
    assert_eq!(codes[0], "abcde-fghjk");
    assert_eq!(store.redeem("ABCDE-fghjk", NOW).map(|r| r.remaining), Ok(4));
    assert!(matches!(
        store.redeem("abcde fghjk", NOW),
        Err(Error::BackupCodeUsed { .. })
    ));
}

#[test]
fn debug_shows_the_parameters_and_counts_and_redacts_the_salt() {
    let (mut store, codes) = generate(5, &cheap());
    store.redeem(plain(&codes)[0].as_str(), NOW).unwrap();
    assert_eq!(
        format!("{store:?}"),
        format!(
            r#"BackupCodes {{ params: {:?}, salt: "[redacted]", generated_at: {NOW}, total: 10, remaining: 9 }}"#,
            KdfParams::new(8, 1, 1).unwrap()
        )
    );
}

#[test]
fn the_stored_form_holds_no_plain_code() {
    let (mut store, codes) = generate(5, &cheap());
    let codes = plain(&codes);
    store.redeem(&codes[0], NOW).unwrap();
    let json = serde_json::to_string_pretty(&store).unwrap();
    let debug = format!("{store:?}");
    let haystacks = [
        json.clone(),
        json.to_lowercase(),
        json.to_uppercase(),
        debug.to_lowercase(),
    ];
    for code in &codes {
        let bare = code.replace('-', "");
        let needles = [
            code.clone(),
            bare.clone(),
            code.replace('-', " "),
            code.to_uppercase(),
            bare.to_uppercase(),
        ];
        for haystack in &haystacks {
            for needle in &needles {
                assert!(
                    !haystack.contains(needle.as_str()),
                    "{needle:?} found in the store"
                );
            }
        }
    }
    // What the stored form does hold: the parameters, a salt, hashes, use times.
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["kdf"]["algorithm"], "argon2id");
    assert_eq!(value["kdf"]["m_cost"], 8);
    assert_eq!(value["codes"].as_array().unwrap().len(), 10);
    assert_eq!(value["codes"][0]["used_at"], NOW);
}

#[test]
fn secrets_are_redacted_in_debug() {
    let (_store, codes) = generate(6, &cheap());
    let debug = format!("{codes:?} {:?}", codes.iter().next().unwrap());
    assert_eq!(
        debug,
        "PlainCodes { len: 10, codes: [redacted] } BackupCode([redacted])"
    );
}

#[test]
fn the_store_survives_serialization_with_its_used_codes() {
    let (mut store, codes) = generate(7, &cheap());
    let codes = plain(&codes);
    store.redeem(&codes[3], NOW + 5).unwrap();
    let json = serde_json::to_string(&store).unwrap();
    let mut back: BackupCodes = serde_json::from_str(&json).unwrap();
    assert_eq!(back, store);
    assert_eq!(
        back.redeem(&codes[3], NOW + 6),
        Err(Error::BackupCodeUsed {
            used_at: NOW + 5,
            remaining: 9
        })
    );
    assert_eq!(back.redeem(&codes[4], NOW + 6).map(|r| r.remaining), Ok(8));
}

#[test]
fn regeneration_replaces_the_whole_set() {
    let (mut store, old) = generate(8, &cheap());
    let old = plain(&old);
    store.redeem(&old[0], NOW).unwrap();
    let settings = BackupSettings {
        count: 4,
        ..cheap()
    };
    let new = store
        .regenerate(&settings, &mut StdRng::seed_from_u64(9), NOW + 100)
        .unwrap();
    let new = plain(&new);
    assert_eq!(
        (store.total(), store.remaining(), store.generated_at()),
        (4, 4, NOW + 100)
    );
    for code in &old {
        assert_eq!(
            store.redeem(code, NOW + 200),
            Err(Error::BackupCodeWrong { remaining: 4 }),
            "{code}"
        );
    }
    for code in &new {
        store.redeem(code, NOW + 200).unwrap();
    }
    assert_eq!(store.remaining(), 0);
}

/// Reads the data file made by `backup_store_older_params.sh` (libargon2, m = 4 MiB, t = 3).
fn older_store() -> (BackupCodes, Vec<String>) {
    let text = include_str!("data/backup_store_older_params.json");
    let value: serde_json::Value = serde_json::from_str(text).unwrap();
    let codes = value["codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|code| code.as_str().unwrap().to_owned())
        .collect();
    let store = serde_json::from_value(value["store"].clone()).unwrap();
    (store, codes)
}

#[test]
fn a_store_from_older_parameters_still_redeems() {
    let (mut store, codes) = older_store();
    assert_ne!(store.params(), &KdfParams::DEFAULT);
    assert_eq!(store.params(), &KdfParams::new(4096, 3, 1).unwrap());
    for (used, code) in codes.iter().enumerate() {
        // Each hash in the file came from libargon2, so this also checks our Argon2id.
        assert_eq!(
            store.redeem(code, NOW).map(|r| r.remaining),
            Ok(codes.len() - used - 1),
            "{code}"
        );
    }
    // Its parameters stay its own through a round trip.
    let again: BackupCodes = serde_json::from_str(&serde_json::to_string(&store).unwrap()).unwrap();
    assert_eq!(again.params(), &KdfParams::new(4096, 3, 1).unwrap());
}

#[test]
fn inputs_that_cannot_be_codes_are_refused_before_any_hashing() {
    // The most expensive parameters a store may hold (256 MiB, 16 passes): one derivation
    // would take seconds, so a quick answer shows none was made.
    let mut value: serde_json::Value =
        serde_json::from_str(&serde_json::to_string(&generate(10, &cheap()).0).unwrap()).unwrap();
    value["kdf"]["m_cost"] = KdfParams::MAX_M_COST.into();
    value["kdf"]["t_cost"] = KdfParams::MAX_T_COST.into();
    let mut store: BackupCodes = serde_json::from_value(value).unwrap();
    let megabytes = "abcde-fghjk ".repeat(400_000);
    let cases = [
        (
            megabytes.as_str(),
            Error::BackupCodeTooLong {
                len: megabytes.len(),
                max: MAX_INPUT_LEN,
            },
        ),
        ("", Error::BackupCodeEmpty),
        (" -- \n", Error::BackupCodeEmpty),
        (
            "abcde-fghj",
            Error::BackupCodeWrongLength {
                len: 9,
                expected: 10,
            },
        ),
        (
            "abcde-fghjkm",
            Error::BackupCodeWrongLength {
                len: 11,
                expected: 10,
            },
        ),
        (
            "abcde-fgh0k",
            Error::BackupCodeInvalidCharacter {
                kind: CharacterKind::Digit,
                position: 10,
            },
        ),
        (
            "abcdE-fgHIk",
            Error::BackupCodeInvalidCharacter {
                kind: CharacterKind::Letter,
                position: 10,
            },
        ),
        (
            "abcde\0fghjk",
            Error::BackupCodeInvalidCharacter {
                kind: CharacterKind::Control,
                position: 6,
            },
        ),
    ];
    for (input, expected) in cases {
        let started = Instant::now();
        assert_eq!(store.redeem(input, NOW), Err(expected));
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "{:?} took {:?}",
            &input[..input.len().min(20)],
            started.elapsed()
        );
    }
    assert_eq!(store.remaining(), 10);
}

fn store_json(edit: impl FnOnce(&mut serde_json::Value)) -> Result<BackupCodes, serde_json::Error> {
    let (store, _) = generate(
        11,
        &BackupSettings {
            count: 3,
            ..cheap()
        },
    );
    let mut value = serde_json::to_value(&store).unwrap();
    edit(&mut value);
    serde_json::from_value(value)
}

#[test]
fn damaged_or_doctored_stores_are_refused() {
    assert!(store_json(|_| {}).is_ok());
    let refused = |edit: fn(&mut serde_json::Value), needle: &str| {
        let error = store_json(edit).unwrap_err().to_string();
        assert!(error.contains(needle), "{error:?} lacks {needle:?}");
    };
    refused(
        |v| v["codes"][1]["hash"] = v["codes"][0]["hash"].clone(),
        "same hash",
    );
    refused(
        |v| v["codes"] = serde_json::json!([]),
        "1 to 100 codes, not 0",
    );
    refused(
        |v| v["kdf"]["algorithm"] = "argon2i".into(),
        "argon2i version 19",
    );
    refused(|v| v["kdf"]["version"] = 16.into(), "version 16");
    refused(
        |v| v["kdf"]["m_cost"] = 4_000_000.into(),
        "m_cost = 4000000",
    );
    refused(|v| v["kdf"]["t_cost"] = 0.into(), "t_cost = 0");
    refused(
        |v| v["salt"] = "abcd".into(),
        "salt must be 32 hexadecimal digits",
    );
    refused(
        |v| v["codes"][0]["hash"] = "zz".repeat(32).into(),
        "hash must be 64",
    );
    refused(
        |v| v["codes"][0]["hash"] = "+f".repeat(32).into(),
        "hash must be 64",
    );
    refused(
        |v| v["codes"][0]["plain"] = "abcde-fghjk".into(),
        "unknown field",
    );
}

/// A "random" generator that always says the same thing: not a CSPRNG.
struct Stuck;

impl TryRng for Stuck {
    type Error = Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        Ok(7)
    }
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        Ok(7)
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        dst.fill(7);
        Ok(())
    }
}

impl TryCryptoRng for Stuck {}

#[test]
fn a_generator_that_repeats_itself_is_an_error_not_a_hang() {
    let one = BackupSettings {
        count: 1,
        ..cheap()
    };
    assert!(BackupCodes::generate_with(&one, &mut Stuck, NOW).is_ok());
    let two = BackupSettings {
        count: 2,
        ..cheap()
    };
    assert_eq!(
        BackupCodes::generate_with(&two, &mut Stuck, NOW).unwrap_err(),
        Error::BackupRandomnessFailed { attempts: 16 }
    );
}

#[test]
fn stored_parameters_past_the_password_ceilings_are_refused_before_any_hashing() {
    // Issue 12, defect 4: a doctored store asked for 1 GiB, 32 passes and 16 lanes and
    // one wrong code cost 53 s and 1.05 GB. Backup codes are bounded at least as tightly
    // as passwords (256 MiB, 16 passes, 8 lanes): anything more is refused on reading.
    let stored: serde_json::Value =
        serde_json::from_str(&serde_json::to_string(&generate(11, &cheap()).0).unwrap()).unwrap();
    for (m_cost, t_cost, p_cost, name) in [
        (1024 * 1024, 32, 16, "p_cost"),
        (256 * 1024 + 1, 1, 1, "m_cost"),
        (8 * 1024, 17, 1, "t_cost"),
        (8 * 1024, 1, 9, "p_cost"),
    ] {
        assert!(
            matches!(
                KdfParams::new(m_cost, t_cost, p_cost),
                Err(Error::BackupKdfParamOutOfRange { name: found, .. }) if found == name
            ),
            "{m_cost} {t_cost} {p_cost}"
        );
        let mut value = stored.clone();
        value["kdf"]["m_cost"] = m_cost.into();
        value["kdf"]["t_cost"] = t_cost.into();
        value["kdf"]["p_cost"] = p_cost.into();
        let started = Instant::now();
        let error = serde_json::from_value::<BackupCodes>(value).expect_err("refused");
        assert!(started.elapsed() < Duration::from_millis(100), "no hashing");
        assert!(
            error
                .to_string()
                .contains(&format!("Argon2id parameter {name} = ")),
            "{error}"
        );
    }
    // The ceilings themselves are accepted (and match the password crate's defaults).
    assert_eq!(
        (
            KdfParams::MAX_M_COST,
            KdfParams::MAX_T_COST,
            KdfParams::MAX_P_COST
        ),
        (256 * 1024, 16, 8)
    );
    assert!(KdfParams::new(256 * 1024, 16, 8).is_ok());
}

/// A generator stuck at zero: every draw is the word rand's `Uniform` rejects (Lemire's
/// method refuses `x * 31 mod 2^32 < 4`, and 0 is such an `x`), so a sampler built on
/// `Uniform::sample` would loop for ever. The hand-written sampler draws a bounded
/// number of bytes and reports the broken generator instead; this pins that choice.
struct Zeros;

impl TryRng for Zeros {
    type Error = Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        Ok(0)
    }
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        Ok(0)
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        dst.fill(0);
        Ok(())
    }
}

impl TryCryptoRng for Zeros {}

#[test]
fn a_generator_stuck_at_zero_is_an_error_not_a_hang() {
    let two = BackupSettings {
        count: 2,
        ..cheap()
    };
    assert_eq!(
        BackupCodes::generate_with(&two, &mut Zeros, NOW).unwrap_err(),
        Error::BackupRandomnessFailed { attempts: 16 }
    );
}
