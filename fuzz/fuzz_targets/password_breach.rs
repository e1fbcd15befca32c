#![no_main]
//! The breach-check parsers never panic, whatever the bytes: the range-response
//! parser (`BreachHash::count_in_range`) and the sorted-file search (`HashFile`). Where
//! they accept the input, they agree with a naive reading of it: the range count is
//! the largest of the lines with our suffix, and on a file that `verify` accepts, the
//! binary search finds what a front-to-back scan finds.

use std::io::Cursor;

use countersign_password::{BreachHash, HashFile};
use libfuzzer_sys::fuzz_target;

/// The hash looked for: the first 40 bytes when they are hex, else the SHA-1 of "password".
fn target(data: &[u8]) -> (BreachHash, String) {
    let head = data.get(..40).and_then(|h| std::str::from_utf8(h).ok());
    match head.map(BreachHash::from_hex) {
        Some(Ok(hash)) => (hash, head.unwrap_or_default().to_ascii_uppercase()),
        _ => (
            BreachHash::of("password"),
            "5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8".to_owned(),
        ),
    }
}

fn naive(text: &str, key: &str, key_len: usize) -> u64 {
    let mut found = 0;
    for line in text.lines() {
        if let Some((hex, count)) = line.split_once(':')
            && hex.len() == key_len
            && key.ends_with(hex)
        {
            found = found.max(count.parse().unwrap_or(0));
        }
    }
    found
}

fuzz_target!(|data: &[u8]| {
    let (hash, hex) = target(data);
    let body = data.get(40..).unwrap_or_default();

    if let Ok(count) = hash.count_in_range(body) {
        let text = std::str::from_utf8(body).expect("an accepted range is ASCII");
        assert_eq!(count, naive(text, &hex, 35));
    }

    let Ok(mut file) = HashFile::new(Cursor::new(body)) else {
        return;
    };
    let found = file.count(&hash);
    let range = file.range(hash.prefix());
    let verified = file.verify().is_ok();
    assert_eq!(HashFile::open_verified(Cursor::new(body)).is_ok(), verified);
    if verified {
        let text = std::str::from_utf8(body).expect("a verified file is ASCII");
        let expected = naive(text, &hex, 40);
        assert_eq!(found, Ok(expected));
        let range = range.expect("a verified file gives its ranges");
        assert_eq!(hash.count_in_range(&range), Ok(expected));
    }
});
