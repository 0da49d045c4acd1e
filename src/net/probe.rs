//! Whether a download source answers: DNS, connect and the time to the first
//! byte of a GET, each within its own limit and all by a deadline. The one
//! probe, used by `gvmr mirrors --check` and `gvmr doctor`'s "Download
//! sources"; both reach the network through [`Network`] ([`Http`] is the
//! real one), so doctor's tests can answer for it.

use super::credentials::Credentials;
use super::http::{Http, HttpError};
use super::sources::{Sourced, Sources};
use super::url::DisplaySafeUrl;
use crate::ui::Status;
use serde::Serialize;
use std::net::{IpAddr, SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How a probe reaches the network.
pub trait Network: Send + Sync {
    /// Resolves a host name.
    fn resolve(&self, host: &str, port: u16, timeout: Duration) -> Result<Vec<SocketAddr>, String>;
    /// Opens (and closes) a TCP connection.
    fn connect(&self, addr: SocketAddr, timeout: Duration) -> Result<(), String>;
    /// GETs `url` (with the credentials gvmr sends to its host; `file://`
    /// too); the HTTP status once the answer's head arrives within `timeout`.
    fn http_get(&self, url: &DisplaySafeUrl, timeout: Duration) -> Result<u16, String>;
}

impl Network for Http {
    fn resolve(&self, host: &str, port: u16, timeout: Duration) -> Result<Vec<SocketAddr>, String> {
        // getaddrinfo has no timeout: ask in a thread, stop waiting after one.
        let (tx, rx) = mpsc::channel();
        let name = host.to_string();
        std::thread::spawn(move || {
            let _ = tx.send((name.as_str(), port).to_socket_addrs().map(|a| a.collect()));
        });
        match rx.recv_timeout(timeout) {
            Ok(Ok(addrs)) => Ok(addrs),
            Ok(Err(e)) => Err(format!("cannot resolve {host}: {e}")),
            Err(_) => Err(format!(
                "resolving {host} took longer than {} s",
                timeout.as_secs_f64()
            )),
        }
    }

    fn connect(&self, addr: SocketAddr, timeout: Duration) -> Result<(), String> {
        TcpStream::connect_timeout(&addr, timeout)
            .map(drop)
            .map_err(|e| format!("cannot connect to {addr}: {e}"))
    }

    fn http_get(&self, url: &DisplaySafeUrl, timeout: Duration) -> Result<u16, String> {
        match self.first_byte(url, timeout) {
            Ok(status) => Ok(status),
            Err(HttpError::NoAnswer { after, .. }) => {
                Err(format!("no answer within {} s", after.as_secs_f64()))
            }
            // The URL is shown beside the finding already.
            Err(e) => {
                let text = e.to_string();
                Err(text
                    .strip_prefix(&format!("{url}: "))
                    .unwrap_or(&text)
                    .to_string())
            }
        }
    }
}

/// How reaching a host went: the time DNS took (`None` for an IP address,
/// which needs none) and the time to connect.
#[derive(Debug, Clone, Copy)]
pub struct Dialed {
    pub dns: Option<Duration>,
    pub connect: Duration,
}

/// Why a host could not be reached.
#[derive(Debug)]
pub enum DialError {
    /// Its name resolves to no address.
    NoAddress,
    /// Its name could not be resolved: why.
    Resolve(String),
    /// No connection to its first address: why, after DNS took `dns`.
    Connect {
        dns: Option<Duration>,
        error: String,
    },
}

/// Resolves `host` (an IP address as it is, a name through DNS within
/// `dns_timeout`) and connects to its first address within
/// `connect_timeout`: the first steps of every probe.
pub fn dial(
    net: &dyn Network,
    host: &str,
    port: u16,
    dns_timeout: Duration,
    connect_timeout: Duration,
) -> Result<Dialed, DialError> {
    let t = Instant::now();
    let (addrs, dns) = match host.trim_matches(['[', ']']).parse::<IpAddr>() {
        Ok(ip) => (vec![SocketAddr::new(ip, port)], None),
        Err(_) => {
            let addrs = net
                .resolve(host, port, dns_timeout)
                .map_err(DialError::Resolve)?;
            (addrs, Some(t.elapsed()))
        }
    };
    let first = *addrs.first().ok_or(DialError::NoAddress)?;
    let t = Instant::now();
    net.connect(first, connect_timeout)
        .map_err(|error| DialError::Connect { dns, error })?;
    Ok(Dialed {
        dns,
        connect: t.elapsed(),
    })
}

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
    net: &dyn Network,
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
    };
    let left = |limit: Duration| limit.min(deadline.saturating_duration_since(Instant::now()));
    let local = source.url.scheme() == "file";
    if !local && !through_proxy {
        let host = source.url.host_str().unwrap_or_default();
        let port = source.url.port_or_known_default().unwrap_or(443);
        match dial(net, host, port, left(timeouts.dns), left(timeouts.connect)) {
            Ok(dialed) => {
                found.dns_ms = dialed.dns.map(millis);
                found.connect_ms = Some(millis(dialed.connect));
            }
            Err(DialError::NoAddress) => {
                return found.failed(format!("{host} resolves to no address"));
            }
            Err(DialError::Resolve(e)) => return found.failed(e),
            Err(DialError::Connect { dns, error }) => {
                found.dns_ms = dns.map(millis);
                return found.failed(error);
            }
        }
    }
    let t = Instant::now();
    let wait = left(timeouts.first_byte);
    let status = match net.http_get(&source.url, wait) {
        Ok(status) => status,
        Err(e) => return found.failed(e),
    };
    found.first_byte_ms = Some(millis(t.elapsed()));
    found.http_status = Some(status);
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
            found.finding = found.timings();
            found
        }
    }
}

