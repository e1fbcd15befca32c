#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod app;
mod config;
pub mod demo;
mod error;
mod grants;
pub mod input;
mod limit;
mod pages;
mod routes;
mod sender;
mod session;

use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, Request, header};
use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};
use tower::ServiceBuilder;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};

pub use app::{App, Clock, Options};
pub use config::{Config, KEY_VAR, RelyingParty, check_relying_party, load_server_key, run};
pub use sender::{Message, NoSender, Outbox, Sender};

use routes::{account, codes, contacts, dev, login, passkeys, phone, profile};

/// The Content-Security-Policy of every response: nothing but this origin's
/// stylesheet, forms and one script file (`/static/passkey.js`, which calls
/// `navigator.credentials` for security keys and passkeys); no inline script,
/// no `eval`, no fetch, no framing, no plugins. The QR code is inline SVG
/// markup, which needs no `img-src`.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; \
     base-uri 'none'";

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The portal's routes, with sessions, CSRF checks, rate limits, security
/// headers, body limits and request-id tracing.
pub fn router(app: Arc<App>) -> Router {
    // Each POST here checks a password or a code (or costs an Argon2id hash):
    // rate limited per IP in front of the facade's per-account throttle.
    let limited = Router::new()
        .route("/login", get(login::form).post(login::submit))
        .route("/login/code", get(login::code_form).post(login::code))
        .route("/login/sms", post(login::sms))
        .route("/login/passkey", post(login::passkey))
        .route("/login/passwordless", post(login::passwordless))
        .route("/create", get(account::create_form).post(account::create))
        .route("/reset", get(account::reset_form).post(account::reset))
        .route("/reset/code", post(account::reset_code))
        .route(
            "/profile/password",
            get(profile::password_form).post(profile::change_password),
        )
        .route(
            "/profile/two-factor/enable",
            get(profile::enable_form).post(profile::enable),
        )
        .route(
            "/profile/two-factor/verify",
            get(profile::verify_form).post(profile::verify),
        )
        .route(
            "/profile/two-factor/disable",
            get(profile::disable_form).post(profile::disable),
        )
        .route(
            "/profile/authenticators/add",
            get(profile::add_form).post(profile::add),
        )
        .route(
            "/profile/authenticators/remove",
            get(profile::remove_form).post(profile::remove),
        )
        .route(
            "/profile/backup-codes",
            get(profile::regenerate_form).post(profile::regenerate),
        )
        .route(
            "/profile/passkeys/add",
            get(passkeys::add_form).post(passkeys::add),
        )
        .route("/profile/passkeys/finish", post(passkeys::finish))
        .route(
            "/profile/passkeys/remove",
            get(passkeys::remove_form).post(passkeys::remove),
        )
        .route_layer(from_fn_with_state(Arc::clone(&app), limit::layer));
    let dev = app.options.dev;
    let mut routes = Router::new()
        .route("/", get(routes::home))
        .route("/profile", get(profile::show))
        .route("/profile/two-factor/cancel", post(profile::cancel))
        .route("/logout", post(login::logout))
        .route("/contacts", get(contacts::list))
        .route("/contacts/{id}", get(contacts::edit))
        .route(
            "/contacts/{id}/permissions",
            post(contacts::update_permissions),
        )
        .route("/contacts/{id}/unlock", post(contacts::unlock))
        .route("/contacts/{id}/deactivate", post(contacts::deactivate))
        .route("/contacts/{id}/reactivate", post(contacts::reactivate))
        .route("/contacts/{id}/reset", post(contacts::email_reset_code))
        .route("/profile/cell-phone", get(phone::form).post(phone::save))
        .route(
            "/profile/security-code",
            get(codes::account_form).post(codes::set_account_code),
        )
        .route(
            "/contacts/{id}/security-code",
            get(codes::contact_form).post(codes::set_contact_code),
        )
        .route("/static/portal.css", get(routes::stylesheet))
        .route("/static/passkey.js", get(routes::script))
        .merge(limited);
    if dev {
        // No staff accounts in this cut: the agent's page is a development demo.
        let support = Router::new()
            .route(
                "/support",
                get(codes::support_form).post(codes::verify_caller),
            )
            .route_layer(from_fn_with_state(Arc::clone(&app), limit::layer));
        routes = routes.route("/dev/outbox", get(dev::outbox)).merge(support);
    }
    routes
        .fallback(routes::not_found)
        .layer(from_fn_with_state(Arc::clone(&app), session::layer))
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(REQUEST_ID, RandomRequestId))
                .layer(TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
                    let id = logged_request_id(request.headers().get(REQUEST_ID));
                    // The path only: no query string, no header, no body in a log line.
                    tracing::info_span!("request", id, method = %request.method(), path = request.uri().path())
                })
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)))
                .layer(PropagateRequestIdLayer::new(REQUEST_ID))
                .layer(header_layer(header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY))
                .layer(header_layer(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
                .layer(header_layer(header::X_FRAME_OPTIONS, "DENY"))
                .layer(header_layer(header::REFERRER_POLICY, "no-referrer"))
                // Outside development the portal is reached over HTTPS only.
                .option_layer((!dev).then(|| {
                    header_layer(header::STRICT_TRANSPORT_SECURITY, "max-age=31536000")
                }))
                // Keys and backup codes are on these pages: no cache keeps them.
                .layer(SetResponseHeaderLayer::if_not_present(
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("no-store"),
                ))
                .layer(RequestBodyLimitLayer::new(session::MAX_BODY)),
        )
        .with_state(app)
}

fn header_layer(name: HeaderName, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::overriding(name, HeaderValue::from_static(value))
}

/// The request id a log line names: ours, or a proxy's if it looks like an id
/// (at most 64 ASCII letters, digits and hyphens), else `-`. A client sets this
/// header, so anything else in it is free text, which never reaches a log.
fn logged_request_id(header: Option<&HeaderValue>) -> &str {
    header
        .and_then(|v| v.to_str().ok())
        .filter(|id| id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        .unwrap_or("-")
}

/// Request ids: 64 random bits in hex, in `x-request-id` and every log line.
#[derive(Clone, Copy, Debug)]
struct RandomRequestId;

impl MakeRequestId for RandomRequestId {
    fn make_request_id<B>(&mut self, _: &Request<B>) -> Option<RequestId> {
        let id = format!("{:016x}", rand::random::<u64>());
        HeaderValue::from_str(&id).ok().map(RequestId::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_id_shaped_request_id_reaches_a_log_line() {
        let logged = |text: &str| {
            let header = HeaderValue::from_str(text).unwrap();
            logged_request_id(Some(&header)).to_owned()
        };
        let longest = "a1-".repeat(21) + "z";
        assert_eq!(longest.len(), 64);
        assert_eq!(logged(&longest), longest, "64 letters, digits and hyphens");
        assert_eq!(logged("0123456789abcdef"), "0123456789abcdef");
        assert_eq!(logged("Proxy-ID-42"), "Proxy-ID-42");
        for free_text in [
            format!("{longest}0"),
            "password=hunter2".to_owned(),
            "two words".to_owned(),
            "under_score".to_owned(),
            "tab\there".to_owned(),
        ] {
            assert_eq!(logged(&free_text), "-", "{free_text:?}");
        }
        let opaque = HeaderValue::from_bytes(b"caf\xc3\xa9").unwrap();
        assert_eq!(logged_request_id(Some(&opaque)), "-", "not visible ASCII");
        assert_eq!(logged_request_id(None), "-");
    }
}
