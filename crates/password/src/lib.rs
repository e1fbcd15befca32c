#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod blocklist;
mod breach;
mod context;
mod error;
mod hash;
mod normalize;
mod policy;
mod report;
mod secret;
#[cfg(feature = "strength")]
mod strength;

pub use blocklist::{Blocklist, COMMON_MIN_LENGTH, common_password_count};
pub use breach::{BreachHash, HashFile, MAX_RANGE_BYTES, RANGE_URL, RangePrefix};
pub use context::Context;
pub use error::{Error, Result};
pub use hash::{HashParams, Hasher, SALT_LENGTH, Verified};
pub use normalize::Normalization;
pub use policy::{
    CharacterClasses, DEFAULT_BREACH_THRESHOLD, HIGHEST_MAX_LENGTH, LOWEST_MAX_LENGTH,
    LOWEST_MIN_LENGTH, Policy,
};
pub use report::{
    Report, SPECIAL_CHARACTERS, Suggestion, SuggestionCode, Violation, ViolationCode,
};
pub use secret::{Password, PasswordHash, Pepper};
#[cfg(feature = "strength")]
pub use strength::{STRENGTH_PREFIX, Strength};

/// Check `password` against the seeds' portal policy ([`Policy::portal`]).
///
/// ```
/// use countersign_password::{check, Context, ViolationCode};
///
/// let report = check("joe.example.1", &Context::new("JOE.EXAMPLE.1"));
/// assert!(report.has(ViolationCode::SameAsUsername));
/// ```
#[must_use]
pub fn check(password: &str, context: &Context<'_>) -> Report {
    Policy::portal().check(password, context)
}
