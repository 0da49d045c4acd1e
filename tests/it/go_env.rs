//! Go's settings as gvmr reads them ([`gvmr_shim::go_env`]) agree with the
//! real `go env -json` of go1.22.10 and go1.27.3 over a table of cases:
//! variables set, empty or unset; go env file entries (empty ones, junk,
//! repeats); GOENV=off; GOENV naming another file; XDG_CONFIG_HOME; no HOME.
//! Each case runs both releases, since the rules changed between them
//! (a relative XDG_CONFIG_HOME, the GOBIN default).

use crate::support::real_go_archive;
use gvmr_shim::GoVersion;
use gvmr_shim::env::Environment;
use gvmr_shim::go_env::{GoEnv, Toolchain, VARIABLES};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The real releases the table runs against.
const RELEASES: [&str; 2] = ["1.22.10", "1.27.3"];

/// The real Go tree of `version`, unpacked into `dir`.
fn unpack_goroot(version: &str, dir: &Path) -> PathBuf {
    let into = dir.join(version);
    std::fs::create_dir_all(&into).unwrap();
    let status = Command::new("tar")
        .arg("-xzf")
        .arg(real_go_archive(version))
        .arg("-C")
        .arg(&into)
        .status()
        .expect("run tar");
    assert!(status.success(), "unpacking go{version} failed");
    into.join("go")
}

/// One case: the environment (`@HOME@` stands for the case's home) and the
/// files to write under that home first.
struct Case {
    name: &'static str,
    env: &'static [(&'static str, &'static str)],
    files: &'static [(&'static str, &'static str)],
}

const ALL_SET: &str = "GOPROXY=https://goproxy.cn,direct\nGOSUMDB=sum.golang.google.cn\n\
GOPRIVATE=git.corp.example\nGONOPROXY=none.example\nGONOSUMDB=nosum.example\n\
GOINSECURE=insecure.example\nGOFLAGS=-mod=mod\nGOTOOLCHAIN=local+auto\n\
GOPATH=/srv/gopath\nGOBIN=/srv/bin\nGOWORK=off\n";

const CASES: &[Case] = &[
    Case {
        name: "nothing set",
        env: &[],
        files: &[],
    },
    Case {
        name: "the environment",
        env: &[
            ("GOPROXY", "https://athens.example,off"),
            ("GOSUMDB", "off"),
            ("GOPRIVATE", "corp.example"),
            ("GOFLAGS", "-mod=mod"),
            ("GOTOOLCHAIN", "local"),
            ("GOPATH", "/a:/b"),
            ("GOWORK", "/w/go.work"),
        ],
        files: &[],
    },
    Case {
        name: "empty and blank variables",
        env: &[("GOPROXY", ""), ("GOSUMDB", " "), ("GOPATH", "")],
        files: &[],
    },
    Case {
        name: "go env -w, every variable",
        env: &[],
        files: &[(".config/go/env", ALL_SET)],
    },
    Case {
        name: "the environment beats the file, an empty variable does not",
        env: &[("GOPROXY", "direct"), ("GOSUMDB", ""), ("GOPRIVATE", "")],
        files: &[(".config/go/env", ALL_SET)],
    },
    Case {
        name: "empty file entries hide go.env; fallbacks fill the rest",
        env: &[],
        files: &[(
            ".config/go/env",
            "GOPROXY=\nGOSUMDB=\nGOTOOLCHAIN=\nGOPATH=\nGOBIN=\nGOPRIVATE=x.example\nGONOPROXY=\n",
        )],
    },
    Case {
        name: "junk, comments, repeats, lower case and CRLF in the file",
        env: &[],
        files: &[(
            ".config/go/env",
            "# comment\ngoproxy=https://lower.example\nGOPROXY=https://first.example\n\
             =x\nNOEQUALS\n GOSUMDB=indented\nGOPRIVATE=crlf.example\r\nGOPROXY=https://last.example\n",
        )],
    },
    Case {
        name: "GOENV=off ignores the file",
        env: &[("GOENV", "off")],
        files: &[(".config/go/env", ALL_SET)],
    },
    Case {
        name: "GOENV names another file",
        env: &[("GOENV", "@HOME@/elsewhere/env")],
        files: &[
            (".config/go/env", ALL_SET),
            ("elsewhere/env", "GOPROXY=https://elsewhere.example\n"),
        ],
    },
    Case {
        name: "XDG_CONFIG_HOME",
        env: &[("XDG_CONFIG_HOME", "@HOME@/xdg")],
        files: &[
            (".config/go/env", ALL_SET),
            ("xdg/go/env", "GOSUMDB=sum.golang.google.cn\n"),
        ],
    },
    Case {
        name: "a relative XDG_CONFIG_HOME",
        env: &[("XDG_CONFIG_HOME", "relative/config")],
        files: &[(".config/go/env", ALL_SET)],
    },
    Case {
        name: "no HOME",
        env: &[("HOME", "")],
        files: &[],
    },
];

/// What `go env -json` of the release at `goroot` reports for `env`.
fn go_env_json(goroot: &Path, env: &[(String, String)], cwd: &Path) -> BTreeMap<String, String> {
    let mut names: Vec<&str> = VARIABLES.to_vec();
    names.push("GOENV");
    let output = Command::new(goroot.join("bin/go"))
        .arg("env")
        .arg("-json")
        .args(&names)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .envs(env.iter().map(|(k, v)| (k, v)))
        .current_dir(cwd)
        .output()
        .expect("run go env");
    assert!(
        output.status.success(),
        "go env failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("go env -json prints JSON")
}

#[test]
fn go_settings_agree_with_go_env_of_two_releases() {
    let mut disagreements = Vec::new();
    let trees = tempfile::tempdir().unwrap();
    for release in RELEASES {
        let goroot = unpack_goroot(release, trees.path());
        let version = GoVersion::parse(release).unwrap();
        for case in CASES {
            let home = tempfile::tempdir().unwrap();
            let home_path = home.path().to_str().unwrap();
            for (file, text) in case.files {
                let path = home.path().join(file);
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(&path, text).unwrap();
            }
            let mut env: Vec<(String, String)> = vec![("HOME".into(), home_path.into())];
            for (name, value) in case.env {
                env.retain(|(n, _)| n != name);
                env.push((name.to_string(), value.replace("@HOME@", home_path)));
            }
            // No go.work around: `go env GOWORK` then reports the setting.
            let go = go_env_json(&goroot, &env, home.path());
            let ours = GoEnv::read(
                &Environment::fixed(env.clone()),
                Some(Toolchain {
                    goroot: &goroot,
                    version: Some(version),
                }),
            );
            for name in VARIABLES {
                if ours.value(name) != go[name] {
                    disagreements.push(format!(
                        "go{release}, {}: {name}: go says {:?}, gvmr {:?} ({:?})",
                        case.name,
                        go[name],
                        ours.value(name),
                        ours.get(name).origin
                    ));
                }
            }
            let file = ours
                .file
                .as_ref()
                .map(|f| f.display().to_string())
                .unwrap_or_default();
            if file != go["GOENV"] {
                disagreements.push(format!(
                    "go{release}, {}: GOENV: go says {:?}, gvmr {file:?}",
                    case.name, go["GOENV"]
                ));
            }
        }
    }
    assert!(
        disagreements.is_empty(),
        "gvmr reads Go's settings differently from go env:\n{}",
        disagreements.join("\n")
    );
}
