//! The shell hooks and direnv, in real interactive shells (bash, zsh, fish)
//! driven through tmux: keys are typed, the hook runs at each prompt, and a
//! `probe` function (defined in the shell's rc file) appends what the shell
//! then has (`GOROOT|GOTOOLCHAIN|PATH`) to a log file the test reads.
//!
//! Also: direnv's `use gvmr`, and the scripts pass shellcheck / `zsh -n` /
//! `fish -n`. What the hooks watch (and that nothing else runs gvmr) is
//! tested in `hook_watch`, with the [`Terminal`] defined here.

use crate::support::run_with_timeout;
use crate::support::switching::{GVMR, assert_shim_binary_built, err, out, probe_session};
use crate::support::{BASE_PATH, Session, set_mtime, write_file};
use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant, SystemTime};

/// How long one tmux command, or one probe, may take.
pub(crate) const STEP_LIMIT: Duration = Duration::from_secs(30);

pub(crate) const UNSET: &str = "<unset>";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sh {
    Bash,
    Zsh,
    Fish,
}

pub(crate) fn q(path: &Path) -> String {
    let text = path.display().to_string();
    assert!(!text.contains('\''), "test paths have no quotes: {text}");
    format!("'{text}'")
}

impl Sh {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Sh::Bash => "bash",
            Sh::Zsh => "zsh",
            Sh::Fish => "fish",
        }
    }

    /// The line an rc file uses to load gvmr's hook the documented way.
    pub(crate) fn load_hook(self) -> String {
        match self {
            Sh::Bash => format!("eval \"$({} hook bash)\"", q(Path::new(GVMR))),
            Sh::Zsh => format!("eval \"$({} hook zsh)\"", q(Path::new(GVMR))),
            Sh::Fish => format!("{} hook fish | source", q(Path::new(GVMR))),
        }
    }

    /// An rc file: a recognizable prompt, the `probe` function writing to
    /// `log`, then `hook` (shell code loading a hook).
    fn rc(self, log: &Path, hook: &str) -> String {
        let log = q(log);
        match self {
            Sh::Bash => format!(
                "PS1='gvmr-test$ '\nHISTFILE=/dev/null\n\
                 probe() {{ printf 'OUT%s:%s|%s|%s\\n' \"$1\" \"${{GOROOT-{UNSET}}}\" \"${{GOTOOLCHAIN-{UNSET}}}\" \"$PATH\" >> {log}; }}\n\
                 {hook}\n"
            ),
            Sh::Zsh => format!(
                "PS1='gvmr-test%% '\nunsetopt PROMPT_SP\n\
                 probe() {{ printf 'OUT%s:%s|%s|%s\\n' \"$1\" \"${{GOROOT-{UNSET}}}\" \"${{GOTOOLCHAIN-{UNSET}}}\" \"$PATH\" >> {log}; }}\n\
                 {hook}\n"
            ),
            Sh::Fish => format!(
                "function fish_prompt\n    printf 'gvmr-test> '\nend\n\
                 function fish_greeting\nend\n\
                 function probe\n\
                 \x20   set -l r '{UNSET}'\n    set -q GOROOT; and set r $GOROOT\n\
                 \x20   set -l t '{UNSET}'\n    set -q GOTOOLCHAIN; and set t $GOTOOLCHAIN\n\
                 \x20   printf 'OUT%s:%s|%s|%s\\n' $argv[1] \"$r\" \"$t\" \"$PATH\" >> {log}\n\
                 end\n\
                 {hook}\n"
            ),
        }
    }

    /// The command tmux runs, and extra environment for it.
    fn command(self, rc: &Path) -> (String, Vec<(String, String)>) {
        match self {
            Sh::Bash => (format!("bash --noprofile --rcfile {} -i", q(rc)), vec![]),
            // ZDOTDIR's .zshrc; -d skips the system-wide rc files.
            Sh::Zsh => (
                "zsh -d -i".to_string(),
                vec![(
                    "ZDOTDIR".to_string(),
                    rc.parent().unwrap().display().to_string(),
                )],
            ),
            Sh::Fish => (
                format!(
                    "fish --no-config -i -C {}",
                    q(&PathBuf::from(format!("source {}", rc.display())))
                ),
                vec![],
            ),
        }
    }

    fn rc_name(self) -> &'static str {
        match self {
            Sh::Zsh => ".zshrc",
            _ => "rc",
        }
    }

    pub(crate) fn export(self, name: &str, value: &str) -> String {
        match self {
            Sh::Fish => format!("set -gx {name} '{value}'"),
            _ => format!("export {name}='{value}'"),
        }
    }

    pub(crate) fn unset(self, name: &str) -> String {
        match self {
            Sh::Fish => format!("set -e {name}"),
            _ => format!("unset {name}"),
        }
    }

    fn prepend_path(self, dir: &str) -> String {
        match self {
            Sh::Fish => format!("set -gx PATH '{dir}' $PATH"),
            _ => format!("PATH='{dir}':\"$PATH\""),
        }
    }
}

