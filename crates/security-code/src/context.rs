//! What the caller knows about the contact choosing a code, and "today".

use core::fmt;

use zeroize::Zeroize;

use crate::date::Date;
use crate::profile::Needles;

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
    pub(crate) date_of_birth: Option<Date>,
    /// The profile, normalized once into what `check` searches for.
    pub(crate) needles: Needles,
    /// Which fields were given, for `Debug`.
    given: [bool; 6],
}

/// Indices into `Context::given`.
const NAME: usize = 0;
const USERNAME: usize = 1;
const EMAIL: usize = 2;
const CLIENT_ID: usize = 3;
const PHONE: usize = 4;
const SSN: usize = 5;

impl Context {
    /// An empty profile; `today` bounds the date rules (dates 1900..=today).
    #[must_use]
    pub fn new(today: Date) -> Self {
        Self {
            today,
            date_of_birth: None,
            needles: Needles::default(),
            given: [false; 6],
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
    pub fn name(self, name: impl Into<String>) -> Self {
        self.add(NAME, name, Needles::add_name)
    }

    /// Add the contact's username.
    #[must_use]
    pub fn username(self, username: impl Into<String>) -> Self {
        self.add(USERNAME, username, Needles::add_username)
    }

    /// Add an email address; its local part is refused in the code.
    #[must_use]
    pub fn email(self, email: impl Into<String>) -> Self {
        self.add(EMAIL, email, Needles::add_email)
    }

    /// Add the client ID (the seeds' "Client ID: 1707").
    #[must_use]
    pub fn client_id(self, client_id: impl Into<String>) -> Self {
        self.add(CLIENT_ID, client_id, Needles::add_client_id)
    }

    /// Add a phone number on the account; seven or more consecutive digits of it are refused.
    #[must_use]
    pub fn phone(self, phone: impl Into<String>) -> Self {
        self.add(PHONE, phone, Needles::add_phone)
    }

    /// Set the date of birth; every written form of it is refused, and six-digit
    /// date shapes are then no longer warned about.
    #[must_use]
    pub fn date_of_birth(mut self, date: Date) -> Self {
        self.date_of_birth = Some(date);
        self.needles.set_birth_date(date);
        self
    }

    /// Set the Social Security number; the full number, its first five and its last
    /// four digits (and those reversed) are refused.
    #[must_use]
    pub fn ssn(self, ssn: impl Into<String>) -> Self {
        self.add(SSN, ssn, Needles::set_ssn)
    }
}

impl Context {
    /// Normalize `value` into the needles, then wipe the caller's copy.
    fn add(mut self, field: usize, value: impl Into<String>, add: fn(&mut Needles, &str)) -> Self {
        let mut value = value.into();
        add(&mut self.needles, &value);
        value.zeroize();
        if let Some(given) = self.given.get_mut(field) {
            *given = true;
        }
        self
    }
}

impl fmt::Debug for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Context")
            .field("today", &self.today)
            .field("name", &self.given[NAME])
            .field("username", &self.given[USERNAME])
            .field("email", &self.given[EMAIL])
            .field("client_id", &self.given[CLIENT_ID])
            .field("phone", &self.given[PHONE])
            .field("date_of_birth", &self.date_of_birth.is_some())
            .field("ssn", &self.given[SSN])
            .finish()
    }
}
