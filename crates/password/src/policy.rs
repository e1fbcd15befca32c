//! The password policy: the seeds' rules, NIST SP 800-63B and OWASP ASVS, and optional
//! legacy rules; [`Policy::check`] applies it.

use serde::{Deserialize, Serialize};

use crate::blocklist::{Blocklist, is_common};
use crate::context::{Context, Field};
use crate::hash::HashParams;
use crate::normalize::{Normalization, code_points, fold, folded_eq};
use crate::report::{Report, SPECIAL_CHARACTERS, SuggestionCode, ViolationCode};
use crate::{Error, Result};

/// The smallest minimum length a policy accepts: NIST SP 800-63B rev 4 §3.1.1.2
/// requires at least 8 characters even when the password is one of two factors.
pub const LOWEST_MIN_LENGTH: usize = 8;

/// The smallest maximum length a policy accepts: NIST SP 800-63B rev 4 §3.1.1.2 says
/// verifiers SHOULD permit at least 64 characters.
pub const LOWEST_MAX_LENGTH: usize = 64;

/// The largest maximum length a policy accepts, in code points. Without a ceiling a
/// policy file could set `min_length = max_length = u64::MAX`, which no password can
/// ever meet; 4096 is far past any passphrase and keeps every check of a password
/// that long cheap. The minimum is bounded by it too, since it may not exceed the
/// maximum.
pub const HIGHEST_MAX_LENGTH: usize = 4096;

/// The default [`Policy::breach_threshold`]: a password seen in a breach even once is
/// refused. NIST SP 800-63B rev 4 §3.1.1.2 asks verifiers to compare new passwords
/// with "passwords obtained from previous breach corpuses", with no count: once is
/// enough for it to be in the attackers' lists.
pub const DEFAULT_BREACH_THRESHOLD: u64 = 1;

/// Character classes, used as legacy requirements ([`Policy::with_required_classes`]).
/// The seeds only *suggest* them, and NIST SP 800-63B rev 4 §3.1.1.2 says verifiers
/// SHALL NOT impose composition rules, so all are off by default.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CharacterClasses {
    /// At least one lower-case letter.
    pub lowercase: bool,
    /// At least one upper-case letter.
    pub uppercase: bool,
    /// At least one digit.
    pub digit: bool,
    /// At least one of the special characters `!@#$%^&*?_~`.
    pub special: bool,
}

impl CharacterClasses {
    /// Every class.
    pub const ALL: Self = Self {
        lowercase: true,
        uppercase: true,
        digit: true,
        special: true,
    };
}

/// A password policy. Build one from a preset and adjust it, or deserialize one
/// (every field optional, defaults from [`Policy::portal`]):
///
/// ```
/// use countersign_password::{Context, Policy, ViolationCode};
///
/// let policy: Policy = toml::from_str(r#"
///     min_length = 15
///     blocklist = ["vivio", "viviotech portal"]
///     [hashing]
///     memory_kib = 47104
///     iterations = 1
/// "#)?;
/// assert_eq!(policy.min_length(), 15);
///
/// let report = policy.check("Viviotech Portal", &Context::new("joe"));
/// assert!(report.has(ViolationCode::Blocklisted));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "PolicyConfig", into = "PolicyConfig")]
pub struct Policy {
    config: PolicyConfig,
}

/// The serde form of [`Policy`]; [`Policy`] validates it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct PolicyConfig {
    min_length: usize,
    max_length: usize,
    normalization: Normalization,
    common_passwords: bool,
    blocklist: Blocklist,
    required_classes: CharacterClasses,
    forbid_context_substrings: bool,
    min_strength: Option<u8>,
    breach_threshold: u64,
    hashing: HashParams,
}

impl Default for PolicyConfig {
    fn default() -> Self {
        Self {
            min_length: 12,
            max_length: 128,
            normalization: Normalization::Nfc,
            common_passwords: true,
            blocklist: Blocklist::default(),
            required_classes: CharacterClasses::default(),
            forbid_context_substrings: false,
            min_strength: None,
            breach_threshold: DEFAULT_BREACH_THRESHOLD,
            hashing: HashParams::OWASP,
        }
    }
}

impl TryFrom<PolicyConfig> for Policy {
    type Error = Error;

