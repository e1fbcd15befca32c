//! Breached-password checks by k-anonymity: Have I Been Pwned's Pwned Passwords
//! range API, and its downloadable file of hashes for offline deployments.
//!
//! Sans-IO like the rest of the crate: [`BreachHash::prefix`] says which range to ask
//! for, the service fetches it, and [`BreachHash::count_in_range`] reads the answer.
//! The password, and all of its hash but the first 5 hex digits, never leave the
//! process. [`HashFile`] searches a local copy through any `Read + Seek` the caller
//! opened (this crate opens no file).
//!
//! The format is the one documented at <https://haveibeenpwned.com/API/v3#PwnedPasswords>:
//! `GET https://api.pwnedpasswords.com/range/{5 hex digits}` answers one
//! `SUFFIX:COUNT` line per known hash with that prefix (35 upper-case hex digits, a
//! colon, a decimal count), lines ending in CRLF. With the request header
//! `Add-Padding: true` it adds random suffixes with a count of 0, so that the size of
//! the answer says nothing about the prefix; they count as absent.

use std::io::{Read, Seek, SeekFrom};

use sha1::{Digest, Sha1};
use subtle::{ConditionallySelectable, ConstantTimeEq, ConstantTimeGreater};
use zeroize::Zeroize;

use crate::{Error, Result};

/// Where to send the range request: append [`RangePrefix::as_str`].
///
/// ```
/// assert!(countersign_password::RANGE_URL.starts_with("https://"));
/// ```
pub const RANGE_URL: &str = "https://api.pwnedpasswords.com/range/";

/// The largest range response [`BreachHash::count_in_range`] reads, in bytes. A real
/// one has about 800 to 2,000 lines of about 40 bytes (under 100 KB); 1 MiB leaves
/// room for growth and refuses a runaway or hostile body before any work.
///
/// ```
/// use countersign_password::{BreachHash, Error, MAX_RANGE_BYTES};
///
/// let huge = vec![b'0'; MAX_RANGE_BYTES + 1];
/// let refused = BreachHash::of("password").count_in_range(&huge);
/// assert!(matches!(refused, Err(Error::RangeTooLarge { .. })));
/// ```
pub const MAX_RANGE_BYTES: usize = 1 << 20;

/// The longest count this crate reads: `u64::MAX` has 20 digits.
const MAX_COUNT_DIGITS: usize = 20;

/// Hex digits in the prefix sent to the service.
const PREFIX_LEN: usize = 5;
/// Hex digits in the suffix the service returns.
const SUFFIX_LEN: usize = 35;
/// Hex digits of a whole SHA-1.
const HASH_LEN: usize = PREFIX_LEN + SUFFIX_LEN;

/// The SHA-1 of a password, in upper-case hex, as the Pwned Passwords corpus holds it.
///
/// [`BreachHash::of`] hashes the UTF-8 bytes it is given, byte for byte, as the corpus
/// holds what the breached services stored. For a new password, hash the form the
/// policy normalizes to (NFC by default) with [`BreachHash::of_normalized`]: one
/// lookup per password, whatever its spelling; the facade does.
///
/// An unsalted SHA-1 of a password is as good as the password to an offline attacker,
/// so this is treated as a secret: `Debug` prints `[redacted]`, it is zeroized on drop.
///
/// ```
/// use countersign_password::BreachHash;
///
/// let hash = BreachHash::of("password");
/// assert_eq!(hash.prefix().as_str(), "5BAA6");
/// assert_eq!(format!("{hash:?}"), "BreachHash([redacted])");
///
/// // What the service answered for GET https://api.pwnedpasswords.com/range/5BAA6:
/// let response = "1E4C9B93F3F0682250B6CF8331B7EE68FD8:52256179\r\n\
///                 1E4C9B93F3F0682250B6CF8331B7EE68FD9:0\r\n";
/// assert_eq!(hash.count_in_range(response.as_bytes())?, 52_256_179);
/// # Ok::<(), countersign_password::Error>(())
/// ```
#[derive(Clone)]
pub struct BreachHash([u8; HASH_LEN]);

impl BreachHash {
    /// The SHA-1 of `password`'s UTF-8 bytes, byte for byte (not normalized).
    #[must_use]
    pub fn of(password: &str) -> Self {
        let mut digest: [u8; 20] = Sha1::digest(password.as_bytes()).into();
        let mut hex = [0u8; HASH_LEN];
        for (pair, byte) in hex.chunks_exact_mut(2).zip(digest.iter()) {
            pair[0] = HEX_UPPER[usize::from(byte >> 4)];
            pair[1] = HEX_UPPER[usize::from(byte & 0x0f)];
        }
        digest.zeroize();
        Self(hex)
    }

