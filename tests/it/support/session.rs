//! [`Session`]: the one test context. A loopback server with a fake Go
//! mirror on it, the key that signs the mirror's releases, and under one
//! temporary directory a `GVMR_HOME`, a `HOME`, a project directory (the
//! working directory) and a keyring trusting that key.

use super::keys::TestKey;
use super::mirror::{ListingRelease, Mirror, Published, fake_go_archive};
use super::server::TestServer;
use super::{GVMR_TIMEOUT, dir_names, gvmr_line, spawn, wait_with_timeout};
use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

/// The releases of [`Session::usual`]: two stable ones of a line and a
/// pre-release of the next.
pub const USUAL: &[&str] = &["go1.22.4", "go1.22.5", "go1.23rc1"];

/// The user id of the key a session generates.
const KEY_USER_ID: &str = "Test Go Releases <go@example.org>";

/// Environment variables removed from every `gvmr` run, besides all
/// `GVMR_*` ones: they would point gvmr (or the `go` it runs) elsewhere, or
/// show in what it reports (Go's settings, as `go env` reads them). A test
/// that needs one sets it.
const SCRUBBED_VARS: &[&str] = &[
    "XDG_DATA_HOME",
    "XDG_CONFIG_HOME",
    "XDG_CACHE_HOME",
    "XDG_STATE_HOME",
    "GOROOT",
    "GOTOOLCHAIN",
    "GOENV",
    "GOPROXY",
    "GOSUMDB",
    "GOPRIVATE",
    "GONOPROXY",
    "GONOSUMDB",
    "GOINSECURE",
    "GOFLAGS",
    "GOPATH",
    "GOBIN",
    "GOWORK",
    "GODEBUG",
    "CGO_ENABLED",
    "GOOS",
    "GOARCH",
    "CC",
    "http_proxy",
    "https_proxy",
    "all_proxy",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
];

/// A plain `PATH` for processes whose environment is cleared.
pub const BASE_PATH: &str = "/usr/local/bin:/usr/bin:/bin";

/// An isolated world for one test: see the [module](self) and the example
/// in [`crate::support`].
pub struct Session {
    /// The loopback server the mirror publishes on (`/dl/…`, `/listing.json`).
    pub server: TestServer,
    /// The key that signs the mirror's releases, trusted through
    /// `GVMR_KEYRING`.
    pub key: TestKey,
    /// What the mirror publishes, for its listing.
    releases: RefCell<Vec<ListingRelease>>,
    /// Removed (with everything in it) when the session is dropped.
    _dir: tempfile::TempDir,
    /// The temporary directory, canonical (so paths compare equal to what
    /// gvmr prints).
    root: PathBuf,
    home: PathBuf,
}

impl Default for Session {
    fn default() -> Session {
        Session::new()
    }
}

impl Session {
    /// A session whose mirror publishes nothing yet (`/listing.json` is a
    /// 404 until something is published).
    pub fn new() -> Session {
        Session::with_key(TestKey::generate(KEY_USER_ID))
    }

    /// [`new`](Session::new), signing (and trusting) with `key`.
    pub fn with_key(key: TestKey) -> Session {
        let dir = tempfile::Builder::new()
            .prefix("gvmr-test")
            .tempdir()
            .expect("create the test session directory");
        let root = std::fs::canonicalize(dir.path()).expect("canonical test root");
        let session = Session {
            server: TestServer::start(),
            key,
            releases: RefCell::new(Vec::new()),
            _dir: dir,
            home: root.join("gvmr-home"),
            root,
        };
        for dir in [session.home(), &session.user_home(), &session.project()] {
            std::fs::create_dir_all(dir)
                .unwrap_or_else(|e| panic!("create {}: {e}", dir.display()));
        }
        session.key.write_keyring(&session.keyring());
        session
    }

