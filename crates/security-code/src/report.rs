//! What `check` found: every violation and warning, each with a stable code.

use core::fmt;

use serde::{Deserialize, Serialize};

/// A stable machine code for one finding. Serialized in `snake_case`
/// (`"ssn"`, `"contains_name"`); new codes may be added, existing ones never change.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ReasonCode {
    /// Fewer code points than the policy's minimum (after NFKC, trimmed).
    TooShort,
    /// More code points than the policy's maximum.
    TooLong,
    /// A Social Security number: 3-2-4 digits with the same separator twice, or a
    /// bare nine-digit run the SSA could issue.
    Ssn,
    /// An ITIN-shaped nine-digit run (9XX, middle group 50-65, 70-88, 90-92, 94-99).
    Itin,
    /// A calendar date: with separators, eight digits, or a month name by a day or year.
    Date,
    /// A North American (NANP) phone number.
    PhoneNumber,
    /// A part of the contact's name.
    ContainsName,
    /// The contact's username.
    ContainsUsername,
    /// The local part of the contact's email address.
    ContainsEmail,
    /// The client ID.
    ContainsClientId,
    /// Seven or more consecutive digits of a phone number on the account.
    ContainsPhone,
    /// A form of the contact's date of birth.
    ContainsBirthDate,
    /// The contact's SSN, its first five or last four digits.
    ContainsSsn,
    /// One character repeated.
    RepeatedCharacter,
    /// Fewer distinct letters and digits than the policy asks.
    TooFewDistinct,
    /// A straight or keyboard sequence (`12345678`, `abcdefgh`, `qwertyui`).
    Sequence,
    /// A word such as "password" or "security code".
    CommonWord,
    /// Warning: six digits shaped like a date (YYMMDD, MMDDYY, DDMMYY).
    SixDigitDate,
    /// Warning: a four-digit year 1900..=today.
    Year,
    /// Warning: text shaped like an email address.
    EmailShaped,
    /// Warning: text shaped like a street address.
    StreetAddress,
}

impl ReasonCode {
    /// The stable machine code, as serialized.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::TooShort => "too_short",
            Self::TooLong => "too_long",
            Self::Ssn => "ssn",
            Self::Itin => "itin",
            Self::Date => "date",
            Self::PhoneNumber => "phone_number",
            Self::ContainsName => "contains_name",
            Self::ContainsUsername => "contains_username",
            Self::ContainsEmail => "contains_email",
            Self::ContainsClientId => "contains_client_id",
            Self::ContainsPhone => "contains_phone",
            Self::ContainsBirthDate => "contains_birth_date",
            Self::ContainsSsn => "contains_ssn",
            Self::RepeatedCharacter => "repeated_character",
            Self::TooFewDistinct => "too_few_distinct",
            Self::Sequence => "sequence",
            Self::CommonWord => "common_word",
            Self::SixDigitDate => "six_digit_date",
            Self::Year => "year",
            Self::EmailShaped => "email_shaped",
            Self::StreetAddress => "street_address",
        }
    }

    /// Every reason code, in declaration order.
    pub const ALL: [ReasonCode; 21] = [
        Self::TooShort,
        Self::TooLong,
        Self::Ssn,
        Self::Itin,
        Self::Date,
        Self::PhoneNumber,
        Self::ContainsName,
        Self::ContainsUsername,
        Self::ContainsEmail,
        Self::ContainsClientId,
        Self::ContainsPhone,
        Self::ContainsBirthDate,
        Self::ContainsSsn,
        Self::RepeatedCharacter,
        Self::TooFewDistinct,
        Self::Sequence,
        Self::CommonWord,
        Self::SixDigitDate,
        Self::Year,
        Self::EmailShaped,
        Self::StreetAddress,
    ];
}

impl fmt::Display for ReasonCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl core::str::FromStr for ReasonCode {
    type Err = UnknownReasonCode;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or(UnknownReasonCode)
    }
}

/// A reason code string that names no [`ReasonCode`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnknownReasonCode;

impl fmt::Display for UnknownReasonCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("unknown security-code reason code")
    }
}

impl std::error::Error for UnknownReasonCode {}

/// One thing `check` found: a stable code and a plain-English message. Messages
/// never quote the code itself, so a report is safe to log.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Finding {
    /// The stable machine code.
    pub code: ReasonCode,
    /// What is wrong and what to do, for the person choosing the code.
    pub message: String,
}

/// Every violation (the code is refused) and warning (allowed, but worth a second
/// thought) `check` found. At most one finding per reason code.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
pub struct Report {
    /// Reasons the code is refused; empty when it passes.
    pub violations: Vec<Finding>,
    /// Reasons for a second thought; they do not refuse the code.
    pub warnings: Vec<Finding>,
}

impl Report {
    /// True when there are no violations (warnings allowed).
    #[must_use]
    pub fn passed(&self) -> bool {
        self.violations.is_empty()
    }

    /// True when a violation or warning carries `code`.
    #[must_use]
    pub fn has(&self, code: ReasonCode) -> bool {
        self.violations
            .iter()
            .chain(&self.warnings)
            .any(|f| f.code == code)
    }

    /// The violation codes, in the order found.
    pub fn violation_codes(&self) -> impl Iterator<Item = ReasonCode> + '_ {
        self.violations.iter().map(|f| f.code)
    }

    /// The warning codes, in the order found.
    pub fn warning_codes(&self) -> impl Iterator<Item = ReasonCode> + '_ {
        self.warnings.iter().map(|f| f.code)
    }

    /// One line: "passed", or the violation codes joined by commas.
    #[must_use]
    pub fn summary(&self) -> String {
        if self.passed() {
            "passed".to_owned()
        } else {
            self.violation_codes()
                .map(ReasonCode::as_str)
                .collect::<Vec<_>>()
                .join(", ")
        }
    }

    pub(crate) fn refuse(&mut self, code: ReasonCode, message: impl Into<String>) {
        if !self.has(code) {
            self.violations.push(Finding {
                code,
                message: message.into(),
            });
        }
    }

    pub(crate) fn warn(&mut self, code: ReasonCode, message: impl Into<String>) {
        if !self.has(code) {
            self.warnings.push(Finding {
                code,
                message: message.into(),
            });
        }
    }
}

impl fmt::Display for Report {
    /// One finding per line: `error[code]: message` or `warning[code]: message`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for v in &self.violations {
            writeln!(f, "error[{}]: {}", v.code, v.message)?;
        }
        for w in &self.warnings {
            writeln!(f, "warning[{}]: {}", w.code, w.message)?;
        }
        Ok(())
    }
}
