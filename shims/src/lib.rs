//! gvmr-shim: the std-only part of gvmr that the `go`/`gofmt` shims run,
//! and the shim binary built on it (`src/main.rs`). It holds version names
//! ([`version`]), how variables are read ([`env`]), Go's own settings as
//! `go env` reports them ([`go_env`]), whether a missing selected version is
//! installed on first use ([`auto_install`]), the data directory ([`home`]), the
//! resolver that picks a version for a directory ([`select`]) and what
//! makes a selection a toolchain on disk ([`toolchain`]). `gvmr` uses the same code, so the
//! shims, the hooks and every command always agree. Standard library only,
//! so the shim stays small and starts fast.

pub mod auto_install;
pub mod env;
pub mod go_env;
pub mod home;
pub mod select;
pub mod toolchain;
pub mod version;

pub use version::{GoVersion, ParseVersionError, PreRelease, VersionRequest};
