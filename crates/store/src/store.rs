//! The [`Store`] trait the backends implement, and [`StoreExt::update`], the one
//! way a flow touches storage.

use countersign::Account;
use countersign::security_codes::Client;

use crate::error::{Error, Record, Result};
use crate::row::{AccountRow, ClientRow, ExportLine};

/// How many times [`StoreExt::update`] runs a step before it gives up with
/// [`Error::Busy`]. Each conflict means another writer committed, so with `n`
/// writers racing on one record a step meets at most `n - 1` conflicts: 32 covers
/// 32 racers on one account, far past what one person's sign-in produces.
pub const DEFAULT_ATTEMPTS: u32 = 32;

/// Accounts and clients in a database: the primitive operations.
///
/// Every record carries a version, equal to its state's revision
/// ([`Account::revision`], [`Client::revision`]); [`Store::swap`] writes only if
/// the stored version is still the one read. Services call [`StoreExt::update`],
/// which is built on these; the primitives are public for tools (export, import,
/// the command line) and for tests.
pub trait Store: Send + Sync {
    /// The contact whose login the sign-in form names: the username (ASCII
    /// case-insensitive, as [`Profile::answers_to`](countersign::Profile::answers_to)),
    /// or else a client ID, naming that client's primary contact.
    ///
    /// # Errors
    ///
    /// [`Error::Unavailable`], [`Error::Database`].
    fn find_login(&self, login: &str) -> Result<Option<u64>>;

    /// The stored account of `contact_id`; its [`Account::revision`] is the
    /// version to swap against.
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`]; [`Error::Corrupt`]; [`Error::Unavailable`], [`Error::Database`].
    fn load(&self, contact_id: u64) -> Result<Account>;

    /// Stores a new account.
    ///
    /// # Errors
    ///
    /// [`Error::Taken`] for a contact id, username or primary contact already
    /// stored; [`Error::IdOutOfRange`]; [`Error::Unavailable`], [`Error::Database`].
    fn insert(&self, account: &Account) -> Result<()>;

    /// Writes `account` over the stored one, only if the stored version is still
    /// `read` (`UPDATE ... WHERE contact_id = ? AND version = ?`).
    ///
    /// # Errors
    ///
    /// [`Error::Conflict`] when another writer got there first (nothing was
    /// written); [`Error::InvalidStep`] when `account` is not past `read`;
    /// [`Error::Taken`] for a username changed to a taken one;
    /// [`Error::Unavailable`], [`Error::Database`].
    fn swap(&self, read: u64, account: &Account) -> Result<()>;

    /// The stored client record of `client_id`.
    ///
    /// # Errors
    ///
    /// As [`Store::load`].
    fn load_client(&self, client_id: u64) -> Result<Client>;

    /// The stored version of `record` `id`, nothing else: what an update that
    /// changed nothing checks before it answers.
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`]; [`Error::Unavailable`], [`Error::Database`].
    fn version(&self, record: Record, id: u64) -> Result<u64>;

    /// Stores a new client record.
    ///
    /// # Errors
    ///
    /// [`Error::Taken`] for a client id already stored; as [`Store::insert`].
    fn insert_client(&self, client: &Client) -> Result<()>;

    /// Writes `client` over the stored one, only if the stored version is still `read`.
    ///
    /// # Errors
    ///
    /// As [`Store::swap`].
    fn swap_client(&self, read: u64, client: &Client) -> Result<()>;

    /// Every contact of `client_id`, by contact id.
    ///
    /// # Errors
    ///
    /// [`Error::Corrupt`] for any row that does not read; [`Error::Unavailable`],
    /// [`Error::Database`].
    fn contacts(&self, client_id: u64) -> Result<Vec<Account>>;

    /// Every row of both tables (accounts by contact id, then clients by client
    /// id), each checked as [`Store::load`] checks it.
    ///
    /// # Errors
    ///
    /// [`Error::Corrupt`]; [`Error::Unavailable`], [`Error::Database`].
    fn export(&self) -> Result<Vec<ExportLine>>;

    /// Inserts `lines` as they are (versions and times kept), all or none, into a
    /// database that holds none of their keys.
    ///
    /// # Errors
    ///
    /// [`Error::Taken`] when a key is already stored (nothing was imported);
    /// [`Error::Unavailable`], [`Error::Database`].
    fn import(&self, lines: &[ExportLine]) -> Result<()>;

    /// The schema version of the database (migrations ran when it was opened).
    ///
    /// # Errors
    ///
    /// [`Error::Unavailable`], [`Error::Database`].
    fn schema_version(&self) -> Result<u32>;
}

