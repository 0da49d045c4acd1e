//! `gvmr install` refusing: unknown versions, network failures, every way
//! verification can fail, and hostile or broken archives. Each test checks
//! the message, the exit code, and that nothing was installed and no work
//! directory was left behind.

use crate::support::keys::TestKey;
use crate::support::mirror::{ArchiveBuilder, fake_go_archive, sha256_hex};
use crate::support::server::Fault;
use crate::support::{
    FILE, PATH, Session, USUAL, archive_refused, asc_path, install_fails, signature_refused,
};
use predicates::prelude::*;
use predicates::str::contains;
use std::time::{Duration, SystemTime};

const DAY: Duration = Duration::from_secs(86_400);

// ---------------------------------------------------------------------------
// Which release

#[test]
fn an_unknown_version_suggests_the_nearest_releases() {
    let s = Session::usual();

    s.gvmr()
        .args(["install", "1.22.9"])
        .assert()
        .code(3)
        .stderr(contains(
            "error: go1.22.9 is not a Go release (nearest: go1.22.5, go1.22.4)",
        ))
        .stderr(contains("hint: run `gvmr list-remote --all`"));
    s.gvmr()
        .args(["install", "1.99"])
        .assert()
        .code(3)
        .stderr(contains(
            "error: 1.99 is not a Go release (nearest: go1.22.5",
        ));
    s.assert_nothing_installed();
    assert!(s.downloads().is_empty());
}

