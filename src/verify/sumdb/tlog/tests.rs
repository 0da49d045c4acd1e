//! The log's algorithms against Go's test vectors, and tampered tiles.

use super::tile::{tile_for_index, tile_parent};
use super::tree::{split_stored_hash_index, stored_hash_count};
use super::*;

/// A tree built in memory that serves its own tiles (optionally with
/// hash `zero` cleared, like Go's `zeroIndexReader`).
struct TestTree {
    h: u32,
    hashes: Vec<Hash>,
    zero: Option<i64>,
}

impl TileReader for TestTree {
    fn height(&self) -> u32 {
        self.h
    }
    fn read_tiles(&self, tiles: &[Tile]) -> Result<Vec<Vec<u8>>, TlogError> {
        tiles
            .iter()
            .map(|t| {
                let mut data = read_tile_data(t, &self.hashes)?;
                if let Some(z) = self.zero {
                    let (zt, start, end) = tile_for_index(self.h, z);
                    if zt.l == t.l && zt.n == t.n && end <= data.len() {
                        data[start..end].fill(0);
                    }
                }
                Ok(data)
            })
            .collect()
    }
}

fn leaf(i: i64) -> Vec<u8> {
    format!("leaf {i}").into_bytes()
}

// From Go's tlog/tlog_test.go TestTree (height 2, 100 leaves), every
// property it checks.
#[test]
fn tree_proofs_and_tiles() {
    let mut storage: Vec<Hash> = Vec::new();
    let mut trees = Vec::new();
    let mut leaves = Vec::new();
    for i in 0..100i64 {
        let data = leaf(i);
        let new = stored_hashes(i, &data, &storage).unwrap();
        leaves.push(record_hash(&data));
        let old_len = storage.len();
        storage.extend(new);
        assert_eq!(stored_hash_count(i + 1), storage.len() as i64);
        let th = tree_hash(i + 1, &storage).unwrap();
        trees.push(th);

        for j in old_len..storage.len() {
            let (tile, _, _) = tile_for_index(2, j as i64);
            let full = tile_parent(tile, 0, i + 1).unwrap();
            let data = read_tile_data(&full, &storage).unwrap();
            assert_eq!(hash_from_tile(&full, &data, j as i64).unwrap(), storage[j]);
        }

        for j in 0..=i {
            let mut p = prove_record(i + 1, j, &storage).unwrap();
            check_record(&p, i + 1, th, j, leaves[j as usize]).unwrap();
            for k in 0..p.len() {
                p[k].0[0] ^= 1;
                assert!(check_record(&p, i + 1, th, j, leaves[j as usize]).is_err());
                p[k].0[0] ^= 1;
            }
        }

        let tt = TestTree {
            h: 2,
            hashes: storage.clone(),
            zero: None,
        };
        let thr = TileHashReader {
            tree: Tree { n: i + 1, hash: th },
            reader: &tt,
        };
        for j in 0..=i {
            let got = thr.read_hashes(&[stored_hash_index(0, j)]).unwrap();
            assert_eq!(got[0], leaves[j as usize]);
            let p = prove_record(i + 1, j, &thr).unwrap();
            check_record(&p, i + 1, th, j, leaves[j as usize]).unwrap();
        }
        assert!(thr.read_hashes(&[(i + 1) * 2]).is_err());

        for j in 0..=i {
            assert_eq!(tree_hash(j + 1, &thr).unwrap(), trees[j as usize]);
            let mut p = prove_tree(i + 1, j + 1, &thr).unwrap();
            check_tree(&p, i + 1, th, j + 1, trees[j as usize]).unwrap();
            for k in 0..p.len() {
                p[k].0[0] ^= 1;
                assert!(check_tree(&p, i + 1, th, j + 1, trees[j as usize]).is_err());
                p[k].0[0] ^= 1;
            }
        }
    }
}

