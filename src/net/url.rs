//! The one URL type: reqwest's [`Url`](reqwest::Url), wrapped so that it
//! cannot print a password. `Display`, `Debug` and `Serialize` show
//! `user:***@host`; the URL with its password is reached only through
//! [`DisplaySafeUrl::expose`], for the request itself (the approach of uv's
//! `uv-redacted`). Local paths become percent-encoded `file://` URLs and
//! back.

use serde::Serialize;
use std::fmt;
use std::path::{Path, PathBuf};

/// What replaces a password in every URL gvmr shows.
pub const REDACTED: &str = "***";

/// A parsed URL whose password is never shown.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct DisplaySafeUrl(reqwest::Url);

/// Text that is not a URL.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct UrlError(#[from] url::ParseError);

impl DisplaySafeUrl {
    pub fn parse(text: &str) -> Result<DisplaySafeUrl, UrlError> {
        Ok(DisplaySafeUrl(reqwest::Url::parse(text)?))
    }

    /// The `file://` URL of an absolute path, percent-encoded
    /// (`/srv/go mirror/` → `file:///srv/go%20mirror/`); a path ending in
    /// `/` keeps it. `None` for a relative path.
    pub fn from_path(path: &Path) -> Option<DisplaySafeUrl> {
        let directory = path.as_os_str().as_encoded_bytes().ends_with(b"/");
        let url = if directory {
            reqwest::Url::from_directory_path(path)
        } else {
            reqwest::Url::from_file_path(path)
        };
        url.ok().map(DisplaySafeUrl)
    }

    /// The local path of a `file://` URL (percent-escapes decoded); `None`
    /// for other URLs.
    pub fn to_file_path(&self) -> Option<PathBuf> {
        match self.0.scheme() {
            "file" => self.0.to_file_path().ok(),
            _ => None,
        }
    }

    /// `name` below this base URL, with exactly one slash between them
    /// (`https://x/go` and `https://x/go/` both give `https://x/go/NAME`).
    /// A query or fragment of the base is dropped.
    pub fn join(&self, name: &str) -> DisplaySafeUrl {
        let mut url = self.0.clone();
        let path = format!("{}/{name}", url.path().trim_end_matches('/'));
        url.set_path(&path);
        url.set_query(None);
        url.set_fragment(None);
        DisplaySafeUrl(url)
    }

    pub fn scheme(&self) -> &str {
        self.0.scheme()
    }

    pub fn host_str(&self) -> Option<&str> {
        self.0.host_str()
    }

    pub fn port_or_known_default(&self) -> Option<u16> {
        self.0.port_or_known_default()
    }

    /// The user name in the URL, percent-escapes decoded (empty when none).
    pub fn login(&self) -> String {
        decode(self.0.username())
    }

    /// The password in the URL, percent-escapes decoded; to send, never to
    /// show.
    pub fn password(&self) -> Option<String> {
        self.0.password().map(decode)
    }

    /// This URL without user name and password.
    pub fn without_credentials(&self) -> DisplaySafeUrl {
        let mut url = self.0.clone();
        // Only URLs without a host (`file:`, `data:`) refuse, and they
        // hold no credentials.
        let _ = url.set_username("");
        let _ = url.set_password(None);
        DisplaySafeUrl(url)
    }

    /// The URL with its password, for the request: the one explicit way to
    /// reach it.
    pub fn expose(&self) -> &reqwest::Url {
        &self.0
    }
}

fn decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

impl fmt::Display for DisplaySafeUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.password().is_none() {
            return f.write_str(self.0.as_str());
        }
        let mut shown = self.0.clone();
        shown
            .set_password(Some(REDACTED))
            .expect("a URL with a password takes another");
        f.write_str(shown.as_str())
    }
}

impl fmt::Debug for DisplaySafeUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DisplaySafeUrl({:?})", self.to_string())
    }
}

