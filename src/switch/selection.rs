//! The version that applies here, as gvmr's commands see it: the shared
//! resolver (the same one the shims run) plus gvmr's errors, and the notes
//! it made on the way (skipped files, ignored lines, an overridden pin).

use crate::store::Store;
use crate::switch::SwitchError as Error;
use gvmr_shim::GoVersion;
use gvmr_shim::select::{Inputs, lookup};
use gvmr_shim::toolchain::{Resolved, resolve, system_tool};
use std::path::{Path, PathBuf};

/// The working directory as the user's shell names it (see
/// [`gvmr_shim::home::working_dir`]).
pub fn current_dir(inputs: &Inputs) -> Result<PathBuf, Error> {
    gvmr_shim::home::working_dir(inputs.pwd.as_deref()).map_err(Error::WorkingDir)
}

/// What the directory selects, with the resolver's notes (to print on
/// stderr).
pub struct Here {
    pub resolved: Result<Resolved, Error>,
    pub notes: Vec<String>,
}

/// What `dir` selects, resolved against installed versions, with notes.
pub fn look_here(inputs: &Inputs, store: &Store, dir: &Path) -> Here {
    let found = lookup(dir, inputs);
    let mut notes = found.notes;
    let resolved = match found.result {
        Ok(Some(selection)) => {
            let resolved = resolve(selection, store.root(), inputs.path.as_deref());
            notes.extend(resolved.overridden.clone());
            Ok(resolved)
        }
        Ok(None) => Err(Error::NoSelection),
        Err(e) => Err(e.into()),
    };
    Here { resolved, notes }
}

/// The toolchain a command runs with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Active {
    /// An installed version.
    Installed { version: GoVersion, goroot: PathBuf },
    /// `system`: the Go on PATH outside gvmr, at this path.
    System { go: PathBuf },
}

impl Active {
    /// The Go root: the installed version's directory, or for `system` the
    /// directory above the `bin/` its `go` lies in, links followed
    /// (/usr/bin/go → /usr/lib/go-1.22/bin/go: /usr/lib/go-1.22).
    pub fn goroot(&self) -> Option<PathBuf> {
        match self {
            Active::Installed { goroot, .. } => Some(goroot.clone()),
            Active::System { go } => {
                let real = std::fs::canonicalize(go).ok()?;
                Some(real.parent()?.parent()?.to_path_buf())
            }
        }
    }
}

/// The system Go for `system` requests, or the error saying there is none.
fn system_go(inputs: &Inputs, store: &Store, source: &str) -> Result<Active, Error> {
    match system_tool("go", inputs.path.as_deref(), store.root(), &[]) {
        Some(go) => Ok(Active::System { go }),
        None => Err(Error::NoSystemGo(source.to_string())),
    }
}

/// The installed toolchain for an explicit VERSION argument (which must be
/// installed already: see `commands::select::ensure_installed`), or else
/// for the current directory's selection (with the resolver's notes, for
/// stderr).
pub fn active(
    inputs: &Inputs,
    store: &Store,
    version: Option<&GoVersionOrSystem>,
) -> Result<(Active, Vec<String>), Error> {
    match version {
        Some(GoVersionOrSystem::Version(version)) => Ok((
            Active::Installed {
                version: *version,
                goroot: store.version_dir(version),
            },
            Vec::new(),
        )),
        Some(GoVersionOrSystem::System) => {
            Ok((system_go(inputs, store, "the command line")?, Vec::new()))
        }
        None => {
            let here = look_here(inputs, store, &current_dir(inputs)?);
            let resolved = here.resolved?;
            let active = if resolved.system.is_some() {
                system_go(inputs, store, &resolved.selection.source.to_string())?
            } else {
                match (resolved.version, resolved.goroot.clone()) {
                    (Some(version), Some(goroot)) => Active::Installed { version, goroot },
                    _ => {
                        return Err(Error::SelectedNotInstalled(Box::new(resolved)));
                    }
                }
            };
            Ok((active, here.notes))
        }
    }
}

/// A VERSION argument once resolved: one release, or `system`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GoVersionOrSystem {
    Version(GoVersion),
    System,
}
