//! One finding of `gvmr doctor`: what was checked, how it went, what the
//! user sees because of it and what fixes it.

use serde::Serialize;
use std::time::Instant;

pub use crate::ui::Status;

/// One finding.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub section: &'static str,
    pub check: String,
    pub status: Status,
    pub finding: String,
    /// What the user sees because of it (empty when ok).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub symptom: Option<String>,
    /// Commands that fix it.
    pub fix: Vec<String>,
    pub duration_ms: u64,
}

impl Check {
    pub fn ok(
        section: &'static str,
        check: impl Into<String>,
        finding: impl Into<String>,
    ) -> Check {
        Check {
            section,
            check: check.into(),
            status: Status::Ok,
            finding: finding.into(),
            symptom: None,
            fix: Vec::new(),
            duration_ms: 0,
        }
    }

    pub fn problem(
        status: Status,
        section: &'static str,
        check: impl Into<String>,
        finding: impl Into<String>,
        symptom: impl Into<String>,
        fix: &[&str],
    ) -> Check {
        Check {
            section,
            check: check.into(),
            status,
            finding: finding.into(),
            symptom: Some(symptom.into()).filter(|s: &String| !s.is_empty()),
            fix: fix.iter().map(|s| s.to_string()).collect(),
            duration_ms: 0,
        }
    }

    pub fn warning(
        section: &'static str,
        check: impl Into<String>,
        finding: impl Into<String>,
        symptom: impl Into<String>,
        fix: &[&str],
    ) -> Check {
        Check::problem(Status::Warning, section, check, finding, symptom, fix)
    }

    pub fn error(
        section: &'static str,
        check: impl Into<String>,
        finding: impl Into<String>,
        symptom: impl Into<String>,
        fix: &[&str],
    ) -> Check {
        Check::problem(Status::Error, section, check, finding, symptom, fix)
    }

    pub fn with_fix(mut self, fix: Vec<String>) -> Check {
        self.fix = fix;
        self
    }

    pub fn took(mut self, started: Instant) -> Check {
        self.duration_ms = started.elapsed().as_millis() as u64;
        self
    }
}
