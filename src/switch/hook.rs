//! Shell hooks: the scripts (kept as real files in `shell/`, embedded here)
//! and `gvmr hook-env`, which the scripts run only when something that can
//! change the version may have changed.

use crate::files::own_executable;
use crate::store::Store;
use crate::switch::SwitchError as Error;
use crate::switch::activate::{activate, deactivate, this_process, use_system};
use crate::switch::selection::{current_dir, look_here};
use crate::switch::shell::{Change, render_fish, render_posix, sh_quote};
use gvmr_shim::select::{Inputs, Source};
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
/// the hook can ask `[[ file -nt stamp ]]` with no process.
fn touch_stamp(store: &Store, pid: u32, looked_at: SystemTime) -> Option<PathBuf> {
    let dir = store.root().join("hook");
    fs::create_dir_all(&dir).ok()?;
    remove_stamps_of_exited_shells(&dir);
    let stamp = dir.join(pid.to_string());
    let file = File::create(&stamp).ok()?;
    file.set_modified(looked_at.checked_sub(STAMP_MARGIN)?)
        .ok()?;
    Some(stamp)
}

/// Stamps are named by shell PID; on Linux, drop those whose shell is gone.
fn remove_stamps_of_exited_shells(dir: &Path) {
    let proc_fs = Path::new("/proc/self");
    if !proc_fs.exists() {
        return;
    }
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .filter(|n| n.bytes().all(|b| b.is_ascii_digit()))
        else {
            continue;
        };
        if !Path::new("/proc").join(pid).exists() {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// What the hook evaluates: the toolchain for this directory (or none), and
/// the hook's bookkeeping of what to watch.
pub fn hook_env(
    inputs: &Inputs,
    store: &Store,
    shell: HookShell,
    pid: u32,
) -> Result<String, Error> {
    let looked_at = SystemTime::now();
    let cwd = current_dir()?;
    let env = this_process;
    // Directories: a version file appearing or vanishing changes their mtime.
    let mut watch: Vec<String> = cwd.ancestors().map(|d| d.display().to_string()).collect();
    watch.push(store.root().display().to_string());
    watch.push(store.versions_dir().display().to_string());

    let here = look_here(inputs, store, &cwd);
    for note in &here.notes {
        eprintln!("gvmr: note: {note}");
    }
    let mut changes = match here.resolved {
        Ok(resolved) => {
            store.remember_project(&resolved.selection);
            if let Source::File(path) | Source::Default(path) = &resolved.selection.source {
                watch.push(path.display().to_string());
            }
            match &resolved.goroot {
                _ if resolved.system.is_some() => {
                    if !resolved.is_available() {
                        eprintln!("gvmr: {}", resolved.not_installed_message());
                    }
                    use_system(&store.versions_dir(), &env, true)
                }
                Some(goroot) => activate(goroot, &env, true),
                None => {
                    eprintln!("gvmr: {}", resolved.not_installed_message());
                    deactivate(&env)
                }
            }
        }
        Err(Error::NoSelection) => deactivate(&env),
        Err(e) => {
            eprintln!("gvmr: {e}");
            deactivate(&env)
        }
    };
    let stamp = touch_stamp(store, pid, looked_at)
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    let var = |name: &str, value: String| Change::Var(name.into(), value);
    changes.push(var("_GVMR_PWD", cwd.display().to_string()));
    changes.push(var(
        "_GVMR_REQ",
        inputs.env_version.clone().unwrap_or_default(),
    ));
    changes.push(Change::List("_GVMR_WATCH".into(), watch));
    changes.push(var("_GVMR_STAMP", stamp));
    Ok(match shell {
        HookShell::Bash | HookShell::Zsh => render_posix(&changes),
        HookShell::Fish => render_fish(&changes),
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
}
