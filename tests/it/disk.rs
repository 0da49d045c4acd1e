//! Disk use: `gvmr prune` (installed versions nothing selects), `gvmr
//! cache` and `cache clean`, and what `gvmr list` says about each version
//! (size, what selects it, a newer patch, end of support) without the
//! network.

use crate::snapshot;
use crate::support::keys::TestKey;
use crate::support::mirror::Mirror;
use crate::support::server::{Fault, TestServer};
use crate::support::{Env, dir_names, normalize, stderr_of, stdout_of};
use predicates::str::contains;
use std::path::Path;
use std::time::{Duration, Instant};

fn key() -> TestKey {
    TestKey::generate("Test Go Releases <go@example.org>")
}

/// An environment with `versions` published (stable), listed and installed.
fn installed(mirror: &mut Mirror<'_>, key: &TestKey, versions: &[&str]) -> Env {
    for version in versions {
        mirror.publish(version, true);
    }
    mirror.write_listing();
    let env = Env::new(mirror, key);
    let numbers: Vec<&str> = versions.iter().map(|v| &v[2..]).collect();
    env.gvmr().arg("install").args(&numbers).assert().success();
    env
}

/// A project directory under the test root pinned to `version` by a
/// `.go-version`, seen by gvmr (`gvmr current` there records it).
fn project(env: &Env, name: &str, version: &str) -> std::path::PathBuf {
    let dir = env.root().join(name);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(".go-version"), format!("{version}\n")).unwrap();
    env.gvmr()
        .current_dir(&dir)
        .arg("current")
        .assert()
        .success();
    dir
}

