//! Every TOTP configuration a portal accepts works with an authenticator app that knows
//! only the otpauth URI it scanned; one the URI cannot describe is refused up front
//! (issue 12, defect 2).

mod fixtures;

use countersign::totp::{Algorithm, Config, Params};
use countersign::{Access, Error, PasswordStep, Portal, SecondFactor, ServerKey, Settings};
use fixtures::*;
use hmac::{KeyInit, Mac};

/// An authenticator app: it reads the URI (and nothing else) the way apps do, and
/// computes codes with its own base32 decoder and HMAC, not the crate's.
struct App {
    key: Vec<u8>,
    algorithm: String,
    digits: u32,
    period: u64,
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            out.push(u8::from_str_radix(&text[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

/// RFC 4648 base32, upper case, no padding.
fn base32_decode(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let (mut buffer, mut bits, mut out) = (0u32, 0, Vec::new());
    for c in text.trim_end_matches('=').bytes() {
        let value = ALPHABET.iter().position(|&a| a == c).unwrap();
        buffer = (buffer << 5) | u32::try_from(value).unwrap();
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from((buffer >> bits) & 0xff).unwrap());
        }
    }
    out
}

impl App {
    /// Scans `uri`: defaults as the Key Uri Format gives them (SHA1, 6 digits, 30 s).
    fn scan(uri: &str) -> Self {
        let query = uri.split_once('?').unwrap().1;
        let mut app = Self {
            key: Vec::new(),
            algorithm: "SHA1".into(),
            digits: 6,
            period: 30,
        };
        for pair in query.split('&') {
            let (name, value) = pair.split_once('=').unwrap();
            let value = percent_decode(value);
            match name {
                "secret" => app.key = base32_decode(&value),
                "algorithm" => app.algorithm = value,
                "digits" => app.digits = value.parse().unwrap(),
                "period" => app.period = value.parse().unwrap(),
                _ => {}
            }
        }
        assert!(!app.key.is_empty(), "{uri}");
        app
    }

    /// RFC 6238 §4 with T0 = 0, since no URI says otherwise.
    fn code_at(&self, now: u64) -> String {
        let counter = (now / self.period).to_be_bytes();
        let digest = match self.algorithm.as_str() {
            "SHA1" => hmac::Hmac::<sha1::Sha1>::new_from_slice(&self.key)
                .unwrap()
                .chain_update(counter)
                .finalize()
                .into_bytes()
                .to_vec(),
            "SHA256" => hmac::Hmac::<sha2::Sha256>::new_from_slice(&self.key)
                .unwrap()
                .chain_update(counter)
                .finalize()
                .into_bytes()
                .to_vec(),
            "SHA512" => hmac::Hmac::<sha2::Sha512>::new_from_slice(&self.key)
                .unwrap()
                .chain_update(counter)
                .finalize()
                .into_bytes()
                .to_vec(),
            other => panic!("an app knows no {other}"),
        };
        let offset = usize::from(digest[digest.len() - 1] & 0x0f);
        let word = u32::from_be_bytes(digest[offset..offset + 4].try_into().unwrap()) & 0x7fff_ffff;
        let code = word % 10u32.pow(self.digits);
        format!("{code:0width$}", width = self.digits as usize)
    }
}

fn portal_with(params: Params) -> Portal {
    let settings = Settings {
        totp: Config {
            params,
            ..Config::default()
        },
        ..settings()
    };
    Portal::new(ServerKey::from_bytes([0x42; 32]), settings).unwrap()
}

#[test]
fn every_accepted_totp_configuration_enrolls_and_signs_in_with_an_app_that_reads_only_the_uri() {
    let permissions = seeded_permissions();
    let access = Access::new(&permissions).unwrap();
    let mut rng = rng();
    let mut configurations = 0;
    for algorithm in [Algorithm::Sha1, Algorithm::Sha256, Algorithm::Sha512] {
        for digits in [6, 7, 8] {
            for period in [30, 60, 1, 45] {
                let params = Params {
                    algorithm,
                    digits,
                    period,
                    t0: 0,
                };
                let portal = portal_with(params);
                let mut account = account(&portal, joe(), JOE_PASSWORD);
                let started = portal
                    .begin_enrollment(&mut account, &access, JOE_PASSWORD, NOW, &mut rng)
                    .unwrap();
                let app = App::scan(&started.otpauth_uri());
                let context = format!("{params:?}: {}", started.otpauth_uri().as_str());
                portal
                    .confirm_enrollment(&mut account, &app.code_at(NOW), NOW, &mut rng)
                    .unwrap_or_else(|error| panic!("{context}: {error}"));
                // The account keeps the parameters its app was enrolled with (the
                // two-lengths test below shows a later settings change leaves them).
                assert_eq!(
                    account.authenticators()[0].config().params,
                    params,
                    "{context}"
                );

                // Later, with the app's code at that time.
                let later = NOW + 10 * period + 1;
                let PasswordStep::SecondFactorRequired(ticket) = portal
                    .sign_in(&mut account, JOE_PASSWORD, later, &mut rng)
                    .unwrap()
                else {
                    panic!("{context}: two-factor is on");
                };
                portal
                    .complete_sign_in(
                        &mut account,
                        &ticket,
                        SecondFactor::Totp(&app.code_at(later)),
                        false,
                        later,
                        &mut rng,
                    )
                    .unwrap_or_else(|error| panic!("{context}: {error}"));
                configurations += 1;
            }
        }
    }
    assert_eq!(configurations, 36);
}

#[test]
fn a_t0_no_otpauth_uri_can_carry_is_refused_by_portal_new() {
    for t0 in [1, 30, NOW, u64::MAX] {
        let settings = Settings {
            totp: Config {
                params: Params {
                    t0,
                    ..Params::default()
                },
                ..Config::default()
            },
            ..settings()
        };
        let error = Portal::new(ServerKey::from_bytes([0x42; 32]), settings).unwrap_err();
        assert!(
            matches!(
                error,
                Error::InvalidSettings {
                    setting: "totp.t0",
                    ..
                }
            ),
            "{t0}: {error:?}"
        );
        assert!(error.to_string().contains("totp.t0"), "{error}");
    }
    // From a configuration file, too.
    let text = r#"{"totp": {"t0": 1700000000}}"#; // Config is flat
    let settings: Settings = serde_json::from_str(text).unwrap();
    let outcome = Portal::new(ServerKey::generate(), settings);
    assert!(
        matches!(outcome, Err(Error::InvalidSettings { .. })),
        "{outcome:?}"
    );
}

#[test]
fn an_issuer_no_otpauth_uri_can_carry_is_refused_by_portal_new() {
    let with_issuer = |issuer: &str| {
        let settings = Settings {
            issuer: issuer.to_owned(),
            ..settings()
        };
        Portal::new(ServerKey::from_bytes([0x42; 32]), settings)
    };
    let longest = "a".repeat(countersign::totp::MAX_NAME_LEN);
    for issuer in [
        "Vivio:Portal",
        "Vivio\nPortal",
        "Vivio\u{202e}Portal",
        &format!("{longest}a"),
    ] {
        let error = with_issuer(issuer).unwrap_err();
        assert!(
            matches!(
                error,
                Error::InvalidSettings {
                    setting: "issuer",
                    ..
                }
            ),
            "{issuer:?}: {error:?}"
        );
    }
    // What the URI carries is accepted, and enrolls.
    for issuer in ["", "Виво Портал", &longest] {
        let portal = with_issuer(issuer).unwrap();
        let mut joe = account(&portal, joe(), JOE_PASSWORD);
        enroll(&portal, &mut joe, JOE_PASSWORD);
        assert!(joe.two_factor_enabled(), "{issuer:?}");
    }
}

#[test]
fn with_authenticators_of_two_code_lengths_a_wrong_code_is_wrong_and_a_bad_length_names_the_oldest()
{
    // Each authenticator keeps the parameters it was added with, so a contact can hold
    // an 8-digit one from before a settings change and a 6-digit one from after. A code
    // is tried against both; the error reported is the most telling (a wrong code says
    // more than a length only the other authenticator expects), and among equals the
    // first listed, the oldest.
    let permissions = seeded_permissions();
    let access = Access::new(&permissions).unwrap();
    let mut draw = rng();
    let eight = portal_with(Params {
        digits: 8,
        ..Params::default()
    });
    let six = portal_with(Params::default());
    let mut account = account(&eight, joe(), JOE_PASSWORD);
    let started = eight
        .begin_enrollment(&mut account, &access, JOE_PASSWORD, NOW, &mut draw)
        .unwrap();
    let old = App::scan(&started.otpauth_uri());
    eight
        .confirm_enrollment(&mut account, &old.code_at(NOW), NOW, &mut draw)
        .unwrap();
    let started = six
        .begin_adding_authenticator(
            &mut account,
            &access,
            "phone",
            JOE_PASSWORD,
            NOW + 30,
            &mut draw,
        )
        .unwrap();
    let new = App::scan(&started.otpauth_uri());
    six.confirm_authenticator(&mut account, &new.code_at(NOW + 30), NOW + 30)
        .unwrap();
    let digits: Vec<u8> = account
        .authenticators()
        .iter()
        .map(|a| a.config().params.digits)
        .collect();
    assert_eq!(digits, [8, 6]);

    let later = NOW + 300;
    let try_code = |account: &mut countersign::Account, code: &str| {
        let PasswordStep::SecondFactorRequired(ticket) = six
            .sign_in(account, JOE_PASSWORD, later, &mut rng())
            .unwrap()
        else {
            panic!("two-factor is on");
        };
        six.complete_sign_in(
            account,
            &ticket,
            SecondFactor::Totp(code),
            false,
            later,
            &mut rng(),
        )
        .unwrap_err()
    };
    // Six digits, wrong: wrong for the 6-digit one, the wrong length for the 8-digit one.
    let error = try_code(&mut account, &wrong(&new.code_at(later)));
    assert!(
        matches!(error, Error::Totp(countersign::totp::Error::WrongCode)),
        "{error:?}"
    );
    // Seven digits: the wrong length for both; the oldest's length is the one named.
    let error = try_code(&mut account, "1234567");
    assert!(
        matches!(
            error,
            Error::Totp(countersign::totp::Error::CodeLength {
                expected: 8,
                found: 7
            })
        ),
        "{error:?}"
    );
}
