//! Tiles: how a checksum database serves its stored hashes, and the
//! reader that authenticates every tile against a signed tree head before
//! it returns a hash.

#[cfg(test)]
use super::parse_decimal;
#[cfg(any(test, feature = "fuzzing"))]
use super::tree::read_exact;
use super::tree::{
    HashReader, node_hash, split_stored_hash_index, stored_hash_index, sub_tree_index,
};
use super::{HASH_SIZE, Hash, MAX_HASH_INDEX, TlogError, Tree, check_size};
use std::collections::HashMap;

/// A tile: hashes `[n·2^h, n·2^h + w)` of level `l·h` (or, for `l = -1`,
/// the record data of those records).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Tile {
    pub h: u32,
    pub l: i32,
    pub n: i64,
    pub w: u32,
}

impl Tile {
    /// `tile/H/L/NNN[.p/W]`, N split in groups of three digits, all but the
    /// last prefixed with `x` (`x001/x234/067`); L is `data` for data tiles.
    pub fn path(&self) -> String {
        let mut n = self.n;
        let mut n_str = format!("{:03}", n % 1000);
        while n >= 1000 {
            n /= 1000;
            n_str = format!("x{:03}/{n_str}", n % 1000);
        }
        let partial = if 1u32.checked_shl(self.h) != Some(self.w) {
            format!(".p/{}", self.w)
        } else {
            String::new()
        };
        let level = if self.l == -1 {
            "data".to_string()
        } else {
            self.l.to_string()
        };
        format!("tile/{}/{level}/{n_str}{partial}", self.h)
    }

    #[cfg(test)]
    /// The inverse of [`Tile::path`]; only canonical paths are accepted.
    pub fn parse_path(path: &str) -> Option<Tile> {
        let mut f: Vec<&str> = path.split('/').collect();
        if f.len() < 4 || f[0] != "tile" {
            return None;
        }
        let h: u32 = parse_decimal(f[1])?.try_into().ok()?;
        if !(1..=30).contains(&h) {
            return None;
        }
        let l: i32 = if f[2] == "data" {
            -1
        } else {
            parse_decimal(f[2])?.try_into().ok()?
        };
        let mut w = 1u32 << h;
        let k = f.len() - 2;
        if let Some(stem) = f[k].strip_suffix(".p") {
            let ww: u32 = parse_decimal(f[k + 1])?.try_into().ok()?;
            if ww == 0 || ww >= w {
                return None;
            }
            w = ww;
            f[k] = stem;
            f.pop();
        }
        let mut n = 0i64;
        for s in &f[3..] {
            let nn = parse_decimal(s.strip_prefix('x').unwrap_or(s))?;
            if nn >= 1000 {
                return None;
            }
            n = n.checked_mul(1000)?.checked_add(nn)?;
        }
        let tile = Tile { h, l, n, w };
        (tile.path() == path).then_some(tile)
    }
}

/// The tile holding stored hash `index`, and the byte range within the
/// tile's data from which that hash is computed.
pub fn tile_for_index(h: u32, index: i64) -> (Tile, usize, usize) {
    let (level, n) = split_stored_hash_index(index);
    let l = level / h;
    let level = level - l * h;
    let tn = (n << level) >> h;
    let n = n - ((tn << h) >> level);
    let tile = Tile {
        h,
        l: l as i32,
        n: tn,
        w: ((n + 1) << level) as u32,
    };
    let start = (n << level) as usize * HASH_SIZE;
    let end = ((n + 1) << level) as usize * HASH_SIZE;
    (tile, start, end)
}

/// The hash of a run of a tile's hashes (a power of two of them, or the
/// left-leaning tree of any count).
fn tile_hash(data: &[u8]) -> Hash {
    let n = data.len() / HASH_SIZE;
    assert!(n > 0, "tlog: empty tile range");
    if n == 1 {
        return Hash::from_slice(data);
    }
    let half = n / 2;
    node_hash(
        tile_hash(&data[..half * HASH_SIZE]),
        tile_hash(&data[half * HASH_SIZE..]),
    )
}

