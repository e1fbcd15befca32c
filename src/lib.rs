#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![cfg_attr(not(test), warn(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub use countersign_password as password;
pub use countersign_permissions as permissions;
pub use countersign_security_code as security_code;
pub use countersign_totp as totp;
