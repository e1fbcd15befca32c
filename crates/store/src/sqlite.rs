//! SQLite, the embedded default: one file on one host.
//!
//! Connections are pooled (r2d2); each is opened with `journal_mode=WAL` (readers
//! never wait for the writer), `synchronous=FULL` (a committed swap survives a
//! power cut, not only a crash) and a `busy_timeout`, so writers queue for the one
//! write lock instead of failing. Each load and swap is one statement in its own
//! transaction: the conditional `UPDATE` is the compare-and-swap, atomic because
//! SQLite runs one writer at a time, across threads and processes alike.
//!
//! Not for a network file system: SQLite's locks are only as good as the file
//! system's, and NFS and SMB do not keep them. Many nodes share PostgreSQL.

use std::path::Path;
use std::time::Duration;

use r2d2_sqlite::SqliteConnectionManager;
use rusqlite::{ErrorCode, OptionalExtension, TransactionBehavior, params};

use countersign::Account;
use countersign::security_codes::Client;

use crate::error::{Error, Record, Result, to_sql_id};
use crate::row::{AccountColumns, ClientColumns, ExportLine};
use crate::schema::{self, stored_schema, table_of};
use crate::store::{Store, account_row, check_advanced, client_row};

const BACKEND: &str = "sqlite";

/// How long a writer waits for the write lock before the store says
/// [`Error::Unavailable`].
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

const ACCOUNT_COLUMNS: &str =
    "contact_id, client_id, login, is_primary, version, state, updated_at";

/// Accounts in one SQLite file. See the [module docs](self).
///
/// # Examples
///
/// ```
/// use countersign_store::{SqliteStore, Store};
///
/// let dir = tempfile::tempdir()?;
/// let store = SqliteStore::open(dir.path().join("countersign.db"))?;
/// assert_eq!(store.schema_version()?, countersign_store::SCHEMA_VERSION);
/// assert!(store.find_login("joe.example")?.is_none());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct SqliteStore {
    pool: r2d2::Pool<SqliteConnectionManager>,
}

impl core::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SqliteStore").finish_non_exhaustive()
    }
}

impl SqliteStore {
    /// Opens (creating it if needed) the database file at `path`, and migrates it.
    ///
    /// # Errors
    ///
    /// [`Error::SchemaTooNew`]; [`Error::Unavailable`] when the file cannot be
    /// opened or stays locked; [`Error::Database`].
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        Self::open_with(path, 8)
    }

    /// As [`SqliteStore::open`], with at most `connections` pooled connections.
    ///
    /// # Errors
    ///
    /// As [`SqliteStore::open`].
    pub fn open_with(path: impl AsRef<Path>, connections: u32) -> Result<Self> {
        let timeout_ms = BUSY_TIMEOUT.as_millis();
        let manager = SqliteConnectionManager::file(path.as_ref()).with_init(move |c| {
            // The busy timeout first: switching to WAL takes a lock too.
            c.execute_batch(&format!(
                "PRAGMA busy_timeout = {timeout_ms};
                 PRAGMA journal_mode = WAL;
                 PRAGMA synchronous = FULL;"
            ))
        });
        let pool = r2d2::Pool::builder()
            .max_size(connections.max(1))
            .min_idle(Some(1))
            .connection_timeout(BUSY_TIMEOUT)
            // No validation query on every checkout: it would cost a round
            // trip per load and per swap. A connection the server dropped fails
            // its next use with a typed error and is then discarded by the pool.
            .test_on_check_out(false)
            .build(manager)
            .map_err(|e| Error::Unavailable {
                backend: BACKEND,
                message: e.to_string(),
            })?;
        let store = Self { pool };
        store.migrate()?;
        Ok(store)
    }

    fn connection(&self) -> Result<r2d2::PooledConnection<SqliteConnectionManager>> {
        self.pool.get().map_err(|e| Error::Unavailable {
            backend: BACKEND,
            message: e.to_string(),
        })
    }

    fn migrate(&self) -> Result<()> {
        let mut connection = self.connection()?;
        let tx = connection
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(db)?;
        tx.execute_batch(
            "CREATE TABLE IF NOT EXISTS countersign_schema (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                version INTEGER NOT NULL
            ) STRICT;
            INSERT OR IGNORE INTO countersign_schema (id, version) VALUES (1, 0);",
        )
        .map_err(db)?;
        let found: i64 = tx
            .query_row(
                "SELECT version FROM countersign_schema WHERE id = 1",
                [],
                |r| r.get(0),
            )
            .map_err(db)?;
        let found = stored_schema(found)?;
        for (version, migration) in (1_i64..).zip(schema::SQLITE).skip(found as usize) {
            tx.execute_batch(migration).map_err(db)?;
            tx.execute(
                "UPDATE countersign_schema SET version = ?1 WHERE id = 1",
                [version],
            )
            .map_err(db)?;
        }
        tx.commit().map_err(db)
    }
}

