//! Google Authenticator's export QR codes, `otpauth-migration://offline?data=...`, read
//! into [`KeyUri`]s: for a service importing a user's existing keys.
//!
//! The `data` parameter is percent-encoded base64 of a protobuf `MigrationPayload`
//! (the schema is in the app's sources and in every decoder of them, such as
//! google-authenticator-exporter and extract_otp_secrets):
//!
//! ```text
//! MigrationPayload { repeated OtpParameters otp_parameters = 1; int32 version = 2;
//!                    int32 batch_size = 3; int32 batch_index = 4; int32 batch_id = 5; }
//! OtpParameters    { bytes secret = 1; string name = 2; string issuer = 3;
//!                    Algorithm algorithm = 4;  // 0 unspecified, 1 SHA1, 2 SHA256, 3 SHA512, 4 MD5
//!                    DigitCount digits = 5;    // 0 unspecified, 1 six, 2 eight
//!                    OtpType type = 6;         // 0 unspecified, 1 HOTP, 2 TOTP
//!                    int64 counter = 7; }
//! ```
//!
//! # Why a hand-written decoder, not `prost`
//!
//! Two messages of seven scalar fields need four wire-format operations: a varint, a
//! length-delimited slice, a field key, and skipping an unknown field. Written out
//! here that is about a hundred lines with no dependency; `prost` would add `prost`,
//! `prost-derive` and `bytes` (and their proc-macro build) to every user of this
//! crate, for the same decoding. The hand-written one is also stricter where it
//! matters, because every rule is in view: a truncated or over-long varint, a length
//! running past its message, a known field with the wrong wire type, a group (wire
//! types 3 and 4, deprecated) and more than [`MAX_MIGRATION_KEYS`] entries are
//! [`Error::MigrationProtobuf`]; an enum value outside the schema, MD5, an unspecified
//! OTP type and a negative HOTP counter are [`Error::MigrationUnsupported`]. Unknown
//! fields are skipped, as protobuf requires, so a newer app's export still reads; a
//! singular field given twice keeps its last value, as protobuf decoders do. It is
//! fuzzed (`fuzz/fuzz_targets/totp_migration.rs`). Base64 is `base64ct`'s, already
//! in the dependency tree through `argon2`.
//!
//! # Names
//!
//! The app exports `name` as the label it showed, often `Issuer:account`. A literal
//! colon separates, as in a Key URI: the part after it (spaces trimmed) is the account
//! name, the part before it the issuer when the `issuer` field is empty. When both
//! are given and differ, the `issuer` field wins with a
//! [`UriWarning::IssuerMismatch`], as [`KeyUri::parse_lenient`] does; the names are
//! then checked as there (a colon left in a name is a [`UriWarning::ColonInName`];
//! control and bidirectional formatting characters are refused).

use percent_encoding::{percent_decode_str, utf8_percent_encode};
use zeroize::Zeroizing;

use crate::algorithm::Algorithm;
use crate::error::{Error, Result};
use crate::secret::Secret;
use crate::uri::{COMPONENT, KeyUri, MAX_NAME_LEN, MAX_URI_LEN, UriWarning, check_issuer};

/// The most keys one export code may hold. The app puts about ten in a QR code (a
/// code holds at most 2,953 bytes); this leaves room and bounds the work.
///
/// ```
/// use countersign_totp::MAX_MIGRATION_KEYS;
///
/// assert_eq!(MAX_MIGRATION_KEYS, 64);
/// ```
pub const MAX_MIGRATION_KEYS: usize = 64;

/// The longest export text read, in bytes: more than a QR code's 2,953 bytes after
/// base64 and percent-encoding.
///
/// ```
/// use countersign_totp::{Error, Migration, MAX_MIGRATION_LEN};
///
/// let huge = format!("otpauth-migration://offline?data={}", "A".repeat(MAX_MIGRATION_LEN));
/// assert!(matches!(Migration::parse(&huge), Err(Error::MigrationTooLarge { .. })));
/// ```
pub const MAX_MIGRATION_LEN: usize = 8192;

