//! Business dates in the forms Chinese spreadsheets write them, and project years.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, FixedOffset, NaiveDate, Utc};
use schemars::JsonSchema;
use serde_with::{DeserializeFromStr, SerializeDisplay};

use super::wire::WireError;

/// Today's date in China (UTC+8), which decides "not in the future" and the year range.
pub fn today_in_china() -> NaiveDate {
    // Infallible: the offset is well within the ±24 h that FixedOffset accepts.
    let china = FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset");
    Utc::now().with_timezone(&china).date_naive()
}

/// The current server time as RFC 3339 UTC with microseconds, as entries record it.
pub fn timestamp_now() -> String {
    Utc::now().format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// A calendar date such as 确权日期, printed `2020-03-05`.
#[derive(SerializeDisplay, DeserializeFromStr, JsonSchema)]
#[schemars(
    with = "String",
    description = "A calendar date, YYYY-MM-DD",
    extend("format" = "date", "examples" = ["2020-03-05"])
)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BusinessDate(NaiveDate);

impl BusinessDate {
    /// The first business date the register accepts: the founding of the People's
    /// Republic, 1949-10-01.
    pub fn first_accepted() -> NaiveDate {
        NaiveDate::from_ymd_opt(1949, 10, 1).unwrap_or(NaiveDate::MIN)
    }

    /// The last business date the register accepts today: a year from today in China.
    pub fn last_accepted() -> NaiveDate {
        let today = today_in_china();
        today
            .checked_add_months(chrono::Months::new(12))
            .unwrap_or(today)
    }

    /// A calendar date as a business date: within [`BusinessDate::first_accepted`] and
    /// [`BusinessDate::last_accepted`].
    ///
    /// Fails with [`DateError::OutOfRange`] outside them.
    pub fn within_range(date: NaiveDate) -> Result<Self, DateError> {
        if date < Self::first_accepted() || date > Self::last_accepted() {
            return Err(DateError::OutOfRange);
        }
        Ok(BusinessDate(date))
    }

    /// Parses `2020-03-05`, `2020-3-5`, `2020/3/5`, `2020.3.5`, `2020年3月5日` or `20200305`
    /// as a business date.
    ///
    /// Fails with [`DateError::Malformed`] for any other form or a date that is not on
    /// the calendar, [`DateError::OutOfRange`] before 1949-10-01 or over a year ahead.
    pub fn parse(raw: &str) -> Result<Self, DateError> {
        Self::parse_calendar(raw)
            .ok_or(DateError::Malformed)
            .and_then(|date| Self::within_range(date.0))
    }

