//! The data directory and every change made to it.
//!
//! ```text
//! $GVMR_HOME/
//!   versions/go1.22.5/   installed toolchains (what `go env GOROOT` says)
//!   downloads/           verified archives and their .asc, for reinstalls;
//!                        <file>.partial while one downloads (resumed by
//!                        the next attempt or run, see net/download.rs)
//!   cache/               the release listing
//!   shims/               go and gofmt
//!   sdk/                 default, go1.N: links to installed versions for
//!                        editors (see sdk_links.rs)
//!   manifests/           every installed file, for doctor and sizes
//!   default-packages     tools `go install`ed with each new toolchain
//!   projects.json        the version files gvmr has seen (for prune)
//!   locks/               one lock file per version, one for projects.json,
//!                        one for `gvmr self update`
//!   tmp/                 work directories of running installs; leftovers
//!                        of interrupted ones are removed by the next run
//! ```
//!
//! Nothing appears under `versions/` except by one `rename` of a complete,
//! verified tree, so an interrupted install never leaves a half version.

pub mod downloads;
pub mod manifest;
pub mod projects;
pub mod sdk_links;

use gvmr_shim::GoVersion;
use gvmr_shim::home::VERSIONS_DIR;
use gvmr_shim::select::installed_versions;
use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};

use crate::files::{lock_exclusive, try_lock_exclusive};

pub use crate::files::FileError;

pub struct Store {
    root: PathBuf,
    deletion: Deletion,
}

/// How removed trees are deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Deletion {
    /// By a detached `gvmr internal-purge` child: commands return at once.
    Background,
    /// In this process (unit tests, whose executable is not gvmr).
    #[cfg(test)]
    Inline,
}

/// Result alias for store operations.
pub type Result<T> = std::result::Result<T, FileError>;

/// An exclusive lock (on one version, `projects.json` or a self update); released
/// when dropped.
pub struct VersionLock {
    _file: File,
}

impl Store {
    /// The store at `data_dir` (`GVMR_HOME` or the platform's data
    /// directory, see [`crate::settings`]).
    pub fn open(data_dir: Option<PathBuf>) -> std::result::Result<Store, NoDataDir> {
        data_dir
            .map(|root| Store {
                root,
                deletion: Deletion::Background,
            })
            .ok_or(NoDataDir)
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn versions_dir(&self) -> PathBuf {
        self.root.join(VERSIONS_DIR)
    }

    pub fn version_dir(&self, version: &GoVersion) -> PathBuf {
        self.versions_dir().join(version.to_string())
    }

    pub fn downloads_dir(&self) -> PathBuf {
        self.root.join("downloads")
    }

    pub fn shims_dir(&self) -> PathBuf {
        self.root.join("shims")
    }

    /// Tools installed with every new toolchain (`module/path@version` lines).
    pub fn default_packages_file(&self) -> PathBuf {
        self.root.join("default-packages")
    }

    /// The file holding the global default version (`gvmr default`).
    pub fn default_file(&self) -> PathBuf {
        self.root.join(gvmr_shim::select::DEFAULT_FILE)
    }

    pub fn cache_dir(&self) -> PathBuf {
        self.root.join("cache")
    }

    fn tmp_dir(&self) -> PathBuf {
        self.root.join("tmp")
    }

    fn ensure_dir(&self, dir: &Path) -> Result<()> {
        fs::create_dir_all(dir).map_err(|e| FileError::new("create", dir, e))
    }

    pub fn is_installed(&self, version: &GoVersion) -> bool {
        self.version_dir(version).is_dir()
    }

    /// Installed versions, newest first.
    pub fn installed(&self) -> Result<Vec<GoVersion>> {
        let dir = self.versions_dir();
        installed_versions(&dir).map_err(|e| FileError::new("read", &dir, e))
    }

    /// Takes the lock for `version`, waiting for another gvmr that holds it.
    /// `on_wait` is called once if the lock is busy.
    pub fn lock_version(&self, version: &GoVersion, on_wait: impl FnOnce()) -> Result<VersionLock> {
        self.lock(&version.to_string(), on_wait)
    }

    /// The lock for `version` if no other gvmr holds it (`None` if one does).
    pub fn try_lock_version(&self, version: &GoVersion) -> Result<Option<VersionLock>> {
        self.try_lock(&version.to_string())
    }

    /// The lock `locks/<name>.lock` if no other gvmr holds it (`None` if
    /// one does).
    pub fn try_lock(&self, name: &str) -> Result<Option<VersionLock>> {
        let path = self.lock_path(name)?;
        Ok(try_lock_exclusive(&path)?.map(|file| VersionLock { _file: file }))
    }

    /// `locks/<name>.lock`, its directory created.
    pub fn lock_path(&self, name: &str) -> Result<PathBuf> {
        let dir = self.root.join("locks");
        self.ensure_dir(&dir)?;
        Ok(dir.join(format!("{name}.lock")))
    }

    /// Takes the lock `locks/<name>.lock`, waiting for another gvmr that
    /// holds it; `on_wait` is called once if it is busy.
    fn lock(&self, name: &str, on_wait: impl FnOnce()) -> Result<VersionLock> {
        let file = lock_exclusive(&self.lock_path(name)?, on_wait)?;
        Ok(VersionLock { _file: file })
    }

    /// Removes what interrupted runs left for `version`. Call with its lock held.
    pub fn clean_leftovers(&self, version: &GoVersion) {
        let prefix = format!("{version}.");
        let Ok(entries) = fs::read_dir(self.tmp_dir()) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            if name.to_string_lossy().starts_with(&prefix) {
                // Best effort: a leftover that resists is retried next time.
                let _ = fs::remove_dir_all(entry.path());
            }
        }
    }

