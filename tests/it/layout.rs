//! The architecture, checked: which `src/` file imports which, from the
//! source text. No import cycles, between files or between modules at any
//! level (`net` -> `verify` -> `net` through several files), errors flow
//! upward only (no lower layer names `crate::error`), and only `main`
//! decides how the process exits.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every `.rs` file under `src/`, as a path relative to `src/`.
fn source_files(src: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut dirs = vec![src.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path.strip_prefix(src).unwrap().to_path_buf());
            }
        }
    }
    files.sort();
    files
}

/// The module path of a file: `net/http.rs` → ["net", "http"],
/// `net/mod.rs` → ["net"], `lib.rs` → [].
fn module_of(file: &Path) -> Vec<String> {
    let mut parts: Vec<String> = file
        .with_extension("")
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts
}

/// Text without comments and string literals, so only code is read.
fn code_only(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
                out.push_str("\"\"");
            }
            b'r' if bytes.get(i + 1) == Some(&b'#') || bytes.get(i + 1) == Some(&b'"') => {
                // Raw strings: r"…", r#"…"#.
                let start = i;
                let mut j = i + 1;
                let mut hashes = 0;
                while bytes.get(j) == Some(&b'#') {
                    hashes += 1;
                    j += 1;
                }
                let is_raw = bytes.get(j) == Some(&b'"')
                    && (start == 0
                        || !(bytes[start - 1].is_ascii_alphanumeric() || bytes[start - 1] == b'_'));
                if !is_raw {
                    out.push('r');
                    i += 1;
                    continue;
                }
                let close = format!("\"{}", "#".repeat(hashes));
                let rest = &text[j + 1..];
                let end = rest
                    .find(&close)
                    .map_or(text.len(), |e| j + 1 + e + close.len());
                out.push_str("\"\"");
                i = end;
            }
            b'\'' if bytes.get(i + 2) == Some(&b'\'') => {
                out.push_str("' '");
                i += 3;
            }
            c => {
                out.push(c as char);
                i += 1;
            }
        }
    }
    out
}

/// The code (no comments or strings) of a file under `src`.
fn code_of(src: &Path, file: &Path) -> String {
    code_only(&std::fs::read_to_string(src.join(file)).unwrap())
}

/// Expands the paths a `use` tree or a path expression names, starting at
/// `at` in `code` just after `crate::` or `super::`: `a::b::{c, d::e}` →
/// [a::b::c, a::b::d::e].
fn paths_at(code: &str) -> Vec<Vec<String>> {
    fn tree(s: &str, prefix: Vec<String>, out: &mut Vec<Vec<String>>) -> usize {
        let bytes = s.as_bytes();
        let mut i = 0;
        let mut path = prefix;
        loop {
            let start = i;
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            if i > start {
                path.push(s[start..i].to_string());
            }
            if s[i..].starts_with("::{") {
                i += 3;
                loop {
                    while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                        i += 1;
                    }
                    if i >= bytes.len() || bytes[i] == b'}' {
                        return i + 1;
                    }
                    i += tree(&s[i..], path.clone(), out);
                    while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b',') {
                        i += 1;
                    }
                }
            } else if s[i..].starts_with("::") {
                i += 2;
            } else {
                // `self` inside a group names the group's own path.
                if path.last().is_some_and(|p| p == "self") {
                    path.pop();
                }
                out.push(path);
                return i;
            }
        }
    }
    let mut out = Vec::new();
    tree(code, Vec::new(), &mut out);
    out
}

/// The files `file` refers to through `crate::…` and `super::…` paths.
fn imports(src: &Path, file: &Path, files: &BTreeSet<PathBuf>) -> BTreeSet<PathBuf> {
    let code = code_of(src, file);
    let here = module_of(file);
    let mut found = BTreeSet::new();
    for (anchor, base) in [
        ("crate::", Vec::new()),
        // `a/b.rs` is module a::b and `a/b/mod.rs` module a::b too: in
        // both, `super` is a.
        ("super::", here[..here.len().saturating_sub(1)].to_vec()),
    ] {
        let mut rest = code.as_str();
        while let Some(at) = rest.find(anchor) {
            let before = rest[..at].chars().next_back();
            rest = &rest[at + anchor.len()..];
            if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':') {
                continue; // `super::super::`, `$crate::`, a longer name
            }
            for path in paths_at(rest) {
                let full: Vec<String> = base.iter().cloned().chain(path).collect();
                if let Some(target) = resolve(&full, files)
                    && target != file
                {
                    found.insert(target);
                }
            }
        }
    }
    found
}

/// The file defining the longest prefix of `path` that is a module file.
fn resolve(path: &[String], files: &BTreeSet<PathBuf>) -> Option<PathBuf> {
    (1..=path.len()).rev().find_map(|n| {
        let joined = path[..n].join("/");
        [format!("{joined}.rs"), format!("{joined}/mod.rs")]
            .into_iter()
            .map(PathBuf::from)
            .find(|candidate| files.contains(candidate))
    })
}

