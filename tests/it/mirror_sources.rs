//! Installing from anywhere: listing failover past a host that never
//! answers, local mirrors (`file://` URLs and plain paths) with every
//! verification failure, private mirrors with netrc or URL credentials
//! (never sent to another host, never printed), and `gvmr mirrors`.

use crate::assert_transcript;
use crate::support::keys::TestKey;
use crate::support::mirror::Published;
use crate::support::server::{Fault, TestServer};
use crate::support::{FILE, GVMR_TIMEOUT, PATH, Session, stderr_of, stdout_of, transcript};
use insta::assert_snapshot;
use predicates::str::contains;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// A session whose mirror publishes go1.22.5; what it published.
fn published() -> (Session, Published) {
    let s = Session::new();
    let published = s.publish("go1.22.5");
    (s, published)
}

fn install(s: &Session, vars: &[(&str, &str)]) -> std::process::Output {
    let mut cmd = s.gvmr();
    cmd.args(["install", "1.22.5"]);
    for (name, value) in vars {
        cmd.env(name, value);
    }
    cmd.output().unwrap()
}

#[track_caller]
fn assert_installed(s: &Session, output: &std::process::Output) -> String {
    let stderr = stderr_of(output);
    assert!(output.status.success(), "{stderr}");
    assert_eq!(s.version_names(), ["go1.22.5"], "{stderr}");
    stderr
}

// ---------------------------------------------------------------------------
// Listing failover

#[test]
fn a_listing_host_that_never_answers_is_given_up_for_the_next() {
    let (s, _) = published();
    // Silent for longer than a gvmr run may take (GVMR_TIMEOUT): a gvmr
    // that waited it out would be killed and fail the test.
    s.server
        .fault("/blocked.json", Fault::Silence(GVMR_TIMEOUT * 2));
    let listings = format!("{},{}", s.server.url("/blocked.json"), s.index_url());

    let started = Instant::now();
    let output = install(&s, &[("GVMR_INDEX_URL", &listings)]);
    let took = started.elapsed();
    let stderr = assert_installed(&s, &output);
    // It gave the host GVMR_CONNECT_TIMEOUT's 5 s before moving on.
    assert!(took >= Duration::from_secs(5), "took {took:?}");
    assert!(
        stderr.contains(&format!(
            "(release listing at {}) and OpenPGP signature",
            s.index_url()
        )),
        "{stderr}"
    );
    assert_eq!(s.server.count("/blocked.json"), 1, "not retried");

    // Shorter with GVMR_CONNECT_TIMEOUT; the fresh cache of the second
    // source then spares the blocked one.
    s.clear_home();
    let output = install(
        &s,
        &[
            ("GVMR_INDEX_URL", &listings),
            ("GVMR_CONNECT_TIMEOUT", "0.5"),
        ],
    );
    assert_installed(&s, &output);
    // (That listing fetches honour GVMR_CONNECT_TIMEOUT shows in
    // `when_every_listing_fails_each_is_named`: "no answer within 0.5 s".)
    assert_eq!(s.server.count("/blocked.json"), 2, "asked once more");
    s.server.clear_requests();
    s.gvmr()
        .args(["list-remote"])
        .env("GVMR_INDEX_URL", &listings)
        .assert()
        .success()
        .stdout("go1.22.5  (installed)\n");
    assert_eq!(s.server.count("/blocked.json"), 0);
}

