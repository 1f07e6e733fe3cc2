//! Each kind parses, stores, reads back and reads out as it should: a sample per kind
//! with the exact text it stores (what the hash covers) and its timeline line; the
//! descriptions agree with the typed data; every entry the previous release stored
//! reads back to the same text; and any valid body built from the descriptions
//! survives parse → store → read unchanged.

use proptest::prelude::*;
use schemars::generate::SchemaSettings;
use serde_json::{json, Map, Value};

use super::field::{Field, Input};
use super::{parse_entry, schema, EntryData, EntryKind};
use crate::domain::dates::today_in_china;
use crate::domain::{OwnerType, Vocabulary};

/// A kind's sample: the body's fields (`None` for a kind only an import writes), the
/// data it stores, byte for byte, and its line in the timeline (ID numbers masked).
struct Sample {
    kind: EntryKind,
    body: Option<Value>,
    stored: &'static str,
    summary: &'static str,
}

fn samples() -> Vec<Sample> {
    let sample = |kind, body, stored, summary| Sample {
        kind,
        body,
        stored,
        summary,
    };
    vec![
        sample(
            EntryKind::Registered,
            None,
            r#"{"certificate_no":null,"class":"household","confirmed_on":"2020-06-01","custodian":"张三","name":"基础母牛","owner":{"id_number":"610481199003154318","name":"张三","type":"household"},"project_code":"FX-P2","quantity":"3","status":"confirmed","town":"马嵬街道","unit":"头","value":"30000.00","village":"李村"}"#,
            "登记：价值 30,000.00 元，所有权人 张三",
        ),
        sample(
            EntryKind::OwnershipConfirmed,
            Some(json!({"confirmed_on": "2020-05-01", "certificate_no": " QZ-002 "})),
            r#"{"certificate_no":"QZ-002","confirmed_on":"2020-05-01"}"#,
            "2020-05-01，QZ-002",
        ),
        sample(
            EntryKind::HandedOver,
            Some(
                json!({"from": "店张街道办", "to": "王寨村村民委员会", "document_no": "YJ-2020-1"}),
            ),
            r#"{"document_no":"YJ-2020-1","from":"店张街道办","to":"王寨村村民委员会"}"#,
            "店张街道办 → 王寨村村民委员会（YJ-2020-1）",
        ),
        sample(
            EntryKind::CustodianChanged,
            Some(
                json!({"custodian": "王寨村光伏合作社", "responsible_person": "王五", "phone": "13800138000"}),
            ),
            r#"{"custodian":"王寨村光伏合作社","phone":"13800138000","responsible_person":"王五"}"#,
            "管护主体：王寨村光伏合作社",
        ),
        sample(
            EntryKind::Maintenance,
            Some(
                json!({"description": "清洗组件", "cost": "1,200.5", "performed_by": "县光伏公司"}),
            ),
            r#"{"cost":"1200.50","description":"清洗组件","performed_by":"县光伏公司"}"#,
            "清洗组件，费用 1,200.50 元",
        ),
        sample(
            EntryKind::Maintenance,
            Some(json!({"description": "修补路面", "cost": null})),
            r#"{"description":"修补路面"}"#,
            "修补路面",
        ),
        sample(
            EntryKind::Inspection,
            Some(json!({"result": "idle", "note": "路面开裂"})),
            r#"{"note":"路面开裂","result":"idle"}"#,
            "结果：闲置，路面开裂",
        ),
        sample(
            EntryKind::OwnershipTransferred,
            Some(
                json!({"owner": {"name": "张四", "type": "农户", "id_number": "11010519491231002x"}, "document_no": "ZR-1"}),
            ),
            r#"{"document_no":"ZR-1","owner":{"id_number":"11010519491231002X","name":"张四","type":"household"}}"#,
            "新所有权人：张四（农户），证件号 110105********002X",
        ),
        sample(
            EntryKind::OwnershipTransferred,
            Some(
                json!({"owner": {"name": "王寨村集体经济合作社", "type": "village_collective"}, "document_no": "ZR-2"}),
            ),
            r#"{"document_no":"ZR-2","owner":{"id_number":null,"name":"王寨村集体经济合作社","type":"village_collective"}}"#,
            "新所有权人：王寨村集体经济合作社（村集体）",
        ),
        sample(
            EntryKind::Income,
            Some(json!({"amount": "36000", "period": "2021"})),
            r#"{"amount":"36000.00","period":"2021"}"#,
            "36,000.00 元（2021）",
        ),
        sample(
            EntryKind::IncomeDistributed,
            Some(
                json!({"amount": "10000", "period": "2021", "recipients": 12, "notice_date": "2022-01-05"}),
            ),
            r#"{"amount":"10000.00","notice_date":"2022-01-05","period":"2021","recipients":12}"#,
            "10,000.00 元（2021）",
        ),
        sample(
            EntryKind::IncomeDistributed,
            Some(json!({"amount": "5000.00", "period": "2021", "recipients": " 全村脱贫户 "})),
            r#"{"amount":"5000.00","period":"2021","recipients":"全村脱贫户"}"#,
            "5,000.00 元（2021）",
        ),
        sample(
            EntryKind::IncomeDistributed,
            Some(json!({"amount": "3000.00", "period": "2021", "recipients": ["张三", "李四"]})),
            r#"{"amount":"3000.00","period":"2021","recipients":["张三","李四"]}"#,
            "3,000.00 元（2021）",
        ),
        sample(
            EntryKind::IncomeDistributed,
            Some(
                json!({"amount": "3,000.50", "period": "2022", "recipients": 2, "lines": [
                    {"name": " 张三 ", "id_number": "11010519491231002x", "amount": "1000.5", "paid_on": "2023-01-10"},
                    {"name": "李四", "amount": "2000"}
                ]}),
            ),
            r#"{"amount":"3000.50","lines":[{"amount":"1000.50","id_number":"11010519491231002X","name":"张三","paid_on":"2023-01-10"},{"amount":"2000.00","name":"李四"}],"period":"2022","recipients":2}"#,
            "3,000.50 元（2022），分户明细 2 户",
        ),
        sample(
            EntryKind::ValueAdjusted,
            Some(json!({"value": "750000", "reason": "评估减值"})),
            r#"{"reason":"评估减值","value":"750000.00"}"#,
            "价值调整为 750,000.00 元：评估减值",
        ),
        sample(
            EntryKind::Disposed,
            Some(json!({"method": "loss", "approval_no": "CZ-2023-2"})),
            r#"{"approval_no":"CZ-2023-2","method":"loss"}"#,
            "方式：灭失，批文 CZ-2023-2",
        ),
        sample(
            EntryKind::ContractSigned,
            Some(
                json!({"mode": "lease", "counterparty": " 县茶业公司 ", "starts_on": "2021-01-01", "ends_on": "2025-12-31", "annual_amount": "36,000", "document_no": "ZL-2021-1"}),
            ),
            r#"{"annual_amount":"36000.00","counterparty":"县茶业公司","document_no":"ZL-2021-1","ends_on":"2025-12-31","mode":"lease","starts_on":"2021-01-01"}"#,
            "租赁给 县茶业公司，2021-01-01 至 2025-12-31，每年 36,000.00 元，合同编号 ZL-2021-1",
        ),
        sample(
            EntryKind::ContractEnded,
            Some(json!({"reason": "承租方违约"})),
            r#"{"reason":"承租方违约"}"#,
            "合同终止：承租方违约",
        ),
        sample(
            EntryKind::Correction,
            Some(json!({"corrects": 18, "reason": "处置批复撤销"})),
            r#"{"corrects":18,"reason":"处置批复撤销"}"#,
            "更正第 18 条：处置批复撤销",
        ),
    ]
}

