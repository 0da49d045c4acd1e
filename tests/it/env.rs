//! `gvmr env` in every format, its output evaluated by the real shells
//! (bash, zsh, fish) it is meant for, with a `GVMR_HOME` whose path has
//! spaces and a single quote in it.

use crate::support::run_with_timeout;
use crate::support::switching::{GVMR, assert_shim_binary_built, err, out};
use crate::support::{BASE_PATH, Session};
use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(60);

/// A GVMR_HOME name a naive `eval` would choke on.
const ODD_HOME: &str = "gvmr h'o me $(x) \"q\"";

fn odd_home() -> Session {
    assert_shim_binary_built();
    let s = Session::new().home_named(ODD_HOME);
    s.publish_probes(&["go1.21.0", "go1.22.5", "go1.23.1"]);
    s.install(&["1.21.0", "1.22.5"]);
    s
}

/// Runs `shell -c script` in `dir` with a clean environment and `GVMR` set
/// to the gvmr binary.
fn shell(s: &Session, program: &str, args: &[&str], dir: &Path, vars: &[(&str, &str)]) -> Output {
    let mut cmd = s.clean_command(program, dir);
    cmd.args(args).env("GVMR", GVMR);
    for (name, value) in vars {
        cmd.env(name, value);
    }
    run_with_timeout(&mut cmd, LIMIT)
}

const POSIX_PROBE: &str = r#"echo "${GOROOT-<unset>}|${GOTOOLCHAIN-<unset>}|${PATH%%:*}|$PATH""#;

#[track_caller]
fn assert_probe(output: &Output, goroot: &Path, toolchain: &str) {
    assert!(output.status.success(), "stderr: {}", err(output));
    let bin = goroot.join("bin").display().to_string();
    assert_eq!(
        out(output),
        format!("{}|{toolchain}|{bin}|{bin}:{BASE_PATH}", goroot.display())
    );
}

