//! One backup code: its alphabet, how it is drawn, shown, and read back from what people type.

use core::fmt;

use rand::CryptoRng;
use subtle::{Choice, ConstantTimeEq};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::error::{CharacterKind, Error, Result};

/// Letters and digits in a code.
///
/// ```
/// use countersign_totp::backup::CODE_LEN;
///
/// assert_eq!(CODE_LEN, 10);
/// ```
pub const CODE_LEN: usize = 10;

/// Characters in each of the two displayed groups (`xxxxx-xxxxx`).
const GROUP_LEN: usize = 5;

/// The longest input `redeem` looks at, in bytes. A code typed with a space or hyphen
/// between every character, or pasted with surrounding blanks, stays far below this;
/// anything longer is refused before normalization or hashing.
///
/// ```
/// # fn main() -> countersign_totp::Result<()> {
/// use countersign_totp::backup::{BackupSettings, KdfParams};
/// use countersign_totp::BackupCodes;
///
/// let cheap = BackupSettings { count: 3, params: KdfParams::new(8, 1, 1)? }; // for the example only
/// let (mut store, _codes) = BackupCodes::generate_with(&cheap, &mut rand::rng(), 0)?;
/// let long = "a".repeat(countersign_totp::backup::MAX_INPUT_LEN + 1);
/// assert!(matches!(store.redeem(&long, 0), Err(countersign_totp::Error::BackupCodeTooLong { .. })));
/// # Ok(()) }
/// ```
pub const MAX_INPUT_LEN: usize = 64;

/// The alphabet: lower-case letters and digits without look-alikes. `0`, `o`, `1`, `i`
/// and `l` are left out so nothing a person copies by hand is ambiguous; the alphabet
/// being single-case makes codes case-insensitive. 31 symbols: log2(31) ≈ 4.95 bits each,
/// ≈ 49.5 bits per code.
///
/// ```
/// use countersign_totp::backup::ALPHABET;
///
/// assert!(!ALPHABET.contains(&b'0') && !ALPHABET.contains(&b'l'));
/// assert_eq!(ALPHABET.len(), 31);
/// ```
pub const ALPHABET: &[u8; 31] = b"23456789abcdefghjkmnpqrstuvwxyz";

/// Random bytes at or above this are redrawn, so `byte % 31` is uniform (248 = 8·31).
///
/// Not `rand::distr::Uniform`: it is as uniform, but `Uniform::sample` retries without
/// bound (Lemire's method in rand 0.10 rejects `x·31 mod 2^32 < 4`), so a generator stuck
/// at zero would hang `generate` where this sampler draws a fixed 32 bytes per code and
/// reports [`Error::BackupRandomnessFailed`](crate::Error::BackupRandomnessFailed). Nor is
/// `Uniform` shorter here: the rejection is one comparison in the loop below.
const UNBIASED_BELOW: u8 = 248;

/// Random bytes drawn per attempt at a code: ten are needed, each byte is rejected with
/// probability 8/256, so falling short of ten in 32 bytes means a broken generator.
const BYTES_PER_DRAW: usize = 32;

/// One plain backup code, for display once. A secret: `Debug` prints `[redacted]`, the
/// memory is zeroized on drop, and equality is constant-time.
///
/// ```
/// # fn main() -> countersign_totp::Result<()> {
/// let (_store, codes) = countersign_totp::BackupCodes::generate(1_700_000_000)?;
/// let code = codes.iter().next().unwrap();
/// assert_eq!(format!("{code:?}"), "BackupCode([redacted])");
/// assert_eq!(code.expose().len(), 11); // "xxxxx-xxxxx"
/// # Ok(()) }
/// ```
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct BackupCode {
    /// The grouped form, `xxxxx-xxxxx`; always ASCII from [`ALPHABET`] and one hyphen.
    grouped: String,
}

