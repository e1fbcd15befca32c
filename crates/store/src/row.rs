//! Rows as the database holds them, and the checks between a row and its state.
//!
//! Both backends store the same two tables; this module turns an [`Account`] or a
//! [`Client`] into its row and back, so that the backends only move rows. Reading
//! a row checks that its columns agree with its state (the contact id, the client,
//! the login, and the `version` column against the state's revision): a row
//! edited by hand, restored from a mismatched backup or corrupted on disk is a
//! typed [`Error::Corrupt`], never a fresh account.
//!
//! The same rows are the lines of an export ([`ExportLine`]), JSON objects whose
//! `state` is the stored text itself, so an export imported and exported again is
//! the same bytes.

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use countersign::Account;
use countersign::security_codes::Client;

use crate::error::{Error, Record, Result};

/// The login name as the accounts table keys it: the username in ASCII lower case,
/// the rule [`Profile::answers_to`](countersign::Profile::answers_to) compares by.
///
/// # Examples
///
/// ```
/// assert_eq!(countersign_store::fold_login("  Joe.Example "), "joe.example");
/// ```
#[must_use]
pub fn fold_login(login: &str) -> String {
    login.trim().to_ascii_lowercase()
}

/// One row of `countersign_accounts`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountRow {
    /// The key: the contact's id.
    pub contact_id: u64,
    /// The client the contact belongs to.
    pub client_id: u64,
    /// [`fold_login`] of the username; unique.
    pub login: String,
    /// Whether the contact is the client's primary contact (one per client), who
    /// may sign in with the client ID.
    pub primary: bool,
    /// The state's revision, compared by every swap.
    pub version: u64,
    /// When the row was last written, unix seconds.
    pub updated_at: u64,
    /// The serde JSON of the [`Account`].
    pub state: String,
}

impl core::fmt::Debug for AccountRow {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("AccountRow")
            .field("contact_id", &self.contact_id)
            .field("client_id", &self.client_id)
            .field("login", &self.login)
            .field("primary", &self.primary)
            .field("version", &self.version)
            .field("updated_at", &self.updated_at)
            .field("state", &"[redacted]")
            .finish()
    }
}

impl AccountRow {
    /// The row that stores `account`, written at `updated_at`.
    ///
    /// # Errors
    ///
    /// [`Error::Database`] if the state does not serialize (it always does).
    pub fn of(account: &Account, updated_at: u64) -> Result<Self> {
        let profile = account.profile();
        Ok(Self {
            contact_id: profile.contact_id,
            client_id: profile.client_id,
            login: fold_login(&profile.username),
            primary: profile.primary,
            version: account.revision(),
            updated_at,
            state: to_json(account)?,
        })
    }

    /// The account this row stores, once its columns and state agree.
    ///
    /// # Errors
    ///
    /// [`Error::Corrupt`] when the state does not parse (or is of an unknown
    /// format version), or disagrees with a column.
    ///
    /// # Examples
    ///
    /// ```
    /// use countersign_store::{AccountRow, Error};
    ///
    /// let row = AccountRow {
    ///     contact_id: 3522, client_id: 1707, login: "joe.example".into(), primary: true,
    ///     version: 1, updated_at: 0, state: "{\"v\":2, \"not\": \"an account\"}".into(),
    /// };
    /// assert!(matches!(row.decode(), Err(Error::Corrupt { id: 3522, .. })));
    /// ```
    pub fn decode(&self) -> Result<Account> {
        let corrupt = |reason: String| Error::Corrupt {
            record: Record::Account,
            id: self.contact_id,
            reason,
        };
        let account: Account =
            serde_json::from_str(&self.state).map_err(|e| corrupt(describe(&e)))?;
        let profile = account.profile();
        if account.revision() != self.version {
            return Err(corrupt(format!(
                "the version column says {} but the state is at revision {}",
                self.version,
                account.revision()
            )));
        }
        if profile.contact_id != self.contact_id
            || profile.client_id != self.client_id
            || profile.primary != self.primary
            || fold_login(&profile.username) != self.login
        {
            return Err(corrupt(
                "the contact id, client, login or primary flag disagrees with the state".into(),
            ));
        }
        Ok(account)
    }
}

