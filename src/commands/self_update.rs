//! `gvmr self update [--check] [--to VERSION]`: gvmr replaces itself with
//! a verified release (see self_update/), unless a package manager or cargo
//! installed it; and the hidden commands scripts/dist.sh builds a release
//! with (man pages, the minisign signature of `SHA256SUMS`).

use super::Finished;
use crate::build_info;
use crate::error::Error;
use crate::files::{FileError, own_executable, read_file_capped};
use crate::net::url::DisplaySafeUrl;
use crate::self_update::origin::{self, Origin};
use crate::self_update::{self, Plan, SelfUpdateError, Updater};
use crate::settings::Settings;
use crate::store::Store;
use crate::ui::{self, Ui, tildify};
use crate::verify::minisign::{PublicKey, SecretKey};
use std::path::Path;

/// gvmr's release signing key(s), minisign format; none until the first
/// signed release (SECURITY.md says how the key is made and rotated).
const RELEASE_KEYS: &str = include_str!("../../keys/gvmr-release.pub");

/// Largest key file read.
const MAX_KEY_BYTES: u64 = 64 * 1024;

pub fn update(
    settings: &Settings,
    store: &Store,
    ui: &Ui,
    check: bool,
    to: Option<&str>,
) -> Result<Finished, Error> {
    let exe = self_update::resolve_exe(
        &own_executable()
            .map_err(|e| SelfUpdateError::File(FileError::new("find", Path::new("gvmr"), e)))?,
    )?;
    refuse_managed(&exe)?;
    let s = &settings.self_update;
    let base = s.base.clone()?;
    let keys = release_keys(s.key.as_deref(), &base, ui)?;
    let to = to.map(self_update::parse_version).transpose()?;
    let current = match &s.test_version {
        Some(version) => self_update::parse_version(version)?,
        None => self_update::parse_version(build_info::VERSION)?,
    };
    let http = settings.http(ui)?;
    let pause = |point: &str| crate::install::pause_point(&settings.failpoints, point);
    let updater = Updater {
        http: &http,
        ui,
        base: &base,
        keys: &keys,
        current: current.clone(),
        target: build_info::TARGET,
        exe: exe.clone(),
        pause: &pause,
    };
    let release = match updater.plan(to.as_ref())? {
        Plan::UpToDate(version) => {
            if !check {
                updater.tidy(store)?;
            }
            ui::outln(match to {
                None => format!("gvmr {version} is the newest release; this is it"),
                Some(_) => format!("this gvmr is {version} already"),
            })?;
            return Ok(Finished::Success);
        }
        Plan::Older(release) if check => {
            ui::outln(format!(
                "gvmr {} is the newest release; this gvmr ({current}) is newer",
                release.version
            ))?;
            return Ok(Finished::Success);
        }
        Plan::Older(release) => {
            return Err(SelfUpdateError::Downgrade {
                url: release.dir_url.to_string(),
                newest: release.version,
                current,
            }
            .into());
        }
        Plan::Install(release) if check => {
            ui::outln(format!(
                "gvmr {} is available (this is {current}): `gvmr self update{}` installs it",
                release.version,
                to.map(|v| format!(" --to {v}")).unwrap_or_default()
            ))?;
            return Ok(Finished::UpdateAvailable);
        }
        Plan::Install(release) => release,
    };
    updater.install(store, &release)?;
    ui.status(format!(
        "Updated gvmr {current} → {} in {}",
        release.version,
        tildify(&exe)
    ));
    Ok(Finished::Success)
}

/// A copy a package manager or cargo installed is theirs to update.
fn refuse_managed(exe: &Path) -> Result<(), SelfUpdateError> {
    match origin::origin(exe) {
        Origin::Standalone => Ok(()),
        Origin::PackageManager { manager, command } => Err(SelfUpdateError::PackageManaged {
            exe: exe.to_path_buf(),
            manager,
            command,
        }),
        Origin::Cargo { command } => Err(SelfUpdateError::CargoInstalled {
            exe: exe.to_path_buf(),
            command,
        }),
    }
}

/// The keys `SHA256SUMS.sig` must be made by: `GVMR_UPDATE_KEY`'s (with a
/// warning, every time), else the built-in ones; none is a refusal.
fn release_keys(
    replacement: Option<&Path>,
    base: &DisplaySafeUrl,
    ui: &Ui,
) -> Result<Vec<PublicKey>, SelfUpdateError> {
    let Some(path) = replacement else {
        let keys = PublicKey::parse_file(RELEASE_KEYS)
            .expect("keys/gvmr-release.pub holds minisign public keys");
        if keys.is_empty() {
            return Err(SelfUpdateError::NoReleaseKey {
                get_sh: base.join("latest/download/get.sh").to_string(),
            });
        }
        return Ok(keys);
    };
    let bad = |message: String| SelfUpdateError::BadUpdateKey {
        path: path.to_path_buf(),
        message,
    };
    let text = read_file_capped(path, MAX_KEY_BYTES).map_err(|e| bad(e.to_string()))?;
    let keys =
        PublicKey::parse_file(&String::from_utf8_lossy(&text)).map_err(|e| bad(e.to_string()))?;
    if keys.is_empty() {
        return Err(bad("it holds no key".into()));
    }
    ui.warn(format!(
        "GVMR_UPDATE_KEY is set: trusting the keys in {} instead of the release key built into gvmr",
        path.display()
    ));
    Ok(keys)
}

/// `gvmr internal-man-pages DIR`: one page per visible command
/// (`gvmr.1`, `gvmr-install.1`, `gvmr-self-update.1`, …).
pub fn man_pages(dir: &Path) -> Result<(), Error> {
    fn write(command: clap::Command, dir: &Path) -> std::io::Result<()> {
        for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
            write(sub.clone(), dir)?;
        }
        clap_mangen::Man::new(command)
            .source(format!("gvmr {}", build_info::VERSION))
            .manual("gvmr manual")
            .generate_to(dir)?;
        Ok(())
    }
    std::fs::create_dir_all(dir).map_err(|e| FileError::new("create", dir, e))?;
    let mut command =
        <crate::cli::Cli as clap::CommandFactory>::command().disable_help_subcommand(true);
    command.build();
    write(command, dir).map_err(|e| FileError::new("write in", dir, e))?;
    Ok(())
}

/// `gvmr internal-minisign public KEY`: the public key file of a secret key.
pub fn minisign_public(key: &Path) -> Result<(), Error> {
    Ok(ui::out(secret_key(key)?.public_key().to_file())?)
}

/// `gvmr internal-minisign sign KEY FILE`: FILE's signature, on stdout.
pub fn minisign_sign(key: &Path, file: &Path, trusted_comment: &str) -> Result<(), Error> {
    let key = secret_key(key)?;
    let data = std::fs::read(file).map_err(|e| FileError::new("read", file, e))?;
    Ok(ui::out(key.sign(&data, trusted_comment))?)
}

fn secret_key(path: &Path) -> Result<SecretKey, Error> {
    let text =
        read_file_capped(path, MAX_KEY_BYTES).map_err(|e| FileError::new("read", path, e))?;
    SecretKey::parse_file(&String::from_utf8_lossy(&text))
        .map_err(|e| Error::Usage(format!("{}: {e}", path.display())))
}
