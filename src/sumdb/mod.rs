//! Verifying Go module versions with a Go checksum database
//! (sum.golang.org, or the one GOSUMDB names).

pub mod client;
pub mod note;
pub mod tlog;

#[allow(unused_imports)]
pub use client::{SumDb, SumdbError, zip_hash};

use std::path::Path;

/// `gvmr internal-sumdb-lookup MODULE VERSION`: looks a module version up
/// in the database GOSUMDB names, with state under `<data dir>/sumdb`, and
/// prints the verified lines; exits 5 on any failure.
pub fn internal_lookup(data_dir: &Path, module: &str, version: &str) {
    let result = SumDb::from_env().and_then(|db| {
        db.lookup(
            &crate::http::Http::new(),
            &data_dir.join("sumdb"),
            module,
            version,
        )
    });
    match result {
        Ok(lines) => {
            for line in lines {
                println!("{line}");
            }
        }
        Err(err) => {
            eprintln!("error: {err}");
            std::process::exit(crate::error::exit::VERIFICATION);
        }
    }
}
