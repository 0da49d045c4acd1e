//! Choosing and using a version: current, use, default, which, exec, env,
//! hooks, direnv, shims.

use crate::activate::activate;
use crate::error::Error;
use crate::hook::{self, HookShell};
use crate::install::{InstallOptions, Installer};
use crate::platform::Platform;
use crate::selection::{current_dir, installed_goroot, resolve_in};
use crate::shell::{
    Change, render_dotenv, render_fish, render_github_env, render_json, render_posix, sh_quote,
};
use crate::store::{Store, StoreError, write_atomically};
use crate::ui::{Ui, tildify};
use gvmr_select::select::{GO_VERSION_FILE, Source, candidate_files};
use gvmr_select::{GoVersion, VersionRequest};
use serde_json::json;
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

pub fn current(store: &Store, json: bool) -> Result<(), Error> {
    let resolved = resolve_in(store, &current_dir()?)?;
    let source = &resolved.selection.source;
    let shown = match resolved.version {
        Some(v) => v.to_string(),
        None => resolved.selection.requirement.to_string(),
    };
    if json {
        let value = json!({
            "version": resolved.version.map(|v| v.to_string()),
            "requested": resolved.selection.requirement.to_string(),
            "source": source.to_string(),
            "installed": resolved.goroot.is_some(),
            "goroot": resolved.goroot,
        });
        println!("{value}");
    } else {
        let how = match source {
            Source::Default(_) => "the default, in",
            _ => "set by",
        };
        println!("{shown} ({how} {source})");
    }
    match resolved.goroot {
        Some(_) => Ok(()),
        None => Err(Error::SelectedNotInstalled(
            resolved.not_installed_message(),
        )),
    }
}

/// Installs `text` if needed (resolving partial versions) and returns the version.
fn ensure_installed(store: &Store, ui: &Ui, text: &str) -> Result<GoVersion, Error> {
    let request = VersionRequest::parse(text)?;
    if let VersionRequest::Exact(v) = request
        && store.is_installed(&v)
    {
        return Ok(v);
    }
    let installer = Installer::new(store, ui)?;
    let options = InstallOptions {
        force: false,
        skip_signature: false,
        platform: Platform::host(),
        archive: None,
        source: crate::install::Source::from_env()?,
    };
    match installer.install(Some(&request), &options) {
        Ok(outcome) => Ok(outcome.version()),
        // Offline: a partial version can still name an installed one.
        Err(Error::ListingNeeded { source, .. }) => {
            let installed = store.installed()?;
            let version = request.best_match(&installed).ok_or(Error::ListingNeeded {
                request: request.to_string(),
                source: source.clone(),
            })?;
            ui.warn(format!("{source}; using the installed {version}"));
            Ok(version)
        }
        Err(e) => Err(e),
    }
}

fn write_version_file(path: &Path, version: &GoVersion) -> Result<(), Error> {
    let text = format!("{}\n", version.number());
    write_atomically(path, text.as_bytes())?;
    Ok(())
}

pub fn use_version(store: &Store, ui: &Ui, text: &str) -> Result<(), Error> {
    let version = ensure_installed(store, ui, text)?;
    let path = current_dir()?.join(GO_VERSION_FILE);
    write_version_file(&path, &version)?;
    ui.status(format!(
        "{text} resolved to {version}; wrote {} to {}",
        version.number(),
        path.display()
    ));
    Ok(())
}

pub fn set_default(store: &Store, ui: &Ui, text: Option<&str>) -> Result<(), Error> {
    let path = store.default_file();
    let Some(text) = text else {
        return match std::fs::read_to_string(&path) {
            Ok(content) => {
                print!("{content}");
                Ok(())
            }
            Err(_) => Err(Error::Usage(
                "no default version is set; set one with `gvmr default VERSION`".into(),
            )),
        };
    };
    let version = ensure_installed(store, ui, text)?;
    write_version_file(&path, &version)?;
    ui.status(format!(
        "{text} resolved to {version}; it is now the default (in {})",
        tildify(&path)
    ));
    Ok(())
}

pub fn which(store: &Store, tool: &str) -> Result<(), Error> {
    let (_, goroot) = installed_goroot(store, None)?;
    let path = goroot.join("bin").join(tool);
    if !path.is_file() {
        return Err(Error::Usage(format!("{} does not exist", path.display())));
    }
    println!("{}", path.display());
    Ok(())
}

/// The variables that make the selected (or given) version active.
fn toolchain_changes(store: &Store, version: Option<&str>) -> Result<Vec<Change>, Error> {
    let (_, goroot) = installed_goroot(store, version)?;
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    Ok(activate(&goroot, &env, false))
}

pub fn exec(store: &Store, version: Option<&str>, command: &[OsString]) -> Result<(), Error> {
    let (program, args) = command
        .split_first()
        .ok_or_else(|| Error::Usage("name a command to run after --".into()))?;
    let mut child = std::process::Command::new(program);
    child.args(args);
    for change in toolchain_changes(store, version)? {
        match change {
            Change::Export(name, value) => {
                child.env(name, value);
            }
            Change::Unset(name) => {
                child.env_remove(name);
            }
            Change::Var(..) | Change::List(..) => {}
        }
    }
    let error = child.exec();
    Err(Error::Usage(format!(
        "cannot run {}: {error}",
        Path::new(program).display()
    )))
}

pub fn env(store: &Store, format: EnvFormat, version: Option<&str>) -> Result<(), Error> {
    let changes = toolchain_changes(store, version)?;
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
        .map_err(|e| StoreError::new("open", path, e))?;
    file.write_all(text.as_bytes())
        .map_err(|e| StoreError::new("write", path, e))?;
    Ok(())
}

pub fn hook(shell: HookShell) -> Result<(), Error> {
    print!("{}", hook::script(shell)?);
    Ok(())
}

pub fn hook_env(store: &Store, shell: HookShell, pid: u32) -> Result<(), Error> {
    print!("{}", hook::hook_env(store, shell, pid)?);
    Ok(())
}

pub fn direnv() -> Result<(), Error> {
    print!("{}", hook::direnvrc()?);
    Ok(())
}

pub fn shims(store: &Store, ui: &Ui) -> Result<(), Error> {
    for path in crate::shims::write_shims(store)? {
        ui.status(format!("Wrote {}", path.display()));
    }
    Ok(())
}
