//! Transparency log core: RFC 6962/9162 Merkle trees, C2SP signed notes, checkpoints,
//! cosignatures and tiles.
//!
//! What it is: the pure, storage-agnostic building blocks of a tamper-evident append-only log.
//!
//! Specs followed:
//! - RFC 6962 §2.1 / RFC 9162 §2.1 (tree hashing, inclusion and consistency proofs);
//! - c2sp.org/signed-note v1.0.0, c2sp.org/tlog-checkpoint v1.0.0,
//!   c2sp.org/tlog-cosignature v1.0.1 (type 0x04 only), c2sp.org/tlog-tiles v0.1.0.
//!
//! Storage design and algorithms are ported from Go's `golang.org/x/mod/sumdb/tlog`
//! (Copyright 2019 The Go Authors, BSD-3-Clause): every leaf hash and every completed subtree
//! hash ("stored hash") gets a `u64` index, so appending, tree hashes and proofs cost
//! O(log n) reads through a [`HashReader`]. The proof verifiers follow transparency-dev/merkle
//! `proof/verify.go` (Apache-2.0), which is RFC 9162 §2.1.3.2 / §2.1.4.2 with an explicit
//! proof-length check.
//!
//! Invariant: nothing in this module does I/O, reads a clock, uses randomness or panics on
//! input. Storage is abstracted by [`HashReader`] (read side) and by the caller persisting the
//! hashes that [`append_leaves`] returns (write side); tiles are fetched through a closure.
//!
//! What it does NOT do: persist anything, choose a tree size to trust, keep witness state,
//! enforce a witness quorum policy, or speak HTTP. Those belong to the callers.

mod checkpoint;
mod cosignature;
mod keys;
pub use keys::ed25519_vkey;
mod merkle;
mod note;
mod prove;
mod store;
mod tile_reader;
mod tiles;
mod verify;

/// A SHA-256 hash: a leaf hash, an interior node hash or a tree root.
pub type Hash = [u8; 32];

pub use checkpoint::{open_checkpoint, open_checkpoint_with_origin, Checkpoint, CheckpointError};
pub use cosignature::{cosigned_message, CosignatureSigner, CosignatureVerifier};
pub use merkle::{
    append_leaves, leaf_hash, node_hash, split_stored_hash_index, stored_hash_count,
    stored_hash_index, tree_hash, HashReader, TlogError, EMPTY_ROOT, MAX_TREE_SIZE,
};
pub use note::{
    open_note, parse_note, Note, NoteError, NoteSignature, NoteSigner, NoteVerifier,
    MAX_NOTE_SIGNATURES,
};
pub use prove::{prove_consistency, prove_inclusion, prove_inclusions};
pub use store::MemoryHashStore;
pub use tile_reader::TileHashReader;
pub use tiles::{
    decode_entry_bundle, encode_entry_bundle, new_tiles, read_tile, tiles_for_size, Tile,
    TileError, TilePath, MAX_ENTRY_SIZE, TILE_HEIGHT, TILE_WIDTH,
};
pub use verify::{verify_consistency, verify_inclusion, ProofError};
