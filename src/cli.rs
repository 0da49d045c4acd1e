//! The command line, as clap reads it.

use crate::release::platform::Platform;
use crate::settings::Source;
use crate::switch::hook::HookShell;
use clap::{Parser, Subcommand};
use std::ffi::OsString;
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "gvmr",
    version = crate::build_info::LONG_VERSION,
    about = "Install Go toolchains, verified twice (SHA-256 and Go's OpenPGP signature), and switch between them",
    after_help = "Environment: GVMR_HOME, GVMR_MIRROR, GVMR_INDEX_URL, GVMR_KEYRING, GVMR_KEY_URL, GVMR_HTTP_TIMEOUT, GVMR_CONNECT_TIMEOUT, GVMR_AUTO_INSTALL, GVMR_UPDATE_BASE, GVMR_UPDATE_KEY, NETRC, HTTPS_PROXY/HTTP_PROXY/NO_PROXY. See the README."
)]
pub struct Cli {
    /// Print only warnings and errors.
    #[arg(short, long, global = true)]
    pub quiet: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Download, verify and install Go versions.
    #[command(after_help = "Examples:
  gvmr install                  what this directory selects (.go-version, go.mod, ...)
  gvmr install 1.22.5           exactly go1.22.5
  gvmr install 1.22             the newest 1.22.x release
  gvmr install latest           the newest stable release (also: stable)
  gvmr install oldstable        the newest release of the previous minor line
  gvmr install 1.23rc1          a pre-release
  gvmr install 1.21.13 1.22.10  several at once
  gvmr install --archive ./go1.22.5.linux-amd64.tar.gz   from a local file (+ .asc/.sha256 beside it)
  gvmr install --platform darwin-arm64 1.22.5            for another platform (to prepare an image)
  gvmr install --source proxy 1.22.5                     from GOPROXY, checked against GOSUMDB

The first version installed becomes the default when no default is set.
After a fresh install, the packages listed in $GVMR_HOME/default-packages
(one module/path@version per line) are `go install`ed with it.")]
    Install {
        /// Versions: 1.22.5, go1.22.5, 1.22 (newest 1.22.x), latest/stable,
        /// oldstable, 1.23rc1. None: the version the current directory selects.
        #[arg(value_name = "VERSION")]
        versions: Vec<String>,
        /// Reinstall even if the version is installed.
        #[arg(long)]
        force: bool,
        /// Install from a local archive; its checksum comes from the release
        /// listing or PATH.sha256, its signature from PATH.asc.
        #[arg(long, value_name = "PATH")]
        archive: Option<PathBuf>,
        /// Do not check the OpenPGP signature (NOT recommended; warns every time).
        #[arg(long)]
        skip_signature: bool,
        /// The platform to install for, as OS-ARCH (default: this machine).
        #[arg(long, value_name = "OS-ARCH")]
        platform: Option<Platform>,
        /// Where toolchains come from: release archives from the mirrors
        /// (archive), module zips from Go module proxies checked against the
        /// checksum database (proxy, GOPROXY/GOSUMDB), or the mirrors first
        /// and the proxies if the mirrors fail or lack the version (auto).
        #[arg(long, value_enum, env = "GVMR_SOURCE", default_value_t = Source::Archive)]
        source: Source,
        /// Do not `go install` the packages listed in $GVMR_HOME/default-packages.
        #[arg(long)]
        no_default_packages: bool,
    },
    /// Build a static mirror of verified Go release archives (air-gapped machines).
    #[command(after_help = "Examples:
  gvmr mirror sync /srv/go-mirror 1.22.5 1.21.13
  gvmr mirror sync /srv/go-mirror latest --platform linux-amd64 --platform darwin-arm64
Then, on any machine:
  export GVMR_MIRROR=https://mirror.corp/go/ GVMR_INDEX_URL=https://mirror.corp/go/index.json
  gvmr install 1.22.5")]
    Mirror {
        #[command(subcommand)]
        action: MirrorAction,
    },
    /// List installed versions, newest first, with their size and what selects them.
    ///
    /// A version is marked when its line has a newer patch or is past the end
    /// of support, as the cached release listing says (list never waits on
    /// the network; without a cached listing there are no marks).
    #[command(after_help = "Examples:
  gvmr list
      go1.23.4  254.0 MiB  default
      go1.22.3  231.2 MiB  ~/src/app/.go-version  [go1.22.12 available]
      go1.21.0  226.9 MiB                         [go1.21.13 available, end of support]
  gvmr list --json")]
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// List versions from the release listing, newest first.
    #[command(after_help = "Examples:
  gvmr list-remote          every stable release
  gvmr list-remote 1.22     stable 1.22.x releases
  gvmr list-remote oldstable  the release an alias (stable, oldstable) names
  gvmr list-remote --all    pre-releases too")]
    ListRemote {
        /// Only versions starting with this (e.g. 1.22, go1.21), or the one
        /// release an alias names (stable, latest, oldstable).
        prefix: Option<String>,
        /// Include betas and release candidates.
        #[arg(long)]
        all: bool,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Remove installed versions (and their cached downloads).
    #[command(after_help = "Examples:
  gvmr uninstall 1.22.5
  gvmr uninstall go1.21.0 1.20.14")]
    Uninstall {
        /// Versions to remove (a partial version must match one installed version).
        #[arg(value_name = "VERSION", required = true)]
        versions: Vec<String>,
    },
    /// Remove installed versions that nothing selects.
    ///
    /// Kept: the default, GVMR_GO_VERSION's version, and the versions the
    /// projects gvmr has seen select now (gvmr use, current, install,
    /// upgrade and the shell hooks record the version files they resolve;
    /// a project whose file is gone is forgotten).
    #[command(after_help = "Examples:
  gvmr prune --dry-run   list what would be removed and why
  gvmr prune             list it and ask
  gvmr prune --yes       remove without asking (scripts)")]
    Prune {
        /// Only list what would be removed.
        #[arg(long)]
        dry_run: bool,
        /// Remove without asking (needed when stdin is not a terminal).
        #[arg(long, short)]
        yes: bool,
    },
    /// Show what the downloads and release listing caches hold, or clean them.
    #[command(after_help = "Examples:
  gvmr cache                 files, sizes, and the versions they belong to
  gvmr cache --json
  gvmr cache clean           remove the downloads of versions that are not installed
  gvmr cache clean --all     remove every cached download and the release listing")]
    Cache {
        #[command(subcommand)]
        action: Option<CacheAction>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Move this project (or the default) to the newest patch of its Go line.
    ///
    /// The newest patch is installed first, then the version file that
    /// selects the version here (or the default) is changed to it.
    #[command(
        after_help = "The file that selects the version here is edited in place: .go-version,
.tool-versions (its golang entry), or go.mod/go.work's toolchain line. A
go.mod with only a go line (a minimum) is left alone: the newest patch is
installed, which the minimum then selects; pin it with
`go mod edit -toolchain=goX.Y.Z`.

Examples:
  gvmr upgrade             go1.22.3 → go1.22.12 in /home/u/app/.go-version
  gvmr upgrade --default"
    )]
    Upgrade {
        /// Upgrade the global default instead of this project.
        #[arg(long)]
        default: bool,
        /// Do not `go install` the packages listed in $GVMR_HOME/default-packages.
        #[arg(long)]
        no_default_packages: bool,
    },
    /// Show the version that applies here and what selected it.
    #[command(
        after_help = "Selection order: GVMR_GO_VERSION; the nearest .go-version or
.tool-versions (golang/go entry); the nearest go.work, else go.mod
(toolchain line exactly, go line as a minimum, as in Go); the default.
A pin older than the go line of the go.mod below it gives way to go.mod.
Notes (skipped files, an overridden pin, GOTOOLCHAIN) go to stderr.

Examples:
  gvmr current           go1.22.5 (set by /home/u/proj/.go-version)
  gvmr current --json"
    )]
    Current {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Pin a version for this directory (writes .go-version; installs it if needed).
    #[command(after_help = "Examples:
  gvmr use 1.22.5
  gvmr use 1.22       the newest 1.22.x, written as its exact version
  gvmr use stable     the newest stable release, written as its exact version
  gvmr use system     the Go on PATH outside gvmr")]
    Use {
        /// The version (partial versions are resolved and written exactly).
        version: String,
    },
    /// Set (or show) the global default version.
    #[command(after_help = "Examples:
  gvmr default 1.22
  gvmr default system  the Go on PATH outside gvmr (/usr/local/go, a distribution's)
  gvmr default        print the default")]
    Default {
        /// The version (installed first if needed), or system.
        version: Option<String>,
    },
    /// Print the path of the go or gofmt binary that would run here (or its Go root).
    #[command(after_help = "Examples:
  gvmr which
  gvmr which gofmt
  gvmr which --goroot   the Go root (GOROOT) that applies here")]
    Which {
        #[arg(default_value = "go", value_parser = ["go", "gofmt"])]
        tool: String,
        /// Print the Go root (GOROOT) that applies here instead.
        #[arg(long, conflicts_with = "tool")]
        goroot: bool,
    },
    /// Print what VS Code and GoLand need for the Go selected here.
    #[command(
        after_help = "VS Code: `go.alternateTools.go` set to gvmr's go shim follows .go-version,
go.mod and the default with no setting to change; `go.goroot` set to a stable
path ($GVMR_HOME/sdk/go1.N, the newest installed go1.N.x) names one line.
GoLand: choose the stable path as the Go SDK (Settings > Go > GOROOT > Add SDK >
Local). The sdk/ links follow install, uninstall, upgrade, default and prune.

Examples:
  gvmr ide                 both editors
  gvmr ide goland          the SDK path to choose
  gvmr ide vscode --write  set it in .vscode/settings.json, every other setting kept"
    )]
    Ide {
        /// One editor (default: both).
        #[arg(value_enum)]
        editor: Option<Editor>,
        /// Merge the VS Code setting into the workspace's .vscode/settings.json
        /// (refused, with what to add by hand, for a file with comments).
        #[arg(long)]
        write: bool,
    },
    /// Run a command with the selected (or given) toolchain's environment.
    #[command(
        after_help = "A selected version that is not installed is installed first, saying so in
