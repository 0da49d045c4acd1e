//! Every environment variable gvmr reads (its own `GVMR_*`, Go's
//! `GOPROXY`, `GOSUMDB`, `GOWORK`, and `NETRC`), read once when a command starts and
//! handed down as typed values. No other module reads the environment for
//! configuration: the layers below take these values as arguments, so each
//! can be tested with any value and a variable means the same everywhere.
//!
//! (`gvmr doctor` inspects the environment as a diagnosis, through its own
//! `System`; the shell hooks read the shell's state, which is not
//! configuration.)

use crate::net::credentials::Credentials;
use crate::net::goproxy::{DEFAULT_GOPROXY, ProxyList};
use crate::net::http::{DEFAULT_CONNECT_TIMEOUT, Http, HttpOptions, file_url};
use crate::net::retry::RetryPolicy;
use crate::net::sources::{self, Sources};
use crate::ui::{Ui, tildify};
use crate::verify::signature::{KeyringError, Pinned};
use crate::verify::sumdb::{SumDb, SumdbError};
use gvmr_shim::select::Inputs;
use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

/// How long a read may wait for the next bytes (`GVMR_HTTP_TIMEOUT`).
const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(30);
/// Retries after the first attempt, per mirror (`GVMR_RETRIES`).
const DEFAULT_RETRIES: u32 = 2;
const MAX_RETRIES: u32 = 10;
/// The first backoff, doubled before each further retry (`GVMR_RETRY_BACKOFF_MS`).
const DEFAULT_BACKOFF: Duration = Duration::from_millis(250);
const MAX_BACKOFF_MS: u64 = 60_000;

/// Where toolchains come from (`--source`, `GVMR_SOURCE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Source {
    /// Release archives from the mirrors (GVMR_MIRROR), checksum and signature.
    #[default]
    Archive,
    /// Module zips from Go module proxies (GOPROXY), checked against the
    /// checksum database (GOSUMDB).
    Proxy,
    /// The mirrors first; the proxies when the mirrors are unreachable or
    /// lack the version.
    Auto,
}

/// A variable whose value gvmr cannot use; the message names it and what
/// it accepts.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct SettingsError(String);

/// The environment as gvmr understands it.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// `GVMR_HOME`, else the platform's data directory (needs `HOME`).
    pub data_dir: Option<PathBuf>,
    /// What the version resolver reads: `GVMR_GO_VERSION`, `GOWORK`.
    pub selection: Inputs,
    /// `GVMR_MIRROR`: archive base URLs, in order (presets expanded, paths
    /// made `file://` URLs, passwords shown as `***`).
    pub mirrors: Vec<String>,
    /// `GVMR_INDEX_URL` (else the presets' listings): release listing URLs,
    /// tried in order.
    pub index_urls: Vec<String>,
    /// The same sources with where each came from, and the passwords taken
    /// out of their URLs: see [`Settings::sources`].
    sources: Sources,
    /// An unusable `GVMR_MIRROR`/`GVMR_INDEX_URL` entry, reported when the
    /// network is used, so commands that need none still work.
    sources_error: Option<SettingsError>,
    /// `NETRC`, else `~/.netrc`: credentials for private mirrors.
    pub netrc: Option<PathBuf>,
    /// `GVMR_KEYRING`: a keyring that replaces the built-in Go release key.
    pub keyring: Option<PathBuf>,
    /// `GVMR_HTTP_TIMEOUT`: how long a transfer may stall.
    pub http_timeout: Duration,
    /// `GITHUB_ENV` and `GITHUB_PATH`: the files GitHub Actions reads
    /// variables and PATH entries from (`gvmr env --shell github`).
    pub github_env: Option<PathBuf>,
    pub github_path: Option<PathBuf>,
    /// `GOTOOLCHAIN`: a toolchain the user asks Go to switch to.
    pub gotoolchain: Option<String>,
    /// `GVMR_CONNECT_TIMEOUT`: how long connecting, and a small file's
    /// first byte, may take.
    pub connect_timeout: Duration,
    /// Where the shell hooks keep their per-shell stamp files, first
    /// writable one wins: `$XDG_RUNTIME_DIR/gvmr`, then
    /// `$XDG_CACHE_HOME/gvmr` (default `~/.cache/gvmr`; macOS
    /// `~/Library/Caches/gvmr`). Never the data directory, which may be a
    /// read-only store shared by several users.
    pub hook_state_dirs: Vec<PathBuf>,
    key_primary: Option<String>,
    retries: Option<String>,
    retry_backoff_ms: Option<String>,
    source: Option<String>,
    goproxy: Option<String>,
    gosumdb: Option<String>,
    /// Test-only failpoints (debug builds): `GVMR_TEST_MARK_AT`,
    /// `GVMR_TEST_PAUSE_AT`, `GVMR_TEST_PAUSE_MARKER`.
    pub failpoints: Failpoints,
    /// `gvmr self update`: `GVMR_UPDATE_BASE`, `GVMR_UPDATE_KEY`.
    pub self_update: SelfUpdateSettings,
}