    /// The one hash to look up for a new password: of the form `normalization` makes
    /// of it (NFC by default), which is the form the policy counts, hashes with
    /// Argon2id and compares at login.
    ///
    /// Exactly one lookup per password, whatever its spelling: a second request for a
    /// password not already normalized would tell a network observer (by the number
    /// of requests and their timing) that it was typed decomposed, and would hand the
    /// service two prefixes of one password (about 40 bits of dictionary filter
    /// instead of 20). Canonically equivalent spellings (a precomposed "é", or "e"
    /// plus a combining acute) are one password to the portal, so they get one answer.
    /// The corpus holds passwords as typed, and keyboards and operating systems
    /// produce NFC for nearly every script, so the NFC form is also the spelling most
    /// likely to be in it; a decomposed spelling in the corpus is missed, the price of
    /// the single request.
    ///
    /// ```
    /// use countersign_password::{BreachHash, Normalization};
    ///
    /// // "é" typed as e + combining acute (NFD, as some systems produce it):
    /// let decomposed = BreachHash::of_normalized("cafe\u{301} au lait", Normalization::Nfc);
    /// let composed = BreachHash::of("caf\u{e9} au lait");
    /// assert_eq!(decomposed.prefix(), composed.prefix());
    /// ```
    #[must_use]
    pub fn of_normalized(password: &str, normalization: crate::Normalization) -> Self {
        Self::of(&normalization.apply(password))
    }

    /// A hash given as 40 hex digits (either case), for instance from a deployment's
    /// own list.
    ///
    /// ```
    /// use countersign_password::BreachHash;
    ///
    /// let hash = BreachHash::from_hex("5baa61e4c9b93f3f0682250b6cf8331b7ee68fd8")?;
    /// assert_eq!(hash.prefix().as_str(), "5BAA6");
    /// assert!(BreachHash::from_hex("5BAA6").is_err());
    /// # Ok::<(), countersign_password::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::MalformedBreachHash`] unless `hex` is exactly 40 hex digits.
    pub fn from_hex(hex: &str) -> Result<Self> {
        let bytes = hex.as_bytes();
        if bytes.len() != HASH_LEN || !bytes.iter().all(u8::is_ascii_hexdigit) {
            return Err(Error::MalformedBreachHash);
        }
        let mut out = [0u8; HASH_LEN];
        for (o, b) in out.iter_mut().zip(bytes) {
            *o = b.to_ascii_uppercase();
        }
        Ok(Self(out))
    }

    /// The first 5 hex digits: all that is sent to the service.
    ///
    /// ```
    /// use countersign_password::BreachHash;
    ///
    /// assert_eq!(BreachHash::of("123456").prefix().as_str(), "7C4A8");
    /// ```
    #[must_use]
    pub fn prefix(&self) -> RangePrefix {
        let mut prefix = [0u8; PREFIX_LEN];
        prefix.copy_from_slice(&self.0[..PREFIX_LEN]);
        RangePrefix(prefix)
    }

    /// The remaining 35 hex digits, looked for in the response.
    fn suffix(&self) -> &[u8] {
        &self.0[PREFIX_LEN..]
    }

