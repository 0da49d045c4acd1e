//! Disk use: `gvmr cache` (what the downloads and listing caches hold),
//! `gvmr cache clean`, and `gvmr prune` (installed versions nothing selects).

use super::install::remove_installed;
use super::list::{COUNTED_NOTE, align, selector_budget, widest};
use crate::error::Error;
use crate::release::listing::humanize;
use crate::settings::Settings;
use crate::store::Store;
use crate::store::downloads::CachedFile;
use crate::switch::selection::{current_dir, look_here};
use crate::switch::usage::{describe, usage};
use crate::ui::{self, Ui, tildify};
use gvmr_shim::GoVersion;
use serde_json::json;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::SystemTime;

fn total(files: &[CachedFile]) -> u64 {
    files.iter().map(|f| f.bytes).sum()
}

fn files_and_size(files: &[CachedFile]) -> String {
    let n = files.len();
    format!(
        "{n} file{}, {}",
        if n == 1 { "" } else { "s" },
        ui::bytes(total(files))
    )
}

fn age(file: &CachedFile) -> Option<std::time::Duration> {
    file.modified
        .and_then(|t| SystemTime::now().duration_since(t).ok())
}

/// `gvmr cache [--json]`.
pub fn cache(store: &Store, json: bool) -> Result<(), Error> {
    let installed = store.installed()?;
    let downloads = store.cached_downloads()?;
    let listings = store.cached_listings()?;
    let is_installed = |f: &CachedFile| f.version.is_some_and(|v| installed.contains(&v));
    if json {
        let value = json!({
            "downloads": {
                "path": store.downloads_dir(),
                "bytes": total(&downloads),
                "files": downloads.iter().map(|f| json!({
                    "name": f.name,
                    "bytes": f.bytes,
                    "version": f.version.map(|v| v.to_string()),
                    "installed": is_installed(f),
                })).collect::<Vec<_>>(),
            },
            "listing": {
                "path": store.cache_dir(),
                "bytes": total(&listings),
                "files": listings.iter().map(|f| json!({
                    "name": f.name,
                    "bytes": f.bytes,
                    "age_seconds": age(f).map(|a| a.as_secs()),
                })).collect::<Vec<_>>(),
            },
        });
        ui::outln(serde_json::to_string_pretty(&value).expect("JSON values serialize"))?;
        return Ok(());
    }
    let mut text = format!(
        "Downloads in {} ({}):\n",
        tildify(&store.downloads_dir()),
        files_and_size(&downloads)
    );
    let rows: Vec<[String; 4]> = downloads
        .iter()
        .map(|f| {
            let note = match f.version {
                Some(v) if is_installed(f) => format!("{v}"),
                Some(v) => format!("{v}, not installed"),
                None => String::new(),
            };
            [
                format!("  {}", f.name),
                ui::bytes(f.bytes),
                note,
                String::new(),
            ]
        })
        .collect();
    text.push_str(&align(&rows));
    text.push_str(&format!(
        "Release listing in {} ({}):\n",
        tildify(&store.cache_dir()),
        files_and_size(&listings)
    ));
    let rows: Vec<[String; 4]> = listings
        .iter()
        .map(|f| {
            let fetched = age(f).map_or(String::new(), |a| format!("fetched {} ago", humanize(a)));
            [
                format!("  {}", f.name),
                ui::bytes(f.bytes),
                fetched,
                String::new(),
            ]
        })
        .collect();
    text.push_str(&align(&rows));
    let cleanable: Vec<CachedFile> = downloads
        .iter()
        .filter(|f| f.version.is_some() && !is_installed(f))
        .cloned()
        .collect();
    if !cleanable.is_empty() {
        text.push_str(&format!(
            "`gvmr cache clean` frees {} (the downloads of versions that are not installed)\n",
            ui::bytes(total(&cleanable))
        ));
    }
    ui::out(text)?;
    Ok(())
}

/// `gvmr cache clean [--all]`: each version's files are removed under its
/// lock, so a download in progress is never pulled from under an install.
pub fn cache_clean(store: &Store, ui: &Ui, all: bool) -> Result<(), Error> {
    let mut by_version: BTreeMap<GoVersion, Vec<CachedFile>> = BTreeMap::new();
    let mut others = Vec::new();
    for file in store.cached_downloads()? {
        match file.version {
            Some(v) => by_version.entry(v).or_default().push(file),
            None => others.push(file),
        }
    }
    let mut freed = 0;
    for (version, files) in &by_version {
        if !all && store.is_installed(version) {
            continue;
        }
        let Some(_lock) = store.try_lock_version(version)? else {
            ui.status(format!(
                "Kept the cached download of {version}: another gvmr is installing it"
            ));
            continue;
        };
        if !all && store.is_installed(version) {
            continue; // installed while we looked
        }
        let removed = store.remove_cached(files)?;
        freed += removed;
        ui.status(format!(
            "Removed the cached download of {version} ({})",
            files_and_size(files)
        ));
    }
    if all {
        for (what, files) in [
            ("other cached downloads", others),
            ("the cached release listing", store.cached_listings()?),
        ] {
            if !files.is_empty() {
                freed += store.remove_cached(&files)?;
                ui.status(format!("Removed {what} ({})", files_and_size(&files)));
            }
        }
    }
    if freed > 0 {
        ui.status(format!("Freed {}", ui::bytes(freed)));
    } else if all {
        ui.status("Nothing to remove: the caches are empty");
    } else {
        ui.status("Nothing to remove: every cached download belongs to an installed version (`gvmr cache clean --all` removes those too)");
    }
    Ok(())
}

