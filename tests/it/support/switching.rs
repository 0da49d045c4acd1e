//! Support for the version-switching tests (`select`, `shims`, `env`,
//! `hooks`, `e2e_switch`): a [`Session`] whose mirror's Go archives have a
//! `go` that can report the environment it runs with ([`probe_session`]),
//! and helpers to run processes with a deadline.

use crate::support::Session;
use crate::support::mirror::go_like_archive;
use std::path::Path;
use std::process::{Command, Output};

/// The `gvmr` binary under test.
pub const GVMR: &str = env!("CARGO_BIN_EXE_gvmr");

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

impl Session {
    /// Publishes a [`probe_go_archive`] for each of `versions` (e.g.
    /// "go1.22.5"; pre-releases such as "go1.24rc1" as unstable).
    pub fn publish_probes(&self, versions: &[&str]) {
        for version in versions {
            self.publish_archive(version, probe_go_archive(version));
        }
    }
}

/// The start of a switching test: a [`Session`] whose mirror publishes
/// [`probe_go_archive`]s of `published`, with `installed` installed by
/// `gvmr install`.
pub fn probe_session(published: &[&str], installed: &[&str]) -> Session {
    assert_shim_binary_built();
    let s = Session::new();
    s.publish_probes(published);
    if !installed.is_empty() {
        s.install(installed);
    }
    s
}

/// Gives `cmd` (a real `go`, or a shim running one) a throw-away, offline
/// Go environment under `scratch`: its own HOME, build and module caches,
/// no module proxy, no telemetry, no cgo.
pub fn offline_go_env(cmd: &mut Command, scratch: &Path) {
    cmd.env("HOME", scratch.join("home"))
        .env("GOCACHE", scratch.join("gocache"))
        .env("GOPATH", scratch.join("gopath"))
        .env("GOMODCACHE", scratch.join("gopath/pkg/mod"))
        .env("GOFLAGS", "-mod=mod")
        .env("GOPROXY", "off")
        .env("GOTELEMETRY", "off")
        .env("CGO_ENABLED", "0");
}

/// stdout of a finished run, as trimmed text.
pub fn out(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

/// stderr of a finished run, as trimmed text.
pub fn err(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).trim().to_string()
}
