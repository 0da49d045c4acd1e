use super::tree::sanitize_entry_path;
use super::*;
use std::fs::File;
use std::path::Path;

fn ok(raw: &str) -> Option<String> {
    sanitize_entry_path(raw.as_bytes())
        .unwrap()
        .map(|p| p.to_string_lossy().into_owned())
}

fn refused(raw: &[u8]) -> String {
    sanitize_entry_path(raw).unwrap_err().to_string()
}

#[test]
fn strips_the_go_directory() {
    assert_eq!(ok("go/bin/go").as_deref(), Some("bin/go"));
    assert_eq!(ok("go/").as_deref(), None);
    assert_eq!(ok("go").as_deref(), None);
    assert_eq!(ok("go//src///fmt/").as_deref(), Some("src/fmt"));
}

#[test]
fn refuses_every_unsafe_path() {
    assert!(refused(b"../etc/passwd").contains("leads outside"));
    assert!(refused(b"go/../../x").contains("leads outside"));
    assert!(refused(b"go/bin/../../x").contains("leads outside"));
    assert!(refused(b"/etc/passwd").contains("absolute"));
    assert_eq!(ok("go/./x").as_deref(), Some("x"));
    assert!(refused(b"").contains("empty"));
    assert!(refused(b"go/a\0b").contains("NUL"));
    assert_eq!(refused(b"gopher/x"), "it has no top-level go/ directory");
    assert_eq!(refused(b"./go/x"), "it has no top-level go/ directory");
}

const PREFIX: &str = "golang.org/toolchain@v0.0.1-go1.22.5.linux-amd64";

fn hidden() -> indicatif::ProgressBar {
    indicatif::ProgressBar::hidden()
}

fn module_zip(dir: &Path, names: &[&str]) -> PathBuf {
    let entries: Vec<(&str, u32)> = names.iter().map(|name| (*name, 0o644)).collect();
    module_zip_with_modes(dir, &entries)
}

/// A zip of (name, Unix mode) entries, as Go's release tooling writes them.
fn module_zip_with_modes(dir: &Path, entries: &[(&str, u32)]) -> PathBuf {
    use std::io::Write;
    let path = dir.join("m.zip");
    let mut zip = zip::ZipWriter::new(File::create(&path).unwrap());
    for (name, mode) in entries {
        let options = zip::write::SimpleFileOptions::default().unix_permissions(*mode);
        zip.start_file(*name, options).unwrap();
        zip.write_all(format!("content of {name}").as_bytes())
            .unwrap();
    }
    zip.finish().unwrap();
    path
}

#[test]
fn module_zips_unpack_as_go_does() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let names: Vec<String> = [
        "go.mod",
        "bin/go",
        "pkg/tool/linux_amd64/compile",
        "src/_go.mod",
        "src/cmd/_go.mod",
        "src/fmt/print.go",
    ]
    .iter()
    .map(|n| format!("{PREFIX}/{n}"))
    .collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let zip = module_zip(dir.path(), &names);
    let dest = dir.path().join("go");
    unpack_module_zip(&zip, &dest, PREFIX, Limits::default(), &hidden()).unwrap();
    let mode = |p: &str| fs::metadata(dest.join(p)).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode("bin/go"), 0o755);
    assert_eq!(mode("pkg/tool/linux_amd64/compile"), 0o755);
    assert_eq!(mode("src/fmt/print.go"), 0o644);
    assert_eq!(mode("go.mod"), 0o644);
    for dir_ in ["src", "src/cmd"] {
        let underscore = fs::read(dest.join(dir_).join("_go.mod")).unwrap();
        assert_eq!(
            fs::read(dest.join(dir_).join("go.mod")).unwrap(),
            underscore
        );
    }
}

/// A `.tar.gz` of `go/` and `go/f`, whose header says `header_size`
/// bytes while a PAX record before it says `pax_size`; `data` follows.
fn pax_sized_tar_gz(dir: &Path, header_size: u64, pax_size: &str, data: &[u8]) -> PathBuf {
    use std::io::Write;
    let mut tar = tar::Builder::new(Vec::new());
    let mut header = tar::Header::new_ustar();
    header.set_entry_type(tar::EntryType::Directory);
    header.set_path("go/").unwrap();
    header.set_mode(0o755);
    header.set_size(0);
    header.set_cksum();
    tar.append(&header, &[][..]).unwrap();
    let body = format!("size={pax_size}\n");
    let record = format!("{} {body}", body.len() + 3);
    assert_eq!(record.len(), body.len() + 3, "a two-digit length");
    let mut pax = tar::Header::new_ustar();
    pax.set_entry_type(tar::EntryType::XHeader);
    pax.set_path("PaxHeaders/f").unwrap();
    pax.set_size(record.len() as u64);
    pax.set_cksum();
    tar.append(&pax, record.as_bytes()).unwrap();
    let mut file = tar::Header::new_ustar();
    file.set_entry_type(tar::EntryType::Regular);
    file.set_path("go/f").unwrap();
    file.set_mode(0o644);
    file.set_size(header_size);
    file.set_cksum();
    tar.append(&file, data).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&tar.into_inner().unwrap()).unwrap();
    let path = dir.join("pax.tar.gz");
    fs::write(&path, gz.finish().unwrap()).unwrap();
    path
}