one line (GVMR_AUTO_INSTALL=0: exit 3 naming what to install).

Examples:
  gvmr exec -- go build ./...
  gvmr exec --version 1.21.13 -- go test ./...
  gvmr exec --version oldstable -- go test ./...   installed first if needed"
    )]
    Exec {
        /// Use this version instead of the selected one (installed first if
        /// needed; stable/oldstable resolve on the release listing).
        #[arg(long, value_name = "VERSION")]
        version: Option<String>,
        /// The command and its arguments.
        #[arg(
            required = true,
            trailing_var_arg = true,
            allow_hyphen_values = true,
            value_name = "COMMAND"
        )]
        command: Vec<OsString>,
    },
    /// Print the environment (GOROOT, PATH, GOTOOLCHAIN) for the selected or given version.
    #[command(
        after_help = "A selected version that is not installed is installed first, saying so in
one line (GVMR_AUTO_INSTALL=0: exit 3 naming what to install); not with
--shell direnv, which direnv runs on every cd: it says so and leaves `go` to
the shims, which install it on first use.

Examples:
  eval \"$(gvmr env)\"                      bash/zsh
  gvmr env --shell fish | source
  gvmr install && gvmr env --shell github   a GitHub Actions step
  gvmr env --shell github stable            installs the newest stable release if needed
  gvmr env --shell json 1.22.5"
    )]
    Env {
        /// Output format.
        #[arg(long, value_enum, default_value = "bash")]
        shell: EnvFormat,
        /// A version, installed first if needed (default: what this
        /// directory selects); stable/oldstable resolve on the release listing.
        version: Option<String>,
    },
    /// Print the shell hook that switches Go as you cd between projects.
    #[command(
        after_help = "The hook acts at each prompt of an interactive shell. Scripts and CI use
