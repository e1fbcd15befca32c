//! What the service knows about the account, so a password can be compared with it.

/// The account's own identifiers. A password equal to any of them (after normalization,
/// case-insensitively) is refused: the seeds' rule "must not be the same as the
/// username", extended by NIST SP 800-63B §3.1.1.2 to context-specific words.
///
/// ```
/// use countersign_password::Context;
///
/// let context = Context::new("joe").email("joe@example.com").client_id("10042");
/// assert_eq!(context.username_value(), "joe");
/// assert_eq!(context.email_value(), Some("joe@example.com"));
/// assert_eq!(context.client_id_value(), Some("10042"));
///
/// let bare = Context::new("joe");
/// assert_eq!((bare.email_value(), bare.client_id_value()), (None, None));
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Context<'a> {
    username: &'a str,
    email: Option<&'a str>,
    client_id: Option<&'a str>,
    breach_count: Option<u64>,
}

/// Which identifier a password was compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Field {
    Username,
    Email,
    ClientId,
}

impl<'a> Context<'a> {
    /// The context of the account called `username`.
    #[must_use]
    pub const fn new(username: &'a str) -> Self {
        Self {
            username,
            email: None,
            client_id: None,
            breach_count: None,
        }
    }

    /// Add the account's email address.
    #[must_use]
    pub const fn email(mut self, email: &'a str) -> Self {
        self.email = Some(email);
        self
    }

    /// Add the account's client ID (the portal lets clients log in with it).
    #[must_use]
    pub const fn client_id(mut self, client_id: &'a str) -> Self {
        self.client_id = Some(client_id);
        self
    }

    /// Add how many times the password was seen in breaches, as the service learned
    /// it from the Pwned Passwords range API or a local file
    /// ([`BreachHash`](crate::BreachHash), [`HashFile`](crate::HashFile)). The policy
    /// refuses a count of at least [`Policy::breach_threshold`](crate::Policy::breach_threshold);
    /// without a count, the breach rule is not applied (`check` itself does no I/O).
    ///
    /// ```
    /// use countersign_password::{Context, Policy, ViolationCode};
    ///
    /// let seen = Context::new("joe").breach_count(3);
    /// let report = Policy::portal().check("Y? Cuz I reelee lik mi prYvacee", &seen);
    /// assert!(report.has(ViolationCode::Breached));
    /// ```
    #[must_use]
    pub const fn breach_count(mut self, count: u64) -> Self {
        self.breach_count = Some(count);
        self
    }

    /// The username.
    #[must_use]
    pub const fn username_value(&self) -> &'a str {
        self.username
    }

    /// The email address, if given.
    #[must_use]
    pub const fn email_value(&self) -> Option<&'a str> {
        self.email
    }

    /// The client ID, if given.
    #[must_use]
    pub const fn client_id_value(&self) -> Option<&'a str> {
        self.client_id
    }

    /// The breach count, if given.
    ///
    /// ```
    /// use countersign_password::Context;
    ///
    /// assert_eq!(Context::new("joe").breach_count_value(), None);
    /// assert_eq!(Context::new("joe").breach_count(2).breach_count_value(), Some(2));
    /// ```
    #[must_use]
    pub const fn breach_count_value(&self) -> Option<u64> {
        self.breach_count
    }

    /// Every non-empty identifier with its field.
    pub(crate) fn fields(&self) -> impl Iterator<Item = (Field, &'a str)> {
        [
            (Field::Username, Some(self.username)),
            (Field::Email, self.email),
            (Field::ClientId, self.client_id),
        ]
        .into_iter()
        .filter_map(|(field, value)| value.filter(|v| !v.trim().is_empty()).map(|v| (field, v)))
    }

    /// The words to use with zxcvbn and the "must not contain" rule: each identifier,
    /// and the local part of the email address.
    pub(crate) fn words(&self) -> impl Iterator<Item = (Field, &'a str)> {
        let local = self
            .email
            .and_then(|email| email.rsplit_once('@'))
            .map(|(local, _)| (Field::Email, local))
            .filter(|(_, local)| !local.trim().is_empty());
        self.fields().chain(local)
    }
}
