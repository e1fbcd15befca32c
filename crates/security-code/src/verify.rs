//! Verifying what a caller says: normalized for speech, compared in constant time,
//! against the contact's own code if set, else the account-wide code.

use serde::{Deserialize, Serialize};
use subtle::{Choice, ConstantTimeEq};
use unicode_normalization::UnicodeNormalization;
use zeroize::Zeroizing;

use crate::error::Result;
use crate::hashed::HashedCode;
use crate::sealed::{SealedCode, SealingKey};

/// How a spoken code is normalized before comparing. The default ignores case,
/// spaces and hyphens: an agent types what they hear, not how it was written.
///
/// ```
/// use countersign_security_code::Speech;
/// let s = Speech::default();
/// assert_eq!(s.normalize(" Lighthouse 42 OAK ").as_str(), "lighthouse42oak");
/// let strict = Speech { ignore_case: false, ..Speech::default() };
/// assert_eq!(strict.normalize("Oak-42").as_str(), "Oak42");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Speech {
    /// Compare case-insensitively.
    pub ignore_case: bool,
    /// Ignore all whitespace.
    pub ignore_spaces: bool,
    /// Ignore hyphens and dashes.
    pub ignore_hyphens: bool,
    /// Ignore every other punctuation mark and symbol too (off by default).
    pub ignore_punctuation: bool,
}

impl Default for Speech {
    fn default() -> Self {
        Self {
            ignore_case: true,
            ignore_spaces: true,
            ignore_hyphens: true,
            ignore_punctuation: false,
        }
    }
}

impl Speech {
    /// `code` as compared: NFKC, trimmed, then the configured folding.
    #[must_use]
    pub fn normalize(&self, code: &str) -> Zeroizing<String> {
        let mut out = Zeroizing::new(String::with_capacity(code.len()));
        for c in code.trim().nfkc() {
            let dash = c == '-' || ('\u{2010}'..='\u{2015}').contains(&c) || c == '\u{2212}';
            if (self.ignore_spaces && c.is_whitespace())
                || (self.ignore_hyphens && dash)
                || (self.ignore_punctuation && !c.is_alphanumeric() && !c.is_whitespace() && !dash)
            {
                continue;
            }
            if self.ignore_case {
                out.extend(c.to_lowercase());
            } else {
                out.push(c);
            }
        }
        out
    }
}

/// Longest normalized code compared; longer input is a mismatch. 64 code points
/// of up to four bytes each, with room to spare.
const COMPARE_LEN: usize = 512;

/// Constant-time equality of two byte strings of up to [`COMPARE_LEN`] bytes: both
/// are padded into fixed buffers, so the time does not depend on where they differ
/// or on their lengths.
pub(crate) fn ct_eq_padded(a: &[u8], b: &[u8]) -> Choice {
    let mut x = Zeroizing::new([0u8; COMPARE_LEN]);
    let mut y = Zeroizing::new([0u8; COMPARE_LEN]);
    let fits = Choice::from(u8::from(a.len() <= COMPARE_LEN && b.len() <= COMPARE_LEN));
    let (la, lb) = (a.len().min(COMPARE_LEN), b.len().min(COMPARE_LEN));
    x[..la].copy_from_slice(&a[..la]);
    y[..lb].copy_from_slice(&b[..lb]);
    x.ct_eq(&*y) & (a.len() as u64).ct_eq(&(b.len() as u64)) & fits
}

/// A stored security code: sealed (viewable by authorized contacts) or hashed only.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum StoredCode {
    /// Encrypted at rest; can be opened for an authorized viewer.
    Sealed(SealedCode),
    /// Argon2id only; verifies but cannot be opened.
    Hashed(HashedCode),
}

impl From<SealedCode> for StoredCode {
    fn from(s: SealedCode) -> Self {
        Self::Sealed(s)
    }
}

impl From<HashedCode> for StoredCode {
    fn from(h: HashedCode) -> Self {
        Self::Hashed(h)
    }
}

impl StoredCode {
    /// Does `spoken` match? Sealed codes are compared under `speech`; hashed codes
    /// under the [`Speech`] they were hashed with.
    ///
    /// # Errors
    /// As [`SealedCode::verify`] and [`HashedCode::verify`]: a key mismatch, a
    /// tampered seal, or an unreadable hash. A wrong code is `Ok(false)`.
    pub fn verify(&self, spoken: &str, key: &SealingKey, speech: &Speech) -> Result<bool> {
        match self {
            Self::Sealed(s) => s.verify(spoken, key, speech),
            Self::Hashed(h) => h.verify(spoken),
        }
    }
}

/// Which code a caller's words were checked against.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Which {
    /// The contact's own code.
    Contact,
    /// The account-wide code.
    Account,
}

/// The outcome of verifying a caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "outcome", content = "code")]
pub enum Verification {
    /// The caller gave this code.
    Matched(Which),
    /// The caller's words did not match this code (the one that applies).
    Mismatch(Which),
    /// Neither a contact code nor an account-wide code is set.
    NoCodeSet,
}

impl Verification {
    /// True for [`Verification::Matched`].
    #[must_use]
    pub fn is_match(self) -> bool {
        matches!(self, Self::Matched(_))
    }
}

/// Verify what a caller says: against the contact's own code if one is set, else
/// the account-wide code (the seeds: "each authorized contact ... can have a unique
/// security code"; otherwise the account-wide code applies).
///
/// ```
/// use countersign_security_code::{verify_caller, SealedCode, SealingKey, SecurityCode, Speech, Verification, Which};
/// let key = SealingKey::new("k1", [7; 32])?;
/// let account = SealedCode::seal(&SecurityCode::new("Lighthouse-42-Oak"), &key)?.into();
/// let v = verify_caller("lighthouse 42 oak", None, Some(&account), &key, &Speech::default())?;
/// assert_eq!(v, Verification::Matched(Which::Account));
/// # Ok::<(), countersign_security_code::Error>(())
/// ```
///
/// # Errors
/// As [`StoredCode::verify`]. A wrong code is `Ok(Verification::Mismatch(..))`.
pub fn verify_caller(
    spoken: &str,
    contact: Option<&StoredCode>,
    account: Option<&StoredCode>,
    key: &SealingKey,
    speech: &Speech,
) -> Result<Verification> {
    let (which, stored) = match (contact, account) {
        (Some(c), _) => (Which::Contact, c),
        (None, Some(a)) => (Which::Account, a),
        (None, None) => return Ok(Verification::NoCodeSet),
    };
    Ok(if stored.verify(spoken, key, speech)? {
        Verification::Matched(which)
    } else {
        Verification::Mismatch(which)
    })
}
