//! Hostile networks: `gvmr install` against a loopback mirror that resets,
//! truncates, stalls, trickles, redirects, throttles and ignores `Range`.
//! Transient faults are retried (with a short `GVMR_RETRY_BACKOFF_MS` here),
//! partial downloads are resumed with `Range: bytes=N-` and still verified
//! over every byte, and when everything fails the run exits 4 naming each
//! mirror, its last error and the attempts made, with nothing installed.

use crate::support::mirror::{ArchiveBuilder, sha256_hex};
use crate::support::server::Fault;
use crate::support::{FILE, PATH, Session, stderr_of};
use std::path::PathBuf;
use std::process::{Output, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

/// The archive's random payload: big enough to cut and resume.
const PAYLOAD: usize = 300 * 1024;

/// A Go-like archive of about 300 KB that does not compress (so cuts land
/// mid-file), deterministic.
fn big_archive() -> Vec<u8> {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let payload: Vec<u8> = (0..PAYLOAD)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect();
    ArchiveBuilder::new()
        .dir("go")
        .file("go/VERSION", "go1.22.5\ntime 2024-06-27T20:11:12Z\n", 0o644)
        .dir("go/bin")
        .file(
            "go/bin/go",
            "#!/bin/sh\necho \"go version go1.22.5 linux/amd64\"\n",
            0o755,
        )
        .dir("go/pkg")
        .file("go/pkg/payload.bin", payload, 0o644)
        .build_tar_gz()
}

/// A session publishing go1.22.5 as the big archive; the archive's bytes.
fn setup() -> (Session, Vec<u8>) {
    let s = Session::new();
    let archive = big_archive();
    assert!(archive.len() > PAYLOAD, "the payload must not compress");
    s.publish_archive("go1.22.5", archive.clone());
    (s, archive)
}

fn partial_path(s: &Session) -> PathBuf {
    s.home().join("downloads").join(format!("{FILE}.partial"))
}

/// `gvmr install 1.22.5` with a short backoff; more variables from `vars`.
fn install(s: &Session, vars: &[(&str, &str)]) -> Output {
    let mut cmd = s.gvmr();
    cmd.env("GVMR_RETRY_BACKOFF_MS", "20");
    for (name, value) in vars {
        cmd.env(name, value);
    }
    cmd.args(["install", "1.22.5"]).output().expect("run gvmr")
}

/// Asserts the run succeeded and installed exactly `archive`, verified; no
/// partial or work directory is left. Returns stderr.
#[track_caller]
fn assert_installed(s: &Session, output: &Output, archive: &[u8]) -> String {
    let stderr = stderr_of(output);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("Verified sha256"), "{stderr}");
    assert!(stderr.contains("Installed go1.22.5 in"), "{stderr}");
    assert_eq!(s.version_names(), ["go1.22.5"]);
    let payload = std::fs::read(s.versions_dir().join("go1.22.5/pkg/payload.bin")).unwrap();
    assert_eq!(payload.len(), PAYLOAD);
    let downloads = s.downloads();
    assert_eq!(
        downloads.keys().collect::<Vec<_>>(),
        [FILE, &format!("{FILE}.asc"), &format!("{FILE}.sha256")],
        "the verified archive is cached and no partial is left"
    );
    assert_eq!(sha256_hex(&downloads[FILE]), sha256_hex(archive));
    assert_eq!(s.tmp_after_purge(), Vec::<String>::new());
    stderr
}

/// Asserts the run failed with `code`, every needle in stderr, and nothing
/// installed. Returns stderr.
#[track_caller]
fn assert_failed(s: &Session, output: &Output, code: i32, needles: &[&str]) -> String {
    let stderr = stderr_of(output);
    assert_eq!(output.status.code(), Some(code), "{stderr}");
    for needle in needles {
        assert!(stderr.contains(needle), "{needle:?} not in:\n{stderr}");
    }
    assert!(!stderr.contains("Installed"), "{stderr}");
    s.assert_nothing_installed();
    assert!(!s.downloads().contains_key(FILE));
    stderr
}

