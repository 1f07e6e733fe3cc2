//! Personal fields of entries (ID numbers, telephone numbers): where each kind holds
//! them (declared beside the kind in `kinds.rs`), how readers see them masked, and the
//! salted commitments that the second canonical encoding hashes in their place.

use serde_json::Value;
use sha2::{Digest, Sha256};

use super::EntryKind;
use crate::domain::id_number::{mask as mask_id_number, mask_keeping};

/// How readers see a personal field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mask {
    /// An ID number: at least eight characters hidden, all but the first six and last
    /// four of one of eighteen (`610481********4310`), see `domain::id_number::mask`.
    IdNumber,
    /// A telephone number: at least four characters hidden, all but the first three
    /// and last four of one of eleven (`138****5678`), see [`mask_phone`].
    Phone,
}

impl Mask {
    /// The value as a reader sees it.
    pub fn apply(self, text: &str) -> String {
        match self {
            Mask::IdNumber => mask_id_number(text),
            Mask::Phone => mask_phone(text),
        }
    }
}

/// Characters of a telephone number that a mask always hides: as many as of a mobile
/// number (`138****5678`).
const PHONE_HIDDEN_AT_LEAST: usize = 4;

/// Masks a telephone number so that at least four of its characters are hidden: the
/// first three and last four characters of one of eleven or more stay; of a shorter one
/// (an 8-digit landline) only the last four, which would otherwise show all but one
/// (`876*4321`); one of seven characters or fewer is masked whole.
pub fn mask_phone(text: &str) -> String {
    mask_keeping(text, 3, PHONE_HIDDEN_AT_LEAST)
}

/// A personal field of a kind's data.
#[derive(Debug, Clone, Copy)]
pub struct PersonalField {
    /// Where it sits: keys joined by `.`, a key ending in `[]` standing for every
    /// element of the array it holds (`lines[].id_number`).
    pub path: &'static str,
    /// How readers see it.
    pub mask: Mask,
}

impl PersonalField {
    /// An ID number at `path`.
    pub const fn id_number(path: &'static str) -> Self {
        PersonalField {
            path,
            mask: Mask::IdNumber,
        }
    }

    /// A telephone number at `path`.
    pub const fn phone(path: &'static str) -> Self {
        PersonalField {
            path,
            mask: Mask::Phone,
        }
    }
}

/// Calls `visit` with the concrete path (`lines[2].id_number`) and the value of every
/// string found at `path` in `data`; absent fields and `null` are skipped.
fn each_at(data: &mut Value, path: &str, visit: &mut dyn FnMut(&str, &mut Value)) {
    fn walk(
        value: &mut Value,
        segments: &[&str],
        at: String,
        visit: &mut dyn FnMut(&str, &mut Value),
    ) {
        let Some((first, rest)) = segments.split_first() else {
            if value.is_string() {
                visit(&at, value);
            }
            return;
        };
        let join = |at: &str, key: &str| {
            if at.is_empty() {
                key.to_owned()
            } else {
                format!("{at}.{key}")
            }
        };
        if let Some(key) = first.strip_suffix("[]") {
            if let Some(Value::Array(items)) = value.get_mut(key) {
                for (i, item) in items.iter_mut().enumerate() {
                    walk(item, rest, join(&at, &format!("{key}[{i}]")), visit);
                }
            }
        } else if let Some(inner) = value.get_mut(*first) {
            walk(inner, rest, join(&at, first), visit);
        }
    }
    let segments: Vec<&str> = path.split('.').collect();
    walk(data, &segments, String::new(), visit);
}

fn personal_fields(kind: &str) -> &'static [PersonalField] {
    EntryKind::parse(kind).map_or(&[], |k| k.spec().personal)
}

/// The values of the personal fields (ID and phone numbers) of an entry of `kind` in
/// its stored `data`, those that are not empty.
pub fn personal_values(kind: &str, data: &Value) -> Vec<String> {
    let mut found = Vec::new();
    let mut data = data.clone();
    for field in personal_fields(kind) {
        each_at(&mut data, field.path, &mut |_, value| {
            if let Some(text) = value.as_str().filter(|text| !text.is_empty()) {
                found.push(text.to_owned());
            }
        });
    }
    found
}

