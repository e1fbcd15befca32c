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
use zeroize::Zeroizing;

use crate::algorithm::Algorithm;
use crate::code;
use crate::error::{Error, Result};
use crate::secret::Secret;
use crate::totp::Params;

/// Everything but RFC 3986's unreserved characters is escaped: spaces, colons,
/// `@`, `&`, `=`, `+`, `/`, `?`, `#`, `%` and non-ASCII.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Whether the key counts time steps or events.
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

/// An `otpauth://` Key URI. Built from validated parts, so
/// `KeyUri::parse(&uri.to_uri()) == Ok(uri)` for every `uri`.
///
/// ```
/// use countersign_totp::{KeyUri, Secret};
///
/// let secret = Secret::from_base32("JBSWY3DPEHPK3PXP")?;
/// let uri = KeyUri::new_totp(secret, Some("Vivio Portal"), "joe@example.com")?;
/// assert_eq!(
///     uri.to_uri().as_str(),
///     "otpauth://totp/Vivio%20Portal:joe%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=Vivio%20Portal"
/// );
/// assert_eq!(KeyUri::parse(&uri.to_uri())?, uri);
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
/// right-to-left scripts display correctly without them. Building and parsing refuse
/// both with [`Error::UriLabel`], so a `KeyUri` never holds one.
///
/// ```
/// use countersign_totp::{Error, KeyUri};
///
/// let hostile = "otpauth://totp/Evil%1B%5D0%3Bpwned%07:joe?secret=JBSWY3DPEHPK3PXP";
/// assert!(matches!(KeyUri::parse(hostile), Err(Error::UriLabel { .. })));
/// let spoofed = "otpauth://totp/joe?secret=JBSWY3DPEHPK3PXP&issuer=%E2%80%AElatroP";
/// assert!(matches!(KeyUri::parse(spoofed), Err(Error::UriLabel { .. })));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyUri {
    kind: Kind,
    issuer: Option<String>,
    account: String,
    secret: Secret,
    algorithm: Algorithm,
    digits: u8,
}

impl KeyUri {
    /// A TOTP key URI with the default parameters (SHA-1, 6 digits, 30 s).
    /// An empty issuer counts as none.
    ///
    /// # Errors
    ///
    /// [`Error::UriLabel`] for an empty account, a colon in the issuer or the
    /// account, an account beginning with a space, or a control or bidirectional
    /// formatting character in either (see the [type docs](Self)).
    pub fn new_totp(secret: Secret, issuer: Option<&str>, account: &str) -> Result<Self> {
        Self::new(
            Kind::Totp {
                period: Params::DEFAULT_PERIOD,
            },
            secret,
            issuer,
            account,
        )
    }

