#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
// Without a backend only the rows, the update loop and the URLs are left (the
// fuzz build uses them): the SQL and the column plumbing go unused.
#![cfg_attr(not(any(feature = "sqlite", feature = "postgres")), allow(dead_code))]
#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod error;
#[cfg(feature = "postgres")]
pub mod postgres;
mod row;
mod schema;
#[cfg(feature = "sqlite")]
pub mod sqlite;
mod store;
mod url;

pub use error::{Error, Record, Result};
#[cfg(feature = "postgres")]
pub use postgres::PostgresStore;
pub use row::{AccountRow, ClientRow, EXPORT_HEADER, ExportLine, fold_login};
pub use schema::SCHEMA_VERSION;
#[cfg(feature = "sqlite")]
pub use sqlite::SqliteStore;
pub use store::{DEFAULT_ATTEMPTS, Store, StoreExt};
pub use url::{DatabaseUrl, open};
