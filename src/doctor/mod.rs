//! `gvmr doctor`'s checks: what makes an installed Go unusable and how to
//! fix it. Each check group runs in its own thread with its own time limit
//! ([`run_checks`]); every check reads the machine through
//! [`system::System`] and the configuration through the same
//! [`Settings`] every other command uses, so what doctor reports is what
//! install and the shims do. `commands::doctor` gathers the
//! [`Context`] and prints the report.

mod build;
mod check;
mod editors;
mod environment;
#[cfg(test)]
pub mod fake;
mod limits;
mod network;
mod resolver;
mod settings;
mod sources;
pub mod system;
mod toolchain;

pub use check::{Check, Status};

use crate::settings::Settings;
use gvmr_shim::GoVersion;
use gvmr_shim::go_env::GoEnv;
use gvmr_shim::select::lookup;
use gvmr_shim::toolchain::resolve;
use std::path::{Path, PathBuf};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};
use system::System;

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
    /// What the resolver noticed: skipped files, ignored lines.
    pub notes: Vec<String>,
    /// Why a pin (or the default) gave way to the module Go uses here,
    /// whose go line it does not meet.
    pub overridden: Option<String>,
}

/// What every check may need to know.
#[derive(Debug, Clone)]
pub struct Context {
    pub home: PathBuf,
    /// The directory doctor runs in.
    pub cwd: PathBuf,
    /// The configuration, as every command reads it.
    pub settings: Settings,
    /// Go's settings as the selected toolchain's go command sees them
    /// (with its `go.env`), else as [`Settings::go`] has them.
    pub go: GoEnv,
    /// `Err` when a version file cannot be read; `Ok(None)` when nothing selects.
    pub selected: Result<Option<Selected>, String>,
    pub installed: Vec<GoVersion>,
    pub offline: bool,
    pub verify_files: bool,
}

impl Context {
    pub fn gather(
        settings: &Settings,
        home: &Path,
        cwd: &Path,
        installed: Vec<GoVersion>,
    ) -> Context {
        let inputs = &settings.selection;
        let found = lookup(cwd, inputs);
        let selected = match found.result {
            Ok(None) => Ok(None),
            Err(e) => Err(e.to_string()),
            Ok(Some(selection)) => {
                let resolved = resolve(selection, home, inputs.path.as_deref());
                Ok(Some(Selected {
                    version: resolved.version,
                    goroot: resolved.goroot.clone(),
                    source: resolved.selection.source.to_string(),
                    requirement: resolved.selection.requirement.to_string(),
                    install_argument: resolved.install_argument(),
                    system: resolved.system.map(|s| s.go),
                    notes: found.notes,
                    overridden: resolved.overridden,
                }))
            }
        };
        let go = match selected.as_ref().ok().and_then(|s| s.as_ref()) {
            Some(Selected {
                goroot: Some(goroot),
                version,
                ..
            }) => settings.go_env_for(goroot, *version),
            _ => settings.go.clone(),
        };
        Context {
            home: home.to_path_buf(),
            cwd: cwd.to_path_buf(),
            settings: settings.clone(),
            go,
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

    /// This context with the configuration read from `vars` instead (tests).
    #[cfg(test)]
    pub fn with_env(mut self, vars: &[(&str, &str)]) -> Context {
        let env = gvmr_shim::env::Environment::fixed(vars.iter().copied());
        self.settings = Settings::read(&env);
        self.go = self.settings.go.clone();
        self
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
            section: editors::SECTION,
            name: "editors",
            timeout: Duration::from_secs(5),
            run: editors::checks,
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
        Group {
            section: settings::SECTION,
            name: "settings",
            timeout: Duration::from_secs(2),
            run: settings::checks,
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

#[cfg(test)]
mod tests;

#[cfg(test)]
pub use tests::test_context;