/// Issue 17: a release a mirror does not have at all (HTTP 404 for the
/// archive, its `.sha256` and `.asc`) is "not on this mirror", never a
/// missing signature: the next mirror is tried, and when none has it, exit
/// 3 names each mirror; `--skip-signature` changes nothing about that, and
/// no message suggests it.
#[test]
fn a_release_no_mirror_has_is_not_on_this_mirror_never_a_signature_problem() {
    let s = Session::usual();
    let moved: Vec<(String, Vec<u8>)> = [
        PATH.to_string(),
        format!("{PATH}.asc"),
        format!("{PATH}.sha256"),
    ]
    .into_iter()
    .map(|path| {
        let body = s.server.get(&path).unwrap();
        s.server.remove(&path);
        (path, body)
    })
    .collect();
    let mirrors = format!("{},{}", s.mirror_url(), s.server.url("/other/"));
    let install = |flags: &[&str]| {
        s.gvmr()
            .arg("install")
            .args(flags)
            .arg("1.22.5")
            .env("GVMR_MIRROR", &mirrors)
            .output()
            .unwrap()
    };
    crate::assert_transcript!(s, install(&[]), @"
    exit: 3
    --- stdout
    --- stderr
    warning: GVMR_KEYRING is set: trusting the keys in [ROOT]/keyring.asc instead of the Go release signing key built into gvmr
    error: go1.22.5.linux-amd64.tar.gz is not on any mirror:
      - [SERVER]/dl/go1.22.5.linux-amd64.tar.gz: not on this mirror
      - [SERVER]/other/go1.22.5.linux-amd64.tar.gz: not on this mirror
    hint: check the version (`gvmr list-remote --all` lists the releases), or add a mirror that has it to GVMR_MIRROR (`gvmr mirrors --check` tests each source)
    ");
    let output = install(&["--skip-signature"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "error: {FILE} is not on any mirror:\n  - {}: not on this mirror\n  - {}: not on this mirror\n",
            s.server.url(PATH),
            s.server.url(&format!("/other/{FILE}"))
        )),
        "{stderr}"
    );
    s.assert_nothing_installed();

    // The second mirror has it: the first is passed over, and nothing
    // suggests weakening a check.
    for (path, body) in moved {
        s.server.put(&path.replace("/dl/", "/other/"), body);
    }
    let asked = s.server.count(&format!("/other/{FILE}"));
    let output = install(&[]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(!stderr.contains("skip-signature"), "{stderr}");
    assert_eq!(s.version_names(), ["go1.22.5"]);
    assert_eq!(s.server.count(&format!("/other/{FILE}")), asked + 1);
}

#[test]
fn a_malformed_version_is_a_usage_error() {
    let s = Session::usual();

    for bad in ["1.x", "1", "go1.22.5.1", "1.22.05", ""] {
        s.gvmr()
            .args(["install", bad])
            .assert()
            .code(2)
            .stderr(contains(format!("error: {bad:?} is not a Go version")));
    }
    // No version and nothing selecting one in the working directory.
    s.gvmr()
        .args(["install"])
        .assert()
        .code(3)
        .stderr(contains("error: no Go version is selected here"));
    s.assert_nothing_installed();
    assert!(s.server.requests().is_empty(), "{:?}", s.server.requests());
}

#[test]
fn a_release_without_an_archive_for_this_platform_says_so() {
    let s = Session::new();
    s.publish_platform("go1.22.5", "darwin", "arm64", fake_go_archive("go1.22.5"));

    install_fails(
        &s,
        3,
        &["error: go1.22.5 has no archive for linux-amd64 (it has: darwin-arm64)"],
    );
    assert!(s.downloads().is_empty());
}

#[test]
fn a_release_line_whose_releases_lack_this_platform_says_so() {
    let s = Session::new();
    s.publish("go1.21.0");
    s.publish_platform("go1.22.5", "darwin", "arm64", fake_go_archive("go1.22.5"));

    // Not "1.22 is not a Go release": it is one, without this platform.
    s.gvmr()
        .args(["install", "1.22"])
        .assert()
        .code(3)
        .stderr(contains(
            "error: go1.22.5 has no archive for linux-amd64 (it has: darwin-arm64)",
        ));
    s.assert_nothing_installed();
    // `latest` falls back to the newest release that has one.
    s.gvmr()
        .args(["install", "latest"])
        .assert()
        .success()
        .stderr(contains("Installed go1.21.0 in"));
}

#[test]
fn a_failing_version_stops_the_command_after_the_ones_before_it() {
    let s = Session::usual();

    s.gvmr()
        .args(["install", "1.22.4", "1.99", "1.22.5"])
        .assert()
        .code(3)
        .stderr(contains("Installed go1.22.4 in"))
        .stderr(contains("error: 1.99 is not a Go release"))
        .stderr(contains("Installed go1.22.5").not());
    assert_eq!(s.version_names(), ["go1.22.4"]);
    assert_eq!(s.tmp_after_purge(), Vec::<String>::new());
}

// ---------------------------------------------------------------------------
// Network

#[test]
fn offline_an_exact_version_fails_with_a_network_error() {
    let s = Session::usual();
    let nowhere = crate::support::closed_port_url();

    // No listing and no mirror: the checksum cannot be fetched. That is the
    // network failing (exit 4), not a verification verdict (exit 5).
    s.gvmr()
        .env("GVMR_INDEX_URL", format!("{nowhere}listing.json"))
        .env("GVMR_MIRROR", &nowhere)
        .args(["install", "1.22.5"])
        .assert()
        .code(4)
        .stderr(contains("warning: cannot fetch the release listing"))
        .stderr(contains(format!(
            "error: cannot download {FILE}.sha256: every mirror failed:\n  - {nowhere}{FILE}.sha256: "
        )))
        .stderr(contains("Connection refused"))
        .stderr(contains("hint: check your network"));
    s.assert_nothing_installed();

    // The listing answers but the mirror is down: same for the signature.
    s.server.fault(&asc_path(), Fault::Status(503));
    s.gvmr()
        .args(["install", "1.22.5"])
        .assert()
        .code(4)
        .stderr(contains(format!(
            "error: cannot download {FILE}.asc: every mirror failed:\n  - {}.asc: HTTP 503",
            s.server.url(PATH)
        )));
    s.assert_nothing_installed();
    assert!(s.downloads().is_empty());
}

#[test]
fn when_every_mirror_fails_each_is_named_with_its_error() {
    let s = Session::usual();
    // A second mirror with the signature, whose archive errors.
    s.server.put(
        &format!("/second/{FILE}.asc"),
        s.server.get(&asc_path()).unwrap(),
    );
    s.server
        .fault(&format!("/second/{FILE}"), Fault::Status(500));
    s.server.fault(PATH, Fault::Status(404));

    let first = s.server.url(PATH);
    let second = s.server.url(&format!("/second/{FILE}"));
    let output = s
        .gvmr()
        .env(
            "GVMR_MIRROR",
            format!("{},{}", s.mirror_url(), s.server.url("/second")),
        )
        .args(["install", "1.22.5"])
        .assert()
        .code(4)
        .get_output()
        .clone();
    let stderr = crate::support::stderr_of(&output);
    assert!(
        stderr.contains(&format!(
            "error: cannot download {FILE}: every mirror failed:\n  - {first}: HTTP 404 (1 attempt)\n  - {second}: HTTP 500 (3 attempts)\n"
        )),
        "{stderr}"
    );
    assert!(stderr.contains("hint: check your network"), "{stderr}");
    s.assert_nothing_installed();
    assert!(s.downloads().is_empty());
}

#[test]
fn a_truncated_download_fails_naming_the_mirror() {
    let s = Session::usual();
    s.server.fault(PATH, Fault::Truncate(100));

    let stderr = install_fails(
        &s,
        4,
        &[
            &format!("error: cannot download {FILE}: every mirror failed:"),
            &format!("  - {}", s.server.url(PATH)),
        ],
    );
    assert!(!stderr.contains("checksum"), "{stderr}");
    // What did arrive (three attempts of 100 bytes) is kept for the next run
    // to resume; only a verified archive is ever cached as the archive.
    let downloads = s.downloads();
    assert_eq!(
        downloads.keys().collect::<Vec<_>>(),
        [&format!("{FILE}.partial")]
    );
    assert_eq!(downloads[&format!("{FILE}.partial")].len(), 300);
}

#[test]
fn a_reset_connection_fails_naming_the_mirror() {
    let s = Session::usual();
    s.server.fault(PATH, Fault::Reset);

    install_fails(
        &s,
        4,
        &[
            &format!("error: cannot download {FILE}: every mirror failed:"),
            &format!("  - {}", s.server.url(PATH)),
        ],
    );
    assert!(s.downloads().is_empty());
}

#[test]
fn a_stalled_download_times_out() {
    let s = Session::usual();
    s.server.fault(PATH, Fault::Stall(Duration::from_secs(60)));

    s.gvmr()
        .env("GVMR_HTTP_TIMEOUT", "1")
        .args(["install", "1.22.5"])
        .assert()
        .code(4)
        .stderr(contains(format!(
            "error: cannot download {FILE}: every mirror failed:\n  - {}",
            s.server.url(PATH)
        )));
    // Each attempt gave up on the 60 s stall (had it waited, the body
    // would have come and the install succeeded).
    assert_eq!(s.server.count(PATH), 3);
    s.assert_nothing_installed();
    assert!(s.downloads().is_empty());
}

// ---------------------------------------------------------------------------
// Checksums

#[test]
fn a_checksum_mismatch_shows_both_digests_and_where_the_expected_one_came_from() {
    let s = Session::usual();
    let genuine = s.server.get(PATH).unwrap();
    let evil = fake_go_archive("go1.22.5-evil");
    s.server.put(PATH, evil.clone());

    install_fails(
        &s,
        5,
        &[
            &format!("error: checksum mismatch for {FILE}"),
            &format!(
                "  expected: {} (from {})",
                sha256_hex(&genuine),
                s.listing_source()
            ),
            &format!("  actual:   {}", sha256_hex(&evil)),
            "nothing was installed",
            "hint: do not use this archive",
        ],
    );
    assert!(s.downloads().is_empty(), "a bad archive is not kept");
}

#[test]
fn a_malformed_mirror_checksum_file_is_refused() {
    let s = Session::usual();
    s.server.put(&format!("{PATH}.sha256"), "not a checksum\n");

    let output = s
        .gvmr()
        .env("GVMR_INDEX_URL", s.server.url("/gone.json"))
        .args(["install", "1.22.5"])
        .assert()
        .code(5)
        .get_output()
        .clone();
    let stderr = crate::support::stderr_of(&output);
    assert!(
        stderr.contains(&format!(
            "error: no checksum for {FILE}: it is not in the release listing"
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "{}.sha256: expected 64 hexadecimal digits of a SHA-256 checksum, found \"not a checksum\\n\"",
            s.server.url(PATH)
        )),
        "{stderr}"
    );
    s.assert_nothing_installed();
    assert_eq!(
        s.server.count(PATH),
        0,
        "nothing downloaded without a checksum"
    );
}

// ---------------------------------------------------------------------------
// Signatures

#[test]
fn a_missing_signature_is_refused() {
    let s = Session::usual();
    s.server.remove(&asc_path());

    install_fails(
        &s,
        5,
        &[
            &format!(
                "error: no signature for {FILE}: no mirror has {FILE}.asc:\n  - {}.asc: HTTP 404",
                s.server.url(PATH)
            ),
            "hint: gvmr needs a mirror that copies Go's signatures (<archive>.asc beside each archive; the official and china presets do): add one to GVMR_MIRROR, or install with --skip-signature",
            "--skip-signature",
        ],
    );
    assert_eq!(s.server.count(PATH), 0, "no download without a signature");
    assert!(s.downloads().is_empty());
}

#[test]
fn a_signature_by_an_unrelated_key_is_refused() {
    let s = Session::usual();
    let stranger = TestKey::generate("Mallory <mallory@example.org>");

    let asc = stranger.sign_detached(&s.server.get(PATH).unwrap());
    signature_refused(
        &s,
        asc,
        &[&format!(
            "made by key {}, which is not a trusted Go release signing key",
            stranger.signing_subkey_fingerprint_hex()
        )],
    );
}

#[test]
fn a_signature_over_other_data_is_refused() {
    let s = Session::usual();

    // A genuine signature, of another release.
    let asc = s.server.get("/dl/go1.22.4.linux-amd64.tar.gz.asc").unwrap();
    signature_refused(
        &s,
        asc,
        &[&format!(
            "made by key {}, but it does not match this file",
            s.key.signing_subkey_fingerprint_hex()
        )],
    );
}

/// A key made two years ago whose signing subkey expired after one year.
fn expired_key() -> TestKey {
    TestKey::generate_with(
        "Old Go Releases <old@example.org>",
        SystemTime::now() - 730 * DAY,
        Some(365 * DAY),
    )
}

#[test]
fn a_signature_made_after_the_subkey_expired_is_refused() {
    let key = expired_key();
    let s = Session::with_key(key);
    s.publish_releases(USUAL);

    let made = SystemTime::now() - 300 * DAY; // 430 days after creation
    let asc = s.key.sign_detached_at(&s.server.get(PATH).unwrap(), made);
    signature_refused(
        &s,
        asc,
        &[&format!(
            "made by key {}, which was not valid when the signature was made",
            s.key.signing_subkey_fingerprint_hex()
        )],
    );
}

/// The property that makes real releases installable: Go's releases were
/// signed by subkeys that have expired since.
#[test]
fn a_signature_made_while_the_subkey_was_valid_verifies_after_it_expired() {
    let key = expired_key();
    let s = Session::with_key(key);
    s.publish_releases(USUAL);

    let made = SystemTime::now() - 600 * DAY; // 130 days after creation
    let asc = s.key.sign_detached_at(&s.server.get(PATH).unwrap(), made);
    s.server.put(&asc_path(), asc);
    s.gvmr()
        .args(["install", "1.22.5"])
        .assert()
        .success()
        .stderr(contains(format!(
            "({}) and OpenPGP signature (Old Go Releases <old@example.org>",
            s.listing_source()
        )))
        .stderr(contains("Installed go1.22.5 in"));
    assert_eq!(s.version_names(), ["go1.22.5"]);
    assert_eq!(s.tmp_after_purge(), Vec::<String>::new());
}

#[test]
fn a_signature_from_the_future_is_refused() {
    let s = Session::usual();

    let asc = s
        .key
        .sign_detached_at(&s.server.get(PATH).unwrap(), SystemTime::now() + 30 * DAY);
    signature_refused(
        &s,
        asc,
        &[&format!(
            "made by key {} with a creation time in the future",
            s.key.signing_subkey_fingerprint_hex()
        )],
    );
}

#[test]
fn a_garbage_signature_is_refused() {
    let s = Session::usual();

    signature_refused(
        &s,
        b"<html>not found</html>\n".to_vec(),
        &["it is not an OpenPGP signature"],
    );
    signature_refused(
        &s,
        b"-----BEGIN PGP SIGNATURE-----\n\nAAAA\n-----END PGP SIGNATURE-----\n".to_vec(),
        &["it is not an OpenPGP signature"],
    );
}

#[test]
fn a_binary_signature_verifies() {
    let s = Session::usual();
    s.server.put(
        &asc_path(),
        s.key.sign_detached_binary(&s.server.get(PATH).unwrap()),
    );

    s.gvmr()
        .args(["install", "1.22.5"])
        .assert()
        .success()
        .stderr(contains(format!(
            "({}) and OpenPGP signature",
            s.listing_source()
        )));
    assert_eq!(s.version_names(), ["go1.22.5"]);
}

#[test]
fn an_enormous_signature_file_is_refused() {
    let s = Session::usual();
    let mut asc = s.server.get(&asc_path()).unwrap();
    asc.extend(std::iter::repeat_n(b'\n', 65 * 1024));
    s.server.put(&asc_path(), asc);

    install_fails(
        &s,
        5,
        &[&format!(
            "error: no signature for {FILE}: no mirror has {FILE}.asc:\n  - {}.asc: the response is larger than 65536 bytes",
            s.server.url(PATH)
        )],
    );
    assert_eq!(s.server.count(PATH), 0);
}

// ---------------------------------------------------------------------------
// Archives that verify but are not Go releases

#[test]
fn an_archive_that_is_not_gzip_is_refused() {
    archive_refused(
        b"This is not a tarball, just a long enough run of plain text bytes.\n".repeat(20),
        "it is not a gzip-compressed archive",
    );
}

#[test]
fn an_entry_climbing_out_with_dotdot_is_refused() {
    archive_refused(
        ArchiveBuilder::new()
            .dir("go")
            .file("go/VERSION", "go1.22.5\n", 0o644)
            .raw_path_file("go/../../evil", "pwned")
            .build_tar_gz(),
        "entry \"go/../../evil\" has an unsafe path (leads outside with ..)",
    );
    archive_refused(
        ArchiveBuilder::new()
            .dir("go")
            .raw_path_file("../evil", "pwned")
            .build_tar_gz(),
        "entry \"../evil\" has an unsafe path (leads outside with ..)",
    );
}

#[test]
fn an_absolute_entry_is_refused() {
    archive_refused(
        ArchiveBuilder::new()
            .dir("go")
            .raw_path_file("/tmp/x", "pwned")
            .build_tar_gz(),
        "entry \"/tmp/x\" has an unsafe path (absolute)",
    );
}

#[test]
fn links_and_special_files_are_refused() {
    let base = || {
        ArchiveBuilder::new()
            .dir("go")
            .dir("go/bin")
            .file("go/bin/go", "#!/bin/sh\n", 0o755)
    };
    archive_refused(
        base().symlink("go/escape", "../../../..").build_tar_gz(),
        "entry \"go/escape\" is a symbolic link; Go archives hold only files and directories",
    );
    archive_refused(
        base().hardlink("go/bin/gofmt", "go/bin/go").build_tar_gz(),
        "entry \"go/bin/gofmt\" is a hard link",
    );
    archive_refused(
        base().fifo("go/pipe").build_tar_gz(),
        "entry \"go/pipe\" is a FIFO",
    );
}

#[test]
fn an_archive_without_a_top_level_go_directory_is_refused() {
    archive_refused(
        ArchiveBuilder::new()
            .dir("golang")
            .file("golang/bin/go", "#!/bin/sh\n", 0o755)
            .build_tar_gz(),
        "it has no top-level go/ directory",
    );
    archive_refused(
        ArchiveBuilder::new().build_tar_gz(),
        "it has no top-level go/ directory",
    );
}

#[test]
fn an_archive_with_a_duplicate_entry_is_refused() {
    archive_refused(
        ArchiveBuilder::new()
            .dir("go")
            .file("go/VERSION", "go1.22.5\n", 0o644)
            .file("go/VERSION", "go6.6.6\n", 0o644)
            .build_tar_gz(),
        "entry \"go/VERSION\" appears twice",
    );
}

#[test]
fn entries_clashing_with_earlier_ones_are_refused() {
    // A file, then a file below it as if it were a directory.
    archive_refused(
        ArchiveBuilder::new()
            .dir("go")
            .file("go/bin", "a file", 0o644)
            .file("go/bin/go", "#!/bin/sh\n", 0o755)
            .build_tar_gz(),
        "entry \"go/bin/go\" clashes with an earlier entry",
    );
    // A directory made for a file, then a file of the same name.
    archive_refused(
        ArchiveBuilder::new()
            .dir("go")
            .file("go/bin/go", "#!/bin/sh\n", 0o755)
            .file("go/bin", "a file", 0o644)
            .build_tar_gz(),
        "entry \"go/bin\" clashes with an earlier entry",
    );
    // A directory below a file.
    archive_refused(
        ArchiveBuilder::new()
            .dir("go")
            .file("go/src", "a file", 0o644)
            .dir("go/src/fmt")
            .build_tar_gz(),
        "entry \"go/src/fmt/\" clashes with an earlier entry",
    );
}

#[test]
fn an_entry_claiming_an_absurd_size_is_refused_before_reading_it() {
    let mut tar_bytes = ArchiveBuilder::new().dir("go").build_tar();
    tar_bytes.truncate(512); // drop the end-of-archive blocks
    let mut header = tar::Header::new_gnu();
    header.set_path("go/bomb").unwrap();
    header.set_entry_type(tar::EntryType::Regular);
    header.set_mode(0o644);
    header.set_size(3 << 30);
    header.set_cksum();
    tar_bytes.extend_from_slice(header.as_bytes());
    tar_bytes.extend_from_slice(&[0u8; 4096]);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gz, &tar_bytes).unwrap();
    archive_refused(
        gz.finish().unwrap(),
        "it unpacks to more than 2147483648 bytes, far beyond any Go release; refusing it",
    );
}

