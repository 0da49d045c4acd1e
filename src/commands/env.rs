//! Running with a toolchain's environment: `gvmr env` (printed for a
//! shell, CI or direnv) and `gvmr exec`.

use crate::cli::EnvFormat;
use crate::error::Error;
use crate::files::FileError;
use crate::settings::Settings;
use crate::store::Store;
use crate::switch::SwitchError;
use crate::switch::activate::{
    activate, apply, route_to_shims, this_process, use_system, with_shims_last,
};
use crate::switch::first_use::missing_hint;
use crate::switch::selection::{Active, GoVersionOrSystem, active, current_dir};
use crate::switch::shell::{
    Change, render_dotenv, render_fish, render_github_env, render_json, render_posix, sh_quote,
};
use crate::ui::{self, Ui};
use gvmr_shim::VersionRequest;
use gvmr_shim::select::candidate_files;
use std::ffi::OsString;
use std::io::Write;
use std::os::unix::process::CommandExt;
use std::path::Path;

/// What a command does where a version is not installed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Missing {
    /// Install it first (`exec`, `env`): a given VERSION as `install` would,
    /// the selected version on first use (unless `GVMR_AUTO_INSTALL=0`).
    Install,
    /// Install nothing (`env --shell direnv`, which direnv runs on every
    /// `cd`): a given VERSION fails saying what to install; a missing
    /// selected version, or none, is left to the shims, which install it on
    /// first use or say what is wrong.
    LeaveToShims,
}

/// The variables that make the selected (or given) version active. A
/// given VERSION is installed first when it is not and `missing` allows it
/// (as a fresh CI job needs): an installed match of a partial version is
/// used as it is, while `stable`/`oldstable` resolve on the release listing.
fn toolchain_changes(
    settings: &Settings,
    store: &Store,
    ui: &Ui,
    version: Option<&str>,
    missing: Missing,
) -> Result<Vec<Change>, Error> {
    let install = missing == Missing::Install;
    let chosen = match version {
        Some(text) => Some(installed_or_install(settings, store, ui, text, install)?),
        None => None,
    };
    let (active, notes) = match active(&settings.selection, store, chosen.as_ref()) {
        Err(SwitchError::SelectedNotInstalled(resolved)) if install => {
            super::first_use::install(settings, store, ui, *resolved)?;
            active(&settings.selection, store, None)?
        }
        Err(SwitchError::SelectedNotInstalled(resolved)) => {
            ui.as_helper()
                .notice(missing_hint(&resolved, settings.auto_install()?));
            return Ok(leave_to_shims(store, true));
        }
        Err(SwitchError::NoSelection) if !install => return Ok(leave_to_shims(store, false)),
        result => result?,
    };
    for note in notes {
        ui.note(note);
    }
    Ok(match active {
        Active::Installed { goroot, .. } => {
            let in_file = settings.go.in_file("GOTOOLCHAIN").is_some();
            activate(&goroot, &this_process, false, in_file)
        }
        Active::System { .. } => use_system(&store.versions_dir(), &this_process, false),
    })
}

/// The shims on `PATH` (made if missing): first, for a selected version the
/// shim installs on first use; else last, so that where nothing selects a
/// version `go` is the shim saying so, while a Go earlier on `PATH` wins.
fn leave_to_shims(store: &Store, first: bool) -> Vec<Change> {
    // Best effort: without them `go` is simply not found.
    let _ = crate::switch::shim_files::ensure_shims(store);
    let shims = store.shims_dir();
    let changes = if first {
        route_to_shims(&shims, &this_process, false)
    } else {
        Vec::new()
    };
    with_shims_last(changes, &shims, &this_process)
}

/// A VERSION argument as an installed version: the newest installed match
/// of an exact or partial version, else installed now.
fn installed_or_install(
    settings: &Settings,
    store: &Store,
    ui: &Ui,
    text: &str,
    install: bool,
) -> Result<GoVersionOrSystem, Error> {
    let request = VersionRequest::parse(text)?;
    if request == VersionRequest::System {
        return Ok(GoVersionOrSystem::System);
    }
    let installed = store.installed()?;
    if !(install && request.is_alias())
        && let Some(version) = request.best_match(&installed)
    {
        return Ok(GoVersionOrSystem::Version(version));
    }
    if !install {
        return Err(SwitchError::NotInstalled {
            version: request.to_string(),
            installed,
        }
        .into());
    }
    let options = crate::install::InstallOptions::for_host(settings.source()?);
    super::select::ensure_installed(settings, store, ui, text, &options)
}

pub fn exec(
    settings: &Settings,
    store: &Store,
    ui: &Ui,
    version: Option<&str>,
    command: &[OsString],
) -> Result<(), Error> {
    let (program, args) = command
        .split_first()
        .ok_or_else(|| Error::Usage("name a command to run after --".into()))?;
    let mut child = std::process::Command::new(program);
    child.args(args);
    apply(
        toolchain_changes(settings, store, ui, version, Missing::Install)?,
        &mut child,
    );
    let source = child.exec();
    Err(Error::Exec {
        program: program.into(),
        source,
    })
}

pub fn env(
    settings: &Settings,
    store: &Store,
    ui: &Ui,
    format: EnvFormat,
    version: Option<&str>,
) -> Result<(), Error> {
    // direnv evaluates .envrc on every cd: `use gvmr` never downloads
    // there; it says what to install, or leaves it to the shims.
    let missing = match format {
        EnvFormat::Direnv => Missing::LeaveToShims,
        _ => Missing::Install,
    };
    let changes = toolchain_changes(settings, store, ui, version, missing)?;
    let out = match format {
        EnvFormat::Bash | EnvFormat::Zsh => render_posix(&changes),
        EnvFormat::Fish => render_fish(&changes),
        EnvFormat::Json => format!("{}\n", render_json(&changes)),
        EnvFormat::Dotenv => render_dotenv(&changes),
        EnvFormat::Github => return write_github(settings, &changes),
        EnvFormat::Direnv => {
            let mut out = render_posix(&changes);
            let dir = current_dir(&settings.selection)?;
            for file in candidate_files(&dir, Some(store.root())) {
                out.push_str(&format!(
                    "watch_file {}\n",
                    sh_quote(&file.display().to_string())
                ));
            }
            out
        }
    };
    Ok(ui::out(out)?)
}

/// `$GITHUB_ENV` gets the variables and `$GITHUB_PATH` the bin directory;
/// without them (not in Actions) the lines are printed.
fn write_github(settings: &Settings, changes: &[Change]) -> Result<(), Error> {
    let (path_changes, env_changes): (Vec<Change>, Vec<Change>) = changes
        .iter()
        .cloned()
        .partition(|c| matches!(c, Change::Export(name, _) if name == "PATH"));
    let bin = env_changes.iter().find_map(|c| match c {
        Change::Export(name, value) if name == "GOROOT" => Some(format!("{value}/bin\n")),
        _ => None,
    });
    let env_text = render_github_env(&env_changes);
    let path_text = bin.unwrap_or_default();
    match &settings.github_env {
        Some(file) => append(file, &env_text)?,
        None => ui::out(env_text)?,
    }
    match &settings.github_path {
        Some(file) => append(file, &path_text)?,
        // Outside Actions, show PATH as the other formats do.
        None => ui::out(render_github_env(&path_changes))?,
    }
    Ok(())
}

fn append(path: &Path, text: &str) -> Result<(), Error> {
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| FileError::new("open", path, e))?;
    file.write_all(text.as_bytes())
        .map_err(|e| FileError::new("write", path, e))?;
    Ok(())
}
