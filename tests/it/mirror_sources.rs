//! Installing from anywhere: listing failover past a host that never
//! answers, local mirrors (`file://` URLs and plain paths) with every
//! verification failure, private mirrors with netrc or URL credentials
//! (never sent to another host, never printed), and `gvmr mirrors`.

use crate::snapshot;
use crate::support::keys::TestKey;
use crate::support::mirror::{Mirror, Published};
use crate::support::server::{Fault, TestServer};
use crate::support::{Env, FILE, PATH, normalize, stderr_of, stdout_of};
use predicates::str::contains;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn key() -> TestKey {
    TestKey::generate("Test Go Releases <go@example.org>")
}

/// A mirror with go1.22.5 and its listing at `/listing.json`.
fn published<'a>(server: &'a TestServer, key: &'a TestKey) -> (Mirror<'a>, Published) {
    let mut mirror = Mirror::new(server, key);
    let published = mirror.publish("go1.22.5", true);
    mirror.write_listing();
    (mirror, published)
}

fn install(env: &Env, vars: &[(&str, &str)]) -> std::process::Output {
    let mut cmd = env.gvmr();
    cmd.args(["install", "1.22.5"]);
    for (name, value) in vars {
        cmd.env(name, value);
    }
    cmd.output().unwrap()
}

#[track_caller]
fn assert_installed(env: &Env, output: &std::process::Output) -> String {
    let stderr = stderr_of(output);
    assert!(output.status.success(), "{stderr}");
    assert_eq!(env.version_names(), ["go1.22.5"], "{stderr}");
    stderr
}

// ---------------------------------------------------------------------------
// Listing failover

#[test]
fn a_listing_host_that_never_answers_is_given_up_for_the_next() {
    let server = TestServer::start();
    let key = key();
    let (mirror, _) = published(&server, &key);
    server.fault("/blocked.json", Fault::Silence(Duration::from_secs(60)));
    let listings = format!("{},{}", server.url("/blocked.json"), mirror.index_url());

    // The normal time, measured in the same run.
    let env = Env::new(&mirror, &key);
    let started = Instant::now();
    assert_installed(&env, &install(&env, &[]));
    let normal = started.elapsed();

    let env = Env::new(&mirror, &key);
    let started = Instant::now();
    let output = install(&env, &[("GVMR_INDEX_URL", &listings)]);
    let took = started.elapsed();
    let stderr = assert_installed(&env, &output);
    assert!(
        took < normal + Duration::from_secs(5) + Duration::from_secs(2),
        "took {took:?}, normally {normal:?}"
    );
    assert!(took >= Duration::from_secs(5), "took {took:?}");
    assert!(
        stderr.contains(&format!(
            "(release listing at {}) and OpenPGP signature",
            mirror.index_url()
        )),
        "{stderr}"
    );
    assert_eq!(server.count("/blocked.json"), 1, "not retried");

    // Shorter with GVMR_CONNECT_TIMEOUT; the fresh cache of the second
    // source then spares the blocked one.
    let env = Env::new(&mirror, &key);
    let started = Instant::now();
    let output = install(
        &env,
        &[
            ("GVMR_INDEX_URL", &listings),
            ("GVMR_CONNECT_TIMEOUT", "0.5"),
        ],
    );
    assert_installed(&env, &output);
    assert!(started.elapsed() < normal + Duration::from_secs(3));
    server.clear_requests();
    env.gvmr()
        .args(["list-remote"])
        .env("GVMR_INDEX_URL", &listings)
        .assert()
        .success()
        .stdout("go1.22.5  (installed)\n");
    assert_eq!(server.count("/blocked.json"), 0);
}

#[test]
fn when_every_listing_fails_each_is_named() {
    let server = TestServer::start();
    let key = key();
    let (mirror, _) = published(&server, &key);
    server.fault("/blocked.json", Fault::Silence(Duration::from_secs(60)));
    server.put("/portal.json", "<html>Sign in</html>");
    let env = Env::new(&mirror, &key);
    let listings = format!(
        "{},{},{}",
        server.url("/blocked.json"),
        server.url("/gone.json"),
        server.url("/portal.json")
    );
    let output = env
        .gvmr()
        .args(["install", "1.22"])
        .env("GVMR_INDEX_URL", &listings)
        .env("GVMR_CONNECT_TIMEOUT", "0.5")
        .output()
        .unwrap();
    snapshot!("every-listing-fails", output, env, server);
    env.assert_nothing_installed();
}

