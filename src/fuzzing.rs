//! Entry points for the cargo-fuzz targets in `fuzz/` (built with the
//! `fuzzing` feature): each hands arbitrary bytes to one parser, which must
//! answer with a value or an error and never panic, hang or write outside
//! its directory. Where a parser's answer can be checked cheaply, it is
//! (the archive writers' reports, the transparency log's proofs).

use crate::archive::{self, Limits, Stats, UnpackError};
use crate::digest::{Sha256Digest, sha256_of};
use crate::release::listing::Listing;
use crate::release::platform::Platform;
use crate::verify::sumdb::{client, note, tlog};
use crate::verify::{dirhash, keys, signature};
use gvmr_shim::{GoVersion, VersionRequest};
use indicatif::ProgressBar;
use std::fs::{self, File};
use std::path::Path;
use std::sync::OnceLock;

/// The release listing parser, and what the installer asks of a listing.
pub fn listing(bytes: &[u8]) {
    let Ok(listing) = Listing::parse(bytes, "fuzz") else {
        return;
    };
    let platform = Platform {
        os: "linux".into(),
        arch: "amd64".into(),
    };
    for request in [
        VersionRequest::Latest,
        VersionRequest::Line {
            major: 1,
            minor: 22,
        },
        VersionRequest::Exact(GoVersion::new(1, 22, 5)),
    ] {
        if let Some(release) = listing.resolve(&request, &platform) {
            let file = release.archive_for(&platform).expect("resolve checked it");
            let _ = file.digest();
            let _ = platform.archive_name(&release.version);
        }
        let _ = listing.suggestions(&request, 5);
    }
    for release in &listing.releases {
        let _ = release.platforms();
        for file in &release.files {
            let _ = file.digest();
        }
    }
}

/// Small limits: the rules are the same for any limit, and the fuzzer
/// stays fast.
const ARCHIVE_LIMITS: Limits = Limits {
    max_bytes: 4 << 20,
    max_entries: 2_000,
};

/// The module prefix every toolchain module zip entry lies below.
const MODULE_PREFIX: &str = "golang.org/toolchain@v0.0.1-go1.22.5.linux-amd64";

/// A release `.tar.gz` unpacked into a fresh staging directory.
pub fn unpack_tar_gz(bytes: &[u8]) {
    unpack_checked(bytes, "go.tar.gz", |archive, dest| {
        archive::unpack_tar_gz(archive, dest, ARCHIVE_LIMITS, &ProgressBar::hidden())
    });
}

/// A `.zip`: the first byte chooses a release zip (even) or a toolchain
/// module zip (odd), which is also hashed as `gvmr` hashes an unverified
/// module zip.
pub fn unpack_zip(bytes: &[u8]) {
    let Some((&mode, bytes)) = bytes.split_first() else {
        return;
    };
    if mode & 1 == 0 {
        unpack_checked(bytes, "go.zip", |archive, dest| {
            archive::unpack_zip(archive, dest, ARCHIVE_LIMITS, &ProgressBar::hidden())
        });
    } else {
        unpack_checked(bytes, "m.zip", |archive, dest| {
            let _ = dirhash::hash_zip(archive, ARCHIVE_LIMITS);
            archive::unpack_module_zip(
                archive,
                dest,
                MODULE_PREFIX,
                ARCHIVE_LIMITS,
                &ProgressBar::hidden(),
            )
        });
    }
}

