//! Everyday use (issue 11): the `stable`/`oldstable` aliases wherever a
//! VERSION is accepted, `gvmr env` installing what CI names, `system` (the
//! Go outside gvmr) through the shims, `env`, `which`, `current` and a
//! hook, a user's `GOTOOLCHAIN`, and version files read the way Go, goenv,
//! asdf and mise read them (the case table is `shims/tests/compat.rs`;
//! here each rule is checked through the real `gvmr current`).

use crate::assert_transcript;
use crate::support::run_with_timeout;
use crate::support::switching::{GVMR, err, out, probe_session};
use crate::support::{BASE_PATH, Session, write_file};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

/// The newest release is a pre-release: `stable` must skip it.
const PUBLISHED: &[&str] = &["go1.21.0", "go1.21.5", "go1.22.4", "go1.22.5", "go1.23rc1"];

fn current(s: &Session, dir: &Path, vars: &[(&str, &str)]) -> Output {
    let mut cmd = s.gvmr_in(dir);
    cmd.arg("current");
    for (name, value) in vars {
        cmd.env(name, value);
    }
    cmd.output().expect("run gvmr current")
}

#[test]
fn aliases_resolve_on_the_listing_and_files_keep_exact_versions() {
    let s = probe_session(PUBLISHED, &[]);
    let dir = s.dir("proj");
    let listed = |alias: &str| {
        let output = s.gvmr().args(["list-remote", alias]).output().unwrap();
        assert!(output.status.success(), "{}", err(&output));
        out(&output)
    };
    assert_eq!(listed("stable"), "go1.22.5");
    assert_eq!(listed("latest"), "go1.22.5");
    assert_eq!(listed("oldstable"), "go1.21.5");

    let output = s.gvmr_in(&dir).args(["use", "stable"]).output().unwrap();
    assert!(output.status.success(), "{}", err(&output));
    assert_eq!(
        std::fs::read_to_string(dir.join(".go-version")).unwrap(),
        "1.22.5\n"
    );
    assert!(
        err(&output).contains("stable resolved to go1.22.5; wrote 1.22.5"),
        "{}",
        err(&output)
    );
    s.gvmr().args(["default", "oldstable"]).assert().success();
    assert_eq!(
        std::fs::read_to_string(s.home().join("default")).unwrap(),
        "1.21.5\n"
    );
    s.install(&["oldstable", "1.22.4"]);
    assert!(s.goroot("1.21.5").join("bin/go").is_file());

    // In files and GVMR_GO_VERSION, aliases resolve against what is
    // installed (the shim never reads the listing): oldstable is the newest
    // patch of the second-newest installed line.
    s.write("proj/.go-version", "oldstable\n");
    let output = current(&s, &dir, &[]);
    assert_eq!(
        out(&output),
        format!("go1.21.5 (set by {})", dir.join(".go-version").display())
    );
    let output = current(&s, &dir, &[("GVMR_GO_VERSION", "stable")]);
    assert_eq!(out(&output), "go1.22.5 (set by GVMR_GO_VERSION)");
    s.gvmr_in(&dir)
        .args(["exec", "--version", "oldstable", "--", "go", "version"])
        .env("PATH", BASE_PATH)
        .assert()
        .success()
        .stdout("go version go1.21.5 linux/amd64\n");
}

#[test]
fn env_github_stable_installs_in_a_fresh_ci_home() {
    let s = probe_session(PUBLISHED, &[]);
    let dir = s.dir("checkout");
    let github_env = s.root().join("github_env");
    let github_path = s.root().join("github_path");
    let output = s
        .gvmr_in(&dir)
        .args(["env", "--shell", "github", "stable"])
        .env("GITHUB_ENV", &github_env)
        .env("GITHUB_PATH", &github_path)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", err(&output));
    let goroot = s.goroot("1.22.5");
    assert!(goroot.join("bin/go").is_file());
    assert!(err(&output).contains("Verified sha256"), "{}", err(&output));
    assert!(
        err(&output).contains("Installed go1.22.5"),
        "{}",
        err(&output)
    );
    assert_eq!(out(&output), "", "the variables go to the files");
    assert_eq!(
        std::fs::read_to_string(&github_env).unwrap(),
        format!("GOROOT={}\nGOTOOLCHAIN=local\n", goroot.display())
    );
    assert_eq!(
        std::fs::read_to_string(&github_path).unwrap(),
        format!("{}\n", goroot.join("bin").display())
    );
    // A second step: already installed, nothing downloaded.
    s.server.clear_requests();
    s.gvmr_in(&dir)
        .args(["env", "--shell", "json", "1.22"])
        .assert()
        .success();
    assert!(
        !s.server.requests().iter().any(|r| r.contains("/dl/")),
        "{:?}",
        s.server.requests()
    );
}

