//! The mirror directory and every change made to it.
//!
//! ```text
//! DIR/
//!   go1.22.5.linux-amd64.tar.gz          a verified archive
//!   go1.22.5.linux-amd64.tar.gz.sha256   its SHA-256: bare hex, no newline
//!   go1.22.5.linux-amd64.tar.gz.asc      its detached signature (not for .zip)
//!   index.json                           the release listing of what DIR holds
//!   .gvmr-sync/                          the lock; downloads in progress
//! ```
//!
//! A file gets its final name only by a rename from `.gvmr-sync/` (same
//! file system), complete, and for archives after both checks passed. An
//! archive's `.sha256` and `.asc` are published before it and the index
//! after it, so whoever finds an archive finds what verifies it. A killed
//! sync leaves only partial downloads in `.gvmr-sync/`, which the next one
//! resumes.

use crate::files::{FileError, lock_exclusive, write_atomically};
use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};

/// The hidden directory holding the lock and downloads in progress.
pub const WORK_DIR: &str = ".gvmr-sync";
const LOCK_FILE: &str = "lock";
const PARTIAL_SUFFIX: &str = ".partial";

pub struct MirrorDir {
    root: PathBuf,
    work: PathBuf,
    /// Held while the sync runs; `None` for a dry run, which changes nothing.
    _lock: Option<File>,
}

impl MirrorDir {
    /// Opens `root` for a sync: creates it and its work directory, takes the
    /// lock (waiting for another sync of it; `on_wait` is called once if it
    /// must), and removes what a killed sync left, but partial downloads.
    pub fn open(root: &Path, on_wait: impl FnOnce()) -> Result<MirrorDir, FileError> {
        let work = root.join(WORK_DIR);
        fs::create_dir_all(&work).map_err(|e| FileError::new("create", &work, e))?;
        let lock = lock_exclusive(&work.join(LOCK_FILE), on_wait)?;
        let dir = MirrorDir {
            root: root.to_path_buf(),
            work,
            _lock: Some(lock),
        };
        dir.remove_leftovers()?;
        Ok(dir)
    }

