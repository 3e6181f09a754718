//! tlog-tiles vectors (`tiles/paths.json`, `tiles/tile-contents.json`), entry bundles, and the
//! authenticated `TileHashReader`.
mod tlog_support;

use std::cell::Cell;
use std::collections::HashMap;

use honors::tlog::*;
use sha2::{Digest, Sha256};
use tlog_support::*;

#[test]
fn paths_for_listed_indexes() {
    let v = json("tiles/paths.json");
    for p in v["path_encoding"].as_array().unwrap() {
        let t = Tile {
            level: 0,
            index: u64_of(p, "n"),
            width: 256,
        };
        assert_eq!(t.path(), format!("tile/0/{}", str_of(p, "expected")));
    }
    for p in v["paths"].as_array().unwrap() {
        let t = Tile::new(
            p["level"].as_u64().unwrap_or(0) as u8,
            u64_of(p, "n"),
            u64_of(p, "width") as u16,
        )
        .unwrap();
        let expected = str_of(p, "expected");
        if p.get("entries").is_some() {
            assert_eq!(t.entries_path(), expected);
            assert_eq!(Tile::parse_path(expected).unwrap(), TilePath::Entries(t));
        } else {
            assert_eq!(t.path(), expected);
            assert_eq!(Tile::parse_path(expected).unwrap(), TilePath::Hashes(t));
        }
    }
    for bad in [
        "tile/0/1",
        "tile/0/0001",
        "tile/0/x000/001",
        "tile/0/001/002",
        "tile/01/000",
        "tile/64/000",
        "tile/0/000.p/256",
        "tile/0/000.p/0",
        "tile/0/000.p/08",
        "tile/data/000",
        "tiles/0/000",
        "tile/0/000/",
        "tile/0/x001",
        "tile/0/x018/x446/x744/x073/x709/x551/616",
        "tile/entries/000.p/",
    ] {
        let err = Tile::parse_path(bad).unwrap_err();
        assert!(err.to_string().contains(bad), "{err}");
    }
}

#[test]
fn tiles_for_listed_sizes() {
    let v = json("tiles/paths.json");
    for case in v["tiles_for_tree_size"].as_array().unwrap() {
        let size = u64_of(case, "tree_size");
        let tiles = tiles_for_size(size);
        let levels = case["levels"].as_array().unwrap();
        assert_eq!(
            tiles.iter().map(|t| t.level).max().unwrap() as usize + 1,
            levels.len(),
            "size {size}"
        );
        for (l, lv) in levels.iter().enumerate() {
            let at: Vec<&Tile> = tiles.iter().filter(|t| t.level as usize == l).collect();
            let full: Vec<&&Tile> = at.iter().filter(|t| t.is_full()).collect();
            let partial: Vec<&&Tile> = at.iter().filter(|t| !t.is_full()).collect();
            assert_eq!(
                full.len() as u64,
                u64_of(lv, "full_tiles"),
                "size {size} level {l}"
            );
            assert!(full.iter().enumerate().all(|(i, t)| t.index == i as u64));
            assert_eq!(
                full.last().map(|t| t.path()).as_deref(),
                lv["last_full_path"].as_str()
            );
            assert_eq!(
                partial.first().map(|t| t.width as u64).unwrap_or(0),
                u64_of(lv, "partial_width")
            );
            assert_eq!(
                partial.first().map(|t| t.path()).as_deref(),
                lv["partial_path"].as_str()
            );
            if l == 0 {
                assert_eq!(
                    full.last().map(|t| t.entries_path()).as_deref(),
                    lv["entries_last_full_path"].as_str()
                );
                assert_eq!(
                    partial.first().map(|t| t.entries_path()).as_deref(),
                    lv["entries_partial_path"].as_str()
                );
            }
        }
        // Level 0 upward, and growing from size-1 gives only what changed.
        assert!(tiles.windows(2).all(|w| w[0].level <= w[1].level));
        let grown = new_tiles(size - 1, size);
        assert!(grown.iter().all(|t| tiles.contains(t)), "size {size}");
    }
    assert!(tiles_for_size(0).is_empty());
}

