//! Everything gvmr tells the user: the command's output on stdout
//! ([`out`]), status lines and warnings on stderr, questions, and progress
//! bars drawn only on a terminal.
//!
//! Stdout goes through [`out`] only (`println!` is denied in this crate): a
//! reader that went away (`gvmr list | head -1`) ends the command quietly
//! instead of panicking. SIGPIPE stays ignored, as Rust sets it, so a
//! broken socket or child pipe is an error gvmr reports, never a silent
//! death; children get the default disposition back (std resets it on
//! exec). Stderr writes never fail a command: a closed stderr only loses
//! the messages.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::{self, BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::sync::OnceLock;

/// How a check went, in `gvmr doctor`'s report and `gvmr mirrors
/// --check`'s.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    /// It works, but lacks something (a signature, a setting).
    Warning,
    Error,
}

impl Status {
    /// The report's status column: `ok     `, `warning`, `error  `.
    pub fn label(self) -> &'static str {
        match self {
            Status::Ok => "ok     ",
            Status::Warning => "warning",
            Status::Error => "error  ",
        }
    }
}

/// The counts a report ends with: `3 ok, 1 warning, 0 errors`.
pub fn tally(statuses: impl IntoIterator<Item = Status>) -> String {
    let (mut ok, mut warnings, mut errors) = (0, 0, 0);
    for status in statuses {
        match status {
            Status::Ok => ok += 1,
            Status::Warning => warnings += 1,
            Status::Error => errors += 1,
        }
    }
    format!(
        "{ok} ok, {warnings} warning{}, {errors} error{}",
        if warnings == 1 { "" } else { "s" },
        if errors == 1 { "" } else { "s" },
    )
}

/// What the user's environment says about presenting output (`HOME` for
/// `~` in paths, `NO_COLOR`), set once from the settings when a command
/// starts ([`present_with`]).
#[derive(Debug, Default)]
struct Presentation {
    home: Option<PathBuf>,
    no_color: bool,
}

static PRESENTATION: OnceLock<Presentation> = OnceLock::new();

/// Sets how paths and colours are shown for the rest of this run: `home`
/// (shown as `~`) and `no_color`. Later calls change nothing.
pub fn present_with(home: Option<PathBuf>, no_color: bool) {
    let _ = PRESENTATION.set(Presentation { home, no_color });
}

fn presentation() -> &'static Presentation {
    PRESENTATION.get_or_init(Presentation::default)
}

#[derive(Debug, Clone)]
pub struct Ui {
    quiet: bool,
    tty: bool,
    /// gvmr runs for another program (for `go`, installing a version on
    /// first use; for direnv): only notices, warnings and progress bars,
    /// each line marked `gvmr:` so it is not taken for that program's.
    helper: bool,
}

/// Stdout could not be written: [`is_closed`](OutputError::is_closed) when
/// its reader went away (then gvmr stops quietly), else a real failure
/// (disk full behind a redirect).
#[derive(Debug, thiserror::Error)]
#[error("cannot write to standard output: {}", crate::files::describe_io(.0))]
pub struct OutputError(pub(crate) io::Error);

impl OutputError {
    pub fn is_closed(&self) -> bool {
        self.0.kind() == io::ErrorKind::BrokenPipe
    }
}

/// Writes `text` to stdout (the command's output) and flushes it.
pub fn out(text: impl AsRef<str>) -> Result<(), OutputError> {
    out_bytes(text.as_ref().as_bytes())
}

/// [`out`] for bytes.
pub fn out_bytes(bytes: &[u8]) -> Result<(), OutputError> {
    let mut stdout = io::stdout().lock();
    stdout
        .write_all(bytes)
        .and_then(|()| stdout.flush())
        .map_err(OutputError)
}

/// One line of output on stdout.
pub fn outln(line: impl AsRef<str>) -> Result<(), OutputError> {
    let mut text = line.as_ref().to_string();
    text.push('\n');
    out(text)
}

/// Writes a line to stderr, ignoring failure (nobody is listening).
fn err_line(line: &str) {
    let _ = writeln!(io::stderr().lock(), "{line}");
}

/// An error and its hint, as `main` reports them.
pub fn error(message: &str, hint: Option<&str>) {
    err_line(&format!("error: {message}"));
    if let Some(hint) = hint {
        err_line(&format!("hint: {hint}"));
    }
}

impl Ui {
    pub fn new(quiet: bool) -> Ui {
        Ui {
            quiet,
            tty: io::stderr().is_terminal(),
            helper: false,
        }
    }

    /// This Ui for a run on behalf of another program (see
    /// [`Ui::helper`]): status lines and notes are left out, progress bars
    /// stay, and lines are marked `gvmr:`.
    pub fn as_helper(&self) -> Ui {
        Ui {
            helper: true,
            ..self.clone()
        }
    }

