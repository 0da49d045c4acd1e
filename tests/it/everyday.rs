//! Everyday use (issue 11): the `stable`/`oldstable` aliases wherever a
//! VERSION is accepted, `gvmr env` installing what CI names, `system` (the
//! Go outside gvmr) through the shims, `env`, `which`, `current` and a
//! hook, a user's `GOTOOLCHAIN`, and version files read the way Go, goenv,
//! asdf and mise read them (the case table is `shims/tests/compat.rs`;
//! here each rule is checked through the real `gvmr current`).

use crate::support::switching::{
    BASE_PATH, GVMR, World, clean_command, err, out, run_with_timeout, write_file,
};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

/// The newest release is a pre-release: `stable` must skip it.
const PUBLISHED: &[&str] = &["go1.21.0", "go1.21.5", "go1.22.4", "go1.22.5", "go1.23rc1"];

fn current(world: &World, dir: &Path, vars: &[(&str, &str)]) -> Output {
    let mut cmd = world.gvmr_in(dir);
    cmd.arg("current");
    for (name, value) in vars {
        cmd.env(name, value);
    }
    cmd.output().expect("run gvmr current")
}

#[test]
fn aliases_resolve_on_the_listing_and_files_keep_exact_versions() {
    let world = World::new(PUBLISHED, &[]);
    let dir = world.dir("proj");
    let listed = |alias: &str| {
        let output = world.gvmr().args(["list-remote", alias]).output().unwrap();
        assert!(output.status.success(), "{}", err(&output));
        out(&output)
    };
    assert_eq!(listed("stable"), "go1.22.5");
    assert_eq!(listed("latest"), "go1.22.5");
    assert_eq!(listed("oldstable"), "go1.21.5");

    let output = world
        .gvmr_in(&dir)
        .args(["use", "stable"])
        .output()
        .unwrap();
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
    world
        .gvmr()
        .args(["default", "oldstable"])
        .assert()
        .success();
    assert_eq!(
        std::fs::read_to_string(world.home.join("default")).unwrap(),
        "1.21.5\n"
    );
    world.install(&["oldstable", "1.22.4"]);
    assert!(world.goroot("1.21.5").join("bin/go").is_file());

    // In files and GVMR_GO_VERSION, aliases resolve against what is
    // installed (the shim never reads the listing): oldstable is the newest
    // patch of the second-newest installed line.
    world.write("proj/.go-version", "oldstable\n");
    let output = current(&world, &dir, &[]);
    assert_eq!(
        out(&output),
        format!("go1.21.5 (set by {})", dir.join(".go-version").display())
    );
    let output = current(&world, &dir, &[("GVMR_GO_VERSION", "stable")]);
    assert_eq!(out(&output), "go1.22.5 (set by GVMR_GO_VERSION)");
    world
        .gvmr_in(&dir)
        .args(["exec", "--version", "oldstable", "--", "go", "version"])
        .env("PATH", BASE_PATH)
        .assert()
        .success()
        .stdout("go version go1.21.5 linux/amd64\n");
}

#[test]
fn env_github_stable_installs_in_a_fresh_ci_home() {
    let world = World::new(PUBLISHED, &[]);
    let dir = world.dir("checkout");
    let github_env = world.root.join("github_env");
    let github_path = world.root.join("github_path");
    let output = world
        .gvmr_in(&dir)
        .args(["env", "--shell", "github", "stable"])
        .env("GITHUB_ENV", &github_env)
        .env("GITHUB_PATH", &github_path)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", err(&output));
    let goroot = world.goroot("1.22.5");
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
    world.server.clear_requests();
    world
        .gvmr_in(&dir)
        .args(["env", "--shell", "json", "1.22"])
        .assert()
        .success();
    assert!(
        !world.server.requests().iter().any(|r| r.contains("/dl/")),
        "{:?}",
        world.server.requests()
    );
}

/// An executable script at `path`.
fn script(path: &Path, text: &str) -> PathBuf {
    write_file(path, text);
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path.to_path_buf()
}