    /// Any calendar date in one of [`BusinessDate::parse`]'s forms, range unchecked.
    fn parse_calendar(raw: &str) -> Option<Self> {
        let text: String = raw
            .trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}')
            .chars()
            .map(|c| match c {
                '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
                '／' => '/',
                '－' => '-',
                _ => c,
            })
            .collect();
        let parts: Vec<&str> = if let Some(rest) = text.strip_suffix('日') {
            rest.split(['年', '月']).collect()
        } else if text.len() == 8 && text.bytes().all(|b| b.is_ascii_digit()) {
            vec![&text[0..4], &text[4..6], &text[6..8]]
        } else {
            let separator = ['-', '/', '.'].into_iter().find(|s| text.contains(*s))?;
            text.split(separator).collect()
        };
        let [y, m, d] = parts.as_slice() else {
            return None;
        };
        let well_formed = y.len() == 4
            && (1..=2).contains(&m.len())
            && (1..=2).contains(&d.len())
            && [y, m, d]
                .iter()
                .all(|p| p.bytes().all(|b| b.is_ascii_digit()));
        if !well_formed {
            return None;
        }
        NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?).map(BusinessDate)
    }

    /// Parses only the canonical `YYYY-MM-DD` form, as the API carries it, as a
    /// business date.
    ///
    /// Fails with [`DateError::Malformed`] for any other text, [`DateError::OutOfRange`]
    /// before 1949-10-01 or over a year ahead.
    pub fn parse_iso(text: &str) -> Result<Self, DateError> {
        Self::parse_iso_calendar(text)
            .ok_or(DateError::Malformed)
            .and_then(|date| Self::within_range(date.0))
    }

    /// Reads a date the register stored (checked when it was written; the range is not
    /// checked again, so that nothing stored becomes unreadable).
    ///
    /// Fails (`None`) for text that is not `YYYY-MM-DD`.
    pub fn stored(text: &str) -> Option<Self> {
        Self::parse_printed(text).or_else(|| Self::parse_iso_calendar(text))
    }

    /// Any calendar date written `YYYY-MM-DD`, range unchecked.
    fn parse_iso_calendar(text: &str) -> Option<Self> {
        if text.len() != 10 {
            return None;
        }
        NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .ok()
            .map(BusinessDate)
    }

    /// Reads the form [`Display`](fmt::Display) prints, `2020-03-05`, directly. `None`
    /// for any other text, which [`BusinessDate::parse_iso`] may still read.
    fn parse_printed(text: &str) -> Option<Self> {
        let bytes = text.as_bytes();
        if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
            return None;
        }
        let number = |range: std::ops::Range<usize>| -> Option<u32> {
            let part = &bytes[range];
            part.iter().all(u8::is_ascii_digit).then(|| {
                part.iter()
                    .fold(0, |n, digit| n * 10 + u32::from(digit - b'0'))
            })
        };
        let year = i32::try_from(number(0..4)?).ok()?;
        NaiveDate::from_ymd_opt(year, number(5..7)?, number(8..10)?).map(BusinessDate)
    }

    /// Wraps a calendar date.
    pub fn from_naive(date: NaiveDate) -> Self {
        BusinessDate(date)
    }

    /// The calendar date.
    pub fn naive(self) -> NaiveDate {
        self.0
    }
}

impl fmt::Display for BusinessDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.format("%Y-%m-%d"))
    }
}

impl FromStr for BusinessDate {
    type Err = WireError;

    /// Reads the canonical `YYYY-MM-DD` form only, as stored data and the wire carry it
    /// (as [`BusinessDate::stored`]: inputs are checked for range where they are parsed,
    /// by [`BusinessDate::parse_iso`]); the form this type prints is read directly.
    fn from_str(text: &str) -> Result<Self, WireError> {
        BusinessDate::stored(text).ok_or_else(|| WireError::new("日期", text, "应写成 YYYY-MM-DD"))
    }
}

/// Why a text is not a business date (both are the field error `invalid_date`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateError {
    /// Not a calendar date in an accepted form.
    Malformed,
    /// A calendar date before 1949-10-01 or more than a year from today.
    OutOfRange,
}

impl DateError {
    /// The accepted range, in words, for a message about a date outside it.
    pub fn range() -> String {
        format!(
            "应在 {} 至 {}（一年以内）之间",
            BusinessDate::first_accepted().format("%Y-%m-%d"),
            BusinessDate::last_accepted().format("%Y-%m-%d")
        )
    }

    /// The accepted range of a date that may not be after today (a day that has
    /// happened: a business date, a 确权日期, a stock-take's day), in words.
    pub fn past_range() -> String {
        format!(
            "应在 {} 至今天（北京时间 {}）之间",
            BusinessDate::first_accepted().format("%Y-%m-%d"),
            today_in_china().format("%Y-%m-%d")
        )
    }
}

/// 项目年度: 2000 up to next year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Year(i32);

impl Year {
    /// The first year the register accepts.
    pub const FIRST: i32 = 2000;

    /// The last year the register accepts today: next year in China.
    pub fn last_accepted() -> i32 {
        today_in_china().year() + 1
    }

    /// Parses `2016` (also full-width digits and a trailing `年`).
    ///
    /// Fails (`None`) unless it is a whole number from 2000 to next year.
    pub fn parse(raw: &str) -> Option<Self> {
        let text: String = raw
            .trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}')
            .trim_end_matches('年')
            .chars()
            .map(|c| match c {
                '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
                _ => c,
            })
            .collect();
        if text.len() != 4 || !text.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Year::new(text.parse().ok()?)
    }

    /// Wraps a year; `None` outside 2000 to next year.
    pub fn new(year: i32) -> Option<Self> {
        (Year::FIRST..=Year::last_accepted())
            .contains(&year)
            .then_some(Year(year))
    }

    /// The year as a number.
    pub fn get(self) -> i32 {
        self.0
    }
}

