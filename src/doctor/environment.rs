//! Mixing toolchains: GOROOT, another go on PATH, GOTOOLCHAIN, GOBIN.

use super::system::System;
use super::{Check, Context};
use std::path::{Path, PathBuf};

pub const SECTION: &str = "Environment";

pub fn checks(ctx: &Context, sys: &dyn System) -> Vec<Check> {
    let mut checks = vec![goroot(ctx, sys), go_on_path(ctx, sys), shell_hook(ctx, sys)];
    checks.extend(gotoolchain(sys));
    checks.push(gobin(sys));
    checks
}

fn goroot(ctx: &Context, sys: &dyn System) -> Check {
    let Some(value) = sys.env("GOROOT") else {
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
    let found = sys.path_lookup("go");
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
fn shell_hook(ctx: &Context, sys: &dyn System) -> Check {
    let name = "shell hook";
    let shims = ctx.shims_dir();
    if let Some(added) = sys.env(crate::switch::activate::ADDED_VAR) {
        return Check::ok(
            SECTION,
            name,
            format!(
                "the shell hook is active here ({}={added})",
                crate::switch::activate::ADDED_VAR
            ),
        );
    }
    let path = sys.env("PATH").unwrap_or_default();
    if std::env::split_paths(&path).any(|p| p == shims) {
        return Check::ok(
            SECTION,
            name,
            format!("the shims ({}) are on PATH", shims.display()),
        );
    }
    let shell = sys.env("SHELL").unwrap_or_default();
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

/// The file `go env -w` writes: GOENV, else $XDG_CONFIG_HOME/go/env, else
/// ~/.config/go/env. `None` when GOENV=off or nothing locates it.
pub fn go_env_file(sys: &dyn System) -> Option<PathBuf> {
    match sys.env("GOENV") {
        Some(v) if v == "off" => None,
        Some(v) => Some(PathBuf::from(v)),
        None => sys
            .env("XDG_CONFIG_HOME")
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
            .or_else(|| sys.env("HOME").map(|h| PathBuf::from(h).join(".config")))
            .map(|c| c.join("go/env")),
    }
}

/// GOTOOLCHAIN values that let Go run another toolchain than the pinned one.
fn overrides_pin(value: &str) -> bool {
    let value = value.trim();
    !(value.is_empty() || value == "local")
}

fn gotoolchain(sys: &dyn System) -> Vec<Check> {
    let symptom = "go downloads or runs another toolchain than the selected one (\"go: downloading go1.x\", `go version` differs from `gvmr current`)";
    let mut checks = Vec::new();
    match sys.env("GOTOOLCHAIN") {
        Some(value) if overrides_pin(&value) => checks.push(Check::warning(
            SECTION,
            "GOTOOLCHAIN",
            format!(
                "GOTOOLCHAIN={value} in the environment overrides gvmr's pin (GOTOOLCHAIN=local)"
            ),
            symptom,
            &["unset GOTOOLCHAIN   (and remove it from your shell startup files)"],
        )),
        Some(value) => checks.push(Check::ok(
            SECTION,
            "GOTOOLCHAIN",
            format!("GOTOOLCHAIN={value}"),
        )),
        None => checks.push(Check::ok(
            SECTION,
            "GOTOOLCHAIN",
            "GOTOOLCHAIN is not set (the shims set local)",
        )),
    }
    if let Some(file) = go_env_file(sys)
        && let Some(text) = sys.read_file(&file)
    {
        let value = text
            .lines()
            .filter_map(|l| l.trim().strip_prefix("GOTOOLCHAIN="))
            .next_back()
            .map(|v| v.trim().to_string());
        match value {
            Some(value) if overrides_pin(&value) => checks.push(Check::warning(
                SECTION,
                "Go env file",
                format!("{} sets GOTOOLCHAIN={value}, which overrides the pin wherever GOTOOLCHAIN is not set", file.display()),
                symptom,
                &["go env -u GOTOOLCHAIN"],
            )),
            _ => checks.push(Check::ok(
                SECTION,
                "Go env file",
                format!("{} does not override GOTOOLCHAIN", file.display()),
            )),
        }
    }
    checks
}

fn gobin(sys: &dyn System) -> Check {
    let (dir, what) = match sys.env("GOBIN") {
        Some(gobin) => (PathBuf::from(gobin), "GOBIN"),
        None => {
            let gopath = sys
                .env("GOPATH")
                .and_then(|p| std::env::split_paths(&p).next())
                .or_else(|| sys.env("HOME").map(|h| PathBuf::from(h).join("go")));
            match gopath {
                Some(gopath) => (gopath.join("bin"), "$GOPATH/bin"),
                None => {
                    return Check::ok(SECTION, "GOBIN", "neither GOBIN, GOPATH nor HOME is set");
                }
            }
        }
    };
    let path = sys.env("PATH").unwrap_or_default();
    if std::env::split_paths(&path).any(|p| p == dir) {
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

    fn ctx() -> Context {
        let mut ctx = test_context();
        ctx.selected = Ok(Some(Selected {
            system: None,
            notes: Vec::new(),
            version: Some(GoVersion::parse("1.22.5").unwrap()),
            goroot: Some("/gvmr/versions/go1.22.5".into()),
            source: "GVMR_GO_VERSION".into(),
            requirement: "go1.22.5".into(),
            install_argument: "1.22.5".into(),
        }));
        ctx
    }

    fn healthy() -> FakeSystem {
        FakeSystem::new()
            .with_env(
                "PATH",
                "/gvmr/shims:/home/u/go/bin:/usr/local/go/bin:/usr/bin",
            )
            .with_env("HOME", "/home/u")
            .with_executable("/gvmr/shims/go")
            .with_executable("/usr/local/go/bin/go")
    }

    fn find<'a>(checks: &'a [Check], name: &str) -> &'a Check {
        checks
            .iter()
            .find(|c| c.check == name)
            .unwrap_or_else(|| panic!("no {name} in {checks:?}"))
    }

    #[test]
    fn a_healthy_environment_is_all_ok() {
        let checks = checks(&ctx(), &healthy());
        assert!(checks.iter().all(|c| c.status == Status::Ok), "{checks:#?}");
    }

    #[test]
    fn a_foreign_goroot_is_an_error() {
        let sys = healthy().with_env("GOROOT", "/usr/local/go");
        let check = find(&checks(&ctx(), &sys), "GOROOT").clone();
        assert_eq!(check.status, Status::Error);
        assert!(check.finding.contains("GOROOT is /usr/local/go"));
        assert!(
            check
                .symptom
                .unwrap()
                .contains("does not match go tool version")
        );
        assert!(check.fix[0].starts_with("unset GOROOT"));
        let sys = healthy().with_env("GOROOT", "/gvmr/versions/go1.22.5");
        assert_eq!(find(&checks(&ctx(), &sys), "GOROOT").status, Status::Ok);
    }

    #[test]
    fn another_go_earlier_on_path_is_an_error() {
        let sys = healthy().with_env("PATH", "/usr/local/go/bin:/gvmr/shims:/home/u/go/bin");
        let check = find(&checks(&ctx(), &sys), "go on PATH").clone();
        assert_eq!(check.status, Status::Error);
        assert!(
            check
                .finding
                .contains("/usr/local/go/bin/go comes before gvmr's /gvmr/shims/go")
        );
        assert!(check.fix[0].contains("/gvmr/shims:$PATH"));
        let sys = healthy().with_env("PATH", "/home/u/go/bin");
        assert_eq!(
            find(&checks(&ctx(), &sys), "go on PATH").status,
            Status::Warning
        );
    }

    #[test]
    fn gotoolchain_in_the_environment_or_the_env_file_is_a_warning() {
        let sys = healthy().with_env("GOTOOLCHAIN", "auto");
        let check = find(&checks(&ctx(), &sys), "GOTOOLCHAIN").clone();
        assert_eq!(check.status, Status::Warning);
        assert_eq!(
            check.fix,
            ["unset GOTOOLCHAIN   (and remove it from your shell startup files)"]
        );
        let sys = healthy().with_env("GOTOOLCHAIN", "local");
        assert_eq!(
            find(&checks(&ctx(), &sys), "GOTOOLCHAIN").status,
            Status::Ok
        );

        let sys = healthy().with_file(
            "/home/u/.config/go/env",
            "GOPROXY=direct\nGOTOOLCHAIN=go1.23.0+auto\n",
        );
        let check = find(&checks(&ctx(), &sys), "Go env file").clone();
        assert_eq!(check.status, Status::Warning);
        assert!(check.finding.contains("GOTOOLCHAIN=go1.23.0+auto"));
        assert_eq!(check.fix, ["go env -u GOTOOLCHAIN"]);

        let sys = healthy()
            .with_env("GOENV", "/etc/goenv")
            .with_file("/etc/goenv", "GOTOOLCHAIN=local\n");
        assert_eq!(
            find(&checks(&ctx(), &sys), "Go env file").status,
            Status::Ok
        );
    }

    #[test]
    fn no_hook_and_no_shims_on_path_is_a_warning() {
        let sys = healthy()
            .with_env("PATH", "/usr/local/go/bin:/usr/bin")
            .with_env("SHELL", "/bin/zsh");
        let check = find(&checks(&ctx(), &sys), "shell hook").clone();
        assert_eq!(check.status, Status::Warning);
        assert!(check.finding.contains("_GVMR_ADDED is unset"));
        assert!(check.finding.contains("/gvmr/shims"));
        assert_eq!(
            check.symptom.as_deref(),
            Some("`go` is not gvmr's: cd into a project does not switch versions")
        );
        assert!(check.fix[0].starts_with("eval \"$(gvmr hook zsh)\""));
        assert!(check.fix[1].contains("export PATH=\"/gvmr/shims:$PATH\""));

        let sys = sys.with_env("SHELL", "/usr/bin/fish");
        let check = find(&checks(&ctx(), &sys), "shell hook").clone();
        assert!(check.fix[0].starts_with("gvmr hook fish | source"));

        let sys = sys.with_env("_GVMR_ADDED", "/gvmr/versions/go1.22.5/bin");
        let check = find(&checks(&ctx(), &sys), "shell hook").clone();
        assert_eq!(check.status, Status::Ok);
        assert!(check.finding.contains("hook is active"));

        let check = find(&checks(&ctx(), &healthy()), "shell hook").clone();
        assert_eq!(check.status, Status::Ok);
        assert!(check.finding.contains("shims (/gvmr/shims) are on PATH"));
    }

    #[test]
    fn gobin_missing_from_path_is_a_warning() {
        let sys = healthy().with_env("GOPATH", "/srv/gopath");
        let check = find(&checks(&ctx(), &sys), "GOBIN").clone();
        assert_eq!(check.status, Status::Warning);
        assert!(check.finding.contains("/srv/gopath/bin"));
        let sys = healthy().with_env("GOBIN", "/opt/bin");
        assert_eq!(find(&checks(&ctx(), &sys), "GOBIN").status, Status::Warning);
    }
}
