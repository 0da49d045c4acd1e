//! `gvmr doctor`: finds what makes an installed Go unusable and says how to
//! fix it. Each check group runs in its own thread with its own time limit;
//! every check reads the machine through [`system::System`].

mod build;
mod environment;
mod limits;
mod network;
mod resolver;
pub mod sources;
pub mod system;
mod toolchain;

use crate::error::Error;
use crate::net::http::Http;
use crate::store::Store;
use gvmr_shim::GoVersion;
use gvmr_shim::select::{Inputs, lookup};
use gvmr_shim::toolchain::resolve;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};
use system::{RealSystem, System};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    Warning,
    Error,
}

/// One finding.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub section: &'static str,
    pub check: String,
    pub status: Status,
    pub finding: String,
    /// What the user sees because of it (empty when ok).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub symptom: Option<String>,
    /// Commands that fix it.
    pub fix: Vec<String>,
    pub duration_ms: u64,
}

impl Check {
    pub fn ok(
        section: &'static str,
        check: impl Into<String>,
        finding: impl Into<String>,
    ) -> Check {
        Check {
            section,
            check: check.into(),
            status: Status::Ok,
            finding: finding.into(),
            symptom: None,
            fix: Vec::new(),
            duration_ms: 0,
        }
    }

    pub fn problem(
        status: Status,
        section: &'static str,
        check: impl Into<String>,
        finding: impl Into<String>,
        symptom: impl Into<String>,
        fix: &[&str],
    ) -> Check {
        Check {
            section,
            check: check.into(),
            status,
            finding: finding.into(),
            symptom: Some(symptom.into()).filter(|s: &String| !s.is_empty()),
            fix: fix.iter().map(|s| s.to_string()).collect(),
            duration_ms: 0,
        }
    }

    pub fn warning(
        section: &'static str,
        check: impl Into<String>,
        finding: impl Into<String>,
        symptom: impl Into<String>,
        fix: &[&str],
    ) -> Check {
        Check::problem(Status::Warning, section, check, finding, symptom, fix)
    }

    pub fn error(
        section: &'static str,
        check: impl Into<String>,
        finding: impl Into<String>,
        symptom: impl Into<String>,
        fix: &[&str],
    ) -> Check {
        Check::problem(Status::Error, section, check, finding, symptom, fix)
    }

    pub fn with_fix(mut self, fix: Vec<String>) -> Check {
        self.fix = fix;
        self
    }

    pub fn took(mut self, started: Instant) -> Check {
        self.duration_ms = started.elapsed().as_millis() as u64;
        self
    }
}

/// The selected version, as the resolver sees it.
#[derive(Debug, Clone)]
pub struct Selected {
    pub version: Option<GoVersion>,
    /// Set when the version is installed.
    pub goroot: Option<PathBuf>,
    /// What selected it (GVMR_GO_VERSION, a file).
    pub source: String,
    pub requirement: String,
    pub install_argument: String,
    /// `system` is selected: the go found on PATH outside gvmr, if any.
    pub system: Option<Option<PathBuf>>,
    /// What the resolver noticed: skipped files, ignored lines, a pin
    /// overridden by go.mod.
    pub notes: Vec<String>,
}

/// What every check may need to know.
#[derive(Debug, Clone)]
pub struct Context {
    pub home: PathBuf,
    /// `Err` when a version file cannot be read; `Ok(None)` when nothing selects.
    pub selected: Result<Option<Selected>, String>,
    pub installed: Vec<GoVersion>,
    pub offline: bool,
    pub verify_files: bool,
}

impl Context {
    pub fn gather(home: &Path, cwd: &Path, sys: &dyn System, installed: Vec<GoVersion>) -> Context {
        let inputs = Inputs {
            env_version: sys.env("GVMR_GO_VERSION").filter(|v| !v.trim().is_empty()),
            gowork: sys.env("GOWORK"),
            home: Some(home.to_path_buf()),
            path: sys.env("PATH").map(Into::into),
        };
        let found = lookup(cwd, &inputs);
        let selected = match found.result {
            Ok(None) => Ok(None),
            Err(e) => Err(e.to_string()),
            Ok(Some(selection)) => {
                let resolved = resolve(selection, home, inputs.path.as_deref());
                let mut notes = found.notes;
                notes.extend(resolved.overridden.clone());
                Ok(Some(Selected {
                    version: resolved.version,
                    goroot: resolved.goroot.clone(),
                    source: resolved.selection.source.to_string(),
                    requirement: resolved.selection.requirement.to_string(),
                    install_argument: resolved.install_argument(),
                    system: resolved.system.map(|s| s.go),
                    notes,
                }))
            }
        };
        Context {
            home: home.to_path_buf(),
            selected,
            installed,
            offline: false,
            verify_files: false,
        }
    }

