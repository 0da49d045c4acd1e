//! `gvmr doctor [--json] [--offline] [--verify-files]`: gathers what the
//! checks need, runs them ([`crate::doctor`]) and prints the report.

use super::Finished;
use crate::doctor::system::{RealSystem, System};
use crate::doctor::{Check, Context, Status, run_checks};
use crate::error::Error;
use crate::settings::Settings;
use crate::store::Store;
use crate::switch::selection::current_dir;
use crate::ui::{self, Ui};
use std::sync::Arc;

/// `gvmr doctor`: problems found when any check is an error. Network
/// checks go through gvmr's own client, with the credentials it would send.
pub fn doctor(
    settings: &Settings,
    store: &Store,
    ui: &Ui,
    json: bool,
    offline: bool,
    verify_files: bool,
) -> Result<Finished, Error> {
    let cwd = current_dir(&settings.selection)?;
    let installed = store.installed()?;
    let sys: Arc<dyn System> = Arc::new(RealSystem::new(settings.http_for_diagnosis(ui)));
    let mut ctx = Context::gather(settings, store.root(), &cwd, installed);
    ctx.offline = offline;
    ctx.verify_files = verify_files;
    let checks = run_checks(ctx, sys);
    let text = if json {
        let mut text = serde_json::to_string_pretty(&checks).expect("checks serialize");
        text.push('\n');
        text
    } else {
        render(&checks, ui::stdout_in_colour())
    };
    ui::out(text)?;
    Ok(if checks.iter().any(|c| c.status == Status::Error) {
        Finished::ProblemsFound
    } else {
        Finished::Success
    })
}

/// The human report: sections, one line per check (plus symptom and fix
/// for problems), a summary line.
pub fn render(checks: &[Check], colour: bool) -> String {
    let paint = |code: &str, text: &str| {
        if colour {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    };
    let mut out = String::new();
    let mut section = "";
    for check in checks {
        if check.section != section {
            section = check.section;
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(&paint("1", section));
            out.push('\n');
        }
        let colour = match check.status {
            Status::Ok => "32",
            Status::Warning => "33",
            Status::Error => "31",
        };
        let label = paint(colour, check.status.label());
        let time = if check.duration_ms >= 100 {
            format!(" ({:.1} s)", check.duration_ms as f64 / 1000.0)
        } else {
            String::new()
        };
        out.push_str(&format!(
            "  {label}  {}: {}{time}\n",
            check.check, check.finding
        ));
        if let Some(symptom) = &check.symptom {
            out.push_str(&format!("           symptom: {symptom}\n"));
        }
        for fix in &check.fix {
            out.push_str(&format!("           fix: {fix}\n"));
        }
    }
    out.push_str(&format!(
        "\n{} checks: {}\n",
        checks.len(),
        crate::ui::tally(checks.iter().map(|c| c.status))
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_groups_by_section_and_counts() {
        let checks = vec![
            Check::ok("Toolchain", "selection", "go1.22.5 is installed"),
            Check::error(
                "Toolchain",
                "integrity",
                "bad",
                "it breaks",
                &["gvmr install --force 1.22.5"],
            ),
            Check::warning(
                "Limits",
                "open files",
                "low",
                "too many open files",
                &["ulimit -n 65536"],
            ),
        ];
        let text = render(&checks, false);
        assert!(
            text.starts_with("Toolchain\n  ok       selection: go1.22.5 is installed\n"),
            "{text}"
        );
        assert!(text.contains("fix: gvmr install --force 1.22.5"), "{text}");
        assert!(text.contains("\nLimits\n"), "{text}");
        assert!(
            text.ends_with("3 checks: 1 ok, 1 warning, 1 error\n"),
            "{text}"
        );
        assert!(!text.contains('\x1b'));
        assert!(render(&checks, true).contains("\x1b[31m"));
    }
}
