//! Every user-facing error, snapshotted whole: the message, the hint and the
//! exit code, as a user sees them (paths, ports, key ids and dates
//! normalised). A change to any of them shows up as a snapshot diff to
//! review (`cargo insta review`). The behaviour behind each one (nothing
//! installed, caches untouched, …) is tested where the feature is.

use crate::assert_transcript;
use crate::support::keys::TestKey;
use crate::support::mirror::ArchiveBuilder;
use crate::support::server::Fault;
use crate::support::{PATH, Session};
use std::process::Output;

/// go1.22.5 and go1.21.0 published and listed.
fn session() -> Session {
    Session::with_releases(&["go1.22.5", "go1.21.0"])
}

/// Runs `gvmr ARGS` with `vars` set, expecting exit `code`.
#[track_caller]
fn gvmr(s: &Session, code: i32, args: &[&str], vars: &[(&str, &str)]) -> Output {
    let mut cmd = s.gvmr();
    cmd.args(args);
    for (name, value) in vars {
        cmd.env(name, value);
    }
    let output = cmd.output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(code),
        "gvmr {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

#[test]
fn usage_errors() {
    let s = session();
    assert_transcript!(s, gvmr(&s, 2, &["install", "1.x"], &[]), @r#"
    exit: 2
    --- stdout
    --- stderr
    error: "1.x" is not a Go version (expected e.g. 1.22.5, go1.22.5, 1.22, 1.23rc1 or latest)
    "#);
    assert_transcript!(s, gvmr(&s, 2, &[
            "install",
            "--archive",
            "go1.22.5.linux-amd64.tar.gz",
            "1.22.5",
            "1.21.0",
        ],
        &[],
    ), @"
    exit: 2
    --- stdout
    --- stderr
    error: --archive installs one version
    ");
    assert_transcript!(s, gvmr(&s, 2, &["install", "--archive", "go.tar.gz"],
        &[],
    ), @"
    exit: 2
    --- stdout
    --- stderr
    warning: GVMR_KEYRING is set: trusting the keys in [ROOT]/keyring.asc instead of the Go release signing key built into gvmr
    error: go.tar.gz is not named like a Go release archive (e.g. go1.22.5.linux-amd64.tar.gz)
    hint: gvmr reads the version and platform from the archive's name: keep the name Go gave it
    ");
    assert_transcript!(s, gvmr(&s, 2, &["install", "1.22.5"],
        &[("GVMR_RETRIES", "many")],
    ), @r#"
    exit: 2
    --- stdout
    --- stderr
    warning: GVMR_KEYRING is set: trusting the keys in [ROOT]/keyring.asc instead of the Go release signing key built into gvmr
    error: GVMR_RETRIES must be a whole number from 0 to 10, not "many"
    "#);
    assert_transcript!(s, gvmr(&s, 2, &["use", "1.22.5"],
        &[("GVMR_SOURCE", "usb")],
    ), @r#"
    exit: 2
    --- stdout
    --- stderr
    error: GVMR_SOURCE must be archive, proxy or auto, not "usb"
    "#);
    // Timeouts that do not parse are errors, never a silent default.
    assert_transcript!(s, gvmr(&s, 2, &["install", "1.22.5"],
        &[("GVMR_CONNECT_TIMEOUT", "abc")],
    ), @r#"
    exit: 2
    --- stdout
    --- stderr
    warning: GVMR_KEYRING is set: trusting the keys in [ROOT]/keyring.asc instead of the Go release signing key built into gvmr
    error: GVMR_CONNECT_TIMEOUT must be a positive number of seconds (e.g. 30 or 2.5), not "abc"
    "#);
    assert_transcript!(s, gvmr(&s, 2, &["list-remote"],
        &[("GVMR_HTTP_TIMEOUT", "-1")],
    ), @r#"
    exit: 2
    --- stdout
    --- stderr
    error: GVMR_HTTP_TIMEOUT must be a positive number of seconds (e.g. 30 or 2.5), not "-1"
    "#);
    assert_transcript!(s, gvmr(&s, 2, &["install", "--source", "proxy", "1.22.5"],
        &[("GOPROXY", "ftp://x,,")],
    ), @"
    exit: 2
    --- stdout
    --- stderr
    warning: GVMR_KEYRING is set: trusting the keys in [ROOT]/keyring.asc instead of the Go release signing key built into gvmr
    error: GOPROXY=ftp://x,,: ftp://x is not an https://, http:// or file:// URL (GOPROXY from the environment)
    ");
    assert_transcript!(s, gvmr(&s, 5, &["install", "1.22.5"],
        &[("GVMR_KEY_PRIMARY", "abc")],
    ), @r#"
    exit: 5
    --- stdout
    --- stderr
    error: GVMR_KEY_PRIMARY is not a key fingerprint (40 hex digits): "abc"
    "#);
}

#[test]
fn not_found_errors() {
    let s = session();
    assert_transcript!(s, gvmr(&s, 3, &["install", "1.99"], &[]), @"
    exit: 3
    --- stdout
    --- stderr
    warning: GVMR_KEYRING is set: trusting the keys in [ROOT]/keyring.asc instead of the Go release signing key built into gvmr
    error: 1.99 is not a Go release (nearest: go1.22.5, go1.21.0)
    hint: run `gvmr list-remote --all` to see every release
    ");
    assert_transcript!(s, gvmr(&s, 3, &["install", "1.99.1"],
        &[],
    ), @"
    exit: 3
    --- stdout
    --- stderr
    warning: GVMR_KEYRING is set: trusting the keys in [ROOT]/keyring.asc instead of the Go release signing key built into gvmr
    error: go1.99.1 is not a Go release (nearest: go1.22.5, go1.21.0)
    hint: run `gvmr list-remote --all` to see every release
    ");
    assert_transcript!(s, gvmr(&s, 3, &["install", "--platform", "plan9-amd64", "1.22.5"],
        &[],
    ), @"
    exit: 3
    --- stdout
    --- stderr
    warning: GVMR_KEYRING is set: trusting the keys in [ROOT]/keyring.asc instead of the Go release signing key built into gvmr
    error: go1.22.5 has no archive for plan9-amd64 (it has: linux-amd64)
    ");
    assert_transcript!(s, gvmr(&s, 3, &["uninstall", "1.22.5"],
        &[],
    ), @"
    exit: 3
    --- stdout
    --- stderr
    error: go1.22.5 is not installed (nothing is installed)
    hint: run `gvmr list` to see what is installed
    ");
    assert_transcript!(s, gvmr(&s, 3, &["current"], &[]), @"
    exit: 3
    --- stdout
    --- stderr
    error: no Go version is selected here (no GVMR_GO_VERSION, .go-version, .tool-versions, go.work or go.mod above this directory, and no default)
    hint: run `gvmr use VERSION` in the project, or `gvmr default VERSION`
    ");
    assert_transcript!(s, gvmr(&s, 3, &["default"], &[]), @"
    exit: 3
    --- stdout
    --- stderr
    error: no default version is set; set one with `gvmr default VERSION`
    ");
    std::fs::write(s.project().join(".go-version"), "1.22.5\n").unwrap();
    assert_transcript!(s, gvmr(&s, 3, &["current"],
        &[],
    ), @"
    exit: 3
    --- stdout
    go1.22.5 (set by [ROOT]/project/.go-version)
    --- stderr
    error: go1.22.5 is selected by [ROOT]/project/.go-version but not installed; run: gvmr install 1.22.5
    ");
    // direnv runs `gvmr env` on every cd, so it never installs.
    assert_transcript!(s, gvmr(&s, 3, &["env", "--shell", "direnv", "1.21"],
        &[],
    ), @"
    exit: 3
    --- stdout
    --- stderr
    error: 1.21 is not installed (nothing is installed)
    hint: run `gvmr list` to see what is installed
    ");
    s.gvmr().args(["install", "1.22.5"]).assert().success();
    assert_transcript!(s, gvmr(&s, 3, &["exec", "--", "no-such-program-gvmr"],
        &[],
    ), @"
    exit: 3
    --- stdout
    --- stderr
    error: cannot run no-such-program-gvmr: No such file or directory (os error 2)
    hint: check the command's name; it is looked up on PATH with the toolchain's bin directory first
    ");
}

#[test]
fn version_file_errors() {
    let s = session();
    std::fs::write(s.project().join(".go-version"), "banana\n").unwrap();
    assert_transcript!(s, gvmr(&s, 2, &["current"], &[]), @r#"
    exit: 2
    --- stdout
    --- stderr
    error: [ROOT]/project/.go-version:1: "banana" is not a Go version (expected e.g. 1.22.5, go1.22.5, 1.22 or latest)
    hint: fix the file (one version such as 1.22.5), or override it with GVMR_GO_VERSION
    "#);
    assert_transcript!(s, gvmr(&s, 2, &["current"],
        &[("GVMR_GO_VERSION", "1.x")],
    ), @r#"
    exit: 2
    --- stdout
    --- stderr
    error: GVMR_GO_VERSION: "1.x" is not a Go version (expected e.g. 1.22.5, go1.22.5, 1.22 or latest)
    hint: fix the file (one version such as 1.22.5), or override it with GVMR_GO_VERSION
    "#);
    std::fs::write(s.project().join(".go-version"), "").unwrap();
    std::fs::remove_file(s.project().join(".go-version")).unwrap();
    std::fs::write(s.project().join("go.mod"), "module m\n\ngo banana\n").unwrap();
    assert_transcript!(s, gvmr(&s, 2, &["current"], &[]), @r#"
    exit: 2
    --- stdout
    --- stderr
    error: [ROOT]/project/go.mod:3: "banana" is not a Go version (expected e.g. 1.22 or 1.22.5)
    hint: fix the file (one version such as 1.22.5), or override it with GVMR_GO_VERSION
    "#);
}

#[test]
fn network_errors() {
    let s = session();
    let fast = [("GVMR_RETRIES", "0")];
    s.server.fault(PATH, Fault::Status(500));
    assert_transcript!(s, gvmr(&s, 4, &["install", "1.22.5"],
        &fast,
    ), @"
    exit: 4
    --- stdout
    --- stderr
    warning: GVMR_KEYRING is set: trusting the keys in [ROOT]/keyring.asc instead of the Go release signing key built into gvmr
    error: cannot download go1.22.5.linux-amd64.tar.gz: every mirror failed:
      - [SERVER]/dl/go1.22.5.linux-amd64.tar.gz: HTTP 500 (1 attempt)
    hint: check your network or proxy (HTTPS_PROXY) and GVMR_MIRROR (`gvmr mirrors --check` tests each source), then run the command again
    ");
    s.server.clear_fault(PATH);
    s.server.fault("/listing.json", Fault::Status(503));
    // A fresh home: no cached listing to fall back on.
    s.clear_home();
    assert_transcript!(s, gvmr(&s, 4, &["install", "1.22"],
        &fast,
    ), @"
    exit: 4
    --- stdout
    --- stderr
    warning: GVMR_KEYRING is set: trusting the keys in [ROOT]/keyring.asc instead of the Go release signing key built into gvmr
    error: cannot resolve 1.22 without the release listing: cannot fetch the release listing: [SERVER]/listing.json: HTTP 503
    hint: check your network or proxy (HTTPS_PROXY), or GVMR_INDEX_URL (`gvmr mirrors --check` tests each source); an exact version (e.g. 1.22.5) installs without the listing when the downloads cache or a mirror has its .sha256
    ");
    assert_transcript!(s, gvmr(&s, 4, &["list-remote"],
        &fast,
    ), @"
    exit: 4
    --- stdout
    --- stderr
    error: cannot fetch the release listing: [SERVER]/listing.json: HTTP 503
    hint: check your network or proxy (HTTPS_PROXY), or GVMR_INDEX_URL (`gvmr mirrors --check` tests each source); an exact version (e.g. 1.22.5) installs without the listing when the downloads cache or a mirror has its .sha256
    ");
}

#[test]
fn verification_errors() {
    let s = session();
    let archive = s.server.get(PATH).unwrap();

    let mut tampered = archive.clone();
    let last = tampered.len() - 1;
    tampered[last] ^= 1;
    s.server.put(PATH, tampered);
    assert_transcript!(s, gvmr(&s, 5, &["install", "1.22.5"],
        &[],
    ), @"
    exit: 5
    --- stdout
    --- stderr
    warning: GVMR_KEYRING is set: trusting the keys in [ROOT]/keyring.asc instead of the Go release signing key built into gvmr
    error: checksum mismatch for go1.22.5.linux-amd64.tar.gz
      expected: [SHA256] (from release listing at [SERVER]/listing.json)
      actual:   [SHA256]
    The file is corrupt or was tampered with; nothing was installed.
    hint: do not use this archive; if a mirror serves it, report it to the mirror's operator
    ");
    s.server.put(PATH, archive.clone());

    let asc = s.server.get(&format!("{PATH}.asc")).unwrap();
    s.server.remove(&format!("{PATH}.asc"));
    assert_transcript!(s, gvmr(&s, 5, &["install", "1.22.5"],
        &[],
    ), @"
    exit: 5
    --- stdout
    --- stderr
    warning: GVMR_KEYRING is set: trusting the keys in [ROOT]/keyring.asc instead of the Go release signing key built into gvmr
    error: no signature for go1.22.5.linux-amd64.tar.gz: no mirror has go1.22.5.linux-amd64.tar.gz.asc:
      - [SERVER]/dl/go1.22.5.linux-amd64.tar.gz.asc: HTTP 404
    hint: gvmr needs a mirror that copies Go's signatures (<archive>.asc beside each archive; the official and china presets do): add one to GVMR_MIRROR, or install with --skip-signature (not recommended)
    ");
    s.server
        .put(&format!("{PATH}.asc"), s.key.sign_detached(b"other data"));
    assert_transcript!(s, gvmr(&s, 5, &["install", "1.22.5"],
        &[],
    ), @"
    exit: 5
    --- stdout
    --- stderr
    warning: GVMR_KEYRING is set: trusting the keys in [ROOT]/keyring.asc instead of the Go release signing key built into gvmr
    error: the OpenPGP signature of go1.22.5.linux-amd64.tar.gz ([SERVER]/dl/go1.22.5.linux-amd64.tar.gz.asc) is not valid: made by key [FINGERPRINT], but it does not match this file (the file or the signature was altered): Message has been manipulated
    hint: do not use this archive; if a mirror serves it, report it to the mirror's operator
    ");
    s.server.put(&format!("{PATH}.asc"), asc);

    let other = TestKey::generate("Someone Else <x@example.org>");
    let other_keyring = s.root().join("other.asc");
    other.write_keyring(&other_keyring);
    assert_transcript!(s, gvmr(&s, 5, &["install", "1.22.5"],
        &[("GVMR_KEYRING", other_keyring.to_str().unwrap())],
    ), @"
    exit: 5
    --- stdout
    --- stderr
    warning: GVMR_KEYRING is set: trusting the keys in [ROOT]/other.asc instead of the Go release signing key built into gvmr
    error: the OpenPGP signature of go1.22.5.linux-amd64.tar.gz ([SERVER]/dl/go1.22.5.linux-amd64.tar.gz.asc) is not valid: made by key [FINGERPRINT], which is not a trusted Go release signing key
    hint: do not use this archive; if a mirror serves it, report it to the mirror's operator
    ");
    std::fs::write(s.root().join("junk.asc"), "not a keyring").unwrap();
    assert_transcript!(s, gvmr(&s, 5, &["install", "1.22.5"],
        &[(
            "GVMR_KEYRING",
            s.root().join("junk.asc").to_str().unwrap(),
        )],
    ), @r#"
    exit: 5
    --- stdout
    --- stderr
    error: cannot read the keyring [ROOT]/junk.asc (from GVMR_KEYRING): Reading "[ROOT]/junk.asc": EOF
    "#);

    // Not in the listing and no .sha256 anywhere (a fresh home: no cached
    // listing).
    s.clear_home();
    s.server.fault("/listing.json", Fault::Status(404));
    s.server.remove(&format!("{PATH}.sha256"));
    assert_transcript!(s, gvmr(&s, 5, &["install", "1.22.5"], &[]), @"
    exit: 5
    --- stdout
    --- stderr
    warning: GVMR_KEYRING is set: trusting the keys in [ROOT]/keyring.asc instead of the Go release signing key built into gvmr
    warning: cannot fetch the release listing: [SERVER]/listing.json: HTTP 404; trying the mirror's checksum file
    error: no checksum for go1.22.5.linux-amd64.tar.gz: it is not in the release listing, and no mirror has a .sha256 for it:
      - [SERVER]/dl/go1.22.5.linux-amd64.tar.gz.sha256: HTTP 404
    ");
}

#[test]
fn archive_and_file_system_errors() {
    let s = Session::new();
    let hostile = ArchiveBuilder::new()
        .dir("go/")
        .file("go/VERSION", "go1.22.5", 0o644)
        .symlink("go/bin", "/usr/bin")
        .build_tar_gz();
    s.publish_archive("go1.22.5", hostile);
    assert_transcript!(s, gvmr(&s, 6, &["install", "1.22.5"],
        &[],
    ), @r#"
    exit: 6
    --- stdout
    --- stderr
    warning: GVMR_KEYRING is set: trusting the keys in [ROOT]/keyring.asc instead of the Go release signing key built into gvmr
    Verified sha256 [SHA256] (release listing at [SERVER]/listing.json) and OpenPGP signature (Test Go Releases <go@example.org>, key [KEY]…, made [DATE])
    error: cannot unpack go1.22.5.linux-amd64.tar.gz: entry "go/bin" is a symbolic link; Go archives hold only files and directories
    hint: the archive passed verification but is not a Go release archive; report it
    "#);

    let file_home = s.root().join("a-file");
    std::fs::write(&file_home, "").unwrap();
    assert_transcript!(s, gvmr(&s, 7, &["install", "1.22.5"],
        &[("GVMR_HOME", file_home.to_str().unwrap())],
    ), @"
    exit: 7
    --- stdout
    --- stderr
    warning: GVMR_KEYRING is set: trusting the keys in [ROOT]/keyring.asc instead of the Go release signing key built into gvmr
    error: cannot create [ROOT]/a-file/locks: Not a directory (os error 20)
    hint: check the data directory (GVMR_HOME) and try again
    ");
    let output = s
        .gvmr()
        .env_remove("GVMR_HOME")
        .env_remove("HOME")
        .arg("list")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(7));
    assert_transcript!(s, output, @"
    exit: 7
    --- stdout
    --- stderr
    error: cannot find a data directory: set GVMR_HOME (or HOME)
    ");

    // The working directory vanished under the shell.
    let gone = s.root().join("gone");
    std::fs::create_dir(&gone).unwrap();
    let script = format!(
        "cd '{0}' && rmdir '{0}' && exec '{1}' current",
        gone.display(),
        env!("CARGO_BIN_EXE_gvmr")
    );
    let output = s.command("sh").args(["-c", &script]).output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(7),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_transcript!(s, output, @"
    exit: 7
    --- stdout
    --- stderr
    error: cannot read the current directory: No such file or directory (os error 2)
    hint: cd to a directory that exists, then run the command again
    ");
}

#[test]
fn shim_binary_missing() {
    let s = session();
    // A gvmr with no gvmr-shim beside it.
    let lonely = s.root().join("bin");
    std::fs::create_dir(&lonely).unwrap();
    std::fs::copy(env!("CARGO_BIN_EXE_gvmr"), lonely.join("gvmr")).unwrap();
    let output = s
        .command(lonely.join("gvmr"))
        .arg("shims")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3));
    assert_transcript!(s, output, @"
    exit: 3
    --- stdout
    --- stderr
    error: [ROOT]/bin/gvmr-shim is missing, so the go/gofmt shims cannot be made; install it beside gvmr with `cargo install --locked --path shims` (see the README)
    ");
}

#[test]
fn key_update_errors() {
    let s = session();
    let url = s.server.url("/no-such-key.asc");
    assert_transcript!(s, gvmr(&s, 4, &["keys", "update", "--url", &url],
        &[],
    ), @"
    exit: 4
    --- stdout
    --- stderr
    Fetching the Go release signing key from [SERVER]/no-such-key.asc
    error: cannot fetch the Go release key: [SERVER]/no-such-key.asc: HTTP 404
    hint: check your network or proxy (HTTPS_PROXY), or give the key file's URL with --url
    ");
    s.server.put("/garbage.asc", "not a key");
    let url = s.server.url("/garbage.asc");
    assert_transcript!(s, gvmr(&s, 5, &["keys", "update", "--url", &url],
        &[],
    ), @"
    exit: 5
    --- stdout
    --- stderr
    Fetching the Go release signing key from [SERVER]/garbage.asc
    error: the key file from [SERVER]/garbage.asc is not an OpenPGP certificate: unexpected EOF
    ");
}
