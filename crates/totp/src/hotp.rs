//! RFC 4226 HOTP: a code per counter.

use core::fmt;

use subtle::ConstantTimeEq;

use crate::algorithm::{Algorithm, PreparedMac};
use crate::code::{self, Code};
use crate::error::{Error, Result};
use crate::secret::Secret;

/// An HOTP generator over a key prepared once (RFC 4226 §5).
///
/// ```
/// use countersign_totp::{Algorithm, Hotp, Secret};
///
/// let secret = Secret::from_bytes(b"12345678901234567890")?;
/// let hotp = Hotp::new(&secret, Algorithm::Sha1, 6)?;
/// assert_eq!(hotp.code(1).to_string(), "287082");
/// // The user's next code is accepted; store the counter it returns.
/// assert_eq!(hotp.verify("359 152", 1, 3)?, 3);
/// # Ok::<(), countersign_totp::Error>(())
/// ```
#[derive(Clone)]
pub struct Hotp {
    mac: PreparedMac,
    algorithm: Algorithm,
    digits: u8,
    modulus: u32,
}

impl Hotp {
    /// Keys the HMAC with `secret` once.
    ///
    /// # Errors
    ///
    /// [`Error::DigitsOutOfRange`] unless `digits` is 6, 7 or 8;
    /// [`Error::SecretTooLong`] if the HMAC refused the key (RFC 2104 HMAC
    /// takes keys of any length, so the `hmac` crate does not).
    ///
    /// ```
    /// use countersign_totp::{Algorithm, Hotp, Secret};
    ///
    /// let hotp = Hotp::new(&Secret::from_bytes(b"12345678901234567890")?, Algorithm::Sha1, 6)?;
    /// assert_eq!(hotp.code(0).to_string(), "755224"); // RFC 4226 Appendix D
    /// # Ok::<(), countersign_totp::Error>(())
    /// ```
    pub fn new(secret: &Secret, algorithm: Algorithm, digits: u8) -> Result<Self> {
        let modulus = code::modulus(digits)?;
        Ok(Self {
            mac: PreparedMac::new(secret, algorithm)?,
            algorithm,
            digits,
            modulus,
        })
    }

    /// The code for `counter` (RFC 4226 §5.3).
    ///
    /// ```
    /// use countersign_totp::{Algorithm, Hotp, Secret};
    ///
    /// let hotp = Hotp::new(&Secret::from_bytes(b"12345678901234567890")?, Algorithm::Sha1, 6)?;
    /// assert_eq!(hotp.code(9).to_string(), "520489"); // RFC 4226 Appendix D
    /// # Ok::<(), countersign_totp::Error>(())
    /// ```
    #[inline]
    #[must_use]
    pub fn code(&self, counter: u64) -> Code {
        Code::new(self.value(counter), self.digits)
    }

    /// The hash function.
    ///
    /// ```
    /// use countersign_totp::{Algorithm, Hotp, Secret};
    ///
    /// let hotp = Hotp::new(&Secret::generate(), Algorithm::Sha512, 8)?;
    /// assert_eq!(hotp.algorithm(), Algorithm::Sha512);
    /// # Ok::<(), countersign_totp::Error>(())
    /// ```
    #[must_use]
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// Digits per code.
    ///
    /// ```
    /// use countersign_totp::{Algorithm, Hotp, Secret};
    ///
    /// let hotp = Hotp::new(&Secret::generate(), Algorithm::Sha1, 8)?;
    /// assert_eq!(hotp.digits(), 8);
    /// # Ok::<(), countersign_totp::Error>(())
    /// ```
    #[must_use]
    pub fn digits(&self) -> u8 {
        self.digits
    }

    /// Verifies a typed code against counters `counter ..= counter + look_ahead`
    /// (RFC 4226 §7.4's look-ahead resynchronization) and returns the counter to
    /// store next: one past the matched one, so the code cannot be used again.
    ///
    /// # Errors
    ///
    /// [`Error::CodeLength`] / [`Error::CodeNotDigit`] for a malformed code,
    /// [`Error::WrongCode`] when no counter matches, [`Error::CounterOverflow`]
    /// when the matched counter is `u64::MAX`.
    ///
    /// ```
    /// use countersign_totp::{Algorithm, Error, Hotp, Secret};
    ///
    /// let hotp = Hotp::new(&Secret::from_bytes(b"12345678901234567890")?, Algorithm::Sha1, 6)?;
    /// // The app is two presses ahead of the stored counter 0: code 2 is "359152".
    /// assert_eq!(hotp.verify("359152", 0, 3)?, 3); // store 3 next
    /// assert_eq!(hotp.verify("359152", 3, 3), Err(Error::WrongCode)); // used once
    /// # Ok::<(), Error>(())
    /// ```
    pub fn verify(&self, code: &str, counter: u64, look_ahead: u32) -> Result<u64> {
        let typed = code::parse(code, self.digits)?;
        let last = counter.saturating_add(u64::from(look_ahead));
        let mut candidate = counter;
        loop {
            if bool::from(self.value(candidate).ct_eq(&typed)) {
                return candidate.checked_add(1).ok_or(Error::CounterOverflow);
            }
            if candidate >= last {
                return Err(Error::WrongCode);
            }
            candidate += 1;
        }
    }

    /// The numeric code for `counter`.
    #[inline]
    pub(crate) fn value(&self, counter: u64) -> u32 {
        self.mac.truncated(counter) % self.modulus
    }
}

impl fmt::Debug for Hotp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Hotp")
            .field("key", &"[redacted]")
            .field("algorithm", &self.algorithm)
            .field("digits", &self.digits)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_hotps_debug_redacts_its_key() {
        let secret = Secret::from_bytes(b"12345678901234567890").unwrap();
        let hotp = Hotp::new(&secret, Algorithm::Sha256, 8).unwrap();
        assert_eq!(
            format!("{hotp:?}"),
            r#"Hotp { key: "[redacted]", algorithm: Sha256, digits: 8 }"#
        );
    }

    #[test]
    fn look_ahead_and_overflow() {
        let secret = Secret::from_bytes(b"12345678901234567890").unwrap();
        let hotp = Hotp::new(&secret, Algorithm::Sha1, 6).unwrap();
        // RFC 4226 Appendix D: counter 5 is 254676.
        assert_eq!(hotp.verify("254676", 5, 0), Ok(6));
        assert_eq!(hotp.verify("254676", 3, 2), Ok(6));
        assert_eq!(hotp.verify("254676", 3, 1), Err(Error::WrongCode));
        assert_eq!(hotp.verify("254676", 6, 10), Err(Error::WrongCode));
        let at_max = hotp.code(u64::MAX).to_string();
        assert_eq!(
            hotp.verify(&at_max, u64::MAX, 5),
            Err(Error::CounterOverflow)
        );
        assert!(Hotp::new(&secret, Algorithm::Sha1, 9).is_err());
        assert!(!format!("{hotp:?}").contains("1234"));
    }
}