fn projects_json(env: &Env) -> serde_json::Value {
    let text = std::fs::read_to_string(env.home().join("projects.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn prune_removes_what_nothing_selects_and_says_why() {
    let server = TestServer::start();
    let key = key();
    let mut mirror = Mirror::new(&server, &key);
    let env = installed(
        &mut mirror,
        &key,
        &["go1.21.0", "go1.22.4", "go1.22.5", "go1.23.0"],
    );
    env.gvmr().args(["default", "1.23.0"]).assert().success();
    let kept = project(&env, "kept", "1.22.5");
    let deleted = project(&env, "deleted", "1.22.4");
    std::fs::remove_dir_all(&deleted).unwrap();
    let all = ["go1.21.0", "go1.22.4", "go1.22.5", "go1.23.0"];
    server.clear_requests();

    let output = env.gvmr().args(["prune", "--dry-run"]).output().unwrap();
    snapshot!("prune-dry-run", output, env, server);
    assert!(output.status.success());
    assert_eq!(env.version_names(), all, "a dry run removes nothing");

    // Not a terminal and no --yes: refused, nothing removed.
    let output = env.gvmr().arg("prune").output().unwrap();
    snapshot!("prune-not-confirmed", output, env, server);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(env.version_names(), all);
    assert!(
        projects_json(&env)["projects"]
            .as_object()
            .unwrap()
            .keys()
            .any(|k| k.starts_with(&deleted.display().to_string())),
        "nothing is forgotten either"
    );

    let output = env.gvmr().args(["prune", "--yes"]).output().unwrap();
    snapshot!("prune-yes", output, env, server);
    assert!(output.status.success());
    assert_eq!(env.version_names(), ["go1.22.5", "go1.23.0"]);
    assert_eq!(env.tmp_after_purge(), Vec::<String>::new());
    let cached: Vec<String> = env.downloads().into_keys().collect();
    assert!(
        cached
            .iter()
            .all(|f| f.contains("1.22.5") || f.contains("1.23.0")),
        "the removed versions' downloads go too: {cached:?}"
    );
    let projects = projects_json(&env);
    let recorded: Vec<&String> = projects["projects"].as_object().unwrap().keys().collect();
    assert_eq!(
        recorded,
        [&kept.join(".go-version").display().to_string()],
        "the deleted project is forgotten"
    );
    assert!(server.requests().is_empty(), "prune needs no network");

    env.gvmr()
        .args(["prune", "--yes"])
        .assert()
        .success()
        .stderr(contains(
            "Nothing to prune: the default or a known project selects every installed version",
        ));
    assert_eq!(env.version_names(), ["go1.22.5", "go1.23.0"]);
}

#[test]
fn prune_asks_on_a_terminal() {
    let server = TestServer::start();
    let key = key();
    let mut mirror = Mirror::new(&server, &key);
    let env = installed(&mut mirror, &key, &["go1.22.5", "go1.23.0"]);
    env.gvmr().args(["default", "1.23.0"]).assert().success();

    let no = env.in_terminal(&["prune"], "n\n");
    let shown = stdout_of(&no);
    assert!(no.status.success(), "{shown}");
    assert!(shown.contains("Remove 1 version ("), "{shown}");
    assert!(shown.contains("Nothing removed"), "{shown}");
    assert_eq!(env.version_names(), ["go1.22.5", "go1.23.0"]);

    let yes = env.in_terminal(&["prune"], "y\n");
    let shown = stdout_of(&yes);
    assert!(yes.status.success(), "{shown}");
    assert!(shown.contains("Uninstalled go1.22.5"), "{shown}");
    assert_eq!(env.version_names(), ["go1.23.0"]);
}

#[test]
fn projects_are_recorded_by_use_install_and_the_hook_and_survive_damage() {
    let server = TestServer::start();
    let key = key();
    let mut mirror = Mirror::new(&server, &key);
    let env = installed(&mut mirror, &key, &["go1.22.5", "go1.23.0"]);
    let used = env.root().join("used");
    std::fs::create_dir_all(&used).unwrap();
    env.gvmr()
        .current_dir(&used)
        .args(["use", "1.22.5"])
        .assert()
        .success();
    let hooked = env.root().join("hooked");
    std::fs::create_dir_all(&hooked).unwrap();
    std::fs::write(hooked.join("go.mod"), "module x\n\ngo 1.23.0\n").unwrap();
    env.gvmr()
        .current_dir(&hooked)
        .args(["hook-env", "--shell", "bash", "--pid", "1"])
        .assert()
        .success();
    let recorded = projects_json(&env)["projects"].clone();
    assert_eq!(
        recorded,
        serde_json::json!({
            hooked.join("go.mod").display().to_string(): ">= 1.23.0",
            used.join(".go-version").display().to_string(): "go1.22.5",
        })
    );

    // A damaged file is replaced by the next record, not fatal.
    std::fs::write(env.home().join("projects.json"), "{\"projects\": [").unwrap();
    let output = env.gvmr().arg("list").output().unwrap();
    assert!(output.status.success());
    assert!(
        stderr_of(&output).contains("projects.json is damaged"),
        "{}",
        stderr_of(&output)
    );
    let installing = env.root().join("installing");
    std::fs::create_dir_all(&installing).unwrap();
    std::fs::write(installing.join(".go-version"), "1.23.0\n").unwrap();
    env.gvmr()
        .current_dir(&installing)
        .arg("install")
        .assert()
        .success();
    assert_eq!(
        projects_json(&env)["projects"],
        serde_json::json!({installing.join(".go-version").display().to_string(): "go1.23.0"})
    );
}

#[test]
fn cache_shows_and_cleans_the_downloads_and_the_listing() {
    let server = TestServer::start();
    let key = key();
    let mut mirror = Mirror::new(&server, &key);
    let env = installed(&mut mirror, &key, &["go1.21.0", "go1.22.5"]);
    // What an older gvmr left: go1.21.0 uninstalled, its archive kept.
    std::fs::remove_dir_all(env.versions_dir().join("go1.21.0")).unwrap();
    std::fs::write(env.home().join("downloads/notes.txt"), "mine").unwrap();
    server.clear_requests();
    let ages = |text: &str| {
        let text = normalize(text, &env, &server);
        let mut out = String::new();
        for line in text.split_inclusive('\n') {
            match line.find("fetched ") {
                Some(at) => out.push_str(&format!("{}fetched [AGE] ago\n", &line[..at])),
                None => out.push_str(line),
            }
        }
        out
    };

    let output = env.gvmr().arg("cache").output().unwrap();
    snapshot!("cache", output, ages);

    let json: serde_json::Value = serde_json::from_slice(
        &env.gvmr()
            .args(["cache", "--json"])
            .output()
            .unwrap()
            .stdout,
    )
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
            ("go1.22.5.linux-amd64.tar.gz", &"go1.22.5".into(), true),
            ("go1.22.5.linux-amd64.tar.gz.asc", &"go1.22.5".into(), true),
            ("notes.txt", &serde_json::Value::Null, false),
        ]
    );
    let sum: u64 = files.iter().map(|f| f["bytes"].as_u64().unwrap()).sum();
    assert_eq!(json["downloads"]["bytes"], sum);
    let listing = json["listing"]["files"].as_array().unwrap();
    assert_eq!(listing.len(), 1);
    assert!(listing[0]["age_seconds"].as_u64().unwrap() < 600);

    // A download another gvmr is busy with is left alone.
    let lock_path = env.home().join("locks/go1.21.0.lock");
    std::fs::create_dir_all(lock_path.parent().unwrap()).unwrap();
    let lock = std::fs::File::create(&lock_path).unwrap();
    lock.lock().unwrap();
    env.gvmr()
        .args(["cache", "clean"])
        .assert()
        .success()
        .stderr(contains(
            "Kept the cached download of go1.21.0: another gvmr is installing it",
        ));
    assert_eq!(env.downloads().len(), 5);
    drop(lock);

    let output = env.gvmr().args(["cache", "clean"]).output().unwrap();
    snapshot!("cache-clean", output, env, server);
    assert_eq!(
        env.downloads().into_keys().collect::<Vec<_>>(),
        [
            "go1.22.5.linux-amd64.tar.gz",
            "go1.22.5.linux-amd64.tar.gz.asc",
            "notes.txt"
        ]
    );
    let output = env.gvmr().args(["cache", "clean"]).output().unwrap();
    snapshot!("cache-clean-nothing", output, env, server);

    let output = env
        .gvmr()
        .args(["cache", "clean", "--all"])
        .output()
        .unwrap();
    snapshot!("cache-clean-all", output, env, server);
    assert!(env.downloads().is_empty());
    assert!(dir_names(&env.home().join("cache")).is_empty());
    assert_eq!(env.version_names(), ["go1.22.5"], "versions stay");
    assert!(server.requests().is_empty(), "no network");
}

