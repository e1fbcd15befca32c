//! Security codes (seed 002): the account-wide code under CUSTOM FIELDS on the
//! profile, a contact's own code on Edit Contact's Custom Fields tab, and the
//! support page where an agent verifies what a caller says.

use std::sync::Arc;

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use countersign::security_codes::{Client, Whose};
use countersign::{Account, Gate, Permissions};
use countersign_store::StoreExt;
use serde::Deserialize;
use zeroize::ZeroizeOnDrop;

use super::{flow, layout, layout_with_error, refused_page, see_other, signed_in};
use crate::app::App;
use crate::error::WebError;
use crate::grants::ClientGrants;
use crate::pages::{self, AccountCodePage, ContactCodePage, SupportPage};
use crate::session::Session;

/// What the profile's CUSTOM FIELDS show the signed-in contact.
pub(crate) struct CustomFields {
    /// The account-wide code, when the contact may see it ("Profile: View").
    pub(crate) code: Option<String>,
    /// Whether the section shows at all.
    pub(crate) visible: bool,
    /// Whether EDIT shows ("Profile: Update").
    pub(crate) editable: bool,
}

/// The account-wide code as `actor` may see it.
pub(crate) async fn custom_fields(
    app: &Arc<App>,
    actor: &Account,
) -> Result<CustomFields, WebError> {
    let profile = actor.profile().clone();
    app.blocking(move |app| {
        let client = load_client(app, profile.client_id)?;
        let grants = ClientGrants::of(&client).map_err(|_| WebError::Internal)?;
        let access = grants.access().map_err(|_| WebError::Internal)?;
        let editable = profile.primary || access.permits(profile.contact_id, Gate::SetAccountCode);
        Ok(
            match app.portal.view_account_code(&client, &profile, &access) {
                Ok(code) => CustomFields {
                    code: code.map(|c| c.expose().to_owned()),
                    visible: true,
                    editable,
                },
                Err(_) => CustomFields {
                    code: None,
                    visible: editable,
                    editable,
                },
            },
        )
    })
    .await?
}

fn load_client(app: &App, client_id: u64) -> Result<Client, WebError> {
    Ok(crate::grants::load_client(app.store.as_ref(), client_id)?)
}

/// The reasons a new security code was refused, for the list beside the field.
fn reasons(error: &countersign::Error) -> Vec<String> {
    match error {
        countersign::Error::SecurityCode(countersign::security_code::Error::Refused { report }) => {
            report
                .violations
                .iter()
                .map(|f| f.message.clone())
                .collect()
        }
        _ => Vec::new(),
    }
}

/// GET /profile/security-code: "Edit Custom Fields".
pub(crate) async fn account_form(
    State(app): State<Arc<App>>,
    session: Session,
) -> Result<Response, WebError> {
    let account = signed_in(&app, &session).await?;
    Ok(pages::ok(&AccountCodePage {
        layout: layout(&app, &session, Some(&account)),
        reasons: Vec::new(),
    }))
}

#[derive(Deserialize, ZeroizeOnDrop)]
pub(crate) struct CodeForm {
    code: String,
}

/// POST /profile/security-code: "Save Changes". The facade's gate ("Profile:
/// Update", or the primary contact) decides.
pub(crate) async fn set_account_code(
    State(app): State<Arc<App>>,
    session: Session,
    Form(form): Form<CodeForm>,
) -> Result<Response, WebError> {
    let account = signed_in(&app, &session).await?;
    let actor = account.profile().clone();
    let now = app.now();
    let result = app
        .blocking(move |app| {
            // The gate decides by the grants of the very revision it writes.
            flow(app.store.update_client(actor.client_id, |c| {
                let grants = ClientGrants::of(c)?;
                let access = grants.access()?;
                app.portal
                    .set_account_code(c, &actor, &access, &form.code, now)
            }))
        })
        .await??;
    match result {
        Ok(message) => {
            session.update(|d| d.flash = Some(message.to_owned()));
            Ok(see_other("/profile"))
        }
        Err(error) => Ok(refused_page(
            &app,
            &session,
            Some(&account),
            &error,
            now,
            |layout| AccountCodePage {
                layout,
                reasons: reasons(&error),
            },
        )),
    }
}

