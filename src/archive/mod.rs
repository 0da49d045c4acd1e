//! Strict, fast unpacking of a *verified* Go archive into a staging directory.
//!
//! Go archives hold a top-level `go/` directory of regular files and
//! directories, nothing else. Everything else (links, devices, absolute or
//! `..` paths, duplicates, absurd sizes) is refused by name. Decompression
//! runs on one thread and file creation on another.
//!
//! [`tree`] holds the rules and writes the files, the same for every format;
//! [`tar_gz`] reads release `.tar.gz` archives, [`zip_file`] Windows `.zip`
//! archives and Go module zips. This module has the limits, the errors and
//! what an unpack reports. Progress (files and bytes written) goes to the
//! `ProgressBar` the caller passes, hidden when nobody watches.

mod tar_gz;
mod tree;
mod zip_file;

pub use tar_gz::unpack_tar_gz;
pub use zip_file::{unpack_module_zip, unpack_zip};

use crate::digest::Sha256Digest;
use std::fs;
use std::io;
use std::path::PathBuf;

/// Caps against decompression bombs: about 8× the size and file count of the
/// largest Go release (about 250 MB in 15,000 files unpacked).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_bytes: u64,
    pub max_entries: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 2 << 30,
            max_entries: 120_000,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum UnpackError {
    #[error("it is not a gzip-compressed archive ({0})")]
    NotGzip(String),
    #[error("it is {0}")]
    NotArchive(String),
    #[error("it is damaged: {0}")]
    Corrupt(String),
    #[error("entry {entry:?} has an unsafe path ({reason}); refusing the archive")]
    UnsafePath { entry: String, reason: &'static str },
    #[error("entry {entry:?} is a {kind}; Go archives hold only files and directories")]
    UnsupportedEntry { entry: String, kind: String },
    #[error("entry {entry:?} appears twice")]
    Duplicate { entry: String },
    #[error(
        "entry {entry:?} clashes with an earlier entry (a file where a directory must be, or the reverse)"
    )]
    Clash { entry: String },
    #[error("it has no top-level go/ directory")]
    NoGoDirectory,
    #[error("entry {entry:?} lies outside {prefix}/; refusing the module zip")]
    OutsideModule { entry: String, prefix: String },
    #[error("it unpacks to more than {limit} bytes, far beyond any Go release; refusing it")]
    TooLarge { limit: u64 },
    #[error("it holds more than {limit} entries, far beyond any Go release; refusing it")]
    TooManyEntries { limit: u64 },
    #[error("cannot write {}: {}", path.display(), crate::files::describe_io(source))]
    Write {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

impl UnpackError {
    /// The underlying I/O error when writing failed (disk full, permissions).
    pub fn write_error(&self) -> Option<&io::Error> {
        match self {
            UnpackError::Write { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// What was unpacked.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Stats {
    pub files: u64,
    pub dirs: u64,
    pub bytes: u64,
    /// Every file written, hashed as it was written (for the manifest
    /// `gvmr doctor` checks installs against), in archive order.
    pub written: Vec<WrittenFile>,
}

/// One file the unpacker wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenFile {
    /// Relative to the unpacked tree.
    pub path: PathBuf,
    pub size: u64,
    /// Modification time, nanoseconds since the Unix epoch.
    pub mtime_ns: i128,
    pub sha256: Sha256Digest,
}

impl WrittenFile {
    fn new(path: PathBuf, size: u64, sha256: Sha256Digest, meta: &fs::Metadata) -> WrittenFile {
        WrittenFile {
            path,
            size,
            mtime_ns: mtime_ns(meta),
            sha256,
        }
    }
}

/// A file's modification time in nanoseconds since the Unix epoch (0 when
/// the file system keeps none).
pub fn mtime_ns(meta: &fs::Metadata) -> i128 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos() as i128)
}

/// Errors from the decompressed stream: a bad header means "not gzip",
/// anything later means damage.
fn classify_stream_error(e: io::Error) -> UnpackError {
    let message = e.to_string();
    if message.contains("header") || message.contains("magic") {
        UnpackError::NotGzip(message)
    } else {
        UnpackError::Corrupt(message)
    }
}

#[cfg(test)]
mod tests {
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
            let err =
                unpack_module_zip(&zip, &dest, PREFIX, Limits::default(), &hidden()).unwrap_err();
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
            let err =
                unpack_module_zip(&zip, &dest, PREFIX, Limits::default(), &hidden()).unwrap_err();
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
}

/// Property-based fuzzing (proptest); `scripts/fuzz.sh` runs these far longer.
#[cfg(test)]
mod fuzz {
    use super::tree::sanitize_entry_path;
    use super::*;
    use proptest::prelude::*;
    use std::io::Write;
    use std::os::unix::ffi::OsStrExt;
    use std::path::{Component, Path};

    /// Path-like byte strings: segments that matter joined by `/`, plus
    /// arbitrary bytes. `{ABS}` is replaced by an absolute path by callers
    /// that have one.
    fn raw_name() -> impl Strategy<Value = Vec<u8>> {
        let segment = prop_oneof![
            4 => Just(b"go".to_vec()),
            2 => Just(b"..".to_vec()),
            2 => Just(b".".to_vec()),
            2 => Just(Vec::new()),
            2 => "[a-z]{1,3}".prop_map(String::into_bytes),
            1 => Just(b"go..".to_vec()),
            1 => Just(b"...".to_vec()),
            1 => Just(b"\\..".to_vec()),
            1 => Just(b"a\0b".to_vec()),
            1 => Just(vec![0xff, 0xfe]),
            1 => Just(b"{ABS}".to_vec()),
            1 => (1usize..60).prop_map(|n| b"x".repeat(n)),
            1 => prop::collection::vec(any::<u8>(), 0..6),
        ];
        prop_oneof![
            8 => (
                prop::sample::select(&["", "", "", "/", "./", "//"][..]),
                prop::collection::vec(segment, 0..7),
                any::<bool>(),
            )
                .prop_map(|(lead, segments, trailing)| {
                    let mut name = lead.as_bytes().to_vec();
                    name.extend(segments.join(&b'/'));
                    if trailing {
                        name.push(b'/');
                    }
                    name
                }),
            1 => prop::collection::vec(any::<u8>(), 0..300),
        ]
    }

    /// What `sanitize_entry_path` should make of `raw`: the `/`-separated
    /// parts after the first, without empty and `.` parts.
    fn model(raw: &[u8]) -> Option<Vec<&[u8]>> {
        let mut parts = raw.split(|&b| b == b'/');
        if parts.next() != Some(b"go") {
            return None;
        }
        let rest: Vec<&[u8]> = parts.filter(|p| !p.is_empty() && *p != b".").collect();
        (!rest.iter().any(|p| *p == b"..")).then_some(rest)
    }

    proptest! {
        #[test]
        fn sanitized_paths_stay_below_the_base(raw in raw_name()) {
            let base = Path::new("/staging/base");
            let starts_with_go = raw == b"go" || raw.starts_with(b"go/");
            match sanitize_entry_path(&raw) {
                Ok(Some(path)) => {
                    prop_assert!(starts_with_go, "{raw:?} accepted");
                    prop_assert!(path.is_relative());
                    prop_assert!(!path.as_os_str().is_empty());
                    prop_assert!(path.components().all(|c| matches!(c, Component::Normal(_))), "{path:?}");
                    let joined = base.join(&path);
                    prop_assert!(joined.starts_with(base), "{joined:?}");
                    prop_assert_eq!(joined.components().count(), base.components().count() + path.components().count());
                    let expected = model(&raw).expect("the model accepts it too");
                    let parts: Vec<&[u8]> = path.iter().map(|p| p.as_bytes()).collect();
                    prop_assert_eq!(parts, expected);
                }
                Ok(None) => {
                    prop_assert!(starts_with_go, "{raw:?} accepted");
                    prop_assert_eq!(model(&raw), Some(Vec::new()), "{:?}", String::from_utf8_lossy(&raw));
                }
                Err(_) => {
                    // Refused: the model refuses it too, or it holds a NUL.
                    prop_assert!(model(&raw).is_none() || raw.contains(&0), "{:?} refused", String::from_utf8_lossy(&raw));
                }
            }
            if !starts_with_go {
                prop_assert!(sanitize_entry_path(&raw).is_err());
            }
        }

        #[test]
        fn unpacking_never_writes_outside_the_staging_directory(
            entries in prop::collection::vec((raw_name(), 0u8..6, raw_name()), 1..8),
        ) {
            let scratch = tempfile::tempdir().unwrap();
            let root = scratch.path().join("root");
            let staging = root.join("a/b/staging");
            fs::create_dir_all(staging.parent().unwrap()).unwrap();
            let archive = scratch.path().join("go.tar.gz");
            let abs = |name: &[u8]| -> Vec<u8> {
                let mut out = Vec::new();
                let root = root.as_os_str().as_bytes();
                let mut rest = name;
                while let Some(at) = rest.windows(5).position(|w| w == b"{ABS}") {
                    out.extend(&rest[..at]);
                    out.extend(root);
                    rest = &rest[at + 5..];
                }
                out.extend(rest);
                out
            };
            let mut tar = tar::Builder::new(Vec::new());
            for (name, kind, link) in &entries {
                append_raw(&mut tar, &abs(name), *kind, &abs(link));
            }
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            gz.write_all(&tar.into_inner().unwrap()).unwrap();
            fs::write(&archive, gz.finish().unwrap()).unwrap();

            let hidden = indicatif::ProgressBar::hidden();
            let _ = unpack_tar_gz(&archive, &staging, Limits::default(), &hidden);

            // Everything under `root` is the staging tree or its parents, and
            // nothing is a link.
            let mut stack = vec![root.clone()];
            while let Some(dir) = stack.pop() {
                for entry in fs::read_dir(&dir).unwrap() {
                    let path = entry.unwrap().path();
                    let meta = fs::symlink_metadata(&path).unwrap();
                    prop_assert!(!meta.file_type().is_symlink(), "{path:?} is a link");
                    prop_assert!(
                        path.starts_with(&staging) || staging.starts_with(&path),
                        "{path:?} was created outside {staging:?}"
                    );
                    if meta.is_dir() {
                        stack.push(path);
                    }
                }
            }
            let outside: Vec<_> = fs::read_dir(scratch.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
            prop_assert_eq!(outside.len(), 2, "{:?}", outside);
        }
    }

    /// Appends one entry whose name (and link target) are exactly `name`
    /// (and `link`): GNU long-name records for ones over 100 bytes.
    fn append_raw(tar: &mut tar::Builder<Vec<u8>>, name: &[u8], kind: u8, link: &[u8]) {
        let (entry_type, data): (tar::EntryType, &[u8]) = match kind {
            0 | 1 => (tar::EntryType::Regular, b"data"),
            2 => (tar::EntryType::Directory, b""),
            3 => (tar::EntryType::Symlink, b""),
            4 => (tar::EntryType::Link, b""),
            _ => (tar::EntryType::Fifo, b""),
        };
        let long = |tar: &mut tar::Builder<Vec<u8>>, kind, bytes: &[u8]| {
            let mut data = bytes.to_vec();
            data.push(0);
            let mut header = tar::Header::new_gnu();
            header.set_entry_type(kind);
            header.set_mode(0o644);
            header.set_size(data.len() as u64);
            copy_truncated(&mut header.as_old_mut().name, b"././@LongLink");
            header.set_cksum();
            tar.append(&header, &data[..]).unwrap();
        };
        if name.len() > 100 {
            long(tar, tar::EntryType::GNULongName, name);
        }
        let has_link = matches!(entry_type, tar::EntryType::Symlink | tar::EntryType::Link);
        if has_link && link.len() > 100 {
            long(tar, tar::EntryType::GNULongLink, link);
        }
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(entry_type);
        header.set_mode(if kind == 1 { 0o755 } else { 0o644 });
        header.set_size(data.len() as u64);
        copy_truncated(&mut header.as_old_mut().name, name);
        if has_link {
            copy_truncated(&mut header.as_old_mut().linkname, link);
        }
        header.set_cksum();
        tar.append(&header, data).unwrap();
    }

    fn copy_truncated(field: &mut [u8], bytes: &[u8]) {
        field.fill(0);
        let n = bytes.len().min(field.len());
        field[..n].copy_from_slice(&bytes[..n]);
    }
}
