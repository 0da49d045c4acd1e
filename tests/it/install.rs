//! `gvmr install`: the ways a release is found, verified and installed, run
//! with the real binary against a fake mirror on a loopback server.
//!
//! The failures are in `install_failures.rs`; races, interruptions and the
//! file system in `install_robustness.rs`.

use crate::assert_transcript;
use crate::support::keys::gpg_sign_detached;
use crate::support::mirror::{ArchiveBuilder, fake_go_archive, fake_go_zip, sha256_hex};
use crate::support::server::Fault;
use crate::support::{FILE, PATH, Session, stderr_of, stdout_of};
use predicates::prelude::*;
use predicates::str::contains;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, SystemTime};

/// The output of `bin/go ARGS` of an installed version.
fn run_go(s: &Session, version: &str, args: &[&str]) -> String {
    let go = s.versions_dir().join(version).join("bin/go");
    let output = Command::new(&go)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("run {}: {e}", go.display()));
    assert!(output.status.success(), "{} {args:?} failed", go.display());
    stdout_of(&output)
}

/// The installed `go` reports `version`, and the tree is the fake release.
#[track_caller]
fn assert_installed(s: &Session, version: &str) {
    assert_eq!(
        run_go(s, version, &["version"]),
        format!("go version {version} linux/amd64\n")
    );
    let dir = s.versions_dir().join(version);
    assert_eq!(
        std::fs::read_to_string(dir.join("VERSION")).unwrap(),
        format!("{version}\ntime 2024-06-27T20:11:12Z\n")
    );
    assert!(dir.join("src/fmt/print.go").is_file());
}

fn keyring_warning(s: &Session) -> String {
    format!(
        "warning: GVMR_KEYRING is set: trusting the keys in {} instead of the Go release signing key built into gvmr",
        s.keyring().display()
    )
}

