//! Support for the version-switching tests (`select`, `shims`, `env`,
//! `hooks`, `e2e_switch`): a [`World`] with a fake mirror whose Go archives
//! have a `go` that can report the environment it runs with, versions
//! installed by the real `gvmr`, and helpers to run processes with a
//! deadline.

use crate::support::keys::TestKey;
use crate::support::mirror::{Mirror, go_like_archive};
use crate::support::server::TestServer;
use crate::support::{Env, wait_with_timeout};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

/// The `gvmr` binary under test.
pub const GVMR: &str = env!("CARGO_BIN_EXE_gvmr");

/// A plain `PATH` for processes whose environment is cleared.
pub const BASE_PATH: &str = "/usr/local/bin:/usr/bin:/bin";

/// A Go-like archive (same layout as `fake_go_archive`) whose `go`
/// answers:
///
/// * `go version`: `go version <version> linux/amd64`
/// * `go env GOROOT`: the absolute directory above its `bin/`
/// * `go probe`: `GOROOT|GOTOOLCHAIN|PATH|PID` (`<unset>` for an unset
///   variable; PID is the shell's `$$`, the PID the script runs as)
/// * anything else: `fake go <args>`
///
/// and whose `gofmt` prints `fake gofmt <version>`.
pub fn probe_go_archive(version: &str) -> Vec<u8> {
    let go_script = format!(
        r#"#!/bin/sh
# Stand-in for the go command, from gvmr's switching tests.
case "$1" in
version) echo "go version {version} linux/amd64" ;;
probe) printf '%s|%s|%s|%s\n' "${{GOROOT-<unset>}}" "${{GOTOOLCHAIN-<unset>}}" "${{PATH-<unset>}}" "$$" ;;
env)
    if [ "$2" = GOROOT ]; then
        cd "$(dirname "$0")/.." && pwd
    else
        echo "fake go $*"
    fi ;;
*) echo "fake go $*" ;;
esac
"#
    );
    go_like_archive(
        version,
        &go_script,
        &format!("#!/bin/sh\necho \"fake gofmt {version}\"\n"),
    )
}

/// Asserts that the shim binary `gvmr install` copies is there.
#[track_caller]
pub fn assert_shim_binary_built() {
    let shim = Path::new(GVMR).with_file_name("gvmr-shim");
    assert!(
        shim.is_file(),
        "{} is missing: these tests need the shim binary built beside gvmr; \
         run them with `cargo test --workspace`",
        shim.display()
    );
}

/// A loopback mirror publishing some Go versions, an isolated [`Env`] and a
/// `GVMR_HOME` (by default the `Env`'s) where some of them are installed.
pub struct World {
    pub env: Env,
    pub server: TestServer,
    /// `GVMR_HOME` for every command made here.
    pub home: PathBuf,
    /// `env.root()`, canonical (so paths compare equal to what gvmr prints).
    pub root: PathBuf,
}

impl World {
    /// Publishes [`probe_go_archive`] for each of `published` (e.g.
    /// "go1.22.5"; pre-releases such as "go1.24rc1" as unstable) and
    /// installs `installed` with `gvmr install`.
    pub fn new(published: &[&str], installed: &[&str]) -> World {
        let archives: Vec<(String, Vec<u8>)> = published
            .iter()
            .map(|v| (v.to_string(), probe_go_archive(v)))
            .collect();
        World::with_archives(archives, None, installed)
    }

    /// Like [`new`](World::new) but with `GVMR_HOME` at `root/<home_name>`.
    pub fn with_home(published: &[&str], installed: &[&str], home_name: &str) -> World {
        let archives: Vec<(String, Vec<u8>)> = published
            .iter()
            .map(|v| (v.to_string(), probe_go_archive(v)))
            .collect();
        World::with_archives(archives, Some(home_name), installed)
    }

