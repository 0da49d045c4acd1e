//! `gvmr current` and friends, run as the real binary: every selection rule
//! and its precedence, malformed version files, `use`, `default`, `install`
//! with no version, `which` and `exec`.

use crate::support::Session;
use crate::support::switching::{err, out, probe_session};
use std::path::Path;

/// Versions published on the mirror of every test here.
const PUBLISHED: &[&str] = &["go1.20", "go1.21.0", "go1.21.5", "go1.22.5", "go1.23.1"];

fn session() -> Session {
    probe_session(PUBLISHED, &["1.21.0", "1.22.5"])
}

/// `gvmr current` in `dir` with extra environment variables: (exit code,
/// stdout, stderr).
fn current(s: &Session, dir: &Path, vars: &[(&str, &str)]) -> (i32, String, String) {
    let mut cmd = s.gvmr_in(dir);
    cmd.arg("current");
    for (name, value) in vars {
        cmd.env(name, value);
    }
    let output = cmd.output().expect("run gvmr current");
    (
        output.status.code().unwrap_or(-1),
        out(&output),
        err(&output),
    )
}

/// Asserts `gvmr current` in `dir` succeeds and prints `expected`.
#[track_caller]
fn assert_current(s: &Session, dir: &Path, vars: &[(&str, &str)], expected: &str) {
    let (code, stdout, stderr) = current(s, dir, vars);
    assert_eq!(
        (code, stdout.as_str()),
        (0, expected),
        "gvmr current in {} ({vars:?}); stderr:\n{stderr}",
        dir.display()
    );
}

fn set_by(version: &str, file: &Path) -> String {
    format!("{version} (set by {})", file.display())
}

#[test]
fn gvmr_go_version_beats_every_file() {
    let s = session();
    let dir = s.dir("p");
    s.write("p/.go-version", "1.21.0\n");
    s.write("p/.tool-versions", "golang 1.21.0\n");
    s.write("p/go.mod", "module p\n\ngo 1.21\n\ntoolchain go1.21.0\n");
    assert_current(
        &s,
        &dir,
        &[("GVMR_GO_VERSION", "1.22.5")],
        "go1.22.5 (set by GVMR_GO_VERSION)",
    );
    // A partial version in the variable picks the newest installed match.
    assert_current(
        &s,
        &dir,
        &[("GVMR_GO_VERSION", "1.22")],
        "go1.22.5 (set by GVMR_GO_VERSION)",
    );
    // An empty variable is no selection at all.
    let gv = s.root().join("p/.go-version");
    assert_current(
        &s,
        &dir,
        &[("GVMR_GO_VERSION", "")],
        &set_by("go1.21.0", &gv),
    );
}

#[test]
fn the_nearest_version_file_wins() {
    let s = session();
    let outer = s.write("outer/.go-version", "1.21.0\n");
    let inner = s.write(
        "outer/inner/.go-version",
        "# pinned for the API\n\ngo1.22.5\n",
    );
    let deep = s.dir("outer/inner/a/b/c");
    let sibling = s.dir("outer/sibling");
    assert_current(&s, &deep, &[], &set_by("go1.22.5", &inner));
    assert_current(
        &s,
        &s.root().join("outer/inner"),
        &[],
        &set_by("go1.22.5", &inner),
    );
    assert_current(&s, &sibling, &[], &set_by("go1.21.0", &outer));
    assert_current(
        &s,
        &s.root().join("outer"),
        &[],
        &set_by("go1.21.0", &outer),
    );
}