/// What every [`Store`] can do on top of its primitives: run a flow step safely.
pub trait StoreExt: Store {
    /// Runs `step` on the stored account of `contact_id` and commits what it
    /// changed, safely against every other writer:
    ///
    /// 1. load the account (version `v`);
    /// 2. run `step` on it (a facade flow: `|a| portal.sign_in(a, ...)`);
    /// 3. if the step changed nothing (the revision is still `v`), write nothing,
    ///    but check that the stored version is still `v` (a right password on a
    ///    clean throttle changes nothing: answered from a state that another
    ///    node's failures have since moved on, it would be a guess the throttle
    ///    never admitted); else swap, writing only if the stored version is still `v`;
    /// 4. on a [conflict](Error::Conflict), go back to 1: the step runs again on the
    ///    fresh state, so a second racer sees the consumed code and gets `Replayed`,
    ///    and the throttle counts every racer's failure; after [`DEFAULT_ATTEMPTS`]
    ///    runs, [`Error::Busy`].
    ///
    /// The step's answer is returned only once its write committed, an error
    /// answer too, as [`Error::Flow`]: a refused attempt counts. So `step` may run
    /// more than once; only the last run's answer (and so only its SMS to send,
    /// its cookie to set) is returned, and only what it changed is stored.
    ///
    /// It costs one `SELECT` and, when the step changed something, one
    /// conditional `UPDATE`, each its own transaction; and whatever the step
    /// costs (an Argon2id derivation for a password, tens of milliseconds). It
    /// blocks: call it from `spawn_blocking` in an async service.
    ///
    /// # Errors
    ///
    /// [`Error::Flow`] with the step's own error (committed); [`Error::Busy`];
    /// [`Error::WentBackwards`] when a re-read found an older revision;
    /// [`Error::InvalidStep`] when the step changed the contact id; the errors of
    /// [`Store::load`] and [`Store::swap`].
    ///
    /// # Examples
    ///
    /// ```
    /// use countersign::{Portal, Profile, ServerKey, Settings};
    /// use countersign_store::{SqliteStore, Store, StoreExt};
    /// # use countersign::password::{HashParams, Policy};
    /// # let cheap = HashParams { memory_kib: 64, iterations: 1, ..HashParams::OWASP };
    /// # let settings = Settings { password: Policy::portal().with_hashing(cheap)?, ..Settings::default() };
    ///
    /// let dir = tempfile::tempdir()?;
    /// let store = SqliteStore::open(dir.path().join("accounts.db"))?;
    /// let portal = Portal::new(ServerKey::generate(), settings)?;
    /// let joe = Profile {
    ///     contact_id: 3522, client_id: 1707, name: "Joe Example".into(),
    ///     username: "joe.example".into(), email: "joe@example.com".into(),
    ///     cell_phone: None, primary: true,
    /// };
    /// store.insert(&portal.create_account(joe, "correct horse battery staple", &mut rand::rng())?)?;
    ///
    /// let id = store.find_login("1707")?.expect("the primary contact");
    /// let now = 1_700_000_000;
    /// let wrong = store.update(id, |a| portal.sign_in(a, "not the password", now, &mut rand::rng()));
    /// assert!(wrong.unwrap_err().flow().is_some()); // the flow said no ...
    /// assert_eq!(store.load(id)?.throttles().get(countersign::throttle::Factor::Password).consecutive_failures(), 1); // ... and it counted
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    fn update<T>(
        &self,
        contact_id: u64,
        step: impl FnMut(&mut Account) -> countersign::Result<T>,
    ) -> Result<T> {
        self.update_bounded(contact_id, DEFAULT_ATTEMPTS, step)
    }

