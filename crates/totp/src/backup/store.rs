//! The stored set: Argon2id hashes only, one salt, one derivation per redemption.

use core::fmt::Write as _;

use rand::CryptoRng;
use serde::{Deserialize, Serialize};
use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};

use super::code::{BackupCode, PlainCodes, normalize};
use super::params::{HASH_LEN, KdfParams, SALT_LEN};
use crate::error::{Error, Result};

/// Attempts at drawing one new, distinct code before the generator is declared broken.
const DRAW_ATTEMPTS: usize = 16;

/// How many codes to generate and how to hash them.
///
/// ```
/// use countersign_totp::backup::{BackupSettings, KdfParams};
///
/// let settings = BackupSettings { count: 16, ..BackupSettings::default() };
/// assert_eq!(settings.params, KdfParams::default());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct BackupSettings {
    /// Codes per set, [`BackupCodes::MIN_COUNT`] to [`BackupCodes::MAX_COUNT`]; 10 by default.
    pub count: usize,
    /// Argon2id parameters for new sets; [`KdfParams::DEFAULT`] by default.
    pub params: KdfParams,
}

impl Default for BackupSettings {
    fn default() -> Self {
        Self {
            count: BackupCodes::DEFAULT_COUNT,
            params: KdfParams::DEFAULT,
        }
    }
}

/// A successful redemption.
///
/// ```
/// # fn main() -> countersign_totp::Result<()> {
/// use countersign_totp::backup::{BackupSettings, KdfParams};
/// use countersign_totp::{BackupCodes, Redeemed};
///
/// let cheap = BackupSettings { count: 2, params: KdfParams::new(8, 1, 1)? };
/// let (mut store, codes) = BackupCodes::generate_with(&cheap, &mut rand::rng(), 0)?;
/// let redeemed: Redeemed = store.redeem(codes.iter().next().unwrap().expose(), 1)?;
/// assert_eq!(redeemed.remaining, 1);
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Redeemed {
    /// Unused codes left in the set after this one.
    pub remaining: usize,
}

/// One stored code: its hash and when it was used.
#[derive(Clone, PartialEq, Eq)]
struct Slot {
    hash: [u8; HASH_LEN],
    used_at: Option<u64>,
}

impl core::fmt::Debug for Slot {
    /// The hash is an offline-guessable stand-in for the code: never printed.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Slot")
            .field("hash", &"[redacted]")
            .field("used_at", &self.used_at)
            .finish()
    }
}

/// A stored set of backup codes: Argon2id hashes only, never a plain code.
///
/// Serialize it (serde) with the account; the plain codes come back once, from
/// [`generate`](Self::generate), for display. See the [module docs](super) for the
/// design and its trade-off.
///
/// ```
/// # fn main() -> countersign_totp::Result<()> {
/// use countersign_totp::BackupCodes;
///
/// let now = 1_700_000_000;
/// let (mut store, codes) = BackupCodes::generate(now)?;
/// let first = codes.iter().next().unwrap().expose().to_uppercase();
/// assert_eq!(store.redeem(&first, now + 60)?.remaining, 9);
/// assert!(store.redeem(&first, now + 120).is_err()); // a code works once
/// # Ok(()) }
/// ```
///
/// `Debug` shows the parameters and the counts, never the salt or a hash: with them
/// an attacker can search for the codes offline.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "StoredCodes", into = "StoredCodes")]
pub struct BackupCodes {
    params: KdfParams,
    salt: [u8; SALT_LEN],
    generated_at: u64,
    slots: Vec<Slot>,
}

impl core::fmt::Debug for BackupCodes {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("BackupCodes")
            .field("params", &self.params)
            .field("salt", &"[redacted]")
            .field("generated_at", &self.generated_at)
            .field("total", &self.slots.len())
            .field("remaining", &self.remaining())
            .finish()
    }
}

