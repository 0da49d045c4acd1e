//! `gvmr self update`: a test build of gvmr (this debug binary, hard-linked
//! into a bin directory of its own) replaces itself with the release
//! scripts/dist.sh built, served on loopback and signed by a throwaway
//! key; tampered releases, wrong keys, a build without a key, downgrades
//! and the copies of package managers and cargo are refused, and a kill at
//! any step leaves a gvmr that runs.

use crate::support::release::{self, Dist, MinisignKey};
use crate::support::server::{Fault, TestServer};
use crate::support::{spawn, stderr_of, stdout_of, wait_with_timeout};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const GVMR: &str = env!("CARGO_BIN_EXE_gvmr");

/// The version the test build claims to be (GVMR_TEST_SELF_VERSION), so
/// the release of this checkout is newer.
const OLD: &str = "0.0.1";

/// A gvmr installed by hand (as get.sh would) in `root/bin`, with its
/// data directory, and the release on a loopback server.
struct Copy {
    root: tempfile::TempDir,
    server: TestServer,
    dist: &'static Dist,
}

impl Copy {
    fn new() -> Copy {
        Copy::at("bin")
    }

    /// The test build at `root/<bin>/gvmr`, gvmr-shim beside it.
    fn at(bin: &str) -> Copy {
        let dist = release::dist();
        let server = TestServer::start();
        release::serve(&server, &dist.files(), &dist.version, true);
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join(bin);
        std::fs::create_dir_all(&dir).unwrap();
        for (from, name) in [
            (PathBuf::from(GVMR), "gvmr"),
            (Path::new(GVMR).with_file_name("gvmr-shim"), "gvmr-shim"),
        ] {
            // A hard link: the update renames over it, never writes into it.
            std::fs::hard_link(&from, dir.join(name))
                .or_else(|_| std::fs::copy(&from, dir.join(name)).map(|_| ()))
                .unwrap();
        }
        std::fs::create_dir_all(root.path().join("user")).unwrap();
        Copy { root, server, dist }
    }

    fn bin(&self) -> PathBuf {
        self.root.path().join("bin")
    }

    fn home(&self) -> PathBuf {
        self.root.path().join("home")
    }

    /// `EXE ARGS` with this copy's environment: its data directory, the
    /// release server, the test key, and the old version it claims.
    fn command(&self, exe: &Path, args: &[&str]) -> Command {
        let mut cmd = Command::new(exe);
        cmd.args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.root.path().join("user"))
            .env("GVMR_HOME", self.home())
            .env("GVMR_UPDATE_BASE", release::base(&self.server))
            .env("GVMR_UPDATE_KEY", &self.dist.key.public_file)
            .env("GVMR_TEST_SELF_VERSION", OLD)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        cmd
    }

    fn gvmr(&self, args: &[&str]) -> Command {
        self.command(&self.bin().join("gvmr"), args)
    }

    fn run(&self, mut cmd: Command) -> Output {
        wait_with_timeout(spawn(&mut cmd), Duration::from_secs(180), "gvmr")
    }

    /// Asserts that `bin/` still holds the test build, which runs.
    #[track_caller]
    fn assert_unchanged(&self) {
        for (name, original) in [
            ("gvmr", PathBuf::from(GVMR)),
            ("gvmr-shim", Path::new(GVMR).with_file_name("gvmr-shim")),
        ] {
            let now = std::fs::metadata(self.bin().join(name)).unwrap();
            let was = std::fs::metadata(original).unwrap();
            assert_eq!(
                (now.ino(), now.len()),
                (was.ino(), was.len()),
                "{name} was replaced"
            );
        }
        let version = self.run(self.gvmr(&["--version"]));
        assert!(version.status.success());
        assert_eq!(
            stdout_of(&version),
            format!(
                "gvmr {} ({})\n",
                env!("CARGO_PKG_VERSION"),
                env!("GVMR_TARGET")
            )
        );
        assert_eq!(
            crate::support::dir_names(&self.bin()),
            ["gvmr", "gvmr-shim"]
        );
    }

    /// Asserts that `bin/` holds the release, which runs, and so do the
    /// shims when there are some.
    #[track_caller]
    fn assert_updated(&self) {
        for name in ["gvmr", "gvmr-shim"] {
            assert!(
                std::fs::read(self.bin().join(name)).unwrap() == self.dist.archive_member(name),
                "{name} is not the release's"
            );
        }
        let version = self.run(self.gvmr(&["--version"]));
        assert!(
            stdout_of(&version).starts_with(&format!("gvmr {} (commit ", self.dist.version)),
            "{}",
            stdout_of(&version)
        );
        assert_eq!(
            crate::support::dir_names(&self.bin()),
            ["gvmr", "gvmr-shim"]
        );
    }

    /// `text` with what changes between runs masked, for snapshots.
    fn masked(&self, text: &str) -> String {
        let sig = String::from_utf8(self.dist.file("SHA256SUMS.sig")).unwrap();
        let comment = sig
            .lines()
            .nth(2)
            .unwrap()
            .trim_start_matches("trusted comment: ");
        text.replace(comment, "[TRUSTED COMMENT]")
            .replace(
                &self.dist.key.public_file.display().to_string(),
                "[KEY FILE]",
            )
            .replace(&self.root.path().display().to_string(), "[ROOT]")
            .replace(&self.server.base(), "[SERVER]")
            .replace(&self.dist.key.id, "[KEY]")
            .replace(&format!("gvmr {} ", self.dist.version), "gvmr [VERSION] ")
            .replace(
                &format!("is {}, older", self.dist.version),
                "is [VERSION], older",
            )
            .replace(&format!("--to {}`", self.dist.version), "--to [VERSION]`")
    }
}

