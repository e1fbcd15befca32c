//! Signing in (seeds 003, 004): a username or the Client ID and the password,
//! then the second factor: the app's Authentication Code, a backup code, a code
//! sent by SMS, or a device remembered for 30 days.

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

use super::{flow, layout, layout_with_error, refused_page, see_other};
use crate::app::App;
use crate::error::{LOGIN_REFUSED, WebError, refusal};
use crate::pages::{self, CodePage, LoginPage};
use crate::sender::Message;
use crate::session::{DEVICE_COOKIE, PendingLogin, Session, cookie, set_cookie};

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
    pages::ok(&LoginPage {
        layout: layout(&app, &session, None),
        login: String::new(),
        passkey: None,
    })
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
            });
            see_other("/profile")
        }
        PasswordOutcome::SecondFactor(pending) => {
            session.renew(|d| {
                d.contact = None;
                d.login = Some(pending);
            });
            see_other("/login/code")
        }
        PasswordOutcome::Refused(status, message) => pages::render(
            status,
            &LoginPage {
                layout: layout_with_error(&app, &session, None, message),
                login,
                passkey: None,
            },
        ),
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
    let has_cell_phone = app.store.load(id)?.profile().cell_phone.is_some();
    Ok(PasswordOutcome::SecondFactor(PendingLogin {
        contact_id: id,
        ticket,
        has_cell_phone,
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
) -> Response {
    let Some(pending) = session.data().login else {
        return see_other("/login");
    };
    pages::ok(&CodePage {
        layout: layout(&app, &session, None),
        mode: mode(query.with.as_deref()),
        has_cell_phone: pending.has_cell_phone,
        passkey: None,
    })
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
    let refused = |status, message| {
        pages::render(
            status,
            &CodePage {
                layout: layout_with_error(&app, &session, None, message),
                mode: kind,
                has_cell_phone: pending.has_cell_phone,
                passkey: None,
            },
        )
    };
    match result {
        Ok(signed_in) => {
            session.renew(|d| {
                d.login = None;
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
            session.renew(|d| d.login = None);
            Ok(pages::render(
                StatusCode::UNAUTHORIZED,
                &LoginPage {
                    layout: layout_with_error(
                        &app,
                        &session,
                        None,
                        "Your sign-in expired: enter your password again.".to_owned(),
                    ),
                    login: String::new(),
                    passkey: None,
                },
            ))
        }
        Err(error) => {
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
            Ok(refused_page(&app, &session, None, &error, now, |layout| {
                CodePage {
                    layout,
                    mode: "app",
                    has_cell_phone: pending.has_cell_phone,
                    passkey: None,
                }
            }))
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
    });
    see_other("/login")
}

/// What the profile says after a second factor: the backup codes left after a
/// backup code, and the low-water notice whenever few are left.
fn sign_in_notice(signed_in: &countersign::SignedIn) -> Option<String> {
    let left = signed_in.backup_codes_left?;
    let by_backup = (signed_in.via == countersign::Via::BackupCode)
        .then(|| format!("You signed in with a backup code: {left} backup codes left."));
    let low = signed_in.backup_codes_low.then(|| {
        format!(
            "{left} backup codes left. {}",
            countersign::notice::BACKUP_CODES_LOW
        )
    });
    match (by_backup, low) {
        (Some(by_backup), Some(_)) => Some(format!(
            "{by_backup} {}",
            countersign::notice::BACKUP_CODES_LOW
        )),
        (by_backup, low) => by_backup.or(low),
    }
}
