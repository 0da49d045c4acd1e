//! What gvmr writes and where: a reader of stdout that goes away (`gvmr
//! list | head -1`) ends every command quietly, the programs `gvmr exec`
//! starts get SIGPIPE's default action back, and the unpack shows progress
//! on a terminal only.

use crate::assert_transcript;
use crate::support::mirror::ArchiveBuilder;
use crate::support::{Session, gvmr_line, stderr_of, stdout_of, with_closed_stdout};

/// Every command that prints a listing, as arguments.
const LISTING_COMMANDS: &[&[&str]] = &[
    &["list"],
    &["list", "--json"],
    &["list-remote"],
    &["list-remote", "--all"],
    &["current"],
    &["env"],
    &["keys"],
    &["cache"],
    &["doctor", "--json", "--offline"],
    &["mirrors"],
    &["ide"],
    &["ide", "goland"],
    &["which", "--goroot"],
    &["completions", "bash"],
    &["--help"],
];

#[test]
fn a_closed_stdout_ends_every_listing_command_quietly() {
    let s = Session::new();
    // Enough releases that list-remote writes many lines.
    for minor in 21..61 {
        for patch in 0..5 {
            s.publish(&format!("go1.{minor}.{patch}"));
        }
    }
    s.publish("go1.61rc1");
    s.gvmr()
        .args(["install", "1.60.4", "1.59.0"])
        .assert()
        .success();
    s.gvmr().args(["default", "1.60.4"]).assert().success();

    for args in LISTING_COMMANDS {
        // The reader is gone before gvmr writes: every write fails.
        let output = with_closed_stdout(s.std_gvmr().args(*args));
        let stderr = stderr_of(&output);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(!stderr.contains("error:"), "{args:?}: {stderr}");
        assert_eq!(output.status.code(), Some(0), "{args:?}: {stderr}");

        // As users meet it: a real pipeline (no pipefail) into head -1.
        let output = s
            .command("sh")
            .arg("-c")
            .arg(format!("{} | head -1", gvmr_line(args)))
            .output()
            .unwrap();
        let stderr = stderr_of(&output);
        assert!(!stderr.contains("panicked"), "{args:?} | head -1: {stderr}");
        assert!(
            matches!(output.status.code(), Some(0 | 141)),
            "{args:?} | head -1: {:?} {stderr}",
            output.status
        );
        assert_eq!(stdout_of(&output).lines().count(), 1, "{args:?}");
    }
}

#[test]
fn a_stdout_that_fails_otherwise_is_an_error() {
    let s = Session::new();
    s.publish("go1.22.5");
    let full = std::fs::File::options()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let output = s
        .std_gvmr()
        .arg("list-remote")
        .stdout(full)
        .output()
        .unwrap();
    assert_transcript!(s, output, @"
    exit: 7
    --- stdout
    --- stderr
    error: cannot write to standard output: no space left on the device
    hint: check where standard output is redirected to
    ");
    assert_eq!(output.status.code(), Some(7));
    // Every command writes through the same check.
    let full = std::fs::File::options()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let output = s.std_gvmr().arg("mirrors").stdout(full).output().unwrap();
    assert_eq!(output.status.code(), Some(7), "{}", stderr_of(&output));
    assert!(
        stderr_of(&output).starts_with("error: cannot write to standard output: no space left"),
        "{}",
        stderr_of(&output)
    );
}

#[test]
fn programs_started_by_exec_get_the_default_sigpipe() {
    let s = Session::new();
    s.publish("go1.22.5");
    s.gvmr().args(["install", "1.22.5"]).assert().success();

    // Rust ignores SIGPIPE in gvmr itself; what it execs must not inherit
    // that (a `yes | head` in a build script would never end).
    let output = s
        .gvmr()
        .args([
            "exec",
            "--version",
            "1.22.5",
            "--",
            "grep",
            "SigIgn",
            "/proc/self/status",
        ])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    let mask = stdout_of(&output);
    let hex = mask.trim().trim_start_matches("SigIgn:").trim();
    let ignored = u64::from_str_radix(hex, 16).unwrap();
    let sigpipe = 1u64 << (13 - 1);
    assert_eq!(ignored & sigpipe, 0, "SIGPIPE ignored in the child: {mask}");
}

/// A go1.22.5 archive of many files, so the unpack has progress to show.
fn many_files() -> Vec<u8> {
    let mut builder = ArchiveBuilder::new()
        .dir("go")
        .file("go/VERSION", "go1.22.5\n", 0o644)
        .dir("go/bin")
        .file("go/bin/go", "#!/bin/sh\necho go\n", 0o755)
        .dir("go/src");
    for i in 0..3000 {
        builder = builder.file(&format!("go/src/f{i}.go"), vec![b'x'; 4096], 0o644);
    }
    builder.build_tar_gz()
}

#[test]
fn the_unpack_shows_progress_on_a_terminal_only() {
    let s = Session::new();
    s.publish_archive("go1.22.5", many_files());

    let output = s.gvmr().args(["install", "1.22.5"]).output().unwrap();
    assert!(output.status.success());
    let stderr = stderr_of(&output);
    assert!(!stderr.contains("Unpacking"), "{stderr}");
    assert!(
        !stderr.contains('\r') && !stderr.contains('\x1b'),
        "{stderr:?}"
    );

    s.clear_home();
    let output = s.in_terminal(&["install", "1.22.5"], "");
    let shown = stdout_of(&output);
    assert!(output.status.success(), "{shown}");
    assert!(
        shown.contains("Unpacking go1.22.5.linux-amd64.tar.gz"),
        "{shown:?}"
    );
    // A bar with the share of the archive read, and the files written.
    let bar = shown
        .split(['\r', '\n'])
        .find(|line| line.contains("Unpacking go1.22.5.linux-amd64.tar.gz  ["))
        .unwrap_or_else(|| panic!("no unpack bar in {shown:?}"));
    assert!(bar.contains("%  "), "{bar:?}");
    assert!(bar.trim_end().ends_with(" files"), "{bar:?}");
    assert!(shown.contains("Installed go1.22.5 in"), "{shown:?}");

    s.clear_home();
    let output = s.in_terminal(&["install", "-q", "1.22.5"], "");
    let shown = stdout_of(&output);
    assert!(output.status.success(), "{shown}");
    assert!(!shown.contains("Unpacking"), "{shown:?}");

    // Installing on first use: one line, then the same progress, and no
    // status lines.
    s.clear_home();
    s.write("project/.go-version", "1.22.5\n");
    let output = s.in_terminal(&["exec", "--", "go", "version"], "");
    let shown = stdout_of(&output);
    assert!(output.status.success(), "{shown}");
    assert!(
        shown.contains("gvmr: go1.22.5 is selected by") && shown.contains("installing it"),
        "{shown:?}"
    );
    assert!(
        shown.contains("Unpacking go1.22.5.linux-amd64.tar.gz  ["),
        "{shown:?}"
    );
    assert!(!shown.contains("Installed go1.22.5"), "{shown:?}");
    assert!(!shown.contains("Verified"), "{shown:?}");
}
