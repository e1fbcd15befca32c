#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod backup;
pub mod error;

pub use backup::{BackupCode, BackupCodes, BackupSettings, KdfParams, PlainCodes, Redeemed};
pub use error::{Error, Result};
