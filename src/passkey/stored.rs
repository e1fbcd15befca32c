//! A passkey as stored with its account, and the spent challenges.

use core::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::authenticator::AuthenticatorName;
use crate::{Error, Result, hex};
use countersign_passkey::Credential;

/// The most passkeys and security keys one contact may hold.
pub const MAX_PASSKEYS: usize = 10;

/// The most spent challenge ids an account keeps (each until its challenge's
/// expiry): more finished ceremonies than this within one challenge lifetime
/// are refused rather than forgotten early, which would let one be replayed.
pub const MAX_SPENT_CHALLENGES: usize = 64;

/// The id of a registered passkey: the first 16 bytes of SHA-256 of its
/// credential id, as 32 lower-case hex digits. What a "Remove" button names.
///
/// ```
/// use countersign::passkey::PasskeyId;
///
/// let id: PasskeyId = "00112233445566778899aabbccddeeff".parse()?;
/// assert_eq!(id.to_string(), "00112233445566778899aabbccddeeff");
/// assert!("0011".parse::<PasskeyId>().is_err());
/// # Ok::<(), countersign::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PasskeyId(#[serde(with = "hex::fixed")] [u8; 16]);

impl PasskeyId {
    /// The id of the credential with credential id `credential_id`.
    pub(crate) fn of(credential: &Credential) -> Self {
        let digest = Sha256::digest(credential.id());
        let mut id = [0u8; 16];
        id.copy_from_slice(&digest[..16]);
        Self(id)
    }
}

impl fmt::Display for PasskeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(&self.0))
    }
}

impl fmt::Debug for PasskeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PasskeyId({self})")
    }
}

impl core::str::FromStr for PasskeyId {
    type Err = Error;

    /// # Errors
    ///
    /// [`Error::NoSuchPasskey`] for anything but 32 lower-case hex digits.
    fn from_str(text: &str) -> Result<Self> {
        hex::decode(text).map(Self).ok_or(Error::NoSuchPasskey)
    }
}

/// One registered passkey or security key: its name ("YubiKey 5"), when it was
/// added and last used, and the WebAuthn credential.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "PasskeyRecord", into = "PasskeyRecord")]
pub struct Passkey {
    pub(crate) id: PasskeyId,
    pub(crate) name: AuthenticatorName,
    pub(crate) added_at: u64,
    pub(crate) last_used_at: Option<u64>,
    pub(crate) credential: Credential,
}

impl fmt::Debug for Passkey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Passkey")
            .field("id", &self.id)
            .field("name", &self.name.as_str())
            .field("added_at", &self.added_at)
            .field("last_used_at", &self.last_used_at)
            .finish_non_exhaustive()
    }
}

impl Passkey {
    /// Its id, to name it in [`Portal::remove_passkey`](crate::Portal::remove_passkey).
    #[must_use]
    pub fn id(&self) -> PasskeyId {
        self.id
    }

    /// The name the contact gave it.
    #[must_use]
    pub fn name(&self) -> &AuthenticatorName {
        &self.name
    }

    /// When it was registered, unix seconds.
    #[must_use]
    pub fn added_at(&self) -> u64 {
        self.added_at
    }

    /// When it last signed in, unix seconds (`None`: never).
    #[must_use]
    pub fn last_used_at(&self) -> Option<u64> {
        self.last_used_at
    }

    /// Whether the authenticator may sync it to other devices (a synced
    /// passkey rather than a device-bound security key).
    #[must_use]
    pub fn backup_eligible(&self) -> bool {
        self.credential.backup_eligible()
    }

    /// The WebAuthn credential.
    #[must_use]
    pub fn credential(&self) -> &Credential {
        &self.credential
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PasskeyRecord {
    id: PasskeyId,
    name: AuthenticatorName,
    added_at: u64,
    last_used_at: Option<u64>,
    credential: Credential,
}

impl TryFrom<PasskeyRecord> for Passkey {
    type Error = Error;

    fn try_from(r: PasskeyRecord) -> Result<Self> {
        let corrupt = |reason| Error::CorruptState {
            state: "passkey",
            reason,
        };
        if r.id != PasskeyId::of(&r.credential) {
            return Err(corrupt("its id is not its credential's"));
        }
        if r.last_used_at.is_some_and(|used| used < r.added_at) {
            return Err(corrupt("last used before it was added"));
        }
        Ok(Self {
            id: r.id,
            name: r.name,
            added_at: r.added_at,
            last_used_at: r.last_used_at,
            credential: r.credential,
        })
    }
}

impl From<Passkey> for PasskeyRecord {
    fn from(p: Passkey) -> Self {
        Self {
            id: p.id,
            name: p.name,
            added_at: p.added_at,
            last_used_at: p.last_used_at,
            credential: p.credential,
        }
    }
}

/// Checks an account's list of passkeys as read: bounded, ids and names distinct.
pub(crate) fn check_list(list: &[Passkey]) -> core::result::Result<(), &'static str> {
    if list.len() > MAX_PASSKEYS {
        return Err("more passkeys than allowed");
    }
    for (i, a) in list.iter().enumerate() {
        for b in &list[i + 1..] {
            if a.id == b.id {
                return Err("two passkeys with one credential");
            }
            if a.name.same_as(&b.name) {
                return Err("two passkeys with one name");
            }
        }
    }
    Ok(())
}

/// A challenge whose ceremony finished: its id is refused until its expiry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SpentChallenge {
    #[serde(with = "hex::fixed")]
    pub(crate) id: [u8; 16],
    pub(crate) expires_at: u64,
}

/// Checks an account's spent challenges as read.
pub(crate) fn check_spent(list: &[SpentChallenge]) -> core::result::Result<(), &'static str> {
    if list.len() > MAX_SPENT_CHALLENGES {
        return Err("more spent passkey challenges than kept");
    }
    Ok(())
}
