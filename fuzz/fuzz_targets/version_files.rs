#![no_main]
//! The shim's version-file parsers and version names, on any text; what a
//! version parser accepts must print back to itself.

use gvmr_shim::select::{parse_go_mod, parse_go_version_file, parse_tool_versions};
use gvmr_shim::{GoVersion, VersionRequest};
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let origin = Path::new("/fuzz/.go-version");
    let _ = parse_go_version_file(text, origin);
    let _ = parse_tool_versions(text, origin);
    let _ = parse_go_mod(text, origin);
    if let Ok(v) = GoVersion::parse(text) {
        assert_eq!(GoVersion::parse(&v.to_string()), Ok(v), "{text:?}");
    }
    if let Ok(r) = VersionRequest::parse(text) {
        assert_eq!(VersionRequest::parse(&r.to_string()), Ok(r), "{text:?}");
    }
});