impl fmt::Display for Year {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd(y: i32, m: u32, d: u32) -> Option<BusinessDate> {
        NaiveDate::from_ymd_opt(y, m, d).map(BusinessDate)
    }

    #[test]
    fn every_spreadsheet_date_form_parses() {
        for text in [
            "2020-03-05",
            "2020-3-5",
            "2020/3/5",
            "2020年3月5日",
            "20200305",
            " 2020/03/05 ",
            "２０２０年３月５日",
        ] {
            assert_eq!(BusinessDate::parse(text).ok(), ymd(2020, 3, 5), "{text}");
        }
    }

    #[test]
    fn impossible_or_unknown_dates_are_rejected() {
        for text in [
            "2020-02-30",
            "2021/2/29",
            "2020-13-01",
            "05/03/2020",
            "2020年3月",
            "2020-03",
            "abc",
            "202003051",
            "",
        ] {
            assert_eq!(
                BusinessDate::parse(text),
                Err(DateError::Malformed),
                "{text}"
            );
        }
        assert_eq!(BusinessDate::parse("2020/2/29").ok(), ymd(2020, 2, 29));
    }

    #[test]
    fn printed_dates_read_back_directly_as_by_the_canonical_parser() {
        for text in ["2020-03-05", "2020-02-29", "0001-01-01", "9999-12-31"] {
            let printed = BusinessDate::parse_printed(text);
            assert_eq!(printed, BusinessDate::stored(text), "{text}");
            assert_eq!(printed.map(|d| d.to_string()).as_deref(), Some(text));
        }
        for text in [
            "2021-02-29",
            "2020-13-01",
            "2020-3-05",
            "2020/03/05",
            "２０２０-03-05",
        ] {
            assert_eq!(BusinessDate::parse_printed(text), None, "{text}");
        }
    }

    #[test]
    fn business_dates_run_from_1949_10_01_to_a_year_from_today() {
        let last = BusinessDate::last_accepted();
        assert_eq!(
            BusinessDate::parse("1949-10-01").map(BusinessDate::naive),
            Ok(BusinessDate::first_accepted())
        );
        for text in ["1949-09-30", "1900/1/1", "0001-01-01"] {
            assert_eq!(
                BusinessDate::parse(text),
                Err(DateError::OutOfRange),
                "{text}"
            );
            assert_eq!(
                BusinessDate::parse_iso("1949-09-30"),
                Err(DateError::OutOfRange)
            );
        }
        assert_eq!(
            BusinessDate::parse_iso(&last.format("%Y-%m-%d").to_string()).map(BusinessDate::naive),
            Ok(last)
        );
        let after = last.succ_opt().map(|d| d.format("%Y-%m-%d").to_string());
        assert_eq!(
            BusinessDate::parse_iso(&after.unwrap_or_default()),
            Err(DateError::OutOfRange)
        );
        assert_eq!(BusinessDate::parse("99991231"), Err(DateError::OutOfRange));
        assert_eq!(
            BusinessDate::stored("1900-01-01").map(BusinessDate::naive),
            NaiveDate::from_ymd_opt(1900, 1, 1),
            "what is stored stays readable"
        );
        assert_eq!(
            DateError::range(),
            format!("应在 1949-10-01 至 {last}（一年以内）之间")
        );
    }

    #[test]
    fn years_are_bounded_by_2000_and_next_year() {
        assert_eq!(Year::parse("2016").map(Year::get), Some(2016));
        assert_eq!(Year::parse("2016年").map(Year::get), Some(2016));
        assert_eq!(Year::parse("1999"), None);
        assert_eq!(Year::parse(&(Year::last_accepted() + 1).to_string()), None);
        assert_eq!(Year::parse("20x6"), None);
    }
}