/// Writes `bytes` to a scratch file, unpacks it into a staging directory
/// that does not exist yet, and checks that nothing was written outside it,
/// that nothing is a link and that every file reported as written holds
/// what the report says.
fn unpack_checked(
    bytes: &[u8],
    name: &str,
    unpack: impl FnOnce(&Path, &Path) -> Result<Stats, UnpackError>,
) {
    let scratch = tempfile::Builder::new()
        .prefix("gvmr-fuzz-")
        .tempdir()
        .expect("a scratch directory");
    let archive = scratch.path().join(name);
    fs::write(&archive, bytes).expect("writing the archive");
    let root = scratch.path().join("root");
    let staging = root.join("a/b/staging");
    fs::create_dir_all(staging.parent().unwrap()).expect("creating the staging parent");

    let result = unpack(&archive, &staging);

    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).expect("listing the scratch tree") {
            let path = entry.expect("a directory entry").path();
            let meta = fs::symlink_metadata(&path).expect("metadata");
            assert!(!meta.file_type().is_symlink(), "{path:?} is a link");
            assert!(
                path.starts_with(&staging) || staging.starts_with(&path),
                "{path:?} was created outside {staging:?}"
            );
            if meta.is_dir() {
                stack.push(path);
            }
        }
    }
    let mut outside: Vec<_> = fs::read_dir(scratch.path())
        .expect("listing the scratch directory")
        .map(|e| e.expect("a directory entry").file_name())
        .collect();
    outside.sort();
    assert_eq!(outside, [name, "root"], "something was written beside them");

    if let Ok(stats) = result {
        for written in &stats.written {
            assert!(written.path.is_relative(), "{written:?}");
            let path = staging.join(&written.path);
            let meta = fs::symlink_metadata(&path).expect("a written file exists");
            assert!(meta.is_file(), "{path:?} is not a file");
            assert_eq!(meta.len(), written.size, "{path:?}");
            let digest = sha256_of(File::open(&path).expect("opening a written file"))
                .expect("reading a written file");
            assert_eq!(
                digest, written.sha256,
                "{path:?} does not hold what was reported"
            );
        }
    }
}

/// The Go release key, parsed once.
fn keyring() -> &'static signature::Keyring {
    static KEYRING: OnceLock<signature::Keyring> = OnceLock::new();
    KEYRING.get_or_init(|| {
        let pinned = signature::Pinned::parse(None).expect("the built-in pin");
        let keyring = signature::Keyring::pinned(&pinned, None, &mut Vec::new());
        assert_eq!(keyring.certs().len(), 1, "the embedded key loads");
        keyring
    })
}

/// OpenPGP input: the first byte chooses a detached signature checked
/// against the embedded Go release key (0), a key update checked against the
/// pinned primary as `gvmr keys update` does (1), or a `GVMR_KEYRING` file (2).
pub fn signature(bytes: &[u8]) {
    let Some((&mode, bytes)) = bytes.split_first() else {
        return;
    };
    match mode % 3 {
        0 => {
            let data: &[u8] = b"go1.22.5.linux-amd64.tar.gz contents\n";
            let _ = keyring().verify(bytes, data);
        }
        1 => {
            let pinned = &keyring().certs()[0].fingerprint();
            let _ = keys::check_update(bytes, "fuzz", pinned);
        }
        _ => {
            let scratch = tempfile::Builder::new()
                .prefix("gvmr-fuzz-")
                .tempdir()
                .expect("a scratch directory");
            let path = scratch.path().join("keyring.asc");
            fs::write(&path, bytes).expect("writing the keyring");
            if let Ok(keyring) = signature::Keyring::from_file(&path) {
                let _ = keyring.verify(b"", &b"data"[..]);
            }
        }
    }
}

/// Text input for the checksum database: a lookup answer (record and signed
/// tree head), a signed note, a tree head, a `GOSUMDB` value, module path
/// escaping, and the lines a lookup returns.
pub fn sumdb_note(bytes: &[u8]) {
    static DEFAULT: OnceLock<note::Verifier> = OnceLock::new();
    let verifier = DEFAULT.get_or_init(|| {
        note::Verifier::parse(client::DEFAULT_KEY).expect("the default key parses")
    });
    if let Some((_id, text, head)) = tlog::parse_record(bytes) {
        assert!(text.ends_with('\n'));
        let _ = tlog::record_hash(text.as_bytes());
        let _ = note::open(head, verifier);
    }
    if let Ok(note) = note::open(bytes, verifier) {
        let _ = tlog::parse_tree(&note.text);
    }
    let text = String::from_utf8_lossy(bytes);
    if let Some(tree) = tlog::parse_tree(&text) {
        assert!(tree.n >= 0);
    }
    let _ = tlog::Hash::parse(&text);
    let _ = note::Verifier::parse(&text);
    let _ = client::SumDb::from_gosumdb(&text);
    let _ = client::escape(&text);
    let lines: Vec<String> = text.lines().map(str::to_string).collect();
    let _ = client::zip_hash(
        &lines,
        "golang.org/toolchain",
        "v0.0.1-go1.22.5.linux-amd64",
    );
    let _ = Sha256Digest::parse_hex(&text);
}

