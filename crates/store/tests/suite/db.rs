//! A fresh database of either backend per case, and raw SQL on it for the cases
//! that play the attacker or the careless operator.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use countersign::Account;
use countersign_store::{DatabaseUrl, ExportLine, Store};
use libtest_mimic::Failed;

use crate::cluster::Cluster;

/// Which database a case runs on.
pub enum Backend {
    Sqlite,
    Postgres(Arc<Cluster>),
}

/// One fresh database.
pub struct Db {
    pub url: DatabaseUrl,
    /// The SQLite file's folder, removed with the case.
    _dir: Option<tempfile::TempDir>,
}

static DATABASES: AtomicU32 = AtomicU32::new(0);

impl Db {
    pub fn new(backend: Backend) -> Result<Self, Failed> {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir()?;
                let path = dir.path().join("countersign.db");
                Ok(Self {
                    url: DatabaseUrl::Sqlite(path),
                    _dir: Some(dir),
                })
            }
            Backend::Postgres(cluster) => {
                let n = DATABASES.fetch_add(1, Ordering::Relaxed);
                let url = cluster.create_database(&format!("case_{}_{n}", std::process::id()))?;
                Ok(Self {
                    url: DatabaseUrl::Postgres(url),
                    _dir: None,
                })
            }
        }
    }

    /// A database on an existing URL (a child process's, or a cluster's own).
    pub fn at(url: DatabaseUrl) -> Self {
        Self { url, _dir: None }
    }

    pub fn sqlite_path(&self) -> Option<PathBuf> {
        match &self.url {
            DatabaseUrl::Sqlite(path) => Some(path.clone()),
            _ => None,
        }
    }

    /// A new store on this database: its own pool, its own connections.
    pub fn open(&self) -> Box<dyn Store> {
        countersign_store::open(&self.url).expect("the store opens")
    }

    /// Runs raw SQL (the same text in both dialects), as an operator with a
    /// database shell would.
    pub fn execute(&self, sql: &str) {
        match &self.url {
            DatabaseUrl::Sqlite(path) => {
                let c = rusqlite::Connection::open(path).unwrap();
                c.busy_timeout(std::time::Duration::from_secs(10)).unwrap();
                c.execute_batch(sql).unwrap();
            }
            DatabaseUrl::Postgres(url) => {
                let mut c = postgres::Client::connect(url, postgres::NoTls).unwrap();
                c.batch_execute(sql).unwrap();
            }
            _ => unreachable!(),
        }
    }

    /// Writes `account` over its row with the version check removed: what a store
    /// without compare-and-swap does. Only the negative controls use it.
    pub fn blind_write(&self, account: &Account) {
        let Some(ExportLine::Account(row)) = self.row_of(account) else {
            unreachable!()
        };
        let (id, version) = (row.contact_id as i64, row.version as i64);
        match &self.url {
            DatabaseUrl::Sqlite(path) => {
                let c = rusqlite::Connection::open(path).unwrap();
                c.busy_timeout(std::time::Duration::from_secs(10)).unwrap();
                c.execute(
                    "UPDATE countersign_accounts SET version = ?1, state = ?2 WHERE contact_id = ?3",
                    rusqlite::params![version, row.state, id],
                )
                .unwrap();
            }
            DatabaseUrl::Postgres(url) => {
                let mut c = postgres::Client::connect(url, postgres::NoTls).unwrap();
                c.execute(
                    "UPDATE countersign_accounts SET version = $1, state = $2 WHERE contact_id = $3",
                    &[&version, &row.state, &id],
                )
                .unwrap();
            }
            _ => unreachable!(),
        }
    }

    fn row_of(&self, account: &Account) -> Option<ExportLine> {
        Some(ExportLine::Account(
            countersign_store::AccountRow::of(account, 0).ok()?,
        ))
    }
}

/// A store whose swap misbehaves as [`SwapFault`] says.
pub struct Faulty<'a> {
    pub inner: Box<dyn Store>,
    pub db: &'a Db,
    pub fault: SwapFault,
}

/// How a [`Faulty`] store's swap misbehaves.
pub enum SwapFault {
    /// The version check removed (a blind write): the negative control that
    /// shows a race test can fail.
    Blind,
    /// A conflict reported this many more times without writing, the row left as
    /// it was (a SERIALIZABLE database's serialization failure may be such a
    /// false alarm); then the swap as the store does it.
    Spurious(AtomicU32),
}

impl Store for Faulty<'_> {
    fn find_login(&self, login: &str) -> countersign_store::Result<Option<u64>> {
        self.inner.find_login(login)
    }
    fn load(&self, contact_id: u64) -> countersign_store::Result<Account> {
        self.inner.load(contact_id)
    }
    fn insert(&self, account: &Account) -> countersign_store::Result<()> {
        self.inner.insert(account)
    }
    fn swap(&self, read: u64, account: &Account) -> countersign_store::Result<()> {
        match &self.fault {
            SwapFault::Blind => {
                self.db.blind_write(account);
                Ok(())
            }
            SwapFault::Spurious(left) => {
                if left
                    .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                    .is_ok()
                {
                    return Err(countersign_store::Error::Conflict {
                        record: countersign_store::Record::Account,
                        id: account.profile().contact_id,
                    });
                }
                self.inner.swap(read, account)
            }
        }
    }
    fn load_client(
        &self,
        client_id: u64,
    ) -> countersign_store::Result<countersign::security_codes::Client> {
        self.inner.load_client(client_id)
    }
    fn insert_client(
        &self,
        client: &countersign::security_codes::Client,
    ) -> countersign_store::Result<()> {
        self.inner.insert_client(client)
    }
    fn swap_client(
        &self,
        read: u64,
        client: &countersign::security_codes::Client,
    ) -> countersign_store::Result<()> {
        self.inner.swap_client(read, client)
    }
    fn contacts(&self, client_id: u64) -> countersign_store::Result<Vec<Account>> {
        self.inner.contacts(client_id)
    }
    fn export(&self) -> countersign_store::Result<Vec<ExportLine>> {
        self.inner.export()
    }
    fn import(&self, lines: &[ExportLine]) -> countersign_store::Result<()> {
        self.inner.import(lines)
    }
    fn schema_version(&self) -> countersign_store::Result<u32> {
        self.inner.schema_version()
    }
    fn version(
        &self,
        record: countersign_store::Record,
        id: u64,
    ) -> countersign_store::Result<u64> {
        self.inner.version(record, id)
    }
}