    /// How many times the corpus has seen this hash, from the body of the range
    /// response for [`BreachHash::prefix`]: its count, or 0 when the suffix is absent
    /// or only a padding entry. A suffix listed more than once counts its largest
    /// count, wherever the lines are.
    ///
    /// Lines are `SUFFIX:COUNT` (35 upper-case hex digits, a colon, 1 to 20 decimal
    /// digits) separated by CRLF or LF; the last line's ending is optional (the
    /// service sends none). An empty body is a valid answer of 0 (what
    /// [`HashFile::range`] gives for a prefix the file lacks); a body of only a line
    /// ending, `"\n"` or `"\r\n"` alike, is an empty line and refused, like any
    /// empty line. Timing depends on the response, never on the suffix:
    /// every line is read and compared in constant time (`subtle`), with no early exit
    /// on a match.
    ///
    /// ```
    /// use countersign_password::{BreachHash, Error};
    ///
    /// let hash = BreachHash::of("password");
    /// assert_eq!(hash.count_in_range(b"0018A45C4D1DEF81644B54AB7F969B88D65:1\n")?, 0);
    ///
    /// let refused = hash.count_in_range(b"0018A45C4D1DEF81644B54AB7F969B88D65:1\nnonsense\n");
    /// assert!(matches!(refused, Err(Error::MalformedRange { line: 2, .. })));
    /// # Ok::<(), countersign_password::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::RangeTooLarge`] for a body over [`MAX_RANGE_BYTES`];
    /// [`Error::MalformedRange`] with the 1-based line number for a line that is not
    /// `SUFFIX:COUNT` (lower-case hex, a wrong length, a count past `u64::MAX`, an
    /// empty line, a body of only a line ending).
    pub fn count_in_range(&self, response: &[u8]) -> Result<u64> {
        if response.len() > MAX_RANGE_BYTES {
            return Err(Error::RangeTooLarge {
                size: response.len(),
                limit: MAX_RANGE_BYTES,
            });
        }
        let suffix = self.suffix();
        let mut count = 0u64;
        for (index, line) in lines(response).enumerate() {
            let (line_suffix, line_count) =
                parse_line(line, SUFFIX_LEN).map_err(|reason| Error::MalformedRange {
                    line: index + 1,
                    reason,
                })?;
            // Constant time in the suffix: every line compared, the count selected
            // without a branch. A suffix listed twice (a merged or cached body) keeps
            // its largest count, so a later `:0` cannot hide a breach.
            let matched = line_suffix.ct_eq(suffix);
            let larger = line_count.ct_gt(&count);
            count = u64::conditional_select(&count, &line_count, matched & larger);
        }
        Ok(count)
    }
}

impl core::fmt::Debug for BreachHash {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("BreachHash([redacted])")
    }
}