fn masked(id: &crate::domain::IdNumber) -> String {
    id.masked()
}

#[test]
fn every_kind_has_a_sample_and_every_sample_a_listed_kind() {
    let samples = samples();
    for kind in EntryKind::ALL {
        assert!(samples.iter().any(|s| s.kind == *kind), "{kind:?}");
    }
    for sample in &samples {
        assert!(EntryKind::ALL.contains(&sample.kind), "{:?}", sample.kind);
    }
}

#[test]
fn each_sample_parses_to_its_stored_text_and_reads_back_to_it() {
    for sample in samples() {
        let name = sample.kind.as_str();
        let read = EntryData::from_stored(name, sample.stored).expect(sample.stored);
        assert_eq!(read.kind(), sample.kind);
        assert_eq!(read.to_stored(), sample.stored, "{name}");
        assert_eq!(read.summary(&masked), sample.summary, "{name}");
        let Some(Value::Object(fields)) = sample.body else {
            assert!(!sample.kind.appendable(), "{name} has no body");
            continue;
        };
        let mut body = fields;
        body.insert("kind".into(), json!(name));
        body.insert("occurred_on".into(), json!("2021-05-01"));
        let parsed = parse_entry(&Value::Object(body)).expect(name);
        assert_eq!(parsed.kind(), sample.kind);
        assert_eq!(parsed.data.to_stored(), sample.stored, "{name}");
        assert_eq!(parsed.data, read, "{name}");
    }
}

