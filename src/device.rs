//! "Remember this device for 30 days" (seed 003).
//!
//! After a full login with the second factor, the service may remember the
//! device: [`RememberedDevices::remember`] returns a [`DeviceToken`] to set as a
//! cookie, and records the device in the account's stored [`RememberedDevices`].
//! On later logins, [`RememberedDevices::verify`] lets the cookie stand in for the
//! second factor (never for the password).
//!
//! A token is a version byte, the account's device generation, a random 128-bit
//! device id, the expiry, and an HMAC-SHA256 signature over all of them under the
//! [`ServerKey`], written as 130 lower-case hex characters. Verification checks
//! the shape, then the signature in constant time, then the expiry, then that the
//! device is still remembered.
//!
//! Keys: each remembered device records the id of the server key that signed its
//! token ([`KeyId`]); verification looks the key up by that id, so a device
//! remembered under a retired key still works, and [`RememberedDevices::reissue`]
//! gives it a fresh token under the current key (the portal does so at its next
//! sign-in). The token's layout is unchanged: the key id is in the list, not in
//! the cookie.
//!
//! Revocation, and why it has two parts:
//! - The stored state keeps the **list of live devices** (id, issue time, expiry).
//!   A token is accepted only if its id is on the account's list: that is what
//!   revokes a single device ([`RememberedDevices::revoke`]), what binds a token
//!   to its account (another account's list does not hold the id), and what lets
//!   the portal list "remembered devices". The list is bounded (expired entries are
//!   pruned, the oldest is evicted past [`DevicePolicy::max_devices`]), which a
//!   list of *revoked* ids would not be.
//! - A **generation counter** is bound into every signed token.
//!   [`RememberedDevices::revoke_all`] (password changed, two-factor disabled) both
//!   clears the list and bumps the generation, so a pre-change token fails on an
//!   integer compare even if a stale copy of the list is merged back in by a
//!   replica or a restore: revoking everything does not depend on list hygiene.
//!
//! ```
//! use countersign::ServerKey;
//! use countersign::device::{DevicePolicy, RememberedDevices};
//!
//! let key = ServerKey::generate();
//! let policy = DevicePolicy::default(); // 30 days
//! let mut devices = RememberedDevices::new();
//! let now = 1_700_000_000;
//!
//! let token = devices.remember(&key, &policy, now);
//! let cookie: &str = token.as_str(); // Set-Cookie: ...; Secure; HttpOnly
//!
//! let device = devices.verify(&key, cookie, now + 86_400)?;
//! assert_eq!(devices.devices()[0].id(), device);
//!
//! devices.revoke_all(); // the password changed
//! assert!(devices.verify(&key, cookie, now + 86_400).is_err());
//! # Ok::<(), countersign::Error>(())
//! ```

use crate::error::check_state_version;
use core::fmt;

use hmac::Mac;
use rand::CryptoRng;
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::key_ring::{KeyId, ServerKeys};
use crate::{Error, Result, ServerKey, hex};

/// Domain label of device-token signatures (see [`ServerKey`]).
const DOMAIN: &[u8] = b"countersign/device-token/v1\0";
const TOKEN_VERSION: u8 = 1;
const ID_LEN: usize = 16;
const TAG_LEN: usize = 32;
/// version, generation, id, expiry.
const PAYLOAD_LEN: usize = 1 + 8 + ID_LEN + 8;
const TOKEN_LEN: usize = PAYLOAD_LEN + TAG_LEN;

/// The seeds' "Remember this device for 30 days".
pub const DEFAULT_LIFETIME: u64 = 30 * 24 * 60 * 60;

/// How long a device is remembered and how many devices an account keeps.
///
/// # Examples
///
/// ```
/// use countersign::device::DevicePolicy;
///
/// let policy = DevicePolicy::default();
/// assert_eq!(policy.lifetime(), 30 * 86_400);
/// assert_eq!(policy.max_devices(), 10);
/// assert!(DevicePolicy::new(7 * 86_400, 3).is_ok());
/// assert!(DevicePolicy::new(0, 3).is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "DevicePolicySettings", into = "DevicePolicySettings")]
pub struct DevicePolicy {
    lifetime: u64,
    max_devices: u16,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct DevicePolicySettings {
    lifetime: u64,
    max_devices: u16,
}

impl DevicePolicy {
    /// The most devices any policy lets one contact keep, and so the longest list a
    /// stored [`RememberedDevices`] may hold: a longer one is refused as it is read,
    /// before the rest of it is parsed, so a doctored row costs no more than this.
    pub const MAX_DEVICES: u16 = 100;

    /// A policy: devices are remembered for `lifetime` seconds, and an account keeps
    /// at most `max_devices` of them (remembering one more forgets the oldest).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidDevicePolicy`] if `lifetime` or `max_devices` is 0, or
    /// `max_devices` is above [`DevicePolicy::MAX_DEVICES`].
    pub fn new(lifetime: u64, max_devices: u16) -> Result<Self> {
        if lifetime == 0 {
            return Err(Error::InvalidDevicePolicy {
                reason: "lifetime must be at least 1 second",
            });
        }
        if max_devices == 0 {
            return Err(Error::InvalidDevicePolicy {
                reason: "max_devices must be at least 1",
            });
        }
        if max_devices > Self::MAX_DEVICES {
            return Err(Error::InvalidDevicePolicy {
                reason: "max_devices must be at most 100",
            });
        }
        Ok(Self {
            lifetime,
            max_devices,
        })
    }

