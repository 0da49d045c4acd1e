//! The README's console examples, run: every ```` ```console ```` block is a
//! shell session (`$ ` starts a command, the lines after it are what it
//! prints, stdout and stderr as a terminal shows them) that runs here in
//! bash against a loopback mirror, in a fresh home, and must print what the
//! README says. Blocks that cannot run here (go.dev itself, a real user's
//! shell startup files) are marked ```` ```console not-run ````.
//!
//! Each session starts in `~/app` of a fresh home (shown as `/home/u`),
//! with `gvmr` on `PATH` (the shims only when the session puts them
//! there) and nothing installed.
//!
//! What differs between machines and runs is compared loosely: durations
//! and sizes, hex digests and key ids, dates, and the loopback mirror's
//! URLs (shown as go.dev's and dl.google.com's). A line `...` stands for
//! any number of lines. A command must succeed unless its output ends
//! with `[exit: N]`, its exit status.

use crate::support::Session;
use crate::support::keys::TestKey;
use crate::support::mirror::fake_go_sdk_archive;
use crate::support::run_with_timeout;
use std::path::Path;
use std::process::Command;

/// The releases the sandbox mirror publishes: what the examples install.
const RELEASES: &[&str] = &[
    "go1.20.14",
    "go1.21.13",
    "go1.22.3",
    "go1.22.4",
    "go1.22.5",
    "go1.22.12",
    "go1.23.4",
    "go1.23rc1",
];

/// The test key's user ID: the one Google's release key carries, so the
/// examples read as they do with the real key.
const GOOGLE_USER_ID: &str =
    "Google Inc. (Linux Packages Signing Authority) <linux-packages-keymaster@google.com>";

/// The home directory the README's sessions show.
const SHOWN_HOME: &str = "/home/u";

/// How long one session may run (it installs from the loopback mirror).
const SESSION_LIMIT: std::time::Duration = std::time::Duration::from_secs(300);

/// Where the README's sessions pretend their sources are.
const OFFICIAL_LISTING: &str = "https://go.dev/dl/?mode=json&include=all";
const OFFICIAL_MIRROR: &str = "https://dl.google.com/go/";

/// One ```console block: where it starts, and its commands with what each
/// prints.
#[derive(Debug)]
struct Example {
    line: usize,
    run: bool,
    steps: Vec<(String, Vec<String>)>,
}

/// The fenced blocks of `text`: the line each starts on, its info string
/// and its lines.
fn fences(text: &str) -> Vec<(usize, &str, Vec<&str>)> {
    let mut found = Vec::new();
    let mut lines = text.lines().enumerate();
    while let Some((i, line)) = lines.next() {
        let Some(info) = line.strip_prefix("```") else {
            continue;
        };
        let body = lines
            .by_ref()
            .map(|(_, l)| l)
            .take_while(|l| !l.starts_with("```"))
            .collect();
        found.push((i + 1, info, body));
    }
    found
}

/// The ```console blocks of `text`.
fn examples(text: &str) -> Vec<Example> {
    fences(text)
        .into_iter()
        .filter_map(|(line, info, body)| {
            let info = info.strip_prefix("console")?;
            let mut example = Example {
                line,
                run: !info.split_whitespace().any(|w| w == "not-run"),
                steps: Vec::new(),
            };
            for text in body {
                match text.strip_prefix("$ ") {
                    Some(command) => example.steps.push((command.to_string(), Vec::new())),
                    None => match example.steps.last_mut() {
                        Some((_, output)) => output.push(text.to_string()),
                        None => panic!("README.md:{line}: output before any `$ ` command"),
                    },
                }
            }
            Some(example)
        })
        .collect()
}

