//! `gvmr upgrade`: a project's version file (or the default) moved to the
//! newest patch of its line, which is installed first.

use crate::assert_transcript;
use crate::support::Session;
use predicates::prelude::*;
use std::fs;
use std::path::PathBuf;

/// go1.22.3 installed; go1.22.5 (the newest 1.22) and go1.23.0 published.
fn setup() -> Session {
    let s = Session::with_releases(&["go1.22.3", "go1.22.4", "go1.22.5", "go1.23.0"]);
    s.install(&["1.22.3"]);
    s
}

/// A directory under the test root holding `file` with `text`.
fn project(s: &Session, name: &str, file: &str, text: &str) -> PathBuf {
    let dir = s.root().join(name);
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join(file), text).unwrap();
    dir
}

#[test]
fn upgrade_moves_a_pinned_project_to_the_newest_patch() {
    let s = setup();
    let app = project(&s, "app", ".go-version", "# for CI too\n1.22.3\n");

    let output = s.gvmr().current_dir(&app).arg("upgrade").output().unwrap();
    assert_transcript!(s, output, @"
    exit: 0
    --- stdout
    --- stderr
    warning: GVMR_KEYRING is set: trusting the keys in [ROOT]/keyring.asc instead of the Go release signing key built into gvmr
    Verified sha256 [SHA256] (release listing at [SERVER]/listing.json) and OpenPGP signature (Test Go Releases <go@example.org>, key [KEY]…, made [DATE])
    Installed go1.22.5 in [ROOT]/gvmr-home/versions/go1.22.5 ([T] s)
    go1.22.3 → go1.22.5 in [ROOT]/app/.go-version
    go1.22.3 stays installed; `gvmr prune` removes the versions nothing selects
    ");
    assert!(output.status.success());
    assert_eq!(
        fs::read_to_string(app.join(".go-version")).unwrap(),
        "# for CI too\n1.22.5\n"
    );
    assert_eq!(s.version_names(), ["go1.22.3", "go1.22.5"]);
    let projects = fs::read_to_string(s.home().join("projects.json")).unwrap();
    assert!(projects.contains("\"go1.22.5\""), "{projects}");

    let output = s.gvmr().current_dir(&app).arg("upgrade").output().unwrap();
    assert_transcript!(s, output, @"
    exit: 0
    --- stdout
    --- stderr
    warning: GVMR_KEYRING is set: trusting the keys in [ROOT]/keyring.asc instead of the Go release signing key built into gvmr
    go1.22.5 is already the newest 1.22 release ([ROOT]/app/.go-version)
    ");
    assert!(output.status.success());

    // .tool-versions: only the golang entry changes.
    let tools = project(
        &s,
        "tools",
        ".tool-versions",
        "nodejs 20.1.0\ngolang 1.22.3\n",
    );
    s.gvmr()
        .current_dir(&tools)
        .arg("upgrade")
        .assert()
        .success();
    assert_eq!(
        fs::read_to_string(tools.join(".tool-versions")).unwrap(),
        "nodejs 20.1.0\ngolang 1.22.5\n"
    );

    // A fallback list (asdf's): its first entry moves, the rest stays as
    // written, and the new first entry is then what is selected (issue 17).
    for (name, rest) in [("fallback", "1.23.0"), ("fallback-system", "system")] {
        let dir = project(
            &s,
            name,
            ".tool-versions",
            &format!("nodejs 20.1.0\ngolang 1.22.3 {rest} # pinned\n"),
        );
        let output = s.gvmr().current_dir(&dir).arg("upgrade").output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{stderr}");
        assert!(
            stderr.contains(&format!(
                "go1.22.3 → go1.22.5 in {}",
                dir.join(".tool-versions").display()
            )),
            "{stderr}"
        );
        assert_eq!(
            fs::read_to_string(dir.join(".tool-versions")).unwrap(),
            format!("nodejs 20.1.0\ngolang 1.22.5 {rest} # pinned\n")
        );
        let current = s.gvmr_in(&dir).arg("current").output().unwrap();
        assert_eq!(
            String::from_utf8_lossy(&current.stdout),
            format!(
                "go1.22.5 (set by {})\n",
                dir.join(".tool-versions").display()
            )
        );
    }
    let projects = fs::read_to_string(s.home().join("projects.json")).unwrap();
    assert!(projects.contains("\"go1.22.5 go1.23.0\""), "{projects}");

    // go.mod: the toolchain line is a pin, the go line a minimum.
    let pinned = project(
        &s,
        "pinned",
        "go.mod",
        "module x\n\ngo 1.22.0\n\ntoolchain go1.22.3\n",
    );
    s.gvmr()
        .current_dir(&pinned)
        .arg("upgrade")
        .assert()
        .success();
    assert_eq!(
        fs::read_to_string(pinned.join("go.mod")).unwrap(),
        "module x\n\ngo 1.22.0\n\ntoolchain go1.22.5\n"
    );
    let minimum = project(&s, "minimum", "go.mod", "module x\n\ngo 1.22.0\n");
    let output = s
        .gvmr()
        .current_dir(&minimum)
        .arg("upgrade")
        .output()
        .unwrap();
    assert_transcript!(s, output, @"
    exit: 0
    --- stdout
    --- stderr
    warning: GVMR_KEYRING is set: trusting the keys in [ROOT]/keyring.asc instead of the Go release signing key built into gvmr
    [ROOT]/minimum/go.mod asks for >= 1.22.0: go1.22.5, the newest 1.22 release, is installed and selected; go.mod's go line is a minimum and stays as it is (to pin the patch: `go mod edit -toolchain=go1.22.5`)
    ");
    assert_eq!(
        fs::read_to_string(minimum.join("go.mod")).unwrap(),
        "module x\n\ngo 1.22.0\n"
    );
}

#[test]
fn upgrade_default_moves_the_default() {
    let s = setup();
    s.unset_default();

    let output = s.gvmr().args(["upgrade", "--default"]).output().unwrap();
    assert_transcript!(s, output, @"
    exit: 3
    --- stdout
    --- stderr
    error: no default version is set; set one with `gvmr default VERSION`
    ");
    assert_eq!(output.status.code(), Some(3));

    s.gvmr().args(["default", "1.22.3"]).assert().success();
    // In a directory the default selects, plain `upgrade` says what to do.
    let output = s.gvmr().arg("upgrade").output().unwrap();
    assert_transcript!(s, output, @"
    exit: 2
    --- stdout
    --- stderr
    error: no version file selects the version here, the default does: run `gvmr upgrade --default`, or pin this directory with `gvmr use`
    ");
    assert_eq!(output.status.code(), Some(2));

    let output = s.gvmr().args(["upgrade", "--default"]).output().unwrap();
    assert_transcript!(s, output, @"
    exit: 0
    --- stdout
    --- stderr
    warning: GVMR_KEYRING is set: trusting the keys in [ROOT]/keyring.asc instead of the Go release signing key built into gvmr
    Verified sha256 [SHA256] (release listing at [SERVER]/listing.json) and OpenPGP signature (Test Go Releases <go@example.org>, key [KEY]…, made [DATE])
    Installed go1.22.5 in [ROOT]/gvmr-home/versions/go1.22.5 ([T] s)
    go1.22.3 → go1.22.5 in [ROOT]/gvmr-home/default
    go1.22.3 stays installed; `gvmr prune` removes the versions nothing selects
    ");
    assert!(output.status.success());
    assert_eq!(
        fs::read_to_string(s.home().join("default")).unwrap(),
        "1.22.5\n"
    );
    assert_eq!(s.version_names(), ["go1.22.3", "go1.22.5"]);

    let output = s
        .gvmr()
        .env("GVMR_GO_VERSION", "1.22.3")
        .arg("upgrade")
        .output()
        .unwrap();
    assert_transcript!(s, output, @"
    exit: 2
    --- stdout
    --- stderr
    error: GVMR_GO_VERSION selects the version here, and gvmr upgrade only edits version files; change or unset GVMR_GO_VERSION
    ");
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn installing_a_line_past_its_end_of_support_warns_once() {
    let s = Session::new();
    for version in ["go1.21.13", "go1.22.5", "go1.23.0"] {
        s.publish(version);
    }

    let output = s
        .gvmr()
        .args(["install", "1.21.13", "1.22.5"])
        .output()
        .unwrap();
    assert_transcript!(s, output, @"
    exit: 0
    --- stdout
    --- stderr
    warning: GVMR_KEYRING is set: trusting the keys in [ROOT]/keyring.asc instead of the Go release signing key built into gvmr
    Verified sha256 [SHA256] (release listing at [SERVER]/listing.json) and OpenPGP signature (Test Go Releases <go@example.org>, key [KEY]…, made [DATE])
    Installed go1.21.13 in [ROOT]/gvmr-home/versions/go1.21.13 ([T] s)
    go1.21.13 is now the default, as no default was set (change it with `gvmr default VERSION`)
    warning: go1.21.13 is past the end of support: Go fixes security bugs only in its two newest release lines (1.23 and 1.22), so go1.21.13 gets no more fixes
    Verified sha256 [SHA256] (release listing at [SERVER]/listing.json) and OpenPGP signature (Test Go Releases <go@example.org>, key [KEY]…, made [DATE])
    Installed go1.22.5 in [ROOT]/gvmr-home/versions/go1.22.5 ([T] s)
    Created the go and gofmt shims in [ROOT]/gvmr-home/shims (put it on PATH, or load a shell hook: see `gvmr hook --help`)
    ");
    assert!(output.status.success());
    let stderr = crate::support::stderr_of(&output);
    assert_eq!(stderr.matches("past the end of support").count(), 1);

    s.gvmr()
        .args(["install", "1.21.13"])
        .assert()
        .success()
        .stderr(predicates::str::contains("end of support").not());
}

#[test]
fn upgrade_says_when_there_is_nothing_newer_or_the_line_has_ended() {
    let s = Session::new();
    for version in ["go1.21.13", "go1.22.5", "go1.23.0"] {
        s.publish(version);
    }
    s.publish("go1.24rc1");
    s.gvmr()
        .args(["install", "1.21.13", "1.24rc1"])
        .assert()
        .success();

    let old = project(&s, "old", ".go-version", "1.21.13\n");
    let output = s.gvmr().current_dir(&old).arg("upgrade").output().unwrap();
    assert_transcript!(s, output, @"
    exit: 0
    --- stdout
    --- stderr
    warning: GVMR_KEYRING is set: trusting the keys in [ROOT]/keyring.asc instead of the Go release signing key built into gvmr
    go1.21.13 is already the newest 1.21 release ([ROOT]/old/.go-version)
    warning: Go 1.21 is past the end of support (supported: 1.23 and 1.22); moving to a supported line is up to you, e.g. `gvmr use 1.23`
    ");
    assert!(output.status.success());

    let next = project(&s, "next", ".go-version", "1.24rc1\n");
    let output = s.gvmr().current_dir(&next).arg("upgrade").output().unwrap();
    assert_transcript!(s, output, @"
    exit: 0
    --- stdout
    --- stderr
    warning: GVMR_KEYRING is set: trusting the keys in [ROOT]/keyring.asc instead of the Go release signing key built into gvmr
    [ROOT]/next/.go-version selects go1.24rc1, and Go 1.24 has no release yet: nothing to upgrade to
    ");
    assert!(output.status.success());
    assert_eq!(
        fs::read_to_string(next.join(".go-version")).unwrap(),
        "1.24rc1\n"
    );
}

#[test]
fn upgrade_names_what_it_cannot_upgrade() {
    // One release line: there is no oldstable.
    let s = Session::with_releases(&["go1.22.3", "go1.22.5"]);

    let old = project(&s, "old", ".go-version", "oldstable\n");
    s.gvmr()
        .current_dir(&old)
        .arg("upgrade")
        .assert()
        .code(3)
        .stderr(predicate::str::contains(
            "error: the release listing has no oldstable release\nhint: run `gvmr list-remote`",
        ));

    let system = project(&s, "system", ".go-version", "system\n");
    s.gvmr()
        .current_dir(&system)
        .arg("upgrade")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("selects system (the Go on PATH outside gvmr); there is nothing for gvmr to upgrade\nhint: gvmr manages only the versions it installs"));
    assert_eq!(
        fs::read_to_string(system.join(".go-version")).unwrap(),
        "system\n"
    );
}
