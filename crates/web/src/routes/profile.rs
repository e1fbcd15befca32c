//! View Profile and its AUTHENTICATION section (seeds 000, 001, 004):
//! "Click to change" the password, "Click to enable" / "Click to disable"
//! two-factor, each pop-up a server-rendered step.

use std::sync::Arc;

use axum::Form;
use axum::extract::State;
use axum::response::Response;
use countersign::Account;
use countersign_store::StoreExt;
use serde::Deserialize;
use zeroize::ZeroizeOnDrop;

use super::{Step, flow, layout, layout_with_error, see_other, signed_in, violations};
use crate::app::App;
use crate::error::{WebError, refusal};
use crate::pages::{
    self, DisablePage, DonePage, EnablePage, KeyPage, PasswordPage, ProfilePage, VerifyPage,
};
use crate::session::Session;

/// GET /profile: View Profile.
pub(crate) async fn show(
    State(app): State<Arc<App>>,
    session: Session,
) -> Result<Response, WebError> {
    let account = signed_in(&app, &session).await?;
    let custom = super::codes::custom_fields(&app, &account).await?;
    let profile = account.profile();
    Ok(pages::ok(&ProfilePage {
        layout: layout(&app, &session, Some(&account)),
        name: profile.name.clone(),
        client_id: profile.client_id,
        contact_id: profile.contact_id,
        username: profile.username.clone(),
        email: profile.email.clone(),
        cell_phone: profile.cell_phone.clone().unwrap_or_default(),
        two_factor: account.two_factor_enabled(),
        backup_codes_left: account.backup_codes_left(),
        custom,
    }))
}

/// Runs one facade step on the signed-in contact's account, through the store,
/// on the blocking pool.
async fn step<T: Send + 'static>(
    app: &Arc<App>,
    id: u64,
    mut step: impl FnMut(&App, &mut Account) -> countersign::Result<T> + Send + 'static,
) -> Result<Step<T>, WebError> {
    app.blocking(move |app| flow(app.store.update(id, |a| step(app, a))))
        .await?
}

#[derive(Deserialize, ZeroizeOnDrop)]
pub(crate) struct PasswordForm {
    password: String,
}

#[derive(Deserialize, ZeroizeOnDrop)]
pub(crate) struct ChangeForm {
    current: String,
    password: String,
}

/// GET /profile/password: "Click to change".
pub(crate) async fn password_form(
    State(app): State<Arc<App>>,
    session: Session,
) -> Result<Response, WebError> {
    let account = signed_in(&app, &session).await?;
    Ok(pages::ok(&PasswordPage {
        layout: layout(&app, &session, Some(&account)),
        violations: Vec::new(),
    }))
}

/// POST /profile/password
pub(crate) async fn change_password(
    State(app): State<Arc<App>>,
    session: Session,
    Form(form): Form<ChangeForm>,
) -> Result<Response, WebError> {
    let account = signed_in(&app, &session).await?;
    let now = app.now();
    let id = account.profile().contact_id;
    match step(&app, id, move |app, a| {
        app.portal
            .change_password(a, &form.current, &form.password, now, &mut rand::rng())
    })
    .await?
    {
        Ok(message) => {
            app.sessions.end_others(id, Some(&session));
            session.update(|d| d.flash = Some(message.to_owned()));
            Ok(see_other("/profile"))
        }
        Err(error) => {
            let (status, message) = refusal(&error, now);
            Ok(pages::render(
                status,
                &PasswordPage {
                    layout: layout_with_error(&app, &session, Some(&account), message),
                    violations: violations(&error),
                },
            ))
        }
    }
}

/// GET /profile/two-factor/enable: step 4, re-enter the password.
pub(crate) async fn enable_form(
    State(app): State<Arc<App>>,
    session: Session,
) -> Result<Response, WebError> {
    let account = signed_in(&app, &session).await?;
    if account.two_factor_enabled() {
        return Ok(see_other("/profile"));
    }
    Ok(pages::ok(&EnablePage {
        layout: layout(&app, &session, Some(&account)),
    }))
}

