//! Signing in (seeds 003, 004): a username or the Client ID and the password,
//! then the second factor: the app's Authentication Code, a backup code, a code
//! sent by SMS, a device remembered for 30 days, or a security key (issue 15).
//! Where the deployment enables it, "Sign in with a passkey" on the login page
//! signs in with a discoverable credential alone.

use std::sync::Arc;

use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use countersign::one_time::Channel;
use countersign::{PasswordStep, SecondFactor};
use countersign_store::StoreExt;
use serde::Deserialize;
use zeroize::ZeroizeOnDrop;

use super::passkeys::AnswerForm;
use super::{flow, layout, layout_with_error, see_other};
use crate::app::App;
use crate::error::{LOGIN_REFUSED, WebError, passkey_answer_refused, refusal};
use crate::input::{Ceremony, passkey_response};
use crate::pages::{self, CodePage, Layout, LoginPage};
use crate::sender::Message;
use crate::session::{DEVICE_COOKIE, PendingLogin, Purpose, Session, cookie, set_cookie};

/// Said when a security key's answer comes back to a ceremony this browser no
/// longer has (expired, already answered, replaced by a newer page).
const PASSKEY_GONE: &str = "That security key request expired or was already used: select \
     the button to try again.";

/// The login page, with "Sign in with a passkey" where the deployment offers
/// it: a passwordless ceremony is begun for this browser each time the page
/// is shown (its state in the session, its options in the button).
pub(crate) fn login_page(app: &App, session: &Session, layout: Layout, login: String) -> LoginPage {
    let passkey = if app.portal.passwordless_enabled() {
        match app
            .portal
            .begin_passwordless_sign_in(app.now(), &mut rand::rng())
        {
            Ok(challenge) => {
                session.begin_passkey(Purpose::Passwordless, challenge.state().to_owned());
                Some(challenge.options_json().to_owned())
            }
            Err(error) => {
                tracing::warn!(%error, "no passwordless challenge: the button is left out");
                None
            }
        }
    } else {
        None
    };
    LoginPage {
        layout,
        login,
        passkey,
    }
}

/// The second step's page, with "Use a Security Key" when the contact has
/// registered one: a ceremony for their credentials is begun for this browser.
async fn code_page(
    app: &Arc<App>,
    session: &Session,
    layout: Layout,
    mode: &'static str,
    pending: &PendingLogin,
) -> Result<CodePage, WebError> {
    let passkey = if pending.has_passkeys {
        let (id, ticket, now) = (pending.contact_id, pending.ticket.clone(), app.now());
        let begun = app
            .blocking(move |app| {
                let account = app.store.load(id)?;
                Ok::<_, countersign_store::Error>(app.portal.begin_passkey_sign_in(
                    &account,
                    &ticket,
                    now,
                    &mut rand::rng(),
                ))
            })
            .await??;
        match begun {
            Ok(challenge) => {
                session.begin_passkey(Purpose::SecondFactor, challenge.state().to_owned());
                Some(challenge.options_json().to_owned())
            }
            Err(error) => {
                tracing::info!(%error, "no security key challenge: the button is left out");
                None
            }
        }
    } else {
        None
    };
    Ok(CodePage {
        layout,
        mode,
        has_cell_phone: pending.has_cell_phone,
        passkey,
    })
}

#[derive(Deserialize, ZeroizeOnDrop)]
pub(crate) struct LoginForm {
    login: String,
    password: String,
}

/// GET /login
pub(crate) async fn form(State(app): State<Arc<App>>, session: Session) -> Response {
    if session.data().contact.is_some() {
        return see_other("/profile");
    }
    let layout = layout(&app, &session, None);
    pages::ok(&login_page(&app, &session, layout, String::new()))
}

enum PasswordOutcome {
    SignedIn(u64),
    SecondFactor(PendingLogin),
    Refused(StatusCode, String),
}

