//! `gvmr mirror sync DIR`: a static mirror built from a loopback upstream
//! mirror, every archive verified before it appears in DIR, incremental,
//! safe to kill; then `gvmr install` from DIR through `file://` URLs with
//! every network route closed.

use crate::assert_transcript;
use crate::support::keys::TestKey;
use crate::support::mirror::{Published, fake_go_archive, fake_go_zip};
use crate::support::server::{Fault, TestServer};
use crate::support::{Session, closed_port_url, dir_names, stderr_of, stdout_of, walk};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Publishes `version` for linux-amd64 and darwin-arm64.
fn publish_both(s: &Session, version: &str) -> Vec<Published> {
    ["linux-amd64", "darwin-arm64"]
        .iter()
        .map(|platform| {
            let (os, arch) = platform.split_once('-').unwrap();
            s.publish_platform(version, os, arch, fake_go_archive(version))
        })
        .collect()
}

/// `gvmr mirror sync DIR ARGS...`.
fn sync(s: &Session, dir: &Path, args: &[&str]) -> assert_cmd::Command {
    let mut cmd = s.gvmr();
    cmd.args(["mirror", "sync"]).arg(dir).args(args);
    cmd
}

const BOTH: [&str; 4] = ["--platform", "linux-amd64", "--platform", "darwin-arm64"];

/// Every file below `dir` and its bytes (the work directory included).
fn contents(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    walk(dir)
        .into_iter()
        .filter(|p| dir.join(p).is_file())
        .map(|p| {
            let bytes = std::fs::read(dir.join(&p)).unwrap();
            (p, bytes)
        })
        .collect()
}

/// Asserts that DIR holds exactly `published`, each archive with its
/// `.sha256` (bare hex) and `.asc` as upstream serves them, and an index
/// listing exactly them; and nothing else but the work directory's lock.
#[track_caller]
fn assert_mirrors_exactly(dir: &Path, published: &[&Published]) {
    let mut want = vec![".gvmr-sync".to_string(), "index.json".to_string()];
    for p in published {
        want.push(p.filename.clone());
        want.push(format!("{}.sha256", p.filename));
        want.push(format!("{}.asc", p.filename));
        assert_eq!(std::fs::read(dir.join(&p.filename)).unwrap(), p.archive);
        assert_eq!(
            std::fs::read_to_string(dir.join(format!("{}.sha256", p.filename))).unwrap(),
            p.sha256_hex
        );
        assert_eq!(
            std::fs::read(dir.join(format!("{}.asc", p.filename))).unwrap(),
            p.signature
        );
    }
    want.sort();
    assert_eq!(dir_names(dir), want);
    assert_eq!(dir_names(&dir.join(".gvmr-sync")), ["lock"]);

    let index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("index.json")).unwrap()).unwrap();
    let mut listed: Vec<(String, String)> = index
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|release| {
            let files = release["files"].as_array().unwrap().clone();
            files.into_iter().map(|f| {
                (
                    f["filename"].as_str().unwrap().to_string(),
                    f["sha256"].as_str().unwrap().to_string(),
                )
            })
        })
        .collect();
    listed.sort();
    let mut want: Vec<(String, String)> = published
        .iter()
        .map(|p| (p.filename.clone(), p.sha256_hex.clone()))
        .collect();
    want.sort();
    assert_eq!(listed, want, "index.json lists exactly what DIR holds");
}

/// Requests for archives, signatures and checksums (not the listing).
fn file_requests(server: &TestServer) -> Vec<String> {
    server
        .requests()
        .into_iter()
        .filter(|r| r.starts_with("GET /dl/"))
        .collect()
}

