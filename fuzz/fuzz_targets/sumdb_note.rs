#![no_main]
//! Checksum database text: lookup answers, signed notes, tree heads, GOSUMDB.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| gvmr::fuzzing::sumdb_note(data));
