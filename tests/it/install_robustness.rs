//! `gvmr install` when the world misbehaves: an unusable data directory,
//! two installs racing, and an install killed halfway.

use crate::support::server::Fault;
use crate::support::{FILE, PATH, Session, stderr_of, wait_with_timeout};
use predicates::prelude::*;
use predicates::str::contains;
use std::process::{Child, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

fn spawn_install(s: &Session) -> Child {
    s.std_gvmr()
        .args(["install", "1.22.5"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn gvmr")
}

/// `gvmr` started by this test, waited for with a deadline.
#[track_caller]
#[test]
fn a_data_directory_that_cannot_be_created_fails_with_a_filesystem_error() {
    let s = Session::usual();
    // Root ignores permission bits, so use a path below a regular file.
    let file = s.root().join("afile");
    std::fs::write(&file, "not a directory").unwrap();
    let home = file.join("home");

    s.gvmr()
        .env("GVMR_HOME", &home)
        .args(["install", "1.22.5"])
        .assert()
        .code(7)
        .stderr(contains(format!("error: cannot create {}", home.display())))
        .stderr(contains("Not a directory"))
        .stderr(contains("hint: check the data directory (GVMR_HOME)"));
    s.gvmr()
        .env("GVMR_HOME", &home)
        .arg("list")
        .assert()
        .code(7)
        .stderr(contains(format!(
            "error: cannot read {}",
            home.join("versions").display()
        )));
    assert_eq!(s.server.count(PATH), 0, "nothing downloaded");
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "not a directory",
        "untouched"
    );
}

#[test]
fn a_failure_to_move_the_version_into_place_leaves_no_work_directory() {
    let s = Session::usual();
    // `versions` is a file: everything works until the final move.
    std::fs::write(s.versions_dir(), "in the way").unwrap();

    s.gvmr()
        .args(["install", "1.22.5"])
        .assert()
        .code(7)
        .stderr(contains(format!(
            "error: cannot create {}",
            s.versions_dir().display()
        )))
        .stderr(contains("Installed").not());
    assert_eq!(s.tmp_after_purge(), Vec::<String>::new());
    assert_eq!(
        std::fs::read_to_string(s.versions_dir()).unwrap(),
        "in the way"
    );
    // The verified download is kept: the next try needs no network.
    assert!(s.downloads().contains_key(FILE));
    std::fs::remove_file(s.versions_dir()).unwrap();
    s.gvmr()
        .args(["install", "1.22.5"])
        .assert()
        .success()
        .stderr(contains("Using the cached download"));
    assert_eq!(s.server.count(PATH), 1);
    assert_eq!(s.version_names(), ["go1.22.5"]);
}

#[test]
fn two_installs_of_one_version_at_once_install_it_once() {
    let s = Session::usual();
    // Slow enough that the second starts while the first downloads.
    s.server.fault(PATH, Fault::Stall(Duration::from_secs(3)));

    let first = spawn_install(&s);
    let second = spawn_install(&s);
    let outputs = [
        wait_with_timeout(first, Duration::from_secs(60), "gvmr"),
        wait_with_timeout(second, Duration::from_secs(60), "gvmr"),
    ];
    let stderrs: Vec<String> = outputs.iter().map(stderr_of).collect();
    for (output, stderr) in outputs.iter().zip(&stderrs) {
        assert!(output.status.success(), "{stderr}");
    }
    let installed = stderrs
        .iter()
        .filter(|s| s.contains("Installed go1.22.5 in"))
        .count();
    let already = stderrs
        .iter()
        .filter(|s| s.contains("go1.22.5 is already installed"))
        .count();
    assert_eq!((installed, already), (1, 1), "{stderrs:#?}");
    assert_eq!(
        stderrs
            .iter()
            .filter(|s| s.contains("Waiting for another gvmr that is installing go1.22.5"))
            .count(),
        1,
        "the second waited for the first: {stderrs:#?}"
    );
    assert_eq!(s.server.count(PATH), 1, "downloaded once");
    assert_eq!(s.version_names(), ["go1.22.5"]);
    assert_eq!(s.tmp_after_purge(), Vec::<String>::new());
    assert_eq!(
        s.downloads().keys().collect::<Vec<_>>(),
        [FILE, &format!("{FILE}.asc"), &format!("{FILE}.sha256")]
    );
}

#[test]
fn an_install_killed_while_downloading_leaves_nothing_half_installed() {
    let s = Session::usual();
    s.server.fault(PATH, Fault::Stall(Duration::from_secs(120)));

    let mut child = spawn_install(&s);
    let deadline = Instant::now() + Duration::from_secs(30);
    while s.server.count(PATH) == 0 {
        assert!(
            Instant::now() < deadline,
            "gvmr never asked for the archive"
        );
        assert!(child.try_wait().unwrap().is_none(), "gvmr exited early");
        sleep(Duration::from_millis(20));
    }
    child.kill().expect("SIGKILL gvmr"); // SIGKILL: no cleanup can run
    child.wait().unwrap();

    assert!(s.version_names().is_empty(), "{:?}", s.version_names());
    let leftovers = s.tmp_leftovers();
    assert_eq!(
        leftovers.len(),
        1,
        "the killed run's work dir: {leftovers:?}"
    );
    assert!(leftovers[0].starts_with("go1.22.5."), "{leftovers:?}");
    assert!(!s.downloads().contains_key(FILE));

    s.server.clear_fault(PATH);
    s.gvmr()
        .args(["install", "1.22.5"])
        .assert()
        .success()
        .stderr(contains("Installed go1.22.5 in"));
    assert_eq!(s.version_names(), ["go1.22.5"]);
    assert_eq!(
        s.tmp_after_purge(),
        Vec::<String>::new(),
        "the next install removed the leftover"
    );
}
