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
use phonenumber::Mode;
use serde::Deserialize;

use super::{layout, layout_with_error, see_other, signed_in};
use crate::app::App;
use crate::error::WebError;
use crate::pages::{self, PhonePage};
use crate::session::Session;

/// The Country Code drop-down: ISO 3166 code and what the list shows.
pub(crate) const COUNTRIES: &[(&str, &str)] = &[
    ("US", "United States (+1)"),
    ("CA", "Canada (+1)"),
    ("MX", "Mexico (+52)"),
    ("BR", "Brazil (+55)"),
    ("GB", "United Kingdom (+44)"),
    ("IE", "Ireland (+353)"),
    ("FR", "France (+33)"),
    ("DE", "Germany (+49)"),
    ("NL", "Netherlands (+31)"),
    ("ES", "Spain (+34)"),
    ("IT", "Italy (+39)"),
    ("IN", "India (+91)"),
    ("JP", "Japan (+81)"),
    ("AU", "Australia (+61)"),
    ("NZ", "New Zealand (+64)"),
];

/// A number typed for `country`, in E.164 (`+15095271234`), or what to tell the person.
pub(crate) fn e164(country: &str, number: &str) -> Result<String, &'static str> {
    if !COUNTRIES.iter().any(|(code, _)| *code == country) {
        return Err("Select your country from the Country Code list.");
    }
    if number.len() > 32 {
        return Err("That is too long for a phone number.");
    }
    let id = country
        .parse::<phonenumber::country::Id>()
        .map_err(|_| "Select your country from the Country Code list.")?;
    let parsed = phonenumber::parse(Some(id), number)
        .map_err(|_| "That is not a phone number: enter your area code and phone number.")?;
    if !phonenumber::is_valid(&parsed) {
        return Err("That is not a valid phone number for the country selected.");
    }
    Ok(parsed.format().mode(Mode::E164).to_string())
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_e164() {
        assert_eq!(e164("US", "(202) 456-1111").unwrap(), "+12024561111");
        assert_eq!(e164("GB", "07911 123456").unwrap(), "+447911123456");
        assert_eq!(e164("GB", "+44 7911 123456").unwrap(), "+447911123456");
        assert!(e164("US", "123").is_err());
        assert!(e164("US", "not a number").is_err());
        assert!(
            e164("ZZ", "(202) 456-1111").is_err(),
            "only the drop-down's countries"
        );
        assert!(e164("US", &"1".repeat(40)).is_err());
    }
}
