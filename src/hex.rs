//! Strict lower-case hexadecimal for device cookies and stored digests.
//!
//! Strict on purpose: exactly one text per byte string (no upper case, no
//! separators), so a token or a stored state has one spelling and a flipped
//! character always changes the bytes.
//!
//! Through RustCrypto's `base16ct`, whose `lower` variant is as strict and has no
//! data-dependent branches or table look-ups: decoding a device token or a stored
//! digest says nothing through timing about its digits.

use serde::{Deserialize, Deserializer, Serializer};

/// Lower-case hex of `bytes`.
pub(crate) fn encode(bytes: &[u8]) -> String {
    base16ct::lower::encode_string(bytes)
}

/// Exactly `N` bytes from `2 * N` lower-case hex digits, or `None`.
pub(crate) fn decode<const N: usize>(text: &str) -> Option<[u8; N]> {
    // `decode` would accept a shorter text into the longer buffer.
    if text.len() != 2 * N {
        return None;
    }
    let mut out = [0u8; N];
    base16ct::lower::decode(text, &mut out).ok()?;
    Some(out)
}

/// Any number of bytes from an even number of lower-case hex digits, or `None`.
pub(crate) fn decode_vec(text: &str) -> Option<Vec<u8>> {
    base16ct::lower::decode_vec(text).ok()
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
        assert_eq!(decode_vec(""), Some(Vec::new()));
        assert_eq!(decode_vec("0"), None, "odd length");
        assert_eq!(decode_vec("0G"), None, "non-hex");
        assert_eq!(decode_vec("aB"), None, "mixed case");
    }

    proptest::proptest! {
        /// The same answers as the hand-written decoder this replaced: lower case
        /// only, even length, and a round trip.
        #[test]
        fn agrees_with_a_reference(bytes: Vec<u8>, text in "[0-9a-fA-F g]{0,12}") {
            let reference: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
            proptest::prop_assert_eq!(&encode(&bytes), &reference);
            proptest::prop_assert_eq!(decode_vec(&reference), Some(bytes));
            let valid = text.len() % 2 == 0 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
            proptest::prop_assert_eq!(decode_vec(&text).is_some(), valid);
            proptest::prop_assert_eq!(decode::<3>(&text).is_some(), valid && text.len() == 6);
        }
    }
}
