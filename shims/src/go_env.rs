//! Go's own settings (`GOPROXY`, `GOSUMDB`, `GOTOOLCHAIN`, `GOWORK`, …), with
//! the value `go env` would report and where it came from. The go command
//! reads, in order:
//!
//! 1. the environment, where an empty value counts as unset;
//! 2. the go env file that `go env -w` writes: `$GOENV`, else
//!    `os.UserConfigDir()/go/env` (`$XDG_CONFIG_HOME/go/env`, else
//!    `~/.config/go/env`); `GOENV=off` turns it off;
//! 3. the toolchain's `$GOROOT/go.env` (which ships `GOPROXY`, `GOSUMDB` and
//!    `GOTOOLCHAIN=auto`); where no toolchain is involved (a proxy install),
//!    those shipped values are gvmr's defaults;
//! 4. Go's built-in fallbacks for an empty value: `GOPATH` is `~/go`,
//!    `GONOPROXY`/`GONOSUMDB` are `GOPRIVATE`, and from go1.27 `GOBIN` is
//!    the first `GOPATH` entry's `bin`.
//!
//! Both files are read as the go command reads them: `KEY=value` lines whose
//! key starts with an upper-case letter, nothing trimmed, the last line for
//! a key wins; everything else is ignored. `tests/it/go_env.rs` checks every
//! rule against the real `go env -json` of two releases.

use crate::env::Environment;
use crate::version::GoVersion;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The Go variables gvmr acts on, in the order reports list them.
pub const VARIABLES: [&str; 11] = [
    "GOPROXY",
    "GOSUMDB",
    "GOPRIVATE",
    "GONOPROXY",
    "GONOSUMDB",
    "GOINSECURE",
    "GOFLAGS",
    "GOTOOLCHAIN",
    "GOPATH",
    "GOBIN",
    "GOWORK",
];

/// What an official Go release ships in `$GOROOT/go.env`: gvmr's defaults
/// where no toolchain is involved.
const SHIPPED_GO_ENV: [(&str, &str); 3] = [
    ("GOPROXY", "https://proxy.golang.org,direct"),
    ("GOSUMDB", "sum.golang.org"),
    ("GOTOOLCHAIN", "auto"),
];

/// Go's default checksum database.
pub const DEFAULT_GOSUMDB: &str = SHIPPED_GO_ENV[1].1;

/// Where a value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// The process environment.
    Environment,
    /// The go env file (`go env -w`).
    EnvFile(PathBuf),
    /// A toolchain's `$GOROOT/go.env`.
    GoRoot(PathBuf),
    /// Go's default.
    Default,
}

impl Origin {
    /// A short word for reports and JSON: `env`, `file`, `go.env`, `default`.
    pub fn kind(&self) -> &'static str {
        match self {
            Origin::Environment => "env",
            Origin::EnvFile(_) => "file",
            Origin::GoRoot(_) => "go.env",
            Origin::Default => "default",
        }
    }

    /// Whether the user chose this value (environment or go env file),
    /// rather than a toolchain or Go's defaults.
    pub fn is_users(&self) -> bool {
        matches!(self, Origin::Environment | Origin::EnvFile(_))
    }
}

/// One variable's value and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoValue {
    pub value: String,
    pub origin: Origin,
}

/// The toolchain whose `go.env` and rules apply.
#[derive(Debug, Clone, Copy)]
pub struct Toolchain<'a> {
    pub goroot: &'a Path,
    /// Its version, when known (rules changed between releases); unknown
    /// means the newest rules.
    pub version: Option<GoVersion>,
}

/// Go's settings as one go command would see them.
#[derive(Debug, Clone)]
pub struct GoEnv {
    /// The go env file as `go env GOENV` names it; `None` when `GOENV=off`
    /// or nothing locates it (no `HOME`).
    pub file: Option<PathBuf>,
    values: BTreeMap<&'static str, GoValue>,
    /// What the go env file sets, whatever the environment says.
    in_file: BTreeMap<&'static str, String>,
}

/// The variables Go's settings are read from, copied out of `env`: enough
/// to read them again later, for a toolchain, without reading the process
/// environment twice.
pub fn snapshot(env: &Environment) -> Environment {
    Environment::fixed(
        ["GOENV", "HOME", "XDG_CONFIG_HOME"]
            .iter()
            .chain(VARIABLES.iter())
            .filter_map(|&name| Some((name, env.var_os(name)?))),
    )
}

