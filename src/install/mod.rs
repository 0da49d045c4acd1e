//! The install pipeline, one step per file:
//! [`resolve`] (which release and archive) → [`archive_source`] (expected
//! checksum and signature, the verified archive from the downloads cache,
//! the mirrors or a local file) → [`staging`] (unpack into a work
//! directory, one atomic rename into `versions/`, the manifest).
//!
//! Nothing reaches the unpacker before both checks pass, and nothing
//! becomes visible before the rename.
//!
//! `--source proxy` gets the toolchain as a module zip from Go module
//! proxies instead, verified against the checksum database
//! ([`module_source`]); both paths share the staging step.
//!
//! `gvmr mirror sync` ([`mirror`]) runs steps 1 and 2 for many archives and
//! publishes the verified archives into a directory instead of unpacking.

mod archive_source;
pub mod mirror;
mod module_source;
mod resolve;
mod staging;

use crate::error::Error;
use crate::net::download::Downloader;
use crate::net::http::Http;
use crate::release::listing::LazyListing;
use crate::release::platform::Platform;
use crate::settings::Settings;
use crate::store::Store;
use crate::ui::Ui;
use crate::verify::signature::{Keyring, KeyringOrigin};
use gvmr_shim::{GoVersion, VersionRequest};
use std::path::PathBuf;

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

pub struct Installer<'a> {
    store: &'a Store,
    ui: &'a Ui,
    settings: &'a Settings,
    http: Http,
    keyring: Keyring,
    listing: LazyListing<'a>,
}

impl<'a> Installer<'a> {
    pub fn new(
        store: &'a Store,
        ui: &'a Ui,
        settings: &'a Settings,
    ) -> Result<Installer<'a>, Error> {
        let mut warnings = Vec::new();
        let keyring = Keyring::load(
            settings.keyring.as_deref(),
            &settings.pinned_key()?,
            Some(store.root()),
            &mut warnings,
        )?;
        for warning in warnings {
            ui.warn(warning);
        }
        if let KeyringOrigin::File(path) = keyring.origin() {
            ui.warn(format!(
                "GVMR_KEYRING is set: trusting the keys in {} instead of the Go release signing key built into gvmr",
                path.display()
            ));
        }
        let http = settings.http(ui)?;
        Ok(Installer {
            store,
            ui,
            listing: LazyListing::new(http.clone(), store.cache_dir(), ui, &settings.index_url),
            settings,
            http,
            keyring,
        })
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

    /// The resumable downloader, with partials in the downloads cache.
    fn downloader(&self) -> Downloader<'_> {
        Downloader {
            http: &self.http,
            partial_dir: self.store.downloads_dir(),
        }
    }
}
