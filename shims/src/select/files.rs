//! The files the resolver reads: `.go-version` (and the default file),
//! `.tool-versions`, and the `go`/`toolchain` lines of go.mod and go.work.
//! Each parser takes the text and where it came from, so errors name the
//! file and line.

use super::{Module, Requirement, SelectError};
use crate::version::{GoVersion, Minimum, VersionRequest};
use std::fs::File;
use std::io::Read;
use std::path::Path;

/// Version files are tiny; anything larger is refused unread.
pub(super) const MAX_FILE_BYTES: u64 = 64 * 1024;
/// go.mod files can be long (many requires); the directives are near the top.
pub(super) const MAX_GO_MOD_BYTES: u64 = 4 * 1024 * 1024;
/// The UTF-8 byte-order mark some Windows editors put first.
const BOM: char = '\u{feff}';

pub(super) fn describe_value(value: &str) -> String {
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
pub(super) fn read_text(path: &Path, limit: u64) -> Result<Option<String>, SelectError> {
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
