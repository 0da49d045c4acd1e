//! Installing the selected version on first use, as Go's own
//! `GOTOOLCHAIN=auto` does: when `gvmr exec` or `gvmr env` (and the shims,
//! which hand such a run to `gvmr exec`) meet a selected version that is
//! not installed, it is installed first, verified as always, in one line
//! on stderr and a progress bar on a terminal. `GVMR_AUTO_INSTALL=0` turns
//! it off: the command then fails saying what to install.

use crate::error::Error;
use crate::install::{InstallOptions, Installer};
use crate::settings::Settings;
use crate::store::Store;
use crate::switch::SwitchError;
use crate::switch::first_use::announcement;
use crate::ui::Ui;
use gvmr_shim::VersionRequest;
use gvmr_shim::toolchain::Resolved;

/// Installs what `resolved` names (exactly what `gvmr install` with its
/// install argument installs); concurrent first uses of one version wait
/// for the one that downloads it. A failure says what was tried and how to
/// turn auto-install off.
pub(super) fn install(
    settings: &Settings,
    store: &Store,
    ui: &Ui,
    resolved: Resolved,
) -> Result<(), Error> {
    if !settings.auto_install()? {
        return Err(SwitchError::SelectedNotInstalled(Box::new(resolved)).into());
    }
    let ui = ui.as_helper();
    ui.notice(announcement(&resolved));
    // One request, or several (`latest oldstable`: oldstable resolves
    // among the installed lines, so the newest must be there too).
    let argument = resolved.install_argument();
    let installed = || -> Result<(), Error> {
        let installer = Installer::new(store, &ui, settings)?;
        let options = InstallOptions::for_host(settings.source()?);
        for word in argument.split_whitespace() {
            installer.install(Some(&VersionRequest::parse(word)?), &options)?;
        }
        Ok(())
    };
    installed().map_err(|source| Error::FirstUse {
        selected: match resolved.version {
            Some(version) => version.to_string(),
            None => argument.clone(),
        },
        source: Box::new(source),
    })
}
