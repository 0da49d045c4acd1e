//! Every user-facing error, snapshotted whole: the message, the hint and the
//! exit code, as a user sees them (paths, ports, key ids and dates
//! normalised). A change to any of them shows up as a snapshot diff to
//! review (`cargo insta review`). The behaviour behind each one (nothing
//! installed, caches untouched, …) is tested where the feature is.

use crate::snapshot;
use crate::support::keys::TestKey;
use crate::support::mirror::{ArchiveBuilder, Mirror};
use crate::support::server::{Fault, TestServer};
use crate::support::{Env, PATH, normalize};
use std::process::Output;

fn key() -> TestKey {
    TestKey::generate("Test Go Releases <go@example.org>")
}

/// A mirror with go1.22.5 and go1.21.0 for linux-amd64, and its listing.
fn mirror<'a>(server: &'a TestServer, key: &'a TestKey) -> Mirror<'a> {
    let mut mirror = Mirror::new(server, key);
    mirror.publish("go1.22.5", true);
    mirror.publish("go1.21.0", true);
    mirror.write_listing();
    mirror
}

/// [`normalize`], plus what differs between runs of one scenario: key ids
/// and digests (runs of 16 or more hex digits, or 8 shortened with `…`)
/// and dates.
fn masked(text: &str, env: &Env, server: &TestServer) -> String {
    let text = normalize(text, env, server);
    let mut out = String::with_capacity(text.len());
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let run = chars[i..]
            .iter()
            .take_while(|c| c.is_ascii_hexdigit())
            .count();
        let is_date = chars.len() >= i + 10
            && chars[i..i + 10].iter().enumerate().all(|(k, c)| {
                if k == 4 || k == 7 {
                    *c == '-'
                } else {
                    c.is_ascii_digit()
                }
            });
        let starts_word = i == 0 || !chars[i - 1].is_ascii_alphanumeric();
        // Shortened ids (`FAB1AA24…`) count as well as whole ones.
        let shortened = run >= 8 && chars.get(i + run) == Some(&'…');
        if (run >= 16 || shortened) && starts_word {
            out.push_str("[HEX]");
            i += run;
        } else if is_date && starts_word {
            out.push_str("[DATE]");
            i += 10;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// Runs `gvmr ARGS` in `env` and snapshots what the user saw as `name`.
#[track_caller]
fn expect(
    name: &str,
    env: &Env,
    server: &TestServer,
    code: i32,
    args: &[&str],
    vars: &[(&str, &str)],
) {
    let mut cmd = env.gvmr();
    cmd.args(args);
    for (name, value) in vars {
        cmd.env(name, value);
    }
    let output: Output = cmd.output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(code),
        "{name}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    snapshot!(format!("error-{name}"), output, |t: &str| masked(
        t, env, server
    ));
}

#[test]
fn usage_errors() {
    let server = TestServer::start();
    let key = key();
    let mirror = mirror(&server, &key);
    let env = Env::new(&mirror, &key);
    expect("bad-version", &env, &server, 2, &["install", "1.x"], &[]);
    expect(
        "archive-with-two-versions",
        &env,
        &server,
        2,
        &[
            "install",
            "--archive",
            "go1.22.5.linux-amd64.tar.gz",
            "1.22.5",
            "1.21.0",
        ],
        &[],
    );
    expect(
        "archive-misnamed",
        &env,
        &server,
        2,
        &["install", "--archive", "go.tar.gz"],
        &[],
    );
    expect(
        "bad-retries",
        &env,
        &server,
        2,
        &["install", "1.22.5"],
        &[("GVMR_RETRIES", "many")],
    );
    expect(
        "bad-source",
        &env,
        &server,
        2,
        &["use", "1.22.5"],
        &[("GVMR_SOURCE", "usb")],
    );
    // Timeouts that do not parse are errors, never a silent default.
    expect(
        "bad-connect-timeout",
        &env,
        &server,
        2,
        &["install", "1.22.5"],
        &[("GVMR_CONNECT_TIMEOUT", "abc")],
    );
    expect(
        "bad-http-timeout",
        &env,
        &server,
        2,
        &["list-remote"],
        &[("GVMR_HTTP_TIMEOUT", "-1")],
    );
    expect(
        "bad-goproxy",
        &env,
        &server,
        2,
        &["install", "--source", "proxy", "1.22.5"],
        &[("GOPROXY", "ftp://x,,")],
    );
    expect(
        "bad-key-primary",
        &env,
        &server,
        5,
        &["install", "1.22.5"],
        &[("GVMR_KEY_PRIMARY", "abc")],
    );
}

