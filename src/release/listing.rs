//! The release listing (`GVMR_INDEX_URL`, by default go.dev's JSON listing of
//! every release, then the same from golang.google.cn): parsing, failing
//! over from one source to the next, a short-lived cache per source, and
//! finding the archive for a version and platform.

use crate::digest::{ParseDigestError, Sha256Digest};
use crate::net::http::{Http, HttpError};
use crate::net::url::DisplaySafeUrl;
use crate::release::platform::Platform;
use crate::ui::Ui;
use gvmr_shim::{GoVersion, VersionRequest};
use serde::Deserialize;
use std::cell::OnceCell;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// How long a fetched listing is used without asking again.
const FRESH_FOR: Duration = Duration::from_secs(10 * 60);
/// The real listing of every release is about 2 MB; refuse absurd ones.
pub const MAX_LISTING_BYTES: u64 = 64 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct Listing {
    /// Newest first.
    pub releases: Vec<Release>,
    /// The URL it came from (also for a cached copy).
    pub origin: String,
}

#[derive(Debug, Clone)]
pub struct Release {
    pub version: GoVersion,
    pub stable: bool,
    pub files: Vec<ReleaseFile>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ReleaseFile {
    pub filename: String,
    #[serde(default)]
    pub os: String,
    #[serde(default)]
    pub arch: String,
    pub sha256: String,
    #[serde(default)]
    pub kind: String,
}

#[derive(Deserialize)]
struct RawRelease {
    version: String,
    #[serde(default)]
    stable: bool,
    #[serde(default)]
    files: Vec<ReleaseFile>,
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum ListingError {
    #[error("cannot fetch the release listing: {0}")]
    Fetch(HttpError),
    #[error("the release listing from {origin} is not valid JSON in go.dev's format: {message}")]
    Malformed { origin: String, message: String },
    #[error("the release listing has a malformed checksum for {file}: {source}")]
    BadChecksum {
        file: String,
        source: ParseDigestError,
    },
    /// Every source failed (one failure each, in order).
    #[error("cannot get the release listing from any of its sources:{}", .0.iter().map(|e| format!("\n  - {}", e.reason())).collect::<String>())]
    AllFailed(Vec<ListingError>),
}

impl ListingError {
    /// What went wrong with one source, without the "cannot fetch" lead.
    fn reason(&self) -> String {
        match self {
            ListingError::Fetch(e) => e.to_string(),
            other => other.to_string(),
        }
    }

    /// The failures of every source as one error (a single one as it is).
    fn of_all(mut failures: Vec<ListingError>) -> ListingError {
        match failures.len() {
            1 => failures.remove(0),
            _ => ListingError::AllFailed(failures),
        }
    }
}

/// How current a loaded listing is; shown to the user when it is not fresh.
#[derive(Debug, Clone, PartialEq)]
pub enum Freshness {
    Fetched,
    /// From the cache, within its lifetime.
    Cached,
    /// From the cache, past its lifetime, because fetching failed.
    Stale {
        age: Duration,
        reason: String,
    },
}

impl Listing {
    pub fn parse(json: &[u8], origin: &str) -> Result<Listing, ListingError> {
        let raw: Vec<RawRelease> =
            serde_json::from_slice(json).map_err(|e| ListingError::Malformed {
                origin: origin.to_string(),
                message: e.to_string(),
            })?;
        // Entries whose version gvmr cannot name are skipped, not fatal: a new
        // naming scheme must not break installing known versions. So are
        // files whose name is not a plain file name: gvmr writes files by
        // these names.
        let mut releases: Vec<Release> = raw
            .into_iter()
            .filter_map(|r| {
                let version = GoVersion::parse(&r.version).ok()?;
                Some(Release {
                    version,
                    stable: r.stable && version.is_stable(),
                    files: r
                        .files
                        .into_iter()
                        .filter(|f| is_plain_file_name(&f.filename))
                        .collect(),
                })
            })
            .collect();
        releases.sort_by_key(|r| std::cmp::Reverse(r.version));
        Ok(Listing {
            releases,
            origin: origin.to_string(),
        })
    }

    pub fn release(&self, version: &GoVersion) -> Option<&Release> {
        self.releases.iter().find(|r| &r.version == version)
    }

