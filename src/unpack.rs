//! Strict, fast unpacking of a *verified* Go archive into a staging directory.
//!
//! Go archives hold a top-level `go/` directory of regular files and
//! directories, nothing else. Everything else (links, devices, absolute or
//! `..` paths, duplicates, absurd sizes) is refused by name. Decompression
//! runs on one thread and file creation on another.

use crate::checksum::{HashingWriter, Sha256Digest};
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
    #[error("entry {entry:?} lies outside {prefix}/; refusing the module zip")]
    OutsideModule { entry: String, prefix: String },
    #[error("it unpacks to more than {limit} bytes, far beyond any Go release; refusing it")]
    TooLarge { limit: u64 },
    #[error("it holds more than {limit} entries, far beyond any Go release; refusing it")]
    TooManyEntries { limit: u64 },
    #[error("cannot write {}: {}", path.display(), crate::store::describe_io(source))]
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
#[cfg(test)]
pub fn sanitize_entry_path(raw: &[u8]) -> Result<Option<PathBuf>, UnpackError> {
    sanitize_entry_path_under(raw, &Top::Go)
}

/// The directory every entry of an archive lies below, stripped on unpacking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Top {
    /// `go/`, as in Go's release archives.
    Go,
    /// A module zip's `<module>@<version>/` (e.g.
    /// `golang.org/toolchain@v0.0.1-go1.22.5.linux-amd64/`): entries outside
    /// it are refused, as Go refuses them.
    Module(String),
}

