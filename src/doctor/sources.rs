//! Download sources: the release listings and archive mirrors gvmr uses
//! (`GVMR_MIRROR`, `GVMR_INDEX_URL`, the presets), each probed for DNS,
//! connect and time to first byte. [`probe`] is the one probe, shared by
//! `gvmr doctor` and `gvmr mirrors --check` (which also asks each mirror for
//! the newest release's `.sha256` and `.asc`: [`check_files`]).
//!
//! When go.dev does not answer but golang.google.cn does, doctor recommends
//! the `china` preset and Go's mirrors for modules in China.

use super::network::{go_setting, is_ip_literal, resolve_host};
use super::system::System;
use super::{Check, Context, Status};
use crate::net::credentials::Credentials;
use crate::net::goproxy::DEFAULT_GOPROXY;
use crate::net::sources::{self, Sourced, Sources};
use crate::net::url::DisplaySafeUrl;
use serde::Serialize;
use std::path::PathBuf;
use std::time::{Duration, Instant};

pub const SECTION: &str = "Download sources";
/// Doctor's limits per step, and for the whole group.
const DOCTOR_TIMEOUTS: Timeouts = Timeouts {
    dns: Duration::from_millis(2000),
    connect: Duration::from_millis(2000),
    first_byte: Duration::from_millis(3000),
};
pub const GROUP_TIMEOUT: Duration = Duration::from_millis(7500);

/// How long each step of a probe may take (each also ends at the deadline).
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    pub dns: Duration,
    pub connect: Duration,
    pub first_byte: Duration,
}

/// What a source serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Listing,
    Archive,
}

/// What one probe found.
#[derive(Debug, Clone, Serialize)]
pub struct Probe {
    pub kind: Kind,
    pub url: DisplaySafeUrl,
    pub origin: String,
    /// The netrc file or variable whose credentials go to this source.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credentials: Option<String>,
    pub status: Status,
    /// One line: the timings, or what failed.
    pub finding: String,
    pub dns_ms: Option<u64>,
    pub connect_ms: Option<u64>,
    pub first_byte_ms: Option<u64>,
    pub http_status: Option<u16>,
    /// For mirrors: the newest release's `.sha256` and `.asc` (see
    /// [`check_files`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<FileCheck>,
    #[serde(skip)]
    steps: Vec<String>,
}

/// Whether a mirror serves one file.
#[derive(Debug, Clone, Serialize)]
pub struct FileCheck {
    pub name: String,
    /// `found`, `missing`, or what went wrong.
    pub result: String,
}

fn millis(d: Duration) -> u64 {
    d.as_millis() as u64
}

/// Probes `source`: DNS and connect (unless it is a local path or reached
/// through an HTTP proxy), then the time until the first byte of a GET of
/// its URL (the listing, or the mirror's base URL). Every step ends by
/// `deadline`.
pub fn probe(
    sys: &dyn System,
    kind: Kind,
    source: &Sourced,
    credentials: Option<String>,
    through_proxy: bool,
    timeouts: Timeouts,
    deadline: Instant,
) -> Probe {
    let mut found = Probe {
        kind,
        url: source.url.clone(),
        origin: source.origin.to_string(),
        credentials,
        status: Status::Ok,
        finding: String::new(),
        dns_ms: None,
        connect_ms: None,
        first_byte_ms: None,
        http_status: None,
        files: Vec::new(),
        steps: Vec::new(),
    };
    let left = |limit: Duration| limit.min(deadline.saturating_duration_since(Instant::now()));
    let local = source.url.scheme() == "file";
    if !local && !through_proxy {
        let host = source.url.host_str().unwrap_or_default().to_string();
        let port = source.url.port_or_known_default().unwrap_or(443);
        let t = Instant::now();
        let addrs = match resolve_host(sys, &host, port, left(timeouts.dns)) {
            Ok(addrs) if !addrs.is_empty() => addrs,
            Ok(_) => return found.failed(format!("{host} resolves to no address")),
            Err(e) => return found.failed(e),
        };
        if !is_ip_literal(&host) {
            found.dns_ms = Some(millis(t.elapsed()));
            found.steps.push(format!("DNS {} ms", millis(t.elapsed())));
        }
        let t = Instant::now();
        if let Err(e) = sys.connect(addrs[0], left(timeouts.connect)) {
            return found.failed(e);
        }
        found.connect_ms = Some(millis(t.elapsed()));
        found
            .steps
            .push(format!("connect {} ms", millis(t.elapsed())));
    }
    let t = Instant::now();
    let wait = left(timeouts.first_byte);
    let status = match sys.http_get(&source.url, wait) {
        Ok(status) => status,
        Err(e) => return found.failed(e),
    };
    found.first_byte_ms = Some(millis(t.elapsed()));
    found.http_status = Some(status);
    found.steps.push(format!(
        "first byte {} ms, HTTP {status}",
        millis(t.elapsed())
    ));
    let problem = match (kind, status) {
        (_, 401 | 403 | 407) => Some(format!(
            "HTTP {status}: it needs credentials (in ~/.netrc, or the file named by NETRC), or refused the ones sent"
        )),
        (Kind::Listing, 200) => None,
        (Kind::Listing, _) => Some(format!("HTTP {status}: no release listing there")),
        (Kind::Archive, 404) if local => Some("no such directory".to_string()),
        // A mirror's directory need not be listable: any answer will do.
        (Kind::Archive, status) if status < 500 => None,
        (Kind::Archive, _) => Some(format!("HTTP {status}: the server fails")),
    };
    match problem {
        Some(problem) => found.failed(problem),
        None => {
            found.finding = found.steps.join(", ");
            found
        }
    }
}