/// One export QR code of Google Authenticator: some of the user's keys, and where this
/// code sits in its batch (an export of many keys spans several codes).
///
/// ```
/// use countersign_totp::Migration;
///
/// // The example of dim13/otpauth's README: one TOTP key.
/// let export = Migration::parse(
///     "otpauth-migration://offline?data=CjEKCkhlbGxvId6tvu8SGEV4YW1wbGU6YWxpY2VAZ29vZ2xlLmNvbRoHRXhhbXBsZTAC",
/// )?;
/// let key = &export.keys()[0];
/// assert_eq!(
///     key.uri.to_uri().as_str(),
///     "otpauth://totp/Example:alice%40google.com?secret=JBSWY3DPEHPK3PXP&issuer=Example"
/// );
/// assert!(key.warnings.is_empty());
/// assert_eq!((export.batch_index(), export.batch_size()), (0, 0));
/// # Ok::<(), countersign_totp::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Migration {
    keys: Vec<MigratedKey>,
    version: i32,
    batch_size: i32,
    batch_index: i32,
    batch_id: i32,
}

/// One key of an export: its Key URI and what was resolved in reading its names.
///
/// ```
/// use countersign_totp::Migration;
///
/// let export = Migration::parse("otpauth-migration://offline?data=CjEKCkhlbGxvId6tvu8SGEV4YW1wbGU6YWxpY2VAZ29vZ2xlLmNvbRoHRXhhbXBsZTAC")?;
/// let key = &export.keys()[0];
/// assert_eq!((key.uri.issuer(), key.warnings.len()), (Some("Example"), 0));
/// # Ok::<(), countersign_totp::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MigratedKey {
    /// The key, as a Key URI (TOTP keys with the 30-second period the app uses).
    pub uri: KeyUri,
    /// What was accepted leniently, as [`KeyUri::parse_lenient`] reports it.
    pub warnings: Vec<UriWarning>,
}

