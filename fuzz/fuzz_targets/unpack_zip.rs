#![no_main]
//! Release .zip archives and toolchain module zips (first byte chooses).

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| gvmr::fuzzing::unpack_zip(data));