impl Probe {
    fn failed(mut self, problem: String) -> Probe {
        self.status = Status::Error;
        self.finding = if self.steps.is_empty() {
            problem
        } else {
            format!("{problem} (after {})", self.steps.join(", "))
        };
        self
    }

    /// The doctor check for this probe.
    fn check(&self) -> Check {
        let name = match self.kind {
            Kind::Listing => format!("listing {}", self.url),
            Kind::Archive => format!("archives {}", self.url),
        };
        let mut finding = format!("{} ({})", self.finding, self.origin);
        if let Some(credentials) = &self.credentials {
            finding.push_str(&format!(", credentials from {credentials}"));
        }
        match self.status {
            Status::Ok => Check::ok(SECTION, name, finding),
            status => Check::problem(
                status,
                SECTION,
                name,
                finding,
                match self.kind {
                    Kind::Listing => "installs wait for this source before trying the next listing",
                    Kind::Archive => "downloads skip this mirror after waiting for it",
                },
                &[
                    "check the network, HTTPS_PROXY and the firewall",
                    "or choose reachable sources: GVMR_MIRROR (e.g. china), GVMR_INDEX_URL; `gvmr mirrors --check` tests them",
                ],
            ),
        }
    }
}

/// Asks a reachable mirror for each of `files` (the newest release's
/// `.sha256` and `.asc`); a missing `.asc` is a warning, since gvmr cannot
/// install from that mirror without `--skip-signature`.
pub fn check_files(
    sys: &dyn System,
    found: &mut Probe,
    files: &[String],
    timeout: Duration,
    deadline: Instant,
) {
    if found.status != Status::Ok {
        return;
    }
    for name in files {
        let wait = timeout.min(deadline.saturating_duration_since(Instant::now()));
        let url = found.url.join(name);
        let result = match sys.http_get(&url, wait) {
            Ok(200) => "found".to_string(),
            Ok(404 | 410) => "missing".to_string(),
            Ok(status) => format!("HTTP {status}"),
            Err(e) => e,
        };
        if result != "found" && name.ends_with(".asc") {
            found.status = Status::Warning;
            found.finding.push_str(&format!(
                "; {name}: {result}: gvmr needs a mirror that copies Go's signatures (or --skip-signature)"
            ));
        } else {
            found.finding.push_str(&format!("; {name} {result}"));
        }
        found.files.push(FileCheck {
            name: name.clone(),
            result,
        });
    }
}

