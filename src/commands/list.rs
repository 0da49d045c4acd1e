//! `gvmr list` (installed versions) and `gvmr list-remote` (releases).

use crate::error::Error;
use crate::release::listing::LazyListing;
use crate::settings::Settings;
use crate::store::Store;
use crate::ui::Ui;
use gvmr_shim::GoVersion;
use serde_json::json;

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