    fn try_from(config: PolicyConfig) -> Result<Self> {
        let invalid = |setting, value: usize, requirement| Error::InvalidPolicy {
            setting,
            value: u64::try_from(value).unwrap_or(u64::MAX),
            requirement,
        };
        if config.min_length < LOWEST_MIN_LENGTH {
            return Err(invalid(
                "min_length",
                config.min_length,
                "NIST SP 800-63B requires at least 8",
            ));
        }
        if config.max_length < LOWEST_MAX_LENGTH {
            return Err(invalid(
                "max_length",
                config.max_length,
                "NIST SP 800-63B asks that at least 64 characters be permitted",
            ));
        }
        if config.max_length > HIGHEST_MAX_LENGTH {
            return Err(invalid(
                "max_length",
                config.max_length,
                "it may be at most 4096 code points",
            ));
        }
        if config.min_length > config.max_length {
            return Err(invalid(
                "min_length",
                config.min_length,
                "it must not exceed max_length",
            ));
        }
        if let Some(score) = config.min_strength {
            if score > 4 {
                return Err(invalid(
                    "min_strength",
                    usize::from(score),
                    "strength scores run from 0 to 4",
                ));
            }
            if !cfg!(feature = "strength") {
                return Err(invalid(
                    "min_strength",
                    usize::from(score),
                    "it needs the crate's `strength` feature",
                ));
            }
        }
        if config.breach_threshold == 0 {
            return Err(Error::InvalidPolicy {
                setting: "breach_threshold",
                value: 0,
                requirement: "it must be at least 1 (0 would refuse every password)",
            });
        }
        // Validate the hashing parameters now, so a bad configuration fails at load time.
        crate::Hasher::new(&Self {
            config: config.clone(),
        })?;
        Ok(Self { config })
    }
}

impl From<Policy> for PolicyConfig {
    fn from(policy: Policy) -> Self {
        policy.config
    }
}

impl Default for Policy {
    fn default() -> Self {
        Self::portal()
    }
}

impl Policy {
    /// The seeds' portal policy (article 003), with NIST SP 800-63B and OWASP ASVS
    /// around it: at least 12 code points after NFC normalization, at most 128 (refused
    /// beyond, never truncated), not the username, email or client ID, not a common
    /// password. Character classes are suggestions. Argon2id with OWASP parameters.
    #[must_use]
    pub fn portal() -> Self {
        Self {
            config: PolicyConfig::default(),
        }
    }

    /// NIST SP 800-63B rev 4 §3.1.1.2 for a password that is the only factor: at least
    /// 15 characters; otherwise as [`Policy::portal`].
    #[must_use]
    pub fn nist_single_factor() -> Self {
        Self {
            config: PolicyConfig {
                min_length: 15,
                ..PolicyConfig::default()
            },
        }
    }

    fn with(config: PolicyConfig) -> Result<Self> {
        Self::try_from(config)
    }

    /// The same policy with another minimum length, in code points.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidPolicy`] when `min_length` is below 8 or above the maximum.
    pub fn with_min_length(self, min_length: usize) -> Result<Self> {
        Self::with(PolicyConfig {
            min_length,
            ..self.config
        })
    }

    /// The same policy with another maximum length, in code points.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidPolicy`] when `max_length` is below 64, above
    /// [`HIGHEST_MAX_LENGTH`] or below the minimum.
    pub fn with_max_length(self, max_length: usize) -> Result<Self> {
        Self::with(PolicyConfig {
            max_length,
            ..self.config
        })
    }

    /// The same policy with another normalization form.
    #[must_use]
    pub fn with_normalization(mut self, normalization: Normalization) -> Self {
        self.config.normalization = normalization;
        self
    }

    /// The same policy with the embedded common-password list switched on or off.
    #[must_use]
    pub fn with_common_passwords(mut self, enabled: bool) -> Self {
        self.config.common_passwords = enabled;
        self
    }

    /// The same policy with the deployment's own blocklist words.
    #[must_use]
    pub fn with_blocklist(mut self, blocklist: Blocklist) -> Self {
        self.config.blocklist = blocklist;
        self
    }

    /// The same policy with character classes as requirements (legacy compliance).
    #[must_use]
    pub fn with_required_classes(mut self, classes: CharacterClasses) -> Self {
        self.config.required_classes = classes;
        self
    }

    /// The same policy refusing passwords that *contain* the username, the email
    /// address (or its local part) or the client ID (legacy compliance). Identifiers
    /// shorter than 3 code points are ignored by this rule.
    #[must_use]
    pub fn with_forbidden_context_substrings(mut self, enabled: bool) -> Self {
        self.config.forbid_context_substrings = enabled;
        self
    }

    /// The same policy requiring a zxcvbn score of at least `score` (0 to 4).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidPolicy`] when `score` is above 4, or when the crate was built
    /// without the `strength` feature.
    pub fn with_min_strength(self, score: u8) -> Result<Self> {
        Self::with(PolicyConfig {
            min_strength: Some(score),
            ..self.config
        })
    }

