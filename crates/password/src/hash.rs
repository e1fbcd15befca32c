//! Argon2id password hashing with PHC strings, an optional pepper, limits on what a
//! stored hash may ask for, and rehash detection.

use argon2::password_hash::phc::{self, Output, ParamsString, Salt};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::{CryptoRng, TryRng};
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::normalize::{Normalization, code_points};
use crate::secret::{PasswordHash, Pepper};
use crate::{Error, Policy, Result};

/// Salt length in bytes: 16, the PHC string format's recommendation and RFC 9106 §3.1's.
pub const SALT_LENGTH: usize = 16;

/// Argon2id cost parameters, and the most a stored hash may ask for.
///
/// The defaults are the OWASP Password Storage Cheat Sheet's first Argon2id
/// configuration: m = 19456 KiB (19 MiB), t = 2, p = 1, with a 32-byte output.
/// Serde field names are the ones below; every field is optional in a configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HashParams {
    /// Memory cost `m`, in KiB.
    pub memory_kib: u32,
    /// Number of passes `t`.
    pub iterations: u32,
    /// Degree of parallelism `p` (lanes; computed on one thread here).
    pub parallelism: u32,
    /// Length of the hash output in bytes (16 to 64).
    pub output_len: u32,
    /// The largest `m` a stored hash may ask for before it is refused unhashed.
    pub max_memory_kib: u32,
    /// The largest `t` a stored hash may ask for.
    pub max_iterations: u32,
    /// The largest `p` a stored hash may ask for.
    pub max_parallelism: u32,
}

impl Default for HashParams {
    fn default() -> Self {
        Self::OWASP
    }
}

impl HashParams {
    /// OWASP Password Storage Cheat Sheet: Argon2id, m = 19 MiB, t = 2, p = 1. A stored
    /// hash may ask for up to 256 MiB, 16 passes and 8 lanes, room for a later upgrade
    /// and far from a hash that asks for 4 GiB.
    pub const OWASP: Self = Self {
        memory_kib: 19_456,
        iterations: 2,
        parallelism: 1,
        output_len: 32,
        max_memory_kib: 262_144,
        max_iterations: 16,
        max_parallelism: 8,
    };

    /// Check these parameters and turn them into argon2's.
    fn validate(&self) -> Result<Params> {
        let invalid = |setting, value: u32, requirement| Error::InvalidHashParams {
            setting,
            value: u64::from(value),
            requirement,
        };
        if !(16..=64).contains(&self.output_len) {
            return Err(invalid(
                "output_len",
                self.output_len,
                "it must be 16 to 64 bytes",
            ));
        }
        if self.memory_kib > self.max_memory_kib {
            return Err(invalid(
                "memory_kib",
                self.memory_kib,
                "it must not exceed max_memory_kib",
            ));
        }
        if self.iterations > self.max_iterations {
            return Err(invalid(
                "iterations",
                self.iterations,
                "it must not exceed max_iterations",
            ));
        }
        if self.parallelism > self.max_parallelism {
            return Err(invalid(
                "parallelism",
                self.parallelism,
                "it must not exceed max_parallelism",
            ));
        }
        if self.iterations < 1 {
            return Err(invalid(
                "iterations",
                self.iterations,
                "it must be at least 1",
            ));
        }
        if !(1..=Params::MAX_P_COST).contains(&self.parallelism) {
            return Err(invalid(
                "parallelism",
                self.parallelism,
                "it must be 1 to 2^24 - 1",
            ));
        }
        if self.memory_kib < self.parallelism.saturating_mul(8) {
            return Err(invalid(
                "memory_kib",
                self.memory_kib,
                "it must be at least 8 KiB per lane",
            ));
        }
        let output_len = usize::try_from(self.output_len).ok();
        Params::new(
            self.memory_kib,
            self.iterations,
            self.parallelism,
            output_len,
        )
        .map_err(|_| {
            invalid(
                "memory_kib",
                self.memory_kib,
                "argon2 refused these parameters",
            )
        })
    }
}

/// The outcome of a successful [`Hasher::verify`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Verified {
    /// The stored hash was made with another algorithm, version or parameters than the
    /// current configuration: hash the password again now that it is known, and store
    /// the new hash.
    pub needs_rehash: bool,
}

/// Hashes and verifies passwords: Argon2id, PHC strings, an optional pepper.
///
/// ```
/// use countersign_password::{Hasher, HashParams, Policy};
///
/// // Small parameters keep the example fast; use the default (OWASP) ones in production.
/// let cheap = HashParams { memory_kib: 64, iterations: 1, ..HashParams::OWASP };
/// let hasher = Hasher::new(&Policy::default().with_hashing(cheap)?)?;
/// let stored = hasher.hash("correct horse battery staple")?;
/// assert!(stored.as_str().starts_with("$argon2id$v=19$m=64,t=1,p=1$"));
///
/// let verified = hasher.verify("correct horse battery staple", stored.as_str())?;
/// assert!(!verified.needs_rehash);
/// assert!(hasher.verify("wrong", stored.as_str()).is_err());
/// # Ok::<(), countersign_password::Error>(())
/// ```
///
/// `Debug` shows the configuration and whether a pepper is set, never the pepper
/// nor argon2's raw parameter buffers.
#[derive(Clone)]
pub struct Hasher {
    config: HashParams,
    params: Params,
    pepper: Option<Pepper>,
    max_length: usize,
    normalization: Normalization,
}

