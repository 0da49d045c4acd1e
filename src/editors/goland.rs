//! GoLand's rules for a Go SDK home ("The selected directory is not a valid
//! home for Go SDK" otherwise): a `VERSION` file whose first line names a
//! Go version, and the runtime's sources in `src/runtime`. A directory
//! named `goroot` is taken for a Google App Engine SDK, so gvmr names none
//! so. Links are followed, as GoLand follows them.

use gvmr_shim::GoVersion;
use std::path::Path;

/// The Go version of the SDK home `dir`, or why GoLand would refuse it.
pub fn sdk_home(dir: &Path) -> Result<GoVersion, String> {
    let shown = dir.display();
    if dir.file_name().is_some_and(|name| name == "goroot") {
        return Err(format!(
            "{shown} is named goroot, which GoLand takes for an App Engine SDK"
        ));
    }
    let text = std::fs::read_to_string(dir.join("VERSION"))
        .map_err(|e| format!("{shown} has no readable VERSION file ({e})"))?;
    let first = text.lines().next().unwrap_or_default().trim();
    let version = GoVersion::parse(first)
        .map_err(|_| format!("{shown}/VERSION does not name a Go version: {first:?}"))?;
    if !dir.join("src/runtime").is_dir() {
        return Err(format!(
            "{shown} has no src/runtime (the runtime's sources)"
        ));
    }
    Ok(version)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_home_needs_a_version_file_and_the_runtime_sources() {
        let tmp = tempfile::tempdir().unwrap();
        let home = tmp.path().join("go1.22");
        std::fs::create_dir_all(home.join("src/runtime")).unwrap();
        assert!(sdk_home(&home).unwrap_err().contains("no readable VERSION"));
        std::fs::write(home.join("VERSION"), "devel +abc\n").unwrap();
        assert!(
            sdk_home(&home)
                .unwrap_err()
                .contains("does not name a Go version")
        );
        std::fs::write(home.join("VERSION"), "go1.22.5\ntime 2024-06-27\n").unwrap();
        assert_eq!(sdk_home(&home), Ok(GoVersion::new(1, 22, 5)));
        std::fs::remove_dir(home.join("src/runtime")).unwrap();
        assert!(sdk_home(&home).unwrap_err().contains("no src/runtime"));
        let goroot = tmp.path().join("goroot");
        std::os::unix::fs::symlink(&home, &goroot).unwrap();
        assert!(sdk_home(&goroot).unwrap_err().contains("App Engine"));
    }
}
