//! gvmr: install Go toolchains, verified twice, and switch between them.
//! `main.rs` only calls [`main`]; the library exists so the fuzz targets
//! (`fuzz/`, feature `fuzzing`) can reach the parsers.
//!
//! The layers, from the user down (each imports only the ones below it):
//! - [`cli`] and [`commands`]: what the user typed, one function per command;
//!   [`error`] folds every layer's error into one message, hint and exit code.
//! - [`install`]: the pipeline (resolve, fetch, verify, unpack, commit);
//!   [`doctor`]: diagnosis; [`self_update`]: gvmr replacing itself.
//! - [`editors`]: what VS Code and GoLand need (their settings, their rules).
//! - [`switch`]: which version applies and how shells and shims use it.
//! - [`release`] (platforms, the release listing), [`verify`] (checksums,
//!   signatures, keys, the checksum database), [`store`] (the data
//!   directory).
//! - [`archive`] (strict unpacking), [`net`] (HTTP, retries, downloads,
//!   GOPROXY).
//! - [`settings`] (every environment variable, read once), [`build_info`]
//!   (this binary's version, target and commit), [`files`], [`digest`]
//!   (SHA-256, hashing while streaming) and [`ui`].
//!
//! No two modules import each other, at any level (`tests/it/layout.rs`).

// Stdout goes through `ui::out`, which treats a closed pipe as the end.
#![deny(clippy::print_stdout)]

mod archive;
mod build_info;
mod cli;
mod commands;
mod digest;
mod doctor;
mod editors;
mod error;
mod files;
mod install;
mod net;
mod release;
mod self_update;
mod settings;
mod store;
mod switch;
mod ui;
mod verify;

#[cfg(feature = "fuzzing")]
pub mod fuzzing;

use clap::Parser;
use commands::Finished;
use std::process::ExitCode;

/// Runs the command line and turns the outcome into the exit code: the
/// only place that prints an error and decides how gvmr exits.
pub fn main() -> ExitCode {
    match commands::run(cli::Cli::parse()) {
        Ok(Finished::Success) => ExitCode::SUCCESS,
        Ok(Finished::ProblemsFound) => ExitCode::from(1),
        Ok(Finished::UpdateAvailable) => ExitCode::from(error::exit::UPDATE_AVAILABLE),
        // The reader of stdout went away (`gvmr list | head -1`): done.
        Err(error::Error::Output(e)) if e.is_closed() => ExitCode::SUCCESS,
        Err(err) => {
            ui::error(&err.to_string(), err.hint().as_deref());
            ExitCode::from(err.exit_code())
        }
    }
}
