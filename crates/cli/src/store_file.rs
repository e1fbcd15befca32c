//! A backup-code store file, read, changed and replaced under an exclusive lock.
//!
//! Redeeming is read-redeem-write: without a lock, two redeems of one code at once
//! both read the set before either wrote it back, and both accepted the code. So:
//!
//! - the path must name a regular file, never a symbolic link (it is not followed:
//!   the store is replaced by rename, and following a link would move the write
//!   elsewhere) nor a device, pipe or directory (`--store /dev/full` run as root must
//!   not replace the device node);
//! - the file is locked (`File::lock`, an exclusive advisory lock) for the whole
//!   read-redeem-write;
//! - the new contents go to a temporary file in the same directory, flushed to disk,
//!   then renamed over the store (atomic on POSIX), and the directory is synced: a
//!   crash leaves the old set or the new one, never a torn one;
//! - a waiter that gets the lock checks that the path still names the file it locked:
//!   the holder renamed a new file over it, so the waiter locks that one instead, and
//!   reads what the holder wrote.

use std::fs::{self, File, Metadata, OpenOptions};
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, anyhow, bail};

use crate::input;

/// An open, locked store file; the lock is released when it is dropped.
pub(crate) struct StoreFile {
    path: PathBuf,
    file: File,
}

/// Refuses anything but a regular file at `path` (not following a symbolic link).
/// `Ok(None)` when nothing is there.
fn regular_file(path: &Path) -> anyhow::Result<Option<Metadata>> {
    let metadata = match fs::symlink_metadata(path) {
        Ok(metadata) => metadata,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => {
            return Err(error).with_context(|| format!("cannot read {}", path.display()));
        }
    };
    if metadata.file_type().is_symlink() {
        bail!(
            "{} is a symbolic link: give the store's own path (a link is not followed)",
            path.display()
        );
    }
    if !metadata.is_file() {
        bail!("{} is not a regular file", path.display());
    }
    Ok(Some(metadata))
}

/// Whether two metadata describe the same file. (One function for both
/// platforms, so that a mutant of the one not built here is not counted.)
fn same_file(a: &Metadata, b: &Metadata) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        a.dev() == b.dev() && a.ino() == b.ino()
    }
    #[cfg(not(unix))]
    {
        // Elsewhere a file cannot be renamed over while it is open.
        let _ = (a, b);
        true
    }
}

impl StoreFile {
    /// Opens and locks the store at `path`, waiting for any other holder of the lock.
    /// `Ok(None)` when nothing is at `path`.
    ///
    /// # Errors
    ///
    /// When `path` is a symbolic link or not a regular file, or cannot be opened or locked.
    pub(crate) fn lock(path: &Path) -> anyhow::Result<Option<Self>> {
        loop {
            if regular_file(path)?.is_none() {
                return Ok(None);
            }
            let file = match File::open(path) {
                Ok(file) => file,
                // Replaced or removed between the check and the open: look again.
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => continue,
                Err(error) => {
                    return Err(error).with_context(|| format!("cannot read {}", path.display()));
                }
            };
            file.lock()
                .with_context(|| format!("cannot lock {}", path.display()))?;
            let locked = file
                .metadata()
                .with_context(|| format!("cannot read {}", path.display()))?;
            match regular_file(path)? {
                Some(now) if same_file(&locked, &now) => {
                    return Ok(Some(Self {
                        path: path.to_owned(),
                        file,
                    }));
                }
                // Another process replaced the store while this one waited: lock the new one.
                _ => {}
            }
        }
    }

    /// The store's text, at most [`input::FILE_LIMIT`] bytes.
    pub(crate) fn read(&mut self) -> anyhow::Result<String> {
        let cannot = || format!("cannot read {}", self.path.display());
        let mut bytes = Vec::new();
        let limit = u64::try_from(input::FILE_LIMIT).unwrap_or(u64::MAX);
        (&mut self.file)
            .take(limit + 1)
            .read_to_end(&mut bytes)
            .with_context(cannot)?;
        if bytes.len() > input::FILE_LIMIT {
            bail!(
                "{} is over {} bytes: not a stored backup-code set",
                self.path.display(),
                input::FILE_LIMIT
            );
        }
        String::from_utf8(bytes).map_err(|_| anyhow!("{} is not UTF-8", self.path.display()))
    }

    /// Replaces the store with `contents`, the lock still held.
    pub(crate) fn replace(&self, contents: &[u8]) -> anyhow::Result<()> {
        let permissions = self.file.metadata().ok().map(|m| m.permissions());
        write_atomically(&self.path, contents, permissions)
    }
}

/// Writes a new store at `path`: over the store there, under its lock, or a new file.
///
/// # Errors
///
/// As [`StoreFile::lock`], and when the file cannot be written.
pub(crate) fn create_or_replace(path: &Path, contents: &[u8]) -> anyhow::Result<()> {
    match StoreFile::lock(path)? {
        Some(store) => store.replace(contents),
        None => write_atomically(path, contents, None),
    }
}

/// Replaces `path` with `contents` so that a crash leaves the old file or the new one,
/// never a torn one: a temporary file in the same directory (same file system), flushed
/// to disk, renamed over `path` (atomic on POSIX), then the directory synced. A new
/// file (`permissions` `None`) is readable and writable by its owner only.
pub(crate) fn write_atomically(
    path: &Path,
    contents: &[u8],
    permissions: Option<fs::Permissions>,
) -> anyhow::Result<()> {
    let name = path
        .file_name()
        .ok_or_else(|| anyhow!("{} does not name a file", path.display()))?;
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_owned(),
        _ => PathBuf::from("."),
    };
    let temporary = dir.join(format!(
        ".{}.{}.{:016x}.tmp",
        name.to_string_lossy(),
        std::process::id(),
        rand::random::<u64>()
    ));
    let written = (|| -> std::io::Result<()> {
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&temporary)?;
        if let Some(permissions) = permissions {
            file.set_permissions(permissions)?;
        }
        file.write_all(contents)?;
        file.sync_all()?;
        fs::rename(&temporary, path)?;
        // Make the rename itself durable (best effort: not every platform opens a dir).
        if let Ok(dir) = File::open(&dir) {
            let _ = dir.sync_all();
        }
        Ok(())
    })();
    if written.is_err() {
        let _ = fs::remove_file(&temporary);
    }
    written.with_context(|| format!("cannot write {}", path.display()))
}
