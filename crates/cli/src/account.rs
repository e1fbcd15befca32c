//! `countersign account`: the accounts of a countersign-store database, from the shell.
//!
//! Every subcommand takes `--database URL` (`sqlite:PATH` or `postgres://...`), or
//! reads the URL from `COUNTERSIGN_DATABASE`; the environment is the place for a
//! URL with a password in it, since the process list shows every argument to every
//! user of the machine. Opening a database migrates it.
//!
//! Nothing here prints a password hash, a sealed TOTP secret or a stored state,
//! except `export`, whose whole point is to copy the stored rows. Every failure is
//! one line on stderr that never holds the URL's password: exit 2 for bad input or
//! usage (a bad URL, an oversized password, a file that is not an export), exit 1
//! for a "no" (no such contact, a taken username, a refused password, a database
//! that cannot be used: unreachable, locked, of a newer schema, corrupt).

use std::fs::{self, File};
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args as ClapArgs, Subcommand};
use countersign::throttle::{Factor, Throttle, ThrottlePolicy};
use countersign::{Account, Portal, Profile, ServerKey, Settings};
use countersign_store::{DatabaseUrl, EXPORT_HEADER, ExportLine, SCHEMA_VERSION, Store, StoreExt};
use zeroize::Zeroizing;

/// The longest password read from stdin. The policy allows at least 64 characters
/// and never truncates; 4 KiB is far past any password a person or a manager makes,
/// and stops a stream that never ends from filling memory.
const PASSWORD_LIMIT: usize = 4096;

/// The longest line of an export that `import` reads. A stored account is a few KiB
/// even with every device remembered; a longer line is not one of ours.
const LINE_LIMIT: usize = 1 << 20;

/// Every factor a throttle guards, in the order `show` and `unlock` print them.
const FACTORS: [Factor; 6] = [
    Factor::Password,
    Factor::Totp,
    Factor::BackupCode,
    Factor::SmsCode,
    Factor::ResetCode,
    Factor::SecurityCode,
];

/// Every throttle lane of an account, named as `show` prints it and as its JSON
/// key: one per factor, the password lane of sign-ins on a remembered device, and
/// each authenticator's own lane (`authentication code on "NAME"`, JSON key
/// `authenticator:NAME`), its stored name escaped for the terminal like all stored
/// text.
fn lanes(account: &Account) -> Vec<(String, String, &Throttle)> {
    let throttles = account.throttles();
    let mut lanes: Vec<_> = FACTORS
        .iter()
        .map(|&f| (f.to_string(), factor_name(f), throttles.get(f)))
        .collect();
    lanes.push((
        "password on a remembered device".into(),
        "password_on_device".into(),
        throttles.password_on_device(),
    ));
    for a in account.authenticators() {
        lanes.push((
            format!("{} on \"{}\"", Factor::Totp, shown(a.name().as_str())),
            format!("authenticator:{}", a.name()),
            a.throttle(),
        ));
    }
    lanes
}

/// Arguments of `countersign account`.
#[derive(ClapArgs)]
pub(crate) struct Args {
    /// Where the accounts are: sqlite:PATH or postgres://user@host:port/database.
    /// Prefer COUNTERSIGN_DATABASE for a URL with a password: others see arguments.
    #[arg(
        long,
        global = true,
        env = "COUNTERSIGN_DATABASE",
        hide_env_values = true,
        value_name = "URL"
    )]
    database: Option<String>,
    #[command(subcommand)]
    command: AccountCommand,
}

