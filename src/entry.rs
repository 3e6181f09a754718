//! Log entries: the exact signed statement wrapped with its index and integration time.
//!
//! An entry is the leaf of the Merkle tree (hashed as RFC 6962 leaf data) and the unit of a
//! tlog-tiles entry bundle, so it is at most 65,535 bytes. Its form is text, so that any
//! auditor can read it with standard tools:
//!
//! ```text
//! honors-entry/v1
//! index 42
//! time 2026-11-23T09:15:23.123456Z
//!
//! {"@context":[…],…,"proof":{…}}
//! ```
//!
//! The header is exact (decimal index without leading zeros, UTC time with six fractional
//! digits), so one entry has exactly one encoding and the leaf hash is unambiguous.

use jiff::Timestamp;

use crate::time::{format_utc_micros, parse_datetime};

const MAGIC: &str = "honors-entry/v1\n";
/// The largest entry a tlog-tiles entry bundle can carry.
pub const MAX_ENTRY_BYTES: usize = 65_535;

/// An entry could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EntryError {
    #[error("entry does not start with '{}'", MAGIC.trim_end())]
    Magic,
    #[error("entry header line {line} is malformed: expected {expected}")]
    Header { line: usize, expected: &'static str },
    #[error("entry is {size} bytes; the largest a tile bundle carries is {MAX_ENTRY_BYTES}")]
    TooLarge { size: usize },
}

/// A log entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub index: u64,
    pub time: Timestamp,
    pub statement: Vec<u8>,
}

impl Entry {
    /// The entry's exact bytes (the Merkle leaf data).
    pub fn encode(&self) -> Result<Vec<u8>, EntryError> {
        let header = format!(
            "{MAGIC}index {}\ntime {}\n\n",
            self.index,
            format_utc_micros(self.time)
        );
        let mut out = Vec::with_capacity(header.len() + self.statement.len());
        out.extend_from_slice(header.as_bytes());
        out.extend_from_slice(&self.statement);
        if out.len() > MAX_ENTRY_BYTES {
            return Err(EntryError::TooLarge { size: out.len() });
        }
        Ok(out)
    }

    /// Parses entry bytes; the header must be in its one canonical form.
    pub fn parse(bytes: &[u8]) -> Result<Entry, EntryError> {
        if bytes.len() > MAX_ENTRY_BYTES {
            return Err(EntryError::TooLarge { size: bytes.len() });
        }
        let rest = bytes
            .strip_prefix(MAGIC.as_bytes())
            .ok_or(EntryError::Magic)?;
        let (index_line, rest) = split_line(rest).ok_or(EntryError::Header {
            line: 2,
            expected: "'index N'",
        })?;
        let index_text = index_line
            .strip_prefix("index ")
            .ok_or(EntryError::Header {
                line: 2,
                expected: "'index N'",
            })?;
        let index: u64 = index_text.parse().map_err(|_| EntryError::Header {
            line: 2,
            expected: "'index N' with a decimal N",
        })?;
        if index.to_string() != index_text {
            return Err(EntryError::Header {
                line: 2,
                expected: "'index N' without leading zeros",
            });
        }
        let (time_line, rest) = split_line(rest).ok_or(EntryError::Header {
            line: 3,
            expected: "'time T'",
        })?;
        let time_text = time_line.strip_prefix("time ").ok_or(EntryError::Header {
            line: 3,
            expected: "'time T'",
        })?;
        let time = parse_datetime(time_text).map_err(|_| EntryError::Header {
            line: 3,
            expected: "'time YYYY-MM-DDTHH:MM:SS.ffffffZ'",
        })?;
        if format_utc_micros(time) != time_text {
            return Err(EntryError::Header {
                line: 3,
                expected: "'time' in UTC with exactly six fractional digits",
            });
        }
        let statement = rest.strip_prefix(b"\n").ok_or(EntryError::Header {
            line: 4,
            expected: "an empty line before the statement",
        })?;
        Ok(Entry {
            index,
            time,
            statement: statement.to_vec(),
        })
    }
}

fn split_line(b: &[u8]) -> Option<(&str, &[u8])> {
    let pos = b.iter().position(|&c| c == b'\n')?;
    Some((std::str::from_utf8(&b[..pos]).ok()?, &b[pos + 1..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_canonical_header() {
        let e = Entry {
            index: 42,
            time: parse_datetime("2026-11-23T09:15:23.123456Z").unwrap(),
            statement: b"{\"a\":1}".to_vec(),
        };
        let bytes = e.encode().unwrap();
        assert_eq!(
            String::from_utf8(bytes.clone()).unwrap(),
            "honors-entry/v1\nindex 42\ntime 2026-11-23T09:15:23.123456Z\n\n{\"a\":1}"
        );
        assert_eq!(Entry::parse(&bytes).unwrap(), e);
        let variants = [
            "honors-entry/v1\nindex 042\ntime 2026-11-23T09:15:23.123456Z\n\n{}",
            "honors-entry/v1\nindex 42\ntime 2026-11-23T09:15:23.1234Z\n\n{}",
            "honors-entry/v1\nindex 42\ntime 2026-11-23T17:15:23.123456+08:00\n\n{}",
            "honors-entry/v2\nindex 42\ntime 2026-11-23T09:15:23.123456Z\n\n{}",
            "honors-entry/v1\nindex 42\ntime 2026-11-23T09:15:23.123456Z\n{}",
            "honors-entry/v1\nindex -1\ntime 2026-11-23T09:15:23.123456Z\n\n{}",
        ];
        for v in variants {
            assert!(
                Entry::parse(v.as_bytes()).is_err(),
                "accepted non-canonical entry {v:?}"
            );
        }
        let big = Entry {
            statement: vec![b' '; MAX_ENTRY_BYTES],
            ..e
        };
        assert!(matches!(big.encode(), Err(EntryError::TooLarge { .. })));
    }
}
