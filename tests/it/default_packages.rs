//! `$GVMR_HOME/default-packages`: installed with each new toolchain, with
//! that toolchain's environment, failures as warnings. A stand-in `go`
//! records how it was run (the real one: `e2e_default_packages`).

use crate::assert_transcript;
use crate::support::Session;
use crate::support::mirror::go_like_archive;
use std::fs;

/// A `go` that logs `ARGS|GOTOOLCHAIN|GOROOT|first PATH entry` to
/// `$FAKE_GO_LOG` and fails for packages whose path contains "broken".
const LOGGING_GO: &str = r#"#!/bin/sh
printf '%s|%s|%s|%s\n' "$*" "$GOTOOLCHAIN" "$GOROOT" "${PATH%%:*}" >> "$FAKE_GO_LOG"
case "$2" in
*broken*)
    echo "go: downloading $2" >&2
    echo "go: $2: module example.com/broken: not found" >&2
    exit 1
    ;;
esac
"#;

#[test]
fn default_packages_are_installed_with_each_new_toolchain() {
    let s = Session::new();
    s.publish_archive(
        "go1.22.5",
        go_like_archive("go1.22.5", LOGGING_GO, "#!/bin/sh\n"),
    );
    fs::create_dir_all(s.home()).unwrap();
    fs::write(
        s.home().join("default-packages"),
        "# tools for every Go\n\
         example.com/tool@v1.0.0\n\
         \n\
         not a package\n\
         example.com/broken@latest   # fails\n\
         example.org/other/cmd/x@v2.1.0\n",
    )
    .unwrap();
    let log = s.root().join("go.log");
    let run = |args: &[&str]| {
        s.gvmr()
            .env("FAKE_GO_LOG", &log)
            .env("GOTOOLCHAIN", "go1.21.0")
            .args(args)
            .output()
            .unwrap()
    };

    let output = run(&["install", "1.22.5"]);
    assert_transcript!(s, output, @r#"
    exit: 0
    --- stdout
    --- stderr
    warning: GVMR_KEYRING is set: trusting the keys in [ROOT]/keyring.asc instead of the Go release signing key built into gvmr
    Verified sha256 [SHA256] (release listing at [SERVER]/listing.json) and OpenPGP signature (Test Go Releases <go@example.org>, key [KEY]…, made [DATE])
    Installed go1.22.5 in [ROOT]/gvmr-home/versions/go1.22.5 ([T] s)
    go1.22.5 is now the default, as no default was set (change it with `gvmr default VERSION`)
    warning: [ROOT]/gvmr-home/default-packages:4: "not a package" is not module/path@version (e.g. golang.org/x/tools/gopls@latest); skipped
    Installing default package example.com/tool@v1.0.0 (1/3)…
    Installing default package example.com/broken@latest (2/3)…
    warning: default package example.com/broken@latest was not installed with go1.22.5: go install failed (exit status: 1)
      go: downloading example.com/broken@latest
      go: example.com/broken@latest: module example.com/broken: not found
    Installing default package example.org/other/cmd/x@v2.1.0 (3/3)…
    Installed 2 default packages into ~/go/bin
    Created the go and gofmt shims in [ROOT]/gvmr-home/shims (put it on PATH, or load a shell hook: see `gvmr hook --help`)
    "#);
    assert!(output.status.success());
    let goroot = s.versions_dir().join("go1.22.5");
    let expected: String = [
        "example.com/tool@v1.0.0",
        "example.com/broken@latest",
        "example.org/other/cmd/x@v2.1.0",
    ]
    .iter()
    .map(|p| {
        format!(
            "install {p}|local|{}|{}\n",
            goroot.display(),
            goroot.join("bin").display()
        )
    })
    .collect();
    assert_eq!(fs::read_to_string(&log).unwrap(), expected);

    // Only fresh installs run them.
    run(&["install", "1.22.5"]);
    run(&["install", "--force", "--no-default-packages", "1.22.5"]);
    assert_eq!(fs::read_to_string(&log).unwrap(), expected);
}
