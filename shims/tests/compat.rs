//! How gvmr reads version files, case by case, next to what goenv, asdf,
//! mise and Go's own `go` command do with the same files. The table is the
//! spec: each row runs through the real resolver ([`lookup`] + [`resolve`])
//! on files written to a temporary tree, and the README's table
//! "Compatibility with goenv, asdf, mise and Go" is generated from it
//! (`GVMR_UPDATE_README=1 cargo test -p gvmr-shim --test compat` rewrites it;
//! the test fails when the two differ).

use gvmr_shim::select::{Inputs, Source, lookup};
use gvmr_shim::toolchain::resolve;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// One case: the files (relative to the tree; `home/default` is the
/// default), installed versions, `GVMR_GO_VERSION`, the directory, what
/// gvmr picks, and what the peers do.
struct Case {
    case: &'static str,
    files: &'static [(&'static str, &'static str)],
    installed: &'static [&'static str],
    env: Option<&'static str>,
    /// `GOWORK`: `off`, or a file relative to the tree.
    gowork: Option<&'static str>,
    /// A `go` outside gvmr on PATH (for `system`).
    system_go: bool,
    dir: &'static str,
    /// `go1.22.5 (p/.go-version)`; `go1.22.0, not installed (p/go.mod)`;
    /// `+ note` when gvmr says something about it on stderr.
    gvmr: &'static str,
    peers: &'static str,
}

/// A `.go-version` in a module of a workspace whose go line is newer.
const WORKSPACE: &[(&str, &str)] = &[
    ("p/go.work", "go 1.27\n\nuse ./m\n"),
    ("p/m/go.mod", "module m\n\ngo 1.21\n"),
    ("p/m/.go-version", "1.22.10\n"),
];