    /// A session whose mirror publishes and lists `versions` (e.g.
    /// "go1.22.5"; see [`publish`](Session::publish)).
    pub fn with_releases(versions: &[&str]) -> Session {
        let session = Session::new();
        session.publish_releases(versions);
        session
    }

    /// [`with_releases`](Session::with_releases)`(`[`USUAL`]`)`.
    pub fn usual() -> Session {
        Session::with_releases(USUAL)
    }

    /// The same session with `GVMR_HOME` at `root/<name>` (a name that
    /// quoting mistakes would break, say).
    pub fn home_named(mut self, name: &str) -> Session {
        self.home = self.root.join(name);
        std::fs::create_dir_all(&self.home).expect("create GVMR_HOME");
        self
    }

    // -----------------------------------------------------------------------
    // The mirror

    /// [`publish`](Session::publish)es each of `versions`.
    pub fn publish_releases(&self, versions: &[&str]) {
        for version in versions {
            self.publish(version);
        }
    }

    /// Publishes [`fake_go_archive`]`(version)` for linux-amd64 (see
    /// [`publish_platform`](Session::publish_platform)).
    pub fn publish(&self, version: &str) -> Published {
        self.publish_archive(version, fake_go_archive(version))
    }

    /// Publishes `archive` as the linux-amd64 archive of `version`.
    pub fn publish_archive(&self, version: &str, archive: impl Into<Vec<u8>>) -> Published {
        self.publish_platform(version, "linux", "amd64", archive)
    }

    /// Publishes `archive` as `<version>.<os>-<arch>` (with its `.sha256`
    /// and, but for Windows, its `.asc`) under `/dl/`, and lists it in
    /// `/listing.json`: pre-releases (`rc`, `beta`) as unstable, as go.dev
    /// lists them.
    pub fn publish_platform(
        &self,
        version: &str,
        os: &str,
        arch: &str,
        archive: impl Into<Vec<u8>>,
    ) -> Published {
        let published = self.publish_unlisted(version, os, arch, archive);
        self.write_listing();
        published
    }

    /// Like [`publish_platform`](Session::publish_platform), leaving the
    /// listing as it was: a release the mirror has before the listing does.
    pub fn publish_unlisted(
        &self,
        version: &str,
        os: &str,
        arch: &str,
        archive: impl Into<Vec<u8>>,
    ) -> Published {
        let stable = !version.contains("rc") && !version.contains("beta");
        self.with_mirror(|mirror| mirror.publish_platform(version, stable, os, arch, archive))
    }

    /// What the mirror publishes, newest first, as its listing lists it.
    pub fn releases(&self) -> Vec<ListingRelease> {
        self.with_mirror(|mirror| mirror.releases())
    }

    /// Puts the listing of everything published at `/listing.json` again
    /// (after a test replaced it); returns the JSON.
    pub fn write_listing(&self) -> String {
        self.with_mirror(|mirror| mirror.write_listing())
    }

