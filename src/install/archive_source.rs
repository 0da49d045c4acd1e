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
use crate::files::{CopyError, FileError, copy, read_file_capped, sibling, write_atomically};
use crate::net::download::Downloader;
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

impl Signature {
    /// The signature in the file at `path` (a cached or mirrored `.asc`).
    pub(super) fn read(path: &Path) -> std::io::Result<Signature> {
        Ok(Signature {
            bytes: read_file_capped(path, MAX_SIGNATURE_BYTES)?,
            origin: tildify(path),
        })
    }
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
    /// verifies, else a fresh download (or a copy of `--archive`). What
    /// verified it is kept beside it (`.sha256`, and `.asc` when the
    /// signature was checked), so that it verifies again with no network.
    fn obtain_verified_archive(
        &self,
        target: &Target,
        options: &InstallOptions,
        work: &Path,
    ) -> Result<PathBuf, Error> {
        let local = options.archive.as_deref();
        let kept = self.store.cached_download(&target.file_name);
        let kept_signature = sibling(&kept, ".asc");
        let kept_checksum = sibling(&kept, ".sha256");
        let cached = (local.is_none() && kept.is_file()).then_some(kept.as_path());
        let mut expected = self.expected_checksum(target, local, cached)?;
        let needs_signature = self.signature_needed(target, &expected, options.skip_signature);
        if let Some(cached) = cached {
            let signature = match needs_signature {
                true => Some(self.cached_signature(target, &kept_signature)?),
                false => None,
            };
            match self.verify_cached(target, cached, signature.as_ref(), &expected) {
                Ok(()) => {
                    // Kept for the next time: a signature fetched now, and
                    // the checksum (from the listing or a mirror).
                    if let Some(signature) = &signature {
                        write_atomically(&kept_signature, &signature.bytes)?;
                    }
                    write_atomically(&kept_checksum, format!("{}\n", expected.digest).as_bytes())?;
                    return Ok(kept);
                }
                Err(e) => {
                    self.ui.warn(format!(
                        "the cached {} failed verification, downloading it again: {e}",
                        target.file_name
                    ));
                    for file in [cached, &kept_signature, &kept_checksum] {
                        let _ = fs::remove_file(file);
                    }
                    if expected.source == ChecksumSource::File(kept_checksum.clone()) {
                        expected = self.expected_checksum(target, None, None)?;
                    }
                }
            }
        }

        let signature = if needs_signature {
            Some(self.fetch_signature(target, local)?)
        } else {
            None
        };
        let part = work.join(&target.file_name);
        let (actual, _) = match local {
            Some(path) => self.copy_local(path, &part)?,
            None => self.download(target, &part, self.store.downloads_dir())?,
        };
        let good = self.verify(target, &part, actual, &expected, signature.as_ref())?;
        self.report_verified(&expected, good.as_ref());
        // The sidecars first: an archive in the cache always has them.
        match &signature {
            Some(signature) => write_atomically(&kept_signature, &signature.bytes)?,
            None => {
                let _ = fs::remove_file(&kept_signature);
            }
        }
        write_atomically(&kept_checksum, format!("{}\n", expected.digest).as_bytes())?;
        Ok(self.store.keep_download(&part, &target.file_name)?)
    }

