//! Installs the `go` and `gofmt` shims into `$GVMR_HOME/shims`: copies of
//! the small `gvmr-shim` executable that is installed beside `gvmr`.

use crate::files::{FileError, own_executable};
use crate::store::Store;
use crate::switch::SwitchError as Error;
use gvmr_shim::toolchain::TOOLS;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

const SHIM_BINARY: &str = "gvmr-shim";

/// The `gvmr-shim` executable beside this `gvmr`.
fn shim_binary() -> Result<PathBuf, Error> {
    let exe = own_executable()
        .and_then(fs::canonicalize)
        .map_err(Error::OwnExecutable)?;
    let shim = exe.with_file_name(SHIM_BINARY);
    if shim.is_file() {
        Ok(shim)
    } else {
        Err(Error::ShimMissing(shim))
    }
}

/// Writes both shims (atomically: copy to a temp name, then rename).
pub fn write_shims(store: &Store) -> Result<Vec<PathBuf>, Error> {
    write_shims_from(store, &shim_binary()?)
}

/// [`write_shims`] from the `gvmr-shim` executable at `source` (`gvmr self
/// update`: the new one, beside a gvmr that is no longer this process).
pub fn write_shims_from(store: &Store, source: &Path) -> Result<Vec<PathBuf>, Error> {
    let dir = store.shims_dir();
    fs::create_dir_all(&dir).map_err(|e| FileError::new("create", &dir, e))?;
    TOOLS
        .iter()
        .map(|tool| {
            let target = dir.join(tool);
            let temp = dir.join(format!(".{tool}.new"));
            fs::copy(source, &temp).map_err(|e| FileError::new("write", &temp, e))?;
            fs::set_permissions(&temp, fs::Permissions::from_mode(0o755))
                .map_err(|e| FileError::new("make executable", &temp, e))?;
            fs::rename(&temp, &target).map_err(|e| FileError::new("write", &target, e))?;
            Ok(target)
        })
        .collect()
}

/// Writes the shims unless both are already there.
pub fn ensure_shims(store: &Store) -> Result<bool, Error> {
    let dir = store.shims_dir();
    if TOOLS.iter().all(|tool| is_executable(&dir.join(tool))) {
        return Ok(false);
    }
    write_shims(store).map(|_| true)
}

fn is_executable(path: &Path) -> bool {
    fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}