const CASES: &[Case] = &[
    Case {
        case: "go.mod `go 1.22`, default go1.23.1 installed",
        files: &[
            ("p/go.mod", "module p\n\ngo 1.22\n"),
            ("home/default", "1.23.1\n"),
        ],
        installed: &["go1.23.1"],
        env: None,
        gowork: None,
        system_go: false,
        dir: "p",
        gvmr: "go1.23.1 (p/go.mod)",
        peers: "go: the `go` line is a minimum; any newer toolchain builds the module (GOTOOLCHAIN=local accepts it)",
    },
    Case {
        case: "go.mod `go 1.22`, no default, go1.22.5 and go1.23.1 installed",
        files: &[("p/go.mod", "module p\n\ngo 1.22\n")],
        installed: &["go1.22.5", "go1.23.1"],
        env: None,
        gowork: None,
        system_go: false,
        dir: "p",
        gvmr: "go1.23.1 (p/go.mod)",
        peers: "go: any toolchain >= 1.22 runs it",
    },
    Case {
        case: "go.mod `go 1.22`, default go1.21.13 (too old), go1.22.5 installed",
        files: &[
            ("p/go.mod", "module p\n\ngo 1.22\n"),
            ("home/default", "1.21.13\n"),
        ],
        installed: &["go1.21.13", "go1.22.5"],
        env: None,
        gowork: None,
        system_go: false,
        dir: "p",
        gvmr: "go1.22.5 (p/go.mod) + note",
        peers: "go: go1.21.13 refuses the module (\"go.mod requires go >= 1.22\")",
    },
    Case {
        case: "go.mod `go 1.22`, nothing new enough installed",
        files: &[("p/go.mod", "module p\n\ngo 1.22\n")],
        installed: &["go1.21.13"],
        env: None,
        gowork: None,
        system_go: false,
        dir: "p",
        gvmr: "go1.22.0, not installed (p/go.mod)",
        peers: "go: with GOTOOLCHAIN=auto, downloads go1.22.0; `gvmr install` installs go1.22.0",
    },
    Case {
        case: "go.mod `go 1.20` (before Go 1.21 naming), nothing installed",
        files: &[("p/go.mod", "module p\n\ngo 1.20\n")],
        installed: &[],
        env: None,
        gowork: None,
        system_go: false,
        dir: "p",
        gvmr: "go1.20, not installed (p/go.mod)",
        peers: "go: the first 1.20 release is named go1.20",
    },
    Case {
        case: "go.mod `go 1.23`, only go1.23rc1 installed",
        files: &[("p/go.mod", "module p\n\ngo 1.23\n")],
        installed: &["go1.23rc1"],
        env: None,
        gowork: None,
        system_go: false,
        dir: "p",
        gvmr: "go1.23rc1 (p/go.mod)",
        peers: "go: the language version 1.23 < 1.23rc1 < 1.23.0, so go1.23rc1 builds it",
    },
    Case {
        case: "go.mod `go 1.23.0`, only go1.23rc1 installed",
        files: &[("p/go.mod", "module p\n\ngo 1.23.0\n")],
        installed: &["go1.23rc1"],
        env: None,
        gowork: None,
        system_go: false,
        dir: "p",
        gvmr: "go1.23.0, not installed (p/go.mod)",
        peers: "go: go1.23rc1 < 1.23.0, refused",
    },
    Case {
        case: "go.mod `go 1.21` + `toolchain go1.22.5`",
        files: &[("p/go.mod", "module p\n\ngo 1.21\n\ntoolchain go1.22.5\n")],
        installed: &["go1.21.13", "go1.22.5", "go1.23.1"],
        env: None,
        gowork: None,
        system_go: false,
        dir: "p",
        gvmr: "go1.22.5 (p/go.mod)",
        peers: "go: prefers go1.22.5 (GOTOOLCHAIN=auto); goenv: reads the toolchain line",
    },
    Case {
        case: "go.mod `go 1.22` + `toolchain go1.21.5` (older than the go line)",
        files: &[("p/go.mod", "module p\n\ngo 1.22\n\ntoolchain go1.21.5\n")],
        installed: &["go1.21.5", "go1.22.5"],
        env: None,
        gowork: None,
        system_go: false,
        dir: "p",
        gvmr: "go1.22.5 (p/go.mod)",
        peers: "go: ignores a toolchain line older than the go line",
    },
    Case {
        case: "`.go-version` 1.21.13 above a go.mod `go 1.22`",
        files: &[
            ("p/.go-version", "1.21.13\n"),
            ("p/m/go.mod", "module m\n\ngo 1.22\n"),
        ],
        installed: &["go1.21.13", "go1.22.5"],
        env: None,
        gowork: None,
        system_go: false,
        dir: "p/m",
        gvmr: "go1.22.5 (p/m/go.mod) + note",
        peers: "goenv/mise: the pin wins, and go1.21.13 then refuses the module (\"go.mod requires go >= 1.22\")",
    },
    Case {
        case: "`.go-version` 1.22.5 beside a go.mod `go 1.21`",
        files: &[
            ("p/.go-version", "1.22.5\n"),
            ("p/go.mod", "module p\n\ngo 1.21\n"),
        ],
        installed: &["go1.22.5", "go1.23.1"],
        env: None,
        gowork: None,
        system_go: false,
        dir: "p",
        gvmr: "go1.22.5 (p/.go-version)",
        peers: "goenv/mise: the pin wins; go: accepts it (newer than 1.21)",
    },
    Case {
        case: "`.go-version` 1.22.10 below the root of a go.mod `go 1.27` (in `m/sub`)",
        files: &[
            ("p/m/go.mod", "module m\n\ngo 1.27\n"),
            ("p/m/sub/.go-version", "1.22.10\n"),
        ],
        installed: &["go1.22.10", "go1.27.3"],
        env: None,
        gowork: None,
        system_go: false,
        dir: "p/m/sub",
        gvmr: "go1.27.3 (p/m/go.mod) + note",
        peers: "go: uses the nearest go.mod walking up, so go1.22.10 refuses `m/sub` (\"go.mod requires go >= 1.27\"); goenv/mise: the pin wins",
    },
    Case {
        case: "`.go-version` 1.22.10 in a module of a go.work `go 1.27`",
        files: WORKSPACE,
        installed: &["go1.22.10", "go1.27.3"],
        env: None,
        gowork: None,
        system_go: false,
        dir: "p/m",
        gvmr: "go1.27.3 (p/go.work) + note",
        peers: "go: the go.work found walking up governs its modules, and go1.22.10 refuses it",
    },
    Case {
        case: "the same with `GOWORK=off`",
        files: WORKSPACE,
        installed: &["go1.22.10", "go1.27.3"],
        env: None,
        gowork: Some("off"),
        system_go: false,
        dir: "p/m",
        gvmr: "go1.22.10 (p/m/.go-version)",
        peers: "go: GOWORK=off ignores go.work; the go.mod's `go 1.21` accepts go1.22.10",
    },
    Case {
        case: "`.go-version` 1.22.10, `GOWORK` naming a go.work `go 1.27` elsewhere",
        files: &[
            ("w/x.work", "go 1.27\n\nuse ../p\n"),
            ("p/go.mod", "module p\n\ngo 1.21\n"),
            ("p/.go-version", "1.22.10\n"),
        ],
        installed: &["go1.22.10", "go1.27.3"],
        env: None,
        gowork: Some("w/x.work"),
        system_go: false,
        dir: "p",
        gvmr: "go1.27.3 (w/x.work) + note",
        peers: "go: GOWORK names the workspace file, wherever it is",
    },
    Case {
        case: "`GVMR_GO_VERSION=1.21.13` in a go.mod `go 1.22` module",
        files: &[("p/go.mod", "module p\n\ngo 1.22\n")],
        installed: &["go1.21.13", "go1.22.5"],
        env: Some("1.21.13"),
        gowork: None,
        system_go: false,
        dir: "p",
        gvmr: "go1.22.5 (p/go.mod) + note",
        peers: "goenv: GOENV_VERSION wins, and go1.21.13 then refuses the module",
    },
    Case {
        case: "empty `.go-version` below a `.go-version` 1.22.5",
        files: &[("p/.go-version", "1.22.5\n"), ("p/q/.go-version", "")],
        installed: &["go1.22.5"],
        env: None,
        gowork: None,
        system_go: false,
        dir: "p/q",
        gvmr: "go1.22.5 (p/.go-version) + note",
        peers: "goenv: reading an empty version file fails (no version)",
    },
    Case {
        case: "comment-only `.go-version` below a `.go-version` 1.22.5",
        files: &[
            ("p/.go-version", "1.22.5\n"),
            ("p/q/.go-version", "# set me\n\n"),
        ],
        installed: &["go1.22.5"],
        env: None,
        gowork: None,
        system_go: false,
        dir: "p/q",
        gvmr: "go1.22.5 (p/.go-version) + note",
        peers: "goenv: skips `#` lines, so no version",
    },
    Case {
        case: "`.go-version` `1.22.5 # pinned for CI`",
        files: &[("p/.go-version", "1.22.5 # pinned for CI\n")],
        installed: &["go1.22.5"],
        env: None,
        gowork: None,
        system_go: false,
        dir: "p",
        gvmr: "go1.22.5 (p/.go-version)",
        peers: "goenv: reads the first word of the line",
    },
    Case {
        case: "`.go-version` with two lines, 1.22.5 then 1.21.13",
        files: &[("p/.go-version", "1.22.5\n1.21.13\n")],
        installed: &["go1.21.13", "go1.22.5"],
        env: None,
        gowork: None,
        system_go: false,
        dir: "p",
        gvmr: "go1.22.5 (p/.go-version) + note",
        peers: "goenv: one version per line, the first is used",
    },
    Case {
        case: "`.go-version` `v1.22.5`",
        files: &[("p/.go-version", "v1.22.5\n")],
        installed: &["go1.22.5"],
        env: None,
        gowork: None,
        system_go: false,
        dir: "p",
        gvmr: "go1.22.5 (p/.go-version)",
        peers: "semver tools and CI templates write a leading v",
    },
    Case {
        case: "`.go-version` starting with a UTF-8 byte-order mark",
        files: &[("p/.go-version", "\u{feff}1.22.5\n")],
        installed: &["go1.22.5"],
        env: None,
        gowork: None,
        system_go: false,
        dir: "p",
        gvmr: "go1.22.5 (p/.go-version)",
        peers: "Windows editors write one; gvmr drops it",
    },
    Case {
        case: "`.tool-versions` starting with a byte-order mark, `golang 1.22.5`",
        files: &[("p/.tool-versions", "\u{feff}golang 1.22.5\n")],
        installed: &["go1.22.5"],
        env: None,
        gowork: None,
        system_go: false,
        dir: "p",
        gvmr: "go1.22.5 (p/.tool-versions)",
        peers: "Windows editors write one; gvmr drops it",
    },
    Case {
        case: "`.tool-versions` `golang 1.23.1 1.22.5`, only go1.22.5 installed",
        files: &[("p/.tool-versions", "golang 1.23.1 1.22.5\n")],
        installed: &["go1.22.5"],
        env: None,
        gowork: None,
        system_go: false,
        dir: "p",
        gvmr: "go1.22.5 (p/.tool-versions)",
        peers: "asdf/mise: several versions are fallbacks, the first installed wins",
    },
    Case {
        case: "`.tool-versions` `golang 1.23.1 1.22.5`, neither installed",
        files: &[("p/.tool-versions", "golang 1.23.1 1.22.5\n")],
        installed: &[],
        env: None,
        gowork: None,
        system_go: false,
        dir: "p",
        gvmr: "go1.23.1, not installed (p/.tool-versions)",
        peers: "asdf: none installed, so none runs; gvmr: `gvmr install` installs the first",
    },
    Case {
        case: "`.tool-versions` `golang 1.23.1 system`, go1.23.1 not installed",
        files: &[("p/.tool-versions", "golang 1.23.1 system\n")],
        installed: &[],
        env: None,
        gowork: None,
        system_go: true,
        dir: "p",
        gvmr: "system (p/.tool-versions)",
        peers: "asdf: `system` falls back to the Go on PATH",
    },
    Case {
        case: "default `system`, a Go outside gvmr on PATH",
        files: &[("home/default", "system\n")],
        installed: &[],
        env: None,
        gowork: None,
        system_go: true,
        dir: "p",
        gvmr: "system (default)",
        peers: "goenv/asdf: `system` is the Go on PATH",
    },
    Case {
        case: "`.go-version` `oldstable`, go1.22.5 and go1.23.1 installed",
        files: &[("p/.go-version", "oldstable\n")],
        installed: &["go1.22.4", "go1.22.5", "go1.23.1"],
        env: None,
        gowork: None,
        system_go: false,
        dir: "p",
        gvmr: "go1.22.5 (p/.go-version)",
        peers: "actions/setup-go: oldstable = newest patch of the previous minor line",
    },
];

