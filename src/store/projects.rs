//! The projects gvmr has seen: each version file that selected a version
//! here (`.go-version`, `.tool-versions`, `go.work`, `go.mod`) and what it
//! asked for, in `$GVMR_HOME/projects.json`, so that `gvmr prune` knows
//! which installed versions are still in use and `gvmr list` can say by
//! whom.
//!
//! Recorded by `gvmr use`, `current`, `install`, `upgrade` and the shell
//! hooks' `hook-env` (never by the shims), and only when something
//! changed: under `locks/projects.lock` the file is read, changed, written
//! to a temporary file and renamed, so concurrent writers never lose each
//! other's entries and readers never see half a file. A file that does not
//! parse is treated as empty (and replaced by the next write). Entries
//! whose file is gone are dropped by `gvmr prune`, which reports them.

use super::{FileError, Store};
use crate::files::{read_file_capped, write_atomically};
use gvmr_shim::VersionRequest;
use gvmr_shim::select::{Requirement, Selection, Source};
use gvmr_shim::version::Minimum;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

pub const PROJECTS_FILE: &str = "projects.json";
const LOCK_NAME: &str = "projects";
/// Far more than anyone's projects; a larger file is treated as damaged.
const MAX_BYTES: u64 = 16 << 20;

#[derive(Debug, Default, Serialize, Deserialize)]
struct ProjectsFile {
    /// Version file path → what it selected (`go1.22.5`, `1.22`, `>= go1.22.0`).
    projects: BTreeMap<String, String>,
}

/// The recorded projects: version file → what it selected when last seen.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Projects {
    pub files: BTreeMap<PathBuf, String>,
}

impl Projects {
    /// What a recorded entry asked for, parsed back.
    pub fn requirement(recorded: &str) -> Option<Requirement> {
        if let Some(min) = recorded.strip_prefix(">= ") {
            return Minimum::parse(min).ok().map(Requirement::AtLeast);
        }
        let requests: Vec<VersionRequest> = recorded
            .split_whitespace()
            .map(VersionRequest::parse)
            .collect::<Result<_, _>>()
            .ok()?;
        match requests.as_slice() {
            [one] => Some(Requirement::Request(*one)),
            [] => None,
            _ => Some(Requirement::FirstInstalled(requests)),
        }
    }
}

/// Reads the file as it is. `Err` says why it could not be used (it then
/// counts as empty).
fn read(path: &Path) -> Result<ProjectsFile, String> {
    match read_file_capped(path, MAX_BYTES) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map_err(|e| format!("{} is damaged ({e}); it is ignored", path.display())),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(ProjectsFile::default()),
        Err(e) => Err(format!("cannot read {}: {e}", path.display())),
    }
}

impl Store {
    pub fn projects_file(&self) -> PathBuf {
        self.root().join(PROJECTS_FILE)
    }

    /// The recorded projects, and a warning when the file is unusable.
    pub fn projects(&self) -> (Projects, Option<String>) {
        let (file, warning) = match read(&self.projects_file()) {
            Ok(file) => (file, None),
            Err(warning) => (ProjectsFile::default(), Some(warning)),
        };
        let files = file
            .projects
            .into_iter()
            .map(|(path, selects)| (PathBuf::from(path), selects))
            .collect();
        (Projects { files }, warning)
    }

    /// Records the project behind `selection` when a version file made it
    /// (not `GVMR_GO_VERSION`, not the default). Best effort: bookkeeping
    /// must never fail the command that resolved the version.
    pub fn remember_project(&self, selection: &Selection) {
        // A store whose directory has no write bits is a read-only image
        // shared by several users (as root could still write into it).
        if fs::metadata(self.root()).is_ok_and(|m| m.permissions().readonly()) {
            return;
        }
        if let Source::File(path) = &selection.source {
            let _ = self.update_projects(|projects| {
                let Some(key) = path.to_str() else {
                    return false; // not representable in JSON as written
                };
                let selects = selection.requirement.to_string();
                if projects.get(key) == Some(&selects) {
                    return false;
                }
                projects.insert(key.to_string(), selects);
                true
            });
        }
    }

