//! The install pipeline:
//! resolve → expected checksum → signature → download (hashing as it
//! streams) → verify both → keep in the downloads cache → unpack into a
//! staging directory → one atomic rename into `versions/`.
//!
//! Nothing reaches the tar parser before both checks pass, and nothing
//! becomes visible before the rename.
//!
//! `--source proxy` gets the toolchain as a module zip from Go module
//! proxies instead, verified against the checksum database ([`proxy`]);
//! both paths share the lock, staging and rename (`install_staged`).

use crate::checksum::{ChecksumSource, ExpectedChecksum, HashingWriter, Sha256Digest, sha256_of};
use crate::download::{Downloader, RetryPolicy};
use crate::error::Error;
use crate::http::{Http, HttpError, join_url};
use crate::listing::LazyListing;
use crate::platform::{ArchiveFormat, Platform};
use crate::signature::{GoodSignature, Keyring, KeyringOrigin, MAX_SIGNATURE_BYTES};
use crate::store::{Store, StoreError, write_atomically};
use crate::ui::{Ui, tildify};
use crate::unpack;
use gvmr_select::{GoVersion, VersionRequest};
use std::fs::{self, File};
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

mod proxy;

pub const DEFAULT_MIRROR: &str = "https://dl.google.com/go/";

/// Largest `.sha256` file accepted; real ones are 64 bytes.
const MAX_CHECKSUM_FILE_BYTES: u64 = 4096;

/// Where toolchains come from (`--source`, `GVMR_SOURCE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Source {
    /// Release archives from the mirrors (GVMR_MIRROR), checksum and signature.
    #[default]
    Archive,
    /// Module zips from Go module proxies (GOPROXY), checked against the
    /// checksum database (GOSUMDB).
    Proxy,
    /// The mirrors first; the proxies when the mirrors are unreachable or
    /// lack the version.
    Auto,
}

impl Source {
    /// `GVMR_SOURCE`, for installs that have no `--source` (`gvmr use`).
    pub fn from_env() -> Result<Source, Error> {
        match std::env::var("GVMR_SOURCE") {
            Ok(text) if !text.trim().is_empty() => {
                <Source as clap::ValueEnum>::from_str(text.trim(), true).map_err(|_| {
                    Error::Usage(format!(
                        "GVMR_SOURCE must be archive, proxy or auto, not {text:?}"
                    ))
                })
            }
            _ => Ok(Source::Archive),
        }
    }
}

pub struct InstallOptions {
    pub force: bool,
    pub source: Source,
    pub skip_signature: bool,
    pub platform: Platform,
    /// Install from this local archive instead of downloading.
    pub archive: Option<PathBuf>,
}

/// What `install` did, and the version it settled on.
pub enum Outcome {
    Installed(GoVersion),
    AlreadyInstalled(GoVersion),
}

impl Outcome {
    pub fn version(&self) -> GoVersion {
        match self {
            Outcome::Installed(v) | Outcome::AlreadyInstalled(v) => *v,
        }
    }
}

/// What to install: the version and the archive's file name.
struct Target {
    version: GoVersion,
    file_name: String,
    format: ArchiveFormat,
    /// The checksum from the release listing, when it lists this file.
    listed: Option<Sha256Digest>,
    /// Versions to suggest if no mirror knows this one either.
    suggestions: Option<Vec<GoVersion>>,
}

/// A detached signature and where it came from.
struct Signature {
    bytes: Vec<u8>,
    origin: String,
}

pub struct Installer<'a> {
    store: &'a Store,
    ui: &'a Ui,
    http: Http,
    mirrors: Vec<String>,
    keyring: Keyring,
    listing: LazyListing<'a>,
    retry: RetryPolicy,
}

/// The mirror base URLs from `GVMR_MIRROR` (comma-separated), in order.
pub fn mirrors() -> Vec<String> {
    let configured = std::env::var("GVMR_MIRROR").unwrap_or_default();
    let list: Vec<String> = configured
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    if list.is_empty() {
        vec![DEFAULT_MIRROR.to_string()]
    } else {
        list
    }
}

/// Why copying an archive stopped: the source failed, or the disk did.
enum CopyError {
    Read(io::Error),
    Write(io::Error),
}

