//! What every backend does: records, lookups, typed refusals, the update loop,
//! clients, and export / import.

use std::sync::atomic::AtomicU32;

use countersign::security_codes::Client;
use countersign::throttle::Factor;
use countersign::{Access, Error as FlowError, PasswordStep};
use countersign_store::{
    DatabaseUrl, EXPORT_HEADER, Error, ExportLine, PostgresStore, Record, SqliteStore, Store,
    StoreExt,
};
use libtest_mimic::Failed;

use crate::Case;
use crate::db::{Db, Faulty, SwapFault};
use crate::fixtures::*;
use crate::setup::*;

pub const CASES: &[(&str, Case)] = &[
    (
        "a_stored_account_loads_as_it_was_written",
        a_stored_account_loads_as_it_was_written,
    ),
    (
        "a_swap_writes_only_over_the_version_it_read",
        a_swap_writes_only_over_the_version_it_read,
    ),
    (
        "the_login_finds_a_username_in_any_case_or_the_client_id",
        the_login_finds_a_username_in_any_case_or_the_client_id,
    ),
    ("a_taken_key_is_a_typed_error", a_taken_key_is_a_typed_error),
    (
        "each_write_stamps_its_row_with_the_system_clock",
        each_write_stamps_its_row_with_the_system_clock,
    ),
    (
        "a_false_conflict_is_retried_and_not_taken_for_a_row_gone_backwards",
        a_false_conflict_is_retried_and_not_taken_for_a_row_gone_backwards,
    ),
    (
        "a_stores_debug_names_its_backend_and_not_where_it_is",
        a_stores_debug_names_its_backend_and_not_where_it_is,
    ),
    (
        "an_update_that_changes_nothing_writes_nothing",
        an_update_that_changes_nothing_writes_nothing,
    ),
    (
        "a_refused_attempt_is_committed_before_it_is_answered",
        a_refused_attempt_is_committed_before_it_is_answered,
    ),
    (
        "a_clients_contacts_are_listed_by_id",
        a_clients_contacts_are_listed_by_id,
    ),
    (
        "a_client_record_is_created_on_first_update_and_swapped",
        a_client_record_is_created_on_first_update_and_swapped,
    ),
    (
        "an_export_imports_and_exports_again_to_the_same_bytes",
        an_export_imports_and_exports_again_to_the_same_bytes,
    ),
    (
        "an_import_over_taken_keys_imports_nothing",
        an_import_over_taken_keys_imports_nothing,
    ),
    (
        "a_reopened_store_keeps_its_schema_and_records",
        a_reopened_store_keeps_its_schema_and_records,
    ),
    (
        "a_version_2_row_written_by_main_loads_and_is_written_back_as_the_current_version",
        a_version_2_row_written_by_main_loads_and_is_written_back_as_the_current_version,
    ),
];

/// The account main's code stored before issue 14 (one authenticator), and its
/// plain secrets: the facade's fixture, written by tests/data/v2/generate.rs.
const V2_ACCOUNT: &str = include_str!("../../../../tests/data/v2/account.json");
const V2_SECRETS: &str = include_str!("../../../../tests/data/v2/secrets.json");

