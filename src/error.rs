//! The one error type commands return, its message, a hint on what to do,
//! and the exit code (documented in the README).

use crate::checksum::ChecksumMismatch;
use crate::keys::KeysError;
use crate::listing::ListingError;
use crate::signature::{KeyringError, SignatureError};
use crate::store::{NoDataDir, StoreError};
use crate::unpack::UnpackError;
use gvmr_select::{GoVersion, ParseVersionError};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    BadVersion(#[from] ParseVersionError),
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    VersionFile(#[from] gvmr_select::select::SelectError),
    #[error(
        "no Go version is selected here (no GVMR_GO_VERSION, .go-version, .tool-versions, go.work or go.mod above this directory, and no default)"
    )]
    NoSelection,
    #[error("{0}")]
    SelectedNotInstalled(String),
    #[error("{request} is not a Go release{}", listed_as_suggestion(.suggestions))]
    UnknownVersion {
        request: String,
        suggestions: Vec<GoVersion>,
    },
    #[error("{version} has no archive for {platform} (it has: {})", .available.join(", "))]
    NoArchive {
        version: GoVersion,
        platform: String,
        available: Vec<String>,
    },
    #[error("{version} is not installed{}", listed_as_installed(.installed))]
    NotInstalled {
        version: String,
        installed: Vec<GoVersion>,
    },
    #[error("cannot resolve {request} without the release listing: {source}")]
    ListingNeeded {
        request: String,
        source: ListingError,
    },
    #[error(transparent)]
    Listing(#[from] ListingError),
    #[error("cannot download {file}: every mirror failed:{}", bullet_list(.failures))]
    Download { file: String, failures: Vec<String> },
    #[error("no checksum for {file}: it is not in the release listing, and no mirror has a .sha256 for it:{}", bullet_list(.tried))]
    NoChecksum { file: String, tried: Vec<String> },
    #[error(transparent)]
    Checksum(#[from] ChecksumMismatch),
    #[error("no signature for {file}: every place that should have it failed:{}", bullet_list(.tried))]
    SignatureMissing { file: String, tried: Vec<String> },
    #[error("the OpenPGP signature of {file} ({origin}) is not valid: {source}")]
    Signature {
        file: String,
        origin: String,
        source: SignatureError,
    },
    #[error(transparent)]
    Keyring(#[from] KeyringError),
    #[error(transparent)]
    Keys(#[from] KeysError),
    #[error("cannot unpack {file}: {source}")]
    Unpack { file: String, source: UnpackError },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    NoDataDir(#[from] NoDataDir),
    #[error("cannot fetch {what} from any Go module proxy (GOPROXY={setting}):{}", bullet_list(.failures))]
    Proxy {
        what: String,
        setting: String,
        failures: Vec<String>,
        /// Every proxy answered "not found".
        not_found: bool,
    },
    #[error("cannot check {module} against the checksum database: {message}")]
    Sumdb {
        module: String,
        message: String,
        /// The database could not be reached (rather than answering wrongly).
        network: bool,
    },
    #[error("{module}: {message}")]
    ModuleVerification { module: String, message: String },
}

fn listed_as_suggestion(versions: &[GoVersion]) -> String {
    match versions {
        [] => String::new(),
        _ => format!(
            " (nearest: {})",
            versions
                .iter()
                .map(|v| v.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn listed_as_installed(versions: &[GoVersion]) -> String {
    match versions {
        [] => " (nothing is installed)".to_string(),
        _ => format!(
            " (installed: {})",
            versions
                .iter()
                .map(|v| v.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn bullet_list(items: &[String]) -> String {
    items.iter().map(|i| format!("\n  - {i}")).collect()
}

/// Exit codes, one per kind of failure (see README "Exit codes").
pub mod exit {
    pub const USAGE: i32 = 2;
    pub const NOT_FOUND: i32 = 3;
    pub const NETWORK: i32 = 4;
    pub const VERIFICATION: i32 = 5;
    pub const BAD_ARCHIVE: i32 = 6;
    pub const FILESYSTEM: i32 = 7;
}

impl Error {
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::BadVersion(_) | Error::Usage(_) | Error::VersionFile(_) => exit::USAGE,
            Error::NoSelection | Error::SelectedNotInstalled(_) => exit::NOT_FOUND,
            Error::UnknownVersion { .. } | Error::NoArchive { .. } | Error::NotInstalled { .. } => {
                exit::NOT_FOUND
            }
            Error::ListingNeeded { .. } | Error::Listing(_) | Error::Download { .. } => {
                exit::NETWORK
            }
            Error::NoChecksum { .. }
            | Error::Checksum(_)
            | Error::SignatureMissing { .. }
            | Error::Signature { .. }
            | Error::Keyring(_) => exit::VERIFICATION,
            Error::Keys(e) if e.is_network() => exit::NETWORK,
            Error::Keys(_) => exit::VERIFICATION,
            Error::Unpack { source, .. } if source.write_error().is_some() => exit::FILESYSTEM,
            Error::Unpack { .. } => exit::BAD_ARCHIVE,
            Error::Store(_) | Error::NoDataDir(_) => exit::FILESYSTEM,
            Error::Proxy {
                not_found: true, ..
            } => exit::NOT_FOUND,
            Error::Proxy { .. } => exit::NETWORK,
            Error::Sumdb { network: true, .. } => exit::NETWORK,
            Error::Sumdb { .. } | Error::ModuleVerification { .. } => exit::VERIFICATION,
        }
    }

    /// True when the source asked could not deliver (unreachable, or it
    /// does not have the version): `--source auto` then tries the proxies.
    pub fn is_unavailable(&self) -> bool {
        matches!(
            self,
            Error::UnknownVersion { .. }
                | Error::NoArchive { .. }
                | Error::ListingNeeded { .. }
                | Error::Listing(_)
                | Error::Download { .. }
                | Error::NoChecksum { .. }
        )
    }

    /// The next thing to try, when there is one worth saying.
    pub fn hint(&self) -> Option<String> {
        Some(match self {
            Error::UnknownVersion { .. } => "run `gvmr list-remote --all` to see every release".into(),
            Error::NotInstalled { .. } => "run `gvmr list` to see what is installed".into(),
            Error::NoSelection => {
                "run `gvmr use VERSION` in the project, or `gvmr default VERSION`".into()
            }
            Error::VersionFile(_) => {
                "fix the file (one version such as 1.22.5), or override it with GVMR_GO_VERSION".into()
            }
            Error::ListingNeeded { .. } | Error::Listing(_) => {
                "check your network or proxy (HTTPS_PROXY), or GVMR_INDEX_URL; an exact version (e.g. 1.22.5) installs without the listing when a mirror has its .sha256".into()
            }
            Error::Download { .. } => {
                "check your network or proxy (HTTPS_PROXY) and GVMR_MIRROR, then run the command again".into()
            }
            Error::Signature { source, .. } if source.unknown_key() => {
                "run `gvmr keys update` to fetch Go's current signing key, then run the command again".into()
            }
            Error::Keys(e) if e.is_network() => {
                "check your network or proxy (HTTPS_PROXY), or give the key file's URL with --url".into()
            }
            Error::Checksum(_) | Error::Signature { .. } => {
                "do not use this archive; if a mirror serves it, report it to the mirror's operator".into()
            }
            Error::SignatureMissing { .. } => {
                "the mirror must serve <archive>.asc beside each archive; --skip-signature installs without it (not recommended)".into()
            }
            Error::Unpack { source, .. } => match source.write_error() {
                Some(e) => crate::store::io_hint(e.kind()).into(),
                None => "the archive passed verification but is not a Go release archive; report it".into(),
            },
            Error::Store(e) => e.hint().into(),
            Error::Proxy { .. } => {
                "check GOPROXY (e.g. https://proxy.golang.org, or file:///path/to/mirror) and your network".into()
            }
            Error::Sumdb { network: true, .. } => {
                "check your network and GOSUMDB; gvmr installs from a proxy only what the checksum database vouches for".into()
            }
            Error::ModuleVerification { .. } => {
                "do not use this toolchain zip; if a proxy serves it, report it to the proxy's operator".into()
            }
            _ => return None,
        })
    }
}
