//! Running with a toolchain's environment: `gvmr env` (printed for a
//! shell, CI or direnv) and `gvmr exec`.

use crate::error::Error;
use crate::files::FileError;
use crate::settings::Settings;
use crate::store::Store;
use crate::switch::activate::activate;
use crate::switch::selection::{current_dir, installed_goroot};
use crate::switch::shell::{
    Change, render_dotenv, render_fish, render_github_env, render_json, render_posix, sh_quote,
};
use gvmr_shim::select::candidate_files;
use std::ffi::OsString;
use std::io::Write;
use std::os::unix::process::CommandExt;
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum EnvFormat {
    Bash,
    Zsh,
    Fish,
    Json,
    Github,
    Dotenv,
    /// For `use gvmr` in an .envrc: exports plus `watch_file` lines.
    Direnv,
}

/// The variables that make the selected (or given) version active.
fn toolchain_changes(
    settings: &Settings,
    store: &Store,
    version: Option<&str>,
) -> Result<Vec<Change>, Error> {
    let (_, goroot) = installed_goroot(&settings.selection, store, version)?;
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    Ok(activate(&goroot, &env, false))
}

pub fn exec(
    settings: &Settings,
    store: &Store,
    version: Option<&str>,
    command: &[OsString],
) -> Result<(), Error> {
    let (program, args) = command
        .split_first()
        .ok_or_else(|| Error::Usage("name a command to run after --".into()))?;
    let mut child = std::process::Command::new(program);
    child.args(args);
    for change in toolchain_changes(settings, store, version)? {
        match change {
            Change::Export(name, value) => {
                child.env(name, value);
            }
            Change::Unset(name) => {
                child.env_remove(name);
            }
        }
    }
    let source = child.exec();
    Err(Error::Exec {
        program: program.into(),
        source,
    })
}

pub fn env(
    settings: &Settings,
    store: &Store,
    format: EnvFormat,
    version: Option<&str>,
) -> Result<(), Error> {
    let changes = toolchain_changes(settings, store, version)?;
    let out = match format {
        EnvFormat::Bash | EnvFormat::Zsh => render_posix(&changes),
        EnvFormat::Fish => render_fish(&changes),
        EnvFormat::Json => format!("{}\n", render_json(&changes)),
        EnvFormat::Dotenv => render_dotenv(&changes),
        EnvFormat::Github => return write_github(&changes),
        EnvFormat::Direnv => {
            let mut out = render_posix(&changes);
            let dir = current_dir()?;
            for file in candidate_files(&dir, Some(store.root())) {
                out.push_str(&format!(
                    "watch_file {}\n",
                    sh_quote(&file.display().to_string())
                ));
            }
            out
        }
    };
    print!("{out}");
    Ok(())
}

/// `$GITHUB_ENV` gets the variables and `$GITHUB_PATH` the bin directory;
/// without them (not in Actions) the lines are printed.
fn write_github(changes: &[Change]) -> Result<(), Error> {
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
    let targets = [("GITHUB_ENV", env_text), ("GITHUB_PATH", path_text)];
    for (var, text) in targets {
        match std::env::var_os(var).filter(|v| !v.is_empty()) {
            Some(file) => append(Path::new(&file), &text)?,
            None if var == "GITHUB_ENV" => print!("{text}"),
            None => {
                // Outside Actions, show PATH as the other formats do.
                print!("{}", render_github_env(&path_changes));
            }
        }
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
