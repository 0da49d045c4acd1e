//! Choosing a version and asking which applies: `gvmr current`, `use`,
//! `default` and `which`.

use crate::error::Error;
use crate::files::write_atomically;
use crate::install::{InstallOptions, Installer};
use crate::settings::{Settings, origin_words};
use crate::store::Store;
use crate::switch::SwitchError;
use crate::switch::selection::{Active, GoVersionOrSystem, active, current_dir, look_here};
use crate::ui::{self, Ui, tildify};
use gvmr_shim::VersionRequest;
use gvmr_shim::select::{GO_VERSION_FILE, Requirement, Selection, Source};
use serde_json::json;
use std::path::Path;

pub fn current(settings: &Settings, store: &Store, ui: &Ui, json: bool) -> Result<(), Error> {
    let here = look_here(
        &settings.selection,
        store,
        &current_dir(&settings.selection)?,
    );
    for note in &here.notes {
        ui.note(note);
    }
    let resolved = here.resolved?;
    store.remember_project(&resolved.selection);
    let source = &resolved.selection.source;
    let system_go = resolved.system.as_ref().and_then(|s| s.go.as_ref());
    let shown = match system_go {
        Some(go) => format!("system ({})", go.display()),
        None => resolved.what(),
    };
    let instead = settings.gotoolchain_override();
    if json {
        let value = json!({
            "version": resolved.version.map(|v| v.to_string()),
            "requested": resolved.selection.requirement.to_string(),
            "source": source.to_string(),
            "installed": resolved.is_available(),
            "goroot": resolved.goroot,
            "system": system_go,
            "gotoolchain": instead.map(|(toolchain, _)| toolchain),
            "notes": here.notes,
        });
        ui::outln(value.to_string())?;
    } else {
        ui::outln(format!("{shown} ({} {source})", source.introduced_as()))?;
    }
    if let Some((toolchain, setting)) = instead {
        ui.note(format!(
            "GOTOOLCHAIN={} is set in {}, so `go` runs {toolchain} instead of {shown}{}",
            setting.value.trim(),
            origin_words(&setting.origin),
            if setting.value.contains("+auto") {
                " (or a newer toolchain that go.mod/go.work asks for)"
            } else {
                ""
            }
        ));
    }
    match (resolved.is_available(), &resolved.system) {
        (true, _) => Ok(()),
        (false, Some(_)) => Err(SwitchError::NoSystemGo(source.to_string()).into()),
        (false, None) => Err(SwitchError::SelectedNotInstalled(Box::new(resolved)).into()),
    }
}

/// What a VERSION argument names, installed first if needed: partial
/// versions and aliases (`stable`, `oldstable`) resolve on the release
/// listing (offline: against installed versions); `system` needs nothing.
/// `options`: how to install (see [`InstallOptions::for_host`]).
pub(super) fn ensure_installed(
    settings: &Settings,
    store: &Store,
    ui: &Ui,
    text: &str,
    options: &InstallOptions,
) -> Result<GoVersionOrSystem, Error> {
    let request = VersionRequest::parse(text)?;
    match request {
        VersionRequest::System => return Ok(GoVersionOrSystem::System),
        VersionRequest::Exact(v) if store.is_installed(&v) => {
            return Ok(GoVersionOrSystem::Version(v));
        }
        _ => {}
    }
    let installer = Installer::new(store, ui, settings)?;
    match installer.install(Some(&request), options) {
        Ok(outcome) => Ok(GoVersionOrSystem::Version(outcome.version())),
        // Offline: a partial version can still name an installed one.
        Err(Error::ListingNeeded { source, .. }) => {
            let installed = store.installed()?;
            let version = request.best_match(&installed).ok_or(Error::ListingNeeded {
                request: request.to_string(),
                source: source.clone(),
            })?;
            ui.warn(format!("{source}; using the installed {version}"));
            Ok(GoVersionOrSystem::Version(version))
        }
        Err(e) => Err(e),
    }
}

/// Writes the exact version (or `system`) a VERSION argument resolved to.
fn write_version_file(path: &Path, chosen: &GoVersionOrSystem) -> Result<(), Error> {
    write_atomically(path, format!("{}\n", number(chosen)).as_bytes())?;
    Ok(())
}

/// `1.22.5`, or `system`.
fn number(chosen: &GoVersionOrSystem) -> String {
    match chosen {
        GoVersionOrSystem::Version(v) => v.number(),
        GoVersionOrSystem::System => "system".into(),
    }
}

/// `go1.22.5`, or `system`.
fn name(chosen: &GoVersionOrSystem) -> String {
    match chosen {
        GoVersionOrSystem::Version(v) => v.to_string(),
        GoVersionOrSystem::System => "system (the Go on PATH outside gvmr)".into(),
    }
}

pub fn use_version(settings: &Settings, store: &Store, ui: &Ui, text: &str) -> Result<(), Error> {
    let options = InstallOptions::for_host(settings.source()?);
    let chosen = ensure_installed(settings, store, ui, text, &options)?;
    let path = current_dir(&settings.selection)?.join(GO_VERSION_FILE);
    write_version_file(&path, &chosen)?;
    let requirement = Requirement::Request(match &chosen {
        GoVersionOrSystem::Version(v) => VersionRequest::Exact(*v),
        GoVersionOrSystem::System => VersionRequest::System,
    });
    store.remember_project(&Selection {
        requirement,
        source: Source::File(path.clone()),
        module: None,
        default: None,
    });
    ui.status(format!(
        "{text} resolved to {}; wrote {} to {}",
        name(&chosen),
        number(&chosen),
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
    // The version becomes the default here, whether installed now or not.
    let options = InstallOptions {
        first_becomes_default: false,
        ..InstallOptions::for_host(settings.source()?)
    };
    let chosen = ensure_installed(settings, store, ui, text, &options)?;
    write_version_file(&path, &chosen)?;
    crate::install::refresh_sdk_links(store, ui);
    ui.status(format!(
        "{text} resolved to {}; it is now the default (in {})",
        name(&chosen),
        tildify(&path)
    ));
    Ok(())
}

/// `gvmr which [TOOL]`, or with `goroot`, `gvmr which --goroot`.
pub fn which(
    settings: &Settings,
    store: &Store,
    ui: &Ui,
    tool: &str,
    goroot: bool,
) -> Result<(), Error> {
    let (active, notes) = active(&settings.selection, store, None)?;
    for note in notes {
        ui.note(note);
    }
    if goroot {
        let root = active.goroot().ok_or_else(|| match &active {
            Active::System { go } => Error::NoSuchTool(go.clone()),
            Active::Installed { goroot, .. } => Error::NoSuchTool(goroot.clone()),
        })?;
        ui::outln(root.display().to_string())?;
        return Ok(());
    }
    let path = match active {
        Active::Installed { goroot, .. } => goroot.join("bin").join(tool),
        Active::System { go } => match tool {
            "go" => go,
            _ => gvmr_shim::toolchain::system_tool(
                tool,
                settings.selection.path.as_deref(),
                store.root(),
                &[],
            )
            .ok_or_else(|| Error::NoSuchTool(go.with_file_name(tool)))?,
        },
    };
    if !path.is_file() {
        return Err(Error::NoSuchTool(path));
    }
    ui::outln(path.display().to_string())?;
    Ok(())
}
