//! Where gvmr keeps its data. One function, used by `gvmr` and by the shims,
//! so both always look in the same place.

use crate::env::Environment;
use std::path::{Path, PathBuf};

/// The data directory: `GVMR_HOME` when set, else the platform's data dir
/// (`$XDG_DATA_HOME/gvmr`, by default `~/.local/share/gvmr`; on macOS
/// `~/Library/Application Support/gvmr`). `None` when neither `GVMR_HOME`
/// nor `HOME` is set.
pub fn data_dir(env: &Environment) -> Option<PathBuf> {
    if let Some(home) = env.path("GVMR_HOME") {
        return Some(home);
    }
    let home = env.path("HOME");
    if cfg!(target_os = "macos") {
        return home.map(|h| h.join("Library/Application Support/gvmr"));
    }
    env.absolute_path("XDG_DATA_HOME")
        .or_else(|| home.map(|h| h.join(".local/share")))
        .map(|d| d.join("gvmr"))
}

/// The directory holding installed versions, one directory per version named
/// as Go names it (`go1.22.5`).
pub const VERSIONS_DIR: &str = "versions";

/// The working directory as the user sees it: `pwd` (`$PWD`) when it
/// names the current directory (keeping symlinked paths, as shells and Go
/// do), else the kernel's answer.
pub fn working_dir(pwd: Option<&Path>) -> std::io::Result<PathBuf> {
    use std::os::unix::fs::MetadataExt;
    if let Some(pwd) = pwd.filter(|p| p.is_absolute())
        && let (Ok(a), Ok(b)) = (std::fs::metadata(pwd), std::fs::metadata("."))
        && a.dev() == b.dev()
        && a.ino() == b.ino()
    {
        return Ok(pwd.to_path_buf());
    }
    std::env::current_dir()
}
