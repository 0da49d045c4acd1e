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
//! After a fresh install: a warning when the version's line is past the
//! end of support, and the [`default_packages`].
//!
//! `gvmr mirror sync` ([`mirror`]) runs steps 1 and 2 for many archives and
//! publishes the verified archives into a directory instead of unpacking.

mod archive_source;
mod default_packages;
pub mod mirror;
mod module_source;
mod resolve;
mod staging;

pub use staging::pause_point;

use crate::error::Error;
use crate::net::download::Downloader;
use crate::net::http::Http;
use crate::release::listing::LazyListing;
use crate::release::platform::Platform;
use crate::release::support::Support;
use crate::settings::{Settings, Source};
use crate::store::Store;
use crate::ui::Ui;
use crate::verify::signature::{Keyring, KeyringOrigin};
use gvmr_shim::{GoVersion, VersionRequest};
use std::path::PathBuf;

pub struct InstallOptions {
    pub force: bool,
    pub source: Source,
    pub skip_signature: bool,
    pub platform: Platform,
    /// Install from this local archive instead of downloading.
    pub archive: Option<PathBuf>,
    /// `go install` the default packages after a fresh install.
    pub default_packages: bool,
    /// Make a fresh install the default when no default is set (not for
    /// `gvmr default`, which sets it anyway).
    pub first_becomes_default: bool,
}

impl InstallOptions {
    /// What installs that are not `gvmr install` use (`use`, `default`,
    /// `upgrade`): this machine, the archive source from `GVMR_SOURCE`.
    pub fn for_host(source: Source) -> InstallOptions {
        InstallOptions {
            force: false,
            source,
            skip_signature: false,
            platform: Platform::host(),
            archive: None,
            default_packages: true,
            first_becomes_default: true,
        }
    }
}

/// Brings `$GVMR_HOME/sdk/` up to date after versions or the default
/// changed; a failure is a warning (the change itself stands).
pub fn refresh_sdk_links(store: &Store, ui: &Ui) {
    if let Err(e) = store.refresh_sdk_links() {
        ui.warn(format!(
            "{e}; the editor paths in {} are not up to date",
            crate::ui::tildify(&store.sdk_dir())
        ));
    }
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
            listing: LazyListing::new(http.clone(), store.cache_dir(), ui, &settings.index_urls),
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
        if request == Some(&VersionRequest::System) {
            return Err(Error::Usage(
                "system means the Go on PATH outside gvmr; there is nothing for gvmr to install"
                    .into(),
            ));
        }
        let outcome = self.install_from_source(request, options)?;
        if let Outcome::Installed(version) = outcome {
            self.after_install(&version, options);
        }
        Ok(outcome)
    }

    /// What follows a fresh install: the first one becomes the default,
    /// the editors' links follow ([`refresh_sdk_links`]), the
    /// end-of-support warning (from the listing this command loaded, or the
    /// cached one) and the default packages (the default and the packages
    /// only for this machine's platform: others cannot run).
    fn after_install(&self, version: &GoVersion, options: &InstallOptions) {
        let runs_here = options.platform == Platform::host();
        if options.first_becomes_default && runs_here {
            match self.store.set_default_if_unset(version) {
                Ok(true) => self.ui.notice(format!(
                    "{version} is now the default, as no default was set (change it with `gvmr default VERSION`)"
                )),
                Ok(false) => {}
                Err(e) => self.ui.warn(format!("{e}; {version} did not become the default")),
            }
        }
        refresh_sdk_links(self.store, self.ui);
        if let Some(support) = self.listing.offline().map(|l| Support::from_listing(&l))
            && support.past_end_of_support(version)
        {
            self.ui.warn(format!(
                "{version} is past the end of support: Go fixes security bugs only in its two newest release lines ({}), so {version} gets no more fixes",
                support.supported_lines().join(" and ")
            ));
        }
        if options.default_packages && runs_here {
            default_packages::install_all(self.settings, self.store, self.ui, version);
        }
    }

    /// The release listing, as this command loaded it (fetched or cached).
    pub fn listing(&self) -> Result<&crate::release::listing::Listing, Error> {
        self.listing.get().map_err(|e| Error::Listing(e.clone()))
    }

    fn install_from_source(
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
