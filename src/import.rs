//! Batch import: a commission's published list (CSV) becomes award statements.
//!
//! Each row is parsed on its own; a bad row is reported with its line number and skipped, and
//! nothing from it is stored. Award ids are derived from the row's content and the issuing
//! authority (a name-based UUID), so re-running the same file finds the awards already logged
//! and skips them: import is idempotent, and an interrupted import resumes where it stopped.
//! This module only parses and derives; signing and submitting are the caller's.

use serde::Serialize;
use sha2::{Digest, Sha256};

/// Columns every import file must have.
pub const REQUIRED: &[&str] = &[
    "uscc",
    "holder",
    "title",
    "scheme",
    "valid_from",
    "valid_until",
];

/// One parsed row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// 1-based line number in the file (the header is line 1).
    pub line: u64,
    pub uscc: crate::id::Uscc,
    pub holder: String,
    pub title: String,
    /// A scheme id or title, as written.
    pub scheme: String,
    pub valid_from: jiff::Timestamp,
    pub valid_until: Option<jiff::Timestamp>,
    pub year: Option<u32>,
    pub sub_unit: Option<String>,
    pub reason: Option<String>,
}

/// A row that could not be imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    pub line: u64,
    pub message: String,
}

/// The file itself is unusable.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("the CSV header lacks the column(s) {missing:?}; the header must name at least {REQUIRED:?} (optional: year, sub_unit, reason)")]
    MissingColumns { missing: Vec<String> },
    #[error("the CSV header could not be read: {0}")]
    Header(String),
}

/// Parses a CSV file: the rows that parse, and an error per row that does not.
pub fn parse(reader: impl std::io::Read) -> Result<(Vec<Row>, Vec<RowError>), ImportError> {
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(false)
        .trim(csv::Trim::All)
        .from_reader(reader);
    let headers = rdr
        .headers()
        .map_err(|e| ImportError::Header(e.to_string()))?
        .clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim_start_matches('\u{feff}').eq_ignore_ascii_case(name))
    };
    let missing: Vec<String> = REQUIRED
        .iter()
        .filter(|c| col(c).is_none())
        .map(|c| c.to_string())
        .collect();
    if !missing.is_empty() {
        return Err(ImportError::MissingColumns { missing });
    }
    let idx = |name: &str| col(name);
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let line = rec
            .as_ref()
            .ok()
            .and_then(|r| r.position())
            .map(|p| p.line())
            .unwrap_or(i as u64 + 2);
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                errors.push(RowError {
                    line,
                    message: format!("unreadable row: {e}"),
                });
                continue;
            }
        };
        let get = |name: &str| {
            idx(name)
                .and_then(|i| rec.get(i))
                .map(str::trim)
                .filter(|s| !s.is_empty())
        };
        match parse_row(line, &get) {
            Ok(r) => rows.push(r),
            Err(message) => errors.push(RowError { line, message }),
        }
    }
    Ok((rows, errors))
}

fn parse_row<'a>(line: u64, get: &dyn Fn(&str) -> Option<&'a str>) -> Result<Row, String> {
    let need = |name: &str| get(name).ok_or_else(|| format!("column {name} is empty"));
    let uscc = need("uscc")?
        .parse::<crate::id::Uscc>()
        .map_err(|e| e.to_string())?;
    let valid_from = crate::time::parse_date_or_datetime(need("valid_from")?)
        .map_err(|e| format!("valid_from: {e}"))?;
    let valid_until = get("valid_until")
        .map(crate::time::parse_end_of_day)
        .transpose()
        .map_err(|e| format!("valid_until: {e}"))?;
    if valid_until.is_some_and(|u| u < valid_from) {
        return Err("valid_until is before valid_from".into());
    }
    let year = get("year")
        .map(|y| {
            y.parse::<u32>()
                .map_err(|_| format!("year '{y}' is not a year"))
        })
        .transpose()?;
    Ok(Row {
        line,
        uscc,
        holder: need("holder")?.to_string(),
        title: need("title")?.to_string(),
        scheme: need("scheme")?.to_string(),
        valid_from,
        valid_until,
        year,
        sub_unit: get("sub_unit").map(str::to_string),
        reason: get("reason").map(str::to_string),
    })
}

/// The award id of a row imported by `authority`: a name-based UUID (version 8) over the
/// authority and the row's content, so that the same row always gets the same id.
pub fn award_id(authority: &str, row: &Row, scheme_id: &str) -> String {
    let mut h = Sha256::new();
    for part in [
        "honors-import/v1",
        authority,
        row.uscc.as_str(),
        &row.title,
        scheme_id,
        &crate::time::format_utc_micros(row.valid_from),
        &row.valid_until
            .map(crate::time::format_utc_micros)
            .unwrap_or_default(),
        row.sub_unit.as_deref().unwrap_or(""),
    ] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part.as_bytes());
    }
    let digest = h.finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    format!(
        "urn:uuid:{}",
        uuid::Builder::from_custom_bytes(bytes).into_uuid()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const CSV: &str = "uscc,holder,title,scheme,valid_from,valid_until,year\n\
        12430700446432465B,常德市第二人民医院,三级甲等医院,三级甲等医院,2024-05-01,2028-04-30,2024\n\
        91350100M000100Y4Z,某医院,三级甲等医院,三级甲等医院,2024-05-01,2028-04-30,\n\
        12430700446432465B,常德市第二人民医院,三级甲等医院,三级甲等医院,2024-13-01,,\n\
        12430700446432465B,常德市第二人民医院,,三级甲等医院,2024-05-01,,\n\
        12430700446432465B,常德市第二人民医院,文明单位,文明单位,2024-05-01,2023-01-01,\n";

    #[test]
    fn good_rows_parse_and_bad_rows_name_their_line() {
        let (rows, errors) = parse(CSV.as_bytes()).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].line, 2);
        assert_eq!(rows[0].year, Some(2024));
        let lines: Vec<u64> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![3, 4, 5, 6]);
        assert!(errors[0].message.contains("'3'"), "{}", errors[0].message);
        assert!(errors[1].message.contains("valid_from"));
        assert!(errors[2].message.contains("title"));
        assert!(errors[3].message.contains("before"));
    }

    #[test]
    fn missing_columns_are_named() {
        let err = parse("uscc,holder,title\n".as_bytes())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("scheme") && err.contains("valid_from"),
            "{err}"
        );
    }

    #[test]
    fn ids_are_stable_and_distinct() {
        let (rows, _) = parse(CSV.as_bytes()).unwrap();
        let a = award_id("urn:uuid:a", &rows[0], "urn:uuid:s");
        assert_eq!(a, award_id("urn:uuid:a", &rows[0], "urn:uuid:s"));
        assert_ne!(a, award_id("urn:uuid:b", &rows[0], "urn:uuid:s"));
        assert!(crate::statement::check_urn_uuid(&a).is_ok());
    }
}
