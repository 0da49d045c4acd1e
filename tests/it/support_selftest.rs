//! Tests of the integration-test support code in `tests/it/support`: if these
//! fail, the other integration tests cannot be trusted.

use crate::assert_transcript;
use crate::support::keys::{TestKey, gpg_sign_detached};
use crate::support::mirror::{
    ArchiveBuilder, ListingFile, ListingRelease, Mirror, compare_go_versions, fake_go_archive,
    listing_json, sha256_hex,
};
use crate::support::server::{Fault, TestServer};
use crate::support::{PATH, Session, USUAL, dir_names};

use sequoia_openpgp as openpgp;

use openpgp::parse::Parse;
use openpgp::parse::stream::{
    DetachedVerifierBuilder, MessageLayer, MessageStructure, VerificationHelper,
};
use openpgp::policy::StandardPolicy;
use openpgp::types::RevocationStatus;
use openpgp::{Cert, KeyHandle};
use std::cmp::Ordering;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant, SystemTime};

// ---------------------------------------------------------------------------
// A deliberately independent, minimal HTTP client for checking the server.

struct RawResponse {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl RawResponse {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Sends `request` verbatim and reads until the server closes. Returns the
/// raw bytes received.
fn exchange(server: &TestServer, request: &[u8]) -> Vec<u8> {
    let addr = server.base().trim_start_matches("http://").to_string();
    let mut stream = TcpStream::connect(addr).expect("connect to the test server");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream.write_all(request).unwrap();
    // Tell the server nothing more is coming, so a partial request ends.
    stream.shutdown(std::net::Shutdown::Write).unwrap();
    let mut received = Vec::new();
    stream
        .read_to_end(&mut received)
        .expect("read the response");
    received
}

fn parse_response(raw: &[u8]) -> RawResponse {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no end of head in {:?}", String::from_utf8_lossy(raw)));
    let head = std::str::from_utf8(&raw[..end]).unwrap();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap();
    assert!(status_line.starts_with("HTTP/1.1 "), "{status_line}");
    let status = status_line[9..12].parse().unwrap();
    let headers = lines
        .map(|l| {
            let (n, v) = l.split_once(':').unwrap();
            (n.trim().to_string(), v.trim().to_string())
        })
        .collect();
    RawResponse {
        status,
        headers,
        body: raw[end + 4..].to_vec(),
    }
}

fn request(server: &TestServer, method: &str, path: &str, extra: &str) -> RawResponse {
    let req = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{extra}\r\n");
    parse_response(&exchange(server, req.as_bytes()))
}

fn get(server: &TestServer, path: &str) -> RawResponse {
    request(server, "GET", path, "")
}

fn get_range(server: &TestServer, path: &str, range: &str) -> RawResponse {
    request(server, "GET", path, &format!("Range: {range}\r\n"))
}

// ---------------------------------------------------------------------------
// server.rs

#[test]
fn server_serves_404s_heads_and_logs() {
    let server = TestServer::start();
    assert!(server.base().starts_with("http://127.0.0.1:"));
    assert_eq!(server.url("/a/b"), format!("{}/a/b", server.base()));

    server.put("/hello.txt", "hello, world");
    let r = get(&server, "/hello.txt");
    assert_eq!(r.status, 200);
    assert_eq!(r.body, b"hello, world");
    assert_eq!(r.header("Content-Length"), Some("12"));
    assert_eq!(r.header("Connection"), Some("close"));
    assert_eq!(
        server.get("/hello.txt").as_deref(),
        Some(&b"hello, world"[..])
    );

    // A query string still finds the path.
    assert_eq!(get(&server, "/hello.txt?mode=json").body, b"hello, world");

    let head = request(&server, "HEAD", "/hello.txt", "");
    assert_eq!(head.status, 200);
    assert_eq!(head.header("Content-Length"), Some("12"));
    assert!(head.body.is_empty(), "HEAD has no body");

    let missing = get(&server, "/nope");
    assert_eq!(missing.status, 404);
    assert!(!missing.body.is_empty(), "404 has a short body");
    assert_eq!(
        missing.header("Content-Length"),
        Some(missing.body.len().to_string().as_str())
    );

    server.put("/hello.txt", b"replaced".to_vec());
    assert_eq!(get(&server, "/hello.txt").body, b"replaced");
    server.remove("/hello.txt");
    assert_eq!(get(&server, "/hello.txt").status, 404);

    let post = request(&server, "POST", "/hello.txt", "Content-Length: 0\r\n");
    assert_eq!(post.status, 405);

    assert_eq!(
        server.requests(),
        [
            "GET /hello.txt",
            "GET /hello.txt?mode=json",
            "HEAD /hello.txt",
            "GET /nope",
            "GET /hello.txt",
            "GET /hello.txt",
            "POST /hello.txt",
        ]
    );
    // HEAD and POST are not counted; the query-string GET is.
    assert_eq!(server.count("/hello.txt"), 4);
    assert_eq!(server.count("/nope"), 1);
    assert_eq!(server.count("/never"), 0);
    server.clear_requests();
    assert!(server.requests().is_empty());
    assert_eq!(server.count("/hello.txt"), 0);
}

#[test]
fn server_honours_ranges() {
    let server = TestServer::start();
    server.put("/data", "0123456789");

    let r = get_range(&server, "/data", "bytes=4-");
    assert_eq!(r.status, 206);
    assert_eq!(r.body, b"456789");
    assert_eq!(r.header("Content-Range"), Some("bytes 4-9/10"));
    assert_eq!(r.header("Content-Length"), Some("6"));

    let r = get_range(&server, "/data", "bytes=2-4");
    assert_eq!((r.status, &r.body[..]), (206, &b"234"[..]));
    assert_eq!(r.header("Content-Range"), Some("bytes 2-4/10"));

    // An end past the body is cut to the body.
    let r = get_range(&server, "/data", "bytes=8-100");
    assert_eq!((r.status, &r.body[..]), (206, &b"89"[..]));
    assert_eq!(r.header("Content-Range"), Some("bytes 8-9/10"));

    let r = get_range(&server, "/data", "bytes=-3");
    assert_eq!((r.status, &r.body[..]), (206, &b"789"[..]));

    let r = get_range(&server, "/data", "bytes=10-");
    assert_eq!(r.status, 416);
    assert_eq!(r.header("Content-Range"), Some("bytes */10"));

    // Unsupported or malformed ranges are ignored: the whole body.
    for ignored in ["bytes=5-2", "items=0-1", "bytes=x-"] {
        let r = get_range(&server, "/data", ignored);
        assert_eq!(
            (r.status, &r.body[..]),
            (200, &b"0123456789"[..]),
            "{ignored}"
        );
    }

    // HEAD with a range: the ranged headers, no body.
    let r = request(&server, "HEAD", "/data", "Range: bytes=4-\r\n");
    assert_eq!(r.status, 206);
    assert_eq!(r.header("Content-Length"), Some("6"));
    assert!(r.body.is_empty());
}

#[test]
fn server_injects_faults_until_cleared() {
    let server = TestServer::start();
    let body = "the quick brown fox";
    server.put("/f", body);

    server.fault("/f", Fault::Status(503));
    let r = get(&server, "/f");
    assert_eq!(r.status, 503);
    assert!(r.body.is_empty());
    assert_eq!(r.header("Content-Length"), Some("0"));
    // Faults apply to paths with no content too.
    server.fault("/missing", Fault::Status(500));
    assert_eq!(get(&server, "/missing").status, 500);

    server.fault("/f", Fault::Truncate(5));
    let r = get(&server, "/f");
    assert_eq!(r.status, 200);
    assert_eq!(
        r.header("Content-Length"),
        Some(body.len().to_string().as_str()),
        "a truncated response announces the full length"
    );
    assert_eq!(r.body, b"the q");
    // Applies to every request, and to ranged ones.
    let r = get_range(&server, "/f", "bytes=4-");
    assert_eq!((r.status, &r.body[..]), (206, &b"quick"[..]));

    server.fault("/f", Fault::Stall(Duration::from_millis(400)));
    let started = Instant::now();
    let r = get(&server, "/f");
    assert!(started.elapsed() >= Duration::from_millis(400));
    assert_eq!((r.status, &r.body[..]), (200, body.as_bytes()));

    server.fault("/f", Fault::Reset);
    let raw = exchange(&server, b"GET /f HTTP/1.1\r\nHost: x\r\n\r\n");
    assert!(raw.is_empty(), "a reset sends no bytes at all");

    server.clear_fault("/f");
    let r = get(&server, "/f");
    assert_eq!((r.status, &r.body[..]), (200, body.as_bytes()));
    // Every faulty request was logged.
    assert_eq!(server.count("/f"), 6);
}

#[test]
fn server_survives_bad_requests_and_stops_when_dropped() {
    let server = TestServer::start();
    server.put("/ok", "ok");

    for garbage in [
        &b"\r\n\r\n"[..],
        b"NONSENSE\r\n\r\n",
        b"GET\r\n\r\n",
        b"GET relative HTTP/1.1\r\n\r\n",
        b"\xff\xfe GET / HTTP/1.1\r\n\r\n",
    ] {
        let r = parse_response(&exchange(&server, garbage));
        assert_eq!(r.status, 400, "{garbage:?}");
    }
    // A client that sends half a request and stops sending.
    let r = parse_response(&exchange(&server, b"GET /ok HTT"));
    assert_eq!(r.status, 400);
    // An absolute-form target is served by its path.
    let r = request(&server, "GET", &server.url("/ok"), "");
    assert_eq!(r.body, b"ok");

    // Concurrent clients.
    std::thread::scope(|s| {
        for _ in 0..8 {
            s.spawn(|| assert_eq!(get(&server, "/ok").body, b"ok"));
        }
    });
    assert_eq!(server.count("/ok"), 9);

    let addr = server.base().trim_start_matches("http://").to_string();
    drop(server);
    assert!(
        TcpStream::connect(&addr).is_err(),
        "the port is closed once the server is dropped"
    );
}

/// The server works with the HTTP client gvmr itself uses, and its faults
/// surface there as errors.
#[test]
fn server_works_with_reqwest() {
    // gvmr's reqwest is built without a default TLS crypto provider.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    let server = TestServer::start();
    let body: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    server.put("/big", body.clone());

    let r = client.get(server.url("/big")).send().unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.bytes().unwrap(), body);