    /// The newest release that satisfies `request` and has an archive for
    /// `platform`; `None` when there is none. `stable`/`latest` is the
    /// newest stable release, `oldstable` the newest of the minor line
    /// before the newest stable one (as actions/setup-go reads them).
    pub fn resolve(&self, request: &VersionRequest, platform: &Platform) -> Option<&Release> {
        let request = self.without_alias(request)?;
        self.releases.iter().find(|r| {
            request.matches(&r.version)
                && (r.stable || matches!(request, VersionRequest::Exact(_)))
                && r.archive_for(platform).is_some()
        })
    }

    /// `request` with `oldstable` replaced by the line it names here.
    pub fn without_alias(&self, request: &VersionRequest) -> Option<VersionRequest> {
        let stable: Vec<GoVersion> = self
            .releases
            .iter()
            .filter(|r| r.stable)
            .map(|r| r.version)
            .collect();
        request.in_terms_of(&stable)
    }

    /// Up to `n` versions closest to `request`, to suggest when it matches none.
    pub fn suggestions(&self, request: &VersionRequest, n: usize) -> Vec<GoVersion> {
        let (major, minor) = match request {
            VersionRequest::Exact(v) => (v.major, v.minor),
            VersionRequest::Line { major, minor } => (*major, *minor),
            VersionRequest::Latest | VersionRequest::OldStable | VersionRequest::System => {
                return self.newest_stable(n);
            }
        };
        let same_line: Vec<GoVersion> = self
            .releases
            .iter()
            .map(|r| r.version)
            .filter(|v| v.in_line(major, minor))
            .take(n)
            .collect();
        if same_line.is_empty() {
            self.newest_stable(n)
        } else {
            same_line
        }
    }

    fn newest_stable(&self, n: usize) -> Vec<GoVersion> {
        self.releases
            .iter()
            .filter(|r| r.stable)
            .map(|r| r.version)
            .take(n)
            .collect()
    }
}

impl Release {
    /// The binary archive of this release for `platform`.
    pub fn archive_for(&self, platform: &Platform) -> Option<&ReleaseFile> {
        self.files
            .iter()
            .find(|f| f.kind == "archive" && f.os == platform.os && f.arch == platform.arch)
    }

