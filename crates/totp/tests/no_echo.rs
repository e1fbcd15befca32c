//! Errors about a typed secret (a base32 key, a one-time code, a backup code) say where
//! the bad character is and what kind it is, never the character itself: messages land
//! in logs, on screens and in support tickets (issue 12, defect 10).

use countersign_totp::backup::{ALPHABET, BackupSettings, KdfParams};
use countersign_totp::{BackupCodes, CharacterKind, Config, Error, KeyUri, Secret, Verifier};
use rand::SeedableRng;
use rand::rngs::StdRng;

/// Characters people mistype into keys and codes, and ones an attacker would plant.
const PROBES: [char; 10] = ['0', '1', '8', '9', '!', '#', 'é', '€', '\u{1b}', '\u{202e}'];

/// Neither the message nor the `Debug` form holds the character.
fn assert_not_echoed(error: &Error, probe: char) {
    for text in [error.to_string(), format!("{error:?}")] {
        assert!(!text.contains(&format!("{probe:?}")), "{text}");
        assert!(!text.contains(&format!("'{probe}'")), "{text}");
        if !probe.is_ascii_alphanumeric() {
            assert!(!text.contains(probe), "{text:?}");
        }
    }
}

#[test]
fn a_bad_base32_character_is_named_by_position_and_kind_never_echoed() {
    for probe in PROBES {
        let typed = format!("JBSWY{probe}3DPEHPK3PXP");
        let error = Secret::from_base32(&typed).unwrap_err();
        let kind = CharacterKind::of(probe);
        assert_eq!(error, Error::InvalidBase32 { position: 6, kind });
        assert_eq!(
            error.to_string(),
            format!(
                "character 6 ({kind}) cannot be part of a base32 key there: a key uses the \
                 letters A-Z and the digits 2-7, and `=` padding only at its end"
            )
        );
        assert_not_echoed(&error, probe);

        // The same key inside an otpauth URI (percent-encoded, as a QR code holds it).
        let encoded: String = typed
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_string()
                } else {
                    let mut bytes = [0; 4];
                    c.encode_utf8(&mut bytes)
                        .bytes()
                        .map(|b| format!("%{b:02X}"))
                        .collect()
                }
            })
            .collect();
        let error = KeyUri::parse(&format!("otpauth://totp/A:b?secret={encoded}")).unwrap_err();
        assert_eq!(error, Error::InvalidBase32 { position: 6, kind });
        assert_not_echoed(&error, probe);
    }
    assert_eq!(CharacterKind::of('8'), CharacterKind::Digit);
    assert_eq!(CharacterKind::of('\u{1b}'), CharacterKind::Control);
    assert_eq!(CharacterKind::of('\u{202e}'), CharacterKind::NonAscii);
}

#[test]
fn a_bad_character_in_a_one_time_code_is_named_by_position_and_kind_never_echoed() {
    let secret = Secret::from_bytes(b"12345678901234567890").unwrap();
    let verifier = Verifier::new(&secret, Config::default()).unwrap();
    for probe in PROBES.into_iter().filter(|c| !c.is_ascii_digit()) {
        let error = verifier
            .verify(&format!("12{probe}456"), 59, None)
            .unwrap_err();
        let kind = CharacterKind::of(probe);
        assert_eq!(error, Error::CodeNotDigit { position: 3, kind });
        assert_eq!(
            error.to_string(),
            format!("character 3 of the code ({kind}) is not a digit")
        );
        assert_not_echoed(&error, probe);
    }
}

#[test]
fn a_bad_character_in_a_backup_code_is_named_by_position_and_kind_never_echoed() {
    let settings = BackupSettings {
        count: 2,
        params: KdfParams::new(8, 1, 1).unwrap(),
    };
    let (mut store, _codes) =
        BackupCodes::generate_with(&settings, &mut StdRng::seed_from_u64(5), 0).unwrap();
    let in_codes = |c: char| u8::try_from(c).is_ok_and(|b| ALPHABET.contains(&b));
    for probe in PROBES.into_iter().filter(|c| !in_codes(*c)) {
        let error = store.redeem(&format!("abc{probe}e-fghjk"), 1).unwrap_err();
        let kind = CharacterKind::of(probe);
        assert_eq!(
            error,
            Error::BackupCodeInvalidCharacter { kind, position: 4 }
        );
        assert_eq!(
            error.to_string(),
            format!(
                "character 4 of the input ({kind}) is not in any backup code; codes use \
                 lower-case letters and digits 2-9, never 0, O, 1, I or l"
            )
        );
        assert_not_echoed(&error, probe);
    }
}