/// One row of `countersign_clients`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientRow {
    /// The key: the client id.
    pub client_id: u64,
    /// The state's revision, compared by every swap.
    pub version: u64,
    /// When the row was last written, unix seconds.
    pub updated_at: u64,
    /// The serde JSON of the [`Client`].
    pub state: String,
}

impl core::fmt::Debug for ClientRow {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ClientRow")
            .field("client_id", &self.client_id)
            .field("version", &self.version)
            .field("updated_at", &self.updated_at)
            .field("state", &"[redacted]")
            .finish()
    }
}

impl ClientRow {
    /// The row that stores `client`, written at `updated_at`.
    ///
    /// # Errors
    ///
    /// [`Error::Database`] if the state does not serialize (it always does).
    pub fn of(client: &Client, updated_at: u64) -> Result<Self> {
        Ok(Self {
            client_id: client.client_id(),
            version: client.revision(),
            updated_at,
            state: to_json(client)?,
        })
    }

    /// The client this row stores, once its columns and state agree.
    ///
    /// # Errors
    ///
    /// [`Error::Corrupt`] when the state does not parse or disagrees with a column.
    pub fn decode(&self) -> Result<Client> {
        let corrupt = |reason: String| Error::Corrupt {
            record: Record::Client,
            id: self.client_id,
            reason,
        };
        let client: Client =
            serde_json::from_str(&self.state).map_err(|e| corrupt(describe(&e)))?;
        if client.revision() != self.version {
            return Err(corrupt(format!(
                "the version column says {} but the state is at revision {}",
                self.version,
                client.revision()
            )));
        }
        if client.client_id() != self.client_id {
            return Err(corrupt("the client id disagrees with the state".into()));
        }
        Ok(client)
    }
}

fn to_json(state: &impl Serialize) -> Result<String> {
    serde_json::to_string(state).map_err(|e| Error::Database {
        backend: "serde_json",
        message: e.to_string(),
    })
}

/// Why a state did not parse, without quoting any of it: a stored state holds
/// hashes and sealed secrets, and a parser's message may quote the value it met.
fn describe(error: &serde_json::Error) -> String {
    let message = error.to_string();
    let mut out = String::with_capacity(message.len());
    let mut quoted = false;
    let mut chars = message.chars();
    while let Some(c) = chars.next() {
        if quoted && c == '\\' {
            // An escaped quote inside the value does not end it.
            chars.next();
            continue;
        }
        match (c, quoted) {
            ('"' | '`', false) => {
                quoted = true;
                out.push_str("\"…");
            }
            ('"' | '`', true) => {
                quoted = false;
                out.push('"');
            }
            (_, true) => {}
            (c, false) => out.push(c),
        }
    }
    format!("the state does not read: {out}")
}

/// The first line of an export: what it is, so that another file is refused.
pub const EXPORT_HEADER: &str = r#"{"countersign_export":1}"#;

/// One line of an export (JSON lines, after [`EXPORT_HEADER`]): a row of either
/// table, its `state` the stored JSON text itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExportLine {
    /// A row of `countersign_accounts`.
    Account(AccountRow),
    /// A row of `countersign_clients`.
    Client(ClientRow),
}

