//! Lexical rules for numbers typed into spreadsheets: full-width digits, thousands
//! separators in groups of three, no exponent, no sign.

use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use serde_with::{DeserializeFromStr, SerializeDisplay};

use super::wire::WireError;

/// Why a cell is not an acceptable number. Each maps to one import error code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberError {
    /// A leading minus sign: amounts are never negative.
    Negative,
    /// An exponent such as `1.2E+03`: Excel's display format lost the digits.
    Scientific,
    /// More decimals than the unit allows.
    TooManyDecimals {
        /// The most decimals the unit allows.
        allowed: u32,
    },
    /// An amount above [`Yuan::MAX`](super::Yuan::MAX), the bound of one amount.
    TooLarge,
    /// Anything else that is not a plain number.
    Invalid,
}

impl NumberError {
    /// The import error code of this failure, as the spec names it.
    pub fn code(self) -> &'static str {
        match self {
            NumberError::Negative => "negative_amount",
            NumberError::Scientific => "scientific_notation",
            NumberError::TooManyDecimals { .. } => "too_many_decimals",
            NumberError::TooLarge => "amount_too_large",
            NumberError::Invalid => "invalid_number",
        }
    }
}

impl fmt::Display for NumberError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NumberError::Negative => f.write_str("不能为负数"),
            NumberError::Scientific => f.write_str(
                "不能使用科学计数法（Excel 的显示格式已丢失有效数字，请将单元格设为数值格式后重新导出）",
            ),
            NumberError::TooManyDecimals { allowed } => {
                write!(f, "小数位数过多，最多 {allowed} 位")
            }
            NumberError::TooLarge => f.write_str("超过单笔金额上限 100万亿元"),
            NumberError::Invalid => f.write_str("不是有效的数字"),
        }
    }
}

impl std::error::Error for NumberError {}

/// A non-negative decimal split into its digits: `integer` has no leading zeros
/// (empty for zero), `fraction` has no trailing zeros.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlainNumber {
    /// Digits before the decimal point, without leading zeros.
    pub integer: String,
    /// Digits after the decimal point, without trailing zeros.
    pub fraction: String,
}

/// Parses a spreadsheet cell as a non-negative plain decimal.
///
/// Accepts surrounding spaces, full-width digits and punctuation, and thousands
/// separators when every group after the first has exactly three digits.
/// Fails with [`NumberError`] for a sign, an exponent or anything else.
pub fn parse_plain(raw: &str) -> Result<PlainNumber, NumberError> {
    let text: String = raw
        .trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}')
        .chars()
        .map(narrow)
        .collect();
    if text.is_empty() {
        return Err(NumberError::Invalid);
    }
    if let Some(rest) = text.strip_prefix('-') {
        if is_numeric_body(rest) {
            return Err(NumberError::Negative);
        }
        return Err(NumberError::Invalid);
    }
    if is_scientific(&text) {
        return Err(NumberError::Scientific);
    }
    let (int_part, frac_part) = match text.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (text.as_str(), None),
    };
    let integer = integer_digits(int_part)?;
    let fraction = match frac_part {
        Some(f) if f.bytes().all(|b| b.is_ascii_digit()) => f,
        Some(_) => return Err(NumberError::Invalid),
        None => "",
    };
    if integer.is_empty() && int_part.is_empty() && fraction.is_empty() {
        return Err(NumberError::Invalid);
    }
    Ok(PlainNumber {
        integer: integer.trim_start_matches('0').to_owned(),
        fraction: fraction.trim_end_matches('0').to_owned(),
    })
}

/// The digits of an integer part, thousands separators removed; an empty part is
/// allowed (as in `.5`).
fn integer_digits(part: &str) -> Result<String, NumberError> {
    if part.is_empty() {
        return Ok(String::new());
    }
    if !part.contains(',') {
        if part.bytes().all(|b| b.is_ascii_digit()) {
            return Ok(part.to_owned());
        }
        return Err(NumberError::Invalid);
    }
    let mut groups = part.split(',');
    let first = groups.next().unwrap_or_default();
    let first_ok = (1..=3).contains(&first.len()) && first.bytes().all(|b| b.is_ascii_digit());
    let mut digits = first.to_owned();
    if !first_ok {
        return Err(NumberError::Invalid);
    }
    for group in groups {
        if group.len() != 3 || !group.bytes().all(|b| b.is_ascii_digit()) {
            return Err(NumberError::Invalid);
        }
        digits.push_str(group);
    }
    Ok(digits)
}

fn is_numeric_body(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b',')
}

