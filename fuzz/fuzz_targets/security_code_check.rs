//! `check` on an arbitrary code and context: never panics, and a report's verdict
//! agrees with its violations.
#![no_main]

use countersign_security_code::{Context, Date, Policy, SecurityCode, Speech};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Fields separated by 0xFF: code, name, username, email, client ID, phone, SSN;
    // then three bytes of date of birth and two of today.
    let mut fields = data.split(|&b| b == 0xFF);
    let mut next = || String::from_utf8_lossy(fields.next().unwrap_or_default()).into_owned();
    let code = next();
    let (name, username, email, client_id, phone, ssn) =
        (next(), next(), next(), next(), next(), next());
    let tail = next().into_bytes();
    let year = |b: Option<&u8>| 1900 + u16::from(b.copied().unwrap_or(100));
    let today =
        Date::new(year(tail.get(3)).max(1990), 12, 31).unwrap_or(Date::new(2026, 1, 1).unwrap());
    let mut ctx = Context::new(today)
        .name(name)
        .username(username)
        .email(email)
        .client_id(client_id)
        .phone(phone)
        .ssn(ssn);
    if let (Some(&m), Some(&d)) = (tail.get(1), tail.get(2)) {
        if let Ok(dob) = Date::new(year(tail.first()), m % 13, d % 32) {
            ctx = ctx.date_of_birth(dob);
        }
    }
    let report = Policy::default().check(&code, &ctx);
    assert_eq!(report.passed(), report.violations.is_empty());
    let _ = Speech::default().normalize(&code);
    let _ = SecurityCode::new(&code);
});
