//! `gvmr ide [vscode|goland] [--write]`: what each editor needs to use the
//! Go selected here. VS Code runs gvmr's go shim (`go.alternateTools.go`),
//! which follows the project's pins with no setting to change, or names a
//! stable root (`go.goroot`); GoLand wants a real Go root as its SDK home:
//! the stable `$GVMR_HOME/sdk/go1.N` link of the selected line.

use crate::cli::Editor;
use crate::editors::{goland, vscode};
use crate::error::Error;
use crate::files::{FileError, write_atomically};
use crate::settings::Settings;
use crate::store::Store;
use crate::switch::SwitchError;
use crate::switch::selection::{Active, current_dir, look_here};
use crate::ui::{self, Ui};
use gvmr_shim::select::Source;
use gvmr_shim::toolchain::Resolved;
use std::path::{Path, PathBuf};

pub fn ide(
    settings: &Settings,
    store: &Store,
    ui: &Ui,
    editor: Option<Editor>,
    write: bool,
) -> Result<(), Error> {
    if write && editor != Some(Editor::Vscode) {
        return Err(Error::Usage(
            "--write writes VS Code's settings: run `gvmr ide vscode --write`".into(),
        ));
    }
    let cwd = current_dir(&settings.selection)?;
    let here = look_here(&settings.selection, store, &cwd);
    for note in &here.notes {
        ui.note(note);
    }
    let resolved = here.resolved?;
    let shim = store.shims_dir().join("go");
    let settings_file = settings_file(&cwd, settings.home.as_deref(), &resolved);
    if write {
        return write_vscode(store, ui, &settings_file, &shim);
    }
    let root = stable_root(store, &resolved)?;
    let mut out = format!("Go here: {}\n", describe(&resolved));
    if editor != Some(Editor::Goland) {
        out.push_str(&format!(
            "\nVS Code, in {}:\n  {}\n      gvmr's go shim: follows .go-version, go.mod and the default, nothing to change when they do\n      (`gvmr ide vscode --write` adds it)\n",
            settings_file.display(),
            vscode::snippet(&shim.display().to_string()),
        ));
        if let Some(root) = &root {
            out.push_str(&format!(
                "  or \"{}\": {}\n      {}\n",
                vscode::GOROOT_KEY,
                serde_json::Value::from(root.path.display().to_string()),
                root.what
            ));
        }
    }
    if editor != Some(Editor::Vscode) {
        out.push_str("\nGoLand: Settings > Go > GOROOT > Add SDK > Local..., and choose\n");
        match &root {
            Some(root) => {
                out.push_str(&format!("  {}\n      {}\n", root.path.display(), root.what));
                if root.path.exists()
                    && let Err(problem) = goland::sdk_home(&root.path)
                {
                    ui.warn(format!("GoLand will refuse it: {problem}"));
                }
            }
            None => out.push_str(&format!(
                "  nothing yet: {} is not installed (run: gvmr install {})\n",
                resolved.selection.requirement,
                resolved.install_argument()
            )),
        }
    }
    ui::out(out)?;
    Ok(())
}

/// `go1.22.5 (set by /p/.go-version)`.
fn describe(resolved: &Resolved) -> String {
    let what = resolved.what();
    let how = resolved.selection.source.introduced_as();
    let missing = if resolved.is_available() {
        ""
    } else {
        ", not installed yet"
    };
    format!("{what} ({how} {}{missing})", resolved.selection.source)
}

/// A Go root that stays put while the project's patch version changes.
struct StableRoot {
    path: PathBuf,
    /// What it points at, for the reader.
    what: String,
}

/// The stable root of what is selected: `sdk/default` when the default
/// decides, else `sdk/go1.N` of the selected version's line; for `system`,
/// that Go's own root. `None` when no one version is selected yet (`1.22`
/// with nothing installed).
fn stable_root(store: &Store, resolved: &Resolved) -> Result<Option<StableRoot>, Error> {
    if let Some(system) = &resolved.system {
        let go = system
            .go
            .clone()
            .ok_or_else(|| SwitchError::NoSystemGo(resolved.selection.source.to_string()))?;
        let path = Active::System { go: go.clone() }
            .goroot()
            .ok_or(Error::NoSuchTool(go))?;
        let what = "the Go outside gvmr that system selects".to_string();
        return Ok(Some(StableRoot { path, what }));
    }
    let Some(version) = resolved.version else {
        return Ok(None);
    };
    let installed = if resolved.goroot.is_some() {
        ""
    } else {
        " (once installed: `go` installs it on first use)"
    };
    Ok(Some(match resolved.selection.source {
        Source::Default(_) => StableRoot {
            path: store.sdk_default_path(),
            what: format!(
                "always the default's version, now {version}{installed}; `gvmr default` moves it"
            ),
        },
        _ => StableRoot {
            path: store.sdk_line_path(&version),
            what: format!(
                "the newest installed go{}.{}.x (this directory selects {version}{installed}); installs and upgrades move it",
                version.major, version.minor
            ),
        },
    }))
}

/// The workspace settings file: the nearest existing `.vscode` from here
/// up (below `HOME`), else beside the file that selects the version, else
/// here.
fn settings_file(cwd: &Path, home: Option<&Path>, resolved: &Resolved) -> PathBuf {
    let candidates = vscode::candidates(cwd, home);
    if let Some(found) = candidates
        .iter()
        .find(|file| file.parent().is_some_and(Path::is_dir))
    {
        return found.clone();
    }
    match &resolved.selection.source {
        Source::File(file) if file.parent().is_some_and(|dir| cwd.starts_with(dir)) => {
            file.parent().unwrap_or(cwd).join(vscode::SETTINGS)
        }
        _ => cwd.join(vscode::SETTINGS),
    }
}

/// Sets `go.alternateTools.go` to the shim in `file`, every other setting
/// kept; a file that cannot be rewritten faithfully is left alone.
fn write_vscode(store: &Store, ui: &Ui, file: &Path, shim: &Path) -> Result<(), Error> {
    let shim_text = shim.display().to_string();
    if let Err(e) = crate::switch::shim_files::ensure_shims(store) {
        ui.warn(format!(
            "{e}; {shim_text} is missing, so VS Code cannot run it"
        ));
    }
    let text = match std::fs::read_to_string(file) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(FileError::new("read", file, e).into()),
    };
    let shown = file.display();
    match vscode::with_alternate_go(&text, &shim_text) {
        Ok(Some(new)) => {
            write_atomically(file, new.as_bytes())?;
            ui.status(format!(
                "Set {}.go to {shim_text} in {shown} (every other setting kept)",
                vscode::TOOLS_KEY
            ));
        }
        Ok(None) => ui.status(format!(
            "{shown} already sets {}.go to {shim_text}",
            vscode::TOOLS_KEY
        )),
        Err(problem) => {
            return Err(Error::EditorSettings {
                path: file.to_path_buf(),
                problem,
                snippet: vscode::snippet(&shim_text),
            });
        }
    }
    if let Ok(Some(goroot)) = vscode::read(&text).map(|s| s.goroot) {
        ui.note(format!(
            "{shown} also sets {} to {goroot}; remove it to let the shim choose the Go root",
            vscode::GOROOT_KEY
        ));
    }
    Ok(())
}
