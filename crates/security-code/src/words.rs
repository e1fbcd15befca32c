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

/// Letters and digits, with common substitutions read back as letters.
fn deleet(text: &[char]) -> Vec<char> {
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

fn find(hay: &[char], word: &str) -> Option<usize> {
    let w: Vec<char> = word.chars().collect();
    hay.windows(w.len()).position(|win| win == w.as_slice())
}

/// True when the code is or contains a word that gives it away.
pub(crate) fn is_common(text: &[char]) -> bool {
    let plain: Vec<char> = text
        .iter()
        .copied()
        .filter(|c| c.is_alphanumeric())
        .collect();
    let leet = deleet(text);
    for view in [&plain, &leet] {
        if ALWAYS.iter().any(|w| find(view, w).is_some()) {
            return true;
        }
        let mut rest: Vec<char> = view.clone();
        let mut hit = false;
        for w in ALONE.iter().copied() {
            while let Some(at) = find(&rest, w) {
                rest.drain(at..at + w.chars().count());
                hit = true;
            }
        }
        if hit && rest.len() < 5 {
            return true;
        }
    }
    false
}