impl BackupCode {
    /// The code as shown to the person: two groups of five, `xxxxx-xxxxx`.
    ///
    /// This is the one way to read a code; print it once, to the person it belongs to.
    ///
    /// ```
    /// # fn main() -> countersign_totp::Result<()> {
    /// use countersign_totp::backup::{BackupSettings, KdfParams};
    /// use countersign_totp::BackupCodes;
    ///
    /// let cheap = BackupSettings { count: 3, params: KdfParams::new(8, 1, 1)? }; // for the example only
    /// let (_store, codes) = BackupCodes::generate_with(&cheap, &mut rand::rng(), 0)?;
    /// let code = codes.iter().next().unwrap().expose();
    /// assert_eq!((code.len(), &code[5..6]), (11, "-"));
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.grouped
    }

    /// Builds the grouped form from ten alphabet bytes.
    fn from_symbols(symbols: &[u8; CODE_LEN]) -> Self {
        let mut grouped = String::with_capacity(CODE_LEN + 1);
        for (index, &symbol) in symbols.iter().enumerate() {
            if index == GROUP_LEN {
                grouped.push('-');
            }
            grouped.push(char::from(symbol));
        }
        Self { grouped }
    }

    /// Draws a fresh code from `rng`; `None` if `rng` did not give enough usable bytes.
    pub(crate) fn draw<R: CryptoRng + ?Sized>(
        rng: &mut R,
    ) -> Option<(Self, Zeroizing<[u8; CODE_LEN]>)> {
        let mut random = Zeroizing::new([0u8; BYTES_PER_DRAW]);
        rng.fill_bytes(random.as_mut());
        let mut symbols = Zeroizing::new([0u8; CODE_LEN]);
        let mut filled = 0;
        for &byte in random.iter().filter(|&&byte| byte < UNBIASED_BELOW) {
            if filled == CODE_LEN {
                break;
            }
            symbols[filled] = ALPHABET[usize::from(byte) % ALPHABET.len()];
            filled += 1;
        }
        (filled == CODE_LEN).then(|| (Self::from_symbols(&symbols), symbols))
    }
}

impl fmt::Debug for BackupCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BackupCode([redacted])")
    }
}

impl ConstantTimeEq for BackupCode {
    fn ct_eq(&self, other: &Self) -> Choice {
        self.grouped.as_bytes().ct_eq(other.grouped.as_bytes())
    }
}

impl PartialEq for BackupCode {
    fn eq(&self, other: &Self) -> bool {
        self.ct_eq(other).into()
    }
}

impl Eq for BackupCode {}

/// A freshly generated set of plain codes, returned once for display and never stored.
///
/// A secret like each [`BackupCode`] in it: `Debug` prints only how many there are, and
/// every code is zeroized when the set is dropped.
///
/// ```
/// # fn main() -> countersign_totp::Result<()> {
/// let (_store, codes) = countersign_totp::BackupCodes::generate(1_700_000_000)?;
/// assert_eq!(codes.len(), 10);
/// assert_eq!(format!("{codes:?}"), "PlainCodes { len: 10, codes: [redacted] }");
/// for code in &codes {
///     println!("{}", code.expose());
/// }
/// # Ok(()) }
/// ```
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct PlainCodes {
    codes: Vec<BackupCode>,
}

impl PlainCodes {
    pub(crate) fn new(codes: Vec<BackupCode>) -> Self {
        Self { codes }
    }

    /// The number of codes.
    ///
    /// ```
    /// # fn main() -> countersign_totp::Result<()> {
    /// use countersign_totp::backup::{BackupSettings, KdfParams};
    /// use countersign_totp::BackupCodes;
    ///
    /// let cheap = BackupSettings { count: 3, params: KdfParams::new(8, 1, 1)? }; // for the example only
    /// let (_store, codes) = BackupCodes::generate_with(&cheap, &mut rand::rng(), 0)?;
    /// assert_eq!(codes.len(), 3);
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn len(&self) -> usize {
        self.codes.len()
    }

