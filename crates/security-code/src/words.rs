//! Words that make a code guessable: "password", "security code" and friends.
//! Read through common digit-for-letter swaps (`p4ssw0rd`).

/// Refused wherever they appear.
const ALWAYS: &[&str] = &[
    "password",
    "passwd",
    "passcode",
    "passphrase",
    "securitycode",
    "secretcode",
    "pincode",
    "letmein",
    "changeme",
    "iloveyou",
    "trustnoi",
    "verificationcode",
];

/// Refused when the code is little more than the word (fewer than five other
/// letters and digits): `security1`, `welcome123`, `admin2024`.
const ALONE: &[&str] = &[
    "security",
    "secret",
    "code",
    "admin",
    "welcome",
    "login",
    "access",
    "verify",
    "verification",
    "support",
    "master",
    "default",
    "guest",
    "test",
    "pass",
    "monkey",
    "dragon",
    "sunshine",
    "princess",
    "football",
    "baseball",
    "shadow",
    "superman",
    "hello",
    "mycode",
    "countersign",
];

/// Fewer other letters and digits than this, and an `ALONE` word refuses the code.
const ALONE_REST: usize = 5;

/// Letters and digits, with common substitutions read back as letters.
fn deleet(text: &[char]) -> String {
    text.iter()
        .map(|&c| match c {
            '0' => 'o',
            '1' | '!' => 'i',
            '3' => 'e',
            '4' | '@' => 'a',
            '5' | '$' => 's',
            '7' => 't',
            _ => c,
        })
        .filter(|c| c.is_alphanumeric())
        .collect()
}

/// Word indices by first byte: `ALWAYS` first, then `ALONE`. Each position of a
/// view is compared only with the words that start with its byte.
const BUCKETS: [[u8; 12]; 128] = {
    let mut table = [[u8::MAX; 12]; 128];
    let mut fill = [0usize; 128];
    let mut i = 0;
    while i < ALWAYS.len() + ALONE.len() {
        let w = if i < ALWAYS.len() {
            ALWAYS[i]
        } else {
            ALONE[i - ALWAYS.len()]
        };
        let first = w.as_bytes()[0] as usize;
        // At most 255 words (asserted below), so the index fits a byte.
        #[allow(clippy::cast_possible_truncation)]
        let index = i as u8;
        table[first][fill[first]] = index;
        fill[first] += 1;
        i += 1;
    }
    table
};

const _: () = assert!(ALWAYS.len() + ALONE.len() < u8::MAX as usize);

fn word(i: u8) -> (&'static str, bool) {
    let i = usize::from(i);
    match ALWAYS.get(i) {
        Some(w) => (w, true),
        None => (
            ALONE.get(i - ALWAYS.len()).copied().unwrap_or_default(),
            false,
        ),
    }
}

fn gives_away(view: &str) -> bool {
    let b = view.as_bytes();
    let mut alone = false;
    for i in 0..b.len() {
        let Some(bucket) = BUCKETS.get(usize::from(b[i])) else {
            continue;
        };
        for &w in bucket.iter().take_while(|&&w| w != u8::MAX) {
            let (w, always) = word(w);
            if b[i..].starts_with(w.as_bytes()) {
                if always {
                    return true;
                }
                alone = true;
            }
        }
    }
    if !alone {
        return false;
    }
    // Rare path: what is left once the words are taken out?
    let mut rest = view.to_owned();
    for w in ALONE {
        rest = rest.replace(w, "");
    }
    rest.chars().count() < ALONE_REST
}

/// True when the code is or contains a word that gives it away. `compact` is the
/// letters-and-digits view, `text` the normalized text.
pub(crate) fn is_common(compact: &str, text: &[char]) -> bool {
    gives_away(compact) || gives_away(&deleet(text))
}
