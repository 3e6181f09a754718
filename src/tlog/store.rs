//! An in-memory [`HashReader`]: all stored hashes of a tree in a `Vec`.
//!
//! What it is: the simplest storage for the `merkle.rs` stored-hash layout, for tests, tools
//! and verifiers that rebuild a tree from its leaves (e.g. from downloaded entry bundles).
//!
//! Invariant: `stored_hashes()[i]` is the stored hash with index `i`, and
//! `stored_hashes().len() == stored_hash_count(size())`.
//!
//! What it does NOT do: persist anything, or scale past memory (32 bytes × ~2 per leaf).

use super::merkle::{append_leaves, leaf_hash, tree_hash, HashReader, TlogError};
use super::Hash;

/// An in-memory store of stored hashes (index `i` at position `i`), for tests and verifiers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemoryHashStore {
    hashes: Vec<Hash>,
    size: u64,
}

impl MemoryHashStore {
    /// An empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of leaves.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// All stored hashes, in stored-index order.
    pub fn stored_hashes(&self) -> &[Hash] {
        &self.hashes
    }

    /// Appends leaves given by their leaf hashes (one batch).
    pub fn append(&mut self, leaf_hashes: &[Hash]) -> Result<(), TlogError> {
        let new = append_leaves(self.size, leaf_hashes, self)?;
        self.hashes.extend(new);
        self.size += leaf_hashes.len() as u64;
        Ok(())
    }

    /// Appends leaves given by their data (hashed with [`leaf_hash`]).
    pub fn append_data<T: AsRef<[u8]>>(&mut self, leaves: &[T]) -> Result<(), TlogError> {
        let hashes: Vec<Hash> = leaves.iter().map(|l| leaf_hash(l.as_ref())).collect();
        self.append(&hashes)
    }

    /// The root of the current tree.
    pub fn root(&self) -> Result<Hash, TlogError> {
        tree_hash(self.size, self)
    }
}

impl HashReader for MemoryHashStore {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, TlogError> {
        indexes
            .iter()
            .map(|&i| {
                usize::try_from(i)
                    .ok()
                    .and_then(|k| self.hashes.get(k))
                    .copied()
                    .ok_or(TlogError::StoredHashMissing {
                        index: i,
                        stored: self.hashes.len() as u64,
                    })
            })
            .collect()
    }
}
