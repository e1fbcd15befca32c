//! Server keys that rotate: a [`KeyRing`] of the current key and any number of
//! retired ones, each named by a [`KeyId`].
//!
//! Every record made under a server key names the key that made it: a sealed
//! TOTP secret, a remembered-device token (and its entry in the device list), a
//! one-time code's keyed digest, a sealed security code. Reading looks the key
//! up by that id, so records under a retired key keep working; writing always
//! uses the current key. A record under an id the ring does not hold is
//! [`Error::UnknownKeyId`], naming the id.
//!
//! # Rotating a key
//!
//! 1. Generate the new key (`countersign key generate`), and start every node
//!    with a ring whose current key is the new one and the old one retired
//!    ([`KeyRing::rotate`]).
//! 2. Re-seal what each record holds: [`Portal::reseal_account`](crate::Portal::reseal_account)
//!    and [`Portal::reseal_client`](crate::Portal::reseal_client) say whether they
//!    changed anything (store the record if so); a completed sign-in re-seals the
//!    account too. [`Account::key_ids`](crate::Account::key_ids) and
//!    [`Client::key_ids`](crate::security_codes::Client::key_ids) tell which keys a
//!    record still needs.
//! 3. Two kinds of record cannot be re-sealed without a secret the server no
//!    longer has: a live one-time code (only its keyed digest is stored; it dies
//!    within its lifetime, at most a day) and a remembered device (its token is in
//!    the browser's cookie; the next sign-in on it returns a fresh cookie under the
//!    current key, and it is gone at its expiry, 30 days by default). Keep the
//!    retired key in the ring until no record names it, or accept that those
//!    contacts sign in with their second factor once more.
//! 4. Remove the retired key ([`KeyRing::without`]). A record that still names it
//!    is refused by name.
//!
//! A lone [`ServerKey`] is a ring of one whose key has the id
//! [`KeyId::DEFAULT`] (`"default"`); records written before key ids existed
//! (format version 1) were made by it and read as made by that id.
//!
//! ```
//! use countersign::ServerKey;
//! use countersign::key_ring::{KeyId, KeyRing};
//!
//! let old = ServerKey::generate();
//! let new = ServerKey::generate();
//! let ring = KeyRing::from(old).rotate("2027-01".parse()?, new)?;
//! assert_eq!(ring.current_id().as_str(), "2027-01");
//! assert_eq!(ring.retired_ids().map(KeyId::as_str).collect::<Vec<_>>(), ["default"]);
//!
//! let ring = ring.without(&KeyId::DEFAULT)?;
//! assert_eq!(ring.ids().count(), 1);
//! # Ok::<(), countersign::Error>(())
//! ```

use core::fmt;
use std::borrow::Cow;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::{Error, Result, ServerKey};

/// The longest key id, in bytes.
pub const MAX_KEY_ID_LEN: usize = 32;

/// Ids starting with this are the facade's own (the unbound security-code seals
/// of version 1 are named `countersign-v1`), so no ring key may take one.
const RESERVED_PREFIX: &str = "countersign-";

/// The name of a server key: 1 to 32 characters of ASCII letters, digits, `.`,
/// `_` and `-` (a date such as `"2027-01"` does well). Not a secret.
///
/// # Examples
///
/// ```
/// use countersign::key_ring::KeyId;
///
/// let id: KeyId = "2027-01".parse()?;
/// assert_eq!(id.to_string(), "2027-01");
/// assert!("".parse::<KeyId>().is_err());
/// assert!("two words".parse::<KeyId>().is_err());
/// assert!("countersign-v1".parse::<KeyId>().is_err(), "reserved");
/// # Ok::<(), countersign::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KeyId(Cow<'static, str>);

impl KeyId {
    /// The id of a lone [`ServerKey`], and of every record written before key
    /// ids existed.
    pub const DEFAULT: KeyId = KeyId(Cow::Borrowed("default"));

    /// The id as text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Any text, to report an id that no ring could hold.
    pub(crate) fn unchecked(text: &str) -> Self {
        Self(Cow::Owned(text.to_owned()))
    }

    /// The id a sealed security code spells in its own header: checked like a
    /// configured id, except that the facade's reserved ids are allowed.
    pub(crate) fn stored(text: &str) -> Result<Self> {
        check(text, true)?;
        Ok(Self(Cow::Owned(text.to_owned())))
    }
}

fn check(text: &str, allow_reserved: bool) -> Result<()> {
    let reason = if text.is_empty() || text.len() > MAX_KEY_ID_LEN {
        Some("a key id has 1 to 32 characters")
    } else if !text
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
    {
        Some("a key id has only ASCII letters, digits, '.', '_' and '-'")
    } else if !allow_reserved && text.starts_with(RESERVED_PREFIX) {
        Some("key ids starting with \"countersign-\" are reserved")
    } else {
        None
    };
    match reason {
        Some(reason) => Err(Error::InvalidKeyId { reason }),
        None => Ok(()),
    }
}

