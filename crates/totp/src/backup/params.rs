//! Argon2id parameters, recorded in every stored set.

use argon2::{Algorithm, Argon2, Params, Version};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::error::{Error, Result};

/// Bytes of Argon2id output stored per code.
pub(crate) const HASH_LEN: usize = 32;

/// Bytes of the per-set random salt (NIST SP 800-63B §5.1.2.2 asks for at least 32 bits).
pub(crate) const SALT_LEN: usize = 16;

/// The only algorithm name written to, and accepted from, a stored set.
const ALGORITHM: &str = "argon2id";

/// Argon2 version 1.3 (RFC 9106 §3.1: `v = 0x13`).
const VERSION: u32 = 0x13;

/// Argon2id cost parameters for hashing backup codes (RFC 9106 §3.1).
///
/// They are recorded in each stored [`BackupCodes`](super::BackupCodes) set, so a set
/// made under older parameters keeps redeeming after the default changes.
///
/// # The default: 19 MiB, 2 passes, 1 lane
///
/// NIST SP 800-63B §5.1.2.2 asks that look-up secrets of fewer than 112 bits be
/// "salted and hashed using a suitable one-way key derivation function" with a salt of at
/// least 32 bits (we use 128 random bits per set), so that a stolen store resists an
/// offline search. A backup code carries 10·log2(31) ≈ 49.5 bits; with one salt per set
/// (see the [module docs](super)) a guess is tested against all ten codes at once, so an
/// offline attacker needs about 2^49.5 / 10 ≈ 2^46 derivations to expect a hit. The
/// default is the OWASP Password Storage Cheat Sheet's Argon2id baseline (m = 19 MiB,
/// t = 2, p = 1), also the `argon2` crate's default: roughly 20-40 ms on a server core,
/// which a rare redemption easily affords. Each guess must fill and reread 19 MiB, so a
/// GPU is bound by memory bandwidth to the order of ten thousand guesses a second:
/// 2^46 derivations is then about two centuries of one GPU's time, where a plain
/// SHA-256 (which §5.1.2.2 allows only for secrets of 112 bits or more) would fall in
/// hours. Passwords warrant heavier settings (people pick guessable ones); random codes
/// of ~50 bits do not need RFC 9106's memory-heavy profiles, and online guessing is for
/// rate limiting (§5.2.2), which the caller applies.
///
/// # Limits
///
/// `m_cost` is 8·`p_cost` KiB to 256 MiB, `t_cost` 1 to 16, `p_cost` 1 to 8: the
/// ceilings `countersign-password` puts on password hashing, since a backup code (random,
/// ~50 bits) never needs more work than a password a person chose. They bound what a
/// doctored store can make one redemption cost (the ceilings are a few seconds and
/// 256 MiB; 1 GiB and 32 passes took 53 s), and a stored set asking for more is refused
/// when it is read, before any hashing.
///
/// ```
/// use countersign_totp::backup::KdfParams;
///
/// let params = KdfParams::default();
/// assert_eq!((params.m_cost(), params.t_cost(), params.p_cost()), (19 * 1024, 2, 1));
/// assert!(KdfParams::new(4, 1, 1).is_err()); // less than 8 KiB
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "StoredParams", into = "StoredParams")]
pub struct KdfParams {
    m_cost: u32,
    t_cost: u32,
    p_cost: u32,
}

impl KdfParams {
    /// The default parameters: 19 MiB of memory, 2 passes, 1 lane (see the type docs).
    ///
    /// ```
    /// use countersign_totp::backup::KdfParams;
    ///
    /// assert_eq!((KdfParams::DEFAULT.m_cost(), KdfParams::DEFAULT.t_cost()), (19 * 1024, 2));
    /// ```
    pub const DEFAULT: Self = Self {
        m_cost: 19 * 1024,
        t_cost: 2,
        p_cost: 1,
    };

    /// Largest memory cost accepted, in KiB (256 MiB, as for passwords).
    ///
    /// ```
    /// use countersign_totp::backup::KdfParams;
    ///
    /// assert!(KdfParams::new(KdfParams::MAX_M_COST + 1, 1, 1).is_err());
    /// ```
    pub const MAX_M_COST: u32 = 256 * 1024;
    /// Largest number of passes accepted (16, as for passwords).
    ///
    /// ```
    /// use countersign_totp::backup::KdfParams;
    ///
    /// assert!(KdfParams::new(1024, KdfParams::MAX_T_COST + 1, 1).is_err());
    /// ```
    pub const MAX_T_COST: u32 = 16;
    /// Largest number of lanes accepted (8, as for passwords).
    ///
    /// ```
    /// use countersign_totp::backup::KdfParams;
    ///
    /// assert!(KdfParams::new(1024, 1, KdfParams::MAX_P_COST + 1).is_err());
    /// ```
    pub const MAX_P_COST: u32 = 8;

