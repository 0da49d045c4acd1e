//! scripts/dist.sh: the release archive holds what a user needs, its gvmr
//! runs anywhere glibc 2.17 does (and resolves names there), two runs give
//! the same bytes, and the signature of SHA256SUMS checks out by hand with
//! `minisign -V`.

use crate::support::release::{self, REPO};
use crate::support::server::TestServer;
use crate::support::{run_with_timeout, spawn, stderr_of, stdout_of, wait_with_timeout};
use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

/// Runs `program args` to success and returns its stdout.
fn run(program: &str, args: &[&str], dir: &Path) -> String {
    let output = run_with_timeout(
        Command::new(program).args(args).current_dir(dir),
        Duration::from_secs(120),
    );
    assert!(
        output.status.success(),
        "{program} {args:?}: {}",
        stderr_of(&output)
    );
    stdout_of(&output)
}

fn git(args: &[&str]) -> String {
    run("git", args, Path::new(REPO)).trim().to_string()
}

/// The archive unpacked into a temporary directory.
fn unpacked() -> (tempfile::TempDir, std::path::PathBuf) {
    let dist = release::dist();
    let dir = tempfile::tempdir().unwrap();
    let bytes = dist.file(&dist.archive_name());
    tar::Archive::new(flate2::read::GzDecoder::new(bytes.as_slice()))
        .unpack(dir.path())
        .unwrap();
    let top = dir.path().join(dist.stem());
    (dir, top)
}

/// A man page per command `gvmr --help` lists (but `help`), and per
/// subcommand: gvmr.1, gvmr-install.1, gvmr-self-update.1, …
fn man_pages_from_help() -> BTreeSet<String> {
    let mut pages = BTreeSet::from(["gvmr.1".to_string()]);
    for command in crate::help::subcommands(&[]) {
        for sub in crate::help::subcommands(&[&command]) {
            pages.insert(format!("gvmr-{command}-{sub}.1"));
        }
        pages.insert(format!("gvmr-{command}.1"));
    }
    pages
}

#[test]
fn the_archive_holds_the_binaries_completions_man_pages_and_licenses() {
    let dist = release::dist();
    let bytes = dist.file(&dist.archive_name());
    let epoch: u64 = git(&["log", "-1", "--format=%ct"]).parse().unwrap();
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(bytes.as_slice()));
    let mut files = BTreeSet::new();
    let mut pages = BTreeSet::new();
    for entry in archive.entries().unwrap() {
        let entry = entry.unwrap();
        let header = entry.header();
        let path = entry.path().unwrap().to_string_lossy().into_owned();
        assert_eq!(
            (header.uid().unwrap(), header.gid().unwrap()),
            (0, 0),
            "{path}"
        );
        assert_eq!(header.mtime().unwrap(), epoch, "{path}: the commit's time");
        let rest = path
            .strip_prefix(&format!("{}/", dist.stem()))
            .unwrap_or_else(|| panic!("{path} is outside {}/", dist.stem()))
            .to_string();
        let mode = header.mode().unwrap();
        if header.entry_type().is_dir() {
            assert_eq!(mode, 0o755, "{path}");
            continue;
        }
        let executable = rest == "gvmr" || rest == "gvmr-shim";
        assert_eq!(mode, if executable { 0o755 } else { 0o644 }, "{path}");
        match rest.strip_prefix("man/man1/") {
            Some(page) => pages.insert(page.to_string()),
            None => files.insert(rest),
        };
    }
    let expected: BTreeSet<String> = [
        "gvmr",
        "gvmr-shim",
        "completions/gvmr.bash",
        "completions/_gvmr",
        "completions/gvmr.fish",
        "README.md",
        "LICENSE-MIT",
        "LICENSE-APACHE",
    ]
    .map(String::from)
    .into();
    assert_eq!(files, expected);
    let (_dir, top) = unpacked();
    assert_eq!(pages, man_pages_from_help());
    let page = std::fs::read_to_string(top.join("man/man1/gvmr-self-update.1")).unwrap();
    assert!(
        page.contains(&format!(
            ".TH gvmr-self-update 1  \"gvmr {}\"",
            dist.version
        )),
        "{page}"
    );
    assert!(page.contains("GVMR_UPDATE_KEY"), "{page}");
    let bash = std::fs::read_to_string(top.join("completions/gvmr.bash")).unwrap();
    assert!(bash.contains("complete -F _gvmr"), "{bash}");
}

