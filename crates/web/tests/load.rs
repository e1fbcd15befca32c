//! A tiny bounded run of the load example (`examples/load.rs`) on both
//! backends, so it cannot rot: a few logins with TOTP by two clients. The
//! PostgreSQL run is skipped with a note without PostgreSQL, and fails with
//! `CI` or `COUNTERSIGN_REQUIRE_POSTGRES` set.

#[path = "../examples/load.rs"]
#[allow(dead_code, unreachable_pub)]
mod load;

use load::{Backend, Load};

fn tiny(backend: Backend) -> Load {
    Load {
        backend,
        clients: 2,
        logins: 4,
    }
}

#[test]
fn the_load_example_logs_people_in_over_sqlite() {
    let report = load::run(tiny(Backend::Sqlite)).unwrap();
    print!("{}", report.table());
    assert_eq!(report.login.len(), 4);
    assert!(report.rate() > 0.0);
    assert!(report.argon2 > std::time::Duration::ZERO);
}

#[test]
fn the_load_example_logs_people_in_over_postgres() {
    let required = std::env::var_os("CI").is_some()
        || std::env::var_os("COUNTERSIGN_REQUIRE_POSTGRES").is_some();
    match load::run(tiny(Backend::Postgres)) {
        Ok(report) => {
            print!("{}", report.table());
            assert_eq!(report.login.len(), 4);
        }
        Err(reason) if required => panic!("PostgreSQL is required here, but: {reason}"),
        Err(reason) => eprintln!("skipped: the PostgreSQL load run needs PostgreSQL ({reason})"),
    }
}
