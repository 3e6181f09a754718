//! Log entries at rest: zstd with a fixed trained dictionary.
//!
//! Entries are most of a registry's bytes (about 2.4 KB of JSON each, 70 % of the live data
//! at 100,000 awards), and most of each entry is structure every entry shares: the JSON keys,
//! the `@context` and status-list URLs, `did:key:z6Mk…`, the proof's fixed members. A zstd
//! frame made with the trained dictionary [`DICTIONARY`] holds the same entry in about a
//! fifth to a tenth of the space (measured in docs/PERFORMANCE.md), compresses in ~5 µs and
//! decompresses in ~1.5 µs.
//!
//! Only the stored value is compressed. Everything above the store (leaf hashes, tiles,
//! bundles, backups) sees the exact entry bytes, so nothing hashed or signed depends on
//! zstd. A value is recognised by its first bytes: a zstd frame starts with the magic number
//! `28 B5 2F FD`, an uncompressed entry with `honors-entry/` (values written before
//! compression, or by tests that write raw entries, still read). The frame names the
//! dictionary's id (`0x695F9D88`), so a future dictionary can sit beside this one.
//!
//! The dictionary is fixed forever for existing stores. It was trained with
//! `zstd --train --maxdict=16384` on 2,000 entries of a `demo --scale 100000` registry and
//! every entry of the seed demo (weighted ×4), so that the real titles count.

use std::cell::RefCell;
use std::sync::OnceLock;

use zstd::bulk::{Compressor, Decompressor};
use zstd::dict::{DecoderDictionary, EncoderDictionary};

/// The trained dictionary (16 KiB, dictionary id 0x695F9D88).
pub const DICTIONARY: &[u8] = include_bytes!("entries-v1.zdict");

/// The zstd frame magic number.
const MAGIC: [u8; 4] = [0x28, 0xB5, 0x2F, 0xFD];

/// Compression level: 3 is zstd's default; higher levels cost more than they save here.
const LEVEL: i32 = 3;

fn encoder() -> &'static EncoderDictionary<'static> {
    static D: OnceLock<EncoderDictionary<'static>> = OnceLock::new();
    D.get_or_init(|| EncoderDictionary::copy(DICTIONARY, LEVEL))
}

fn decoder() -> &'static DecoderDictionary<'static> {
    static D: OnceLock<DecoderDictionary<'static>> = OnceLock::new();
    D.get_or_init(|| DecoderDictionary::copy(DICTIONARY))
}

thread_local! {
    static COMPRESSOR: RefCell<Option<Compressor<'static>>> = const { RefCell::new(None) };
    static DECOMPRESSOR: RefCell<Option<Decompressor<'static>>> = const { RefCell::new(None) };
}

/// The stored value of an entry: its zstd frame, or the entry itself should compression fail
/// or not pay (both read back the same).
pub fn pack(entry: &[u8]) -> Vec<u8> {
    let packed = COMPRESSOR.with(|c| {
        let mut c = c.borrow_mut();
        if c.is_none() {
            *c = Compressor::with_prepared_dictionary(encoder()).ok();
        }
        c.as_mut().and_then(|c| c.compress(entry).ok())
    });
    match packed {
        Some(p) if p.len() < entry.len() => p,
        _ => entry.to_vec(),
    }
}

/// The entry bytes of a stored value. `limit`: the largest entry there may be.
pub fn unpack(value: &[u8], limit: usize) -> Result<Vec<u8>, String> {
    if !value.starts_with(&MAGIC) {
        return Ok(value.to_vec());
    }
    DECOMPRESSOR.with(|d| {
        let mut d = d.borrow_mut();
        if d.is_none() {
            *d = Some(
                Decompressor::with_prepared_dictionary(decoder())
                    .map_err(|e| format!("zstd decoder: {e}"))?,
            );
        }
        let d = d.as_mut().expect("set above");
        d.decompress(value, limit)
            .map_err(|e| format!("stored entry does not decompress: {e}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<u8> {
        let mut e = b"honors-entry/v1\nindex 7\ntime 2026-11-23T12:51:53.595938Z\n\n".to_vec();
        e.extend_from_slice(
            br#"{"@context":["https://www.w3.org/ns/credentials/v2"],"credentialSubject":{"name":"\xe4\xb8\x89\xe7\xba\xa7\xe7\x94\xb2\xe7\xad\x89"},"proof":{"cryptosuite":"eddsa-jcs-2022","type":"DataIntegrityProof"}}"#,
        );
        e
    }

    #[test]
    fn round_trips_and_shrinks() {
        let e = sample();
        let p = pack(&e);
        assert!(p.starts_with(&MAGIC));
        assert!(p.len() * 2 < e.len(), "{} -> {}", e.len(), p.len());
        assert_eq!(unpack(&p, 65_535).unwrap(), e);
    }

    #[test]
    fn names_the_dictionary() {
        assert_eq!(&DICTIONARY[..4], &[0x37, 0xA4, 0x30, 0xEC]);
        assert_eq!(
            u32::from_le_bytes(DICTIONARY[4..8].try_into().unwrap()),
            0x695F9D88
        );
    }

    #[test]
    fn raw_entries_still_read() {
        let e = sample();
        assert_eq!(unpack(&e, 65_535).unwrap(), e);
    }

    #[test]
    fn damaged_frames_and_oversized_entries_are_errors() {
        let e = sample();
        let mut p = pack(&e);
        let last = p.len() - 1;
        p[last] ^= 0xFF;
        p.truncate(p.len() - 3);
        assert!(unpack(&p, 65_535).is_err());
        assert!(
            unpack(&pack(&e), 10).is_err(),
            "a limit below the entry size must refuse"
        );
    }
}