#[derive(Subcommand)]
enum AccountCommand {
    /// Create a contact's account; its first password is read from stdin and must
    /// pass the portal's password policy.
    Create(CreateArgs),
    /// Show a contact: profile, two-factor, backup codes left, remembered devices and
    /// each factor's and each authenticator's throttle. Never a hash or a secret.
    Show {
        #[command(flatten)]
        who: Who,
        /// Print one JSON object instead.
        #[arg(long)]
        json: bool,
    },
    /// Lift a contact's lockout (the portal's Unlock tab): every factor's throttle
    /// forgets its failures. Prints what was locked.
    Unlock {
        #[command(flatten)]
        who: Who,
    },
    /// List a client's contacts: id, name, username, primary, two-factor.
    List {
        /// The client ID.
        #[arg(long = "client", value_name = "ID")]
        client_id: u64,
        /// Print a JSON array instead.
        #[arg(long)]
        json: bool,
    },
    /// Write every stored record as JSON lines (a header line first), for backup or
    /// for moving to another database. The lines hold the password hashes and sealed
    /// secrets: keep the file as safe as the database.
    Export {
        /// Write to FILE (replaced atomically, mode 0600) instead of stdout.
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Read an export and store every record in it, all or none, into a database that
    /// holds none of them yet.
    Import {
        /// Read FILE instead of stdin.
        #[arg(long, value_name = "FILE")]
        input: Option<PathBuf>,
    },
    /// Open the database, which creates or upgrades its tables, and print its schema version.
    Migrate,
    /// Key rotation: how many stored records still need each server key. Exits 0
    /// when every record is under the current key (a retired key may be removed
    /// from the ring), 1 while any record still needs another key.
    Keys {
        /// The id of the ring's current key.
        #[arg(long, value_name = "KEY_ID")]
        current: String,
    },
}

#[derive(ClapArgs)]
struct CreateArgs {
    /// The contact's id (the key).
    #[arg(long, value_name = "N")]
    contact_id: u64,
    /// The client the contact belongs to.
    #[arg(long, value_name = "ID")]
    client_id: u64,
    /// Full name.
    #[arg(long)]
    name: String,
    /// Login name (unique, compared without regard to ASCII case).
    #[arg(long)]
    username: String,
    /// Email address (where password reset codes go).
    #[arg(long)]
    email: String,
    /// Cell phone, for SMS login codes.
    #[arg(long, value_name = "PHONE")]
    cell_phone: Option<String>,
    /// The client's primary contact (one per client), who may also sign in with the client ID.
    #[arg(long)]
    primary: bool,
}

/// Which contact: by id, or by the login typed on the sign-in form.
#[derive(ClapArgs)]
#[group(required = true, multiple = false)]
struct Who {
    /// The contact's id.
    #[arg(long, value_name = "N")]
    contact_id: Option<u64>,
    /// A username (any ASCII case), or a client ID naming its primary contact.
    #[arg(long, value_name = "NAME")]
    login: Option<String>,
}

/// Why a subcommand stopped: how it exits, and its one line on stderr.
enum Failure {
    /// Bad input or usage: exit 2.
    Input(String),
    /// The answer is no, or the database cannot be used: exit 1.
    No(String),
}

impl From<countersign_store::Error> for Failure {
    fn from(error: countersign_store::Error) -> Self {
        use countersign_store::Error;
        match error {
            Error::InvalidUrl { .. } | Error::IdOutOfRange { .. } | Error::Import { .. } => {
                Self::Input(error.to_string())
            }
            _ => Self::No(error.to_string()),
        }
    }
}

/// Writing the answer failed (stdout closed, disk full): the command did not do
/// what it says, so it is a "no".
impl From<io::Error> for Failure {
    fn from(error: io::Error) -> Self {
        Self::No(format!("cannot write the output: {error}"))
    }
}

type Outcome = Result<ExitCode, Failure>;

/// Runs one `account` subcommand. Always `Ok`: the exit code carries the answer, and
/// the one line on stderr has been printed, with the URL's password taken out.
pub(crate) fn run(args: Args) -> anyhow::Result<ExitCode> {
    let raw = args.database.unwrap_or_default();
    let outcome = if raw.is_empty() {
        Err(Failure::Input(
            "no database: give --database URL or set COUNTERSIGN_DATABASE (sqlite:PATH or postgres://...)"
                .into(),
        ))
    } else {
        raw.parse::<DatabaseUrl>()
            .map_err(Failure::from)
            .and_then(|url| dispatch(&url, args.command))
    };
    Ok(match outcome {
        Ok(code) => code,
        Err(failure) => {
            let (code, message) = match failure {
                Failure::Input(message) => (2, message),
                Failure::No(message) => (1, message),
            };
            eprintln!("countersign: {}", one_line(&redact(&message, &raw)));
            ExitCode::from(code)
        }
    })
}

fn dispatch(url: &DatabaseUrl, command: AccountCommand) -> Outcome {
    match command {
        AccountCommand::Create(args) => create(url, args),
        AccountCommand::Show { who, json } => show(url, &who, json),
        AccountCommand::Unlock { who } => unlock(url, &who),
        AccountCommand::List { client_id, json } => list(url, client_id, json),
        AccountCommand::Export { output } => export(url, output.as_deref()),
        AccountCommand::Import { input } => import(url, input.as_deref()),
        AccountCommand::Migrate => migrate(url),
        AccountCommand::Keys { current } => keys(url, &current),
    }
}

fn open(url: &DatabaseUrl) -> Result<Box<dyn Store>, Failure> {
    Ok(countersign_store::open(url)?)
}

fn create(url: &DatabaseUrl, args: CreateArgs) -> Outcome {
    let profile = Profile {
        contact_id: args.contact_id,
        client_id: args.client_id,
        name: args.name,
        username: args.username,
        email: args.email,
        cell_phone: args.cell_phone,
        primary: args.primary,
    };
    check_profile(&profile)?;
    let password = read_password()?;
    // Creating an account only checks and hashes the password: the server key seals
    // TOTP secrets and keys device tokens and one-time codes, none of which exist
    // yet, so a throwaway key here changes nothing that is stored.
    let portal = Portal::new(ServerKey::generate(), Settings::default())
        .map_err(|e| Failure::No(e.to_string()))?;
    let account = portal
        .create_account(profile, password_text(&password)?, &mut rand::rng())
        .map_err(|e| match e {
            countersign::Error::PasswordRejected { summary, .. } => {
                Failure::No(format!("password refused: {summary}"))
            }
            other => Failure::No(other.to_string()),
        })?;
    let store = open(url)?;
    let profile = account.profile();
    store.insert(&account).map_err(|e| match e {
        taken @ countersign_store::Error::Taken { .. } => Failure::No(format!(
            "cannot create contact {}: {taken}",
            profile.contact_id
        )),
        other => other.into(),
    })?;
    let mut out = io::stdout().lock();
    writeln!(
        out,
        "created contact {} ({}) of client {}{}",
        profile.contact_id,
        shown(&profile.username),
        profile.client_id,
        if profile.primary {
            ", its primary contact"
        } else {
            ""
        }
    )?;
    Ok(ExitCode::SUCCESS)
}

/// What the store would take but no operator means: an empty name or username, or a
/// control character that would later rewrite the terminal of whoever lists it.
fn check_profile(profile: &Profile) -> Result<(), Failure> {
    for (field, value) in [("--name", &profile.name), ("--username", &profile.username)] {
        if value.trim().is_empty() {
            return Err(Failure::Input(format!("{field} must not be empty")));
        }
    }
    let fields = [
        ("--name", Some(&profile.name)),
        ("--username", Some(&profile.username)),
        ("--email", Some(&profile.email)),
        ("--cell-phone", profile.cell_phone.as_ref()),
    ];
    for (field, value) in fields {
        if value.is_some_and(|v| v.chars().any(char::is_control)) {
            return Err(Failure::Input(format!(
                "{field} must not hold control characters"
            )));
        }
    }
    Ok(())
}

/// Reads the password from stdin, at most [`PASSWORD_LIMIT`] bytes, into memory that
/// is wiped when dropped.
fn read_password() -> Result<Zeroizing<Vec<u8>>, Failure> {
    // Room for one byte past the limit and the probe read after it, so the buffer
    // never reallocates and leaves a copy of the password behind.
    let mut bytes = Zeroizing::new(Vec::with_capacity(PASSWORD_LIMIT + 2));
    io::stdin()
        .lock()
        .take(PASSWORD_LIMIT as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Failure::Input(format!("cannot read the password from stdin: {e}")))?;
    if bytes.len() > PASSWORD_LIMIT {
        return Err(Failure::Input(format!(
            "the password on stdin is over {PASSWORD_LIMIT} bytes"
        )));
    }
    Ok(bytes)
}

/// The password as text, without one trailing line break (`echo "$pw" | ...`).
fn password_text(bytes: &[u8]) -> Result<&str, Failure> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| Failure::Input("the password on stdin is not UTF-8".into()))?;
    Ok(text
        .strip_suffix("\r\n")
        .or_else(|| text.strip_suffix('\n'))
        .unwrap_or(text))
}

