//! Getting an archive's bytes from the mirrors into a file, hashing them.
//!
//! The bytes go to `downloads/<file>.partial`, which survives failed
//! attempts and interrupted runs: the next attempt (or the next run) hashes
//! what it already holds and asks for the rest with `Range: bytes=N-`.
//! Transient faults (connection errors, stalls, truncated bodies, HTTP
//! 429/500/502/503/504) are retried with exponential backoff; a missing file
//! (403/404/410) moves on to the next mirror at once. A complete download is
//! moved to the caller's destination, so a partial is never verified in
//! place and a corrupt one never survives a failed verification.
//!
//! Call with the version's lock held: the partial is shared between runs.

use crate::checksum::{HashingWriter, Sha256Digest};
use crate::error::Error;
use crate::http::{Http, HttpError, Response, error_chain, join_url};
use crate::store::StoreError;
use crate::ui::Ui;
use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Retries after the first attempt, per mirror, unless `GVMR_RETRIES` says.
const DEFAULT_RETRIES: u32 = 2;
const MAX_RETRIES: u32 = 10;
/// The first backoff; each retry doubles it. `GVMR_RETRY_BACKOFF_MS` overrides.
const DEFAULT_BACKOFF: Duration = Duration::from_millis(250);
const MAX_BACKOFF_MS: u64 = 60_000;
/// The longest `Retry-After` honoured; a server asking for more is given up.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(30);

/// How often and how patiently to retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts per mirror (at least 1).
    pub attempts: u32,
    /// The wait before the second attempt; doubled before each further one.
    pub backoff: Duration,
}

impl RetryPolicy {
    /// From `GVMR_RETRIES` and `GVMR_RETRY_BACKOFF_MS`.
    pub fn from_env() -> Result<RetryPolicy, Error> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        RetryPolicy::parse(
            var("GVMR_RETRIES").as_deref(),
            var("GVMR_RETRY_BACKOFF_MS").as_deref(),
        )
    }

    fn parse(retries: Option<&str>, backoff_ms: Option<&str>) -> Result<RetryPolicy, Error> {
        let retries = match retries {
            None => DEFAULT_RETRIES,
            Some(text) => text
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|n| *n <= MAX_RETRIES)
                .ok_or_else(|| {
                    Error::Usage(format!(
                        "GVMR_RETRIES must be a whole number from 0 to {MAX_RETRIES}, not {text:?}"
                    ))
                })?,
        };
        let backoff = match backoff_ms {
            None => DEFAULT_BACKOFF,
            Some(text) => text
                .trim()
                .parse::<u64>()
                .ok()
                .filter(|n| *n <= MAX_BACKOFF_MS)
                .map(Duration::from_millis)
                .ok_or_else(|| {
                    Error::Usage(format!(
                        "GVMR_RETRY_BACKOFF_MS must be a whole number of milliseconds from 0 to {MAX_BACKOFF_MS}, not {text:?}"
                    ))
                })?,
        };
        Ok(RetryPolicy {
            attempts: retries + 1,
            backoff,
        })
    }

    /// The wait after failed attempt number `attempt` (1-based).
    pub fn backoff_after(&self, attempt: u32) -> Duration {
        self.backoff
            .saturating_mul(1u32 << (attempt - 1).min(16))
            .min(Duration::from_millis(MAX_BACKOFF_MS))
    }
}

/// Why one attempt failed.
enum Failure {
    /// Worth another attempt at this mirror, after the server's
    /// `Retry-After` if it sent one.
    Transient {
        message: String,
        retry_after: Option<u64>,
    },
    /// This mirror will not serve the file: next mirror.
    Permanent(String),
    /// The local disk failed: no mirror can help.
    Fatal(Error),
}

impl Failure {
    fn transient(message: String) -> Failure {
        Failure::Transient {
            message,
            retry_after: None,
        }
    }
}

/// Downloads one file from a list of mirrors.
pub struct Downloader<'a> {
    pub http: &'a Http,
    pub ui: &'a Ui,
    pub mirrors: &'a [String],
    pub policy: RetryPolicy,
    /// The directory holding `<file>.partial` (the downloads cache).
    pub partial_dir: PathBuf,
}

