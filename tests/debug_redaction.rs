//! `Debug` of every public state type prints nothing secret (issue 12, defect 9).
//!
//! Each state is built the way a service builds it (through the flows), then its
//! `Debug` output, pretty and plain, is searched for what would help an attacker: the
//! stored secret material itself (every long hex, base64 or PHC string the state
//! serializes to), plain secrets (the TOTP key, backup codes, passwords, security
//! codes), and the shapes secrets print as (`$argon2`, long hex or base32 runs, byte
//! arrays as lists of numbers).

mod fixtures;

use countersign::one_time::{OneTimePolicy, PendingCode, Purpose};
use countersign::password::{Hasher, Password, Pepper};
use countersign::security_code::{SealedCode, SealingKey, SecurityCode, StoredCode};
use countersign::security_codes::Client;
use countersign::totp::{Algorithm, BackupCodes, Config, Hotp, KeyUri, Secret, Totp, Verifier};
use countersign::{Access, LoginTicket, PasswordStep, SealedSecret, SecondFactor, ServerKey};
use fixtures::*;

/// Every string leaf of a serialized state.
fn strings(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::String(text) => out.push(text.clone()),
        serde_json::Value::Array(items) => items.iter().for_each(|v| strings(v, out)),
        serde_json::Value::Object(map) => map.values().for_each(|v| strings(v, out)),
        _ => {}
    }
}

/// The longest run of characters satisfying `class`.
fn longest_run(text: &str, class: impl Fn(char) -> bool) -> usize {
    let (mut best, mut run) = (0, 0);
    for c in text.chars() {
        run = if class(c) { run + 1 } else { 0 };
        best = best.max(run);
    }
    best
}

/// The longest list of numbers `[1, 2, 3, ...]`, as a derived `Debug` prints bytes.
fn longest_number_list(text: &str) -> usize {
    let mut best = 0;
    for (start, _) in text.match_indices('[') {
        let inner = &text[start + 1..];
        let end = inner.find(']').unwrap_or(inner.len());
        let items: Vec<&str> = inner[..end].split(',').map(str::trim).collect();
        if items
            .iter()
            .all(|item| !item.is_empty() && item.bytes().all(|b| b.is_ascii_digit()))
        {
            best = best.max(items.len());
        }
    }
    best
}

struct Walk {
    /// Text that must never show: stored secret material and plain secrets.
    secrets: Vec<String>,
    /// Public identifiers allowed to look like secrets (device ids, shown to users).
    public: Vec<String>,
    checked: Vec<&'static str>,
}

impl Walk {
    /// Records the secret-looking strings of a serialized state.
    fn stored(&mut self, state: &impl serde::Serialize) {
        let mut found = Vec::new();
        strings(&serde_json::to_value(state).unwrap(), &mut found);
        for text in found {
            let secret_like = text.len() >= 16
                && (text.starts_with('$')
                    || text
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "+/=-_$,.".contains(c)));
            if secret_like && !self.public.contains(&text) {
                self.secrets.push(text);
            }
        }
    }

    fn check(&mut self, name: &'static str, value: &dyn core::fmt::Debug) {
        // Redacted is not blank: the output still says what the value is.
        let type_name = name.split(' ').next().unwrap_or(name);
        let type_name = type_name.rsplit("::").next().unwrap_or(type_name);
        for shown in [format!("{value:?}"), format!("{value:#?}")] {
            assert!(
                shown.starts_with(type_name),
                "{name}'s Debug does not name it: {shown}"
            );
            let mut scrubbed = shown.clone();
            for public in &self.public {
                scrubbed = scrubbed.replace(public.as_str(), "<public id>");
            }
            for secret in &self.secrets {
                assert!(
                    !shown.contains(secret.as_str()),
                    "{name} shows {secret}: {shown}"
                );
            }
            assert!(!scrubbed.contains("$argon2"), "{name}: {shown}");
            assert!(
                longest_run(&scrubbed, |c| c.is_ascii_hexdigit()) < 16,
                "{name} shows a hex string: {shown}"
            );
            assert!(
                longest_run(&scrubbed, |c| c.is_ascii_uppercase()
                    || ('2'..='7').contains(&c))
                    < 16,
                "{name} shows a base32 string: {shown}"
            );
            assert!(
                longest_number_list(&scrubbed) < 8,
                "{name} shows bytes: {shown}"
            );
        }
        self.checked.push(name);
    }
}

