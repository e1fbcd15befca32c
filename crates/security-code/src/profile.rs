//! Refusals that need the contact's profile: their name, username, email, client
//! ID, phone numbers, date of birth and SSN. Matched case-insensitively, ignoring
//! separators: against the code's letters-and-digits view.

use zeroize::Zeroize;

use crate::context::Context;
use crate::date::{Date, MONTHS};
use crate::normalize::{Normalized, compact};
use crate::report::{ReasonCode, Report};

/// Parts of a name, username or email local part worth refusing: runs of three
/// letters or more (numbers in a username count as parts too).
fn parts(s: &str) -> Vec<String> {
    let c: String = s
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    c.split_whitespace()
        .map(compact)
        .filter(|p| p.chars().filter(|c| c.is_alphabetic()).count() >= 3)
        .collect()
}

/// `needle` occurs in `hay` with no digit touching it on either side.
fn contains_digit_bounded(hay: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return false;
    }
    let bytes = hay.as_bytes();
    let mut from = 0;
    while let Some(pos) = hay.get(from..).and_then(|h| h.find(needle)) {
        let at = from + pos;
        let end = at + needle.len();
        let before = at.checked_sub(1).and_then(|i| bytes.get(i));
        let after = bytes.get(end);
        let touching = |b: Option<&u8>| b.is_some_and(u8::is_ascii_digit);
        let bounded_start = !needle.starts_with(|c: char| c.is_ascii_digit()) || !touching(before);
        let bounded_end = !needle.ends_with(|c: char| c.is_ascii_digit()) || !touching(after);
        if bounded_start && bounded_end {
            return true;
        }
        from = at + needle.chars().next().map_or(1, char::len_utf8);
    }
    false
}

/// Every written form of a date of birth, as letters and digits (separators gone):
/// YYYYMMDD, MMDDYYYY, DDMMYYYY and their two-digit-year and unpadded forms, and
/// month names with the day, with or without the year.
pub(crate) fn birth_date_forms(dob: Date) -> Vec<String> {
    let years = [
        format!("{:04}", dob.year()),
        format!("{:02}", dob.year() % 100),
    ];
    let months = [format!("{:02}", dob.month()), dob.month().to_string()];
    let days = [format!("{:02}", dob.day()), dob.day().to_string()];
    let mut forms = Vec::new();
    for y in &years {
        for m in &months {
            for d in &days {
                forms.push(format!("{y}{m}{d}"));
                forms.push(format!("{m}{d}{y}"));
                forms.push(format!("{d}{m}{y}"));
            }
        }
    }
    for &(name, month) in MONTHS {
        if month != dob.month() {
            continue;
        }
        for d in &days {
            forms.push(format!("{name}{d}"));
            forms.push(format!("{d}{name}"));
            for y in &years {
                forms.push(format!("{name}{d}{y}"));
                forms.push(format!("{d}{name}{y}"));
                forms.push(format!("{y}{name}{d}"));
            }
        }
    }
    forms.sort();
    forms.dedup();
    forms
}

/// Check the code against the profile in `ctx`.
pub(crate) fn check(n: &Normalized, ctx: &Context, report: &mut Report) {
    let code = n.compact.as_str();
    if ctx
        .names
        .iter()
        .flat_map(|s| parts(s))
        .any(|p| code.contains(&p))
    {
        report.refuse(
            ReasonCode::ContainsName,
            "The code contains part of the contact's name. Choose words that are not your name.",
        );
    }
    let username_hit = ctx.usernames.iter().any(|u| {
        let whole = compact(u);
        let letters = whole.chars().filter(|c| c.is_alphabetic()).count();
        (letters >= 3 && code.contains(&whole)) || parts(u).iter().any(|p| code.contains(p))
    });
    if username_hit {
        report.refuse(
            ReasonCode::ContainsUsername,
            "The code contains the contact's username. Choose something unrelated to your login.",
        );
    }
    let email_hit = ctx.emails.iter().any(|e| {
        let local = e.rsplit_once('@').map_or(e.as_str(), |(l, _)| l);
        let whole = compact(local);
        (whole.chars().count() >= 3 && code.contains(&whole))
            || parts(local).iter().any(|p| code.contains(p))
    });
    if email_hit {
        report.refuse(
            ReasonCode::ContainsEmail,
            "The code contains the contact's email address. Choose something unrelated to your email.",
        );
    }
    if ctx.client_ids.iter().any(|c| {
        let id = compact(c);
        id.chars().count() >= 3 && code.contains(&id)
    }) {
        report.refuse(
            ReasonCode::ContainsClientId,
            "The code contains the client ID. Choose something a caller could not read off an invoice.",
        );
    }
    let phone_hit = ctx.phones.iter().any(|p| {
        let mut digits: Vec<u8> = p.bytes().filter(u8::is_ascii_digit).collect();
        let hit = digits
            .windows(7)
            .any(|w| core::str::from_utf8(w).is_ok_and(|w| code.contains(w)));
        digits.zeroize();
        hit
    });
    if phone_hit {
        report.refuse(
            ReasonCode::ContainsPhone,
            "The code contains seven or more digits of a phone number on the account.",
        );
    }
    if let Some(dob) = ctx.date_of_birth {
        let mut forms = birth_date_forms(dob);
        if forms.iter().any(|f| contains_digit_bounded(code, f)) {
            report.refuse(
                ReasonCode::ContainsBirthDate,
                "The code contains the contact's date of birth. Never use a date of birth in a security code.",
            );
        }
        forms.zeroize();
    }
    if let Some(ssn) = &ctx.ssn {
        let mut digits: String = ssn.chars().filter(char::is_ascii_digit).collect();
        let mut needles: Vec<String> = Vec::new();
        if digits.len() == 9 {
            needles.push(digits.clone());
            needles.push(digits[..5].to_owned());
            needles.push(digits[5..].to_owned());
            needles.push(digits[5..].chars().rev().collect());
        } else if digits.len() >= 4 {
            needles.push(digits.clone());
        }
        if needles.iter().any(|s| code.contains(s.as_str())) {
            report.refuse(
                ReasonCode::ContainsSsn,
                "The code contains the contact's Social Security number or part of it. Never use an SSN in a security code.",
            );
        }
        needles.zeroize();
        digits.zeroize();
    }
}