#[test]
fn tool_versions_golang_and_go_entries() {
    let s = session();
    let golang = s.write(
        "a/.tool-versions",
        "nodejs 20.1.0\ngolang 1.22.5 # asdf\npython 3.12.0\n",
    );
    let go = s.write("b/.tool-versions", "go 1.21.0\n");
    assert_current(&s, &s.dir("a/x"), &[], &set_by("go1.22.5", &golang));
    assert_current(&s, &s.dir("b"), &[], &set_by("go1.21.0", &go));

    // A .tool-versions without a Go entry does not stop the walk.
    let outer = s.write("c/.go-version", "1.22.5\n");
    s.write("c/d/.tool-versions", "nodejs 20.1.0\n");
    assert_current(&s, &s.dir("c/d"), &[], &set_by("go1.22.5", &outer));

    // A nearer .tool-versions beats a farther .go-version.
    let near = s.write("c/e/.tool-versions", "golang 1.21.0\n");
    assert_current(&s, &s.dir("c/e/f"), &[], &set_by("go1.21.0", &near));
}

#[test]
fn go_version_beats_tool_versions_in_the_same_directory() {
    let s = session();
    let gv = s.write("p/.go-version", "1.21.0\n");
    s.write("p/.tool-versions", "golang 1.22.5\n");
    assert_current(&s, &s.dir("p"), &[], &set_by("go1.21.0", &gv));
    // ... and either beats go.work and go.mod, even nearer ones, when Go
    // accepts the pin for them (see `a_pin_older_than_the_go_line_gives_way`).
    s.write("p/sub/go.mod", "module sub\n\ngo 1.21\n");
    s.write("p/sub/go.work", "go 1.21\n\nuse .\n");
    assert_current(&s, &s.dir("p/sub"), &[], &set_by("go1.21.0", &gv));
}

#[test]
fn go_work_beats_go_mod_unless_gowork_is_off() {
    let s = session();
    let work = s.write("ws/go.work", "go 1.22.1\n\nuse ./m\n");
    let module = s.write("ws/m/go.mod", "module m\n\ngo 1.21\n");
    let dir = s.dir("ws/m/pkg");
    // go.work's go line is a minimum: the newest installed >= 1.22.1.
    assert_current(&s, &dir, &[], &set_by("go1.22.5", &work));
    s.write("ws/go.work", "go 1.23\n\nuse ./m\n");
    let (code, stdout, _) = current(&s, &dir, &[]);
    assert_eq!((code, stdout), (3, set_by("go1.23.0", &work)));
    // With GOWORK=off, go.mod's `go 1.21`: the default (go1.21.0) is new enough.
    s.gvmr().args(["default", "1.21.0"]).assert().success();
    assert_current(&s, &dir, &[("GOWORK", "off")], &set_by("go1.21.0", &module));
    // The nearest go.work, not a farther one.
    let near = s.write("ws/m/go.work", "go 1.21.0\n\nuse .\n");
    assert_current(&s, &dir, &[], &set_by("go1.21.0", &near));
}

#[test]
fn go_mod_toolchain_line_is_exact() {
    let s = probe_session(PUBLISHED, &["1.21.0", "1.21.5", "1.22.5"]);
    let module = s.write(
        "m/go.mod",
        "module example.com/m\n\ngo 1.21\n\ntoolchain go1.21.0\n\nrequire example.com/x v1.0.0\n",
    );
    // 1.21.5 is installed and newer, but the toolchain line names 1.21.0.
    assert_current(&s, &s.dir("m"), &[], &set_by("go1.21.0", &module));
    // The nearest go.mod wins (a nested module).
    let nested = s.write("m/tools/go.mod", "module tools\n\ngo 1.22.0\n");
    assert_current(&s, &s.dir("m/tools/x"), &[], &set_by("go1.22.5", &nested));
}

