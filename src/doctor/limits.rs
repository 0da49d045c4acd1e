//! Resource limits that break big builds and many parallel downloads.
//! Only where the files exist (Linux).

use super::system::System;
use super::{Check, Context};
use std::path::Path;

pub const SECTION: &str = "Limits";
const MIN_OPEN_FILES: u64 = 4096;
const MIN_PORTS: u64 = 10000;
const MIN_PIDS: u64 = 4096;

/// Soft and hard value of a line of /proc/self/limits ("unlimited" = MAX).
fn limit(text: &str, name: &str) -> Option<(u64, u64)> {
    let rest = text.lines().find_map(|l| l.strip_prefix(name))?;
    let mut words = rest.split_whitespace();
    let value = |w: Option<&str>| match w? {
        "unlimited" => Some(u64::MAX),
        n => n.parse().ok(),
    };
    Some((value(words.next())?, value(words.next())?))
}

fn number(sys: &dyn System, path: &str) -> Option<u64> {
    sys.read_file(Path::new(path))?.trim().parse().ok()
}

pub fn checks(_ctx: &Context, sys: &dyn System) -> Vec<Check> {
    let mut checks = Vec::new();
    if let Some(text) = sys.read_file(Path::new("/proc/self/limits")) {
        if let Some((soft, hard)) = limit(&text, "Max open files") {
            if soft < MIN_OPEN_FILES {
                let target = hard.min(65536);
                checks.push(
                    Check::warning(
                        SECTION,
                        "open files",
                        format!("the open files soft limit is {soft} (below {MIN_OPEN_FILES}; hard limit {})", show(hard)),
                        "go build, go test and go mod download of big modules fail with \"too many open files\"",
                        &[],
                    )
                    .with_fix(vec![format!("ulimit -n {target}   (in your shell startup file; raise the hard limit in /etc/security/limits.conf)")]),
                );
            } else {
                checks.push(Check::ok(
                    SECTION,
                    "open files",
                    format!("soft limit {}", show(soft)),
                ));
            }
        }
        if let Some((soft, _)) = limit(&text, "Max processes")
            && soft < MIN_PIDS
        {
            checks.push(Check::warning(
                SECTION,
                "processes",
                format!("the processes soft limit is {soft}"),
                "\"runtime: failed to create new OS thread\" or \"fork/exec: resource temporarily unavailable\" in parallel builds",
                &["ulimit -u 16384"],
            ));
        }
    }
    if let Some(text) = sys.read_file(Path::new("/proc/sys/net/ipv4/ip_local_port_range")) {
        let ends: Vec<u64> = text
            .split_whitespace()
            .filter_map(|w| w.parse().ok())
            .collect();
        if let [low, high] = ends[..] {
            let width = high.saturating_sub(low) + 1;
            if width < MIN_PORTS {
                checks.push(Check::warning(
                    SECTION,
                    "local ports",
                    format!("ip_local_port_range {low}-{high} leaves {width} ports (below {MIN_PORTS})"),
                    "many parallel downloads fail with \"connect: cannot assign requested address\"",
                    &["sudo sysctl -w net.ipv4.ip_local_port_range=\"15000 65000\""],
                ));
            } else {
                checks.push(Check::ok(
                    SECTION,
                    "local ports",
                    format!("{width} local ports ({low}-{high})"),
                ));
            }
        }
    }
    for (path, name) in [
        ("/proc/sys/kernel/pid_max", "pid_max"),
        ("/proc/sys/kernel/threads-max", "threads-max"),
    ] {
        if let Some(value) = number(sys, path) {
            if value < MIN_PIDS {
                checks.push(
                    Check::warning(
                        SECTION,
                        name,
                        format!("{name} is {value} (below {MIN_PIDS})"),
                        "\"runtime: failed to create new OS thread\" during builds and tests",
                        &[],
                    )
                    .with_fix(vec![format!(
                        "sudo sysctl -w kernel.{}=65536",
                        name.replace('-', "_")
                    )]),
                );
            } else {
                checks.push(Check::ok(SECTION, name, format!("{name} is {value}")));
            }
        }
    }
    checks
}

fn show(n: u64) -> String {
    if n == u64::MAX {
        "unlimited".into()
    } else {
        n.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::super::fake::FakeSystem;
    use super::super::{Status, test_context};
    use super::*;

    const LIMITS: &str = "Limit                     Soft Limit           Hard Limit           Units     \nMax processes             63445                63445                processes \nMax open files            1024                 1048576              files     \n";

    #[test]
    fn low_limits_are_warnings_with_fixes() {
        let sys = FakeSystem::new()
            .with_file("/proc/self/limits", LIMITS)
            .with_file("/proc/sys/net/ipv4/ip_local_port_range", "60000\t61000\n")
            .with_file("/proc/sys/kernel/pid_max", "1000\n")
            .with_file("/proc/sys/kernel/threads-max", "120000\n");
        let checks = checks(&test_context(), &sys);
        let status: Vec<_> = checks
            .iter()
            .map(|c| (c.check.as_str(), c.status))
            .collect();
        assert_eq!(
            status,
            [
                ("open files", Status::Warning),
                ("local ports", Status::Warning),
                ("pid_max", Status::Warning),
                ("threads-max", Status::Ok)
            ]
        );
        assert!(checks[0].finding.contains("1024"));
        assert_eq!(
            checks[0].fix,
            [
                "ulimit -n 65536   (in your shell startup file; raise the hard limit in /etc/security/limits.conf)"
            ]
        );
        assert!(checks[1].finding.contains("1001 ports"));
        assert_eq!(checks[2].fix, ["sudo sysctl -w kernel.pid_max=65536"]);
    }

    #[test]
    fn healthy_limits_are_ok_and_missing_files_are_skipped() {
        let sys = FakeSystem::new()
            .with_file("/proc/self/limits", &LIMITS.replace("1024 ", "65536"))
            .with_file("/proc/sys/net/ipv4/ip_local_port_range", "32768 60999\n");
        let checks = checks(&test_context(), &sys);
        assert_eq!(checks.len(), 2);
        assert!(checks.iter().all(|c| c.status == Status::Ok), "{checks:#?}");
        assert!(super::checks(&test_context(), &FakeSystem::new()).is_empty());
    }
}