impl Migration {
    /// Reads an `otpauth-migration://offline?data=...` text (the scheme in any case;
    /// `data` percent-encoded or not, base64 with or without padding).
    ///
    /// ```
    /// use countersign_totp::{Error, Migration};
    ///
    /// assert!(matches!(Migration::parse("otpauth://totp/joe?secret=JBSWY3DPEHPK3PXP"), Err(Error::MigrationScheme)));
    /// // A payload whose only key uses MD5 (algorithm = 4).
    /// assert!(matches!(
    ///     Migration::parse("otpauth-migration://offline?data=ChAKCkhlbGxvId6tvu8gBDAC"),
    ///     Err(Error::MigrationUnsupported { field: "algorithm", value: 4, .. })
    /// ));
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::MigrationScheme`], [`Error::MigrationTooLarge`] (the text, or more than
    /// [`MAX_MIGRATION_KEYS`] keys), [`Error::MigrationEncoding`] (percent-encoding or
    /// base64), [`Error::MigrationProtobuf`] (malformed payload),
    /// [`Error::MigrationUnsupported`] (MD5, an unknown or unspecified value, a negative
    /// counter), [`Error::MigrationTooLarge`] with `what` `name` or `issuer` for a name
    /// longer than [`MAX_NAME_LEN`](crate::MAX_NAME_LEN) bytes, and a key's own
    /// errors: [`Error::SecretTooShort`], [`Error::SecretTooLong`], [`Error::UriLabel`].
    /// [`Error::UriTooLong`] cannot occur: with its names bounded, a key's URI fits
    /// under [`MAX_URI_LEN`](crate::MAX_URI_LEN).
    pub fn parse(text: &str) -> Result<Self> {
        const SCHEME: &str = "otpauth-migration://offline?";
        if text.len() > MAX_MIGRATION_LEN {
            return Err(Error::MigrationTooLarge {
                what: "text",
                len: text.len(),
                max: MAX_MIGRATION_LEN,
            });
        }
        let query = match text.get(..SCHEME.len()) {
            Some(scheme) if scheme.eq_ignore_ascii_case(SCHEME) => &text[SCHEME.len()..],
            _ => return Err(Error::MigrationScheme),
        };
        let mut data = None;
        for pair in query.split('&') {
            if let Some(value) = pair.strip_prefix("data=")
                && data.replace(value).is_some()
            {
                return Err(Error::MigrationEncoding {
                    reason: "the data parameter is given twice",
                });
            }
        }
        let data = data.ok_or(Error::MigrationEncoding {
            reason: "there is no data parameter",
        })?;
        // Base64 `+` stays `+` here: this is not form encoding. The payload holds every
        // key's raw secret, so each copy of it is wiped on drop, and sized up front (the
        // decoded text is never longer than the encoded one) so that none is left behind
        // by a growing buffer.
        let mut base64 = Zeroizing::new(Vec::with_capacity(data.len()));
        base64.extend(percent_decode_str(data));
        let payload = decode_base64(&base64)?;
        Self::from_payload(&payload)
    }

    /// Reads a decoded `MigrationPayload` (the bytes inside `data`).
    fn from_payload(payload: &[u8]) -> Result<Self> {
        let mut export = Self {
            keys: Vec::new(),
            version: 0,
            batch_size: 0,
            batch_index: 0,
            batch_id: 0,
        };
        let mut reader = Reader::new(payload);
        while let Some((field, wire)) = reader.key()? {
            match (field, wire) {
                (1, LEN) => {
                    if export.keys.len() == MAX_MIGRATION_KEYS {
                        return Err(Error::MigrationTooLarge {
                            what: "keys",
                            len: MAX_MIGRATION_KEYS + 1,
                            max: MAX_MIGRATION_KEYS,
                        });
                    }
                    let entry = reader.bytes()?;
                    export.keys.push(read_key(entry)?);
                }
                (2, VARINT) => export.version = reader.int32()?,
                (3, VARINT) => export.batch_size = reader.int32()?,
                (4, VARINT) => export.batch_index = reader.int32()?,
                (5, VARINT) => export.batch_id = reader.int32()?,
                (1..=5, _) => return Err(reader.wrong_wire_type()),
                _ => reader.skip(wire)?,
            }
        }
        Ok(export)
    }

    /// The keys, in the order of the export.
    ///
    /// ```
    /// use countersign_totp::Migration;
    ///
    /// let export = Migration::parse("otpauth-migration://offline?data=CjEKCkhlbGxvId6tvu8SGEV4YW1wbGU6YWxpY2VAZ29vZ2xlLmNvbRoHRXhhbXBsZTAC")?;
    /// assert_eq!(export.keys()[0].uri.account(), "alice@google.com");
    /// # Ok::<(), countersign_totp::Error>(())
    /// ```
    #[must_use]
    pub fn keys(&self) -> &[MigratedKey] {
        &self.keys
    }

    /// The keys, by value.
    ///
    /// ```
    /// use countersign_totp::Migration;
    ///
    /// let export = Migration::parse("otpauth-migration://offline?data=CjEKCkhlbGxvId6tvu8SGEV4YW1wbGU6YWxpY2VAZ29vZ2xlLmNvbRoHRXhhbXBsZTAC")?;
    /// let uris: Vec<_> = export.into_keys().into_iter().map(|key| key.uri).collect();
    /// assert_eq!(uris[0].issuer(), Some("Example"));
    /// # Ok::<(), countersign_totp::Error>(())
    /// ```
    #[must_use]
    pub fn into_keys(self) -> Vec<MigratedKey> {
        self.keys
    }

    /// The payload format's version (1 in the app's exports; 0 when absent).
    ///
    /// ```
    /// use countersign_totp::Migration;
    ///
    /// let export = Migration::parse("otpauth-migration://offline?data=EAE%3D")?; // version 1, no keys
    /// assert_eq!(export.version(), 1);
    /// # Ok::<(), countersign_totp::Error>(())
    /// ```
    #[must_use]
    pub fn version(&self) -> i32 {
        self.version
    }

