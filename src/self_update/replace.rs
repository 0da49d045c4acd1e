//! Putting a verified release in place of the running gvmr, so that a kill
//! at any moment leaves a working one.
//!
//! Everything happens in `.gvmr-update/` beside the binary (the same file
//! system, so every step is one `rename`): the archive is downloaded there
//! (its `.partial` survives for the next update to the same release to
//! resume; any other goes), `gvmr` and
//! `gvmr-shim` are unpacked there and the new `gvmr` is run (`--version`
//! must name the release). Then the old binaries are hard-linked there as
//! backups, the new `gvmr-shim` and `gvmr` are renamed over the old ones,
//! and the `gvmr` now in place must answer `--version` too, or both
//! backups are renamed back. At every instant each name holds a whole
//! binary, old or new.

use super::SelfUpdateError;
use crate::files::FileError;
use crate::net::download::partial_name;
use flate2::read::GzDecoder;
use semver::Version;
use std::fs::{self, File};
use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const STAGING_DIR: &str = ".gvmr-update";
const GVMR: &str = "gvmr";
pub const SHIM: &str = "gvmr-shim";
/// How long the new gvmr may take to answer `--version`.
const VERSION_TIMEOUT: Duration = Duration::from_secs(30);

/// `.gvmr-update/` beside the binary being replaced.
pub struct Staging {
    dir: PathBuf,
    /// The partial download it keeps: the one of the archive being fetched.
    keep: String,
}

/// `gvmr` and `gvmr-shim` unpacked into the staging directory.
pub struct Staged<'a> {
    staging: &'a Staging,
}

impl Staging {
    /// Creates the staging directory beside `exe` for downloading
    /// `archive`, and clears what an interrupted update left in it, except
    /// a partial download of that archive.
    pub fn open(exe: &Path, archive: &str) -> Result<Staging, SelfUpdateError> {
        let parent = exe.parent().expect("an executable lives in a directory");
        let dir = parent.join(STAGING_DIR);
        fs::create_dir_all(&dir).map_err(|source| SelfUpdateError::NotWritable {
            exe: exe.to_path_buf(),
            dir: parent.to_path_buf(),
            source,
        })?;
        let staging = Staging {
            dir,
            keep: partial_name(archive),
        };
        staging
            .clear()
            .map_err(|e| FileError::new("clear", &staging.dir, e))?;
        Ok(staging)
    }

    /// Removes the staging directory an interrupted update left beside
    /// `exe`, partial download and all.
    pub fn remove(exe: &Path) -> Result<(), SelfUpdateError> {
        let dir = exe.with_file_name(STAGING_DIR);
        match fs::remove_dir_all(&dir) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => {
                Err(FileError::new("remove", &dir, e).into())
            }
            _ => Ok(()),
        }
    }

    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Unpacks `TOP/gvmr` and `TOP/gvmr-shim` from the archive at
    /// `archive` (verified), executable, synced to disk.
    pub fn unpack(&self, archive: &Path, top: &str) -> Result<Staged<'_>, SelfUpdateError> {
        let file_name = archive
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let bad = |message: String| SelfUpdateError::BadArchive {
            file: file_name.clone(),
            message,
        };
        let file = File::open(archive).map_err(|e| FileError::new("read", archive, e))?;
        let mut tar = tar::Archive::new(GzDecoder::new(file));
        let mut found = Vec::new();
        for entry in tar.entries().map_err(|e| bad(e.to_string()))? {
            let mut entry = entry.map_err(|e| bad(e.to_string()))?;
            let path = entry.path().map_err(|e| bad(e.to_string()))?.into_owned();
            let Some(name) = [GVMR, SHIM]
                .into_iter()
                .find(|name| path == Path::new(top).join(name))
            else {
                continue;
            };
            if !entry.header().entry_type().is_file() {
                return Err(bad(format!("{} is not a regular file", path.display())));
            }
            let dest = self.dir.join(name);
            let write = |e| FileError::new("write", &dest, e);
            let mut out = File::create(&dest).map_err(write)?;
            io::copy(&mut entry, &mut out).map_err(|e| match e.kind() {
                io::ErrorKind::InvalidData | io::ErrorKind::UnexpectedEof => bad(e.to_string()),
                _ => write(e).into(),
            })?;
            out.set_permissions(fs::Permissions::from_mode(0o755))
                .map_err(write)?;
            out.sync_all().map_err(write)?;
            found.push(name);
        }
        for name in [GVMR, SHIM] {
            if !found.contains(&name) {
                return Err(bad(format!("it holds no {top}/{name}")));
            }
        }
        Ok(Staged { staging: self })
    }

    /// Whether an update left a staging directory beside `exe`.
    pub fn exists(exe: &Path) -> bool {
        exe.with_file_name(STAGING_DIR).is_dir()
    }
}

