#![no_main]
//! The account flows driven with arbitrary inputs over a stored account that is
//! either arbitrary JSON or a genuine enrolled account with bytes overwritten.
//!
//! Input layout: one mode byte; in mode 0 JSON text up to the first NUL byte, in
//! mode 1 a count and that many (position, byte) overwrites of the genuine
//! account's JSON; then operations (op byte, length byte, that many bytes).
//!
//! Whatever the bytes: never a panic; a state that does not parse is a typed error;
//! and nothing is ever accepted (a password, a second factor, an enrollment code,
//! a reset code) unless it is what the genuine person would type: the harness
//! knows the real password, the app's codes around `now`, the backup codes, the
//! device cookie and every code it was sent, and skips those.

use std::sync::OnceLock;

use countersign::password::{HashParams, Policy};
use countersign::totp::{BackupSettings, KdfParams, Params, Secret, Totp};
use countersign::{
    Account, LoginTicket, PasswordStep, Portal, Profile, SecondFactor, ServerKey, Settings,
};
use libfuzzer_sys::fuzz_target;
use rand::SeedableRng;
use rand::rngs::StdRng;

const NOW: u64 = 1_763_900_000;
const PASSWORD: &str = "Vivio is gr8! I like knowing my account is Secure";

struct Fixture {
    portal: Portal,
    json: String,
    /// The byte range of the TOTP configuration in `json`, left untouched in
    /// mode 1 so the app's codes stay the right ones.
    config: core::ops::Range<usize>,
    app: Totp,
    backup: Vec<String>,
    cookie: String,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let mut rng = StdRng::seed_from_u64(0x5eed);
        let cheap = HashParams {
            memory_kib: 64,
            iterations: 1,
            ..HashParams::OWASP
        };
        let settings = Settings {
            password: Policy::portal().with_hashing(cheap).unwrap(),
            backup_codes: BackupSettings {
                params: KdfParams::new(8, 1, 1).unwrap(),
                ..BackupSettings::default()
            },
            ..Settings::default()
        };
        let portal = Portal::new(ServerKey::from_bytes([0x5a; 32]), settings).unwrap();
        let profile = Profile {
            contact_id: 3522,
            client_id: 1707,
            name: "Joe Example".into(),
            username: "joe.example".into(),
            email: "marketing@viviotech.net".into(),
            cell_phone: Some("+1 509 555 0100".into()),
            primary: true,
        };
        let mut account = portal.create_account(profile, PASSWORD, &mut rng).unwrap();
        let started = portal
            .begin_enrollment(&mut account, &|_, _| false, PASSWORD, NOW, &mut rng)
            .unwrap();
        let app = Totp::new(
            &Secret::from_base32(&started.key_for_typing()).unwrap(),
            Params::default(),
        )
        .unwrap();
        let done = portal
            .confirm_enrollment(
                &mut account,
                &app.code_at(NOW).unwrap().to_string(),
                NOW,
                &mut rng,
            )
            .unwrap();
        let backup = done
            .backup_codes
            .iter()
            .map(|c| c.expose().to_owned())
            .collect();
        let ticket = match portal
            .sign_in(&mut account, PASSWORD, NOW, &mut rng)
            .unwrap()
        {
            PasswordStep::SecondFactorRequired(t) => t,
            PasswordStep::SignedIn(_) => unreachable!(),
        };
        let code = app.code_at(NOW + 30).unwrap().to_string();
        let cookie = portal
            .complete_sign_in(
                &mut account,
                &ticket,
                SecondFactor::Totp(&code),
                true,
                NOW + 30,
                &mut rng,
            )
            .unwrap()
            .device_token
            .unwrap()
            .as_str()
            .to_owned();
        let json = serde_json::to_string(&account).unwrap();
        let start = json.find("\"config\":").unwrap();
        let end = start + json[start..].find("}}").unwrap() + 2;
        Fixture {
            portal,
            json,
            config: start..end,
            app,
            backup,
            cookie,
        }
    })
}

