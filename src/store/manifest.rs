//! What an installed version looked like when it was installed: path, size,
//! mtime and SHA-256 of every file, in `$GVMR_HOME/manifests/<version>.json`.
//! `gvmr doctor` compares the tree with it.

use crate::archive::{WrittenFile, mtime_ns};
use crate::digest::sha256_of;
use crate::files::FileError;
use crate::files::write_atomically;
use crate::store::Store;
use gvmr_shim::GoVersion;
use serde::{Deserialize, Serialize};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

pub const MANIFESTS_DIR: &str = "manifests";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub version: String,
    pub files: Vec<FileEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    /// Relative to the version directory, `/`-separated.
    pub path: String,
    pub size: u64,
    /// Modification time, nanoseconds since the Unix epoch.
    pub mtime_ns: i128,
    pub sha256: String,
}

/// A file that no longer matches its manifest entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    pub path: String,
    pub problem: &'static str,
}

pub fn manifest_path(home: &Path, version: &GoVersion) -> PathBuf {
    home.join(MANIFESTS_DIR).join(format!("{version}.json"))
}

/// Every regular file under `dir`, as sorted relative paths.
#[cfg(test)]
fn files_under(dir: &Path) -> io::Result<Vec<(String, PathBuf)>> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        for entry in fs::read_dir(&current)? {
            let entry = entry?;
            let kind = entry.file_type()?;
            let path = entry.path();
            if kind.is_dir() {
                stack.push(path);
            } else if kind.is_file() {
                let relative = path
                    .strip_prefix(dir)
                    .expect("walked from dir")
                    .to_string_lossy()
                    .into_owned();
                found.push((relative, path));
            }
        }
    }
    found.sort();
    Ok(found)
}

/// Reads the tree of `dir` into a manifest (what `record` writes, built by
/// reading the files again).
#[cfg(test)]
pub fn build(dir: &Path, version: &GoVersion) -> io::Result<Manifest> {
    let mut files = Vec::new();
    for (relative, path) in files_under(dir)? {
        let meta = fs::metadata(&path)?;
        let digest = sha256_of(fs::File::open(&path)?)?;
        files.push(FileEntry {
            path: relative,
            size: meta.len(),
            mtime_ns: mtime_ns(&meta),
            sha256: digest.to_string(),
        });
    }
    Ok(Manifest {
        version: version.to_string(),
        files,
    })
}

/// Records the manifest of a freshly installed version from what the
/// unpacker wrote (hashed as it was written, so nothing is read twice).
pub fn record(
    store: &Store,
    version: &GoVersion,
    written: &[WrittenFile],
) -> Result<(), FileError> {
    let mut files: Vec<FileEntry> = written
        .iter()
        .map(|w| FileEntry {
            path: w.path.to_string_lossy().into_owned(),
            size: w.size,
            mtime_ns: w.mtime_ns,
            sha256: w.sha256.to_string(),
        })
        .collect();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let manifest = Manifest {
        version: version.to_string(),
        files,
    };
    let json = serde_json::to_vec(&manifest).expect("manifests serialize");
    write_atomically(&manifest_path(store.root(), version), &json)
}

/// Removes the manifest of an uninstalled version (a missing one is fine).
pub fn forget(store: &Store, version: &GoVersion) {
    let _ = fs::remove_file(manifest_path(store.root(), version));
}

/// Reads a recorded manifest: `Ok(None)` when there is none.
pub fn load(home: &Path, version: &GoVersion) -> Result<Option<Manifest>, String> {
    let path = manifest_path(home, version);
    match fs::read(&path) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| format!("{} is not a valid manifest: {e}", path.display())),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("cannot read {}: {e}", path.display())),
    }
}

/// The sum of the file sizes a version's manifest records; `None` without
/// a readable manifest. Reads only the sizes (no paths or hashes kept), so
/// `gvmr list` stays fast with many versions.
pub fn total_size(home: &Path, version: &GoVersion) -> Option<u64> {
    #[derive(Deserialize)]
    struct Sizes {
        files: Vec<Size>,
    }
    #[derive(Deserialize)]
    struct Size {
        size: u64,
    }
    let bytes = fs::read(manifest_path(home, version)).ok()?;
    let sizes: Sizes = serde_json::from_slice(&bytes).ok()?;
    Some(sizes.files.iter().map(|f| f.size).sum())
}