#[test]
fn when_every_listing_fails_each_is_named() {
    let (s, _) = published();
    s.server
        .fault("/blocked.json", Fault::Silence(Duration::from_secs(60)));
    s.server.put("/portal.json", "<html>Sign in</html>");
    let listings = format!(
        "{},{},{}",
        s.server.url("/blocked.json"),
        s.server.url("/gone.json"),
        s.server.url("/portal.json")
    );
    let output = s
        .gvmr()
        .args(["install", "1.22"])
        .env("GVMR_INDEX_URL", &listings)
        .env("GVMR_CONNECT_TIMEOUT", "0.5")
        .output()
        .unwrap();
    assert_transcript!(s, output, @"
    exit: 4
    --- stdout
    --- stderr
    warning: GVMR_KEYRING is set: trusting the keys in [ROOT]/keyring.asc instead of the Go release signing key built into gvmr
    error: cannot resolve 1.22 without the release listing: cannot get the release listing from any of its sources:
      - [SERVER]/blocked.json: no answer within 0.5 s (GVMR_CONNECT_TIMEOUT)
      - [SERVER]/gone.json: HTTP 404
      - the release listing from [SERVER]/portal.json is not valid JSON in go.dev's format: expected value at line 1 column 1
    hint: check your network or proxy (HTTPS_PROXY), or GVMR_INDEX_URL (`gvmr mirrors --check` tests each source); an exact version (e.g. 1.22.5) installs without the listing when the downloads cache or a mirror has its .sha256
    ");
    s.assert_nothing_installed();
}

// ---------------------------------------------------------------------------
// Local mirrors

/// Copies go1.22.5 (archive, .sha256, .asc) and the listing into a
/// directory with a space in its name; returns it.
fn local_mirror(s: &Session, published: &Published) -> PathBuf {
    let dir = s.root().join("go mirror");
    std::fs::create_dir_all(&dir).unwrap();
    let file = |name: &str| dir.join(name);
    std::fs::write(file(FILE), &published.archive).unwrap();
    std::fs::write(file(&format!("{FILE}.sha256")), &published.sha256_hex).unwrap();
    std::fs::write(file(&format!("{FILE}.asc")), &published.signature).unwrap();
    std::fs::write(file("listing.json"), s.write_listing()).unwrap();
    dir
}

fn file_url(path: &Path) -> String {
    format!("file://{}", path.display().to_string().replace(' ', "%20"))
}

#[test]
fn local_mirrors_install_as_paths_and_file_urls() {
    let (s, published) = published();
    let dir = local_mirror(&s, &published);
    let listing = dir.join("listing.json");

    let path = dir.display().to_string();
    let listing_path = listing.display().to_string();
    let stderr = assert_installed(
        &s,
        &install(
            &s,
            &[("GVMR_MIRROR", &path), ("GVMR_INDEX_URL", &listing_path)],
        ),
    );
    assert!(
        stderr.contains(&format!(
            "(release listing at {}) and OpenPGP",
            file_url(&listing)
        )),
        "{stderr}"
    );
    assert!(s.server.requests().is_empty(), "{:?}", s.server.requests());

    // file:// URLs; no listing: the .sha256 beside the archive.
    s.clear_home();
    let url = format!("{}/", file_url(&dir));
    let output = install(
        &s,
        &[
            ("GVMR_MIRROR", &url),
            ("GVMR_INDEX_URL", &format!("{url}none.json")),
        ],
    );
    let stderr = assert_installed(&s, &output);
    assert!(
        stderr.contains(&format!("({url}{FILE}.sha256) and OpenPGP")),
        "{stderr}"
    );
    assert!(
        stderr.contains("none.json: no such file; trying the mirror's checksum file"),
        "{stderr}"
    );
}

/// Runs an install from the local mirror `dir` (no listing when
/// `listing` is false), expecting it to install nothing.
fn local_failure(s: &Session, dir: &Path, listing: bool) -> std::process::Output {
    let index = if listing {
        dir.join("listing.json")
    } else {
        dir.join("none.json")
    };
    let output = install(
        s,
        &[
            ("GVMR_MIRROR", &dir.display().to_string()),
            ("GVMR_INDEX_URL", &index.display().to_string()),
        ],
    );
    s.assert_nothing_installed();
    output
}

#[test]
fn local_mirrors_fail_verification_like_remote_ones() {
    let (s, published) = published();
    // A fresh home and local mirror for each case.
    let fresh = || {
        s.clear_home();
        local_mirror(&s, &published)
    };

    let dir = fresh();
    let mut tampered = published.archive.clone();
    tampered.push(0);
    std::fs::write(dir.join(FILE), tampered).unwrap();
    assert_transcript!(s, local_failure(&s, &dir, true), @"
    exit: 5
    --- stdout
    --- stderr
    warning: GVMR_KEYRING is set: trusting the keys in [ROOT]/keyring.asc instead of the Go release signing key built into gvmr
    error: checksum mismatch for go1.22.5.linux-amd64.tar.gz
      expected: [SHA256] (from release listing at file://[ROOT]/go%20mirror/listing.json)
      actual:   [SHA256]
    The file is corrupt or was tampered with; nothing was installed.
    hint: do not use this archive; if a mirror serves it, report it to the mirror's operator
    ");

    let dir = fresh();
    let stranger = TestKey::generate("Mallory <mallory@example.org>");
    std::fs::write(
        dir.join(format!("{FILE}.asc")),
        stranger.sign_detached(&published.archive),
    )
    .unwrap();
    let output = install(
        &s,
        &[
            ("GVMR_MIRROR", &dir.display().to_string()),
            (
                "GVMR_INDEX_URL",
                &dir.join("listing.json").display().to_string(),
            ),
        ],
    );
    assert_eq!(output.status.code(), Some(5));
    assert!(
        stderr_of(&output).contains(&format!(
            "error: the OpenPGP signature of {FILE} ({}/{FILE}.asc) is not valid",
            file_url(&dir)
        )),
        "{}",
        stderr_of(&output)
    );
    s.assert_nothing_installed();

    let dir = fresh();
    std::fs::remove_file(dir.join(format!("{FILE}.asc"))).unwrap();
    assert_transcript!(s, local_failure(&s, &dir, true), @"
    exit: 5
    --- stdout
    --- stderr
    warning: GVMR_KEYRING is set: trusting the keys in [ROOT]/keyring.asc instead of the Go release signing key built into gvmr
    error: no signature for go1.22.5.linux-amd64.tar.gz: no mirror has go1.22.5.linux-amd64.tar.gz.asc:
      - file://[ROOT]/go%20mirror/go1.22.5.linux-amd64.tar.gz.asc: no such file
    hint: gvmr needs a mirror that copies Go's signatures (<archive>.asc beside each archive; the official and china presets do): add one to GVMR_MIRROR, or install with --skip-signature (not recommended)
    ");

    let dir = fresh();
    std::fs::remove_file(dir.join(format!("{FILE}.sha256"))).unwrap();
    assert_transcript!(s, local_failure(&s, &dir, false), @"
    exit: 5
    --- stdout
    --- stderr
    warning: GVMR_KEYRING is set: trusting the keys in [ROOT]/keyring.asc instead of the Go release signing key built into gvmr
    warning: cannot fetch the release listing: file://[ROOT]/go%20mirror/none.json: no such file; trying the mirror's checksum file
    error: no checksum for go1.22.5.linux-amd64.tar.gz: it is not in the release listing, and no mirror has a .sha256 for it:
      - file://[ROOT]/go%20mirror/go1.22.5.linux-amd64.tar.gz.sha256: no such file
    ");

    let dir = fresh();
    std::fs::remove_file(dir.join(FILE)).unwrap();
    assert_transcript!(s, local_failure(&s, &dir, true), @"
    exit: 3
    --- stdout
    --- stderr
    warning: GVMR_KEYRING is set: trusting the keys in [ROOT]/keyring.asc instead of the Go release signing key built into gvmr
    error: go1.22.5.linux-amd64.tar.gz is not on any mirror:
      - file://[ROOT]/go%20mirror/go1.22.5.linux-amd64.tar.gz: not on this mirror
    hint: check the version (`gvmr list-remote --all` lists the releases), or add a mirror that has it to GVMR_MIRROR (`gvmr mirrors --check` tests each source)
    ");
    assert!(s.server.requests().is_empty(), "{:?}", s.server.requests());
}

#[test]
fn a_missing_signature_is_looked_for_on_the_next_mirror() {
    let (s, published) = published();
    let dir = local_mirror(&s, &published);
    std::fs::remove_file(dir.join(format!("{FILE}.asc"))).unwrap();
    let mirrors = format!("{},{}", dir.display(), s.mirror_url());
    let stderr = assert_installed(&s, &install(&s, &[("GVMR_MIRROR", &mirrors)]));
    assert!(stderr.contains("and OpenPGP signature"), "{stderr}");
    assert_eq!(s.server.count(&format!("{PATH}.asc")), 1);
    assert_eq!(
        s.server.count(PATH),
        0,
        "the archive came from the local mirror"
    );
}

// ---------------------------------------------------------------------------
// Private mirrors

const LOGIN: &str = "alice";
const PASSWORD: &str = "s3cret-Pa55";

fn write_netrc(s: &Session, password: &str) {
    std::fs::write(
        s.user_home().join(".netrc"),
        format!("# gvmr test\nmachine 127.0.0.1\n  login {LOGIN}\n  password {password}\n"),
    )
    .unwrap();
}

#[track_caller]
fn assert_no_password(output: &std::process::Output) {
    for text in [stdout_of(output), stderr_of(output)] {
        assert!(
            !text.contains(PASSWORD),
            "the password was printed:\n{text}"
        );
    }
}

#[test]
fn a_private_mirror_takes_credentials_from_netrc() {
    let (s, _) = published();
    s.server.require_basic_auth(LOGIN, PASSWORD);
    let output = install(&s, &[]);
    assert_no_password(&output);
    assert_transcript!(s, output, @"
    exit: 4
    --- stdout
    --- stderr
    warning: GVMR_KEYRING is set: trusting the keys in [ROOT]/keyring.asc instead of the Go release signing key built into gvmr
    warning: cannot fetch the release listing: [SERVER]/listing.json: HTTP 401: 127.0.0.1 requires authentication: add `machine 127.0.0.1 login USER password PASSWORD` to ~/.netrc; trying the mirror's checksum file
    error: cannot download go1.22.5.linux-amd64.tar.gz.sha256: every mirror failed:
      - [SERVER]/dl/go1.22.5.linux-amd64.tar.gz.sha256: HTTP 401: 127.0.0.1 requires authentication: add `machine 127.0.0.1 login USER password PASSWORD` to ~/.netrc
    hint: check your network or proxy (HTTPS_PROXY) and GVMR_MIRROR (`gvmr mirrors --check` tests each source), then run the command again
    ");
    s.assert_nothing_installed();

    write_netrc(&s, "wrong");
    let output = install(&s, &[]);
    assert_no_password(&output);
    assert_transcript!(s, output, @"
    exit: 4
    --- stdout
    --- stderr
    warning: GVMR_KEYRING is set: trusting the keys in [ROOT]/keyring.asc instead of the Go release signing key built into gvmr
    warning: cannot fetch the release listing: [SERVER]/listing.json: HTTP 401: authentication failed for 127.0.0.1 (credentials from ~/.netrc); trying the mirror's checksum file
    error: cannot download go1.22.5.linux-amd64.tar.gz.sha256: every mirror failed:
      - [SERVER]/dl/go1.22.5.linux-amd64.tar.gz.sha256: HTTP 401: authentication failed for 127.0.0.1 (credentials from ~/.netrc)
    hint: check your network or proxy (HTTPS_PROXY) and GVMR_MIRROR (`gvmr mirrors --check` tests each source), then run the command again
    ");
    s.assert_nothing_installed();

    write_netrc(&s, PASSWORD);
    let output = install(&s, &[]);
    assert_no_password(&output);
    assert_installed(&s, &output);
    let sent = s.server.authorizations(PATH);
    assert!(
        sent.last()
            .unwrap()
            .as_deref()
            .is_some_and(|a| a.starts_with("Basic ")),
        "{sent:?}"
    );

    // NETRC names another file.
    s.clear_home();
    let netrc = s.root().join("netrc");
    std::fs::write(
        &netrc,
        format!("machine 127.0.0.1 login {LOGIN} password {PASSWORD}"),
    )
    .unwrap();
    let output = install(&s, &[("NETRC", &netrc.display().to_string())]);
    assert_installed(&s, &output);

    for args in [
        &["mirrors"][..],
        &["mirrors", "--json"],
        &["mirrors", "--check", "--json"],
        &["doctor", "--json"],
    ] {
        let output = s.gvmr().args(args).env("NETRC", &netrc).output().unwrap();
        assert_no_password(&output);
        assert!(
            stdout_of(&output).contains(&netrc.display().to_string()),
            "{args:?}: {}",
            stdout_of(&output)
        );
    }
}

#[test]
fn an_unreadable_netrc_is_a_file_system_error_naming_it() {
    let (s, _) = published();
    // A directory where the netrc file should be: it exists but cannot be read.
    let netrc = s.root().join("netrc.d");
    std::fs::create_dir(&netrc).unwrap();
    let output = install(&s, &[("NETRC", &netrc.display().to_string())]);
    assert_eq!(output.status.code(), Some(7), "{}", stderr_of(&output));
    let stderr = stderr_of(&output);
    assert!(
        stderr.contains(&format!("error: cannot read {}: ", netrc.display()))
            && stderr.contains("hint: make ")
            && stderr.contains("or name another file in NETRC"),
        "{stderr}"
    );
    s.assert_nothing_installed();
}

#[test]
fn credentials_in_a_url_are_used_and_never_shown() {
    let (s, _) = published();
    s.server.require_basic_auth(LOGIN, PASSWORD);
    let with = |password: &str, url: &str| {
        url.replacen("http://", &format!("http://{LOGIN}:{password}@"), 1)
    };
    let vars = |password: &str| {
        [
            ("GVMR_MIRROR", with(password, &s.mirror_url())),
            ("GVMR_INDEX_URL", with(password, &s.index_url())),
        ]
    };
    let run = |args: &[&str], password: &str| {
        let mut cmd = s.gvmr();
        cmd.args(args);
        for (name, value) in vars(password) {
            cmd.env(name, value);
        }
        cmd.output().unwrap()
    };
    let output = run(&["install", "1.22.5"], PASSWORD);
    assert_no_password(&output);
    let stderr = assert_installed(&s, &output);
    assert!(
        stderr.contains(&format!(
            "(release listing at {}) and",
            with("***", &s.index_url())
        )),
        "{stderr}"
    );

    for args in [
        &["mirrors"][..],
        &["mirrors", "--json"],
        &["mirrors", "--check"],
        &["doctor", "--json"],
    ] {
        let output = run(args, PASSWORD);
        assert_no_password(&output);
        let stdout = stdout_of(&output);
        assert!(
            stdout.contains(&with("***", &s.mirror_url())),
            "{args:?}: {stdout}"
        );
    }
    let output = run(&["mirrors", "--check"], PASSWORD);
    assert!(output.status.success(), "{}", stdout_of(&output));

    // A fresh home: nothing cached.
    s.clear_home();
    let output = run(&["install", "1.22.5"], "wrong");
    assert!(!output.status.success());
    let stderr = stderr_of(&output);
    assert!(!stderr.contains("wrong"), "{stderr}");
    assert!(
        stderr.contains(
            "HTTP 401: authentication failed for 127.0.0.1 (credentials from GVMR_MIRROR)"
        ),
        "{stderr}"
    );
}

#[test]
fn credentials_are_not_sent_to_another_host_after_a_redirect() {
    let (s, published) = published();
    let other = TestServer::start();
    s.server.require_basic_auth(LOGIN, PASSWORD);
    // The archive lives on another host (localhost is not 127.0.0.1 to a
    // client, though both are this machine).
    other.put(&format!("/cdn/{FILE}"), published.archive.clone());
    let elsewhere = other
        .url(&format!("/cdn/{FILE}"))
        .replace("127.0.0.1", "localhost");
    s.server.fault(PATH, Fault::Redirect(elsewhere));
    // The listing moved on the same host: the credentials go along.
    s.server
        .put("/moved.json", s.server.get("/listing.json").unwrap());
    s.server
        .fault("/listing.json", Fault::Redirect("/moved.json".into()));
    write_netrc(&s, PASSWORD);
    let output = install(&s, &[]);
    assert_no_password(&output);
    assert_installed(&s, &output);
    assert_eq!(other.count(&format!("/cdn/{FILE}")), 1);
    assert_eq!(
        other.authorizations(&format!("/cdn/{FILE}")),
        [None],
        "no Authorization to another host"
    );
    assert!(s.server.authorizations(PATH).iter().all(Option::is_some));
    assert!(
        s.server
            .authorizations("/moved.json")
            .iter()
            .all(Option::is_some)
    );
}

// ---------------------------------------------------------------------------
// gvmr mirrors

#[test]
fn mirrors_lists_every_source_with_its_origin() {
    let (s, _) = published();
    let mut clean = s.filters();
    clean.add_filter(
        &s.server.base().replace("http://", "").replace('.', "\\."),
        "[HOST]",
    );
    let run = |mirror: Option<&str>, index: Option<&str>, args: &[&str]| {
        let mut cmd = s.gvmr();
        cmd.arg("mirrors")
            .args(args)
            .env_remove("GVMR_MIRROR")
            .env_remove("GVMR_INDEX_URL");
        if let Some(value) = mirror {
            cmd.env("GVMR_MIRROR", value);
        }
        if let Some(value) = index {
            cmd.env("GVMR_INDEX_URL", value);
        }
        cmd.output().unwrap()
    };
    clean.bind(|| {
        assert_snapshot!(transcript(&run(None, None, &[])), @"
        exit: 0
        --- stdout
        Release listings, tried in order:
          https://go.dev/dl/?mode=json&include=all  (default)
          https://golang.google.cn/dl/?mode=json&include=all  (default)
        Archive mirrors, tried in order:
          https://dl.google.com/go/  (default)
        Module proxies for --source proxy/auto (GOPROXY; Go's default):
          https://proxy.golang.org,direct
        Checksum database for --source proxy/auto (GOSUMDB; Go's default):
          sum.golang.org
        --- stderr
        ")
    });
    let mixed = format!(
        "{},china,/srv/go mirror/",
        s.mirror_url().replace("http://", "http://bob:hunter2@")
    );
    let output = run(Some(&mixed), None, &[]);
    assert!(!stdout_of(&output).contains("hunter2"));
    clean.bind(|| {
        assert_snapshot!(transcript(&output), @"
        exit: 0
        --- stdout
        Release listings, tried in order:
          https://golang.google.cn/dl/?mode=json&include=all  (preset china (GVMR_MIRROR))
          https://go.dev/dl/?mode=json&include=all  (preset china (GVMR_MIRROR))
        Archive mirrors, tried in order:
          http://bob:***@[HOST]/dl/  (GVMR_MIRROR; credentials from GVMR_MIRROR)
          https://mirrors.aliyun.com/golang/  (preset china (GVMR_MIRROR))
          https://mirrors.ustc.edu.cn/golang/  (preset china (GVMR_MIRROR))
          https://golang.google.cn/dl/  (preset china (GVMR_MIRROR))
          file:///srv/go%20mirror/  (GVMR_MIRROR)
        Module proxies for --source proxy/auto (GOPROXY; Go's default):
          https://proxy.golang.org,direct
        Checksum database for --source proxy/auto (GOSUMDB; Go's default):
          sum.golang.org
        --- stderr
        ")
    });
    let output = run(
        Some(&mixed),
        Some(&format!("{}, /srv/listing.json", s.index_url())),
        &["--json"],
    );
    assert!(!stdout_of(&output).contains("hunter2"));
    clean.bind(|| {
        insta::with_settings!({ omit_expression => true }, {
            assert_snapshot!("mirrors-json", transcript(&output))
        })
    });
    let output = run(Some("https://go.corp.example/dl/,chinaa"), None, &[]);
    clean.bind(|| assert_snapshot!(transcript(&output), @r#"
    exit: 2
    --- stdout
    --- stderr
    error: GVMR_MIRROR: "chinaa" is not a URL, an absolute path or a preset; use https://, http:// or file:// URLs, absolute paths, or a preset (official, china or cn)
    "#));
    let output = run(None, Some("listing.json"), &[]);
    clean.bind(|| assert_snapshot!(transcript(&output), @r#"
    exit: 2
    --- stdout
    --- stderr
    error: GVMR_INDEX_URL: "listing.json" is not a URL or an absolute path; use https://, http:// or file:// URLs, or absolute paths
    "#));
    // A bad entry stops installs too, with the same message.
    s.gvmr()
        .args(["install", "1.22.5"])
        .env("GVMR_MIRROR", "ftp://mirror.example/go/")
        .assert()
        .code(2)
        .stderr(contains(
            "GVMR_MIRROR: \"ftp://mirror.example/go/\" has the unsupported scheme ftp://",
        ));
}

#[test]
fn mirrors_check_reports_each_source_giving_up_on_silent_ones() {
    let (s, _) = published();
    s.server
        .fault("/blocked.json", Fault::Silence(Duration::from_secs(60)));
    s.server
        .fault("/blocked/", Fault::Silence(Duration::from_secs(60)));
    // A mirror that copies archives but not their signatures, and one
    // without the newest release (its signature is not what is missing).
    let bare = TestServer::start();
    bare.put(&format!("/go/{FILE}"), s.server.get(PATH).unwrap());
    bare.put(
        &format!("/go/{FILE}.sha256"),
        s.server.get(&format!("{PATH}.sha256")).unwrap(),
    );
    let listings = format!(
        "{},{},{}",
        s.index_url(),
        s.server.url("/gone.json"),
        s.server.url("/blocked.json")
    );
    let mirrors = format!(
        "{},{},{},{}",
        s.mirror_url(),
        bare.url("/go/"),
        bare.url("/partial/"),
        s.server.url("/blocked/")
    );
    let output = s
        .gvmr()
        .args(["mirrors", "--check"])
        .env("GVMR_INDEX_URL", &listings)
        .env("GVMR_MIRROR", &mirrors)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr_of(&output));
    let stdout = stdout_of(&output)
        .replace(&s.server.base(), "[SERVER]")
        .replace(&bare.base(), "[BARE]");
    let line = |start: &str| {
        stdout
            .lines()
            .find(|l| l.starts_with(start))
            .unwrap_or_else(|| panic!("no line starting {start:?} in:\n{stdout}"))
            .to_string()
    };
    assert!(
        line("  ok       [SERVER]/listing.json  (GVMR_INDEX_URL): ").contains("HTTP 200"),
        "{stdout}"
    );
    assert!(
        line("  error    [SERVER]/gone.json  (GVMR_INDEX_URL): HTTP 404: no release listing there")
            .contains("first byte")
    );
    line("  error    [SERVER]/blocked.json  (GVMR_INDEX_URL): no answer within 5 s");
    assert!(
        stdout.contains(&format!(
            "Archive mirrors, tried in order (asked for {FILE}, its .sha256 and .asc):"
        )),
        "{stdout}"
    );
    assert!(
        line("  ok       [SERVER]/dl/  (GVMR_MIRROR): ").ends_with(&format!(
            "; {FILE} found; {FILE}.sha256 found; {FILE}.asc found"
        )),
        "{stdout}"
    );
    assert!(
        line("  warning  [BARE]/go/  (GVMR_MIRROR): ")
            .ends_with(&format!("; {FILE} found; {FILE}.sha256 found; {FILE}.asc: missing: gvmr needs a mirror that copies Go's signatures (or --skip-signature)")),
        "{stdout}"
    );
    assert!(
        line("  warning  [BARE]/partial/  (GVMR_MIRROR): ").ends_with(&format!(
            "; {FILE}: not on this mirror (installs of it use the next mirror)"
        )),
        "{stdout}"
    );
    line("  error    [SERVER]/blocked/  (GVMR_MIRROR): no answer within 5 s");
    assert!(
        stdout.contains("\n7 sources: 2 ok, 2 warnings, 3 errors ("),
        "{stdout}"
    );

    let output = s
        .gvmr()
        .args(["mirrors", "--check", "--json"])
        .env(
            "GVMR_INDEX_URL",
            format!("{},{}", s.index_url(), s.server.url("/gone.json")),
        )
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["newest"], FILE);
    assert_eq!(json["listings"][0]["status"], "ok");
    assert_eq!(json["listings"][1]["http_status"], 404);
    assert_eq!(json["archives"][0]["files"][0]["name"], FILE);
    assert_eq!(
        json["archives"][0]["files"][2]["name"],
        format!("{FILE}.asc")
    );
    assert_eq!(json["archives"][0]["files"][2]["result"], "found");
}

#[test]
fn doctor_reports_the_download_sources() {
    let (s, _) = published();
    let output = s.gvmr().args(["doctor", "--json"]).output().unwrap();
    let checks: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let sources: Vec<&serde_json::Value> = checks
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["section"] == "Download sources")
        .collect();
    assert_eq!(sources.len(), 2, "{sources:#?}");
    assert_eq!(sources[0]["check"], format!("listing {}", s.index_url()));
    assert_eq!(sources[0]["status"], "ok");
    assert_eq!(sources[1]["check"], format!("archives {}", s.mirror_url()));
    let offline = s
        .gvmr()
        .args(["doctor", "--json", "--offline"])
        .output()
        .unwrap();
    assert!(!stdout_of(&offline).contains("Download sources"));
}