#[test]
fn a_damaged_gzip_stream_is_refused() {
    let mut archive = fake_go_archive("go1.22.5");
    let n = archive.len();
    archive[n - 6] ^= 0xff; // the CRC trailer
    archive_refused(archive, "it is damaged");
}

// ---------------------------------------------------------------------------
// The downloads cache

#[test]
fn a_tampered_cached_download_is_downloaded_again() {
    let s = Session::usual();
    s.gvmr().args(["install", "1.22.5"]).assert().success();
    let cached = s.home().join("downloads").join(FILE);
    std::fs::write(&cached, fake_go_archive("go1.22.5-evil")).unwrap();

    // (A reinstall: uninstall would take the cached archive with it.)
    s.gvmr()
        .args(["install", "--force", "1.22.5"])
        .assert()
        .success()
        .stderr(contains(format!(
            "warning: the cached {FILE} failed verification, downloading it again: checksum mismatch for {FILE}"
        )))
        .stderr(contains("Using the cached download").not())
        .stderr(contains("Installed go1.22.5 in"));
    assert_eq!(s.server.count(PATH), 2);
    assert_eq!(s.version_names(), ["go1.22.5"]);
    assert_eq!(
        std::fs::read_to_string(s.versions_dir().join("go1.22.5/VERSION")).unwrap(),
        "go1.22.5\ntime 2024-06-27T20:11:12Z\n"
    );
    assert_eq!(
        std::fs::read(&cached).unwrap(),
        s.server.get(PATH).unwrap(),
        "the cache holds the good archive again"
    );
    assert_eq!(s.tmp_after_purge(), Vec::<String>::new());
}

