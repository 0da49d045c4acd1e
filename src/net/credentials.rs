//! Credentials for private mirrors, matched by host: a password given in a
//! URL of `GVMR_MIRROR`/`GVMR_INDEX_URL` (moved out of the URL, which keeps
//! `user:***@` for display), else the `.netrc` entry for the host, else its
//! `default` entry. [`crate::net::http::Http`] sends them as HTTP Basic auth
//! to that host only; no message ever shows a password.

use super::netrc::{self, NetrcEntry};
use super::url::{DisplaySafeUrl, REDACTED};
use std::path::Path;

/// A login and password for one host (`None`: every host, netrc `default`).
#[derive(Clone, PartialEq, Eq)]
pub struct Credential {
    pub host: Option<String>,
    pub login: String,
    password: String,
    /// Where it came from, for messages: `~/.netrc`, `GVMR_MIRROR`.
    pub origin: String,
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credential")
            .field("host", &self.host)
            .field("login", &self.login)
            .field("password", &REDACTED)
            .field("origin", &self.origin)
            .finish()
    }
}

impl Credential {
    pub fn new(host: &str, login: &str, password: &str, origin: &str) -> Credential {
        Credential {
            host: Some(host.to_ascii_lowercase()),
            login: login.to_string(),
            password: password.to_string(),
            origin: origin.to_string(),
        }
    }

    pub fn password(&self) -> &str {
        &self.password
    }

    fn matches(&self, host: &str, login: &str) -> bool {
        self.host
            .as_deref()
            .is_none_or(|h| h.eq_ignore_ascii_case(host))
            && (login.is_empty() || login == self.login)
    }
}

/// Every credential of this run, and the netrc file named in advice.
#[derive(Debug, Clone, Default)]
pub struct Credentials {
    /// From URLs first (they win), then the netrc file's, in its order.
    entries: Vec<Credential>,
    /// `~/.netrc` or the `NETRC` file, as shown in messages.
    pub netrc_name: String,
}

impl Credentials {
    /// `from_urls` (moved out of URLs) and the entries of the netrc file
    /// `netrc_text` (named `netrc_name` in messages).
    pub fn new(
        from_urls: Vec<Credential>,
        netrc_text: Option<&str>,
        netrc_name: &str,
    ) -> Credentials {
        let mut entries = from_urls;
        let from_file = netrc_text.map(netrc::parse).unwrap_or_default();
        // Host entries before `default`, whatever the file's order.
        let (hosts, defaults): (Vec<NetrcEntry>, Vec<NetrcEntry>) =
            from_file.into_iter().partition(|e| e.machine.is_some());
        entries.extend(hosts.into_iter().chain(defaults).map(|e| Credential {
            host: e.machine.map(|m| m.to_ascii_lowercase()),
            login: e.login,
            password: e.password,
            origin: netrc_name.to_string(),
        }));
        Credentials {
            entries,
            netrc_name: netrc_name.to_string(),
        }
    }

    /// Reads the netrc file at `path` (a missing file means none) and shows
    /// it as `name`; an unreadable one is an error for the caller to report.
    pub fn load(
        from_urls: Vec<Credential>,
        path: Option<&Path>,
        name: &str,
    ) -> Result<Credentials, std::io::Error> {
        let text = match path.map(std::fs::read_to_string) {
            Some(Ok(text)) => Some(text),
            Some(Err(e)) if e.kind() == std::io::ErrorKind::NotFound => None,
            Some(Err(e)) => return Err(e),
            None => None,
        };
        Ok(Credentials::new(from_urls, text.as_deref(), name))
    }

    /// The credential for `host` when the URL names `login` (empty: any).
    pub fn find(&self, host: &str, login: &str) -> Option<&Credential> {
        self.entries.iter().find(|c| c.matches(host, login))
    }

    /// The credential for `url`'s host and the login it names, if any.
    pub fn for_url(&self, url: &DisplaySafeUrl) -> Option<&Credential> {
        self.find(url.host_str()?, &url.login())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_win_then_hosts_then_default() {
        let netrc = "default login anon password guest\n\
                     machine Go.Corp.Example login alice password fromfile\n";
        let creds = Credentials::new(
            vec![Credential::new(
                "url.example",
                "bob",
                "fromurl",
                "GVMR_MIRROR",
            )],
            Some(netrc),
            "~/.netrc",
        );
        let found = |host, login| {
            creds
                .find(host, login)
                .map(|c| (c.login.clone(), c.password().to_string(), c.origin.clone()))
        };
        assert_eq!(
            found("url.example", ""),
            Some(("bob".into(), "fromurl".into(), "GVMR_MIRROR".into()))
        );
        assert_eq!(
            found("go.corp.example", ""),
            Some(("alice".into(), "fromfile".into(), "~/.netrc".into()))
        );
        assert_eq!(found("go.corp.example", "alice").unwrap().1, "fromfile");
        assert_eq!(found("elsewhere.example", "").unwrap().0, "anon");
        assert_eq!(found("go.corp.example", "carol"), None);
        let none = Credentials::new(Vec::new(), None, "~/.netrc");
        assert!(none.find("go.corp.example", "").is_none());
    }

    #[test]
    fn a_missing_netrc_is_no_credentials() {
        let dir = tempfile::tempdir().unwrap();
        let creds = Credentials::load(Vec::new(), Some(&dir.path().join("none")), "x").unwrap();
        assert!(creds.find("h", "").is_none());
        assert!(Credentials::load(Vec::new(), Some(dir.path()), "x").is_err());
    }

    #[test]
    fn debug_hides_passwords() {
        let creds = Credentials::new(
            vec![Credential::new("h", "u", "s3cret", "GVMR_MIRROR")],
            Some("machine m login l password p4ss"),
            "n",
        );
        let text = format!("{creds:?}");
        assert!(!text.contains("s3cret") && !text.contains("p4ss"), "{text}");
    }
}
