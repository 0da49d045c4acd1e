//! `gvmr uninstall`.

use crate::assert_transcript;
use crate::support::Session;
use predicates::str::contains;

/// An environment with go1.21.0 and go1.22.5 installed (go1.22.4 published).
fn with_two_installed() -> Session {
    let s = Session::with_releases(&["go1.21.0", "go1.22.4", "go1.22.5"]);
    s.install(&["1.21.0", "1.22.5"]);
    assert_eq!(s.version_names(), ["go1.21.0", "go1.22.5"]);
    s
}

#[test]
fn uninstall_removes_the_version_its_manifest_and_its_cached_downloads() {
    let s = with_two_installed();
    let downloads_dir = s.home().join("downloads");
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
    let manifests = s.home().join("manifests");
    assert!(manifests.join("go1.22.5.json").is_file());
    s.server.clear_requests();

    let output = s.gvmr().args(["uninstall", "go1.22.5"]).output().unwrap();
    assert_transcript!(s, output, @"
    exit: 0
    --- stdout
    --- stderr
    Uninstalled go1.22.5 and its cached download (1.5 KiB freed)
    ");
    assert_eq!(s.version_names(), ["go1.21.0"]);
    assert!(
        !manifests.join("go1.22.5.json").exists(),
        "its manifest goes too"
    );
    assert!(manifests.join("go1.21.0.json").is_file());
    assert_eq!(s.tmp_after_purge(), Vec::<String>::new());
    assert_eq!(
        s.downloads().keys().collect::<Vec<_>>(),
        [
            "go1.21.0.linux-amd64.tar.gz",
            "go1.21.0.linux-amd64.tar.gz.asc",
            "go1.21.0.linux-amd64.tar.gz.sha256",
            "go1.22.50.linux-amd64.tar.gz",
            "notes.txt",
        ],
        "go1.22.5's archive, signature, partial and module zip are gone"
    );
    assert!(s.server.requests().is_empty(), "no network");
    s.gvmr()
        .arg("list")
        .assert()
        .success()
        .stdout(predicates::str::starts_with("go1.21.0 "));
}

#[test]
fn uninstall_takes_several_versions_and_quiet_silences_it() {
    let s = with_two_installed();

    s.gvmr()
        .args(["uninstall", "-q", "1.21.0", "1.22.5"])
        .assert()
        .success()
        .stdout("")
        .stderr("");
    assert!(s.version_names().is_empty());
    assert_eq!(s.tmp_after_purge(), Vec::<String>::new());
}

#[test]
fn a_partial_version_uninstalls_the_one_installed_match() {
    let s = with_two_installed();

    s.gvmr()
        .args(["uninstall", "1.22"])
        .assert()
        .success()
        .stderr(predicates::str::starts_with(
            "Uninstalled go1.22.5 and its cached download (",
        ));
    assert_eq!(s.version_names(), ["go1.21.0"]);
}

#[test]
fn a_partial_version_matching_two_installed_versions_is_refused() {
    let s = with_two_installed();
    s.gvmr().args(["install", "1.22.4"]).assert().success();

    s.gvmr()
        .args(["uninstall", "1.22"])
        .assert()
        .code(2)
        .stderr(contains("error: 1.22 matches go1.22.5, go1.22.4; name one"));
    assert_eq!(s.version_names(), ["go1.21.0", "go1.22.4", "go1.22.5"]);
}

#[test]
fn uninstalling_what_is_not_installed_names_what_is() {
    let s = with_two_installed();

    s.gvmr()
        .args(["uninstall", "1.22.4"])
        .assert()
        .code(3)
        .stderr(contains(
            "error: go1.22.4 is not installed (installed: go1.22.5, go1.21.0)",
        ))
        .stderr(contains("hint: run `gvmr list`"));
    s.gvmr()
        .args(["uninstall", "1.20"])
        .assert()
        .code(3)
        .stderr(contains(
            "error: 1.20 is not installed (installed: go1.22.5, go1.21.0)",
        ));
    s.gvmr()
        .args(["uninstall", "1.x"])
        .assert()
        .code(2)
        .stderr(contains("\"1.x\" is not a Go version"));
    s.gvmr()
        .arg("uninstall")
        .assert()
        .code(2)
        .stderr(contains("required"));
    assert_eq!(s.version_names(), ["go1.21.0", "go1.22.5"]);
}

#[test]
fn uninstalling_with_nothing_installed_says_so() {
    let s = Session::new();

    s.gvmr()
        .args(["uninstall", "1.22.5"])
        .assert()
        .code(3)
        .stderr(contains(
            "error: go1.22.5 is not installed (nothing is installed)",
        ));
    s.assert_nothing_installed();
}

#[test]
fn a_failed_uninstall_of_a_later_version_keeps_the_earlier_removal() {
    let s = with_two_installed();

    s.gvmr()
        .args(["uninstall", "1.21.0", "1.19.1"])
        .assert()
        .code(3)
        .stderr(contains("Uninstalled go1.21.0 and its cached download ("))
        .stderr(contains("error: go1.19.1 is not installed"));
    assert_eq!(s.version_names(), ["go1.22.5"]);
}
