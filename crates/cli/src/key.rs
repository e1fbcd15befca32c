//! `countersign key ...`: server keys for the facade's key ring.
//!
//! `key generate` draws a fresh 256-bit server key from the operating system's
//! CSPRNG and writes it as 64 lower-case hex digits: to stdout, or with `--out
//! FILE` to a new file only its owner can read (mode 0600, never overwriting,
//! never through a symlink). The key is never taken from or put on the command
//! line, where every user of the machine can read it in the process list. Load
//! it with `ServerKey::from_slice` on the decoded bytes, and name it in the
//! service's `KeyRing`.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Args, Subcommand};
use countersign::ServerKey;
use zeroize::Zeroizing;

/// Server-key subcommands.
#[derive(Subcommand)]
pub(crate) enum KeyCommand {
    /// Generate a server key: 64 hex digits on stdout, or in a new 0600 file.
    Generate(GenerateArgs),
}

/// Where the new key goes.
#[derive(Args)]
pub(crate) struct GenerateArgs {
    /// Write the key to this new file (mode 0600; an existing file or a symlink
    /// is refused) instead of stdout.
    #[arg(long)]
    out: Option<PathBuf>,
}

pub(crate) fn run(command: KeyCommand) -> anyhow::Result<ExitCode> {
    match command {
        KeyCommand::Generate(args) => generate(&args),
    }
}

fn hex(bytes: &[u8]) -> Zeroizing<String> {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = Zeroizing::new(String::with_capacity(bytes.len() * 2 + 1));
    for &byte in bytes {
        text.push(char::from(DIGITS[usize::from(byte >> 4)]));
        text.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    text.push('\n');
    text
}

fn generate(args: &GenerateArgs) -> anyhow::Result<ExitCode> {
    let key = ServerKey::generate();
    let text = hex(key.expose_bytes());
    match &args.out {
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(text.as_bytes())?;
            stdout.flush()?;
        }
        Some(path) => {
            let mut options = OpenOptions::new();
            // create_new is O_CREAT | O_EXCL: it fails on an existing file and on
            // any symlink, dangling or not, so nothing is overwritten or followed.
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file = options
                .open(path)
                .with_context(|| format!("cannot create {} for the new key", path.display()))?;
            file.write_all(text.as_bytes())
                .and_then(|()| file.sync_all())
                .with_context(|| format!("cannot write the key to {}", path.display()))?;
            eprintln!("countersign: a new server key is in {}", path.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}
