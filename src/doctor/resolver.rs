//! How names are resolved: /etc/resolv.conf, /etc/nsswitch.conf, GODEBUG.

use super::system::{Run, System};
use super::{Check, Context};
use std::path::Path;
use std::time::Duration;

const RESOLVECTL_TIMEOUT: Duration = Duration::from_secs(1);

pub const SECTION: &str = "Resolver";

pub fn checks(ctx: &Context, sys: &dyn System) -> Vec<Check> {
    let mut checks = vec![resolv_conf(sys)];
    checks.extend(nsswitch(sys));
    checks.push(godebug(ctx.settings.process.godebug.as_deref()));
    checks.extend(dns_over_tls(ctx, sys));
    checks
}

/// Notes DNS-over-TLS in systemd-resolved (`resolvectl status` shows
/// `+DNSOverTLS`). Nothing when resolvectl is missing, fails or is slow.
fn dns_over_tls(ctx: &Context, sys: &dyn System) -> Option<Check> {
    let path = ctx.settings.process.path.as_deref();
    let resolvectl = sys.path_lookup("resolvectl", path).into_iter().next()?;
    let output = sys
        .run(&Run {
            program: &resolvectl,
            args: &["status"],
            env: &[],
            dir: None,
            timeout: RESOLVECTL_TIMEOUT,
        })
        .ok()
        .filter(|o| o.success)?;
    output.stdout.contains("+DNSOverTLS").then(|| {
        Check::ok(
            SECTION,
            "DNS over TLS",
            "systemd-resolved uses DNS-over-TLS (+DNSOverTLS in resolvectl status): lookups go to port 853; if they fail, check that port 853 is not blocked",
        )
    })
}

fn resolv_conf(sys: &dyn System) -> Check {
    let name = "resolv.conf";
    let Some(text) = sys.read_file(Path::new("/etc/resolv.conf")) else {
        return Check::warning(
            SECTION,
            name,
            "/etc/resolv.conf is missing or unreadable (Go then asks 127.0.0.1:53)",
            "\"dial tcp: lookup proxy.golang.org ...: connection refused\"",
            &["configure DNS (e.g. systemctl enable --now systemd-resolved)"],
        );
    };
    let mut servers = Vec::new();
    let (mut timeout, mut attempts) = (5u64, 2u64);
    for line in text.lines() {
        let mut words = line.split_whitespace();
        match words.next() {
            Some("nameserver") => servers.extend(words.next().map(str::to_string)),
            Some("options") => {
                for option in words {
                    if let Some(v) = option.strip_prefix("timeout:").and_then(|v| v.parse().ok()) {
                        timeout = v;
                    }
                    if let Some(v) = option
                        .strip_prefix("attempts:")
                        .and_then(|v| v.parse().ok())
                    {
                        attempts = v;
                    }
                }
            }
            _ => {}
        }
    }
    if servers.is_empty() {
        return Check::error(
            SECTION,
            name,
            "/etc/resolv.conf names no nameserver",
            "every module download fails: \"dial tcp: lookup proxy.golang.org: no such host\"",
            &["add a nameserver line to /etc/resolv.conf (or fix the tool that writes it)"],
        );
    }
    let worst = timeout * attempts * servers.len() as u64;
    if worst > 15 {
        return Check::warning(
            SECTION,
            name,
            format!(
                "a failing lookup can take {worst} s (timeout:{timeout} attempts:{attempts}, {} nameservers)",
                servers.len()
            ),
            "go commands look stuck for long stretches when a name server is down",
            &[
                "lower options timeout:/attempts: in /etc/resolv.conf (e.g. options timeout:2 attempts:2)",
            ],
        );
    }
    let stub = if servers.iter().any(|s| s == "127.0.0.53") {
        " (the systemd-resolved stub: if lookups fail, see resolvectl status)"
    } else {
        ""
    };
    Check::ok(
        SECTION,
        name,
        format!("nameservers {}{stub}", servers.join(", ")),
    )
}

fn nsswitch(sys: &dyn System) -> Option<Check> {
    let text = sys.read_file(Path::new("/etc/nsswitch.conf"))?;
    let hosts = text.lines().find_map(|l| {
        l.trim()
            .strip_prefix("hosts:")
            .map(|s| s.trim().to_string())
    })?;
    let sources: Vec<&str> = hosts
        .split_whitespace()
        .filter(|w| !w.starts_with('['))
        .collect();
    if sources.iter().any(|s| *s == "dns" || *s == "resolve") {
        Some(Check::ok(
            SECTION,
            "nsswitch.conf",
            format!("hosts: {hosts}"),
        ))
    } else {
        Some(Check::warning(
            SECTION,
            "nsswitch.conf",
            format!("the hosts line ({hosts}) consults neither dns nor resolve"),
            "host names other than those in /etc/hosts do not resolve: \"no such host\"",
            &["add dns to the hosts line of /etc/nsswitch.conf (e.g. hosts: files dns)"],
        ))
    }
}

