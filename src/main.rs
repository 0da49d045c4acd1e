//! gvmr: install Go toolchains, verified twice, and switch between them.

mod activate;
mod checksum;
mod cli;
mod commands;
mod dirhash;
mod doctor;
mod download;
mod error;
mod hook;
mod http;
mod install;
mod keys;
mod listing;
mod platform;
mod proxy;
mod selection;
mod shell;
mod shims;
mod signature;
mod store;
mod sumdb;
mod ui;
mod unpack;

use clap::Parser;
use cli::{Cli, Command};
use commands::manage;
use commands::switch;
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
            source,
        } => {
            let options = manage::install_options(force, skip_signature, platform, archive, source);
            manage::install(&store, &ui, &versions, options)
        }
        Command::List { json } => manage::list(&store, json),
        Command::ListRemote { prefix, all, json } => {
            manage::list_remote(&store, &ui, prefix.as_deref(), all, json)
        }
        Command::Uninstall { versions } => manage::uninstall(&store, &ui, &versions),
        Command::Current { json } => switch::current(&store, json),
        Command::Use { version } => switch::use_version(&store, &ui, &version),
        Command::Default { version } => switch::set_default(&store, &ui, version.as_deref()),
        Command::Which { tool } => switch::which(&store, &tool),
        Command::Exec { version, command } => switch::exec(&store, version.as_deref(), &command),
        Command::Env { shell, version } => switch::env(&store, shell, version.as_deref()),
        Command::Hook { shell } => switch::hook(shell),
        Command::HookEnv { shell, pid } => switch::hook_env(&store, shell, pid),
        Command::Direnv => switch::direnv(),
        Command::Shims => switch::shims(&store, &ui),
        Command::Doctor {
            json,
            offline,
            verify_files,
        } => {
            if !doctor::doctor(&store, json, offline, verify_files)? {
                std::process::exit(1);
            }
            Ok(())
        }
        Command::Keys { action, json } => match action {
            None => keys::list(&store, &ui, json),
            Some(cli::KeysAction::List { json: list_json }) => {
                keys::list(&store, &ui, json || list_json)
            }
            Some(cli::KeysAction::Update { url }) => keys::update(&store, &ui, url.as_deref()),
        },
        Command::InternalPurge { dir } => Ok(store.purge(&dir)?),
        Command::InternalSumdbLookup { module, version } => {
            sumdb::internal_lookup(store.root(), &module, &version);
            Ok(())
        }
        Command::Completions { shell } => {
            let mut command = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut command, "gvmr", &mut std::io::stdout());
            Ok(())
        }
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
