//! How each typed query parameter reads its text: Rocket's `FromFormField` for the domain
//! types the queries take (kept here, so that `domain` knows nothing of Rocket) and for
//! the thin wrappers of values that are only query parameters. Each refusal says, in
//! Chinese, what the parameter should be and what it got.

use rocket::form::{self, FromFormField, ValueField};

use crate::domain::{
    AssetClass, AssetCondition, AssetStatus, BusinessDate, DateError, OperatingMode, OwnerType,
    Vocabulary,
};
use crate::export::ExportEncoding;
use crate::ledger::verify::Pin;
use crate::paging::{Cursor, CursorKey, Limit};
use crate::reconcile::findings::{FindingKind, KINDS};
use crate::register::totals::GroupBy;

/// The longest text filter, in characters.
pub const MAX_TEXT: usize = 200;

/// The parameter's name, as the query string writes it.
fn name<'v>(field: &ValueField<'v>) -> &'v str {
    field.name.source().as_str()
}

/// Parses the field with `parse`, or refuses it with the detail `expected` writes from
/// the parameter's name and its value.
fn parse_or<'v, T>(
    field: ValueField<'v>,
    parse: impl FnOnce(&str) -> Option<T>,
    expected: impl FnOnce(&str, &str) -> String,
) -> form::Result<'v, T> {
    parse(field.value)
        .ok_or_else(|| form::Error::validation(expected(name(&field), field.value)).into())
}

/// Parses a member of a closed vocabulary by its code (or another of its spellings), or
/// refuses it naming the codes.
fn member_of<'v, T: Vocabulary>(field: ValueField<'v>) -> form::Result<'v, T> {
    parse_or(field, T::parse, |name, value| {
        format!("{name} 应为 {}，收到“{value}”", T::codes_listed())
    })
}

/// Each closed vocabulary a query takes reads as a member of it ([`member_of`]).
macro_rules! vocabulary_fields {
    ($($vocabulary:ty),+) => {$(
        impl<'v> FromFormField<'v> for $vocabulary {
            fn from_value(field: ValueField<'v>) -> form::Result<'v, Self> {
                member_of(field)
            }
        }
    )+};
}

vocabulary_fields!(
    AssetClass,
    OwnerType,
    AssetCondition,
    OperatingMode,
    AssetStatus
);

impl<'v> FromFormField<'v> for BusinessDate {
    fn from_value(field: ValueField<'v>) -> form::Result<'v, Self> {
        BusinessDate::parse_iso(field.value).map_err(|e| {
            let (name, value) = (name(&field), field.value);
            let detail = match e {
                DateError::Malformed => format!("{name} 应为 YYYY-MM-DD 格式的日期，收到“{value}”"),
                DateError::OutOfRange => format!("{name}“{value}”{}", DateError::range()),
            };
            form::Error::validation(detail).into()
        })
    }
}

impl<'v> FromFormField<'v> for Pin {
    fn from_value(field: ValueField<'v>) -> form::Result<'v, Self> {
        parse_or(
            field,
            |text| text.parse().ok(),
            |name, value| {
                format!("{name} 应为报告所印的链头 SEQ:HASH（非负整数、冒号、64 位小写十六进制），收到“{value}”")
            },
        )
    }
}

impl<'v> FromFormField<'v> for GroupBy {
    fn from_value(field: ValueField<'v>) -> form::Result<'v, Self> {
        parse_or(field, GroupBy::parse, |name, value| {
            format!("{name} 只能是 class、town、village、year、department 或 funding_channel，收到“{value}”")
        })
    }
}

impl<'v> FromFormField<'v> for ExportEncoding {
    fn from_value(field: ValueField<'v>) -> form::Result<'v, Self> {
        parse_or(field, ExportEncoding::parse, |name, value| {
            format!("{name} 只能是 utf-8 或 gbk，收到“{value}”")
        })
    }
}

impl<'v> FromFormField<'v> for FindingKind {
    fn from_value(field: ValueField<'v>) -> form::Result<'v, Self> {
        parse_or(field, FindingKind::parse, |name, value| {
            format!("{name} 应为 {} 之一，收到“{value}”", KINDS.join("、"))
        })
    }
}

impl<'v> FromFormField<'v> for Limit {
    fn from_value(field: ValueField<'v>) -> form::Result<'v, Self> {
        parse_or(
            field,
            |text| text.parse().ok().and_then(Limit::new),
            |name, value| format!("{name} 应为 1 至 {} 之间的整数，收到“{value}”", Limit::MAX),
        )
    }
}

impl<'v, K: CursorKey + Send> FromFormField<'v> for Cursor<K> {
    fn from_value(field: ValueField<'v>) -> form::Result<'v, Self> {
        parse_or(field, Cursor::parse, |name, _| {
            format!("{name} 无效：请使用上一页响应中的 next_cursor")
        })
    }
}

/// A text filter (town, village, owner, project, `q`): trimmed, at most [`MAX_TEXT`]
/// characters, no control characters (a NUL would not even reach PostgreSQL). It may be
/// empty, which filters nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterText(String);

impl FilterText {
    /// The text, unless it is empty.
    pub fn non_empty(self) -> Option<String> {
        (!self.0.is_empty()).then_some(self.0)
    }

    /// The text, empty or not (where a blank value means something of its own).
    pub fn into_text(self) -> String {
        self.0
    }
}

impl<'v> FromFormField<'v> for FilterText {
    fn from_value(field: ValueField<'v>) -> form::Result<'v, Self> {
        let text = field.value.trim();
        let refusal = if text.chars().any(char::is_control) {
            "不能含有控制字符".to_owned()
        } else if text.chars().count() > MAX_TEXT {
            format!("不能超过 {MAX_TEXT} 个字符")
        } else {
            return Ok(FilterText(text.to_owned()));
        };
        Err(form::Error::validation(format!("{} {refusal}", name(&field))).into())
    }
}

/// A year filter: four digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct YearFilter(i32);

impl YearFilter {
    /// The year.
    pub fn get(self) -> i32 {
        self.0
    }
}

impl<'v> FromFormField<'v> for YearFilter {
    fn from_value(field: ValueField<'v>) -> form::Result<'v, Self> {
        parse_or(
            field,
            |text| {
                text.parse()
                    .ok()
                    .filter(|y| (1900..=9999).contains(y))
                    .map(YearFilter)
            },
            |name, value| format!("{name} 应为四位年份，收到“{value}”"),
        )
    }
}

/// A position in the ledger: a non-negative `seq`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seq(i64);

impl Seq {
    /// The position.
    pub fn get(self) -> i64 {
        self.0
    }
}

impl<'v> FromFormField<'v> for Seq {
    fn from_value(field: ValueField<'v>) -> form::Result<'v, Self> {
        parse_or(
            field,
            |text| text.parse().ok().filter(|n| *n >= 0).map(Seq),
            |name, value| format!("{name} 应为非负整数，收到“{value}”"),
        )
    }
}

/// A yes-or-no parameter: `true` or `false` (also `1` or `0`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flag(bool);

impl Flag {
    /// Whether it says yes.
    pub fn get(self) -> bool {
        self.0
    }
}

impl<'v> FromFormField<'v> for Flag {
    fn from_value(field: ValueField<'v>) -> form::Result<'v, Self> {
        parse_or(
            field,
            |text| match text {
                "true" | "1" => Some(Flag(true)),
                "false" | "0" => Some(Flag(false)),
                _ => None,
            },
            |name, value| format!("{name} 只能是 true 或 false，收到“{value}”"),
        )
    }
}
