//! One function per subcommand, grouped by what the user is doing: each
//! reads its arguments, calls the pipeline or the resolver, and prints the
//! result. [`run`] dispatches; `main` turns its answer into an exit code.

mod disk;
mod doctor;
mod env;
mod first_use;
mod ide;
mod install;
mod keys;
mod list;
mod mirror;
mod mirrors;
mod select;
mod self_update;
mod shell;
mod upgrade;

use crate::cli::{CacheAction, Cli, Command, KeysAction, MinisignAction, MirrorAction, SelfAction};
use crate::error::Error;
use crate::settings::Settings;
use crate::store::Store;
use crate::ui::{self, Ui};

/// How a command that ran to its end wants gvmr to exit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finished {
    Success,
    /// The command worked but found problems (`gvmr doctor`): exit 1.
    ProblemsFound,
    /// `gvmr self update --check` found a newer release: exit 10.
    UpdateAvailable,
}

pub fn run(cli: Cli) -> Result<Finished, Error> {
    let ui = Ui::new(cli.quiet);
    let settings = Settings::from_process();
    ui::present_with(settings.home.clone(), settings.no_color);
    let store = Store::open(settings.data_dir.clone())?;
    let s = &settings;
    match cli.command {
        Command::Install {
            versions,
            force,
            archive,
            skip_signature,
            platform,
            source,
            no_default_packages,
        } => {
            let options = install::options(
                force,
                skip_signature,
                platform,
                archive,
                source,
                !no_default_packages,
            );
            install::install(s, &store, &ui, &versions, options)
        }
        Command::Mirror {
            action:
                MirrorAction::Sync {
                    dir,
                    versions,
                    platforms,
                    dry_run,
                    json,
                },
        } => mirror::sync(
            s,
            &store,
            &ui,
            mirror::SyncArgs {
                dir: &dir,
                versions: &versions,
                platforms: &platforms,
                dry_run,
                json,
            },
        ),
        Command::List { json } => list::list(s, &store, &ui, json),
        Command::ListRemote { prefix, all, json } => {
            list::list_remote(s, &store, &ui, prefix.as_deref(), all, json)
        }
        Command::Uninstall { versions } => install::uninstall(&store, &ui, &versions),
        Command::Prune { dry_run, yes } => disk::prune(s, &store, &ui, dry_run, yes),
        Command::Cache { action, json } => match action {
            None => disk::cache(&store, json),
            Some(CacheAction::Clean { all }) => disk::cache_clean(&store, &ui, all),
        },
        Command::Upgrade {
            default,
            no_default_packages,
        } => upgrade::upgrade(s, &store, &ui, default, !no_default_packages),
        Command::Current { json } => select::current(s, &store, &ui, json),
        Command::Use { version } => select::use_version(s, &store, &ui, &version),
        Command::Default { version } => select::set_default(s, &store, &ui, version.as_deref()),
        Command::Which { tool, goroot } => select::which(s, &store, &ui, &tool, goroot),
        Command::Ide { editor, write } => ide::ide(s, &store, &ui, editor, write),
        Command::Exec { version, command } => {
            env::exec(s, &store, &ui, version.as_deref(), &command)
        }
        Command::Env { shell, version } => env::env(s, &store, &ui, shell, version.as_deref()),
        Command::Hook { shell } => shell::hook(shell),
        Command::HookEnv { shell, pid } => shell::hook_env(s, &store, shell, pid),
        Command::Direnv => shell::direnv(),
        Command::Shims => shell::shims(&store, &ui),
        Command::Doctor {
            json,
            offline,
            verify_files,
        } => return doctor::doctor(s, &store, &ui, json, offline, verify_files),
        Command::Mirrors { check, json } => {
            return mirrors::mirrors(s, &store, &ui, check, json);
        }
        Command::Keys { action, json } => match action {
            None => keys::list(s, &store, &ui, json),
            Some(KeysAction::List { json: list_json }) => {
                keys::list(s, &store, &ui, json || list_json)
            }
            Some(KeysAction::Update { url }) => keys::update(s, &store, &ui, url.as_deref()),
        },
        Command::InternalPurge { dir } => Ok(store.purge(&dir)?),
        Command::InternalSumdbLookup { module, version } => {
            let failed = |source| Error::Sumdb {
                module: format!("{module}@{version}"),
                source,
            };
            let sumdb = settings.sumdb().map_err(failed)?;
            let http = settings.http(&ui)?;
            let lines = sumdb
                .lookup(&http, &store.root().join("sumdb"), &module, &version)
                .map_err(failed)?;
            for line in lines {
                ui::outln(line)?;
            }
            Ok(())
        }
        Command::Itself {
            action: SelfAction::Update { check, to },
        } => return self_update::update(s, &store, &ui, check, to.as_deref()),
        Command::InternalManPages { dir } => self_update::man_pages(&dir),
        Command::InternalMinisign { action } => match action {
            MinisignAction::Public { key } => self_update::minisign_public(&key),
            MinisignAction::Sign {
                key,
                file,
                trusted_comment,
            } => self_update::minisign_sign(&key, &file, &trusted_comment),
        },
        Command::Completions { shell } => {
            let mut command = <Cli as clap::CommandFactory>::command();
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut command, "gvmr", &mut script);
            Ok(ui::out_bytes(&script)?)
        }
    }
    .map(|()| Finished::Success)
}
