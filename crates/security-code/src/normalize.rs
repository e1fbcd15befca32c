//! Normalization: NFKC, trimmed, lower case; then the views the rules read.
//!
//! NFKC folds look-alikes a code could hide personal data behind (full-width
//! digits `１９８５`, ligatures), as NIST SP 800-63B §5.1.1.2 asks for secrets.

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};
use zeroize::Zeroize;

/// Characters that join the digit groups of one number (`1985-04-12`, `(555) 234-5678`).
pub(crate) fn is_separator(c: char) -> bool {
    matches!(c, ' ' | '-' | '.' | '/' | '(' | ')' | '+' | ',' | '_')
}

/// NFKC of the trimmed text, trimmed again (NFKC can expose spaces).
pub(crate) fn nfkc_trimmed(code: &str) -> String {
    // ASCII text is already in NFKC (UAX #15): skip the normalizer, the hot path.
    if code.is_ascii() {
        return code.trim().to_owned();
    }
    // Most other text is too; the quick check (UAX #15 §9) is cheaper than normalizing.
    if is_nfkc_quick(code.trim().chars()) == IsNormalized::Yes {
        return code.trim().to_owned();
    }
    let mut nfkc: String = code.trim().nfkc().collect();
    let trimmed = nfkc.trim();
    if trimmed.len() != nfkc.len() {
        let t = trimmed.to_owned();
        nfkc.zeroize();
        t
    } else {
        nfkc
    }
}

/// Unicode dashes NFKC leaves alone, read as a hyphen.
fn unify_dash(c: char) -> char {
    match c {
        '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE58}' | '\u{FE63}' | '\u{FF0D}' => '-',
        _ => c,
    }
}

/// A maximal run of ASCII digits in the normalized text.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Group {
    /// Char index of the first digit.
    pub(crate) start: usize,
    /// Char index one past the last digit.
    pub(crate) end: usize,
}

/// The code as the rules see it.
pub(crate) struct Normalized {
    /// Code points after NFKC and trimming: what the length rule counts.
    pub(crate) length: usize,
    /// NFKC, trimmed, lower case, dashes unified.
    pub(crate) text: Vec<char>,
    /// The same text as ASCII-digit bytes where a char is a digit, else 0: digit runs slice it.
    pub(crate) digits: Vec<u8>,
    /// Letters and digits only: the view profile data is matched against.
    pub(crate) compact: String,
    /// Every maximal digit run, in order.
    pub(crate) groups: Vec<Group>,
    /// For each group after the first: the separator text between it and the
    /// previous group when that text is 1-2 separator characters, else `None`
    /// (the groups belong to different numbers).
    pub(crate) joins: Vec<Option<(char, usize)>>,
}

impl Normalized {
    pub(crate) fn new(code: &str) -> Self {
        let mut nfkc = nfkc_trimmed(code);
        let length = nfkc.chars().count();
        let mut text = Vec::with_capacity(length);
        for c in nfkc.chars().flat_map(char::to_lowercase) {
            text.push(unify_dash(c));
        }
        nfkc.zeroize();
        let digits: Vec<u8> = text
            .iter()
            .map(|&c| if c.is_ascii_digit() { c as u8 } else { 0 })
            .collect();
        let compact: String = text.iter().filter(|c| c.is_alphanumeric()).collect();
        let mut groups = Vec::new();
        let mut i = 0;
        while i < text.len() {
            if digits[i] != 0 {
                let start = i;
                while i < text.len() && digits[i] != 0 {
                    i += 1;
                }
                groups.push(Group { start, end: i });
            } else {
                i += 1;
            }
        }
        let joins = groups
            .windows(2)
            .map(|w| {
                let between = &text[w[0].end..w[1].start];
                if between.len() <= 2 && between.iter().all(|&c| is_separator(c)) {
                    between.first().map(|&c| (c, between.len()))
                } else {
                    None
                }
            })
            .collect();
        Self {
            length,
            text,
            digits,
            compact,
            groups,
            joins,
        }
    }

    /// The ASCII digits of group `g`.
    pub(crate) fn group_digits(&self, g: Group) -> &[u8] {
        &self.digits[g.start..g.end]
    }

    /// The single separator char joining group `i` to group `i + 1`, if exactly one.
    pub(crate) fn single_join(&self, i: usize) -> Option<char> {
        match self.joins.get(i) {
            Some(Some((c, 1))) => Some(*c),
            _ => None,
        }
    }
}

impl Drop for Normalized {
    fn drop(&mut self) {
        self.text.zeroize();
        self.digits.zeroize();
        self.compact.zeroize();
    }
}

/// Lower-case letters and digits of NFKC `s`: how profile data is compared
/// ("case-insensitively, ignoring separators").
pub(crate) fn compact(s: &str) -> String {
    s.nfkc()
        .flat_map(char::to_lowercase)
        .filter(|c| c.is_alphanumeric())
        .collect()
}
