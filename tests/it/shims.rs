//! The `go` and `gofmt` shims in `$GVMR_HOME/shims`, run directly with an
//! almost empty environment, as a build tool or an editor would run them.

use crate::support::run_with_timeout;
use crate::support::switching::{err, out, probe_session};
use crate::support::wait_with_timeout;
use crate::support::{BASE_PATH, Session};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(60);

fn session() -> Session {
    probe_session(&["go1.21.0", "go1.22.5", "go1.23.1"], &["1.21.0", "1.22.5"])
}

/// The shim `tool` run in `dir` with only HOME, PATH and GVMR_HOME (plus `vars`).
fn shim(s: &Session, tool: &str, dir: &Path, vars: &[(&str, &str)], args: &[&str]) -> Output {
    let mut cmd = s.clean_command(s.shim(tool), dir);
    cmd.args(args);
    for (name, value) in vars {
        cmd.env(name, value);
    }
    run_with_timeout(&mut cmd, LIMIT)
}

/// The shim's `go probe`: (GOROOT, GOTOOLCHAIN, PATH, PID).
fn probe(s: &Session, dir: &Path, vars: &[(&str, &str)]) -> (String, String, String, String) {
    let output = shim(s, "go", dir, vars, &["probe"]);
    assert!(output.status.success(), "go probe failed: {}", err(&output));
    let text = out(&output);
    let parts: Vec<&str> = text.split('|').collect();
    assert_eq!(parts.len(), 4, "{text}");
    (
        parts[0].to_string(),
        parts[1].to_string(),
        parts[2].to_string(),
        parts[3].to_string(),
    )
}

fn go_version(s: &Session, dir: &Path, vars: &[(&str, &str)]) -> String {
    let output = shim(s, "go", dir, vars, &["version"]);
    assert!(
        output.status.success(),
        "go version in {}: {}",
        dir.display(),
        err(&output)
    );
    out(&output)
}

#[test]
fn install_creates_both_shims() {
    let s = probe_session(&["go1.22.5"], &[]);
    let output = s.gvmr().args(["install", "1.22.5"]).output().unwrap();
    assert!(output.status.success(), "{}", err(&output));
    assert!(
        err(&output).contains("Created the go and gofmt shims"),
        "{}",
        err(&output)
    );
    for tool in ["go", "gofmt"] {
        let meta = std::fs::metadata(s.shim(tool)).unwrap();
        assert!(meta.is_file());
        assert_ne!(
            std::os::unix::fs::PermissionsExt::mode(&meta.permissions()) & 0o111,
            0
        );
    }
}

#[test]
fn nested_projects_pick_their_own_version() {
    let s = session();
    s.write("outer/.go-version", "1.21.0\n");
    s.write("outer/inner/.go-version", "1.22.5\n");
    s.write("mod/go.mod", "module m\n\ngo 1.22.0\n");
    let outer = s.dir("outer/src/pkg");
    let inner = s.dir("outer/inner/cmd");
    let module = s.dir("mod/internal");
    assert_eq!(
        go_version(&s, &outer, &[]),
        "go version go1.21.0 linux/amd64"
    );
    assert_eq!(
        go_version(&s, &inner, &[]),
        "go version go1.22.5 linux/amd64"
    );
    assert_eq!(
        go_version(&s, &module, &[]),
        "go version go1.22.5 linux/amd64"
    );
    // gofmt too.
    let output = shim(&s, "gofmt", &inner, &[], &["-l", "."]);
    assert_eq!(out(&output), "fake gofmt go1.22.5");
    let output = shim(&s, "gofmt", &outer, &[], &[]);
    assert_eq!(out(&output), "fake gofmt go1.21.0");
    // Arguments pass through untouched.
    let output = shim(&s, "go", &outer, &[], &["build", "-o", "a b", "./..."]);
    assert_eq!(out(&output), "fake go build -o a b ./...");
    // go env GOROOT names the version's directory.
    let output = shim(&s, "go", &inner, &[], &["env", "GOROOT"]);
    assert_eq!(out(&output), s.goroot("1.22.5").display().to_string());
}

#[test]
fn gvmr_go_version_overrides_the_files() {
    let s = session();
    s.write("p/.go-version", "1.21.0\n");
    let dir = s.dir("p");
    assert_eq!(
        go_version(&s, &dir, &[("GVMR_GO_VERSION", "1.22.5")]),
        "go version go1.22.5 linux/amd64"
    );
    assert_eq!(
        go_version(&s, &dir, &[("GVMR_GO_VERSION", "go1.22")]),
        "go version go1.22.5 linux/amd64"
    );
    assert_eq!(go_version(&s, &dir, &[]), "go version go1.21.0 linux/amd64");
}

