//! How the text-valued domain types travel in JSON (the API, stored entry data): as the
//! text their `Display` prints, read back by their `FromStr`. Serde's impls come from
//! `serde_with`'s `SerializeDisplay` and `DeserializeFromStr` derives and the JSON
//! schema from schemars' derive (`#[schemars(with = "String", …)]`), so each type states
//! only its printed form, how to read it, and what its schema adds to a string.

/// Text that is not the written form of a domain value: what the value is (金额), the
/// text given, and why it was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} {text:?} {why}")]
pub struct WireError {
    what: &'static str,
    text: String,
    why: String,
}

impl WireError {
    /// `text`, given as a `what`, refused for `why`.
    pub fn new(what: &'static str, text: &str, why: impl std::fmt::Display) -> Self {
        WireError {
            what,
            text: text.to_owned(),
            why: why.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde::de::DeserializeOwned;
    use serde_json::{json, Value};

    use crate::domain::{BusinessDate, IdNumber, ProjectCode, Quantity, Yuan};

    /// What reading `value` as a `T` answers: the value printed again, or the refusal.
    fn read<T: DeserializeOwned + serde::Serialize>(value: Value) -> Result<Value, String> {
        serde_json::from_value::<T>(value)
            .map(|read| serde_json::to_value(read).unwrap_or_default())
            .map_err(|e| e.to_string())
    }

    #[test]
    fn each_value_travels_as_the_text_it_prints() {
        for (read, printed) in [
            (read::<Yuan>(json!("1200.50")), "1200.50"),
            (read::<Yuan>(json!("1,200.5")), "1200.50"),
            (read::<BusinessDate>(json!("2020-03-05")), "2020-03-05"),
            (read::<ProjectCode>(json!(" XP-1 ")), "XP-1"),
            (read::<Quantity>(json!("2.50")), "2.5"),
            (
                read::<IdNumber>(json!("11010519491231002x")),
                "11010519491231002X",
            ),
        ] {
            assert_eq!(read, Ok(json!(printed)));
        }
    }

    #[test]
    fn a_refusal_says_what_was_given_and_why() {
        for (refusal, message) in [
            (read::<Yuan>(json!("-1")), "金额 \"-1\" 不能为负数"),
            (
                read::<BusinessDate>(json!("2020/3/5")),
                "日期 \"2020/3/5\" 应写成 YYYY-MM-DD",
            ),
            (read::<ProjectCode>(json!("")), "项目编号 \"\" 无效：Empty"),
            (read::<Quantity>(json!("x")), "数量 \"x\" 不是有效的数字"),
            (
                read::<IdNumber>(json!("6104-81")),
                "证件号只能包含数字和字母，且不超过 32 位",
            ),
            (
                read::<Yuan>(json!(12.5)),
                "invalid type: floating point `12.5`, expected a string",
            ),
        ] {
            assert_eq!(refusal, Err(message.to_owned()));
        }
    }
}
