//! The `go` and `gofmt` shims: find the version the current directory
//! selects and `exec` that toolchain's binary. No child process, no network,
//! no allocation-heavy setup: this runs before every `go` command. A
//! selected version that is not installed is installed on first use: the
//! shim then execs `gvmr exec`, which installs it and runs the tool
//! (`GVMR_AUTO_INSTALL=0`: exit 127 saying what to install).
//!
//! `no_main`: the C `main` below skips Rust's runtime setup (stack-guard
//! probing reads /proc/self/maps; SIGPIPE handling), which saves about
//! 0.15 ms per `go` call. `std::env::args_os` still works: the platform
//! hands the arguments to std before `main` runs.
#![no_main]

use gvmr_shim::auto_install;
use gvmr_shim::env::Environment;
use gvmr_shim::go_env::GoEnv;
use gvmr_shim::home::data_dir;
use gvmr_shim::select::{Inputs, NOTHING_SELECTED, NOTHING_SELECTED_FIX, select};
use gvmr_shim::toolchain::{
    PINNED_GOTOOLCHAIN, Resolved, TOOLS, is_gvmr_goroot, path_with_first, pins_gotoolchain,
    resolve, system_tool,
};
use std::ffi::{OsStr, OsString};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, exit};

/// Set before a shim execs a system `go`: the PID (which `exec` keeps) and
/// the binaries tried. A shim that finds its own PID there was exec'd by a
/// shim, so what it was exec'd as is another copy of the shim: it skips
/// those, and never loops. (A `go` started by that system `go` runs under
/// another PID and starts afresh.)
const EXEC_PID_VAR: &str = "_GVMR_SHIM_PID";
const EXEC_TRIED_VAR: &str = "_GVMR_SHIM_TRIED";

fn fail(code: i32, message: &str) -> ! {
    eprintln!("gvmr: {message}");
    exit(code)
}

/// Hands the run to `gvmr exec -- TOOL ARGS...` (`GVMR_BIN`, else `gvmr`
/// on `PATH`), which installs the selected version (verified, saying so
/// in one line) and then execs the tool: the one auto-install, shared with
/// `gvmr exec` and `gvmr env`. gvmr resolves the selection again with the
/// same resolver, so it installs what this shim found missing.
fn exec_gvmr(env: &Environment, tool: &str, args: std::env::ArgsOs, resolved: &Resolved) -> ! {
    let gvmr = env
        .path("GVMR_BIN")
        .map(OsString::from)
        .unwrap_or_else(|| OsString::from("gvmr"));
    let error = Command::new(&gvmr)
        .args(["exec", "--"])
        .arg(tool)
        .args(args)
        .exec();
    fail(
        127,
        &format!(
            "{}; {} is on, but {} cannot run to install it: {error} (put gvmr on PATH, or name it in GVMR_BIN)",
            resolved.not_installed_message(),
            auto_install::VAR,
            Path::new(&gvmr).display()
        ),
    )
}

#[unsafe(no_mangle)]
pub extern "C" fn main(
    _argc: std::ffi::c_int,
    _argv: *const *const std::ffi::c_char,
) -> std::ffi::c_int {
    run()
}

fn run() -> ! {
    let mut args = std::env::args_os();
    let argv0 = args.next().unwrap_or_default();
    let tool = Path::new(&argv0)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
        .to_string();
    if !TOOLS.contains(&tool.as_str()) {
        fail(
            2,
            "this is gvmr's shim; it runs as `go` or `gofmt` (copies in $GVMR_HOME/shims, made by `gvmr shims`)",
        );
    }
    let env = Environment::Process;
    let Some(home) = data_dir(&env) else {
        fail(2, "cannot find the data directory: set GVMR_HOME (or HOME)")
    };
    let go_env = GoEnv::read(&env, None);
    let inputs = Inputs::read(&env, &go_env, Some(home.clone()));
    let cwd = gvmr_shim::home::working_dir(inputs.pwd.as_deref())
        .unwrap_or_else(|e| fail(2, &format!("cannot read the current directory: {e}")));
    let selection = match select(&cwd, &inputs) {
        Ok(Some(selection)) => selection,
        Ok(None) => fail(127, &format!("{NOTHING_SELECTED}; {NOTHING_SELECTED_FIX}")),
        Err(e) => fail(2, &e.to_string()),
    };
    let path = inputs.path.as_deref();
    let resolved = resolve(selection, &home, path);
    if resolved.system.is_some() {
        exec_system(&env, &tool, args, &home, path, &resolved);
    }
    let Some(goroot) = resolved.goroot.as_deref() else {
        match auto_install::read(&env) {
            Ok(true) => exec_gvmr(&env, &tool, args, &resolved),
            Ok(false) => fail(127, &resolved.not_installed_message()),
            Err(e) => fail(2, &e.to_string()),
        }
    };
    let bin = goroot.join("bin");
    let mut command = Command::new(bin.join(&tool));
    command
        .args(args)
        .env("GOROOT", goroot)
        .env("PATH", path_with_first(&bin, inputs.path.as_deref(), None));
    if pins_gotoolchain(&go_env) {
        command.env("GOTOOLCHAIN", PINNED_GOTOOLCHAIN);
    }
    let error = command.exec();
    fail(
        126,
        &format!("cannot run {}: {error}", bin.join(&tool).display()),
    );
}

/// Execs the first `tool` on `PATH` that is not a gvmr shim, with a GOROOT
/// that gvmr set removed; exit 127 when there is none.
fn exec_system(
    env: &Environment,
    tool: &str,
    args: std::env::ArgsOs,
    home: &Path,
    path: Option<&OsStr>,
    resolved: &Resolved,
) -> ! {
    let pid = std::process::id().to_string();
    let mut tried: Vec<PathBuf> = Vec::new();
    if env.var_os(EXEC_PID_VAR).is_some_and(|v| v == pid.as_str())
        && let Some(list) = env.var_os(EXEC_TRIED_VAR)
    {
        tried.extend(std::env::split_paths(&list));
    }
    let mut skip = tried.clone();
    skip.extend(std::env::current_exe().ok());
    let Some(program) = system_tool(tool, path, home, &skip) else {
        fail(
            127,
            &resolved
                .not_installed_message()
                .replacen("only go", &format!("only {tool}"), 1),
        );
    };
    tried.push(program.clone());
    let mut command = Command::new(&program);
    command.args(args).env(EXEC_PID_VAR, &pid);
    if let Ok(list) = std::env::join_paths(&tried) {
        command.env(EXEC_TRIED_VAR, list);
    }
    if env.path("GOROOT").is_some_and(|g| is_gvmr_goroot(&g, home)) {
        command.env_remove("GOROOT");
    }
    let error = command.exec();
    fail(126, &format!("cannot run {}: {error}", program.display()));
}
