//! Everything gvmr is configured by, read once when a command starts from
//! one [`Environment`] (the process's, or a fixed one in tests) and handed
//! down as typed values: gvmr's own `GVMR_*` variables, `NETRC`, the XDG
//! directories, and Go's settings as `go env` reports them ([`GoEnv`]:
//! environment, go env file, go.env, defaults). No other module reads the
//! environment (`tests/it/layout.rs` checks it); `gvmr doctor` diagnoses
//! these same values, so what it reports is what the other commands use.
//!
//! Every value is checked here. One that does not parse (a number, a
//! duration, a choice) is kept as a [`SettingsError`] naming the variable
//! and what it accepts, and the commands that need it fail with it (exit
//! 2); commands that do not need it still work, and doctor reports it.
//! Nothing falls back to a default silently.

use crate::net::credentials::Credentials;
use crate::net::goproxy::{GoproxyError, ProxyList};
use crate::net::http::{DEFAULT_CONNECT_TIMEOUT, Http, HttpOptions};
use crate::net::retry::RetryPolicy;
use crate::net::sources::{self, BadSource, Sources};
use crate::net::url::DisplaySafeUrl;
use crate::verify::signature::{KeyringError, Pinned};
use crate::verify::sumdb::{SumDb, SumdbError};
use gvmr_shim::auto_install;
use gvmr_shim::env::Environment;
use gvmr_shim::go_env::{self, GoEnv, GoValue, Toolchain};
use gvmr_shim::select::Inputs;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long a read may wait for the next bytes (`GVMR_HTTP_TIMEOUT`).
const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(30);
/// Retries after the first attempt, per mirror (`GVMR_RETRIES`).
const DEFAULT_RETRIES: u32 = 2;
const MAX_RETRIES: u32 = 10;
/// The first backoff, doubled before each further retry (`GVMR_RETRY_BACKOFF_MS`).
const DEFAULT_BACKOFF: Duration = Duration::from_millis(250);
const MAX_BACKOFF_MS: u64 = 60_000;
/// The netrc file when `NETRC` is unset, as messages name it.
const DEFAULT_NETRC: &str = "~/.netrc";

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

/// A setting gvmr cannot use.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingsError {
    /// A value that does not parse.
    #[error("{name} must be {accepted}, not {value:?}")]
    Invalid {
        name: &'static str,
        value: String,
        accepted: &'static str,
    },
    /// An unusable `GVMR_MIRROR`/`GVMR_INDEX_URL` entry.
    #[error(transparent)]
    Source(#[from] BadSource),
    /// A Go setting gvmr cannot use, with where it was set.
    #[error("{problem} (GOPROXY from {origin})")]
    GoProxy {
        problem: GoproxyError,
        origin: String,
    },
}

/// What the shell or CI set that gvmr inspects but is not configured by:
/// the variables the activation edits and doctor diagnoses.
#[derive(Debug, Clone, Default)]
pub struct Process {
    /// `PATH`.
    pub path: Option<OsString>,
    /// `GOROOT` as exported (by the user, an IDE or gvmr's activation).
    pub goroot: Option<String>,
    /// `_GVMR_ADDED`: the PATH entry a shell hook added.
    pub hook_added: Option<String>,
    /// `SHELL`: the user's login shell.
    pub shell: Option<String>,
    /// `HTTPS_PROXY` (or `https_proxy`), for doctor's proxy check.
    pub https_proxy: Option<String>,
    /// Whether any HTTP(S) proxy variable is set.
    pub behind_proxy: bool,
    /// `CGO_ENABLED` and `GODEBUG`, for doctor's build and resolver checks.
    pub cgo_enabled: Option<String>,
    pub godebug: Option<String>,
}

