//! View Contacts and Edit Contact (seeds 000, 001, 002): the contact list, the
//! Permissions tab's grid of Inherit / Allow / Deny drop-downs, and Unlock.
//!
//! Only the client's primary contact manages contacts, and only the client's
//! own: both are checked here, on the server, for every request.

use std::sync::Arc;

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use countersign::permissions::GridCell;
use countersign::throttle::Factor;
use countersign::{Account, notice};
use countersign_store::StoreExt;
use serde::Deserialize;

use super::{flow, layout, layout_with_error, see_other, signed_in};
use crate::app::App;
use crate::error::{WebError, refusal};
use crate::grants::ClientGrants;
use crate::pages::{self, CellView, ContactLine, ContactPage, ContactsPage, RowView};
use crate::session::Session;

/// The signed-in contact, if the client's primary contact.
async fn owner(app: &Arc<App>, session: &Session) -> Result<Account, WebError> {
    let account = signed_in(app, session).await?;
    if account.profile().primary {
        Ok(account)
    } else {
        Err(WebError::Forbidden(
            "Only the account's primary contact manages contacts.".to_owned(),
        ))
    }
}

/// A contact of the owner's client; another client's contact is not found.
async fn contact_of(app: &Arc<App>, owner: &Account, id: u64) -> Result<Account, WebError> {
    let contact = app.blocking(move |app| app.store.load(id)).await??;
    if contact.profile().client_id == owner.profile().client_id {
        Ok(contact)
    } else {
        Err(WebError::NotFound)
    }
}

/// GET /contacts: the seeds' table.
pub(crate) async fn list(
    State(app): State<Arc<App>>,
    session: Session,
) -> Result<Response, WebError> {
    let owner = owner(&app, &session).await?;
    let client_id = owner.profile().client_id;
    let contacts = app
        .blocking(move |app| app.store.contacts(client_id))
        .await??;
    let lines = contacts
        .iter()
        .map(|a| {
            let p = a.profile();
            ContactLine {
                id: p.contact_id,
                name: p.name.clone(),
                title: if p.primary { "Primary Contact" } else { "" },
                phone: p.cell_phone.clone().unwrap_or_default(),
                email: p.email.clone(),
                has_security_code: a.has_security_code(),
                primary: p.primary,
                deactivated: a.deactivated_at().is_some(),
            }
        })
        .collect::<Vec<_>>();
    Ok(pages::ok(&ContactsPage {
        layout: layout(&app, &session, Some(&owner)),
        count: lines.len(),
        contacts: lines,
    }))
}

#[derive(Deserialize)]
pub(crate) struct TabQuery {
    tab: Option<String>,
    filter: Option<String>,
}

/// GET /contacts/{id}: Edit Contact, one tab at a time.
pub(crate) async fn edit(
    State(app): State<Arc<App>>,
    session: Session,
    Path(id): Path<u64>,
    Query(query): Query<TabQuery>,
) -> Result<Response, WebError> {
    let owner = owner(&app, &session).await?;
    let contact = contact_of(&app, &owner, id).await?;
    let page = contact_page(&app, &session, &owner, &contact, &query, None).await?;
    Ok(pages::ok(&page))
}

async fn contact_page(
    app: &Arc<App>,
    session: &Session,
    owner: &Account,
    contact: &Account,
    query: &TabQuery,
    error: Option<String>,
) -> Result<ContactPage, WebError> {
    let tab = match query.tab.as_deref() {
        Some("permissions") => "permissions",
        Some("unlock") => "unlock",
        Some("login") => "login",
        _ => "details",
    };
    let filter = query.filter.clone().unwrap_or_default();
    let rows = if tab == "permissions" {
        let client_id = contact.profile().client_id;
        let grants = app.blocking(move |app| app.grants_of(client_id)).await??;
        grid_rows(&grants, contact.profile().contact_id, &filter)?
    } else {
        Vec::new()
    };
    let policy = &app.portal.settings().throttle;
    let locked = [
        Factor::Password,
        Factor::Totp,
        Factor::BackupCode,
        Factor::SmsCode,
        Factor::ResetCode,
    ]
    .into_iter()
    .filter(|f| {
        let throttle = contact.throttles().get(*f);
        throttle.is_locked(policy) || throttle.consecutive_failures() > 0
    })
    .map(|f| f.to_string())
    .collect();
    let p = contact.profile();
    Ok(ContactPage {
        layout: match error {
            Some(error) => layout_with_error(app, session, Some(owner), error),
            None => layout(app, session, Some(owner)),
        },
        tab,
        id: p.contact_id,
        client_id: p.client_id,
        name: p.name.clone(),
        email: p.email.clone(),
        phone: p.cell_phone.clone().unwrap_or_default(),
        username: p.username.clone(),
        two_factor: contact.two_factor_enabled(),
        devices: contact.devices().devices().len(),
        filter,
        rows,
        locked,
    })
}

/// The grid as drop-downs: each cell's current setting, and what Inherit means
/// here ("(Allow)", "(None)").
fn grid_rows(
    grants: &ClientGrants,
    contact_id: u64,
    filter: &str,
) -> Result<Vec<RowView>, WebError> {
    let grid = grants.grid(contact_id).map_err(|_| WebError::Internal)?;
    let filter = filter.trim().to_lowercase();
    Ok(grid
        .rows
        .iter()
        .filter(|row| filter.is_empty() || row.name.to_lowercase().contains(&filter))
        .map(|row| RowView {
            name: row.name.clone(),
            depth: row.depth.min(4),
            has_children: row.has_children,
            cells: row
                .cells
                .iter()
                .zip(&grid.columns)
                .map(|(cell, column)| CellView {
                    field: format!("{}.{}", row.id, column.id),
                    applies: *cell != GridCell::NotApplicable,
                    selected: match cell {
                        GridCell::Explicit(countersign::permissions::Effect::Allow) => "allow",
                        GridCell::Explicit(_) => "deny",
                        _ => "inherit",
                    },
                    inherit_label: match cell {
                        GridCell::Inherited(_) => cell.label(),
                        _ => "Inherit",
                    },
                })
                .collect(),
        })
        .collect())
}

