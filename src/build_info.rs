//! What this binary is: its version, the target it was compiled for and,
//! for release builds, the commit (from build.rs), as `gvmr --version`
//! prints them and `gvmr self update` compares them.

pub const VERSION: &str = env!("CARGO_PKG_VERSION");
/// The Rust target triple, e.g. `x86_64-unknown-linux-gnu`: which
/// release archive `gvmr self update` takes.
pub const TARGET: &str = env!("GVMR_TARGET");
/// `0.2.0 (commit 1a2b3c4d5e6f, x86_64-unknown-linux-gnu)`; without
/// `commit …` for builds outside scripts/dist.sh.
pub const LONG_VERSION: &str = env!("GVMR_LONG_VERSION");
