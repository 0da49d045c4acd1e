//! From a selection to a toolchain on disk, and the environment a toolchain
//! runs with. Shared by the shims and by `gvmr env`/`exec`/hooks.
//!
//! Resolving applies Go's rules on top of the selection: a go.mod `go`
//! line is a minimum (the default when installed and new enough, else the
//! newest installed version that is, else the line's own version), and a
//! pin older than the nearest module's `go` line gives way to the module,
//! as Go would refuse the pin under GOTOOLCHAIN=local. `system` names the
//! first `go` on `PATH` that is not a gvmr shim.

use crate::go_env::GoEnv;
use crate::home::VERSIONS_DIR;
use crate::select::{Requirement, Selection, Source, installed_versions};
use crate::version::{GoVersion, Minimum, VersionRequest};
use std::cell::OnceCell;
use std::ffi::{OsStr, OsString};
use std::io::Read;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// The directory of the `go`/`gofmt` shims under the data directory.
pub const SHIMS_DIR: &str = "shims";

/// The programs the shims stand in for (`$GVMR_HOME/shims/go`, `gofmt`).
pub const TOOLS: [&str; 2] = ["go", "gofmt"];

/// What `GOTOOLCHAIN` is set to wherever gvmr runs a toolchain, unless the
/// user set it: Go's own toolchain switching must not override the pin.
pub const PINNED_GOTOOLCHAIN: &str = "local";

/// Whether gvmr sets `GOTOOLCHAIN=local` for a toolchain it runs: unless the
/// user set GOTOOLCHAIN, in the environment or with `go env -w` (the
/// toolchain's own `go.env` says `auto`, which would let go switch away).
pub fn pins_gotoolchain(go_env: &GoEnv) -> bool {
    go_env.users("GOTOOLCHAIN").is_none()
}

/// A selection resolved against what is installed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// What decided: the selection, or the module that overrode its pin.
    pub selection: Selection,
    /// The concrete version: installed, or the exact one to install (for
    /// `system`, the version its GOROOT's VERSION file names, if any).
    /// `None` when a partial request (`1.22`, `latest`) matches nothing installed.
    pub version: Option<GoVersion>,
    /// `$GVMR_HOME/versions/<version>` when that version is installed.
    pub goroot: Option<PathBuf>,
    /// `system` is selected: the Go on `PATH` outside gvmr.
    pub system: Option<SystemGo>,
    /// Why the pin in the selection gave way to a module (a note to show).
    pub overridden: Option<String>,
}

/// The Go outside gvmr that `system` names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SystemGo {
    /// The first `go` on `PATH` that is not a gvmr shim; `None` when there
    /// is none.
    pub go: Option<PathBuf>,
}

/// The toolchain one requirement picks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pick {
    Version(Option<GoVersion>),
    /// `system`, with its version when its VERSION file tells.
    System(Option<GoVersion>),
}

/// What resolving needs besides the selection; the installed versions are
/// listed once, and only if a partial request needs them.
struct Context<'a> {
    versions: PathBuf,
    installed: OnceCell<Vec<GoVersion>>,
    home: &'a Path,
    path: Option<&'a OsStr>,
    system: OnceCell<Option<PathBuf>>,
}

