//! The stored hash layout of the log (Go's `tlog` storage order), and the
//! inclusion and consistency proofs over it (RFC 6962).

use super::{Hash, TlogError, check_size};
use sha2::{Digest, Sha256};

/// SHA-256(0x00 || data): the hash of a record.
pub fn record_hash(data: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(data);
    Hash(h.finalize().into())
}

/// SHA-256(0x01 || left || right): the hash of an interior node.
pub fn node_hash(left: Hash, right: Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left.0);
    h.update(right.0);
    Hash(h.finalize().into())
}

/// The largest power of two smaller than `n` (n ≥ 2), and its log₂.
fn maxpow2(n: i64) -> (i64, u32) {
    let mut l = 0u32;
    while (1i64 << (l + 1)) < n {
        l += 1;
    }
    (1i64 << l, l)
}

/// Maps tree coordinates (level, n) to the dense storage order.
pub fn stored_hash_index(level: u32, n: i64) -> i64 {
    let mut n = n;
    for _ in 0..level {
        n = 2 * n + 1;
    }
    let mut i = 0i64;
    while n > 0 {
        i += n;
        n >>= 1;
    }
    i + i64::from(level)
}

/// The inverse of [`stored_hash_index`].
pub fn split_stored_hash_index(index: i64) -> (u32, i64) {
    let mut n = index / 2;
    let mut index_n = stored_hash_index(0, n);
    debug_assert!(index_n <= index);
    loop {
        let x = index_n + 1 + i64::from((n + 1).trailing_zeros());
        if x > index {
            break;
        }
        n += 1;
        index_n = x;
    }
    let level = (index - index_n) as u32;
    (level, n >> level)
}

#[cfg(test)]
/// How many hashes a tree of `n` records stores.
pub fn stored_hash_count(n: i64) -> i64 {
    if n == 0 {
        return 0;
    }
    let mut count = stored_hash_index(0, n - 1) + 1;
    let mut i = (n - 1) as u64;
    while i & 1 != 0 {
        count += 1;
        i >>= 1;
    }
    count
}

/// Reads stored hashes by index.
pub trait HashReader {
    fn read_hashes(&self, indexes: &[i64]) -> Result<Vec<Hash>, TlogError>;
}

/// A plain list of all stored hashes, in storage order.
impl HashReader for [Hash] {
    fn read_hashes(&self, indexes: &[i64]) -> Result<Vec<Hash>, TlogError> {
        indexes
            .iter()
            .map(|&i| {
                usize::try_from(i)
                    .ok()
                    .and_then(|i| self.get(i).copied())
                    .ok_or(TlogError::NotInTree {
                        index: i,
                        size: self.len() as i64,
                    })
            })
            .collect()
    }
}

impl HashReader for Vec<Hash> {
    fn read_hashes(&self, indexes: &[i64]) -> Result<Vec<Hash>, TlogError> {
        self.as_slice().read_hashes(indexes)
    }
}

pub(super) fn read_exact(r: &dyn HashReader, indexes: &[i64]) -> Result<Vec<Hash>, TlogError> {
    let hashes = r.read_hashes(indexes)?;
    if hashes.len() != indexes.len() {
        return Err(TlogError::Read(format!(
            "read {} hashes for {} indexes",
            hashes.len(),
            indexes.len()
        )));
    }
    Ok(hashes)
}

#[cfg(any(test, feature = "fuzzing"))]
/// The hashes to store when appending record `n` whose hash is `h`.
pub fn stored_hashes_for_record_hash(
    n: i64,
    h: Hash,
    r: &dyn HashReader,
) -> Result<Vec<Hash>, TlogError> {
    let m = (n + 1).trailing_zeros();
    let mut indexes = vec![0i64; m as usize];
    for i in 0..m {
        indexes[(m - 1 - i) as usize] = stored_hash_index(i, (n >> i) - 1);
    }
    let old = read_exact(r, &indexes)?;
    let mut hashes = vec![h];
    let mut h = h;
    for i in 0..m as usize {
        h = node_hash(old[m as usize - 1 - i], h);
        hashes.push(h);
    }
    Ok(hashes)
}

#[cfg(any(test, feature = "fuzzing"))]
/// The hashes to store when appending record `n` with `data`.
pub fn stored_hashes(n: i64, data: &[u8], r: &dyn HashReader) -> Result<Vec<Hash>, TlogError> {
    stored_hashes_for_record_hash(n, record_hash(data), r)
}

