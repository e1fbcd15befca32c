//! `countersign totp`, `countersign hotp` and `countersign uri`: one-time codes and
//! otpauth URIs from the shell.

use std::fmt::Write as _;
use std::process::ExitCode;

use anyhow::{Context as _, Result, bail};
use clap::{Args, Subcommand, ValueEnum};
use countersign::totp::{
    Algorithm, Code, Config, Error, Hotp, KeyUri, Kind, Params, Secret, Totp, Verifier, Window,
};
use serde::Serialize;

use crate::input::Stdin;
use crate::{clock, output};

/// The most codes `--window` lists, and the widest HOTP look-ahead `hotp verify`
/// takes: oathtool sets no bound, but a window past this is a typo, not a resync
/// (and a look-ahead this wide already accepts one guess in a thousand).
pub(crate) const MAX_WINDOW: u64 = 1000;

/// `countersign totp ...`
#[derive(Subcommand)]
pub(crate) enum TotpCommand {
    /// Print the TOTP code at a time (now by default).
    Code {
        #[command(flatten)]
        key: KeyArgs,
        #[command(flatten)]
        totp: TotpArgs,
        /// Also print the N codes after it, one "STEP<TAB>CODE" line each, steps
        /// T..=T+N, like `oathtool --totp -w N` (which prints the codes alone).
        #[arg(
            long,
            value_name = "N",
            value_parser = parse_window,
            allow_negative_numbers = true
        )]
        window: Option<u64>,
    },
    /// Verify a code: print the matched step and its drift from now (in steps and
    /// seconds) and exit 0, or exit 1 with the reason.
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
        #[command(flatten)]
        hotp: HotpArgs,
        /// Also print the N codes after it, one "COUNTER<TAB>CODE" line each, counters
        /// C..=C+N, like `oathtool --hotp -w N` (which prints the codes alone).
        #[arg(
            long,
            value_name = "N",
            value_parser = parse_window,
            allow_negative_numbers = true
        )]
        window: Option<u64>,
    },
    /// Verify a code against counters C..=C+N (RFC 4226 §7.4 look-ahead): print the
    /// matched counter and the next one to store and exit 0, or exit 1 with the
    /// reason, like `oathtool --hotp -w N KEY OTP`.
    Verify {
        #[command(flatten)]
        key: KeyArgs,
        #[command(flatten)]
        hotp: HotpArgs,
        /// The code as typed, spaces are fine ("123 456"): "-" reads it from a line of
        /// stdin (after the secret's, if that is "-" too), "@FILE" from a file.
        #[arg(long, value_name = "CODE|-|@FILE")]
        code: String,
        /// Counters after --counter also accepted (the look-ahead), as oathtool's -w.
        #[arg(
            long,
            value_name = "N",
            default_value_t = 0,
            value_parser = parse_window,
            allow_negative_numbers = true
        )]
        window: u64,
    },
}

/// HOTP parameters.
#[derive(Args)]
pub(crate) struct HotpArgs {
    /// The counter (for verify: the next counter the server expects).
    #[arg(long)]
    counter: u64,
    /// The hash function.
    #[arg(long, value_enum, ignore_case = true, default_value_t = AlgorithmArg::Sha1)]
    algorithm: AlgorithmArg,
    /// Digits per code: 6, 7 or 8.
    #[arg(long, default_value_t = 6)]
    digits: u8,
}

/// The clap value parser of every `--window` that lists or looks ahead.
fn parse_window(text: &str) -> Result<u64, String> {
    match text.parse::<u64>() {
        Ok(window) if window <= MAX_WINDOW => Ok(window),
        _ => Err(format!("expected a whole number from 0 to {MAX_WINDOW}")),
    }
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
    /// The time to use instead of now: Unix seconds, @UNIX (as oathtool -N takes it)
    /// or RFC 3339 (2023-11-14T22:13:20Z, any offset).
    // Negative numbers reach the parser, to be refused in its one line, not clap's usage.
    #[arg(
        long,
        value_name = "SECONDS|@UNIX|RFC3339",
        value_parser = clock::parse_time,
        allow_negative_numbers = true
    )]
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
            None => clock::now(),
        }
    }
}

