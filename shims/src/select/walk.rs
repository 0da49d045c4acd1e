//! The walk up from a directory: the pin (`GVMR_GO_VERSION`, the nearest
//! `.go-version`/`.tool-versions`), the module Go uses there (the nearest
//! go.work unless `GOWORK` says otherwise, the nearest go.mod, wherever the
//! pin sits) and the default, with every file read and every note on the
//! way.

use super::files::{MAX_FILE_BYTES, MAX_GO_MOD_BYTES, describe_value, read_text};
use super::{
    DEFAULT_FILE, GO_VERSION_FILE, Inputs, Lookup, Module, Requirement, SelectError, Selection,
    Source, TOOL_VERSIONS_FILE, parse_go_mod, parse_go_version_file, parse_tool_versions,
};
use crate::version::VersionRequest;
use std::path::{Path, PathBuf};

/// Every file the resolver looked at or would look at from `dir`, for the
/// shell hooks and direnv to watch.
pub fn candidate_files(dir: &Path, home: Option<&Path>) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for ancestor in dir.ancestors() {
        for name in [GO_VERSION_FILE, TOOL_VERSIONS_FILE, "go.work", "go.mod"] {
            files.push(ancestor.join(name));
        }
    }
    if let Some(home) = home {
        files.push(home.join(DEFAULT_FILE));
    }
    files
}

/// Selects the version for `dir`. `Ok(None)` when nothing selects one.
pub fn select(dir: &Path, inputs: &Inputs) -> Result<Option<Selection>, SelectError> {
    lookup(dir, inputs).result
}

/// Selects the version for `dir`, recording the files read and the notes.
pub fn lookup(dir: &Path, inputs: &Inputs) -> Lookup {
    let mut walk = Walk {
        inputs,
        consulted: Vec::new(),
        notes: Vec::new(),
    };
    let result = walk.select(dir);
    Lookup {
        result,
        consulted: walk.consulted,
        notes: walk.notes,
    }
}

/// One lookup's state: what it has read and noticed so far.
struct Walk<'a> {
    inputs: &'a Inputs,
    consulted: Vec<PathBuf>,
    notes: Vec<String>,
}

/// A pin found by the walk, before its module and default are attached.
struct Pin {
    requirement: Requirement,
    source: Source,
}

