//! `otpauth://` Key URIs, the text inside enrollment QR codes.
//!
//! The format is Google Authenticator's Key Uri Format:
//! `otpauth://TYPE/LABEL?PARAMETERS`, where the label is `Issuer:account`
//! and the parameters are `secret` (base32), `issuer`, `algorithm`,
//! `digits`, `period` (TOTP) and `counter` (HOTP).

use core::fmt::Write as _;
use core::str::FromStr;
use std::borrow::Cow;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::algorithm::Algorithm;
use crate::code;
use crate::error::{Error, Result};
use crate::secret::Secret;
use crate::totp::Params;
use crate::verifier::{Config, Verifier, Window};

/// Everything but RFC 3986's unreserved characters is escaped: spaces, colons,
/// `@`, `&`, `=`, `+`, `/`, `?`, `#`, `%` and non-ASCII.
pub(crate) const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Whether the key counts time steps or events.
///
/// ```
/// use countersign_totp::{KeyUri, Kind};
///
/// let uri = KeyUri::parse("otpauth://hotp/joe?secret=JBSWY3DPEHPK3PXP&counter=7")?;
/// assert_eq!(uri.kind(), Kind::Hotp { counter: 7 });
/// # Ok::<(), countersign_totp::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// RFC 6238 TOTP with its period in seconds.
    Totp {
        /// Seconds per step.
        period: u64,
    },
    /// RFC 4226 HOTP with the counter the app starts from.
    Hotp {
        /// The initial counter.
        counter: u64,
    },
}

/// The longest URI text parsed, in bytes: more than a QR code holds (2,953 bytes at
/// the lowest error correction), so nothing a camera reads is refused, and a parser
/// handed a huge text stops before building anything from it.
///
/// ```
/// use countersign_totp::{Error, KeyUri, MAX_URI_LEN};
///
/// let huge = format!("otpauth://totp/joe?secret=JBSWY3DPEHPK3PXP&x={}", "a".repeat(MAX_URI_LEN));
/// assert!(matches!(KeyUri::parse(&huge), Err(Error::UriTooLong { .. })));
/// ```
pub const MAX_URI_LEN: usize = 4096;

/// The longest issuer or account name accepted, in bytes (decoded UTF-8), built or
/// parsed: longer than any service or account name (an e-mail address has at most 254),
/// and short enough that every URI this crate builds fits under [`MAX_URI_LEN`].
///
/// The arithmetic, for the longest URI built from accepted parts (each name byte is
/// written as at most three, `%XX`; a secret has at most [`Secret::MAX_BITS`] = 8192
/// bits, 1,639 base32 characters; a `u64` has at most 20 digits):
///
/// ```text
/// otpauth://totp/                       15
/// issuer ":" account                   768 + 1 + 768
/// "?secret=" base32                     8 + 1639
/// "&issuer=" issuer                     8 + 768
/// "&algorithm=SHA512"                   17
/// "&digits=8"                           9
/// "&counter=" or "&period=" u64         9 + 20
///                                  total 4030 <= 4096
/// ```
///
/// An `image` comes on top; [`KeyUri::with_image`] refuses one that would not fit.
///
/// ```
/// use countersign_totp::{Error, KeyUri, MAX_NAME_LEN, Secret};
///
/// let long = "a".repeat(MAX_NAME_LEN + 1);
/// assert!(matches!(
///     KeyUri::new_totp(&Secret::generate(), None, &long),
///     Err(Error::UriNameTooLong { .. })
/// ));
/// ```
pub const MAX_NAME_LEN: usize = 256;

/// An `otpauth://` Key URI. Built from validated parts, so
/// `KeyUri::parse(&uri.to_uri()) == Ok(uri)` for every `uri`.
///
/// ```
/// use countersign_totp::{KeyUri, Secret};
///
/// let secret = Secret::from_base32("JBSWY3DPEHPK3PXP")?;
/// let uri = KeyUri::new_totp(&secret, Some("Vivio Portal"), "joe@example.com")?;
/// assert_eq!(
///     uri.to_uri().as_str(),
///     "otpauth://totp/Vivio%20Portal:joe%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=Vivio%20Portal"
/// );
/// assert_eq!(KeyUri::parse(&uri.to_uri())?, uri);
/// # Ok::<(), countersign_totp::Error>(())
/// ```
///
/// # Strict and lenient parsing
///
/// [`parse`](Self::parse) is strict: it accepts what the Key Uri Format allows, in the
/// spellings apps disagree on (see its docs), and refuses a URI that two apps could read
/// differently: a label issuer that differs from the `issuer` parameter, a colon inside
/// a name, an `image` that is not https. Use it for URIs your service made or checks.
/// [`parse_lenient`](Self::parse_lenient) is for importing the URIs other issuers wrote:
/// it accepts those three, resolves them as the format says (the `issuer` parameter
/// wins; a non-https image is dropped) and returns a [`UriWarning`] for each, carrying
/// both values, so the service can show the user what it chose. Two entry points rather
/// than an options struct: there is one decision to make, a caller sees at the call
/// site which one it took, and the lenient one cannot be called without receiving its
/// warnings.
///
/// # Round trips: what is kept, byte for byte
///
/// A parsed URI remembers how it was written: which parameters it gave (an explicit
/// `digits=6` included), in which order, and each part's spelling where it differs
/// from this crate's (`OTPAUTH://TOTP/`, a label `ACME:%20joe` or `joe@acme`, `sha1`,
/// `issuer=Big+Corp`, a lower-case or padded secret, `&&`, a `#fragment`). Parameters
/// this crate does not read (`color`, `lock`, vendor ones) are kept exactly as written,
/// in their place. [`to_uri`](Self::to_uri) writes all of it back; a spelling is
/// dropped for this crate's own only when a setter changed the value it spelled, and a
/// parameter a setter made necessary is appended.
///
/// "Accepted" means: [`parse`](Self::parse) returns `Ok`, or
/// [`parse_lenient`](Self::parse_lenient) returns `Ok` with no warnings (the same
/// texts). For every accepted text `u`:
///
/// - `KeyUri::parse(u)?.to_uri() == u`, byte for byte, whatever its percent-encoding
///   (nothing is normalised: `%40` and `@`, `%3a` and `%3A` come back as they were);
/// - hence `KeyUri::parse(&uri.to_uri()) == Ok(uri)` for every parsed `uri`, as for
///   every built one.
///
/// A URI that lenient parsing accepts only with warnings is written back resolved: its
/// label carries the winning issuer and a refused image is left out, so the rebuilt text
/// reads back leniently to the same key with no warning left but
/// [`UriWarning::ColonInName`] (a name holding a colon still holds it; without one, the
/// rebuilt text parses strictly), and building it again gives the same bytes. The
/// property tests check these claims over generated URIs of every spelling, and the
/// `totp_uri` fuzz target over arbitrary text.
///
/// ```
/// use countersign_totp::KeyUri;
///
/// let written = "otpauth://totp/ACME:joe@acme.example?issuer=ACME&secret=jbswy3dpehpk3pxp&digits=6&color=%23ff0000";
/// let uri = KeyUri::parse(written)?;
/// assert_eq!(uri.to_uri().as_str(), written);
/// assert_eq!(uri.extra_parameters().collect::<Vec<_>>(), [("color", "%23ff0000")]);
/// # Ok::<(), countersign_totp::Error>(())
/// ```
///
/// # Names are shown as they are, so they are checked
///
/// The issuer and the account name end up on screens: in the authenticator app, in a
/// portal's pages, in a terminal that prints a scanned URI's fields. Neither may hold a
/// control character (C0, DEL, C1: a terminal acts on them, so an untrusted QR code
/// could retitle or clear the screen) nor a bidirectional formatting character (the
/// embeddings, overrides, isolates and marks of Unicode UAX #9, which reorder what is
/// displayed, so that one issuer reads as another's name). Names never need either:
/// right-to-left scripts display correctly without them. Building and parsing, strict
/// or lenient, refuse both with [`Error::UriLabel`], so a `KeyUri` never holds one, nor
/// a [`UriWarning`] or an [`Error::IssuerMismatch`]: a label issuer that the `issuer`
/// parameter overrides is checked as well, before the two are compared.
///
/// ```
/// use countersign_totp::{Error, KeyUri};
///
/// let hostile = "otpauth://totp/Evil%1B%5D0%3Bpwned%07:joe?secret=JBSWY3DPEHPK3PXP";
/// assert!(matches!(KeyUri::parse(hostile), Err(Error::UriLabel { .. })));
/// let spoofed = "otpauth://totp/joe?secret=JBSWY3DPEHPK3PXP&issuer=%E2%80%AElatroP";
/// assert!(matches!(KeyUri::parse(spoofed), Err(Error::UriLabel { .. })));
/// ```
#[derive(Debug, Clone)]
pub struct KeyUri {
    kind: Kind,
    issuer: Option<String>,
    account: String,
    secret: Secret,
    algorithm: Algorithm,
    digits: u8,
    image: Option<Image>,
    /// How a parsed URI wrote its parameters; `None` for the canonical layout.
    layout: Option<Layout>,
}

