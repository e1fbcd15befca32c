//! Refusing breached passwords: every new password (create account, change, reset)
//! looked up in Have I Been Pwned's Pwned Passwords by k-anonymity, through a
//! checker the service plugs in.
//!
//! The facade does no I/O, so the service supplies the one request: a
//! [`BreachCheck`] is handed a 5-hex-digit [`RangePrefix`] and answers with the body
//! of `GET https://api.pwnedpasswords.com/range/{prefix}` (send `Add-Padding: true`).
//! The password, and all of its SHA-1 but those 5 digits, never reach the checker, so
//! no checker can leak them. The facade finds the count in the answer in constant
//! time ([`BreachHash::count_in_range`]) and the policy refuses a password seen at
//! least [`Policy::breach_threshold`](crate::password::Policy::breach_threshold)
//! times (once by default) with the violation
//! [`Breached`](crate::password::ViolationCode::Breached).
//!
//! The lookup runs only for a password that passes every other rule: a password the
//! policy already refuses costs no request.
//!
//! **When the checker fails** (the network is down, the service answers 503), the
//! facade fails closed: [`Error::BreachCheckFailed`], and the password is not set, so
//! the person can try again in a moment. A deployment that prefers availability makes
//! its checker fail open itself, answering an empty body (a count of 0) after logging
//! the outage, where it has its own logs and metrics; see the example.
//!
//! A checker in ten lines over the service's HTTP client, failing open. With
//! `reqwest::blocking`, `http_get` would be `Ok(client.get(url).header("Add-Padding",
//! "true").send()?.error_for_status()?.bytes()?.to_vec())`; checking the status
//! matters, so that an error page is not read as a range. The facade is synchronous:
//! an async service calls its flows from `spawn_blocking`, or answers from a
//! [`HashFile`].
//!
//! ```
//! use countersign::breach::{BreachCheck, CheckError};
//! use countersign::password::RangePrefix;
//! # use countersign::{Portal, ServerKey, Settings};
//! # fn http_get(url: &str) -> Result<Vec<u8>, CheckError> {
//! #     assert!(url.starts_with("https://api.pwnedpasswords.com/range/"));
//! #     Err("connection refused".into())
//! # }
//!
//! struct PwnedPasswords;
//!
//! impl BreachCheck for PwnedPasswords {
//!     fn range(&self, prefix: RangePrefix) -> Result<Vec<u8>, CheckError> {
//!         http_get(&prefix.url()).or_else(|error| {
//!             eprintln!("Pwned Passwords unreachable, password accepted unchecked: {error}");
//!             Ok(Vec::new())
//!         })
//!     }
//! }
//!
//! let portal = Portal::new(ServerKey::generate(), Settings::default())?
//!     .with_breach_check(PwnedPasswords);
//! // Unreachable, and failing open: the count is 0.
//! assert_eq!(portal.breach_count("password")?, Some(0));
//! # Ok::<(), countersign::Error>(())
//! ```
//!
//! And one over a local copy of the corpus (offline deployments), with
//! [`HashFile`]: the service opens the file, the crates never do. Open it with
//! [`HashFile::open_verified`]: the search trusts the file's order, and an unsorted
//! region it does not look at would silently answer 0.
//!
//! ```
//! use std::io::Cursor;
//! use std::sync::Mutex;
//! use countersign::breach::{BreachCheck, CheckError};
//! use countersign::password::{HashFile, RangePrefix};
//! use countersign::{Error, Portal, ServerKey, Settings, Profile};
//!
//! struct Offline<R>(Mutex<HashFile<R>>);
//!
//! impl<R: std::io::Read + std::io::Seek + Send> BreachCheck for Offline<R> {
//!     fn range(&self, prefix: RangePrefix) -> Result<Vec<u8>, CheckError> {
//!         let mut file = self.0.lock().map_err(|_| "the hash file's lock is poisoned")?;
//!         Ok(file.range(prefix)?)
//!     }
//! }
//!
//! // In a deployment, once at start-up (it reads the whole file, about a minute for
//! // the full corpus, and refuses one that is malformed or unsorted):
//! // HashFile::open_verified(BufReader::new(File::open("pwned-passwords-sha1.txt")?))
//! // The SHA-1 of "Y? Cuz I reelee lik mi prYvacee", seen twice:
//! let corpus = "47F3A5090CBA6ED2E15EBB817DEB3641F481C2D8:2\r\n";
//! let file = HashFile::open_verified(Cursor::new(corpus))?;
//! let portal = Portal::new(ServerKey::generate(), Settings::default())?
//!     .with_breach_check(Offline(Mutex::new(file)));
//! let profile = Profile {
//!     contact_id: 3522,
//!     client_id: 1707,
//!     name: "Joe Example".into(),
//!     username: "joe.example".into(),
//!     email: "joe@example.com".into(),
//!     cell_phone: None,
//!     primary: true,
//! };
//! let refused = portal
//!     .create_account(profile, "Y? Cuz I reelee lik mi prYvacee", &mut rand::rng())
//!     .unwrap_err();
//! assert!(matches!(refused, Error::PasswordRejected { .. }));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use core::fmt;

use crate::password::{BreachHash, Context, Report};
pub use crate::password::{HashFile, RangePrefix};
use crate::portal::Portal;
use crate::{Error, Result};

/// What a [`BreachCheck`] may fail with: any error, for the message of
/// [`Error::BreachCheckFailed`] (so `?` works on an HTTP client's errors).
pub type CheckError = Box<dyn std::error::Error + Send + Sync>;

