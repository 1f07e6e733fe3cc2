//! How figures and times are written for a person to read — on pages, printed reports,
//! terminal tables and messages — in one place: money in 元 with thousands separators
//! (`369,800,000.00`), in 万元 with separators and two decimals (`36,980.00`; more only
//! where two would lose fen), and times in China time (UTC+8) without any mention of
//! UTC. JSON keeps its own forms (yuan strings, RFC 3339); nothing here is for machines.

use chrono::{DateTime, FixedOffset, NaiveDateTime};

/// Groups the digits of a whole number by thousands: `369800000` → `369,800,000`.
pub fn grouped(whole: u64) -> String {
    let digits = whole.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// A count with thousands separators: `1234567` → `1,234,567`.
pub fn count(n: i64) -> String {
    let sign = if n < 0 { "-" } else { "" };
    format!("{sign}{}", grouped(n.unsigned_abs()))
}

/// An amount of fen in 元, exact, with thousands separators: `369,800,000.00`,
/// `-10,000.00`.
pub fn yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let magnitude = fen.unsigned_abs();
    format!("{sign}{}.{:02}", grouped(magnitude / 100), magnitude % 100)
}

/// An amount of fen in 万元 with thousands separators and two decimals (`36,980.00`),
/// or as many decimals as it takes (up to six) not to lose a fen (`0.800050`
/// → `0.80005`).
pub fn wan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let magnitude = fen.unsigned_abs();
    // One 万元 is 1,000,000 fen: the fraction has six digits, of which at least two show.
    let fraction = format!("{:06}", magnitude % 1_000_000);
    let fraction = fraction.trim_end_matches('0');
    let fraction = format!("{fraction:0<2}");
    format!("{sign}{}.{fraction}", grouped(magnitude / 1_000_000))
}

/// China's offset, UTC+8.
fn china() -> FixedOffset {
    // Infallible: the offset is well within the ±24 h that FixedOffset accepts.
    FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

/// A stored timestamp (RFC 3339, in UTC or with an offset) as China time to the second:
/// `2026-12-01T23:03:09.116757Z` → `2026-12-02 07:03:09`. A date alone is kept as it
/// is; a timestamp without an offset is taken to be UTC, as the register stores them.
pub fn china_time(timestamp: &str) -> String {
    let text = timestamp.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return at
            .with_timezone(&china())
            .format("%Y-%m-%d %H:%M:%S")
            .to_string();
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"] {
        if let Ok(at) = NaiveDateTime::parse_from_str(text, format) {
            return at
                .and_utc()
                .with_timezone(&china())
                .format("%Y-%m-%d %H:%M:%S")
                .to_string();
        }
    }
    text.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn counts_have_thousands_separators() {
        assert_eq!(count(4), "4");
        assert_eq!(count(1_234_567), "1,234,567");
        assert_eq!(count(-1000), "-1,000");
    }

    #[test]
    fn yuan_is_exact_with_thousands_separators() {
        assert_eq!(yuan(36_980_000_000), "369,800,000.00");
        assert_eq!(yuan(791_000_000), "7,910,000.00");
        assert_eq!(yuan(800_050), "8,000.50");
        assert_eq!(yuan(99_999), "999.99");
        assert_eq!(yuan(5), "0.05");
        assert_eq!(yuan(0), "0.00");
        assert_eq!(yuan(-1_000_000), "-10,000.00");
    }

    #[test]
    fn wan_has_two_decimals_unless_that_would_lose_fen() {
        assert_eq!(wan(36_980_000_000), "36,980.00");
        assert_eq!(wan(791_000_000), "791.00");
        assert_eq!(wan(1_232_980_000), "1,232.98");
        assert_eq!(wan(12_329_800), "12.3298");
        assert_eq!(wan(800_050), "0.80005");
        assert_eq!(wan(1), "0.000001");
        assert_eq!(wan(0), "0.00");
        assert_eq!(wan(-1_000_000), "-1.00");
        assert_eq!(wan(-20_000), "-0.02");
    }

    #[test]
    fn times_are_shown_in_china_time() {
        assert_eq!(
            china_time("2026-12-01T23:03:09.116757Z"),
            "2026-12-02 07:03:09"
        );
        assert_eq!(
            china_time("2020-03-05T08:00:00.123+08:00"),
            "2020-03-05 08:00:00"
        );
        assert_eq!(china_time("2026-12-01 16:00:00"), "2026-12-02 00:00:00");
        assert_eq!(china_time("2020-03-05"), "2020-03-05");
    }

    proptest! {
        /// Both forms read back, without separators, as the same number of fen.
        #[test]
        fn shown_money_reads_back_to_the_fen(fen in -10_000_000_000_000i64..10_000_000_000_000) {
            let plain = |s: String| s.replace(',', "");
            let from_yuan: rust_decimal::Decimal = plain(yuan(fen)).parse().unwrap_or_default();
            let from_wan: rust_decimal::Decimal = plain(wan(fen)).parse().unwrap_or_default();
            prop_assert_eq!(from_yuan * rust_decimal::Decimal::from(100), rust_decimal::Decimal::from(fen));
            prop_assert_eq!(from_wan * rust_decimal::Decimal::from(1_000_000), rust_decimal::Decimal::from(fen));
        }
    }
}