    /// Seconds a device stays remembered.
    #[must_use]
    pub fn lifetime(&self) -> u64 {
        self.lifetime
    }

    /// Devices an account keeps at most.
    #[must_use]
    pub fn max_devices(&self) -> u16 {
        self.max_devices
    }
}

impl Default for DevicePolicy {
    /// 30 days, 10 devices.
    fn default() -> Self {
        Self {
            lifetime: DEFAULT_LIFETIME,
            max_devices: 10,
        }
    }
}

impl TryFrom<DevicePolicySettings> for DevicePolicy {
    type Error = Error;

    fn try_from(s: DevicePolicySettings) -> Result<Self> {
        Self::new(s.lifetime, s.max_devices)
    }
}

impl From<DevicePolicy> for DevicePolicySettings {
    fn from(p: DevicePolicy) -> Self {
        Self {
            lifetime: p.lifetime,
            max_devices: p.max_devices,
        }
    }
}

/// The random 128-bit id of a remembered device. Not a secret on its own (a token
/// also needs the server's signature); shown as 32 hex characters.
///
/// # Examples
///
/// ```
/// use countersign::ServerKey;
/// use countersign::device::{DevicePolicy, RememberedDevices};
///
/// let mut devices = RememberedDevices::new();
/// devices.remember(&ServerKey::generate(), &DevicePolicy::default(), 0);
/// assert_eq!(devices.devices()[0].id().to_string().len(), 32);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DeviceId(#[serde(with = "hex::fixed")] [u8; ID_LEN]);

impl fmt::Display for DeviceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(&self.0))
    }
}

impl core::str::FromStr for DeviceId {
    type Err = Error;

    /// Parses the id as [`DeviceId`]'s `Display` writes it, e.g. from a "forget
    /// this device" form.
    ///
    /// # Errors
    ///
    /// [`Error::MalformedDeviceId`] unless the text is 32 lower-case hex digits.
    ///
    /// # Examples
    ///
    /// ```
    /// use countersign::device::DeviceId;
    ///
    /// let id: DeviceId = "000102030405060708090a0b0c0d0e0f".parse()?;
    /// assert_eq!(id.to_string(), "000102030405060708090a0b0c0d0e0f");
    /// assert!("not an id".parse::<DeviceId>().is_err());
    /// # Ok::<(), countersign::Error>(())
    /// ```
    fn from_str(text: &str) -> Result<Self> {
        hex::decode(text).map(Self).ok_or(Error::MalformedDeviceId)
    }
}

impl fmt::Debug for DeviceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DeviceId({self})")
    }
}

/// A signed device token: the cookie value. A bearer credential for the second
/// factor, so `Debug` prints `[redacted]` and the text is zeroized on drop.
///
/// # Examples
///
/// ```
/// use countersign::ServerKey;
/// use countersign::device::{DevicePolicy, RememberedDevices};
///
/// let token = RememberedDevices::new().remember(&ServerKey::generate(), &DevicePolicy::default(), 0);
/// assert_eq!(format!("{token:?}"), "DeviceToken([redacted])");
/// assert_eq!(token.as_str().len(), 130);
/// ```
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct DeviceToken(String);

impl DeviceToken {
    /// The token text, for the cookie. Set the cookie `Secure`, `HttpOnly`, and
    /// with a `Max-Age` no longer than the policy's lifetime.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for DeviceToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DeviceToken([redacted])")
    }
}

/// One remembered device as the account stores it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RememberedDevice {
    id: DeviceId,
    issued_at: u64,
    expires_at: u64,
    /// The server key that signed its token; version 1 lists have none: the
    /// default key signed them.
    #[serde(default)]
    key: KeyId,
}

impl RememberedDevice {
    /// The id of the server key that signed its token.
    #[must_use]
    pub fn key_id(&self) -> &KeyId {
        &self.key
    }

    /// The device's id (what [`RememberedDevices::revoke`] takes).
    #[must_use]
    pub fn id(&self) -> DeviceId {
        self.id
    }

    /// When it was remembered, unix seconds.
    #[must_use]
    pub fn issued_at(&self) -> u64 {
        self.issued_at
    }

    /// When it stops being remembered, unix seconds (its token is refused from
    /// this second on).
    #[must_use]
    pub fn expires_at(&self) -> u64 {
        self.expires_at
    }

    /// Whether it is still remembered at `now`: until its expiry, not at it
    /// (what [`RememberedDevices::prune`] keeps).
    ///
    /// ```
    /// use countersign::ServerKey;
    /// use countersign::device::{DevicePolicy, RememberedDevices};
    ///
    /// let mut devices = RememberedDevices::new();
    /// let _token = devices.remember(&ServerKey::generate(), &DevicePolicy::new(3600, 5)?, 100);
    /// let device = &devices.devices()[0];
    /// assert!(device.is_remembered_at(3699));
    /// assert!(!device.is_remembered_at(3700));
    /// # Ok::<(), countersign::Error>(())
    /// ```
    #[must_use]
    pub fn is_remembered_at(&self, now: u64) -> bool {
        now < self.expires_at
    }
}