    /// The signature kept beside a cached download; when there is none (a
    /// cache restored without it, an install that skipped the check), the
    /// mirrors' one.
    fn cached_signature(&self, target: &Target, kept: &Path) -> Result<Signature, Error> {
        match Signature::read(kept) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                self.fetch_signature(target, None)
            }
            read => Ok(read.map_err(|e| FileError::new("read", kept, e))?),
        }
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
        signature: Option<&Signature>,
        expected: &ExpectedChecksum,
    ) -> Result<(), Error> {
        let good = self.verify_file(target, cached, signature, expected)?;
        self.ui
            .status(format!("Using the cached download {}", tildify(cached)));
        self.report_verified(expected, good.as_ref());
        Ok(())
    }

    /// Both checks of an archive on disk (`signature` `None`: checksum only).
    pub(super) fn verify_file(
        &self,
        target: &Target,
        path: &Path,
        signature: Option<&Signature>,
        expected: &ExpectedChecksum,
    ) -> Result<Option<GoodSignature>, Error> {
        let read_error = |e| Error::File(FileError::new("read", path, e));
        let file = File::open(path).map_err(read_error)?;
        let actual = sha256_of(BufReader::new(file)).map_err(read_error)?;
        self.verify(target, path, actual, expected, signature)
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
    /// archive (`--archive`), else the one kept beside the `cached` download
    /// (if it reads), else the first mirror that serves one.
    pub(super) fn expected_checksum(
        &self,
        target: &Target,
        local: Option<&Path>,
        cached: Option<&Path>,
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
        if let Some(kept) = cached.map(|path| sibling(path, ".sha256"))
            && let Ok(text) = fs::read_to_string(&kept)
            && let Ok(digest) = Sha256Digest::parse_hex(&text)
        {
            return Ok(ExpectedChecksum {
                digest,
                source: ChecksumSource::File(kept),
            });
        }
        let (bytes, url) = self
            .fetch_sidecar(target, ".sha256", MAX_CHECKSUM_FILE_BYTES)
            .map_err(|misses| {
                misses.into_error(target, |tried| Error::NoChecksum {
                    file: target.file_name.clone(),
                    tried,
                })
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
                // Only a missing .asc is a missing signature; one gvmr cannot
                // read is a file system problem, with its own fix.
                if e.kind() == std::io::ErrorKind::NotFound {
                    Error::SignatureMissing {
                        file: target.file_name.clone(),
                        tried: vec![format!("{}: {e}", sidecar.display())],
                        from_mirrors: false,
                    }
                } else {
                    Error::File(FileError::new("read", &sidecar, e))
                }
            })?;
            return Ok(Signature {
                bytes,
                origin: sidecar.display().to_string(),
            });
        }
        let (bytes, url) = self
            .fetch_sidecar(target, ".asc", MAX_SIGNATURE_BYTES)
            .map_err(|misses| {
                misses.into_error(target, |tried| Error::SignatureMissing {
                    file: target.file_name.clone(),
                    tried,
                    from_mirrors: true,
                })
            })?;
        Ok(Signature { bytes, origin: url })
    }

    /// The archive's `suffix` file (`.sha256`, `.asc`) from the first mirror
    /// that serves it, or why each mirror did not: a mirror that fails to
    /// serve it is asked whether it has the archive at all, so that a
    /// release the mirror lacks is "not on this mirror", not a missing
    /// checksum or signature. Each mirror gets the retries of every fetch
    /// ([`Http::get_small`](crate::net::http::Http::get_small)). Returns the
    /// bytes and the URL they came from, as shown.
    fn fetch_sidecar(
        &self,
        target: &Target,
        suffix: &str,
        limit: u64,
    ) -> Result<(Vec<u8>, String), Misses> {
        let mut misses = Vec::new();
        for base in &self.settings.mirrors {
            let url = base.join(&format!("{}{suffix}", target.file_name));
            let error = match self.http.get_small(&url, limit) {
                Ok(bytes) => return Ok((bytes, url.to_string())),
                Err(e) if e.is_unreachable() => {
                    misses.push(Miss::Unreachable(e.to_string()));
                    continue;
                }
                Err(e) => e,
            };
            let archive = base.join(&target.file_name);
            misses.push(match self.http.has(&archive, self.http.connect_timeout()) {
                Ok(false) => Miss::NoArchive(archive.to_string()),
                Ok(true) => Miss::Sidecar(error.to_string()),
                Err(e) => Miss::Unreachable(e.to_string()),
            });
        }
        Err(Misses {
            name: format!("{}{suffix}", target.file_name),
            misses,
        })
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

/// Why one mirror did not serve a file that goes beside the archive.
enum Miss {
    /// The mirror does not have the archive either: not on this mirror.
    NoArchive(String),
    /// The archive is there; the file beside it is not (or is unusable).
    Sidecar(String),
    /// No answer about the file (unreachable, refused, failing).
    Unreachable(String),
}

/// Why every mirror failed to serve `name`, a file that goes beside the
/// archive.
struct Misses {
    name: String,
    misses: Vec<Miss>,
}

impl Misses {
    /// The error that names the real cause: the release is on no mirror
    /// (exit 3; a version the listing does not know gets suggestions);
    /// else, when a mirror has the archive but not the file beside it,
    /// `missing` (a missing checksum or signature, the only case where
    /// gvmr may suggest doing without it); else a network error.
    fn into_error(self, target: &Target, missing: impl FnOnce(Vec<String>) -> Error) -> Error {
        let tried: Vec<String> = self
            .misses
            .iter()
            .map(|miss| match miss {
                Miss::NoArchive(url) => format!("{url}: not on this mirror"),
                Miss::Sidecar(e) | Miss::Unreachable(e) => e.clone(),
            })
            .collect();
        let on_no_mirror = self.misses.iter().all(|m| matches!(m, Miss::NoArchive(_)));
        match &target.suggestions {
            Some(suggestions) if on_no_mirror => Error::UnknownVersion {
                request: target.version.to_string(),
                suggestions: suggestions.clone(),
            },
            _ if on_no_mirror => Error::NotOnMirrors {
                file: target.file_name.clone(),
                tried,
            },
            _ if self.misses.iter().any(|m| matches!(m, Miss::Sidecar(_))) => missing(tried),
            _ => Error::Download {
                file: self.name,
                failures: tried,
            },
        }
    }
}
