//! View Profile and its AUTHENTICATION section (seeds 000, 001, 004):
//! "Click to change" the password, "Click to enable" / "Click to disable"
//! two-factor, the authenticators ("Add another authenticator", "Remove"),
//! and "Regenerate backup codes", each pop-up a server-rendered step.

use std::sync::Arc;

use axum::Form;
use axum::extract::State;
use axum::response::Response;
use countersign::Account;
use countersign_store::StoreExt;
use serde::Deserialize;
use zeroize::ZeroizeOnDrop;

use super::{Step, flow, layout, refused_page, see_other, signed_in, violations};
use crate::app::App;
use crate::error::WebError;
use crate::pages::{
    self, AddAuthenticatorPage, AuthenticatorLine, DisablePage, DonePage, EnablePage, KeyPage,
    PasskeyLine, PasswordPage, ProfilePage, RegeneratePage, RemoveAuthenticatorPage, VerifyPage,
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
        backup_codes_left: account
            .backup_codes_left()
            .map(|left| crate::pages::count(left, "backup code")),
        backup_codes_low: app.portal.backup_codes_running_low(&account),
        low_notice: countersign::notice::BACKUP_CODES_LOW,
        authenticators: account
            .authenticators()
            .iter()
            .map(|a| AuthenticatorLine {
                name: a.name().as_str().to_owned(),
                added: day(a.added_at()),
                last_used: a.last_used_at().map_or_else(|| "never".to_owned(), day),
            })
            .collect(),
        can_add: account.authenticators().len() < countersign::authenticator::MAX_AUTHENTICATORS,
        custom,
        passkeys_enabled: app.portal.passkeys_enabled() && account.two_factor_enabled(),
        passkeys: account
            .passkeys()
            .iter()
            .map(|p| PasskeyLine {
                id: p.id().to_string(),
                name: p.name().as_str().to_owned(),
                added: day(p.added_at()),
                last_used: p.last_used_at().map_or_else(|| "never".to_owned(), day),
            })
            .collect(),
        can_add_passkey: account.passkeys().len() < countersign::passkey::MAX_PASSKEYS,
    }))
}

/// The UTC day of a unix time, "2025-11-23"; past the end of year 9999, where
/// the calendar ends, the unix time itself.
fn day(unix: u64) -> String {
    i64::try_from(unix)
        .ok()
        .and_then(|secs| time::OffsetDateTime::from_unix_timestamp(secs).ok())
        .map_or_else(
            || format!("unix time {unix}"),
            |at| {
                let date = at.date();
                let month = u8::from(date.month());
                format!("{:04}-{month:02}-{:02}", date.year(), date.day())
            },
        )
}

/// Runs one facade step on the signed-in contact's account, through the store,
/// on the blocking pool.
pub(crate) async fn step<T: Send + 'static>(
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
        Err(error) => Ok(refused_page(
            &app,
            &session,
            Some(&account),
            &error,
            now,
            |layout| PasswordPage {
                layout,
                violations: violations(&error),
            },
        )),
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
    let client_id = account.profile().client_id;
    let grants = app.blocking(move |app| app.grants_of(client_id)).await??;
    let started = step(&app, id, move |app, a| {
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
        Err(error) => Ok(refused_page(
            &app,
            &session,
            Some(&account),
            &error,
            now,
            |layout| EnablePage { layout },
        )),
    }
}

/// GET /profile/two-factor/verify: step 6, "Please verify your token."
pub(crate) async fn verify_form(
    State(app): State<Arc<App>>,
    session: Session,
) -> Result<Response, WebError> {
    let account = signed_in(&app, &session).await?;
    if account.two_factor_enabled() && !account.enrollment_pending(app.now()) {
        return Ok(see_other("/profile"));
    }
    if !account.enrollment_pending(app.now()) {
        // Nothing to verify (never started, cancelled, or expired): start again.
        return Ok(see_other("/profile/two-factor/enable"));
    }
    Ok(pages::ok(&VerifyPage::new(
        layout(&app, &session, Some(&account)),
        &account,
        app.now(),
    )))
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
        if a.two_factor_enabled() {
            // "Add another authenticator": no new backup codes.
            let added = app.portal.confirm_authenticator(a, &form.code, now)?;
            return Ok((added.message, Vec::new()));
        }
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
        Ok((message, codes)) if codes.is_empty() => {
            session.update(|d| d.flash = Some(message.to_owned()));
            Ok(see_other("/profile"))
        }
        Ok((message, codes)) => {
            let mut layout = layout(&app, &session, Some(&account));
            layout.flash = Some(message.to_owned());
            Ok(pages::ok(&DonePage { layout, codes }))
        }
        Err(error) => Ok(refused_page(
            &app,
            &session,
            Some(&account),
            &error,
            now,
            |layout| VerifyPage::new(layout, &account, now),
        )),
    }
}

/// POST /profile/two-factor/cancel: "Cancel"; two-factor stays as it was.
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
        passkeys: account.passkeys().len(),
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
        Err(error) => Ok(refused_page(
            &app,
            &session,
            Some(&account),
            &error,
            now,
            |layout| DisablePage {
                layout,
                passkeys: account.passkeys().len(),
            },
        )),
    }
}

#[derive(Deserialize, ZeroizeOnDrop)]
pub(crate) struct AddForm {
    name: String,
    password: String,
}

