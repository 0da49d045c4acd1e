//! `gvmr mirror sync`: a static mirror of Go release archives in a
//! directory, for nginx, an object store, an Artifactory generic repository
//! or a USB stick, that `gvmr install` reads through `GVMR_MIRROR` and
//! `GVMR_INDEX_URL`.
//!
//! Each archive is resolved, fetched and checked exactly as `install` does
//! it (steps 1 and 2: [`super::resolve`], [`super::archive_source`]: the
//! SHA-256 from the release listing and Go's OpenPGP signature against the
//! pinned key) before it is published ([`dir`]); an archive the directory
//! already holds is checked again instead of fetched again; [`index`]
//! lists what the directory holds. A failure costs only its archive: the
//! others go on, and the caller reports every failure.
//!
//! Because gvmr checks Google's signature end to end, any mirror is safe to
//! install from: it can withhold a release, never forge one.

pub mod dir;
pub mod index;

use super::Installer;
use super::archive_source::Signature;
use super::resolve::Target;
use crate::error::Error;
use crate::files::FileError;
use crate::release::platform::Platform;
use crate::ui::tildify;
use dir::MirrorDir;
use gvmr_shim::VersionRequest;
use index::{Entry, INDEX_FILE, IndexError};
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

/// What to mirror, and where.
pub struct SyncOptions<'a> {
    pub dir: &'a Path,
    /// Each request is mirrored for each platform.
    pub requests: &'a [VersionRequest],
    pub platforms: &'a [Platform],
    /// Say what would happen; change nothing.
    pub dry_run: bool,
}

/// What was done with an archive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Downloaded, verified, published.
    Fetched,
    /// Already in the directory, and verified again.
    Kept,
    /// In the directory but failing verification: removed, then fetched.
    Replaced,
    /// (dry run) Would be downloaded.
    WouldFetch,
    /// (dry run) Already in the directory, and verifies.
    WouldKeep,
    /// (dry run) In the directory but failing verification.
    WouldReplace,
}

/// One archive mirrored (or not).
pub struct ArchiveReport {
    /// The version as asked for (`1.22`, `latest`).
    pub request: String,
    pub platform: Platform,
    /// The archive's file name, once the request resolved to one.
    pub file: Option<String>,
    pub outcome: Result<(Action, Entry), Error>,
}

/// The result of a sync.
pub struct SyncReport {
    pub dir: PathBuf,
    pub dry_run: bool,
    /// In the order requested (each request for each platform), one per archive.
    pub archives: Vec<ArchiveReport>,
    /// Archives that left the directory and the index: gone from the
    /// directory, or failing verification and not fetched again.
    pub removed: Vec<String>,
    /// What the index lists (after a dry run: would list).
    pub listed: Vec<Entry>,
}

impl SyncReport {
    pub fn index_path(&self) -> PathBuf {
        self.dir.join(INDEX_FILE)
    }
}

