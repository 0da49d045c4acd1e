//! The checksum database client against a real database served on
//! 127.0.0.1: a signed tree of 600 records in Go's record format, its tiles
//! (full and partial, two levels) and lookups, driven through the hidden
//! `gvmr internal-sumdb-lookup MODULE VERSION`.
//!
//! The database is built with gvmr's own tree and note code (included
//! below), whose algorithms are checked against Go's test vectors in their
//! unit tests.

#[allow(dead_code)]
#[path = "../../src/verify/sumdb/tlog/mod.rs"]
mod tlog;

#[allow(dead_code)]
#[path = "../../src/verify/sumdb/note.rs"]
mod note;

use crate::support::Session;
use base64::Engine as _;
use ed25519_dalek::SigningKey;
use sha2::{Digest, Sha256};
use std::process::Output;
use tlog::{Hash, Tree};

const NAME: &str = "sum.test.example";
const TOTAL: i64 = 600;

fn module_version(i: i64) -> (String, String) {
    // Some paths have uppercase letters, to exercise the case-encoding.
    let module = if i % 5 == 0 {
        format!("github.com/Example/Mod{i}")
    } else {
        format!("example.com/mod{}", i % 17)
    };
    (module, format!("v1.{}.{}", i / 17, i % 17))
}

fn h1(s: &str) -> String {
    format!(
        "h1:{}",
        base64::engine::general_purpose::STANDARD.encode(Sha256::digest(s.as_bytes()))
    )
}

fn record_text(i: i64, salt: &str) -> String {
    let (m, v) = module_version(i);
    format!(
        "{m} {v} {}\n{m} {v}/go.mod {}\n",
        h1(&format!("zip {i}{salt}")),
        h1(&format!("mod {i}{salt}"))
    )
}

fn escape(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            if c.is_ascii_uppercase() {
                vec!['!', c.to_ascii_lowercase()]
            } else {
                vec![c]
            }
        })
        .collect()
}

/// A log of records and every stored hash.
struct Log {
    records: Vec<String>,
    hashes: Vec<Hash>,
}

impl Log {
    fn new(count: i64, salt: &str) -> Log {
        let mut log = Log {
            records: Vec::new(),
            hashes: Vec::new(),
        };
        for i in 0..count {
            let text = record_text(i, salt);
            let new = tlog::stored_hashes(i, text.as_bytes(), &log.hashes).unwrap();
            log.hashes.extend(new);
            log.records.push(text);
        }
        log
    }

    fn tree(&self, n: i64) -> Tree {
        Tree {
            n,
            hash: tlog::tree_hash(n, &self.hashes).unwrap(),
        }
    }
}

/// A checksum database served by a session's server.
struct Db {
    s: Session,
    key: SigningKey,
}

impl Db {
    fn new() -> Db {
        Db {
            s: Session::new(),
            key: SigningKey::from_bytes(&[7u8; 32]),
        }
    }

    fn gosumdb(&self) -> String {
        format!(
            "{} {}",
            note::verifier_key(NAME, &self.key),
            self.s.server.base()
        )
    }

    fn head(&self, tree: Tree) -> String {
        note::sign(&tlog::format_tree(tree), NAME, &self.key)
    }

    /// Serves the first `n` records of `log` as a database of size `n`.
    fn publish(&self, log: &Log, n: i64) -> String {
        let head = self.head(log.tree(n));
        self.s.server.put("/latest", head.clone());
        for tile in tlog::all_tiles(8, n) {
            let data = tlog::read_tile_data(&tile, &log.hashes).unwrap();
            self.s.server.put(&format!("/{}", tile.path()), data);
            if tile.l == 0 {
                let data_tile = tlog::Tile { l: -1, ..tile };
                let start = (tile.n << 8) as usize;
                let text: String = log.records[start..start + tile.w as usize].concat();
                self.s.server.put(&format!("/{}", data_tile.path()), text);
            }
        }
        for id in 0..n {
            self.serve_lookup(id, &log.records[id as usize], &head);
        }
        head
    }

    fn serve_lookup(&self, id: i64, text: &str, head: &str) {
        let (m, v) = module_version(id);
        self.s.server.put(
            &format!("/lookup/{}@{}", escape(&m), escape(&v)),
            format!("{id}\n{text}\n{head}"),
        );
    }
}