/// The configuration of one gvmr run.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `GVMR_HOME`, else the platform's data directory (needs `HOME`).
    pub data_dir: Option<PathBuf>,
    /// `HOME`: for `~` in messages.
    pub home: Option<PathBuf>,
    /// `NO_COLOR`: no colours, whatever the terminal.
    pub no_color: bool,
    /// What the version resolver reads: `GVMR_GO_VERSION`, `GOWORK`, `PATH`.
    pub selection: Inputs,
    /// Go's settings (`GOPROXY`, `GOSUMDB`, `GOTOOLCHAIN`, …) with where each
    /// came from, as `go env` reports them where no toolchain is involved;
    /// [`Settings::go_env_for`] adds a toolchain's `go.env`.
    pub go: GoEnv,
    /// What [`Settings::go`] was read from, for [`Settings::go_env_for`].
    go_inputs: Environment,
    /// `GVMR_MIRROR`: archive base URLs, in order (presets expanded, paths
    /// made `file://` URLs); empty when the setting is unusable (then
    /// [`Settings::http`] fails).
    pub mirrors: Vec<DisplaySafeUrl>,
    /// `GVMR_INDEX_URL` (else the presets' listings): release listing URLs,
    /// tried in order.
    pub index_urls: Vec<DisplaySafeUrl>,
    /// The same sources with where each came from, and the passwords in
    /// their URLs as credentials: see [`Settings::sources`].
    sources: Result<Sources, SettingsError>,
    /// `NETRC`, else `~/.netrc`: credentials for private mirrors.
    pub netrc: Option<PathBuf>,
    /// Whether `NETRC` named the netrc file.
    netrc_from_env: bool,
    /// `GVMR_KEYRING`: a keyring that replaces the built-in Go release key.
    pub keyring: Option<PathBuf>,
    /// `GVMR_KEY_PRIMARY`: the fingerprint `keys update` accepts.
    key_primary: Option<String>,
    /// `GVMR_HTTP_TIMEOUT`: how long a transfer may stall.
    http_timeout: Result<Duration, SettingsError>,
    /// `GVMR_CONNECT_TIMEOUT`: how long connecting, and a small file's
    /// first byte, may take.
    connect_timeout: Result<Duration, SettingsError>,
    /// `GVMR_RETRIES` and `GVMR_RETRY_BACKOFF_MS`.
    retry: Result<RetryPolicy, SettingsError>,
    /// `GVMR_SOURCE`, for installs that have no `--source`.
    source: Result<Source, SettingsError>,
    /// `GVMR_AUTO_INSTALL`: whether `exec` and `env` (and the shims, which
    /// read it the same way) install a missing selected version.
    auto_install: Result<bool, SettingsError>,
    /// `GITHUB_ENV` and `GITHUB_PATH`: the files GitHub Actions reads
    /// variables and PATH entries from (`gvmr env --shell github`).
    pub github_env: Option<PathBuf>,
    pub github_path: Option<PathBuf>,
    /// Where the shell hooks keep their per-shell stamp files, first
    /// writable one wins: `$XDG_RUNTIME_DIR/gvmr`, then
    /// `$XDG_CACHE_HOME/gvmr` (default `~/.cache/gvmr`; macOS
    /// `~/Library/Caches/gvmr`). Never the data directory, which may be a
    /// read-only store shared by several users.
    pub hook_state_dirs: Vec<PathBuf>,
    /// The shell's state that gvmr inspects.
    pub process: Process,
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
#[derive(Debug, Clone)]
pub struct SelfUpdateSettings {
    /// `GVMR_UPDATE_BASE` (a URL, or an absolute path made a `file://`
    /// URL), else [`DEFAULT_UPDATE_BASE`]: a mirror of the release downloads.
    pub base: Result<DisplaySafeUrl, SettingsError>,
    /// `GVMR_UPDATE_KEY`: a minisign public key file that replaces the
    /// release key built into gvmr (warned about on every use).
    pub key: Option<PathBuf>,
    /// `GVMR_TEST_SELF_VERSION`, debug builds only: the version self update
    /// takes this gvmr to be, so tests can update a build to a release of
    /// the same version, or try a downgrade.
    pub test_version: Option<String>,
}