    /// Whether there are none (never true for a generated set).
    ///
    /// ```
    /// # fn main() -> countersign_totp::Result<()> {
    /// use countersign_totp::backup::{BackupSettings, KdfParams};
    /// use countersign_totp::BackupCodes;
    ///
    /// let cheap = BackupSettings { count: 3, params: KdfParams::new(8, 1, 1)? }; // for the example only
    /// let (_store, codes) = BackupCodes::generate_with(&cheap, &mut rand::rng(), 0)?;
    /// assert!(!codes.is_empty());
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }

    /// The codes, in the order of the stored set.
    ///
    /// ```
    /// # fn main() -> countersign_totp::Result<()> {
    /// use countersign_totp::backup::{BackupSettings, KdfParams};
    /// use countersign_totp::BackupCodes;
    ///
    /// let cheap = BackupSettings { count: 3, params: KdfParams::new(8, 1, 1)? }; // for the example only
    /// let (_store, codes) = BackupCodes::generate_with(&cheap, &mut rand::rng(), 0)?;
    /// assert_eq!(codes.iter().count(), 3);
    /// # Ok(()) }
    /// ```
    pub fn iter(&self) -> core::slice::Iter<'_, BackupCode> {
        self.codes.iter()
    }
}

impl<'a> IntoIterator for &'a PlainCodes {
    type Item = &'a BackupCode;
    type IntoIter = core::slice::Iter<'a, BackupCode>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl fmt::Debug for PlainCodes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PlainCodes")
            .field("len", &self.codes.len())
            .field("codes", &format_args!("[redacted]"))
            .finish()
    }
}

/// Whether `c` is something people put between characters of a code: whitespace, an
/// ASCII hyphen, or a Unicode dash or minus sign (word processors turn `-` into those).
fn is_separator(c: char) -> bool {
    c.is_whitespace() || matches!(c, '-' | '\u{2010}'..='\u{2015}' | '\u{2212}')
}

