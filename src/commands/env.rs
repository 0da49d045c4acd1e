//! Running with a toolchain's environment: `gvmr env` (printed for a
//! shell, CI or direnv) and `gvmr exec`.

use crate::cli::EnvFormat;
use crate::error::Error;
use crate::files::FileError;
use crate::settings::Settings;
use crate::store::Store;
use crate::switch::SwitchError;
use crate::switch::activate::{activate, apply, this_process, use_system};
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

/// The variables that make the selected (or given) version active. A
/// given VERSION is installed first when it is not and `install` allows it
/// (as a fresh CI job needs): an installed match of a partial version is
/// used as it is, while `stable`/`oldstable` resolve on the release listing.
fn toolchain_changes(
    settings: &Settings,
    store: &Store,
    ui: &Ui,
    version: Option<&str>,
    install: bool,
) -> Result<Vec<Change>, Error> {
    let chosen = match version {
        Some(text) => Some(installed_or_install(settings, store, ui, text, install)?),
        None => None,
    };
    let (active, notes) = active(&settings.selection, store, chosen.as_ref())?;
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
    super::select::ensure_installed(settings, store, ui, text)
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
        toolchain_changes(settings, store, ui, version, true)?,
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
    // direnv evaluates .envrc on every cd: `use gvmr VERSION` never
    // downloads there, it says what to install.
    let install = format != EnvFormat::Direnv;
    let changes = toolchain_changes(settings, store, ui, version, install)?;
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
