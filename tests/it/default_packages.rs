//! `$GVMR_HOME/default-packages`: installed with each new toolchain, with
//! that toolchain's environment, failures as warnings. A stand-in `go`
//! records how it was run (the real one: `e2e_default_packages`).

use crate::snapshot;
use crate::support::Env;
use crate::support::keys::TestKey;
use crate::support::mirror::{Mirror, go_like_archive};
use crate::support::server::TestServer;
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
    let server = TestServer::start();
    let key = TestKey::generate("Test Go Releases <go@example.org>");
    let mut mirror = Mirror::new(&server, &key);
    mirror.publish_archive(
        "go1.22.5",
        true,
        go_like_archive("go1.22.5", LOGGING_GO, "#!/bin/sh\n"),
    );
    mirror.write_listing();
    let env = Env::new(&mirror, &key);
    fs::create_dir_all(env.home()).unwrap();
    fs::write(
        env.home().join("default-packages"),
        "# tools for every Go\n\
         example.com/tool@v1.0.0\n\
         \n\
         not a package\n\
         example.com/broken@latest   # fails\n\
         example.org/other/cmd/x@v2.1.0\n",
    )
    .unwrap();
    let log = env.root().join("go.log");
    let run = |args: &[&str]| {
        env.gvmr()
            .env("FAKE_GO_LOG", &log)
            .env("GOTOOLCHAIN", "go1.21.0")
            .args(args)
            .output()
            .unwrap()
    };

    let output = run(&["install", "1.22.5"]);
    snapshot!("default-packages", output, env, server);
    assert!(output.status.success());
    let goroot = env.versions_dir().join("go1.22.5");
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