// ---------------------------------------------------------------------------
// Local mirrors

/// Copies go1.22.5 (archive, .sha256, .asc) and the listing into a
/// directory with a space in its name; returns it.
fn local_mirror(env: &Env, mirror: &Mirror<'_>, published: &Published) -> PathBuf {
    let dir = env.root().join("go mirror");
    std::fs::create_dir_all(&dir).unwrap();
    let file = |name: &str| dir.join(name);
    std::fs::write(file(FILE), &published.archive).unwrap();
    std::fs::write(file(&format!("{FILE}.sha256")), &published.sha256_hex).unwrap();
    std::fs::write(file(&format!("{FILE}.asc")), &published.signature).unwrap();
    std::fs::write(file("listing.json"), mirror.write_listing()).unwrap();
    dir
}

fn file_url(path: &Path) -> String {
    format!("file://{}", path.display().to_string().replace(' ', "%20"))
}

#[test]
fn local_mirrors_install_as_paths_and_file_urls() {
    let server = TestServer::start();
    let key = key();
    let (mirror, published) = published(&server, &key);
    let env = Env::new(&mirror, &key);
    let dir = local_mirror(&env, &mirror, &published);
    let listing = dir.join("listing.json");

    let path = dir.display().to_string();
    let listing_path = listing.display().to_string();
    let stderr = assert_installed(
        &env,
        &install(
            &env,
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
    assert!(server.requests().is_empty(), "{:?}", server.requests());

    // file:// URLs; no listing: the .sha256 beside the archive.
    let env = Env::new(&mirror, &key);
    let url = format!("{}/", file_url(&dir));
    let output = install(
        &env,
        &[
            ("GVMR_MIRROR", &url),
            ("GVMR_INDEX_URL", &format!("{url}none.json")),
        ],
    );
    let stderr = assert_installed(&env, &output);
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
/// `listing` is false), expecting failure; snapshots it as `name`.
fn local_failure(env: &Env, server: &TestServer, dir: &Path, listing: bool, name: &str) {
    let index = if listing {
        dir.join("listing.json")
    } else {
        dir.join("none.json")
    };
    let output = install(
        env,
        &[
            ("GVMR_MIRROR", &dir.display().to_string()),
            ("GVMR_INDEX_URL", &index.display().to_string()),
        ],
    );
    snapshot!(name, output, env, server);
    env.assert_nothing_installed();
}

#[test]
fn local_mirrors_fail_verification_like_remote_ones() {
    let server = TestServer::start();
    let key = key();
    let (mirror, published) = published(&server, &key);
    let fresh = || {
        let env = Env::new(&mirror, &key);
        let dir = local_mirror(&env, &mirror, &published);
        (env, dir)
    };

    let (env, dir) = fresh();
    let mut tampered = published.archive.clone();
    tampered.push(0);
    std::fs::write(dir.join(FILE), tampered).unwrap();
    local_failure(&env, &server, &dir, true, "local-bad-checksum");

    let (env, dir) = fresh();
    let stranger = TestKey::generate("Mallory <mallory@example.org>");
    std::fs::write(
        dir.join(format!("{FILE}.asc")),
        stranger.sign_detached(&published.archive),
    )
    .unwrap();
    let output = install(
        &env,
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
    env.assert_nothing_installed();

    let (env, dir) = fresh();
    std::fs::remove_file(dir.join(format!("{FILE}.asc"))).unwrap();
    local_failure(&env, &server, &dir, true, "local-missing-signature");

    let (env, dir) = fresh();
    std::fs::remove_file(dir.join(format!("{FILE}.sha256"))).unwrap();
    local_failure(
        &env,
        &server,
        &dir,
        false,
        "local-missing-checksum-without-listing",
    );

    let (env, dir) = fresh();
    std::fs::remove_file(dir.join(FILE)).unwrap();
    local_failure(&env, &server, &dir, true, "local-missing-archive");
    assert!(server.requests().is_empty(), "{:?}", server.requests());
}

#[test]
fn a_missing_signature_is_looked_for_on_the_next_mirror() {
    let server = TestServer::start();
    let key = key();
    let (mirror, published) = published(&server, &key);
    let env = Env::new(&mirror, &key);
    let dir = local_mirror(&env, &mirror, &published);
    std::fs::remove_file(dir.join(format!("{FILE}.asc"))).unwrap();
    let mirrors = format!("{},{}", dir.display(), mirror.base_url());
    let stderr = assert_installed(&env, &install(&env, &[("GVMR_MIRROR", &mirrors)]));
    assert!(stderr.contains("and OpenPGP signature"), "{stderr}");
    assert_eq!(server.count(&format!("{PATH}.asc")), 1);
    assert_eq!(
        server.count(PATH),
        0,
        "the archive came from the local mirror"
    );
}

// ---------------------------------------------------------------------------
// Private mirrors

const LOGIN: &str = "alice";
const PASSWORD: &str = "s3cret-Pa55";

fn write_netrc(env: &Env, password: &str) {
    std::fs::write(
        env.user_home().join(".netrc"),
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
    let server = TestServer::start();
    let key = key();
    let (mirror, _) = published(&server, &key);
    server.require_basic_auth(LOGIN, PASSWORD);

    let env = Env::new(&mirror, &key);
    let output = install(&env, &[]);
    assert_no_password(&output);
    snapshot!("private-mirror-without-credentials", output, env, server);
    env.assert_nothing_installed();

    write_netrc(&env, "wrong");
    let output = install(&env, &[]);
    assert_no_password(&output);
    snapshot!("private-mirror-wrong-password", output, env, server);
    env.assert_nothing_installed();

    write_netrc(&env, PASSWORD);
    let output = install(&env, &[]);
    assert_no_password(&output);
    assert_installed(&env, &output);
    let sent = server.authorizations(PATH);
    assert!(
        sent.last()
            .unwrap()
            .as_deref()
            .is_some_and(|a| a.starts_with("Basic ")),
        "{sent:?}"
    );

    // NETRC names another file.
    let env = Env::new(&mirror, &key);
    let netrc = env.root().join("netrc");
    std::fs::write(
        &netrc,
        format!("machine 127.0.0.1 login {LOGIN} password {PASSWORD}"),
    )
    .unwrap();
    let output = install(&env, &[("NETRC", &netrc.display().to_string())]);
    assert_installed(&env, &output);

    for args in [
        &["mirrors"][..],
        &["mirrors", "--json"],
        &["mirrors", "--check", "--json"],
        &["doctor", "--json"],
    ] {
        let output = env.gvmr().args(args).env("NETRC", &netrc).output().unwrap();
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
    let server = TestServer::start();
    let key = key();
    let (mirror, _) = published(&server, &key);
    let env = Env::new(&mirror, &key);
    // A directory where the netrc file should be: it exists but cannot be read.
    let netrc = env.root().join("netrc.d");
    std::fs::create_dir(&netrc).unwrap();
    let output = install(&env, &[("NETRC", &netrc.display().to_string())]);
    assert_eq!(output.status.code(), Some(7), "{}", stderr_of(&output));
    let stderr = stderr_of(&output);
    assert!(
        stderr.contains(&format!("error: cannot read {}: ", netrc.display()))
            && stderr.contains("hint: make ")
            && stderr.contains("or name another file in NETRC"),
        "{stderr}"
    );
    env.assert_nothing_installed();
}

#[test]
fn credentials_in_a_url_are_used_and_never_shown() {
    let server = TestServer::start();
    let key = key();
    let (mirror, _) = published(&server, &key);
    server.require_basic_auth(LOGIN, PASSWORD);
    let with = |password: &str, url: &str| {
        url.replacen("http://", &format!("http://{LOGIN}:{password}@"), 1)
    };

    let env = Env::new(&mirror, &key);
    let vars = |password: &str| {
        [
            ("GVMR_MIRROR", with(password, &mirror.base_url())),
            ("GVMR_INDEX_URL", with(password, &mirror.index_url())),
        ]
    };
    let run_in = |env: &Env, args: &[&str], password: &str| {
        let mut cmd = env.gvmr();
        cmd.args(args);
        for (name, value) in vars(password) {
            cmd.env(name, value);
        }
        cmd.output().unwrap()
    };
    let run = |args: &[&str], password: &str| run_in(&env, args, password);
    let output = run(&["install", "1.22.5"], PASSWORD);
    assert_no_password(&output);
    let stderr = assert_installed(&env, &output);
    assert!(
        stderr.contains(&format!(
            "(release listing at {}) and",
            with("***", &mirror.index_url())
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
            stdout.contains(&with("***", &mirror.base_url())),
            "{args:?}: {stdout}"
        );
    }
    let output = run(&["mirrors", "--check"], PASSWORD);
    assert!(output.status.success(), "{}", stdout_of(&output));

    // A fresh home: nothing cached.
    let output = run_in(&Env::new(&mirror, &key), &["install", "1.22.5"], "wrong");
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
    let server = TestServer::start();
    let other = TestServer::start();
    let key = key();
    let (mirror, published) = published(&server, &key);
    server.require_basic_auth(LOGIN, PASSWORD);
    // The archive lives on another host (localhost is not 127.0.0.1 to a
    // client, though both are this machine).
    other.put(&format!("/cdn/{FILE}"), published.archive.clone());
    let elsewhere = other
        .url(&format!("/cdn/{FILE}"))
        .replace("127.0.0.1", "localhost");
    server.fault(PATH, Fault::Redirect(elsewhere));
    // The listing moved on the same host: the credentials go along.
    server.put("/moved.json", server.get("/listing.json").unwrap());
    server.fault("/listing.json", Fault::Redirect("/moved.json".into()));

    let env = Env::new(&mirror, &key);
    write_netrc(&env, PASSWORD);
    let output = install(&env, &[]);
    assert_no_password(&output);
    assert_installed(&env, &output);
    assert_eq!(other.count(&format!("/cdn/{FILE}")), 1);
    assert_eq!(
        other.authorizations(&format!("/cdn/{FILE}")),
        [None],
        "no Authorization to another host"
    );
    assert!(server.authorizations(PATH).iter().all(Option::is_some));
    assert!(
        server
            .authorizations("/moved.json")
            .iter()
            .all(Option::is_some)
    );
}

// ---------------------------------------------------------------------------
// gvmr mirrors

#[test]
fn mirrors_lists_every_source_with_its_origin() {
    let server = TestServer::start();
    let key = key();
    let (mirror, _) = published(&server, &key);
    let env = Env::new(&mirror, &key);
    let host = server.base().replace("http://", "");
    let clean = |text: &str| normalize(text, &env, &server).replace(&host, "[HOST]");
    let run = |mirror: Option<&str>, index: Option<&str>, args: &[&str]| {
        let mut cmd = env.gvmr();
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
    snapshot!("mirrors-default", run(None, None, &[]), clean);
    let mixed = format!(
        "{},china,/srv/go mirror/",
        mirror.base_url().replace("http://", "http://bob:hunter2@")
    );
    let output = run(Some(&mixed), None, &[]);
    assert!(!stdout_of(&output).contains("hunter2"));
    snapshot!("mirrors-mixed", output, clean);
    let output = run(
        Some(&mixed),
        Some(&format!("{}, /srv/listing.json", mirror.index_url())),
        &["--json"],
    );
    assert!(!stdout_of(&output).contains("hunter2"));
    snapshot!("mirrors-json", output, clean);
    snapshot!(
        "mirrors-unknown-preset",
        run(Some("https://go.corp.example/dl/,chinaa"), None, &[]),
        clean
    );
    snapshot!(
        "mirrors-relative-path",
        run(None, Some("listing.json"), &[]),
        clean
    );
    // A bad entry stops installs too, with the same message.
    env.gvmr()
        .args(["install", "1.22.5"])
        .env("GVMR_MIRROR", "ftp://mirror.example/go/")
        .assert()
        .code(2)
        .stderr(contains(
            "GVMR_MIRROR: \"ftp://mirror.example/go/\" has the unsupported scheme ftp://",
        ));
}

#[test]
fn mirrors_check_reports_each_source_within_ten_seconds() {
    let server = TestServer::start();
    let key = key();
    let (mirror, _) = published(&server, &key);
    server.fault("/blocked.json", Fault::Silence(Duration::from_secs(60)));
    server.fault("/blocked/", Fault::Silence(Duration::from_secs(60)));
    // A mirror that copies archives but not their signatures.
    let bare = TestServer::start();
    bare.put(
        &format!("/go/{FILE}.sha256"),
        server.get(&format!("{PATH}.sha256")).unwrap(),
    );
    let env = Env::new(&mirror, &key);
    let listings = format!(
        "{},{},{}",
        mirror.index_url(),
        server.url("/gone.json"),
        server.url("/blocked.json")
    );
    let mirrors = format!(
        "{},{},{}",
        mirror.base_url(),
        bare.url("/go/"),
        server.url("/blocked/")
    );
    let started = Instant::now();
    let output = env
        .gvmr()
        .args(["mirrors", "--check"])
        .env("GVMR_INDEX_URL", &listings)
        .env("GVMR_MIRROR", &mirrors)
        .output()
        .unwrap();
    let took = started.elapsed();
    assert!(took < Duration::from_secs(10), "took {took:?}");
    assert_eq!(output.status.code(), Some(1), "{}", stderr_of(&output));
    let stdout = normalize(&stdout_of(&output), &env, &server).replace(&bare.base(), "[BARE]");
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
            "Archive mirrors, tried in order (asked for {FILE}'s .sha256 and .asc):"
        )),
        "{stdout}"
    );
    assert!(
        line("  ok       [SERVER]/dl/  (GVMR_MIRROR): ")
            .ends_with(&format!("; {FILE}.sha256 found; {FILE}.asc found")),
        "{stdout}"
    );
    assert!(
        line("  warning  [BARE]/go/  (GVMR_MIRROR): ")
            .ends_with(&format!("; {FILE}.sha256 found; {FILE}.asc: missing: gvmr needs a mirror that copies Go's signatures (or --skip-signature)")),
        "{stdout}"
    );
    line("  error    [SERVER]/blocked/  (GVMR_MIRROR): no answer within 5 s");
    assert!(
        stdout.contains("\n6 sources: 2 ok, 1 warning, 3 errors ("),
        "{stdout}"
    );

    let output = env
        .gvmr()
        .args(["mirrors", "--check", "--json"])
        .env(
            "GVMR_INDEX_URL",
            format!("{},{}", mirror.index_url(), server.url("/gone.json")),
        )
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["newest"], FILE);
    assert_eq!(json["listings"][0]["status"], "ok");
    assert_eq!(json["listings"][1]["http_status"], 404);
    assert_eq!(
        json["archives"][0]["files"][1]["name"],
        format!("{FILE}.asc")
    );
    assert_eq!(json["archives"][0]["files"][1]["result"], "found");
}

#[test]
fn doctor_reports_the_download_sources() {
    let server = TestServer::start();
    let key = key();
    let (mirror, _) = published(&server, &key);
    let env = Env::new(&mirror, &key);
    let output = env.gvmr().args(["doctor", "--json"]).output().unwrap();
    let checks: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let sources: Vec<&serde_json::Value> = checks
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["section"] == "Download sources")
        .collect();
    assert_eq!(sources.len(), 2, "{sources:#?}");
    assert_eq!(
        sources[0]["check"],
        format!("listing {}", mirror.index_url())
    );
    assert_eq!(sources[0]["status"], "ok");
    assert_eq!(
        sources[1]["check"],
        format!("archives {}", mirror.base_url())
    );
    let offline = env
        .gvmr()
        .args(["doctor", "--json", "--offline"])
        .output()
        .unwrap();
    assert!(!stdout_of(&offline).contains("Download sources"));
}
