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

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    fn message(n: usize) -> Message {
        Message {
            channel: Channel::Sms,
            to: "+15095271234".to_owned(),
            body: format!("Your code is {:06}", 100_000 + n),
        }
    }

    #[test]
    fn a_messages_debug_names_its_channel_and_hides_its_code_and_address() {
        let debug = format!("{:?}", message(1));
        assert_eq!(debug, "Message { channel: Sms, body: \"[redacted]\", .. }");
    }

    #[test]
    fn no_sender_warns_in_the_log_without_the_code_or_the_address() {
        #[derive(Clone, Default)]
        struct Log(Arc<Mutex<Vec<u8>>>);
        impl std::io::Write for Log {
            fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
                self.0.lock().unwrap().extend_from_slice(bytes);
                Ok(bytes.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let log = Log::default();
        let writer = log.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        tracing::subscriber::with_default(subscriber, || NoSender.send(&message(1)));
        let line = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
        assert!(
            line.contains("WARN")
                && line.contains("no sender is configured: a message was not sent"),
            "{line}"
        );
        assert!(line.contains("channel=Sms"), "{line}");
        assert!(
            !line.contains("100001") && !line.contains("5095271234"),
            "{line}"
        );
    }

    #[test]
    fn the_outbox_keeps_the_last_fifty_newest_first() {
        let outbox = Outbox::default();
        for n in 0..=Outbox::KEEP {
            outbox.send(&message(n));
        }
        let kept = outbox.messages();
        assert_eq!(kept.len(), 50);
        assert_eq!(kept[0].body, message(50).body, "newest first");
        assert_eq!(kept[49].body, message(1).body, "the oldest, 0, is gone");
    }
}
