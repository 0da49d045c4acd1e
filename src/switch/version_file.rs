//! Rewriting the version a version file pins, in place (`gvmr upgrade`):
//! only the version changes; comments, the other tools of a
//! `.tool-versions` and the rest of a `go.mod` stay byte for byte, and so
//! do the file's permissions.

use crate::files::{FileError, write_atomically};
use gvmr_shim::GoVersion;
use gvmr_shim::select::TOOL_VERSIONS_FILE;
use std::fs;
use std::ops::Range;
use std::path::Path;

/// Replaces the pinned version in `path` with `to`. `Ok(false)` when the
/// file pins no version gvmr can find (nothing is written then).
pub fn rewrite(path: &Path, to: &GoVersion) -> Result<bool, FileError> {
    let text = fs::read_to_string(path).map_err(|e| FileError::new("read", path, e))?;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let Some(new_text) = replaced(&text, name, to) else {
        return Ok(false);
    };
    let permissions = fs::metadata(path).map(|m| m.permissions()).ok();
    write_atomically(path, new_text.as_bytes())?;
    if let Some(permissions) = permissions {
        fs::set_permissions(path, permissions).map_err(|e| FileError::new("write", path, e))?;
    }
    Ok(true)
}

/// `text` with its pinned version replaced by `to`, in the spelling the
/// file used (`go1.22.5` or `1.22.5`; go.mod always says `go1.22.5`).
fn replaced(text: &str, file_name: &str, to: &GoVersion) -> Option<String> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if let Some(span) = version_in(line, file_name) {
            let old = &line[span.clone()];
            let new = if old.starts_with("go") {
                to.to_string()
            } else {
                to.number()
            };
            let at = offset + span.start..offset + span.end;
            return Some(format!("{}{new}{}", &text[..at.start], &text[at.end..]));
        }
        offset += line.len();
    }
    None
}

/// Where the pinned version is in `line`, if this is the line that pins it.
fn version_in(line: &str, file_name: &str) -> Option<Range<usize>> {
    let comment = match file_name {
        "go.mod" | "go.work" => "//",
        _ => "#",
    };
    let content = line.split(comment).next().unwrap_or("");
    let words = word_spans(content);
    let word = |i: usize| words.get(i).map(|r: &Range<usize>| &content[r.clone()]);
    match file_name {
        TOOL_VERSIONS_FILE => matches!(word(0), Some("golang" | "go"))
            .then(|| words.get(1).cloned())
            .flatten(),
        "go.mod" | "go.work" => {
            (word(0) == Some("toolchain") && words.len() == 2).then(|| words[1].clone())
        }
        // .go-version and the default file: the first version line.
        _ => (words.len() == 1).then(|| words[0].clone()),
    }
}

/// The byte ranges of the whitespace-separated words of `text`.
fn word_spans(text: &str) -> Vec<Range<usize>> {
    let mut spans = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (c.is_whitespace(), start) {
            (true, Some(s)) => {
                spans.push(s..i);
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        spans.push(s..text.len());
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bump(text: &str, file: &str) -> Option<String> {
        replaced(text, file, &GoVersion::new(1, 22, 12))
    }

    #[test]
    fn only_the_version_changes() {
        assert_eq!(bump("1.22.3\n", ".go-version").unwrap(), "1.22.12\n");
        assert_eq!(
            bump("# pinned for the CI\n\n  go1.22.3  \r\n", ".go-version").unwrap(),
            "# pinned for the CI\n\n  go1.22.12  \r\n"
        );
        assert_eq!(
            bump(
                "nodejs 20.1.0\ngolang 1.22.3 # go\nrust 1.80.0\n",
                ".tool-versions"
            )
            .unwrap(),
            "nodejs 20.1.0\ngolang 1.22.12 # go\nrust 1.80.0\n"
        );
        assert_eq!(
            bump(
                "module x\n\ngo 1.22.0\n\ntoolchain go1.22.3 // pinned\n\nrequire y v1.0.0\n",
                "go.mod"
            )
            .unwrap(),
            "module x\n\ngo 1.22.0\n\ntoolchain go1.22.12 // pinned\n\nrequire y v1.0.0\n"
        );
    }

    #[test]
    fn files_without_a_pin_are_left_alone() {
        assert_eq!(bump("module x\n\ngo 1.22.0\n", "go.mod"), None);
        assert_eq!(bump("nodejs 20\n", ".tool-versions"), None);
        assert_eq!(bump("# nothing\n", ".go-version"), None);
    }

    #[test]
    fn the_file_keeps_its_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".go-version");
        fs::write(&path, "1.22.3\n").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        assert!(rewrite(&path, &GoVersion::new(1, 22, 12)).unwrap());
        assert_eq!(fs::read_to_string(&path).unwrap(), "1.22.12\n");
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o644);
    }
}