    /// Platforms this release has archives for, e.g. `linux-amd64`.
    pub fn platforms(&self) -> Vec<String> {
        self.files
            .iter()
            .filter(|f| f.kind == "archive")
            .map(|f| format!("{}-{}", f.os, f.arch))
            .collect()
    }
}

impl ReleaseFile {
    pub fn digest(&self) -> Result<Sha256Digest, ListingError> {
        Sha256Digest::parse_hex(&self.sha256).map_err(|source| ListingError::BadChecksum {
            file: self.filename.clone(),
            source,
        })
    }
}

/// A name that stays a file inside the directory it is joined to: no
/// separators, no NUL, not hidden (so not `.` or `..` either).
pub fn is_plain_file_name(name: &str) -> bool {
    !name.is_empty() && !name.starts_with('.') && !name.contains(['/', '\\', '\0'])
}

/// The cache file for one listing URL (named by the URL as shown, so
/// passwords never make a difference).
fn cache_file(cache_dir: &Path, url: &DisplaySafeUrl) -> PathBuf {
    let digest =
        crate::digest::sha256_of(url.to_string().as_bytes()).expect("hashing memory cannot fail");
    let hex = digest.to_string();
    cache_dir.join(format!("listing-{}.json", &hex[..16]))
}

/// The most recent cached listing of any of `urls`, however old, and its
/// age, without the network; `None` when there is none.
fn newest_cached(cache_dir: &Path, urls: &[DisplaySafeUrl]) -> Option<(Duration, Listing)> {
    urls.iter()
        .filter_map(|url| {
            let cached = cache_file(cache_dir, url);
            Some((age_of(&cached)?, read_cached(&cached, url)?))
        })
        .min_by_key(|(age, _)| *age)
}

/// The most recent cached listing of any of `urls`, however old.
pub fn cached(cache_dir: &Path, urls: &[DisplaySafeUrl]) -> Option<Listing> {
    newest_cached(cache_dir, urls).map(|(_, listing)| listing)
}

/// Loads the listing: from the cache while it is fresh, else from the
/// network, else (offline) from a stale cache.
/// How long ago `path` was written, if it exists.
fn age_of(path: &Path) -> Option<Duration> {
    let modified = fs::metadata(path).and_then(|m| m.modified()).ok()?;
    Some(
        SystemTime::now()
            .duration_since(modified)
            .unwrap_or_default(),
    )
}

/// Loads the listing from the first of `urls` that gives one: a fresh
/// cached copy of any of them, else the first that answers with a valid
/// listing (a source that sends nothing is given up after the first-byte
/// timeout), else (offline) the most recent stale copy.
pub fn load(
    http: &Http,
    cache_dir: &Path,
    urls: &[DisplaySafeUrl],
) -> Result<(Listing, Freshness), ListingError> {
    for url in urls {
        let cached = cache_file(cache_dir, url);
        if age_of(&cached).is_some_and(|age| age < FRESH_FOR)
            && let Some(listing) = read_cached(&cached, url)
        {
            return Ok((listing, Freshness::Cached));
        }
    }
    let mut failures = Vec::new();
    for url in urls {
        match fetch(http, &cache_file(cache_dir, url), url) {
            Ok(listing) => return Ok((listing, Freshness::Fetched)),
            Err(e) => failures.push(e),
        }
    }
    // Unreachable, or answering something else (a captive portal's page):
    // the last good listing is better than none.
    match newest_cached(cache_dir, urls) {
        Some((age, listing)) => Ok((
            listing,
            Freshness::Stale {
                age,
                reason: failures
                    .iter()
                    .map(ListingError::reason)
                    .collect::<Vec<_>>()
                    .join("; "),
            },
        )),
        None => Err(ListingError::of_all(failures)),
    }
}

/// Fetches and parses the listing at `url`, keeping a copy in `cached`.
fn fetch(http: &Http, cached: &Path, url: &DisplaySafeUrl) -> Result<Listing, ListingError> {
    let bytes = http
        .get_small(url, MAX_LISTING_BYTES)
        .map_err(ListingError::Fetch)?;
    let listing = Listing::parse(&bytes, &url.to_string())?;
    // A cache that cannot be written only costs a refetch next time.
    let _ = crate::files::write_atomically(cached, &bytes);
    Ok(listing)
}

/// The listing, loaded on first use and at most once per command; a stale
/// copy used because the network failed is announced with a warning.
pub struct LazyListing<'a> {
    http: Http,
    cache_dir: PathBuf,
    urls: Vec<DisplaySafeUrl>,
    ui: &'a Ui,
    loaded: OnceCell<Result<Listing, ListingError>>,
}

impl<'a> LazyListing<'a> {
    /// The listing from `urls` (`GVMR_INDEX_URL`, tried in order), cached
    /// in `cache_dir`.
    pub fn new(
        http: Http,
        cache_dir: PathBuf,
        ui: &'a Ui,
        urls: &[DisplaySafeUrl],
    ) -> LazyListing<'a> {
        LazyListing {
            http,
            cache_dir,
            urls: urls.to_vec(),
            ui,
            loaded: OnceCell::new(),
        }
    }

    pub fn get(&self) -> Result<&Listing, &ListingError> {
        self.loaded
            .get_or_init(|| {
                let (listing, freshness) = load(&self.http, &self.cache_dir, &self.urls)?;
                if let Freshness::Stale { age, reason } = freshness {
                    self.ui.warn(format!(
                        "using the release listing cached {} ago: {reason}",
                        humanize(age)
                    ));
                }
                Ok(listing)
            })
            .as_ref()
    }
}

impl LazyListing<'_> {
    /// The listing without waiting on the network: the one this command
    /// loaded, else the cached one (however old), else nothing.
    pub fn offline(&self) -> Option<std::borrow::Cow<'_, Listing>> {
        match self.loaded.get() {
            Some(Ok(listing)) => Some(std::borrow::Cow::Borrowed(listing)),
            _ => cached(&self.cache_dir, &self.urls).map(std::borrow::Cow::Owned),
        }
    }
}

/// `42 s`, `7 min`, `3 h`, `2 days`.
pub fn humanize(age: Duration) -> String {
    let s = age.as_secs();
    match s {
        0..60 => format!("{s} s"),
        60..3600 => format!("{} min", s / 60),
        3600..86400 => format!("{} h", s / 3600),
        _ => format!("{} days", s / 86400),
    }
}

