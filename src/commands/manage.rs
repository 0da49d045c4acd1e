//! Managing installed versions: install, list, list-remote, uninstall.

use crate::error::Error;
use crate::http::Http;
use crate::install::{InstallOptions, Installer, Outcome, Source};
use crate::listing::LazyListing;
use crate::platform::Platform;
use crate::store::Store;
use crate::ui::{Ui, tildify};
use gvmr_select::{GoVersion, VersionRequest};
use serde_json::json;
use std::path::PathBuf;

pub fn install(
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
        vec![selected_request(store, ui)?]
    } else {
        requests
    };
    if requests.len() > 1 && options.archive.is_some() {
        return Err(Error::Usage("--archive installs one version".into()));
    }
    let installer = Installer::new(store, ui)?;
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
    match crate::shims::ensure_shims(store) {
        Ok(true) => ui.status(format!(
            "Created the go and gofmt shims in {} (put it on PATH, or load a shell hook: see `gvmr hook --help`)",
            tildify(&store.shims_dir())
        )),
        Ok(false) => {}
        Err(e) => ui.warn(format!("the go/gofmt shims were not created: {e}")),
    }
    Ok(())
}

/// What the current directory selects, as a request for `gvmr install`.
fn selected_request(store: &Store, ui: &Ui) -> Result<VersionRequest, Error> {
    let resolved = crate::selection::resolve_in(store, &crate::selection::current_dir()?)?;
    let argument = resolved.install_argument();
    ui.status(format!("{} selects {argument}", resolved.selection.source));
    Ok(VersionRequest::parse(&argument)?)
}

pub fn list(store: &Store, json: bool) -> Result<(), Error> {
    let installed = store.installed()?;
    if json {
        let rows: Vec<_> = installed
            .iter()
            .map(|v| json!({"version": v.to_string(), "path": store.version_dir(v)}))
            .collect();
        println!("{}", serde_json::Value::Array(rows));
    } else {
        for version in installed {
            println!("{version}");
        }
    }
    Ok(())
}

/// True when `version` is `prefix` or starts with it at a component boundary
/// (`1.22` matches go1.22.5 and go1.22rc1, not go1.225).
fn has_prefix(version: &GoVersion, prefix: &str) -> bool {
    let number = version.number();
    let prefix = prefix.trim().trim_start_matches("go");
    match number.strip_prefix(prefix) {
        Some(rest) => {
            rest.is_empty()
                || rest.starts_with('.')
                || rest.starts_with("rc")
                || rest.starts_with("beta")
        }
        None => false,
    }
}

pub fn list_remote(
    store: &Store,
    ui: &Ui,
    prefix: Option<&str>,
    all: bool,
    json: bool,
) -> Result<(), Error> {
    let listing = LazyListing::new(Http::new(), store.cache_dir(), ui);
    let listing = listing.get().map_err(|e| Error::Listing(e.clone()))?;
    let installed = store.installed()?;
    let releases = listing
        .releases
        .iter()
        .filter(|r| all || r.stable)
        .filter(|r| prefix.is_none_or(|p| has_prefix(&r.version, p)));
    if json {
        let rows: Vec<_> = releases
            .map(|r| {
                json!({
                    "version": r.version.to_string(),
                    "stable": r.stable,
                    "installed": installed.contains(&r.version),
                })
            })
            .collect();
        println!("{}", serde_json::Value::Array(rows));
    } else {
        for release in releases {
            let mark = if installed.contains(&release.version) {
                "  (installed)"
            } else {
                ""
            };
            println!("{}{mark}", release.version);
        }
    }
    Ok(())
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
            VersionRequest::Latest => false,
        })
        .copied()
        .collect();
    match matching.as_slice() {
        [one] => Ok(*one),
        [] => Err(Error::NotInstalled {
            version: request.to_string(),
            installed,
        }),
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
        let _lock = store.lock_version(&version, || {
            ui.status(format!("Waiting for another gvmr that is using {version}…"))
        })?;
        if !store.is_installed(&version) {
            continue; // removed while we waited
        }
        store.remove_version(&version)?;
        crate::doctor::manifest::forget(store, &version);
        ui.status(format!("Uninstalled {version}"));
    }
    Ok(())
}

/// The install options from the command line.
pub fn install_options(
    force: bool,
    skip_signature: bool,
    platform: Option<Platform>,
    archive: Option<PathBuf>,
    source: Source,
) -> InstallOptions {
    InstallOptions {
        force,
        source,
        skip_signature,
        platform: platform.unwrap_or_else(Platform::host),
        archive,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_match_at_component_boundaries() {
        let v = |s: &str| GoVersion::parse(s).unwrap();
        assert!(has_prefix(&v("go1.22.5"), "1.22"));
        assert!(has_prefix(&v("go1.22.5"), "go1.22"));
        assert!(has_prefix(&v("go1.22rc1"), "1.22"));
        assert!(has_prefix(&v("go1.22.5"), "1.22.5"));
        assert!(!has_prefix(&v("go1.225.0"), "1.22"));
        assert!(!has_prefix(&v("go1.2.2"), "1.22"));
        assert!(has_prefix(&v("go1.2.2"), "1.2"));
    }
}
