//! The tamper-evident log behind the Go checksum database: a Merkle tree in
//! the style of Certificate Transparency (RFC 6962), stored as "tiles".
//!
//! An independent implementation of the algorithms of Go's
//! `golang.org/x/mod/sumdb/tlog`; the layout (stored hash indexes, tile
//! paths) must match it byte for byte, since the servers use it.
//!
//! This file has the shared types (hashes, tree heads, errors) and the
//! texts a database serves (tree heads, records); [`tree`] the stored hash
//! layout and the inclusion and consistency proofs; [`tile`] the tiles and
//! the reader that authenticates them. This file and its children use
//! nothing of the rest of gvmr: the integration tests include them to build
//! a database.

mod tile;
mod tree;

#[cfg(test)]
pub use tile::all_tiles;
pub use tile::{Tile, TileHashReader, TileReader};
#[cfg(any(test, feature = "fuzzing"))]
pub use tile::{hash_from_tile, read_tile_data};
#[cfg(any(test, feature = "fuzzing"))]
pub use tree::stored_hashes;
pub use tree::{
    HashReader, check_record, check_tree, prove_record, prove_tree, record_hash, stored_hash_index,
    tree_hash,
};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use std::fmt;

pub const HASH_SIZE: usize = 32;

/// The largest tree (in records) gvmr accepts: far beyond any checksum
/// database (sum.golang.org holds tens of millions of records), and small
/// enough that no index arithmetic on such a tree comes near overflowing
/// an `i64`. A signed tree head claiming more is refused.
pub const MAX_TREE_SIZE: i64 = 1 << 48;

/// Above every stored hash index of a tree of [`MAX_TREE_SIZE`] records
/// (a tree of `n` records stores fewer than `2n` hashes).
pub(crate) const MAX_HASH_INDEX: i64 = 2 * MAX_TREE_SIZE;

/// `BadInput` unless `0 <= n <= MAX_TREE_SIZE`.
pub(crate) fn check_size(n: i64) -> Result<(), TlogError> {
    if (0..=MAX_TREE_SIZE).contains(&n) {
        Ok(())
    } else {
        Err(TlogError::BadInput(format!(
            "tree size {n} is outside 0..={MAX_TREE_SIZE}"
        )))
    }
}

/// A record hash or tree node hash.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Hash(pub [u8; HASH_SIZE]);

impl fmt::Display for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&STANDARD.encode(self.0))
    }
}

impl fmt::Debug for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hash({self})")
    }
}

impl Hash {
    /// Parses the base64 form of a hash.
    pub fn parse(s: &str) -> Option<Hash> {
        let bytes = STANDARD.decode(s).ok()?;
        Some(Hash(bytes.try_into().ok()?))
    }

    pub(crate) fn from_slice(b: &[u8]) -> Hash {
        Hash(b.try_into().expect("a hash is 32 bytes"))
    }
}

/// A failure reading or checking the log.
#[derive(Debug, Clone, thiserror::Error)]
pub enum TlogError {
    #[error("{0}")]
    Read(String),
    /// A tile could not be fetched (the reader's own error: this file
    /// knows nothing of HTTP).
    #[error("cannot fetch {tile}: {source}")]
    Fetch {
        tile: String,
        source: std::sync::Arc<dyn std::error::Error + Send + Sync>,
    },
    #[error("invalid transparency proof")]
    ProofFailed,
    #[error("invalid inputs: {0}")]
    BadInput(String),
    #[error("downloaded tile {0} is inconsistent with the signed tree head")]
    InconsistentTile(String),
    #[error("malformed tile {0}")]
    BadTile(String),
    #[error("hash index {index} is not in the tree of size {size}")]
    NotInTree { index: i64, size: i64 },
}

/// A signed tree head's content: size and root hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tree {
    pub n: i64,
    pub hash: Hash,
}

/// Parses `go.sum database tree\n<size>\n<base64 hash>\n` (later lines are
/// ignored). A size above [`MAX_TREE_SIZE`] is refused.
pub fn parse_tree(text: &str) -> Option<Tree> {
    let mut f = text.splitn(4, '\n');
    if f.next()? != "go.sum database tree" {
        return None;
    }
    let n = parse_decimal(f.next()?).filter(|n| *n <= MAX_TREE_SIZE)?;
    let hash = Hash::parse(f.next()?)?;
    f.next()?;
    Some(Tree { n, hash })
}

#[cfg(test)]
/// The tree head text for `tree`.
pub fn format_tree(tree: Tree) -> String {
    format!("go.sum database tree\n{}\n{}\n", tree.n, tree.hash)
}

/// A non-negative decimal number without sign or leading junk.
pub(crate) fn parse_decimal(s: &str) -> Option<i64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Whether `text` is acceptable record text: valid UTF-8 (guaranteed by
/// `&str`), no control characters but newlines, ending in one newline.
fn is_valid_record_text(text: &str) -> bool {
    !text.is_empty()
        && text.ends_with('\n')
        && !text.contains("\n\n")
        && !text
            .chars()
            .any(|c| (c < ' ' && c != '\n') || c == '\u{7f}')
}

/// Splits a lookup response `<id>\n<text>\n<rest>` into the id, the record
/// text (ending in a newline) and the rest (the signed tree head).
pub fn parse_record(msg: &[u8]) -> Option<(i64, &str, &[u8])> {
    let nl = msg.iter().position(|&b| b == b'\n')?;
    let id = parse_decimal(std::str::from_utf8(&msg[..nl]).ok()?)?;
    let msg = &msg[nl + 1..];
    let end = msg.windows(2).position(|w| w == b"\n\n")?;
    let text = std::str::from_utf8(&msg[..end + 1]).ok()?;
    if !is_valid_record_text(text) {
        return None;
    }
    Some((id, text, &msg[end + 2..]))
}

/// Formats a record as served by `/lookup`: `<id>\n<text>\n`.
#[cfg(test)]
pub fn format_record(id: i64, text: &str) -> Option<String> {
    is_valid_record_text(text).then(|| format!("{id}\n{text}\n"))
}

#[cfg(test)]
mod tests;