#[test]
fn go_mod_go_line_is_a_minimum_as_in_go() {
    let s = probe_session(PUBLISHED, &["1.21.0", "1.21.5", "1.22.5"]);
    s.unset_default();
    let module = s.root().join("m/go.mod");
    let dir = s.dir("m");
    let set_go_line = |line: &str| {
        s.write("m/go.mod", format!("module m\n\n{line}\n"));
    };

    // No default: the newest installed version at or above the go line,
    // whatever its minor line (Go runs a module with any newer toolchain).
    set_go_line("go 1.21");
    assert_current(&s, &dir, &[], &set_by("go1.22.5", &module));
    set_go_line("go 1.22.1 // comment");
    assert_current(&s, &dir, &[], &set_by("go1.22.5", &module));

    // The default wins when it is installed and new enough ...
    s.gvmr().args(["default", "1.21.5"]).assert().success();
    set_go_line("go 1.21");
    assert_current(&s, &dir, &[], &set_by("go1.21.5", &module));
    // ... and is passed over, with a note, when it is too old.
    set_go_line("go 1.22");
    let (code, stdout, stderr) = current(&s, &dir, &[]);
    assert_eq!(
        (code, stdout.as_str()),
        (0, set_by("go1.22.5", &module).as_str())
    );
    assert!(
        stderr.contains(&format!(
            "note: the default (go1.21.5) selects go1.21.5, but {} says `go 1.22`",
            module.display()
        )),
        "{stderr}"
    );

    // Nothing installed satisfies it: exactly that version, to install.
    set_go_line("go 1.22.6");
    let (code, stdout, stderr) = current(&s, &dir, &[]);
    assert_eq!(code, 3, "{stdout}\n{stderr}");
    assert_eq!(stdout, set_by("go1.22.6", &module));
    assert!(
        stderr.contains(&format!(
            "go1.22.6 is selected by {} but not installed; run: gvmr install 1.22.6",
            module.display()
        )),
        "{stderr}"
    );
}

#[test]
fn go_1_21_means_go1_21_0_and_go_1_20_means_go1_20() {
    let s = probe_session(PUBLISHED, &[]);
    let module = s.write("m/go.mod", "module m\ngo 1.21\n");
    let (code, stdout, stderr) = current(&s, &s.dir("m"), &[]);
    assert_eq!(code, 3);
    assert_eq!(stdout, set_by("go1.21.0", &module));
    assert!(stderr.contains("run: gvmr install 1.21.0"), "{stderr}");

    let old = s.write("old/go.mod", "module old\ngo 1.20\n");
    let (code, stdout, stderr) = current(&s, &s.dir("old"), &[]);
    assert_eq!(code, 3);
    assert_eq!(stdout, set_by("go1.20", &old));
    assert!(stderr.contains("go1.20 is selected by"), "{stderr}");
    assert_eq!(hinted(&stderr), "1.20.0", "{stderr}");

    // And installing what the directory selects makes it current.
    s.gvmr_in(&s.root().join("old"))
        .arg("install")
        .assert()
        .success();
    assert!(s.goroot("go1.20").join("bin/go").is_file());
    assert_current(&s, &s.root().join("old"), &[], &set_by("go1.20", &old));
}

#[test]
fn the_default_applies_last() {
    let s = session();
    let dir = s.dir("bare/dir");
    s.gvmr_in(&dir)
        .args(["default", "1.21"])
        .assert()
        .success()
        .stderr(predicates::str::contains("1.21 resolved to go1.21"));
    // `default 1.21` resolves the line on the mirror (1.21.5 is the newest)
    // and installs it.
    let default_file = s.home().join("default");
    assert_eq!(std::fs::read_to_string(&default_file).unwrap(), "1.21.5\n");
    assert!(s.goroot("1.21.5").join("bin/go").is_file());
    s.gvmr_in(&dir)
        .arg("default")
        .assert()
        .success()
        .stdout("1.21.5\n");
    assert_current(
        &s,
        &dir,
        &[],
        &format!("go1.21.5 (the default, in {})", default_file.display()),
    );
    // Any file beats the default.
    let module = s.write("bare/go.mod", "module bare\ngo 1.22\n");
    assert_current(&s, &dir, &[], &set_by("go1.22.5", &module));
    // An exact installed version is set without the network.
    s.server
        .fault("/listing.json", crate::support::server::Fault::Status(500));
    s.gvmr_in(&dir)
        .args(["default", "1.22.5"])
        .assert()
        .success();
    assert_eq!(std::fs::read_to_string(&default_file).unwrap(), "1.22.5\n");
}

