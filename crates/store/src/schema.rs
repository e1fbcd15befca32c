//! The schema, as numbered migrations embedded in the crate, in each dialect.
//!
//! `countersign_schema` holds one row: the version of the last migration applied.
//! Opening a store applies the missing ones in one transaction; a database whose
//! version is past [`SCHEMA_VERSION`] was written by a newer build and is refused
//! with [`Error::SchemaTooNew`](crate::Error::SchemaTooNew) before anything is
//! touched. Every table is prefixed `countersign_`, so the store can share a
//! service's own database.
//!
//! The SQL is the subset PostgreSQL shares with CockroachDB and YugabyteDB:
//! plain tables, a partial unique index, `INSERT`, `SELECT ... FOR UPDATE` and a
//! conditional `UPDATE`.

/// The newest schema version this build knows.
pub const SCHEMA_VERSION: u32 = 1;

use crate::error::{Error, Result};

/// SQLite: STRICT tables, so a column holds only its declared type.
pub(crate) const SQLITE: &[&str] = &[
    // 1: accounts and clients.
    "CREATE TABLE countersign_accounts (
        contact_id INTEGER PRIMARY KEY,
        client_id INTEGER NOT NULL,
        login TEXT NOT NULL UNIQUE,
        is_primary INTEGER NOT NULL CHECK (is_primary IN (0, 1)),
        version INTEGER NOT NULL CHECK (version >= 1),
        state TEXT NOT NULL,
        updated_at INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX countersign_accounts_by_client ON countersign_accounts (client_id);
    CREATE UNIQUE INDEX countersign_accounts_one_primary
        ON countersign_accounts (client_id) WHERE is_primary = 1;
    CREATE TABLE countersign_clients (
        client_id INTEGER PRIMARY KEY,
        version INTEGER NOT NULL CHECK (version >= 1),
        state TEXT NOT NULL,
        updated_at INTEGER NOT NULL
    ) STRICT;",
];

/// PostgreSQL.
pub(crate) const POSTGRES: &[&str] = &[
    // 1: accounts and clients.
    "CREATE TABLE countersign_accounts (
        contact_id BIGINT PRIMARY KEY,
        client_id BIGINT NOT NULL,
        login TEXT NOT NULL,
        is_primary BOOLEAN NOT NULL,
        version BIGINT NOT NULL CHECK (version >= 1),
        state TEXT NOT NULL,
        updated_at BIGINT NOT NULL,
        CONSTRAINT countersign_accounts_login UNIQUE (login)
    );
    CREATE INDEX countersign_accounts_by_client ON countersign_accounts (client_id);
    CREATE UNIQUE INDEX countersign_accounts_one_primary
        ON countersign_accounts (client_id) WHERE is_primary;
    CREATE TABLE countersign_clients (
        client_id BIGINT PRIMARY KEY,
        version BIGINT NOT NULL CHECK (version >= 1),
        state TEXT NOT NULL,
        updated_at BIGINT NOT NULL
    );",
];

/// A stored schema version: refused when newer than this build's.
pub(crate) fn stored_schema(found: i64) -> Result<u32> {
    let found = u32::try_from(found).map_err(|_| Error::SchemaTooNew {
        found: u32::MAX,
        supported: SCHEMA_VERSION,
    })?;
    if found > SCHEMA_VERSION {
        return Err(Error::SchemaTooNew {
            found,
            supported: SCHEMA_VERSION,
        });
    }
    Ok(found)
}

/// The table and key column of a record.
pub(crate) fn table_of(record: crate::Record) -> (&'static str, &'static str) {
    match record {
        crate::Record::Account => ("countersign_accounts", "contact_id"),
        crate::Record::Client => ("countersign_clients", "client_id"),
    }
}

/// Which key a unique-constraint failure names, from the constraint's or the
/// column's name in the driver's message.
pub(crate) fn taken(constraint: &str) -> &'static str {
    // PostgreSQL names the constraint; SQLite names the columns of the index.
    if constraint.contains("one_primary") || constraint.contains("countersign_accounts.client_id") {
        "primary contact of this client"
    } else if constraint.contains("login") {
        "username"
    } else if constraint.contains("clients") {
        "client id"
    } else {
        "contact id"
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_dialect_has_every_migration() {
        let n = usize::try_from(super::SCHEMA_VERSION).unwrap();
        assert_eq!(super::SQLITE.len(), n);
        assert_eq!(super::POSTGRES.len(), n);
    }
}
