//! What the shell hooks test at each prompt, with shell builtins only, to
//! know that nothing deciding the Go version changed since `gvmr hook-env`
//! looked: the directory, `GVMR_GO_VERSION` and `GOWORK`; every version file
//! that chose the version or was read on the way (still there, not newer
//! than the stamp); every candidate name whose appearance would change the
//! choice (still absent); the go env file (`go env -w` may set `GOWORK` or
//! `GOTOOLCHAIN`); and whether the selected version is installed.
//! Nothing else is watched: creating or deleting any other file, anywhere,
//! starts no process.
//!
//! `gvmr hook-env` prints these tests as a shell function,
//! `_gvmr_unchanged`, which the hook scripts call before each prompt.

use crate::store::Store;
use crate::switch::shell::{fish_quote, sh_quote};
use gvmr_shim::VersionRequest;
use gvmr_shim::go_env::{GoEnv, Origin};
use gvmr_shim::select::{
    DEFAULT_FILE, GO_VERSION_FILE, Inputs, Requirement, Source, TOOL_VERSIONS_FILE, candidate_files,
};
use gvmr_shim::toolchain::Resolved;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// The shell function the hook scripts call; true while nothing changed.
pub const FUNCTION: &str = "_gvmr_unchanged";

/// One test of the file system.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    /// Exists and is not newer than the stamp: its content is as read.
    Unchanged(PathBuf),
    /// Exists (the selected version's `bin`, while it is installed).
    Present(PathBuf),
    /// Does not exist: appearing would change the choice.
    Absent(PathBuf),
}

/// Everything `_gvmr_unchanged` tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Watch {
    /// `$PWD` as gvmr saw it.
    pub dir: PathBuf,
    /// `GVMR_GO_VERSION` as gvmr saw it (empty when unset).
    pub env_version: String,
    /// `GOWORK` as gvmr saw it in the environment (empty when unset).
    pub gowork: String,
    pub checks: Vec<Check>,
}

/// The files whose appearance, edit or removal can change what the
/// resolver selects in `dir`, given what it selected (`source`; `None` when
/// nothing was selected or a file could not be read) and, for a pin, the
/// module Go uses in `dir` that the pin must meet (`module`, from
/// [`Selection::module`](gvmr_shim::select::Selection::module)).
///
/// Follows the resolver's order and Go's rules: the nearest `.go-version`,
/// or `.tool-versions` with a Go entry, up to `/` — so those two names
/// count at every level up to the chosen one, or up to `/` when another
/// kind chose (none when `GVMR_GO_VERSION` chose); the module Go uses,
/// wherever a pin sits — `go.work` (unless `GOWORK` is `off` or names a
/// file) up to the module when that is a go.work, else up to `/`, and
/// `go.mod` up to the module (none when a go.work is the module, all the
/// way up when there is none); the default file unless `GVMR_GO_VERSION`
/// chose, since a go line prefers the default when it is new enough.
pub fn deciding_files(
    dir: &Path,
    inputs: &Inputs,
    source: Option<&Source>,
    module: Option<&Path>,
) -> Vec<PathBuf> {
    let by_env = matches!(source, Some(Source::Env));
    let chosen = match source {
        Some(Source::File(path)) => Some(path.as_path()),
        Some(Source::Env | Source::Default(_)) | None => None,
    };
    let gowork = inputs.gowork.as_deref();
    let gowork_file = gowork.map(Path::new).filter(|p| p.is_absolute());
    let pin =
        chosen.filter(|path| matches!(file_name(path), Some(GO_VERSION_FILE | TOOL_VERSIONS_FILE)));
    // The module that decided, or that the pin (or GVMR_GO_VERSION) answers to.
    let module = match (pin, by_env) {
        (None, false) => chosen,
        _ => module,
    };
    let module_is_work =
        module.is_some_and(|m| Some(m) == gowork_file || file_name(m) == Some("go.work"));
    let mut files = Vec::new();
    if let Some(file) = gowork_file {
        files.push(file.to_path_buf());
    }
    let mut versions_done = by_env;
    let mut work_done = gowork == Some("off") || gowork_file.is_some();
    let mut mod_done = module_is_work;
    for file in candidate_files(dir, None) {
        let done = match file_name(&file) {
            Some(GO_VERSION_FILE | TOOL_VERSIONS_FILE) => &mut versions_done,
            Some("go.work") => &mut work_done,
            _ => &mut mod_done,
        };
        if !*done {
            files.push(file.clone());
        }
        // A pin's directory is searched to its end, for the other name.
        let pin_dir_done = pin.is_some_and(|pin| file.parent() == pin.parent())
            && file_name(&file) == Some(TOOL_VERSIONS_FILE);
        if Some(file.as_path()) == module || pin_dir_done {
            *done = true;
        }
    }
    if !by_env && let Some(home) = &inputs.home {
        files.push(home.join(DEFAULT_FILE));
    }
    files
}

