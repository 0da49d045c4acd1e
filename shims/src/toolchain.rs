//! From a selection to a toolchain on disk, and the environment a toolchain
//! runs with. Shared by the shims and by `gvmr env`/`exec`/hooks.

use crate::home::VERSIONS_DIR;
use crate::select::{Requirement, Selection, installed_versions};
use crate::version::{GoVersion, VersionRequest};
use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};

/// The programs the shims stand in for (`$GVMR_HOME/shims/go`, `gofmt`).
pub const TOOLS: [&str; 2] = ["go", "gofmt"];

/// What `GOTOOLCHAIN` is set to wherever gvmr runs a toolchain, unless the
/// user set it: Go's own toolchain switching must not override the pin.
pub const PINNED_GOTOOLCHAIN: &str = "local";

/// A selection resolved against what is installed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    pub selection: Selection,
    /// The concrete version: installed, or the exact one to install.
    /// `None` when a partial request (`1.22`, `latest`) matches nothing installed.
    pub version: Option<GoVersion>,
    /// `$GVMR_HOME/versions/<version>` when that version is installed.
    pub goroot: Option<PathBuf>,
}

/// Resolves `selection` against the versions installed under `home`.
pub fn resolve(selection: Selection, home: &Path) -> Resolved {
    let versions = home.join(VERSIONS_DIR);
    let version = match selection.requirement {
        // An exact request needs no directory listing: the shim's fast path.
        Requirement::Request(VersionRequest::Exact(v)) => Some(v),
        requirement => requirement
            .pick_installed(&installed_versions(&versions).unwrap_or_default())
            .or(requirement.exact()),
    };
    let goroot = version
        .map(|v| versions.join(v.to_string()))
        .filter(|dir| dir.join("bin").is_dir());
    Resolved {
        selection,
        version,
        goroot,
    }
}

impl Resolved {
    /// `go1.22.5 is selected by /p/.go-version but not installed; run: gvmr install 1.22.5`
    pub fn not_installed_message(&self) -> String {
        let what = match self.version {
            Some(v) => v.to_string(),
            None => self.selection.requirement.to_string(),
        };
        format!(
            "{what} is selected by {} but not installed; run: gvmr install {}",
            self.selection.source,
            self.install_argument()
        )
    }

    /// What `gvmr install` needs to satisfy this selection.
    pub fn install_argument(&self) -> String {
        match self.version {
            Some(v) => v.number(),
            None => self.selection.requirement.install_argument(),
        }
    }
}

/// `PATH` with `bin` first: any earlier copy of `bin` and the entry a
/// previous activation added (`previous`) are removed, everything else is
/// kept in order.
pub fn path_with_first(bin: &Path, path: Option<&OsStr>, previous: Option<&Path>) -> OsString {
    let mut entries: Vec<PathBuf> = vec![bin.to_path_buf()];
    if let Some(path) = path {
        entries.extend(
            std::env::split_paths(path).filter(|p| p != bin && Some(p.as_path()) != previous),
        );
    }
    std::env::join_paths(entries).unwrap_or_else(|_| bin.as_os_str().to_owned())
}

/// `PATH` without the entry a previous activation added.
pub fn path_without(path: &OsStr, added: &Path) -> OsString {
    let kept: Vec<PathBuf> = std::env::split_paths(path).filter(|p| p != added).collect();
    std::env::join_paths(kept).unwrap_or_else(|_| path.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::select::Source;

    #[test]
    fn bin_goes_first_once_and_the_previous_entry_goes() {
        let path = OsStr::new("/usr/bin:/h/v/go1.21.0/bin:/x:/h/v/go1.22.5/bin");
        let out = path_with_first(
            Path::new("/h/v/go1.22.5/bin"),
            Some(path),
            Some(Path::new("/h/v/go1.21.0/bin")),
        );
        assert_eq!(out, "/h/v/go1.22.5/bin:/usr/bin:/x");
        assert_eq!(path_with_first(Path::new("/b"), None, None), "/b");
        assert_eq!(
            path_without(OsStr::new("/a:/b:/c:/b"), Path::new("/b")),
            "/a:/c"
        );
    }

    #[test]
    fn messages_say_what_to_run() {
        let selection = Selection {
            requirement: Requirement::Request(VersionRequest::parse("1.22.5").unwrap()),
            source: Source::File(PathBuf::from("/p/.go-version")),
        };
        let resolved = resolve(selection, Path::new("/nonexistent-gvmr-home"));
        assert_eq!(resolved.goroot, None);
        assert_eq!(
            resolved.not_installed_message(),
            "go1.22.5 is selected by /p/.go-version but not installed; run: gvmr install 1.22.5"
        );
        let line = Selection {
            requirement: Requirement::Request(VersionRequest::parse("1.22").unwrap()),
            source: Source::Env,
        };
        let resolved = resolve(line, Path::new("/nonexistent-gvmr-home"));
        assert_eq!(
            resolved.not_installed_message(),
            "1.22 is selected by GVMR_GO_VERSION but not installed; run: gvmr install 1.22"
        );
    }
}