    /// The installed selected toolchain, if any.
    pub fn goroot(&self) -> Option<&Path> {
        self.selected
            .as_ref()
            .ok()
            .and_then(|s| s.as_ref())
            .and_then(|s| s.goroot.as_deref())
    }

    pub fn shims_dir(&self) -> PathBuf {
        self.home.join("shims")
    }
}

type GroupFn = fn(&Context, &dyn System) -> Vec<Check>;

/// A group of checks that runs in one thread.
struct Group {
    section: &'static str,
    name: &'static str,
    timeout: Duration,
    run: GroupFn,
    network: bool,
}

fn groups(ctx: &Context) -> Vec<Group> {
    let integrity_timeout = if ctx.verify_files { 300 } else { 20 };
    vec![
        Group {
            section: toolchain::SECTION,
            name: "selection",
            timeout: Duration::from_secs(10),
            run: toolchain::selection_checks,
            network: false,
        },
        Group {
            section: toolchain::SECTION,
            name: "integrity",
            timeout: Duration::from_secs(integrity_timeout),
            run: toolchain::integrity_checks,
            network: false,
        },
        Group {
            section: toolchain::SECTION,
            name: "installed versions",
            timeout: Duration::from_secs(10),
            run: toolchain::installed_version_checks,
            network: false,
        },
        Group {
            section: environment::SECTION,
            name: "environment",
            timeout: Duration::from_secs(5),
            run: environment::checks,
            network: false,
        },
        Group {
            section: build::SECTION,
            name: "build",
            timeout: build::GROUP_TIMEOUT,
            run: build::checks,
            network: false,
        },
        Group {
            section: network::SECTION,
            name: "module downloads",
            timeout: network::GROUP_TIMEOUT,
            run: network::checks,
            network: true,
        },
        Group {
            section: sources::SECTION,
            name: "download sources",
            timeout: sources::GROUP_TIMEOUT,
            run: sources::checks,
            network: true,
        },
        Group {
            section: resolver::SECTION,
            name: "resolver",
            timeout: Duration::from_secs(2),
            run: resolver::checks,
            network: false,
        },
        Group {
            section: limits::SECTION,
            name: "limits",
            timeout: Duration::from_secs(2),
            run: limits::checks,
            network: false,
        },
    ]
}

/// Runs every group in parallel; a group that overruns its time limit is
/// reported as an error instead of being waited for.
pub fn run_checks(ctx: Context, sys: Arc<dyn System>) -> Vec<Check> {
    let all = groups(&ctx);
    run_groups(ctx, sys, all)
}

fn run_groups(ctx: Context, sys: Arc<dyn System>, groups: Vec<Group>) -> Vec<Check> {
    let ctx = Arc::new(ctx);
    let started = Instant::now();
    let mut pending = Vec::new();
    for group in groups {
        if group.network && ctx.offline {
            continue;
        }
        let (tx, rx) = mpsc::channel();
        let (ctx, sys) = (Arc::clone(&ctx), Arc::clone(&sys));
        let run = group.run;
        std::thread::spawn(move || {
            let _ = tx.send(run(&ctx, sys.as_ref()));
        });
        pending.push((group, rx));
    }
    let mut checks = Vec::new();
    for (group, rx) in pending {
        let left = (started + group.timeout).saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(found) => checks.extend(found),
            Err(_) => checks.push(
                Check::error(
                    group.section,
                    group.name,
                    format!(
                        "the {} checks did not finish within {:.1} s",
                        group.name,
                        group.timeout.as_secs_f64()
                    ),
                    "something on this machine hangs (a command, a file system or the network)",
                    &[],
                )
                .took(started),
            ),
        }
    }
    checks
}

/// `gvmr doctor`. `Ok(false)` when any check is an error. Network checks
/// go through `http` (gvmr's client, with the credentials it would send).
pub fn doctor(
    store: &Store,
    http: Http,
    json: bool,
    offline: bool,
    verify_files: bool,
) -> Result<bool, Error> {
    let cwd = crate::switch::selection::current_dir()?;
    let installed = store.installed()?;
    let sys: Arc<dyn System> = Arc::new(RealSystem::new(http));
    let mut ctx = Context::gather(store.root(), &cwd, sys.as_ref(), installed);
    ctx.offline = offline;
    ctx.verify_files = verify_files;
    let checks = run_checks(ctx, sys);
    let text = if json {
        let mut text = serde_json::to_string_pretty(&checks).expect("checks serialize");
        text.push('\n');
        text
    } else {
        let colour = crate::ui::stdout_in_colour();
        render(&checks, colour)
    };
    crate::ui::out(text)?;
    Ok(!checks.iter().any(|c| c.status == Status::Error))
}

