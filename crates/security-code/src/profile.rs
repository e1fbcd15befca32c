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

/// The profile as needles, normalized once when the [`Context`] is built so that
/// `check` only searches.
#[derive(Clone, Default)]
pub(crate) struct Needles {
    names: Vec<String>,
    usernames: Vec<String>,
    emails: Vec<String>,
    client_ids: Vec<String>,
    phone_windows: Vec<String>,
    /// The unpadded day (in every form) and every form of the date of birth.
    birth_date: Option<(String, Vec<String>)>,
    ssn: Vec<String>,
}

impl Needles {
    pub(crate) fn add_name(&mut self, name: &str) {
        self.names.extend(parts(name));
    }

    pub(crate) fn add_username(&mut self, username: &str) {
        let whole = compact(username);
        if whole.chars().filter(|c| c.is_alphabetic()).count() >= 3 {
            self.usernames.push(whole);
        }
        self.usernames.extend(parts(username));
    }

    pub(crate) fn add_email(&mut self, email: &str) {
        let local = email.rsplit_once('@').map_or(email, |(l, _)| l);
        let whole = compact(local);
        if whole.chars().count() >= 3 {
            self.emails.push(whole);
        }
        self.emails.extend(parts(local));
    }

    pub(crate) fn add_client_id(&mut self, id: &str) {
        let id = compact(id);
        if id.chars().count() >= 3 {
            self.client_ids.push(id);
        }
    }

    pub(crate) fn add_phone(&mut self, phone: &str) {
        let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
        for i in 0..digits.len().saturating_sub(6) {
            self.phone_windows.push(digits[i..i + 7].to_owned());
        }
    }

    pub(crate) fn set_birth_date(&mut self, dob: Date) {
        self.birth_date = Some((dob.day().to_string(), birth_date_forms(dob)));
    }

    pub(crate) fn set_ssn(&mut self, ssn: &str) {
        let digits: String = ssn.chars().filter(char::is_ascii_digit).collect();
        self.ssn.clear();
        if digits.len() == 9 {
            self.ssn.push(digits[..5].to_owned());
            self.ssn.push(digits[5..].to_owned());
            self.ssn.push(digits[5..].chars().rev().collect());
            self.ssn.push(digits);
        } else if digits.len() >= 4 {
            self.ssn.push(digits);
        }
    }
}

impl Drop for Needles {
    fn drop(&mut self) {
        for list in [
            &mut self.names,
            &mut self.usernames,
            &mut self.emails,
            &mut self.client_ids,
            &mut self.phone_windows,
            &mut self.ssn,
        ] {
            list.zeroize();
        }
        if let Some((day, forms)) = &mut self.birth_date {
            day.zeroize();
            forms.zeroize();
        }
    }
}

/// Check the code against the profile in `ctx`.
pub(crate) fn check(n: &Normalized, ctx: &Context, report: &mut Report) {
    let code = n.compact.as_str();
    let p = &ctx.needles;
    let any = |list: &[String]| list.iter().any(|s| code.contains(s.as_str()));
    if any(&p.names) {
        report.refuse(
            ReasonCode::ContainsName,
            "The code contains part of the contact's name. Choose words that are not your name.",
        );
    }
    if any(&p.usernames) {
        report.refuse(
            ReasonCode::ContainsUsername,
            "The code contains the contact's username. Choose something unrelated to your login.",
        );
    }
    if any(&p.emails) {
        report.refuse(
            ReasonCode::ContainsEmail,
            "The code contains the contact's email address. Choose something unrelated to your email.",
        );
    }
    if any(&p.client_ids) {
        report.refuse(
            ReasonCode::ContainsClientId,
            "The code contains the client ID. Choose something a caller could not read off an invoice.",
        );
    }
    if any(&p.phone_windows) {
        report.refuse(
            ReasonCode::ContainsPhone,
            "The code contains seven or more digits of a phone number on the account.",
        );
    }
    // Every form of the date of birth contains its unpadded day: test that first.
    if let Some((day, forms)) = &p.birth_date
        && code.contains(day.as_str())
        && forms.iter().any(|f| contains_digit_bounded(code, f))
    {
        report.refuse(
            ReasonCode::ContainsBirthDate,
            "The code contains the contact's date of birth. Never use a date of birth in a security code.",
        );
    }
    if any(&p.ssn) {
        report.refuse(
            ReasonCode::ContainsSsn,
            "The code contains the contact's Social Security number or part of it. Never use an SSN in a security code.",
        );
    }
}
