//! What the shell hooks watch, in real interactive shells (the tmux
//! [`Terminal`] of `hooks`): each candidate version file appearing, changing
//! and disappearing at each level, below, at and above the file that chose,
//! is seen by the next prompt; creating and deleting any other file
//! anywhere (a busy project, `$HOME`, `GVMR_HOME`) starts no gvmr; a
//! read-only `GVMR_HOME` keeps prompts free, the hook's stamp living in
//! `XDG_RUNTIME_DIR` or the user's cache directory; installing or
//! uninstalling the selected version is seen by the next prompt.
//!
//! gvmr runs are counted by a wrapper script standing in for gvmr in the
//! hook's text (the hook calls gvmr by its absolute path).

use crate::hooks::{INSTALLED, PUBLISHED, STEP_LIMIT, Sh, Terminal, UNSET, active, q, routed};
use crate::support::run_with_timeout;
use crate::support::switching::{GVMR, err, out, probe_session};
use crate::support::{BASE_PATH, Session, backdate, dir_names, write_file};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

/// A copy of `gvmr hook SHELL` calling, instead of gvmr, a wrapper script
/// that logs each run to `log` and then runs gvmr.
fn counting_hook(shell: Sh, dir: &Path, log: &Path) -> String {
    let wrapper = write_file(
        &dir.join("gvmr-wrapper"),
        format!(
            "#!/bin/sh\nprintf '%s\\n' \"$*\" >> {}\nexec {} \"$@\"\n",
            q(log),
            q(Path::new(GVMR))
        ),
    );
    std::fs::set_permissions(&wrapper, PermissionsExt::from_mode(0o755)).unwrap();
    let output = run_with_timeout(Command::new(GVMR).args(["hook", shell.name()]), STEP_LIMIT);
    assert!(output.status.success(), "{}", err(&output));
    let hook = String::from_utf8(output.stdout).unwrap();
    let exe = std::fs::canonicalize(GVMR).unwrap();
    let quoted = q(&exe);
    assert!(hook.contains(&quoted), "the hook calls {quoted}:\n{hook}");
    hook.replace(&quoted, &q(&wrapper))
}

/// How many times the wrapper ran gvmr.
fn runs(log: &Path) -> usize {
    std::fs::read_to_string(log)
        .map(|t| t.lines().count())
        .unwrap_or(0)
}

/// Makes every file of the session old (the hook's stamp is dated 2 s
/// before gvmr looked, so files written less than 2 s before count as
/// changed), then lets one prompt look again: from then on only a real
/// change may run gvmr.
fn settle(term: &Terminal, s: &Session) {
    backdate(s.root());
    term.enter();
    term.probe();
}

// ---------------------------------------------------------------------------
// Every candidate at every level

const NAMES: [&str; 4] = [".go-version", ".tool-versions", "go.work", "go.mod"];

/// The text of a file named `name` selecting exactly `version`. A go.work
/// or go.mod also requires it (`go {version}`), so that one newer than a
/// pin overrides the pin wherever the pin sits, as Go refuses the pin.
fn selecting(name: &str, version: &str) -> String {
    match name {
        ".go-version" | "default" => format!("{version}\n"),
        ".tool-versions" => format!("nodejs 20.11.0\ngolang {version}\n"),
        "go.work" => format!("go {version}\n\ntoolchain go{version}\n\nuse .\n"),
        "go.mod" => {
            format!("module example.com/m\n\ngo {version}\n\ntoolchain go{version}\n")
        }
        _ => unreachable!("{name}"),
    }
}

/// What gvmr itself selects in `dir` now: the `GOROOT` that `gvmr env`
/// exports, or [`UNSET`] when nothing installed is selected.
fn selected_by_gvmr(s: &Session, dir: &Path, vars: &[(&str, &str)]) -> String {
    let output = run_with_timeout(
        s.clean_command(GVMR, dir)
            .args(["env", "--shell", "json"])
            .envs(vars.iter().copied()),
        STEP_LIMIT,
    );
    if !output.status.success() {
        return UNSET.to_string();
    }
    let json: serde_json::Value = serde_json::from_str(&out(&output)).unwrap();
    json["GOROOT"].as_str().unwrap().to_string()
}