#[test]
fn each_kind_names_the_fields_its_data_has() {
    let mut generator = SchemaSettings::draft2020_12().into_generator();
    let variants = schema::variants(&mut generator);
    assert_eq!(variants.len(), EntryKind::ALL.len());
    for variant in variants {
        let kind = variant.kind;
        let mut described: Vec<&str> = kind.fields().iter().map(|f| f.name).collect();
        // `approvals` is written by the last approval of a proposal, never sent.
        let mut typed: Vec<&str> = variant
            .properties
            .keys()
            .map(String::as_str)
            .filter(|name| *name != "approvals")
            .collect();
        described.sort_unstable();
        typed.sort_unstable();
        assert_eq!(described, typed, "{kind:?}");
        let mut required: Vec<&str> = kind
            .fields()
            .iter()
            .filter(|f| f.required)
            .map(|f| f.name)
            .collect();
        let mut typed_required: Vec<&str> =
            variant.required.iter().filter_map(Value::as_str).collect();
        required.sort_unstable();
        typed_required.sort_unstable();
        assert_eq!(required, typed_required, "{kind:?}");
        assert!(!kind.label().is_empty());
    }
    let mut names: Vec<&str> = EntryKind::ALL.iter().map(|k| k.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), EntryKind::ALL.len());
}

#[test]
fn every_entry_the_previous_release_stored_reads_back_to_the_same_text() {
    let events: Value = serde_json::from_str(include_str!(
        "../../../tests/fixtures/register_v1/events.json"
    ))
    .expect("fixture");
    let items = events["items"].as_array().cloned().unwrap_or_default();
    assert!(items.len() >= EntryKind::ALL.len());
    for item in items {
        let kind = item["kind"].as_str().unwrap_or_default();
        let stored = item["data"].to_string();
        let read = EntryData::from_stored(kind, &stored).expect(&stored);
        assert_eq!(read.to_stored(), stored);
    }
}