/// POST /login: the password step; a remembered device stands in for the code.
pub(crate) async fn submit(
    State(app): State<Arc<App>>,
    session: Session,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Result<Response, WebError> {
    let device = cookie(&headers, DEVICE_COOKIE).map(str::to_owned);
    let login = form.login.clone();
    let now = app.now();
    let outcome = app
        .blocking(move |app| password_step(app, &form, device.as_deref(), now))
        .await??;
    Ok(match outcome {
        PasswordOutcome::SignedIn(id) => {
            session.renew(|d| {
                d.contact = Some(id);
                d.login = None;
                d.passkey = None;
            });
            see_other("/profile")
        }
        PasswordOutcome::SecondFactor(pending) => {
            session.renew(|d| {
                d.contact = None;
                d.login = Some(pending);
                d.passkey = None;
            });
            see_other("/login/code")
        }
        PasswordOutcome::Refused(status, message) => {
            let layout = layout_with_error(&app, &session, None, message);
            pages::render(status, &login_page(&app, &session, layout, login))
        }
    })
}

fn password_step(
    app: &App,
    form: &LoginForm,
    device: Option<&str>,
    now: u64,
) -> Result<PasswordOutcome, WebError> {
    let Some(id) = app.store.find_login(&form.login)? else {
        // The same Argon2id work as a real check: the answer's timing does not
        // tell which logins exist.
        let _ = app.hasher.verify(&form.password, &app.decoy_hash);
        return Ok(PasswordOutcome::Refused(
            StatusCode::UNAUTHORIZED,
            LOGIN_REFUSED.to_owned(),
        ));
    };
    let portal = &app.portal;
    let step = app.store.update(id, |a| {
        portal.sign_in(a, &form.password, now, &mut rand::rng())
    });
    let ticket = match step {
        Ok(PasswordStep::SignedIn(_)) => return Ok(PasswordOutcome::SignedIn(id)),
        Ok(PasswordStep::SecondFactorRequired(ticket)) => ticket,
        Err(countersign_store::Error::Flow(countersign::Error::Password(
            countersign::password::Error::WrongPassword,
        ))) => {
            return Ok(PasswordOutcome::Refused(
                StatusCode::UNAUTHORIZED,
                LOGIN_REFUSED.to_owned(),
            ));
        }
        Err(countersign_store::Error::Flow(error)) => {
            let (status, message) = refusal(&error, now);
            return Ok(PasswordOutcome::Refused(status, message));
        }
        Err(error) => return Err(error.into()),
    };
    if let Some(device) = device {
        let remembered = app.store.update(id, |a| {
            let factor = SecondFactor::RememberedDevice(device);
            portal.complete_sign_in(a, &ticket, factor, false, now, &mut rand::rng())
        });
        match remembered {
            Ok(_) => return Ok(PasswordOutcome::SignedIn(id)),
            // Expired, revoked, another contact's: ask for the code.
            Err(countersign_store::Error::Flow(_)) => {}
            Err(error) => return Err(error.into()),
        }
    }
    let account = app.store.load(id)?;
    Ok(PasswordOutcome::SecondFactor(PendingLogin {
        contact_id: id,
        ticket,
        has_cell_phone: account.profile().cell_phone.is_some(),
        has_passkeys: app.portal.passkeys_enabled() && !account.passkeys().is_empty(),
    }))
}

#[derive(Deserialize)]
pub(crate) struct CodeQuery {
    with: Option<String>,
}

fn mode(with: Option<&str>) -> &'static str {
    match with {
        Some("backup") => "backup",
        Some("sms") => "sms",
        _ => "app",
    }
}

/// GET /login/code: the second step.
pub(crate) async fn code_form(
    State(app): State<Arc<App>>,
    session: Session,
    Query(query): Query<CodeQuery>,
) -> Result<Response, WebError> {
    let Some(pending) = session.data().login else {
        return Ok(see_other("/login"));
    };
    let layout = layout(&app, &session, None);
    let page = code_page(
        &app,
        &session,
        layout,
        mode(query.with.as_deref()),
        &pending,
    )
    .await?;
    Ok(pages::ok(&page))
}

#[derive(Deserialize, ZeroizeOnDrop)]
pub(crate) struct CodeForm {
    /// "app", "backup" or "sms": which field the page showed.
    kind: String,
    code: String,
    remember: Option<String>,
}

/// POST /login/code
pub(crate) async fn code(
    State(app): State<Arc<App>>,
    session: Session,
    Form(form): Form<CodeForm>,
) -> Result<Response, WebError> {
    let Some(pending) = session.data().login else {
        return Ok(see_other("/login"));
    };
    let now = app.now();
    let (id, ticket) = (pending.contact_id, pending.ticket.clone());
    let kind = mode(Some(form.kind.as_str()));
    let remember = form.remember.is_some();
    let result = app
        .blocking(move |app| {
            flow(app.store.update(id, |a| {
                let factor = match kind {
                    "backup" => SecondFactor::BackupCode(&form.code),
                    "sms" => SecondFactor::SmsCode(&form.code),
                    _ => SecondFactor::Totp(&form.code),
                };
                app.portal
                    .complete_sign_in(a, &ticket, factor, remember, now, &mut rand::rng())
            }))
        })
        .await??;
    second_step_answered(&app, &session, &pending, kind, id, result, now).await
}