/// [`sanitize_entry_path`] for entries below `top`.
fn sanitize_entry_path_under(raw: &[u8], top: &Top) -> Result<Option<PathBuf>, UnpackError> {
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
    let prefix = match top {
        Top::Go => "go",
        Top::Module(prefix) => prefix.as_str(),
    };
    for expected in prefix.split('/') {
        match components.next() {
            Some(Component::Normal(part)) if part == expected => {}
            Some(Component::RootDir | Component::Prefix(_)) => {
                return Err(unsafe_path("absolute"));
            }
            Some(Component::ParentDir) => return Err(unsafe_path("leads outside with ..")),
            _ => {
                return Err(match top {
                    Top::Go => UnpackError::NoGoDirectory,
                    Top::Module(prefix) => UnpackError::OutsideModule {
                        entry: shown(),
                        prefix: prefix.clone(),
                    },
                });
            }
        }
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
    top: Top,
    stats: Stats,
    seen: HashSet<PathBuf>,
    saw_go: bool,
    /// `_go.mod` files written (module zips only), relative to `dest`.
    underscore_go_mods: Vec<PathBuf>,
}

impl<'a> TreeWriter<'a> {
    fn new(dest: &'a Path, limits: Limits) -> Result<TreeWriter<'a>, UnpackError> {
        TreeWriter::under(dest, limits, Top::Go)
    }

    fn under(dest: &'a Path, limits: Limits, top: Top) -> Result<TreeWriter<'a>, UnpackError> {
        fs::create_dir(dest).map_err(|source| UnpackError::Write {
            path: dest.to_path_buf(),
            source,
        })?;
        Ok(TreeWriter {
            dest,
            limits,
            top,
            stats: Stats::default(),
            seen: HashSet::new(),
            saw_go: false,
            underscore_go_mods: Vec::new(),
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
        let relative = sanitize_entry_path_under(raw, &self.top)?;
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
                let executable = match self.top {
                    Top::Go => executable,
                    // Module zips carry no modes: Go marks everything below
                    // bin/ and pkg/tool/ executable (cmd/go/internal/toolchain).
                    Top::Module(_) => {
                        relative.starts_with("bin") || relative.starts_with("pkg/tool")
                    }
                };
                if matches!(self.top, Top::Module(_))
                    && relative.file_name().is_some_and(|n| n == "_go.mod")
                {
                    self.underscore_go_mods.push(relative.clone());
                }
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
                let file = File::options()
                    .write(true)
                    .create_new(true)
                    .mode(if executable { 0o755 } else { 0o644 })
                    .open(&target)
                    .map_err(create_err(&target))?;
                let mut out = HashingWriter::new(file);
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
                let (digest, _, file) = out.finish();
                let meta = file.metadata().map_err(|source| UnpackError::Write {
                    path: target.clone(),
                    source,
                })?;
                self.stats
                    .written
                    .push(WrittenFile::new(relative, size, digest, &meta));
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
        if !self.saw_go {
            return Err(UnpackError::NoGoDirectory);
        }
        // Module zips cannot hold nested go.mod files, so Go's toolchain
        // zips store them as _go.mod; Go copies each back beside it (keeping
        // the _go.mod), and so does gvmr.
        let mut stats = self.stats;
        for underscore in &self.underscore_go_mods {
            let from = self.dest.join(underscore);
            let to = from.with_file_name("go.mod");
            let write_err = |source| UnpackError::Write {
                path: to.clone(),
                source,
            };
            fs::copy(&from, &to).map_err(write_err)?;
            let original = stats
                .written
                .iter()
                .find(|w| &w.path == underscore)
                .expect("every _go.mod was written")
                .clone();
            let meta = fs::metadata(&to).map_err(write_err)?;
            stats.written.push(WrittenFile::new(
                underscore.with_file_name("go.mod"),
                original.size,
                original.sha256,
                &meta,
            ));
        }
        Ok(stats)
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
    unpack_zip_under(archive, dest, limits, Top::Go)
}

/// Unpacks a Go toolchain module zip (`golang.org/toolchain@v0.0.1-go…`)
/// into `dest` as Go does: the `<module>@<version>/` prefix stripped (entries
/// outside it refused), files below `bin/` and `pkg/tool/` made executable,
/// every `_go.mod` copied to `go.mod` beside it.
pub fn unpack_module_zip(
    archive: &Path,
    dest: &Path,
    prefix: &str,
    limits: Limits,
) -> Result<Stats, UnpackError> {
    unpack_zip_under(archive, dest, limits, Top::Module(prefix.to_string()))
}

fn unpack_zip_under(
    archive: &Path,
    dest: &Path,
    limits: Limits,
    top: Top,
) -> Result<Stats, UnpackError> {
    let file = File::open(archive).map_err(|source| UnpackError::Write {
        path: archive.to_path_buf(),
        source,
    })?;
    let mut zip = zip::ZipArchive::new(BufReader::new(file))
        .map_err(|e| UnpackError::NotArchive(format!("not a zip archive: {e}")))?;
    let mut tree = TreeWriter::under(dest, limits, top)?;
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

    const PREFIX: &str = "golang.org/toolchain@v0.0.1-go1.22.5.linux-amd64";

    fn module_zip(dir: &Path, names: &[&str]) -> PathBuf {
        use std::io::Write;
        let path = dir.join("m.zip");
        let mut zip = zip::ZipWriter::new(File::create(&path).unwrap());
        for name in names {
            zip.start_file(*name, zip::write::SimpleFileOptions::default())
                .unwrap();
            zip.write_all(format!("content of {name}").as_bytes())
                .unwrap();
        }
        zip.finish().unwrap();
        path
    }

    #[test]
    fn module_zips_unpack_as_go_does() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let names: Vec<String> = [
            "go.mod",
            "bin/go",
            "pkg/tool/linux_amd64/compile",
            "src/_go.mod",
            "src/cmd/_go.mod",
            "src/fmt/print.go",
        ]
        .iter()
        .map(|n| format!("{PREFIX}/{n}"))
        .collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let zip = module_zip(dir.path(), &names);
        let dest = dir.path().join("go");
        unpack_module_zip(&zip, &dest, PREFIX, Limits::default()).unwrap();
        let mode = |p: &str| fs::metadata(dest.join(p)).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode("bin/go"), 0o755);
        assert_eq!(mode("pkg/tool/linux_amd64/compile"), 0o755);
        assert_eq!(mode("src/fmt/print.go"), 0o644);
        assert_eq!(mode("go.mod"), 0o644);
        for dir_ in ["src", "src/cmd"] {
            let underscore = fs::read(dest.join(dir_).join("_go.mod")).unwrap();
            assert_eq!(
                fs::read(dest.join(dir_).join("go.mod")).unwrap(),
                underscore
            );
        }
    }

    #[test]
    fn module_zips_refuse_entries_outside_the_prefix() {
        let dir = tempfile::tempdir().unwrap();
        for bad in [
            "golang.org/toolchain@v0.0.1-go1.22.4.linux-amd64/bin/go",
            "golang.org/x",
            "go/bin/go",
        ] {
            let zip = module_zip(dir.path(), &[&format!("{PREFIX}/VERSION"), bad]);
            let dest = dir.path().join("go");
            let _ = fs::remove_dir_all(&dest);
            let err = unpack_module_zip(&zip, &dest, PREFIX, Limits::default()).unwrap_err();
            assert!(
                matches!(err, UnpackError::OutsideModule { .. }),
                "{bad}: {err}"
            );
        }
        let zip = module_zip(dir.path(), &[&format!("{PREFIX}/../../x")]);
        let dest = dir.path().join("go2");
        let err = unpack_module_zip(&zip, &dest, PREFIX, Limits::default()).unwrap_err();
        assert!(err.to_string().contains("leads outside"), "{err}");
    }
}

/// Property-based fuzzing (proptest); `scripts/fuzz.sh` runs these far longer.
#[cfg(test)]
mod fuzz {
    use super::*;
    use proptest::prelude::*;
    use std::io::Write;

    /// Path-like byte strings: segments that matter joined by `/`, plus
    /// arbitrary bytes. `{ABS}` is replaced by an absolute path by callers
    /// that have one.
    fn raw_name() -> impl Strategy<Value = Vec<u8>> {
        let segment = prop_oneof![
            4 => Just(b"go".to_vec()),
            2 => Just(b"..".to_vec()),
            2 => Just(b".".to_vec()),
            2 => Just(Vec::new()),
            2 => "[a-z]{1,3}".prop_map(String::into_bytes),
            1 => Just(b"go..".to_vec()),
            1 => Just(b"...".to_vec()),
            1 => Just(b"\\..".to_vec()),
            1 => Just(b"a\0b".to_vec()),
            1 => Just(vec![0xff, 0xfe]),
            1 => Just(b"{ABS}".to_vec()),
            1 => (1usize..60).prop_map(|n| b"x".repeat(n)),
            1 => prop::collection::vec(any::<u8>(), 0..6),
        ];
        prop_oneof![
            8 => (
                prop::sample::select(&["", "", "", "/", "./", "//"][..]),
                prop::collection::vec(segment, 0..7),
                any::<bool>(),
            )
                .prop_map(|(lead, segments, trailing)| {
                    let mut name = lead.as_bytes().to_vec();
                    name.extend(segments.join(&b'/'));
                    if trailing {
                        name.push(b'/');
                    }
                    name
                }),
            1 => prop::collection::vec(any::<u8>(), 0..300),
        ]
    }

    /// What `sanitize_entry_path` should make of `raw`: the `/`-separated
    /// parts after the first, without empty and `.` parts.
    fn model(raw: &[u8]) -> Option<Vec<&[u8]>> {
        let mut parts = raw.split(|&b| b == b'/');
        if parts.next() != Some(b"go") {
            return None;
        }
        let rest: Vec<&[u8]> = parts.filter(|p| !p.is_empty() && *p != b".").collect();
        (!rest.iter().any(|p| *p == b"..")).then_some(rest)
    }

    proptest! {
        #[test]
        fn sanitized_paths_stay_below_the_base(raw in raw_name()) {
            let base = Path::new("/staging/base");
            let starts_with_go = raw == b"go" || raw.starts_with(b"go/");
            match sanitize_entry_path(&raw) {
                Ok(Some(path)) => {
                    prop_assert!(starts_with_go, "{raw:?} accepted");
                    prop_assert!(path.is_relative());
                    prop_assert!(!path.as_os_str().is_empty());
                    prop_assert!(path.components().all(|c| matches!(c, Component::Normal(_))), "{path:?}");
                    let joined = base.join(&path);
                    prop_assert!(joined.starts_with(base), "{joined:?}");
                    prop_assert_eq!(joined.components().count(), base.components().count() + path.components().count());
                    let expected = model(&raw).expect("the model accepts it too");
                    let parts: Vec<&[u8]> = path.iter().map(|p| p.as_bytes()).collect();
                    prop_assert_eq!(parts, expected);
                }
                Ok(None) => {
                    prop_assert!(starts_with_go, "{raw:?} accepted");
                    prop_assert_eq!(model(&raw), Some(Vec::new()), "{:?}", String::from_utf8_lossy(&raw));
                }
                Err(_) => {
                    // Refused: the model refuses it too, or it holds a NUL.
                    prop_assert!(model(&raw).is_none() || raw.contains(&0), "{:?} refused", String::from_utf8_lossy(&raw));
                }
            }
            if !starts_with_go {
                prop_assert!(sanitize_entry_path(&raw).is_err());
            }
        }

        #[test]
        fn unpacking_never_writes_outside_the_staging_directory(
            entries in prop::collection::vec((raw_name(), 0u8..6, raw_name()), 1..8),
        ) {
            let scratch = tempfile::tempdir().unwrap();
            let root = scratch.path().join("root");
            let staging = root.join("a/b/staging");
            fs::create_dir_all(staging.parent().unwrap()).unwrap();
            let archive = scratch.path().join("go.tar.gz");
            let abs = |name: &[u8]| -> Vec<u8> {
                let mut out = Vec::new();
                let root = root.as_os_str().as_bytes();
                let mut rest = name;
                while let Some(at) = rest.windows(5).position(|w| w == b"{ABS}") {
                    out.extend(&rest[..at]);
                    out.extend(root);
                    rest = &rest[at + 5..];
                }
                out.extend(rest);
                out
            };
            let mut tar = tar::Builder::new(Vec::new());
            for (name, kind, link) in &entries {
                append_raw(&mut tar, &abs(name), *kind, &abs(link));
            }
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            gz.write_all(&tar.into_inner().unwrap()).unwrap();
            fs::write(&archive, gz.finish().unwrap()).unwrap();

            let _ = unpack_tar_gz(&archive, &staging, Limits::default());

            // Everything under `root` is the staging tree or its parents, and
            // nothing is a link.
            let mut stack = vec![root.clone()];
            while let Some(dir) = stack.pop() {
                for entry in fs::read_dir(&dir).unwrap() {
                    let path = entry.unwrap().path();
                    let meta = fs::symlink_metadata(&path).unwrap();
                    prop_assert!(!meta.file_type().is_symlink(), "{path:?} is a link");
                    prop_assert!(
                        path.starts_with(&staging) || staging.starts_with(&path),
                        "{path:?} was created outside {staging:?}"
                    );
                    if meta.is_dir() {
                        stack.push(path);
                    }
                }
            }
            let outside: Vec<_> = fs::read_dir(scratch.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
            prop_assert_eq!(outside.len(), 2, "{:?}", outside);
        }
    }

    /// Appends one entry whose name (and link target) are exactly `name`
    /// (and `link`): GNU long-name records for ones over 100 bytes.
    fn append_raw(tar: &mut tar::Builder<Vec<u8>>, name: &[u8], kind: u8, link: &[u8]) {
        let (entry_type, data): (tar::EntryType, &[u8]) = match kind {
            0 | 1 => (tar::EntryType::Regular, b"data"),
            2 => (tar::EntryType::Directory, b""),
            3 => (tar::EntryType::Symlink, b""),
            4 => (tar::EntryType::Link, b""),
            _ => (tar::EntryType::Fifo, b""),
        };
        let long = |tar: &mut tar::Builder<Vec<u8>>, kind, bytes: &[u8]| {
            let mut data = bytes.to_vec();
            data.push(0);
            let mut header = tar::Header::new_gnu();
            header.set_entry_type(kind);
            header.set_mode(0o644);
            header.set_size(data.len() as u64);
            copy_truncated(&mut header.as_old_mut().name, b"././@LongLink");
            header.set_cksum();
            tar.append(&header, &data[..]).unwrap();
        };
        if name.len() > 100 {
            long(tar, tar::EntryType::GNULongName, name);
        }
        let has_link = matches!(entry_type, tar::EntryType::Symlink | tar::EntryType::Link);
        if has_link && link.len() > 100 {
            long(tar, tar::EntryType::GNULongLink, link);
        }
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(entry_type);
        header.set_mode(if kind == 1 { 0o755 } else { 0o644 });
        header.set_size(data.len() as u64);
        copy_truncated(&mut header.as_old_mut().name, name);
        if has_link {
            copy_truncated(&mut header.as_old_mut().linkname, link);
        }
        header.set_cksum();
        tar.append(&header, data).unwrap();
    }

    fn copy_truncated(field: &mut [u8], bytes: &[u8]) {
        field.fill(0);
        let n = bytes.len().min(field.len());
        field[..n].copy_from_slice(&bytes[..n]);
    }
}
