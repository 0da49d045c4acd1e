//! Disk use: `gvmr prune` (installed versions nothing selects), `gvmr
//! cache` and `cache clean`, and what `gvmr list` says about each version
//! (size, what selects it, a newer patch, end of support) without the
//! network.

use crate::assert_transcript;
use crate::support::server::Fault;
use crate::support::{Session, dir_names, stderr_of, stdout_of, transcript};
use predicates::str::contains;
use std::path::Path;
use std::time::Duration;

/// An environment with `versions` published (stable), listed and installed.
fn installed(versions: &[&str]) -> Session {
    let s = Session::with_releases(versions);
    s.install(versions);
    s
}

/// A project directory under the test root pinned to `version` by a
/// `.go-version`, seen by gvmr (`gvmr current` there records it).
fn project(s: &Session, name: &str, version: &str) -> std::path::PathBuf {
    let dir = s.root().join(name);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(".go-version"), format!("{version}\n")).unwrap();
    s.gvmr().current_dir(&dir).arg("current").assert().success();
    dir
}

fn projects_json(s: &Session) -> serde_json::Value {
    let text = std::fs::read_to_string(s.home().join("projects.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn prune_removes_what_nothing_selects_and_says_why() {
    let s = installed(&["go1.21.0", "go1.22.4", "go1.22.5", "go1.23.0"]);
    s.gvmr().args(["default", "1.23.0"]).assert().success();
    let kept = project(&s, "kept", "1.22.5");
    let deleted = project(&s, "deleted", "1.22.4");
    std::fs::remove_dir_all(&deleted).unwrap();
    let all = ["go1.21.0", "go1.22.4", "go1.22.5", "go1.23.0"];
    s.server.clear_requests();

    let output = s.gvmr().args(["prune", "--dry-run"]).output().unwrap();
    assert_transcript!(s, output, @"
    exit: 0
    --- stdout
    go1.23.0  531 B  keep: default
    go1.22.5  531 B  keep: [ROOT]/kept/.go-version
    go1.22.4  531 B  remove: only [ROOT]/deleted/.go-version selected it, and that file is gone
    go1.21.0  531 B  remove: nothing selects it
    --- stderr
    Dry run: would remove 2 versions (1.0 KiB)
    ");
    assert!(output.status.success());
    assert_eq!(s.version_names(), all, "a dry run removes nothing");

    // Not a terminal and no --yes: refused, nothing removed.
    let output = s.gvmr().arg("prune").output().unwrap();
    assert_transcript!(s, output, @"
    exit: 2
    --- stdout
    go1.23.0  531 B  keep: default
    go1.22.5  531 B  keep: [ROOT]/kept/.go-version
    go1.22.4  531 B  remove: only [ROOT]/deleted/.go-version selected it, and that file is gone
    go1.21.0  531 B  remove: nothing selects it
    --- stderr
    error: gvmr prune would remove 2 versions (1.0 KiB) but asks first, and standard input is not a terminal to ask on
    hint: see what it would remove with --dry-run, then confirm with --yes
    ");
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(s.version_names(), all);
    assert!(
        projects_json(&s)["projects"]
            .as_object()
            .unwrap()
            .keys()
            .any(|k| k.starts_with(&deleted.display().to_string())),
        "nothing is forgotten either"
    );

    let output = s.gvmr().args(["prune", "--yes"]).output().unwrap();
    assert_transcript!(s, output, @"
    exit: 0
    --- stdout
    go1.23.0  531 B  keep: default
    go1.22.5  531 B  keep: [ROOT]/kept/.go-version
    go1.22.4  531 B  remove: only [ROOT]/deleted/.go-version selected it, and that file is gone
    go1.21.0  531 B  remove: nothing selects it
    --- stderr
    Uninstalled go1.22.4 and its cached download (1.5 KiB freed)
    Uninstalled go1.21.0 and its cached download (1.5 KiB freed)
    Forgot 1 project whose version file is gone: [ROOT]/deleted/.go-version
    Freed 3.0 KiB
    ");
    assert!(output.status.success());
    assert_eq!(s.version_names(), ["go1.22.5", "go1.23.0"]);
    assert_eq!(s.tmp_after_purge(), Vec::<String>::new());
    let cached: Vec<String> = s.downloads().into_keys().collect();
    assert!(
        cached
            .iter()
            .all(|f| f.contains("1.22.5") || f.contains("1.23.0")),
        "the removed versions' downloads go too: {cached:?}"
    );
    let projects = projects_json(&s);
    let recorded: Vec<&String> = projects["projects"].as_object().unwrap().keys().collect();
    assert_eq!(
        recorded,
        [&kept.join(".go-version").display().to_string()],
        "the deleted project is forgotten"
    );
    assert!(s.server.requests().is_empty(), "prune needs no network");

    s.gvmr()
        .args(["prune", "--yes"])
        .assert()
        .success()
        .stderr(contains(
            "Nothing to prune: the default or a known project selects every installed version",
        ));
    assert_eq!(s.version_names(), ["go1.22.5", "go1.23.0"]);
}

#[test]
fn prune_asks_on_a_terminal() {
    let s = installed(&["go1.22.5", "go1.23.0"]);
    s.gvmr().args(["default", "1.23.0"]).assert().success();

    let no = s.in_terminal(&["prune"], "n\n");
    let shown = stdout_of(&no);
    assert!(no.status.success(), "{shown}");
    assert!(shown.contains("Remove 1 version ("), "{shown}");
    assert!(shown.contains("Nothing removed"), "{shown}");
    assert_eq!(s.version_names(), ["go1.22.5", "go1.23.0"]);

    let yes = s.in_terminal(&["prune"], "y\n");
    let shown = stdout_of(&yes);
    assert!(yes.status.success(), "{shown}");
    assert!(shown.contains("Uninstalled go1.22.5"), "{shown}");
    assert_eq!(s.version_names(), ["go1.23.0"]);
}

/// Issue 17: `list` and `prune` give the resolver's own answer for each
/// recorded project: a `.go-version` that gives way to its go.mod is not
/// what keeps a version (`current` says go.mod decides there).
#[test]
fn list_and_prune_credit_the_file_the_resolver_names() {
    let s = installed(&["go1.22.5", "go1.23.0"]);
    // Only the projects keep versions here: no default.
    s.unset_default();
    let h2 = project(&s, "h2", "1.22.5");
    std::fs::write(h2.join("go.mod"), "module h2\n\ngo 1.23\n").unwrap();
    let current = s.gvmr_in(&h2).arg("current").output().unwrap();
    assert_eq!(
        stdout_of(&current),
        format!("go1.23.0 (set by {})\n", h2.join("go.mod").display())
    );

    let output = s.gvmr().arg("list").output().unwrap();
    assert_transcript!(s, output, @"
    exit: 0
    --- stdout
    go1.23.0  531 B  [ROOT]/h2/go.mod
    go1.22.5  531 B
    --- stderr
    ");
    let output = s.gvmr().args(["prune", "--dry-run"]).output().unwrap();
    assert_transcript!(s, output, @"
    exit: 0
    --- stdout
    go1.23.0  531 B  keep: [ROOT]/h2/go.mod
    go1.22.5  531 B  remove: nothing selects it
    --- stderr
    Dry run: would remove 1 version (531 B)
    ");
}

/// Issue 17: with many projects selecting a version, `list` and `prune`
/// keep one version per line at the terminal's width: the projects are
/// counted ("6 projects"); `list --json` names them all, and so does
/// output that is not a terminal.
#[test]
fn list_and_prune_fit_the_terminal_and_json_names_every_project() {
    let s = installed(&["go1.22.5", "go1.23.0"]);
    s.gvmr().args(["default", "1.23.0"]).assert().success();
    let projects: Vec<_> = (1..=6)
        .map(|n| project(&s, &format!("a-project-with-a-long-name-{n}"), "1.22.5"))
        .collect();

    let shown = stdout_of(&s.in_terminal(&["list"], "")).replace('\r', "");
    let lines: Vec<&str> = shown.lines().collect();
    assert_eq!(lines[0], "go1.23.0  531 B  default", "{shown}");
    assert_eq!(lines[1], "go1.22.5  531 B  6 projects", "{shown}");
    assert!(
        shown.contains("note: `gvmr list --json` names every project a count stands for"),
        "{shown}"
    );
    let shown = stdout_of(&s.in_terminal(&["prune", "--dry-run"], "")).replace('\r', "");
    assert!(
        shown.starts_with("go1.23.0  531 B  keep: default\ngo1.22.5  531 B  keep: 6 projects\n"),
        "{shown}"
    );
    assert!(shown.lines().all(|l| l.chars().count() <= 80), "{shown}");

    let json: serde_json::Value =
        serde_json::from_slice(&s.gvmr().args(["list", "--json"]).output().unwrap().stdout)
            .unwrap();
    let mut expected: Vec<String> = projects
        .iter()
        .map(|p| p.join(".go-version").display().to_string())
        .collect();
    expected.sort();
    assert_eq!(json[1]["selected_by"], serde_json::json!(expected));
    // Not a terminal: nothing wraps, every project is named.
    let piped = stdout_of(&s.gvmr().arg("list").output().unwrap());
    assert!(
        piped.lines().nth(1).unwrap().ends_with(&expected[5]),
        "{piped}"
    );
}

#[test]
fn projects_are_recorded_by_use_install_and_the_hook_and_survive_damage() {
    let s = installed(&["go1.22.5", "go1.23.0"]);
    let used = s.root().join("used");
    std::fs::create_dir_all(&used).unwrap();
    s.gvmr()
        .current_dir(&used)
        .args(["use", "1.22.5"])
        .assert()
        .success();
    let hooked = s.root().join("hooked");
    std::fs::create_dir_all(&hooked).unwrap();
    std::fs::write(hooked.join("go.mod"), "module x\n\ngo 1.23.0\n").unwrap();
    s.gvmr()
        .current_dir(&hooked)
        .args(["hook-env", "--shell", "bash", "--pid", "1"])
        .assert()
        .success();
    let recorded = projects_json(&s)["projects"].clone();
    assert_eq!(
        recorded,
        serde_json::json!({
            hooked.join("go.mod").display().to_string(): ">= 1.23.0",
            used.join(".go-version").display().to_string(): "go1.22.5",
        })
    );

    // A damaged file is replaced by the next record, not fatal.
    std::fs::write(s.home().join("projects.json"), "{\"projects\": [").unwrap();
    let output = s.gvmr().arg("list").output().unwrap();
    assert!(output.status.success());
    assert!(
        stderr_of(&output).contains("projects.json is damaged"),
        "{}",
        stderr_of(&output)
    );
    let installing = s.root().join("installing");
    std::fs::create_dir_all(&installing).unwrap();
    std::fs::write(installing.join(".go-version"), "1.23.0\n").unwrap();
    s.gvmr()
        .current_dir(&installing)
        .arg("install")
        .assert()
        .success();
    assert_eq!(
        projects_json(&s)["projects"],
        serde_json::json!({installing.join(".go-version").display().to_string(): "go1.23.0"})
    );
}

#[test]
fn cache_shows_and_cleans_the_downloads_and_the_listing() {
    let s = installed(&["go1.21.0", "go1.22.5"]);
    // What an older gvmr left: go1.21.0 uninstalled, its archive kept.
    std::fs::remove_dir_all(s.versions_dir().join("go1.21.0")).unwrap();
    std::fs::write(s.home().join("downloads/notes.txt"), "mine").unwrap();
    s.server.clear_requests();
    let output = s.gvmr().arg("cache").output().unwrap();
    let mut ages = s.filters();
    ages.add_filter(r"fetched [^\n]*", "fetched [AGE] ago");
    ages.bind(|| {
        insta::assert_snapshot!(transcript(&output), @"
    exit: 0
    --- stdout
    Downloads in [ROOT]/gvmr-home/downloads (7 files, 2.0 KiB):
      go1.21.0.linux-amd64.tar.gz         619 B  go1.21.0, not installed
      go1.21.0.linux-amd64.tar.gz.asc     325 B  go1.21.0, not installed
      go1.21.0.linux-amd64.tar.gz.sha256   65 B  go1.21.0, not installed
      go1.22.5.linux-amd64.tar.gz         619 B  go1.22.5
      go1.22.5.linux-amd64.tar.gz.asc     325 B  go1.22.5
      go1.22.5.linux-amd64.tar.gz.sha256   65 B  go1.22.5
      notes.txt                             4 B
    Release listing in [ROOT]/gvmr-home/cache (1 file, 714 B):
      listing-[HASH].json  714 B  fetched [AGE] ago
    `gvmr cache clean` frees 1009 B (the downloads of versions that are not installed)
    --- stderr
    ")
    });

    let json: serde_json::Value =
        serde_json::from_slice(&s.gvmr().args(["cache", "--json"]).output().unwrap().stdout)
            .unwrap();
    let files = json["downloads"]["files"].as_array().unwrap();
    let names: Vec<(&str, &serde_json::Value, bool)> = files
        .iter()
        .map(|f| {
            (
                f["name"].as_str().unwrap(),
                &f["version"],
                f["installed"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            ("go1.21.0.linux-amd64.tar.gz", &"go1.21.0".into(), false),
            ("go1.21.0.linux-amd64.tar.gz.asc", &"go1.21.0".into(), false),
            (
                "go1.21.0.linux-amd64.tar.gz.sha256",
                &"go1.21.0".into(),
                false
            ),
            ("go1.22.5.linux-amd64.tar.gz", &"go1.22.5".into(), true),
            ("go1.22.5.linux-amd64.tar.gz.asc", &"go1.22.5".into(), true),
            (
                "go1.22.5.linux-amd64.tar.gz.sha256",
                &"go1.22.5".into(),
                true
            ),
            ("notes.txt", &serde_json::Value::Null, false),
        ]
    );
    let sum: u64 = files.iter().map(|f| f["bytes"].as_u64().unwrap()).sum();
    assert_eq!(json["downloads"]["bytes"], sum);
    let listing = json["listing"]["files"].as_array().unwrap();
    assert_eq!(listing.len(), 1);
    assert!(listing[0]["age_seconds"].as_u64().unwrap() < 600);

    // A download another gvmr is busy with is left alone.
    let lock_path = s.home().join("locks/go1.21.0.lock");
    std::fs::create_dir_all(lock_path.parent().unwrap()).unwrap();
    let lock = std::fs::File::create(&lock_path).unwrap();
    lock.lock().unwrap();
    s.gvmr()
        .args(["cache", "clean"])
        .assert()
        .success()
        .stderr(contains(
            "Kept the cached download of go1.21.0: another gvmr is installing it",
        ));
    assert_eq!(s.downloads().len(), 7);
    drop(lock);

    let output = s.gvmr().args(["cache", "clean"]).output().unwrap();
    assert_transcript!(s, output, @"
    exit: 0
    --- stdout
    --- stderr
    Removed the cached download of go1.21.0 (3 files, 1009 B)
    Freed 1009 B
    ");
    assert_eq!(
        s.downloads().into_keys().collect::<Vec<_>>(),
        [
            "go1.22.5.linux-amd64.tar.gz",
            "go1.22.5.linux-amd64.tar.gz.asc",
            "go1.22.5.linux-amd64.tar.gz.sha256",
            "notes.txt"
        ]
    );
    let output = s.gvmr().args(["cache", "clean"]).output().unwrap();
    assert_transcript!(s, output, @"
    exit: 0
    --- stdout
    --- stderr
    Nothing to remove: every cached download belongs to an installed version (`gvmr cache clean --all` removes those too)
    ");

    let output = s.gvmr().args(["cache", "clean", "--all"]).output().unwrap();
    assert_transcript!(s, output, @"
    exit: 0
    --- stdout
    --- stderr
    Removed the cached download of go1.22.5 (3 files, 1009 B)
    Removed other cached downloads (1 file, 4 B)
    Removed the cached release listing (1 file, 714 B)
    Freed 1.7 KiB
    ");
    assert!(s.downloads().is_empty());
    assert!(dir_names(&s.home().join("cache")).is_empty());
    assert_eq!(s.version_names(), ["go1.22.5"], "versions stay");
    assert!(s.server.requests().is_empty(), "no network");
}

#[test]
fn list_shows_sizes_selectors_and_marks_from_the_cached_listing_only() {
    let s = Session::with_releases(&["go1.21.13", "go1.22.5"]);
    s.publish("go1.21.0");
    s.publish("go1.22.4");
    s.publish("go1.23.0");
    s.install(&["go1.21.0", "go1.22.4", "go1.23.0"]);
    s.gvmr().args(["default", "1.23.0"]).assert().success();
    let app = project(&s, "app", "1.22.4");
    let also = project(&s, "also", "1.23.0");
    let _ = (app, also);

    // Lines 1.23 and 1.22 are supported; 1.21 is past its end.
    let output = s.gvmr().arg("list").output().unwrap();
    assert_transcript!(s, output, @"
    exit: 0
    --- stdout
    go1.23.0  531 B  default, [ROOT]/also/.go-version
    go1.22.4  531 B  [ROOT]/app/.go-version            [go1.22.5 available]
    go1.21.0  531 B                                                  [go1.21.13 available, end of support]
    --- stderr
    ");

    // Without a cached listing: no marks, no error, and no request even to
    // a listing server that would stall.
    std::fs::remove_dir_all(s.home().join("cache")).unwrap();
    s.server
        .fault("/listing.json", Fault::Stall(Duration::from_secs(60)));
    s.server.clear_requests();
    let output = s.gvmr().arg("list").output().unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert_eq!(stderr_of(&output), "");
    let text = stdout_of(&output);
    assert!(!text.contains('['), "no marks without a listing:\n{text}");
    assert!(text.contains("default"), "{text}");
    assert!(s.server.requests().is_empty(), "{:?}", s.server.requests());
    // A closed port as the listing: the same.
    s.gvmr()
        .env("GVMR_INDEX_URL", "http://127.0.0.1:9/listing.json")
        .arg("list")
        .assert()
        .success()
        .stderr("");
}

#[test]
fn sizes_come_from_the_manifest_or_a_walk() {
    let s = installed(&["go1.22.5"]);
    let size = |s: &Session| -> serde_json::Value {
        let output = s.gvmr().args(["list", "--json"]).output().unwrap();
        serde_json::from_slice::<serde_json::Value>(&output.stdout).unwrap()[0]["size_bytes"]
            .clone()
    };
    let from_manifest = size(&s);
    let dir = s.versions_dir().join("go1.22.5");
    let walked: u64 = crate::support::walk(&dir)
        .iter()
        .map(|p| dir.join(p))
        .filter(|p| p.is_file())
        .map(|p| std::fs::metadata(p).unwrap().len())
        .sum();
    assert_eq!(from_manifest, walked);
    // The manifest is what counts while it exists: it is read, not the tree.
    std::fs::write(dir.join("extra"), vec![0u8; 1000]).unwrap();
    assert_eq!(size(&s), from_manifest);
    std::fs::remove_file(Path::new(&s.home().join("manifests/go1.22.5.json"))).unwrap();
    assert_eq!(size(&s), walked + 1000);
}
