//! Crashes, interrupts, races and a full disk, with the real `gvmr` binary.
//!
//! Kills land on the install's test-only failpoints (`pause_point` in
//! src/install/staging.rs, debug builds only): with `GVMR_TEST_PAUSE_AT=<point>` the
//! install creates the file `GVMR_TEST_PAUSE_MARKER` and sleeps there; with
//! `GVMR_TEST_MARK_AT=<point>` it creates the marker and carries on. The
//! points are "download", "unpack" and "rename".
//!
//! Whatever the crash, `versions/` never shows a partial toolchain, and the
//! next install cleans what the dead one left in `tmp/`.

use crate::support::mirror::{ArchiveBuilder, go_like_archive};
use crate::support::server::Fault;
use crate::support::{FILE, PATH, Session, dir_names, stderr_of, stdout_of, wait_with_timeout};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

/// Every spawned command must end within this, or the test fails (no hang).
const DEADLINE: Duration = Duration::from_secs(30);

/// Spawns `cmd` with its output captured and Ctrl-C's default action: a
/// test run started in the background of a script inherits SIGINT ignored
/// (as POSIX shells start background jobs), and gvmr, rightly, keeps that.
fn piped(mut cmd: Command) -> Child {
    // SAFETY: signal(2) is async-signal-safe; nothing else runs between
    // fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            libc::signal(libc::SIGINT, libc::SIG_DFL);
            Ok(())
        });
    }
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn")
}

fn spawn_gvmr(s: &Session, args: &[&str]) -> Child {
    let mut cmd = s.std_gvmr();
    cmd.args(args);
    piped(cmd)
}

/// `gvmr install VERSION` stopping or marking at `point`.
fn spawn_install_at(s: &Session, version: &str, var: &str, point: &str, marker: &Path) -> Child {
    let mut cmd = s.std_gvmr();
    cmd.args(["install", version])
        .env(var, point)
        .env("GVMR_TEST_PAUSE_MARKER", marker);
    piped(cmd)
}

/// Waits until `marker` exists, failing if `child` exits first or it takes
/// longer than [`DEADLINE`].
fn wait_for_marker(child: &mut Child, marker: &Path, point: &str) {
    let deadline = Instant::now() + DEADLINE;
    while !marker.exists() {
        if let Some(status) = child.try_wait().unwrap() {
            panic!(
                "the process exited ({status}) before reaching {point:?} \
                 (gvmr's failpoints exist only in debug builds)"
            );
        }
        assert!(Instant::now() < deadline, "never reached {point:?}");
        sleep(Duration::from_millis(5));
    }
}

fn send_signal(child: &Child, signal: &str) {
    let status = Command::new("kill")
        .args(["-s", signal, &child.id().to_string()])
        .status()
        .expect("run kill");
    assert!(status.success(), "kill -s {signal} failed");
}

fn kill_with(mut child: Child, signal: &str) -> ExitStatus {
    send_signal(&child, signal);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(Instant::now() < deadline, "gvmr survived SIG{signal}");
        sleep(Duration::from_millis(5));
    }
}

/// `versions/` is empty and `gvmr list` shows nothing.
#[track_caller]
fn assert_no_visible_version(s: &Session) {
    assert_eq!(s.version_names(), Vec::<String>::new(), "versions/");
    let output = s.gvmr().arg("list").output().unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert_eq!(stdout_of(&output), "", "gvmr list");
}

