//! Switching between installed toolchains: which version applies here
//! ([`selection`], on top of the resolver the shims share), the environment
//! a toolchain runs with ([`activate`]) rendered for each shell
//! ([`shell`]), the prompt hooks ([`hook`], and what they watch:
//! [`watch`]) and the `go`/`gofmt` shim executables in `$GVMR_HOME/shims`
//! ([`shim_files`]); which installed versions the default and the known
//! projects select ([`usage`]); and moving a version file to another
//! version ([`version_file`]).

pub mod activate;
pub mod first_use;
pub mod hook;
pub mod selection;
pub mod shell;
pub mod shim_files;
pub mod usage;
pub mod version_file;
pub mod watch;

use crate::files::FileError;
use gvmr_shim::select::SelectError;
use gvmr_shim::toolchain::Resolved;
use gvmr_shim::{GoVersion, ParseVersionError};
use std::path::PathBuf;

/// Why the switching layer could not answer.
#[derive(Debug, thiserror::Error)]
pub enum SwitchError {
    #[error(transparent)]
    BadVersion(#[from] ParseVersionError),
    /// A malformed version file (or `GVMR_GO_VERSION`).
    #[error(transparent)]
    VersionFile(#[from] SelectError),
    #[error("{}", gvmr_shim::select::NOTHING_SELECTED)]
    NoSelection,
    /// `go1.22.5 is selected by /p/.go-version but not installed; run: …`
    #[error("{}", .0.not_installed_message())]
    SelectedNotInstalled(Box<Resolved>),
    /// `system` is selected (by this source) but PATH has no other go.
    #[error("system is selected by {0}, but the only go on PATH is gvmr's shim (or there is none)")]
    NoSystemGo(String),
    #[error("{version} is not installed{}", listed_as_installed(.installed))]
    NotInstalled {
        version: String,
        installed: Vec<GoVersion>,
    },
    #[error("cannot read the current directory: {0}")]
    WorkingDir(std::io::Error),
    #[error("cannot find gvmr's own path: {0}")]
    OwnExecutable(std::io::Error),
    #[error(
        "{} is missing, so the go/gofmt shims cannot be made; install it beside gvmr with `cargo install --locked --path shims` (see the README)",
        .0.display()
    )]
    ShimMissing(PathBuf),
    #[error(transparent)]
    File(#[from] FileError),
}

fn listed_as_installed(versions: &[GoVersion]) -> String {
    match versions {
        [] => " (nothing is installed)".to_string(),
        _ => format!(
            " (installed: {})",
            versions
                .iter()
                .map(|v| v.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}