impl BackupCodes {
    /// Codes in a set unless told otherwise.
    ///
    /// ```
    /// use countersign_totp::{backup::BackupSettings, BackupCodes};
    ///
    /// assert_eq!(BackupSettings::default().count, BackupCodes::DEFAULT_COUNT);
    /// ```
    pub const DEFAULT_COUNT: usize = 10;
    /// The smallest set.
    ///
    /// ```
    /// # fn main() -> countersign_totp::Result<()> {
    /// use countersign_totp::backup::{BackupSettings, KdfParams};
    /// use countersign_totp::BackupCodes;
    ///
    /// let cheap = BackupSettings { count: BackupCodes::MIN_COUNT - 1, params: KdfParams::new(8, 1, 1)? }; // for the example only
    /// assert!(BackupCodes::generate_with(&cheap, &mut rand::rng(), 0).is_err());
    /// # Ok(()) }
    /// ```
    pub const MIN_COUNT: usize = 1;
    /// The largest set (also enforced on stored sets, so a doctored one cannot grow).
    ///
    /// ```
    /// # fn main() -> countersign_totp::Result<()> {
    /// use countersign_totp::backup::{BackupSettings, KdfParams};
    /// use countersign_totp::BackupCodes;
    ///
    /// let cheap = BackupSettings { count: BackupCodes::MAX_COUNT + 1, params: KdfParams::new(8, 1, 1)? }; // for the example only
    /// assert!(BackupCodes::generate_with(&cheap, &mut rand::rng(), 0).is_err());
    /// # Ok(()) }
    /// ```
    pub const MAX_COUNT: usize = 100;

    /// Generates a set with the default settings (10 codes, [`KdfParams::DEFAULT`]) from
    /// the thread-local CSPRNG, which is seeded by the operating system.
    ///
    /// Returns the stored form and the plain codes; show the codes once and drop them.
    /// `now` (seconds since the Unix epoch) is recorded as the generation time.
    ///
    /// # Errors
    ///
    /// [`Error::BackupKdfFailed`] if Argon2id cannot run (memory exhausted).
    ///
    /// ```
    /// # fn main() -> countersign_totp::Result<()> {
    /// let (store, codes) = countersign_totp::BackupCodes::generate(1_700_000_000)?;
    /// assert_eq!((store.remaining(), codes.len()), (10, 10));
    /// # Ok(()) }
    /// ```
    pub fn generate(now: u64) -> Result<(Self, PlainCodes)> {
        Self::generate_with(&BackupSettings::default(), &mut rand::rng(), now)
    }

    /// Generates a set of `settings.count` codes hashed under `settings.params`, drawing
    /// the codes and the salt from `rng`.
    ///
    /// Costs one Argon2id derivation per code.
    ///
    /// # Errors
    ///
    /// [`Error::BackupCountOutOfRange`] for a count outside
    /// [`MIN_COUNT`](Self::MIN_COUNT)..=[`MAX_COUNT`](Self::MAX_COUNT);
    /// [`Error::BackupRandomnessFailed`] if `rng` keeps repeating codes (it is not a
    /// CSPRNG); [`Error::BackupKdfFailed`] if Argon2id cannot run.
    ///
    /// ```
    /// # fn main() -> countersign_totp::Result<()> {
    /// use countersign_totp::backup::{BackupSettings, KdfParams};
    /// use countersign_totp::BackupCodes;
    ///
    /// let cheap = BackupSettings { count: 3, params: KdfParams::new(8, 1, 1)? }; // for the example only
    /// let (store, codes) = BackupCodes::generate_with(&cheap, &mut rand::rng(), 1_700_000_000)?;
    /// assert_eq!((store.total(), codes.len()), (3, 3));
    /// # Ok(()) }
    /// ```
    pub fn generate_with<R: CryptoRng + ?Sized>(
        settings: &BackupSettings,
        rng: &mut R,
        now: u64,
    ) -> Result<(Self, PlainCodes)> {
        check_count(settings.count)?;
        let mut salt = [0u8; SALT_LEN];
        rng.fill_bytes(&mut salt);
        let mut codes: Vec<BackupCode> = Vec::with_capacity(settings.count);
        let mut slots = Vec::with_capacity(settings.count);
        while codes.len() < settings.count {
            let (code, symbols) = draw_distinct(rng, &codes)?;
            let hash = settings.params.derive(symbols.as_ref(), &salt)?;
            slots.push(Slot {
                hash: *hash,
                used_at: None,
            });
            codes.push(code);
        }
        let store = Self {
            params: settings.params,
            salt,
            generated_at: now,
            slots,
        };
        Ok((store, PlainCodes::new(codes)))
    }

