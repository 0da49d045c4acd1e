//! Editors: the stable Go roots in `$GVMR_HOME/sdk/` (kept current by
//! install, upgrade, default, uninstall and prune, and accepted by GoLand's
//! rules for an SDK home), `gvmr ide` and `gvmr ide vscode --write`, and
//! doctor's Editors group.

use crate::assert_transcript;
use crate::support::mirror::fake_go_sdk_archive;
use crate::support::{Session, stdout_of, write_file};
use std::collections::BTreeMap;
use std::path::Path;

/// A session whose mirror publishes Go roots with the runtime's sources
/// (what editors look for) for each of `versions`.
fn sdk_session(versions: &[&str]) -> Session {
    let s = Session::new();
    for version in versions {
        s.publish_archive(version, fake_go_sdk_archive(version));
    }
    s
}

/// `sdk/`: link name → where it points.
fn links(s: &Session) -> BTreeMap<String, String> {
    crate::support::dir_names(&s.home().join("sdk"))
        .into_iter()
        .map(|name| {
            let target = std::fs::read_link(s.home().join("sdk").join(&name))
                .unwrap_or_else(|e| panic!("sdk/{name} is not a link: {e}"));
            (name, target.display().to_string())
        })
        .collect()
}

/// The links the test expects: name → version directory.
fn expected(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(name, version)| (name.to_string(), format!("../versions/{version}")))
        .collect()
}

/// GoLand's rules for a Go SDK home ("The selected directory is not a
/// valid home for Go SDK" otherwise), as this test reads them: a VERSION
/// file whose first line names a Go version, and the runtime's sources in
/// src/runtime; a directory named goroot is taken for an App Engine SDK.
/// Returns the version.
fn goland_accepts(home: &Path) -> Result<String, String> {
    if home.file_name().is_some_and(|n| n == "goroot") {
        return Err(format!("{} is named goroot", home.display()));
    }
    let version = std::fs::read_to_string(home.join("VERSION"))
        .map_err(|e| format!("{}: no VERSION: {e}", home.display()))?;
    let first = version.lines().next().unwrap_or_default().to_string();
    if !first.starts_with("go1.") {
        return Err(format!("{}: VERSION says {first:?}", home.display()));
    }
    let runtime = std::fs::read_dir(home.join("src/runtime"))
        .map_err(|e| format!("{}: no src/runtime: {e}", home.display()))?;
    if !runtime
        .flatten()
        .any(|e| e.file_name().to_string_lossy().ends_with(".go"))
    {
        return Err(format!("{}: src/runtime has no Go file", home.display()));
    }
    Ok(first)
}

#[track_caller]
fn assert_links(s: &Session, pairs: &[(&str, &str)], when: &str) {
    assert_eq!(links(s), expected(pairs), "{when}");
    for (name, version) in pairs {
        let home = s.home().join("sdk").join(name);
        assert_eq!(
            goland_accepts(&home).as_deref(),
            Ok(*version),
            "{when}: GoLand refuses sdk/{name}"
        );
    }
}

#[track_caller]
fn gvmr_ok(s: &Session, args: &[&str]) -> String {
    let output = s.gvmr().args(args).output().unwrap();
    let stderr = crate::support::stderr_of(&output);
    assert!(output.status.success(), "gvmr {args:?}: {stderr}");
    stderr
}

