//! `$GVMR_HOME/default-packages`: tools to `go install` with every newly
//! installed toolchain (gopls, dlv, staticcheck…), like asdf's
//! `.default-golang-pkgs`. One `module/path@version` per line; `#` starts a
//! comment; blank lines are ignored; a malformed line is a warning naming
//! it.
//!
//! Each runs as `<GOROOT>/bin/go install PKG` with that toolchain's
//! environment (its `bin` first on `PATH`, `GOROOT`, `GOTOOLCHAIN=local`)
//! and the user's `GOPATH`/`GOBIN`. A package that fails is a warning with
//! the end of go's output: the toolchain is installed either way.

use crate::settings::Settings;
use crate::store::Store;
use crate::switch::activate::{activate, apply, this_process};
use crate::ui::{Ui, tildify};
use gvmr_shim::GoVersion;
use gvmr_shim::toolchain::PINNED_GOTOOLCHAIN;
use std::path::Path;
use std::process::{Command, Stdio};

/// How many lines of go's output a failure shows.
const TAIL_LINES: usize = 12;

/// The packages listed in `text` (from `origin`), and a warning for each
/// line that is not `module/path@version`.
pub fn parse(text: &str, origin: &Path) -> (Vec<String>, Vec<String>) {
    let mut packages = Vec::new();
    let mut warnings = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let content = line.split('#').next().unwrap_or("").trim();
        if content.is_empty() {
            continue;
        }
        let well_formed = !content.contains(char::is_whitespace)
            && content
                .rsplit_once('@')
                .is_some_and(|(path, version)| !path.is_empty() && !version.is_empty());
        if well_formed {
            packages.push(content.to_string());
        } else {
            warnings.push(format!(
                "{}:{}: {content:?} is not module/path@version (e.g. golang.org/x/tools/gopls@latest); skipped",
                tildify(origin),
                i + 1
            ));
        }
    }
    (packages, warnings)
}

/// Installs the default packages with the toolchain `version` just
/// installed; failures are warnings. Says where they went: `GOBIN`, else
/// `$GOPATH/bin`, as that toolchain's `go env` has them.
pub fn install_all(settings: &Settings, store: &Store, ui: &Ui, version: &GoVersion) {
    let file = store.default_packages_file();
    let Ok(text) = std::fs::read_to_string(&file) else {
        return; // none configured (or unreadable: nothing to install)
    };
    let (packages, warnings) = parse(&text, &file);
    for warning in warnings {
        ui.warn(warning);
    }
    let goroot = store.version_dir(version);
    let mut installed = 0;
    for (i, package) in packages.iter().enumerate() {
        ui.status(format!(
            "Installing default package {package} ({}/{})…",
            i + 1,
            packages.len()
        ));
        match go_install(&goroot, package) {
            Ok(()) => installed += 1,
            Err(why) => ui.warn(format!(
                "default package {package} was not installed with {version}: {why}"
            )),
        }
    }
    if installed > 0
        && let Some(dir) = settings.go_env_for(&goroot, Some(*version)).install_dir()
    {
        ui.status(format!(
            "Installed {installed} default package{} into {}",
            if installed == 1 { "" } else { "s" },
            tildify(&dir)
        ));
    }
}

/// `go install PACKAGE` with the toolchain at `goroot`; the reason and the
/// end of go's output when it fails.
fn go_install(goroot: &Path, package: &str) -> Result<(), String> {
    let go = goroot.join("bin").join("go");
    let mut command = Command::new(&go);
    command
        .arg("install")
        .arg(package)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    apply(activate(goroot, &this_process, false, false), &mut command);
    // This toolchain, whatever GOTOOLCHAIN the user set.
    command.env("GOTOOLCHAIN", PINNED_GOTOOLCHAIN);
    let output = command
        .output()
        .map_err(|e| format!("cannot run {}: {e}", go.display()))?;
    if output.status.success() {
        return Ok(());
    }
    let text = String::from_utf8_lossy(&output.stderr);
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let tail = &lines[lines.len().saturating_sub(TAIL_LINES)..];
    Err(format!(
        "go install failed ({}){}",
        output.status,
        tail.iter().map(|l| format!("\n  {l}")).collect::<String>()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_packages_comments_or_warnings() {
        let text = "# tools\n\
                    golang.org/x/tools/gopls@latest\n\
                    \n\
                    github.com/go-delve/delve/cmd/dlv@v1.23.1  # debugger\n\
                    honnef.co/go/tools/cmd/staticcheck\n\
                    two words@v1\n\
                    @v1\n\
                    example.com/x@\n";
        let (packages, warnings) = parse(text, Path::new("/h/default-packages"));
        assert_eq!(
            packages,
            [
                "golang.org/x/tools/gopls@latest",
                "github.com/go-delve/delve/cmd/dlv@v1.23.1"
            ]
        );
        assert_eq!(warnings.len(), 4, "{warnings:?}");
        assert!(
            warnings[0].starts_with(
                "/h/default-packages:5: \"honnef.co/go/tools/cmd/staticcheck\" is not module/path@version"
            ),
            "{}",
            warnings[0]
        );
        assert!(warnings[1].starts_with("/h/default-packages:6: "));
    }
}
