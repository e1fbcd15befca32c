//! `SealedCode`: a security code encrypted at rest with ChaCha20-Poly1305 (RFC 8439)
//! so authorized contacts can view it, verified in constant time.
//!
//! Byte format, version 1:
//!
//! ```text
//! "CSSC" | version (1) | key id length n (1) | key id (n, ASCII) | nonce (12) | ciphertext | tag (16)
//! ```
//!
//! Everything before the ciphertext is the AEAD's associated data, so the version
//! and key id cannot be altered without failing authentication.
//!
//! A seal may also be bound to a *context* the caller supplies and does not store
//! (who the code belongs to, say): the context is appended to the associated
//! data, so the seal opens only with the same context
//! ([`SealedCode::seal_bound_with_rng`], [`SealedCode::open_bound`]). A code copied
//! into another owner's record then fails authentication there.

use core::fmt;

use chacha20poly1305::aead::{AeadInOut, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce, Tag};
use rand::TryCryptoRng;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::error::{Error, Result};
use crate::secret::SecurityCode;
use crate::verify::{Speech, ct_eq_padded};

const MAGIC: &[u8; 4] = b"CSSC";
/// The format version this library writes and reads.
pub const FORMAT_VERSION: u8 = 1;
const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;
/// Longest key id, in bytes.
pub const MAX_KEY_ID_LEN: usize = 64;

/// An application key for sealing codes: 32 bytes and an id recorded in every
/// seal, so keys can be rotated. `Debug` shows the id only; zeroized on drop.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct SealingKey {
    id: String,
    key: [u8; 32],
}

impl SealingKey {
    /// A key with its id (1 to 64 printable ASCII characters, e.g. `"2026-11"`).
    ///
    /// # Errors
    /// [`Error::InvalidKeyId`] for an empty, long or non-printable id.
    pub fn new(id: &str, key: [u8; 32]) -> Result<Self> {
        validate_key_id(id.as_bytes())?;
        Ok(Self {
            id: id.to_owned(),
            key,
        })
    }

    /// A fresh random key from `rng`.
    ///
    /// # Errors
    /// [`Error::InvalidKeyId`] as for [`SealingKey::new`]; [`Error::Randomness`] if the RNG fails.
    pub fn generate<R: TryCryptoRng + ?Sized>(id: &str, rng: &mut R) -> Result<Self> {
        let mut key = Zeroizing::new([0u8; 32]);
        rng.try_fill_bytes(&mut *key)
            .map_err(|_| Error::Randomness)?;
        Self::new(id, *key)
    }

    /// The key id.
    #[must_use]
    pub fn id(&self) -> &str {
        &self.id
    }

    fn cipher(&self) -> ChaCha20Poly1305 {
        ChaCha20Poly1305::new(&Key::from(self.key))
    }
}

impl fmt::Debug for SealingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SealingKey")
            .field("id", &self.id)
            .field("key", &"[redacted]")
            .finish()
    }
}

fn validate_key_id(id: &[u8]) -> Result<()> {
    if id.is_empty() || id.len() > MAX_KEY_ID_LEN {
        return Err(Error::InvalidKeyId {
            reason: "a key id has 1 to 64 characters",
        });
    }
    if !id.iter().all(|b| b.is_ascii_graphic()) {
        return Err(Error::InvalidKeyId {
            reason: "a key id is printable ASCII without spaces",
        });
    }
    Ok(())
}

/// A security code encrypted at rest. Cheap to store (`to_bytes`, or serde: a hex
/// string in human-readable formats, bytes otherwise); opened only with its key.
///
/// ```
/// use countersign_security_code::{SealedCode, SealingKey, SecurityCode, Speech};
/// let key = SealingKey::new("2026-11", [42; 32])?;
/// let sealed = SealedCode::seal(&SecurityCode::new("Lighthouse-42-Oak"), &key)?;
/// let bytes = sealed.to_bytes();
/// let back = SealedCode::from_bytes(&bytes)?;
/// assert_eq!(back.key_id(), "2026-11");
/// assert_eq!(back.open(&key)?.expose(), "Lighthouse-42-Oak");
/// assert!(back.verify("LIGHTHOUSE 42 OAK", &key, &Speech::default())?);
/// # Ok::<(), countersign_security_code::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct SealedCode {
    bytes: Vec<u8>,
    /// Offset of the ciphertext (= length of the associated data).
    body: usize,
}

impl SealedCode {
    /// Seal `code` under `key` with a fresh nonce from the operating system's RNG.
    ///
    /// # Errors
    /// [`Error::Randomness`] if the OS RNG fails; [`Error::Tampered`] never
    /// (encryption of a short code cannot fail), but the AEAD's error is mapped to it.
    pub fn seal(code: &SecurityCode, key: &SealingKey) -> Result<Self> {
        Self::seal_with_rng(code, key, &mut rand::rngs::SysRng)
    }

