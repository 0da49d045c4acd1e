//! A published gvmr release as `gvmr self update` finds and trusts it. The
//! release downloads (`GVMR_UPDATE_BASE`) are laid out as GitHub serves
//! them: `BASE/latest/download/FILE` for the newest release,
//! `BASE/download/vX.Y.Z/FILE` for each one. Of a release, three files
//! are read (scripts/dist.sh writes them):
//!
//! - `SHA256SUMS`: `sha256sum` lines for every file of the release;
//! - `SHA256SUMS.sig`: its minisign signature by the release key;
//! - `manifest.json`: the version and, per target, its archive's name,
//!   size and SHA-256.
//!
//! Only `SHA256SUMS` is trusted, and only once its signature checks out;
//! the manifest must be listed in it (so it is as good as signed), and so
//! must the archive, whose name (`gvmr-VERSION-TARGET.tar.gz`) binds the
//! version and the target: an old signed release served as the newest
//! cannot pass for a newer one.

use super::SelfUpdateError;
use crate::digest::{Sha256Digest, sha256_of};
use crate::net::http::Http;
use crate::net::url::DisplaySafeUrl;
use crate::verify::minisign::{self, PublicKey, Verified};
use semver::Version;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};

const SUMS: &str = "SHA256SUMS";
const SUMS_SIG: &str = "SHA256SUMS.sig";
const MANIFEST: &str = "manifest.json";
const MAX_SUMS_BYTES: u64 = 64 * 1024;
const MAX_MANIFEST_BYTES: u64 = 256 * 1024;

/// A release whose `SHA256SUMS` signature and manifest checked out.
#[derive(Debug)]
pub struct Release {
    pub version: Version,
    /// The directory URL its files were read from.
    pub dir_url: DisplaySafeUrl,
    pub sums_url: DisplaySafeUrl,
    pub verified: Verified,
    /// The archive for this gvmr's target.
    pub archive: Archive,
}

#[derive(Debug)]
pub struct Archive {
    pub file: String,
    pub url: DisplaySafeUrl,
    pub sha256: Sha256Digest,
}

impl Archive {
    /// The directory every file of the archive is in: its name without
    /// `.tar.gz`.
    pub fn top_dir(&self) -> String {
        self.file.trim_end_matches(".tar.gz").to_string()
    }
}

#[derive(Deserialize)]
struct Manifest {
    version: String,
    targets: BTreeMap<String, ManifestEntry>,
}

#[derive(Deserialize)]
struct ManifestEntry {
    file: String,
}

/// The directory of the newest release (`None`) or of `version`.
pub fn dir_url(base: &DisplaySafeUrl, version: Option<&Version>) -> DisplaySafeUrl {
    match version {
        None => base.join("latest/download"),
        Some(v) => base.join(&format!("download/v{v}")),
    }
}

/// The archive name of `version` for `target`.
pub fn archive_name(version: &Version, target: &str) -> String {
    format!("gvmr-{version}-{target}.tar.gz")
}