/// Equal when every field is and the URIs are written the same way (the same layout
/// once the parameters a setter added are counted), so that equality agrees with
/// [`KeyUri::to_uri`].
impl PartialEq for KeyUri {
    fn eq(&self, other: &Self) -> bool {
        self.kind == other.kind
            && self.issuer == other.issuer
            && self.account == other.account
            && self.secret == other.secret
            && self.algorithm == other.algorithm
            && self.digits == other.digits
            && self.image == other.image
            && self.effective_layout() == other.effective_layout()
    }
}

impl Eq for KeyUri {}

/// The `image` parameter's URL, decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Image {
    url: String,
}

/// One parameter of the query, in the order the URI gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Param {
    Secret,
    Issuer,
    Algorithm,
    Digits,
    Period,
    Counter,
    Image,
    /// A parameter this crate does not read, kept as written: `name=value`, encoded
    /// (empty for the empty pair of `&&`). It may be a vendor's secret-bearing field,
    /// so it is held as [`Written`]: zeroized on drop and redacted in `Debug`.
    Other(Written),
}

/// A parameter in its place, with its text as written when that is not how this
/// crate would write it (`SHA1` for `sha1`, `issuer=Big+Corp`, `digits=06`).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    param: Param,
    written: Option<Written>,
}

/// How a parsed URI was written, to write it back the same way.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Layout {
    /// Whether the label carries the issuer prefix (when it is not kept as written).
    label_issuer: bool,
    params: Vec<Entry>,
    /// `otpauth://TYPE/` as written, when not lower case.
    prefix: Option<Written>,
    /// The label as written, when not spelled as this crate spells it.
    label: Option<Written>,
    /// The fragment, `#` included.
    fragment: Option<Written>,
}

/// Text copied from a parsed URI. A URI holds its secret, so this is zeroized on drop,
/// redacted in `Debug` and compared in constant time.
#[derive(Clone)]
struct Written(Zeroizing<String>);

impl Written {
    fn new(text: &str) -> Self {
        Self(Zeroizing::new(text.to_owned()))
    }
}

impl core::fmt::Debug for Written {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("[redacted]")
    }
}

impl PartialEq for Written {
    fn eq(&self, other: &Self) -> bool {
        self.0.as_bytes().ct_eq(other.0.as_bytes()).into()
    }
}

impl Eq for Written {}

/// What [`KeyUri::parse_lenient`] accepted that strict parsing refuses, and how it was
/// resolved.
///
/// ```
/// use countersign_totp::{KeyUri, UriWarning};
///
/// // Microsoft-style: the label names a tenant, the parameter the service.
/// let (uri, warnings) = KeyUri::parse_lenient(
///     "otpauth://totp/Contoso:joe@contoso.com?secret=JBSWY3DPEHPK3PXP&issuer=Microsoft",
/// )?;
/// assert_eq!(uri.issuer(), Some("Microsoft")); // the parameter wins (Key Uri Format)
/// assert_eq!(
///     warnings,
///     [UriWarning::IssuerMismatch { label: "Contoso".into(), parameter: "Microsoft".into() }]
/// );
/// # Ok::<(), countersign_totp::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum UriWarning {
    /// The label's issuer prefix and the `issuer` parameter disagree; the parameter was
    /// kept, as the Key Uri Format says, and the label prefix dropped.
    IssuerMismatch {
        /// The issuer in the label prefix (dropped).
        label: String,
        /// The issuer parameter (kept).
        parameter: String,
    },
    /// A name holds a colon (written `%3A`). It is kept: only a literal `:` separates
    /// the issuer from the account name. Apps that read `%3A` as the separator, as the
    /// Key Uri Format once allowed, show the name split in two.
    ColonInName {
        /// `"issuer"` or `"account name"`.
        part: &'static str,
    },
    /// The `image` parameter was not an https URL one may fetch (not https, empty, no
    /// host, user information, or an unsafe character); it was dropped.
    ImageDropped {
        /// Why it was refused, as [`Error`]'s message puts it.
        reason: String,
    },
}

impl core::fmt::Display for UriWarning {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::IssuerMismatch { label, parameter } => write!(
                f,
                "the label says issuer {label:?} but the issuer parameter says {parameter:?}: \
                 {parameter:?} was kept"
            ),
            Self::ColonInName { part } => write!(
                f,
                "the {part} holds a colon, which some apps read as the issuer separator"
            ),
            Self::ImageDropped { reason } => write!(f, "the image was dropped: {reason}"),
        }
    }
}

impl KeyUri {
    /// A TOTP key URI with the default parameters (SHA-1, 6 digits, 30 s).
    /// An empty issuer counts as none. The secret is borrowed (and copied into the
    /// URI), so the caller keeps it for its [`Verifier`](crate::Verifier); or use
    /// [`verifier`](Self::verifier), which cannot drift from the URI's parameters.
    ///
    /// ```
    /// use countersign_totp::{KeyUri, Secret};
    ///
    /// let secret = Secret::generate();
    /// let uri = KeyUri::new_totp(&secret, Some("Vivio Portal"), "joe@example.com")?;
    /// assert_eq!(uri.secret(), &secret);
    /// # Ok::<(), countersign_totp::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::UriLabel`] for an empty account, a colon in the issuer or the
    /// account, an account beginning with a space, or a control or bidirectional
    /// formatting character in either (see the [type docs](Self));
    /// [`Error::UriNameTooLong`] for a name longer than [`MAX_NAME_LEN`] bytes.
    pub fn new_totp(secret: &Secret, issuer: Option<&str>, account: &str) -> Result<Self> {
        Self::new(
            Kind::Totp {
                period: Params::DEFAULT_PERIOD,
            },
            secret.clone(),
            issuer,
            account,
        )
    }

    /// An HOTP key URI starting at `counter`.
    ///
    /// ```
    /// use countersign_totp::{KeyUri, Secret};
    ///
    /// let secret = Secret::from_base32("JBSWY3DPEHPK3PXP")?;
    /// let uri = KeyUri::new_hotp(&secret, None, "bob", 42)?;
    /// assert_eq!(uri.to_uri().as_str(), "otpauth://hotp/bob?secret=JBSWY3DPEHPK3PXP&counter=42");
    /// # Ok::<(), countersign_totp::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`new_totp`](Self::new_totp).
    pub fn new_hotp(
        secret: &Secret,
        issuer: Option<&str>,
        account: &str,
        counter: u64,
    ) -> Result<Self> {
        Self::new(Kind::Hotp { counter }, secret.clone(), issuer, account)
    }

