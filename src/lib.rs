#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub use countersign_passkey as webauthn;
pub use countersign_password as password;
pub use countersign_permissions as permissions;
pub use countersign_security_code as security_code;
pub use countersign_totp as totp;

pub mod account;
pub mod authenticator;
pub mod breach;
pub mod client_grants;
pub mod deactivation;
pub mod device;
pub mod enrollment;
mod error;
pub mod gate;
mod hex;
pub mod key_ring;
pub mod login;
pub mod notice;
pub mod one_time;
pub mod passkey;
mod portal;
pub mod reset;
mod rotation;
mod sealed;
pub mod security_codes;
pub mod server_key;
pub mod throttle;
pub mod walkthrough;

pub use account::{Account, Profile};
pub use error::{Error, Result};
pub use gate::{Access, Gate, Permissions};
pub use key_ring::{KeyId, KeyRing};
pub use login::{LoginTicket, PasswordStep, PreparedTotp, SecondFactor, SignedIn, Via};
pub use portal::{
    DEFAULT_BACKUP_CODES_LOW_WATER, DEFAULT_ENROLLMENT_LIFETIME, DEFAULT_ISSUER,
    DEFAULT_LOGIN_TICKET_LIFETIME, Portal, Settings,
};
pub use sealed::SealedSecret;
pub use server_key::ServerKey;