/// Where `gvmr self update` finds gvmr's releases, laid out as GitHub
/// serves them: `BASE/latest/download/FILE`, `BASE/download/vX.Y.Z/FILE`.
pub const DEFAULT_UPDATE_BASE: &str = concat!(env!("CARGO_PKG_REPOSITORY"), "/releases");

/// What `gvmr self update` reads from the environment.
#[derive(Debug, Clone, Default)]
pub struct SelfUpdateSettings {
    /// `GVMR_UPDATE_BASE` (a URL, or an absolute path made a `file://`
    /// URL), else [`DEFAULT_UPDATE_BASE`]: a mirror of the release downloads.
    pub base: String,
    /// `GVMR_UPDATE_KEY`: a minisign public key file that replaces the
    /// release key built into gvmr (warned about on every use).
    pub key: Option<PathBuf>,
    /// `GVMR_TEST_SELF_VERSION`, debug builds only: the version self update
    /// takes this gvmr to be, so tests can update a build to a release of
    /// the same version, or try a downgrade.
    pub test_version: Option<String>,
}

impl SelfUpdateSettings {
    fn from_env() -> SelfUpdateSettings {
        let base = match var("GVMR_UPDATE_BASE") {
            Some(path) if path.starts_with('/') => file_url(path.trim()),
            Some(url) => url.trim().to_string(),
            None => DEFAULT_UPDATE_BASE.to_string(),
        };
        SelfUpdateSettings {
            base,
            key: var_os("GVMR_UPDATE_KEY").map(PathBuf::from),
            test_version: var("GVMR_TEST_SELF_VERSION").filter(|_| cfg!(debug_assertions)),
        }
    }
}

/// Where a debug build marks or pauses a command so a test can kill it
/// at a known step (see `install::pause_point`).
#[derive(Debug, Clone, Default)]
pub struct Failpoints {
    pub mark_at: Option<OsString>,
    pub pause_at: Option<OsString>,
    pub marker: Option<OsString>,
}

/// A variable's value, when set to something other than blanks.
fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn var_os(name: &str) -> Option<OsString> {
    std::env::var_os(name).filter(|v| !v.is_empty())
}

/// The toolchain a `GOTOOLCHAIN` value makes `go` run instead of its own:
/// `go1.23.1` for `go1.23.1` or `go1.23.1+auto`; `None` for `local`,
/// `auto`, `path` and `local+auto`/`local+path`, which keep the local one.
pub fn gotoolchain_override(value: &str) -> Option<&str> {
    let name = value.trim().split('+').next().unwrap_or_default();
    match name {
        "" | "local" | "auto" | "path" => None,
        name => Some(name),
    }
}

impl Settings {
    /// Reads the environment of this process.
    pub fn from_env() -> Settings {
        let data_dir = gvmr_shim::home::data_dir();
        let (sources, sources_error) = match sources::expand(
            var("GVMR_MIRROR").as_deref(),
            var("GVMR_INDEX_URL").as_deref(),
        ) {
            Ok(sources) => (sources, None),
            Err(e) => (Sources::default(), Some(SettingsError(e.to_string()))),
        };
        let urls = |list: &[sources::Sourced]| -> Vec<String> {
            list.iter().map(|s| s.url.clone()).collect()
        };
        Settings {
            selection: Inputs::from_env(data_dir.clone()),
            data_dir,
            mirrors: urls(&sources.archives),
            index_urls: urls(&sources.listings),
            sources,
            sources_error,
            netrc: var_os("NETRC")
                .map(PathBuf::from)
                .or_else(|| var_os("HOME").map(|home| PathBuf::from(home).join(".netrc"))),
            keyring: var_os("GVMR_KEYRING").map(PathBuf::from),
            http_timeout: parse_timeout(var("GVMR_HTTP_TIMEOUT").as_deref(), DEFAULT_READ_TIMEOUT),
            github_env: var_os("GITHUB_ENV").map(PathBuf::from),
            github_path: var_os("GITHUB_PATH").map(PathBuf::from),
            gotoolchain: var("GOTOOLCHAIN"),
            connect_timeout: parse_timeout(
                var("GVMR_CONNECT_TIMEOUT").as_deref(),
                DEFAULT_CONNECT_TIMEOUT,
            ),
            hook_state_dirs: hook_state_dirs(
                var_os("XDG_RUNTIME_DIR"),
                var_os("XDG_CACHE_HOME"),
                var_os("HOME"),
            ),
            key_primary: std::env::var("GVMR_KEY_PRIMARY")
                .ok()
                .filter(|v| !v.is_empty()),
            retries: var("GVMR_RETRIES"),
            retry_backoff_ms: var("GVMR_RETRY_BACKOFF_MS"),
            source: var("GVMR_SOURCE"),
            goproxy: var("GOPROXY"),
            gosumdb: std::env::var("GOSUMDB").ok(),
            failpoints: Failpoints {
                mark_at: var_os("GVMR_TEST_MARK_AT"),
                pause_at: var_os("GVMR_TEST_PAUSE_AT"),
                marker: var_os("GVMR_TEST_PAUSE_MARKER"),
            },
            self_update: SelfUpdateSettings::from_env(),
        }
    }

