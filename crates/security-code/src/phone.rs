//! North American Numbering Plan phone numbers.
//!
//! NANP (ATIS-0300076): NPA (area code) and NXX (exchange) both start with 2-9.

use crate::normalize::Normalized;

/// Digit-group lengths of the usual written shapes: `2025550143`, `202-555-0143`,
/// `(202) 555-0143`, `202 5550143`, `+1 202 555 0143`, `1-202-555-0143`, `12025550143`.
const SHAPES: &[&[usize]] = &[
    &[10],
    &[3, 3, 4],
    &[3, 7],
    &[1, 3, 3, 4],
    &[1, 10],
    &[11],
    &[1, 3, 7],
];

/// True when ten digits are a NANP number.
pub(crate) fn is_nanp(ten: &[u8]) -> bool {
    ten.len() == 10 && (b'2'..=b'9').contains(&ten[0]) && (b'2'..=b'9').contains(&ten[3])
}

/// True when the code contains a NANP number in a usual shape.
pub(crate) fn find(n: &Normalized) -> bool {
    for start in 0..n.groups.len() {
        'shape: for shape in SHAPES {
            let mut digits = Vec::with_capacity(11);
            for (k, &len) in shape.iter().enumerate() {
                let i = start + k;
                let Some(&g) = n.groups.get(i) else {
                    continue 'shape;
                };
                if g.end - g.start != len || (k > 0 && n.joins[i - 1].is_none()) {
                    continue 'shape;
                }
                digits.extend_from_slice(n.group_digits(g));
            }
            let ten = match digits.len() {
                10 => &digits[..],
                11 if digits[0] == b'1' => &digits[1..],
                _ => continue,
            };
            if is_nanp(ten) {
                return true;
            }
        }
    }
    false
}
