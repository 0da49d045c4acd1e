//! `gvmr list` (installed versions: size, what selects them, newer patches
//! and end of support from the cached listing) and `gvmr list-remote`
//! (releases).

use crate::error::Error;
use crate::release::listing::{self, LazyListing};
use crate::release::support::Support;
use crate::settings::Settings;
use crate::store::Store;
use crate::switch::usage::{Selector, describe, usage};
use crate::ui::{self, Ui};
use gvmr_shim::{GoVersion, VersionRequest};
use serde_json::json;

pub fn list(settings: &Settings, store: &Store, ui: &Ui, json: bool) -> Result<(), Error> {
    let installed = store.installed()?;
    let usage = usage(store, &settings.selection, &installed);
    for warning in &usage.warnings {
        ui.warn(warning);
    }
    // The cached listing only: `list` never waits on the network.
    let support = listing::cached(&store.cache_dir(), &settings.index_urls)
        .map(|listing| Support::from_listing(&listing));
    let rows: Vec<Row> = installed
        .iter()
        .map(|version| Row {
            version: *version,
            bytes: store.version_size(version),
            selectors: usage.selectors_of(version).to_vec(),
            newer_patch: support.as_ref().and_then(|s| s.newer_patch(version)),
            end_of_support: support.as_ref().map(|s| s.past_end_of_support(version)),
        })
        .collect();
    if json {
        let rows: Vec<_> = rows
            .iter()
            .map(|row| {
                json!({
                    "version": row.version.to_string(),
                    "path": store.version_dir(&row.version),
                    "size_bytes": row.bytes,
                    "selected_by": row.selectors.iter().map(selector_json).collect::<Vec<_>>(),
                    "newer_patch": row.newer_patch.map(|v| v.to_string()),
                    "end_of_support": row.end_of_support,
                })
            })
            .collect();
        ui::outln(serde_json::Value::Array(rows).to_string())?;
        return Ok(());
    }
    // One version per line at the terminal's width: what selects a version
    // gets what the other columns leave ("default, 3 projects" when every
    // project does not fit; --json names them all).
    let marks: Vec<String> = rows.iter().map(Row::marks).collect();
    let marks_width = match widest(marks.iter().cloned()) {
        0 => 0,
        n => n + 2,
    };
    let budget = selector_budget(
        widest(rows.iter().map(|r| r.version.to_string()))
            + 2
            + widest(rows.iter().map(|r| ui::bytes(r.bytes)))
            + 2
            + marks_width,
    );
    let mut counted = false;
    let lines: Vec<[String; 4]> = rows
        .iter()
        .zip(marks)
        .map(|(row, marks)| {
            let (selectors, short) = describe(&row.selectors, budget);
            counted |= short;
            [
                row.version.to_string(),
                ui::bytes(row.bytes),
                selectors,
                marks,
            ]
        })
        .collect();
    ui::out(align(&lines))?;
    if counted {
        ui.note(COUNTED_NOTE);
    }
    Ok(())
}

/// Said when a count stands for the projects that select a version.
pub(super) const COUNTED_NOTE: &str = "`gvmr list --json` names every project a count stands for";

/// The widest of `cells`, in characters.
pub(super) fn widest(cells: impl Iterator<Item = String>) -> usize {
    cells.map(|c| c.chars().count()).max().unwrap_or(0)
}

/// What the terminal's width leaves for what selects a version once
/// `taken` columns are used; `None` when stdout is not a terminal.
pub(super) fn selector_budget(taken: usize) -> Option<usize> {
    ui::stdout_width().map(|width| width.saturating_sub(taken))
}

/// One installed version as `gvmr list` shows it.
struct Row {
    version: GoVersion,
    bytes: u64,
    selectors: Vec<Selector>,
    newer_patch: Option<GoVersion>,
    /// `None` without a cached listing.
    end_of_support: Option<bool>,
}

impl Row {
    /// The marks in brackets: a newer patch, the end of support.
    fn marks(&self) -> String {
        let mut marks = Vec::new();
        if let Some(newer) = self.newer_patch {
            marks.push(format!("{newer} available"));
        }
        if self.end_of_support == Some(true) {
            marks.push("end of support".to_string());
        }
        if marks.is_empty() {
            String::new()
        } else {
            format!("[{}]", marks.join(", "))
        }
    }
}

/// A selector in JSON: `default`, `GVMR_GO_VERSION`, or the version file.
fn selector_json(selector: &Selector) -> String {
    match selector {
        Selector::Project(path) => path.display().to_string(),
        other => other.to_string(),
    }
}

/// Rows as aligned columns (the second right-aligned), two spaces apart;
/// a column empty in every row takes no room, and no line ends in blanks.
pub(super) fn align(rows: &[[String; 4]]) -> String {
    let width = |i: usize| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0);
    let widths = [width(0), width(1), width(2), width(3)];
    let mut text = String::new();
    for row in rows {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            if widths[i] == 0 {
                continue;
            }
            if !line.is_empty() {
                line.push_str("  ");
            }
            let pad = " ".repeat(widths[i] - cell.chars().count());
            if i == 1 {
                line.push_str(&pad);
                line.push_str(cell);
            } else {
                line.push_str(cell);
                line.push_str(&pad);
            }
        }
        text.push_str(line.trim_end());
        text.push('\n');
    }
    text
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
    settings: &Settings,
    store: &Store,
    ui: &Ui,
    prefix: Option<&str>,
    all: bool,
    json: bool,
) -> Result<(), Error> {
    let listing = LazyListing::new(
        settings.http(ui)?,
        store.cache_dir(),
        ui,
        &settings.index_urls,
    );
    let alias = prefix.and_then(|p| VersionRequest::parse(p).ok());
    if alias == Some(VersionRequest::System) {
        return Err(Error::Usage(
            "system means the Go on PATH outside gvmr; it is not in the release listing".into(),
        ));
    }
    let alias = alias.filter(VersionRequest::is_alias);
    let listing = listing.get().map_err(|e| Error::Listing(e.clone()))?;
    let installed = store.installed()?;
    // `stable`/`latest`/`oldstable`: the one release the alias names.
    let aliased = alias.map(|alias| {
        let stable: Vec<GoVersion> = listing
            .releases
            .iter()
            .filter(|r| r.stable)
            .map(|r| r.version)
            .collect();
        alias.best_match(&stable)
    });
    let releases = listing
        .releases
        .iter()
        .filter(|r| all || r.stable)
        .filter(|r| match aliased {
            Some(named) => named == Some(r.version),
            None => prefix.is_none_or(|p| has_prefix(&r.version, p)),
        });
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
        ui::outln(serde_json::Value::Array(rows).to_string())?;
    } else {
        for release in releases {
            let mark = if installed.contains(&release.version) {
                "  (installed)"
            } else {
                ""
            };
            ui::outln(format!("{}{mark}", release.version))?;
        }
    }
    Ok(())
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
