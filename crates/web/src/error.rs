//! Failures a handler cannot answer with its own page, and what the flows'
//! refusals say on screen.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use countersign::Error as Flow;
use countersign::totp::Error as TotpError;

use crate::pages::{self, ErrorPage};

/// Said for every code that does not sign in or confirm: wrong, replayed, used,
/// expired or malformed. One message, so an attacker who watched a code being
/// typed cannot tell from the answer whether it was right a moment ago.
pub(crate) const CODE_REFUSED: &str =
    "That code is not valid. Check the code and try again, or request a new one.";

/// Said for an unknown login and a wrong password alike.
pub(crate) const LOGIN_REFUSED: &str = "The login name or password is incorrect.";

/// A request the application could not serve.
#[derive(Debug)]
pub(crate) enum WebError {
    /// The database could not be reached, or stayed busy.
    Unavailable,
    /// Not signed in: go to the login page.
    SignIn,
    /// The contact lacks a permission (403), with the facade's message.
    Forbidden(String),
    /// No such page or record.
    NotFound,
    /// A form no page of ours sends.
    BadRequest,
    /// A bug or a corrupt record: logged, and a plain 500 shown.
    Internal,
}

impl From<countersign_store::Error> for WebError {
    fn from(error: countersign_store::Error) -> Self {
        use countersign_store::Error as E;
        match error {
            E::Unavailable { .. } | E::Busy { .. } => {
                tracing::warn!(%error, "store unavailable");
                Self::Unavailable
            }
            E::NotFound { .. } => Self::NotFound,
            E::Flow(Flow::PermissionDenied { gate }) => {
                Self::Forbidden(Flow::PermissionDenied { gate }.to_string())
            }
            // Store errors carry no secret (countersign-store promises it).
            error => {
                tracing::error!(%error, "store error");
                Self::Internal
            }
        }
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let (status, message) = match self {
            Self::SignIn => return axum::response::Redirect::to("/login").into_response(),
            Self::Unavailable => (
                StatusCode::SERVICE_UNAVAILABLE,
                "The portal is busy. Try again in a moment.".to_owned(),
            ),
            Self::Forbidden(message) => (StatusCode::FORBIDDEN, message),
            Self::NotFound => (StatusCode::NOT_FOUND, "There is nothing here.".to_owned()),
            Self::BadRequest => (
                StatusCode::BAD_REQUEST,
                "That form is not one of ours.".to_owned(),
            ),
            Self::Internal => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong on our side. Try again.".to_owned(),
            ),
        };
        pages::render(status, &ErrorPage::new(message))
    }
}

/// What the screen says when a security key's answer was refused for its
/// shape, before the facade saw it.
pub(crate) fn passkey_answer_refused(error: &crate::input::PasskeyResponseError) -> String {
    use crate::input::PasskeyResponseError as E;
    match error {
        E::Missing => "No answer came from a security key: this needs JavaScript, which may be \
             off in this browser. Turn it on for this site, reload the page and try again."
            .to_owned(),
        _ => format!(
            "The security key's answer did not arrive whole ({error}). Reload the page and \
             try again."
        ),
    }
}

/// `text` as a sentence: a capital first letter and a full stop.
fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    let first = chars.next().map(|c| c.to_uppercase().collect::<String>());
    let mut out = first.unwrap_or_default() + chars.as_str();
    if !out.ends_with('.') {
        out.push('.');
    }
    out
}