    /// A fresh work directory for an install of `version`, inside the data
    /// dir (same file system, so the final rename is atomic). It is removed
    /// when dropped; after a crash, by the next `clean_leftovers`.
    pub fn work_dir(&self, version: &GoVersion) -> Result<tempfile::TempDir> {
        let tmp = self.tmp_dir();
        self.ensure_dir(&tmp)?;
        tempfile::Builder::new()
            .prefix(&format!("{version}."))
            .tempdir_in(&tmp)
            .map_err(|e| FileError::new("create a work directory in", &tmp, e))
    }

    /// Makes the complete tree at `staged` the installed `version`, replacing
    /// an existing one. Call with the version's lock held.
    pub fn commit_version(&self, staged: &Path, version: &GoVersion) -> Result<PathBuf> {
        let versions = self.versions_dir();
        self.ensure_dir(&versions)?;
        let target = self.version_dir(version);
        if target.exists() {
            self.remove_version(version)?;
        }
        fs::rename(staged, &target).map_err(|e| FileError::new("move into place", &target, e))?;
        Ok(target)
    }

    /// Removes an installed version: one rename makes it disappear, then the
    /// tree (about 12,000 files) is deleted by a detached child process, so
    /// the command returns at once. Call with the version's lock held.
    pub fn remove_version(&self, version: &GoVersion) -> Result<()> {
        let target = self.version_dir(version);
        let trash = self.work_dir(version)?;
        let doomed = trash.path().join("removed");
        fs::rename(&target, &doomed).map_err(|e| FileError::new("remove", &target, e))?;
        match self.deletion {
            Deletion::Background => delete_in_background(trash.keep()),
            #[cfg(test)]
            Deletion::Inline => drop(trash),
        }
        Ok(())
    }

    /// Deletes `path` if it is a work directory under `tmp/` (what
    /// `delete_in_background` hands to the child); anything else is refused.
    pub fn purge(&self, path: &Path) -> Result<()> {
        let tmp = self.tmp_dir();
        let inside =
            path.parent() == Some(tmp.as_path()) && path.file_name().is_some_and(|n| !n.is_empty());
        if !inside {
            return Err(FileError::new(
                "purge",
                path,
                io::Error::other(format!("not a work directory in {}", tmp.display())),
            ));
        }
        match fs::remove_dir_all(path) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(FileError::new("remove", path, e)),
            _ => Ok(()),
        }
    }

    /// The bytes of an installed version's files: from its manifest when
    /// it has one (no walk over 12,000 files), else by walking the tree.
    pub fn version_size(&self, version: &GoVersion) -> u64 {
        manifest::total_size(&self.root, version)
            .unwrap_or_else(|| tree_size(&self.version_dir(version)))
    }

    /// Where a verified archive is kept for reinstalls.
    pub fn cached_download(&self, file_name: &str) -> PathBuf {
        self.downloads_dir().join(file_name)
    }

    /// Moves a verified file into the downloads cache.
    pub fn keep_download(&self, from: &Path, file_name: &str) -> Result<PathBuf> {
        let dir = self.downloads_dir();
        self.ensure_dir(&dir)?;
        let to = dir.join(file_name);
        fs::rename(from, &to)
            .map_err(|e| FileError::new("move into the downloads cache", &to, e))?;
        Ok(to)
    }
}

/// The sum of the sizes of the regular files under `dir` (links not followed).
fn tree_size(dir: &Path) -> u64 {
    let mut total = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        let Ok(entries) = fs::read_dir(&current) else {
            continue;
        };
        for entry in entries.flatten() {
            match entry.metadata() {
                Ok(meta) if meta.is_dir() => stack.push(entry.path()),
                Ok(meta) if meta.is_file() => total += meta.len(),
                _ => {}
            }
        }
    }
    total
}