/// Kills an install of go1.22.5 paused at `point` with `signal`, checks
/// nothing is visible, then checks that the next install works and cleans up.
fn crash_at(point: &str, signal: &str) {
    let s = Session::usual();
    let marker = s.root().join("marker");

    let mut child = spawn_install_at(&s, "1.22.5", "GVMR_TEST_PAUSE_AT", point, &marker);
    wait_for_marker(&mut child, &marker, point);
    let status = kill_with(child, signal);
    let number = if signal == "KILL" { 9 } else { 2 };
    assert_eq!(
        status.signal(),
        Some(number),
        "gvmr dies by SIG{signal} at {point}: {status}"
    );

    assert_no_visible_version(&s);
    let leftovers = s.tmp_leftovers();
    assert_eq!(leftovers.len(), 1, "the dead run's work dir: {leftovers:?}");
    assert!(leftovers[0].starts_with("go1.22.5."), "{leftovers:?}");
    // The archive is kept in the cache once verified, before unpacking.
    let fetched = usize::from(point != "download");
    assert_eq!(s.server.count(PATH), fetched, "archive fetches at {point}");
    assert_eq!(s.downloads().contains_key(FILE), point != "download");

    let next = s.gvmr().args(["install", "1.22.5"]).assert().success();
    let stderr = String::from_utf8_lossy(&next.get_output().stderr).into_owned();
    assert!(stderr.contains("Installed go1.22.5 in"), "{stderr}");
    if point != "download" {
        assert!(stderr.contains("Using the cached download"), "{stderr}");
    }
    assert_eq!(s.server.count(PATH), 1, "downloaded once in all");
    assert_eq!(s.version_names(), ["go1.22.5"]);
    assert!(s.versions_dir().join("go1.22.5/bin/go").is_file());
    assert_eq!(
        s.tmp_after_purge(),
        Vec::<String>::new(),
        "the next install removed the leftover"
    );
    s.gvmr()
        .arg("list")
        .assert()
        .success()
        .stdout(predicates::str::starts_with("go1.22.5 "));
}

/// `gvmr` started by this test, waited for with a deadline.
#[track_caller]
#[test]
fn sigkill_at_the_download_point_leaves_no_version() {
    crash_at("download", "KILL");
}

#[test]
fn sigkill_at_the_unpack_point_leaves_no_version() {
    crash_at("unpack", "KILL");
}

#[test]
fn sigkill_at_the_rename_point_leaves_no_version() {
    crash_at("rename", "KILL");
}

#[test]
fn sigint_at_the_download_point_kills_by_signal_and_leaves_no_version() {
    crash_at("download", "INT");
}

#[test]
fn sigint_at_the_unpack_point_kills_by_signal_and_leaves_no_version() {
    crash_at("unpack", "INT");
}

#[test]
fn sigint_at_the_rename_point_kills_by_signal_and_leaves_no_version() {
    crash_at("rename", "INT");
}

#[test]
fn sigint_while_the_archive_streams_leaves_no_version() {
    let s = Session::usual();
    s.server.fault(PATH, Fault::Stall(Duration::from_secs(60)));

    let child = spawn_gvmr(&s, &["install", "1.22.5"]);
    let deadline = Instant::now() + DEADLINE;
    while s.server.count(PATH) == 0 {
        assert!(
            Instant::now() < deadline,
            "gvmr never asked for the archive"
        );
        sleep(Duration::from_millis(10));
    }
    sleep(Duration::from_millis(100)); // headers sent, body stalled
    let status = kill_with(child, "INT");
    assert_eq!(status.signal(), Some(2), "{status}");
    assert_no_visible_version(&s);
    assert!(!s.downloads().contains_key(FILE), "no partial cache entry");

    s.server.clear_fault(PATH);
    s.gvmr().args(["install", "1.22.5"]).assert().success();
    assert_eq!(s.version_names(), ["go1.22.5"]);
    assert_eq!(s.tmp_after_purge(), Vec::<String>::new());
}

#[test]
fn sigkill_in_the_middle_of_unpacking_a_real_archive_leaves_no_version() {
    let archive = std::fs::read(crate::support::real_go_archive("1.22.10")).unwrap();
    let s = Session::new();
    s.publish_archive("go1.22.10", archive);
    let marker = s.root().join("marker");

    let mut partial = Vec::new();
    for delay in [50, 150, 400] {
        let _ = std::fs::remove_file(&marker);
        let mut child = spawn_install_at(&s, "1.22.10", "GVMR_TEST_MARK_AT", "unpack", &marker);
        wait_for_marker(&mut child, &marker, "unpack");
        sleep(Duration::from_millis(delay));
        assert!(
            child.try_wait().unwrap().is_none(),
            "the unpack finished within {delay} ms: the kill would not land mid-unpack"
        );
        let status = kill_with(child, "KILL");
        assert_eq!(status.signal(), Some(9));
        assert_no_visible_version(&s);
        // The dead run (and only it: each run cleans the one before) left
        // a partly written tree.
        let leftovers = s.tmp_leftovers();
        assert_eq!(leftovers.len(), 1, "after {delay} ms: {leftovers:?}");
        let tree = s.home().join("tmp").join(&leftovers[0]).join("go");
        assert!(tree.is_dir(), "after {delay} ms the unpack had started");
        partial.push((delay, crate::support::walk(&tree).len()));
    }
    assert_eq!(s.server.count("/dl/go1.22.10.linux-amd64.tar.gz"), 1);

    let output = wait_with_timeout(
        spawn_gvmr(&s, &["install", "1.22.10"]),
        Duration::from_secs(60),
        "gvmr",
    );
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert_eq!(s.version_names(), ["go1.22.10"]);
    assert_eq!(s.tmp_after_purge(), Vec::<String>::new());
    let complete = crate::support::walk(&s.versions_dir().join("go1.22.10")).len();
    eprintln!("entries written when killed: {partial:?} of {complete}");
    for (delay, written) in partial {
        assert!(
            written < complete,
            "killed {delay} ms into unpacking, {written} of {complete} entries were written"
        );
    }
    let version = Command::new(s.versions_dir().join("go1.22.10/bin/go"))
        .arg("version")
        .env_clear()
        .env("GOTOOLCHAIN", "local")
        .output()
        .unwrap();
    assert!(
        stdout_of(&version).starts_with("go version go1.22.10 "),
        "{version:?}"
    );
}