impl Drop for BreachHash {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

/// The 5 upper-case hex digits of a range request: `GET {RANGE_URL}{prefix}`.
///
/// ```
/// use countersign_password::{BreachHash, RANGE_URL};
///
/// let prefix = BreachHash::of("password").prefix();
/// assert_eq!(prefix.url(), "https://api.pwnedpasswords.com/range/5BAA6");
/// assert_eq!(format!("{RANGE_URL}{prefix}"), prefix.url());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RangePrefix([u8; PREFIX_LEN]);

impl RangePrefix {
    /// The prefix as text.
    ///
    /// ```
    /// use countersign_password::BreachHash;
    ///
    /// assert_eq!(BreachHash::of("password").prefix().as_str(), "5BAA6");
    /// ```
    #[must_use]
    pub fn as_str(&self) -> &str {
        // Only ever built from upper-case ASCII hex digits.
        core::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// The whole request URL, `https://api.pwnedpasswords.com/range/{prefix}`. Send
    /// it with the header `Add-Padding: true`.
    #[must_use]
    pub fn url(&self) -> String {
        format!("{RANGE_URL}{}", self.as_str())
    }
}

impl core::fmt::Display for RangePrefix {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

/// The lines of `text`, each without its LF or CRLF; no empty item after a final
/// line ending. Only an empty `text` has no lines: a `text` of just a line ending
/// (`"\n"` or `"\r\n"` alike) is one empty line, which the parser refuses.
fn lines(text: &[u8]) -> impl Iterator<Item = &[u8]> {
    let empty = text.is_empty();
    let text = text.strip_suffix(b"\n").unwrap_or(text);
    text.split(|&b| b == b'\n')
        .filter(move |_| !empty)
        .map(|line| line.strip_suffix(b"\r").unwrap_or(line))
}

/// `HEX:COUNT` with `hex_len` upper-case hex digits; the hex part and the count.
fn parse_line(line: &[u8], hex_len: usize) -> core::result::Result<(&[u8], u64), &'static str> {
    if line.is_empty() {
        return Err("empty line");
    }
    let Some(colon) = line.iter().position(|&b| b == b':') else {
        return Err("no colon between hash and count");
    };
    let (hex, count) = (&line[..colon], &line[colon + 1..]);
    if hex.len() != hex_len {
        return Err(if hex_len == SUFFIX_LEN {
            "the suffix is not 35 hex digits"
        } else {
            "the hash is not 40 hex digits"
        });
    }
    if !hex.iter().all(|b| matches!(b, b'0'..=b'9' | b'A'..=b'F')) {
        return Err("the hash has a character other than 0-9 and A-F");
    }
    Ok((hex, parse_count(count)?))
}

fn parse_count(digits: &[u8]) -> core::result::Result<u64, &'static str> {
    if digits.is_empty() {
        return Err("the count is empty");
    }
    if digits.len() > MAX_COUNT_DIGITS || !digits.iter().all(u8::is_ascii_digit) {
        return Err("the count is not a decimal number");
    }
    digits.iter().try_fold(0u64, |n, &d| {
        n.checked_mul(10)
            .and_then(|n| n.checked_add(u64::from(d - b'0')))
            .ok_or("the count is larger than 18446744073709551615")
    })
}

/// The longest line of a hash file this crate accepts: 40 hex digits, a colon, 20
/// digits and CRLF.
const MAX_FILE_LINE: usize = HASH_LEN + 1 + MAX_COUNT_DIGITS + 2;

/// What a lookup reads from the byte before its offset: the rest of the line holding
/// that byte (at most a whole line, when it is where the line starts), then the next
/// whole line.
const LOOKUP_WINDOW: usize = 2 * MAX_FILE_LINE;

/// The reason for a line past [`MAX_FILE_LINE`], its number written from the
/// constant at compile time, so the message cannot drift from the limit.
const LONG_LINE: &str = {
    const HEAD: &[u8] = b"a line longer than ";
    const TAIL: &[u8] = b" bytes";
    const DIGITS: usize = decimal_digits(MAX_FILE_LINE);
    const LEN: usize = HEAD.len() + DIGITS + TAIL.len();
    const BYTES: [u8; LEN] = {
        let mut out = [0u8; LEN];
        let mut i = 0;
        while i < HEAD.len() {
            out[i] = HEAD[i];
            i += 1;
        }
        let mut n = MAX_FILE_LINE;
        let mut d = DIGITS;
        while d > 0 {
            d -= 1;
            // `n % 10` is below 10: the cast cannot truncate.
            #[allow(clippy::cast_possible_truncation)]
            let digit = (n % 10) as u8;
            out[HEAD.len() + d] = b'0' + digit;
            n /= 10;
        }
        let mut j = 0;
        while j < TAIL.len() {
            out[HEAD.len() + DIGITS + j] = TAIL[j];
            j += 1;
        }
        out
    };
    match core::str::from_utf8(&BYTES) {
        Ok(text) => text,
        Err(_) => panic!("the message is ASCII"),
    }
};

const fn decimal_digits(mut n: usize) -> usize {
    let mut digits = 1;
    while n >= 10 {
        n /= 10;
        digits += 1;
    }
    digits
}

/// A local copy of the Pwned Passwords hashes, searched without loading it: a binary
/// search over byte offsets, reading a few lines per step (about 30 for the full
/// corpus of about a billion lines).
///
/// The format is that of HIBP's `pwned-passwords-sha1-ordered-by-hash` download (and
/// of the `haveibeenpwned-downloader` tool's output): one `HASH:COUNT` line per hash,
/// 40 upper-case hex digits, sorted ascending, lines ending in CRLF or LF.
///
/// The search trusts the file's order and reads only about 2 log₂(lines) lines, so
/// a file must be verified once before it is searched: open it with
/// [`HashFile::open_verified`]. [`HashFile::new`] skips the check, for a file verified
/// already; on an unsorted or duplicated region it can silently answer 0.
///
/// This crate opens no file: the caller hands over anything `Read + Seek` (a
/// `std::fs::File`, wrapped in a `BufReader` or not, or an in-memory `Cursor`).
/// Unlike [`BreachHash::count_in_range`], the search's timing depends on the whole
/// hash, which is harmless for a file on the same host; [`HashFile::range`] answers
/// as the service would, for code that should treat both alike.
///
/// ```
/// use std::io::Cursor;
/// use countersign_password::{BreachHash, HashFile};
///
/// let file = "21BD12DC183F740EE76F27B78EB39C8AD972A757:1\r\n\
///             5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8:52256179\r\n\
///             7C4A8D09CA3762AF61E59520943DC26494F8941B:4509368\r\n";
/// let mut file = HashFile::open_verified(Cursor::new(file))?;
/// assert_eq!(file.count(&BreachHash::of("password"))?, 52_256_179);
/// assert_eq!(file.count(&BreachHash::of("correct horse battery staple"))?, 0);
/// # Ok::<(), countersign_password::Error>(())
/// ```
#[derive(Debug)]
pub struct HashFile<R> {
    reader: R,
    len: u64,
}

/// A parsed line of a hash file: where it starts and ends (after its line ending).
#[derive(Clone, Copy)]
struct FileLine {
    start: u64,
    end: u64,
    hash: [u8; HASH_LEN],
    count: u64,
}

impl<R: Read + Seek> HashFile<R> {
    /// Verify `reader` once, front to back ([`HashFile::verify`]), then search it: the
    /// constructor to use in a deployment,
    /// `HashFile::open_verified(BufReader::new(File::open(path)?))` at start-up (about
    /// a minute for the full 40 GB corpus).
    ///
    /// ```
    /// use std::io::Cursor;
    /// use countersign_password::{BreachHash, Error, HashFile};
    ///
    /// let sorted = "21BD12DC183F740EE76F27B78EB39C8AD972A757:1\r\n\
    ///               5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8:52256179\r\n";
    /// let mut file = HashFile::open_verified(Cursor::new(sorted))?;
    /// assert_eq!(file.count(&BreachHash::of("password"))?, 52_256_179);
    ///
    /// let unsorted = "5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8:52256179\r\n\
    ///                 21BD12DC183F740EE76F27B78EB39C8AD972A757:1\r\n";
    /// let refused = HashFile::open_verified(Cursor::new(unsorted));
    /// assert!(matches!(refused, Err(Error::MalformedHashFile { offset: 51, .. })));
    /// # Ok::<(), countersign_password::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`HashFile::verify`]: [`Error::HashFileRead`] when seeking or reading
    /// fails; [`Error::MalformedHashFile`] with the byte offset of the first line
    /// that is not `HASH:COUNT` or is not after the line before it.
    pub fn open_verified(reader: R) -> Result<Self> {
        let mut file = Self::new(reader)?;
        file.verify()?;
        Ok(file)
    }

