//! Security keys and passkeys on View Profile (issue 15): "Add a security key
//! or passkey" (a name and the password, then the browser's ceremony) and
//! "Remove" beside each (the password). The WebAuthn checks are the facade's;
//! these handlers keep the ceremony's sealed state in the server-side session
//! and carry the browser's answer to the facade through the store.

use std::sync::Arc;

use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use countersign::passkey::PasskeyId;
use serde::Deserialize;
use zeroize::ZeroizeOnDrop;

use super::profile::step;
use super::{layout, layout_with_error, refused_page, see_other, signed_in};
use crate::app::App;
use crate::error::{WebError, passkey_answer_refused};
use crate::input::{Ceremony, passkey_response};
use crate::pages::{self, AddPasskeyPage, CreatePasskeyPage, RemovePasskeyPage};
use crate::session::{Purpose, Session};

/// Said when the answer comes back to a ceremony this browser no longer has
/// (expired, finished, replaced by a newer page, or the server restarted).
const CEREMONY_GONE: &str = "That request to add a security key expired or was already \
     used: select \"Add a security key or passkey\" to start again.";

/// GET /profile/passkeys/add: "Add a security key or passkey", its name first.
pub(crate) async fn add_form(
    State(app): State<Arc<App>>,
    session: Session,
) -> Result<Response, WebError> {
    let account = signed_in(&app, &session).await?;
    if !app.portal.passkeys_enabled() {
        return Err(WebError::NotFound);
    }
    if !account.two_factor_enabled() {
        // Backup codes first: they recover an account whose keys are lost.
        return Ok(see_other("/profile/two-factor/enable"));
    }
    Ok(pages::ok(&AddPasskeyPage {
        layout: layout(&app, &session, Some(&account)),
        name: String::new(),
    }))
}

#[derive(Deserialize, ZeroizeOnDrop)]
pub(crate) struct AddForm {
    name: String,
    password: String,
}

/// POST /profile/passkeys/add: the gate, the name, the password; then the
/// page whose button calls `navigator.credentials.create`.
pub(crate) async fn add(
    State(app): State<Arc<App>>,
    session: Session,
    Form(form): Form<AddForm>,
) -> Result<Response, WebError> {
    let account = signed_in(&app, &session).await?;
    let now = app.now();
    let id = account.profile().contact_id;
    let typed = form.name.clone();
    let client_id = account.profile().client_id;
    let grants = app.blocking(move |app| app.grants_of(client_id)).await??;
    let started = step(&app, id, move |app, a| {
        let access = grants.access()?;
        let challenge = app.portal.begin_passkey_registration(
            a,
            &access,
            &form.name,
            &form.password,
            now,
            &mut rand::rng(),
        )?;
        Ok((
            challenge.options_json().to_owned(),
            challenge.state().to_owned(),
            challenge.expires_at(),
        ))
    })
    .await?;
    match started {
        Ok((options, state, expires_at)) => {
            session.begin_passkey(Purpose::Register, state);
            Ok(pages::ok(&CreatePasskeyPage {
                layout: layout(&app, &session, Some(&account)),
                name: typed.trim().to_owned(),
                options,
                minutes: expires_at.saturating_sub(now).div_ceil(60),
            }))
        }
        Err(countersign::Error::NotEnrolled) => Ok(see_other("/profile/two-factor/enable")),
        Err(error) => Ok(refused_page(
            &app,
            &session,
            Some(&account),
            &error,
            now,
            |layout| AddPasskeyPage {
                layout,
                name: typed,
            },
        )),
    }
}

/// The form the passkey script posts: the browser's answer as JSON.
#[derive(Deserialize)]
pub(crate) struct AnswerForm {
    #[serde(default)]
    pub(crate) response: String,
    /// "Remember this device for 30 days", at the second step.
    pub(crate) remember: Option<String>,
}

