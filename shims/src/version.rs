//! Go version names: parsing, ordering and matching.
//!
//! Go names its releases `go1.20`, `go1.20.1`, `go1.21rc2`, `go1.21.0`: before
//! Go 1.21 the first release of a line has no `.0`, from 1.21 on it has one.
//! [`GoVersion`] stores the patch number explicitly, so `go1.20` and `1.20.0`
//! are the same value, and prints each version the way Go names it.

use std::cmp::Ordering;
use std::fmt;

/// A pre-release tag. `Beta < Rc`, and both sort before the release itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PreRelease {
    Beta(u32),
    Rc(u32),
}

/// One concrete Go release, e.g. go1.22.5 or go1.23rc1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GoVersion {
    pub major: u32,
    pub minor: u32,
    pub patch: u32,
    pub pre: Option<PreRelease>,
}

/// What a user asked for: a release, the newest of a line, or the newest of all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VersionRequest {
    /// Exactly this release (`1.22.5`, `go1.20`, `1.23rc1`).
    Exact(GoVersion),
    /// The newest release of the `major.minor` line (`1.22`).
    Line { major: u32, minor: u32 },
    /// The newest stable release (`latest`, or `stable` as actions/setup-go
    /// names it).
    Latest,
    /// The newest release of the minor line before the newest one
    /// (`oldstable`): with go1.23.x the newest, the newest go1.22.x.
    OldStable,
    /// The Go already on `PATH`, outside gvmr (`system`).
    System,
}

/// Why a string is not a Go version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseVersionError {
    pub input: String,
}

impl fmt::Display for ParseVersionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown: String = self.input.chars().take(64).collect();
        write!(
            f,
            "{:?} is not a Go version (expected e.g. 1.22.5, go1.22.5, 1.22, 1.23rc1 or latest)",
            shown
        )
    }
}

impl std::error::Error for ParseVersionError {}

/// Longest version string accepted; real ones are under 16 characters.
const MAX_VERSION_LEN: usize = 32;

fn parse_number(s: &str) -> Option<u32> {
    if s.is_empty() || s.len() > 6 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // No leading zeros: "01" is not a version component Go ever uses.
    if s.len() > 1 && s.starts_with('0') {
        return None;
    }
    s.parse().ok()
}

/// Splits `"23rc1"` into `("23", Some(Rc(1)))`.
fn split_pre(s: &str) -> Option<(&str, Option<PreRelease>)> {
    for (tag, make) in [
        ("rc", PreRelease::Rc as fn(u32) -> PreRelease),
        ("beta", PreRelease::Beta),
    ] {
        if let Some(at) = s.find(tag) {
            let n = parse_number(&s[at + tag.len()..])?;
            if n == 0 {
                return None;
            }
            return Some((&s[..at], Some(make(n))));
        }
    }
    Some((s, None))
}

/// The parts of a version string: numbers and an optional pre-release tag.
struct Parts {
    numbers: Vec<u32>,
    pre: Option<PreRelease>,
    go_prefix: bool,
}

fn parse_parts(input: &str) -> Option<Parts> {
    if input.len() > MAX_VERSION_LEN {
        return None;
    }
    let (go_prefix, rest) = match input.strip_prefix("go") {
        Some(rest) => (true, rest),
        None => (false, input),
    };
    let (numbers, pre) = split_pre(rest)?;
    let numbers: Vec<u32> = numbers
        .split('.')
        .map(parse_number)
        .collect::<Option<_>>()?;
    if numbers.is_empty() || numbers.len() > 3 {
        return None;
    }
    // A pre-release names a line (go1.21rc1) or, rarely, a patch (go1.9.2rc2).
    Some(Parts {
        numbers,
        pre,
        go_prefix,
    })
}

impl GoVersion {
    pub const fn new(major: u32, minor: u32, patch: u32) -> Self {
        GoVersion {
            major,
            minor,
            patch,
            pre: None,
        }
    }

    /// Parses one concrete release name (`go1.22.5`, `1.20`, `go1.21rc2`, `go1`).
    ///
    /// Used for names that always denote one release: the release listing,
    /// installed directories, go.mod `toolchain` lines.
    pub fn parse(input: &str) -> Result<GoVersion, ParseVersionError> {
        let err = || ParseVersionError {
            input: input.to_string(),
        };
        let parts = parse_parts(input.trim()).ok_or_else(err)?;
        let n = &parts.numbers;
        Ok(GoVersion {
            major: n[0],
            minor: n.get(1).copied().unwrap_or(0),
            patch: n.get(2).copied().unwrap_or(0),
            pre: parts.pre,
        })
    }

