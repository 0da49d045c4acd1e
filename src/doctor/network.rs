//! Module downloads: GOPROXY, GOSUMDB, GOPRIVATE & co, and whether each
//! proxy answers (DNS, TCP connect, an HTTP GET), each with a short timeout.

use super::environment::go_env_file;
use super::system::System;
use super::{Check, Context};
use crate::proxy::{DEFAULT_GOPROXY, Entry, ProxyList};
use std::time::{Duration, Instant};

pub const SECTION: &str = "Module downloads";
const DNS_TIMEOUT: Duration = Duration::from_millis(2000);
const CONNECT_TIMEOUT: Duration = Duration::from_millis(1500);
const HTTP_TIMEOUT: Duration = Duration::from_millis(1500);
pub const GROUP_TIMEOUT: Duration = Duration::from_millis(7000);

const DEFAULT_GOSUMDB: &str = "sum.golang.org";

/// A Go setting: the environment, else the Go env file, else `default`.
pub fn go_setting(sys: &dyn System, name: &str, default: &str) -> String {
    if let Some(value) = sys.env(name) {
        return value;
    }
    let prefix = format!("{name}=");
    go_env_file(sys)
        .and_then(|file| sys.read_file(&file))
        .and_then(|text| {
            text.lines()
                .filter_map(|l| l.trim().strip_prefix(prefix.as_str()).map(str::to_string))
                .next_back()
        })
        .unwrap_or_else(|| default.to_string())
}

fn patterns(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(|p| p.trim().trim_end_matches('/').to_string())
        .filter(|p| !p.is_empty())
        .collect()
}

/// Whether some of `by`'s patterns covers module path pattern `pattern`.
fn covered(pattern: &str, by: &[String]) -> bool {
    by.iter().any(|b| {
        b == "*"
            || b == pattern
            || pattern
                .strip_prefix(b.as_str())
                .is_some_and(|r| r.starts_with('/'))
    })
}

