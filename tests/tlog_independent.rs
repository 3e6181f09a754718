//! Independent implementations (`signed_note` 0.2.0, `tlog_tiles` 0.2.0, `ct-merkle` 0.3.0)
//! verify what we produce, and reject it after a one-hash change.
mod tlog_support;

use std::collections::HashMap;

use ed25519_dalek::SigningKey;
use honors::tlog::*;
use tlog_support::independent::*;
use tlog_support::*;

const N: u64 = 1000;

fn tree() -> (MemoryHashStore, Vec<Vec<u8>>) {
    let leaves: Vec<Vec<u8>> = (0..N).map(leaf_data).collect();
    let mut store = MemoryHashStore::new();
    // Uneven batches, as a sequencer would commit them.
    let mut i = 0;
    for batch in [1usize, 2, 3, 250, 7, 256, 1, 480] {
        store.append_data(&leaves[i..i + batch]).unwrap();
        i += batch;
    }
    assert_eq!(store.size(), N);
    (store, leaves)
}

fn tamper(proof: &[Hash], k: usize) -> Vec<Hash> {
    let mut p = proof.to_vec();
    p[k][k % 32] ^= 0x40;
    p
}

#[test]
fn inclusion_proofs_verify_independently() {
    let (store, leaves) = tree();
    let mut checked = 0;
    for size in [1u64, 2, 3, 7, 8, 9, 255, 256, 257, 511, 512, 513, 999, 1000] {
        let root = tree_hash(size, &store).unwrap();
        for index in [0, 1, size / 3, size / 2, size.saturating_sub(2), size - 1] {
            if index >= size {
                continue;
            }
            let proof = prove_inclusion(size, index, &store).unwrap();
            let data = &leaves[index as usize];
            independent_check_inclusion(index, size, data, &proof, &root)
                .unwrap_or_else(|e| panic!("{index}/{size}: {e}"));
            for k in 0..proof.len() {
                let bad = tamper(&proof, k);
                assert!(
                    tlog_tiles_check_inclusion(index, size, &leaf_hash(data), &bad, &root).is_err()
                );
                assert!(ct_merkle_check_inclusion(index, size, data, &bad, &root).is_err());
            }
            assert!(
                independent_check_inclusion(index, size, b"other leaf", &proof, &root).is_err()
            );
            checked += 1;
        }
    }
    assert!(checked > 60);
    assert_eq!(
        tlog_tiles_leaf_hash(b"hello world"),
        leaf_hash(b"hello world")
    );
}

#[test]
fn consistency_proofs_verify_independently() {
    let (store, _) = tree();
    let sizes = [
        1u64, 2, 3, 4, 7, 8, 100, 255, 256, 257, 511, 512, 640, 999, 1000,
    ];
    for &new in &sizes {
        let new_root = tree_hash(new, &store).unwrap();
        for &old in sizes.iter().filter(|&&o| o <= new) {
            let old_root = tree_hash(old, &store).unwrap();
            let proof = prove_consistency(old, new, &store).unwrap();
            independent_check_consistency(old, new, &proof, &old_root, &new_root)
                .unwrap_or_else(|e| panic!("{old} -> {new}: {e}"));
            for k in 0..proof.len() {
                let bad = tamper(&proof, k);
                assert!(
                    tlog_tiles_check_consistency(old, new, &bad, &old_root, &new_root).is_err(),
                    "{old}->{new} k={k}"
                );
                assert!(
                    ct_merkle_check_consistency(old, new, &bad, &old_root, &new_root).is_err(),
                    "{old}->{new} k={k}"
                );
            }
        }
    }
    // The documented policy difference: they reject consistency from size 0; we accept it.
    let root = tree_hash(N, &store).unwrap();
    verify_consistency(0, N, &[], &EMPTY_ROOT, &root).unwrap();
    assert!(tlog_tiles_check_consistency(0, N, &[], &EMPTY_ROOT, &root).is_err());
    assert!(ct_merkle_check_consistency(0, N, &[], &EMPTY_ROOT, &root).is_err());
}

