//! The environment a toolchain runs with: `GOROOT`, `PATH` with
//! `$GOROOT/bin` first, and `GOTOOLCHAIN=local` (unless the user set
//! `GOTOOLCHAIN`) so Go's own toolchain switching does not fight the pin.
//!
//! For `system` ([`use_system`]) it is the other way round: no gvmr
//! toolchain on `PATH` and no gvmr `GOROOT`, so the Go already on `PATH`
//! runs as if gvmr were not there.
//!
//! The shell hooks also record what they changed (`_GVMR_ADDED`,
//! `_GVMR_TOOLCHAIN`) so that leaving a project undoes exactly that.

use crate::switch::shell::Change;
use gvmr_shim::toolchain::{PINNED_GOTOOLCHAIN, path_with_first, path_without};
use std::path::Path;

/// The `PATH` entry the hook added.
pub const ADDED_VAR: &str = "_GVMR_ADDED";
/// `1` when the hook set `GOTOOLCHAIN`.
pub const TOOLCHAIN_VAR: &str = "_GVMR_TOOLCHAIN";

/// Reads a variable of the environment being changed.
pub type Lookup<'a> = &'a dyn Fn(&str) -> Option<String>;

/// Applies `changes` to the environment of a child process.
pub fn apply(changes: Vec<Change>, command: &mut std::process::Command) {
    for change in changes {
        match change {
            Change::Export(name, value) => {
                command.env(name, value);
            }
            Change::Unset(name) => {
                command.env_remove(name);
            }
        }
    }
}

