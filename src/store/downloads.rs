//! What the downloads cache (`downloads/`) and the listing cache (`cache/`)
//! hold, and removing a version's cached files: its release archive
//! (`go1.22.5.linux-amd64.tar.gz`, any platform), the archive's `.asc` and
//! `.sha256`, a `.partial` download, and its toolchain module zip
//! (`v0.0.1-go1.22.5.linux-amd64.zip`).

use super::{FileError, Result, Store};
use crate::release::platform::parse_archive_name;
use gvmr_shim::GoVersion;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// One file of a cache directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachedFile {
    pub name: String,
    pub path: PathBuf,
    pub bytes: u64,
    pub modified: Option<SystemTime>,
    /// The Go version a download belongs to, when its name says.
    pub version: Option<GoVersion>,
}

/// The Go version a file of the downloads cache belongs to.
pub fn version_of(name: &str) -> Option<GoVersion> {
    let name = name.strip_suffix(".partial").unwrap_or(name);
    let name = [".asc", ".sha256"]
        .iter()
        .find_map(|suffix| name.strip_suffix(suffix))
        .unwrap_or(name);
    // Module zips are named by the module version `v0.0.1-go1.22.5.OS-ARCH`.
    let name = name.strip_prefix("v0.0.1-").unwrap_or(name);
    parse_archive_name(name).map(|(version, _)| version)
}

/// The regular files directly in `dir`, sorted by name; none when it does
/// not exist.
fn files_in(dir: &Path) -> Result<Vec<CachedFile>> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(FileError::new("read", dir, e)),
    };
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| FileError::new("read", dir, e))?;
        let Ok(meta) = entry.metadata() else {
            continue; // removed meanwhile
        };
        let Ok(name) = entry.file_name().into_string() else {
            continue; // not a name gvmr writes
        };
        if !meta.is_file() {
            continue;
        }
        files.push(CachedFile {
            version: version_of(&name),
            path: entry.path(),
            bytes: meta.len(),
            modified: meta.modified().ok(),
            name,
        });
    }
    files.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(files)
}

impl Store {
    /// Every file of the downloads cache.
    pub fn cached_downloads(&self) -> Result<Vec<CachedFile>> {
        files_in(&self.downloads_dir())
    }

    /// Every file of the listing cache.
    pub fn cached_listings(&self) -> Result<Vec<CachedFile>> {
        files_in(&self.cache_dir())
    }

    /// Removes `files` (from [`Store::cached_downloads`] or
    /// [`Store::cached_listings`]); a file already gone is fine. Returns
    /// the bytes freed.
    pub fn remove_cached(&self, files: &[CachedFile]) -> Result<u64> {
        let mut freed = 0;
        for file in files {
            match fs::remove_file(&file.path) {
                Ok(()) => freed += file.bytes,
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(FileError::new("remove", &file.path, e)),
            }
        }
        Ok(freed)
    }

    /// Removes every cached download of `version`; returns the bytes
    /// freed. Call with the version's lock held (a `.partial` may be
    /// growing otherwise).
    pub fn forget_downloads(&self, version: &GoVersion) -> Result<u64> {
        let files: Vec<CachedFile> = self
            .cached_downloads()?
            .into_iter()
            .filter(|f| f.version.as_ref() == Some(version))
            .collect();
        self.remove_cached(&files)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Option<GoVersion> {
        Some(GoVersion::parse(s).unwrap())
    }

    #[test]
    fn downloads_are_attributed_to_their_version() {
        for (name, version) in [
            ("go1.22.5.linux-amd64.tar.gz", v("1.22.5")),
            ("go1.22.5.linux-amd64.tar.gz.asc", v("1.22.5")),
            ("go1.22.5.linux-amd64.tar.gz.sha256", v("1.22.5")),
            ("go1.22.5.linux-amd64.tar.gz.partial", v("1.22.5")),
            ("go1.22.5.windows-amd64.zip", v("1.22.5")),
            ("v0.0.1-go1.22.5.linux-amd64.zip", v("1.22.5")),
            ("v0.0.1-go1.22.5.linux-arm.zip.partial", v("1.22.5")),
            ("go1.20.linux-amd64.tar.gz", v("1.20")),
            ("go1.20.1.linux-amd64.tar.gz", v("1.20.1")),
            ("go1.23rc1.darwin-arm64.tar.gz", v("1.23rc1")),
            ("notes.txt", None),
            ("go1.22.5.tar.gz", None),
        ] {
            assert_eq!(version_of(name), version, "{name}");
        }
    }

    #[test]
    fn forgetting_a_version_removes_only_its_files() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(Some(dir.path().to_path_buf())).unwrap();
        let downloads = store.downloads_dir();
        fs::create_dir_all(&downloads).unwrap();
        for name in [
            "go1.20.linux-amd64.tar.gz",
            "go1.20.linux-amd64.tar.gz.asc",
            "go1.20.1.linux-amd64.tar.gz",
            "go1.20.linux-amd64.tar.gz.partial",
            "v0.0.1-go1.20.linux-amd64.zip",
            "stranger",
        ] {
            fs::write(downloads.join(name), "12345").unwrap();
        }
        let freed = store.forget_downloads(&GoVersion::new(1, 20, 0)).unwrap();
        assert_eq!(freed, 20);
        let left: Vec<String> = store
            .cached_downloads()
            .unwrap()
            .into_iter()
            .map(|f| f.name)
            .collect();
        assert_eq!(left, ["go1.20.1.linux-amd64.tar.gz", "stranger"]);
    }
}