fn a_version_2_row_written_by_main_loads_and_is_written_back_as_the_current_version(
    db: &Db,
) -> Result<(), Failed> {
    let store = db.open();
    let portal = strict_portal();
    let v2: serde_json::Value = serde_json::from_str(V2_ACCOUNT)?;
    let secrets: serde_json::Value = serde_json::from_str(V2_SECRETS)?;
    assert_eq!(v2["v"], 2);
    let revision = v2["revision"].as_u64().ok_or("a revision")?;
    // The row as main's store wrote it: the state text as serde_json wrote it.
    let state: countersign::Account = serde_json::from_str(V2_ACCOUNT)?;
    let compact = serde_json::to_string(&v2)?;
    db.execute(&format!(
        "INSERT INTO countersign_accounts (contact_id, client_id, login, is_primary, version, state, updated_at) \
         VALUES (3522, 1707, 'joe.example', {primary}, {revision}, '{}', 0)",
        compact.replace('\'', "''"),
        primary = if matches!(db.url, countersign_store::DatabaseUrl::Sqlite(_)) { "1" } else { "TRUE" },
    ));
    let loaded = store.load(3522)?;
    assert_eq!(loaded, state);
    let names: Vec<_> = loaded
        .authenticators()
        .iter()
        .map(|a| a.name().as_str())
        .collect();
    assert_eq!(
        names,
        [countersign::authenticator::DEFAULT_AUTHENTICATOR_NAME]
    );
    // A sign-in through the store writes it back as the current version.
    let app = app_for(secrets["totp_key_base32"].as_str().ok_or("a key")?);
    let at = NOW + 3_600;
    let ticket = stored_ticket(&*store, &portal, JOE_PASSWORD, at);
    let code = code(&app, at);
    store.update(3522, |a| {
        portal.complete_sign_in(
            a,
            &ticket,
            countersign::SecondFactor::Totp(&code),
            false,
            at,
            &mut rng(),
        )
    })?;
    let written = store.load(3522)?;
    // The password step changed nothing (a clean lane); the code's step did.
    assert_eq!(written.revision(), revision + 1);
    let json = serde_json::to_value(&written)?;
    // Version 4 since passkeys (issue 15).
    assert_eq!(json["v"], 4);
    assert_eq!(written.authenticators()[0].last_used_at(), Some(at));
    Ok(())
}

fn a_stored_account_loads_as_it_was_written(db: &Db) -> Result<(), Failed> {
    let store = db.open();
    let portal = strict_portal();
    let joe = account(&portal, joe(), JOE_PASSWORD);
    store.insert(&joe)?;
    assert_eq!(store.load(3522)?, joe);
    assert_eq!(store.load(3522)?.revision(), 1);
    assert!(matches!(
        store.load(9999),
        Err(Error::NotFound {
            record: Record::Account,
            id: 9999
        })
    ));
    Ok(())
}

fn a_swap_writes_only_over_the_version_it_read(db: &Db) -> Result<(), Failed> {
    let store = db.open();
    let portal = strict_portal();
    store.insert(&account(&portal, joe(), JOE_PASSWORD))?;
    let mut first = store.load(3522)?;
    let mut second = store.load(3522)?;
    first.unlock();
    let _ = portal.sign_in(&mut first, "wrong password!!", NOW, &mut rng());
    let _ = portal.sign_in(&mut second, "wrong password!!", NOW, &mut rng());
    assert_eq!((first.revision(), second.revision()), (2, 2));
    store.swap(1, &first)?;
    assert!(matches!(
        store.swap(1, &second),
        Err(Error::Conflict {
            record: Record::Account,
            id: 3522
        })
    ));
    assert!(
        matches!(store.swap(2, &first), Err(Error::InvalidStep { .. })),
        "a state not past the version read is refused"
    );
    assert_eq!(store.load(3522)?, first);
    Ok(())
}

fn the_login_finds_a_username_in_any_case_or_the_client_id(db: &Db) -> Result<(), Failed> {
    let store = db.open();
    let portal = strict_portal();
    store.insert(&account(&portal, joe(), JOE_PASSWORD))?;
    store.insert(&account(&portal, contact(), CONTACT_PASSWORD))?;
    assert_eq!(store.find_login("joe.example")?, Some(3522));
    assert_eq!(store.find_login("  JOE.Example ")?, Some(3522));
    assert_eq!(store.find_login("contact.example")?, Some(3523));
    assert_eq!(
        store.find_login("1707")?,
        Some(3522),
        "the client ID names the primary contact"
    );
    assert_eq!(store.find_login("1708")?, None);
    assert_eq!(store.find_login("99999999999999999999999")?, None);
    // A client ID past the database's signed 64 bits names no one, not client 1 (or
    // any other that a wrapped or clamped number would reach).
    store.insert(&account(
        &portal,
        countersign::Profile {
            contact_id: 1,
            client_id: 1,
            username: "client.one".into(),
            ..joe()
        },
        JOE_PASSWORD,
    ))?;
    assert_eq!(store.find_login("1")?, Some(1));
    assert_eq!(store.find_login(&u64::MAX.to_string())?, None);
    assert_eq!(store.find_login(&(1u64 << 63).to_string())?, None);
    assert_eq!(store.find_login("")?, None);
    assert_eq!(store.find_login("nobody")?, None);
    // What the store finds, the facade agrees it answers to.
    for login in ["JOE.EXAMPLE", "1707", "contact.example"] {
        let id = store.find_login(login)?.unwrap();
        assert!(store.load(id)?.profile().answers_to(login), "{login}");
    }
    Ok(())
}