#[test]
fn four_installs_of_one_version_download_it_once() {
    let s = Session::usual();
    s.server
        .fault(PATH, Fault::Stall(Duration::from_millis(1500)));

    let children: Vec<Child> = (0..4)
        .map(|_| spawn_gvmr(&s, &["install", "1.22.5"]))
        .collect();
    let stderrs: Vec<String> = children
        .into_iter()
        .map(|child| {
            let output = wait_with_timeout(child, DEADLINE, "gvmr");
            let stderr = stderr_of(&output);
            assert!(output.status.success(), "{stderr}");
            stderr
        })
        .collect();
    let installed = stderrs
        .iter()
        .filter(|s| s.contains("Installed go1.22.5 in"))
        .count();
    assert_eq!(installed, 1, "{stderrs:#?}");
    assert_eq!(s.server.count(PATH), 1, "downloaded once");
    assert_eq!(s.version_names(), ["go1.22.5"]);
    assert_eq!(s.tmp_after_purge(), Vec::<String>::new());
    assert_eq!(
        s.downloads().keys().collect::<Vec<_>>(),
        [FILE, &format!("{FILE}.asc"), &format!("{FILE}.sha256")]
    );
}

#[test]
fn three_installs_of_different_versions_at_once_all_install() {
    let s = Session::new();
    let versions = ["go1.22.3", "go1.22.4", "go1.22.5"];
    for version in versions {
        s.publish(version);
        s.server.fault(
            &format!("/dl/{version}.linux-amd64.tar.gz"),
            Fault::Stall(Duration::from_millis(500)),
        );
    }

    let children: Vec<Child> = versions
        .iter()
        .map(|v| spawn_gvmr(&s, &["install", v]))
        .collect();
    for (child, version) in children.into_iter().zip(versions) {
        let output = wait_with_timeout(child, DEADLINE, "gvmr");
        let stderr = stderr_of(&output);
        assert!(output.status.success(), "{stderr}");
        assert!(
            stderr.contains(&format!("Installed {version} in")),
            "{stderr}"
        );
    }
    assert_eq!(s.version_names(), versions);
    assert_eq!(s.tmp_after_purge(), Vec::<String>::new());
    for version in versions {
        let go = s.versions_dir().join(version).join("bin/go");
        let output = Command::new(go).arg("version").output().unwrap();
        assert!(stdout_of(&output).contains(version), "{output:?}");
    }
}

/// A `go` whose `go sleep` creates the file `$SLEEPY_STARTED`, sleeps two
/// seconds, then says "slept".
fn sleepy_go(version: &str) -> Vec<u8> {
    let go_script = format!(
        r#"#!/bin/sh
if [ "$1" = version ]; then
    echo "go version {version} linux/amd64"
elif [ "$1" = sleep ]; then
    : > "$SLEEPY_STARTED"
    sleep 2
    echo slept
else
    echo "fake go $*"
fi
"#
    );
    go_like_archive(version, &go_script, "#!/bin/sh\necho \"fake gofmt\"\n")
}

