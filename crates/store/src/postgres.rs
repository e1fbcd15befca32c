//! PostgreSQL: one database shared by many stateless nodes.
//!
//! Connections are pooled (r2d2, at most 16 by default). Each load is one
//! `SELECT`, each swap one `UPDATE ... WHERE contact_id = $n AND version = $m`,
//! each in its own transaction at the default isolation, READ COMMITTED, and each
//! one round trip: the parameters' types are given, so no statement is prepared
//! and closed around it. That is
//! enough for the swap to be a compare-and-swap: an `UPDATE` takes the row lock,
//! and a second `UPDATE` of the same row waits for the first to commit, then
//! evaluates its `WHERE` again on the row as the first left it (PostgreSQL's
//! documentation, "Read Committed Isolation Level": the second updater "will
//! re-evaluate its search condition to see if the updated version of the row
//! still matches"). The version has moved on, so it matches no row and writes
//! nothing: the store reports a conflict and runs the step again. No racer can
//! write over a version it did not read.
//!
//! Under SERIALIZABLE (CockroachDB's and YugabyteDB's default) the same
//! statement stays a compare-and-swap; a serialization failure
//! (SQLSTATE 40001) of a swap is reported as a [conflict](Error::Conflict) and
//! retried like one. The SQL is kept to what those databases share with PostgreSQL.
//!
//! Connections are unencrypted (`NoTls`): use a loopback or private network, or a
//! TLS-terminating proxy, until a TLS feature lands.

use std::time::Duration;

use postgres::NoTls;
use postgres::error::SqlState;
use postgres::types::Type;
use r2d2_postgres::PostgresConnectionManager;

use countersign::Account;
use countersign::security_codes::Client;

use crate::error::{Error, Record, Result, to_sql_id};
use crate::row::{AccountColumns, AccountRow, ClientColumns, ClientRow, ExportLine};
use crate::schema::{self, stored_schema, table_of};
use crate::store::{Store, account_row, check_advanced, client_row};

const BACKEND: &str = "postgres";

/// How long a caller waits for a pooled connection (or a new one) before the
/// store says [`Error::Unavailable`].
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

const ACCOUNT_COLUMNS: &str =
    "contact_id, client_id, login, is_primary, version, state, updated_at";

type Pooled = r2d2::PooledConnection<PostgresConnectionManager<NoTls>>;

/// Accounts in a PostgreSQL database. See the [module docs](self).
#[derive(Clone)]
pub struct PostgresStore {
    pool: r2d2::Pool<PostgresConnectionManager<NoTls>>,
}

impl core::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PostgresStore").finish_non_exhaustive()
    }
}

impl PostgresStore {
    /// Connects to `url` (`postgres://user@host:port/database`, or the key-value
    /// form), and migrates the database.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidUrl`]; [`Error::Unavailable`] when no connection can be made
    /// within [`CONNECT_TIMEOUT`]; [`Error::SchemaTooNew`]; [`Error::Database`].
    pub fn open(url: &str) -> Result<Self> {
        Self::open_with(url, 16)
    }

    /// As [`PostgresStore::open`], with at most `connections` pooled connections.
    ///
    /// # Errors
    ///
    /// As [`PostgresStore::open`].
    pub fn open_with(url: &str, connections: u32) -> Result<Self> {
        let mut config: postgres::Config =
            url.parse()
                .map_err(|e: postgres::Error| Error::InvalidUrl {
                    // The driver's message names the bad part, never the password.
                    reason: e.to_string(),
                })?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        let pool = r2d2::Pool::builder()
            .max_size(connections.max(1))
            .min_idle(Some(1))
            .connection_timeout(CONNECT_TIMEOUT)
            // No validation query on every checkout: it would cost a round
            // trip per load and per swap. A connection the server dropped fails
            // its next use with a typed error and is then discarded by the pool.
            .test_on_check_out(false)
            .build(PostgresConnectionManager::new(config, NoTls))
            .map_err(|e| Error::Unavailable {
                backend: BACKEND,
                message: e.to_string(),
            })?;
        let store = Self { pool };
        store.migrate()?;
        Ok(store)
    }

