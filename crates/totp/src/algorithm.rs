//! The HMAC hash function, and the HMAC keyed once for many counters.

use core::fmt;
use core::str::FromStr;

use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha1::Sha1;
use sha2::{Sha256, Sha512};

use crate::error::{Error, Result};
use crate::secret::Secret;

/// The hash function under the HMAC (RFC 6238 §1.2 allows SHA-1, SHA-256 and SHA-512).
///
/// Parsed in any case (`sha1`, `SHA256`, `Sha512`); written as the otpauth
/// Key Uri Format writes it (`SHA1`, `SHA256`, `SHA512`).
///
/// ```
/// use countersign_totp::Algorithm;
///
/// let algorithm: Algorithm = "sha256".parse()?;
/// assert_eq!(algorithm, Algorithm::Sha256);
/// assert_eq!(algorithm.to_string(), "SHA256");
/// # Ok::<(), countersign_totp::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Algorithm {
    /// HMAC-SHA-1: RFC 4226's function and what every authenticator app supports.
    #[default]
    #[serde(rename = "SHA1", alias = "sha1")]
    Sha1,
    /// HMAC-SHA-256.
    #[serde(rename = "SHA256", alias = "sha256")]
    Sha256,
    /// HMAC-SHA-512.
    #[serde(rename = "SHA512", alias = "sha512")]
    Sha512,
}

impl Algorithm {
    /// The name as otpauth URIs write it: `SHA1`, `SHA256` or `SHA512`.
    ///
    /// ```
    /// use countersign_totp::Algorithm;
    ///
    /// assert_eq!(Algorithm::Sha256.name(), "SHA256");
    /// ```
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Sha1 => "SHA1",
            Self::Sha256 => "SHA256",
            Self::Sha512 => "SHA512",
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Algorithm {
    type Err = Error;

    /// Parses `SHA1`, `SHA256` or `SHA512` in any case (a hyphen, as in
    /// `SHA-256`, is tolerated).
    fn from_str(text: &str) -> Result<Self> {
        let mut name = [0u8; 6];
        let mut length = 0;
        for byte in text.bytes().filter(|&b| b != b'-') {
            let slot = name.get_mut(length).ok_or_else(|| invalid(text))?;
            *slot = byte.to_ascii_uppercase();
            length += 1;
        }
        match &name[..length] {
            b"SHA1" => Ok(Self::Sha1),
            b"SHA256" => Ok(Self::Sha256),
            b"SHA512" => Ok(Self::Sha512),
            _ => Err(invalid(text)),
        }
    }
}

fn invalid(text: &str) -> Error {
    Error::UriInvalidParameter {
        name: "algorithm",
        value: text.chars().take(32).collect(),
        reason: "expected SHA1, SHA256 or SHA512",
    }
}

/// An HMAC keyed once: the inner and outer pads are hashed at construction,
/// so each counter costs only the two compressions of RFC 2104's inner and
/// outer hash of one block each. The keyed states are zeroized on drop.
#[derive(Clone)]
pub(crate) enum PreparedMac {
    Sha1(Hmac<Sha1>),
    Sha256(Hmac<Sha256>),
    Sha512(Hmac<Sha512>),
}

impl PreparedMac {
    /// Keys the HMAC once: RFC 2104's inner and outer pads are hashed here.
    ///
    /// HMAC takes keys of any length (RFC 2104 §2 hashes long ones), so this
    /// fails only if the `hmac` crate ever stops doing so.
    pub(crate) fn new(secret: &Secret, algorithm: Algorithm) -> Result<Self> {
        let key = secret.expose_bytes();
        let refused = |_| Error::SecretTooLong {
            bits: secret.bits(),
            maximum: Secret::MAX_BITS,
        };
        Ok(match algorithm {
            Algorithm::Sha1 => Self::Sha1(Hmac::new_from_slice(key).map_err(refused)?),
            Algorithm::Sha256 => Self::Sha256(Hmac::new_from_slice(key).map_err(refused)?),
            Algorithm::Sha512 => Self::Sha512(Hmac::new_from_slice(key).map_err(refused)?),
        })
    }

    /// RFC 4226 §5.3: HMAC of the 8-byte big-endian counter, then dynamic
    /// truncation to a 31-bit number.
    #[inline]
    pub(crate) fn truncated(&self, counter: u64) -> u32 {
        let message = counter.to_be_bytes();
        match self {
            Self::Sha1(mac) => truncate(&run(mac, &message)),
            Self::Sha256(mac) => truncate(&run(mac, &message)),
            Self::Sha512(mac) => truncate(&run(mac, &message)),
        }
    }
}

#[inline(always)]
fn run<M: Mac + Clone>(prepared: &M, message: &[u8; 8]) -> hmac::digest::Output<M> {
    let mut mac = prepared.clone();
    mac.update(message);
    mac.finalize().into_bytes()
}

/// RFC 4226 §5.3 dynamic truncation: the low nibble of the last byte picks
/// an offset; four bytes from there, top bit masked.
#[inline(always)]
fn truncate(hash: &[u8]) -> u32 {
    let offset = usize::from(hash.last().copied().unwrap_or(0) & 0x0f);
    // Every hash here is at least 20 bytes and offset + 4 <= 19.
    match hash.get(offset..offset + 4) {
        Some(&[a, b, c, d]) => u32::from_be_bytes([a, b, c, d]) & 0x7fff_ffff,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_in_any_case() {
        for (text, algorithm) in [
            ("sha1", Algorithm::Sha1),
            ("SHA256", Algorithm::Sha256),
            ("Sha-512", Algorithm::Sha512),
        ] {
            assert_eq!(text.parse::<Algorithm>().unwrap(), algorithm);
        }
        assert!("md5".parse::<Algorithm>().is_err());
        assert!("sha1024".parse::<Algorithm>().is_err());
        assert_eq!(Algorithm::Sha256.to_string(), "SHA256");
    }

    #[test]
    fn rfc4226_intermediate_truncation() {
        // RFC 4226 Appendix D, "Truncated" column as decimal, counter 0 and 1.
        let secret = Secret::from_bytes(b"12345678901234567890").unwrap();
        let mac = PreparedMac::new(&secret, Algorithm::Sha1).unwrap();
        assert_eq!(mac.truncated(0), 1_284_755_224);
        assert_eq!(mac.truncated(1), 1_094_287_082);
    }
}