impl Context<'_> {
    fn installed(&self) -> &[GoVersion] {
        self.installed
            .get_or_init(|| installed_versions(&self.versions).unwrap_or_default())
    }

    fn is_installed(&self, version: &GoVersion) -> bool {
        self.versions.join(version.to_string()).join("bin").is_dir()
    }

    fn system_go(&self) -> Option<&PathBuf> {
        self.system
            .get_or_init(|| system_tool("go", self.path, self.home, &[]))
            .as_ref()
    }

    fn system_pick(&self) -> Pick {
        Pick::System(self.system_go().and_then(|go| system_version(go)))
    }

    /// What one request picks: the newest installed match; an exact version
    /// even when not installed (to install).
    fn pick_request(&self, request: &VersionRequest) -> Pick {
        match request {
            // An exact request needs no directory listing: the shim's fast path.
            VersionRequest::Exact(v) => Pick::Version(Some(*v)),
            VersionRequest::System => self.system_pick(),
            request => Pick::Version(request.best_match(self.installed())),
        }
    }

    fn is_available(&self, pick: Pick) -> bool {
        match pick {
            Pick::Version(Some(v)) => self.is_installed(&v),
            Pick::Version(None) => false,
            Pick::System(_) => self.system_go().is_some(),
        }
    }

    /// A requirement's pick, and for a minimum, a note when the default
    /// was passed over for being too old.
    fn pick(&self, selection: &Selection) -> (Pick, Option<String>) {
        match &selection.requirement {
            Requirement::Request(request) => (self.pick_request(request), None),
            Requirement::FirstInstalled(list) => {
                let picks: Vec<Pick> = list.iter().map(|r| self.pick_request(r)).collect();
                let pick = picks
                    .iter()
                    .copied()
                    .find(|p| self.is_available(*p))
                    .or(picks.first().copied())
                    .unwrap_or(Pick::Version(None));
                (pick, None)
            }
            Requirement::AtLeast(min) => self.pick_at_least(min, selection),
        }
    }

    /// A `go` line: the default when installed and new enough, else the
    /// newest installed version that is (stable releases first), else the
    /// line's own version.
    fn pick_at_least(&self, min: &Minimum, selection: &Selection) -> (Pick, Option<String>) {
        let mut note = None;
        if let Some(default) = &selection.default {
            let pick = self.pick_request(default);
            if self.is_available(pick) {
                match pick {
                    Pick::System(None) => return (pick, None),
                    Pick::System(Some(v)) | Pick::Version(Some(v)) if min.admits(&v) => {
                        return (pick, None);
                    }
                    _ => {
                        note = Some(refusal(
                            &format!("the default ({default})"),
                            pick,
                            min,
                            selection,
                        ))
                    }
                }
            }
        }
        let admitted = |stable: bool| {
            self.installed()
                .iter()
                .filter(|v| min.admits(v) && v.is_stable() >= stable)
                .max()
                .copied()
        };
        let version = admitted(true)
            .or_else(|| admitted(false))
            .unwrap_or(min.release());
        (Pick::Version(Some(version)), note)
    }
}

/// Why `who`'s `pick` gives way to the `go` line `min` of `module`.
fn refusal(who: &str, pick: Pick, min: &Minimum, module: &Selection) -> String {
    let picked = match pick {
        Pick::Version(Some(v)) | Pick::System(Some(v)) => v.to_string(),
        Pick::Version(None) => "a version".to_string(),
        Pick::System(None) => "system".to_string(),
    };
    format!(
        "{who} selects {picked}, but {} says `go {min}`, and Go refuses an older toolchain (GOTOOLCHAIN=local); {} decides",
        module.source, module.source
    )
}

/// True when Go would refuse `pick` for a module whose `go` line is `min`.
fn is_refused(pick: Pick, request: &Requirement, min: &Minimum) -> bool {
    match pick {
        Pick::Version(Some(v)) | Pick::System(Some(v)) => !min.admits(&v),
        // Nothing installed: a line older than the minimum's is too old whatever its patch.
        Pick::Version(None) => matches!(
            request,
            Requirement::Request(VersionRequest::Line { major, minor })
                if (*major, *minor) < (min.version.major, min.version.minor)
        ),
        Pick::System(None) => false,
    }
}

/// Resolves `selection` against the versions installed under `home`
/// (`path`: `PATH`, where `system` looks).
pub fn resolve(selection: Selection, home: &Path, path: Option<&OsStr>) -> Resolved {
    let cx = Context {
        versions: home.join(VERSIONS_DIR),
        installed: OnceCell::new(),
        home,
        path,
        system: OnceCell::new(),
    };
    let (pick, note) = cx.pick(&selection);
    if let Some(module) = &selection.module
        && let Some(min) = module.go
        && is_refused(pick, &selection.requirement, &min)
        && let Some(requirement) = module.requirement()
    {
        let pinned = Selection {
            requirement,
            source: Source::File(module.path.clone()),
            module: None,
            default: selection.default,
        };
        let who = match &selection.source {
            Source::Default(path) => format!("the default ({})", path.display()),
            source => source.to_string(),
        };
        let why = refusal(&who, pick, &min, &pinned);
        let (pick, _) = cx.pick(&pinned);
        return finish(&cx, pinned, pick, Some(why));
    }
    finish(&cx, selection, pick, note)
}

