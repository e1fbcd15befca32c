//! Passkey sign-in (issue 15): `RelyingParty::finish_authentication`, the
//! verification of a security key's assertion (parse the browser's JSON, find
//! the credential, webauthn-rs's checks and its P-256 ECDSA verification, the
//! counter rule, the stored update), beside the floor: the same answer parsed
//! and verified by webauthn-rs's `finish_passkey_authentication` alone, as a
//! service calling webauthn-rs directly would.
//!
//! No target is named in issue 15; the ratio says what the wrapper costs.

use std::hint::black_box;
use std::time::Duration;

use countersign::webauthn::{Credential, RelyingParty, UserHandle};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use webauthn_authenticator_rs::WebauthnAuthenticator;
use webauthn_authenticator_rs::prelude::Url;
use webauthn_authenticator_rs::softpasskey::SoftPasskey;
use webauthn_rs::prelude::{
    CreationChallengeResponse, Passkey, PasskeyAuthentication, PublicKeyCredential,
    RequestChallengeResponse, WebauthnBuilder,
};

const ORIGIN: &str = "https://portal.example.com";

fn sign_in(c: &mut Criterion) {
    let rp = RelyingParty::new("example.com", ORIGIN, "Vivio Portal", 300).unwrap();
    let origin = Url::parse(ORIGIN).unwrap();
    let mut key = SoftPasskey::new(true);

    let (options, state) = rp
        .start_registration(
            UserHandle::from_id(3522),
            "joe.example",
            "Joe Example",
            &[],
            false,
        )
        .unwrap();
    let options: CreationChallengeResponse = serde_json::from_str(&options).unwrap();
    let answer = key.do_registration(origin.clone(), options).unwrap();
    let credential = rp
        .finish_registration(&state, &serde_json::to_string(&answer).unwrap(), &[])
        .unwrap();
    let credentials = vec![credential];

    let (options, state) = rp.start_authentication(&credentials).unwrap();
    let options: RequestChallengeResponse = serde_json::from_str(&options).unwrap();
    let response =
        serde_json::to_string(&key.do_authentication(origin.clone(), options).unwrap()).unwrap();
    // Each iteration starts from the credential as stored before the sign-in, so
    // the counter moves on every time (a repeated answer is a clone, refused).
    rp.finish_authentication(&state, &response, &mut credentials.clone())
        .unwrap();

    // The floor: webauthn-rs on its own, with the same relying party, state,
    // credential and answer.
    let webauthn = WebauthnBuilder::new("example.com", &origin)
        .unwrap()
        .rp_name("Vivio Portal")
        .allow_subdomains(false)
        .build()
        .unwrap();
    let bare_state: PasskeyAuthentication =
        serde_json::from_str(&state.to_json().unwrap()).unwrap();
    let stored: serde_json::Value = serde_json::to_value(&credentials[0]).unwrap();
    let mut passkey: Passkey = serde_json::from_value(stored["passkey"].clone()).unwrap();
    let parsed: PublicKeyCredential = serde_json::from_str(&response).unwrap();
    let result = webauthn
        .finish_passkey_authentication(&parsed, &bare_state)
        .unwrap();
    passkey.update_credential(&result);

    let mut group = c.benchmark_group("passkey_sign_in");
    group
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    // The pair runs back to back, so a shift in load between them is small.
    group.bench_function("floor_webauthn_rs_parse_and_verify", |b| {
        b.iter(|| {
            let parsed: PublicKeyCredential = serde_json::from_str(black_box(&response)).unwrap();
            webauthn
                .finish_passkey_authentication(&parsed, &bare_state)
                .unwrap()
        });
    });
    group.bench_function("finish_authentication", |b| {
        b.iter_batched_ref(
            || credentials.clone(),
            |credentials: &mut Vec<Credential>| {
                rp.finish_authentication(&state, black_box(&response), credentials)
                    .unwrap()
            },
            BatchSize::SmallInput,
        );
    });
    group.finish();
}

criterion_group!(benches, sign_in);
criterion_main!(benches);