/// An executable script at `path`.
fn script(path: &Path, text: &str) -> PathBuf {
    write_file(path, text);
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path.to_path_buf()
}

/// A decoy "system" Go in `root/sysbin`: `go` prints a marker and GOROOT.
fn decoy_system_go(s: &Session) -> PathBuf {
    let bin = s.dir("sysbin");
    script(
        &bin.join("go"),
        "#!/bin/sh\necho \"system go $* GOROOT=${GOROOT-unset}\"\n",
    );
    script(&bin.join("gofmt"), "#!/bin/sh\necho system gofmt\n");
    bin
}

/// Runs the `go` shim in `dir` with `PATH` = `path`, under a deadline.
fn shim_go(s: &Session, dir: &Path, path: &str, vars: &[(&str, &str)]) -> Output {
    let mut cmd = s.clean_command(s.shim("go"), dir);
    cmd.arg("version").env("PATH", path);
    for (name, value) in vars {
        cmd.env(name, value);
    }
    run_with_timeout(&mut cmd, Duration::from_secs(20))
}

#[test]
fn system_runs_the_go_outside_gvmr() {
    let s = probe_session(&["go1.22.5"], &["1.22.5"]);
    let sysbin = decoy_system_go(&s);
    let dir = s.dir("p");
    let shims = s.home().join("shims");
    let path = format!("{}:{}:{BASE_PATH}", shims.display(), sysbin.display());
    let output = s.gvmr().args(["default", "system"]).output().unwrap();
    assert!(output.status.success(), "{}", err(&output));
    assert_eq!(
        std::fs::read_to_string(s.home().join("default")).unwrap(),
        "system\n"
    );

    // The shim skips itself and runs the decoy, without a gvmr GOROOT.
    let goroot = s.goroot("1.22.5");
    let output = shim_go(
        &s,
        &dir,
        &path,
        &[("GOROOT", &goroot.display().to_string())],
    );
    assert_eq!(output.status.code(), Some(0), "{}", err(&output));
    assert_eq!(out(&output), "system go version GOROOT=unset");
    // A GOROOT of the user's own stays.
    let output = shim_go(&s, &dir, &path, &[("GOROOT", "/opt/go")]);
    assert_eq!(out(&output), "system go version GOROOT=/opt/go");

    // current and which name the system binary.
    let output = current(&s, &dir, &[("PATH", &path)]);
    assert!(output.status.success(), "{}", err(&output));
    assert_eq!(
        out(&output),
        format!(
            "system ({}) (the default, in {})",
            sysbin.join("go").display(),
            s.home().join("default").display()
        )
    );
    for (tool, expected) in [("go", "go"), ("gofmt", "gofmt")] {
        s.gvmr_in(&dir)
            .args(["which", tool])
            .env("PATH", &path)
            .assert()
            .success()
            .stdout(format!("{}\n", sysbin.join(expected).display()));
    }

    // env: no gvmr toolchain on PATH, a gvmr GOROOT unset.
    let output = s
        .gvmr_in(&dir)
        .args(["env"])
        .env("PATH", format!("{}:{path}", goroot.join("bin").display()))
        .env("GOROOT", &goroot)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", err(&output));
    assert_eq!(out(&output), format!("export PATH='{path}'\nunset GOROOT"));

    // The same through GVMR_GO_VERSION and .go-version.
    s.gvmr().args(["default", "1.22.5"]).assert().success();
    let output = shim_go(&s, &dir, &path, &[("GVMR_GO_VERSION", "system")]);
    assert_eq!(out(&output), "system go version GOROOT=unset");
    s.write("p/.go-version", "system\n");
    let output = shim_go(&s, &dir, &path, &[]);
    assert_eq!(out(&output), "system go version GOROOT=unset");

    // A hook, in bash: the project's version, then system.
    s.write("p/.go-version", "1.22.5\n");
    let mut cmd = s.clean_command("bash", &dir);
    cmd.env("PATH", format!("{}:{BASE_PATH}", sysbin.display()))
        .arg("-c")
        .arg(format!(
            "eval \"$('{GVMR}' hook bash)\"; _gvmr_hook; command -v go; echo \"$GOROOT\"; \
             export GVMR_GO_VERSION=system; _gvmr_hook; command -v go; echo \"${{GOROOT-unset}}\"; go version"
        ));
    let output = run_with_timeout(&mut cmd, Duration::from_secs(30));
    assert!(output.status.success(), "{}", err(&output));
    assert_eq!(
        out(&output),
        format!(
            "{}\n{}\n{}\nunset\nsystem go version GOROOT=unset",
            goroot.join("bin/go").display(),
            goroot.display(),
            sysbin.join("go").display()
        )
    );
}