    fn new(kind: Kind, secret: Secret, issuer: Option<&str>, account: &str) -> Result<Self> {
        let issuer = issuer.filter(|issuer| !issuer.is_empty());
        if issuer.is_some_and(|issuer| issuer.contains(':')) {
            return Err(Error::UriLabel {
                reason: "the issuer may not contain a colon",
            });
        }
        if let Some(issuer) = issuer {
            check_issuer(issuer)?;
        }
        if account.contains(':') {
            return Err(Error::UriLabel {
                reason: "the account name may not contain a colon",
            });
        }
        check_account(account)?;
        Ok(Self {
            kind,
            issuer: issuer.map(str::to_owned),
            account: account.to_owned(),
            secret,
            algorithm: Algorithm::Sha1,
            digits: Params::DEFAULT_DIGITS,
            image: None,
            layout: None,
        })
    }

    /// Sets the hash function.
    ///
    /// ```
    /// use countersign_totp::{Algorithm, KeyUri, Secret};
    ///
    /// let uri = KeyUri::new_totp(&Secret::generate(), None, "joe")?.with_algorithm(Algorithm::Sha256);
    /// assert!(uri.to_uri().ends_with("&algorithm=SHA256"));
    /// # Ok::<(), countersign_totp::Error>(())
    /// ```
    ///
    /// The one setter that cannot fail: on a parsed URI that gave no `algorithm` and
    /// is within 17 bytes of [`MAX_URI_LEN`] (far beyond what a QR code holds), the
    /// parameter it adds takes the text past that bound, and it no longer parses.
    #[must_use]
    pub fn with_algorithm(mut self, algorithm: Algorithm) -> Self {
        self.algorithm = algorithm;
        self
    }

    /// Sets the digit count.
    ///
    /// ```
    /// use countersign_totp::{KeyUri, Secret};
    ///
    /// let uri = KeyUri::new_totp(&Secret::generate(), None, "joe")?.with_digits(8)?;
    /// assert_eq!(uri.digits(), 8);
    /// # Ok::<(), countersign_totp::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::DigitsOutOfRange`] unless 6, 7 or 8; [`Error::UriTooLong`] when the
    /// parameter would take a parsed URI's text past [`MAX_URI_LEN`].
    pub fn with_digits(mut self, digits: u8) -> Result<Self> {
        code::modulus(digits)?;
        self.digits = digits;
        fitting(self)
    }

    /// Sets the TOTP period.
    ///
    /// ```
    /// use countersign_totp::{KeyUri, Secret};
    ///
    /// let uri = KeyUri::new_totp(&Secret::generate(), None, "joe")?.with_period(60)?;
    /// assert_eq!(uri.period(), Some(60));
    /// # Ok::<(), countersign_totp::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::ZeroPeriod`] for 0; [`Error::UriInvalidParameter`] on an HOTP URI;
    /// [`Error::UriTooLong`] when the parameter would take a parsed URI's text past
    /// [`MAX_URI_LEN`].
    pub fn with_period(mut self, period: u64) -> Result<Self> {
        if period == 0 {
            return Err(Error::ZeroPeriod);
        }
        match &mut self.kind {
            Kind::Totp { period: slot } => *slot = period,
            Kind::Hotp { .. } => {
                return Err(Error::UriInvalidParameter {
                    name: "period",
                    value: period.to_string(),
                    reason: "HOTP keys have no period",
                });
            }
        }
        fitting(self)
    }

    /// Sets the `image` parameter: the URL of a logo that some apps (FreeOTP, Aegis)
    /// show beside the code. Only https URLs: an app fetches it, and a plain-http or
    /// `data:`/`file:` URL would let a network attacker or a hostile URI choose what an
    /// app loads.
    ///
    /// ```
    /// use countersign_totp::{Error, KeyUri, Secret};
    ///
    /// let uri = KeyUri::new_totp(&Secret::from_base32("JBSWY3DPEHPK3PXP")?, Some("ACME"), "joe")?
    ///     .with_image("https://acme.example/logo.png")?;
    /// assert_eq!(uri.image(), Some("https://acme.example/logo.png"));
    /// assert!(uri.to_uri().ends_with("&image=https%3A%2F%2Facme.example%2Flogo.png"));
    /// assert!(matches!(
    ///     uri.with_image("http://acme.example/logo.png"),
    ///     Err(Error::UriImageScheme { .. })
    /// ));
    /// # Ok::<(), countersign_totp::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::UriImageScheme`] for a URL that is not https;
    /// [`Error::UriInvalidParameter`] for one without a host, with user information
    /// (`user@host`: a logo needs no credentials, and `https://trusted.example@evil.example/`
    /// misleads whoever reads it), longer than 1,024 bytes, or holding white space,
    /// control or bidirectional formatting characters; [`Error::UriTooLong`] when the
    /// URI's text with it would be longer than [`MAX_URI_LEN`] (only near the longest
    /// names and secrets: see [`MAX_NAME_LEN`]).
    pub fn with_image(mut self, url: &str) -> Result<Self> {
        check_image(url)?;
        self.image = Some(Image {
            url: url.to_owned(),
        });
        fitting(self)
    }

    /// TOTP or HOTP, with the period or counter.
    ///
    /// ```
    /// use countersign_totp::{KeyUri, Kind, Secret};
    ///
    /// let uri = KeyUri::new_totp(&Secret::generate(), None, "joe")?;
    /// assert_eq!(uri.kind(), Kind::Totp { period: 30 });
    /// # Ok::<(), countersign_totp::Error>(())
    /// ```
    #[must_use]
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// The issuer (the service name an app shows), if any.
    ///
    /// ```
    /// use countersign_totp::{KeyUri, Secret};
    ///
    /// let uri = KeyUri::new_totp(&Secret::generate(), Some("ACME"), "joe")?;
    /// assert_eq!(uri.issuer(), Some("ACME"));
    /// # Ok::<(), countersign_totp::Error>(())
    /// ```
    #[must_use]
    pub fn issuer(&self) -> Option<&str> {
        self.issuer.as_deref()
    }

    /// The account name.
    ///
    /// ```
    /// use countersign_totp::{KeyUri, Secret};
    ///
    /// let uri = KeyUri::new_totp(&Secret::generate(), Some("ACME"), "joe")?;
    /// assert_eq!(uri.account(), "joe");
    /// # Ok::<(), countersign_totp::Error>(())
    /// ```
    #[must_use]
    pub fn account(&self) -> &str {
        &self.account
    }

    /// The shared secret.
    ///
    /// ```
    /// use countersign_totp::{KeyUri, Secret};
    ///
    /// let secret = Secret::generate();
    /// assert_eq!(KeyUri::new_totp(&secret, None, "joe")?.secret(), &secret);
    /// # Ok::<(), countersign_totp::Error>(())
    /// ```
    #[must_use]
    pub fn secret(&self) -> &Secret {
        &self.secret
    }

    /// The hash function.
    ///
    /// ```
    /// use countersign_totp::{Algorithm, KeyUri, Secret};
    ///
    /// assert_eq!(KeyUri::new_totp(&Secret::generate(), None, "joe")?.algorithm(), Algorithm::Sha1);
    /// # Ok::<(), countersign_totp::Error>(())
    /// ```
    #[must_use]
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// Digits per code.
    ///
    /// ```
    /// use countersign_totp::{KeyUri, Secret};
    ///
    /// assert_eq!(KeyUri::new_totp(&Secret::generate(), None, "joe")?.digits(), 6);
    /// # Ok::<(), countersign_totp::Error>(())
    /// ```
    #[must_use]
    pub fn digits(&self) -> u8 {
        self.digits
    }

    /// The TOTP period, or `None` for HOTP.
    ///
    /// ```
    /// use countersign_totp::{KeyUri, Secret};
    ///
    /// assert_eq!(KeyUri::new_totp(&Secret::generate(), None, "joe")?.period(), Some(30));
    /// assert_eq!(KeyUri::new_hotp(&Secret::generate(), None, "joe", 0)?.period(), None);
    /// # Ok::<(), countersign_totp::Error>(())
    /// ```
    #[must_use]
    pub fn period(&self) -> Option<u64> {
        match self.kind {
            Kind::Totp { period } => Some(period),
            Kind::Hotp { .. } => None,
        }
    }

