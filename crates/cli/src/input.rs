//! Everything the command reads: stdin, files, and secrets named on the command line.
//!
//! Every read is bounded: stdin may never end (`countersign totp code --secret - <
//! /dev/zero`) and a file may be a device, so each read stops one byte past its limit
//! and refuses the input in one line (exit 2), instead of growing until the process is
//! killed.
//!
//! A secret argument (`--secret`, `--code`, the URI of `uri parse` and `uri qr`) is
//! best given as `-` (the next line of stdin) or `@FILE` (the file's contents, as
//! oathtool reads them). The value itself still works, but every user of the machine
//! can read it in the process list and it lands in shell history, so a warning says so.

use std::fs::File;
use std::io::{BufRead as _, Read};
use std::path::Path;
use std::sync::Mutex;

use anyhow::{Context as _, bail};
use zeroize::Zeroizing;

use crate::output;

/// The most stdin a secret, a code or a password may take: far more than any of them
/// is (a key is at most 1024 bits, a password at most 4096 code points).
pub(crate) const SECRET_LIMIT: usize = 64 * 1024;

/// The most a policy file or a backup-code store may take.
pub(crate) const FILE_LIMIT: usize = 1 << 20;

/// Reads `reader` to its end, or fails once it passes `limit` bytes. The buffer is
/// reserved up front and zeroized on drop: no copy of a secret is left behind by a
/// reallocation.
fn bounded(mut reader: impl Read, limit: usize) -> std::io::Result<Option<Zeroizing<Vec<u8>>>> {
    let mut bytes = Zeroizing::new(Vec::with_capacity(limit.min(SECRET_LIMIT) + 1));
    let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    (&mut reader).take(cap).read_to_end(&mut bytes)?;
    Ok((bytes.len() <= limit).then_some(bytes))
}

/// All of stdin, at most `limit` bytes; `what` names it in errors ("the password").
pub(crate) fn stdin(what: &str, limit: usize) -> anyhow::Result<Zeroizing<Vec<u8>>> {
    let read = bounded(std::io::stdin().lock(), limit)
        .with_context(|| format!("cannot read {what} from stdin"))?;
    match read {
        Some(bytes) => Ok(bytes),
        None => bail!("{what} on stdin is over {limit} bytes; refused without reading further"),
    }
}

/// A file's contents, at most `limit` bytes; `what` names it in errors.
pub(crate) fn file(path: &Path, what: &str, limit: usize) -> anyhow::Result<Zeroizing<Vec<u8>>> {
    let cannot = || format!("cannot read {what} {}", path.display());
    let file = File::open(path).with_context(cannot)?;
    match bounded(file, limit).with_context(cannot)? {
        Some(bytes) => Ok(bytes),
        None => bail!(
            "{what} {} is over {limit} bytes; refused without reading further",
            path.display()
        ),
    }
}

/// A file's contents as text, at most `limit` bytes.
pub(crate) fn file_text(path: &Path, what: &str, limit: usize) -> anyhow::Result<String> {
    let bytes = file(path, what, limit)?;
    match std::str::from_utf8(&bytes) {
        Ok(text) => Ok(text.to_owned()),
        Err(_) => bail!("{what} {} is not UTF-8", path.display()),
    }
}

/// Warnings for the end of a run: printed once the command has answered, unless it
/// failed on bad input, whose answer is exactly one line.
static WARNINGS: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn warn_later(warning: String) {
    if let Ok(mut warnings) = WARNINGS.lock() {
        warnings.push(warning);
    }
}

/// Prints the warnings gathered during the run, each on one line of stderr.
pub(crate) fn print_warnings() {
    if let Ok(mut warnings) = WARNINGS.lock() {
        for warning in warnings.drain(..) {
            output::complain(&format!("warning: {warning}"));
        }
    }
}

/// Stdin, handed out a line at a time to the arguments that ask for it: with `--secret -
/// --code -` the key is the first line and the code the second. Each line is read
/// only when asked for (a person typing the key presses Enter, not Ctrl-D) and is
/// bounded like any read of stdin.
#[derive(Default)]
pub(crate) struct Stdin {
    _private: (),
}

impl Stdin {
    fn next_line(&mut self, what: &str) -> anyhow::Result<Zeroizing<String>> {
        // Reserved up front so that no reallocation leaves a copy of the secret behind.
        let mut line = Zeroizing::new(Vec::with_capacity(SECRET_LIMIT + 1));
        let cap = u64::try_from(SECRET_LIMIT).unwrap_or(u64::MAX) + 1;
        std::io::stdin()
            .lock()
            .take(cap)
            .read_until(b'\n', &mut line)
            .with_context(|| format!("cannot read {what} from stdin"))?;
        if line.len() > SECRET_LIMIT {
            bail!("{what} on stdin is over {SECRET_LIMIT} bytes; refused without reading further");
        }
        if line.is_empty() {
            bail!("{what}: stdin ended before it was given");
        }
        let text = line.strip_suffix(b"\n").unwrap_or(&line);
        let text = text.strip_suffix(b"\r").unwrap_or(text);
        match std::str::from_utf8(text) {
            Ok(text) => Ok(Zeroizing::new(text.to_owned())),
            Err(_) => bail!("{what} on stdin is not UTF-8"),
        }
    }

    /// The secret an argument names: `-` takes the next line of stdin, `@FILE` the
    /// file's contents; anything else is the secret itself, used with a warning.
    /// Surrounding white space (the line break a file or an `echo` ends with) is
    /// dropped.
    pub(crate) fn secret(&mut self, flag: &str, value: &str) -> anyhow::Result<Zeroizing<String>> {
        let text = if value == "-" {
            self.next_line(flag)?
        } else if let Some(path) = value.strip_prefix('@') {
            let bytes = file(Path::new(path), flag, SECRET_LIMIT)?;
            let Ok(text) = std::str::from_utf8(&bytes) else {
                bail!("{flag}: {path} is not UTF-8");
            };
            Zeroizing::new(text.to_owned())
        } else {
            warn_later(format!(
                "{flag} given on the command line is visible to every user of this machine \
                 (ps, /proc) and may land in shell history: pass {flag} - to read it from \
                 stdin, or {flag} @FILE"
            ));
            Zeroizing::new(value.to_owned())
        };
        let trimmed = text.trim();
        Ok(if trimmed.len() == text.len() {
            text
        } else {
            Zeroizing::new(trimmed.to_owned())
        })
    }
}