/// A decoy "system" Go in `root/sysbin`: `go` prints a marker and GOROOT.
fn decoy_system_go(world: &World) -> PathBuf {
    let bin = world.dir("sysbin");
    script(
        &bin.join("go"),
        "#!/bin/sh\necho \"system go $* GOROOT=${GOROOT-unset}\"\n",
    );
    script(&bin.join("gofmt"), "#!/bin/sh\necho system gofmt\n");
    bin
}

/// Runs the `go` shim in `dir` with `PATH` = `path`, under a deadline.
fn shim_go(world: &World, dir: &Path, path: &str, vars: &[(&str, &str)]) -> Output {
    let mut cmd = clean_command(world.shim("go"), world, dir);
    cmd.arg("version").env("PATH", path);
    for (name, value) in vars {
        cmd.env(name, value);
    }
    run_with_timeout(&mut cmd, Duration::from_secs(20))
}

#[test]
fn system_runs_the_go_outside_gvmr() {
    let world = World::new(&["go1.22.5"], &["1.22.5"]);
    let sysbin = decoy_system_go(&world);
    let dir = world.dir("p");
    let shims = world.home.join("shims");
    let path = format!("{}:{}:{BASE_PATH}", shims.display(), sysbin.display());
    let output = world.gvmr().args(["default", "system"]).output().unwrap();
    assert!(output.status.success(), "{}", err(&output));
    assert_eq!(
        std::fs::read_to_string(world.home.join("default")).unwrap(),
        "system\n"
    );

    // The shim skips itself and runs the decoy, without a gvmr GOROOT.
    let goroot = world.goroot("1.22.5");
    let output = shim_go(
        &world,
        &dir,
        &path,
        &[("GOROOT", &goroot.display().to_string())],
    );
    assert_eq!(output.status.code(), Some(0), "{}", err(&output));
    assert_eq!(out(&output), "system go version GOROOT=unset");
    // A GOROOT of the user's own stays.
    let output = shim_go(&world, &dir, &path, &[("GOROOT", "/opt/go")]);
    assert_eq!(out(&output), "system go version GOROOT=/opt/go");

    // current and which name the system binary.
    let output = current(&world, &dir, &[("PATH", &path)]);
    assert!(output.status.success(), "{}", err(&output));
    assert_eq!(
        out(&output),
        format!(
            "system ({}) (the default, in {})",
            sysbin.join("go").display(),
            world.home.join("default").display()
        )
    );
    for (tool, expected) in [("go", "go"), ("gofmt", "gofmt")] {
        world
            .gvmr_in(&dir)
            .args(["which", tool])
            .env("PATH", &path)
            .assert()
            .success()
            .stdout(format!("{}\n", sysbin.join(expected).display()));
    }

    // env: no gvmr toolchain on PATH, a gvmr GOROOT unset.
    let output = world
        .gvmr_in(&dir)
        .args(["env"])
        .env("PATH", format!("{}:{path}", goroot.join("bin").display()))
        .env("GOROOT", &goroot)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", err(&output));
    assert_eq!(out(&output), format!("export PATH='{path}'\nunset GOROOT"));

    // The same through GVMR_GO_VERSION and .go-version.
    world.gvmr().args(["default", "1.22.5"]).assert().success();
    let output = shim_go(&world, &dir, &path, &[("GVMR_GO_VERSION", "system")]);
    assert_eq!(out(&output), "system go version GOROOT=unset");
    world.write("p/.go-version", "system\n");
    let output = shim_go(&world, &dir, &path, &[]);
    assert_eq!(out(&output), "system go version GOROOT=unset");

    // A hook, in bash: the project's version, then system.
    world.write("p/.go-version", "1.22.5\n");
    let mut cmd = clean_command("bash", &world, &dir);
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
    let world = World::new(&["go1.22.5"], &["1.22.5"]);
    let dir = world.dir("p");
    let shims = world.home.join("shims");
    world.write("p/.go-version", "system\n");

    let only_shims = shims.display().to_string();
    let output = shim_go(&world, &dir, &only_shims, &[]);
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
        let target = world.dir(name).join("go");
        std::fs::copy(world.shim("go"), &target).unwrap();
        target
    };
    copy("copy1");
    copy("copy2");
    let path = format!(
        "{only_shims}:{}:{}",
        world.root.join("copy1").display(),
        world.root.join("copy2").display()
    );
    let output = shim_go(&world, &dir, &path, &[]);
    assert_eq!(output.status.code(), Some(127), "{}", err(&output));
    assert!(
        err(&output).contains("but the only go on PATH is gvmr's shim"),
        "{}",
        err(&output)
    );

    // gvmr itself says so too, with a hint (exit 3: not found).
    let output = current(&world, &dir, &[("PATH", &only_shims)]);
    crate::snapshot!(
        "system-without-a-system-go",
        output,
        world.env,
        world.server
    );
}

