//! Is the selected version installed, intact, and the version it claims?

use super::system::{Output, Run, System};
use super::{Check, Context};
use crate::store::manifest;
use gvmr_shim::GoVersion;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

pub const SECTION: &str = "Toolchain";

/// The selection, and `go version` of the selected toolchain.
pub fn selection_checks(ctx: &Context, sys: &dyn System) -> Vec<Check> {
    let selected = match &ctx.selected {
        Err(problem) => {
            return vec![Check::error(
                SECTION,
                "selection",
                format!("the version file cannot be read: {problem}"),
                "every go command in this directory fails through the shims",
                &["fix the file (one version such as 1.22.5), or set GVMR_GO_VERSION"],
            )];
        }
        Ok(None) => {
            return vec![Check::warning(
                SECTION,
                "selection",
                "no Go version is selected here (no GVMR_GO_VERSION, .go-version, go.mod or default)",
                "the go shim exits with status 127 (nothing is selected)",
                &[
                    "gvmr default VERSION",
                    "gvmr use VERSION   (in the project)",
                ],
            )];
        }
        Ok(Some(selected)) => selected,
    };
    let mut checks: Vec<Check> = selected
        .notes
        .iter()
        .map(|note| {
            Check::warning(
                SECTION,
                "version files",
                note.clone(),
                "the version a file names is not the one that runs here",
                &["fix or remove the file named above (gvmr use VERSION rewrites .go-version)"],
            )
        })
        .collect();
    if let Some(why) = &selected.overridden {
        checks.push(Check::warning(
            SECTION,
            "pin overridden",
            why.clone(),
            "the version the pin names is not the one that runs here: Go refuses a toolchain older than the module's go line",
            &[
                "select a version the module accepts (gvmr use VERSION where the pin is, or gvmr default VERSION), or remove the pin",
            ],
        ));
    }
    if let Some(system) = &selected.system {
        checks.push(match system {
            Some(go) => Check::ok(
                SECTION,
                "selection",
                format!(
                    "system is selected by {}: {}",
                    selected.source,
                    go.display()
                ),
            ),
            None => Check::error(
                SECTION,
                "selection",
                format!(
                    "system is selected by {}, but the only go on PATH is gvmr's shim",
                    selected.source
                ),
                "go exits with status 127 (no Go outside gvmr)",
                &["gvmr default VERSION   (or install Go outside gvmr)"],
            ),
        });
        return checks;
    }
    let shown = selected
        .version
        .map(|v| v.to_string())
        .unwrap_or_else(|| selected.requirement.clone());
    let Some(goroot) = &selected.goroot else {
        checks.push(
            Check::error(
                SECTION,
                "selection",
                format!(
                    "{shown} is selected by {} but not installed",
                    selected.source
                ),
                "go exits with status 127 (the selected version is not installed)",
                &[],
            )
            .with_fix(vec![format!("gvmr install {}", selected.install_argument)]),
        );
        return checks;
    };
    checks.push(Check::ok(
        SECTION,
        "selection",
        format!("{shown} is selected by {} and installed", selected.source),
    ));
    let started = Instant::now();
    let (go, output) = run_go_version(sys, goroot, Duration::from_secs(10));
    let reinstall = vec![format!(
        "gvmr install --force {}",
        selected.install_argument
    )];
    let check = match output {
        Ok(out) if out.success => {
            let reported = reported_version(&out.stdout);
            if Some(reported) == selected.version.map(|v| v.to_string()).as_deref() {
                Check::ok(
                    SECTION,
                    "go version",
                    format!("{} reports {reported}", go.display()),
                )
            } else {
                Check::error(
                    SECTION,
                    "go version",
                    format!(
                        "{} reports {:?}, not {shown}",
                        go.display(),
                        out.stdout.trim()
                    ),
                    format!("builds use another Go than {shown}; \"compile: version ... does not match go tool version ...\""),
                    &[],
                )
                .with_fix(reinstall)
            }
        }
        Ok(out) => Check::error(
            SECTION,
            "go version",
            format!(
                "{} version failed: {}",
                go.display(),
                first_line(&out.stderr)
            ),
            "every go command fails",
            &[],
        )
        .with_fix(reinstall),
        Err(problem) => Check::error(
            SECTION,
            "go version",
            problem,
            "every go command fails",
            &[],
        )
        .with_fix(reinstall),
    };
    checks.push(check.took(started));
    checks
}