    /// The HTTP client every request of this run goes through, with the
    /// retry policy and the credentials (URLs, netrc); it says on `ui` when
    /// it waits to retry. Fails on an unusable `GVMR_MIRROR` or
    /// `GVMR_INDEX_URL`, or an unreadable netrc file.
    pub fn http(&self, ui: &Ui) -> Result<Http, SettingsError> {
        let sources = self.sources()?;
        let netrc_name = self.netrc_name();
        let credentials = Credentials::load(
            sources.credentials.clone(),
            self.netrc.as_deref(),
            &netrc_name,
        )
        .map_err(|e| SettingsError(format!("cannot read {netrc_name}: {e}")))?;
        let options = HttpOptions {
            read_timeout: self.http_timeout,
            connect_timeout: self.connect_timeout,
            credentials,
        };
        Ok(Http::new(options, self.retry()?, ui.clone()))
    }

    /// The client of [`Settings::http`], or (when the settings are unusable,
    /// which `gvmr doctor` reports) one without credentials or retries.
    pub fn http_for_diagnosis(&self, ui: &Ui) -> Http {
        self.http(ui).unwrap_or_else(|_| {
            let options = HttpOptions {
                read_timeout: self.http_timeout,
                connect_timeout: self.connect_timeout,
                credentials: Credentials::default(),
            };
            let once = RetryPolicy {
                attempts: 1,
                backoff: Duration::ZERO,
            };
            Http::new(options, once, ui.clone())
        })
    }

    /// Where releases come from, each source with its origin; an error
    /// for an unusable `GVMR_MIRROR` or `GVMR_INDEX_URL` entry.
    pub fn sources(&self) -> Result<&Sources, SettingsError> {
        match &self.sources_error {
            Some(e) => Err(e.clone()),
            None => Ok(&self.sources),
        }
    }

    /// The netrc file as messages name it: `~/.netrc`, or the `NETRC` path.
    pub fn netrc_name(&self) -> String {
        match &self.netrc {
            Some(path) => tildify(path),
            None => "~/.netrc".to_string(),
        }
    }

    /// `GVMR_RETRIES` and `GVMR_RETRY_BACKOFF_MS`.
    pub fn retry(&self) -> Result<RetryPolicy, SettingsError> {
        parse_retry(self.retries.as_deref(), self.retry_backoff_ms.as_deref())
    }

    /// `GVMR_SOURCE`, for installs that have no `--source` (`gvmr use`).
    pub fn source(&self) -> Result<Source, SettingsError> {
        match &self.source {
            None => Ok(Source::Archive),
            Some(text) => <Source as clap::ValueEnum>::from_str(text.trim(), true).map_err(|_| {
                SettingsError(format!(
                    "GVMR_SOURCE must be archive, proxy or auto, not {text:?}"
                ))
            }),
        }
    }

    /// `GVMR_KEY_PRIMARY`, else the pinned Go release key.
    pub fn pinned_key(&self) -> Result<Pinned, KeyringError> {
        Pinned::parse(self.key_primary.as_deref())
    }

    /// `GOPROXY`, or Go's default when it is unset or empty.
    pub fn goproxy(&self) -> &str {
        self.goproxy.as_deref().unwrap_or(DEFAULT_GOPROXY)
    }

    pub fn proxies(&self) -> Result<ProxyList, SettingsError> {
        ProxyList::parse(self.goproxy()).map_err(SettingsError)
    }

    /// `GOSUMDB`: the checksum database proxy installs are checked against.
    pub fn sumdb(&self) -> Result<SumDb, SumdbError> {
        SumDb::from_gosumdb(self.gosumdb.as_deref())
    }
}

