//! File-system helpers every layer shares: [`FileError`] (which operation
//! failed on which path, in words, with what to do about it), atomic
//! writes, and a capped read for the small files gvmr trusts only so far.

use indicatif::ProgressBar;
use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
#[error("cannot {action} {}: {}", path.display(), describe_io(source))]
pub struct FileError {
    pub action: &'static str,
    pub path: PathBuf,
    #[source]
    pub source: io::Error,
}

/// An I/O error in words, the same for every place that writes.
pub fn describe_io(err: &io::Error) -> String {
    match err.kind() {
        io::ErrorKind::StorageFull => "no space left on the device".to_string(),
        io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        io::ErrorKind::ReadOnlyFilesystem => "the file system is read-only".to_string(),
        _ => err.to_string(),
    }
}

impl FileError {
    pub fn new(action: &'static str, path: &Path, source: io::Error) -> FileError {
        FileError {
            action,
            path: path.to_path_buf(),
            source,
        }
    }

    /// What the user can do about it.
    pub fn hint(&self) -> &'static str {
        io_hint(self.source.kind())
    }
}

/// What the user can do about a failed file operation of this kind.
pub fn io_hint(kind: io::ErrorKind) -> &'static str {
    match kind {
        io::ErrorKind::StorageFull => {
            "free some disk space (or set GVMR_HOME to a roomier place) and try again"
        }
        io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem => {
            "make the directory writable by you, or set GVMR_HOME to a directory you own"
        }
        _ => "check the data directory (GVMR_HOME) and try again",
    }
}

/// Writes `bytes` to `path` through a temporary file and a rename, so readers
/// never see a partial file.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), FileError> {
    staged(path, bytes)?
        .persist(path)
        .map_err(|e| FileError::new("write", path, e.error))?;
    Ok(())
}

/// Writes `bytes` to `path` as [`write_atomically`] does, unless `path`
/// exists: then nothing is written and the answer is `false`. Two writers
/// racing for it never overwrite each other (the rename is a link that
/// fails on an existing name).
pub fn write_new_atomically(path: &Path, bytes: &[u8]) -> Result<bool, FileError> {
    match staged(path, bytes)?.persist_noclobber(path) {
        Ok(_) => Ok(true),
        Err(e) if e.error.kind() == io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(FileError::new("write", path, e.error)),
    }
}

/// A temporary file beside `path` holding `bytes`, to be renamed over it.
fn staged(path: &Path, bytes: &[u8]) -> Result<tempfile::NamedTempFile, FileError> {
    let dir = path.parent().expect("files are written inside a directory");
    fs::create_dir_all(dir).map_err(|e| FileError::new("create", dir, e))?;
    let mut tmp =
        tempfile::NamedTempFile::new_in(dir).map_err(|e| FileError::new("write in", dir, e))?;
    tmp.write_all(bytes)
        .map_err(|e| FileError::new("write", path, e))?;
    Ok(tmp)
}

/// The lock file at `path`, created if missing.
fn open_lock_file(path: &Path) -> Result<File, FileError> {
    File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(|e| FileError::new("open the lock file", path, e))
}

/// An exclusive lock on the file at `path` (created if missing) if no other
/// process holds one (`None` if one does). The lock lasts as long as the
/// returned file is open.
pub fn try_lock_exclusive(path: &Path) -> Result<Option<File>, FileError> {
    let file = open_lock_file(path)?;
    match file.try_lock() {
        Ok(()) => Ok(Some(file)),
        Err(fs::TryLockError::WouldBlock) => Ok(None),
        Err(fs::TryLockError::Error(e)) => Err(FileError::new("lock", path, e)),
    }
}

/// Takes an exclusive lock on the file at `path` (created if missing),
/// waiting for the process that holds it; `on_wait` is called once if it
/// is busy. The lock lasts as long as the returned file is open.
pub fn lock_exclusive(path: &Path, on_wait: impl FnOnce()) -> Result<File, FileError> {
    if let Some(file) = try_lock_exclusive(path)? {
        return Ok(file);
    }
    on_wait();
    let file = open_lock_file(path)?;
    file.lock().map_err(|e| FileError::new("lock", path, e))?;
    Ok(file)
}

/// Reads all of `reader` if it holds at most `limit` bytes; `Ok(None)`
/// when it holds more, so a hostile or broken source cannot make gvmr hold
/// an unbounded file. The one capped read: local files, HTTP bodies and
/// module proxies all go through it.
pub fn read_capped(reader: impl Read, limit: u64) -> io::Result<Option<Vec<u8>>> {
    let mut bytes = Vec::new();
    reader.take(limit + 1).read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= limit).then_some(bytes))
}

/// [`read_capped`] of the file at `path`; more than `limit` bytes is an error.
pub fn read_file_capped(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    read_capped(File::open(path)?, limit)?
        .ok_or_else(|| io::Error::other(format!("larger than {limit} bytes")))
}

/// `PATH` + suffix, e.g. `go1.22.5.linux-amd64.tar.gz.asc` beside the
/// archive: the file that goes with another.
pub fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Why [`copy`] stopped.
#[derive(Debug)]
pub enum CopyError {
    /// The source broke off after `copied` bytes (all of them written).
    Read { error: io::Error, copied: u64 },
    /// The destination failed (disk full, permissions).
    Write(io::Error),
}

/// The one copy loop: `reader` into `writer` chunk by chunk (each chunk is
/// written as soon as it is read, so what arrived is on disk even if the
/// process is killed), advancing `progress`. Hash on the way by writing
/// through a [`crate::digest::HashingWriter`].
pub fn copy(
    reader: &mut impl Read,
    writer: &mut impl Write,
    progress: &ProgressBar,
) -> Result<u64, CopyError> {
    let mut buf = vec![0u8; 256 * 1024];
    let mut copied = 0u64;
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => return Ok(copied),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(CopyError::Read { error, copied }),
        };
        writer.write_all(&buf[..n]).map_err(CopyError::Write)?;
        copied += n as u64;
        progress.inc(n as u64);
    }
}

/// The path of the running gvmr, as it was started (a symlink stays a
/// symlink, so hooks keep working across upgrades that move the target):
/// the one place that asks. Hooks call gvmr by it, the shims are copied
/// from beside it, deletions run it in the background.
pub fn own_executable() -> io::Result<PathBuf> {
    std::env::current_exe()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn siblings_append_to_the_full_name() {
        assert_eq!(
            sibling(Path::new("/a/go1.tar.gz"), ".asc"),
            PathBuf::from("/a/go1.tar.gz.asc")
        );
    }
}
