//! Exact money: integer fen (1/100 yuan), parsed from 元 or 万元 text, printed as yuan
//! with two decimals.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde_with::{DeserializeFromStr, SerializeDisplay};

use super::number::{parse_plain, NumberError};
use super::wire::WireError;

/// The unit an amount is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MoneyUnit {
    /// 元: at most 2 decimals.
    Yuan,
    /// 万元 (10,000 yuan): at most 6 decimals, which is exactly one fen.
    Wan,
}

impl MoneyUnit {
    /// How many decimals an amount in this unit may carry.
    pub fn max_decimals(self) -> u32 {
        match self {
            MoneyUnit::Yuan => 2,
            MoneyUnit::Wan => 6,
        }
    }

    /// Fen in one unit.
    fn fen_per_unit(self) -> i64 {
        match self {
            MoneyUnit::Yuan => 100,
            MoneyUnit::Wan => 1_000_000,
        }
    }

    /// The unit's Chinese name, as written in headers.
    pub fn label(self) -> &'static str {
        match self {
            MoneyUnit::Yuan => "元",
            MoneyUnit::Wan => "万元",
        }
    }

    /// Recognises `元`/`yuan` and `万元`/`wan`.
    pub fn from_label(label: &str) -> Option<Self> {
        match label.trim() {
            "元" | "yuan" | "YUAN" | "Yuan" => Some(MoneyUnit::Yuan),
            "万元" | "wan" | "WAN" | "Wan" => Some(MoneyUnit::Wan),
            _ => None,
        }
    }
}

/// A non-negative amount of money, held exactly as integer fen.
#[derive(SerializeDisplay, DeserializeFromStr, JsonSchema)]
#[schemars(
    with = "String",
    description = "An amount in yuan with exactly two decimals, never negative (exact; never a JSON number); one entered amount is at most 100000000000000.00 (100万亿元): above it `amount_too_large`",
    extend("pattern" = "^[0-9]+\\.[0-9]{2}$", "examples" = ["7910000.00"])
)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Yuan(i64);

impl Yuan {
    /// Zero yuan.
    pub const ZERO: Yuan = Yuan(0);

    /// The largest single amount the register accepts: 100万亿元 (10¹⁴ yuan), some 36
    /// times the 2.77万亿元 of the whole country's poverty-alleviation assets, and
    /// 1/922 of what 64-bit fen hold, so that sums have room; what sums could still
    /// pass 64 bits is refused where it is written (`register::summary`).
    pub const MAX: Yuan = Yuan(10_000_000_000_000_000);

    /// Parses an amount written in `unit` by the spreadsheet number rules.
    ///
    /// Fails when the text is negative, in scientific notation, has more decimals than
    /// the unit allows, is above [`Yuan::MAX`], or is not a plain number.
    pub fn parse(raw: &str, unit: MoneyUnit) -> Result<Self, NumberError> {
        let number = parse_plain(raw)?;
        let allowed = unit.max_decimals();
        let decimals = u32::try_from(number.fraction.len()).map_err(|_| NumberError::Invalid)?;
        if decimals > allowed {
            return Err(NumberError::TooManyDecimals { allowed });
        }
        // `integer` is digits without leading zeros: more than 19 of them is past i64.
        let integer: i64 = if number.integer.is_empty() {
            0
        } else {
            number.integer.parse().map_err(|_| NumberError::TooLarge)?
        };
        let mut fraction_digits = number.fraction;
        while fraction_digits.len() < allowed as usize {
            fraction_digits.push('0');
        }
        let fraction: i64 = if fraction_digits.is_empty() {
            0
        } else {
            fraction_digits.parse().map_err(|_| NumberError::Invalid)?
        };
        integer
            .checked_mul(unit.fen_per_unit())
            .and_then(|fen| fen.checked_add(fraction))
            .map(Yuan)
            .filter(|amount| *amount <= Yuan::MAX)
            .ok_or(NumberError::TooLarge)
    }

    /// Reads an amount in the form [`Display`](fmt::Display) prints it: digits, a
    /// point and two digits (`1200.50`). `None` for any other text, which
    /// [`Yuan::parse`] may still read.
    fn parse_printed(text: &str) -> Option<Self> {
        let (integer, fraction) = text.split_once('.')?;
        let digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
        if !digits(integer) || fraction.len() != 2 || !digits(fraction) || integer.len() > 17 {
            return None;
        }
        let integer: i64 = integer.parse().ok()?;
        let fraction: i64 = fraction.parse().ok()?;
        integer.checked_mul(100)?.checked_add(fraction).map(Yuan)
    }

    /// Builds an amount from integer fen, as stored in the database.
    ///
    /// Fails (returns `None`) for a negative count.
    pub fn from_fen(fen: i64) -> Option<Self> {
        (fen >= 0).then_some(Yuan(fen))
    }

