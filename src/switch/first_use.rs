//! What gvmr says about a selected version that is not installed, which
//! the shims, `gvmr exec` and `gvmr env` install on first use
//! (`GVMR_AUTO_INSTALL`, on by default), and which the prompt hooks and
//! direnv only point out, because a prompt must stay free.

use gvmr_shim::auto_install;
use gvmr_shim::toolchain::Resolved;

/// `go1.22.5`, or what was asked for when no one version is meant (`1.22`).
fn selected(resolved: &Resolved) -> String {
    match resolved.version {
        Some(version) => version.to_string(),
        None => resolved.selection.requirement.to_string(),
    }
}

/// The one line an install on first use starts with.
pub fn announcement(resolved: &Resolved) -> String {
    format!(
        "{} is selected by {} but not installed: installing it ({}=0 turns this off)",
        selected(resolved),
        resolved.selection.source,
        auto_install::VAR
    )
}

/// The hint the hooks and direnv print once per directory where the
/// selected version is missing: `go` will install it, or (with
/// auto-install off) how to install it.
pub fn missing_hint(resolved: &Resolved, auto_install: bool) -> String {
    if !auto_install {
        return resolved.not_installed_message();
    }
    format!(
        "{} is selected by {} but not installed; `go` installs it on first use ({}=0 turns this off), or run: gvmr install {}",
        selected(resolved),
        resolved.selection.source,
        auto_install::VAR,
        resolved.install_argument()
    )
}