    /// An HOTP key URI starting at `counter`.
    ///
    /// # Errors
    ///
    /// As [`new_totp`](Self::new_totp).
    pub fn new_hotp(
        secret: Secret,
        issuer: Option<&str>,
        account: &str,
        counter: u64,
    ) -> Result<Self> {
        Self::new(Kind::Hotp { counter }, secret, issuer, account)
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
        })
    }

    /// Sets the hash function.
    #[must_use]
    pub fn with_algorithm(mut self, algorithm: Algorithm) -> Self {
        self.algorithm = algorithm;
        self
    }

    /// Sets the digit count.
    ///
    /// # Errors
    ///
    /// [`Error::DigitsOutOfRange`] unless 6, 7 or 8.
    pub fn with_digits(mut self, digits: u8) -> Result<Self> {
        code::modulus(digits)?;
        self.digits = digits;
        Ok(self)
    }

    /// Sets the TOTP period.
    ///
    /// # Errors
    ///
    /// [`Error::ZeroPeriod`] for 0; [`Error::UriInvalidParameter`] on an HOTP URI.
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
        Ok(self)
    }

    /// TOTP or HOTP, with the period or counter.
    #[must_use]
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// The issuer (the service name an app shows), if any.
    #[must_use]
    pub fn issuer(&self) -> Option<&str> {
        self.issuer.as_deref()
    }

    /// The account name.
    #[must_use]
    pub fn account(&self) -> &str {
        &self.account
    }

    /// The shared secret.
    #[must_use]
    pub fn secret(&self) -> &Secret {
        &self.secret
    }

    /// The hash function.
    #[must_use]
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// Digits per code.
    #[must_use]
    pub fn digits(&self) -> u8 {
        self.digits
    }

    /// The TOTP period, or `None` for HOTP.
    #[must_use]
    pub fn period(&self) -> Option<u64> {
        match self.kind {
            Kind::Totp { period } => Some(period),
            Kind::Hotp { .. } => None,
        }
    }

    /// The HOTP counter, or `None` for TOTP.
    #[must_use]
    pub fn counter(&self) -> Option<u64> {
        match self.kind {
            Kind::Hotp { counter } => Some(counter),
            Kind::Totp { .. } => None,
        }
    }

    /// The TOTP parameters (T0 = 0), or `None` for HOTP.
    #[must_use]
    pub fn params(&self) -> Option<Params> {
        self.period().map(|period| Params {
            algorithm: self.algorithm,
            digits: self.digits,
            period,
            t0: 0,
        })
    }

    /// The URI text. It holds the secret, so it is zeroized on drop.
    /// Algorithm, digits and period are written only when they differ from
    /// the defaults, which some apps handle badly when present.
    #[must_use]
    pub fn to_uri(&self) -> Zeroizing<String> {
        let mut uri = Zeroizing::new(String::with_capacity(128));
        let (kind, extra) = match self.kind {
            Kind::Totp { period } => (
                "totp",
                (period != Params::DEFAULT_PERIOD).then_some(("period", period)),
            ),
            Kind::Hotp { counter } => ("hotp", Some(("counter", counter))),
        };
        // Writing into a String cannot fail.
        let _ = write!(uri, "otpauth://{kind}/");
        if let Some(issuer) = &self.issuer {
            let _ = write!(uri, "{}:", utf8_percent_encode(issuer, COMPONENT));
        }
        let _ = write!(
            uri,
            "{}?secret=",
            utf8_percent_encode(&self.account, COMPONENT)
        );
        uri.push_str(&self.secret.to_base32());
        if let Some(issuer) = &self.issuer {
            let _ = write!(uri, "&issuer={}", utf8_percent_encode(issuer, COMPONENT));
        }
        if self.algorithm != Algorithm::Sha1 {
            let _ = write!(uri, "&algorithm={}", self.algorithm);
        }
        if self.digits != Params::DEFAULT_DIGITS {
            let _ = write!(uri, "&digits={}", self.digits);
        }
        if let Some((name, value)) = extra {
            let _ = write!(uri, "&{name}={value}");
        }
        uri
    }

    /// Parses an `otpauth://` URI, leniently where apps disagree: type,
    /// parameter names and algorithm in any case; the label with or without an
    /// issuer prefix (spaces after its colon ignored); `+` or
    /// `%20` for spaces in parameters; unknown parameters ignored; the secret
    /// as lenient base32 (legacy 80-bit keys accepted).
    ///
    /// # Errors
    ///
    /// [`Error::UriScheme`], [`Error::UriType`], [`Error::UriLabel`],
    /// [`Error::UriEncoding`], [`Error::UriMissingParameter`] (`secret`, or
    /// `counter` for HOTP), [`Error::UriDuplicateParameter`],
    /// [`Error::UriInvalidParameter`], [`Error::IssuerMismatch`] when the label
    /// prefix and the `issuer` parameter disagree, and the secret's own errors
    /// ([`Error::InvalidBase32`], ...).
    pub fn parse(text: &str) -> Result<Self> {
        const SCHEME: &str = "otpauth://";
        let rest = match text.get(..SCHEME.len()) {
            Some(scheme) if scheme.eq_ignore_ascii_case(SCHEME) => &text[SCHEME.len()..],
            _ => return Err(Error::UriScheme),
        };
        let (kind_name, rest) = rest.split_once('/').unwrap_or((rest, ""));
        let is_totp = if kind_name.eq_ignore_ascii_case("totp") {
            true
        } else if kind_name.eq_ignore_ascii_case("hotp") {
            false
        } else {
            return Err(Error::UriType {
                found: kind_name.chars().take(32).collect(),
            });
        };
        let rest = rest.split_once('#').map_or(rest, |(before, _)| before);
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
            return Err(Error::UriLabel {
                reason: "the account name may not contain a colon",
            });
        }

        let mut found = Found::default();
        for pair in query.split('&').filter(|pair| !pair.is_empty()) {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let slot = match name.to_ascii_lowercase().as_str() {
                "secret" => (&mut found.secret, "secret"),
                "issuer" => (&mut found.issuer, "issuer"),
                "algorithm" => (&mut found.algorithm, "algorithm"),
                "digits" => (&mut found.digits, "digits"),
                "period" => (&mut found.period, "period"),
                "counter" => (&mut found.counter, "counter"),
                _ => continue, // Unknown parameters (image, color, ...) are ignored.
            };
            if slot.0.is_some() {
                return Err(Error::UriDuplicateParameter { name: slot.1 });
            }
            *slot.0 = Some(decode_parameter(value, slot.1)?);
        }

        let secret_text = found
            .secret
            .ok_or(Error::UriMissingParameter { name: "secret" })?;
        let secret = Secret::from_base32(&secret_text);
        if let Cow::Owned(decoded) = secret_text {
            drop(Zeroizing::new(decoded));
        }
        let secret = secret?;

        let issuer = match (
            label_issuer.filter(|i| !i.is_empty()),
            found.issuer.as_deref(),
        ) {
            (Some(label), Some(parameter)) if !parameter.is_empty() && label != parameter => {
                return Err(Error::IssuerMismatch {
                    label: label.to_owned(),
                    parameter: parameter.to_owned(),
                });
            }
            (Some(label), _) => Some(label.to_owned()),
            (None, Some(parameter)) if !parameter.is_empty() => Some(parameter.to_owned()),
            (None, _) => None,
        };
        if issuer.as_deref().is_some_and(|issuer| issuer.contains(':')) {
            return Err(Error::UriLabel {
                reason: "the issuer may not contain a colon",
            });
        }
        if let Some(issuer) = &issuer {
            check_issuer(issuer)?;
        }

        let algorithm = found
            .algorithm
            .as_deref()
            .map_or(Ok(Algorithm::Sha1), str::parse)?;
        let digits = match found.digits.as_deref() {
            None => Params::DEFAULT_DIGITS,
            Some(value) => value
                .parse::<u8>()
                .ok()
                .filter(|digits| code::modulus(*digits).is_ok())
                .ok_or_else(|| invalid("digits", value, "expected 6, 7 or 8"))?,
        };
        let kind = if is_totp {
            let period = match found.period.as_deref() {
                None => Params::DEFAULT_PERIOD,
                Some(value) => value
                    .parse::<u64>()
                    .ok()
                    .filter(|period| *period > 0)
                    .ok_or_else(|| {
                        invalid("period", value, "expected a positive number of seconds")
                    })?,
            };
            Kind::Totp { period }
        } else {
            let value = found
                .counter
                .ok_or(Error::UriMissingParameter { name: "counter" })?;
            let counter = value
                .parse::<u64>()
                .map_err(|_| invalid("counter", &value, "expected a whole number"))?;
            Kind::Hotp { counter }
        };

        Ok(Self {
            kind,
            issuer,
            account: account.to_owned(),
            secret,
            algorithm,
            digits,
        })
    }
}