impl core::fmt::Debug for Hasher {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Hasher")
            .field("config", &self.config)
            .field("pepper", &self.pepper.as_ref().map(|_| "[redacted]"))
            .field("max_length", &self.max_length)
            .field("normalization", &self.normalization)
            .finish_non_exhaustive()
    }
}

impl Hasher {
    /// A hasher with the policy's hashing parameters, maximum length and normalization.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidHashParams`] when the policy's hashing parameters are invalid.
    pub fn new(policy: &Policy) -> Result<Self> {
        let config = *policy.hashing();
        Ok(Self {
            params: config.validate()?,
            config,
            pepper: None,
            max_length: policy.max_length(),
            normalization: policy.normalization(),
        })
    }

    /// Use `pepper` as Argon2's secret input for hashing and verifying.
    #[must_use]
    pub fn with_pepper(mut self, pepper: Pepper) -> Self {
        self.pepper = Some(pepper);
        self
    }

    /// The hashing parameters in use.
    #[must_use]
    pub const fn params(&self) -> &HashParams {
        &self.config
    }

    /// Hash `password` with a fresh salt from the operating system's RNG.
    ///
    /// # Errors
    ///
    /// [`Error::PasswordTooLong`] (before any hashing) when the normalized password is
    /// longer than the policy's maximum, [`Error::Rng`] if the OS RNG fails,
    /// [`Error::Argon2`] if Argon2 cannot allocate its memory.
    pub fn hash(&self, password: &str) -> Result<PasswordHash> {
        let mut salt = [0u8; SALT_LENGTH];
        rand::rngs::SysRng
            .try_fill_bytes(&mut salt)
            .map_err(|_| Error::Rng)?;
        self.hash_with_salt(password, &salt)
    }

    /// Hash `password` with a salt drawn from `rng`.
    ///
    /// # Errors
    ///
    /// As [`Hasher::hash`].
    pub fn hash_with_rng<R: CryptoRng + ?Sized>(
        &self,
        password: &str,
        rng: &mut R,
    ) -> Result<PasswordHash> {
        let mut salt = [0u8; SALT_LENGTH];
        rng.fill_bytes(&mut salt);
        self.hash_with_salt(password, &salt)
    }

    fn hash_with_salt(&self, password: &str, salt: &[u8]) -> Result<PasswordHash> {
        let password = self.normalization.apply(password);
        self.check_length(&password)?;
        let mut output = Zeroizing::new([0u8; Output::MAX_LENGTH]);
        let length = usize::try_from(self.config.output_len)
            .unwrap_or(32)
            .min(Output::MAX_LENGTH);
        let out = &mut output[..length];
        self.argon2(Algorithm::Argon2id, Version::V0x13, self.params.clone())?
            .hash_password_into(password.as_bytes(), salt, out)?;
        let encoding = |_| Error::MalformedHash {
            reason: "could not encode the PHC string",
        };
        let phc = phc::PasswordHash {
            algorithm: Algorithm::Argon2id.ident(),
            version: Some(Version::V0x13.into()),
            params: ParamsString::try_from(&self.params).map_err(|_| Error::MalformedHash {
                reason: "could not encode the parameters",
            })?,
            salt: Some(Salt::new(salt).map_err(encoding)?),
            hash: Some(Output::new(out).map_err(encoding)?),
        };
        Ok(PasswordHash::new(phc.to_string()))
    }

    /// Verify `password` against a stored PHC string.
    ///
    /// The stored hash is untrusted: its parameters are checked against the configured
    /// maxima before any hashing, and the password's length against the policy's
    /// maximum. Accepts Argon2id, Argon2i and Argon2d, versions 0x13 and 0x10 (a
    /// missing version means 0x10, as in the reference implementation); anything other
    /// than the current configuration sets [`Verified::needs_rehash`].
    ///
    /// # Errors
    ///
    /// - [`Error::WrongPassword`] when the password does not match;
    /// - [`Error::PasswordTooLong`] when it is longer than the policy allows;
    /// - [`Error::MalformedHash`] or [`Error::UnsupportedAlgorithm`] for a bad PHC string;
    /// - [`Error::HashCostTooHigh`] when the hash asks for more than the limits allow;
    /// - [`Error::Argon2`] if Argon2 fails (for example cannot allocate its memory).
    pub fn verify(&self, password: &str, phc: &str) -> Result<Verified> {
        let password = self.normalization.apply(password);
        self.check_length(&password)?;
        let stored = Stored::parse(phc)?;
        self.check_limits(&stored.params)?;

        let mut output = Zeroizing::new([0u8; Output::MAX_LENGTH]);
        let expected = stored.hash.as_bytes();
        let out = output
            .get_mut(..expected.len())
            .ok_or(Error::MalformedHash {
                reason: "the hash output is too long",
            })?;
        self.argon2(stored.algorithm, stored.version, stored.params.clone())?
            .hash_password_into(password.as_bytes(), stored.salt.as_ref(), out)
            .map_err(|error| match error {
                argon2::Error::SaltTooShort | argon2::Error::SaltTooLong => Error::MalformedHash {
                    reason: "the salt has an invalid length",
                },
                argon2::Error::OutputTooShort | argon2::Error::OutputTooLong => {
                    Error::MalformedHash {
                        reason: "the hash output has an invalid length",
                    }
                }
                other => Error::Argon2(other),
            })?;
        if !bool::from(out.ct_eq(expected)) {
            return Err(Error::WrongPassword);
        }
        let needs_rehash = stored.algorithm != Algorithm::Argon2id
            || stored.version != Version::V0x13
            || stored.params.m_cost() != self.params.m_cost()
            || stored.params.t_cost() != self.params.t_cost()
            || stored.params.p_cost() != self.params.p_cost()
            || !stored.params.keyid().is_empty()
            || !stored.params.data().is_empty()
            || usize::try_from(self.config.output_len).ok() != Some(expected.len())
            || stored.salt.len() < SALT_LENGTH;
        Ok(Verified { needs_rehash })
    }

