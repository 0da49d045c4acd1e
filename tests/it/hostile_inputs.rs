//! `gvmr install` against hostile inputs beyond those of
//! `install_failures.rs`: revoked signing subkeys, signature files holding
//! several bad signatures or cut-off armor, archives with too many entries,
//! device nodes or a symlink to write through, an enormous release listing
//! and a listing giving another platform's checksum. Each refusal checks the
//! exit code, the message, and that nothing was installed and no work
//! directory was left behind.

use crate::support::keys::{TestKey, armor_signature};
use crate::support::mirror::{ArchiveBuilder, fake_go_archive, listing_json, sha256_hex};
use crate::support::{
    FILE, PATH, Session, USUAL, archive_refused, asc_path, dir_names, install_fails,
    signature_refused, walk,
};
use predicates::str::contains;
use sequoia_openpgp::types::ReasonForRevocation;
use std::path::Path;
use std::time::{Duration, SystemTime};

const DAY: Duration = Duration::from_secs(86_400);

// ---------------------------------------------------------------------------
// Revoked signing subkeys

/// A key created ten days ago whose signing subkey was revoked for `reason`
/// five days ago; returns it and the revocation time.
fn revoked_key(reason: ReasonForRevocation) -> (TestKey, SystemTime) {
    let revoked_at = SystemTime::now() - 5 * DAY;
    let key = TestKey::generate_with(
        "Test Go Releases <go@example.org>",
        SystemTime::now() - 10 * DAY,
        None,
    )
    .with_revoked_subkey(reason, revoked_at);
    (key, revoked_at)
}

#[test]
fn a_signature_made_after_the_subkey_was_revoked_is_refused() {
    let (key, revoked_at) = revoked_key(ReasonForRevocation::KeySuperseded);
    let s = Session::with_key(key);
    s.publish_releases(USUAL);

    let asc = s
        .key
        .sign_detached_at(&s.server.get(PATH).unwrap(), revoked_at + DAY);
    signature_refused(
        &s,
        asc,
        &[
            &format!(
                "made by key {}, which was not valid when the signature was made",
                s.key.signing_subkey_fingerprint_hex()
            ),
            "signing key is revoked",
        ],
    );
}

#[test]
fn a_signature_made_before_a_soft_revocation_still_verifies() {
    let (key, revoked_at) = revoked_key(ReasonForRevocation::KeySuperseded);
    let s = Session::with_key(key);
    s.publish_releases(USUAL);

    let asc = s
        .key
        .sign_detached_at(&s.server.get(PATH).unwrap(), revoked_at - DAY);
    s.server.put(&asc_path(), asc);
    s.gvmr()
        .args(["install", "1.22.5"])
        .assert()
        .success()
        .stderr(contains(format!(
            "({}) and OpenPGP signature (Test Go Releases <go@example.org>",
            s.listing_source()
        )))
        .stderr(contains("Installed go1.22.5 in"));
    assert_eq!(s.version_names(), ["go1.22.5"]);
    assert_eq!(s.tmp_after_purge(), Vec::<String>::new());
}

#[test]
fn a_signature_made_before_a_hard_revocation_is_refused() {
    let (key, revoked_at) = revoked_key(ReasonForRevocation::KeyCompromised);
    let s = Session::with_key(key);
    s.publish_releases(USUAL);

    // A compromised key's signatures cannot be trusted whatever they claim.
    let asc = s
        .key
        .sign_detached_at(&s.server.get(PATH).unwrap(), revoked_at - DAY);
    signature_refused(
        &s,
        asc,
        &[
            &format!(
                "made by key {}, which was not valid when the signature was made",
                s.key.signing_subkey_fingerprint_hex()
            ),
            "signing key is revoked",
        ],
    );
}

// ---------------------------------------------------------------------------
// Broken signature files

#[test]
fn several_signatures_none_valid_are_refused_with_every_reason() {
    let s = Session::usual();
    let stranger = TestKey::generate("Mallory <mallory@example.org>");
    let archive = s.server.get(PATH).unwrap();

    let mut packets = stranger.sign_detached_binary(&archive);
    packets.extend(s.key.sign_detached_binary(b"some other file"));
    let reasons = [
        format!(
            "made by key {}, which is not a trusted Go release signing key",
            stranger.signing_subkey_fingerprint_hex()
        ),
        format!(
            "made by key {}, but it does not match this file",
            s.key.signing_subkey_fingerprint_hex()
        ),
    ];
    let reasons: Vec<&str> = reasons.iter().map(String::as_str).collect();
    // Binary, then the same packets armored.
    signature_refused(&s, packets.clone(), &reasons);
    signature_refused(&s, armor_signature(&packets), &reasons);
}

#[test]
fn truncated_armor_is_refused_without_a_panic() {
    let s = Session::usual();
    let asc = s.server.get(&asc_path()).unwrap();
    assert!(asc.starts_with(b"-----BEGIN PGP SIGNATURE-----"));

    // Cut in the middle of the base64 body, and just before the footer.
    let footer = asc
        .windows(5)
        .rposition(|w| w == b"-----")
        .and_then(|end| asc[..end].windows(5).rposition(|w| w == b"-----"))
        .unwrap();
    for cut in [asc.len() / 2, footer] {
        signature_refused(&s, asc[..cut].to_vec(), &["it is not an OpenPGP signature"]);
    }
}

