//! Every sled tree the registry uses, its name (with a layout version) and its key layout.
//!
//! Keys are big-endian where they are numbers, so that ranges scan in order. Values are
//! stored through [`super::codec`] unless noted as raw.
//!
//! | tree | key | value |
//! | --- | --- | --- |
//! | `meta/v1` | ASCII name | raw: `size` u64 BE, `last_time_us` i64 BE, `origin`, `log_vkey` UTF-8 |
//! | `entries/v1` | log index u64 BE | the exact entry bytes (Merkle leaf data) as a zstd frame with the trained dictionary of [`super::compress`] (`honors-store/4`), or raw |
//! | `hashes/v2` | leaf index n u64 BE | raw: the stored hashes created by appending leaf n (its leaf hash, then each subtree it completes), 32 bytes each |
//! | `checkpoints/v1` | tree size u64 BE | raw: the signed checkpoint note |
//! | `statements/v1` | SHA-256 of statement bytes | raw: log index u64 BE (duplicate submissions; awards are found by id instead) |
//! | `authorities/v1` | authority id | `Authority` |
//! | `key_owner/v1` | did:key | raw: authority id |
//! | `schemes/v1` | scheme id | `Scheme` |
//! | `holders/v1` | USCC | `Holder` |
//! | `awards/v1` | award id | `Award` |
//! | `by_holder/v1`, `by_scheme/v1`, `by_issuer/v1` | value ‖ 0x00 ‖ award id | empty |
//! | `by_title/v1` | search key of the title ‖ 0x00 ‖ award id | empty |
//! | `by_year/v1` | batch year (decimal) ‖ 0x00 ‖ award id | empty |
//! | `by_status/v1` | issuing authority id ‖ 0x00 ‖ status-list index u32 BE | raw: award id |
//! | `by_text/v1` | search bigram ‖ 0x00 ‖ `t:`title search key or `h:`USCC | empty (written once per distinct title or holder name) |

/// Index of each tree in [`NAMES`] (and in a transaction's tree list).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(usize)]
pub enum T {
    Meta = 0,
    Entries,
    Hashes,
    Checkpoints,
    Statements,
    Authorities,
    KeyOwner,
    Schemes,
    Holders,
    Awards,
    ByHolder,
    ByScheme,
    ByIssuer,
    ByTitle,
    ByYear,
    ByText,
    ByStatus,
}

impl T {
    /// Every tree, in the order of [`NAMES`].
    pub const ALL: [T; 17] = [
        T::Meta,
        T::Entries,
        T::Hashes,
        T::Checkpoints,
        T::Statements,
        T::Authorities,
        T::KeyOwner,
        T::Schemes,
        T::Holders,
        T::Awards,
        T::ByHolder,
        T::ByScheme,
        T::ByIssuer,
        T::ByTitle,
        T::ByYear,
        T::ByText,
        T::ByStatus,
    ];
}

/// Tree names, in the order of [`T`] (a test checks that the two agree).
pub const NAMES: &[&str] = &[
    "meta/v1",
    "entries/v1",
    "hashes/v2",
    "checkpoints/v1",
    "statements/v1",
    "authorities/v1",
    "key_owner/v1",
    "schemes/v1",
    "holders/v1",
    "awards/v1",
    "by_holder/v1",
    "by_scheme/v1",
    "by_issuer/v1",
    "by_title/v1",
    "by_year/v1",
    "by_text/v1",
    "by_status/v1",
];

/// A composite index key: `prefix ‖ 0x00 ‖ id`.
pub fn pair_key(prefix: &str, id: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(prefix.len() + id.len() + 1);
    k.extend_from_slice(prefix.as_bytes());
    k.push(0);
    k.extend_from_slice(id.as_bytes());
    k
}

/// The prefix under which [`pair_key`] stores every id for `prefix`.
pub fn pair_prefix(prefix: &str) -> Vec<u8> {
    let mut k = prefix.as_bytes().to_vec();
    k.push(0);
    k
}

/// The id part of a [`pair_key`].
pub fn pair_id(key: &[u8]) -> Option<&str> {
    let pos = key.iter().position(|&b| b == 0)?;
    std::str::from_utf8(&key[pos + 1..]).ok()
}

/// The key of the stored hashes created by appending leaf `n`.
pub fn hash_group_key(n: u64) -> [u8; 8] {
    n.to_be_bytes()
}

/// A status-index key: `authority ‖ 0x00 ‖ index u32 BE`.
pub fn status_key(authority: &str, index: u32) -> Vec<u8> {
    let mut k = pair_prefix(authority);
    k.extend_from_slice(&index.to_be_bytes());
    k
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_enum() {
        let all = [
            (T::Meta, "meta/v1"),
            (T::Entries, "entries/v1"),
            (T::Hashes, "hashes/v2"),
            (T::Checkpoints, "checkpoints/v1"),
            (T::Statements, "statements/v1"),
            (T::Awards, "awards/v1"),
            (T::ByTitle, "by_title/v1"),
            (T::ByYear, "by_year/v1"),
            (T::ByText, "by_text/v1"),
            (T::ByStatus, "by_status/v1"),
        ];
        for (t, name) in all {
            assert_eq!(NAMES[t as usize], name);
        }
        assert_eq!(NAMES.len(), T::ByStatus as usize + 1);
        for (i, t) in T::ALL.iter().enumerate() {
            assert_eq!(*t as usize, i);
        }
    }
}
