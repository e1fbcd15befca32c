//! The screens: one askama template per page (escaping on, checked at compile
//! time), with the seeds' wording.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

/// What every page's frame shows: the banner, the error, the menu, the CSRF
/// token for its forms.
#[derive(Clone, Debug, Default)]
pub(crate) struct Layout {
    pub(crate) csrf: String,
    /// "Success: ..." at the top of the screen.
    pub(crate) flash: Option<String>,
    /// What went wrong with the last form.
    pub(crate) error: Option<String>,
    /// The signed-in contact's name: the menu shows.
    pub(crate) user: Option<String>,
    /// Development mode: the outbox link shows.
    pub(crate) dev: bool,
}

/// Renders `page` with `status`; a template that fails to render is a 500.
pub(crate) fn render(status: StatusCode, page: &impl Template) -> Response {
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(error) => {
            tracing::error!(%error, "template failed to render");
            (StatusCode::INTERNAL_SERVER_ERROR, "template error").into_response()
        }
    }
}

/// Renders `page` with 200 OK.
pub(crate) fn ok(page: &impl Template) -> Response {
    render(StatusCode::OK, page)
}

/// `n` of `noun` as the screen says it: "1 second", "30 seconds", "0 backup codes".
pub(crate) fn count(n: impl std::fmt::Display, noun: &str) -> String {
    let n = n.to_string();
    let s = if n == "1" { "" } else { "s" };
    format!("{n} {noun}{s}")
}

#[derive(Template)]
#[template(path = "error.html")]
pub(crate) struct ErrorPage {
    pub(crate) layout: Layout,
    pub(crate) message: String,
}

impl ErrorPage {
    pub(crate) fn new(message: String) -> Self {
        Self {
            layout: Layout::default(),
            message,
        }
    }
}

#[derive(Template)]
#[template(path = "login.html")]
pub(crate) struct LoginPage {
    pub(crate) layout: Layout,
    pub(crate) login: String,
    /// "Sign in with a passkey": the request options of a passwordless
    /// ceremony (webauthn-rs's JSON), when the deployment offers it.
    pub(crate) passkey: Option<String>,
}

#[derive(Template)]
#[template(path = "code.html")]
pub(crate) struct CodePage {
    pub(crate) layout: Layout,
    /// Which code the field takes: "app", "backup" or "sms".
    pub(crate) mode: &'static str,
    /// "Send SMS Code" shows.
    pub(crate) has_cell_phone: bool,
    /// "Use a Security Key": the request options of the ceremony (webauthn-rs's
    /// JSON), when the contact has registered one.
    pub(crate) passkey: Option<String>,
}

#[derive(Template)]
#[template(path = "create.html")]
pub(crate) struct CreatePage {
    pub(crate) layout: Layout,
    pub(crate) name: String,
    pub(crate) email: String,
    pub(crate) username: String,
    pub(crate) violations: Vec<String>,
    pub(crate) suggestions: Vec<String>,
}

#[derive(Template)]
#[template(path = "created.html")]
pub(crate) struct CreatedPage {
    pub(crate) layout: Layout,
    pub(crate) username: String,
    pub(crate) client_id: u64,
}

#[derive(Template)]
#[template(path = "reset.html")]
pub(crate) struct ResetPage {
    pub(crate) layout: Layout,
}

#[derive(Template)]
#[template(path = "reset_code.html")]
pub(crate) struct ResetCodePage {
    pub(crate) layout: Layout,
    pub(crate) violations: Vec<String>,
}

#[derive(Template)]
#[template(path = "profile.html")]
pub(crate) struct ProfilePage {
    pub(crate) layout: Layout,
    pub(crate) name: String,
    pub(crate) client_id: u64,
    pub(crate) contact_id: u64,
    pub(crate) username: String,
    pub(crate) email: String,
    pub(crate) cell_phone: String,
    pub(crate) two_factor: bool,
    /// "9 backup codes", once two-factor is on.
    pub(crate) backup_codes_left: Option<String>,
    /// At or below the low-water mark: ask to regenerate.
    pub(crate) backup_codes_low: bool,
    /// The facade's notice for it.
    pub(crate) low_notice: &'static str,
    /// The enrolled authenticators, in the order they were added.
    pub(crate) authenticators: Vec<AuthenticatorLine>,
    /// Below the most a contact may hold: "Add another authenticator" shows.
    pub(crate) can_add: bool,
    /// CUSTOM FIELDS: the account-wide security code, as this contact may see it.
    pub(crate) custom: crate::routes::codes::CustomFields,
    /// The deployment has passkeys on: "Security Keys" shows.
    pub(crate) passkeys_enabled: bool,
    /// The registered security keys and passkeys, in the order they were added.
    pub(crate) passkeys: Vec<PasskeyLine>,
    /// "Add a security key or passkey" shows.
    pub(crate) can_add_passkey: bool,
}