/// Compares `dir` with `manifest`: by size and mtime, or (`full`) by
/// size and SHA-256.
pub fn verify(dir: &Path, manifest: &Manifest, full: bool) -> Vec<Mismatch> {
    let mut problems = Vec::new();
    for entry in &manifest.files {
        let path = dir.join(&entry.path);
        let mismatch = |problem| Mismatch {
            path: entry.path.clone(),
            problem,
        };
        let meta = match fs::symlink_metadata(&path) {
            Ok(meta) if meta.is_file() => meta,
            Ok(_) => {
                problems.push(mismatch("not a regular file"));
                continue;
            }
            Err(_) => {
                problems.push(mismatch("missing"));
                continue;
            }
        };
        if meta.len() != entry.size {
            problems.push(mismatch("size changed"));
        } else if full {
            match fs::File::open(&path).and_then(sha256_of) {
                Ok(digest) if digest.to_string() == entry.sha256 => {}
                Ok(_) => problems.push(mismatch("content changed")),
                Err(_) => problems.push(mismatch("unreadable")),
            }
        } else if mtime_ns(&meta) != entry.mtime_ns {
            problems.push(mismatch("modified since install"));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree() -> (tempfile::TempDir, PathBuf, GoVersion) {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("go1.22.5");
        fs::create_dir_all(dir.join("bin")).unwrap();
        fs::write(dir.join("VERSION"), "go1.22.5\n").unwrap();
        fs::write(dir.join("bin/go"), "#!/bin/sh\n").unwrap();
        (tmp, dir, GoVersion::parse("1.22.5").unwrap())
    }

    #[test]
    fn an_untouched_tree_verifies_fast_and_full() {
        let (_tmp, dir, v) = tree();
        let manifest = build(&dir, &v).unwrap();
        assert_eq!(manifest.files.len(), 2);
        assert_eq!(manifest.files[0].path, "VERSION");
        assert!(verify(&dir, &manifest, false).is_empty());
        assert!(verify(&dir, &manifest, true).is_empty());
    }

    #[test]
    fn changes_are_found() {
        let (_tmp, dir, v) = tree();
        let manifest = build(&dir, &v).unwrap();
        fs::write(dir.join("VERSION"), "go1.22.5\nX").unwrap();
        fs::remove_file(dir.join("bin/go")).unwrap();
        let found = verify(&dir, &manifest, false);
        assert_eq!(
            found,
            [
                Mismatch {
                    path: "VERSION".into(),
                    problem: "size changed"
                },
                Mismatch {
                    path: "bin/go".into(),
                    problem: "missing"
                },
            ]
        );
    }

    #[test]
    fn same_size_edits_are_found_by_hash_with_full() {
        let (_tmp, dir, v) = tree();
        let mut manifest = build(&dir, &v).unwrap();
        fs::write(dir.join("VERSION"), "go1.22.6\n").unwrap();
        // Keep the recorded mtime equal to the new one: only the hash can tell.
        let now = mtime_ns(&fs::metadata(dir.join("VERSION")).unwrap());
        manifest.files[0].mtime_ns = now;
        assert!(verify(&dir, &manifest, false).is_empty());
        assert_eq!(verify(&dir, &manifest, true)[0].problem, "content changed");
    }

    #[test]
    fn manifests_round_trip_through_the_store_layout() {
        let (tmp, dir, v) = tree();
        let home = tmp.path().join("home");
        let manifest = build(&dir, &v).unwrap();
        write_atomically(
            &manifest_path(&home, &v),
            &serde_json::to_vec(&manifest).unwrap(),
        )
        .unwrap();
        assert_eq!(load(&home, &v).unwrap(), Some(manifest));
        assert_eq!(total_size(&home, &v), Some(9 + 10));
        let other = GoVersion::parse("1.21.0").unwrap();
        assert_eq!(load(&home, &other).unwrap(), None);
    }
}