// ---------------------------------------------------------------------------
// Retried and resumed

#[test]
fn a_reset_connection_is_retried_then_succeeds() {
    let (s, archive) = setup();
    s.server.fault(PATH, Fault::ResetTimes(1));

    let output = install(&s, &[]);
    let stderr = assert_installed(&s, &output, &archive);
    assert!(
        stderr.contains("retrying in 0.02 s (attempt 2 of 3)"),
        "{stderr}"
    );
    assert_eq!(s.server.count(PATH), 2);
}

#[test]
fn a_truncated_body_is_resumed_with_a_range_request() {
    let (s, archive) = setup();
    s.server.fault(PATH, Fault::TruncateOnce(100_000));

    let output = install(&s, &[]);
    let stderr = assert_installed(&s, &output, &archive);
    assert_eq!(
        s.server.ranges(PATH),
        [None, Some("bytes=100000-".to_string())]
    );
    assert!(
        stderr.contains(&format!(
            "the transfer ended after 100000 of {} bytes: ",
            archive.len()
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("Resuming download of {FILE} at 0.1 MB")),
        "{stderr}"
    );
}

#[test]
fn a_server_ignoring_ranges_gets_a_full_download() {
    let (s, archive) = setup();
    s.server.fault(PATH, Fault::IgnoreRange);
    // What an interrupted run left.
    std::fs::create_dir_all(s.home().join("downloads")).unwrap();
    std::fs::write(partial_path(&s), &archive[..50_000]).unwrap();

    let output = install(&s, &[]);
    let stderr = assert_installed(&s, &output, &archive);
    assert_eq!(s.server.ranges(PATH), [Some("bytes=50000-".to_string())]);
    assert!(
        stderr.contains("does not resume downloads; downloading"),
        "{stderr}"
    );
    assert!(!stderr.contains("Resuming"), "{stderr}");
}

#[test]
fn a_partial_longer_than_the_file_is_discarded_and_downloaded_again() {
    let (s, archive) = setup();
    let mut stale = archive.clone();
    stale.extend_from_slice(b"junk");
    std::fs::create_dir_all(s.home().join("downloads")).unwrap();
    std::fs::write(partial_path(&s), &stale).unwrap();

    let output = install(&s, &[]);
    assert_installed(&s, &output, &archive);
    // 416 for the range, then the whole file.
    assert_eq!(
        s.server.ranges(PATH),
        [Some(format!("bytes={}-", stale.len())), None]
    );
}

#[test]
fn service_unavailable_is_retried_with_and_without_retry_after() {
    let (s, archive) = setup();

    // No Retry-After: the backoff.
    s.server.fault(
        PATH,
        Fault::FailTimes {
            status: 503,
            times: 2,
            retry_after: None,
        },
    );
    let output = install(&s, &[]);
    let stderr = assert_installed(&s, &output, &archive);
    assert!(
        stderr.contains(&format!(
            "{}: HTTP 503; retrying in 0.04 s (attempt 3 of 3)",
            s.server.url(PATH)
        )),
        "{stderr}"
    );
    assert_eq!(s.server.count(PATH), 3);

    // Retry-After: 1 (on a 429 this time) is waited for.
    s.server.clear_requests();
    s.clear_home();
    s.server.fault(
        PATH,
        Fault::FailTimes {
            status: 429,
            times: 1,
            retry_after: Some(1),
        },
    );
    let started = Instant::now();
    let output = install(&s, &[]);
    let took = started.elapsed();
    let stderr = assert_installed(&s, &output, &archive);
    assert!(stderr.contains("HTTP 429; retrying in 1.00 s"), "{stderr}");
    assert!(took >= Duration::from_secs(1), "took {took:?}");
    assert_eq!(s.server.count(PATH), 2);
}

#[test]
fn a_signature_and_checksum_that_fail_once_are_retried() {
    let (s, archive) = setup();
    // Without the listing the checksum comes from the mirror's .sha256.
    s.server.fault("/listing.json", Fault::Status(404));
    for path in [format!("{PATH}.sha256"), format!("{PATH}.asc")] {
        s.server.fault(
            &path,
            Fault::FailTimes {
                status: 503,
                times: 1,
                retry_after: None,
            },
        );
    }

    let output = install(&s, &[]);
    let stderr = assert_installed(&s, &output, &archive);
    for path in [format!("{PATH}.sha256"), format!("{PATH}.asc")] {
        assert!(
            stderr.contains(&format!(
                "{}: HTTP 503; retrying in 0.02 s (attempt 2 of 3)",
                s.server.url(&path)
            )),
            "{stderr}"
        );
        assert_eq!(s.server.count(&path), 2, "{path}");
    }
    // A 404 is an answer, not a transient failure: not retried.
    s.server.clear_requests();
    s.clear_home();
    s.server.clear_fault(&format!("{PATH}.asc"));
    s.server.remove(&format!("{PATH}.asc"));
    let output = install(&s, &[]);
    assert_failed(&s, &output, 5, &["no signature for"]);
    assert_eq!(s.server.count(&format!("{PATH}.asc")), 1);
}

#[test]
fn a_retry_after_longer_than_30_seconds_gives_up_on_the_mirror() {
    let (s, _) = setup();
    s.server.fault(
        PATH,
        Fault::FailTimes {
            status: 503,
            times: 10,
            retry_after: Some(120),
        },
    );

    // It gives up at the first answer (one request) instead of waiting.
    let output = install(&s, &[]);
    assert_failed(
        &s,
        &output,
        4,
        &[&format!(
            "error: cannot download {FILE}: every mirror failed:\n  - {}: HTTP 503 (the server asks to retry after 120 s, more than the 30 s gvmr waits: gave up on this mirror) (1 attempt)",
            s.server.url(PATH)
        )],
    );
    assert_eq!(s.server.count(PATH), 1);
}

#[test]
fn a_mirror_failing_with_500_forever_falls_back_to_the_next() {
    let (s, archive) = setup();
    let second = format!("/second/{FILE}");
    s.server.put(&second, archive.clone());
    s.server.fault(PATH, Fault::Status(500));
    let mirrors = format!("{},{}", s.mirror_url(), s.server.url("/second"));

    let output = install(&s, &[("GVMR_MIRROR", &mirrors)]);
    assert_installed(&s, &output, &archive);
    assert_eq!(
        s.server.count(PATH),
        3,
        "three attempts at the first mirror"
    );
    assert_eq!(s.server.count(&second), 1);

    // GVMR_RETRIES=0: one attempt per mirror.
    s.server.clear_requests();
    s.clear_home();
    let output = install(&s, &[("GVMR_MIRROR", &mirrors), ("GVMR_RETRIES", "0")]);
    assert_installed(&s, &output, &archive);
    assert_eq!(s.server.count(PATH), 1);
}

#[test]
fn a_404_moves_to_the_next_mirror_without_retrying() {
    let (s, archive) = setup();
    let second = format!("/second/{FILE}");
    s.server.put(&second, archive.clone());
    s.server.fault(PATH, Fault::Status(404));
    let mirrors = format!("{},{}", s.mirror_url(), s.server.url("/second"));

    let output = install(&s, &[("GVMR_MIRROR", &mirrors)]);
    let stderr = assert_installed(&s, &output, &archive);
    assert_eq!(s.server.count(PATH), 1, "a 404 is not retried");
    assert_eq!(s.server.count(&second), 1);
    assert!(!stderr.contains("retrying"), "{stderr}");
}

#[test]
fn a_redirect_chain_is_followed() {
    let (s, archive) = setup();
    s.server.put(&format!("/real/{FILE}"), archive.clone());
    s.server
        .fault(PATH, Fault::Redirect(format!("/hop1/{FILE}")));
    s.server.fault(
        &format!("/hop1/{FILE}"),
        Fault::Redirect(format!("/hop2/{FILE}")),
    );
    // An absolute Location works too.
    s.server.fault(
        &format!("/hop2/{FILE}"),
        Fault::Redirect(s.server.url(&format!("/real/{FILE}"))),
    );

    let output = install(&s, &[]);
    assert_installed(&s, &output, &archive);
    for path in [
        PATH.to_string(),
        format!("/hop1/{FILE}"),
        format!("/hop2/{FILE}"),
        format!("/real/{FILE}"),
    ] {
        assert_eq!(s.server.count(&path), 1, "{path}");
    }
}

#[test]
fn a_redirect_loop_fails_clearly() {
    let (s, _) = setup();
    s.server
        .fault(PATH, Fault::Redirect(format!("/loop/{FILE}")));
    s.server
        .fault(&format!("/loop/{FILE}"), Fault::Redirect(PATH.to_string()));

    let output = install(&s, &[]);
    assert_failed(
        &s,
        &output,
        4,
        &[&format!(
            "error: cannot download {FILE}: every mirror failed:\n  - {}: more than 10 redirects (a redirect loop?) (1 attempt)",
            s.server.url(PATH)
        )],
    );
    // Followed ten times, not retried.
    assert!(s.server.count(PATH) <= 6, "{}", s.server.count(PATH));
}

#[test]
fn a_stall_is_retried_then_fails_listing_the_attempts() {
    let (s, _) = setup();
    s.server.fault(PATH, Fault::Stall(Duration::from_secs(60)));

    let output = install(&s, &[("GVMR_HTTP_TIMEOUT", "1")]);
    let stderr = assert_failed(
        &s,
        &output,
        4,
        &[
            &format!(
                "error: cannot download {FILE}: every mirror failed:\n  - {}: ",
                s.server.url(PATH)
            ),
            "(3 attempts)\n",
            "hint: check your network",
        ],
    );
    // Each of the three attempts gave up on the 60 s stall: timed out.
    assert!(stderr.contains("timed out"), "{stderr}");
    assert_eq!(s.server.count(PATH), 3);
    assert!(!partial_path(&s).exists(), "an empty partial is not kept");
}

#[test]
fn a_slow_but_steady_trickle_succeeds() {
    let (s, archive) = setup();
    // About 2 s in all, longer than the 1 s timeout, but never 1 s silent.
    s.server.fault(
        PATH,
        Fault::Trickle {
            bytes_per_write: 16 * 1024,
            delay: Duration::from_millis(100),
        },
    );

    let output = install(&s, &[("GVMR_HTTP_TIMEOUT", "1")]);
    let stderr = assert_installed(&s, &output, &archive);
    assert_eq!(s.server.count(PATH), 1, "{stderr}");
}

#[test]
fn a_body_longer_than_its_content_length_is_cut_at_the_length_and_verifies() {
    let (s, archive) = setup();
    s.server.fault(PATH, Fault::LongerBody(4096));

    // The extra bytes are never read: the archive is exactly
    // Content-Length bytes, which are the published ones.
    let output = install(&s, &[]);
    assert_installed(&s, &output, &archive);
}

// ---------------------------------------------------------------------------
// Across runs

#[test]
fn a_killed_download_is_resumed_by_the_next_run() {
    let (s, archive) = setup();
    s.server.fault(
        PATH,
        Fault::Trickle {
            bytes_per_write: 8 * 1024,
            delay: Duration::from_millis(100),
        },
    );

    let mut child = s
        .std_gvmr()
        .args(["install", "1.22.5"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn gvmr");
    let partial = partial_path(&s);
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::fs::metadata(&partial).map_or(0, |m| m.len()) < 20_000 {
        assert!(Instant::now() < deadline, "the download never started");
        assert!(child.try_wait().unwrap().is_none(), "gvmr exited early");
        sleep(Duration::from_millis(20));
    }
    child.kill().expect("SIGKILL gvmr"); // like a hard Ctrl-C: no cleanup runs
    child.wait().unwrap();
    let have = std::fs::metadata(&partial).unwrap().len();
    assert!(have < archive.len() as u64, "killed mid-download");
    assert!(s.version_names().is_empty());
    assert_eq!(
        std::fs::read(&partial).unwrap(),
        archive[..have as usize],
        "the partial holds exactly what was received"
    );

    s.server.clear_fault(PATH);
    s.server.clear_requests();
    let output = install(&s, &[]);
    let stderr = assert_installed(&s, &output, &archive);
    assert_eq!(s.server.ranges(PATH), [Some(format!("bytes={have}-"))]);
    assert!(
        stderr.contains(&format!("Resuming download of {FILE} at")),
        "{stderr}"
    );
}

#[test]
fn a_corrupt_partial_fails_the_checksum_is_discarded_and_the_next_run_starts_fresh() {
    let (s, archive) = setup();
    let mut tampered = archive[..60_000].to_vec();
    tampered[1234] ^= 0xff;
    std::fs::create_dir_all(s.home().join("downloads")).unwrap();
    std::fs::write(partial_path(&s), &tampered).unwrap();

    let output = install(&s, &[]);
    assert_failed(
        &s,
        &output,
        5,
        &[
            &format!("Resuming download of {FILE} at 0.1 MB"),
            &format!("error: checksum mismatch for {FILE}"),
            &format!(
                "actual:   {}",
                sha256_hex(&{
                    let mut whole = tampered.clone();
                    whole.extend_from_slice(&archive[60_000..]);
                    whole
                })
            ),
        ],
    );
    assert_eq!(s.server.ranges(PATH), [Some("bytes=60000-".to_string())]);
    assert!(!partial_path(&s).exists(), "a corrupt partial is not kept");

    s.server.clear_requests();
    let output = install(&s, &[]);
    assert_installed(&s, &output, &archive);
    assert_eq!(s.server.ranges(PATH), [None], "a fresh download");
}

#[test]
fn an_invalid_retry_setting_is_a_usage_error() {
    let (s, _) = setup();

    let output = install(&s, &[("GVMR_RETRIES", "11")]);
    assert_failed(
        &s,
        &output,
        2,
        &["error: GVMR_RETRIES must be a whole number from 0 to 10, not \"11\""],
    );
    assert_eq!(s.server.count(PATH), 0);
}

#[test]
fn small_fetches_honour_a_retry_after_given_as_a_date() {
    let (s, archive) = setup();
    // The listing, the mirror's .sha256 (none listed) and the .asc are each
    // busy once, asking for a wait until a date 1 s away.
    s.server.fault("/listing.json", Fault::Status(404));
    for path in [format!("{PATH}.sha256"), format!("{PATH}.asc")] {
        s.server.fault(
            &path,
            Fault::FailTimesUntil {
                status: 503,
                times: 1,
                after: Duration::from_secs(1),
            },
        );
    }
    let started = Instant::now();
    let output = install(&s, &[("GVMR_RETRY_BACKOFF_MS", "0")]);
    let stderr = assert_installed(&s, &output, &archive);
    for path in [format!("{PATH}.sha256"), format!("{PATH}.asc")] {
        assert!(
            stderr.contains(&format!("{}: HTTP 503; retrying in ", s.server.url(&path))),
            "{stderr}"
        );
        assert_eq!(s.server.count(&path), 2, "{path}");
    }
    // With no backoff of its own, only the dates made it wait.
    assert!(
        started.elapsed() >= Duration::from_millis(500),
        "it waited for the dates"
    );
}

#[test]
fn the_listing_is_retried_like_every_fetch() {
    let (s, archive) = setup();
    s.server.fault(
        "/listing.json",
        Fault::FailTimes {
            status: 502,
            times: 2,
            retry_after: None,
        },
    );
    let output = install(&s, &[]);
    let stderr = assert_installed(&s, &output, &archive);
    assert!(stderr.contains("(attempt 3 of 3)"), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "(release listing at {})",
            s.server.url("/listing.json")
        )),
        "the listing answered: {stderr}"
    );
    assert_eq!(s.server.count("/listing.json"), 3);
}
