//! A client of a Go checksum database (sum.golang.org): looks a module
//! version up, and accepts the answer only when the signed tree head is
//! valid, the record is in that tree, and the tree is consistent with every
//! tree head seen before (no fork, no rollback).

use super::note::{self, NoteError, Verifier};
use super::tlog::{self, Hash, Tile, TileHashReader, TileReader, TlogError, Tree};
use crate::files::FileError;
use crate::files::write_atomically;
use crate::net::http::{Http, HttpError};
use crate::net::url::DisplaySafeUrl;
use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The key of sum.golang.org, as embedded in the go command.
pub const DEFAULT_KEY: &str =
    "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8";
const DEFAULT_NAME: &str = gvmr_shim::go_env::DEFAULT_GOSUMDB;
/// The tile height every Go checksum database uses.
const TILE_HEIGHT: u32 = 8;
/// A full tile: 2^8 hashes of 32 bytes.
const MAX_TILE_BYTES: u64 = (1 << TILE_HEIGHT) * tlog::HASH_SIZE as u64;
/// A lookup answer: an id, a few lines of record and a signed tree head.
const MAX_LOOKUP_BYTES: u64 = 128 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum SumdbError {
    #[error(
        "GOSUMDB=off: gvmr does not install Go modules without verifying them with the checksum database"
    )]
    Off,
    #[error("invalid GOSUMDB={value:?}: {reason}")]
    BadConfig { value: String, reason: String },
    #[error("invalid GOSUMDB={value:?}: {source}")]
    BadKey { value: String, source: NoteError },
    #[error("{module}@{version}: not a valid module path and version")]
    BadModule { module: String, version: String },
    #[error("checksum database {db}: cannot fetch {what}: {source}")]
    Http {
        db: String,
        what: String,
        source: Box<HttpError>,
    },
    #[error("checksum database {db}: malformed answer from {url}: {reason}")]
    Malformed {
        db: String,
        url: String,
        reason: String,
    },
    #[error("checksum database {db}: the signed tree head from {url} is not valid: {source}")]
    TreeHead {
        db: String,
        url: String,
        source: NoteError,
    },
    #[error("checksum database {db}: cannot verify {what}: {source}")]
    Tlog {
        db: String,
        what: String,
        source: TlogError,
    },
    #[error(
        "checksum database {db}: record #{id} for {module}@{version} is not in the signed tree of size {size}"
    )]
    NotInTree {
        db: String,
        module: String,
        version: String,
        id: i64,
        size: i64,
    },
    #[error(
        "checksum database {db}: SECURITY ERROR: the record served for {module}@{version} is not record #{id} of the signed tree (the answer was tampered with)"
    )]
    RecordMismatch {
        db: String,
        module: String,
        version: String,
        id: i64,
    },
    #[error(
        "checksum database {db}: the record for {module}@{version} has no line for that version"
    )]
    NoLines {
        db: String,
        module: String,
        version: String,
    },
    #[error(
        "checksum database {db}: SECURITY ERROR: the server's tree is inconsistent with the one seen before (a fork or a rollback):\n  stored: tree #{} {}\n  served: tree #{} {}", .heads.stored.n, .heads.stored.hash, .heads.served.n, .heads.served.hash
    )]
    Fork { db: String, heads: Box<ForkHeads> },
    #[error("checksum database {db}: the stored tree head {} is unreadable or not validly signed: {problem} (delete it to trust the server's next answer)", .path.display())]
    BadState {
        db: String,
        path: PathBuf,
        #[source]
        problem: StateProblem,
    },
    #[error("checksum database {db}: cannot store the tree head: {source}")]
    Store { db: String, source: FileError },
}

/// The two tree heads that disagree.
#[derive(Debug)]
pub struct ForkHeads {
    pub stored: Tree,
    pub served: Tree,
}

