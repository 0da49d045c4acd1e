//! The one way gvmr and the shims read environment variables: through an
//! [`Environment`] handed down from `main`, never `std::env` directly, so
//! every reader can be given any environment in tests (as rustup's
//! `Process` does) and every variable is read by the same rules:
//!
//! - gvmr's own variables (`GVMR_*`, `NETRC`, XDG directories): unset, empty
//!   and blank are all "not set" ([`Environment::setting`]);
//! - Go's variables (`GOPROXY`, `GOWORK`, …): only unset and empty are "not
//!   set", as the go command reads them ([`Environment::go_value`]); a
//!   value of blanks is a value.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::PathBuf;

/// Where variables come from: this process, or a fixed set (tests).
#[derive(Debug, Clone, Default)]
pub enum Environment {
    #[default]
    Process,
    Fixed(BTreeMap<String, OsString>),
}

impl Environment {
    /// A fixed environment holding exactly `vars`.
    pub fn fixed<K: Into<String>, V: Into<OsString>>(
        vars: impl IntoIterator<Item = (K, V)>,
    ) -> Environment {
        Environment::Fixed(
            vars.into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        )
    }

    /// The raw value, as the operating system holds it.
    pub fn var_os(&self, name: &str) -> Option<OsString> {
        match self {
            Environment::Process => std::env::var_os(name),
            Environment::Fixed(vars) => vars.get(name).cloned(),
        }
    }

    /// A gvmr setting: `None` when unset, empty or only blanks (or not
    /// UTF-8, which no gvmr setting can be).
    pub fn setting(&self, name: &str) -> Option<String> {
        self.var_os(name)
            .and_then(|v| v.into_string().ok())
            .filter(|v| !v.trim().is_empty())
    }

    /// A path setting (`GVMR_HOME`, `NETRC`, `HOME`…): `None` when unset or
    /// empty. Paths need not be UTF-8.
    pub fn path(&self, name: &str) -> Option<PathBuf> {
        self.var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    }

    /// An absolute path setting; relative values are ignored, as the XDG
    /// base directory specification says of `XDG_*` variables.
    pub fn absolute_path(&self, name: &str) -> Option<PathBuf> {
        self.path(name).filter(|p| p.is_absolute())
    }

    /// A Go variable as the go command reads it from the environment:
    /// `None` when unset or empty; blanks are kept.
    pub fn go_value(&self, name: &str) -> Option<String> {
        self.var_os(name)
            .map(|v| v.to_string_lossy().into_owned())
            .filter(|v| !v.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gvmr_settings_treat_blanks_as_unset_and_go_values_keep_them() {
        let env = Environment::fixed([("A", " "), ("B", ""), ("C", " x ")]);
        assert_eq!(env.setting("A"), None);
        assert_eq!(env.setting("B"), None);
        assert_eq!(env.setting("C").as_deref(), Some(" x "));
        assert_eq!(env.setting("D"), None);
        assert_eq!(env.go_value("A").as_deref(), Some(" "));
        assert_eq!(env.go_value("B"), None);
        assert_eq!(env.path("B"), None);
        assert_eq!(env.path("A"), Some(PathBuf::from(" ")));
        assert_eq!(env.absolute_path("A"), None);
    }
}