/// One security key or passkey as AUTHENTICATION lists it.
pub(crate) struct PasskeyLine {
    /// What the Remove button posts back to name it.
    pub(crate) id: String,
    pub(crate) name: String,
    /// The day it was registered, UTC.
    pub(crate) added: String,
    /// The day it last signed in, or "never".
    pub(crate) last_used: String,
}

/// "Add a security key or passkey": its name, then the password.
#[derive(Template)]
#[template(path = "passkey_add.html")]
pub(crate) struct AddPasskeyPage {
    pub(crate) layout: Layout,
    /// What was typed, kept after a refusal.
    pub(crate) name: String,
}

/// The registration ceremony: the button that calls `navigator.credentials.create`.
#[derive(Template)]
#[template(path = "passkey_create.html")]
pub(crate) struct CreatePasskeyPage {
    pub(crate) layout: Layout,
    pub(crate) name: String,
    /// The creation options (webauthn-rs's JSON), escaped into an attribute.
    pub(crate) options: String,
    pub(crate) minutes: u64,
}

/// "Remove" beside one security key: the password.
#[derive(Template)]
#[template(path = "passkey_remove.html")]
pub(crate) struct RemovePasskeyPage {
    pub(crate) layout: Layout,
    pub(crate) id: String,
    pub(crate) name: String,
}

/// One authenticator as AUTHENTICATION lists it.
pub(crate) struct AuthenticatorLine {
    pub(crate) name: String,
    /// The day it was added, UTC ("2025-11-23").
    pub(crate) added: String,
    /// The day a code from it last signed in, or "never".
    pub(crate) last_used: String,
}

/// "Add another authenticator": its name, then the password.
#[derive(Template)]
#[template(path = "authenticator_add.html")]
pub(crate) struct AddAuthenticatorPage {
    pub(crate) layout: Layout,
    /// What was typed, kept after a refusal.
    pub(crate) name: String,
}

/// "Remove" beside one authenticator: the password.
#[derive(Template)]
#[template(path = "authenticator_remove.html")]
pub(crate) struct RemoveAuthenticatorPage {
    pub(crate) layout: Layout,
    pub(crate) name: String,
}

/// "Regenerate backup codes": the password.
#[derive(Template)]
#[template(path = "backup_regenerate.html")]
pub(crate) struct RegeneratePage {
    pub(crate) layout: Layout,
}

#[derive(Template)]
#[template(path = "password.html")]
pub(crate) struct PasswordPage {
    pub(crate) layout: Layout,
    pub(crate) violations: Vec<String>,
}

/// Step 4 of seed 000: re-enter the password.
#[derive(Template)]
#[template(path = "enable.html")]
pub(crate) struct EnablePage {
    pub(crate) layout: Layout,
}

/// Step 5: the key and its QR code.
#[derive(Template)]
#[template(path = "enable_key.html")]
pub(crate) struct KeyPage {
    pub(crate) layout: Layout,
    /// The key in groups of four, for typing.
    pub(crate) key: String,
    /// The QR code of the otpauth URI, as SVG made by the QR encoder (not user input).
    pub(crate) qr_svg: String,
    pub(crate) minutes: u64,
}

/// Step 6: "Please verify your token."
#[derive(Template)]
#[template(path = "enable_verify.html")]
pub(crate) struct VerifyPage {
    pub(crate) layout: Layout,
    /// The name of the authenticator being added ("Adding: Joe's phone"), when
    /// two-factor is already on; `None` at enabling two-factor.
    pub(crate) adding: Option<String>,
}

impl VerifyPage {
    /// The pop-up for `account`'s pending enrollment.
    pub(crate) fn new(layout: Layout, account: &countersign::Account, now: u64) -> Self {
        let adding = account
            .two_factor_enabled()
            .then(|| account.pending_authenticator_name(now))
            .flatten()
            .map(|name| name.as_str().to_owned());
        Self { layout, adding }
    }
}

