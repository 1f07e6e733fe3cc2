//! Parsing query parameters, with a 400 that names the parameter for anything invalid.

use super::error::ApiError;
use crate::domain::{AssetClass, AssetStatus, BusinessDate, OwnerType};

/// The page size when none is asked.
pub const DEFAULT_LIMIT: i64 = 100;
/// The largest page.
pub const MAX_LIMIT: i64 = 1000;

fn bad(parameter: &'static str, detail: String) -> ApiError {
    ApiError::BadParameter { parameter, detail }
}

/// A key in a path (`/assets/{key}`): one with control characters names nothing.
pub fn key(value: &str) -> Result<String, ApiError> {
    if value.chars().any(char::is_control) || value.chars().count() > 200 {
        return Err(ApiError::NotFound(format!(
            "没有“{}”",
            value.escape_default()
        )));
    }
    Ok(value.to_owned())
}

/// `limit`: 1 to 1000, default 100.
pub fn limit(value: Option<&str>) -> Result<i64, ApiError> {
    match value {
        None => Ok(DEFAULT_LIMIT),
        Some(text) => match text.parse::<i64>() {
            Ok(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
            _ => Err(bad(
                "limit",
                format!("limit 应为 1 至 {MAX_LIMIT} 之间的整数，收到“{text}”"),
            )),
        },
    }
}

/// An opaque cursor: the last key of the previous page.
pub fn cursor(value: Option<&str>) -> Result<Option<String>, ApiError> {
    let Some(text) = value else {
        return Ok(None);
    };
    decode_cursor_text(text).map(Some).ok_or_else(|| {
        bad(
            "cursor",
            "cursor 无效：请使用上一页响应中的 next_cursor".to_owned(),
        )
    })
}

/// Decodes a cursor's key; `None` when it is not one.
pub fn decode_cursor_text(text: &str) -> Option<String> {
    text.strip_prefix("c1.")
        .and_then(|h| hex::decode(h).ok())
        .and_then(|bytes| String::from_utf8(bytes).ok())
}

/// The cursor of a newest-first list: the `(created_at, id)` of the last row seen.
pub fn time_cursor(value: Option<&str>) -> Result<Option<(String, String)>, ApiError> {
    cursor(value)?
        .map(|key| {
            key.split_once('|')
                .map(|(at, id)| (at.to_owned(), id.to_owned()))
                .ok_or_else(|| {
                    bad(
                        "cursor",
                        "cursor 无效：请使用上一页响应中的 next_cursor".to_owned(),
                    )
                })
        })
        .transpose()
}

/// The key of a row in a newest-first list (import batches, declarations), which
/// [`time_cursor`] reads back.
pub fn time_key(created_at: &str, id: &str) -> String {
    format!("{created_at}|{id}")
}

/// Encodes the last key of a page as a cursor.
pub fn encode_cursor(key: &str) -> String {
    format!("c1.{}", hex::encode(key))
}

/// The text of the asset filters as the query carries them.
#[derive(Debug, Clone, Copy, Default)]
pub struct AssetFilterText<'a> {
    /// `class`.
    pub class: Option<&'a str>,
    /// `town`.
    pub town: Option<&'a str>,
    /// `village`.
    pub village: Option<&'a str>,
    /// `owner`.
    pub owner: Option<&'a str>,
    /// `owner_type`.
    pub owner_type: Option<&'a str>,
    /// `status`.
    pub status: Option<&'a str>,
    /// `project`.
    pub project: Option<&'a str>,
    /// `q`.
    pub q: Option<&'a str>,
}

/// Parses the asset filters, naming the first bad parameter.
pub fn asset_filter(
    text: AssetFilterText<'_>,
) -> Result<crate::register::query::AssetFilter, ApiError> {
    Ok(crate::register::query::AssetFilter {
        class: class(text.class)?,
        town: self::text("town", text.town)?,
        village: self::text("village", text.village)?,
        owner: self::text("owner", text.owner)?,
        owner_type: owner_type(text.owner_type)?,
        status: status(text.status)?,
        project: self::text("project", text.project)?,
        q: self::text("q", text.q)?,
    })
}

/// A class filter.
pub fn class(value: Option<&str>) -> Result<Option<AssetClass>, ApiError> {
    value
        .map(|text| {
            AssetClass::parse(text).ok_or_else(|| {
                bad(
                    "class",
                    format!("class 应为 operating、public_welfare 或 household，收到“{text}”"),
                )
            })
        })
        .transpose()
}

/// An owner type filter.
pub fn owner_type(value: Option<&str>) -> Result<Option<OwnerType>, ApiError> {
    value
        .map(|text| {
            OwnerType::parse(text).ok_or_else(|| {
                bad("owner_type", format!("owner_type 应为 village_collective、household、government、enterprise 或 other，收到“{text}”"))
            })
        })
        .transpose()
}

/// A status filter.
pub fn status(value: Option<&str>) -> Result<Option<AssetStatus>, ApiError> {
    value
        .map(|text| {
            AssetStatus::parse(text).ok_or_else(|| {
                bad(
                    "status",
                    format!("status 应为 registered、confirmed 或 disposed，收到“{text}”"),
                )
            })
        })
        .transpose()
}

/// A `YYYY-MM-DD` date.
pub fn date(
    parameter: &'static str,
    value: Option<&str>,
) -> Result<Option<BusinessDate>, ApiError> {
    value
        .map(|text| {
            BusinessDate::parse_iso(text).ok_or_else(|| {
                bad(
                    parameter,
                    format!("{parameter} 应为 YYYY-MM-DD 格式的日期，收到“{text}”"),
                )
            })
        })
        .transpose()
}

/// A year.
pub fn year(value: Option<&str>) -> Result<Option<i32>, ApiError> {
    value
        .map(|text| match text.parse::<i32>() {
            Ok(y) if (1900..=9999).contains(&y) => Ok(y),
            _ => Err(bad("year", format!("year 应为四位年份，收到“{text}”"))),
        })
        .transpose()
}

/// A non-negative `seq`.
pub fn seq(parameter: &'static str, value: Option<&str>) -> Result<i64, ApiError> {
    match value {
        None => Ok(0),
        Some(text) => match text.parse::<i64>() {
            Ok(n) if n >= 0 => Ok(n),
            _ => Err(bad(
                parameter,
                format!("{parameter} 应为非负整数，收到“{text}”"),
            )),
        },
    }
}

/// A text filter: trimmed, empty means none, at most 200 characters, no control
/// characters (a NUL would not even reach PostgreSQL).
pub fn text(parameter: &'static str, value: Option<&str>) -> Result<Option<String>, ApiError> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) if text.chars().any(char::is_control) => {
            Err(bad(parameter, format!("{parameter} 不能含有控制字符")))
        }
        Some(text) if text.chars().count() > 200 => {
            Err(bad(parameter, format!("{parameter} 不能超过 200 个字符")))
        }
        Some(text) => Ok(Some(text.to_owned())),
    }
}
