//! The rules every archive entry must pass, and the writer that applies
//! them: entry paths sanitised below one top directory, only files and
//! directories, no duplicates or clashes, the size and count limits, each
//! file hashed as it is written.

use super::{Limits, Stats, UnpackError, WrittenFile, classify_stream_error};
use crate::digest::HashingWriter;
use indicatif::ProgressBar;
use std::collections::HashSet;
use std::fs::{self, File};
use std::io::{self, Read};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Component, Path, PathBuf};

/// The path below `go/` of an archive entry, refusing anything that is not
/// a plain relative path. `None` for the `go/` directory itself.
#[cfg(test)]
pub(super) fn sanitize_entry_path(raw: &[u8]) -> Result<Option<PathBuf>, UnpackError> {
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

/// Whether the `go` command, switching to a toolchain it unzipped from a
/// module proxy, makes the file at `relative` executable
/// (cmd/go/internal/toolchain: `allowExec` on everything below `pkg/tool/`
/// and `bin/`, and below `lib/` on files named like `go_?*_?*_exec`, the
/// exec wrappers such as `lib/wasm/go_js_wasm_exec`).
fn go_switch_makes_executable(relative: &Path) -> bool {
    relative.starts_with("bin")
        || relative.starts_with("pkg/tool")
        || (relative.starts_with("lib")
            && relative
                .file_name()
                .and_then(|name| name.to_str())
                .is_some_and(is_exec_wrapper_name))
}

/// `name` matches Go's `go_?*_?*_exec`: `go_`, then two non-empty parts
/// joined by `_` (either may hold more `_`), then `_exec`.
fn is_exec_wrapper_name(name: &str) -> bool {
    let Some(middle) = name
        .strip_prefix("go_")
        .and_then(|rest| rest.strip_suffix("_exec"))
    else {
        return false;
    };
    // An `_` with at least one character on each side.
    let middle = middle.as_bytes();
    middle.len() >= 3 && middle[1..middle.len() - 1].contains(&b'_')
}

/// What an archive entry is, in the terms both archive formats share.
pub(super) enum EntryKind {
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
pub(super) struct TreeWriter<'a> {
    dest: &'a Path,
    limits: Limits,
    /// Its prefix shows the files written (the reader advances it by the
    /// archive's bytes read).
    progress: &'a ProgressBar,
    top: Top,
    stats: Stats,
    seen: HashSet<PathBuf>,
    saw_go: bool,
    /// `_go.mod` files written (module zips only), relative to `dest`.
    underscore_go_mods: Vec<PathBuf>,
}

impl<'a> TreeWriter<'a> {
    pub(super) fn new(
        dest: &'a Path,
        limits: Limits,
        progress: &'a ProgressBar,
    ) -> Result<TreeWriter<'a>, UnpackError> {
        TreeWriter::under(dest, limits, Top::Go, progress)
    }

    pub(super) fn under(
        dest: &'a Path,
        limits: Limits,
        top: Top,
        progress: &'a ProgressBar,
    ) -> Result<TreeWriter<'a>, UnpackError> {
        fs::create_dir(dest).map_err(|source| UnpackError::Write {
            path: dest.to_path_buf(),
            source,
        })?;
        Ok(TreeWriter {
            dest,
            limits,
            progress,
            top,
            stats: Stats::default(),
            seen: HashSet::new(),
            saw_go: false,
            underscore_go_mods: Vec::new(),
        })
    }

    /// Writes one entry; `content` is read only for files.
    pub(super) fn entry(
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
                    // As the go command's toolchain switch: it unzips every
                    // file read-only, ignoring the modes the zip carries
                    // (golang.org/x/mod/zip), then makes these executable.
                    Top::Module(_) => go_switch_makes_executable(&relative),
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
                if !self.progress.is_hidden() {
                    self.progress.set_prefix(self.stats.files.to_string());
                }
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

    pub(super) fn finish(self) -> Result<Stats, UnpackError> {
        if !self.saw_go {
            return Err(UnpackError::NoGoDirectory);
        }
        // Module zips cannot hold nested go.mod files, so Go's toolchain
        // zips store them as _go.mod; Go copies each back beside it (keeping
        // the _go.mod), and so does gvmr.
        let mut stats = self.stats;
        for underscore in &self.underscore_go_mods {
            let go_mod = underscore.with_file_name("go.mod");
            if self.seen.contains(&go_mod) {
                // Copying would overwrite a file the archive holds.
                return Err(UnpackError::Clash {
                    entry: go_mod.to_string_lossy().into_owned(),
                });
            }
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
                go_mod,
                original.size,
                original.sha256,
                &meta,
            ));
        }
        Ok(stats)
    }
}
