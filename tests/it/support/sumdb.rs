//! A minimal Go checksum database (sumdb) for tests: a transparency log of
//! ONE record, served on a [`TestServer`] under a path prefix, signed with a
//! fresh Ed25519 key. With one record the tree hash is the record hash, and
//! the only tiles are `tile/8/0/000.p/1` (that hash) and
//! `tile/8/data/000.p/1` (the record).
//!
//! Also: Go toolchain module zips ([`toolchain_module_zip`]) and their
//! `h1:` hash ([`h1_of_zip`]), computed here independently of gvmr.

use super::server::TestServer;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::{Signer as _, SigningKey};
use sha2::{Digest, Sha256};
use std::io::{Read, Write};

pub const NAME: &str = "sumdb.test.example";
pub const MODULE: &str = "golang.org/toolchain";

pub struct TestSumDb {
    key: SigningKey,
    /// The URL the database is served at (no trailing slash).
    pub url: String,
}

impl TestSumDb {
    /// A database at `<server>/sumdb` holding one record: `module_version`'s
    /// zip hash `h1` (and a go.mod hash).
    pub fn serve(server: &TestServer, module_version: &str, h1: &str) -> TestSumDb {
        let key = SigningKey::from_bytes(&Sha256::digest(b"gvmr test sumdb key").into());
        let db = TestSumDb {
            key,
            url: server.url("/sumdb"),
        };
        let record = format!(
            "{MODULE} {module_version} {h1}\n{MODULE} {module_version}/go.mod h1:{}\n",
            STANDARD.encode(Sha256::digest(b"module golang.org/toolchain\n"))
        );
        let mut leaf = vec![0u8];
        leaf.extend_from_slice(record.as_bytes());
        let record_hash: [u8; 32] = Sha256::digest(&leaf).into();
        let tree = format!(
            "go.sum database tree\n1\n{}\n",
            STANDARD.encode(record_hash)
        );
        let note = db.sign(&tree);
        server.put(
            &format!("/sumdb/lookup/{MODULE}@{module_version}"),
            format!("0\n{record}\n{note}"),
        );
        server.put("/sumdb/latest", note);
        server.put("/sumdb/tile/8/0/000.p/1", record_hash.to_vec());
        server.put("/sumdb/tile/8/data/000.p/1", record);
        db
    }

    fn key_bytes(&self) -> Vec<u8> {
        let mut bytes = vec![1u8]; // Ed25519
        bytes.extend_from_slice(self.key.verifying_key().as_bytes());
        bytes
    }

    fn key_hash(&self) -> [u8; 4] {
        let mut h = Sha256::new();
        h.update(NAME.as_bytes());
        h.update(b"\n");
        h.update(self.key_bytes());
        let digest = h.finalize();
        [digest[0], digest[1], digest[2], digest[3]]
    }

    fn sign(&self, text: &str) -> String {
        let mut sig = self.key_hash().to_vec();
        sig.extend_from_slice(&self.key.sign(text.as_bytes()).to_bytes());
        format!("{text}\n\u{2014} {NAME} {}\n", STANDARD.encode(sig))
    }

    /// The verifier key, `name+hash+base64`.
    pub fn verifier_key(&self) -> String {
        format!(
            "{NAME}+{}+{}",
            self.key_hash()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>(),
            STANDARD.encode(self.key_bytes())
        )
    }

    /// The `GOSUMDB` value naming this database and its URL.
    pub fn gosumdb(&self) -> String {
        format!("{} {}", self.verifier_key(), self.url)
    }
}

/// A toolchain module zip for `module_version` from a Go `.tar.gz` (as
/// [`super::mirror::fake_go_archive`] builds), the way Go's release tool
/// cmd/distpack builds them: every regular file of `go/` renamed to
/// `golang.org/toolchain@<module_version>/...` except api/, doc/, misc/ and
/// test/, nested `go.mod` files stored as `_go.mod`, no root `go.mod` (the
/// proxy serves the `.mod` separately), no directory entries, and
/// distpack's modes ([`distpack_mode`]). `extra` adds (name below the
/// prefix, content) entries, with distpack's modes too.
pub fn toolchain_module_zip(
    archive_tar_gz: &[u8],
    module_version: &str,
    extra: &[(&str, &str)],
) -> Vec<u8> {
    let prefix = format!("{MODULE}@{module_version}/");
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let mut add = |name: &str, bytes: &[u8]| {
        let options =
            zip::write::SimpleFileOptions::default().unix_permissions(distpack_mode(name));
        let stored = match name.strip_suffix("go.mod") {
            Some(dir) if dir.ends_with('/') => format!("{dir}_go.mod"),
            _ => name.to_string(),
        };
        zip.start_file(format!("{prefix}{stored}"), options)
            .unwrap();
        zip.write_all(bytes).unwrap();
    };
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(archive_tar_gz));
    for entry in tar.entries().unwrap() {
        let mut entry = entry.unwrap();
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let path = entry.path().unwrap().to_string_lossy().into_owned();
        let rest = path.strip_prefix("go/").expect("a Go archive entry");
        if ["api/", "doc/", "misc/", "test/"]
            .iter()
            .any(|skip| rest.starts_with(skip))
        {
            continue;
        }
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        add(rest, &bytes);
    }
    for (name, content) in extra {
        add(name, content.as_bytes());
    }
    zip.finish().unwrap().into_inner()
}

/// The mode cmd/distpack gives the file `name` (relative to GOROOT): 0755
/// below `bin/` and `pkg/tool/`, for `.bash`, `.sh`, `.pl` and `.rc`
/// scripts and for exec wrappers named `go_?*_?*_exec`; 0644 for the rest.
pub fn distpack_mode(name: &str) -> u32 {
    let base = name.rsplit('/').next().unwrap_or(name);
    let exec_wrapper = base
        .strip_prefix("go_")
        .and_then(|rest| rest.strip_suffix("_exec"))
        .map(str::as_bytes)
        .is_some_and(|middle| middle.len() >= 3 && middle[1..middle.len() - 1].contains(&b'_'));
    let script = [".bash", ".sh", ".pl", ".rc"]
        .iter()
        .any(|suffix| name.ends_with(suffix));
    if name.starts_with("bin/") || name.starts_with("pkg/tool/") || script || exec_wrapper {
        0o755
    } else {
        0o644
    }
}

/// The `h1:` hash of a zip, as Go's dirhash.HashZip(Hash1) computes it.
pub fn h1_of_zip(zip_bytes: &[u8]) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(zip_bytes)).unwrap();
    let mut lines: Vec<(String, String)> = Vec::new();
    for i in 0..zip.len() {
        let mut file = zip.by_index(i).unwrap();
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).unwrap();
        let name = String::from_utf8(file.name_raw().to_vec()).unwrap();
        lines.push((name, super::mirror::sha256_hex(&bytes)));
    }
    lines.sort();
    let summary: String = lines
        .iter()
        .map(|(name, hash)| format!("{hash}  {name}\n"))
        .collect();
    format!("h1:{}", STANDARD.encode(Sha256::digest(summary.as_bytes())))
}