/// Changes files, and after each one checks that the next prompt has what
/// gvmr selects there.
struct Follow<'a> {
    shell: Sh,
    term: &'a Terminal,
    s: &'a Session,
    cwd: PathBuf,
    vars: Vec<(&'static str, &'static str)>,
    last: String,
    steps: usize,
    changes: usize,
}

impl Follow<'_> {
    #[track_caller]
    fn check(&mut self, what: &str) {
        let expected = selected_by_gvmr(self.s, &self.cwd, &self.vars);
        let seen = self.term.probe_after_change();
        assert_eq!(
            seen.goroot,
            expected,
            "{}: the prompt after {what}",
            self.shell.name()
        );
        self.steps += 1;
        if expected != self.last {
            self.changes += 1;
        }
        self.last = expected;
    }

    #[track_caller]
    fn write(&mut self, path: &Path, version: &str, what: &str) {
        let name = path.file_name().unwrap().to_str().unwrap();
        write_file(path, selecting(name, version));
        self.check(&format!("{} {what} ({version})", path.display()));
    }

    #[track_caller]
    fn remove(&mut self, path: &Path) {
        std::fs::remove_file(path).unwrap();
        self.check(&format!("{} removed", path.display()));
    }
}

/// For three starting points (nothing selected, `.go-version` in `mid`,
/// `go.mod` in `mid`), each candidate name in each of `top/mid/a/b` (the
/// working directory, between it and the chosen file, beside it, above
/// it) appears, changes and disappears; a `.tool-versions` and a go.mod
/// naming no Go version appear and are edited until they do; then the
/// chosen file itself changes and goes; then the default file, and
/// `GOWORK`.
fn follows_every_candidate_at_every_level(shell: Sh) {
    let s = probe_session(PUBLISHED, INSTALLED);
    let top = s.dir("tree/top");
    let mid = s.dir("tree/top/mid");
    let a = s.dir("tree/top/mid/a");
    let cwd = s.dir("tree/top/mid/a/b");
    let term = Terminal::start(
        shell,
        &s,
        &s.root().join("run"),
        &cwd,
        &shell.load_hook(),
        &[],
    );
    let first = term.probe().goroot;
    assert_eq!(first, selected_by_gvmr(&s, &cwd, &[]), "at the start");
    let mut f = Follow {
        shell,
        term: &term,
        s: &s,
        cwd: cwd.clone(),
        vars: Vec::new(),
        last: first,
        steps: 0,
        changes: 0,
    };

    for chosen in [
        None,
        Some(mid.join(".go-version")),
        Some(mid.join("go.mod")),
    ] {
        if let Some(chosen) = &chosen {
            f.write(chosen, "1.21.0", "chooses");
        }
        for name in NAMES {
            for level in [&cwd, &a, &mid, &top] {
                let path = level.join(name);
                if Some(&path) == chosen.as_ref() {
                    continue;
                }
                f.write(&path, "1.22.5", "appeared");
                f.write(&path, "1.23.1", "changed");
                f.remove(&path);
            }
        }
        // Files that exist but select nothing, edited until they do.
        for (name, idle) in [
            (".tool-versions", "nodejs 20.11.0\n"),
            ("go.mod", "module example.com/m\n"),
        ] {
            let path = cwd.join(name);
            write_file(&path, idle);
            f.check(&format!("{} without a Go version appeared", path.display()));
            f.write(&path, "1.22.5", "edited to name a Go version");
            f.remove(&path);
        }
        if let Some(chosen) = &chosen {
            f.write(chosen, "1.23.1", "changed");
            f.remove(chosen);
        }
    }

    let default = s.home().join("default");
    f.write(&default, "1.22.5", "appeared");
    f.write(&default, "1.23.1", "changed");
    f.remove(&default);

    f.write(&mid.join("go.mod"), "1.21.0", "appeared");
    f.write(&top.join("go.work"), "1.22.5", "appeared");
    term.line(&shell.export("GOWORK", "off"));
    f.vars = vec![("GOWORK", "off")];
    f.check("GOWORK=off");
    term.line(&shell.unset("GOWORK"));
    f.vars.clear();
    f.check("GOWORK unset");

    eprintln!(
        "{}: {} steps, {} changed the selection",
        shell.name(),
        f.steps,
        f.changes
    );
    assert!(
        f.changes * 3 >= f.steps * 2,
        "{}: only {} of {} steps changed the selection: the scenario no longer tests the hook",
        shell.name(),
        f.changes,
        f.steps
    );
}