    /// How many codes the export spans.
    ///
    /// ```
    /// use countersign_totp::Migration;
    ///
    /// let export = Migration::parse("otpauth-migration://offline?data=GAI%3D")?; // batch_size 2
    /// assert_eq!(export.batch_size(), 2);
    /// # Ok::<(), countersign_totp::Error>(())
    /// ```
    #[must_use]
    pub fn batch_size(&self) -> i32 {
        self.batch_size
    }

    /// Which of those codes this is, from 0.
    ///
    /// ```
    /// use countersign_totp::Migration;
    ///
    /// let export = Migration::parse("otpauth-migration://offline?data=IAE%3D")?; // batch_index 1
    /// assert_eq!(export.batch_index(), 1);
    /// # Ok::<(), countersign_totp::Error>(())
    /// ```
    #[must_use]
    pub fn batch_index(&self) -> i32 {
        self.batch_index
    }

    /// The export's identifier, the same on each of its codes.
    ///
    /// ```
    /// use countersign_totp::Migration;
    ///
    /// let export = Migration::parse("otpauth-migration://offline?data=KCo%3D")?; // batch_id 42
    /// assert_eq!(export.batch_id(), 42);
    /// # Ok::<(), countersign_totp::Error>(())
    /// ```
    #[must_use]
    pub fn batch_id(&self) -> i32 {
        self.batch_id
    }
}

/// Standard base64, padded or not (exporters differ), strict otherwise.
fn decode_base64(text: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
    use base64ct::{Base64, Base64Unpadded, Encoding};
    let mut buffer = Zeroizing::new(vec![0u8; text.len() / 4 * 3 + 3]);
    let decoded = if text.ends_with(b"=") {
        Base64::decode(text, &mut buffer)
    } else {
        Base64Unpadded::decode(text, &mut buffer)
    }
    .map_err(|_| Error::MigrationEncoding {
        reason: "the data parameter is not valid base64",
    })?;
    let len = decoded.len();
    buffer.truncate(len);
    Ok(buffer)
}

