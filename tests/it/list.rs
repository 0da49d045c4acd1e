//! `gvmr list`, `gvmr list-remote`, and the help and version of every
//! command.

use crate::assert_transcript;
use crate::support::Session;
use crate::support::server::Fault;
use predicates::prelude::*;
use predicates::str::contains;

/// What the mirror publishes in every test here.
const RELEASES: &[&str] = &["go1.21.0", "go1.22.4", "go1.22.5", "go1.23rc1"];

fn stdout_json(cmd: &mut assert_cmd::Command) -> serde_json::Value {
    let output = cmd.assert().success().get_output().clone();
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}

#[test]
fn list_shows_installed_versions_newest_first() {
    let s = Session::with_releases(RELEASES);

    s.gvmr()
        .arg("list")
        .assert()
        .success()
        .stdout("")
        .stderr("");
    s.gvmr()
        .arg("list")
        .arg("--json")
        .assert()
        .success()
        .stdout("[]\n");

    s.gvmr()
        .args(["install", "1.22.4", "go1.23rc1", "1.21.0"])
        .assert()
        .success();
    // Not versions: ignored.
    std::fs::create_dir_all(s.versions_dir().join("notes")).unwrap();
    std::fs::write(s.versions_dir().join("go1.24.0"), "a file").unwrap();

    // Sizes from the manifests; go1.22.4 has a newer patch in the cached
    // listing; the first one installed became the default, nothing else
    // selects any of them.
    let output = s.gvmr().arg("list").output().unwrap();
    assert_transcript!(s, output, @"
    exit: 0
    --- stdout
    go1.23rc1  533 B
    go1.22.4   531 B  default  [go1.22.5 available]
    go1.21.0   531 B
    --- stderr
    ");
    let json = stdout_json(s.gvmr().args(["list", "--json"]));
    let dir = |v: &str| s.versions_dir().join(v).display().to_string();
    let size = |v: &str| -> u64 {
        crate::support::walk(&s.versions_dir().join(v))
            .iter()
            .map(|p| s.versions_dir().join(v).join(p))
            .filter(|p| p.is_file())
            .map(|p| std::fs::metadata(p).unwrap().len())
            .sum()
    };
    assert_eq!(
        json,
        serde_json::json!([
            {"version": "go1.23rc1", "path": dir("go1.23rc1"), "size_bytes": size("go1.23rc1"),
             "selected_by": [], "newer_patch": null, "end_of_support": false},
            {"version": "go1.22.4", "path": dir("go1.22.4"), "size_bytes": size("go1.22.4"),
             "selected_by": ["default"], "newer_patch": "go1.22.5", "end_of_support": false},
            {"version": "go1.21.0", "path": dir("go1.21.0"), "size_bytes": size("go1.21.0"),
             "selected_by": [], "newer_patch": null, "end_of_support": false},
        ])
    );
    assert_eq!(
        s.server.count("/listing.json"),
        1,
        "list needs no network: only install fetched the listing"
    );
}

#[test]
fn list_remote_shows_stable_releases_and_marks_installed_ones() {
    let s = Session::with_releases(RELEASES);

    s.gvmr()
        .arg("list-remote")
        .assert()
        .success()
        .stdout("go1.22.5\ngo1.22.4\ngo1.21.0\n")
        .stderr("");
    s.gvmr()
        .args(["list-remote", "--all"])
        .assert()
        .success()
        .stdout("go1.23rc1\ngo1.22.5\ngo1.22.4\ngo1.21.0\n");

    s.gvmr().args(["install", "1.22.4"]).assert().success();
    s.gvmr()
        .arg("list-remote")
        .assert()
        .success()
        .stdout("go1.22.5\ngo1.22.4  (installed)\ngo1.21.0\n");
    for prefix in ["1.22", "go1.22"] {
        s.gvmr()
            .args(["list-remote", prefix])
            .assert()
            .success()
            .stdout("go1.22.5\ngo1.22.4  (installed)\n");
    }
    s.gvmr()
        .args(["list-remote", "1.23"])
        .assert()
        .success()
        .stdout("");
    s.gvmr()
        .args(["list-remote", "--all", "1.23"])
        .assert()
        .success()
        .stdout("go1.23rc1\n");
    s.gvmr()
        .args(["list-remote", "1.2"])
        .assert()
        .success()
        .stdout("")
        .stderr("");

    let json = stdout_json(s.gvmr().args(["list-remote", "--all", "--json"]));
    assert_eq!(
        json,
        serde_json::json!([
            {"version": "go1.23rc1", "stable": false, "installed": false},
            {"version": "go1.22.5", "stable": true, "installed": false},
            {"version": "go1.22.4", "stable": true, "installed": true},
            {"version": "go1.21.0", "stable": true, "installed": false},
        ])
    );
    assert_eq!(
        s.server.count("/listing.json"),
        1,
        "every command after the first used the cached listing"
    );
}

#[test]
fn list_remote_without_the_listing_fails_with_a_network_error() {
    let s = Session::with_releases(RELEASES);
    s.server.fault("/listing.json", Fault::Status(503));

    s.gvmr()
        .arg("list-remote")
        .assert()
        .code(4)
        .stdout("")
        .stderr(contains(format!(
            "error: cannot fetch the release listing: {}: HTTP 503",
            s.server.url("/listing.json")
        )))
        .stderr(contains("hint: check your network"));

    s.server.put("/listing.json", "<html>maintenance</html>");
    s.server.clear_fault("/listing.json");
    s.gvmr()
        .arg("list-remote")
        .assert()
        .code(4)
        .stderr(contains(format!(
            "error: the release listing from {} is not valid JSON in go.dev's format",
            s.server.url("/listing.json")
        )));
    assert!(
        crate::support::dir_names(&s.home().join("cache")).is_empty(),
        "a listing that does not parse is not cached"
    );
}

#[test]
fn every_command_has_help_with_examples() {
    let s = Session::new();

    for command in ["install", "list", "list-remote", "uninstall"] {
        s.gvmr()
            .args([command, "--help"])
            .assert()
            .success()
            .stdout(contains("Usage: gvmr"))
            .stdout(contains("Examples:"))
            .stdout(contains(format!("gvmr {command}")));
        s.gvmr()
            .args(["help", command])
            .assert()
            .success()
            .stdout(contains("Examples:"));
    }
    s.gvmr()
        .arg("--help")
        .assert()
        .success()
        .stdout(contains("install").and(contains("list-remote")))
        .stdout(contains("GVMR_HOME"));
    assert!(s.server.requests().is_empty());
    assert!(!s.home().join("versions").exists());
}

#[test]
fn version_prints_the_package_version() {
    let s = Session::new();

    for flag in ["--version", "-V"] {
        s.gvmr()
            .arg(flag)
            .assert()
            .success()
            // No commit: only scripts/dist.sh's builds name one (tests/it/dist.rs).
            .stdout(format!(
                "gvmr {} ({})\n",
                env!("CARGO_PKG_VERSION"),
                env!("GVMR_TARGET")
            ));
    }
}

#[test]
fn unknown_commands_and_flags_are_usage_errors() {
    let s = Session::new();

    s.gvmr()
        .arg("instal")
        .assert()
        .code(2)
        .stderr(contains("unrecognized subcommand 'instal'"));
    s.gvmr()
        .args(["install", "--frce", "1.22.5"])
        .assert()
        .code(2)
        .stderr(contains("unexpected argument '--frce'"));
    s.gvmr()
        .args(["install", "--platform", "plan9", "1.22.5"])
        .assert()
        .code(2)
        .stderr(contains("\"plan9\" is not a platform"));
    assert!(s.server.requests().is_empty());
}