#[test]
fn list_shows_sizes_selectors_and_marks_from_the_cached_listing_only() {
    let server = TestServer::start();
    let key = key();
    let mut mirror = Mirror::new(&server, &key);
    mirror.publish("go1.21.13", true);
    mirror.publish("go1.22.5", true);
    let env = installed(&mut mirror, &key, &["go1.21.0", "go1.22.4", "go1.23.0"]);
    env.gvmr().args(["default", "1.23.0"]).assert().success();
    let app = project(&env, "app", "1.22.4");
    let also = project(&env, "also", "1.23.0");
    let _ = (app, also);

    // Lines 1.23 and 1.22 are supported; 1.21 is past its end.
    let output = env.gvmr().arg("list").output().unwrap();
    snapshot!("list-marks", output, env, server);

    // Without a cached listing: no marks, no error, and no request even to
    // a listing server that would stall.
    std::fs::remove_dir_all(env.home().join("cache")).unwrap();
    server.fault("/listing.json", Fault::Stall(Duration::from_secs(60)));
    server.clear_requests();
    let started = Instant::now();
    let output = env.gvmr().arg("list").output().unwrap();
    assert!(started.elapsed() < Duration::from_secs(20));
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert_eq!(stderr_of(&output), "");
    let text = stdout_of(&output);
    assert!(!text.contains('['), "no marks without a listing:\n{text}");
    assert!(text.contains("default"), "{text}");
    assert!(server.requests().is_empty(), "{:?}", server.requests());
    // A closed port as the listing: the same.
    let started = Instant::now();
    env.gvmr()
        .env("GVMR_INDEX_URL", "http://127.0.0.1:9/listing.json")
        .arg("list")
        .assert()
        .success()
        .stderr("");
    assert!(started.elapsed() < Duration::from_secs(20));
}

#[test]
fn sizes_come_from_the_manifest_or_a_walk() {
    let server = TestServer::start();
    let key = key();
    let mut mirror = Mirror::new(&server, &key);
    let env = installed(&mut mirror, &key, &["go1.22.5"]);
    let size = |env: &Env| -> serde_json::Value {
        let output = env.gvmr().args(["list", "--json"]).output().unwrap();
        serde_json::from_slice::<serde_json::Value>(&output.stdout).unwrap()[0]["size_bytes"]
            .clone()
    };
    let from_manifest = size(&env);
    let dir = env.versions_dir().join("go1.22.5");
    let walked: u64 = crate::support::walk(&dir)
        .iter()
        .map(|p| dir.join(p))
        .filter(|p| p.is_file())
        .map(|p| std::fs::metadata(p).unwrap().len())
        .sum();
    assert_eq!(from_manifest, walked);
    // The manifest is what counts while it exists: it is read, not the tree.
    std::fs::write(dir.join("extra"), vec![0u8; 1000]).unwrap();
    assert_eq!(size(&env), from_manifest);
    std::fs::remove_file(Path::new(&env.home().join("manifests/go1.22.5.json"))).unwrap();
    assert_eq!(size(&env), walked + 1000);
}
