//! Database URLs: `sqlite:PATH` or `postgres://...`, and [`open`] for either.

use std::path::PathBuf;

use crate::error::{Error, Result};
use crate::store::Store;

/// Where the accounts are: a parsed `--database` URL.
///
/// `Display` never shows a PostgreSQL password.
///
/// # Examples
///
/// ```
/// use countersign_store::DatabaseUrl;
///
/// let url: DatabaseUrl = "sqlite:countersign.db".parse()?;
/// assert_eq!(url, DatabaseUrl::Sqlite("countersign.db".into()));
/// let url: DatabaseUrl = "postgres://portal:hunter2@127.0.0.1:5432/accounts".parse()?;
/// assert_eq!(url.to_string(), "postgres://portal:[redacted]@127.0.0.1:5432/accounts");
/// assert!("mysql://localhost".parse::<DatabaseUrl>().is_err());
/// # Ok::<(), countersign_store::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DatabaseUrl {
    /// `sqlite:PATH` (also `sqlite://PATH`): a file, created on first open.
    Sqlite(PathBuf),
    /// `postgres://...` or `postgresql://...`, as libpq reads it.
    Postgres(String),
}

impl core::str::FromStr for DatabaseUrl {
    type Err = Error;

    fn from_str(url: &str) -> Result<Self> {
        let invalid = |reason: &str| Error::InvalidUrl {
            reason: reason.to_owned(),
        };
        if let Some(path) = url.strip_prefix("sqlite:") {
            let path = path.strip_prefix("//").unwrap_or(path);
            if path.is_empty() {
                return Err(invalid(
                    "sqlite: needs a file path, as in sqlite:countersign.db",
                ));
            }
            return Ok(Self::Sqlite(PathBuf::from(path)));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Self::Postgres(url.to_owned()));
        }
        Err(invalid(
            "give sqlite:PATH or postgres://user@host:port/database",
        ))
    }
}

impl core::fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Sqlite(path) => write!(f, "sqlite:{}", path.display()),
            Self::Postgres(url) => f.write_str(&redact_password(url)),
        }
    }
}

impl core::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "DatabaseUrl({self})")
    }
}

/// `scheme://user:password@host...?password=...` with the password replaced.
fn redact_password(url: &str) -> String {
    let url = redact_userinfo(url);
    match url.split_once('?') {
        Some((base, query)) => {
            let query: Vec<String> = query
                .split('&')
                .map(|pair| match pair.split_once('=') {
                    Some((name, _)) if name.eq_ignore_ascii_case("password") => {
                        format!("{name}=[redacted]")
                    }
                    _ => pair.to_owned(),
                })
                .collect();
            format!("{base}?{}", query.join("&"))
        }
        None => url,
    }
}

fn redact_userinfo(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    // A password may hold `/`, `?`, `#` or even `@`: everything up to the last
    // `@` is taken as user info. A later `@` in the path or a parameter hides
    // more of the URL than needed, never shows a password.
    match rest.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:[redacted]@{host}"),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

/// Opens the store `url` names, with the default pool size, and migrates it.
///
/// # Errors
///
/// [`Error::InvalidUrl`], also for a backend this build was compiled without;
/// the errors of [`SqliteStore::open`](crate::SqliteStore::open) and
/// [`PostgresStore::open`](crate::PostgresStore::open).
///
/// # Examples
///
/// ```
/// let dir = tempfile::tempdir()?;
/// let url = format!("sqlite:{}", dir.path().join("countersign.db").display());
/// let store = countersign_store::open(&url.parse()?)?;
/// assert_eq!(store.schema_version()?, countersign_store::SCHEMA_VERSION);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn open(url: &DatabaseUrl) -> Result<Box<dyn Store>> {
    match url {
        #[cfg(feature = "sqlite")]
        DatabaseUrl::Sqlite(path) => Ok(Box::new(crate::SqliteStore::open(path)?)),
        #[cfg(feature = "postgres")]
        DatabaseUrl::Postgres(url) => Ok(Box::new(crate::PostgresStore::open(url)?)),
        #[allow(unreachable_patterns)]
        _ => Err(Error::InvalidUrl {
            reason: "this build of countersign-store has no support for that database (features `sqlite`, `postgres`)".into(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_show() {
        for (url, shown) in [
            ("postgres://u:p@h/db", "postgres://u:[redacted]@h/db"),
            ("postgres://u:p@ss@h:5432", "postgres://u:[redacted]@h:5432"),
            (
                "postgresql://u@h/db?sslmode=disable",
                "postgresql://u@h/db?sslmode=disable",
            ),
            ("postgres://h/db", "postgres://h/db"),
            ("postgres://u:pa/ss?x@h/db", "postgres://u:[redacted]@h/db"),
            (
                "postgres://h/db?user=u&password=p",
                "postgres://h/db?user=u&password=[redacted]",
            ),
        ] {
            let parsed: DatabaseUrl = url.parse().unwrap();
            assert_eq!(parsed.to_string(), shown);
            assert_eq!(format!("{parsed:?}"), format!("DatabaseUrl({shown})"));
        }
    }
}