#[test]
fn system_with_only_the_shim_on_path_fails_fast_and_never_loops() {
    let s = probe_session(&["go1.22.5"], &["1.22.5"]);
    let dir = s.dir("p");
    let shims = s.home().join("shims");
    s.write("p/.go-version", "system\n");

    let only_shims = shims.display().to_string();
    let output = shim_go(&s, &dir, &only_shims, &[]);
    assert_eq!(output.status.code(), Some(127), "{}", err(&output));
    assert_eq!(
        err(&output),
        format!(
            "gvmr: system is selected by {}, but the only go on PATH is gvmr's shim; install Go outside gvmr, or select a version (gvmr default VERSION)",
            dir.join(".go-version").display()
        )
    );

    // Copies of the shim elsewhere on PATH (another GVMR_HOME's, a copy in
    // ~/bin): each is tried once, then the same error. Never a loop.
    let copy = |name: &str| {
        let target = s.dir(name).join("go");
        std::fs::copy(s.shim("go"), &target).unwrap();
        target
    };
    copy("copy1");
    copy("copy2");
    let path = format!(
        "{only_shims}:{}:{}",
        s.root().join("copy1").display(),
        s.root().join("copy2").display()
    );
    let output = shim_go(&s, &dir, &path, &[]);
    assert_eq!(output.status.code(), Some(127), "{}", err(&output));
    assert!(
        err(&output).contains("but the only go on PATH is gvmr's shim"),
        "{}",
        err(&output)
    );

    // gvmr itself says so too, with a hint (exit 3: not found).
    let output = current(&s, &dir, &[("PATH", &only_shims)]);
    assert_transcript!(s, output, @"
    exit: 3
    --- stdout
    system (set by [ROOT]/p/.go-version)
    --- stderr
    error: system is selected by [ROOT]/p/.go-version, but the only go on PATH is gvmr's shim (or there is none)
    hint: install Go outside gvmr (e.g. your distribution's package), or select a version: `gvmr default VERSION`
    ");
}

#[test]
fn current_says_when_gotoolchain_runs_another_toolchain() {
    let s = probe_session(&["go1.22.5"], &["1.22.5"]);
    let dir = s.dir("p");
    s.write("p/.go-version", "1.22.5\n");
    for (value, note) in [
        ("go1.23.1", true),
        ("go1.23.1+auto", true),
        ("local", false),
        ("auto", false),
        ("", false),
    ] {
        let output = current(&s, &dir, &[("GOTOOLCHAIN", value)]);
        assert!(output.status.success(), "{}", err(&output));
        assert_eq!(
            err(&output).contains("GOTOOLCHAIN="),
            note,
            "{value}: {}",
            err(&output)
        );
    }
    let output = current(&s, &dir, &[("GOTOOLCHAIN", "go1.23.1+auto")]);
    assert_transcript!(s, output, @"
    exit: 0
    --- stdout
    go1.22.5 (set by [ROOT]/p/.go-version)
    --- stderr
    note: GOTOOLCHAIN=go1.23.1+auto is set in the environment, so `go` runs go1.23.1 instead of go1.22.5 (or a newer toolchain that go.mod/go.work asks for)
    ");

    // Set with `go env -w`, it is noted with its file; the toolchain's own
    // go.env (`auto`) is not the user's and switches nothing under gvmr.
    let goenv = s.write("goenv", "GOTOOLCHAIN=go1.23.1\n");
    let goenv = goenv.to_str().unwrap();
    let output = current(&s, &dir, &[("GOENV", goenv), ("GOTOOLCHAIN", "")]);
    assert!(
        err(&output).contains(&format!(
            "GOTOOLCHAIN=go1.23.1 is set in the go env file {goenv}, so `go` runs go1.23.1"
        )),
        "{}",
        err(&output)
    );
    let output = current(&s, &dir, &[("GOENV", "off"), ("GOTOOLCHAIN", "")]);
    assert!(!err(&output).contains("GOTOOLCHAIN="), "{}", err(&output));
}

#[test]
fn a_pin_older_than_the_go_line_gives_way_with_a_note() {
    let s = probe_session(&["go1.21.0", "go1.22.5"], &["1.21.0", "1.22.5"]);
    let pin = s.write("p/.go-version", "1.21.0\n");
    let module = s.write("p/m/go.mod", "module m\n\ngo 1.22\n");
    let dir = s.dir("p/m/pkg");
    let output = current(&s, &dir, &[]);
    assert!(output.status.success(), "{}", err(&output));
    assert_eq!(
        out(&output),
        format!("go1.22.5 (set by {})", module.display())
    );
    assert!(
        err(&output).contains(&pin.display().to_string()),
        "{}",
        err(&output)
    );
    assert_transcript!(s, output, @"
    exit: 0
    --- stdout
    go1.22.5 (set by [ROOT]/p/m/go.mod)
    --- stderr
    note: [ROOT]/p/.go-version selects go1.21.0, but [ROOT]/p/m/go.mod says `go 1.22`, and Go refuses an older toolchain (GOTOOLCHAIN=local); [ROOT]/p/m/go.mod decides
    ");

    // GVMR_GO_VERSION too; a pin Go accepts stays.
    let output = current(&s, &dir, &[("GVMR_GO_VERSION", "1.21")]);
    assert_eq!(
        out(&output),
        format!("go1.22.5 (set by {})", module.display())
    );
    assert!(
        err(&output).contains("GVMR_GO_VERSION selects go1.21.0"),
        "{}",
        err(&output)
    );
    s.write("p/m/go.mod", "module m\n\ngo 1.21\n");
    let output = current(&s, &dir, &[]);
    assert_eq!(out(&output), format!("go1.21.0 (set by {})", pin.display()));
    assert_eq!(err(&output), "");

    // The hook and env say it on stderr too; doctor lists it.
    s.write("p/m/go.mod", "module m\n\ngo 1.22\n");
    let output = s.gvmr_in(&dir).args(["env"]).output().unwrap();
    assert!(output.status.success(), "{}", err(&output));
    assert!(out(&output).contains(&s.goroot("1.22.5").display().to_string()));
    assert!(err(&output).contains("note: "), "{}", err(&output));
    let output = s
        .gvmr_in(&dir)
        .args(["hook-env", "--shell", "bash", "--pid", "1"])
        .output()
        .unwrap();
    assert!(err(&output).contains("gvmr: note: "), "{}", err(&output));
    let output = s
        .gvmr_in(&dir)
        .args(["doctor", "--offline", "--json"])
        .output()
        .unwrap();
    let checks: serde_json::Value = serde_json::from_str(&out(&output)).expect("doctor JSON");
    let noted = checks.as_array().unwrap().iter().any(|c| {
        c["check"] == "pin overridden"
            && c["status"] == "warning"
            && c["finding"]
                .as_str()
                .is_some_and(|f| f.contains(&pin.display().to_string()))
    });
    assert!(noted, "{checks:#}");
}

#[test]
fn version_files_as_goenv_mise_and_asdf_write_them() {
    let s = probe_session(&["go1.21.0", "go1.22.5"], &["1.21.0", "1.22.5"]);
    let outer = s.write("a/.go-version", "1.21.0\n");
    let blank = s.write("a/b/.go-version", "# to be decided\n\n");
    let dir = s.dir("a/b");
    let output = current(&s, &dir, &[]);
    assert!(output.status.success(), "{}", err(&output));
    assert_eq!(
        out(&output),
        format!("go1.21.0 (set by {})", outer.display())
    );
    assert!(
        err(&output).contains(&blank.display().to_string()),
        "{}",
        err(&output)
    );
    assert_transcript!(s, output, @"
    exit: 0
    --- stdout
    go1.21.0 (set by [ROOT]/a/.go-version)
    --- stderr
    note: [ROOT]/a/b/.go-version holds no version (only blanks or comments); skipped as if absent
    ");

    // Several lines: the first wins, the rest are mentioned; the shim runs it.
    let several = s.write("c/.go-version", "1.22.5 # the team's\n1.21.0\n");
    let output = current(&s, &s.dir("c"), &[]);
    assert_eq!(
        out(&output),
        format!("go1.22.5 (set by {})", several.display())
    );
    assert_transcript!(s, output, @r#"
    exit: 0
    --- stdout
    go1.22.5 (set by [ROOT]/c/.go-version)
    --- stderr
    note: [ROOT]/c/.go-version:2: "1.21.0" ignored: only the first version (go1.22.5) counts
    "#);
    let mut shim = s.clean_command(s.shim("go"), &s.root().join("c"));
    let output = run_with_timeout(shim.arg("version"), Duration::from_secs(20));
    assert_eq!(out(&output), "go version go1.22.5 linux/amd64");
    assert_eq!(err(&output), "", "the shim stays silent");

    // A leading v, and byte-order marks in both formats.
    let v = s.write("d/.go-version", "v1.22.5\n");
    assert_eq!(
        out(&current(&s, &s.dir("d"), &[])),
        format!("go1.22.5 (set by {})", v.display())
    );
    let bom = s.write("e/.go-version", "\u{feff}1.21.0\n");
    assert_eq!(
        out(&current(&s, &s.dir("e"), &[])),
        format!("go1.21.0 (set by {})", bom.display())
    );
    let tv = s.write("f/.tool-versions", "\u{feff}golang 1.22.5\nnodejs 20\n");
    assert_eq!(
        out(&current(&s, &s.dir("f"), &[])),
        format!("go1.22.5 (set by {})", tv.display())
    );

    // .tool-versions fallback lists: the first installed one, else the first.
    s.write("f/.tool-versions", "golang 1.23.1 1.21.0\n");
    assert_eq!(
        out(&current(&s, &s.dir("f"), &[])),
        format!("go1.21.0 (set by {})", tv.display())
    );
    s.write("f/.tool-versions", "golang 1.23.1 1.23.0\n");
    let output = current(&s, &s.dir("f"), &[]);
    assert_eq!(output.status.code(), Some(3));
    assert_eq!(out(&output), format!("go1.23.1 (set by {})", tv.display()));
    assert!(
        err(&output).contains("run: gvmr install 1.23.1"),
        "{}",
        err(&output)
    );

    // go.mod: toolchain older than the go line is ignored; `go 1.23` is
    // satisfied by a release candidate.
    let module = s.write("g/go.mod", "module g\n\ngo 1.22\n\ntoolchain go1.21.0\n");
    assert_eq!(
        out(&current(&s, &s.dir("g"), &[])),
        format!("go1.22.5 (set by {})", module.display())
    );
}

#[test]
fn install_refuses_system_and_installs_what_go_mod_needs() {
    let s = probe_session(&["go1.21.0", "go1.22.5"], &["1.22.5"]);
    let output = s.gvmr().args(["install", "system"]).output().unwrap();
    assert_transcript!(s, output, @"
    exit: 2
    --- stdout
    --- stderr
    warning: GVMR_KEYRING is set: trusting the keys in [ROOT]/keyring.asc instead of the Go release signing key built into gvmr
    error: system means the Go on PATH outside gvmr; there is nothing for gvmr to install
    ");
    // A go line the default satisfies needs nothing.
    s.gvmr().args(["default", "1.22.5"]).assert().success();
    s.write("m/go.mod", "module m\n\ngo 1.21\n");
    let output = s.gvmr_in(&s.dir("m")).arg("install").output().unwrap();
    assert!(output.status.success(), "{}", err(&output));
    assert!(
        err(&output).contains("go1.22.5 is already installed"),
        "{}",
        err(&output)
    );
    assert!(!s.goroot("1.21.0").exists());
}
