//! Every sled tree the registry uses, its name (with a layout version) and its key layout.
//!
//! Keys are big-endian where they are numbers, so that ranges scan in order. Values are
//! stored through [`super::codec`] unless noted as raw. Award ids are held as the 16 bytes of
//! their UUID wherever they are a key or part of one (`honors-store/5`): an award's id appears
//! in seven keys, and as 45 bytes of text those keys made up a third of the store on disk.
//!
//! | tree | key | value |
//! | --- | --- | --- |
//! | `meta/v1` | ASCII name | raw: `size` u64 BE, `last_time_us` i64 BE, `origin`, `log_vkey` UTF-8; `status_full/<authority id>` once that authority's status list is full (a cache: an index is never given back) |
//! | `entries/v1` | log index u64 BE | the exact entry bytes (Merkle leaf data) as a zstd frame with the trained dictionary of [`super::compress`] (`honors-store/4`), or raw |
//! | `hashes/v2` | leaf index n u64 BE | raw: the stored hashes created by appending leaf n (its leaf hash, then each subtree it completes), 32 bytes each |
//! | `checkpoints/v1` | tree size u64 BE | raw: the signed checkpoint note |
//! | `statements/v1` | SHA-256 of statement bytes | raw: log index u64 BE (duplicate submissions; awards are found by id instead) |
//! | `authorities/v1` | authority id | `Authority` |
//! | `key_owner/v1` | did:key | raw: authority id |
//! | `schemes/v1` | scheme id | `Scheme` |
//! | `holders/v1` | USCC | `Holder` |
//! | `awards/v2` | award id (16 bytes, [`award_key`]) | `Award` |
//! | `by_holder/v2`, `by_scheme/v2`, `by_issuer/v2` | value ‖ 0x00 ‖ award id (16 bytes) | empty |
//! | `by_title/v2` | search key of the title ‖ 0x00 ‖ award id (16 bytes) | empty |
//! | `by_year/v2` | batch year (decimal) ‖ 0x00 ‖ award id (16 bytes) | empty |
//! | `by_status/v2` | issuing authority id ‖ 0x00 ‖ status-list index u32 BE | raw: award id (16 bytes) |
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
    "awards/v2",
    "by_holder/v2",
    "by_scheme/v2",
    "by_issuer/v2",
    "by_title/v2",
    "by_year/v2",
    "by_text/v1",
    "by_status/v2",
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

/// An award id as keys and index values hold it: the 16 bytes of its UUID. Award ids are
/// always `urn:uuid:<lowercase uuid>` (statements with any other form are refused), so
/// [`award_id`] rebuilds the text exactly; any other text is not an award id and has no key.
/// The bytes sort as the text does.
pub fn award_key(id: &str) -> Option<[u8; 16]> {
    let text = id.strip_prefix("urn:uuid:")?;
    let uuid = uuid::Uuid::try_parse(text).ok()?;
    let mut buf = uuid::Uuid::encode_buffer();
    (uuid.hyphenated().encode_lower(&mut buf) == text).then(|| *uuid.as_bytes())
}

/// The award id held as `bytes` by [`award_key`].
pub fn award_id(bytes: &[u8]) -> Option<String> {
    let bytes: [u8; 16] = bytes.try_into().ok()?;
    let mut buf = [0u8; 45];
    Some(write_award_id(&bytes, &mut buf).to_string())
}

/// The award id of a 16-byte key, written into `buf` (no allocation).
pub fn write_award_id<'b>(key: &[u8; 16], buf: &'b mut [u8; 45]) -> &'b str {
    buf[..9].copy_from_slice(b"urn:uuid:");
    uuid::Uuid::from_bytes(*key)
        .hyphenated()
        .encode_lower(&mut buf[9..]);
    // "urn:uuid:" and 36 hex digits and hyphens: ASCII throughout.
    std::str::from_utf8(&buf[..]).unwrap_or_default()
}

/// An award index key: `prefix ‖ 0x00 ‖ award id (16 bytes)`; `None` if `id` is not an
/// award id.
pub fn index_key(prefix: &str, id: &str) -> Option<Vec<u8>> {
    let mut k = pair_prefix(prefix);
    k.extend_from_slice(&award_key(id)?);
    Some(k)
}

/// The 16-byte award key of an [`index_key`] (its last 16 bytes, after the 0x00 ending the
/// prefix).
pub fn index_award_key(key: &[u8]) -> Option<[u8; 16]> {
    let (head, id) = key.split_at_checked(key.len().checked_sub(16)?)?;
    (head.last() == Some(&0)).then(|| id.try_into().ok())?
}

/// The award id of an [`index_key`].
pub fn index_id(key: &[u8]) -> Option<String> {
    award_id(&index_award_key(key)?)
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
            (T::Awards, "awards/v2"),
            (T::ByTitle, "by_title/v2"),
            (T::ByYear, "by_year/v2"),
            (T::ByText, "by_text/v1"),
            (T::ByStatus, "by_status/v2"),
        ];
        for (t, name) in all {
            assert_eq!(NAMES[t as usize], name);
        }
        assert_eq!(NAMES.len(), T::ByStatus as usize + 1);
        for (i, t) in T::ALL.iter().enumerate() {
            assert_eq!(*t as usize, i);
        }
    }

    #[test]
    fn award_ids_are_16_bytes_in_keys_and_round_trip() {
        let id = "urn:uuid:01a20920-2f75-76d9-b993-ee344b75f996";
        let key = award_key(id).expect("a canonical award id");
        assert_eq!(award_id(&key).as_deref(), Some(id));
        for other in [
            "urn:uuid:01A20920-2F75-76D9-B993-EE344B75F996",
            "urn:uuid:01a209202f7576d9b993ee344b75f996",
            "01a20920-2f75-76d9-b993-ee344b75f996",
            "urn:uuid:{01a20920-2f75-76d9-b993-ee344b75f996}",
            "",
        ] {
            assert_eq!(award_key(other), None, "{other}");
        }
        let k = index_key("三级甲等", id).unwrap();
        assert_eq!(k.len(), "三级甲等".len() + 1 + 16);
        assert_eq!(index_id(&k).as_deref(), Some(id));
        assert_eq!(index_id(&k[1..]).as_deref(), Some(id));
        assert_eq!(index_id(&k[..k.len() - 1]), None, "truncated");
        assert_eq!(index_id(&[7; 16]), None, "no prefix separator");
        // The bytes sort as the ids' text does, so listings keep their order.
        let (a, b) = (
            "urn:uuid:01a20920-2f75-76d9-b993-ee344b75f996",
            "urn:uuid:01a20920-2f75-76da-0993-ee344b75f996",
        );
        assert!(a < b && award_key(a) < award_key(b));
    }
}
