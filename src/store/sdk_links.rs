//! `$GVMR_HOME/sdk/`: stable paths to real Go roots, for editors that want
//! a Go SDK home rather than a `go` to run (GoLand, VS Code's `go.goroot`):
//!
//! ```text
//! sdk/default -> ../versions/go1.23.4    what the default selects
//! sdk/go1.23  -> ../versions/go1.23.4    the newest installed go1.23.x
//! sdk/go1.22  -> ../versions/go1.22.12
//! ```
//!
//! Each is a relative symbolic link to an installed version's directory
//! (a real Go root: `VERSION`, `bin/`, `src/runtime/`), so it survives the
//! data directory being moved. They are made again from what is installed
//! and from the default whenever either changes ([`Store::refresh_sdk_links`]):
//! a link is replaced by one rename, and a line with nothing installed, or
//! a default that names nothing installed (or `system`), has no link. No
//! name is `goroot`, which GoLand takes for an App Engine SDK.

use super::{FileError, Result, Store};
use gvmr_shim::home::VERSIONS_DIR;
use gvmr_shim::select::parse_go_version_file;
use gvmr_shim::{GoVersion, VersionRequest};
use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// The directory of the links, under the data directory.
pub const SDK_DIR: &str = "sdk";
/// The link to the default's version.
pub const DEFAULT_LINK: &str = "default";

impl Store {
    pub fn sdk_dir(&self) -> PathBuf {
        self.root.join(SDK_DIR)
    }

    /// `sdk/go1.22`: the stable path of `version`'s line.
    pub fn sdk_line_path(&self, version: &GoVersion) -> PathBuf {
        self.sdk_dir().join(line_name(version))
    }

    /// `sdk/default`.
    pub fn sdk_default_path(&self) -> PathBuf {
        self.sdk_dir().join(DEFAULT_LINK)
    }

    /// What the default file asks for; `None` when there is none or it
    /// cannot be read.
    pub fn default_request(&self) -> Option<VersionRequest> {
        let path = self.default_file();
        let text = fs::read_to_string(&path).ok()?;
        Some(parse_go_version_file(&text, &path).ok()??.request)
    }

    /// Writes `version` as the default unless a default is set (even one
    /// that names nothing installed): `true` when it did. Two first
    /// installs racing never overwrite each other's default.
    pub fn set_default_if_unset(&self, version: &GoVersion) -> Result<bool> {
        crate::files::write_new_atomically(
            &self.default_file(),
            format!("{}\n", version.number()).as_bytes(),
        )
    }

    /// Makes `sdk/` match what is installed and the default: each line's
    /// newest version and the default's get a link, stale links go.
    /// Serialized by a lock, so concurrent installs leave the last state.
    pub fn refresh_sdk_links(&self) -> Result<()> {
        let _lock = self.lock(SDK_DIR, || {})?;
        let wanted = wanted(&self.installed()?, self.default_request().as_ref());
        let dir = self.sdk_dir();
        let existing = match fs::read_dir(&dir) {
            Ok(entries) => entries.flatten().map(|e| e.path()).collect(),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(FileError::new("read", &dir, e)),
        };
        for path in existing {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            let ours = name == DEFAULT_LINK || is_line_name(name) || name.starts_with('.');
            if ours && !wanted.contains_key(name) && path.is_symlink() {
                fs::remove_file(&path).map_err(|e| FileError::new("remove", &path, e))?;
            }
        }
        if wanted.is_empty() {
            return Ok(());
        }
        fs::create_dir_all(&dir).map_err(|e| FileError::new("create", &dir, e))?;
        for (name, version) in &wanted {
            link(
                &dir.join(name),
                &Path::new("..").join(VERSIONS_DIR).join(version.to_string()),
            )?;
        }
        Ok(())
    }
}

/// Points the link `path` at `target`, replacing it in one rename.
fn link(path: &Path, target: &Path) -> Result<()> {
    if fs::read_link(path).is_ok_and(|current| current == target) {
        return Ok(());
    }
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("link");
    let temp = path.with_file_name(format!(".{name}.new"));
    let _ = fs::remove_file(&temp);
    std::os::unix::fs::symlink(target, &temp).map_err(|e| FileError::new("create", &temp, e))?;
    fs::rename(&temp, path).map_err(|e| FileError::new("replace", path, e))
}