/// An error run: exit `code`, `needle` in stderr, nothing on stdout.
#[track_caller]
fn fails(output: &Output, code: i32, needle: &str) -> String {
    let stderr = stderr_of(output);
    assert_eq!(output.status.code(), Some(code), "{stderr}");
    assert!(stderr.contains(needle), "{needle:?} not in:\n{stderr}");
    assert_eq!(stdout_of(output), "");
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr
}

#[test]
fn updates_gvmr_its_shim_and_the_shims_to_the_signed_release() {
    let copy = Copy::new();
    let dist = copy.dist;
    let shims = copy.run(copy.gvmr(&["shims"]));
    assert!(shims.status.success(), "{}", stderr_of(&shims));

    let check = copy.run(copy.gvmr(&["self", "update", "--check"]));
    assert_eq!(check.status.code(), Some(10), "{}", stderr_of(&check));
    assert_eq!(
        stdout_of(&check),
        format!(
            "gvmr {} is available (this is {OLD}): `gvmr self update` installs it\n",
            dist.version
        )
    );
    assert!(
        copy.server.count(&format!(
            "/releases/latest/download/{}",
            dist.archive_name()
        )) == 0
    );

    let update = copy.run(copy.gvmr(&["self", "update"]));
    let stderr = stderr_of(&update);
    assert!(update.status.success(), "{stderr}");
    let base = release::base(&copy.server);
    for line in [
        format!(
            "warning: GVMR_UPDATE_KEY is set: trusting the keys in {} instead of the release key built into gvmr",
            dist.key.public_file.display()
        ),
        format!(
            "Verified the signature of {base}/latest/download/SHA256SUMS (key {}: gvmr {} SHA256SUMS, commit ",
            dist.key.id, dist.version
        ),
        format!(
            "Updated gvmr {OLD} → {} in {}",
            dist.version,
            copy.bin().join("gvmr").display()
        ),
    ] {
        assert!(
            stderr.lines().any(|l| l.starts_with(&line)),
            "{line:?} not in:\n{stderr}"
        );
    }
    assert!(
        stderr.contains(&format!(
            "of {} (listed in the signed SHA256SUMS)",
            dist.archive_name()
        )),
        "{stderr}"
    );
    copy.assert_updated();
    let shim = dist.archive_member("gvmr-shim");
    for tool in ["go", "gofmt"] {
        assert!(
            std::fs::read(copy.home().join("shims").join(tool)).unwrap() == shim,
            "the {tool} shim was not updated"
        );
    }

    // The release itself (no GVMR_TEST_SELF_VERSION in release builds) is
    // the newest: nothing to do.
    let again = copy.run(copy.gvmr(&["self", "update", "--check"]));
    assert!(again.status.success(), "{}", stderr_of(&again));
    assert_eq!(
        stdout_of(&again),
        format!("gvmr {} is the newest release; this is it\n", dist.version)
    );
}

