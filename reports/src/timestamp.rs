//! Points in time (`scanned_at`, a certificate's validity, the NTLM clock, the scan's start
//! and finish) held as [`OffsetDateTime`] and written in one form only: RFC 3339 in UTC to the
//! whole second, `2026-11-21T23:05:28Z`.
//!
//! Reading is lenient: a time field that is empty or not RFC 3339 (a hand-made or hostile
//! `results.jsonl`) loads as absent rather than failing the file. Times are read and held to
//! the whole second, in UTC, so what is in memory is exactly what is written.

use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{OffsetDateTime, UtcOffset};

/// `at` in UTC with its fraction of a second dropped.
pub fn whole_second_utc(at: OffsetDateTime) -> OffsetDateTime {
    let utc = at.to_offset(UtcOffset::UTC);
    utc.replace_nanosecond(0).unwrap_or(utc)
}

/// `at` as the reports write it: `2026-11-21T23:05:28Z`.
pub fn rfc3339(at: OffsetDateTime) -> String {
    let mut text = String::with_capacity(20);
    write_rfc3339(&mut text, at);
    text
}

/// [`rfc3339`] at the end of `out`.
pub fn write_rfc3339(out: &mut String, at: OffsetDateTime) {
    with_text(at, |text| out.push_str(text));
}

/// Calls `use_text` with `at` in RFC 3339, without building a `String` for the usual years.
fn with_text<R>(at: OffsetDateTime, use_text: impl FnOnce(&str) -> R) -> R {
    let utc = whole_second_utc(at);
    match digits(utc) {
        Some(text) => use_text(std::str::from_utf8(&text).expect("ASCII digits and separators")),
        None => use_text(&laid_out(utc)),
    }
}

/// `utc` in RFC 3339, with its digits put in place by hand, for the years every certificate
/// and record holds (0 to 9999; `None` for the others): formatting `time`'s layout costs some
/// 1,500 instructions and an allocation, and a ranked host's rows and report files write five
/// or more times. [`laid_out`] is the reference, checked in the tests.
fn digits(utc: OffsetDateTime) -> Option<[u8; 20]> {
    let year = utc.year();
    if !(0..=9999).contains(&year) {
        return None;
    }
    let mut text = *b"0000-00-00T00:00:00Z";
    for (at, len, value) in [
        (0, 4, year as u32),
        (5, 2, u32::from(u8::from(utc.month()))),
        (8, 2, u32::from(utc.day())),
        (11, 2, u32::from(utc.hour())),
        (14, 2, u32::from(utc.minute())),
        (17, 2, u32::from(utc.second())),
    ] {
        let mut value = value;
        for digit in text[at..at + len].iter_mut().rev() {
            *digit = b'0' + (value % 10) as u8;
            value /= 10;
        }
    }
    Some(text)
}

/// Hands `at` (in RFC 3339) to a serializer.
fn serialize_time<S: serde::Serializer>(at: OffsetDateTime, s: S) -> Result<S::Ok, S::Error> {
    with_text(at, |text| s.serialize_str(text))
}

/// `utc` in the RFC 3339 layout by `time`'s formatting: the layout spelt out rather than
/// `Rfc3339`, which refuses years outside 0..=9999, so that any time the `time` crate holds has
/// a text and writing a record never fails.
fn laid_out(utc: OffsetDateTime) -> String {
    let layout = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    utc.format(&layout).unwrap_or_default()
}

/// An RFC 3339 time (any offset, any fraction), in UTC to the whole second; `None` for
/// anything else, the empty string included.
pub fn parse(text: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(text, &Rfc3339)
        .ok()
        .map(whole_second_utc)
}

/// Reads a time field that may hold a string or `null`; an unreadable string is `None`.
fn read<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<OffsetDateTime>, D::Error> {
    let text = <Option<String> as serde::Deserialize>::deserialize(d)?;
    Ok(text.as_deref().and_then(parse))
}

/// Serde for a time field that has always been a string (`scanned_at`, a certificate's
/// `not_before` and `not_after`): an absent time is written `""`.
pub mod text {
    use super::*;

    pub fn serialize<S: serde::Serializer>(
        at: &Option<OffsetDateTime>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match at {
            Some(at) => serialize_time(*at, s),
            None => s.serialize_str(""),
        }
    }

