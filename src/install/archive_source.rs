//! Step 2 for release archives: the expected SHA-256 (release listing,
//! else a `.sha256` beside the archive), the detached OpenPGP signature,
//! and the archive itself (the verified downloads cache, a download from
//! the mirrors, or `--archive`), both checks passed before anything is
//! unpacked.

use super::resolve::Target;
use super::{InstallOptions, Installer, Outcome};
use crate::archive;
use crate::digest::{HashingWriter, ParseDigestError, Sha256Digest, sha256_of};
use crate::error::Error;
use crate::files::{CopyError, FileError, copy, read_file_capped, write_atomically};
use crate::net::download::Downloader;
use crate::net::http::HttpError;
use crate::release::platform::ArchiveFormat;
use crate::ui::tildify;
use crate::verify::checksum::{ChecksumSource, ExpectedChecksum};
use crate::verify::signature::{GoodSignature, MAX_SIGNATURE_BYTES};
use gvmr_shim::VersionRequest;
use std::fs::{self, File};
use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

/// Largest `.sha256` file accepted; real ones are 64 bytes.
const MAX_CHECKSUM_FILE_BYTES: u64 = 4096;

/// A detached signature and where it came from.
pub(super) struct Signature {
    pub bytes: Vec<u8>,
    origin: String,
}

