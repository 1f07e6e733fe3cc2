//! A JSON body read strictly: an object that names a key twice is refused, as a query
//! parameter given twice is — which of two amounts was meant is not ours to guess —
//! where `serde_json`'s own `Value` would keep the last one in silence.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

/// Parses `bytes` as one JSON value, as `serde_json::from_slice` does.
///
/// Fails as `serde_json::from_slice` does, and when an object names a key twice (the
/// error names the key, with its line and column).
pub fn from_slice(bytes: &[u8]) -> Result<Value, serde_json::Error> {
    serde_json::from_slice::<Strict>(bytes).map(|strict| strict.0)
}

/// A JSON value none of whose objects names a key twice.
struct Strict(Value);

impl<'de> Deserialize<'de> for Strict {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(StrictVisitor).map(Strict)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a JSON value")
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<Value, E> {
        Ok(Value::Bool(value))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Value, E> {
        Ok(Value::from(value))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Value, E> {
        Ok(Value::from(value))
    }

    // A JSON number with a fraction, as `Value` holds it; the parsers refuse a number
    // where an amount belongs (amounts are strings), so none reaches the register.
    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Value, E> {
        Ok(Value::from(value))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Value, E> {
        Ok(Value::String(value.to_owned()))
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<Value, E> {
        Ok(Value::String(value))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        Strict::deserialize(deserializer).map(|strict| strict.0)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(Strict(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if object.contains_key(&key) {
                return Err(de::Error::custom(format_args!("字段 {key} 出现了不止一次")));
            }
            let Strict(value) = map.next_value()?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_given_twice_is_refused_at_any_depth_and_named() {
        for body in [
            r#"{"amount": "1.00", "amount": "999.00"}"#,
            r#"{"lines": [{"name": "张三", "amount": "1.00", "amount": "2.00"}]}"#,
        ] {
            let error = from_slice(body.as_bytes()).expect_err(body);
            assert!(
                error.to_string().starts_with("字段 amount 出现了不止一次"),
                "{error}"
            );
        }
    }

    #[test]
    fn every_other_body_reads_as_serde_json_reads_it() {
        for body in [
            r#"{"a": [1, -2, 3.5, true, null, "x"], "b": {"c": {}}, "d": []}"#,
            r#"[{"k": 1}, {"k": 2}]"#,
            r#""text""#,
            "18446744073709551615",
        ] {
            let strict = from_slice(body.as_bytes()).expect(body);
            let plain: Value = serde_json::from_str(body).expect(body);
            assert_eq!(strict, plain);
        }
        assert!(from_slice(b"{\"a\": }").is_err());
    }
}
