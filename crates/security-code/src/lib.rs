#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod address;
mod context;
mod date;
mod error;
mod hashed;
mod normalize;
mod phone;
mod policy;
mod profile;
mod report;
mod sealed;
mod secret;
mod sequence;
mod ssn;
mod verify;
mod words;

pub use argon2::Params as HashParams;
pub use context::Context;
pub use date::Date;
pub use error::{Error, Result};
pub use hashed::{HashedCode, MAX_ITERATIONS, MAX_MEMORY_KIB, MAX_PARALLELISM};
pub use policy::{Policy, PolicyConfig, SEEDS_MIN_LENGTH, check};
pub use report::{Finding, ReasonCode, Report, UnknownReasonCode};
pub use sealed::{FORMAT_VERSION, MAX_KEY_ID_LEN, SealedCode, SealingKey};
pub use secret::SecurityCode;
pub use verify::{Speech, StoredCode, Verification, Which, verify_caller};
