//! Social Security numbers and ITINs.
//!
//! SSA rules (SSA Program Operations Manual RM 10201.035; since 2011 numbers are
//! randomized, so only these exclusions remain): area not 000, 666 or 900-999;
//! group not 00; serial not 0000. IRS ITINs are 9XX-XX-XXXX with a middle group of
//! 50-65, 70-88, 90-92 or 94-99 (IRS, "ITIN number ranges").

use crate::date::digits_value;
use crate::normalize::Normalized;

/// What a nine-digit run is.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum NineDigits {
    Ssn,
    Itin,
    Neither,
}

/// Classify nine ASCII digits.
pub(crate) fn classify(d: &[u8]) -> NineDigits {
    if d.len() != 9 {
        return NineDigits::Neither;
    }
    let (Some(area), Some(group), Some(serial)) = (
        digits_value(&d[..3]),
        digits_value(&d[3..5]),
        digits_value(&d[5..]),
    ) else {
        return NineDigits::Neither;
    };
    if area >= 900 {
        let itin = matches!(group, 50..=65 | 70..=88 | 90..=92 | 94..=99);
        return if itin {
            NineDigits::Itin
        } else {
            NineDigits::Neither
        };
    }
    if area == 0 || area == 666 || group == 0 || serial == 0 {
        return NineDigits::Neither;
    }
    NineDigits::Ssn
}

/// Findings: (an SSN shape, an ITIN shape).
pub(crate) fn find(n: &Normalized) -> (bool, bool) {
    let (mut ssn, mut itin) = (false, false);
    for (i, &g) in n.groups.iter().enumerate() {
        let d = n.group_digits(g);
        match classify(d) {
            NineDigits::Ssn => ssn = true,
            NineDigits::Itin => itin = true,
            NineDigits::Neither => {}
        }
        // 3-2-4 with the same separator (space, hyphen, dot) twice: refused on shape alone.
        if let (Some(b), Some(c)) = (n.groups.get(i + 1), n.groups.get(i + 2)) {
            let shape = d.len() == 3 && b.end - b.start == 2 && c.end - c.start == 4;
            let same = match (n.single_join(i), n.single_join(i + 1)) {
                (Some(x), Some(y)) => x == y && matches!(x, ' ' | '-' | '.'),
                _ => false,
            };
            if shape && same {
                let mut nine = Vec::with_capacity(9);
                for g in [g, *b, *c] {
                    nine.extend_from_slice(n.group_digits(g));
                }
                if classify(&nine) == NineDigits::Itin {
                    itin = true;
                } else {
                    ssn = true;
                }
            }
        }
    }
    (ssn, itin)
}