/// Copies `reader` into a new file at `dest`, hashing as it goes.
fn copy_hashing(
    reader: &mut impl Read,
    dest: &Path,
    progress: &indicatif::ProgressBar,
) -> Result<(Sha256Digest, u64), CopyError> {
    let file = File::create(dest).map_err(CopyError::Write)?;
    let mut writer = HashingWriter::new(BufWriter::with_capacity(256 * 1024, file));
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(CopyError::Read(e)),
        };
        writer.write_all(&buf[..n]).map_err(CopyError::Write)?;
        progress.inc(n as u64);
    }
    // No fsync: a cached archive is verified again before every use.
    let (digest, size, mut buffered) = writer.finish();
    buffered.flush().map_err(CopyError::Write)?;
    Ok((digest, size))
}

/// Splits `go1.22.5.linux-amd64.tar.gz` into its version and platform.
fn parse_archive_name(name: &str) -> Option<(GoVersion, Platform)> {
    let format = ArchiveFormat::of_file_name(name)?;
    let stem = name.strip_suffix(&format!(".{}", format.extension()))?;
    let (version, platform) = stem.rsplit_once('.')?;
    Some((GoVersion::parse(version).ok()?, platform.parse().ok()?))
}

impl<'a> Installer<'a> {
    pub fn new(store: &'a Store, ui: &'a Ui) -> Result<Installer<'a>, Error> {
        let keyring = Keyring::from_env()?;
        if let KeyringOrigin::File(path) = keyring.origin() {
            ui.warn(format!(
                "GVMR_KEYRING is set: trusting the keys in {} instead of the Go release signing key built into gvmr",
                path.display()
            ));
        }
        let http = Http::new();
        Ok(Installer {
            store,
            ui,
            listing: LazyListing::new(http.clone(), store.cache_dir(), ui),
            http,
            mirrors: mirrors(),
            keyring,
            retry: RetryPolicy::from_env()?,
        })
    }

    fn resolve(&self, request: &VersionRequest, platform: &Platform) -> Result<Target, Error> {
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
                return match request {
                    // An exact version needs no listing: the mirror's .sha256 stands in.
                    VersionRequest::Exact(v) => {
                        self.ui
                            .warn(format!("{e}; trying the mirror's checksum file"));
                        Ok(guessed(*v, None))
                    }
                    _ => Err(Error::ListingNeeded {
                        request: request.to_string(),
                        source: e.clone(),
                    }),
                };
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
                listed: Some(file.digest()?),
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

    /// Installs one version; `request` may be `None` with `--archive`.
    pub fn install(
        &self,
        request: Option<&VersionRequest>,
        options: &InstallOptions,
    ) -> Result<Outcome, Error> {
        let from_proxy = |request: Option<&VersionRequest>| {
            let request = request.ok_or_else(|| Error::Usage("no version given".into()))?;
            self.install_from_proxy(request, options)
        };
        match (options.source, &options.archive) {
            (Source::Proxy, Some(_)) => Err(Error::Usage(
                "--archive installs a local archive; it cannot be combined with --source proxy"
                    .into(),
            )),
            (Source::Proxy, None) => from_proxy(request),
            (Source::Archive, _) | (Source::Auto, Some(_)) => {
                self.install_archive(request, options)
            }
            (Source::Auto, None) => match self.install_archive(request, options) {
                Err(e) if e.is_unavailable() => {
                    self.ui
                        .warn(format!("{e}; trying the Go module proxy (GOPROXY) instead"));
                    from_proxy(request)
                }
                other => other,
            },
        }
    }

    /// Installs a release archive from the mirrors (or `--archive`).
    fn install_archive(
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
                ArchiveFormat::TarGz => unpack::unpack_tar_gz,
                ArchiveFormat::Zip => unpack::unpack_zip,
            };
            pause_point("unpack");
            let stats =
                unpack_archive(&archive, &staged, unpack::Limits::default()).map_err(|source| {
                    Error::Unpack {
                        file: target.file_name.clone(),
                        source,
                    }
                })?;
            Ok((staged, stats))
        })
    }

    /// What every install shares: the version's lock, a work directory,
    /// `fill` (which verifies and unpacks into it, returning the staged
    /// tree and what was written), one rename into `versions/`, and the
    /// manifest `gvmr doctor` checks the tree against.
    fn install_staged(
        &self,
        version: GoVersion,
        force: bool,
        fill: impl FnOnce(&Path) -> Result<(PathBuf, unpack::Stats), Error>,
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
        pause_point("download");
        let (staged, stats) = fill(work.path())?;
        pause_point("rename");
        let dir = self.store.commit_version(&staged, &version)?;
        if let Err(e) = crate::doctor::manifest::record(self.store, &version, &stats.written) {
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

    /// The target for `--archive PATH`: version and platform from its name.
    fn resolve_local(
        &self,
        request: Option<&VersionRequest>,
        path: &Path,
    ) -> Result<Target, Error> {
        let file_name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        let (version, platform) = parse_archive_name(&file_name).ok_or_else(|| {
            Error::Usage(format!(
                "{} is not named like a Go release archive (e.g. go1.22.5.linux-amd64.tar.gz)",
                path.display()
            ))
        })?;
        // Before looking for its checksum and signature, which would blame those.
        match fs::metadata(path) {
            Ok(meta) if meta.is_file() => {}
            Ok(_) => {
                return Err(Error::Usage(format!(
                    "--archive {} is not a file",
                    path.display()
                )));
            }
            Err(e) => {
                return Err(Error::Usage(format!(
                    "cannot read --archive {}: {e}",
                    path.display()
                )));
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
                .map(|f| f.digest())
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

    /// A verified archive in the downloads cache: the cached copy if it still
    /// verifies, else a fresh download (or a copy of `--archive`).
    fn obtain_verified_archive(
        &self,
        target: &Target,
        options: &InstallOptions,
        work: &Path,
    ) -> Result<PathBuf, Error> {
        let expected = self.expected_checksum(target, options.archive.as_deref())?;
        let needs_signature = target.format == ArchiveFormat::TarGz && !options.skip_signature;
        if options.skip_signature {
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
            None => self.download(target, &part)?,
        };
        let good = self.verify(target, &part, actual, &expected, signature.as_ref())?;
        self.report_verified(&expected, good.as_ref());
        let kept = self.store.keep_download(&part, &target.file_name)?;
        if let Some(signature) = signature {
            write_atomically(&cached_signature, &signature.bytes)?;
        }
        Ok(kept)
    }

    fn verify_cached(
        &self,
        target: &Target,
        cached: &Path,
        cached_signature: &Path,
        expected: &ExpectedChecksum,
        needs_signature: bool,
    ) -> Result<(), Error> {
        let read_error = |path: &Path| {
            let path = path.to_path_buf();
            move |e| Error::Store(StoreError::new("read", &path, e))
        };
        let signature = if needs_signature {
            Some(Signature {
                bytes: fs::read(cached_signature).map_err(read_error(cached_signature))?,
                origin: tildify(cached_signature),
            })
        } else {
            None
        };
        let file = File::open(cached).map_err(read_error(cached))?;
        let actual = sha256_of(BufReader::new(file)).map_err(read_error(cached))?;
        let good = self.verify(target, cached, actual, expected, signature.as_ref())?;
        self.ui
            .status(format!("Using the cached download {}", tildify(cached)));
        self.report_verified(expected, good.as_ref());
        Ok(())
    }

    /// Both checks; the signature is read from the file on disk.
    fn verify(
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
        let file = File::open(path).map_err(|e| Error::Store(StoreError::new("read", path, e)))?;
        self.keyring
            .verify(&signature.bytes, BufReader::with_capacity(256 * 1024, file))
            .map(Some)
            .map_err(|source| Error::Signature {
                file: target.file_name.clone(),
                origin: signature.origin.clone(),
                source,
            })
    }

    fn report_verified(&self, expected: &ExpectedChecksum, good: Option<&GoodSignature>) {
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
    fn expected_checksum(
        &self,
        target: &Target,
        local: Option<&Path>,
    ) -> Result<ExpectedChecksum, Error> {
        if let Some(digest) = target.listed {
            return Ok(ExpectedChecksum {
                digest,
                source: ChecksumSource::Listing,
            });
        }
        let bad_file = |origin: String, e: crate::checksum::ParseDigestError| Error::NoChecksum {
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

    fn fetch_signature(&self, target: &Target, local: Option<&Path>) -> Result<Signature, Error> {
        if let Some(path) = local {
            let sidecar = sibling(path, ".asc");
            let bytes = read_capped(&sidecar, MAX_SIGNATURE_BYTES).map_err(|e| {
                Error::SignatureMissing {
                    file: target.file_name.clone(),
                    tried: vec![format!("{}: {e}", sidecar.display())],
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
                    }
                }
            })?;
        Ok(Signature { bytes, origin: url })
    }

    /// A small file from the first mirror that serves it, or every failure.
    /// Transient failures (no answer, 5xx) are retried like archive
    /// downloads (`GVMR_RETRIES`, `GVMR_RETRY_BACKOFF_MS`).
    fn fetch_small(&self, name: &str, limit: u64) -> Result<(Vec<u8>, String), Vec<HttpError>> {
        let mut failures = Vec::new();
        for base in &self.mirrors {
            let url = join_url(base, name);
            let mut attempt = 1;
            loop {
                match self.http.get_small(&url, limit) {
                    Ok(bytes) => return Ok((bytes, url)),
                    Err(e) if e.is_unreachable() && attempt < self.retry.attempts => {
                        let wait = self.retry.backoff_after(attempt);
                        attempt += 1;
                        self.ui.status(format!(
                            "{e}; retrying in {:.2} s (attempt {attempt} of {})",
                            wait.as_secs_f64(),
                            self.retry.attempts
                        ));
                        std::thread::sleep(wait);
                    }
                    Err(e) => {
                        failures.push(e);
                        break;
                    }
                }
            }
        }
        Err(failures)
    }

    /// Downloads the archive into `dest`, retrying and resuming (see
    /// [`crate::download`]).
    fn download(&self, target: &Target, dest: &Path) -> Result<(Sha256Digest, u64), Error> {
        Downloader {
            http: &self.http,
            ui: self.ui,
            mirrors: &self.mirrors,
            policy: self.retry,
            partial_dir: self.store.downloads_dir(),
        }
        .download(&target.file_name, dest)
    }

    /// Copies a local archive into the work directory, hashing it, so the
    /// bytes verified are the bytes unpacked.
    fn copy_local(&self, path: &Path, dest: &Path) -> Result<(Sha256Digest, u64), Error> {
        let mut file = File::open(path).map_err(|e| StoreError::new("read", path, e))?;
        let size = file.metadata().ok().map(|m| m.len());
        let progress = self
            .ui
            .progress(&format!("Reading {}", path.display()), size);
        let copied = copy_hashing(&mut file, dest, &progress);
        progress.finish_and_clear();
        copied.map_err(|e| match e {
            CopyError::Read(e) => StoreError::new("read", path, e).into(),
            CopyError::Write(e) => StoreError::new("write", dest, e).into(),
        })
    }
}

/// Test-only failpoint, compiled into debug builds only (release builds get
/// the empty version below). When `GVMR_TEST_MARK_AT` or `GVMR_TEST_PAUSE_AT`
/// names this point, the file `GVMR_TEST_PAUSE_MARKER` is created; with
/// `GVMR_TEST_PAUSE_AT` the install then sleeps 60 s there, so a test can
/// kill it at a known step (tests/crash_and_concurrency.rs). Points:
/// "download" (work directory made, nothing fetched yet), "unpack" (archive
/// verified and cached, nothing unpacked yet), "rename" (tree complete in the
/// work directory, not yet moved into `versions/`).
#[cfg(debug_assertions)]
fn pause_point(name: &str) {
    let named = |var: &str| std::env::var_os(var).is_some_and(|v| v == name);
    let (mark, pause) = (named("GVMR_TEST_MARK_AT"), named("GVMR_TEST_PAUSE_AT"));
    if (mark || pause)
        && let Some(marker) = std::env::var_os("GVMR_TEST_PAUSE_MARKER")
    {
        let _ = File::create(marker);
    }
    if pause {
        std::thread::sleep(std::time::Duration::from_secs(60));
    }
}

#[cfg(not(debug_assertions))]
#[inline(always)]
fn pause_point(_name: &str) {}

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

fn read_capped(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    File::open(path)?.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(io::Error::other(format!("larger than {limit} bytes")));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn archive_names_give_version_and_platform() {
        let (v, p) = parse_archive_name("go1.22.5.linux-amd64.tar.gz").unwrap();
        assert_eq!(
            (v.to_string(), p.to_string()),
            ("go1.22.5".into(), "linux-amd64".into())
        );
        let (v, p) = parse_archive_name("go1.20.linux-armv6l.tar.gz").unwrap();
        assert_eq!(
            (v.to_string(), p.to_string()),
            ("go1.20".into(), "linux-armv6l".into())
        );
        let (v, _) = parse_archive_name("go1.23rc1.darwin-arm64.tar.gz").unwrap();
        assert_eq!(v.to_string(), "go1.23rc1");
        for bad in [
            "go1.22.5.tar.gz",
            "go.tar.gz",
            "go1.22.5.linux-amd64.tar.xz",
            "x.linux-amd64.tar.gz",
        ] {
            assert!(parse_archive_name(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn sidecars_append_to_the_full_name() {
        assert_eq!(
            sibling(Path::new("/a/go1.tar.gz"), ".asc"),
            PathBuf::from("/a/go1.tar.gz.asc")
        );
    }
}