#[test]
fn tampered_releases_are_refused_and_the_old_gvmr_kept() {
    let copy = Copy::new();
    let dist = copy.dist;
    let latest = |name: &str| format!("/releases/latest/download/{name}");
    let archive = dist.archive_name();

    copy.server
        .put(&latest(&archive), release::tampered(&dist.file(&archive)));
    let stderr = fails(
        &copy.run(copy.gvmr(&["self", "update"])),
        5,
        &format!("checksum mismatch for {archive}"),
    );
    assert!(
        stderr.contains(&format!(
            "(from {}/latest/download/SHA256SUMS)",
            release::base(&copy.server)
        )),
        "{stderr}"
    );
    copy.assert_unchanged();
    copy.server.put(&latest(&archive), dist.file(&archive));

    let sums = dist.file("SHA256SUMS");
    copy.server
        .put(&latest("SHA256SUMS"), release::tampered(&sums));
    fails(
        &copy.run(copy.gvmr(&["self", "update"])),
        5,
        "/latest/download/SHA256SUMS is not valid: the signature does not match the file",
    );
    copy.server.put(&latest("SHA256SUMS"), sums);

    copy.server.put(
        &latest("manifest.json"),
        release::tampered(&dist.file("manifest.json")),
    );
    fails(
        &copy.run(copy.gvmr(&["self", "update", "--check"])),
        5,
        "cannot be trusted: manifest.json does not match its checksum in SHA256SUMS",
    );
    copy.server
        .put(&latest("manifest.json"), dist.file("manifest.json"));

    copy.server.remove(&latest("SHA256SUMS.sig"));
    fails(
        &copy.run(copy.gvmr(&["self", "update"])),
        4,
        "SHA256SUMS.sig: ",
    );
    copy.assert_unchanged();
}

#[test]
fn a_key_that_did_not_sign_the_release_is_refused() {
    let copy = Copy::new();
    let other = MinisignKey::generate(&copy.root.path().join("keys"), "other");
    let mut cmd = copy.gvmr(&["self", "update"]);
    cmd.env("GVMR_UPDATE_KEY", &other.public_file);
    let output = copy.run(cmd);
    let stderr = fails(
        &output,
        5,
        &format!(
            "the signature was made by key {}, which is not trusted (trusted: {})",
            copy.dist.key.id, other.id
        ),
    );
    assert!(
        stderr.contains("hint: nothing was replaced; do not use this release"),
        "{stderr}"
    );
    copy.assert_unchanged();

    let not_a_key = copy.root.path().join("not-a-key");
    std::fs::write(&not_a_key, "hello\n").unwrap();
    let mut cmd = copy.gvmr(&["self", "update"]);
    cmd.env("GVMR_UPDATE_KEY", &not_a_key);
    fails(
        &copy.run(cmd),
        5,
        "(from GVMR_UPDATE_KEY): not a minisign public key",
    );
}

#[test]
fn a_build_without_a_release_key_refuses_before_asking_the_network() {
    let copy = Copy::new();
    let mut cmd = copy.gvmr(&["self", "update"]);
    cmd.env_remove("GVMR_UPDATE_KEY");
    let output = copy.run(cmd);
    fails(&output, 5, "this gvmr has no release signing key built in");
    snapshot("self-update-no-key", &output, |t| copy.masked(t));
    assert!(
        copy.server.requests().is_empty(),
        "{:?}",
        copy.server.requests()
    );
    copy.assert_unchanged();
}

#[test]
fn a_downgrade_needs_to_and_to_takes_a_published_version() {
    let copy = Copy::new();
    let mut cmd = copy.gvmr(&["self", "update"]);
    cmd.env("GVMR_TEST_SELF_VERSION", "99.0.0");
    let output = copy.run(cmd);
    fails(&output, 2, "older than this gvmr (99.0.0): not downgrading");
    snapshot("self-update-downgrade", &output, |t| copy.masked(t));
    copy.assert_unchanged();
    let mut cmd = copy.gvmr(&["self", "update", "--check"]);
    cmd.env("GVMR_TEST_SELF_VERSION", "99.0.0");
    let output = copy.run(cmd);
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert_eq!(
        stdout_of(&output),
        format!(
            "gvmr {} is the newest release; this gvmr (99.0.0) is newer\n",
            copy.dist.version
        )
    );

    let output = copy.run(copy.gvmr(&["self", "update", "--to", "5.0.0"]));
    fails(
        &output,
        3,
        &format!(
            "gvmr 5.0.0 is not published at {}/download/v5.0.0",
            release::base(&copy.server)
        ),
    );
    let output = copy.run(copy.gvmr(&["self", "update", "--to", "five"]));
    fails(&output, 2, "five is not a gvmr version");

    let mut cmd = copy.gvmr(&["self", "update", "--to", &format!("v{}", copy.dist.version)]);
    cmd.env("GVMR_TEST_SELF_VERSION", "99.0.0");
    let output = copy.run(cmd);
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert!(
        copy.server.requests().iter().any(|r| r
            == &format!(
                "GET /releases/download/v{}/{}",
                copy.dist.version,
                copy.dist.archive_name()
            )),
        "{:?}",
        copy.server.requests()
    );
    copy.assert_updated();
    let output = copy.run(copy.gvmr(&["self", "update", "--to", &copy.dist.version]));
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert_eq!(
        stdout_of(&output),
        format!("this gvmr is {} already\n", copy.dist.version)
    );
}

