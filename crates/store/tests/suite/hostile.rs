//! Rows an attacker or a careless operator left behind: typed errors, never an
//! accepted login, never a fresh account in their place.

use countersign::SecondFactor;
use countersign_store::{DatabaseUrl, Error, Record, SCHEMA_VERSION, StoreExt};
use libtest_mimic::Failed;

use crate::Case;
use crate::db::Db;
use crate::fixtures::*;
use crate::setup::*;

pub const CASES: &[(&str, Case)] = &[
    (
        "a_corrupted_state_is_a_typed_error_and_logs_no_one_in",
        a_corrupted_state_is_a_typed_error_and_logs_no_one_in,
    ),
    (
        "a_version_column_that_disagrees_with_the_state_is_refused",
        a_version_column_that_disagrees_with_the_state_is_refused,
    ),
    (
        "a_row_whose_version_went_backwards_during_an_update_is_refused",
        a_row_whose_version_went_backwards_during_an_update_is_refused,
    ),
    (
        "a_database_of_a_newer_schema_is_refused_by_name",
        a_database_of_a_newer_schema_is_refused_by_name,
    ),
    (
        "an_update_that_always_meets_a_writer_gives_up_busy",
        an_update_that_always_meets_a_writer_gives_up_busy,
    ),
    (
        "a_row_moved_to_another_contact_id_is_refused",
        a_row_moved_to_another_contact_id_is_refused,
    ),
    (
        "a_schema_damaged_by_hand_is_a_database_error_not_an_outage",
        a_schema_damaged_by_hand_is_a_database_error_not_an_outage,
    ),
    (
        "each_column_that_disagrees_with_the_state_is_refused_alone",
        each_column_that_disagrees_with_the_state_is_refused_alone,
    ),
];

fn a_corrupted_state_is_a_typed_error_and_logs_no_one_in(db: &Db) -> Result<(), Failed> {
    let store = db.open();
    let portal = strict_portal();
    let (app, _) = stored_joe(&*store, &portal);
    let ticket = stored_ticket(&*store, &portal, JOE_PASSWORD, NOW + 30);
    for state in [
        "{not json",
        "{}",
        "null",
        r#"{"v":2,"revision":2,"profile":"$argon2id$v=19$m=64,t=1,p=4$c2FsdHNhbHQ$aGFzaA"}"#,
    ] {
        db.execute(&format!(
            "UPDATE countersign_accounts SET state = '{}' WHERE contact_id = 3522",
            state.replace('\'', "''")
        ));
        let code = code(&app, NOW + 60);
        let err = store
            .update(3522, |a| {
                portal.complete_sign_in(
                    a,
                    &ticket,
                    SecondFactor::Totp(&code),
                    false,
                    NOW + 60,
                    &mut rng(),
                )
            })
            .unwrap_err();
        assert!(
            matches!(
                err,
                Error::Corrupt {
                    record: Record::Account,
                    id: 3522,
                    ..
                }
            ),
            "{state}: {err}"
        );
        assert!(
            !err.to_string().contains("argon2id"),
            "no stored hash in a message: {err}"
        );
        assert!(matches!(store.load(3522), Err(Error::Corrupt { .. })));
    }
    Ok(())
}

fn a_version_column_that_disagrees_with_the_state_is_refused(db: &Db) -> Result<(), Failed> {
    let store = db.open();
    let portal = strict_portal();
    stored_joe(&*store, &portal);
    let _ = store.update(3522, |a| {
        portal.sign_in(a, "wrong password!!", NOW, &mut rng())
    });
    db.execute("UPDATE countersign_accounts SET version = version - 1 WHERE contact_id = 3522");
    let err = store.load(3522).unwrap_err();
    assert!(err.to_string().contains("version column"), "{err}");
    let err = store
        .update(3522, |a| portal.sign_in(a, JOE_PASSWORD, NOW, &mut rng()))
        .unwrap_err();
    assert!(matches!(err, Error::Corrupt { .. }), "{err}");
    Ok(())
}

fn a_row_whose_version_went_backwards_during_an_update_is_refused(db: &Db) -> Result<(), Failed> {
    let store = db.open();
    let portal = strict_portal();
    stored_joe(&*store, &portal);
    let old = store.load(3522)?;
    let _ = store.update(3522, |a| {
        portal.sign_in(a, "wrong password!!", NOW, &mut rng())
    });
    let _ = store.update(3522, |a| {
        portal.sign_in(a, "wrong password!!", NOW + 600, &mut rng())
    });
    let mut restored = false;
    let err = store
        .update(3522, |a| {
            if !restored {
                // An operator restores an old backup of the row between this
                // load and its swap.
                db.blind_write(&old);
                restored = true;
            }
            portal.sign_in(a, "wrong password!!", NOW + 1_200, &mut rng())
        })
        .unwrap_err();
    assert!(
        matches!(err, Error::WentBackwards { seen, found, .. } if found < seen),
        "{err}"
    );
    Ok(())
}