#[test]
fn bash_evaluates_the_output() {
    let s = odd_home();
    s.write("p/.go-version", "1.22.5\n");
    let dir = s.dir("p");
    let goroot = s.goroot("1.22.5");
    let script = format!(r#"eval "$("$GVMR" env)" || exit 9; {POSIX_PROBE}"#);
    assert_probe(
        &shell(&s, "bash", &["-c", &script], &dir, &[]),
        &goroot,
        "local",
    );
    let script = format!(r#"eval "$("$GVMR" env --shell bash)" || exit 9; {POSIX_PROBE}"#);
    assert_probe(
        &shell(&s, "bash", &["-c", &script], &dir, &[]),
        &goroot,
        "local",
    );
    // Evaluating twice keeps one bin entry.
    let script = format!(r#"eval "$("$GVMR" env)"; eval "$("$GVMR" env)"; {POSIX_PROBE}"#);
    assert_probe(
        &shell(&s, "bash", &["-c", &script], &dir, &[]),
        &goroot,
        "local",
    );
    // A user's GOTOOLCHAIN is kept.
    let script = format!(r#"eval "$("$GVMR" env)"; {POSIX_PROBE}"#);
    let output = shell(
        &s,
        "bash",
        &["-c", &script],
        &dir,
        &[("GOTOOLCHAIN", "go1.23.0")],
    );
    assert_probe(&output, &goroot, "go1.23.0");
    // sh (dash) reads it too.
    let output = shell(&s, "sh", &["-c", &script], &dir, &[]);
    assert_probe(&output, &goroot, "local");
}

#[test]
fn zsh_evaluates_the_output() {
    let s = odd_home();
    s.write("p/.go-version", "1.21.0\n");
    let dir = s.dir("p");
    let script = format!(r#"eval "$("$GVMR" env --shell zsh)" || exit 9; {POSIX_PROBE}"#);
    let output = shell(&s, "zsh", &["-f", "-c", &script], &dir, &[]);
    assert_probe(&output, &s.goroot("1.21.0"), "local");
}

#[test]
fn fish_sources_the_output() {
    let s = odd_home();
    s.write("p/.go-version", "1.22.5\n");
    let dir = s.dir("p");
    let script = r#"$GVMR env --shell fish | source; or exit 9
set -l r '<unset>'; set -q GOROOT; and set r $GOROOT
echo "$r|$GOTOOLCHAIN|$PATH[1]|$PATH""#;
    let output = shell(&s, "fish", &["--no-config", "-c", script], &dir, &[]);
    assert_probe(&output, &s.goroot("1.22.5"), "local");
}

#[test]
fn an_explicit_version_overrides_the_selection() {
    let s = odd_home();
    s.write("p/.go-version", "1.22.5\n");
    let dir = s.dir("p");
    let script = format!(r#"eval "$("$GVMR" env 1.21.0)" || exit 9; {POSIX_PROBE}"#);
    assert_probe(
        &shell(&s, "bash", &["-c", &script], &dir, &[]),
        &s.goroot("1.21.0"),
        "local",
    );
    // A partial version picks the newest installed match.
    let script = format!(r#"eval "$("$GVMR" env go1.21)" || exit 9; {POSIX_PROBE}"#);
    assert_probe(
        &shell(&s, "bash", &["-c", &script], &dir, &[]),
        &s.goroot("1.21.0"),
        "local",
    );
    // Works with no selection at all.
    let bare = s.dir("bare");
    let output = s
        .gvmr_in(&bare)
        .args(["env", "--shell", "json", "1.22.5"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", err(&output));
    let json: serde_json::Value = serde_json::from_str(&out(&output)).unwrap();
    assert_eq!(json["GOROOT"], s.goroot("1.22.5").display().to_string());
}

#[test]
fn json_output_parses() {
    let s = odd_home();
    s.write("p/.go-version", "1.22.5\n");
    let dir = s.dir("p");
    let output = s
        .gvmr_in(&dir)
        .args(["env", "--shell", "json"])
        .env("PATH", BASE_PATH)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", err(&output));
    let json: serde_json::Value = serde_json::from_str(&out(&output)).expect("valid JSON");
    let goroot = s.goroot("1.22.5");
    assert_eq!(json["GOROOT"], goroot.display().to_string());
    assert_eq!(json["GOTOOLCHAIN"], "local");
    assert_eq!(
        json["PATH"],
        format!("{}:{BASE_PATH}", goroot.join("bin").display())
    );
    assert_eq!(json.as_object().unwrap().len(), 3, "{json}");

    // A GOTOOLCHAIN set with `go env -w` is the user's: gvmr leaves it to go.
    let goenv = s.write("goenv", "GOTOOLCHAIN=go1.23.0+auto\n");
    let output = s
        .gvmr_in(&dir)
        .args(["env", "--shell", "json"])
        .env("PATH", BASE_PATH)
        .env("GOENV", &goenv)
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_str(&out(&output)).expect("valid JSON");
    assert!(json.get("GOTOOLCHAIN").is_none(), "{json}");
}

#[test]
fn dotenv_output_reads_back() {
    for home in ["gvmr-home", ODD_HOME] {
        let s = Session::new().home_named(home);
        s.publish_probes(&["go1.22.5"]);
        s.install(&["1.22.5"]);
        s.write("p/.go-version", "1.22.5\n");
        let dir = s.dir("p");
        let output = s
            .gvmr_in(&dir)
            .args(["env", "--shell", "dotenv"])
            .env("PATH", BASE_PATH)
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", err(&output));
        let text = out(&output);
        let goroot = s.goroot("1.22.5");
        let names: Vec<&str> = text.lines().map(|l| l.split('=').next().unwrap()).collect();
        assert_eq!(names, ["GOROOT", "PATH", "GOTOOLCHAIN"], "{text}");
        if home == "gvmr-home" {
            assert!(
                text.contains(&format!("GOROOT='{}'", goroot.display())),
                "{text}"
            );
        }
        // A shell reading it as a .env file gets the values back.
        let env_file = s.write("out/.env", format!("{text}\n"));
        let script = format!(
            r#"set -a; . '{}'; printf '%s|%s|%s' "$GOROOT" "$GOTOOLCHAIN" "$PATH""#,
            env_file.display()
        );
        let output = shell(&s, "bash", &["-c", &script], &dir, &[]);
        assert_eq!(
            out(&output),
            format!(
                "{}|local|{}:{BASE_PATH}",
                goroot.display(),
                goroot.join("bin").display()
            )
        );
    }
}

#[test]
fn github_output_appends_to_github_env_and_github_path() {
    let s = odd_home();
    s.write("p/.go-version", "1.21.0\n");
    let dir = s.dir("p");
    let github_env = s.write("gh/env", "EXISTING=1\n");
    let github_path = s.write("gh/path", "/opt/tool/bin\n");
    let output = s
        .gvmr_in(&dir)
        .args(["env", "--shell", "github"])
        .env("GITHUB_ENV", &github_env)
        .env("GITHUB_PATH", &github_path)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", err(&output));
    assert_eq!(out(&output), "", "everything goes to the files");
    let goroot = s.goroot("1.21.0");
    assert_eq!(
        std::fs::read_to_string(&github_env).unwrap(),
        format!(
            "EXISTING=1\nGOROOT={}\nGOTOOLCHAIN=local\n",
            goroot.display()
        )
    );
    assert_eq!(
        std::fs::read_to_string(&github_path).unwrap(),
        format!("/opt/tool/bin\n{}\n", goroot.join("bin").display())
    );

    // With a user's GOTOOLCHAIN, only GOROOT.
    std::fs::write(&github_env, "").unwrap();
    s.gvmr_in(&dir)
        .args(["env", "--shell", "github", "1.22.5"])
        .env("GITHUB_ENV", &github_env)
        .env("GITHUB_PATH", &github_path)
        .env("GOTOOLCHAIN", "go1.23.0")
        .assert()
        .success();
    assert_eq!(
        std::fs::read_to_string(&github_env).unwrap(),
        format!("GOROOT={}\n", s.goroot("1.22.5").display())
    );

    // Outside Actions, the lines are printed.
    let output = s
        .gvmr_in(&dir)
        .args(["env", "--shell", "github"])
        .env("PATH", BASE_PATH)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", err(&output));
    assert_eq!(
        out(&output),
        format!(
            "GOROOT={}\nGOTOOLCHAIN=local\nPATH={}:{BASE_PATH}",
            goroot.display(),
            goroot.join("bin").display()
        )
    );
}

#[test]
fn with_auto_install_off_not_installed_exits_3_with_the_install_hint() {
    let s = odd_home();
    let gv = s.write("p/.go-version", "1.23.1\n");
    let dir = s.dir("p");
    for format in ["bash", "zsh", "fish", "json", "dotenv", "github"] {
        let output = s
            .gvmr_in(&dir)
            .args(["env", "--shell", format])
            .env("GVMR_AUTO_INSTALL", "0")
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(3), "{format}: {}", err(&output));
        assert_eq!(out(&output), "", "{format}");
        assert!(
            err(&output).contains(&format!(
                "go1.23.1 is selected by {} but not installed; run: gvmr install 1.23.1",
                gv.display()
            )),
            "{format}: {}",
            err(&output)
        );
    }
    assert!(!s.goroot("1.23.1").exists());
    // An explicit version that no mirror publishes (an explicit version
    // that is published but not installed is installed first: see
    // `an_explicit_version_is_installed_first`).
    let output = s.gvmr_in(&dir).args(["env", "1.99.1"]).output().unwrap();
    assert_eq!(output.status.code(), Some(3), "{}", err(&output));
    assert_eq!(out(&output), "");
    // Nothing selected.
    s.unset_default();
    let output = s.gvmr_in(&s.dir("none")).arg("env").output().unwrap();
    assert_eq!(output.status.code(), Some(3));
    assert!(
        err(&output).contains("no Go version is selected here"),
        "{}",
        err(&output)
    );
}

#[test]
fn env_installs_the_selected_version_on_first_use() {
    let s = odd_home();
    let gv = s.write("p/.go-version", "1.23.1\n");
    let dir = s.dir("p");
    let output = s
        .gvmr_in(&dir)
        .args(["env", "--shell", "json"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", err(&output));
    let json: serde_json::Value = serde_json::from_str(&out(&output)).unwrap();
    assert_eq!(json["GOROOT"], s.goroot("1.23.1").display().to_string());
    assert_eq!(
        err(&output).lines().next().unwrap_or_default(),
        format!(
            "gvmr: go1.23.1 is selected by {} but not installed: installing it (GVMR_AUTO_INSTALL=0 turns this off)",
            gv.display()
        )
    );
    // direnv runs `gvmr env` on every cd: it never installs, it says so
    // and leaves `go` to the shims (first on PATH), which install on first
    // use.
    s.write("p/.go-version", "1.22.4\n");
    let output = s
        .gvmr_in(&dir)
        .args(["env", "--shell", "direnv"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", err(&output));
    let shims = s.home().join("shims").display().to_string();
    assert!(
        out(&output).contains(&format!("export PATH='{}:", shims.replace('\'', "'\\''"))),
        "{}",
        out(&output)
    );
    assert!(
        err(&output).contains("go1.22.4 is selected by")
            && err(&output).contains("`go` installs it on first use"),
        "{}",
        err(&output)
    );
    assert!(!s.goroot("1.22.4").exists());
}

#[test]
fn a_hostile_version_file_is_an_error_and_runs_nothing() {
    let s = odd_home();
    let dir = s.dir("p");
    let marker = s.root().join("pwned");
    for payload in [
        format!("1.22.5; touch '{}'", marker.display()),
        format!("$(touch '{}')", marker.display()),
        format!("`touch '{}'`\n1.22.5", marker.display()),
    ] {
        let gv = s.write("p/.go-version", format!("{payload}\n"));
        for (program, args) in [
            ("bash", vec!["-c", r#"eval "$("$GVMR" env)""#]),
            (
                "zsh",
                vec!["-f", "-c", r#"eval "$("$GVMR" env --shell zsh)""#],
            ),
            (
                "fish",
                vec!["--no-config", "-c", "$GVMR env --shell fish | source"],
            ),
        ] {
            let output = shell(&s, program, &args, &dir, &[]);
            let stderr = err(&output);
            assert!(
                stderr.contains(&format!("{}:", gv.display())),
                "{program}: {stderr}"
            );
            assert!(
                stderr.contains("is not a Go version") || stderr.contains("holds one version"),
                "{program}: {stderr}"
            );
        }
        let output = s.gvmr_in(&dir).arg("env").output().unwrap();
        assert_eq!(output.status.code(), Some(2));
        assert_eq!(out(&output), "");
        assert!(!marker.exists(), "{payload:?} ran");
    }
    // A hostile GVMR_GO_VERSION, too.
    let output = shell(
        &s,
        "bash",
        &["-c", r#"eval "$("$GVMR" env)""#],
        &dir,
        &[(
            "GVMR_GO_VERSION",
            &format!("$(touch '{}')", marker.display()),
        )],
    );
    assert!(err(&output).contains("GVMR_GO_VERSION"), "{}", err(&output));
    assert!(!marker.exists());
}

#[test]
fn direnv_format_exports_and_watches_every_candidate_file() {
    let s = odd_home();
    s.write("p/.go-version", "1.22.5\n");
    let dir = s.dir("p/sub");
    let output = s
        .gvmr_in(&dir)
        .args(["env", "--shell", "direnv"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", err(&output));
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(text.contains("export GOROOT='"), "{text}");
    for file in [
        dir.join(".go-version"),
        dir.join("go.mod"),
        s.root().join("p/.go-version"),
        s.root().join("p/.tool-versions"),
        s.root().join("p/go.work"),
        s.home().join("default"),
    ] {
        let quoted = format!("'{}'", file.display().to_string().replace('\'', r"'\''"));
        assert!(
            text.contains(&format!("watch_file {quoted}\n")),
            "{file:?} in:\n{text}"
        );
    }
    // Every line is valid shell: bash runs it with watch_file defined.
    let script = format!("watch_file() {{ printf 'W:%s\\n' \"$1\"; }}\n{text}\necho \"$GOROOT\"");
    let output = run_with_timeout(
        Command::new("bash").args(["-c", &script]).env_clear(),
        LIMIT,
    );
    assert!(output.status.success(), "{}", err(&output));
    assert!(out(&output).ends_with(&s.goroot("1.22.5").display().to_string()));
}
