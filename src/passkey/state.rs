//! A ceremony's state, sealed for the caller's server-side session.
//!
//! webauthn-rs's state holds the challenge and, for a sign-in, the credentials
//! allowed: a client that could edit it could answer a challenge of its own
//! choosing with a key of its own. So it leaves the facade only sealed:
//! ChaCha20-Poly1305 (RFC 8439) under a key derived from the server key for this
//! purpose alone (`HMAC-SHA256(server key, "countersign/passkey-state-key/v1")`),
//! with the kind of ceremony and the contact id (where one is known) as
//! associated data, so a state opens only for the ceremony and the contact it
//! was made for. Inside, beside webauthn-rs's state: a random 128-bit challenge
//! id (what the account records as spent when the ceremony finishes, so it
//! finishes once, on any node) and the expiry (`now` + the settings' lifetime).
//!
//! The text is `pk1:<key id>:<hex of nonce, ciphertext and tag>`: the key id
//! names the server key that sealed it, so a state made just before a key
//! rotation still opens while the ring holds the retired key.

use core::fmt;

use chacha20poly1305::aead::{AeadInOut, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce, Tag};
use hmac::Mac;
use rand::CryptoRng;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::authenticator::AuthenticatorName;
use crate::key_ring::KeyId;
use crate::{Error, Portal, Result, ServerKey, hex};

const KEY_DOMAIN: &[u8] = b"countersign/passkey-state-key/v1\0";
const AAD_DOMAIN: &[u8] = b"countersign/passkey-state/v1\0";
const PREFIX: &str = "pk1:";
const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;
const VERSION: u32 = 1;
/// The longest sealed text read. What is sealed fits: webauthn-rs's state, at
/// most [`countersign_passkey::MAX_STATE_LEN`] bytes of compact JSON (sealing
/// refuses a longer one), which escaping as a string inside the sealed JSON at
/// most doubles (only a `"` or a `\\` grows, to two bytes); 4 KiB holds the rest
/// (a name of at most 64 characters, the ids, the prefix, nonce and tag, about
/// 700 bytes at most); hex doubles it.
const MAX_SEALED_LEN: usize = 2 * (2 * countersign_passkey::MAX_STATE_LEN + 4096);

/// The ChaCha20-Poly1305 key for ceremony states, derived from one server key.
#[derive(Clone)]
pub(crate) struct StateKey(Zeroizing<[u8; 32]>);

impl StateKey {
    pub(crate) fn derive(server: &ServerKey) -> Self {
        let bytes: [u8; 32] = server.mac(KEY_DOMAIN).finalize().into_bytes().into();
        Self(Zeroizing::new(bytes))
    }

    fn cipher(&self) -> ChaCha20Poly1305 {
        ChaCha20Poly1305::new(&Key::from(*self.0))
    }
}

impl fmt::Debug for StateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("StateKey([redacted])")
    }
}

/// Which ceremony a state is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Kind {
    Registration,
    SignIn,
    Passwordless,
}

impl Kind {
    fn byte(self) -> u8 {
        match self {
            Self::Registration => 1,
            Self::SignIn => 2,
            Self::Passwordless => 3,
        }
    }
}

/// What a sealed state holds.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Opened {
    v: u32,
    pub(crate) kind: Kind,
    #[serde(with = "hex::fixed")]
    pub(crate) challenge: [u8; 16],
    pub(crate) contact_id: Option<u64>,
    pub(crate) expires_at: u64,
    /// The name a registration will give the passkey.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) name: Option<AuthenticatorName>,
    /// webauthn-rs's state, as JSON.
    pub(crate) ceremony: String,
}

fn aad(kind: Kind, contact_id: Option<u64>) -> Vec<u8> {
    let mut out = Vec::with_capacity(AAD_DOMAIN.len() + 10);
    out.extend_from_slice(AAD_DOMAIN);
    out.push(kind.byte());
    match contact_id {
        Some(id) => {
            out.push(1);
            out.extend_from_slice(&id.to_be_bytes());
        }
        None => out.push(0),
    }
    out
}