/// The cached copy of the listing at `url`, if there is one that parses.
fn read_cached(path: &Path, url: &DisplaySafeUrl) -> Option<Listing> {
    let bytes = fs::read(path).ok()?;
    Listing::parse(&bytes, &url.to_string()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const GO1_14: &[u8] = include_bytes!("../../tests/fixtures/go-dl-go1.14-verbatim.json");
    const GO1_22_5: &[u8] = include_bytes!("../../tests/fixtures/go-dl-go1.22.5-excerpt.json");

    fn p(s: &str) -> Platform {
        s.parse().unwrap()
    }

    fn req(s: &str) -> VersionRequest {
        VersionRequest::parse(s).unwrap()
    }

    #[test]
    fn parses_the_real_listing_format() {
        let listing = Listing::parse(GO1_14, "fixture").unwrap();
        assert_eq!(listing.releases.len(), 1);
        let release = &listing.releases[0];
        assert_eq!(release.version.to_string(), "go1.14");
        assert!(release.stable);
        let file = release.archive_for(&p("linux-amd64")).unwrap();
        assert_eq!(file.filename, "go1.14.linux-amd64.tar.gz");
        // Installers and source archives are never picked.
        assert!(
            release
                .archive_for(&p("windows-amd64"))
                .unwrap()
                .filename
                .ends_with(".zip")
        );
    }

    #[test]
    fn armv6l_maps_to_the_quirky_file_names() {
        let listing = Listing::parse(GO1_22_5, "fixture").unwrap();
        let release = &listing.releases[0];
        let linux = release.archive_for(&p("linux-arm")).unwrap();
        assert_eq!(linux.filename, "go1.22.5.linux-armv6l.tar.gz");
        let freebsd = release.archive_for(&p("freebsd-arm")).unwrap();
        assert_eq!(freebsd.filename, "go1.22.5.freebsd-arm.tar.gz");
        let amd64 = release.archive_for(&p("linux-amd64")).unwrap();
        assert_eq!(
            amd64.digest().unwrap().to_string(),
            "904b924d435eaea086515bc63235b192ea441bd8c9b198c507e85009e6e4c7f0"
        );
        assert!(release.archive_for(&p("plan9-amd64")).is_none());
    }

    fn synthetic() -> Listing {
        let release = |v: &str, stable: bool| {
            format!(
                r#"{{"version":"{v}","stable":{stable},"files":[{{"filename":"{v}.linux-amd64.tar.gz","os":"linux","arch":"amd64","version":"{v}","sha256":"{}","size":1,"kind":"archive"}}]}}"#,
                "0".repeat(64)
            )
        };
        let json = format!(
            "[{},{},{},{},{},{}]",
            release("go1.23rc1", false),
            release("go1.22.5", true),
            release("go1.22.4", true),
            release("go1.21.0", true),
            release("go1.20", true),
            release("go1.20.1", true),
        );
        Listing::parse(json.as_bytes(), "synthetic").unwrap()
    }

    #[test]
    fn resolves_requests_to_the_newest_match() {
        let listing = synthetic();
        let amd64 = p("linux-amd64");
        let resolve = |s: &str| {
            listing
                .resolve(&req(s), &amd64)
                .map(|r| r.version.to_string())
        };
        assert_eq!(resolve("latest").as_deref(), Some("go1.22.5"));
        // The newest release is a pre-release: stable skips it, and
        // oldstable is the newest of the line before the newest stable one.
        assert_eq!(resolve("stable").as_deref(), Some("go1.22.5"));
        assert_eq!(resolve("oldstable").as_deref(), Some("go1.21.0"));
        assert_eq!(resolve("system"), None);
        assert_eq!(resolve("1.22").as_deref(), Some("go1.22.5"));
        assert_eq!(resolve("1.22.4").as_deref(), Some("go1.22.4"));
        assert_eq!(resolve("1.20").as_deref(), Some("go1.20.1"));
        assert_eq!(resolve("1.20.0").as_deref(), Some("go1.20"));
        assert_eq!(resolve("go1.20").as_deref(), Some("go1.20"));
        assert_eq!(resolve("1.21").as_deref(), Some("go1.21.0"));
        assert_eq!(resolve("1.23rc1").as_deref(), Some("go1.23rc1"));
        assert_eq!(resolve("1.23"), None, "a line with only pre-releases");
        assert_eq!(resolve("1.22.9"), None);
        assert!(listing.resolve(&req("1.22"), &p("darwin-arm64")).is_none());
    }

    #[test]
    fn suggests_the_same_line_first() {
        let listing = synthetic();
        let names = |s: &str| -> Vec<String> {
            listing
                .suggestions(&req(s), 3)
                .iter()
                .map(|v| v.to_string())
                .collect()
        };
        assert_eq!(names("1.22.9"), ["go1.22.5", "go1.22.4"]);
        assert_eq!(names("1.23"), ["go1.23rc1"]);
        assert_eq!(names("1.99"), ["go1.22.5", "go1.22.4", "go1.21.0"]);
    }

    #[test]
    fn load_fails_over_to_the_next_source_and_caches_each() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("good.json"), GO1_14).unwrap();
        std::fs::write(dir.path().join("bad.json"), "<html>").unwrap();
        let url = |name: &str| DisplaySafeUrl::from_path(&dir.path().join(name)).unwrap();
        let http = Http::for_tests();
        let cache = dir.path().join("cache");
        let urls = [url("missing.json"), url("bad.json"), url("good.json")];
        let (listing, freshness) = load(&http, &cache, &urls).unwrap();
        assert_eq!(
            (listing.origin, freshness),
            (urls[2].to_string(), Freshness::Fetched)
        );
        // The fresh copy of any source is used without asking the others.
        let (listing, freshness) = load(&http, &cache, &urls).unwrap();
        assert_eq!(
            (listing.origin, freshness),
            (urls[2].to_string(), Freshness::Cached)
        );

        let err = load(&http, &cache, &urls[..2]).unwrap_err().to_string();
        assert!(
            err.contains("cannot get the release listing from any of its sources"),
            "{err}"
        );
        assert!(
            err.contains("missing.json: no such file") || err.contains("bad.json"),
            "{err}"
        );
        let one = load(&http, &cache, &[url("gone.json")])
            .unwrap_err()
            .to_string();
        assert!(
            one.starts_with("cannot fetch the release listing: file://"),
            "{one}"
        );
    }

    #[test]
    fn ages_read_naturally() {
        assert_eq!(humanize(Duration::from_secs(5)), "5 s");
        assert_eq!(humanize(Duration::from_secs(600)), "10 min");
        assert_eq!(humanize(Duration::from_secs(7200)), "2 h");
        assert_eq!(humanize(Duration::from_secs(3 * 86400)), "3 days");
    }

    #[test]
    fn files_without_a_plain_name_are_skipped() {
        let json = br#"[{"version":"go1.22.5","stable":true,"files":[
            {"filename":"../../x.tar.gz","os":"linux","arch":"amd64","sha256":"","kind":"archive"},
            {"filename":"/etc/x.tar.gz","os":"linux","arch":"386","sha256":"","kind":"archive"},
            {"filename":".hidden.tar.gz","os":"linux","arch":"arm64","sha256":"","kind":"archive"},
            {"filename":"a\\b.zip","os":"windows","arch":"amd64","sha256":"","kind":"archive"},
            {"filename":"go1.22.5.darwin-arm64.tar.gz","os":"darwin","arch":"arm64","sha256":"","kind":"archive"}]}]"#;
        let listing = Listing::parse(json, "x").unwrap();
        let names: Vec<&str> = listing.releases[0]
            .files
            .iter()
            .map(|f| f.filename.as_str())
            .collect();
        assert_eq!(names, ["go1.22.5.darwin-arm64.tar.gz"]);
    }

    #[test]
    fn odd_versions_are_skipped_but_bad_json_is_an_error() {
        let json = br#"[{"version":"go2-weird","stable":true,"files":[]},{"version":"go1.22.5","stable":true,"files":[]}]"#;
        assert_eq!(Listing::parse(json, "x").unwrap().releases.len(), 1);
        for bad in [
            &b"{"[..],
            b"<html>",
            b"{\"version\":1}",
            b"[{\"files\":[]}]",
        ] {
            let err = Listing::parse(bad, "URL").unwrap_err().to_string();
            assert!(err.contains("URL"), "{err}");
        }
    }
}