#[test]
fn an_exact_version_is_downloaded_verified_twice_and_installed() {
    let s = Session::usual();

    let output = s.gvmr().args(["install", "1.22.5"]).output().unwrap();
    assert_transcript!(s, output, @"
    exit: 0
    --- stdout
    --- stderr
    warning: GVMR_KEYRING is set: trusting the keys in [ROOT]/keyring.asc instead of the Go release signing key built into gvmr
    Verified sha256 [SHA256] (release listing at [SERVER]/listing.json) and OpenPGP signature (Test Go Releases <go@example.org>, key [KEY]…, made [DATE])
    Installed go1.22.5 in [ROOT]/gvmr-home/versions/go1.22.5 ([T] s)
    go1.22.5 is now the default, as no default was set (change it with `gvmr default VERSION`)
    Created the go and gofmt shims in [ROOT]/gvmr-home/shims (put it on PATH, or load a shell hook: see `gvmr hook --help`)
    ");
    let published = s.server.get(PATH).unwrap();

    assert_installed(&s, "go1.22.5");
    assert_eq!(
        run_go(&s, "go1.22.5", &["env", "GOROOT"]).trim_end(),
        s.versions_dir().join("go1.22.5").display().to_string()
    );
    assert_eq!(s.version_names(), ["go1.22.5"]);
    assert_eq!(s.tmp_after_purge(), Vec::<String>::new());
    // The verified archive is kept for reinstalls, with what verified it.
    let downloads = s.downloads();
    assert_eq!(
        downloads.keys().collect::<Vec<_>>(),
        [FILE, &format!("{FILE}.asc"), &format!("{FILE}.sha256")]
    );
    assert_eq!(downloads[FILE], published);
    assert_eq!(
        downloads[&format!("{FILE}.asc")],
        s.server.get(&format!("{PATH}.asc")).unwrap()
    );
    assert_eq!(
        downloads[&format!("{FILE}.sha256")],
        format!("{}\n", sha256_hex(&published)).into_bytes()
    );
    // One GET each: listing, signature, archive; the .sha256 is not needed.
    assert_eq!(s.server.count("/listing.json"), 1);
    assert_eq!(s.server.count(&format!("{PATH}.asc")), 1);
    assert_eq!(s.server.count(PATH), 1);
    assert_eq!(s.server.count(&format!("{PATH}.sha256")), 0);
}

#[test]
fn a_release_line_installs_its_newest_stable_release() {
    let s = Session::usual();

    s.gvmr()
        .args(["install", "1.22"])
        .assert()
        .success()
        .stderr(contains("Installed go1.22.5 in"));
    assert_eq!(s.version_names(), ["go1.22.5"]);
    assert_installed(&s, "go1.22.5");
    assert_eq!(s.server.count("/dl/go1.22.4.linux-amd64.tar.gz"), 0);
}

#[test]
fn latest_installs_the_newest_stable_release_not_a_prerelease() {
    let s = Session::usual();

    s.gvmr()
        .args(["install", "latest"])
        .assert()
        .success()
        .stderr(contains("Installed go1.22.5 in"));
    assert_eq!(s.version_names(), ["go1.22.5"]);
    assert_eq!(s.server.count("/dl/go1.23rc1.linux-amd64.tar.gz"), 0);
}

#[test]
fn a_prerelease_installs_when_named() {
    let s = Session::usual();

    s.gvmr()
        .args(["install", "go1.23rc1"])
        .assert()
        .success()
        .stderr(contains("Installed go1.23rc1 in"));
    assert_eq!(s.version_names(), ["go1.23rc1"]);
    assert_installed(&s, "go1.23rc1");
    // Without the prefix it names the same release.
    s.gvmr()
        .args(["install", "1.23rc1"])
        .assert()
        .success()
        .stderr(contains("go1.23rc1 is already installed"));
}

#[test]
fn go1_20_is_1_20_0_while_1_20_is_the_newest_1_20_release() {
    let s = Session::new();
    s.publish("go1.20");
    s.publish("go1.20.1");

    s.gvmr()
        .args(["install", "1.20.0"])
        .assert()
        .success()
        .stderr(contains("Installed go1.20 in"));
    assert_eq!(s.version_names(), ["go1.20"]);
    assert_installed(&s, "go1.20");
    assert_eq!(s.server.count("/dl/go1.20.linux-amd64.tar.gz"), 1);

    s.gvmr()
        .args(["install", "go1.20"])
        .assert()
        .success()
        .stderr(contains("go1.20 is already installed"));

    s.gvmr()
        .args(["install", "1.20"])
        .assert()
        .success()
        .stderr(contains("Installed go1.20.1 in"));
    assert_eq!(s.version_names(), ["go1.20", "go1.20.1"]);
    assert_installed(&s, "go1.20.1");
}

#[test]
fn an_installed_version_is_left_alone_and_force_reinstalls_from_the_cache() {
    let s = Session::usual();
    s.gvmr().args(["install", "1.22.5"]).assert().success();
    let downloads = s.downloads();
    // A marker shows whether the tree is replaced.
    let marker = s.versions_dir().join("go1.22.5/marker");
    std::fs::write(&marker, "x").unwrap();

    s.gvmr()
        .args(["install", "1.22.5"])
        .assert()
        .success()
        .stderr(contains(keyring_warning(&s)))
        .stderr(contains(format!(
            "go1.22.5 is already installed in {} (use --force to reinstall)",
            s.versions_dir().join("go1.22.5").display()
        )))
        .stderr(contains("Verified").not());
    assert!(marker.exists(), "an installed version is not touched");
    assert_eq!(s.server.count(PATH), 1);

    s.gvmr()
        .args(["install", "--force", "1.22.5"])
        .assert()
        .success()
        .stderr(contains(keyring_warning(&s)))
        .stderr(contains(format!(
            "Using the cached download {}",
            s.home().join("downloads").join(FILE).display()
        )))
        .stderr(contains(format!(
            "({}) and OpenPGP signature",
            s.listing_source()
        )))
        .stderr(contains("Installed go1.22.5 in"));
    assert!(!marker.exists(), "--force replaced the tree");
    assert_installed(&s, "go1.22.5");
    assert_eq!(s.server.count(PATH), 1, "no new download");
    assert_eq!(s.server.count(&format!("{PATH}.asc")), 1, "nor signature");
    assert_eq!(s.downloads(), downloads);
    assert_eq!(s.version_names(), ["go1.22.5"]);
    assert_eq!(s.tmp_after_purge(), Vec::<String>::new());
}

/// Uninstall takes the cached archive with it (issue 11: the cache grew
/// forever), so a reinstall downloads again; `--force` reinstalls from the
/// cache (see above).
#[test]
fn reinstalling_after_uninstall_downloads_again() {
    let s = Session::usual();
    s.gvmr().args(["install", "1.22.5"]).assert().success();
    s.gvmr()
        .args(["uninstall", "1.22.5"])
        .assert()
        .success()
        .stderr(contains("Uninstalled go1.22.5 and its cached download"));
    assert!(s.version_names().is_empty());
    assert!(s.downloads().is_empty(), "{:?}", s.downloads().keys());

    s.gvmr()
        .args(["install", "1.22.5"])
        .assert()
        .success()
        .stderr(contains("Using the cached download").not())
        .stderr(contains("Installed go1.22.5 in"));
    assert_installed(&s, "go1.22.5");
    assert_eq!(s.server.count(PATH), 2);
    assert_eq!(s.tmp_after_purge(), Vec::<String>::new());
}

#[test]
fn several_versions_install_in_one_command() {
    let s = Session::usual();
    s.publish("go1.21.0");

    let output = s
        .gvmr()
        .args(["install", "1.21.0", "1.22", "go1.23rc1"])
        .assert()
        .success()
        .get_output()
        .clone();
    let stderr = stderr_of(&output);
    let installed: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("Installed "))
        .map(|l| l.split(' ').nth(1).unwrap())
        .collect();
    assert_eq!(installed, ["go1.21.0", "go1.22.5", "go1.23rc1"]);
    assert_eq!(s.version_names(), ["go1.21.0", "go1.22.5", "go1.23rc1"]);
    for v in ["go1.21.0", "go1.22.5", "go1.23rc1"] {
        assert_installed(&s, v);
    }
    assert_eq!(
        s.server.count("/listing.json"),
        1,
        "one listing for the command"
    );
    assert_eq!(stderr.matches("GVMR_KEYRING is set").count(), 1, "{stderr}");
}

