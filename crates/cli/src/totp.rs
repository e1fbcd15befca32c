//! `countersign totp`, `countersign hotp` and `countersign uri`: one-time codes and
//! otpauth URIs from the shell.

use std::fmt::Write as _;
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context as _, Result};
use clap::{Args, Subcommand, ValueEnum};
use countersign::totp::{
    Algorithm, Config, Error, Hotp, KeyUri, Kind, Params, Secret, Totp, Verifier, Window,
};
use serde::Serialize;

use crate::input::Stdin;
use crate::output;

/// `countersign totp ...`
#[derive(Subcommand)]
pub(crate) enum TotpCommand {
    /// Print the TOTP code at a time (now by default).
    Code {
        #[command(flatten)]
        key: KeyArgs,
        #[command(flatten)]
        totp: TotpArgs,
    },
    /// Verify a code: print the matched step and exit 0, or exit 1 with the reason.
    Verify {
        #[command(flatten)]
        key: KeyArgs,
        #[command(flatten)]
        totp: TotpArgs,
        /// The code as typed, spaces are fine ("123 456"): "-" reads it from a line of
        /// stdin (after the secret's, if that is "-" too), "@FILE" from a file.
        #[arg(long, value_name = "CODE|-|@FILE")]
        code: String,
        /// Steps accepted on either side of the current one.
        #[arg(long, default_value_t = 1)]
        window: u32,
        /// The last step accepted for this key: it and earlier steps are refused as replays.
        #[arg(long)]
        last_step: Option<u64>,
    },
}

/// `countersign hotp ...`
#[derive(Subcommand)]
pub(crate) enum HotpCommand {
    /// Print the HOTP code for a counter.
    Code {
        #[command(flatten)]
        key: KeyArgs,
        /// The counter.
        #[arg(long)]
        counter: u64,
        /// The hash function.
        #[arg(long, value_enum, ignore_case = true, default_value_t = AlgorithmArg::Sha1)]
        algorithm: AlgorithmArg,
        /// Digits per code: 6, 7 or 8.
        #[arg(long, default_value_t = 6)]
        digits: u8,
    },
}

/// `countersign uri ...`
#[derive(Subcommand)]
pub(crate) enum UriCommand {
    /// Print a new otpauth URI (with a fresh 160-bit secret unless --secret is given).
    New {
        /// The service name the app shows, e.g. "Vivio Portal".
        #[arg(long)]
        issuer: Option<String>,
        /// The account name, e.g. an email address.
        #[arg(long)]
        account: String,
        /// The secret in base32: "-" reads it from stdin, "@FILE" from a file;
        /// generated when absent.
        #[arg(long, value_name = "B32|-|@FILE")]
        secret: Option<String>,
        /// The hash function.
        #[arg(long, value_enum, ignore_case = true, default_value_t = AlgorithmArg::Sha1)]
        algorithm: AlgorithmArg,
        /// Digits per code: 6, 7 or 8.
        #[arg(long, default_value_t = 6)]
        digits: u8,
        /// Seconds per step (TOTP).
        #[arg(long, default_value_t = 30, conflicts_with = "counter")]
        period: u64,
        /// Make an HOTP URI starting at this counter.
        #[arg(long)]
        counter: Option<u64>,
    },
    /// Print the fields of an otpauth URI.
    Parse {
        /// The otpauth:// URI (it holds the secret): "-" reads it from stdin, "@FILE"
        /// from a file.
        #[arg(value_name = "URI|-|@FILE")]
        uri: String,
        /// Print JSON: type, issuer, account, secret, algorithm, digits, period, counter.
        #[arg(long)]
        json: bool,
    },
    /// Print an otpauth URI as a QR code.
    Qr {
        /// The otpauth:// URI (it holds the secret): "-" reads it from stdin, "@FILE"
        /// from a file.
        #[arg(value_name = "URI|-|@FILE")]
        uri: String,
        /// SVG text, or Unicode blocks for a dark terminal.
        #[arg(long, value_enum, default_value_t = QrFormat::Terminal)]
        format: QrFormat,
    },
}

/// The secret, shared by every code command.
#[derive(Args)]
pub(crate) struct KeyArgs {
    /// The secret in base32, as an app shows it (any case, spaces and hyphens fine):
    /// "-" (the default) reads it from stdin, "@FILE" from a file. The key itself works
    /// too, with a warning: other users can read it in the process list.
    #[arg(long, value_name = "B32|-|@FILE", default_value = "-")]
    secret: String,
}

/// TOTP parameters.
#[derive(Args)]
pub(crate) struct TotpArgs {
    /// The hash function.
    #[arg(long, value_enum, ignore_case = true, default_value_t = AlgorithmArg::Sha1)]
    algorithm: AlgorithmArg,
    /// Digits per code: 6, 7 or 8.
    #[arg(long, default_value_t = 6)]
    digits: u8,
    /// Seconds per step.
    #[arg(long, default_value_t = 30)]
    period: u64,
    /// The Unix time (seconds) to use instead of now.
    #[arg(long)]
    time: Option<u64>,
}

/// The hash functions, as command-line values.
#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum AlgorithmArg {
    Sha1,
    Sha256,
    Sha512,
}

impl From<AlgorithmArg> for Algorithm {
    fn from(value: AlgorithmArg) -> Self {
        match value {
            AlgorithmArg::Sha1 => Self::Sha1,
            AlgorithmArg::Sha256 => Self::Sha256,
            AlgorithmArg::Sha512 => Self::Sha512,
        }
    }
}

/// QR code outputs.
#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum QrFormat {
    Svg,
    Terminal,
}