/// Reads and verifies the newest release (or `wanted`) and picks the
/// archive for `target`.
pub fn fetch(
    http: &Http,
    base: &DisplaySafeUrl,
    wanted: Option<&Version>,
    target: &str,
    keys: &[PublicKey],
) -> Result<Release, SelfUpdateError> {
    let dir = dir_url(base, wanted);
    let sums_url = dir.join(SUMS);
    let sums = http
        .get_small(&sums_url, MAX_SUMS_BYTES)
        .map_err(|e| match wanted {
            Some(version) if e.is_not_found() => SelfUpdateError::NotPublished {
                version: version.clone(),
                url: dir.to_string(),
            },
            _ => SelfUpdateError::Fetch {
                url: sums_url.to_string(),
                source: e,
            },
        })?;
    let sig_url = dir.join(SUMS_SIG);
    let signature = http
        .get_small(&sig_url, minisign::MAX_SIGNATURE_BYTES)
        .map_err(|source| SelfUpdateError::Fetch {
            url: sig_url.to_string(),
            source,
        })?;
    let signature = String::from_utf8_lossy(&signature);
    let verified =
        minisign::verify(keys, &sums, &signature).map_err(|source| SelfUpdateError::Signature {
            url: sums_url.to_string(),
            source,
        })?;
    let bad = |message: String| SelfUpdateError::BadRelease {
        url: dir.to_string(),
        message,
    };
    let sums = parse_sums(&String::from_utf8_lossy(&sums)).map_err(bad)?;

    let manifest_url = dir.join(MANIFEST);
    let manifest_bytes = http
        .get_small(&manifest_url, MAX_MANIFEST_BYTES)
        .map_err(|source| SelfUpdateError::Fetch {
            url: manifest_url.to_string(),
            source,
        })?;
    let listed = sums
        .get(MANIFEST)
        .ok_or_else(|| bad(format!("{SUMS} does not list {MANIFEST}")))?;
    let actual = sha256_of(manifest_bytes.as_slice()).expect("hashing memory cannot fail");
    if *listed != actual {
        return Err(bad(format!(
            "{MANIFEST} does not match its checksum in {SUMS} (expected {}, got {})",
            listed.short(),
            actual.short()
        )));
    }
    let manifest: Manifest = serde_json::from_slice(&manifest_bytes)
        .map_err(|e| bad(format!("{MANIFEST} is not a release manifest: {e}")))?;
    let version = Version::parse(&manifest.version).map_err(|_| {
        bad(format!(
            "{MANIFEST} names version {:?}, which is not a version",
            manifest.version
        ))
    })?;
    if let Some(wanted) = wanted.filter(|w| **w != version) {
        return Err(bad(format!("it is {version}, not {wanted}")));
    }
    let Some(entry) = manifest.targets.get(target) else {
        return Err(SelfUpdateError::NoBuild {
            version,
            target: target.to_string(),
            available: manifest
                .targets
                .keys()
                .cloned()
                .collect::<Vec<_>>()
                .join(", "),
        });
    };
    let file = archive_name(&version, target);
    if entry.file != file {
        return Err(bad(format!(
            "its {target} archive is {:?}, not {file}",
            entry.file
        )));
    }
    let sha256 = *sums
        .get(&file)
        .ok_or_else(|| bad(format!("{SUMS} does not list {file}")))?;
    Ok(Release {
        version,
        archive: Archive {
            url: dir.join(&file),
            file,
            sha256,
        },
        dir_url: dir,
        sums_url,
        verified,
    })
}

/// `sha256sum` output: `HEX  NAME` (or `HEX *NAME`) per line.
fn parse_sums(text: &str) -> Result<HashMap<String, Sha256Digest>, String> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let (hex, name) = line
                .split_once(' ')
                .ok_or_else(|| format!("{SUMS} has a line without a file name: {line:?}"))?;
            let digest = Sha256Digest::parse_hex(hex).map_err(|e| format!("{SUMS}: {e}"))?;
            let name = name
                .trim_start_matches(' ')
                .trim_start_matches('*')
                .trim_end();
            Ok((name.to_string(), digest))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn release_directories_follow_github_s_layout() {
        let base = DisplaySafeUrl::parse("https://example.org/gvmr/releases/").unwrap();
        assert_eq!(
            dir_url(&base, None).to_string(),
            "https://example.org/gvmr/releases/latest/download"
        );
        let v = Version::parse("0.2.0").unwrap();
        assert_eq!(
            dir_url(&base, Some(&v)).to_string(),
            "https://example.org/gvmr/releases/download/v0.2.0"
        );
        assert_eq!(
            archive_name(&v, "aarch64-apple-darwin"),
            "gvmr-0.2.0-aarch64-apple-darwin.tar.gz"
        );
    }

    #[test]
    fn sums_parse_in_both_sha256sum_modes() {
        let a = "a".repeat(64);
        let b = "b".repeat(64);
        let sums =
            parse_sums(&format!("{a}  gvmr-0.2.0-x.tar.gz\n{b} *manifest.json\n\n")).unwrap();
        assert_eq!(sums["gvmr-0.2.0-x.tar.gz"].to_string(), a);
        assert_eq!(sums["manifest.json"].to_string(), b);
        assert!(parse_sums("nothex  file\n").is_err());
        assert!(parse_sums(&a).is_err());
    }
}