/// What the second step's answer led to: signed in (with the device cookie
/// when asked to remember it), back to the login page when the ticket is
/// gone, or the second step again with the refusal.
async fn second_step_answered(
    app: &Arc<App>,
    session: &Session,
    pending: &PendingLogin,
    kind: &'static str,
    id: u64,
    result: super::Step<countersign::SignedIn>,
    now: u64,
) -> Result<Response, WebError> {
    match result {
        Ok(signed_in) => {
            session.renew(|d| {
                d.login = None;
                d.passkey = None;
                d.contact = Some(id);
                d.flash = sign_in_notice(&signed_in);
            });
            let mut response = see_other("/profile");
            if let Some(token) = signed_in.device_token {
                let lifetime = app.portal.settings().devices.lifetime();
                let value = set_cookie(
                    DEVICE_COOKIE,
                    token.as_str(),
                    Some(lifetime),
                    app.options.dev,
                );
                response.headers_mut().append(header::SET_COOKIE, value);
            }
            Ok(response)
        }
        Err(countersign::Error::LoginTicketInvalid | countersign::Error::NotEnrolled) => {
            session.renew(|d| {
                d.login = None;
                d.passkey = None;
            });
            let layout = layout_with_error(
                app,
                session,
                None,
                "Your sign-in expired: enter your password again.".to_owned(),
            );
            Ok(pages::render(
                StatusCode::UNAUTHORIZED,
                &login_page(app, session, layout, String::new()),
            ))
        }
        Err(error) => {
            let (status, message) = refusal(&error, now);
            Ok(second_step_refused(app, session, pending, kind, status, message).await?)
        }
    }
}

/// The second step again, with `message` in its banner.
async fn second_step_refused(
    app: &Arc<App>,
    session: &Session,
    pending: &PendingLogin,
    kind: &'static str,
    status: StatusCode,
    message: String,
) -> Result<Response, WebError> {
    let layout = layout_with_error(app, session, None, message);
    let page = code_page(app, session, layout, kind, pending).await?;
    Ok(pages::render(status, &page))
}

/// POST /login/passkey: "Use a Security Key", the browser's assertion as the
/// second factor.
pub(crate) async fn passkey(
    State(app): State<Arc<App>>,
    session: Session,
    Form(form): Form<AnswerForm>,
) -> Result<Response, WebError> {
    let Some(pending) = session.data().login else {
        return Ok(see_other("/login"));
    };
    let now = app.now();
    let Some(state) = session.take_passkey(Purpose::SecondFactor) else {
        return second_step_refused(
            &app,
            &session,
            &pending,
            "app",
            StatusCode::GONE,
            PASSKEY_GONE.to_owned(),
        )
        .await;
    };
    let answer = match passkey_response(&form.response, Ceremony::Assertion) {
        Ok(answer) => answer.to_owned(),
        Err(error) => {
            let message = passkey_answer_refused(&error);
            return second_step_refused(
                &app,
                &session,
                &pending,
                "app",
                StatusCode::BAD_REQUEST,
                message,
            )
            .await;
        }
    };
    let (id, ticket) = (pending.contact_id, pending.ticket.clone());
    let remember = form.remember.is_some();
    let result = app
        .blocking(move |app| {
            flow(app.store.update(id, |a| {
                let factor = SecondFactor::Passkey {
                    state: &state,
                    response_json: &answer,
                };
                app.portal
                    .complete_sign_in(a, &ticket, factor, remember, now, &mut rand::rng())
            }))
        })
        .await??;
    second_step_answered(&app, &session, &pending, "app", id, result, now).await
}

enum Passwordless {
    SignedIn(u64, countersign::SignedIn),
    Refused(countersign::Error),
    /// The user handle names a contact this store does not hold.
    Unknown,
}

