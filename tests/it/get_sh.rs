//! The one-line installer (the get.sh scripts/dist.sh writes for a
//! release), run by dash and by busybox ash with nothing on PATH but the
//! programs it may use, against the release served on loopback: it
//! installs only what checks out, twice over, and says what went wrong.

use crate::support::release::{self, Dist};
use crate::support::server::TestServer;
use crate::support::{dir_names, spawn, stderr_of, stdout_of, wait_with_timeout};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

/// Which shell runs get.sh, with which programs on PATH.
#[derive(Debug, Clone, Copy)]
enum World {
    /// dash, coreutils and this downloader (curl or wget).
    Dash(&'static str),
    /// busybox ash with busybox's applets only (its wget among them).
    Busybox,
}

const WORLDS: [World; 2] = [World::Dash("curl"), World::Busybox];

/// What get.sh uses, besides the shell's builtins and the downloader.
const COREUTILS: &[&str] = &[
    "uname",
    "mktemp",
    "rm",
    "cat",
    "tail",
    "cut",
    "awk",
    "tar",
    "gzip",
    "sha256sum",
    "cmp",
    "mkdir",
    "cp",
    "chmod",
    "mv",
];

/// The program `name` on this machine (the test fails naming its package
/// when it is missing).
fn program(name: &str) -> PathBuf {
    for dir in ["/usr/local/bin", "/usr/bin", "/bin"] {
        let path = Path::new(dir).join(name);
        if path.is_file() {
            return path;
        }
    }
    let missing = std::io::Error::from(std::io::ErrorKind::NotFound);
    panic!(
        "{}",
        crate::support::cannot_start(&Command::new(name), &missing)
    )
}

fn link(target: &Path, dir: &Path, name: &str) {
    std::os::unix::fs::symlink(target, dir.join(name)).unwrap();
}

/// A release served on loopback and a directory to install it from.
struct Installer {
    root: tempfile::TempDir,
    server: TestServer,
    dist: &'static Dist,
    /// GVMR_INSTALL_BASE.
    base: String,
}

impl Installer {
    fn new() -> Installer {
        let dist = release::dist();
        let server = TestServer::start();
        release::serve(&server, &dist.files(), &dist.version, true);
        let root = tempfile::tempdir().unwrap();
        for dir in ["home", "tmp", "tools"] {
            std::fs::create_dir(root.path().join(dir)).unwrap();
        }
        std::fs::write(root.path().join("get.sh"), dist.file("get.sh")).unwrap();
        let base = release::base(&server);
        Installer {
            root,
            server,
            dist,
            base,
        }
    }

    /// GVMR_INSTALL_DIR.
    fn bin(&self) -> PathBuf {
        self.root.path().join("bin")
    }

    fn tools(&self) -> PathBuf {
        self.root.path().join("tools")
    }

    /// Fills the tools directory for `world` (with minisign or not).
    fn provide(&self, world: World, minisign: bool) {
        let tools = self.tools();
        match world {
            World::Dash(fetcher) => {
                for name in COREUTILS.iter().chain([&fetcher]) {
                    link(&program(name), &tools, name);
                }
            }
            World::Busybox => {
                let busybox = program("busybox");
                let list = Command::new(&busybox).arg("--list").output().unwrap();
                for applet in String::from_utf8(list.stdout).unwrap().lines() {
                    link(&busybox, &tools, applet);
                }
            }
        }
        if minisign {
            link(&program("minisign"), &tools, "minisign");
        }
    }

    /// Runs get.sh ARGS in `world` (tools provided first, unless the
    /// test did), with a clean environment.
    fn run(&self, world: World, minisign: bool, args: &[&str]) -> Output {
        self.run_into(world, minisign, args, &self.bin())
    }

    /// [`Installer::run`] with `GVMR_INSTALL_DIR=dir`.
    fn run_into(&self, world: World, minisign: bool, args: &[&str], dir: &Path) -> Output {
        if dir_names(&self.tools()).is_empty() {
            self.provide(world, minisign);
        }
        let mut cmd = match world {
            World::Dash(_) => Command::new(program("dash")),
            World::Busybox => {
                let mut cmd = Command::new(program("busybox"));
                cmd.arg("ash");
                cmd
            }
        };
        cmd.arg(self.root.path().join("get.sh"))
            .args(args)
            .env_clear()
            .env("PATH", self.tools())
            .env("HOME", self.root.path().join("home"))
            .env("TMPDIR", self.root.path().join("tmp"))
            .env("GVMR_INSTALL_BASE", &self.base)
            .env("GVMR_INSTALL_DIR", dir)
            .current_dir(self.root.path())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        wait_with_timeout(spawn(&mut cmd), Duration::from_secs(120), "get.sh")
    }

