//! The command line, as clap reads it.

use crate::platform::Platform;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "gvmr",
    version,
    about = "Install Go toolchains, verified twice (SHA-256 and Go's OpenPGP signature), and switch between them",
    after_help = "Environment: GVMR_HOME, GVMR_MIRROR, GVMR_INDEX_URL, GVMR_KEYRING, GVMR_HTTP_TIMEOUT, HTTPS_PROXY/HTTP_PROXY/NO_PROXY. See the README."
)]
pub struct Cli {
    /// Print only warnings and errors.
    #[arg(short, long, global = true)]
    pub quiet: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Download, verify and install Go versions.
    #[command(after_help = "Examples:
  gvmr install 1.22.5           exactly go1.22.5
  gvmr install 1.22             the newest 1.22.x release
  gvmr install latest           the newest stable release
  gvmr install 1.23rc1          a pre-release
  gvmr install 1.21.13 1.22.10  several at once
  gvmr install --archive ./go1.22.5.linux-amd64.tar.gz   from a local file (+ .asc/.sha256 beside it)
  gvmr install --platform darwin-arm64 1.22.5            for another platform (to prepare an image)")]
    Install {
        /// Versions: 1.22.5, go1.22.5, 1.22 (newest 1.22.x), latest, 1.23rc1.
        #[arg(value_name = "VERSION")]
        versions: Vec<String>,
        /// Reinstall even if the version is installed.
        #[arg(long)]
        force: bool,
        /// Install from a local archive; its checksum comes from the release
        /// listing or PATH.sha256, its signature from PATH.asc.
        #[arg(long, value_name = "PATH")]
        archive: Option<PathBuf>,
        /// Do not check the OpenPGP signature (NOT recommended; warns every time).
        #[arg(long)]
        skip_signature: bool,
        /// The platform to install for, as OS-ARCH (default: this machine).
        #[arg(long, value_name = "OS-ARCH")]
        platform: Option<Platform>,
    },
    /// List installed versions, newest first.
    #[command(after_help = "Examples:
  gvmr list
  gvmr list --json")]
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// List versions from the release listing, newest first.
    #[command(after_help = "Examples:
  gvmr list-remote          every stable release
  gvmr list-remote 1.22     stable 1.22.x releases
  gvmr list-remote --all    pre-releases too")]
    ListRemote {
        /// Only versions starting with this (e.g. 1.22, go1.21).
        prefix: Option<String>,
        /// Include betas and release candidates.
        #[arg(long)]
        all: bool,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Remove installed versions.
    #[command(after_help = "Examples:
  gvmr uninstall 1.22.5
  gvmr uninstall go1.21.0 1.20.14")]
    Uninstall {
        /// Versions to remove (a partial version must match one installed version).
        #[arg(value_name = "VERSION", required = true)]
        versions: Vec<String>,
    },
}