    fn with_mirror<R>(&self, f: impl FnOnce(&mut Mirror<'_>) -> R) -> R {
        let mut mirror = Mirror::with_releases(&self.server, &self.key, self.releases.take());
        let result = f(&mut mirror);
        self.releases.replace(mirror.into_releases());
        result
    }

    /// URL of the listing (`GVMR_INDEX_URL`).
    pub fn index_url(&self) -> String {
        self.server.url("/listing.json")
    }

    /// URL of the download directory, with a trailing slash (`GVMR_MIRROR`).
    pub fn mirror_url(&self) -> String {
        self.server.url("/dl/")
    }

    /// Where an install's checksum came from when the listing had it, as
    /// gvmr says it: `release listing at <index_url>`.
    pub fn listing_source(&self) -> String {
        format!("release listing at {}", self.index_url())
    }

    // -----------------------------------------------------------------------
    // Places

    /// The temporary directory everything else lives in (canonical).
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `GVMR_HOME`.
    pub fn home(&self) -> &Path {
        &self.home
    }

    /// Where installed toolchains go: `GVMR_HOME/versions`.
    pub fn versions_dir(&self) -> PathBuf {
        self.home.join("versions")
    }

    /// `GVMR_HOME/versions/go<version>`, for "1.22.5" or "go1.22.5".
    pub fn goroot(&self, version: &str) -> PathBuf {
        let name = if version.starts_with("go") {
            version.to_string()
        } else {
            format!("go{version}")
        };
        self.versions_dir().join(name)
    }

    /// `GVMR_HOME/shims/<tool>`.
    pub fn shim(&self, tool: &str) -> PathBuf {
        self.home.join("shims").join(tool)
    }

    /// `HOME` of the processes run here.
    pub fn user_home(&self) -> PathBuf {
        self.root.join("user-home")
    }

    /// The working directory of [`gvmr`](Session::gvmr).
    pub fn project(&self) -> PathBuf {
        self.root.join("project")
    }

    /// The keyring file given as `GVMR_KEYRING` (holding [`key`](Session::key)).
    pub fn keyring(&self) -> PathBuf {
        self.root.join("keyring.asc")
    }

    /// Creates `root/<relative>` as a directory; returns its path.
    pub fn dir(&self, relative: &str) -> PathBuf {
        let dir = self.root.join(relative);
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("create {}: {e}", dir.display()));
        dir
    }

    /// Writes `text` to `root/<relative>` (creating directories); returns
    /// the path.
    pub fn write(&self, relative: &str, text: impl AsRef<[u8]>) -> PathBuf {
        write_file(&self.root.join(relative), text)
    }

    /// Empties `GVMR_HOME`, as on a machine where gvmr never ran (nothing
    /// installed, nothing cached); the mirror stays as it is.
    pub fn clear_home(&self) {
        std::fs::remove_dir_all(&self.home)
            .unwrap_or_else(|e| panic!("remove {}: {e}", self.home.display()));
        std::fs::create_dir_all(&self.home).expect("create GVMR_HOME");
    }

    // -----------------------------------------------------------------------
    // Commands

    /// `gvmr` in the [`project`](Session::project) directory with this
    /// session's environment: every `GVMR_*` and proxy/XDG/Go variable of
    /// the test process removed, then `HOME`, `GVMR_HOME`, `GVMR_INDEX_URL`,
    /// `GVMR_MIRROR`, `GVMR_KEYRING` and `NO_COLOR=1` set; killed after
    /// [`GVMR_TIMEOUT`].
    pub fn gvmr(&self) -> assert_cmd::Command {
        let mut cmd = assert_cmd::Command::from_std(self.std_gvmr());
        cmd.timeout(GVMR_TIMEOUT);
        cmd
    }

    /// [`gvmr`](Session::gvmr) run in `dir`, with `PWD` set to it as a
    /// shell would.
    pub fn gvmr_in(&self, dir: &Path) -> assert_cmd::Command {
        let mut cmd = self.gvmr();
        cmd.current_dir(dir).env("PWD", dir);
        cmd
    }

    /// The same command as [`gvmr`](Session::gvmr), as a plain
    /// `std::process::Command` (no timeout): for runs that are spawned and
    /// then waited for, killed or run side by side.
    pub fn std_gvmr(&self) -> Command {
        self.command(env!("CARGO_BIN_EXE_gvmr"))
    }

