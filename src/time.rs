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
    let err = || TimeError::DateTime {
        found: s.to_string(),
    };
    // `T` separator and an explicit offset or Z are required by dateTimeStamp.
    if !starts_with_date(s)
        || !s.contains('T')
        || !(s.ends_with('Z') || s.ends_with('z') || has_offset(s))
    {
        return Err(err());
    }
    s.parse::<Timestamp>()
        .ok()
        .filter(|t| *t >= MIN)
        .ok_or_else(err)
}

/// The earliest instant read: 0000-01-01T00:00:00Z. Earlier ones have a negative year in UTC
/// or in China time, which the formatters here print in a form that does not parse again.
const MIN: Timestamp = Timestamp::constant(-62_167_219_200, 0);

fn has_offset(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() > 6 && (b[b.len() - 6] == b'+' || b[b.len() - 6] == b'-') && b[b.len() - 3] == b':'
}

/// `YYYY-MM-DD` at the start: a four-digit year, as RFC 3339 has and as [`format_cst`] prints.
/// (jiff also reads extended years such as `-009999` or `+002024` and compact `20240501`.)
fn starts_with_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 10
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
        && b[8..10].iter().all(u8::is_ascii_digit)
}

/// Reads a command-line date: `YYYY-MM-DD` (start of that day, China time) or a full date-time.
pub fn parse_date_or_datetime(s: &str) -> Result<Timestamp, TimeError> {
    if s.contains('T') {
        return parse_datetime(s);
    }
    if s.len() != 10 || !starts_with_date(s) {
        return Err(TimeError::Date {
            found: s.to_string(),
        });
    }
    let date: jiff::civil::Date = s.parse().map_err(|_| TimeError::Date {
        found: s.to_string(),
    })?;
    date.to_datetime(jiff::civil::Time::midnight())
        .to_zoned(jiff::tz::TimeZone::fixed(CST))
        .map(|z| z.timestamp())
        .ok()
        .filter(|t| *t >= MIN)
        .ok_or_else(|| TimeError::Date {
            found: s.to_string(),
        })
}

/// The end of a day given as `YYYY-MM-DD` (23:59:59 China time), or a full date-time as given.
pub fn parse_end_of_day(s: &str) -> Result<Timestamp, TimeError> {
    if s.contains('T') {
        return parse_datetime(s);
    }
    let start = parse_date_or_datetime(s)?;
    // `+` panics past `Timestamp::MAX`, which the end of 9999-12-31 in China time is.
    start
        .checked_add(jiff::SignedDuration::from_secs(86_399))
        .map_err(|_| TimeError::Date {
            found: s.to_string(),
        })
}

/// Formats an instant for a credential, in China time: `2024-05-01T00:00:00+08:00`.
pub fn format_cst(t: Timestamp) -> String {
    t.to_zoned(jiff::tz::TimeZone::fixed(CST))
        .strftime("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

/// Formats an instant in China time keeping its microseconds when it has any:
/// `2024-05-01T00:00:00+08:00`, `2024-05-01T00:00:00.000123+08:00`. For instants compared
/// with integration times (a key's compromise), where truncating to the second would move
/// the instant earlier and void what was logged before it.
pub fn format_cst_micros(t: Timestamp) -> String {
    let t = from_micros(micros(t));
    t.to_zoned(jiff::tz::TimeZone::fixed(CST))
        .strftime("%Y-%m-%dT%H:%M:%S%.f%:z")
        .to_string()
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
    t.to_zoned(jiff::tz::TimeZone::fixed(CST))
        .strftime("%Y-%m-%d")
        .to_string()
}

/// Unix microseconds of an instant.
pub fn micros(t: Timestamp) -> i64 {
    t.as_microsecond()
}

/// The instant at Unix microseconds `us` (clamped into jiff's range).
pub fn from_micros(us: i64) -> Timestamp {
    Timestamp::from_microsecond(us).unwrap_or(if us < 0 {
        Timestamp::MIN
    } else {
        Timestamp::MAX
    })
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
        assert_eq!(
            micros(parse_datetime(&format_cst_micros(t)).unwrap()),
            micros(t)
        );
    }

    /// Found by fuzzing (fuzz target `time`): jiff also reads ISO 8601 extended years
    /// (`-009999-01-02`, `+002024-…`) and compact dates (`20240501`), which the formatters
    /// then print in forms that do not parse again. Only `YYYY-MM-DD…` is a date here.
    #[test]
    fn only_four_digit_years_are_read() {
        for s in [
            "-009999-01-02T01:59:59Z",
            "+002024-05-01T00:00:00Z",
            "-000001-01-01T00:00:00+08:00",
        ] {
            assert!(parse_datetime(s).is_err(), "{s}");
            assert!(parse_date_or_datetime(s).is_err(), "{s}");
        }
        for s in ["-009999-01-02", "+002024-05-01", "20240501", "2024-5-01"] {
            assert!(parse_date_or_datetime(s).is_err(), "{s}");
            assert!(parse_end_of_day(s).is_err(), "{s}");
        }
        let t = parse_datetime("0000-01-01T00:00:00Z").unwrap();
        assert_eq!(parse_datetime(&format_cst(t)).unwrap(), t);
        // Found by fuzzing too: 0000-01-01 in China time is year -1 in UTC, which the UTC
        // formatters print as "-001-12-31T16:00:00Z". Times start at 0000-01-01T00:00:00Z.
        assert!(parse_date_or_datetime("0000-01-01").is_err());
        assert!(parse_datetime("0000-01-01T07:59:59+08:00").is_err());
        assert!(parse_date_or_datetime("0000-01-02").is_ok());
        assert_eq!(parse_datetime(&format_utc_seconds(t)).unwrap(), t);
    }

    /// Found by fuzzing (fuzz target `time`): the end of the last day jiff can represent in
    /// China time lies past `Timestamp::MAX`; adding 23:59:59 panicked.
    #[test]
    fn end_of_the_last_day_is_an_error_not_a_panic() {
        assert!(parse_end_of_day("9999-12-31").is_err());
        let t = parse_end_of_day("9999-12-30").unwrap();
        assert_eq!(format_cst(t), "9999-12-30T23:59:59+08:00");
    }
}
