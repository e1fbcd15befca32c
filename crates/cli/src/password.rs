//! `countersign password`: check a password against the policy, hash it, verify it.
//!
//! The password is always read from stdin, never from argv (argv is visible to every
//! user of the machine through `ps` and lands in shell history). One trailing line
//! break is removed, so `echo "$pw" | countersign password check` checks `$pw`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use clap::{Args as ClapArgs, Subcommand};
use countersign::password::{Context, Error, Hasher, Password, Pepper, Policy};

use crate::input::Stdin;
use crate::{input, output};

/// Arguments of `countersign password`.
#[derive(ClapArgs)]
pub(crate) struct Args {
    #[command(subcommand)]
    command: PasswordCommand,
}

#[derive(Subcommand)]
enum PasswordCommand {
    /// Check the password on stdin against the policy: exit 0 if it passes, 1 with every
    /// reason if it does not.
    Check {
        /// The account's username (the password must not be the same).
        #[arg(long)]
        username: String,
        /// The account's email address.
        #[arg(long)]
        email: Option<String>,
        /// The account's client ID.
        #[arg(long)]
        client_id: Option<String>,
        #[command(flatten)]
        policy: PolicyArgs,
        /// Print the full report (violations, suggestions, strength) as JSON on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Hash the password on stdin (Argon2id, PHC string on stdout).
    Hash {
        #[command(flatten)]
        policy: PolicyArgs,
        #[command(flatten)]
        pepper: PepperArgs,
    },
    /// Verify the password on stdin against a stored PHC string: exit 0 if it matches
    /// (saying whether it needs a rehash), 1 if it does not.
    Verify {
        /// The stored PHC string (`$argon2id$v=19$...`): "-" reads it from the first
        /// line of stdin (the password is then the rest), "@FILE" from a file. On the
        /// command line it works with a warning: every user of the machine can read it
        /// there, and a hash is what an offline guessing attack starts from.
        #[arg(long = "hash", value_name = "PHC|-|@FILE")]
        phc: String,
        #[command(flatten)]
        policy: PolicyArgs,
        #[command(flatten)]
        pepper: PepperArgs,
        /// Print `{"verified": .., "needs_rehash": ..}` as JSON on stdout.
        #[arg(long)]
        json: bool,
    },
}

#[derive(ClapArgs)]
struct PolicyArgs {
    /// A policy file (TOML, the crate's serde fields); the portal policy by default.
    #[arg(long, value_name = "FILE")]
    policy: Option<PathBuf>,
}

#[derive(ClapArgs)]
struct PepperArgs {
    /// Name of an environment variable holding the pepper (Argon2's secret input).
    #[arg(long, value_name = "VAR")]
    pepper_env: Option<String>,
}

impl PolicyArgs {
    fn load(&self) -> anyhow::Result<Policy> {
        let Some(path) = &self.policy else {
            return Ok(Policy::portal());
        };
        let text = input::file_text(path, "the policy file", input::FILE_LIMIT)?;
        // One line, as every CLI error: toml's own Display draws a multi-line snippet.
        toml::from_str(&text).map_err(|error| {
            let line = error
                .span()
                .and_then(|span| text.get(..span.start))
                .map_or(1, |before| before.matches('\n').count() + 1);
            anyhow::anyhow!(
                "invalid policy file {} (line {line}): {}",
                path.display(),
                error.message().trim()
            )
        })
    }
}

impl PepperArgs {
    fn apply(&self, hasher: Hasher) -> anyhow::Result<Hasher> {
        let Some(name) = &self.pepper_env else {
            return Ok(hasher);
        };
        let value = std::env::var_os(name)
            .with_context(|| format!("the environment variable {name} (the pepper) is not set"))?;
        let pepper = Pepper::new(value.into_encoded_bytes())
            .with_context(|| format!("the pepper in {name}"))?;
        Ok(hasher.with_pepper(pepper))
    }
}

/// Read the password from stdin (at most [`input::SECRET_LIMIT`] bytes), dropping one
/// trailing line break.
fn read_password() -> anyhow::Result<Password> {
    let bytes = input::stdin("the password", input::SECRET_LIMIT)?;
    let mut text = match std::str::from_utf8(&bytes) {
        Ok(text) => Password::new(text.to_owned()),
        Err(_) => bail!("the password on stdin is not UTF-8"),
    };
    let trimmed = text.expose_secret();
    let trimmed = trimmed
        .strip_suffix("\r\n")
        .or_else(|| trimmed.strip_suffix('\n'))
        .unwrap_or(trimmed);
    if trimmed.len() != text.expose_secret().len() {
        text = Password::new(trimmed.to_owned());
    }
    Ok(text)
}

/// Run `countersign password ...`.
pub(crate) fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        PasswordCommand::Check {
            username,
            email,
            client_id,
            policy,
            json,
        } => {
            let policy = policy.load()?;
            let password = read_password()?;
            let mut context = Context::new(&username);
            if let Some(email) = &email {
                context = context.email(email);
            }
            if let Some(client_id) = &client_id {
                context = context.client_id(client_id);
            }
            let report = policy.check(password.expose_secret(), &context);
            if json {
                let mut value = serde_json::to_value(&report)?;
                if let Some(object) = value.as_object_mut() {
                    object.insert("passed".into(), report.passed().into());
                }
                output::say_json(&serde_json::to_string_pretty(&value)?)?;
            } else {
                for violation in &report.violations {
                    output::tell(&format!(
                        "{}: {}",
                        code_name(&violation.code)?,
                        violation.message
                    ));
                }
                for suggestion in &report.suggestions {
                    output::say(&format!(
                        "suggestion {}: {}",
                        code_name(&suggestion.code)?,
                        suggestion.message
                    ))?;
                }
                if report.passed() {
                    output::say("the password passes the policy")?;
                } else {
                    output::tell("the password does not pass the policy");
                }
            }
            Ok(if report.passed() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        PasswordCommand::Hash { policy, pepper } => {
            let policy = policy.load()?;
            let hasher = pepper.apply(Hasher::new(&policy)?)?;
            let password = read_password()?;
            let stored = hasher.hash(password.expose_secret())?;
            output::say(stored.as_str())?;
            Ok(ExitCode::SUCCESS)
        }
        PasswordCommand::Verify {
            phc,
            policy,
            pepper,
            json,
        } => {
            let policy = policy.load()?;
            let hasher = pepper.apply(Hasher::new(&policy)?)?;
            let phc = Stdin::default().secret("--hash", &phc)?;
            let password = read_password()?;
            let outcome = hasher.verify(password.expose_secret(), &phc);
            let (verified, needs_rehash) = match outcome {
                Ok(verified) => (true, verified.needs_rehash),
                Err(Error::WrongPassword) => (false, false),
                Err(error @ Error::PasswordTooLong { .. }) => {
                    if !json {
                        output::tell(&error.to_string());
                    }
                    (false, false)
                }
                Err(error) => return Err(error.into()),
            };
            if json {
                output::say_json(
                    &serde_json::json!({"verified": verified, "needs_rehash": needs_rehash})
                        .to_string(),
                )?;
            } else if verified && needs_rehash {
                output::say(
                    "verified; the hash uses old parameters: rehash and store the new hash",
                )?;
            } else if verified {
                output::say("verified")?;
            } else {
                output::tell("the password does not match the hash");
            }
            Ok(if verified {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
    }
}

/// The serde name of a code (`too_short`), as the JSON report spells it.
fn code_name<T: serde::Serialize>(code: &T) -> anyhow::Result<String> {
    match serde_json::to_value(code)? {
        serde_json::Value::String(name) => Ok(name),
        other => Ok(other.to_string()),
    }
}