    /// `program` with the environment and working directory
    /// [`gvmr`](Session::gvmr) has.
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut cmd = Command::new(program);
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("GVMR_") {
                cmd.env_remove(&name);
            }
        }
        for name in SCRUBBED_VARS {
            cmd.env_remove(name);
        }
        cmd.env("HOME", self.user_home())
            .env("GVMR_HOME", self.home())
            .env("GVMR_INDEX_URL", self.index_url())
            .env("GVMR_MIRROR", self.mirror_url())
            .env("GVMR_KEYRING", self.keyring())
            .env("NO_COLOR", "1")
            .current_dir(self.project());
        cmd
    }

    /// `program` with an empty environment but for `HOME`, `PATH` (=
    /// [`BASE_PATH`]) and `GVMR_HOME`, in `dir` (with `PWD` set): what a
    /// shim or a hook sees in a user's shell.
    pub fn clean_command(&self, program: impl AsRef<std::ffi::OsStr>, dir: &Path) -> Command {
        let mut cmd = Command::new(program);
        cmd.env_clear()
            .env("HOME", self.user_home())
            .env("PATH", BASE_PATH)
            .env("GVMR_HOME", self.home())
            .env("PWD", dir)
            .current_dir(dir);
        cmd
    }

    /// Removes the default (`GVMR_HOME/default`), which the first install
    /// sets: for a test that starts from none.
    #[track_caller]
    pub fn unset_default(&self) {
        let file = self.home.join("default");
        std::fs::remove_file(&file).unwrap_or_else(|e| panic!("remove {}: {e}", file.display()));
    }

    /// `gvmr install VERSIONS...`, which must succeed.
    #[track_caller]
    pub fn install(&self, versions: &[&str]) {
        let output = self
            .gvmr()
            .arg("install")
            .args(versions)
            .output()
            .expect("run gvmr install");
        assert!(
            output.status.success(),
            "gvmr install {versions:?} failed ({}):\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    }

    /// Runs `gvmr ARGS` on a pseudo-terminal (`script -qec`) with this
    /// environment, typing `input`: stdout holds what the terminal showed
    /// (the command's stdout and stderr, and the echoed input).
    pub fn in_terminal(&self, args: &[&str], input: &str) -> Output {
        let mut cmd = self.command("script");
        cmd.args(["-qec", &gvmr_line(args), "/dev/null"]);
        cmd.env("SHELL", "/bin/sh")
            .env("TERM", "xterm")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = spawn(&mut cmd);
        {
            use std::io::Write;
            let mut stdin = child.stdin.take().expect("piped stdin");
            stdin.write_all(input.as_bytes()).expect("type into script");
        }
        wait_with_timeout(child, GVMR_TIMEOUT, "gvmr in a terminal")
    }

    // -----------------------------------------------------------------------
    // What gvmr left

    /// Names of the entries of `versions/`, sorted; empty when it does not
    /// exist.
    pub fn version_names(&self) -> Vec<String> {
        dir_names(&self.versions_dir())
    }

    /// Names of the entries of `GVMR_HOME/tmp` (work directories of
    /// installs), sorted; empty when it does not exist.
    pub fn tmp_leftovers(&self) -> Vec<String> {
        dir_names(&self.home.join("tmp"))
    }

    /// [`tmp_leftovers`](Session::tmp_leftovers) once background deletions
    /// are done: `uninstall` and `install --force` move the old tree into
    /// `tmp/` and hand it to a detached `gvmr internal-purge`, so this waits
    /// up to 10 s for `tmp/` to empty and returns what is still there.
    pub fn tmp_after_purge(&self) -> Vec<String> {
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        loop {
            let left = self.tmp_leftovers();
            if left.is_empty() || std::time::Instant::now() > deadline {
                return left;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// `GVMR_HOME/downloads`: every file name and its bytes.
    pub fn downloads(&self) -> std::collections::BTreeMap<String, Vec<u8>> {
        let dir = self.home.join("downloads");
        dir_names(&dir)
            .into_iter()
            .map(|name| {
                let bytes = std::fs::read(dir.join(&name))
                    .unwrap_or_else(|e| panic!("read downloads/{name}: {e}"));
                (name, bytes)
            })
            .collect()
    }

    /// Asserts that a failed run left no trace of an install: no version
    /// directory, no work directory in `tmp/`.
    #[track_caller]
    pub fn assert_nothing_installed(&self) {
        assert_eq!(
            self.version_names(),
            Vec::<String>::new(),
            "versions/ must stay empty"
        );
        assert_eq!(
            self.tmp_after_purge(),
            Vec::<String>::new(),
            "tmp/ must hold no leftovers"
        );
    }

    // -----------------------------------------------------------------------
    // Snapshots

    /// insta settings whose filters hide what changes from run to run, in
    /// this order: the session's directory (`[ROOT]`), the server's
    /// `http://127.0.0.1:PORT` (`[SERVER]`), OpenPGP fingerprints (40
    /// upper-case hex digits: `[FINGERPRINT]`), any SHA-256 digest, whole or
    /// shortened `0123abcd…cdef` (`[SHA256]`), a key id shortened `ABCD1234…`
    /// (`[KEY]…`), other runs of 16 or more hex digits (`[HEX]`), dates
    /// (`[DATE]`), durations `(1.2 s)` (`([T] s)`) and the listing cache's
    /// name `listing-<hash>.json` (`listing-[HASH].json`). Add a test's own
    /// with `add_filter` on the result.
    pub fn filters(&self) -> insta::Settings {
        let mut settings = insta::Settings::clone_current();
        settings.add_filter(&literal(&self.root.display().to_string()), "[ROOT]");
        settings.add_filter(&literal(&self.server.base()), "[SERVER]");
        settings.add_filter(r"\b[0-9A-F]{40}\b", "[FINGERPRINT]");
        settings.add_filter(r"\b[0-9a-f]{64}\b|\b[0-9a-f]{8}…[0-9a-f]{4}\b", "[SHA256]");
        settings.add_filter(r"\b[0-9A-F]{8,}…", "[KEY]…");
        settings.add_filter(r"\blisting-[0-9a-f]{16}\.json\b", "listing-[HASH].json");
        settings.add_filter(r"\b[0-9A-Fa-f]{16,}\b", "[HEX]");
        settings.add_filter(r"\b\d{4}-\d\d-\d\d\b", "[DATE]");
        settings.add_filter(r" \(\d+(\.\d+)? s\)", " ([T] s)");
        settings
    }
}

/// A regular expression matching `text` literally.
fn literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if "\\.+*?()|[]{}^$#&-~".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Writes `text` to `path`, creating its directory; returns the path.
pub fn write_file(path: &Path, text: impl AsRef<[u8]>) -> PathBuf {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .unwrap_or_else(|e| panic!("create {}: {e}", parent.display()));
    }
    std::fs::write(path, text).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    path.to_path_buf()
}

/// What a finished run showed the user, for a snapshot: its exit code,
/// stdout and stderr.
pub fn transcript(output: &Output) -> String {
    let code = match output.status.code() {
        Some(code) => code.to_string(),
        None => format!("{}", output.status),
    };
    format!(
        "exit: {code}\n--- stdout\n{}--- stderr\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    )
}

/// Snapshots what a finished run showed the user ([`transcript`]: exit
/// code, stdout, stderr):
/// - `assert_transcript!(session, output, @"…")`: inline, through the
///   session's [`filters`](Session::filters) — the usual form;
/// - `assert_transcript!(session, "name", output)`: the same, in
///   `tests/it/snapshots/`, for long output;
/// - `assert_transcript!("name", output)`: in `tests/it/snapshots/`, as
///   printed (help screens).
#[macro_export]
macro_rules! assert_transcript {
    ($session:expr, $output:expr, @$snapshot:literal) => {
        $session.filters().bind(|| {
            insta::assert_snapshot!($crate::support::transcript(&$output), @$snapshot)
        })
    };
    ($session:expr, $name:expr, $output:expr) => {{
        let mut settings = $session.filters();
        settings.set_omit_expression(true);
        settings.bind(|| insta::assert_snapshot!($name, $crate::support::transcript(&$output)))
    }};
    ($name:expr, $output:expr) => {
        insta::with_settings!({ omit_expression => true }, {
            insta::assert_snapshot!($name, $crate::support::transcript(&$output))
        })
    };
}