// Go's tile_test.go TestTileHashReader, tampering included.
#[test]
fn tile_hash_reader_detects_tampering() {
    let mut hashes: Vec<Hash> = Vec::new();
    for n in 0..48i64 {
        let new = stored_hashes(n, &leaf(n), &hashes).unwrap();
        hashes.extend(new);
        let size = n + 1;
        let tree = Tree {
            n: size,
            hash: tree_hash(size, &hashes).unwrap(),
        };
        let all: Vec<i64> = (0..stored_hash_index(0, size)).collect();
        let good = TestTree {
            h: 2,
            hashes: hashes.clone(),
            zero: None,
        };
        let thr = TileHashReader {
            tree,
            reader: &good,
        };
        for &i in &all {
            assert_eq!(thr.read_hashes(&[i]).unwrap(), vec![hashes[i as usize]]);
        }
        assert_eq!(thr.read_hashes(&all).unwrap(), hashes[..all.len()].to_vec());
        for &i in &all {
            let bad = TestTree {
                h: 2,
                hashes: hashes.clone(),
                zero: Some(i),
            };
            let thz = TileHashReader { tree, reader: &bad };
            assert!(thz.read_hashes(&[i]).is_err(), "N={size} tampered={i}");
            assert!(thz.read_hashes(&all).is_err(), "N={size} tampered={i}");
        }
    }
}

#[test]
fn split_stored_hash_index_inverts() {
    for l in 0..10 {
        for n in 0..100 {
            let x = stored_hash_index(l, n);
            assert_eq!(split_stored_hash_index(x), (l, n));
        }
    }
}

// Go's tlog_test.go tilePaths.
#[test]
fn tile_paths() {
    let cases: &[(&str, Option<Tile>)] = &[
        (
            "tile/4/0/001",
            Some(Tile {
                h: 4,
                l: 0,
                n: 1,
                w: 16,
            }),
        ),
        (
            "tile/4/0/001.p/5",
            Some(Tile {
                h: 4,
                l: 0,
                n: 1,
                w: 5,
            }),
        ),
        (
            "tile/3/5/x123/x456/078",
            Some(Tile {
                h: 3,
                l: 5,
                n: 123456078,
                w: 8,
            }),
        ),
        (
            "tile/3/5/x123/x456/078.p/2",
            Some(Tile {
                h: 3,
                l: 5,
                n: 123456078,
                w: 2,
            }),
        ),
        (
            "tile/1/0/x003/x057/500",
            Some(Tile {
                h: 1,
                l: 0,
                n: 3057500,
                w: 2,
            }),
        ),
        ("tile/3/5/123/456/078", None),
        ("tile/3/-1/123/456/078", None),
        (
            "tile/1/data/x003/x057/500",
            Some(Tile {
                h: 1,
                l: -1,
                n: 3057500,
                w: 2,
            }),
        ),
    ];
    for (path, tile) in cases {
        if let Some(t) = tile {
            assert_eq!(&t.path(), path);
        }
        assert_eq!(&Tile::parse_path(path), tile, "{path}");
    }
    assert_eq!(
        Tile {
            h: 8,
            l: 0,
            n: 1234067,
            w: 256
        }
        .path(),
        "tile/8/0/x001/x234/067"
    );
    assert_eq!(
        Tile {
            h: 8,
            l: -1,
            n: 2,
            w: 7
        }
        .path(),
        "tile/8/data/002.p/7"
    );
    for bad in [
        "",
        "tile",
        "tile/0/0/000",
        "tile/8/0/000.p/256",
        "tile/8/0/000.p/0",
        "tile/8/0/1000",
        "tile/8/0/x000",
    ] {
        assert_eq!(Tile::parse_path(bad), None, "{bad}");
    }
}

// Go's tlog/note_test.go TestFormatTree / TestParseTree.
#[test]
fn tree_head_text() {
    let h = record_hash(b"hello world");
    let golden =
        "go.sum database tree\n123456789012\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n";
    let tree = Tree {
        n: 123456789012,
        hash: h,
    };
    assert_eq!(format_tree(tree), golden);
    assert_eq!(parse_tree(golden), Some(tree));
    for bad in [
        format!("not-{golden}"),
        "go.sum database tree\n0xabcdef\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n".into(),
        "go.sum database tree\n123456789012\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBTOOBIG=\n"
            .into(),
        "go.sum database tree\n-1\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n".into(),
        "go.sum database tree\n123456789012\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=".into(),
    ] {
        assert_eq!(parse_tree(&bad), None, "{bad:?}");
    }
    for good in [
        format!("{golden}JOE"),
        format!("{golden}JOE\n"),
        format!("{golden}{}", "JOE\n".repeat(1000)),
    ] {
        assert_eq!(parse_tree(&good), Some(tree));
    }
}

