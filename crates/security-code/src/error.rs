//! The crate's one error type.

use crate::report::Report;

/// What went wrong in this crate. Policy *findings* are not errors: they are
/// reported in a [`Report`]; an error is bad input or a failed cryptographic step.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A calendar date that does not exist or is out of the supported range.
    #[error("invalid date {input:?}: {reason}")]
    InvalidDate {
        /// The text or numbers given.
        input: String,
        /// Why it is not a date.
        reason: &'static str,
    },
    /// A policy whose settings contradict each other or the seeds' floor.
    #[error("invalid security-code policy: {reason}")]
    InvalidPolicy {
        /// Which setting is wrong and what it must be.
        reason: String,
    },
    /// The code breaks the policy; the report names every reason.
    #[error("the security code was refused: {}", report.summary())]
    Refused {
        /// Every violation and warning.
        report: Box<Report>,
    },
    /// A key id that is empty, too long or not printable ASCII.
    #[error("invalid key id: {reason}")]
    InvalidKeyId {
        /// What the key id must be.
        reason: &'static str,
    },
    /// Sealed bytes shorter than their format requires.
    #[error("sealed code is truncated: {len} bytes, at least {needed} needed")]
    Truncated {
        /// Bytes given.
        len: usize,
        /// Bytes the header says are needed at least.
        needed: usize,
    },
    /// Bytes that are not a sealed security code at all.
    #[error("not a sealed security code (bad magic bytes)")]
    UnknownFormat,
    /// A sealed code written by a newer format version.
    #[error(
        "sealed code format version {version} is not supported (this library reads version {supported})"
    )]
    UnsupportedVersion {
        /// The version found.
        version: u8,
        /// The version this library reads and writes.
        supported: u8,
    },
    /// Hex text of a sealed code that is not hex.
    #[error("sealed code text is not hex at character {position}")]
    InvalidEncoding {
        /// Zero-based character index of the first bad character.
        position: usize,
    },
    /// The code was sealed under another key: rotate in that key to open it.
    #[error("sealed with key {sealed_with:?}, but key {given:?} was given")]
    KeyMismatch {
        /// The key id recorded in the seal.
        sealed_with: String,
        /// The key id of the key given.
        given: String,
    },
    /// Authentication failed: the seal was altered, or the key is wrong for its id.
    #[error("sealed code failed authentication: it was altered, or the key does not match its id")]
    Tampered,
    /// The random number generator failed.
    #[error("random number generator failed")]
    Randomness,
    /// A stored Argon2id hash asks for more work than [`HashedCode`](crate::HashedCode)
    /// accepts: refused before any hashing, since a stored hash is untrusted input.
    #[error(
        "stored Argon2id hash asks for m={memory_kib} KiB, t={iterations}, p={parallelism}; \
         the limits are m <= {max_memory_kib} KiB, t <= {max_iterations}, p <= {max_parallelism}"
    )]
    HashCostTooHigh {
        /// Memory the hash asks for, in KiB.
        memory_kib: u32,
        /// Passes the hash asks for.
        iterations: u32,
        /// Lanes the hash asks for.
        parallelism: u32,
        /// The memory limit, in KiB.
        max_memory_kib: u32,
        /// The pass limit.
        max_iterations: u32,
        /// The lane limit.
        max_parallelism: u32,
    },
    /// A stored Argon2id hash that cannot be parsed or whose parameters are invalid.
    #[error("invalid Argon2id hash: {reason}")]
    InvalidHash {
        /// The parser's reason.
        reason: String,
    },
    /// Argon2id failed (parameters out of range).
    #[error("Argon2id hashing failed: {reason}")]
    Hashing {
        /// The underlying reason.
        reason: String,
    },
}

/// `Result` with this crate's [`Error`].
pub type Result<T> = core::result::Result<T, Error>;
