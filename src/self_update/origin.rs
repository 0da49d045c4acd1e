//! Who installed this gvmr, as far as `gvmr self update` must know: a copy
//! that a package manager or cargo installed is theirs to update (a self
//! update would be undone, or fight them, at their next upgrade).
//!
//! - A package marks its build with the file `share/gvmr/package-manager`
//!   beside the `bin/` holding gvmr (the .deb: `/usr/share/gvmr/…` for
//!   `/usr/bin/gvmr`), holding `manager=NAME` and `update=COMMAND` lines.
//! - `cargo install` lists what it installed in `.crates2.json` beside the
//!   `bin/` it installs into (`~/.cargo/bin`, or `--root DIR`).
//! - Anything else (scripts/get.sh, a copy put in place by hand) updates
//!   itself.

use crate::net::url::DisplaySafeUrl;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

/// The marker a package puts beside `bin/`, relative to the prefix.
pub const PACKAGE_MANAGER_MARKER: &str = "share/gvmr/package-manager";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// get.sh, or by hand: self update may replace it.
    Standalone,
    PackageManager {
        manager: String,
        command: String,
    },
    /// `cargo install`, with the command that updates the copy.
    Cargo {
        command: String,
    },
}

/// Who installed the gvmr at `exe` (symlinks resolved).
pub fn origin(exe: &Path) -> Origin {
    let Some(bin) = exe.parent() else {
        return Origin::Standalone;
    };
    let Some(prefix) = bin.parent() else {
        return Origin::Standalone;
    };
    if let Ok(text) = std::fs::read_to_string(prefix.join(PACKAGE_MANAGER_MARKER)) {
        return package_manager(&text);
    }
    let exe_name = exe
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    std::fs::read(prefix.join(".crates2.json"))
        .ok()
        .and_then(|json| cargo_source(&json, &exe_name))
        .map(|source| Origin::Cargo {
            command: cargo_command(&source),
        })
        .unwrap_or(Origin::Standalone)
}

/// The marker's `manager=` and `update=` lines (defaults for a marker
/// without them: it still marks a package).
fn package_manager(text: &str) -> Origin {
    let field = |key: &str| {
        text.lines()
            .find_map(|l| l.trim().strip_prefix(key)?.strip_prefix('='))
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    Origin::PackageManager {
        manager: field("manager").unwrap_or_else(|| "a package manager".into()),
        command: field("update").unwrap_or_else(|| "your package manager's upgrade".into()),
    }
}

#[derive(Deserialize)]
struct CratesJson {
    installs: BTreeMap<String, CrateInstall>,
}

#[derive(Deserialize)]
struct CrateInstall {
    #[serde(default)]
    bins: Vec<String>,
}

/// The source (`registry+…`, `path+file:///…`, `git+…`) of the gvmr
/// package that `.crates2.json` says installed the binary `exe_name`.
fn cargo_source(json: &[u8], exe_name: &str) -> Option<String> {
    let crates: CratesJson = serde_json::from_slice(json).ok()?;
    crates.installs.into_iter().find_map(|(id, install)| {
        // "gvmr 0.1.0 (registry+https://github.com/rust-lang/crates.io-index)"
        let rest = id.strip_prefix("gvmr ")?;
        let source = rest.split_once(" (")?.1.strip_suffix(')')?;
        install
            .bins
            .iter()
            .any(|b| b == exe_name)
            .then(|| source.to_string())
    })
}

/// The command that updates a cargo-installed gvmr from `source`.
fn cargo_command(source: &str) -> String {
    if let Some(url) = source.strip_prefix("path+")
        && let Some(path) = DisplaySafeUrl::parse(url)
            .ok()
            .and_then(|url| url.to_file_path())
    {
        return format!(
            "update the checkout in {}, then run `sh scripts/install.sh` there",
            path.display()
        );
    }
    if let Some(git) = source.strip_prefix("git+") {
        let url = git.split(['?', '#']).next().unwrap_or(git);
        return format!("cargo install --locked --git {url} gvmr gvmr-shim");
    }
    "cargo install --locked gvmr gvmr-shim".to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn crates_json(id: &str) -> String {
        format!(
            r#"{{"installs":{{"{id}":{{"version_req":null,"bins":["gvmr"],"features":[]}},"gvmr-shim 0.1.0 (registry+x)":{{"bins":["gvmr-shim"]}}}}}}"#
        )
    }

    #[test]
    fn cargo_installs_are_recognised_with_their_source() {
        let registry =
            crates_json("gvmr 0.1.0 (registry+https://github.com/rust-lang/crates.io-index)");
        let source = cargo_source(registry.as_bytes(), "gvmr").unwrap();
        assert_eq!(
            cargo_command(&source),
            "cargo install --locked gvmr gvmr-shim"
        );
        let path = crates_json("gvmr 0.1.0 (path+file:///home/u/src/gvmr%20x)");
        let source = cargo_source(path.as_bytes(), "gvmr").unwrap();
        assert_eq!(
            cargo_command(&source),
            "update the checkout in /home/u/src/gvmr x, then run `sh scripts/install.sh` there"
        );
        let git = crates_json("gvmr 0.1.0 (git+https://example.org/gvmr?branch=main#0123abcd)");
        let source = cargo_source(git.as_bytes(), "gvmr").unwrap();
        assert_eq!(
            cargo_command(&source),
            "cargo install --locked --git https://example.org/gvmr gvmr gvmr-shim"
        );
        // Another package's binary, or a gvmr cargo does not list: not cargo's.
        assert_eq!(cargo_source(registry.as_bytes(), "gvmr-shim"), None);
        assert_eq!(cargo_source(b"{}", "gvmr"), None);
    }

    #[test]
    fn the_package_marker_names_the_manager_and_its_command() {
        let root = tempfile::tempdir().unwrap();
        let bin = root.path().join("usr/bin");
        std::fs::create_dir_all(&bin).unwrap();
        let exe = bin.join("gvmr");
        assert_eq!(origin(&exe), Origin::Standalone);
        let marker = root.path().join("usr").join(PACKAGE_MANAGER_MARKER);
        std::fs::create_dir_all(marker.parent().unwrap()).unwrap();
        std::fs::write(
            &marker,
            "# a comment\nmanager=apt\nupdate=sudo apt install --only-upgrade gvmr\n",
        )
        .unwrap();
        assert_eq!(
            origin(&exe),
            Origin::PackageManager {
                manager: "apt".into(),
                command: "sudo apt install --only-upgrade gvmr".into()
            }
        );
        std::fs::write(&marker, "").unwrap();
        assert!(matches!(origin(&exe), Origin::PackageManager { .. }));
    }
}