/// The `go` shim of session `s`, selecting go1.22.5.
fn shim_go(s: &Session) -> Command {
    let mut cmd = Command::new(s.home().join("shims/go"));
    cmd.env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", s.user_home())
        .env("GVMR_HOME", s.home())
        .env("GVMR_GO_VERSION", "1.22.5")
        .current_dir(s.project());
    cmd
}

#[test]
fn uninstalling_while_the_shim_runs_that_version_neither_hangs_nor_breaks() {
    let s = Session::new();
    s.publish_archive("go1.22.5", sleepy_go("go1.22.5"));
    s.gvmr().args(["install", "1.22.5"]).assert().success();

    let started = s.root().join("started");
    let mut cmd = shim_go(&s);
    cmd.arg("sleep").env("SLEEPY_STARTED", &started);
    let mut running = piped(cmd);
    wait_for_marker(&mut running, &started, "go sleep");
    let uninstall = wait_with_timeout(
        spawn_gvmr(&s, &["uninstall", "1.22.5"]),
        Duration::from_secs(10),
        "gvmr",
    );
    assert!(uninstall.status.success(), "{}", stderr_of(&uninstall));
    assert!(
        running.try_wait().unwrap().is_none(),
        "uninstall returned at once, without waiting for the running go"
    );
    assert!(stderr_of(&uninstall).contains("Uninstalled go1.22.5"));

    let ran = wait_with_timeout(running, Duration::from_secs(10), "gvmr");
    assert!(
        ran.status.success() && stdout_of(&ran) == "slept\n",
        "the running go finished normally: {ran:?}"
    );
    let after = shim_go(&s).arg("version").output().unwrap();
    assert_eq!(after.status.code(), Some(127), "{after:?}");
    assert!(
        stderr_of(&after).contains("not installed"),
        "{}",
        stderr_of(&after)
    );
    assert_eq!(s.version_names(), Vec::<String>::new());
    assert_eq!(s.tmp_after_purge(), Vec::<String>::new());
}

#[test]
fn install_racing_uninstall_of_one_version_never_corrupts_it() {
    let s = Session::usual();
    // Shims exist from the start, so `go version` can be tried any time.
    s.gvmr().args(["install", "1.22.4"]).assert().success();

    for round in 0..10 {
        let install = spawn_gvmr(&s, &["install", "1.22.5"]);
        if round % 2 == 1 {
            sleep(Duration::from_millis(5 * round));
        }
        let uninstall = spawn_gvmr(&s, &["uninstall", "1.22.5"]);
        let install = wait_with_timeout(install, DEADLINE, "gvmr");
        let uninstall = wait_with_timeout(uninstall, DEADLINE, "gvmr");
        assert!(
            install.status.success(),
            "round {round}: {}",
            stderr_of(&install)
        );
        // 0 when it removed the version, 3 when there was nothing to remove.
        assert!(
            matches!(uninstall.status.code(), Some(0 | 3)),
            "round {round}: {:?} {}",
            uninstall.status,
            stderr_of(&uninstall)
        );
        let names = s.version_names();
        if names.contains(&"go1.22.5".to_string()) {
            let version = shim_go(&s).arg("version").output().unwrap();
            assert_eq!(
                stdout_of(&version),
                "go version go1.22.5 linux/amd64\n",
                "round {round}: {version:?}"
            );
            let tree = dir_names(&s.versions_dir().join("go1.22.5"));
            assert_eq!(tree, ["VERSION", "bin", "pkg", "src"], "round {round}");
        } else {
            assert_eq!(names, ["go1.22.4"], "round {round}");
            let version = shim_go(&s).arg("version").output().unwrap();
            assert_eq!(version.status.code(), Some(127), "round {round}");
        }
    }
    assert_eq!(s.tmp_after_purge(), Vec::<String>::new());
    // Uninstall takes the cached archive with it: at most one download a round.
    assert!(s.server.count(PATH) <= 10, "{}", s.server.count(PATH));
}

/// A tmpfs mounted for one test; unmounted (lazily if busy) when dropped.
struct Tmpfs {
    dir: PathBuf,
    mounted: bool,
}