    fn connection(&self) -> Result<Pooled> {
        self.pool.get().map_err(|e| Error::Unavailable {
            backend: BACKEND,
            message: e.to_string(),
        })
    }

    fn migrate(&self) -> Result<()> {
        // Two nodes starting at once may both create the table: the loser's
        // unique violation means it exists, and the second try finds it.
        let mut last = None;
        for _ in 0..3 {
            match self.migrate_once() {
                Err(Error::Taken { .. }) => last = Some(Error::Taken { what: "schema" }),
                other => return other,
            }
        }
        Err(last.unwrap_or(Error::Taken { what: "schema" }))
    }

    fn migrate_once(&self) -> Result<()> {
        let mut c = self.connection()?;
        c.batch_execute(
            "CREATE TABLE IF NOT EXISTS countersign_schema (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                version INTEGER NOT NULL
            );
            INSERT INTO countersign_schema (id, version) VALUES (1, 0) ON CONFLICT (id) DO NOTHING;",
        )
        .map_err(db)?;
        let mut tx = c.transaction().map_err(db)?;
        let found: i32 = tx
            .query_one(
                "SELECT version FROM countersign_schema WHERE id = 1 FOR UPDATE",
                &[],
            )
            .map_err(db)?
            .try_get(0)
            .map_err(db)?;
        let found = stored_schema(i64::from(found))?;
        for (version, migration) in (1_i32..).zip(schema::POSTGRES).skip(found as usize) {
            tx.batch_execute(migration).map_err(db)?;
            tx.execute(
                "UPDATE countersign_schema SET version = $1 WHERE id = 1",
                &[&version],
            )
            .map_err(db)?;
        }
        tx.commit().map_err(db)
    }
}

/// A driver error, sorted: a unique violation is [`Error::Taken`], a
/// serialization failure a [`Error::Conflict`] (as `conflict` names it), a lost or
/// refused connection [`Error::Unavailable`].
#[allow(clippy::needless_pass_by_value)] // the shape `map_err` hands it
fn db(error: postgres::Error) -> Error {
    if let Some(e) = error.as_db_error() {
        if *e.code() == SqlState::UNIQUE_VIOLATION {
            return Error::Taken {
                what: schema::taken(e.constraint().unwrap_or_default()),
            };
        }
        if matches!(
            *e.code(),
            SqlState::ADMIN_SHUTDOWN
                | SqlState::CRASH_SHUTDOWN
                | SqlState::CANNOT_CONNECT_NOW
                | SqlState::TOO_MANY_CONNECTIONS
        ) {
            return unavailable(&error);
        }
    }
    if error.is_closed() {
        return unavailable(&error);
    }
    match error.as_db_error() {
        // The server's message and code only: its DETAIL may quote the row
        // ("Failing row contains (...)"), the stored state included.
        Some(e) => Error::Database {
            backend: BACKEND,
            message: format!("{} (SQLSTATE {})", e.message(), e.code().code()),
        },
        None if error.code().is_none()
            && std::error::Error::source(&error).is_some_and(|s| s.is::<std::io::Error>()) =>
        {
            unavailable(&error)
        }
        None => Error::Database {
            backend: BACKEND,
            message: error.to_string(),
        },
    }
}

fn unavailable(error: &postgres::Error) -> Error {
    Error::Unavailable {
        backend: BACKEND,
        message: error.to_string(),
    }
}

/// A swap's error: a serialization failure is a conflict like any other.
fn swap_error(error: postgres::Error, record: Record, id: u64) -> Error {
    if error.code() == Some(&SqlState::T_R_SERIALIZATION_FAILURE) {
        Error::Conflict { record, id }
    } else {
        db(error)
    }
}