#[test]
fn an_exact_version_installs_without_the_listing_using_the_mirror_checksum_file() {
    let s = Session::usual();
    let missing = s.server.url("/no-listing.json");

    let sha256_url = s.server.url(&format!("{PATH}.sha256"));
    s.gvmr()
        .env("GVMR_INDEX_URL", &missing)
        .args(["install", "1.22.5"])
        .assert()
        .success()
        .stderr(contains(format!(
            "warning: cannot fetch the release listing: {missing}: HTTP 404; trying the mirror's checksum file"
        )))
        .stderr(contains(format!("({sha256_url}) and OpenPGP signature")))
        .stderr(contains("Installed go1.22.5 in"));
    assert_installed(&s, "go1.22.5");
    assert_eq!(s.server.count(&format!("{PATH}.sha256")), 1);
    assert_eq!(s.tmp_after_purge(), Vec::<String>::new());
}

#[test]
fn a_release_line_cannot_be_resolved_without_the_listing() {
    let s = Session::usual();
    let missing = s.server.url("/no-listing.json");

    for request in ["1.22", "latest"] {
        s.gvmr()
            .env("GVMR_INDEX_URL", &missing)
            .args(["install", request])
            .assert()
            .code(4)
            .stderr(contains(format!(
                "error: cannot resolve {request} without the release listing: cannot fetch the release listing: {missing}: HTTP 404"
            )))
            .stderr(contains("hint: check your network"));
    }
    s.assert_nothing_installed();
    assert!(s.downloads().is_empty());
    assert_eq!(s.server.count(PATH), 0);
}

/// The listing's cache file (there is one per listing URL).
fn listing_cache(s: &Session) -> std::path::PathBuf {
    let dir = s.home().join("cache");
    let names = crate::support::dir_names(&dir);
    assert_eq!(names.len(), 1, "one cached listing: {names:?}");
    assert!(names[0].starts_with("listing-") && names[0].ends_with(".json"));
    dir.join(&names[0])
}