    /// The HOTP counter, or `None` for TOTP.
    ///
    /// ```
    /// use countersign_totp::{KeyUri, Secret};
    ///
    /// assert_eq!(KeyUri::new_hotp(&Secret::generate(), None, "joe", 7)?.counter(), Some(7));
    /// # Ok::<(), countersign_totp::Error>(())
    /// ```
    #[must_use]
    pub fn counter(&self) -> Option<u64> {
        match self.kind {
            Kind::Hotp { counter } => Some(counter),
            Kind::Totp { .. } => None,
        }
    }

    /// The `image` URL (decoded), if the URI has one.
    ///
    /// ```
    /// use countersign_totp::KeyUri;
    ///
    /// let uri = KeyUri::parse("otpauth://totp/joe?secret=JBSWY3DPEHPK3PXP&image=https://acme.example/a.png")?;
    /// assert_eq!(uri.image(), Some("https://acme.example/a.png"));
    /// # Ok::<(), countersign_totp::Error>(())
    /// ```
    #[must_use]
    pub fn image(&self) -> Option<&str> {
        self.image.as_ref().map(|image| image.url.as_str())
    }

    /// The parameters this crate does not read, in their order, as `(name, value)`
    /// exactly as the URI wrote them (still percent-encoded; `value` is empty for a
    /// parameter written without `=`). [`to_uri`](Self::to_uri) writes them back in
    /// place.
    ///
    /// ```
    /// use countersign_totp::KeyUri;
    ///
    /// let uri = KeyUri::parse("otpauth://totp/joe?secret=JBSWY3DPEHPK3PXP&lock=true&color=0000FF")?;
    /// assert_eq!(uri.extra_parameters().collect::<Vec<_>>(), [("lock", "true"), ("color", "0000FF")]);
    /// # Ok::<(), countersign_totp::Error>(())
    /// ```
    pub fn extra_parameters(&self) -> impl Iterator<Item = (&str, &str)> {
        self.layout.iter().flat_map(|layout| {
            layout.params.iter().filter_map(|entry| match &entry.param {
                Param::Other(pair) if !pair.0.is_empty() => {
                    Some(pair.0.split_once('=').unwrap_or((&pair.0, "")))
                }
                _ => None,
            })
        })
    }

    /// The TOTP parameters (T0 = 0), or `None` for HOTP.
    ///
    /// ```
    /// use countersign_totp::{KeyUri, Params, Secret};
    ///
    /// let uri = KeyUri::new_totp(&Secret::generate(), None, "joe")?;
    /// assert_eq!(uri.params(), Some(Params::default()));
    /// # Ok::<(), countersign_totp::Error>(())
    /// ```
    #[must_use]
    pub fn params(&self) -> Option<Params> {
        self.period().map(|period| Params {
            algorithm: self.algorithm,
            digits: self.digits,
            period,
            t0: 0,
        })
    }

    /// The layout this URI is written in: the one it was parsed with, then any
    /// parameter its values need that the parsed one lacks, in canonical order.
    fn effective_layout(&self) -> Layout {
        let canonical = [
            Param::Secret,
            Param::Issuer,
            Param::Algorithm,
            Param::Digits,
            Param::Period,
            Param::Counter,
            Param::Image,
        ]
        .into_iter()
        .filter(|param| self.needs(param));
        let has_issuer = self.issuer.is_some();
        match &self.layout {
            None => Layout {
                label_issuer: has_issuer,
                params: canonical
                    .map(|param| Entry {
                        param,
                        written: None,
                    })
                    .collect(),
                prefix: None,
                label: None,
                fragment: None,
            },
            Some(layout) => {
                let mut layout = layout.clone();
                layout.label_issuer &= has_issuer;
                // An issuer the label carries needs no parameter to say it again.
                let label_issuer = layout.label_issuer;
                let missing: Vec<Entry> = canonical
                    .filter(|param| !(*param == Param::Issuer && label_issuer))
                    .filter(|param| !layout.params.iter().any(|entry| entry.param == *param))
                    .map(|param| Entry {
                        param,
                        written: None,
                    })
                    .collect();
                layout.params.extend(missing);
                // A spelling kept from the parsed text is written back only while it
                // still says what the URI holds (a setter may have changed the value).
                for entry in &mut layout.params {
                    if entry
                        .written
                        .as_ref()
                        .is_some_and(|written| !self.still_holds(&entry.param, &written.0))
                    {
                        entry.written = None;
                    }
                }
                // A parameter with no value to give (an image lenient parsing dropped)
                // is left out, so equality agrees with the text written. A period or a
                // counter always has one: parsing reads `period` only in a TOTP URI and
                // `counter` only in an HOTP one, and no setter changes the type.
                layout
                    .params
                    .retain(|entry| entry.param != Param::Image || self.image.is_some());
                layout
            }
        }
    }

    /// Whether the URI must carry `param` to say what it holds.
    fn needs(&self, param: &Param) -> bool {
        match param {
            Param::Secret => true,
            Param::Issuer => self.issuer.is_some(),
            Param::Algorithm => self.algorithm != Algorithm::Sha1,
            Param::Digits => self.digits != Params::DEFAULT_DIGITS,
            Param::Period => self
                .period()
                .is_some_and(|period| period != Params::DEFAULT_PERIOD),
            Param::Counter => self.counter().is_some(),
            Param::Image => self.image.is_some(),
            Param::Other(_) => false,
        }
    }

    /// Whether the parameter text `pair`, as parsed, still reads as this URI's value.
    fn still_holds(&self, param: &Param, pair: &str) -> bool {
        let value = pair.split_once('=').map_or("", |(_, value)| value);
        let decoded = || decode_parameter(value, "parameter").ok();
        match param {
            // No setter changes these: they are what the text was read as.
            Param::Secret | Param::Issuer | Param::Other(_) => true,
            Param::Algorithm => {
                decoded().and_then(|v| v.parse::<Algorithm>().ok()) == Some(self.algorithm)
            }
            Param::Digits => decoded().and_then(|v| v.parse::<u8>().ok()) == Some(self.digits),
            Param::Period => decoded().and_then(|v| v.parse::<u64>().ok()) == self.period(),
            Param::Counter => decoded().and_then(|v| v.parse::<u64>().ok()) == self.counter(),
            Param::Image => {
                decoded().as_deref() == self.image.as_ref().map(|image| image.url.as_str())
            }
        }
    }

    /// Writes `param` as this crate spells it (`name=value`); `false` if the URI has
    /// no value for it.
    fn write_param(&self, param: &Param, uri: &mut String) -> bool {
        // Writing into a String cannot fail.
        match param {
            Param::Secret => {
                uri.push_str("secret=");
                uri.push_str(&self.secret.to_base32());
            }
            Param::Issuer => {
                let issuer = self.issuer.as_deref().unwrap_or_default();
                let _ = write!(uri, "issuer={}", utf8_percent_encode(issuer, COMPONENT));
            }
            Param::Algorithm => {
                let _ = write!(uri, "algorithm={}", self.algorithm);
            }
            Param::Digits => {
                let _ = write!(uri, "digits={}", self.digits);
            }
            Param::Period => match self.period() {
                Some(period) => {
                    let _ = write!(uri, "period={period}");
                }
                None => return false,
            },
            Param::Counter => match self.counter() {
                Some(counter) => {
                    let _ = write!(uri, "counter={counter}");
                }
                None => return false,
            },
            Param::Image => match &self.image {
                Some(image) => {
                    let _ = write!(uri, "image={}", utf8_percent_encode(&image.url, COMPONENT));
                }
                None => return false,
            },
            Param::Other(pair) => uri.push_str(&pair.0),
        }
        true
    }

    /// Writes the label as this crate spells it.
    fn write_label(&self, label_issuer: bool, uri: &mut String) {
        if let Some(issuer) = self.issuer.as_ref().filter(|_| label_issuer) {
            let _ = write!(uri, "{}:", utf8_percent_encode(issuer, COMPONENT));
        }
        let _ = write!(uri, "{}", utf8_percent_encode(&self.account, COMPONENT));
    }

