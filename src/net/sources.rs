//! Where Go releases come from: the presets, and `GVMR_MIRROR` and
//! `GVMR_INDEX_URL` expanded into the archive base URLs and the release
//! listing URLs gvmr tries in order, each with where it came from.
//!
//! A `GVMR_MIRROR` entry is an `https://`, `http://` or `file://` URL, an
//! absolute path (made a `file://` URL) or a preset name; `GVMR_INDEX_URL`
//! entries are URLs or absolute paths. The presets chosen in `GVMR_MIRROR`
//! also decide the listing order when `GVMR_INDEX_URL` is unset. A password
//! in a URL becomes a [`Credential`] for its host (sent to that host only);
//! the URL shows it as `user:***@` ([`DisplaySafeUrl`]).
//!
//! Any mirror is safe to use: gvmr checks Google's signature end to end, so
//! a mirror can withhold a release but never forge one.

use super::credentials::Credential;
use super::url::{self, DisplaySafeUrl};
use serde::Serialize;
use std::fmt;
use std::path::Path;

/// go.dev's listing of every release.
pub const GO_DEV_LISTING: &str = "https://go.dev/dl/?mode=json&include=all";
/// The same listing from Google's site for mainland China.
pub const GOOGLE_CN_LISTING: &str = "https://golang.google.cn/dl/?mode=json&include=all";

/// A named set of sources.
#[derive(Debug)]
pub struct Preset {
    pub name: &'static str,
    pub aliases: &'static [&'static str],
    /// Archive base URLs, in order.
    pub archives: &'static [&'static str],
    /// Release listing URLs, in order.
    pub listings: &'static [&'static str],
}

/// Every preset; the first is the default.
pub const PRESETS: &[Preset] = &[
    Preset {
        name: "official",
        aliases: &[],
        archives: &["https://dl.google.com/go/"],
        listings: &[GO_DEV_LISTING, GOOGLE_CN_LISTING],
    },
    Preset {
        name: "china",
        aliases: &["cn"],
        archives: &[
            "https://mirrors.aliyun.com/golang/",
            "https://mirrors.ustc.edu.cn/golang/",
            "https://golang.google.cn/dl/",
        ],
        listings: &[GOOGLE_CN_LISTING, GO_DEV_LISTING],
    },
];

fn preset(name: &str) -> Option<&'static Preset> {
    let name = name.to_ascii_lowercase();
    PRESETS
        .iter()
        .find(|p| p.name == name || p.aliases.contains(&name.as_str()))
}

/// Where a source came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Nothing was set: the `official` preset.
    Default,
    /// A preset named in `GVMR_MIRROR`.
    Preset(&'static str),
    /// A URL or path in this variable.
    Env(&'static str),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Default => f.write_str("default"),
            Origin::Preset(name) => write!(f, "preset {name} (GVMR_MIRROR)"),
            Origin::Env(var) => f.write_str(var),
        }
    }
}

impl Serialize for Origin {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// One source: its URL and where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sourced {
    pub url: DisplaySafeUrl,
    pub origin: Origin,
}

/// The sources of this run, in the order they are tried.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    pub listings: Vec<Sourced>,
    pub archives: Vec<Sourced>,
    /// The passwords in the URLs, for their hosts.
    pub credentials: Vec<Credential>,
}

/// An entry gvmr cannot use; names the variable, the entry and what is
/// accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{var}: {entry:?} {problem}; use {accepted}")]
pub struct BadSource {
    var: &'static str,
    entry: String,
    problem: String,
    accepted: String,
}

const MIRROR: &str = "GVMR_MIRROR";
const INDEX: &str = "GVMR_INDEX_URL";

