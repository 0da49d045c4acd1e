//! Mixing toolchains: GOROOT, another go on PATH, GOTOOLCHAIN, GOBIN.

use super::system::System;
use super::{Check, Context};
use crate::ui::tildify;
use gvmr_shim::go_env::Origin;
use std::path::{Path, PathBuf};

pub const SECTION: &str = "Environment";

pub fn checks(ctx: &Context, sys: &dyn System) -> Vec<Check> {
    vec![
        goroot(ctx),
        go_on_path(ctx, sys),
        shell_hook(ctx),
        gotoolchain(ctx),
        gobin(ctx),
    ]
}

fn goroot(ctx: &Context) -> Check {
    let Some(value) = ctx.settings.process.goroot.clone() else {
        return Check::ok(SECTION, "GOROOT", "GOROOT is not set (the shims set it)");
    };
    match ctx.goroot() {
        Some(goroot) if Path::new(&value) == goroot => {
            Check::ok(SECTION, "GOROOT", format!("GOROOT is the selected {}", goroot.display()))
        }
        Some(goroot) => Check::error(
            SECTION,
            "GOROOT",
            format!(
                "GOROOT is {value} in the environment, not the selected {}",
                goroot.display()
            ),
            "\"compile: version \\\"goX\\\" does not match go tool version \\\"goY\\\"\", or packages of the standard library not found",
            &[],
        )
        .with_fix(vec![
            "unset GOROOT   (and remove it from your shell startup files)".into(),
            "eval \"$(gvmr env)\"   (sets it to the selected version)".into(),
        ]),
        None => Check::warning(
            SECTION,
            "GOROOT",
            format!("GOROOT is {value}, but no installed version is selected"),
            "go runs whatever toolchain GOROOT names",
            &["unset GOROOT"],
        ),
    }
}

fn go_on_path(ctx: &Context, sys: &dyn System) -> Check {
    let found = sys.path_lookup("go", ctx.settings.process.path.as_deref());
    let shim = ctx.shims_dir().join("go");
    // With `system` selected, the Go outside gvmr is the one meant to run.
    let system = ctx
        .selected
        .as_ref()
        .ok()
        .and_then(|s| s.as_ref())
        .and_then(|s| s.system.clone())
        .flatten();
    let ours = |p: &PathBuf| {
        *p == shim
            || ctx.goroot().is_some_and(|g| *p == g.join("bin/go"))
            || system.as_ref() == Some(p)
    };
    match found.first() {
        None => Check::warning(
            SECTION,
            "go on PATH",
            "no go on PATH",
            "\"go: command not found\"",
            &[],
        )
        .with_fix(vec![
            format!(
                "export PATH=\"{}:$PATH\"   (in your shell startup file)",
                ctx.shims_dir().display()
            ),
            "gvmr shims".into(),
        ]),
        Some(first) if ours(first) => Check::ok(
            SECTION,
            "go on PATH",
            format!("go on PATH is {}", first.display()),
        ),
        Some(first) => {
            let later = found.iter().find(|p| ours(p));
            let finding = match later {
                Some(ours) => format!(
                    "{} comes before gvmr's {} on PATH",
                    first.display(),
                    ours.display()
                ),
                None => format!(
                    "go on PATH is {}, not gvmr's shim ({})",
                    first.display(),
                    shim.display()
                ),
            };
            let dir = first
                .parent()
                .unwrap_or(Path::new("/"))
                .display()
                .to_string();
            Check::error(
                SECTION,
                "go on PATH",
                finding,
                "`go version` shows another version than `gvmr current`; the pin is ignored",
                &[],
            )
            .with_fix(vec![
                format!(
                    "export PATH=\"{}:$PATH\"   (last in your shell startup file)",
                    ctx.shims_dir().display()
                ),
                format!("or remove {dir} from PATH (or uninstall that Go)"),
            ])
        }
    }
}

/// Whether anything makes `go` gvmr's in this shell: the hook (it exports
/// `_GVMR_ADDED` while active) or the shims directory on PATH.
fn shell_hook(ctx: &Context) -> Check {
    let name = "shell hook";
    let shims = ctx.shims_dir();
    let process = &ctx.settings.process;
    if let Some(added) = &process.hook_added {
        return Check::ok(
            SECTION,
            name,
            format!(
                "the shell hook is active here ({}={added})",
                crate::switch::activate::ADDED_VAR
            ),
        );
    }
    if on_path(process.path.as_deref(), &shims) {
        return Check::ok(
            SECTION,
            name,
            format!("the shims ({}) are on PATH", shims.display()),
        );
    }
    let shell = process.shell.clone().unwrap_or_default();
    let hook = match shell.rsplit('/').next().unwrap_or_default() {
        "zsh" => "eval \"$(gvmr hook zsh)\"   (in ~/.zshrc)",
        "fish" => "gvmr hook fish | source   (in ~/.config/fish/config.fish)",
        _ => {
            "eval \"$(gvmr hook bash)\"   (in ~/.bashrc; zsh: gvmr hook zsh, fish: gvmr hook fish | source)"
        }
    };
    Check::warning(
        SECTION,
        name,
        format!(
            "the shell hook is not loaded in this shell ({} is unset) and the shims ({}) are not on PATH",
            crate::switch::activate::ADDED_VAR,
            shims.display()
        ),
        "`go` is not gvmr's: cd into a project does not switch versions",
        &[],
    )
    .with_fix(vec![
        hook.to_string(),
        format!(
            "or export PATH=\"{}:$PATH\"   (in your shell startup file)",
            shims.display()
        ),
    ])
}