/// An account's remembered devices: store it with the account.
///
/// Serde, versioned (`"v": 2`: each device names its signing key; version 1
/// still reads); deserializing checks the list in linear time (no duplicate ids,
/// at most [`DevicePolicy::MAX_DEVICES`] devices, a longer list refused before the
/// rest is read), so a corrupted or doctored state is an error, and a cheap one.
///
/// # Examples
///
/// ```
/// use countersign::{Error, ServerKey};
/// use countersign::device::{DevicePolicy, RememberedDevices};
///
/// let key = ServerKey::generate();
/// let mut devices = RememberedDevices::new();
/// let laptop = devices.remember(&key, &DevicePolicy::default(), 0);
/// let phone = devices.remember(&key, &DevicePolicy::default(), 0);
///
/// let laptop_id = devices.verify(&key, laptop.as_str(), 10)?;
/// assert!(devices.revoke(laptop_id));
/// assert!(matches!(devices.verify(&key, laptop.as_str(), 10), Err(Error::DeviceRevoked)));
/// assert!(devices.verify(&key, phone.as_str(), 10).is_ok());
/// # Ok::<(), countersign::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "DevicesRecord", into = "DevicesRecord")]
pub struct RememberedDevices {
    generation: u64,
    devices: Vec<RememberedDevice>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct DevicesRecord {
    v: u32,
    generation: u64,
    #[serde(deserialize_with = "bounded_devices")]
    devices: Vec<RememberedDevice>,
}

/// The device list, read only up to [`DevicePolicy::MAX_DEVICES`] entries: one more
/// and the whole state is refused without reading further.
fn bounded_devices<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> core::result::Result<Vec<RememberedDevice>, D::Error> {
    struct Bounded;

    impl<'de> serde::de::Visitor<'de> for Bounded {
        type Value = Vec<RememberedDevice>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "a list of at most {} devices", DevicePolicy::MAX_DEVICES)
        }

        fn visit_seq<A: serde::de::SeqAccess<'de>>(
            self,
            mut seq: A,
        ) -> core::result::Result<Self::Value, A::Error> {
            let max = usize::from(DevicePolicy::MAX_DEVICES);
            let mut devices = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(max));
            while let Some(device) = seq.next_element()? {
                if devices.len() == max {
                    return Err(serde::de::Error::custom(TOO_MANY_DEVICES));
                }
                devices.push(device);
            }
            Ok(devices)
        }
    }

    deserializer.deserialize_seq(Bounded)
}

const TOO_MANY_DEVICES: &str = "more remembered devices than any policy allows";

const DEVICES_VERSION: u32 = 2;

impl TryFrom<DevicesRecord> for RememberedDevices {
    type Error = Error;

    fn try_from(r: DevicesRecord) -> Result<Self> {
        const STATE: &str = "remembered devices";
        if r.v != 1 {
            check_state_version(STATE, r.v, DEVICES_VERSION)?;
        }
        if r.devices.len() > usize::from(DevicePolicy::MAX_DEVICES) {
            return Err(Error::CorruptState {
                state: STATE,
                reason: TOO_MANY_DEVICES,
            });
        }
        // One pass with a set: linear in the number of devices.
        let mut seen = std::collections::HashSet::with_capacity(r.devices.len());
        if !r.devices.iter().all(|device| seen.insert(device.id)) {
            return Err(Error::CorruptState {
                state: STATE,
                reason: "a device id appears twice",
            });
        }
        Ok(Self {
            generation: r.generation,
            devices: r.devices,
        })
    }
}

impl From<RememberedDevices> for DevicesRecord {
    fn from(d: RememberedDevices) -> Self {
        Self {
            v: DEVICES_VERSION,
            generation: d.generation,
            devices: d.devices,
        }
    }
}

/// The signed fields of a token, after its signature has verified.
struct Claims {
    generation: u64,
    id: DeviceId,
    expires_at: u64,
}

fn payload(generation: u64, id: &DeviceId, expires_at: u64) -> [u8; PAYLOAD_LEN] {
    let mut out = [0u8; PAYLOAD_LEN];
    out[0] = TOKEN_VERSION;
    out[1..9].copy_from_slice(&generation.to_be_bytes());
    out[9..9 + ID_LEN].copy_from_slice(&id.0);
    out[9 + ID_LEN..].copy_from_slice(&expires_at.to_be_bytes());
    out
}

fn sign(key: &ServerKey, payload: &[u8; PAYLOAD_LEN]) -> [u8; TAG_LEN] {
    key.mac(DOMAIN)
        .chain_update(payload)
        .finalize()
        .into_bytes()
        .into()
}

fn be_u64(bytes: &[u8]) -> u64 {
    let mut word = [0u8; 8];
    word.copy_from_slice(bytes);
    u64::from_be_bytes(word)
}

/// A cookie's shape, checked: its bytes, before any signature is.
fn parse(token: &str) -> Result<[u8; TOKEN_LEN]> {
    if token.len() != 2 * TOKEN_LEN {
        return Err(Error::MalformedDeviceToken {
            reason: "wrong length",
        });
    }
    let bytes: [u8; TOKEN_LEN] = hex::decode(token).ok_or(Error::MalformedDeviceToken {
        reason: "not lower-case hexadecimal",
    })?;
    if bytes[0] != TOKEN_VERSION {
        return Err(Error::MalformedDeviceToken {
            reason: "unsupported token version",
        });
    }
    Ok(bytes)
}