// A PAX `size` record overrides the header's size field (it is how
// files over 8 GiB are stored); the unpacker used the header's, so it
// cut such a file short (header smaller) or refused the archive as
// truncated (header larger), unlike tar and Go. Noticed while writing
// the unpack_tar_gz fuzz target.
#[test]
fn pax_sizes_override_the_header_size() {
    let dir = tempfile::tempdir().unwrap();
    for (header_size, pax_size, data) in [(4, "10", &b"0123456789"[..]), (4, "2", b"01")] {
        let archive = pax_sized_tar_gz(dir.path(), header_size, pax_size, data);
        let dest = dir.path().join(format!("go-{pax_size}"));
        let stats = unpack_tar_gz(&archive, &dest, Limits::default(), &hidden()).unwrap();
        assert_eq!(
            fs::read(dest.join("f")).unwrap(),
            data,
            "pax size {pax_size}"
        );
        assert_eq!(stats.bytes, data.len() as u64);
        assert_eq!(stats.written[0].size, data.len() as u64);
    }
}

// A module zip with both go.mod and _go.mod in one directory: copying
// _go.mod over go.mod left the report (and so the install manifest)
// with two go.mod entries of different hashes. Go's toolchain zips never
// hold both; it is refused as a clash. Noticed while writing the
// unpack_zip fuzz target (its check of the report against the files).
#[test]
fn module_zips_with_go_mod_beside_underscore_go_mod_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    for names in [["go.mod", "_go.mod"], ["src/_go.mod", "src/go.mod"]] {
        let names: Vec<String> = names.iter().map(|n| format!("{PREFIX}/{n}")).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let zip = module_zip(dir.path(), &names);
        let dest = dir.path().join("go");
        let _ = fs::remove_dir_all(&dest);
        let err = unpack_module_zip(&zip, &dest, PREFIX, Limits::default(), &hidden()).unwrap_err();
        assert!(matches!(err, UnpackError::Clash { .. }), "{names:?}: {err}");
    }
}

#[test]
fn module_zip_modes_are_what_the_go_toolchain_switch_sets() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    // (name, mode in the zip, executable once installed): the go command
    // unzips read-only whatever the zip says, then makes bin/, pkg/tool/
    // and lib/**/go_?*_?*_exec executable.
    let cases = [
        ("bin/gofmt", 0o644, true),
        ("pkg/tool/linux_amd64/vet", 0o644, true),
        ("lib/wasm/go_js_wasm_exec", 0o644, true),
        ("lib/wasm/go_wasip1_wasm_exec", 0o644, true),
        ("lib/x/go_a_b_c_exec", 0o644, true),
        ("lib/wasm/wasm_exec.js", 0o644, false),
        ("lib/go_js_exec", 0o644, false),
        ("lib/go__exec", 0o644, false),
        ("lib/go_js_wasm_exec.txt", 0o644, false),
        ("src/go_js_wasm_exec", 0o644, false),
        // Go's release tooling stores 0755 for scripts; Go ignores it.
        ("src/make.bash", 0o755, false),
        ("lib/time/update.bash", 0o755, false),
        ("src/fmt/print.go", 0o644, false),
        ("src/weird", 0o4777, false),
        ("bin/odd", 0o600, true),
    ];
    let names: Vec<(String, u32)> = cases
        .iter()
        .map(|(n, mode, _)| (format!("{PREFIX}/{n}"), *mode))
        .collect();
    let entries: Vec<(&str, u32)> = names.iter().map(|(n, m)| (n.as_str(), *m)).collect();
    let zip = module_zip_with_modes(dir.path(), &entries);
    let dest = dir.path().join("go");
    unpack_module_zip(&zip, &dest, PREFIX, Limits::default(), &hidden()).unwrap();
    for (name, _, executable) in cases {
        let mode = fs::metadata(dest.join(name)).unwrap().permissions().mode() & 0o777;
        let want = if executable { 0o755 } else { 0o644 };
        assert_eq!(mode, want, "{name}: {mode:o}");
    }
}

#[test]
fn module_zips_refuse_entries_outside_the_prefix() {
    let dir = tempfile::tempdir().unwrap();
    for bad in [
        "golang.org/toolchain@v0.0.1-go1.22.4.linux-amd64/bin/go",
        "golang.org/x",
        "go/bin/go",
    ] {
        let zip = module_zip(dir.path(), &[&format!("{PREFIX}/VERSION"), bad]);
        let dest = dir.path().join("go");
        let _ = fs::remove_dir_all(&dest);
        let err = unpack_module_zip(&zip, &dest, PREFIX, Limits::default(), &hidden()).unwrap_err();
        assert!(
            matches!(err, UnpackError::OutsideModule { .. }),
            "{bad}: {err}"
        );
    }
    let zip = module_zip(dir.path(), &[&format!("{PREFIX}/../../x")]);
    let dest = dir.path().join("go2");
    let err = unpack_module_zip(&zip, &dest, PREFIX, Limits::default(), &hidden()).unwrap_err();
    assert!(err.to_string().contains("leads outside"), "{err}");
}