    /// The path of `name` on the server, for this release.
    fn path(&self, name: &str) -> String {
        format!("/releases/download/v{}/{name}", self.dist.version)
    }

    /// Asserts a refusal: exit 1, `needle` in stderr, nothing installed
    /// and no temporary file left behind.
    #[track_caller]
    fn refused(&self, world: World, output: &Output, needle: &str) {
        let stderr = stderr_of(output);
        assert_eq!(output.status.code(), Some(1), "{world:?}: {stderr}");
        assert!(
            stderr.contains(needle),
            "{world:?}: {needle:?} not in:\n{stderr}"
        );
        assert!(
            dir_names(&self.bin()).is_empty(),
            "{world:?}: installed {:?}",
            dir_names(&self.bin())
        );
        assert!(
            dir_names(&self.root.path().join("tmp")).is_empty(),
            "{world:?}: leftovers"
        );
    }

    /// Runs get.sh in `world` expecting an install; returns stdout.
    #[track_caller]
    fn installs(&self, world: World, minisign: bool) -> String {
        let output = self.run(world, minisign, &[]);
        assert!(output.status.success(), "{world:?}: {}", stderr_of(&output));
        assert_eq!(stderr_of(&output), "", "{world:?}");
        self.assert_installed(world);
        stdout_of(&output)
    }

