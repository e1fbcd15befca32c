//! The application state every handler shares, and the one way a handler
//! reaches the store: [`App::blocking`].

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use countersign::Portal;
use countersign_store::Store;

use crate::error::WebError;
use crate::grants::ClientGrants;
use crate::limit::RateLimit;
use crate::sender::{Outbox, Sender};
use crate::session::Sessions;

/// What a deployment chooses beyond the store and the portal.
#[derive(Clone, Debug)]
pub struct Options {
    /// Development mode: cookies without `Secure` (plain http on loopback) and
    /// the outbox page at `/dev/outbox`.
    pub dev: bool,
    /// Attempts one IP address may make in a burst on the login and code
    /// endpoints, in front of the facade's per-account throttle.
    pub burst: u32,
    /// Seconds for one more attempt to come back to an IP address's bucket.
    pub refill_seconds: u64,
    /// How the server tells the time (the system clock, or a hand-moved one in tests).
    pub clock: Clock,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            dev: false,
            burst: 10,
            refill_seconds: 6,
            clock: Clock::system(),
        }
    }
}

/// Unix seconds, from the system clock or set by hand.
///
/// The facade takes `now` as a parameter; the server reads it here, once per
/// request, so tests can move time (an enrollment that expires, a TOTP step that
/// passes) without sleeping.
#[derive(Clone, Debug, Default)]
pub struct Clock(Option<Arc<AtomicU64>>);

impl Clock {
    /// The system clock.
    #[must_use]
    pub fn system() -> Self {
        Self(None)
    }

    /// A clock that stands at `now` until [`Clock::advance`] moves it.
    #[must_use]
    pub fn manual(now: u64) -> Self {
        Self(Some(Arc::new(AtomicU64::new(now))))
    }

    /// Moves a manual clock on by `seconds` (a system clock ignores it).
    pub fn advance(&self, seconds: u64) {
        if let Some(now) = &self.0 {
            now.fetch_add(seconds, Ordering::SeqCst);
        }
    }

    /// Now, unix seconds.
    #[must_use]
    pub fn now(&self) -> u64 {
        match &self.0 {
            Some(now) => now.load(Ordering::SeqCst),
            None => std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
        }
    }
}

/// Everything the handlers share: the store, the portal (server key and
/// settings), the sessions, the rate limit and where messages go. The
/// contacts' permission grants are in the store's client records, read for
/// every request that passes a gate.
pub struct App {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) portal: Portal,
    pub(crate) sessions: Arc<Sessions>,
    pub(crate) limit: RateLimit,
    pub(crate) sender: Arc<dyn Sender>,
    pub(crate) outbox: Option<Arc<Outbox>>,
    /// A password hash to verify against when no contact answers to the login
    /// typed, so an unknown login costs the same Argon2id time as a known one.
    pub(crate) decoy_hash: String,
    pub(crate) hasher: countersign::password::Hasher,
    pub(crate) options: Options,
}

impl core::fmt::Debug for App {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("App")
            .field("portal", &self.portal)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl App {
    /// An application over `store` and `portal`. Messages the flows ask to send
    /// go to `sender`; in development mode they also show on the outbox page.
    ///
    /// # Errors
    ///
    /// When the decoy password hash cannot be made (invalid hashing parameters
    /// in the portal's settings).
    pub fn new(
        store: Box<dyn Store>,
        portal: Portal,
        sender: Arc<dyn Sender>,
        options: Options,
    ) -> anyhow::Result<Arc<Self>> {
        let outbox = options.dev.then(|| Arc::new(Outbox::default()));
        let sender: Arc<dyn Sender> = match &outbox {
            Some(outbox) => Arc::new(crate::sender::Both(Arc::clone(outbox) as _, sender)),
            None => sender,
        };
        let hasher = countersign::password::Hasher::new(&portal.settings().password)?;
        let decoy_hash = hasher
            .hash_with_rng("a decoy nobody types", &mut rand::rng())?
            .as_str()
            .to_owned();
        let store: Arc<dyn Store> = Arc::from(store);
        Ok(Arc::new(Self {
            store,
            portal,
            sessions: Arc::new(Sessions::default()),
            limit: RateLimit::new(options.burst, options.refill_seconds),
            sender,
            outbox,
            decoy_hash,
            hasher,
            options,
        }))
    }

    /// The store, for start-up work (the demo client) and for tests.
    #[must_use]
    pub fn store(&self) -> &dyn Store {
        self.store.as_ref()
    }

    /// The portal, for start-up work and for tests.
    #[must_use]
    pub fn portal(&self) -> &Portal {
        &self.portal
    }

    /// The grants of client `client_id`'s contacts, read from the store and
    /// compiled for this request. Blocks: call it inside [`App::blocking`].
    pub(crate) fn grants_of(&self, client_id: u64) -> Result<ClientGrants, WebError> {
        let client = crate::grants::load_client(self.store.as_ref(), client_id)?;
        ClientGrants::of(&client).map_err(|_| WebError::Internal)
    }

    /// Now, by the application's clock.
    pub(crate) fn now(&self) -> u64 {
        self.options.clock.now()
    }

    /// Runs `work` (store calls, Argon2id) on tokio's blocking pool: the store's
    /// API blocks, and a password check takes tens of milliseconds.
    pub(crate) async fn blocking<T: Send + 'static>(
        self: &Arc<Self>,
        work: impl FnOnce(&App) -> T + Send + 'static,
    ) -> Result<T, crate::error::WebError> {
        let app = Arc::clone(self);
        tokio::task::spawn_blocking(move || work(&app))
            .await
            .map_err(|_| crate::error::WebError::Internal)
    }
}