/// Probes every source in parallel; done by `deadline` whatever hangs.
pub fn probe_all(
    sys: &dyn System,
    sources: &Sources,
    credentials: &Credentials,
    timeouts: Timeouts,
    deadline: Instant,
) -> Vec<Probe> {
    let through_proxy = ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"]
        .iter()
        .any(|v| sys.env(v).is_some());
    let all: Vec<(Kind, &Sourced)> = sources
        .listings
        .iter()
        .map(|s| (Kind::Listing, s))
        .chain(sources.archives.iter().map(|s| (Kind::Archive, s)))
        .collect();
    std::thread::scope(|scope| {
        let handles: Vec<_> = all
            .into_iter()
            .map(|(kind, source)| {
                let creds = credentials_for(credentials, &source.url);
                scope.spawn(move || {
                    probe(sys, kind, source, creds, through_proxy, timeouts, deadline)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("probe thread"))
            .collect()
    })
}

/// Where the credentials for `url`'s host come from, if any.
pub fn credentials_for(credentials: &Credentials, url: &DisplaySafeUrl) -> Option<String> {
    credentials.for_url(url).map(|c| c.origin.clone())
}

/// The netrc file doctor reads: `NETRC`, else `~/.netrc`; and its name.
fn netrc_file(sys: &dyn System) -> Option<(PathBuf, String)> {
    if let Some(path) = sys.env("NETRC") {
        return Some((PathBuf::from(&path), path));
    }
    let home = sys.env("HOME")?;
    Some((PathBuf::from(home).join(".netrc"), "~/.netrc".to_string()))
}

/// The "Download sources" group of `gvmr doctor`.
pub fn checks(_ctx: &Context, sys: &dyn System) -> Vec<Check> {
    let started = Instant::now();
    let sources = match sources::expand(
        sys.env("GVMR_MIRROR").as_deref(),
        sys.env("GVMR_INDEX_URL").as_deref(),
    ) {
        Ok(sources) => sources,
        Err(e) => {
            return vec![Check::error(
                SECTION,
                "settings",
                e.to_string(),
                "every install fails with this message",
                &["correct the variable, or unset it to use go.dev and dl.google.com"],
            )];
        }
    };
    let (netrc_text, netrc_name) = match netrc_file(sys) {
        Some((path, name)) => (sys.read_file(&path), name),
        None => (None, "~/.netrc".to_string()),
    };
    let credentials = Credentials::new(
        sources.credentials.clone(),
        netrc_text.as_deref(),
        &netrc_name,
    );
    let deadline = started + GROUP_TIMEOUT - Duration::from_millis(500);
    let probes = probe_all(sys, &sources, &credentials, DOCTOR_TIMEOUTS, deadline);
    let mut checks: Vec<Check> = probes.iter().map(|p| p.check().took(started)).collect();
    checks.extend(china_advice(sys, &probes));
    checks
}

/// When go.dev does not answer but golang.google.cn does (mainland China):
/// the `china` preset, and Go's module proxy and checksum database mirrors
/// there, unless already chosen.
fn china_advice(sys: &dyn System, probes: &[Probe]) -> Option<Check> {
    let listing = |host: &str, status: Status| {
        probes.iter().any(|p| {
            p.kind == Kind::Listing && p.url.host_str() == Some(host) && p.status == status
        })
    };
    if !(listing("go.dev", Status::Error) && listing("golang.google.cn", Status::Ok)) {
        return None;
    }
    let mut fix = Vec::new();
    let mirror = sys
        .env("GVMR_MIRROR")
        .unwrap_or_default()
        .to_ascii_lowercase();
    if !mirror
        .split(',')
        .any(|e| matches!(e.trim(), "china" | "cn"))
    {
        fix.push(
            "export GVMR_MIRROR=china   (archives from mirrors in China, the listing from golang.google.cn first)"
                .to_string(),
        );
    }
    if go_setting(sys, "GOPROXY", DEFAULT_GOPROXY).contains("proxy.golang.org") {
        fix.push("go env -w GOPROXY=https://goproxy.cn,direct   (modules)".to_string());
    }
    if go_setting(sys, "GOSUMDB", "sum.golang.org").trim() == "sum.golang.org" {
        fix.push(
            "go env -w GOSUMDB=sum.golang.google.cn   (the checksum database, from China)"
                .to_string(),
        );
    }
    Some(
        Check::warning(
            SECTION,
            "go.dev",
            "go.dev does not answer but golang.google.cn does (a network that blocks Google, such as mainland China's)",
            "installs and module downloads wait for unreachable hosts, or fail",
            &[],
        )
        .with_fix(fix),
    )
}

#[cfg(test)]
mod tests {
    use super::super::fake::FakeSystem;
    use super::super::test_context;
    use super::*;
    use std::net::SocketAddr;

    fn find<'a>(checks: &'a [Check], name: &str) -> &'a Check {
        checks
            .iter()
            .find(|c| c.check == name)
            .unwrap_or_else(|| panic!("no {name} in {checks:#?}"))
    }

    const GO_DEV: &str = "listing https://go.dev/dl/?mode=json&include=all";
    const GOOGLE_CN: &str = "listing https://golang.google.cn/dl/?mode=json&include=all";

    #[test]
    fn the_default_sources_are_probed_with_timings() {
        let checks = checks(&test_context(), &FakeSystem::new());
        assert_eq!(checks.len(), 3, "{checks:#?}");
        assert!(checks.iter().all(|c| c.status == Status::Ok), "{checks:#?}");
        let go_dev = find(&checks, GO_DEV);
        assert!(go_dev.finding.starts_with("DNS "), "{}", go_dev.finding);
        assert!(go_dev.finding.contains("first byte"));
        assert!(
            go_dev.finding.ends_with("HTTP 200 (default)"),
            "{}",
            go_dev.finding
        );
        find(&checks, GOOGLE_CN);
        find(&checks, "archives https://dl.google.com/go/");
    }

    #[test]
    fn go_dev_blocked_but_google_cn_answering_recommends_the_china_settings() {
        let mut sys = FakeSystem::new();
        sys.http.insert(
            sources::GO_DEV_LISTING.into(),
            Err("operation timed out".into()),
        );
        let found = checks(&test_context(), &sys);
        assert_eq!(find(&found, GO_DEV).status, Status::Error);
        let advice = find(&found, "go.dev");
        assert_eq!(advice.status, Status::Warning);
        assert!(
            advice.fix[0].starts_with("export GVMR_MIRROR=china"),
            "{advice:#?}"
        );
        assert!(advice.fix[1].contains("GOPROXY=https://goproxy.cn,direct"));
        assert!(advice.fix[2].contains("GOSUMDB=sum.golang.google.cn"));

        // Already set: only what is missing.
        let sys = FakeSystem {
            http: sys.http.clone(),
            ..FakeSystem::new()
        }
        .with_env("GVMR_MIRROR", "cn")
        .with_env("GOPROXY", "https://goproxy.cn,direct");
        let found = checks(&test_context(), &sys);
        let advice = find(&found, "go.dev");
        assert_eq!(advice.fix.len(), 1, "{advice:#?}");
        assert!(advice.fix[0].contains("GOSUMDB"));
        // Both answer: no advice.
        assert!(
            checks(&test_context(), &FakeSystem::new())
                .iter()
                .all(|c| c.check != "go.dev")
        );
    }

    #[test]
    fn failures_are_errors_naming_the_step() {
        let mut sys = FakeSystem::new()
            .with_env(
                "GVMR_MIRROR",
                "https://nowhere.example/go/,https://refused.example/go/",
            )
            .with_env("GVMR_INDEX_URL", "https://auth.example/l.json");
        sys.resolved.insert(
            "nowhere.example".into(),
            Err("cannot resolve nowhere.example".into()),
        );
        sys.resolved.insert(
            "refused.example".into(),
            Ok(vec![SocketAddr::from(([192, 0, 2, 9], 443))]),
        );
        sys.refused.push(SocketAddr::from(([192, 0, 2, 9], 443)));
        sys.http
            .insert("https://auth.example/l.json".into(), Ok(401));
        let found = checks(&test_context(), &sys);
        assert_eq!(found.len(), 3, "{found:#?}");
        let nowhere = find(&found, "archives https://nowhere.example/go/");
        assert_eq!(nowhere.status, Status::Error);
        assert!(
            nowhere
                .finding
                .starts_with("cannot resolve nowhere.example (GVMR_MIRROR)"),
            "{}",
            nowhere.finding
        );
        let refused = find(&found, "archives https://refused.example/go/");
        assert!(
            refused.finding.contains("Connection refused (after DNS"),
            "{}",
            refused.finding
        );
        let auth = find(&found, "listing https://auth.example/l.json");
        assert!(
            auth.finding.starts_with("HTTP 401: it needs credentials"),
            "{}",
            auth.finding
        );
    }

    #[test]
    fn credentials_are_named_never_shown() {
        let sys = FakeSystem::new()
            .with_env("HOME", "/home/u")
            .with_env(
                "GVMR_MIRROR",
                "https://alice:s3cret@go.corp.example/dl/,https://files.corp.example/go/",
            )
            .with_file(
                "/home/u/.netrc",
                "machine files.corp.example login bob password hunter2\n",
            );
        let found = checks(&test_context(), &sys);
        let text = format!("{found:?}");
        assert!(
            !text.contains("s3cret") && !text.contains("hunter2"),
            "{text}"
        );
        assert!(
            find(&found, "archives https://alice:***@go.corp.example/dl/")
                .finding
                .ends_with("(GVMR_MIRROR), credentials from GVMR_MIRROR")
        );
        assert!(
            find(&found, "archives https://files.corp.example/go/")
                .finding
                .ends_with("credentials from ~/.netrc")
        );
    }

    #[test]
    fn an_unusable_setting_is_an_error() {
        let sys = FakeSystem::new().with_env("GVMR_MIRROR", "chinaa");
        let found = checks(&test_context(), &sys);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].status, Status::Error);
        assert!(found[0].finding.contains("\"chinaa\""));
    }

    #[test]
    fn mirrors_without_signatures_are_warnings() {
        let mut sys = FakeSystem::new();
        sys.http
            .insert("https://m.example/go/f.tar.gz.asc".into(), Ok(404));
        let source = Sourced {
            url: DisplaySafeUrl::parse("https://m.example/go/").unwrap(),
            origin: sources::Origin::Env("GVMR_MIRROR"),
        };
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut found = probe(
            &sys,
            Kind::Archive,
            &source,
            None,
            false,
            DOCTOR_TIMEOUTS,
            deadline,
        );
        check_files(
            &sys,
            &mut found,
            &["f.tar.gz.sha256".into(), "f.tar.gz.asc".into()],
            Duration::from_secs(1),
            deadline,
        );
        assert_eq!(found.status, Status::Warning);
        assert!(found.finding.contains("f.tar.gz.sha256 found; f.tar.gz.asc: missing: gvmr needs a mirror that copies Go's signatures"), "{}", found.finding);
    }
}
