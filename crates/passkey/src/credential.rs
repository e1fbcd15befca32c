//! A registered credential as stored with its account.

use core::fmt;

use serde::{Deserialize, Serialize};
use webauthn_rs::prelude::{
    AuthenticationResult, COSEAlgorithm, COSEKeyType, Credential as Internals, Passkey,
};

use crate::{Error, Result};

const VERSION: u32 = 1;
const STATE: &str = "passkey credential";

/// The longest credential id, in bytes (W3C WebAuthn §4: at most 1023).
pub const MAX_CREDENTIAL_ID_LEN: usize = 1023;
/// The shortest credential id we accept, in bytes (§4: at least 16 bytes of
/// entropy for a credential id the authenticator made up).
pub const MIN_CREDENTIAL_ID_LEN: usize = 16;

/// A credential registered by a [`RelyingParty`](crate::RelyingParty): its id,
/// public key, signature counter and backup flags (webauthn-rs's `Passkey`).
/// Nothing in it is secret; its integrity is the store's.
///
/// Serde, versioned (`{"v": 1, "passkey": ...}`, unknown fields refused) and
/// checked on read: a credential id of 16 to 1023 bytes, and a public key of
/// the kind its algorithm names (an EC2 key for ES256, an OKP key for EdDSA, an
/// RSA key for RS256), so a tampered row is a typed error, not a credential
/// that could never verify (or, worse, one that verifies something else).
#[derive(Clone)]
pub struct Credential {
    passkey: Passkey,
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credential")
            .field("algorithm", self.passkey.cred_algorithm())
            .field("counter", &self.counter())
            .finish_non_exhaustive()
    }
}

/// Equal when every stored field is: the counter and flags too (webauthn-rs's
/// `Passkey` compares the ids only, which would hide an update from a
/// compare-and-swap that writes only what changed).
impl PartialEq for Credential {
    fn eq(&self, other: &Self) -> bool {
        serde_json::to_value(&self.passkey).ok() == serde_json::to_value(&other.passkey).ok()
    }
}

impl Eq for Credential {}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CredentialRecord {
    v: u32,
    passkey: Passkey,
}

impl TryFrom<CredentialRecord> for Credential {
    type Error = Error;

    fn try_from(r: CredentialRecord) -> Result<Self> {
        if r.v != VERSION {
            return Err(Error::UnsupportedVersion {
                state: STATE,
                found: r.v,
                supported: VERSION,
            });
        }
        Self::from_passkey(r.passkey)
    }
}

impl From<Credential> for CredentialRecord {
    fn from(c: Credential) -> Self {
        Self {
            v: VERSION,
            passkey: c.passkey,
        }
    }
}

impl Serialize for Credential {
    fn serialize<S: serde::Serializer>(&self, s: S) -> core::result::Result<S::Ok, S::Error> {
        CredentialRecord::from(self.clone()).serialize(s)
    }
}

impl<'de> Deserialize<'de> for Credential {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> core::result::Result<Self, D::Error> {
        let record = CredentialRecord::deserialize(d)?;
        Self::try_from(record).map_err(serde::de::Error::custom)
    }
}

impl Credential {
    /// Checks a credential webauthn-rs registered or a record read back.
    pub(crate) fn from_passkey(passkey: Passkey) -> Result<Self> {
        let corrupt = |reason| {
            Err(Error::CorruptState {
                state: STATE,
                reason,
            })
        };
        let len = passkey.cred_id().len();
        if !(MIN_CREDENTIAL_ID_LEN..=MAX_CREDENTIAL_ID_LEN).contains(&len) {
            return corrupt("a credential id of impossible length");
        }
        let key = passkey.get_public_key();
        if key.type_ != *passkey.cred_algorithm() {
            return corrupt("the key's algorithm is not the credential's");
        }
        let matches = matches!(
            (&key.type_, &key.key),
            (
                COSEAlgorithm::ES256 | COSEAlgorithm::ES384 | COSEAlgorithm::ES521,
                COSEKeyType::EC_EC2(_),
            ) | (COSEAlgorithm::EDDSA, COSEKeyType::EC_OKP(_))
                | (
                    COSEAlgorithm::RS256
                        | COSEAlgorithm::RS384
                        | COSEAlgorithm::RS512
                        | COSEAlgorithm::PS256
                        | COSEAlgorithm::PS384
                        | COSEAlgorithm::PS512,
                    COSEKeyType::RSA(_),
                )
        );
        if !matches {
            return corrupt("a public key of another kind than its algorithm, or an insecure one");
        }
        Ok(Self { passkey })
    }

    /// The credential id the authenticator chose (raw bytes).
    #[must_use]
    pub fn id(&self) -> &[u8] {
        self.passkey.cred_id().as_slice()
    }

    /// The signature counter last seen (0 for authenticators that keep none,
    /// as most synced passkeys).
    #[must_use]
    pub fn counter(&self) -> u32 {
        self.internals().counter
    }

    /// Whether the authenticator may back the credential up (a synced passkey).
    #[must_use]
    pub fn backup_eligible(&self) -> bool {
        self.internals().backup_eligible
    }

    /// Whether the credential was backed up, when last seen.
    #[must_use]
    pub fn backed_up(&self) -> bool {
        self.internals().backup_state
    }

    pub(crate) fn passkey(&self) -> &Passkey {
        &self.passkey
    }

    fn internals(&self) -> Internals {
        Internals::from(self.passkey.clone())
    }

    /// Applies a verified sign-in: refuses a counter that did not move past the
    /// stored one (W3C WebAuthn §7.2 step 22: a possible clone), then stores the
    /// new counter and backup flags (webauthn-rs's `update_credential`).
    pub(crate) fn apply(&mut self, result: &AuthenticationResult) -> Result<()> {
        if counter_is_a_clone(self.counter(), result.counter()) {
            return Err(Error::ClonedAuthenticator);
        }
        match self.passkey.update_credential(result) {
            Some(_) => Ok(()),
            None => Err(Error::UnknownCredential),
        }
    }
}

/// W3C WebAuthn §7.2 step 22: when the counter `seen` in a sign-in or the one
/// `stored` is nonzero, `seen` must be greater than `stored`, or the
/// authenticator may have been cloned. Both zero is an authenticator that keeps
/// no counter (most synced passkeys), and passes every time; a stored nonzero
/// counter followed by a 0 is a clone (a counter never goes back to "none").
///
/// The spec's "`seen` or `stored` nonzero" needs only its second half here: a
/// nonzero `seen` that is not past `stored` has a nonzero `stored` below it.
pub(crate) fn counter_is_a_clone(stored: u32, seen: u32) -> bool {
    stored > 0 && seen <= stored
}

#[cfg(test)]
mod tests {
    use super::counter_is_a_clone;

    #[test]
    fn a_counter_that_does_not_pass_a_stored_nonzero_one_is_a_clone() {
        for (stored, seen, clone) in [
            (0, 0, false), // keeps no counter: every sign-in passes
            (0, 1, false), // the first sign-in of a counting authenticator
            (1, 2, false), // moved on by one
            (1, 1, true),  // the same counter again
            (2, 1, true),  // behind the stored one
            (5, 0, true),  // a counting authenticator that now reports none
            (u32::MAX, u32::MAX, true),
        ] {
            assert_eq!(
                counter_is_a_clone(stored, seen),
                clone,
                "stored {stored}, seen {seen}"
            );
        }
    }
}
