//! Development mode's outbox: the SMS and emails the flows asked to send.

use std::sync::Arc;

use axum::extract::State;
use axum::response::Response;
use countersign::one_time::Channel;

use super::layout;
use crate::app::App;
use crate::error::WebError;
use crate::pages::{self, OutboxLine, OutboxPage};
use crate::session::Session;

/// GET /dev/outbox (routed only in development mode).
pub(crate) async fn outbox(
    State(app): State<Arc<App>>,
    session: Session,
) -> Result<Response, WebError> {
    let outbox = app.outbox.as_ref().ok_or(WebError::NotFound)?;
    let messages = outbox
        .messages()
        .into_iter()
        .map(|m| OutboxLine {
            channel: match m.channel {
                Channel::Sms => "SMS",
                Channel::Email => "Email",
                _ => "Other",
            },
            to: m.to,
            body: m.body,
        })
        .collect();
    Ok(pages::ok(&OutboxPage {
        layout: layout(&app, &session, None),
        messages,
    }))
}