/// Computes stored hash `index` from the data of tile `t`.
pub fn hash_from_tile(t: &Tile, data: &[u8], index: i64) -> Result<Hash, TlogError> {
    if t.h < 1 || t.h > 30 || t.l < 0 || t.l >= 64 || t.w < 1 || t.w > 1 << t.h {
        return Err(TlogError::BadTile(t.path()));
    }
    if !(0..MAX_HASH_INDEX).contains(&index) {
        return Err(TlogError::BadInput(format!(
            "hash index {index} is out of range"
        )));
    }
    if data.len() < t.w as usize * HASH_SIZE {
        return Err(TlogError::BadTile(format!(
            "{}: {} bytes is too short",
            t.path(),
            data.len()
        )));
    }
    let (t1, start, end) = tile_for_index(t.h, index);
    if t.l != t1.l || t.n != t1.n || t.w < t1.w {
        return Err(TlogError::BadTile(format!(
            "{}: hash index {index} is in {}",
            t.path(),
            t1.path()
        )));
    }
    Ok(tile_hash(&data[start..end]))
}

/// The data of tile `t`, from stored hashes (what a server serves).
#[cfg(any(test, feature = "fuzzing"))]
pub fn read_tile_data(t: &Tile, r: &dyn HashReader) -> Result<Vec<u8>, TlogError> {
    let start = t.n << t.h;
    let level = t.h * t.l as u32;
    let indexes: Vec<i64> = (0..i64::from(t.w))
        .map(|i| stored_hash_index(level, start + i))
        .collect();
    Ok(read_exact(r, &indexes)?.iter().flat_map(|h| h.0).collect())
}

/// Every tile, full or partial, of a tree of size `n` that a server must
/// serve: for each level, the full tiles and the one partial tile at the
/// right edge (if any). Data tiles are not included.
#[cfg(test)]
pub fn all_tiles(h: u32, n: i64) -> Vec<Tile> {
    let mut tiles = Vec::new();
    let mut l = 0i32;
    loop {
        let count = n >> (h * l as u32); // hashes at level l·h
        if count == 0 {
            break;
        }
        for tn in 0..=(count >> h) {
            let w = (count - (tn << h)).min(1 << h);
            if w > 0 {
                tiles.push(Tile {
                    h,
                    l,
                    n: tn,
                    w: w as u32,
                });
            }
        }
        l += 1;
    }
    tiles
}

/// The `k`-th ancestor of tile `t` in a tree of size `n`, with the width it
/// has in that tree; `None` when the tree has no such tile.
pub(super) fn tile_parent(t: Tile, k: u32, n: i64) -> Option<Tile> {
    let mut t = t;
    t.l += k as i32;
    t.n >>= k * t.h;
    t.w = 1 << t.h;
    let max = n >> (t.l as u32 * t.h);
    if (t.n << t.h) + i64::from(t.w) >= max {
        if (t.n << t.h) >= max {
            return None;
        }
        t.w = (max - (t.n << t.h)) as u32;
    }
    Some(t)
}

/// Fetches tiles by their paths.
pub trait TileReader {
    fn height(&self) -> u32;
    fn read_tiles(&self, tiles: &[Tile]) -> Result<Vec<Vec<u8>>, TlogError>;
}

/// A [`HashReader`] that reads hashes out of tiles and authenticates every
/// tile it uses against a trusted tree head before returning a hash.
pub struct TileHashReader<'a> {
    pub tree: Tree,
    pub reader: &'a dyn TileReader,
}