    /// True for releases (not betas or release candidates).
    pub fn is_stable(&self) -> bool {
        self.pre.is_none()
    }

    /// True when this version belongs to the `major.minor` line.
    pub fn in_line(&self, major: u32, minor: u32) -> bool {
        self.major == major && self.minor == minor
    }

    /// The version as users type it, without the `go` prefix, in a form
    /// that asks for exactly this release ([`VersionRequest::parse`] reads
    /// it back as [`VersionRequest::Exact`]): `1.22.5`, `1.23rc1`, and for
    /// the first release of a line before Go 1.21, `1.20.0` (`1.20` would
    /// ask for the newest 1.20.x).
    pub fn number(&self) -> String {
        if self.pre.is_none() {
            return format!("{}.{}.{}", self.major, self.minor, self.patch);
        }
        let s = self.to_string();
        s["go".len()..].to_string()
    }
}

impl fmt::Display for GoVersion {
    /// Go's own name for the release: `go1.20`, `go1.20.3`, `go1.21.0`, `go1.23rc1`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "go{}", self.major)?;
        if self.major == 1 && self.minor == 0 && self.patch == 0 && self.pre.is_none() {
            return Ok(()); // "go1"
        }
        write!(f, ".{}", self.minor)?;
        // Before Go 1.21 the first release of a line has no ".0"; from 1.21 on
        // it has. Outside Go 1 it is always shown: `go0.5` would be read back
        // as a line, not a release.
        let zero_patch_shown = self.major != 1 || self.minor >= 21;
        if self.patch != 0 || (self.pre.is_none() && zero_patch_shown) {
            write!(f, ".{}", self.patch)?;
        }
        match self.pre {
            Some(PreRelease::Beta(n)) => write!(f, "beta{n}"),
            Some(PreRelease::Rc(n)) => write!(f, "rc{n}"),
            None => Ok(()),
        }
    }
}

impl Ord for GoVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        let key = |v: &GoVersion| {
            // A pre-release sorts before the release it leads to.
            let stage = match v.pre {
                Some(PreRelease::Beta(n)) => (0, n),
                Some(PreRelease::Rc(n)) => (1, n),
                None => (2, 0),
            };
            (v.major, v.minor, v.patch, stage)
        };
        key(self).cmp(&key(other))
    }
}

impl PartialOrd for GoVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl std::str::FromStr for GoVersion {
    type Err = ParseVersionError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        GoVersion::parse(s)
    }
}

impl VersionRequest {
    /// Parses what a user typed or wrote in a version file.
    ///
    /// `1.22` and `go1.22` (Go 1.21 and later) ask for the newest 1.22.x;
    /// `go1.20` is Go's name of the first 1.20 release, so it is exact, while
    /// `1.20` asks for the newest 1.20.x.
    pub fn parse(input: &str) -> Result<VersionRequest, ParseVersionError> {
        let trimmed = input.trim();
        match trimmed {
            "latest" | "stable" => return Ok(VersionRequest::Latest),
            "oldstable" => return Ok(VersionRequest::OldStable),
            "system" => return Ok(VersionRequest::System),
            _ => {}
        }
        let err = || ParseVersionError {
            input: input.to_string(),
        };
        let parts = parse_parts(trimmed).ok_or_else(err)?;
        match (parts.numbers.as_slice(), parts.pre) {
            ([major, minor], None) => {
                let go_name_of_release = parts.go_prefix && *major == 1 && *minor <= 20;
                if go_name_of_release {
                    Ok(VersionRequest::Exact(GoVersion::new(*major, *minor, 0)))
                } else {
                    Ok(VersionRequest::Line {
                        major: *major,
                        minor: *minor,
                    })
                }
            }
            ([_], None) if !parts.go_prefix => Err(err()),
            _ => GoVersion::parse(trimmed).map(VersionRequest::Exact),
        }
    }

    /// True when `version` satisfies this request. `Latest` and `Line` accept
    /// stable releases only; an exact request accepts exactly that version.
    /// `OldStable` depends on the other versions and `System` names no
    /// version: neither matches one alone (see [`best_match`](Self::best_match)
    /// and [`in_terms_of`](Self::in_terms_of)).
    pub fn matches(&self, version: &GoVersion) -> bool {
        match self {
            VersionRequest::Exact(v) => v == version,
            VersionRequest::Line { major, minor } => {
                version.is_stable() && version.in_line(*major, *minor)
            }
            VersionRequest::Latest => version.is_stable(),
            VersionRequest::OldStable | VersionRequest::System => false,
        }
    }

