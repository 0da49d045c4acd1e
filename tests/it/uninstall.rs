//! `gvmr uninstall`.

use crate::support::Env;
use crate::support::keys::TestKey;
use crate::support::mirror::Mirror;
use crate::support::server::TestServer;
use predicates::str::contains;

fn key() -> TestKey {
    TestKey::generate("Test Go Releases <go@example.org>")
}

/// An environment with go1.21.0 and go1.22.5 installed (go1.22.4 published).
fn with_two_installed<'a>(mirror: &mut Mirror<'a>, key: &TestKey) -> Env {
    mirror.publish("go1.21.0", true);
    mirror.publish("go1.22.4", true);
    mirror.publish("go1.22.5", true);
    mirror.write_listing();
    let env = Env::new(mirror, key);
    env.gvmr()
        .args(["install", "1.21.0", "1.22.5"])
        .assert()
        .success();
    assert_eq!(env.version_names(), ["go1.21.0", "go1.22.5"]);
    env
}

#[test]
fn uninstall_removes_the_version_its_manifest_and_its_cached_downloads() {
    let server = TestServer::start();
    let key = key();
    let mut mirror = Mirror::new(&server, &key);
    let env = with_two_installed(&mut mirror, &key);
    let downloads_dir = env.home().join("downloads");
    // What else the cache can hold of go1.22.5 (another platform's partial,
    // a module zip), and files of other versions or none.
    for name in [
        "go1.22.5.darwin-arm64.tar.gz.partial",
        "v0.0.1-go1.22.5.linux-amd64.zip",
        "go1.22.50.linux-amd64.tar.gz",
        "notes.txt",
    ] {
        std::fs::write(downloads_dir.join(name), "cached").unwrap();
    }
    let manifests = env.home().join("manifests");
    assert!(manifests.join("go1.22.5.json").is_file());
    server.clear_requests();

    let output = env.gvmr().args(["uninstall", "go1.22.5"]).output().unwrap();
    crate::snapshot!("uninstall", output, env, server);
    assert_eq!(env.version_names(), ["go1.21.0"]);
    assert!(
        !manifests.join("go1.22.5.json").exists(),
        "its manifest goes too"
    );
    assert!(manifests.join("go1.21.0.json").is_file());
    assert_eq!(env.tmp_after_purge(), Vec::<String>::new());
    assert_eq!(
        env.downloads().keys().collect::<Vec<_>>(),
        [
            "go1.21.0.linux-amd64.tar.gz",
            "go1.21.0.linux-amd64.tar.gz.asc",
            "go1.22.50.linux-amd64.tar.gz",
            "notes.txt",
        ],
        "go1.22.5's archive, signature, partial and module zip are gone"
    );
    assert!(server.requests().is_empty(), "no network");
    env.gvmr()
        .arg("list")
        .assert()
        .success()
        .stdout(predicates::str::starts_with("go1.21.0 "));
}

#[test]
fn uninstall_takes_several_versions_and_quiet_silences_it() {
    let server = TestServer::start();
    let key = key();
    let mut mirror = Mirror::new(&server, &key);
    let env = with_two_installed(&mut mirror, &key);

    env.gvmr()
        .args(["uninstall", "-q", "1.21.0", "1.22.5"])
        .assert()
        .success()
        .stdout("")
        .stderr("");
    assert!(env.version_names().is_empty());
    assert_eq!(env.tmp_after_purge(), Vec::<String>::new());
}

#[test]
fn a_partial_version_uninstalls_the_one_installed_match() {
    let server = TestServer::start();
    let key = key();
    let mut mirror = Mirror::new(&server, &key);
    let env = with_two_installed(&mut mirror, &key);

    env.gvmr()
        .args(["uninstall", "1.22"])
        .assert()
        .success()
        .stderr(predicates::str::starts_with(
            "Uninstalled go1.22.5 and its cached download (",
        ));
    assert_eq!(env.version_names(), ["go1.21.0"]);
}

#[test]
fn a_partial_version_matching_two_installed_versions_is_refused() {
    let server = TestServer::start();
    let key = key();
    let mut mirror = Mirror::new(&server, &key);
    let env = with_two_installed(&mut mirror, &key);
    env.gvmr().args(["install", "1.22.4"]).assert().success();

    env.gvmr()
        .args(["uninstall", "1.22"])
        .assert()
        .code(2)
        .stderr(contains("error: 1.22 matches go1.22.5, go1.22.4; name one"));
    assert_eq!(env.version_names(), ["go1.21.0", "go1.22.4", "go1.22.5"]);
}

#[test]
fn uninstalling_what_is_not_installed_names_what_is() {
    let server = TestServer::start();
    let key = key();
    let mut mirror = Mirror::new(&server, &key);
    let env = with_two_installed(&mut mirror, &key);

    env.gvmr()
        .args(["uninstall", "1.22.4"])
        .assert()
        .code(3)
        .stderr(contains(
            "error: go1.22.4 is not installed (installed: go1.22.5, go1.21.0)",
        ))
        .stderr(contains("hint: run `gvmr list`"));
    env.gvmr()
        .args(["uninstall", "1.20"])
        .assert()
        .code(3)
        .stderr(contains(
            "error: 1.20 is not installed (installed: go1.22.5, go1.21.0)",
        ));
    env.gvmr()
        .args(["uninstall", "1.x"])
        .assert()
        .code(2)
        .stderr(contains("\"1.x\" is not a Go version"));
    env.gvmr()
        .arg("uninstall")
        .assert()
        .code(2)
        .stderr(contains("required"));
    assert_eq!(env.version_names(), ["go1.21.0", "go1.22.5"]);
}

#[test]
fn uninstalling_with_nothing_installed_says_so() {
    let server = TestServer::start();
    let key = key();
    let mirror = Mirror::new(&server, &key);
    let env = Env::new(&mirror, &key);

    env.gvmr()
        .args(["uninstall", "1.22.5"])
        .assert()
        .code(3)
        .stderr(contains(
            "error: go1.22.5 is not installed (nothing is installed)",
        ));
    env.assert_nothing_installed();
}

#[test]
fn a_failed_uninstall_of_a_later_version_keeps_the_earlier_removal() {
    let server = TestServer::start();
    let key = key();
    let mut mirror = Mirror::new(&server, &key);
    let env = with_two_installed(&mut mirror, &key);

    env.gvmr()
        .args(["uninstall", "1.21.0", "1.19.1"])
        .assert()
        .code(3)
        .stderr(contains("Uninstalled go1.21.0 and its cached download ("))
        .stderr(contains("error: go1.19.1 is not installed"));
    assert_eq!(env.version_names(), ["go1.22.5"]);
}
