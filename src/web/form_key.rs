//! The one-time key every write form carries: a UUID made when the page is rendered,
//! sent back in the hidden field `form_key` and passed on as the request's
//! `Idempotency-Key`, so that a form posted twice (a double tap on a slow network, a
//! post sent again) records once and the second answer says so. A form without the
//! field (a page rendered before forms carried it) writes as before, unkeyed.

use std::collections::HashMap;

use maud::{html, Markup};
use rocket::http::Status;

use super::pages::{message_page, PageError};
use crate::ledger::append::AppendError;

/// The name of the hidden field.
pub const FIELD: &str = "form_key";

/// What the page says when a form's key was answered before: nothing was written again.
pub const REPEATED: &str = "此表单已提交，未重复记录";

/// The query parameter value of a redirect after a repeated post (`?done=repeated`).
pub const REPEATED_DONE: &str = "repeated";

/// A new key for a form being rendered.
pub fn fresh() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// The hidden input that carries `key`.
pub fn hidden(key: &str) -> Markup {
    html! { input type="hidden" name=(FIELD) value=(key); }
}

/// A hidden input with a fresh key.
pub fn fresh_hidden() -> Markup {
    hidden(&fresh())
}

/// Whether `key` is one the API takes as an `Idempotency-Key`: 1 to 200 visible ASCII
/// characters.
fn well_formed(key: &str) -> bool {
    !key.is_empty() && key.len() <= 200 && key.chars().all(|c| c.is_ascii_graphic())
}

/// Checks a posted key: `None` when the form sent none (or an empty one).
///
/// Fails (400 page naming the field) when the key is not 1 to 200 visible ASCII
/// characters: nothing is written.
pub fn checked(value: Option<&str>) -> Result<Option<String>, PageError> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(key) if well_formed(key) => Ok(Some(key.to_owned())),
        Some(_) => Err(message_page(
            Status::BadRequest,
            "表单无效",
            "表单的一次性提交键（form_key）应为 1 至 200 个可见 ASCII 字符；请重新打开页面填写",
            ("/", "返回首页"),
        )),
    }
}

/// Takes the key out of a form's fields (so that it is not read as one of them).
///
/// Fails as [`checked`] does.
pub fn take(values: &mut HashMap<String, String>) -> Result<Option<String>, PageError> {
    checked(values.remove(FIELD).as_deref())
}

/// A form's fields other than its key as canonical JSON (sorted by name): what a
/// repeated post must send again to be answered as the first.
pub fn canonical(values: &HashMap<String, String>) -> String {
    let sorted: std::collections::BTreeMap<&String, &String> =
        values.iter().filter(|(name, _)| *name != FIELD).collect();
    serde_json::json!(sorted).to_string()
}

/// What the page says when a form's key was sent before with other content: nothing
/// was written.
pub const REUSED: &str =
    "此表单已提交过，但这次的内容与当时不同，未记录；请重新打开页面，在新的表单中填写";

/// Why a keyed write of a page wrote nothing: its own refusal, its form's key sent
/// before with other content, or a failure of the key's bookkeeping.
#[derive(Debug)]
pub enum Refused<E> {
    /// The write refused (its rules, or the database).
    Write(E),
    /// The key was used before with other content ([`REUSED`]).
    Reused,
    /// The key could not be looked up or kept.
    Failed(String),
}

impl<E: From<diesel::result::Error>> From<diesel::result::Error> for Refused<E> {
    fn from(error: diesel::result::Error) -> Self {
        Refused::Write(E::from(error))
    }
}

impl<E> From<AppendError> for Refused<E> {
    fn from(error: AppendError) -> Self {
        match error {
            AppendError::IdempotencyKeyReused => Refused::Reused,
            other => Refused::Failed(other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fresh_key_is_a_uuid_in_a_hidden_input() {
        let key = fresh();
        assert!(uuid::Uuid::parse_str(&key).is_ok(), "{key}");
        assert_ne!(key, fresh());
        assert_eq!(
            hidden("k\"<").into_string(),
            "<input type=\"hidden\" name=\"form_key\" value=\"k&quot;&lt;\">"
        );
    }

    #[test]
    fn a_key_is_taken_out_of_the_fields_and_checked() {
        let mut values = HashMap::from([
            ("form_key".to_owned(), " abc ".to_owned()),
            ("note".to_owned(), "x".to_owned()),
        ]);
        assert_eq!(take(&mut values).ok(), Some(Some("abc".to_owned())));
        assert!(!values.contains_key(FIELD));
        assert_eq!(take(&mut values).ok(), Some(None));
        assert_eq!(checked(Some("")).ok(), Some(None));
        let refused = checked(Some("键")).expect_err("refused");
        assert_eq!(refused.status(), Status::BadRequest);
        assert!(checked(Some(&"k".repeat(201))).is_err());
    }

    #[test]
    fn the_canonical_fields_are_sorted_and_leave_the_key_out() {
        let values = HashMap::from([
            ("b".to_owned(), "2".to_owned()),
            ("a".to_owned(), "1".to_owned()),
            (FIELD.to_owned(), "k".to_owned()),
        ]);
        assert_eq!(canonical(&values), r#"{"a":"1","b":"2"}"#);
    }
}
