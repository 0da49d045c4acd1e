//! `.zip` archives: Windows releases and Go toolchain module zips, through
//! the same [`TreeWriter`] rules as tar.

use super::tree::{EntryKind, Top, TreeWriter};
use super::{Limits, Stats, UnpackError};
use indicatif::ProgressBar;
use std::fs::File;
use std::io::BufReader;
use std::path::Path;

/// Unpacks the `.zip` at `archive` (Windows releases) into `dest`, stripping
/// the top-level `go/`, with the same rules as `unpack_tar_gz`.
pub fn unpack_zip(
    archive: &Path,
    dest: &Path,
    limits: Limits,
    progress: &ProgressBar,
) -> Result<Stats, UnpackError> {
    unpack_zip_under(archive, dest, limits, Top::Go, progress)
}

/// Unpacks a Go toolchain module zip (`golang.org/toolchain@v0.0.1-go…`)
/// into `dest` as Go does: the `<module>@<version>/` prefix stripped (entries
/// outside it refused), the files Go's toolchain switch makes executable
/// made executable (below `bin/` and `pkg/tool/`, and `lib/**/go_?*_?*_exec`)
/// and no others, whatever modes the zip carries, every `_go.mod` copied to
/// `go.mod` beside it.
pub fn unpack_module_zip(
    archive: &Path,
    dest: &Path,
    prefix: &str,
    limits: Limits,
    progress: &ProgressBar,
) -> Result<Stats, UnpackError> {
    let top = Top::Module(prefix.to_string());
    unpack_zip_under(archive, dest, limits, top, progress)
}

fn unpack_zip_under(
    archive: &Path,
    dest: &Path,
    limits: Limits,
    top: Top,
    progress: &ProgressBar,
) -> Result<Stats, UnpackError> {
    let file = File::open(archive).map_err(|source| UnpackError::Write {
        path: archive.to_path_buf(),
        source,
    })?;
    let mut zip = zip::ZipArchive::new(BufReader::new(file))
        .map_err(|e| UnpackError::NotArchive(format!("not a zip archive: {e}")))?;
    let mut tree = TreeWriter::under(dest, limits, top, progress)?;
    for index in 0..zip.len() {
        let mut entry = zip
            .by_index(index)
            .map_err(|e| UnpackError::Corrupt(e.to_string()))?;
        let kind = if entry.is_symlink() {
            EntryKind::Other("symbolic link".to_string())
        } else if entry.is_dir() {
            EntryKind::Dir
        } else {
            EntryKind::File {
                size: entry.size(),
                executable: entry.unix_mode().unwrap_or(0) & 0o111 != 0,
            }
        };
        let raw = entry.name_raw().to_vec();
        let compressed = entry.compressed_size();
        tree.entry(&raw, kind, &mut entry)?;
        progress.inc(compressed);
    }
    tree.finish()
}