#[test]
fn a_partial_download_of_a_release_no_longer_wanted_does_not_stay() {
    let copy = Copy::new();
    // 0.0.2 is the newest, but its archive arrives cut short, every time.
    let files = release::handmade(
        "0.0.2",
        &copy.dist.target,
        &fake_gvmr("0.0.2", true),
        b"#!/bin/sh\nexit 0\n",
        &copy.dist.key,
    );
    release::serve(&copy.server, &files, "0.0.2", true);
    let archive = format!("gvmr-0.0.2-{}.tar.gz", copy.dist.target);
    copy.server.fault(
        &format!("/releases/latest/download/{archive}"),
        Fault::Truncate(10),
    );
    let output = copy.run(copy.gvmr(&["self", "update"]));
    assert_ne!(output.status.code(), Some(0), "{}", stderr_of(&output));
    assert_eq!(
        crate::support::dir_names(&copy.bin().join(".gvmr-update")),
        [format!("{archive}.partial")],
        "the partial download is kept to resume: {}",
        stderr_of(&output)
    );
    // Then another release is the newest: the old partial goes.
    release::serve(&copy.server, &copy.dist.files(), &copy.dist.version, true);
    let output = copy.run(copy.gvmr(&["self", "update"]));
    assert!(output.status.success(), "{}", stderr_of(&output));
    copy.assert_updated();
}

/// A gvmr that answers `--version` as gvmr `version` only while it is in
/// `.gvmr-update/` (when `in_staging`), or that never does.
fn fake_gvmr(version: &str, in_staging: bool) -> Vec<u8> {
    let answer = format!("echo 'gvmr {version} (commit 000000000000, fake)'");
    if in_staging {
        format!("#!/bin/sh\ncase $0 in */.gvmr-update/*) {answer} ;; *) exit 3 ;; esac\n")
            .into_bytes()
    } else {
        b"#!/bin/sh\necho 'not gvmr'\nexit 1\n".to_vec()
    }
}

#[test]
fn a_new_gvmr_that_does_not_run_is_not_kept() {
    // Releases made with the real `minisign -S` (signatures gvmr did not make).
    for (in_staging, needle) in [
        (
            false,
            "`gvmr --version` exit status: 1 and said \"not gvmr\", not \"gvmr 0.0.2\"",
        ),
        (
            true,
            "`gvmr --version` exit status: 3 and said \"\", not \"gvmr 0.0.2\"",
        ),
    ] {
        let copy = Copy::new();
        let files = release::handmade(
            "0.0.2",
            &copy.dist.target,
            &fake_gvmr("0.0.2", in_staging),
            b"#!/bin/sh\nexit 0\n",
            &copy.dist.key,
        );
        release::serve(&copy.server, &files, "0.0.2", true);
        let output = copy.run(copy.gvmr(&["self", "update"]));
        let stderr = fails(
            &output,
            6,
            &format!(
                "the new gvmr 0.0.2 does not work here ({needle}); {} was left as it was",
                copy.bin().join("gvmr").display()
            ),
        );
        assert!(stderr.contains("Verified the signature of"), "{stderr}");
        // Put back: both binaries (the shim had been replaced too).
        copy.assert_unchanged();
    }
}

