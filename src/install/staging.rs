//! The last step every install shares: the version's lock, a work
//! directory, one rename into `versions/`, and the manifest `gvmr doctor`
//! checks the tree against; plus the test-only failpoints between steps.

use super::{Installer, Outcome};
use crate::archive;
use crate::error::Error;
use crate::settings::Failpoints;
use crate::ui::tildify;
use gvmr_shim::GoVersion;
use std::path::{Path, PathBuf};
use std::time::Instant;

impl Installer<'_> {
    /// What every install shares: the version's lock, a work directory,
    /// `fill` (which verifies and unpacks into it, returning the staged
    /// tree and what was written), one rename into `versions/`, and the
    /// manifest `gvmr doctor` checks the tree against.
    pub(super) fn install_staged(
        &self,
        version: GoVersion,
        force: bool,
        fill: impl FnOnce(&Path) -> Result<(PathBuf, archive::Stats), Error>,
    ) -> Result<Outcome, Error> {
        if self.store.is_installed(&version) && !force {
            return Ok(Outcome::AlreadyInstalled(version));
        }
        let _lock = self.store.lock_version(&version, || {
            self.ui.status(format!(
                "Waiting for another gvmr that is installing {version}…"
            ))
        })?;
        if self.store.is_installed(&version) && !force {
            return Ok(Outcome::AlreadyInstalled(version));
        }
        self.store.clean_leftovers(&version);
        let started = Instant::now();
        let work = self.store.work_dir(&version)?;
        self.pause_point("download");
        let (staged, stats) = fill(work.path())?;
        self.pause_point("rename");
        let dir = self.store.commit_version(&staged, &version)?;
        if let Err(e) = crate::store::manifest::record(self.store, &version, &stats.written) {
            self.ui
                .warn(format!("{e}; gvmr doctor cannot check {version}'s files"));
        }
        self.ui.status(format!(
            "Installed {version} in {} ({:.1} s)",
            tildify(&dir),
            started.elapsed().as_secs_f64()
        ));
        Ok(Outcome::Installed(version))
    }

    /// The unpack's progress bar: the share of `archive` read, and the
    /// files written (hidden off a terminal).
    pub(super) fn unpack_progress(&self, file: &str, archive: &Path) -> indicatif::ProgressBar {
        let size = std::fs::metadata(archive).map_or(0, |m| m.len());
        self.ui.unpack_progress(&format!("Unpacking {file}"), size)
    }

    /// Test-only failpoint between the steps of an install: see
    /// [`pause_point`]. Points: "download" (work directory made, nothing
    /// fetched yet), "unpack" (archive verified and cached, nothing
    /// unpacked yet), "rename" (tree complete in the work directory, not
    /// yet moved into `versions/`).
    pub(super) fn pause_point(&self, name: &str) {
        pause_point(&self.settings.failpoints, name);
    }
}

/// Test-only failpoint, active in debug builds only. When
/// `GVMR_TEST_MARK_AT` or `GVMR_TEST_PAUSE_AT` names this point, the file
/// `GVMR_TEST_PAUSE_MARKER` is created; with `GVMR_TEST_PAUSE_AT` the
/// command then sleeps 60 s there, so a test can kill it at a known step
/// (tests/it/crash_and_concurrency.rs, tests/it/self_update.rs).
pub fn pause_point(points: &Failpoints, name: &str) {
    if !cfg!(debug_assertions) {
        return;
    }
    let named = |point: &Option<std::ffi::OsString>| point.as_ref().is_some_and(|p| p == name);
    let (mark, pause) = (named(&points.mark_at), named(&points.pause_at));
    if (mark || pause)
        && let Some(marker) = &points.marker
    {
        let _ = std::fs::File::create(marker);
    }
    if pause {
        std::thread::sleep(std::time::Duration::from_secs(60));
    }
}