fn godebug(value: Option<&str>) -> Check {
    let netdns = value.and_then(|g| {
        g.split(',')
            .find_map(|kv| kv.trim().strip_prefix("netdns=").map(str::to_string))
    });
    match netdns {
        None => Check::ok(SECTION, "GODEBUG netdns", "not set (Go picks its resolver)"),
        Some(v) => {
            let mode = v.split('+').next().unwrap_or("");
            if ["go", "cgo", "1", "2", ""].contains(&mode)
                && v.split('+')
                    .skip(1)
                    .all(|p| p == "1" || p == "2" || p == "go" || p == "cgo")
            {
                Check::ok(
                    SECTION,
                    "GODEBUG netdns",
                    format!("netdns={v} forces Go's resolver choice"),
                )
            } else {
                Check::warning(
                    SECTION,
                    "GODEBUG netdns",
                    format!(
                        "GODEBUG netdns={v} is not a value Go knows (go, cgo, 1, 2, go+1, cgo+2)"
                    ),
                    "the setting is ignored",
                    &["export GODEBUG=netdns=go   (or unset it)"],
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fake::FakeSystem;
    use super::super::{Status, test_context};
    use super::*;

    fn healthy() -> FakeSystem {
        FakeSystem::new()
            .with_file(
                "/etc/resolv.conf",
                "nameserver 127.0.0.53\noptions edns0 trust-ad\n",
            )
            .with_file(
                "/etc/nsswitch.conf",
                "passwd: files\nhosts: files mdns4_minimal [NOTFOUND=return] dns\n",
            )
    }

    #[test]
    fn a_healthy_resolver_is_ok() {
        let checks = checks(&test_context(), &healthy());
        assert_eq!(checks.len(), 3);
        assert!(checks.iter().all(|c| c.status == Status::Ok), "{checks:#?}");
        assert!(checks[0].finding.contains("systemd-resolved"));
    }

    #[test]
    fn dns_over_tls_is_noted_when_resolvectl_shows_it() {
        let ctx = test_context().with_env(&[("PATH", "/usr/bin")]);
        let sys = healthy()
            .with_executable("/usr/bin/resolvectl")
            .with_command(
                "/usr/bin/resolvectl status",
                "Global\n  Protocols: +LLMNR -mDNS +DNSOverTLS DNSSEC=no/unsupported\n",
            );
        let found = checks(&ctx, &sys);
        let check = found.iter().find(|c| c.check == "DNS over TLS").unwrap();
        assert_eq!(check.status, Status::Ok);
        assert!(check.finding.contains("port 853"));
        assert!(
            sys.ran
                .lock()
                .unwrap()
                .contains(&"/usr/bin/resolvectl status".to_string())
        );

        let sys = healthy()
            .with_executable("/usr/bin/resolvectl")
            .with_command(
                "/usr/bin/resolvectl status",
                "Global\n  Protocols: +LLMNR -mDNS -DNSOverTLS DNSSEC=no/unsupported\n",
            );
        assert_eq!(checks(&ctx, &sys).len(), 3);
        // resolvectl that fails (or times out) adds nothing.
        let sys = healthy().with_executable("/usr/bin/resolvectl");
        assert_eq!(checks(&ctx, &sys).len(), 3);
    }

    #[test]
    fn no_nameserver_is_an_error() {
        let sys = healthy().with_file("/etc/resolv.conf", "# generated\nsearch corp\n");
        let check = &checks(&test_context(), &sys)[0];
        assert_eq!(check.status, Status::Error);
        assert!(check.finding.contains("no nameserver"));
    }

    #[test]
    fn slow_timeouts_are_a_warning() {
        let sys = healthy().with_file(
            "/etc/resolv.conf",
            "nameserver 10.0.0.1\nnameserver 10.0.0.2\noptions timeout:5 attempts:3\n",
        );
        let check = &checks(&test_context(), &sys)[0];
        assert_eq!(check.status, Status::Warning);
        assert!(check.finding.contains("30 s"), "{}", check.finding);
    }

    #[test]
    fn hosts_without_dns_and_bad_godebug_are_warnings() {
        let sys = healthy().with_file("/etc/nsswitch.conf", "hosts: files\n");
        let ctx = test_context().with_env(&[("GODEBUG", "http2client=0,netdns=fast")]);
        let checks = checks(&ctx, &sys);
        assert_eq!(checks[1].status, Status::Warning);
        assert_eq!(checks[2].status, Status::Warning);
        let ctx = test_context().with_env(&[("GODEBUG", "netdns=go+1")]);
        assert_eq!(super::checks(&ctx, &healthy())[2].status, Status::Ok);
    }
}