    /// Replaces this set entirely with a new one (new codes, new salt, `settings`'
    /// parameters); no code of the old set works afterwards. Returns the new plain codes.
    ///
    /// On error the old set is left as it was.
    ///
    /// # Errors
    ///
    /// As [`generate_with`](Self::generate_with).
    ///
    /// ```
    /// # fn main() -> countersign_totp::Result<()> {
    /// use countersign_totp::backup::{BackupSettings, KdfParams};
    /// use countersign_totp::BackupCodes;
    ///
    /// let cheap = BackupSettings { count: 3, params: KdfParams::new(8, 1, 1)? }; // for the example only
    /// let (mut store, old) = BackupCodes::generate_with(&cheap, &mut rand::rng(), 0)?;
    /// let new = store.regenerate(&cheap, &mut rand::rng(), 10)?;
    /// let old_code = old.iter().next().unwrap().expose();
    /// assert!(store.redeem(old_code, 20).is_err());
    /// assert!(store.redeem(new.iter().next().unwrap().expose(), 20).is_ok());
    /// # Ok(()) }
    /// ```
    pub fn regenerate<R: CryptoRng + ?Sized>(
        &mut self,
        settings: &BackupSettings,
        rng: &mut R,
        now: u64,
    ) -> Result<PlainCodes> {
        let (store, codes) = Self::generate_with(settings, rng, now)?;
        *self = store;
        Ok(codes)
    }

    /// Redeems the code a person typed: on success marks it used (at `now`, seconds since
    /// the Unix epoch) and says how many unused codes remain.
    ///
    /// Case, spaces and hyphens in `input` do not matter. A well-formed input costs
    /// exactly one Argon2id derivation, whatever the number of codes, and is compared in
    /// constant time against every stored hash; an input that cannot be a code is refused
    /// before any hashing.
    ///
    /// NIST SP 800-63B §5.1.2.2 asks for rate limiting of look-up secrets under 64 bits;
    /// count failures per account in the caller (the facade does).
    ///
    /// # Errors
    ///
    /// Before hashing: [`Error::BackupCodeTooLong`] (over
    /// [`MAX_INPUT_LEN`](super::MAX_INPUT_LEN) bytes), [`Error::BackupCodeInvalidCharacter`],
    /// [`Error::BackupCodeEmpty`], [`Error::BackupCodeWrongLength`]. After it:
    /// [`Error::BackupCodeWrong`] (not a code of this set), [`Error::BackupCodeUsed`]
    /// (a code of this set, already redeemed), [`Error::BackupKdfFailed`].
    ///
    /// ```
    /// # fn main() -> countersign_totp::Result<()> {
    /// use countersign_totp::backup::{BackupSettings, KdfParams};
    /// use countersign_totp::BackupCodes;
    ///
    /// let cheap = BackupSettings { count: 3, params: KdfParams::new(8, 1, 1)? }; // for the example only
    /// let (mut store, codes) = BackupCodes::generate_with(&cheap, &mut rand::rng(), 0)?;
    /// let typed = codes.iter().next().unwrap().expose().to_uppercase();
    /// assert_eq!(store.redeem(&typed, 60)?.remaining, 2);
    /// # Ok(()) }
    /// ```
    pub fn redeem(&mut self, input: &str, now: u64) -> Result<Redeemed> {
        let symbols = normalize(input)?;
        let derived = self.params.derive(symbols.as_ref(), &self.salt)?;

        // One pass over every slot, used or not, with no early exit: the time taken does
        // not depend on which code matched, or whether one did.
        let mut found = Choice::from(0);
        let mut matched: u64 = 0;
        for (index, slot) in (0u64..).zip(&self.slots) {
            let equal = slot.hash.ct_eq(&*derived);
            matched.conditional_assign(&index, equal);
            found |= equal;
        }
        let remaining = self.remaining();
        if !bool::from(found) {
            return Err(Error::BackupCodeWrong { remaining });
        }
        let slot = usize::try_from(matched)
            .ok()
            .and_then(|index| self.slots.get_mut(index))
            .ok_or(Error::BackupCodeWrong { remaining })?;
        // RFC-style one-time use (NIST SP 800-63B §5.1.2.2: "a given secret ... SHALL be
        // used successfully only once").
        if let Some(used_at) = slot.used_at {
            return Err(Error::BackupCodeUsed { used_at, remaining });
        }
        slot.used_at = Some(now);
        Ok(Redeemed {
            remaining: remaining.saturating_sub(1),
        })
    }

    /// Unused codes left.
    ///
    /// ```
    /// # fn main() -> countersign_totp::Result<()> {
    /// use countersign_totp::backup::{BackupSettings, KdfParams};
    /// use countersign_totp::BackupCodes;
    ///
    /// let cheap = BackupSettings { count: 3, params: KdfParams::new(8, 1, 1)? }; // for the example only
    /// let (mut store, codes) = BackupCodes::generate_with(&cheap, &mut rand::rng(), 0)?;
    /// store.redeem(codes.iter().next().unwrap().expose(), 60)?;
    /// assert_eq!(store.remaining(), 2);
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn remaining(&self) -> usize {
        self.slots
            .iter()
            .filter(|slot| slot.used_at.is_none())
            .count()
    }

