//! Getting a large file's bytes from a list of sources into a file,
//! hashing them: release archives from the mirrors, toolchain zips from
//! module proxies.
//!
//! The bytes go to `downloads/<file>.partial`, which survives failed
//! attempts and interrupted runs: the next attempt (or the next run) hashes
//! what it already holds and asks for the rest with `Range: bytes=N-`.
//! Transient faults (connection errors, stalls, truncated bodies, HTTP
//! 429/500/502/503/504) are retried by the one retry loop
//! ([`crate::net::retry`]); a missing file (403/404/410) moves on to the
//! next source at once. A complete download is moved to the caller's
//! destination, so a partial is never verified in place and a corrupt one
//! never survives a failed verification.
//!
//! Call with the file's lock held: the partial is shared between runs.

use crate::digest::{HashingWriter, Sha256Digest};
use crate::files::{CopyError, FileError, copy};
use crate::net::http::{Http, HttpError};
use crate::net::retry::Retry;
use crate::net::url::DisplaySafeUrl;
use crate::ui::error_chain;
use std::fmt;
use std::fs::{self, File};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// Every source failed, or the local disk did.
#[derive(Debug, thiserror::Error)]
pub enum DownloadError {
    #[error("cannot download {file}: every mirror failed:{}", .failures.iter().map(|f| format!("\n  - {f}")).collect::<String>())]
    Failed { file: String, failures: Vec<String> },
    /// Every source answered that it does not have the file (at `urls`).
    #[error("{file} is on none of {}", .urls.join(", "))]
    NotFound { file: String, urls: Vec<String> },
    #[error(transparent)]
    Disk(#[from] FileError),
}

/// Why one source did not deliver the file.
#[derive(Debug)]
pub enum SourceFailure {
    /// The source failed or does not have it (`not_found`); the message
    /// ends with the number of attempts.
    Remote { message: String, not_found: bool },
    /// The local disk failed: no source can help.
    Disk(FileError),
}

/// Why one attempt failed.
#[derive(Debug)]
enum AttemptError {
    Remote {
        message: String,
        retry: Retry,
        not_found: bool,
    },
    Disk(FileError),
}

impl AttemptError {
    fn transient(message: String) -> AttemptError {
        AttemptError::Remote {
            message,
            retry: Retry::Again(None),
            not_found: false,
        }
    }
}

impl From<HttpError> for AttemptError {
    fn from(e: HttpError) -> AttemptError {
        AttemptError::Remote {
            retry: e.retry(),
            not_found: e.is_not_found(),
            message: e.to_string(),
        }
    }
}

impl fmt::Display for AttemptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AttemptError::Remote { message, .. } => f.write_str(message),
            AttemptError::Disk(e) => e.fmt(f),
        }
    }
}

/// Downloads files into the downloads cache's partials.
pub struct Downloader<'a> {
    pub http: &'a Http,
    /// The directory holding `<file>.partial` (the downloads cache).
    pub partial_dir: PathBuf,
}

/// The name the bytes of `file_name` collect under until it is complete.
pub fn partial_name(file_name: &str) -> String {
    format!("{file_name}.partial")
}

