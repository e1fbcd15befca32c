//! Create Account and Reset Password (seed 003).

use std::sync::Arc;

use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use countersign::Profile;
use countersign::one_time::Channel;
use countersign_store::StoreExt;
use serde::Deserialize;
use zeroize::ZeroizeOnDrop;

use super::{flow, layout, layout_with_error, see_other, violations};
use crate::app::App;
use crate::error::{CODE_REFUSED, WebError, refusal};
use crate::pages::{self, CreatePage, CreatedPage, ResetCodePage, ResetPage};
use crate::sender::Message;
use crate::session::Session;

/// GET /create
pub(crate) async fn create_form(State(app): State<Arc<App>>, session: Session) -> Response {
    pages::ok(&CreatePage {
        layout: layout(&app, &session, None),
        name: String::new(),
        email: String::new(),
        username: String::new(),
        violations: Vec::new(),
        suggestions: Vec::new(),
    })
}

#[derive(Deserialize, ZeroizeOnDrop)]
pub(crate) struct CreateForm {
    name: String,
    email: String,
    username: String,
    password: String,
}

enum Created {
    Done {
        username: String,
        client_id: u64,
    },
    Refused {
        status: StatusCode,
        message: String,
        violations: Vec<String>,
        suggestions: Vec<String>,
    },
}

fn refused(status: StatusCode, message: &str) -> Created {
    Created::Refused {
        status,
        message: message.to_owned(),
        violations: Vec::new(),
        suggestions: Vec::new(),
    }
}

/// POST /create: a new client with its primary contact.
pub(crate) async fn create(
    State(app): State<Arc<App>>,
    session: Session,
    Form(form): Form<CreateForm>,
) -> Result<Response, WebError> {
    let (name, email, username) = (
        form.name.trim().to_owned(),
        form.email.trim().to_owned(),
        form.username.trim().to_owned(),
    );
    let now = app.now();
    let created = app
        .blocking(move |app| create_account(app, &form, now))
        .await??;
    Ok(match created {
        Created::Done {
            username,
            client_id,
        } => pages::ok(&CreatedPage {
            layout: layout(&app, &session, None),
            username,
            client_id,
        }),
        Created::Refused {
            status,
            message,
            violations,
            suggestions,
        } => pages::render(
            status,
            &CreatePage {
                layout: layout_with_error(&app, &session, None, message),
                name,
                email,
                username,
                violations,
                suggestions,
            },
        ),
    })
}

fn create_account(app: &App, form: &CreateForm, now: u64) -> Result<Created, WebError> {
    let (name, email, username) = (form.name.trim(), form.email.trim(), form.username.trim());
    if name.is_empty() || email.is_empty() || username.is_empty() {
        return Ok(refused(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Fill out every required field (*).",
        ));
    }
    if !email.contains('@') || username.len() > 64 || username.chars().any(char::is_whitespace) {
        return Ok(refused(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Enter an email address, and a username of at most 64 characters without spaces.",
        ));
    }
    if username.bytes().all(|b| b.is_ascii_digit()) {
        // A number on the login form is a Client ID.
        return Ok(refused(
            StatusCode::UNPROCESSABLE_ENTITY,
            "A username must not be only digits: those log in as a Client ID.",
        ));
    }
    // The store allocates no ids: draw them, and draw again on a collision.
    for _ in 0..8 {
        let profile = Profile {
            contact_id: rand::random_range(100_000..10_000_000),
            client_id: rand::random_range(100_000..10_000_000),
            name: name.to_owned(),
            username: username.to_owned(),
            email: email.to_owned(),
            cell_phone: None,
            primary: true,
        };
        let client_id = profile.client_id;
        let account = match app
            .portal
            .create_account(profile, &form.password, &mut rand::rng())
        {
            Ok(account) => account,
            Err(ref error @ countersign::Error::PasswordRejected { ref report, .. }) => {
                return Ok(Created::Refused {
                    status: StatusCode::UNPROCESSABLE_ENTITY,
                    message: "The password does not meet the rules.".to_owned(),
                    violations: violations(error),
                    suggestions: report
                        .suggestions
                        .iter()
                        .map(|s| s.message.to_string())
                        .collect(),
                });
            }
            Err(error) => {
                let (status, message) = refusal(&error, now);
                return Ok(refused(status, &message));
            }
        };
        match app.store.insert(&account) {
            Ok(()) => {
                tracing::info!(client_id, "account created");
                return Ok(Created::Done {
                    username: username.to_owned(),
                    client_id,
                });
            }
            Err(countersign_store::Error::Taken { what: "username" }) => {
                return Ok(refused(StatusCode::CONFLICT, "That username is taken."));
            }
            Err(countersign_store::Error::Taken { .. }) => {}
            Err(error) => return Err(error.into()),
        }
    }
    Err(WebError::Unavailable)
}