    /// Search `reader`, a file in the `HASH:COUNT` format, sorted, **without
    /// checking it**: cheap (one seek), for a file already verified, such as one
    /// reopened after [`HashFile::open_verified`] or [`HashFile::verify`] accepted
    /// it. The search trusts the order: on an unsorted or duplicated region it does
    /// not look at, it can answer 0 for a hash the file holds, silently. Prefer
    /// [`HashFile::open_verified`] unless the file was verified since it was last
    /// written.
    ///
    /// ```
    /// use std::io::Cursor;
    /// use countersign_password::HashFile;
    ///
    /// let file = HashFile::new(Cursor::new(b"5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8:1\n"))?;
    /// assert_eq!(file.into_inner().into_inner().len(), 43);
    /// # Ok::<(), countersign_password::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::HashFileRead`] when seeking to its end fails.
    pub fn new(mut reader: R) -> Result<Self> {
        let len = reader.seek(SeekFrom::End(0)).map_err(read_error)?;
        Ok(Self { reader, len })
    }

    /// Give back the reader (see [`HashFile::new`]).
    pub fn into_inner(self) -> R {
        self.reader
    }

    /// Read the whole file once, front to back, and check every line and the order;
    /// the number of lines. A search reads only about 2 log₂(lines) of them, so it
    /// sees a malformed or unsorted region only where it looks: run this once after
    /// downloading or copying the file (about a minute for the full 40 GB corpus).
    ///
    /// ```
    /// use std::io::Cursor;
    /// use countersign_password::{Error, HashFile};
    ///
    /// let sorted = "21BD12DC183F740EE76F27B78EB39C8AD972A757:1\n\
    ///               5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8:52256179\n";
    /// assert_eq!(HashFile::new(Cursor::new(sorted))?.verify()?, 2);
    ///
    /// let unsorted = "5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8:52256179\n\
    ///                 21BD12DC183F740EE76F27B78EB39C8AD972A757:1\n";
    /// let refused = HashFile::new(Cursor::new(unsorted))?.verify();
    /// assert!(matches!(refused, Err(Error::MalformedHashFile { offset: 50, .. })));
    /// # Ok::<(), countersign_password::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::HashFileRead`] when reading fails; [`Error::MalformedHashFile`] with
    /// the byte offset of the first line that is not `HASH:COUNT` or is not after the
    /// line before it.
    pub fn verify(&mut self) -> Result<u64> {
        let mut lines = 0u64;
        let mut next = self.line_at_or_after(0)?;
        let mut previous: Option<FileLine> = None;
        while let Some(line) = next {
            if let Some(before) = &previous {
                ordered(before, &line)?;
            }
            lines += 1;
            next = self.line_at_or_after(line.end)?;
            previous = Some(line);
        }
        Ok(lines)
    }

