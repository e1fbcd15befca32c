//! Unicode normalization and the case-insensitive folding used for comparisons.
//!
//! NIST SP 800-63B rev 4 §3.1.1.2: when Unicode is accepted, the password is normalized
//! (the Normalization Process for Stabilized Strings, NFC by default) before it is
//! counted or hashed, so that the same password typed on two keyboards (a precomposed
//! "é" or "e" plus a combining acute) is the same password.
//!
//! Comparisons against the context (username, email, client ID) and the blocklist are
//! stricter than equality of the normalized form: both sides are *folded*, NFKC then
//! lower case per code point, so "ＪＯＥ" (full-width) matches the username "joe"
//! whichever normalization the policy stores. Folding only ever finds more matches.

use core::cmp::Ordering;
use core::ops::Deref;

use serde::{Deserialize, Serialize};
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick, is_nfkc_quick};
use zeroize::Zeroizing;

/// The Unicode normalization form applied before a password is counted or hashed.
///
/// Changing it changes what hashes are computed over, so a deployment picks one and
/// keeps it: hashes made under one form do not verify under the other for passwords
/// the two forms treat differently.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Normalization {
    /// Canonical composition (NIST SP 800-63B rev 4). Canonically equivalent inputs
    /// (precomposed or decomposed accents) become the same password; compatibility
    /// variants (full-width letters, ligatures) stay distinct.
    #[default]
    Nfc,
    /// Compatibility composition (NIST SP 800-63B rev 3 §5.1.1.2): full-width letters,
    /// ligatures and the like are also folded to their plain forms.
    Nfkc,
}

/// A normalized password: borrowed when the input was already normalized, otherwise
/// an owned copy that is zeroized when dropped.
pub(crate) enum Normalized<'a> {
    Borrowed(&'a str),
    Owned(Zeroizing<String>),
}

impl Deref for Normalized<'_> {
    type Target = str;

    fn deref(&self) -> &str {
        match self {
            Self::Borrowed(text) => text,
            Self::Owned(text) => text.as_str(),
        }
    }
}

impl Normalization {
    /// Normalize `text`, allocating only when it is not already in this form.
    pub(crate) fn apply(self, text: &str) -> Normalized<'_> {
        let quick = match self {
            Self::Nfc => is_nfc_quick(text.chars()),
            Self::Nfkc => is_nfkc_quick(text.chars()),
        };
        if quick == IsNormalized::Yes {
            return Normalized::Borrowed(text);
        }
        let mut owned = Zeroizing::new(String::with_capacity(text.len()));
        match self {
            Self::Nfc => owned.extend(text.nfc()),
            Self::Nfkc => owned.extend(text.nfkc()),
        }
        Normalized::Owned(owned)
    }
}

/// The folded form of `text`, one code point at a time, without allocating
/// (except inside the normalizer for runs of more than four combining marks).
pub(crate) fn folded(text: &str) -> impl Iterator<Item = char> + '_ {
    text.nfkc().flat_map(char::to_lowercase)
}

/// Whether `a` and `b` are equal once both are folded.
pub(crate) fn folded_eq(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        return a.eq_ignore_ascii_case(b);
    }
    folded(a).eq(folded(b))
}

/// Order the folded form of `text` against `entry`, which is already folded.
pub(crate) fn folded_cmp(text: &str, entry: &str) -> Ordering {
    if text.is_ascii() {
        // ASCII is its own NFKC form; lower-casing is byte-wise.
        return text
            .bytes()
            .map(|byte| byte.to_ascii_lowercase())
            .cmp(entry.bytes());
    }
    folded(text).cmp(entry.chars())
}

/// The folded form of `text` as an owned string (for substring searches and for
/// preparing deployment word lists, never on the lookup path).
pub(crate) fn fold(text: &str) -> String {
    folded(text).collect()
}

/// Length in Unicode code points, the unit NIST SP 800-63B counts in.
pub(crate) fn code_points(text: &str) -> usize {
    text.chars().count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_and_unicode_paths_agree() {
        assert_eq!(folded_cmp("PassWord", "password"), Ordering::Equal);
        assert_eq!(folded_cmp("ＰａｓｓＷｏｒｄ", "password"), Ordering::Equal);
        assert_eq!(folded_cmp("pass", "password"), Ordering::Less);
        assert!(folded_eq("ÉCOLE", "e\u{301}cole"));
        assert!(!folded_eq("ecole", "école"));
    }

    #[test]
    fn nfc_borrows_when_already_normalized() {
        assert!(matches!(
            Normalization::Nfc.apply("abc"),
            Normalized::Borrowed(_)
        ));
        let decomposed = "e\u{301}";
        let normalized = Normalization::Nfc.apply(decomposed);
        assert_eq!(&*normalized, "é");
    }
}