/// Whether an entry of `kind` holds any personal field (an ID or phone number) with a
/// value in its stored `data`.
pub fn carries_personal(kind: &str, data: &Value) -> bool {
    !personal_values(kind, data).is_empty()
}

/// Masks, for readers, every personal field of an entry of `kind` in its stored data.
pub fn mask_for_readers(kind: &str, data: &mut Value) {
    for field in personal_fields(kind) {
        each_at(data, field.path, &mut |_, value| {
            if let Some(text) = value.as_str() {
                *value = Value::String(field.mask.apply(text));
            }
        });
    }
}

/// `hex(SHA-256(salt ‖ path ‖ value))`: what the second encoding hashes in place of a
/// personal value, `path` being its concrete path (`owner.id_number`).
pub fn commitment(salt: &[u8], path: &str, value: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(salt);
    hasher.update(path.as_bytes());
    hasher.update(value.as_bytes());
    hex::encode(hasher.finalize())
}

/// Replaces every personal field of an entry of `kind` in `data` by its commitment
/// under `salt`.
pub fn commit(kind: &str, data: &mut Value, salt: &[u8]) {
    for field in personal_fields(kind) {
        each_at(data, field.path, &mut |path, value| {
            if let Some(text) = value.as_str() {
                *value = Value::String(commitment(salt, path, text));
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn personal_fields_with_a_value_are_found() {
        let phone = json!({"custodian": "甲", "phone": "13812345678"});
        assert!(carries_personal("custodian_changed", &phone));
        assert!(!carries_personal(
            "custodian_changed",
            &json!({"custodian": "甲"})
        ));
        let village = json!({"owner": {"name": "村委会", "id_number": null}});
        assert!(!carries_personal("registered", &village));
        assert!(!carries_personal("income", &json!({"amount": "1.00"})));
    }

    #[test]
    fn phones_keep_three_and_four() {
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_phone("029-12345678"), "029*****5678");
        assert_eq!(mask_phone("87654321"), "****4321");
        assert_eq!(mask_phone("0291234567"), "******4567");
        assert_eq!(mask_phone("1234567"), "*******");
    }

    #[test]
    fn readers_see_every_personal_field_masked() {
        let mut transferred = json!({"owner": {"name": "张三", "type": "household", "id_number": "610481199003154318"}, "document_no": "X"});
        mask_for_readers("ownership_transferred", &mut transferred);
        assert_eq!(transferred["owner"]["id_number"], "610481********4318");
        let mut changed = json!({"custodian": "甲", "phone": "13812345678"});
        mask_for_readers("custodian_changed", &mut changed);
        assert_eq!(changed["phone"], "138****5678");
        let mut registered = json!({"owner": {"name": "村委会", "id_number": null}});
        mask_for_readers("registered", &mut registered);
        assert_eq!(registered["owner"]["id_number"], Value::Null);
    }

    #[test]
    fn arrays_of_personal_fields_are_reached_element_by_element() {
        let mut data = json!({"lines": [{"id_number": "a"}, {"id_number": "b"}, {}]});
        let mut seen = Vec::new();
        each_at(&mut data, "lines[].id_number", &mut |path, value| {
            seen.push((path.to_owned(), value.clone()));
            *value = json!("x");
        });
        assert_eq!(
            seen,
            [
                ("lines[0].id_number".to_owned(), json!("a")),
                ("lines[1].id_number".to_owned(), json!("b"))
            ]
        );
        assert_eq!(data["lines"][1]["id_number"], "x");
    }

    #[test]
    fn commitments_depend_on_salt_path_and_value() {
        let mut data = json!({"owner": {"id_number": "610481199003154318", "name": "张三"}});
        commit("registered", &mut data, &[1; 16]);
        assert_eq!(
            data["owner"]["id_number"],
            commitment(&[1; 16], "owner.id_number", "610481199003154318")
        );
        assert_ne!(
            commitment(&[1; 16], "owner.id_number", "610481199003154318"),
            commitment(&[2; 16], "owner.id_number", "610481199003154318")
        );
        assert_eq!(data["owner"]["name"], "张三");
    }
}
