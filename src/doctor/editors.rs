//! Editors and shells that name a Go root of their own, behind gvmr's back:
//! VS Code's workspace settings (`go.goroot`, `go.alternateTools.go`)
//! naming a root that is gone or is not the version this directory selects,
//! and a `GOROOT` exported in a shell startup file that points at a removed
//! version.

use super::system::System;
use super::{Check, Context, Selected};
use crate::editors::vscode::{self, GOROOT_KEY, TOOLS_KEY};
use crate::ui::tildify;
use gvmr_shim::GoVersion;
use std::path::{Path, PathBuf};

pub const SECTION: &str = "Editors";

/// The shell startup files, relative to `HOME`, where a `GOROOT` export
/// lives on in every new shell.
const STARTUP_FILES: &[&str] = &[
    ".profile",
    ".bash_profile",
    ".bash_login",
    ".bashrc",
    ".zshenv",
    ".zprofile",
    ".zshrc",
    ".zlogin",
    ".config/fish/config.fish",
];

pub fn checks(ctx: &Context, sys: &dyn System) -> Vec<Check> {
    let mut checks = vscode_settings(ctx, sys);
    checks.push(startup_goroot(ctx, sys));
    checks
}

/// The installed version this directory selects, when one version is meant.
fn selected(ctx: &Context) -> Option<(&Selected, GoVersion)> {
    let selected = ctx.selected.as_ref().ok()?.as_ref()?;
    if selected.system.is_some() {
        return None;
    }
    Some((selected, selected.version?))
}

fn vscode_settings(ctx: &Context, sys: &dyn System) -> Vec<Check> {
    let home = ctx.settings.home.as_deref();
    let found = vscode::candidates(&ctx.cwd, home)
        .into_iter()
        .find_map(|file| sys.read_file(&file).map(|text| (file, text)));
    let Some((file, text)) = found else {
        return vec![Check::ok(
            SECTION,
            "VS Code",
            "no .vscode/settings.json from here up: the Go extension runs the first go on PATH",
        )];
    };
    let shown = tildify(&file);
    let settings = match vscode::read(&text) {
        Ok(settings) => settings,
        Err(e) => {
            return vec![Check::warning(
                SECTION,
                "VS Code",
                format!("cannot read {shown}: {e}"),
                "VS Code cannot read it either, and ignores its settings",
                &[],
            )];
        }
    };
    let workspace = file
        .parent()
        .and_then(Path::parent)
        .unwrap_or(Path::new("/"));
    let mut checks = Vec::new();
    if let Some(go) = &settings.go {
        let key = format!("{TOOLS_KEY}.go");
        let check = match expand(go, workspace, home) {
            Some(path) if path == ctx.shims_dir().join("go") => Check::ok(
                SECTION,
                key.clone(),
                format!("{shown} runs gvmr's go shim, which follows what selects the version here"),
            ),
            Some(path) if path.is_absolute() => match path.parent().and_then(Path::parent) {
                Some(root) => goroot_check(ctx, sys, &key, &shown, go, root),
                None => Check::ok(SECTION, key.clone(), format!("{shown} sets it to {go}")),
            },
            _ => Check::ok(
                SECTION,
                key.clone(),
                format!("{shown} sets it to {go}, which gvmr does not check"),
            ),
        };
        checks.push(check);
    }
    if let Some(goroot) = &settings.goroot {
        let check = match expand(goroot, workspace, home) {
            Some(root) if root.is_absolute() => {
                goroot_check(ctx, sys, GOROOT_KEY, &shown, goroot, &root)
            }
            _ => Check::ok(
                SECTION,
                GOROOT_KEY,
                format!("{shown} sets it to {goroot}, which gvmr does not check"),
            ),
        };
        checks.push(check);
    }
    if checks.is_empty() {
        checks.push(Check::ok(
            SECTION,
            "VS Code",
            format!(
                "{shown} sets neither {GOROOT_KEY} nor {TOOLS_KEY}.go: the Go extension runs the first go on PATH"
            ),
        ));
    }
    checks
}

/// `go.goroot` (or the root of `go.alternateTools.go`) set to `value`,
/// which is `root`: it must exist and hold the version selected here.
fn goroot_check(
    ctx: &Context,
    sys: &dyn System,
    key: &str,
    shown: &str,
    value: &str,
    root: &Path,
) -> Check {
    let fix = || {
        vec![
            "gvmr ide vscode --write   (VS Code then runs gvmr's go shim, which follows this directory)"
                .to_string(),
            format!("or remove {key} from {shown}"),
        ]
    };
    let version = sys.read_file(&root.join("VERSION"));
    if version.is_none() && !sys.is_executable(&root.join("bin/go")) {
        return Check::error(
            SECTION,
            key,
            format!(
                "{shown} sets {key} to {value}, but {} does not exist (a removed version?)",
                root.display()
            ),
            "the Go extension fails to find go (\"Failed to find the \\\"go\\\" binary\"), or its tools fail",
            &[],
        )
        .with_fix(fix());
    }
    let found = version
        .as_deref()
        .and_then(|text| text.lines().next())
        .and_then(|line| GoVersion::parse(line.trim()).ok());
    match (selected(ctx), found) {
        (Some((selected, wanted)), Some(found)) if found != wanted => Check::warning(
            SECTION,
            key,
            format!(
                "{shown} sets {key} to {value}, which is {found}, but this directory selects {wanted} ({})",
                selected.source
            ),
            "VS Code builds, tests and analyses with another Go than `go` in the shell",
            &[],
        )
        .with_fix(fix()),
        (_, found) => Check::ok(
            SECTION,
            key,
            format!(
                "{shown} sets {key} to {value}{}",
                found.map_or(String::new(), |v| format!(" ({v})"))
            ),
        ),
    }
}