impl FromStr for KeyUri {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self> {
        Self::parse(text)
    }
}

#[derive(Default)]
struct Found<'a> {
    secret: Option<Cow<'a, str>>,
    issuer: Option<Cow<'a, str>>,
    algorithm: Option<Cow<'a, str>>,
    digits: Option<Cow<'a, str>>,
    period: Option<Cow<'a, str>>,
    counter: Option<Cow<'a, str>>,
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

fn check_issuer(issuer: &str) -> Result<()> {
    if issuer.chars().any(is_unsafe_in_label) {
        return Err(Error::UriLabel {
            reason: "the issuer may not contain control or bidirectional formatting characters",
        });
    }
    Ok(())
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
    Ok(())
}

/// Query values: `+` is a space (form encoding, which some generators use),
/// then percent-decoding.
fn decode_parameter<'a>(value: &'a str, name: &'static str) -> Result<Cow<'a, str>> {
    let decoded = if value.contains('+') {
        let spaced = value.replace('+', " ");
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
        let uri = KeyUri::new_totp(secret(), Some("ACME Co & Sons"), "jöe user@example.com")
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
        let hotp = KeyUri::new_hotp(secret(), None, "bob", 42).unwrap();
        assert_eq!(
            hotp.to_uri().as_str(),
            "otpauth://hotp/bob?secret=JBSWY3DPEHPK3PXP&counter=42"
        );
        assert_eq!(KeyUri::parse(&hotp.to_uri()).unwrap(), hotp);
    }

    #[test]
    fn lenient_forms() {
        let uri = KeyUri::parse(
            "OTPAUTH://TOTP/Example:%20alice?SECRET=jbsw-y3dp-ehpk-3pxp&algorithm=sha256&image=x&issuer=Example#frag",
        )
        .unwrap();
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
        assert!(KeyUri::new_totp(secret(), Some("a:b"), "c").is_err());
        assert!(KeyUri::new_totp(secret(), None, "c:d").is_err());
        assert!(KeyUri::new_totp(secret(), None, " c").is_err());
        assert!(
            KeyUri::new_hotp(secret(), None, "c", 0)
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
            let as_issuer = KeyUri::new_totp(secret(), Some(bad), "joe");
            assert!(matches!(as_issuer, Err(Error::UriLabel { .. })), "{bad:?}");
            let as_account = KeyUri::new_totp(secret(), Some("Vivio"), bad);
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
        let hebrew = KeyUri::new_totp(secret(), Some("\u{5d1}\u{5e0}\u{5e7}"), "joe").unwrap();
        assert_eq!(KeyUri::parse(&hebrew.to_uri()).unwrap(), hebrew);
    }
}
