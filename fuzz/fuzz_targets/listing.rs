#![no_main]
//! The release listing (JSON from go.dev/dl).

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| gvmr::fuzzing::listing(data));