/// Reads one `OtpParameters` message into a Key URI.
fn read_key(message: &[u8]) -> Result<MigratedKey> {
    let mut secret: &[u8] = &[];
    let mut name: &[u8] = &[];
    let mut issuer: &[u8] = &[];
    // Where each name's bytes begin in the message, for an error about them.
    let (mut name_at, mut issuer_at) = (0, 0);
    let (mut algorithm, mut digits, mut kind, mut counter) = (0i64, 0i64, 0i64, 0i64);
    let mut reader = Reader::new(message);
    while let Some((field, wire)) = reader.key()? {
        match (field, wire) {
            (1, LEN) => secret = reader.bytes()?,
            (2, LEN) => {
                name = reader.bytes()?;
                name_at = reader.at - name.len();
            }
            (3, LEN) => {
                issuer = reader.bytes()?;
                issuer_at = reader.at - issuer.len();
            }
            (4, VARINT) => algorithm = i64::from(reader.int32()?),
            (5, VARINT) => digits = i64::from(reader.int32()?),
            (6, VARINT) => kind = i64::from(reader.int32()?),
            // int64: the varint's 64 bits are the two's-complement value.
            (7, VARINT) => counter = i64::from_ne_bytes(reader.varint()?.to_ne_bytes()),
            (1..=7, _) => return Err(reader.wrong_wire_type()),
            _ => reader.skip(wire)?,
        }
    }

    let algorithm = match algorithm {
        0 | 1 => Algorithm::Sha1,
        2 => Algorithm::Sha256,
        3 => Algorithm::Sha512,
        4 => {
            return Err(unsupported(
                "algorithm",
                4,
                "MD5 is not an HMAC for one-time codes",
            ));
        }
        other => return Err(unsupported("algorithm", other, "not in the schema")),
    };
    let digits = match digits {
        0 | 1 => 6,
        2 => 8,
        other => return Err(unsupported("digits", other, "not in the schema")),
    };
    let hotp = match kind {
        1 => true,
        2 => false,
        0 => return Err(unsupported("type", 0, "the OTP type is unspecified")),
        other => return Err(unsupported("type", other, "not in the schema")),
    };
    let counter = if hotp {
        Some(u64::try_from(counter).map_err(|_| unsupported("counter", counter, "negative"))?)
    } else {
        None
    };

    let not_utf8 = |offset, reason| Error::MigrationProtobuf { offset, reason };
    let name =
        core::str::from_utf8(name).map_err(|_| not_utf8(name_at, "the name is not UTF-8"))?;
    let issuer =
        core::str::from_utf8(issuer).map_err(|_| not_utf8(issuer_at, "the issuer is not UTF-8"))?;
    let secret = Secret::from_bytes(secret)?;

    // The name is the label the app showed: a literal colon separates an issuer prefix.
    let (prefix, account) = match name.split_once(':') {
        Some((prefix, account)) => (Some(prefix), account.trim_start_matches(' ')),
        None => (None, name),
    };
    // Bounded here, so that the error names the export's field, not the URI text
    // built from it (which then fits under MAX_URI_LEN: see MAX_NAME_LEN).
    for (what, text) in [
        ("name", account),
        ("name", prefix.unwrap_or_default()),
        ("issuer", issuer),
    ] {
        if text.len() > MAX_NAME_LEN {
            return Err(Error::MigrationTooLarge {
                what,
                len: text.len(),
                max: MAX_NAME_LEN,
            });
        }
    }
    // The prefix is checked before it is compared: when the issuer field wins, the
    // prefix still travels in a warning to a screen.
    if let Some(prefix) = prefix {
        check_issuer(prefix)?;
    }
    let mut warnings = Vec::new();
    let issuer = match (
        prefix.filter(|p| !p.is_empty()),
        Some(issuer).filter(|i| !i.is_empty()),
    ) {
        (Some(prefix), Some(issuer)) if prefix != issuer => {
            warnings.push(UriWarning::IssuerMismatch {
                label: prefix.to_owned(),
                parameter: issuer.to_owned(),
            });
            Some(issuer)
        }
        (_, Some(issuer)) => Some(issuer),
        (prefix, None) => prefix,
    };

    // Written as a Key URI and read back leniently, so the names get exactly the checks
    // (and warnings) a scanned URI gets.
    // It will hold the secret: wiped on drop, and sized up front so that growing it
    // leaves no copy behind (it fits: see MAX_NAME_LEN).
    let mut uri = Zeroizing::new(String::with_capacity(MAX_URI_LEN));
    uri.push_str(if hotp {
        "otpauth://hotp/"
    } else {
        "otpauth://totp/"
    });
    if let Some(issuer) = issuer {
        uri.push_str(&utf8_percent_encode(issuer, COMPONENT).to_string());
        uri.push(':');
    }
    uri.push_str(&utf8_percent_encode(account, COMPONENT).to_string());
    uri.push_str("?secret=");
    uri.push_str(&secret.to_base32());
    if let Some(issuer) = issuer {
        uri.push_str("&issuer=");
        uri.push_str(&utf8_percent_encode(issuer, COMPONENT).to_string());
    }
    if algorithm != Algorithm::Sha1 {
        uri.push_str(&format!("&algorithm={algorithm}"));
    }
    if digits != 6 {
        uri.push_str(&format!("&digits={digits}"));
    }
    if let Some(counter) = counter {
        uri.push_str(&format!("&counter={counter}"));
    }
    let (uri, more) = KeyUri::parse_lenient(&uri)?;
    warnings.extend(more);
    Ok(MigratedKey { uri, warnings })
}

fn unsupported(field: &'static str, value: i64, reason: &'static str) -> Error {
    Error::MigrationUnsupported {
        field,
        value,
        reason,
    }
}

/// Protobuf wire types (the protobuf encoding guide).
const VARINT: u8 = 0;
const I64: u8 = 1;
const LEN: u8 = 2;
const I32: u8 = 5;

