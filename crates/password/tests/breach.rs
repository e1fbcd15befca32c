//! Breached-password checks: the range responses and the hash file in
//! `tests/data/breach/` (synthesized in the documented format by
//! `make-breach-data.py` there, with hashlib's SHA-1; not recorded from the service),
//! malformed inputs as typed errors, and the parser and the searcher by proptest.

use std::collections::BTreeMap;
use std::io::Cursor;
use std::path::PathBuf;

use countersign_password::{
    BreachHash, Context, DEFAULT_BREACH_THRESHOLD, Error, HashFile, MAX_RANGE_BYTES, Policy,
    ViolationCode,
};
use proptest::prelude::*;
use serde_json::Value;

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/breach")
        .join(name)
}

fn expected() -> Value {
    let text = std::fs::read_to_string(data("expected.json")).expect("expected.json");
    serde_json::from_str(&text).expect("valid JSON")
}

fn entries<'a>(value: &'a Value, key: &str) -> impl Iterator<Item = (&'a str, &'a str, u64)> {
    value[key].as_array().expect("an array").iter().map(|e| {
        (
            e["password"].as_str().expect("password"),
            e["sha1"].as_str().expect("sha1"),
            e["count"].as_u64().expect("count"),
        )
    })
}

#[test]
fn synthesized_ranges_give_the_written_counts() {
    let expected = expected();
    let mut seen = 0;
    for (entry, (password, sha1, count)) in expected["ranges"]
        .as_array()
        .expect("ranges")
        .iter()
        .zip(entries(&expected, "ranges"))
    {
        let hash = BreachHash::of(password);
        assert_eq!(hash.prefix().as_str(), &sha1[..5], "{password}: prefix");
        assert_eq!(
            BreachHash::from_hex(sha1).expect("hex").prefix(),
            hash.prefix()
        );
        let body = std::fs::read(data(entry["file"].as_str().expect("file"))).expect("range file");
        assert!(body.len() < MAX_RANGE_BYTES);
        assert_eq!(hash.count_in_range(&body), Ok(count), "{password}");
        seen += 1;
    }
    assert_eq!(seen, 3);
}

#[test]
fn synthesized_ranges_have_the_documented_format() {
    // As the service answers with `Add-Padding: true`: 800 to 1,000 lines of 35
    // upper-case hex digits, a colon and a count, padding entries counting 0, CRLF
    // between lines and no line ending after the last.
    for file in ["range-5BAA6.txt", "range-7C4A8.txt", "range-47F3A.txt"] {
        let body = std::fs::read(data(file)).expect("range file");
        let text = std::str::from_utf8(&body).expect("ASCII");
        assert!(!text.ends_with('\n'), "{file}: no final line ending");
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert_eq!(
            text.matches('\n').count(),
            lines.len() - 1,
            "{file}: CRLF only"
        );
        assert!(
            (800..=1000).contains(&lines.len()),
            "{file}: {} lines",
            lines.len()
        );
        for line in &lines {
            let (suffix, count) = line.split_once(':').expect("SUFFIX:COUNT");
            assert!(
                suffix.len() == 35
                    && suffix
                        .bytes()
                        .all(|b| matches!(b, b'0'..=b'9' | b'A'..=b'F')),
                "{file}: {line}"
            );
            assert!(count.parse::<u64>().is_ok(), "{file}: {line}");
        }
        assert!(
            lines.iter().any(|l| l.ends_with(":0")),
            "{file}: padding entries"
        );
        let mut sorted = lines.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, lines, "{file}: sorted by suffix");
    }
}

#[test]
fn a_range_is_read_with_a_final_crlf_or_without_one() {
    let body = std::fs::read(data("range-5BAA6.txt")).expect("range file");
    let hash = BreachHash::of("password");
    assert_eq!(hash.count_in_range(&body), Ok(52_256_179));
    let mut ended = body;
    ended.extend_from_slice(b"\r\n");
    assert_eq!(hash.count_in_range(&ended), Ok(52_256_179));
    // Our line last, with and without its ending.
    let last = "1E4C9B93F3F0682250B6CF8331B7EE68FD8:7";
    for body in [
        format!("0018A45C4D1DEF81644B54AB7F969B88D65:0\r\n{last}"),
        format!("{last}\r\n"),
    ] {
        assert_eq!(hash.count_in_range(body.as_bytes()), Ok(7), "{body:?}");
    }
}