fn account_columns(r: &postgres::Row) -> Result<AccountColumns> {
    Ok(AccountColumns {
        contact_id: r.try_get(0).map_err(db)?,
        client_id: r.try_get(1).map_err(db)?,
        login: r.try_get(2).map_err(db)?,
        primary: r.try_get(3).map_err(db)?,
        version: r.try_get(4).map_err(db)?,
        state: r.try_get(5).map_err(db)?,
        updated_at: r.try_get(6).map_err(db)?,
    })
}

fn client_columns(r: &postgres::Row) -> Result<ClientColumns> {
    Ok(ClientColumns {
        client_id: r.try_get(0).map_err(db)?,
        version: r.try_get(1).map_err(db)?,
        state: r.try_get(2).map_err(db)?,
        updated_at: r.try_get(3).map_err(db)?,
    })
}

fn insert_account(c: &mut impl postgres::GenericClient, row: &AccountRow) -> Result<()> {
    let v = row.sql()?;
    c.execute(
        &format!("INSERT INTO countersign_accounts ({ACCOUNT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"),
        &[&v.contact_id, &v.client_id, &v.login, &v.primary, &v.version, &v.state, &v.updated_at],
    )
    .map_err(db)?;
    Ok(())
}

fn insert_client(c: &mut impl postgres::GenericClient, row: &ClientRow) -> Result<()> {
    let v = row.sql()?;
    c.execute(
        "INSERT INTO countersign_clients (client_id, version, state, updated_at) VALUES ($1, $2, $3, $4)",
        &[&v.client_id, &v.version, &v.state, &v.updated_at],
    )
    .map_err(db)?;
    Ok(())
}

impl Store for PostgresStore {
    fn find_login(&self, login: &str) -> Result<Option<u64>> {
        let mut c = self.connection()?;
        let by_name = c
            .query_opt(
                "SELECT contact_id FROM countersign_accounts WHERE login = $1",
                &[&crate::fold_login(login)],
            )
            .map_err(db)?;
        let found = match (by_name, login.trim().parse::<u64>()) {
            (Some(row), _) => Some(row),
            (None, Ok(client_id)) => c
                .query_opt(
                    "SELECT contact_id FROM countersign_accounts WHERE client_id = $1 AND is_primary",
                    &[&to_sql_id(client_id).unwrap_or(-1)],
                )
                .map_err(db)?,
            (None, Err(_)) => None,
        };
        match found {
            Some(row) => Ok(u64::try_from(row.try_get::<_, i64>(0).map_err(db)?).ok()),
            None => Ok(None),
        }
    }

    fn load(&self, contact_id: u64) -> Result<Account> {
        let row = self
            .connection()?
            .query_typed_opt(
                &format!(
                    "SELECT {ACCOUNT_COLUMNS} FROM countersign_accounts WHERE contact_id = $1"
                ),
                &[(&to_sql_id(contact_id)?, Type::INT8)],
            )
            .map_err(db)?
            .ok_or(Error::NotFound {
                record: Record::Account,
                id: contact_id,
            })?;
        Ok(account_columns(&row)?.decode()?.1)
    }

    fn insert(&self, account: &Account) -> Result<()> {
        insert_account(&mut *self.connection()?, &account_row(account)?)
    }

    fn swap(&self, read: u64, account: &Account) -> Result<()> {
        check_advanced(read, account.revision())?;
        let row = account_row(account)?;
        let v = row.sql()?;
        let changed = self
            .connection()?
            .execute_typed(
                "UPDATE countersign_accounts
                 SET client_id = $1, login = $2, is_primary = $3, version = $4, state = $5, updated_at = $6
                 WHERE contact_id = $7 AND version = $8",
                &[
                    (&v.client_id, Type::INT8),
                    (&v.login, Type::TEXT),
                    (&v.primary, Type::BOOL),
                    (&v.version, Type::INT8),
                    (&v.state, Type::TEXT),
                    (&v.updated_at, Type::INT8),
                    (&v.contact_id, Type::INT8),
                    (&to_sql_id(read)?, Type::INT8),
                ],
            )
            .map_err(|e| swap_error(e, Record::Account, row.contact_id))?;
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
        let row = self
            .connection()?
            .query_typed_opt(
                &format!("SELECT version FROM {table} WHERE {key} = $1"),
                &[(&to_sql_id(id)?, Type::INT8)],
            )
            .map_err(db)?
            .ok_or(Error::NotFound { record, id })?;
        let version: i64 = row.try_get(0).map_err(db)?;
        crate::error::from_sql(record, id, "version", version)
    }

