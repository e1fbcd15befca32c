//! A plain civil date (no clock, no time zone) and the date shapes a code must not contain.
//!
//! The leaf crates read no clock: "today" is handed in by the caller as a [`Date`].

use core::fmt;
use core::str::FromStr;

use crate::error::{Error, Result};

/// A proleptic Gregorian calendar date, years 1 to 9999. Constructors validate,
/// so a `Date` always exists on the calendar (no 31 February).
///
/// ```
/// use countersign_security_code::Date;
/// let d: Date = "1985-04-12".parse()?;
/// assert_eq!((d.year(), d.month(), d.day()), (1985, 4, 12));
/// assert!(Date::new(2023, 2, 29).is_err());
/// # Ok::<(), countersign_security_code::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct Date {
    // Field order makes the derived `Ord` chronological.
    year: u16,
    month: u8,
    day: u8,
}

impl Date {
    /// The date `year-month-day`.
    ///
    /// # Errors
    /// [`Error::InvalidDate`] when the year is outside 1..=9999, the month outside
    /// 1..=12 or the day past the end of that month.
    pub fn new(year: u16, month: u8, day: u8) -> Result<Self> {
        let invalid = |reason| Error::InvalidDate {
            input: format!("{year:04}-{month:02}-{day:02}"),
            reason,
        };
        if !(1..=9999).contains(&year) {
            return Err(invalid("the year must be between 1 and 9999"));
        }
        if !(1..=12).contains(&month) {
            return Err(invalid("the month must be between 1 and 12"));
        }
        if day == 0 || day > days_in_month(year, month) {
            return Err(invalid("that month has no such day"));
        }
        Ok(Self { year, month, day })
    }

    /// The year.
    #[must_use]
    pub fn year(self) -> u16 {
        self.year
    }

    /// The month, 1 to 12.
    #[must_use]
    pub fn month(self) -> u8 {
        self.month
    }

    /// The day of the month, 1 to 31.
    #[must_use]
    pub fn day(self) -> u8 {
        self.day
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl FromStr for Date {
    type Err = Error;

    /// Parses ISO 8601 `YYYY-MM-DD`.
    fn from_str(s: &str) -> Result<Self> {
        let bad = |reason| Error::InvalidDate {
            input: s.chars().take(32).collect(),
            reason,
        };
        let b = s.trim().as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return Err(bad("expected YYYY-MM-DD"));
        }
        let num = |r: core::ops::Range<usize>| -> Option<u16> { digits_value(b.get(r)?) };
        let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10)) else {
            return Err(bad("expected YYYY-MM-DD"));
        };
        let (Ok(m), Ok(d)) = (u8::try_from(m), u8::try_from(d)) else {
            return Err(bad("expected YYYY-MM-DD"));
        };
        Self::new(y, m, d).map_err(|_| bad("no such day on the calendar"))
    }
}

