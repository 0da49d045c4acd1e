//! Fetching from Go module proxies, with `GOPROXY`'s list semantics.
//!
//! `GOPROXY` is a list of proxy URLs separated by `,` (try the next one only
//! when this one answers 404 or 410) or `|` (try the next one after any
//! error), plus two keywords: `direct` (fetching from the origin, which Go
//! toolchains never come from: a "not here" failure) and `off` (stop with an
//! error). A URL may be `file:///dir`, a directory laid out as a proxy.
//! Unset or empty means `https://proxy.golang.org,direct`, as for Go.

use crate::http::{Http, HttpError, join_url};
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

pub const DEFAULT_GOPROXY: &str = "https://proxy.golang.org,direct";

/// One entry of the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    Url(String),
    Direct,
    Off,
}

/// The list, each entry with what its following separator allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxyList {
    /// (entry, fall through to the next on any error (`|`) rather than only
    /// on "not found" (`,`)).
    entries: Vec<(Entry, bool)>,
    /// The setting as given, for messages.
    pub setting: String,
}

/// Why one proxy did not deliver.
#[derive(Debug)]
pub enum Failure {
    /// The proxy answered that it does not have it (404/410, no such file).
    NotFound(String),
    /// Anything else: network, server error, damaged response.
    Other(String),
}

impl Failure {
    fn message(&self) -> &str {
        match self {
            Failure::NotFound(m) | Failure::Other(m) => m,
        }
    }

    pub fn from_http(e: HttpError) -> Failure {
        if e.is_not_found() {
            Failure::NotFound(e.to_string())
        } else {
            Failure::Other(e.to_string())
        }
    }
}

/// Every proxy failed (or the list stopped): what each said.
#[derive(Debug, Clone)]
pub struct ProxyError {
    pub setting: String,
    pub failures: Vec<String>,
    /// True when every proxy tried said "not found" and the list ended.
    pub not_found: bool,
}

impl ProxyList {
    /// From `GOPROXY`, or Go's default when it is unset or empty.
    pub fn from_env() -> Result<ProxyList, String> {
        let setting = std::env::var("GOPROXY").unwrap_or_default();
        let setting = if setting.trim().is_empty() {
            DEFAULT_GOPROXY.to_string()
        } else {
            setting
        };
        ProxyList::parse(&setting)
    }

    /// The entries, in order.
    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter().map(|(entry, _)| entry)
    }

    pub fn parse(setting: &str) -> Result<ProxyList, String> {
        let mut entries = Vec::new();
        let mut rest = setting;
        while !rest.is_empty() {
            let (item, any_error, tail) = match rest.find([',', '|']) {
                Some(at) => (&rest[..at], rest.as_bytes()[at] == b'|', &rest[at + 1..]),
                None => (rest, false, ""),
            };
            rest = tail;
            let item = item.trim();
            let entry = match item {
                "" => continue,
                "off" => Entry::Off,
                "direct" => Entry::Direct,
                // Go's keyword for "no proxy for this": nothing to try.
                "noproxy" => continue,
                url if url.contains("://") => Entry::Url(url.to_string()),
                // Go assumes https:// for a URL without a scheme.
                host => Entry::Url(format!("https://{host}")),
            };
            if let Entry::Url(url) = &entry
                && !(url.starts_with("https://")
                    || url.starts_with("http://")
                    || url.starts_with("file://"))
            {
                return Err(format!(
                    "GOPROXY={setting}: {url} is not an https://, http:// or file:// URL"
                ));
            }
            entries.push((entry, any_error));
        }
        if entries.is_empty() {
            return Err(format!("GOPROXY={setting} lists no proxy"));
        }
        Ok(ProxyList {
            entries,
            setting: setting.to_string(),
        })
    }

    /// Runs `fetch(url)` for the URL of `path` on each proxy in turn, as the
    /// separators allow, until one delivers.
    pub fn first<T>(
        &self,
        path: &str,
        mut fetch: impl FnMut(&str) -> Result<T, Failure>,
    ) -> Result<T, ProxyError> {
        let mut failures = Vec::new();
        let mut not_found = true;
        for (entry, any_error) in &self.entries {
            let failure = match entry {
                Entry::Off => {
                    failures.push("off: module downloads are disabled by GOPROXY=off".into());
                    not_found = false;
                    break;
                }
                // Go toolchains come only from proxies: "not here".
                Entry::Direct => {
                    Failure::NotFound("direct: toolchains come only from proxies".into())
                }
                Entry::Url(base) => match fetch(&join_url(base, path)) {
                    Ok(value) => return Ok(value),
                    Err(failure) => failure,
                },
            };
            failures.push(failure.message().to_string());
            match failure {
                Failure::NotFound(_) => {}
                Failure::Other(_) if *any_error => not_found = false,
                Failure::Other(_) => {
                    not_found = false;
                    break;
                }
            }
        }
        Err(ProxyError {
            setting: self.setting.clone(),
            failures,
            not_found,
        })
    }
}

