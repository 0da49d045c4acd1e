//! The one HTTP client gvmr uses: a `User-Agent` naming gvmr, connect and
//! read timeouts, proxies from `HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY`, TLS
//! roots from the operating system (so TLS-intercepting corporate proxies
//! work).

use crate::files::read_capped;
use crate::net::retry::{Retry, RetryPolicy, parse_retry_after};
use crate::ui::{Ui, error_chain};
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

pub const USER_AGENT: &str = concat!("gvmr/", env!("CARGO_PKG_VERSION"));

const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);
/// Redirects followed before a request is abandoned.
pub const MAX_REDIRECTS: usize = 10;

/// The client: reqwest for `http(s)://`, the file system for `file://`,
/// and the retry policy every small fetch follows.
#[derive(Clone)]
pub struct Http {
    client: reqwest::blocking::Client,
    retry: RetryPolicy,
    ui: Ui,
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum HttpError {
    #[error("{url}: {message}")]
    Transport { url: String, message: String },
    #[error("{url}: HTTP {status}")]
    Status {
        url: String,
        status: u16,
        /// The server's `Retry-After`, when it sent one.
        retry_after: Option<Duration>,
    },
    #[error("{url}: the response is larger than {limit} bytes")]
    TooLarge { url: String, limit: u64 },
    #[error("{url}: more than {MAX_REDIRECTS} redirects (a redirect loop?)")]
    TooManyRedirects { url: String },
    /// A `file://` URL that names no file: "not found", as a 404 is.
    #[error("{url}: no such file")]
    NoFile { url: String },
    /// A `file://` URL that names a file gvmr cannot read.
    #[error("{url}: {message}")]
    LocalRead { url: String, message: String },
}

impl HttpError {
    /// True when no answer about the file came back: the transfer failed or
    /// the server reported its own failure (5xx). Retrying later may work.
    pub fn is_unreachable(&self) -> bool {
        match self {
            HttpError::Transport { .. } | HttpError::TooManyRedirects { .. } => true,
            HttpError::Status { status, .. } => *status >= 500,
            HttpError::TooLarge { .. } | HttpError::NoFile { .. } | HttpError::LocalRead { .. } => {
                false
            }
        }
    }

    /// True when the server answered that the file does not exist.
    pub fn is_not_found(&self) -> bool {
        matches!(
            self,
            HttpError::Status {
                status: 404 | 410,
                ..
            } | HttpError::NoFile { .. }
        )
    }