impl HashReader for TileHashReader<'_> {
    fn read_hashes(&self, indexes: &[i64]) -> Result<Vec<Hash>, TlogError> {
        let h = self.reader.height();
        let size = self.tree.n;
        check_size(size)?;
        if !(1..=30).contains(&h) {
            return Err(TlogError::BadInput(format!("tile height {h}")));
        }
        let mut order: HashMap<Tile, usize> = HashMap::new();
        let mut tiles: Vec<Tile> = Vec::new();

        // The tiles from which the tree hash is recomputed: if it matches
        // the signed one, these tiles are authentic.
        let mut stx = Vec::new();
        sub_tree_index(0, size, &mut stx);
        let mut stx_order = Vec::with_capacity(stx.len());
        for &x in &stx {
            let (tile, _, _) = tile_for_index(h, x);
            let tile = tile_parent(tile, 0, size).expect("tree hashes are in the tree's tiles");
            let j = *order.entry(tile).or_insert_with(|| {
                tiles.push(tile);
                tiles.len() - 1
            });
            stx_order.push(j);
        }
        let authenticated_by_tree = tiles.len();

        // The tiles holding the requested hashes, and the ancestors
        // linking each to an already planned (authenticated) tile.
        let mut index_order = Vec::with_capacity(indexes.len());
        for &x in indexes {
            if x < 0 || x >= stored_hash_index(0, size) {
                return Err(TlogError::NotInTree { index: x, size });
            }
            let (tile, _, _) = tile_for_index(h, x);
            let mut k = 0;
            loop {
                let p = tile_parent(tile, k, size)
                    .ok_or_else(|| TlogError::Read(format!("no tile above {}", tile.path())))?;
                if order.contains_key(&p) {
                    break;
                }
                k += 1;
            }
            for kk in (0..k).rev() {
                let p = tile_parent(tile, kk, size).expect("checked above");
                if p.w != 1 << p.h {
                    return Err(TlogError::Read(format!(
                        "tile {} has a parent but is partial",
                        p.path()
                    )));
                }
                order.insert(p, tiles.len());
                tiles.push(p);
            }
            let own = tile_parent(tile, 0, size).expect("checked above");
            index_order.push(order[&own]);
        }

        let data = self.reader.read_tiles(&tiles)?;
        if data.len() != tiles.len() {
            return Err(TlogError::Read(format!(
                "read {} tiles, asked for {}",
                data.len(),
                tiles.len()
            )));
        }
        for (tile, d) in tiles.iter().zip(&data) {
            if d.len() != tile.w as usize * HASH_SIZE {
                return Err(TlogError::BadTile(format!(
                    "{}: {} bytes, expected {}",
                    tile.path(),
                    d.len(),
                    tile.w as usize * HASH_SIZE
                )));
            }
        }

        // Authenticate the tree-hash tiles against the signed tree hash.
        let last = stx.len() - 1;
        let mut th = hash_from_tile(&tiles[stx_order[last]], &data[stx_order[last]], stx[last])?;
        for i in (0..last).rev() {
            let hh = hash_from_tile(&tiles[stx_order[i]], &data[stx_order[i]], stx[i])?;
            th = node_hash(hh, th);
        }
        if th != self.tree.hash {
            let paths: Vec<String> = tiles[..authenticated_by_tree]
                .iter()
                .map(Tile::path)
                .collect();
            return Err(TlogError::InconsistentTile(paths.join(", ")));
        }
        // Every tree-hash tile must be covered whole by the subtrees just
        // checked; a byte outside them would be unauthenticated.
        for (i, tile) in tiles[..authenticated_by_tree].iter().enumerate() {
            let covered: usize = stx
                .iter()
                .zip(&stx_order)
                .filter(|(_, j)| **j == i)
                .map(|(&x, _)| {
                    let (_, start, end) = tile_for_index(h, x);
                    end - start
                })
                .sum();
            if covered != data[i].len() {
                return Err(TlogError::InconsistentTile(tile.path()));
            }
        }

        // Authenticate the other (full) tiles against their parents, which
        // come before them in the list.
        for i in authenticated_by_tree..tiles.len() {
            let tile = tiles[i];
            let p = tile_parent(tile, 1, size)
                .ok_or_else(|| TlogError::Read(format!("lost the parent of {}", tile.path())))?;
            let j = *order
                .get(&p)
                .ok_or_else(|| TlogError::Read(format!("lost the parent of {}", tile.path())))?;
            let expected =
                hash_from_tile(&p, &data[j], stored_hash_index(p.l as u32 * p.h, tile.n))?;
            if expected != tile_hash(&data[i]) {
                return Err(TlogError::InconsistentTile(tile.path()));
            }
        }

        indexes
            .iter()
            .zip(&index_order)
            .map(|(&x, &j)| hash_from_tile(&tiles[j], &data[j], x))
            .collect()
    }
}
