//! The policy and `check`.

use serde::{Deserialize, Serialize};

use crate::context::Context;
use crate::error::{Error, Result};
use crate::normalize::Normalized;
use crate::report::{ReasonCode, Report};
use crate::secret::SecurityCode;
use crate::{address, date, phone, profile, sequence, ssn, words};

/// The seeds' floor: "A minimum of eight characters is required."
pub const SEEDS_MIN_LENGTH: usize = 8;

/// Codes longer than this are reported too long without further analysis, which
/// bounds the work `check` does on hostile input.
const ANALYSIS_LIMIT: usize = 1024;

/// What a security code must be. Deserializes from, for example, TOML:
///
/// ```
/// use countersign_security_code::Policy;
/// let p: Policy = serde_json::from_str(r#"{"min_length": 10}"#)?;
/// assert_eq!(p.min_length(), 10);
/// assert_eq!(p.max_length(), 64);
/// assert!(serde_json::from_str::<Policy>(r#"{"min_length": 6}"#).is_err());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "PolicyConfig", into = "PolicyConfig")]
pub struct Policy {
    min_length: usize,
    max_length: usize,
    min_distinct: usize,
    max_sequence_run: usize,
}

/// The serialized form of [`Policy`]; every field optional, defaults as in [`Policy::default`].
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PolicyConfig {
    /// Fewest code points (after NFKC, trimmed); at least 8.
    pub min_length: usize,
    /// Most code points; at least `min_length`, at most 1024.
    pub max_length: usize,
    /// Fewest distinct letters and digits; 2 to `min_length`.
    pub min_distinct: usize,
    /// Longest straight or keyboard sequence allowed; 3 or more.
    pub max_sequence_run: usize,
}

impl Default for PolicyConfig {
    fn default() -> Self {
        Policy::default().into()
    }
}

impl From<Policy> for PolicyConfig {
    fn from(p: Policy) -> Self {
        Self {
            min_length: p.min_length,
            max_length: p.max_length,
            min_distinct: p.min_distinct,
            max_sequence_run: p.max_sequence_run,
        }
    }
}

impl TryFrom<PolicyConfig> for Policy {
    type Error = Error;

    fn try_from(c: PolicyConfig) -> Result<Self> {
        let bad = |reason: String| Err(Error::InvalidPolicy { reason });
        if c.min_length < SEEDS_MIN_LENGTH {
            return bad(format!(
                "min_length must be at least {SEEDS_MIN_LENGTH}, got {}",
                c.min_length
            ));
        }
        if c.max_length < c.min_length || c.max_length > ANALYSIS_LIMIT {
            return bad(format!(
                "max_length must be between min_length ({}) and {ANALYSIS_LIMIT}, got {}",
                c.min_length, c.max_length
            ));
        }
        if c.min_distinct < 2 || c.min_distinct > c.min_length {
            return bad(format!(
                "min_distinct must be between 2 and min_length ({}), got {}",
                c.min_length, c.min_distinct
            ));
        }
        if c.max_sequence_run < 3 {
            return bad(format!(
                "max_sequence_run must be at least 3, got {}",
                c.max_sequence_run
            ));
        }
        Ok(Self {
            min_length: c.min_length,
            max_length: c.max_length,
            min_distinct: c.min_distinct,
            max_sequence_run: c.max_sequence_run,
        })
    }
}

impl Default for Policy {
    /// 8 to 64 code points, four distinct characters, sequences of at most five.
    fn default() -> Self {
        Self {
            min_length: SEEDS_MIN_LENGTH,
            max_length: 64,
            min_distinct: 4,
            max_sequence_run: 5,
        }
    }
}

impl Policy {
    /// A policy from its settings.
    ///
    /// # Errors
    /// [`Error::InvalidPolicy`] when a setting is out of range (see [`PolicyConfig`]).
    pub fn new(config: PolicyConfig) -> Result<Self> {
        Self::try_from(config)
    }

    /// Fewest code points.
    #[must_use]
    pub fn min_length(&self) -> usize {
        self.min_length
    }

    /// Most code points.
    #[must_use]
    pub fn max_length(&self) -> usize {
        self.max_length
    }

    /// Check `code` against this policy and the profile in `ctx`: every violation
    /// and warning. Never panics.
    #[must_use]
    pub fn check(&self, code: &str, ctx: &Context) -> Report {
        let mut report = Report::default();
        let n = Normalized::new(code);
        if n.length < self.min_length {
            report.refuse(
                ReasonCode::TooShort,
                format!(
                    "The code has {} characters; it needs at least {}.",
                    n.length, self.min_length
                ),
            );
        }
        if n.length > self.max_length {
            report.refuse(
                ReasonCode::TooLong,
                format!(
                    "The code has {} characters; it may have at most {}.",
                    n.length, self.max_length
                ),
            );
            if n.length > ANALYSIS_LIMIT {
                return report;
            }
        }
        personal_data(&n, ctx, &mut report);
        profile::check(&n, ctx, &mut report);
        self.too_easy(&n, &mut report);
        report
    }

