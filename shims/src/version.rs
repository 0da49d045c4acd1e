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

    /// The version without the `go` prefix, as users type it (`1.22.5`).
    pub fn number(&self) -> String {
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
mod tests {
    use super::*;

    fn v(s: &str) -> GoVersion {
        GoVersion::parse(s).unwrap()
    }

    fn req(s: &str) -> VersionRequest {
        VersionRequest::parse(s).unwrap()
    }

    #[test]
    fn names_round_trip_as_go_spells_them() {
        for name in [
            "go1",
            "go1.2.2",
            "go1.20",
            "go1.20.14",
            "go1.21rc2",
            "go1.21.0",
            "go1.22.5",
            "go1.23beta1",
            "go1.9.2rc2",
        ] {
            assert_eq!(v(name).to_string(), name);
        }
    }

    #[test]
    fn go1_20_and_1_20_0_are_the_same_release() {
        assert_eq!(v("go1.20"), v("1.20.0"));
        assert_eq!(v("1.20.0").to_string(), "go1.20");
        assert_eq!(v("1.21").to_string(), "go1.21.0");
        assert_eq!(v("go1.21.0"), v("1.21"));
    }

    #[test]
    fn ordering_puts_prereleases_before_their_release() {
        let mut versions: Vec<GoVersion> = [
            "go1.21.0",
            "go1.21rc2",
            "go1.20.14",
            "go1.21rc10",
            "go1.21beta1",
            "go1.9.2",
            "go1.9.2rc2",
            "go1.10",
            "go1.21.1",
        ]
        .iter()
        .map(|s| v(s))
        .collect();
        versions.sort();
        let names: Vec<String> = versions.iter().map(|v| v.to_string()).collect();
        assert_eq!(
            names,
            [
                "go1.9.2rc2",
                "go1.9.2",
                "go1.10",
                "go1.20.14",
                "go1.21beta1",
                "go1.21rc2",
                "go1.21rc10",
                "go1.21.0",
                "go1.21.1"
            ]
        );
    }

    #[test]
    fn requests_distinguish_lines_from_releases() {
        assert_eq!(
            req("1.22"),
            VersionRequest::Line {
                major: 1,
                minor: 22
            }
        );
        assert_eq!(
            req("go1.22"),
            VersionRequest::Line {
                major: 1,
                minor: 22
            }
        );
        assert_eq!(
            req("1.20"),
            VersionRequest::Line {
                major: 1,
                minor: 20
            }
        );
        assert_eq!(req("go1.20"), VersionRequest::Exact(v("1.20.0")));
        assert_eq!(req("1.20.0"), VersionRequest::Exact(v("go1.20")));
        assert_eq!(req("  go1.22.5\n"), VersionRequest::Exact(v("1.22.5")));
        assert_eq!(req("1.23rc1"), VersionRequest::Exact(v("go1.23rc1")));
        assert_eq!(req("latest"), VersionRequest::Latest);
    }

    #[test]
    fn garbage_is_refused() {
        for bad in [
            "",
            "1",
            "go",
            "1.",
            ".1",
            "1..2",
            "1.22.5.1",
            "v1.22",
            "1.22-rc1",
            "1.23rc",
            "1.23rc0",
            "1.23 rc1",
            "01.22",
            "1.22.x",
            "../../x",
            "1.22;rm -rf /",
            "$(reboot)",
            "1.9999999",
            "1.22.5rc1rc2",
            "latest2",
        ] {
            assert!(VersionRequest::parse(bad).is_err(), "{bad:?} was accepted");
        }
        let long = "1.".repeat(100);
        assert!(VersionRequest::parse(&long).is_err());
    }

    #[test]
    fn error_names_the_input_and_examples() {
        let e = VersionRequest::parse("1.x").unwrap_err().to_string();
        assert_eq!(
            e,
            "\"1.x\" is not a Go version (expected e.g. 1.22.5, go1.22.5, 1.22, 1.23rc1 or latest)"
        );
    }

    #[test]
    fn best_match_picks_newest_stable_of_a_line() {
        let available: Vec<GoVersion> = ["go1.22.4", "go1.22.5", "go1.23rc1", "go1.21.9"]
            .iter()
            .map(|s| v(s))
            .collect();
        assert_eq!(req("1.22").best_match(&available), Some(v("go1.22.5")));
        assert_eq!(req("latest").best_match(&available), Some(v("go1.22.5")));
        assert_eq!(req("1.23").best_match(&available), None);
        assert_eq!(req("1.23rc1").best_match(&available), Some(v("go1.23rc1")));
        assert_eq!(req("1.22.3").best_match(&available), None);
    }

    #[test]
    fn aliases_stable_oldstable_and_system() {
        assert_eq!(req("stable"), VersionRequest::Latest);
        assert_eq!(req("oldstable"), VersionRequest::OldStable);
        assert_eq!(req("system"), VersionRequest::System);
        assert_eq!(req("oldstable").to_string(), "oldstable");
        let available: Vec<GoVersion> = [
            "go1.21.9",
            "go1.22.4",
            "go1.22.5",
            "go1.23.1",
            "go1.23.2",
            "go1.24rc1",
        ]
        .iter()
        .map(|s| v(s))
        .collect();
        // A pre-release opens no line: 1.23 is the newest, 1.22 the one before.
        assert_eq!(req("stable").best_match(&available), Some(v("go1.23.2")));
        assert_eq!(req("oldstable").best_match(&available), Some(v("go1.22.5")));
        assert_eq!(
            req("oldstable").in_terms_of(&available),
            Some(VersionRequest::Line {
                major: 1,
                minor: 22
            })
        );
        // One line only: there is no previous one.
        assert_eq!(req("oldstable").best_match(&available[1..3]), None);
        assert_eq!(req("system").best_match(&available), None);
        assert!(req("stable").is_alias() && req("oldstable").is_alias());
        assert!(!req("1.22").is_alias() && !req("system").is_alias());
    }

    #[test]
    fn a_go_line_is_a_minimum_in_gos_order() {
        let min = |s: &str| Minimum::parse(s).unwrap();
        // `1.23` is the language version: 1.23 < 1.23rc1 < 1.23.0.
        assert!(min("1.23").admits(&v("go1.23rc1")));
        assert!(min("1.23").admits(&v("go1.23beta1")));
        assert!(min("1.23").admits(&v("go1.24.0")));
        assert!(!min("1.23").admits(&v("go1.22.9")));
        assert!(!min("1.23.0").admits(&v("go1.23rc1")));
        assert!(min("1.23rc1").admits(&v("go1.23rc2")));
        assert!(!min("1.22.5").admits(&v("go1.22.4")));
        assert!(min("1.20").admits(&v("go1.20")));
        assert_eq!(min("1.22").release(), v("go1.22.0"));
        assert_eq!(min("1.20").release(), v("go1.20"));
        for text in ["1.22", "1.22.5", "1.23rc1", "1.20", "1.21.0", "1.20.0"] {
            assert_eq!(min(text).to_string(), text);
        }
    }

    #[test]
    fn number_drops_the_prefix() {
        assert_eq!(v("go1.22.5").number(), "1.22.5");
        assert_eq!(v("go1.20").number(), "1.20");
    }
}

/// Property-based fuzzing (proptest); `scripts/fuzz.sh` runs these far longer.
#[cfg(test)]
mod fuzz {
    use super::*;
    use proptest::prelude::*;

    /// A version as gvmr generates them: Go 1.0 to 1.40, with or without a
    /// pre-release tag.
    fn valid_version() -> impl Strategy<Value = GoVersion> {
        let pre = prop_oneof![
            Just(None),
            (1u32..=20).prop_map(|n| Some(PreRelease::Beta(n))),
            (1u32..=20).prop_map(|n| Some(PreRelease::Rc(n))),
        ];
        (0u32..40, 0u32..30, pre).prop_map(|(minor, patch, pre)| GoVersion {
            major: 1,
            minor,
            patch,
            pre,
        })
    }

    /// Any version the parser can represent (numbers up to 6 digits).
    fn any_version() -> impl Strategy<Value = GoVersion> {
        let num = prop_oneof![0u32..30, 0u32..=999_999];
        let pre = prop_oneof![
            Just(None),
            (1u32..=999_999).prop_map(|n| Some(PreRelease::Beta(n))),
            (1u32..=999_999).prop_map(|n| Some(PreRelease::Rc(n))),
        ];
        (num.clone(), num.clone(), num, pre).prop_map(|(major, minor, patch, pre)| GoVersion {
            major,
            minor,
            patch,
            pre,
        })
    }

    /// Strings built from the pieces versions are made of, to reach deep
    /// into the parser more often than uniformly random text does.
    fn version_like() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            Just("go".to_string()),
            Just(".".to_string()),
            Just("rc".to_string()),
            Just("beta".to_string()),
            Just("latest".to_string()),
            Just(" ".to_string()),
            Just("\n".to_string()),
            Just("\u{a0}".to_string()),
            Just("+".to_string()),
            Just("-".to_string()),
            Just("é".to_string()),
            "[0-9]{1,8}",
            any::<char>().prop_map(String::from),
        ];
        prop::collection::vec(piece, 0..14).prop_map(|parts| parts.concat())
    }

    fn any_text() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<String>(),
            version_like(),
            "\\PC{0,2000}",
            (".{0,4}", 0usize..5000).prop_map(|(s, n)| s.repeat(n)),
        ]
    }

    /// Characters an accepted version may contain (after trimming).
    fn only_version_chars(s: &str) -> bool {
        ["latest", "stable", "oldstable", "system"].contains(&s)
            || s.bytes()
                .all(|b| b.is_ascii_digit() || b"gobetarc.".contains(&b))
    }

    /// Found by `display_round_trips`: `go0.0` printed for 0.0.0 was read
    /// back as the request for the 0.0 line.
    #[test]
    fn versions_outside_go1_print_their_zero_patch() {
        let v = GoVersion::parse("go0").unwrap();
        assert_eq!(v.to_string(), "go0.0.0");
        assert_eq!(
            VersionRequest::parse("go0.0.0"),
            Ok(VersionRequest::Exact(v))
        );
        assert_eq!(GoVersion::new(2, 3, 0).to_string(), "go2.3.0");
    }

    proptest! {
        #[test]
        fn parsers_never_panic_and_accept_only_short_plain_names(s in any_text()) {
            let version = GoVersion::parse(&s);
            let request = VersionRequest::parse(&s);
            let trimmed = s.trim();
            if let Ok(v) = version {
                prop_assert!(trimmed.len() <= MAX_VERSION_LEN, "{s:?} accepted");
                prop_assert!(only_version_chars(trimmed), "{s:?} accepted");
                // Whatever was accepted names a version that prints and re-parses.
                prop_assert_eq!(GoVersion::parse(&v.to_string()), Ok(v));
            }
            if let Ok(r) = request {
                prop_assert!(trimmed.len() <= MAX_VERSION_LEN, "{s:?} accepted");
                prop_assert!(only_version_chars(trimmed), "{s:?} accepted");
                prop_assert_eq!(VersionRequest::parse(&r.to_string()), Ok(r));
            }
            if let Err(e) = VersionRequest::parse(&s) {
                // The message is bounded, whatever the input's size.
                // At most 64 characters shown, each escaped as `\u{10ffff}` at worst.
                let bound = 64 * r"\u{10ffff}".len() + 120;
                prop_assert!(e.to_string().chars().count() < bound);
            }
        }

        #[test]
        fn display_round_trips(v in valid_version(), w in any_version()) {
            for v in [v, w] {
                let name = v.to_string();
                prop_assert_eq!(GoVersion::parse(&name), Ok(v), "{}", name);
                prop_assert_eq!(GoVersion::parse(&v.number()), Ok(v));
                prop_assert_eq!(name.parse::<GoVersion>(), Ok(v));
                prop_assert_eq!(
                    VersionRequest::parse(&name),
                    Ok(VersionRequest::Exact(v)),
                    "{}", name
                );
                prop_assert_eq!(GoVersion::parse(&format!(" \t{name}\r\n")), Ok(v));
            }
        }

        #[test]
        fn ordering_is_total_and_consistent_with_eq(
            a in prop_oneof![valid_version(), any_version()],
            b in prop_oneof![valid_version(), any_version()],
            c in valid_version(),
        ) {
            prop_assert_eq!(a.cmp(&b), b.cmp(&a).reverse());
            prop_assert_eq!(a == b, a.cmp(&b) == Ordering::Equal);
            prop_assert_eq!(a.partial_cmp(&b), Some(a.cmp(&b)));
            prop_assert_eq!(a.cmp(&a), Ordering::Equal);
            if a <= b && b <= c {
                prop_assert!(a <= c);
            }
            if a < b && b < c {
                prop_assert!(a < c);
            }
            // A pre-release sorts before its release; the release of a patch
            // before the next patch's pre-releases.
            if a.pre.is_some() {
                let release = GoVersion { pre: None, ..a };
                prop_assert!(a < release);
            }
            let next = GoVersion { patch: a.patch + 1, pre: Some(PreRelease::Beta(1)), ..a };
            prop_assert!(a < next);
        }

        #[test]
        fn go_names_and_numbers_are_equivalent(minor in 0u32..40, patch in 0u32..30) {
            let bare = GoVersion::parse(&format!("1.{minor}.{patch}")).unwrap();
            prop_assert_eq!(GoVersion::parse(&format!("go1.{minor}.{patch}")), Ok(bare));
            let line = GoVersion::parse(&format!("go1.{minor}")).unwrap();
            prop_assert_eq!(GoVersion::parse(&format!("1.{minor}.0")), Ok(line));
            prop_assert_eq!(GoVersion::parse(&format!("1.{minor}")), Ok(line));
            // `go1.20` names the release 1.20.0; `1.20` and `go1.22` a line.
            let request = VersionRequest::parse(&format!("go1.{minor}")).unwrap();
            if minor <= 20 {
                prop_assert_eq!(request, VersionRequest::Exact(line));
            } else {
                prop_assert_eq!(request, VersionRequest::Line { major: 1, minor });
            }
            prop_assert_eq!(
                VersionRequest::parse(&format!("1.{minor}")),
                Ok(VersionRequest::Line { major: 1, minor })
            );
        }

        #[test]
        fn refuses_metacharacters_slashes_inner_whitespace_and_long_names(
            v in prop_oneof![valid_version(), any_version()],
            bad in prop_oneof![
                prop::sample::select(
                    &[";", "|", "&", "$", "`", "'", "\"", "<", ">", "(", ")", "{", "}",
                      "[", "]", "*", "?", "!", "~", "#", "\\", "/", "=", "%", ",", ":", "\0"][..]
                ).prop_map(str::to_string),
                "\\s{1,3}",
                "../",
                "\\$\\([a-z]{1,6}\\)",
            ],
            at in any::<prop::sample::Index>(),
            padding in 1usize..40,
        ) {
            let name = v.to_string();
            let inner_whitespace = bad.trim().is_empty();
            // Whitespace only counts inside the name; metacharacters anywhere.
            let at = if inner_whitespace {
                1 + at.index(name.len() - 1)
            } else {
                at.index(name.len() + 1)
            };
            let spoiled = format!("{}{bad}{}", &name[..at], &name[at..]);
            prop_assert!(GoVersion::parse(&spoiled).is_err(), "{spoiled:?}");
            prop_assert!(VersionRequest::parse(&spoiled).is_err(), "{spoiled:?}");
            // Too long: zero-padded numbers, or junk past 32 characters.
            let long = format!("{name}{}", "0".repeat(MAX_VERSION_LEN + padding - name.len().min(MAX_VERSION_LEN)));
            prop_assert!(long.len() > MAX_VERSION_LEN);
            prop_assert!(GoVersion::parse(&long).is_err(), "{long:?}");
            prop_assert!(VersionRequest::parse(&long).is_err(), "{long:?}");
        }
    }
}