/// What is wrong with the stored tree head.
#[derive(Debug, thiserror::Error)]
pub enum StateProblem {
    #[error("{}", crate::files::describe_io(.0))]
    Unreadable(#[source] std::io::Error),
    #[error(transparent)]
    BadSignature(#[from] NoteError),
    #[error("not a tree head")]
    NotATreeHead,
}

impl SumdbError {
    /// True when the database could not be reached (or failed on its own
    /// side): trying again later may work. Verification failures are not.
    pub fn is_network(&self) -> bool {
        match self {
            SumdbError::Http { source, .. } => source.is_unreachable(),
            SumdbError::Tlog {
                source: TlogError::Fetch { source, .. },
                ..
            } => source
                .downcast_ref::<HttpError>()
                .is_some_and(HttpError::is_unreachable),
            _ => false,
        }
    }

    /// True when `GOSUMDB` names no usable database (but not `off`).
    pub fn is_setting(&self) -> bool {
        matches!(
            self,
            SumdbError::BadConfig { .. } | SumdbError::BadKey { .. }
        )
    }
}

/// A checksum database: its name, its verifier key and its URL.
#[derive(Debug, Clone)]
pub struct SumDb {
    name: String,
    verifier: Verifier,
    url: DisplaySafeUrl,
}

/// A GOSUMDB value as it may be shown: the password in its URL field (a
/// URL without a scheme is https://, as Go takes it) hidden.
pub fn shown_gosumdb(value: &str) -> String {
    let mut shown = value.to_string();
    for field in value.split_whitespace().skip(1) {
        let hidden = match field.contains("://") {
            true => crate::net::url::shown(field),
            false => crate::net::url::shown(&format!("https://{field}"))
                .trim_start_matches("https://")
                .to_string(),
        };
        if hidden != field {
            shown = shown.replacen(field, &hidden, 1);
        }
    }
    shown
}

impl SumDb {
    /// From GOSUMDB as `go env` reports it (Go's default included):
    /// "sum.golang.org" → the embedded key at https://sum.golang.org;
    /// "name+hash+key" → that key at https://name; "name+hash+key URL" →
    /// that URL; "off" or nothing → an error.
    pub fn from_gosumdb(value: &str) -> Result<SumDb, SumdbError> {
        let value = value.trim();
        let bad = |reason: String| SumdbError::BadConfig {
            value: shown_gosumdb(value),
            reason,
        };
        let fields: Vec<&str> = value.split_whitespace().collect();
        let (key, url) = match fields.as_slice() {
            // Set, but to nothing (an empty `GOSUMDB=` in the go env file):
            // go fails with "missing GOSUMDB" too.
            [] => {
                return Err(bad(
                    "it is empty; set it to sum.golang.org (or remove the empty setting)".into(),
                ));
            }
            ["off"] => return Err(SumdbError::Off),
            ["sum.golang.google.cn"] => (DEFAULT_KEY, Some("https://sum.golang.google.cn")),
            [key] => (*key, None),
            [key, url] => (*key, Some(*url)),
            _ => return Err(bad("too many fields (want \"name+hash+key [URL]\")".into())),
        };
        let key = if key == DEFAULT_NAME {
            DEFAULT_KEY
        } else {
            key
        };
        if !key.contains('+') {
            return Err(bad(format!(
                "unknown checksum database {key:?}: give its key as name+hash+key"
            )));
        }
        let verifier = Verifier::parse(key).map_err(|source| SumdbError::BadKey {
            value: shown_gosumdb(value),
            source,
        })?;
        let name = verifier.name().to_string();
        if name.contains('/') || name.contains('\\') || name.starts_with('.') {
            return Err(bad(format!("unusable database name {name:?}")));
        }
        let url = match url {
            Some(u) if u.contains("://") => u.to_string(),
            Some(u) => format!("https://{u}"),
            None => format!("https://{name}"),
        };
        let url = DisplaySafeUrl::parse(&url)
            .ok()
            .filter(|u| matches!(u.scheme(), "https" | "http"))
            .ok_or_else(|| {
                bad(format!(
                    "{} is not an https:// or http:// URL",
                    crate::net::url::shown(&url)
                ))
            })?;
        Ok(SumDb {
            name,
            verifier,
            url,
        })
    }

    #[cfg(test)]
    pub fn name(&self) -> &str {
        &self.name
    }

    #[cfg(test)]
    pub fn url(&self) -> String {
        self.url.to_string()
    }

    /// Looks `module@version` up and returns the record's lines for that
    /// version, after checking the signed tree head, the record's inclusion
    /// in the tree and the tree's consistency with the newest head stored
    /// under `state_dir/<name>/latest` (which it then updates).
    pub fn lookup(
        &self,
        http: &Http,
        state_dir: &Path,
        module: &str,
        version: &str,
    ) -> Result<Vec<String>, SumdbError> {
        let db = || self.name.clone();
        let (Some(emod), Some(ever)) = (escape(module), escape(version)) else {
            return Err(SumdbError::BadModule {
                module: module.into(),
                version: version.into(),
            });
        };
        let url = self.url.join(&format!("lookup/{emod}@{ever}"));
        let body = http
            .get_small(&url, MAX_LOOKUP_BYTES)
            .map_err(|source| SumdbError::Http {
                db: db(),
                what: format!("the record of {module}@{version}"),
                source: Box::new(source),
            })?;
        let malformed = |reason: &str| SumdbError::Malformed {
            db: db(),
            url: url.to_string(),
            reason: reason.into(),
        };
        let (id, text, head) = tlog::parse_record(&body).ok_or_else(|| malformed("bad record"))?;
        let served = self.open_tree(head).map_err(|e| match e {
            Ok(source) => SumdbError::TreeHead {
                db: db(),
                url: url.to_string(),
                source,
            },
            Err(()) => malformed("the signed text is not a tree head"),
        })?;

        let tiles = RemoteTiles {
            http,
            base: &self.url,
            cache: RefCell::new(HashMap::new()),
        };
        let state = state_dir.join(&self.name).join("latest");
        let stored = self.load_state(&state)?;
        let newest = match stored {
            None => served,
            Some(stored) => {
                self.check_consistent(&tiles, stored, served)?;
                if stored.n >= served.n { stored } else { served }
            }
        };
        if stored.is_none_or(|s| served.n > s.n) {
            write_atomically(&state, head)
                .map_err(|source| SumdbError::Store { db: db(), source })?;
        }

        // The record must be leaf `id` of the tree.
        if id >= newest.n {
            return Err(SumdbError::NotInTree {
                db: db(),
                module: module.into(),
                version: version.into(),
                id,
                size: newest.n,
            });
        }
        let leaf = tlog::record_hash(text.as_bytes());
        let thr = TileHashReader {
            tree: newest,
            reader: &tiles,
        };
        let tlog_err = |source| SumdbError::Tlog {
            db: db(),
            what: format!("record #{id} in tree #{}", newest.n),
            source,
        };
        let stored_leaf = thr.read_hashes_checked(id).map_err(tlog_err)?;
        let proof = tlog::prove_record(newest.n, id, &thr).map_err(tlog_err)?;
        if stored_leaf != leaf
            || tlog::check_record(&proof, newest.n, newest.hash, id, leaf).is_err()
        {
            return Err(SumdbError::RecordMismatch {
                db: db(),
                module: module.into(),
                version: version.into(),
                id,
            });
        }

        let zip = format!("{module} {version} ");
        let gomod = format!("{module} {version}/go.mod ");
        let lines: Vec<String> = text
            .lines()
            .filter(|l| l.starts_with(&zip) || l.starts_with(&gomod))
            .map(str::to_string)
            .collect();
        if lines.is_empty() {
            return Err(SumdbError::NoLines {
                db: db(),
                module: module.into(),
                version: version.into(),
            });
        }
        Ok(lines)
    }

    /// Verifies a signed tree head note and parses its text. `Err(Ok(_))`:
    /// the signature; `Err(Err(()))`: the text.
    fn open_tree(&self, msg: &[u8]) -> Result<Tree, Result<NoteError, ()>> {
        let note = note::open(msg, &self.verifier).map_err(Ok)?;
        tlog::parse_tree(&note.text).ok_or(Err(()))
    }

    fn load_state(&self, path: &Path) -> Result<Option<Tree>, SumdbError> {
        let bad = |problem: StateProblem| SumdbError::BadState {
            db: self.name.clone(),
            path: path.to_path_buf(),
            problem,
        };
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(bad(StateProblem::Unreadable(e))),
        };
        match self.open_tree(&bytes) {
            Ok(tree) => Ok(Some(tree)),
            Err(Ok(e)) => Err(bad(e.into())),
            Err(Err(())) => Err(bad(StateProblem::NotATreeHead)),
        }
    }

    /// Checks that the smaller of two trees is a prefix of the larger one,
    /// using the larger one's tiles.
    fn check_consistent(
        &self,
        tiles: &RemoteTiles<'_>,
        stored: Tree,
        served: Tree,
    ) -> Result<(), SumdbError> {
        let fork = || SumdbError::Fork {
            db: self.name.clone(),
            heads: Box::new(ForkHeads { stored, served }),
        };
        let (older, newer) = if stored.n <= served.n {
            (stored, served)
        } else {
            (served, stored)
        };
        if older.n == newer.n {
            return if older.hash == newer.hash {
                Ok(())
            } else {
                Err(fork())
            };
        }
        if older.n == 0 {
            return Ok(());
        }
        let thr = TileHashReader {
            tree: newer,
            reader: tiles,
        };
        let tlog_err = |source| SumdbError::Tlog {
            db: self.name.clone(),
            what: format!("tree #{} against tree #{}", older.n, newer.n),
            source,
        };
        let h = tlog::tree_hash(older.n, &thr).map_err(tlog_err)?;
        if h != older.hash {
            return Err(fork());
        }
        let proof = tlog::prove_tree(newer.n, older.n, &thr).map_err(tlog_err)?;
        tlog::check_tree(&proof, newer.n, newer.hash, older.n, older.hash).map_err(|_| fork())
    }
}

impl TileHashReader<'_> {
    /// The authenticated hash of record `id`.
    fn read_hashes_checked(&self, id: i64) -> Result<Hash, TlogError> {
        use tlog::HashReader as _;
        Ok(self.read_hashes(&[tlog::stored_hash_index(0, id)])?[0])
    }
}

