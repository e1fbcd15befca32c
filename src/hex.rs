//! Strict lower-case hexadecimal for device cookies and stored digests.
//!
//! Strict on purpose: exactly one text per byte string (no upper case, no
//! separators), so a token or a stored state has one spelling and a flipped
//! character always changes the bytes.

use serde::{Deserialize, Deserializer, Serializer};

const DIGITS: &[u8; 16] = b"0123456789abcdef";

/// Lower-case hex of `bytes`.
pub(crate) fn encode(bytes: &[u8]) -> String {
    let mut text = String::with_capacity(bytes.len() * 2);
    for &byte in bytes {
        text.push(char::from(DIGITS[usize::from(byte >> 4)]));
        text.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    text
}

fn nibble(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        _ => None,
    }
}

/// Exactly `N` bytes from `2 * N` lower-case hex digits, or `None`.
pub(crate) fn decode<const N: usize>(text: &str) -> Option<[u8; N]> {
    let text = text.as_bytes();
    if text.len() != 2 * N {
        return None;
    }
    let mut out = [0u8; N];
    for (byte, pair) in out.iter_mut().zip(text.chunks_exact(2)) {
        *byte = (nibble(pair[0])? << 4) | nibble(pair[1])?;
    }
    Some(out)
}

/// Any number of bytes from an even number of lower-case hex digits, or `None`.
pub(crate) fn decode_vec(text: &str) -> Option<Vec<u8>> {
    let text = text.as_bytes();
    if !text.len().is_multiple_of(2) {
        return None;
    }
    text.chunks_exact(2)
        .map(|pair| Some((nibble(pair[0])? << 4) | nibble(pair[1])?))
        .collect()
}

/// `#[serde(with = "crate::hex::fixed")]` for `[u8; N]` fields stored as hex text.
pub(crate) mod fixed {
    use super::{Deserialize, Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer, const N: usize>(
        bytes: &[u8; N],
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&super::encode(bytes))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>, const N: usize>(
        deserializer: D,
    ) -> Result<[u8; N], D::Error> {
        let text = String::deserialize(deserializer)?;
        super::decode(&text).ok_or_else(|| {
            serde::de::Error::custom(format_args!("expected {} lower-case hex digits", 2 * N))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_is_strict() {
        let bytes = [0x00, 0x7f, 0x80, 0xff, 0x12];
        let text = encode(&bytes);
        assert_eq!(text, "007f80ff12");
        assert_eq!(decode::<5>(&text), Some(bytes));
        assert_eq!(decode::<5>("007F80FF12"), None, "upper case is refused");
        assert_eq!(decode::<5>("007f80ff1"), None, "odd length");
        assert_eq!(decode::<4>(&text), None, "wrong length");
        assert_eq!(decode::<5>("007f80ff1g"), None, "non-hex");
        assert_eq!(decode::<2>("éé"), None, "non-ASCII");
    }
}
