//! # Walkthrough: the portal's account-security flows, end to end
//!
//! The facade composes the four crates into the flows of the seeds. It does no
//! I/O: every step takes the stored [`Account`](crate::Account), `now` (unix
//! seconds) and, where it draws secrets, an RNG; it changes the account in place
//! and returns what to show or send.
//!
//! **Store it with a compare-and-swap on its [revision](crate::Account::revision).**
//! Every step that changes an account moves its revision on by one. Load
//! `(revision, account)`, run the step, and write the result only if the stored
//! revision is still the one read; on a conflict load again and re-run the step on
//! the fresh state. Write refused attempts too: they count in their throttle. A
//! code raced on two nodes is then accepted once, and no failure is lost.
//! `countersign-store` does exactly this over SQLite and PostgreSQL
//! (`Store::update`); a service with its own table does the same with
//! `UPDATE ... WHERE contact_id = ? AND revision = ?`.
//!
//! The examples use cheap Argon2id parameters so they run fast; production keeps
//! the defaults (OWASP's 19 MiB, 2 passes).
//!
//! ## Setting up: one `Portal` per service
//!
//! ```
//! use countersign::{Portal, Profile, ServerKey, Settings};
//! use countersign::password::{HashParams, Policy};
//! use countersign::totp::{BackupSettings, KdfParams};
//!
//! let cheap = HashParams { memory_kib: 64, iterations: 1, ..HashParams::OWASP };
//! let settings = Settings {
//!     password: Policy::portal().with_hashing(cheap)?,
//!     backup_codes: BackupSettings { params: KdfParams::new(8, 1, 1)?, ..BackupSettings::default() },
//!     ..Settings::default()
//! };
//! // The server key lives in the service's secret store, never in the database.
//! let portal = Portal::new(ServerKey::generate(), settings)?;
//!
//! // Joe Example, the primary contact of client 1707 (seed 001's contact list).
//! let joe = Profile {
//!     contact_id: 3522,
//!     client_id: 1707,
//!     name: "Joe Example".into(),
//!     username: "joe.example".into(),
//!     email: "marketing@viviotech.net".into(),
//!     cell_phone: Some("+1 509 555 0100".into()),
//!     primary: true,
//! };
//! let mut rng = rand::rng();
//! // Seed 003's rules: 12 characters or more, not the username.
//! let account = portal.create_account(joe, "Vivio is gr8! I like knowing my account is Secure", &mut rng)?;
//! let stored: String = serde_json::to_string(&account)?; // no plain secret in it
//! assert!(!stored.contains("Vivio is gr8"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Enabling two-factor (seeds 000, 001, 004)
//!
//! "Click to enable" asks for the password again; the primary contact always may,
//! anyone else needs "Client Profile: View" to resolve to Allow (a
//! [`Permissions`](crate::Permissions): [`Access`](crate::Access) over a compiled
//! permission policy, or any closure). The key is shown grouped for typing, as an
//! otpauth URI and as a QR code; a code from the app completes enrollment.
//!
//! ```
//! # use countersign::{Portal, Profile, ServerKey, Settings, Gate, Error};
//! # use countersign::password::{HashParams, Policy};
//! # use countersign::totp::{BackupSettings, KdfParams};
//! # let cheap = HashParams { memory_kib: 64, iterations: 1, ..HashParams::OWASP };
//! # let settings = Settings {
//! #     password: Policy::portal().with_hashing(cheap)?,
//! #     backup_codes: BackupSettings { params: KdfParams::new(8, 1, 1)?, ..BackupSettings::default() },
//! #     ..Settings::default()
//! # };
//! # let portal = Portal::new(ServerKey::generate(), settings)?;
//! # let mut rng = rand::rng();
//! # let contact = Profile { contact_id: 3523, client_id: 1707, name: "Contact Example".into(),
//! #     username: "contact.example".into(), email: "marketing@viviotech.net".into(),
//! #     cell_phone: None, primary: false };
//! # let mut account = portal.create_account(contact, "Y? 'Cuz I Reelee lik mi prYvacee.", &mut rng)?;
//! use countersign::totp::{Params, Secret, Totp};
//!
//! let now = 1_763_900_000;
//! let password = "Y? 'Cuz I Reelee lik mi prYvacee.";
//!
//! // Contact Example (3523) has no "Client Profile: View" yet.
//! let nobody = |_contact: u64, _gate: Gate| false;
//! let refused = portal.begin_enrollment(&mut account, &nobody, password, now, &mut rng);
//! assert!(matches!(refused, Err(Error::PermissionDenied { gate: "Client Profile: View" })));
//!
//! // Joe sets "Client Profile: View" to Allow for him ("Success: Contact updated.").
//! let allowed = |contact: u64, gate: Gate| contact == 3523 && gate == Gate::EnableTwoFactor;
//! let started = portal.begin_enrollment(&mut account, &allowed, password, now, &mut rng)?;
//! println!("enter the key manually: {}", started.key_for_typing().as_str());
//! assert!(started.otpauth_uri().starts_with("otpauth://totp/Vivio%20Portal:contact.example?"));
//! assert_eq!(started.expires_at(), now + 600);
//!
//! // The app computes the code from the scanned key (here: from the typed key).
//! let app = Totp::new(&Secret::from_base32(&started.key_for_typing())?, Params::default())?;
//! let code = app.code_at(now + 30)?.to_string();
//! let done = portal.confirm_enrollment(&mut account, &code, now + 30, &mut rng)?;
//! assert_eq!(done.message, "Success: Two-Factor Enrollment Complete.");
//! assert_eq!(done.backup_codes.len(), 10); // show once; only hashes are stored
//! assert!(account.two_factor_enabled());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Signing in (seeds 003, 004)
//!
//! By username or client ID, then the password, then one second factor: a TOTP
//! code, a backup code, a remembered device, or a code sent by SMS.
//!
//! ```
//! # use countersign::{Portal, Profile, ServerKey, Settings, Gate, Error};
//! # use countersign::password::{HashParams, Policy};
//! # use countersign::totp::{BackupSettings, KdfParams, Params, Secret, Totp};
//! # let cheap = HashParams { memory_kib: 64, iterations: 1, ..HashParams::OWASP };
//! # let settings = Settings {
//! #     password: Policy::portal().with_hashing(cheap)?,
//! #     backup_codes: BackupSettings { params: KdfParams::new(8, 1, 1)?, ..BackupSettings::default() },
//! #     ..Settings::default()
//! # };
//! # let portal = Portal::new(ServerKey::generate(), settings)?;
//! # let mut rng = rand::rng();
//! # let joe = Profile { contact_id: 3522, client_id: 1707, name: "Joe Example".into(),
//! #     username: "joe.example".into(), email: "marketing@viviotech.net".into(),
//! #     cell_phone: Some("+1 509 555 0100".into()), primary: true };
//! # let password = "Vivio is gr8! I like knowing my account is Secure";
//! # let mut account = portal.create_account(joe, password, &mut rng)?;
//! # let now = 1_763_900_000;
//! # let started = portal.begin_enrollment(&mut account, &|_, _| false, password, now, &mut rng)?;
//! # let app = Totp::new(&Secret::from_base32(&started.key_for_typing())?, Params::default())?;
//! # let done = portal.confirm_enrollment(&mut account, &app.code_at(now)?.to_string(), now, &mut rng)?;
//! use countersign::{PasswordStep, SecondFactor, Via};
//!
//! // "log in with your Client ID number": 1707 names Joe, the primary contact.
//! assert!(account.profile().answers_to("1707"));
//! let later = now + 3_600;
//! let PasswordStep::SecondFactorRequired(ticket) = portal.sign_in(&mut account, password, later, &mut rng)? else {
//!     unreachable!("two-factor is on")
//! };
//!
//! // The app's code, with "Remember this device for 30 days" ticked.
//! let code = app.code_at(later)?.to_string();
//! let signed_in = portal.complete_sign_in(&mut account, &ticket, SecondFactor::Totp(&code), true, later, &mut rng)?;
//! assert_eq!(signed_in.via, Via::Totp);
//! let cookie = signed_in.device_token.expect("asked to remember");
//!
//! // The sign-in spent the ticket: it is good for one sign-in only.
//! let again = portal.complete_sign_in(&mut account, &ticket, SecondFactor::Totp(&code), false, later + 5, &mut rng);
//! assert!(matches!(again, Err(Error::LoginTicketInvalid)));
//! // And the same code again, after the password again, is a replay (RFC 6238 §5.2).
//! let PasswordStep::SecondFactorRequired(ticket) = portal.sign_in(&mut account, password, later + 5, &mut rng)? else { unreachable!() };
//! let replay = portal.complete_sign_in(&mut account, &ticket, SecondFactor::Totp(&code), false, later + 5, &mut rng);
//! assert!(matches!(replay, Err(Error::Totp(countersign::totp::Error::Replayed { .. }))));
//!
//! // Next week, on the remembered device: no code needed.
//! let next_week = later + 7 * 86_400;
//! let PasswordStep::SecondFactorRequired(ticket) = portal.sign_in(&mut account, password, next_week, &mut rng)? else { unreachable!() };
//! let device = portal.complete_sign_in(&mut account, &ticket, SecondFactor::RememberedDevice(cookie.as_str()), false, next_week, &mut rng)?;
//! assert_eq!(device.via, Via::RememberedDevice);
//! // Or the cookie and the password in one step, through the password lane of
//! // remembered devices: someone guessing Joe's password elsewhere never slows it.
//! let device = portal.sign_in_on_device(&mut account, cookie.as_str(), password, next_week + 5, &mut rng)?;
//! assert_eq!(device.via, Via::RememberedDevice);
//!
//! // Or a code by SMS: the flow says what to send and to whom; the service sends it.
//! let PasswordStep::SecondFactorRequired(ticket) = portal.sign_in(&mut account, password, next_week + 10, &mut rng)? else { unreachable!() };
//! let sms = portal.send_sms_code(&mut account, &ticket, next_week + 10, &mut rng)?; // at most 5 an hour
//! assert_eq!(sms.destination, "+1 509 555 0100");
//! let by_sms = portal.complete_sign_in(&mut account, &ticket, SecondFactor::SmsCode(sms.code.as_str()), false, next_week + 20, &mut rng)?;
//! assert_eq!(by_sms.via, Via::SmsCode);
//!
//! // Or a backup code, consumed on use.
//! let PasswordStep::SecondFactorRequired(ticket) = portal.sign_in(&mut account, password, next_week + 30, &mut rng)? else { unreachable!() };
//! let mut codes = done.backup_codes.iter().map(|c| c.expose().to_owned());
//! let backup = codes.next().unwrap();
//! let by_backup = portal.complete_sign_in(&mut account, &ticket, SecondFactor::BackupCode(&backup), false, next_week + 30, &mut rng)?;
//! assert_eq!(by_backup.backup_codes_left, Some(9));
//!
//! // Locked out of the password by someone else's guesses? A backup code pays for
//! // one password check past the password lane's back-off (or opted-in hard lock).
//! let recovered = portal.sign_in_with_backup_code(&mut account, password, &codes.next().unwrap(), false, next_week + 40, &mut rng)?;
//! assert_eq!(recovered.backup_codes_left, Some(8));
//!
//! // Disabling two-factor revokes every remembered device.
//! let message = portal.disable_two_factor(&mut account, password, next_week + 60, &mut rng)?;
//! assert_eq!(message, "Success: Two-Factor Has Been Disabled.");
//! assert!(account.devices().devices().is_empty());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Several authenticators, and backup codes that renew
//!
//! A contact may hold up to [`MAX_AUTHENTICATORS`](crate::authenticator::MAX_AUTHENTICATORS)
//! named authenticators (a phone and a hardware token); any of them signs in.
//! Adding one needs the password, not a code from another (the phone may be the
//! one lost); removing one needs the password, and the last one goes only by
//! disabling two-factor. The backup codes are one set per contact: regenerating
//! them (password again) kills the old set, and every two-factor sign-in says how
//! many are left, with `backup_codes_low` at the low-water mark (3 by default).
//! See [`authenticator`](crate::authenticator) for how the throttle lanes count a
//! code tried against several.
//!
//! ```
//! # use countersign::{Portal, Profile, ServerKey, Settings, Error};
//! # use countersign::password::{HashParams, Policy};
//! # use countersign::totp::{BackupSettings, KdfParams, Params, Secret, Totp};
//! # let cheap = HashParams { memory_kib: 64, iterations: 1, ..HashParams::OWASP };
//! # let settings = Settings {
//! #     password: Policy::portal().with_hashing(cheap)?,
//! #     backup_codes: BackupSettings { params: KdfParams::new(8, 1, 1)?, ..BackupSettings::default() },
//! #     ..Settings::default()
//! # };
//! # let portal = Portal::new(ServerKey::generate(), settings)?;
//! # let mut rng = rand::rng();
//! # let joe = Profile { contact_id: 3522, client_id: 1707, name: "Joe Example".into(),
//! #     username: "joe.example".into(), email: "marketing@viviotech.net".into(),
//! #     cell_phone: None, primary: true };
//! # let password = "Vivio is gr8! I like knowing my account is Secure";
//! # let mut account = portal.create_account(joe, password, &mut rng)?;
//! # let now = 1_763_900_000;
//! # let nobody = |_: u64, _: countersign::Gate| false;
//! # let started = portal.begin_enrollment(&mut account, &nobody, password, now, &mut rng)?;
//! # let phone = Totp::new(&Secret::from_base32(&started.key_for_typing())?, Params::default())?;
//! # portal.confirm_enrollment(&mut account, &phone.code_at(now)?.to_string(), now, &mut rng)?;
//! use countersign::{PasswordStep, SecondFactor};
//!
//! // "Add another authenticator": a name, the password, then the same key and
//! // verify pop-ups as at enrollment.
//! let started = portal.begin_adding_authenticator(&mut account, &nobody, "Joe's YubiKey", password, now + 30, &mut rng)?;
//! let token = Totp::new(&Secret::from_base32(&started.key_for_typing())?, Params::default())?;
//! portal.confirm_authenticator(&mut account, &token.code_at(now + 30)?.to_string(), now + 30)?;
//! for a in account.authenticators() {
//!     println!("{}: added {}, last used {:?}", a.name(), a.added_at(), a.last_used_at());
//! }
//!
//! // Either signs in; the result counts the backup codes left.
//! let PasswordStep::SecondFactorRequired(ticket) = portal.sign_in(&mut account, password, now + 90, &mut rng)? else { unreachable!() };
//! let code = token.code_at(now + 90)?.to_string();
//! let signed_in = portal.complete_sign_in(&mut account, &ticket, SecondFactor::Totp(&code), false, now + 90, &mut rng)?;
//! assert_eq!((signed_in.backup_codes_left, signed_in.backup_codes_low), (Some(10), false));
//!
//! // Lost the phone: remove it with the password; the token stays.
//! portal.remove_authenticator(&mut account, "Authenticator app", password, now + 120, &mut rng)?;
//! let last = portal.remove_authenticator(&mut account, "Joe's YubiKey", password, now + 120, &mut rng);
//! assert!(matches!(last, Err(Error::LastAuthenticator)));
//!
//! // "Regenerate backup codes": the password, then a new set shown once.
//! let renewed = portal.regenerate_backup_codes(&mut account, password, now + 150, &mut rng)?;
//! assert_eq!(renewed.backup_codes.len(), 10);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## The hot path: a prepared verifier
//!
//! [`Portal::prepare_totp`](crate::Portal::prepare_totp) opens the sealed secrets
//! (one per authenticator) and keys each HMAC once; keep the [`PreparedTotp`](crate::PreparedTotp) per
//! account in memory, and each [`Portal::verify_totp`](crate::Portal::verify_totp)
//! costs a throttle check, the bare verification and a state update
//! (`cargo bench --bench facade -- login_totp`).
//!
//! ## Resetting a password (seed 003)
//!
//! "Reset Password" emails a code that quickly expires (8 digits, 15 minutes);
//! the new password must pass the password rules; every remembered device is
//! revoked.
//!
//! ```
//! # use countersign::{Portal, Profile, ServerKey, Settings, Error};
//! # use countersign::password::{HashParams, Policy};
//! # let cheap = HashParams { memory_kib: 64, iterations: 1, ..HashParams::OWASP };
//! # let settings = Settings { password: Policy::portal().with_hashing(cheap)?, ..Settings::default() };
//! # let portal = Portal::new(ServerKey::generate(), settings)?;
//! # let mut rng = rand::rng();
//! # let joe = Profile { contact_id: 3522, client_id: 1707, name: "Joe Example".into(),
//! #     username: "joe.example".into(), email: "marketing@viviotech.net".into(),
//! #     cell_phone: None, primary: true };
//! # let mut account = portal.create_account(joe, "Vivio is gr8! I like knowing my account is Secure", &mut rng)?;
//! let now = 1_763_900_000;
//! let email = portal.request_password_reset(&mut account, now, &mut rng)?; // at most 5 an hour
//! assert_eq!(email.destination, "marketing@viviotech.net");
//!
//! // "Password must not be the same as the username": refused, the code not spent.
//! let weak = portal.reset_password(&mut account, email.code.as_str(), "joe.example", now + 60, &mut rng);
//! assert!(matches!(weak, Err(Error::PasswordRejected { .. })));
//!
//! let done = portal.reset_password(&mut account, email.code.as_str(), "Tulips on the balcony, 7 of them", now + 90, &mut rng)?;
//! println!("{done}");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Rotating the server key
//!
//! Start every node with a [`KeyRing`](crate::KeyRing): the new key current, the
//! old one retired. Records made under the old key keep working; a completed
//! sign-in re-seals the account under the new key, and
//! [`Portal::reseal_account`](crate::Portal::reseal_account) /
//! [`Portal::reseal_client`](crate::Portal::reseal_client) do it for the rest.
//! [`Account::key_ids`](crate::Account::key_ids) says when the old key can go
//! (see [`key_ring`](crate::key_ring) for the whole procedure).
//!
//! ```
//! # use countersign::{Portal, Profile, ServerKey, Settings};
//! # use countersign::password::{HashParams, Policy};
//! # let cheap = HashParams { memory_kib: 64, iterations: 1, ..HashParams::OWASP };
//! # let settings = || Settings { password: Policy::portal().with_hashing(cheap).unwrap(), ..Settings::default() };
//! # let mut rng = rand::rng();
//! # let joe = Profile { contact_id: 3522, client_id: 1707, name: "Joe Example".into(),
//! #     username: "joe.example".into(), email: "marketing@viviotech.net".into(),
//! #     cell_phone: None, primary: true };
//! use countersign::{KeyId, KeyRing};
//!
//! let old = [0x11; 32]; // from the secret store
//! let portal = Portal::new(ServerKey::from_bytes(old), settings())?; // a ring of one, "default"
//! let mut account = portal.create_account(joe.clone(), "Vivio is gr8! I like knowing my account is Secure", &mut rng)?;
//! portal.set_contact_code(&mut account, &joe, &|_, _| false, "Lighthouse-42-Oak", 0)?;
//!
//! // `countersign key generate --out 2027-01.key`, then on every node:
//! let ring = KeyRing::new("2027-01".parse()?, ServerKey::generate())
//!     .with_retired(KeyId::DEFAULT, ServerKey::from_bytes(old))?;
//! let portal = Portal::new(ring, settings())?;
//! assert!(portal.reseal_account(&mut account, 0, &mut rng)?); // store it
//! assert!(account.key_ids().iter().all(|id| id.as_str() == "2027-01"));
//! // Nothing names "default" any more: the old key can leave the ring.
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