impl Installer<'_> {
    /// Installs a release archive from the mirrors (or `--archive`).
    pub(super) fn install_archive(
        &self,
        request: Option<&VersionRequest>,
        options: &InstallOptions,
    ) -> Result<Outcome, Error> {
        let target = match &options.archive {
            Some(path) => self.resolve_local(request, path)?,
            None => {
                let request = request.ok_or_else(|| Error::Usage("no version given".into()))?;
                self.resolve(request, &options.platform)?
            }
        };
        self.install_staged(target.version, options.force, |work| {
            let archive = self.obtain_verified_archive(&target, options, work)?;
            let staged = work.join("go");
            let unpack_archive = match target.format {
                ArchiveFormat::TarGz => archive::unpack_tar_gz,
                ArchiveFormat::Zip => archive::unpack_zip,
            };
            self.pause_point("unpack");
            let progress = self.unpack_progress(&target.file_name, &archive);
            let unpacked = unpack_archive(&archive, &staged, archive::Limits::default(), &progress);
            progress.finish_and_clear();
            let stats = unpacked.map_err(|source| Error::Unpack {
                file: target.file_name.clone(),
                source,
            })?;
            Ok((staged, stats))
        })
    }

    /// A verified archive in the downloads cache: the cached copy if it still
    /// verifies, else a fresh download (or a copy of `--archive`).
    fn obtain_verified_archive(
        &self,
        target: &Target,
        options: &InstallOptions,
        work: &Path,
    ) -> Result<PathBuf, Error> {
        let expected = self.expected_checksum(target, options.archive.as_deref())?;
        let needs_signature = self.signature_needed(target, &expected, options.skip_signature);
        let cached = self.store.cached_download(&target.file_name);
        let cached_signature = cached.with_file_name(format!("{}.asc", target.file_name));
        if options.archive.is_none() && cached.is_file() {
            match self.verify_cached(
                target,
                &cached,
                &cached_signature,
                &expected,
                needs_signature,
            ) {
                Ok(()) => return Ok(cached),
                Err(e) => {
                    self.ui.warn(format!(
                        "the cached {} failed verification, downloading it again: {e}",
                        target.file_name
                    ));
                    let _ = fs::remove_file(&cached);
                    let _ = fs::remove_file(&cached_signature);
                }
            }
        }

        let signature = if needs_signature {
            Some(self.fetch_signature(target, options.archive.as_deref())?)
        } else {
            None
        };
        let part = work.join(&target.file_name);
        let (actual, _) = match &options.archive {
            Some(path) => self.copy_local(path, &part)?,
            None => self.download(target, &part, self.store.downloads_dir())?,
        };
        let good = self.verify(target, &part, actual, &expected, signature.as_ref())?;
        self.report_verified(&expected, good.as_ref());
        let kept = self.store.keep_download(&part, &target.file_name)?;
        if let Some(signature) = signature {
            write_atomically(&cached_signature, &signature.bytes)?;
        }
        Ok(kept)
    }

    /// Which checks `target` gets: true when its signature is checked; warns
    /// when it is not (`--skip-signature`, or a `.zip`, which Go does not sign).
    pub(super) fn signature_needed(
        &self,
        target: &Target,
        expected: &ExpectedChecksum,
        skip_signature: bool,
    ) -> bool {
        if skip_signature {
            self.ui.warn(format!(
                "--skip-signature: the OpenPGP signature of {} is NOT checked; only the SHA-256 checksum from the {} protects this install, so whoever controls that source can hand you any Go they like",
                target.file_name, expected.source
            ));
        } else if target.format == ArchiveFormat::Zip {
            self.ui.warn(format!(
                "{} has no OpenPGP signature (Go publishes none for .zip archives): SHA-256 is the only check",
                target.file_name
            ));
        }
        target.format == ArchiveFormat::TarGz && !skip_signature
    }

    fn verify_cached(
        &self,
        target: &Target,
        cached: &Path,
        cached_signature: &Path,
        expected: &ExpectedChecksum,
        needs_signature: bool,
    ) -> Result<(), Error> {
        let signature = needs_signature.then_some(cached_signature);
        let good = self.verify_file(target, cached, signature, expected)?;
        self.ui
            .status(format!("Using the cached download {}", tildify(cached)));
        self.report_verified(expected, good.as_ref());
        Ok(())
    }

    /// Both checks of an archive on disk, its signature read from
    /// `signature` (`None`: checksum only).
    pub(super) fn verify_file(
        &self,
        target: &Target,
        path: &Path,
        signature: Option<&Path>,
        expected: &ExpectedChecksum,
    ) -> Result<Option<GoodSignature>, Error> {
        let read_error = |path: &Path| {
            let path = path.to_path_buf();
            move |e| Error::File(FileError::new("read", &path, e))
        };
        let signature = match signature {
            Some(asc) => Some(Signature {
                bytes: read_file_capped(asc, MAX_SIGNATURE_BYTES).map_err(read_error(asc))?,
                origin: tildify(asc),
            }),
            None => None,
        };
        let file = File::open(path).map_err(read_error(path))?;
        let actual = sha256_of(BufReader::new(file)).map_err(read_error(path))?;
        self.verify(target, path, actual, expected, signature.as_ref())
    }

    /// Both checks; the signature is read from the file on disk.
    pub(super) fn verify(
        &self,
        target: &Target,
        path: &Path,
        actual: Sha256Digest,
        expected: &ExpectedChecksum,
        signature: Option<&Signature>,
    ) -> Result<Option<GoodSignature>, Error> {
        expected.check(&target.file_name, actual)?;
        let Some(signature) = signature else {
            return Ok(None);
        };
        let file = File::open(path).map_err(|e| FileError::new("read", path, e))?;
        self.keyring
            .verify(&signature.bytes, BufReader::with_capacity(256 * 1024, file))
            .map(Some)
            .map_err(|source| Error::Signature {
                file: target.file_name.clone(),
                origin: signature.origin.clone(),
                source,
            })
    }

    pub(super) fn report_verified(
        &self,
        expected: &ExpectedChecksum,
        good: Option<&GoodSignature>,
    ) {
        let signature = match good {
            Some(good) => format!(" and OpenPGP signature ({good})"),
            None => String::new(),
        };
        self.ui.status(format!(
            "Verified sha256 {} ({}){signature}",
            expected.digest.short(),
            expected.source
        ));
    }

    /// The expected digest: the listing's, else a `.sha256` beside the local
    /// archive, else the first mirror that serves one.
    pub(super) fn expected_checksum(
        &self,
        target: &Target,
        local: Option<&Path>,
    ) -> Result<ExpectedChecksum, Error> {
        if let Some((digest, listing)) = &target.listed {
            return Ok(ExpectedChecksum {
                digest: *digest,
                source: ChecksumSource::Listing(listing.clone()),
            });
        }
        let bad_file = |origin: String, e: ParseDigestError| Error::NoChecksum {
            file: target.file_name.clone(),
            tried: vec![format!("{origin}: {e}")],
        };
        if let Some(path) = local {
            let sidecar = sibling(path, ".sha256");
            let text = fs::read_to_string(&sidecar).map_err(|e| Error::NoChecksum {
                file: target.file_name.clone(),
                tried: vec![format!("{}: {e}", sidecar.display())],
            })?;
            let digest = Sha256Digest::parse_hex(&text)
                .map_err(|e| bad_file(sidecar.display().to_string(), e))?;
            return Ok(ExpectedChecksum {
                digest,
                source: ChecksumSource::File(sidecar),
            });
        }
        let name = format!("{}.sha256", target.file_name);
        let (bytes, url) =
            self.fetch_small(&name, MAX_CHECKSUM_FILE_BYTES)
                .map_err(|tried| {
                    match (
                        &target.suggestions,
                        tried.iter().all(HttpError::is_not_found),
                    ) {
                        (Some(suggestions), true) => Error::UnknownVersion {
                            request: target.version.to_string(),
                            suggestions: suggestions.clone(),
                        },
                        _ if tried.iter().all(HttpError::is_unreachable) => {
                            mirrors_unreachable(&name, &tried)
                        }
                        _ => Error::NoChecksum {
                            file: target.file_name.clone(),
                            tried: tried.iter().map(HttpError::to_string).collect(),
                        },
                    }
                })?;
        let digest = Sha256Digest::parse_hex(&String::from_utf8_lossy(&bytes))
            .map_err(|e| bad_file(url.clone(), e))?;
        Ok(ExpectedChecksum {
            digest,
            source: ChecksumSource::Mirror(url),
        })
    }

    pub(super) fn fetch_signature(
        &self,
        target: &Target,
        local: Option<&Path>,
    ) -> Result<Signature, Error> {
        if let Some(path) = local {
            let sidecar = sibling(path, ".asc");
            let bytes = read_file_capped(&sidecar, MAX_SIGNATURE_BYTES).map_err(|e| {
                Error::SignatureMissing {
                    file: target.file_name.clone(),
                    tried: vec![format!("{}: {e}", sidecar.display())],
                    from_mirrors: false,
                }
            })?;
            return Ok(Signature {
                bytes,
                origin: sidecar.display().to_string(),
            });
        }
        let name = format!("{}.asc", target.file_name);
        let (bytes, url) = self
            .fetch_small(&name, MAX_SIGNATURE_BYTES)
            .map_err(|tried| {
                if tried.iter().all(HttpError::is_unreachable) {
                    mirrors_unreachable(&name, &tried)
                } else {
                    Error::SignatureMissing {
                        file: target.file_name.clone(),
                        tried: tried.iter().map(HttpError::to_string).collect(),
                        from_mirrors: true,
                    }
                }
            })?;
        Ok(Signature { bytes, origin: url })
    }

    /// A small file from the first mirror that serves it, or every failure.
    /// Each mirror gets the retries of every fetch ([`Http::get_small`]).
    /// Returns the bytes and the URL they came from, as shown.
    fn fetch_small(&self, name: &str, limit: u64) -> Result<(Vec<u8>, String), Vec<HttpError>> {
        let mut failures = Vec::new();
        for base in &self.settings.mirrors {
            let url = base.join(name);
            match self.http.get_small(&url, limit) {
                Ok(bytes) => return Ok((bytes, url.to_string())),
                Err(e) => failures.push(e),
            }
        }
        Err(failures)
    }

    /// Downloads the archive into `dest`, retrying and resuming with the
    /// partial download in `partial_dir` (see [`crate::net::download`]).
    pub(super) fn download(
        &self,
        target: &Target,
        dest: &Path,
        partial_dir: PathBuf,
    ) -> Result<(Sha256Digest, u64), Error> {
        let urls = self
            .settings
            .mirrors
            .iter()
            .map(|base| base.join(&target.file_name));
        let downloader = Downloader {
            http: &self.http,
            partial_dir,
        };
        Ok(downloader.download(&target.file_name, urls, dest)?)
    }

    /// Copies a local archive into the work directory, hashing it, so the
    /// bytes verified are the bytes unpacked.
    fn copy_local(&self, path: &Path, dest: &Path) -> Result<(Sha256Digest, u64), Error> {
        let mut file = File::open(path).map_err(|e| FileError::new("read", path, e))?;
        let size = file.metadata().ok().map(|m| m.len());
        let out = File::create(dest).map_err(|e| FileError::new("write", dest, e))?;
        let mut writer = HashingWriter::new(BufWriter::with_capacity(256 * 1024, out));
        let progress = self
            .ui
            .progress(&format!("Reading {}", path.display()), size);
        let copied = copy(&mut file, &mut writer, &progress);
        progress.finish_and_clear();
        copied.map_err(|e| match e {
            CopyError::Read { error, .. } => FileError::new("read", path, error),
            CopyError::Write(e) => FileError::new("write", dest, e),
        })?;
        // No fsync: a cached archive is verified again before every use.
        let (digest, size, mut buffered) = writer.finish();
        buffered
            .flush()
            .map_err(|e| FileError::new("write", dest, e))?;
        Ok((digest, size))
    }
}

/// No mirror could be asked for `name` (offline, or every one failing): a
/// network error, not a verdict on the file.
fn mirrors_unreachable(name: &str, tried: &[HttpError]) -> Error {
    Error::Download {
        file: name.to_string(),
        failures: tried.iter().map(HttpError::to_string).collect(),
    }
}

/// `PATH` + suffix, e.g. `go1.22.5.linux-amd64.tar.gz.asc`.
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sidecars_append_to_the_full_name() {
        assert_eq!(
            sibling(Path::new("/a/go1.tar.gz"), ".asc"),
            PathBuf::from("/a/go1.tar.gz.asc")
        );
    }
}