impl Serialize for DisplaySafeUrl {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// `text` (a setting, as the user wrote it) as it may be shown: as it is,
/// unless it holds a password. A URL with a password is shown with the
/// password hidden; text that does not parse as a URL has everything between
/// `scheme://` and the last `@` before the path hidden (it may be one).
pub fn shown(text: &str) -> String {
    if let Ok(url) = DisplaySafeUrl::parse(text) {
        return match url.password() {
            Some(_) => url.to_string(),
            None => text.to_string(),
        };
    }
    let Some((scheme, rest)) = text.split_once("://") else {
        return text.to_string();
    };
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    match authority.rfind('@') {
        Some(at) => format!("{scheme}://{REDACTED}{}", &rest[at..]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> DisplaySafeUrl {
        DisplaySafeUrl::parse(s).unwrap()
    }

    #[test]
    fn passwords_are_never_shown() {
        let secret = url("https://user:pw@host/x");
        assert_eq!(secret.to_string(), "https://user:***@host/x");
        assert_eq!(
            format!("{secret:?}"),
            "DisplaySafeUrl(\"https://user:***@host/x\")"
        );
        assert_eq!(
            serde_json::to_string(&secret).unwrap(),
            "\"https://user:***@host/x\""
        );
        assert_eq!(secret.expose().as_str(), "https://user:pw@host/x");
        assert_eq!(
            (secret.login(), secret.password().as_deref()),
            ("user".into(), Some("pw"))
        );
        assert_eq!(secret.without_credentials().to_string(), "https://host/x");
        assert_eq!(
            url("https://user@host/x").to_string(),
            "https://user@host/x"
        );
        assert_eq!(url("https://host/a@b").to_string(), "https://host/a@b");
        // Escapes are decoded for sending.
        let escaped = url("https://al%20ice:s%40cret@host/");
        assert_eq!(
            (escaped.login(), escaped.password().as_deref()),
            ("al ice".into(), Some("s@cret"))
        );
    }

    #[test]
    fn text_that_is_not_a_url_hides_what_may_be_a_password() {
        assert_eq!(shown("https://u:p:q@host"), "https://u:***@host/");
        assert_eq!(shown("https://u:pw@bad host/x"), "https://***@bad host/x");
        assert_eq!(shown("direct"), "direct");
        assert_eq!(shown("https://a.example"), "https://a.example");
        assert_eq!(shown("off"), "off");
    }

    #[test]
    fn paths_become_percent_encoded_file_urls_and_back() {
        let dir = DisplaySafeUrl::from_path(Path::new("/srv/go mirror/")).unwrap();
        assert_eq!(dir.to_string(), "file:///srv/go%20mirror/");
        let file = DisplaySafeUrl::from_path(Path::new("/a/b%c#d")).unwrap();
        assert_eq!(file.to_string(), "file:///a/b%25c%23d");
        assert_eq!(file.to_file_path(), Some(PathBuf::from("/a/b%c#d")));
        assert_eq!(DisplaySafeUrl::from_path(Path::new("relative")), None);
        assert_eq!(
            url("file:///a/b%20c").to_file_path(),
            Some(PathBuf::from("/a/b c"))
        );
        assert_eq!(
            url("file://localhost/a").to_file_path(),
            Some(PathBuf::from("/a"))
        );
        assert_eq!(url("https://x/a").to_file_path(), None);
    }

    #[test]
    fn joins_with_one_slash() {
        assert_eq!(
            url("https://x/go/").join("a.tgz").to_string(),
            "https://x/go/a.tgz"
        );
        assert_eq!(
            url("https://x/go").join("a.tgz").to_string(),
            "https://x/go/a.tgz"
        );
        assert_eq!(
            url("https://u:pw@x").join("m/@v/list").expose().as_str(),
            "https://u:pw@x/m/@v/list"
        );
        assert_eq!(
            url("file:///srv/go%20mirror/")
                .join("go1.tar.gz")
                .to_file_path(),
            Some(PathBuf::from("/srv/go mirror/go1.tar.gz"))
        );
    }
}
