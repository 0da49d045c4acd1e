//! The part of gvmr that the `go`/`gofmt` shims need: version names, the data
//! directory and the resolver that picks a version for a directory.
//! Standard library only, so the shim stays small and starts fast.

pub mod home;
pub mod select;
pub mod toolchain;
pub mod version;

pub use version::{GoVersion, ParseVersionError, PreRelease, VersionRequest};