    /// The same policy refusing a password seen in breaches at least `threshold` times
    /// (by default [`DEFAULT_BREACH_THRESHOLD`], once). The count comes in through
    /// [`Context::breach_count`]; see [`crate::BreachHash`] for how to get it.
    ///
    /// ```
    /// use countersign_password::{Context, Policy, ViolationCode};
    ///
    /// let policy = Policy::portal().with_breach_threshold(10)?;
    /// let password = "Y? Cuz I reelee lik mi prYvacee";
    /// assert!(policy.check(password, &Context::new("joe").breach_count(9)).passed());
    /// assert!(policy.check(password, &Context::new("joe").breach_count(10)).has(ViolationCode::Breached));
    /// # Ok::<(), countersign_password::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidPolicy`] when `threshold` is 0.
    pub fn with_breach_threshold(self, threshold: u64) -> Result<Self> {
        Self::with(PolicyConfig {
            breach_threshold: threshold,
            ..self.config
        })
    }

    /// The same policy with other hashing parameters.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidHashParams`] when the parameters are invalid.
    pub fn with_hashing(self, hashing: HashParams) -> Result<Self> {
        Self::with(PolicyConfig {
            hashing,
            ..self.config
        })
    }

    /// The minimum length in code points.
    #[must_use]
    pub const fn min_length(&self) -> usize {
        self.config.min_length
    }

    /// The maximum length in code points.
    #[must_use]
    pub const fn max_length(&self) -> usize {
        self.config.max_length
    }

    /// The normalization form.
    #[must_use]
    pub const fn normalization(&self) -> Normalization {
        self.config.normalization
    }

    /// How many breaches make a password refused (at least 1).
    ///
    /// ```
    /// use countersign_password::{DEFAULT_BREACH_THRESHOLD, Policy};
    ///
    /// assert_eq!(Policy::portal().breach_threshold(), DEFAULT_BREACH_THRESHOLD);
    /// assert_eq!(DEFAULT_BREACH_THRESHOLD, 1);
    /// ```
    #[must_use]
    pub const fn breach_threshold(&self) -> u64 {
        self.config.breach_threshold
    }

    /// The hashing parameters.
    #[must_use]
    pub const fn hashing(&self) -> &HashParams {
        &self.config.hashing
    }

    /// The deployment's own blocklist.
    #[must_use]
    pub const fn blocklist(&self) -> &Blocklist {
        &self.config.blocklist
    }

    /// The required character classes.
    #[must_use]
    pub const fn required_classes(&self) -> CharacterClasses {
        self.config.required_classes
    }

