//! Backup codes: shown once, stored as Argon2id hashes, each usable once.
//!
//! When two-factor setup finishes, the person is given a set of backup codes to note in a
//! safe place; a backup code logs them in when the phone is lost, and works once. These
//! are the "look-up secrets" of NIST SP 800-63B §5.1.2.
//!
//! - [`BackupCodes::generate`] draws 10 codes (configurable, [`BackupSettings`]) of 10
//!   characters from a 31-symbol alphabet without look-alikes ([`ALPHABET`]: no `0`/`O`,
//!   `1`/`I`/`l`), about 49.5 bits each, from a CSPRNG. It returns the stored form,
//!   [`BackupCodes`], and the plain codes, [`PlainCodes`], shown as `xxxxx-xxxxx`: a
//!   secret type that is redacted in `Debug` and zeroized on drop.
//! - [`BackupCodes`] is serde-serializable and holds Argon2id hashes only, with the
//!   parameters ([`KdfParams`]) recorded beside them, so a set made under older
//!   parameters keeps working.
//! - [`BackupCodes::redeem`] accepts what people type (any case, spaces, hyphens), costs
//!   one Argon2id derivation at most, marks the code used and says how many remain.
//!   Wrong, used, empty and oversized inputs are typed errors; an oversized one is
//!   refused before any hashing.
//! - [`BackupCodes::regenerate`] replaces the whole set.
//!
//! # One derivation per attempt: one salt per set
//!
//! The usual design salts each code separately, so checking a guess means deriving it
//! under every stored salt: ten Argon2id runs for one wrong code, and a cost an attacker
//! can multiply by submitting garbage. Here each *set* has one random 128-bit salt,
//! shared by its codes. A redemption derives the input once under that salt and compares
//! the result, in constant time and without early exit, against every stored hash; the
//! cost is one derivation whether ten codes remain or one.
//!
//! **The trade-off.** Whoever steals a store tests each offline guess against all of its
//! codes at once, so finding *some* code of a ten-code set takes about 2^49.5 / 10 ≈
//! 2^46 derivations instead of 2^49.5 (the salt is still unique per set, so nothing is
//! shared across accounts or precomputed). NIST SP 800-63B §5.1.2.2 asks for a salt
//! stored with each hash; we store one per set and accept the log2(10) ≈ 3.3 bits lost,
//! which the Argon2id cost more than repays (see [`KdfParams`]). The alternative, a
//! public identifier inside each code to pick its salt, keeps per-code salts but spends
//! characters on the identifier: with ten characters, one of them an index, a code keeps
//! 9·log2(31) ≈ 44.6 secret bits, which is *worse* both offline (2^44.6 to crack one
//! chosen code) and online (a guess at one slot succeeds with 31^-9, against 10·31^-10
//! here); it also tells an observer which slot was tried.
//!
//! Used codes keep their hash, so a second use is reported as
//! [`Error::BackupCodeUsed`](crate::Error::BackupCodeUsed) rather than as a wrong code.
//! A stored set whose hashes are not all distinct is refused when deserialized: under a
//! shared salt two equal hashes would be one code usable twice.
//!
//! # Example
//!
//! ```
//! # fn main() -> countersign_totp::Result<()> {
//! use countersign_totp::{BackupCodes, Error};
//!
//! let now = 1_700_000_000; // seconds since the Unix epoch, from the caller's clock
//! let (mut store, codes) = BackupCodes::generate(now)?;
//! for code in &codes {
//!     println!("{}", code.expose()); // shown once, e.g. "k7m2q-x9tfp"
//! }
//! let json = serde_json::to_string(&store).unwrap(); // keep this with the account
//!
//! // Later: the person types one, in any case, with or without the hyphen.
//! let typed = codes.iter().next().unwrap().expose().to_uppercase().replace('-', " ");
//! assert_eq!(store.redeem(&typed, now + 86_400)?.remaining, 9);
//! assert!(matches!(store.redeem(&typed, now + 86_500), Err(Error::BackupCodeUsed { .. })));
//! # let _ = json;
//! # Ok(()) }
//! ```

mod code;
mod params;
mod store;

pub use code::{ALPHABET, BackupCode, CODE_LEN, MAX_INPUT_LEN, PlainCodes};
pub use params::KdfParams;
pub use store::{BackupCodes, BackupSettings, Redeemed};