impl SelfUpdateSettings {
    fn read(env: &Environment) -> SelfUpdateSettings {
        let base = match env.setting("GVMR_UPDATE_BASE") {
            None => DisplaySafeUrl::parse(DEFAULT_UPDATE_BASE).map_err(|_| unreachable_base()),
            Some(text) => {
                let trimmed = text.trim();
                let url = if trimmed.starts_with('/') {
                    DisplaySafeUrl::from_path(Path::new(trimmed))
                } else {
                    DisplaySafeUrl::parse(trimmed)
                        .ok()
                        .filter(|u| matches!(u.scheme(), "https" | "http" | "file"))
                };
                url.ok_or_else(|| SettingsError::Invalid {
                    name: "GVMR_UPDATE_BASE",
                    // A mistyped private mirror may carry its password.
                    value: crate::net::url::shown(&text),
                    accepted: "an https://, http:// or file:// URL, or an absolute path",
                })
            }
        };
        SelfUpdateSettings {
            base,
            key: env.path("GVMR_UPDATE_KEY"),
            test_version: env
                .setting("GVMR_TEST_SELF_VERSION")
                .filter(|_| cfg!(debug_assertions)),
        }
    }
}

/// [`DEFAULT_UPDATE_BASE`] is a URL (a test checks it).
fn unreachable_base() -> SettingsError {
    SettingsError::Invalid {
        name: "GVMR_UPDATE_BASE",
        value: DEFAULT_UPDATE_BASE.to_string(),
        accepted: "an https:// URL",
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
    /// Reads this process's environment.
    pub fn from_process() -> Settings {
        Settings::read(&Environment::Process)
    }

    /// Reads `env` (and the go env file it locates).
    pub fn read(env: &Environment) -> Settings {
        let data_dir = gvmr_shim::home::data_dir(env);
        let home = env.path("HOME");
        let go = GoEnv::read(env, None);
        let sources = sources::expand(
            env.setting("GVMR_MIRROR").as_deref(),
            env.setting("GVMR_INDEX_URL").as_deref(),
        )
        .map_err(SettingsError::from);
        let urls = |list: fn(&Sources) -> &Vec<sources::Sourced>| -> Vec<DisplaySafeUrl> {
            sources
                .as_ref()
                .map(|s| list(s).iter().map(|s| s.url.clone()).collect())
                .unwrap_or_default()
        };
        let (mirrors, index_urls) = (urls(|s| &s.archives), urls(|s| &s.listings));
        let netrc_env = env.path("NETRC");
        Settings {
            mirrors,
            index_urls,
            selection: Inputs::read(env, &go, data_dir.clone()),
            data_dir,
            no_color: env.var_os("NO_COLOR").is_some(),
            go,
            go_inputs: go_env::snapshot(env),
            sources,
            netrc_from_env: netrc_env.is_some(),
            netrc: netrc_env.or_else(|| home.as_ref().map(|h| h.join(".netrc"))),
            keyring: env.path("GVMR_KEYRING"),
            key_primary: env.setting("GVMR_KEY_PRIMARY"),
            http_timeout: seconds(env, "GVMR_HTTP_TIMEOUT", DEFAULT_READ_TIMEOUT),
            connect_timeout: seconds(env, "GVMR_CONNECT_TIMEOUT", DEFAULT_CONNECT_TIMEOUT),
            retry: retry_policy(
                env.setting("GVMR_RETRIES").as_deref(),
                env.setting("GVMR_RETRY_BACKOFF_MS").as_deref(),
            ),
            source: source(env.setting("GVMR_SOURCE").as_deref()),
            auto_install: auto_install::read(env).map_err(|bad| SettingsError::Invalid {
                name: auto_install::VAR,
                value: bad.value,
                accepted: auto_install::ACCEPTED,
            }),
            github_env: env.path("GITHUB_ENV"),
            github_path: env.path("GITHUB_PATH"),
            hook_state_dirs: hook_state_dirs(
                env.absolute_path("XDG_RUNTIME_DIR"),
                env.absolute_path("XDG_CACHE_HOME"),
                home.clone().filter(|h| h.is_absolute()),
            ),
            process: Process {
                path: env.var_os("PATH").filter(|p| !p.is_empty()),
                goroot: env.setting("GOROOT"),
                hook_added: env.setting(crate::switch::activate::ADDED_VAR),
                shell: env.setting("SHELL"),
                https_proxy: env
                    .setting("HTTPS_PROXY")
                    .or_else(|| env.setting("https_proxy")),
                behind_proxy: ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"]
                    .iter()
                    .any(|name| env.setting(name).is_some()),
                cgo_enabled: env.setting("CGO_ENABLED"),
                godebug: env.setting("GODEBUG"),
            },
            home,
            failpoints: Failpoints {
                mark_at: env.var_os("GVMR_TEST_MARK_AT").filter(|v| !v.is_empty()),
                pause_at: env.var_os("GVMR_TEST_PAUSE_AT").filter(|v| !v.is_empty()),
                marker: env
                    .var_os("GVMR_TEST_PAUSE_MARKER")
                    .filter(|v| !v.is_empty()),
            },
            self_update: SelfUpdateSettings::read(env),
        }
    }

    /// Go's settings as `go env` of the toolchain at `goroot` reports them:
    /// [`Settings::go`] plus that toolchain's `go.env` and rules.
    pub fn go_env_for(&self, goroot: &Path, version: Option<gvmr_shim::GoVersion>) -> GoEnv {
        GoEnv::read(&self.go_inputs, Some(Toolchain { goroot, version }))
    }

    /// The HTTP client every request of this run goes through, with the
    /// retry policy and the credentials (URLs, netrc); it says on `ui` when
    /// it waits to retry. Fails on an unusable setting, or an unreadable
    /// netrc file.
    pub fn http(&self, ui: &crate::ui::Ui) -> Result<Http, HttpSetupError> {
        let sources = self.sources()?;
        let credentials = self.credentials(sources)?;
        let options = HttpOptions {
            read_timeout: self.http_timeout()?,
            connect_timeout: self.connect_timeout()?,
            credentials,
        };
        Ok(Http::new(options, self.retry()?, ui.clone()))
    }

    /// The client of [`Settings::http`], or (when the settings are unusable,
    /// which `gvmr doctor` reports) one with the defaults, without
    /// credentials or retries.
    pub fn http_for_diagnosis(&self, ui: &crate::ui::Ui) -> Http {
        self.http(ui).unwrap_or_else(|_| {
            let options = HttpOptions {
                read_timeout: self.http_timeout().unwrap_or(DEFAULT_READ_TIMEOUT),
                connect_timeout: self.connect_timeout().unwrap_or(DEFAULT_CONNECT_TIMEOUT),
                credentials: Credentials::default(),
            };
            let once = RetryPolicy {
                attempts: 1,
                backoff: Duration::ZERO,
            };
            Http::new(options, once, ui.clone())
        })
    }

    /// The credentials of `sources`' URLs and the netrc file.
    pub fn credentials(&self, sources: &Sources) -> Result<Credentials, HttpSetupError> {
        let name = self.netrc_name();
        Credentials::load(sources.credentials.clone(), self.netrc.as_deref(), &name).map_err(
            |source| HttpSetupError::Netrc {
                name: name.clone(),
                source: std::sync::Arc::new(source),
            },
        )
    }

    /// Where releases come from, each source with its origin.
    pub fn sources(&self) -> Result<&Sources, SettingsError> {
        self.sources.as_ref().map_err(Clone::clone)
    }

    /// The netrc file as messages name it: `~/.netrc`, or the `NETRC` path.
    pub fn netrc_name(&self) -> String {
        match &self.netrc {
            Some(path) if self.netrc_from_env => crate::ui::tildify(path),
            _ => DEFAULT_NETRC.to_string(),
        }
    }

    pub fn http_timeout(&self) -> Result<Duration, SettingsError> {
        self.http_timeout.clone()
    }

    pub fn connect_timeout(&self) -> Result<Duration, SettingsError> {
        self.connect_timeout.clone()
    }

    pub fn retry(&self) -> Result<RetryPolicy, SettingsError> {
        self.retry.clone()
    }

    /// `GVMR_SOURCE`, for installs that have no `--source` (`gvmr use`).
    pub fn source(&self) -> Result<Source, SettingsError> {
        self.source.clone()
    }

    /// `GVMR_AUTO_INSTALL`: install a missing selected version on first use.
    pub fn auto_install(&self) -> Result<bool, SettingsError> {
        self.auto_install.clone()
    }

    /// Every setting that cannot be used, for doctor.
    pub fn problems(&self) -> Vec<SettingsError> {
        let mut problems: Vec<SettingsError> = [
            self.sources.as_ref().err().cloned(),
            self.http_timeout.as_ref().err().cloned(),
            self.connect_timeout.as_ref().err().cloned(),
            self.retry.as_ref().err().cloned(),
            self.source.as_ref().err().cloned(),
            self.self_update.base.as_ref().err().cloned(),
            self.auto_install.as_ref().err().cloned(),
        ]
        .into_iter()
        .flatten()
        .collect();
        problems.extend(self.proxies().err());
        problems
    }

    /// `GVMR_KEY_PRIMARY`, else the pinned Go release key.
    pub fn pinned_key(&self) -> Result<Pinned, KeyringError> {
        Pinned::parse(self.key_primary.as_deref())
    }

    /// `GOPROXY`, as go reads it.
    pub fn goproxy(&self) -> &GoValue {
        self.go.get("GOPROXY")
    }

    /// The module proxies proxy installs use (`GOPROXY`).
    pub fn proxies(&self) -> Result<ProxyList, SettingsError> {
        let goproxy = self.goproxy();
        ProxyList::parse(&goproxy.value).map_err(|problem| SettingsError::GoProxy {
            problem,
            origin: origin_words(&goproxy.origin),
        })
    }

    /// The checksum database proxy installs are checked against (`GOSUMDB`).
    pub fn sumdb(&self) -> Result<SumDb, SumdbError> {
        SumDb::from_gosumdb(self.go.value("GOSUMDB"))
    }

    /// `GOTOOLCHAIN` when the user set it (environment or go env file) to a
    /// toolchain `go` then runs instead of the selected one.
    pub fn gotoolchain_override(&self) -> Option<(&str, &GoValue)> {
        self.go.users("GOTOOLCHAIN")?;
        let value = self.go.get("GOTOOLCHAIN");
        gotoolchain_override(&value.value).map(|toolchain| (toolchain, value))
    }
}

/// A Go value's origin as a message says it: "the environment", "the go
/// env file ~/.config/go/env", "Go's default".
pub fn origin_words(origin: &gvmr_shim::go_env::Origin) -> String {
    use gvmr_shim::go_env::Origin;
    match origin {
        Origin::EnvFile(path) => format!("the go env file {}", crate::ui::tildify(path)),
        Origin::GoRoot(path) => crate::ui::tildify(path),
        Origin::Environment => "the environment".into(),
        Origin::Default => "Go's default".into(),
    }
}

/// Why the HTTP client could not be set up.
#[derive(Debug, Clone, thiserror::Error)]
pub enum HttpSetupError {
    #[error(transparent)]
    Settings(#[from] SettingsError),
    #[error("cannot read {name}: {source}")]
    Netrc {
        name: String,
        #[source]
        source: std::sync::Arc<std::io::Error>,
    },
}

/// See [`Settings::hook_state_dirs`].
fn hook_state_dirs(
    runtime: Option<PathBuf>,
    cache: Option<PathBuf>,
    home: Option<PathBuf>,
) -> Vec<PathBuf> {
    let cache = if cfg!(target_os = "macos") {
        home.map(|h| h.join("Library/Caches"))
    } else {
        cache.or_else(|| home.map(|h| h.join(".cache")))
    };
    [runtime, cache]
        .into_iter()
        .flatten()
        .map(|dir| dir.join("gvmr"))
        .collect()
}

/// A positive number of seconds (fractions allowed), else `default` when
/// unset.
fn seconds(
    env: &Environment,
    name: &'static str,
    default: Duration,
) -> Result<Duration, SettingsError> {
    let Some(text) = env.setting(name) else {
        return Ok(default);
    };
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|s| *s > 0.0 && s.is_finite() && *s < 1e9)
        .map(Duration::from_secs_f64)
        .ok_or(SettingsError::Invalid {
            name,
            value: text,
            accepted: "a positive number of seconds (e.g. 30 or 2.5)",
        })
}

/// A whole number from 0 to `max`, else `default` when unset.
fn whole_number(
    name: &'static str,
    value: Option<&str>,
    max: u64,
    default: u64,
    accepted: &'static str,
) -> Result<u64, SettingsError> {
    match value {
        None => Ok(default),
        Some(text) => text
            .trim()
            .parse::<u64>()
            .ok()
            .filter(|n| *n <= max)
            .ok_or_else(|| SettingsError::Invalid {
                name,
                value: text.to_string(),
                accepted,
            }),
    }
}

fn retry_policy(
    retries: Option<&str>,
    backoff_ms: Option<&str>,
) -> Result<RetryPolicy, SettingsError> {
    let retries = whole_number(
        "GVMR_RETRIES",
        retries,
        MAX_RETRIES.into(),
        DEFAULT_RETRIES.into(),
        "a whole number from 0 to 10",
    )?;
    let backoff = whole_number(
        "GVMR_RETRY_BACKOFF_MS",
        backoff_ms,
        MAX_BACKOFF_MS,
        DEFAULT_BACKOFF.as_millis() as u64,
        "a whole number of milliseconds from 0 to 60000",
    )?;
    Ok(RetryPolicy {
        attempts: retries as u32 + 1,
        backoff: Duration::from_millis(backoff),
    })
}

fn source(value: Option<&str>) -> Result<Source, SettingsError> {
    match value {
        None => Ok(Source::Archive),
        Some(text) => <Source as clap::ValueEnum>::from_str(text.trim(), true).map_err(|_| {
            SettingsError::Invalid {
                name: "GVMR_SOURCE",
                value: text.to_string(),
                accepted: "archive, proxy or auto",
            }
        }),
    }
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
        let env = |vars: &[(&str, &str)]| Settings::read(&Environment::fixed(vars.to_vec()));
        let dirs = env(&[
            ("XDG_RUNTIME_DIR", "/run/user/7"),
            ("XDG_CACHE_HOME", "/c"),
            ("HOME", "/home/u"),
        ])
        .hook_state_dirs;
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
            env(&[("XDG_CACHE_HOME", "relative"), ("HOME", "/home/u")]).hook_state_dirs,
            [PathBuf::from("/home/u/.cache/gvmr")]
        );
        assert!(
            env(&[("XDG_RUNTIME_DIR", "run")])
                .hook_state_dirs
                .is_empty()
        );
    }

    #[test]
    fn every_bad_value_is_an_error_naming_the_variable_and_the_accepted_forms() {
        let settings = Settings::read(&Environment::fixed([
            ("GVMR_HTTP_TIMEOUT", "-1"),
            ("GVMR_CONNECT_TIMEOUT", "abc"),
            ("GVMR_RETRIES", "11"),
            ("GVMR_SOURCE", "ftp"),
            ("GVMR_MIRROR", "chinaa"),
            ("GVMR_AUTO_INSTALL", "yes"),
        ]));
        let problems: Vec<String> = settings.problems().iter().map(|e| e.to_string()).collect();
        assert_eq!(problems.len(), 6, "{problems:#?}");
        assert!(problems.contains(&"GVMR_AUTO_INSTALL must be 1 (install a missing selected version on first use, the default) or 0 (do not), not \"yes\"".to_string()), "{problems:#?}");
        assert!(problems.contains(&"GVMR_HTTP_TIMEOUT must be a positive number of seconds (e.g. 30 or 2.5), not \"-1\"".to_string()), "{problems:#?}");
        assert!(problems.contains(&"GVMR_CONNECT_TIMEOUT must be a positive number of seconds (e.g. 30 or 2.5), not \"abc\"".to_string()), "{problems:#?}");
        assert!(
            problems.contains(
                &"GVMR_RETRIES must be a whole number from 0 to 10, not \"11\"".to_string()
            ),
            "{problems:#?}"
        );
        assert!(
            problems
                .contains(&"GVMR_SOURCE must be archive, proxy or auto, not \"ftp\"".to_string()),
            "{problems:#?}"
        );
        assert!(
            problems
                .iter()
                .any(|p| p.starts_with("GVMR_MIRROR: \"chinaa\"")),
            "{problems:#?}"
        );
        for bad in ["0", "x", "inf", "NaN", "1e300"] {
            let settings = Settings::read(&Environment::fixed([("GVMR_HTTP_TIMEOUT", bad)]));
            assert!(settings.http_timeout().is_err(), "{bad}");
        }
        // A password in a value that is refused is not shown.
        let settings = Settings::read(&Environment::fixed([(
            "GVMR_UPDATE_BASE",
            "htps://me:s3cret@mirror.example/releases",
        )]));
        let problems: Vec<String> = settings.problems().iter().map(|e| e.to_string()).collect();
        assert_eq!(problems.len(), 1, "{problems:#?}");
        assert!(!problems[0].contains("s3cret"), "{problems:#?}");
        assert!(
            problems[0].starts_with("GVMR_UPDATE_BASE must be "),
            "{problems:#?}"
        );
        let good = Settings::read(&Environment::fixed([("GVMR_HTTP_TIMEOUT", " 2.5 ")]));
        assert_eq!(good.http_timeout(), Ok(Duration::from_millis(2500)));
        assert_eq!(good.auto_install(), Ok(true));
        assert!(good.problems().is_empty());
    }

    #[test]
    fn retry_settings_parse_and_refuse_out_of_range() {
        let policy = retry_policy(Some("4"), Some("10")).unwrap();
        assert_eq!(policy.attempts, 5);
        assert_eq!(policy.backoff, Duration::from_millis(10));
        let default = retry_policy(None, None).unwrap();
        assert_eq!(default.attempts, DEFAULT_RETRIES + 1);
        assert_eq!(default.backoff, DEFAULT_BACKOFF);
        assert!(retry_policy(None, Some("60001")).is_err());
        assert!(retry_policy(Some("-1"), None).is_err());
    }

    #[test]
    fn go_settings_come_from_the_go_env_file_with_their_origin() {
        let home = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(home.path().join(".config/go")).unwrap();
        std::fs::write(
            home.path().join(".config/go/env"),
            "GOPROXY=https://goproxy.cn,direct\nGOSUMDB=sum.golang.google.cn\nGOTOOLCHAIN=go1.23.4+auto\n",
        )
        .unwrap();
        let settings = Settings::read(&Environment::fixed([("HOME", home.path())]));
        let proxies = settings.proxies().unwrap();
        assert_eq!(proxies.setting, "https://goproxy.cn,direct");
        assert_eq!(
            settings.sumdb().unwrap().url(),
            "https://sum.golang.google.cn/"
        );
        let (toolchain, value) = settings.gotoolchain_override().unwrap();
        assert_eq!(toolchain, "go1.23.4");
        assert_eq!(value.origin.kind(), "file");
    }
}