#[test]
fn signed_note_verifies_our_checkpoint() {
    let key = SigningKey::from_bytes(&hash32(
        "0f612a1133473ddc0fc5ba73957ce77c98fe7ec6ad713eaeb6ed85a64a23bf08",
    ));
    let signer = NoteSigner::new("honors.example/test-log", key).unwrap();
    let (store, _) = tree();
    let cp = Checkpoint {
        origin: signer.name().into(),
        size: N,
        root: store.root().unwrap(),
        extensions: vec![],
    };
    let note = signer.sign(&cp.to_text()).unwrap();
    assert_eq!(
        signed_note_open(note.as_bytes(), &[&signer.vkey()]).unwrap(),
        vec![signer.name()]
    );
    let (origin, size, root) = tlog_tiles_parse_checkpoint(cp.to_text().as_bytes()).unwrap();
    assert_eq!((origin.as_str(), size, root), (signer.name(), N, cp.root));
    signed_note_vkey_ok(&signer.vkey()).unwrap();
    // Ours opens it too, and both reject a changed size.
    open_checkpoint(
        note.as_bytes(),
        &[NoteVerifier::from_vkey(&signer.vkey()).unwrap()],
    )
    .unwrap();
    let forged = note.replacen("\n1000\n", "\n1001\n", 1);
    assert!(signed_note_open(forged.as_bytes(), &[&signer.vkey()]).is_err());
    // A cosignature line is an unknown key to signed_note (type 0x04), and does not break it.
    let witness =
        CosignatureSigner::new("witness.example/w", SigningKey::from_bytes(&[9; 32])).unwrap();
    let cosigned = format!(
        "{note}{}",
        witness
            .sign(&cp.to_text(), 1_767_225_600)
            .unwrap()
            .to_line()
    );
    assert_eq!(
        signed_note_open(cosigned.as_bytes(), &[&signer.vkey()]).unwrap(),
        vec![signer.name()]
    );
}

/// Go's `tlog.TileHashReader` (and the `tlog_tiles` 0.2.0 port) starts the parent check at
/// `len(stx)`; for size 259 that skips `tile/0/000`, so a forged leaf hash comes back as
/// trusted. Our reader closes the gap (see `tile_reader.rs`).
#[test]
fn go_tile_reader_gap_is_closed_here() {
    struct Served(HashMap<(u8, u64, u32), Vec<u8>>);
    impl tlog_tiles::TileReader for Served {
        fn height(&self) -> u8 {
            8
        }
        fn read_tiles(
            &self,
            tiles: &[tlog_tiles::Tile],
        ) -> Result<Vec<Vec<u8>>, tlog_tiles::Error> {
            Ok(tiles
                .iter()
                .map(|t| self.0[&(t.level(), t.level_index(), t.width())].clone())
                .collect())
        }
        fn save_tiles(&self, _: &[tlog_tiles::Tile], _: &[Vec<u8>]) {}
    }
    let size = 259u64;
    let mut store = MemoryHashStore::new();
    store
        .append_data(&(0..size).map(leaf_data).collect::<Vec<_>>())
        .unwrap();
    let root = store.root().unwrap();
    let mut tiles: HashMap<(u8, u64, u32), Vec<u8>> = tiles_for_size(size)
        .iter()
        .map(|t| {
            (
                (t.level, t.index, u32::from(t.width)),
                read_tile(t, &store).unwrap(),
            )
        })
        .collect();
    tiles.get_mut(&(0, 0, 256)).unwrap()[5 * 32] ^= 1; // forge leaf 5
    let idx = stored_hash_index(0, 5);
    let served = Served(tiles);
    let theirs = tlog_tiles::HashReader::read_hashes(
        &tlog_tiles::TileHashReader::new(size, tlog_tiles::Hash(root), &served),
        &[idx],
    );
    assert_ne!(
        theirs.unwrap()[0].0,
        leaf_hash(&leaf_data(5)),
        "tlog_tiles returns the forged hash"
    );
    let ours = TileHashReader::new(size, root, |p: &str| match Tile::parse_path(p) {
        Ok(TilePath::Hashes(t)) => Ok(served.0[&(t.level, t.index, u32::from(t.width))].clone()),
        _ => Err(format!("bad path {p}")),
    });
    assert!(matches!(
        ours.read_hashes(&[idx]),
        Err(TlogError::TileInconsistent { .. })
    ));
}
