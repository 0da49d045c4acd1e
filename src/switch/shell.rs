//! Printing environment changes for shells and tools, safely: every value is
//! quoted so that `eval` never runs anything a path or version file holds.

use std::fmt::Write as _;

/// One change to the environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Set and export.
    Export(String, String),
    /// Remove.
    Unset(String),
}

/// `'…'` for POSIX shells (bash, zsh, direnv): nothing inside is special
/// except `'`, written as `'\''`.
pub fn sh_quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', r"'\''"))
}

/// `'…'` for fish: `\` and `'` are escaped inside single quotes.
pub fn fish_quote(value: &str) -> String {
    format!("'{}'", value.replace('\\', r"\\").replace('\'', r"\'"))
}

/// bash/zsh/direnv syntax.
pub fn render_posix(changes: &[Change]) -> String {
    let mut out = String::new();
    for change in changes {
        match change {
            Change::Export(name, value) => {
                let _ = writeln!(out, "export {name}={}", sh_quote(value));
            }
            Change::Unset(name) => {
                let _ = writeln!(out, "unset {name}");
            }
        }
    }
    out
}

/// fish syntax; `PATH` is a list there.
pub fn render_fish(changes: &[Change]) -> String {
    let mut out = String::new();
    for change in changes {
        match change {
            Change::Export(name, value) if name == "PATH" => {
                let parts: Vec<String> = value.split(':').map(fish_quote).collect();
                let _ = writeln!(out, "set -gx PATH {}", parts.join(" "));
            }
            Change::Export(name, value) => {
                let _ = writeln!(out, "set -gx {name} {}", fish_quote(value));
            }
            Change::Unset(name) => {
                let _ = writeln!(out, "set -e {name}");
            }
        }
    }
    out
}

/// `NAME='value'` lines for `.env` files (double quotes when the value has a `'`).
pub fn render_dotenv(changes: &[Change]) -> String {
    let mut out = String::new();
    for change in changes {
        if let Change::Export(name, value) = change {
            let quoted = if value.contains('\'') {
                let escaped = value
                    .replace('\\', r"\\")
                    .replace('"', "\\\"")
                    .replace('$', r"\$")
                    .replace('\n', r"\n");
                format!("\"{escaped}\"")
            } else {
                format!("'{value}'")
            };
            let _ = writeln!(out, "{name}={quoted}");
        }
    }
    out
}

/// A JSON object of the exported variables.
pub fn render_json(changes: &[Change]) -> String {
    let map: serde_json::Map<String, serde_json::Value> = changes
        .iter()
        .filter_map(|c| match c {
            Change::Export(name, value) => Some((name.clone(), value.clone().into())),
            _ => None,
        })
        .collect();
    serde_json::Value::Object(map).to_string()
}

/// GitHub Actions' `$GITHUB_ENV` syntax: `NAME=value`, or a heredoc with a
/// delimiter that cannot occur in the value when the value spans lines.
pub fn render_github_env(changes: &[Change]) -> String {
    let mut out = String::new();
    for change in changes {
        if let Change::Export(name, value) = change {
            if value.contains('\n') || value.contains('\r') {
                let mut delimiter = String::from("GVMR_EOF");
                while value.contains(&delimiter) {
                    delimiter.push('_');
                }
                let _ = writeln!(out, "{name}<<{delimiter}\n{value}\n{delimiter}");
            } else {
                let _ = writeln!(out, "{name}={value}");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn changes() -> Vec<Change> {
        vec![
            Change::Export("GOROOT".into(), "/h o'me/go".into()),
            Change::Export("PATH".into(), "/h o'me/go/bin:/usr/bin".into()),
            Change::Unset("GOTOOLCHAIN".into()),
        ]
    }

    #[test]
    fn posix_output_quotes_everything() {
        assert_eq!(
            render_posix(&changes()),
            "export GOROOT='/h o'\\''me/go'\nexport PATH='/h o'\\''me/go/bin:/usr/bin'\nunset GOTOOLCHAIN\n"
        );
    }

    #[test]
    fn fish_output_splits_path_and_escapes() {
        assert_eq!(
            render_fish(&changes()),
            "set -gx GOROOT '/h o\\'me/go'\nset -gx PATH '/h o\\'me/go/bin' '/usr/bin'\nset -e GOTOOLCHAIN\n"
        );
    }

    #[test]
    fn dotenv_json_and_github_forms() {
        assert_eq!(
            render_dotenv(&[Change::Export("A".into(), "x y".into())]),
            "A='x y'\n"
        );
        assert_eq!(
            render_dotenv(&[Change::Export("A".into(), "it's $HOME".into())]),
            "A=\"it's \\$HOME\"\n"
        );
        let json: serde_json::Value = serde_json::from_str(&render_json(&changes())).unwrap();
        assert_eq!(json["GOROOT"], "/h o'me/go");
        assert!(json.get("GOTOOLCHAIN").is_none());
        assert_eq!(
            render_github_env(&[Change::Export("A".into(), "1\nGVMR_EOF".into())]),
            "A<<GVMR_EOF_\n1\nGVMR_EOF\nGVMR_EOF_\n"
        );
    }
}
