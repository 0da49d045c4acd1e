//! End to end with a real Go: the default packages are `go install`ed by
//! the real go1.22.10 from a module proxy on disk (`GOPROXY=file://…`,
//! laid out by hand: `<module>/@v/list`, `.info`, `.mod`, `.zip`), and a
//! package that does not exist is a warning naming it while the install
//! succeeds.

use crate::support::{Session, stderr_of};
use std::fs;
use std::io::Write;
use std::path::Path;
use std::process::Command;

const MODULE: &str = "example.com/hello";
const VERSION: &str = "v1.0.0";

/// A module proxy at `root` serving MODULE@VERSION, a `main` package
/// printing a greeting.
fn module_proxy(root: &Path) {
    let dir = root.join(MODULE).join("@v");
    fs::create_dir_all(&dir).unwrap();
    let go_mod = format!("module {MODULE}\n\ngo 1.22\n");
    fs::write(dir.join("list"), format!("{VERSION}\n")).unwrap();
    fs::write(
        dir.join(format!("{VERSION}.info")),
        format!("{{\"Version\":\"{VERSION}\",\"Time\":\"2024-06-01T00:00:00Z\"}}\n"),
    )
    .unwrap();
    fs::write(dir.join(format!("{VERSION}.mod")), &go_mod).unwrap();
    let mut zip =
        zip::ZipWriter::new(fs::File::create(dir.join(format!("{VERSION}.zip"))).unwrap());
    let options = zip::write::SimpleFileOptions::default();
    let prefix = format!("{MODULE}@{VERSION}");
    zip.start_file(format!("{prefix}/go.mod"), options).unwrap();
    zip.write_all(go_mod.as_bytes()).unwrap();
    zip.start_file(format!("{prefix}/main.go"), options)
        .unwrap();
    zip.write_all(b"package main\n\nfunc main() { println(\"hello from a default package\") }\n")
        .unwrap();
    zip.finish().unwrap();
}

#[test]
fn e2e_default_packages_are_installed_by_the_real_go() {
    let _alone = crate::e2e_real_go::REAL_GO
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    let archive = fs::read(crate::support::real_go_archive("1.22.10")).unwrap();
    let s = Session::new();
    s.publish_archive("go1.22.10", archive);
    let proxy = s.root().join("proxy");
    module_proxy(&proxy);
    fs::write(
        s.home().join("default-packages"),
        format!("{MODULE}@{VERSION}\nexample.com/missing@{VERSION}\n"),
    )
    .unwrap();
    let gopath = s.root().join("gopath");

    let output = s
        .gvmr()
        .args(["install", "1.22.10"])
        .env("GOPROXY", format!("file://{}", proxy.display()))
        .env("GOSUMDB", "off")
        .env("GOPATH", &gopath)
        .env("GOCACHE", s.root().join("gocache"))
        .env("GOTELEMETRY", "off")
        .env("CGO_ENABLED", "0")
        .output()
        .unwrap();
    let stderr = stderr_of(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "Installing default package {MODULE}@{VERSION} (1/2)…"
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "warning: default package example.com/missing@{VERSION} was not installed with go1.22.10: go install failed"
        )),
        "{stderr}"
    );
    assert!(stderr.contains("example.com/missing"), "{stderr}");

    let hello = gopath.join("bin/hello");
    let ran = Command::new(&hello).output().unwrap();
    assert!(ran.status.success());
    assert_eq!(
        String::from_utf8_lossy(&ran.stderr),
        "hello from a default package\n"
    );
}