/// `go1.22` for go1.22.5 (and for go1.22rc1).
fn line_name(version: &GoVersion) -> String {
    format!("go{}.{}", version.major, version.minor)
}

/// A name [`line_name`] makes.
fn is_line_name(name: &str) -> bool {
    name.strip_prefix("go")
        .and_then(|rest| rest.split_once('.'))
        .is_some_and(|(major, minor)| {
            [major, minor]
                .iter()
                .all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        })
}

/// Link name → version: the newest installed version of each line, and
/// what the default asks for among the installed ones.
fn wanted(
    installed: &[GoVersion],
    default: Option<&VersionRequest>,
) -> BTreeMap<String, GoVersion> {
    let mut links = BTreeMap::new();
    for version in installed {
        links
            .entry(line_name(version))
            .and_modify(|newest: &mut GoVersion| *newest = (*newest).max(*version))
            .or_insert(*version);
    }
    let default = default
        .filter(|request| **request != VersionRequest::System)
        .and_then(|request| request.best_match(installed));
    if let Some(version) = default {
        links.insert(DEFAULT_LINK.to_string(), version);
    }
    links
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> GoVersion {
        GoVersion::parse(s).unwrap()
    }

    fn names(links: &BTreeMap<String, GoVersion>) -> Vec<String> {
        links
            .iter()
            .map(|(name, v)| format!("{name}={v}"))
            .collect()
    }

    #[test]
    fn each_line_links_its_newest_version_and_the_default_what_it_selects() {
        let installed = [
            v("1.23rc1"),
            v("1.22.5"),
            v("1.22.12"),
            v("1.20"),
            v("1.20.14"),
        ];
        let line = VersionRequest::parse("1.22").unwrap();
        assert_eq!(
            names(&wanted(&installed, Some(&line))),
            [
                "default=go1.22.12",
                "go1.20=go1.20.14",
                "go1.22=go1.22.12",
                "go1.23=go1.23rc1"
            ]
        );
        let missing = VersionRequest::parse("1.21.13").unwrap();
        for default in [Some(&missing), Some(&VersionRequest::System), None] {
            assert!(!wanted(&installed, default).contains_key(DEFAULT_LINK));
        }
        assert!(wanted(&[], None).is_empty());
    }

    #[test]
    fn refreshing_links_what_is_installed_and_drops_what_is_not() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store {
            root: tmp.path().join("home"),
            deletion: super::super::Deletion::Inline,
        };
        store.refresh_sdk_links().unwrap();
        assert!(!store.sdk_dir().exists(), "nothing installed, no sdk/");
        for version in ["go1.22.5", "go1.22.12", "go1.21.13"] {
            fs::create_dir_all(store.versions_dir().join(version).join("bin")).unwrap();
        }
        assert!(store.set_default_if_unset(&v("1.21.13")).unwrap());
        assert!(!store.set_default_if_unset(&v("1.22.5")).unwrap());
        fs::create_dir_all(store.sdk_dir()).unwrap();
        fs::write(store.sdk_dir().join("notes"), "mine").unwrap();
        store.refresh_sdk_links().unwrap();
        let target = |name: &str| fs::read_link(store.sdk_dir().join(name)).unwrap();
        assert_eq!(target("go1.22"), Path::new("../versions/go1.22.12"));
        assert_eq!(target("default"), Path::new("../versions/go1.21.13"));
        assert!(store.sdk_line_path(&v("1.21.13")).join("bin").is_dir());

        fs::remove_dir_all(store.versions_dir().join("go1.22.12")).unwrap();
        fs::remove_dir_all(store.versions_dir().join("go1.21.13")).unwrap();
        store.refresh_sdk_links().unwrap();
        assert_eq!(target("go1.22"), Path::new("../versions/go1.22.5"));
        assert_eq!(
            crate::store::tests::names_in(&store.sdk_dir()),
            ["go1.22", "notes"]
        );
    }

    #[test]
    fn only_link_names_of_lines_count_as_ours() {
        for name in ["go1.22", "go10.0"] {
            assert!(is_line_name(name), "{name}");
        }
        for name in ["go1.22.5", "go1", "goroot", "go1.x", "notes", "go.22"] {
            assert!(!is_line_name(name), "{name}");
        }
    }
}
