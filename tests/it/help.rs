//! Every command's `--help`, snapshotted: what a user reads first changes
//! only on purpose (review the diff with `cargo insta review`).

use crate::assert_transcript;
use std::process::Command;

/// `gvmr ARGS... --help`, with no environment that could change it.
fn help(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_gvmr"))
        .args(args)
        .arg("--help")
        .env_clear()
        .env("HOME", "/nonexistent")
        .output()
        .unwrap()
}

/// The subcommands of `gvmr ARGS...`, from its help's list.
pub fn subcommands(args: &[&str]) -> Vec<String> {
    let text = String::from_utf8(help(args).stdout).unwrap();
    text.lines()
        .skip_while(|line| !line.starts_with("Commands:"))
        .skip(1)
        .take_while(|line| line.starts_with("  "))
        // A name starts at column 2; wrapped descriptions are indented more.
        .filter(|line| !line.starts_with("   "))
        .filter_map(|line| line.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_string)
        .collect()
}

#[test]
fn the_top_level_help() {
    assert_transcript!("help", help(&[]));
}

#[test]
fn every_command_has_help_with_examples() {
    let commands = subcommands(&[]);
    assert!(commands.len() >= 15, "{commands:?}");
    let mut without_examples = Vec::new();
    let mut check = |args: &[&str]| {
        let output = help(args);
        assert!(output.status.success(), "{args:?} --help");
        let text = String::from_utf8_lossy(&output.stdout);
        let examples = text.split("\nExamples:\n").nth(1).unwrap_or_default();
        if !examples.lines().any(|l| l.contains("gvmr ")) {
            without_examples.push(args.join(" "));
        }
        output
    };
    for command in commands {
        let output = check(&[&command]);
        assert_transcript!(format!("help-{command}"), output);
        for sub in subcommands(&[&command]) {
            let output = check(&[&command, &sub]);
            assert_transcript!(format!("help-{command}-{sub}"), output);
        }
    }
    assert!(
        without_examples.is_empty(),
        "--help without an `Examples:` section using gvmr: {without_examples:?}"
    );
}