fn a_taken_key_is_a_typed_error(db: &Db) -> Result<(), Failed> {
    let store = db.open();
    let portal = strict_portal();
    store.insert(&account(&portal, joe(), JOE_PASSWORD))?;
    let same_id = account(
        &portal,
        countersign::Profile {
            username: "other".into(),
            primary: false,
            ..joe()
        },
        JOE_PASSWORD,
    );
    assert!(matches!(
        store.insert(&same_id),
        Err(Error::Taken { what: "contact id" })
    ));
    let same_name = account(
        &portal,
        countersign::Profile {
            contact_id: 1,
            username: "Joe.Example".into(),
            primary: false,
            ..joe()
        },
        JOE_PASSWORD,
    );
    assert!(matches!(
        store.insert(&same_name),
        Err(Error::Taken { what: "username" })
    ));
    let second_primary = account(
        &portal,
        countersign::Profile {
            contact_id: 2,
            username: "boss".into(),
            ..joe()
        },
        JOE_PASSWORD,
    );
    assert!(matches!(
        store.insert(&second_primary),
        Err(Error::Taken {
            what: "primary contact of this client"
        })
    ));
    let too_big = account(
        &portal,
        countersign::Profile {
            contact_id: u64::MAX,
            username: "big".into(),
            primary: false,
            ..joe()
        },
        JOE_PASSWORD,
    );
    assert!(matches!(
        store.insert(&too_big),
        Err(Error::IdOutOfRange { id: u64::MAX })
    ));
    store.insert_client(&Client::new(1707))?;
    assert!(matches!(
        store.insert_client(&Client::new(1707)),
        Err(Error::Taken { what: "client id" })
    ));
    Ok(())
}

fn an_update_that_changes_nothing_writes_nothing(db: &Db) -> Result<(), Failed> {
    let store = db.open();
    let portal = strict_portal();
    store.insert(&account(&portal, joe(), JOE_PASSWORD))?;
    // A right password on a clean throttle, two-factor off: nothing to store.
    let step = store.update(3522, |a| portal.sign_in(a, JOE_PASSWORD, NOW, &mut rng()))?;
    assert!(matches!(step, PasswordStep::SignedIn(_)));
    let rows = store.export()?;
    let Some(ExportLine::Account(row)) = rows.first() else {
        panic!("one account")
    };
    assert_eq!(row.version, 1);
    // The step ran once: no write, so no conflict to re-run it.
    let mut runs = 0;
    let step = store.update(3522, |a| {
        runs += 1;
        portal.sign_in(a, JOE_PASSWORD, NOW, &mut rng())
    })?;
    assert!(matches!(step, PasswordStep::SignedIn(_)));
    assert_eq!(runs, 1);
    Ok(())
}

fn a_refused_attempt_is_committed_before_it_is_answered(db: &Db) -> Result<(), Failed> {
    let store = db.open();
    let portal = strict_portal();
    store.insert(&account(&portal, joe(), JOE_PASSWORD))?;
    for n in 1..=3 {
        let err = store
            .update(3522, |a| {
                portal.sign_in(a, "not the password", NOW, &mut rng())
            })
            .unwrap_err();
        assert!(matches!(err.flow(), Some(FlowError::Password(_))), "{err}");
        let stored = store.load(3522)?;
        assert_eq!(
            stored
                .throttles()
                .get(Factor::Password)
                .consecutive_failures(),
            n
        );
        assert_eq!(stored.revision(), 1 + u64::from(n));
    }
    Ok(())
}

fn a_clients_contacts_are_listed_by_id(db: &Db) -> Result<(), Failed> {
    let store = db.open();
    let portal = strict_portal();
    for profile in [contact2(), joe(), contact()] {
        store.insert(&account(&portal, profile, JOE_PASSWORD))?;
    }
    let ids: Vec<u64> = store
        .contacts(1707)?
        .iter()
        .map(|a| a.profile().contact_id)
        .collect();
    assert_eq!(ids, [3522, 3523, 3526]);
    assert!(store.contacts(1708)?.is_empty());
    Ok(())
}

