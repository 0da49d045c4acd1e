//! The one error type commands return. Each layer below has its own error
//! type (net, verify, archive, store, switch, release, settings); this is
//! where they are folded into one message, a hint on what to do, and an
//! exit code by what the failure means (documented in the README). No
//! module below `commands` and `install` imports this one.

use crate::archive::UnpackError;
use crate::editors::vscode::RewriteError;
use crate::files::FileError;
use crate::net::download::DownloadError;
use crate::release::listing::ListingError;
use crate::self_update::SelfUpdateError;
use crate::settings::{HttpSetupError, SettingsError};
use crate::store::NoDataDir;
use crate::switch::SwitchError;
use crate::ui::OutputError;
use crate::verify::checksum::ChecksumMismatch;
use crate::verify::dirhash::ModuleZipError;
use crate::verify::keys::KeysError;
use crate::verify::signature::{KeyringError, SignatureError};
use crate::verify::sumdb::SumdbError;
use crate::verify::sumdb::client::StateProblem;
use gvmr_shim::{GoVersion, ParseVersionError, VersionRequest};
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    BadVersion(#[from] ParseVersionError),
    /// The command line asks for something that cannot be done: arguments
    /// that contradict each other or name nothing gvmr can act on.
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Settings(#[from] SettingsError),
    /// The netrc file named by `NETRC` (or `~/.netrc`) cannot be read.
    #[error("cannot read {name}: {}", crate::files::describe_io(source))]
    Netrc {
        name: String,
        #[source]
        source: std::sync::Arc<std::io::Error>,
    },
    #[error(transparent)]
    Switch(#[from] SwitchError),
    #[error("no default version is set; set one with `gvmr default VERSION`")]
    NoDefault,
    #[error("{} does not exist", .0.display())]
    NoSuchTool(PathBuf),
    #[error("cannot run {}: {source}", program.display())]
    Exec {
        program: PathBuf,
        source: std::io::Error,
    },
    #[error("{request} is not a Go release{}", listed_as_suggestion(.suggestions))]
    UnknownVersion {
        request: String,
        suggestions: Vec<GoVersion>,
    },
    /// `stable`/`oldstable` when the listing has no such release.
    #[error("the release listing has no {alias} release")]
    NoRelease { alias: VersionRequest },
    /// The version file selects `system`, which gvmr does not manage.
    #[error(
        "{selected_by} selects system (the Go on PATH outside gvmr); there is nothing for gvmr to {action}"
    )]
    SystemSelected {
        selected_by: String,
        /// What the command would have done: `install`, `upgrade`.
        action: &'static str,
    },
    /// `gvmr upgrade` found no version to replace in the file that selects it.
    #[error("cannot find {old} in {} to replace it with {new}", path.display())]
    PinNotFound {
        path: PathBuf,
        old: GoVersion,
        new: GoVersion,
    },
    /// `--archive PATH` that gvmr cannot read.
    #[error("cannot read --archive {}: {}", path.display(), crate::files::describe_io(source))]
    LocalArchive {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("--archive {} is not a file", .0.display())]
    LocalArchiveNotAFile(PathBuf),
    /// `--archive PATH` whose name does not say the version and platform.
    #[error("{} is not named like a Go release archive (e.g. go1.22.5.linux-amd64.tar.gz)", .0.display())]
    LocalArchiveName(PathBuf),
    #[error("{version} has no archive for {platform} (it has: {})", .available.join(", "))]
    NoArchive {
        version: GoVersion,
        platform: String,
        available: Vec<String>,
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
    /// Every mirror answered that it does not have the release archive.
    #[error("{file} is not on any mirror:{}", bullet_list(.tried))]
    NotOnMirrors { file: String, tried: Vec<String> },
    #[error("no checksum for {file}: it is not in the release listing, and no mirror has a .sha256 for it:{}", bullet_list(.tried))]
    NoChecksum { file: String, tried: Vec<String> },
    #[error(transparent)]
    Checksum(#[from] ChecksumMismatch),
    #[error("no signature for {file}: {}:{}", if *.from_mirrors { format!("no mirror has {file}.asc") } else { "it is not beside the archive".to_string() }, bullet_list(.tried))]
    SignatureMissing {
        file: String,
        tried: Vec<String>,
        /// Looked for on the mirrors (rather than beside `--archive`).
        from_mirrors: bool,
    },
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
    File(#[from] FileError),
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
    #[error("cannot check {module} against the checksum database: {source}")]
    Sumdb {
        module: String,
        #[source]
        source: SumdbError,
    },
    #[error("{module}: {source}")]
    ModuleVerification {
        module: String,
        #[source]
        source: ModuleZipError,
    },
    /// Stdout failed; a closed one (`| head`) ends gvmr quietly in `main`.
    #[error(transparent)]
    Output(#[from] OutputError),
    /// A command that removes things was not confirmed and cannot ask.
    #[error("{0}, and standard input is not a terminal to ask on")]
    NotConfirmed(String),
    /// The index of a mirror directory cannot be read back.
    #[error("cannot update {}: {source}", path.display())]
    MirrorIndex { path: PathBuf, source: ListingError },
    /// `gvmr ide vscode --write`: the settings file cannot be rewritten
    /// without losing something.
    #[error("gvmr did not change {}: {problem}", path.display())]
    EditorSettings {
        path: PathBuf,
        problem: RewriteError,
        /// What to add by hand.
        snippet: String,
    },
    /// Installing the selected version on first use (`gvmr exec`, `gvmr
    /// env`, the shims through `gvmr exec`) failed; exits as `source` does.
    #[error("cannot install {selected} on first use: {source}")]
    FirstUse {
        /// What was to be installed: `go1.22.5`, or `1.22`.
        selected: String,
        source: Box<Error>,
    },
    /// `gvmr mirror sync`: some archives were not mirrored (the others were).
    #[error("{} of {total} archives were not mirrored into {}, which holds only verified files:{}", failures.len(), dir.display(), failure_list(failures))]
    MirrorIncomplete {
        dir: PathBuf,
        total: usize,
        /// What was asked for (the archive's name, or the version and
        /// platform when none was found) and why it failed.
        failures: Vec<(String, Error)>,
    },
    #[error(transparent)]
    SelfUpdate(#[from] SelfUpdateError),
}

impl From<HttpSetupError> for Error {
    fn from(e: HttpSetupError) -> Error {
        match e {
            HttpSetupError::Settings(e) => Error::Settings(e),
            HttpSetupError::Netrc { name, source } => Error::Netrc { name, source },
        }
    }
}

impl From<DownloadError> for Error {
    fn from(e: DownloadError) -> Error {
        match e {
            DownloadError::Failed { file, failures } => Error::Download { file, failures },
            DownloadError::NotFound { file, urls } => Error::NotOnMirrors {
                file,
                tried: urls
                    .into_iter()
                    .map(|url| format!("{url}: not on this mirror"))
                    .collect(),
            },
            DownloadError::Disk(e) => Error::File(e),
        }
    }
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

fn bullet_list(items: &[String]) -> String {
    items.iter().map(|i| format!("\n  - {i}")).collect()
}

/// `what: error` per failure, the error's own lines indented below it.
fn failure_list(failures: &[(String, Error)]) -> String {
    failures
        .iter()
        .map(|(what, error)| {
            let error = error.to_string().replace('\n', "\n    ");
            format!("\n  - {what}: {error}")
        })
        .collect()
}

/// Exit codes, one per kind of failure (see README "Exit codes").
pub mod exit {
    /// The command line or a setting is wrong.
    pub const USAGE: u8 = 2;
    /// What was asked for does not exist (a version, a file, a program).
    pub const NOT_FOUND: u8 = 3;
    pub const NETWORK: u8 = 4;
    pub const VERIFICATION: u8 = 5;
    pub const BAD_ARCHIVE: u8 = 6;
    /// The local file system failed (disk full, permissions).
    pub const FILESYSTEM: u8 = 7;
    /// `gvmr self update --check`: a newer release exists.
    pub const UPDATE_AVAILABLE: u8 = 10;
}

/// The exit code of each way `gvmr self update` can refuse or fail.
fn self_update_exit_code(e: &SelfUpdateError) -> u8 {
    match e {
        SelfUpdateError::PackageManaged { .. }
        | SelfUpdateError::CargoInstalled { .. }
        | SelfUpdateError::BadVersion(_)
        | SelfUpdateError::Downgrade { .. } => exit::USAGE,
        SelfUpdateError::NotPublished { .. } | SelfUpdateError::NoBuild { .. } => exit::NOT_FOUND,
        SelfUpdateError::Fetch { .. }
        | SelfUpdateError::Download(
            DownloadError::Failed { .. } | DownloadError::NotFound { .. },
        ) => exit::NETWORK,
        SelfUpdateError::NoReleaseKey { .. }
        | SelfUpdateError::BadUpdateKey { .. }
        | SelfUpdateError::Signature { .. }
        | SelfUpdateError::BadRelease { .. }
        | SelfUpdateError::Checksum(_) => exit::VERIFICATION,
        SelfUpdateError::BadArchive { .. } | SelfUpdateError::NewBinaryFails { .. } => {
            exit::BAD_ARCHIVE
        }
        SelfUpdateError::Download(DownloadError::Disk(_))
        | SelfUpdateError::Busy { .. }
        | SelfUpdateError::NotWritable { .. }
        | SelfUpdateError::File(_) => exit::FILESYSTEM,
    }
}

impl Error {
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::BadVersion(_)
            | Error::Usage(_)
            | Error::Settings(_)
            | Error::SystemSelected { .. }
            | Error::PinNotFound { .. }
            | Error::LocalArchiveName(_) => exit::USAGE,
            Error::Switch(e) => match e {
                SwitchError::BadVersion(_) | SwitchError::VersionFile(_) => exit::USAGE,
                SwitchError::NoSelection
                | SwitchError::SelectedNotInstalled(_)
                | SwitchError::NotInstalled { .. }
                | SwitchError::NoSystemGo(_)
                | SwitchError::ShimMissing(_) => exit::NOT_FOUND,
                SwitchError::WorkingDir(_)
                | SwitchError::OwnExecutable(_)
                | SwitchError::File(_) => exit::FILESYSTEM,
            },
            Error::NoDefault | Error::NoSuchTool(_) => exit::NOT_FOUND,
            Error::Exec { source, .. } if source.kind() == std::io::ErrorKind::NotFound => {
                exit::NOT_FOUND
            }
            Error::Exec { .. } => exit::FILESYSTEM,
            Error::UnknownVersion { .. }
            | Error::NoRelease { .. }
            | Error::NoArchive { .. }
            | Error::NotOnMirrors { .. }
            | Error::LocalArchiveNotAFile(_) => exit::NOT_FOUND,
            Error::LocalArchive { source, .. } if source.kind() == std::io::ErrorKind::NotFound => {
                exit::NOT_FOUND
            }
            Error::LocalArchive { .. } => exit::FILESYSTEM,
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
            Error::File(_) | Error::NoDataDir(_) | Error::Output(_) | Error::Netrc { .. } => {
                exit::FILESYSTEM
            }
            Error::NotConfirmed(_) => exit::USAGE,
            Error::Proxy {
                not_found: true, ..
            } => exit::NOT_FOUND,
            Error::Proxy { .. } => exit::NETWORK,
            Error::Sumdb { source, .. } if source.is_network() => exit::NETWORK,
            Error::Sumdb { source, .. } if source.is_setting() => exit::USAGE,
            Error::Sumdb {
                source:
                    SumdbError::Store { .. }
                    | SumdbError::BadState {
                        problem: StateProblem::Unreadable(_),
                        ..
                    },
                ..
            } => exit::FILESYSTEM,
            Error::Sumdb { .. } | Error::ModuleVerification { .. } => exit::VERIFICATION,
            Error::MirrorIndex { .. } | Error::EditorSettings { .. } => exit::FILESYSTEM,
            Error::FirstUse { source, .. } => source.exit_code(),
            Error::SelfUpdate(e) => self_update_exit_code(e),
            // A refused archive matters most; otherwise the first failure's kind.
            Error::MirrorIncomplete { failures, .. } => {
                let codes = failures.iter().map(|(_, e)| e.exit_code());
                if codes.clone().any(|code| code == exit::VERIFICATION) {
                    exit::VERIFICATION
                } else {
                    codes.into_iter().next().unwrap_or(1)
                }
            }
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
                | Error::NotOnMirrors { .. }
                | Error::NoChecksum { .. }
        )
    }

    /// The next thing to try, when there is one worth saying.
    pub fn hint(&self) -> Option<String> {
        Some(match self {
            Error::SelfUpdate(e) => return e.hint(),
            Error::UnknownVersion { .. } => "run `gvmr list-remote --all` to see every release".into(),
            Error::NoRelease { .. } => {
                "run `gvmr list-remote` to see the releases in the listing, and name one".into()
            }
            Error::SystemSelected { .. } => {
                "gvmr manages only the versions it installs: select one for this project with `gvmr use VERSION`".into()
            }
            Error::PinNotFound { old, new, .. } => {
                format!("the file changed since gvmr read it, or names {old} in a way gvmr cannot edit: put {new} in place of {old} by hand")
            }
            Error::LocalArchive { source, .. } if source.kind() == std::io::ErrorKind::NotFound => {
                "check the path given to --archive".into()
            }
            Error::LocalArchive { source, .. } => crate::files::io_hint(source.kind()).into(),
            Error::LocalArchiveNotAFile(_) => {
                "give --archive the path of a Go release archive (a .tar.gz or .zip file)".into()
            }
            Error::LocalArchiveName(_) => {
                "gvmr reads the version and platform from the archive's name: keep the name Go gave it".into()
            }
            Error::Netrc { name, .. } => {
                format!("make {name} readable by you, or name another file in NETRC")
            }
            Error::Switch(SwitchError::NotInstalled { .. }) => {
                "run `gvmr list` to see what is installed".into()
            }
            Error::Switch(SwitchError::NoSystemGo(_)) => {
                "install Go outside gvmr (e.g. your distribution's package), or select a version: `gvmr default VERSION`".into()
            }
            Error::Switch(SwitchError::NoSelection) => {
                gvmr_shim::select::NOTHING_SELECTED_FIX.into()
            }
            Error::Switch(SwitchError::VersionFile(_)) => {
                "fix the file (one version such as 1.22.5), or override it with GVMR_GO_VERSION".into()
            }
            Error::Switch(SwitchError::File(e)) | Error::File(e) => e.hint().into(),
            Error::Switch(SwitchError::WorkingDir(_)) => {
                "cd to a directory that exists, then run the command again".into()
            }
            Error::Exec { source, .. } if source.kind() == std::io::ErrorKind::NotFound => {
                "check the command's name; it is looked up on PATH with the toolchain's bin directory first".into()
            }
            Error::NoSuchTool(_) => {
                "the installed toolchain lacks it; reinstall it with `gvmr install --force VERSION`".into()
            }
            Error::Output(_) => "check where standard output is redirected to".into(),
            Error::NotConfirmed(_) => {
                "see what it would remove with --dry-run, then confirm with --yes".into()
            }
            Error::ListingNeeded { .. } | Error::Listing(_) => {
                "check your network or proxy (HTTPS_PROXY), or GVMR_INDEX_URL (`gvmr mirrors --check` tests each source); an exact version (e.g. 1.22.5) installs without the listing when the downloads cache or a mirror has its .sha256".into()
            }
            Error::NotOnMirrors { .. } => {
                "check the version (`gvmr list-remote --all` lists the releases), or add a mirror that has it to GVMR_MIRROR (`gvmr mirrors --check` tests each source)".into()
            }
            Error::Download { .. } => {
                "check your network or proxy (HTTPS_PROXY) and GVMR_MIRROR (`gvmr mirrors --check` tests each source), then run the command again".into()
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
            Error::SignatureMissing { from_mirrors: true, .. } => {
                "gvmr needs a mirror that copies Go's signatures (<archive>.asc beside each archive; the official and china presets do): add one to GVMR_MIRROR, or install with --skip-signature (not recommended)".into()
            }
            Error::SignatureMissing { from_mirrors: false, .. } => {
                "put Go's signature beside the archive as <archive>.asc, or install with --skip-signature (not recommended)".into()
            }
            Error::Unpack { source, .. } => match source.write_error() {
                Some(e) => crate::files::io_hint(e.kind()).into(),
                None => "the archive passed verification but is not a Go release archive; report it".into(),
            },
            Error::Proxy { .. } => {
                "check GOPROXY (e.g. https://proxy.golang.org, or file:///path/to/mirror) and your network".into()
            }
            Error::Sumdb { source, .. } if source.is_network() => {
                "check your network and GOSUMDB; gvmr installs from a proxy only what the checksum database vouches for".into()
            }
            Error::Sumdb { source: SumdbError::Off, .. } => {
                "unset GOSUMDB (or set it to sum.golang.org): proxy installs are verified against the checksum database; or install from the release archives (--source archive)".into()
            }
            Error::Sumdb { source, .. } if source.is_setting() => {
                "set GOSUMDB as go reads it: sum.golang.org, sum.golang.google.cn, or name+hash+key [URL]".into()
            }
            Error::Sumdb {
                source: SumdbError::Store { source, .. },
                ..
            } => source.hint().into(),
            Error::Sumdb {
                source:
                    SumdbError::BadState {
                        problem: StateProblem::Unreadable(e),
                        ..
                    },
                ..
            } => crate::files::io_hint(e.kind()).into(),
            Error::ModuleVerification { .. } => {
                "do not use this toolchain zip; if a proxy serves it, report it to the proxy's operator".into()
            }
            Error::MirrorIndex { .. } => {
                "move the file away (or fix it) and sync again: gvmr rebuilds the index from the archives it syncs".into()
            }
            Error::EditorSettings { snippet, .. } => {
                format!("add this to its top-level object by hand: {snippet}")
            }
            Error::FirstUse { source, .. } => {
                let turn_off = "to run go without installing missing versions, set GVMR_AUTO_INSTALL=0";
                match source.hint() {
                    Some(hint) => format!("{hint}; {turn_off}"),
                    None => turn_off.to_string(),
                }
            }
            Error::MirrorIncomplete { .. } => {
                "the verified archives are published and indexed; a refused one is not, and should be reported to the operator of the mirror that served it; run the same command again once the cause is fixed: it fetches only what is missing".into()
            }
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests;