#[test]
fn the_shim_sets_goroot_gotoolchain_and_path_once() {
    let s = session();
    s.write("p/.go-version", "1.22.5\n");
    let dir = s.dir("p");
    let goroot = s.goroot("1.22.5");
    let bin = goroot.join("bin").display().to_string();

    let (root, toolchain, path, _) = probe(&s, &dir, &[]);
    assert_eq!(root, goroot.display().to_string());
    assert_eq!(toolchain, "local");
    assert_eq!(path, format!("{bin}:{BASE_PATH}"));

    // A user's GOTOOLCHAIN is kept.
    let (_, toolchain, _, _) = probe(&s, &dir, &[("GOTOOLCHAIN", "go1.23.0+auto")]);
    assert_eq!(toolchain, "go1.23.0+auto");
    // So is one set with `go env -w`: the shim leaves it to go, which reads
    // its env file (an empty GOTOOLCHAIN in the environment is unset).
    let goenv = s.write("goenv", "GOTOOLCHAIN=go1.23.0+auto\n");
    let goenv = goenv.to_str().unwrap();
    let (_, toolchain, _, _) = probe(&s, &dir, &[("GOENV", goenv), ("GOTOOLCHAIN", "")]);
    assert_eq!(
        toolchain, "",
        "the shim set GOTOOLCHAIN over the go env file"
    );
    let (_, toolchain, _, _) = probe(&s, &dir, &[("GOENV", "off"), ("GOTOOLCHAIN", "")]);
    assert_eq!(toolchain, "local");

    // The bin directory is first exactly once, even when PATH already has
    // it (say, from a shell hook) or the shims directory.
    let shims = s.home().join("shims").display().to_string();
    let crowded = format!("/x:{bin}:{shims}:{BASE_PATH}:{bin}");
    let (_, _, path, _) = probe(&s, &dir, &[("PATH", &crowded)]);
    assert_eq!(path, format!("{bin}:/x:{shims}:{BASE_PATH}"));
    assert_eq!(path.matches(bin.as_str()).count(), 1);

    // A stale GOROOT from elsewhere is replaced.
    let (root, _, _, _) = probe(&s, &dir, &[("GOROOT", "/usr/lib/go")]);
    assert_eq!(root, goroot.display().to_string());
}

#[test]
fn with_auto_install_off_a_missing_version_exits_127_with_the_install_command() {
    let s = session();
    let gv = s.write("p/.go-version", "1.23.1\n");
    let dir = s.dir("p/sub");
    let off = [("GVMR_AUTO_INSTALL", "0")];
    let output = shim(&s, "go", &dir, &off, &["version"]);
    assert_eq!(output.status.code(), Some(127));
    assert_eq!(out(&output), "");
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        format!(
            "gvmr: go1.23.1 is selected by {} but not installed; run: gvmr install 1.23.1\n",
            gv.display()
        )
    );
    // gofmt says the same.
    let output = shim(&s, "gofmt", &dir, &off, &[]);
    assert_eq!(output.status.code(), Some(127));

    // A partial version with nothing installed of its line.
    s.write("p/.go-version", "1.23\n");
    let output = shim(&s, "go", &dir, &off, &["version"]);
    assert_eq!(output.status.code(), Some(127));
    assert_eq!(
        err(&output),
        format!(
            "gvmr: 1.23 is selected by {} but not installed; run: gvmr install 1.23",
            gv.display()
        )
    );
    // An installed version directory without bin/ does not count.
    std::fs::create_dir_all(s.goroot("1.23.1")).unwrap();
    s.write("p/.go-version", "1.23.1\n");
    let output = shim(&s, "go", &dir, &off, &["version"]);
    assert_eq!(output.status.code(), Some(127), "{}", err(&output));
    // Nothing was installed.
    assert!(!s.goroot("1.23.1").join("bin").exists());

    // Any other value is an error naming the variable (only where it is
    // needed: an installed version runs whatever it says).
    let output = shim(
        &s,
        "go",
        &dir,
        &[("GVMR_AUTO_INSTALL", "yes")],
        &["version"],
    );
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        err(&output),
        "gvmr: GVMR_AUTO_INSTALL must be 1 (install a missing selected version on first use, the default) or 0 (do not), not \"yes\""
    );
    s.write("p/.go-version", "1.22.5\n");
    assert_eq!(
        go_version(&s, &dir, &[("GVMR_AUTO_INSTALL", "yes")]),
        "go version go1.22.5 linux/amd64"
    );
}

