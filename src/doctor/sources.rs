//! Download sources: the release listings and archive mirrors gvmr uses
//! (`GVMR_MIRROR`, `GVMR_INDEX_URL`, the presets), each probed for DNS,
//! connect and time to first byte with the one probe ([`crate::net::probe`],
//! which `gvmr mirrors --check` uses too).
//!
//! When go.dev does not answer but golang.google.cn does, doctor recommends
//! the `china` preset and Go's mirrors for modules in China.

use super::system::System;
use super::{Check, Context, Status};
use crate::net::probe::{Kind, Probe, Timeouts, probe_all};
use gvmr_shim::go_env::DEFAULT_GOSUMDB;
use std::time::{Duration, Instant};

pub const SECTION: &str = "Download sources";
/// Doctor's limits per step, and for the whole group.
const DOCTOR_TIMEOUTS: Timeouts = Timeouts {
    dns: Duration::from_millis(2000),
    connect: Duration::from_millis(2000),
    first_byte: Duration::from_millis(3000),
};
pub const GROUP_TIMEOUT: Duration = Duration::from_millis(7500);

/// The doctor check for a probe.
fn check(probe: &Probe) -> Check {
    let name = match probe.kind {
        Kind::Listing => format!("listing {}", probe.url),
        Kind::Archive => format!("archives {}", probe.url),
    };
    let mut finding = format!("{} ({})", probe.finding, probe.origin);
    if let Some(credentials) = &probe.credentials {
        finding.push_str(&format!(", credentials from {credentials}"));
    }
    match probe.status {
        Status::Ok => Check::ok(SECTION, name, finding),
        status => Check::problem(
            status,
            SECTION,
            name,
            finding,
            match probe.kind {
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

/// The "Download sources" group of `gvmr doctor`: the sources install
/// uses, with the credentials it sends. (An unusable `GVMR_MIRROR` or
/// `GVMR_INDEX_URL` is reported in the "Settings" group.)
pub fn checks(ctx: &Context, sys: &dyn System) -> Vec<Check> {
    let started = Instant::now();
    let settings = &ctx.settings;
    let Ok(sources) = settings.sources() else {
        return Vec::new();
    };
    // An unreadable netrc file is reported in "Settings"; probe without it.
    let credentials = settings.credentials(sources).unwrap_or_default();
    let deadline = started + GROUP_TIMEOUT - Duration::from_millis(500);
    let probes = probe_all(
        sys,
        sources,
        &credentials,
        settings.process.behind_proxy,
        DOCTOR_TIMEOUTS,
        deadline,
    );
    let mut checks: Vec<Check> = probes.iter().map(|p| check(p).took(started)).collect();
    checks.extend(china_advice(ctx, &probes));
    checks
}

/// When go.dev does not answer but golang.google.cn does (mainland China):
/// the `china` preset, and Go's module proxy and checksum database mirrors
/// there, unless already chosen.
fn china_advice(ctx: &Context, probes: &[Probe]) -> Option<Check> {
    let listing = |host: &str, status: Status| {
        probes.iter().any(|p| {
            p.kind == Kind::Listing && p.url.host_str() == Some(host) && p.status == status
        })
    };
    if !(listing("go.dev", Status::Error) && listing("golang.google.cn", Status::Ok)) {
        return None;
    }
    let mut fix = Vec::new();
    let china_chosen = probes.iter().any(|p| p.origin.starts_with("preset china"));
    if !china_chosen {
        fix.push(
            "export GVMR_MIRROR=china   (archives from mirrors in China, the listing from golang.google.cn first)"
                .to_string(),
        );
    }
    if ctx.go.value("GOPROXY").contains("proxy.golang.org") {
        fix.push("go env -w GOPROXY=https://goproxy.cn,direct   (modules)".to_string());
    }
    if ctx.go.value("GOSUMDB").trim() == DEFAULT_GOSUMDB {
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
    use crate::net::sources::{self, Sourced};
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
        let env = [
            ("GVMR_MIRROR", "cn"),
            ("GOPROXY", "https://goproxy.cn,direct"),
        ];
        let sys = FakeSystem {
            http: sys.http.clone(),
            ..FakeSystem::new()
        };
        let found = checks(&test_context().with_env(&env), &sys);
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
        let env = [
            (
                "GVMR_MIRROR",
                "https://nowhere.example/go/,https://refused.example/go/",
            ),
            ("GVMR_INDEX_URL", "https://auth.example/l.json"),
        ];
        let mut sys = FakeSystem::new();
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
        let found = checks(&test_context().with_env(&env), &sys);
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
        let home = tempfile::tempdir().unwrap();
        std::fs::write(
            home.path().join(".netrc"),
            "machine files.corp.example login bob password hunter2\n",
        )
        .unwrap();
        let env = [
            ("HOME", home.path().to_str().unwrap()),
            (
                "GVMR_MIRROR",
                "https://alice:s3cret@go.corp.example/dl/,https://files.corp.example/go/",
            ),
        ];
        let found = checks(&test_context().with_env(&env), &FakeSystem::new());
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
    fn mirrors_without_signatures_are_warnings() {
        let mut sys = FakeSystem::new();
        sys.http
            .insert("https://m.example/go/f.tar.gz.asc".into(), Ok(404));
        let source = Sourced {
            url: crate::net::url::DisplaySafeUrl::parse("https://m.example/go/").unwrap(),
            origin: sources::Origin::Env("GVMR_MIRROR"),
        };
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut found = crate::net::probe::probe(
            &sys,
            Kind::Archive,
            &source,
            None,
            false,
            DOCTOR_TIMEOUTS,
            deadline,
        );
        let files = ["f.tar.gz.sha256".into(), "f.tar.gz.asc".into()];
        let mut without_asc = found.clone();
        crate::net::probe::check_files(
            &sys,
            &mut without_asc,
            "f.tar.gz",
            &files,
            Duration::from_secs(1),
            deadline,
        );
        assert_eq!(without_asc.status, Status::Warning);
        assert!(without_asc.finding.contains("f.tar.gz found; f.tar.gz.sha256 found; f.tar.gz.asc: missing: gvmr needs a mirror that copies Go's signatures"), "{}", without_asc.finding);

        // A mirror without the release is not blamed for its signature.
        sys.http
            .insert("https://m.example/go/f.tar.gz".into(), Ok(404));
        crate::net::probe::check_files(
            &sys,
            &mut found,
            "f.tar.gz",
            &files,
            Duration::from_secs(1),
            deadline,
        );
        assert_eq!(found.status, Status::Warning);
        assert!(
            found
                .finding
                .ends_with("; f.tar.gz: not on this mirror (installs of it use the next mirror)"),
            "{}",
            found.finding
        );
        assert!(!found.finding.contains("signature"), "{}", found.finding);
    }
}
