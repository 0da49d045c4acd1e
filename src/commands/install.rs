//! `gvmr install` and `gvmr uninstall`.

use crate::error::Error;
use crate::install::{InstallOptions, Installer, Outcome};
use crate::release::platform::Platform;
use crate::settings::Settings;
use crate::settings::Source;
use crate::store::Store;
use crate::switch::SwitchError;
use crate::switch::selection::{current_dir, look_here};
use crate::ui::{self, Ui, tildify};
use gvmr_shim::{GoVersion, VersionRequest};
use std::path::PathBuf;

pub fn install(
    settings: &Settings,
    store: &Store,
    ui: &Ui,
    versions: &[String],
    options: InstallOptions,
) -> Result<(), Error> {
    let requests: Vec<VersionRequest> = versions
        .iter()
        .map(|v| VersionRequest::parse(v))
        .collect::<Result<_, _>>()?;
    let requests = if requests.is_empty() && options.archive.is_none() {
        selected_requests(settings, store, ui)?
    } else {
        requests
    };
    if requests.len() > 1 && options.archive.is_some() {
        return Err(Error::Usage("--archive installs one version".into()));
    }
    let installer = Installer::new(store, ui, settings)?;
    let requests: Vec<Option<&VersionRequest>> = if requests.is_empty() {
        vec![None]
    } else {
        requests.iter().map(Some).collect()
    };
    for request in requests {
        match installer.install(request, &options)? {
            Outcome::Installed(_) => {}
            Outcome::AlreadyInstalled(version) => ui.status(format!(
                "{version} is already installed in {} (use --force to reinstall)",
                tildify(&store.version_dir(&version))
            )),
        }
    }
    match crate::switch::shim_files::ensure_shims(store) {
        Ok(true) => ui.status(format!(
            "Created the go and gofmt shims in {} (put it on PATH, or load a shell hook: see `gvmr hook --help`)",
            tildify(&store.shims_dir())
        )),
        Ok(false) => {}
        Err(e) => ui.warn(format!("the go/gofmt shims were not created: {e}")),
    }
    Ok(())
}

/// What the current directory selects, as requests for `gvmr install`
/// (one, or `latest oldstable`: see [`Requirement::install_argument`]).
///
/// [`Requirement::install_argument`]: gvmr_shim::select::Requirement::install_argument
fn selected_requests(
    settings: &Settings,
    store: &Store,
    ui: &Ui,
) -> Result<Vec<VersionRequest>, Error> {
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
    if resolved.system.is_some() {
        return Err(Error::SystemSelected {
            selected_by: resolved.selection.source.to_string(),
            action: "install",
        });
    }
    let argument = resolved.install_argument();
    let requests: Vec<&str> = argument.split(' ').collect();
    // The last request is the selection's own (`latest` only helps `oldstable`).
    let own = requests.last().copied().unwrap_or_default();
    ui.status(format!("{} selects {own}", resolved.selection.source));
    Ok(requests
        .into_iter()
        .map(VersionRequest::parse)
        .collect::<Result<_, _>>()?)
}

/// The one installed version `text` names; a partial version must be unambiguous.
fn installed_version(store: &Store, text: &str) -> Result<GoVersion, Error> {
    let request = VersionRequest::parse(text)?;
    let installed = store.installed()?;
    let matching: Vec<GoVersion> = installed
        .iter()
        .filter(|v| match request {
            VersionRequest::Exact(want) => **v == want,
            VersionRequest::Line { major, minor } => v.in_line(major, minor),
            VersionRequest::Latest | VersionRequest::OldStable | VersionRequest::System => false,
        })
        .copied()
        .collect();
    match matching.as_slice() {
        [one] => Ok(*one),
        [] => Err(SwitchError::NotInstalled {
            version: request.to_string(),
            installed,
        }
        .into()),
        many => Err(Error::Usage(format!(
            "{text} matches {}; name one",
            many.iter()
                .map(|v| v.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

pub fn uninstall(store: &Store, ui: &Ui, versions: &[String]) -> Result<(), Error> {
    for text in versions {
        let version = installed_version(store, text)?;
        remove_installed(store, ui, &version)?;
    }
    Ok(())
}

/// Removes an installed version with its manifest and its cached downloads
/// (archive, signature, partial, module zip), saying so; returns the bytes
/// freed (0 when another gvmr removed it meanwhile).
pub(super) fn remove_installed(store: &Store, ui: &Ui, version: &GoVersion) -> Result<u64, Error> {
    let _lock = store.lock_version(version, || {
        ui.status(format!("Waiting for another gvmr that is using {version}…"))
    })?;
    if !store.is_installed(version) {
        return Ok(0); // removed while we waited
    }
    let size = store.version_size(version);
    store.remove_version(version)?;
    crate::store::manifest::forget(store, version);
    crate::install::refresh_sdk_links(store, ui);
    let cached = store.forget_downloads(version)?;
    let freed = ui::bytes(size + cached);
    ui.status(if cached > 0 {
        format!("Uninstalled {version} and its cached download ({freed} freed)")
    } else {
        format!("Uninstalled {version} ({freed} freed)")
    });
    Ok(size + cached)
}

/// The install options from the command line.
pub fn options(
    force: bool,
    skip_signature: bool,
    platform: Option<Platform>,
    archive: Option<PathBuf>,
    source: Source,
    default_packages: bool,
) -> InstallOptions {
    InstallOptions {
        force,
        source,
        skip_signature,
        platform: platform.unwrap_or_else(Platform::host),
        archive,
        default_packages,
        first_becomes_default: true,
    }
}
