//! gvmr: install Go toolchains, verified twice, and switch between them.

mod checksum;
mod cli;
mod commands;
mod error;
mod http;
mod install;
mod listing;
mod platform;
mod signature;
mod store;
mod ui;
mod unpack;

use clap::Parser;
use cli::{Cli, Command};
use error::Error;
use std::process::ExitCode;

fn run(cli: Cli) -> Result<(), Error> {
    let ui = ui::Ui::new(cli.quiet);
    let store = store::Store::open()?;
    match cli.command {
        Command::Install {
            versions,
            force,
            archive,
            skip_signature,
            platform,
        } => {
            let options = commands::install_options(force, skip_signature, platform, archive);
            commands::install(&store, &ui, &versions, options)
        }
        Command::List { json } => commands::list(&store, json),
        Command::ListRemote { prefix, all, json } => {
            commands::list_remote(&store, &ui, prefix.as_deref(), all, json)
        }
        Command::Uninstall { versions } => commands::uninstall(&store, &ui, &versions),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            if let Some(hint) = err.hint() {
                eprintln!("hint: {hint}");
            }
            ExitCode::from(err.exit_code() as u8)
        }
    }
}
