//! The mirror's `index.json`: a release listing in go.dev's format
//! (`https://go.dev/dl/?mode=json&include=all`) listing exactly the
//! archives the directory holds, so `GVMR_INDEX_URL` can point at it.
//! The previous index is read back (with the listing parser every listing
//! goes through) to keep what earlier syncs published.

use crate::files::{FileError, read_file_capped};
use crate::release::listing::{Listing, ListingError, MAX_LISTING_BYTES};
use crate::release::platform::Platform;
use gvmr_shim::GoVersion;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io;
use std::path::Path;

/// The file name of the index inside the mirror directory.
pub const INDEX_FILE: &str = "index.json";

/// One archive the index lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub file_name: String,
    pub version: GoVersion,
    /// In the listing's terms (`armv6l` for 32-bit ARM).
    pub platform: Platform,
    /// Lower-case hex, as go.dev writes it.
    pub sha256: String,
    pub size: u64,
}

/// Why the previous index cannot be read back.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error(transparent)]
    Read(#[from] FileError),
    #[error(transparent)]
    Malformed(#[from] ListingError),
}

/// The archives the index at `path` lists (none when there is no index),
/// with `size` 0: the caller measures what the directory holds.
pub fn read(path: &Path) -> Result<Vec<Entry>, IndexError> {
    let bytes = match read_file_capped(path, MAX_LISTING_BYTES) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(FileError::new("read", path, e).into()),
    };
    let listing = Listing::parse(&bytes, &path.display().to_string())?;
    Ok(listing
        .releases
        .iter()
        .flat_map(|release| {
            release
                .files
                .iter()
                .filter(|file| file.kind == "archive")
                .map(|file| Entry {
                    file_name: file.filename.clone(),
                    version: release.version,
                    platform: Platform {
                        os: file.os.clone(),
                        arch: file.arch.clone(),
                    },
                    sha256: file.sha256.clone(),
                    size: 0,
                })
        })
        .collect())
}

#[derive(Serialize)]
struct ReleaseJson<'a> {
    version: String,
    stable: bool,
    files: Vec<FileJson<'a>>,
}

/// The fields in go.dev's order.
#[derive(Serialize)]
struct FileJson<'a> {
    filename: &'a str,
    os: &'a str,
    arch: &'a str,
    version: String,
    sha256: &'a str,
    size: u64,
    kind: &'static str,
}

/// The index of `entries`: releases newest first (a final release is
/// stable), each one's archives by file name.
pub fn render(entries: &[Entry]) -> Vec<u8> {
    let mut by_version: BTreeMap<std::cmp::Reverse<GoVersion>, Vec<&Entry>> = BTreeMap::new();
    for entry in entries {
        by_version
            .entry(std::cmp::Reverse(entry.version))
            .or_default()
            .push(entry);
    }
    let releases: Vec<ReleaseJson> = by_version
        .into_iter()
        .map(|(std::cmp::Reverse(version), mut files)| {
            files.sort_by(|a, b| a.file_name.cmp(&b.file_name));
            ReleaseJson {
                version: version.to_string(),
                stable: version.is_stable(),
                files: files
                    .into_iter()
                    .map(|entry| FileJson {
                        filename: &entry.file_name,
                        os: &entry.platform.os,
                        arch: &entry.platform.arch,
                        version: version.to_string(),
                        sha256: &entry.sha256,
                        size: entry.size,
                        kind: "archive",
                    })
                    .collect(),
            }
        })
        .collect();
    let mut json = serde_json::to_vec_pretty(&releases).expect("the index serializes");
    json.push(b'\n');
    json
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(file_name: &str, version: &str, platform: &str, size: u64) -> Entry {
        Entry {
            file_name: file_name.to_string(),
            version: GoVersion::parse(version).unwrap(),
            platform: platform.parse().unwrap(),
            sha256: "ab".repeat(32),
            size,
        }
    }

    #[test]
    fn renders_go_devs_format_newest_first_and_reads_it_back() {
        let entries = vec![
            entry("go1.21.0.linux-amd64.tar.gz", "1.21.0", "linux-amd64", 1),
            entry("go1.23rc1.linux-armv6l.tar.gz", "1.23rc1", "linux-arm", 2),
            entry("go1.22.5.linux-amd64.tar.gz", "1.22.5", "linux-amd64", 3),
            entry("go1.22.5.darwin-arm64.tar.gz", "1.22.5", "darwin-arm64", 4),
        ];
        let json = render(&entries);
        let value: serde_json::Value = serde_json::from_slice(&json).unwrap();
        let versions: Vec<(&str, bool)> = value
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["version"].as_str().unwrap(),
                    r["stable"].as_bool().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            versions,
            [("go1.23rc1", false), ("go1.22.5", true), ("go1.21.0", true)]
        );
        assert_eq!(
            value[1]["files"][0],
            serde_json::json!({
                "filename": "go1.22.5.darwin-arm64.tar.gz",
                "os": "darwin",
                "arch": "arm64",
                "version": "go1.22.5",
                "sha256": "ab".repeat(32),
                "size": 4,
                "kind": "archive",
            })
        );
        assert_eq!(value[0]["files"][0]["arch"], "armv6l");
        // Field order as go.dev writes it.
        let text = String::from_utf8(json.clone()).unwrap();
        let at = |field: &str| text.find(&format!("\"{field}\"")).unwrap();
        assert!(at("filename") < at("os") && at("sha256") < at("size") && at("size") < at("kind"));

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(INDEX_FILE);
        std::fs::write(&path, &json).unwrap();
        let mut back = read(&path).unwrap();
        back.sort_by(|a, b| a.file_name.cmp(&b.file_name));
        let mut want: Vec<Entry> = entries
            .into_iter()
            .map(|e| Entry { size: 0, ..e })
            .collect();
        want.sort_by(|a, b| a.file_name.cmp(&b.file_name));
        assert_eq!(back, want);
    }

    #[test]
    fn no_index_is_an_empty_one_and_a_broken_one_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(INDEX_FILE);
        assert_eq!(read(&path).unwrap(), Vec::new());
        std::fs::write(&path, "<html>").unwrap();
        assert!(matches!(read(&path), Err(IndexError::Malformed(_))));
    }
}