#[test]
fn sdk_links_follow_install_upgrade_default_uninstall_and_prune() {
    let s = sdk_session(&["go1.21.0", "go1.22.4", "go1.22.5"]);
    gvmr_ok(&s, &["install", "1.22.4"]);
    assert_links(
        &s,
        &[("default", "go1.22.4"), ("go1.22", "go1.22.4")],
        "first install (the default now)",
    );
    gvmr_ok(&s, &["install", "1.21.0"]);
    assert_links(
        &s,
        &[
            ("default", "go1.22.4"),
            ("go1.21", "go1.21.0"),
            ("go1.22", "go1.22.4"),
        ],
        "a second line",
    );
    gvmr_ok(&s, &["upgrade", "--default"]);
    assert_links(
        &s,
        &[
            ("default", "go1.22.5"),
            ("go1.21", "go1.21.0"),
            ("go1.22", "go1.22.5"),
        ],
        "upgrade --default: the newest patch, for the line and the default",
    );
    gvmr_ok(&s, &["default", "1.22.4"]);
    assert_links(
        &s,
        &[
            ("default", "go1.22.4"),
            ("go1.21", "go1.21.0"),
            ("go1.22", "go1.22.5"),
        ],
        "gvmr default",
    );
    gvmr_ok(&s, &["uninstall", "1.22.5"]);
    assert_links(
        &s,
        &[
            ("default", "go1.22.4"),
            ("go1.21", "go1.21.0"),
            ("go1.22", "go1.22.4"),
        ],
        "uninstall: the line falls back to the patch left",
    );
    gvmr_ok(&s, &["prune", "--yes"]);
    assert_links(
        &s,
        &[("default", "go1.22.4"), ("go1.22", "go1.22.4")],
        "prune removed go1.21.0, and its line's link",
    );
    gvmr_ok(&s, &["uninstall", "1.22.4"]);
    assert_links(&s, &[], "nothing installed, no links");
    // A file of the user's in sdk/ is left alone.
    write_file(&s.home().join("sdk/notes"), "mine");
    gvmr_ok(&s, &["install", "1.21.0"]);
    assert_eq!(
        crate::support::dir_names(&s.home().join("sdk")),
        ["go1.21", "notes"],
        "the default names go1.22.4, which is not installed: no default link"
    );
}

#[test]
fn the_first_install_becomes_the_default_and_an_existing_default_never_moves() {
    let s = sdk_session(&["go1.21.0", "go1.22.5"]);
    let stderr = gvmr_ok(&s, &["install", "1.22.5"]);
    assert!(
        stderr.contains(
            "go1.22.5 is now the default, as no default was set (change it with `gvmr default VERSION`)"
        ),
        "{stderr}"
    );
    let default = s.home().join("default");
    assert_eq!(std::fs::read_to_string(&default).unwrap(), "1.22.5\n");
    let stderr = gvmr_ok(&s, &["install", "1.21.0"]);
    assert!(!stderr.contains("default"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&default).unwrap(), "1.22.5\n");
    let output = s
        .gvmr_in(&s.dir("anywhere"))
        .arg("current")
        .output()
        .unwrap();
    assert_eq!(
        stdout_of(&output),
        format!("go1.22.5 (the default, in {})\n", default.display())
    );

    // A default that names nothing installed (or system) is a default too.
    for set in ["1.19.5\n", "system\n"] {
        s.clear_home();
        write_file(&default, set);
        let stderr = gvmr_ok(&s, &["install", "1.21.0"]);
        assert!(!stderr.contains("now the default"), "{stderr}");
        assert_eq!(std::fs::read_to_string(&default).unwrap(), set);
    }
    // `gvmr default` into an empty home says it once.
    s.clear_home();
    let stderr = gvmr_ok(&s, &["default", "1.21.0"]);
    assert!(!stderr.contains("now the default, as"), "{stderr}");
    assert!(
        stderr.contains("1.21.0 resolved to go1.21.0; it is now the default"),
        "{stderr}"
    );
}

