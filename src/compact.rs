//! The compact code: a signed award as one line of text that fits a QR code.
//!
//! `HONORS1:` followed by base45 (RFC 9285) of the raw DEFLATE (RFC 1951) of the award
//! credential's exact bytes, compressed with the preset dictionary [`DICTIONARY`] (the JSON
//! skeleton every award credential shares, and common words of Chinese honors): on the demo's
//! awards this halves the code (about 900 to 490 bytes before base45), and so lowers the QR
//! version from about 25 to about 18. Any zlib can decode it: raw inflate (window bits -15) with
//! the dictionary set, e.g. Python's `zlib.decompressobj(-15, zdict=DICTIONARY)`. Every character is in the QR alphanumeric set (`0-9 A-Z space
//! $ % * + - . / :`), so a QR encoder packs it at 5.5 bits a character. The credential carries
//! its own `did:key`, so the code alone lets anyone check the *signature*; whether that key was
//! accredited for the scheme, that the award was logged, and its status need the bundle or the
//! registry (see `docs/SECURITY.md`).
//!
//! Pure: no files, no clock. Decoding refuses output above [`crate::statement::MAX_STATEMENT_BYTES`],
//! so a small code cannot inflate into a large allocation.

/// The prefix of version 1 codes.
pub const PREFIX: &str = "HONORS1:";

const ALPHABET: &[u8; 45] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

/// A compact code could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CompactError {
    #[error("a compact code starts with {PREFIX}")]
    Prefix,
    #[error("base45: character {found:?} at position {position} is not in the base45 alphabet")]
    Char { position: usize, found: char },
    #[error("base45: {0}")]
    Base45(&'static str),
    #[error("the compressed credential does not inflate: {reason}")]
    Inflate { reason: String },
}

/// The preset DEFLATE dictionary of `HONORS1` codes. Fixed forever for this version: changing a
/// byte makes every printed code unreadable. Deflate codes near matches cheaper, so the strings
/// every credential has come last.
pub const DICTIONARY: &[u8] = concat!(
    "\"credentialStatus\":{\"id\":\"\",\"statusListCredential\":\"\",\"statusListIndex\":\"\",\"statusPurpose\":\"revocation\",\"type\":\"BitstringStatusListEntry\"},",
    "\"previous\":\"urn:uuid:\",\"relation\":\"renews\",\"corrects\",\"downgrades\",\"subUnit\":\"\",",
    "中共委员会人民政府卫生健康委员会医院妇幼保健院先进集体先进单位文明单位三级甲等示范重点专科荣誉称号年度山东省河南省四川省",
    "{\"@context\":[\"https://www.w3.org/ns/credentials/v2\",\"https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json\"],",
    "\"credentialSubject\":{\"achievement\":{\"achievementType\":\"Award\",\"criteria\":{\"narrative\":\"\"},\"description\":\"\",",
    "\"id\":\"urn:uuid:\",\"inLanguage\":\"zh-CN\",\"name\":\"\",\"type\":[\"Achievement\"]},\"identifier\":[{\"hashed\":false,",
    "\"identityHash\":\"\",\"identityType\":\"ext:USCC\",\"type\":\"IdentityObject\"}],\"type\":[\"AchievementSubject\"]},",
    "\"description\":\"获得「」。\",\"honors\":{\"batchYear\":20,\"holderName\":\"\",\"reason\":\"\"},\"id\":\"urn:uuid:\",",
    "\"issuer\":{\"id\":\"did:key:z6Mk\",\"name\":\"\",\"type\":[\"Profile\"]},\"name\":\"\",",
    "\"proof\":{\"@context\":[\"https://www.w3.org/ns/credentials/v2\",\"https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json\"],",
    "\"created\":\"20\",\"cryptosuite\":\"eddsa-jcs-2022\",\"proofPurpose\":\"assertionMethod\",\"proofValue\":\"z\",",
    "\"type\":\"DataIntegrityProof\",\"verificationMethod\":\"did:key:z6Mk#z6Mk\"},",
    "\"type\":[\"VerifiableCredential\",\"OpenBadgeCredential\"],\"validFrom\":\"20-01-01T00:00:00+08:00\",\"validUntil\":\"20-12-31T23:59:59+08:00\"}",
)
.as_bytes();

/// The compact code of credential `bytes`.
pub fn encode(credential: &[u8]) -> String {
    format!("{PREFIX}{}", base45_encode(&deflate(credential)))
}

fn deflate(data: &[u8]) -> Vec<u8> {
    use flate2::{Compress, Compression, FlushCompress, Status};
    let mut c = Compress::new(Compression::best(), false);
    // Setting a dictionary on a fresh raw stream cannot fail.
    let _ = c.set_dictionary(DICTIONARY);
    let mut out = Vec::with_capacity(data.len() + 64);
    loop {
        let consumed = c.total_in() as usize;
        match c.compress_vec(&data[consumed..], &mut out, FlushCompress::Finish) {
            Ok(Status::StreamEnd) => return out,
            Ok(_) => out.reserve(out.capacity().max(64)),
            Err(_) => unreachable!("deflate of an in-memory buffer does not fail"),
        }
    }
}