fn gvmr(s: &Session, gosumdb: Option<&str>, id: i64) -> Output {
    let (m, v) = module_version(id);
    gvmr_args(s, gosumdb, &m, &v)
}

fn gvmr_args(s: &Session, gosumdb: Option<&str>, module: &str, version: &str) -> Output {
    let mut cmd = s.std_gvmr();
    cmd.env_remove("GOSUMDB")
        .env("NO_PROXY", "*")
        .args(["internal-sumdb-lookup", module, version]);
    if let Some(g) = gosumdb {
        cmd.env("GOSUMDB", g);
    }
    cmd.output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[track_caller]
fn assert_ok(o: &Output, log: &Log, id: i64) {
    assert!(o.status.success(), "lookup #{id} failed: {}", stderr(o));
    assert_eq!(stdout(o), log.records[id as usize], "lookup #{id}");
}

/// Verification failed (exit 5), saying `needle`.
#[track_caller]
fn assert_fails(o: &Output, needle: &str) {
    assert_fails_with(o, 5, needle);
}

#[track_caller]
fn assert_fails_with(o: &Output, code: i32, needle: &str) {
    assert_eq!(o.status.code(), Some(code), "stderr: {}", stderr(o));
    assert!(
        stderr(o).contains(needle),
        "want {needle:?} in: {}",
        stderr(o)
    );
}

fn stored_head(s: &Session) -> String {
    std::fs::read_to_string(s.home().join("sumdb").join(NAME).join("latest")).unwrap()
}

#[test]
fn lookups_verify_against_tiles_of_two_levels() {
    let db = Db::new();
    let log = Log::new(TOTAL, "");
    let head = db.publish(&log, 300);
    // In the full first tile, in the partial second one, the last record,
    // and module paths with uppercase letters.
    for id in [0, 5, 137, 255, 256, 280, 299] {
        assert_ok(&gvmr(&db.s, Some(&db.gosumdb()), id), &log, id);
    }
    assert_eq!(stored_head(&db.s), head);
    assert!(db.s.server.count("/tile/8/1/000.p/1") >= 1);
    assert!(db.s.server.count("/tile/8/0/001.p/44") >= 1);
}

#[test]
fn a_grown_tree_is_accepted_and_stored() {
    let db = Db::new();
    let log = Log::new(TOTAL, "");
    db.publish(&log, 300);
    assert_ok(&gvmr(&db.s, Some(&db.gosumdb()), 10), &log, 10);
    let grown = db.publish(&log, 530);
    assert_ok(&gvmr(&db.s, Some(&db.gosumdb()), 520), &log, 520);
    assert_eq!(stored_head(&db.s), grown);
    assert!(db.s.server.count("/tile/8/1/000.p/2") >= 1);
    // An older but consistent head is fine, and does not replace the newer.
    let older = db.head(log.tree(400));
    db.serve_lookup(12, &log.records[12], &older);
    assert_ok(&gvmr(&db.s, Some(&db.gosumdb()), 12), &log, 12);
    assert_eq!(stored_head(&db.s), grown);
}

#[test]
fn a_tampered_record_is_rejected() {
    let db = Db::new();
    let log = Log::new(300, "");
    let head = db.publish(&log, 300);
    let forged = record_text(42, "forged");
    db.serve_lookup(42, &forged, &head);
    assert_fails(&gvmr(&db.s, Some(&db.gosumdb()), 42), "tampered");
    // The right record text under the wrong id.
    db.serve_lookup(43, &log.records[44], &head);
    let (m, v) = module_version(43);
    let o = gvmr_args(&db.s, Some(&db.gosumdb()), &m, &v);
    assert_fails(&o, "is not record #43");
}

#[test]
fn a_record_beyond_the_tree_is_rejected() {
    let db = Db::new();
    let log = Log::new(TOTAL, "");
    let head = db.publish(&log, 300);
    db.serve_lookup(350, &log.records[350], &head);
    assert_fails(&gvmr(&db.s, Some(&db.gosumdb()), 350), "record #350 for");
}

#[test]
fn a_bad_tree_head_signature_is_rejected() {
    let db = Db::new();
    let log = Log::new(300, "");
    let head = db.publish(&log, 300);
    // The signature of tree 300 over the text of tree 299.
    let sig = head.split_once("\n\n").unwrap().1;
    let forged = format!("{}\n{sig}", tlog::format_tree(log.tree(299)));
    db.serve_lookup(3, &log.records[3], &forged);
    assert_fails(&gvmr(&db.s, Some(&db.gosumdb()), 3), "signed tree head");
    // Signed by another key of the same name.
    let other = SigningKey::from_bytes(&[9u8; 32]);
    let by_other = note::sign(&tlog::format_tree(log.tree(300)), NAME, &other);
    db.serve_lookup(4, &log.records[4], &by_other);
    assert_fails(
        &gvmr(&db.s, Some(&db.gosumdb()), 4),
        "no verifiable signatures",
    );
    assert!(!db.s.home().join("sumdb").join(NAME).join("latest").exists());
}

#[test]
fn a_tampered_tile_is_rejected() {
    let db = Db::new();
    let log = Log::new(300, "");
    db.publish(&log, 300);
    let mut tile = db.s.server.get("/tile/8/0/000").unwrap();
    tile[100] ^= 1;
    db.s.server.put("/tile/8/0/000", tile);
    assert_fails(&gvmr(&db.s, Some(&db.gosumdb()), 7), "inconsistent");
}

#[test]
fn a_forked_tree_is_rejected() {
    let db = Db::new();
    let log = Log::new(300, "");
    db.publish(&log, 300);
    assert_ok(&gvmr(&db.s, Some(&db.gosumdb()), 1), &log, 1);
    let stored = stored_head(&db.s);
    // Same size, different records.
    let fork = Log::new(300, "fork");
    db.publish(&fork, 300);
    let o = gvmr(&db.s, Some(&db.gosumdb()), 1);
    assert_fails(&o, "SECURITY ERROR");
    let message = stderr(&o);
    assert!(
        message.contains(&format!("stored: tree #300 {}", log.tree(300).hash)),
        "{message}"
    );
    assert!(
        message.contains(&format!("served: tree #300 {}", fork.tree(300).hash)),
        "{message}"
    );
    // A grown fork is just as inconsistent.
    let fork = Log::new(TOTAL, "fork");
    db.publish(&fork, 550);
    assert_fails(&gvmr(&db.s, Some(&db.gosumdb()), 2), "fork or a rollback");
    assert_eq!(stored_head(&db.s), stored);
}

#[test]
fn a_rolled_back_inconsistent_tree_is_rejected() {
    let db = Db::new();
    let log = Log::new(TOTAL, "");
    db.publish(&log, 520);
    assert_ok(&gvmr(&db.s, Some(&db.gosumdb()), 1), &log, 1);
    let stored = stored_head(&db.s);
    // A smaller tree that is not a prefix of the stored one, served with
    // its own tiles (the stored tree's tiles stay as they were).
    let other = Log::new(TOTAL, "rollback");
    let head = db.head(other.tree(280));
    for tile in tlog::all_tiles(8, 280) {
        if tile.w != 256 {
            let data = tlog::read_tile_data(&tile, &other.hashes).unwrap();
            db.s.server.put(&format!("/{}", tile.path()), data);
        }
    }
    db.serve_lookup(3, &other.records[3], &head);
    let o = gvmr(&db.s, Some(&db.gosumdb()), 3);
    assert_fails(&o, "SECURITY ERROR");
    assert!(stderr(&o).contains("stored: tree #520"), "{}", stderr(&o));
    assert!(stderr(&o).contains("served: tree #280"), "{}", stderr(&o));
    assert_eq!(stored_head(&db.s), stored);
}

#[test]
fn gosumdb_off_and_unknown_names_are_refused() {
    let db = Db::new();
    let o = gvmr(&db.s, Some("off"), 1);
    assert_fails(&o, "GOSUMDB=off");
    // A GOSUMDB naming no usable database is a bad setting (exit 2).
    let o = gvmr(&db.s, Some("sum.example.org"), 1);
    assert_fails_with(&o, 2, "unknown checksum database \"sum.example.org\"");
    let wrong = db.gosumdb().replacen(NAME, "sum.other.example", 1);
    let o = gvmr(&db.s, Some(&wrong), 1);
    assert_fails_with(&o, 2, "invalid GOSUMDB");
    assert!(
        stderr(&o).contains("hint: set GOSUMDB as go reads it"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn an_unreachable_database_fails_cleanly() {
    let db = Db::new();
    // Nothing published: the lookup is a 404.
    let o = gvmr(&db.s, Some(&db.gosumdb()), 1);
    assert_fails(
        &o,
        &format!("checksum database {NAME}: cannot fetch the record"),
    );
}