/// Releases before go1.24 accept a relative `XDG_CONFIG_HOME`.
fn accepts_relative_xdg(version: Option<GoVersion>) -> bool {
    version.is_some_and(|v| (v.major, v.minor) < (1, 24))
}

/// From go1.27, `go env GOBIN` reports `$GOPATH/bin` when GOBIN is unset.
fn defaults_gobin(version: Option<GoVersion>) -> bool {
    version.is_none_or(|v| (v.major, v.minor) >= (1, 27))
}

/// `KEY=value` lines as the go command's `readEnvFile` takes them.
pub fn parse_env_file(text: &str) -> Vec<(&str, &str)> {
    text.split('\n')
        .filter(|line| line.starts_with(|c: char| c.is_ascii_uppercase()))
        .filter_map(|line| line.split_once('='))
        .collect()
}

/// The first `GOPATH` entry's `bin`: where `go install` puts programs
/// when `GOBIN` is not set; `None` when that entry is empty.
fn first_gopath_bin(gopath: &str) -> Option<PathBuf> {
    std::env::split_paths(gopath)
        .next()
        .filter(|first| !first.as_os_str().is_empty())
        .map(|first| first.join("bin"))
}

/// The go env file's location (`go env GOENV`), or `None`.
fn env_file(env: &Environment, version: Option<GoVersion>) -> Option<PathBuf> {
    if let Some(goenv) = env.go_value("GOENV") {
        return (goenv != "off").then(|| PathBuf::from(goenv));
    }
    let home = env.path("HOME");
    if cfg!(target_os = "macos") {
        return home.map(|h| h.join("Library/Application Support/go/env"));
    }
    match env.path("XDG_CONFIG_HOME") {
        Some(xdg) if xdg.is_absolute() || accepts_relative_xdg(version) => Some(xdg.join("go/env")),
        // A relative XDG_CONFIG_HOME is an error to os.UserConfigDir.
        Some(_) => None,
        None => home.map(|h| h.join(".config/go/env")),
    }
}

/// A small text file, or `None` when it cannot be read (as go ignores it).
fn read_small(path: &Path) -> Option<String> {
    use std::io::Read;
    let mut text = String::new();
    std::fs::File::open(path)
        .ok()?
        .take(1 << 20)
        .read_to_string(&mut text)
        .ok()?;
    Some(text)
}