#[test]
fn synthesized_ranges_are_padded_and_our_suffix_is_found_nowhere_else() {
    let body = std::fs::read(data("range-5BAA6.txt")).expect("range file");
    let text = std::str::from_utf8(&body).expect("ASCII");
    let lines: Vec<&str> = text.lines().collect();
    // Without our line, the count is 0 (padding entries never count).
    let without: Vec<&str> = lines
        .iter()
        .copied()
        .filter(|l| !l.starts_with("1E4C9B93F3F0682250B6CF8331B7EE68FD8:"))
        .collect();
    assert_eq!(without.len(), lines.len() - 1);
    assert_eq!(
        BreachHash::of("password").count_in_range(without.join("\r\n").as_bytes()),
        Ok(0)
    );
}

#[test]
fn hash_file_finds_every_line_and_nothing_else() {
    let text = std::fs::read_to_string(data("hashes-ordered-by-hash.txt")).expect("hash file");
    let file = std::fs::File::open(data("hashes-ordered-by-hash.txt")).expect("open");
    let mut file = HashFile::new(std::io::BufReader::new(file)).expect("seek");
    let expected = expected();
    for (password, _, count) in entries(&expected, "file") {
        assert_eq!(
            file.count(&BreachHash::of(password)),
            Ok(count),
            "{password}"
        );
    }
    let mut lines = 0;
    for line in text.lines() {
        let (hash, count) = line.split_once(':').expect("HASH:COUNT");
        let hash = BreachHash::from_hex(hash).expect("hex");
        assert_eq!(
            file.count(&hash),
            Ok(count.parse().expect("count")),
            "{line}"
        );
        lines += 1;
    }
    assert_eq!(lines, 5000);
    for absent in [
        "0000000000000000000000000000000000000000",
        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF",
    ] {
        let hash = BreachHash::from_hex(absent).expect("hex");
        assert_eq!(file.count(&hash), Ok(0), "{absent}");
    }
}

#[test]
fn hash_file_answers_a_range_as_the_service_does() {
    let text = std::fs::read(data("hashes-ordered-by-hash.txt")).expect("hash file");
    let mut file = HashFile::new(Cursor::new(text)).expect("seek");
    let expected = expected();
    let hash = BreachHash::of("password");
    let range = file.range(hash.prefix()).expect("range");
    let lines = expected["file_prefix_lines"].as_u64().expect("lines");
    assert_eq!(
        range.split(|&b| b == b'\n').count() - 1,
        usize::try_from(lines).expect("small")
    );
    assert_eq!(hash.count_in_range(&range), Ok(52_256_179));
    // A prefix the file lacks: an empty body, a count of 0.
    let absent = BreachHash::from_hex("0000000000000000000000000000000000000000").expect("hex");
    assert_eq!(file.range(absent.prefix()), Ok(Vec::new()));
}

fn malformed_line(body: &[u8]) -> Option<usize> {
    match BreachHash::of("password").count_in_range(body) {
        Err(Error::MalformedRange { line, .. }) => Some(line),
        _ => None,
    }
}

#[test]
fn malformed_ranges_are_typed_errors_with_the_line() {
    let good = "0018A45C4D1DEF81644B54AB7F969B88D65:1";
    let cases: [(String, usize); 10] = [
        (format!("{good}\r\nnot a line\r\n"), 2),
        (format!("{good}\n\n{good}\n"), 2),
        (format!("{}:1\n", &good[..34]), 1),
        (format!("{good}0:1\n"), 1),
        (format!("{}:1\n", good[..35].to_lowercase()), 1),
        (format!("{good}\n{}:\n", &good[..35]), 2),
        (format!("{}:-1\n", &good[..35]), 1),
        (format!("{}: 1\n", &good[..35]), 1),
        (format!("{}:18446744073709551616\n", &good[..35]), 1),
        (format!("{good}\r\n{good}\r\n{good}:2\r\n"), 3),
    ];
    for (body, line) in &cases {
        assert_eq!(malformed_line(body.as_bytes()), Some(*line), "{body:?}");
    }
    assert_eq!(malformed_line(b"\r\n"), Some(1));
    assert_eq!(
        BreachHash::of("x")
            .count_in_range(format!("{}:18446744073709551615", &good[..35]).as_bytes()),
        Ok(0)
    );
    assert_eq!(BreachHash::of("x").count_in_range(b""), Ok(0));
}

