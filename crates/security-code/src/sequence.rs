//! Codes too easy to guess: one repeated character, too few distinct characters,
//! straight and keyboard sequences. NIST SP 800-63B §5.1.1.2 asks verifiers to
//! refuse "repetitive or sequential characters (e.g. 'aaaaaa', '1234abcd')".

/// Orders a sequence can run along, forwards or backwards.
const ROWS: [&[u8]; 6] = [
    b"0123456789",
    b"1234567890",
    b"abcdefghijklmnopqrstuvwxyz",
    b"qwertyuiop",
    b"asdfghjkl",
    b"zxcvbnm",
];

/// `NEXT[r][c]`: the character after ASCII `c` along row `r`, or 0.
const NEXT: [[u8; 128]; 6] = {
    let mut table = [[0u8; 128]; 6];
    let mut r = 0;
    while r < ROWS.len() {
        let row = ROWS[r];
        let mut i = 0;
        while i + 1 < row.len() {
            table[r][row[i] as usize] = row[i + 1];
            i += 1;
        }
        r += 1;
    }
    table
};

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

/// Does `b` follow `a` along row `r`, forwards (`up`) or backwards?
fn follows(r: usize, up: bool, a: char, b: char) -> bool {
    let (Ok(a), Ok(b)) = (u8::try_from(a), u8::try_from(b)) else {
        return false;
    };
    let (from, to) = if up { (a, b) } else { (b, a) };
    from < 128 && to != 0 && NEXT[r][usize::from(from)] == to
}

/// The longest sequence run, and whether every character lies in a run of three or more.
pub(crate) fn runs(chars: &[char]) -> (usize, bool) {
    let mut covered = vec![false; chars.len()];
    // An empty code has no run; any other has one of at least 1, found below.
    let mut longest = 0;
    for r in 0..ROWS.len() {
        for up in [true, false] {
            let mut start = 0;
            for i in 1..=chars.len() {
                if i < chars.len() && follows(r, up, chars[i - 1], chars[i]) {
                    continue;
                }
                let len = i - start;
                longest = longest.max(len);
                if len >= SHORT_RUN {
                    covered[start..i].iter_mut().for_each(|c| *c = true);
                }
                start = i;
            }
        }
    }
    (longest, !chars.is_empty() && covered.iter().all(|&c| c))
}
