//! Verifying Go module versions with a Go checksum database
//! (sum.golang.org, or the one GOSUMDB names).

pub mod client;
pub mod note;
pub mod tlog;

#[allow(unused_imports)]
pub use client::{SumDb, SumdbError, zip_hash};