#[test]
fn a_repeated_suffix_counts_its_largest_count() {
    // A merged or cached body may hold a suffix twice: a later padding-like `:0`
    // (or a smaller count) must not hide the breach.
    let ours = "1E4C9B93F3F0682250B6CF8331B7EE68FD8";
    let other = "0018A45C4D1DEF81644B54AB7F969B88D65";
    let hash = BreachHash::of("password");
    for body in [
        format!("{ours}:5\r\n{ours}:0\r\n"),
        format!("{ours}:0\r\n{ours}:5\r\n"),
        format!("{ours}:5\r\n{other}:9\r\n{ours}:2"),
        format!("{ours}:3\r\n{ours}:5\r\n{ours}:4"),
    ] {
        assert_eq!(hash.count_in_range(body.as_bytes()), Ok(5), "{body:?}");
    }
}

#[test]
fn absurd_ranges_are_refused_unread() {
    // A body of exactly the limit is read (this one is malformed, and says where).
    let body = vec![b'0'; MAX_RANGE_BYTES];
    assert!(matches!(
        BreachHash::of("password").count_in_range(&body),
        Err(Error::MalformedRange { line: 1, .. })
    ));
    let body = vec![b'0'; MAX_RANGE_BYTES + 1];
    assert_eq!(
        BreachHash::of("password").count_in_range(&body),
        Err(Error::RangeTooLarge {
            size: MAX_RANGE_BYTES + 1,
            limit: MAX_RANGE_BYTES
        })
    );
}

/// A hash file whose lines under the prefix `00000` make a range body of exactly
/// `size` bytes (each body line is a 35-digit suffix, `:`, the count and CRLF), then
/// one line under the next prefix.
fn file_with_a_range_of(size: usize) -> String {
    let shortest = 35 + 1 + 1 + 2;
    let lines = size / shortest;
    let mut extra = size - lines * shortest;
    let mut text = String::new();
    for i in 0..lines {
        // Longer counts take up the remainder, up to 19 more digits a line.
        let more = extra.min(19);
        extra -= more;
        let count = 10u64.pow(u32::try_from(more).expect("small"));
        text.push_str(&format!("00000{i:035X}:{count}\n"));
    }
    assert_eq!(extra, 0, "the remainder fits in longer counts");
    text.push_str(&format!("00001{:035X}:1\n", 0));
    text
}

#[test]
fn a_file_range_of_exactly_the_limit_is_answered_and_a_line_more_refused() {
    let prefix = BreachHash::from_hex(&format!("00000{:035X}", 0))
        .expect("hex")
        .prefix();
    let mut file = HashFile::new(Cursor::new(file_with_a_range_of(MAX_RANGE_BYTES))).expect("seek");
    let body = file.range(prefix).expect("exactly the limit");
    assert_eq!(body.len(), MAX_RANGE_BYTES);
    assert!(body.ends_with(b":1\r\n"));

    let over = MAX_RANGE_BYTES + 39;
    let mut file = HashFile::new(Cursor::new(file_with_a_range_of(over))).expect("seek");
    assert_eq!(
        file.range(prefix),
        Err(Error::RangeTooLarge {
            size: over,
            limit: MAX_RANGE_BYTES
        })
    );
}

#[test]
fn a_short_suffix_and_a_short_hash_are_each_named_for_what_they_are() {
    assert_eq!(
        BreachHash::of("password").count_in_range(b"ABC:1\r\n"),
        Err(Error::MalformedRange {
            line: 1,
            reason: "the suffix is not 35 hex digits"
        })
    );
    let file = HashFile::new(Cursor::new("ABC:1\n")).and_then(|mut f| f.verify());
    assert!(
        matches!(
            file,
            Err(Error::MalformedHashFile {
                offset: 0,
                reason: "the hash is not 40 hex digits"
            })
        ),
        "{file:?}"
    );
}

