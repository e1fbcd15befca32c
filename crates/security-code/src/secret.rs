//! The security code itself: a secret.

use core::fmt;

use subtle::{Choice, ConstantTimeEq};
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::normalize::nfkc_trimmed;

/// A security code as set (NFKC, trimmed). `Debug` prints `[redacted]`, memory is
/// zeroized on drop, equality is constant-time. It is not `Serialize`: store it
/// sealed ([`SealedCode`](crate::SealedCode)) or hashed ([`HashedCode`](crate::HashedCode)).
///
/// ```
/// use countersign_security_code::SecurityCode;
/// let code = SecurityCode::new("  Lighthouse-42-Oak ");
/// assert_eq!(code.expose(), "Lighthouse-42-Oak");
/// assert_eq!(format!("{code:?}"), "SecurityCode([redacted])");
/// ```
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct SecurityCode(String);

impl SecurityCode {
    /// The code as given, NFKC-normalized and trimmed; no policy check (see
    /// [`Policy::admit`](crate::Policy::admit) for that).
    #[must_use]
    pub fn new(code: &str) -> Self {
        Self(nfkc_trimmed(code))
    }

    /// The code itself, for showing to an authorized viewer.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecurityCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecurityCode([redacted])")
    }
}

impl ConstantTimeEq for SecurityCode {
    fn ct_eq(&self, other: &Self) -> Choice {
        crate::verify::ct_eq_padded(self.0.as_bytes(), other.0.as_bytes())
    }
}

impl PartialEq for SecurityCode {
    fn eq(&self, other: &Self) -> bool {
        self.ct_eq(other).into()
    }
}

impl Eq for SecurityCode {}