    /// Publishes the given (version, archive) pairs and installs `installed`.
    pub fn with_archives(
        archives: Vec<(String, Vec<u8>)>,
        home_name: Option<&str>,
        installed: &[&str],
    ) -> World {
        assert_shim_binary_built();
        let server = TestServer::start();
        let key = TestKey::generate("Test Go Releases <go@example.org>");
        let env = {
            let mut mirror = Mirror::new(&server, &key);
            for (version, archive) in archives {
                // Pre-releases are listed as unstable, as go.dev lists them.
                let stable = !version.contains("rc") && !version.contains("beta");
                mirror.publish_archive(&version, stable, archive);
            }
            mirror.write_listing();
            Env::new(&mirror, &key)
        };
        let root = std::fs::canonicalize(env.root()).expect("canonical test root");
        let home = match home_name {
            Some(name) => root.join(name),
            None => root.join("gvmr-home"),
        };
        std::fs::create_dir_all(&home).expect("create GVMR_HOME");
        let world = World {
            env,
            server,
            home,
            root,
        };
        if !installed.is_empty() {
            world.install(installed);
        }
        world
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

    /// `gvmr` with this world's environment (see [`Env::gvmr`]), `GVMR_HOME`
    /// = [`home`](World::home), in the project directory.
    pub fn gvmr(&self) -> assert_cmd::Command {
        let mut cmd = self.env.gvmr();
        cmd.env("GVMR_HOME", &self.home).current_dir(self.project());
        cmd
    }

    /// `gvmr` run in `dir` (with `PWD` set to it, as a shell would).
    pub fn gvmr_in(&self, dir: &Path) -> assert_cmd::Command {
        let mut cmd = self.gvmr();
        cmd.current_dir(dir).env("PWD", dir);
        cmd
    }

    /// The project directory (the `Env`'s), canonical.
    pub fn project(&self) -> PathBuf {
        self.root.join("project")
    }

    /// `GVMR_HOME/versions/go<version>` for "1.22.5" or "go1.22.5".
    pub fn goroot(&self, version: &str) -> PathBuf {
        let name = if version.starts_with("go") {
            version.to_string()
        } else {
            format!("go{version}")
        };
        self.home.join("versions").join(name)
    }

    /// `GVMR_HOME/shims/<tool>`.
    pub fn shim(&self, tool: &str) -> PathBuf {
        self.home.join("shims").join(tool)
    }

    /// URL of the mirror's listing (`GVMR_INDEX_URL`).
    pub fn index_url(&self) -> String {
        self.server.url("/listing.json")
    }

    /// URL of the mirror's download directory (`GVMR_MIRROR`).
    pub fn mirror_url(&self) -> String {
        self.server.url("/dl/")
    }

    /// Writes `text` to `root/<relative>` (creating directories); returns the path.
    pub fn write(&self, relative: &str, text: impl AsRef<[u8]>) -> PathBuf {
        write_file(&self.root.join(relative), text)
    }

    /// Creates `root/<relative>` as a directory; returns its path.
    pub fn dir(&self, relative: &str) -> PathBuf {
        let dir = self.root.join(relative);
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("create {}: {e}", dir.display()));
        dir
    }
}

/// Writes `text` to `path`, creating its directory.
pub fn write_file(path: &Path, text: impl AsRef<[u8]>) -> PathBuf {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .unwrap_or_else(|e| panic!("create {}: {e}", parent.display()));
    }
    std::fs::write(path, text).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    path.to_path_buf()
}

/// Runs `cmd` (stdin closed) and returns its output; kills it and panics
/// after `limit`.
#[track_caller]
pub fn run_with_timeout(cmd: &mut Command, limit: Duration) -> Output {
    let child = crate::support::spawn(
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped()),
    );
    wait_with_timeout(child, limit, &format!("{cmd:?}"))
}

/// A command with an empty environment but for `HOME`, `PATH` (=
/// [`BASE_PATH`]) and `GVMR_HOME`, in `dir` (with `PWD` set).
pub fn clean_command(program: impl AsRef<std::ffi::OsStr>, world: &World, dir: &Path) -> Command {
    let mut cmd = Command::new(program);
    cmd.env_clear()
        .env("HOME", world.env.user_home())
        .env("PATH", BASE_PATH)
        .env("GVMR_HOME", &world.home)
        .env("PWD", dir)
        .current_dir(dir);
    cmd
}

/// stdout of a finished run, as trimmed text.
pub fn out(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

/// stderr of a finished run, as trimmed text.
pub fn err(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).trim().to_string()
}