/// A line with what varies between runs and machines masked.
fn masked(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let chars: Vec<char> = line.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let starts_word = i == 0 || !chars[i - 1].is_ascii_alphanumeric();
        if starts_word && c.is_ascii_hexdigit() {
            // A hex run (digest, key id), possibly abbreviated with `…`.
            let mut j = i;
            while j < chars.len() && (chars[j].is_ascii_hexdigit() || chars[j] == '…') {
                j += 1;
            }
            let run: String = chars[i..j].iter().collect();
            let ends_word = j == chars.len() || !chars[j].is_ascii_alphanumeric();
            let hex_digits = run.chars().filter(|c| c.is_ascii_hexdigit()).count();
            if ends_word
                && hex_digits >= 8
                && run.chars().any(|c| c.is_ascii_alphabetic() || c == '…')
            {
                out.push_str("<hex>");
                i = j;
                continue;
            }
        }
        if starts_word && c.is_ascii_digit() {
            // A number: a date, or a quantity with its unit.
            let mut j = i;
            while j < chars.len()
                && (chars[j].is_ascii_digit() || chars[j] == '.' || chars[j] == '-')
            {
                j += 1;
            }
            let number: String = chars[i..j].iter().collect();
            let rest: String = chars[j..].iter().collect();
            let unit = ["ms", "µs", "s", "min", "B", "KiB", "MiB", "GiB"]
                .into_iter()
                .filter(|u| {
                    let after = rest.trim_start_matches(' ');
                    after.starts_with(u)
                        && !after[u.len()..].starts_with(|c: char| c.is_alphanumeric())
                })
                .max_by_key(|u| u.len());
            if number.len() == 10 && number.matches('-').count() == 2 {
                out.push_str("<date>");
                i = j;
                continue;
            }
            if let Some(unit) = unit {
                let spaces = rest.len() - rest.trim_start_matches(' ').len();
                out.push_str("<n>");
                i = j + spaces + unit.chars().count();
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    // Columns line up differently with other widths: any run of blanks is one.
    out.split(' ')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether `actual` lines match `expected` (with `...` lines matching any
/// number of lines), both masked.
fn matches(expected: &[String], actual: &[String]) -> bool {
    match expected.split_first() {
        None => actual.is_empty(),
        Some((first, rest)) if first == "..." => {
            (0..=actual.len()).any(|skip| matches(rest, &actual[skip..]))
        }
        Some((first, rest)) => actual
            .split_first()
            .is_some_and(|(line, more)| masked(first) == masked(line) && matches(rest, more)),
    }
}

/// Runs one example's commands in one bash process, in a fresh home whose
/// gvmr uses `s`'s mirror; what each command printed.
fn run(s: &Session, example: &Example) -> Vec<Vec<String>> {
    let dir = tempfile::tempdir().unwrap();
    let home = std::fs::canonicalize(dir.path()).unwrap();
    let project = home.join("app");
    std::fs::create_dir_all(&project).unwrap();
    let gvmr = Path::new(env!("CARGO_BIN_EXE_gvmr"));
    let marker = "@@gvmr-readme-step@@";
    let mut script = String::from("exec 2>&1\n");
    for (command, _) in &example.steps {
        script.push_str(&format!("echo {marker}\n{command}\necho \"[exit: $?]\"\n"));
    }
    let output = run_with_timeout(
        Command::new("bash")
            .arg("-c")
            .arg(&script)
            .env_clear()
            .env("HOME", &home)
            .env(
                "PATH",
                format!(
                    "{}:{}",
                    gvmr.parent().unwrap().display(),
                    crate::support::BASE_PATH
                ),
            )
            .env("GVMR_INDEX_URL", s.index_url())
            .env("GVMR_MIRROR", s.mirror_url())
            .env("GVMR_KEYRING", s.keyring())
            .env("NO_COLOR", "1")
            .env("PWD", &project)
            .current_dir(&project),
        SESSION_LIMIT,
    );
    let text = String::from_utf8_lossy(&output.stdout)
        .replace(&s.index_url(), OFFICIAL_LISTING)
        .replace(&s.mirror_url(), OFFICIAL_MIRROR)
        .replace(home.to_str().unwrap(), SHOWN_HOME);
    text.split(&format!("{marker}\n"))
        .skip(1)
        .map(|step| {
            let mut lines: Vec<String> = step
                .lines()
                // The sandbox's own key, trusted through GVMR_KEYRING.
                .filter(|l| {
                    let l = l.strip_prefix("gvmr: ").unwrap_or(l);
                    !l.starts_with("warning: GVMR_KEYRING is set")
                })
                .map(str::to_string)
                .collect();
            // Success goes without saying.
            if lines.last().is_some_and(|l| l == "[exit: 0]") {
                lines.pop();
            }
            lines
        })
        .collect()
}

#[test]
fn the_readmes_console_examples_print_what_it_says() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("read README.md");
    let examples = examples(&readme);
    let s = Session::with_key(TestKey::generate(GOOGLE_USER_ID));
    // Go roots with the runtime's sources, as editors expect (`gvmr ide`).
    for version in RELEASES {
        s.publish_archive(version, fake_go_sdk_archive(version));
    }
    let mut wrong = Vec::new();
    let mut ran = 0;
    for example in examples.iter().filter(|e| e.run) {
        ran += 1;
        let printed = run(&s, example);
        for (i, (command, expected)) in example.steps.iter().enumerate() {
            let actual = printed.get(i).cloned().unwrap_or_default();
            if !matches(expected, &actual) {
                wrong.push(format!(
                    "README.md:{}: `$ {command}` printed:\n{}\nwhere the README says:\n{}",
                    example.line,
                    actual.join("\n"),
                    expected.join("\n")
                ));
            }
        }
    }
    assert!(ran > 0, "README.md has no ```console examples to run");
    assert!(wrong.is_empty(), "{}", wrong.join("\n\n"));
}

#[test]
fn the_comparison_masks_what_varies_and_nothing_else() {
    assert_eq!(
        masked("Verified sha256 904b924d…c7f0 (x) signature (key 0F06FF86…, made 2024-06-28)"),
        "Verified sha256 <hex> (x) signature (key <hex>, made <date>)"
    );
    assert_eq!(
        masked("Installed go1.22.5 in ~/v/go1.22.5 (2.1 s), 65.1 MiB, 833 B"),
        "Installed go1.22.5 in ~/v/go1.22.5 (<n>), <n>, <n>"
    );
    assert_eq!(
        masked("go1.22.12 1.23 facade 12345678"),
        "go1.22.12 1.23 facade 12345678"
    );
    let lines = |text: &str| text.lines().map(str::to_string).collect::<Vec<_>>();
    assert!(matches(&lines("a\n...\nd"), &lines("a\nb\nc\nd")));
    assert!(matches(&lines("a\n...\nd"), &lines("a\nd")));
    assert!(!matches(&lines("a\nd"), &lines("a\nb\nd")));
    assert!(!matches(&lines("took 2.1 s"), &lines("took 2.1 s more")));
    assert!(matches(&lines("a    63.7 MiB  b"), &lines("a 672 B  b")));
}

/// The fenced blocks of `text` whose info string is `lang`, with the line
/// each starts on.
fn blocks(text: &str, lang: &str) -> Vec<(usize, String)> {
    fences(text)
        .into_iter()
        .filter(|(_, info, _)| *info == lang)
        .map(|(line, _, body)| (line, body.join("\n")))
        .collect()
}

#[test]
fn the_readmes_sh_blocks_are_shell_that_parses() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("read README.md");
    let sh = blocks(&readme, "sh");
    assert!(sh.len() >= 5, "{sh:?}");
    for (line, body) in sh {
        let output = Command::new("bash")
            .args(["-n", "-c", &body])
            .output()
            .expect("run bash -n");
        assert!(
            output.status.success(),
            "README.md:{line}: not shell: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

/// Measured figures in the README (µs, and "about … ms") are the ones
/// BENCHMARKS.md reports, not copies that drift.
#[test]
fn the_readmes_figures_come_from_benchmarks() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let benchmarks = std::fs::read_to_string(root.join("BENCHMARKS.md")).unwrap();
    let figures = measured_figures(&readme);
    assert!(figures.len() >= 3, "{figures:?}");
    // Whole figures: "3 µs" is not found in "93 µs".
    let quoted = |figure: &str| {
        benchmarks.match_indices(figure).any(|(at, _)| {
            !benchmarks[..at]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_ascii_digit() || c == '.' || c == ',')
        })
    };
    let missing: Vec<&String> = figures.iter().filter(|figure| !quoted(figure)).collect();
    assert!(
        missing.is_empty(),
        "README.md quotes figures BENCHMARKS.md does not have: {missing:?}"
    );
}

/// `N µs`, and `N ms` after "about", in prose (not in code blocks).
fn measured_figures(text: &str) -> Vec<String> {
    let mut figures = Vec::new();
    let mut in_code = false;
    for line in text.lines() {
        if line.starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if in_code {
            continue;
        }
        let words: Vec<&str> = line.split_whitespace().collect();
        for (i, word) in words.iter().enumerate() {
            let Some(unit) = words
                .get(i + 1)
                .map(|u| u.trim_end_matches([',', '.', ';', ')']))
            else {
                continue;
            };
            let number = word.trim_start_matches(['(', '*']);
            let is_number = !number.is_empty()
                && number
                    .chars()
                    .all(|c| c.is_ascii_digit() || c == '.' || c == ',');
            let about = i > 0 && words[i - 1] == "about";
            if is_number && (unit == "µs" || (unit == "ms" && about)) {
                figures.push(format!("{number} {unit}"));
            }
        }
    }
    figures
}

#[test]
fn measured_figures_are_found_in_prose_only() {
    let text =
        "costs about 55 µs in bash, 42 µs in zsh\n```\n9 µs\n```\nabout 0.5 ms; waits 250 ms";
    assert_eq!(measured_figures(text), ["55 µs", "42 µs", "0.5 ms"]);
}
