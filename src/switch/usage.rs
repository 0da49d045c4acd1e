//! Which installed versions something selects, and what: the global
//! default, `GVMR_GO_VERSION`, and the projects gvmr has seen (their version
//! files read again now, so an edited file counts as it is and a deleted one
//! not at all). `gvmr list` shows it; `gvmr prune` keeps what it names.

use crate::store::Store;
use crate::store::projects::Projects;
use gvmr_shim::select::{Inputs, Source, lookup, parse_go_version_file};
use gvmr_shim::toolchain::resolve;
use gvmr_shim::{GoVersion, VersionRequest};
use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

/// What selects a version.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Selector {
    Default(PathBuf),
    Env,
    /// A project's version file.
    Project(PathBuf),
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Selector::Default(_) => f.write_str("default"),
            Selector::Env => f.write_str("GVMR_GO_VERSION"),
            Selector::Project(path) => f.write_str(&crate::ui::tildify(path)),
        }
    }
}

/// `selectors` as one cell of at most `width` characters when given: every
/// one named when they fit, else the default and `GVMR_GO_VERSION` named
/// and the projects counted (`default, 3 projects`). Returns the cell and
/// whether projects were counted rather than named.
pub fn describe(selectors: &[Selector], width: Option<usize>) -> (String, bool) {
    let names: Vec<String> = selectors.iter().map(Selector::to_string).collect();
    let all = names.join(", ");
    if width.is_none_or(|width| all.chars().count() <= width) {
        return (all, false);
    }
    let mut short: Vec<String> = selectors
        .iter()
        .filter(|s| !matches!(s, Selector::Project(_)))
        .map(Selector::to_string)
        .collect();
    match selectors.len() - short.len() {
        0 => return (all, false),
        1 => short.push("1 project".to_string()),
        n => short.push(format!("{n} projects")),
    }
    (short.join(", "), true)
}

/// A recorded project whose version file no longer exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoneProject {
    pub file: PathBuf,
    /// The installed version it selected when it was last seen.
    pub selected: Option<GoVersion>,
}

#[derive(Debug, Default)]
pub struct Usage {
    /// Installed version → what selects it (sorted, no duplicates).
    pub selectors: BTreeMap<GoVersion, Vec<Selector>>,
    pub gone: Vec<GoneProject>,
    /// Files that could not be read (they select nothing here).
    pub warnings: Vec<String>,
}

impl Usage {
    pub fn selectors_of(&self, version: &GoVersion) -> &[Selector] {
        self.selectors.get(version).map_or(&[], Vec::as_slice)
    }

    fn add(&mut self, version: Option<GoVersion>, selector: Selector) {
        if let Some(version) = version {
            let list = self.selectors.entry(version).or_default();
            if !list.contains(&selector) {
                list.push(selector);
                list.sort();
            }
        }
    }
}

/// What selects each of the `installed` versions.
pub fn usage(store: &Store, inputs: &Inputs, installed: &[GoVersion]) -> Usage {
    let mut usage = Usage::default();

    let default = store.default_file();
    if let Ok(text) = std::fs::read_to_string(&default) {
        match parse_go_version_file(&text, &default) {
            Ok(Some(file)) => usage.add(
                file.request.best_match(installed),
                Selector::Default(default),
            ),
            Ok(None) => {}
            Err(e) => usage.warnings.push(e.to_string()),
        }
    }
    if let Some(text) = &inputs.env_version
        && let Ok(request) = VersionRequest::parse(text)
    {
        usage.add(request.best_match(installed), Selector::Env);
    }

    let (projects, warning) = store.projects();
    usage.warnings.extend(warning);
    // Each project resolved as a shell there would resolve it (a go.mod
    // minimum may pick the default), minus the environment (counted above).
    let project_inputs = Inputs {
        env_version: None,
        ..inputs.clone()
    };
    for (file, recorded) in projects.files {
        let Some(dir) = file.parent().filter(|_| file.is_file()) else {
            usage.gone.push(GoneProject {
                selected: Projects::requirement(&recorded)
                    .and_then(|r| r.pick_installed(installed)),
                file,
            });
            continue;
        };
        match lookup(dir, &project_inputs).result {
            Ok(Some(selection)) => {
                // The resolver's own answer: a pin that gave way to the
                // module is not what selects the version there.
                let resolved = resolve(selection, store.root(), inputs.path.as_deref());
                let Source::File(path) = resolved.selection.source else {
                    continue;
                };
                let version = resolved.version.filter(|_| resolved.goroot.is_some());
                usage.add(version, Selector::Project(path));
            }
            Ok(None) => {}
            Err(e) => usage.warnings.push(format!("{e}; it protects no version")),
        }
    }
    usage
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_that_do_not_fit_count_the_projects() {
        let selectors = [
            Selector::Default(PathBuf::from("/h/default")),
            Selector::Env,
            Selector::Project(PathBuf::from("/p/a/.go-version")),
            Selector::Project(PathBuf::from("/p/b/go.mod")),
        ];
        let all = "default, GVMR_GO_VERSION, /p/a/.go-version, /p/b/go.mod";
        assert_eq!(describe(&selectors, None), (all.to_string(), false));
        assert_eq!(
            describe(&selectors, Some(all.len())),
            (all.to_string(), false)
        );
        assert_eq!(
            describe(&selectors, Some(20)),
            ("default, GVMR_GO_VERSION, 2 projects".to_string(), true)
        );
        assert_eq!(
            describe(&selectors[2..3], Some(5)),
            ("1 project".to_string(), true)
        );
        // Nothing to count: the names stay, however long.
        assert_eq!(
            describe(&selectors[..2], Some(5)),
            ("default, GVMR_GO_VERSION".to_string(), false)
        );
    }
}