impl Downloader<'_> {
    /// Where the bytes of `file_name` collect until it is complete.
    pub fn partial_path(&self, file_name: &str) -> PathBuf {
        self.partial_dir.join(format!("{file_name}.partial"))
    }

    /// Downloads `file_name` from the first mirror that serves it whole and
    /// moves it to `dest`; returns its SHA-256 and size.
    pub fn download(&self, file_name: &str, dest: &Path) -> Result<(Sha256Digest, u64), Error> {
        fs::create_dir_all(&self.partial_dir)
            .map_err(|e| StoreError::new("create", &self.partial_dir, e))?;
        let partial = self.partial_path(file_name);
        let mut failures = Vec::new();
        for base in self.mirrors {
            let url = join_url(base, file_name);
            let mut attempt = 0;
            let last = loop {
                attempt += 1;
                let (message, retry_after) = match self.attempt(&url, file_name, &partial) {
                    Ok(done) => {
                        fs::rename(&partial, dest)
                            .map_err(|e| StoreError::new("move", &partial, e))?;
                        return Ok(done);
                    }
                    Err(Failure::Fatal(e)) => {
                        // A local failure (disk full, permissions): keeping
                        // the partial would only keep the disk full.
                        let _ = fs::remove_file(&partial);
                        return Err(e);
                    }
                    Err(Failure::Permanent(message)) => break message,
                    Err(Failure::Transient {
                        message,
                        retry_after,
                    }) => (message, retry_after),
                };
                if attempt >= self.policy.attempts {
                    break message;
                }
                let wait = match retry_after {
                    Some(secs) if Duration::from_secs(secs) > MAX_RETRY_AFTER => {
                        break format!(
                            "{message} (the server asks to retry after {secs} s, more than the {} s gvmr waits: gave up on this mirror)",
                            MAX_RETRY_AFTER.as_secs()
                        );
                    }
                    Some(secs) => Duration::from_secs(secs),
                    None => self.policy.backoff_after(attempt),
                };
                self.ui.status(format!(
                    "{message}; retrying in {:.2} s (attempt {} of {})",
                    wait.as_secs_f64(),
                    attempt + 1,
                    self.policy.attempts
                ));
                std::thread::sleep(wait);
            };
            let plural = if attempt == 1 { "" } else { "s" };
            failures.push(format!("{last} ({attempt} attempt{plural})"));
        }
        // An empty partial is no progress worth keeping; a non-empty one is
        // resumed by the next run (and verified before any use).
        if fs::metadata(&partial).is_ok_and(|m| m.len() == 0) {
            let _ = fs::remove_file(&partial);
        }
        Err(Error::Download {
            file: file_name.to_string(),
            failures,
        })
    }

    /// One request: resumes the partial if it holds bytes, else starts it.
    fn attempt(
        &self,
        url: &str,
        file_name: &str,
        partial: &Path,
    ) -> Result<(Sha256Digest, u64), Failure> {
        let write_error = |e| Failure::Fatal(StoreError::new("write", partial, e).into());
        let have = match fs::metadata(partial) {
            Ok(meta) => meta.len(),
            Err(e) if e.kind() == io::ErrorKind::NotFound => 0,
            Err(e) => return Err(Failure::Fatal(StoreError::new("read", partial, e).into())),
        };
        let mut response = self.http.get_from(url, have).map_err(classify_http)?;
        let status = response.status();
        if status == 416 && have > 0 {
            // The partial is not a prefix of what the server has: start over.
            fs::remove_file(partial).map_err(write_error)?;
            return self.attempt(url, file_name, partial);
        }
        let retry_after = || {
            response
                .header("retry-after")
                .and_then(|v| v.trim().parse::<u64>().ok())
        };
        match status {
            200 | 206 => {}
            429 | 503 => {
                return Err(Failure::Transient {
                    message: format!("{url}: HTTP {status}"),
                    retry_after: retry_after(),
                });
            }
            500 | 502 | 504 => return Err(Failure::transient(format!("{url}: HTTP {status}"))),
            _ => return Err(Failure::Permanent(format!("{url}: HTTP {status}"))),
        }

        let (offset, total) = if status == 206 {
            match parse_content_range(response.header("content-range")) {
                Some((start, total)) if start == have => (have, total),
                _ => {
                    // Not the bytes asked for: drop the partial, ask for all.
                    fs::remove_file(partial).map_err(write_error)?;
                    return Err(Failure::transient(format!(
                        "{url}: the server answered a request for bytes from {have} on with another range"
                    )));
                }
            }
        } else {
            (0, response.content_length())
        };

        let mut file = File::options()
            .create(true)
            .append(true)
            .open(partial)
            .map_err(write_error)?;
        let mut hasher = HashingWriter::new(io::sink());
        if offset > 0 {
            // The digest covers every byte, the ones from earlier attempts too.
            let mut earlier = File::open(partial)
                .map_err(|e| Failure::Fatal(StoreError::new("read", partial, e).into()))?
                .take(offset);
            io::copy(&mut earlier, &mut hasher)
                .map_err(|e| Failure::Fatal(StoreError::new("read", partial, e).into()))?;
            self.ui.status(format!(
                "Resuming download of {file_name} at {:.1} MB",
                offset as f64 / 1e6
            ));
        } else {
            if have > 0 {
                self.ui.status(format!(
                    "{url} does not resume downloads; downloading {file_name} from the start"
                ));
            }
            file.set_len(0).map_err(write_error)?;
        }

        let progress = self.ui.progress(&format!("Downloading {file_name}"), total);
        progress.set_position(offset);
        let copied = copy_appending(&mut response, &mut file, &mut hasher, &progress);
        progress.finish_and_clear();
        let received = match copied {
            Ok(n) => n,
            Err(CopyError::Write(e)) => return Err(write_error(e)),
            Err(CopyError::Read { error, received }) => {
                let size = offset + received;
                let chain = error_chain(&error);
                return Err(Failure::transient(match total {
                    Some(total) => {
                        format!("{url}: the transfer ended after {size} of {total} bytes: {chain}")
                    }
                    None => format!("{url}: the transfer ended after {size} bytes: {chain}"),
                }));
            }
        };
        let size = offset + received;
        let (digest, hashed, _) = hasher.finish();
        debug_assert_eq!(hashed, size);
        match total {
            Some(total) if total != size => Err(Failure::transient(format!(
                "{url}: the transfer ended after {size} of {total} bytes"
            ))),
            _ => Ok((digest, size)),
        }
    }
}

