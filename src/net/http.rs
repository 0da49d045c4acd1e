//! The one HTTP client gvmr uses: a `User-Agent` naming gvmr, connect and
//! read timeouts, proxies from `HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY`, TLS
//! roots from the operating system (so TLS-intercepting corporate proxies
//! work), HTTP Basic auth from [`Credentials`] (never sent on to another
//! host after a redirect), and `file://` URLs read from disk.
//!
//! Small files (listings, `.sha256`, `.asc`) get a short first-byte timeout
//! (`GVMR_CONNECT_TIMEOUT`): a host that accepts connections but sends
//! nothing is given up quickly, so the next source gets its turn. Large
//! downloads keep the read timeout (`GVMR_HTTP_TIMEOUT`), since a proxy such
//! as Artifactory may fetch an archive upstream before it answers.

use crate::files::read_capped;
use crate::net::credentials::{Credential, Credentials};
use crate::net::retry::{Retry, RetryPolicy, parse_retry_after};
use crate::net::url::DisplaySafeUrl;
use crate::ui::{Ui, error_chain};
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

pub const USER_AGENT: &str = concat!("gvmr/", env!("CARGO_PKG_VERSION"));

/// How long a connection, and a small file's first byte, may take
/// (`GVMR_CONNECT_TIMEOUT`).
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Redirects followed before a request is abandoned.
pub const MAX_REDIRECTS: usize = 10;

/// The client: reqwest for `http(s)://`, the file system for `file://`,
/// and the retry policy every small fetch follows.
#[derive(Clone)]
pub struct Http {
    client: reqwest::blocking::Client,
    retry: RetryPolicy,
    ui: Ui,
    connect_timeout: Duration,
    credentials: Arc<Credentials>,
}

/// How [`Http`] talks to servers, beyond the retry policy.
#[derive(Debug, Clone)]
pub struct HttpOptions {
    /// How long a large download may wait for its answer and each next
    /// bytes (`GVMR_HTTP_TIMEOUT`).
    pub read_timeout: Duration,
    /// How long connecting, and a small file's answer, may take
    /// (`GVMR_CONNECT_TIMEOUT`).
    pub connect_timeout: Duration,
    pub credentials: Credentials,
}