pub fn checks(_ctx: &Context, sys: &dyn System) -> Vec<Check> {
    let goproxy = go_setting(sys, "GOPROXY", DEFAULT_GOPROXY);
    // An unusable setting lists nothing to try, like `off`.
    let gosumdb = go_setting(sys, "GOSUMDB", DEFAULT_GOSUMDB);
    let goprivate = patterns(&go_setting(sys, "GOPRIVATE", ""));
    let entries: Vec<Entry> = ProxyList::parse(&goproxy)
        .map(|list| list.entries().cloned().collect())
        .unwrap_or_default();
    let mut checks = Vec::new();

    // Settings.
    let mut problems = Vec::new();
    if entries.first() == Some(&Entry::Off) || entries.is_empty() {
        problems.push(Check::warning(
            SECTION,
            "GOPROXY",
            format!("GOPROXY={goproxy} disables module downloads"),
            "\"go: module lookup disabled by GOPROXY=off\" for every module not in the module cache",
            &["go env -w GOPROXY=https://proxy.golang.org,direct   (or unset GOPROXY)"],
        ));
    }
    let public = entries
        .iter()
        .any(|e| matches!(e, Entry::Url(u) if u.contains("proxy.golang.org")));
    if gosumdb.trim() == "off" && public {
        problems.push(Check::warning(
            SECTION,
            "GOSUMDB",
            format!("GOSUMDB=off while modules come from the public proxy ({goproxy})"),
            "downloaded modules are not checked against the checksum database: a tampered module goes unnoticed",
            &["go env -u GOSUMDB   (use GONOSUMDB=<private patterns> for private modules instead)"],
        ));
    }
    for (name, what) in [
        ("GONOSUMDB", "the checksum database"),
        ("GONOPROXY", "the proxy"),
    ] {
        if let Some(value) = sys.env(name) {
            let by = patterns(&value);
            let missing: Vec<&String> = goprivate.iter().filter(|p| !covered(p, &by)).collect();
            if !missing.is_empty() {
                let list = missing
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(",");
                problems.push(
                    Check::warning(
                        SECTION,
                        name,
                        format!("{name}={value} does not cover GOPRIVATE's {list}"),
                        format!("private modules are looked up in {what}: \"410 Gone\" / \"not found\" / \"verifying module\" errors, and their paths leak"),
                        &[],
                    )
                    .with_fix(vec![format!("export {name}={value},{list}   (or unset {name}: it defaults to GOPRIVATE)")]),
                );
            }
        }
    }
    if problems.is_empty() {
        checks.push(Check::ok(
            SECTION,
            "settings",
            format!(
                "GOPROXY={goproxy} GOSUMDB={gosumdb}{}",
                if goprivate.is_empty() {
                    String::new()
                } else {
                    format!(" GOPRIVATE={}", goprivate.join(","))
                }
            ),
        ));
    }
    checks.extend(problems);

    // Reachability of each proxy, in parallel.
    let through_proxy = ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"]
        .iter()
        .any(|v| sys.env(v).is_some());
    let urls: Vec<String> = entries
        .iter()
        .filter_map(|e| match e {
            Entry::Url(u) if u.starts_with("http://") || u.starts_with("https://") => {
                Some(u.clone())
            }
            _ => None,
        })
        .collect();
    let reached: Vec<Check> = std::thread::scope(|scope| {
        let handles: Vec<_> = urls
            .iter()
            .map(|url| scope.spawn(move || probe(sys, url, through_proxy)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("probe thread"))
            .collect()
    });
    checks.extend(reached);
    checks
}

fn probe(sys: &dyn System, url: &str, through_proxy: bool) -> Check {
    let started = Instant::now();
    let name = format!("proxy {url}");
    let fail = |finding: String, symptom: &str| {
        Check::error(SECTION, name.clone(), finding, symptom.to_string(), &[])
            .with_fix(vec![
                "check the network, HTTPS_PROXY and the firewall".into(),
                "or pick a reachable proxy: go env -w GOPROXY=https://proxy.golang.org,direct"
                    .into(),
            ])
            .took(started)
    };
    let parsed = match reqwest::Url::parse(url) {
        Ok(u) if u.host_str().is_some() => u,
        _ => {
            return Check::error(
                SECTION,
                name.clone(),
                format!("{url} is not a valid URL"),
                "go: invalid proxy URL",
                &["go env -w GOPROXY=https://proxy.golang.org,direct"],
            );
        }
    };
    let host = parsed.host_str().unwrap_or_default().to_string();
    let port = parsed.port_or_known_default().unwrap_or(443);
    let mut timings = Vec::new();
    if !through_proxy {
        let t = Instant::now();
        let literal = host
            .trim_matches(['[', ']'])
            .parse::<std::net::IpAddr>()
            .ok();
        let resolved = match literal {
            Some(ip) => Ok(vec![std::net::SocketAddr::new(ip, port)]),
            None => sys.resolve(&host, port, DNS_TIMEOUT),
        };
        let addrs = match resolved {
            Ok(a) if !a.is_empty() => a,
            Ok(_) => {
                return fail(
                    format!("{host} resolves to no address"),
                    "\"dial tcp: lookup ...: no such host\"",
                );
            }
            Err(e) => {
                return fail(
                    e,
                    "\"dial tcp: lookup ...: no such host\" or \"i/o timeout\"",
                );
            }
        };
        if literal.is_none() {
            timings.push(format!("DNS {} ms", t.elapsed().as_millis()));
        }
        let t = Instant::now();
        if let Err(e) = sys.connect(addrs[0], CONNECT_TIMEOUT) {
            return fail(
                e,
                "\"dial tcp ...: connect: connection refused\" or \"i/o timeout\" when downloading modules",
            );
        }
        timings.push(format!("connect {} ms", t.elapsed().as_millis()));
    }
    let t = Instant::now();
    let root = format!("{}/", url.trim_end_matches('/'));
    match sys.http_get(&root, HTTP_TIMEOUT) {
        Ok(status) if status < 500 => {
            timings.push(format!("GET / {status} in {} ms", t.elapsed().as_millis()));
            Check::ok(SECTION, name, timings.join(", ")).took(started)
        }
        Ok(status) => fail(
            format!("GET {root} answered {status}"),
            "module downloads fail with \"500\"-class errors",
        ),
        Err(e) => fail(
            format!(
                "GET {root} failed within {} s: {e}",
                HTTP_TIMEOUT.as_secs_f64()
            ),
            "module downloads hang or fail (\"i/o timeout\", \"TLS handshake timeout\")",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::super::fake::FakeSystem;
    use super::super::{Status, test_context};
    use super::*;
    use std::net::SocketAddr;

    fn find<'a>(checks: &'a [Check], name: &str) -> &'a Check {
        checks
            .iter()
            .find(|c| c.check == name)
            .unwrap_or_else(|| panic!("no {name} in {checks:#?}"))
    }

    #[test]
    fn the_default_proxy_that_answers_is_ok() {
        let checks = checks(&test_context(), &FakeSystem::new());
        assert_eq!(checks.len(), 2, "{checks:#?}");
        assert!(checks.iter().all(|c| c.status == Status::Ok));
        assert!(
            find(&checks, "proxy https://proxy.golang.org")
                .finding
                .contains("GET / 200")
        );
    }

    #[test]
    fn a_refusing_proxy_is_an_error() {
        let mut sys = FakeSystem::new().with_env("GOPROXY", "http://127.0.0.1:9");
        sys.refused.push(SocketAddr::from(([127, 0, 0, 1], 9)));
        let checks = checks(&test_context(), &sys);
        let check = find(&checks, "proxy http://127.0.0.1:9");
        assert_eq!(check.status, Status::Error);
        assert!(check.finding.contains("refused"));
    }

    #[test]
    fn an_unresolvable_or_silent_proxy_is_an_error() {
        let mut sys = FakeSystem::new().with_env("GOPROXY", "https://nowhere.example");
        sys.resolved.insert(
            "nowhere.example".into(),
            Err("cannot resolve nowhere.example".into()),
        );
        assert_eq!(
            find(
                &checks(&test_context(), &sys),
                "proxy https://nowhere.example"
            )
            .status,
            Status::Error
        );
        let mut sys = FakeSystem::new().with_env("GOPROXY", "https://slow.example");
        sys.http.insert(
            "https://slow.example/".into(),
            Err("operation timed out".into()),
        );
        let check = find(&checks(&test_context(), &sys), "proxy https://slow.example").clone();
        assert_eq!(check.status, Status::Error);
        assert!(check.finding.contains("timed out"));
    }

    #[test]
    fn inconsistent_settings_are_warnings() {
        let sys = FakeSystem::new().with_env("GOPROXY", "off");
        assert_eq!(
            find(&checks(&test_context(), &sys), "GOPROXY").status,
            Status::Warning
        );

        let sys = FakeSystem::new().with_env("GOSUMDB", "off");
        let check = find(&checks(&test_context(), &sys), "GOSUMDB").clone();
        assert_eq!(check.status, Status::Warning);
        assert!(check.fix[0].contains("go env -u GOSUMDB"));

        let sys = FakeSystem::new()
            .with_env("GOPRIVATE", "git.corp.example,github.com/acme")
            .with_env("GONOSUMDB", "github.com/acme");
        let check = find(&checks(&test_context(), &sys), "GONOSUMDB").clone();
        assert!(
            check
                .finding
                .contains("does not cover GOPRIVATE's git.corp.example"),
            "{}",
            check.finding
        );

        let sys = FakeSystem::new()
            .with_env("GOPRIVATE", "github.com/acme/private")
            .with_env("GONOSUMDB", "github.com/acme");
        assert!(
            checks(&test_context(), &sys)
                .iter()
                .all(|c| c.status == Status::Ok)
        );
    }

    #[test]
    fn settings_come_from_the_go_env_file_too() {
        let sys = FakeSystem::new()
            .with_env("HOME", "/home/u")
            .with_file("/home/u/.config/go/env", "GOPROXY=off\n");
        assert_eq!(
            find(&checks(&test_context(), &sys), "GOPROXY").status,
            Status::Warning
        );
    }
}
