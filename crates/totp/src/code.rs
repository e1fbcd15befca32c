//! One-time codes: what a generator shows and what a user types.

use core::fmt;

use subtle::ConstantTimeEq;

use crate::error::{CharacterKind, Error, Result};

/// Powers of ten for 6, 7 and 8 digits (RFC 4226 §5.3: `Snum mod 10^Digit`).
const MODULI: [u32; 3] = [1_000_000, 10_000_000, 100_000_000];

/// A validated digit count: 6, 7 or 8.
pub(crate) fn modulus(digits: u8) -> Result<u32> {
    match digits {
        6..=8 => Ok(MODULI[usize::from(digits - 6)]),
        _ => Err(Error::DigitsOutOfRange { digits }),
    }
}

/// A one-time code. `Display` pads it with leading zeros to its digit count;
/// `Debug` does not show it; `==` is constant-time.
///
/// ```
/// use countersign_totp::{Algorithm, Hotp, Secret};
///
/// let secret = Secret::from_bytes(b"12345678901234567890")?;
/// let hotp = Hotp::new(&secret, Algorithm::Sha1, 6)?;
/// assert_eq!(hotp.code(0).to_string(), "755224"); // RFC 4226 Appendix D
/// # Ok::<(), countersign_totp::Error>(())
/// ```
#[derive(Clone, Copy)]
pub struct Code {
    value: u32,
    digits: u8,
}

impl Code {
    #[inline]
    pub(crate) const fn new(value: u32, digits: u8) -> Self {
        Self { value, digits }
    }

    /// The code as a number (leading zeros lost: see `Display`).
    ///
    /// ```
    /// use countersign_totp::{Algorithm, Hotp, Secret};
    ///
    /// let hotp = Hotp::new(&Secret::from_bytes(b"12345678901234567890")?, Algorithm::Sha1, 6)?;
    /// let code = hotp.code(5); // RFC 4226 Appendix D: 254676
    /// assert_eq!(code.value(), 254_676);
    /// # Ok::<(), countersign_totp::Error>(())
    /// ```
    #[must_use]
    pub const fn value(&self) -> u32 {
        self.value
    }

    /// How many digits the code has.
    ///
    /// ```
    /// use countersign_totp::{Algorithm, Hotp, Secret};
    ///
    /// let hotp = Hotp::new(&Secret::generate(), Algorithm::Sha1, 7)?;
    /// assert_eq!(hotp.code(0).digits(), 7);
    /// # Ok::<(), countersign_totp::Error>(())
    /// ```
    #[must_use]
    pub const fn digits(&self) -> u8 {
        self.digits
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:0width$}",
            self.value,
            width = usize::from(self.digits)
        )
    }
}

impl fmt::Debug for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Code([redacted], {} digits)", self.digits)
    }
}

impl ConstantTimeEq for Code {
    fn ct_eq(&self, other: &Self) -> subtle::Choice {
        self.value.ct_eq(&other.value) & self.digits.ct_eq(&other.digits)
    }
}

impl PartialEq for Code {
    fn eq(&self, other: &Self) -> bool {
        self.ct_eq(other).into()
    }
}

impl Eq for Code {}

/// Reads a code as typed: digits with any spaces between them ("123 456").
/// Allocation-free; the digits' values are not branched on.
///
/// # Errors
///
/// [`Error::CodeNotDigit`] for anything but ASCII digits and spaces;
/// [`Error::CodeLength`] when the digits are not exactly `digits` many.
#[inline]
pub(crate) fn parse(text: &str, digits: u8) -> Result<u32> {
    let mut value: u32 = 0;
    let mut found: usize = 0;
    for (index, byte) in text.bytes().enumerate() {
        match byte {
            b'0'..=b'9' => {
                found += 1;
                // At most 8 digits are kept: 99_999_999 fits a u32; longer
                // input is refused below, so wrapping never matters.
                value = value.wrapping_mul(10).wrapping_add(u32::from(byte - b'0'));
            }
            b' ' => {}
            _ => return Err(not_digit(text, index)),
        }
    }
    if found != usize::from(digits) {
        return Err(Error::CodeLength {
            expected: digits,
            found,
        });
    }
    Ok(value)
}

#[cold]
fn not_digit(text: &str, byte_index: usize) -> Error {
    // Report the position in characters, as a person counts them.
    let position = text
        .char_indices()
        .take_while(|&(at, _)| at <= byte_index)
        .count();
    let character = text
        .get(byte_index..)
        .and_then(|rest| rest.chars().next())
        .unwrap_or('\u{fffd}');
    Error::CodeNotDigit {
        position,
        kind: CharacterKind::of(character),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_codes() {
        assert_eq!(parse("123456", 6), Ok(123_456));
        assert_eq!(parse("123 456", 6), Ok(123_456));
        assert_eq!(parse(" 0012 3456 ", 8), Ok(123_456));
        assert_eq!(
            parse("12345", 6),
            Err(Error::CodeLength {
                expected: 6,
                found: 5
            })
        );
        assert_eq!(
            parse("1234567", 6),
            Err(Error::CodeLength {
                expected: 6,
                found: 7
            })
        );
        assert_eq!(
            parse("12é456", 6),
            Err(Error::CodeNotDigit {
                position: 3,
                kind: CharacterKind::NonAscii
            })
        );
        assert_eq!(
            parse("12345x", 6),
            Err(Error::CodeNotDigit {
                position: 6,
                kind: CharacterKind::Letter
            })
        );
        assert!(parse("99999999999999999999", 8).is_err());
    }

    #[test]
    fn display_pads_and_debug_hides() {
        let code = Code::new(42, 6);
        assert_eq!(code.to_string(), "000042");
        assert_eq!(format!("{code:?}"), "Code([redacted], 6 digits)");
        assert_eq!(modulus(5), Err(Error::DigitsOutOfRange { digits: 5 }));
        assert_eq!(modulus(9), Err(Error::DigitsOutOfRange { digits: 9 }));
    }
}