impl GoEnv {
    /// Reads Go's settings from `env`, the go env file and, when given,
    /// `toolchain`'s `go.env`.
    pub fn read(env: &Environment, toolchain: Option<Toolchain>) -> GoEnv {
        let version = toolchain.and_then(|t| t.version);
        let file = env_file(env, version);
        let user_text = file.as_deref().and_then(read_small);
        let user = user_text.as_deref().map(parse_env_file).unwrap_or_default();
        let goroot_file = toolchain.map(|t| t.goroot.join("go.env"));
        let goroot_text = goroot_file.as_deref().and_then(read_small);
        let (shipped, shipped_origin) = match (&goroot_file, &goroot_text) {
            (Some(path), Some(text)) => (parse_env_file(text), Origin::GoRoot(path.clone())),
            // No toolchain, or one without go.env: what releases ship.
            _ => (SHIPPED_GO_ENV.to_vec(), Origin::Default),
        };
        let last = |lines: &[(&str, &str)], name: &str| {
            lines
                .iter()
                .rev()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| value.to_string())
        };
        // Steps 1–3: the first layer that has the variable decides, even
        // with an empty value (then step 4 applies).
        let layered = |name: &str| -> GoValue {
            if let Some(value) = env.go_value(name) {
                return GoValue {
                    value,
                    origin: Origin::Environment,
                };
            }
            if let (Some(path), Some(value)) = (&file, last(&user, name)) {
                return GoValue {
                    value,
                    origin: Origin::EnvFile(path.clone()),
                };
            }
            match last(&shipped, name) {
                Some(value) => GoValue {
                    value,
                    origin: shipped_origin.clone(),
                },
                None => GoValue {
                    value: String::new(),
                    origin: Origin::Default,
                },
            }
        };
        let mut values: BTreeMap<&'static str, GoValue> = VARIABLES
            .iter()
            .map(|&name| (name, layered(name)))
            .collect();
        // Step 4, in dependency order.
        let fallback = |values: &BTreeMap<&str, GoValue>, name: &str| -> Option<String> {
            match name {
                "GOPATH" => env
                    .path("HOME")
                    .map(|h| h.join("go").to_string_lossy().into_owned()),
                "GONOPROXY" | "GONOSUMDB" => Some(values["GOPRIVATE"].value.clone()),
                "GOBIN" if defaults_gobin(version) => first_gopath_bin(&values["GOPATH"].value)
                    .map(|bin| bin.to_string_lossy().into_owned()),
                _ => None,
            }
        };
        for name in ["GOPATH", "GONOPROXY", "GONOSUMDB", "GOBIN"] {
            if values[name].value.is_empty()
                && let Some(value) = fallback(&values, name).filter(|v| !v.is_empty())
            {
                values.insert(
                    name,
                    GoValue {
                        value,
                        origin: Origin::Default,
                    },
                );
            }
        }
        let in_file = VARIABLES
            .iter()
            .filter_map(|&name| Some((name, last(&user, name)?)))
            .collect();
        GoEnv {
            file,
            values,
            in_file,
        }
    }

    /// The value and origin of one of [`VARIABLES`].
    ///
    /// # Panics
    /// For a name not in [`VARIABLES`]: a programming error.
    pub fn get(&self, name: &str) -> &GoValue {
        self.values
            .get(name)
            .unwrap_or_else(|| panic!("{name} is not one of the Go variables gvmr reads"))
    }

    /// Just the value of [`GoEnv::get`].
    pub fn value(&self, name: &str) -> &str {
        &self.get(name).value
    }

    /// The value when the user set it (environment or go env file) and it
    /// is not empty.
    pub fn users(&self, name: &str) -> Option<&str> {
        let value = self.get(name);
        (value.origin.is_users() && !value.value.is_empty()).then_some(value.value.as_str())
    }

    /// The value the go env file sets (not empty), whatever the environment
    /// says.
    pub fn in_file(&self, name: &str) -> Option<&str> {
        self.in_file
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// Where `go install` puts programs: `GOBIN`, else the first `GOPATH`
    /// entry's `bin`; `None` without either (no `HOME`).
    pub fn install_dir(&self) -> Option<PathBuf> {
        let gobin = self.value("GOBIN");
        if !gobin.is_empty() {
            return Some(PathBuf::from(gobin));
        }
        first_gopath_bin(self.value("GOPATH"))
    }

    /// Every variable with its value, in [`VARIABLES`] order.
    pub fn all(&self) -> impl Iterator<Item = (&'static str, &GoValue)> {
        VARIABLES.iter().map(|&name| (name, &self.values[name]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn home_with_file(text: &str) -> (tempfile::TempDir, Environment) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(".config/go")).unwrap();
        std::fs::write(dir.path().join(".config/go/env"), text).unwrap();
        let env = Environment::fixed([("HOME", dir.path())]);
        (dir, env)
    }

    #[test]
    fn env_file_lines_are_read_as_go_reads_them() {
        let text =
            "GOPROXY=a\n# c\ngoprivate=x\n=y\nGOFLAGS= -x \nGOPRIVATE=p\r\nNOEQUALS\nGOPROXY=b";
        assert_eq!(
            parse_env_file(text),
            [
                ("GOPROXY", "a"),
                ("GOFLAGS", " -x "),
                ("GOPRIVATE", "p\r"),
                ("GOPROXY", "b")
            ]
        );
    }

    #[test]
    fn the_environment_beats_the_file_which_beats_the_defaults() {
        let (_dir, env) =
            home_with_file("GOPROXY=https://goproxy.cn,direct\nGOSUMDB=sum.golang.google.cn\n");
        let go = GoEnv::read(&env, None);
        assert_eq!(go.value("GOPROXY"), "https://goproxy.cn,direct");
        assert_eq!(go.get("GOPROXY").origin.kind(), "file");
        assert_eq!(go.value("GOTOOLCHAIN"), "auto");
        assert_eq!(go.get("GOTOOLCHAIN").origin, Origin::Default);

        let Environment::Fixed(mut vars) = env else {
            unreachable!()
        };
        vars.insert("GOPROXY".into(), "direct".into());
        vars.insert("GOSUMDB".into(), "".into());
        let go = GoEnv::read(&Environment::Fixed(vars), None);
        assert_eq!(go.value("GOPROXY"), "direct");
        assert_eq!(go.get("GOPROXY").origin, Origin::Environment);
        // Empty in the environment is unset: the file still decides.
        assert_eq!(go.value("GOSUMDB"), "sum.golang.google.cn");
    }

    #[test]
    fn an_empty_file_entry_hides_go_env_but_empty_fallbacks_apply() {
        let (dir, env) = home_with_file("GOPROXY=\nGOPATH=\nGOPRIVATE=x.com\nGONOPROXY=\n");
        let go = GoEnv::read(&env, None);
        assert_eq!(go.value("GOPROXY"), "");
        assert_eq!(go.get("GOPROXY").origin.kind(), "file");
        assert_eq!(go.value("GOPATH"), dir.path().join("go").to_str().unwrap());
        assert_eq!(go.value("GONOPROXY"), "x.com");
        assert_eq!(go.value("GONOSUMDB"), "x.com");
        assert_eq!(
            go.value("GOBIN"),
            dir.path().join("go/bin").to_str().unwrap()
        );
        let old = GoVersion::parse("1.22.10").unwrap();
        let go = GoEnv::read(
            &env,
            Some(Toolchain {
                goroot: &dir.path().join("no-such-goroot"),
                version: Some(old),
            }),
        );
        assert_eq!(go.value("GOBIN"), "");
    }

    #[test]
    fn goenv_off_or_elsewhere_and_xdg_config_home() {
        let env = Environment::fixed([("HOME", "/h"), ("GOENV", "off")]);
        assert_eq!(GoEnv::read(&env, None).file, None);
        let env = Environment::fixed([("HOME", "/h"), ("GOENV", "/etc/goenv")]);
        assert_eq!(
            GoEnv::read(&env, None).file,
            Some(PathBuf::from("/etc/goenv"))
        );
        if cfg!(target_os = "macos") {
            return;
        }
        let env = Environment::fixed([("HOME", "/h"), ("XDG_CONFIG_HOME", "/x")]);
        assert_eq!(
            GoEnv::read(&env, None).file,
            Some(PathBuf::from("/x/go/env"))
        );
        let env = Environment::fixed([("HOME", "/h"), ("XDG_CONFIG_HOME", "rel")]);
        assert_eq!(GoEnv::read(&env, None).file, None);
        let old = Toolchain {
            goroot: Path::new("/nonexistent"),
            version: Some(GoVersion::parse("1.23.9").unwrap()),
        };
        assert_eq!(
            GoEnv::read(&env, Some(old)).file,
            Some(PathBuf::from("rel/go/env"))
        );
        assert_eq!(
            GoEnv::read(&Environment::fixed::<&str, &str>([]), None).file,
            None
        );
    }

    #[test]
    fn a_toolchains_go_env_comes_after_the_users_file() {
        let (dir, env) = home_with_file("GOSUMDB=sum.golang.google.cn\n");
        let goroot = dir.path().join("goroot");
        std::fs::create_dir_all(&goroot).unwrap();
        std::fs::write(
            goroot.join("go.env"),
            "# comment\nGOPROXY=https://corp.example\nGOSUMDB=off\nGOTOOLCHAIN=local\n",
        )
        .unwrap();
        let go = GoEnv::read(
            &env,
            Some(Toolchain {
                goroot: &goroot,
                version: None,
            }),
        );
        assert_eq!(go.value("GOPROXY"), "https://corp.example");
        assert_eq!(
            go.get("GOPROXY").origin,
            Origin::GoRoot(goroot.join("go.env"))
        );
        assert_eq!(go.value("GOSUMDB"), "sum.golang.google.cn");
        assert_eq!(go.value("GOTOOLCHAIN"), "local");
        assert_eq!(go.users("GOTOOLCHAIN"), None);
        assert_eq!(go.users("GOSUMDB"), Some("sum.golang.google.cn"));
    }
}
