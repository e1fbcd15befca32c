//! `countersign security-code ...`: check a security code against the policy.

use std::process::ExitCode;

use anyhow::{Context as _, bail};
use clap::{Args, Subcommand};
use countersign::security_code::{Context, Date, Policy};
use zeroize::Zeroizing;

use crate::input::Stdin;
use crate::{clock, input, output};

/// Security-code subcommands.
#[derive(Subcommand)]
pub(crate) enum SecurityCodeCommand {
    /// Check a security code read from stdin: exit 0 when it passes, 1 with the report when not.
    Check(CheckArgs),
}

/// The contact's profile, checked against the code.
#[derive(Args)]
pub(crate) struct CheckArgs {
    /// The contact's name (parts of 3+ letters are refused).
    #[arg(long)]
    name: Option<String>,
    /// The contact's username.
    #[arg(long)]
    username: Option<String>,
    /// The contact's email address (its local part is refused).
    #[arg(long)]
    email: Option<String>,
    /// A phone number on the account (repeatable; 7+ consecutive digits are refused).
    #[arg(long)]
    phone: Vec<String>,
    /// The client ID.
    #[arg(long = "client-id")]
    client_id: Option<String>,
    /// The contact's date of birth, YYYY-MM-DD: "-" reads it from the first line of
    /// stdin, "@FILE" from a file (on the command line it is visible to every user of
    /// the machine, with a warning).
    #[arg(long, value_name = "YYYY-MM-DD|-|@FILE")]
    dob: Option<String>,
    /// The contact's Social Security number: "-" reads it from a line of stdin (after
    /// the date of birth's, if that is "-" too), "@FILE" from a file. The security code
    /// is the rest of stdin.
    #[arg(long, value_name = "SSN|-|@FILE")]
    ssn: Option<String>,
    /// The date taken as today, YYYY-MM-DD (default: the system clock, UTC).
    #[arg(long)]
    today: Option<String>,
    /// Print the report as JSON on stdout.
    #[arg(long)]
    json: bool,
}

pub(crate) fn run(command: SecurityCodeCommand) -> anyhow::Result<ExitCode> {
    match command {
        SecurityCodeCommand::Check(args) => check(args),
    }
}

fn check(args: CheckArgs) -> anyhow::Result<ExitCode> {
    let today = match &args.today {
        Some(t) => t.parse::<Date>().context("--today")?,
        None => today_utc()?,
    };
    // The profile's secrets first, a line each, in this order; the code is what follows.
    let mut stdin = Stdin::default();
    let dob = match &args.dob {
        Some(value) => Some(stdin.secret("--dob", value)?),
        None => None,
    };
    let ssn = match &args.ssn {
        Some(value) => Some(stdin.secret("--ssn", value)?),
        None => None,
    };
    let mut ctx = Context::new(today);
    if let Some(v) = args.name {
        ctx = ctx.name(v);
    }
    if let Some(v) = args.username {
        ctx = ctx.username(v);
    }
    if let Some(v) = args.email {
        ctx = ctx.email(v);
    }
    for p in args.phone {
        ctx = ctx.phone(p);
    }
    if let Some(v) = args.client_id {
        ctx = ctx.client_id(v);
    }
    if let Some(v) = dob {
        ctx = ctx.date_of_birth(v.parse::<Date>().context("--dob")?);
    }
    if let Some(v) = ssn {
        ctx = ctx.ssn(v.as_str());
    }
    let bytes = input::stdin("the security code", input::SECRET_LIMIT)?;
    let Ok(code) = std::str::from_utf8(&bytes) else {
        bail!("the code on stdin is not UTF-8");
    };
    let mut code = Zeroizing::new(code.to_owned());
    // One trailing line ending is the terminal's, not the code's.
    if code.ends_with('\n') {
        code.pop();
        if code.ends_with('\r') {
            code.pop();
        }
    }
    let report = Policy::default().check(&code, &ctx);
    if args.json {
        output::say_json(&serde_json::to_string_pretty(&report)?)?;
    } else if report.passed() {
        println!("passed");
        print!("{}", output::escape(&report.to_string()));
    } else {
        eprint!("{}", output::escape(&report.to_string()));
    }
    Ok(if report.passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Today's UTC civil date from the system clock.
fn today_utc() -> anyhow::Result<Date> {
    let today = clock::today_utc();
    Ok(Date::new(
        u16::try_from(today.year()).context("the system clock's year")?,
        u8::from(today.month()),
        today.day(),
    )?)
}
