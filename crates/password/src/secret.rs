//! Secret newtypes: a password and a stored password hash. `Debug` prints
//! `[redacted]`, memory is zeroized on drop, equality is constant-time.

use core::fmt;

use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

/// A password as the user typed it. Read it out with [`Password::expose_secret`].
///
/// ```
/// use countersign_password::Password;
///
/// let password = Password::new("correct horse battery staple");
/// assert_eq!(format!("{password:?}"), "Password([redacted])");
/// assert_eq!(password.expose_secret().len(), 28);
/// ```
#[derive(Clone)]
pub struct Password(Zeroizing<String>);

impl Password {
    /// Wrap `password`; the string is zeroized when the `Password` is dropped.
    #[must_use]
    pub fn new(password: impl Into<String>) -> Self {
        Self(Zeroizing::new(password.into()))
    }

    /// The password itself; the name says that the caller is handling a secret.
    #[must_use]
    pub fn expose_secret(&self) -> &str {
        &self.0
    }
}

impl From<String> for Password {
    fn from(password: String) -> Self {
        Self::new(password)
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password([redacted])")
    }
}

impl ConstantTimeEq for Password {
    fn ct_eq(&self, other: &Self) -> subtle::Choice {
        self.0.as_bytes().ct_eq(other.0.as_bytes())
    }
}

impl PartialEq for Password {
    fn eq(&self, other: &Self) -> bool {
        self.ct_eq(other).into()
    }
}

impl Eq for Password {}

/// A password hash in the PHC string format (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`),
/// as made by [`crate::Hasher::hash`]. Store [`PasswordHash::as_str`]; a leaked hash
/// can be attacked offline, so it is treated as a secret too.
#[derive(Clone)]
pub struct PasswordHash(Zeroizing<String>);

impl PasswordHash {
    pub(crate) fn new(phc: String) -> Self {
        Self(Zeroizing::new(phc))
    }

    /// The PHC string, to store.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordHash([redacted])")
    }
}

impl ConstantTimeEq for PasswordHash {
    fn ct_eq(&self, other: &Self) -> subtle::Choice {
        self.0.as_bytes().ct_eq(other.0.as_bytes())
    }
}

impl PartialEq for PasswordHash {
    fn eq(&self, other: &Self) -> bool {
        self.ct_eq(other).into()
    }
}

impl Eq for PasswordHash {}

/// A pepper: a secret kept outside the database (in a key store or the service's
/// configuration) and fed to Argon2 as its secret input K (RFC 9106 §3.1), so a stolen
/// database alone cannot be attacked offline. OWASP Password Storage Cheat Sheet,
/// "Peppering".
#[derive(Clone)]
pub struct Pepper(Zeroizing<Vec<u8>>);

impl Pepper {
    /// The longest pepper accepted, in bytes (Argon2 allows up to 2^32 - 1; a pepper
    /// needs no more than a key's worth).
    pub const MAX_LENGTH: usize = 1024;

    /// Wrap `bytes` as a pepper.
    ///
    /// # Errors
    ///
    /// [`crate::Error::InvalidPepper`] when `bytes` is empty or longer than
    /// [`Pepper::MAX_LENGTH`].
    pub fn new(bytes: impl Into<Vec<u8>>) -> crate::Result<Self> {
        let bytes = Zeroizing::new(bytes.into());
        if bytes.is_empty() {
            return Err(crate::Error::InvalidPepper {
                reason: "it is empty",
            });
        }
        if bytes.len() > Self::MAX_LENGTH {
            return Err(crate::Error::InvalidPepper {
                reason: "it is longer than 1024 bytes",
            });
        }
        Ok(Self(bytes))
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for Pepper {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pepper([redacted])")
    }
}
