use super::*;
use proptest::prelude::*;

/// Lines of the kinds version files and go.mod hold, and of kinds they
/// should not, to reach every branch more often than random text does.
fn line() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("go 1.22".to_string()),
        Just("go banana".to_string()),
        Just("toolchain go1.23.1+auto".to_string()),
        Just("toolchain default".to_string()),
        Just("toolchain 1.22".to_string()),
        Just("golang 1.22.5 # pin".to_string()),
        Just("go".to_string()),
        Just("golang".to_string()),
        Just("require (".to_string()),
        Just("\tgo.example/x v1.0.0 // indirect".to_string()),
        Just(")".to_string()),
        Just("// go 1.19".to_string()),
        Just("# 1.21".to_string()),
        Just("latest".to_string()),
        Just("\0".to_string()),
        Just("\r".to_string()),
        Just("\u{feff}go 1.21".to_string()),
        "(go|toolchain|golang) +[a-z0-9.+\\-]{0,12}",
        "[0-9.a-z ]{0,20}",
        "\\PC{0,60}",
        any::<String>(),
        ("[a-z]{0,3}", 0usize..20_000).prop_map(|(s, n)| s.repeat(n)),
    ]
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => (
            prop::collection::vec(line(), 0..12),
            prop::collection::vec(prop::sample::select(&["\n", "\r\n", "\r", ""][..]), 12),
        )
            .prop_map(|(lines, ends)| {
                lines.iter().zip(ends).map(|(l, e)| format!("{l}{e}")).collect()
            }),
        1 => any::<String>(),
    ]
}

fn origin() -> impl Strategy<Value = PathBuf> {
    prop_oneof![
        Just(PathBuf::from("/p/.go-version")),
        "/[a-z é:]{1,10}/go\\.mod".prop_map(PathBuf::from),
    ]
}

fn check_error(e: &SelectError, text: &str, origin: &Path) -> Result<(), TestCaseError> {
    let shown = e.to_string();
    prop_assert!(
        shown.starts_with(&format!("{}:", origin.display())),
        "{shown:?} does not name {origin:?}"
    );
    prop_assert_eq!(&e.origin, &origin.display().to_string());
    if let Some(line) = e.line {
        prop_assert!(
            line >= 1 && line <= text.lines().count(),
            "line {line} in {text:?}"
        );
        let prefix = format!("{}:{line}: ", origin.display());
        prop_assert!(shown.starts_with(&prefix), "{shown:?}");
    }
    Ok(())
}

/// A request that prints and re-parses to itself.
fn round_trips(request: &VersionRequest) -> bool {
    VersionRequest::parse(&request.to_string()).as_ref() == Ok(request)
}

fn requirement_round_trips(requirement: &Requirement) -> bool {
    match requirement {
        Requirement::Request(r) => round_trips(r),
        Requirement::FirstInstalled(list) => list.iter().all(round_trips),
        Requirement::AtLeast(min) => Minimum::parse(&min.to_string()).as_ref() == Ok(min),
    }
}

/// A `go` line's version as written, and what it means.
fn go_version() -> impl Strategy<Value = (String, GoVersion)> {
    (
        1u32..40,
        prop::option::of(0u32..30),
        prop::option::of(1u32..20),
    )
        .prop_map(|(minor, patch, rc)| {
            let mut text = format!("1.{minor}");
            if let Some(patch) = patch {
                text.push_str(&format!(".{patch}"));
            }
            if let Some(rc) = rc {
                text.push_str(&format!("rc{rc}"));
            }
            let version = GoVersion {
                major: 1,
                minor,
                patch: patch.unwrap_or(0),
                pre: rc.map(crate::version::PreRelease::Rc),
            };
            (text, version)
        })
}

/// Lines a valid go.mod holds besides `go` and `toolchain`.
fn other_go_mod_lines() -> impl Strategy<Value = Vec<String>> {
    let module = "[a-z]{1,8}\\.(com|org)/[a-z]{1,8}";
    let version = "v[0-9]{1,2}\\.[0-9]{1,2}\\.[0-9]{1,2}";
    let stanza = prop_oneof![
        Just(vec![String::new()]),
        "// [ -~]{0,30}".prop_map(|c| vec![c]),
        (module, version).prop_map(|(m, v)| vec![format!("require {m} {v}")]),
        (module, version).prop_map(|(m, v)| vec![format!("require {m} {v} // indirect")]),
        (module, version).prop_map(|(m, v)| vec![format!("exclude {m} {v}")]),
        (module, module).prop_map(|(a, b)| vec![format!("replace {a} => {b} v1.0.0")]),
        Just(vec!["godebug default=go1.21".to_string()]),
        Just(vec!["retract v1.0.0 // broken".to_string()]),
        prop::collection::vec((module, version), 0..4).prop_map(|reqs| {
            let mut lines = vec!["require (".to_string()];
            lines.extend(reqs.into_iter().map(|(m, v)| format!("\t{m} {v}")));
            lines.push(")".to_string());
            lines
        }),
    ];
    prop::collection::vec(stanza, 0..8).prop_map(|s| s.concat())
}

/// Found by `select_never_panics_and_returns_round_tripping_versions`:
/// `go0` in `.go-version` selected a version printed as the `0.0` line.
#[test]
fn go0_selects_a_version_that_round_trips() {
    let file = parse_go_version_file("\ngo0\n", Path::new(".go-version"))
        .unwrap()
        .unwrap();
    assert!(round_trips(&file.request), "{file:?}");
}