#[test]
fn a_kill_at_any_step_leaves_a_gvmr_that_runs() {
    for point in ["download", "staged", "backup", "replaced", "shims"] {
        let copy = Copy::new();
        let shims = copy.run(copy.gvmr(&["shims"]));
        assert!(shims.status.success());
        let marker = copy.root.path().join("paused");
        let mut cmd = copy.gvmr(&["self", "update"]);
        cmd.env("GVMR_TEST_PAUSE_AT", format!("self-update-{point}"))
            .env("GVMR_TEST_PAUSE_MARKER", &marker);
        let mut child = spawn(&mut cmd);
        let deadline = Instant::now() + Duration::from_secs(120);
        while !marker.exists() {
            if let Ok(Some(status)) = child.try_wait() {
                panic!("{point}: the update ended ({status}) before the pause");
            }
            assert!(Instant::now() < deadline, "{point}: never paused");
            std::thread::sleep(Duration::from_millis(20));
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();

        let version = copy.run(copy.gvmr(&["--version"]));
        assert!(version.status.success(), "{point}: {}", stderr_of(&version));
        assert!(stdout_of(&version).starts_with("gvmr "), "{point}");
        for tool in ["go", "gofmt"] {
            assert!(
                copy.home().join("shims").join(tool).is_file(),
                "{point}: {tool}"
            );
        }
        // The next update finishes the job (or finds nothing left to do).
        let again = copy.run(copy.gvmr(&["self", "update"]));
        assert!(again.status.success(), "{point}: {}", stderr_of(&again));
        copy.assert_updated();
    }
}

#[test]
fn two_updates_do_not_run_at_once() {
    let copy = Copy::new();
    let marker = copy.root.path().join("paused");
    let mut first = copy.gvmr(&["self", "update"]);
    first
        .env("GVMR_TEST_PAUSE_AT", "self-update-download")
        .env("GVMR_TEST_PAUSE_MARKER", &marker);
    let mut first = spawn(&mut first);
    let deadline = Instant::now() + Duration::from_secs(120);
    while !marker.exists() {
        assert!(Instant::now() < deadline, "the first update never paused");
        std::thread::sleep(Duration::from_millis(20));
    }
    let second = copy.run(copy.gvmr(&["self", "update"]));
    fails(
        &second,
        7,
        &format!(
            "another `gvmr self update` is running (it holds {})",
            copy.home().join("locks/self-update.lock").display()
        ),
    );
    first.kill().unwrap();
    first.wait().unwrap();
    let third = copy.run(copy.gvmr(&["self", "update"]));
    assert!(third.status.success(), "{}", stderr_of(&third));
    copy.assert_updated();
}

#[test]
fn copies_of_package_managers_and_cargo_are_left_to_them() {
    let packaged = Copy::at("usr/bin");
    let marker = packaged.root.path().join("usr/share/gvmr/package-manager");
    std::fs::create_dir_all(marker.parent().unwrap()).unwrap();
    std::fs::copy(
        Path::new(release::REPO).join("packaging/deb/package-manager"),
        &marker,
    )
    .unwrap();
    let output = packaged.run(packaged.command(
        &packaged.root.path().join("usr/bin/gvmr"),
        &["self", "update"],
    ));
    fails(
        &output,
        2,
        "was installed by its Debian package, so gvmr does not replace it",
    );
    snapshot("self-update-package-manager", &output, |t| {
        packaged.masked(t)
    });
    assert!(packaged.server.requests().is_empty());

    let cargo = Copy::at(".cargo/bin");
    std::fs::write(
        cargo.root.path().join(".cargo/.crates2.json"),
        r#"{"installs":{"gvmr 0.1.0 (registry+https://github.com/rust-lang/crates.io-index)":{"bins":["gvmr"]}}}"#,
    )
    .unwrap();
    let output = cargo.run(cargo.command(
        &cargo.root.path().join(".cargo/bin/gvmr"),
        &["self", "update", "--check"],
    ));
    fails(
        &output,
        2,
        "was installed by `cargo install`, so gvmr does not replace it",
    );
    snapshot("self-update-cargo", &output, |t| cargo.masked(t));
    assert!(cargo.server.requests().is_empty());
}

/// The transcript of `output` with `mask` applied, as the snapshot `name`.
fn snapshot(name: &str, output: &std::process::Output, mask: impl Fn(&str) -> String) {
    insta::with_settings!({ omit_expression => true }, {
        insta::assert_snapshot!(name, mask(&crate::support::transcript(output)))
    })
}