    /// Seal `code` under `key` with a fresh 96-bit nonce from `rng`. With random
    /// nonces, rotate a key well before 2^32 seals (NIST SP 800-38D §8.3).
    ///
    /// # Errors
    /// [`Error::Randomness`] if `rng` fails.
    pub fn seal_with_rng<R: TryCryptoRng + ?Sized>(
        code: &SecurityCode,
        key: &SealingKey,
        rng: &mut R,
    ) -> Result<Self> {
        Self::seal_bound_with_rng(code, key, &[], rng)
    }

    /// Seal `code` under `key`, bound to `context`: the context joins the
    /// associated data (it is not stored), so [`SealedCode::open_bound`] with any
    /// other context fails. Bind the code to its owner this way.
    ///
    /// ```
    /// use countersign_security_code::{Error, SealedCode, SealingKey, SecurityCode};
    /// let key = SealingKey::new("2026-11", [42; 32])?;
    /// let code = SecurityCode::new("Lighthouse-42-Oak");
    /// let sealed = SealedCode::seal_bound_with_rng(&code, &key, b"client 1707", &mut rand::rng())?;
    /// assert_eq!(sealed.open_bound(&key, b"client 1707")?.expose(), "Lighthouse-42-Oak");
    /// assert!(matches!(sealed.open_bound(&key, b"client 1708"), Err(Error::Tampered)));
    /// assert!(matches!(sealed.open(&key), Err(Error::Tampered)));
    /// # Ok::<(), countersign_security_code::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Randomness`] if `rng` fails.
    pub fn seal_bound_with_rng<R: TryCryptoRng + ?Sized>(
        code: &SecurityCode,
        key: &SealingKey,
        context: &[u8],
        rng: &mut R,
    ) -> Result<Self> {
        let mut nonce = [0u8; NONCE_LEN];
        rng.try_fill_bytes(&mut nonce)
            .map_err(|_| Error::Randomness)?;
        let id = key.id.as_bytes();
        let body = MAGIC.len() + 2 + id.len() + NONCE_LEN;
        let plain = code.expose().as_bytes();
        let mut bytes = Vec::with_capacity(body + plain.len() + TAG_LEN);
        bytes.extend_from_slice(MAGIC);
        bytes.push(FORMAT_VERSION);
        // validate_key_id bounds the id at 64 bytes.
        bytes.push(u8::try_from(id.len()).map_err(|_| Error::InvalidKeyId {
            reason: "a key id has 1 to 64 characters",
        })?);
        bytes.extend_from_slice(id);
        bytes.extend_from_slice(&nonce);
        bytes.extend_from_slice(plain);
        let (header, msg) = bytes.split_at_mut(body);
        let aad = [&*header, context].concat();
        let tag = key
            .cipher()
            .encrypt_inout_detached(&Nonce::from(nonce), &aad, msg.into())
            .map_err(|_| Error::Tampered)?;
        bytes.extend_from_slice(&tag);
        Ok(Self { bytes, body })
    }

