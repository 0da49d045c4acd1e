//! One function per subcommand: parse its arguments, call the pipeline or
//! the resolver, print the result.

pub mod manage;
pub mod switch;
