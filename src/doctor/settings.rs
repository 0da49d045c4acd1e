//! The configuration every command runs with: each of Go's settings that
//! gvmr acts on, with its value and where it came from (environment, go env
//! file, the toolchain's go.env, Go's default), and every gvmr setting that
//! cannot be used.

use super::system::System;
use super::{Check, Context};
use crate::ui::tildify;
use gvmr_shim::go_env::Origin;

pub const SECTION: &str = "Settings";

pub fn checks(ctx: &Context, _: &dyn System) -> Vec<Check> {
    let mut checks: Vec<Check> = ctx
        .settings
        .problems()
        .into_iter()
        .map(|problem| {
            Check::error(
                SECTION,
                "gvmr settings",
                problem.to_string(),
                "the commands that need this setting fail with this message",
                &["correct the variable, or unset it to use the default"],
            )
        })
        .collect();
    if let Some(problem) = ctx
        .settings
        .sources()
        .ok()
        .and_then(|sources| ctx.settings.credentials(sources).err())
    {
        checks.push(Check::error(
            SECTION,
            "netrc",
            problem.to_string(),
            "installs from private mirrors fail with this message",
            &["make the file readable, or point NETRC at the right one"],
        ));
    }
    checks.extend(ctx.go.all().map(|(name, value)| {
        let shown = match name {
            _ if value.value.is_empty() => "(empty)".to_string(),
            // "key [URL]", where the URL need not have a scheme.
            "GOSUMDB" => crate::verify::sumdb::client::shown_gosumdb(&value.value),
            _ => crate::net::goproxy::redact_list(&value.value),
        };
        Check::ok(
            SECTION,
            name,
            format!("{shown} ({})", source_words(&value.origin)),
        )
    }));
    checks
}

/// Where a value came from, the kind first: `env`, `file ~/.config/go/env`,
/// `go.env in GOROOT`, `default`.
fn source_words(origin: &Origin) -> String {
    match origin {
        Origin::Environment | Origin::Default => origin.kind().to_string(),
        Origin::EnvFile(path) => format!("file {}", tildify(path)),
        Origin::GoRoot(path) => format!("go.env in {}", tildify(path.parent().unwrap_or(path))),
    }
}

#[cfg(test)]
mod tests {
    use super::super::fake::FakeSystem;
    use super::super::{Status, test_context};
    use super::*;

    #[test]
    fn each_go_setting_is_shown_with_its_source_and_bad_settings_are_errors() {
        let home = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(home.path().join(".config/go")).unwrap();
        std::fs::write(
            home.path().join(".config/go/env"),
            "GOPROXY=https://u:pw@goproxy.cn,direct\n",
        )
        .unwrap();
        let root = home.path().to_str().unwrap();
        let ctx = test_context().with_env(&[
            ("HOME", root),
            ("GOSUMDB", "sum.golang.google.cn"),
            ("GVMR_RETRIES", "many"),
        ]);
        let found = checks(&ctx, &FakeSystem::new());
        let find = |name: &str| found.iter().find(|c| c.check == name).unwrap();
        let proxy = &find("GOPROXY").finding;
        assert!(
            proxy.starts_with("https://u:***@goproxy.cn/,direct (file /"),
            "{proxy}"
        );
        assert!(!proxy.contains("pw"), "{proxy}");
        assert_eq!(find("GOSUMDB").finding, "sum.golang.google.cn (env)");
        assert_eq!(find("GOTOOLCHAIN").finding, "auto (default)");
        assert_eq!(find("GOBIN").finding, format!("{root}/go/bin (default)"));
        let ctx = test_context().with_env(&[("GOSUMDB", "sum.golang.org u:s3cret@sumdb.corp/x")]);
        let found_sumdb = checks(&ctx, &FakeSystem::new());
        let sumdb = found_sumdb.iter().find(|c| c.check == "GOSUMDB").unwrap();
        assert_eq!(sumdb.finding, "sum.golang.org u:***@sumdb.corp/x (env)");
        let bad = find("gvmr settings");
        assert_eq!(bad.status, Status::Error);
        assert!(bad.finding.starts_with("GVMR_RETRIES must be"), "{bad:?}");
    }
}
