//! Entry points for the cargo-fuzz targets in `fuzz/` (built with the
//! `fuzzing` feature): each hands arbitrary bytes to one parser, which must
//! answer with a value or an error and never panic, hang or write outside
//! its directory.

/// The release listing parser.
pub fn listing(bytes: &[u8]) {
    let _ = crate::release::listing::Listing::parse(bytes, "fuzz");
}
