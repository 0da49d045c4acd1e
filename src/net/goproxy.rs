//! Fetching from Go module proxies, with `GOPROXY`'s list semantics.
//!
//! `GOPROXY` is a list of proxy URLs separated by `,` (try the next one only
//! when this one answers 404 or 410) or `|` (try the next one after any
//! error), plus two keywords: `direct` (fetching from the origin, which Go
//! toolchains never come from: a "not here" failure) and `off` (stop with an
//! error). A URL may be `file:///dir`, a directory laid out as a proxy.
//! The setting itself is read as `go env` reads it
//! ([`gvmr_shim::go_env`]); an empty one lists no proxy, as for Go.

use crate::net::http::HttpError;
use crate::net::url::{self, DisplaySafeUrl};

/// One entry of the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    Url(DisplaySafeUrl),
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

/// A `GOPROXY` gvmr cannot use (shown with its passwords hidden).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GoproxyError {
    #[error("GOPROXY={setting}: {entry} is not an https://, http:// or file:// URL")]
    NotAUrl { setting: String, entry: String },
    #[error("GOPROXY={setting} lists no proxy")]
    Empty { setting: String },
}

/// Every proxy failed (or the list stopped): what each said.
#[derive(Debug, Clone)]
pub struct ProxyError {
    pub setting: String,
    pub failures: Vec<String>,
    /// True when every proxy tried said "not found" and the list ended.
    pub not_found: bool,
}

/// A GOPROXY-style list as messages show it: each URL's password hidden.
pub fn redact_list(setting: &str) -> String {
    setting
        .split_inclusive([',', '|'])
        .map(|item| match item.strip_suffix([',', '|']) {
            Some(entry) => format!("{}{}", url::shown(entry), &item[entry.len()..]),
            None => url::shown(item),
        })
        .collect()
}

impl ProxyList {
    /// The entries, in order.
    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter().map(|(entry, _)| entry)
    }

    pub fn parse(setting: &str) -> Result<ProxyList, GoproxyError> {
        let mut entries = Vec::new();
        let mut rest = setting;
        // Messages show the setting with each URL's password hidden.
        let shown = redact_list(setting);
        while !rest.is_empty() {
            let (item, any_error, tail) = match rest.find([',', '|']) {
                Some(at) => (&rest[..at], rest.as_bytes()[at] == b'|', &rest[at + 1..]),
                None => (rest, false, ""),
            };
            rest = tail;
            let item = item.trim();
            let text = match item {
                "" => continue,
                "off" => {
                    entries.push((Entry::Off, any_error));
                    continue;
                }
                "direct" => {
                    entries.push((Entry::Direct, any_error));
                    continue;
                }
                // Go's keyword for "no proxy for this": nothing to try.
                "noproxy" => continue,
                url if url.contains("://") => url.to_string(),
                // Go assumes https:// for a URL without a scheme.
                host => format!("https://{host}"),
            };
            match DisplaySafeUrl::parse(&text) {
                Ok(url) if matches!(url.scheme(), "https" | "http" | "file") => {
                    entries.push((Entry::Url(url), any_error));
                }
                _ => {
                    return Err(GoproxyError::NotAUrl {
                        setting: shown,
                        entry: url::shown(&text),
                    });
                }
            }
        }
        if entries.is_empty() {
            return Err(GoproxyError::Empty { setting: shown });
        }
        Ok(ProxyList {
            entries,
            setting: shown,
        })
    }

    /// Runs `fetch(url)` for the URL of `path` on each proxy in turn, as the
    /// separators allow, until one delivers.
    pub fn first<T>(
        &self,
        path: &str,
        mut fetch: impl FnMut(&DisplaySafeUrl) -> Result<T, Failure>,
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
                Entry::Url(base) => match fetch(&base.join(path)) {
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
    fn messages_never_show_a_password() {
        let list = list("https://u:secret@a.example/,direct|http://b.example");
        assert_eq!(
            list.setting,
            "https://u:***@a.example/,direct|http://b.example"
        );
        let err = ProxyList::parse("https://u:secret@a.example/,ftp://v:secret@c").unwrap_err();
        assert!(!err.to_string().contains("secret"), "{err}");
    }

    #[test]
    fn parses_separators_and_keywords() {
        let l = list("https://a, b.example |file:///m,direct,off");
        let url = |s: &str| Entry::Url(DisplaySafeUrl::parse(s).unwrap());
        assert_eq!(
            l.entries,
            vec![
                (url("https://a/"), false),
                (url("https://b.example/"), true),
                (url("file:///m"), false),
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
}
