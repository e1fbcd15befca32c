#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod algorithm;
pub mod backup;
mod clock;
mod code;
mod error;
mod hotp;
mod migration;
#[cfg(feature = "qr")]
mod qr;
mod secret;
mod totp;
mod uri;
mod verifier;

pub use algorithm::Algorithm;
pub use backup::{BackupCode, BackupCodes, BackupSettings, KdfParams, PlainCodes, Redeemed};
pub use clock::{Clock, FixedClock, SystemClock};
pub use code::Code;
pub use error::{CharacterKind, Error, Result};
pub use hotp::Hotp;
pub use migration::{MAX_MIGRATION_KEYS, MAX_MIGRATION_LEN, MigratedKey, Migration};
pub use secret::Secret;
pub use totp::{Params, Totp};
pub use uri::{KeyUri, Kind, MAX_NAME_LEN, MAX_URI_LEN, UriWarning};
pub use verifier::{Config, Match, Verifier, Window};
