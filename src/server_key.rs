//! The server's secret key for remembered-device tokens and one-time code hashes.
//!
//! One [`ServerKey`] per deployment, kept in the service's secret store, never in
//! the account database: a device token is only as unforgeable, and a stored
//! one-time code hash only as un-brute-forceable, as this key is secret. Each use
//! is domain-separated (a fixed label starts every MAC input), so a device token
//! signature can never double as a one-time code hash.
//!
//! To rotate it, put it in a [`KeyRing`](crate::KeyRing) beside the new one; a
//! lone `ServerKey` is a ring of one (see [`key_ring`](crate::key_ring)).

use core::fmt;

use hmac::digest::Key;
use hmac::{Hmac, KeyInit, Mac};
use rand::CryptoRng;
use sha2::Sha256;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::{Error, Result};

/// HMAC-SHA256, the MAC behind device tokens and one-time code hashes.
pub(crate) type HmacSha256 = Hmac<Sha256>;

/// A 256-bit secret key held by the server.
///
/// `Debug` prints `[redacted]`, the bytes are zeroized on drop, and the only way
/// to read them back is the explicitly named [`ServerKey::expose_bytes`].
///
/// # Examples
///
/// ```
/// use countersign::ServerKey;
///
/// let key = ServerKey::generate();
/// assert_eq!(format!("{key:?}"), "ServerKey([redacted])");
///
/// // Store the bytes in a secret manager, load them back at start-up.
/// let stored: Vec<u8> = key.expose_bytes().to_vec();
/// let loaded = ServerKey::from_slice(&stored)?;
/// assert_eq!(loaded.expose_bytes(), key.expose_bytes());
/// # Ok::<(), countersign::Error>(())
/// ```
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct ServerKey {
    bytes: [u8; ServerKey::LEN],
}

impl ServerKey {
    /// The key length in bytes: 256 bits, the HMAC-SHA256 output size
    /// (RFC 2104 §3 recommends a key no shorter than the hash output).
    pub const LEN: usize = 32;

    /// A key from its 32 bytes.
    ///
    /// # Examples
    ///
    /// ```
    /// let key = countersign::ServerKey::from_bytes([0x42; 32]);
    /// assert_eq!(key.expose_bytes()[0], 0x42);
    /// ```
    #[must_use]
    pub fn from_bytes(bytes: [u8; Self::LEN]) -> Self {
        Self { bytes }
    }

    /// A key from a byte slice of exactly [`ServerKey::LEN`] bytes.
    ///
    /// # Errors
    ///
    /// [`Error::ServerKeyLength`] if the slice is not exactly 32 bytes long.
    ///
    /// # Examples
    ///
    /// ```
    /// use countersign::{Error, ServerKey};
    ///
    /// assert!(ServerKey::from_slice(&[1; 32]).is_ok());
    /// assert!(matches!(
    ///     ServerKey::from_slice(&[1; 16]).unwrap_err(),
    ///     Error::ServerKeyLength { expected: 32, actual: 16 },
    /// ));
    /// ```
    pub fn from_slice(bytes: &[u8]) -> Result<Self> {
        let bytes: [u8; Self::LEN] = bytes.try_into().map_err(|_| Error::ServerKeyLength {
            expected: Self::LEN,
            actual: bytes.len(),
        })?;
        Ok(Self { bytes })
    }

    /// A fresh random key from the operating system's CSPRNG (through `rand`'s
    /// thread-local generator, seeded from the OS).
    ///
    /// # Examples
    ///
    /// ```
    /// let a = countersign::ServerKey::generate();
    /// let b = countersign::ServerKey::generate();
    /// assert_ne!(a.expose_bytes(), b.expose_bytes());
    /// ```
    #[must_use]
    pub fn generate() -> Self {
        Self::generate_with(&mut rand::rng())
    }

    /// A fresh random key from the given cryptographic RNG.
    ///
    /// # Examples
    ///
    /// ```
    /// use rand::SeedableRng;
    ///
    /// // Deterministic in tests; use `ServerKey::generate` in production.
    /// let mut rng = rand::rngs::StdRng::seed_from_u64(1);
    /// let key = countersign::ServerKey::generate_with(&mut rng);
    /// # let _ = key;
    /// ```
    #[must_use]
    pub fn generate_with<R: CryptoRng + ?Sized>(rng: &mut R) -> Self {
        let mut bytes = [0u8; Self::LEN];
        rng.fill_bytes(&mut bytes);
        Self { bytes }
    }

    /// The key's bytes, to put in a secret store. Named so that every place that
    /// reads the key is easy to find.
    #[must_use]
    pub fn expose_bytes(&self) -> &[u8; Self::LEN] {
        &self.bytes
    }

    /// HMAC-SHA256 keyed with this key, already fed the domain label `domain`.
    pub(crate) fn mac(&self, domain: &[u8]) -> HmacSha256 {
        // RFC 2104 §2: a key shorter than the block is right-padded with zeros, so
        // the padded block is the same HMAC key; it lets us use the infallible
        // fixed-size constructor instead of unwrapping `new_from_slice`.
        let mut block = Zeroizing::new([0u8; 64]);
        block[..Self::LEN].copy_from_slice(&self.bytes);
        let mut key = Key::<HmacSha256>::from(*block);
        let mut mac = <HmacSha256 as KeyInit>::new(&key);
        key.as_mut_slice().zeroize();
        mac.update(domain);
        mac
    }
}

impl fmt::Debug for ServerKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ServerKey([redacted])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padded_key_is_the_same_hmac_key_as_the_short_one() {
        let key = ServerKey::from_bytes(core::array::from_fn(|i| u8::try_from(i).unwrap_or(0)));
        let ours = key
            .mac(b"label")
            .chain_update(b"message")
            .finalize()
            .into_bytes();
        let reference = <HmacSha256 as KeyInit>::new_from_slice(key.expose_bytes())
            .unwrap()
            .chain_update(b"labelmessage")
            .finalize()
            .into_bytes();
        assert_eq!(ours, reference);
    }

    #[test]
    fn known_answer_rfc4231_test_case_1() {
        // RFC 4231 §4.2: key = 0x0b * 20, data = "Hi There". A 20-byte key and the
        // same key zero-padded to 32 bytes are the same HMAC key (RFC 2104 §2).
        let mut bytes = [0u8; 32];
        bytes[..20].fill(0x0b);
        let key = ServerKey::from_bytes(bytes);
        let tag = key
            .mac(b"")
            .chain_update(b"Hi There")
            .finalize()
            .into_bytes();
        assert_eq!(
            crate::hex::encode(&tag),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        );
    }

    #[test]
    fn debug_is_redacted() {
        assert_eq!(
            format!("{:?}", ServerKey::from_bytes([9; 32])),
            "ServerKey([redacted])"
        );
    }
}
