//! `gvmr upgrade`: the version file that selects here (or, with
//! `--default`, the default) moved to the newest patch of its Go line,
//! installed first so the file never names a version that is not there.
//!
//! A pinned patch (`1.22.3` in `.go-version`, `.tool-versions` (of a
//! fallback list, the first entry; the rest stays as written), the default,
//! or go.mod's `toolchain go1.22.3`) is rewritten in place. A file that
//! asks for a line (`1.22`), `latest`, or a minimum (go.mod's `go 1.22.0`)
//! is left as it is: the newest patch is installed, and it then selects it.

use crate::error::Error;
use crate::install::{InstallOptions, Installer};
use crate::release::platform::Platform;
use crate::release::support::Support;
use crate::settings::Settings;
use crate::store::Store;
use crate::switch::selection::{current_dir, look_here};
use crate::switch::version_file;
use crate::ui::{Ui, tildify};
use gvmr_shim::select::{Requirement, Selection, Source, parse_go_version_file};
use gvmr_shim::{GoVersion, VersionRequest};
use std::path::PathBuf;

pub fn upgrade(
    settings: &Settings,
    store: &Store,
    ui: &Ui,
    default: bool,
    default_packages: bool,
) -> Result<(), Error> {
    let (file, requirement) = if default {
        default_selection(store)?
    } else {
        project_selection(settings, store)?
    };
    let installer = Installer::new(store, ui, settings)?;
    let support = Support::from_listing(installer.listing()?);
    let shown = tildify(&file);
    // What the file asks for (a fallback list: its first entry).
    let asked = match &requirement {
        Requirement::Request(request) => *request,
        Requirement::FirstInstalled(list) => list[0],
        Requirement::AtLeast(min) => VersionRequest::Exact(min.version),
    };
    let current = match asked {
        VersionRequest::Exact(v) => v,
        VersionRequest::Line { major, minor } => GoVersion::new(major, minor, 0),
        VersionRequest::System => {
            return Err(Error::SystemSelected {
                selected_by: shown,
                action: "upgrade",
            });
        }
        alias => installer
            .listing()?
            .resolve(&alias, &Platform::host())
            .map(|release| release.version)
            .ok_or(Error::NoRelease { alias })?,
    };
    let Some(newest) = support.newest_in_line(&current) else {
        ui.status(format!(
            "{shown} selects {requirement}, and Go {}.{} has no release yet: nothing to upgrade to",
            current.major, current.minor
        ));
        return Ok(());
    };
    // A pinned patch: the version itself, or the first entry of a fallback
    // list (the one `.tool-versions` selects once it is installed).
    let pinned = match &requirement {
        Requirement::Request(VersionRequest::Exact(v)) => Some(*v),
        Requirement::FirstInstalled(list) => match list.first() {
            Some(VersionRequest::Exact(v)) => Some(*v),
            _ => None,
        },
        _ => None,
    };
    if pinned.is_some_and(|v| v >= newest) {
        ui.status(format!(
            "{newest} is already the newest {}.{} release ({shown})",
            newest.major, newest.minor
        ));
        if support.past_end_of_support(&newest) {
            ui.warn(format!(
                "Go {}.{} is past the end of support (supported: {}); moving to a supported line is up to you, e.g. `gvmr use {}`",
                newest.major,
                newest.minor,
                support.supported_lines().join(" and "),
                support.supported_lines().first().map_or("latest", String::as_str)
            ));
        }
        return Ok(());
    }

    let options = InstallOptions {
        default_packages,
        ..InstallOptions::for_host(settings.source()?)
    };
    let request = VersionRequest::Exact(newest);
    installer.install(Some(&request), &options)?;

    let Some(old) = pinned else {
        let how = match requirement {
            Requirement::AtLeast(_) => format!(
                "; go.mod's go line is a minimum and stays as it is (to pin the patch: `go mod edit -toolchain={newest}`)"
            ),
            _ => String::new(),
        };
        ui.status(format!(
            "{shown} asks for {requirement}: {newest}, the newest {}.{} release, is installed and selected{how}",
            newest.major, newest.minor
        ));
        return Ok(());
    };
    if !version_file::rewrite(&file, &newest)? {
        return Err(Error::PinNotFound {
            path: file,
            old,
            new: newest,
        });
    }
    if default {
        crate::install::refresh_sdk_links(store, ui);
    } else {
        let requirement = match requirement {
            Requirement::FirstInstalled(mut list) => {
                list[0] = request;
                Requirement::FirstInstalled(list)
            }
            _ => Requirement::Request(request),
        };
        store.remember_project(&Selection {
            requirement,
            source: Source::File(file.clone()),
            module: None,
            default: None,
        });
    }
    ui.status(format!("{old} → {newest} in {shown}"));
    ui.status(format!(
        "{old} stays installed; `gvmr prune` removes the versions nothing selects"
    ));
    Ok(())
}

/// The default file and what it asks for.
fn default_selection(store: &Store) -> Result<(PathBuf, Requirement), Error> {
    let path = store.default_file();
    let text = std::fs::read_to_string(&path).map_err(|_| Error::NoDefault)?;
    let file = parse_go_version_file(&text, &path)
        .map_err(crate::switch::SwitchError::from)?
        .ok_or(Error::NoDefault)?;
    Ok((path, Requirement::Request(file.request)))
}

/// The version file that selects here and what it asks for.
fn project_selection(settings: &Settings, store: &Store) -> Result<(PathBuf, Requirement), Error> {
    let resolved = look_here(
        &settings.selection,
        store,
        &current_dir(&settings.selection)?,
    )
    .resolved?;
    match resolved.selection.source {
        Source::File(path) => Ok((path, resolved.selection.requirement)),
        Source::Env => Err(Error::Usage(
            "GVMR_GO_VERSION selects the version here, and gvmr upgrade only edits version files; change or unset GVMR_GO_VERSION".into(),
        )),
        Source::Default(_) => Err(Error::Usage(
            "no version file selects the version here, the default does: run `gvmr upgrade --default`, or pin this directory with `gvmr use`".into(),
        )),
    }
}