/// What a probe saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Seen {
    pub(crate) goroot: String,
    pub(crate) toolchain: String,
    pub(crate) path: String,
}

/// An interactive shell in a private tmux server.
pub(crate) struct Terminal {
    socket: PathBuf,
    log: PathBuf,
    env: Vec<(String, String)>,
    next: Cell<u32>,
    what: String,
}

impl Terminal {
    /// Starts `shell` in `start_dir` with a clean environment (HOME, PATH =
    /// BASE_PATH, GVMR_HOME, TERM, plus `vars`), its rc file loading
    /// `hook`; files live in `run_dir` (which must not be an ancestor of
    /// the projects: the hook watches those). Waits for the first prompt.
    pub(crate) fn start(
        shell: Sh,
        s: &Session,
        run_dir: &Path,
        start_dir: &Path,
        hook: &str,
        vars: &[(&str, &str)],
    ) -> Terminal {
        std::fs::create_dir_all(run_dir).unwrap();
        let log = run_dir.join("probe.log");
        let rc = write_file(&run_dir.join(shell.rc_name()), shell.rc(&log, hook));
        let (command, extra) = shell.command(&rc);
        let mut env: Vec<(String, String)> = vec![
            ("HOME".into(), s.user_home().display().to_string()),
            ("PATH".into(), BASE_PATH.into()),
            ("GVMR_HOME".into(), s.home().display().to_string()),
            ("TERM".into(), "xterm-256color".into()),
            ("SHELL".into(), "/bin/sh".into()),
            ("LANG".into(), "C.UTF-8".into()),
        ];
        env.extend(extra);
        env.extend(vars.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let term = Terminal {
            socket: run_dir.join("tmux.sock"),
            log,
            env,
            next: Cell::new(0),
            what: format!("{} in tmux", shell.name()),
        };
        term.tmux(&[
            "-f",
            "/dev/null",
            "new-session",
            "-d",
            "-x",
            "200",
            "-y",
            "50",
            "-c",
            &start_dir.display().to_string(),
            &command,
        ]);
        term.wait_for(|| term.pane().contains("gvmr-test"), "the first prompt");
        term
    }

    fn tmux(&self, args: &[&str]) -> Output {
        let mut cmd = Command::new("tmux");
        cmd.env_clear()
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .arg("-S")
            .arg(&self.socket)
            .args(args);
        let output = run_with_timeout(&mut cmd, STEP_LIMIT);
        assert!(
            output.status.success(),
            "tmux {args:?} failed: {}",
            err(&output)
        );
        output
    }

    /// The whole pane, history included, wrapped lines joined.
    pub(crate) fn pane(&self) -> String {
        let mut cmd = Command::new("tmux");
        cmd.env_clear()
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .arg("-S")
            .arg(&self.socket)
            .args(["capture-pane", "-p", "-J", "-S", "-"]);
        out(&run_with_timeout(&mut cmd, STEP_LIMIT))
    }

    /// Types `text` and Enter.
    pub(crate) fn line(&self, text: &str) {
        self.tmux(&["send-keys", "-l", text]);
        self.tmux(&["send-keys", "Enter"]);
    }

    /// Presses Enter on an empty line.
    pub(crate) fn enter(&self) {
        self.tmux(&["send-keys", "Enter"]);
    }

    #[track_caller]
    pub(crate) fn wait_for(&self, mut done: impl FnMut() -> bool, what: &str) {
        let deadline = Instant::now() + STEP_LIMIT;
        while !done() {
            if Instant::now() > deadline {
                panic!(
                    "{}: no {what} within {STEP_LIMIT:?}; the pane:\n{}",
                    self.what,
                    self.pane()
                );
            }
            std::thread::sleep(Duration::from_millis(30));
        }
    }

    /// Runs `probe N` at the next prompt and returns what it saw.
    #[track_caller]
    pub(crate) fn probe(&self) -> Seen {
        let n = self.next.get() + 1;
        self.next.set(n);
        self.line(&format!("probe {n}"));
        let prefix = format!("OUT{n}:");
        let mut found = None;
        self.wait_for(
            || {
                found = std::fs::read_to_string(&self.log).ok().and_then(|text| {
                    text.lines()
                        .find_map(|l| l.strip_prefix(&prefix).map(str::to_string))
                });
                found.is_some()
            },
            &format!("output of probe {n}"),
        );
        let text = found.unwrap();
        let mut parts = text.splitn(3, '|');
        Seen {
            goroot: parts.next().unwrap_or_default().to_string(),
            toolchain: parts.next().unwrap_or_default().to_string(),
            path: parts.next().unwrap_or_default().to_string(),
        }
    }

    /// Enter on an empty line (so the hook runs after whatever the test
    /// just changed on disk), then a probe.
    #[track_caller]
    pub(crate) fn probe_after_change(&self) -> Seen {
        self.enter();
        self.probe()
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .env_clear()
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .arg("-S")
            .arg(&self.socket)
            .arg("kill-server")
            .output();
    }
}

pub(crate) const PUBLISHED: &[&str] = &["go1.20.14", "go1.21.0", "go1.22.5", "go1.23.1"];
pub(crate) const INSTALLED: &[&str] = &["1.21.0", "1.22.5", "1.23.1"];

/// A `GVMR_HOME` name that quoting mistakes would break.
const ODD_HOME: &str = "gvmr h'o me $(x) \"q\" \\";

/// What the shell has with `version` active: its GOROOT, and its `bin`
/// first on PATH, before `rest_of_path`.
fn activated(s: &Session, version: &str, toolchain: &str, rest_of_path: &str) -> Seen {
    let goroot = s.goroot(version);
    Seen {
        goroot: goroot.display().to_string(),
        toolchain: toolchain.to_string(),
        path: format!("{}:{rest_of_path}", goroot.join("bin").display()),
    }
}

fn unset_goroot(toolchain: &str, path: &str) -> Seen {
    Seen {
        goroot: UNSET.to_string(),
        toolchain: toolchain.to_string(),
        path: path.to_string(),
    }
}

/// `$GVMR_HOME/shims`, which the hooks keep on PATH.
fn shims(s: &Session) -> String {
    s.home().join("shims").display().to_string()
}

/// What a hook leaves with `version` active: [`activated`], with gvmr's
/// shims last on PATH.
pub(crate) fn active(s: &Session, version: &str, toolchain: &str, rest_of_path: &str) -> Seen {
    let rest = format!("{rest_of_path}:{}", shims(s));
    activated(s, version, toolchain, &rest)
}

/// What a hook leaves where no version is active: no GOROOT, `path` and
/// gvmr's shims last, so that `go` (unless a Go earlier on PATH) is the
/// shim, saying why.
pub(crate) fn inactive(s: &Session, toolchain: &str, path: &str) -> Seen {
    unset_goroot(toolchain, &format!("{path}:{}", shims(s)))
}

/// What a hook leaves where the selected version is not installed: the
/// shims first, so that `go` installs it on first use.
pub(crate) fn routed(s: &Session, toolchain: &str, path: &str) -> Seen {
    unset_goroot(toolchain, &format!("{}:{path}", shims(s)))
}

/// Runs `go version` in the terminal and returns what it printed and its
/// exit status (`exit=N`).
fn go_version_in(term: &Terminal, shell: Sh, marker: &str) -> String {
    let status = match shell {
        Sh::Fish => "$status",
        _ => "$?",
    };
    term.line(&format!("go version; echo \"{marker}=exit:{status}\""));
    let done = format!("{marker}=exit:");
    term.wait_for(
        || term.pane().lines().any(|l| l.starts_with(&done)),
        &format!("the end of `go version` ({marker})"),
    );
    let pane = term.pane();
    let start = pane
        .rfind(&format!("go version; echo \"{marker}"))
        .unwrap_or(0);
    pane[start..].to_string()
}

/// The whole switching scenario in one shell.
fn switching_scenario(shell: Sh, home: &str) {
    assert_shim_binary_built();
    let s = Session::new().home_named(home);
    s.publish_probes(PUBLISHED);
    s.install(INSTALLED);
    // The first install became the default; the scenario starts with none.
    s.unset_default();
    let a = s.dir("a");
    s.write("a/.go-version", "1.21.0\n");
    let b = s.dir("a/b");
    let b_file = s.write("a/b/.go-version", "1.22.5\n");
    let outside = s.dir("outside");
    s.write("d/.go-version", "1.20.14\n");
    let d = s.dir("d");
    let keyring = s.keyring().display().to_string();
    let term = Terminal::start(
        shell,
        &s,
        &s.root().join("run"),
        &outside,
        &shell.load_hook(),
        &[
            ("GVMR_INDEX_URL", &s.index_url()),
            ("GVMR_MIRROR", &s.mirror_url()),
            ("GVMR_KEYRING", &keyring),
            ("GVMR_BIN", GVMR),
        ],
    );
    let cd = |dir: &Path| term.line(&format!("cd {}", q(dir)));

    assert_eq!(term.probe(), inactive(&s, UNSET, BASE_PATH), "at the start");
    // Nothing selected: `go` is the shim, which says so (not "command not
    // found").
    let shown = go_version_in(&term, shell, "nothing");
    assert!(
        shown.contains("gvmr: no Go version is selected here")
            && shown.contains("gvmr use VERSION")
            && shown.contains("nothing=exit:127"),
        "{}: {shown}",
        shell.name()
    );

    cd(&a);
    assert_eq!(
        term.probe(),
        active(&s, "1.21.0", "local", BASE_PATH),
        "in a"
    );

    cd(&b);
    assert_eq!(
        term.probe(),
        active(&s, "1.22.5", "local", BASE_PATH),
        "in a/b: a's bin is gone"
    );

    std::fs::write(&b_file, "1.21.0\n").unwrap();
    assert_eq!(
        term.probe_after_change(),
        active(&s, "1.21.0", "local", BASE_PATH),
        "a/b/.go-version edited in place"
    );
    std::fs::write(&b_file, "1.23.1\n").unwrap();
    assert_eq!(
        term.probe_after_change(),
        active(&s, "1.23.1", "local", BASE_PATH),
        "a/b/.go-version edited again"
    );
    std::fs::remove_file(&b_file).unwrap();
    assert_eq!(
        term.probe_after_change(),
        active(&s, "1.21.0", "local", BASE_PATH),
        "a/b/.go-version removed: a's applies"
    );

    // The user edits PATH inside a project.
    term.line(&shell.prepend_path("/mine"));
    let seen = term.probe();
    let bin21 = s.goroot("1.21.0").join("bin").display().to_string();
    assert_eq!(seen.goroot, s.goroot("1.21.0").display().to_string());
    let entries: Vec<&str> = seen.path.split(':').collect();
    assert_eq!(
        entries.iter().filter(|e| **e == bin21).count(),
        1,
        "{seen:?}"
    );
    assert!(entries.contains(&"/mine"), "{seen:?}");

    let user_path = format!("/mine:{BASE_PATH}");
    cd(&outside);
    assert_eq!(
        term.probe(),
        inactive(&s, UNSET, &user_path),
        "left every project: PATH as before, with the user's edit"
    );

    term.line(&shell.export("GVMR_GO_VERSION", "1.22.5"));
    assert_eq!(
        term.probe(),
        active(&s, "1.22.5", "local", &user_path),
        "GVMR_GO_VERSION set"
    );
    term.line(&shell.unset("GVMR_GO_VERSION"));
    assert_eq!(
        term.probe(),
        inactive(&s, UNSET, &user_path),
        "GVMR_GO_VERSION unset"
    );

    // A GOTOOLCHAIN the user sets, even while gvmr's `local` is active, is
    // theirs: switching and leaving leave it alone.
    cd(&a);
    assert_eq!(term.probe(), active(&s, "1.21.0", "local", &user_path));
    term.line(&shell.export("GOTOOLCHAIN", "go1.23.0"));
    assert_eq!(term.probe(), active(&s, "1.21.0", "go1.23.0", &user_path));
    std::fs::write(&b_file, "1.22.5\n").unwrap();
    cd(&b);
    assert_eq!(
        term.probe(),
        active(&s, "1.22.5", "go1.23.0", &user_path),
        "switching keeps the user's GOTOOLCHAIN"
    );
    cd(&outside);
    assert_eq!(
        term.probe(),
        inactive(&s, "go1.23.0", &user_path),
        "leaving keeps it too"
    );
    cd(&a);
    assert_eq!(
        term.probe(),
        active(&s, "1.21.0", "go1.23.0", &user_path),
        "entering with a user's GOTOOLCHAIN"
    );

    // A project whose version is not installed: the hook installs nothing
    // and says so once; `go` is the shim, which installs it on first use.
    let published = s.server.count("/dl/go1.20.14.linux-amd64.tar.gz");
    cd(&d);
    assert_eq!(
        term.probe(),
        routed(&s, "go1.23.0", &user_path),
        "in d (not installed)"
    );
    term.wait_for(
        || {
            term.pane().contains(
                "not installed; `go` installs it on first use (GVMR_AUTO_INSTALL=0 turns this off), or run: gvmr install 1.20.14",
            )
        },
        "the not-installed hint",
    );
    assert_eq!(
        s.server.count("/dl/go1.20.14.linux-amd64.tar.gz"),
        published,
        "the hook downloaded"
    );
    let shown = go_version_in(&term, shell, "first-use");
    assert!(
        shown.contains("gvmr: go1.20.14 is selected by")
            && shown.contains("go version go1.20.14 linux/amd64")
            && shown.contains("first-use=exit:0"),
        "{}: {shown}",
        shell.name()
    );
    assert_eq!(
        term.probe(),
        active(&s, "1.20.14", "go1.23.0", &user_path),
        "installed on first use in d: the next prompt uses it"
    );

    // No default was set, so the version installed on first use became it.
    cd(&outside);
    assert_eq!(
        term.probe(),
        active(&s, "1.20.14", "go1.23.0", &user_path),
        "the first install became the default"
    );
    // Changing the default outside any project: the next prompt uses it.
    term.line(&format!("{} default 1.22.5", q(Path::new(GVMR))));
    assert_eq!(
        term.probe(),
        active(&s, "1.22.5", "go1.23.0", &user_path),
        "the changed default applies"
    );
    term.line(&format!("{} default 1.21.0", q(Path::new(GVMR))));
    assert_eq!(
        term.probe(),
        active(&s, "1.21.0", "go1.23.0", &user_path),
        "the changed default applies"
    );
}

#[test]
fn bash_hook_switches_as_you_cd_and_edit() {
    switching_scenario(Sh::Bash, "gvmr-home");
}

#[test]
fn zsh_hook_switches_as_you_cd_and_edit() {
    switching_scenario(Sh::Zsh, ODD_HOME);
}

#[test]
fn fish_hook_switches_as_you_cd_and_edit() {
    switching_scenario(Sh::Fish, ODD_HOME);
}

/// `go` where nothing selects a version, in a real shell that has only the
/// shims on PATH (no hook): the shim says so and how to choose, exit 127.
fn nothing_selected_with_shims_only(shell: Sh) {
    let s = probe_session(PUBLISHED, &["1.22.5"]);
    s.unset_default();
    let outside = s.dir("outside");
    let term = Terminal::start(
        shell,
        &s,
        &s.root().join("run"),
        &outside,
        &shell.prepend_path(&shims(&s)),
        &[],
    );
    let shown = go_version_in(&term, shell, "shims-only");
    assert!(
        shown.contains("gvmr: no Go version is selected here")
            && shown.contains("`gvmr default VERSION`")
            && shown.contains("shims-only=exit:127"),
        "{}: {shown}",
        shell.name()
    );
}

#[test]
fn go_where_nothing_is_selected_explains_itself_with_shims_only() {
    for shell in [Sh::Bash, Sh::Zsh, Sh::Fish] {
        nothing_selected_with_shims_only(shell);
    }
}

// ---------------------------------------------------------------------------
// direnv

/// A world with `gvmr direnv` in the direnvrc of its HOME and a project `p`
/// whose .envrc is `envrc`, allowed.
fn direnv_session(envrc: &str) -> (Session, PathBuf) {
    let s = probe_session(PUBLISHED, INSTALLED);
    let rc = run_with_timeout(
        Command::new(GVMR).arg("direnv").env("GVMR_HOME", s.home()),
        STEP_LIMIT,
    );
    assert!(rc.status.success(), "{}", err(&rc));
    write_file(&s.user_home().join(".config/direnv/direnvrc"), &rc.stdout);
    let project = s.dir("p");
    write_file(&project.join(".envrc"), envrc);
    let output = direnv(&s, &project, &["allow", "."]);
    assert!(output.status.success(), "direnv allow: {}", err(&output));
    (s, project)
}

fn direnv(s: &Session, dir: &Path, args: &[&str]) -> Output {
    run_with_timeout(s.clean_command("direnv", dir).args(args), STEP_LIMIT)
}

fn direnv_goroot(s: &Session, dir: &Path) -> String {
    let output = direnv(
        s,
        dir,
        &[
            "exec",
            ".",
            "sh",
            "-c",
            "echo \"$GOROOT|$GOTOOLCHAIN|${PATH%%:*}\"",
        ],
    );
    assert!(output.status.success(), "direnv exec: {}", err(&output));
    out(&output)
}

fn expected_direnv(s: &Session, version: &str) -> String {
    let goroot = s.goroot(version);
    format!(
        "{}|local|{}",
        goroot.display(),
        goroot.join("bin").display()
    )
}

#[test]
fn direnv_use_gvmr_follows_the_selection() {
    let (s, project) = direnv_session("use gvmr\n");
    s.write("p/.go-version", "1.21.0\n");
    assert_eq!(direnv_goroot(&s, &project), expected_direnv(&s, "1.21.0"));
    s.write("p/.go-version", "1.22.5\n");
    assert_eq!(direnv_goroot(&s, &project), expected_direnv(&s, "1.22.5"));
    // From a subdirectory too.
    let sub = s.dir("p/sub");
    let output = direnv(&s, &sub, &["exec", ".", "sh", "-c", "echo $GOROOT"]);
    assert_eq!(out(&output), s.goroot("1.22.5").display().to_string());

    // `direnv export` lists every file gvmr reads in DIRENV_WATCHES, and
    // says what it exports.
    let output = direnv(&s, &project, &["export", "json"]);
    assert!(output.status.success(), "{}", err(&output));
    let json: serde_json::Value = serde_json::from_str(&out(&output)).unwrap();
    assert_eq!(json["GOROOT"], s.goroot("1.22.5").display().to_string());
    assert!(json["DIRENV_WATCHES"].is_string(), "{json}");

    // A broken version file: the error reaches the user, nothing is exported.
    s.write("p/.go-version", "banana\n");
    let output = direnv(
        &s,
        &project,
        &["exec", ".", "sh", "-c", "echo \"[$GOROOT]\""],
    );
    assert!(
        err(&output).contains("is not a Go version"),
        "{}",
        err(&output)
    );
    assert!(!out(&output).contains("versions"), "{}", out(&output));
}

#[test]
fn direnv_leaves_go_to_the_shims_where_nothing_or_a_missing_version_is_selected() {
    let (s, project) = direnv_session("use gvmr\n");
    s.unset_default();
    let go_version = |vars: &[(&str, &str)]| {
        let mut cmd = s.clean_command("direnv", &project);
        cmd.args(["exec", ".", "sh", "-c", "go version; echo \"exit=$?\""]);
        for (name, value) in vars {
            cmd.env(name, value);
        }
        run_with_timeout(&mut cmd, STEP_LIMIT)
    };
    // Nothing selected: `go` is the shim, last on PATH, which says so.
    let output = go_version(&[]);
    assert_eq!(out(&output), "exit=127", "{}", err(&output));
    assert!(
        err(&output).contains("gvmr: no Go version is selected here"),
        "{}",
        err(&output)
    );
    // A selected version that is not installed: direnv installs nothing and
    // says so; `go` (the shim, first on PATH) installs it on first use.
    let gv = s.write("p/.go-version", "1.20.14\n");
    let output = direnv(&s, &project, &["exec", ".", "sh", "-c", "echo \"$PATH\""]);
    assert!(output.status.success(), "{}", err(&output));
    assert!(
        out(&output).starts_with(&format!("{}:", shims(&s))),
        "{}",
        out(&output)
    );
    assert!(
        err(&output).contains(&format!(
            "gvmr: go1.20.14 is selected by {} but not installed; `go` installs it on first use",
            gv.display()
        )),
        "{}",
        err(&output)
    );
    assert!(!s.goroot("1.20.14").exists(), "direnv installed it");
    let keyring = s.keyring().display().to_string();
    let output = go_version(&[
        ("GVMR_BIN", GVMR),
        ("GVMR_INDEX_URL", &s.index_url()),
        ("GVMR_MIRROR", &s.mirror_url()),
        ("GVMR_KEYRING", &keyring),
    ]);
    assert_eq!(
        out(&output),
        "go version go1.20.14 linux/amd64\nexit=0",
        "{}",
        err(&output)
    );
}

#[test]
fn direnv_use_gvmr_with_a_version_forces_it() {
    let (s, project) = direnv_session("use gvmr 1.22.5\n");
    s.write("p/.go-version", "1.21.0\n");
    assert_eq!(direnv_goroot(&s, &project), expected_direnv(&s, "1.22.5"));
    write_file(&project.join(".envrc"), "use gvmr 1.19.5\n");
    let output = direnv(&s, &project, &["allow", "."]);
    assert!(output.status.success());
    let output = direnv(
        &s,
        &project,
        &["exec", ".", "sh", "-c", "echo \"[$GOROOT]\""],
    );
    assert!(
        err(&output).contains("go1.19.5 is not installed"),
        "{}",
        err(&output)
    );
}

#[test]
fn direnv_in_an_interactive_shell_reloads_when_the_version_file_changes() {
    let (s, project) = direnv_session("use gvmr\n");
    let gv = s.write("p/.go-version", "1.21.0\n");
    let outside = s.dir("outside");
    let term = Terminal::start(
        Sh::Bash,
        &s,
        &s.root().join("run"),
        &outside,
        "eval \"$(direnv hook bash)\"",
        &[],
    );
    assert_eq!(term.probe(), unset_goroot(UNSET, BASE_PATH));
    term.line(&format!("cd {}", q(&project)));
    assert_eq!(term.probe(), activated(&s, "1.21.0", "local", BASE_PATH));
    // direnv compares whole-second modification times: the edit is dated
    // ahead of any time direnv saw, instead of waiting for the next second.
    std::fs::write(&gv, "1.22.5\n").unwrap();
    set_mtime(&gv, SystemTime::now() + Duration::from_secs(2));
    assert_eq!(
        term.probe_after_change(),
        activated(&s, "1.22.5", "local", BASE_PATH),
        "direnv reloads after .go-version changed"
    );
    // A new, nearer file direnv was told to watch.
    let sub = s.dir("p/sub");
    term.line(&format!("cd {}", q(&sub)));
    term.probe();
    let nearer = s.write("p/sub/.go-version", "1.23.1\n");
    set_mtime(&nearer, SystemTime::now() + Duration::from_secs(2));
    term.enter();
    // direnv evaluates the .envrc in its own directory, so a version file
    // below it does not apply (the .envrc's directory decides).
    assert_eq!(term.probe(), activated(&s, "1.22.5", "local", BASE_PATH));
    term.line(&format!("cd {}", q(&outside)));
    assert_eq!(
        term.probe(),
        unset_goroot(UNSET, BASE_PATH),
        "direnv unloads outside"
    );
}

// ---------------------------------------------------------------------------
// Static checks of the scripts

fn tool_output(cmd: &mut Command, what: &str) -> Output {
    cmd.output()
        .unwrap_or_else(|e| panic!("{} (for {what})", crate::support::cannot_start(cmd, &e)))
}

#[test]
fn the_scripts_pass_shellcheck_and_syntax_checks() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let substituted = |name: &str| {
        let text = std::fs::read_to_string(manifest.join("shell").join(name)).unwrap();
        assert!(text.contains("__GVMR__"), "{name} has the placeholder");
        write_file(
            &dir.path().join(name),
            text.replace("__GVMR__", "'/opt/gvmr dir/bin/gvmr'"),
        )
    };
    let bash = substituted("gvmr.bash");
    let direnvrc = substituted("direnvrc");
    let zsh = substituted("gvmr.zsh");
    let fish = substituted("gvmr.fish");

