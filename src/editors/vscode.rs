//! VS Code's workspace settings (`.vscode/settings.json`) as far as the Go
//! extension's toolchain goes: `go.alternateTools.go` (the `go` it runs;
//! gvmr's shim follows `.go-version`, go.mod and the default with no
//! setting to change) and `go.goroot` (a fixed Go root).
//!
//! VS Code writes JSON with comments and trailing commas; [`read`] accepts
//! them. [`with_alternate_go`] rewrites a file only when nothing would be
//! lost: plain JSON, every other setting kept as written and in its place;
//! a file with comments is refused ([`RewriteError::Comments`]), and the
//! caller says what to add by hand ([`snippet`]).

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;
use std::fmt;
use std::path::{Path, PathBuf};

/// The settings file, relative to the workspace folder.
pub const SETTINGS: &str = ".vscode/settings.json";
/// A fixed Go root.
pub const GOROOT_KEY: &str = "go.goroot";
/// An object naming the programs the extension runs, `go` among them.
pub const TOOLS_KEY: &str = "go.alternateTools";

/// The settings files VS Code could read for a workspace at `dir` or
/// above, nearest first: `<dir>/.vscode/settings.json` and each parent's,
/// up to (not including) `home`, whose `.vscode` is VS Code's own
/// directory (extensions), not a workspace's.
pub fn candidates(dir: &Path, home: Option<&Path>) -> Vec<PathBuf> {
    dir.ancestors()
        .take_while(|d| Some(*d) != home)
        .map(|d| d.join(SETTINGS))
        .collect()
}

/// What a settings file tells the Go extension about Go.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GoSettings {
    /// `go.goroot`.
    pub goroot: Option<String>,
    /// `go.alternateTools.go`.
    pub go: Option<String>,
}

/// Reads settings as VS Code does (comments and trailing commas allowed).
pub fn read(text: &str) -> Result<GoSettings, String> {
    let mut text = text.to_string();
    json_strip_comments::strip(&mut text).map_err(|e| e.to_string())?;
    if text.trim().is_empty() {
        return Ok(GoSettings::default());
    }
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    let string = |v: Option<&serde_json::Value>| v.and_then(|v| v.as_str()).map(str::to_string);
    Ok(GoSettings {
        goroot: string(value.get(GOROOT_KEY)),
        go: string(value.get(TOOLS_KEY).and_then(|tools| tools.get("go"))),
    })
}

/// Why a settings file is not rewritten.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RewriteError {
    #[error(
        "it has comments or trailing commas, which VS Code allows but gvmr would lose in rewriting it"
    )]
    Comments,
    #[error("it is not valid JSON: {0}")]
    Invalid(String),
    #[error("its {0} is not a JSON object")]
    NotAnObject(&'static str),
}

/// What to add to the settings by hand for `go` to be the extension's go.
pub fn snippet(go: &str) -> String {
    format!("\"{TOOLS_KEY}\": {{ \"go\": {} }}", json_string(go))
}

/// `text` (a settings file; empty for none) with `go.alternateTools.go` set
/// to `go`, every other setting kept as written and in its place; `None`
/// when it is set so already.
pub fn with_alternate_go(text: &str, go: &str) -> Result<Option<String>, RewriteError> {
    let mut settings = if text.trim().is_empty() {
        Members::default()
    } else {
        serde_json::from_str::<Members>(text).map_err(|e| {
            if e.is_data() {
                RewriteError::NotAnObject("top level")
            } else if read(text).is_ok() {
                RewriteError::Comments
            } else {
                RewriteError::Invalid(e.to_string())
            }
        })?
    };
    let indent = indent_of(text);
    let mut tools = match settings.get(TOOLS_KEY) {
        Some(raw) => serde_json::from_str::<Members>(raw.get())
            .map_err(|_| RewriteError::NotAnObject(TOOLS_KEY))?,
        None => Members::default(),
    };
    let go_value = json_string(go);
    if tools.get("go").is_some_and(|raw| raw.get() == go_value) {
        return Ok(None);
    }
    tools.set("go", raw(go_value));
    let nested = tools.render(&indent, &indent.repeat(2));
    settings.set(TOOLS_KEY, raw(nested));
    let mut out = settings.render("", &indent);
    if text.is_empty() || text.ends_with('\n') {
        out.push('\n');
    }
    Ok(Some(out))
}

/// A JSON string literal.
fn json_string(text: &str) -> String {
    serde_json::Value::from(text).to_string()
}

/// JSON text known to be valid, as a raw value.
fn raw(json: String) -> Box<RawValue> {
    RawValue::from_string(json).expect("gvmr writes valid JSON")
}

