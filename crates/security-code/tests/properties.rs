//! Property tests: `check` never panics; inserting personal data into a passing
//! code, anywhere not touching another digit, makes it fail for that reason.

use countersign_security_code::{Context, Date, Policy, ReasonCode, check};
use proptest::prelude::*;

fn today() -> Date {
    Date::new(2026, 11, 23).unwrap()
}

/// Codes that pass: words with the odd short number, no digits touching.
fn passing_code() -> impl Strategy<Value = String> {
    let words = prop::sample::select(vec![
        "Lighthouse",
        "Oak",
        "Copper",
        "Kettle",
        "Rain",
        "Violet",
        "Canyon",
        "Drum",
        "Otter",
        "Harbor",
        "Lantern",
        "Moss",
        "Tide",
        "Falcon",
        "Willow",
        "Glacier",
    ]);
    let part = prop_oneof![
        3 => words.prop_map(str::to_owned),
        1 => (10u8..100).prop_map(|n| n.to_string()),
    ];
    let sep = prop::sample::select(vec!["-", " ", ""]);
    (prop::collection::vec((part, sep), 2..5)).prop_filter_map("must pass", |parts| {
        let mut code = String::new();
        let mut last_digit = false;
        for (p, s) in parts {
            let digit = p.starts_with(|c: char| c.is_ascii_digit());
            // Keep numbers apart: two numbers never share a separator.
            if digit && last_digit {
                code.push_str("-Moss-");
            }
            code.push_str(&p);
            code.push_str(s);
            last_digit = digit && s.is_empty();
            if digit {
                code.push_str("Tide");
                last_digit = false;
            }
        }
        let code = code.trim_matches(|c| c == '-' || c == ' ').to_owned();
        check(&code, &Context::new(today()))
            .passed()
            .then_some(code)
    })
}

fn past_date() -> impl Strategy<Value = (u16, u8, u8)> {
    (1900u16..=2026, 1u8..=12, 1u8..=31).prop_filter_map("a real past date", |(y, m, d)| {
        Date::new(y, m, d)
            .ok()
            .filter(|&x| x <= today())
            .map(|_| (y, m, d))
    })
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];
const FULL: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A date in one of the refused shapes.
fn date_text() -> impl Strategy<Value = String> {
    (
        past_date(),
        0usize..12,
        prop::sample::select(vec!["-", "/", ".", " "]),
    )
        .prop_map(|((y, m, d), shape, sep)| {
            let yy = y % 100;
            match shape {
                0 => format!("{y:04}{sep}{m:02}{sep}{d:02}"),
                1 => format!("{m}{sep}{d}{sep}{y}"),
                2 => format!("{d:02}{sep}{m:02}{sep}{y}"),
                3 => format!("{m}{sep}{d}{sep}{yy:02}"),
                4 => format!("{y:04}{m:02}{d:02}"),
                5 => format!("{m:02}{d:02}{y:04}"),
                6 => format!("{d:02}{m:02}{y:04}"),
                7 => format!("{}{d}{y}", MONTHS[usize::from(m) - 1]),
                8 => format!("{d}{}{y}", MONTHS[usize::from(m) - 1]),
                9 => format!("{} {d} {y}", FULL[usize::from(m) - 1]),
                10 => format!("{y}{}{d:02}", MONTHS[usize::from(m) - 1]),
                _ => format!("{d} {} {y}", FULL[usize::from(m) - 1]),
            }
        })
}

/// An SSN: issuable nine digits, bare or 3-2-4 with the same separator twice.
fn ssn_text() -> impl Strategy<Value = String> {
    (
        1u16..900,
        1u8..100,
        1u16..10000,
        prop::sample::select(vec!["", "-", " ", "."]),
    )
        .prop_filter("issuable area", |(a, ..)| *a != 666)
        .prop_map(|(a, g, s, sep)| format!("{a:03}{sep}{g:02}{sep}{s:04}"))
}

/// Positions in `code` (char boundaries) where neither neighbour is a digit.
fn free_places(code: &str) -> Vec<usize> {
    let b = code.as_bytes();
    (0..=code.len())
        .filter(|&i| code.is_char_boundary(i))
        .filter(|&i| {
            let before = i
                .checked_sub(1)
                .and_then(|j| b.get(j))
                .is_some_and(u8::is_ascii_digit);
            let after = b.get(i).is_some_and(u8::is_ascii_digit);
            !before && !after
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn check_never_panics(code in "\\PC{0,80}", name in "\\PC{0,12}", phone in "[0-9 ()+-]{0,16}") {
        let ctx = Context::new(today()).name(name).phone(phone).ssn("481-59-2637")
            .date_of_birth(Date::new(1985, 4, 12).unwrap()).email("a.b@c.de").username("ab_cd").client_id("17x");
        let report = Policy::default().check(&code, &ctx);
        prop_assert_eq!(report.passed(), report.violations.is_empty());
    }

    #[test]
    fn check_never_panics_on_bytes(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let code = String::from_utf8_lossy(&bytes);
        let _ = check(&code, &Context::new(today()));
    }

    #[test]
    fn inserting_a_date_refuses_it(code in passing_code(), date in date_text(), pick in any::<prop::sample::Index>()) {
        let places = free_places(&code);
        let at = places[pick.index(places.len())];
        let with = format!("{}{}{}", &code[..at], date, &code[at..]);
        let report = check(&with, &Context::new(today()));
        prop_assert!(report.violation_codes().any(|c| c == ReasonCode::Date), "{:?} -> {:?}", with, report);
    }

    #[test]
    fn inserting_an_ssn_refuses_it(code in passing_code(), ssn in ssn_text(), pick in any::<prop::sample::Index>()) {
        let places = free_places(&code);
        let at = places[pick.index(places.len())];
        let with = format!("{}{}{}", &code[..at], ssn, &code[at..]);
        let report = check(&with, &Context::new(today()));
        prop_assert!(report.violation_codes().any(|c| c == ReasonCode::Ssn), "{:?} -> {:?}", with, report);
    }
}