#[test]
fn the_unpacked_gvmr_names_its_version_commit_and_target_and_resolves_names() {
    let dist = release::dist();
    let (_dir, top) = unpacked();
    let gvmr = top.join("gvmr");
    let said = run(gvmr.to_str().unwrap(), &["--version"], Path::new("/"));
    let commit = git(&["rev-parse", "--short=12", "HEAD"]);
    assert_eq!(
        said.trim(),
        format!("gvmr {} (commit {commit}, {})", dist.version, dist.target)
    );

    // Through glibc's resolver (NSS, loaded at run time from this system's
    // glibc, newer than the one gvmr was linked for): `localhost`.
    let server = TestServer::start();
    release::serve(&server, &dist.files(), &dist.version, true);
    let base = release::base(&server).replace("127.0.0.1", "localhost");
    let home = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(&gvmr);
    cmd.args(["self", "update", "--check"])
        .env_clear()
        .env("HOME", home.path())
        .env("GVMR_HOME", home.path().join("gvmr"))
        .env("GVMR_UPDATE_BASE", &base)
        .env("GVMR_UPDATE_KEY", &dist.key.public_file)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let output = wait_with_timeout(spawn(&mut cmd), Duration::from_secs(60), "gvmr");
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert_eq!(
        stdout_of(&output),
        format!("gvmr {} is the newest release; this is it\n", dist.version)
    );
    assert!(
        server
            .requests()
            .contains(&"GET /releases/latest/download/SHA256SUMS".to_string()),
        "{:?}",
        server.requests()
    );
}

#[test]
fn no_glibc_symbol_is_newer_than_2_17_and_the_shim_is_static() {
    let (_dir, top) = unpacked();
    let symbols = run("objdump", &["-T", "gvmr"], &top);
    let mut newest = (0, 0);
    for word in symbols.split(|c: char| c.is_whitespace() || c == '(' || c == ')') {
        if let Some(version) = word.strip_prefix("GLIBC_") {
            let mut parts = version.split('.').map(|p| p.parse::<u32>().unwrap());
            let found = (parts.next().unwrap(), parts.next().unwrap_or(0));
            newest = newest.max(found);
        }
    }
    assert!(newest >= (2, 2), "no GLIBC symbols found:\n{symbols}");
    assert!(
        newest <= (2, 17),
        "gvmr needs GLIBC_{}.{}:\n{symbols}",
        newest.0,
        newest.1
    );
    let headers = run("readelf", &["--program-headers", "gvmr-shim"], &top);
    assert!(
        !headers.contains("INTERP"),
        "gvmr-shim asks for a dynamic loader:\n{headers}"
    );
}

#[test]
fn two_runs_give_the_same_bytes() {
    let dist = release::dist();
    let again = tempfile::tempdir().unwrap();
    // Another time zone and umask change nothing.
    release::run_dist(
        again.path(),
        &dist.key.secret_file,
        &[("TZ", "Asia/Shanghai")],
    );
    let first = dist.files();
    let second: std::collections::BTreeMap<String, Vec<u8>> =
        crate::support::dir_names(again.path())
            .into_iter()
            .map(|n| {
                let bytes = std::fs::read(again.path().join(&n)).unwrap();
                (n, bytes)
            })
            .collect();
    assert_eq!(
        first.keys().collect::<Vec<_>>(),
        second.keys().collect::<Vec<_>>()
    );
    for (name, bytes) in &first {
        assert!(bytes == &second[name], "{name} differs between two runs");
    }
}