    /// Asserts that gvmr and gvmr-shim are the release's and run.
    #[track_caller]
    fn assert_installed(&self, world: World) {
        assert_eq!(dir_names(&self.bin()), ["gvmr", "gvmr-shim"], "{world:?}");
        for name in ["gvmr", "gvmr-shim"] {
            assert!(
                std::fs::read(self.bin().join(name)).unwrap() == self.dist.archive_member(name),
                "{world:?}: {name} is not the release's"
            );
        }
        let version = Command::new(self.bin().join("gvmr"))
            .arg("--version")
            .output()
            .unwrap();
        assert!(
            stdout_of(&version).starts_with(&format!("gvmr {} ", self.dist.version)),
            "{world:?}: {}",
            stdout_of(&version)
        );
        assert!(
            dir_names(&self.root.path().join("tmp")).is_empty(),
            "{world:?}: leftovers"
        );
    }
}

#[test]
fn installs_what_checks_out_twice_and_says_what_to_do_next() {
    for world in WORLDS {
        let installer = Installer::new();
        let stdout = installer.installs(world, true);
        let dist = installer.dist;
        let bin = installer.bin().display().to_string();
        for line in [
            format!(
                "Downloading gvmr {} for {} from {}/download/v{}",
                dist.version,
                dist.target,
                release::base(&installer.server),
                dist.version
            ),
            format!(
                "Installed gvmr {} in {bin} (verified: sha256 of {} from this installer and SHA256SUMS, whose minisign signature by the release key checked out)",
                dist.version,
                dist.archive_name()
            ),
            format!(
                "  export PATH=\"{bin}:$PATH\"   # {bin} is not on PATH: add this to your shell's startup file"
            ),
            "  gvmr install latest && gvmr default latest".to_string(),
            "  eval \"$(gvmr hook bash)\"     # in ~/.bashrc".to_string(),
        ] {
            assert!(
                stdout.lines().any(|l| l == line),
                "{world:?}: {line:?} not in:\n{stdout}"
            );
        }
        assert!(!stdout.contains("minisign is not installed"), "{stdout}");
    }
}

#[test]
fn without_minisign_it_says_so_in_one_line() {
    for world in WORLDS {
        let installer = Installer::new();
        let stdout = installer.installs(world, false);
        let said: Vec<&str> = stdout.lines().filter(|l| l.contains("minisign")).collect();
        assert_eq!(
            said,
            [
                "minisign is not installed, so the signature of SHA256SUMS was not checked (the checksum written into this installer was)"
            ],
            "{world:?}"
        );
        assert!(
            stdout.contains("(verified: sha256 of gvmr-")
                && stdout.contains("from this installer and SHA256SUMS)"),
            "{world:?}: {stdout}"
        );
    }
}

#[test]
fn a_tampered_archive_is_refused_even_with_sums_to_match() {
    for world in WORLDS {
        let installer = Installer::new();
        let archive = installer.dist.archive_name();
        let evil = release::tampered(&installer.dist.file(&archive));
        installer
            .server
            .put(&installer.path(&archive), evil.clone());
        let output = installer.run(world, false, &[]);
        installer.refused(
            world,
            &output,
            &format!("checksum mismatch for {archive}: expected "),
        );
        assert!(
            stderr_of(&output).contains("nothing was installed"),
            "{}",
            stderr_of(&output)
        );

        // The server rewrites SHA256SUMS to match: the checksum written into
        // the installer still refuses it (the server is not trusted twice).
        let sums = format!("{}  {archive}\n", crate::support::mirror::sha256_hex(&evil));
        installer.server.put(&installer.path("SHA256SUMS"), sums);
        let output = installer.run(world, false, &[]);
        installer.refused(
            world,
            &output,
            &format!(
                "/SHA256SUMS lists {} for {archive}, but this installer says ",
                crate::support::mirror::sha256_hex(&evil)
            ),
        );
    }
}

#[test]
fn a_password_in_the_base_is_never_shown() {
    for world in WORLDS {
        let mut installer = Installer::new();
        installer.base = installer.base.replacen("http://", "http://me:s3cret@", 1);
        let shown = installer.base.replacen("s3cret", "***", 1);
        let stdout = installer.installs(world, false);
        assert!(!stdout.contains("s3cret"), "{world:?}: {stdout}");
        assert!(
            stdout.contains(&format!("from {shown}/download/v")),
            "{world:?}: {stdout}"
        );
        // And in an error.
        let mut installer = Installer::new();
        installer.base = installer.base.replacen("http://", "http://me:s3cret@", 1);
        let shown = installer.base.replacen("s3cret", "***", 1);
        installer.server.remove(&installer.path("SHA256SUMS"));
        let output = installer.run(world, false, &[]);
        installer.refused(
            world,
            &output,
            &format!("cannot download {shown}/download/v"),
        );
        assert!(!stderr_of(&output).contains("s3cret"), "{world:?}");
        assert!(!stdout_of(&output).contains("s3cret"), "{world:?}");
    }
}

#[test]
fn a_missing_sha256sums_is_refused() {
    for world in WORLDS {
        let installer = Installer::new();
        installer.server.remove(&installer.path("SHA256SUMS"));
        let output = installer.run(world, false, &[]);
        installer.refused(
            world,
            &output,
            &format!(
                "cannot download {}{} (",
                installer.server.base(),
                installer.path("SHA256SUMS")
            ),
        );
        assert!(
            stderr_of(&output).contains("is not published there, or the server cannot be reached"),
            "{}",
            stderr_of(&output)
        );
    }
}

#[test]
fn a_bad_or_missing_signature_is_refused_when_minisign_is_there() {
    let other = tempfile::tempdir().unwrap();
    let impostor = release::MinisignKey::generate(other.path(), "impostor");
    for world in WORLDS {
        let installer = Installer::new();
        let sums = installer.dist.file("SHA256SUMS");
        installer.server.put(
            &installer.path("SHA256SUMS.sig"),
            impostor.sign(&sums, "gvmr SHA256SUMS"),
        );
        let output = installer.run(world, true, &[]);
        installer.refused(
            world,
            &output,
            "/SHA256SUMS is not valid for gvmr's release key: refusing to install",
        );

        installer.server.remove(&installer.path("SHA256SUMS.sig"));
        let output = installer.run(world, true, &[]);
        installer.refused(world, &output, "/SHA256SUMS.sig (");
        assert!(
            stderr_of(&output).contains("refusing to install gvmr")
                && stderr_of(&output).contains("without its signature"),
            "{}",
            stderr_of(&output)
        );
    }
}

#[test]
fn another_version_needs_minisign_and_an_unpublished_one_gets_a_clear_error() {
    for world in WORLDS {
        let installer = Installer::new();
        let output = installer.run(world, false, &["--version", "9.9.9"]);
        installer.refused(
            world,
            &output,
            &format!(
                "this installer holds the checksums of gvmr {} only; installing 9.9.9 needs minisign to check its signature",
                installer.dist.version
            ),
        );
        let output = installer.run(world, false, &["--version"]);
        installer.refused(world, &output, "--version needs a version");
    }
    for world in WORLDS {
        let installer = Installer::new();
        let output = installer.run(world, true, &["--version", "v9.9.9"]);
        installer.refused(
            world,
            &output,
            &format!(
                "cannot download {}/download/v9.9.9/SHA256SUMS (",
                release::base(&installer.server)
            ),
        );
        let stderr = stderr_of(&output);
        assert!(
            stderr.contains("404"),
            "{world:?}: the server's answer: {stderr}"
        );
        assert!(
            stderr.contains("gvmr 9.9.9 is not published there"),
            "{stderr}"
        );
    }
}

#[test]
fn an_unknown_system_gets_one_clear_sentence() {
    for (os, arch) in [("Linux", "riscv64"), ("FreeBSD", "amd64")] {
        for world in WORLDS {
            let installer = Installer::new();
            installer.provide(world, false);
            let uname = installer.tools().join("uname");
            std::fs::remove_file(&uname).unwrap();
            std::fs::write(
                &uname,
                format!("#!/bin/sh\ncase $1 in -s) echo {os} ;; -m) echo {arch} ;; esac\n"),
            )
            .unwrap();
            std::fs::set_permissions(&uname, std::os::unix::fs::PermissionsExt::from_mode(0o755))
                .unwrap();
            let output = installer.run(world, false, &[]);
            installer.refused(
                world,
                &output,
                &format!("error: gvmr has no build for {os} {arch} (only for Linux and macOS on x86_64 and arm64); build it from source instead: cargo install --locked gvmr gvmr-shim\n"),
            );
            assert_eq!(
                stderr_of(&output).lines().count(),
                1,
                "{}",
                stderr_of(&output)
            );
            assert!(
                installer.server.requests().is_empty(),
                "nothing is downloaded"
            );
        }
    }
}

#[test]
fn wget_alone_will_do() {
    let installer = Installer::new();
    installer.installs(World::Dash("wget"), true);
    assert!(!installer.tools().join("curl").exists());
}

#[test]
fn an_unwritable_install_dir_gets_a_clear_error() {
    for world in WORLDS {
        let installer = Installer::new();
        // A directory that cannot be created (a file is in the way) …
        let blocker = installer.root.path().join("a-file");
        std::fs::write(&blocker, "").unwrap();
        let dir = blocker.join("bin");
        let output = installer.run_into(world, false, &[], &dir);
        let stderr = stderr_of(&output);
        assert_eq!(output.status.code(), Some(1), "{stderr}");
        assert!(
            stderr.starts_with(&format!("error: cannot create {} (", dir.display()))
                && stderr.ends_with("): set GVMR_INSTALL_DIR to a directory you can write to\n"),
            "{world:?}: {stderr}"
        );
        // … and one that exists but takes no files (not even root's).
        let output = installer.run_into(world, false, &[], Path::new("/proc"));
        let stderr = stderr_of(&output);
        assert_eq!(output.status.code(), Some(1), "{stderr}");
        assert!(
            stderr.starts_with("error: cannot write to /proc (")
                && stderr.ends_with("): set GVMR_INSTALL_DIR to a directory you can write to\n"),
            "{world:?}: {stderr}"
        );
        assert!(dir_names(&installer.root.path().join("tmp")).is_empty());
    }
}

#[test]
fn a_second_run_leaves_the_install_as_it_was() {
    for world in WORLDS {
        let installer = Installer::new();
        installer.installs(world, true);
        let stamp = |name: &str| {
            let meta = std::fs::metadata(installer.bin().join(name)).unwrap();
            (meta.ino(), meta.mtime(), meta.mtime_nsec(), meta.mode())
        };
        let before = [stamp("gvmr"), stamp("gvmr-shim")];
        let second = installer.installs(world, true);
        assert_eq!([stamp("gvmr"), stamp("gvmr-shim")], before, "{world:?}");
        assert!(
            second.contains(&format!(
                "gvmr {} is already installed in {}; nothing changed",
                installer.dist.version,
                installer.bin().display()
            )),
            "{world:?}: {second}"
        );
    }
}

#[test]
fn the_template_in_the_repository_refuses_to_run() {
    let output = Command::new(program("dash"))
        .arg(Path::new(release::REPO).join("scripts/get.sh"))
        .env_clear()
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr_of(&output).starts_with("error: this is the template of gvmr's installer"),
        "{}",
        stderr_of(&output)
    );
}