#[test]
fn bash_hook_follows_every_candidate_at_every_level() {
    follows_every_candidate_at_every_level(Sh::Bash);
}

#[test]
fn zsh_hook_follows_every_candidate_at_every_level() {
    follows_every_candidate_at_every_level(Sh::Zsh);
}

#[test]
fn fish_hook_follows_every_candidate_at_every_level() {
    follows_every_candidate_at_every_level(Sh::Fish);
}

// ---------------------------------------------------------------------------
// A busy tree

/// Files other programs create and delete all the time: editor swap and
/// backup files (of version files too), vim's write test, build output,
/// zsh's history lock.
const UNRELATED: [&str; 6] = [
    ".go-version.swp",
    "go.mod~",
    "4913",
    "main.go",
    "out.bin",
    ".zsh_history.LOCK",
];

/// In a project under `$HOME` whose go.mod chose the version (so every
/// candidate up to `/` is watched), unrelated files created, edited and
/// deleted at every level, in `$HOME` and in `GVMR_HOME` start no gvmr; a
/// cd and an edit of go.mod do.
fn starts_no_gvmr_in_a_busy_tree(shell: Sh) {
    let s = probe_session(PUBLISHED, INSTALLED);
    let home = s.root().join("user-home");
    let project = s.dir("user-home/src/org/project");
    let go_mod = write_file(&project.join("go.mod"), selecting("go.mod", "1.22.5"));
    let cwd = s.dir("user-home/src/org/project/pkg");
    let other = s.dir("user-home/src/other");
    write_file(&other.join(".go-version"), "1.21.0\n");
    let run_dir = s.root().join("run");
    let log = run_dir.join("gvmr-runs.log");
    let hook = counting_hook(shell, &s.dir("run"), &log);
    let term = Terminal::start(shell, &s, &run_dir, &cwd, &hook, &[]);

    assert_eq!(term.probe(), active(&s, "1.22.5", "local", BASE_PATH));
    let first = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(first.starts_with("hook-env --shell"), "{first:?}");
    settle(&term, &s);

    let before = runs(&log);
    let mut busy: Vec<PathBuf> = cwd
        .ancestors()
        .take_while(|dir| dir.starts_with(s.root()))
        .map(Path::to_path_buf)
        .collect();
    busy.push(s.home().to_path_buf());
    assert!(busy.contains(&home));
    for dir in &busy {
        for name in UNRELATED {
            write_file(&dir.join(name), "x");
            term.enter();
        }
        std::fs::create_dir(dir.join("build")).unwrap();
        term.probe();
        for name in UNRELATED {
            write_file(&dir.join(name), "edited");
            std::fs::remove_file(dir.join(name)).unwrap();
            term.enter();
        }
        std::fs::remove_dir(dir.join("build")).unwrap();
        assert_eq!(
            term.probe(),
            active(&s, "1.22.5", "local", BASE_PATH),
            "{}: after files came and went in {}",
            shell.name(),
            dir.display()
        );
    }
    assert_eq!(
        runs(&log),
        before,
        "{}: unrelated files started gvmr",
        shell.name()
    );

    term.line(&format!("cd {}", q(&other)));
    assert_eq!(term.probe(), active(&s, "1.21.0", "local", BASE_PATH));
    assert!(runs(&log) > before, "{}: a cd must run gvmr", shell.name());

    term.line(&format!("cd {}", q(&cwd)));
    term.probe();
    settle(&term, &s);
    let before = runs(&log);
    write_file(&go_mod, selecting("go.mod", "1.23.1"));
    assert_eq!(
        term.probe_after_change(),
        active(&s, "1.23.1", "local", BASE_PATH)
    );
    assert!(
        runs(&log) > before,
        "{}: an edit of go.mod must run gvmr",
        shell.name()
    );
}