`gvmr env` or `gvmr exec` instead. Add the line for your shell to its startup file.

Examples:
  eval \"$(gvmr hook bash)\"    in ~/.bashrc
  eval \"$(gvmr hook zsh)\"     in ~/.zshrc
  gvmr hook fish | source     in ~/.config/fish/config.fish"
    )]
    Hook {
        #[arg(value_enum)]
        shell: HookShell,
    },
    /// The hooks' evaluation step (run by the hook scripts, not by hand).
    #[command(hide = true)]
    HookEnv {
        #[arg(long, value_enum)]
        shell: HookShell,
        /// The PID of the shell, naming its stamp file.
        #[arg(long)]
        pid: u32,
    },
    /// Print the direnv snippet that defines `use gvmr` for .envrc files.
    #[command(after_help = "Examples:
  mkdir -p ~/.config/direnv && gvmr direnv >> ~/.config/direnv/direnvrc
  echo 'use gvmr' > .envrc && direnv allow")]
    Direnv,
    /// (Re)create the go and gofmt shims in $GVMR_HOME/shims.
    #[command(
        after_help = "Install creates them; run this after moving GVMR_HOME or when they are gone.

Examples:
  gvmr shims
  export PATH=\"${GVMR_HOME:-$HOME/.local/share/gvmr}/shims:$PATH\"   then put them on PATH"
    )]
    Shims,
    /// Find what makes the installed Go unusable here, and say how to fix it.
    #[command(
        after_help = "Checks: the selected toolchain (installed, intact, the version it claims),
