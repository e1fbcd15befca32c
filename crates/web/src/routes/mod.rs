//! The handlers, one module per part of the portal. Each translates: it reads
//! the form, runs one facade step through the store on the blocking pool, and
//! renders what the step answered.

pub(crate) mod account;
pub(crate) mod codes;
pub(crate) mod contacts;
pub(crate) mod dev;
pub(crate) mod login;
pub(crate) mod passkeys;
pub(crate) mod phone;
pub(crate) mod profile;

use std::sync::Arc;

use axum::response::{IntoResponse, Redirect, Response};
use countersign::Account;

use crate::app::App;
use crate::error::WebError;
use crate::pages::Layout;
use crate::session::Session;

/// What a facade step answered: its value, or its refusal to show on the page.
pub(crate) type Step<T> = Result<T, countersign::Error>;

/// Splits a store answer: the flow's refusal (shown on the page, with its
/// status) apart from a failure of the store itself (a 503 or a 500).
pub(crate) fn flow<T>(result: countersign_store::Result<T>) -> Result<Step<T>, WebError> {
    match result {
        Ok(value) => Ok(Ok(value)),
        Err(countersign_store::Error::Flow(error)) => Ok(Err(error)),
        Err(error) => Err(error.into()),
    }
}

/// The violations of a refused new password, for the list beside the form.
pub(crate) fn violations(error: &countersign::Error) -> Vec<String> {
    match error {
        countersign::Error::PasswordRejected { report, .. } => report
            .violations
            .iter()
            .map(|v| v.message.to_string())
            .collect(),
        _ => Vec::new(),
    }
}

/// The frame of a page for this session: its CSRF token and its banner (taken:
/// it shows once).
pub(crate) fn layout(app: &App, session: &Session, user: Option<&Account>) -> Layout {
    let data = session.data();
    Layout {
        csrf: data.csrf,
        flash: session.take_flash(),
        error: None,
        user: user.map(|a| a.profile().name.clone()),
        dev: app.options.dev,
    }
}

/// The same frame with an error shown.
pub(crate) fn layout_with_error(
    app: &App,
    session: &Session,
    user: Option<&Account>,
    error: String,
) -> Layout {
    Layout {
        error: Some(error),
        ..layout(app, session, user)
    }
}

/// The page that refuses a flow's step: [`refusal`](crate::error::refusal)'s
/// status and message, the message in the banner of the page `page` builds
/// around its layout (the form again, with what was typed kept).
pub(crate) fn refused_page<P: askama::Template>(
    app: &App,
    session: &Session,
    user: Option<&Account>,
    error: &countersign::Error,
    now: u64,
    page: impl FnOnce(Layout) -> P,
) -> Response {
    let (status, message) = crate::error::refusal(error, now);
    crate::pages::render(
        status,
        &page(layout_with_error(app, session, user, message)),
    )
}

/// The signed-in contact's account, or the login page.
pub(crate) async fn signed_in(app: &Arc<App>, session: &Session) -> Result<Account, WebError> {
    let id = session.contact()?;
    match app.blocking(move |app| app.store.load(id)).await? {
        Ok(account) => Ok(account),
        Err(countersign_store::Error::NotFound { .. }) => {
            session.renew(|d| d.contact = None);
            Err(WebError::SignIn)
        }
        Err(error) => Err(error.into()),
    }
}

/// "See Other": after a form that changed something, the browser GETs the next page.
pub(crate) fn see_other(path: &str) -> Response {
    Redirect::to(path).into_response()
}

/// `/`: the profile when signed in, else the login page.
pub(crate) async fn home(session: Session) -> Response {
    if session.data().contact.is_some() {
        see_other("/profile")
    } else {
        see_other("/login")
    }
}

/// Any other path.
pub(crate) async fn not_found() -> WebError {
    WebError::NotFound
}

/// The one stylesheet (no inline styles: the CSP forbids them).
pub(crate) async fn stylesheet() -> Response {
    (
        [
            (axum::http::header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (axum::http::header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/portal.css"),
    )
        .into_response()
}

/// The one script: security keys and passkeys (`navigator.credentials`).
pub(crate) async fn script() -> Response {
    (
        [
            (
                axum::http::header::CONTENT_TYPE,
                "text/javascript; charset=utf-8",
            ),
            (axum::http::header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/passkey.js"),
    )
        .into_response()
}