/// A driver error, sorted: a unique constraint is [`Error::Taken`], a locked or
/// unopenable file [`Error::Unavailable`].
#[allow(clippy::needless_pass_by_value)] // the shape `map_err` hands it
fn db(error: rusqlite::Error) -> Error {
    match &error {
        rusqlite::Error::SqliteFailure(e, message) => match e.code {
            ErrorCode::ConstraintViolation => Error::Taken {
                what: schema::taken(message.as_deref().unwrap_or_default()),
            },
            ErrorCode::DatabaseBusy
            | ErrorCode::DatabaseLocked
            | ErrorCode::CannotOpen
            | ErrorCode::NotADatabase
            | ErrorCode::ReadOnly
            | ErrorCode::DiskFull
            | ErrorCode::SystemIoFailure => Error::Unavailable {
                backend: BACKEND,
                message: error.to_string(),
            },
            _ => Error::Database {
                backend: BACKEND,
                message: error.to_string(),
            },
        },
        _ => Error::Database {
            backend: BACKEND,
            message: error.to_string(),
        },
    }
}

fn account_columns(r: &rusqlite::Row<'_>) -> rusqlite::Result<AccountColumns> {
    Ok(AccountColumns {
        contact_id: r.get(0)?,
        client_id: r.get(1)?,
        login: r.get(2)?,
        primary: r.get(3)?,
        version: r.get(4)?,
        state: r.get(5)?,
        updated_at: r.get(6)?,
    })
}

fn client_columns(r: &rusqlite::Row<'_>) -> rusqlite::Result<ClientColumns> {
    Ok(ClientColumns {
        client_id: r.get(0)?,
        version: r.get(1)?,
        state: r.get(2)?,
        updated_at: r.get(3)?,
    })
}

fn insert_account(c: &rusqlite::Connection, row: &crate::row::AccountRow) -> Result<()> {
    let v = row.sql()?;
    c.execute(
        &format!("INSERT INTO countersign_accounts ({ACCOUNT_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"),
        params![v.contact_id, v.client_id, v.login, v.primary, v.version, v.state, v.updated_at],
    )
    .map_err(db)?;
    Ok(())
}

fn insert_client(c: &rusqlite::Connection, row: &crate::row::ClientRow) -> Result<()> {
    let v = row.sql()?;
    c.execute(
        "INSERT INTO countersign_clients (client_id, version, state, updated_at) VALUES (?1, ?2, ?3, ?4)",
        params![v.client_id, v.version, v.state, v.updated_at],
    )
    .map_err(db)?;
    Ok(())
}

impl Store for SqliteStore {
    fn find_login(&self, login: &str) -> Result<Option<u64>> {
        let c = self.connection()?;
        let by_name: Option<i64> = c
            .query_row(
                "SELECT contact_id FROM countersign_accounts WHERE login = ?1",
                [crate::fold_login(login)],
                |r| r.get(0),
            )
            .optional()
            .map_err(db)?;
        let found = match (by_name, login.trim().parse::<u64>()) {
            (Some(id), _) => Some(id),
            (None, Ok(client_id)) => c
                .query_row(
                    "SELECT contact_id FROM countersign_accounts WHERE client_id = ?1 AND is_primary = 1",
                    [to_sql_id(client_id).unwrap_or(-1)],
                    |r| r.get(0),
                )
                .optional()
                .map_err(db)?,
            (None, Err(_)) => None,
        };
        Ok(found.and_then(|id| u64::try_from(id).ok()))
    }

    fn load(&self, contact_id: u64) -> Result<Account> {
        let c = self.connection()?;
        let columns = c
            .query_row(
                &format!(
                    "SELECT {ACCOUNT_COLUMNS} FROM countersign_accounts WHERE contact_id = ?1"
                ),
                [to_sql_id(contact_id)?],
                account_columns,
            )
            .optional()
            .map_err(db)?
            .ok_or(Error::NotFound {
                record: Record::Account,
                id: contact_id,
            })?;
        Ok(columns.decode()?.1)
    }

    fn insert(&self, account: &Account) -> Result<()> {
        insert_account(&*self.connection()?, &account_row(account)?)
    }