    /// Codes in the set, used or not.
    ///
    /// ```
    /// # fn main() -> countersign_totp::Result<()> {
    /// use countersign_totp::backup::{BackupSettings, KdfParams};
    /// use countersign_totp::BackupCodes;
    ///
    /// let cheap = BackupSettings { count: 3, params: KdfParams::new(8, 1, 1)? }; // for the example only
    /// let (store, _codes) = BackupCodes::generate_with(&cheap, &mut rand::rng(), 0)?;
    /// assert_eq!(store.total(), 3);
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn total(&self) -> usize {
        self.slots.len()
    }

    /// The Argon2id parameters this set was hashed with.
    ///
    /// ```
    /// # fn main() -> countersign_totp::Result<()> {
    /// use countersign_totp::backup::{BackupSettings, KdfParams};
    /// use countersign_totp::BackupCodes;
    ///
    /// let cheap = BackupSettings { count: 3, params: KdfParams::new(8, 1, 1)? }; // for the example only
    /// let (store, _codes) = BackupCodes::generate_with(&cheap, &mut rand::rng(), 0)?;
    /// assert_eq!(store.params(), &cheap.params);
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn params(&self) -> &KdfParams {
        &self.params
    }

    /// When the set was generated, in seconds since the Unix epoch.
    ///
    /// ```
    /// # fn main() -> countersign_totp::Result<()> {
    /// use countersign_totp::backup::{BackupSettings, KdfParams};
    /// use countersign_totp::BackupCodes;
    ///
    /// let cheap = BackupSettings { count: 3, params: KdfParams::new(8, 1, 1)? }; // for the example only
    /// let (store, _codes) = BackupCodes::generate_with(&cheap, &mut rand::rng(), 1_700_000_000)?;
    /// assert_eq!(store.generated_at(), 1_700_000_000);
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn generated_at(&self) -> u64 {
        self.generated_at
    }

    /// When each code was used (`None` while unused), in the order of the plain codes.
    ///
    /// ```
    /// # fn main() -> countersign_totp::Result<()> {
    /// use countersign_totp::backup::{BackupSettings, KdfParams};
    /// use countersign_totp::BackupCodes;
    ///
    /// let cheap = BackupSettings { count: 3, params: KdfParams::new(8, 1, 1)? }; // for the example only
    /// let (mut store, codes) = BackupCodes::generate_with(&cheap, &mut rand::rng(), 0)?;
    /// store.redeem(codes.iter().next().unwrap().expose(), 60)?;
    /// assert_eq!(store.used_at().flatten().collect::<Vec<_>>(), [60]);
    /// # Ok(()) }
    /// ```
    pub fn used_at(&self) -> impl Iterator<Item = Option<u64>> + '_ {
        self.slots.iter().map(|slot| slot.used_at)
    }
}

fn check_count(count: usize) -> Result<()> {
    if (BackupCodes::MIN_COUNT..=BackupCodes::MAX_COUNT).contains(&count) {
        Ok(())
    } else {
        Err(Error::BackupCountOutOfRange {
            count,
            min: BackupCodes::MIN_COUNT,
            max: BackupCodes::MAX_COUNT,
        })
    }
}

/// Draws a code unlike every one in `taken` (codes of a set must differ: they share a
/// salt, so two equal codes would have one hash and redeem as one).
fn draw_distinct<R: CryptoRng + ?Sized>(
    rng: &mut R,
    taken: &[BackupCode],
) -> Result<(BackupCode, zeroize::Zeroizing<[u8; super::CODE_LEN]>)> {
    for _ in 0..DRAW_ATTEMPTS {
        if let Some((code, symbols)) = BackupCode::draw(rng)
            && !taken.contains(&code)
        {
            return Ok((code, symbols));
        }
    }
    Err(Error::BackupRandomnessFailed {
        attempts: DRAW_ATTEMPTS,
    })
}

/// The serialized shape. Hashes and the salt are lower-case hex: the alphabet of codes
/// has letters hex lacks, so no code can hide in the text by accident.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StoredCodes {
    kdf: KdfParams,
    salt: String,
    generated_at: u64,
    codes: Vec<StoredSlot>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StoredSlot {
    hash: String,
    used_at: Option<u64>,
}