/// GET /contacts/{id}/security-code: Edit Contact's Custom Fields tab.
pub(crate) async fn contact_form(
    State(app): State<Arc<App>>,
    session: Session,
    Path(id): Path<u64>,
) -> Result<Response, WebError> {
    let account = signed_in(&app, &session).await?;
    let actor = account.profile().clone();
    type Shown = Result<(String, Option<String>), countersign::Error>;
    let shown = app
        .blocking(move |app| -> Result<Shown, WebError> {
            let target = app.store.load(id)?;
            if target.profile().client_id != actor.client_id {
                return Err(WebError::NotFound);
            }
            let grants = app.grants_of(actor.client_id)?;
            let access = grants.access().map_err(|_| WebError::Internal)?;
            let name = target.profile().name.clone();
            Ok(app
                .portal
                .view_contact_code(&target, &actor, &access)
                .map(|code| (name, code.map(|c| c.expose().to_owned()))))
        })
        .await??;
    let (name, code) = shown.map_err(|e| WebError::Forbidden(e.to_string()))?;
    Ok(pages::ok(&ContactCodePage {
        layout: layout(&app, &session, Some(&account)),
        id,
        name,
        code: code.unwrap_or_default(),
        reasons: Vec::new(),
    }))
}

/// POST /contacts/{id}/security-code: "Update". The facade's gate (the primary
/// contact, or the contact itself with "Manage Contacts: View and Update").
pub(crate) async fn set_contact_code(
    State(app): State<Arc<App>>,
    session: Session,
    Path(id): Path<u64>,
    Form(form): Form<CodeForm>,
) -> Result<Response, WebError> {
    let account = signed_in(&app, &session).await?;
    let actor = account.profile().clone();
    let now = app.now();
    let result = app
        .blocking(move |app| {
            let grants = app.grants_of(actor.client_id)?;
            let access = grants.access().map_err(|_| WebError::Internal)?;
            if app.store.load(id)?.profile().client_id != actor.client_id {
                return Err(WebError::NotFound);
            }
            flow(app.store.update(id, |target| {
                app.portal
                    .set_contact_code(target, &actor, &access, &form.code, now)
            }))
        })
        .await??;
    match result {
        Ok(message) => {
            session.update(|d| d.flash = Some(message.to_owned()));
            Ok(see_other(&format!("/contacts/{id}/security-code")))
        }
        Err(error @ countersign::Error::PermissionDenied { .. }) => {
            Err(WebError::Forbidden(error.to_string()))
        }
        Err(error) => Ok(refused_page(
            &app,
            &session,
            Some(&account),
            &error,
            now,
            |layout| ContactCodePage {
                layout,
                id,
                name: String::new(),
                code: String::new(),
                reasons: reasons(&error),
            },
        )),
    }
}

/// GET /support (development mode only: this cut has no staff accounts).
pub(crate) async fn support_form(State(app): State<Arc<App>>, session: Session) -> Response {
    pages::ok(&SupportPage {
        layout: layout(&app, &session, None),
        verified: None,
    })
}

#[derive(Deserialize, ZeroizeOnDrop)]
pub(crate) struct CallerForm {
    client_id: String,
    said: String,
}

/// POST /support: what the caller says, verified against the client's codes
/// through the client's throttle; the agent learns whose code it was.
pub(crate) async fn verify_caller(
    State(app): State<Arc<App>>,
    session: Session,
    Form(form): Form<CallerForm>,
) -> Result<Response, WebError> {
    let now = app.now();
    let Ok(client_id) = form.client_id.trim().parse::<u64>() else {
        return Ok(pages::render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &SupportPage {
                layout: layout_with_error(&app, &session, None, "Enter a Client ID.".to_owned()),
                verified: None,
            },
        ));
    };
    let result = app
        .blocking(move |app| {
            let contacts = app.store.contacts(client_id)?;
            let refs: Vec<&Account> = contacts.iter().collect();
            flow(app.store.update_client(client_id, |c| {
                app.portal.verify_caller(c, &refs, &form.said, now)
            }))
        })
        .await??;
    Ok(match result {
        Ok(whose) => {
            let verified = match whose {
                Whose::Contact { contact_id, name } => {
                    format!("Verified: the own security code of {name} ({contact_id}).")
                }
                Whose::AccountWide => {
                    format!("Verified: the account-wide security code of client {client_id}.")
                }
                _ => "Verified.".to_owned(),
            };
            tracing::info!(client_id, "caller verified");
            pages::ok(&SupportPage {
                layout: layout(&app, &session, None),
                verified: Some(verified),
            })
        }
        Err(error) => refused_page(&app, &session, None, &error, now, |layout| SupportPage {
            layout,
            verified: None,
        }),
    })
}