#[test]
fn sums_manifest_and_installer_describe_the_files_and_minisign_checks_the_signature() {
    let dist = release::dist();
    let files = dist.files();
    let names: Vec<&str> = files.keys().map(String::as_str).collect();
    let archive = dist.archive_name();
    let deb = dist.deb_name();
    let mut expected = vec![
        "SHA256SUMS",
        "SHA256SUMS.sig",
        "get.sh",
        &archive,
        &deb,
        "manifest.json",
    ];
    expected.sort();
    assert_eq!(names, expected);

    let sums = String::from_utf8(dist.file("SHA256SUMS")).unwrap();
    let listed: Vec<String> = sums.lines().map(str::to_string).collect();
    let mut want: Vec<String> = ["get.sh", &archive, &deb, "manifest.json"]
        .iter()
        .map(|n| format!("{}  {n}", crate::support::mirror::sha256_hex(&files[*n])))
        .collect();
    want.sort_by(|a, b| a[66..].cmp(&b[66..]));
    assert_eq!(listed, want);

    let manifest: serde_json::Value = serde_json::from_slice(&dist.file("manifest.json")).unwrap();
    assert_eq!(manifest["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(manifest["commit"], git(&["rev-parse", "HEAD"]));
    let date = manifest["date"].as_str().unwrap();
    assert!(
        date.len() == 20 && date.ends_with('Z') && date.as_bytes()[10] == b'T',
        "{date}"
    );
    let entry = &manifest["targets"][&dist.target];
    assert_eq!(entry["file"], archive);
    assert_eq!(entry["size"], files[&archive].len());
    assert_eq!(
        entry["sha256"],
        crate::support::mirror::sha256_hex(&files[&archive])
    );

    let get_sh = String::from_utf8(dist.file("get.sh")).unwrap();
    for line in [
        format!("release_version='{}'", dist.version),
        format!("release_public_key='{}'", dist.key.public_base64),
        format!(
            "{}  {archive}",
            crate::support::mirror::sha256_hex(&files[&archive])
        ),
    ] {
        assert!(get_sh.lines().any(|l| l == line), "{line:?} not in get.sh");
    }

    // By hand, with the real minisign (prehashed signatures required: -H).
    let dir = tempfile::tempdir().unwrap();
    for name in ["SHA256SUMS", "SHA256SUMS.sig"] {
        std::fs::write(dir.path().join(name), &files[name]).unwrap();
    }
    let pubkey = dist.key.public_file.to_str().unwrap();
    let check = |dir: &Path| {
        let mut cmd = Command::new("minisign");
        cmd.args([
            "-V",
            "-H",
            "-p",
            pubkey,
            "-m",
            "SHA256SUMS",
            "-x",
            "SHA256SUMS.sig",
        ])
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
        wait_with_timeout(spawn(&mut cmd), Duration::from_secs(30), "minisign")
    };
    let verified = check(dir.path());
    assert!(verified.status.success(), "{}", stderr_of(&verified));
    assert!(
        stdout_of(&verified).contains(&format!(
            "Trusted comment: gvmr {} SHA256SUMS",
            dist.version
        )),
        "{}",
        stdout_of(&verified)
    );
    std::fs::write(
        dir.path().join("SHA256SUMS"),
        release::tampered(&files["SHA256SUMS"]),
    )
    .unwrap();
    assert!(
        !check(dir.path()).status.success(),
        "a changed SHA256SUMS verified"
    );
}

#[test]
fn the_scripts_are_shellcheck_clean() {
    let dist = release::dist();
    let rendered = tempfile::tempdir().unwrap();
    let get_sh = rendered.path().join("get.sh");
    std::fs::write(&get_sh, dist.file("get.sh")).unwrap();
    run(
        "shellcheck",
        &[
            "scripts/dist.sh",
            "scripts/dist-tools.sh",
            "scripts/release.sh",
            "scripts/test.sh",
            "scripts/get.sh",
            get_sh.to_str().unwrap(),
        ],
        Path::new(REPO),
    );
}

#[test]
fn the_signature_needs_an_unencrypted_minisign_key() {
    let dist = release::dist();
    let dir = tempfile::tempdir().unwrap();
    // minisign's own key file round-trips: the public half gvmr derives is
    // minisign's public key file, byte for byte.
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_gvmr"));
    cmd.args(["internal-minisign", "public"])
        .arg(&dist.key.secret_file)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let output = wait_with_timeout(spawn(&mut cmd), Duration::from_secs(30), "gvmr");
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert_eq!(output.stdout, std::fs::read(&dist.key.public_file).unwrap());
    // A password-protected key is refused with what to do.
    let encrypted = dir.path().join("encrypted.key");
    let text = std::fs::read_to_string(&dist.key.secret_file).unwrap();
    let mut lines = text.lines();
    let comment = lines.next().unwrap();
    let mut bytes = base64_decode(lines.next().unwrap());
    bytes[2..4].copy_from_slice(b"Sc");
    std::fs::write(
        &encrypted,
        format!("{comment}\n{}\n", base64_encode(&bytes)),
    )
    .unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_gvmr"));
    cmd.args(["internal-minisign", "sign"])
        .arg(&encrypted)
        .arg(dist.out.join("SHA256SUMS"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let output = wait_with_timeout(spawn(&mut cmd), Duration::from_secs(30), "gvmr");
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr_of(&output).contains("minisign -G -W"),
        "{}",
        stderr_of(&output)
    );
}

fn base64_decode(text: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .unwrap()
}

fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}