/// The device id a well-formed cookie names (not yet authenticated: only to
/// find the device, and with it the key that signed its token).
fn claimed_id(bytes: &[u8; TOKEN_LEN]) -> DeviceId {
    let mut id = [0u8; ID_LEN];
    id.copy_from_slice(&bytes[9..9 + ID_LEN]);
    DeviceId(id)
}

/// Authenticates a parsed cookie under `key`, in constant time, and only then
/// reads its fields.
fn authenticate(key: &ServerKey, bytes: &[u8; TOKEN_LEN]) -> Result<Claims> {
    let (signed, tag) = bytes.split_at(PAYLOAD_LEN);
    let mut expected_payload = [0u8; PAYLOAD_LEN];
    expected_payload.copy_from_slice(signed);
    let expected = sign(key, &expected_payload);
    if !bool::from(expected.ct_eq(tag)) {
        return Err(Error::ForgedDeviceToken);
    }
    Ok(Claims {
        generation: be_u64(&signed[1..9]),
        id: claimed_id(bytes),
        expires_at: be_u64(&signed[9 + ID_LEN..]),
    })
}

fn token_for(key: &ServerKey, generation: u64, id: &DeviceId, expires_at: u64) -> DeviceToken {
    let payload = payload(generation, id, expires_at);
    let mut bytes = [0u8; TOKEN_LEN];
    bytes[..PAYLOAD_LEN].copy_from_slice(&payload);
    bytes[PAYLOAD_LEN..].copy_from_slice(&sign(key, &payload));
    DeviceToken(hex::encode(&bytes))
}

impl RememberedDevices {
    /// No remembered devices.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The devices currently remembered (some may have expired since the last
    /// [`RememberedDevices::remember`] or [`RememberedDevices::prune`]).
    #[must_use]
    pub fn devices(&self) -> &[RememberedDevice] {
        &self.devices
    }

    /// The revocation generation, bumped by every [`RememberedDevices::revoke_all`].
    #[must_use]
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Remembers the device the person just logged in from, at `now`, with a fresh
    /// id from the OS RNG. Returns the token to set as the cookie; store `self`.
    #[must_use = "set the token as the device cookie, and store the devices"]
    pub fn remember<K: ServerKeys + ?Sized>(
        &mut self,
        keys: &K,
        policy: &DevicePolicy,
        now: u64,
    ) -> DeviceToken {
        self.remember_with_rng(keys, policy, now, &mut rand::rng())
    }

    /// [`RememberedDevices::remember`] with the given cryptographic RNG.
    ///
    /// Expired devices are pruned first; if the account is still at
    /// [`DevicePolicy::max_devices`], the device remembered longest ago is forgotten.
    ///
    /// # Examples
    ///
    /// ```
    /// use countersign::ServerKey;
    /// use countersign::device::{DevicePolicy, RememberedDevices};
    /// use rand::SeedableRng;
    ///
    /// let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    /// let key = ServerKey::generate_with(&mut rng);
    /// let policy = DevicePolicy::new(3600, 2)?;
    /// let mut devices = RememberedDevices::new();
    /// let first = devices.remember_with_rng(&key, &policy, 0, &mut rng);
    /// let _second = devices.remember_with_rng(&key, &policy, 1, &mut rng);
    /// let _third = devices.remember_with_rng(&key, &policy, 2, &mut rng);
    /// assert_eq!(devices.devices().len(), 2);
    /// assert!(devices.verify(&key, first.as_str(), 3).is_err(), "the oldest was forgotten");
    /// # Ok::<(), countersign::Error>(())
    /// ```
    #[must_use = "set the token as the device cookie, and store the devices"]
    pub fn remember_with_rng<K: ServerKeys + ?Sized, R: CryptoRng + ?Sized>(
        &mut self,
        keys: &K,
        policy: &DevicePolicy,
        now: u64,
        rng: &mut R,
    ) -> DeviceToken {
        self.prune(now);
        let keep = usize::from(policy.max_devices).saturating_sub(1);
        if self.devices.len() > keep {
            self.devices.sort_by_key(|d| (d.issued_at, d.expires_at));
            let excess = self.devices.len() - keep;
            self.devices.drain(..excess);
        }
        let mut id = [0u8; ID_LEN];
        rng.fill_bytes(&mut id);
        let id = DeviceId(id);
        // An id drawn twice (only a seeded RNG does that) replaces its earlier
        // entry: a list with an id twice is refused when it is read back.
        self.devices.retain(|d| d.id != id);
        let expires_at = now.saturating_add(policy.lifetime);
        let (key_id, key) = keys.current_key();
        self.devices.push(RememberedDevice {
            id,
            issued_at: now,
            expires_at,
            key: key_id.clone(),
        });
        token_for(key, self.generation, &id, expires_at)
    }