/// The environment of this process as the activation sees it (`PATH`,
/// `GOROOT`, `GOTOOLCHAIN` and the hook's bookkeeping): the state being
/// edited, not configuration, so it is read here rather than in settings.
pub fn this_process(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// Changes that make `goroot` the active toolchain. With `track`, also the
/// bookkeeping that lets `deactivate` undo them. `GOTOOLCHAIN=local` is
/// set unless the user set GOTOOLCHAIN: in `env`, or in the go env file
/// (`toolchain_in_file`, from `go env -w`).
pub fn activate(goroot: &Path, env: Lookup, track: bool, toolchain_in_file: bool) -> Vec<Change> {
    let bin = goroot.join("bin");
    let (path, _) = put_first(&bin, env, track);
    let mut changes = vec![
        Change::Export("GOROOT".into(), goroot.display().to_string()),
        path,
    ];
    let marked = track && env(TOOLCHAIN_VAR).as_deref() == Some("1");
    let toolchain = env("GOTOOLCHAIN");
    // Ours only while it still holds what we set: a GOTOOLCHAIN the user
    // set since then is theirs.
    let ours = marked && toolchain.as_deref() == Some(PINNED_GOTOOLCHAIN);
    if toolchain_in_file {
        // `go env -w GOTOOLCHAIN=…` decides: take back what we set.
        if track {
            changes.extend(release_toolchain(env));
        }
    } else if toolchain.is_none() || ours {
        changes.push(Change::Export(
            "GOTOOLCHAIN".into(),
            PINNED_GOTOOLCHAIN.into(),
        ));
        if track {
            changes.push(Change::Export(TOOLCHAIN_VAR.into(), "1".into()));
        }
    } else if marked {
        changes.push(Change::Unset(TOOLCHAIN_VAR.into()));
    }
    if track {
        changes.push(Change::Export(ADDED_VAR.into(), bin.display().to_string()));
    }
    changes
}

/// The `PATH` export that puts `entry` first, in place of the entry the
/// hook added before (with `track`), and that earlier entry.
fn put_first(entry: &Path, env: Lookup, track: bool) -> (Change, Option<String>) {
    let previous = env(ADDED_VAR).filter(|_| track);
    let path = env("PATH");
    let new_path = path_with_first(
        entry,
        path.as_deref().map(std::ffi::OsStr::new),
        previous.as_deref().map(Path::new),
    );
    let export = Change::Export("PATH".into(), new_path.to_string_lossy().into_owned());
    (export, previous)
}

/// Undoes what an earlier `activate(…, track = true)` did; nothing if it
/// did nothing.
pub fn deactivate(env: Lookup) -> Vec<Change> {
    let mut changes = Vec::new();
    if let Some(added) = env(ADDED_VAR) {
        if let Some(path) = env("PATH") {
            let path = path_without(std::ffi::OsStr::new(&path), Path::new(&added));
            changes.push(Change::Export(
                "PATH".into(),
                path.to_string_lossy().into_owned(),
            ));
        }
        changes.push(Change::Unset("GOROOT".into()));
        changes.push(Change::Unset(ADDED_VAR.into()));
    }
    changes.extend(release_toolchain(env));
    changes
}

/// Changes that leave the Go outside gvmr in charge (`system`): `PATH`
/// without any `versions_dir/*/bin` entry, `GOROOT` unset when it points
/// into `versions_dir`. With `track`, the hook's bookkeeping is undone too.
pub fn use_system(versions_dir: &Path, env: Lookup, track: bool) -> Vec<Change> {
    let mut changes = Vec::new();
    let added = env(ADDED_VAR).filter(|_| track);
    if let Some(path) = env("PATH") {
        let kept: Vec<std::path::PathBuf> = std::env::split_paths(&path)
            .filter(|p| {
                !p.starts_with(versions_dir)
                    && Some(p.as_os_str()) != added.as_deref().map(std::ffi::OsStr::new)
            })
            .collect();
        let new_path = std::env::join_paths(kept).map(|p| p.to_string_lossy().into_owned());
        if let Ok(new_path) = new_path
            && new_path != path
        {
            changes.push(Change::Export("PATH".into(), new_path));
        }
    }
    let gvmr_goroot = env("GOROOT").is_some_and(|g| Path::new(&g).starts_with(versions_dir));
    if gvmr_goroot || added.is_some() {
        changes.push(Change::Unset("GOROOT".into()));
    }
    if added.is_some() {
        changes.push(Change::Unset(ADDED_VAR.into()));
    }
    if track {
        changes.extend(release_toolchain(env));
    }
    changes
}

/// Changes that leave `go` to the shims in `shims`, first on `PATH`: where
/// the selected version is not installed, the shim installs it on first
/// use (or says what to install), and a Go elsewhere on `PATH` does not
/// run in its place. With `track`, a `GOROOT` and `GOTOOLCHAIN` the hook
/// set are taken back (the shim sets its own) and the entry is recorded,
/// as [`activate`] does.
pub fn route_to_shims(shims: &Path, env: Lookup, track: bool) -> Vec<Change> {
    let (path, previous) = put_first(shims, env, track);
    let mut changes = vec![path];
    if track {
        if previous.is_some() {
            changes.push(Change::Unset("GOROOT".into()));
        }
        changes.extend(release_toolchain(env));
        changes.push(Change::Export(
            ADDED_VAR.into(),
            shims.display().to_string(),
        ));
    }
    changes
}

/// `changes`, and `shims` appended to the `PATH` they leave when it is not
/// on it: where nothing gvmr installed is active, `go` is then the shim,
/// which says why (nothing selected, a version to install) instead of
/// "command not found", while a Go earlier on `PATH` still runs.
pub fn with_shims_last(mut changes: Vec<Change>, shims: &Path, env: Lookup) -> Vec<Change> {
    let path = changes
        .iter()
        .rev()
        .find_map(|c| match c {
            Change::Export(name, value) if name == "PATH" => Some(value.clone()),
            _ => None,
        })
        .or_else(|| env("PATH"));
    let mut entries: Vec<std::path::PathBuf> = path
        .as_deref()
        .map(|p| std::env::split_paths(p).collect())
        .unwrap_or_default();
    if entries.iter().any(|entry| entry == shims) {
        return changes;
    }
    entries.push(shims.to_path_buf());
    let Ok(new_path) = std::env::join_paths(entries) else {
        return changes; // an entry with a `:` cannot be joined; leave PATH be
    };
    changes.retain(|c| !matches!(c, Change::Export(name, _) if name == "PATH"));
    changes.push(Change::Export(
        "PATH".into(),
        new_path.to_string_lossy().into_owned(),
    ));
    changes
}

/// Unsets the `GOTOOLCHAIN=local` the hook set, if it is still ours.
fn release_toolchain(env: Lookup) -> Vec<Change> {
    let mut changes = Vec::new();
    if env(TOOLCHAIN_VAR).as_deref() == Some("1") {
        if env("GOTOOLCHAIN").as_deref() == Some(PINNED_GOTOOLCHAIN) {
            changes.push(Change::Unset("GOTOOLCHAIN".into()));
        }
        changes.push(Change::Unset(TOOLCHAIN_VAR.into()));
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn lookup(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| map.get(name).cloned()
    }

    fn export(name: &str, value: &str) -> Change {
        Change::Export(name.into(), value.into())
    }

    #[test]
    fn activation_puts_bin_first_and_pins_the_toolchain() {
        let env = lookup(&[("PATH", "/usr/bin:/bin")]);
        let changes = activate(Path::new("/h/go1.22.5"), &env, false, false);
        assert_eq!(
            changes,
            [
                export("GOROOT", "/h/go1.22.5"),
                export("PATH", "/h/go1.22.5/bin:/usr/bin:/bin"),
                export("GOTOOLCHAIN", "local"),
            ]
        );
    }

    #[test]
    fn a_gotoolchain_in_the_go_env_file_is_left_to_go() {
        let env = lookup(&[("PATH", "/bin")]);
        let changes = activate(Path::new("/h/g"), &env, true, true);
        assert!(
            changes
                .iter()
                .all(|c| !matches!(c, Change::Export(name, _) if name == "GOTOOLCHAIN")),
            "{changes:?}"
        );
    }

    #[test]
    fn a_users_gotoolchain_is_left_alone() {
        let env = lookup(&[("PATH", "/bin"), ("GOTOOLCHAIN", "go1.23.0")]);
        let changes = activate(Path::new("/h/g"), &env, true, false);
        assert!(
            !changes
                .iter()
                .any(|c| matches!(c, Change::Export(n, _) if n == "GOTOOLCHAIN"))
        );
        assert!(
            !changes
                .iter()
                .any(|c| matches!(c, Change::Export(n, _) if n == TOOLCHAIN_VAR))
        );
    }

    #[test]
    fn switching_replaces_the_previous_entry_and_leaving_restores_path() {
        let env = lookup(&[
            ("PATH", "/h/a/bin:/mine:/usr/bin"),
            (ADDED_VAR, "/h/a/bin"),
            ("GOTOOLCHAIN", "local"),
            (TOOLCHAIN_VAR, "1"),
        ]);
        let changes = activate(Path::new("/h/b"), &env, true, false);
        assert!(changes.contains(&export("PATH", "/h/b/bin:/mine:/usr/bin")));
        assert!(changes.contains(&export("GOTOOLCHAIN", "local")));
        assert!(changes.contains(&export(ADDED_VAR, "/h/b/bin")));

        let left = deactivate(&env);
        assert_eq!(
            left,
            [
                export("PATH", "/mine:/usr/bin"),
                Change::Unset("GOROOT".into()),
                Change::Unset(ADDED_VAR.into()),
                Change::Unset("GOTOOLCHAIN".into()),
                Change::Unset(TOOLCHAIN_VAR.into()),
            ]
        );
        assert!(deactivate(&lookup(&[("PATH", "/bin")])).is_empty());
    }

    /// A shell where the hook activated go1.22.5 (and set GOTOOLCHAIN).
    const HOOKED: [(&str, &str); 5] = [
        ("PATH", "/h/versions/go1.22.5/bin:/usr/bin"),
        (ADDED_VAR, "/h/versions/go1.22.5/bin"),
        ("GOROOT", "/h/versions/go1.22.5"),
        ("GOTOOLCHAIN", "local"),
        (TOOLCHAIN_VAR, "1"),
    ];

    #[test]
    fn system_drops_gvmrs_path_entries_and_goroot_only() {
        let versions = Path::new("/h/versions");
        let env = lookup(&[
            (
                "PATH",
                "/h/versions/go1.22.5/bin:/usr/local/go/bin:/usr/bin",
            ),
            ("GOROOT", "/h/versions/go1.22.5"),
        ]);
        assert_eq!(
            use_system(versions, &env, false),
            [
                export("PATH", "/usr/local/go/bin:/usr/bin"),
                Change::Unset("GOROOT".into()),
            ]
        );
        // A GOROOT and PATH of the user's own are left alone.
        let env = lookup(&[("PATH", "/usr/bin"), ("GOROOT", "/usr/local/go")]);
        assert!(use_system(versions, &env, false).is_empty());
        // The hook undoes its own bookkeeping.
        let env = lookup(&HOOKED);
        assert_eq!(
            use_system(versions, &env, true),
            [
                export("PATH", "/usr/bin"),
                Change::Unset("GOROOT".into()),
                Change::Unset(ADDED_VAR.into()),
                Change::Unset("GOTOOLCHAIN".into()),
                Change::Unset(TOOLCHAIN_VAR.into()),
            ]
        );
    }

    #[test]
    fn a_missing_version_routes_go_to_the_shims_and_leaving_takes_them_back() {
        let shims = Path::new("/h/shims");
        let env = lookup(&HOOKED);
        assert_eq!(
            route_to_shims(shims, &env, true),
            [
                export("PATH", "/h/shims:/usr/bin"),
                Change::Unset("GOROOT".into()),
                Change::Unset("GOTOOLCHAIN".into()),
                Change::Unset(TOOLCHAIN_VAR.into()),
                export(ADDED_VAR, "/h/shims"),
            ]
        );
        // direnv: PATH only.
        let plain = lookup(&[("PATH", "/usr/bin")]);
        assert_eq!(
            route_to_shims(shims, &plain, false),
            [export("PATH", "/h/shims:/usr/bin")]
        );
        // Leaving puts them last again.
        let routed = lookup(&[("PATH", "/h/shims:/usr/bin"), (ADDED_VAR, "/h/shims")]);
        let left = with_shims_last(deactivate(&routed), shims, &routed);
        assert_eq!(left[0], Change::Unset("GOROOT".into()));
        assert_eq!(left.last(), Some(&export("PATH", "/usr/bin:/h/shims")));
    }

    #[test]
    fn the_shims_go_last_unless_path_has_them() {
        let shims = Path::new("/h/shims");
        let env = lookup(&[("PATH", "/usr/local/go/bin:/usr/bin")]);
        assert_eq!(
            with_shims_last(Vec::new(), shims, &env),
            [export("PATH", "/usr/local/go/bin:/usr/bin:/h/shims")]
        );
        let mine = lookup(&[("PATH", "/h/shims:/usr/bin")]);
        assert!(with_shims_last(Vec::new(), shims, &mine).is_empty());
        // After an activation, behind its bin directory.
        let changes = activate(Path::new("/h/v/go1.22.5"), &env, false, false);
        let changes = with_shims_last(changes, shims, &env);
        assert_eq!(
            changes.last(),
            Some(&export(
                "PATH",
                "/h/v/go1.22.5/bin:/usr/local/go/bin:/usr/bin:/h/shims"
            ))
        );
        assert_eq!(
            with_shims_last(Vec::new(), shims, &lookup(&[])),
            [export("PATH", "/h/shims")]
        );
    }

    #[test]
    fn a_gotoolchain_the_user_set_after_activation_is_theirs() {
        let env = lookup(&[
            ("PATH", "/h/a/bin:/usr/bin"),
            (ADDED_VAR, "/h/a/bin"),
            ("GOTOOLCHAIN", "go1.23.0"),
            (TOOLCHAIN_VAR, "1"),
        ]);
        let changes = activate(Path::new("/h/b"), &env, true, false);
        assert!(
            !changes
                .iter()
                .any(|c| matches!(c, Change::Export(n, _) if n == "GOTOOLCHAIN"))
        );
        assert!(changes.contains(&Change::Unset(TOOLCHAIN_VAR.into())));
        let left = deactivate(&env);
        assert!(!left.contains(&Change::Unset("GOTOOLCHAIN".into())));
        assert!(left.contains(&Change::Unset(TOOLCHAIN_VAR.into())));
    }
}