/// Expands `GVMR_MIRROR` and `GVMR_INDEX_URL` (each a comma-separated list;
/// `None` or blank when unset).
pub fn expand(mirror: Option<&str>, index: Option<&str>) -> Result<Sources, BadSource> {
    let mut sources = Sources::default();
    let mut chosen = Vec::new();
    for entry in entries(mirror) {
        match preset(entry) {
            Some(p) => {
                chosen.push(p);
                for url in p.archives {
                    push(
                        &mut sources.archives,
                        preset_url(url),
                        Origin::Preset(p.name),
                    );
                }
            }
            None => {
                let url = source_url(MIRROR, entry, &mut sources.credentials)?;
                push(&mut sources.archives, url, Origin::Env(MIRROR));
            }
        }
    }
    let index_entries = entries(index);
    if index_entries.is_empty() {
        let (presets, origin): (Vec<&Preset>, fn(&'static str) -> Origin) = if chosen.is_empty() {
            (vec![&PRESETS[0]], |_| Origin::Default)
        } else {
            (chosen, Origin::Preset)
        };
        for p in presets {
            for url in p.listings {
                push(&mut sources.listings, preset_url(url), origin(p.name));
            }
        }
    }
    for entry in index_entries {
        let url = source_url(INDEX, entry, &mut sources.credentials)?;
        push(&mut sources.listings, url, Origin::Env(INDEX));
    }
    if sources.archives.is_empty() {
        for url in PRESETS[0].archives {
            push(&mut sources.archives, preset_url(url), Origin::Default);
        }
    }
    Ok(sources)
}

/// A comma-separated list, blanks dropped.
fn entries(value: Option<&str>) -> Vec<&str> {
    value
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}

/// A preset's URL, parsed.
fn preset_url(url: &str) -> DisplaySafeUrl {
    DisplaySafeUrl::parse(url).expect("the presets' URLs are valid")
}

/// Adds `url` unless it is already there (the first occurrence counts).
fn push(list: &mut Vec<Sourced>, url: DisplaySafeUrl, origin: Origin) {
    if !list.iter().any(|s| s.url == url) {
        list.push(Sourced { url, origin });
    }
}

/// A URL or absolute path as the URL gvmr uses: paths become `file://`
/// URLs; a password also goes into `credentials`, for the URL's host.
fn source_url(
    var: &'static str,
    entry: &str,
    credentials: &mut Vec<Credential>,
) -> Result<DisplaySafeUrl, BadSource> {
    let accepted = if var == MIRROR {
        "https://, http:// or file:// URLs, absolute paths, or a preset (official, china or cn)"
    } else {
        "https://, http:// or file:// URLs, or absolute paths"
    };
    let bad = |problem: &str| BadSource {
        var,
        entry: url::shown(entry),
        problem: problem.to_string(),
        accepted: accepted.to_string(),
    };
    if entry.starts_with('/') {
        return Ok(DisplaySafeUrl::from_path(Path::new(entry)).expect("the path is absolute"));
    }
    let Some((scheme, _)) = entry.split_once("://") else {
        return Err(bad(if var == MIRROR {
            "is not a URL, an absolute path or a preset"
        } else {
            "is not a URL or an absolute path"
        }));
    };
    let scheme = scheme.to_ascii_lowercase();
    if !matches!(scheme.as_str(), "file" | "http" | "https") {
        return Err(bad(&format!("has the unsupported scheme {scheme}://")));
    }
    let url =
        DisplaySafeUrl::parse(entry).map_err(|e| bad(&format!("is not a valid URL ({e})")))?;
    if scheme == "file" {
        // `file://relative/x` names the host `relative`.
        return match url.host_str() {
            None => Ok(url),
            Some(_) => Err(bad(
                "is not a file:// URL of an absolute path (file:///dir/)",
            )),
        };
    }
    let Some(host) = url.host_str() else {
        return Err(bad("names no host"));
    };
    if let Some(password) = url.password() {
        credentials.push(Credential::new(host, &url.login(), &password, var));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each source as `URL (origin)`.
    fn urls(list: &[Sourced]) -> Vec<String> {
        list.iter()
            .map(|s| format!("{} ({})", s.url, s.origin))
            .collect()
    }

    #[test]
    fn nothing_set_is_the_official_preset() {
        let sources = expand(None, Some("  ")).unwrap();
        assert_eq!(
            urls(&sources.archives),
            ["https://dl.google.com/go/ (default)"]
        );
        assert_eq!(
            urls(&sources.listings),
            [
                format!("{GO_DEV_LISTING} (default)"),
                format!("{GOOGLE_CN_LISTING} (default)")
            ]
        );
    }

    #[test]
    fn china_expands_to_its_mirrors_and_lists_from_google_cn_first() {
        for name in ["china", "cn", "CN"] {
            let sources = expand(Some(name), None).unwrap();
            let preset = "(preset china (GVMR_MIRROR))";
            assert_eq!(
                urls(&sources.archives),
                [
                    format!("https://mirrors.aliyun.com/golang/ {preset}"),
                    format!("https://mirrors.ustc.edu.cn/golang/ {preset}"),
                    format!("https://golang.google.cn/dl/ {preset}"),
                ]
            );
            assert_eq!(
                urls(&sources.listings),
                [
                    format!("{GOOGLE_CN_LISTING} {preset}"),
                    format!("{GO_DEV_LISTING} {preset}")
                ]
            );
        }
    }

    #[test]
    fn entries_mix_and_keep_their_order() {
        let sources = expand(
            Some("https://go.corp.example/dl/, official,/srv/go mirror/,file:///m/,china,https://dl.google.com/go/"),
            None,
        )
        .unwrap();
        let archives: Vec<String> = sources.archives.iter().map(|s| s.url.to_string()).collect();
        assert_eq!(
            archives,
            [
                "https://go.corp.example/dl/",
                "https://dl.google.com/go/",
                "file:///srv/go%20mirror/",
                "file:///m/",
                "https://mirrors.aliyun.com/golang/",
                "https://mirrors.ustc.edu.cn/golang/",
                "https://golang.google.cn/dl/",
            ]
        );
        assert_eq!(sources.archives[0].origin, Origin::Env("GVMR_MIRROR"));
        assert_eq!(sources.archives[1].origin, Origin::Preset("official"));
        // Listings from the presets, in their order, without repeats.
        assert_eq!(
            urls(&sources.listings),
            [
                format!("{GO_DEV_LISTING} (preset official (GVMR_MIRROR))"),
                format!("{GOOGLE_CN_LISTING} (preset official (GVMR_MIRROR))"),
            ]
        );
        // Only URLs: the default listings.
        let sources = expand(Some("https://go.corp.example/dl/"), None).unwrap();
        assert_eq!(sources.listings[0].origin, Origin::Default);
    }

    #[test]
    fn index_urls_replace_the_listings() {
        let sources = expand(
            Some("china"),
            Some("https://a.example/l.json, /srv/listing.json"),
        )
        .unwrap();
        assert_eq!(
            urls(&sources.listings),
            [
                "https://a.example/l.json (GVMR_INDEX_URL)",
                "file:///srv/listing.json (GVMR_INDEX_URL)",
            ]
        );
    }

    #[test]
    fn bad_entries_are_usage_errors_naming_what_is_accepted() {
        let err = |mirror, index| expand(mirror, index).unwrap_err().to_string();
        assert_eq!(
            err(Some("offical"), None),
            "GVMR_MIRROR: \"offical\" is not a URL, an absolute path or a preset; use https://, http:// or file:// URLs, absolute paths, or a preset (official, china or cn)"
        );
        assert_eq!(
            err(Some("ftp://x.example/go/"), None),
            "GVMR_MIRROR: \"ftp://x.example/go/\" has the unsupported scheme ftp://; use https://, http:// or file:// URLs, absolute paths, or a preset (official, china or cn)"
        );
        assert!(err(Some("./mirror"), None).contains("\"./mirror\" is not a URL"));
        assert!(err(Some("file://relative/x"), None).contains("absolute path"));
        assert_eq!(
            err(None, Some("china")),
            "GVMR_INDEX_URL: \"china\" is not a URL or an absolute path; use https://, http:// or file:// URLs, or absolute paths"
        );
        assert!(err(Some("https://"), None).contains("is not a valid URL"));
        for secret in ["gopher://u:s3cret@h/", "https://u:s3cret@bad host/"] {
            let message = err(Some(secret), None);
            assert!(!message.contains("s3cret"), "{message}");
        }
    }

    #[test]
    fn passwords_stay_in_the_url_unshown_and_become_credentials_for_its_host() {
        let sources = expand(
            Some("https://alice:s%40cret@Go.Corp.example/dl/"),
            Some("http://bob:pw@h.example:8080/l"),
        )
        .unwrap();
        assert_eq!(
            sources.archives[0].url.to_string(),
            "https://alice:***@go.corp.example/dl/"
        );
        assert_eq!(
            sources.listings[0].url.to_string(),
            "http://bob:***@h.example:8080/l"
        );
        let creds: Vec<_> = sources
            .credentials
            .iter()
            .map(|c| {
                (
                    c.host.clone().unwrap(),
                    c.login.clone(),
                    c.password().to_string(),
                    c.origin.clone(),
                )
            })
            .collect();
        assert_eq!(
            creds,
            [
                (
                    "go.corp.example".into(),
                    "alice".into(),
                    "s@cret".into(),
                    "GVMR_MIRROR".into()
                ),
                (
                    "h.example".into(),
                    "bob".into(),
                    "pw".into(),
                    "GVMR_INDEX_URL".into()
                ),
            ]
        );
    }
}
