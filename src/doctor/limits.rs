//! Resource limits that break big builds and many parallel downloads.
//! Only where the files exist (Linux).

use super::system::System;
use super::{Check, Context};
use std::path::Path;

pub const SECTION: &str = "Limits";
const MIN_OPEN_FILES: u64 = 4096;
const MIN_PORTS: u64 = 10000;
const MIN_PIDS: u64 = 4096;
/// Below this, getrandom blocks on kernels before 5.6.
const MIN_ENTROPY: u64 = 256;
const ENTROPY_FIXED_KERNEL: (u64, u64) = (5, 6);

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
    checks.extend(entropy(sys));
    checks.extend(selinux(sys));
    checks
}

/// "5.4.0-150-generic" → (5, 4).
fn kernel_version(release: &str) -> Option<(u64, u64)> {
    let mut parts = release.trim().split(['.', '-']);
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    Some((major, minor))
}

fn entropy(sys: &dyn System) -> Option<Check> {
    let available = number(sys, "/proc/sys/kernel/random/entropy_avail")?;
    let release = sys.read_file(Path::new("/proc/sys/kernel/osrelease"))?;
    let kernel = kernel_version(&release)?;
    let release = release.trim();
    let (fixed_major, fixed_minor) = ENTROPY_FIXED_KERNEL;
    if kernel >= ENTROPY_FIXED_KERNEL {
        return Some(Check::ok(
            SECTION,
            "entropy",
            format!(
                "kernel {release} (>= {fixed_major}.{fixed_minor}): getrandom does not wait for entropy ({available} available)"
            ),
        ));
    }
    if available < MIN_ENTROPY {
        Some(Check::warning(
            SECTION,
            "entropy",
            format!(
                "entropy_avail is {available} (below {MIN_ENTROPY}) on kernel {release} (older than {fixed_major}.{fixed_minor})"
            ),
            "go test that uses crypto/rand can block (hangs early after boot, in VMs and containers)",
            &[
                "install and start an entropy daemon: sudo apt-get install haveged (or rng-tools), or give the VM a virtio-rng device",
            ],
        ))
    } else {
        Some(Check::ok(
            SECTION,
            "entropy",
            format!("entropy_avail is {available} (at least {MIN_ENTROPY}) on kernel {release}"),
        ))
    }
}

fn selinux(sys: &dyn System) -> Option<Check> {
    let enforce = sys.read_file(Path::new("/sys/fs/selinux/enforce"))?;
    let enforcing = enforce.trim() == "1";
    let deny = sys
        .read_file(Path::new("/sys/fs/selinux/booleans/deny_execmem"))
        .map(|v| v.trim_start().starts_with('1'));
    match (enforcing, deny) {
        (true, Some(true)) => Some(Check::error(
            SECTION,
            "SELinux",
            "SELinux is enforcing (/sys/fs/selinux/enforce = 1) and deny_execmem is on",
            "Go programs fail with \"mmap: permission denied\" / cannot allocate executable memory",
            &["sudo setsebool -P deny_execmem 0"],
        )),
        (true, _) => Some(Check::ok(
            SECTION,
            "SELinux",
            "SELinux is enforcing; deny_execmem is off",
        )),
        (false, _) => Some(Check::ok(SECTION, "SELinux", "SELinux is not enforcing")),
    }
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
    fn low_entropy_matters_only_before_kernel_5_6() {
        let sys = FakeSystem::new()
            .with_file("/proc/sys/kernel/random/entropy_avail", "120\n")
            .with_file("/proc/sys/kernel/osrelease", "5.4.0-150-generic\n");
        let found = checks(&test_context(), &sys);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].status, Status::Warning);
        assert!(
            found[0]
                .finding
                .contains("entropy_avail is 120 (below 256)")
        );
        assert!(found[0].finding.contains("older than 5.6"));
        assert!(
            found[0]
                .symptom
                .as_deref()
                .unwrap()
                .contains("crypto/rand can block")
        );

        let sys = FakeSystem::new()
            .with_file("/proc/sys/kernel/random/entropy_avail", "3000\n")
            .with_file("/proc/sys/kernel/osrelease", "4.19.0\n");
        assert_eq!(checks(&test_context(), &sys)[0].status, Status::Ok);
        let sys = FakeSystem::new()
            .with_file("/proc/sys/kernel/random/entropy_avail", "120\n")
            .with_file("/proc/sys/kernel/osrelease", "6.8.0-45-generic\n");
        let found = checks(&test_context(), &sys);
        assert_eq!(found[0].status, Status::Ok);
        assert!(found[0].finding.contains(">= 5.6"));
    }

    #[test]
    fn selinux_denying_execmem_is_an_error() {
        let sys = FakeSystem::new()
            .with_file("/sys/fs/selinux/enforce", "1")
            .with_file("/sys/fs/selinux/booleans/deny_execmem", "1 1");
        let found = checks(&test_context(), &sys);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].status, Status::Error);
        assert!(
            found[0]
                .symptom
                .as_deref()
                .unwrap()
                .contains("mmap: permission denied")
        );
        assert_eq!(found[0].fix, ["sudo setsebool -P deny_execmem 0"]);

        let sys = FakeSystem::new()
            .with_file("/sys/fs/selinux/enforce", "1")
            .with_file("/sys/fs/selinux/booleans/deny_execmem", "0 0");
        assert_eq!(checks(&test_context(), &sys)[0].status, Status::Ok);
        let sys = FakeSystem::new()
            .with_file("/sys/fs/selinux/enforce", "0")
            .with_file("/sys/fs/selinux/booleans/deny_execmem", "1 1");
        assert_eq!(checks(&test_context(), &sys)[0].status, Status::Ok);
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
