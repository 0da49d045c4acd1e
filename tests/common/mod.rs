//! Shared support for gvmr's integration tests: a local HTTP server
//! ([`server`]), OpenPGP test keys ([`keys`]), a fake Go release mirror
//! ([`mirror`]) and [`Env`], an isolated home for running the `gvmr` binary.
//!
//! Each test binary includes this with `mod common;` and uses only part of
//! it, hence the `dead_code` allowance.
//!
//! ```ignore
//! let server = TestServer::start();
//! let key = TestKey::generate("Test Go Releases <go@example.org>");
//! let mut mirror = Mirror::new(&server, &key);
//! mirror.publish("go1.22.5", true);
//! mirror.write_listing();
//! let env = Env::new(&mirror, &key);
//! env.gvmr().args(["install", "1.22.5"]).assert().success();
//! ```
#![allow(dead_code)]

pub mod keys;
pub mod mirror;
pub mod server;

use std::path::{Path, PathBuf};
use std::time::Duration;

/// A `gvmr` run taking longer than this is killed and fails its test, so a
/// hang cannot stall the whole suite.
pub const GVMR_TIMEOUT: Duration = Duration::from_secs(180);

/// Environment variables removed from every `gvmr` run, besides all
/// `GVMR_*` ones: they would point gvmr (or the `go` it runs) elsewhere.
const SCRUBBED_VARS: &[&str] = &[
    "XDG_DATA_HOME",
    "XDG_CONFIG_HOME",
    "XDG_CACHE_HOME",
    "XDG_STATE_HOME",
    "GOROOT",
    "GOTOOLCHAIN",
    "http_proxy",
    "https_proxy",
    "all_proxy",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
];

/// A throw-away world for one `gvmr` run or several: under one temporary
/// directory, a `GVMR_HOME`, a `HOME`, a project directory (the working
/// directory) and a keyring file holding the test key.
pub struct Env {
    root: tempfile::TempDir,
    home: PathBuf,
    user_home: PathBuf,
    project: PathBuf,
    keyring: PathBuf,
    index_url: String,
    mirror_url: String,
}

impl Env {
    /// A fresh environment whose `gvmr` uses `mirror` and trusts `key` only.
    pub fn new(mirror: &mirror::Mirror<'_>, key: &keys::TestKey) -> Env {
        let root = tempfile::Builder::new()
            .prefix("gvmr-test")
            .tempdir()
            .expect("create the test environment directory");
        let env = Env {
            home: root.path().join("gvmr-home"),
            user_home: root.path().join("user-home"),
            project: root.path().join("project"),
            keyring: root.path().join("keyring.asc"),
            root,
            index_url: mirror.index_url(),
            mirror_url: mirror.base_url(),
        };
        for dir in [env.home(), env.user_home(), env.project()] {
            std::fs::create_dir_all(dir)
                .unwrap_or_else(|e| panic!("create {}: {e}", dir.display()));
        }
        key.write_keyring(env.keyring());
        env
    }

    /// The temporary directory everything else lives in.
    pub fn root(&self) -> &Path {
        self.root.path()
    }

    /// `GVMR_HOME`.
    pub fn home(&self) -> &Path {
        &self.home
    }

    /// Where installed toolchains go: `GVMR_HOME/versions`.
    pub fn versions_dir(&self) -> PathBuf {
        self.home().join("versions")
    }

    /// `HOME` of the `gvmr` process.
    pub fn user_home(&self) -> &Path {
        &self.user_home
    }

    /// The working directory of the `gvmr` process.
    pub fn project(&self) -> &Path {
        &self.project
    }

    /// The keyring file given as `GVMR_KEYRING`.
    pub fn keyring(&self) -> &Path {
        &self.keyring
    }

    /// A command for the `gvmr` binary with this environment: every
    /// `GVMR_*` and [`SCRUBBED_VARS`] variable of the test process removed,
    /// then `HOME`, `GVMR_HOME`, `GVMR_INDEX_URL`, `GVMR_MIRROR`,
    /// `GVMR_KEYRING` and `NO_COLOR=1` set, in [`project`](Env::project),
    /// killed after [`GVMR_TIMEOUT`].
    pub fn gvmr(&self) -> assert_cmd::Command {
        let mut cmd = assert_cmd::cargo::cargo_bin_cmd!("gvmr");
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("GVMR_") {
                cmd.env_remove(&name);
            }
        }
        for name in SCRUBBED_VARS {
            cmd.env_remove(name);
        }
        cmd.env("HOME", self.user_home())
            .env("GVMR_HOME", self.home())
            .env("GVMR_INDEX_URL", &self.index_url)
            .env("GVMR_MIRROR", &self.mirror_url)
            .env("GVMR_KEYRING", self.keyring())
            .env("NO_COLOR", "1")
            .current_dir(self.project())
            .timeout(GVMR_TIMEOUT);
        cmd
    }
}