impl Tmpfs {
    /// Mounts a tmpfs of `size` (e.g. "3m") at `dir`. Fails the test,
    /// loudly, when that is impossible: a skipped disk-full test must not
    /// look like a passing one.
    fn mount(dir: &Path, size: &str) -> Tmpfs {
        std::fs::create_dir_all(dir).unwrap();
        let output = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir)
            .output()
            .unwrap_or_else(|e| panic!("cannot run mount: {e}"));
        assert!(
            output.status.success(),
            "cannot mount a {size} tmpfs at {} for the disk-full test ({}); it needs \
             root (CI runs as root) or CAP_SYS_ADMIN:\n{}",
            dir.display(),
            output.status,
            stderr_of(&output)
        );
        Tmpfs {
            dir: dir.to_path_buf(),
            mounted: true,
        }
    }

    fn unmount(&mut self) {
        if self.mounted {
            self.mounted = false;
            let ok = Command::new("umount")
                .arg(&self.dir)
                .status()
                .is_ok_and(|s| s.success());
            if !ok {
                let _ = Command::new("umount").arg("-l").arg(&self.dir).status();
            }
        }
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        self.unmount();
    }
}

/// Deterministic incompressible bytes (xorshift64).
fn noise(len: usize) -> Vec<u8> {
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        out.extend_from_slice(&state.to_le_bytes());
    }
    out.truncate(len);
    out
}

/// An archive with the official layout plus `go/big` holding `big`.
fn archive_with_big_file(version: &str, big: Vec<u8>) -> Vec<u8> {
    ArchiveBuilder::new()
        .dir("go")
        .file("go/VERSION", format!("{version}\n"), 0o644)
        .dir("go/bin")
        .file("go/bin/go", "#!/bin/sh\necho fake go\n", 0o755)
        .file("go/big", big, 0o644)
        .build_tar_gz()
}

/// Installs go1.22.5 (published as `archive`) with `GVMR_HOME` on a 3 MB
/// tmpfs; checks the failure and that nothing is left but the caches.
fn install_on_a_full_disk(archive: Vec<u8>, archive_fits: bool) {
    let s = Session::new();
    s.publish_archive("go1.22.5", archive);
    let mount_point = s.root().join("small-disk");
    let mut disk = Tmpfs::mount(&mount_point, "3m");
    let home = mount_point.join("gvmr-home");

    let output = wait_with_timeout(
        {
            let mut cmd = s.std_gvmr();
            cmd.env("GVMR_HOME", &home).args(["install", "1.22.5"]);
            piped(cmd)
        },
        DEADLINE,
        "gvmr",
    );
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(7), "{stderr}");
    // The downloader and the unpacker word it the same way.
    assert!(stderr.contains("no space left on the device"), "{stderr}");
    assert!(stderr.contains("hint: free some disk space"), "{stderr}");
    assert!(!stderr.contains("Installed"), "{stderr}");
    assert_eq!(dir_names(&home.join("versions")), Vec::<String>::new());
    assert_eq!(
        dir_names(&home.join("tmp")),
        Vec::<String>::new(),
        "the partial work directory is removed"
    );
    let downloads = dir_names(&home.join("downloads"));
    if archive_fits {
        // Verified before unpacking, so kept for the next try.
        assert!(downloads.contains(&FILE.to_string()), "{downloads:?}");
    } else {
        // Neither the archive nor a partial that would keep the disk full.
        assert_eq!(downloads, Vec::<String>::new());
    }
    let listed = s
        .gvmr()
        .env("GVMR_HOME", &home)
        .arg("list")
        .output()
        .unwrap();
    assert_eq!(stdout_of(&listed), "");

    disk.unmount();
    assert_eq!(
        dir_names(&mount_point),
        Vec::<String>::new(),
        "nothing was written outside the small disk"
    );
    assert_eq!(s.version_names(), Vec::<String>::new());
    assert_eq!(s.tmp_leftovers(), Vec::<String>::new());
}

#[test]
fn a_disk_too_small_for_the_unpacked_tree_fails_cleanly() {
    let archive = archive_with_big_file("go1.22.5", vec![0u8; 4 << 20]);
    assert!(archive.len() < 64 * 1024, "small compressed");
    install_on_a_full_disk(archive, true);
}

#[test]
fn a_disk_too_small_for_the_download_fails_cleanly() {
    let archive = archive_with_big_file("go1.22.5", noise(4 << 20));
    assert!(archive.len() > 4 << 20, "incompressible");
    install_on_a_full_disk(archive, false);
}