/// The human report: sections, one line per check (plus symptom and fix
/// for problems), a summary line.
pub fn render(checks: &[Check], colour: bool) -> String {
    let paint = |code: &str, text: &str| {
        if colour {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    };
    let mut out = String::new();
    let mut section = "";
    for check in checks {
        if check.section != section {
            section = check.section;
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(&paint("1", section));
            out.push('\n');
        }
        let label = match check.status {
            Status::Ok => paint("32", "ok     "),
            Status::Warning => paint("33", "warning"),
            Status::Error => paint("31", "error  "),
        };
        let time = if check.duration_ms >= 100 {
            format!(" ({:.1} s)", check.duration_ms as f64 / 1000.0)
        } else {
            String::new()
        };
        out.push_str(&format!(
            "  {label}  {}: {}{time}\n",
            check.check, check.finding
        ));
        if let Some(symptom) = &check.symptom {
            out.push_str(&format!("           symptom: {symptom}\n"));
        }
        for fix in &check.fix {
            out.push_str(&format!("           fix: {fix}\n"));
        }
    }
    let count = |s| checks.iter().filter(|c| c.status == s).count();
    let (errors, warnings) = (count(Status::Error), count(Status::Warning));
    out.push_str(&format!(
        "\n{} checks: {} ok, {warnings} warning{}, {errors} error{}\n",
        checks.len(),
        count(Status::Ok),
        if warnings == 1 { "" } else { "s" },
        if errors == 1 { "" } else { "s" },
    ));
    out
}

#[cfg(test)]
pub mod fake {
    //! A [`System`] whose every answer is set by the test.

    use super::system::{Output, Run, System};
    use std::collections::HashMap;
    use std::net::SocketAddr;
    use std::path::{Path, PathBuf};
    use std::sync::Mutex;
    use std::time::Duration;

    #[derive(Default)]
    pub struct FakeSystem {
        pub env: HashMap<String, String>,
        pub files: HashMap<PathBuf, String>,
        pub executables: Vec<PathBuf>,
        /// Answers of `run`, by "program arg1 arg2" prefix.
        pub commands: Vec<(String, Result<Output, String>)>,
        pub ran: Mutex<Vec<String>>,
        pub resolved: HashMap<String, Result<Vec<SocketAddr>, String>>,
        pub refused: Vec<SocketAddr>,
        pub http: HashMap<String, Result<u16, String>>,
    }

    impl FakeSystem {
        pub fn new() -> FakeSystem {
            FakeSystem::default()
        }
        pub fn with_env(mut self, name: &str, value: &str) -> FakeSystem {
            self.env.insert(name.into(), value.into());
            self
        }
        pub fn with_file(mut self, path: &str, text: &str) -> FakeSystem {
            self.files.insert(path.into(), text.into());
            self
        }
        pub fn with_executable(mut self, path: &str) -> FakeSystem {
            self.executables.push(path.into());
            self
        }
        pub fn with_command(mut self, prefix: &str, stdout: &str) -> FakeSystem {
            let output = Output {
                success: true,
                stdout: stdout.into(),
                stderr: String::new(),
            };
            self.commands.push((prefix.into(), Ok(output)));
            self
        }
        pub fn with_failing_command(mut self, prefix: &str, stderr: &str) -> FakeSystem {
            let output = Output {
                success: false,
                stdout: String::new(),
                stderr: stderr.into(),
            };
            self.commands.push((prefix.into(), Ok(output)));
            self
        }
    }

    impl System for FakeSystem {
        fn env(&self, name: &str) -> Option<String> {
            self.env.get(name).cloned().filter(|v| !v.is_empty())
        }
        fn read_file(&self, path: &Path) -> Option<String> {
            self.files.get(path).cloned()
        }
        fn is_executable(&self, path: &Path) -> bool {
            self.executables.iter().any(|p| p == path)
        }
        fn run(&self, run: &Run) -> Result<Output, String> {
            let line = std::iter::once(run.program.display().to_string())
                .chain(run.args.iter().map(|a| a.to_string()))
                .collect::<Vec<_>>()
                .join(" ");
            self.ran.lock().unwrap().push(line.clone());
            self.commands
                .iter()
                .find(|(pattern, _)| line.contains(pattern.as_str()))
                .map(|(_, answer)| answer.clone())
                .unwrap_or_else(|| Err(format!("cannot run {line}: not found")))
        }
        fn resolve(&self, host: &str, port: u16, _: Duration) -> Result<Vec<SocketAddr>, String> {
            self.resolved
                .get(host)
                .cloned()
                .unwrap_or_else(|| Ok(vec![SocketAddr::from(([192, 0, 2, 1], port))]))
        }
        fn connect(&self, addr: SocketAddr, _: Duration) -> Result<(), String> {
            if self.refused.contains(&addr) {
                Err(format!("cannot connect to {addr}: Connection refused"))
            } else {
                Ok(())
            }
        }
        fn http_get(
            &self,
            url: &crate::net::url::DisplaySafeUrl,
            _: Duration,
        ) -> Result<u16, String> {
            self.http.get(&url.to_string()).cloned().unwrap_or(Ok(200))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_groups_by_section_and_counts() {
        let checks = vec![
            Check::ok("Toolchain", "selection", "go1.22.5 is installed"),
            Check::error(
                "Toolchain",
                "integrity",
                "bad",
                "it breaks",
                &["gvmr install --force 1.22.5"],
            ),
            Check::warning(
                "Limits",
                "open files",
                "low",
                "too many open files",
                &["ulimit -n 65536"],
            ),
        ];
        let text = render(&checks, false);
        assert!(
            text.starts_with("Toolchain\n  ok       selection: go1.22.5 is installed\n"),
            "{text}"
        );
        assert!(text.contains("fix: gvmr install --force 1.22.5"), "{text}");
        assert!(text.contains("\nLimits\n"), "{text}");
        assert!(
            text.ends_with("3 checks: 1 ok, 1 warning, 1 error\n"),
            "{text}"
        );
        assert!(!text.contains('\x1b'));
        assert!(render(&checks, true).contains("\x1b[31m"));
    }

    #[test]
    fn a_group_that_hangs_is_an_error_after_its_own_timeout() {
        fn hang(_: &Context, _: &dyn System) -> Vec<Check> {
            std::thread::sleep(Duration::from_secs(30));
            Vec::new()
        }
        fn quick(_: &Context, _: &dyn System) -> Vec<Check> {
            vec![Check::ok("Quick", "quick", "fine")]
        }
        let group = |name, run: GroupFn, millis| Group {
            section: "S",
            name,
            timeout: Duration::from_millis(millis),
            run,
            network: false,
        };
        let started = Instant::now();
        let checks = run_groups(
            test_context(),
            Arc::new(fake::FakeSystem::new()),
            vec![group("hanging", hang, 200), group("quick", quick, 5000)],
        );
        assert!(started.elapsed() < Duration::from_secs(2));
        assert_eq!(checks.len(), 2);
        assert_eq!(checks[0].status, Status::Error);
        assert!(checks[0].finding.contains("did not finish within"));
        assert_eq!(checks[1].status, Status::Ok);
    }

    #[test]
    fn offline_skips_network_checks() {
        let mut ctx = test_context();
        ctx.offline = true;
        let sys: Arc<dyn System> = Arc::new(fake::FakeSystem::new());
        let checks = run_checks(ctx, sys);
        assert!(checks.iter().all(|c| c.section != network::SECTION));
        assert!(checks.iter().all(|c| c.section != sources::SECTION));
        assert!(checks.iter().any(|c| c.section == toolchain::SECTION));
    }

    #[test]
    fn the_context_resolves_the_selection_against_installed_versions() {
        let home = tempfile::tempdir().unwrap();
        let sys = fake::FakeSystem::new().with_env("GVMR_GO_VERSION", "1.22.5");
        let ctx = Context::gather(home.path(), home.path(), &sys, Vec::new());
        let selected = ctx.selected.clone().unwrap().unwrap();
        assert_eq!(selected.source, "GVMR_GO_VERSION");
        assert_eq!(selected.install_argument, "1.22.5");
        assert_eq!(ctx.goroot(), None);

        let goroot = home.path().join("versions/go1.22.5");
        std::fs::create_dir_all(goroot.join("bin")).unwrap();
        let ctx = Context::gather(home.path(), home.path(), &sys, Vec::new());
        assert_eq!(ctx.goroot(), Some(goroot.as_path()));

        let ctx = Context::gather(
            home.path(),
            home.path(),
            &fake::FakeSystem::new(),
            Vec::new(),
        );
        assert!(matches!(ctx.selected, Ok(None)));
    }

    pub fn test_context() -> Context {
        Context {
            home: PathBuf::from("/gvmr"),
            selected: Ok(None),
            installed: Vec::new(),
            offline: false,
            verify_files: false,
        }
    }
}

#[cfg(test)]
pub use tests::test_context;
