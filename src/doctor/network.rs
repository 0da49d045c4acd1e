//! Module downloads: GOPROXY, GOSUMDB, GOPRIVATE & co, and whether each
//! proxy answers (DNS, TCP connect, an HTTP GET), each with a short timeout.

use super::system::System;
use super::{Check, Context};
use crate::net::goproxy::{Entry, ProxyList, redact_list};
use crate::net::probe::{DialError, dial};
use crate::net::url::DisplaySafeUrl;
use std::time::{Duration, Instant};

pub const SECTION: &str = "Module downloads";
const DNS_TIMEOUT: Duration = Duration::from_millis(2000);
const CONNECT_TIMEOUT: Duration = Duration::from_millis(1500);
const HTTP_TIMEOUT: Duration = Duration::from_millis(1500);
pub const GROUP_TIMEOUT: Duration = Duration::from_millis(7000);

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

pub fn checks(ctx: &Context, sys: &dyn System) -> Vec<Check> {
    let go = &ctx.go;
    let goproxy = go.value("GOPROXY");
    let goproxy_shown = redact_list(goproxy);
    // An unusable setting lists nothing to try, like `off`.
    let gosumdb = go.value("GOSUMDB");
    let goprivate = patterns(go.value("GOPRIVATE"));
    let goflags = go.value("GOFLAGS");
    let goinsecure = go.value("GOINSECURE");
    let entries: Vec<Entry> = ProxyList::parse(goproxy)
        .map(|list| list.entries().cloned().collect())
        .unwrap_or_default();
    let mut checks = Vec::new();

    // Settings.
    let mut problems = Vec::new();
    if entries.first() == Some(&Entry::Off) || entries.is_empty() {
        problems.push(Check::warning(
            SECTION,
            "GOPROXY",
            format!("GOPROXY={goproxy_shown} disables module downloads"),
            "\"go: module lookup disabled by GOPROXY=off\" for every module not in the module cache",
            &["go env -w GOPROXY=https://proxy.golang.org,direct   (or unset GOPROXY)"],
        ));
    }
    let public = entries
        .iter()
        .any(|e| matches!(e, Entry::Url(u) if u.host_str() == Some("proxy.golang.org")));
    if gosumdb.trim() == "off" && public {
        problems.push(Check::warning(
            SECTION,
            "GOSUMDB",
            format!("GOSUMDB=off while modules come from the public proxy ({goproxy_shown})"),
            "downloaded modules are not checked against the checksum database: a tampered module goes unnoticed",
            &["go env -u GOSUMDB   (use GONOSUMDB=<private patterns> for private modules instead)"],
        ));
    }
    for (name, what) in [
        ("GONOSUMDB", "the checksum database"),
        ("GONOPROXY", "the proxy"),
    ] {
        // Only a value the user set: unset, it defaults to GOPRIVATE.
        if let Some(value) = go.users(name) {
            let by = patterns(value);
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
    let insecure_flag = goflags.split_whitespace().any(|f| {
        matches!(
            f,
            "-insecure" | "--insecure" | "-insecure=true" | "--insecure=true"
        )
    });
    if insecure_flag || !goinsecure.trim().is_empty() {
        let mut set = Vec::new();
        let mut fix = Vec::new();
        if insecure_flag {
            set.push(format!("GOFLAGS={goflags} has -insecure"));
            fix.push("go env -w GOFLAGS=<the same flags without -insecure>   (or fix GOFLAGS in your shell startup file)".to_string());
        }
        if !goinsecure.trim().is_empty() {
            set.push(format!("GOINSECURE={goinsecure} is set"));
            fix.push("go env -u GOINSECURE; unset GOINSECURE   (trust the server's certificate instead: SSL_CERT_FILE)".to_string());
        }
        problems.push(
            Check::warning(
                SECTION,
                "insecure downloads",
                set.join("; "),
                "modules are fetched without TLS certificate verification (or over plain HTTP): a man in the middle can serve any code",
                &[],
            )
            .with_fix(fix),
        );
    }
    if problems.is_empty() {
        checks.push(Check::ok(
            SECTION,
            "settings",
            format!(
                "GOPROXY={goproxy_shown} GOSUMDB={}{}{}",
                crate::verify::sumdb::client::shown_gosumdb(gosumdb),
                if goprivate.is_empty() {
                    String::new()
                } else {
                    format!(" GOPRIVATE={}", goprivate.join(","))
                },
                if goflags.trim().is_empty() {
                    String::new()
                } else {
                    format!(" GOFLAGS={}", goflags.trim())
                }
            ),
        ));
    }
    checks.extend(problems);

    // Reachability of each proxy, in parallel.
    let through_proxy = ctx.settings.process.behind_proxy;
    let urls: Vec<DisplaySafeUrl> = entries
        .iter()
        .filter_map(|e| match e {
            Entry::Url(u) if matches!(u.scheme(), "http" | "https") => Some(u.clone()),
            _ => None,
        })
        .collect();
    let https_proxy = ctx.settings.process.https_proxy.clone();
    let reached: Vec<Check> = std::thread::scope(|scope| {
        let proxy = https_proxy
            .as_deref()
            .map(|p| scope.spawn(move || https_proxy_check(sys, p)));
        let handles: Vec<_> = urls
            .iter()
            .map(|url| scope.spawn(move || probe(sys, url, through_proxy)))
            .collect();
        proxy
            .into_iter()
            .chain(handles)
            .map(|h| h.join().expect("probe thread"))
            .collect()
    });
    checks.extend(reached);
    checks
}

/// Whether the HTTPS proxy itself accepts connections (DNS, TCP connect).
/// Names only its host and port: the URL may hold a password.
fn https_proxy_check(sys: &dyn System, value: &str) -> Check {
    let started = Instant::now();
    let name = "HTTPS proxy";
    let symptom = "every module download fails with \"proxyconnect tcp: ...\"";
    let fix = [
        "start the proxy or correct HTTPS_PROXY (scheme://host:port)",
        "or unset HTTPS_PROXY https_proxy   (where no proxy is needed)",
    ];
    // Go reads a value without a scheme as http://.
    let url = if value.contains("://") {
        value.to_string()
    } else {
        format!("http://{value}")
    };
    let parsed = match DisplaySafeUrl::parse(&url) {
        Ok(u) if u.host_str().is_some() => u,
        _ => {
            return Check::error(
                SECTION,
                name,
                "HTTPS_PROXY is not a valid proxy URL",
                symptom,
                &fix,
            );
        }
    };
    let host = parsed.host_str().unwrap_or_default().to_string();
    let port = parsed
        .port_or_known_default()
        .unwrap_or(if parsed.scheme().starts_with("socks") {
            1080
        } else {
            80
        });
    let at = format!("{}://{host}:{port}", parsed.scheme());
    let finding = match dial(sys, &host, port, DNS_TIMEOUT, CONNECT_TIMEOUT) {
        Ok(dialed) => {
            return Check::ok(
                SECTION,
                name,
                format!(
                    "the proxy {at} accepts connections (DNS {} ms, connect {} ms)",
                    dialed.dns.unwrap_or_default().as_millis(),
                    dialed.connect.as_millis()
                ),
            )
            .took(started);
        }
        Err(DialError::NoAddress) => format!("the proxy {at} resolves to no address"),
        Err(DialError::Resolve(e)) => format!("the proxy {at}: {e}"),
        Err(DialError::Connect { error, .. }) => format!(
            "the proxy {at} is unreachable within {} s: {error}",
            CONNECT_TIMEOUT.as_secs_f64()
        ),
    };
    Check::error(SECTION, name, finding, symptom, &fix).took(started)
}

fn probe(sys: &dyn System, url: &DisplaySafeUrl, through_proxy: bool) -> Check {
    let started = Instant::now();
    // A password in the URL is never shown.
    let shown = url.to_string();
    let name = format!("proxy {}", shown.trim_end_matches('/'));
    let fail = |finding: String, symptom: &str| {
        Check::error(SECTION, name.clone(), finding, symptom.to_string(), &[])
            .with_fix(vec![
                "check the network, HTTPS_PROXY and the firewall".into(),
                "or pick a reachable proxy: go env -w GOPROXY=https://proxy.golang.org,direct"
                    .into(),
            ])
            .took(started)
    };
    let Some(host) = url.host_str().map(str::to_string) else {
        return Check::error(
            SECTION,
            name.clone(),
            format!("{shown} is not a valid URL"),
            "go: invalid proxy URL",
            &["go env -w GOPROXY=https://proxy.golang.org,direct"],
        );
    };
    let port = url.port_or_known_default().unwrap_or(443);
    let mut timings = Vec::new();
    if !through_proxy {
        match dial(sys, &host, port, DNS_TIMEOUT, CONNECT_TIMEOUT) {
            Ok(dialed) => {
                if let Some(dns) = dialed.dns {
                    timings.push(format!("DNS {} ms", dns.as_millis()));
                }
                timings.push(format!("connect {} ms", dialed.connect.as_millis()));
            }
            Err(DialError::NoAddress) => {
                return fail(
                    format!("{host} resolves to no address"),
                    "\"dial tcp: lookup ...: no such host\"",
                );
            }
            Err(DialError::Resolve(e)) => {
                return fail(
                    e,
                    "\"dial tcp: lookup ...: no such host\" or \"i/o timeout\"",
                );
            }
            Err(DialError::Connect { error, .. }) => {
                return fail(
                    error,
                    "\"dial tcp ...: connect: connection refused\" or \"i/o timeout\" when downloading modules",
                );
            }
        }
    }
    let t = Instant::now();
    let root = url.join("");
    let shown_root = root.to_string();
    match sys.http_get(&root, HTTP_TIMEOUT) {
        Ok(status) if status < 500 => {
            timings.push(format!("GET / {status} in {} ms", t.elapsed().as_millis()));
            Check::ok(SECTION, name, timings.join(", ")).took(started)
        }
        Ok(status) => fail(
            format!("GET {shown_root} answered {status}"),
            "module downloads fail with \"500\"-class errors",
        ),
        Err(e) => fail(
            format!(
                "GET {shown_root} failed within {} s: {e}",
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
    fn proxy_passwords_are_never_shown() {
        let env = [
            ("GOPROXY", "https://u:s3cret@athens.corp,direct"),
            ("GOSUMDB", "sum.golang.org u:s3cret@sumdb.corp/x"),
        ];
        let sys = FakeSystem::new();
        let found = checks(&test_context().with_env(&env), &sys);
        let text = format!("{found:?}");
        assert!(!text.contains("s3cret"), "{text}");
        find(&found, "proxy https://u:***@athens.corp");
        assert!(
            find(&found, "settings")
                .finding
                .starts_with("GOPROXY=https://u:***@athens.corp/,direct ")
        );
        assert!(
            find(&found, "settings")
                .finding
                .contains(" GOSUMDB=sum.golang.org u:***@sumdb.corp/x")
        );
    }

    #[test]
    fn a_refusing_proxy_is_an_error() {
        let env = [("GOPROXY", "http://127.0.0.1:9")];
        let mut sys = FakeSystem::new();
        sys.refused.push(SocketAddr::from(([127, 0, 0, 1], 9)));
        let checks = checks(&test_context().with_env(&env), &sys);
        let check = find(&checks, "proxy http://127.0.0.1:9");
        assert_eq!(check.status, Status::Error);
        assert!(check.finding.contains("refused"));
    }

    #[test]
    fn an_unresolvable_or_silent_proxy_is_an_error() {
        let env = [("GOPROXY", "https://nowhere.example")];
        let mut sys = FakeSystem::new();
        sys.resolved.insert(
            "nowhere.example".into(),
            Err("cannot resolve nowhere.example".into()),
        );
        assert_eq!(
            find(
                &checks(&test_context().with_env(&env), &sys),
                "proxy https://nowhere.example"
            )
            .status,
            Status::Error
        );
        let env = [("GOPROXY", "https://slow.example")];
        let mut sys = FakeSystem::new();
        sys.http.insert(
            "https://slow.example/".into(),
            Err("operation timed out".into()),
        );
        let check = find(
            &checks(&test_context().with_env(&env), &sys),
            "proxy https://slow.example",
        )
        .clone();
        assert_eq!(check.status, Status::Error);
        assert!(check.finding.contains("timed out"));
    }

    #[test]
    fn inconsistent_settings_are_warnings() {
        let env = [("GOPROXY", "off")];
        let sys = FakeSystem::new();
        assert_eq!(
            find(&checks(&test_context().with_env(&env), &sys), "GOPROXY").status,
            Status::Warning
        );

        let env = [("GOSUMDB", "off")];
        let sys = FakeSystem::new();
        let check = find(&checks(&test_context().with_env(&env), &sys), "GOSUMDB").clone();
        assert_eq!(check.status, Status::Warning);
        assert!(check.fix[0].contains("go env -u GOSUMDB"));

        let env = [
            ("GOPRIVATE", "git.corp.example,github.com/acme"),
            ("GONOSUMDB", "github.com/acme"),
        ];
        let sys = FakeSystem::new();
        let check = find(&checks(&test_context().with_env(&env), &sys), "GONOSUMDB").clone();
        assert!(
            check
                .finding
                .contains("does not cover GOPRIVATE's git.corp.example"),
            "{}",
            check.finding
        );

        let env = [
            ("GOPRIVATE", "github.com/acme/private"),
            ("GONOSUMDB", "github.com/acme"),
        ];
        let sys = FakeSystem::new();
        assert!(
            checks(&test_context().with_env(&env), &sys)
                .iter()
                .all(|c| c.status == Status::Ok)
        );
    }

    #[test]
    fn goflags_is_reported_and_insecure_downloads_are_a_warning() {
        let env = [("GOFLAGS", "-mod=mod -modcacherw")];
        let sys = FakeSystem::new();
        let found = checks(&test_context().with_env(&env), &sys);
        assert!(found.iter().all(|c| c.status == Status::Ok), "{found:#?}");
        assert!(
            find(&found, "settings")
                .finding
                .contains("GOFLAGS=-mod=mod -modcacherw")
        );

        let env = [("GOFLAGS", "-mod=mod -insecure")];
        let sys = FakeSystem::new();
        let check = find(
            &checks(&test_context().with_env(&env), &sys),
            "insecure downloads",
        )
        .clone();
        assert_eq!(check.status, Status::Warning);
        assert!(check.finding.contains("has -insecure"));
        assert!(
            check
                .symptom
                .unwrap()
                .contains("without TLS certificate verification")
        );

        let env = [("GOINSECURE", "git.corp.example")];
        let sys = FakeSystem::new();
        let check = find(
            &checks(&test_context().with_env(&env), &sys),
            "insecure downloads",
        )
        .clone();
        assert_eq!(check.status, Status::Warning);
        assert!(check.finding.contains("GOINSECURE=git.corp.example"));
        assert!(check.fix[0].starts_with("go env -u GOINSECURE"));
    }

    #[test]
    fn an_unreachable_https_proxy_is_an_error() {
        let env = [("HTTPS_PROXY", "http://user:secret@proxy.corp:3128")];
        let sys = FakeSystem::new();
        let found = checks(&test_context().with_env(&env), &sys);
        let check = find(&found, "HTTPS proxy");
        assert_eq!(check.status, Status::Ok, "{check:#?}");
        assert!(
            check
                .finding
                .contains("http://proxy.corp:3128 accepts connections")
        );
        assert!(!check.finding.contains("secret"));

        let env = [("https_proxy", "proxy.corp:3128")];
        let mut sys = FakeSystem::new();
        sys.refused.push(SocketAddr::from(([192, 0, 2, 1], 3128)));
        let found = checks(&test_context().with_env(&env), &sys);
        let check = find(&found, "HTTPS proxy");
        assert_eq!(check.status, Status::Error);
        assert!(check.finding.contains("refused"), "{}", check.finding);
        assert_eq!(
            check.symptom.as_deref(),
            Some("every module download fails with \"proxyconnect tcp: ...\"")
        );

        let env = [("HTTPS_PROXY", "http://gone.corp:8080")];
        let mut sys = FakeSystem::new();
        sys.resolved
            .insert("gone.corp".into(), Err("cannot resolve gone.corp".into()));
        let check = find(&checks(&test_context().with_env(&env), &sys), "HTTPS proxy").clone();
        assert_eq!(check.status, Status::Error);
        assert!(check.finding.contains("cannot resolve gone.corp"));

        assert!(
            super::checks(&test_context(), &FakeSystem::new())
                .iter()
                .all(|c| c.check != "HTTPS proxy")
        );
    }

    #[test]
    fn settings_come_from_the_go_env_file_too() {
        let home = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(home.path().join(".config/go")).unwrap();
        std::fs::write(
            home.path().join(".config/go/env"),
            "GOPROXY=off\nGONOSUMDB=x.example\nGOPRIVATE=y.example\n",
        )
        .unwrap();
        let env = [("HOME", home.path().to_str().unwrap())];
        let found = checks(&test_context().with_env(&env), &FakeSystem::new());
        assert_eq!(find(&found, "GOPROXY").status, Status::Warning);
        // GONOSUMDB from the file is the user's setting too.
        assert!(
            find(&found, "GONOSUMDB")
                .finding
                .contains("does not cover GOPRIVATE's y.example")
        );
    }
}
