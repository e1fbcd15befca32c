//! The WebAuthn user handle of an account.

use webauthn_rs::prelude::Uuid;

/// The marker in bytes 10 to 15 of every user handle this crate makes.
const MARKER: [u8; 6] = *b"cspkey";

/// The user handle (W3C WebAuthn §5.4.3 `user.id`) of an account: a UUID that
/// encodes the account's number (a `u64`), made and read only by this crate.
///
/// An authenticator keeps it with a discoverable credential and returns it at a
/// passwordless sign-in: it says which account to load before anything is
/// verified. So it is derived from the account's number rather than drawn at
/// random: no index of handles to keep, nothing to migrate, and it survives a
/// server-key rotation (the authenticator's copy cannot be updated). It holds
/// no personal data (§14.6.1): the number is an internal id. Forging one only
/// makes the server load that account and then refuse the signature.
///
/// Layout (UUID version 8, RFC 9562 §5.8): bytes 0 to 5 are the number's six
/// high bytes, byte 6 the version (`0x80`), byte 7 the number's seventh byte,
/// byte 8 the variant (`0x80`), byte 9 its last byte, bytes 10 to 15 `cspkey`.
///
/// ```
/// use countersign_passkey::UserHandle;
///
/// let joe = UserHandle::from_id(3522);
/// assert_eq!(joe.id(), 3522);
/// assert_eq!(UserHandle::from_uuid(joe.uuid()), Some(joe));
/// assert_eq!(UserHandle::from_uuid(Default::default()), None, "not one of ours");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct UserHandle(u64);

impl UserHandle {
    /// The handle of the account numbered `id`.
    #[must_use]
    pub fn from_id(id: u64) -> Self {
        Self(id)
    }

    /// The account's number.
    #[must_use]
    pub fn id(self) -> u64 {
        self.0
    }

    /// The handle as the UUID webauthn-rs takes.
    #[must_use]
    pub fn uuid(self) -> Uuid {
        let n = self.0.to_be_bytes();
        let mut b = [0u8; 16];
        b[..6].copy_from_slice(&n[..6]);
        b[6] = 0x80;
        b[7] = n[6];
        b[8] = 0x80;
        b[9] = n[7];
        b[10..].copy_from_slice(&MARKER);
        Uuid::from_bytes(b)
    }

    /// The handle a UUID spells, if this crate made it.
    #[must_use]
    pub fn from_uuid(uuid: Uuid) -> Option<Self> {
        let b = uuid.as_bytes();
        if b[6] != 0x80 || b[8] != 0x80 || b[10..] != MARKER {
            return None;
        }
        let mut n = [0u8; 8];
        n[..6].copy_from_slice(&b[..6]);
        n[6] = b[7];
        n[7] = b[9];
        Some(Self(u64::from_be_bytes(n)))
    }
}