impl Opened {
    pub(crate) fn new<R: CryptoRng + ?Sized>(
        kind: Kind,
        contact_id: Option<u64>,
        expires_at: u64,
        name: Option<AuthenticatorName>,
        ceremony: String,
        rng: &mut R,
    ) -> Self {
        // Random, and bound to webauthn-rs's state (whose challenge comes from
        // the operating system): two ceremonies never share an id, even under
        // an RNG seeded alike for each call.
        let mut drawn = [0u8; 16];
        rng.fill_bytes(&mut drawn);
        let digest = Sha256::new()
            .chain_update(b"countersign/passkey-challenge-id/v1\0")
            .chain_update(drawn)
            .chain_update(ceremony.as_bytes())
            .finalize();
        let mut challenge = [0u8; 16];
        challenge.copy_from_slice(&digest[..16]);
        Self {
            v: VERSION,
            kind,
            challenge,
            contact_id,
            expires_at,
            name,
            ceremony,
        }
    }
}

fn unreadable(reason: &'static str) -> Error {
    Error::PasskeyChallengeInvalid { reason }
}

impl Portal {
    /// Seals `opened` under the current server key.
    ///
    /// # Errors
    ///
    /// [`Error::PasskeyChallengeInvalid`] for a webauthn-rs state longer than
    /// [`countersign_passkey::MAX_STATE_LEN`], which would not be read back.
    pub(crate) fn seal_passkey_state<R: CryptoRng + ?Sized>(
        &self,
        opened: &Opened,
        rng: &mut R,
    ) -> Result<String> {
        self.seal_with_aad(opened, &aad(opened.kind, opened.contact_id), rng)
    }

    fn seal_with_aad<R: CryptoRng + ?Sized>(
        &self,
        opened: &Opened,
        aad: &[u8],
        rng: &mut R,
    ) -> Result<String> {
        if opened.ceremony.len() > countersign_passkey::MAX_STATE_LEN {
            return Err(unreadable("the ceremony state is longer than 64 KiB"));
        }
        let (id, keys) = self.current()?;
        let plain = serde_json::to_vec(opened)
            .map_err(|_| unreadable("the ceremony state does not serialize"))?;
        let mut sealed = Zeroizing::new(plain);
        let mut nonce = [0u8; NONCE_LEN];
        rng.fill_bytes(&mut nonce);
        let tag = keys
            .passkey_state
            .cipher()
            .encrypt_inout_detached(&Nonce::from(nonce), aad, sealed.as_mut_slice().into())
            .map_err(|_| unreadable("the ceremony state could not be sealed"))?;
        let mut bytes = Vec::with_capacity(NONCE_LEN + sealed.len() + TAG_LEN);
        bytes.extend_from_slice(&nonce);
        bytes.extend_from_slice(&sealed);
        bytes.extend_from_slice(&tag);
        Ok(format!("{PREFIX}{}:{}", id.as_str(), hex::encode(&bytes)))
    }

