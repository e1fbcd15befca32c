//! What [`crate::Policy::check`] found: every violation and every suggestion, each with a
//! stable machine code and a plain-English message.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

/// The characters the seeds count as "special" (article 003: "one special character
/// (!@#$%^&*?_~)").
pub const SPECIAL_CHARACTERS: &str = "!@#$%^&*?_~";

/// The result of checking a password: it passes when there are no violations.
/// Suggestions never make a password fail.
///
/// Serializes to JSON as `{"violations": [{"code": .., "message": ..}],
/// "suggestions": [..]}` (plus `"strength"` with the `strength` feature).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Report {
    /// Every rule the password breaks, in the order the rules are listed in
    /// [`ViolationCode`].
    pub violations: Vec<Violation>,
    /// Ways to make the password stronger that the policy does not require.
    pub suggestions: Vec<Suggestion>,
    /// The zxcvbn estimate, present when every rule passed.
    #[cfg(feature = "strength")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strength: Option<crate::strength::Strength>,
}

impl Report {
    /// Whether the password satisfies the policy.
    #[must_use]
    pub fn passed(&self) -> bool {
        self.violations.is_empty()
    }

    /// Whether a violation with `code` was found.
    #[must_use]
    pub fn has(&self, code: ViolationCode) -> bool {
        self.violations.iter().any(|v| v.code == code)
    }

    /// Whether a suggestion with `code` was made.
    #[must_use]
    pub fn suggests(&self, code: SuggestionCode) -> bool {
        self.suggestions.iter().any(|s| s.code == code)
    }

    pub(crate) fn violation(&mut self, code: ViolationCode, message: impl Into<Cow<'static, str>>) {
        self.violations.push(Violation {
            code,
            message: message.into(),
        });
    }

    pub(crate) fn suggestion(&mut self, code: SuggestionCode) {
        if !self.suggests(code) {
            self.suggestions.push(Suggestion {
                code,
                message: Cow::Borrowed(code.message()),
            });
        }
    }
}

/// A rule the password breaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Violation {
    /// Stable machine code.
    pub code: ViolationCode,
    /// What is wrong, in plain English, for the person choosing the password.
    pub message: Cow<'static, str>,
}

/// A way to make the password stronger; never a reason to refuse it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Suggestion {
    /// Stable machine code.
    pub code: SuggestionCode,
    /// The advice, in plain English.
    pub message: Cow<'static, str>,
}

/// Stable machine codes of violations (serialized in `snake_case`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ViolationCode {
    /// Fewer code points than the policy's minimum (seeds: 12).
    TooShort,
    /// More code points than the policy's maximum; refused, never truncated.
    TooLong,
    /// The same as the username (seeds' rule), case-insensitively.
    SameAsUsername,
    /// The same as the email address, case-insensitively.
    SameAsEmail,
    /// The same as the client ID.
    SameAsClientId,
    /// In the embedded list of common passwords.
    CommonPassword,
    /// One of the words the deployment added to its blocklist.
    Blocklisted,
    /// Seen in data breaches at least [`Policy::breach_threshold`](crate::Policy::breach_threshold)
    /// times (Have I Been Pwned's Pwned Passwords), as given in
    /// [`Context::breach_count`](crate::Context::breach_count).
    Breached,
    /// Legacy rule: no lower-case letter.
    MissingLowercase,
    /// Legacy rule: no upper-case letter.
    MissingUppercase,
    /// Legacy rule: no digit.
    MissingDigit,
    /// Legacy rule: none of the special characters `!@#$%^&*?_~`.
    MissingSpecial,
    /// Legacy rule: contains the username.
    ContainsUsername,
    /// Legacy rule: contains the email address or its local part.
    ContainsEmail,
    /// Legacy rule: contains the client ID.
    ContainsClientId,
    /// The zxcvbn strength estimate is below the policy's minimum (feature `strength`).
    TooWeak,
}

/// Stable machine codes of suggestions (serialized in `snake_case`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum SuggestionCode {
    /// Seeds: "could contain one lower-case letter".
    AddLowercase,
    /// Seeds: "could contain one upper-case letter".
    AddUppercase,
    /// Seeds: "could contain one number".
    AddDigit,
    /// Seeds: "could contain one special character (!@#$%^&*?_~)".
    AddSpecial,
    /// Seeds: "we also recommend using phrases".
    UsePassphrase,
    /// Strength: a keyboard row or pattern was found.
    AvoidKeyboardPatterns,
    /// Strength: repeated characters or words were found.
    AvoidRepeats,
    /// Strength: a sequence like `abc` or `123` was found.
    AvoidSequences,
    /// Strength: a date or a recent year was found.
    AvoidDates,
    /// Strength: a common word, name or a close variant of a common password was found.
    AvoidCommonWords,
    /// Strength: capitals, reversals or `@`-for-`a` substitutions add little.
    AvoidPredictableChanges,
    /// Strength: the estimate is low; more words would help most.
    AddWords,
}

impl SuggestionCode {
    /// The plain-English advice for this code.
    #[must_use]
    pub const fn message(self) -> &'static str {
        match self {
            Self::AddLowercase => "Consider adding a lower-case letter.",
            Self::AddUppercase => "Consider adding an upper-case letter.",
            Self::AddDigit => "Consider adding a number.",
            Self::AddSpecial => {
                "Consider adding a special character, one of ! @ # $ % ^ & * ? _ ~."
            }
            Self::UsePassphrase => {
                "Consider a passphrase: a sentence of several words, with playful spelling \
                 that a dictionary would not guess."
            }
            Self::AvoidKeyboardPatterns => "Avoid rows and patterns of neighbouring keys.",
            Self::AvoidRepeats => "Avoid repeated characters and repeated words.",
            Self::AvoidSequences => "Avoid sequences such as abc or 1234.",
            Self::AvoidDates => "Avoid dates and years, especially ones associated with you.",
            Self::AvoidCommonWords => "Avoid common words, names and well-known passwords.",
            Self::AvoidPredictableChanges => {
                "Capitals at the start, reversed words and substitutions such as @ for a are \
                 easy to guess; add unpredictable words or characters instead."
            }
            Self::AddWords => "Add another word or two that are not a common phrase.",
        }
    }
}