/// See [`Settings::hook_state_dirs`]; relative XDG paths are ignored, as
/// the XDG base directory specification says.
fn hook_state_dirs(
    runtime: Option<OsString>,
    cache: Option<OsString>,
    home: Option<OsString>,
) -> Vec<PathBuf> {
    let absolute = |value: Option<OsString>| value.map(PathBuf::from).filter(|p| p.is_absolute());
    let home = absolute(home);
    let cache = if cfg!(target_os = "macos") {
        home.map(|h| h.join("Library/Caches"))
    } else {
        absolute(cache).or_else(|| home.map(|h| h.join(".cache")))
    };
    [absolute(runtime), cache]
        .into_iter()
        .flatten()
        .map(|dir| dir.join("gvmr"))
        .collect()
}

/// Seconds, fractions allowed; anything but a positive number is `default`.
fn parse_timeout(value: Option<&str>, default: Duration) -> Duration {
    value
        .and_then(|s| s.trim().parse::<f64>().ok())
        .filter(|s| *s > 0.0 && s.is_finite() && *s < 1e9)
        .map(Duration::from_secs_f64)
        .unwrap_or(default)
}

fn parse_retry(
    retries: Option<&str>,
    backoff_ms: Option<&str>,
) -> Result<RetryPolicy, SettingsError> {
    let retries = match retries {
        None => DEFAULT_RETRIES,
        Some(text) => text
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|n| *n <= MAX_RETRIES)
            .ok_or_else(|| {
                SettingsError(format!(
                    "GVMR_RETRIES must be a whole number from 0 to {MAX_RETRIES}, not {text:?}"
                ))
            })?,
    };
    let backoff = match backoff_ms {
        None => DEFAULT_BACKOFF,
        Some(text) => text
            .trim()
            .parse::<u64>()
            .ok()
            .filter(|n| *n <= MAX_BACKOFF_MS)
            .map(Duration::from_millis)
            .ok_or_else(|| {
                SettingsError(format!(
                    "GVMR_RETRY_BACKOFF_MS must be a whole number of milliseconds from 0 to {MAX_BACKOFF_MS}, not {text:?}"
                ))
            })?,
    };
    Ok(RetryPolicy {
        attempts: retries + 1,
        backoff,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gotoolchain_names_a_toolchain_unless_local_auto_or_path() {
        assert_eq!(gotoolchain_override("go1.23.1"), Some("go1.23.1"));
        assert_eq!(gotoolchain_override("go1.23.1+auto"), Some("go1.23.1"));
        assert_eq!(gotoolchain_override("go1.23.1+path"), Some("go1.23.1"));
        for keeps_local in ["local", "auto", "path", "local+auto", "local+path", ""] {
            assert_eq!(gotoolchain_override(keeps_local), None, "{keeps_local}");
        }
    }

    #[test]
    fn hook_state_goes_to_the_runtime_then_the_cache_directory() {
        let os = |s: &str| Some(OsString::from(s));
        let dirs = hook_state_dirs(os("/run/user/7"), os("/c"), os("/home/u"));
        if cfg!(target_os = "macos") {
            assert_eq!(
                dirs,
                [
                    PathBuf::from("/run/user/7/gvmr"),
                    PathBuf::from("/home/u/Library/Caches/gvmr")
                ]
            );
            return;
        }
        assert_eq!(
            dirs,
            [PathBuf::from("/run/user/7/gvmr"), PathBuf::from("/c/gvmr")]
        );
        assert_eq!(
            hook_state_dirs(None, os("relative"), os("/home/u")),
            [PathBuf::from("/home/u/.cache/gvmr")]
        );
        assert!(hook_state_dirs(os("run"), None, None).is_empty());
    }

    #[test]
    fn timeouts_must_be_positive_numbers() {
        let default = DEFAULT_READ_TIMEOUT;
        assert_eq!(
            parse_timeout(Some("2.5"), default),
            Duration::from_millis(2500)
        );
        for bad in ["0", "-1", "x", "inf", "NaN", "1e300"] {
            assert_eq!(parse_timeout(Some(bad), default), default, "{bad}");
        }
    }

    #[test]
    fn retry_settings_parse_and_refuse_out_of_range() {
        let policy = parse_retry(Some("4"), Some("10")).unwrap();
        assert_eq!(policy.attempts, 5);
        assert_eq!(policy.backoff, Duration::from_millis(10));
        let default = parse_retry(None, None).unwrap();
        assert_eq!(default.attempts, DEFAULT_RETRIES + 1);
        assert_eq!(default.backoff, DEFAULT_BACKOFF);
        let err = parse_retry(Some("11"), None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "GVMR_RETRIES must be a whole number from 0 to 10, not \"11\""
        );
        assert!(parse_retry(None, Some("60001")).is_err());
        assert!(parse_retry(Some("-1"), None).is_err());
    }
}