/// POST /profile/two-factor/enable: the gate, the password, a new key (step 5).
pub(crate) async fn enable(
    State(app): State<Arc<App>>,
    session: Session,
    Form(form): Form<PasswordForm>,
) -> Result<Response, WebError> {
    let account = signed_in(&app, &session).await?;
    let now = app.now();
    let id = account.profile().contact_id;
    let started = step(&app, id, move |app, a| {
        let grants = app
            .grants
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let access = grants.access()?;
        let started =
            app.portal
                .begin_enrollment(a, &access, &form.password, now, &mut rand::rng())?;
        let qr = started.qr_svg()?;
        Ok((
            started.key_for_typing().to_string(),
            qr.to_string(),
            started.expires_at(),
        ))
    })
    .await?;
    match started {
        Ok((key, qr_svg, expires_at)) => Ok(pages::ok(&KeyPage {
            layout: layout(&app, &session, Some(&account)),
            key,
            qr_svg,
            minutes: expires_at.saturating_sub(now) / 60,
        })),
        Err(countersign::Error::AlreadyEnrolled) => Ok(see_other("/profile")),
        Err(error) => {
            let (status, message) = refusal(&error, now);
            Ok(pages::render(
                status,
                &EnablePage {
                    layout: layout_with_error(&app, &session, Some(&account), message),
                },
            ))
        }
    }
}

/// GET /profile/two-factor/verify: step 6, "Please verify your token."
pub(crate) async fn verify_form(
    State(app): State<Arc<App>>,
    session: Session,
) -> Result<Response, WebError> {
    let account = signed_in(&app, &session).await?;
    if account.two_factor_enabled() {
        return Ok(see_other("/profile"));
    }
    if !account.enrollment_pending(app.now()) {
        // Nothing to verify (never started, cancelled, or expired): start again.
        return Ok(see_other("/profile/two-factor/enable"));
    }
    Ok(pages::ok(&VerifyPage {
        layout: layout(&app, &session, Some(&account)),
    }))
}

#[derive(Deserialize, ZeroizeOnDrop)]
pub(crate) struct TokenForm {
    code: String,
}

/// POST /profile/two-factor/verify: "Complete Enrollment" (step 7), and the
/// backup codes, shown this once.
pub(crate) async fn verify(
    State(app): State<Arc<App>>,
    session: Session,
    Form(form): Form<TokenForm>,
) -> Result<Response, WebError> {
    let account = signed_in(&app, &session).await?;
    let now = app.now();
    let id = account.profile().contact_id;
    let done = step(&app, id, move |app, a| {
        let done = app
            .portal
            .confirm_enrollment(a, &form.code, now, &mut rand::rng())?;
        let codes: Vec<String> = done
            .backup_codes
            .iter()
            .map(|c| c.expose().to_owned())
            .collect();
        Ok((done.message, codes))
    })
    .await?;
    match done {
        Ok((message, codes)) => {
            let mut layout = layout(&app, &session, Some(&account));
            layout.flash = Some(message.to_owned());
            Ok(pages::ok(&DonePage { layout, codes }))
        }
        Err(error) => {
            let (status, message) = refusal(&error, now);
            Ok(pages::render(
                status,
                &VerifyPage {
                    layout: layout_with_error(&app, &session, Some(&account), message),
                },
            ))
        }
    }
}

/// POST /profile/two-factor/cancel: "Cancel"; two-factor stays off.
pub(crate) async fn cancel(
    State(app): State<Arc<App>>,
    session: Session,
) -> Result<Response, WebError> {
    let account = signed_in(&app, &session).await?;
    let id = account.profile().contact_id;
    let _ = step(&app, id, |app, a| Ok(app.portal.cancel_enrollment(a))).await?;
    Ok(see_other("/profile"))
}

/// GET /profile/two-factor/disable: "Disable two-factor authentication?"
pub(crate) async fn disable_form(
    State(app): State<Arc<App>>,
    session: Session,
) -> Result<Response, WebError> {
    let account = signed_in(&app, &session).await?;
    if !account.two_factor_enabled() {
        return Ok(see_other("/profile"));
    }
    Ok(pages::ok(&DisablePage {
        layout: layout(&app, &session, Some(&account)),
    }))
}

/// POST /profile/two-factor/disable: "Disable Two-Factor Authentication".
pub(crate) async fn disable(
    State(app): State<Arc<App>>,
    session: Session,
    Form(form): Form<PasswordForm>,
) -> Result<Response, WebError> {
    let account = signed_in(&app, &session).await?;
    let now = app.now();
    let id = account.profile().contact_id;
    match step(&app, id, move |app, a| {
        app.portal
            .disable_two_factor(a, &form.password, now, &mut rand::rng())
    })
    .await?
    {
        Ok(message) => {
            session.update(|d| d.flash = Some(message.to_owned()));
            Ok(see_other("/profile"))
        }
        Err(countersign::Error::NotEnrolled) => Ok(see_other("/profile")),
        Err(error) => {
            let (status, message) = refusal(&error, now);
            Ok(pages::render(
                status,
                &DisablePage {
                    layout: layout_with_error(&app, &session, Some(&account), message),
                },
            ))
        }
    }
}