    /// The URI text. It holds the secret, so it is zeroized on drop.
    /// A URI built here is written in this crate's spelling, with algorithm, digits and
    /// period only when they differ from the defaults, which some apps handle badly
    /// when present; a parsed one is written as it was (see the
    /// [type docs](Self#round-trips-what-is-kept-byte-for-byte)).
    ///
    /// ```
    /// use countersign_totp::{KeyUri, Secret};
    ///
    /// let uri = KeyUri::new_totp(&Secret::from_base32("JBSWY3DPEHPK3PXP")?, Some("ACME"), "joe")?;
    /// assert_eq!(uri.to_uri().as_str(), "otpauth://totp/ACME:joe?secret=JBSWY3DPEHPK3PXP&issuer=ACME");
    /// # Ok::<(), countersign_totp::Error>(())
    /// ```
    #[must_use]
    pub fn to_uri(&self) -> Zeroizing<String> {
        // Sized up front: a String that grows copies itself and frees the old buffer,
        // secret and all, unwiped. Every URI fits (see MAX_NAME_LEN), with room for the
        // 17 bytes `with_algorithm` may add to a parsed one.
        let mut uri = Zeroizing::new(String::with_capacity(MAX_URI_LEN + 32));
        let layout = self.effective_layout();
        match &layout.prefix {
            Some(prefix) => uri.push_str(&prefix.0),
            None => uri.push_str(match self.kind {
                Kind::Totp { .. } => "otpauth://totp/",
                Kind::Hotp { .. } => "otpauth://hotp/",
            }),
        }
        match &layout.label {
            Some(label) => uri.push_str(&label.0),
            None => self.write_label(layout.label_issuer, &mut uri),
        }
        let mut separator = '?';
        for entry in &layout.params {
            let start = uri.len();
            uri.push(separator);
            let written = match &entry.written {
                Some(written) => {
                    uri.push_str(&written.0);
                    true
                }
                None => self.write_param(&entry.param, &mut uri),
            };
            if written {
                separator = '&';
            } else {
                uri.truncate(start);
            }
        }
        if let Some(fragment) = &layout.fragment {
            uri.push_str(&fragment.0);
        }
        uri
    }

    /// The TOTP verifier of this key, with its parameters taken from this URI, so the
    /// codes the app shows and the codes the service accepts cannot drift apart.
    ///
    /// ```
    /// use countersign_totp::{KeyUri, Secret, Window};
    ///
    /// let uri = KeyUri::new_totp(&Secret::generate(), Some("ACME"), "joe")?.with_digits(8)?;
    /// let verifier = uri.verifier(Window::default())?;
    /// let now = 1_700_000_000;
    /// let code = verifier.totp().code_at(now)?.to_string();
    /// assert_eq!(code.len(), 8);
    /// assert!(verifier.verify(&code, now, None).is_ok());
    /// # Ok::<(), countersign_totp::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::NotTotp`] for an HOTP URI; [`Error::WindowTooWide`].
    pub fn verifier(&self, window: Window) -> Result<Verifier> {
        let params = self.params().ok_or(Error::NotTotp)?;
        Verifier::new(&self.secret, Config { params, window })
    }

    /// Parses an `otpauth://` URI strictly (see the [type docs](Self#strict-and-lenient-parsing)),
    /// though leniently where apps disagree on spelling: type, parameter names and
    /// algorithm in any case; the label with or without an issuer prefix (spaces
    /// after its colon ignored); `+` or `%20` for spaces in parameters; the secret
    /// as lenient base32 (legacy 80-bit keys accepted). Only a literal `:` separates
    /// the issuer from the account name: `%3A` is a colon inside a name, which the
    /// Key Uri Format does not allow. Unknown parameters are kept (see
    /// [`extra_parameters`](Self::extra_parameters)); `period` on an HOTP URI and
    /// `counter` on a TOTP one count as unknown.
    ///
    /// ```
    /// use countersign_totp::{Error, KeyUri};
    ///
    /// let uri = KeyUri::parse("otpauth://totp/ACME:joe?secret=JBSWY3DPEHPK3PXP&issuer=ACME")?;
    /// assert_eq!((uri.issuer(), uri.account()), (Some("ACME"), "joe"));
    /// assert!(matches!(
    ///     KeyUri::parse("otpauth://totp/Contoso:joe?secret=JBSWY3DPEHPK3PXP&issuer=Microsoft"),
    ///     Err(Error::IssuerMismatch { .. })
    /// ));
    /// # Ok::<(), Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::UriTooLong`], [`Error::UriUnsafeCharacter`], [`Error::UriScheme`], [`Error::UriType`],
    /// [`Error::UriLabel`], [`Error::UriEncoding`], [`Error::UriMissingParameter`]
    /// (`secret`, or `counter` for HOTP), [`Error::UriDuplicateParameter`],
    /// [`Error::UriInvalidParameter`] (for `image`: empty, no host, user information,
    /// over 1,024 bytes, an unsafe character), [`Error::UriImageScheme`],
    /// [`Error::UriNameTooLong`],
    /// [`Error::IssuerMismatch`] when the label prefix and the `issuer` parameter
    /// disagree, and the secret's own errors ([`Error::InvalidBase32`], ...).
    pub fn parse(text: &str) -> Result<Self> {
        Self::parse_with(text, None)
    }

    /// Parses an `otpauth://` URI as other issuers write them: as [`parse`](Self::parse),
    /// except that a label issuer differing from the `issuer` parameter (the parameter
    /// wins), a colon inside a name (kept) and an `image` that is not an https URL
    /// (dropped) are accepted, each with a [`UriWarning`] saying what was found and
    /// what was kept. For a service importing a user's existing keys. The warnings are
    /// empty exactly when [`parse`](Self::parse) accepts the text as it is.
    ///
    /// ```
    /// use countersign_totp::{KeyUri, UriWarning};
    ///
    /// // GNOME Secrets writes an issuer holding a colon as %3A (pyotp #174).
    /// let (uri, warnings) = KeyUri::parse_lenient(
    ///     "otpauth://totp/Text%3A%20More%20Text:Secret?secret=JBSWY3DPEHPK3PXP&issuer=Text%3A%20More%20Text",
    /// )?;
    /// assert_eq!((uri.issuer(), uri.account()), (Some("Text: More Text"), "Secret"));
    /// assert_eq!(warnings, [UriWarning::ColonInName { part: "issuer" }]);
    /// # Ok::<(), countersign_totp::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`parse`](Self::parse), without [`Error::IssuerMismatch`] and
    /// [`Error::UriImageScheme`], and with [`Error::UriLabel`] only for an empty account
    /// name or a control or bidirectional formatting character in a name.
    pub fn parse_lenient(text: &str) -> Result<(Self, Vec<UriWarning>)> {
        let mut warnings = Vec::new();
        let uri = Self::parse_with(text, Some(&mut warnings))?;
        Ok((uri, warnings))
    }

