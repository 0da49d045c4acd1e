//! The .deb scripts/dist.sh builds (cargo-deb): lintian finds no error,
//! dpkg installs it into a scratch root (its own database, nothing outside
//! the test's directory), the gvmr it installs installs Go from a loopback
//! mirror and leaves updates to the package manager, and removing the
//! package leaves the user's data alone.

use crate::support::keys::TestKey;
use crate::support::mirror::Mirror;
use crate::support::release;
use crate::support::server::TestServer;
use crate::support::{dir_names, run_with_timeout, stderr_of, stdout_of};
use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

/// How long a dpkg, lintian or packaged gvmr run may take.
const LIMIT: Duration = Duration::from_secs(300);

/// `dpkg ARGS` on the scratch root `root`.
fn dpkg(root: &Path, args: &[&str]) -> Output {
    let mut cmd = Command::new("dpkg");
    cmd.arg(format!("--root={}", root.display()))
        .arg(format!("--log={}", root.join("dpkg.log").display()))
        .args(args);
    // /proc/self belongs to this process's user.
    let uid = std::os::unix::fs::MetadataExt::uid(&std::fs::metadata("/proc/self").unwrap());
    if uid != 0 {
        cmd.arg("--force-not-root");
    }
    let output = run_with_timeout(&mut cmd, LIMIT);
    assert!(
        output.status.success(),
        "dpkg {args:?}: {}{}",
        stdout_of(&output),
        stderr_of(&output)
    );
    output
}

#[test]
fn the_deb_is_lintian_clean_and_installs_removes_and_updates_as_a_package() {
    let dist = release::dist();
    let deb = dist.out.join(dist.deb_name());

    let lint = run_with_timeout(
        Command::new("lintian")
            .args(["--fail-on", "error"])
            .arg(&deb),
        LIMIT,
    );
    let report = stdout_of(&lint);
    assert!(
        lint.status.success() && !report.lines().any(|l| l.starts_with("E:")),
        "lintian:\n{report}{}",
        stderr_of(&lint)
    );

    // A scratch root with a dpkg database that knows this system's libc6.
    let scratch = tempfile::tempdir().unwrap();
    let root = scratch.path();
    std::fs::create_dir_all(root.join("var/lib/dpkg/info")).unwrap();
    std::fs::create_dir_all(root.join("var/lib/dpkg/updates")).unwrap();
    let libc = run_with_timeout(Command::new("dpkg-query").args(["-s", "libc6"]), LIMIT);
    assert!(libc.status.success(), "{}", stderr_of(&libc));
    std::fs::write(
        root.join("var/lib/dpkg/status"),
        format!("{}\n", stdout_of(&libc)),
    )
    .unwrap();
    dpkg(root, &["--install", deb.to_str().unwrap()]);

    let gvmr = root.join("usr/bin/gvmr");
    for (name, member) in [("usr/bin/gvmr", "gvmr"), ("usr/bin/gvmr-shim", "gvmr-shim")] {
        assert!(
            std::fs::read(root.join(name)).unwrap() == dist.archive_member(member),
            "{name} is not the archive's {member}"
        );
    }
    for file in [
        "usr/share/man/man1/gvmr.1.gz",
        "usr/share/man/man1/gvmr-self-update.1.gz",
        "usr/share/bash-completion/completions/gvmr",
        "usr/share/zsh/vendor-completions/_gvmr",
        "usr/share/fish/vendor_completions.d/gvmr.fish",
        "usr/share/doc/gvmr/copyright",
        "usr/share/doc/gvmr/changelog.Debian.gz",
        "usr/share/gvmr/package-manager",
    ] {
        assert!(root.join(file).is_file(), "{file} is missing");
    }

    // The packaged gvmr installs Go (into the user's default data dir).
    let server = TestServer::start();
    let key = TestKey::generate("Test Go Releases <go@example.org>");
    let mut mirror = Mirror::new(&server, &key);
    mirror.publish("1.22.5", true);
    mirror.write_listing();
    let home = root.join("home/user");
    std::fs::create_dir_all(&home).unwrap();
    let keyring = scratch.path().join("keyring.asc");
    key.write_keyring(&keyring);
    let packaged = |args: &[&str]| {
        let mut cmd = Command::new(&gvmr);
        cmd.args(args)
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            .env("HOME", &home)
            .env("GVMR_MIRROR", mirror.base_url())
            .env("GVMR_INDEX_URL", mirror.index_url())
            .env("GVMR_KEYRING", &keyring)
            .current_dir(&home);
        run_with_timeout(&mut cmd, LIMIT)
    };
    let install = packaged(&["install", "1.22.5"]);
    assert!(install.status.success(), "{}", stderr_of(&install));
    assert!(
        stderr_of(&install).contains("Installed go1.22.5"),
        "{}",
        stderr_of(&install)
    );
    let data = home.join(".local/share/gvmr");
    assert_eq!(dir_names(&data.join("versions")), ["go1.22.5"]);
    assert!(
        std::fs::read(data.join("shims/go")).unwrap() == dist.archive_member("gvmr-shim"),
        "the go shim is a copy of /usr/bin/gvmr-shim"
    );

    let update = packaged(&["self", "update"]);
    assert_eq!(update.status.code(), Some(2), "{}", stderr_of(&update));
    assert!(
        stderr_of(&update).contains(&format!(
            "{} was installed by its Debian package, so gvmr does not replace it",
            gvmr.display()
        )),
        "{}",
        stderr_of(&update)
    );

    // Removing (and purging) the package leaves the user's data alone.
    dpkg(root, &["--remove", "gvmr"]);
    assert!(!gvmr.exists() && !root.join("usr/bin/gvmr-shim").exists());
    dpkg(root, &["--purge", "gvmr"]);
    assert_eq!(dir_names(&data.join("versions")), ["go1.22.5"]);
    assert_eq!(dir_names(&data.join("shims")), ["go", "gofmt"]);
}