#[test]
fn the_listing_is_cached_and_a_stale_copy_serves_when_the_network_fails() {
    let s = Session::usual();

    s.gvmr().args(["install", "1.22.4"]).assert().success();
    s.gvmr().args(["list-remote"]).assert().success();
    assert_eq!(
        s.server.count("/listing.json"),
        1,
        "a fresh cached listing is not fetched again"
    );
    let cache = listing_cache(&s);
    assert_eq!(
        std::fs::read(&cache).unwrap(),
        s.server.get("/listing.json").unwrap()
    );

    // Twenty minutes later, the listing server is down.
    let file = std::fs::File::options().write(true).open(&cache).unwrap();
    file.set_modified(SystemTime::now() - Duration::from_secs(20 * 60))
        .unwrap();
    drop(file);
    s.server.fault("/listing.json", Fault::Status(500));

    s.gvmr()
        .args(["install", "1.22"])
        .assert()
        .success()
        .stderr(contains(format!(
            "warning: using the release listing cached 20 min ago: {}: HTTP 500",
            s.server.url("/listing.json")
        )))
        .stderr(contains(format!(
            "({}) and OpenPGP signature",
            s.listing_source()
        )))
        .stderr(contains("Installed go1.22.5 in"));
    assert_eq!(
        s.server.count("/listing.json"),
        4,
        "it asked, with the retries every fetch gets (3 attempts), before falling back"
    );
    assert_eq!(s.version_names(), ["go1.22.4", "go1.22.5"]);

    // A captive portal answers instead: not a listing, so the cache serves.
    s.server.clear_fault("/listing.json");
    s.server
        .put("/listing.json", "<html>Sign in to the Wi-Fi</html>");
    s.gvmr()
        .args(["install", "latest", "--force"])
        .assert()
        .success()
        .stderr(contains(format!(
            "warning: using the release listing cached 20 min ago: the release listing from {} is not valid JSON",
            s.server.url("/listing.json")
        )))
        .stderr(contains("Installed go1.22.5 in"));
    assert!(
        std::fs::read(&cache).unwrap().starts_with(b"["),
        "the portal's page did not replace the cached listing"
    );
}

#[test]
fn a_release_newer_than_the_listing_installs_with_the_mirror_checksum() {
    let s = Session::usual();
    // Published on the mirror after the listing was written.
    s.publish_unlisted("go1.22.6", "linux", "amd64", fake_go_archive("go1.22.6"));
    assert!(
        !String::from_utf8(s.server.get("/listing.json").unwrap())
            .unwrap()
            .contains("go1.22.6")
    );

    s.gvmr()
        .args(["install", "1.22.6"])
        .assert()
        .success()
        .stderr(contains(format!(
            "({}) and OpenPGP signature",
            s.server.url("/dl/go1.22.6.linux-amd64.tar.gz.sha256")
        )))
        .stderr(contains("Installed go1.22.6 in"));
    assert_installed(&s, "go1.22.6");
}

#[test]
fn the_next_mirror_is_used_when_one_fails() {
    let s = Session::usual();

    for first in [s.server.url("/empty/"), crate::support::closed_port_url()] {
        s.clear_home();
        s.server.clear_requests();
        s.gvmr()
            .env("GVMR_MIRROR", format!("{first},{}", s.mirror_url()))
            .args(["install", "1.22.5"])
            .assert()
            .success()
            .stderr(contains("Installed go1.22.5 in"));
        assert_installed(&s, "go1.22.5");
        assert_eq!(s.server.count(PATH), 1);
        if first.starts_with(&s.server.base()) {
            assert_eq!(s.server.count(&format!("/empty/{FILE}")), 1);
            assert_eq!(s.server.count(&format!("/empty/{FILE}.asc")), 1);
        }
    }
}

/// Writes `archive` as `dir/FILE` with the given sidecars; returns its path.
fn local_archive(
    dir: &Path,
    archive: &[u8],
    asc: Option<&[u8]>,
    sha256: Option<&str>,
) -> std::path::PathBuf {
    let path = dir.join(FILE);
    std::fs::write(&path, archive).unwrap();
    if let Some(asc) = asc {
        std::fs::write(dir.join(format!("{FILE}.asc")), asc).unwrap();
    }
    if let Some(sha256) = sha256 {
        std::fs::write(dir.join(format!("{FILE}.sha256")), sha256).unwrap();
    }
    path
}

