//! Server-side sessions behind an opaque random id, and the CSRF check.
//!
//! The cookie holds 256 random bits and nothing else; what a session knows (who
//! is signed in, the login ticket while the second factor is asked, the CSRF
//! token, the next banner) stays in this process's memory. A fresh id is issued
//! at every sign-in step and at logout, so an id planted before login is worth
//! nothing after it (session fixation).
//!
//! Every request that is not GET or HEAD must carry the session's CSRF token in
//! its `csrf` form field; the token is compared in constant time (`subtle`).
//! Without it: 403, before any handler runs.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use countersign::LoginTicket;
use subtle::ConstantTimeEq;

use crate::app::App;
use crate::error::WebError;
use crate::pages::{self, ErrorPage};

/// The session cookie's name.
pub(crate) const COOKIE: &str = "countersign_session";
/// The remembered-device cookie's name (its own, long-lived cookie).
pub(crate) const DEVICE_COOKIE: &str = "countersign_device";

/// A session unused this long is gone.
const IDLE: Duration = Duration::from_secs(30 * 60);
/// A session older than this is gone, used or not.
const ABSOLUTE: Duration = Duration::from_secs(12 * 60 * 60);
/// Sessions kept at most; past it, expired ones are dropped, then the least
/// recently used.
const MAX_SESSIONS: usize = 50_000;
/// Anonymous sessions dropped at once when the map is full.
const EVICT_BATCH: usize = 1_000;
/// The largest form body read for the CSRF check (the body limit is the same).
pub(crate) const MAX_BODY: usize = 16 * 1024;

/// What the server knows about one browser.
#[derive(Clone, Debug)]
pub(crate) struct SessionData {
    /// The token every state-changing form carries back.
    pub(crate) csrf: String,
    /// The contact signed in.
    pub(crate) contact: Option<u64>,
    /// The password was right; the second factor is being asked.
    pub(crate) login: Option<PendingLogin>,
    /// The contact a reset code was requested for.
    pub(crate) reset: Option<u64>,
    /// The banner to show at the top of the next page ("Success: ...").
    pub(crate) flash: Option<String>,
    /// A WebAuthn ceremony begun on a page this browser was shown, until its
    /// answer is posted: the facade's sealed state stays here, on the server.
    pub(crate) passkey: Option<PasskeyCeremony>,
}

/// A security-key ceremony in progress: what it is for and the facade's state.
#[derive(Clone, Debug)]
pub(crate) struct PasskeyCeremony {
    pub(crate) purpose: Purpose,
    /// The facade's opaque, sealed state of the challenge.
    pub(crate) state: String,
}

/// What a ceremony's answer may be used for: an answer to one is refused by the others.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Purpose {
    /// "Add a security key or passkey" on the profile.
    Register,
    /// "Use a security key" at the second step of sign-in.
    SecondFactor,
    /// "Sign in with a passkey" on the login page.
    Passwordless,
}

/// Between the password and the second factor.
#[derive(Clone, Debug)]
pub(crate) struct PendingLogin {
    pub(crate) contact_id: u64,
    pub(crate) ticket: LoginTicket,
    pub(crate) has_cell_phone: bool,
    /// "Use a Security Key" shows: the contact has registered one.
    pub(crate) has_passkeys: bool,
}

struct Entry {
    data: SessionData,
    created: Instant,
    seen: Instant,
}

impl Entry {
    fn live(&self, now: Instant) -> bool {
        now.saturating_duration_since(self.seen) < IDLE
            && now.saturating_duration_since(self.created) < ABSOLUTE
    }
}

/// Every live session, by id.
#[derive(Default)]
pub(crate) struct Sessions(Mutex<HashMap<String, Entry>>);

impl Sessions {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The live session `id` names, touched.
    fn find(&self, id: &str, now: Instant) -> bool {
        let mut map = self.lock();
        match map.get_mut(id) {
            Some(entry) if entry.live(now) => {
                entry.seen = now;
                true
            }
            Some(_) => {
                map.remove(id);
                false
            }
            None => false,
        }
    }

