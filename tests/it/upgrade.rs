//! `gvmr upgrade`: a project's version file (or the default) moved to the
//! newest patch of its line, which is installed first.

use crate::snapshot;
use crate::support::Env;
use crate::support::keys::TestKey;
use crate::support::mirror::Mirror;
use crate::support::server::TestServer;
use predicates::prelude::*;
use std::fs;
use std::path::PathBuf;

fn key() -> TestKey {
    TestKey::generate("Test Go Releases <go@example.org>")
}

/// go1.22.3 installed; go1.22.5 (the newest 1.22) and go1.23.0 published.
fn setup(mirror: &mut Mirror<'_>, key: &TestKey) -> Env {
    for version in ["go1.22.3", "go1.22.4", "go1.22.5", "go1.23.0"] {
        mirror.publish(version, true);
    }
    mirror.write_listing();
    let env = Env::new(mirror, key);
    env.gvmr().args(["install", "1.22.3"]).assert().success();
    env
}

/// A directory under the test root holding `file` with `text`.
fn project(env: &Env, name: &str, file: &str, text: &str) -> PathBuf {
    let dir = env.root().join(name);
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join(file), text).unwrap();
    dir
}

#[test]
fn upgrade_moves_a_pinned_project_to_the_newest_patch() {
    let server = TestServer::start();
    let key = key();
    let mut mirror = Mirror::new(&server, &key);
    let env = setup(&mut mirror, &key);
    let app = project(&env, "app", ".go-version", "# for CI too\n1.22.3\n");

    let output = env
        .gvmr()
        .current_dir(&app)
        .arg("upgrade")
        .output()
        .unwrap();
    snapshot!("upgrade", output, env, server);
    assert!(output.status.success());
    assert_eq!(
        fs::read_to_string(app.join(".go-version")).unwrap(),
        "# for CI too\n1.22.5\n"
    );
    assert_eq!(env.version_names(), ["go1.22.3", "go1.22.5"]);
    let projects = fs::read_to_string(env.home().join("projects.json")).unwrap();
    assert!(projects.contains("\"go1.22.5\""), "{projects}");

    let output = env
        .gvmr()
        .current_dir(&app)
        .arg("upgrade")
        .output()
        .unwrap();
    snapshot!("upgrade-already-newest", output, env, server);
    assert!(output.status.success());

    // .tool-versions: only the golang entry changes.
    let tools = project(
        &env,
        "tools",
        ".tool-versions",
        "nodejs 20.1.0\ngolang 1.22.3\n",
    );
    env.gvmr()
        .current_dir(&tools)
        .arg("upgrade")
        .assert()
        .success();
    assert_eq!(
        fs::read_to_string(tools.join(".tool-versions")).unwrap(),
        "nodejs 20.1.0\ngolang 1.22.5\n"
    );

    // go.mod: the toolchain line is a pin, the go line a minimum.
    let pinned = project(
        &env,
        "pinned",
        "go.mod",
        "module x\n\ngo 1.22.0\n\ntoolchain go1.22.3\n",
    );
    env.gvmr()
        .current_dir(&pinned)
        .arg("upgrade")
        .assert()
        .success();
    assert_eq!(
        fs::read_to_string(pinned.join("go.mod")).unwrap(),
        "module x\n\ngo 1.22.0\n\ntoolchain go1.22.5\n"
    );
    let minimum = project(&env, "minimum", "go.mod", "module x\n\ngo 1.22.0\n");
    let output = env
        .gvmr()
        .current_dir(&minimum)
        .arg("upgrade")
        .output()
        .unwrap();
    snapshot!("upgrade-go-mod-minimum", output, env, server);
    assert_eq!(
        fs::read_to_string(minimum.join("go.mod")).unwrap(),
        "module x\n\ngo 1.22.0\n"
    );
}