/// Reads what a person typed into the ten symbols of a code: drops separators, folds
/// case, and refuses what cannot be a code. Costs no hashing, so a refused input costs no
/// key derivation; nothing here depends on the secret codes, so it leaks nothing.
///
/// # Errors
///
/// In this order: [`Error::BackupCodeTooLong`] (checked first, on the raw byte length),
/// [`Error::BackupCodeInvalidCharacter`], [`Error::BackupCodeEmpty`],
/// [`Error::BackupCodeWrongLength`].
pub(crate) fn normalize(input: &str) -> Result<Zeroizing<[u8; CODE_LEN]>> {
    if input.len() > MAX_INPUT_LEN {
        return Err(Error::BackupCodeTooLong {
            len: input.len(),
            max: MAX_INPUT_LEN,
        });
    }
    let mut symbols = Zeroizing::new([0u8; CODE_LEN]);
    let mut len = 0;
    for (index, character) in input.chars().enumerate() {
        if is_separator(character) {
            continue;
        }
        let folded = character.to_ascii_lowercase();
        let symbol = u8::try_from(folded)
            .ok()
            .filter(|symbol| ALPHABET.contains(symbol))
            .ok_or(Error::BackupCodeInvalidCharacter {
                kind: CharacterKind::of(character),
                position: index + 1,
            })?;
        if let Some(slot) = symbols.get_mut(len) {
            *slot = symbol;
        }
        len += 1;
    }
    match len {
        0 => Err(Error::BackupCodeEmpty),
        CODE_LEN => Ok(symbols),
        _ => Err(Error::BackupCodeWrongLength {
            len,
            expected: CODE_LEN,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alphabet_has_no_look_alikes_and_no_repeats() {
        for banned in b"0oO1iIlL" {
            assert!(!ALPHABET.contains(banned), "{}", char::from(*banned));
        }
        let mut sorted = ALPHABET.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), ALPHABET.len());
        assert_eq!(usize::from(UNBIASED_BELOW), 8 * ALPHABET.len());
    }

    #[test]
    fn normalization_folds_case_and_drops_separators() {
        let expected = *b"abcdefghjk";
        for input in [
            "abcde-fghjk",
            "ABCDE-fghjk",
            "ABCDEFGHJK",
            " abcde fghjk\n",
            "ab cd ef gh jk",
            "a-b-c-d-e-f-g-h-j-k",
            "abcde\u{2013}fghjk",
            "\tabcde -- fghjk\r\n",
        ] {
            assert_eq!(*normalize(input).unwrap(), expected, "{input:?}");
        }
    }

    #[test]
    fn normalization_refuses_what_cannot_be_a_code() {
        assert_eq!(normalize(""), Err(Error::BackupCodeEmpty));
        assert_eq!(normalize(" - \n"), Err(Error::BackupCodeEmpty));
        assert_eq!(
            normalize("abcde-fghj0"),
            Err(Error::BackupCodeInvalidCharacter {
                kind: CharacterKind::Digit,
                position: 11
            })
        );
        assert_eq!(
            normalize("Ébcde-fghjk"),
            Err(Error::BackupCodeInvalidCharacter {
                kind: CharacterKind::NonAscii,
                position: 1
            })
        );
        assert_eq!(
            normalize("abcde-fghj"),
            Err(Error::BackupCodeWrongLength {
                len: 9,
                expected: 10
            })
        );
        assert_eq!(
            normalize("abcde-fghjkm"),
            Err(Error::BackupCodeWrongLength {
                len: 11,
                expected: 10
            })
        );
        let huge = "a".repeat(4 << 20);
        assert_eq!(
            normalize(&huge),
            Err(Error::BackupCodeTooLong {
                len: 4 << 20,
                max: MAX_INPUT_LEN
            })
        );
    }

    /// A generator that gives the bytes it was made with, then zeros: not a CSPRNG.
    struct Scripted(&'static [u8]);

    impl rand::TryRng for Scripted {
        type Error = core::convert::Infallible;
        fn try_next_u32(&mut self) -> core::result::Result<u32, Self::Error> {
            Ok(0)
        }
        fn try_next_u64(&mut self) -> core::result::Result<u64, Self::Error> {
            Ok(0)
        }
        fn try_fill_bytes(&mut self, dst: &mut [u8]) -> core::result::Result<(), Self::Error> {
            dst.fill(0);
            let len = dst.len().min(self.0.len());
            dst[..len].copy_from_slice(&self.0[..len]);
            Ok(())
        }
    }

    impl rand::TryCryptoRng for Scripted {}

    #[test]
    fn a_drawn_byte_below_248_is_its_symbol_mod_31_and_the_rest_are_skipped() {
        // 248 = 8 * 31 is the first byte that would make the low symbols more likely.
        let bytes: &[u8] = &[248, 0, 30, 31, 255, 62, 247, 249, 100, 5, 217, 1];
        let (code, symbols) = BackupCode::draw(&mut Scripted(bytes)).expect("enough bytes");
        // 0 -> '2', 30 -> 'z', 31 -> '2', 62 -> '2', 247 -> 247 % 31 = 30 -> 'z',
        // 100 % 31 = 7 -> '9', 5 -> '7', 217 % 31 = 0 -> '2', 1 -> '3', then the zeros.
        assert_eq!(&*symbols, b"2z22z97232");
        assert_eq!(code.expose(), "2z22z-97232");
    }

    #[test]
    fn an_input_of_max_input_len_bytes_is_read_and_one_byte_more_is_not() {
        // Ten symbols, then spaces to the limit: separators count toward it.
        let longest = format!("{:<width$}", "2z22z-97232", width = MAX_INPUT_LEN);
        assert_eq!(longest.len(), MAX_INPUT_LEN);
        assert_eq!(normalize(&longest).map(|s| *s), Ok(*b"2z22z97232"));
        let longer = format!("{longest} ");
        assert_eq!(
            normalize(&longer).map(|s| *s),
            Err(Error::BackupCodeTooLong {
                len: MAX_INPUT_LEN + 1,
                max: MAX_INPUT_LEN
            })
        );
    }

    #[test]
    fn plain_codes_say_when_they_are_empty_and_iterate_by_reference() {
        let none = PlainCodes::new(Vec::new());
        assert!(none.is_empty());
        let two = PlainCodes::new(vec![
            BackupCode::from_symbols(b"abcdefghjk"),
            BackupCode::from_symbols(b"2z22z97232"),
        ]);
        assert!(!two.is_empty());
        let mut seen = Vec::new();
        for code in &two {
            seen.push(code.expose().to_owned());
        }
        assert_eq!(seen, ["abcde-fghjk", "2z22z-97232"]);
    }

    #[test]
    fn grouped_form_is_two_groups_of_five() {
        let code = BackupCode::from_symbols(b"abcdefghjk");
        assert_eq!(code.expose(), "abcde-fghjk");
        assert_eq!(format!("{code:?}"), "BackupCode([redacted])");
    }
}
