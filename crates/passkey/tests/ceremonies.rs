//! The ceremonies end to end against webauthn-rs's own software authenticator
//! (webauthn-authenticator-rs's `SoftPasskey`), which plays the browser and the
//! authenticator: it builds the client data for the origin it is given and
//! signs with a P-256 key per credential, its signature counter moving on by
//! one per assertion.

use countersign_passkey::{
    AuthenticationState, Credential, DiscoverableState, Error, MAX_RESPONSE_LEN, MAX_STATE_LEN,
    Refusal, RegistrationState, RelyingParty, UserHandle, check_rp_id_and_origin, is_rp_id,
};
use webauthn_authenticator_rs::WebauthnAuthenticator;
use webauthn_authenticator_rs::prelude::{
    CreationChallengeResponse, RequestChallengeResponse, Url,
};
use webauthn_authenticator_rs::softpasskey::SoftPasskey;
use webauthn_rs::prelude::Uuid;

const ORIGIN: &str = "https://portal.example.com";

fn rp() -> RelyingParty {
    RelyingParty::new("example.com", ORIGIN, "Vivio Portal", 300).unwrap()
}

/// A browser with one software authenticator, at `origin`.
struct Browser {
    key: SoftPasskey,
    origin: Url,
}

impl Browser {
    fn at(origin: &str) -> Self {
        // `true`: it claims user verification (a PIN), which passkeys require.
        Self {
            key: SoftPasskey::new(true),
            origin: Url::parse(origin).unwrap(),
        }
    }

    fn create(&mut self, options: &str) -> String {
        let options: CreationChallengeResponse = serde_json::from_str(options).unwrap();
        let response = self
            .key
            .do_registration(self.origin.clone(), options)
            .unwrap();
        serde_json::to_string(&response).unwrap()
    }

    fn get(&mut self, options: &str) -> String {
        let options: RequestChallengeResponse = serde_json::from_str(options).unwrap();
        let response = self
            .key
            .do_authentication(self.origin.clone(), options)
            .unwrap();
        serde_json::to_string(&response).unwrap()
    }

    /// A discoverable credential's assertion. The soft authenticator keeps no
    /// resident keys, so the browser's part is played by hand: the credential
    /// it would have found is put in the options, and the user handle it would
    /// have returned in the response (the user handle is not signed: W3C
    /// WebAuthn §6.3.3 returns it beside the signature).
    fn get_discoverable(
        &mut self,
        options: &str,
        credential: &Credential,
        user: UserHandle,
    ) -> String {
        let mut options: serde_json::Value = serde_json::from_str(options).unwrap();
        options["publicKey"]["allowCredentials"] = serde_json::json!([{
            "type": "public-key",
            "id": b64(credential.id()),
        }]);
        let response = self.get(&options.to_string());
        let mut response: serde_json::Value = serde_json::from_str(&response).unwrap();
        response["response"]["userHandle"] = b64(user.uuid().as_bytes()).into();
        response.to_string()
    }
}

fn b64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().fold(0u32, |n, b| (n << 8) | u32::from(*b)) << (8 * (3 - chunk.len()));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

fn register(rp: &RelyingParty, browser: &mut Browser, existing: &[Credential]) -> Credential {
    let (options, state) = rp
        .start_registration(
            UserHandle::from_id(3522),
            "joe.example",
            "Joe Example",
            existing,
            false,
        )
        .unwrap();
    let response = browser.create(&options);
    rp.finish_registration(&state, &response, existing).unwrap()
}