    /// How many times `hash` is in the file, or 0.
    ///
    /// ```
    /// use std::io::Cursor;
    /// use countersign_password::{BreachHash, HashFile};
    ///
    /// let mut file = HashFile::new(Cursor::new("5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8:7\r\n"))?;
    /// assert_eq!(file.count(&BreachHash::of("password"))?, 7);
    /// assert_eq!(file.count(&BreachHash::of("Password"))?, 0);
    /// # Ok::<(), countersign_password::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::HashFileRead`] when reading fails; [`Error::MalformedHashFile`] with
    /// the byte offset of a line that is not `HASH:COUNT`, or of two lines out of
    /// order, where the search looked (see [`HashFile::verify`] for the whole file).
    ///
    /// That offset depends on the whole hash searched for: in a sorted file it
    /// roughly locates the hash, so it says about as much as the hash's leading
    /// digits, more than the 5 a range request reveals. Treat an error of `count` as
    /// sensitive (do not log its offset where the range prefix alone would be
    /// logged). The facade's checkers use [`HashFile::range`], whose offsets depend on
    /// the prefix alone.
    pub fn count(&mut self, hash: &BreachHash) -> Result<u64> {
        let found = self.first_at_least(&hash.0)?;
        Ok(found
            .filter(|line| line.hash == hash.0)
            .map_or(0, |line| line.count))
    }

    /// Every hash of the file with `prefix`, in the range API's format (`SUFFIX:COUNT`
    /// lines ending in CRLF), to hand to [`BreachHash::count_in_range`]. A prefix the
    /// file lacks gives an empty body.
    ///
    /// ```
    /// use std::io::Cursor;
    /// use countersign_password::{BreachHash, HashFile};
    ///
    /// let file = "5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8:52256179\n\
    ///             5BAA6A0000000000000000000000000000000000:3\n\
    ///             7C4A8D09CA3762AF61E59520943DC26494F8941B:4509368\n";
    /// let mut file = HashFile::new(Cursor::new(file))?;
    /// let hash = BreachHash::of("password");
    /// let range = file.range(hash.prefix())?;
    /// assert_eq!(range, b"1E4C9B93F3F0682250B6CF8331B7EE68FD8:52256179\r\n\
    ///                     A0000000000000000000000000000000000:3\r\n");
    /// assert_eq!(hash.count_in_range(&range)?, 52_256_179);
    /// # Ok::<(), countersign_password::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`HashFile::count`] (but the offsets depend on the prefix alone, never on
    /// the rest of a hash); and [`Error::RangeTooLarge`] when the prefix's lines would
    /// make a body over [`MAX_RANGE_BYTES`].
    pub fn range(&mut self, prefix: RangePrefix) -> Result<Vec<u8>> {
        let mut lowest = [b'0'; HASH_LEN];
        lowest[..PREFIX_LEN].copy_from_slice(&prefix.0);
        let mut body = Vec::new();
        let mut next = self.first_at_least(&lowest)?;
        while let Some(line) = next {
            if line.hash[..PREFIX_LEN] != prefix.0 {
                break;
            }
            body.extend_from_slice(&line.hash[PREFIX_LEN..]);
            body.push(b':');
            body.extend_from_slice(line.count.to_string().as_bytes());
            body.extend_from_slice(b"\r\n");
            if body.len() > MAX_RANGE_BYTES {
                return Err(Error::RangeTooLarge {
                    size: body.len(),
                    limit: MAX_RANGE_BYTES,
                });
            }
            next = self.line_at_or_after(line.end)?;
            if let Some(after) = next {
                ordered(&line, &after)?;
            }
        }
        Ok(body)
    }

    /// The first line whose hash is at least `target`, by binary search over byte
    /// offsets: `line_at_or_after(p)` is `None` or at least `target` from some `p` on.
    fn first_at_least(&mut self, target: &[u8; HASH_LEN]) -> Result<Option<FileLine>> {
        let (mut lo, mut hi) = (0u64, self.len);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self.line_at_or_after(mid)? {
                Some(line) if line.hash < *target => lo = line.end,
                Some(line) => {
                    // A cheap spot check of the one neighbour at each step: it catches
                    // an inversion only where the search lands, never an unsorted or
                    // duplicated region elsewhere (which can give a wrong 0); only
                    // `verify` (`open_verified`) makes the order a guarantee.
                    if let Some(after) = self.line_at_or_after(line.end)? {
                        ordered(&line, &after)?;
                    }
                    hi = mid;
                }
                None => hi = mid,
            }
        }
        self.line_at_or_after(lo)
    }