/// A settings value as a path: `~`, `${userHome}`, `${env:HOME}` and
/// `${workspaceFolder}` expanded; `None` for other variables.
fn expand(value: &str, workspace: &Path, home: Option<&Path>) -> Option<PathBuf> {
    let home_text = home.map(|h| h.display().to_string());
    let mut text = value.to_string();
    if let Some(home) = &home_text {
        if let Some(rest) = text.strip_prefix("~/") {
            text = format!("{home}/{rest}");
        }
        text = text
            .replace("${userHome}", home)
            .replace("${env:HOME}", home);
    }
    text = text.replace("${workspaceFolder}", &workspace.display().to_string());
    (!text.contains("${")).then(|| PathBuf::from(text))
}

/// A `GOROOT` exported by a shell startup file that names a directory
/// that is gone: every new shell then runs with it.
fn startup_goroot(ctx: &Context, sys: &dyn System) -> Check {
    const CHECK: &str = "GOROOT in shell startup files";
    let Some(home) = ctx.settings.home.as_deref() else {
        return Check::ok(SECTION, CHECK, "HOME is not set: no startup files to read");
    };
    let mut fine = Vec::new();
    for name in STARTUP_FILES {
        let file = home.join(name);
        let Some(text) = sys.read_file(&file) else {
            continue;
        };
        for (index, line) in text.lines().enumerate() {
            let Some(value) = goroot_assignment(line) else {
                continue;
            };
            let where_ = format!("{}:{}", tildify(&file), index + 1);
            let Some(root) = expand_shell(value, home) else {
                continue; // set from other variables: cannot tell
            };
            let exists = sys.read_file(&root.join("VERSION")).is_some()
                || sys.is_executable(&root.join("bin/go"));
            if !exists {
                return Check::error(
                    SECTION,
                    CHECK,
                    format!(
                        "{where_} exports GOROOT={}, which does not exist (a removed version?)",
                        root.display()
                    ),
                    "\"go: cannot find GOROOT directory\" in every new shell where gvmr's hook or shims do not set GOROOT",
                    &[],
                )
                .with_fix(vec![format!(
                    "remove that line from {}: gvmr's shims and hooks set GOROOT for the selected version",
                    tildify(&file)
                )]);
            }
            fine.push(format!("{where_} ({})", root.display()));
        }
    }
    let finding = if fine.is_empty() {
        "no shell startup file exports GOROOT".to_string()
    } else {
        format!("GOROOT exported where it exists: {}", fine.join(", "))
    };
    Check::ok(SECTION, CHECK, finding)
}