#[test]
fn bash_hook_starts_no_gvmr_in_a_busy_tree() {
    starts_no_gvmr_in_a_busy_tree(Sh::Bash);
}

#[test]
fn zsh_hook_starts_no_gvmr_in_a_busy_tree() {
    starts_no_gvmr_in_a_busy_tree(Sh::Zsh);
}

#[test]
fn fish_hook_starts_no_gvmr_in_a_busy_tree() {
    starts_no_gvmr_in_a_busy_tree(Sh::Fish);
}

// ---------------------------------------------------------------------------
// A read-only GVMR_HOME

/// Every path under `dir` with its modification time and size.
fn tree_state(dir: &Path) -> Vec<(PathBuf, SystemTime, u64)> {
    crate::support::walk(dir)
        .into_iter()
        .map(|path| {
            let meta = std::fs::symlink_metadata(dir.join(&path)).unwrap();
            (path, meta.modified().unwrap(), meta.len())
        })
        .collect()
}

/// Sets the write bits of everything under `dir` (`chmod -R a-w`, or back
/// to `u+w`).
fn set_writable(dir: &Path, writable: bool) {
    let mut paths: Vec<PathBuf> = crate::support::walk(dir)
        .iter()
        .map(|path| dir.join(path))
        .collect();
    paths.push(dir.to_path_buf());
    for path in paths {
        let meta = std::fs::symlink_metadata(&path).unwrap();
        if meta.file_type().is_symlink() {
            continue;
        }
        let mode = meta.permissions().mode();
        let mode = if writable {
            mode | 0o200
        } else {
            mode & !0o222
        };
        std::fs::set_permissions(&path, PermissionsExt::from_mode(mode)).unwrap();
    }
}

/// Gives the write bits back when the test ends, so the directory can be
/// removed.
struct ReadOnly(PathBuf);

impl Drop for ReadOnly {
    fn drop(&mut self) {
        set_writable(&self.0, true);
    }
}

/// A toolchain store nobody may write (`chmod -R a-w`, as when baked into
/// an image): after the first prompt, prompts run no gvmr; the stamp lives
/// in `XDG_RUNTIME_DIR`, and nothing in `GVMR_HOME` changes. (Root may
/// write anyway, so "nothing changed" is checked too.)
fn read_only_home_keeps_prompts_free(shell: Sh) {
    let s = probe_session(PUBLISHED, INSTALLED);
    let project = s.dir("ro-project");
    write_file(&project.join(".go-version"), "1.22.5\n");
    let run_dir = s.dir("run");
    let runtime = s.dir("run/xdg-runtime");
    std::fs::set_permissions(&runtime, PermissionsExt::from_mode(0o700)).unwrap();
    let log = run_dir.join("gvmr-runs.log");
    let hook = counting_hook(shell, &run_dir, &log);
    // Old already, so that settling changes nothing in GVMR_HOME either.
    backdate(s.root());
    let before = tree_state(s.home());
    set_writable(s.home(), false);
    let _restore = ReadOnly(s.home().to_path_buf());
    let runtime_text = runtime.display().to_string();
    let term = Terminal::start(
        shell,
        &s,
        &run_dir,
        &project,
        &hook,
        &[("XDG_RUNTIME_DIR", &runtime_text)],
    );

    assert_eq!(term.probe(), active(&s, "1.22.5", "local", BASE_PATH));
    settle(&term, &s);
    let after_first = runs(&log);
    for _ in 0..4 {
        term.enter();
    }
    assert_eq!(term.probe(), active(&s, "1.22.5", "local", BASE_PATH));
    assert_eq!(
        runs(&log),
        after_first,
        "{}: prompts ran gvmr",
        shell.name()
    );
    let stamps = dir_names(&runtime.join("gvmr/hook"));
    assert_eq!(stamps.len(), 1, "one stamp in XDG_RUNTIME_DIR: {stamps:?}");
    assert_eq!(
        tree_state(s.home()),
        before,
        "{}: GVMR_HOME changed",
        shell.name()
    );
}