/// Property-based fuzzing (proptest); `scripts/fuzz.sh` runs these far longer.
#[cfg(test)]
mod fuzz {
    use super::*;
    use proptest::prelude::*;

    /// A JSON value of a random kind, including ones serde finds awkward.
    fn odd_value() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("null".to_string()),
            Just("true".to_string()),
            Just("[]".to_string()),
            Just("{}".to_string()),
            Just("1e999".to_string()),
            Just("-0".to_string()),
            Just("123456789012345678901234567890".to_string()),
            Just("18446744073709551616".to_string()),
            Just("\"\\ud800\"".to_string()),
            any::<i64>().prop_map(|n| n.to_string()),
            any::<f64>().prop_map(|n| format!("{n:e}")),
            any::<String>().prop_map(|s| serde_json::to_string(&s).unwrap()),
        ]
    }

    /// A version string: usually Go-like, sometimes not.
    fn version_value() -> impl Strategy<Value = String> {
        prop_oneof![
            4 => "(go)?1\\.[0-9]{1,2}(\\.[0-9]{1,2})?((rc|beta)[0-9]{1,2})?"
                .prop_map(|v| format!("\"{v}\"")),
            1 => "go[0-9.a-z+\\-]{0,40}".prop_map(|v| format!("\"{v}\"")),
            1 => odd_value(),
        ]
    }

    fn field(
        name: &'static str,
        value: impl Strategy<Value = String>,
    ) -> impl Strategy<Value = Option<String>> {
        prop::option::weighted(0.8, value.prop_map(move |v| format!("\"{name}\":{v}")))
    }

    fn string_value() -> impl Strategy<Value = String> {
        prop_oneof![
            4 => "[a-z0-9.\\-]{0,20}".prop_map(|s| format!("\"{s}\"")),
            1 => odd_value(),
        ]
    }

    fn file_object() -> impl Strategy<Value = String> {
        (
            field("filename", string_value()),
            field("os", string_value()),
            field("arch", string_value()),
            field(
                "sha256",
                prop_oneof![
                    "[0-9a-f]{64}".prop_map(|s| format!("\"{s}\"")),
                    string_value()
                ],
            ),
            field(
                "kind",
                prop_oneof![Just("\"archive\"".to_string()), string_value()],
            ),
            field("size", odd_value()),
        )
            .prop_map(|(a, b, c, d, e, f)| object([a, b, c, d, e, f]))
    }

    fn object<const N: usize>(fields: [Option<String>; N]) -> String {
        let fields: Vec<String> = fields.into_iter().flatten().collect();
        format!("{{{}}}", fields.join(","))
    }

    fn release_object() -> impl Strategy<Value = String> {
        (
            field("version", version_value()),
            field("stable", prop_oneof![4 => any::<bool>().prop_map(|b| b.to_string()), 1 => odd_value()]),
            field(
                "files",
                prop_oneof![
                    4 => prop::collection::vec(file_object(), 0..4).prop_map(|f| format!("[{}]", f.join(","))),
                    1 => odd_value(),
                ],
            ),
            field("extra", odd_value()),
        )
            .prop_map(|(a, b, c, d)| object([a, b, c, d]))
    }

    fn listing_json() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            8 => prop::collection::vec(release_object(), 0..12)
                .prop_map(|r| format!("[{}]", r.join(",")).into_bytes()),
            1 => prop::collection::vec(any::<u8>(), 0..2000),
            1 => any::<String>().prop_map(String::into_bytes),
            1 => (0usize..2000).prop_map(|n| format!("{}{}", "[".repeat(n), "]".repeat(n)).into_bytes()),
        ]
    }

    proptest! {
        #[test]
        fn parse_never_panics_and_sorts_round_tripping_versions(json in listing_json()) {
            match Listing::parse(&json, "fuzz://listing") {
                Ok(listing) => {
                    for release in &listing.releases {
                        let name = release.version.to_string();
                        prop_assert_eq!(GoVersion::parse(&name), Ok(release.version), "{}", name);
                        prop_assert!(!release.stable || release.version.is_stable());
                        for file in &release.files {
                            // Never panics; the result may well be an error.
                            let _ = file.digest();
                        }
                    }
                    for pair in listing.releases.windows(2) {
                        prop_assert!(pair[0].version >= pair[1].version, "not newest first");
                    }
                    if let Some(newest) = listing.releases.first() {
                        let request = VersionRequest::Exact(newest.version);
                        prop_assert!(!listing.suggestions(&request, 3).is_empty());
                    }
                }
                Err(e) => prop_assert!(e.to_string().contains("fuzz://listing"), "{e}"),
            }
        }
    }
}
