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
//!
//! [`error`] says what a failed request means; [`response`] reads an
//! answer (or a local file) and judges its status.

mod error;
mod response;

pub use error::HttpError;
pub use response::Response;

use crate::files::read_capped;
use crate::net::credentials::{Credential, Credentials};
use crate::net::retry::RetryPolicy;
use crate::net::url::DisplaySafeUrl;
use crate::ui::{Ui, error_chain};
use response::Auth;
use std::io::Read;
use std::sync::Arc;
use std::time::Duration;

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
        match response.status() {
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

    /// Whether the server has the file at `url`, asked with a HEAD request
    /// (nothing is downloaded) answered within `timeout`: `Ok(false)` when
    /// it says it does not (404, 410; for `file://`, no such file), an
    /// error when it says nothing about the file.
    pub fn has(&self, url: &DisplaySafeUrl, timeout: Duration) -> Result<bool, HttpError> {
        let response = match self.request(reqwest::Method::HEAD, url, 0, Some(timeout)) {
            Ok(response) => response,
            Err(e) if e.is_not_found() => return Ok(false),
            Err(e) => return Err(e),
        };
        match response.status() {
            200..=299 => Ok(true),
            _ => match response.error(url) {
                e if e.is_not_found() => Ok(false),
                e => Err(e),
            },
        }
    }

    /// One GET; `timeout` (else the read timeout) bounds the wait for the
    /// answer and for each read of the body.
    fn send(
        &self,
        url: &DisplaySafeUrl,
        offset: u64,
        timeout: Option<Duration>,
    ) -> Result<Response, HttpError> {
        self.request(reqwest::Method::GET, url, offset, timeout)
    }

    fn request(
        &self,
        method: reqwest::Method,
        url: &DisplaySafeUrl,
        offset: u64,
        timeout: Option<Duration>,
    ) -> Result<Response, HttpError> {
        if let Some(path) = url.to_file_path() {
            return Response::local(url, path, offset);
        }
        let (target, credential) = self.authorize(url);
        let mut request = self.client.request(method, target);
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
        let auth = Auth {
            host: answered_by,
            sent,
            netrc: self.credentials.netrc_name.clone(),
        };
        Ok(Response::remote(response, auth))
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
            .map_err(|e| HttpError::body(url, &e, timeout))?
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
            .map_err(|e| HttpError::body(url, &e, timeout))?;
        Ok(response.status())
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