/// A fresh directory under the system temp dir, removed on drop.
struct TempTree(PathBuf);

impl TempTree {
    fn new(n: usize) -> TempTree {
        let dir = std::env::temp_dir().join(format!("gvmr-compat-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempTree(std::fs::canonicalize(&dir).unwrap())
    }
}

impl Drop for TempTree {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// What gvmr does for `case`, in the table's words.
fn run(case: &Case, n: usize) -> String {
    let tree = TempTree::new(n);
    let root = &tree.0;
    let home = root.join("home");
    for (file, text) in case.files {
        write(&root.join(file), text);
    }
    for version in case.installed {
        std::fs::create_dir_all(home.join("versions").join(version).join("bin")).unwrap();
    }
    let system_bin = root.join("usr/bin");
    if case.system_go {
        write(&system_bin.join("go"), "#!/bin/sh\necho system go\n");
        std::fs::set_permissions(
            system_bin.join("go"),
            std::fs::Permissions::from_mode(0o755),
        )
        .unwrap();
    }
    let dir = root.join(case.dir);
    std::fs::create_dir_all(&dir).unwrap();
    let inputs = Inputs {
        env_version: case.env.map(str::to_string),
        gowork: case.gowork.map(|gowork| match gowork {
            "off" => gowork.to_string(),
            file => root.join(file).display().to_string(),
        }),
        home: Some(home.clone()),
        path: Some(system_bin.into_os_string()),
        pwd: None,
    };
    let found = lookup(&dir, &inputs);
    let selection = match found.result {
        Ok(Some(selection)) => selection,
        Ok(None) => return "nothing selected".into(),
        Err(e) => return format!("error: {}", e.problem),
    };
    let resolved = resolve(selection, &home, inputs.path.as_deref());
    let source = match &resolved.selection.source {
        Source::Env => "GVMR_GO_VERSION".to_string(),
        Source::Default(_) => "default".to_string(),
        Source::File(path) => path.strip_prefix(root).unwrap().display().to_string(),
    };
    let what = match (&resolved.system, resolved.version) {
        (Some(_), _) => "system".to_string(),
        (None, Some(v)) => v.to_string(),
        (None, None) => resolved.selection.requirement.to_string(),
    };
    let missing = if resolved.is_available() {
        ""
    } else {
        ", not installed"
    };
    let noted = if found.notes.is_empty() && resolved.overridden.is_none() {
        ""
    } else {
        " + note"
    };
    format!("{what}{missing} ({source}){noted}")
}

const BEGIN: &str = "<!-- compat table: generated by shims/tests/compat.rs -->";
const END: &str = "<!-- end of compat table -->";

fn table() -> String {
    let mut out = format!(
        "{BEGIN}\n| case | gvmr picks (what decided) | goenv / asdf / mise / go |\n|---|---|---|\n"
    );
    for case in CASES {
        out.push_str(&format!(
            "| {} | {} | {} |\n",
            case.case,
            case.gvmr.replace('|', "\\|"),
            case.peers
        ));
    }
    out.push_str(END);
    out
}

#[test]
fn every_case_resolves_as_the_table_says() {
    let failures: Vec<String> = CASES
        .iter()
        .enumerate()
        .filter_map(|(n, case)| {
            let got = run(case, n);
            (got != case.gvmr)
                .then(|| format!("{}:\n  expected {}\n  got      {got}", case.case, case.gvmr))
        })
        .collect();
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn the_readme_table_matches() {
    let readme_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md");
    let readme = std::fs::read_to_string(&readme_path).unwrap();
    let expected = table();
    let (Some(start), Some(end)) = (readme.find(BEGIN), readme.find(END)) else {
        panic!("README.md has no compat table between {BEGIN} and {END}");
    };
    let current = &readme[start..end + END.len()];
    if current == expected {
        return;
    }
    if std::env::var_os("GVMR_UPDATE_README").is_some() {
        let updated = readme.replacen(current, &expected, 1);
        std::fs::write(&readme_path, updated).unwrap();
        return;
    }
    panic!(
        "README.md's compat table is out of date; run GVMR_UPDATE_README=1 cargo test -p gvmr-shim --test compat\n\n{expected}"
    );
}