    /// Check `password` against the policy: every violation and every suggestion.
    /// Never panics, whatever the input (empty, megabytes, control characters, lone
    /// combining marks, bidirectional marks).
    ///
    /// ```
    /// use countersign_password::{Context, Policy, SuggestionCode, ViolationCode};
    ///
    /// let policy = Policy::portal();
    /// let joe = Context::new("joe.example").email("joe@example.com");
    ///
    /// let report = policy.check("Joe.Example", &joe);
    /// assert!(report.has(ViolationCode::TooShort));
    /// assert!(report.has(ViolationCode::SameAsUsername));
    ///
    /// let report = policy.check("Y? Cuz I reelee lik mi prYvacee", &joe);
    /// assert!(report.passed());
    /// assert!(report.suggests(SuggestionCode::AddDigit));
    /// ```
    #[must_use]
    pub fn check(&self, password: &str, context: &Context<'_>) -> Report {
        let config = &self.config;
        let normalized = config.normalization.apply(password);
        let password: &str = &normalized;
        let mut report = Report::default();

        // Seeds 003: "Password must contain 12 characters or more". NIST SP 800-63B
        // §3.1.1.2: count code points after normalization; refuse, never truncate, past
        // the maximum.
        let length = code_points(password);
        if length < config.min_length {
            report.violation(
                ViolationCode::TooShort,
                format!(
                    "Use at least {} characters; this password has {length}.",
                    config.min_length
                ),
            );
        }
        let too_long = length > config.max_length;
        if too_long {
            report.violation(
                ViolationCode::TooLong,
                format!(
                    "Use at most {} characters; this password has {length}. Longer passwords \
                     are refused, never cut short.",
                    config.max_length
                ),
            );
        }

        // Seeds 003: "Password must not be the same as the username"; NIST SP 800-63B
        // §3.1.1.2: nor other context-specific words.
        for (field, value) in context.fields() {
            if folded_eq(password, value) {
                let (code, message) = match field {
                    Field::Username => (
                        ViolationCode::SameAsUsername,
                        "The password must not be the same as the username.",
                    ),
                    Field::Email => (
                        ViolationCode::SameAsEmail,
                        "The password must not be the same as the email address.",
                    ),
                    Field::ClientId => (
                        ViolationCode::SameAsClientId,
                        "The password must not be the same as the client ID.",
                    ),
                };
                report.violation(code, message);
            }
        }

        // NIST SP 800-63B §3.1.1.2: compare against commonly used passwords. A password
        // already refused as too long cannot be a (shorter) list entry worth reporting.
        if !too_long {
            if config.common_passwords && is_common(password) {
                report.violation(
                    ViolationCode::CommonPassword,
                    "This is one of the most commonly used passwords; attackers try it first. \
                     Choose something less predictable.",
                );
            }
            if config.blocklist.contains(password) {
                report.violation(
                    ViolationCode::Blocklisted,
                    "This password is on this service's list of forbidden passwords.",
                );
            }
        }

        // NIST SP 800-63B §3.1.1.2: nor a password from a breach corpus. The count was
        // looked up by the caller (this check does no I/O).
        if let Some(seen) = context.breach_count_value()
            && seen >= config.breach_threshold
        {
            report.violation(
                ViolationCode::Breached,
                format!(
                    "This password has appeared in data breaches {seen} {times}, so attackers \
                     try it early. Choose one you have never used anywhere else.",
                    times = if seen == 1 { "time" } else { "times" },
                ),
            );
        }

        let classes = Classes::of(password);
        let required = config.required_classes;
        let class_rules = [
            (
                classes.lowercase,
                required.lowercase,
                ViolationCode::MissingLowercase,
                "Include at least one lower-case letter.",
                SuggestionCode::AddLowercase,
            ),
            (
                classes.uppercase,
                required.uppercase,
                ViolationCode::MissingUppercase,
                "Include at least one upper-case letter.",
                SuggestionCode::AddUppercase,
            ),
            (
                classes.digit,
                required.digit,
                ViolationCode::MissingDigit,
                "Include at least one number.",
                SuggestionCode::AddDigit,
            ),
            (
                classes.special,
                required.special,
                ViolationCode::MissingSpecial,
                "Include at least one special character: ! @ # $ % ^ & * ? _ ~.",
                SuggestionCode::AddSpecial,
            ),
        ];
        for (present, is_required, code, message, suggestion) in class_rules {
            if present {
                continue;
            }
            if is_required {
                report.violation(code, message);
            } else {
                report.suggestion(suggestion);
            }
        }

        if config.forbid_context_substrings {
            check_context_substrings(password, context, &mut report);
        }

        // Seeds 003: "We also recommend using phrases".
        if password.split_whitespace().take(3).count() < 3 {
            report.suggestion(SuggestionCode::UsePassphrase);
        }

        #[cfg(feature = "strength")]
        if report.violations.is_empty() {
            crate::strength::assess(password, context, config.min_strength, &mut report);
        }

        report
    }
}

/// The legacy "must not contain" rule over the context's identifiers.
fn check_context_substrings(password: &str, context: &Context<'_>, report: &mut Report) {
    let folded_password = fold(password);
    for (field, word) in context.words() {
        let word = fold(word.trim());
        if code_points(&word) < 3 || !folded_password.contains(&word) {
            continue;
        }
        let (code, message) = match field {
            Field::Username => (
                ViolationCode::ContainsUsername,
                "The password must not contain the username.",
            ),
            Field::Email => (
                ViolationCode::ContainsEmail,
                "The password must not contain the email address or its name part.",
            ),
            Field::ClientId => (
                ViolationCode::ContainsClientId,
                "The password must not contain the client ID.",
            ),
        };
        // The email gives two words (the address and its name part): one violation.
        if !report.has(code) {
            report.violation(code, message);
        }
    }
}

/// Which of the seeds' character classes a password has.
struct Classes {
    lowercase: bool,
    uppercase: bool,
    digit: bool,
    special: bool,
}

impl Classes {
    fn of(password: &str) -> Self {
        let mut classes = Self {
            lowercase: false,
            uppercase: false,
            digit: false,
            special: false,
        };
        for c in password.chars() {
            classes.lowercase |= c.is_lowercase();
            classes.uppercase |= c.is_uppercase();
            classes.digit |= c.is_numeric();
            classes.special |= SPECIAL_CHARACTERS.contains(c);
        }
        classes
    }
}
