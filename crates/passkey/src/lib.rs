#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod ceremony;
mod credential;
mod error;
mod relying_party;
mod user;

pub use ceremony::{AuthenticationState, DiscoverableState, MAX_STATE_LEN, RegistrationState};
pub use credential::{Credential, MAX_CREDENTIAL_ID_LEN, MIN_CREDENTIAL_ID_LEN};
pub use error::{Error, Refusal, Result};
pub use relying_party::{
    Authenticated, MAX_NAME_CHARS, MAX_RESPONSE_LEN, MAX_TIMEOUT_SECS, RelyingParty,
    check_rp_id_and_origin, is_rp_id,
};
pub use user::UserHandle;