fn graph() -> (PathBuf, BTreeMap<PathBuf, BTreeSet<PathBuf>>) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let files: BTreeSet<PathBuf> = source_files(&src).into_iter().collect();
    let graph = files
        .iter()
        .map(|f| (f.clone(), imports(&src, f, &files)))
        .collect();
    (src, graph)
}

#[test]
fn the_import_reader_sees_use_trees_and_paths() {
    let paths = paths_at("net::{http::{Http, HttpError}, retry}, x");
    let shown: Vec<String> = paths.iter().map(|p| p.join("::")).collect();
    assert_eq!(
        shown,
        ["net::http::Http", "net::http::HttpError", "net::retry"]
    );
    assert_eq!(code_only("a // crate::x\n\"crate::y\" b"), "a \n\"\" b");
    let (_, graph) = graph();
    let install = &graph[Path::new("install/module_source.rs")];
    assert!(install.contains(Path::new("net/goproxy.rs")), "{install:?}");
    assert!(install.contains(Path::new("install/mod.rs")), "{install:?}");
}

/// The module of `file` that sits directly below the deepest module it
/// shares with `other` (`net/http.rs` against `verify/keys.rs`: `net`;
/// against `net/sources.rs`: `net::http`); `None` when one contains the
/// other (a module and its own parent are one unit).
fn sibling_module(file: &Path, other: &Path) -> Option<String> {
    let (a, b) = (module_of(file), module_of(other));
    let shared = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    (shared < a.len() && shared < b.len()).then(|| a[..=shared].join("::"))
}

/// The import graph between modules at every level: `net` → `verify`
/// when a file under `net/` imports one under `verify/`, `net::http` →
/// `net::sources` for files within `net`. Each edge keeps the file import
/// that makes it, for the message.
fn module_graph(
    files: &BTreeMap<PathBuf, BTreeSet<PathBuf>>,
) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut graph: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for (file, targets) in files {
        for target in targets {
            if let (Some(from), Some(to)) =
                (sibling_module(file, target), sibling_module(target, file))
            {
                graph
                    .entry(from)
                    .or_default()
                    .entry(to)
                    .or_insert_with(|| format!("{} imports {}", file.display(), target.display()));
            }
        }
    }
    graph
}

/// Every cycle of `graph`, one per strongly connected group of nodes, as
/// the path around it (`a -> b -> a`) with why each step is there.
fn cycles(graph: &BTreeMap<String, BTreeMap<String, String>>) -> Vec<String> {
    let reaches = |from: &str, to: &str| -> Option<Vec<String>> {
        // Breadth first: the shortest path from `from` to `to`.
        let mut previous: BTreeMap<&str, &str> = BTreeMap::new();
        let mut queue = std::collections::VecDeque::from([from]);
        while let Some(node) = queue.pop_front() {
            for next in graph.get(node).into_iter().flat_map(|t| t.keys()) {
                if next == to {
                    let mut path = vec![to.to_string(), node.to_string()];
                    let mut at = node;
                    while at != from {
                        at = previous[at];
                        path.push(at.to_string());
                    }
                    path.reverse();
                    return Some(path);
                }
                if next != from && !previous.contains_key(next.as_str()) {
                    previous.insert(next, node);
                    queue.push_back(next);
                }
            }
        }
        None
    };
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut found = Vec::new();
    for node in graph.keys() {
        if seen.contains(node) {
            continue;
        }
        let Some(path) = reaches(node, node) else {
            continue;
        };
        seen.extend(path.iter().cloned());
        let steps: Vec<String> = path
            .windows(2)
            .map(|w| format!("\n    {} -> {}: {}", w[0], w[1], graph[&w[0]][&w[1]]))
            .collect();
        found.push(format!("{}{}", path.join(" -> "), steps.concat()));
    }
    found
}

/// The file graph in the shape [`cycles`] reads.
fn file_graph(
    files: &BTreeMap<PathBuf, BTreeSet<PathBuf>>,
) -> BTreeMap<String, BTreeMap<String, String>> {
    files
        .iter()
        .map(|(file, targets)| {
            let name = file.display().to_string();
            let edges = targets
                .iter()
                .map(|t| (t.display().to_string(), "imported".to_string()))
                .collect();
            (name, edges)
        })
        .collect()
}