impl Default for KeyId {
    fn default() -> Self {
        Self::DEFAULT
    }
}

impl core::str::FromStr for KeyId {
    type Err = Error;

    /// Parses a configured key id.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidKeyId`] for an empty or long id, another character, or a
    /// reserved `countersign-` id.
    fn from_str(text: &str) -> Result<Self> {
        check(text, false)?;
        Ok(Self(Cow::Owned(text.to_owned())))
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyId({:?})", &*self.0)
    }
}

impl Serialize for KeyId {
    fn serialize<S: Serializer>(&self, serializer: S) -> core::result::Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for KeyId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> core::result::Result<Self, D::Error> {
        // As configured: a stored record names a ring key, never a reserved id.
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// The current server key and the retired ones still needed to read old records.
///
/// `Debug` shows the ids only. Build it at start-up from the service's secret
/// store; a lone [`ServerKey`] converts into a ring of one.
///
/// # Examples
///
/// ```
/// use countersign::{Error, ServerKey};
/// use countersign::key_ring::{KeyId, KeyRing};
///
/// let ring = KeyRing::new("2027-01".parse()?, ServerKey::generate())
///     .with_retired("2026-01".parse()?, ServerKey::generate())?;
/// assert_eq!(ring.current_id().as_str(), "2027-01");
/// assert!(ring.key(&"2026-01".parse()?).is_ok());
/// assert!(matches!(
///     ring.key(&"2025-01".parse()?),
///     Err(Error::UnknownKeyId { id }) if id == "2025-01"
/// ));
/// # Ok::<(), countersign::Error>(())
/// ```
pub struct KeyRing {
    /// The current key first, then the retired ones.
    keys: Vec<(KeyId, ServerKey)>,
}

impl fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyRing")
            .field("current", self.current_id())
            .field("retired", &self.retired_ids().collect::<Vec<_>>())
            .finish()
    }
}

impl KeyRing {
    /// A ring of one: `key`, named `id`, is the current key.
    #[must_use]
    pub fn new(id: KeyId, key: ServerKey) -> Self {
        Self {
            keys: vec![(id, key)],
        }
    }

    /// The same ring with one more retired key, to read records it made.
    ///
    /// # Errors
    ///
    /// [`Error::DuplicateKeyId`] if the ring already holds a key named `id`.
    pub fn with_retired(mut self, id: KeyId, key: ServerKey) -> Result<Self> {
        self.refuse_duplicate(&id)?;
        self.keys.push((id, key));
        Ok(self)
    }

    /// Rotation: `key`, named `id`, becomes the current key, and the current key
    /// becomes a retired one.
    ///
    /// # Errors
    ///
    /// [`Error::DuplicateKeyId`] if the ring already holds a key named `id`.
    pub fn rotate(mut self, id: KeyId, key: ServerKey) -> Result<Self> {
        self.refuse_duplicate(&id)?;
        self.keys.insert(0, (id, key));
        Ok(self)
    }

    /// The same ring without the retired key `id`: records it made are refused
    /// from now on, by name.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownKeyId`] if the ring holds no key `id`;
    /// [`Error::InvalidRequest`] for the current key, which cannot be removed
    /// (rotate first).
    pub fn without(mut self, id: &KeyId) -> Result<Self> {
        if self.current_id() == id {
            return Err(Error::InvalidRequest {
                reason: "the current server key cannot be removed: rotate to a new one first",
            });
        }
        let before = self.keys.len();
        self.keys.retain(|(held, _)| held != id);
        if self.keys.len() == before {
            return Err(Error::UnknownKeyId {
                id: id.as_str().to_owned(),
            });
        }
        Ok(self)
    }

    fn refuse_duplicate(&self, id: &KeyId) -> Result<()> {
        if self.keys.iter().any(|(held, _)| held == id) {
            return Err(Error::DuplicateKeyId {
                id: id.as_str().to_owned(),
            });
        }
        Ok(())
    }

    /// The id of the current key, the one every new record is made under.
    #[must_use]
    pub fn current_id(&self) -> &KeyId {
        &self.keys[0].0
    }

    /// The current key.
    #[must_use]
    pub fn current(&self) -> &ServerKey {
        &self.keys[0].1
    }

    /// The ids of every key, the current one first.
    pub fn ids(&self) -> impl Iterator<Item = &KeyId> {
        self.keys.iter().map(|(id, _)| id)
    }

    /// The ids of the retired keys.
    pub fn retired_ids(&self) -> impl Iterator<Item = &KeyId> {
        self.keys.iter().skip(1).map(|(id, _)| id)
    }