    /// The first whole line starting at or after `offset`, or `None` past the last.
    fn line_at_or_after(&mut self, offset: u64) -> Result<Option<FileLine>> {
        if offset >= self.len {
            return Ok(None);
        }
        // From one byte before, so that a line starting exactly at `offset` is found.
        let from = offset.saturating_sub(1);
        self.reader
            .seek(SeekFrom::Start(from))
            .map_err(read_error)?;
        let mut buffer = [0u8; LOOKUP_WINDOW];
        let filled = read_up_to(&mut self.reader, &mut buffer)?;
        let window = &buffer[..filled];
        let skip = if offset == 0 {
            0
        } else {
            match window.iter().position(|&b| b == b'\n') {
                Some(newline) if newline < MAX_FILE_LINE => newline + 1,
                None if filled < buffer.len() => return Ok(None),
                // The line holding `from` is longer than any this crate accepts.
                _ => return Err(malformed(from, LONG_LINE)),
            }
        };
        let rest = &window[skip..];
        if rest.is_empty() {
            return Ok(None);
        }
        let start = from + to_u64(skip);
        let (line, ending) = match rest.iter().position(|&b| b == b'\n') {
            Some(newline) => (&rest[..newline], newline + 1),
            // The last line may lack its ending, if it reaches the end of the file.
            None if start + to_u64(rest.len()) == self.len => (rest, rest.len()),
            None => return Err(malformed(start, LONG_LINE)),
        };
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let (hex, count) = parse_line(line, HASH_LEN).map_err(|reason| malformed(start, reason))?;
        let mut hash = [0u8; HASH_LEN];
        hash.copy_from_slice(hex);
        Ok(Some(FileLine {
            start,
            end: start + to_u64(ending),
            hash,
            count,
        }))
    }
}

/// Two consecutive lines in strictly ascending order, or the typed error.
fn ordered(line: &FileLine, after: &FileLine) -> Result<()> {
    if line.hash < after.hash {
        Ok(())
    } else {
        Err(malformed(
            after.start,
            "out of order: the file must be sorted by hash",
        ))
    }
}

