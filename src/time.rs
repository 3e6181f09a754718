//! Time as the registry sees it: instants are `jiff::Timestamp`, stored as Unix microseconds.
//!
//! Pure: nothing here reads the clock. Callers pass "now" in. Credentials carry XML Schema
//! `dateTimeStamp` strings (RFC 3339 with `Z` or an offset); dates typed on the command line
//! (`2024-05-01`) are read in China Standard Time (UTC+8, no daylight saving), the time zone
//! the commissions publish in, and written with their `+08:00` offset.

use jiff::{tz::Offset, Timestamp};

/// China Standard Time: the offset used for dates given without a time.
pub const CST: Offset = Offset::constant(8);

/// A time string could not be understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimeError {
    #[error("'{found}' is not a date-time with a time zone (expected e.g. 2024-05-01T00:00:00+08:00 or 2024-05-01T00:00:00Z)")]
    DateTime { found: String },
    #[error("'{found}' is not a date (expected YYYY-MM-DD, e.g. 2024-05-01, or a full date-time with a time zone)")]
    Date { found: String },
}

/// Parses an RFC 3339 / XML `dateTimeStamp` (an offset is required).
pub fn parse_datetime(s: &str) -> Result<Timestamp, TimeError> {
    let err = || TimeError::DateTime { found: s.to_string() };
    // `T` separator and an explicit offset or Z are required by dateTimeStamp.
    if !s.contains('T') || !(s.ends_with('Z') || s.ends_with('z') || has_offset(s)) {
        return Err(err());
    }
    s.parse::<Timestamp>().map_err(|_| err())
}

fn has_offset(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() > 6 && (b[b.len() - 6] == b'+' || b[b.len() - 6] == b'-') && b[b.len() - 3] == b':'
}

/// Reads a command-line date: `YYYY-MM-DD` (start of that day, China time) or a full date-time.
pub fn parse_date_or_datetime(s: &str) -> Result<Timestamp, TimeError> {
    if s.contains('T') {
        return parse_datetime(s);
    }
    let date: jiff::civil::Date = s.parse().map_err(|_| TimeError::Date { found: s.to_string() })?;
    date.to_datetime(jiff::civil::Time::midnight())
        .to_zoned(jiff::tz::TimeZone::fixed(CST))
        .map(|z| z.timestamp())
        .map_err(|_| TimeError::Date { found: s.to_string() })
}

/// The end of a day given as `YYYY-MM-DD` (23:59:59 China time), or a full date-time as given.
pub fn parse_end_of_day(s: &str) -> Result<Timestamp, TimeError> {
    if s.contains('T') {
        return parse_datetime(s);
    }
    let start = parse_date_or_datetime(s)?;
    Ok(start + jiff::SignedDuration::from_secs(86_399))
}

/// Formats an instant for a credential, in China time: `2024-05-01T00:00:00+08:00`.
pub fn format_cst(t: Timestamp) -> String {
    t.to_zoned(jiff::tz::TimeZone::fixed(CST)).strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

/// Formats an instant in China time keeping its microseconds when it has any:
/// `2024-05-01T00:00:00+08:00`, `2024-05-01T00:00:00.000123+08:00`. For instants compared
/// with integration times (a key's compromise), where truncating to the second would move
/// the instant earlier and void what was logged before it.
pub fn format_cst_micros(t: Timestamp) -> String {
    let t = from_micros(micros(t));
    t.to_zoned(jiff::tz::TimeZone::fixed(CST)).strftime("%Y-%m-%dT%H:%M:%S%.f%:z").to_string()
}

/// Formats an instant in UTC with whole seconds: `2024-05-01T08:00:00Z` (proof `created`).
pub fn format_utc_seconds(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Formats an instant in UTC with microseconds: the integration time in log entries.
pub fn format_utc_micros(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// The calendar date of an instant in China time, `YYYY-MM-DD`.
pub fn date_cst(t: Timestamp) -> String {
    t.to_zoned(jiff::tz::TimeZone::fixed(CST)).strftime("%Y-%m-%d").to_string()
}

/// Unix microseconds of an instant.
pub fn micros(t: Timestamp) -> i64 {
    t.as_microsecond()
}

/// The instant at Unix microseconds `us` (clamped into jiff's range).
pub fn from_micros(us: i64) -> Timestamp {
    Timestamp::from_microsecond(us).unwrap_or(if us < 0 { Timestamp::MIN } else { Timestamp::MAX })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_china_time() {
        let t = parse_date_or_datetime("2024-05-01").unwrap();
        assert_eq!(format_cst(t), "2024-05-01T00:00:00+08:00");
        assert_eq!(format_utc_seconds(t), "2024-04-30T16:00:00Z");
        let end = parse_end_of_day("2028-04-30").unwrap();
        assert_eq!(format_cst(end), "2028-04-30T23:59:59+08:00");
        assert_eq!(date_cst(end), "2028-04-30");
    }

    #[test]
    fn datetime_needs_an_offset() {
        assert!(parse_datetime("2024-05-01T08:00:00Z").is_ok());
        assert!(parse_datetime("2024-05-01T08:00:00+08:00").is_ok());
        assert!(parse_datetime("2024-05-01T08:00:00").is_err());
        assert!(parse_datetime("2024-05-01").is_err());
        assert!(parse_date_or_datetime("2024-13-01").is_err());
        let t = parse_datetime("2024-05-01T08:00:00.123456Z").unwrap();
        assert_eq!(format_utc_micros(t), "2024-05-01T08:00:00.123456Z");
        assert_eq!(from_micros(micros(t)), t);
    }

    #[test]
    fn sub_second_instants_keep_their_microseconds() {
        let whole = parse_datetime("2024-05-01T08:00:00Z").unwrap();
        assert_eq!(format_cst_micros(whole), "2024-05-01T16:00:00+08:00");
        let t = parse_datetime("2024-05-01T08:00:00.000123456Z").unwrap();
        assert_eq!(format_cst_micros(t), "2024-05-01T16:00:00.000123+08:00");
        assert_eq!(micros(parse_datetime(&format_cst_micros(t)).unwrap()), micros(t));
    }
}