fn finish(cx: &Context, selection: Selection, pick: Pick, overridden: Option<String>) -> Resolved {
    match pick {
        Pick::Version(version) => Resolved {
            goroot: version
                .map(|v| cx.versions.join(v.to_string()))
                .filter(|dir| dir.join("bin").is_dir()),
            version,
            selection,
            system: None,
            overridden,
        },
        Pick::System(version) => Resolved {
            version,
            goroot: None,
            system: Some(SystemGo {
                go: cx.system_go().cloned(),
            }),
            selection,
            overridden,
        },
    }
}

impl Resolved {
    /// `go1.22.5 is selected by /p/.go-version but not installed; run: gvmr install 1.22.5`
    pub fn not_installed_message(&self) -> String {
        if self.system.is_some() {
            return format!(
                "system is selected by {}, but the only go on PATH is gvmr's shim; install Go outside gvmr, or select a version (gvmr default VERSION)",
                self.selection.source
            );
        }
        format!(
            "{} is selected by {} but not installed; run: gvmr install {}",
            self.what(),
            self.selection.source,
            self.install_argument()
        )
    }

    /// What is selected, as reports name it: `system`, `go1.22.5`, or what
    /// was asked for when no one version is meant (`1.22`).
    pub fn what(&self) -> String {
        match (&self.system, self.version) {
            (Some(_), _) => "system".to_string(),
            (None, Some(version)) => version.to_string(),
            (None, None) => self.selection.requirement.to_string(),
        }
    }

    /// What `gvmr install` needs to satisfy this selection.
    pub fn install_argument(&self) -> String {
        match self.version {
            Some(v) => v.number(),
            None => self.selection.requirement.install_argument(),
        }
    }

    /// True when what is selected can run: an installed version, or a
    /// system Go that was found.
    pub fn is_available(&self) -> bool {
        match &self.system {
            Some(system) => system.go.is_some(),
            None => self.goroot.is_some(),
        }
    }
}

