//! The `h1:` hash of a module zip, exactly as Go's
//! `golang.org/x/mod/sumdb/dirhash.Hash1` computes it: for every file,
//! sorted by name, the line `<sha256 hex>  <name>\n`; the SHA-256 of all
//! lines, base64 (standard alphabet, padded), prefixed with `h1:`.

use crate::archive::Limits;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum DirhashError {
    #[error("file name {0:?} contains a newline")]
    Newline(String),
    #[error("file name {0:?} is not UTF-8")]
    NotUtf8(String),
    #[error("{0:?} appears twice")]
    Duplicate(String),
    #[error("it is not a zip archive: {0}")]
    NotZip(String),
    #[error("it is damaged: {0}")]
    Corrupt(String),
    #[error("it holds more than {0} bytes, far beyond any Go release; refusing it")]
    TooLarge(u64),
    #[error("it holds more than {0} entries, far beyond any Go release; refusing it")]
    TooManyEntries(u64),
    #[error("cannot read {0}: {1}")]
    Read(String, #[source] io::Error),
}

/// A module zip that the checksum database does not vouch for.
#[derive(Debug, thiserror::Error)]
pub enum ModuleZipError {
    #[error("the checksum database has no h1: hash for its zip")]
    NotInDatabase,
    #[error("the zip from {origin} cannot be checked: {source}")]
    Unhashable {
        origin: String,
        source: DirhashError,
    },
    #[error(
        "the zip from {origin} does not match the checksum database (SECURITY ERROR)\n  checksum database: {expected}\n  downloaded:        {actual}"
    )]
    Mismatch {
        origin: String,
        expected: String,
        actual: String,
    },
}

/// `Hash1` over files given as (name, SHA-256 of content), in any order.
pub fn hash1(files: &[(String, [u8; 32])]) -> Result<String, DirhashError> {
    let mut sorted: Vec<&(String, [u8; 32])> = files.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    let mut summary = Sha256::new();
    for (name, digest) in sorted {
        if name.contains('\n') {
            return Err(DirhashError::Newline(name.clone()));
        }
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        summary.update(format!("{hex}  {name}\n").as_bytes());
    }
    Ok(format!("h1:{}", STANDARD.encode(summary.finalize())))
}

/// `HashZip(path, Hash1)`: every entry of the zip, named as stored. Reading
/// stops at `limits`, so a zip bomb cannot keep it busy; a name twice is refused.
pub fn hash_zip(path: &Path, limits: Limits) -> Result<String, DirhashError> {
    let file = File::open(path).map_err(|e| DirhashError::Read(path.display().to_string(), e))?;
    let mut zip = zip::ZipArchive::new(BufReader::new(file))
        .map_err(|e| DirhashError::NotZip(e.to_string()))?;
    if zip.len() as u64 > limits.max_entries {
        return Err(DirhashError::TooManyEntries(limits.max_entries));
    }
    let mut files = Vec::with_capacity(zip.len());
    let mut seen = HashSet::new();
    let mut total: u64 = 0;
    let mut buf = vec![0u8; 256 * 1024];
    for index in 0..zip.len() {
        let mut entry = zip
            .by_index(index)
            .map_err(|e| DirhashError::Corrupt(e.to_string()))?;
        let name = std::str::from_utf8(entry.name_raw())
            .map_err(|_| DirhashError::NotUtf8(String::from_utf8_lossy(entry.name_raw()).into()))?
            .to_string();
        if !seen.insert(name.clone()) {
            return Err(DirhashError::Duplicate(name));
        }
        let mut hasher = Sha256::new();
        loop {
            let n = match entry.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(DirhashError::Corrupt(format!("{name}: {e}"))),
            };
            total += n as u64;
            if total > limits.max_bytes {
                return Err(DirhashError::TooLarge(limits.max_bytes));
            }
            hasher.update(&buf[..n]);
        }
        files.push((name, hasher.finalize().into()));
    }
    hash1(&files)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn h(s: &str) -> String {
        Sha256::digest(s.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    fn htop(s: &str) -> String {
        format!("h1:{}", STANDARD.encode(Sha256::digest(s.as_bytes())))
    }

    fn file(name: &str) -> (String, [u8; 32]) {
        (
            name.to_string(),
            Sha256::digest(format!("data for {name}").as_bytes()).into(),
        )
    }

    // golang.org/x/mod/sumdb/dirhash/hash_test.go, TestHash1.
    #[test]
    fn hash1_matches_go() {
        let want = htop(&format!(
            "{}  abc\n{}  xyz\n",
            h("data for abc"),
            h("data for xyz")
        ));
        assert_eq!(hash1(&[file("xyz"), file("abc")]).unwrap(), want);
        assert!(matches!(
            hash1(&[file("xyz"), file("a\nbc")]),
            Err(DirhashError::Newline(_))
        ));
    }

    // TestHashZip.
    #[test]
    fn hash_zip_matches_go() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.zip");
        let mut zip = zip::ZipWriter::new(File::create(&path).unwrap());
        let options = zip::write::SimpleFileOptions::default();
        zip.start_file("prefix/xyz", options).unwrap();
        zip.write_all(b"data for xyz").unwrap();
        zip.start_file("prefix/abc", options).unwrap();
        zip.write_all(b"data for abc").unwrap();
        zip.finish().unwrap();
        let want = htop(&format!(
            "{}  prefix/abc\n{}  prefix/xyz\n",
            h("data for abc"),
            h("data for xyz")
        ));
        assert_eq!(hash_zip(&path, Limits::default()).unwrap(), want);
        let tiny = Limits {
            max_bytes: 5,
            max_entries: 10,
        };
        assert!(matches!(
            hash_zip(&path, tiny),
            Err(DirhashError::TooLarge(5))
        ));
    }
}