#[test]
fn syncs_versions_for_platforms_again_without_downloading_and_installs_offline() {
    let s = Session::new();
    let older = publish_both(&s, "go1.21.13");
    let newer = publish_both(&s, "go1.22.5");
    s.publish("go1.21.12");
    let dir = s.root().join("go-mirror");

    let output = sync(&s, &dir, &["1.22.5", "1.21"])
        .args(BOTH)
        .assert()
        .success()
        .get_output()
        .clone();
    assert_transcript!(s, "sync", output);
    let all: Vec<&Published> = newer.iter().chain(&older).collect();
    assert_mirrors_exactly(&dir, &all);
    let index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("index.json")).unwrap()).unwrap();
    assert_eq!(index[0]["version"], "go1.22.5");
    assert_eq!(index[1]["version"], "go1.21.13");
    assert_eq!(
        index[0]["files"][1],
        serde_json::json!({
            "filename": "go1.22.5.linux-amd64.tar.gz",
            "os": "linux",
            "arch": "amd64",
            "version": "go1.22.5",
            "sha256": newer[0].sha256_hex,
            "size": newer[0].archive.len(),
            "kind": "archive",
        })
    );

    // Again: everything is verified where it is, nothing is downloaded.
    s.server.clear_requests();
    let output = sync(&s, &dir, &["1.22.5", "1.21"])
        .args(BOTH)
        .assert()
        .success()
        .get_output()
        .clone();
    assert_eq!(file_requests(&s.server), Vec::<String>::new());
    let stdout = stdout_of(&output);
    assert_eq!(stdout.matches("kept ").count(), 4, "{stdout}");
    assert_eq!(stderr_of(&output).matches("Verified sha256").count(), 4);
    assert_mirrors_exactly(&dir, &all);

    // Install from DIR through file:// URLs, every other route closed (and
    // the upstream asked nothing).
    s.server.clear_requests();
    let nowhere = closed_port_url();
    let install = |args: &[&str]| {
        s.gvmr()
            .env("GVMR_MIRROR", format!("file://{}/", dir.display()))
            .env(
                "GVMR_INDEX_URL",
                format!("file://{}/index.json", dir.display()),
            )
            .env("HTTPS_PROXY", &nowhere)
            .env("HTTP_PROXY", &nowhere)
            .env("ALL_PROXY", &nowhere)
            .env("GOPROXY", &nowhere)
            .args(["install"])
            .args(args)
            .assert()
            .success()
            .get_output()
            .clone()
    };
    let output = install(&["1.22.5"]);
    assert!(
        stderr_of(&output).contains(&format!(
            "(release listing at file://{}/index.json) and OpenPGP signature",
            dir.display()
        )),
        "{}",
        stderr_of(&output)
    );
    install(&["1.21"]);
    assert_eq!(s.version_names(), ["go1.21.13", "go1.22.5"]);
    let go = s.versions_dir().join("go1.22.5/bin/go");
    let version = Command::new(go).arg("version").output().unwrap();
    assert_eq!(stdout_of(&version), "go version go1.22.5 linux/amd64\n");
    assert_eq!(s.server.requests(), Vec::<String>::new());
}

#[test]
fn tampered_wrongly_signed_and_unsigned_archives_are_refused_and_the_rest_mirrored() {
    let s = Session::new();
    let good = publish_both(&s, "go1.22.5");
    let bad = publish_both(&s, "go1.21.13");
    let unsigned = s.publish("go1.20.14");
    // The listing's checksum stays; the bytes change.
    let tampered = fake_go_archive("go1.21.13-evil");
    s.server.put(&bad[0].path, tampered.clone());
    // Signed, but not by a key gvmr trusts.
    let stranger = TestKey::generate("Mallory <mallory@example.org>");
    s.server.put(
        &format!("{}.asc", bad[1].path),
        stranger.sign_detached(&bad[1].archive),
    );
    s.server.remove(&format!("{}.asc", unsigned.path));
    let dir = s.root().join("go-mirror");

    let output = sync(&s, &dir, &["1.22.5", "1.21.13", "1.20.14"])
        .args(BOTH)
        .assert()
        .code(5)
        .get_output()
        .clone();
    assert_transcript!(s, "refused", output);
    let stderr = stderr_of(&output);
    for needle in [
        "error: 4 of 6 archives were not mirrored into",
        "  - go1.21.13.linux-amd64.tar.gz: checksum mismatch for go1.21.13.linux-amd64.tar.gz",
        "  - go1.21.13.darwin-arm64.tar.gz: the OpenPGP signature of go1.21.13.darwin-arm64.tar.gz",
        "  - go1.20.14.linux-amd64.tar.gz: no signature for go1.20.14.linux-amd64.tar.gz",
        "  - go1.20.14 for darwin-arm64: go1.20.14 has no archive for darwin-arm64",
        "hint: ",
    ] {
        assert!(stderr.contains(needle), "{needle:?} not in:\n{stderr}");
    }
    assert_mirrors_exactly(&dir, &good.iter().collect::<Vec<_>>());
    for (path, bytes) in contents(&dir) {
        assert_ne!(
            bytes,
            tampered,
            "{} holds the tampered archive",
            path.display()
        );
        assert_ne!(
            bytes,
            bad[1].archive,
            "{} holds the wrongly signed archive",
            path.display()
        );
        assert_ne!(
            bytes,
            unsigned.archive,
            "{} holds the unsigned archive",
            path.display()
        );
    }
}