/// POST /login/passwordless: "Sign in with a Passkey", a discoverable
/// credential's assertion alone; its user handle says whose account to load.
pub(crate) async fn passwordless(
    State(app): State<Arc<App>>,
    session: Session,
    Form(form): Form<AnswerForm>,
) -> Result<Response, WebError> {
    if !app.portal.passwordless_enabled() {
        return Err(WebError::NotFound);
    }
    if session.data().contact.is_some() {
        return Ok(see_other("/profile"));
    }
    let now = app.now();
    let refused = |status, message: String| {
        let layout = layout_with_error(&app, &session, None, message);
        pages::render(status, &login_page(&app, &session, layout, String::new()))
    };
    let Some(state) = session.take_passkey(Purpose::Passwordless) else {
        return Ok(refused(StatusCode::GONE, PASSKEY_GONE.to_owned()));
    };
    let answer = match passkey_response(&form.response, Ceremony::Assertion) {
        Ok(answer) => answer.to_owned(),
        Err(error) => {
            return Ok(refused(
                StatusCode::BAD_REQUEST,
                passkey_answer_refused(&error),
            ));
        }
    };
    let outcome = app
        .blocking(move |app| {
            let id = match app.portal.passwordless_contact(&answer) {
                Ok(id) => id,
                Err(error) => return Ok(Passwordless::Refused(error)),
            };
            let finished = app.store.update(id, |a| {
                app.portal
                    .finish_passwordless_sign_in(a, &state, &answer, now, &mut rand::rng())
            });
            match finished {
                Ok(signed_in) => Ok(Passwordless::SignedIn(id, signed_in)),
                Err(countersign_store::Error::NotFound { .. }) => Ok(Passwordless::Unknown),
                Err(countersign_store::Error::Flow(error)) => Ok(Passwordless::Refused(error)),
                Err(error) => Err(WebError::from(error)),
            }
        })
        .await??;
    match outcome {
        Passwordless::SignedIn(id, signed_in) => {
            session.renew(|d| {
                d.login = None;
                d.passkey = None;
                d.contact = Some(id);
                d.flash = sign_in_notice(&signed_in);
            });
            Ok(see_other("/profile"))
        }
        Passwordless::Unknown => Ok(refused(
            StatusCode::UNAUTHORIZED,
            "This passkey is not registered to an account of this portal: log in with your \
             password."
                .to_owned(),
        )),
        Passwordless::Refused(error) => {
            let (status, message) = refusal(&error, now);
            Ok(refused(status, message))
        }
    }
}

/// POST /login/sms: "Send SMS Code".
pub(crate) async fn sms(
    State(app): State<Arc<App>>,
    session: Session,
) -> Result<Response, WebError> {
    let Some(pending) = session.data().login else {
        return Ok(see_other("/login"));
    };
    let now = app.now();
    let (id, ticket) = (pending.contact_id, pending.ticket.clone());
    let sent = app
        .blocking(move |app| {
            let delivery = app.store.update(id, |a| {
                app.portal.send_sms_code(a, &ticket, now, &mut rand::rng())
            })?;
            let minutes = delivery.expires_at.saturating_sub(now) / 60;
            app.sender.send(&Message {
                channel: Channel::Sms,
                to: delivery.destination.clone(),
                body: format!(
                    "Your Client Portal code is {}. It expires in {minutes} minutes.",
                    delivery.code.as_str()
                ),
            });
            Ok::<_, countersign_store::Error>(())
        })
        .await?;
    match sent {
        Ok(()) => {
            session.update(|d| d.flash = Some("A code was sent to your cell phone.".to_owned()));
            Ok(see_other("/login/code?with=sms"))
        }
        Err(countersign_store::Error::Flow(error)) => {
            let (status, message) = refusal(&error, now);
            second_step_refused(&app, &session, &pending, "app", status, message).await
        }
        Err(error) => Err(error.into()),
    }
}

/// POST /logout: the session forgets the contact and moves to a new id.
pub(crate) async fn logout(session: Session) -> Response {
    session.renew(|d| {
        d.contact = None;
        d.login = None;
        d.reset = None;
        d.passkey = None;
    });
    see_other("/login")
}

/// What the profile says after a second factor: the backup codes left after a
/// backup code, and the low-water notice whenever few are left.
fn sign_in_notice(signed_in: &countersign::SignedIn) -> Option<String> {
    let left = crate::pages::count(signed_in.backup_codes_left?, "backup code");
    let by_backup = (signed_in.via == countersign::Via::BackupCode)
        .then(|| format!("You signed in with a backup code: {left} left."));
    let low = signed_in
        .backup_codes_low
        .then(|| format!("{left} left. {}", countersign::notice::BACKUP_CODES_LOW));
    match (by_backup, low) {
        (Some(by_backup), Some(_)) => Some(format!(
            "{by_backup} {}",
            countersign::notice::BACKUP_CODES_LOW
        )),
        (by_backup, low) => by_backup.or(low),
    }
}
