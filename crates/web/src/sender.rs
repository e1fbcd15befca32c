//! Where the SMS and emails the flows ask for go. The facade never sends:
//! it returns a [`countersign::one_time::Delivery`]; the server hands it to a
//! [`Sender`].

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use countersign::one_time::Channel;

/// A message to send: a text to a phone, or an email.
#[derive(Clone)]
pub struct Message {
    /// SMS or email.
    pub channel: Channel,
    /// The phone number or email address.
    pub to: String,
    /// What to say (it holds the code).
    pub body: String,
}

impl core::fmt::Debug for Message {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Message")
            .field("channel", &self.channel)
            .field("body", &"[redacted]")
            .finish_non_exhaustive()
    }
}

/// Sends messages. A real deployment plugs in its SMS gateway and mail relay.
pub trait Sender: Send + Sync {
    /// Sends `message`. Called from the blocking pool, so it may block.
    fn send(&self, message: &Message);
}

/// Sends nothing, and says so in the log (without the code or the address):
/// what a deployment runs with until it plugs in a real sender.
#[derive(Debug, Default)]
pub struct NoSender;

impl Sender for NoSender {
    fn send(&self, message: &Message) {
        tracing::warn!(channel = ?message.channel, "no sender is configured: a message was not sent");
    }
}

/// Development mode's outbox: the last messages, shown at `/dev/outbox`.
#[derive(Debug, Default)]
pub struct Outbox(Mutex<VecDeque<Message>>);

impl Outbox {
    const KEEP: usize = 50;

    /// The messages kept, newest first.
    #[must_use]
    pub fn messages(&self) -> Vec<Message> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .iter()
            .rev()
            .cloned()
            .collect()
    }
}

impl Sender for Outbox {
    fn send(&self, message: &Message) {
        let mut kept = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if kept.len() == Self::KEEP {
            kept.pop_front();
        }
        kept.push_back(message.clone());
    }
}

/// The outbox and the deployment's sender, both.
pub(crate) struct Both(pub(crate) Arc<dyn Sender>, pub(crate) Arc<dyn Sender>);

impl Sender for Both {
    fn send(&self, message: &Message) {
        self.0.send(message);
        self.1.send(message);
    }
}