impl KeyArgs {
    fn secret(&self, stdin: &mut Stdin) -> Result<Secret> {
        read_secret(stdin, &self.secret)
    }
}

impl TotpArgs {
    fn params(&self) -> Params {
        Params {
            algorithm: self.algorithm.into(),
            digits: self.digits,
            period: self.period,
            t0: 0,
        }
    }

    fn now(&self) -> Result<u64> {
        match self.time {
            Some(time) => Ok(time),
            None => Ok(SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .context("the system clock is before 1970")?
                .as_secs()),
        }
    }
}

fn read_secret(stdin: &mut Stdin, value: &str) -> Result<Secret> {
    let text = stdin.secret("--secret", value)?;
    Secret::from_base32(&text).context("--secret")
}

/// Runs `countersign totp ...`.
pub(crate) fn run_totp(command: &TotpCommand) -> Result<ExitCode> {
    let mut stdin = Stdin::default();
    match command {
        TotpCommand::Code { key, totp } => {
            let generator = Totp::new(&key.secret(&mut stdin)?, totp.params())?;
            output::say(&generator.code_at(totp.now()?)?.to_string())?;
            Ok(ExitCode::SUCCESS)
        }
        TotpCommand::Verify {
            key,
            totp,
            code,
            window,
            last_step,
        } => {
            let config = Config {
                params: totp.params(),
                window: Window::symmetric(*window),
            };
            let verifier = Verifier::new(&key.secret(&mut stdin)?, config)?;
            let code = stdin.secret("--code", code)?;
            match verifier.verify(&code, totp.now()?, *last_step) {
                Ok(matched) => {
                    output::say(&format!("step {} (drift {})", matched.step, matched.drift))?;
                    Ok(ExitCode::SUCCESS)
                }
                // A "no": the code is wrong, malformed or replayed.
                Err(
                    error @ (Error::WrongCode
                    | Error::Replayed { .. }
                    | Error::CodeLength { .. }
                    | Error::CodeNotDigit { .. }),
                ) => {
                    output::complain(&error.to_string());
                    Ok(ExitCode::from(1))
                }
                Err(error) => Err(error.into()),
            }
        }
    }
}

/// Runs `countersign hotp ...`.
pub(crate) fn run_hotp(command: &HotpCommand) -> Result<ExitCode> {
    let mut stdin = Stdin::default();
    match command {
        HotpCommand::Code {
            key,
            counter,
            algorithm,
            digits,
        } => {
            let generator = Hotp::new(&key.secret(&mut stdin)?, (*algorithm).into(), *digits)?;
            output::say(&generator.code(*counter).to_string())?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The fields of a URI, for `uri parse --json`.
#[derive(Serialize)]
struct UriFields<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    issuer: Option<&'a str>,
    account: &'a str,
    secret: &'a str,
    algorithm: Algorithm,
    digits: u8,
    period: Option<u64>,
    counter: Option<u64>,
}

/// Runs `countersign uri ...`.
pub(crate) fn run_uri(command: &UriCommand) -> Result<ExitCode> {
    let mut stdin = Stdin::default();
    match command {
        UriCommand::New {
            issuer,
            account,
            secret,
            algorithm,
            digits,
            period,
            counter,
        } => {
            let secret = match secret {
                Some(value) => read_secret(&mut stdin, value)?,
                None => Secret::generate(),
            };
            let uri = match counter {
                Some(counter) => KeyUri::new_hotp(secret, issuer.as_deref(), account, *counter)?,
                None => {
                    KeyUri::new_totp(&secret, issuer.as_deref(), account)?.with_period(*period)?
                }
            }
            .with_algorithm((*algorithm).into())
            .with_digits(*digits)?;
            output::say(uri.to_uri().as_str())?;
            Ok(ExitCode::SUCCESS)
        }
        UriCommand::Parse { uri, json } => {
            let uri = KeyUri::parse(&stdin.secret("the URI", uri)?)?;
            let secret = uri.secret().to_base32();
            let fields = UriFields {
                kind: match uri.kind() {
                    Kind::Totp { .. } => "totp",
                    Kind::Hotp { .. } => "hotp",
                },
                issuer: uri.issuer(),
                account: uri.account(),
                secret: &secret,
                algorithm: uri.algorithm(),
                digits: uri.digits(),
                period: uri.period(),
                counter: uri.counter(),
            };
            let mut out = String::new();
            if *json {
                output::say_json(&serde_json::to_string(&fields)?)?;
                return Ok(ExitCode::SUCCESS);
            } else {
                writeln!(out, "type:      {}", fields.kind)?;
                writeln!(out, "issuer:    {}", fields.issuer.unwrap_or("(none)"))?;
                writeln!(out, "account:   {}", fields.account)?;
                writeln!(
                    out,
                    "secret:    {}",
                    uri.secret().to_base32_grouped().as_str()
                )?;
                writeln!(out, "algorithm: {}", fields.algorithm)?;
                writeln!(out, "digits:    {}", fields.digits)?;
                match uri.kind() {
                    Kind::Totp { period } => writeln!(out, "period:    {period}")?,
                    Kind::Hotp { counter } => writeln!(out, "counter:   {counter}")?,
                }
                out.truncate(out.trim_end().len());
            }
            output::say(&out)?;
            Ok(ExitCode::SUCCESS)
        }
        UriCommand::Qr { uri, format } => {
            let uri = KeyUri::parse(&stdin.secret("the URI", uri)?)?;
            let image = match format {
                QrFormat::Svg => uri.qr_svg()?,
                QrFormat::Terminal => uri.qr_terminal()?,
            };
            output::say(image.as_str())?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