#[test]
fn a_local_archive_installs_with_the_checksum_and_signature_beside_it() {
    let s = Session::new();
    s.publish("go1.21.0"); // the listing does not list go1.22.5
    let archive = fake_go_archive("go1.22.5");
    let dir = tempfile::tempdir().unwrap();
    let path = local_archive(
        dir.path(),
        &archive,
        Some(&s.key.sign_detached(&archive)),
        Some(&format!("{}  {FILE}\n", sha256_hex(&archive))),
    );

    s.gvmr()
        .arg("install")
        .arg("--archive")
        .arg(&path)
        .assert()
        .success()
        .stderr(contains(format!(
            "({}.sha256) and OpenPGP signature",
            path.display()
        )))
        .stderr(contains("Installed go1.22.5 in"));
    assert_installed(&s, "go1.22.5");
    assert_eq!(s.server.count(PATH), 0, "nothing downloaded");
    assert_eq!(s.tmp_after_purge(), Vec::<String>::new());
}

#[test]
fn a_local_archive_of_a_listed_release_is_checked_against_the_listing() {
    let s = Session::usual();
    let archive = fake_go_archive("go1.22.5");
    let dir = tempfile::tempdir().unwrap();
    // No .sha256 beside it: the listing has the checksum.
    let path = local_archive(
        dir.path(),
        &archive,
        Some(&s.key.sign_detached(&archive)),
        None,
    );

    s.gvmr()
        .arg("install")
        .arg("--archive")
        .arg(&path)
        .arg("1.22")
        .assert()
        .success()
        .stderr(contains(format!(
            "({}) and OpenPGP signature",
            s.listing_source()
        )))
        .stderr(contains("Installed go1.22.5 in"));
    assert_installed(&s, "go1.22.5");
    assert_eq!(s.server.count(PATH), 0);
}

/// Issue 17: `--skip-signature` is suggested only when the archive is
/// there and only its `.asc` is missing; an `.asc` gvmr cannot read is a
/// file system problem, named as such.
#[test]
fn a_local_archive_without_a_readable_signature_names_the_cause() {
    let s = Session::usual();
    let archive = fake_go_archive("go1.22.5");
    let dir = tempfile::tempdir().unwrap();
    let path = local_archive(dir.path(), &archive, None, None);
    let install = || {
        s.gvmr()
            .arg("install")
            .arg("--archive")
            .arg(&path)
            .output()
            .unwrap()
    };
    let output = install();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(5), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "error: no signature for {FILE}: it is not beside the archive"
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains("--skip-signature (not recommended)"),
        "{stderr}"
    );

    // A directory where the .asc should be: unreadable, not missing.
    std::fs::create_dir(dir.path().join(format!("{FILE}.asc"))).unwrap();
    let output = install();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(7), "{stderr}");
    assert!(
        stderr.contains(&format!("{}.asc", path.display())),
        "{stderr}"
    );
    assert!(!stderr.contains("skip-signature"), "{stderr}");
    s.assert_nothing_installed();
}

#[test]
fn a_tampered_local_archive_is_refused() {
    let s = Session::usual();
    let genuine = fake_go_archive("go1.22.5");
    let evil = ArchiveBuilder::new()
        .dir("go")
        .file("go/bin/go", "#!/bin/sh\necho evil\n", 0o755)
        .build_tar_gz();
    let dir = tempfile::tempdir().unwrap();
    // The genuine signature and checksum beside a substituted archive.
    let path = local_archive(
        dir.path(),
        &evil,
        Some(&s.key.sign_detached(&genuine)),
        Some(&sha256_hex(&genuine)),
    );

    s.gvmr()
        .arg("install")
        .arg("--archive")
        .arg(&path)
        .assert()
        .code(5)
        .stderr(contains(format!("checksum mismatch for {FILE}")))
        .stderr(contains(format!(
            "expected: {} (from {})",
            sha256_hex(&genuine),
            s.listing_source()
        )))
        .stderr(contains(format!("actual:   {}", sha256_hex(&evil))));
    s.assert_nothing_installed();
    assert!(s.downloads().is_empty());
}