/// Whether `dir` is one of `path`'s entries.
fn on_path(path: Option<&std::ffi::OsStr>, dir: &Path) -> bool {
    path.is_some_and(|path| std::env::split_paths(path).any(|p| p == dir))
}

/// GOTOOLCHAIN values that let Go run another toolchain than the pinned one.
fn overrides_pin(value: &str) -> bool {
    let value = value.trim();
    !(value.is_empty() || value == "local")
}

/// A GOTOOLCHAIN the user set (environment or `go env -w`) that lets go run
/// another toolchain than the selected one. (The toolchain's own go.env says
/// `auto`; gvmr sets `local` over that wherever it runs a toolchain.)
fn gotoolchain(ctx: &Context) -> Check {
    let symptom = "go downloads or runs another toolchain than the selected one (\"go: downloading go1.x\", `go version` differs from `gvmr current`)";
    let setting = ctx.go.get("GOTOOLCHAIN");
    let Some(value) = ctx.go.users("GOTOOLCHAIN") else {
        return Check::ok(
            SECTION,
            "GOTOOLCHAIN",
            "GOTOOLCHAIN is not set by you (gvmr sets local where it runs go)",
        );
    };
    if !overrides_pin(value) {
        return Check::ok(SECTION, "GOTOOLCHAIN", format!("GOTOOLCHAIN={value}"));
    }
    let (where_, fix) = match &setting.origin {
        Origin::EnvFile(file) => (format!("in {}", tildify(file)), "go env -u GOTOOLCHAIN"),
        _ => (
            "in the environment".to_string(),
            "unset GOTOOLCHAIN   (and remove it from your shell startup files)",
        ),
    };
    Check::warning(
        SECTION,
        "GOTOOLCHAIN",
        format!("GOTOOLCHAIN={value} {where_} overrides gvmr's pin (GOTOOLCHAIN=local)"),
        symptom,
        &[fix],
    )
}

/// Where `go install` puts programs, and whether it is on PATH.
fn gobin(ctx: &Context) -> Check {
    let Some(dir) = ctx.go.install_dir() else {
        return Check::ok(SECTION, "GOBIN", "neither GOBIN, GOPATH nor HOME is set");
    };
    let what = if ctx.go.get("GOBIN").origin.is_users() {
        "GOBIN"
    } else {
        "$GOPATH/bin"
    };
    if on_path(ctx.settings.process.path.as_deref(), &dir) {
        Check::ok(
            SECTION,
            "GOBIN",
            format!("{what} ({}) is on PATH", dir.display()),
        )
    } else {
        Check::warning(
            SECTION,
            "GOBIN",
            format!("{what} ({}) is not on PATH", dir.display()),
            "programs installed with `go install` are \"command not found\"",
            &[],
        )
        .with_fix(vec![format!(
            "export PATH=\"$PATH:{}\"   (in your shell startup file)",
            dir.display()
        )])
    }
}

#[cfg(test)]
mod tests {
    use super::super::fake::FakeSystem;
    use super::super::{Selected, Status, test_context};
    use super::*;
    use gvmr_shim::GoVersion;

    const HEALTHY: [(&str, &str); 2] = [
        (
            "PATH",
            "/gvmr/shims:/home/u/go/bin:/usr/local/go/bin:/usr/bin",
        ),
        ("HOME", "/home/u"),
    ];

    /// go1.22.5 selected and installed; the healthy environment with `vars`
    /// added or replaced.
    fn ctx(vars: &[(&str, &str)]) -> Context {
        let mut env: Vec<(&str, &str)> = HEALTHY
            .iter()
            .filter(|(name, _)| !vars.iter().any(|(n, _)| n == name))
            .copied()
            .collect();
        env.extend_from_slice(vars);
        let mut ctx = test_context().with_env(&env);
        ctx.selected = Ok(Some(Selected {
            system: None,
            notes: Vec::new(),
            overridden: None,
            version: Some(GoVersion::parse("1.22.5").unwrap()),
            goroot: Some("/gvmr/versions/go1.22.5".into()),
            source: "GVMR_GO_VERSION".into(),
            requirement: "go1.22.5".into(),
            install_argument: "1.22.5".into(),
        }));
        ctx
    }

    fn sys() -> FakeSystem {
        FakeSystem::new()
            .with_executable("/gvmr/shims/go")
            .with_executable("/usr/local/go/bin/go")
    }

    fn find(ctx: &Context, name: &str) -> Check {
        checks(ctx, &sys())
            .into_iter()
            .find(|c| c.check == name)
            .unwrap_or_else(|| panic!("no {name}"))
    }