/// Indexes of the complete subtrees covering records [lo, hi).
pub(super) fn sub_tree_index(mut lo: i64, hi: i64, need: &mut Vec<i64>) {
    while lo < hi {
        let (k, level) = maxpow2(hi - lo + 1);
        assert!(lo & (k - 1) == 0, "tlog: bad math in sub_tree_index");
        need.push(stored_hash_index(level, lo >> level));
        lo += k;
    }
}

/// The hash of records [lo, hi) from the hashes `sub_tree_index` asked for;
/// returns the hashes left over.
fn sub_tree_hash(mut lo: i64, hi: i64, hashes: &[Hash]) -> (Hash, &[Hash]) {
    let mut num = 0;
    while lo < hi {
        let (k, _) = maxpow2(hi - lo + 1);
        lo += k;
        num += 1;
    }
    assert!(
        hashes.len() >= num && num > 0,
        "tlog: bad math in sub_tree_hash"
    );
    let mut h = hashes[num - 1];
    for i in (0..num - 1).rev() {
        h = node_hash(hashes[i], h);
    }
    (h, &hashes[num..])
}

/// The root hash of the tree of `n` records (all zero for n = 0).
pub fn tree_hash(n: i64, r: &dyn HashReader) -> Result<Hash, TlogError> {
    check_size(n)?;
    if n == 0 {
        return Ok(Hash::default());
    }
    let mut indexes = Vec::new();
    sub_tree_index(0, n, &mut indexes);
    let hashes = read_exact(r, &indexes)?;
    let (h, rest) = sub_tree_hash(0, n, &hashes);
    assert!(rest.is_empty(), "tlog: bad math in tree_hash");
    Ok(h)
}

fn leaf_proof_index(lo: i64, hi: i64, n: i64, need: &mut Vec<i64>) {
    assert!(lo <= n && n < hi, "tlog: bad math in leaf_proof_index");
    if lo + 1 == hi {
        return;
    }
    let (k, _) = maxpow2(hi - lo);
    if n < lo + k {
        leaf_proof_index(lo, lo + k, n, need);
        sub_tree_index(lo + k, hi, need);
    } else {
        sub_tree_index(lo, lo + k, need);
        leaf_proof_index(lo + k, hi, n, need);
    }
}

fn leaf_proof(lo: i64, hi: i64, n: i64, hashes: &[Hash]) -> (Vec<Hash>, &[Hash]) {
    if lo + 1 == hi {
        return (Vec::new(), hashes);
    }
    let (k, _) = maxpow2(hi - lo);
    let (mut p, th, hashes) = if n < lo + k {
        let (p, hashes) = leaf_proof(lo, lo + k, n, hashes);
        let (th, hashes) = sub_tree_hash(lo + k, hi, hashes);
        (p, th, hashes)
    } else {
        let (th, hashes) = sub_tree_hash(lo, lo + k, hashes);
        let (p, hashes) = leaf_proof(lo + k, hi, n, hashes);
        (p, th, hashes)
    };
    p.push(th);
    (p, hashes)
}

/// The proof that the tree of size `t` contains record `n` (an RFC 6962
/// audit path).
pub fn prove_record(t: i64, n: i64, r: &dyn HashReader) -> Result<Vec<Hash>, TlogError> {
    check_size(t)?;
    if t < 0 || n < 0 || n >= t {
        return Err(TlogError::BadInput(format!(
            "record {n} is not in a tree of size {t}"
        )));
    }
    let mut indexes = Vec::new();
    leaf_proof_index(0, t, n, &mut indexes);
    if indexes.is_empty() {
        return Ok(Vec::new());
    }
    let hashes = read_exact(r, &indexes)?;
    let (p, rest) = leaf_proof(0, t, n, &hashes);
    assert!(rest.is_empty(), "tlog: bad math in prove_record");
    Ok(p)
}

fn run_record_proof(p: &[Hash], lo: i64, hi: i64, n: i64, leaf: Hash) -> Result<Hash, TlogError> {
    if lo + 1 == hi {
        return if p.is_empty() {
            Ok(leaf)
        } else {
            Err(TlogError::ProofFailed)
        };
    }
    let Some((&last, rest)) = p.split_last() else {
        return Err(TlogError::ProofFailed);
    };
    let (k, _) = maxpow2(hi - lo);
    if n < lo + k {
        Ok(node_hash(
            run_record_proof(rest, lo, lo + k, n, leaf)?,
            last,
        ))
    } else {
        Ok(node_hash(
            last,
            run_record_proof(rest, lo + k, hi, n, leaf)?,
        ))
    }
}