#[test]
fn bash_hook_with_a_read_only_gvmr_home_keeps_prompts_free() {
    read_only_home_keeps_prompts_free(Sh::Bash);
}

#[test]
fn zsh_hook_with_a_read_only_gvmr_home_keeps_prompts_free() {
    read_only_home_keeps_prompts_free(Sh::Zsh);
}

#[test]
fn fish_hook_with_a_read_only_gvmr_home_keeps_prompts_free() {
    read_only_home_keeps_prompts_free(Sh::Fish);
}

/// `gvmr hook-env` in `dir` with `vars`; its stdout.
fn hook_env(s: &Session, dir: &Path, shell: &str, vars: &[(&str, &Path)]) -> String {
    let output = run_with_timeout(
        s.clean_command(GVMR, dir)
            .args(["hook-env", "--shell", shell, "--pid"])
            .arg(std::process::id().to_string())
            .envs(vars.iter().copied()),
        STEP_LIMIT,
    );
    assert!(output.status.success(), "{}", err(&output));
    String::from_utf8(output.stdout).unwrap()
}

/// The stamp's directory: `$XDG_RUNTIME_DIR/gvmr/hook`, else
/// `$XDG_CACHE_HOME/gvmr/hook`, else `~/.cache/gvmr/hook`; with none
/// writable, the test always says "changed". What hook-env prints passes
/// shellcheck, `zsh -n` and `fish -n`.
#[test]
fn hook_env_keeps_its_stamp_in_the_runtime_or_cache_directory() {
    let s = probe_session(PUBLISHED, INSTALLED);
    let project = s.project();
    write_file(&project.join(".go-version"), "1.22.5\n");
    let home = s.root().join("user-home");
    let runtime = s.dir("runtime");
    let cache = s.dir("cache");
    let stamp_in = |dir: &Path| {
        let names = dir_names(&dir.join("gvmr/hook"));
        assert_eq!(names.len(), 1, "{}: {names:?}", dir.display());
        dir.join("gvmr/hook").join(&names[0])
    };

    let text = hook_env(&s, &project, "bash", &[("XDG_RUNTIME_DIR", &runtime)]);
    let stamp = stamp_in(&runtime);
    assert!(text.contains(&q(&stamp)), "{text}");
    let text = hook_env(&s, &project, "bash", &[("XDG_CACHE_HOME", &cache)]);
    assert!(text.contains(&q(&stamp_in(&cache))), "{text}");
    let text = hook_env(&s, &project, "bash", &[]);
    assert!(text.contains(&q(&stamp_in(&home.join(".cache")))), "{text}");

    // Nowhere to write (a file where the directories would go).
    let file = write_file(&s.root().join("a-file"), "");
    let nowhere = [
        ("HOME", file.as_path()),
        ("XDG_RUNTIME_DIR", &file.join("x")),
    ];
    let text = hook_env(&s, &project, "bash", &nowhere);
    assert!(
        text.ends_with("_gvmr_unchanged() { return 1; }\n"),
        "{text}"
    );
    let text = hook_env(&s, &project, "fish", &nowhere);
    assert!(
        text.ends_with("function _gvmr_unchanged\n    return 1\nend\n"),
        "{text}"
    );

    // The printed code passes the shells' own checks, in a directory with
    // every kind of candidate around.
    write_file(&project.join("go.mod"), selecting("go.mod", "1.21.0"));
    let checked = s.dir("checked");
    for (shell, checker) in [
        ("bash", &["shellcheck", "-s", "bash"][..]),
        ("bash", &["bash", "-n"]),
        ("zsh", &["zsh", "-n"]),
        ("fish", &["fish", "-n"]),
    ] {
        let text = hook_env(&s, &project, shell, &[("XDG_RUNTIME_DIR", &runtime)]);
        assert!(text.contains("_gvmr_unchanged"), "{text}");
        let file = write_file(&checked.join(format!("hook-env.{shell}")), &text);
        let output = run_with_timeout(
            Command::new(checker[0]).args(&checker[1..]).arg(&file),
            STEP_LIMIT,
        );
        assert!(
            output.status.success(),
            "{checker:?} on hook-env's output:\n{text}\n{}{}",
            out(&output),
            err(&output)
        );
    }
}

