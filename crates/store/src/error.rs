//! The store's one error type.

use core::fmt;

/// `core::result::Result` with the store's [`Error`].
pub type Result<T> = core::result::Result<T, Error>;

/// Which kind of record an error is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Record {
    /// A contact's [`Account`](countersign::Account), keyed by contact id.
    Account,
    /// A [`Client`](countersign::security_codes::Client), keyed by client id.
    Client,
}

impl fmt::Display for Record {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Account => "account",
            Self::Client => "client",
        })
    }
}

/// Everything that can go wrong in the store.
///
/// Nothing here carries a secret: no stored state, no typed code, no database
/// password (a URL's password is never part of a message).
///
/// # Examples
///
/// ```
/// use countersign_store::{Error, Record};
///
/// let err = Error::NotFound { record: Record::Account, id: 3522 };
/// assert_eq!(err.to_string(), "no account 3522 is stored");
/// assert!(err.flow().is_none());
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The flow's own answer (a wrong code, a throttled attempt, ...): whatever it
    /// changed (a failure counted, a try spent) was committed before this returned.
    #[error(transparent)]
    Flow(#[from] countersign::Error),

    /// No record with that id.
    #[error("no {record} {id} is stored")]
    NotFound {
        /// Account or client.
        record: Record,
        /// The contact or client id.
        id: u64,
    },

    /// An insert found the key already taken.
    #[error("that {what} is taken")]
    Taken {
        /// "contact id", "username", "client id" or "primary contact of this client".
        what: &'static str,
    },

    /// A swap found another revision stored than the one read: another node or
    /// thread wrote first. [`StoreExt::update`](crate::StoreExt::update) handles it
    /// by running the step again on the fresh record.
    #[error("the {record} {id} was changed by another writer since it was read")]
    Conflict {
        /// Account or client.
        record: Record,
        /// The contact or client id.
        id: u64,
    },

    /// Every attempt of an update met a conflict. Nothing of the step was kept; try
    /// again later. Says nothing about the secret that was typed.
    #[error("the {record} {id} is busy: {attempts} attempts met another writer; try again")]
    Busy {
        /// Account or client.
        record: Record,
        /// The contact or client id.
        id: u64,
        /// How many times the step ran.
        attempts: u32,
    },

    /// A stored record that does not read: its state does not parse, disagrees with
    /// its own columns, or is of a format this build does not know. Never treated as
    /// an empty or fresh record.
    #[error("the stored {record} {id} is corrupt: {reason}")]
    Corrupt {
        /// Account or client.
        record: Record,
        /// The contact or client id.
        id: u64,
        /// What is wrong with it.
        reason: String,
    },

    /// A record read again during one update had an older revision than one read
    /// before it: something restored an old copy. Refused rather than re-run on.
    #[error("the stored {record} {id} went back from revision {seen} to {found}")]
    WentBackwards {
        /// Account or client.
        record: Record,
        /// The contact or client id.
        id: u64,
        /// The revision read first.
        seen: u64,
        /// The older revision read after it.
        found: u64,
    },

    /// The step asked for something the store cannot write (a changed contact id,
    /// a revision that did not move on).
    #[error("invalid step: {reason}")]
    InvalidStep {
        /// What the step did.
        reason: &'static str,
    },

    /// An id beyond what the database's 64-bit signed integers hold.
    #[error("the id {id} is too large to store (at most 2^63 - 1)")]
    IdOutOfRange {
        /// The id.
        id: u64,
    },

    /// The database was written by a newer Countersign: its schema is of a later
    /// version than this build knows. Upgrade Countersign; nothing was changed.
    #[error(
        "the database has countersign schema version {found}; this build knows up to {supported}"
    )]
    SchemaTooNew {
        /// The stored schema version.
        found: u32,
        /// The newest this build knows.
        supported: u32,
    },

    /// A database URL this build cannot open.
    #[error("invalid database URL: {reason}")]
    InvalidUrl {
        /// What is wrong with it.
        reason: String,
    },

    /// The database could not be reached or is locked (server down, file locked,
    /// no connection within the pool's timeout). The operation may be retried.
    #[error("the {backend} database is unavailable: {message}")]
    Unavailable {
        /// "sqlite" or "postgres".
        backend: &'static str,
        /// What the driver said.
        message: String,
    },

    /// Any other database error.
    #[error("{backend} error: {message}")]
    Database {
        /// "sqlite" or "postgres".
        backend: &'static str,
        /// What the driver said.
        message: String,
    },

    /// A line of an export that cannot be imported.
    #[error("import line {line}: {reason}")]
    Import {
        /// 1-based line number.
        line: usize,
        /// What is wrong with it.
        reason: String,
    },
}

impl Error {
    /// The flow's own answer, when this is one ([`Error::Flow`]).
    #[must_use]
    pub fn flow(&self) -> Option<&countersign::Error> {
        match self {
            Self::Flow(e) => Some(e),
            _ => None,
        }
    }

    /// Whether the database was unreachable or locked, so that trying again later
    /// may succeed.
    ///
    /// # Examples
    ///
    /// ```
    /// use countersign_store::{Error, Record};
    ///
    /// let busy = Error::Busy { record: Record::Account, id: 3522, attempts: 8 };
    /// assert!(busy.is_unavailable());
    /// let down = Error::Unavailable { backend: "postgres", message: "connection refused".into() };
    /// assert!(down.is_unavailable());
    /// // An answer about the record or the database's contents: trying again gives the same.
    /// assert!(!Error::NotFound { record: Record::Account, id: 3522 }.is_unavailable());
    /// assert!(!Error::Taken { what: "username" }.is_unavailable());
    /// let failed = Error::Database { backend: "sqlite", message: "no such table".into() };
    /// assert!(!failed.is_unavailable());
    /// ```
    #[must_use]
    pub fn is_unavailable(&self) -> bool {
        matches!(self, Self::Unavailable { .. } | Self::Busy { .. })
    }
}

/// Converts an id to the database's signed 64-bit integer.
pub(crate) fn to_sql_id(id: u64) -> Result<i64> {
    i64::try_from(id).map_err(|_| Error::IdOutOfRange { id })
}

/// Reads back a signed 64-bit column that holds an id, a revision or a time.
pub(crate) fn from_sql(record: Record, id: u64, column: &'static str, value: i64) -> Result<u64> {
    u64::try_from(value).map_err(|_| Error::Corrupt {
        record,
        id,
        reason: format!("a negative {column}"),
    })
}