#[derive(Serialize)]
#[serde(tag = "record", rename_all = "snake_case")]
enum Line<S> {
    Account {
        contact_id: u64,
        client_id: u64,
        login: String,
        primary: bool,
        version: u64,
        updated_at: u64,
        state: S,
    },
    Client {
        client_id: u64,
        version: u64,
        updated_at: u64,
        state: S,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LineIn {
    record: String,
    contact_id: Option<u64>,
    client_id: u64,
    login: Option<String>,
    primary: Option<bool>,
    version: u64,
    updated_at: u64,
    state: Box<RawValue>,
}

impl ExportLine {
    /// The line as JSON text (no newline).
    ///
    /// # Errors
    ///
    /// [`Error::Corrupt`] when a row's state is not JSON (a row read from the
    /// database always is: it was decoded first).
    pub fn to_json(&self) -> Result<String> {
        let raw = |record, id, state: &str| {
            RawValue::from_string(state.to_owned()).map_err(|e| Error::Corrupt {
                record,
                id,
                reason: describe(&e),
            })
        };
        let line = match self {
            Self::Account(r) => Line::Account {
                contact_id: r.contact_id,
                client_id: r.client_id,
                login: r.login.clone(),
                primary: r.primary,
                version: r.version,
                updated_at: r.updated_at,
                state: raw(Record::Account, r.contact_id, &r.state)?,
            },
            Self::Client(r) => Line::Client {
                client_id: r.client_id,
                version: r.version,
                updated_at: r.updated_at,
                state: raw(Record::Client, r.client_id, &r.state)?,
            },
        };
        to_json(&line)
    }

    /// Reads line `number` (1-based, for the message) of an export, and checks
    /// that its row decodes.
    ///
    /// # Errors
    ///
    /// [`Error::Import`] for anything that is not a line of ours, or whose row
    /// does not decode.
    ///
    /// # Examples
    ///
    /// ```
    /// use countersign_store::ExportLine;
    ///
    /// assert!(ExportLine::parse(2, "{\"record\":\"account\"}").is_err());
    /// assert!(ExportLine::parse(2, "not json").is_err());
    /// ```
    pub fn parse(number: usize, text: &str) -> Result<Self> {
        let import = |reason: String| Error::Import {
            line: number,
            reason,
        };
        // Flat, not the tagged enum: serde buffers an internally tagged enum's
        // fields, and a buffered `RawValue` cannot keep its text.
        let line: LineIn = serde_json::from_str(text).map_err(|e| import(describe(&e)))?;
        let state = line.state.get().to_owned();
        let parsed = match (
            line.record.as_str(),
            line.contact_id,
            line.login,
            line.primary,
        ) {
            ("account", Some(contact_id), Some(login), Some(primary)) => {
                let row = AccountRow {
                    contact_id,
                    client_id: line.client_id,
                    login,
                    primary,
                    version: line.version,
                    updated_at: line.updated_at,
                    state,
                };
                row.decode().map_err(|e| import(e.to_string()))?;
                Self::Account(row)
            }
            ("client", None, None, None) => {
                let row = ClientRow {
                    client_id: line.client_id,
                    version: line.version,
                    updated_at: line.updated_at,
                    state,
                };
                row.decode().map_err(|e| import(e.to_string()))?;
                Self::Client(row)
            }
            _ => {
                return Err(import(
                    "not an account or client line of a countersign export".into(),
                ));
            }
        };
        Ok(parsed)
    }
}

/// A row's columns as the database returns them (64-bit signed integers).
pub(crate) struct AccountColumns {
    pub(crate) contact_id: i64,
    pub(crate) client_id: i64,
    pub(crate) login: String,
    pub(crate) primary: bool,
    pub(crate) version: i64,
    pub(crate) state: String,
    pub(crate) updated_at: i64,
}

impl AccountColumns {
    /// The row, decoded: the account it stores.
    pub(crate) fn decode(self) -> Result<(AccountRow, Account)> {
        let id = u64::try_from(self.contact_id).unwrap_or(0);
        let read = |column, value| crate::error::from_sql(Record::Account, id, column, value);
        let row = AccountRow {
            contact_id: read("contact id", self.contact_id)?,
            client_id: read("client id", self.client_id)?,
            login: self.login,
            primary: self.primary,
            version: read("version", self.version)?,
            updated_at: read("updated_at", self.updated_at)?,
            state: self.state,
        };
        let account = row.decode()?;
        Ok((row, account))
    }
}

/// A client row's columns as the database returns them.
pub(crate) struct ClientColumns {
    pub(crate) client_id: i64,
    pub(crate) version: i64,
    pub(crate) state: String,
    pub(crate) updated_at: i64,
}

impl ClientColumns {
    /// The row, decoded: the client it stores.
    pub(crate) fn decode(self) -> Result<(ClientRow, Client)> {
        let id = u64::try_from(self.client_id).unwrap_or(0);
        let read = |column, value| crate::error::from_sql(Record::Client, id, column, value);
        let row = ClientRow {
            client_id: read("client id", self.client_id)?,
            version: read("version", self.version)?,
            updated_at: read("updated_at", self.updated_at)?,
            state: self.state,
        };
        let client = row.decode()?;
        Ok((row, client))
    }
}

/// An account row's values as the database takes them.
pub(crate) struct SqlAccount<'a> {
    pub(crate) contact_id: i64,
    pub(crate) client_id: i64,
    pub(crate) login: &'a str,
    pub(crate) primary: bool,
    pub(crate) version: i64,
    pub(crate) state: &'a str,
    pub(crate) updated_at: i64,
}

impl AccountRow {
    pub(crate) fn sql(&self) -> Result<SqlAccount<'_>> {
        use crate::error::to_sql_id;
        Ok(SqlAccount {
            contact_id: to_sql_id(self.contact_id)?,
            client_id: to_sql_id(self.client_id)?,
            login: &self.login,
            primary: self.primary,
            version: to_sql_id(self.version)?,
            state: &self.state,
            updated_at: to_sql_id(self.updated_at)?,
        })
    }
}