// ---------------------------------------------------------------------------
// Hostile archives

#[test]
fn an_archive_with_more_entries_than_the_cap_is_refused() {
    // go/, then 120,001 empty directories: one more than the cap.
    let mut builder = ArchiveBuilder::new().dir("go");
    for i in 0..120_001 {
        builder = builder.dir(&format!("go/d{i}"));
    }
    let archive = builder.build_tar_gz();
    assert!(
        archive.len() < 8 << 20,
        "the archive stays small: {} bytes",
        archive.len()
    );
    let s = Session::new();
    s.publish_archive("go1.22.5", archive);

    // gvmr makes 120,000 directories before it refuses the next entry:
    // seconds on tmpfs, but half a minute on some disks. So GVMR_HOME is
    // on /dev/shm when there is one.
    let shm = Path::new("/dev/shm");
    let fast = shm
        .is_dir()
        .then(|| tempfile::Builder::new().prefix("gvmr-test").tempdir_in(shm))
        .and_then(Result::ok);
    let home = fast.as_ref().map_or(s.home(), |d| d.path());
    let output = s
        .gvmr()
        .env("GVMR_HOME", home)
        .args(["install", "1.22.5"])
        .assert()
        .code(6)
        .stdout("")
        .get_output()
        .clone();
    let stderr = crate::support::stderr_of(&output);
    for needle in [
        &format!(
            "error: cannot unpack {FILE}: it holds more than 120000 entries, far beyond any Go release; refusing it"
        ),
        "hint: the archive passed verification but is not a Go release archive",
    ] {
        assert!(stderr.contains(needle), "{needle:?} not in:\n{stderr}");
    }
    assert!(!stderr.contains("Installed"), "{stderr}");
    assert_eq!(dir_names(&home.join("versions")), Vec::<String>::new());
    assert_eq!(dir_names(&home.join("tmp")), Vec::<String>::new());
}

#[test]
fn device_entries_are_refused() {
    let base = || {
        ArchiveBuilder::new()
            .dir("go")
            .dir("go/bin")
            .file("go/bin/go", "#!/bin/sh\n", 0o755)
    };
    archive_refused(
        base().char_device("go/null").build_tar_gz(),
        "entry \"go/null\" is a character device; Go archives hold only files and directories",
    );
    archive_refused(
        base().block_device("go/disk").build_tar_gz(),
        "entry \"go/disk\" is a block device; Go archives hold only files and directories",
    );
}

#[test]
fn a_file_written_through_a_symlink_out_of_the_tree_is_refused_at_the_link() {
    let outside = tempfile::tempdir().unwrap();
    let target = outside.path().to_str().unwrap();
    let s = archive_refused(
        ArchiveBuilder::new()
            .dir("go")
            .symlink("go/link", target)
            .file("go/link/evil", "pwned", 0o644)
            .build_tar_gz(),
        "entry \"go/link\" is a symbolic link; Go archives hold only files and directories",
    );
    assert_eq!(walk(outside.path()), Vec::<std::path::PathBuf>::new());
    let strays: Vec<_> = walk(s.root())
        .into_iter()
        .filter(|p| p.file_name().is_some_and(|n| n == "evil" || n == "link"))
        .collect();
    assert!(strays.is_empty(), "written: {strays:?}");
}

// ---------------------------------------------------------------------------
// Hostile release listings

#[test]
fn an_enormous_release_listing_is_refused() {
    let s = Session::usual();
    // One byte over the 64 MiB cap: a JSON array that never ends.
    let mut body = vec![b' '; (64 << 20) + 1];
    body[0] = b'[';
    s.server.put("/listing.json", body);

    let output = s
        .gvmr()
        .args(["install", "1.22"])
        .assert()
        .code(4)
        .stdout("")
        .get_output()
        .clone();
    let stderr = crate::support::stderr_of(&output);
    assert!(
        stderr.contains(&format!(
            "{}: the response is larger than 67108864 bytes",
            s.index_url()
        )),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    s.assert_nothing_installed();
    assert_eq!(s.server.count(PATH), 0);
}

#[test]
fn a_listing_giving_another_platforms_checksum_is_refused() {
    let s = Session::new();
    let linux = s.publish("go1.22.5");
    let darwin = s.publish_platform(
        "go1.22.5",
        "darwin",
        "arm64",
        fake_go_archive("go1.22.5-darwin"),
    );
    // The listing swaps the two archives' checksums.
    let mut releases = s.releases();
    for file in &mut releases[0].files {
        file.sha256 = if file.sha256 == linux.sha256_hex {
            darwin.sha256_hex.clone()
        } else {
            linux.sha256_hex.clone()
        };
    }
    s.server.put("/listing.json", listing_json(&releases));

    install_fails(
        &s,
        5,
        &[
            &format!("error: checksum mismatch for {FILE}"),
            &format!(
                "  expected: {} (from {})",
                darwin.sha256_hex,
                s.listing_source()
            ),
            &format!("  actual:   {}", sha256_hex(&linux.archive)),
            "hint: do not use this archive",
        ],
    );
    assert!(s.downloads().is_empty(), "a bad archive is not kept");
}