    /// A fresh token for the remembered device `id`, under the current key: the
    /// same device, generation and expiry, so the old cookie stops working and
    /// the new one works exactly as long. `None` if `id` is not remembered, or
    /// its token is already under the current key.
    ///
    /// # Examples
    ///
    /// ```
    /// use countersign::{Error, KeyId, KeyRing, ServerKey};
    /// use countersign::device::{DevicePolicy, RememberedDevices};
    ///
    /// let old = ServerKey::from_bytes([1; 32]);
    /// let mut devices = RememberedDevices::new();
    /// let cookie = devices.remember(&old, &DevicePolicy::default(), 0);
    ///
    /// let ring = KeyRing::new("2027-01".parse()?, ServerKey::generate()).with_retired(KeyId::DEFAULT, old)?;
    /// let device = devices.verify(&ring, cookie.as_str(), 10)?; // read under the retired key
    /// let fresh = devices.reissue(&ring, device).expect("under a retired key");
    /// assert!(devices.verify(&ring, fresh.as_str(), 20).is_ok());
    /// assert!(matches!(devices.verify(&ring, cookie.as_str(), 20), Err(Error::ForgedDeviceToken)));
    /// assert!(devices.reissue(&ring, device).is_none(), "already under the current key");
    /// # Ok::<(), countersign::Error>(())
    /// ```
    #[must_use = "set the token as the device cookie, and store the devices"]
    pub fn reissue<K: ServerKeys + ?Sized>(
        &mut self,
        keys: &K,
        id: DeviceId,
    ) -> Option<DeviceToken> {
        let (key_id, key) = keys.current_key();
        let generation = self.generation;
        let device = self.devices.iter_mut().find(|d| d.id == id)?;
        if device.key == *key_id {
            return None;
        }
        device.key = key_id.clone();
        Some(token_for(key, generation, &id, device.expires_at))
    }

    /// Checks a device cookie at `now`: the device it names is remembered for this
    /// account, and the second factor may be skipped. Returns the device's id.
    ///
    /// A token is valid up to, not including, its expiry second.
    ///
    /// # Errors
    ///
    /// - [`Error::MalformedDeviceToken`]: not a device token (any string is safe to pass);
    /// - [`Error::ForgedDeviceToken`]: the signature does not verify under `key`
    ///   (altered, or minted under another key);
    /// - [`Error::DeviceTokenExpired`]: `now` is at or past its expiry;
    /// - [`Error::DeviceRevoked`]: revoked alone, or with all devices, or not this
    ///   account's device;
    /// - [`Error::UnknownKeyId`]: the device was remembered under a server key
    ///   that `keys` no longer holds.
    ///
    /// # Examples
    ///
    /// ```
    /// use countersign::{Error, ServerKey};
    /// use countersign::device::{DevicePolicy, RememberedDevices};
    ///
    /// let key = ServerKey::generate();
    /// let mut devices = RememberedDevices::new();
    /// let token = devices.remember(&key, &DevicePolicy::new(60, 5)?, 1_000);
    /// assert!(devices.verify(&key, token.as_str(), 1_059).is_ok());
    /// assert!(matches!(
    ///     devices.verify(&key, token.as_str(), 1_060),
    ///     Err(Error::DeviceTokenExpired { expired_at: 1_060 }),
    /// ));
    /// # Ok::<(), countersign::Error>(())
    /// ```
    pub fn verify<K: ServerKeys + ?Sized>(
        &self,
        keys: &K,
        token: &str,
        now: u64,
    ) -> Result<DeviceId> {
        let bytes = parse(token)?;
        let claimed = claimed_id(&bytes);
        let claims = match self.devices.iter().find(|d| d.id == claimed) {
            Some(device) => authenticate(keys.key_named(&device.key)?, &bytes)?,
            // Not this account's device: a token signed by this server is one
            // revoked (or another account's), anything else a forgery.
            None => {
                let (_, key) = keys.current_key();
                authenticate(key, &bytes)?;
                return Err(Error::DeviceRevoked);
            }
        };
        if now >= claims.expires_at {
            return Err(Error::DeviceTokenExpired {
                expired_at: claims.expires_at,
            });
        }
        if claims.generation != self.generation {
            return Err(Error::DeviceRevoked);
        }
        let live = self
            .devices
            .iter()
            .any(|d| d.id == claims.id && d.expires_at == claims.expires_at);
        if !live {
            return Err(Error::DeviceRevoked);
        }
        Ok(claims.id)
    }

    /// Forgets one device ("this isn't my laptop any more"). Returns whether it was
    /// remembered.
    pub fn revoke(&mut self, id: DeviceId) -> bool {
        let before = self.devices.len();
        self.devices.retain(|d| d.id != id);
        self.devices.len() != before
    }

    /// Forgets every device: call it when the password changes or two-factor is
    /// disabled. Every token issued before fails from now on, even if a stale
    /// copy of the device list were restored.
    ///
    /// # Examples
    ///
    /// ```
    /// use countersign::{Error, ServerKey};
    /// use countersign::device::{DevicePolicy, RememberedDevices};
    ///
    /// let key = ServerKey::generate();
    /// let mut devices = RememberedDevices::new();
    /// let token = devices.remember(&key, &DevicePolicy::default(), 0);
    /// devices.revoke_all();
    /// assert!(matches!(devices.verify(&key, token.as_str(), 1), Err(Error::DeviceRevoked)));
    /// assert!(devices.devices().is_empty());
    /// ```
    pub fn revoke_all(&mut self) {
        self.generation = self.generation.wrapping_add(1);
        self.devices.clear();
    }