fn file_name(path: &Path) -> Option<&str> {
    path.file_name().and_then(|name| name.to_str())
}

/// Which of the files that could decide exist, looked at before the
/// resolver runs: a file created, edited or removed while it runs then
/// shows as changed at the next prompt rather than being missed.
pub struct Snapshot {
    existing: HashSet<PathBuf>,
}

impl Snapshot {
    pub fn take(dir: &Path, inputs: &Inputs, go: &GoEnv, store: &Store) -> Snapshot {
        let mut paths = deciding_files(dir, inputs, None, None);
        paths.push(store.versions_dir());
        paths.extend(go.file.clone());
        Snapshot {
            existing: paths.into_iter().filter(|p| p.exists()).collect(),
        }
    }

    /// `Unchanged` for a file that existed, else `Absent`.
    fn check(&self, path: PathBuf) -> Check {
        if self.existing.contains(&path) {
            Check::Unchanged(path)
        } else {
            Check::Absent(path)
        }
    }
}

/// What to watch in `dir` after the resolver answered `resolved` (`None`:
/// nothing selected, or a version file could not be read).
pub fn watch(
    dir: &Path,
    inputs: &Inputs,
    go: &GoEnv,
    store: &Store,
    resolved: Option<&Resolved>,
    snapshot: &Snapshot,
) -> Watch {
    let source = resolved.map(|r| &r.selection.source);
    let module = resolved.and_then(|r| r.selection.module.as_ref());
    let mut checks: Vec<Check> = deciding_files(dir, inputs, source, module.map(|m| &*m.path))
        .into_iter()
        .chain(go.file.clone())
        .map(|path| snapshot.check(path))
        .collect();
    if let Some(resolved) = resolved {
        checks.push(install_check(resolved, store, snapshot));
    }
    let gowork = go.get("GOWORK");
    Watch {
        dir: dir.to_path_buf(),
        env_version: inputs.env_version.clone().unwrap_or_default(),
        gowork: match gowork.origin {
            Origin::Environment => gowork.value.clone(),
            _ => String::new(),
        },
        checks,
    }
}

/// Whether the selection's toolchain is installed. An exact version is one
/// directory: its `bin` appearing or going is the test. Anything else (a
/// line, `latest`, a go.mod minimum) may pick another version whenever one
/// is installed or removed, so the versions directory itself is watched
/// (it changes only when a version is renamed into or out of it).
fn install_check(resolved: &Resolved, store: &Store, snapshot: &Snapshot) -> Check {
    match resolved.selection.requirement {
        Requirement::Request(VersionRequest::Exact(version)) => {
            let bin = store.version_dir(&version).join("bin");
            match resolved.goroot {
                Some(_) => Check::Present(bin),
                None => Check::Absent(bin),
            }
        }
        _ => snapshot.check(store.versions_dir()),
    }
}

