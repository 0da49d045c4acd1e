//! The version that applies here, as gvmr's commands see it: the shared
//! resolver (the same one the shims run) plus gvmr's errors.

use crate::store::Store;
use crate::switch::SwitchError as Error;
use gvmr_shim::select::{Inputs, select};
use gvmr_shim::toolchain::{Resolved, resolve};
use gvmr_shim::{GoVersion, VersionRequest};
use std::path::{Path, PathBuf};

pub fn current_dir() -> Result<PathBuf, Error> {
    gvmr_shim::home::working_dir().map_err(Error::WorkingDir)
}

/// What the directory selects, resolved against installed versions.
pub fn resolve_in(inputs: &Inputs, store: &Store, dir: &Path) -> Result<Resolved, Error> {
    match select(dir, inputs)? {
        Some(selection) => Ok(resolve(selection, store.root())),
        None => Err(Error::NoSelection),
    }
}

/// The installed toolchain for an explicit VERSION argument, or else for
/// the current directory's selection.
pub fn installed_goroot(
    inputs: &Inputs,
    store: &Store,
    version: Option<&str>,
) -> Result<(GoVersion, PathBuf), Error> {
    match version {
        Some(text) => {
            let request = VersionRequest::parse(text)?;
            let installed = store.installed()?;
            let version = request
                .best_match(&installed)
                .ok_or_else(|| Error::NotInstalled {
                    version: request.to_string(),
                    installed,
                })?;
            Ok((version, store.version_dir(&version)))
        }
        None => {
            let resolved = resolve_in(inputs, store, &current_dir()?)?;
            match (resolved.version, resolved.goroot.clone()) {
                (Some(version), Some(goroot)) => Ok((version, goroot)),
                _ => Err(Error::SelectedNotInstalled(
                    resolved.not_installed_message(),
                )),
            }
        }
    }
}