/// A cursor over a protobuf message.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, at: 0 }
    }

    fn malformed(&self, reason: &'static str) -> Error {
        Error::MigrationProtobuf {
            offset: self.at,
            reason,
        }
    }

    fn wrong_wire_type(&self) -> Error {
        self.malformed("a known field has the wrong wire type")
    }

    /// A base-128 varint of at most ten bytes, the tenth holding one bit.
    fn varint(&mut self) -> Result<u64> {
        let mut value = 0u64;
        for index in 0..10 {
            let byte = *self
                .bytes
                .get(self.at)
                .ok_or_else(|| self.malformed("a varint runs past the end"))?;
            self.at += 1;
            if index == 9 && byte > 1 {
                return Err(self.malformed("a varint is longer than 64 bits"));
            }
            value |= u64::from(byte & 0x7f) << (7 * index);
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(self.malformed("a varint is longer than 64 bits"))
    }

    /// An int32 field: encoded as a varint of the value sign-extended to 64 bits.
    fn int32(&mut self) -> Result<i32> {
        let value = i64::from_ne_bytes(self.varint()?.to_ne_bytes());
        i32::try_from(value).map_err(|_| self.malformed("an int32 field is out of range"))
    }

    /// The next field's number and wire type, or `None` at the end of the message.
    fn key(&mut self) -> Result<Option<(u32, u8)>> {
        if self.at == self.bytes.len() {
            return Ok(None);
        }
        let key = self.varint()?;
        let field = u32::try_from(key >> 3)
            .ok()
            .filter(|field| (1..=0x1fff_ffff).contains(field))
            .ok_or_else(|| self.malformed("a field number is out of range"))?;
        // The mask keeps three bits: the cast cannot truncate.
        #[allow(clippy::cast_possible_truncation)]
        let wire = (key & 7) as u8;
        Ok(Some((field, wire)))
    }

    /// A length-delimited field's bytes.
    fn bytes(&mut self) -> Result<&'a [u8]> {
        let len = self.varint()?;
        let end = usize::try_from(len)
            .ok()
            .and_then(|len| self.at.checked_add(len))
            .filter(|end| *end <= self.bytes.len())
            .ok_or_else(|| self.malformed("a length runs past the end of its message"))?;
        let bytes = &self.bytes[self.at..end];
        self.at = end;
        Ok(bytes)
    }

    /// Skips an unknown field's value.
    fn skip(&mut self, wire: u8) -> Result<()> {
        let fixed = match wire {
            VARINT => return self.varint().map(drop),
            LEN => return self.bytes().map(drop),
            I64 => 8,
            I32 => 4,
            _ => return Err(self.malformed("a group or unknown wire type")),
        };
        if self.bytes.len() - self.at < fixed {
            return Err(self.malformed("a fixed-width field runs past the end"));
        }
        self.at += fixed;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_payloads_are_typed_errors() {
        let cases: [(&[u8], &str); 6] = [
            (&[0x0a], "a varint runs past the end"),
            (
                &[0x0a, 0x05, 0x00],
                "a length runs past the end of its message",
            ),
            (&[0x08, 0x01], "a known field has the wrong wire type"),
            (&[0x4b], "a group or unknown wire type"),
            (&[0x4d, 0x00], "a fixed-width field runs past the end"),
            (
                &[
                    0x10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f,
                ],
                "a varint is longer than 64 bits",
            ),
        ];
        for (payload, reason) in cases {
            match Migration::from_payload(payload) {
                Err(Error::MigrationProtobuf { reason: found, .. }) => {
                    assert_eq!(found, reason, "{payload:?}");
                }
                other => panic!("{payload:?}: {other:?}"),
            }
        }
        // Unknown fields of every wire type are skipped.
        let export = Migration::from_payload(&[
            0x30, 0x01, 0x39, 0, 0, 0, 0, 0, 0, 0, 0, 0x42, 0x01, 0x00, 0x4d, 0, 0, 0, 0, 0x10,
            0x01,
        ])
        .unwrap();
        assert_eq!(export.version(), 1);
    }

    #[test]
    fn too_many_keys_are_refused() {
        let entry = [
            0x0a, 0x11, 0x0a, 0x0a, b'H', b'e', b'l', b'l', b'o', b'!', 0xde, 0xad, 0xbe, 0xef,
            0x12, 0x01, b'a', 0x30, 0x02,
        ];
        let payload: Vec<u8> = entry
            .iter()
            .copied()
            .cycle()
            .take(entry.len() * (MAX_MIGRATION_KEYS + 1))
            .collect();
        assert_eq!(
            Migration::from_payload(&payload[..entry.len() * MAX_MIGRATION_KEYS])
                .unwrap()
                .keys()
                .len(),
            MAX_MIGRATION_KEYS
        );
        assert_eq!(
            Migration::from_payload(&payload).unwrap_err(),
            Error::MigrationTooLarge {
                what: "keys",
                len: MAX_MIGRATION_KEYS + 1,
                max: MAX_MIGRATION_KEYS,
            }
        );
    }

    /// `n` as a protobuf varint.
    fn varint(mut n: usize) -> Vec<u8> {
        let mut out = Vec::new();
        while n >= 0x80 {
            out.push(u8::try_from(n & 0x7f).unwrap() | 0x80);
            n >>= 7;
        }
        out.push(u8::try_from(n).unwrap());
        out
    }

    /// A payload of one TOTP key (secret `Hello!\xde\xad\xbe\xef`) with `fields` after
    /// its secret.
    fn one_key(fields: &[u8]) -> Vec<u8> {
        let mut entry = vec![0x0a, 0x0a];
        entry.extend_from_slice(b"Hello!\xde\xad\xbe\xef");
        entry.extend_from_slice(fields);
        let mut payload = vec![0x0a];
        payload.extend(varint(entry.len()));
        payload.extend(entry);
        payload
    }

    /// A key's name field (2) holding `name`, then the TOTP type.
    fn named(name: &[u8]) -> Vec<u8> {
        let mut fields = vec![0x12];
        fields.extend(varint(name.len()));
        fields.extend_from_slice(name);
        fields.extend_from_slice(&[0x30, 0x02]);
        fields
    }

    #[test]
    fn a_known_key_field_of_the_wrong_wire_type_is_refused_not_skipped() {
        // Field 2 (the name) as a varint, field 6 (the type) as a length.
        for fields in [&[0x10, 0x01, 0x30, 0x02][..], &[0x32, 0x01, 0x02]] {
            match Migration::from_payload(&one_key(fields)) {
                Err(Error::MigrationProtobuf { reason, .. }) => {
                    assert_eq!(
                        reason, "a known field has the wrong wire type",
                        "{fields:?}"
                    );
                }
                other => panic!("{fields:?}: {other:?}"),
            }
        }
        // The same key with both fields of their own wire type is read.
        let ok = Migration::from_payload(&one_key(&named(b"a")));
        assert!(ok.is_ok(), "{ok:?}");
    }

    #[test]
    fn a_name_of_max_name_len_bytes_is_read_and_one_byte_more_is_not() {
        let longest = "n".repeat(MAX_NAME_LEN);
        let export = Migration::from_payload(&one_key(&named(longest.as_bytes()))).unwrap();
        assert_eq!(export.keys()[0].uri.account(), longest);
        let longer = "n".repeat(MAX_NAME_LEN + 1);
        assert_eq!(
            Migration::from_payload(&one_key(&named(longer.as_bytes()))).unwrap_err(),
            Error::MigrationTooLarge {
                what: "name",
                len: MAX_NAME_LEN + 1,
                max: MAX_NAME_LEN,
            }
        );
    }

    #[test]
    fn a_fixed_width_field_that_ends_the_payload_is_skipped_and_one_cut_short_is_not() {
        // Version 1, then an unknown 32-bit field whose four bytes end the payload.
        let export = Migration::from_payload(&[0x10, 0x01, 0x4d, 1, 2, 3, 4]).unwrap();
        assert_eq!(export.version(), 1);
        // The same after two fields, with two of its four bytes missing.
        match Migration::from_payload(&[0x10, 0x01, 0x18, 0x01, 0x4d, 1, 2]) {
            Err(Error::MigrationProtobuf { reason, offset }) => {
                assert_eq!(reason, "a fixed-width field runs past the end");
                assert_eq!(offset, 5);
            }
            other => panic!("{other:?}"),
        }
    }
}
