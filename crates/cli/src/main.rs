//! The `countersign` command: every Countersign crate from the shell.
//!
//! Exit status: 0 when the answer is yes, 1 when it is no (the reason on stderr),
//! 2 for bad input or usage (one line on stderr). Each subcommand group lives in its
//! own module and returns `anyhow::Result<ExitCode>`: `Err` is bad input.

use std::process::ExitCode;

use clap::{CommandFactory as _, FromArgMatches as _, Parser, Subcommand};

mod account;
mod backup;
mod clock;
mod generated;
mod input;
mod key;
mod output;
mod password;
mod permissions;
mod security_code;
mod store_file;
mod totp;

#[derive(Parser)]
#[command(
    name = "countersign",
    version,
    about = "Account security from the shell"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print the version.
    Version,
    /// TOTP codes (RFC 6238): print one, verify one.
    #[command(subcommand)]
    Totp(totp::TotpCommand),
    /// HOTP codes (RFC 4226).
    #[command(subcommand)]
    Hotp(totp::HotpCommand),
    /// otpauth:// URIs: make one, read one, draw one as a QR code.
    #[command(subcommand)]
    Uri(totp::UriCommand),
    /// Backup codes: generate a set, redeem one against a stored set.
    BackupCodes {
        #[command(subcommand)]
        command: backup::BackupCommand,
    },
    /// Check a password against the policy, hash it, verify it (password on stdin).
    Password(password::Args),
    /// Permission grids, checks and policy validation.
    Permissions {
        #[command(subcommand)]
        command: permissions::PermissionsCommand,
    },
    /// Security codes callers give support: check one against the policy.
    #[command(subcommand, name = "security-code")]
    SecurityCode(security_code::SecurityCodeCommand),
    /// Accounts in a database (sqlite:PATH or postgres://...): create, show, unlock,
    /// list, export, import, migrate.
    Account(account::Args),
    /// Server keys for the facade's key ring: generate one.
    #[command(subcommand)]
    Key(key::KeyCommand),
    /// Print a shell completion script, generated from these definitions.
    Completions(generated::CompletionsArgs),
    /// Print the man page (or write one page per command into a folder).
    Man(generated::ManArgs),
}

/// The exit status, at the end of every command's `--help`.
const EXIT_STATUS: &str = "\
Exit status:
  0  yes: the code verified, the check passed, the command did what it says
  1  no: a wrong, replayed or malformed code, a failed check (the reason on stderr)
  2  bad input or usage: one line on stderr";

/// The command line as clap sees it, `EXIT_STATUS` after every command's help: what
/// parses the arguments and what the completions and man pages are made from.
pub(crate) fn command() -> clap::Command {
    fn with_exit_status(command: clap::Command) -> clap::Command {
        command
            .after_help(EXIT_STATUS)
            .mut_subcommands(with_exit_status)
    }
    with_exit_status(Cli::command())
}

/// Parses the arguments. A bad value (`--time yesterday`, `--window 100000`) is bad
/// input like any other: one line on stderr and exit 2, not clap's usage block; help,
/// version and other usage errors are clap's own.
fn parse() -> Result<Cli, ExitCode> {
    let parsed = command()
        .try_get_matches()
        .and_then(|matches| Cli::from_arg_matches(&matches));
    match parsed {
        Ok(cli) => Ok(cli),
        Err(error)
            if matches!(
                error.kind(),
                clap::error::ErrorKind::ValueValidation | clap::error::ErrorKind::InvalidValue
            ) =>
        {
            // clap's first paragraph (the value, the flag, the possible values), on one line.
            let text = error.to_string();
            let text = text.strip_prefix("error: ").unwrap_or(&text);
            let paragraph: Vec<&str> = text
                .lines()
                .take_while(|line| !line.trim().is_empty())
                .map(str::trim)
                .collect();
            output::complain(&paragraph.join(" "));
            Err(ExitCode::from(2))
        }
        Err(error) => error.exit(),
    }
}

fn main() -> ExitCode {
    let cli = match parse() {
        Ok(cli) => cli,
        Err(code) => return code,
    };
    let outcome: anyhow::Result<ExitCode> = match cli.command {
        Command::Version => output::say(&format!("countersign {}", env!("CARGO_PKG_VERSION")))
            .map(|()| ExitCode::SUCCESS),
        Command::Totp(command) => totp::run_totp(&command),
        Command::Hotp(command) => totp::run_hotp(&command),
        Command::Uri(command) => totp::run_uri(&command),
        Command::BackupCodes { command } => backup::run(command),
        Command::Password(args) => password::run(args),
        Command::Permissions { command } => permissions::run(command),
        Command::SecurityCode(command) => security_code::run(command),
        Command::Account(args) => account::run(args),
        Command::Key(command) => key::run(command),
        Command::Completions(args) => generated::completions(&args),
        Command::Man(args) => generated::man(&args),
    };
    match outcome {
        Ok(code) => {
            input::print_warnings();
            code
        }
        Err(error) => {
            output::complain(&format!("{error:#}"));
            ExitCode::from(2)
        }
    }
}
