//! Passkeys and security keys beside TOTP (issue 15): registration with the
//! password, the second factor, passwordless sign-in, and what a hostile
//! browser or a hostile store can do, against webauthn-rs's own software
//! authenticator (see `browser`).

mod browser;
mod fixtures;

use browser::{Browser, ORIGIN, RP_ID};
use countersign::passkey::{PasskeyChallenge, PasskeyId, PasskeySettings, Refusal};
use countersign::webauthn::UserHandle;
use countersign::{Access, Account, Error, KeyRing, Portal, SecondFactor, ServerKey, Via};
use fixtures::*;

fn settings(passwordless: bool) -> PasskeySettings {
    PasskeySettings {
        passwordless,
        ..PasskeySettings::new(RP_ID, ORIGIN, "Vivio Portal")
    }
}

fn passkey_portal() -> Portal {
    portal().with_passkeys(settings(false)).unwrap()
}

fn passwordless_portal() -> Portal {
    portal().with_passkeys(settings(true)).unwrap()
}

/// Joe with two-factor on.
fn enrolled(portal: &Portal) -> Account {
    let mut joe = account(portal, joe(), JOE_PASSWORD);
    enroll(portal, &mut joe, JOE_PASSWORD);
    joe
}

fn begin(
    portal: &Portal,
    account: &mut Account,
    name: &str,
    at: u64,
) -> countersign::Result<PasskeyChallenge> {
    let permissions = seeded_permissions();
    let access = Access::new(&permissions).unwrap();
    portal.begin_passkey_registration(account, &access, name, JOE_PASSWORD, at, &mut rng())
}

/// Registers the browser's authenticator as `name` at `at`.
fn register(
    portal: &Portal,
    account: &mut Account,
    browser: &mut Browser,
    name: &str,
    at: u64,
) -> PasskeyId {
    let challenge = begin(portal, account, name, at).unwrap();
    let response = browser.create(challenge.options_json());
    portal
        .finish_passkey_registration(account, challenge.state(), &response, at)
        .unwrap()
}

/// The password, then "Use a security key": the ticket, the challenge and the response.
fn second_factor(
    portal: &Portal,
    account: &mut Account,
    browser: &mut Browser,
    at: u64,
) -> (countersign::LoginTicket, PasskeyChallenge, String) {
    let ticket = ticket(portal, account, JOE_PASSWORD, at);
    let challenge = portal
        .begin_passkey_sign_in(account, &ticket, at, &mut rng())
        .unwrap();
    let response = browser.get(challenge.options_json());
    (ticket, challenge, response)
}

fn complete(
    portal: &Portal,
    account: &mut Account,
    ticket: &countersign::LoginTicket,
    challenge: &PasskeyChallenge,
    response: &str,
    at: u64,
) -> countersign::Result<countersign::SignedIn> {
    portal.complete_sign_in(
        account,
        ticket,
        SecondFactor::Passkey {
            state: challenge.state(),
            response_json: response,
        },
        false,
        at,
        &mut rng(),
    )
}