    fn swap(&self, read: u64, account: &Account) -> Result<()> {
        check_advanced(read, account.revision())?;
        let row = account_row(account)?;
        let v = row.sql()?;
        let changed = self
            .connection()?
            .execute(
                "UPDATE countersign_accounts
                 SET client_id = ?1, login = ?2, is_primary = ?3, version = ?4, state = ?5, updated_at = ?6
                 WHERE contact_id = ?7 AND version = ?8",
                params![v.client_id, v.login, v.primary, v.version, v.state, v.updated_at, v.contact_id, to_sql_id(read)?],
            )
            .map_err(db)?;
        if changed == 1 {
            Ok(())
        } else {
            Err(Error::Conflict {
                record: Record::Account,
                id: row.contact_id,
            })
        }
    }

    fn version(&self, record: Record, id: u64) -> Result<u64> {
        let (table, key) = table_of(record);
        let version: Option<i64> = self
            .connection()?
            .query_row(
                &format!("SELECT version FROM {table} WHERE {key} = ?1"),
                [to_sql_id(id)?],
                |r| r.get(0),
            )
            .optional()
            .map_err(db)?;
        let version = version.ok_or(Error::NotFound { record, id })?;
        crate::error::from_sql(record, id, "version", version)
    }

    fn load_client(&self, client_id: u64) -> Result<Client> {
        let c = self.connection()?;
        let columns = c
            .query_row(
                "SELECT client_id, version, state, updated_at FROM countersign_clients WHERE client_id = ?1",
                [to_sql_id(client_id)?],
                client_columns,
            )
            .optional()
            .map_err(db)?
            .ok_or(Error::NotFound {
                record: Record::Client,
                id: client_id,
            })?;
        Ok(columns.decode()?.1)
    }

    fn insert_client(&self, client: &Client) -> Result<()> {
        insert_client(&*self.connection()?, &client_row(client)?)
    }

    fn swap_client(&self, read: u64, client: &Client) -> Result<()> {
        check_advanced(read, client.revision())?;
        let row = client_row(client)?;
        let v = row.sql()?;
        let changed = self
            .connection()?
            .execute(
                "UPDATE countersign_clients SET version = ?1, state = ?2, updated_at = ?3
                 WHERE client_id = ?4 AND version = ?5",
                params![
                    v.version,
                    v.state,
                    v.updated_at,
                    v.client_id,
                    to_sql_id(read)?
                ],
            )
            .map_err(db)?;
        if changed == 1 {
            Ok(())
        } else {
            Err(Error::Conflict {
                record: Record::Client,
                id: row.client_id,
            })
        }
    }

    fn contacts(&self, client_id: u64) -> Result<Vec<Account>> {
        let c = self.connection()?;
        let mut statement = c
            .prepare(&format!(
                "SELECT {ACCOUNT_COLUMNS} FROM countersign_accounts WHERE client_id = ?1 ORDER BY contact_id"
            ))
            .map_err(db)?;
        let rows = statement
            .query_map([to_sql_id(client_id)?], account_columns)
            .map_err(db)?;
        rows.map(|r| Ok(r.map_err(db)?.decode()?.1)).collect()
    }

    fn export(&self) -> Result<Vec<ExportLine>> {
        let mut c = self.connection()?;
        // One read transaction: a consistent snapshot of both tables.
        let tx = c.transaction().map_err(db)?;
        let mut lines = Vec::new();
        {
            let mut statement = tx
                .prepare(&format!(
                    "SELECT {ACCOUNT_COLUMNS} FROM countersign_accounts ORDER BY contact_id"
                ))
                .map_err(db)?;
            for r in statement.query_map([], account_columns).map_err(db)? {
                lines.push(ExportLine::Account(r.map_err(db)?.decode()?.0));
            }
            let mut statement = tx
                .prepare("SELECT client_id, version, state, updated_at FROM countersign_clients ORDER BY client_id")
                .map_err(db)?;
            for r in statement.query_map([], client_columns).map_err(db)? {
                lines.push(ExportLine::Client(r.map_err(db)?.decode()?.0));
            }
        }
        tx.finish().map_err(db)?;
        Ok(lines)
    }

    fn import(&self, lines: &[ExportLine]) -> Result<()> {
        let mut c = self.connection()?;
        let tx = c
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(db)?;
        for line in lines {
            match line {
                ExportLine::Account(row) => insert_account(&tx, row)?,
                ExportLine::Client(row) => insert_client(&tx, row)?,
            }
        }
        tx.commit().map_err(db)
    }

    fn schema_version(&self) -> Result<u32> {
        let found: i64 = self
            .connection()?
            .query_row(
                "SELECT version FROM countersign_schema WHERE id = 1",
                [],
                |r| r.get(0),
            )
            .map_err(db)?;
        stored_schema(found)
    }
}