#[test]
fn not_found_errors() {
    let server = TestServer::start();
    let key = key();
    let mirror = mirror(&server, &key);
    let env = Env::new(&mirror, &key);
    expect("unknown-line", &env, &server, 3, &["install", "1.99"], &[]);
    expect(
        "unknown-version",
        &env,
        &server,
        3,
        &["install", "1.99.1"],
        &[],
    );
    expect(
        "no-archive-for-platform",
        &env,
        &server,
        3,
        &["install", "--platform", "plan9-amd64", "1.22.5"],
        &[],
    );
    expect(
        "uninstall-not-installed",
        &env,
        &server,
        3,
        &["uninstall", "1.22.5"],
        &[],
    );
    expect("nothing-selected", &env, &server, 3, &["current"], &[]);
    expect("no-default", &env, &server, 3, &["default"], &[]);
    std::fs::write(env.project().join(".go-version"), "1.22.5\n").unwrap();
    expect(
        "selected-not-installed",
        &env,
        &server,
        3,
        &["current"],
        &[],
    );
    // direnv runs `gvmr env` on every cd, so it never installs.
    expect(
        "env-not-installed",
        &env,
        &server,
        3,
        &["env", "--shell", "direnv", "1.21"],
        &[],
    );
    env.gvmr().args(["install", "1.22.5"]).assert().success();
    expect(
        "exec-no-such-program",
        &env,
        &server,
        3,
        &["exec", "--", "no-such-program-gvmr"],
        &[],
    );
}

#[test]
fn version_file_errors() {
    let server = TestServer::start();
    let key = key();
    let mirror = mirror(&server, &key);
    let env = Env::new(&mirror, &key);
    std::fs::write(env.project().join(".go-version"), "banana\n").unwrap();
    expect("malformed-go-version", &env, &server, 2, &["current"], &[]);
    expect(
        "malformed-env-version",
        &env,
        &server,
        2,
        &["current"],
        &[("GVMR_GO_VERSION", "1.x")],
    );
    std::fs::write(env.project().join(".go-version"), "").unwrap();
    std::fs::remove_file(env.project().join(".go-version")).unwrap();
    std::fs::write(env.project().join("go.mod"), "module m\n\ngo banana\n").unwrap();
    expect("malformed-go-mod", &env, &server, 2, &["current"], &[]);
}

#[test]
fn network_errors() {
    let server = TestServer::start();
    let key = key();
    let mirror = mirror(&server, &key);
    let env = Env::new(&mirror, &key);
    let fast = [("GVMR_RETRIES", "0")];
    server.fault(PATH, Fault::Status(500));
    expect(
        "every-mirror-failed",
        &env,
        &server,
        4,
        &["install", "1.22.5"],
        &fast,
    );
    server.clear_fault(PATH);
    server.fault("/listing.json", Fault::Status(503));
    // A fresh home: no cached listing to fall back on.
    let env = Env::new(&mirror, &key);
    expect(
        "listing-needed",
        &env,
        &server,
        4,
        &["install", "1.22"],
        &fast,
    );
    expect(
        "listing-unreachable",
        &env,
        &server,
        4,
        &["list-remote"],
        &fast,
    );
}

#[test]
fn verification_errors() {
    let server = TestServer::start();
    let key = key();
    let mirror = mirror(&server, &key);
    let env = Env::new(&mirror, &key);
    let archive = server.get(PATH).unwrap();

    let mut tampered = archive.clone();
    let last = tampered.len() - 1;
    tampered[last] ^= 1;
    server.put(PATH, tampered);
    expect(
        "checksum-mismatch",
        &env,
        &server,
        5,
        &["install", "1.22.5"],
        &[],
    );
    server.put(PATH, archive.clone());

    let asc = server.get(&format!("{PATH}.asc")).unwrap();
    server.remove(&format!("{PATH}.asc"));
    expect(
        "signature-missing",
        &env,
        &server,
        5,
        &["install", "1.22.5"],
        &[],
    );
    server.put(&format!("{PATH}.asc"), key.sign_detached(b"other data"));
    expect(
        "signature-invalid",
        &env,
        &server,
        5,
        &["install", "1.22.5"],
        &[],
    );
    server.put(&format!("{PATH}.asc"), asc);

    let other = TestKey::generate("Someone Else <x@example.org>");
    let other_keyring = env.root().join("other.asc");
    other.write_keyring(&other_keyring);
    expect(
        "signature-unknown-key",
        &env,
        &server,
        5,
        &["install", "1.22.5"],
        &[("GVMR_KEYRING", other_keyring.to_str().unwrap())],
    );
    std::fs::write(env.root().join("junk.asc"), "not a keyring").unwrap();
    expect(
        "keyring-unreadable",
        &env,
        &server,
        5,
        &["install", "1.22.5"],
        &[(
            "GVMR_KEYRING",
            env.root().join("junk.asc").to_str().unwrap(),
        )],
    );

    // Not in the listing and no .sha256 anywhere (a fresh home: no cached
    // listing).
    let env = Env::new(&mirror, &key);
    server.fault("/listing.json", Fault::Status(404));
    server.remove(&format!("{PATH}.sha256"));
    expect("no-checksum", &env, &server, 5, &["install", "1.22.5"], &[]);
}