#[test]
fn no_public_state_type_shows_a_secret_in_debug() {
    let portal = portal();
    let mut rng = rng();
    let mut walk = Walk {
        secrets: vec![JOE_PASSWORD.to_owned()],
        public: Vec::new(),
        checked: Vec::new(),
    };

    // An account in every state at once: enrolled, a device remembered, an SMS code and
    // a reset code pending, its own security code set.
    let joe_profile = joe();
    let mut joe = account(&portal, joe_profile.clone(), JOE_PASSWORD);
    let permissions = seeded_permissions();
    let access = Access::new(&permissions).unwrap();
    let started = portal
        .begin_enrollment(&mut joe, &access, JOE_PASSWORD, NOW, &mut rng)
        .unwrap();
    walk.secrets.push(started.key_for_typing().replace(' ', ""));
    walk.check("EnrollmentStarted", &started);
    let app = app_for(&started.key_for_typing());
    let done = portal
        .confirm_enrollment(&mut joe, &code(&app, NOW), NOW, &mut rng)
        .unwrap();
    for backup in done.backup_codes.iter() {
        walk.secrets.push(backup.expose().to_owned());
        walk.secrets.push(backup.expose().replace('-', ""));
    }
    walk.check("EnrollmentComplete", &done);
    walk.check("PlainCodes", &done.backup_codes);
    let Some(first_code) = done.backup_codes.iter().next() else {
        panic!("backup codes were generated");
    };
    walk.check("BackupCode", first_code);

    let PasswordStep::SecondFactorRequired(ticket) = portal
        .sign_in(&mut joe, JOE_PASSWORD, NOW + 60, &mut rng)
        .unwrap()
    else {
        panic!("two-factor is on");
    };
    let signed_in = portal
        .complete_sign_in(
            &mut joe,
            &ticket,
            SecondFactor::Totp(&code(&app, NOW + 60)),
            true,
            NOW + 60,
            &mut rng,
        )
        .unwrap();
    let token = signed_in.device_token.as_ref().unwrap();
    walk.secrets.push(token.as_str().to_owned());
    walk.check("SignedIn", &signed_in);
    walk.check("DeviceToken", token);
    walk.check(
        "SecondFactor::BackupCode",
        &SecondFactor::BackupCode(first_code.expose()),
    );

    let PasswordStep::SecondFactorRequired(ticket) = portal
        .sign_in(&mut joe, JOE_PASSWORD, NOW + 90, &mut rng)
        .unwrap()
    else {
        panic!("two-factor is on");
    };
    let sms = portal
        .send_sms_code(&mut joe, &ticket, NOW + 90, &mut rng)
        .unwrap();
    let reset = portal
        .request_password_reset(&mut joe, NOW + 90, &mut rng)
        .unwrap();
    walk.check("Delivery", &sms);
    walk.check("OneTimeCode", &reset.code);

    let code_text = "Blue Otter Harbor 4417";
    portal
        .set_contact_code(&mut joe, &joe_profile, &access, code_text, NOW)
        .unwrap();
    let mut client = Client::new(1707);
    let account_code = "Quiet Maple Lantern 9326";
    portal
        .set_account_code(&mut client, &joe_profile, &access, account_code, NOW)
        .unwrap();
    walk.secrets.push(code_text.to_owned());
    walk.secrets.push(account_code.to_owned());

    // Device ids are shown to their owner ("remembered devices"): public.
    for device in joe.devices().devices() {
        walk.public.push(device.id().to_string());
    }
    walk.stored(&joe);
    walk.stored(&client);

    // The stored parts, as a service could hold them apart from the account.
    let stored: serde_json::Value = serde_json::to_value(&joe).unwrap();
    let sealed: SealedSecret =
        serde_json::from_value(stored["two_factor"]["authenticators"][0]["secret"].clone())
            .unwrap();
    let backup_codes: BackupCodes =
        serde_json::from_value(stored["two_factor"]["backup_codes"].clone()).unwrap();
    let pending: PendingCode = serde_json::from_value(stored["sms_code"].clone()).unwrap();
    let stored_code: StoredCode = serde_json::from_value(stored["security_code"].clone()).unwrap();
    let ticket_state: LoginTicket = ticket.clone();

    walk.check("Account", &joe);
    walk.check("Client", &client);
    walk.check("BackupCodes", &backup_codes);
    walk.check("PendingCode", &pending);
    walk.check("RememberedDevices", joe.devices());
    walk.check("SealedSecret", &sealed);
    walk.check("StoredCode::Sealed", &stored_code);
    if let StoredCode::Sealed(seal) = &stored_code {
        walk.check("SealedCode", seal as &SealedCode);
    }
    walk.check("LoginTicket", &ticket_state);
    walk.check("Throttles", joe.throttles());
    walk.check("Throttle", client.throttle());
    walk.check("Profile", joe.profile());
    walk.check("Authenticator", &joe.authenticators()[0]);
    walk.check("PreparedTotp", &portal.prepare_totp(&joe).unwrap());

    // A pending code issued directly, and the keys and verifiers themselves.
    let key = ServerKey::from_bytes([0x42; 32]);
    let (delivery, direct) = PendingCode::issue_with_rng(
        &key,
        Purpose::SmsLogin,
        &OneTimePolicy::for_purpose(Purpose::SmsLogin),
        "+1 509 555 0100",
        NOW,
        &mut rng,
    );
    walk.stored(&direct);
    walk.check("PendingCode (issued)", &direct);
    walk.check("Delivery (issued)", &delivery);
    walk.secrets.push("42".repeat(32));
    walk.check("ServerKey", &key);
    walk.check("Portal", &portal);
    walk.check("Settings", portal.settings());

    let secret = Secret::from_bytes(b"12345678901234567890").unwrap();
    walk.secrets.push(secret.to_base32().to_string());
    walk.secrets
        .push("3132333435363738393031323334353637383930".to_owned());
    walk.check("Secret", &secret);
    walk.check(
        "KeyUri",
        &KeyUri::new_totp(&secret, Some("Vivio Portal"), "joe").unwrap(),
    );
    walk.check(
        "Totp",
        &Totp::new(&secret, countersign::totp::Params::default()).unwrap(),
    );
    walk.check("Hotp", &Hotp::new(&secret, Algorithm::Sha1, 6).unwrap());
    walk.check(
        "Verifier",
        &Verifier::new(&secret, Config::default()).unwrap(),
    );

    let hasher = Hasher::new(&portal.settings().password)
        .unwrap()
        .with_pepper(Pepper::new(b"pepper pepper pepper".to_vec()).unwrap());
    walk.secrets.push("pepper pepper pepper".to_owned());
    walk.check("Hasher", &hasher);
    walk.check("Password", &Password::new(JOE_PASSWORD.to_owned()));
    let security_code = SecurityCode::new(code_text);
    walk.check("SecurityCode", &security_code);
    let sealing = SealingKey::new("k1", [7; 32]).unwrap();
    walk.secrets.push("07".repeat(32));
    walk.check("security_code::SealingKey", &sealing);
    walk.check(
        "SealedCode (fresh)",
        &SealedCode::seal(&security_code, &sealing).unwrap(),
    );

    assert!(walk.secrets.len() > 20, "{:?}", walk.secrets);
    assert!(walk.checked.len() >= 30, "{:?}", walk.checked);
}