#[test]
fn registers_and_signs_in_and_the_counter_moves_on() {
    let rp = rp();
    let mut browser = Browser::at(ORIGIN);
    let credential = register(&rp, &mut browser, &[]);
    assert_eq!(credential.counter(), 0);
    let mut credentials = vec![credential];
    for expected in 1..=2 {
        let (options, state) = rp.start_authentication(&credentials).unwrap();
        let response = browser.get(&options);
        let used = rp
            .finish_authentication(&state, &response, &mut credentials)
            .unwrap();
        assert_eq!(used.index, 0);
        assert_eq!(credentials[0].counter(), expected);
    }
    // The stored record round-trips.
    let json = serde_json::to_string(&credentials[0]).unwrap();
    assert!(json.starts_with(r#"{"v":1,"passkey":"#), "{json}");
    let back: Credential = serde_json::from_str(&json).unwrap();
    assert_eq!(back, credentials[0]);
}

#[test]
fn the_credential_that_signed_is_the_one_updated() {
    let rp = rp();
    let mut phone = Browser::at(ORIGIN);
    let mut key = Browser::at(ORIGIN);
    let first = register(&rp, &mut phone, &[]);
    let second = register(&rp, &mut key, std::slice::from_ref(&first));
    let mut credentials = vec![first, second];
    let (options, state) = rp.start_authentication(&credentials).unwrap();
    let response = key.get(&options);
    let used = rp
        .finish_authentication(&state, &response, &mut credentials)
        .unwrap();
    assert_eq!(used.index, 1, "the second credential signed");
    assert_eq!(credentials[1].counter(), 1);
    assert_eq!(credentials[0].counter(), 0, "the other is untouched");
}

#[test]
fn a_counter_that_does_not_move_forward_is_a_clone() {
    let rp = rp();
    let mut browser = Browser::at(ORIGIN);
    let mut credentials = vec![register(&rp, &mut browser, &[])];
    // Two challenges open at once; the authenticator answers both (counters 1
    // and 2). The later answer signs in first; the earlier one is then what a
    // clone of the authenticator, copied before, would send: a valid signature
    // whose counter is behind the stored one.
    let (first_options, first) = rp.start_authentication(&credentials).unwrap();
    let (second_options, second) = rp.start_authentication(&credentials).unwrap();
    let stale = browser.get(&first_options);
    let fresh = browser.get(&second_options);
    rp.finish_authentication(&second, &fresh, &mut credentials)
        .unwrap();
    assert_eq!(credentials[0].counter(), 2);
    let before = credentials.clone();
    assert!(matches!(
        rp.finish_authentication(&first, &stale, &mut credentials),
        Err(Error::ClonedAuthenticator)
    ));
    assert_eq!(credentials, before, "nothing stored from a clone");
    // The same answer again: the counter did not move either.
    assert!(matches!(
        rp.finish_authentication(&second, &fresh, &mut credentials),
        Err(Error::ClonedAuthenticator)
    ));
}

#[test]
fn a_response_for_another_origin_or_rp_id_is_refused() {
    let rp = rp();
    let mut browser = Browser::at(ORIGIN);
    let mut credentials = vec![register(&rp, &mut browser, &[])];

    // A phishing page on a sibling subdomain relays the challenge: the browser
    // writes its own origin into the client data.
    let (options, state) = rp.start_authentication(&credentials).unwrap();
    let mut phished = Browser {
        key: browser.key,
        origin: Url::parse("https://evil.example.com").unwrap(),
    };
    let response = phished.get(&options);
    assert!(matches!(
        rp.finish_authentication(&state, &response, &mut credentials),
        Err(Error::Refused {
            reason: Refusal::Origin
        })
    ));

    // The authenticator signs for another RP id (a narrower one the origin allows).
    let (options, state) = rp.start_authentication(&credentials).unwrap();
    let mut options: serde_json::Value = serde_json::from_str(&options).unwrap();
    options["publicKey"]["rpId"] = "portal.example.com".into();
    let mut browser = Browser {
        key: phished.key,
        origin: Url::parse(ORIGIN).unwrap(),
    };
    let response = browser.get(&options.to_string());
    assert!(matches!(
        rp.finish_authentication(&state, &response, &mut credentials),
        Err(Error::Refused {
            reason: Refusal::RelyingPartyId
        })
    ));

    // Registration is held to the same origin.
    let (options, state) = rp
        .start_registration(
            UserHandle::from_id(3522),
            "joe.example",
            "Joe Example",
            &[],
            false,
        )
        .unwrap();
    let mut elsewhere = Browser::at("https://evil.example.com");
    let response = elsewhere.create(&options);
    assert!(matches!(
        rp.finish_registration(&state, &response, &[]),
        Err(Error::Refused {
            reason: Refusal::Origin
        })
    ));
}

#[test]
fn a_response_to_another_challenge_or_from_another_credential_is_refused() {
    let rp = rp();
    let mut joe = Browser::at(ORIGIN);
    let mut ann = Browser::at(ORIGIN);
    let mut joes = vec![register(&rp, &mut joe, &[])];
    let anns = vec![register(&rp, &mut ann, &[])];

    let (options, _) = rp.start_authentication(&joes).unwrap();
    let (_, other_state) = rp.start_authentication(&joes).unwrap();
    let response = joe.get(&options);
    assert!(matches!(
        rp.finish_authentication(&other_state, &response, &mut joes),
        Err(Error::Refused {
            reason: Refusal::Challenge
        })
    ));

    // Ann's authenticator answering a challenge made for Ann, submitted as Joe's.
    let (options, state) = rp.start_authentication(&anns).unwrap();
    let response = ann.get(&options);
    assert!(matches!(
        rp.finish_authentication(&state, &response, &mut joes),
        Err(Error::UnknownCredential)
    ));
}

#[test]
fn the_same_authenticator_is_not_registered_twice() {
    let rp = rp();
    let mut browser = Browser::at(ORIGIN);
    let (options, state) = rp
        .start_registration(
            UserHandle::from_id(3522),
            "joe.example",
            "Joe Example",
            &[],
            false,
        )
        .unwrap();
    let response = browser.create(&options);
    let first = rp.finish_registration(&state, &response, &[]).unwrap();
    // The same credential finished again (a replay): it is already there.
    assert!(matches!(
        rp.finish_registration(&state, &response, std::slice::from_ref(&first)),
        Err(Error::DuplicateCredential)
    ));
    // The next registration excludes it: the browser is told.
    let (options, _) = rp
        .start_registration(
            UserHandle::from_id(3522),
            "joe.example",
            "Joe Example",
            std::slice::from_ref(&first),
            false,
        )
        .unwrap();
    let options: serde_json::Value = serde_json::from_str(&options).unwrap();
    let excluded = &options["publicKey"]["excludeCredentials"];
    assert_eq!(excluded[0]["id"], b64(first.id()), "{options}");
}

#[test]
fn passwordless_identifies_the_account_and_signs_in() {
    let rp = rp();
    let mut browser = Browser::at(ORIGIN);
    let (options, state) = rp
        .start_registration(
            UserHandle::from_id(3522),
            "joe.example",
            "Joe Example",
            &[],
            true,
        )
        .unwrap();
    let json: serde_json::Value = serde_json::from_str(&options).unwrap();
    assert_eq!(
        json["publicKey"]["authenticatorSelection"]["residentKey"],
        "preferred"
    );
    let response = browser.create(&options);
    let mut credentials = vec![rp.finish_registration(&state, &response, &[]).unwrap()];

    let joe = UserHandle::from_id(3522);
    let (options, state) = rp.start_discoverable().unwrap();
    let response = browser.get_discoverable(&options, &credentials[0], joe);
    assert_eq!(rp.identify(&response).unwrap(), joe);
    rp.finish_discoverable(&state, &response, joe, &mut credentials)
        .unwrap();
    assert_eq!(credentials[0].counter(), 1);
    // The response names Joe: it does not finish for anyone else.
    let (options, state) = rp.start_discoverable().unwrap();
    let response = browser.get_discoverable(&options, &credentials[0], joe);
    assert!(matches!(
        rp.finish_discoverable(
            &state,
            &response,
            UserHandle::from_id(3523),
            &mut credentials
        ),
        Err(Error::UnknownUserHandle)
    ));
    // No user handle, or one not ours.
    let stripped = response.replace("userHandle", "userHandleX");
    assert!(rp.identify(&stripped).is_err());
}

#[test]
fn hostile_input_is_a_typed_error() {
    let rp = rp();
    let mut browser = Browser::at(ORIGIN);
    let mut credentials = vec![register(&rp, &mut browser, &[])];
    let (_, state) = rp.start_authentication(&credentials).unwrap();
    for garbage in [
        "",
        "{}",
        "null",
        "[1,2]",
        "{\"id\":\"x\"}",
        &"[".repeat(100_000),
    ] {
        assert!(matches!(
            rp.finish_authentication(&state, garbage, &mut credentials),
            Err(Error::MalformedResponse { .. })
        ));
        assert!(rp.identify(garbage).is_err());
        assert!(RegistrationState::from_json(garbage).is_err());
        assert!(AuthenticationState::from_json(garbage).is_err());
        assert!(DiscoverableState::from_json(garbage).is_err());
        assert!(serde_json::from_str::<Credential>(garbage).is_err());
    }
    assert!(matches!(
        rp.start_authentication(&[]),
        Err(Error::NoCredentials)
    ));

    // A stored credential, altered: another version, an unknown field, a short id.
    let json = serde_json::to_string(&credentials[0]).unwrap();
    for (from, to) in [
        (r#"{"v":1,"#, r#"{"v":2,"#),
        (r#"{"v":1,"#, r#"{"v":1,"x":0,"#),
        (r#""type_":"ES256""#, r#""type_":"EDDSA""#),
    ] {
        let bad = json.replacen(from, to, 1);
        assert_ne!(bad, json, "{from}");
        assert!(serde_json::from_str::<Credential>(&bad).is_err(), "{from}");
    }
    // The states round-trip, and say nothing in Debug.
    let back = AuthenticationState::from_json(&state.to_json().unwrap()).unwrap();
    assert_eq!(format!("{back:?}"), "AuthenticationState([redacted])");
}

#[test]
fn a_state_of_ten_credentials_reads_back_and_one_past_64_kib_does_not() {
    let rp = rp();
    let mut browser = Browser::at(ORIGIN);
    let mut credentials = Vec::new();
    for _ in 0..10 {
        let credential = register(&rp, &mut browser, &credentials);
        credentials.push(credential);
    }
    let (_, state) = rp.start_authentication(&credentials).unwrap();
    let json = state.to_json().unwrap();
    assert!(
        json.len() > 4 * 1024,
        "ten credentials: {} bytes",
        json.len()
    );
    assert!(json.len() <= MAX_STATE_LEN);
    assert!(AuthenticationState::from_json(&json).is_ok());
    // Past the bound, the length is refused before any JSON is read.
    let long = format!("{json}{}", " ".repeat(MAX_STATE_LEN + 1 - json.len()));
    let Err(Error::CorruptState { reason, .. }) = AuthenticationState::from_json(&long) else {
        panic!("a state over 64 KiB is read");
    };
    assert_eq!(reason, "longer than 64 KiB");
    let at_the_bound = &long[..MAX_STATE_LEN];
    assert!(AuthenticationState::from_json(at_the_bound).is_ok());
}

#[test]
fn a_credentials_debug_shows_its_algorithm_and_counter_only() {
    let rp = rp();
    let mut browser = Browser::at(ORIGIN);
    let credential = register(&rp, &mut browser, &[]);
    assert_eq!(
        format!("{credential:?}"),
        "Credential { algorithm: ES256, counter: 0, .. }",
        "no credential id or public key in a log line"
    );
}

#[test]
fn credentials_are_equal_only_when_every_stored_field_is() {
    let rp = rp();
    let mut browser = Browser::at(ORIGIN);
    let first = register(&rp, &mut browser, &[]);
    let second = register(&rp, &mut browser, std::slice::from_ref(&first));
    assert_eq!(first, first.clone());
    assert_ne!(first, second);
    // The same credential after a sign-in: only its counter moved, and that is
    // a difference a compare-and-swap must see.
    let mut credentials = vec![first.clone()];
    let (options, state) = rp.start_authentication(&credentials).unwrap();
    let response = browser.get(&options);
    rp.finish_authentication(&state, &response, &mut credentials)
        .unwrap();
    assert_eq!(credentials[0].id(), first.id());
    assert_ne!(credentials[0], first);
}

#[test]
fn stored_backup_flags_read_back_and_a_lost_eligibility_is_refused() {
    let rp = rp();
    let mut browser = Browser::at(ORIGIN);
    let credential = register(&rp, &mut browser, &[]);
    // The soft authenticator is device-bound: it claims neither flag.
    assert!(!credential.backup_eligible());
    assert!(!credential.backed_up());
    let json = serde_json::to_string(&credential).unwrap();
    let flags = r#""backup_eligible":false,"backup_state":false"#;
    assert!(json.contains(flags), "{json}");

    // The record of a synced passkey that may be backed up but was not yet,
    // and of one that was: each flag reads back as stored.
    let eligible = json.replacen(flags, r#""backup_eligible":true,"backup_state":false"#, 1);
    let eligible: Credential = serde_json::from_str(&eligible).unwrap();
    assert!(eligible.backup_eligible());
    assert!(!eligible.backed_up());
    let synced = json.replacen(flags, r#""backup_eligible":true,"backup_state":true"#, 1);
    let synced: Credential = serde_json::from_str(&synced).unwrap();
    assert!(synced.backup_eligible());
    assert!(synced.backed_up());

    // A credential registered as backup eligible signs in from an authenticator
    // that says it is not: the key is not where it was, and it is refused.
    let mut credentials = vec![synced];
    let (options, state) = rp.start_authentication(&credentials).unwrap();
    let response = browser.get(&options);
    let before = credentials.clone();
    assert!(matches!(
        rp.finish_authentication(&state, &response, &mut credentials),
        Err(Error::Refused {
            reason: Refusal::BackupFlags
        })
    ));
    assert_eq!(credentials, before, "nothing stored from a refusal");
}

#[test]
fn each_refusal_says_which_check_failed() {
    for (reason, text) in [
        (
            Refusal::Origin,
            "the response was made for another web site (origin)",
        ),
        (
            Refusal::RelyingPartyId,
            "the authenticator signed for another relying party id",
        ),
        (Refusal::Challenge, "the response answers another challenge"),
        (
            Refusal::UserNotVerified,
            "the authenticator did not verify the user (PIN or biometric)",
        ),
        (
            Refusal::UserNotPresent,
            "the authenticator did not report the user present",
        ),
        (
            Refusal::CredentialNotAllowed,
            "this credential was not asked for",
        ),
        (
            Refusal::Excluded,
            "this authenticator is already registered",
        ),
        (
            Refusal::Signature,
            "the signature or authenticator data did not verify",
        ),
        (
            Refusal::BackupFlags,
            "the credential's backup flags are inconsistent",
        ),
        (Refusal::Other, "the response failed a WebAuthn check"),
    ] {
        assert_eq!(reason.to_string(), text);
        assert_eq!(
            Error::Refused { reason }.to_string(),
            format!("passkey refused: {text}")
        );
    }
}

#[test]
fn a_relying_partys_debug_names_it() {
    assert_eq!(
        format!("{:?}", rp()),
        r#"RelyingParty { rp_id: "example.com", origin: "https://portal.example.com/", name: "Vivio Portal", .. }"#
    );
}

#[test]
fn the_relying_party_keeps_its_rp_id_origin_and_trimmed_name() {
    let rp = RelyingParty::new("example.com", ORIGIN, "  Vivio Portal ", 300).unwrap();
    assert_eq!(rp.rp_id(), "example.com");
    assert_eq!(rp.origin(), "https://portal.example.com/");
    assert_eq!(rp.name(), "Vivio Portal", "what authenticators show");
}

#[test]
fn a_response_of_64_kib_is_read_and_one_byte_more_is_not() {
    let bound = 64 * 1024;
    assert_eq!(MAX_RESPONSE_LEN, bound, "the refusal says 64 KiB");
    let rp = rp();
    let mut browser = Browser::at(ORIGIN);
    let mut credentials = vec![register(&rp, &mut browser, &[])];
    let (options, state) = rp.start_authentication(&credentials).unwrap();
    let response = browser.get(&options);
    // JSON allows trailing white space: the same answer, padded.
    let long = format!("{response}{}", " ".repeat(bound + 1 - response.len()));
    let Err(Error::MalformedResponse { reason }) =
        rp.finish_authentication(&state, &long, &mut credentials)
    else {
        panic!("a response over 64 KiB is read");
    };
    assert_eq!(reason, "it is longer than 64 KiB");
    assert_eq!(credentials[0].counter(), 0, "nothing stored");
    let at_the_bound = &long[..bound];
    rp.finish_authentication(&state, at_the_bound, &mut credentials)
        .unwrap();
    assert_eq!(credentials[0].counter(), 1);
}

#[test]
fn an_rp_id_may_hold_digits_and_hyphens_as_dns_names_do() {
    for rp_id in ["xn--bcher-kva.example", "web-2.example.com", "365.example"] {
        assert!(is_rp_id(rp_id), "{rp_id}");
    }
    for rp_id in ["exa_mple.com", "b\u{fc}cher.example", "example.com."] {
        assert!(!is_rp_id(rp_id), "{rp_id}");
    }
}

#[test]
fn a_user_handle_is_ours_only_with_its_version_variant_and_marker() {
    for id in [0, 1, 3522, u64::MAX] {
        let handle = UserHandle::from_id(id);
        assert_eq!(UserHandle::from_uuid(handle.uuid()), Some(handle));
    }
    // One mark wrong, the others right: a UUID another system made.
    let ours = *UserHandle::from_id(3522).uuid().as_bytes();
    for (at, value) in [(6, 0x40), (8, 0xc0), (10, b'C'), (15, b'Y')] {
        let mut other = ours;
        other[at] = value;
        assert_eq!(
            UserHandle::from_uuid(Uuid::from_bytes(other)),
            None,
            "byte {at}"
        );
    }
}

#[test]
fn the_relying_party_is_checked() {
    for (rp_id, origin, name, timeout) in [
        ("", ORIGIN, "Vivio", 300),
        ("Example.com", ORIGIN, "Vivio", 300),
        ("example.com", "https://example.org", "Vivio", 300),
        ("example.com", "https://notexample.com", "Vivio", 300),
        ("example.com", "http://portal.example.com", "Vivio", 300),
        (
            "example.com",
            "https://portal.example.com/login",
            "Vivio",
            300,
        ),
        ("example.com", "not a url", "Vivio", 300),
        ("example.com", ORIGIN, "  ", 300),
        ("example.com", ORIGIN, "Vivio\n", 0),
        ("example.com", ORIGIN, "Vivio", 0),
        ("example.com", ORIGIN, "Vivio", 3601),
        ("https://example.com", ORIGIN, "Vivio", 300),
        ("127.0.0.1", "https://127.0.0.1:8443", "Vivio", 300),
        ("example.com", "http://localhost.example.com", "Vivio", 300),
    ] {
        assert!(
            matches!(
                RelyingParty::new(rp_id, origin, name, timeout),
                Err(Error::InvalidRelyingParty { .. })
            ),
            "{rp_id} {origin} {name:?} {timeout}"
        );
    }
    assert!(RelyingParty::new("localhost", "http://localhost:8080", "Vivio", 1).is_ok());
    // A `*.localhost` name is a secure context over plain http, as localhost is.
    let local = RelyingParty::new(
        "portal.localhost",
        "http://portal.localhost:8080",
        "Vivio",
        1,
    );
    assert!(local.is_ok(), "{local:?}");
    assert!(RelyingParty::new("example.com", "https://example.com", "Vivio", 3600).is_ok());
}

#[test]
fn an_rp_id_and_origin_are_checked_as_browsers_will() {
    for (rp_id, origin) in [
        ("example.com", "https://example.com"),
        ("example.com", "https://portal.example.com:8443/"),
        ("localhost", "http://localhost:8080"),
        ("portal.localhost", "http://portal.localhost"),
    ] {
        let checked = check_rp_id_and_origin(rp_id, origin);
        assert!(checked.is_ok(), "{rp_id} {origin}: {checked:?}");
    }
    for (rp_id, origin, says) in [
        ("127.0.0.1", "https://127.0.0.1:8443", "IP address"),
        ("[::1]", "https://[::1]:8443", "IP address"),
        ("Example.com", "https://example.com", "not a domain name"),
        ("example.com", "example.com", "not scheme://host"),
        ("example.com", "example.com:443", "not scheme://host"),
        (
            "example.com",
            "https://example.com:https",
            "port that is not a number",
        ),
        ("example.com", "http://example.com", "plain http"),
        ("example.com", "http://localhost.example.com", "plain http"),
        ("example.com", "ftp://example.com", "neither https"),
        (
            "example.com",
            "https://example.com/portal",
            "path, query or user",
        ),
        (
            "example.com",
            "https://example.com/?next=1",
            "path, query or user",
        ),
        (
            "example.com",
            "https://example.com/#top",
            "path, query or user",
        ),
        (
            "example.com",
            "https://joe@example.com",
            "path, query or user",
        ),
        (
            "example.com",
            "https://:pw@example.com",
            "path, query or user",
        ),
        (
            "example.com",
            "https://badexample.com",
            "not on the relying party id",
        ),
        (
            "portal.example.com",
            "https://example.com",
            "not on the relying party id",
        ),
    ] {
        let Err(Error::InvalidRelyingParty { reason }) = check_rp_id_and_origin(rp_id, origin)
        else {
            panic!("{rp_id} {origin} is accepted");
        };
        assert!(reason.contains(says), "{rp_id} {origin}: {reason}");
    }
}

/// Writes the seeds of the `passkey_state` fuzz target (`fuzz/seeds/passkey_state/`)
/// from one real ceremony, each after the target's selector byte: the stored
/// credential (0), webauthn-rs's registration and authentication states (1), and
/// the browser's registration and assertion answers (2). Not a check: run it to
/// make the seeds again,
/// `cargo test -p countersign-passkey --test ceremonies -- --ignored write_fuzz_seeds`.
#[test]
#[ignore = "writes fuzz/seeds/passkey_state; run by hand"]
fn write_fuzz_seeds() {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/seeds/passkey_state");
    std::fs::create_dir_all(&dir).unwrap();
    let write = |name: &str, selector: u8, text: &str| {
        let mut bytes = vec![selector];
        bytes.extend_from_slice(text.as_bytes());
        std::fs::write(dir.join(name), bytes).unwrap();
    };
    let rp = rp();
    let mut browser = Browser::at(ORIGIN);
    let (options, state) = rp
        .start_registration(
            UserHandle::from_id(3522),
            "joe.example",
            "Joe Example",
            &[],
            false,
        )
        .unwrap();
    write("registration_state", 1, &state.to_json().unwrap());
    let response = browser.create(&options);
    write("registration_response", 2, &response);
    let credential = rp.finish_registration(&state, &response, &[]).unwrap();
    write(
        "credential",
        0,
        &serde_json::to_string(&credential).unwrap(),
    );
    let mut credentials = vec![credential];
    let (options, state) = rp.start_authentication(&credentials).unwrap();
    write("authentication_state", 1, &state.to_json().unwrap());
    let response = browser.get(&options);
    write("assertion_response", 2, &response);
    rp.finish_authentication(&state, &response, &mut credentials)
        .unwrap();
}