/// `_gvmr_unchanged` for bash and zsh. Without a stamp it always answers
/// "changed", so every prompt asks gvmr.
pub fn render_posix(watch: &Watch, stamp: Option<&Path>) -> String {
    let Some(stamp) = stamp else {
        return format!("{FUNCTION}() {{ return 1; }}\n");
    };
    let stamp = sh_quote(&stamp.display().to_string());
    let mut tests = vec![format!(
        "-e {stamp} && $PWD == {} && ${{GVMR_GO_VERSION-}} == {} && ${{GOWORK-}} == {}",
        quote_path(&watch.dir, sh_quote),
        sh_quote(&watch.env_version),
        sh_quote(&watch.gowork),
    )];
    tests.extend(file_tests(&watch.checks, &stamp, sh_quote, "&&"));
    format!("{FUNCTION}() {{\n  [[ {} ]]\n}}\n", tests.join(" &&\n    "))
}

/// `_gvmr_unchanged` for fish (`test` is a builtin there).
pub fn render_fish(watch: &Watch, stamp: Option<&Path>) -> String {
    let Some(stamp) = stamp else {
        return format!("function {FUNCTION}\n    return 1\nend\n");
    };
    let stamp = fish_quote(&stamp.display().to_string());
    let mut tests = vec![format!(
        "-e {stamp} -a \"$PWD\" = {} -a \"$GVMR_GO_VERSION\" = {} -a \"$GOWORK\" = {}",
        quote_path(&watch.dir, fish_quote),
        fish_quote(&watch.env_version),
        fish_quote(&watch.gowork),
    )];
    tests.extend(file_tests(&watch.checks, &stamp, fish_quote, "-a"));
    format!(
        "function {FUNCTION}\n    test {}\nend\n",
        tests.join(" \\\n        -a ")
    )
}

/// The `test` expressions of `checks`, the same in bash, zsh and fish but
/// for quoting and the "and" operator inside one check (`&&`, `-a`).
fn file_tests<'a>(
    checks: &'a [Check],
    stamp: &'a str,
    quote: fn(&str) -> String,
    and: &'a str,
) -> impl Iterator<Item = String> + 'a {
    checks.iter().map(move |check| match check {
        Check::Unchanged(path) => {
            let path = quote_path(path, quote);
            format!("-e {path} {and} ! {path} -nt {stamp}")
        }
        Check::Present(path) => format!("-e {}", quote_path(path, quote)),
        Check::Absent(path) => format!("! -e {}", quote_path(path, quote)),
    })
}

