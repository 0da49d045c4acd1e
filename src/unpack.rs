//! Strict, fast unpacking of a *verified* Go archive into a staging directory.
//!
//! Go archives hold a top-level `go/` directory of regular files and
//! directories, nothing else. Everything else (links, devices, absolute or
//! `..` paths, duplicates, absurd sizes) is refused by name. Decompression
//! runs on one thread and file creation on another.

use flate2::read::GzDecoder;
use std::collections::HashSet;
use std::fs::{self, File};
use std::io::{self, BufReader, Read};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Component, Path, PathBuf};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread;

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
    #[error("it unpacks to more than {limit} bytes, far beyond any Go release; refusing it")]
    TooLarge { limit: u64 },
    #[error("it holds more than {limit} entries, far beyond any Go release; refusing it")]
    TooManyEntries { limit: u64 },
    #[error("cannot write {}: {source}", path.display())]
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
}

const CHUNK: usize = 256 * 1024;

/// A `Read` over chunks decompressed by another thread.
struct ChunkReader {
    chunks: Receiver<io::Result<Vec<u8>>>,
    current: Vec<u8>,
    pos: usize,
}

impl Read for ChunkReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.pos == self.current.len() {
            match self.chunks.recv() {
                Ok(Ok(chunk)) => {
                    self.current = chunk;
                    self.pos = 0;
                }
                Ok(Err(e)) => return Err(e),
                Err(_) => return Ok(0), // the decompressor is done
            }
        }
        let n = buf.len().min(self.current.len() - self.pos);
        buf[..n].copy_from_slice(&self.current[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// Decompresses `archive` into `tx` until the end of the gzip stream, which
/// includes checking its CRC and length trailer.
fn decompress(archive: File, tx: SyncSender<io::Result<Vec<u8>>>) {
    let mut gz = GzDecoder::new(BufReader::with_capacity(CHUNK, archive));
    loop {
        let mut chunk = vec![0u8; CHUNK];
        let mut filled = 0;
        while filled < CHUNK {
            match gz.read(&mut chunk[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    let _ = tx.send(Err(e));
                    return;
                }
            }
        }
        if filled == 0 {
            return;
        }
        chunk.truncate(filled);
        if tx.send(Ok(chunk)).is_err() {
            return; // the unpacker gave up
        }
    }
}

/// Unpacks the `.tar.gz` at `archive` into `dest` (which must not exist),
/// stripping the top-level `go/`.
pub fn unpack_tar_gz(archive: &Path, dest: &Path, limits: Limits) -> Result<Stats, UnpackError> {
    let file = File::open(archive).map_err(|source| UnpackError::Write {
        path: archive.to_path_buf(),
        source,
    })?;
    let (tx, rx) = sync_channel(16);
    let decompressor = thread::spawn(move || decompress(file, tx));
    let mut reader = ChunkReader {
        chunks: rx,
        current: Vec::new(),
        pos: 0,
    };
    let result = unpack_tar(&mut reader, dest, limits);
    // Read to the end so a broken gzip trailer after a complete tar is caught.
    let trailer = result
        .as_ref()
        .ok()
        .map(|_| io::copy(&mut reader, &mut io::sink()));
    drop(reader);
    decompressor
        .join()
        .expect("the decompressor thread does not panic");
    match trailer {
        Some(Err(e)) => Err(classify_stream_error(e)),
        _ => result,
    }
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

/// The path below `go/` of an archive entry, refusing anything that is not
/// a plain relative path. `None` for the `go/` directory itself.
pub fn sanitize_entry_path(raw: &[u8]) -> Result<Option<PathBuf>, UnpackError> {
    let shown = || String::from_utf8_lossy(raw).into_owned();
    let unsafe_path = |reason| UnpackError::UnsafePath {
        entry: shown(),
        reason,
    };
    if raw.is_empty() {
        return Err(unsafe_path("empty name"));
    }
    if raw.contains(&0) {
        return Err(unsafe_path("NUL byte"));
    }
    let path = Path::new(std::ffi::OsStr::from_bytes(raw));
    let mut components = path.components();
    match components.next() {
        Some(Component::Normal(first)) if first == "go" => {}
        Some(Component::RootDir | Component::Prefix(_)) => return Err(unsafe_path("absolute")),
        Some(Component::ParentDir) => return Err(unsafe_path("leads outside with ..")),
        _ => return Err(UnpackError::NoGoDirectory),
    }
    let mut rest = PathBuf::new();
    for component in components {
        match component {
            Component::Normal(part) => rest.push(part),
            Component::ParentDir => return Err(unsafe_path("leads outside with ..")),
            // `Path::components` drops inner `.`; only a leading one remains.
            Component::CurDir => {}
            Component::RootDir | Component::Prefix(_) => return Err(unsafe_path("absolute")),
        }
    }
    Ok((!rest.as_os_str().is_empty()).then_some(rest))
}

/// What an archive entry is, in the terms both archive formats share.
enum EntryKind {
    Dir,
    File {
        size: u64,
        executable: bool,
    },
    /// Anything else (links, devices, ...), named for the error.
    Other(String),
}

/// Checks every entry and writes the tree under `dest`; shared by the tar
/// and zip readers so both apply exactly the same rules.
struct TreeWriter<'a> {
    dest: &'a Path,
    limits: Limits,
    stats: Stats,
    seen: HashSet<PathBuf>,
    saw_go: bool,
}

impl<'a> TreeWriter<'a> {
    fn new(dest: &'a Path, limits: Limits) -> Result<TreeWriter<'a>, UnpackError> {
        fs::create_dir(dest).map_err(|source| UnpackError::Write {
            path: dest.to_path_buf(),
            source,
        })?;
        Ok(TreeWriter {
            dest,
            limits,
            stats: Stats::default(),
            seen: HashSet::new(),
            saw_go: false,
        })
    }

    /// Writes one entry; `content` is read only for files.
    fn entry(
        &mut self,
        raw: &[u8],
        kind: EntryKind,
        content: &mut dyn Read,
    ) -> Result<(), UnpackError> {
        let name = || String::from_utf8_lossy(raw).into_owned();
        if self.stats.files + self.stats.dirs >= self.limits.max_entries {
            return Err(UnpackError::TooManyEntries {
                limit: self.limits.max_entries,
            });
        }
        let relative = sanitize_entry_path(raw)?;
        self.saw_go = true;
        let Some(relative) = relative else {
            return match kind {
                EntryKind::Dir => Ok(()), // go/ itself
                _ => Err(UnpackError::UnsupportedEntry {
                    entry: name(),
                    kind: "file named like the top directory".to_string(),
                }),
            };
        };
        if !self.seen.insert(relative.clone()) {
            return Err(UnpackError::Duplicate { entry: name() });
        }
        let target = self.dest.join(&relative);
        // In the fresh staging directory, a path that exists or a parent that
        // is not a directory was made by an earlier entry: the archive is at fault.
        let create_err = |path: &Path| {
            let path = path.to_path_buf();
            move |source: io::Error| match source.kind() {
                io::ErrorKind::AlreadyExists
                | io::ErrorKind::NotADirectory
                | io::ErrorKind::IsADirectory => UnpackError::Clash { entry: name() },
                _ => UnpackError::Write { path, source },
            }
        };
        match kind {
            EntryKind::Dir => {
                fs::create_dir_all(&target).map_err(create_err(&target))?;
                self.stats.dirs += 1;
            }
            EntryKind::File { size, executable } => {
                self.stats.bytes = self.stats.bytes.saturating_add(size);
                if self.stats.bytes > self.limits.max_bytes {
                    return Err(UnpackError::TooLarge {
                        limit: self.limits.max_bytes,
                    });
                }
                if let Some(parent) = target.parent()
                    && !parent.is_dir()
                {
                    fs::create_dir_all(parent).map_err(create_err(parent))?;
                }
                let mut out = File::options()
                    .write(true)
                    .create_new(true)
                    .mode(if executable { 0o755 } else { 0o644 })
                    .open(&target)
                    .map_err(create_err(&target))?;
                // Never more than the entry declared, whatever the stream holds.
                let copied = io::copy(&mut content.take(size), &mut out).map_err(|e| {
                    // Reading the entry failed (damage) or writing it did (disk).
                    if e.kind() == io::ErrorKind::StorageFull
                        || e.kind() == io::ErrorKind::PermissionDenied
                    {
                        UnpackError::Write {
                            path: target.clone(),
                            source: e,
                        }
                    } else {
                        classify_stream_error(e)
                    }
                })?;
                if copied != size {
                    return Err(UnpackError::Corrupt(format!(
                        "entry {:?} is truncated",
                        name()
                    )));
                }
                self.stats.files += 1;
            }
            EntryKind::Other(kind) => {
                return Err(UnpackError::UnsupportedEntry {
                    entry: name(),
                    kind,
                });
            }
        }
        Ok(())
    }

    fn finish(self) -> Result<Stats, UnpackError> {
        if self.saw_go {
            Ok(self.stats)
        } else {
            Err(UnpackError::NoGoDirectory)
        }
    }
}

fn unpack_tar(reader: &mut ChunkReader, dest: &Path, limits: Limits) -> Result<Stats, UnpackError> {
    let mut tree = TreeWriter::new(dest, limits)?;
    let mut archive = tar::Archive::new(reader);
    for entry in archive.entries().map_err(classify_stream_error)? {
        let mut entry = entry.map_err(classify_stream_error)?;
        let header = entry.header();
        let kind = header.entry_type();
        if kind.is_pax_global_extensions() {
            continue; // archive-wide metadata, nothing to write
        }
        let kind = if kind.is_dir() {
            EntryKind::Dir
        } else if kind.is_file() {
            EntryKind::File {
                size: header.size().map_err(classify_stream_error)?,
                executable: header.mode().unwrap_or(0) & 0o111 != 0,
            }
        } else {
            EntryKind::Other(describe_kind(kind))
        };
        let raw = entry.path_bytes().into_owned();
        tree.entry(&raw, kind, &mut entry)?;
    }
    tree.finish()
}

/// Unpacks the `.zip` at `archive` (Windows releases) into `dest`, stripping
/// the top-level `go/`, with the same rules as `unpack_tar_gz`.
pub fn unpack_zip(archive: &Path, dest: &Path, limits: Limits) -> Result<Stats, UnpackError> {
    let file = File::open(archive).map_err(|source| UnpackError::Write {
        path: archive.to_path_buf(),
        source,
    })?;
    let mut zip = zip::ZipArchive::new(BufReader::new(file))
        .map_err(|e| UnpackError::NotArchive(format!("not a zip archive: {e}")))?;
    let mut tree = TreeWriter::new(dest, limits)?;
    for index in 0..zip.len() {
        let mut entry = zip
            .by_index(index)
            .map_err(|e| UnpackError::Corrupt(e.to_string()))?;
        let kind = if entry.is_symlink() {
            EntryKind::Other("symbolic link".to_string())
        } else if entry.is_dir() {
            EntryKind::Dir
        } else {
            EntryKind::File {
                size: entry.size(),
                executable: entry.unix_mode().unwrap_or(0) & 0o111 != 0,
            }
        };
        let raw = entry.name_raw().to_vec();
        tree.entry(&raw, kind, &mut entry)?;
    }
    tree.finish()
}

fn describe_kind(kind: tar::EntryType) -> String {
    match kind {
        tar::EntryType::Symlink => "symbolic link".to_string(),
        tar::EntryType::Link => "hard link".to_string(),
        tar::EntryType::Char => "character device".to_string(),
        tar::EntryType::Block => "block device".to_string(),
        tar::EntryType::Fifo => "FIFO".to_string(),
        other => format!("{other:?} entry"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(raw: &str) -> Option<String> {
        sanitize_entry_path(raw.as_bytes())
            .unwrap()
            .map(|p| p.to_string_lossy().into_owned())
    }

    fn refused(raw: &[u8]) -> String {
        sanitize_entry_path(raw).unwrap_err().to_string()
    }

    #[test]
    fn strips_the_go_directory() {
        assert_eq!(ok("go/bin/go").as_deref(), Some("bin/go"));
        assert_eq!(ok("go/").as_deref(), None);
        assert_eq!(ok("go").as_deref(), None);
        assert_eq!(ok("go//src///fmt/").as_deref(), Some("src/fmt"));
    }

    #[test]
    fn refuses_every_unsafe_path() {
        assert!(refused(b"../etc/passwd").contains("leads outside"));
        assert!(refused(b"go/../../x").contains("leads outside"));
        assert!(refused(b"go/bin/../../x").contains("leads outside"));
        assert!(refused(b"/etc/passwd").contains("absolute"));
        assert_eq!(ok("go/./x").as_deref(), Some("x"));
        assert!(refused(b"").contains("empty"));
        assert!(refused(b"go/a\0b").contains("NUL"));
        assert_eq!(refused(b"gopher/x"), "it has no top-level go/ directory");
        assert_eq!(refused(b"./go/x"), "it has no top-level go/ directory");
    }
}