/// The value a startup-file line gives GOROOT: `export GOROOT=…`,
/// `GOROOT=…` (sh), `set -gx GOROOT …` (fish); quotes removed.
fn goroot_assignment(line: &str) -> Option<&str> {
    let line = line.trim();
    if line.starts_with('#') {
        return None;
    }
    let value = if let Some(rest) = line
        .strip_prefix("export ")
        .map(str::trim_start)
        .unwrap_or(line)
        .strip_prefix("GOROOT=")
    {
        rest
    } else {
        let mut words = line.split_whitespace();
        if words.next() != Some("set") {
            return None;
        }
        let mut words = words.skip_while(|w| w.starts_with('-'));
        if words.next() != Some("GOROOT") {
            return None;
        }
        let rest = line.split_once(" GOROOT ")?.1;
        rest.trim()
    };
    let value = value
        .split(" #")
        .next()
        .unwrap_or(value)
        .trim()
        .trim_end_matches(';');
    let unquoted = value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .or_else(|| value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
        .unwrap_or(value);
    (!unquoted.is_empty()).then_some(unquoted)
}

/// A shell value as a path: `~`, `$HOME` and `${HOME}` expanded; `None`
/// when it uses anything else the shell would expand.
fn expand_shell(value: &str, home: &Path) -> Option<PathBuf> {
    let home = home.display().to_string();
    let mut text = value.replace("${HOME}", &home).replace("$HOME", &home);
    if let Some(rest) = text.strip_prefix("~/") {
        text = format!("{home}/{rest}");
    }
    let plain = !text.contains(['$', '`', '(', '*']) && text.starts_with('/');
    plain.then(|| PathBuf::from(text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doctor::fake::FakeSystem;
    use crate::doctor::{Status, test_context};

    fn context(vars: &[(&str, &str)]) -> Context {
        let mut ctx = test_context().with_env(&[vars, &[("HOME", "/home/u")]].concat());
        ctx.home = PathBuf::from("/home/u/.local/share/gvmr");
        ctx.cwd = PathBuf::from("/home/u/src/app/cmd");
        ctx
    }

    fn selecting(mut ctx: Context, version: &str) -> Context {
        ctx.selected = Ok(Some(Selected {
            version: Some(GoVersion::parse(version).unwrap()),
            goroot: None,
            source: "/home/u/src/app/.go-version".into(),
            requirement: version.into(),
            install_argument: version.into(),
            system: None,
            notes: Vec::new(),
            overridden: None,
        }));
        ctx
    }

    const SETTINGS: &str = "/home/u/src/app/.vscode/settings.json";

    #[test]
    fn vscode_settings_naming_a_missing_or_other_root_are_flagged() {
        let ctx = selecting(context(&[]), "1.22.5");
        let sys = FakeSystem::new()
            .with_file(
                SETTINGS,
                "{\n  // mine\n  \"go.goroot\": \"~/sdk/go1.21.13\",\n  \"go.alternateTools\": {\"go\": \"${workspaceFolder}/.go/bin/go\"},\n}",
            )
            .with_file("/home/u/src/app/.go/VERSION", "go1.21.13\ntime x\n")
            .with_executable("/home/u/src/app/.go/bin/go");
        let checks = vscode_settings(&ctx, &sys);
        assert_eq!(checks.len(), 2, "{checks:#?}");
        assert_eq!(checks[0].status, Status::Warning, "{checks:#?}");
        assert!(
            checks[0]
                .finding
                .contains("which is go1.21.13, but this directory selects go1.22.5"),
            "{}",
            checks[0].finding
        );
        assert_eq!(checks[1].status, Status::Error);
        assert!(
            checks[1]
                .finding
                .contains("/home/u/sdk/go1.21.13 does not exist")
        );
        assert!(checks[1].fix[0].starts_with("gvmr ide vscode --write"));

        let shim = "{\"go.alternateTools\": {\"go\": \"/home/u/.local/share/gvmr/shims/go\"}}";
        let sys = FakeSystem::new().with_file(SETTINGS, shim);
        let checks = vscode_settings(&ctx, &sys);
        assert_eq!(checks[0].status, Status::Ok);
        assert!(checks[0].finding.contains("gvmr's go shim"));

        // The right version, and no file at all (not ~/.vscode either).
        let sys = FakeSystem::new()
            .with_file(SETTINGS, "{\"go.goroot\": \"/r\"}")
            .with_file("/r/VERSION", "go1.22.5\n");
        assert_eq!(vscode_settings(&ctx, &sys)[0].status, Status::Ok);
        let sys =
            FakeSystem::new().with_file("/home/u/.vscode/settings.json", "{\"go.goroot\": \"/x\"}");
        let checks = vscode_settings(&ctx, &sys);
        assert_eq!(checks.len(), 1);
        assert!(checks[0].finding.starts_with("no .vscode/settings.json"));
    }

    #[test]
    fn a_goroot_exported_at_a_removed_version_is_an_error() {
        let ctx = context(&[]);
        let sys = FakeSystem::new()
            .with_file(
                "/home/u/.bashrc",
                "# GOROOT=/nope\nexport PATH=$PATH:/x\nexport GOROOT=\"$HOME/.local/share/gvmr/versions/go1.21.0\" # old\n",
            )
            .with_file("/home/u/.config/fish/config.fish", "set -gx GOROOT /usr/local/go\n")
            .with_executable("/usr/local/go/bin/go");
        let check = startup_goroot(&ctx, &sys);
        assert_eq!(check.status, Status::Error);
        assert_eq!(
            check.finding,
            "/home/u/.bashrc:3 exports GOROOT=/home/u/.local/share/gvmr/versions/go1.21.0, which does not exist (a removed version?)"
        );
        let sys = FakeSystem::new()
            .with_file(
                "/home/u/.config/fish/config.fish",
                "set -gx GOROOT /usr/local/go\n",
            )
            .with_file("/home/u/.zshrc", "GOROOT=$(go env GOROOT)\n")
            .with_executable("/usr/local/go/bin/go");
        let check = startup_goroot(&ctx, &sys);
        assert_eq!(check.status, Status::Ok);
        assert!(
            check.finding.contains("config.fish:1 (/usr/local/go)"),
            "{}",
            check.finding
        );
    }

    #[test]
    fn goroot_lines_are_read_as_shells_write_them() {
        for (line, value) in [
            ("export GOROOT=/a", Some("/a")),
            ("  GOROOT='/a b';", Some("/a b")),
            ("set -gx GOROOT /a", Some("/a")),
            ("set --export GOROOT \"/a\"", Some("/a")),
            ("export GOPATH=/a", None),
            ("# export GOROOT=/a", None),
            ("set -gx GOPATH /a", None),
        ] {
            assert_eq!(goroot_assignment(line), value, "{line}");
        }
        assert_eq!(
            expand_shell("~/go", Path::new("/h")),
            Some(PathBuf::from("/h/go"))
        );
        assert_eq!(expand_shell("$GOPATH/x", Path::new("/h")), None);
    }
}