/// Reads fixed-size values off the front of the fuzzer's bytes (zeros once
/// they run out).
struct Cursor<'a>(&'a [u8]);

impl Cursor<'_> {
    fn take<const N: usize>(&mut self) -> [u8; N] {
        let mut out = [0u8; N];
        let n = N.min(self.0.len());
        out[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        out
    }
    fn u8(&mut self) -> u8 {
        self.take::<1>()[0]
    }
    fn u32(&mut self) -> u32 {
        u32::from_le_bytes(self.take())
    }
    fn i64(&mut self) -> i64 {
        i64::from_le_bytes(self.take())
    }
    fn hash(&mut self) -> tlog::Hash {
        tlog::Hash(self.take())
    }
}

/// Serves tiles from the stored hashes of an honest tree, except that the
/// fuzzer may overwrite bytes of them, or serve its own bytes.
struct FuzzTiles<'a> {
    h: u32,
    hashes: &'a Vec<tlog::Hash>,
    /// Bytes served instead of (or, with `patch`, written over) every tile.
    forged: &'a [u8],
    patch: bool,
}

impl tlog::TileReader for FuzzTiles<'_> {
    fn height(&self) -> u32 {
        self.h
    }
    fn read_tiles(&self, tiles: &[tlog::Tile]) -> Result<Vec<Vec<u8>>, tlog::TlogError> {
        tiles
            .iter()
            .map(|t| {
                if self.forged.is_empty() {
                    return tlog::read_tile_data(t, self.hashes);
                }
                if !self.patch {
                    return Ok(self.forged.to_vec());
                }
                let mut data = tlog::read_tile_data(t, self.hashes)?;
                for (i, b) in self.forged.iter().enumerate() {
                    if let Some(d) = data.get_mut(i) {
                        *d ^= b;
                    }
                }
                Ok(data)
            })
            .collect()
    }
}

/// The transparency log: tiles, tree heads and proofs. The first byte
/// chooses the mode:
/// - even: an honest tree of up to 300 records (tile height 1–4) whose
///   tiles the fuzzer may tamper with; what the tiles yield must be the
///   honest hashes, and honest proofs must check;
/// - odd: a tree head of any size and arbitrary tiles, proofs and indexes,
///   which may only be refused.
pub fn sumdb_tile(bytes: &[u8]) {
    let mut c = Cursor(bytes);
    let mode = c.u8();
    if mode & 1 == 0 {
        honest_log(mode, c);
    } else {
        forged_log(c);
    }
}

