//! A response, from a server or from a `file://` URL answering as a server
//! would, and the error for a status the caller did not want (a refusal
//! says whether credentials were sent and where to put them).

use super::HttpError;
use crate::net::retry::parse_retry_after;
use crate::net::url::DisplaySafeUrl;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

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

pub(super) struct Auth {
    pub host: String,
    /// Where the credentials sent came from.
    pub sent: Option<String>,
    pub netrc: String,
}

impl Response {
    /// A server's answer; `auth`: who answered, and whether credentials
    /// reached it.
    pub(super) fn remote(response: reqwest::blocking::Response, auth: Auth) -> Response {
        Response {
            status: response.status().as_u16(),
            content_length: response.content_length(),
            content_range: header(&response, "content-range"),
            retry_after: header(&response, "retry-after")
                .and_then(|v| parse_retry_after(&v, SystemTime::now())),
            auth: Some(auth),
            body: Body::Remote(response),
        }
    }

    pub(super) fn local(
        url: &DisplaySafeUrl,
        path: PathBuf,
        offset: u64,
    ) -> Result<Response, HttpError> {
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

fn header(response: &reqwest::blocking::Response, name: &str) -> Option<String> {
    Some(response.headers().get(name)?.to_str().ok()?.to_string())
}
