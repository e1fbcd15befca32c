//! The `countersign` command: every Countersign crate from the shell.
//!
//! Exit status: 0 when the answer is yes, 1 when it is no (the reason on stderr),
//! 2 for bad input or usage (one line on stderr). Each subcommand group lives in its
//! own module and returns `anyhow::Result<ExitCode>`: `Err` is bad input.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod account;
mod backup;
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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
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