#[test]
fn windows_zips_are_mirrored_with_their_checksum_only() {
    let s = Session::new();
    let zip = s.publish_platform("go1.22.5", "windows", "amd64", fake_go_zip("go1.22.5", &[]));
    let dir = s.root().join("go-mirror");
    let output = sync(&s, &dir, &["1.22.5", "--platform", "windows-amd64"])
        .assert()
        .success()
        .get_output()
        .clone();
    assert!(
        stderr_of(&output).contains(
            "warning: go1.22.5.windows-amd64.zip has no OpenPGP signature (Go publishes none for .zip archives): SHA-256 is the only check"
        ),
        "{}",
        stderr_of(&output)
    );
    assert_eq!(s.server.count(&format!("{}.asc", zip.path)), 0);
    assert_eq!(
        dir_names(&dir),
        [
            ".gvmr-sync",
            "go1.22.5.windows-amd64.zip",
            "go1.22.5.windows-amd64.zip.sha256",
            "index.json"
        ]
    );
    assert_eq!(std::fs::read(dir.join(&zip.filename)).unwrap(), zip.archive);
}

#[test]
fn the_index_keeps_what_dir_holds_and_a_dry_run_changes_nothing() {
    let s = Session::new();
    let newer = s.publish("go1.22.5");
    let older = s.publish("go1.21.13");
    let oldest = s.publish("go1.20.14");
    let dir = s.root().join("go-mirror");
    let on_linux = ["--platform", "linux-amd64"];

    // One version per run: the index grows.
    for version in ["1.22.5", "1.21.13", "1.20.14"] {
        sync(&s, &dir, &[version]).args(on_linux).assert().success();
    }
    assert_mirrors_exactly(&dir, &[&newer, &older, &oldest]);

    // An archive deleted by hand leaves the index; one damaged by hand is
    // refetched. A dry run only says so.
    std::fs::remove_file(dir.join(&oldest.filename)).unwrap();
    std::fs::write(dir.join(&newer.filename), b"damaged").unwrap();
    let before = contents(&dir);
    let output = sync(&s, &dir, &["1.22.5", "1.21.13", "--dry-run", "--json"])
        .args(on_linux)
        .assert()
        .success()
        .get_output()
        .clone();
    assert_eq!(contents(&dir), before, "a dry run writes nothing");
    assert_transcript!(s, "dry-run", output);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let actions: Vec<&str> = report["archives"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["would-replace", "would-keep"]);
    assert_eq!(report["removed"], serde_json::json!([oldest.filename]));

    s.server.clear_requests();
    let output = sync(&s, &dir, &["1.22.5", "1.21.13"])
        .args(on_linux)
        .assert()
        .success()
        .get_output()
        .clone();
    assert_eq!(
        stdout_of(&output),
        format!(
            "replaced     {}\nkept         {}\nremoved      {}\n{}/index.json lists 2 releases, 2 archives\n",
            newer.filename,
            older.filename,
            oldest.filename,
            dir.display()
        )
    );
    assert_eq!(
        file_requests(&s.server)
            .iter()
            .filter(|r| r.ends_with(".tar.gz"))
            .count(),
        1
    );
    assert_mirrors_exactly(&dir, &[&newer, &older]);
}