/// The contact a `--contact-id` or `--login` names.
fn find(store: &dyn Store, who: &Who) -> Result<u64, Failure> {
    match (who.contact_id, &who.login) {
        (Some(id), _) => Ok(id),
        (None, Some(login)) => store.find_login(login)?.ok_or_else(|| {
            Failure::No(format!("no contact answers to the login {}", shown(login)))
        }),
        (None, None) => Err(Failure::Input(
            "name the contact: --contact-id N or --login NAME".into(),
        )),
    }
}

fn show(url: &DatabaseUrl, who: &Who, json: bool) -> Outcome {
    let store = open(url)?;
    let account = store.load(find(store.as_ref(), who)?)?;
    let now = crate::clock::now().map_err(|e| Failure::No(format!("{e:#}")))?;
    // The service's own throttle policy is not in the database; the portal's default
    // judges the lock threshold and the back-off (the stored lock flag holds anyway).
    let policy = Settings::default().throttle;
    let mut out = io::stdout().lock();
    if json {
        let value = shown_json(&account, &policy, now);
        writeln!(out, "{}", pretty(&value)?)?;
    } else {
        for line in shown_lines(&account, &policy, now) {
            writeln!(out, "{line}")?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Unexpired remembered devices.
fn devices(account: &Account, now: u64) -> usize {
    account
        .devices()
        .devices()
        .iter()
        .filter(|d| d.is_remembered_at(now))
        .count()
}

fn shown_lines(account: &Account, policy: &ThrottlePolicy, now: u64) -> Vec<String> {
    let p = account.profile();
    let mut lines = vec![
        format!("contact id: {}", p.contact_id),
        format!("client id: {}", p.client_id),
        format!("name: {}", shown(&p.name)),
        format!("username: {}", shown(&p.username)),
        format!("email: {}", shown(&p.email)),
        format!(
            "cell phone: {}",
            p.cell_phone.as_deref().map_or_else(|| "none".into(), shown)
        ),
        format!("primary contact: {}", yes_no(p.primary)),
        match account.two_factor_enabled_at() {
            Some(at) => format!("two-factor: on since {at} (unix time)"),
            None if account.enrollment_pending(now) => {
                "two-factor: off (an enrollment is waiting for its code)".into()
            }
            None => "two-factor: off".into(),
        },
        format!(
            "backup codes left: {}",
            account
                .backup_codes_left()
                .map_or_else(|| "none (two-factor is off)".into(), |n| n.to_string())
        ),
        format!("remembered devices: {}", devices(account, now)),
        format!(
            "own security code: {}",
            if account.has_security_code() {
                "set"
            } else {
                "not set"
            }
        ),
    ];
    // After "two-factor: on since ...": one line per authenticator (issue 14).
    let at = lines
        .iter()
        .position(|l| l.starts_with("two-factor:"))
        .map_or(lines.len(), |i| i + 1);
    let authenticators = account.authenticators().iter().map(|a| {
        format!(
            "authenticator: {} (added {}, last used {}; unix time)",
            shown(a.name().as_str()),
            a.added_at(),
            a.last_used_at()
                .map_or_else(|| "never".to_owned(), |t| t.to_string())
        )
    });
    lines.splice(at..at, authenticators);
    for (label, _, throttle) in lanes(account) {
        lines.push(format!(
            "{label} attempts: {}",
            throttle_state(throttle, policy, now)
        ));
    }
    lines.push(format!("revision: {}", account.revision()));
    lines
}

fn throttle_state(throttle: &Throttle, policy: &ThrottlePolicy, now: u64) -> String {
    let failures = throttle.consecutive_failures();
    if failures == 0 {
        return "no failures".into();
    }
    let count = plural(failures, "failure");
    if throttle.is_locked(policy) {
        return format!("locked after {count}; `countersign account unlock` lifts it");
    }
    match throttle.retry_at(policy) {
        Some(at) if now < at => format!(
            "{count}; next attempt at {at} (unix time, in {} s)",
            at - now
        ),
        _ => format!("{count}; may try now"),
    }
}

fn shown_json(account: &Account, policy: &ThrottlePolicy, now: u64) -> serde_json::Value {
    let p = account.profile();
    let mut throttles = serde_json::Map::new();
    for (_, key, t) in lanes(account) {
        throttles.insert(
            key,
            serde_json::json!({
                "failures": t.consecutive_failures(),
                "last_failure_at": t.last_failure_at(),
                "locked": t.is_locked(policy),
                "retry_at": if t.is_locked(policy) { None } else { t.retry_at(policy) },
            }),
        );
    }
    serde_json::json!({
        "contact_id": p.contact_id,
        "client_id": p.client_id,
        "name": p.name,
        "username": p.username,
        "email": p.email,
        "cell_phone": p.cell_phone,
        "primary": p.primary,
        "two_factor": account.two_factor_enabled(),
        "two_factor_enabled_at": account.two_factor_enabled_at(),
        "enrollment_pending": account.enrollment_pending(now),
        "backup_codes_left": account.backup_codes_left(),
        "authenticators": account
            .authenticators()
            .iter()
            .map(|a| serde_json::json!({
                "name": a.name().as_str(),
                "added_at": a.added_at(),
                "last_used_at": a.last_used_at(),
                "last_accepted_step": a.last_accepted_step(),
            }))
            .collect::<Vec<_>>(),
        "remembered_devices": devices(account, now),
        "security_code": account.has_security_code(),
        "throttles": throttles,
        "revision": account.revision(),
    })
}

/// The serde name of a factor (`backup_code`), as stored states spell it.
fn factor_name(factor: Factor) -> String {
    match serde_json::to_value(factor) {
        Ok(serde_json::Value::String(name)) => name,
        _ => factor.to_string(),
    }
}

fn unlock(url: &DatabaseUrl, who: &Who) -> Outcome {
    let store = open(url)?;
    let id = find(store.as_ref(), who)?;
    let policy = Settings::default().throttle;
    let mut username = String::new();
    let mut lifted = Vec::new();
    // The step may run again on a fresher state after a conflict: what it reports is
    // the last run's, the one whose write committed.
    store.update(id, |account| {
        username.clone_from(&account.profile().username);
        lifted = lanes(account)
            .into_iter()
            .filter(|(_, _, t)| t.consecutive_failures() > 0)
            .map(|(label, _, t)| {
                let count = plural(t.consecutive_failures(), "failure");
                if t.is_locked(&policy) {
                    format!("{label} was locked after {count}")
                } else {
                    format!("{label} had {count}")
                }
            })
            .collect();
        account.unlock();
        Ok(())
    })?;
    let mut out = io::stdout().lock();
    if lifted.is_empty() {
        writeln!(
            out,
            "contact {id} ({}): nothing was locked",
            shown(&username)
        )?;
    } else {
        writeln!(
            out,
            "unlocked contact {id} ({}): {}",
            shown(&username),
            lifted.join("; ")
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

fn list(url: &DatabaseUrl, client_id: u64, json: bool) -> Outcome {
    let store = open(url)?;
    let contacts = store.contacts(client_id)?;
    if contacts.is_empty() {
        return Err(Failure::No(format!("client {client_id} has no contacts")));
    }
    let mut out = io::stdout().lock();
    if json {
        let rows: Vec<serde_json::Value> = contacts
            .iter()
            .map(|a| {
                let p = a.profile();
                serde_json::json!({
                    "contact_id": p.contact_id,
                    "name": p.name,
                    "username": p.username,
                    "primary": p.primary,
                    "two_factor": a.two_factor_enabled(),
                })
            })
            .collect();
        writeln!(out, "{}", pretty(&serde_json::Value::Array(rows))?)?;
    } else {
        writeln!(out, "contact_id\tname\tusername\tprimary\ttwo_factor")?;
        for account in &contacts {
            let p = account.profile();
            writeln!(
                out,
                "{}\t{}\t{}\t{}\t{}",
                p.contact_id,
                shown(&p.name),
                shown(&p.username),
                yes_no(p.primary),
                if account.two_factor_enabled() {
                    "on"
                } else {
                    "off"
                }
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn export(url: &DatabaseUrl, output: Option<&Path>) -> Outcome {
    let store = open(url)?;
    let lines = store.export()?;
    let mut text = String::with_capacity(EXPORT_HEADER.len() + 1);
    text.push_str(EXPORT_HEADER);
    text.push('\n');
    for line in &lines {
        text.push_str(&line.to_json()?);
        text.push('\n');
    }
    let summary = format!("exported {}", counts(&lines));
    match output {
        Some(path) => {
            // Through a symlink to its target rather than replacing the link; a new
            // file is readable by its owner only (an export holds password hashes).
            let target = fs::canonicalize(path).unwrap_or_else(|_| path.to_owned());
            crate::store_file::write_atomically(&target, text.as_bytes(), None)
                .map_err(|e| Failure::No(format!("{e:#}")))?;
            writeln!(io::stdout().lock(), "{summary} to {}", path.display())?;
        }
        None => {
            let mut out = io::stdout().lock();
            out.write_all(text.as_bytes())?;
            out.flush()?;
            // stdout holds the export itself: the summary goes beside it.
            eprintln!("countersign: {summary}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn import(url: &DatabaseUrl, input: Option<&Path>) -> Outcome {
    // Every line is read and checked before the database is opened: a file that is
    // not an export leaves no trace, not even a new empty database.
    let (source, reader): (String, Box<dyn BufRead>) = match input {
        Some(path) => {
            let file = File::open(path)
                .map_err(|e| Failure::Input(format!("cannot read {}: {e}", path.display())))?;
            (path.display().to_string(), Box::new(BufReader::new(file)))
        }
        None => ("stdin".into(), Box::new(io::stdin().lock())),
    };
    let lines = read_export(&source, reader)?;
    let store = open(url)?;
    store.import(&lines).map_err(|e| match e {
        taken @ countersign_store::Error::Taken { .. } => Failure::No(format!(
            "nothing was imported: {taken} already (import into a database that holds none of the records)"
        )),
        other => other.into(),
    })?;
    writeln!(io::stdout().lock(), "imported {}", counts(&lines))?;
    Ok(ExitCode::SUCCESS)
}

/// The lines of an export: the header first, then one record per line.
fn read_export(source: &str, mut reader: Box<dyn BufRead>) -> Result<Vec<ExportLine>, Failure> {
    let mut lines = Vec::new();
    let mut buffer = Vec::new();
    for number in 1.. {
        buffer.clear();
        let read = (&mut reader)
            .take(LINE_LIMIT as u64 + 1)
            .read_until(b'\n', &mut buffer)
            .map_err(|e| Failure::Input(format!("cannot read {source}: {e}")))?;
        if read == 0 {
            if number == 1 {
                return Err(Failure::Input(format!(
                    "{source} is empty, not a countersign export"
                )));
            }
            break;
        }
        if buffer.len() > LINE_LIMIT {
            return Err(Failure::Input(format!(
                "{source} line {number} is over {LINE_LIMIT} bytes: not a countersign export"
            )));
        }
        let text = buffer.strip_suffix(b"\n").unwrap_or(&buffer);
        let text = text.strip_suffix(b"\r").unwrap_or(text);
        let text = std::str::from_utf8(text)
            .map_err(|_| Failure::Input(format!("{source} line {number} is not UTF-8")))?;
        if number == 1 {
            if text != EXPORT_HEADER {
                return Err(Failure::Input(format!(
                    "{source} is not a countersign export this build reads: its first line must be {EXPORT_HEADER}"
                )));
            }
            continue;
        }
        lines.push(ExportLine::parse(number, text)?);
    }
    Ok(lines)
}

fn counts(lines: &[ExportLine]) -> String {
    let accounts = lines
        .iter()
        .filter(|l| matches!(l, ExportLine::Account(_)))
        .count();
    let clients = lines.len() - accounts;
    format!(
        "{} and {}",
        plural(accounts, "account"),
        plural(clients, "client")
    )
}

/// Counts, for every key id any record needs, the accounts and clients that need
/// it, from one consistent read of both tables.
fn keys(url: &DatabaseUrl, current: &str) -> Outcome {
    use std::collections::BTreeMap;
    let current: countersign::key_ring::KeyId = current
        .parse()
        .map_err(|e: countersign::Error| Failure::Input(e.to_string()))?;
    let store = open(url)?;
    let mut needs: BTreeMap<countersign::key_ring::KeyId, (usize, usize)> = BTreeMap::new();
    for line in store.export()? {
        match line {
            ExportLine::Account(row) => {
                for id in row.decode()?.key_ids() {
                    needs.entry(id).or_default().0 += 1;
                }
            }
            ExportLine::Client(row) => {
                for id in row.decode()?.key_ids() {
                    needs.entry(id).or_default().1 += 1;
                }
            }
        }
    }
    let mut out = io::stdout().lock();
    let mut others = 0;
    for (id, (accounts, clients)) in &needs {
        let role = if *id == current {
            "current"
        } else {
            others += accounts + clients;
            "retired: keep it in the ring"
        };
        writeln!(
            out,
            "key {}: {} and {} ({role})",
            shown(id.as_str()),
            plural(accounts, "account"),
            plural(clients, "client"),
        )?;
    }
    if others == 0 {
        writeln!(
            out,
            "every record is under the current key {}",
            shown(current.as_str())
        )?;
        Ok(ExitCode::SUCCESS)
    } else {
        Err(Failure::No(format!(
            "{} still need a key other than {}; sign-ins re-seal them (see Portal::reseal_account)",
            plural(others, "record"),
            shown(current.as_str())
        )))
    }
}

fn migrate(url: &DatabaseUrl) -> Outcome {
    let store = open(url)?;
    let version = store.schema_version()?;
    writeln!(
        io::stdout().lock(),
        "countersign schema version {version} (this build knows up to {SCHEMA_VERSION})"
    )?;
    Ok(ExitCode::SUCCESS)
}

fn pretty(value: &serde_json::Value) -> Result<String, Failure> {
    serde_json::to_string_pretty(value).map_err(|e| Failure::No(e.to_string()))
}

fn yes_no(value: bool) -> &'static str {
    if value { "yes" } else { "no" }
}

fn plural(n: impl std::fmt::Display, noun: &str) -> String {
    let n = n.to_string();
    if n == "1" {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// Stored text as it may reach a terminal: control characters escaped (`\u{1b}`),
/// so a name cannot move the cursor or rewrite what an operator reads.
fn shown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// A message as one line: a driver's multi-line message joined, control characters
/// escaped.
fn one_line(message: &str) -> String {
    let joined: Vec<&str> = message
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    shown(&joined.join("; "))
}

/// `message` with every password the database URL carries replaced. The store never
/// puts one in a message; this holds even if a driver one day quotes its input:
/// the URL's own spellings (`:password@`, `password=...`) always, the bare password
/// when it is long enough not to be a piece of every other word ("b" in "database").
fn redact(message: &str, url: &str) -> String {
    const BARE: usize = 8;
    let mut message = message.to_owned();
    for secret in url_passwords(url) {
        if secret.is_empty() {
            continue;
        }
        message = message
            .replace(&format!(":{secret}@"), ":[redacted]@")
            .replace(&format!("password={secret}"), "password=[redacted]");
        if secret.chars().count() >= BARE {
            message = message.replace(&secret, "[redacted]");
        }
    }
    message
}

/// The passwords in a URL, as typed and percent-decoded: the userinfo's
/// (`user:password@`) and a `password=` query parameter's. Generous on purpose: a
/// malformed URL gives a longer "password", and more is redacted, never less.
fn url_passwords(url: &str) -> Vec<String> {
    let mut found = Vec::new();
    let (before_query, query) = url.split_once('?').unwrap_or((url, ""));
    if let Some((_, rest)) = before_query.split_once("://")
        && let Some((userinfo, _)) = rest.rsplit_once('@')
        && let Some((_, password)) = userinfo.split_once(':')
    {
        found.push(password.to_owned());
    }
    for pair in query.split('&') {
        if let Some(password) = pair.strip_prefix("password=") {
            found.push(password.to_owned());
        }
    }
    let decoded: Vec<String> = found.iter().filter_map(|p| percent_decoded(p)).collect();
    found.extend(decoded);
    // Longest first, so a password that contains another is replaced whole.
    found.sort_by_key(|p| std::cmp::Reverse(p.len()));
    found
}

fn percent_decoded(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = text.get(i + 1..i + 3)
            && let Ok(byte) = u8::from_str_radix(hex, 16)
        {
            out.push(byte);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok().filter(|d| d != text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_password_of_a_url_is_redacted() {
        let url = "postgres://u:hunter%202@h/db?sslmode=disable&password=long%20s3cret";
        let message = "u:hunter%202@h, u:hunter 2@h, password=long%20s3cret, long s3cret";
        let redacted = redact(message, url);
        assert!(
            !redacted.contains("hunter") && !redacted.contains("s3cret"),
            "{redacted}"
        );
        // A short password is taken out where the URL spells it, not from every word.
        let url = "mysql://a:b@c";
        assert_eq!(
            redact("invalid database URL: a:b@c", url),
            "invalid database URL: a:[redacted]@c"
        );
        assert_eq!(redact("nothing", "sqlite:a:b@c"), "nothing");
    }

    #[test]
    fn a_throttle_may_try_again_from_the_second_its_delay_ends() {
        // As `Throttle::admit` decides: refused while `now < retry_at`.
        let policy = ThrottlePolicy::new(0, 10, 100).unwrap();
        let password = Throttle::new(Factor::Password);
        let throttle = password.admit(&policy, 1_000).unwrap().failed();
        let at = throttle.retry_at(&policy).unwrap();
        assert_eq!(
            throttle_state(&throttle, &policy, at - 1),
            format!("1 failure; next attempt at {at} (unix time, in 1 s)")
        );
        assert!(throttle.admit(&policy, at).is_ok());
        assert_eq!(
            throttle_state(&throttle, &policy, at),
            "1 failure; may try now"
        );
    }

    #[test]
    fn a_message_is_one_line_and_shows_no_control_character() {
        assert_eq!(one_line("a\n  b\r\n\nc\u{1b}[2J"), "a; b; c\\u{1b}[2J");
        assert_eq!(shown("tab\there"), "tab\\there");
    }
}
