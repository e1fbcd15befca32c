//! The `countersign` command: every Countersign crate from the shell.
//!
//! Exit status: 0 when the answer is yes, 1 when it is no (the reason on stderr),
//! 2 for bad input or usage (one line on stderr). Each subcommand group lives in its
//! own module and returns `anyhow::Result<ExitCode>`: `Err` is bad input.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod security_code;

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
    /// Print the version of every Countersign crate.
    Version,
    /// Security codes callers give support: check one against the policy.
    #[command(subcommand, name = "security-code")]
    SecurityCode(security_code::SecurityCodeCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome: anyhow::Result<ExitCode> = match cli.command {
        Command::Version => {
            println!("countersign {}", env!("CARGO_PKG_VERSION"));
            Ok(ExitCode::SUCCESS)
        }
        Command::SecurityCode(command) => security_code::run(command),
    };
    match outcome {
        Ok(code) => code,
        Err(error) => {
            eprintln!("countersign: {error:#}");
            ExitCode::from(2)
        }
    }
}