/// Time one `go version` of an installed version may take.
pub const VERSION_RUN_TIMEOUT: Duration = Duration::from_secs(5);

/// `go version` of every installed version, in parallel, each against the
/// name of its directory.
pub fn installed_version_checks(ctx: &Context, sys: &dyn System) -> Vec<Check> {
    std::thread::scope(|scope| {
        let handles: Vec<_> = ctx
            .installed
            .iter()
            .map(|version| scope.spawn(move || installed_version(ctx, sys, version)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("go version thread"))
            .collect()
    })
}

/// Runs `$GOROOT/bin/go version` as that toolchain; its path and output.
fn run_go_version(
    sys: &dyn System,
    goroot: &Path,
    timeout: Duration,
) -> (PathBuf, Result<Output, String>) {
    let go = goroot.join("bin/go");
    let output = sys.run(&Run {
        program: &go,
        args: &["version"],
        env: &[
            ("GOROOT", goroot.display().to_string()),
            ("GOTOOLCHAIN", "local".into()),
        ],
        dir: None,
        timeout,
    });
    (go, output)
}

/// `go1.22.5` from `go version go1.22.5 linux/amd64`.
fn reported_version(stdout: &str) -> &str {
    stdout.split_whitespace().nth(2).unwrap_or("")
}

fn installed_version(ctx: &Context, sys: &dyn System, version: &GoVersion) -> Check {
    let started = Instant::now();
    let name = format!("go version {version}");
    let goroot = ctx.home.join("versions").join(version.to_string());
    let reinstall = vec![format!("gvmr install --force {}", version.number())];
    let symptom = format!("go fails or builds with another Go wherever {version} is selected");
    let (go, output) = run_go_version(sys, &goroot, VERSION_RUN_TIMEOUT);
    let check = match output {
        Ok(out) if out.success => {
            let reported = reported_version(&out.stdout);
            if reported == version.to_string() {
                Check::ok(
                    SECTION,
                    name,
                    format!("{} reports {reported}", go.display()),
                )
            } else {
                Check::error(
                    SECTION,
                    name,
                    format!(
                        "{} reports {:?}, not {version} (the name of its directory)",
                        go.display(),
                        out.stdout.trim()
                    ),
                    symptom,
                    &[],
                )
                .with_fix(reinstall)
            }
        }
        Ok(out) => Check::error(
            SECTION,
            name,
            format!(
                "{version}: {} version failed: {}",
                go.display(),
                first_line(&out.stderr)
            ),
            symptom,
            &[],
        )
        .with_fix(reinstall),
        Err(problem) => Check::error(
            SECTION,
            name,
            format!(
                "{version}: {problem} (limit {} s)",
                VERSION_RUN_TIMEOUT.as_secs()
            ),
            symptom,
            &[],
        )
        .with_fix(reinstall),
    };
    check.took(started)
}

/// Every installed version against its manifest.
pub fn integrity_checks(ctx: &Context, _sys: &dyn System) -> Vec<Check> {
    let mut checks = Vec::new();
    for version in &ctx.installed {
        let started = Instant::now();
        let name = format!("integrity {version}");
        let reinstall = vec![format!("gvmr install --force {}", version.number())];
        let dir = ctx.home.join("versions").join(version.to_string());
        let check = match manifest::load(&ctx.home, version) {
            Ok(None) => Check::warning(
                SECTION,
                name,
                format!("{version} has no manifest: installed before manifests existed; reinstall with gvmr install --force"),
                "damage to its files cannot be detected",
                &[],
            )
            .with_fix(reinstall),
            Err(problem) => Check::warning(SECTION, name, problem, "damage to its files cannot be detected", &[])
                .with_fix(reinstall),
            Ok(Some(recorded)) => {
                let mismatches = manifest::verify(&dir, &recorded, ctx.verify_files);
                let how = if ctx.verify_files { "SHA-256" } else { "size and mtime" };
                if mismatches.is_empty() {
                    Check::ok(
                        SECTION,
                        name,
                        format!("{} files match the manifest ({how})", recorded.files.len()),
                    )
                } else {
                    let listed: Vec<String> = mismatches
                        .iter()
                        .take(5)
                        .map(|m| format!("{} ({})", m.path, m.problem))
                        .collect();
                    let more = mismatches.len().saturating_sub(5);
                    Check::error(
                        SECTION,
                        name,
                        format!(
                            "{} of {} files differ from the manifest ({how}): {}{}",
                            mismatches.len(),
                            recorded.files.len(),
                            listed.join(", "),
                            if more > 0 { format!(" and {more} more") } else { String::new() }
                        ),
                        "builds fail or behave oddly (\"cannot find package\", \"version does not match\", crashes of the go tool)",
                        &[],
                    )
                    .with_fix(reinstall)
                }
            }
        };
        checks.push(check.took(started));
    }
    if checks.is_empty() {
        checks.push(Check::warning(
            SECTION,
            "integrity",
            "no Go version is installed",
            "there is nothing to run go with",
            &["gvmr install latest"],
        ));
    }
    checks
}

pub fn first_line(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("(no output)")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::super::fake::FakeSystem;
    use super::super::{Selected, Status, test_context};
    use super::*;
    use gvmr_shim::GoVersion;
    use std::path::PathBuf;

    fn selected(goroot: Option<&str>) -> Context {
        let mut ctx = test_context();
        ctx.selected = Ok(Some(Selected {
            system: None,
            notes: Vec::new(),
            overridden: None,
            version: Some(GoVersion::parse("1.22.5").unwrap()),
            goroot: goroot.map(PathBuf::from),
            source: "/proj/.go-version".into(),
            requirement: "go1.22.5".into(),
            install_argument: "1.22.5".into(),
        }));
        ctx
    }

    #[test]
    fn an_installed_selection_with_a_matching_go_version_is_ok() {
        let sys = FakeSystem::new().with_command(
            "/gvmr/versions/go1.22.5/bin/go version",
            "go version go1.22.5 linux/amd64\n",
        );
        let checks = selection_checks(&selected(Some("/gvmr/versions/go1.22.5")), &sys);
        assert_eq!(checks.len(), 2);
        assert!(checks.iter().all(|c| c.status == Status::Ok), "{checks:?}");
        assert!(checks[0].finding.contains("selected by /proj/.go-version"));
    }

    #[test]
    fn a_go_that_reports_another_version_is_an_error() {
        let sys = FakeSystem::new().with_command(
            "/gvmr/versions/go1.22.5/bin/go version",
            "go version go1.21.0 linux/amd64\n",
        );
        let checks = selection_checks(&selected(Some("/gvmr/versions/go1.22.5")), &sys);
        assert_eq!(checks[1].status, Status::Error);
        assert!(checks[1].finding.contains("go1.21.0"));
        assert_eq!(checks[1].fix, ["gvmr install --force 1.22.5"]);
    }

    #[test]
    fn a_pin_that_gave_way_to_the_module_is_a_warning_saying_why() {
        let why = "/m/sub/.go-version selects go1.22.10, but /m/go.mod says `go 1.27`, and Go refuses an older toolchain (GOTOOLCHAIN=local); /m/go.mod decides";
        let mut ctx = selected(Some("/gvmr/versions/go1.22.5"));
        if let Ok(Some(selected)) = &mut ctx.selected {
            selected.overridden = Some(why.into());
        }
        let sys = FakeSystem::new().with_command(
            "/gvmr/versions/go1.22.5/bin/go version",
            "go version go1.22.5 linux/amd64\n",
        );
        let checks = selection_checks(&ctx, &sys);
        assert_eq!(checks[0].check, "pin overridden");
        assert_eq!(checks[0].status, Status::Warning);
        assert_eq!(checks[0].finding, why);
        assert!(
            checks[0].fix[0].contains("gvmr use VERSION"),
            "{:?}",
            checks[0]
        );
    }

    #[test]
    fn a_go_that_cannot_run_is_an_error() {
        let sys = FakeSystem::new();
        let checks = selection_checks(&selected(Some("/gvmr/versions/go1.22.5")), &sys);
        assert_eq!(checks[1].status, Status::Error);
    }

    #[test]
    fn a_selection_that_is_not_installed_is_an_error_with_the_install_command() {
        let checks = selection_checks(&selected(None), &FakeSystem::new());
        assert_eq!(checks.len(), 1);
        assert_eq!(checks[0].status, Status::Error);
        assert!(checks[0].finding.contains("not installed"));
        assert_eq!(checks[0].fix, ["gvmr install 1.22.5"]);
    }

    #[test]
    fn no_selection_is_a_warning() {
        let checks = selection_checks(&test_context(), &FakeSystem::new());
        assert_eq!(checks[0].status, Status::Warning);
    }

    #[test]
    fn every_installed_go_must_report_the_version_of_its_directory() {
        let mut ctx = test_context();
        ctx.installed = ["1.21.0", "1.22.5", "1.23.1"]
            .iter()
            .map(|v| GoVersion::parse(v).unwrap())
            .collect();
        let sys = FakeSystem::new()
            .with_command(
                "/gvmr/versions/go1.21.0/bin/go version",
                "go version go1.21.0 linux/amd64\n",
            )
            .with_command(
                "/gvmr/versions/go1.22.5/bin/go version",
                "go version go1.22.5 linux/amd64\n",
            )
            .with_command(
                "/gvmr/versions/go1.23.1/bin/go version",
                "go version go1.23.1 linux/amd64\n",
            );
        let checks = installed_version_checks(&ctx, &sys);
        assert_eq!(checks.len(), 3);
        assert!(checks.iter().all(|c| c.status == Status::Ok), "{checks:#?}");
        assert_eq!(checks[1].check, "go version go1.22.5");

        let sys = FakeSystem::new()
            .with_command(
                "/gvmr/versions/go1.21.0/bin/go version",
                "go version go1.21.0 linux/amd64\n",
            )
            .with_command(
                "/gvmr/versions/go1.22.5/bin/go version",
                "go version go1.20.3 linux/amd64\n",
            )
            .with_failing_command(
                "/gvmr/versions/go1.23.1/bin/go version",
                "exec format error",
            );
        let checks = installed_version_checks(&ctx, &sys);
        assert_eq!(checks[0].status, Status::Ok);
        assert_eq!(checks[1].status, Status::Error);
        assert!(
            checks[1].finding.contains("go1.20.3"),
            "{}",
            checks[1].finding
        );
        assert!(checks[1].finding.contains("not go1.22.5"));
        assert_eq!(checks[1].fix, ["gvmr install --force 1.22.5"]);
        assert_eq!(checks[2].status, Status::Error);
        assert!(checks[2].finding.starts_with("go1.23.1:"));
        assert!(checks[2].finding.contains("exec format error"));

        // A go that cannot run (or times out) names the version too.
        let checks = installed_version_checks(&ctx, &FakeSystem::new());
        assert!(checks.iter().all(|c| c.status == Status::Error));
        assert!(checks[0].finding.starts_with("go1.21.0:"));
        assert!(checks[0].finding.contains("limit 5 s"));
    }

    #[test]
    fn a_version_without_manifest_is_a_warning_and_a_tampered_one_an_error() {
        let tmp = tempfile::tempdir().unwrap();
        let v = GoVersion::parse("1.22.5").unwrap();
        let mut ctx = test_context();
        ctx.home = tmp.path().to_path_buf();
        ctx.installed = vec![v];
        let dir = tmp.path().join("versions/go1.22.5");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("VERSION"), "go1.22.5").unwrap();

        let checks = integrity_checks(&ctx, &FakeSystem::new());
        assert_eq!(checks[0].status, Status::Warning);
        assert!(
            checks[0]
                .finding
                .contains("installed before manifests existed")
        );
        assert_eq!(checks[0].fix, ["gvmr install --force 1.22.5"]);

        let recorded = manifest::build(&dir, &v).unwrap();
        crate::files::write_atomically(
            &manifest::manifest_path(tmp.path(), &v),
            &serde_json::to_vec(&recorded).unwrap(),
        )
        .unwrap();
        assert_eq!(
            integrity_checks(&ctx, &FakeSystem::new())[0].status,
            Status::Ok
        );

        std::fs::write(dir.join("VERSION"), "go1.22.5X").unwrap();
        let checks = integrity_checks(&ctx, &FakeSystem::new());
        assert_eq!(checks[0].status, Status::Error);
        assert!(
            checks[0].finding.contains("VERSION (size changed)"),
            "{}",
            checks[0].finding
        );
    }
}