/// A failed request; `url` is the URL as shown (its password hidden).
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
    /// 401 or 403; `reason` says whether credentials were sent (and from
    /// where) or where to put them.
    #[error("{url}: HTTP {status}: {reason}")]
    Denied {
        url: String,
        status: u16,
        reason: String,
    },
    /// Nothing arrived within the first-byte timeout.
    #[error("{url}: no answer within {} s (GVMR_CONNECT_TIMEOUT)", .after.as_secs_f64())]
    NoAnswer { url: String, after: Duration },
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
    /// A server that refuses gvmr (401, 403) counts too: it said nothing
    /// about the file.
    pub fn is_unreachable(&self) -> bool {
        match self {
            HttpError::Transport { .. }
            | HttpError::TooManyRedirects { .. }
            | HttpError::Denied { .. }
            | HttpError::NoAnswer { .. } => true,
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
    /// statuses that mean "busy, try later" (429, 500, 502, 503, 504). A
    /// source that sent nothing within the first-byte timeout is given up
    /// at once (a blocked host would only stall every retry too).
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

impl Http {
    /// `options`: timeouts and credentials; `retry`: what
    /// [`Http::get_small`] and the downloads do after a transient failure;
    /// `ui`: where waits are said.
    pub fn new(options: HttpOptions, retry: RetryPolicy, ui: Ui) -> Http {
        // reqwest is built without a default crypto provider; ring is the one
        // that compiles without system libraries or cmake.
        let _ = rustls::crypto::ring::default_provider().install_default();
        // reqwest drops Authorization when a redirect leads to another host,
        // port or scheme (tests/it/mirror_sources.rs checks it does).
        let client = reqwest::blocking::Client::builder()
            .user_agent(USER_AGENT)
            .connect_timeout(options.connect_timeout)
            .timeout(options.read_timeout)
            .redirect(reqwest::redirect::Policy::limited(MAX_REDIRECTS))
            .build()
            .expect("the HTTP client configuration is valid");
        Http {
            client,
            retry,
            ui,
            connect_timeout: options.connect_timeout,
            credentials: Arc::new(options.credentials),
        }
    }

    /// A client for unit tests: short timeouts, no retries, no credentials.
    #[cfg(test)]
    pub fn for_tests() -> Http {
        Http::new(
            HttpOptions {
                read_timeout: Duration::from_secs(1),
                connect_timeout: Duration::from_secs(1),
                credentials: Credentials::default(),
            },
            RetryPolicy::ONCE,
            Ui::new(true),
        )
    }

    pub fn retry_policy(&self) -> RetryPolicy {
        self.retry
    }

    pub fn ui(&self) -> &Ui {
        &self.ui
    }

    /// `GVMR_CONNECT_TIMEOUT`.
    pub fn connect_timeout(&self) -> Duration {
        self.connect_timeout
    }

    /// The credentials this client sends.
    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// The URL to request and the credential gvmr sends with it: its
    /// host's (the URL's own user name and password give way to it), else
    /// none (reqwest sends the URL's user name and password, if any).
    fn authorize(&self, url: &DisplaySafeUrl) -> (reqwest::Url, Option<&Credential>) {
        match self.credentials.for_url(url) {
            Some(credential) => (url.without_credentials().expose().clone(), Some(credential)),
            None => (url.expose().clone(), None),
        }
    }

    /// Starts a GET and checks the status; the body is read by the caller.
    fn get(&self, url: &DisplaySafeUrl, timeout: Option<Duration>) -> Result<Response, HttpError> {
        let response = self.send(url, 0, timeout)?;
        match response.status {
            200..=299 => Ok(response),
            _ => Err(response.error(url)),
        }
    }

    /// Starts a GET asking for the bytes from `offset` on (`Range: bytes=N-`)
    /// when `offset` is not 0. Any status is returned: the caller judges it
    /// ([`Response::error`]).
    pub fn get_from(&self, url: &DisplaySafeUrl, offset: u64) -> Result<Response, HttpError> {
        self.send(url, offset, None)
    }

    /// One request; `timeout` (else the read timeout) bounds the wait for
    /// the answer and for each read of the body.
    fn send(
        &self,
        url: &DisplaySafeUrl,
        offset: u64,
        timeout: Option<Duration>,
    ) -> Result<Response, HttpError> {
        if let Some(path) = url.to_file_path() {
            return Response::local(url, path, offset);
        }
        let (target, credential) = self.authorize(url);
        let mut request = self.client.get(target);
        if let Some(credential) = credential {
            request = request.basic_auth(&credential.login, Some(credential.password()));
        }
        if offset > 0 {
            request = request.header(reqwest::header::RANGE, format!("bytes={offset}-"));
        }
        if let Some(timeout) = timeout {
            request = request.timeout(timeout);
        }
        let response = request.send().map_err(|e| {
            if e.is_redirect() {
                HttpError::TooManyRedirects {
                    url: url.to_string(),
                }
            } else if let Some(after) = timeout.filter(|_| e.is_timeout()) {
                HttpError::NoAnswer {
                    url: url.to_string(),
                    after,
                }
            } else {
                HttpError::Transport {
                    url: url.to_string(),
                    // reqwest's messages name the URL it was given, with
                    // its password: never shown.
                    message: error_chain(&e.without_url()),
                }
            }
        })?;
        // Credentials went only as far as the first host: a redirect to
        // another one dropped them.
        let answered_by = response.url().host_str().unwrap_or_default().to_string();
        let sent = credential
            .filter(|c| {
                c.host
                    .as_deref()
                    .is_none_or(|h| h.eq_ignore_ascii_case(&answered_by))
            })
            .map(|c| c.origin.clone());
        Ok(Response {
            status: response.status().as_u16(),
            content_length: response.content_length(),
            content_range: header(&response, "content-range"),
            retry_after: header(&response, "retry-after")
                .and_then(|v| parse_retry_after(&v, SystemTime::now())),
            auth: Some(Auth {
                host: answered_by,
                sent,
                netrc: self.credentials.netrc_name.clone(),
            }),
            body: Body::Remote(response),
        })
    }

    /// Fetches a small file whole, refusing anything larger than `limit`;
    /// transient failures are retried by the policy.
    pub fn get_small(&self, url: &DisplaySafeUrl, limit: u64) -> Result<Vec<u8>, HttpError> {
        self.retry
            .run(
                &self.ui,
                || self.get_small_once(url, limit),
                HttpError::retry,
            )
            .map_err(|gave_up| gave_up.last)
    }

    fn get_small_once(&self, url: &DisplaySafeUrl, limit: u64) -> Result<Vec<u8>, HttpError> {
        let timeout = self.connect_timeout;
        let response = self.get(url, Some(timeout))?;
        let too_large = || HttpError::TooLarge {
            url: url.to_string(),
            limit,
        };
        if response.content_length().is_some_and(|n| n > limit) {
            return Err(too_large());
        }
        read_capped(response, limit)
            .map_err(|e| read_error(url, &e, timeout))?
            .ok_or_else(too_large)
    }

    /// One GET of `url` answered within `timeout`, for probes: the status
    /// once the answer's head and its first body bytes arrive (one read:
    /// a server that stalls after its headers does not pass). A `file://`
    /// URL answers 200 for a file or directory, 404 for nothing.
    pub fn first_byte(&self, url: &DisplaySafeUrl, timeout: Duration) -> Result<u16, HttpError> {
        if url.to_file_path().is_some_and(|path| path.is_dir()) {
            return Ok(200);
        }
        let mut response = match self.send(url, 0, Some(timeout)) {
            Ok(response) => response,
            Err(e) if e.is_not_found() => return Ok(404),
            Err(e) => return Err(e),
        };
        let mut first = [0u8; 1024];
        response
            .read(&mut first)
            .map_err(|e| read_error(url, &e, timeout))?;
        Ok(response.status)
    }
}

/// A body that broke off: no answer in time, or a transfer failure.
fn read_error(url: &DisplaySafeUrl, e: &io::Error, timeout: Duration) -> HttpError {
    let timed_out = e.kind() == io::ErrorKind::TimedOut
        || e.get_ref()
            .and_then(|inner| inner.downcast_ref::<reqwest::Error>())
            .is_some_and(reqwest::Error::is_timeout);
    if timed_out {
        HttpError::NoAnswer {
            url: url.to_string(),
            after: timeout,
        }
    } else {
        HttpError::Transport {
            url: url.to_string(),
            message: error_chain(e),
        }
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
    /// Who answered and whether credentials reached it (`None` for files).
    auth: Option<Auth>,
    body: Body,
}

struct Auth {
    host: String,
    /// Where the credentials sent came from.
    sent: Option<String>,
    netrc: String,
}

impl Response {
    fn local(url: &DisplaySafeUrl, path: PathBuf, offset: u64) -> Result<Response, HttpError> {
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
            auth: None,
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

    /// The error for this answer's (unwanted) status: a refusal (401, 403)
    /// says whether credentials were sent and where to put them.
    pub fn error(&self, url: &DisplaySafeUrl) -> HttpError {
        match (self.status, &self.auth) {
            (401 | 403, Some(auth)) => HttpError::Denied {
                url: url.to_string(),
                status: self.status,
                reason: match &auth.sent {
                    Some(origin) => format!(
                        "authentication failed for {} (credentials from {origin})",
                        auth.host
                    ),
                    None => format!(
                        "{host} requires authentication: add `machine {host} login USER password PASSWORD` to {}",
                        auth.netrc,
                        host = auth.host
                    ),
                },
            },
            (status, _) => HttpError::Status {
                url: url.to_string(),
                status,
                retry_after: self.retry_after,
            },
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_files_answer_like_a_server() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, b"0123456789").unwrap();
        let url = DisplaySafeUrl::from_path(&path).unwrap();
        let http = Http::for_tests();
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
        let asc = DisplaySafeUrl::from_path(&dir.path().join("f.asc")).unwrap();
        let missing = http.get(&asc, None).err().unwrap();
        assert!(missing.is_not_found(), "{missing}");
        assert!(!missing.is_unreachable());
    }

    #[test]
    fn user_agent_names_gvmr_and_version() {
        assert_eq!(USER_AGENT, format!("gvmr/{}", env!("CARGO_PKG_VERSION")));
    }
}
