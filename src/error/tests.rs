//! Every error's exit code and hint, checked against the README's table of
//! exit codes (read from README.md here, so the two cannot drift).
//!
//! [`row`] is one `match` over every [`Error`] variant, and over the
//! variants of the layer errors whose code or hint depends on them
//! (`SwitchError`, `SumdbError`, …), without a catch-all: a new variant does
//! not compile until it has its row here. Each row carries a sample error
//! built from its own words, so every row is exercised.

use super::*;
use crate::archive::UnpackError;
use crate::digest::Sha256Digest;
use crate::net::download::DownloadError;
use crate::net::http::HttpError;
use crate::self_update::SelfUpdateError;
use crate::verify::checksum::ChecksumSource;
use crate::verify::signature::UNKNOWN_KEY_ADVICE;
use crate::verify::sumdb::client::StateProblem;
use gvmr_shim::select::SelectError;
use std::collections::BTreeMap;
use std::io;
use std::time::Duration;

/// One row: the pattern (and guard) it covers, the exit code, words the
/// README's row for that code must contain, and part of the hint (`None`:
/// no hint).
struct Row {
    covers: &'static str,
    code: u8,
    readme: &'static str,
    hint: Option<&'static str>,
}

macro_rules! rows {
    ($( $pattern:pat $(if $guard:expr)? => $code:expr, $readme:expr, $hint:expr, $sample:expr; )*) => {
        /// The row `error` falls under.
        fn row(error: &Error) -> Row {
            match error {
                $( $pattern $(if $guard)? => Row {
                    covers: concat!(stringify!($pattern) $(, " if ", stringify!($guard))?),
                    code: $code,
                    readme: $readme,
                    hint: $hint,
                }, )*
            }
        }

        /// One error per row, with the row it was written for.
        fn samples() -> Vec<(&'static str, Error)> {
            vec![$( (concat!(stringify!($pattern) $(, " if ", stringify!($guard))?), $sample) ),*]
        }
    };
}

fn io_error(kind: io::ErrorKind) -> io::Error {
    io::Error::from(kind)
}

fn path(p: &str) -> PathBuf {
    PathBuf::from(p)
}

fn version(v: &str) -> GoVersion {
    GoVersion::parse(v).unwrap()
}

fn http_status(status: u16) -> HttpError {
    HttpError::Status {
        url: "https://example.org/x".into(),
        status,
        retry_after: None,
    }
}

fn unreachable() -> HttpError {
    HttpError::NoAnswer {
        url: "https://example.org/x".into(),
        after: Duration::from_secs(5),
    }
}

fn digest(fill: char) -> Sha256Digest {
    Sha256Digest::parse_hex(&fill.to_string().repeat(64)).unwrap()
}

fn sumdb(source: SumdbError) -> Error {
    Error::Sumdb {
        module: "golang.org/toolchain".into(),
        source,
    }
}

fn switch(e: SwitchError) -> Error {
    Error::Switch(e)
}

const NOT_FOUND: io::ErrorKind = io::ErrorKind::NotFound;

/// go1.22.5, selected by a .go-version, not installed.
fn not_installed() -> gvmr_shim::toolchain::Resolved {
    use gvmr_shim::select::{Requirement, Selection, Source};
    gvmr_shim::toolchain::Resolved {
        selection: Selection {
            requirement: Requirement::Request(VersionRequest::Exact(version("1.22.5"))),
            source: Source::File(path("/p/.go-version")),
            module: None,
            default: None,
        },
        version: Some(version("1.22.5")),
        goroot: None,
        system: None,
        overridden: None,
    }
}