/// GET /profile/authenticators/add: "Add another authenticator", its name first.
pub(crate) async fn add_form(
    State(app): State<Arc<App>>,
    session: Session,
) -> Result<Response, WebError> {
    let account = signed_in(&app, &session).await?;
    if !account.two_factor_enabled() {
        return Ok(see_other("/profile/two-factor/enable"));
    }
    Ok(pages::ok(&AddAuthenticatorPage {
        layout: layout(&app, &session, Some(&account)),
        name: String::new(),
    }))
}

/// POST /profile/authenticators/add: the gate, the name, the password, a new
/// key; then the same key and verify pop-ups as at enrollment.
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
        let started = app.portal.begin_adding_authenticator(
            a,
            &access,
            &form.name,
            &form.password,
            now,
            &mut rand::rng(),
        )?;
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
        Err(countersign::Error::NotEnrolled) => Ok(see_other("/profile/two-factor/enable")),
        Err(error) => Ok(refused_page(
            &app,
            &session,
            Some(&account),
            &error,
            now,
            |layout| AddAuthenticatorPage {
                layout,
                name: typed,
            },
        )),
    }
}

#[derive(Deserialize)]
pub(crate) struct WhichAuthenticator {
    name: String,
}

/// GET /profile/authenticators/remove?name=...: "Remove", the password pop-up.
pub(crate) async fn remove_form(
    State(app): State<Arc<App>>,
    session: Session,
    axum::extract::Query(which): axum::extract::Query<WhichAuthenticator>,
) -> Result<Response, WebError> {
    let account = signed_in(&app, &session).await?;
    if !account.two_factor_enabled() {
        return Ok(see_other("/profile"));
    }
    Ok(pages::ok(&RemoveAuthenticatorPage {
        layout: layout(&app, &session, Some(&account)),
        name: which.name,
    }))
}

#[derive(Deserialize, ZeroizeOnDrop)]
pub(crate) struct RemoveForm {
    name: String,
    password: String,
}

/// POST /profile/authenticators/remove: the password, then that authenticator goes.
pub(crate) async fn remove(
    State(app): State<Arc<App>>,
    session: Session,
    Form(form): Form<RemoveForm>,
) -> Result<Response, WebError> {
    let account = signed_in(&app, &session).await?;
    let now = app.now();
    let id = account.profile().contact_id;
    let name = form.name.clone();
    match step(&app, id, move |app, a| {
        app.portal
            .remove_authenticator(a, &form.name, &form.password, now, &mut rand::rng())
    })
    .await?
    {
        Ok(message) => {
            session.update(|d| d.flash = Some(message.to_owned()));
            Ok(see_other("/profile"))
        }
        Err(countersign::Error::NotEnrolled) => Ok(see_other("/profile")),
        Err(error) => Ok(refused_page(
            &app,
            &session,
            Some(&account),
            &error,
            now,
            |layout| RemoveAuthenticatorPage { layout, name },
        )),
    }
}

/// GET /profile/backup-codes: "Regenerate backup codes", the password pop-up.
pub(crate) async fn regenerate_form(
    State(app): State<Arc<App>>,
    session: Session,
) -> Result<Response, WebError> {
    let account = signed_in(&app, &session).await?;
    if !account.two_factor_enabled() {
        return Ok(see_other("/profile"));
    }
    Ok(pages::ok(&RegeneratePage {
        layout: layout(&app, &session, Some(&account)),
    }))
}

/// POST /profile/backup-codes: the password, then the new codes, shown this once
/// behind the same warning as at enrollment; the old set is dead.
pub(crate) async fn regenerate(
    State(app): State<Arc<App>>,
    session: Session,
    Form(form): Form<PasswordForm>,
) -> Result<Response, WebError> {
    let account = signed_in(&app, &session).await?;
    let now = app.now();
    let id = account.profile().contact_id;
    let done = step(&app, id, move |app, a| {
        let renewed =
            app.portal
                .regenerate_backup_codes(a, &form.password, now, &mut rand::rng())?;
        let codes: Vec<String> = renewed
            .backup_codes
            .iter()
            .map(|c| c.expose().to_owned())
            .collect();
        Ok((renewed.message, codes))
    })
    .await?;
    match done {
        Ok((message, codes)) => {
            let mut layout = layout(&app, &session, Some(&account));
            layout.flash = Some(message.to_owned());
            Ok(pages::ok(&DonePage { layout, codes }))
        }
        Err(countersign::Error::NotEnrolled) => Ok(see_other("/profile")),
        Err(error) => Ok(refused_page(
            &app,
            &session,
            Some(&account),
            &error,
            now,
            |layout| RegeneratePage { layout },
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::day;

    #[test]
    fn a_day_is_the_utc_date_of_its_unix_time() {
        // Python's datetime.fromtimestamp(t, UTC).date() for each.
        for (unix, date) in [
            (0, "1970-01-01"),
            (951_782_400, "2000-02-29"),
            (951_868_800, "2000-03-01"),
            (1_763_900_000, "2025-11-23"),
            (4_107_542_400, "2100-03-01"),
            (253_402_300_799, "9999-12-31"),
            (253_402_300_800, "unix time 253402300800"),
            (u64::MAX, "unix time 18446744073709551615"),
        ] {
            assert_eq!(day(unix), date, "{unix}");
        }
    }
}
