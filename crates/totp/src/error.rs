//! The crate's one error type.

/// A `Result` whose error is this crate's [`Error`].
///
/// ```
/// use countersign_totp::{Error, Result, Secret};
///
/// fn key(text: &str) -> Result<Secret> {
///     Secret::from_base32(text)
/// }
/// assert!(matches!(key("0"), Err(Error::InvalidBase32 { .. })));
/// ```
pub type Result<T> = core::result::Result<T, Error>;

/// Everything that can go wrong in `countersign-totp`.
///
/// Variants carry what went wrong, never secret material: a bad character in a
/// key or a code is named by its position and its [`CharacterKind`], never
/// repeated, since a key, a code or a backup code typed by a person is a secret and
/// an error message ends up in logs and on screens.
///
/// ```
/// use countersign_totp::{Error, KeyUri};
///
/// match KeyUri::parse("http://example.com") {
///     Err(Error::UriScheme) => {}
///     other => panic!("{other:?}"),
/// }
/// assert_eq!(Error::ZeroPeriod.to_string(), "the time step (period) must be at least one second");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    // ---- secrets -------------------------------------------------------
    /// A character that is not in the base32 alphabet (RFC 4648 §6: `A`-`Z`,
    /// `2`-`7`, any case), nor a space, a hyphen or trailing `=` padding.
    #[error(
        "character {position} ({kind}) cannot be part of a base32 key there: a key uses the \
         letters A-Z and the digits 2-7, and `=` padding only at its end"
    )]
    InvalidBase32 {
        /// Where the character is, counted in characters from 1 as a person counts.
        position: usize,
        /// What kind of character it is (never the character: the key is a secret).
        kind: CharacterKind,
    },

    /// A base32 text whose number of symbols (spaces, hyphens and padding not
    /// counted) cannot encode whole bytes (RFC 4648 §6 allows 0, 2, 4, 5 or 7
    /// symbols past a multiple of 8).
    #[error("{symbols} base32 symbols cannot encode whole bytes: a character is missing or extra")]
    InvalidBase32Length {
        /// The number of base32 symbols found.
        symbols: usize,
    },

    /// A secret with too few bits. Generation never goes below 128 bits; strict
    /// parsing refuses anything below 128; lenient parsing accepts legacy
    /// 80-bit keys but nothing shorter.
    #[error("the secret has {bits} bits, fewer than the {minimum} required")]
    SecretTooShort {
        /// The bits the secret has.
        bits: usize,
        /// The minimum that applied.
        minimum: usize,
    },

    /// A secret longer than any HMAC key needs to be.
    #[error("the secret has {bits} bits, more than the {maximum} accepted")]
    SecretTooLong {
        /// The bits the secret has.
        bits: usize,
        /// The maximum accepted.
        maximum: usize,
    },

    // ---- parameters ----------------------------------------------------
    /// A digit count other than 6, 7 or 8 (RFC 4226 §5.3 asks for at least 6;
    /// a 31-bit truncated value cannot fill more than 9 and apps show at most 8).
    #[error("{digits} digits is out of range: codes have 6, 7 or 8 digits")]
    DigitsOutOfRange {
        /// The digit count asked for.
        digits: u8,
    },

    /// A TOTP period of zero seconds (RFC 6238 §4.1: X is a positive number of seconds).
    #[error("the time step (period) must be at least one second")]
    ZeroPeriod,

    /// A time before the TOTP epoch T0 (RFC 6238 §4.2 counts steps from T0).
    #[error("time {now} is before the TOTP epoch T0 = {t0}")]
    TimeBeforeT0 {
        /// The time given, in seconds since the Unix epoch.
        now: u64,
        /// The configured T0, in seconds since the Unix epoch.
        t0: u64,
    },

    /// An HOTP counter that cannot move on: the matched counter was `u64::MAX`.
    #[error("the HOTP counter is at its maximum and cannot be advanced: re-enroll the key")]
    CounterOverflow,

    /// A verification window wider than [`Window::MAX_STEPS`](crate::Window::MAX_STEPS)
    /// in one direction.
    #[error("a window of {steps} steps is too wide: at most {maximum} steps each way")]
    WindowTooWide {
        /// The steps asked for.
        steps: u32,
        /// The maximum allowed.
        maximum: u32,
    },

    // ---- codes ---------------------------------------------------------
    /// A code with the wrong number of digits (spaces not counted).
    #[error("the code has {found} digits; expected {expected}")]
    CodeLength {
        /// The digits the code should have.
        expected: u8,
        /// The digits it has.
        found: usize,
    },

    /// A code holding something other than digits and spaces.
    #[error("character {position} of the code ({kind}) is not a digit")]
    CodeNotDigit {
        /// Where the character is, counted in characters from 1.
        position: usize,
        /// What kind of character it is (never the character: the code is a secret).
        kind: CharacterKind,
    },

    /// A well-formed code that matches no step (or counter) of the window.
    #[error("the code is not valid now: check the device clock and the key")]
    WrongCode,

    /// A code whose step is at or before the last accepted one
    /// (RFC 6238 §5.2: the verifier must not accept the second attempt of the same OTP).
    #[error(
        "the code of step {step} was already used or superseded (last accepted step: {last_accepted}): wait for the next code"
    )]
    Replayed {
        /// The step the code belongs to.
        step: u64,
        /// The last step accepted before.
        last_accepted: u64,
    },

    // ---- otpauth URIs --------------------------------------------------
    /// Text that does not begin with `otpauth://`.
    #[error("not an otpauth URI: it must begin with otpauth://")]
    UriScheme,

    /// An OTP type other than `totp` or `hotp`.
    #[error("unknown OTP type {found:?}: expected totp or hotp")]
    UriType {
        /// The type found: what stands between `otpauth://` and the first `/`, `?`,
        /// `#`, `&` or `=`, at most 8 characters (never the query, which holds the secret).
        found: String,
    },

    /// A label that cannot be used: no account name, a colon inside the issuer or
    /// the account name (Key Uri Format: neither may contain one), or a control or
    /// bidirectional formatting character in either.
    #[error("bad otpauth label: {reason}")]
    UriLabel {
        /// What is wrong with it.
        reason: &'static str,
    },

    /// A required parameter is missing (`secret`; `counter` for `hotp`).
    #[error("the otpauth URI has no {name} parameter")]
    UriMissingParameter {
        /// The parameter's name.
        name: &'static str,
    },

    /// A parameter that appears twice: the URI is ambiguous.
    #[error("the otpauth URI gives the {name} parameter more than once")]
    UriDuplicateParameter {
        /// The parameter's name.
        name: &'static str,
    },

    /// A parameter whose value cannot be used.
    #[error("bad {name} parameter {value:?}: {reason}")]
    UriInvalidParameter {
        /// The parameter's name.
        name: &'static str,
        /// The value found.
        value: String,
        /// What is wrong with it.
        reason: &'static str,
    },

    /// Percent-encoding that is malformed or does not decode to UTF-8.
    #[error("the otpauth URI's {part} is not valid percent-encoded UTF-8")]
    UriEncoding {
        /// The part of the URI (label or a parameter name).
        part: &'static str,
    },

    /// The label's issuer prefix and the `issuer` parameter disagree.
    #[error("the label says issuer {label:?} but the issuer parameter says {parameter:?}")]
    IssuerMismatch {
        /// The issuer in the label prefix.
        label: String,
        /// The issuer parameter.
        parameter: String,
    },

    /// A URI text longer than [`MAX_URI_LEN`](crate::MAX_URI_LEN) bytes: longer than a
    /// QR code holds, refused before it is read. Also a URI that would be written back
    /// longer than that (a lenient text resolved, a setter adding a parameter), refused
    /// so that every URI this crate writes parses back; `len` is then that length.
    #[error("the URI is {len} bytes long; at most {max} are read")]
    UriTooLong {
        /// Its length in bytes.
        len: usize,
        /// The most accepted.
        max: usize,
    },

    /// An issuer or account name longer than [`MAX_NAME_LEN`](crate::MAX_NAME_LEN) bytes
    /// (decoded): bounded so that every URI built from accepted names fits under
    /// [`MAX_URI_LEN`](crate::MAX_URI_LEN) and parses back.
    #[error("the {part} is {len} bytes long; at most {max} are accepted")]
    UriNameTooLong {
        /// `"issuer"` or `"account name"`.
        part: &'static str,
        /// Its length in bytes, decoded.
        len: usize,
        /// The most accepted.
        max: usize,
    },

    /// A control character (C0, DEL, C1) or a bidirectional formatting character written
    /// literally anywhere in a URI: it would act on a terminal or reorder a display when
    /// the URI, which is written back as it came, is shown. Encoded (`%1B`), it is text.
    #[error("character {position} of the URI is a control or bidirectional formatting character")]
    UriUnsafeCharacter {
        /// Where, counted in characters from 1.
        position: usize,
    },

    /// An `image` parameter that is not an https URL (an app fetches it: plain http
    /// lets the network choose what it shows, other schemes let the URI).
    #[error("the image must be an https URL, not {found:?}")]
    UriImageScheme {
        /// The scheme found (up to 16 characters; empty when there is none).
        found: String,
    },

    /// A TOTP verifier was asked of an HOTP key URI.
    #[error("an HOTP key URI has no TOTP verifier: it counts events, not time steps")]
    NotTotp,

    // ---- Google Authenticator exports ----------------------------------
    /// Text that does not begin with `otpauth-migration://offline?`.
    #[error("not a Google Authenticator export: it must begin with otpauth-migration://offline?")]
    MigrationScheme,

    /// The `data` parameter is missing, given twice, or not percent-encoded base64.
    #[error("the export's data cannot be read: {reason}")]
    MigrationEncoding {
        /// What is wrong with it.
        reason: &'static str,
    },

    /// The export's protobuf payload is malformed.
    #[error("the export's payload is malformed at byte {offset}: {reason}")]
    MigrationProtobuf {
        /// Where, in bytes from the start of the message being read.
        offset: usize,
        /// What is wrong.
        reason: &'static str,
    },

    /// A value the schema does not define, or one this crate refuses (MD5, an
    /// unspecified OTP type, a negative counter).
    #[error("the export's {field} is {value}, which cannot be imported: {reason}")]
    MigrationUnsupported {
        /// The field: `algorithm`, `digits`, `type` or `counter`.
        field: &'static str,
        /// The value found.
        value: i64,
        /// Why it is refused.
        reason: &'static str,
    },

    /// An export longer than [`MAX_MIGRATION_LEN`](crate::MAX_MIGRATION_LEN) bytes,
    /// holding more than [`MAX_MIGRATION_KEYS`](crate::MAX_MIGRATION_KEYS) keys, or a
    /// key whose name or issuer is longer than [`MAX_NAME_LEN`](crate::MAX_NAME_LEN) bytes.
    #[error("the export's {what} is too large: {len}, at most {max}")]
    MigrationTooLarge {
        /// `text` (bytes), `keys`, `name` or `issuer` (bytes).
        what: &'static str,
        /// The size found (for keys: at least this many).
        len: usize,
        /// The most accepted.
        max: usize,
    },

    // ---- QR codes ------------------------------------------------------
    /// The text could not be made into a QR code (in practice: too long).
    #[error("cannot make a QR code: {reason}")]
    Qr {
        /// Why, as the QR encoder put it.
        reason: String,
    },

    // --- Backup codes: redeeming (what the person typed) -------------------------------
    /// The backup code typed was empty, or held only spaces and hyphens.
    #[error("no backup code was entered")]
    BackupCodeEmpty,

    /// The input is far longer than any backup code; it was refused before any hashing.
    #[error("backup code input is {len} bytes long; a backup code is at most {max} bytes")]
    BackupCodeTooLong {
        /// Length of the input, in bytes.
        len: usize,
        /// The longest input considered.
        max: usize,
    },

    /// The input holds a character that never appears in a backup code.
    #[error(
        "character {position} of the input ({kind}) is not in any backup code; codes use \
         lower-case letters and digits 2-9, never 0, O, 1, I or l"
    )]
    BackupCodeInvalidCharacter {
        /// What kind of character it is (never the character: the input is a secret).
        kind: CharacterKind,
        /// Its position in the input, counted in characters from 1.
        position: usize,
    },

    /// After spaces and hyphens are removed, the input does not have a backup code's length.
    #[error("a backup code has {expected} letters and digits; {len} were entered")]
    BackupCodeWrongLength {
        /// Letters and digits entered.
        len: usize,
        /// Letters and digits in a backup code.
        expected: usize,
    },

    /// The code is well formed but is none of this set's codes.
    #[error("that is not one of your backup codes ({remaining} unused codes remain)")]
    BackupCodeWrong {
        /// Unused codes left in the set.
        remaining: usize,
    },

    /// The code was one of this set's codes but has already been used; a code works once.
    #[error(
        "that backup code was already used (at unix time {used_at}); each code works once \
         ({remaining} unused codes remain)"
    )]
    BackupCodeUsed {
        /// When the code was redeemed, in seconds since the Unix epoch.
        used_at: u64,
        /// Unused codes left in the set.
        remaining: usize,
    },

    // --- Backup codes: generating and storing ------------------------------------------
    /// The number of codes asked for is outside the supported range.
    #[error("a backup code set holds {min} to {max} codes, not {count}")]
    BackupCountOutOfRange {
        /// The number asked for (or found in a stored set).
        count: usize,
        /// The smallest set allowed.
        min: usize,
        /// The largest set allowed.
        max: usize,
    },

    /// An Argon2id parameter is outside the range this crate accepts.
    #[error("Argon2id parameter {name} = {value} is out of range ({min} to {max})")]
    BackupKdfParamOutOfRange {
        /// The parameter: `m_cost` (KiB), `t_cost` (passes) or `p_cost` (lanes).
        name: &'static str,
        /// The value given.
        value: u32,
        /// The smallest value accepted.
        min: u32,
        /// The largest value accepted.
        max: u32,
    },

    /// A stored set names a key-derivation function this crate does not implement.
    #[error(
        "backup codes hashed with {algorithm} version {version} are not supported; \
         only argon2id version 19 (0x13) is"
    )]
    BackupKdfUnsupported {
        /// The algorithm named in the stored set.
        algorithm: String,
        /// The algorithm version named in the stored set.
        version: u32,
    },

    /// A stored set is damaged: a field cannot be decoded or breaks an invariant.
    #[error("the stored backup codes are damaged: {reason}")]
    BackupStoreCorrupt {
        /// What is wrong with it.
        reason: String,
    },

    /// The random generator handed out the same code again and again: it is not a CSPRNG.
    #[error(
        "the random generator repeated itself {attempts} times while drawing backup codes; \
         use a cryptographically secure generator"
    )]
    BackupRandomnessFailed {
        /// Draws made before giving up.
        attempts: usize,
    },

    /// Argon2id itself failed (for instance, the memory it needs could not be allocated).
    #[error("Argon2id hashing of a backup code failed: {reason}")]
    BackupKdfFailed {
        /// The reason given by the Argon2 implementation.
        reason: String,
    },
}