fn a_client_record_is_created_on_first_update_and_swapped(db: &Db) -> Result<(), Failed> {
    let store = db.open();
    let portal = strict_portal();
    let joe_account = account(&portal, joe(), JOE_PASSWORD);
    store.insert(&joe_account)?;
    let permissions = seeded_permissions();
    let access = Access::new(&permissions)?;
    assert!(matches!(
        store.load_client(1707),
        Err(Error::NotFound {
            record: Record::Client,
            ..
        })
    ));
    let message = store.update_client(1707, |c| {
        portal.set_account_code(c, &joe(), &access, "Lighthouse-42-Oak", NOW)
    })?;
    assert_eq!(message, "Success: Account information updated.");
    let client = store.load_client(1707)?;
    assert!(client.has_security_code());
    assert_eq!(client.revision(), 2);
    let contacts = store.contacts(1707)?;
    let refs: Vec<&countersign::Account> = contacts.iter().collect();
    let whose = store.update_client(1707, |c| {
        portal.verify_caller(c, &refs, "Lighthouse-42-Oak", NOW)
    })?;
    assert_eq!(whose, countersign::security_codes::Whose::AccountWide);
    let wrong = store.update_client(1707, |c| {
        portal.verify_caller(c, &refs, "Wrong-Guess-11", NOW)
    });
    assert!(matches!(
        wrong.unwrap_err().flow(),
        Some(FlowError::WrongSecurityCode)
    ));
    assert_eq!(
        store.load_client(1707)?.throttle().consecutive_failures(),
        1
    );
    Ok(())
}

/// Every row of `store` as export lines, as the command line writes them.
pub fn export_text(store: &dyn Store) -> String {
    let mut text = format!("{EXPORT_HEADER}\n");
    for line in store.export().unwrap() {
        text.push_str(&line.to_json().unwrap());
        text.push('\n');
    }
    text
}

fn import_text(store: &dyn Store, text: &str) -> countersign_store::Result<()> {
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some(EXPORT_HEADER));
    let parsed: Vec<ExportLine> = lines
        .enumerate()
        .map(|(i, l)| ExportLine::parse(i + 2, l))
        .collect::<countersign_store::Result<_>>()?;
    store.import(&parsed)
}

fn an_export_imports_and_exports_again_to_the_same_bytes(db: &Db) -> Result<(), Failed> {
    let store = db.open();
    let portal = strict_portal();
    stored_joe(&*store, &portal);
    store.insert(&account(&portal, contact(), CONTACT_PASSWORD))?;
    let permissions = seeded_permissions();
    let access = Access::new(&permissions)?;
    store.update_client(1707, |c| {
        portal.set_account_code(c, &joe(), &access, "Lighthouse-42-Oak", NOW)
    })?;
    let _ = store.update(3523, |a| {
        portal.sign_in(a, "wrong password!!", NOW, &mut rng())
    });
    let exported = export_text(&*store);
    assert_eq!(exported.lines().count(), 4, "{exported}");

    // Into a fresh SQLite file, whatever the source: the way from SQLite to
    // PostgreSQL and back is the same lines.
    let other = Db::new(crate::db::Backend::Sqlite)?;
    let target = other.open();
    import_text(&*target, &exported)?;
    assert_eq!(export_text(&*target), exported);
    assert_eq!(target.load(3522)?, store.load(3522)?);
    assert_eq!(target.find_login("1707")?, Some(3522));
    Ok(())
}

