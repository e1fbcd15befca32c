//! `HashedCode`: Argon2id only (RFC 9106), for accounts where nobody may view the
//! code. It verifies what a caller says but cannot be opened.

use core::fmt;

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, PasswordHash, Version};
use rand::TryCryptoRng;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::secret::SecurityCode;
use crate::verify::Speech;

/// Salt length: 16 bytes, as RFC 9106 §3.1 recommends.
const SALT_LEN: usize = 16;

/// The most memory a stored hash may ask for, in KiB (256 MiB). A stored hash is
/// untrusted: without a bound, one doctored row could make every verification
/// allocate gigabytes. The same bounds as countersign-password's defaults.
pub const MAX_MEMORY_KIB: u32 = 262_144;
/// The most passes a stored hash may ask for.
pub const MAX_ITERATIONS: u32 = 16;
/// The most lanes a stored hash may ask for.
pub const MAX_PARALLELISM: u32 = 8;

/// A security code stored as an Argon2id PHC string of its speech-normalized form,
/// with the [`Speech`] rules it was normalized under (verification must use the same).
///
/// ```
/// use countersign_security_code::{HashedCode, SecurityCode, Speech};
/// // Cheap parameters for the example; use `HashedCode::hash` (OWASP defaults) in production.
/// let params = argon2::Params::new(256, 1, 1, None).unwrap();
/// let h = HashedCode::hash_with(&SecurityCode::new("Lighthouse-42-Oak"), Speech::default(), params, &mut rand::rngs::SysRng)?;
/// assert!(h.phc().starts_with("$argon2id$"));
/// assert!(h.verify("lighthouse 42 oak")?);
/// assert!(!h.verify("lighthouse 24 oak")?);
/// # Ok::<(), countersign_security_code::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "HashedRepr")]
pub struct HashedCode {
    phc: String,
    speech: Speech,
}

/// The serialized form, validated on the way in.
#[derive(Deserialize)]
struct HashedRepr {
    phc: String,
    speech: Speech,
}

impl TryFrom<HashedRepr> for HashedCode {
    type Error = Error;

    fn try_from(r: HashedRepr) -> Result<Self> {
        Self::from_phc(&r.phc, r.speech)
    }
}

impl HashedCode {
    /// Hash `code` with Argon2id at the OWASP parameters (19 MiB, 2 passes, 1 lane)
    /// and a salt from the operating system's RNG.
    ///
    /// # Errors
    /// [`Error::Randomness`] if the OS RNG fails; [`Error::Hashing`] if Argon2 fails.
    pub fn hash(code: &SecurityCode, speech: Speech) -> Result<Self> {
        Self::hash_with(code, speech, Params::default(), &mut rand::rngs::SysRng)
    }

    /// Hash `code` with Argon2id at `params`, salt from `rng`.
    ///
    /// # Errors
    /// [`Error::Randomness`] if `rng` fails; [`Error::Hashing`] if Argon2 rejects the parameters.
    pub fn hash_with<R: TryCryptoRng + ?Sized>(
        code: &SecurityCode,
        speech: Speech,
        params: Params,
        rng: &mut R,
    ) -> Result<Self> {
        let mut salt = [0u8; SALT_LEN];
        rng.try_fill_bytes(&mut salt)
            .map_err(|_| Error::Randomness)?;
        let normalized = speech.normalize(code.expose());
        let hash = Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password_with_salt(normalized.as_bytes(), &salt)
            .map_err(|e| Error::Hashing {
                reason: e.to_string(),
            })?;
        Ok(Self {
            phc: hash.to_string(),
            speech,
        })
    }

    /// A stored hash, from its PHC string and the speech rules it was made under.
    ///
    /// # Errors
    /// [`Error::InvalidHash`] when `phc` is not an Argon2id PHC string;
    /// [`Error::HashCostTooHigh`] when its parameters exceed [`MAX_MEMORY_KIB`],
    /// [`MAX_ITERATIONS`] or [`MAX_PARALLELISM`] (checked here, so a stored form that
    /// deserializes never costs more than that to verify).
    pub fn from_phc(phc: &str, speech: Speech) -> Result<Self> {
        let parsed = PasswordHash::new(phc).map_err(|e| Error::InvalidHash {
            reason: e.to_string(),
        })?;
        if parsed.algorithm.as_str() != "argon2id" {
            return Err(Error::InvalidHash {
                reason: format!("algorithm {} is not argon2id", parsed.algorithm),
            });
        }
        let params = Params::try_from(&parsed).map_err(|e| Error::InvalidHash {
            reason: e.to_string(),
        })?;
        if params.m_cost() > MAX_MEMORY_KIB
            || params.t_cost() > MAX_ITERATIONS
            || params.p_cost() > MAX_PARALLELISM
        {
            return Err(Error::HashCostTooHigh {
                memory_kib: params.m_cost(),
                iterations: params.t_cost(),
                parallelism: params.p_cost(),
                max_memory_kib: MAX_MEMORY_KIB,
                max_iterations: MAX_ITERATIONS,
                max_parallelism: MAX_PARALLELISM,
            });
        }
        Ok(Self {
            phc: phc.to_owned(),
            speech,
        })
    }

    /// The PHC string (`$argon2id$v=19$m=...`).
    #[must_use]
    pub fn phc(&self) -> &str {
        &self.phc
    }

    /// The speech rules spoken codes are normalized under.
    #[must_use]
    pub fn speech(&self) -> Speech {
        self.speech
    }

    /// Does `spoken` match? Argon2's comparison of the outputs is constant-time.
    ///
    /// # Errors
    /// [`Error::InvalidHash`] when the stored string does not parse or its
    /// parameters are invalid. A wrong code is `Ok(false)`.
    pub fn verify(&self, spoken: &str) -> Result<bool> {
        let parsed = PasswordHash::new(&self.phc).map_err(|e| Error::InvalidHash {
            reason: e.to_string(),
        })?;
        let given: Zeroizing<String> = self.speech.normalize(spoken);
        match Argon2::default().verify_password(given.as_bytes(), &parsed) {
            Ok(()) => Ok(true),
            Err(argon2::password_hash::Error::PasswordInvalid) => Ok(false),
            Err(e) => Err(Error::InvalidHash {
                reason: e.to_string(),
            }),
        }
    }
}

impl fmt::Debug for HashedCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HashedCode")
            .field("phc", &"[redacted]")
            .field("speech", &self.speech)
            .finish()
    }
}