/// `1.2E+03`, `1e5`, `3.5E-2`: a mantissa of digits, then `e`, an optional sign and digits.
fn is_scientific(text: &str) -> bool {
    let Some(pos) = text.find(['e', 'E']) else {
        return false;
    };
    let (mantissa, exponent) = (&text[..pos], &text[pos + 1..]);
    let exponent = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
    is_numeric_body(mantissa)
        && mantissa.bytes().any(|b| b.is_ascii_digit())
        && !exponent.is_empty()
        && exponent.bytes().all(|b| b.is_ascii_digit())
}

/// Maps full-width digits and punctuation to their ASCII forms.
fn narrow(c: char) -> char {
    match c {
        '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
        '．' | '。' => '.',
        '，' => ',',
        '－' | '−' => '-',
        '＋' => '+',
        'Ｅ' => 'E',
        'ｅ' => 'e',
        _ => c,
    }
}

/// An exact non-negative decimal quantity (数量), kept as its normalised text.
#[derive(SerializeDisplay, DeserializeFromStr, JsonSchema)]
#[schemars(
    with = "String",
    description = "An exact non-negative decimal (never a JSON number)",
    extend("pattern" = "^[0-9]+(\\.[0-9]+)?$", "examples" = ["2.5"])
)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quantity(rust_decimal::Decimal);

impl Quantity {
    /// Parses a quantity cell by the spreadsheet number rules.
    ///
    /// Fails when the cell is not a plain non-negative number or has more than 12 decimals.
    pub fn parse(raw: &str) -> Result<Self, NumberError> {
        let number = parse_plain(raw)?;
        if number.fraction.len() > 12 {
            return Err(NumberError::TooManyDecimals { allowed: 12 });
        }
        let integer = if number.integer.is_empty() {
            "0"
        } else {
            number.integer.as_str()
        };
        let text = if number.fraction.is_empty() {
            integer.to_owned()
        } else {
            format!("{integer}.{}", number.fraction)
        };
        text.parse::<rust_decimal::Decimal>()
            .map(|d| Quantity(d.normalize()))
            .map_err(|_| NumberError::Invalid)
    }

    /// The quantity as an exact decimal.
    pub fn value(&self) -> rust_decimal::Decimal {
        self.0
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl FromStr for Quantity {
    type Err = WireError;

    /// Reads a quantity by the rules of [`Quantity::parse`].
    fn from_str(text: &str) -> Result<Self, WireError> {
        Quantity::parse(text).map_err(|e| WireError::new("数量", text, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(i: &str, f: &str) -> PlainNumber {
        PlainNumber {
            integer: i.to_owned(),
            fraction: f.to_owned(),
        }
    }

    #[test]
    fn plain_numbers_and_their_spreadsheet_forms_are_accepted() {
        assert_eq!(parse_plain(" 12.50 "), Ok(plain("12", "5")));
        assert_eq!(parse_plain("1,234.5"), Ok(plain("1234", "5")));
        assert_eq!(parse_plain("１２３．４"), Ok(plain("123", "4")));
        assert_eq!(parse_plain("0"), Ok(plain("", "")));
        assert_eq!(parse_plain(".5"), Ok(plain("", "5")));
        assert_eq!(parse_plain("5."), Ok(plain("5", "")));
        assert_eq!(parse_plain("12,345,678"), Ok(plain("12345678", "")));
    }

    #[test]
    fn malformed_numbers_are_rejected_with_their_reason() {
        assert_eq!(parse_plain("-1"), Err(NumberError::Negative));
        assert_eq!(parse_plain("1.2E+03"), Err(NumberError::Scientific));
        assert_eq!(parse_plain("5e3"), Err(NumberError::Scientific));
        assert_eq!(parse_plain("1,23.5"), Err(NumberError::Invalid));
        assert_eq!(parse_plain("1234,567"), Err(NumberError::Invalid));
        assert_eq!(parse_plain("12.3.4"), Err(NumberError::Invalid));
        assert_eq!(parse_plain("abc"), Err(NumberError::Invalid));
        assert_eq!(parse_plain("+5"), Err(NumberError::Invalid));
        assert_eq!(parse_plain("."), Err(NumberError::Invalid));
        assert_eq!(parse_plain(""), Err(NumberError::Invalid));
    }

    #[test]
    fn quantities_keep_their_exact_decimal() {
        for (text, kept) in [
            ("1,200.50", "1200.5"),
            ("3", "3"),
            ("1", "1"),
            ("0.50", "0.5"),
            ("100", "100"),
        ] {
            assert_eq!(
                Quantity::parse(text).map(|q| q.to_string()),
                Ok(kept.to_owned()),
                "{text}"
            );
        }
        assert_eq!(Quantity::parse("-3"), Err(NumberError::Negative));
    }
}
