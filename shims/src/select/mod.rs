//! Which Go version applies in a directory: the one resolver shared by the
//! shims, the shell hooks, `gvmr env`, `gvmr current` and `gvmr exec`.
//!
//! Order:
//! 1. `GVMR_GO_VERSION`;
//! 2. the nearest `.go-version`, or `.tool-versions` with a `golang`/`go`
//!    entry, walking up from the directory (nearest wins; in one directory
//!    `.go-version` wins; an empty or comment-only `.go-version` is skipped
//!    as if absent);
//! 3. else the nearest `go.work` (unless `GOWORK=off`), else `go.mod`: a
//!    `toolchain goX.Y.Z` line (unless older than the `go` line) is exact,
//!    a `go X.Y[.Z]` line a minimum, as in Go;
//! 4. else the global default (`$GVMR_HOME/default`);
//! 5. else nothing.
//!
//! A pin (steps 1 and 2) carries the module Go uses in the directory
//! ([`Selection::module`]): the go.work named by `GOWORK` or the nearest
//! one walking up (unless `GOWORK=off`), else the nearest go.mod, wherever
//! the pin sits (below, beside or above it). Resolving the pin
//! ([`crate::toolchain::resolve`]) lets that module decide when the pin is
//! older than its `go` line, which Go would refuse under GOTOOLCHAIN=local.
//!
//! [`lookup`] also reports every file it read ([`Lookup::consulted`], for
//! the shell hooks to watch) and what it noticed on the way
//! ([`Lookup::notes`]: skipped files, ignored lines).
//!
//! The files are read by [`files`]; the walk up the tree is [`walk`].

mod files;
mod walk;

pub use files::{VersionFile, parse_go_mod, parse_go_version_file, parse_tool_versions};
pub use walk::{candidate_files, lookup, select};

use crate::env::Environment;
use crate::go_env::GoEnv;
use crate::version::{GoVersion, Minimum, VersionRequest};
use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};

pub const GO_VERSION_FILE: &str = ".go-version";
pub const TOOL_VERSIONS_FILE: &str = ".tool-versions";
pub const DEFAULT_FILE: &str = "default";

/// What the shims and every gvmr command say where nothing selects a
/// version ([`NOTHING_SELECTED_FIX`] says what to do).
pub const NOTHING_SELECTED: &str = "no Go version is selected here (no GVMR_GO_VERSION, .go-version, .tool-versions, go.work or go.mod above this directory, and no default)";
pub const NOTHING_SELECTED_FIX: &str =
    "run `gvmr use VERSION` in the project, or `gvmr default VERSION`";

/// What decided the version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Env,
    File(PathBuf),
    Default(PathBuf),
}

impl Source {
    /// How a report introduces it: `go1.22.5 (set by /p/.go-version)`,
    /// `go1.22.5 (the default, in ~/.local/share/gvmr/default)`.
    pub fn introduced_as(&self) -> &'static str {
        match self {
            Source::Default(_) => "the default, in",
            _ => "set by",
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Env => f.write_str("GVMR_GO_VERSION"),
            Source::File(path) | Source::Default(path) => write!(f, "{}", path.display()),
        }
    }
}

/// What a source asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Requirement {
    /// A request as written in `.go-version` & co (exact, a line, an
    /// alias, `system`).
    Request(VersionRequest),
    /// `.tool-versions` naming several versions, as asdf reads them: the
    /// first installed one, else the first.
    FirstInstalled(Vec<VersionRequest>),
    /// go.mod's `go` line: this version or any newer one, as in Go.
    AtLeast(Minimum),
}

impl fmt::Display for Requirement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Requirement::Request(r) => r.fmt(f),
            Requirement::FirstInstalled(list) => {
                let names: Vec<String> = list.iter().map(|r| r.to_string()).collect();
                f.write_str(&names.join(" "))
            }
            Requirement::AtLeast(min) => write!(f, ">= {min}"),
        }
    }
}

/// The nearest go.work or go.mod and what its directives ask for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Module {
    pub path: PathBuf,
    /// The `go` line.
    pub go: Option<Minimum>,
    /// The `toolchain` line, unless it is older than the `go` line (Go
    /// ignores it then) or says `default`.
    pub toolchain: Option<GoVersion>,
}

impl Module {
    /// What the module selects on its own: the toolchain line exactly, else
    /// the go line as a minimum; `None` when it has neither.
    pub fn requirement(&self) -> Option<Requirement> {
        match (self.toolchain, self.go) {
            (Some(toolchain), _) => Some(Requirement::Request(VersionRequest::Exact(toolchain))),
            (None, Some(min)) => Some(Requirement::AtLeast(min)),
            (None, None) => None,
        }
    }
}

/// A requirement and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    pub requirement: Requirement,
    pub source: Source,
    /// For a pin: the go.work/go.mod Go uses in the directory, when it has
    /// a `go` line, whose minimum the pin must meet.
    pub module: Option<Module>,
    /// The global default, read when a `go` line is involved: a minimum
    /// prefers it when it is installed and new enough.
    pub default: Option<VersionRequest>,
}

