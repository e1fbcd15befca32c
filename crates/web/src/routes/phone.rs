//! The cell phone SMS codes go to (seed 004: "From the Country Code drop-down
//! list, select your country. In the Cell Phone field, enter your area code and
//! phone number."), parsed and validated by `phonenumber` (a port of
//! libphonenumber) and stored in E.164, the form the facade sends to.

use std::sync::Arc;

use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use countersign::notice;
use countersign_store::StoreExt;
use serde::Deserialize;

use super::{layout, layout_with_error, see_other, signed_in};
use crate::app::App;
use crate::error::WebError;
use crate::input::{COUNTRIES, e164};
use crate::pages::{self, PhonePage};
use crate::session::Session;

fn page(layout: crate::pages::Layout, country: &str, number: String) -> PhonePage {
    PhonePage {
        layout,
        countries: COUNTRIES
            .iter()
            .map(|(code, name)| (*code, *name, *code == country))
            .collect(),
        number,
    }
}

/// GET /profile/cell-phone
pub(crate) async fn form(
    State(app): State<Arc<App>>,
    session: Session,
) -> Result<Response, WebError> {
    let account = signed_in(&app, &session).await?;
    let number = account.profile().cell_phone.clone().unwrap_or_default();
    Ok(pages::ok(&page(
        layout(&app, &session, Some(&account)),
        "US",
        number,
    )))
}

#[derive(Deserialize)]
pub(crate) struct PhoneForm {
    country: String,
    cell_phone: String,
}

/// POST /profile/cell-phone: "Save". An empty field removes the number (and
/// with it "Send SMS Code").
pub(crate) async fn save(
    State(app): State<Arc<App>>,
    session: Session,
    Form(form): Form<PhoneForm>,
) -> Result<Response, WebError> {
    let account = signed_in(&app, &session).await?;
    let typed = form.cell_phone.trim();
    let number = if typed.is_empty() {
        None
    } else {
        match e164(&form.country, typed) {
            Ok(number) => Some(number),
            Err(message) => {
                let layout = layout_with_error(&app, &session, Some(&account), message.to_owned());
                return Ok(pages::render(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &page(layout, &form.country, typed.to_owned()),
                ));
            }
        }
    };
    let id = account.profile().contact_id;
    app.blocking(move |app| {
        app.store.update(id, |a| {
            if a.profile().cell_phone != number {
                a.profile_mut().cell_phone.clone_from(&number);
            }
            Ok(())
        })
    })
    .await??;
    session.update(|d| d.flash = Some(notice::CONTACT_UPDATED.to_owned()));
    Ok(see_other("/profile"))
}