    /// Drops the devices whose tokens have expired at `now`.
    pub fn prune(&mut self, now: u64) {
        self.devices.retain(|d| d.is_remembered_at(now));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    const NOW: u64 = 1_700_000_000;

    fn setup() -> (ServerKey, RememberedDevices, DeviceToken, StdRng) {
        let mut rng = StdRng::seed_from_u64(3);
        let key = ServerKey::generate_with(&mut rng);
        let mut devices = RememberedDevices::new();
        let token = devices.remember_with_rng(&key, &DevicePolicy::default(), NOW, &mut rng);
        (key, devices, token, rng)
    }

    #[test]
    fn valid_until_the_expiry_second() {
        let (key, devices, token, _) = setup();
        let end = NOW + DEFAULT_LIFETIME;
        assert!(devices.verify(&key, token.as_str(), NOW).is_ok());
        assert!(devices.verify(&key, token.as_str(), end - 1).is_ok());
        assert!(matches!(
            devices.verify(&key, token.as_str(), end),
            Err(Error::DeviceTokenExpired { expired_at }) if expired_at == end
        ));
        assert!(devices.verify(&key, token.as_str(), u64::MAX).is_err());
    }

    #[test]
    fn revoke_one_device_leaves_the_others() {
        let (key, mut devices, first, mut rng) = setup();
        let second = devices.remember_with_rng(&key, &DevicePolicy::default(), NOW, &mut rng);
        let first_id = devices.verify(&key, first.as_str(), NOW).unwrap();
        assert!(devices.revoke(first_id));
        assert!(!devices.revoke(first_id), "already gone");
        assert!(matches!(
            devices.verify(&key, first.as_str(), NOW),
            Err(Error::DeviceRevoked)
        ));
        assert!(devices.verify(&key, second.as_str(), NOW).is_ok());
    }

    #[test]
    fn revoke_all_survives_a_restored_list() {
        let (key, mut devices, token, _) = setup();
        let stale_list = devices.devices().to_vec();
        devices.revoke_all();
        assert!(matches!(
            devices.verify(&key, token.as_str(), NOW),
            Err(Error::DeviceRevoked)
        ));
        // A replica merges the old list back: the generation still refuses the token.
        devices.devices.extend(stale_list);
        assert!(matches!(
            devices.verify(&key, token.as_str(), NOW),
            Err(Error::DeviceRevoked)
        ));
    }

    #[test]
    fn tokens_after_revoke_all_work() {
        let (key, mut devices, _, mut rng) = setup();
        devices.revoke_all();
        let fresh = devices.remember_with_rng(&key, &DevicePolicy::default(), NOW, &mut rng);
        assert!(devices.verify(&key, fresh.as_str(), NOW).is_ok());
    }

    #[test]
    fn another_accounts_token_is_refused() {
        let (key, _, token, _) = setup();
        let mut other = RememberedDevices::new();
        let _own = other.remember(&key, &DevicePolicy::default(), NOW);
        assert!(matches!(
            other.verify(&key, token.as_str(), NOW),
            Err(Error::DeviceRevoked)
        ));
    }

    #[test]
    fn foreign_key_is_a_forgery() {
        let (_, devices, token, _) = setup();
        let other_key = ServerKey::from_bytes([0xaa; 32]);
        assert!(matches!(
            devices.verify(&other_key, token.as_str(), NOW),
            Err(Error::ForgedDeviceToken)
        ));
    }

    #[test]
    fn every_single_character_change_is_refused() {
        let (key, devices, token, _) = setup();
        let text = token.as_str();
        for i in 0..text.len() {
            for replacement in ['0', 'f', 'A', 'z'] {
                let mut tampered = text.as_bytes().to_vec();
                if tampered[i] == replacement as u8 {
                    continue;
                }
                tampered[i] = replacement as u8;
                let tampered = String::from_utf8(tampered).unwrap();
                let err = devices.verify(&key, &tampered, NOW).unwrap_err();
                assert!(
                    matches!(
                        err,
                        Error::ForgedDeviceToken | Error::MalformedDeviceToken { .. }
                    ),
                    "position {i}: {err:?}"
                );
            }
        }
    }

    #[test]
    fn an_extended_expiry_is_a_forgery() {
        let (key, devices, token, _) = setup();
        // Rewrite the expiry field (bytes 25..33 of the token, hex 50..66).
        let mut text = token.as_str().to_owned();
        text.replace_range(50..66, &hex::encode(&u64::MAX.to_be_bytes()));
        assert!(matches!(
            devices.verify(&key, &text, NOW),
            Err(Error::ForgedDeviceToken)
        ));
    }

    #[test]
    fn truncated_extended_and_garbage_tokens_are_malformed() {
        let (key, devices, token, _) = setup();
        let text = token.as_str();
        let cases = [
            String::new(),
            text[..text.len() - 1].to_owned(),
            text[..text.len() - 2].to_owned(),
            format!("{text}00"),
            text.to_uppercase(),
            "é".repeat(65),
            format!("02{}", &text[2..]),
        ];
        for case in &cases {
            assert!(
                matches!(
                    devices.verify(&key, case, NOW),
                    Err(Error::MalformedDeviceToken { .. })
                ),
                "{case:?}"
            );
        }
    }

    #[test]
    fn remembering_prunes_and_caps() {
        let mut rng = StdRng::seed_from_u64(9);
        let key = ServerKey::generate_with(&mut rng);
        let policy = DevicePolicy::new(100, 3).unwrap();
        let mut devices = RememberedDevices::new();
        let old = devices.remember_with_rng(&key, &policy, 0, &mut rng);
        let _ = devices.remember_with_rng(&key, &policy, 150, &mut rng);
        assert_eq!(devices.devices().len(), 1, "the expired one was pruned");
        assert!(devices.verify(&key, old.as_str(), 50).is_err());
        for t in 151..160 {
            let _ = devices.remember_with_rng(&key, &policy, t, &mut rng);
            assert!(devices.devices().len() <= 3);
        }
        assert_eq!(
            devices
                .devices()
                .iter()
                .map(RememberedDevice::issued_at)
                .min(),
            Some(157)
        );
    }

    #[test]
    fn a_device_expiring_exactly_now_is_pruned() {
        let mut rng = StdRng::seed_from_u64(5);
        let key = ServerKey::generate_with(&mut rng);
        let policy = DevicePolicy::new(100, 3).unwrap();
        let mut devices = RememberedDevices::new();
        let _ = devices.remember_with_rng(&key, &policy, 0, &mut rng);
        let device = &devices.devices()[0];
        assert_eq!((device.issued_at(), device.expires_at()), (0, 100));
        devices.prune(99);
        assert_eq!(devices.devices().len(), 1, "still live a second before");
        // Its token is refused from second 100 on (valid_until_the_expiry_second):
        // the list drops it at the same second.
        devices.prune(100);
        assert!(devices.devices().is_empty());
    }

    #[test]
    fn debug_names_the_device_and_redacts_the_token() {
        let (_, devices, token, _) = setup();
        let id = devices.devices()[0].id();
        // The id is public (listed to the user, revocable by it): logs may name it.
        assert_eq!(format!("{id:?}"), format!("DeviceId({id})"));
        // The token is the bearer credential: never.
        assert_eq!(format!("{token:?}"), "DeviceToken([redacted])");
    }

    #[test]
    fn a_one_device_policy_keeps_only_the_newest() {
        let mut rng = StdRng::seed_from_u64(6);
        let key = ServerKey::generate_with(&mut rng);
        let policy = DevicePolicy::new(1_000, 1).unwrap();
        let mut devices = RememberedDevices::new();
        let first = devices.remember_with_rng(&key, &policy, 0, &mut rng);
        let second = devices.remember_with_rng(&key, &policy, 1, &mut rng);
        assert_eq!(devices.devices().len(), 1);
        assert!(matches!(
            devices.verify(&key, first.as_str(), 2),
            Err(Error::DeviceRevoked)
        ));
        assert!(devices.verify(&key, second.as_str(), 2).is_ok());
    }

    #[test]
    fn a_deployments_device_policy_is_read_as_written() {
        let policy: DevicePolicy =
            serde_json::from_str(r#"{"lifetime":3600,"max_devices":3}"#).unwrap();
        assert_eq!(policy, DevicePolicy::new(3600, 3).unwrap());
        assert_ne!(policy, DevicePolicy::default());
        assert_eq!((policy.lifetime(), policy.max_devices()), (3600, 3));
        for bad in [
            r#"{"lifetime":0,"max_devices":3}"#,
            r#"{"lifetime":3600,"max_devices":0}"#,
            r#"{"lifetime":3600,"max_devices":101}"#,
        ] {
            assert!(serde_json::from_str::<DevicePolicy>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn state_round_trips_and_rejects_corruption() {
        let (key, devices, token, _) = setup();
        let json = serde_json::to_string(&devices).unwrap();
        assert!(
            json.starts_with(r#"{"v":2,"generation":0,"devices":[{"id":""#),
            "{json}"
        );
        let back: RememberedDevices = serde_json::from_str(&json).unwrap();
        assert_eq!(back, devices);
        assert!(back.verify(&key, token.as_str(), NOW).is_ok());

        let id = devices.devices()[0].id().to_string();
        let device = format!(r#"{{"id":"{id}","issued_at":1,"expires_at":2}}"#);
        // Version 1 lists name no key: the default key signed them.
        let v1: RememberedDevices =
            serde_json::from_str(&format!(r#"{{"v":1,"generation":0,"devices":[{device}]}}"#))
                .unwrap();
        assert_eq!(v1.devices()[0].key_id(), &KeyId::DEFAULT);
        for bad in [
            r#"{"v":3,"generation":0,"devices":[]}"#.to_owned(),
            format!(r#"{{"v":1,"generation":0,"devices":[{device},{device}]}}"#),
            r#"{"v":1,"generation":0,"devices":[{"id":"00","issued_at":1,"expires_at":2}]}"#
                .to_owned(),
            r#"{"v":1,"generation":-1,"devices":[]}"#.to_owned(),
        ] {
            assert!(
                serde_json::from_str::<RememberedDevices>(&bad).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_cookie_stands_only_for_the_expiry_its_device_is_stored_with() {
        // An operator cuts a device's life short in its stored row. The cookie carries
        // the expiry it was signed with, which no longer matches the device's: it is
        // refused at once, while the device is still live by its stored expiry.
        let (key, devices, token, _) = setup();
        let mut json: serde_json::Value = serde_json::to_value(&devices).unwrap();
        let carried = devices.devices()[0].expires_at();
        json["devices"][0]["expires_at"] = (carried - 100).into();
        let shortened: RememberedDevices = serde_json::from_value(json).unwrap();
        assert!(devices.verify(&key, token.as_str(), NOW + 1).is_ok());
        assert!(NOW + 1 < shortened.devices()[0].expires_at());
        assert!(matches!(
            shortened.verify(&key, token.as_str(), NOW + 1),
            Err(Error::DeviceRevoked)
        ));
    }

    #[test]
    fn a_stored_device_list_that_is_not_a_list_says_what_was_expected() {
        // The message an operator reads for a corrupt row names the bound.
        let error = serde_json::from_str::<RememberedDevices>(
            r#"{"v":2,"generation":0,"devices":"laptop"}"#,
        )
        .unwrap_err()
        .to_string();
        let expected = format!("a list of at most {} devices", DevicePolicy::MAX_DEVICES);
        assert!(error.contains(&expected), "{error}");
    }

    /// A stored list of `count` devices with distinct ids (the last one repeated if `dup`).
    fn stored_list(count: usize, dup: bool) -> String {
        let mut devices: Vec<String> = (0..count)
            .map(|i| format!(r#"{{"id":"{i:032x}","issued_at":1,"expires_at":2}}"#))
            .collect();
        if dup && count > 1 {
            devices[count - 1] = devices[0].clone();
        }
        format!(
            r#"{{"v":1,"generation":0,"devices":[{}]}}"#,
            devices.join(",")
        )
    }

    #[test]
    fn a_huge_stored_device_list_is_refused_as_it_is_read() {
        // Issue 12, defect 5: 65,535 devices in a 4.6 MB row loaded, checked pairwise
        // (1.74 s per deserialization). A list longer than any policy allows is now
        // refused as it is read: at the device one past the ceiling, not the end.
        let max = usize::from(DevicePolicy::MAX_DEVICES);
        let huge = stored_list(usize::from(u16::MAX), false);
        assert!(huge.len() > 4_000_000);
        let error = serde_json::from_str::<RememberedDevices>(&huge).unwrap_err();
        assert!(
            error.to_string().contains("more remembered devices"),
            "{error}"
        );
        // The reader stopped within the first `max + 1` devices' worth of text.
        let one_past = stored_list(max + 1, false);
        assert_eq!(error.line(), 1);
        assert!(error.column() <= one_past.len(), "{error}");

        let full: RememberedDevices = serde_json::from_str(&stored_list(max, false)).unwrap();
        assert_eq!(full.devices().len(), max);
        assert!(serde_json::from_str::<RememberedDevices>(&stored_list(max + 1, false)).is_err());
        // Duplicates are found by one pass, wherever they are.
        assert!(serde_json::from_str::<RememberedDevices>(&stored_list(max, true)).is_err());

        // The policy cannot ask for more than the stored form may hold.
        assert!(DevicePolicy::new(60, DevicePolicy::MAX_DEVICES).is_ok());
        assert!(matches!(
            DevicePolicy::new(60, DevicePolicy::MAX_DEVICES + 1),
            Err(Error::InvalidDevicePolicy { .. })
        ));
    }

    #[test]
    fn remembering_past_the_policy_evicts_the_oldest() {
        let mut rng = StdRng::seed_from_u64(12);
        let key = ServerKey::generate_with(&mut rng);
        let policy = DevicePolicy::new(1_000, 3).unwrap();
        // A list stored under a more generous policy, then the policy was lowered.
        let mut devices: RememberedDevices = serde_json::from_str(&stored_list(50, false)).unwrap();
        for device in &mut devices.devices {
            device.expires_at = 2_000;
        }
        let newest = devices.remember_with_rng(&key, &policy, 10, &mut rng);
        assert_eq!(devices.devices().len(), 3);
        assert!(devices.verify(&key, newest.as_str(), 11).is_ok());
        let kept: Vec<u64> = devices.devices().iter().map(|d| d.issued_at()).collect();
        assert_eq!(kept, [1, 1, 10]);
    }

    #[test]
    fn a_listed_id_parses_back_and_revokes() {
        let (key, mut devices, token, _) = setup();
        let shown = devices.devices()[0].id().to_string();
        let id: DeviceId = shown.parse().unwrap();
        assert!(devices.revoke(id));
        assert!(matches!(
            devices.verify(&key, token.as_str(), NOW),
            Err(Error::DeviceRevoked)
        ));
        for bad in ["", "00", &shown.to_uppercase(), &format!("{shown}0")] {
            assert!(
                matches!(bad.parse::<DeviceId>(), Err(Error::MalformedDeviceId)),
                "{bad}"
            );
        }
    }

    #[test]
    fn token_ids_are_random() {
        let key = ServerKey::generate();
        let mut devices = RememberedDevices::new();
        let policy = DevicePolicy::new(60, 50).unwrap();
        for _ in 0..50 {
            let _ = devices.remember(&key, &policy, 0);
        }
        let mut ids: Vec<_> = devices.devices().iter().map(|d| d.id().0).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), 50);
    }

    #[test]
    fn a_device_id_drawn_twice_leaves_a_list_that_reads_back() {
        use rand::SeedableRng;
        let key = ServerKey::from_bytes([9; 32]);
        let mut devices = RememberedDevices::new();
        for _ in 0..2 {
            let mut seeded = rand::rngs::StdRng::seed_from_u64(8);
            let _ = devices.remember_with_rng(&key, &DevicePolicy::default(), 1_000, &mut seeded);
        }
        let json = serde_json::to_string(&devices).unwrap();
        let back: RememberedDevices =
            serde_json::from_str(&json).expect("what we write we read back");
        assert_eq!(back.devices().len(), 1);
    }
}
