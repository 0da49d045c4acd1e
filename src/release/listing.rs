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
mod tests;

/// Property-based fuzzing (proptest); `scripts/fuzz.sh` runs these far longer.
#[cfg(test)]
mod fuzz;