/// Tiles fetched from the database over HTTP, kept for one lookup.
struct RemoteTiles<'a> {
    http: &'a Http,
    base: &'a DisplaySafeUrl,
    cache: RefCell<HashMap<Tile, Vec<u8>>>,
}

impl RemoteTiles<'_> {
    fn fetch(&self, tile: &Tile) -> Result<Vec<u8>, TlogError> {
        if let Some(data) = self.cache.borrow().get(tile) {
            return Ok(data.clone());
        }
        let want = tile.w as usize * tlog::HASH_SIZE;
        let url = self.base.join(&tile.path());
        let data = match self.http.get_small(&url, MAX_TILE_BYTES) {
            Ok(data) => data,
            // A partial tile may have been completed since: its hashes
            // are the full tile's first ones.
            Err(e) if e.is_not_found() && tile.w != 1 << tile.h => {
                let full = Tile {
                    w: 1 << tile.h,
                    ..*tile
                };
                let full_url = self.base.join(&full.path());
                let mut data =
                    self.http
                        .get_small(&full_url, MAX_TILE_BYTES)
                        .map_err(|source| TlogError::Fetch {
                            tile: full.path(),
                            source: Arc::new(source),
                        })?;
                if data.len() >= want {
                    data.truncate(want);
                }
                data
            }
            Err(source) => {
                return Err(TlogError::Fetch {
                    tile: tile.path(),
                    source: Arc::new(source),
                });
            }
        };
        self.cache.borrow_mut().insert(*tile, data.clone());
        Ok(data)
    }
}