    /// Strict parsing when `warnings` is `None`; lenient, collecting them, otherwise.
    fn parse_with(text: &str, mut warnings: Option<&mut Vec<UriWarning>>) -> Result<Self> {
        const SCHEME: &str = "otpauth://";
        if text.len() > MAX_URI_LEN {
            return Err(Error::UriTooLong {
                len: text.len(),
                max: MAX_URI_LEN,
            });
        }
        // The text is written back as it came (unknown parameters included), so what
        // would act on a terminal or reorder a display is refused wherever it stands,
        // not only inside the names: a URI never holds one literally.
        if let Some(index) = text.chars().position(is_unsafe_in_label) {
            return Err(Error::UriUnsafeCharacter {
                position: index + 1,
            });
        }
        let rest = match text.get(..SCHEME.len()) {
            Some(scheme) if scheme.eq_ignore_ascii_case(SCHEME) => &text[SCHEME.len()..],
            _ => return Err(Error::UriScheme),
        };
        let (kind_name, rest, slash) = match rest.split_once('/') {
            Some((kind_name, rest)) => (kind_name, rest, 1),
            None => (rest, "", 0),
        };
        let is_totp = if kind_name.eq_ignore_ascii_case("totp") {
            true
        } else if kind_name.eq_ignore_ascii_case("hotp") {
            false
        } else {
            // Without a `/` after the type, what follows it is the query, secret and all:
            // the type echoed stops where a type could end, and after 8 characters.
            let end = kind_name
                .find(['?', '#', '&', '='])
                .unwrap_or(kind_name.len());
            return Err(Error::UriType {
                found: kind_name[..end].chars().take(8).collect(),
            });
        };
        let prefix = &text[..SCHEME.len() + kind_name.len() + slash];
        let (rest, fragment) = match rest.find('#') {
            Some(at) => (&rest[..at], Some(&rest[at..])),
            None => (rest, None),
        };
        let (label, query) = rest.split_once('?').unwrap_or((rest, ""));

        // Only a literal `:` separates the issuer from the account name: the label is
        // split while still percent-encoded, then each part is decoded on its own, so an
        // encoded colon (`%3A`) stays inside the name it was written in (pyotp #174, fixed
        // the same way in pyotp #187). Reading `%3A` as the separator would turn the
        // issuer `Text: More Text` into `Text` and an account `More Text:...`.
        let decode_label = |part: &str| {
            percent_decode_str(part)
                .decode_utf8()
                .map(Cow::into_owned)
                .map_err(|_| Error::UriEncoding { part: "label" })
        };
        let (label_issuer, account) = match label.split_once(':') {
            Some((issuer, account)) => (Some(decode_label(issuer)?), decode_label(account)?),
            None => (None, decode_label(label)?),
        };
        let label_issuer = label_issuer.as_deref();
        let account = if label_issuer.is_some() {
            account.trim_start_matches(' ')
        } else {
            &account
        };
        check_account(account)?;
        if account.contains(':') {
            match warnings.as_deref_mut() {
                Some(warnings) => warnings.push(UriWarning::ColonInName {
                    part: "account name",
                }),
                None => {
                    return Err(Error::UriLabel {
                        reason: "the account name may not contain a colon",
                    });
                }
            }
        }

        let mut found = Found::default();
        let mut params = Vec::new();
        for pair in query.split('&') {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            // The name is matched decoded, as every other reader decodes it (pyotp's
            // `parse_qsl`, Python's and Go's URL parsers): `s%65cret` is `secret`, and
            // so meets the duplicate check rather than passing as an unknown parameter
            // that another app reads as a second secret. The pair is still kept as
            // written (its spelling differs from ours), so the round trip stays byte
            // for byte; refusing `%` in names instead would refuse texts other apps read.
            // A name that does not decode to UTF-8 cannot spell a known one.
            let decoded_name = decode_parameter(name, "parameter name")
                .map(|name| name.to_ascii_lowercase())
                .unwrap_or_default();
            let known = match decoded_name.as_str() {
                "secret" => Some((Param::Secret, &mut found.secret, "secret")),
                "issuer" => Some((Param::Issuer, &mut found.issuer, "issuer")),
                "algorithm" => Some((Param::Algorithm, &mut found.algorithm, "algorithm")),
                "digits" => Some((Param::Digits, &mut found.digits, "digits")),
                "period" if is_totp => Some((Param::Period, &mut found.period, "period")),
                "counter" if !is_totp => Some((Param::Counter, &mut found.counter, "counter")),
                "image" => Some((Param::Image, &mut found.image, "image")),
                _ => None,
            };
            let Some((param, slot, name)) = known else {
                params.push((Param::Other(Written::new(pair)), pair));
                continue;
            };
            if slot.is_some() {
                return Err(Error::UriDuplicateParameter { name });
            }
            *slot = Some((decode_parameter(value, name)?, value));
            params.push((param, pair));
        }

        let (secret_text, _) = found
            .secret
            .ok_or(Error::UriMissingParameter { name: "secret" })?;
        let secret = Secret::from_base32(&secret_text);
        if let Cow::Owned(decoded) = secret_text {
            drop(Zeroizing::new(decoded));
        }
        let secret = secret?;

        let label_issuer = label_issuer.filter(|issuer| !issuer.is_empty());
        // The label's issuer is checked before it is compared: when the parameter wins,
        // it still travels in `IssuerMismatch` (an error or a warning) to a screen.
        if let Some(label) = label_issuer {
            check_issuer(label)?;
        }
        let parameter = found
            .issuer
            .as_ref()
            .map(|(issuer, _)| issuer.as_ref())
            .filter(|issuer| !issuer.is_empty());
        let mut label_changed = false;
        let issuer = match (label_issuer, parameter) {
            (Some(label), Some(parameter)) if label != parameter => {
                label_changed = true;
                let (label, kept) = (label.to_owned(), parameter.to_owned());
                match warnings.as_deref_mut() {
                    // Key Uri Format: when both are given, the issuer parameter is the one
                    // to use; the label prefix is what older apps showed.
                    Some(warnings) => warnings.push(UriWarning::IssuerMismatch {
                        label,
                        parameter: kept,
                    }),
                    None => {
                        return Err(Error::IssuerMismatch {
                            label,
                            parameter: kept,
                        });
                    }
                }
                Some(parameter.to_owned())
            }
            (Some(label), _) => Some(label.to_owned()),
            (None, Some(parameter)) => Some(parameter.to_owned()),
            (None, None) => None,
        };
        if let Some(issuer) = &issuer {
            check_issuer(issuer)?;
            if issuer.contains(':') {
                match warnings.as_deref_mut() {
                    Some(warnings) => warnings.push(UriWarning::ColonInName { part: "issuer" }),
                    None => {
                        return Err(Error::UriLabel {
                            reason: "the issuer may not contain a colon",
                        });
                    }
                }
            }
        }

        let algorithm = found
            .algorithm
            .as_ref()
            .map_or(Ok(Algorithm::Sha1), |(value, _)| value.parse())?;
        let digits = match found.digits.as_ref() {
            None => Params::DEFAULT_DIGITS,
            Some((value, _)) => value
                .parse::<u8>()
                .ok()
                .filter(|digits| code::modulus(*digits).is_ok())
                .ok_or_else(|| invalid("digits", value, "expected 6, 7 or 8"))?,
        };
        let kind = if is_totp {
            let period = match found.period.as_ref() {
                None => Params::DEFAULT_PERIOD,
                Some((value, _)) => value
                    .parse::<u64>()
                    .ok()
                    .filter(|period| *period > 0)
                    .ok_or_else(|| {
                        invalid("period", value, "expected a positive number of seconds")
                    })?,
            };
            Kind::Totp { period }
        } else {
            let (value, _) = found
                .counter
                .ok_or(Error::UriMissingParameter { name: "counter" })?;
            let counter = value
                .parse::<u64>()
                .map_err(|_| invalid("counter", &value, "expected a whole number"))?;
            Kind::Hotp { counter }
        };
        let image = match found.image {
            None => None,
            Some((url, _)) => match (check_image(&url), warnings) {
                (Ok(()), _) => Some(Image {
                    url: url.into_owned(),
                }),
                (Err(error), Some(warnings)) => {
                    warnings.push(UriWarning::ImageDropped {
                        reason: error.to_string(),
                    });
                    None
                }
                (Err(error), None) => return Err(error),
            },
        };

        let mut uri = Self {
            kind,
            issuer,
            account: account.to_owned(),
            secret,
            algorithm,
            digits,
            image,
            layout: None,
        };
        // Keep each part's spelling where it differs from how this crate would write it,
        // so that the URI is written back byte for byte.
        let kept =
            |written: &str, canonical: &str| (written != canonical).then(|| Written::new(written));
        // It holds `secret=BASE32` in turn, so it is wiped on drop, and sized up front so
        // that growing it leaves no copy behind (a parameter written this crate's way is
        // at most 3,079 bytes, an image's: see MAX_IMAGE_LEN).
        let mut canonical = Zeroizing::new(String::with_capacity(MAX_URI_LEN));
        let params = params
            .into_iter()
            .map(|(param, pair)| {
                canonical.clear();
                let written = if uri.write_param(&param, &mut canonical) {
                    kept(pair, &canonical)
                } else {
                    None
                };
                Entry { param, written }
            })
            .collect();
        canonical.clear();
        uri.write_label(label_issuer.is_some(), &mut canonical);
        let layout = Layout {
            label_issuer: label_issuer.is_some(),
            params,
            prefix: kept(
                prefix,
                if is_totp {
                    "otpauth://totp/"
                } else {
                    "otpauth://hotp/"
                },
            ),
            // A label whose issuer lost to the parameter is written resolved.
            label: if label_changed {
                None
            } else {
                kept(label, &canonical)
            },
            fragment: fragment.map(Written::new),
        };
        if layout != uri.effective_layout() {
            uri.layout = Some(layout);
        }
        // Accepted as it is, the text is written back byte for byte, so it fits. Resolved
        // (a label whose issuer lost is written with the winner), a text near
        // MAX_URI_LEN can come back longer, its unknown parameters kept: refused, so
        // that every URI this crate writes parses back.
        if label_changed {
            uri = fitting(uri)?;
        }
        Ok(uri)
    }
}

