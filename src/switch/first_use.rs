//! What gvmr says about a selected version that is not installed, which
//! the shims, `gvmr exec` and `gvmr env` install on first use
//! (`GVMR_AUTO_INSTALL`, on by default), and which the prompt hooks and
//! direnv only point out, because a prompt must stay free.

use gvmr_shim::auto_install;
use gvmr_shim::toolchain::Resolved;

/// The one line an install on first use starts with.
pub fn announcement(resolved: &Resolved) -> String {
    format!(
        "{} is selected by {} but not installed: installing it ({}=0 turns this off)",
        resolved.what(),
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
        resolved.what(),
        resolved.selection.source,
        auto_install::VAR,
        resolved.install_argument()
    )
}
