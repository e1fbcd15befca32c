//! The TOTP secret at rest: sealed with ChaCha20-Poly1305 (RFC 8439).
//!
//! A TOTP secret cannot be hashed like a password (the server needs the key itself
//! to compute codes), so the account state stores it encrypted under a key derived
//! from the [`ServerKey`]: a stolen database row without the server key gives no
//! authenticator key away. The derivation is domain-separated
//! (`HMAC-SHA256(server key, "countersign/totp-seal-key/v1")`), so the sealing key
//! is never the key that signs device tokens or hashes one-time codes.
//!
//! The contact's id is the AEAD's associated data: a sealed secret copied into
//! another contact's row does not open there.
//!
//! A sealed secret names the server key that sealed it ([`KeyId`]): it opens under
//! that key while the key ring holds it, and is re-sealed under the current key by
//! the portal's re-sealing. Version 1 (before key ids) reads as sealed under
//! [`KeyId::DEFAULT`].

use crate::error::check_state_version;
use core::fmt;

use chacha20poly1305::aead::{AeadInOut, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce, Tag};
use hmac::Mac;
use rand::CryptoRng;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::key_ring::KeyId;
use crate::totp::Secret;
use crate::{Error, Result, ServerKey, hex};

const KEY_DOMAIN: &[u8] = b"countersign/totp-seal-key/v1\0";
const AAD_DOMAIN: &[u8] = b"countersign/totp-secret/v1\0";
const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;
/// The longest secret a sealed form may hold (the totp crate's maximum, 1024 bytes).
const MAX_SECRET_LEN: usize = Secret::MAX_BITS / 8;
const SEALED_VERSION: u32 = 2;

/// The ChaCha20-Poly1305 key for TOTP secrets, derived once from the server key.
#[derive(Clone)]
pub(crate) struct SealingKey(Zeroizing<[u8; 32]>);

impl SealingKey {
    pub(crate) fn derive(server: &ServerKey) -> Self {
        let bytes: [u8; 32] = server.mac(KEY_DOMAIN).finalize().into_bytes().into();
        Self(Zeroizing::new(bytes))
    }

    fn cipher(&self) -> ChaCha20Poly1305 {
        ChaCha20Poly1305::new(&Key::from(*self.0))
    }
}

impl fmt::Debug for SealingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SealingKey([redacted])")
    }
}

fn aad(contact_id: u64) -> [u8; AAD_DOMAIN.len() + 8] {
    let mut out = [0u8; AAD_DOMAIN.len() + 8];
    out[..AAD_DOMAIN.len()].copy_from_slice(AAD_DOMAIN);
    out[AAD_DOMAIN.len()..].copy_from_slice(&contact_id.to_be_bytes());
    out
}

/// A TOTP secret encrypted for one contact: the id of the server key that sealed
/// it, a random 96-bit nonce, the ciphertext and the Poly1305 tag, stored as hex.
/// Serde, versioned (`"v": 2`; version 1, without the key id, still reads).
///
/// Nothing but the facade can open it; the facade does so only to verify a code.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "SealedRecord", into = "SealedRecord")]
pub struct SealedSecret {
    key: KeyId,
    nonce: [u8; NONCE_LEN],
    /// Ciphertext followed by the tag.
    sealed: Vec<u8>,
}

impl fmt::Debug for SealedSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SealedSecret([sealed])")
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SealedRecord {
    v: u32,
    /// Since version 2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    key: Option<KeyId>,
    #[serde(with = "hex::fixed")]
    nonce: [u8; NONCE_LEN],
    sealed: String,
}

impl TryFrom<SealedRecord> for SealedSecret {
    type Error = Error;

    fn try_from(r: SealedRecord) -> Result<Self> {
        const STATE: &str = "sealed TOTP secret";
        let corrupt = |reason| Error::CorruptState {
            state: STATE,
            reason,
        };
        let key = match (r.v, r.key) {
            (1, None) => KeyId::DEFAULT,
            (1, Some(_)) => return Err(corrupt("a version 1 seal names no key")),
            (v, key) => {
                check_state_version(STATE, v, SEALED_VERSION)?;
                key.ok_or(corrupt("the id of the sealing key is missing"))?
            }
        };
        let len = r.sealed.len() / 2;
        if !r.sealed.len().is_multiple_of(2) || len <= TAG_LEN || len > MAX_SECRET_LEN + TAG_LEN {
            return Err(corrupt("a sealed secret of impossible length"));
        }
        let sealed = hex::decode_vec(&r.sealed).ok_or(corrupt("not lower-case hexadecimal"))?;
        Ok(Self {
            key,
            nonce: r.nonce,
            sealed,
        })
    }
}

impl From<SealedSecret> for SealedRecord {
    fn from(s: SealedSecret) -> Self {
        Self {
            v: SEALED_VERSION,
            key: Some(s.key),
            nonce: s.nonce,
            sealed: hex::encode(&s.sealed),
        }
    }
}

impl SealedSecret {
    /// Seals `secret` for `contact_id` under `key`, named `key_id`, with a fresh
    /// nonce from `rng`.
    pub(crate) fn seal<R: CryptoRng + ?Sized>(
        key_id: &KeyId,
        key: &SealingKey,
        contact_id: u64,
        secret: &Secret,
        rng: &mut R,
    ) -> Result<Self> {
        let mut nonce = [0u8; NONCE_LEN];
        rng.fill_bytes(&mut nonce);
        let mut sealed = secret.expose_bytes().to_vec();
        let tag = key
            .cipher()
            .encrypt_inout_detached(
                &Nonce::from(nonce),
                &aad(contact_id),
                sealed.as_mut_slice().into(),
            )
            .map_err(|_| Error::SealedSecretUnreadable)?;
        sealed.extend_from_slice(&tag);
        Ok(Self {
            key: key_id.clone(),
            nonce,
            sealed,
        })
    }