#[test]
fn a_passkey_is_registered_with_the_password_listed_and_signs_in_as_the_second_factor() {
    let portal = passkey_portal();
    let mut joe = enrolled(&portal);
    let mut yubikey = Browser::new();
    let revision = joe.revision();
    let id = register(&portal, &mut joe, &mut yubikey, "  YubiKey 5 ", NOW + 10);
    assert!(joe.revision() > revision);
    let [key] = joe.passkeys() else {
        panic!("one passkey")
    };
    assert_eq!(
        (
            key.id(),
            key.name().as_str(),
            key.added_at(),
            key.last_used_at()
        ),
        (id, "YubiKey 5", NOW + 10, None)
    );
    assert_eq!(id.to_string().parse::<PasskeyId>().unwrap(), id);

    let at = NOW + 100;
    let (ticket, challenge, response) = second_factor(&portal, &mut joe, &mut yubikey, at);
    assert!(challenge.expires_at() == at + 300);
    let signed_in = portal
        .complete_sign_in(
            &mut joe,
            &ticket,
            SecondFactor::Passkey {
                state: challenge.state(),
                response_json: &response,
            },
            true,
            at,
            &mut rng(),
        )
        .unwrap();
    assert_eq!(signed_in.via, Via::Passkey);
    assert!(
        signed_in.device_token.is_some(),
        "remember this device is honoured"
    );
    assert_eq!(signed_in.backup_codes_left, Some(10));
    assert_eq!(joe.passkeys()[0].last_used_at(), Some(at));
    assert_eq!(joe.passkeys()[0].credential().counter(), 1);
    // The ticket is spent by the sign-in it completed.
    let challenge = portal.begin_passkey_sign_in(&joe, &ticket, at, &mut rng());
    assert!(matches!(challenge, Err(Error::LoginTicketInvalid)));

    // A second one; both are offered at sign-in, either signs in.
    let mut laptop = Browser::new();
    register(&portal, &mut joe, &mut laptop, "Joe's laptop", at + 10);
    let (ticket, challenge, response) = second_factor(&portal, &mut joe, &mut laptop, at + 20);
    let options: serde_json::Value = serde_json::from_str(challenge.options_json()).unwrap();
    assert_eq!(
        options["publicKey"]["allowCredentials"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    complete(&portal, &mut joe, &ticket, &challenge, &response, at + 20).unwrap();
    assert_eq!(joe.passkeys()[1].last_used_at(), Some(at + 20));
    assert_eq!(joe.passkeys()[0].last_used_at(), Some(at));

    // The account, with its passkeys, round-trips as version 4.
    let json = serde_json::to_string(&joe).unwrap();
    assert!(json.starts_with(r#"{"v":4,"#), "{json}");
    assert_eq!(serde_json::from_str::<Account>(&json).unwrap(), joe);
}

#[test]
fn registration_needs_two_factor_a_free_name_and_the_password() {
    let portal = passkey_portal();
    let mut joe = account(&portal, joe(), JOE_PASSWORD);
    assert!(matches!(
        begin(&portal, &mut joe, "YubiKey", NOW),
        Err(Error::NotEnrolled)
    ));
    enroll(&portal, &mut joe, JOE_PASSWORD);
    let mut browser = Browser::new();
    register(&portal, &mut joe, &mut browser, "YubiKey", NOW);
    assert!(matches!(
        begin(&portal, &mut joe, "yubikey", NOW),
        Err(Error::DuplicatePasskeyName { .. })
    ));
    assert!(matches!(
        begin(&portal, &mut joe, "tab\there", NOW),
        Err(Error::InvalidAuthenticatorName { .. })
    ));
    let permissions = seeded_permissions();
    let access = Access::new(&permissions).unwrap();
    let wrong = portal.begin_passkey_registration(
        &mut joe,
        &access,
        "Laptop",
        "wrong password here",
        NOW,
        &mut rng(),
    );
    assert!(matches!(wrong, Err(Error::Password(_))));
    assert_eq!(
        joe.throttles()
            .get(countersign::throttle::Factor::Password)
            .consecutive_failures(),
        1
    );
    // Without the permission to enable two-factor, a contact cannot add one either.
    let mut contact = account(&portal, contact(), CONTACT_PASSWORD);
    let nobody = no_permissions();
    let nobody = Access::new(&nobody).unwrap();
    assert!(matches!(
        portal.begin_passkey_registration(
            &mut contact,
            &nobody,
            "Key",
            CONTACT_PASSWORD,
            NOW,
            &mut rng()
        ),
        Err(Error::NotEnrolled | Error::PermissionDenied { .. })
    ));
    // A portal without passkeys refuses every passkey flow.
    let plain =
        countersign::Portal::new(ServerKey::from_bytes([0x42; 32]), fixtures::settings()).unwrap();
    assert!(!plain.passkeys_enabled());
    assert!(matches!(
        begin(&plain, &mut joe, "Laptop", NOW),
        Err(Error::PasskeysDisabled)
    ));
    assert!(matches!(
        plain.begin_passwordless_sign_in(NOW, &mut rng()),
        Err(Error::PasskeysDisabled)
    ));
}

#[test]
fn a_passkey_is_removed_with_the_password_and_disabling_two_factor_removes_every_one() {
    let portal = passkey_portal();
    let mut joe = enrolled(&portal);
    let mut one = Browser::new();
    let mut two = Browser::new();
    let first = register(&portal, &mut joe, &mut one, "One", NOW);
    register(&portal, &mut joe, &mut two, "Two", NOW);
    let unknown: PasskeyId = "00000000000000000000000000000000".parse().unwrap();
    assert!(matches!(
        portal.remove_passkey(&mut joe, JOE_PASSWORD, unknown, NOW, &mut rng()),
        Err(Error::NoSuchPasskey)
    ));
    assert!(matches!(
        portal.remove_passkey(&mut joe, "wrong password here", first, NOW, &mut rng()),
        Err(Error::Password(_))
    ));
    portal
        .remove_passkey(&mut joe, JOE_PASSWORD, first, NOW, &mut rng())
        .unwrap();
    assert_eq!(joe.passkeys().len(), 1);
    // The removed one no longer signs in.
    let ticket = ticket(&portal, &mut joe, JOE_PASSWORD, NOW + 5);
    let challenge = portal
        .begin_passkey_sign_in(&joe, &ticket, NOW + 5, &mut rng())
        .unwrap();
    let options: serde_json::Value = serde_json::from_str(challenge.options_json()).unwrap();
    assert_eq!(
        options["publicKey"]["allowCredentials"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    portal
        .disable_two_factor(&mut joe, JOE_PASSWORD, NOW + 10, &mut rng())
        .unwrap();
    assert!(joe.passkeys().is_empty());
    // And a stored state that claims passkeys without two-factor does not read.
    let mut again = enrolled(&portal);
    register(&portal, &mut again, &mut Browser::new(), "Key", NOW);
    let json = serde_json::to_string(&again).unwrap();
    let two_factor_at = json.find(r#""two_factor":{"#).unwrap();
    let end = json[two_factor_at..]
        .find(r#","pending_enrollment""#)
        .unwrap()
        + two_factor_at;
    let hostile = format!(
        "{}\"two_factor\":null{}",
        &json[..two_factor_at],
        &json[end..]
    );
    let error = serde_json::from_str::<Account>(&hostile)
        .unwrap_err()
        .to_string();
    assert!(error.contains("passkeys without two-factor"), "{error}");
}

#[test]
fn a_cloned_authenticator_is_refused() {
    let portal = passkey_portal();
    let mut joe = enrolled(&portal);
    let mut key = Browser::new();
    register(&portal, &mut joe, &mut key, "YubiKey", NOW);
    // Two sign-ins started; the authenticator answers both (counters 1, 2). The
    // later answer signs in; the earlier one is what a copy of the authenticator
    // made before would send: a valid signature, its counter behind the stored one.
    let at = NOW + 60;
    let ticket1 = ticket(&portal, &mut joe, JOE_PASSWORD, at);
    let first = portal
        .begin_passkey_sign_in(&joe, &ticket1, at, &mut rng())
        .unwrap();
    let second = portal
        .begin_passkey_sign_in(&joe, &ticket1, at, &mut rng())
        .unwrap();
    let stale = key.get(first.options_json());
    let fresh = key.get(second.options_json());
    complete(&portal, &mut joe, &ticket1, &second, &fresh, at).unwrap();
    assert_eq!(joe.passkeys()[0].credential().counter(), 2);
    let ticket2 = ticket(&portal, &mut joe, JOE_PASSWORD, at + 1);
    let before = joe.passkeys().to_vec();
    assert!(matches!(
        complete(&portal, &mut joe, &ticket2, &first, &stale, at + 1),
        Err(Error::Passkey(
            countersign::webauthn::Error::ClonedAuthenticator
        ))
    ));
    assert_eq!(joe.passkeys(), &before[..], "nothing stored from the clone");
    // The genuine authenticator still signs in.
    let (ticket3, challenge, response) = second_factor(&portal, &mut joe, &mut key, at + 2);
    complete(&portal, &mut joe, &ticket3, &challenge, &response, at + 2).unwrap();
    assert_eq!(joe.passkeys()[0].credential().counter(), 3);
}

#[test]
fn a_response_from_another_origin_or_for_another_rp_id_is_refused() {
    let portal = passkey_portal();
    let mut joe = enrolled(&portal);
    let key = Browser::new();
    let mut key = key;
    register(&portal, &mut joe, &mut key, "YubiKey", NOW);

    // A phishing page on a sibling subdomain relays the challenge.
    let ticket = ticket(&portal, &mut joe, JOE_PASSWORD, NOW + 1);
    let challenge = portal
        .begin_passkey_sign_in(&joe, &ticket, NOW + 1, &mut rng())
        .unwrap();
    let mut phished = key.moved_to("https://evil.example.com");
    let response = phished.get(challenge.options_json());
    assert!(matches!(
        complete(&portal, &mut joe, &ticket, &challenge, &response, NOW + 1),
        Err(Error::Passkey(countersign::webauthn::Error::Refused {
            reason: Refusal::Origin
        }))
    ));
    // Signed for another RP id (a narrower one the origin would allow).
    let challenge = portal
        .begin_passkey_sign_in(&joe, &ticket, NOW + 1, &mut rng())
        .unwrap();
    let mut options: serde_json::Value = serde_json::from_str(challenge.options_json()).unwrap();
    options["publicKey"]["rpId"] = "portal.example.com".into();
    let mut key = phished.moved_to(ORIGIN);
    let response = key.get(&options.to_string());
    assert!(matches!(
        complete(&portal, &mut joe, &ticket, &challenge, &response, NOW + 1),
        Err(Error::Passkey(countersign::webauthn::Error::Refused {
            reason: Refusal::RelyingPartyId
        }))
    ));
    // A portal configured for another RP id refuses a credential made for this one.
    let other = portal_for("portal.example.com");
    let challenge = other
        .begin_passkey_sign_in(&joe, &ticket, NOW + 1, &mut rng())
        .unwrap();
    let mut options: serde_json::Value = serde_json::from_str(challenge.options_json()).unwrap();
    options["publicKey"]["rpId"] = RP_ID.into();
    let response = key.get(&options.to_string());
    assert!(matches!(
        other.complete_sign_in(
            &mut joe,
            &ticket,
            SecondFactor::Passkey {
                state: challenge.state(),
                response_json: &response
            },
            false,
            NOW + 1,
            &mut rng()
        ),
        Err(Error::Passkey(countersign::webauthn::Error::Refused {
            reason: Refusal::RelyingPartyId
        }))
    ));
    // The ticket was not spent by any of these: the right answer still signs in.
    let challenge = portal
        .begin_passkey_sign_in(&joe, &ticket, NOW + 2, &mut rng())
        .unwrap();
    let response = key.get(challenge.options_json());
    complete(&portal, &mut joe, &ticket, &challenge, &response, NOW + 2).unwrap();
    // And the misconfiguration itself is refused up front.
    assert!(
        portal
            .with_passkeys(PasskeySettings::new("example.org", ORIGIN, "Vivio"))
            .is_err()
    );
}

fn portal_for(rp_id: &str) -> Portal {
    portal()
        .with_passkeys(PasskeySettings::new(rp_id, ORIGIN, "Vivio Portal"))
        .unwrap()
}

#[test]
fn the_configuration_reads_back_and_a_file_may_leave_the_defaults_out() {
    // A configuration file naming only the relying party: passwordless off, five minutes.
    let file = format!(r#"{{"rp_id":"{RP_ID}","origin":"{ORIGIN}","rp_name":"Vivio Portal"}}"#);
    let read: PasskeySettings = serde_json::from_str(&file).unwrap();
    assert_eq!(read, settings(false));
    assert_eq!(
        read.challenge_ttl_secs,
        countersign::passkey::DEFAULT_CHALLENGE_TTL
    );
    assert_eq!(read.challenge_ttl_secs, 300);

    assert!(!portal().passkeys_enabled());
    assert_eq!(portal().passkey_settings(), None);
    let portal = passwordless_portal();
    assert!(portal.passkeys_enabled() && portal.passwordless_enabled());
    assert_eq!(portal.passkey_settings(), Some(&settings(true)));

    // A started ceremony's Debug says when it stops standing, not its sealed state.
    let mut joe = enrolled(&portal);
    let challenge = begin(&portal, &mut joe, "YubiKey", NOW).unwrap();
    let debug = format!("{challenge:?}");
    assert!(debug.starts_with("PasskeyChallenge {"), "{debug}");
    assert!(
        debug.contains(&format!("expires_at: {}", NOW + 300)),
        "{debug}"
    );
    assert!(!debug.contains(challenge.state()), "{debug}");
}

#[test]
fn a_challenge_is_answered_once_and_not_after_it_expired() {
    let portal = passkey_portal();
    let mut joe = enrolled(&portal);
    let mut key = Browser::new();
    // The same registration response twice: the second is refused.
    let challenge = begin(&portal, &mut joe, "YubiKey", NOW).unwrap();
    let response = key.create(challenge.options_json());
    portal
        .finish_passkey_registration(&mut joe, challenge.state(), &response, NOW)
        .unwrap();
    assert!(matches!(
        portal.finish_passkey_registration(&mut joe, challenge.state(), &response, NOW + 1),
        Err(Error::PasskeyChallengeSpent)
    ));
    assert_eq!(joe.passkeys().len(), 1);

    // The same sign-in response twice (with a fresh ticket): refused.
    let (ticket1, challenge, response) = second_factor(&portal, &mut joe, &mut key, NOW + 10);
    complete(&portal, &mut joe, &ticket1, &challenge, &response, NOW + 10).unwrap();
    let ticket2 = ticket(&portal, &mut joe, JOE_PASSWORD, NOW + 11);
    assert!(matches!(
        complete(&portal, &mut joe, &ticket2, &challenge, &response, NOW + 11),
        Err(Error::PasskeyChallengeSpent)
    ));
    // After the challenge's expiry its id is pruned; the state is dead by then too.
    let late = challenge.expires_at();
    let ticket3 = ticket(&portal, &mut joe, JOE_PASSWORD, late);
    assert!(matches!(
        complete(&portal, &mut joe, &ticket3, &challenge, &response, late),
        Err(Error::PasskeyChallengeExpired { expired_at }) if expired_at == late
    ));

    // An expired registration.
    let challenge = begin(&portal, &mut joe, "Laptop", NOW + 20).unwrap();
    let response = Browser::new().create(challenge.options_json());
    assert!(matches!(
        portal.finish_passkey_registration(&mut joe, challenge.state(), &response, NOW + 20 + 300),
        Err(Error::PasskeyChallengeExpired { .. })
    ));
    // A shorter configured lifetime is honoured.
    let quick = fixtures::portal()
        .with_passkeys(PasskeySettings {
            challenge_ttl_secs: 5,
            ..settings(false)
        })
        .unwrap();
    let challenge = begin(&quick, &mut joe, "Laptop", NOW + 30).unwrap();
    assert_eq!(challenge.expires_at(), NOW + 35);
    assert!(
        fixtures::portal()
            .with_passkeys(PasskeySettings {
                challenge_ttl_secs: 0,
                ..settings(false)
            })
            .is_err()
    );
}

#[test]
fn spent_challenges_are_kept_until_their_expiry_and_at_most_the_maximum() {
    use countersign::passkey::MAX_SPENT_CHALLENGES;
    let portal = passkey_portal();
    let mut joe = enrolled(&portal);
    let mut key = Browser::new();
    register(&portal, &mut joe, &mut key, "YubiKey", NOW);
    let expiry = NOW + 300;
    // The registration's id and, as a busy store would hold them, more finished
    // ceremonies than may be kept, each standing past the registration's.
    let mut stored = serde_json::to_value(&joe).unwrap();
    let spent = stored["spent_passkey_challenges"].as_array_mut().unwrap();
    assert_eq!(spent.len(), 1);
    assert_eq!(spent[0]["expires_at"], expiry);
    for k in 1..MAX_SPENT_CHALLENGES as u64 {
        spent.push(serde_json::json!({ "id": format!("{k:032x}"), "expires_at": expiry + k }));
    }
    let mut full: Account = serde_json::from_value(stored).unwrap();

    // While every id stands, one more finished ceremony is refused, not an id forgotten.
    let at = NOW + 10;
    let (ticket1, challenge, response) = second_factor(&portal, &mut full, &mut key, at);
    let before = serde_json::to_value(&full).unwrap();
    assert!(matches!(
        complete(&portal, &mut full, &ticket1, &challenge, &response, at),
        Err(Error::TooManyPasskeyCeremonies { retry_at }) if retry_at == expiry
    ));
    assert_eq!(
        serde_json::to_value(&full).unwrap()["spent_passkey_challenges"],
        before["spent_passkey_challenges"]
    );

    // At the second the earliest one expires it is forgotten, and there is room.
    let (ticket2, challenge, response) = second_factor(&portal, &mut full, &mut key, expiry);
    complete(&portal, &mut full, &ticket2, &challenge, &response, expiry).unwrap();
    let after = serde_json::to_value(&full).unwrap();
    let kept: Vec<u64> = after["spent_passkey_challenges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["expires_at"].as_u64().unwrap())
        .collect();
    assert_eq!(kept.len(), MAX_SPENT_CHALLENGES);
    assert!(!kept.contains(&expiry), "{kept:?}");
    assert_eq!(kept.last(), Some(&(expiry + 300)));
}

#[test]
fn a_credential_or_challenge_of_another_contact_is_refused() {
    let portal = passkey_portal();
    let mut joe = enrolled(&portal);
    let mut ann = account(&portal, contact(), CONTACT_PASSWORD);
    enroll(&portal, &mut ann, CONTACT_PASSWORD);
    let mut joes_key = Browser::new();
    let mut anns_key = Browser::new();
    register(&portal, &mut joe, &mut joes_key, "Joe's key", NOW);
    let permissions = seeded_permissions();
    let access = Access::new(&permissions).unwrap();
    let challenge = portal.begin_passkey_registration(
        &mut ann,
        &access,
        "Ann's key",
        CONTACT_PASSWORD,
        NOW,
        &mut rng(),
    );
    let challenge = challenge.unwrap();
    let response = anns_key.create(challenge.options_json());
    // Ann's registration state finished on Joe's account: sealed for Ann.
    assert!(matches!(
        portal.finish_passkey_registration(&mut joe, challenge.state(), &response, NOW),
        Err(Error::PasskeyChallengeInvalid { .. })
    ));
    portal
        .finish_passkey_registration(&mut ann, challenge.state(), &response, NOW)
        .unwrap();

    // Ann's sign-in state and answer, submitted on Joe's account.
    let anns_ticket = ticket(&portal, &mut ann, CONTACT_PASSWORD, NOW + 1);
    let anns = portal
        .begin_passkey_sign_in(&ann, &anns_ticket, NOW + 1, &mut rng())
        .unwrap();
    let anns_answer = anns_key.get(anns.options_json());
    let joes_ticket = ticket(&portal, &mut joe, JOE_PASSWORD, NOW + 1);
    assert!(matches!(
        complete(
            &portal,
            &mut joe,
            &joes_ticket,
            &anns,
            &anns_answer,
            NOW + 1
        ),
        Err(Error::PasskeyChallengeInvalid { .. })
    ));
    // Ann's authenticator answering Joe's challenge (she was asked for Joe's keys).
    let joes = portal
        .begin_passkey_sign_in(&joe, &joes_ticket, NOW + 1, &mut rng())
        .unwrap();
    let mut options: serde_json::Value = serde_json::from_str(joes.options_json()).unwrap();
    options["publicKey"]["allowCredentials"] = serde_json::from_str::<serde_json::Value>(
        anns.options_json(),
    )
    .unwrap()["publicKey"]["allowCredentials"]
        .clone();
    let answer = anns_key.get(&options.to_string());
    assert!(matches!(
        complete(&portal, &mut joe, &joes_ticket, &joes, &answer, NOW + 1),
        Err(Error::Passkey(
            countersign::webauthn::Error::UnknownCredential
        ))
    ));
    // A registration state is not a sign-in state.
    let registration = begin(&portal, &mut joe, "Another", NOW + 2).unwrap();
    assert!(matches!(
        complete(
            &portal,
            &mut joe,
            &joes_ticket,
            &registration,
            &answer,
            NOW + 2
        ),
        Err(Error::PasskeyChallengeInvalid { .. })
    ));
}

#[test]
fn the_same_authenticator_is_not_registered_twice() {
    let portal = passkey_portal();
    let mut joe = enrolled(&portal);
    let mut key = Browser::new();
    register(&portal, &mut joe, &mut key, "YubiKey", NOW);
    let credential_id = joe.passkeys()[0].credential().id().to_vec();
    // The next registration tells the browser to exclude it (W3C WebAuthn
    // §5.4.3: the authenticator then refuses, InvalidStateError).
    let challenge = begin(&portal, &mut joe, "YubiKey again", NOW + 1).unwrap();
    let options: serde_json::Value = serde_json::from_str(challenge.options_json()).unwrap();
    let excluded: Vec<_> = options["publicKey"]["excludeCredentials"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(excluded, [browser::b64(&credential_id)]);
}

#[test]
fn hostile_states_and_responses_are_typed_errors() {
    let portal = passkey_portal();
    let mut joe = enrolled(&portal);
    let mut key = Browser::new();
    register(&portal, &mut joe, &mut key, "YubiKey", NOW);
    let ticket = ticket(&portal, &mut joe, JOE_PASSWORD, NOW + 1);
    let challenge = portal
        .begin_passkey_sign_in(&joe, &ticket, NOW + 1, &mut rng())
        .unwrap();
    let response = key.get(challenge.options_json());
    let state = challenge.state();
    assert!(state.starts_with("pk1:default:"), "{state}");
    assert!(
        !format!("{challenge:?}").contains(state),
        "Debug shows no state"
    );

    let flipped = {
        let mut bytes = state.as_bytes().to_vec();
        let at = bytes.len() - 40;
        bytes[at] = if bytes[at] == b'0' { b'1' } else { b'0' };
        String::from_utf8(bytes).unwrap()
    };
    let hostile = [
        String::new(),
        "garbage".into(),
        "pk1:".into(),
        "pk1:default".into(),
        "pk1:default:".into(),
        "pk1:default:zz".into(),
        "pk1:no such key!:00".into(),
        state[..state.len() / 2].to_owned(),
        state[..state.len() - 1].to_owned(),
        flipped,
        format!("{state}00"),
        "pk1:default:".to_owned() + &"0".repeat(300_000),
    ];
    for bad in &hostile {
        let result = portal.complete_sign_in(
            &mut joe,
            &ticket,
            SecondFactor::Passkey {
                state: bad,
                response_json: &response,
            },
            false,
            NOW + 1,
            &mut rng(),
        );
        assert!(
            matches!(result, Err(Error::PasskeyChallengeInvalid { .. })),
            "{:.40}: {result:?}",
            bad
        );
        let result = portal.finish_passkey_registration(&mut joe, bad, "{}", NOW + 1);
        assert!(
            matches!(result, Err(Error::PasskeyChallengeInvalid { .. })),
            "{:.40}: {result:?}",
            bad
        );
    }
    // Under a key id the ring does not hold.
    let unknown = state.replacen("pk1:default:", "pk1:2027-01:", 1);
    // None of that spent the challenge: the right state still signs in.
    complete(&portal, &mut joe, &ticket, &challenge, &response, NOW + 1).unwrap();
    let ticket = fixtures::ticket(&portal, &mut joe, JOE_PASSWORD, NOW + 2);
    let result = portal.complete_sign_in(
        &mut joe,
        &ticket,
        SecondFactor::Passkey {
            state: &unknown,
            response_json: &response,
        },
        false,
        NOW + 2,
        &mut rng(),
    );
    assert!(
        matches!(result, Err(Error::UnknownKeyId { .. })),
        "{result:?}"
    );
    // Garbage answers, on a good state.
    let challenge = portal
        .begin_passkey_sign_in(&joe, &ticket, NOW + 2, &mut rng())
        .unwrap();
    for garbage in ["", "{}", "null", "{\"id\":1}", &"{".repeat(70_000)] {
        let result = complete(&portal, &mut joe, &ticket, &challenge, garbage, NOW + 2);
        assert!(
            matches!(
                result,
                Err(Error::Passkey(
                    countersign::webauthn::Error::MalformedResponse { .. }
                ))
            ),
            "{result:?}"
        );
    }
    // None of it spent the ticket or the challenge.
    let response = key.get(challenge.options_json());
    complete(&portal, &mut joe, &ticket, &challenge, &response, NOW + 2).unwrap();
    // Another server key does not open a state.
    let other = Portal::new(ServerKey::from_bytes([9; 32]), fixtures::settings())
        .unwrap()
        .with_passkeys(settings(false))
        .unwrap();
    let ticket = fixtures::ticket(&other, &mut joe, JOE_PASSWORD, NOW + 3);
    let challenge = portal
        .begin_passkey_sign_in(&joe, &ticket, NOW + 3, &mut rng())
        .unwrap();
    let response = key.get(challenge.options_json());
    assert!(matches!(
        complete(&other, &mut joe, &ticket, &challenge, &response, NOW + 3),
        Err(Error::PasskeyChallengeInvalid { .. })
    ));
}

#[test]
fn passwordless_sign_in_only_where_enabled() {
    let portal = passkey_portal();
    assert!(!portal.passwordless_enabled());
    assert!(matches!(
        portal.begin_passwordless_sign_in(NOW, &mut rng()),
        Err(Error::PasswordlessDisabled)
    ));
    assert!(matches!(
        portal.passwordless_contact("{}"),
        Err(Error::PasswordlessDisabled)
    ));

    let portal = passwordless_portal();
    let mut joe = enrolled(&portal);
    let mut key = Browser::new();
    let challenge = begin(&portal, &mut joe, "Phone", NOW).unwrap();
    let options: serde_json::Value = serde_json::from_str(challenge.options_json()).unwrap();
    assert_eq!(
        options["publicKey"]["authenticatorSelection"]["residentKey"],
        "preferred"
    );
    assert_eq!(
        options["publicKey"]["user"]["id"],
        browser::b64(UserHandle::from_id(3522).uuid().as_bytes())
    );
    let response = key.create(challenge.options_json());
    portal
        .finish_passkey_registration(&mut joe, challenge.state(), &response, NOW)
        .unwrap();

    // A ticket issued before: the passwordless sign-in spends it.
    let earlier = ticket(&portal, &mut joe, JOE_PASSWORD, NOW + 5);
    let at = NOW + 10;
    let challenge = portal.begin_passwordless_sign_in(at, &mut rng()).unwrap();
    let credential_id = joe.passkeys()[0].credential().id().to_vec();
    let response = key.get_discoverable(
        challenge.options_json(),
        &credential_id,
        UserHandle::from_id(3522).uuid().as_bytes(),
    );
    assert_eq!(portal.passwordless_contact(&response).unwrap(), 3522);
    let signed_in = portal
        .finish_passwordless_sign_in(&mut joe, challenge.state(), &response, at, &mut rng())
        .unwrap();
    assert_eq!(signed_in.via, Via::PasswordlessPasskey);
    assert_eq!(joe.passkeys()[0].last_used_at(), Some(at));
    assert!(matches!(
        portal.begin_passkey_sign_in(&joe, &earlier, at, &mut rng()),
        Err(Error::LoginTicketInvalid)
    ));
    // Once only.
    assert!(matches!(
        portal.finish_passwordless_sign_in(
            &mut joe,
            challenge.state(),
            &response,
            at + 1,
            &mut rng()
        ),
        Err(Error::PasskeyChallengeSpent)
    ));
    // A response naming Joe, finished on another account: not its credential.
    let mut ann = account(&portal, contact(), CONTACT_PASSWORD);
    enroll(&portal, &mut ann, CONTACT_PASSWORD);
    let challenge = portal.begin_passwordless_sign_in(at, &mut rng()).unwrap();
    let response = key.get_discoverable(
        challenge.options_json(),
        &credential_id,
        UserHandle::from_id(3522).uuid().as_bytes(),
    );
    assert!(
        portal
            .finish_passwordless_sign_in(&mut ann, challenge.state(), &response, at, &mut rng())
            .is_err()
    );
    // A second-factor state is not a passwordless one, nor the reverse.
    let ticket = ticket(&portal, &mut joe, JOE_PASSWORD, at);
    let second = portal
        .begin_passkey_sign_in(&joe, &ticket, at, &mut rng())
        .unwrap();
    assert!(matches!(
        portal.finish_passwordless_sign_in(&mut joe, second.state(), &response, at, &mut rng()),
        Err(Error::PasskeyChallengeInvalid { .. })
    ));
    assert!(matches!(
        complete(&portal, &mut joe, &ticket, &challenge, &response, at),
        Err(Error::PasskeyChallengeInvalid { .. })
    ));
    // A deactivated contact is told so, only after the passkey verified.
    let mut anns_key = Browser::new();
    let permissions = seeded_permissions();
    let access = Access::new(&permissions).unwrap();
    let registration = portal
        .begin_passkey_registration(
            &mut ann,
            &access,
            "Ann's key",
            CONTACT_PASSWORD,
            at,
            &mut rng(),
        )
        .unwrap();
    let registered = anns_key.create(registration.options_json());
    portal
        .finish_passkey_registration(&mut ann, registration.state(), &registered, at)
        .unwrap();
    portal
        .deactivate_contact(&mut ann, joe.profile(), at)
        .unwrap();
    let challenge = portal.begin_passwordless_sign_in(at, &mut rng()).unwrap();
    let anns_id = ann.passkeys()[0].credential().id().to_vec();
    let response = anns_key.get_discoverable(
        challenge.options_json(),
        &anns_id,
        UserHandle::from_id(3523).uuid().as_bytes(),
    );
    assert_eq!(portal.passwordless_contact(&response).unwrap(), 3523);
    assert!(matches!(
        portal.finish_passwordless_sign_in(&mut ann, challenge.state(), &response, at, &mut rng()),
        Err(Error::ContactDeactivated)
    ));
    // A response that is not one names nobody.
    assert!(matches!(
        portal.passwordless_contact("not json"),
        Err(Error::Passkey(_))
    ));
}

#[test]
fn key_rotation_keeps_open_ceremonies_and_reseals_the_account() {
    let old = ServerKey::from_bytes([0x42; 32]);
    let portal = passkey_portal();
    let mut joe = enrolled(&portal);
    let mut key = Browser::new();
    register(&portal, &mut joe, &mut key, "YubiKey", NOW);
    // A registration and a sign-in started under the old key...
    let registration = begin(&portal, &mut joe, "Laptop", NOW + 1).unwrap();
    let mut laptop = Browser::new();
    let registered = laptop.create(registration.options_json());
    let ticket = ticket(&portal, &mut joe, JOE_PASSWORD, NOW + 1);
    let sign_in = portal
        .begin_passkey_sign_in(&joe, &ticket, NOW + 1, &mut rng())
        .unwrap();
    let answer = key.get(sign_in.options_json());

    // ...finish after the rotation, the old key retired.
    let ring = KeyRing::new(
        "2027-01".parse().unwrap(),
        ServerKey::from_bytes([0x43; 32]),
    )
    .with_retired(countersign::KeyId::DEFAULT, old)
    .unwrap();
    let rotated = Portal::new(ring, fixtures::settings())
        .unwrap()
        .with_passkeys(settings(false))
        .unwrap();
    rotated
        .finish_passkey_registration(&mut joe, registration.state(), &registered, NOW + 2)
        .unwrap();
    complete(&rotated, &mut joe, &ticket, &sign_in, &answer, NOW + 2).unwrap();
    // The sign-in re-sealed the account under the new key; new states are sealed under it.
    assert_eq!(
        joe.key_ids()
            .iter()
            .map(|id| id.as_str())
            .collect::<Vec<_>>(),
        ["2027-01"]
    );
    let ticket = fixtures::ticket(&rotated, &mut joe, JOE_PASSWORD, NOW + 3);
    let fresh = rotated
        .begin_passkey_sign_in(&joe, &ticket, NOW + 3, &mut rng())
        .unwrap();
    assert!(fresh.state().starts_with("pk1:2027-01:"));
    // Re-sealing drops each spent challenge id at the second its challenge
    // expires: the YubiKey's registration began at NOW, the Laptop's and the
    // sign-in at NOW + 1.
    let spent = |joe: &Account| -> Vec<u64> {
        let json = serde_json::to_value(joe).unwrap();
        json["spent_passkey_challenges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["expires_at"].as_u64().unwrap())
            .collect()
    };
    let ttl = countersign::passkey::DEFAULT_CHALLENGE_TTL;
    assert_eq!(spent(&joe), [NOW + ttl, NOW + 1 + ttl, NOW + 1 + ttl]);
    let reseal = |joe: &mut Account, at| rotated.reseal_account(joe, at, &mut rng()).unwrap();
    assert!(!reseal(&mut joe, NOW + ttl - 1));
    assert!(reseal(&mut joe, NOW + ttl));
    assert_eq!(spent(&joe), [NOW + 1 + ttl, NOW + 1 + ttl]);
    assert!(reseal(&mut joe, NOW + 1 + ttl));
    assert!(spent(&joe).is_empty());
    assert!(!reseal(&mut joe, NOW + 2 + 3600));

    // With the old key removed, a state it sealed is refused by name.
    let old_state = begin(&portal, &mut joe, "Tablet", NOW + 4).unwrap();
    let ring = KeyRing::new(
        "2027-01".parse().unwrap(),
        ServerKey::from_bytes([0x43; 32]),
    );
    let only_new = Portal::new(ring, fixtures::settings())
        .unwrap()
        .with_passkeys(settings(false))
        .unwrap();
    let response = Browser::new().create(old_state.options_json());
    assert!(matches!(
        only_new.finish_passkey_registration(&mut joe, old_state.state(), &response, NOW + 5),
        Err(Error::UnknownKeyId { id }) if id == "default"
    ));
}

#[test]
fn accounts_of_earlier_versions_read_without_passkeys() {
    // A version 3 account (written before passkeys) reads, and is written as 4.
    let portal = passkey_portal();
    let joe = enrolled(&portal);
    let json = serde_json::to_string(&joe).unwrap();
    let v3 = json.replacen(r#"{"v":4,"#, r#"{"v":3,"#, 1).replacen(
        r#","passkeys":[],"spent_passkey_challenges":[]"#,
        "",
        1,
    );
    assert_ne!(v3, json);
    let read: Account = serde_json::from_str(&v3).unwrap();
    assert!(read.passkeys().is_empty());
    assert_eq!(serde_json::to_string(&read).unwrap(), json);
    // A version 4 account without its passkeys is corrupt.
    let missing = json.replacen(r#","passkeys":[],"spent_passkey_challenges":[]"#, "", 1);
    assert!(serde_json::from_str::<Account>(&missing).is_err());
}

#[test]
fn a_stored_passkey_list_reads_back_only_when_it_is_sound() {
    use countersign::passkey::{MAX_PASSKEYS, MAX_SPENT_CHALLENGES};
    let portal = passkey_portal();
    let mut joe = enrolled(&portal);
    for k in 0..MAX_PASSKEYS {
        let at = NOW + k as u64;
        register(
            &portal,
            &mut joe,
            &mut Browser::new(),
            &format!("Key {k}"),
            at,
        );
    }
    // As many as a contact may hold read back as they were.
    let good = serde_json::to_value(&joe).unwrap();
    assert_eq!(
        serde_json::from_value::<Account>(good.clone()).unwrap(),
        joe
    );
    let refused = |edit: &dyn Fn(&mut serde_json::Value), why: &str| {
        let mut bad = good.clone();
        edit(&mut bad);
        let error = refusal(bad);
        assert!(error.contains(why), "{why}: {error}");
    };
    fn list(v: &mut serde_json::Value) -> &mut Vec<serde_json::Value> {
        v["passkeys"].as_array_mut().unwrap()
    }
    refused(
        &|v| {
            let mut extra = list(v)[0].clone();
            extra["name"] = format!("Key {MAX_PASSKEYS}").into();
            list(v).push(extra);
        },
        "more passkeys than allowed",
    );
    refused(
        &|v| {
            list(v)[1] = list(v)[0].clone();
            list(v)[1]["name"] = "Another name".into();
        },
        "two passkeys with one credential",
    );
    refused(
        &|v| list(v)[MAX_PASSKEYS - 1]["name"] = "Key 0".into(),
        "two passkeys with one name",
    );
    refused(
        &|v| list(v)[0]["id"] = list(v)[1]["id"].clone(),
        "its id is not its credential's",
    );
    let added_at = good["passkeys"][3]["added_at"].as_u64().unwrap();
    refused(
        &|v| list(v)[3]["last_used_at"] = (added_at - 1).into(),
        "last used before it was added",
    );
    refused(
        &|v| {
            let spent = v["spent_passkey_challenges"].as_array_mut().unwrap();
            for k in spent.len()..=MAX_SPENT_CHALLENGES {
                spent.push(
                    serde_json::json!({ "id": format!("{k:032x}"), "expires_at": NOW + 300 }),
                );
            }
        },
        "more spent passkey challenges than kept",
    );

    // Used in the second it was added; and a credential its authenticator may sync.
    let mut edited = good.clone();
    list(&mut edited)[3]["last_used_at"] = added_at.into();
    list(&mut edited)[4]["credential"]["passkey"]["cred"]["backup_eligible"] = true.into();
    let read: Account = serde_json::from_value(edited).unwrap();
    assert_eq!(read.passkeys()[3].last_used_at(), Some(added_at));
    let synced: Vec<usize> = (0..MAX_PASSKEYS)
        .filter(|&at| read.passkeys()[at].backup_eligible())
        .collect();
    assert_eq!(synced, [4]);

    // An account's Debug, which lands in logs, names each passkey by id and name
    // and leaves its credential out.
    let debug = format!("{joe:?}");
    for (at, passkey) in joe.passkeys().iter().enumerate() {
        let id = format!("PasskeyId({})", passkey.id());
        assert!(
            debug.contains(&id) && debug.contains(&format!("Key {at}")),
            "{debug}"
        );
        let cred_id = good["passkeys"][at]["credential"]["passkey"]["cred"]["cred_id"]
            .as_str()
            .unwrap();
        assert!(!debug.contains(cred_id), "{debug}");
    }
    assert!(!debug.contains("credential"), "{debug}");
}