#[test]
fn upgrade_default_moves_the_default() {
    let server = TestServer::start();
    let key = key();
    let mut mirror = Mirror::new(&server, &key);
    let env = setup(&mut mirror, &key);

    let output = env.gvmr().args(["upgrade", "--default"]).output().unwrap();
    snapshot!("upgrade-no-default", output, env, server);
    assert_eq!(output.status.code(), Some(3));

    env.gvmr().args(["default", "1.22.3"]).assert().success();
    // In a directory the default selects, plain `upgrade` says what to do.
    let output = env.gvmr().arg("upgrade").output().unwrap();
    snapshot!("upgrade-only-the-default-here", output, env, server);
    assert_eq!(output.status.code(), Some(2));

    let output = env.gvmr().args(["upgrade", "--default"]).output().unwrap();
    snapshot!("upgrade-default", output, env, server);
    assert!(output.status.success());
    assert_eq!(
        fs::read_to_string(env.home().join("default")).unwrap(),
        "1.22.5\n"
    );
    assert_eq!(env.version_names(), ["go1.22.3", "go1.22.5"]);

    let output = env
        .gvmr()
        .env("GVMR_GO_VERSION", "1.22.3")
        .arg("upgrade")
        .output()
        .unwrap();
    snapshot!("upgrade-env-override", output, env, server);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn installing_a_line_past_its_end_of_support_warns_once() {
    let server = TestServer::start();
    let key = key();
    let mut mirror = Mirror::new(&server, &key);
    for version in ["go1.21.13", "go1.22.5", "go1.23.0"] {
        mirror.publish(version, true);
    }
    mirror.write_listing();
    let env = Env::new(&mirror, &key);

    let output = env
        .gvmr()
        .args(["install", "1.21.13", "1.22.5"])
        .output()
        .unwrap();
    snapshot!("install-past-end-of-support", output, env, server);
    assert!(output.status.success());
    let stderr = crate::support::stderr_of(&output);
    assert_eq!(stderr.matches("past the end of support").count(), 1);

    env.gvmr()
        .args(["install", "1.21.13"])
        .assert()
        .success()
        .stderr(predicates::str::contains("end of support").not());
}

#[test]
fn upgrade_says_when_there_is_nothing_newer_or_the_line_has_ended() {
    let server = TestServer::start();
    let key = key();
    let mut mirror = Mirror::new(&server, &key);
    for version in ["go1.21.13", "go1.22.5", "go1.23.0"] {
        mirror.publish(version, true);
    }
    mirror.publish("go1.24rc1", false);
    mirror.write_listing();
    let env = Env::new(&mirror, &key);
    env.gvmr()
        .args(["install", "1.21.13", "1.24rc1"])
        .assert()
        .success();

    let old = project(&env, "old", ".go-version", "1.21.13\n");
    let output = env
        .gvmr()
        .current_dir(&old)
        .arg("upgrade")
        .output()
        .unwrap();
    snapshot!("upgrade-line-ended", output, env, server);
    assert!(output.status.success());

    let next = project(&env, "next", ".go-version", "1.24rc1\n");
    let output = env
        .gvmr()
        .current_dir(&next)
        .arg("upgrade")
        .output()
        .unwrap();
    snapshot!("upgrade-no-release-yet", output, env, server);
    assert!(output.status.success());
    assert_eq!(
        fs::read_to_string(next.join(".go-version")).unwrap(),
        "1.24rc1\n"
    );
}

#[test]
fn upgrade_names_what_it_cannot_upgrade() {
    let server = TestServer::start();
    let key = key();
    let mut mirror = Mirror::new(&server, &key);
    // One release line: there is no oldstable.
    for version in ["go1.22.3", "go1.22.5"] {
        mirror.publish(version, true);
    }
    mirror.write_listing();
    let env = Env::new(&mirror, &key);

    let old = project(&env, "old", ".go-version", "oldstable\n");
    env.gvmr()
        .current_dir(&old)
        .arg("upgrade")
        .assert()
        .code(3)
        .stderr(predicate::str::contains(
            "error: the release listing has no oldstable release\nhint: run `gvmr list-remote`",
        ));

    let system = project(&env, "system", ".go-version", "system\n");
    env.gvmr()
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