fn inflate(data: &[u8]) -> Result<Vec<u8>, CompactError> {
    use flate2::{Decompress, FlushDecompress, Status};
    let limit = crate::statement::MAX_STATEMENT_BYTES;
    let err = |reason: String| CompactError::Inflate { reason };
    let mut d = Decompress::new(false);
    d.set_dictionary(DICTIONARY)
        .map_err(|e| err(e.to_string()))?;
    let mut out = Vec::with_capacity(limit + 1);
    match d.decompress_vec(data, &mut out, FlushDecompress::Finish) {
        Ok(_) if out.len() > limit => Err(err(format!("it inflates to more than {limit} bytes"))),
        Ok(Status::StreamEnd) if d.total_in() as usize == data.len() => Ok(out),
        Ok(Status::StreamEnd) => Err(err(format!(
            "{} bytes follow the end of the stream",
            data.len() - d.total_in() as usize
        ))),
        Ok(_) => Err(err("the stream is truncated".into())),
        Err(e) => Err(err(e.to_string())),
    }
}

/// The credential bytes inside a compact code (surrounding whitespace is ignored; the prefix
/// may be in either case, as some QR readers lower-case it).
pub fn decode(code: &str) -> Result<Vec<u8>, CompactError> {
    let code = code.trim_matches(|c: char| c == '\n' || c == '\r' || c == '\t' || c == '\u{feff}');
    let body = match code.get(..PREFIX.len()) {
        Some(p) if p.eq_ignore_ascii_case(PREFIX) => &code[PREFIX.len()..],
        _ => return Err(CompactError::Prefix),
    };
    inflate(&base45_decode(body)?)
}

/// Whether `text` looks like a compact code (its prefix, in either case).
pub fn is_compact(text: &[u8]) -> bool {
    let t = text.trim_ascii_start();
    t.len() >= PREFIX.len() && t[..PREFIX.len()].eq_ignore_ascii_case(PREFIX.as_bytes())
}

/// RFC 9285 base45: each pair of bytes becomes three characters, a last odd byte two.
pub fn base45_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(2) * 3);
    for chunk in bytes.chunks(2) {
        let (mut n, digits) = match chunk {
            [a, b] => (u32::from(*a) * 256 + u32::from(*b), 3),
            [a] => (u32::from(*a), 2),
            _ => unreachable!("chunks(2) yields one or two bytes"),
        };
        for _ in 0..digits {
            out.push(ALPHABET[(n % 45) as usize] as char);
            n /= 45;
        }
    }
    out
}

/// RFC 9285 base45 decoding; refuses characters outside the alphabet, a dangling single
/// character and groups whose value does not fit (e.g. `GGW` = 65535 + 1).
pub fn base45_decode(text: &str) -> Result<Vec<u8>, CompactError> {
    let values: Vec<u32> = text
        .chars()
        .enumerate()
        .map(|(position, c)| {
            ALPHABET
                .iter()
                .position(|&a| a as char == c)
                .map(|v| v as u32)
                .ok_or(CompactError::Char { position, found: c })
        })
        .collect::<Result<_, _>>()?;
    let mut out = Vec::with_capacity(values.len() / 3 * 2 + 1);
    for group in values.chunks(3) {
        match group {
            [c, d, e] => {
                let n = c + d * 45 + e * 45 * 45;
                if n > 0xffff {
                    return Err(CompactError::Base45(
                        "a group of three characters encodes more than 16 bits",
                    ));
                }
                out.extend_from_slice(&(n as u16).to_be_bytes());
            }
            [c, d] => {
                let n = c + d * 45;
                if n > 0xff {
                    return Err(CompactError::Base45(
                        "a final pair of characters encodes more than 8 bits",
                    ));
                }
                out.push(n as u8);
            }
            _ => {
                return Err(CompactError::Base45(
                    "the length leaves a single character over",
                ))
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc9285_examples() {
        // RFC 9285 §4.3 and §4.4.
        assert_eq!(base45_encode(b"AB"), "BB8");
        assert_eq!(base45_encode(b"Hello!!"), "%69 VD92EX0");
        assert_eq!(base45_encode(b"base-45"), "UJCLQE7W581");
        assert_eq!(base45_encode(b"ietf!"), "QED8WEX0");
        assert_eq!(base45_decode("QED8WEX0").unwrap(), b"ietf!");
        assert_eq!(base45_decode("%69 VD92EX0").unwrap(), b"Hello!!");
        assert_eq!(base45_decode("").unwrap(), b"");
        assert_eq!(base45_encode(&[0xff, 0xff]), "FGW");
        assert!(base45_decode("GGW").is_err());
        assert!(base45_decode("A").is_err());
        assert!(base45_decode("ab").is_err());
        assert!(base45_decode(":;").is_err());
    }

    #[test]
    fn round_trip() {
        let cred = "{\"name\":\"全国三八红旗集体\",\"x\":[1,2,3]}".as_bytes();
        let code = encode(cred);
        assert!(code.starts_with(PREFIX));
        assert!(code.bytes().all(|b| ALPHABET.contains(&b)));
        assert_eq!(decode(&code).unwrap(), cred);
        assert_eq!(
            decode(&format!("{}\n", code.replacen("HONORS1", "honors1", 1))).unwrap(),
            cred
        );
        assert!(is_compact(code.as_bytes()));
        assert!(matches!(decode("HONORS2:AB"), Err(CompactError::Prefix)));
        assert!(
            decode("HONORS1:BB8").is_err(),
            "'AB' is not a DEFLATE stream"
        );
    }

    #[test]
    fn inflation_is_bounded() {
        let big = vec![b'a'; crate::statement::MAX_STATEMENT_BYTES + 1];
        let code = encode(&big);
        assert!(code.len() < 400, "a zip bomb is short");
        assert!(matches!(decode(&code), Err(CompactError::Inflate { .. })));
    }
}