rows! {
    Error::BadVersion(_) => 2, "malformed version", None,
        Error::BadVersion(ParseVersionError { input: "1.x".into() });
    Error::Usage(_) => 2, "bad arguments", None,
        Error::Usage("--archive installs one version".into());
    Error::Netrc { .. } => 7, "the netrc file cannot be read", Some("NETRC"),
        Error::Netrc {
            name: "~/.netrc".into(),
            source: std::sync::Arc::new(io_error(io::ErrorKind::PermissionDenied)),
        };
    Error::Settings(
        SettingsError::Invalid { .. } | SettingsError::Source(_) | SettingsError::GoProxy { .. }
    ) => 2, "setting (`GVMR_RETRIES`, `GVMR_SOURCE`, `GOPROXY`", None,
        Error::Settings(crate::net::sources::expand(Some("offical"), None).unwrap_err().into());
    Error::Switch(SwitchError::BadVersion(_)) => 2, "malformed version", None,
        switch(SwitchError::BadVersion(ParseVersionError { input: "x".into() }));
    Error::Switch(SwitchError::VersionFile(_)) => 2, "version file", Some("GVMR_GO_VERSION"),
        switch(SwitchError::VersionFile(SelectError {
            origin: "/p/.go-version".into(),
            line: Some(1),
            problem: "not a version".into(),
        }));
    Error::Switch(SwitchError::NoSelection) => 3, "nothing selected", Some("gvmr use VERSION"),
        switch(SwitchError::NoSelection);
    Error::Switch(SwitchError::SelectedNotInstalled(_)) => 3, "not installed", None,
        switch(SwitchError::SelectedNotInstalled(Box::new(not_installed())));
    Error::Switch(SwitchError::NotInstalled { .. }) => 3, "not installed", Some("gvmr list"),
        switch(SwitchError::NotInstalled { version: "go1.22.5".into(), installed: Vec::new() });
    Error::Switch(SwitchError::NoSystemGo(_)) => 3, "`system` selected but no other Go on `PATH`", Some("install Go outside gvmr"),
        switch(SwitchError::NoSystemGo(".go-version".into()));
    Error::Switch(SwitchError::ShimMissing(_)) => 3, "`gvmr-shim` missing beside gvmr", None,
        switch(SwitchError::ShimMissing(path("/bin/gvmr-shim")));
    Error::Switch(SwitchError::WorkingDir(_)) => 7, "current directory unreadable", Some("cd to a directory that exists"),
        switch(SwitchError::WorkingDir(io_error(NOT_FOUND)));
    Error::Switch(SwitchError::OwnExecutable(_)) => 7, "gvmr cannot find its own path", None,
        switch(SwitchError::OwnExecutable(io_error(NOT_FOUND)));
    Error::Switch(SwitchError::File(_)) => 7, "permission denied", Some("free some disk space"),
        switch(SwitchError::File(FileError::new("write", &path("/x"), io_error(io::ErrorKind::StorageFull))));
    Error::NoDefault => 3, "no default set", None, Error::NoDefault;
    Error::NoSuchTool(_) => 3, "the selected toolchain lacks the tool `which` names", Some("gvmr install --force"),
        Error::NoSuchTool(path("/v/go1.22.5/bin/gopls"));
    Error::Exec { source, .. } if source.kind() == NOT_FOUND => 3, "`exec` names no such program", Some("PATH"),
        Error::Exec { program: path("gofmtt"), source: io_error(NOT_FOUND) };
    Error::Exec { .. } => 7, "`exec` cannot run the program", None,
        Error::Exec { program: path("go"), source: io_error(io::ErrorKind::PermissionDenied) };
    Error::UnknownVersion { .. } => 3, "unknown version", Some("gvmr list-remote --all"),
        Error::UnknownVersion { request: "1.99".into(), suggestions: Vec::new() };
    Error::NoRelease { .. } => 3, "the listing has no `stable` or `oldstable` release", Some("gvmr list-remote"),
        Error::NoRelease { alias: VersionRequest::OldStable };
    Error::SystemSelected { .. } => 2, "where the version file selects `system`", Some("gvmr use VERSION"),
        Error::SystemSelected { selected_by: "/p/.go-version".into(), action: "upgrade" };
    Error::PinNotFound { .. } => 2, "`gvmr upgrade` cannot find the version in the file", Some("by hand"),
        Error::PinNotFound { path: path("/p/.go-version"), old: version("1.22.4"), new: version("1.22.5") };
    Error::LocalArchive { source, .. } if source.kind() == NOT_FOUND => 3, "`--archive` names no file", Some("--archive"),
        Error::LocalArchive { path: path("/x.tar.gz"), source: io_error(NOT_FOUND) };
    Error::LocalArchive { .. } => 7, "`--archive` cannot be read", Some("make the directory writable"),
        Error::LocalArchive { path: path("/x.tar.gz"), source: io_error(io::ErrorKind::PermissionDenied) };
    Error::LocalArchiveNotAFile(_) => 3, "`--archive` names no file", Some("a .tar.gz or .zip file"),
        Error::LocalArchiveNotAFile(path("/tmp"));
    Error::LocalArchiveName(_) => 2, "`--archive` not named like a Go archive", Some("keep the name Go gave it"),
        Error::LocalArchiveName(path("/go.tar.gz"));
    Error::NoArchive { .. } => 3, "no archive for the platform", None,
        Error::NoArchive { version: version("1.22.5"), platform: "plan9-arm".into(), available: Vec::new() };
    Error::ListingNeeded { .. } => 4, "listing", Some("GVMR_INDEX_URL"),
        Error::ListingNeeded { request: "1.22".into(), source: ListingError::Fetch(unreachable()) };
    Error::Listing(_) => 4, "listing", Some("GVMR_INDEX_URL"),
        Error::Listing(ListingError::Fetch(http_status(500)));
    Error::Download { .. } => 4, "every mirror failed", Some("GVMR_MIRROR"),
        Error::Download { file: "go1.22.5.linux-amd64.tar.gz".into(), failures: Vec::new() };
    Error::NotOnMirrors { .. } => 3, "no mirror has the release archive", Some("gvmr list-remote --all"),
        Error::NotOnMirrors { file: "go1.89.4.linux-amd64.tar.gz".into(), tried: Vec::new() };
    Error::NoChecksum { .. } => 5, "no checksum", None,
        Error::NoChecksum { file: "go1.22.5.linux-amd64.tar.gz".into(), tried: Vec::new() };
    Error::Checksum(_) => 5, "checksum mismatch", Some("do not use this archive"),
        Error::Checksum(ChecksumMismatch {
            file: "go.tar.gz".into(),
            expected: digest('a'),
            source_of_expected: ChecksumSource::Mirror("https://example.org/go.tar.gz.sha256".into()),
            actual: digest('b'),
        });
    Error::SignatureMissing { from_mirrors: true, .. } => 5, "signature missing", Some("add one to GVMR_MIRROR"),
        Error::SignatureMissing { file: "go.tar.gz".into(), tried: Vec::new(), from_mirrors: true };
    Error::SignatureMissing { from_mirrors: false, .. } => 5, "signature missing", Some("beside the archive"),
        Error::SignatureMissing { file: "go.tar.gz".into(), tried: Vec::new(), from_mirrors: false };
    Error::Signature { source, .. } if source.unknown_key() => 5, "signature missing or invalid", Some("gvmr keys update"),
        Error::Signature {
            file: "go.tar.gz".into(),
            origin: "https://example.org/go.tar.gz.asc".into(),
            source: SignatureError::Rejected(vec![format!("made by key X, {UNKNOWN_KEY_ADVICE}")]),
        };
    Error::Signature { .. } => 5, "signature missing or invalid", Some("do not use this archive"),
        Error::Signature {
            file: "go.tar.gz".into(),
            origin: "https://example.org/go.tar.gz.asc".into(),
            source: SignatureError::NoSignature,
        };
    Error::Keyring(_) => 5, "bad keyring", None,
        Error::Keyring(KeyringError::Empty { path: path("/keys.asc") });
    Error::Keys(KeysError::Fetch(_)) => 4, "`gvmr keys update` cannot fetch the key", Some("--url"),
        Error::Keys(KeysError::Fetch(unreachable()));
    Error::Keys(
        KeysError::Unparseable { .. }
            | KeysError::WrongPrimary { .. }
            | KeysError::Unbound { .. }
            | KeysError::NoSigningSubkey { .. }
    ) => 5, "`gvmr keys update`: a key file refused", None,
        Error::Keys(KeysError::NoSigningSubkey { url: "https://example.org/k".into(), pinned: "X".into() });
    Error::Unpack { source, .. } if source.write_error().is_some() => 7, "disk full", Some("free some disk space"),
        Error::Unpack {
            file: "go.tar.gz".into(),
            source: UnpackError::Write { path: path("/x"), source: io_error(io::ErrorKind::StorageFull) },
        };
    Error::Unpack { .. } => 6, "bad archive", Some("report it"),
        Error::Unpack { file: "go.tar.gz".into(), source: UnpackError::NoGoDirectory };
    Error::File(_) => 7, "permission denied", Some("make the directory writable"),
        Error::File(FileError::new("write", &path("/x"), io_error(io::ErrorKind::PermissionDenied)));
    Error::NoDataDir(_) => 7, "no data directory", None, Error::NoDataDir(crate::store::NoDataDir);
    Error::Proxy { not_found: true, .. } => 3, "no module proxy has the toolchain", Some("GOPROXY"),
        Error::Proxy { what: "x".into(), setting: "off".into(), failures: Vec::new(), not_found: true };
    Error::Proxy { .. } => 4, "a module proxy failed", Some("GOPROXY"),
        Error::Proxy { what: "x".into(), setting: "off".into(), failures: Vec::new(), not_found: false };
    Error::Sumdb { source, .. } if source.is_network() => 4, "the checksum database is unreachable", Some("check your network and GOSUMDB"),
        sumdb(SumdbError::Http { db: "sum.golang.org".into(), what: "x".into(), source: Box::new(unreachable()) });
    Error::Sumdb { source, .. } if source.is_setting() => 2, "`GOSUMDB` (other than `off`)", Some("name+hash+key"),
        sumdb(SumdbError::BadConfig { value: "x".into(), reason: "unknown".into() });
    Error::Sumdb { source: SumdbError::Off, .. } => 5, "`GOSUMDB=off`", Some("--source archive"),
        sumdb(SumdbError::Off);
    Error::Sumdb {
        source: SumdbError::Store { .. }
            | SumdbError::BadState { problem: StateProblem::Unreadable(_), .. },
        ..
    } => 7, "the checksum database's tree head cannot be stored or read", Some("GVMR_HOME"),
        sumdb(SumdbError::Store {
            db: "sum.golang.org".into(),
            source: FileError::new("write", &path("/x"), io_error(io::ErrorKind::PermissionDenied)),
        });
    Error::Sumdb {
        source: SumdbError::Http { .. }
            | SumdbError::BadConfig { .. }
            | SumdbError::BadKey { .. }
            | SumdbError::BadModule { .. }
            | SumdbError::Malformed { .. }
            | SumdbError::TreeHead { .. }
            | SumdbError::Tlog { .. }
            | SumdbError::NotInTree { .. }
            | SumdbError::RecordMismatch { .. }
            | SumdbError::NoLines { .. }
            | SumdbError::Fork { .. }
            | SumdbError::BadState { .. },
        ..
    } => 5, "the checksum database answers what it cannot prove", None,
        sumdb(SumdbError::NoLines {
            db: "sum.golang.org".into(),
            module: "golang.org/toolchain".into(),
            version: "v0.0.1".into(),
        });
    Error::ModuleVerification { .. } => 5, "a module zip that does not match the checksum database", Some("report it to the proxy's operator"),
        Error::ModuleVerification { module: "golang.org/toolchain@v0.0.1".into(), source: ModuleZipError::NotInDatabase };
    Error::Output(_) => 7, "stdout cannot be written", Some("standard output"),
        Error::Output(OutputError(io_error(io::ErrorKind::StorageFull)));
    Error::NotConfirmed(_) => 2, "without `--yes`", Some("--dry-run"),
        Error::NotConfirmed("prune would remove 2 versions".into());
    Error::MirrorIndex { .. } => 7, "`index.json` is unreadable", Some("sync again"),
        Error::MirrorIndex { path: path("/m/index.json"), source: ListingError::Fetch(http_status(404)) };
    Error::EditorSettings { .. } => 7, "`.vscode/settings.json` cannot be rewritten", Some("by hand: \"go.alternateTools\""),
        Error::EditorSettings {
            path: path("/p/.vscode/settings.json"),
            problem: RewriteError::Comments,
            snippet: crate::editors::vscode::snippet("/h/shims/go"),
        };
    // Exits as the install that failed: here a download's.
    Error::FirstUse { .. } => 4, "every mirror failed", Some("GVMR_AUTO_INSTALL=0"),
        Error::FirstUse {
            selected: "go1.22.5".into(),
            source: Box::new(Error::Download { file: "a".into(), failures: Vec::new() }),
        };
    Error::MirrorIncomplete { failures, .. } if failures.iter().any(|(_, e)| e.exit_code() == exit::VERIFICATION)
        => 5, "`mirror sync`: an archive was refused", Some("run the same command again"),
        Error::MirrorIncomplete {
            dir: path("/m"),
            total: 2,
            failures: vec![
                ("a".into(), Error::Download { file: "a".into(), failures: Vec::new() }),
                ("b".into(), Error::Keyring(KeyringError::Empty { path: path("/k") })),
            ],
        };
    Error::SelfUpdate(SelfUpdateError::PackageManaged { .. }) => 2, "a package manager or cargo installed", Some("update it the way it was installed"),
        Error::SelfUpdate(SelfUpdateError::PackageManaged { exe: path("/usr/bin/gvmr"), manager: "dpkg".into(), command: "apt upgrade gvmr".into() });
    Error::SelfUpdate(SelfUpdateError::CargoInstalled { .. }) => 2, "a package manager or cargo installed", Some("update it the way it was installed"),
        Error::SelfUpdate(SelfUpdateError::CargoInstalled { exe: path("/h/.cargo/bin/gvmr"), command: "cargo install --locked gvmr gvmr-shim".into() });
    Error::SelfUpdate(SelfUpdateError::BadVersion(_)) => 2, "bad arguments", None,
        Error::SelfUpdate(SelfUpdateError::BadVersion("x.y".into()));
    Error::SelfUpdate(SelfUpdateError::Downgrade { .. }) => 2, "to an older release without `--to`", Some("--to"),
        Error::SelfUpdate(SelfUpdateError::Downgrade { url: "https://example.org/r".into(), newest: semver::Version::new(0, 1, 0), current: semver::Version::new(0, 2, 0) });
    Error::SelfUpdate(SelfUpdateError::NotPublished { .. }) => 3, "a release that is not published", Some("--check"),
        Error::SelfUpdate(SelfUpdateError::NotPublished { version: semver::Version::new(9, 0, 0), url: "https://example.org/r".into() });
    Error::SelfUpdate(SelfUpdateError::NoBuild { .. }) => 3, "no build for this machine", None,
        Error::SelfUpdate(SelfUpdateError::NoBuild { version: semver::Version::new(0, 2, 0), target: "riscv64".into(), available: "x86_64".into() });
    Error::SelfUpdate(SelfUpdateError::Fetch { .. }
        | SelfUpdateError::Download(DownloadError::Failed { .. } | DownloadError::NotFound { .. })) => 4, "`gvmr self update` cannot fetch the release", Some("GVMR_UPDATE_BASE"),
        Error::SelfUpdate(SelfUpdateError::Fetch { url: "https://example.org/r".into(), source: unreachable() });
    Error::SelfUpdate(SelfUpdateError::NoReleaseKey { .. }) => 5, "no release key built in", Some("installer"),
        Error::SelfUpdate(SelfUpdateError::NoReleaseKey { get_sh: "https://example.org/get.sh".into() });
    Error::SelfUpdate(SelfUpdateError::BadUpdateKey { .. }) => 5, "a bad `GVMR_UPDATE_KEY`", Some("GVMR_UPDATE_KEY"),
        Error::SelfUpdate(SelfUpdateError::BadUpdateKey { path: path("/k.pub"), message: "no key".into() });
    Error::SelfUpdate(SelfUpdateError::Signature { .. } | SelfUpdateError::BadRelease { .. } | SelfUpdateError::Checksum(_)) => 5, "`SHA256SUMS.sig` invalid", Some("nothing was replaced"),
        Error::SelfUpdate(SelfUpdateError::BadRelease { url: "https://example.org/r".into(), message: "unlisted".into() });
    Error::SelfUpdate(SelfUpdateError::BadArchive { .. } | SelfUpdateError::NewBinaryFails { .. }) => 6, "the new gvmr does not run here", None,
        Error::SelfUpdate(SelfUpdateError::BadArchive { file: "gvmr.tar.gz".into(), message: "not gzip".into() });
    Error::SelfUpdate(SelfUpdateError::Busy { .. }) => 7, "another update is running", Some("wait for it"),
        Error::SelfUpdate(SelfUpdateError::Busy { lock: path("/h/locks/self-update.lock") });
    Error::SelfUpdate(SelfUpdateError::NotWritable { .. }) => 7, "gvmr's directory is not writable", Some("GVMR_INSTALL_DIR"),
        Error::SelfUpdate(SelfUpdateError::NotWritable { exe: path("/opt/gvmr"), dir: path("/opt"), source: io_error(io::ErrorKind::PermissionDenied) });
    Error::SelfUpdate(SelfUpdateError::Download(DownloadError::Disk(_)) | SelfUpdateError::File(_)) => 7, "disk full", Some("free some disk space"),
        Error::SelfUpdate(SelfUpdateError::File(FileError::new("write", &path("/x"), io_error(io::ErrorKind::StorageFull))));
    // Otherwise the first failure's code: here a download's.
    Error::MirrorIncomplete { .. } => 4, "every mirror failed", Some("run the same command again"),
        Error::MirrorIncomplete {
            dir: path("/m"),
            total: 2,
            failures: vec![
                ("a".into(), Error::Download { file: "a".into(), failures: Vec::new() }),
                ("b".into(), Error::File(FileError::new("write", &path("/x"), io_error(NOT_FOUND)))),
            ],
        };
}