    /// [`StoreExt::update`] with another bound on the attempts (at least 1).
    ///
    /// # Errors
    ///
    /// As [`StoreExt::update`].
    fn update_bounded<T>(
        &self,
        contact_id: u64,
        attempts: u32,
        step: impl FnMut(&mut Account) -> countersign::Result<T>,
    ) -> Result<T> {
        compare_and_swap(
            contact_id,
            attempts,
            || self.load(contact_id),
            |read, account| self.swap(read, account),
            || self.version(Record::Account, contact_id),
            step,
        )
    }

    /// [`StoreExt::update`] for the client record of `client_id` (the account-wide
    /// security code and the throttle of callers' guesses). A client never stored
    /// is created first, as [`Client::new`].
    ///
    /// # Errors
    ///
    /// As [`StoreExt::update`].
    fn update_client<T>(
        &self,
        client_id: u64,
        step: impl FnMut(&mut Client) -> countersign::Result<T>,
    ) -> Result<T> {
        let load = || match self.load_client(client_id) {
            Err(Error::NotFound { .. }) => {
                match self.insert_client(&Client::new(client_id)) {
                    // Another writer created it first: either way it exists now.
                    Ok(()) | Err(Error::Taken { .. }) => self.load_client(client_id),
                    Err(e) => Err(e),
                }
            }
            other => other,
        };
        compare_and_swap(
            client_id,
            DEFAULT_ATTEMPTS,
            load,
            |read, client| self.swap_client(read, client),
            || self.version(Record::Client, client_id),
            step,
        )
    }
}

/// A stored state the update loop runs steps on.
trait Revisioned {
    const RECORD: Record;
    fn key(&self) -> u64;
    fn revision(&self) -> u64;
}

impl Revisioned for Account {
    const RECORD: Record = Record::Account;
    fn key(&self) -> u64 {
        self.profile().contact_id
    }
    fn revision(&self) -> u64 {
        Account::revision(self)
    }
}

impl Revisioned for Client {
    const RECORD: Record = Record::Client;
    fn key(&self) -> u64 {
        self.client_id()
    }
    fn revision(&self) -> u64 {
        Client::revision(self)
    }
}

/// The update loop of [`StoreExt::update`], for either record.
fn compare_and_swap<R: Revisioned, T>(
    id: u64,
    attempts: u32,
    mut load: impl FnMut() -> Result<R>,
    mut swap: impl FnMut(u64, &R) -> Result<()>,
    mut stored_version: impl FnMut() -> Result<u64>,
    mut step: impl FnMut(&mut R) -> countersign::Result<T>,
) -> Result<T> {
    let mut seen = 0;
    for _ in 0..attempts.max(1) {
        let mut state = load()?;
        let read = state.revision();
        moved_forward(R::RECORD, id, &mut seen, read)?;
        let answer = step(&mut state);
        if state.key() != id {
            return Err(Error::InvalidStep {
                reason: "a step may not change the record's id",
            });
        }
        let committed = if state.revision() == read {
            // Nothing to write; the answer stands only if nobody wrote since.
            stored_version()? == read
        } else {
            match swap(read, &state) {
                Ok(()) => true,
                Err(Error::Conflict { .. }) => false,
                Err(e) => return Err(e),
            }
        };
        if committed {
            return answer.map_err(Error::Flow);
        }
    }
    Err(Error::Busy {
        record: R::RECORD,
        id,
        attempts: attempts.max(1),
    })
}

impl<S: Store + ?Sized> StoreExt for S {}

/// A record read again within one update must not be older than one read before.
fn moved_forward(record: Record, id: u64, seen: &mut u64, found: u64) -> Result<()> {
    if found < *seen {
        return Err(Error::WentBackwards {
            record,
            id,
            seen: *seen,
            found,
        });
    }
    *seen = found;
    Ok(())
}

/// What a swap checks before it writes: the state moved past the version read.
pub(crate) fn check_advanced(read: u64, written: u64) -> Result<()> {
    if written > read {
        Ok(())
    } else {
        Err(Error::InvalidStep {
            reason: "the state to write is not past the revision read",
        })
    }
}

/// The rows of an account and a client as written now.
pub(crate) fn account_row(account: &Account) -> Result<AccountRow> {
    AccountRow::of(account, unix_now())
}

pub(crate) fn client_row(client: &Client) -> Result<ClientRow> {
    ClientRow::of(client, unix_now())
}

/// The store stamps `updated_at` from the system clock: it is for operators
/// (when was this row last written), never read by a flow.
fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}