fn quote_path(path: &Path, quote: fn(&str) -> String) -> String {
    quote(&path.display().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use gvmr_shim::select::Selection;

    fn p(s: &str) -> PathBuf {
        PathBuf::from(s)
    }

    fn inputs() -> Inputs {
        Inputs {
            home: Some(p("/h")),
            ..Inputs::default()
        }
    }

    fn names(files: &[PathBuf]) -> Vec<String> {
        files.iter().map(|f| f.display().to_string()).collect()
    }

    #[test]
    fn a_pin_is_watched_up_to_itself_and_the_modules_up_to_the_one_go_uses() {
        // Go uses the nearest go.work/go.mod walking up from the directory,
        // wherever the pin sits: one whose go line is newer overrides the
        // pin; the default matters once a go line decides.
        let no_module = [
            "/a/b/.go-version",
            "/a/b/.tool-versions",
            "/a/b/go.work",
            "/a/b/go.mod",
            "/a/.go-version",
            "/a/.tool-versions",
            "/a/go.work",
            "/a/go.mod",
            "/go.work",
            "/go.mod",
            "/h/default",
        ];
        let module_below = [
            "/a/b/.go-version",
            "/a/b/.tool-versions",
            "/a/b/go.work",
            "/a/b/go.mod",
            "/a/.go-version",
            "/a/.tool-versions",
            "/a/go.work",
            "/go.work",
            "/h/default",
        ];
        let work_above = [
            "/a/b/.go-version",
            "/a/b/.tool-versions",
            "/a/b/go.work",
            "/a/.go-version",
            "/a/.tool-versions",
            "/a/go.work",
            "/go.work",
            "/h/default",
        ];
        for pin in ["/a/.go-version", "/a/.tool-versions"] {
            let chosen = Source::File(p(pin));
            let files = |module: Option<&str>| {
                let module = module.map(Path::new);
                names(&deciding_files(
                    Path::new("/a/b"),
                    &inputs(),
                    Some(&chosen),
                    module,
                ))
            };
            assert_eq!(files(None), no_module, "{pin}");
            assert_eq!(files(Some("/a/b/go.mod")), module_below, "{pin}");
            assert_eq!(files(Some("/go.work")), work_above, "{pin}");
        }
    }

    #[test]
    fn go_mod_is_watched_up_to_itself_and_version_files_up_to_the_root() {
        let chosen = Source::File(p("/a/go.mod"));
        assert_eq!(
            names(&deciding_files(
                Path::new("/a/b"),
                &inputs(),
                Some(&chosen),
                None
            )),
            [
                "/a/b/.go-version",
                "/a/b/.tool-versions",
                "/a/b/go.work",
                "/a/b/go.mod",
                "/a/.go-version",
                "/a/.tool-versions",
                "/a/go.work",
                "/a/go.mod",
                "/.go-version",
                "/.tool-versions",
                "/go.work",
                "/h/default",
            ]
        );
    }

    #[test]
    fn a_go_work_that_chose_makes_go_mod_irrelevant() {
        let chosen = Source::File(p("/a/go.work"));
        assert_eq!(
            names(&deciding_files(
                Path::new("/a/b"),
                &inputs(),
                Some(&chosen),
                None
            )),
            [
                "/a/b/.go-version",
                "/a/b/.tool-versions",
                "/a/b/go.work",
                "/a/.go-version",
                "/a/.tool-versions",
                "/a/go.work",
                "/.go-version",
                "/.tool-versions",
                "/h/default",
            ]
        );
    }

    #[test]
    fn gowork_off_or_a_file_replaces_the_go_work_walk() {
        let off = Inputs {
            gowork: Some("off".into()),
            ..inputs()
        };
        let files = names(&deciding_files(Path::new("/a"), &off, None, None));
        assert_eq!(
            files,
            [
                "/a/.go-version",
                "/a/.tool-versions",
                "/a/go.mod",
                "/.go-version",
                "/.tool-versions",
                "/go.mod",
                "/h/default"
            ]
        );
        let named = Inputs {
            gowork: Some("/w/x.work".into()),
            ..inputs()
        };
        let chosen = Source::File(p("/w/x.work"));
        assert_eq!(
            names(&deciding_files(
                Path::new("/a"),
                &named,
                Some(&chosen),
                None
            )),
            [
                "/w/x.work",
                "/a/.go-version",
                "/a/.tool-versions",
                "/.go-version",
                "/.tool-versions",
                "/h/default"
            ]
        );
    }

    #[test]
    fn nothing_selected_watches_every_candidate_and_the_default() {
        let files = deciding_files(Path::new("/a/b"), &inputs(), None, None);
        assert_eq!(files.len(), 3 * 4 + 1);
        assert_eq!(files.last(), Some(&p("/h/default")));
        let default = Source::Default(p("/h/default"));
        assert_eq!(
            deciding_files(Path::new("/a/b"), &inputs(), Some(&default), None),
            files
        );
        // GVMR_GO_VERSION beats every file, but gives way to a newer go line
        // of the module Go uses.
        let by_env = |module: Option<&str>| {
            names(&deciding_files(
                Path::new("/a/b"),
                &inputs(),
                Some(&Source::Env),
                module.map(Path::new),
            ))
        };
        assert_eq!(
            by_env(None),
            [
                "/a/b/go.work",
                "/a/b/go.mod",
                "/a/go.work",
                "/a/go.mod",
                "/go.work",
                "/go.mod"
            ]
        );
        assert_eq!(
            by_env(Some("/a/go.mod")),
            [
                "/a/b/go.work",
                "/a/b/go.mod",
                "/a/go.work",
                "/a/go.mod",
                "/go.work"
            ]
        );
    }

    fn resolved(requirement: &str, goroot: Option<&str>) -> Resolved {
        let request = VersionRequest::parse(requirement).unwrap();
        Resolved {
            selection: Selection {
                requirement: Requirement::Request(request),
                source: Source::Env,
                module: None,
                default: None,
            },
            version: match request {
                VersionRequest::Exact(v) => Some(v),
                _ => None,
            },
            goroot: goroot.map(p),
            system: None,
            overridden: None,
        }
    }

    #[test]
    fn an_exact_version_watches_its_bin_and_anything_else_the_versions_dir() {
        let store = Store::open(Some(p("/h"))).unwrap();
        let snapshot = Snapshot {
            existing: [p("/h/versions")].into(),
        };
        assert_eq!(
            install_check(
                &resolved("1.22.5", Some("/h/versions/go1.22.5")),
                &store,
                &snapshot
            ),
            Check::Present(p("/h/versions/go1.22.5/bin"))
        );
        assert_eq!(
            install_check(&resolved("1.22.5", None), &store, &snapshot),
            Check::Absent(p("/h/versions/go1.22.5/bin"))
        );
        assert_eq!(
            install_check(&resolved("1.22", None), &store, &snapshot),
            Check::Unchanged(p("/h/versions"))
        );
        let empty = Snapshot {
            existing: HashSet::new(),
        };
        assert_eq!(
            install_check(&resolved("latest", None), &store, &empty),
            Check::Absent(p("/h/versions"))
        );
    }

    fn sample() -> Watch {
        Watch {
            dir: p("/p/it's here"),
            env_version: String::new(),
            gowork: "off".into(),
            checks: vec![
                Check::Absent(p("/p/it's here/.go-version")),
                Check::Unchanged(p("/p/go.mod")),
                Check::Present(p("/h/versions/go1.22.5/bin")),
            ],
        }
    }

    #[test]
    fn bash_and_zsh_get_one_conditional_of_builtins() {
        let text = render_posix(&sample(), Some(Path::new("/run/gvmr/hook/1")));
        assert_eq!(
            text,
            "_gvmr_unchanged() {\n  [[ -e '/run/gvmr/hook/1' && $PWD == '/p/it'\\''s here' && \
             ${GVMR_GO_VERSION-} == '' && ${GOWORK-} == 'off' &&\n    \
             ! -e '/p/it'\\''s here/.go-version' &&\n    \
             -e '/p/go.mod' && ! '/p/go.mod' -nt '/run/gvmr/hook/1' &&\n    \
             -e '/h/versions/go1.22.5/bin' ]]\n}\n"
        );
        assert_eq!(
            render_posix(&sample(), None),
            "_gvmr_unchanged() { return 1; }\n"
        );
    }

    #[test]
    fn fish_gets_one_test_call() {
        let text = render_fish(&sample(), Some(Path::new("/run/gvmr/hook/1")));
        assert_eq!(
            text,
            "function _gvmr_unchanged\n    test -e '/run/gvmr/hook/1' -a \"$PWD\" = '/p/it\\'s here' \
             -a \"$GVMR_GO_VERSION\" = '' -a \"$GOWORK\" = 'off' \\\n        \
             -a ! -e '/p/it\\'s here/.go-version' \\\n        \
             -a -e '/p/go.mod' -a ! '/p/go.mod' -nt '/run/gvmr/hook/1' \\\n        \
             -a -e '/h/versions/go1.22.5/bin'\nend\n"
        );
        assert_eq!(
            render_fish(&sample(), None),
            "function _gvmr_unchanged\n    return 1\nend\n"
        );
    }
}