#[test]
fn current_says_when_gotoolchain_runs_another_toolchain() {
    let world = World::new(&["go1.22.5"], &["1.22.5"]);
    let dir = world.dir("p");
    world.write("p/.go-version", "1.22.5\n");
    for (value, note) in [
        ("go1.23.1", true),
        ("go1.23.1+auto", true),
        ("local", false),
        ("auto", false),
        ("", false),
    ] {
        let output = current(&world, &dir, &[("GOTOOLCHAIN", value)]);
        assert!(output.status.success(), "{}", err(&output));
        assert_eq!(
            err(&output).contains("GOTOOLCHAIN="),
            note,
            "{value}: {}",
            err(&output)
        );
    }
    let output = current(&world, &dir, &[("GOTOOLCHAIN", "go1.23.1+auto")]);
    crate::snapshot!("current-gotoolchain-note", output, world.env, world.server);

    // Set with `go env -w`, it is noted with its file; the toolchain's own
    // go.env (`auto`) is not the user's and switches nothing under gvmr.
    let goenv = world.write("goenv", "GOTOOLCHAIN=go1.23.1\n");
    let goenv = goenv.to_str().unwrap();
    let output = current(&world, &dir, &[("GOENV", goenv), ("GOTOOLCHAIN", "")]);
    assert!(
        err(&output).contains(&format!(
            "GOTOOLCHAIN=go1.23.1 is set in the go env file {goenv}, so `go` runs go1.23.1"
        )),
        "{}",
        err(&output)
    );
    let output = current(&world, &dir, &[("GOENV", "off"), ("GOTOOLCHAIN", "")]);
    assert!(!err(&output).contains("GOTOOLCHAIN="), "{}", err(&output));
}

#[test]
fn a_pin_older_than_the_go_line_gives_way_with_a_note() {
    let world = World::new(&["go1.21.0", "go1.22.5"], &["1.21.0", "1.22.5"]);
    let pin = world.write("p/.go-version", "1.21.0\n");
    let module = world.write("p/m/go.mod", "module m\n\ngo 1.22\n");
    let dir = world.dir("p/m/pkg");
    let output = current(&world, &dir, &[]);
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
    crate::snapshot!("current-pin-overridden", output, world.env, world.server);

    // GVMR_GO_VERSION too; a pin Go accepts stays.
    let output = current(&world, &dir, &[("GVMR_GO_VERSION", "1.21")]);
    assert_eq!(
        out(&output),
        format!("go1.22.5 (set by {})", module.display())
    );
    assert!(
        err(&output).contains("GVMR_GO_VERSION selects go1.21.0"),
        "{}",
        err(&output)
    );
    world.write("p/m/go.mod", "module m\n\ngo 1.21\n");
    let output = current(&world, &dir, &[]);
    assert_eq!(out(&output), format!("go1.21.0 (set by {})", pin.display()));
    assert_eq!(err(&output), "");

    // The hook and env say it on stderr too; doctor lists it.
    world.write("p/m/go.mod", "module m\n\ngo 1.22\n");
    let output = world.gvmr_in(&dir).args(["env"]).output().unwrap();
    assert!(output.status.success(), "{}", err(&output));
    assert!(out(&output).contains(&world.goroot("1.22.5").display().to_string()));
    assert!(err(&output).contains("note: "), "{}", err(&output));
    let output = world
        .gvmr_in(&dir)
        .args(["hook-env", "--shell", "bash", "--pid", "1"])
        .output()
        .unwrap();
    assert!(err(&output).contains("gvmr: note: "), "{}", err(&output));
    let output = world
        .gvmr_in(&dir)
        .args(["doctor", "--offline", "--json"])
        .output()
        .unwrap();
    let checks: serde_json::Value = serde_json::from_str(&out(&output)).expect("doctor JSON");
    let noted = checks.as_array().unwrap().iter().any(|c| {
        c["check"] == "version files"
            && c["finding"]
                .as_str()
                .is_some_and(|f| f.contains(&pin.display().to_string()))
    });
    assert!(noted, "{checks:#}");
}