#[test]
fn another_platform_installs_its_archive() {
    let s = Session::usual();
    let darwin = ArchiveBuilder::new()
        .dir("go")
        .file("go/VERSION", "go1.22.5 for darwin/arm64\n", 0o644)
        .dir("go/bin")
        .file("go/bin/go", "a Mach-O binary, really\n", 0o755)
        .build_tar_gz();
    s.publish_platform("go1.22.5", "darwin", "arm64", darwin);

    s.gvmr()
        .args(["install", "--platform", "darwin-arm64", "1.22.5"])
        .assert()
        .success()
        .stderr(contains("Installed go1.22.5 in"));
    assert_eq!(s.version_names(), ["go1.22.5"]);
    assert_eq!(
        std::fs::read_to_string(s.versions_dir().join("go1.22.5/VERSION")).unwrap(),
        "go1.22.5 for darwin/arm64\n"
    );
    assert_eq!(s.server.count("/dl/go1.22.5.darwin-arm64.tar.gz"), 1);
    assert_eq!(s.server.count(PATH), 0);
}

#[test]
fn a_local_archive_that_does_not_exist_is_not_found_and_a_misnamed_one_a_usage_error() {
    let s = Session::usual();
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join(FILE);

    // Not "no signature" or "no checksum": the archive itself is missing.
    s.gvmr()
        .arg("install")
        .arg("--archive")
        .arg(&missing)
        .assert()
        .code(3)
        .stderr(contains(format!(
            "error: cannot read --archive {}: No such file or directory",
            missing.display()
        )))
        .stderr(contains("hint: check the path given to --archive"));
    let named_like_one = dir.path().join("go1.22.5.linux-amd64.zip");
    std::fs::create_dir(&named_like_one).unwrap();
    s.gvmr()
        .arg("install")
        .arg("--archive")
        .arg(&named_like_one)
        .assert()
        .code(3)
        .stderr(contains(format!(
            "error: --archive {} is not a file",
            named_like_one.display()
        )));
    s.gvmr()
        .arg("install")
        .arg("--archive")
        .arg(dir.path().join("go.tar.gz"))
        .assert()
        .code(2)
        .stderr(contains("is not named like a Go release archive"));
    std::fs::write(&missing, fake_go_archive("go1.22.5")).unwrap();
    s.gvmr()
        .arg("install")
        .arg("--archive")
        .arg(&missing)
        .arg("1.22.4")
        .assert()
        .code(2)
        .stderr(contains(format!(
            "error: {} holds go1.22.5, not go1.22.4",
            missing.display()
        )));
    s.gvmr()
        .arg("install")
        .arg("--archive")
        .arg(&missing)
        .args(["1.22.5", "1.22.4"])
        .assert()
        .code(2)
        .stderr(contains("error: --archive installs one version"));
    s.assert_nothing_installed();
    assert!(s.downloads().is_empty());
}

#[test]
fn windows_zip_archives_install_with_sha256_as_the_only_check() {
    let s = Session::usual();
    s.publish_platform(
        "go1.22.5",
        "windows",
        "amd64",
        fake_go_zip(
            "go1.22.5",
            &[("go/src/fmt/print.go", "package fmt\n", false)],
        ),
    );

    s.gvmr()
        .args(["install", "--platform", "windows-amd64", "1.22.5"])
        .assert()
        .success()
        .stderr(contains(
            "warning: go1.22.5.windows-amd64.zip has no OpenPGP signature (Go publishes none for .zip archives): SHA-256 is the only check",
        ))
        .stderr(contains("Verified sha256 "))
        .stderr(contains(format!("({})\n", s.listing_source())));
    let root = s.versions_dir().join("go1.22.5");
    assert_eq!(
        std::fs::read(root.join("bin/go.exe")).unwrap(),
        b"MZ fake windows go"
    );
    assert_eq!(
        std::fs::read_to_string(root.join("src/fmt/print.go")).unwrap(),
        "package fmt\n"
    );
    assert_eq!(s.server.count("/dl/go1.22.5.windows-amd64.zip.asc"), 0);
}

