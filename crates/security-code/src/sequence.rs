//! Codes too easy to guess: one repeated character, too few distinct characters,
//! straight and keyboard sequences. NIST SP 800-63B §5.1.1.2 asks verifiers to
//! refuse "repetitive or sequential characters (e.g. 'aaaaaa', '1234abcd')".

/// Orders a sequence can run along, forwards or backwards.
const ROWS: &[&str] = &[
    "0123456789",
    "1234567890",
    "abcdefghijklmnopqrstuvwxyz",
    "qwertyuiop",
    "asdfghjkl",
    "zxcvbnm",
];

/// Runs of at least this many characters count towards "made only of sequences".
const SHORT_RUN: usize = 3;

/// The code's letters and digits are all one character.
pub(crate) fn is_one_repeated(chars: &[char]) -> bool {
    chars
        .first()
        .is_some_and(|&f| chars.iter().all(|&c| c == f))
}

/// Number of distinct characters.
pub(crate) fn distinct(chars: &[char]) -> usize {
    let mut seen: Vec<char> = Vec::with_capacity(chars.len());
    for &c in chars {
        if !seen.contains(&c) {
            seen.push(c);
        }
    }
    seen.len()
}

fn position(row: &str, c: char) -> Option<usize> {
    if c.is_ascii() {
        row.bytes().position(|b| b == c as u8)
    } else {
        None
    }
}

/// The longest sequence run, and whether every character lies in a run of three or more.
pub(crate) fn runs(chars: &[char]) -> (usize, bool) {
    let mut covered = vec![false; chars.len()];
    let mut longest = usize::from(!chars.is_empty());
    for row in ROWS {
        for step in [1isize, -1] {
            let mut start = 0;
            for i in 1..=chars.len() {
                let continues = i < chars.len()
                    && match (position(row, chars[i - 1]), position(row, chars[i])) {
                        (Some(a), Some(b)) => a.checked_add_signed(step) == Some(b),
                        _ => false,
                    };
                if !continues {
                    let len = i - start;
                    longest = longest.max(len);
                    if len >= SHORT_RUN {
                        covered[start..i].iter_mut().for_each(|c| *c = true);
                    }
                    start = i;
                }
            }
        }
    }
    (longest, !chars.is_empty() && covered.iter().all(|&c| c))
}