impl Installer<'_> {
    /// Mirrors every requested version for every platform into the
    /// directory and rewrites its index; see the module documentation.
    pub fn sync_mirror(&self, options: &SyncOptions) -> Result<SyncReport, Error> {
        let dir = if options.dry_run {
            MirrorDir::inspect(options.dir)
        } else {
            MirrorDir::open(options.dir, || {
                self.ui.status(format!(
                    "Waiting for another gvmr that is syncing {}…",
                    tildify(options.dir)
                ))
            })?
        };
        let index_path = dir.path(INDEX_FILE);
        let previous = index::read(&index_path).map_err(|e| match e {
            IndexError::Read(e) => Error::File(e),
            IndexError::Malformed(source) => Error::MirrorIndex {
                path: index_path.clone(),
                source,
            },
        })?;

        let mut archives = Vec::new();
        let mut removed = Vec::new();
        let mut seen = HashSet::new();
        for request in options.requests {
            for platform in options.platforms {
                let (file, outcome) = match self.resolve(request, platform) {
                    Err(e) => (None, Err(e)),
                    // `1.22` and `1.22.5` may name the same archive.
                    Ok(target) if !seen.insert(target.file_name.clone()) => continue,
                    Ok(target) => {
                        let outcome = self.sync_archive(
                            &dir,
                            &target,
                            platform,
                            options.dry_run,
                            &mut removed,
                        );
                        (Some(target.file_name), outcome)
                    }
                };
                archives.push(ArchiveReport {
                    request: request.to_string(),
                    platform: platform.clone(),
                    file,
                    outcome,
                });
            }
        }

        // The index: what it listed and the directory still holds, updated
        // with this run's archives.
        let mut listed: BTreeMap<String, Entry> = BTreeMap::new();
        for entry in &previous {
            if removed.contains(&entry.file_name) {
                continue;
            }
            if let Some(size) = dir.size_of(&entry.file_name) {
                let held = Entry {
                    size,
                    ..entry.clone()
                };
                listed.insert(entry.file_name.clone(), held);
            }
        }
        for report in &archives {
            if let Ok((_, entry)) = &report.outcome {
                listed.insert(entry.file_name.clone(), entry.clone());
            }
        }
        // Listed before but gone from the directory: out of the index, and
        // its .sha256 and .asc out of the directory.
        for entry in &previous {
            if !listed.contains_key(&entry.file_name) && !removed.contains(&entry.file_name) {
                if !options.dry_run {
                    dir.remove_archive(&entry.file_name)?;
                }
                removed.push(entry.file_name.clone());
            }
        }
        removed.retain(|name| !listed.contains_key(name));
        let listed: Vec<Entry> = listed.into_values().collect();
        if !options.dry_run {
            dir.ensure(INDEX_FILE, &index::render(&listed))?;
        }
        Ok(SyncReport {
            dir: dir.root().to_path_buf(),
            dry_run: options.dry_run,
            archives,
            removed,
            listed,
        })
    }

    /// One archive: kept if the directory holds it and it verifies, else
    /// fetched, verified and published. An archive that no longer verifies
    /// is removed (and named in `removed`) before it is fetched again.
    fn sync_archive(
        &self,
        dir: &MirrorDir,
        target: &Target,
        platform: &Platform,
        dry_run: bool,
        removed: &mut Vec<String>,
    ) -> Result<(Action, Entry), Error> {
        let name = &target.file_name;
        let expected = self.expected_checksum(target, None, None)?;
        let needs_signature = self.signature_needed(target, &expected, false);
        let sha256 = expected.digest.to_string();
        let entry = |size| Entry {
            file_name: name.clone(),
            version: target.version,
            platform: platform.clone(),
            sha256: sha256.clone(),
            size,
        };
        let mut replacing = false;
        if let Some(size) = dir.size_of(name) {
            let held = dir.path(name);
            let asc = dir.path(&format!("{name}.asc"));
            self.ui.status(format!("Checking {}", tildify(&held)));
            let signature = needs_signature
                .then(|| Signature::read(&asc).map_err(|e| FileError::new("read", &asc, e)))
                .transpose();
            match signature.map_err(Error::from).and_then(|signature| {
                self.verify_file(target, &held, signature.as_ref(), &expected)
            }) {
                Ok(good) => {
                    self.report_verified(&expected, good.as_ref());
                    if dry_run {
                        return Ok((Action::WouldKeep, entry(size)));
                    }
                    dir.ensure(&format!("{name}.sha256"), sha256.as_bytes())?;
                    return Ok((Action::Kept, entry(size)));
                }
                Err(e) => {
                    let will = if dry_run { "would be" } else { "is" };
                    self.ui.warn(format!(
                        "{} fails verification, so it {will} removed and fetched again: {e}",
                        tildify(&held)
                    ));
                    if !dry_run {
                        dir.remove_archive(name)?;
                    }
                    removed.push(name.clone());
                    replacing = true;
                }
            }
        }
        if dry_run {
            let action = if replacing {
                Action::WouldReplace
            } else {
                Action::WouldFetch
            };
            return Ok((action, entry(0)));
        }
        let signature = if needs_signature {
            Some(self.fetch_signature(target, None)?)
        } else {
            None
        };
        let staged = dir.work_dir().join(name);
        self.ui.status(format!("Fetching {name}"));
        let (actual, size) = self.download(target, &staged, dir.work_dir())?;
        let good = self
            .verify(target, &staged, actual, &expected, signature.as_ref())
            .inspect_err(|_| dir.discard(&staged))?;
        self.report_verified(&expected, good.as_ref());
        let signature = signature.as_ref().map(|s| s.bytes.as_slice());
        dir.publish_archive(name, &staged, &sha256, signature)?;
        let action = if replacing {
            Action::Replaced
        } else {
            Action::Fetched
        };
        Ok((action, entry(size)))
    }
}