    let r = client
        .get(server.url("/big"))
        .header("Range", "bytes=1000-")
        .send()
        .unwrap();
    assert_eq!(r.status(), 206);
    assert_eq!(r.bytes().unwrap(), body[1000..]);

    server.fault("/big", Fault::Truncate(1000));
    let r = client.get(server.url("/big")).send().unwrap();
    assert!(r.bytes().is_err(), "a truncated body is an error");

    server.fault("/big", Fault::Reset);
    assert!(client.get(server.url("/big")).send().is_err());

    server.fault("/big", Fault::Stall(Duration::from_secs(30)));
    let stalled = client
        .get(server.url("/big"))
        .send()
        .and_then(|r| r.bytes());
    // Timed out, not served late: the stall outlasts the client's timeout.
    assert!(stalled.unwrap_err().is_timeout());

    server.clear_fault("/big");
    assert_eq!(
        client
            .get(server.url("/big"))
            .send()
            .unwrap()
            .bytes()
            .unwrap(),
        body
    );
    assert_eq!(server.count("/big"), 6);
}

// ---------------------------------------------------------------------------
// mirror.rs: archives

/// (path, entry type, mode, contents) of every entry.
fn list_tar(tar_bytes: &[u8]) -> Vec<(Vec<u8>, tar::EntryType, u32, Vec<u8>)> {
    let mut archive = tar::Archive::new(tar_bytes);
    archive
        .entries()
        .unwrap()
        .map(|e| {
            let mut e = e.unwrap();
            let path = e.path_bytes().into_owned();
            let ty = e.header().entry_type();
            let mode = e.header().mode().unwrap();
            let mut data = Vec::new();
            e.read_to_end(&mut data).unwrap();
            (path, ty, mode, data)
        })
        .collect()
}

fn gunzip(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(data)
        .read_to_end(&mut out)
        .expect("valid gzip");
    out
}

#[test]
fn fake_go_archive_looks_like_a_go_release() {
    let archive = fake_go_archive("go1.22.5");
    assert_eq!(archive, fake_go_archive("go1.22.5"), "deterministic");
    assert_ne!(archive, fake_go_archive("go1.21.0"));

    let entries = list_tar(&gunzip(&archive));
    let summary: Vec<(String, tar::EntryType, u32)> = entries
        .iter()
        .map(|(p, t, m, _)| (String::from_utf8(p.clone()).unwrap(), *t, *m))
        .collect();
    use tar::EntryType::{Directory as D, Regular as F};
    let expected = [
        ("go/", D, 0o755),
        ("go/VERSION", F, 0o644),
        ("go/bin/", D, 0o755),
        ("go/bin/go", F, 0o755),
        ("go/bin/gofmt", F, 0o755),
        ("go/pkg/", D, 0o755),
        ("go/pkg/tool/", D, 0o755),
        ("go/pkg/tool/linux_amd64/", D, 0o755),
        ("go/pkg/tool/linux_amd64/compile", F, 0o755),
        ("go/src/", D, 0o755),
        ("go/src/fmt/", D, 0o755),
        ("go/src/fmt/print.go", F, 0o644),
    ];
    let expected: Vec<(String, tar::EntryType, u32)> = expected
        .iter()
        .map(|(p, t, m)| (p.to_string(), *t, *m))
        .collect();
    assert_eq!(summary, expected);
    assert_eq!(entries[1].3, b"go1.22.5\ntime 2024-06-27T20:11:12Z\n");

    // Unpacked, the scripts behave like the go command.
    let dir = tempfile::tempdir().unwrap();
    tar::Archive::new(flate2::read::GzDecoder::new(&archive[..]))
        .unpack(dir.path())
        .unwrap();
    let go = dir.path().join("go/bin/go");
    let run = |program: &std::path::Path, args: &[&str]| {
        let out = std::process::Command::new(program)
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap()
    };
    assert_eq!(run(&go, &["version"]), "go version go1.22.5 linux/amd64\n");
    let goroot = dir.path().join("go").canonicalize().unwrap();
    assert_eq!(
        run(&go, &["env", "GOROOT"]),
        format!("{}\n", goroot.display())
    );
    assert_eq!(run(&go, &["build", "./..."]), "fake go build ./...\n");
    assert_eq!(run(&dir.path().join("go/bin/gofmt"), &[]), "fake gofmt\n");
    assert_eq!(
        run(&dir.path().join("go/pkg/tool/linux_amd64/compile"), &[]),
        "fake compile\n"
    );
}

#[test]
fn archive_builder_writes_hostile_entries_verbatim() {
    let long_name = format!("go/{}", "d/".repeat(60)) + "deep.txt";
    let builder = ArchiveBuilder::new()
        .dir("go")
        .raw_path_file("../evil", "pwned")
        .raw_path_file("/etc/x", "abs")
        .raw_path_file(&b"go/\xffbad"[..], "non-utf8")
        .file("go/run.sh", "#!/bin/sh\n", 0o700)
        .symlink("go/escape", "../../../etc/passwd")
        .hardlink("go/hard", "go/run.sh")
        .fifo("go/pipe")
        .file(&long_name, "deep", 0o644);
    let tar_bytes = builder.build_tar();

    // The second header (after the 512-byte "go/" header) holds "../evil"
    // byte for byte, NUL-padded, with a valid checksum.
    let header = &tar_bytes[512..1024];
    assert_eq!(&header[..8], b"../evil\0");
    assert!(header[8..100].iter().all(|&b| b == 0));
    let parsed = tar::Header::from_byte_slice(header);
    assert_eq!(parsed.cksum().unwrap(), {
        let mut copy = parsed.clone();
        copy.set_cksum();
        copy.cksum().unwrap()
    });

    let entries = list_tar(&tar_bytes);
    let paths: Vec<&[u8]> = entries.iter().map(|e| &e.0[..]).collect();
    assert_eq!(
        paths,
        [
            &b"go/"[..],
            b"../evil",
            b"/etc/x",
            b"go/\xffbad",
            b"go/run.sh",
            b"go/escape",
            b"go/hard",
            b"go/pipe",
            long_name.as_bytes(),
        ]
    );
    assert_eq!(entries[1].3, b"pwned");
    assert_eq!(
        (entries[4].1, entries[4].2),
        (tar::EntryType::Regular, 0o700)
    );
    assert_eq!(entries[5].1, tar::EntryType::Symlink);
    assert_eq!(entries[6].1, tar::EntryType::Link);
    assert_eq!(entries[7].1, tar::EntryType::Fifo);
    assert_eq!(entries[8].3, b"deep");

    let mut archive = tar::Archive::new(&tar_bytes[..]);
    let links: Vec<Option<Vec<u8>>> = archive
        .entries()
        .unwrap()
        .map(|e| e.unwrap().link_name_bytes().map(|l| l.into_owned()))
        .collect();
    assert_eq!(links[5].as_deref(), Some(&b"../../../etc/passwd"[..]));
    assert_eq!(links[6].as_deref(), Some(&b"go/run.sh"[..]));

    // The gzip form holds the same tar.
    assert_eq!(gunzip(&builder.build_tar_gz()), tar_bytes);
}

// ---------------------------------------------------------------------------
// mirror.rs: listing and mirror

#[test]
fn listing_json_has_the_go_dev_shape() {
    let file = ListingFile {
        filename: "go1.22.5.linux-amd64.tar.gz".into(),
        os: "linux".into(),
        arch: "amd64".into(),
        version: "go1.22.5".into(),
        sha256: sha256_hex(b""),
        size: 42,
        kind: "archive".into(),
    };
    let releases = [ListingRelease {
        version: "go1.22.5".into(),
        stable: true,
        files: vec![file],
    }];
    let value: serde_json::Value = serde_json::from_str(&listing_json(&releases)).unwrap();
    assert_eq!(
        value,
        serde_json::json!([{
            "version": "go1.22.5",
            "stable": true,
            "files": [{
                "filename": "go1.22.5.linux-amd64.tar.gz",
                "os": "linux",
                "arch": "amd64",
                "version": "go1.22.5",
                "sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                "size": 42,
                "kind": "archive"
            }]
        }])
    );
}

#[test]
fn go_versions_compare_like_go_releases() {
    let ascending = [
        "go1.9",
        "go1.9.2",
        "go1.10beta1",
        "go1.10rc1",
        "go1.10rc2",
        "go1.10",
        "go1.21rc2",
        "go1.21.0",
        "go1.21.10",
        "go1.22.4",
        "go1.22.5",
        "go1.23rc1",
        "go1.23.0",
    ];
    for (i, a) in ascending.iter().enumerate() {
        for (j, b) in ascending.iter().enumerate() {
            assert_eq!(compare_go_versions(a, b), i.cmp(&j), "{a} vs {b}");
        }
    }
    assert_eq!(compare_go_versions("go1.21", "go1.21.0"), Ordering::Equal);
}

#[test]
fn mirror_publishes_archives_checksums_signatures_and_listing() {
    let server = TestServer::start();
    let key = TestKey::generate("Mirror Test <mirror@example.org>");
    let mut mirror = Mirror::new(&server, &key);
    assert!(std::ptr::eq(mirror.server(), &server));

    let p = mirror.publish("go1.22.5", true);
    assert_eq!(p.filename, "go1.22.5.linux-amd64.tar.gz");
    assert_eq!(p.path, "/dl/go1.22.5.linux-amd64.tar.gz");
    assert_eq!(p.archive, fake_go_archive("go1.22.5"));
    assert_eq!(p.sha256_hex, sha256_hex(&p.archive));
    assert_eq!(p.sha256_hex.len(), 64);
    mirror.publish("go1.21.0", true);
    mirror.publish("go1.23rc1", false);
    let custom = mirror.publish_archive("go1.22.4", true, b"not really an archive".to_vec());
    mirror.publish_platform(
        "go1.22.5",
        true,
        "darwin",
        "arm64",
        fake_go_archive("go1.22.5"),
    );
    let json = mirror.write_listing();

    assert_eq!(mirror.base_url(), format!("{}/dl/", server.base()));
    assert_eq!(mirror.index_url(), server.url("/listing.json"));

    // What the server holds.
    assert_eq!(get(&server, &p.path).body, p.archive);
    assert_eq!(
        get(&server, &format!("{}.sha256", p.path)).body,
        p.sha256_hex.as_bytes(),
        "bare hex, no newline"
    );
    let asc = get(&server, &format!("{}.asc", p.path)).body;
    assert_eq!(asc, p.signature);
    assert!(asc.starts_with(b"-----BEGIN PGP SIGNATURE-----"));
    verify(&key.cert, &asc, &p.archive).expect("the published signature verifies");
    verify(&key.cert, &custom.signature, b"not really an archive").unwrap();
    assert_eq!(get(&server, "/listing.json").body, json.as_bytes());

    // The listing: newest first, pre-releases below their release line.
    let listing: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
    let versions: Vec<&str> = listing
        .iter()
        .map(|r| r["version"].as_str().unwrap())
        .collect();
    assert_eq!(versions, ["go1.23rc1", "go1.22.5", "go1.22.4", "go1.21.0"]);
    assert_eq!(listing[0]["stable"], false);
    assert_eq!(listing[1]["stable"], true);
    let files = listing[1]["files"].as_array().unwrap();
    assert_eq!(files.len(), 2);
    assert_eq!(files[0]["filename"], "go1.22.5.linux-amd64.tar.gz");
    assert_eq!(files[0]["sha256"], p.sha256_hex.as_str());
    assert_eq!(files[0]["size"], p.archive.len() as u64);
    assert_eq!(files[1]["filename"], "go1.22.5.darwin-arm64.tar.gz");
    assert_eq!(
        (files[1]["os"].as_str(), files[1]["arch"].as_str()),
        (Some("darwin"), Some("arm64"))
    );
    assert_eq!(mirror.releases().len(), 4);

    // Republishing replaces the file in its release.
    let again = mirror.publish_archive("go1.21.0", true, b"v2".to_vec());
    mirror.write_listing();
    let rel = &mirror.releases()[3];
    assert_eq!(rel.files.len(), 1);
    assert_eq!(rel.files[0].sha256, again.sha256_hex);
    assert_eq!(get(&server, &again.path).body, b"v2");
}

#[test]
fn a_session_isolates_gvmr() {
    let key = TestKey::generate("Session Test <session@example.org>");
    let fingerprint = key.cert.fingerprint();
    let s = Session::with_key(key);

    assert!(s.home().is_dir() && s.project().is_dir() && s.user_home().is_dir());
    assert_eq!(s.versions_dir(), s.home().join("versions"));
    assert_eq!(s.goroot("1.22.5"), s.home().join("versions/go1.22.5"));
    assert_eq!(s.goroot("go1.22.5"), s.goroot("1.22.5"));
    assert!(s.home().starts_with(s.root()));
    assert_eq!(std::fs::canonicalize(s.root()).unwrap(), s.root());
    let keyring = Cert::from_file(s.keyring()).unwrap();
    assert_eq!(keyring.fingerprint(), fingerprint);

    // The command is only inspected here, not run.
    let cmd = s.gvmr();
    let envs: std::collections::HashMap<String, Option<String>> = cmd
        .get_envs()
        .map(|(k, v)| {
            (
                k.to_string_lossy().into_owned(),
                v.map(|v| v.to_string_lossy().into_owned()),
            )
        })
        .collect();
    let set = |k: &str| envs.get(k).cloned().flatten();
    assert_eq!(set("GVMR_HOME").as_deref(), s.home().to_str());
    assert_eq!(set("HOME").as_deref(), s.user_home().to_str());
    assert_eq!(set("GVMR_KEYRING").as_deref(), s.keyring().to_str());
    assert_eq!(set("GVMR_INDEX_URL"), Some(s.index_url()));
    assert_eq!(set("GVMR_MIRROR"), Some(s.mirror_url()));
    assert_eq!(set("NO_COLOR").as_deref(), Some("1"));
    assert_eq!(envs.get("XDG_DATA_HOME"), Some(&None), "removed");
    assert_eq!(cmd.get_current_dir(), Some(s.project().as_path()));
    assert!(cmd.get_program().to_string_lossy().ends_with("gvmr"));

    // A fresh GVMR_HOME, and one with another name.
    std::fs::write(s.home().join("marker"), "x").unwrap();
    s.clear_home();
    assert!(s.home().is_dir() && dir_names(s.home()).is_empty());
    let odd = s.home_named("odd 'home'");
    assert_eq!(odd.home(), odd.root().join("odd 'home'"));
    assert!(odd.home().is_dir());
}

/// The example at the top of `support/mod.rs`, as written there.
#[test]
fn the_documented_session_holds() {
    let s = Session::usual();
    let output = s.gvmr().args(["uninstall", "1.22.5"]).output().unwrap();
    assert_transcript!(s, output, @r"
    exit: 3
    --- stdout
    --- stderr
    error: go1.22.5 is not installed (nothing is installed)
    hint: run `gvmr list` to see what is installed
    ");
    s.install(&["1.22.5"]);
    assert_eq!(s.version_names(), ["go1.22.5"]);
    assert_eq!(s.server.count(PATH), 1);
}

#[test]
fn a_session_publishes_and_lists_releases() {
    let s = Session::usual();
    let listing: Vec<serde_json::Value> =
        serde_json::from_slice(&s.server.get("/listing.json").unwrap()).unwrap();
    let listed: Vec<(&str, bool)> = listing
        .iter()
        .map(|r| {
            (
                r["version"].as_str().unwrap(),
                r["stable"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        [("go1.23rc1", false), ("go1.22.5", true), ("go1.22.4", true)]
    );
    for version in USUAL {
        let path = format!("/dl/{version}.linux-amd64.tar.gz");
        assert_eq!(s.server.get(&path).unwrap(), fake_go_archive(version));
        assert!(s.server.get(&format!("{path}.asc")).is_some());
    }

    // Published but not listed: the mirror has it, the listing does not.
    let late = s.publish_unlisted("go1.22.6", "linux", "amd64", fake_go_archive("go1.22.6"));
    assert!(s.server.get(&late.path).is_some());
    let json = String::from_utf8(s.server.get("/listing.json").unwrap()).unwrap();
    assert!(!json.contains("go1.22.6"));
    assert!(s.write_listing().contains("go1.22.6"));
}

#[test]
fn session_filters_hide_what_changes_between_runs() {
    let s = Session::new();
    let sha = sha256_hex(b"x");
    let text = format!(
        "{root}/gvmr-home at {server}/dl/ ({fp}), sha256 {sha} or {short}…{tail}, key {id}…, \
         made 2024-07-03; other {other} (1.25 s) cache/listing-0123456789abcdef.json",
        root = s.root().display(),
        server = s.server.base(),
        fp = s.key.fingerprint_hex(),
        short = &sha[..8],
        tail = &sha[60..],
        id = &s.key.signing_subkey_fingerprint_hex()[..8],
        other = "0123456789ABCDEF0123",
    );
    s.filters().bind(|| {
        insta::assert_snapshot!(text, @"[ROOT]/gvmr-home at [SERVER]/dl/ ([FINGERPRINT]), sha256 [SHA256] or [SHA256], key [KEY]…, made [DATE]; other [HEX] ([T] s) cache/listing-[HASH].json");
    });
}

// ---------------------------------------------------------------------------
// keys.rs

/// Verifies a detached signature with sequoia's standard policy at the
/// current time; `Ok` only when a signature is good.
fn verify(cert: &Cert, signature: &[u8], data: &[u8]) -> openpgp::Result<()> {
    struct Helper<'a>(&'a Cert);
    impl VerificationHelper for Helper<'_> {
        fn get_certs(&mut self, _: &[KeyHandle]) -> openpgp::Result<Vec<Cert>> {
            Ok(vec![self.0.clone()])
        }
        fn check(&mut self, structure: MessageStructure) -> openpgp::Result<()> {
            for layer in structure {
                if let MessageLayer::SignatureGroup { results } = layer {
                    for result in results {
                        if result.is_ok() {
                            return Ok(());
                        }
                    }
                }
            }
            Err(openpgp::Error::BadSignature("no good signature".into()).into())
        }
    }
    let policy = StandardPolicy::new();
    let mut verifier =
        DetachedVerifierBuilder::from_bytes(signature)?.with_policy(&policy, None, Helper(cert))?;
    verifier.verify_bytes(data)
}

const DAY: Duration = Duration::from_secs(86_400);

#[test]
fn test_key_is_shaped_like_the_go_release_key() {
    let key = TestKey::generate("Shape <shape@example.org>");
    let policy = StandardPolicy::new();
    let valid = key.cert.with_policy(&policy, None).unwrap();
    let primary = valid.primary_key();
    let flags = primary.key_flags().unwrap();
    assert!(flags.for_certification() && !flags.for_signing());
    let subkeys: Vec<_> = valid.keys().subkeys().collect();
    assert_eq!(subkeys.len(), 1);
    assert!(subkeys[0].key_flags().unwrap().for_signing());
    assert_eq!(
        subkeys[0].key().fingerprint().to_hex(),
        key.signing_subkey_fingerprint_hex()
    );
    assert_eq!(key.fingerprint_hex(), key.cert.fingerprint().to_hex());
    assert_eq!(key.fingerprint_hex().len(), 40);
    assert_ne!(key.fingerprint_hex(), key.signing_subkey_fingerprint_hex());
    assert_eq!(
        valid.revocation_status(),
        RevocationStatus::NotAsFarAsWeKnow
    );

    let public = key.public_armored();
    assert!(public.starts_with(b"-----BEGIN PGP PUBLIC KEY BLOCK-----"));
    let parsed = Cert::from_bytes(&public).unwrap();
    assert!(!parsed.is_tsk(), "no secret key material in the keyring");
    assert_eq!(parsed.fingerprint(), key.cert.fingerprint());

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keyring.asc");
    key.write_keyring(&path);
    assert_eq!(std::fs::read(&path).unwrap(), public);
}

#[test]
fn sequoia_signatures_verify_and_tampering_fails() {
    let key = TestKey::generate("Signer <signer@example.org>");
    let public = Cert::from_bytes(&key.public_armored()).unwrap();
    let data = b"go1.22.5.linux-amd64.tar.gz contents";

    let armored = key.sign_detached(data);
    assert!(armored.starts_with(b"-----BEGIN PGP SIGNATURE-----"));
    verify(&public, &armored, data).expect("armored signature verifies");

    let binary = key.sign_detached_binary(data);
    assert_eq!(binary[0] & 0x80, 0x80, "a binary OpenPGP packet");
    verify(&public, &binary, data).expect("binary signature verifies");

    // The signature names the subkey as its issuer.
    let sig = openpgp::Packet::from_bytes(&binary).unwrap();
    let openpgp::Packet::Signature(sig) = sig else {
        panic!("not a signature")
    };
    assert_eq!(
        sig.get_issuers()[0].to_hex(),
        key.signing_subkey_fingerprint_hex()
    );

    assert!(verify(&public, &armored, b"tampered").is_err());
    let other = TestKey::generate("Other <other@example.org>");
    assert!(verify(&other.cert, &armored, data).is_err(), "another key");
}

#[test]
fn signatures_outside_the_subkey_lifetime_do_not_verify() {
    let now = SystemTime::now();
    let created = now - 730 * DAY;
    let key = TestKey::generate_with("Old <old@example.org>", created, Some(365 * DAY));
    let data = b"an old release";

    // Made while the subkey was alive: still good today.
    let during = key.sign_detached_at(data, created + 100 * DAY);
    verify(&key.cert, &during, data).expect("a signature from the subkey's lifetime verifies");

    // Made after the subkey expired.
    let after = key.sign_detached_at(data, created + 400 * DAY);
    assert!(verify(&key.cert, &after, data).is_err(), "after expiry");
    let now_sig = key.sign_detached(data);
    assert!(
        verify(&key.cert, &now_sig, data).is_err(),
        "now, after expiry"
    );

    // Made before the key existed, or in the future.
    let before = key.sign_detached_at(data, created - DAY);
    assert!(verify(&key.cert, &before, data).is_err(), "before creation");
    let fresh = TestKey::generate("Fresh <fresh@example.org>");
    let future = fresh.sign_detached_at(data, now + 30 * DAY);
    assert!(
        verify(&fresh.cert, &future, data).is_err(),
        "from the future"
    );
}

#[test]
fn gpg_signatures_verify_with_sequoia() {
    let dir = tempfile::tempdir().unwrap();
    let data_path = dir.path().join("go1.22.5.linux-amd64.tar.gz");
    let data = fake_go_archive("go1.22.5");
    std::fs::write(&data_path, &data).unwrap();

    let (public, signature) = gpg_sign_detached(&data_path, dir.path());
    assert_eq!(
        std::fs::read(dir.path().join("gpg-public.asc")).unwrap(),
        public
    );
    assert_eq!(
        std::fs::read(dir.path().join("go1.22.5.linux-amd64.tar.gz.asc")).unwrap(),
        signature
    );

    let cert = Cert::from_bytes(&public).unwrap();
    assert!(!cert.is_tsk());
    assert_eq!(
        cert.keys().subkeys().count(),
        1,
        "a signing subkey, like Go's key"
    );
    verify(&cert, &signature, &data).expect("gpg's signature verifies with sequoia");
    assert!(verify(&cert, &signature, b"tampered").is_err());

    // gpg signed with the subkey, not the primary.
    let sig = openpgp::Packet::from_bytes(&signature).unwrap();
    let openpgp::Packet::Signature(sig) = sig else {
        panic!("not a signature")
    };
    let subkey = cert.keys().subkeys().next().unwrap().key().fingerprint();
    assert!(
        sig.get_issuers()
            .iter()
            .any(|h| h.aliases(KeyHandle::from(&subkey)))
    );
}
