//! `gvmr mirrors`: the release listings and archive mirrors of this run, in
//! the order they are tried, with where each came from; `--check` probes
//! them all in parallel (the probe `gvmr doctor` uses) and asks each mirror
//! for the newest release's archive, `.sha256` and `.asc`, within 10 s
//! whatever hangs.

use super::Finished;
use crate::error::Error;
use crate::net::goproxy::redact_list;
use crate::net::http::Http;
use crate::net::probe::{Kind, Probe, Timeouts, check_files, credentials_for, probe_all};
use crate::net::sources::Sourced;
use crate::release::listing::{self, Listing};
use crate::release::platform::{ArchiveFormat, Platform};
use crate::settings::{Settings, origin_words};
use crate::store::Store;
use crate::ui::{self, Status, Ui};
use serde_json::json;
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Everything `--check` does ends within this (the command within 10 s).
const CHECK_BUDGET: Duration = Duration::from_millis(9000);
const DNS_TIMEOUT: Duration = Duration::from_secs(2);

pub fn mirrors(
    settings: &Settings,
    store: &Store,
    ui: &Ui,
    check: bool,
    json: bool,
) -> Result<Finished, Error> {
    let sources = settings.sources()?;
    let http = settings.http(ui)?;
    if !check {
        let credentials = |s: &Sourced| credentials_for(http.credentials(), &s.url);
        let text = if json {
            let rows = |list: &[Sourced]| -> Vec<serde_json::Value> {
                list.iter()
                    .map(|s| json!({"url": s.url, "origin": s.origin, "credentials": credentials(s)}))
                    .collect()
            };
            let go = |name: &str| {
                let value = settings.go.get(name);
                json!({"value": redact_list(&value.value), "origin": value.origin.kind()})
            };
            let value = json!({
                "listings": rows(&sources.listings),
                "archives": rows(&sources.archives),
                "goproxy": go("GOPROXY"),
                "gosumdb": go("GOSUMDB"),
            });
            format!("{value:#}\n")
        } else {
            let mut out = String::new();
            for (title, list) in [
                ("Release listings", &sources.listings),
                ("Archive mirrors", &sources.archives),
            ] {
                out.push_str(&format!("{title}, tried in order:\n"));
                for source in list {
                    let creds = credentials(source)
                        .map(|c| format!("; credentials from {c}"))
                        .unwrap_or_default();
                    out.push_str(&format!("  {}  ({}{creds})\n", source.url, source.origin));
                }
            }
            // Where `--source proxy` and `auto` get toolchains.
            for (title, name) in [
                ("Module proxies for --source proxy/auto", "GOPROXY"),
                ("Checksum database for --source proxy/auto", "GOSUMDB"),
            ] {
                let value = settings.go.get(name);
                out.push_str(&format!(
                    "{title} ({name}; {}):\n  {}\n",
                    origin_words(&value.origin),
                    redact_list(&value.value)
                ));
            }
            out
        };
        ui::out(&text)?;
        return Ok(Finished::Success);
    }

    let started = Instant::now();
    let deadline = started + CHECK_BUDGET;
    let newest = newest_release(&http, store, settings);
    let timeouts = Timeouts {
        dns: DNS_TIMEOUT,
        connect: http.connect_timeout(),
        first_byte: http.connect_timeout(),
    };
    let mut probes = probe_all(
        &http,
        sources,
        http.credentials(),
        settings.process.behind_proxy,
        timeouts,
        deadline,
    );
    let newest = newest
        .recv_timeout(deadline.saturating_duration_since(Instant::now()))
        .ok()
        .flatten();
    if let Some((archive, files)) = &newest {
        std::thread::scope(|scope| {
            for probe in probes.iter_mut().filter(|p| p.kind == Kind::Archive) {
                let http = &http;
                scope.spawn(move || {
                    check_files(http, probe, archive, files, timeouts.first_byte, deadline)
                });
            }
        });
    }
    let failed = probes.iter().any(|p| p.status == Status::Error);
    let text = if json {
        let value = json!({
            "newest": newest.as_ref().map(|(archive, _)| archive),
            "listings": probes.iter().filter(|p| p.kind == Kind::Listing).collect::<Vec<_>>(),
            "archives": probes.iter().filter(|p| p.kind == Kind::Archive).collect::<Vec<_>>(),
        });
        format!("{value:#}\n")
    } else {
        render(
            &probes,
            newest.as_ref().map(|(archive, _)| archive.as_str()),
            started,
        )
    };
    ui::out(&text)?;
    Ok(if failed {
        Finished::ProblemsFound
    } else {
        Finished::Success
    })
}

/// Starts loading the listing (cached, or from its sources in order) and
/// answers with the newest stable release's archive for this machine and
/// the files to ask each mirror for.
fn newest_release(
    http: &Http,
    store: &Store,
    settings: &Settings,
) -> mpsc::Receiver<Option<(String, Vec<String>)>> {
    let (tx, rx) = mpsc::channel();
    let (http, cache, urls) = (http.clone(), store.cache_dir(), settings.index_urls.clone());
    // Not waited for past the deadline: a hanging source cannot hold the
    // command up.
    std::thread::spawn(move || {
        let newest = listing::load(&http, &cache, &urls)
            .ok()
            .and_then(|(listing, _)| newest_files(&listing, &Platform::host()));
        let _ = tx.send(newest);
    });
    rx
}

fn newest_files(listing: &Listing, platform: &Platform) -> Option<(String, Vec<String>)> {
    let release = listing
        .releases
        .iter()
        .find(|r| r.stable && r.archive_for(platform).is_some())?;
    let archive = &release.archive_for(platform)?.filename;
    let mut files = vec![format!("{archive}.sha256")];
    if ArchiveFormat::of_file_name(archive) == Some(ArchiveFormat::TarGz) {
        files.push(format!("{archive}.asc"));
    }
    Some((archive.clone(), files))
}

fn render(probes: &[Probe], newest: Option<&str>, started: Instant) -> String {
    let mut out = String::new();
    for (kind, title) in [
        (Kind::Listing, "Release listings, tried in order:".to_string()),
        (
            Kind::Archive,
            match newest {
                Some(archive) => format!("Archive mirrors, tried in order (asked for {archive}, its .sha256 and .asc):"),
                None => "Archive mirrors, tried in order (the newest release is unknown: its archive, .sha256 and .asc were not asked for):".to_string(),
            },
        ),
    ] {
        out.push_str(&title);
        out.push('\n');
        for probe in probes.iter().filter(|p| p.kind == kind) {
            let label = probe.status.label();
            let creds = probe
                .credentials
                .as_ref()
                .map(|c| format!("; credentials from {c}"))
                .unwrap_or_default();
            out.push_str(&format!(
                "  {label}  {}  ({}{creds}): {}\n",
                probe.url, probe.origin, probe.finding
            ));
        }
    }
    out.push_str(&format!(
        "\n{} sources: {} ({:.1} s)\n",
        probes.len(),
        ui::tally(probes.iter().map(|p| p.status)),
        started.elapsed().as_secs_f64()
    ));
    out
}
