#![no_main]
//! Release .tar.gz archives: nothing outside the staging directory, ever.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| gvmr::fuzzing::unpack_tar_gz(data));