/// What [`lookup`] found: the selection (or why there is none), every file
/// it read, and what it noticed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lookup {
    pub result: Result<Option<Selection>, SelectError>,
    /// Every file read, in order, including files skipped because they were
    /// empty or held no Go entry: a change to any of them can change the
    /// selection. (Files that do not exist are not listed; see
    /// [`candidate_files`].)
    pub consulted: Vec<PathBuf>,
    /// Remarks for `gvmr current`, `env`, the hooks and `doctor` (never
    /// printed by the shim): skipped files, ignored lines.
    pub notes: Vec<String>,
}

/// A version file that cannot be understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelectError {
    /// The file, or `GVMR_GO_VERSION`.
    pub origin: String,
    /// 1-based line, when one line is at fault.
    pub line: Option<usize>,
    pub problem: String,
}

impl fmt::Display for SelectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.origin, self.problem),
            None => write!(f, "{}: {}", self.origin, self.problem),
        }
    }
}

impl std::error::Error for SelectError {}

/// The environment the resolver reads; passed in so tests control it.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    /// `GVMR_GO_VERSION`.
    pub env_version: Option<String>,
    /// `GOWORK` as Go reads it (`off` disables go.work; a path names the
    /// file; `None` finds it walking up).
    pub gowork: Option<String>,
    /// The data directory, for the default file.
    pub home: Option<PathBuf>,
    /// `PATH`, where `system` finds the Go outside gvmr.
    pub path: Option<OsString>,
    /// `PWD`: the working directory as the shell names it.
    pub pwd: Option<PathBuf>,
}

impl Inputs {
    /// The resolver's inputs from `env` and Go's settings (`GOWORK` may be
    /// in the go env file too); `home` is the data directory.
    pub fn read(env: &Environment, go_env: &GoEnv, home: Option<PathBuf>) -> Inputs {
        Inputs {
            env_version: env.setting("GVMR_GO_VERSION"),
            // `auto` means what unset means: find go.work walking up.
            gowork: Some(go_env.value("GOWORK"))
                .filter(|v| !v.is_empty() && *v != "auto")
                .map(str::to_string),
            home,
            path: env.var_os("PATH"),
            pwd: env.absolute_path("PWD"),
        }
    }
}

impl Requirement {
    /// The newest of `installed` this requirement accepts on its own (no
    /// default, no `system`): for what a recorded project last selected.
    pub fn pick_installed(&self, installed: &[GoVersion]) -> Option<GoVersion> {
        match self {
            Requirement::Request(request) => request.best_match(installed),
            Requirement::FirstInstalled(list) => list
                .iter()
                .find_map(|request| request.best_match(installed)),
            Requirement::AtLeast(min) => installed.iter().filter(|v| min.admits(v)).max().copied(),
        }
    }

    /// The version to install when nothing installed satisfies it, when that
    /// is one exact version.
    pub fn exact(&self) -> Option<GoVersion> {
        match self {
            Requirement::Request(VersionRequest::Exact(v)) => Some(*v),
            Requirement::AtLeast(min) => Some(min.release()),
            Requirement::FirstInstalled(list) => match list.first() {
                Some(VersionRequest::Exact(v)) => Some(*v),
                _ => None,
            },
            _ => None,
        }
    }

    /// What to pass to `gvmr install` to satisfy this requirement: an exact
    /// version as a request naming exactly it ([`GoVersion::number`]), else
    /// the request itself. `oldstable` is resolved among the installed
    /// lines, so it needs the newest line installed too: `latest oldstable`
    /// (the one case of two requests, separated by a space).
    pub fn install_argument(&self) -> String {
        let request = |r: &VersionRequest| match r {
            VersionRequest::OldStable => format!("{} {r}", VersionRequest::Latest),
            r => r.to_string(),
        };
        match (self.exact(), self) {
            (Some(v), _) => v.number(),
            (None, Requirement::Request(r)) => request(r),
            (None, Requirement::FirstInstalled(list)) => {
                list.first().map(request).unwrap_or_default()
            }
            (None, Requirement::AtLeast(_)) => self.to_string(),
        }
    }
}

/// The versions installed in `versions_dir`, newest first: the one scan,
/// shared by the shims and `gvmr`. Only directories named exactly as Go
/// names the version count; a missing directory holds none.
pub fn installed_versions(versions_dir: &Path) -> std::io::Result<Vec<GoVersion>> {
    let entries = match std::fs::read_dir(versions_dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut versions: Vec<GoVersion> = entries
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let name = entry.file_name().into_string().ok()?;
            let version = GoVersion::parse(&name).ok()?;
            // The entry's type costs no extra system call; a link is followed.
            let is_dir = match entry.file_type().ok()? {
                kind if kind.is_symlink() => entry.path().is_dir(),
                kind => kind.is_dir(),
            };
            (version.to_string() == name && is_dir).then_some(version)
        })
        .collect();
    versions.sort_by(|a, b| b.cmp(a));
    Ok(versions)
}

#[cfg(test)]
mod tests;

/// Property-based fuzzing (proptest); `scripts/fuzz.sh` runs these far longer.
#[cfg(test)]
mod fuzz;