    /// Opens a sealed state for `kind` and `contact_id`, refusing it at or
    /// after its expiry.
    ///
    /// # Errors
    ///
    /// [`Error::PasskeyChallengeInvalid`] (not ours, altered, another kind or
    /// contact); [`Error::UnknownKeyId`]; [`Error::PasskeyChallengeExpired`].
    pub(crate) fn open_passkey_state(
        &self,
        text: &str,
        kind: Kind,
        contact_id: Option<u64>,
        now: u64,
    ) -> Result<Opened> {
        if text.len() > MAX_SEALED_LEN {
            return Err(unreadable("it is too long"));
        }
        let rest = text
            .strip_prefix(PREFIX)
            .ok_or(unreadable("it is not a Countersign passkey state"))?;
        let (key_id, body) = rest
            .split_once(':')
            .ok_or(unreadable("it names no server key"))?;
        let key_id = KeyId::stored(key_id).map_err(|_| unreadable("it names no server key"))?;
        let keys = self.derived(&key_id)?;
        let bytes = hex::decode_vec(body).ok_or(unreadable("it is not lower-case hexadecimal"))?;
        if bytes.len() < NONCE_LEN + TAG_LEN {
            return Err(unreadable("it is truncated"));
        }
        let (nonce, rest) = bytes.split_at(NONCE_LEN);
        let (ciphertext, tag) = rest.split_at(rest.len() - TAG_LEN);
        let nonce: [u8; NONCE_LEN] = nonce
            .try_into()
            .map_err(|_| unreadable("it is truncated"))?;
        let tag = Tag::try_from(tag).map_err(|_| unreadable("it is truncated"))?;
        let mut plain = Zeroizing::new(ciphertext.to_vec());
        keys.passkey_state
            .cipher()
            .decrypt_inout_detached(
                &Nonce::from(nonce),
                &aad(kind, contact_id),
                plain.as_mut_slice().into(),
                &tag,
            )
            .map_err(|_| {
                unreadable(
                    "it was altered, or made for another ceremony, another contact or another server",
                )
            })?;
        let opened: Opened = serde_json::from_slice(&plain)
            .map_err(|_| unreadable("its content is not a ceremony state"))?;
        if opened.v != VERSION {
            return Err(Error::UnsupportedStateVersion {
                state: "passkey ceremony state",
                found: opened.v,
                supported: VERSION,
            });
        }
        // Sealed with both as associated data; checked again as a second lock.
        if opened.kind != kind || opened.contact_id != contact_id {
            return Err(unreadable("it was made for another ceremony or contact"));
        }
        if now >= opened.expires_at {
            return Err(Error::PasskeyChallengeExpired {
                expired_at: opened.expires_at,
            });
        }
        Ok(opened)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Settings;

    const NOW: u64 = 1_700_000_000;
    const ALTERED: &str =
        "it was altered, or made for another ceremony, another contact or another server";

    fn portal() -> Portal {
        Portal::new(ServerKey::from_bytes([7; 32]), Settings::default()).unwrap()
    }

    fn state(kind: Kind, contact_id: Option<u64>, ceremony: &str) -> Opened {
        let ceremony = ceremony.to_owned();
        Opened::new(
            kind,
            contact_id,
            NOW + 300,
            None,
            ceremony,
            &mut rand::rng(),
        )
    }

    /// Why a state did not open (panics if it did, or for another error).
    fn refusal(opened: Result<Opened>) -> &'static str {
        match opened {
            Err(Error::PasskeyChallengeInvalid { reason }) => reason,
            Err(other) => panic!("another error: {other}"),
            Ok(_) => panic!("it opened"),
        }
    }

    #[test]
    fn the_associated_data_alone_keeps_a_state_to_its_ceremony_and_contact() {
        let portal = portal();
        let rng = &mut rand::rng();
        let inside = state(Kind::Registration, Some(42), "{}");
        let text = portal.seal_passkey_state(&inside, rng).unwrap();
        let opened = portal.open_passkey_state(&text, Kind::Registration, Some(42), NOW);
        assert_eq!(opened.unwrap().challenge, inside.challenge);
        // The same content sealed under another ceremony's or contact's associated
        // data: the cipher refuses it before the second lock reads what is inside.
        for (kind, contact_id) in [
            (Kind::SignIn, Some(42)),
            (Kind::Passwordless, Some(42)),
            (Kind::Registration, Some(43)),
            (Kind::Registration, None),
        ] {
            let text = portal
                .seal_with_aad(&inside, &aad(kind, contact_id), rng)
                .unwrap();
            let opened = portal.open_passkey_state(&text, Kind::Registration, Some(42), NOW);
            assert_eq!(refusal(opened), ALTERED, "{kind:?} {contact_id:?}");
        }
    }