#[test]
fn version_files_as_goenv_mise_and_asdf_write_them() {
    let world = World::new(&["go1.21.0", "go1.22.5"], &["1.21.0", "1.22.5"]);
    let outer = world.write("a/.go-version", "1.21.0\n");
    let blank = world.write("a/b/.go-version", "# to be decided\n\n");
    let dir = world.dir("a/b");
    let output = current(&world, &dir, &[]);
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
    crate::snapshot!(
        "current-skips-an-empty-go-version",
        output,
        world.env,
        world.server
    );

    // Several lines: the first wins, the rest are mentioned; the shim runs it.
    let several = world.write("c/.go-version", "1.22.5 # the team's\n1.21.0\n");
    let output = current(&world, &world.dir("c"), &[]);
    assert_eq!(
        out(&output),
        format!("go1.22.5 (set by {})", several.display())
    );
    crate::snapshot!(
        "current-notes-ignored-lines",
        output,
        world.env,
        world.server
    );
    let mut shim = clean_command(world.shim("go"), &world, &world.root.join("c"));
    let output = run_with_timeout(shim.arg("version"), Duration::from_secs(20));
    assert_eq!(out(&output), "go version go1.22.5 linux/amd64");
    assert_eq!(err(&output), "", "the shim stays silent");

    // A leading v, and byte-order marks in both formats.
    let v = world.write("d/.go-version", "v1.22.5\n");
    assert_eq!(
        out(&current(&world, &world.dir("d"), &[])),
        format!("go1.22.5 (set by {})", v.display())
    );
    let bom = world.write("e/.go-version", "\u{feff}1.21.0\n");
    assert_eq!(
        out(&current(&world, &world.dir("e"), &[])),
        format!("go1.21.0 (set by {})", bom.display())
    );
    let tv = world.write("f/.tool-versions", "\u{feff}golang 1.22.5\nnodejs 20\n");
    assert_eq!(
        out(&current(&world, &world.dir("f"), &[])),
        format!("go1.22.5 (set by {})", tv.display())
    );

    // .tool-versions fallback lists: the first installed one, else the first.
    world.write("f/.tool-versions", "golang 1.23.1 1.21.0\n");
    assert_eq!(
        out(&current(&world, &world.dir("f"), &[])),
        format!("go1.21.0 (set by {})", tv.display())
    );
    world.write("f/.tool-versions", "golang 1.23.1 1.23.0\n");
    let output = current(&world, &world.dir("f"), &[]);
    assert_eq!(output.status.code(), Some(3));
    assert_eq!(out(&output), format!("go1.23.1 (set by {})", tv.display()));
    assert!(
        err(&output).contains("run: gvmr install 1.23.1"),
        "{}",
        err(&output)
    );

    // go.mod: toolchain older than the go line is ignored; `go 1.23` is
    // satisfied by a release candidate.
    let module = world.write("g/go.mod", "module g\n\ngo 1.22\n\ntoolchain go1.21.0\n");
    assert_eq!(
        out(&current(&world, &world.dir("g"), &[])),
        format!("go1.22.5 (set by {})", module.display())
    );
}

#[test]
fn install_refuses_system_and_installs_what_go_mod_needs() {
    let world = World::new(&["go1.21.0", "go1.22.5"], &["1.22.5"]);
    let output = world.gvmr().args(["install", "system"]).output().unwrap();
    crate::snapshot!("install-system", output, world.env, world.server);
    // A go line the default satisfies needs nothing.
    world.gvmr().args(["default", "1.22.5"]).assert().success();
    world.write("m/go.mod", "module m\n\ngo 1.21\n");
    let output = world
        .gvmr_in(&world.dir("m"))
        .arg("install")
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", err(&output));
    assert!(
        err(&output).contains("go1.22.5 is already installed"),
        "{}",
        err(&output)
    );
    assert!(!world.goroot("1.21.0").exists());
}