/// POST /contacts/{id}/permissions: "Update".
pub(crate) async fn update_permissions(
    State(app): State<Arc<App>>,
    session: Session,
    Path(id): Path<u64>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let owner = owner(&app, &session).await?;
    let contact = contact_of(&app, &owner, id).await?;
    let cells = crate::input::grid_post(&form).map_err(|_| WebError::BadRequest)?;
    let (actor, target) = (owner.profile().clone(), contact.profile().clone());
    // Through the client record's compare-and-swap: two contacts' grids
    // updated at once both land, and the facade's gate (the primary contact
    // of this client only) decides on the server.
    let set = app
        .blocking(move |app| {
            flow(app.store.update_client(actor.client_id, |client| {
                app.portal
                    .set_contact_grants(client, &actor, &target, &cells)
            }))
        })
        .await??;
    if let Err(error) = set {
        // The facade's gate (403) or a grid it refuses (400), as every flow's refusal.
        let (status, message) = refusal(&error, app.now());
        let query = TabQuery {
            tab: Some("permissions".to_owned()),
            filter: None,
        };
        let page = contact_page(&app, &session, &owner, &contact, &query, Some(message)).await?;
        return Ok(pages::render(status, &page));
    }
    tracing::info!(
        contact = id,
        by = owner.profile().contact_id,
        "permissions updated"
    );
    session.update(|d| d.flash = Some(notice::CONTACT_UPDATED.to_owned()));
    Ok(see_other("/contacts"))
}

/// POST /contacts/{id}/unlock: the Unlock tab lifts every lockout.
pub(crate) async fn unlock(
    State(app): State<Arc<App>>,
    session: Session,
    Path(id): Path<u64>,
) -> Result<Response, WebError> {
    let owner = owner(&app, &session).await?;
    contact_of(&app, &owner, id).await?;
    app.blocking(move |app| {
        app.store.update(id, |a| {
            a.unlock();
            Ok(())
        })
    })
    .await??;
    tracing::info!(contact = id, by = owner.profile().contact_id, "unlocked");
    session.update(|d| d.flash = Some(notice::CONTACT_UPDATED.to_owned()));
    Ok(see_other(&format!("/contacts/{id}?tab=unlock")))
}

/// POST /contacts/{id}/deactivate: the list's "deactivate". The facade decides
/// who may (the client's primary contact, never on itself); the contact's
/// sessions end here.
pub(crate) async fn deactivate(
    State(app): State<Arc<App>>,
    session: Session,
    Path(id): Path<u64>,
) -> Result<Response, WebError> {
    let owner = owner(&app, &session).await?;
    contact_of(&app, &owner, id).await?;
    let now = app.now();
    let actor = owner.profile().clone();
    app.blocking(move |app| {
        app.store
            .update(id, |a| app.portal.deactivate_contact(a, &actor, now))
    })
    .await??;
    app.sessions.end_others(id, None);
    tracing::info!(contact = id, by = owner.profile().contact_id, "deactivated");
    session.update(|d| d.flash = Some(notice::CONTACT_UPDATED.to_owned()));
    Ok(see_other("/contacts"))
}

/// POST /contacts/{id}/reactivate: the list's "reactivate".
pub(crate) async fn reactivate(
    State(app): State<Arc<App>>,
    session: Session,
    Path(id): Path<u64>,
) -> Result<Response, WebError> {
    let owner = owner(&app, &session).await?;
    contact_of(&app, &owner, id).await?;
    let actor = owner.profile().clone();
    app.blocking(move |app| {
        app.store
            .update(id, |a| app.portal.reactivate_contact(a, &actor))
    })
    .await??;
    tracing::info!(contact = id, by = owner.profile().contact_id, "reactivated");
    session.update(|d| d.flash = Some(notice::CONTACT_UPDATED.to_owned()));
    Ok(see_other("/contacts"))
}

/// POST /contacts/{id}/reset: the Login & Password tab's "Email a Reset Code",
/// to the address on file (the contact then sets a password on Reset Password).
pub(crate) async fn email_reset_code(
    State(app): State<Arc<App>>,
    session: Session,
    Path(id): Path<u64>,
) -> Result<Response, WebError> {
    let owner = owner(&app, &session).await?;
    let contact = contact_of(&app, &owner, id).await?;
    if contact.profile().email.is_empty() {
        let query = TabQuery {
            tab: Some("login".to_owned()),
            filter: None,
        };
        let message = "No email is on file for this contact.".to_owned();
        let page = contact_page(&app, &session, &owner, &contact, &query, Some(message)).await?;
        return Ok(pages::render(StatusCode::UNPROCESSABLE_ENTITY, &page));
    }
    let now = app.now();
    app.blocking(move |app| {
        let delivery = app.store.update(id, |a| {
            app.portal.request_password_reset(a, now, &mut rand::rng())
        })?;
        crate::routes::account::send_reset_code(app, &delivery, now);
        Ok::<_, countersign_store::Error>(())
    })
    .await??;
    tracing::info!(
        contact = id,
        by = owner.profile().contact_id,
        "reset code emailed"
    );
    session.update(|d| {
        d.flash = Some(format!(
            "A reset code was emailed to {}.",
            contact.profile().email
        ));
    });
    Ok(see_other(&format!("/contacts/{id}?tab=login")))
}