impl Staging {
    /// Removes everything in the directory but the partial download kept.
    fn clear(&self) -> io::Result<()> {
        for entry in fs::read_dir(&self.dir)? {
            let entry = entry?;
            if entry.file_name() == self.keep.as_str() {
                continue;
            }
            let path = entry.path();
            if path.is_dir() {
                fs::remove_dir_all(&path)?;
            } else {
                fs::remove_file(&path)?;
            }
        }
        Ok(())
    }
}

impl Drop for Staging {
    /// Done, or failed: the staging directory goes, unless it holds a
    /// partial download for the next update to resume. Best effort: the
    /// next update clears what is left.
    fn drop(&mut self) {
        let _ = self.clear();
        let _ = fs::remove_dir(&self.dir);
    }
}

impl Staged<'_> {
    /// The new gvmr, in the staging directory.
    pub fn gvmr(&self) -> PathBuf {
        self.staging.dir.join(GVMR)
    }

    /// Moves the new `gvmr-shim` and `gvmr` over the ones beside `exe`
    /// (keeping the old ones until the new gvmr in place answers
    /// `--version` with `version`, and restoring them otherwise).
    pub fn replace(
        &self,
        exe: &Path,
        version: &Version,
        pause: &dyn Fn(&str),
    ) -> Result<(), SelfUpdateError> {
        let dir = &self.staging.dir;
        let shim = exe.with_file_name(SHIM);
        let backups = [
            (exe, dir.join("gvmr.old")),
            (&shim, dir.join("gvmr-shim.old")),
        ];
        for (current, backup) in &backups {
            keep_copy(current, backup)?;
        }
        pause("self-update-backup");
        // Whatever fails once the first rename is done puts both back.
        let replaced = rename(&dir.join(SHIM), &shim)
            .and_then(|()| rename(&dir.join(GVMR), exe))
            .and_then(|()| {
                sync_dir(exe);
                pause("self-update-replaced");
                answers_version(exe, version).map_err(|message| SelfUpdateError::NewBinaryFails {
                    version: version.clone(),
                    exe: exe.to_path_buf(),
                    message,
                })
            });
        if replaced.is_err() {
            for (current, backup) in &backups {
                if backup.exists() {
                    rename(backup, current)?;
                }
            }
            sync_dir(exe);
        }
        replaced
    }
}

/// A hard link (else a copy) of `current` at `backup`, if `current` exists.
fn keep_copy(current: &Path, backup: &Path) -> Result<(), SelfUpdateError> {
    if !current.exists() {
        return Ok(());
    }
    let failed = |e| FileError::new("keep a copy of", current, e);
    if fs::hard_link(current, backup).is_err() {
        fs::copy(current, backup).map_err(failed)?;
    }
    Ok(())
}

fn rename(from: &Path, to: &Path) -> Result<(), SelfUpdateError> {
    fs::rename(from, to).map_err(|e| FileError::new("replace", to, e).into())
}

/// Syncs the directory holding `path`, so its renames survive a crash.
fn sync_dir(path: &Path) {
    if let Some(dir) = path.parent()
        && let Ok(dir) = File::open(dir)
    {
        let _ = dir.sync_all();
    }
}

/// Runs `gvmr --version` at `path`: Ok when it says `gvmr VERSION`, else
/// what went wrong.
pub fn answers_version(path: &Path, version: &Version) -> Result<(), String> {
    let mut child = Command::new(path)
        .arg("--version")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("it cannot start: {e}"))?;
    let deadline = Instant::now() + VERSION_TIMEOUT;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(5)),
            Ok(None) | Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "`gvmr --version` did not answer within {} s",
                    VERSION_TIMEOUT.as_secs()
                ));
            }
        }
    };
    let mut said = String::new();
    if let Some(mut stdout) = child.stdout.take() {
        let _ = io::Read::read_to_string(&mut stdout, &mut said);
    }
    let said = said.trim();
    let expected = format!("gvmr {version}");
    if status.success() && (said == expected || said.starts_with(&format!("{expected} "))) {
        Ok(())
    } else {
        Err(format!(
            "`gvmr --version` {status} and said {:?}, not {expected:?}",
            said.chars().take(120).collect::<String>()
        ))
    }
}