proptest! {
    #[test]
    fn file_parsers_never_panic_and_name_file_and_line(text in text(), origin in origin()) {
        match parse_go_version_file(&text, &origin) {
            Ok(Some(file)) => {
                prop_assert!(round_trips(&file.request), "{file:?}");
                for (line, _) in &file.ignored {
                    prop_assert!(*line >= 1 && *line <= text.lines().count());
                }
            }
            Ok(None) => {}
            Err(e) => check_error(&e, &text, &origin)?,
        }
        match parse_tool_versions(&text, &origin) {
            Ok(Some(requirement)) => {
                prop_assert!(requirement_round_trips(&requirement), "{requirement:?}");
            }
            Ok(None) => {}
            Err(e) => check_error(&e, &text, &origin)?,
        }
        match parse_go_mod(&text, &origin) {
            Ok(module) => {
                if let Some(requirement) = module.requirement() {
                    prop_assert!(requirement_round_trips(&requirement), "{requirement:?}");
                }
            }
            Err(e) => check_error(&e, &text, &origin)?,
        }
    }

    #[test]
    fn go_mod_yields_exactly_its_requirement(
        module in "[a-z]{1,8}\\.com/[a-z]{1,8}",
        body in other_go_mod_lines(),
        go in prop::option::of((go_version(), any::<prop::sample::Index>(), any::<bool>())),
        toolchain in prop::option::of((
            go_version(),
            any::<prop::sample::Index>(),
            prop::sample::select(&["", "+auto", "-custom"][..]),
        )),
        default_toolchain in prop::option::of(any::<prop::sample::Index>()),
        crlf in any::<bool>(),
        indent in "[ \t]{0,2}",
    ) {
        let mut lines = vec![format!("module {module}")];
        lines.extend(body);
        let mut insert = |at: prop::sample::Index, line: String| {
            let at = 1 + at.index(lines.len());
            lines.insert(at, line);
        };
        if let Some(at) = default_toolchain {
            insert(at, "toolchain default".to_string());
        }
        if let Some(((text, _), at, comment)) = &go {
            let comment = if *comment { " // the minimum" } else { "" };
            insert(*at, format!("{indent}go {text}{comment}"));
        }
        if let Some(((text, _), at, suffix)) = &toolchain {
            insert(*at, format!("toolchain go{text}{suffix}"));
        }
        let end = if crlf { "\r\n" } else { "\n" };
        let text: String = lines.iter().map(|l| format!("{l}{end}")).collect();
        let minimum = go.as_ref().map(|((text, _), _, _)| Minimum::parse(text).unwrap());
        // A toolchain line older than the go line is ignored, as Go ignores it.
        let toolchain = toolchain
            .as_ref()
            .map(|((_, v), _, _)| *v)
            .filter(|v| minimum.is_none_or(|m| m.admits(v)));
        let expected = match (toolchain, minimum) {
            (Some(v), _) => Some(Requirement::Request(VersionRequest::Exact(v))),
            (None, Some(min)) => Some(Requirement::AtLeast(min)),
            (None, None) => None,
        };
        let parsed = parse_go_mod(&text, Path::new("go.mod")).map(|m| m.requirement());
        prop_assert_eq!(parsed, Ok(expected), "{}", text);
    }

    #[test]
    fn select_never_panics_and_returns_round_tripping_versions(
        content in prop_oneof![
            text(),
            (prop::option::of("# [ -~]{0,20}"), "\\s{0,3}", "(go)?[0-9]{1,2}(\\.[0-9]{1,2}){0,2}((rc|beta)[0-9]{1,2})?|latest", "\\s{0,3}")
                .prop_map(|(c, a, v, b)| format!("{}\n{a}{v}{b}\n", c.unwrap_or_default())),
        ],
        nested in any::<bool>(),
        go_mod in prop::option::of(text()),
    ) {
        let tree = tempfile::tempdir().unwrap();
        let dir = if nested { tree.path().join("a/b") } else { tree.path().to_path_buf() };
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(tree.path().join(GO_VERSION_FILE), &content).unwrap();
        if let Some(go_mod) = go_mod {
            std::fs::write(dir.join("go.mod"), go_mod).unwrap();
        }
        let inputs = Inputs { gowork: Some("off".into()), ..Inputs::default() };
        match select(&dir, &inputs) {
            Ok(Some(selection)) => {
                prop_assert!(requirement_round_trips(&selection.requirement), "{selection:?}");
                // The .go-version decides, unless it is skipped (blank or
                // comment-only): then the go.mod below it does.
                let skipped = matches!(
                    parse_go_version_file(&content, Path::new(GO_VERSION_FILE)),
                    Ok(None)
                );
                let decider = if skipped { dir.join("go.mod") } else { tree.path().join(GO_VERSION_FILE) };
                prop_assert_eq!(selection.source, Source::File(decider));
            }
            // Only an empty or comment-only file is skipped.
            Ok(None) => prop_assert_eq!(
                parse_go_version_file(&content, Path::new(GO_VERSION_FILE)),
                Ok(None),
                "a .go-version with a version exists, yet nothing was selected"
            ),
            // A skipped (empty) .go-version leaves go.mod to decide.
            Err(e) => prop_assert!(
                e.origin.ends_with(GO_VERSION_FILE) || e.origin.ends_with("go.mod"),
                "{e}"
            ),
        }
    }
}