    /// A new session holding `data`; returns its id.
    fn insert(&self, data: SessionData, now: Instant) -> String {
        let id = random_hex();
        let mut map = self.lock();
        if map.len() >= MAX_SESSIONS {
            // One pass drops the expired and a batch of anonymous sessions, so a
            // flood of new visitors costs one scan per batch and signs nobody out.
            let mut dropped = 0;
            map.retain(|_, e| {
                let anonymous = e.data.contact.is_none() && e.data.login.is_none();
                let drop = !e.live(now) || (anonymous && dropped < EVICT_BATCH);
                dropped += usize::from(drop);
                !drop
            });
        }
        if map.len() >= MAX_SESSIONS {
            let oldest = map
                .iter()
                .min_by_key(|(_, e)| e.seen)
                .map(|(k, _)| k.clone());
            if let Some(oldest) = oldest {
                map.remove(&oldest);
            }
        }
        map.insert(
            id.clone(),
            Entry {
                data,
                created: now,
                seen: now,
            },
        );
        id
    }

    /// Ends every session of `contact_id` but the one `keep` names: after a
    /// password change or reset, a session opened with the old password ends.
    pub(crate) fn end_others(&self, contact_id: u64, keep: Option<&Session>) {
        let keep = keep.map(Session::id);
        self.lock().retain(|id, entry| {
            entry.data.contact != Some(contact_id) || keep.as_deref() == Some(id.as_str())
        });
    }
}

fn fresh_data() -> SessionData {
    SessionData {
        csrf: random_hex(),
        contact: None,
        login: None,
        reset: None,
        flash: None,
        passkey: None,
    }
}