/// Step 7, and the backup codes shown once.
#[derive(Template)]
#[template(path = "enable_done.html")]
pub(crate) struct DonePage {
    pub(crate) layout: Layout,
    pub(crate) codes: Vec<String>,
}

#[derive(Template)]
#[template(path = "disable.html")]
pub(crate) struct DisablePage {
    pub(crate) layout: Layout,
    /// The security keys and passkeys that go with two-factor.
    pub(crate) passkeys: usize,
}

/// A message as the outbox page lists it.
pub(crate) struct OutboxLine {
    pub(crate) channel: &'static str,
    pub(crate) to: String,
    pub(crate) body: String,
}

#[derive(Template)]
#[template(path = "outbox.html")]
pub(crate) struct OutboxPage {
    pub(crate) layout: Layout,
    pub(crate) messages: Vec<OutboxLine>,
}

/// A line of the contact list.
pub(crate) struct ContactLine {
    pub(crate) id: u64,
    pub(crate) name: String,
    pub(crate) title: &'static str,
    pub(crate) phone: String,
    pub(crate) email: String,
    pub(crate) has_security_code: bool,
    /// The primary contact's own line has no deactivate button.
    pub(crate) primary: bool,
    pub(crate) deactivated: bool,
}

#[derive(Template)]
#[template(path = "contacts.html")]
pub(crate) struct ContactsPage {
    pub(crate) layout: Layout,
    pub(crate) contacts: Vec<ContactLine>,
    pub(crate) count: usize,
}

/// One drop-down of the grid.
pub(crate) struct CellView {
    /// The form field: `resource.action`.
    pub(crate) field: String,
    /// False for the grid's "-".
    pub(crate) applies: bool,
    /// "inherit", "allow" or "deny".
    pub(crate) selected: &'static str,
    /// What Inherit shows: the inherited value, "(Allow)" or "(None)".
    pub(crate) inherit_label: &'static str,
}

/// One resource row of the grid.
pub(crate) struct RowView {
    pub(crate) name: String,
    pub(crate) depth: u32,
    pub(crate) has_children: bool,
    pub(crate) cells: Vec<CellView>,
}

#[derive(Template)]
#[template(path = "contact.html")]
pub(crate) struct ContactPage {
    pub(crate) layout: Layout,
    /// "details", "login", "permissions" or "unlock".
    pub(crate) tab: &'static str,
    pub(crate) id: u64,
    pub(crate) client_id: u64,
    pub(crate) name: String,
    pub(crate) email: String,
    pub(crate) phone: String,
    pub(crate) username: String,
    pub(crate) two_factor: bool,
    /// Remembered devices.
    pub(crate) devices: usize,
    pub(crate) filter: String,
    pub(crate) rows: Vec<RowView>,
    /// The factors with failures or a lock.
    pub(crate) locked: Vec<String>,
}

/// "Edit Custom Fields": the account-wide security code.
#[derive(Template)]
#[template(path = "account_code.html")]
pub(crate) struct AccountCodePage {
    pub(crate) layout: Layout,
    pub(crate) reasons: Vec<String>,
}

/// Edit Contact's Custom Fields tab: the contact's own security code.
#[derive(Template)]
#[template(path = "contact_code.html")]
pub(crate) struct ContactCodePage {
    pub(crate) layout: Layout,
    pub(crate) id: u64,
    pub(crate) name: String,
    pub(crate) code: String,
    pub(crate) reasons: Vec<String>,
}

/// The support agent's page.
#[derive(Template)]
#[template(path = "support.html")]
pub(crate) struct SupportPage {
    pub(crate) layout: Layout,
    pub(crate) verified: Option<String>,
}

/// The cell phone form: the Country Code drop-down and the Cell Phone field.
#[derive(Template)]
#[template(path = "phone.html")]
pub(crate) struct PhonePage {
    pub(crate) layout: Layout,
    /// Code, name, selected.
    pub(crate) countries: Vec<(&'static str, &'static str, bool)>,
    pub(crate) number: String,
}

#[cfg(test)]
mod tests {
    use super::count;

    #[test]
    fn one_of_a_thing_is_singular_and_any_other_number_plural() {
        assert_eq!(count(1_u64, "second"), "1 second");
        assert_eq!(count(0_usize, "backup code"), "0 backup codes");
        assert_eq!(count(30_u64, "second"), "30 seconds");
        assert_eq!(count(11_usize, "backup code"), "11 backup codes");
    }
}