impl Walk<'_> {
    fn read(&mut self, path: &Path, limit: u64) -> Result<Option<String>, SelectError> {
        let text = read_text(path, limit)?;
        if text.is_some() {
            self.consulted.push(path.to_path_buf());
        }
        Ok(text)
    }

    /// A `.go-version`-style file: `Ok(None)` when absent or empty (noted).
    fn read_version_file(&mut self, path: &Path) -> Result<Option<VersionRequest>, SelectError> {
        let Some(text) = self.read(path, MAX_FILE_BYTES)? else {
            return Ok(None);
        };
        match parse_go_version_file(&text, path)? {
            Some(file) => {
                self.notes.extend(file.notes(path));
                Ok(Some(file.request))
            }
            None => {
                self.notes.push(format!(
                    "{} holds no version (only blanks or comments); skipped as if absent",
                    path.display()
                ));
                Ok(None)
            }
        }
    }

    /// The module of the first of `paths` that has a `go` or `toolchain` line.
    fn module(&mut self, paths: [Option<PathBuf>; 2]) -> Result<Option<Module>, SelectError> {
        for path in paths.into_iter().flatten() {
            if let Some(text) = self.read(&path, MAX_GO_MOD_BYTES)? {
                let module = parse_go_mod(&text, &path)?;
                if module.requirement().is_some() {
                    return Ok(Some(module));
                }
            }
        }
        Ok(None)
    }

    fn default(&mut self) -> Result<Option<VersionRequest>, SelectError> {
        match &self.inputs.home {
            Some(home) => self.read_version_file(&home.join(DEFAULT_FILE)),
            None => Ok(None),
        }
    }

    fn select(&mut self, dir: &Path) -> Result<Option<Selection>, SelectError> {
        let inputs = self.inputs;
        let env_pin = match &inputs.env_version {
            Some(value) => Some(VersionRequest::parse(value).map_err(|_| SelectError {
                origin: "GVMR_GO_VERSION".into(),
                line: None,
                problem: format!(
                    "{} is not a Go version (expected e.g. 1.22.5, go1.22.5, 1.22 or latest)",
                    describe_value(value)
                ),
            })?),
            None => None,
        };

        let gowork_off = inputs.gowork.as_deref() == Some("off");
        let mut nearest_work: Option<PathBuf> = match inputs.gowork.as_deref() {
            Some(path) if path != "off" && Path::new(path).is_absolute() => {
                Some(PathBuf::from(path))
            }
            _ => None,
        };
        let mut nearest_mod: Option<PathBuf> = None;
        let mut pin = env_pin.map(|request| Pin {
            requirement: Requirement::Request(request),
            source: Source::Env,
        });
        for ancestor in dir.ancestors() {
            if pin.is_none() {
                pin = self.pin_in(ancestor)?;
            }
            if nearest_work.is_none() && !gowork_off {
                let work = ancestor.join("go.work");
                if work.is_file() {
                    nearest_work = Some(work);
                }
            }
            if nearest_mod.is_none() {
                let module = ancestor.join("go.mod");
                if module.is_file() {
                    nearest_mod = Some(module);
                }
            }
            // Go uses the nearest go.work and go.mod walking up from the
            // directory, wherever the pin sits: the walk ends once the pin
            // and both of those are found.
            let work_found = gowork_off || nearest_work.is_some();
            if pin.is_some() && work_found && nearest_mod.is_some() {
                break;
            }
        }
        let module = match self.module([nearest_work, nearest_mod]) {
            Ok(module) => module,
            // A pin does not depend on the module: a malformed one is only noted.
            Err(e) if pin.is_some() => {
                self.notes.push(format!(
                    "{e} (the pin is used without checking it against that file)"
                ));
                None
            }
            Err(e) => return Err(e),
        };

        let Some(pin) = pin else {
            // No pin: the module decides, else the default.
            if let Some(module) = module
                && let Some(requirement) = module.requirement()
            {
                let default = match requirement {
                    Requirement::AtLeast(_) => self.default()?,
                    _ => None,
                };
                return Ok(Some(Selection {
                    requirement,
                    source: Source::File(module.path),
                    module: None,
                    default,
                }));
            }
            let Some(home) = &inputs.home else {
                return Ok(None);
            };
            let path = home.join(DEFAULT_FILE);
            return Ok(self.default()?.map(|request| Selection {
                requirement: Requirement::Request(request),
                source: Source::Default(path),
                module: None,
                default: None,
            }));
        };
        let module = module.filter(|m| m.go.is_some());
        let default = if module.as_ref().is_some_and(|m| m.toolchain.is_none()) {
            self.default()?
        } else {
            None
        };
        Ok(Some(Selection {
            requirement: pin.requirement,
            source: pin.source,
            module,
            default,
        }))
    }

    /// A `.go-version` or `.tool-versions` pin in `dir` itself.
    fn pin_in(&mut self, dir: &Path) -> Result<Option<Pin>, SelectError> {
        let go_version = dir.join(GO_VERSION_FILE);
        if let Some(request) = self.read_version_file(&go_version)? {
            return Ok(Some(Pin {
                requirement: Requirement::Request(request),
                source: Source::File(go_version),
            }));
        }
        let tool_versions = dir.join(TOOL_VERSIONS_FILE);
        if let Some(text) = self.read(&tool_versions, MAX_FILE_BYTES)?
            && let Some(requirement) = parse_tool_versions(&text, &tool_versions)?
        {
            return Ok(Some(Pin {
                requirement,
                source: Source::File(tool_versions),
            }));
        }
        Ok(None)
    }
}