fn an_import_over_taken_keys_imports_nothing(db: &Db) -> Result<(), Failed> {
    let store = db.open();
    let portal = strict_portal();
    store.insert(&account(&portal, joe(), JOE_PASSWORD))?;
    let source = Db::new(crate::db::Backend::Sqlite)?;
    let other = source.open();
    other.insert(&account(&portal, contact(), CONTACT_PASSWORD))?;
    other.insert(&account(&portal, joe(), JOE_PASSWORD))?;
    let text = export_text(&*other);
    assert!(matches!(
        import_text(&*store, &text),
        Err(Error::Taken { .. })
    ));
    assert!(
        matches!(store.load(3523), Err(Error::NotFound { .. })),
        "all or nothing"
    );
    // A line edited to disagree with its state is refused by line number.
    let edited = text.replacen(
        "\"login\":\"contact.example\"",
        "\"login\":\"someone.else\"",
        1,
    );
    let line = edited.lines().find(|l| l.contains("someone.else")).unwrap();
    assert!(matches!(
        ExportLine::parse(3, line),
        Err(Error::Import { line: 3, .. })
    ));
    Ok(())
}

fn a_reopened_store_keeps_its_schema_and_records(db: &Db) -> Result<(), Failed> {
    let portal = strict_portal();
    {
        let store = db.open();
        store.insert(&account(&portal, joe(), JOE_PASSWORD))?;
    }
    let store = db.open();
    assert_eq!(store.schema_version()?, countersign_store::SCHEMA_VERSION);
    assert_eq!(store.load(3522)?.profile().username, "joe.example");
    Ok(())
}

fn a_stores_debug_names_its_backend_and_not_where_it_is(db: &Db) -> Result<(), Failed> {
    // A store in a log line shows which backend it is, never its URL (which may
    // carry a password) or its file.
    let (shown, expected) = match &db.url {
        DatabaseUrl::Sqlite(path) => (format!("{:?}", SqliteStore::open(path)?), "SqliteStore"),
        DatabaseUrl::Postgres(url) => (format!("{:?}", PostgresStore::open(url)?), "PostgresStore"),
        other => return Err(format!("no store to show for {other}").into()),
    };
    let expected = format!("{expected} {{ .. }}");
    assert_eq!(shown, expected);
    Ok(())
}

fn a_false_conflict_is_retried_and_not_taken_for_a_row_gone_backwards(
    db: &Db,
) -> Result<(), Failed> {
    let portal = strict_portal();
    stored_joe(&*db.open(), &portal);
    // Two swaps report a conflict and write nothing: each attempt reads the same
    // revision again, which is not older than the one before.
    let store = Faulty {
        inner: db.open(),
        db,
        fault: SwapFault::Spurious(AtomicU32::new(2)),
    };
    let before = store.load(3522)?.revision();
    let mut runs = 0;
    let answer = store.update(3522, |a| {
        runs += 1;
        portal.sign_in(a, "wrong password!!", NOW, &mut rng())
    });
    assert!(
        matches!(answer, Err(Error::Flow(FlowError::Password(_)))),
        "{answer:?}"
    );
    assert_eq!(runs, 3);
    let after = store.load(3522)?;
    assert_eq!(after.revision(), before + 1);
    assert_eq!(
        after
            .throttles()
            .get(Factor::Password)
            .consecutive_failures(),
        1
    );
    Ok(())
}

fn each_write_stamps_its_row_with_the_system_clock(db: &Db) -> Result<(), Failed> {
    // `updated_at` is for operators (when was this row last written): the store
    // takes it from the system clock, whatever time the flows were told.
    let clock = || {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
    };
    let store = db.open();
    let portal = strict_portal();
    let stamps = |store: &dyn Store| -> Result<Vec<u64>, Failed> {
        Ok(store
            .export()?
            .iter()
            .map(|line| match line {
                ExportLine::Account(row) => row.updated_at,
                ExportLine::Client(row) => row.updated_at,
            })
            .collect())
    };
    let started = clock()?;
    store.insert(&account(&portal, joe(), JOE_PASSWORD))?;
    store.insert_client(&Client::new(1707))?;
    // A swap (a wrong password counted) writes the row again.
    let counted = store.update(3522, |a| {
        portal.sign_in(a, "wrong password!!", NOW, &mut rng())
    });
    assert!(matches!(counted, Err(Error::Flow(FlowError::Password(_)))));
    assert_eq!(store.load(3522)?.revision(), 2);
    let written = stamps(&*store)?;
    let ended = clock()?;
    assert_eq!(written.len(), 2);
    for stamp in written {
        assert!(
            (started..=ended).contains(&stamp),
            "{stamp} not in {started}..={ended}"
        );
    }
    Ok(())
}