impl Probe {
    fn failed(mut self, problem: String) -> Probe {
        let timings = self.timings();
        self.status = Status::Error;
        self.finding = if timings.is_empty() {
            problem
        } else {
            format!("{problem} (after {timings})")
        };
        self
    }

    /// The steps done so far, timed: `DNS 3 ms, connect 1 ms, first byte
    /// 20 ms, HTTP 200`.
    fn timings(&self) -> String {
        let mut steps = Vec::new();
        if let Some(ms) = self.dns_ms {
            steps.push(format!("DNS {ms} ms"));
        }
        if let Some(ms) = self.connect_ms {
            steps.push(format!("connect {ms} ms"));
        }
        if let (Some(ms), Some(status)) = (self.first_byte_ms, self.http_status) {
            steps.push(format!("first byte {ms} ms, HTTP {status}"));
        }
        steps.join(", ")
    }
}

/// Asks a reachable mirror for the newest release's archive and then each
/// of `files` (its `.sha256` and `.asc`). A mirror without the archive is
/// a warning that names the real cause (not on this mirror), and its
/// other files are not asked for; a missing `.asc` beside an archive the
/// mirror has is a warning, since gvmr cannot install from that mirror
/// without `--skip-signature`.
pub fn check_files(
    net: &dyn Network,
    found: &mut Probe,
    archive: &str,
    files: &[String],
    timeout: Duration,
    deadline: Instant,
) {
    if found.status != Status::Ok {
        return;
    }
    let mut ask = |name: &str| {
        let wait = timeout.min(deadline.saturating_duration_since(Instant::now()));
        let result = match net.http_get(&found.url.join(name), wait) {
            Ok(200) => "found".to_string(),
            Ok(404 | 410) => "missing".to_string(),
            Ok(status) => format!("HTTP {status}"),
            Err(e) => e,
        };
        found.files.push(FileCheck {
            name: name.to_string(),
            result: result.clone(),
        });
        result
    };
    let result = ask(archive);
    if result == "missing" {
        found.status = Status::Warning;
        found.finding.push_str(&format!(
            "; {archive}: not on this mirror (installs of it use the next mirror)"
        ));
        return;
    }
    found.finding.push_str(&format!("; {archive} {result}"));
    for name in files {
        let result = ask(name);
        if result != "found" && name.ends_with(".asc") {
            found.status = Status::Warning;
            found.finding.push_str(&format!(
                "; {name}: {result}: gvmr needs a mirror that copies Go's signatures (or --skip-signature)"
            ));
        } else {
            found.finding.push_str(&format!("; {name} {result}"));
        }
    }
}

/// Probes every source in parallel; done by `deadline` whatever hangs.
/// `through_proxy`: an HTTP(S) proxy is set, so DNS and connect are the
/// proxy's business and only the first byte is timed.
pub fn probe_all(
    net: &dyn Network,
    sources: &Sources,
    credentials: &Credentials,
    through_proxy: bool,
    timeouts: Timeouts,
    deadline: Instant,
) -> Vec<Probe> {
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
                    probe(net, kind, source, creds, through_proxy, timeouts, deadline)
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
