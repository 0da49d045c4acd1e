//! Shell hooks: the scripts (kept as real files in `shell/`, embedded here)
//! and `gvmr hook-env`, which the scripts run only when something that
//! decides the version changed: `hook-env` prints, with the environment
//! changes, the test the scripts run before each prompt
//! ([`crate::switch::watch`]) and dates a per-shell stamp file it compares
//! against.

use crate::files::own_executable;
use crate::store::Store;
use crate::switch::SwitchError as Error;
use crate::switch::activate::{
    activate, deactivate, route_to_shims, this_process, use_system, with_shims_last,
};
use crate::switch::first_use::missing_hint;
use crate::switch::selection::{current_dir, look_here};
use crate::switch::shell::{render_fish, render_posix, sh_quote};
use crate::switch::shim_files::ensure_shims;
use crate::switch::watch::{self, Snapshot};
use gvmr_shim::go_env::GoEnv;
use gvmr_shim::select::Inputs;
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

const BASH: &str = include_str!("../../shell/gvmr.bash");
const ZSH: &str = include_str!("../../shell/gvmr.zsh");
const FISH: &str = include_str!("../../shell/gvmr.fish");
const DIRENVRC: &str = include_str!("../../shell/direnvrc");

/// How far before the evaluation the stamp is dated: file systems keep
/// coarse times (a kernel tick, or a whole second on some), so a change made
/// just after gvmr looked must still count as newer.
const STAMP_MARGIN: Duration = Duration::from_secs(2);

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum HookShell {
    Bash,
    Zsh,
    Fish,
}

/// The path of this gvmr, quoted for the shell that will run the script.
fn self_path(fish: bool) -> Result<String, Error> {
    let exe = own_executable().map_err(Error::OwnExecutable)?;
    let exe = exe.display().to_string();
    Ok(if fish {
        crate::switch::shell::fish_quote(&exe)
    } else {
        sh_quote(&exe)
    })
}

/// The hook script for `shell`, calling this gvmr by its absolute path.
pub fn script(shell: HookShell) -> Result<String, Error> {
    let (template, fish) = match shell {
        HookShell::Bash => (BASH, false),
        HookShell::Zsh => (ZSH, false),
        HookShell::Fish => (FISH, true),
    };
    Ok(template.replace("__GVMR__", &self_path(fish)?))
}

/// The snippet that defines `use gvmr` for direnv.
pub fn direnvrc() -> Result<String, Error> {
    Ok(DIRENVRC.replace("__GVMR__", &self_path(false)?))
}

/// The stamp file of one shell session: dated just before gvmr looked, so
/// the hook can ask `[[ file -nt stamp ]]` with no process. It lives in the
/// first of `state_dirs` (the user's runtime, then cache directory) where
/// it can be written, never in the data directory, which may be a
/// read-only toolchain store shared by several users. `None` when none is
/// writable: every prompt then asks gvmr.
fn touch_stamp(state_dirs: &[PathBuf], pid: u32, looked_at: SystemTime) -> Option<PathBuf> {
    let dated = looked_at.checked_sub(STAMP_MARGIN)?;
    let name = stamp_name(pid);
    state_dirs.iter().find_map(|dir| {
        let dir = dir.join("hook");
        fs::create_dir_all(&dir).ok()?;
        remove_stamps_of_exited_shells(&dir);
        let stamp = dir.join(&name);
        File::create(&stamp).ok()?.set_modified(dated).ok()?;
        Some(stamp)
    })
}

/// The PID namespace on Linux (`pid:[4026531836]` → `4026531836`), so that
/// shells of containers sharing a home directory keep apart stamps even
/// when their PIDs are equal.
fn pid_namespace() -> Option<String> {
    let link = fs::read_link("/proc/self/ns/pid").ok()?;
    let digits: String = link
        .to_str()?
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    (!digits.is_empty()).then_some(digits)
}

/// `<namespace>-<pid>`, or `<pid>` where namespaces are unknown.
fn stamp_name(pid: u32) -> String {
    match pid_namespace() {
        Some(namespace) => format!("{namespace}-{pid}"),
        None => pid.to_string(),
    }
}