/// A file's identity (device, inode): the same file under any name, link
/// or copy-free hard link.
fn file_id(path: &Path) -> Option<(u64, u64)> {
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

/// The first executable `tool` on `path` that is not a gvmr shim: not in
/// `$home/shims` (compared as canonical directories), not the same file as
/// `$home/shims/<tool>`, and not one of `also_skip` (the running shim
/// itself, and copies a shim already tried). Relative `PATH` entries are
/// skipped: they depend on the directory.
pub fn system_tool(
    tool: &str,
    path: Option<&OsStr>,
    home: &Path,
    also_skip: &[PathBuf],
) -> Option<PathBuf> {
    let shims = home.join(SHIMS_DIR);
    let skip: Vec<(u64, u64)> = std::iter::once(shims.join(tool))
        .chain(also_skip.iter().cloned())
        .filter_map(|p| file_id(&p))
        .collect();
    let shims = std::fs::canonicalize(&shims).ok();
    for dir in std::env::split_paths(path?) {
        if !dir.is_absolute() {
            continue;
        }
        let candidate = dir.join(tool);
        let Ok(meta) = std::fs::metadata(&candidate) else {
            continue;
        };
        let executable = meta.is_file() && meta.permissions().mode() & 0o111 != 0;
        if !executable || skip.contains(&(meta.dev(), meta.ino())) {
            continue;
        }
        if shims.is_some() && std::fs::canonicalize(&dir).ok() == shims {
            continue;
        }
        return Some(candidate);
    }
    None
}

/// The version of the Go installation `go` belongs to, from the VERSION
/// file of its GOROOT (the directory above `bin/`, after symlinks, as
/// /usr/bin/go → /usr/lib/go-1.22/bin/go); `None` when it has none.
pub fn system_version(go: &Path) -> Option<GoVersion> {
    let real = std::fs::canonicalize(go).ok()?;
    let goroot = real.parent()?.parent()?;
    let mut text = String::new();
    std::fs::File::open(goroot.join("VERSION"))
        .ok()?
        .take(256)
        .read_to_string(&mut text)
        .ok()?;
    GoVersion::parse(text.lines().next()?).ok()
}

/// True when `goroot` (a GOROOT value) lies in gvmr's versions directory:
/// gvmr set it, so `system` unsets it.
pub fn is_gvmr_goroot(goroot: &Path, home: &Path) -> bool {
    goroot.starts_with(home.join(VERSIONS_DIR))
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

    /// A fresh directory (its canonical path, so paths compare), removed
    /// on drop.
    struct Temp {
        _dir: tempfile::TempDir,
        path: PathBuf,
    }

    impl Temp {
        fn new() -> Temp {
            let dir = tempfile::tempdir().unwrap();
            let path = std::fs::canonicalize(dir.path()).unwrap();
            Temp { _dir: dir, path }
        }

        fn executable(&self, rel: &str) -> PathBuf {
            let path = self.path.join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, "#!/bin/sh\n").unwrap();
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
            path
        }
    }

    #[test]
    fn system_go_is_the_first_go_on_path_that_is_no_shim() {
        let t = Temp::new();
        let home = t.path.join("home");
        t.executable("home/shims/go");
        let copy = t.executable("copy/go");
        let real = t.executable("usr/lib/go-1.22/bin/go");
        std::fs::write(
            t.path.join("usr/lib/go-1.22/VERSION"),
            "go1.22.2\ntime 2024\n",
        )
        .unwrap();
        std::fs::create_dir_all(t.path.join("usr/bin")).unwrap();
        std::os::unix::fs::symlink(&real, t.path.join("usr/bin/go")).unwrap();
        std::fs::create_dir_all(t.path.join("noexec")).unwrap();
        std::fs::write(t.path.join("noexec/go"), "").unwrap();
        let path = std::env::join_paths([
            PathBuf::from("relative"),
            t.path.join("noexec"),
            home.join("shims"),
            t.path.join("copy"),
            t.path.join("usr/bin"),
        ])
        .unwrap();
        let found = |skip: &[PathBuf]| system_tool("go", Some(&path), &home, skip);
        assert_eq!(found(&[]), Some(copy.clone()));
        assert_eq!(found(&[copy]), Some(t.path.join("usr/bin/go")));
        assert_eq!(
            system_version(&t.path.join("usr/bin/go")),
            Some(GoVersion::new(1, 22, 2))
        );
        assert_eq!(system_version(&t.path.join("copy/go")), None);
        assert_eq!(system_tool("go", None, &home, &[]), None);
        assert!(is_gvmr_goroot(&home.join("versions/go1.22.5"), &home));
        assert!(!is_gvmr_goroot(Path::new("/usr/local/go"), &home));
    }

    #[test]
    fn messages_say_what_to_run() {
        let selection = Selection {
            requirement: Requirement::Request(VersionRequest::parse("1.22.5").unwrap()),
            source: Source::File(PathBuf::from("/p/.go-version")),
            module: None,
            default: None,
        };
        let resolved = resolve(selection, Path::new("/nonexistent-gvmr-home"), None);
        assert_eq!(resolved.goroot, None);
        assert_eq!(
            resolved.not_installed_message(),
            "go1.22.5 is selected by /p/.go-version but not installed; run: gvmr install 1.22.5"
        );
        let line = Selection {
            requirement: Requirement::Request(VersionRequest::parse("1.22").unwrap()),
            source: Source::Env,
            module: None,
            default: None,
        };
        let resolved = resolve(line, Path::new("/nonexistent-gvmr-home"), None);
        assert_eq!(
            resolved.not_installed_message(),
            "1.22 is selected by GVMR_GO_VERSION but not installed; run: gvmr install 1.22"
        );
    }
}
