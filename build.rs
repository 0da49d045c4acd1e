//! Names this build in `gvmr --version` and for `gvmr self update`:
//! the target triple it was compiled for, and the commit scripts/dist.sh
//! builds from (`GVMR_BUILD_COMMIT`; absent from other builds).

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=GVMR_BUILD_COMMIT");
    let target = std::env::var("TARGET").expect("cargo sets TARGET for build scripts");
    let version = std::env::var("CARGO_PKG_VERSION").expect("cargo sets CARGO_PKG_VERSION");
    let commit = std::env::var("GVMR_BUILD_COMMIT")
        .ok()
        .filter(|c| !c.trim().is_empty());
    let long_version = match commit {
        Some(commit) => format!("{version} (commit {}, {target})", commit.trim()),
        None => format!("{version} ({target})"),
    };
    println!("cargo:rustc-env=GVMR_TARGET={target}");
    println!("cargo:rustc-env=GVMR_LONG_VERSION={long_version}");
}
