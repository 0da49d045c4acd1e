//! The one HTTP client gvmr uses: a `User-Agent` naming gvmr, connect and
//! read timeouts, proxies from `HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY`, TLS
//! roots from the operating system (so TLS-intercepting corporate proxies
//! work).

use std::io::Read;
use std::time::Duration;

pub const USER_AGENT: &str = concat!("gvmr/", env!("CARGO_PKG_VERSION"));

const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);
/// How long a read may wait for the next bytes before the transfer is
/// abandoned; `GVMR_HTTP_TIMEOUT` (seconds) overrides it.
const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(30);
/// Redirects followed before a request is abandoned.
pub const MAX_REDIRECTS: usize = 10;

#[derive(Clone)]
pub struct Http {
    client: reqwest::blocking::Client,
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum HttpError {
    #[error("{url}: {message}")]
    Transport { url: String, message: String },
    #[error("{url}: HTTP {status}")]
    Status { url: String, status: u16 },
    #[error("{url}: the response is larger than {limit} bytes")]
    TooLarge { url: String, limit: u64 },
    #[error("{url}: more than {MAX_REDIRECTS} redirects (a redirect loop?)")]
    TooManyRedirects { url: String },
}

impl HttpError {
    /// True when no answer about the file came back: the transfer failed or
    /// the server reported its own failure (5xx). Retrying later may work.
    pub fn is_unreachable(&self) -> bool {
        match self {
            HttpError::Transport { .. } => true,
            HttpError::Status { status, .. } => *status >= 500,
            HttpError::TooLarge { .. } => false,
            HttpError::TooManyRedirects { .. } => true,
        }
    }

    /// True when the server answered that the file does not exist.
    pub fn is_not_found(&self) -> bool {
        matches!(
            self,
            HttpError::Status {
                status: 404 | 410,
                ..
            }
        )
    }
}

/// The message of an error and of every error that caused it.
pub fn error_chain(err: &dyn std::error::Error) -> String {
    let mut message = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        source = cause.source();
    }
    message
}

fn read_timeout() -> Duration {
    std::env::var("GVMR_HTTP_TIMEOUT")
        .ok()
        .and_then(|s| s.trim().parse::<f64>().ok())
        .filter(|s| *s > 0.0 && s.is_finite())
        .map(Duration::from_secs_f64)
        .unwrap_or(DEFAULT_READ_TIMEOUT)
}

impl Http {
    pub fn new() -> Http {
        // reqwest is built without a default crypto provider; ring is the one
        // that compiles without system libraries or cmake.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::blocking::Client::builder()
            .user_agent(USER_AGENT)
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(read_timeout())
            .redirect(reqwest::redirect::Policy::limited(MAX_REDIRECTS))
            .build()
            .expect("the HTTP client configuration is valid");
        Http { client }
    }

    /// Starts a GET and checks the status; the body is read by the caller.
    pub fn get(&self, url: &str) -> Result<Response, HttpError> {
        let response = self.get_from(url, 0)?;
        let status = response.status();
        if !(200..300).contains(&status) {
            return Err(HttpError::Status {
                url: url.to_string(),
                status,
            });
        }
        Ok(response)
    }

    /// Starts a GET asking for the bytes from `offset` on (`Range: bytes=N-`)
    /// when `offset` is not 0. Any status is returned: the caller judges it.
    pub fn get_from(&self, url: &str, offset: u64) -> Result<Response, HttpError> {
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
        Ok(Response { inner: response })
    }

    /// Fetches a small file whole, refusing anything larger than `limit`.
    pub fn get_small(&self, url: &str, limit: u64) -> Result<Vec<u8>, HttpError> {
        let response = self.get(url)?;
        if response.content_length().is_some_and(|n| n > limit) {
            return Err(HttpError::TooLarge {
                url: url.to_string(),
                limit,
            });
        }
        let mut body = Vec::new();
        let mut limited = response.take(limit + 1);
        limited
            .read_to_end(&mut body)
            .map_err(|e| HttpError::Transport {
                url: url.to_string(),
                message: error_chain(&e),
            })?;
        if body.len() as u64 > limit {
            return Err(HttpError::TooLarge {
                url: url.to_string(),
                limit,
            });
        }
        Ok(body)
    }
}

/// A response (from [`Http::get`], one whose status was a success); read it
/// for the body.
pub struct Response {
    inner: reqwest::blocking::Response,
}

impl Response {
    pub fn content_length(&self) -> Option<u64> {
        self.inner.content_length()
    }

    pub fn status(&self) -> u16 {
        self.inner.status().as_u16()
    }

    /// A header's value, when present and readable as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.inner.headers().get(name)?.to_str().ok()
    }
}

impl Read for Response {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.inner.read(buf)
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
    fn user_agent_names_gvmr_and_version() {
        assert_eq!(USER_AGENT, format!("gvmr/{}", env!("CARGO_PKG_VERSION")));
    }
}