fn honors_leaves(n: u64) -> Vec<Vec<u8>> {
    (0..n)
        .map(|i| format!("honors leaf {i}").into_bytes())
        .collect()
}

#[test]
fn tile_contents_8_and_257() {
    let v = json("tiles/tile-contents.json");
    let trees = v["trees"].as_array().unwrap();
    let leaves8: Vec<Vec<u8>> = json("merkle/rfc6962-8-leaves.json")["leaves_hex"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| unhex(l.as_str().unwrap()))
        .collect();
    for (tree, leaves) in [(&trees[0], leaves8), (&trees[1], honors_leaves(257))] {
        let mut store = MemoryHashStore::new();
        store.append_data(&leaves).unwrap();
        assert_eq!(store.root().unwrap(), hash32(str_of(tree, "root_hex")));
        let mut seen = 0;
        for r in tree["resources"].as_array().unwrap() {
            let path = str_of(r, "path");
            let bytes = match Tile::parse_path(path).unwrap() {
                TilePath::Hashes(t) => read_tile(&t, &store).unwrap(),
                TilePath::Entries(t) => {
                    let start = (t.index * 256) as usize;
                    let entries: Vec<&[u8]> = leaves[start..start + t.width as usize]
                        .iter()
                        .map(|l| l.as_slice())
                        .collect();
                    let b = encode_entry_bundle(&entries).unwrap();
                    assert_eq!(
                        decode_entry_bundle(&b).unwrap(),
                        leaves[start..start + t.width as usize].to_vec()
                    );
                    b
                }
            };
            if let Some(h) = r.get("hex") {
                assert_eq!(hex(&bytes), h.as_str().unwrap(), "{path}");
            } else {
                assert_eq!(bytes.len() as u64, u64_of(r, "bytes"), "{path}");
                assert_eq!(
                    hex(&Sha256::digest(&bytes)),
                    str_of(r, "sha256_hex"),
                    "{path}"
                );
            }
            seen += 1;
        }
        assert!(seen >= 2);
    }
}

#[test]
fn entry_bundle_errors() {
    let big = vec![0u8; 65536];
    let err = encode_entry_bundle(&[b"ok", &big]).unwrap_err();
    assert_eq!(
        err,
        TileError::EntryTooLarge {
            index: 1,
            size: 65536
        }
    );
    assert!(err.to_string().contains("65536"));
    assert_eq!(encode_entry_bundle(&[&big[..65535]]).unwrap().len(), 65537);
    assert_eq!(decode_entry_bundle(&[]).unwrap(), Vec::<Vec<u8>>::new());
    assert_eq!(
        decode_entry_bundle(&[0, 1, 7, 0]),
        Err(TileError::TruncatedLength {
            offset: 3,
            available: 1
        })
    );
    assert_eq!(
        decode_entry_bundle(&[0, 1, 7, 0, 5, 1]),
        Err(TileError::TruncatedEntry {
            offset: 3,
            len: 5,
            available: 1
        })
    );
    assert!(decode_entry_bundle(&[0xff, 0xff])
        .unwrap_err()
        .to_string()
        .contains("offset 0"));
}

/// Serves the tiles of `store` (at its current size) by path, counting fetches.
fn server(store: &MemoryHashStore) -> HashMap<String, Vec<u8>> {
    tiles_for_size(store.size())
        .iter()
        .map(|t| (t.path(), read_tile(t, store).unwrap()))
        .collect()
}

