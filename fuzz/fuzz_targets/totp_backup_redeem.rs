#![no_main]
//! Redeems arbitrary input against a fixed backup-code set (cheap Argon2id so the fuzzer
//! runs fast): never a panic, a success consumes exactly one code, once. The input is
//! also wrapped around a real code of the set, so the success path and normalization
//! (case, separators, length limit) are exercised too.

use std::sync::OnceLock;

use countersign_totp::backup::{BackupSettings, KdfParams, MAX_INPUT_LEN};
use countersign_totp::{BackupCodes, Error};
use libfuzzer_sys::fuzz_target;
use rand::SeedableRng;
use rand::rngs::StdRng;

fn fixed() -> &'static (BackupCodes, Vec<String>) {
    static FIXED: OnceLock<(BackupCodes, Vec<String>)> = OnceLock::new();
    FIXED.get_or_init(|| {
        let settings = BackupSettings {
            count: 10,
            params: KdfParams::new(8, 1, 1).unwrap(),
        };
        let (store, codes) =
            BackupCodes::generate_with(&settings, &mut StdRng::seed_from_u64(0), 0).unwrap();
        let codes = codes.iter().map(|code| code.expose().to_owned()).collect();
        (store, codes)
    })
}

/// Redeems `input` on a fresh copy of the set and checks the invariants; returns whether
/// it succeeded.
fn redeem(input: &str) -> bool {
    let mut store = fixed().0.clone();
    let before = store.remaining();
    match store.redeem(input, 1) {
        Ok(redeemed) => {
            assert_eq!(redeemed.remaining, before - 1);
            assert_eq!(store.remaining(), before - 1);
            assert!(matches!(
                store.redeem(input, 2),
                Err(Error::BackupCodeUsed { .. })
            ));
            true
        }
        Err(error) => {
            assert_eq!(store.remaining(), before);
            assert!(!matches!(error, Error::BackupKdfFailed { .. }), "{error}");
            if input.len() > MAX_INPUT_LEN {
                assert!(matches!(error, Error::BackupCodeTooLong { .. }), "{error}");
            }
            false
        }
    }
}

fn is_separator(c: char) -> bool {
    c.is_whitespace() || matches!(c, '-' | '\u{2010}'..='\u{2015}' | '\u{2212}')
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    redeem(&text);

    // A real code with the input's halves around it, its case flipped by the first byte.
    let Some(&first) = data.first() else { return };
    let codes = &fixed().1;
    let code = &codes[usize::from(first) % codes.len()];
    let code = if first & 0x80 != 0 {
        code.to_uppercase()
    } else {
        code.clone()
    };
    let mid = text
        .char_indices()
        .nth(text.chars().count() / 2)
        .map_or(text.len(), |(i, _)| i);
    let (prefix, suffix) = text.split_at(mid);
    let wrapped = format!("{prefix}{code}{suffix}");
    let succeeded = redeem(&wrapped);
    let only_separators = prefix.chars().chain(suffix.chars()).all(is_separator);
    if only_separators && wrapped.len() <= MAX_INPUT_LEN {
        assert!(succeeded, "{wrapped:?} should redeem");
    }
    if succeeded {
        assert!(only_separators, "{wrapped:?} redeemed with extra symbols");
    }
});
