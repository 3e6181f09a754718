//! Property tests: every proof we produce verifies, any one-byte change breaks it, and batch
//! appends equal one-at-a-time appends.
mod tlog_support;

use honors::tlog::*;
use proptest::prelude::*;
use tlog_support::leaf_data;

fn store_of(size: u64) -> MemoryHashStore {
    let mut s = MemoryHashStore::new();
    s.append_data(&(0..size).map(leaf_data).collect::<Vec<_>>())
        .unwrap();
    s
}

fn flips(h: &Hash) -> impl Iterator<Item = Hash> + '_ {
    (0..32).map(move |i| {
        let mut x = *h;
        x[i] ^= 1 << (i % 8);
        x
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn every_proof_verifies_and_any_change_fails(size in 1u64..2000, pick in any::<u64>()) {
        let store = store_of(size);
        let root = tree_hash(size, &store).unwrap();
        let leaves: Vec<Hash> = (0..size).map(|i| leaf_hash(&leaf_data(i))).collect();
        for index in 0..size {
            let proof = prove_inclusion(size, index, &store).unwrap();
            prop_assert!(verify_inclusion(index, size, &leaves[index as usize], &proof, &root).is_ok());
        }
        let roots: Vec<Hash> = (0..=size).map(|n| tree_hash(n, &store).unwrap()).collect();
        for old in 0..=size {
            let proof = prove_consistency(old, size, &store).unwrap();
            prop_assert!(verify_consistency(old, size, &proof, &roots[old as usize], &root).is_ok());
        }

        // Inclusion: change any byte of the proof, the root or the leaf.
        let index = pick % size;
        let leaf = leaves[index as usize];
        let proof = prove_inclusion(size, index, &store).unwrap();
        for k in 0..proof.len() {
            for h in flips(&proof[k]) {
                let mut p = proof.clone();
                p[k] = h;
                prop_assert!(verify_inclusion(index, size, &leaf, &p, &root).is_err());
            }
        }
        for r in flips(&root) {
            prop_assert!(verify_inclusion(index, size, &leaf, &proof, &r).is_err());
        }
        for l in flips(&leaf) {
            prop_assert!(verify_inclusion(index, size, &l, &proof, &root).is_err());
        }
        if !proof.is_empty() {
            prop_assert!(verify_inclusion(index, size, &leaf, &proof[1..], &root).is_err());
            let mut longer = proof.clone();
            longer.push(root);
            prop_assert!(verify_inclusion(index, size, &leaf, &longer, &root).is_err());
        }

        // Consistency: change any byte of the proof or of either root.
        let old = pick % (size + 1);
        let old_root = roots[old as usize];
        let proof = prove_consistency(old, size, &store).unwrap();
        for k in 0..proof.len() {
            for h in flips(&proof[k]) {
                let mut p = proof.clone();
                p[k] = h;
                prop_assert!(verify_consistency(old, size, &p, &old_root, &root).is_err());
            }
        }
        for r in flips(&old_root) {
            prop_assert!(verify_consistency(old, size, &proof, &r, &root).is_err());
        }
        if old > 0 {
            // From size 0 any new root is consistent (the empty tree is a prefix of every tree).
            for r in flips(&root) {
                prop_assert!(verify_consistency(old, size, &proof, &old_root, &r).is_err());
            }
        }
    }

    #[test]
    fn batched_appends_equal_single_appends(batches in prop::collection::vec(0usize..300, 1..10)) {
        let total: usize = batches.iter().sum();
        let leaves: Vec<Hash> = (0..total as u64).map(|i| leaf_hash(&leaf_data(i))).collect();
        let mut one = MemoryHashStore::new();
        for l in &leaves {
            one.append(std::slice::from_ref(l)).unwrap();
        }
        let mut batched = MemoryHashStore::new();
        let mut at = 0;
        for b in &batches {
            let new = append_leaves(at as u64, &leaves[at..at + b], &batched).unwrap();
            prop_assert_eq!(new.len() as u64, stored_hash_count((at + b) as u64) - stored_hash_count(at as u64));
            batched.append(&leaves[at..at + b]).unwrap();
            at += b;
            prop_assert_eq!(tree_hash(at as u64, &batched).unwrap(), tree_hash(at as u64, &one).unwrap());
        }
        prop_assert_eq!(batched.stored_hashes(), one.stored_hashes());
        prop_assert_eq!(stored_hash_count(total as u64), one.stored_hashes().len() as u64);
    }

    #[test]
    fn stored_hash_index_roundtrip(level in 0u32..40, n in 0u64..(1 << 20)) {
        prop_assert_eq!(split_stored_hash_index(stored_hash_index(level, n)), (level, n));
    }

    #[test]
    fn parsers_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let _ = parse_note(&bytes);
        let s = String::from_utf8_lossy(&bytes);
        let _ = Checkpoint::parse(&s);
        let _ = Tile::parse_path(&s);
        let _ = NoteVerifier::from_vkey(&s);
        let _ = CosignatureVerifier::from_vkey(&s);
        let _ = decode_entry_bundle(&bytes);
    }
}