/// `gvmr prune [--dry-run] [--yes]`.
pub fn prune(
    settings: &Settings,
    store: &Store,
    ui: &Ui,
    dry_run: bool,
    yes: bool,
) -> Result<(), Error> {
    // The project here counts as seen, as `gvmr current` would record it.
    if let Ok(resolved) = look_here(
        &settings.selection,
        store,
        &current_dir(&settings.selection)?,
    )
    .resolved
    {
        store.remember_project(&resolved.selection);
    }
    let installed = store.installed()?;
    let usage = usage(store, &settings.selection, &installed);
    for warning in &usage.warnings {
        ui.warn(warning);
    }
    let sizes: Vec<u64> = installed.iter().map(|v| store.version_size(v)).collect();
    // One version per line at the terminal's width (see `gvmr list`).
    let budget = selector_budget(
        widest(installed.iter().map(|v| v.to_string()))
            + 2
            + widest(sizes.iter().map(|b| ui::bytes(*b)))
            + 2
            + "keep: ".len(),
    );
    let why_unselected = |version: &GoVersion| {
        let gone: Vec<String> = usage
            .gone
            .iter()
            .filter(|g| g.selected.as_ref() == Some(version))
            .map(|g| tildify(&g.file))
            .collect();
        let those = if gone.len() == 1 {
            "that file is"
        } else {
            "those files are"
        };
        let named = format!("only {} selected it, and {those} gone", gone.join(" and "));
        match gone.len() {
            0 => "nothing selects it".to_string(),
            n if n > 1
                && budget.is_some_and(|b| {
                    named.chars().count() + "remove: ".len() > b + "keep: ".len()
                }) =>
            {
                format!("only {n} projects selected it, and {those} gone")
            }
            _ => named,
        }
    };
    let mut doomed = Vec::new();
    let mut rows = Vec::new();
    let mut counted = false;
    for (version, bytes) in installed.iter().zip(sizes) {
        let selectors = usage.selectors_of(version);
        let verdict = if selectors.is_empty() {
            doomed.push((*version, bytes));
            format!("remove: {}", why_unselected(version))
        } else {
            let (names, short) = describe(selectors, budget);
            counted |= short;
            format!("keep: {names}")
        };
        rows.push([
            version.to_string(),
            ui::bytes(bytes),
            verdict,
            String::new(),
        ]);
    }
    ui::out(align(&rows))?;
    if counted {
        ui.note(COUNTED_NOTE);
    }
    let gone: Vec<_> = usage.gone.iter().map(|g| g.file.clone()).collect();
    let size = ui::bytes(doomed.iter().map(|(_, b)| b).sum());
    let count = match doomed.len() {
        1 => "1 version".to_string(),
        n => format!("{n} versions"),
    };
    if doomed.is_empty() {
        ui.status(if installed.is_empty() {
            "Nothing to prune: no version is installed"
        } else {
            "Nothing to prune: the default or a known project selects every installed version"
        });
    } else if dry_run {
        ui.status(format!("Dry run: would remove {count} ({size})"));
    } else if !yes {
        match ui.confirm(&format!("Remove {count} ({size})?")) {
            None => {
                return Err(Error::NotConfirmed(format!(
                    "gvmr prune would remove {count} ({size}) but asks first"
                )));
            }
            Some(false) => {
                ui.status("Nothing removed");
                return Ok(());
            }
            Some(true) => {}
        }
    }
    if dry_run {
        return Ok(()); // not even the gone projects are forgotten
    }
    let mut freed = 0;
    for (version, _) in &doomed {
        freed += remove_installed(store, ui, version)?;
    }
    if !gone.is_empty() {
        store.forget_projects(&gone)?;
        forgot(ui, &gone);
    }
    if freed > 0 {
        ui.status(format!("Freed {}", ui::bytes(freed)));
    }
    Ok(())
}

/// Says which recorded projects were dropped because their file is gone.
fn forgot(ui: &Ui, gone: &[PathBuf]) {
    let names: Vec<String> = gone.iter().map(|p| tildify(p)).collect();
    ui.status(format!(
        "Forgot {} whose version file is gone: {}",
        if gone.len() == 1 {
            "1 project"
        } else {
            "the projects"
        },
        names.join(", ")
    ));
}