/// On Linux, drops the stamps of this PID namespace whose shell is gone.
fn remove_stamps_of_exited_shells(dir: &Path) {
    let Some(namespace) = pid_namespace() else {
        return;
    };
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix(&namespace))
            .and_then(|n| n.strip_prefix('-'))
            .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        else {
            continue;
        };
        if !Path::new("/proc").join(pid).exists() {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// What the hook evaluates: the toolchain for this directory (or none), and
/// `_gvmr_unchanged`, the builtins-only test of whether anything deciding
/// it changed (see [`crate::switch::watch`]).
///
/// The shims stay on `PATH`, last: where nothing is selected (or a version
/// file is broken) `go` is the shim, which says so. A selected version that
/// is not installed puts them first instead, so `go` installs it on first
/// use (`auto_install`: `GVMR_AUTO_INSTALL`, or why it is unusable); the
/// hook itself only says so, once per change of directory, and never
/// installs: a prompt must stay free.
pub fn hook_env(
    inputs: &Inputs,
    go: &GoEnv,
    store: &Store,
    state_dirs: &[PathBuf],
    auto_install: Result<bool, String>,
    shell: HookShell,
    pid: u32,
) -> Result<String, Error> {
    let looked_at = SystemTime::now();
    let cwd = current_dir(inputs)?;
    let env = this_process;
    let shims = store.shims_dir();
    // Best effort, and nothing to do once they exist: without them `go` is
    // simply not found.
    let _ = ensure_shims(store);
    let snapshot = Snapshot::take(&cwd, inputs, go, store);
    let here = look_here(inputs, store, &cwd);
    for note in &here.notes {
        eprintln!("gvmr: note: {note}");
    }
    let changes = match &here.resolved {
        Ok(resolved) => {
            store.remember_project(&resolved.selection);
            match &resolved.goroot {
                _ if resolved.system.is_some() => {
                    if !resolved.is_available() {
                        eprintln!("gvmr: {}", resolved.not_installed_message());
                    }
                    use_system(&store.versions_dir(), &env, true)
                }
                Some(goroot) => activate(goroot, &env, true, go.in_file("GOTOOLCHAIN").is_some()),
                None => {
                    let hint = match &auto_install {
                        Ok(on) => missing_hint(resolved, *on),
                        Err(problem) => format!("{}; {problem}", resolved.not_installed_message()),
                    };
                    eprintln!("gvmr: {hint}");
                    route_to_shims(&shims, &env, true)
                }
            }
        }
        Err(Error::NoSelection) => deactivate(&env),
        Err(e) => {
            eprintln!("gvmr: {e}");
            deactivate(&env)
        }
    };
    let changes = with_shims_last(changes, &shims, &env);
    let resolved = here.resolved.as_ref().ok();
    let watch = watch::watch(&cwd, inputs, go, store, resolved, &snapshot);
    let stamp = touch_stamp(state_dirs, pid, looked_at);
    Ok(match shell {
        HookShell::Bash | HookShell::Zsh => {
            render_posix(&changes) + &watch::render_posix(&watch, stamp.as_deref())
        }
        HookShell::Fish => render_fish(&changes) + &watch::render_fish(&watch, stamp.as_deref()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_call_gvmr_by_a_quoted_absolute_path() {
        for shell in [HookShell::Bash, HookShell::Zsh, HookShell::Fish] {
            let text = script(shell).unwrap();
            assert!(!text.contains("__GVMR__"), "{shell:?}");
            assert!(text.contains("hook-env --shell"), "{shell:?}");
            let exe = own_executable().unwrap().display().to_string();
            assert!(text.contains(&format!("'{exe}'")), "{shell:?}");
        }
        assert!(direnvrc().unwrap().contains("use_gvmr()"));
    }

    #[test]
    fn the_stamp_goes_to_the_first_writable_state_dir_dated_before_the_look() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("a-file");
        fs::write(&file, "").unwrap();
        let good = tmp.path().join("cache/gvmr");
        let looked_at = SystemTime::now();
        let stamp = touch_stamp(&[file.join("runtime"), good.clone()], 42, looked_at).unwrap();
        assert_eq!(stamp.parent(), Some(good.join("hook").as_path()));
        assert!(stamp.file_name().unwrap().to_str().unwrap().ends_with("42"));
        let dated = fs::metadata(&stamp).unwrap().modified().unwrap();
        assert_eq!(dated, looked_at - STAMP_MARGIN);
        assert_eq!(touch_stamp(&[file.join("x")], 42, looked_at), None);
        assert_eq!(touch_stamp(&[], 42, looked_at), None);
    }

    #[test]
    fn stamps_of_exited_shells_of_this_namespace_are_removed() {
        let Some(namespace) = pid_namespace() else {
            return; // not Linux
        };
        let tmp = tempfile::tempdir().unwrap();
        let alive = format!("{namespace}-{}", std::process::id());
        // PIDs are below 2^22 on Linux.
        let gone = format!("{namespace}-{}", 1u32 << 30);
        let elsewhere = format!("1-{}", 1u32 << 30);
        for name in [&alive, &gone, &elsewhere, &"notes".to_string()] {
            fs::write(tmp.path().join(name), "").unwrap();
        }
        remove_stamps_of_exited_shells(tmp.path());
        let mut left: Vec<String> = fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        let mut expected = vec![alive, elsewhere, "notes".to_string()];
        expected.sort();
        assert_eq!(left, expected);
    }
}