/// A value of `input` as a clerk may write it.
fn valid(input: Input) -> BoxedStrategy<Value> {
    let text = "[ ]{0,2}[a-z0-9\u{4e00}-\u{4e0f}][^\u{0}-\u{1f}\u{7f}-\u{9f}\u{61c}\u{200e}\u{200f}\u{202a}-\u{202e}\u{2066}-\u{2069}]{0,12}";
    match input {
        Input::Text => text.prop_map(Value::from).boxed(),
        Input::Money => (0i64..10_000_000_000, 0usize..3)
            .prop_map(|(fen, form)| match form {
                0 => format!("{}.{:02}", fen / 100, fen % 100),
                1 => format!("{}", fen / 100),
                _ => format!("{}.{}", fen / 100, fen % 100 / 10),
            })
            .prop_map(Value::from)
            .boxed(),
        Input::Date | Input::PastDate => (0i64..20_000)
            .prop_map(|back| {
                let day = today_in_china() - chrono::Days::new(back.unsigned_abs());
                Value::from(day.format("%Y-%m-%d").to_string())
            })
            .boxed(),
        // Later than any `Date` drawn, so that a contract ends after it starts.
        Input::TermDate => (1u64..20_000)
            .prop_map(|ahead| {
                let day = (today_in_china() + chrono::Days::new(ahead))
                    .min(chrono::NaiveDate::from_ymd_opt(2099, 12, 31).unwrap_or_default());
                Value::from(day.format("%Y-%m-%d").to_string())
            })
            .boxed(),
        Input::Choice(choices) => {
            let codes: Vec<Value> = choices()
                .into_iter()
                .map(|(code, _)| Value::from(code))
                .collect();
            proptest::sample::select(codes).boxed()
        }
        // Codes only: `registered` data is read by serde, which takes no label (the
        // parser's taking labels is in the samples).
        Input::OwnerType => {
            let codes: Vec<Value> = OwnerType::ALL
                .iter()
                .map(|t| Value::from(t.as_str()))
                .collect();
            proptest::sample::select(codes).boxed()
        }
        Input::IdNumber => proptest::sample::select(vec![
            json!("11010519491231002X"),
            json!("11010519491231002x"),
            json!("91610481MA6XA1234B"),
        ])
        .boxed(),
        Input::ProjectCode => "[A-Z]{2}[0-9-]{1,10}".prop_map(Value::from).boxed(),
        Input::Quantity => "[1-9][0-9]{0,4}(\\.[0-9]{1,3})?"
            .prop_map(Value::from)
            .boxed(),
        Input::Seq => (1i64..i64::MAX).prop_map(Value::from).boxed(),
        Input::Count => any::<u32>().prop_map(Value::from).boxed(),
        Input::Recipients => prop_oneof![
            any::<u64>().prop_map(Value::from),
            text.prop_map(Value::from),
            proptest::collection::vec(text, 1..4).prop_map(Value::from),
        ]
        .boxed(),
        Input::Group(fields) => object(fields).prop_map(Value::Object).boxed(),
        // Lines must add up to the entry's amount, which a field alone cannot know:
        // the samples and the parser's tests cover them.
        Input::Lines(_) => Just(Value::Null).boxed(),
    }
}

/// An object with every required field of `fields` and some of the optional ones.
fn object(fields: &'static [Field]) -> BoxedStrategy<Map<String, Value>> {
    let parts: Vec<BoxedStrategy<Option<(String, Value)>>> = fields
        .iter()
        .map(|field| {
            let pair = valid(field.input).prop_map(move |v| (field.name.to_owned(), v));
            if field.required {
                pair.prop_map(Some).boxed()
            } else {
                proptest::option::of(pair).boxed()
            }
        })
        .collect();
    parts
        .prop_map(|pairs| pairs.into_iter().flatten().collect())
        .boxed()
}

fn any_kind_with_data() -> impl Strategy<Value = (EntryKind, Map<String, Value>)> {
    proptest::sample::select(EntryKind::ALL.to_vec())
        .prop_flat_map(|kind| object(kind.fields()).prop_map(move |data| (kind, data)))
}

proptest! {
    #[test]
    fn any_valid_entry_survives_parse_store_and_read((kind, data) in any_kind_with_data()) {
        let typed = if kind.appendable() {
            let mut body = data;
            body.insert("kind".into(), json!(kind.as_str()));
            body.insert("occurred_on".into(), json!("2021-05-01"));
            let parsed = parse_entry(&Value::Object(body.clone()));
            prop_assert!(parsed.is_ok(), "{:?}: {:?}", body, parsed);
            parsed.map(|p| p.data).ok()
        } else {
            EntryData::from_fields(kind, data).ok()
        };
        let Some(typed) = typed else {
            return Err(TestCaseError::fail(format!("{} did not parse", kind.as_str())));
        };
        let stored = typed.to_stored();
        let read = EntryData::from_stored(kind.as_str(), &stored);
        prop_assert_eq!(read.as_ref().ok(), Some(&typed));
        prop_assert_eq!(read.map(|r| r.to_stored()).ok(), Some(stored));
    }
}
