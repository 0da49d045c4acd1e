//! The shim binary under its own name (the real work is tested through
//! `$GVMR_HOME/shims/go` in the workspace's tests/it/shims.rs). This test also
//! makes `cargo test --workspace` build `target/*/gvmr-shim`, which gvmr's
//! tests copy into place.

use std::process::Command;

#[test]
fn run_under_its_own_name_it_explains_itself_and_exits_2() {
    let out = Command::new(env!("CARGO_BIN_EXE_gvmr-shim"))
        .arg("version")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stderr.trim_end(),
        "gvmr: this is gvmr's shim; it runs as `go` or `gofmt` (copies in $GVMR_HOME/shims, made by `gvmr shims`)"
    );
    assert!(out.stdout.is_empty());
}