/// Looks up a range of Pwned Passwords: the service's HTTP client, or a local file.
///
/// Implement [`BreachCheck::range`]; a closure of the same shape is a checker too.
/// `Send + Sync` because a [`Portal`] is shared between request handlers.
///
/// ```
/// use countersign::breach::CheckError;
/// use countersign::password::RangePrefix;
/// use countersign::{Portal, ServerKey, Settings};
///
/// // A closure: the service's client would fetch `prefix.url()` here.
/// let portal = Portal::new(ServerKey::generate(), Settings::default())?
///     .with_breach_check(|prefix: RangePrefix| -> Result<Vec<u8>, CheckError> {
///         assert_eq!(prefix.as_str().len(), 5);
///         Ok(b"0018A45C4D1DEF81644B54AB7F969B88D65:0\r\n".to_vec())
///     });
/// assert!(portal.has_breach_check());
/// # Ok::<(), countersign::Error>(())
/// ```
pub trait BreachCheck: Send + Sync {
    /// The body of the range response for `prefix`: `SUFFIX:COUNT` lines, as
    /// `GET https://api.pwnedpasswords.com/range/{prefix}` answers (ask with the
    /// header `Add-Padding: true`), or as [`HashFile::range`] makes them.
    ///
    /// # Errors
    ///
    /// Any failure to get the range (network, status, file); the facade then refuses
    /// to set the password ([`Error::BreachCheckFailed`]).
    fn range(&self, prefix: RangePrefix) -> core::result::Result<Vec<u8>, CheckError>;
}

impl<F> BreachCheck for F
where
    F: Fn(RangePrefix) -> core::result::Result<Vec<u8>, CheckError> + Send + Sync,
{
    fn range(&self, prefix: RangePrefix) -> core::result::Result<Vec<u8>, CheckError> {
        self(prefix)
    }
}

/// The portal's checker, if any (`Debug` without the service's type).
#[derive(Default)]
pub(crate) struct Checker(Option<Box<dyn BreachCheck>>);

impl fmt::Debug for Checker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_some() {
            "Checker(Some(..))"
        } else {
            "Checker(None)"
        })
    }
}

impl Portal {
    /// The same portal, checking every new password against breaches through
    /// `check` (see the [module](crate::breach) for a checker in ten lines, and what
    /// happens when it fails).
    ///
    /// ```
    /// use countersign::breach::CheckError;
    /// use countersign::password::RangePrefix;
    /// use countersign::{Portal, ServerKey, Settings};
    ///
    /// let portal = Portal::new(ServerKey::generate(), Settings::default())?;
    /// assert!(!portal.has_breach_check());
    /// let portal = portal.with_breach_check(|_: RangePrefix| -> Result<Vec<u8>, CheckError> {
    ///     Ok(Vec::new())
    /// });
    /// assert!(portal.has_breach_check());
    /// # Ok::<(), countersign::Error>(())
    /// ```
    #[must_use]
    pub fn with_breach_check(mut self, check: impl BreachCheck + 'static) -> Self {
        self.breach = Checker(Some(Box::new(check)));
        self
    }

    /// Whether new passwords are checked against breaches (see
    /// [`Portal::with_breach_check`]).
    #[must_use]
    pub fn has_breach_check(&self) -> bool {
        self.breach.0.is_some()
    }

    /// How many times `password` was seen in breaches, through the checker: `None`
    /// without one. Exactly one request per password: for the form the policy
    /// normalizes to (NFC by default), the one stored and compared at login, so that
    /// the number of requests and their prefixes say nothing about how the password
    /// was typed (see [`BreachHash::of_normalized`]).
    ///
    /// ```
    /// use countersign::breach::CheckError;
    /// use countersign::password::RangePrefix;
    /// use countersign::{Error, Portal, ServerKey, Settings};
    ///
    /// let portal = Portal::new(ServerKey::generate(), Settings::default())?;
    /// assert_eq!(portal.breach_count("password")?, None);
    ///
    /// let portal = portal.with_breach_check(|prefix: RangePrefix| -> Result<Vec<u8>, CheckError> {
    ///     assert_eq!(prefix.as_str(), "5BAA6");
    ///     Ok(b"1E4C9B93F3F0682250B6CF8331B7EE68FD8:52256179\r\n".to_vec())
    /// });
    /// assert_eq!(portal.breach_count("password")?, Some(52_256_179));
    ///
    /// let down = Portal::new(ServerKey::generate(), Settings::default())?
    ///     .with_breach_check(|_: RangePrefix| -> Result<Vec<u8>, CheckError> {
    ///         Err("connection refused".into())
    ///     });
    /// assert!(matches!(down.breach_count("password"), Err(Error::BreachCheckFailed { .. })));
    /// # Ok::<(), countersign::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::BreachCheckFailed`] when the checker fails; [`Error::Password`] with
    /// [`MalformedRange`](crate::password::Error::MalformedRange) or
    /// [`RangeTooLarge`](crate::password::Error::RangeTooLarge) when its answer is not
    /// a range response.
    pub fn breach_count(&self, password: &str) -> Result<Option<u64>> {
        let Some(check) = &self.breach.0 else {
            return Ok(None);
        };
        let hash = BreachHash::of_normalized(password, self.settings.password.normalization());
        let body = check
            .range(hash.prefix())
            .map_err(|error| Error::BreachCheckFailed {
                reason: error.to_string(),
            })?;
        Ok(Some(hash.count_in_range(&body)?))
    }

    /// The policy's report on a new password, with the breach count when every
    /// other rule passed and a checker is set.
    pub(crate) fn check_with_breaches(
        &self,
        password: &str,
        context: &Context<'_>,
    ) -> Result<Report> {
        let policy = &self.settings.password;
        let report = policy.check(password, context);
        if !report.passed() {
            return Ok(report);
        }
        match self.breach_count(password)? {
            Some(seen) => Ok(policy.check(password, &context.breach_count(seen))),
            None => Ok(report),
        }
    }
}