    /// Check `code` and, when it passes, return it as a [`SecurityCode`] (NFKC, trimmed).
    ///
    /// # Errors
    /// [`Error::Refused`] with the report when there is any violation.
    pub fn admit(&self, code: &str, ctx: &Context) -> Result<SecurityCode> {
        let report = self.check(code, ctx);
        if report.passed() {
            Ok(SecurityCode::new(code))
        } else {
            Err(Error::Refused {
                report: Box::new(report),
            })
        }
    }

    fn too_easy(&self, n: &Normalized, report: &mut Report) {
        let mut chars: Vec<char> = n.compact.chars().collect();
        if chars.is_empty() {
            chars = n
                .text
                .iter()
                .copied()
                .filter(|c| !c.is_whitespace())
                .collect();
        }
        if sequence::is_one_repeated(&chars) {
            report.refuse(
                ReasonCode::RepeatedCharacter,
                "The code is one character repeated. Mix different letters and digits.",
            );
        } else if sequence::distinct(&chars) < self.min_distinct {
            report.refuse(
                ReasonCode::TooFewDistinct,
                format!(
                    "The code uses fewer than {} different letters and digits.",
                    self.min_distinct
                ),
            );
        }
        let (longest, only_runs) = sequence::runs(&chars);
        if longest > self.max_sequence_run || (only_runs && chars.len() >= 2) {
            report.refuse(
                ReasonCode::Sequence,
                "The code contains a straight or keyboard sequence (like 12345678, abcdefgh or qwertyui).",
            );
        }
        if words::is_common(&n.compact, &n.text) {
            report.refuse(
                ReasonCode::CommonWord,
                "The code is built on a word anyone would guess (like \"password\" or \"security code\").",
            );
        }
        chars.iter_mut().for_each(|c| *c = '\0');
    }
}

/// Check `code` against the default [`Policy`] and the profile in `ctx`.
///
/// ```
/// use countersign_security_code::{check, Context, Date, ReasonCode};
/// let ctx = Context::new(Date::new(2026, 11, 23)?);
/// assert!(check("Lighthouse-42-Oak", &ctx).passed());
/// let r = check("1990-01-31-blue", &ctx);
/// assert_eq!(r.violation_codes().collect::<Vec<_>>(), [ReasonCode::Date]);
/// # Ok::<(), countersign_security_code::Error>(())
/// ```
#[must_use]
pub fn check(code: &str, ctx: &Context) -> Report {
    Policy::default().check(code, ctx)
}

/// The always-refused personal data (SSN, ITIN, dates, phone numbers) and the warnings.
fn personal_data(n: &Normalized, ctx: &Context, report: &mut Report) {
    let today = ctx.today();
    let (is_ssn, is_itin) = ssn::find(n);
    if is_ssn {
        report.refuse(
            ReasonCode::Ssn,
            "The code contains what looks like a Social Security number. Never put an SSN in a security code.",
        );
    }
    if is_itin {
        report.refuse(
            ReasonCode::Itin,
            "The code contains what looks like a taxpayer identification number (ITIN).",
        );
    }
    let dates = date::find(n, today);
    if dates.date {
        report.refuse(
            ReasonCode::Date,
            "The code contains a calendar date. Dates such as a date of birth are personal data; leave them out.",
        );
    }
    if phone::find(n) {
        report.refuse(
            ReasonCode::PhoneNumber,
            "The code contains what looks like a phone number. Leave phone numbers out.",
        );
    }
    if dates.six_digit && ctx.date_of_birth.is_none() {
        report.warn(
            ReasonCode::SixDigitDate,
            "Six digits in the code could be read as a date. If it is a date of birth, choose other digits.",
        );
    }
    let year = n
        .groups
        .iter()
        .enumerate()
        .any(|(i, &g)| !dates.in_date.contains(&i) && date::is_year(n.group_digits(g), today));
    if year {
        report.warn(
            ReasonCode::Year,
            "The code contains a year. If it is a birth year or another personal date, choose other digits.",
        );
    }
    if address::is_email_shaped(n) {
        report.warn(
            ReasonCode::EmailShaped,
            "The code looks like an email address. Avoid putting contact details in a security code.",
        );
    }
    if address::is_street_shaped(n) {
        report.warn(
            ReasonCode::StreetAddress,
            "The code looks like a street address. Avoid putting your address in a security code.",
        );
    }
}