    let output = tool_output(
        Command::new("shellcheck")
            .args(["-s", "bash"])
            .arg(&bash)
            .arg(&direnvrc),
        "the bash hook and direnvrc",
    );
    assert!(
        output.status.success(),
        "shellcheck:\n{}{}",
        out(&output),
        err(&output)
    );
    // What `gvmr hook bash` / `gvmr direnv` print passes too.
    for args in [&["hook", "bash"][..], &["direnv"]] {
        let text = run_with_timeout(Command::new(GVMR).args(args), STEP_LIMIT);
        let file = write_file(&dir.path().join("generated"), &text.stdout);
        let output = tool_output(
            Command::new("shellcheck").args(["-s", "bash"]).arg(&file),
            "generated scripts",
        );
        assert!(output.status.success(), "gvmr {args:?}:\n{}", out(&output));
    }

    let output = tool_output(Command::new("zsh").arg("-n").arg(&zsh), "the zsh hook");
    assert!(output.status.success(), "zsh -n: {}", err(&output));
    let output = tool_output(Command::new("fish").arg("-n").arg(&fish), "the fish hook");
    assert!(output.status.success(), "fish -n: {}", err(&output));
    let output = tool_output(Command::new("bash").arg("-n").arg(&bash), "the bash hook");
    assert!(output.status.success(), "bash -n: {}", err(&output));
}