#[test]
fn a_cached_download_without_its_signature_gets_it_from_the_mirror() {
    let s = Session::usual();
    s.gvmr().args(["install", "1.22.5"]).assert().success();
    let asc = s.home().join("downloads").join(format!("{FILE}.asc"));
    std::fs::remove_file(&asc).unwrap();

    s.gvmr()
        .args(["install", "--force", "1.22.5"])
        .assert()
        .success()
        .stderr(contains("failed verification").not())
        .stderr(contains("Using the cached download"))
        .stderr(contains("Installed go1.22.5 in"));
    assert_eq!(
        s.server.count(PATH),
        1,
        "the archive is not downloaded again"
    );
    assert_eq!(s.server.count(&asc_path()), 2);
    assert_eq!(
        std::fs::read(&asc).unwrap(),
        s.server.get(&asc_path()).unwrap()
    );
}

/// Issue 17: a verified archive in the downloads cache keeps what verified
/// it (its `.sha256` and `.asc`), so a reinstall, and an install into a
/// fresh `GVMR_HOME` whose `downloads/` was restored from a CI cache, work
/// with no network (no listing cached either), verifying both again.
#[test]
fn the_downloads_cache_alone_reinstalls_offline_and_verifies_again() {
    let s = Session::usual();
    s.gvmr().args(["install", "1.22.5"]).assert().success();
    let downloads = s.home().join("downloads");
    assert_eq!(
        s.downloads().into_keys().collect::<Vec<_>>(),
        [
            FILE.to_string(),
            format!("{FILE}.asc"),
            format!("{FILE}.sha256")
        ]
    );
    assert_eq!(
        std::fs::read_to_string(downloads.join(format!("{FILE}.sha256"))).unwrap(),
        format!("{}\n", sha256_hex(&s.server.get(PATH).unwrap()))
    );
    let kept = s.downloads();
    let nowhere = crate::support::closed_port_url();
    let offline = |args: &[&str]| {
        s.server.clear_requests();
        let output = s
            .gvmr()
            .env("GVMR_INDEX_URL", format!("{nowhere}listing.json"))
            .env("GVMR_MIRROR", &nowhere)
            .args(args)
            .output()
            .unwrap();
        assert!(s.server.requests().is_empty(), "{:?}", s.server.requests());
        output
    };
    let verified_from_the_cache = |output: &std::process::Output| {
        let stderr = String::from_utf8_lossy(&output.stderr).to_string();
        assert!(output.status.success(), "{stderr}");
        for needle in [
            format!(
                "Using the cached download {}",
                downloads.join(FILE).display()
            ),
            format!(
                "({}) and OpenPGP signature",
                downloads.join(format!("{FILE}.sha256")).display()
            ),
            "Installed go1.22.5 in".to_string(),
        ] {
            assert!(stderr.contains(&needle), "{needle:?} not in:\n{stderr}");
        }
    };

    // A reinstall, with no listing cached and no network.
    std::fs::remove_dir_all(s.home().join("cache")).unwrap();
    verified_from_the_cache(&offline(&["install", "--force", "1.22.5"]));
    assert_eq!(s.version_names(), ["go1.22.5"]);

    // A fresh GVMR_HOME with downloads/ restored from a CI cache (but for
    // files ending in `leave_out`), installing what the project selects.
    let restored = |leave_out: &str| {
        s.clear_home();
        for (name, bytes) in kept.iter().filter(|(name, _)| !name.ends_with(leave_out)) {
            crate::support::write_file(&downloads.join(name), bytes);
        }
    };
    restored("(nothing)");
    s.write("project/.go-version", "1.22.5\n");
    verified_from_the_cache(&offline(&["install"]));
    assert_eq!(s.version_names(), ["go1.22.5"]);
    assert_eq!(s.downloads(), kept);
    // A line, with no listing to resolve it: the newest cached match.
    restored("(nothing)");
    s.write("project/.go-version", "1.22\n");
    let output = offline(&["install"]);
    verified_from_the_cache(&output);
    assert!(
        String::from_utf8_lossy(&output.stderr).contains(
            "using the checksum kept with the cached download of go1.22.5, the newest 1.22 in the downloads cache"
        ),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(s.version_names(), ["go1.22.5"]);

    // Tampered with: refused again, and (offline) nothing is installed.
    std::fs::write(downloads.join(FILE), fake_go_archive("go1.22.5-evil")).unwrap();
    let fails_offline = |args: &[&str], needle: &str| {
        let output = offline(args);
        let stderr = String::from_utf8_lossy(&output.stderr).to_string();
        assert_eq!(output.status.code(), Some(4), "{stderr}");
        assert!(stderr.contains(needle), "{needle:?} not in:\n{stderr}");
    };
    fails_offline(
        &["install", "--force", "1.22.5"],
        &format!(
            "warning: the cached {FILE} failed verification, downloading it again: checksum mismatch for {FILE}"
        ),
    );
    assert!(
        !downloads.join(FILE).exists(),
        "the bad archive is not kept"
    );

    // Without its signature and offline: no install without the check, and
    // the archive stays for when the mirror is back.
    restored(".asc");
    fails_offline(
        &["install", "1.22.5"],
        &format!("error: cannot download {FILE}.asc: every mirror failed"),
    );
    s.assert_nothing_installed();
    assert!(downloads.join(FILE).is_file());
}

// ---------------------------------------------------------------------------
// The keyring

#[test]
fn without_gvmr_keyring_only_the_go_release_key_is_trusted() {
    let s = Session::usual();

    // The test key signed the archive; the built-in Go key did not.
    for keyring in [None, Some("")] {
        let mut cmd = s.gvmr();
        match keyring {
            None => cmd.env_remove("GVMR_KEYRING"),
            Some(value) => cmd.env("GVMR_KEYRING", value),
        };
        cmd.args(["install", "1.22.5"])
            .assert()
            .code(5)
            .stderr(contains("GVMR_KEYRING").not())
            .stderr(contains(format!(
                "made by key {}, which this gvmr does not know; if Go started signing with a new subkey, run `gvmr keys update`",
                s.key.signing_subkey_fingerprint_hex()
            )))
            .stderr(contains("hint: run `gvmr keys update`"));
    }
    s.assert_nothing_installed();
    assert!(s.downloads().is_empty());
}

#[test]
fn an_unusable_keyring_is_refused_before_anything_is_fetched() {
    let s = Session::usual();
    let dir = s.root();
    std::fs::write(dir.join("empty.asc"), "").unwrap();
    std::fs::write(dir.join("signature.asc"), s.key.sign_detached(b"x")).unwrap();

    let cases = [
        (
            dir.join("missing.asc"),
            "cannot read the keyring {} (from GVMR_KEYRING): ",
        ),
        (
            dir.join("empty.asc"),
            "the keyring {} (from GVMR_KEYRING) holds no OpenPGP public key",
        ),
        (
            dir.join("signature.asc"),
            "cannot read the keyring {} (from GVMR_KEYRING): ",
        ),
    ];
    for (path, message) in cases {
        s.gvmr()
            .env("GVMR_KEYRING", &path)
            .args(["install", "1.22.5"])
            .assert()
            .code(5)
            .stderr(contains(format!(
                "error: {}",
                message.replace("{}", &path.display().to_string())
            )));
    }
    assert!(s.server.requests().is_empty(), "{:?}", s.server.requests());
    s.assert_nothing_installed();
}
