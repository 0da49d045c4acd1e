//! Strict, fast unpacking of a *verified* Go archive into a staging directory.
//!
//! Go archives hold a top-level `go/` directory of regular files and
//! directories, nothing else. Everything else (links, devices, absolute or
//! `..` paths, duplicates, absurd sizes) is refused by name. Decompression
//! runs on one thread and file creation on another.
//!
//! [`tree`] holds the rules and writes the files, the same for every format;
//! [`tar_gz`] reads release `.tar.gz` archives, [`zip_file`] Windows `.zip`
//! archives and Go module zips. This module has the limits, the errors and
//! what an unpack reports. Progress (the archive's compressed bytes read, out
//! of its size, and the files written) goes to the `ProgressBar` the caller
//! passes, hidden when nobody watches.

mod tar_gz;
mod tree;
mod zip_file;

pub use tar_gz::unpack_tar_gz;
pub use zip_file::{unpack_module_zip, unpack_zip};

use crate::digest::Sha256Digest;
use std::fs;
use std::io;
use std::path::PathBuf;

/// Caps against decompression bombs: about 8× the size and file count of the
/// largest Go release (about 250 MB in 15,000 files unpacked).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_bytes: u64,
    pub max_entries: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 2 << 30,
            max_entries: 120_000,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum UnpackError {
    #[error("it is not a gzip-compressed archive ({0})")]
    NotGzip(String),
    #[error("it is {0}")]
    NotArchive(String),
    #[error("it is damaged: {0}")]
    Corrupt(String),
    #[error("entry {entry:?} has an unsafe path ({reason}); refusing the archive")]
    UnsafePath { entry: String, reason: &'static str },
    #[error("entry {entry:?} is a {kind}; Go archives hold only files and directories")]
    UnsupportedEntry { entry: String, kind: String },
    #[error("entry {entry:?} appears twice")]
    Duplicate { entry: String },
    #[error(
        "entry {entry:?} clashes with an earlier entry (a file where a directory must be, or the reverse)"
    )]
    Clash { entry: String },
    #[error("it has no top-level go/ directory")]
    NoGoDirectory,
    #[error("entry {entry:?} lies outside {prefix}/; refusing the module zip")]
    OutsideModule { entry: String, prefix: String },
    #[error("it unpacks to more than {limit} bytes, far beyond any Go release; refusing it")]
    TooLarge { limit: u64 },
    #[error("it holds more than {limit} entries, far beyond any Go release; refusing it")]
    TooManyEntries { limit: u64 },
    #[error("cannot write {}: {}", path.display(), crate::files::describe_io(source))]
    Write {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

impl UnpackError {
    /// The underlying I/O error when writing failed (disk full, permissions).
    pub fn write_error(&self) -> Option<&io::Error> {
        match self {
            UnpackError::Write { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// What was unpacked.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Stats {
    pub files: u64,
    pub dirs: u64,
    pub bytes: u64,
    /// Every file written, hashed as it was written (for the manifest
    /// `gvmr doctor` checks installs against), in archive order.
    pub written: Vec<WrittenFile>,
}

/// One file the unpacker wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenFile {
    /// Relative to the unpacked tree.
    pub path: PathBuf,
    pub size: u64,
    /// Modification time, nanoseconds since the Unix epoch.
    pub mtime_ns: i128,
    pub sha256: Sha256Digest,
}

impl WrittenFile {
    fn new(path: PathBuf, size: u64, sha256: Sha256Digest, meta: &fs::Metadata) -> WrittenFile {
        WrittenFile {
            path,
            size,
            mtime_ns: mtime_ns(meta),
            sha256,
        }
    }
}

/// A file's modification time in nanoseconds since the Unix epoch (0 when
/// the file system keeps none).
pub fn mtime_ns(meta: &fs::Metadata) -> i128 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos() as i128)
}

/// Errors from the decompressed stream: a bad header means "not gzip",
/// anything later means damage.
fn classify_stream_error(e: io::Error) -> UnpackError {
    let message = e.to_string();
    if message.contains("header") || message.contains("magic") {
        UnpackError::NotGzip(message)
    } else {
        UnpackError::Corrupt(message)
    }
}

#[cfg(test)]
mod tests;

/// Property-based fuzzing (proptest); `scripts/fuzz.sh` runs these far longer.
#[cfg(test)]
mod fuzz;