    /// `root` as it is, for a dry run: nothing is created, locked or removed.
    pub fn inspect(root: &Path) -> MirrorDir {
        MirrorDir {
            root: root.to_path_buf(),
            work: root.join(WORK_DIR),
            _lock: None,
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The path of the file `name` in the mirror.
    pub fn path(&self, name: &str) -> PathBuf {
        self.root.join(name)
    }

    /// Where downloads collect (`<file>.partial`, see
    /// [`crate::net::download`]) and complete before they are verified.
    pub fn work_dir(&self) -> PathBuf {
        self.work.clone()
    }

    /// The size of the regular file `name`, if the mirror holds one.
    pub fn size_of(&self, name: &str) -> Option<u64> {
        fs::metadata(self.path(name))
            .ok()
            .filter(|meta| meta.is_file())
            .map(|meta| meta.len())
    }

    /// Makes the verified archive at `staged` (in the work directory) the
    /// mirror's `name`, after its `.sha256` and, when given, its `.asc`.
    pub fn publish_archive(
        &self,
        name: &str,
        staged: &Path,
        sha256_hex: &str,
        signature: Option<&[u8]>,
    ) -> Result<(), FileError> {
        self.put(&format!("{name}.sha256"), sha256_hex.as_bytes())?;
        if let Some(signature) = signature {
            self.put(&format!("{name}.asc"), signature)?;
        }
        let target = self.path(name);
        fs::rename(staged, &target).map_err(|e| FileError::new("move into place", &target, e))
    }

    /// Writes the small file `name` unless it already holds `bytes`.
    pub fn ensure(&self, name: &str, bytes: &[u8]) -> Result<(), FileError> {
        if fs::read(self.path(name)).is_ok_and(|held| held == bytes) {
            return Ok(());
        }
        self.put(name, bytes)
    }

    /// Writes the small file `name`: into the work directory, then renamed.
    fn put(&self, name: &str, bytes: &[u8]) -> Result<(), FileError> {
        let staged = self.work.join(name);
        write_atomically(&staged, bytes)?;
        let target = self.path(name);
        fs::rename(&staged, &target).map_err(|e| FileError::new("move into place", &target, e))
    }

    /// Removes the archive `name` with its `.sha256` and `.asc`.
    pub fn remove_archive(&self, name: &str) -> Result<(), FileError> {
        for file in [
            name.to_string(),
            format!("{name}.sha256"),
            format!("{name}.asc"),
        ] {
            let path = self.path(&file);
            match fs::remove_file(&path) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => {
                    return Err(FileError::new("remove", &path, e));
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Removes a staged download that failed verification.
    pub fn discard(&self, staged: &Path) {
        // Best effort: the next sync removes it anyway.
        let _ = fs::remove_file(staged);
    }

    /// Everything in the work directory but the lock and partial downloads:
    /// what a killed sync left (staged downloads, temporary files).
    fn remove_leftovers(&self) -> Result<(), FileError> {
        let entries =
            fs::read_dir(&self.work).map_err(|e| FileError::new("read", &self.work, e))?;
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name == LOCK_FILE || name.ends_with(PARTIAL_SUFFIX) {
                continue;
            }
            let path = entry.path();
            let removed = match entry.file_type() {
                Ok(kind) if kind.is_dir() => fs::remove_dir_all(&path),
                _ => fs::remove_file(&path),
            };
            removed.map_err(|e| FileError::new("remove", &path, e))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn publishing_renames_complete_files_into_place() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("mirror");
        let dir = MirrorDir::open(&root, || panic!("nobody holds the lock")).unwrap();
        let staged = dir.work_dir().join("go1.tar.gz");
        fs::write(&staged, "archive").unwrap();
        dir.publish_archive("go1.tar.gz", &staged, "abcd", Some(b"sig"))
            .unwrap();
        assert_eq!(
            fs::read_to_string(root.join("go1.tar.gz")).unwrap(),
            "archive"
        );
        assert_eq!(
            fs::read_to_string(root.join("go1.tar.gz.sha256")).unwrap(),
            "abcd"
        );
        assert_eq!(
            fs::read_to_string(root.join("go1.tar.gz.asc")).unwrap(),
            "sig"
        );
        assert_eq!(dir.size_of("go1.tar.gz"), Some(7));
        assert_eq!(dir.size_of(WORK_DIR), None);
        let mut work: Vec<String> = fs::read_dir(dir.work_dir())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        work.sort();
        assert_eq!(work, [LOCK_FILE]);

        dir.remove_archive("go1.tar.gz").unwrap();
        dir.remove_archive("go1.tar.gz").unwrap();
        let left: Vec<_> = fs::read_dir(&root).unwrap().collect();
        assert_eq!(left.len(), 1, "only the work directory is left");
    }

    #[test]
    fn opening_keeps_partial_downloads_and_drops_other_leftovers() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("mirror");
        let work = root.join(WORK_DIR);
        fs::create_dir_all(work.join("stray-dir")).unwrap();
        fs::write(work.join("go1.tar.gz.partial"), "half").unwrap();
        fs::write(work.join("go1.tar.gz"), "unverified").unwrap();
        fs::write(work.join(".tmpXYZ"), "").unwrap();
        let dir = MirrorDir::open(&root, || {}).unwrap();
        let mut left: Vec<String> = fs::read_dir(dir.work_dir())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, ["go1.tar.gz.partial", LOCK_FILE]);
    }

    #[test]
    fn a_second_sync_waits_for_the_first() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("mirror");
        let first = MirrorDir::open(&root, || panic!("first must not wait")).unwrap();
        let again = root.clone();
        let waited = std::thread::spawn(move || {
            let mut waited = false;
            let _dir = MirrorDir::open(&again, || waited = true).unwrap();
            waited
        });
        std::thread::sleep(std::time::Duration::from_millis(100));
        drop(first);
        assert!(waited.join().unwrap());
    }

    #[test]
    fn inspecting_changes_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("mirror");
        let dir = MirrorDir::inspect(&root);
        assert_eq!(dir.size_of("x"), None);
        assert!(!root.exists());
    }
}