    fn load_client(&self, client_id: u64) -> Result<Client> {
        let row = self
            .connection()?
            .query_typed_opt(
                "SELECT client_id, version, state, updated_at FROM countersign_clients WHERE client_id = $1",
                &[(&to_sql_id(client_id)?, Type::INT8)],
            )
            .map_err(db)?
            .ok_or(Error::NotFound {
                record: Record::Client,
                id: client_id,
            })?;
        Ok(client_columns(&row)?.decode()?.1)
    }

    fn insert_client(&self, client: &Client) -> Result<()> {
        insert_client(&mut *self.connection()?, &client_row(client)?)
    }

    fn swap_client(&self, read: u64, client: &Client) -> Result<()> {
        check_advanced(read, client.revision())?;
        let row = client_row(client)?;
        let v = row.sql()?;
        let changed = self
            .connection()?
            .execute_typed(
                "UPDATE countersign_clients SET version = $1, state = $2, updated_at = $3
                 WHERE client_id = $4 AND version = $5",
                &[
                    (&v.version, Type::INT8),
                    (&v.state, Type::TEXT),
                    (&v.updated_at, Type::INT8),
                    (&v.client_id, Type::INT8),
                    (&to_sql_id(read)?, Type::INT8),
                ],
            )
            .map_err(|e| swap_error(e, Record::Client, row.client_id))?;
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
        let rows = self
            .connection()?
            .query(
                &format!("SELECT {ACCOUNT_COLUMNS} FROM countersign_accounts WHERE client_id = $1 ORDER BY contact_id"),
                &[&to_sql_id(client_id)?],
            )
            .map_err(db)?;
        rows.iter()
            .map(|r| Ok(account_columns(r)?.decode()?.1))
            .collect()
    }

    fn export(&self) -> Result<Vec<ExportLine>> {
        let mut c = self.connection()?;
        // REPEATABLE READ: both tables from one snapshot.
        let mut tx = c
            .build_transaction()
            .isolation_level(postgres::IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .map_err(db)?;
        let mut lines = Vec::new();
        for r in tx
            .query(
                &format!("SELECT {ACCOUNT_COLUMNS} FROM countersign_accounts ORDER BY contact_id"),
                &[],
            )
            .map_err(db)?
        {
            lines.push(ExportLine::Account(account_columns(&r)?.decode()?.0));
        }
        for r in tx
            .query("SELECT client_id, version, state, updated_at FROM countersign_clients ORDER BY client_id", &[])
            .map_err(db)?
        {
            lines.push(ExportLine::Client(client_columns(&r)?.decode()?.0));
        }
        tx.commit().map_err(db)?;
        Ok(lines)
    }

    fn import(&self, lines: &[ExportLine]) -> Result<()> {
        let mut c = self.connection()?;
        let mut tx = c.transaction().map_err(db)?;
        for line in lines {
            match line {
                ExportLine::Account(row) => insert_account(&mut tx, row)?,
                ExportLine::Client(row) => insert_client(&mut tx, row)?,
            }
        }
        tx.commit().map_err(db)
    }

    fn schema_version(&self) -> Result<u32> {
        let found: i32 = self
            .connection()?
            .query_one("SELECT version FROM countersign_schema WHERE id = 1", &[])
            .map_err(db)?
            .try_get(0)
            .map_err(db)?;
        stored_schema(i64::from(found))
    }
}