impl Downloader<'_> {
    /// Where the bytes of `file_name` collect until it is complete.
    pub fn partial_path(&self, file_name: &str) -> PathBuf {
        self.partial_dir.join(partial_name(file_name))
    }

    /// Downloads `file_name` from the first of `urls` that serves it whole
    /// and moves it to `dest`; returns its SHA-256 and size.
    pub fn download(
        &self,
        file_name: &str,
        urls: impl IntoIterator<Item = DisplaySafeUrl>,
        dest: &Path,
    ) -> Result<(Sha256Digest, u64), DownloadError> {
        let mut failures = Vec::new();
        let mut missing_at = Vec::new();
        for url in urls {
            match self.fetch_from(&url, file_name, dest) {
                Ok(done) => return Ok(done),
                Err(SourceFailure::Disk(e)) => return Err(e.into()),
                Err(SourceFailure::Remote { message, not_found }) => {
                    if not_found {
                        missing_at.push(url.to_string());
                    }
                    failures.push(message);
                }
            }
        }
        let file = file_name.to_string();
        if !failures.is_empty() && missing_at.len() == failures.len() {
            return Err(DownloadError::NotFound {
                file,
                urls: missing_at,
            });
        }
        Err(DownloadError::Failed { file, failures })
    }

    /// Downloads `file_name` from `url` into `dest`, retrying and resuming.
    pub fn fetch_from(
        &self,
        url: &DisplaySafeUrl,
        file_name: &str,
        dest: &Path,
    ) -> Result<(Sha256Digest, u64), SourceFailure> {
        fs::create_dir_all(&self.partial_dir)
            .map_err(|e| SourceFailure::Disk(FileError::new("create", &self.partial_dir, e)))?;
        let partial = self.partial_path(file_name);
        let result = self.http.retry_policy().run(
            self.http.ui(),
            || self.attempt(url, file_name, &partial),
            |failure| match failure {
                AttemptError::Remote { retry, .. } => *retry,
                AttemptError::Disk(_) => Retry::No,
            },
        );
        match result {
            Ok(done) => {
                fs::rename(&partial, dest)
                    .map_err(|e| SourceFailure::Disk(FileError::new("move", &partial, e)))?;
                Ok(done)
            }
            Err(gave_up) => {
                let message = gave_up.describe();
                match gave_up.last {
                    AttemptError::Disk(e) => {
                        // A local failure (disk full, permissions): keeping
                        // the partial would only keep the disk full.
                        let _ = fs::remove_file(&partial);
                        Err(SourceFailure::Disk(e))
                    }
                    AttemptError::Remote { not_found, .. } => {
                        // An empty partial is no progress worth keeping; a
                        // non-empty one is resumed later (and verified
                        // before any use).
                        if fs::metadata(&partial).is_ok_and(|m| m.len() == 0) {
                            let _ = fs::remove_file(&partial);
                        }
                        Err(SourceFailure::Remote { message, not_found })
                    }
                }
            }
        }
    }

    /// One request: resumes the partial if it holds bytes, else starts it.
    fn attempt(
        &self,
        url: &DisplaySafeUrl,
        file_name: &str,
        partial: &Path,
    ) -> Result<(Sha256Digest, u64), AttemptError> {
        let disk = |action, e| AttemptError::Disk(FileError::new(action, partial, e));
        let have = match fs::metadata(partial) {
            Ok(meta) => meta.len(),
            Err(e) if e.kind() == io::ErrorKind::NotFound => 0,
            Err(e) => return Err(disk("read", e)),
        };
        let mut response = self.http.get_from(url, have)?;
        let status = response.status();
        if status == 416 && have > 0 {
            // The partial is not a prefix of what the server has: start over.
            fs::remove_file(partial).map_err(|e| disk("write", e))?;
            return self.attempt(url, file_name, partial);
        }
        if !matches!(status, 200 | 206) {
            return Err(response.error(url).into());
        }

        let (offset, total) = if status == 206 {
            match parse_content_range(response.content_range()) {
                Some((start, total)) if start == have => (have, total),
                _ => {
                    // Not the bytes asked for: drop the partial, ask for all.
                    fs::remove_file(partial).map_err(|e| disk("write", e))?;
                    return Err(AttemptError::transient(format!(
                        "{url}: the server answered a request for bytes from {have} on with another range"
                    )));
                }
            }
        } else {
            (0, response.content_length())
        };

        let file = File::options()
            .create(true)
            .append(true)
            .open(partial)
            .map_err(|e| disk("write", e))?;
        let mut writer = if offset > 0 {
            // The digest covers every byte, the ones from earlier attempts too.
            let earlier = File::open(partial)
                .map_err(|e| disk("read", e))?
                .take(offset);
            let writer = HashingWriter::resume(&file, earlier).map_err(|e| disk("read", e))?;
            self.http.ui().status(format!(
                "Resuming download of {file_name} at {:.1} MB",
                offset as f64 / 1e6
            ));
            writer
        } else {
            if have > 0 {
                self.http.ui().status(format!(
                    "{url} does not resume downloads; downloading {file_name} from the start"
                ));
            }
            file.set_len(0).map_err(|e| disk("write", e))?;
            HashingWriter::new(&file)
        };

        let progress = self
            .http
            .ui()
            .progress(&format!("Downloading {file_name}"), total);
        progress.set_position(offset);
        let copied = copy(&mut response, &mut writer, &progress);
        progress.finish_and_clear();
        let received = match copied {
            Ok(n) => n,
            Err(CopyError::Write(e)) => return Err(disk("write", e)),
            Err(CopyError::Read { error, copied }) => {
                let size = offset + copied;
                let chain = error_chain(&error);
                return Err(AttemptError::transient(match total {
                    Some(total) => {
                        format!("{url}: the transfer ended after {size} of {total} bytes: {chain}")
                    }
                    None => format!("{url}: the transfer ended after {size} bytes: {chain}"),
                }));
            }
        };
        let size = offset + received;
        let (digest, hashed, _) = writer.finish();
        debug_assert_eq!(hashed, size);
        match total {
            Some(total) if total != size => Err(AttemptError::transient(format!(
                "{url}: the transfer ended after {size} of {total} bytes"
            ))),
            _ => Ok((digest, size)),
        }
    }
}

/// `bytes START-END/TOTAL` → (START, TOTAL if known).
fn parse_content_range(value: Option<&str>) -> Option<(u64, Option<u64>)> {
    let spec = value?.trim().strip_prefix("bytes ")?;
    let (range, total) = spec.split_once('/')?;
    let (start, end) = range.split_once('-')?;
    let start = start.trim().parse::<u64>().ok()?;
    let end = end.trim().parse::<u64>().ok()?;
    if end < start {
        return None;
    }
    let total = match total.trim() {
        "*" => None,
        n => Some(n.parse::<u64>().ok()?),
    };
    if total.is_some_and(|t| end >= t) {
        return None;
    }
    Some((start, total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_ranges_parse() {
        assert_eq!(
            parse_content_range(Some("bytes 100-199/200")),
            Some((100, Some(200)))
        );
        assert_eq!(parse_content_range(Some("bytes 0-9/*")), Some((0, None)));
        for bad in [
            "bytes */200",
            "bytes 5-4/10",
            "bytes 0-10/10",
            "items 0-1/2",
            "bytes x-1/2",
        ] {
            assert_eq!(parse_content_range(Some(bad)), None, "{bad}");
        }
        assert_eq!(parse_content_range(None), None);
    }
}