/// What the screen says when a flow refuses, and with which status.
pub(crate) fn refusal(error: &Flow, now: u64) -> (StatusCode, String) {
    let unauthorized = StatusCode::UNAUTHORIZED;
    match error {
        Flow::Password(countersign::password::Error::WrongPassword) => {
            (unauthorized, "The password is incorrect.".to_owned())
        }
        Flow::Totp(
            TotpError::WrongCode
            | TotpError::Replayed { .. }
            | TotpError::BackupCodeWrong { .. }
            | TotpError::BackupCodeUsed { .. },
        )
        | Flow::Totp(_)
        | Flow::WrongOneTimeCode { .. }
        | Flow::OneTimeCodeUsed
        | Flow::OneTimeCodeExpired { .. }
        | Flow::OneTimeCodeExhausted
        | Flow::MalformedOneTimeCode { .. }
        | Flow::NoPendingCode { .. }
        | Flow::WrongPurpose { .. } => (unauthorized, CODE_REFUSED.to_owned()),
        Flow::Throttled(throttled) => (
            StatusCode::TOO_MANY_REQUESTS,
            match throttled.seconds_to_wait(now) {
                _ if throttled.is_locked() => "Too many wrong attempts: this is locked until \
                     an administrator unlocks it (Edit Contact, Unlock)."
                    .to_owned(),
                Some(seconds) => format!(
                    "Too many wrong attempts. Try again in {}.",
                    pages::count(seconds.max(1), "second")
                ),
                None => "Too many wrong attempts. Try again shortly.".to_owned(),
            },
        ),
        Flow::PermissionDenied { .. } | Flow::ContactDeactivated => {
            (StatusCode::FORBIDDEN, error.to_string())
        }
        Flow::EnrollmentExpired { .. } | Flow::NoPendingEnrollment => (
            StatusCode::GONE,
            "The enrollment expired and two-factor is still off: select \"Click to enable\" \
             to start again."
                .to_owned(),
        ),
        Flow::SecurityCode(countersign::security_code::Error::Refused { .. }) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "That security code was refused:".to_owned(),
        ),
        Flow::WrongSecurityCode | Flow::NoSecurityCode => (unauthorized, error.to_string()),
        Flow::PasswordRejected { summary, .. } => (
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("The password does not meet the rules: {summary}."),
        ),
        Flow::InvalidAuthenticatorName { .. }
        | Flow::DuplicateAuthenticatorName { .. }
        | Flow::TooManyAuthenticators { .. } => {
            (StatusCode::UNPROCESSABLE_ENTITY, error.to_string())
        }
        Flow::NoSuchAuthenticator => (StatusCode::NOT_FOUND, error.to_string()),
        Flow::DuplicatePasskeyName { .. } | Flow::TooManyPasskeys { .. } => (
            StatusCode::UNPROCESSABLE_ENTITY,
            sentence(&error.to_string()),
        ),
        Flow::NoSuchPasskey => (
            StatusCode::NOT_FOUND,
            "That security key is not on your account any more.".to_owned(),
        ),
        Flow::PasskeyChallengeInvalid { .. }
        | Flow::PasskeyChallengeExpired { .. }
        | Flow::PasskeyChallengeSpent => (
            StatusCode::GONE,
            "That security key request expired or was already used: select the button to \
             try again."
                .to_owned(),
        ),
        Flow::TooManyPasskeyCeremonies { retry_at } => (
            StatusCode::TOO_MANY_REQUESTS,
            format!(
                "Too many security key sign-ins lately. Try again in {}.",
                pages::count(retry_at.saturating_sub(now).max(1), "second")
            ),
        ),
        Flow::PasskeysDisabled | Flow::PasswordlessDisabled => {
            (StatusCode::NOT_FOUND, sentence(&error.to_string()))
        }
        // WebAuthn's refusals name the rule broken, nothing secret (a wrong
        // origin, a cloned authenticator, a key not registered here).
        Flow::Passkey(refused) => (
            StatusCode::UNAUTHORIZED,
            format!("The security key was refused: {refused}."),
        ),
        Flow::LastAuthenticator => (StatusCode::CONFLICT, error.to_string()),
        _ => (StatusCode::BAD_REQUEST, error.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_from_the_facade_is_shown_as_a_sentence() {
        assert_eq!(sentence("choose another name"), "Choose another name.");
        assert_eq!(sentence("already one."), "Already one.", "one full stop");
        assert_eq!(sentence("élan"), "Élan.");
    }

    #[test]
    fn each_passkey_refusal_has_its_status_and_says_what_to_do() {
        let refused = |error: Flow| {
            let (status, message) = refusal(&error, 1_000);
            (status.as_u16(), message)
        };
        let said = |status: u16, message: &str| (status, message.to_owned());
        assert_eq!(
            refused(Flow::DuplicatePasskeyName {
                name: "YubiKey".into()
            }),
            said(
                422,
                "You already have a passkey named \"YubiKey\": choose another name."
            )
        );
        assert_eq!(
            refused(Flow::TooManyPasskeys { max: 10 }),
            said(
                422,
                "You already have 10 passkeys, the most allowed: remove one first."
            )
        );
        assert_eq!(
            refused(Flow::NoSuchPasskey),
            said(404, "That security key is not on your account any more.")
        );
        assert_eq!(
            refused(Flow::PasskeysDisabled),
            said(
                404,
                "Passkeys are not enabled on this site: use your authenticator app."
            )
        );
        assert_eq!(
            refused(Flow::TooManyPasskeyCeremonies { retry_at: 1_030 }),
            said(
                429,
                "Too many security key sign-ins lately. Try again in 30 seconds."
            )
        );
        assert_eq!(
            refused(Flow::TooManyPasskeyCeremonies { retry_at: 1_000 }),
            said(
                429,
                "Too many security key sign-ins lately. Try again in 1 second."
            ),
            "never 'in 0 seconds'"
        );
        for spent in [
            Flow::PasskeyChallengeSpent,
            Flow::PasskeyChallengeExpired { expired_at: 999 },
            Flow::PasskeyChallengeInvalid { reason: "sealed" },
        ] {
            assert_eq!(
                refused(spent),
                said(
                    410,
                    "That security key request expired or was already used: select the \
                     button to try again."
                )
            );
        }
    }

    #[test]
    fn a_throttled_attempt_says_how_long_to_wait() {
        let policy = countersign::throttle::ThrottlePolicy::new(0, 30, 30).unwrap();
        let throttle = countersign::throttle::Throttle::new(countersign::throttle::Factor::Totp);
        let throttle = throttle.admit(&policy, 1_000).unwrap().failed();
        let throttled = throttle.admit(&policy, 1_001).unwrap_err();
        let wait = |now| refusal(&Flow::Throttled(throttled), now).1;
        assert_eq!(
            wait(1_001),
            "Too many wrong attempts. Try again in 29 seconds."
        );
        assert_eq!(
            wait(1_029),
            "Too many wrong attempts. Try again in 1 second."
        );
        assert_eq!(
            wait(1_030),
            "Too many wrong attempts. Try again in 1 second.",
            "the clock moved on since the check: never 'in 0 seconds'"
        );
    }
}
