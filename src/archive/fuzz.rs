//! Property-based fuzzing (proptest); `scripts/fuzz.sh` runs these far longer.

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