impl From<BackupCodes> for StoredCodes {
    fn from(store: BackupCodes) -> Self {
        Self {
            kdf: store.params,
            salt: to_hex(&store.salt),
            generated_at: store.generated_at,
            codes: store
                .slots
                .iter()
                .map(|slot| StoredSlot {
                    hash: to_hex(&slot.hash),
                    used_at: slot.used_at,
                })
                .collect(),
        }
    }
}

impl TryFrom<StoredCodes> for BackupCodes {
    type Error = Error;

    fn try_from(stored: StoredCodes) -> Result<Self> {
        check_count(stored.codes.len())?;
        let salt = from_hex(&stored.salt, "salt")?;
        let mut slots: Vec<Slot> = Vec::with_capacity(stored.codes.len());
        for (number, code) in (1..).zip(stored.codes) {
            let hash = from_hex(&code.hash, "hash")?;
            // Equal hashes under one salt would let one code redeem twice.
            if slots.iter().any(|slot| slot.hash == hash) {
                return Err(Error::BackupStoreCorrupt {
                    reason: format!("code {number} has the same hash as an earlier code"),
                });
            }
            slots.push(Slot {
                hash,
                used_at: code.used_at,
            });
        }
        Ok(Self {
            params: stored.kdf,
            salt,
            generated_at: stored.generated_at,
            slots,
        })
    }
}

fn to_hex(bytes: &[u8]) -> String {
    let mut text = String::with_capacity(2 * bytes.len());
    for byte in bytes {
        let _ = write!(text, "{byte:02x}");
    }
    text
}

fn from_hex<const N: usize>(text: &str, field: &str) -> Result<[u8; N]> {
    let corrupt = || Error::BackupStoreCorrupt {
        reason: format!("{field} must be {} hexadecimal digits", 2 * N),
    };
    if text.len() != 2 * N {
        return Err(corrupt());
    }
    let mut bytes = [0u8; N];
    let digit = |c: u8| {
        char::from(c)
            .to_digit(16)
            .and_then(|d| u8::try_from(d).ok())
    };
    for (byte, pair) in bytes.iter_mut().zip(text.as_bytes().chunks_exact(2)) {
        let (high, low) = digit(pair[0]).zip(digit(pair[1])).ok_or_else(corrupt)?;
        *byte = (high << 4) | low;
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    use super::*;
    use crate::backup::params::DERIVATIONS;

    #[test]
    fn a_slots_debug_never_shows_its_hash() {
        // No code path prints a slot today; this impl is the guard that keeps a
        // future `Debug` of the slots from printing offline-guessable hashes.
        let slot = Slot {
            hash: [0xab; HASH_LEN],
            used_at: Some(5),
        };
        assert_eq!(
            format!("{slot:?}"),
            r#"Slot { hash: "[redacted]", used_at: Some(5) }"#
        );
    }

    /// Argon2id runs made by `f`, counted exactly.
    fn derivations<T>(f: impl FnOnce() -> T) -> (T, usize) {
        let before = DERIVATIONS.with(core::cell::Cell::get);
        let value = f();
        (value, DERIVATIONS.with(core::cell::Cell::get) - before)
    }

    #[test]
    fn a_redemption_costs_one_derivation_whatever_is_left() {
        let settings = BackupSettings {
            count: 10,
            params: KdfParams::new(8, 1, 1).unwrap(),
        };
        let ((mut store, codes), made) = derivations(|| {
            BackupCodes::generate_with(&settings, &mut StdRng::seed_from_u64(1), 0).unwrap()
        });
        assert_eq!(made, 10, "one per code at generation");
        let codes: Vec<String> = codes.iter().map(|code| code.expose().to_owned()).collect();
        for code in &codes {
            let (outcome, cost) = derivations(|| store.redeem("zzzzz-zzzzz", 1));
            assert_eq!(
                (outcome.is_err(), cost),
                (true, 1),
                "wrong code, {} left",
                store.remaining()
            );
            let (outcome, cost) = derivations(|| store.redeem(code, 1));
            assert_eq!((outcome.is_ok(), cost), (true, 1), "right code");
            let (outcome, cost) = derivations(|| store.redeem(code, 1));
            assert_eq!((outcome.is_err(), cost), (true, 1), "used code");
        }
        let long = "a".repeat(1 << 20);
        for malformed in ["", "abc", "abcde-fghj0", long.as_str()] {
            let (outcome, cost) = derivations(|| store.redeem(malformed, 1));
            assert_eq!(
                (outcome.is_err(), cost),
                (true, 0),
                "{:?}",
                &malformed[..malformed.len().min(12)]
            );
        }
    }
}