    /// This request with `oldstable` replaced by the line it names among
    /// `versions` (the second-newest minor line with a stable release);
    /// `None` when `versions` hold fewer than two such lines. Other requests
    /// are returned as they are.
    pub fn in_terms_of<'a, I>(&self, versions: I) -> Option<VersionRequest>
    where
        I: IntoIterator<Item = &'a GoVersion>,
    {
        if *self != VersionRequest::OldStable {
            return Some(*self);
        }
        let mut lines: Vec<(u32, u32)> = versions
            .into_iter()
            .filter(|v| v.is_stable())
            .map(|v| (v.major, v.minor))
            .collect();
        lines.sort_unstable_by(|a, b| b.cmp(a));
        lines.dedup();
        let &(major, minor) = lines.get(1)?;
        Some(VersionRequest::Line { major, minor })
    }

    /// The newest of `candidates` that satisfies this request (`oldstable`:
    /// the newest patch of the second-newest line among them).
    pub fn best_match<'a, I>(&self, candidates: I) -> Option<GoVersion>
    where
        I: IntoIterator<Item = &'a GoVersion>,
    {
        let candidates: Vec<&GoVersion> = candidates.into_iter().collect();
        let request = self.in_terms_of(candidates.iter().copied())?;
        candidates
            .into_iter()
            .filter(|v| request.matches(v))
            .max()
            .copied()
    }

    /// True for `latest`/`stable` and `oldstable`, which name a release by
    /// its place among the others.
    pub fn is_alias(&self) -> bool {
        matches!(self, VersionRequest::Latest | VersionRequest::OldStable)
    }
}

/// A `go` line of go.mod or go.work: the oldest toolchain Go accepts for
/// the module. In Go's order a language version (`1.23`, no patch) sorts
/// before its pre-releases and releases: `1.23 < 1.23rc1 < 1.23.0`. So
/// `go 1.23` admits go1.23rc1, while `go 1.23.0` does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Minimum {
    /// The version as written, with a zero patch when none was written.
    pub version: GoVersion,
    /// `major.minor` only: a language version.
    pub language: bool,
}

impl Minimum {
    /// Parses the value of a `go` line (`1.22`, `1.22.5`, `1.23rc1`).
    pub fn parse(input: &str) -> Result<Minimum, ParseVersionError> {
        let trimmed = input.trim();
        let version = GoVersion::parse(trimmed)?;
        let parts = parse_parts(trimmed).ok_or_else(|| ParseVersionError {
            input: input.to_string(),
        })?;
        Ok(Minimum {
            version,
            language: parts.numbers.len() <= 2 && parts.pre.is_none(),
        })
    }

    /// True when Go accepts `toolchain` for a module with this `go` line.
    pub fn admits(&self, toolchain: &GoVersion) -> bool {
        if self.language {
            (toolchain.major, toolchain.minor) >= (self.version.major, self.version.minor)
        } else {
            *toolchain >= self.version
        }
    }

    /// The release to install when nothing installed is new enough: the
    /// line's first release for a language version (`1.22` → go1.22.0,
    /// `1.20` → go1.20), else the version as written.
    pub fn release(&self) -> GoVersion {
        self.version
    }
}

impl fmt::Display for Minimum {
    /// As written in go.mod: `1.22`, `1.22.5`, `1.23rc1`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = &self.version;
        if self.language {
            write!(f, "{}.{}", v.major, v.minor)
        } else if v.pre.is_some() {
            f.write_str(&v.number())
        } else {
            write!(f, "{}.{}.{}", v.major, v.minor, v.patch)
        }
    }
}

impl fmt::Display for VersionRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VersionRequest::Exact(v) => v.fmt(f),
            VersionRequest::Line { major, minor } => write!(f, "{major}.{minor}"),
            VersionRequest::Latest => f.write_str("latest"),
            VersionRequest::OldStable => f.write_str("oldstable"),
            VersionRequest::System => f.write_str("system"),
        }
    }
}

#[cfg(test)]
mod tests;

/// Property-based fuzzing (proptest); `scripts/fuzz.sh` runs these far longer.
#[cfg(test)]
mod fuzz;