    fn check_length(&self, password: &str) -> Result<()> {
        // A cheap bound first: no string of fewer bytes can have more code points.
        if password.len() <= self.max_length {
            return Ok(());
        }
        let actual = code_points(password);
        if actual > self.max_length {
            return Err(Error::PasswordTooLong {
                max: self.max_length,
                actual,
            });
        }
        Ok(())
    }

    fn check_limits(&self, params: &Params) -> Result<()> {
        let limits = [
            ("m", params.m_cost(), self.config.max_memory_kib),
            ("t", params.t_cost(), self.config.max_iterations),
            ("p", params.p_cost(), self.config.max_parallelism),
        ];
        for (parameter, value, limit) in limits {
            if value > limit {
                return Err(Error::HashCostTooHigh {
                    parameter,
                    value,
                    limit,
                });
            }
        }
        Ok(())
    }

    fn argon2(&self, algorithm: Algorithm, version: Version, params: Params) -> Result<Argon2<'_>> {
        match &self.pepper {
            Some(pepper) => Ok(Argon2::new_with_secret(
                pepper.as_bytes(),
                algorithm,
                version,
                params,
            )?),
            None => Ok(Argon2::new(algorithm, version, params)),
        }
    }
}

/// A parsed, not yet trusted, stored hash.
struct Stored {
    algorithm: Algorithm,
    version: Version,
    params: Params,
    salt: Salt,
    hash: Output,
}

impl Stored {
    fn parse(phc: &str) -> Result<Self> {
        let malformed = |reason| Error::MalformedHash { reason };
        let parsed = phc::PasswordHash::new(phc).map_err(|error| malformed(phc_reason(&error)))?;
        let algorithm =
            Algorithm::new(parsed.algorithm.as_str()).map_err(|_| Error::UnsupportedAlgorithm {
                algorithm: parsed.algorithm.as_str().chars().take(32).collect(),
            })?;
        // The reference implementation (libargon2's encoding.c) reads a missing version
        // as 0x10.
        let version = match parsed.version {
            None => Version::V0x10,
            Some(number) => {
                Version::try_from(number).map_err(|_| malformed("unknown argon2 version"))?
            }
        };
        // The PHC parser keeps a repeated parameter (`p=2,p=1`) and argon2 reads its
        // last value: refused instead, as libargon2 refuses it, so a stored hash has
        // one reading.
        const NAMES: [&str; 5] = ["m", "t", "p", "keyid", "data"];
        let mut seen = [false; NAMES.len()];
        for (name, _) in parsed.params.iter() {
            let Some(index) = NAMES.iter().position(|known| *known == name.as_str()) else {
                return Err(malformed("unknown argon2 parameter"));
            };
            if seen[index] {
                return Err(malformed("a parameter is repeated"));
            }
            seen[index] = true;
        }
        for name in ["m", "t", "p"] {
            if parsed.params.get(name).is_none() {
                return Err(malformed("a parameter m, t or p is missing"));
            }
        }
        let params =
            Params::try_from(&parsed.params).map_err(|_| malformed("invalid argon2 parameters"))?;
        let salt = parsed.salt.ok_or(malformed("the salt is missing"))?;
        let hash = parsed.hash.ok_or(malformed("the hash output is missing"))?;
        Ok(Self {
            algorithm,
            version,
            params,
            salt,
            hash,
        })
    }
}

fn phc_reason(error: &phc::Error) -> &'static str {
    match error {
        phc::Error::MissingField => "a field is missing",
        phc::Error::OutputSize { .. } => "the hash output has an invalid length",
        phc::Error::SaltTooShort | phc::Error::SaltTooLong => "the salt has an invalid length",
        phc::Error::Base64(_) => "invalid base64",
        phc::Error::TrailingData => "unexpected data after the hash output",
        _ => "not a PHC string ($id$v=..$params$salt$hash)",
    }
}
