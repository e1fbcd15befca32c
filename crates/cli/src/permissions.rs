//! `countersign permissions`: grids, checks and validation of a policy file.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;
use countersign::permissions::{Error, Policy};

use crate::{input, output};

/// The permissions subcommands.
#[derive(Subcommand)]
pub(crate) enum PermissionsCommand {
    /// Print a principal's permission grid (explicit values plain, inherited in parentheses).
    Grid {
        /// The policy file, TOML or JSON.
        #[arg(long)]
        policy: PathBuf,
        /// The principal's id.
        #[arg(long)]
        principal: String,
        /// Print the grid as JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Check one action: exit 0 if allowed, 1 if denied, with the explanation.
    Check {
        /// The policy file, TOML or JSON.
        #[arg(long)]
        policy: PathBuf,
        /// The principal's id.
        #[arg(long)]
        principal: String,
        /// The resource's id (for example `client-profile`).
        #[arg(long)]
        resource: String,
        /// The action (for example `view`).
        #[arg(long)]
        action: String,
        /// Print the explanation as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Validate a policy file: exit 0 if valid, 1 with the problem if not.
    Validate {
        /// The policy file, TOML or JSON.
        #[arg(long)]
        policy: PathBuf,
    },
}

fn read(path: &Path) -> anyhow::Result<String> {
    input::file_text(path, "the policy file", input::FILE_LIMIT)
}

/// Reads a policy: `.json` as JSON, `.toml` as TOML, anything else by its first character.
fn parse(path: &Path, text: &str) -> Result<Policy, Error> {
    match path.extension().and_then(|e| e.to_str()) {
        Some(e) if e.eq_ignore_ascii_case("json") => Policy::from_json(text),
        Some(e) if e.eq_ignore_ascii_case("toml") => Policy::from_toml(text),
        _ => Policy::parse(text),
    }
}

fn load(path: &Path) -> anyhow::Result<Policy> {
    let text = read(path)?;
    parse(path, &text).with_context(|| format!("invalid policy {}", path.display()))
}

/// Runs a permissions subcommand.
pub(crate) fn run(command: PermissionsCommand) -> anyhow::Result<ExitCode> {
    match command {
        PermissionsCommand::Grid {
            policy,
            principal,
            json,
        } => {
            let grid = load(&policy)?.grid(&principal)?;
            if json {
                output::say_json(&serde_json::to_string_pretty(&grid)?)?;
            } else {
                print!("{}", output::escape(&grid.to_string()));
            }
            Ok(ExitCode::SUCCESS)
        }
        PermissionsCommand::Check {
            policy,
            principal,
            resource,
            action,
            json,
        } => {
            let policy = load(&policy)?;
            let why = policy.explain(&principal, &resource, &action)?;
            let text = if json {
                output::json(&serde_json::to_string(&why)?).into_owned()
            } else {
                output::escape(&why.to_string()).into_owned()
            };
            if why.is_allowed() {
                println!("{text}");
                Ok(ExitCode::SUCCESS)
            } else {
                eprintln!("{text}");
                Ok(ExitCode::from(1))
            }
        }
        PermissionsCommand::Validate { policy: path } => {
            let text = read(&path)?;
            match parse(&path, &text) {
                Ok(policy) => {
                    output::say(&format!(
                        "valid: {} resources, {} actions, {} roles, {} principals",
                        policy.schema().len(),
                        policy.schema().actions().len(),
                        policy.roles().count(),
                        policy.principals().count()
                    ))?;
                    Ok(ExitCode::SUCCESS)
                }
                Err(error) => {
                    output::tell(&format!("invalid: {error}"));
                    Ok(ExitCode::from(1))
                }
            }
        }
    }
}
