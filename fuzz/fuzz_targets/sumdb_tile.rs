#![no_main]
//! The transparency log: tiles, tree heads and proofs.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| gvmr::fuzzing::sumdb_tile(data));