#[test]
fn tile_hash_reader_authenticates() {
    for size in [
        1u64,
        2,
        7,
        8,
        255,
        256,
        257,
        259,
        511,
        513,
        1000,
        65536 + 300,
    ] {
        let mut store = MemoryHashStore::new();
        let leaves: Vec<Hash> = (0..size).map(|i| leaf_hash(&leaf_data(i))).collect();
        store.append(&leaves).unwrap();
        let root = store.root().unwrap();
        let tiles = server(&store);
        let fetches = Cell::new(0);
        let reader = TileHashReader::new(size, root, |p: &str| {
            fetches.set(fetches.get() + 1);
            tiles.get(p).cloned().ok_or_else(|| format!("404 {p}"))
        });
        assert_eq!(tree_hash(size, &reader).unwrap(), root);
        for index in [0, size / 3, size / 2, size - 1] {
            let proof = prove_inclusion(size, index, &reader).unwrap();
            assert_eq!(proof, prove_inclusion(size, index, &store).unwrap());
            verify_inclusion(index, size, &leaves[index as usize], &proof, &root).unwrap();
        }
        for old in [1, size / 2, size - 1] {
            let old = old.max(1);
            assert_eq!(
                prove_consistency(old, size, &reader).unwrap(),
                prove_consistency(old, size, &store).unwrap()
            );
        }
        assert!(fetches.get() > 0);
        assert!(matches!(
            reader.read_hashes(&[stored_hash_count(size)]),
            Err(TlogError::IndexNotInTree { .. })
        ));
        // A wrong root: nothing is trusted.
        let bad = TileHashReader::new(size, [7; 32], |p: &str| {
            tiles.get(p).cloned().ok_or_else(|| p.to_string())
        });
        assert!(matches!(
            bad.read_hashes(&[0]),
            Err(TlogError::TileInconsistent { .. })
        ));
    }
}

#[test]
fn tile_hash_reader_rejects_every_forged_tile() {
    // Size 259: the root hashes of tile/0/001.p/3 cover two subtree hashes, the case in which
    // Go's reader starts its parent check one tile too late. Forge each tile in turn.
    for size in [259u64, 513, 70000] {
        let mut store = MemoryHashStore::new();
        store
            .append_data(&(0..size).map(leaf_data).collect::<Vec<_>>())
            .unwrap();
        let root = store.root().unwrap();
        let tiles = server(&store);
        // Every tile of the small trees; for 70000, every upper tile and the edge level-0 tiles.
        let targets: Vec<&String> = tiles
            .keys()
            .filter(|p| {
                size < 1000
                    || !p.starts_with("tile/0/")
                    || ["tile/0/000", "tile/0/001", "tile/0/272", "tile/0/273.p/112"]
                        .contains(&p.as_str())
            })
            .collect();
        for forged in targets {
            let mut served = tiles.clone();
            served.get_mut(forged).unwrap()[0] ^= 1;
            let reader = TileHashReader::new(size, root, |p: &str| {
                served.get(p).cloned().ok_or_else(|| p.to_string())
            });
            for index in [0, 5, 255, 256, 258, size - 1] {
                match prove_inclusion(size, index, &reader) {
                    Err(TlogError::TileInconsistent { .. }) => {}
                    Ok(proof) => {
                        // Only acceptable if the forged byte was not used at all.
                        verify_inclusion(index, size, &leaf_hash(&leaf_data(index)), &proof, &root)
                            .unwrap_or_else(|e| {
                                panic!("forged {forged} accepted for index {index}: {e}")
                            });
                    }
                    Err(e) => panic!("unexpected error {e}"),
                }
            }
        }
        // Wrong length and fetch failure name the path.
        let short = TileHashReader::new(size, root, |p: &str| Ok(tiles[p][1..].to_vec()));
        assert!(matches!(
            tree_hash(size, &short),
            Err(TlogError::TileWrongLength { .. })
        ));
        let down = TileHashReader::new(size, root, |_: &str| Err("connection refused".to_string()));
        let err = tree_hash(size, &down).unwrap_err();
        assert!(
            err.to_string().contains("tile/") && err.to_string().contains("connection refused"),
            "{err}"
        );
    }
}
