//! The crate's one error type.

/// A `Result` whose error is this crate's [`Error`].
pub type Result<T> = core::result::Result<T, Error>;

/// Everything that can go wrong in countersign-totp.
///
/// Each variant carries what went wrong, and its message says what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    // --- Backup codes: redeeming (what the person typed) -------------------------------
    /// The backup code typed was empty, or held only spaces and hyphens.
    #[error("no backup code was entered")]
    BackupCodeEmpty,

    /// The input is far longer than any backup code; it was refused before any hashing.
    #[error("backup code input is {len} bytes long; a backup code is at most {max} bytes")]
    BackupCodeTooLong {
        /// Length of the input, in bytes.
        len: usize,
        /// The longest input considered.
        max: usize,
    },

    /// The input holds a character that never appears in a backup code.
    #[error(
        "'{character}' (character {position} of the input) is not in any backup code; codes use \
         lower-case letters and digits 2-9, never 0, O, 1, I or l"
    )]
    BackupCodeInvalidCharacter {
        /// The offending character, as typed.
        character: char,
        /// Its position in the input, counted in characters from 1.
        position: usize,
    },

    /// After spaces and hyphens are removed, the input does not have a backup code's length.
    #[error("a backup code has {expected} letters and digits; {len} were entered")]
    BackupCodeWrongLength {
        /// Letters and digits entered.
        len: usize,
        /// Letters and digits in a backup code.
        expected: usize,
    },

    /// The code is well formed but is none of this set's codes.
    #[error("that is not one of your backup codes ({remaining} unused codes remain)")]
    BackupCodeWrong {
        /// Unused codes left in the set.
        remaining: usize,
    },

    /// The code was one of this set's codes but has already been used; a code works once.
    #[error(
        "that backup code was already used (at unix time {used_at}); each code works once \
         ({remaining} unused codes remain)"
    )]
    BackupCodeUsed {
        /// When the code was redeemed, in seconds since the Unix epoch.
        used_at: u64,
        /// Unused codes left in the set.
        remaining: usize,
    },

    // --- Backup codes: generating and storing ------------------------------------------
    /// The number of codes asked for is outside the supported range.
    #[error("a backup code set holds {min} to {max} codes, not {count}")]
    BackupCountOutOfRange {
        /// The number asked for (or found in a stored set).
        count: usize,
        /// The smallest set allowed.
        min: usize,
        /// The largest set allowed.
        max: usize,
    },

    /// An Argon2id parameter is outside the range this crate accepts.
    #[error("Argon2id parameter {name} = {value} is out of range ({min} to {max})")]
    BackupKdfParamOutOfRange {
        /// The parameter: `m_cost` (KiB), `t_cost` (passes) or `p_cost` (lanes).
        name: &'static str,
        /// The value given.
        value: u32,
        /// The smallest value accepted.
        min: u32,
        /// The largest value accepted.
        max: u32,
    },

    /// A stored set names a key-derivation function this crate does not implement.
    #[error(
        "backup codes hashed with {algorithm} version {version} are not supported; \
         only argon2id version 19 (0x13) is"
    )]
    BackupKdfUnsupported {
        /// The algorithm named in the stored set.
        algorithm: String,
        /// The algorithm version named in the stored set.
        version: u32,
    },

    /// A stored set is damaged: a field cannot be decoded or breaks an invariant.
    #[error("the stored backup codes are damaged: {reason}")]
    BackupStoreCorrupt {
        /// What is wrong with it.
        reason: String,
    },

    /// The random generator handed out the same code again and again: it is not a CSPRNG.
    #[error(
        "the random generator repeated itself {attempts} times while drawing backup codes; \
         use a cryptographically secure generator"
    )]
    BackupRandomnessFailed {
        /// Draws made before giving up.
        attempts: usize,
    },

    /// Argon2id itself failed (for instance, the memory it needs could not be allocated).
    #[error("Argon2id hashing of a backup code failed: {reason}")]
    BackupKdfFailed {
        /// The reason given by the Argon2 implementation.
        reason: String,
    },
}