#[test]
fn archive_and_file_system_errors() {
    let server = TestServer::start();
    let key = key();
    let mut mirror = Mirror::new(&server, &key);
    let hostile = ArchiveBuilder::new()
        .dir("go/")
        .file("go/VERSION", "go1.22.5", 0o644)
        .symlink("go/bin", "/usr/bin")
        .build_tar_gz();
    mirror.publish_archive("go1.22.5", true, hostile);
    mirror.write_listing();
    let env = Env::new(&mirror, &key);
    expect(
        "archive-with-a-link",
        &env,
        &server,
        6,
        &["install", "1.22.5"],
        &[],
    );

    let file_home = env.root().join("a-file");
    std::fs::write(&file_home, "").unwrap();
    expect(
        "data-dir-is-a-file",
        &env,
        &server,
        7,
        &["install", "1.22.5"],
        &[("GVMR_HOME", file_home.to_str().unwrap())],
    );
    let output = env
        .gvmr()
        .env_remove("GVMR_HOME")
        .env_remove("HOME")
        .arg("list")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(7));
    snapshot!("error-no-data-dir", output, |t: &str| masked(
        t, &env, &server
    ));

    // The working directory vanished under the shell.
    let gone = env.root().join("gone");
    std::fs::create_dir(&gone).unwrap();
    let script = format!(
        "cd '{0}' && rmdir '{0}' && exec '{1}' current",
        gone.display(),
        env!("CARGO_BIN_EXE_gvmr")
    );
    let output = with_env_of(&env, "sh")
        .args(["-c", &script])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(7),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    snapshot!("error-working-dir-gone", output, |t: &str| masked(
        t, &env, &server
    ));
}

/// `program` with the environment `env.gvmr()` would have.
fn with_env_of(env: &Env, program: impl AsRef<std::ffi::OsStr>) -> std::process::Command {
    let template = env.std_gvmr();
    let mut cmd = std::process::Command::new(program);
    for (k, v) in template.get_envs() {
        match v {
            Some(v) => cmd.env(k, v),
            None => cmd.env_remove(k),
        };
    }
    cmd.current_dir(env.project());
    cmd
}

#[test]
fn shim_binary_missing() {
    let server = TestServer::start();
    let key = key();
    let mirror = mirror(&server, &key);
    let env = Env::new(&mirror, &key);
    // A gvmr with no gvmr-shim beside it.
    let lonely = env.root().join("bin");
    std::fs::create_dir(&lonely).unwrap();
    std::fs::copy(env!("CARGO_BIN_EXE_gvmr"), lonely.join("gvmr")).unwrap();
    let output = with_env_of(&env, lonely.join("gvmr"))
        .arg("shims")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3));
    snapshot!("error-shim-binary-missing", output, |t: &str| masked(
        t, &env, &server
    ));
}

#[test]
fn key_update_errors() {
    let server = TestServer::start();
    let key = key();
    let mirror = mirror(&server, &key);
    let env = Env::new(&mirror, &key);
    let url = server.url("/no-such-key.asc");
    expect(
        "key-update-unreachable",
        &env,
        &server,
        4,
        &["keys", "update", "--url", &url],
        &[],
    );
    server.put("/garbage.asc", "not a key");
    let url = server.url("/garbage.asc");
    expect(
        "key-update-not-a-key",
        &env,
        &server,
        5,
        &["keys", "update", "--url", &url],
        &[],
    );
}