    /// `gvmr: ` for a helper, whose lines mix with another program's.
    fn marked(&self, line: String) -> String {
        if self.helper {
            format!("gvmr: {line}")
        } else {
            line
        }
    }

    /// A status line; silenced by `--quiet`, and for a helper.
    pub fn status(&self, message: impl AsRef<str>) {
        if !self.quiet && !self.helper {
            err_line(message.as_ref());
        }
    }

    /// A status line that a helper shows too (what gvmr installs on first
    /// use and why, a default it set); silenced by `--quiet`.
    pub fn notice(&self, message: impl AsRef<str>) {
        if !self.quiet {
            err_line(&self.marked(message.as_ref().to_string()));
        }
    }

    /// A remark about how something was decided (a skipped file, an
    /// overridden pin); silenced by `--quiet`, and for a helper.
    pub fn note(&self, message: impl AsRef<str>) {
        if !self.quiet && !self.helper {
            err_line(&format!("note: {}", message.as_ref()));
        }
    }

    /// A warning; printed even with `--quiet`, because it names a risk.
    pub fn warn(&self, message: impl AsRef<str>) {
        err_line(&self.marked(format!("warning: {}", message.as_ref())));
    }

    /// Asks a yes/no question on stderr and reads the answer from stdin.
    /// `None` when stdin is not a terminal (nobody to ask); a closed stdin
    /// or anything but y/yes is "no".
    pub fn confirm(&self, question: &str) -> Option<bool> {
        if !io::stdin().is_terminal() {
            return None;
        }
        let mut stderr = io::stderr().lock();
        let _ = write!(stderr, "{question} [y/N] ");
        let _ = stderr.flush();
        drop(stderr);
        let mut answer = String::new();
        if io::stdin().lock().read_line(&mut answer).is_err() {
            return Some(false);
        }
        Some(matches!(
            answer.trim().to_ascii_lowercase().as_str(),
            "y" | "yes"
        ))
    }

    /// A byte-count progress bar (hidden when quiet or not on a terminal).
    pub fn progress(&self, label: &str, total: Option<u64>) -> ProgressBar {
        let template = if total.is_some() {
            "{msg}  [{bar:24}] {binary_bytes}/{binary_total_bytes}  {binary_bytes_per_sec}"
        } else {
            "{msg}  {binary_bytes}  {binary_bytes_per_sec}"
        };
        self.bar(label, total, template)
    }

    /// Progress of an unpack: how much of the archive (`archive_size`
    /// compressed bytes) was read, as a bar with a percentage, and the
    /// files written (the bar's prefix, set by the unpacker). Hidden like
    /// [`Ui::progress`].
    pub fn unpack_progress(&self, label: &str, archive_size: u64) -> ProgressBar {
        self.bar(
            label,
            Some(archive_size),
            "{msg}  [{bar:24}] {percent:>3}%  {prefix} files",
        )
    }

    fn bar(&self, label: &str, total: Option<u64>, template: &str) -> ProgressBar {
        if self.quiet || !self.tty {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::with_draw_target(total, ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template(template)
                .expect("the progress templates are valid")
                .progress_chars("=> "),
        );
        bar.set_message(label.to_string());
        bar
    }
}

/// True when stdout is a terminal and `NO_COLOR` is not set.
pub fn stdout_in_colour() -> bool {
    std::io::stdout().is_terminal() && !presentation().no_color
}

/// The width of the terminal stdout is, in columns; `None` when stdout is
/// not a terminal (its lines do not wrap, whatever their length).
pub fn stdout_width() -> Option<usize> {
    let stdout = std::io::stdout();
    if !stdout.is_terminal() {
        return None;
    }
    // A terminal that does not say (a pseudo-terminal set up without a
    // size): the classic width.
    let columns = terminal_size::terminal_size_of(&stdout).map_or(0, |(w, _)| usize::from(w.0));
    Some(if columns == 0 { 80 } else { columns })
}

/// `/home/u/.local/share/x` as `~/.local/share/x`, for messages.
pub fn tildify(path: &std::path::Path) -> String {
    if let Some(home) = &presentation().home
        && let Ok(rest) = path.strip_prefix(home)
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

/// A size as people read it: `833 B`, `12.0 KiB`, `65.1 MiB`.
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if n < 1024 {
        return format!("{n} B");
    }
    let mut value = n as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(bytes(0), "0 B");
        assert_eq!(bytes(833), "833 B");
        assert_eq!(bytes(1024), "1.0 KiB");
        assert_eq!(bytes(68_300_000), "65.1 MiB");
        assert_eq!(bytes(3 << 30), "3.0 GiB");
    }
}
