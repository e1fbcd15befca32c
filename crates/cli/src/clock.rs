//! When a code is computed: `--time` as a user writes it, or the system clock.
//!
//! `--time` takes plain Unix seconds (`1700000000`), oathtool's `@UNIX`
//! (`@1700000000`) or an RFC 3339 date and time (`2023-11-14T22:13:20Z`, any offset,
//! fractions of a second dropped). Times before 1970 are refused: a TOTP step count
//! starts at the Unix epoch (RFC 6238 §4.2).

use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::Context as _;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// What `--time` accepts, for help texts and errors.
pub(crate) const FORMATS: &str =
    "Unix seconds, @UNIX or an RFC 3339 time such as 2023-11-14T22:13:20Z";

/// Parses a `--time` value into Unix seconds (the clap value parser of `--time`).
///
/// # Errors
///
/// A message naming the accepted forms when `text` is none of them, or is before 1970.
pub(crate) fn parse_time(text: &str) -> Result<u64, String> {
    let digits = text.strip_prefix('@').unwrap_or(text);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        return digits
            .parse::<u64>()
            .map_err(|_| format!("{digits} seconds is past the largest time a code can have"));
    }
    if text.starts_with(['@', '-', '+']) {
        return Err(format!(
            "expected {FORMATS} (times before 1970 have no TOTP step)"
        ));
    }
    let parsed = OffsetDateTime::parse(text, &Rfc3339)
        .map_err(|error| format!("expected {FORMATS} ({error})"))?;
    u64::try_from(parsed.unix_timestamp())
        .map_err(|_| "the time is before 1970, where TOTP steps begin".to_owned())
}

/// Now, in Unix seconds, from the system clock.
///
/// # Errors
///
/// When the system clock is set before 1970.
pub(crate) fn now() -> anyhow::Result<u64> {
    Ok(SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .context("the system clock is before 1970")?
        .as_secs())
}

/// Today's date in UTC, from the system clock.
pub(crate) fn today_utc() -> time::Date {
    OffsetDateTime::now_utc().date()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_and_nothing_else() {
        assert_eq!(parse_time("59"), Ok(59));
        assert_eq!(parse_time("@59"), Ok(59));
        assert_eq!(parse_time("0"), Ok(0));
        assert_eq!(parse_time("1970-01-01T00:00:59Z"), Ok(59));
        assert_eq!(parse_time("2023-11-14T22:13:20Z"), Ok(1_700_000_000));
        assert_eq!(parse_time("2023-11-15T00:13:20+02:00"), Ok(1_700_000_000));
        assert_eq!(parse_time("2023-11-14t22:13:20.999z"), Ok(1_700_000_000));
        assert_eq!(parse_time("18446744073709551615"), Ok(u64::MAX));
        for bad in [
            "",
            "@",
            "-1",
            "@-1",
            "+5",
            " 59",
            "59 ",
            "1e3",
            "18446744073709551616",
            "1969-12-31T23:59:59Z",
            "1969-12-31T23:59:59.5Z",
            "2023-02-30T00:00:00Z",
            "2023-11-14 22:13:20",
            "2023-11-14T22:13:20",
            "2023-11-14",
            "yesterday",
            "@2023-11-14T22:13:20Z",
        ] {
            assert!(parse_time(bad).is_err(), "{bad:?} was accepted");
        }
    }
}
