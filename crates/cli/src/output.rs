//! Everything the command prints goes through here, so no text it was handed (a
//! scanned URI, a policy file, a file name, an error quoting any of them) can act on
//! the terminal that shows it.
//!
//! Human-readable output escapes every control character but the line break (an
//! escape sequence could retitle the terminal, clear the screen or fake a prompt) and
//! every bidirectional formatting character (Unicode UAX #9 embeddings, overrides,
//! isolates and marks, which reorder what is shown), as `\u{1b}`. One-line messages
//! (errors, warnings) escape line breaks too, so they stay one line. JSON output is
//! JSON: serde_json already escapes C0 controls, and the others above are written as
//! `\uXXXX` escapes, which decode to the same string.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::Write as _;

use anyhow::Context as _;

/// Whether `c` must not reach a terminal raw.
fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
                | '\u{2028}'
                | '\u{2029}'
        )
}

fn escape_with(text: &str, keep: impl Fn(char) -> bool) -> Cow<'_, str> {
    let escaped = |c: char| is_unsafe(c) && !keep(c);
    if !text.chars().any(escaped) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if escaped(c) {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `text` for a terminal, line breaks kept.
pub(crate) fn escape(text: &str) -> Cow<'_, str> {
    escape_with(text, |c| c == '\n')
}

/// `text` for a one-line message: line breaks escaped too.
pub(crate) fn escape_line(text: &str) -> Cow<'_, str> {
    escape_with(text, |_| false)
}

/// JSON text with the characters serde_json leaves raw (DEL, C1 controls,
/// bidirectional formatting, line and paragraph separators) written as `\uXXXX`.
/// They can only occur inside strings, where the escape means the same character.
pub(crate) fn json(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe_in_json) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if is_unsafe_in_json(c) {
            let _ = write!(out, "\\u{:04x}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Pretty line breaks and indentation are JSON whitespace; anything else unsafe is
/// inside a string (serde_json escapes C0 controls there itself).
fn is_unsafe_in_json(c: char) -> bool {
    is_unsafe(c) && !matches!(c, '\n' | '\r' | '\t' | ' ')
}

/// Prints `text` and a line break on stdout, escaped. A closed pipe
/// (`countersign ... | head`) ends the output quietly instead of panicking.
pub(crate) fn say(text: &str) -> anyhow::Result<()> {
    // Borrowed unless something needed escaping: a printed key or code is not copied.
    write_out(&escape(text))
}

/// Prints JSON text and a line break on stdout.
pub(crate) fn say_json(text: &str) -> anyhow::Result<()> {
    write_out(&json(text))
}

/// Prints `text` and a line break on stdout as it is: only for text the command made
/// entirely itself from numbers and its own definitions (a table of codes with tabs,
/// a completion script, a man page), never for anything it was handed.
pub(crate) fn say_own(text: &str) -> anyhow::Result<()> {
    write_out(text)
}

fn write_out(text: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{text}").and_then(|()| out.flush()) {
        Err(error) if error.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(error).context("writing to stdout")
        }
        _ => Ok(()),
    }
}

/// Prints `text` on stderr, escaped (line breaks kept: some reports take lines).
pub(crate) fn tell(text: &str) {
    eprintln!("{}", escape(text));
}

/// Prints a one-line message on stderr: `countersign: ` and `text`, escaped.
pub(crate) fn complain(text: &str) {
    eprintln!("countersign: {}", escape_line(text));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_acts_on_a_terminal_and_nothing_else() {
        assert_eq!(
            escape("Vivio Portal: joe@example.com"),
            "Vivio Portal: joe@example.com"
        );
        assert_eq!(escape("Société ✓ 日本"), "Société ✓ 日本");
        assert_eq!(
            escape("a\u{1b}]0;pwned\u{7}b\r\n\u{9b}c\u{202e}d\u{2066}"),
            "a\\u{1b}]0;pwned\\u{7}b\\u{d}\n\\u{9b}c\\u{202e}d\\u{2066}"
        );
        assert_eq!(escape_line("one\ntwo"), "one\\u{a}two");
        let value = serde_json::json!({"issuer": "x\u{9b}y\u{202e}z\u{1b}"});
        let text = serde_json::to_string_pretty(&value).unwrap();
        let safe = json(&text);
        assert!(!safe.chars().any(|c| is_unsafe(c) && c != '\n'), "{safe}");
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&safe).unwrap(),
            value
        );
    }
}
