//! Step 1: which release a request names and which archive of it to get,
//! from the release listing (or, without one, the archive's usual name);
//! for `--archive PATH`, from the file's name.

use super::Installer;
use crate::digest::Sha256Digest;
use crate::error::Error;
use crate::files::sibling;
use crate::release::platform::{ArchiveFormat, Platform, parse_archive_name};
use gvmr_shim::{GoVersion, VersionRequest};
use std::fs;
use std::path::Path;

/// What to install: the version and the archive's file name.
pub(super) struct Target {
    pub version: GoVersion,
    pub file_name: String,
    pub format: ArchiveFormat,
    /// The checksum from the release listing, when it lists this file, and
    /// the listing's URL.
    pub listed: Option<(Sha256Digest, String)>,
    /// Versions to suggest if no mirror knows this one either.
    pub suggestions: Option<Vec<GoVersion>>,
}

impl Installer<'_> {
    pub(super) fn resolve(
        &self,
        request: &VersionRequest,
        platform: &Platform,
    ) -> Result<Target, Error> {
        let guessed = |version: GoVersion, suggestions| Target {
            version,
            file_name: platform.archive_name(&version),
            format: platform.archive_format(),
            listed: None,
            suggestions,
        };
        let listing = match self.listing.get() {
            Ok(listing) => listing,
            Err(e) => {
                // An exact version needs no listing: the checksum kept with
                // its cached download, else the mirror's .sha256, stands in;
                // offline, a partial version names the newest cached match.
                let (version, how) = match request {
                    VersionRequest::Exact(v) => (*v, String::new()),
                    _ => match self.newest_cached(request, platform) {
                        Some(v) => (v, format!(", the newest {request} in the downloads cache")),
                        None => {
                            return Err(Error::ListingNeeded {
                                request: request.to_string(),
                                source: e.clone(),
                            });
                        }
                    },
                };
                let cached = self.store.cached_download(&platform.archive_name(&version));
                self.ui.warn(if sibling(&cached, ".sha256").is_file() {
                    format!(
                        "{e}; using the checksum kept with the cached download of {version}{how}"
                    )
                } else if how.is_empty() {
                    format!("{e}; trying the mirror's checksum file")
                } else {
                    format!("{e}; trying the mirror's checksum file of {version}{how}")
                });
                return Ok(guessed(version, None));
            }
        };
        if let Some(release) = listing.resolve(request, platform) {
            let file = release
                .archive_for(platform)
                .expect("resolve only returns releases with an archive");
            return Ok(Target {
                version: release.version,
                file_name: file.filename.clone(),
                format: ArchiveFormat::of_file_name(&file.filename).unwrap_or(ArchiveFormat::TarGz),
                listed: Some((file.digest()?, listing.origin.clone())),
                suggestions: None,
            });
        }
        let suggestions = listing.suggestions(request, 5);
        match request {
            VersionRequest::Exact(v) => match listing.release(v) {
                Some(release) => Err(Error::NoArchive {
                    version: *v,
                    platform: platform.to_string(),
                    available: release.platforms(),
                }),
                // Newer than the listing, perhaps: a mirror may already have it.
                None => Ok(guessed(*v, Some(suggestions))),
            },
            // A release that matches but lacks this platform's archive.
            _ => match listing
                .releases
                .iter()
                .find(|r| r.stable && request.matches(&r.version))
            {
                Some(release) => Err(Error::NoArchive {
                    version: release.version,
                    platform: platform.to_string(),
                    available: release.platforms(),
                }),
                None => Err(Error::UnknownVersion {
                    request: request.to_string(),
                    suggestions,
                }),
            },
        }
    }

    /// The newest version whose archive for `platform` is in the downloads
    /// cache and that `request` accepts.
    fn newest_cached(&self, request: &VersionRequest, platform: &Platform) -> Option<GoVersion> {
        let cached: Vec<GoVersion> = self
            .store
            .cached_downloads()
            .ok()?
            .into_iter()
            .filter_map(|file| parse_archive_name(&file.name).filter(|(_, p)| p == platform))
            .map(|(version, _)| version)
            .collect();
        request.best_match(&cached)
    }

    /// The target for `--archive PATH`: version and platform from its name.
    pub(super) fn resolve_local(
        &self,
        request: Option<&VersionRequest>,
        path: &Path,
    ) -> Result<Target, Error> {
        let file_name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        let (version, platform) = parse_archive_name(&file_name)
            .ok_or_else(|| Error::LocalArchiveName(path.to_path_buf()))?;
        // Before looking for its checksum and signature, which would blame those.
        match fs::metadata(path) {
            Ok(meta) if meta.is_file() => {}
            Ok(_) => return Err(Error::LocalArchiveNotAFile(path.to_path_buf())),
            Err(source) => {
                return Err(Error::LocalArchive {
                    path: path.to_path_buf(),
                    source,
                });
            }
        }
        if let Some(request) = request
            && !request.matches(&version)
        {
            return Err(Error::Usage(format!(
                "{} holds {version}, not {request}",
                path.display()
            )));
        }
        let listed = match self.listing.get() {
            Ok(listing) => listing
                .release(&version)
                .and_then(|r| r.archive_for(&platform))
                .filter(|f| f.filename == file_name)
                .map(|f| f.digest().map(|d| (d, listing.origin.clone())))
                .transpose()?,
            Err(_) => None,
        };
        Ok(Target {
            version,
            format: platform.archive_format(),
            file_name,
            listed,
            suggestions: None,
        })
    }
}