fn normalized_backup(text: &str) -> String {
    text.chars()
        .filter(|c| !matches!(c, ' ' | '-'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// What the genuine person knows at `now`.
struct Known {
    passwords: Vec<String>,
    codes: Vec<String>,
    /// Apps of enrollments started in this run.
    apps: Vec<Totp>,
}

impl Known {
    fn totp(&self, f: &Fixture, typed: &str, now: u64) -> bool {
        let typed: String = typed.chars().filter(|c| *c != ' ').collect();
        // Every code of the genuine app up to ten steps either way: wider than any
        // window a stored configuration may hold.
        core::iter::once(&f.app).chain(&self.apps).any(|app| {
            (0..=20u64).any(|i| {
                now.checked_add(i * 30)
                    .and_then(|t| t.checked_sub(300))
                    .and_then(|t| app.code_at(t).ok())
                    .is_some_and(|c| c.to_string() == typed)
            })
        }) || self.codes.iter().any(|c| c == &typed)
    }
}

fn take<'a>(data: &mut &'a [u8], n: usize) -> &'a [u8] {
    let n = n.min(data.len());
    let (head, tail) = data.split_at(n);
    *data = tail;
    head
}

fuzz_target!(|data: &[u8]| {
    let f = fixture();
    let mut data = data;
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    data = rest;
    let parsed = if mode & 1 == 0 {
        let end = data.iter().position(|&b| b == 0).unwrap_or(data.len());
        let json = String::from_utf8_lossy(take(&mut data, end)).into_owned();
        take(&mut data, 1);
        serde_json::from_str::<Account>(&json)
    } else {
        let mut bytes = f.json.clone().into_bytes();
        let count = take(&mut data, 1).first().copied().unwrap_or(0) % 8;
        for _ in 0..count {
            let edit = take(&mut data, 3);
            if edit.len() < 3 {
                break;
            }
            let at = usize::from(u16::from_le_bytes([edit[0], edit[1]])) % bytes.len();
            if !f.config.contains(&at) {
                bytes[at] = edit[2];
            }
        }
        serde_json::from_slice::<Account>(&bytes)
    };
    // A state that does not parse is a typed error (serde's, carrying ours).
    let Ok(mut account) = parsed else { return };
    let genuine = mode & 1 == 1;

    let portal = &f.portal;
    let mut rng = StdRng::seed_from_u64(7);
    let mut now = NOW + 60;
    let mut known = Known {
        passwords: if genuine {
            vec![PASSWORD.to_owned()]
        } else {
            Vec::new()
        },
        codes: Vec::new(),
        apps: Vec::new(),
    };
    let ticket: LoginTicket = serde_json::from_str(&format!(
        r#"{{"v":1,"contact_id":{},"generation":{},"issued_at":0,"expires_at":18446744073709551615}}"#,
        account.profile().contact_id,
        account.devices().generation()
    ))
    .unwrap();

    while data.len() >= 2 {
        let op = take(&mut data, 1)[0];
        let len = usize::from(take(&mut data, 1)[0] % 48);
        let text = String::from_utf8_lossy(take(&mut data, len)).into_owned();
        match op % 12 {
            0 => {
                if portal.sign_in(&mut account, &text, now, &mut rng).is_ok() {
                    assert!(
                        known.passwords.contains(&text),
                        "a wrong password signed in"
                    );
                }
            }
            1 => {
                let result = portal.complete_sign_in(
                    &mut account,
                    &ticket,
                    SecondFactor::Totp(&text),
                    false,
                    now,
                    &mut rng,
                );
                if result.is_ok() {
                    assert!(
                        genuine && known.totp(f, &text, now),
                        "an unknown TOTP code signed in: {text:?}"
                    );
                }
            }
            2 => {
                let result = portal.complete_sign_in(
                    &mut account,
                    &ticket,
                    SecondFactor::BackupCode(&text),
                    false,
                    now,
                    &mut rng,
                );
                if result.is_ok() {
                    let typed = normalized_backup(&text);
                    assert!(
                        genuine && f.backup.iter().any(|c| normalized_backup(c) == typed),
                        "an unknown backup code signed in"
                    );
                }
            }
            3 => {
                let cookie = if op & 0x80 != 0 {
                    f.cookie.clone()
                } else {
                    text.clone()
                };
                let result = portal.complete_sign_in(
                    &mut account,
                    &ticket,
                    SecondFactor::RememberedDevice(&cookie),
                    false,
                    now,
                    &mut rng,
                );
                if result.is_ok() {
                    assert!(
                        genuine && cookie == f.cookie,
                        "an unsigned cookie signed in"
                    );
                }
            }
            4 => {
                if let Ok(delivery) = portal.send_sms_code(&mut account, &ticket, now, &mut rng) {
                    known.codes.push(delivery.code.as_str().to_owned());
                }
            }
            5 => {
                let typed = if op & 0x80 != 0 {
                    known.codes.last().cloned().unwrap_or_default()
                } else {
                    text.clone()
                };
                let result = portal.complete_sign_in(
                    &mut account,
                    &ticket,
                    SecondFactor::SmsCode(&typed),
                    false,
                    now,
                    &mut rng,
                );
                if result.is_ok() {
                    let digits: String = typed.chars().filter(char::is_ascii_digit).collect();
                    assert!(
                        known.codes.contains(&digits),
                        "an unsent SMS code signed in"
                    );
                }
            }
            6 => {
                let password = if op & 0x80 != 0 {
                    PASSWORD
                } else {
                    text.as_str()
                };
                if let Ok(started) =
                    portal.begin_enrollment(&mut account, &|_, _| false, password, now, &mut rng)
                {
                    assert!(
                        known.passwords.iter().any(|p| p == password),
                        "enrollment with a wrong password"
                    );
                    let app = Totp::new(
                        &Secret::from_base32(&started.key_for_typing()).unwrap(),
                        Params::default(),
                    )
                    .unwrap();
                    if op & 0x40 != 0 {
                        let code = app.code_at(now).unwrap().to_string();
                        let _ = portal.confirm_enrollment(&mut account, &code, now, &mut rng);
                    }
                    known.apps.push(app);
                }
            }
            7 => {
                if portal
                    .confirm_enrollment(&mut account, &text, now, &mut rng)
                    .is_ok()
                {
                    assert!(
                        known.totp(f, &text, now),
                        "an enrollment was confirmed with a code no app showed: {text:?}"
                    );
                }
            }
            8 => {
                if portal
                    .disable_two_factor(&mut account, &text, now, &mut rng)
                    .is_ok()
                {
                    assert!(
                        known.passwords.contains(&text),
                        "disabled with a wrong password"
                    );
                }
            }
            9 => {
                if let Ok(delivery) = portal.request_password_reset(&mut account, now, &mut rng) {
                    known.codes.push(delivery.code.as_str().to_owned());
                }
            }
            10 => {
                let code = if op & 0x80 != 0 {
                    known.codes.last().cloned().unwrap_or_default()
                } else {
                    text.clone()
                };
                let new_password = "a perfectly fine passphrase";
                if portal
                    .reset_password(&mut account, &code, new_password, now, &mut rng)
                    .is_ok()
                {
                    let digits: String = code.chars().filter(char::is_ascii_digit).collect();
                    assert!(known.codes.contains(&digits), "a reset with an unsent code");
                    known.passwords.push(new_password.to_owned());
                }
            }
            _ => now = now.saturating_add(u64::from(op) * 13),
        }
        // Whatever happened, the state still round-trips.
        let json = serde_json::to_string(&account).unwrap();
        let back: Account = serde_json::from_str(&json).unwrap();
        assert_eq!(back, account);
    }
});
