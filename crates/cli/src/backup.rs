//! `countersign backup-codes`: generate a set of backup codes, redeem one against a stored set.

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::Subcommand;
use countersign::totp::backup::{BackupSettings, MAX_INPUT_LEN};
use countersign::totp::{BackupCodes, Error};

use zeroize::Zeroizing;

use crate::store_file::{self, StoreFile};
use crate::{clock, output};

/// Stdin read for a code is cut off here: a code is at most `MAX_INPUT_LEN` bytes, so
/// anything this long is refused without reading further (stdin may never end).
const STDIN_LIMIT: u64 = 1 << 20;

/// The `backup-codes` subcommands.
#[derive(Subcommand)]
pub(crate) enum BackupCommand {
    /// Generate a new set of backup codes and print them, once.
    ///
    /// Prints one code per line; with --json prints one object, {"codes": [...],
    /// "store": {...}}, whose "store" is the stored form. The stored form holds only
    /// Argon2id hashes: keep it (--store FILE writes it), show the codes to their owner
    /// and do not keep them.
    Generate {
        /// How many codes (1 to 100).
        #[arg(long, default_value_t = BackupCodes::DEFAULT_COUNT)]
        count: usize,
        /// Print the codes and the stored form as one JSON object.
        #[arg(long)]
        json: bool,
        /// Also write the stored form to this file (replacing any set in it, under its
        /// lock); it must be a regular file or not exist yet.
        #[arg(long, value_name = "FILE")]
        store: Option<PathBuf>,
    },
    /// Redeem a backup code read from stdin against the stored set in FILE.
    ///
    /// On success rewrites FILE with the code consumed and exits 0; a wrong, used or
    /// malformed code exits 1 and says how many codes remain. An unreadable or damaged
    /// FILE exits 1 too, and is left as it was. FILE is locked from reading to
    /// rewriting, so concurrent redeems of one code accept it once, and replaced through
    /// a temporary file in its directory; it must be a regular file (a symbolic link is
    /// refused, not followed).
    Redeem {
        /// The stored form, as written by `generate --store` or `generate --json`'s "store".
        #[arg(long, value_name = "FILE")]
        store: PathBuf,
    },
}

/// Runs one `backup-codes` subcommand.
pub(crate) fn run(command: BackupCommand) -> anyhow::Result<ExitCode> {
    match command {
        BackupCommand::Generate { count, json, store } => generate(count, json, store.as_deref()),
        // Issue 4 fixes redeem's answer as 0 on success and 1 otherwise: an unreadable
        // or damaged store is a "no" too, still reported in one line on stderr.
        BackupCommand::Redeem { store } => redeem(&store).or_else(|error| {
            output::complain(&format!("{error:#}"));
            Ok(ExitCode::from(1))
        }),
    }
}

fn generate(count: usize, json: bool, store_path: Option<&Path>) -> anyhow::Result<ExitCode> {
    let settings = BackupSettings {
        count,
        ..BackupSettings::default()
    };
    let (store, codes) = BackupCodes::generate_with(&settings, &mut rand::rng(), clock::now()?)?;
    if let Some(path) = store_path {
        let text = serde_json::to_string_pretty(&store)?;
        store_file::create_or_replace(path, format!("{text}\n").as_bytes())?;
    }
    let mut out = io::stdout().lock();
    if json {
        let codes: Vec<&str> = codes.iter().map(|code| code.expose()).collect();
        let object = serde_json::json!({ "codes": codes, "store": store });
        writeln!(out, "{}", serde_json::to_string_pretty(&object)?)?;
    } else {
        for code in &codes {
            writeln!(out, "{}", code.expose())?;
        }
        eprintln!(
            "Note these codes in a secure location: each logs you in once, and they will not \
             be shown again."
        );
        if store_path.is_none() {
            eprintln!("(No --store FILE given: the hashes were not saved; use --store or --json.)");
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn redeem(path: &Path) -> anyhow::Result<ExitCode> {
    // The code first: the store is locked for the redeem itself, never while a person
    // types.
    let mut input = Zeroizing::new(Vec::with_capacity(MAX_INPUT_LEN + 1));
    io::stdin()
        .lock()
        .take(STDIN_LIMIT + 1)
        .read_to_end(&mut input)
        .context("cannot read the code from stdin")?;

    let Some(mut file) = StoreFile::lock(path)? else {
        bail!("cannot read {}: no such file", path.display());
    };
    let text = file.read()?;
    let mut store: BackupCodes = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a stored backup-code set", path.display()))?;

    if input.len() as u64 > STDIN_LIMIT {
        output::complain(&format!(
            "backup code input is over {STDIN_LIMIT} bytes; a backup code is at most \
             {MAX_INPUT_LEN} bytes"
        ));
        output::tell(&remaining_line(store.remaining()));
        return Ok(ExitCode::from(1));
    }
    // Invalid UTF-8 becomes U+FFFD, which the library refuses as a character no code has.
    let input = Zeroizing::new(String::from_utf8_lossy(&input).into_owned());

    match store.redeem(&input, clock::now()?) {
        Ok(redeemed) => {
            let text = serde_json::to_string_pretty(&store)?;
            file.replace(format!("{text}\n").as_bytes())?;
            drop(file); // the lock, now the new set is in place
            output::say(&format!(
                "backup code accepted; {}",
                remaining_line(redeemed.remaining)
            ))?;
            Ok(ExitCode::SUCCESS)
        }
        Err(
            refusal @ (Error::BackupCodeEmpty
            | Error::BackupCodeTooLong { .. }
            | Error::BackupCodeInvalidCharacter { .. }
            | Error::BackupCodeWrongLength { .. }
            | Error::BackupCodeWrong { .. }
            | Error::BackupCodeUsed { .. }),
        ) => {
            output::complain(&format!("backup code refused: {refusal}"));
            // Wrong and used codes already say how many remain.
            if !matches!(
                refusal,
                Error::BackupCodeWrong { .. } | Error::BackupCodeUsed { .. }
            ) {
                output::tell(&remaining_line(store.remaining()));
            }
            Ok(ExitCode::from(1))
        }
        Err(other) => Err(other.into()),
    }
}

fn remaining_line(remaining: usize) -> String {
    match remaining {
        1 => "1 backup code remains".to_owned(),
        n => format!("{n} backup codes remain"),
    }
}