impl FromStr for KeyUri {
    type Err = Error;

    /// As [`KeyUri::parse`] (strict).
    fn from_str(text: &str) -> Result<Self> {
        Self::parse(text)
    }
}

/// A parameter's decoded value and its text as written.
type Value<'a> = Option<(Cow<'a, str>, &'a str)>;

#[derive(Default)]
struct Found<'a> {
    secret: Value<'a>,
    issuer: Value<'a>,
    algorithm: Value<'a>,
    digits: Value<'a>,
    period: Value<'a>,
    counter: Value<'a>,
    image: Value<'a>,
}

/// The longest `image` URL accepted, in bytes (decoded): a logo's address is short,
/// and a bound keeps a built URI near [`MAX_URI_LEN`] at most.
const MAX_IMAGE_LEN: usize = 1024;

/// Checks an `image` URL: https, a host, nothing an app could misread.
fn check_image(url: &str) -> Result<()> {
    const HTTPS: &str = "https://";
    // An empty `image=` is no URL at all: strict parsing refuses it as such (taking it
    // as absent would leave `image=` unwritten, breaking the byte-exact round trip, and
    // two apps may not agree that it means nothing); lenient parsing drops it with
    // `ImageDropped`, as any image it refuses.
    if url.is_empty() {
        return Err(invalid("image", url, "the URL is empty"));
    }
    let scheme_ok = url
        .get(..HTTPS.len())
        .is_some_and(|scheme| scheme.eq_ignore_ascii_case(HTTPS));
    if !scheme_ok {
        let scheme = url.split_once(':').map_or("", |(scheme, _)| scheme);
        return Err(Error::UriImageScheme {
            found: scheme.chars().take(16).collect(),
        });
    }
    if url.len() > MAX_IMAGE_LEN {
        return Err(invalid("image", url, "the URL is longer than 1024 bytes"));
    }
    // The URL is checked as an app gets it (decoded): a bidirectional formatting
    // character would make `https://a.example/\u{202e}gnp.exe` display as `...exe.png`.
    if url
        .chars()
        .any(|c| c.is_whitespace() || is_unsafe_in_label(c))
    {
        return Err(invalid(
            "image",
            url,
            "the URL may not hold white space, control or bidirectional formatting characters",
        ));
    }
    let rest = &url[HTTPS.len()..];
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    // User information is refused outright: a logo needs no credentials, and
    // `https://trusted.example@evil.example/` reads as the host it is not (RFC 3986
    // §7.6 warns of exactly this). Without it, an empty host is what remains to check.
    if authority.contains('@') {
        return Err(invalid(
            "image",
            url,
            "the URL may not carry user information (user@host)",
        ));
    }
    if authority.is_empty() || authority.starts_with(':') {
        return Err(invalid("image", url, "the URL has no host"));
    }
    Ok(())
}

/// Whether `c` may not appear in an issuer or account name: a control character (C0,
/// DEL, C1), which a terminal acts on (an untrusted QR code could retitle or clear the
/// screen of whoever prints its fields), or a bidirectional formatting character
/// (Unicode UAX #9: embeddings, overrides, isolates and marks), which reorders what is
/// shown so that one issuer can display as another's name. Names never need either:
/// right-to-left scripts display correctly without explicit formatting characters.
fn is_unsafe_in_label(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        )
}

pub(crate) fn check_issuer(issuer: &str) -> Result<()> {
    if issuer.chars().any(is_unsafe_in_label) {
        return Err(Error::UriLabel {
            reason: "the issuer may not contain control or bidirectional formatting characters",
        });
    }
    check_name_len(issuer, "issuer")
}

/// Names are bounded so that every URI built from them fits ([`MAX_NAME_LEN`]).
pub(crate) fn check_name_len(name: &str, part: &'static str) -> Result<()> {
    if name.len() > MAX_NAME_LEN {
        return Err(Error::UriNameTooLong {
            part,
            len: name.len(),
            max: MAX_NAME_LEN,
        });
    }
    Ok(())
}

/// `uri` if its text fits under [`MAX_URI_LEN`] (a setter may have added a parameter
/// to a parsed URI already near it), so that it parses back.
fn fitting(uri: KeyUri) -> Result<KeyUri> {
    let len = uri.to_uri().len();
    if len > MAX_URI_LEN {
        return Err(Error::UriTooLong {
            len,
            max: MAX_URI_LEN,
        });
    }
    Ok(uri)
}

fn check_account(account: &str) -> Result<()> {
    if account.chars().any(is_unsafe_in_label) {
        return Err(Error::UriLabel {
            reason: "the account name may not contain control or bidirectional formatting \
                     characters",
        });
    }
    if account.is_empty() {
        return Err(Error::UriLabel {
            reason: "the account name is empty",
        });
    }
    if account.starts_with(' ') {
        return Err(Error::UriLabel {
            reason: "the account name may not begin with a space",
        });
    }
    check_name_len(account, "account name")
}

/// Query values: `+` is a space (form encoding, which some generators use),
/// then percent-decoding.
fn decode_parameter<'a>(value: &'a str, name: &'static str) -> Result<Cow<'a, str>> {
    let decoded = if value.contains('+') {
        // A copy of the value, which may be the secret: wiped on drop.
        let spaced = Zeroizing::new(value.replace('+', " "));
        Cow::Owned(
            percent_decode_str(&spaced)
                .decode_utf8()
                .map_err(|_| Error::UriEncoding { part: name })?
                .into_owned(),
        )
    } else {
        percent_decode_str(value)
            .decode_utf8()
            .map_err(|_| Error::UriEncoding { part: name })?
    };
    Ok(decoded)
}