    /// The id of the server key that sealed it.
    pub(crate) fn key_id(&self) -> &KeyId {
        &self.key
    }

    /// Opens the secret for `contact_id`.
    ///
    /// # Errors
    ///
    /// [`Error::SealedSecretUnreadable`] when the tag does not verify (another server
    /// key, another contact's row, or altered bytes), or the plaintext is not a secret.
    pub(crate) fn open(&self, key: &SealingKey, contact_id: u64) -> Result<Secret> {
        let split = self
            .sealed
            .len()
            .checked_sub(TAG_LEN)
            .ok_or(Error::SealedSecretUnreadable)?;
        let (ciphertext, tag) = self.sealed.split_at(split);
        let tag = Tag::try_from(tag).map_err(|_| Error::SealedSecretUnreadable)?;
        let mut plain = Zeroizing::new(ciphertext.to_vec());
        key.cipher()
            .decrypt_inout_detached(
                &Nonce::from(self.nonce),
                &aad(contact_id),
                plain.as_mut_slice().into(),
                &tag,
            )
            .map_err(|_| Error::SealedSecretUnreadable)?;
        Secret::from_bytes(&plain).map_err(|_| Error::SealedSecretUnreadable)
    }

    /// The nonce: it identifies this sealing, so a prepared verifier can tell that
    /// the account was re-enrolled since.
    pub(crate) fn nonce(&self) -> &[u8; NONCE_LEN] {
        &self.nonce
    }

    /// The ciphertext and tag: two sealings of the flows never share them (each
    /// has its own random nonce), so equal ones mean a copied record.
    pub(crate) fn ciphertext(&self) -> &[u8] {
        &self.sealed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    /// A stored seal whose ciphertext and tag are `hex_len` hex digits.
    fn stored(hex_len: usize) -> serde_json::Result<SealedSecret> {
        let json = format!(
            r#"{{"v":2,"key":"default","nonce":"{}","sealed":"{}"}}"#,
            "00".repeat(NONCE_LEN),
            "a".repeat(hex_len)
        );
        serde_json::from_str(&json)
    }

    #[test]
    fn a_stored_seal_holds_one_byte_past_its_tag_up_to_the_longest_secret() {
        let impossible = "a sealed secret of impossible length";
        for bytes in [TAG_LEN + 1, MAX_SECRET_LEN + TAG_LEN] {
            let seal = stored(2 * bytes).unwrap_or_else(|e| panic!("{bytes}: {e}"));
            assert_eq!(seal.ciphertext().len(), bytes);
        }
        for hex_len in [
            2 * TAG_LEN,
            2 * (MAX_SECRET_LEN + TAG_LEN) + 2,
            2 * TAG_LEN + 3,
        ] {
            let error = stored(hex_len).unwrap_err().to_string();
            assert!(error.contains(impossible), "{hex_len}: {error}");
        }
        assert_eq!(MAX_SECRET_LEN, 1024);
    }

    #[test]
    fn the_sealing_keys_debug_is_redacted() {
        let key = SealingKey::derive(&ServerKey::from_bytes([1; 32]));
        assert_eq!(format!("{key:?}"), "SealingKey([redacted])");
    }

    #[test]
    fn seals_opens_and_binds_the_contact_and_key() {
        let mut rng = StdRng::seed_from_u64(1);
        let key = SealingKey::derive(&ServerKey::from_bytes([1; 32]));
        let secret = Secret::generate_with(&mut rng, 160).unwrap();
        let sealed = SealedSecret::seal(&KeyId::DEFAULT, &key, 3522, &secret, &mut rng).unwrap();
        assert_eq!(sealed.open(&key, 3522).unwrap(), secret);
        assert!(matches!(
            sealed.open(&key, 3523),
            Err(Error::SealedSecretUnreadable)
        ));
        let other = SealingKey::derive(&ServerKey::from_bytes([2; 32]));
        assert!(sealed.open(&other, 3522).is_err());

        let json = serde_json::to_string(&sealed).unwrap();
        assert!(!json.contains(secret.to_base32().as_str()));
        assert!(
            json.starts_with(r#"{"v":2,"key":"default","nonce":""#),
            "{json}"
        );
        let back: SealedSecret = serde_json::from_str(&json).unwrap();
        assert_eq!(back, sealed);
        // Version 1 names no key: it reads as sealed under the default one.
        let v1 = json.replacen(r#"{"v":2,"key":"default","#, r#"{"v":1,"#, 1);
        let old: SealedSecret = serde_json::from_str(&v1).unwrap();
        assert_eq!(old, sealed);
        assert!(
            serde_json::from_str::<SealedSecret>(&json.replacen(r#""key":"default","#, "", 1))
                .is_err()
        );
        // Flip one hex digit of the ciphertext: the tag no longer verifies.
        let at = json.find("\"sealed\":\"").unwrap() + 10;
        let mut bytes = json.into_bytes();
        bytes[at] = if bytes[at] == b'0' { b'1' } else { b'0' };
        let edited: SealedSecret = serde_json::from_slice(&bytes).unwrap();
        assert!(edited.open(&key, 3522).is_err());
    }
}