#[test]
fn ide_prints_what_each_editor_needs() {
    let s = sdk_session(&["go1.22.4", "go1.22.5"]);
    s.install(&["1.22.4", "1.22.5"]);
    let project = s.dir("app");
    s.write("app/.go-version", "1.22.4\n");
    let output = s.gvmr_in(&project).arg("ide").output().unwrap();
    assert_transcript!(s, output, @r#"
    exit: 0
    --- stdout
    Go here: go1.22.4 (set by [ROOT]/app/.go-version)

    VS Code, in [ROOT]/app/.vscode/settings.json:
      "go.alternateTools": { "go": "[ROOT]/gvmr-home/shims/go" }
          gvmr's go shim: follows .go-version, go.mod and the default, nothing to change when they do
          (`gvmr ide vscode --write` adds it)
      or "go.goroot": "[ROOT]/gvmr-home/sdk/go1.22"
          the newest installed go1.22.x (this directory selects go1.22.4); installs and upgrades move it

    GoLand: Settings > Go > GOROOT > Add SDK > Local..., and choose
      [ROOT]/gvmr-home/sdk/go1.22
          the newest installed go1.22.x (this directory selects go1.22.4); installs and upgrades move it
    --- stderr
    "#);
    // Where the default decides: its own link.
    let output = s
        .gvmr_in(&s.dir("elsewhere"))
        .args(["ide", "goland"])
        .output()
        .unwrap();
    assert_transcript!(s, output, @r"
    exit: 0
    --- stdout
    Go here: go1.22.4 (the default, in [ROOT]/gvmr-home/default)

    GoLand: Settings > Go > GOROOT > Add SDK > Local..., and choose
      [ROOT]/gvmr-home/sdk/default
          always the default's version, now go1.22.4; `gvmr default` moves it
    --- stderr
    ");
    assert_eq!(
        goland_accepts(&s.home().join("sdk/default")).as_deref(),
        Ok("go1.22.4")
    );
    // --write is VS Code's.
    let output = s
        .gvmr_in(&project)
        .args(["ide", "--write"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn ide_vscode_write_merges_the_setting_and_keeps_every_other() {
    let s = sdk_session(&["go1.22.5"]);
    s.install(&["1.22.5"]);
    let project = s.dir("app");
    let settings = project.join(".vscode/settings.json");
    let shim = s.home().join("shims/go").display().to_string();
    let write = |dir: &Path| {
        s.gvmr_in(dir)
            .args(["ide", "vscode", "--write"])
            .output()
            .unwrap()
    };

    // No file: created beside the file that selects the version, from a
    // subdirectory too.
    s.write("app/go.mod", "module app\n\ngo 1.22.0\n");
    let output = write(&s.dir("app/cmd/tool"));
    assert!(output.status.success(), "{output:?}");
    assert_eq!(
        std::fs::read_to_string(&settings).unwrap(),
        format!("{{\n    \"go.alternateTools\": {{\n        \"go\": \"{shim}\"\n    }}\n}}\n")
    );
    assert!(
        crate::support::stderr_of(&output).contains("every other setting kept"),
        "{output:?}"
    );

    // A file with other settings: every one kept, in its place.
    let mine = "{\n  \"editor.tabSize\": 2,\n  \"go.alternateTools\": {\"dlv\": \"/opt/dlv\"},\n  \"[go]\": {\"editor.formatOnSave\": true}\n}\n";
    write_file(&settings, mine);
    let output = write(&project);
    assert!(output.status.success(), "{output:?}");
    assert_eq!(
        std::fs::read_to_string(&settings).unwrap(),
        format!(
            "{{\n  \"editor.tabSize\": 2,\n  \"go.alternateTools\": {{\n    \"dlv\": \"/opt/dlv\",\n    \"go\": \"{shim}\"\n  }},\n  \"[go]\": {{\"editor.formatOnSave\": true}}\n}}\n"
        )
    );
    // Again: nothing to change.
    let before = std::fs::read_to_string(&settings).unwrap();
    let output = write(&project);
    assert!(
        crate::support::stderr_of(&output).contains("already sets go.alternateTools.go"),
        "{output:?}"
    );
    assert_eq!(std::fs::read_to_string(&settings).unwrap(), before);

    // Comments (JSON as VS Code writes it): refused, the file untouched,
    // and what to add by hand.
    let commented = "{\n  // my settings\n  \"editor.tabSize\": 2,\n}\n";
    write_file(&settings, commented);
    let output = write(&project);
    assert_transcript!(s, output, @r#"
    exit: 7
    --- stdout
    --- stderr
    error: gvmr did not change [ROOT]/app/.vscode/settings.json: it has comments or trailing commas, which VS Code allows but gvmr would lose in rewriting it
    hint: add this to its top-level object by hand: "go.alternateTools": { "go": "[ROOT]/gvmr-home/shims/go" }
    "#);
    assert_eq!(std::fs::read_to_string(&settings).unwrap(), commented);
}

#[test]
fn doctor_flags_editor_settings_and_startup_files_naming_removed_versions() {
    let s = sdk_session(&["go1.21.0", "go1.22.5"]);
    s.install(&["1.21.0", "1.22.5"]);
    let project = s.dir("app");
    s.write("app/.go-version", "1.22.5\n");
    let doctor = || {
        let output = s
            .gvmr_in(&project)
            .args(["doctor", "--offline", "--json"])
            .output()
            .unwrap();
        let checks: serde_json::Value = serde_json::from_str(&stdout_of(&output)).unwrap();
        checks
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["section"] == "Editors")
            .map(|c| {
                (
                    c["check"].as_str().unwrap().to_string(),
                    c["status"].as_str().unwrap().to_string(),
                    c["finding"].as_str().unwrap().to_string(),
                )
            })
            .collect::<Vec<_>>()
    };
    let checks = doctor();
    assert!(
        checks.iter().all(|(_, status, _)| status == "ok"),
        "{checks:#?}"
    );

    // VS Code pinned to another version, and to one that is gone.
    let sdk21 = s.home().join("sdk/go1.21");
    let removed = s.goroot("1.20.14");
    write_file(
        &project.join(".vscode/settings.json"),
        format!(
            "{{\n  // pinned by hand\n  \"go.goroot\": \"{}\",\n  \"go.alternateTools\": {{\"go\": \"{}/bin/go\"}},\n}}\n",
            sdk21.display(),
            removed.display()
        ),
    );
    // A shell startup file exporting a GOROOT that was uninstalled.
    write_file(
        &s.user_home().join(".bashrc"),
        format!("export GOROOT={}\n", s.goroot("1.19.13").display()),
    );
    let checks = doctor();
    let find = |name: &str| -> (String, String) {
        let (_, status, finding) = checks
            .iter()
            .find(|(check, _, _)| check == name)
            .unwrap_or_else(|| panic!("no {name} in {checks:#?}"));
        (status.clone(), finding.clone())
    };
    let (status, finding) = find("go.goroot");
    assert_eq!(status, "warning", "{finding}");
    assert!(
        finding.contains("which is go1.21.0, but this directory selects go1.22.5"),
        "{finding}"
    );
    let (status, finding) = find("go.alternateTools.go");
    assert_eq!(status, "error", "{finding}");
    assert!(
        finding.contains(&format!("{} does not exist", removed.display())),
        "{finding}"
    );
    let (status, finding) = find("GOROOT in shell startup files");
    assert_eq!(status, "error", "{finding}");
    assert!(
        finding.contains(&format!(
            "/.bashrc:1 exports GOROOT={}, which does not exist",
            s.goroot("1.19.13").display()
        )),
        "{finding}"
    );

    // The fix gvmr suggests makes VS Code follow the project.
    write_file(&project.join(".vscode/settings.json"), "{}\n");
    let output = s
        .gvmr_in(&project)
        .args(["ide", "vscode", "--write"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let checks = doctor();
    let (_, status, finding) = checks
        .iter()
        .find(|(check, _, _)| check == "go.alternateTools.go")
        .unwrap();
    assert_eq!(status, "ok", "{finding}");
    assert!(finding.contains("gvmr's go shim"), "{finding}");
}