#[test]
fn nothing_selected_exits_3_and_says_how_to_choose() {
    let s = session();
    s.unset_default();
    let dir = s.dir("nothing/here");
    let (code, stdout, stderr) = current(&s, &dir, &[]);
    assert_eq!(code, 3, "{stdout}\n{stderr}");
    assert_eq!(stdout, "");
    assert!(
        stderr.contains("no Go version is selected here"),
        "{stderr}"
    );
    assert!(stderr.contains("gvmr use VERSION"), "{stderr}");
    assert!(stderr.contains("gvmr default VERSION"), "{stderr}");
    // `gvmr default` with none set says how to set one.
    let output = s.gvmr_in(&dir).arg("default").output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(3),
        "nothing to print is \"not found\""
    );
    assert!(
        err(&output).contains("gvmr default VERSION"),
        "{}",
        err(&output)
    );
}

#[test]
fn json_output_has_version_source_installed_and_goroot() {
    let s = session();
    let gv = s.write("p/.go-version", "1.22.5\n");
    let output = s
        .gvmr_in(&s.root().join("p"))
        .args(["current", "--json"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", err(&output));
    let json: serde_json::Value = serde_json::from_str(&out(&output)).expect("JSON");
    assert_eq!(json["version"], "go1.22.5");
    assert_eq!(json["source"], gv.display().to_string());
    assert_eq!(json["installed"], true);
    assert_eq!(json["goroot"], s.goroot("1.22.5").display().to_string());

    s.write("p/.go-version", "1.23.1\n");
    let output = s
        .gvmr_in(&s.root().join("p"))
        .args(["current", "--json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3));
    let json: serde_json::Value = serde_json::from_str(&out(&output)).expect("JSON");
    assert_eq!(json["version"], "go1.23.1");
    assert_eq!(json["installed"], false);
    assert!(json["goroot"].is_null(), "{json}");

    let output = s
        .gvmr_in(&s.root().join("p"))
        .args(["current", "--json"])
        .env("GVMR_GO_VERSION", "1.21")
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_str(&out(&output)).expect("JSON");
    assert_eq!(json["version"], "go1.21.0");
    assert_eq!(json["source"], "GVMR_GO_VERSION");
}

/// Runs `gvmr current` in `dir`, which must fail with exit 2 and a message
/// naming `file` (and `line`, when given) and containing `expected`.
#[track_caller]
fn assert_malformed(s: &Session, dir: &Path, file: &Path, line: Option<usize>, expected: &str) {
    let (code, stdout, stderr) = current(s, dir, &[]);
    assert_eq!(code, 2, "stdout: {stdout}\nstderr: {stderr}");
    let origin = match line {
        Some(line) => format!("{}:{line}: ", file.display()),
        None => format!("{}: ", file.display()),
    };
    assert!(
        stderr.contains(&origin),
        "the error must name {origin:?}:\n{stderr}"
    );
    assert!(
        stderr.contains(expected),
        "expected {expected:?} in:\n{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn malformed_files_name_the_file_the_line_and_what_was_expected() {
    let s = session();
    let dir = s.dir("m");
    let gv = s.root().join("m/.go-version");

    // (Several versions and comment-only files are not malformed: see
    // `go_version_files_as_goenv_and_mise_write_them`.)

    std::fs::write(&gv, "\n\nbanana\n").unwrap();
    assert_malformed(
        &s,
        &dir,
        &gv,
        Some(3),
        "\"banana\" is not a Go version (expected e.g. 1.22.5, go1.22.5, 1.22 or latest)",
    );

    std::fs::write(&gv, "../../x\n").unwrap();
    assert_malformed(&s, &dir, &gv, Some(1), "\"../../x\" is not a Go version");

    std::fs::write(&gv, [0xff, 0xfe, 0x00, 0x01, b'\n']).unwrap();
    assert_malformed(&s, &dir, &gv, None, "not UTF-8 text");

    std::fs::write(&gv, "1.22.5\n".repeat(100_000)).unwrap();
    assert_malformed(&s, &dir, &gv, None, "larger than");

    std::fs::remove_file(&gv).unwrap();
    let tv = s.write("m/.tool-versions", "nodejs 20\ngolang\n");
    assert_malformed(
        &s,
        &dir,
        &tv,
        Some(2),
        "names no version (expected e.g. `golang 1.22.5`)",
    );
    std::fs::write(&tv, "golang one.two\n").unwrap();
    assert_malformed(&s, &dir, &tv, Some(1), "\"one.two\" is not a Go version");

    std::fs::remove_file(&tv).unwrap();
    let module = s.write("m/go.mod", "module m\n\ngo banana\n");
    assert_malformed(
        &s,
        &dir,
        &module,
        Some(3),
        "\"banana\" is not a Go version (expected e.g. 1.22 or 1.22.5)",
    );
    std::fs::write(&module, "module m\ngo 1.21\ntoolchain 1.22.5\n").unwrap();
    assert_malformed(
        &s,
        &dir,
        &module,
        Some(3),
        "not a toolchain name (expected e.g. go1.22.5)",
    );

    // A directory where a version file belongs.
    std::fs::remove_file(&module).unwrap();
    std::fs::create_dir(&gv).unwrap();
    assert_malformed(&s, &dir, &gv, None, "cannot read it");

    // A malformed GVMR_GO_VERSION.
    let (code, _, stderr) = current(&s, &dir, &[("GVMR_GO_VERSION", "1.22.5 extra")]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("GVMR_GO_VERSION: \"1.22.5 extra\" is not a Go version"),
        "{stderr}"
    );
}

#[test]
fn shell_metacharacters_in_a_version_file_are_an_error_and_never_run() {
    let s = session();
    let dir = s.dir("evil");
    let gv = s.root().join("evil/.go-version");
    let marker = s.root().join("pwned");
    let payloads = [
        format!("1.22.5; touch {}", marker.display()),
        format!("$(touch {})", marker.display()),
        format!("`touch {}`", marker.display()),
        format!("1.22.5 && touch {}", marker.display()),
        format!("1.22.5|touch {}", marker.display()),
    ];
    for payload in &payloads {
        std::fs::write(&gv, format!("{payload}\n")).unwrap();
        assert_malformed(&s, &dir, &gv, Some(1), "is not a Go version");
        for args in [
            &["env"][..],
            &["which"],
            &["install"],
            &["exec", "--", "true"],
            &["hook-env", "--shell", "bash", "--pid", "1"],
        ] {
            let output = s.gvmr_in(&dir).args(args).output().unwrap();
            if args[0] != "hook-env" {
                assert_eq!(
                    output.status.code(),
                    Some(2),
                    "gvmr {args:?}: {}",
                    err(&output)
                );
            }
            assert!(
                err(&output).contains("is not a Go version"),
                "gvmr {args:?}: {}",
                err(&output)
            );
            // What the hook evaluates must not carry the payload unquoted.
            assert!(
                !out(&output).contains("touch"),
                "gvmr {args:?}: {}",
                out(&output)
            );
        }
        assert!(!marker.exists(), "{payload:?} was executed");
    }
}

#[test]
fn use_writes_the_resolved_exact_version() {
    let s = session();
    let dir = s.dir("proj");
    let output = s.gvmr_in(&dir).args(["use", "1.22"]).output().unwrap();
    assert!(output.status.success(), "{}", err(&output));
    let gv = dir.join(".go-version");
    assert_eq!(std::fs::read_to_string(&gv).unwrap(), "1.22.5\n");
    assert!(
        err(&output).contains(&format!(
            "1.22 resolved to go1.22.5; wrote 1.22.5 to {}",
            gv.display()
        )),
        "{}",
        err(&output)
    );
    assert_current(&s, &dir, &[], &set_by("go1.22.5", &gv));

    // Overwrites it in place.
    s.gvmr_in(&dir).args(["use", "go1.21.0"]).assert().success();
    assert_eq!(std::fs::read_to_string(&gv).unwrap(), "1.21.0\n");
    assert_current(&s, &dir, &[], &set_by("go1.21.0", &gv));
}

#[test]
fn use_installs_a_published_version_first() {
    let s = session();
    let dir = s.dir("proj");
    assert!(!s.goroot("1.23.1").exists());
    let output = s.gvmr_in(&dir).args(["use", "1.23.1"]).output().unwrap();
    assert!(output.status.success(), "{}", err(&output));
    assert!(s.goroot("1.23.1").join("bin/go").is_file());
    let gv = dir.join(".go-version");
    assert_eq!(std::fs::read_to_string(&gv).unwrap(), "1.23.1\n");
    assert!(
        err(&output).contains("1.23.1 resolved to go1.23.1"),
        "{}",
        err(&output)
    );
    assert_current(&s, &dir, &[], &set_by("go1.23.1", &gv));

    // An unknown version writes nothing.
    let other = s.dir("other");
    let output = s.gvmr_in(&other).args(["use", "1.99.0"]).output().unwrap();
    assert_eq!(output.status.code(), Some(3), "{}", err(&output));
    assert!(!other.join(".go-version").exists());
}

#[test]
fn install_without_a_version_installs_what_the_directory_selects() {
    let s = session();
    let gv = s.write("proj/.go-version", "1.21.5\n");
    let dir = s.dir("proj/sub");
    let output = s.gvmr_in(&dir).arg("install").output().unwrap();
    assert!(output.status.success(), "{}", err(&output));
    assert!(
        err(&output).contains(&format!("{} selects 1.21.5", gv.display())),
        "{}",
        err(&output)
    );
    assert!(s.goroot("1.21.5").join("bin/go").is_file());
    assert_current(&s, &dir, &[], &set_by("go1.21.5", &gv));

    // A partial version nothing installed matches: the newest of its line.
    let tv = s.write("line/.tool-versions", "golang 1.23\n");
    let output = s.gvmr_in(&s.dir("line")).arg("install").output().unwrap();
    assert!(output.status.success(), "{}", err(&output));
    assert!(
        err(&output).contains(&format!("{} selects 1.23", tv.display())),
        "{}",
        err(&output)
    );
    assert!(s.goroot("1.23.1").join("bin/go").is_file());

    // Already satisfied by an installed version: nothing to download.
    s.write("sat/.tool-versions", "golang 1.22\n");
    s.server.clear_requests();
    let output = s.gvmr_in(&s.dir("sat")).arg("install").output().unwrap();
    assert!(output.status.success(), "{}", err(&output));
    assert!(
        err(&output).contains("go1.22.5 is already installed"),
        "{}",
        err(&output)
    );
    assert!(
        !s.server.requests().iter().any(|r| r.contains("/dl/")),
        "{:?}",
        s.server.requests()
    );

    // Nothing selected (no default either): exit 3 and the hint.
    s.unset_default();
    let output = s.gvmr_in(&s.dir("none")).arg("install").output().unwrap();
    assert_eq!(output.status.code(), Some(3));
    assert!(
        err(&output).contains("no Go version is selected here"),
        "{}",
        err(&output)
    );
}

#[test]
fn which_prints_the_absolute_path() {
    let s = session();
    let dir = s.dir("p");
    s.write("p/.go-version", "1.21.0\n");
    s.gvmr_in(&dir)
        .arg("which")
        .assert()
        .success()
        .stdout(format!("{}\n", s.goroot("1.21.0").join("bin/go").display()));
    s.gvmr_in(&dir)
        .args(["which", "gofmt"])
        .assert()
        .success()
        .stdout(format!(
            "{}\n",
            s.goroot("1.21.0").join("bin/gofmt").display()
        ));
    s.gvmr_in(&dir)
        .arg("which")
        .env("GVMR_GO_VERSION", "1.22.5")
        .assert()
        .success()
        .stdout(format!("{}\n", s.goroot("1.22.5").join("bin/go").display()));
    // The Go root that applies here.
    s.gvmr_in(&dir)
        .args(["which", "--goroot"])
        .assert()
        .success()
        .stdout(format!("{}\n", s.goroot("1.21.0").display()));
    let output = s
        .gvmr_in(&dir)
        .args(["which", "--goroot", "gofmt"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", err(&output));
    // `system`: the root of the Go outside gvmr (links followed, as
    // /usr/bin/go -> /usr/lib/go-1.22/bin/go).
    let system_go = s.write("usr/lib/go-1.22/bin/go", "#!/bin/sh\n");
    std::fs::set_permissions(
        &system_go,
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    std::os::unix::fs::symlink(&system_go, s.dir("usr/bin").join("go")).unwrap();
    let path = format!(
        "{}:{}",
        s.root().join("usr/bin").display(),
        crate::support::BASE_PATH
    );
    s.gvmr_in(&dir)
        .args(["which", "--goroot"])
        .env("GVMR_GO_VERSION", "system")
        .env("PATH", path)
        .assert()
        .success()
        .stdout(format!("{}\n", s.root().join("usr/lib/go-1.22").display()));
    // Selected but not installed: exit 3, with the install hint.
    s.write("p/.go-version", "1.23.1\n");
    let output = s.gvmr_in(&dir).arg("which").output().unwrap();
    assert_eq!(output.status.code(), Some(3));
    assert!(
        err(&output).contains("run: gvmr install 1.23.1"),
        "{}",
        err(&output)
    );
    // Only go and gofmt.
    let output = s.gvmr_in(&dir).args(["which", "rm"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn exec_runs_with_the_selected_or_given_toolchain() {
    let s = session();
    let dir = s.dir("p");
    s.write("p/.go-version", "1.22.5\n");
    let goroot = s.goroot("1.22.5");
    s.gvmr_in(&dir)
        .args([
            "exec",
            "--",
            "sh",
            "-c",
            "echo $GOROOT $GOTOOLCHAIN; command -v go",
        ])
        .env("PATH", crate::support::BASE_PATH)
        .assert()
        .success()
        .stdout(format!(
            "{} local\n{}\n",
            goroot.display(),
            goroot.join("bin/go").display()
        ));
    s.gvmr_in(&dir)
        .args(["exec", "--version", "1.21.0", "--", "go", "version"])
        .env("PATH", crate::support::BASE_PATH)
        .assert()
        .success()
        .stdout("go version go1.21.0 linux/amd64\n");
    // A user's GOTOOLCHAIN is kept.
    s.gvmr_in(&dir)
        .args(["exec", "--", "sh", "-c", "echo $GOTOOLCHAIN"])
        .env("GOTOOLCHAIN", "go1.23.0")
        .assert()
        .success()
        .stdout("go1.23.0\n");
    // The command's exit status and arguments pass through.
    let output = s
        .gvmr_in(&dir)
        .args(["exec", "--", "sh", "-c", "exit 42"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(42));
    // A given version that is not installed is installed first.
    s.gvmr_in(&dir)
        .args(["exec", "--version", "1.23.1", "--", "go", "version"])
        .env("PATH", crate::support::BASE_PATH)
        .assert()
        .success()
        .stdout("go version go1.23.1 linux/amd64\n");
    assert!(s.goroot("1.23.1").join("bin/go").is_file());
    let output = s
        .gvmr_in(&dir)
        .args(["exec", "--version", "1.99.0", "--", "go", "version"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3), "{}", err(&output));

    // A selected version that is not installed is installed on first use,
    // in one line (and progress on a terminal) ...
    let gv = s.write("p/.go-version", "1.21.5\n");
    let output = s
        .gvmr_in(&dir)
        .args(["exec", "--", "go", "version"])
        .env("GVMR_AUTO_INSTALL", "0")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3), "{}", err(&output));
    assert_eq!(
        err(&output),
        format!(
            "error: go1.21.5 is selected by {} but not installed; run: gvmr install 1.21.5",
            gv.display()
        )
    );
    let output = s
        .gvmr_in(&dir)
        .args(["exec", "--", "go", "version"])
        .env("PATH", crate::support::BASE_PATH)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", err(&output));
    assert_eq!(out(&output), "go version go1.21.5 linux/amd64");
    assert_eq!(
        err(&output).lines().next(),
        Some(
            format!(
                "gvmr: go1.21.5 is selected by {} but not installed: installing it (GVMR_AUTO_INSTALL=0 turns this off)",
                gv.display()
            )
            .as_str()
        )
    );
    assert!(!err(&output).contains("Installed"), "{}", err(&output));
}

/// The request in a "run: gvmr install X" hint.
#[track_caller]
fn hinted(text: &str) -> String {
    let at = text
        .find("run: gvmr install ")
        .unwrap_or_else(|| panic!("no install hint in:\n{text}"));
    let rest = &text[at + "run: gvmr install ".len()..];
    rest.split_whitespace().next().unwrap().to_string()
}

/// Issue 17: `.go-version` saying `go1.20` selects go1.20, Go's name of the
/// first 1.20 release. Every hint (the shim's, `current`'s, `env`'s, the
/// hook's, doctor's) names a request that installs exactly go1.20, and
/// following it makes the selection installed (`1.20` would install
/// go1.20.14 and leave the pin "not installed").
#[test]
fn every_hint_installs_what_is_selected_even_go1_20() {
    let s = probe_session(&["go1.20", "go1.20.14"], &[]);
    s.gvmr().arg("shims").assert().success();
    let dir = s.dir("old");
    let pin = s.write("old/.go-version", "go1.20\n");
    let hint = |output: &std::process::Output| {
        assert!(!output.status.success(), "{}", out(output));
        hinted(&err(output))
    };

    let shim = s
        .clean_command(s.shim("go"), &dir)
        .arg("version")
        .env("GVMR_AUTO_INSTALL", "0")
        .output()
        .unwrap();
    let current = s.gvmr_in(&dir).arg("current").output().unwrap();
    // With auto-install off, as `env` would otherwise install on first use.
    let env = s
        .gvmr_in(&dir)
        .arg("env")
        .env("GVMR_AUTO_INSTALL", "0")
        .output()
        .unwrap();
    let hook = s
        .gvmr_in(&dir)
        .args(["hook-env", "--shell", "bash", "--pid"])
        .arg(std::process::id().to_string())
        .output()
        .unwrap();
    let hook_hint = hinted(&err(&hook));
    let doctor = s
        .gvmr_in(&dir)
        .args(["doctor", "--offline", "--json"])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&doctor.stdout).unwrap();
    let selection = report
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == "selection")
        .expect("doctor checks the selection");
    assert_eq!(selection["status"], "error", "{selection:#}");
    let doctor_hint = selection["fix"][0]
        .as_str()
        .unwrap()
        .strip_prefix("gvmr install ")
        .unwrap_or_else(|| panic!("{selection:#}"))
        .to_string();
    let hints = [
        hint(&shim),
        hint(&current),
        hint(&env),
        hook_hint,
        doctor_hint,
    ];
    assert_eq!(hints, ["1.20.0"; 5], "shim, current, env, hook, doctor");
    assert!(
        err(&current).contains(&format!(
            "go1.20 is selected by {} but not installed; run: gvmr install 1.20.0",
            pin.display()
        )),
        "{}",
        err(&current)
    );

    // Following the hint installs exactly go1.20, and the pin is satisfied.
    s.gvmr().args(["install", &hints[0]]).assert().success();
    assert_eq!(s.version_names(), ["go1.20"]);
    assert_current(&s, &dir, &[], &set_by("go1.20", &pin));
    let shim = s
        .clean_command(s.shim("go"), &dir)
        .arg("version")
        .output()
        .unwrap();
    assert!(shim.status.success(), "{}", err(&shim));
}