    /// Drops the projects whose version files are `gone`.
    pub fn forget_projects(&self, gone: &[PathBuf]) -> Result<(), FileError> {
        self.update_projects(|projects| {
            let before = projects.len();
            projects.retain(|path, _| !gone.iter().any(|g| Path::new(path) == g));
            projects.len() != before
        })
    }

    /// Applies `change` (which says whether it changed anything) under the
    /// projects lock, writing the file only when it did.
    fn update_projects(
        &self,
        change: impl Fn(&mut BTreeMap<String, String>) -> bool,
    ) -> Result<(), FileError> {
        let path = self.projects_file();
        // Nothing to do is the common case (every prompt): decide unlocked.
        let mut probe = read(&path).unwrap_or_default();
        if !change(&mut probe.projects) {
            return Ok(());
        }
        let _lock = self.lock(LOCK_NAME, || {})?;
        let mut file = read(&path).unwrap_or_default();
        if change(&mut file.projects) {
            let json = serde_json::to_vec_pretty(&file).expect("projects serialize");
            write_atomically(&path, &json)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn selection(path: &Path, requirement: &str) -> Selection {
        Selection {
            requirement: Projects::requirement(requirement).unwrap(),
            source: Source::File(path.to_path_buf()),
            module: None,
            default: None,
        }
    }

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(Some(dir.path().join("home"))).unwrap();
        (dir, store)
    }

    #[test]
    fn projects_are_recorded_updated_and_forgotten() {
        let (dir, store) = store();
        let a = dir.path().join("a/.go-version");
        let b = dir.path().join("b/go.mod");
        store.remember_project(&selection(&a, "1.22.5"));
        store.remember_project(&selection(&b, ">= 1.22"));
        store.remember_project(&selection(&a, "1.22"));
        let (projects, warning) = store.projects();
        assert_eq!(warning, None);
        assert_eq!(projects.files.len(), 2);
        assert_eq!(projects.files[&a], "1.22");
        assert_eq!(projects.files[&b], ">= 1.22");
        assert_eq!(
            Projects::requirement(&projects.files[&b]),
            Some(Requirement::AtLeast(Minimum::parse("1.22").unwrap()))
        );
        // An asdf fallback list reads back as one.
        let list = Requirement::FirstInstalled(vec![
            VersionRequest::parse("1.22.5").unwrap(),
            VersionRequest::parse("1.21").unwrap(),
        ]);
        assert_eq!(Projects::requirement(&list.to_string()), Some(list));

        store.forget_projects(std::slice::from_ref(&a)).unwrap();
        assert_eq!(store.projects().0.files.keys().collect::<Vec<_>>(), [&b]);
    }

    #[test]
    fn the_environment_and_the_default_are_not_projects() {
        let (dir, store) = store();
        let mut env = selection(&dir.path().join("x"), "1.22.5");
        env.source = Source::Env;
        store.remember_project(&env);
        env.source = Source::Default(dir.path().join("home/default"));
        store.remember_project(&env);
        assert!(!store.projects_file().exists());
    }

    #[test]
    fn a_damaged_file_counts_as_empty_and_is_replaced() {
        let (dir, store) = store();
        fs::create_dir_all(store.root()).unwrap();
        fs::write(store.projects_file(), "{not json").unwrap();
        let (projects, warning) = store.projects();
        assert!(projects.files.is_empty());
        assert!(warning.unwrap().contains("is damaged"));
        let a = dir.path().join("a/.go-version");
        store.remember_project(&selection(&a, "1.22.5"));
        assert_eq!(
            store.projects(),
            (
                Projects {
                    files: [(a, "go1.22.5".to_string())].into()
                },
                None
            )
        );
    }

    #[test]
    fn concurrent_writers_keep_every_entry() {
        let (dir, store) = store();
        let root = store.root().to_path_buf();
        let threads: Vec<_> = (0..8)
            .map(|i| {
                let root = root.clone();
                let path = dir.path().join(format!("p{i}/.go-version"));
                std::thread::spawn(move || {
                    let store = Store::open(Some(root)).unwrap();
                    store.remember_project(&selection(&path, "1.22.5"));
                })
            })
            .collect();
        for thread in threads {
            thread.join().unwrap();
        }
        assert_eq!(store.projects().0.files.len(), 8);
    }
}