    /// Whether another attempt may succeed: transfer failures and the
    /// statuses that mean "busy, try later" (429, 500, 502, 503, 504).
    pub fn retry(&self) -> Retry {
        match self {
            HttpError::Transport { .. } => Retry::Again(None),
            HttpError::Status {
                status: 429 | 503,
                retry_after,
                ..
            } => Retry::Again(*retry_after),
            HttpError::Status {
                status: 500 | 502 | 504,
                ..
            } => Retry::Again(None),
            _ => Retry::No,
        }
    }
}

/// The local path of a `file://` URL (`file:///dir/x`, `file://localhost/dir/x`,
/// percent-escapes decoded); `None` for other URLs.
pub fn file_url_path(url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix("file://")?;
    let rest = rest.strip_prefix("localhost").unwrap_or(rest);
    Some(PathBuf::from(percent_decode(rest)))
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = text.get(i + 1..i + 3)
            && let Ok(b) = u8::from_str_radix(hex, 16)
        {
            out.push(b);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl Http {
    /// `read_timeout`: how long a read may wait for the next bytes before the
    /// transfer is abandoned; `retry`: what [`Http::get_small`] and the
    /// downloads do after a transient failure; `ui`: where waits are said.
    pub fn new(read_timeout: Duration, retry: RetryPolicy, ui: Ui) -> Http {
        // reqwest is built without a default crypto provider; ring is the one
        // that compiles without system libraries or cmake.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::blocking::Client::builder()
            .user_agent(USER_AGENT)
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(read_timeout)
            .redirect(reqwest::redirect::Policy::limited(MAX_REDIRECTS))
            .build()
            .expect("the HTTP client configuration is valid");
        Http { client, retry, ui }
    }

    pub fn retry_policy(&self) -> RetryPolicy {
        self.retry
    }

    pub fn ui(&self) -> &Ui {
        &self.ui
    }

    /// Starts a GET and checks the status; the body is read by the caller.
    pub fn get(&self, url: &str) -> Result<Response, HttpError> {
        let response = self.get_from(url, 0)?;
        match response.status {
            200..=299 => Ok(response),
            status => Err(HttpError::Status {
                url: url.to_string(),
                status,
                retry_after: response.retry_after(),
            }),
        }
    }

    /// Starts a GET asking for the bytes from `offset` on (`Range: bytes=N-`)
    /// when `offset` is not 0. Any status is returned: the caller judges it.
    pub fn get_from(&self, url: &str, offset: u64) -> Result<Response, HttpError> {
        if let Some(path) = file_url_path(url) {
            return Response::local(url, path, offset);
        }
        let mut request = self.client.get(url);
        if offset > 0 {
            request = request.header(reqwest::header::RANGE, format!("bytes={offset}-"));
        }
        let response = request.send().map_err(|e| {
            if e.is_redirect() {
                HttpError::TooManyRedirects {
                    url: url.to_string(),
                }
            } else {
                HttpError::Transport {
                    url: url.to_string(),
                    message: error_chain(&e),
                }
            }
        })?;
        Ok(Response {
            status: response.status().as_u16(),
            content_length: response.content_length(),
            content_range: header(&response, "content-range"),
            retry_after: header(&response, "retry-after")
                .and_then(|v| parse_retry_after(&v, SystemTime::now())),
            body: Body::Remote(response),
        })
    }

    /// Fetches a small file whole, refusing anything larger than `limit`;
    /// transient failures are retried by the policy.
    pub fn get_small(&self, url: &str, limit: u64) -> Result<Vec<u8>, HttpError> {
        self.retry
            .run(
                &self.ui,
                || self.get_small_once(url, limit),
                HttpError::retry,
            )
            .map_err(|gave_up| gave_up.last)
    }

    fn get_small_once(&self, url: &str, limit: u64) -> Result<Vec<u8>, HttpError> {
        let response = self.get(url)?;
        let too_large = || HttpError::TooLarge {
            url: url.to_string(),
            limit,
        };
        if response.content_length().is_some_and(|n| n > limit) {
            return Err(too_large());
        }
        read_capped(response, limit)
            .map_err(|e| HttpError::Transport {
                url: url.to_string(),
                message: error_chain(&e),
            })?
            .ok_or_else(too_large)
    }
}

fn header(response: &reqwest::blocking::Response, name: &str) -> Option<String> {
    Some(response.headers().get(name)?.to_str().ok()?.to_string())
}

enum Body {
    Remote(reqwest::blocking::Response),
    Local(File),
}

/// A response (from [`Http::get`], one whose status was a success); read it
/// for the body. A `file://` URL answers as a server would: 200, 206 for a
/// range, 416 for a range past the end.
pub struct Response {
    status: u16,
    content_length: Option<u64>,
    content_range: Option<String>,
    retry_after: Option<Duration>,
    body: Body,
}

impl Response {
    fn local(url: &str, path: PathBuf, offset: u64) -> Result<Response, HttpError> {
        let failed = |e: io::Error| match e.kind() {
            io::ErrorKind::NotFound => HttpError::NoFile {
                url: url.to_string(),
            },
            _ => HttpError::LocalRead {
                url: url.to_string(),
                message: crate::files::describe_io(&e),
            },
        };
        let mut file = File::open(&path).map_err(failed)?;
        let meta = file.metadata().map_err(failed)?;
        if !meta.is_file() {
            return Err(HttpError::NoFile {
                url: url.to_string(),
            });
        }
        let len = meta.len();
        let (status, content_range) = match offset {
            0 => (200, None),
            _ if offset >= len => (416, None),
            _ => {
                file.seek(SeekFrom::Start(offset)).map_err(failed)?;
                (206, Some(format!("bytes {offset}-{}/{len}", len - 1)))
            }
        };
        Ok(Response {
            status,
            content_length: Some(len.saturating_sub(offset)),
            content_range,
            retry_after: None,
            body: Body::Local(file),
        })
    }

    pub fn content_length(&self) -> Option<u64> {
        self.content_length
    }

    pub fn status(&self) -> u16 {
        self.status
    }

    /// The `Content-Range` of a 206 answer.
    pub fn content_range(&self) -> Option<&str> {
        self.content_range.as_deref()
    }

    /// The wait the server asked for (`Retry-After`, seconds or HTTP-date).
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }
}

impl Read for Response {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match &mut self.body {
            Body::Remote(response) => response.read(buf),
            Body::Local(file) => file.read(buf),
        }
    }
}

/// Joins a mirror base URL and a file name with exactly one slash.
pub fn join_url(base: &str, file: &str) -> String {
    format!("{}/{}", base.trim_end_matches('/'), file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_with_one_slash() {
        assert_eq!(join_url("https://x/go/", "a.tgz"), "https://x/go/a.tgz");
        assert_eq!(join_url("https://x/go", "a.tgz"), "https://x/go/a.tgz");
    }

    #[test]
    fn file_urls_map_to_paths() {
        assert_eq!(
            file_url_path("file:///a/b%20c"),
            Some(PathBuf::from("/a/b c"))
        );
        assert_eq!(
            file_url_path("file://localhost/a"),
            Some(PathBuf::from("/a"))
        );
        assert_eq!(file_url_path("https://x/a"), None);
    }

    #[test]
    fn local_files_answer_like_a_server() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, b"0123456789").unwrap();
        let url = format!("file://{}", path.display());
        let http = Http::new(Duration::from_secs(1), RetryPolicy::ONCE, Ui::new(true));
        assert_eq!(http.get_small(&url, 10).unwrap(), b"0123456789");
        assert!(matches!(
            http.get_small(&url, 9),
            Err(HttpError::TooLarge { .. })
        ));
        let mut rest = http.get_from(&url, 4).unwrap();
        assert_eq!(
            (rest.status(), rest.content_range()),
            (206, Some("bytes 4-9/10"))
        );
        let mut text = String::new();
        rest.read_to_string(&mut text).unwrap();
        assert_eq!(text, "456789");
        assert_eq!(http.get_from(&url, 10).unwrap().status(), 416);
        let missing = http.get(&format!("{url}.asc")).err().unwrap();
        assert!(missing.is_not_found(), "{missing}");
        assert!(!missing.is_unreachable());
    }

    #[test]
    fn user_agent_names_gvmr_and_version() {
        assert_eq!(USER_AGENT, format!("gvmr/{}", env!("CARGO_PKG_VERSION")));
    }
}