/// POST /profile/passkeys/finish: the answer to the registration ceremony.
pub(crate) async fn finish(
    State(app): State<Arc<App>>,
    session: Session,
    Form(form): Form<AnswerForm>,
) -> Result<Response, WebError> {
    let account = signed_in(&app, &session).await?;
    let now = app.now();
    let id = account.profile().contact_id;
    let refused = |status, message: String| {
        pages::render(
            status,
            &AddPasskeyPage {
                layout: layout_with_error(&app, &session, Some(&account), message),
                name: String::new(),
            },
        )
    };
    let Some(state) = session.take_passkey(Purpose::Register) else {
        return Ok(refused(StatusCode::GONE, CEREMONY_GONE.to_owned()));
    };
    let answer = match passkey_response(&form.response, Ceremony::Registration) {
        Ok(answer) => answer.to_owned(),
        Err(error) => {
            return Ok(refused(
                StatusCode::BAD_REQUEST,
                passkey_answer_refused(&error),
            ));
        }
    };
    let added = step(&app, id, move |app, a| {
        let added = app
            .portal
            .finish_passkey_registration(a, &state, &answer, now)?;
        let name = a
            .passkeys()
            .iter()
            .find(|p| p.id() == added)
            .map(|p| p.name().as_str().to_owned())
            .unwrap_or_default();
        Ok(name)
    })
    .await?;
    match added {
        Ok(name) => {
            session.update(|d| {
                d.flash = Some(format!(
                    "Success: the security key {name} was added. It signs you in \
                     instead of a code."
                ));
            });
            Ok(see_other("/profile"))
        }
        Err(countersign::Error::NotEnrolled) => Ok(see_other("/profile/two-factor/enable")),
        Err(error) => {
            let (status, message) = crate::error::refusal(&error, now);
            Ok(refused(status, message))
        }
    }
}

#[derive(Deserialize)]
pub(crate) struct WhichPasskey {
    #[serde(default)]
    id: String,
}

/// The passkey a form names, or `None` for an id that is not one of the
/// account's (malformed, or removed meanwhile).
fn named(account: &countersign::Account, id: &str) -> Option<(PasskeyId, String)> {
    let id: PasskeyId = id.trim().parse().ok()?;
    account
        .passkeys()
        .iter()
        .find(|p| p.id() == id)
        .map(|p| (id, p.name().as_str().to_owned()))
}

/// GET /profile/passkeys/remove?id=...: "Remove", the password pop-up.
pub(crate) async fn remove_form(
    State(app): State<Arc<App>>,
    session: Session,
    Query(which): Query<WhichPasskey>,
) -> Result<Response, WebError> {
    let account = signed_in(&app, &session).await?;
    let Some((id, name)) = named(&account, &which.id) else {
        session.update(|d| {
            d.flash = Some("That security key is not on your account any more.".to_owned());
        });
        return Ok(see_other("/profile"));
    };
    Ok(pages::ok(&RemovePasskeyPage {
        layout: layout(&app, &session, Some(&account)),
        id: id.to_string(),
        name,
    }))
}

#[derive(Deserialize, ZeroizeOnDrop)]
pub(crate) struct RemoveForm {
    #[serde(default)]
    id: String,
    password: String,
}

/// POST /profile/passkeys/remove: the password, then that key goes.
pub(crate) async fn remove(
    State(app): State<Arc<App>>,
    session: Session,
    Form(form): Form<RemoveForm>,
) -> Result<Response, WebError> {
    let account = signed_in(&app, &session).await?;
    let now = app.now();
    let contact_id = account.profile().contact_id;
    let Some((id, name)) = named(&account, &form.id) else {
        session.update(|d| {
            d.flash = Some("That security key is not on your account any more.".to_owned());
        });
        return Ok(see_other("/profile"));
    };
    let shown = name.clone();
    match step(&app, contact_id, move |app, a| {
        app.portal
            .remove_passkey(a, &form.password, id, now, &mut rand::rng())
    })
    .await?
    {
        Ok(()) => {
            session.update(|d| {
                d.flash = Some(format!(
                    "Success: the security key {shown} was removed. It no longer signs you in."
                ));
            });
            Ok(see_other("/profile"))
        }
        Err(error) => Ok(refused_page(
            &app,
            &session,
            Some(&account),
            &error,
            now,
            |layout| RemovePasskeyPage {
                layout,
                id: id.to_string(),
                name,
            },
        )),
    }
}