mixed toolchains (GOROOT, another go on PATH, GOTOOLCHAIN, GOBIN), a
hello-world build (plain, cgo, cross-compiled), module proxies (GOPROXY,
GOSUMDB, GOPRIVATE; DNS, connect, GET), download sources (GVMR_MIRROR,
GVMR_INDEX_URL; DNS, connect, first byte), the resolver and resource limits.
Exit status 1 when any check is an error.

Examples:
  gvmr doctor
  gvmr doctor --offline --verify-files
  gvmr doctor --json"
    )]
    Doctor {
        /// Print the checks as a JSON array.
        #[arg(long)]
        json: bool,
        /// Skip the network checks.
        #[arg(long)]
        offline: bool,
        /// Hash every file of every installed version (slower) instead of
        /// comparing sizes and modification times.
        #[arg(long)]
        verify_files: bool,
    },
    /// Show where Go releases come from (listings, archive mirrors), or test them.
    #[command(
        after_help = "Sources: GVMR_MIRROR (URLs, absolute paths, presets: official, china or cn)
and GVMR_INDEX_URL (URLs, absolute paths); credentials from ~/.netrc (or the
file in NETRC). Any mirror is safe: gvmr checks Google's signature on every
archive, so a mirror can withhold a release but never forge one.
Exit status 1 (with --check) when a source fails.

Examples:
  gvmr mirrors                           the sources, where each came from
  gvmr mirrors --check                   DNS, connect, first byte; the newest release's .sha256/.asc
  GVMR_MIRROR=china gvmr mirrors --check
  gvmr mirrors --check --json"
    )]
    Mirrors {
        /// Probe every source in parallel (done within 10 s).
        #[arg(long)]
        check: bool,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// List the trusted Go release signing keys, or update them.
    #[command(
        after_help = "Go releases are signed by a subkey of Google's Linux Packages Signing
Authority (primary key EB4C1BFD4F042F6DDDCCEC917721F63BD38B4796, pinned in
gvmr). Google adds a signing subkey about once a year; `gvmr keys update`
fetches it, accepting only subkeys that primary key bound to itself.

Examples:
  gvmr keys                 list the primary key and signing subkeys
  gvmr keys --json
  gvmr keys update          fetch https://dl.google.com/linux/linux_signing_key.pub"
    )]
    Keys {
        #[command(subcommand)]
        action: Option<KeysAction>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Deletes a removed version's tree (started by uninstall, not by hand).
    #[command(hide = true)]
    InternalPurge { dir: PathBuf },
    /// Looks MODULE VERSION up in the checksum database GOSUMDB names and
    /// prints the verified lines (for tests).
    #[command(hide = true)]
    InternalSumdbLookup { module: String, version: String },
    /// Print shell completions.
    #[command(after_help = "Examples:
  gvmr completions bash > ~/.local/share/bash-completion/completions/gvmr
  gvmr completions zsh > ~/.zfunc/_gvmr
  gvmr completions fish > ~/.config/fish/completions/gvmr.fish")]
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Manage gvmr itself: update it to its newest release.
    #[command(
        name = "self",
        after_help = "Examples:
  gvmr self update           the newest release, verified first
  gvmr self update --check   exit 10 when a newer release exists"
    )]
    Itself {
        #[command(subcommand)]
        action: SelfAction,
    },
    /// Writes one man page per command into DIR (for scripts/dist.sh).
    #[command(hide = true)]
    InternalManPages { dir: PathBuf },
    /// minisign for scripts/dist.sh: a secret key's public key, or a
    /// file's signature.
    #[command(hide = true)]
    InternalMinisign {
        #[command(subcommand)]
        action: MinisignAction,
    },
}

/// `gvmr self` subcommands.
#[derive(Subcommand)]
pub enum SelfAction {
    /// Replace gvmr with its newest release, verified first.
    ///
    /// The release's SHA256SUMS must carry a valid minisign signature by
    /// gvmr's release key (built into gvmr; GVMR_UPDATE_KEY replaces it,
    /// with a warning), and the archive must match its SHA-256 there. gvmr,
    /// the gvmr-shim beside it and the shims in $GVMR_HOME/shims are then
    /// replaced by renames, the old gvmr kept until the new one runs. A
    /// copy installed by a package manager or by cargo is left to them.
    #[command(
        after_help = "Releases come from GVMR_UPDATE_BASE (default: the project's release
downloads; a mirror lays them out the same way: BASE/latest/download/FILE,
BASE/download/vX.Y.Z/FILE).
Exit status with --check: 0 when this is the newest release, 10 when a newer one exists.

