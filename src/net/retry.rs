//! The one retry loop every network fetch goes through: how often, how
//! long to wait (exponential backoff, or the server's `Retry-After` in
//! either of its forms), and when to give up on a source.

use crate::ui::Ui;
use std::fmt::Display;
use std::time::{Duration, SystemTime};

/// The longest backoff between two attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(60);
/// The longest `Retry-After` honoured; a server asking for more is given up.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(30);

/// How often and how patiently to retry (`GVMR_RETRIES`,
/// `GVMR_RETRY_BACKOFF_MS`, read by [`crate::settings`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts per source (at least 1).
    pub attempts: u32,
    /// The wait before the second attempt; doubled before each further one.
    pub backoff: Duration,
}

/// Whether a failed attempt is worth another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// Try this source again, after the server's `Retry-After` if it sent one.
    Again(Option<Duration>),
    /// This source will not do (not found, refused, or a local failure).
    No,
}

/// A source that was given up: its last failure and how many attempts it had.
#[derive(Debug)]
pub struct GaveUp<F> {
    pub last: F,
    pub attempts: u32,
    /// Why the loop stopped early, when the server asked for a longer wait
    /// than gvmr gives.
    pub note: Option<String>,
}

impl<F: Display> GaveUp<F> {
    /// `<failure> (3 attempts)`, the line listed for each mirror in errors.
    pub fn describe(&self) -> String {
        let plural = if self.attempts == 1 { "" } else { "s" };
        let note = self.note.as_deref().unwrap_or("");
        format!("{}{note} ({} attempt{plural})", self.last, self.attempts)
    }
}

impl RetryPolicy {
    /// No retries: one attempt per source.
    #[cfg(test)]
    pub const ONCE: RetryPolicy = RetryPolicy {
        attempts: 1,
        backoff: Duration::ZERO,
    };

    /// The wait after failed attempt number `attempt` (1-based).
    pub fn backoff_after(&self, attempt: u32) -> Duration {
        self.backoff
            .saturating_mul(1u32 << (attempt - 1).min(16))
            .min(MAX_BACKOFF)
    }

    /// Runs `attempt` until it succeeds, `classify` says a failure is not
    /// worth another, or the attempts run out; says on `ui` when it waits.
    pub fn run<T, F: Display>(
        &self,
        ui: &Ui,
        mut attempt: impl FnMut() -> Result<T, F>,
        classify: impl Fn(&F) -> Retry,
    ) -> Result<T, GaveUp<F>> {
        let mut number = 0;
        loop {
            number += 1;
            let failure = match attempt() {
                Ok(value) => return Ok(value),
                Err(failure) => failure,
            };
            let (wait, note) = match classify(&failure) {
                Retry::Again(_) if number >= self.attempts => (None, None),
                Retry::No => (None, None),
                Retry::Again(Some(asked)) if asked > MAX_RETRY_AFTER => (
                    None,
                    Some(format!(
                        " (the server asks to retry after {} s, more than the {} s gvmr waits: gave up on this mirror)",
                        asked.as_secs(),
                        MAX_RETRY_AFTER.as_secs()
                    )),
                ),
                Retry::Again(Some(asked)) => (Some(asked), None),
                Retry::Again(None) => (Some(self.backoff_after(number)), None),
            };
            let Some(wait) = wait else {
                return Err(GaveUp {
                    last: failure,
                    attempts: number,
                    note,
                });
            };
            ui.status(format!(
                "{failure}; retrying in {:.2} s (attempt {} of {})",
                wait.as_secs_f64(),
                number + 1,
                self.attempts
            ));
            std::thread::sleep(wait);
        }
    }
}

/// A `Retry-After` value: delay-seconds (`120`) or an HTTP-date
/// (`Wed, 21 Oct 2015 07:28:00 GMT`, a wait until then from `now`; a date
/// in the past means no wait).
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    fn policy(attempts: u32) -> RetryPolicy {
        RetryPolicy {
            attempts,
            backoff: Duration::from_millis(1),
        }
    }

    #[test]
    fn backoff_doubles_up_to_a_cap() {
        let policy = RetryPolicy {
            attempts: 3,
            backoff: Duration::from_millis(250),
        };
        let waits: Vec<u128> = (1..=4)
            .map(|n| policy.backoff_after(n).as_millis())
            .collect();
        assert_eq!(waits, [250, 500, 1000, 2000]);
        assert_eq!(policy.backoff_after(40), MAX_BACKOFF);
    }

    #[test]
    fn retries_until_success_or_the_attempts_run_out() {
        let ui = Ui::new(true);
        let calls = Cell::new(0);
        let result = policy(3).run(
            &ui,
            || {
                calls.set(calls.get() + 1);
                if calls.get() < 3 { Err("flaky") } else { Ok(7) }
            },
            |_| Retry::Again(None),
        );
        assert_eq!(result.unwrap(), 7);
        assert_eq!(calls.get(), 3);

        let calls = Cell::new(0);
        let gave_up = policy(2)
            .run(
                &ui,
                || -> Result<(), _> {
                    calls.set(calls.get() + 1);
                    Err("down")
                },
                |_| Retry::Again(None),
            )
            .unwrap_err();
        assert_eq!(calls.get(), 2);
        assert_eq!(gave_up.describe(), "down (2 attempts)");
    }

    #[test]
    fn permanent_failures_and_long_retry_afters_stop_at_once() {
        let ui = Ui::new(true);
        let calls = Cell::new(0);
        let gave_up = policy(5)
            .run(
                &ui,
                || -> Result<(), _> {
                    calls.set(calls.get() + 1);
                    Err("HTTP 404")
                },
                |_| Retry::No,
            )
            .unwrap_err();
        assert_eq!(
            (calls.get(), gave_up.describe()),
            (1, "HTTP 404 (1 attempt)".into())
        );

        let gave_up = policy(5)
            .run(
                &ui,
                || -> Result<(), _> { Err("HTTP 503") },
                |_| Retry::Again(Some(Duration::from_secs(31))),
            )
            .unwrap_err();
        assert!(
            gave_up
                .describe()
                .contains("retry after 31 s, more than the 30 s"),
            "{}",
            gave_up.describe()
        );
    }

    #[test]
    fn retry_after_takes_seconds_and_http_dates() {
        let now = httpdate::parse_http_date("Wed, 21 Oct 2015 07:28:00 GMT").unwrap();
        assert_eq!(parse_retry_after(" 7 ", now), Some(Duration::from_secs(7)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:05 GMT", now),
            Some(Duration::from_secs(5))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:27:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-1", now), None);
    }
}
