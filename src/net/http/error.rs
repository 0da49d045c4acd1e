//! What can go wrong with a request, and what it means for the caller:
//! unreachable, not found, worth retrying.

use super::MAX_REDIRECTS;
use crate::net::retry::Retry;
use crate::net::url::DisplaySafeUrl;
use crate::ui::error_chain;
use std::io;
use std::time::Duration;

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

    /// A body that broke off: no answer in time, or a transfer failure.
    pub(super) fn body(url: &DisplaySafeUrl, e: &io::Error, timeout: Duration) -> HttpError {
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
}