/// 4xx and the like are for the caller; here only failures to get any answer.
fn classify_http(e: HttpError) -> Failure {
    match e {
        HttpError::TooManyRedirects { .. } => Failure::Permanent(e.to_string()),
        _ => Failure::transient(e.to_string()),
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

enum CopyError {
    /// The body broke off after `received` bytes (all written).
    Read {
        error: io::Error,
        received: u64,
    },
    Write(io::Error),
}

/// Appends the body to `file` chunk by chunk (unbuffered, so what was
/// received is on disk even if the process is killed), hashing it.
fn copy_appending(
    body: &mut Response,
    file: &mut File,
    hasher: &mut HashingWriter<io::Sink>,
    progress: &indicatif::ProgressBar,
) -> Result<u64, CopyError> {
    let mut buf = vec![0u8; 64 * 1024];
    let mut received = 0u64;
    loop {
        let n = match body.read(&mut buf) {
            Ok(0) => return Ok(received),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(CopyError::Read { error, received }),
        };
        file.write_all(&buf[..n]).map_err(CopyError::Write)?;
        hasher.write_all(&buf[..n]).map_err(CopyError::Write)?;
        received += n as u64;
        progress.inc(n as u64);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_settings_parse_and_are_bounded() {
        let default = RetryPolicy::parse(None, None).unwrap();
        assert_eq!(default.attempts, 3);
        assert_eq!(default.backoff, Duration::from_millis(250));
        assert_eq!(RetryPolicy::parse(Some("0"), None).unwrap().attempts, 1);
        assert_eq!(RetryPolicy::parse(Some(" 10 "), None).unwrap().attempts, 11);
        for bad in ["11", "-1", "x", "2.5"] {
            assert!(RetryPolicy::parse(Some(bad), None).is_err(), "{bad}");
        }
        let fast = RetryPolicy::parse(None, Some("10")).unwrap();
        assert_eq!(fast.backoff, Duration::from_millis(10));
        assert!(RetryPolicy::parse(None, Some("60001")).is_err());
    }

    #[test]
    fn backoff_doubles() {
        let policy = RetryPolicy::parse(None, None).unwrap();
        let waits: Vec<u128> = (1..=4)
            .map(|n| policy.backoff_after(n).as_millis())
            .collect();
        assert_eq!(waits, [250, 500, 1000, 2000]);
        assert_eq!(
            policy.backoff_after(40),
            Duration::from_millis(MAX_BACKOFF_MS)
        );
    }

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