#[test]
fn malformed_and_unsorted_hash_files_are_typed_errors() {
    let a = "21BD12DC183F740EE76F27B78EB39C8AD972A757:1";
    let b = "5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8:52256179";
    let c = "7C4A8D09CA3762AF61E59520943DC26494F8941B:4509368";
    let password = BreachHash::of("password");
    let count =
        |text: String| HashFile::new(Cursor::new(text)).and_then(|mut f| f.count(&password));

    assert_eq!(
        count(format!("{a}\n{b}\n{c}")),
        Ok(52_256_179),
        "no final newline"
    );
    assert_eq!(count(b.to_owned()), Ok(52_256_179), "one line");
    assert_eq!(count(String::new()), Ok(0), "empty");
    assert!(matches!(
        count(format!("{a}\n{c}\n{b}\n")),
        Err(Error::MalformedHashFile { offset: 92, .. })
    ));
    // An inversion off the search's path is found by `verify`.
    let reversed = format!("{c}\n{b}\n{a}\n");
    assert!(matches!(
        HashFile::new(Cursor::new(reversed)).and_then(|mut f| f.verify()),
        Err(Error::MalformedHashFile { offset: 49, .. })
    ));
    let sorted = std::fs::read(data("hashes-ordered-by-hash.txt")).expect("hash file");
    assert_eq!(
        HashFile::new(Cursor::new(sorted)).and_then(|mut f| f.verify()),
        Ok(5000)
    );
    assert!(
        matches!(
            count(format!("{a}\n{b}\n{b}\n{c}\n")),
            Err(Error::MalformedHashFile { .. })
        ),
        "a duplicate is out of order"
    );
    assert!(matches!(
        count(format!("{a}\nnonsense\n{c}\n")),
        Err(Error::MalformedHashFile { offset: 43, .. })
    ));
    assert!(matches!(
        count(format!("{a}\n{}\n{c}\n", b.to_lowercase())),
        Err(Error::MalformedHashFile { .. })
    ));
    assert!(matches!(
        count("X".repeat(500)),
        Err(Error::MalformedHashFile { .. })
    ));
}

#[test]
fn the_verified_constructor_refuses_a_corrupted_file() {
    let a = "21BD12DC183F740EE76F27B78EB39C8AD972A757:1";
    let b = "5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8:52256179";
    let c = "7C4A8D09CA3762AF61E59520943DC26494F8941B:4509368";
    let d = "ABF7AAD6438836DBE526AA231ABDE2D0EEF74D42:422";
    // Regions the search may never look at: the plain constructor cannot tell.
    for (corrupted, offset) in [
        (format!("{c}\n{b}\n{a}\n"), 49),
        (format!("{a}\n{b}\n{b}\n{c}\n{d}\n"), 93),
        (format!("{a}\n{c}\n{b}\n{d}\n"), 92),
        (format!("{b}\n{a}\n{c}\n{d}\n"), 50),
    ] {
        let refused = HashFile::open_verified(Cursor::new(corrupted.clone()));
        assert!(
            matches!(refused, Err(Error::MalformedHashFile { offset: o, .. }) if o == offset),
            "{corrupted:?}: {refused:?}"
        );
    }
    let file = std::fs::File::open(data("hashes-ordered-by-hash.txt")).expect("open");
    let mut file = HashFile::open_verified(std::io::BufReader::new(file)).expect("sorted");
    assert_eq!(file.count(&BreachHash::of("password")), Ok(52_256_179));
}

#[test]
fn the_policy_refuses_breached_passwords_from_the_threshold() {
    let password = "Y? Cuz I reelee lik mi prYvacee";
    let policy = Policy::portal();
    assert_eq!(policy.breach_threshold(), DEFAULT_BREACH_THRESHOLD);
    assert!(
        policy.check(password, &Context::new("joe")).passed(),
        "no count, no rule"
    );
    assert!(
        policy
            .check(password, &Context::new("joe").breach_count(0))
            .passed()
    );
    let report = policy.check(password, &Context::new("joe").breach_count(1));
    assert_eq!(
        report.violations.iter().map(|v| v.code).collect::<Vec<_>>(),
        [ViolationCode::Breached]
    );
    assert!(
        report.violations[0].message.contains("1 time,"),
        "{}",
        report.violations[0].message
    );

    let policy: Policy = toml::from_str("breach_threshold = 100").expect("valid");
    assert_eq!(policy.breach_threshold(), 100);
    assert!(
        policy
            .check(password, &Context::new("joe").breach_count(99))
            .passed()
    );
    assert!(
        policy
            .check(password, &Context::new("joe").breach_count(100))
            .has(ViolationCode::Breached)
    );
    assert!(toml::from_str::<Policy>("breach_threshold = 0").is_err());
    assert!(matches!(
        Policy::portal().with_breach_threshold(0),
        Err(Error::InvalidPolicy {
            setting: "breach_threshold",
            ..
        })
    ));
    let json = serde_json::to_value(Policy::portal()).expect("serializes");
    assert_eq!(json["breach_threshold"], 1);
    assert_eq!(
        serde_json::to_value(ViolationCode::Breached).expect("serializes"),
        "breached"
    );
}