    #[test]
    fn the_second_lock_refuses_another_kind_or_contact_inside_each_alone() {
        let portal = portal();
        let rng = &mut rand::rng();
        let outside = aad(Kind::Registration, Some(42));
        for (kind, contact_id) in [
            (Kind::SignIn, Some(42)),
            (Kind::Registration, Some(43)),
            (Kind::Registration, None),
        ] {
            let inside = state(kind, contact_id, "{}");
            let text = portal.seal_with_aad(&inside, &outside, rng).unwrap();
            let opened = portal.open_passkey_state(&text, Kind::Registration, Some(42), NOW);
            assert_eq!(
                refusal(opened),
                "it was made for another ceremony or contact",
                "{kind:?} {contact_id:?}"
            );
        }
    }

    #[test]
    fn the_longest_ceremony_seals_and_opens_and_a_longer_one_is_not_sealed() {
        let portal = portal();
        let rng = &mut rand::rng();
        // MAX_STATE_LEN bytes, every one of them escaped in the sealed JSON, with
        // the longest name (64 characters of three bytes, the widest a name holds
        // here) and the longest ids.
        let longest = "\"".repeat(countersign_passkey::MAX_STATE_LEN);
        let name = AuthenticatorName::new(&"漢".repeat(AuthenticatorName::MAX_CHARS)).unwrap();
        let inside = Opened::new(
            Kind::SignIn,
            Some(u64::MAX),
            u64::MAX,
            Some(name),
            longest.clone(),
            rng,
        );
        let text = portal.seal_passkey_state(&inside, rng).unwrap();
        let opened = portal.open_passkey_state(&text, Kind::SignIn, Some(u64::MAX), NOW);
        assert_eq!(opened.unwrap().ceremony, longest);
        // One byte more would not be read back as a webauthn-rs state: not sealed.
        let longer = "a".repeat(countersign_passkey::MAX_STATE_LEN + 1);
        let sealed = portal.seal_passkey_state(&state(Kind::SignIn, Some(42), &longer), rng);
        assert!(matches!(
            sealed,
            Err(Error::PasskeyChallengeInvalid {
                reason: "the ceremony state is longer than 64 KiB"
            })
        ));
    }

    #[test]
    fn a_text_longer_than_any_sealed_state_is_refused_unread() {
        let portal = portal();
        let open = |len: usize| {
            let text = format!("pk1:{}", "x".repeat(len - 4));
            refusal(portal.open_passkey_state(&text, Kind::SignIn, Some(42), NOW))
        };
        assert_eq!(open(MAX_SEALED_LEN), "it names no server key");
        assert_eq!(open(MAX_SEALED_LEN + 1), "it is too long");
        // Far over the bound (which is about 264 KiB), and under it.
        assert_eq!(open(300_000), "it is too long");
        assert_eq!(open(200_000), "it names no server key");
    }

    #[test]
    fn a_body_shorter_than_its_nonce_and_tag_is_truncated() {
        let portal = portal();
        let id = portal.current().unwrap().0.as_str().to_owned();
        let open = |bytes: usize| {
            let text = format!("pk1:{id}:{}", "00".repeat(bytes));
            refusal(portal.open_passkey_state(&text, Kind::SignIn, Some(42), NOW))
        };
        assert_eq!(open(0), "it is truncated");
        assert_eq!(open(NONCE_LEN + TAG_LEN - 1), "it is truncated");
        // A nonce and a tag around nothing reach the cipher, which refuses them.
        assert_eq!(open(NONCE_LEN + TAG_LEN), ALTERED);
    }

    #[test]
    fn the_state_key_is_redacted() {
        let key = StateKey::derive(&ServerKey::from_bytes([7; 32]));
        assert_eq!(format!("{key:?}"), "StateKey([redacted])");
    }
}