/// Checks that `p` proves the tree of size `t` and hash `th` has record `n`
/// with hash `h`.
pub fn check_record(p: &[Hash], t: i64, th: Hash, n: i64, h: Hash) -> Result<(), TlogError> {
    check_size(t)?;
    if t < 0 || n < 0 || n >= t {
        return Err(TlogError::BadInput(format!(
            "record {n} is not in a tree of size {t}"
        )));
    }
    if run_record_proof(p, 0, t, n, h)? == th {
        Ok(())
    } else {
        Err(TlogError::ProofFailed)
    }
}

fn tree_proof_index(lo: i64, hi: i64, n: i64, need: &mut Vec<i64>) {
    assert!(lo < n && n <= hi, "tlog: bad math in tree_proof_index");
    if n == hi {
        if lo != 0 {
            sub_tree_index(lo, hi, need);
        }
        return;
    }
    let (k, _) = maxpow2(hi - lo);
    if n <= lo + k {
        tree_proof_index(lo, lo + k, n, need);
        sub_tree_index(lo + k, hi, need);
    } else {
        sub_tree_index(lo, lo + k, need);
        tree_proof_index(lo + k, hi, n, need);
    }
}

fn tree_proof(lo: i64, hi: i64, n: i64, hashes: &[Hash]) -> (Vec<Hash>, &[Hash]) {
    if n == hi {
        if lo == 0 {
            return (Vec::new(), hashes);
        }
        let (th, hashes) = sub_tree_hash(lo, hi, hashes);
        return (vec![th], hashes);
    }
    let (k, _) = maxpow2(hi - lo);
    let (mut p, th, hashes) = if n <= lo + k {
        let (p, hashes) = tree_proof(lo, lo + k, n, hashes);
        let (th, hashes) = sub_tree_hash(lo + k, hi, hashes);
        (p, th, hashes)
    } else {
        let (th, hashes) = sub_tree_hash(lo, lo + k, hashes);
        let (p, hashes) = tree_proof(lo + k, hi, n, hashes);
        (p, th, hashes)
    };
    p.push(th);
    (p, hashes)
}

/// The proof that the tree of size `t` extends the tree of size `n` (an
/// RFC 6962 consistency proof).
pub fn prove_tree(t: i64, n: i64, r: &dyn HashReader) -> Result<Vec<Hash>, TlogError> {
    check_size(t)?;
    if t < 1 || n < 1 || n > t {
        return Err(TlogError::BadInput(format!(
            "cannot prove tree {n} is a prefix of tree {t}"
        )));
    }
    let mut indexes = Vec::new();
    tree_proof_index(0, t, n, &mut indexes);
    if indexes.is_empty() {
        return Ok(Vec::new());
    }
    let hashes = read_exact(r, &indexes)?;
    let (p, rest) = tree_proof(0, t, n, &hashes);
    assert!(rest.is_empty(), "tlog: bad math in prove_tree");
    Ok(p)
}

fn run_tree_proof(
    p: &[Hash],
    lo: i64,
    hi: i64,
    n: i64,
    old: Hash,
) -> Result<(Hash, Hash), TlogError> {
    if n == hi {
        if lo == 0 {
            return if p.is_empty() {
                Ok((old, old))
            } else {
                Err(TlogError::ProofFailed)
            };
        }
        return match p {
            [h] => Ok((*h, *h)),
            _ => Err(TlogError::ProofFailed),
        };
    }
    let Some((&last, rest)) = p.split_last() else {
        return Err(TlogError::ProofFailed);
    };
    let (k, _) = maxpow2(hi - lo);
    if n <= lo + k {
        let (oh, th) = run_tree_proof(rest, lo, lo + k, n, old)?;
        Ok((oh, node_hash(th, last)))
    } else {
        let (oh, th) = run_tree_proof(rest, lo + k, hi, n, old)?;
        Ok((node_hash(last, oh), node_hash(last, th)))
    }
}

/// Checks that `p` proves the tree of size `t` and hash `th` extends the
/// tree of size `n` and hash `h`.
pub fn check_tree(p: &[Hash], t: i64, th: Hash, n: i64, h: Hash) -> Result<(), TlogError> {
    check_size(t)?;
    if t < 1 || n < 1 || n > t {
        return Err(TlogError::BadInput(format!(
            "cannot check tree {n} is a prefix of tree {t}"
        )));
    }
    let (h2, th2) = run_tree_proof(p, 0, t, n, h)?;
    if th2 == th && h2 == h {
        Ok(())
    } else {
        Err(TlogError::ProofFailed)
    }
}
