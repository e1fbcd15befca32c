//! A browser with webauthn-rs's own software authenticator
//! (webauthn-authenticator-rs's `SoftPasskey`): it builds the client data for
//! the origin it runs at and signs with a P-256 key per credential, its
//! signature counter moving on by one per assertion. It keeps no resident
//! keys, so for a discoverable sign-in the test plays the browser's part: the
//! credential it would have found goes into the options, and the user handle
//! it would have returned into the response (the handle is not signed: W3C
//! WebAuthn §6.3.3 returns it beside the signature).

#![allow(dead_code, unreachable_pub)]

use webauthn_authenticator_rs::WebauthnAuthenticator;
use webauthn_authenticator_rs::prelude::{
    CreationChallengeResponse, RequestChallengeResponse, Url,
};
use webauthn_authenticator_rs::softpasskey::SoftPasskey;

pub const ORIGIN: &str = "https://portal.example.com";
pub const RP_ID: &str = "example.com";

pub struct Browser {
    pub key: SoftPasskey,
    pub origin: Url,
}

impl Browser {
    pub fn new() -> Self {
        Self::at(ORIGIN)
    }

    pub fn at(origin: &str) -> Self {
        // `true`: it claims user verification (a PIN), which passkeys require.
        Self {
            key: SoftPasskey::new(true),
            origin: Url::parse(origin).unwrap(),
        }
    }

    /// The same authenticator, used from another origin.
    pub fn moved_to(self, origin: &str) -> Self {
        Self {
            key: self.key,
            origin: Url::parse(origin).unwrap(),
        }
    }

    /// `navigator.credentials.create(options)`, as JSON.
    pub fn create(&mut self, options: &str) -> String {
        let options: CreationChallengeResponse = serde_json::from_str(options).unwrap();
        let response = self
            .key
            .do_registration(self.origin.clone(), options)
            .unwrap();
        serde_json::to_string(&response).unwrap()
    }

    /// `navigator.credentials.get(options)`, as JSON.
    pub fn get(&mut self, options: &str) -> String {
        let options: RequestChallengeResponse = serde_json::from_str(options).unwrap();
        let response = self
            .key
            .do_authentication(self.origin.clone(), options)
            .unwrap();
        serde_json::to_string(&response).unwrap()
    }

    /// A discoverable credential's assertion for `credential_id`, returning `user_handle`.
    pub fn get_discoverable(
        &mut self,
        options: &str,
        credential_id: &[u8],
        user_handle: &[u8],
    ) -> String {
        let mut options: serde_json::Value = serde_json::from_str(options).unwrap();
        options["publicKey"]["allowCredentials"] =
            serde_json::json!([{ "type": "public-key", "id": b64(credential_id) }]);
        let response = self.get(&options.to_string());
        let mut response: serde_json::Value = serde_json::from_str(&response).unwrap();
        response["response"]["userHandle"] = b64(user_handle).into();
        response.to_string()
    }
}

/// Unpadded base64url (RFC 4648 §5), as WebAuthn's JSON writes bytes.
pub fn b64(bytes: &[u8]) -> String {
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
