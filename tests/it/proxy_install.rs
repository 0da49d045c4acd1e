//! `gvmr install --source proxy`: Go toolchains as the module
//! `golang.org/toolchain` from Go module proxies (GOPROXY), verified against
//! a checksum database (GOSUMDB) before anything is unpacked.

use crate::assert_transcript;
use crate::support::mirror::fake_go_archive;
use crate::support::server::{Fault, TestServer};
use crate::support::sumdb::{TestSumDb, h1_of_zip, toolchain_module_zip};
use crate::support::{Session, stderr_of, walk, write_file};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

const MV: &str = "v0.0.1-go1.22.5.linux-amd64";
const ZIP_PATH: &str = "golang.org/toolchain/@v/v0.0.1-go1.22.5.linux-amd64.zip";

/// The toolchain zip for go1.22.5: the fake archive plus two nested go.mod
/// files (stored as `_go.mod`), an exec wrapper and a script, with the
/// modes Go's release tooling gives them.
fn module_zip() -> Vec<u8> {
    toolchain_module_zip(
        &fake_go_archive("go1.22.5"),
        MV,
        &[
            ("src/go.mod", "module std\n"),
            ("src/cmd/go.mod", "module cmd\n"),
            ("lib/wasm/go_js_wasm_exec", "#!/bin/sh\nexec node \"$@\"\n"),
            ("lib/wasm/wasm_exec.js", "// wasm support\n"),
            ("src/make.bash", "#!/bin/bash\n"),
        ],
    )
}

/// Serves `zip` as a proxy at `<server><prefix>` (with .info, .mod, list).
fn publish(server: &TestServer, prefix: &str, zip: &[u8]) {
    let at = |file: &str| format!("{prefix}/golang.org/toolchain/@v/{file}");
    server.put(&at(&format!("{MV}.zip")), zip.to_vec());
    server.put(&at(&format!("{MV}.mod")), "module golang.org/toolchain\n");
    server.put(
        &at(&format!("{MV}.info")),
        format!("{{\"Version\":\"{MV}\",\"Time\":\"2024-07-02T15:52:13Z\"}}\n"),
    );
    server.put(
        &at("list"),
        format!("v0.0.1-go1.21.0.linux-amd64\n{MV}\nv0.0.1-go1.23.0.darwin-arm64\n"),
    );
}

/// A session whose server also holds a Go module proxy at `/proxy` and a
/// checksum database; its archive mirror publishes nothing, so every
/// toolchain here comes from the proxy.
struct Proxied {
    s: Session,
    /// `GOSUMDB` naming the checksum database and its key.
    gosumdb: String,
}

impl Proxied {
    /// The proxy serves `served_zip`; the checksum database vouches for
    /// `vouched_zip`.
    fn new(served_zip: &[u8], vouched_zip: &[u8]) -> Proxied {
        let s = Session::new();
        publish(&s.server, "/proxy", served_zip);
        let db = TestSumDb::serve(&s.server, MV, &h1_of_zip(vouched_zip));
        Proxied {
            gosumdb: db.gosumdb(),
            s,
        }
    }

    fn honest() -> Proxied {
        let zip = module_zip();
        Proxied::new(&zip, &zip)
    }

    fn proxy(&self, prefix: &str) -> String {
        self.s.server.url(prefix)
    }

    fn install(&self, goproxy: &str, args: &[&str]) -> assert_cmd::Command {
        let mut cmd = self.s.gvmr();
        cmd.env("GOPROXY", goproxy)
            .env("GOSUMDB", &self.gosumdb)
            .args(["install", "--platform", "linux-amd64"])
            .args(args);
        cmd
    }
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

#[track_caller]
fn assert_installed_like_go(s: &Session) {
    let root = s.versions_dir().join("go1.22.5");
    // What Go's toolchain switch makes executable, and nothing else: the
    // zip's 0755 on scripts is ignored, as Go ignores it.
    for exe in [
        "bin/go",
        "bin/gofmt",
        "pkg/tool/linux_amd64/compile",
        "lib/wasm/go_js_wasm_exec",
    ] {
        assert_eq!(mode(&root.join(exe)), 0o755, "{exe} is executable");
    }
    for plain in [
        "VERSION",
        "src/fmt/print.go",
        "src/_go.mod",
        "src/go.mod",
        "lib/wasm/wasm_exec.js",
        "src/make.bash",
    ] {
        assert_eq!(
            mode(&root.join(plain)) & 0o111,
            0,
            "{plain} is not executable"
        );
    }
    // Go copies each _go.mod to go.mod beside it and keeps the _go.mod.
    assert_eq!(
        std::fs::read_to_string(root.join("src/go.mod")).unwrap(),
        "module std\n"
    );
    assert_eq!(
        std::fs::read_to_string(root.join("src/cmd/go.mod")).unwrap(),
        "module cmd\n"
    );
    assert!(root.join("src/cmd/_go.mod").is_file());
    // The module prefix is stripped.
    assert!(!root.join("golang.org").exists());
    assert!(
        walk(&root)
            .iter()
            .all(|p| !p.to_string_lossy().contains('@')),
        "no module prefix left"
    );
    let out = std::process::Command::new(root.join("bin/go"))
        .arg("version")
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "go version go1.22.5 linux/amd64\n"
    );
}