/// A client row's values as the database takes them.
pub(crate) struct SqlClient<'a> {
    pub(crate) client_id: i64,
    pub(crate) version: i64,
    pub(crate) state: &'a str,
    pub(crate) updated_at: i64,
}

impl ClientRow {
    pub(crate) fn sql(&self) -> Result<SqlClient<'_>> {
        use crate::error::to_sql_id;
        Ok(SqlClient {
            client_id: to_sql_id(self.client_id)?,
            version: to_sql_id(self.version)?,
            state: &self.state,
            updated_at: to_sql_id(self.updated_at)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rows_debug_shows_its_columns_and_never_its_state() {
        // The state holds the password hash and the sealed secrets: a row logged
        // with `{:?}` shows where it is, not what it holds.
        let state = r#"{"v":4,"password_hash":"$argon2id$v=19$secret"}"#.to_owned();
        let account = AccountRow {
            contact_id: 3522,
            client_id: 1707,
            login: "joe.example".into(),
            primary: true,
            version: 7,
            updated_at: 1_763_900_000,
            state: state.clone(),
        };
        assert_eq!(
            format!("{account:?}"),
            "AccountRow { contact_id: 3522, client_id: 1707, login: \"joe.example\", \
             primary: true, version: 7, updated_at: 1763900000, state: \"[redacted]\" }"
        );
        let client = ClientRow {
            client_id: 1707,
            version: 2,
            updated_at: 1_763_900_000,
            state,
        };
        assert_eq!(
            format!("{client:?}"),
            "ClientRow { client_id: 1707, version: 2, updated_at: 1763900000, \
             state: \"[redacted]\" }"
        );
    }

    #[test]
    fn a_quoted_value_with_escaped_quotes_is_hidden_to_its_end() {
        // The parser quotes the value with its quotes and backslashes escaped
        // (`"se\"cret \\\" hash"`): an escaped quote does not end the quotation, an
        // escaped backslash does not escape the quote after it, and the words after
        // the quotation are kept.
        let err = serde_json::from_str::<Account>(
            r#"{"v":2,"revision":1,"profile":"se\"cret \\\" hash"}"#,
        )
        .unwrap_err();
        assert!(err.to_string().contains(r#"se\"cret"#), "{err}");
        assert_eq!(
            describe(&err),
            "the state does not read: invalid type: string \"…\", expected struct Profile \
             at line 1 column 50"
        );
    }

    #[test]
    fn a_parse_error_quotes_nothing_of_the_state() {
        let err =
            serde_json::from_str::<Account>(r#"{"v":2,"revision":1,"profile":"$argon2id$secret"}"#)
                .unwrap_err();
        let described = describe(&err);
        assert!(!described.contains("argon2id"), "{described}");
        assert!(
            described.starts_with("the state does not read"),
            "{described}"
        );
    }
}