// ---------------------------------------------------------------------------
// Installs and uninstalls

/// An exact selection is watched through its own `bin`: installing
/// another version starts no gvmr, uninstalling or reinstalling the
/// selected one is seen at the next prompt. A line (`1.21`) is watched
/// through the versions directory: a newer match installed is used at the
/// next prompt, and the older one again once it is removed.
fn follows_installs_and_uninstalls(shell: Sh) {
    let s = probe_session(&["go1.21.0", "go1.21.1", "go1.22.5"], &["1.21.0", "1.22.5"]);
    let exact = s.dir("exact");
    write_file(&exact.join(".go-version"), "1.22.5\n");
    let line = s.dir("line");
    write_file(&line.join(".go-version"), "1.21\n");
    let run_dir = s.root().join("run");
    let log = run_dir.join("gvmr-runs.log");
    let hook = counting_hook(shell, &s.dir("run"), &log);
    let term = Terminal::start(shell, &s, &run_dir, &exact, &hook, &[]);
    let gvmr = |args: &[&str]| {
        let output = s.gvmr().args(args).output().unwrap();
        assert!(output.status.success(), "gvmr {args:?}: {}", err(&output));
    };

    assert_eq!(term.probe(), active(&s, "1.22.5", "local", BASE_PATH));
    settle(&term, &s);
    let before = runs(&log);
    gvmr(&["install", "1.21.1"]);
    term.enter();
    assert_eq!(term.probe(), active(&s, "1.22.5", "local", BASE_PATH));
    assert_eq!(
        runs(&log),
        before,
        "{}: installing another version ran gvmr",
        shell.name()
    );

    gvmr(&["uninstall", "1.22.5"]);
    assert_eq!(
        term.probe_after_change(),
        routed(&s, UNSET, BASE_PATH),
        "{}: the selected version uninstalled",
        shell.name()
    );
    gvmr(&["install", "1.22.5"]);
    assert_eq!(
        term.probe_after_change(),
        active(&s, "1.22.5", "local", BASE_PATH),
        "{}: the selected version installed",
        shell.name()
    );

    term.line(&format!("cd {}", q(&line)));
    assert_eq!(term.probe(), active(&s, "1.21.1", "local", BASE_PATH));
    gvmr(&["uninstall", "1.21.1"]);
    assert_eq!(
        term.probe_after_change(),
        active(&s, "1.21.0", "local", BASE_PATH),
        "{}: the newest match uninstalled",
        shell.name()
    );
    gvmr(&["install", "1.21.1"]);
    assert_eq!(
        term.probe_after_change(),
        active(&s, "1.21.1", "local", BASE_PATH),
        "{}: a newer match installed",
        shell.name()
    );
}

#[test]
fn bash_hook_follows_installs_and_uninstalls() {
    follows_installs_and_uninstalls(Sh::Bash);
}

#[test]
fn zsh_hook_follows_installs_and_uninstalls() {
    follows_installs_and_uninstalls(Sh::Zsh);
}

#[test]
fn fish_hook_follows_installs_and_uninstalls() {
    follows_installs_and_uninstalls(Sh::Fish);
}