/// GET /reset
pub(crate) async fn reset_form(State(app): State<Arc<App>>, session: Session) -> Response {
    pages::ok(&ResetPage {
        layout: layout(&app, &session, None),
    })
}

#[derive(Deserialize)]
pub(crate) struct ResetForm {
    login: String,
}

/// POST /reset: emails a reset code to the address on file. The answer is the
/// same whether or not the login exists.
pub(crate) async fn reset(
    State(app): State<Arc<App>>,
    session: Session,
    Form(form): Form<ResetForm>,
) -> Result<Response, WebError> {
    let now = app.now();
    let id = app
        .blocking(move |app| {
            let Some(id) = app.store.find_login(&form.login)? else {
                return Ok(None);
            };
            match app.store.update(id, |a| {
                app.portal.request_password_reset(a, now, &mut rand::rng())
            }) {
                Ok(delivery) => send_reset_code(app, &delivery, now),
                // The hourly limit on reset emails: the same answer, no email.
                Err(e) if e.flow().is_some() => {
                    tracing::info!(contact = id, "reset email refused: {e}");
                }
                Err(e) => return Err(e),
            }
            Ok::<_, countersign_store::Error>(Some(id))
        })
        .await??;
    session.update(|d| d.reset = id);
    Ok(pages::ok(&ResetCodePage {
        layout: layout(&app, &session, None),
        violations: Vec::new(),
    }))
}

#[derive(Deserialize, ZeroizeOnDrop)]
pub(crate) struct ResetCodeForm {
    code: String,
    password: String,
}

/// POST /reset/code: the emailed code and the new password.
pub(crate) async fn reset_code(
    State(app): State<Arc<App>>,
    session: Session,
    Form(form): Form<ResetCodeForm>,
) -> Result<Response, WebError> {
    let now = app.now();
    let page = |status, message: String, violations| {
        pages::render(
            status,
            &ResetCodePage {
                layout: layout_with_error(&app, &session, None, message),
                violations,
            },
        )
    };
    let Some(id) = session.data().reset else {
        return Ok(page(
            StatusCode::UNAUTHORIZED,
            CODE_REFUSED.to_owned(),
            Vec::new(),
        ));
    };
    let result = app
        .blocking(move |app| {
            flow(app.store.update(id, |a| {
                app.portal
                    .reset_password(a, &form.code, &form.password, now, &mut rand::rng())
            }))
        })
        .await??;
    match result {
        Ok(message) => {
            app.sessions.end_others(id, None);
            session.update(|d| {
                d.reset = None;
                d.flash = Some(message.to_owned());
            });
            Ok(see_other("/login"))
        }
        Err(error) => {
            let (status, message) = refusal(&error, now);
            Ok(page(status, message, violations(&error)))
        }
    }
}

/// Emails a reset code to the address on file (none is on file: nothing to send).
pub(crate) fn send_reset_code(app: &App, delivery: &countersign::one_time::Delivery, now: u64) {
    if delivery.destination.is_empty() {
        return;
    }
    let minutes = delivery.expires_at.saturating_sub(now) / 60;
    app.sender.send(&Message {
        channel: Channel::Email,
        to: delivery.destination.clone(),
        body: format!(
            "Your Client Portal password reset code is {}. This code will quickly \
             expire (in {minutes} minutes), so proceed with the process right away.",
            delivery.code.as_str()
        ),
    });
}