#[test]
fn installs_a_verified_toolchain_from_a_proxy() {
    let p = Proxied::honest();
    p.install(&p.proxy("/proxy"), &["--source", "proxy", "1.22.5"])
        .assert()
        .success();
    assert_installed_like_go(&p.s);
    assert_eq!(
        p.s.downloads().keys().cloned().collect::<Vec<_>>(),
        vec![format!("{MV}.zip")],
        "the verified zip is kept"
    );
    assert_eq!(p.s.tmp_after_purge(), Vec::<String>::new());

    // A reinstall uses the cached zip, checked again, without downloading it.
    p.s.server.clear_requests();
    p.install(
        &p.proxy("/proxy"),
        &["--source", "proxy", "--force", "1.22.5"],
    )
    .assert()
    .success();
    assert_eq!(p.s.server.count(&format!("/proxy/{ZIP_PATH}")), 0);
    assert_installed_like_go(&p.s);
}

#[test]
fn a_zip_the_checksum_database_does_not_vouch_for_is_refused() {
    let honest = module_zip();
    let evil = toolchain_module_zip(
        &fake_go_archive("go1.22.5"),
        MV,
        &[("src/go.mod", "module std\n"), ("bin/evil", "rm -rf ~\n")],
    );
    let p = Proxied::new(&evil, &honest);
    let output = p
        .install(&p.proxy("/proxy"), &["--source", "proxy", "1.22.5"])
        .assert()
        .code(5)
        .get_output()
        .clone();
    let stderr = stderr_of(&output);
    assert_transcript!(p.s, output, @"
    exit: 5
    --- stdout
    --- stderr
    warning: GVMR_KEYRING is set: trusting the keys in [ROOT]/keyring.asc instead of the Go release signing key built into gvmr
    error: golang.org/toolchain@v0.0.1-go1.22.5.linux-amd64: the zip from [SERVER]/proxy/golang.org/toolchain/@v/v0.0.1-go1.22.5.linux-amd64.zip does not match the checksum database (SECURITY ERROR)
      checksum database: h1:MbT0VDHeMJ4r4DJp6Go4d2DYGA9YREpIXTR7lHpFlt8=
      downloaded:        h1:B2SjAZwCVM6oDwpgMzy90eKbD8jsjycu/YLCgs20mf8=
    hint: do not use this toolchain zip; if a proxy serves it, report it to the proxy's operator
    ");
    assert!(
        stderr.contains("does not match the checksum database"),
        "{stderr}"
    );
    assert!(stderr.contains(&h1_of_zip(&honest)), "{stderr}");
    assert!(stderr.contains(&h1_of_zip(&evil)), "{stderr}");
    p.s.assert_nothing_installed();
    assert!(p.s.downloads().is_empty(), "nothing unverified is cached");
}

#[test]
fn comma_falls_through_on_not_found_only() {
    let p = Proxied::honest();
    // 404 at the first proxy: the second one is asked.
    let goproxy = format!("{},{}", p.proxy("/missing"), p.proxy("/proxy"));
    p.install(&goproxy, &["--source", "proxy", "1.22.5"])
        .assert()
        .success();
    assert_installed_like_go(&p.s);

    // 500 at the first proxy: `,` stops there.
    p.s.clear_home();
    p.s.server
        .fault(&format!("/broken/{ZIP_PATH}"), Fault::Status(500));
    p.s.server.clear_requests();
    let goproxy = format!("{},{}", p.proxy("/broken"), p.proxy("/proxy"));
    let output = p
        .install(&goproxy, &["--source", "proxy", "1.22.5"])
        .assert()
        .code(4)
        .get_output()
        .clone();
    assert!(
        stderr_of(&output).contains("HTTP 500"),
        "{}",
        stderr_of(&output)
    );
    assert_eq!(p.s.server.count(&format!("/proxy/{ZIP_PATH}")), 0);
    p.s.assert_nothing_installed();
}

#[test]
fn pipe_falls_through_on_any_error() {
    let p = Proxied::honest();
    p.s.server
        .fault(&format!("/broken/{ZIP_PATH}"), Fault::Status(500));
    let goproxy = format!("{}|{}", p.proxy("/broken"), p.proxy("/proxy"));
    p.install(&goproxy, &["--source", "proxy", "1.22.5"])
        .assert()
        .success();
    assert_installed_like_go(&p.s);
}

#[test]
fn off_and_direct_never_deliver() {
    let p = Proxied::honest();
    let output = p
        .install(
            &format!("off,{}", p.proxy("/proxy")),
            &["--source", "proxy", "1.22.5"],
        )
        .assert()
        .code(4)
        .get_output()
        .clone();
    assert_transcript!(p.s, output, @"
    exit: 4
    --- stdout
    --- stderr
    warning: GVMR_KEYRING is set: trusting the keys in [ROOT]/keyring.asc instead of the Go release signing key built into gvmr
    error: cannot fetch golang.org/toolchain@v0.0.1-go1.22.5.linux-amd64.zip from any Go module proxy (GOPROXY=off,[SERVER]/proxy):
      - off: module downloads are disabled by GOPROXY=off
    hint: check GOPROXY (e.g. https://proxy.golang.org, or file:///path/to/mirror) and your network
    ");
    assert!(
        stderr_of(&output).contains("GOPROXY=off"),
        "{}",
        stderr_of(&output)
    );
    let output = p
        .install("direct", &["--source", "proxy", "1.22.5"])
        .assert()
        .code(3)
        .get_output()
        .clone();
    assert_transcript!(p.s, output, @"
    exit: 3
    --- stdout
    --- stderr
    warning: GVMR_KEYRING is set: trusting the keys in [ROOT]/keyring.asc instead of the Go release signing key built into gvmr
    error: cannot fetch golang.org/toolchain@v0.0.1-go1.22.5.linux-amd64.zip from any Go module proxy (GOPROXY=direct):
      - direct: toolchains come only from proxies
    hint: check GOPROXY (e.g. https://proxy.golang.org, or file:///path/to/mirror) and your network
    ");
    assert!(
        stderr_of(&output).contains("toolchains come only from proxies"),
        "{}",
        stderr_of(&output)
    );
    assert_eq!(p.s.server.count(&format!("/proxy/{ZIP_PATH}")), 0);
    p.s.assert_nothing_installed();
}

#[test]
fn a_directory_is_a_proxy_with_file_urls() {
    let p = Proxied::honest();
    let dir = p.s.root().join("goproxy");
    let at = dir.join("golang.org/toolchain/@v");
    std::fs::create_dir_all(&at).unwrap();
    std::fs::write(at.join(format!("{MV}.zip")), module_zip()).unwrap();
    let goproxy = format!("file://{}", dir.display());
    p.install(&goproxy, &["--source", "proxy", "1.22.5"])
        .assert()
        .success();
    assert_installed_like_go(&p.s);
}

#[test]
fn gosumdb_off_is_refused() {
    let p = Proxied::honest();
    p.s.server.clear_requests();
    let output = p
        .install(&p.proxy("/proxy"), &["--source", "proxy", "1.22.5"])
        .env("GOSUMDB", "off")
        .assert()
        .code(5)
        .get_output()
        .clone();
    assert_transcript!(p.s, output, @"
    exit: 5
    --- stdout
    --- stderr
    warning: GVMR_KEYRING is set: trusting the keys in [ROOT]/keyring.asc instead of the Go release signing key built into gvmr
    error: cannot check golang.org/toolchain against the checksum database: GOSUMDB=off: gvmr does not install Go modules without verifying them with the checksum database
    hint: unset GOSUMDB (or set it to sum.golang.org): proxy installs are verified against the checksum database; or install from the release archives (--source archive)
    ");
    assert!(
        stderr_of(&output).contains("GOSUMDB=off"),
        "{}",
        stderr_of(&output)
    );
    assert_eq!(p.s.server.requests(), Vec::<String>::new());
    p.s.assert_nothing_installed();
}

#[test]
fn latest_resolves_from_the_proxys_version_list() {
    let p = Proxied::honest();
    // No release listing (the mirror publishes none): the proxy's @v/list
    // has go1.21.0 and go1.22.5 for linux-amd64.
    p.install(&p.proxy("/proxy"), &["--source", "proxy", "latest"])
        .assert()
        .success();
    assert_installed_like_go(&p.s);
}

#[test]
fn auto_falls_back_to_the_proxy_when_the_mirror_lacks_the_version() {
    let p = Proxied::honest();
    p.install(&p.proxy("/proxy"), &["1.22.5"])
        .env("GVMR_SOURCE", "auto")
        .assert()
        .success();
    assert_installed_like_go(&p.s);

    // The default stays `archive`: no proxy is asked.
    p.s.clear_home();
    p.s.server.clear_requests();
    p.install(&p.proxy("/proxy"), &["1.22.5"])
        .assert()
        .failure();
    assert_eq!(p.s.server.count(&format!("/proxy/{ZIP_PATH}")), 0);
}

#[test]
fn a_vouched_zip_with_entries_outside_the_module_is_refused_on_unpacking() {
    // The checksum database vouches only for hashes, not for sane contents.
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    zip.start_file(format!("golang.org/toolchain@{MV}/VERSION"), options)
        .unwrap();
    std::io::Write::write_all(&mut zip, b"go1.22.5\n").unwrap();
    zip.start_file(
        "golang.org/toolchain@v0.0.1-go1.99.0.linux-amd64/bin/go",
        options,
    )
    .unwrap();
    std::io::Write::write_all(&mut zip, b"#!/bin/sh\n").unwrap();
    let hostile = zip.finish().unwrap().into_inner();
    let p = Proxied::new(&hostile, &hostile);
    let output = p
        .install(&p.proxy("/proxy"), &["--source", "proxy", "1.22.5"])
        .assert()
        .code(6)
        .get_output()
        .clone();
    assert!(
        stderr_of(&output).contains("lies outside"),
        "{}",
        stderr_of(&output)
    );
    p.s.assert_nothing_installed();
}

#[test]
fn a_module_zip_cut_short_is_resumed_and_busy_answers_are_retried() {
    let p = Proxied::honest();
    let zip_url = format!("/proxy/{ZIP_PATH}");
    let size = p.s.server.get(&zip_url).unwrap().len();
    p.s.server.fault(&zip_url, Fault::TruncateOnce(size / 2));
    // The checksum database is busy once too, with a Retry-After.
    p.s.server.fault(
        &format!("/sumdb/lookup/golang.org/toolchain@{MV}"),
        Fault::FailTimes {
            status: 429,
            times: 1,
            retry_after: Some(0),
        },
    );
    let output = p
        .install(&p.proxy("/proxy"), &["--source", "proxy", "1.22.5"])
        .assert()
        .success()
        .get_output()
        .clone();
    let stderr = stderr_of(&output);
    assert_installed_like_go(&p.s);
    assert!(stderr.contains("HTTP 429; retrying in 0.00 s"), "{stderr}");
    assert_eq!(
        p.s.server.ranges(&zip_url),
        [None, Some(format!("bytes={}-", size / 2))],
        "the second request asked only for the rest"
    );
    assert!(stderr.contains("Resuming download of"), "{stderr}");
}

#[test]
fn a_password_in_goproxy_is_never_printed() {
    let p = Proxied::honest();
    let with_password = p
        .proxy("/nowhere")
        .replace("http://", "http://user:s3cret@");
    let output = p
        .install(&with_password, &["--source", "proxy", "1.22.5"])
        .assert()
        .code(3)
        .get_output()
        .clone();
    let stderr = stderr_of(&output);
    assert!(stderr.contains("user:***@"), "{stderr}");
    assert!(!stderr.contains("s3cret"), "{stderr}");
    p.s.assert_nothing_installed();
}

/// Go's settings as `go env -w` leaves them: proxy installs read the go
/// env file (in `~/.config/go`, in `XDG_CONFIG_HOME`, or named by `GOENV`)
/// as the go command does, the environment overriding it both ways
/// (a value beats the file, an empty value does not), and `GOENV=off`
/// ignores it. A decoy file says `GOSUMDB=off`, which gvmr refuses, so a
/// success proves which file was read.
#[test]
fn proxy_installs_read_go_env_w_settings_as_go_does() {
    let p = Proxied::honest();
    let good = format!("GOPROXY={}\nGOSUMDB={}\n", p.proxy("/proxy"), p.gosumdb);
    let decoy = "GOPROXY=https://127.0.0.1:9\nGOSUMDB=off\n";
    // (what, files under HOME, extra environment, expected exit code)
    type Files<'a> = Vec<(&'a str, &'a str)>;
    type Vars<'a> = Vec<(&'a str, String)>;
    let cases: Vec<(&str, Files, Vars, i32)> = vec![
        ("go env -w", vec![(".config/go/env", &good)], vec![], 0),
        (
            "XDG_CONFIG_HOME",
            vec![(".config/go/env", decoy), ("xdg/go/env", &good)],
            vec![("XDG_CONFIG_HOME", "@HOME@/xdg".into())],
            0,
        ),
        (
            "GOENV names the file",
            vec![(".config/go/env", decoy), ("goenv", &good)],
            vec![("GOENV", "@HOME@/goenv".into())],
            0,
        ),
        (
            "the environment beats the file",
            vec![(".config/go/env", decoy)],
            vec![
                ("GOPROXY", p.proxy("/proxy")),
                ("GOSUMDB", p.gosumdb.clone()),
            ],
            0,
        ),
        (
            "an empty variable leaves the file in charge",
            vec![(".config/go/env", decoy)],
            vec![("GOPROXY", p.proxy("/proxy")), ("GOSUMDB", String::new())],
            5,
        ),
        (
            "GOENV=off ignores the file",
            vec![(".config/go/env", decoy)],
            vec![
                ("GOENV", "off".into()),
                ("GOPROXY", p.proxy("/proxy")),
                ("GOSUMDB", p.gosumdb.clone()),
            ],
            0,
        ),
    ];
    let home = p.s.user_home();
    for (what, files, vars, code) in cases {
        p.s.clear_home();
        for (file, text) in files {
            write_file(&home.join(file), text);
        }
        let mut cmd = p.s.gvmr();
        cmd.args([
            "install",
            "--platform",
            "linux-amd64",
            "--source",
            "proxy",
            "1.22.5",
        ]);
        for (name, value) in vars {
            cmd.env(name, value.replace("@HOME@", home.to_str().unwrap()));
        }
        let output = cmd.output().unwrap();
        assert_eq!(
            output.status.code(),
            Some(code),
            "{what}: {}",
            stderr_of(&output)
        );
        if code == 0 {
            assert_installed_like_go(&p.s);
        } else {
            assert!(
                stderr_of(&output).contains("GOSUMDB=off"),
                "{what}: {}",
                stderr_of(&output)
            );
            p.s.assert_nothing_installed();
        }
    }
}

/// What `gvmr doctor` reports for GOPROXY and GOSUMDB, with their source,
/// is what a proxy install then uses.
#[test]
fn doctor_reports_the_goproxy_and_gosumdb_install_uses() {
    let p = Proxied::honest();
    let proxy = p.proxy("/proxy");
    write_file(
        &p.s.user_home().join(".config/go/env"),
        format!("GOPROXY={proxy}\n"),
    );
    let output =
        p.s.gvmr()
            .env("GOSUMDB", &p.gosumdb)
            .args(["doctor", "--offline", "--json"])
            .output()
            .unwrap();
    let checks: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
    let finding = |name: &str| {
        checks
            .iter()
            .find(|c| c["section"] == "Settings" && c["check"] == name)
            .unwrap_or_else(|| panic!("no {name} in {checks:#?}"))["finding"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(
        finding("GOPROXY"),
        format!("{proxy} (file ~/.config/go/env)")
    );
    assert_eq!(finding("GOSUMDB"), format!("{} (env)", p.gosumdb));

    p.s.server.clear_requests();
    p.s.gvmr()
        .env("GOSUMDB", &p.gosumdb)
        .args([
            "install",
            "--platform",
            "linux-amd64",
            "--source",
            "proxy",
            "1.22.5",
        ])
        .assert()
        .success();
    let requests = p.s.server.requests();
    assert!(
        requests
            .iter()
            .any(|r| r.ends_with(&format!("/proxy/{ZIP_PATH}"))),
        "the zip came from the reported proxy: {requests:?}"
    );
    let db = p.gosumdb.split_whitespace().nth(1).unwrap_or_default();
    let db_path = db.trim_start_matches(&p.s.server.base()).to_string();
    assert!(
        requests
            .iter()
            .any(|r| r.contains(&db_path) && r.contains("/lookup/")),
        "the checksum database asked is the reported one ({db}): {requests:?}"
    );
}