    #[test]
    fn a_healthy_environment_is_all_ok() {
        let checks = checks(&ctx(&[]), &sys());
        assert!(checks.iter().all(|c| c.status == Status::Ok), "{checks:#?}");
    }

    #[test]
    fn a_foreign_goroot_is_an_error() {
        let check = find(&ctx(&[("GOROOT", "/usr/local/go")]), "GOROOT");
        assert_eq!(check.status, Status::Error);
        assert!(check.finding.contains("GOROOT is /usr/local/go"));
        assert!(
            check
                .symptom
                .unwrap()
                .contains("does not match go tool version")
        );
        assert!(check.fix[0].starts_with("unset GOROOT"));
        let ours = ctx(&[("GOROOT", "/gvmr/versions/go1.22.5")]);
        assert_eq!(find(&ours, "GOROOT").status, Status::Ok);
    }

    #[test]
    fn another_go_earlier_on_path_is_an_error() {
        let path = [("PATH", "/usr/local/go/bin:/gvmr/shims:/home/u/go/bin")];
        let check = find(&ctx(&path), "go on PATH");
        assert_eq!(check.status, Status::Error);
        assert!(
            check
                .finding
                .contains("/usr/local/go/bin/go comes before gvmr's /gvmr/shims/go")
        );
        assert!(check.fix[0].contains("/gvmr/shims:$PATH"));
        let check = find(&ctx(&[("PATH", "/home/u/go/bin")]), "go on PATH");
        assert_eq!(check.status, Status::Warning);
    }

    #[test]
    fn gotoolchain_in_the_environment_or_the_env_file_is_a_warning() {
        let check = find(&ctx(&[("GOTOOLCHAIN", "auto")]), "GOTOOLCHAIN");
        assert_eq!(check.status, Status::Warning);
        assert!(check.finding.contains("in the environment"), "{check:?}");
        assert_eq!(
            check.fix,
            ["unset GOTOOLCHAIN   (and remove it from your shell startup files)"]
        );
        let check = find(&ctx(&[("GOTOOLCHAIN", "local")]), "GOTOOLCHAIN");
        assert_eq!(check.status, Status::Ok);

        let home = tempfile::tempdir().unwrap();
        let file = home.path().join(".config/go/env");
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, "GOPROXY=direct\nGOTOOLCHAIN=go1.23.0+auto\n").unwrap();
        let root = home.path().to_str().unwrap();
        let check = find(&ctx(&[("HOME", root)]), "GOTOOLCHAIN");
        assert_eq!(check.status, Status::Warning);
        assert!(
            check.finding.contains("GOTOOLCHAIN=go1.23.0+auto in "),
            "{check:?}"
        );
        assert_eq!(check.fix, ["go env -u GOTOOLCHAIN"]);

        let other = home.path().join("goenv");
        std::fs::write(&other, "GOTOOLCHAIN=local\n").unwrap();
        let goenv = [("HOME", root), ("GOENV", other.to_str().unwrap())];
        assert_eq!(find(&ctx(&goenv), "GOTOOLCHAIN").status, Status::Ok);
    }

    #[test]
    fn no_hook_and_no_shims_on_path_is_a_warning() {
        let zsh = [
            ("PATH", "/usr/local/go/bin:/usr/bin"),
            ("SHELL", "/bin/zsh"),
        ];
        let check = find(&ctx(&zsh), "shell hook");
        assert_eq!(check.status, Status::Warning);
        assert!(check.finding.contains("_GVMR_ADDED is unset"));
        assert!(check.finding.contains("/gvmr/shims"));
        assert_eq!(
            check.symptom.as_deref(),
            Some("`go` is not gvmr's: cd into a project does not switch versions")
        );
        assert!(check.fix[0].starts_with("eval \"$(gvmr hook zsh)\""));
        assert!(check.fix[1].contains("export PATH=\"/gvmr/shims:$PATH\""));

        let fish = [("PATH", "/usr/bin"), ("SHELL", "/usr/bin/fish")];
        let check = find(&ctx(&fish), "shell hook");
        assert!(check.fix[0].starts_with("gvmr hook fish | source"));

        let hooked = [
            ("PATH", "/usr/bin"),
            ("_GVMR_ADDED", "/gvmr/versions/go1.22.5/bin"),
        ];
        let check = find(&ctx(&hooked), "shell hook");
        assert_eq!(check.status, Status::Ok);
        assert!(check.finding.contains("hook is active"));

        let check = find(&ctx(&[]), "shell hook");
        assert_eq!(check.status, Status::Ok);
        assert!(check.finding.contains("shims (/gvmr/shims) are on PATH"));
    }

    #[test]
    fn gobin_missing_from_path_is_a_warning() {
        let check = find(&ctx(&[("GOPATH", "/srv/gopath")]), "GOBIN");
        assert_eq!(check.status, Status::Warning);
        assert!(check.finding.contains("/srv/gopath/bin"));
        let check = find(&ctx(&[("GOBIN", "/opt/bin")]), "GOBIN");
        assert_eq!(check.status, Status::Warning);
    }
}