#[test]
fn no_selection_exits_127() {
    let s = session();
    s.unset_default();
    let dir = s.dir("nothing");
    let output = shim(&s, "go", &dir, &[], &["version"]);
    assert_eq!(output.status.code(), Some(127));
    assert_eq!(
        err(&output),
        "gvmr: no Go version is selected here (no GVMR_GO_VERSION, .go-version, .tool-versions, \
         go.work or go.mod above this directory, and no default); run `gvmr use VERSION` in the \
         project, or `gvmr default VERSION`"
    );
    let output = shim(&s, "gofmt", &dir, &[], &[]);
    assert_eq!(output.status.code(), Some(127));

    // The default applies when nothing else does.
    s.gvmr().args(["default", "1.21.0"]).assert().success();
    assert_eq!(go_version(&s, &dir, &[]), "go version go1.21.0 linux/amd64");
}

#[test]
fn a_malformed_file_exits_2_naming_it() {
    let s = session();
    let gv = s.write("p/.go-version", "banana\n1.22.5\n");
    let dir = s.dir("p");
    let output = shim(&s, "go", &dir, &[], &["version"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        err(&output).starts_with(&format!(
            "gvmr: {}:1: \"banana\" is not a Go version",
            gv.display()
        )),
        "{}",
        err(&output)
    );
    let marker = s.root().join("pwned");
    std::fs::write(&gv, format!("$(touch {})\n", marker.display())).unwrap();
    let output = shim(&s, "go", &dir, &[], &["version"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        err(&output).contains("is not a Go version"),
        "{}",
        err(&output)
    );
    assert!(!marker.exists());
    let output = shim(&s, "go", &dir, &[("GVMR_GO_VERSION", "nope")], &["version"]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn the_shim_execs_the_toolchain_without_a_child_process() {
    let s = session();
    s.write("p/.go-version", "1.21.0\n");
    let dir = s.dir("p");
    let child = s
        .clean_command(s.shim("go"), &dir)
        .arg("probe")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let output = wait_with_timeout(child, LIMIT, "go probe");
    assert!(output.status.success(), "{}", err(&output));
    let printed = out(&output).rsplit('|').next().unwrap().to_string();
    assert_eq!(
        printed,
        pid.to_string(),
        "the toolchain's go must run as the shim's own process (exec), not a child"
    );
    // The exit status is the toolchain's.
    let script = s.goroot("1.21.0").join("bin/gofmt");
    std::fs::write(&script, "#!/bin/sh\nexit 7\n").unwrap();
    let output = shim(&s, "gofmt", &dir, &[], &[]);
    assert_eq!(output.status.code(), Some(7));
}

/// The variables a shim needs to reach gvmr and this session's mirror.
fn reaching_gvmr(s: &Session) -> Vec<(&'static str, String)> {
    vec![
        ("GVMR_BIN", crate::support::switching::GVMR.to_string()),
        ("GVMR_INDEX_URL", s.index_url()),
        ("GVMR_MIRROR", s.mirror_url()),
        ("GVMR_KEYRING", s.keyring().display().to_string()),
    ]
}

#[test]
fn a_missing_version_is_installed_on_first_use_then_run() {
    let s = session();
    let gv = s.write("p/.go-version", "1.23.1\n");
    let dir = s.dir("p");
    let vars = reaching_gvmr(&s);
    let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let output = shim(&s, "go", &dir, &vars, &["probe"]);
    assert!(output.status.success(), "{}", err(&output));
    // One line on stderr (no terminal: no progress), then the tool runs
    // with the toolchain's environment, as the shim would run it.
    assert_eq!(
        err(&output),
        format!(
            "gvmr: go1.23.1 is selected by {} but not installed: installing it (GVMR_AUTO_INSTALL=0 turns this off)\n\
             gvmr: warning: GVMR_KEYRING is set: trusting the keys in {} instead of the Go release signing key built into gvmr",
            gv.display(),
            s.keyring().display()
        )
    );
    let goroot = s.goroot("1.23.1");
    let seen = out(&output);
    let parts: Vec<&str> = seen.split('|').collect();
    assert_eq!(parts[0], goroot.display().to_string(), "{seen}");
    assert_eq!(parts[1], "local", "{seen}");
    assert!(
        parts[2].starts_with(&format!("{}:", goroot.join("bin").display())),
        "{seen}"
    );
    assert!(s.goroot("1.23.1").join("bin/go").is_file());
    // The next run is the shim's own exec: nothing more on stderr.
    let output = shim(&s, "go", &dir, &vars, &["version"]);
    assert_eq!(out(&output), "go version go1.23.1 linux/amd64");
    assert_eq!(err(&output), "");
    // gofmt installs on first use too.
    s.write("p/.go-version", "1.22.5\n");
    std::fs::remove_dir_all(s.goroot("1.22.5")).unwrap();
    let output = shim(&s, "gofmt", &dir, &vars, &[]);
    assert!(output.status.success(), "{}", err(&output));
    assert_eq!(out(&output), "fake gofmt go1.22.5");
}

#[test]
fn an_install_on_first_use_that_fails_says_what_was_tried_and_how_to_turn_it_off() {
    let s = session();
    let gv = s.write("p/.go-version", "1.19.5\n");
    let dir = s.dir("p");
    let vars = reaching_gvmr(&s);
    let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
    // A typo (no such release): the nearest releases are named, and no
    // archive is downloaded (a HEAD asks whether the mirror has it).
    s.server.clear_requests();
    let output = shim(&s, "go", &dir, &vars, &["version"]);
    assert_eq!(output.status.code(), Some(3), "{}", err(&output));
    let stderr = err(&output);
    assert!(
        stderr.contains(&format!(
            "gvmr: go1.19.5 is selected by {} but not installed: installing it",
            gv.display()
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "error: cannot install go1.19.5 on first use: go1.19.5 is not a Go release (nearest: "
        ),
        "{stderr}"
    );
    assert!(
        stderr.ends_with(
            "hint: run `gvmr list-remote --all` to see every release; to run go without installing missing versions, set GVMR_AUTO_INSTALL=0"
        ),
        "{stderr}"
    );
    assert!(
        !s.server
            .requests()
            .iter()
            .any(|r| r.starts_with("GET ") && r.ends_with(".tar.gz")),
        "{:?}",
        s.server.requests()
    );
    // A gvmr the shim cannot run.
    let output = shim(
        &s,
        "go",
        &dir,
        &[("GVMR_BIN", "/nonexistent/gvmr")],
        &["version"],
    );
    assert_eq!(output.status.code(), Some(127));
    assert!(
        err(&output)
            .contains("GVMR_AUTO_INSTALL is on, but /nonexistent/gvmr cannot run to install it"),
        "{}",
        err(&output)
    );
}

#[test]
fn gvmr_shims_repairs_a_deleted_shim() {
    let s = session();
    s.write("p/.go-version", "1.22.5\n");
    let dir = s.dir("p");
    std::fs::remove_file(s.shim("go")).unwrap();
    std::fs::write(s.shim("gofmt"), "garbage").unwrap();
    let output = s.gvmr().arg("shims").output().unwrap();
    assert!(output.status.success(), "{}", err(&output));
    assert!(
        err(&output).contains(&s.shim("go").display().to_string()),
        "{}",
        err(&output)
    );
    assert_eq!(go_version(&s, &dir, &[]), "go version go1.22.5 linux/amd64");
    assert_eq!(
        out(&shim(&s, "gofmt", &dir, &[], &[])),
        "fake gofmt go1.22.5"
    );
    // No temporary files are left beside them.
    assert_eq!(
        crate::support::dir_names(&s.home().join("shims")),
        ["go", "gofmt"]
    );
}

#[test]
fn the_shim_refuses_other_names() {
    let s = session();
    let dir = s.dir("p");
    let other = s.root().join("gvmr-shim-copy");
    std::fs::copy(s.shim("go"), &other).unwrap();
    let output = run_with_timeout(
        Command::new(&other)
            .env_clear()
            .env("PATH", BASE_PATH)
            .current_dir(&dir),
        LIMIT,
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        err(&output).contains("this is gvmr's shim"),
        "{}",
        err(&output)
    );
}

#[test]
fn the_shim_works_through_path_and_from_a_symlinked_directory() {
    let s = session();
    s.write("real/.go-version", "1.22.5\n");
    let real = s.dir("real");
    let link = s.root().join("link");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    // Found on PATH as `go` (argv[0] is then just "go").
    let shims = s.home().join("shims");
    let output = run_with_timeout(
        Command::new("sh")
            .args(["-c", "go version"])
            .env_clear()
            .env("HOME", s.user_home())
            .env("GVMR_HOME", s.home())
            .env("PATH", format!("{}:{BASE_PATH}", shims.display()))
            .env("PWD", &link)
            .current_dir(&link),
        LIMIT,
    );
    assert!(output.status.success(), "{}", err(&output));
    assert_eq!(out(&output), "go version go1.22.5 linux/amd64");
}