#[test]
fn hostile_zip_archives_are_refused() {
    for (extra, expected) in [
        (("go/../evil", "x", false), "leads outside with .."),
        (("go/bin/link", "/etc/passwd", true), "is a symbolic link"),
    ] {
        let s = Session::new();
        s.publish_platform(
            "go1.22.5",
            "windows",
            "amd64",
            fake_go_zip("go1.22.5", &[extra]),
        );
        s.gvmr()
            .args(["install", "--platform", "windows-amd64", "1.22.5"])
            .assert()
            .code(6)
            .stderr(contains(expected));
        s.assert_nothing_installed();
    }
    let s = Session::new();
    s.publish_platform("go1.22.5", "windows", "amd64", b"not a zip".to_vec());
    s.gvmr()
        .args(["install", "--platform", "windows-amd64", "1.22.5"])
        .assert()
        .code(6)
        .stderr(contains("it is not a zip archive"));
    s.assert_nothing_installed();
}

#[test]
fn skip_signature_installs_without_a_signature_and_warns_every_time() {
    let s = Session::usual();
    s.server.remove(&format!("{PATH}.asc"));

    let warning = format!(
        "warning: --skip-signature: the OpenPGP signature of {FILE} is NOT checked; only the SHA-256 checksum from the {} protects this install",
        s.listing_source()
    );
    s.gvmr()
        .args(["install", "--skip-signature", "1.22.5"])
        .assert()
        .success()
        .stderr(contains(warning.as_str()))
        .stderr(contains(format!("({})\n", s.listing_source())))
        .stderr(contains("and OpenPGP signature").not())
        .stderr(contains("Installed go1.22.5 in"));
    assert_installed(&s, "go1.22.5");
    assert_eq!(
        s.server.count(&format!("{PATH}.asc")),
        0,
        "not even asked for"
    );

    // Again, quietly, from the cache: still warned.
    let output = s
        .gvmr()
        .args([
            "install",
            "--quiet",
            "--force",
            "--skip-signature",
            "1.22.5",
        ])
        .assert()
        .success()
        .stdout("")
        .get_output()
        .clone();
    let stderr = stderr_of(&output);
    assert!(stderr.contains(&warning), "{stderr}");
    assert!(
        stderr.lines().all(|l| l.starts_with("warning: ")),
        "--quiet prints only warnings: {stderr}"
    );
    assert_eq!(s.server.count(PATH), 1);
}

#[test]
fn quiet_prints_only_warnings() {
    let s = Session::usual();

    let output = s
        .gvmr()
        .args(["--quiet", "install", "1.22.5"])
        .assert()
        .success()
        .stdout("")
        .get_output()
        .clone();
    assert_eq!(stderr_of(&output), format!("{}\n", keyring_warning(&s)));
    assert_installed(&s, "go1.22.5");

    // `-q` after the subcommand, for an installed version: silent but for the keyring.
    let output = s
        .gvmr()
        .args(["install", "1.22.5", "-q"])
        .assert()
        .success()
        .stdout("")
        .get_output()
        .clone();
    assert_eq!(stderr_of(&output), format!("{}\n", keyring_warning(&s)));
}

#[test]
fn an_archive_signed_by_gnupg_verifies() {
    let s = Session::usual();

    let work = tempfile::tempdir().unwrap();
    let data = work.path().join(FILE);
    std::fs::write(&data, s.server.get(PATH).unwrap()).unwrap();
    let (public, signature) = gpg_sign_detached(&data, work.path());
    s.server.put(&format!("{PATH}.asc"), signature);
    std::fs::write(s.keyring(), public).unwrap();

    s.gvmr()
        .args(["install", "1.22.5"])
        .assert()
        .success()
        .stderr(contains(format!(
            "({}) and OpenPGP signature (Test <t@example.org>, key ",
            s.listing_source()
        )))
        .stderr(contains("Installed go1.22.5 in"));
    assert_installed(&s, "go1.22.5");
}