    /// The amount in integer fen.
    pub fn fen(self) -> i64 {
        self.0
    }

    /// The amount as an exact decimal of yuan with two decimals.
    pub fn to_decimal(self) -> Decimal {
        Decimal::new(self.0, 2)
    }

    /// The amount in 万元 with four decimals, rounded half away from zero, as staff read it.
    pub fn to_wan_string(self) -> String {
        let wan = Decimal::new(self.0, 6);
        format!(
            "{:.4}",
            wan.round_dp_with_strategy(4, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
        )
    }

    /// Adds two amounts; `None` when the sum passes 64-bit fen.
    pub fn checked_add(self, other: Yuan) -> Option<Yuan> {
        self.0.checked_add(other.0).map(Yuan)
    }

    /// Sums amounts; `None` when the sum passes 64-bit fen.
    pub fn checked_sum(amounts: impl IntoIterator<Item = Yuan>) -> Option<Yuan> {
        amounts
            .into_iter()
            .try_fold(Yuan::ZERO, |sum, amount| sum.checked_add(amount))
    }
}

/// A signed amount of fen as yuan with two decimals (`-10000.00`), for differences.
pub fn signed_yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let magnitude = fen.unsigned_abs();
    format!("{sign}{}.{:02}", magnitude / 100, magnitude % 100)
}

/// Reads a signed amount of yuan as printed by [`signed_yuan`] (`-10000.00`) back into
/// fen; `None` for anything else.
pub fn parse_signed_yuan(text: &str) -> Option<i64> {
    match text.strip_prefix('-') {
        Some(magnitude) => Yuan::parse(magnitude, MoneyUnit::Yuan)
            .ok()
            .map(|y| -y.fen()),
        None => Yuan::parse(text, MoneyUnit::Yuan).ok().map(Yuan::fen),
    }
}

/// A signed amount of fen as 万元 with four decimals, rounded half away from zero.
pub fn signed_wan(fen: i64) -> String {
    let wan = Decimal::new(fen, 6)
        .round_dp_with_strategy(4, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    format!("{wan:.4}")
}

impl fmt::Display for Yuan {
    /// Yuan with exactly two decimals: `7910000.00`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:02}", self.0 / 100, self.0 % 100)
    }
}

impl FromStr for Yuan {
    type Err = WireError;

