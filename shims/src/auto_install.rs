//! `GVMR_AUTO_INSTALL`: whether a selected version that is not installed
//! is installed when it is first used (by the shims, `gvmr exec` and
//! `gvmr env`). On by default, as Go's own `GOTOOLCHAIN=auto` downloads the
//! toolchain a go.mod asks for; `0` turns it off. Read here, through
//! [`Environment`], by the shim and by gvmr's settings alike, so both
//! accept exactly the same values.

use crate::env::Environment;
use std::fmt;

/// The variable's name.
pub const VAR: &str = "GVMR_AUTO_INSTALL";

/// What it accepts, as errors say it.
pub const ACCEPTED: &str =
    "1 (install a missing selected version on first use, the default) or 0 (do not)";

/// A value that is neither `1` nor `0`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadValue {
    pub value: String,
}

impl fmt::Display for BadValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{VAR} must be {ACCEPTED}, not {:?}", self.value)
    }
}

impl std::error::Error for BadValue {}

/// Whether auto-install is on: unset (or blank) and `1` are on, `0` off,
/// anything else an error naming the variable.
pub fn read(env: &Environment) -> Result<bool, BadValue> {
    match env.setting(VAR) {
        None => Ok(true),
        Some(value) => match value.trim() {
            "1" => Ok(true),
            "0" => Ok(false),
            _ => Err(BadValue { value }),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn on_unless_zero_and_anything_else_is_an_error_naming_the_variable() {
        let read_with = |value: &str| read(&Environment::fixed([(VAR, value)]));
        assert_eq!(read(&Environment::fixed::<&str, &str>([])), Ok(true));
        assert_eq!(read_with(""), Ok(true));
        assert_eq!(read_with("1"), Ok(true));
        assert_eq!(read_with(" 0 "), Ok(false));
        let error = read_with("no").unwrap_err();
        assert_eq!(
            error.to_string(),
            "GVMR_AUTO_INSTALL must be 1 (install a missing selected version on first use, the default) or 0 (do not), not \"no\""
        );
    }
}