    /// Parse sealed bytes (from [`SealedCode::to_bytes`]). Checks the framing only;
    /// authenticity is checked when opening.
    ///
    /// # Errors
    /// [`Error::UnknownFormat`], [`Error::UnsupportedVersion`], [`Error::InvalidKeyId`]
    /// or [`Error::Truncated`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let header = MAGIC.len() + 2;
        if bytes.len() < header {
            return if bytes.len() >= MAGIC.len() && &bytes[..MAGIC.len()] != MAGIC {
                Err(Error::UnknownFormat)
            } else {
                Err(Error::Truncated {
                    len: bytes.len(),
                    needed: header + 1 + NONCE_LEN + TAG_LEN,
                })
            };
        }
        if &bytes[..MAGIC.len()] != MAGIC {
            return Err(Error::UnknownFormat);
        }
        let version = bytes[MAGIC.len()];
        if version != FORMAT_VERSION {
            return Err(Error::UnsupportedVersion {
                version,
                supported: FORMAT_VERSION,
            });
        }
        let id_len = usize::from(bytes[MAGIC.len() + 1]);
        let body = header + id_len + NONCE_LEN;
        let needed = body + TAG_LEN;
        if bytes.len() < needed {
            return Err(Error::Truncated {
                len: bytes.len(),
                needed,
            });
        }
        validate_key_id(&bytes[header..header + id_len])?;
        Ok(Self {
            bytes: bytes.to_vec(),
            body,
        })
    }

    /// The sealed bytes, to store.
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        self.bytes.clone()
    }

    /// The sealed bytes, borrowed.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The id of the key this was sealed with (validated ASCII).
    #[must_use]
    pub fn key_id(&self) -> &str {
        let id = &self.bytes[MAGIC.len() + 2..self.body - NONCE_LEN];
        core::str::from_utf8(id).unwrap_or_default()
    }

    /// Decrypt for an authorized viewer.
    ///
    /// # Errors
    /// [`Error::KeyMismatch`] when `key` has another id (rotate: open with the old
    /// key, seal with the new); [`Error::Tampered`] when authentication fails.
    pub fn open(&self, key: &SealingKey) -> Result<SecurityCode> {
        self.open_bound(key, &[])
    }

    /// Decrypt a code sealed with [`SealedCode::seal_bound_with_rng`], with the
    /// same `context`.
    ///
    /// # Errors
    /// As [`SealedCode::open`]; [`Error::Tampered`] for another context.
    pub fn open_bound(&self, key: &SealingKey, context: &[u8]) -> Result<SecurityCode> {
        if self.key_id() != key.id() {
            return Err(Error::KeyMismatch {
                sealed_with: self.key_id().to_owned(),
                given: key.id().to_owned(),
            });
        }
        let (header, rest) = self.bytes.split_at(self.body);
        let nonce_bytes = &header[header.len() - NONCE_LEN..];
        let aad = [header, context].concat();
        let nonce = Nonce::try_from(nonce_bytes).map_err(|_| Error::Tampered)?;
        let (ct, tag) = rest.split_at(rest.len() - TAG_LEN);
        let tag = Tag::try_from(tag).map_err(|_| Error::Tampered)?;
        let mut plain = Zeroizing::new(ct.to_vec());
        key.cipher()
            .decrypt_inout_detached(&nonce, &aad, plain.as_mut_slice().into(), &tag)
            .map_err(|_| Error::Tampered)?;
        let text = core::str::from_utf8(&plain).map_err(|_| Error::Tampered)?;
        Ok(SecurityCode::new(text))
    }

    /// Does `spoken` match the sealed code, both normalized under `speech`?
    /// Compared in constant time.
    ///
    /// # Errors
    /// As [`SealedCode::open`]. A wrong code is `Ok(false)`.
    pub fn verify(&self, spoken: &str, key: &SealingKey, speech: &Speech) -> Result<bool> {
        self.verify_bound(spoken, key, &[], speech)
    }

    /// [`SealedCode::verify`] for a code sealed bound to `context`.
    ///
    /// # Errors
    /// As [`SealedCode::open_bound`]. A wrong code is `Ok(false)`.
    pub fn verify_bound(
        &self,
        spoken: &str,
        key: &SealingKey,
        context: &[u8],
        speech: &Speech,
    ) -> Result<bool> {
        let code = self.open_bound(key, context)?;
        let stored = speech.normalize(code.expose());
        let given = speech.normalize(spoken);
        Ok(ct_eq_padded(stored.as_bytes(), given.as_bytes()).into())
    }
}

impl fmt::Debug for SealedCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SealedCode")
            .field("key_id", &self.key_id())
            .field("len", &self.bytes.len())
            .finish()
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

impl serde::Serialize for SealedCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> core::result::Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            let hex: String = self
                .bytes
                .iter()
                .flat_map(|b| [HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]])
                .map(char::from)
                .collect();
            s.serialize_str(&hex)
        } else {
            s.serialize_bytes(&self.bytes)
        }
    }
}

/// Decode lower- or upper-case hex.
fn from_hex(s: &str) -> Result<Vec<u8>> {
    let nibble = |i: usize, c: u8| -> Result<u8> {
        match c {
            b'0'..=b'9' => Ok(c - b'0'),
            b'a'..=b'f' => Ok(c - b'a' + 10),
            b'A'..=b'F' => Ok(c - b'A' + 10),
            _ => Err(Error::InvalidEncoding { position: i }),
        }
    };
    let b = s.as_bytes();
    if !b.len().is_multiple_of(2) {
        return Err(Error::InvalidEncoding { position: b.len() });
    }
    (0..b.len() / 2)
        .map(|i| Ok(nibble(2 * i, b[2 * i])? << 4 | nibble(2 * i + 1, b[2 * i + 1])?))
        .collect()
}

impl SealedCode {
    /// Parse the hex text form (what serde writes in human-readable formats).
    ///
    /// # Errors
    /// [`Error::InvalidEncoding`] for non-hex text, then as [`SealedCode::from_bytes`].
    pub fn from_hex(text: &str) -> Result<Self> {
        Self::from_bytes(&from_hex(text.trim())?)
    }
}

impl<'de> serde::Deserialize<'de> for SealedCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> core::result::Result<Self, D::Error> {
        struct Visit;
        impl serde::de::Visitor<'_> for Visit {
            type Value = SealedCode;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a sealed security code (hex text or bytes)")
            }
            fn visit_str<E: serde::de::Error>(
                self,
                v: &str,
            ) -> core::result::Result<SealedCode, E> {
                SealedCode::from_hex(v).map_err(E::custom)
            }
            fn visit_bytes<E: serde::de::Error>(
                self,
                v: &[u8],
            ) -> core::result::Result<SealedCode, E> {
                SealedCode::from_bytes(v).map_err(E::custom)
            }
        }
        if d.is_human_readable() {
            d.deserialize_str(Visit)
        } else {
            d.deserialize_bytes(Visit)
        }
    }
}
