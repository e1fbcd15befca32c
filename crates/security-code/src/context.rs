//! What the caller knows about the contact choosing a code, and "today".

use core::fmt;

use zeroize::Zeroize;

use crate::date::Date;

/// The contact's profile, checked against the code, plus the date `check` takes as
/// today (this crate reads no clock). Every profile field is optional.
///
/// `Debug` shows which fields are set, never their values: a profile is personal data.
///
/// ```
/// use countersign_security_code::{Context, Date};
/// let today = Date::new(2026, 11, 23)?;
/// let ctx = Context::new(today)
///     .name("Joe Example")
///     .email("joe.example@example.com")
///     .phone("555-234-5678")
///     .date_of_birth(Date::new(1985, 4, 12)?);
/// assert!(format!("{ctx:?}").contains("name: true"));
/// # Ok::<(), countersign_security_code::Error>(())
/// ```
#[derive(Clone)]
pub struct Context {
    pub(crate) today: Date,
    pub(crate) names: Vec<String>,
    pub(crate) usernames: Vec<String>,
    pub(crate) emails: Vec<String>,
    pub(crate) client_ids: Vec<String>,
    pub(crate) phones: Vec<String>,
    pub(crate) date_of_birth: Option<Date>,
    pub(crate) ssn: Option<String>,
}

impl Context {
    /// An empty profile; `today` bounds the date rules (dates 1900..=today).
    #[must_use]
    pub fn new(today: Date) -> Self {
        Self {
            today,
            names: Vec::new(),
            usernames: Vec::new(),
            emails: Vec::new(),
            client_ids: Vec::new(),
            phones: Vec::new(),
            date_of_birth: None,
            ssn: None,
        }
    }

    /// The date the rules take as today.
    #[must_use]
    pub fn today(&self) -> Date {
        self.today
    }

    /// Add the contact's name (or another name on the account); each part of three
    /// letters or more is refused in the code.
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.names.push(name.into());
        self
    }

    /// Add the contact's username.
    #[must_use]
    pub fn username(mut self, username: impl Into<String>) -> Self {
        self.usernames.push(username.into());
        self
    }

    /// Add an email address; its local part is refused in the code.
    #[must_use]
    pub fn email(mut self, email: impl Into<String>) -> Self {
        self.emails.push(email.into());
        self
    }

    /// Add the client ID (the seeds' "Client ID: 1707").
    #[must_use]
    pub fn client_id(mut self, client_id: impl Into<String>) -> Self {
        self.client_ids.push(client_id.into());
        self
    }

    /// Add a phone number on the account; seven or more consecutive digits of it are refused.
    #[must_use]
    pub fn phone(mut self, phone: impl Into<String>) -> Self {
        self.phones.push(phone.into());
        self
    }

    /// Set the date of birth; every written form of it is refused, and six-digit
    /// date shapes are then no longer warned about.
    #[must_use]
    pub fn date_of_birth(mut self, date: Date) -> Self {
        self.date_of_birth = Some(date);
        self
    }

    /// Set the Social Security number; the full number, its first five and its last
    /// four digits (and those reversed) are refused.
    #[must_use]
    pub fn ssn(mut self, ssn: impl Into<String>) -> Self {
        self.ssn = Some(ssn.into());
        self
    }
}

impl fmt::Debug for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Context")
            .field("today", &self.today)
            .field("name", &!self.names.is_empty())
            .field("username", &!self.usernames.is_empty())
            .field("email", &!self.emails.is_empty())
            .field("client_id", &!self.client_ids.is_empty())
            .field("phone", &!self.phones.is_empty())
            .field("date_of_birth", &self.date_of_birth.is_some())
            .field("ssn", &self.ssn.is_some())
            .finish()
    }
}

impl Drop for Context {
    fn drop(&mut self) {
        for list in [
            &mut self.names,
            &mut self.usernames,
            &mut self.emails,
            &mut self.client_ids,
            &mut self.phones,
        ] {
            list.zeroize();
        }
        self.ssn.zeroize();
    }
}