    /// Reads an amount of yuan (at most two decimals, never negative); the form this
    /// type prints (`1200.50`), which every stored amount has, is read directly and
    /// without the bound of [`Yuan::MAX`], so that an amount an earlier release stored
    /// stays readable (what people enter goes through [`Yuan::parse`]).
    fn from_str(text: &str) -> Result<Self, WireError> {
        match Yuan::parse_printed(text) {
            Some(amount) => Ok(amount),
            None => Yuan::parse(text, MoneyUnit::Yuan).map_err(|e| WireError::new("金额", text, e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn wan_amounts_convert_to_exact_fen() {
        assert_eq!(
            Yuan::parse("791", MoneyUnit::Wan).map(Yuan::fen),
            Ok(791_000_000)
        );
        assert_eq!(
            Yuan::parse("3703.1", MoneyUnit::Wan).map(|y| y.to_string()),
            Ok("37031000.00".into())
        );
        assert_eq!(
            Yuan::parse("0.000001", MoneyUnit::Wan).map(Yuan::fen),
            Ok(1)
        );
        assert_eq!(
            Yuan::parse("12.3456789", MoneyUnit::Wan),
            Err(NumberError::TooManyDecimals { allowed: 6 })
        );
    }

    #[test]
    fn yuan_amounts_allow_two_decimals() {
        assert_eq!(
            Yuan::parse("1,234.56", MoneyUnit::Yuan).map(Yuan::fen),
            Ok(123_456)
        );
        assert_eq!(
            Yuan::parse("1.234", MoneyUnit::Yuan),
            Err(NumberError::TooManyDecimals { allowed: 2 })
        );
        assert_eq!(
            Yuan::parse("99999999999999999999", MoneyUnit::Yuan),
            Err(NumberError::TooLarge)
        );
    }

    #[test]
    fn one_amount_is_bounded_at_100_trillion_yuan() {
        assert_eq!(
            Yuan::parse("100000000000000", MoneyUnit::Yuan),
            Ok(Yuan::MAX)
        );
        assert_eq!(Yuan::parse("10000000000", MoneyUnit::Wan), Ok(Yuan::MAX));
        for over in [
            "100000000000000.01",
            "92233720368547758.07",
            "50000000000000000",
        ] {
            assert_eq!(
                Yuan::parse(over, MoneyUnit::Yuan),
                Err(NumberError::TooLarge),
                "{over}"
            );
        }
        assert_eq!(
            Yuan::parse("10000000000.000001", MoneyUnit::Wan),
            Err(NumberError::TooLarge)
        );
        assert_eq!(
            Yuan::checked_sum([Yuan::MAX; 922]).map(Yuan::fen),
            Some(922 * Yuan::MAX.fen())
        );
        assert_eq!(Yuan::checked_sum([Yuan::MAX; 923]), None);
    }

    #[test]
    fn differences_print_with_their_sign() {
        assert_eq!(signed_yuan(-1_000_000), "-10000.00");
        assert_eq!(signed_yuan(5), "0.05");
        assert_eq!(signed_yuan(-5), "-0.05");
        assert_eq!(signed_wan(-1_000_000), "-1.0000");
        assert_eq!(signed_wan(36_980_000_000), "36980.0000");
        assert_eq!(parse_signed_yuan("-10000.00"), Some(-1_000_000));
        assert_eq!(parse_signed_yuan(&signed_yuan(-5)), Some(-5));
        assert_eq!(parse_signed_yuan("x"), None);
    }

    #[test]
    fn amounts_print_in_yuan_and_wan() {
        let y = Yuan::from_fen(790_123_456).unwrap_or_default();
        assert_eq!(y.to_string(), "7901234.56");
        assert_eq!(y.to_wan_string(), "790.1235");
        assert_eq!(Yuan::ZERO.to_string(), "0.00");
        assert_eq!(
            Yuan::from_fen(5).map(|y| y.to_string()),
            Some("0.05".into())
        );
    }

    proptest! {
        #[test]
        fn every_wan_amount_with_six_decimals_is_exact_fen(int in 0i64..10_000_000, frac in 0i64..1_000_000) {
            let text = format!("{int}.{frac:06}");
            let parsed = Yuan::parse(&text, MoneyUnit::Wan).map(Yuan::fen);
            prop_assert_eq!(parsed, Ok(int * 1_000_000 + frac));
        }

        #[test]
        fn wan_and_yuan_spellings_of_one_amount_agree(fen in 0i64..1_000_000_000_000) {
            let yuan_text = format!("{}.{:02}", fen / 100, fen % 100);
            let wan_text = format!("{}.{:06}", fen / 1_000_000, fen % 1_000_000);
            prop_assert_eq!(Yuan::parse(&yuan_text, MoneyUnit::Yuan), Yuan::parse(&wan_text, MoneyUnit::Wan));
            prop_assert_eq!(Yuan::parse(&yuan_text, MoneyUnit::Yuan).map(|y| y.to_string()), Ok(yuan_text));
        }

        #[test]
        fn excess_decimals_are_rejected(int in 0i64..1_000_000, frac in 1u64..10, extra in 1usize..6) {
            let yuan_text = format!("{int}.{}{frac}", "0".repeat(1 + extra));
            prop_assert_eq!(Yuan::parse(&yuan_text, MoneyUnit::Yuan), Err(NumberError::TooManyDecimals { allowed: 2 }));
            let wan_text = format!("{int}.{}{frac}", "0".repeat(5 + extra));
            prop_assert_eq!(Yuan::parse(&wan_text, MoneyUnit::Wan), Err(NumberError::TooManyDecimals { allowed: 6 }));
        }

        #[test]
        fn exponents_are_rejected(mantissa in 0u32..100_000, exp in -20i32..20, upper in any::<bool>()) {
            let e = if upper { 'E' } else { 'e' };
            let text = format!("{}.{}{e}{exp:+}", mantissa / 100, mantissa % 100);
            prop_assert_eq!(Yuan::parse(&text, MoneyUnit::Wan), Err(NumberError::Scientific));
        }

        #[test]
        fn negative_amounts_are_rejected(fen in 1i64..1_000_000_000) {
            let text = format!("-{}.{:02}", fen / 100, fen % 100);
            prop_assert_eq!(Yuan::parse(&text, MoneyUnit::Yuan), Err(NumberError::Negative));
        }

        #[test]
        fn the_printed_form_reads_back_directly_and_by_the_rules(fen in 0i64..=Yuan::MAX.fen()) {
            let printed = Yuan(fen).to_string();
            prop_assert_eq!(Yuan::parse_printed(&printed), Some(Yuan(fen)));
            prop_assert_eq!(Yuan::parse(&printed, MoneyUnit::Yuan), Ok(Yuan(fen)));
        }

        #[test]
        fn arbitrary_text_never_panics(text in "\\PC{0,40}") {
            if let Some(amount) = Yuan::parse_printed(&text) {
                prop_assert_eq!(Yuan::parse(&text, MoneyUnit::Yuan), Ok(amount));
            }
            let _ = Yuan::parse(&text, MoneyUnit::Wan);
            let _ = Yuan::parse(&text, MoneyUnit::Yuan);
        }
    }
}
