//! `gvmr self update`: replaces this gvmr (and the `gvmr-shim` beside it,
//! and the shims in `$GVMR_HOME/shims`) with a newer release, verified
//! before anything is replaced, so that a kill at any moment leaves a
//! working gvmr.
//!
//! - [`origin`]: who installed this copy; a package manager's or cargo's
//!   is refused, naming the command that updates it.
//! - [`release`]: the published release (`manifest.json`, `SHA256SUMS` and
//!   its minisign signature), trusted only through the signed `SHA256SUMS`.
//! - [`replace`]: the archive unpacked beside the binary, the new gvmr
//!   run, then renamed over the old one, which is kept until the new one
//!   answers `--version` and restored otherwise.
//!
//! The steps take values, not settings: the command (commands/) reads
//! `GVMR_UPDATE_BASE` and `GVMR_UPDATE_KEY` and hands them down.

pub mod origin;
pub mod release;
pub mod replace;

use crate::files::FileError;
use crate::net::download::{DownloadError, Downloader};
use crate::net::http::{Http, HttpError};
use crate::net::url::DisplaySafeUrl;
use crate::store::Store;
use crate::switch::shim_files;
use crate::ui::{Ui, tildify};
use crate::verify::checksum::{ChecksumMismatch, ChecksumSource, ExpectedChecksum};
use crate::verify::minisign::{MinisignError, PublicKey};
use release::Release;
use semver::Version;
use std::path::{Path, PathBuf};