/// The kind of a character an error points at, named in its place: the text around it
/// is a secret (a key, a code, a backup code), so an error never repeats any of it.
///
/// ```
/// use countersign_totp::{CharacterKind, Error, Secret};
///
/// let error = Secret::from_base32("QHNATAPGLOMF8XZ2").unwrap_err();
/// assert_eq!(error, Error::InvalidBase32 { position: 13, kind: CharacterKind::Digit });
/// assert!(error.to_string().starts_with("character 13 (a digit) cannot be part of"));
/// assert_eq!(CharacterKind::of('é'), CharacterKind::NonAscii);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CharacterKind {
    /// An ASCII digit, 0 to 9.
    Digit,
    /// An ASCII letter.
    Letter,
    /// A space, tab, line break or other white space.
    Whitespace,
    /// A control character that is not white space.
    Control,
    /// ASCII punctuation or a symbol.
    Punctuation,
    /// Any other character beyond ASCII.
    NonAscii,
}

impl CharacterKind {
    /// The kind of `character`.
    ///
    /// ```
    /// use countersign_totp::CharacterKind;
    ///
    /// assert_eq!(CharacterKind::of('7'), CharacterKind::Digit);
    /// assert_eq!(CharacterKind::of(' '), CharacterKind::Whitespace);
    /// ```
    #[must_use]
    pub fn of(character: char) -> Self {
        if character.is_ascii_digit() {
            Self::Digit
        } else if character.is_ascii_alphabetic() {
            Self::Letter
        } else if character.is_whitespace() {
            Self::Whitespace
        } else if character.is_control() {
            Self::Control
        } else if character.is_ascii() {
            Self::Punctuation
        } else {
            Self::NonAscii
        }
    }
}

impl core::fmt::Display for CharacterKind {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Self::Digit => "a digit",
            Self::Letter => "a letter",
            Self::Whitespace => "white space",
            Self::Control => "a control character",
            Self::Punctuation => "a punctuation mark or symbol",
            Self::NonAscii => "a non-ASCII character",
        })
    }
}
