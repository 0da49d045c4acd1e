//! Everything gvmr tells the user on stderr: status lines, warnings, and a
//! progress bar that is drawn only on a terminal.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;

#[derive(Debug, Clone)]
pub struct Ui {
    quiet: bool,
    tty: bool,
}

impl Ui {
    pub fn new(quiet: bool) -> Ui {
        Ui {
            quiet,
            tty: std::io::stderr().is_terminal(),
        }
    }

    /// A status line; silenced by `--quiet`.
    pub fn status(&self, message: impl AsRef<str>) {
        if !self.quiet {
            eprintln!("{}", message.as_ref());
        }
    }

    /// A remark about how something was decided (a skipped file, an
    /// overridden pin); silenced by `--quiet`.
    pub fn note(&self, message: impl AsRef<str>) {
        if !self.quiet {
            eprintln!("note: {}", message.as_ref());
        }
    }

    /// A warning; printed even with `--quiet`, because it names a risk.
    pub fn warn(&self, message: impl AsRef<str>) {
        eprintln!("warning: {}", message.as_ref());
    }

    /// A byte-count progress bar (hidden when quiet or not on a terminal).
    pub fn progress(&self, label: &str, total: Option<u64>) -> ProgressBar {
        if self.quiet || !self.tty {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::with_draw_target(total, ProgressDrawTarget::stderr());
        let template = if total.is_some() {
            "{msg}  [{bar:24}] {binary_bytes}/{binary_total_bytes}  {binary_bytes_per_sec}"
        } else {
            "{msg}  {binary_bytes}  {binary_bytes_per_sec}"
        };
        bar.set_style(
            ProgressStyle::with_template(template)
                .expect("the progress template is valid")
                .progress_chars("=> "),
        );
        bar.set_message(label.to_string());
        bar
    }
}

/// True when stdout is a terminal and `NO_COLOR` is not set.
pub fn stdout_in_colour() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

/// `/home/u/.local/share/x` as `~/.local/share/x`, for messages.
pub fn tildify(path: &std::path::Path) -> String {
    if let Some(home) = std::env::var_os("HOME").filter(|h| !h.is_empty())
        && let Ok(rest) = path.strip_prefix(&home)
    {
        return format!("~/{}", rest.display());
    }
    path.display().to_string()
}

/// The message of an error and of every error that caused it, each cause
/// once: the one way gvmr turns an error chain into words.
pub fn error_chain(err: &dyn std::error::Error) -> String {
    let mut message = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        source = cause.source();
    }
    message
}