/// The indentation of the file's first indented line (default: four
/// spaces, as VS Code writes settings).
fn indent_of(text: &str) -> String {
    text.lines()
        .find_map(|line| {
            let rest = line.trim_start_matches([' ', '\t']);
            (rest.starts_with('"') && rest.len() < line.len())
                .then(|| line[..line.len() - rest.len()].to_string())
        })
        .unwrap_or_else(|| "    ".to_string())
}

/// A JSON object's members in file order, each value exactly as written.
#[derive(Default)]
struct Members(Vec<(String, Box<RawValue>)>);

impl Members {
    /// The effective value of `key` (the last, as VS Code reads duplicates).
    fn get(&self, key: &str) -> Option<&RawValue> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| &**v)
    }

    /// Replaces the effective value of `key`, or adds it at the end.
    fn set(&mut self, key: &str, value: Box<RawValue>) {
        match self.0.iter_mut().rev().find(|(k, _)| k == key) {
            Some((_, slot)) => *slot = value,
            None => self.0.push((key.to_string(), value)),
        }
    }

    /// The object, members indented by `indent` after a line break,
    /// its closing brace by `outer`.
    fn render(&self, outer: &str, indent: &str) -> String {
        if self.0.is_empty() {
            return "{}".to_string();
        }
        let members: Vec<String> = self
            .0
            .iter()
            .map(|(key, value)| format!("{indent}{}: {}", json_string(key), value.get()))
            .collect();
        format!("{{\n{}\n{outer}}}", members.join(",\n"))
    }
}

impl<'de> Deserialize<'de> for Members {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Members, D::Error> {
        struct InOrder;
        impl<'de> Visitor<'de> for InOrder {
            type Value = Members;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Members, A::Error> {
                let mut members = Vec::new();
                while let Some(member) = map.next_entry::<String, Box<RawValue>>()? {
                    members.push(member);
                }
                Ok(Members(members))
            }
        }
        deserializer.deserialize_map(InOrder)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHIM: &str = "/h/shims/go";

    #[test]
    fn a_new_file_gets_the_setting_alone() {
        let text = with_alternate_go("", SHIM).unwrap().unwrap();
        assert_eq!(
            text,
            "{\n    \"go.alternateTools\": {\n        \"go\": \"/h/shims/go\"\n    }\n}\n"
        );
        assert_eq!(read(&text).unwrap().go.as_deref(), Some(SHIM));
        assert_eq!(with_alternate_go(&text, SHIM), Ok(None));
    }

    #[test]
    fn every_other_setting_is_kept_as_written_in_its_place() {
        let text = "{\n\t\"editor.tabSize\": 2,\n\t\"[go]\": {\"editor.formatOnSave\": true, \"a\": [1,2]},\n\t\"go.alternateTools\": {\"dlv\": \"/x/dlv\", \"go\": \"/old/go\"},\n\t\"z.last\": null\n}";
        let out = with_alternate_go(text, SHIM).unwrap().unwrap();
        assert_eq!(
            out,
            "{\n\t\"editor.tabSize\": 2,\n\t\"[go]\": {\"editor.formatOnSave\": true, \"a\": [1,2]},\n\t\"go.alternateTools\": {\n\t\t\"dlv\": \"/x/dlv\",\n\t\t\"go\": \"/h/shims/go\"\n\t},\n\t\"z.last\": null\n}"
        );
        let settings = read(&out).unwrap();
        assert_eq!(settings.go.as_deref(), Some(SHIM));
        assert_eq!(settings.goroot, None);
    }

    #[test]
    fn files_it_cannot_rewrite_faithfully_are_refused() {
        let commented = "{\n  // mine\n  \"go.goroot\": \"/usr/local/go\",\n}\n";
        assert_eq!(
            with_alternate_go(commented, SHIM),
            Err(RewriteError::Comments)
        );
        assert_eq!(
            read(commented).unwrap().goroot.as_deref(),
            Some("/usr/local/go")
        );
        assert!(matches!(
            with_alternate_go("{\"a\": ", SHIM),
            Err(RewriteError::Invalid(_))
        ));
        assert_eq!(
            with_alternate_go("[1]", SHIM),
            Err(RewriteError::NotAnObject("top level"))
        );
        assert_eq!(
            with_alternate_go("{\"go.alternateTools\": \"go\"}", SHIM),
            Err(RewriteError::NotAnObject(TOOLS_KEY))
        );
        assert_eq!(
            snippet("/h/it\"s/go"),
            "\"go.alternateTools\": { \"go\": \"/h/it\\\"s/go\" }"
        );
    }

    #[test]
    fn settings_are_looked_for_from_the_directory_up_to_home() {
        let found = candidates(Path::new("/home/u/src/p"), Some(Path::new("/home/u")));
        assert_eq!(
            found,
            [
                PathBuf::from("/home/u/src/p/.vscode/settings.json"),
                PathBuf::from("/home/u/src/.vscode/settings.json"),
            ]
        );
        assert_eq!(candidates(Path::new("/p"), None).len(), 2);
    }
}