// Go's tlog/note_test.go TestFormatRecord / TestParseRecord.
#[test]
fn records() {
    assert_eq!(
        format_record(123456789012, "hello, world\n").unwrap(),
        "123456789012\nhello, world\n\n"
    );
    for bad in ["", "hello\nworld", "hello\n\nworld\n", "hello\x01world\n"] {
        assert_eq!(format_record(1, bad), None, "{bad:?}");
    }
    let (id, text, rest) =
        parse_record(b"123456789012\nhello, world\n\njunk on end\x01\xff").unwrap();
    assert_eq!(
        (id, text, rest),
        (123456789012, "hello, world\n", &b"junk on end\x01\xff"[..])
    );
    let (_, _, rest) = parse_record(b"123456789012\nhello, world\n\n").unwrap();
    assert!(rest.is_empty());
    for bad in [
        &b"not-123456789012\nhello, world\n\n"[..],
        b"123\nhello\x01world\n\n",
        b"123\nhello\xffworld\n\n",
        b"123\nhello world\n",
        b"0x123\nhello world\n\n",
    ] {
        assert_eq!(parse_record(bad), None, "{bad:?}");
    }
}

#[test]
fn all_tiles_lists_partial_edges() {
    let paths: Vec<String> = all_tiles(8, 300).iter().map(Tile::path).collect();
    assert_eq!(
        paths,
        ["tile/8/0/000", "tile/8/0/001.p/44", "tile/8/1/000.p/1"]
    );
    let paths: Vec<String> = all_tiles(8, 512).iter().map(Tile::path).collect();
    assert_eq!(paths, ["tile/8/0/000", "tile/8/0/001", "tile/8/1/000.p/2"]);
}

/// Serves no tile: what is refused before any tile is read.
struct NoTiles;

impl TileReader for NoTiles {
    fn height(&self) -> u32 {
        8
    }
    fn read_tiles(&self, _: &[Tile]) -> Result<Vec<Vec<u8>>, TlogError> {
        Err(TlogError::Read("no tiles".into()))
    }
}

// Found by the sumdb_tile fuzz target (minimised): a tree of
// 6004233988351197185 records, above 2^62, made the tile reader loop
// forever in `maxpow2` (release builds; an overflow in debug builds).
// Such a size is refused where a signed tree head is parsed, and by
// every function that takes a tree size.
#[test]
fn absurd_tree_sizes_are_refused_not_computed() {
    let hash = "TszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=";
    let head = |n: i64| format!("go.sum database tree\n{n}\n{hash}\n");
    for n in [MAX_TREE_SIZE + 1, 6004233988351197185, i64::MAX] {
        assert_eq!(parse_tree(&head(n)), None, "{n}");
    }
    assert_eq!(parse_tree(&head(MAX_TREE_SIZE)).unwrap().n, MAX_TREE_SIZE);

    fn bad<T>(r: Result<T, TlogError>) -> bool {
        matches!(r, Err(TlogError::BadInput(_)))
    }
    for n in [MAX_TREE_SIZE + 1, 6004233988351197185, i64::MAX, -1] {
        let tree = Tree {
            n,
            hash: Hash::default(),
        };
        let thr = TileHashReader {
            tree,
            reader: &NoTiles,
        };
        assert!(bad(thr.read_hashes(&[0])), "{n}");
        assert!(bad(tree_hash(n, &thr)), "{n}");
        assert!(bad(prove_record(n, 1, &thr)), "{n}");
        assert!(bad(prove_tree(n, 1, &thr)), "{n}");
        assert!(bad(check_record(&[], n, tree.hash, 1, tree.hash)), "{n}");
        assert!(bad(check_tree(&[], n, tree.hash, 1, tree.hash)), "{n}");
    }
}

// Found by the sumdb_tile fuzz target: refusing a tile of height 255
// shifted by 255 to name it; an index out of any tree overflowed.
#[test]
fn hash_from_tile_refuses_impossible_tiles_and_indexes() {
    let tile = Tile {
        h: 255,
        l: 0,
        n: 0,
        w: 0,
    };
    assert_eq!(tile.path(), "tile/255/0/000.p/0");
    assert!(matches!(
        hash_from_tile(&tile, &[], 0),
        Err(TlogError::BadTile(_))
    ));
    let tile = Tile {
        h: 8,
        l: 0,
        n: 0,
        w: 1,
    };
    for index in [-1, MAX_HASH_INDEX, i64::MAX] {
        assert!(
            matches!(
                hash_from_tile(&tile, &[0; HASH_SIZE], index),
                Err(TlogError::BadInput(_))
            ),
            "{index}"
        );
    }
    assert_eq!(
        hash_from_tile(&tile, &[7; HASH_SIZE], 0).unwrap(),
        Hash([7; HASH_SIZE])
    );
}