fn invalid(name: &'static str, value: &str, reason: &'static str) -> Error {
    Error::UriInvalidParameter {
        name,
        value: value.chars().take(32).collect(),
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret() -> Secret {
        Secret::from_base32("JBSWY3DPEHPK3PXP").unwrap()
    }

    #[test]
    fn googles_example() {
        let uri = KeyUri::parse(
            "otpauth://totp/Example:alice@google.com?secret=JBSWY3DPEHPK3PXP&issuer=Example",
        )
        .unwrap();
        assert_eq!(uri.issuer(), Some("Example"));
        assert_eq!(uri.account(), "alice@google.com");
        assert_eq!(uri.secret(), &secret());
        assert_eq!(uri.kind(), Kind::Totp { period: 30 });
        assert_eq!(uri.digits(), 6);
    }

    #[test]
    fn full_form_round_trips() {
        let uri = KeyUri::new_totp(&secret(), Some("ACME Co & Sons"), "jöe user@example.com")
            .unwrap()
            .with_algorithm(Algorithm::Sha512)
            .with_digits(8)
            .unwrap()
            .with_period(60)
            .unwrap();
        let text = uri.to_uri();
        assert_eq!(
            text.as_str(),
            "otpauth://totp/ACME%20Co%20%26%20Sons:j%C3%B6e%20user%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=ACME%20Co%20%26%20Sons&algorithm=SHA512&digits=8&period=60"
        );
        assert_eq!(KeyUri::parse(&text).unwrap(), uri);
        let hotp = KeyUri::new_hotp(&secret(), None, "bob", 42).unwrap();
        assert_eq!(
            hotp.to_uri().as_str(),
            "otpauth://hotp/bob?secret=JBSWY3DPEHPK3PXP&counter=42"
        );
        assert_eq!(KeyUri::parse(&hotp.to_uri()).unwrap(), hotp);
    }

    #[test]
    fn lenient_forms() {
        let uri = KeyUri::parse(
            "OTPAUTH://TOTP/Example:%20alice?SECRET=jbsw-y3dp-ehpk-3pxp&algorithm=sha256&image=HTTPS%3a%2f%2fexample.com%2fx&issuer=Example#frag",
        )
        .unwrap();
        assert_eq!(uri.image(), Some("HTTPS://example.com/x"));
        assert_eq!(uri.issuer(), Some("Example"));
        assert_eq!(uri.account(), "alice");
        assert_eq!(uri.algorithm(), Algorithm::Sha256);
        let uri =
            KeyUri::parse("otpauth://totp/alice?secret=JBSWY3DPEHPK3PXP&issuer=Big+Corp").unwrap();
        assert_eq!(uri.issuer(), Some("Big Corp"));
        assert_eq!(uri.account(), "alice");
    }

    /// pyotp #174 (fixed in pyotp #187): only a literal `:` separates the issuer from
    /// the account name; an encoded colon is part of the name it was written in.
    #[test]
    fn an_encoded_colon_is_part_of_the_name_not_the_separator() {
        // GNOME Secrets writes the issuer `Text: More Text` with an encoded colon. Read
        // as a separator, the issuer would become `Text` and the account `More Text:Secret`.
        let gnome = "otpauth://totp/Text%3A%20More%20Text:Secret?secret=FFFFFFFAAAAAABBBBBBB&issuer=Text%3A%20More%20Text";
        // The Key Uri Format lets neither name hold a colon, so strict parsing refuses the
        // issuer it really is, rather than reading another one.
        assert_eq!(
            KeyUri::parse(gnome),
            Err(Error::UriLabel {
                reason: "the issuer may not contain a colon"
            })
        );
        // With no literal colon there is no issuer prefix: the whole label is the account.
        assert_eq!(
            KeyUri::parse("otpauth://totp/Example%3Aalice?secret=JBSWY3DPEHPK3PXP"),
            Err(Error::UriLabel {
                reason: "the account name may not contain a colon"
            })
        );
        assert_eq!(
            KeyUri::parse(
                "otpauth://totp/Example%3a%20alice?secret=JBSWY3DPEHPK3PXP&issuer=Example"
            ),
            Err(Error::UriLabel {
                reason: "the account name may not contain a colon"
            })
        );
    }

    #[test]
    fn literal_control_and_bidi_characters_are_refused_anywhere() {
        // Kept parameters are written back verbatim, so they are checked too.
        for (text, position) in [
            (
                "otpauth://totp/joe?secret=JBSWY3DPEHPK3PXP&x=\u{1b}]0;pwned\u{7}",
                46,
            ),
            ("otpauth://totp/joe?secret=JBSWY3DPEHPK3PXP&x=\u{202e}a", 46),
            ("otpauth://totp/j\noe?secret=JBSWY3DPEHPK3PXP", 17),
        ] {
            assert_eq!(
                KeyUri::parse(text),
                Err(Error::UriUnsafeCharacter { position }),
                "{text:?}"
            );
            assert!(KeyUri::parse_lenient(text).is_err());
        }
        // Encoded, an unknown parameter is inert text and is kept as such.
        let uri = KeyUri::parse("otpauth://totp/joe?secret=JBSWY3DPEHPK3PXP&x=%1B").unwrap();
        assert_eq!(uri.extra_parameters().collect::<Vec<_>>(), [("x", "%1B")]);
    }

    #[test]
    fn errors() {
        let cases: [(&str, Error); 9] = [
            ("http://totp/a?secret=JBSWY3DPEHPK3PXP", Error::UriScheme),
            (
                "otpauth://motp/a?secret=JBSWY3DPEHPK3PXP",
                Error::UriType {
                    found: "motp".into(),
                },
            ),
            (
                "otpauth://totp/a",
                Error::UriMissingParameter { name: "secret" },
            ),
            (
                "otpauth://hotp/a?secret=JBSWY3DPEHPK3PXP",
                Error::UriMissingParameter { name: "counter" },
            ),
            (
                "otpauth://totp/?secret=JBSWY3DPEHPK3PXP",
                Error::UriLabel {
                    reason: "the account name is empty",
                },
            ),
            (
                "otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP&issuer=B",
                Error::IssuerMismatch {
                    label: "A".into(),
                    parameter: "B".into(),
                },
            ),
            (
                "otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&secret=JBSWY3DPEHPK3PXP",
                Error::UriDuplicateParameter { name: "secret" },
            ),
            (
                "otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&digits=9",
                Error::UriInvalidParameter {
                    name: "digits",
                    value: "9".into(),
                    reason: "expected 6, 7 or 8",
                },
            ),
            (
                "otpauth://totp/a?secret=QHNATAPGLOMF8XZ2",
                Error::InvalidBase32 {
                    position: 13,
                    kind: crate::CharacterKind::Digit,
                },
            ),
        ];
        for (text, error) in cases {
            assert_eq!(KeyUri::parse(text), Err(error), "{text}");
        }
        assert!(KeyUri::parse("otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&period=0").is_err());
        assert!(KeyUri::parse("otpauth://totp/a%FF?secret=JBSWY3DPEHPK3PXP").is_err());
        assert!(KeyUri::new_totp(&secret(), Some("a:b"), "c").is_err());
        assert!(KeyUri::new_totp(&secret(), None, "c:d").is_err());
        assert!(KeyUri::new_totp(&secret(), None, " c").is_err());
        assert!(
            KeyUri::new_hotp(&secret(), None, "c", 0)
                .unwrap()
                .with_period(60)
                .is_err()
        );
    }

    #[test]
    fn labels_with_control_or_bidi_characters_are_refused_both_ways() {
        let secret = || Secret::from_base32("JBSWY3DPEHPK3PXP").unwrap();
        for bad in [
            "\u{1b}]0;pwned\u{7}",
            "a\nb",
            "a\tb",
            "\u{7f}",
            "\u{9b}2J",
            "\u{202e}latroP",
            "\u{2066}x\u{2069}",
            "\u{200f}",
            "\u{61c}",
        ] {
            let as_issuer = KeyUri::new_totp(&secret(), Some(bad), "joe");
            assert!(matches!(as_issuer, Err(Error::UriLabel { .. })), "{bad:?}");
            let as_account = KeyUri::new_totp(&secret(), Some("Vivio"), bad);
            assert!(matches!(as_account, Err(Error::UriLabel { .. })), "{bad:?}");
            let encoded: String = bad.bytes().map(|b| format!("%{b:02X}")).collect();
            for uri in [
                format!("otpauth://totp/{encoded}:joe?secret=JBSWY3DPEHPK3PXP"),
                format!("otpauth://totp/Vivio:{encoded}?secret=JBSWY3DPEHPK3PXP"),
                format!("otpauth://totp/joe?secret=JBSWY3DPEHPK3PXP&issuer={encoded}"),
            ] {
                assert!(
                    matches!(KeyUri::parse(&uri), Err(Error::UriLabel { .. })),
                    "{uri}"
                );
            }
        }
        // Right-to-left names need no formatting characters, and are kept.
        let hebrew = KeyUri::new_totp(&secret(), Some("\u{5d1}\u{5e0}\u{5e7}"), "joe").unwrap();
        assert_eq!(KeyUri::parse(&hebrew.to_uri()).unwrap(), hebrew);
    }
}