#[test]
fn a_killed_sync_shows_no_partial_file_and_the_next_one_resumes() {
    let s = Session::new();
    let mut published = publish_both(&s, "go1.22.5");
    published.extend(publish_both(&s, "go1.21.13"));
    let slow = &published[3];
    let trickle = Fault::Trickle {
        bytes_per_write: 16,
        delay: Duration::from_millis(40),
    };
    s.server.fault(&slow.path, trickle);
    let dir = s.root().join("go-mirror");
    // What a name in DIR may hold: the complete file, nothing less.
    let mut complete: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    for p in &published {
        complete.insert(p.filename.clone(), p.archive.clone());
        complete.insert(
            format!("{}.sha256", p.filename),
            p.sha256_hex.clone().into_bytes(),
        );
        complete.insert(format!("{}.asc", p.filename), p.signature.clone());
    }
    // Checks everything visible in DIR; true once the slow download is
    // under way in the work directory.
    let check_dir = || -> bool {
        for name in dir_names(&dir) {
            let Ok(bytes) = std::fs::read(dir.join(&name)) else {
                continue; // a directory, or renamed away meanwhile
            };
            match name.as_str() {
                "index.json" => {
                    serde_json::from_slice::<serde_json::Value>(&bytes)
                        .unwrap_or_else(|e| panic!("a partial index.json is visible: {e}"));
                }
                _ => assert_eq!(
                    Some(&bytes),
                    complete.get(&name),
                    "{name} is visible in DIR without being complete"
                ),
            }
        }
        std::fs::metadata(
            dir.join(".gvmr-sync")
                .join(format!("{}.partial", slow.filename)),
        )
        .is_ok_and(|m| m.len() >= 64)
    };
    let run = || {
        let mut cmd = s.std_gvmr();
        cmd.args(["mirror", "sync"])
            .arg(&dir)
            .args(["1.22.5", "1.21.13"])
            .args(BOTH)
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        cmd.spawn().unwrap()
    };

    let mut child = run();
    let deadline = Instant::now() + Duration::from_secs(60);
    while !check_dir() {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the sync ended before it was killed"
        );
        assert!(Instant::now() < deadline, "the slow download never started");
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    check_dir();
    assert!(!dir.join(&slow.filename).exists());

    s.server.clear_fault(&slow.path);
    s.server.clear_requests();
    let mut child = run();
    let status = loop {
        check_dir();
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline + Duration::from_secs(60),
            "the second sync hangs"
        );
        std::thread::sleep(Duration::from_millis(5));
    };
    assert!(status.success());
    let ranges = s.server.ranges(&slow.path);
    assert_eq!(ranges.len(), 1, "{ranges:?}");
    assert!(
        ranges[0]
            .as_deref()
            .is_some_and(|r| r.starts_with("bytes=") && r != "bytes=0-"),
        "the download resumed: {ranges:?}"
    );
    assert_mirrors_exactly(&dir, &published.iter().collect::<Vec<_>>());
}

#[test]
fn an_unreadable_index_or_a_file_for_dir_stops_the_sync_before_any_download() {
    let s = Session::new();
    s.publish("go1.22.5");
    let dir = s.root().join("go-mirror");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("index.json"), "<html>captive portal</html>").unwrap();

    let output = sync(&s, &dir, &["1.22.5", "--platform", "linux-amd64"])
        .assert()
        .code(7)
        .get_output()
        .clone();
    assert_transcript!(s, output, @"
    exit: 7
    --- stdout
    --- stderr
    warning: GVMR_KEYRING is set: trusting the keys in [ROOT]/keyring.asc instead of the Go release signing key built into gvmr
    error: cannot update [ROOT]/go-mirror/index.json: the release listing from [ROOT]/go-mirror/index.json is not valid JSON in go.dev's format: expected value at line 1 column 1
    hint: move the file away (or fix it) and sync again: gvmr rebuilds the index from the archives it syncs
    ");
    assert_eq!(file_requests(&s.server), Vec::<String>::new());
    assert_eq!(
        std::fs::read_to_string(dir.join("index.json")).unwrap(),
        "<html>captive portal</html>"
    );
    assert_eq!(dir_names(&dir), [".gvmr-sync", "index.json"]);

    let file = s.root().join("a-file");
    std::fs::write(&file, "").unwrap();
    let output = sync(&s, &file, &["1.22.5", "--platform", "linux-amd64"])
        .assert()
        .code(7)
        .get_output()
        .clone();
    assert!(
        stderr_of(&output).contains(&format!(
            "error: cannot create {}/.gvmr-sync",
            file.display()
        )),
        "{}",
        stderr_of(&output)
    );
    assert_eq!(file_requests(&s.server), Vec::<String>::new());
}
