//! Warnings for text shaped like an email or street address: personal data the
//! rules cannot confirm without the profile.

use crate::normalize::Normalized;

/// Street-type words (USPS Publication 28, Appendix C1, common forms).
const STREET_TYPES: &[&str] = &[
    "street",
    "st",
    "avenue",
    "ave",
    "av",
    "road",
    "rd",
    "boulevard",
    "blvd",
    "lane",
    "ln",
    "drive",
    "dr",
    "court",
    "ct",
    "place",
    "pl",
    "terrace",
    "ter",
    "way",
    "highway",
    "hwy",
    "parkway",
    "pkwy",
    "circle",
    "cir",
    "square",
    "sq",
    "trail",
    "trl",
    "alley",
    "aly",
];

/// `local@domain.tld` with a top-level domain of two letters or more.
pub(crate) fn is_email_shaped(n: &Normalized) -> bool {
    let t = &n.text;
    t.iter().enumerate().any(|(at, &c)| {
        if c != '@' || at == 0 || !t[at - 1].is_alphanumeric() {
            return false;
        }
        let domain: Vec<char> = t[at + 1..]
            .iter()
            .copied()
            .take_while(|&c| c.is_alphanumeric() || c == '-' || c == '.')
            .collect();
        let Some(dot) = domain.iter().rposition(|&c| c == '.') else {
            return false;
        };
        dot > 0
            && domain[..dot].iter().any(|c| c.is_alphanumeric())
            && domain[dot + 1..]
                .iter()
                .take_while(|c| c.is_alphabetic())
                .count()
                >= 2
    })
}

/// A house number followed within three words by a street type: `42 Oak St`, `221b Baker Street`.
pub(crate) fn is_street_shaped(n: &Normalized) -> bool {
    for g in &n.groups {
        if g.end - g.start > 5 {
            continue;
        }
        let mut words = 0;
        let mut i = g.end;
        // No bound on `i` here: at the end of the text no word starts and
        // `n.text.get(i)` is `None`, which ends the loop.
        while words < 4 {
            let start = i;
            while i < n.text.len() && n.text[i].is_alphabetic() {
                i += 1;
            }
            if i > start {
                let word: String = n.text[start..i].iter().collect();
                // A street type after at least one name word (`42 Oak St`, `42nd St`).
                if words > 0 && STREET_TYPES.contains(&word.as_str()) {
                    return true;
                }
                words += 1;
            }
            match n.text.get(i) {
                Some(' ' | '-' | '.' | ',' | '_') => i += 1,
                _ => break,
            }
        }
    }
    false
}