/// Why `gvmr self update` did not update; each kind has its exit code
/// (error.rs) and a hint.
#[derive(Debug, thiserror::Error)]
pub enum SelfUpdateError {
    #[error("{} was installed by {manager}, so gvmr does not replace it", exe.display())]
    PackageManaged {
        exe: PathBuf,
        manager: String,
        command: String,
    },
    #[error("{} was installed by `cargo install`, so gvmr does not replace it", exe.display())]
    CargoInstalled { exe: PathBuf, command: String },
    #[error(
        "this gvmr has no release signing key built in (it was built before the first signed release), so it cannot verify an update and does not update itself"
    )]
    NoReleaseKey { get_sh: String },
    #[error("cannot use the release key {} (from GVMR_UPDATE_KEY): {message}", path.display())]
    BadUpdateKey { path: PathBuf, message: String },
    #[error("{0} is not a gvmr version (expected one such as 0.2.0)")]
    BadVersion(String),
    #[error("cannot fetch {url}: {source}")]
    Fetch { url: String, source: HttpError },
    #[error("gvmr {version} is not published at {url}")]
    NotPublished { version: Version, url: String },
    #[error("the signature of {url} is not valid: {source}")]
    Signature { url: String, source: MinisignError },
    #[error("the release at {url} cannot be trusted: {message}")]
    BadRelease { url: String, message: String },
    #[error("gvmr {version} has no build for {target} (it has: {available})")]
    NoBuild {
        version: Version,
        target: String,
        available: String,
    },
    #[error(
        "the newest gvmr at {url} is {newest}, older than this gvmr ({current}): not downgrading"
    )]
    Downgrade {
        url: String,
        newest: Version,
        current: Version,
    },
    #[error(transparent)]
    Download(#[from] DownloadError),
    #[error(transparent)]
    Checksum(#[from] ChecksumMismatch),
    #[error("cannot unpack {file}: {message}")]
    BadArchive { file: String, message: String },
    #[error("the new gvmr {version} does not work here ({message}); {} was left as it was", exe.display())]
    NewBinaryFails {
        version: Version,
        exe: PathBuf,
        message: String,
    },
    #[error("another `gvmr self update` is running (it holds {})", lock.display())]
    Busy { lock: PathBuf },
    #[error("cannot update {}: {} is not writable ({})", exe.display(), dir.display(), crate::files::describe_io(source))]
    NotWritable {
        exe: PathBuf,
        dir: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    File(#[from] FileError),
}

impl SelfUpdateError {
    /// The next thing to try, when there is one worth saying.
    pub fn hint(&self) -> Option<String> {
        Some(match self {
            SelfUpdateError::PackageManaged { command, .. }
            | SelfUpdateError::CargoInstalled { command, .. } => {
                format!("update it the way it was installed: {command}")
            }
            SelfUpdateError::NoReleaseKey { get_sh } => format!(
                "install a signed release with its installer, which checks it: curl -fsSL {get_sh} | sh"
            ),
            SelfUpdateError::BadUpdateKey { .. } => {
                "GVMR_UPDATE_KEY names a minisign public key file (minisign -G writes one); unset it to use the key built into gvmr".into()
            }
            SelfUpdateError::Fetch { .. }
        | SelfUpdateError::Download(DownloadError::Failed { .. } | DownloadError::NotFound { .. }) => {
                "check your network or proxy (HTTPS_PROXY), or set GVMR_UPDATE_BASE to a mirror of gvmr's release downloads".into()
            }
            SelfUpdateError::NotPublished { .. } => {
                "check the version: `gvmr self update --check` names the newest".into()
            }
            SelfUpdateError::Signature { .. }
            | SelfUpdateError::BadRelease { .. }
            | SelfUpdateError::Checksum(_) => {
                "nothing was replaced; do not use this release, and if a mirror (GVMR_UPDATE_BASE) serves it, report it to its operator".into()
            }
            SelfUpdateError::Downgrade { newest, .. } => {
                format!("`gvmr self update --to {newest}` installs it on purpose")
            }
            SelfUpdateError::NewBinaryFails { .. } => {
                "this release may not support this system; keep using this gvmr, and report it".into()
            }
            SelfUpdateError::Busy { .. } => {
                "wait for it to finish, then run `gvmr self update --check`".into()
            }
            SelfUpdateError::NotWritable { .. } => {
                "run it as the user that owns that directory, or install gvmr where you can write (GVMR_INSTALL_DIR with get.sh)".into()
            }
            SelfUpdateError::Download(DownloadError::Disk(e)) | SelfUpdateError::File(e) => {
                e.hint().into()
            }
            SelfUpdateError::NoBuild { .. } | SelfUpdateError::BadArchive { .. } | SelfUpdateError::BadVersion(_) => {
                return None;
            }
        })
    }
}

/// Where the newest release (or the one `--to` named) stands against
/// this gvmr.
#[derive(Debug)]
pub enum Plan {
    /// This gvmr is that release.
    UpToDate(Version),
    /// This gvmr is newer than the newest release (a downgrade needs `--to`).
    Older(Release),
    /// A release to install: newer, or the one `--to` named.
    Install(Release),
}

/// One `gvmr self update` of the executable at `exe`.
pub struct Updater<'a> {
    pub http: &'a Http,
    pub ui: &'a Ui,
    /// The release downloads (`GVMR_UPDATE_BASE`).
    pub base: &'a DisplaySafeUrl,
    /// The keys `SHA256SUMS.sig` must be made by.
    pub keys: &'a [PublicKey],
    /// This gvmr's version and target.
    pub current: Version,
    pub target: &'a str,
    /// The running gvmr, symlinks resolved: what gets replaced.
    pub exe: PathBuf,
    /// Test-only failpoints between the steps (see install/staging.rs).
    pub pause: &'a dyn Fn(&str),
}

impl Updater<'_> {
    /// The release to move to: the newest, or `to`; verified.
    pub fn plan(&self, to: Option<&Version>) -> Result<Plan, SelfUpdateError> {
        let release = release::fetch(self.http, self.base, to, self.target, self.keys)?;
        let verified = &release.verified;
        self.ui.status(format!(
            "Verified the signature of {} (key {}: {})",
            release.sums_url, verified.key_id, verified.trusted_comment
        ));
        if release.version == self.current {
            return Ok(Plan::UpToDate(release.version));
        }
        if release.version < self.current && to.is_none() {
            return Ok(Plan::Older(release));
        }
        Ok(Plan::Install(release))
    }

    /// Installs `release` over this gvmr; with the update lock held, so
    /// two updates never interleave.
    pub fn install(&self, store: &Store, release: &Release) -> Result<(), SelfUpdateError> {
        let Some(_lock) = store.try_lock(LOCK_NAME)? else {
            let lock = store.lock_path(LOCK_NAME)?;
            return Err(SelfUpdateError::Busy { lock });
        };
        let staging = replace::Staging::open(&self.exe, &release.archive.file)?;
        (self.pause)("self-update-download");
        let archive = &release.archive;
        let path = staging.path().join(&archive.file);
        let downloader = Downloader {
            http: self.http,
            partial_dir: staging.path().to_path_buf(),
        };
        let (digest, _) = downloader.download(&archive.file, [archive.url.clone()], &path)?;
        let expected = ExpectedChecksum {
            digest: archive.sha256,
            source: ChecksumSource::Mirror(release.sums_url.to_string()),
        };
        // A mismatching download goes with the staging directory.
        expected.check(&archive.file, digest)?;
        self.ui.status(format!(
            "Verified sha256 {} of {} (listed in the signed SHA256SUMS)",
            digest.short(),
            archive.file
        ));
        let staged = staging.unpack(&path, &archive.top_dir())?;
        replace::answers_version(&staged.gvmr(), &release.version).map_err(|message| {
            SelfUpdateError::NewBinaryFails {
                version: release.version.clone(),
                exe: self.exe.clone(),
                message,
            }
        })?;
        (self.pause)("self-update-staged");
        staged.replace(&self.exe, &release.version, self.pause)?;
        (self.pause)("self-update-shims");
        self.update_shims(store);
        Ok(())
    }

    /// Removes what an interrupted update left beside the binary (when
    /// there is nothing to update, so no update will).
    pub fn tidy(&self, store: &Store) -> Result<(), SelfUpdateError> {
        if replace::Staging::exists(&self.exe)
            && let Some(_lock) = store.try_lock(LOCK_NAME)?
        {
            replace::Staging::remove(&self.exe)?;
        }
        Ok(())
    }

    /// Rewrites the shims in `$GVMR_HOME/shims` from the new `gvmr-shim`,
    /// when there are any: gvmr itself is updated by now, so a failure is
    /// a warning (the old shims keep working).
    fn update_shims(&self, store: &Store) {
        if !store.shims_dir().is_dir() {
            return;
        }
        let shim = self.exe.with_file_name(replace::SHIM);
        if let Err(e) = shim_files::write_shims_from(store, &shim) {
            self.ui.warn(format!(
                "the shims in {} were not updated: {e}; run `gvmr shims`",
                tildify(&store.shims_dir())
            ));
        }
    }
}

/// `locks/self-update.lock` in the data directory.
const LOCK_NAME: &str = "self-update";

/// A version as `--to` takes it: `0.2.0` or `v0.2.0`.
pub fn parse_version(text: &str) -> Result<Version, SelfUpdateError> {
    let trimmed = text.trim();
    Version::parse(trimmed.strip_prefix('v').unwrap_or(trimmed))
        .map_err(|_| SelfUpdateError::BadVersion(text.to_string()))
}

/// The running gvmr with symlinks resolved: the file an update replaces.
pub fn resolve_exe(exe: &Path) -> Result<PathBuf, SelfUpdateError> {
    std::fs::canonicalize(exe).map_err(|e| FileError::new("find", exe, e).into())
}
