//! `gvmr mirror sync`: what to mirror from the command line, the sync
//! ([`crate::install::mirror`]), then what it did on stdout, as a table or
//! as JSON, and every archive that failed as one error.

use crate::error::Error;
use crate::install::Installer;
use crate::install::mirror::{Action, SyncOptions, SyncReport};
use crate::release::platform::Platform;
use crate::settings::Settings;
use crate::store::Store;
use crate::switch::SwitchError;
use crate::ui::Ui;
use gvmr_shim::VersionRequest;
use serde_json::json;
use std::io::Write;
use std::path::Path;

pub struct SyncArgs<'a> {
    pub dir: &'a Path,
    /// None: the newest stable release.
    pub versions: &'a [String],
    /// None: this machine's.
    pub platforms: &'a [Platform],
    pub dry_run: bool,
    pub json: bool,
}

pub fn sync(settings: &Settings, store: &Store, ui: &Ui, args: SyncArgs) -> Result<(), Error> {
    let requests: Vec<VersionRequest> = if args.versions.is_empty() {
        vec![VersionRequest::Latest]
    } else {
        args.versions
            .iter()
            .map(|v| VersionRequest::parse(v))
            .collect::<Result<_, _>>()?
    };
    let mut platforms: Vec<Platform> = Vec::new();
    for platform in args.platforms {
        if !platforms.contains(platform) {
            platforms.push(platform.clone());
        }
    }
    if platforms.is_empty() {
        platforms.push(Platform::host());
    }
    if args.dir.as_os_str().is_empty() {
        return Err(Error::Usage("the mirror directory is an empty path".into()));
    }
    // Fails only when the current directory cannot be read.
    let dir = std::path::absolute(args.dir).map_err(SwitchError::WorkingDir)?;

    let installer = Installer::new(store, ui, settings)?;
    let report = installer.sync_mirror(&SyncOptions {
        dir: &dir,
        requests: &requests,
        platforms: &platforms,
        dry_run: args.dry_run,
    })?;
    let shown = if args.json {
        format!("{:#}\n", as_json(&report))
    } else {
        as_table(&report)
    };
    // A closed stdout (`| head`) must not turn a finished sync into a panic.
    let _ = std::io::stdout().lock().write_all(shown.as_bytes());

    let total = report.archives.len();
    let failures: Vec<(String, Error)> = report
        .archives
        .into_iter()
        .filter_map(|archive| {
            let what = archive
                .file
                .unwrap_or_else(|| format!("{} for {}", archive.request, archive.platform));
            archive.outcome.err().map(|error| (what, error))
        })
        .collect();
    if failures.is_empty() {
        Ok(())
    } else {
        Err(Error::MirrorIncomplete {
            dir: report.dir,
            total,
            failures,
        })
    }
}

fn action_name(action: Action) -> &'static str {
    match action {
        Action::Fetched => "fetched",
        Action::Kept => "kept",
        Action::Replaced => "replaced",
        Action::WouldFetch => "would fetch",
        Action::WouldKeep => "would keep",
        Action::WouldReplace => "would replace",
    }
}

/// One line per archive (`fetched`, `kept`, `replaced`, `failed`,
/// `removed`), then what the index lists.
fn as_table(report: &SyncReport) -> String {
    let mut out = String::new();
    let mut line = |what: &str, name: &str| out.push_str(&format!("{what:<12} {name}\n"));
    for archive in &report.archives {
        match (&archive.outcome, &archive.file) {
            (Ok((action, entry)), _) => line(action_name(*action), &entry.file_name),
            (Err(_), Some(file)) => line("failed", file),
            (Err(_), None) => line(
                "failed",
                &format!("{} for {}", archive.request, archive.platform),
            ),
        }
    }
    let removed = if report.dry_run {
        "would remove"
    } else {
        "removed"
    };
    for name in &report.removed {
        line(removed, name);
    }
    let releases = count_releases(report);
    let lists = if report.dry_run {
        "would list"
    } else {
        "lists"
    };
    out.push_str(&format!(
        "{} {lists} {releases} release{}, {} archive{}\n",
        report.index_path().display(),
        plural(releases),
        report.listed.len(),
        plural(report.listed.len()),
    ));
    out
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn count_releases(report: &SyncReport) -> usize {
    let mut versions: Vec<_> = report.listed.iter().map(|e| e.version).collect();
    versions.sort();
    versions.dedup();
    versions.len()
}

fn as_json(report: &SyncReport) -> serde_json::Value {
    let archives: Vec<serde_json::Value> = report
        .archives
        .iter()
        .map(|archive| {
            let mut row = json!({
                "request": archive.request,
                "platform": archive.platform.to_string(),
            });
            if let Some(file) = &archive.file {
                row["file"] = json!(file);
            }
            match &archive.outcome {
                Ok((action, entry)) => {
                    row["action"] = json!(action_name(*action).replace(' ', "-"));
                    row["version"] = json!(entry.version.to_string());
                    row["sha256"] = json!(entry.sha256);
                    if !matches!(action, Action::WouldFetch | Action::WouldReplace) {
                        row["size"] = json!(entry.size);
                    }
                }
                Err(error) => {
                    row["action"] = json!("failed");
                    row["error"] = json!(error.to_string());
                }
            }
            row
        })
        .collect();
    json!({
        "dir": report.dir,
        "dry_run": report.dry_run,
        "archives": archives,
        "removed": report.removed,
        "index": {
            "path": report.index_path(),
            "releases": count_releases(report),
            "archives": report.listed.len(),
        },
    })
}