impl TileReader for RemoteTiles<'_> {
    fn height(&self) -> u32 {
        TILE_HEIGHT
    }

    fn read_tiles(&self, tiles: &[Tile]) -> Result<Vec<Vec<u8>>, TlogError> {
        tiles.iter().map(|t| self.fetch(t)).collect()
    }
}

/// Go's case-encoding of module paths and versions in URLs: each uppercase
/// letter becomes '!' and its lowercase. `None` for characters that are
/// not allowed (including '!').
pub fn escape(s: &str) -> Option<String> {
    if s.is_empty() || s.starts_with('/') || s.split('/').any(|e| e == "." || e == "..") {
        return None;
    }
    let mut out = String::with_capacity(s.len() + 4);
    for c in s.chars() {
        match c {
            'A'..='Z' => {
                out.push('!');
                out.push(c.to_ascii_lowercase());
            }
            'a'..='z' | '0'..='9' | '-' | '.' | '_' | '~' | '/' | '+' => out.push(c),
            _ => return None,
        }
    }
    Some(out)
}

/// The `h1:` hash of the module zip in a lookup's lines (not the `/go.mod`
/// line).
pub fn zip_hash(lines: &[String], module: &str, version: &str) -> Option<String> {
    lines.iter().find_map(|line| {
        let mut f = line.split(' ');
        match (f.next(), f.next(), f.next(), f.next()) {
            (Some(m), Some(v), Some(h), None)
                if m == module && v == version && h.starts_with("h1:") =>
            {
                Some(h.to_string())
            }
            _ => None,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_encoding() {
        assert_eq!(
            escape("github.com/Azure/azure-sdk-for-go").unwrap(),
            "github.com/!azure/azure-sdk-for-go"
        );
        assert_eq!(
            escape("golang.org/toolchain").unwrap(),
            "golang.org/toolchain"
        );
        assert_eq!(
            escape("v0.0.1-go1.22.5.linux-amd64").unwrap(),
            "v0.0.1-go1.22.5.linux-amd64"
        );
        assert_eq!(
            escape("v2.0.0+incompatible").unwrap(),
            "v2.0.0+incompatible"
        );
        assert_eq!(escape("BurntSushi/TOML").unwrap(), "!burnt!sushi/!t!o!m!l");
        for bad in [
            "", "a!b", "a b", "a?b", "a#b", "a%2f", "../x", "/abs", "x/../y", "ü",
        ] {
            assert_eq!(escape(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn zip_hash_picks_the_zip_line() {
        let lines = vec![
            "golang.org/toolchain v0.0.1-go1.22.5.linux-amd64 h1:zip=".to_string(),
            "golang.org/toolchain v0.0.1-go1.22.5.linux-amd64/go.mod h1:mod=".to_string(),
        ];
        let m = "golang.org/toolchain";
        let v = "v0.0.1-go1.22.5.linux-amd64";
        assert_eq!(zip_hash(&lines, m, v).as_deref(), Some("h1:zip="));
        assert_eq!(zip_hash(&lines[1..], m, v), None);
        assert_eq!(zip_hash(&lines, m, "v0.0.2"), None);
    }

    #[test]
    fn gosumdb_values() {
        assert!(matches!(
            SumDb::from_gosumdb(" "),
            Err(SumdbError::BadConfig { .. })
        ));
        for v in ["sum.golang.org", "  sum.golang.org "] {
            let db = SumDb::from_gosumdb(v).unwrap();
            assert_eq!(db.name(), "sum.golang.org");
            assert_eq!(db.url(), "https://sum.golang.org/");
        }
        let db = SumDb::from_gosumdb("sum.golang.google.cn").unwrap();
        assert_eq!(db.url(), "https://sum.golang.google.cn/");
        let db = SumDb::from_gosumdb(DEFAULT_KEY).unwrap();
        assert_eq!(db.url(), "https://sum.golang.org/");
        let db = SumDb::from_gosumdb(&format!("{DEFAULT_KEY} http://127.0.0.1:8080/")).unwrap();
        assert_eq!(db.url(), "http://127.0.0.1:8080/");
        let db = SumDb::from_gosumdb(&format!("{DEFAULT_KEY} mirror.example/sumdb")).unwrap();
        assert_eq!(db.url(), "https://mirror.example/sumdb");

        assert!(matches!(SumDb::from_gosumdb("off"), Err(SumdbError::Off)));
        let err = SumDb::from_gosumdb("sum.example.org").unwrap_err();
        assert!(matches!(err, SumdbError::BadConfig { .. }));
        assert!(
            err.to_string()
                .contains("unknown checksum database \"sum.example.org\""),
            "{err}"
        );
        // A mangled key (hash mismatch) and too many fields.
        let mangled = DEFAULT_KEY.replace("033de0ae", "033de0af");
        assert!(matches!(
            SumDb::from_gosumdb(&mangled),
            Err(SumdbError::BadKey {
                source: NoteError::VerifierHashMismatch(_),
                ..
            })
        ));
        assert!(matches!(
            SumDb::from_gosumdb("a b c"),
            Err(SumdbError::BadConfig { .. })
        ));
        // A password in the URL field is never shown, with a scheme or not.
        for url in ["https://u:s3cret@sumdb.corp", "u:s3cret@sumdb.corp/x"] {
            for value in [format!("mydb {url}"), format!("{mangled} {url}")] {
                let err = SumDb::from_gosumdb(&value).unwrap_err().to_string();
                assert!(!err.contains("s3cret"), "{err}");
                assert!(err.contains("u:***@sumdb.corp"), "{err}");
            }
        }
        assert_eq!(
            shown_gosumdb("sum.golang.org https://sum.example/"),
            "sum.golang.org https://sum.example/"
        );
    }
}