/// 256 random bits as 64 lower-case hex digits.
fn random_hex() -> String {
    use core::fmt::Write;
    let bytes: [u8; 32] = rand::random();
    bytes.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// The current request's session, as handlers take it.
#[derive(Clone)]
pub(crate) struct Session {
    sessions: Arc<Sessions>,
    id: Arc<Mutex<String>>,
    /// Set when the id changed during the request: the response sets the cookie.
    renewed: Arc<Mutex<bool>>,
}

impl Session {
    fn id(&self) -> String {
        self.id
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// A copy of what the session holds.
    pub(crate) fn data(&self) -> SessionData {
        let id = self.id();
        self.sessions
            .lock()
            .get(&id)
            .map_or_else(fresh_data, |e| e.data.clone())
    }

    /// Changes what the session holds.
    pub(crate) fn update<T>(&self, change: impl FnOnce(&mut SessionData) -> T) -> T {
        let id = self.id();
        let mut map = self.sessions.lock();
        match map.get_mut(&id) {
            Some(entry) => change(&mut entry.data),
            None => change(&mut fresh_data()),
        }
    }

    /// Moves the session to a fresh id with a fresh CSRF token, after `change`:
    /// at every step of signing in, and at logout.
    pub(crate) fn renew(&self, change: impl FnOnce(&mut SessionData)) {
        let old = self.id();
        let mut data = self
            .sessions
            .lock()
            .remove(&old)
            .map_or_else(fresh_data, |e| e.data);
        change(&mut data);
        data.csrf = random_hex();
        let new = self.sessions.insert(data, Instant::now());
        *self.id.lock().unwrap_or_else(PoisonError::into_inner) = new;
        *self.renewed.lock().unwrap_or_else(PoisonError::into_inner) = true;
    }

    /// The banner for this page, taken (it shows once).
    pub(crate) fn take_flash(&self) -> Option<String> {
        self.update(|d| d.flash.take())
    }

    /// Keeps `state` for the answer to a ceremony begun for `purpose`,
    /// replacing any ceremony begun before (one at a time per browser).
    pub(crate) fn begin_passkey(&self, purpose: Purpose, state: String) {
        self.update(|d| d.passkey = Some(PasskeyCeremony { purpose, state }));
    }

    /// Takes the state of the ceremony begun for `purpose`: an answer is
    /// tried once, right or wrong (a new page begins a new ceremony).
    pub(crate) fn take_passkey(&self, purpose: Purpose) -> Option<String> {
        self.update(|d| match d.passkey.take() {
            Some(ceremony) if ceremony.purpose == purpose => Some(ceremony.state),
            other => {
                d.passkey = other;
                None
            }
        })
    }

    /// The signed-in contact, or [`WebError::SignIn`].
    pub(crate) fn contact(&self) -> Result<u64, WebError> {
        self.data().contact.ok_or(WebError::SignIn)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Session {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        // Put there by `layer`, which runs in front of every route.
        parts
            .extensions
            .get::<Session>()
            .cloned()
            .ok_or(WebError::Internal)
    }
}

/// The value of cookie `name` in the request's `Cookie` headers.
pub(crate) fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| crate::input::cookie(v, name))
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Strict, and Secure outside
/// development (where the demo runs on plain http on loopback).
pub(crate) fn set_cookie(name: &str, value: &str, max_age: Option<u64>, dev: bool) -> HeaderValue {
    let mut cookie = format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict");
    if let Some(seconds) = max_age {
        cookie.push_str(&format!("; Max-Age={seconds}"));
    }
    if !dev {
        cookie.push_str("; Secure");
    }
    // Hex ids, fixed attributes: always a valid header value.
    HeaderValue::from_str(&cookie).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// The middleware in front of every route: finds or starts the session, checks
/// the CSRF token of every state-changing request, and sets the cookie when the
/// session is new or was renewed.
pub(crate) async fn layer(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let now = Instant::now();
    let (mut parts, body) = request.into_parts();
    let known = cookie(&parts.headers, COOKIE)
        .and_then(crate::input::session_id)
        .filter(|id| app.sessions.find(id, now))
        .map(str::to_owned);
    let renewed = known.is_none();
    let id = known.unwrap_or_else(|| app.sessions.insert(fresh_data(), now));
    let session = Session {
        sessions: Arc::clone(&app.sessions),
        id: Arc::new(Mutex::new(id)),
        renewed: Arc::new(Mutex::new(renewed)),
    };

    let body = if parts.method == Method::GET || parts.method == Method::HEAD {
        body
    } else {
        let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY).await else {
            return pages::render(
                StatusCode::PAYLOAD_TOO_LARGE,
                &ErrorPage::new("That form is too large.".to_owned()),
            );
        };
        let sent = crate::input::csrf_field(&bytes).unwrap_or_default();
        let expected = session.data().csrf;
        if !bool::from(sent.as_bytes().ct_eq(expected.as_bytes())) {
            tracing::warn!(path = %parts.uri.path(), "missing or wrong CSRF token");
            return with_cookie(
                pages::render(
                    StatusCode::FORBIDDEN,
                    &ErrorPage::new(
                        "This form has expired or did not come from this site. Go \
                                  back, reload the page and try again."
                            .to_owned(),
                    ),
                ),
                &session,
                app.options.dev,
            );
        }
        Body::from(bytes)
    };
    parts.extensions.insert(session.clone());
    let response = next.run(Request::from_parts(parts, body)).await;
    with_cookie(response, &session, app.options.dev)
}

fn with_cookie(mut response: Response, session: &Session, dev: bool) -> Response {
    if *session
        .renewed
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
    {
        response.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(COOKIE, &session.id(), None, dev),
        );
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_found_among_many() {
        let mut headers = HeaderMap::new();
        headers.append(
            header::COOKIE,
            HeaderValue::from_static("a=1; countersign_session=abc"),
        );
        headers.append(
            header::COOKIE,
            HeaderValue::from_static("countersign_device=xyz"),
        );
        assert_eq!(cookie(&headers, COOKIE), Some("abc"));
        assert_eq!(cookie(&headers, DEVICE_COOKIE), Some("xyz"));
        assert_eq!(cookie(&headers, "countersign"), None);
    }

    #[test]
    fn cookie_attributes() {
        let prod = set_cookie(COOKIE, "abc", None, false);
        assert_eq!(
            prod,
            "countersign_session=abc; Path=/; HttpOnly; SameSite=Strict; Secure"
        );
        let dev = set_cookie(DEVICE_COOKIE, "x", Some(60), true);
        assert_eq!(
            dev,
            "countersign_device=x; Path=/; HttpOnly; SameSite=Strict; Max-Age=60"
        );
    }

    #[test]
    fn a_flood_of_visitors_signs_nobody_out() {
        let sessions = Sessions::default();
        let now = Instant::now();
        let mut joe = fresh_data();
        joe.contact = Some(3522);
        let signed_in = sessions.insert(joe, now);
        for _ in 0..MAX_SESSIONS + 10 {
            sessions.insert(fresh_data(), now);
        }
        assert!(sessions.find(&signed_in, now));
        assert!(sessions.lock().len() <= MAX_SESSIONS);
    }

    #[test]
    fn a_full_table_drops_a_batch_of_visitors_and_keeps_the_longest_idle_contact() {
        let sessions = Sessions::default();
        let start = Instant::now();
        let mut joe = fresh_data();
        joe.contact = Some(3522);
        // Joe is the least recently seen: dropping the oldest would sign him out.
        let signed_in = sessions.insert(joe, start);
        let later = start + Duration::from_secs(1);
        for _ in 1..MAX_SESSIONS {
            sessions.insert(fresh_data(), later);
        }
        assert_eq!(sessions.lock().len(), MAX_SESSIONS);
        sessions.insert(fresh_data(), later);
        // One scan dropped a whole batch of anonymous sessions, then made room.
        assert_eq!(sessions.lock().len(), MAX_SESSIONS - EVICT_BATCH + 1);
        assert!(sessions.find(&signed_in, later));
    }

    #[test]
    fn a_full_table_of_signed_in_contacts_loses_only_its_longest_idle_one() {
        let sessions = Sessions::default();
        let start = Instant::now();
        let signed_in = |contact| {
            let mut data = fresh_data();
            data.contact = Some(contact);
            data
        };
        let oldest = sessions.insert(signed_in(1), start);
        let later = start + Duration::from_secs(1);
        let contacts = 2..=u64::try_from(MAX_SESSIONS).unwrap();
        let kept: Vec<String> = contacts
            .map(|c| sessions.insert(signed_in(c), later))
            .collect();
        // No one here is anonymous: one more visitor signs out the longest idle
        // contact, and no batch of others.
        sessions.insert(fresh_data(), later);
        assert_eq!(sessions.lock().len(), MAX_SESSIONS);
        assert!(!sessions.find(&oldest, later));
        assert!(kept.iter().all(|id| sessions.find(id, later)));
    }

    #[test]
    fn a_session_ends_after_30_idle_minutes_or_12_hours() {
        let minutes = |n: u64| Duration::from_secs(n * 60);
        let sessions = Sessions::default();
        let start = Instant::now();
        let id = sessions.insert(fresh_data(), start);
        // Idle 29 minutes: still there (and touched); idle 30: gone.
        assert!(sessions.find(&id, start + minutes(29)));
        assert!(!sessions.find(&id, start + minutes(29 + 30)));

        // Used every 29 minutes, it lasts 12 hours from its start and no longer.
        let id = sessions.insert(fresh_data(), start);
        let mut at = start;
        while at + minutes(29) < start + minutes(12 * 60) {
            at += minutes(29);
            assert!(sessions.find(&id, at));
        }
        assert!(sessions.find(&id, start + minutes(12 * 60) - Duration::from_secs(1)));
        assert!(!sessions.find(&id, start + minutes(12 * 60)));
    }

    #[test]
    fn renewing_moves_the_data_to_a_new_id_and_token() {
        let sessions = Arc::new(Sessions::default());
        let now = Instant::now();
        let id = sessions.insert(fresh_data(), now);
        let session = Session {
            sessions: Arc::clone(&sessions),
            id: Arc::new(Mutex::new(id.clone())),
            renewed: Arc::new(Mutex::new(false)),
        };
        let before = session.data().csrf;
        session.renew(|d| d.contact = Some(3522));
        assert_ne!(session.id(), id);
        assert!(!sessions.find(&id, now), "the old id is dead");
        assert_eq!(session.data().contact, Some(3522));
        assert_ne!(session.data().csrf, before);
    }

    #[test]
    fn a_ceremonys_state_goes_to_an_answer_for_its_purpose_only_and_once() {
        let sessions = Arc::new(Sessions::default());
        let id = sessions.insert(fresh_data(), Instant::now());
        let session = Session {
            sessions,
            id: Arc::new(Mutex::new(id)),
            renewed: Arc::new(Mutex::new(false)),
        };
        session.begin_passkey(Purpose::Register, "registration state".to_owned());
        // An answer posted to sign-in finds no ceremony of its own, and leaves the
        // registration begun on the profile to be finished.
        assert_eq!(session.take_passkey(Purpose::SecondFactor), None);
        assert_eq!(session.take_passkey(Purpose::Passwordless), None);
        assert_eq!(
            session.take_passkey(Purpose::Register).as_deref(),
            Some("registration state")
        );
        assert_eq!(session.take_passkey(Purpose::Register), None, "tried once");
    }
}