#[test]
fn the_cycle_finder_sees_cycles_across_several_files() {
    let files: BTreeMap<PathBuf, BTreeSet<PathBuf>> = [
        ("net/download.rs", "verify/checksum.rs"),
        ("verify/sumdb/client.rs", "net/http.rs"),
        ("verify/keys.rs", "verify/sumdb/mod.rs"),
        ("archive/mod.rs", "files.rs"),
    ]
    .into_iter()
    .map(|(from, to)| (PathBuf::from(from), BTreeSet::from([PathBuf::from(to)])))
    .collect();
    let found = cycles(&module_graph(&files));
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].starts_with(
            "net -> verify -> net\n    net -> verify: net/download.rs imports verify/checksum.rs"
        ),
        "{}",
        found[0]
    );
    assert!(cycles(&file_graph(&files)).is_empty());
    // A module and its parent are one unit; a longer file cycle is seen.
    assert_eq!(
        sibling_module(Path::new("net/http.rs"), Path::new("net/mod.rs")),
        None
    );
    let ring: BTreeMap<PathBuf, BTreeSet<PathBuf>> =
        [("a.rs", "b.rs"), ("b.rs", "c.rs"), ("c.rs", "a.rs")]
            .into_iter()
            .map(|(from, to)| (PathBuf::from(from), BTreeSet::from([PathBuf::from(to)])))
            .collect();
    assert_eq!(cycles(&file_graph(&ring)).len(), 1);
    assert_eq!(cycles(&module_graph(&ring)).len(), 1);
}

#[test]
fn no_import_cycles_between_files_or_modules() {
    let (_, graph) = graph();
    let found: Vec<String> = cycles(&file_graph(&graph))
        .into_iter()
        .chain(cycles(&module_graph(&graph)))
        .collect();
    assert!(
        found.is_empty(),
        "import cycles (each layer imports only the ones below it):\n{}",
        found.join("\n")
    );
}

#[test]
fn lower_layers_never_name_the_top_level_error_or_the_commands() {
    let (_, graph) = graph();
    let upper = [
        "lib.rs",
        "main.rs",
        "cli.rs",
        "error.rs",
        "settings.rs",
        "fuzzing.rs",
    ];
    let upper_dirs = ["commands", "install", "doctor"];
    let mut wrong = Vec::new();
    for (file, targets) in &graph {
        let name = file.to_string_lossy();
        // A file's own submodules (`error/tests.rs` of `error.rs`) are part of it.
        let upper_file =
            |u: &&str| name == *u || name.starts_with(&format!("{}/", u.trim_end_matches(".rs")));
        if upper.iter().any(upper_file)
            || upper_dirs
                .iter()
                .any(|d| name.starts_with(&format!("{d}/")))
        {
            continue;
        }
        for target in targets {
            let target_name = target.to_string_lossy();
            if target_name == "error.rs"
                || target_name == "cli.rs"
                || target_name == "settings.rs"
                || upper_dirs
                    .iter()
                    .any(|d| target_name.starts_with(&format!("{d}/")))
            {
                wrong.push(format!("{name} imports {target_name}"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports running up the layers:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn only_main_decides_how_the_process_exits() {
    let (src, graph) = graph();
    let exits: Vec<String> = graph
        .keys()
        .filter(|f| code_of(&src, f).contains("process::exit"))
        .map(|f| f.display().to_string())
        .collect();
    assert!(exits.is_empty(), "process::exit outside main: {exits:?}");
}

/// Every `.rs` file under `shims/src/` with its code (tests cut off).
fn shim_sources() -> Vec<(String, String)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("shims/src");
    source_files(&src)
        .into_iter()
        .map(|file| {
            let code = code_of(&src, &file);
            (file.display().to_string(), code)
        })
        .collect()
}

/// How code reads the process's environment: `std::env::var`, `var_os`,
/// `vars` and `vars_os` all start so.
const ENV_READ: &str = "env::var";

/// Code before the first test module: tests may set up their own environment.
fn without_tests(code: &str) -> &str {
    code.split("#[cfg(test)]").next().unwrap_or("")
}

#[test]
fn only_settings_reads_configuration_from_the_environment() {
    let (src, graph) = graph();
    let mut readers = Vec::new();
    for file in graph.keys() {
        let name = file.to_string_lossy();
        let code = code_of(&src, file);
        let code = without_tests(&code);
        // Activation reads the PATH/GOROOT it edits: the shell's state, not
        // configuration.
        if name != "switch/activate.rs" && code.contains(ENV_READ) {
            readers.push(format!("{name} calls std::{ENV_READ}…"));
        }
        // Settings alone reads the process's environment, through the
        // shim crate's `Environment`.
        if name != "settings.rs" && code.contains("Environment::Process") {
            readers.push(format!("{name} reads Environment::Process"));
        }
    }
    // The shim crate: `env.rs` is the one reader, the shim's `main` the
    // one place that chooses the process's environment.
    for (name, code) in shim_sources() {
        let code = without_tests(&code);
        if name != "env.rs" && code.contains(ENV_READ) {
            readers.push(format!("shims/src/{name} reads the environment"));
        }
        if !["env.rs", "main.rs"].contains(&name.as_str()) && code.contains("Environment::Process")
        {
            readers.push(format!("shims/src/{name} reads Environment::Process"));
        }
    }
    assert!(
        readers.is_empty(),
        "environment read outside settings:\n{}",
        readers.join("\n")
    );
}