/// Starts `gvmr internal-purge DIR` without waiting for it; deletes inline
/// when no child can be started. A crash leaves the directory to
/// `clean_leftovers`.
fn delete_in_background(dir: PathBuf) {
    let spawned = crate::files::own_executable().and_then(|exe| {
        std::process::Command::new(exe)
            .arg("internal-purge")
            .arg(&dir)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
    });
    if spawned.is_err() {
        let _ = fs::remove_dir_all(&dir);
    }
}

/// Neither `GVMR_HOME` nor `HOME` is set.
#[derive(Debug, thiserror::Error)]
#[error("cannot find a data directory: set GVMR_HOME (or HOME)")]
pub struct NoDataDir;

#[cfg(test)]
mod tests {
    use super::*;

    /// The sorted names in `dir`.
    pub(super) fn names_in(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        names
    }

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store {
            root: dir.path().join("home"),
            deletion: Deletion::Inline,
        };
        (dir, store)
    }

    fn v(s: &str) -> GoVersion {
        GoVersion::parse(s).unwrap()
    }

    fn stage(store: &Store, version: &GoVersion, marker: &str) -> tempfile::TempDir {
        let work = store.work_dir(version).unwrap();
        fs::create_dir_all(work.path().join("go/bin")).unwrap();
        fs::write(work.path().join("go/bin/go"), marker).unwrap();
        work
    }

    #[test]
    fn commit_makes_a_version_appear_and_remove_makes_it_go() {
        let (_tmp, store) = store();
        let version = v("1.22.5");
        assert!(store.installed().unwrap().is_empty());
        let work = stage(&store, &version, "one");
        let dir = store
            .commit_version(&work.path().join("go"), &version)
            .unwrap();
        assert_eq!(dir, store.root().join("versions/go1.22.5"));
        assert_eq!(store.installed().unwrap(), [version]);
        drop(work);

        let again = stage(&store, &version, "two");
        store
            .commit_version(&again.path().join("go"), &version)
            .unwrap();
        assert_eq!(fs::read_to_string(dir.join("bin/go")).unwrap(), "two");

        store.remove_version(&version).unwrap();
        assert!(!store.is_installed(&version));
        assert!(store.installed().unwrap().is_empty());
        drop(again);
        let leftovers: Vec<_> = fs::read_dir(store.root().join("tmp")).unwrap().collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }

    #[test]
    fn purge_only_deletes_work_directories() {
        let (_tmp, store) = store();
        let work = store.work_dir(&v("1.22.5")).unwrap().keep();
        fs::create_dir_all(store.versions_dir()).unwrap();
        assert!(store.purge(&store.versions_dir()).is_err());
        assert!(store.purge(Path::new("/")).is_err());
        assert!(store.purge(&store.root().join("tmp/../versions")).is_err());
        store.purge(&work).unwrap();
        assert!(!work.exists() && store.versions_dir().exists());
    }

    #[test]
    fn installed_lists_newest_first_and_ignores_strangers() {
        let (_tmp, store) = store();
        for name in [
            "go1.21.0",
            "go1.22.5",
            "go1.20",
            "go1.9.2rc2",
            "notes",
            "go1.22.05",
        ] {
            fs::create_dir_all(store.versions_dir().join(name)).unwrap();
        }
        fs::write(store.versions_dir().join("go1.23.0"), "a file").unwrap();
        let names: Vec<String> = store
            .installed()
            .unwrap()
            .iter()
            .map(|v| v.to_string())
            .collect();
        assert_eq!(names, ["go1.22.5", "go1.21.0", "go1.20", "go1.9.2rc2"]);
    }

    #[test]
    fn leftovers_of_one_version_are_cleaned_and_others_kept() {
        let (_tmp, store) = store();
        let a = store.work_dir(&v("1.22.5")).unwrap().keep();
        let b = store.work_dir(&v("1.22.50")).unwrap().keep();
        let c = store.work_dir(&v("1.21.0")).unwrap().keep();
        store.clean_leftovers(&v("1.22.5"));
        assert!(!a.exists());
        assert!(b.exists() && c.exists());
    }

    #[test]
    fn a_second_lock_waits_for_the_first() {
        let (_tmp, store) = store();
        let version = v("1.22.5");
        let held = store
            .lock_version(&version, || panic!("first lock must not wait"))
            .unwrap();
        let root = store.root().to_path_buf();
        let waited = std::thread::spawn(move || {
            let store = Store {
                root,
                deletion: Deletion::Inline,
            };
            let mut waited = false;
            let _lock = store.lock_version(&version, || waited = true).unwrap();
            waited
        });
        std::thread::sleep(std::time::Duration::from_millis(100));
        drop(held);
        assert!(waited.join().unwrap());
    }

    #[test]
    fn errors_name_the_path_and_a_remedy() {
        let err = FileError::new(
            "write",
            Path::new("/x/y"),
            io::Error::from(io::ErrorKind::StorageFull),
        );
        assert_eq!(
            err.to_string(),
            "cannot write /x/y: no space left on the device"
        );
        assert!(err.hint().contains("free some disk space"));
    }
}