Examples:
  gvmr self update
  gvmr self update --check
  gvmr self update --to 0.2.0     a given release (older ones too)"
    )]
    Update {
        /// Only say whether a newer release exists (exit 10 if so).
        #[arg(long)]
        check: bool,
        /// Install this release instead of the newest, even an older one.
        #[arg(long, value_name = "VERSION")]
        to: Option<String>,
    },
}

/// `gvmr internal-minisign` subcommands.
#[derive(Subcommand)]
pub enum MinisignAction {
    /// Prints the public key file of the secret key file KEY.
    Public { key: PathBuf },
    /// Prints the signature file of FILE, made with the secret key KEY.
    Sign {
        key: PathBuf,
        file: PathBuf,
        #[arg(long, default_value = "")]
        trusted_comment: String,
    },
}

/// `gvmr cache` subcommands.
#[derive(Subcommand)]
pub enum CacheAction {
    /// Remove the cached downloads of versions that are not installed.
    #[command(after_help = "Examples:
  gvmr cache clean
  gvmr cache clean --all")]
    Clean {
        /// Remove everything: the downloads of installed versions too, and
        /// the cached release listing.
        #[arg(long)]
        all: bool,
    },
}

/// `gvmr mirror` subcommands.
#[derive(Subcommand)]
pub enum MirrorAction {
    /// Fetch, verify and publish archives into DIR, with DIR/index.json
    /// listing every archive DIR holds.
    #[command(
        after_help = "Each archive passes the checks `gvmr install` makes (SHA-256 from the
release listing, Go's OpenPGP signature) before it appears in DIR, next to its
.sha256 and .asc; one that fails is left out, the others go on, and the run
exits non-zero naming each failure. Archives DIR already holds are verified
again, not downloaded again. DIR/.gvmr-sync/ holds the lock and downloads in
progress: leave it out when copying DIR.

Examples:
  gvmr mirror sync /srv/go-mirror                 the latest release, this machine's platform
  gvmr mirror sync /srv/go-mirror 1.22 1.21.13 --platform linux-amd64 --platform darwin-arm64
  gvmr mirror sync /mnt/go 1.22.5 --platform windows-amd64
  gvmr mirror sync /srv/go-mirror 1.22 --dry-run --json
Then, on any machine:
  export GVMR_MIRROR=file:///mnt/go/ GVMR_INDEX_URL=file:///mnt/go/index.json
  gvmr install 1.22.5"
    )]
    Sync {
        /// The mirror directory (created if missing).
        dir: PathBuf,
        /// Versions as `install` takes them: 1.22.5, go1.22.5, 1.22 (newest
        /// 1.22.x), latest, 1.23rc1. None: latest.
        #[arg(value_name = "VERSION")]
        versions: Vec<String>,
        /// A platform to mirror, as OS-ARCH; repeat it for several
        /// (default: this machine).
        #[arg(long = "platform", value_name = "OS-ARCH")]
        platforms: Vec<Platform>,
        /// Say what would be fetched, kept and removed; change nothing.
        #[arg(long)]
        dry_run: bool,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
    },
}

/// `gvmr keys` subcommands.
#[derive(Subcommand)]
pub enum KeysAction {
    /// List the trusted primary key and signing subkeys (the default).
    #[command(after_help = "Examples:
  gvmr keys list
  gvmr keys list --json")]
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Fetch Go's current signing key and store the new signing subkeys
    /// bound to the pinned primary key.
    #[command(
        after_help = "Only subkeys bound to the pinned primary key are stored; anything else is refused.

Examples:
  gvmr keys update
  gvmr keys update --url https://mirror.example/linux_signing_key.pub"
    )]
    Update {
        /// Where to fetch the key file.
        #[arg(long, value_name = "URL", env = "GVMR_KEY_URL")]
        url: Option<String>,
    },
}

/// The editors `gvmr ide` knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Editor {
    Vscode,
    Goland,
}

/// The formats `gvmr env --shell` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum EnvFormat {
    Bash,
    Zsh,
    Fish,
    Json,
    Github,
    Dotenv,
    /// For `use gvmr` in an .envrc: exports plus `watch_file` lines.
    Direnv,
}
