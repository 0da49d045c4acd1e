#![no_main]
//! OpenPGP: detached .asc signatures, key updates and GVMR_KEYRING files.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| gvmr::fuzzing::signature(data));