/// A local path for a `file://` URL, `None` for other URLs.
pub fn file_url_path(url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix("file://")?;
    // file:///dir and file://localhost/dir
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

fn io_failure(path: &Path, e: io::Error) -> Failure {
    let message = format!("{}: {e}", path.display());
    if e.kind() == io::ErrorKind::NotFound {
        Failure::NotFound(message)
    } else {
        Failure::Other(message)
    }
}

/// A small file (a version list) from `url`, whole, at most `limit` bytes.
pub fn get_small(http: &Http, url: &str, limit: u64) -> Result<Vec<u8>, Failure> {
    match file_url_path(url) {
        Some(path) => {
            let mut bytes = Vec::new();
            File::open(&path)
                .and_then(|f| f.take(limit + 1).read_to_end(&mut bytes))
                .map_err(|e| io_failure(&path, e))?;
            if bytes.len() as u64 > limit {
                return Err(Failure::Other(format!(
                    "{}: larger than {limit} bytes",
                    path.display()
                )));
            }
            Ok(bytes)
        }
        None => http.get_small(url, limit).map_err(Failure::from_http),
    }
}

/// Opens `url` for reading, with its size when known.
pub fn open(http: &Http, url: &str) -> Result<(Box<dyn Read>, Option<u64>), Failure> {
    match file_url_path(url) {
        Some(path) => {
            let file = File::open(&path).map_err(|e| io_failure(&path, e))?;
            let size = file.metadata().ok().map(|m| m.len());
            Ok((Box::new(file), size))
        }
        None => {
            let response = http.get(url).map_err(Failure::from_http)?;
            let size = response.content_length();
            Ok((Box::new(response), size))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(s: &str) -> ProxyList {
        ProxyList::parse(s).unwrap()
    }

    fn run(
        setting: &str,
        answers: &[Result<&str, Failure>],
    ) -> (Result<String, ProxyError>, usize) {
        let mut asked = 0;
        let result = list(setting).first("x", |_| {
            let answer = match &answers[asked] {
                Ok(v) => Ok(v.to_string()),
                Err(Failure::NotFound(m)) => Err(Failure::NotFound(m.clone())),
                Err(Failure::Other(m)) => Err(Failure::Other(m.clone())),
            };
            asked += 1;
            answer
        });
        (result, asked)
    }

    #[test]
    fn parses_separators_and_keywords() {
        let l = list("https://a, b.example |file:///m,direct,off");
        assert_eq!(
            l.entries,
            vec![
                (Entry::Url("https://a".into()), false),
                (Entry::Url("https://b.example".into()), true),
                (Entry::Url("file:///m".into()), false),
                (Entry::Direct, false),
                (Entry::Off, false),
            ]
        );
        assert!(ProxyList::parse(" , ").is_err());
        assert!(ProxyList::parse("ftp://x").is_err());
    }

    #[test]
    fn comma_falls_through_on_not_found_only() {
        let (r, asked) = run(
            "http://a,http://b",
            &[Err(Failure::NotFound("404".into())), Ok("b")],
        );
        assert_eq!((r.unwrap(), asked), ("b".into(), 2));
        let (r, asked) = run(
            "http://a,http://b",
            &[Err(Failure::Other("500".into())), Ok("b")],
        );
        let e = r.unwrap_err();
        assert_eq!((asked, e.not_found), (1, false));
    }

    #[test]
    fn pipe_falls_through_on_any_error() {
        let (r, asked) = run(
            "http://a|http://b",
            &[Err(Failure::Other("500".into())), Ok("b")],
        );
        assert_eq!((r.unwrap(), asked), ("b".into(), 2));
    }

    #[test]
    fn off_stops_and_direct_is_never_a_source() {
        let (r, asked) = run("off,http://b", &[Ok("b")]);
        assert_eq!(asked, 0);
        assert!(r.unwrap_err().failures[0].contains("GOPROXY=off"));
        let (r, asked) = run("direct,http://b", &[Ok("b")]);
        assert_eq!((r.unwrap(), asked), ("b".into(), 1));
        let (r, _) = run("http://a,direct", &[Err(Failure::NotFound("404".into()))]);
        let e = r.unwrap_err();
        assert!(e.not_found);
        assert_eq!(e.failures.len(), 2);
    }

    #[test]
    fn file_urls_map_to_paths() {
        assert_eq!(
            file_url_path("file:///srv/m%20x/a"),
            Some("/srv/m x/a".into())
        );
        assert_eq!(file_url_path("file://localhost/srv"), Some("/srv".into()));
        assert_eq!(file_url_path("https://x/"), None);
    }
}