fn suffix() -> impl Strategy<Value = String> {
    "[0-9A-F]{35}"
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// count(response with our suffix at n) == n, wherever it is and whatever the
    /// line endings; without it, 0.
    #[test]
    fn the_count_is_the_one_written(
        password in any::<String>(),
        others in proptest::collection::btree_map(suffix(), 0u64..100_000, 0..200),
        n in any::<u64>(),
        at in any::<prop::sample::Index>(),
        crlf in any::<bool>(),
        final_ending in any::<bool>(),
    ) {
        let hash = BreachHash::of(&password);
        prop_assert_eq!(format!("{hash:?}"), "BreachHash([redacted])");
        // Our suffix, computed apart from the crate.
        let ours = sha1_hex(&password)[5..].to_owned();
        let mut lines: Vec<String> = others
            .iter()
            .filter(|(s, _)| **s != ours)
            .map(|(s, c)| format!("{s}:{c}"))
            .collect();
        let absent = join(&lines, crlf, final_ending);
        prop_assert_eq!(hash.count_in_range(absent.as_bytes()), Ok(0));
        lines.insert(at.index(lines.len() + 1), format!("{ours}:{n}"));
        let present = join(&lines, crlf, final_ending);
        prop_assert_eq!(hash.count_in_range(present.as_bytes()), Ok(n));
    }

    /// Every hash of a sorted file is found with its count; others give 0.
    #[test]
    fn the_file_search_finds_what_a_map_holds(
        hashes in proptest::collection::btree_map("[0-9A-F]{40}", 1u64..1_000_000, 0..300),
        probes in proptest::collection::vec("[0-9A-F]{40}", 0..20),
        crlf in any::<bool>(),
    ) {
        let lines: Vec<String> = hashes.iter().map(|(h, c)| format!("{h}:{c}")).collect();
        let mut file = HashFile::new(Cursor::new(join(&lines, crlf, true))).expect("seek");
        for (hash, count) in &hashes {
            prop_assert_eq!(file.count(&BreachHash::from_hex(hash).expect("hex")), Ok(*count));
        }
        for probe in &probes {
            let expected = hashes.get(probe).copied().unwrap_or(0);
            prop_assert_eq!(file.count(&BreachHash::from_hex(probe).expect("hex")), Ok(expected));
            // The range answer agrees with the direct search.
            let hash = BreachHash::from_hex(probe).expect("hex");
            let range = file.range(hash.prefix()).expect("range");
            prop_assert_eq!(hash.count_in_range(&range), Ok(expected));
            let under: BTreeMap<_, _> = hashes.iter().filter(|(h, _)| h[..5] == probe[..5]).collect();
            prop_assert_eq!(range.iter().filter(|&&b| b == b'\n').count(), under.len());
        }
    }

    /// Whatever the bytes, a typed answer and never a panic.
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let hash = BreachHash::of("password");
        let _ = hash.count_in_range(&bytes);
        let mut file = HashFile::new(Cursor::new(bytes)).expect("seek");
        let _ = file.count(&hash);
        let _ = file.range(hash.prefix());
    }
}

fn join(lines: &[String], crlf: bool, final_ending: bool) -> String {
    let ending = if crlf { "\r\n" } else { "\n" };
    let mut text = lines.join(ending);
    if final_ending && !lines.is_empty() {
        text.push_str(ending);
    }
    text
}

/// SHA-1 in upper-case hex through the `sha1` crate's own API, not the crate's.
fn sha1_hex(password: &str) -> String {
    use sha1::Digest;
    sha1::Sha1::digest(password.as_bytes())
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect()
}