    /// The key named `id`.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownKeyId`] naming `id` when the ring does not hold it.
    pub fn key(&self, id: &KeyId) -> Result<&ServerKey> {
        self.keys
            .iter()
            .find(|(held, _)| held == id)
            .map(|(_, key)| key)
            .ok_or_else(|| Error::UnknownKeyId {
                id: id.as_str().to_owned(),
            })
    }

    pub(crate) fn entries(&self) -> impl Iterator<Item = &(KeyId, ServerKey)> {
        self.keys.iter()
    }
}

impl From<ServerKey> for KeyRing {
    /// A ring of one, named [`KeyId::DEFAULT`].
    fn from(key: ServerKey) -> Self {
        Self::new(KeyId::DEFAULT, key)
    }
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for crate::ServerKey {}
    impl Sealed for super::KeyRing {}
}

/// Where a record's server key comes from: a lone [`ServerKey`] (named
/// [`KeyId::DEFAULT`]) or a [`KeyRing`]. Sealed: implemented by those two only.
pub trait ServerKeys: sealed::Sealed {
    /// The current key and its id: what new records are made under.
    fn current_key(&self) -> (&KeyId, &ServerKey);

    /// The key named `id`.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownKeyId`] naming `id` when there is no such key.
    fn key_named(&self, id: &KeyId) -> Result<&ServerKey>;
}

impl ServerKeys for ServerKey {
    fn current_key(&self) -> (&KeyId, &ServerKey) {
        (&KeyId::DEFAULT, self)
    }

    fn key_named(&self, id: &KeyId) -> Result<&ServerKey> {
        if *id == KeyId::DEFAULT {
            Ok(self)
        } else {
            Err(Error::UnknownKeyId {
                id: id.as_str().to_owned(),
            })
        }
    }
}

impl ServerKeys for KeyRing {
    fn current_key(&self) -> (&KeyId, &ServerKey) {
        (self.current_id(), self.current())
    }

    fn key_named(&self, id: &KeyId) -> Result<&ServerKey> {
        self.key(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_checked() {
        for good in ["default", "2027-01", "a", "A.b_c-9", &"x".repeat(32)] {
            assert!(good.parse::<KeyId>().is_ok(), "{good}");
        }
        for bad in [
            "",
            " ",
            "a b",
            "é",
            "k/1",
            &"x".repeat(33),
            "countersign-v3",
        ] {
            assert!(
                matches!(bad.parse::<KeyId>(), Err(Error::InvalidKeyId { .. })),
                "{bad}"
            );
        }
        assert!(KeyId::stored("countersign-v1").is_ok());
        let json = serde_json::to_string(&KeyId::DEFAULT).unwrap();
        assert_eq!(json, r#""default""#);
        assert!(serde_json::from_str::<KeyId>(r#""a b""#).is_err());
        assert!(serde_json::from_str::<KeyId>(r#""countersign-v1""#).is_err());
    }

    #[test]
    fn a_ring_rotates_retires_and_refuses_duplicates() {
        let ring = KeyRing::from(ServerKey::from_bytes([1; 32]));
        let ring = ring
            .rotate("k2".parse().unwrap(), ServerKey::from_bytes([2; 32]))
            .unwrap();
        assert_eq!(ring.current().expose_bytes(), &[2; 32]);
        assert_eq!(ring.key(&KeyId::DEFAULT).unwrap().expose_bytes(), &[1; 32]);
        assert!(matches!(
            KeyRing::from(ServerKey::from_bytes([1; 32]))
                .rotate(KeyId::DEFAULT, ServerKey::from_bytes([2; 32])),
            Err(Error::DuplicateKeyId { .. })
        ));
        let current = ring.current_id().clone();
        let ring = ring.without(&KeyId::DEFAULT).unwrap();
        assert!(matches!(
            ring.key(&KeyId::DEFAULT),
            Err(Error::UnknownKeyId { id }) if id == "default"
        ));
        assert!(ring.without(&current).is_err(), "not the current key");
        assert!(!format!("{:?}", KeyRing::from(ServerKey::from_bytes([7; 32]))).contains('7'));
    }

    #[test]
    fn a_lone_key_is_the_default_id() {
        let key = ServerKey::from_bytes([3; 32]);
        assert_eq!(key.current_key().0, &KeyId::DEFAULT);
        assert!(key.key_named(&KeyId::DEFAULT).is_ok());
        assert!(key.key_named(&"other".parse().unwrap()).is_err());
    }

    #[test]
    fn a_key_rings_debug_names_its_keys_by_id_and_shows_no_key() {
        let ring = KeyRing::new(
            "2027-01".parse().unwrap(),
            ServerKey::from_bytes([0xAB; 32]),
        )
        .with_retired(KeyId::DEFAULT, ServerKey::from_bytes([0xCD; 32]))
        .unwrap();
        assert_eq!(
            format!("{ring:?}"),
            r#"KeyRing { current: KeyId("2027-01"), retired: [KeyId("default")] }"#
        );
    }
}
