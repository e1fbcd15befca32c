//! The state of a ceremony between its start and its finish.
//!
//! webauthn-rs asks that these stay server-side (a client that could edit one
//! could swap the challenge or the allowed credentials). This crate only makes
//! them serializable ([`to_json`](RegistrationState::to_json), `from_json`);
//! whoever keeps one outside the server must seal it (the `countersign` facade
//! encrypts and authenticates it under the server key, with an expiry and a
//! single-use id). `Debug` shows none of their content.

use core::fmt;

use webauthn_rs::prelude::{
    DiscoverableAuthentication, PasskeyAuthentication, PasskeyRegistration,
};

use crate::{Error, Result};

/// The most bytes of a state's JSON read back: a state with ten credentials is
/// a few kilobytes.
pub const MAX_STATE_LEN: usize = 64 * 1024;

macro_rules! state {
    ($(#[$doc:meta])* $name:ident($inner:ty), $what:literal) => {
        $(#[$doc])*
        #[derive(Clone)]
        pub struct $name(pub(crate) $inner);

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($name), "([redacted])"))
            }
        }

        impl $name {
            /// The state as JSON, to seal and keep until the finish.
            ///
            /// # Errors
            ///
            /// [`Error::CorruptState`] if it does not serialize (it always does).
            pub fn to_json(&self) -> Result<String> {
                serde_json::to_string(&self.0).map_err(|_| Error::CorruptState {
                    state: $what,
                    reason: "it does not serialize",
                })
            }

            /// The state from [`to_json`](Self::to_json)'s JSON.
            ///
            /// # Errors
            ///
            /// [`Error::CorruptState`] for anything else.
            pub fn from_json(json: &str) -> Result<Self> {
                if json.len() > MAX_STATE_LEN {
                    return Err(Error::CorruptState {
                        state: $what,
                        reason: "longer than 64 KiB",
                    });
                }
                serde_json::from_str(json).map(Self).map_err(|_| Error::CorruptState {
                    state: $what,
                    reason: "not the JSON of this ceremony's state",
                })
            }
        }
    };
}

state!(
    /// A registration started by
    /// [`RelyingParty::start_registration`](crate::RelyingParty::start_registration).
    RegistrationState(PasskeyRegistration),
    "passkey registration state"
);
state!(
    /// A sign-in started by
    /// [`RelyingParty::start_authentication`](crate::RelyingParty::start_authentication).
    AuthenticationState(PasskeyAuthentication),
    "passkey sign-in state"
);
state!(
    /// A passwordless sign-in started by
    /// [`RelyingParty::start_discoverable`](crate::RelyingParty::start_discoverable).
    DiscoverableState(DiscoverableAuthentication),
    "passwordless sign-in state"
);