fn a_database_of_a_newer_schema_is_refused_by_name(db: &Db) -> Result<(), Failed> {
    let opened_before = db.open();
    db.execute(&format!(
        "UPDATE countersign_schema SET version = {} WHERE id = 1",
        SCHEMA_VERSION + 1
    ));
    // A store opened before a newer release migrated the database says so when
    // asked, rather than the version it opened at.
    assert!(
        matches!(opened_before.schema_version(), Err(Error::SchemaTooNew { found, .. }) if found == SCHEMA_VERSION + 1)
    );
    drop(opened_before);
    let Err(err) = countersign_store::open(&db.url) else {
        panic!("a newer schema opened")
    };
    assert!(
        matches!(err, Error::SchemaTooNew { found, supported } if found == SCHEMA_VERSION + 1 && supported == SCHEMA_VERSION),
        "{err}"
    );
    assert!(err.to_string().contains("schema version 2"), "{err}");
    Ok(())
}

fn an_update_that_always_meets_a_writer_gives_up_busy(db: &Db) -> Result<(), Failed> {
    let store = db.open();
    let portal = strict_portal();
    stored_joe(&*store, &portal);
    let other = db.open();
    let mut runs = 0;
    let err = store
        .update_bounded(3522, 3, |a| {
            runs += 1;
            // Another writer commits between every load and swap.
            let _ = other.update(3522, |b| {
                portal.sign_in(b, "wrong password!!", NOW, &mut rng())
            });
            portal.sign_in(a, "wrong password!!", NOW, &mut rng())
        })
        .unwrap_err();
    assert!(matches!(err, Error::Busy { attempts: 3, .. }), "{err}");
    assert_eq!(runs, 3);
    assert!(!err.to_string().contains("password"), "{err}");
    Ok(())
}

fn a_row_moved_to_another_contact_id_is_refused(db: &Db) -> Result<(), Failed> {
    let store = db.open();
    let portal = strict_portal();
    stored_joe(&*store, &portal);
    db.execute("UPDATE countersign_accounts SET contact_id = 4000 WHERE contact_id = 3522");
    assert!(matches!(
        store.load(4000),
        Err(Error::Corrupt { id: 4000, .. })
    ));
    Ok(())
}

fn each_column_that_disagrees_with_the_state_is_refused_alone(db: &Db) -> Result<(), Failed> {
    let store = db.open();
    let portal = strict_portal();
    stored_joe(&*store, &portal);
    // Each column edited on its own, then put back: one disagreeing column is
    // enough for the row to be refused.
    for (edit, undo) in [
        ("client_id = client_id + 1", "client_id = client_id - 1"),
        ("is_primary = NOT is_primary", "is_primary = NOT is_primary"),
        ("login = 'ann.example'", "login = 'joe.example'"),
    ] {
        db.execute(&format!(
            "UPDATE countersign_accounts SET {edit} WHERE contact_id = 3522"
        ));
        let err = store.load(3522).unwrap_err();
        assert!(
            matches!(&err, Error::Corrupt { id: 3522, reason, .. } if reason.contains("disagrees")),
            "{edit}: {err}"
        );
        db.execute(&format!(
            "UPDATE countersign_accounts SET {undo} WHERE contact_id = 3522"
        ));
        store.load(3522)?;
    }
    Ok(())
}

fn a_schema_damaged_by_hand_is_a_database_error_not_an_outage(db: &Db) -> Result<(), Failed> {
    let store = db.open();
    let portal = strict_portal();
    stored_joe(&*store, &portal);
    // An operator's hand edit: text where a time belongs (PostgreSQL), a column
    // renamed (SQLite's STRICT tables refuse the text). Trying again gives the same
    // answer, so it must not read as a passing outage.
    db.execute(match db.url {
        DatabaseUrl::Postgres(_) => {
            "ALTER TABLE countersign_accounts ALTER COLUMN updated_at TYPE text;
             UPDATE countersign_accounts SET updated_at = 'yesterday'"
        }
        _ => "ALTER TABLE countersign_accounts RENAME COLUMN updated_at TO written_at",
    });
    let err = store.load(3522).unwrap_err();
    assert!(matches!(err, Error::Database { .. }), "{err}");
    assert!(!err.is_unavailable(), "{err}");
    Ok(())
}