    pub fn deserialize<'de, D: serde::Deserializer<'de>>(
        d: D,
    ) -> Result<Option<OffsetDateTime>, D::Error> {
        read(d)
    }
}

/// Serde for an optional time field (the NTLM `server_time`, the scan's `started_at` and
/// `finished_at`): an absent time is written `null`. Use with `#[serde(default)]`, so that a
/// missing field is absent too.
pub mod nullable {
    use super::*;

    pub fn serialize<S: serde::Serializer>(
        at: &Option<OffsetDateTime>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match at {
            Some(at) => serialize_time(*at, s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: serde::Deserializer<'de>>(
        d: D,
    ) -> Result<Option<OffsetDateTime>, D::Error> {
        read(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn written_in_utc_to_the_second() {
        let at = datetime!(2026-11-22 01:05:28.75 +02:00);
        assert_eq!(rfc3339(at), "2026-11-21T23:05:28Z");
        assert_eq!(
            rfc3339(datetime!(0001-01-01 00:00:00 UTC)),
            "0001-01-01T00:00:00Z"
        );
    }

    #[test]
    fn the_digits_written_by_hand_are_the_layout_s() {
        let mut at = datetime!(0000-01-01 00:00:00 UTC);
        let end = datetime!(9999-12-31 23:59:59 UTC);
        let mut checked = 0;
        // Steps of 1,000,003 s (11.6 days, not a whole number of minutes or days) reach every
        // month, day, hour, minute and second over ten thousand years.
        loop {
            assert_eq!(rfc3339(at), laid_out(at), "{at}");
            checked += 1;
            match at.checked_add(time::Duration::seconds(1_000_003)) {
                Some(next) if next <= end => at = next,
                _ => break,
            }
        }
        assert!(checked > 300_000, "{checked}");
        assert_eq!(rfc3339(end), "9999-12-31T23:59:59Z");
        assert_eq!(
            rfc3339(datetime!(2028-02-29 12:00:00 UTC)),
            "2028-02-29T12:00:00Z"
        );
    }

    #[test]
    fn a_year_before_0_still_has_a_text() {
        let date = time::Date::from_calendar_date(-1, time::Month::June, 15).unwrap();
        let before = date.midnight().assume_utc();
        assert_eq!(rfc3339(before), "-0001-06-15T00:00:00Z");
    }

    #[test]
    fn read_back_as_written() {
        for text in [
            "2026-11-21T23:05:28Z",
            "1601-01-01T00:00:00Z",
            "9999-12-31T23:59:59Z",
        ] {
            let at = parse(text).expect(text);
            assert_eq!(rfc3339(at), text);
            assert_eq!(at.offset(), UtcOffset::UTC);
        }
        // Other offsets and fractions are read, and held in UTC to the second.
        assert_eq!(
            parse("2026-11-22T01:05:28.999+02:00"),
            Some(datetime!(2026-11-21 23:05:28 UTC))
        );
    }

    #[test]
    fn empty_or_malformed_text_is_absent() {
        for bad in [
            "",
            " ",
            "yesterday",
            "2026-11-21",
            "2026-11-21 23:05:28",
            "2026-13-01T00:00:00Z",
            "2026-11-21T23:05:28Z trailing",
            "\u{0}",
        ] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn serialized_as_written_absent_as_each_field_says() {
        #[derive(serde::Serialize)]
        struct Times {
            #[serde(with = "text")]
            text: Option<OffsetDateTime>,
            #[serde(with = "nullable")]
            nullable: Option<OffsetDateTime>,
        }
        let json = |at: Option<OffsetDateTime>| {
            serde_json::to_string(&Times {
                text: at,
                nullable: at,
            })
            .unwrap()
        };
        assert_eq!(
            json(Some(datetime!(2026-11-22 01:05:28.75 +02:00))),
            r#"{"text":"2026-11-21T23:05:28Z","nullable":"2026-11-21T23:05:28Z"}"#
        );
        assert_eq!(json(None), r#"{"text":"","nullable":null}"#);
        let before = time::Date::from_calendar_date(-1, time::Month::June, 15).unwrap();
        assert_eq!(
            json(Some(before.midnight().assume_utc())),
            r#"{"text":"-0001-06-15T00:00:00Z","nullable":"-0001-06-15T00:00:00Z"}"#
        );
    }
}
