//! The expected SHA-256 of an archive, with the source it came from, and
//! the comparison with the digest of the bytes received.

use crate::digest::Sha256Digest;
use std::fmt;

/// Where the expected digest came from; shown to the user on success and failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChecksumSource {
    /// The release listing (`GVMR_INDEX_URL`) at this URL, fresh or cached.
    Listing(String),
    /// A `.sha256` file fetched from a mirror.
    Mirror(String),
    /// A `.sha256` file beside a local archive or in the downloads cache.
    File(std::path::PathBuf),
}

impl fmt::Display for ChecksumSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChecksumSource::Listing(url) => write!(f, "release listing at {url}"),
            ChecksumSource::Mirror(url) => write!(f, "{url}"),
            ChecksumSource::File(path) => write!(f, "{}", path.display()),
        }
    }
}

/// An expected digest and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectedChecksum {
    pub digest: Sha256Digest,
    pub source: ChecksumSource,
}

#[derive(Debug, thiserror::Error)]
#[error(
    "checksum mismatch for {file}\n  expected: {expected} (from {source_of_expected})\n  actual:   {actual}\nThe file is corrupt or was tampered with; nothing was installed."
)]
pub struct ChecksumMismatch {
    pub file: String,
    pub expected: Sha256Digest,
    pub source_of_expected: ChecksumSource,
    pub actual: Sha256Digest,
}

impl ExpectedChecksum {
    pub fn check(&self, file: &str, actual: Sha256Digest) -> Result<(), ChecksumMismatch> {
        if self.digest == actual {
            Ok(())
        } else {
            Err(ChecksumMismatch {
                file: file.to_string(),
                expected: self.digest,
                source_of_expected: self.source.clone(),
                actual,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::digest::sha256_of;

    const EMPTY: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    #[test]
    fn mismatch_names_both_values_and_the_source() {
        let expected = ExpectedChecksum {
            digest: Sha256Digest::parse_hex(EMPTY).unwrap(),
            source: ChecksumSource::Listing("https://go.dev/dl/?mode=json".into()),
        };
        let actual = sha256_of(&b"x"[..]).unwrap();
        let msg = expected.check("go.tar.gz", actual).unwrap_err().to_string();
        assert!(
            msg.contains(EMPTY) && msg.contains(&actual.to_string()),
            "{msg}"
        );
        assert!(
            msg.contains("(from release listing at https://go.dev/dl/?mode=json)"),
            "{msg}"
        );
        assert!(expected.check("go.tar.gz", expected.digest).is_ok());
    }
}
