//! The crate's one error type.

/// `Result` with this crate's [`Error`].
pub type Result<T> = core::result::Result<T, Error>;

/// Everything that can go wrong configuring a policy, hashing or verifying.
///
/// A password that merely fails the policy is not an error: [`crate::Policy::check`]
/// returns a [`crate::Report`] listing what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A policy setting is out of range (for example a maximum length below 64).
    #[error("invalid password policy: {setting} is {value}, but {requirement}")]
    InvalidPolicy {
        /// The setting's name as it appears in the configuration.
        setting: &'static str,
        /// The value given.
        value: u64,
        /// What the setting must satisfy.
        requirement: &'static str,
    },
    /// The hashing parameters are invalid for Argon2 or exceed the configured limits.
    #[error("invalid hashing parameters: {setting} is {value}, but {requirement}")]
    InvalidHashParams {
        /// The parameter's name as it appears in the configuration.
        setting: &'static str,
        /// The value given.
        value: u64,
        /// What the parameter must satisfy.
        requirement: &'static str,
    },
    /// The password is longer than the policy's maximum; it is refused, never truncated
    /// (NIST SP 800-63B §3.1.1.2), and nothing was hashed.
    #[error("the password has {actual} characters, more than the maximum of {max}")]
    PasswordTooLong {
        /// The policy's maximum, in code points.
        max: usize,
        /// The password's length after normalization, in code points.
        actual: usize,
    },
    /// The stored hash is not a well-formed Argon2 PHC string.
    #[error("malformed password hash: {reason}")]
    MalformedHash {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The stored hash names an algorithm this crate does not verify.
    #[error(
        "unsupported password hash algorithm `{algorithm}` (expected argon2id, argon2i or argon2d)"
    )]
    UnsupportedAlgorithm {
        /// The algorithm identifier found in the PHC string (at most 32 characters).
        algorithm: String,
    },
    /// The stored hash asks for more work than the configured limits allow; it was refused
    /// before any hashing, since a stored hash is untrusted input.
    #[error(
        "the stored hash asks for {parameter} = {value}, above the configured limit of {limit}"
    )]
    HashCostTooHigh {
        /// `m` (memory in KiB), `t` (iterations) or `p` (parallelism).
        parameter: &'static str,
        /// The value in the stored hash.
        value: u32,
        /// The configured limit.
        limit: u32,
    },
    /// The password does not match the stored hash.
    #[error("the password does not match")]
    WrongPassword,
    /// The pepper is empty or longer than Argon2 allows.
    #[error("invalid pepper: {reason}")]
    InvalidPepper {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The operating system's random number generator failed.
    #[error("the system random number generator failed")]
    Rng,
    /// A range response of the Pwned Passwords API is not `SUFFIX:COUNT` lines.
    #[error("malformed breach range response, line {line}: {reason}")]
    MalformedRange {
        /// The 1-based line number.
        line: usize,
        /// What is wrong with the line.
        reason: &'static str,
    },
    /// A range response is larger than any real one; it was refused unread.
    #[error("the breach range response has {size} bytes, more than the limit of {limit}")]
    RangeTooLarge {
        /// Its size in bytes.
        size: usize,
        /// [`crate::MAX_RANGE_BYTES`].
        limit: usize,
    },
    /// A hash given for a breach check is not 40 hex digits.
    #[error("a password's SHA-1 must be 40 hex digits")]
    MalformedBreachHash,
    /// A local file of breached-password hashes has a line that is not `HASH:COUNT`,
    /// or lines out of order, where it was searched.
    #[error("malformed breached-password file at byte {offset}: {reason}")]
    MalformedHashFile {
        /// The byte offset of the line.
        offset: u64,
        /// What is wrong there.
        reason: &'static str,
    },
    /// Reading a local file of breached-password hashes failed.
    #[error("could not read the breached-password file: {message}")]
    HashFileRead {
        /// The kind of I/O error.
        kind: std::io::ErrorKind,
        /// The I/O error's message.
        message: String,
    },
    /// Argon2 itself failed (for example it could not allocate its memory).
    #[error("argon2 failed: {0}")]
    Argon2(argon2::Error),
}

impl From<argon2::Error> for Error {
    fn from(error: argon2::Error) -> Self {
        Self::Argon2(error)
    }
}
