//! Choosing a version and asking which applies: `gvmr current`, `use`,
//! `default` and `which`.

use crate::error::Error;
use crate::files::write_atomically;
use crate::install::{InstallOptions, Installer};
use crate::settings::Settings;
use crate::store::Store;
use crate::switch::SwitchError;
use crate::switch::selection::{current_dir, installed_goroot, resolve_in};
use crate::ui::{self, Ui, tildify};
use gvmr_shim::select::{GO_VERSION_FILE, Requirement, Selection, Source};
use gvmr_shim::{GoVersion, VersionRequest};
use serde_json::json;
use std::path::Path;

pub fn current(settings: &Settings, store: &Store, json: bool) -> Result<(), Error> {
    let resolved = resolve_in(&settings.selection, store, &current_dir()?)?;
    store.remember_project(&resolved.selection);
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
        ui::outln(value.to_string())?;
    } else {
        let how = match source {
            Source::Default(_) => "the default, in",
            _ => "set by",
        };
        ui::outln(format!("{shown} ({how} {source})"))?;
    }
    match resolved.goroot {
        Some(_) => Ok(()),
        None => Err(SwitchError::SelectedNotInstalled(resolved.not_installed_message()).into()),
    }
}

/// Installs `text` if needed (resolving partial versions) and returns the version.
fn ensure_installed(
    settings: &Settings,
    store: &Store,
    ui: &Ui,
    text: &str,
) -> Result<GoVersion, Error> {
    let request = VersionRequest::parse(text)?;
    if let VersionRequest::Exact(v) = request
        && store.is_installed(&v)
    {
        return Ok(v);
    }
    let installer = Installer::new(store, ui, settings)?;
    let options = InstallOptions::for_host(settings.source()?);
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

pub fn use_version(settings: &Settings, store: &Store, ui: &Ui, text: &str) -> Result<(), Error> {
    let version = ensure_installed(settings, store, ui, text)?;
    let path = current_dir()?.join(GO_VERSION_FILE);
    write_version_file(&path, &version)?;
    store.remember_project(&Selection {
        requirement: Requirement::Request(VersionRequest::Exact(version)),
        source: Source::File(path.clone()),
    });
    ui.status(format!(
        "{text} resolved to {version}; wrote {} to {}",
        version.number(),
        path.display()
    ));
    Ok(())
}

pub fn set_default(
    settings: &Settings,
    store: &Store,
    ui: &Ui,
    text: Option<&str>,
) -> Result<(), Error> {
    let path = store.default_file();
    let Some(text) = text else {
        return match std::fs::read_to_string(&path) {
            Ok(content) => Ok(ui::out(content)?),
            Err(_) => Err(Error::NoDefault),
        };
    };
    let version = ensure_installed(settings, store, ui, text)?;
    write_version_file(&path, &version)?;
    ui.status(format!(
        "{text} resolved to {version}; it is now the default (in {})",
        tildify(&path)
    ));
    Ok(())
}

pub fn which(settings: &Settings, store: &Store, tool: &str) -> Result<(), Error> {
    let (_, goroot) = installed_goroot(&settings.selection, store, None)?;
    let path = goroot.join("bin").join(tool);
    if !path.is_file() {
        return Err(Error::NoSuchTool(path));
    }
    ui::outln(path.display().to_string())?;
    Ok(())
}