/// Fills `buffer` as far as the reader goes.
fn read_up_to(reader: &mut impl Read, buffer: &mut [u8]) -> Result<usize> {
    let mut filled = 0;
    while filled < buffer.len() {
        match reader.read(&mut buffer[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(read_error(e)),
        }
    }
    Ok(filled)
}

fn to_u64(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

#[allow(clippy::needless_pass_by_value)] // the shape `map_err` wants
fn read_error(error: std::io::Error) -> Error {
    Error::HashFileRead {
        kind: error.kind(),
        message: error.to_string(),
    }
}

fn malformed(offset: u64, reason: &'static str) -> Error {
    Error::MalformedHashFile { offset, reason }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha1_of_password_is_the_known_one() {
        let hash = BreachHash::of("password");
        assert_eq!(&hash.0, b"5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8");
    }

    #[test]
    fn the_long_line_message_names_the_real_limit() {
        assert_eq!(MAX_FILE_LINE, 63);
        let long = format!("{}\n", "0".repeat(200));
        let error = HashFile::new(std::io::Cursor::new(long))
            .and_then(|mut file| file.count(&BreachHash::of("password")))
            .unwrap_err();
        assert!(
            matches!(error, Error::MalformedHashFile { reason, .. }
                if reason == format!("a line longer than {MAX_FILE_LINE} bytes")),
            "{error:?}"
        );
        let mut file = HashFile::new(std::io::Cursor::new("0".repeat(200))).unwrap();
        let Err(error) = file.line_at_or_after(5) else {
            panic!("a window without a newline is an error");
        };
        assert!(
            error.to_string().contains("longer than 63 bytes"),
            "{error}"
        );
    }

    #[test]
    fn decimal_digits_counts_the_digits_written() {
        for (n, digits) in [
            (0, 1),
            (9, 1),
            (10, 2),
            (63, 2),
            (99, 2),
            (100, 3),
            (12_345, 5),
            (usize::MAX, usize::MAX.to_string().len()),
        ] {
            assert_eq!(decimal_digits(n), digits, "{n}");
        }
    }

    /// A hash file of `n` lines of the longest form: 20-digit counts and CRLF.
    fn longest_lines(n: usize) -> String {
        (0..n)
            .map(|i| format!("{i:040X}:{:020}\r\n", u64::MAX - i as u64))
            .collect()
    }

    #[test]
    fn every_offset_of_a_file_of_longest_lines_finds_the_next_line() {
        let text = longest_lines(4);
        let line_len = MAX_FILE_LINE as u64;
        assert_eq!(text.len() as u64, 4 * line_len);
        let mut file = HashFile::new(std::io::Cursor::new(text.clone())).unwrap();
        for offset in 0..=text.len() as u64 {
            // The first line starting at or after `offset`.
            let start = offset.div_ceil(line_len) * line_len;
            let found = file.line_at_or_after(offset).unwrap();
            if start >= text.len() as u64 {
                assert!(found.is_none(), "{offset}");
                continue;
            }
            let line = found.unwrap_or_else(|| panic!("{offset}: a line"));
            assert_eq!(
                (line.start, line.end),
                (start, start + line_len),
                "{offset}"
            );
            let index = usize::try_from(start / line_len).unwrap();
            assert_eq!(line.count, u64::MAX - index as u64, "{offset}");
        }
    }

    #[test]
    fn an_unended_line_before_the_end_of_the_file_is_too_long() {
        // A whole line, then 200 digits with no ending and more after them: the
        // window holds no end for the second line, and it is not the file's last.
        let text = format!(
            "{}{}\n{}",
            longest_lines(1),
            "0".repeat(200),
            longest_lines(1)
        );
        let mut file = HashFile::new(std::io::Cursor::new(text)).unwrap();
        assert_eq!(
            file.line_at_or_after(1).map(|_| ()),
            Err(malformed(MAX_FILE_LINE as u64, LONG_LINE))
        );
    }

    #[test]
    fn a_lookup_from_the_start_of_a_line_too_long_names_that_line() {
        // A count of 21 digits: one byte past the longest line. From its first byte
        // the lookup cannot skip it within the window, and says so at that line, not
        // at the well-formed line after it.
        let long = format!("{:040X}:{:021}\r\n", 0, 1);
        assert_eq!(long.len(), MAX_FILE_LINE + 1);
        let text = format!("{long}{}", longest_lines(2));
        let mut file = HashFile::new(std::io::Cursor::new(text)).unwrap();
        assert_eq!(
            file.line_at_or_after(1).map(|_| ()),
            Err(malformed(0, LONG_LINE))
        );
        // From further in, what is left of it is skipped and the next line found; the
        // long line itself is refused where it is read, by its count of 21 digits.
        let next = to_u64(long.len());
        for offset in [2, 10, next] {
            let line = file.line_at_or_after(offset).unwrap().unwrap();
            assert_eq!(
                (line.start, line.end),
                (next, next + MAX_FILE_LINE as u64),
                "{offset}"
            );
        }
        assert_eq!(
            file.line_at_or_after(0).map(|_| ()),
            Err(malformed(0, "the count is not a decimal number"))
        );
    }

    /// A reader that fails its first read with `kind`, then reads `inner`.
    struct FailsOnce<R> {
        inner: R,
        failure: Option<std::io::ErrorKind>,
    }

    impl<R: Read> Read for FailsOnce<R> {
        fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
            match self.failure.take() {
                Some(kind) => Err(std::io::Error::new(kind, "the test's failure")),
                None => self.inner.read(buffer),
            }
        }
    }

    #[test]
    fn an_interrupted_read_is_retried_and_any_other_failure_returned() {
        let text = longest_lines(3);
        let read = |failure| {
            let mut buffer = [0u8; LOOKUP_WINDOW];
            let mut reader = FailsOnce {
                inner: text.as_bytes(),
                failure: Some(failure),
            };
            read_up_to(&mut reader, &mut buffer).map(|filled| buffer[..filled].to_vec())
        };
        assert_eq!(
            read(std::io::ErrorKind::Interrupted),
            Ok(text.as_bytes()[..LOOKUP_WINDOW].to_vec())
        );
        assert_eq!(
            read(std::io::ErrorKind::PermissionDenied),
            Err(Error::HashFileRead {
                kind: std::io::ErrorKind::PermissionDenied,
                message: "the test's failure".into(),
            })
        );
    }

    #[test]
    fn a_body_of_only_a_line_ending_is_an_empty_line_either_way() {
        let hash = BreachHash::of("password");
        assert_eq!(hash.count_in_range(b""), Ok(0), "an empty body");
        for body in [&b"\n"[..], b"\r\n"] {
            assert!(
                matches!(
                    hash.count_in_range(body),
                    Err(Error::MalformedRange {
                        line: 1,
                        reason: "empty line"
                    })
                ),
                "{body:?}"
            );
        }
    }

    #[test]
    fn lines_split_on_lf_and_crlf() {
        let all: Vec<&[u8]> = lines(b"a\r\nb\nc").collect();
        assert_eq!(all, [&b"a"[..], b"b", b"c"]);
        assert_eq!(lines(b"").count(), 0);
        assert_eq!(lines(b"a\n").count(), 1);
        assert_eq!(lines(b"a\n\n").count(), 2, "an empty line is a line");
    }
}