fn honest_log(mode: u8, mut c: Cursor<'_>) {
    let h = u32::from(mode >> 1) % 4 + 1;
    let n = i64::from(c.u32() % 300) + 1;
    let old = i64::from(c.u32()) % n + 1;
    let index = i64::from(c.u32()) % n;
    let patch = c.u8() & 1 == 0;
    let mut hashes: Vec<tlog::Hash> = Vec::new();
    let mut trees = Vec::new();
    for i in 0..n {
        let record = format!("record {i}\n");
        let new = tlog::stored_hashes(i, record.as_bytes(), &hashes).expect("appending");
        hashes.extend(new);
        trees.push(tlog::tree_hash(i + 1, &hashes).expect("the tree hash"));
    }
    let tree = tlog::Tree {
        n,
        hash: trees[n as usize - 1],
    };
    let tiles = FuzzTiles {
        h,
        hashes: &hashes,
        forged: c.0,
        patch,
    };
    let reader = tlog::TileHashReader {
        tree,
        reader: &tiles,
    };
    let honest = c.0.is_empty() || (patch && c.0.iter().all(|&b| b == 0));
    // Whatever the tiles hold, a hash the reader returns is the honest one.
    let leaf = tlog::stored_hash_index(0, index);
    match tlog::HashReader::read_hashes(&reader, &[leaf]) {
        Ok(got) => assert_eq!(got, [hashes[leaf as usize]], "a forged tile was accepted"),
        Err(e) => assert!(!honest, "honest tiles refused: {e}"),
    }
    let leaf_hash = hashes[leaf as usize];
    match tlog::prove_record(n, index, &reader) {
        Ok(proof) => tlog::check_record(&proof, n, tree.hash, index, leaf_hash)
            .expect("a record proof from authenticated tiles checks"),
        Err(e) => assert!(!honest, "honest record proof failed: {e}"),
    }
    let old_hash = trees[old as usize - 1];
    match tlog::tree_hash(old, &reader) {
        Ok(got) => assert_eq!(got, old_hash, "a forged older tree hash"),
        Err(e) => assert!(!honest, "honest older tree hash failed: {e}"),
    }
    match tlog::prove_tree(n, old, &reader) {
        Ok(proof) => tlog::check_tree(&proof, n, tree.hash, old, old_hash)
            .expect("a tree proof from authenticated tiles checks"),
        Err(e) => assert!(!honest, "honest tree proof failed: {e}"),
    }
}

fn forged_log(mut c: Cursor<'_>) {
    // What `SumDb::lookup` hands the log: a signed tree head of any size
    // (non-negative), a record id below it, an older tree head of a
    // smaller size; tiles of height 8 in real use.
    let h = u32::from(c.u8() % 8) + 1;
    let tree = tlog::Tree {
        n: c.i64() & i64::MAX,
        hash: c.hash(),
    };
    let id = c.i64() & i64::MAX;
    let old = c.i64() & i64::MAX;
    let leaf = c.hash();
    let tile = tlog::Tile {
        h: u32::from(c.u8()),
        l: i32::from(c.u8() as i8),
        n: c.i64(),
        w: c.u32(),
    };
    let rest = c.0;

    let _ = tlog::hash_from_tile(&tile, rest, id);
    let tiles = FuzzTiles {
        h,
        hashes: &Vec::new(),
        forged: if rest.is_empty() { &[0] } else { rest },
        patch: false,
    };
    let reader = tlog::TileHashReader {
        tree,
        reader: &tiles,
    };
    // Any size and index: refused or answered, never a panic or a hang.
    let _ = tlog::HashReader::read_hashes(&reader, &[id]);
    let _ = tlog::tree_hash(old, &reader);
    let _ = tlog::prove_record(tree.n, id, &reader);
    let _ = tlog::prove_tree(tree.n, old, &reader);
    let _ = tlog::check_record(&[leaf], tree.n, tree.hash, id, leaf);
    let _ = tlog::check_tree(&[leaf], tree.n, tree.hash, old, leaf);

    // What `SumDb::lookup` does with a tree head it parsed.
    let head = format!("go.sum database tree\n{}\n{}\n", tree.n, tree.hash);
    let Some(parsed) = tlog::parse_tree(&head) else {
        assert!(tree.n > tlog::MAX_TREE_SIZE, "{head:?} refused");
        return;
    };
    assert_eq!(parsed, tree);
    if id < tree.n {
        let index = tlog::stored_hash_index(0, id);
        if tlog::HashReader::read_hashes(&reader, &[index]).is_ok()
            && let Ok(proof) = tlog::prove_record(tree.n, id, &reader)
        {
            let _ = tlog::check_record(&proof, tree.n, tree.hash, id, leaf);
        }
    }
    if 0 < old && old < tree.n {
        let _ = tlog::tree_hash(old, &reader);
        if let Ok(proof) = tlog::prove_tree(tree.n, old, &reader) {
            let _ = tlog::check_tree(&proof, tree.n, tree.hash, old, leaf);
        }
    }
}