/// The README's "Exit codes" table: code → what its row says.
fn readme_exit_codes() -> BTreeMap<u8, String> {
    let readme = include_str!("../../README.md");
    let section = readme
        .split("\n## Exit codes\n")
        .nth(1)
        .expect("README.md has an \"Exit codes\" section");
    let section = section.split("\n## ").next().unwrap_or_default();
    let codes: BTreeMap<u8, String> = section
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            match cells.as_slice() {
                ["", code, meaning, ""] => Some((code.parse().ok()?, meaning.to_string())),
                _ => None,
            }
        })
        .collect();
    assert!(codes.len() >= 8, "the table was not read: {codes:?}");
    codes
}

#[test]
fn every_error_exits_with_the_code_the_readme_gives_it_and_says_what_to_do() {
    let readme = readme_exit_codes();
    let mut problems = Vec::new();
    for (written_for, error) in samples() {
        let row = row(&error);
        if row.covers != written_for {
            problems.push(format!(
                "the sample written for `{written_for}` falls under `{}`",
                row.covers
            ));
            continue;
        }
        let code = error.exit_code();
        if code != row.code {
            problems.push(format!(
                "`{written_for}` exits {code}, the table says {}: {error}",
                row.code
            ));
        }
        match readme.get(&row.code) {
            Some(meaning) if meaning.contains(row.readme) => {}
            Some(meaning) => problems.push(format!(
                "README's exit {} does not say {:?} (for `{written_for}`): {meaning}",
                row.code, row.readme
            )),
            None => problems.push(format!("README has no exit code {}", row.code)),
        }
        match (row.hint, error.hint()) {
            (None, None) => {}
            (Some(want), Some(hint)) if hint.contains(want) => {}
            (want, hint) => problems.push(format!(
                "`{written_for}`: the hint should contain {want:?}, it is {hint:?}"
            )),
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_readme_lists_every_code_gvmr_exits_with_and_no_other() {
    let readme = readme_exit_codes();
    let mut used: Vec<u8> = samples().iter().map(|(_, e)| e.exit_code()).collect();
    // Success, the commands that ran but found problems
    // (`commands::Finished::ProblemsFound`), and `self update --check`
    // finding a newer release (`Finished::UpdateAvailable`).
    used.extend([0, 1, exit::UPDATE_AVAILABLE]);
    used.sort();
    used.dedup();
    assert_eq!(readme.keys().copied().collect::<Vec<_>>(), used);
    for command in ["gvmr doctor", "gvmr mirrors --check"] {
        assert!(readme[&1].contains(command), "exit 1: {}", readme[&1]);
    }
    assert!(readme[&exit::UPDATE_AVAILABLE].contains("gvmr self update --check"));
}