impl serde::Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> core::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Date {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> core::result::Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Gregorian leap year.
pub(crate) fn is_leap(year: u16) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

/// Days in `month` of `year` (0 for a month outside 1..=12).
pub(crate) fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// The value of a run of ASCII digits of at most four, or `None`.
pub(crate) fn digits_value(b: &[u8]) -> Option<u16> {
    if b.is_empty() || b.len() > 4 {
        return None;
    }
    b.iter().try_fold(0u16, |acc, &c| {
        c.is_ascii_digit().then(|| acc * 10 + u16::from(c - b'0'))
    })
}

/// The earliest year a code's date shapes are read as (dates of birth of living people).
pub(crate) const FIRST_YEAR: u16 = 1900;

/// True when `y-m-d` is a real date between 1900-01-01 and `today`.
pub(crate) fn is_past_date(y: u16, m: u16, d: u16, today: Date) -> bool {
    let (Ok(m), Ok(d)) = (u8::try_from(m), u8::try_from(d)) else {
        return false;
    };
    (FIRST_YEAR..=today.year).contains(&y) && Date::new(y, m, d).is_ok_and(|date| date <= today)
}

/// A two-digit year read as 19yy or 20yy, whichever makes a past date.
pub(crate) fn is_past_date_yy(yy: u16, m: u16, d: u16, today: Date) -> bool {
    yy < 100 && (is_past_date(1900 + yy, m, d, today) || is_past_date(2000 + yy, m, d, today))
}

/// A four-digit year 1900..=today's year.
pub(crate) fn is_year(digits: &[u8], today: Date) -> bool {
    digits.len() == 4
        && digits_value(digits).is_some_and(|y| (FIRST_YEAR..=today.year).contains(&y))
}

/// An eight-digit run that is a real date 1900..=today as YYYYMMDD, MMDDYYYY or DDMMYYYY.
pub(crate) fn is_eight_digit_date(g: &[u8], today: Date) -> bool {
    if g.len() != 8 {
        return false;
    }
    let v = |a: usize, b: usize| digits_value(&g[a..b]).unwrap_or(0);
    is_past_date(v(0, 4), v(4, 6), v(6, 8), today)
        || is_past_date(v(4, 8), v(0, 2), v(2, 4), today)
        || is_past_date(v(4, 8), v(2, 4), v(0, 2), today)
}

/// A six-digit run shaped like YYMMDD, MMDDYY or DDMMYY. About 8% of random
/// six-digit strings are, which is why this is only a warning.
pub(crate) fn is_six_digit_date(g: &[u8], today: Date) -> bool {
    if g.len() != 6 {
        return false;
    }
    let v = |a: usize| digits_value(&g[a..a + 2]).unwrap_or(0);
    is_past_date_yy(v(0), v(2), v(4), today)
        || is_past_date_yy(v(4), v(0), v(2), today)
        || is_past_date_yy(v(4), v(2), v(0), today)
}

/// Three digit groups joined by the same separator twice: Y-M-D, M/D/Y or D.M.Y,
/// with a four- or two-digit year.
pub(crate) fn is_separated_date(a: &[u8], b: &[u8], c: &[u8], today: Date) -> bool {
    let (Some(x), Some(y), Some(z)) = (digits_value(a), digits_value(b), digits_value(c)) else {
        return false;
    };
    let short = |g: &[u8]| (1..=2).contains(&g.len());
    match (a.len(), b.len(), c.len()) {
        (4, _, _) if short(b) && short(c) => is_past_date(x, y, z, today),
        (_, _, 4) if short(a) && short(b) => {
            is_past_date(z, x, y, today) || is_past_date(z, y, x, today)
        }
        (_, _, 2) if short(a) && short(b) => {
            is_past_date_yy(z, x, y, today)
                || is_past_date_yy(z, y, x, today)
                || (a.len() == 2 && is_past_date_yy(x, y, z, today))
        }
        _ => false,
    }
}

/// Month names and abbreviations, with their month number.
pub(crate) const MONTHS: &[(&str, u8)] = &[
    ("january", 1),
    ("february", 2),
    ("march", 3),
    ("april", 4),
    ("may", 5),
    ("june", 6),
    ("july", 7),
    ("august", 8),
    ("september", 9),
    ("october", 10),
    ("november", 11),
    ("december", 12),
    ("jan", 1),
    ("feb", 2),
    ("mar", 3),
    ("apr", 4),
    ("jun", 6),
    ("jul", 7),
    ("aug", 8),
    ("sep", 9),
    ("sept", 9),
    ("oct", 10),
    ("nov", 11),
    ("dec", 12),
];

/// Full month names of four letters or more: distinctive enough to be found
/// at the start or end of a longer run of letters (`OakApril12`).
pub(crate) fn is_long_month(name: &str) -> bool {
    name.len() >= 4 && MONTHS.iter().take(12).any(|(n, _)| *n == name)
}

/// A day of `month` (any year, so 29 February counts).
pub(crate) fn is_day_of(month: u8, digits: &[u8]) -> bool {
    digits.len() <= 2
        && digits_value(digits)
            .is_some_and(|d| d >= 1 && d <= u16::from(days_in_month(2000, month)))
}

/// A year next to a month name: four digits 1900..=today, or two digits.
pub(crate) fn is_year_near_month(digits: &[u8], today: Date) -> bool {
    is_year(digits, today) || digits.len() == 2
}

/// What a digit run after a month name says: (a day, a year).
pub(crate) fn read_after_month(month: u8, digits: &[u8], today: Date) -> (bool, bool) {
    if is_day_of(month, digits) {
        return (true, false);
    }
    if is_year(digits, today) {
        return (false, true);
    }
    // Day and a four-digit year run together: `apr121985`, `jan51990`. A run of
    // four is read only as a year (`October 2031` is no date), never as `dd` + `yy`.
    if digits.len() < 5 {
        return (false, is_year_alone(digits, today));
    }
    for split in 1..=2 {
        if let (Some(day), Some(year)) = (digits.get(..split), digits.get(split..))
            && is_day_of(month, day)
            && is_year(year, today)
        {
            return (true, true);
        }
    }
    (false, is_year_alone(digits, today))
}

/// A digit run by a month name read as a year on its own: four digits 1900..=today,
/// or two digits that cannot be a day (`may99`, but not `feb31`: no such day).
pub(crate) fn is_year_alone(digits: &[u8], today: Date) -> bool {
    is_year(digits, today)
        || (digits.len() == 2 && digits_value(digits).is_some_and(|v| !(1..=31).contains(&v)))
}

/// What the date rules found in a code.
#[derive(Default)]
pub(crate) struct Found {
    /// A date: separated, eight digits, or a month name by a day or year.
    pub(crate) date: bool,
    /// A six-digit date shape not already part of a date.
    pub(crate) six_digit: bool,
    /// Indices of digit groups that are part of a date (not reported again as a year).
    pub(crate) in_date: Vec<usize>,
}

/// Find the date shapes in `n`.
pub(crate) fn find(n: &crate::normalize::Normalized, today: Date) -> Found {
    let mut found = Found::default();
    for (i, &g) in n.groups.iter().enumerate() {
        let d = n.group_digits(g);
        if is_eight_digit_date(d, today) {
            found.date = true;
            found.in_date.push(i);
        }
        if let (Some(&b), Some(&c)) = (n.groups.get(i + 1), n.groups.get(i + 2)) {
            let same = match (n.single_join(i), n.single_join(i + 1)) {
                (Some(x), Some(y)) => x == y && matches!(x, '-' | '/' | '.' | ' '),
                _ => false,
            };
            if same && is_separated_date(d, n.group_digits(b), n.group_digits(c), today) {
                found.date = true;
                found.in_date.extend(i..i + 3);
            }
        }
    }
    find_month_names(n, today, &mut found);
    found.six_digit =
        n.groups.iter().enumerate().any(|(i, &g)| {
            !found.in_date.contains(&i) && is_six_digit_date(n.group_digits(g), today)
        });
    found
}

/// The digit group starting at char `pos`, or right after one separator there.
fn group_at(n: &crate::normalize::Normalized, pos: usize) -> Option<usize> {
    let direct = n.groups.iter().position(|g| g.start == pos);
    direct.or_else(|| {
        let c = *n.text.get(pos)?;
        if crate::normalize::is_separator(c) || c == ',' {
            n.groups.iter().position(|g| g.start == pos + 1)
        } else {
            None
        }
    })
}

/// The digit group ending at char `end`, or right before one separator there.
fn group_before(n: &crate::normalize::Normalized, end: usize) -> Option<usize> {
    let direct = n.groups.iter().position(|g| g.end == end);
    direct.or_else(|| {
        let c = *n.text.get(end.checked_sub(1)?)?;
        if crate::normalize::is_separator(c) {
            n.groups.iter().position(|g| g.end + 1 == end)
        } else {
            None
        }
    })
}

/// Month names next to a day or year: `apr121985`, `Jan 5 1990`, `12-April`.
fn find_month_names(n: &crate::normalize::Normalized, today: Date, found: &mut Found) {
    let text = &n.text;
    let mut i = 0;
    while i < text.len() {
        if !text[i].is_alphabetic() {
            i += 1;
            continue;
        }
        let start = i;
        while i < text.len() && text[i].is_alphabetic() {
            i += 1;
        }
        let run = &text[start..i];
        for &(name, month) in MONTHS {
            let is = |part: &[char]| part.iter().copied().eq(name.chars());
            let len = name.len();
            let whole = run.len() == len && is(run);
            // A month at the end of a longer run of letters counts when a full date
            // follows (`Oakapr121985`); a long month name also at either end.
            let at_end = !whole && run.len() > len && is(&run[run.len() - len..]);
            let at_start = !whole && run.len() > len && is(&run[..len]) && is_long_month(name);
            if !(whole || at_end || at_start) {
                continue;
            }
            let mut day = false;
            let mut year = false;
            let mut groups = Vec::new();
            if (whole || at_end)
                && let Some(gi) = group_at(n, i)
            {
                let g = n.groups[gi];
                let (d, y) = read_after_month(month, n.group_digits(g), today);
                groups.push(gi);
                day |= d;
                year |= y;
                if d && !y {
                    // `Jan 5 1990`: a year after the day.
                    if let Some(gy) = group_at(n, g.end)
                        && is_year_near_month(n.group_digits(n.groups[gy]), today)
                    {
                        year = true;
                        groups.push(gy);
                    }
                }
            }
            if (whole || at_start)
                && let Some(gi) = group_before(n, start)
            {
                let d = n.group_digits(n.groups[gi]);
                day |= is_day_of(month, d);
                year |= is_year_alone(d, today);
                groups.push(gi);
            }
            // An abbreviation inside a word (`grammar12`) needs a whole date after it.
            let is_date = if whole || is_long_month(name) {
                day || year
            } else {
                day && year
            };
            if is_date {
                found.date = true;
                found.in_date.extend(groups);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Date, digits_value, is_past_date_yy};

    #[test]
    fn digits_value_reads_one_to_four_ascii_digits_only() {
        assert_eq!(digits_value(b"0"), Some(0));
        assert_eq!(digits_value(b"2026"), Some(2026));
        assert_eq!(digits_value(b"9999"), Some(9999));
        // An empty run is no number (not 0), and five digits are not read (nor
        // could 99999 be, in a u16).
        assert_eq!(digits_value(b""), None);
        assert_eq!(digits_value(b"12345"), None);
        assert_eq!(digits_value(b"99999"), None);
        assert_eq!(digits_value(b"12a4"), None);
    }

    #[test]
    fn is_past_date_yy_reads_two_digit_years_only() {
        let today = Date::new(2026, 11, 23).unwrap();
        assert!(is_past_date_yy(0, 1, 1, today));
        assert!(is_past_date_yy(99, 12, 31, today));
        // 100 is no two-digit year: it is not read as 1900 + 100, the year 2000.
        assert!(!is_past_date_yy(100, 1, 1, today));
    }
}
