//! `countersign key generate`: a fresh server key, on stdout or in a new 0600 file.

use std::fs;
use std::path::{Path, PathBuf};

mod invoke;
use invoke::{countersign, text};

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("key-{name}"));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

fn is_key(text: &str) -> bool {
    text.len() == 65
        && text.ends_with('\n')
        && text[..64]
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[test]
fn generate_prints_a_fresh_key_that_loads() {
    let first = countersign(&["key", "generate"], b"");
    assert!(first.status.success(), "{}", text(&first.stderr));
    let key = text(&first.stdout);
    assert!(is_key(&key), "{key:?}");
    let second = text(&countersign(&["key", "generate"], b"").stdout);
    assert_ne!(key, second);
    let bytes: Vec<u8> = (0..32)
        .map(|i| u8::from_str_radix(&key[2 * i..2 * i + 2], 16).unwrap())
        .collect();
    assert!(countersign::ServerKey::from_slice(&bytes).is_ok());
}

#[test]
fn generate_writes_a_new_file_only_its_owner_reads() {
    let dir = scratch("out");
    let path = dir.join("server.key");
    let output = countersign(&["key", "generate", "--out", path.to_str().unwrap()], b"");
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(output.stdout.is_empty(), "the key is not printed");
    let key = fs::read_to_string(&path).unwrap();
    assert!(is_key(&key));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{mode:o}");
    }
    // Never overwritten.
    let again = countersign(&["key", "generate", "--out", path.to_str().unwrap()], b"");
    assert_eq!(again.status.code(), Some(2));
    assert_eq!(fs::read_to_string(&path).unwrap(), key);
}

#[cfg(unix)]
#[test]
fn generate_refuses_to_write_through_a_symlink() {
    let dir = scratch("symlink");
    let target = dir.join("elsewhere");
    let link = dir.join("server.key");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let output = countersign(&["key", "generate", "--out", link.to_str().unwrap()], b"");
    assert_eq!(output.status.code(), Some(2));
    assert!(!target.exists(), "nothing was written through the link");
}