    /// Parameters with `m_cost` KiB of memory, `t_cost` passes and `p_cost` lanes.
    ///
    /// # Errors
    ///
    /// [`Error::BackupKdfParamOutOfRange`] when a value is outside the limits in the type
    /// docs (`m_cost` must also be at least 8·`p_cost`, as RFC 9106 §3.1 requires).
    ///
    /// ```
    /// use countersign_totp::backup::KdfParams;
    ///
    /// let params = KdfParams::new(64 * 1024, 3, 1)?;
    /// assert_eq!(params.m_cost(), 64 * 1024);
    /// assert!(KdfParams::new(7, 1, 1).is_err()); // below 8 KiB per lane (RFC 9106 §3.1)
    /// # Ok::<(), countersign_totp::Error>(())
    /// ```
    pub fn new(m_cost: u32, t_cost: u32, p_cost: u32) -> Result<Self> {
        let check = |name, value, min, max| {
            if (min..=max).contains(&value) {
                Ok(())
            } else {
                Err(Error::BackupKdfParamOutOfRange {
                    name,
                    value,
                    min,
                    max,
                })
            }
        };
        check("p_cost", p_cost, 1, Self::MAX_P_COST)?;
        check("t_cost", t_cost, 1, Self::MAX_T_COST)?;
        check("m_cost", m_cost, 8 * p_cost, Self::MAX_M_COST)?;
        Ok(Self {
            m_cost,
            t_cost,
            p_cost,
        })
    }

    /// Memory cost, in KiB.
    ///
    /// ```
    /// use countersign_totp::backup::KdfParams;
    ///
    /// assert_eq!(KdfParams::new(4096, 2, 1)?.m_cost(), 4096);
    /// # Ok::<(), countersign_totp::Error>(())
    /// ```
    #[must_use]
    pub const fn m_cost(&self) -> u32 {
        self.m_cost
    }

    /// Number of passes over memory.
    ///
    /// ```
    /// use countersign_totp::backup::KdfParams;
    ///
    /// assert_eq!(KdfParams::new(4096, 2, 1)?.t_cost(), 2);
    /// # Ok::<(), countersign_totp::Error>(())
    /// ```
    #[must_use]
    pub const fn t_cost(&self) -> u32 {
        self.t_cost
    }

    /// Degree of parallelism (lanes).
    ///
    /// ```
    /// use countersign_totp::backup::KdfParams;
    ///
    /// assert_eq!(KdfParams::new(4096, 2, 1)?.p_cost(), 1);
    /// assert_eq!(KdfParams::new(4096, 2, 2)?.p_cost(), 2);
    /// # Ok::<(), countersign_totp::Error>(())
    /// ```
    #[must_use]
    pub const fn p_cost(&self) -> u32 {
        self.p_cost
    }

    /// Argon2id of `code` under `salt`: the one key derivation a redemption costs.
    pub(crate) fn derive(
        &self,
        code: &[u8],
        salt: &[u8; SALT_LEN],
    ) -> Result<Zeroizing<[u8; HASH_LEN]>> {
        #[cfg(test)]
        DERIVATIONS.with(|count| count.set(count.get() + 1));
        let failed = |error: argon2::Error| Error::BackupKdfFailed {
            reason: error.to_string(),
        };
        let params =
            Params::new(self.m_cost, self.t_cost, self.p_cost, Some(HASH_LEN)).map_err(failed)?;
        let mut out = Zeroizing::new([0u8; HASH_LEN]);
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password_into(code, salt, out.as_mut())
            .map_err(failed)?;
        Ok(out)
    }
}

// Counts derivations on this thread, so unit tests can check the cost of a redemption
// exactly rather than by timing.
#[cfg(test)]
thread_local! {
    pub(crate) static DERIVATIONS: core::cell::Cell<usize> = const { core::cell::Cell::new(0) };
}

impl Default for KdfParams {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// The stored form: the algorithm and its version are written out so a later change of
/// algorithm is visible in the data, not guessed.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StoredParams {
    algorithm: String,
    version: u32,
    m_cost: u32,
    t_cost: u32,
    p_cost: u32,
}

impl From<KdfParams> for StoredParams {
    fn from(params: KdfParams) -> Self {
        Self {
            algorithm: ALGORITHM.to_owned(),
            version: VERSION,
            m_cost: params.m_cost,
            t_cost: params.t_cost,
            p_cost: params.p_cost,
        }
    }
}

impl TryFrom<StoredParams> for KdfParams {
    type Error = Error;

    fn try_from(stored: StoredParams) -> Result<Self> {
        if stored.algorithm != ALGORITHM || stored.version != VERSION {
            return Err(Error::BackupKdfUnsupported {
                algorithm: stored.algorithm,
                version: stored.version,
            });
        }
        Self::new(stored.m_cost, stored.t_cost, stored.p_cost)
    }
}