impl HotpArgs {
    fn generator(&self, secret: &Secret) -> Result<Hotp> {
        Ok(Hotp::new(secret, self.algorithm.into(), self.digits)?)
    }
}

/// Prints the code of `first` alone, or with `window`, the codes of `first..=first +
/// window` as "STEP<TAB>CODE" lines (fewer if the counter runs out at `u64::MAX`).
fn print_codes(first: u64, window: Option<u64>, code: impl Fn(u64) -> Code) -> Result<()> {
    let Some(window) = window else {
        return output::say(&code(first).to_string());
    };
    let last = first.saturating_add(window);
    let mut lines = String::new();
    for step in first..=last {
        writeln!(lines, "{step}\t{}", code(step))?;
    }
    output::say_own(lines.trim_end())
}

/// Whether `error` is a "no" (exit 1) from a verifier rather than bad input.
fn is_no(error: &Error) -> bool {
    matches!(
        error,
        Error::WrongCode
            | Error::Replayed { .. }
            | Error::CodeLength { .. }
            | Error::CodeNotDigit { .. }
            | Error::CounterOverflow
    )
}

/// "-1 step, -30 s": the drift of a matched TOTP step from now.
fn drift(steps: i64, period: u64) -> String {
    let unit = if steps.unsigned_abs() == 1 {
        "step"
    } else {
        "steps"
    };
    let seconds = i128::from(steps) * i128::from(period);
    format!("drift {steps} {unit}, {seconds} s")
}

fn read_secret(stdin: &mut Stdin, value: &str) -> Result<Secret> {
    let text = stdin.secret("--secret", value)?;
    Secret::from_base32(&text).context("--secret")
}

/// Runs `countersign totp ...`.
pub(crate) fn run_totp(command: &TotpCommand) -> Result<ExitCode> {
    let mut stdin = Stdin::default();
    match command {
        TotpCommand::Code { key, totp, window } => {
            let generator = Totp::new(&key.secret(&mut stdin)?, totp.params())?;
            let step = generator.step_at(totp.now()?)?;
            print_codes(step, *window, |step| generator.code_for_step(step))?;
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
                    let drift = drift(matched.drift, totp.period);
                    output::say(&format!("step {} ({drift})", matched.step))?;
                    Ok(ExitCode::SUCCESS)
                }
                // A "no": the code is wrong, malformed or replayed.
                Err(error) if is_no(&error) => {
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
        HotpCommand::Code { key, hotp, window } => {
            let generator = hotp.generator(&key.secret(&mut stdin)?)?;
            print_codes(hotp.counter, *window, |counter| generator.code(counter))?;
            Ok(ExitCode::SUCCESS)
        }
        HotpCommand::Verify {
            key,
            hotp,
            code,
            window,
        } => {
            let generator = hotp.generator(&key.secret(&mut stdin)?)?;
            let code = stdin.secret("--code", code)?;
            let Ok(look_ahead) = u32::try_from(*window) else {
                bail!("--window {window} is over {MAX_WINDOW}");
            };
            match generator.verify(&code, hotp.counter, look_ahead) {
                Ok(next) => {
                    let matched = next - 1; // `verify` returns one past the match
                    output::say(&format!("counter {matched} (next {next})"))?;
                    Ok(ExitCode::SUCCESS)
                }
                // The TOTP message speaks of clocks; an HOTP "no" names the counters tried.
                Err(Error::WrongCode) => {
                    let last = hotp.counter.saturating_add(*window);
                    output::complain(&format!(
                        "the code matches no counter from {} to {last}",
                        hotp.counter
                    ));
                    Ok(ExitCode::from(1))
                }
                Err(error) if is_no(&error) => {
                    output::complain(&error.to_string());
                    Ok(ExitCode::from(1))
                }
                Err(error) => Err(error.into()),
            }
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
                Some(counter) => KeyUri::new_hotp(&secret, issuer.as_deref(), account, *counter)?,
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
