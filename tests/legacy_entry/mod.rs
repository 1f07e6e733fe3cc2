//! The entry parser of the release before the typed entries (commit d3fa5e6), kept
//! unchanged but for its imports, as the oracle `tests/entry_compat.rs` checks the
//! typed parser against.

use serde_json::{Map, Value};

use asset_registry::domain::dates::today_in_china;
use asset_registry::domain::{BusinessDate, IdNumber, MoneyUnit, OwnerType, Vocabulary, Yuan};
use asset_registry::ledger::entry::FieldError;

/// What an entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntryKind {
    /// The asset's initial fields, written by an import.
    Registered,
    /// 确权.
    OwnershipConfirmed,
    /// 移交.
    HandedOver,
    /// 管护主体变更.
    CustodianChanged,
    /// 管护/维修.
    Maintenance,
    /// 巡查.
    Inspection,
    /// 产权转移.
    OwnershipTransferred,
    /// 经营收益.
    Income,
    /// 收益分配.
    IncomeDistributed,
    /// 价值调整.
    ValueAdjusted,
    /// 处置.
    Disposed,
    /// 更正: reverses an earlier entry's effect.
    Correction,
}

impl EntryKind {
    /// Every kind, in the order the spec lists them.
    pub const ALL: [EntryKind; 12] = [
        EntryKind::Registered,
        EntryKind::OwnershipConfirmed,
        EntryKind::HandedOver,
        EntryKind::CustodianChanged,
        EntryKind::Maintenance,
        EntryKind::Inspection,
        EntryKind::OwnershipTransferred,
        EntryKind::Income,
        EntryKind::IncomeDistributed,
        EntryKind::ValueAdjusted,
        EntryKind::Disposed,
        EntryKind::Correction,
    ];

    /// The kind's name.
    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Registered => "registered",
            EntryKind::OwnershipConfirmed => "ownership_confirmed",
            EntryKind::HandedOver => "handed_over",
            EntryKind::CustodianChanged => "custodian_changed",
            EntryKind::Maintenance => "maintenance",
            EntryKind::Inspection => "inspection",
            EntryKind::OwnershipTransferred => "ownership_transferred",
            EntryKind::Income => "income",
            EntryKind::IncomeDistributed => "income_distributed",
            EntryKind::ValueAdjusted => "value_adjusted",
            EntryKind::Disposed => "disposed",
            EntryKind::Correction => "correction",
        }
    }

    /// Parses a kind's name; `None` for anything else.
    pub fn parse(text: &str) -> Option<Self> {
        EntryKind::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// The fields its data may carry, beside `kind` and `occurred_on`.
    pub fn fields(self) -> &'static [&'static str] {
        match self {
            EntryKind::Registered => &[],
            EntryKind::OwnershipConfirmed => &["confirmed_on", "certificate_no"],
            EntryKind::HandedOver => &["from", "to", "document_no"],
            EntryKind::CustodianChanged => &["custodian", "responsible_person", "phone"],
            EntryKind::Maintenance => &["description", "cost", "performed_by"],
            EntryKind::Inspection => &["result", "note"],
            EntryKind::OwnershipTransferred => &["owner", "document_no"],
            EntryKind::Income => &["amount", "period"],
            EntryKind::IncomeDistributed => &["amount", "period", "recipients", "notice_date"],
            EntryKind::ValueAdjusted => &["value", "reason"],
            EntryKind::Disposed => &["method", "approval_no", "proceeds"],
            EntryKind::Correction => &["corrects", "reason"],
        }
    }
}

/// A request to append an entry, parsed and checked on its own (the checks against
/// the asset's history come when it is appended).
#[derive(Debug, Clone, PartialEq)]
pub struct EntryRequest {
    /// What happened.
    pub kind: EntryKind,
    /// When it happened.
    pub occurred_on: BusinessDate,
    /// The kind's data, normalised: amounts as yuan strings, dates as `YYYY-MM-DD`.
    pub data: Value,
}

/// Reads the fields of one object, collecting errors.
struct Fields<'a> {
    object: &'a Map<String, Value>,
    prefix: &'static str,
    errors: Vec<FieldError>,
}

impl<'a> Fields<'a> {
    fn name(&self, field: &str) -> String {
        format!("{}{field}", self.prefix)
    }

    fn text(&mut self, field: &str, required: bool) -> Option<String> {
        match self.object.get(field) {
            None | Some(Value::Null) => {
                if required {
                    let name = self.name(field);
                    self.errors.push(FieldError::new(
                        &name,
                        "required",
                        format!("缺少必填字段 {name}"),
                    ));
                }
                None
            }
            Some(Value::String(text)) if text.trim().is_empty() => {
                if required {
                    let name = self.name(field);
                    self.errors.push(FieldError::new(
                        &name,
                        "required",
                        format!("字段 {name} 不能为空"),
                    ));
                }
                None
            }
            Some(Value::String(text)) if text.contains('\0') => {
                let name = self.name(field);
                self.errors.push(FieldError::new(
                    &name,
                    "invalid_value",
                    format!("字段 {name} 含有空字符（NUL）"),
                ));
                None
            }
            Some(Value::String(text)) if text.chars().count() > 1000 => {
                let name = self.name(field);
                self.errors.push(FieldError::new(
                    &name,
                    "field_too_long",
                    format!("字段 {name} 超过 1000 个字符"),
                ));
                None
            }
            Some(Value::String(text)) => Some(text.trim().to_owned()),
            Some(_) => {
                let name = self.name(field);
                self.errors.push(FieldError::new(
                    &name,
                    "invalid_type",
                    format!("字段 {name} 应为字符串"),
                ));
                None
            }
        }
    }

    fn amount(&mut self, field: &str, required: bool) -> Option<Yuan> {
        let name = self.name(field);
        if let Some(Value::Number(_)) = self.object.get(field) {
            self.errors.push(FieldError::new(
                &name,
                "invalid_type",
                format!("金额 {name} 须写成字符串（如 \"1234.50\"），以免浮点误差"),
            ));
            return None;
        }
        let text = self.text(field, required)?;
        match Yuan::parse(&text, MoneyUnit::Yuan) {
            Ok(amount) => Some(amount),
            Err(e) => {
                self.errors.push(FieldError::new(
                    &name,
                    e.code(),
                    format!("金额 {name}“{text}”{e}（单位：元）"),
                ));
                None
            }
        }
    }

    fn date(&mut self, field: &str, required: bool) -> Option<BusinessDate> {
        let name = self.name(field);
        let text = self.text(field, required)?;
        let date = BusinessDate::stored(&text);
        if date.is_none() {
            self.errors.push(FieldError::new(
                &name,
                "invalid_date",
                format!("日期 {name}“{text}”无效，应写成 YYYY-MM-DD"),
            ));
        }
        date
    }

    fn choice(&mut self, field: &str, choices: &[&str]) -> Option<String> {
        let name = self.name(field);
        let text = self.text(field, true)?;
        if choices.contains(&text.as_str()) {
            Some(text)
        } else {
            self.errors.push(FieldError::new(
                &name,
                "invalid_value",
                format!("字段 {name} 只能是 {}，收到“{text}”", choices.join("、")),
            ));
            None
        }
    }
}

fn put(data: &mut Map<String, Value>, field: &str, value: Option<String>) {
    if let Some(value) = value {
        data.insert(field.to_owned(), Value::String(value));
    }
}

/// Parses a request body `{kind, occurred_on, ...data}`.
///
/// Fails with every field error: unknown kind, missing or ill-typed fields, unknown
/// fields, malformed or future dates, negative or inexact amounts.
pub fn parse_entry(body: &Value) -> Result<EntryRequest, Vec<FieldError>> {
    let Some(object) = body.as_object() else {
        return Err(vec![FieldError::new(
            "",
            "invalid_type",
            "请求体应为 JSON 对象",
        )]);
    };
    let mut fields = Fields {
        object,
        prefix: "",
        errors: Vec::new(),
    };
    let kind_text = fields.text("kind", true);
    let kind = match kind_text.as_deref().map(|k| (k, EntryKind::parse(k))) {
        Some((_, Some(EntryKind::Registered))) => {
            fields.errors.push(FieldError::new(
                "kind",
                "invalid_value",
                "registered 条目只能由导入写入",
            ));
            None
        }
        Some((_, Some(kind))) => Some(kind),
        Some((text, None)) => {
            let known: Vec<&str> = EntryKind::ALL[1..].iter().map(|k| k.as_str()).collect();
            fields.errors.push(FieldError::new(
                "kind",
                "unknown_kind",
                format!("未知的条目类型“{text}”，应为 {}", known.join("、")),
            ));
            None
        }
        None => None,
    };
    let occurred_on = fields.date("occurred_on", true);
    if let Some(date) = occurred_on {
        if date.naive() > today_in_china() {
            fields.errors.push(FieldError::new(
                "occurred_on",
                "future_date",
                format!("业务日期 {date} 晚于今天"),
            ));
        }
    }
    let Some(kind) = kind else {
        return Err(fields.errors);
    };
    for key in object.keys() {
        if key != "kind" && key != "occurred_on" && !kind.fields().contains(&key.as_str()) {
            fields.errors.push(FieldError::new(
                key,
                "unknown_field",
                format!(
                    "{} 条目没有字段 {key}（可用字段：{}）",
                    kind.as_str(),
                    kind.fields().join("、")
                ),
            ));
        }
    }
    let mut data = Map::new();
    match kind {
        EntryKind::Registered => {}
        EntryKind::OwnershipConfirmed => {
            let confirmed_on = fields.date("confirmed_on", true);
            if let Some(date) = confirmed_on {
                if date.naive() > today_in_china() {
                    fields.errors.push(FieldError::new(
                        "confirmed_on",
                        "future_date",
                        format!("确权日期 {date} 晚于今天"),
                    ));
                }
            }
            put(
                &mut data,
                "confirmed_on",
                confirmed_on.map(|d| d.to_string()),
            );
            put(
                &mut data,
                "certificate_no",
                fields.text("certificate_no", true),
            );
        }
        EntryKind::HandedOver => {
            for (field, required) in [("from", true), ("to", true), ("document_no", true)] {
                put(&mut data, field, fields.text(field, required));
            }
        }
        EntryKind::CustodianChanged => {
            for (field, required) in [
                ("custodian", true),
                ("responsible_person", false),
                ("phone", false),
            ] {
                put(&mut data, field, fields.text(field, required));
            }
        }
        EntryKind::Maintenance => {
            put(&mut data, "description", fields.text("description", true));
            put(
                &mut data,
                "cost",
                fields.amount("cost", false).map(|a| a.to_string()),
            );
            put(
                &mut data,
                "performed_by",
                fields.text("performed_by", false),
            );
        }
        EntryKind::Inspection => {
            put(
                &mut data,
                "result",
                fields.choice("result", &["normal", "idle", "damaged", "missing"]),
            );
            put(&mut data, "note", fields.text("note", false));
        }
        EntryKind::OwnershipTransferred => {
            match object.get("owner") {
                Some(Value::Object(owner)) => {
                    let mut owner_fields = Fields {
                        object: owner,
                        prefix: "owner.",
                        errors: Vec::new(),
                    };
                    let name = owner_fields.text("name", true);
                    let owner_type = owner_fields.text("type", true).and_then(|t| {
                        let parsed = OwnerType::parse(&t);
                        if parsed.is_none() {
                            owner_fields.errors.push(FieldError::new(
                                "owner.type",
                                "unknown_owner_type",
                                format!("未知的所有权人类型“{t}”，应为 village_collective、household、government、enterprise 或 other"),
                            ));
                        }
                        parsed
                    });
                    let id_number =
                        owner_fields
                            .text("id_number", false)
                            .and_then(|id| match IdNumber::parse(&id) {
                                Ok(id) => Some(id),
                                Err(e) => {
                                    owner_fields.errors.push(FieldError::new(
                                        "owner.id_number",
                                        "invalid_id_number",
                                        format!("证件号“{id}”无效：{e}"),
                                    ));
                                    None
                                }
                            });
                    for key in owner.keys() {
                        if !["name", "type", "id_number"].contains(&key.as_str()) {
                            owner_fields.errors.push(FieldError::new(
                                &format!("owner.{key}"),
                                "unknown_field",
                                format!("owner 没有字段 {key}"),
                            ));
                        }
                    }
                    fields.errors.append(&mut owner_fields.errors);
                    if let (Some(name), Some(owner_type)) = (name, owner_type) {
                        data.insert(
                            "owner".to_owned(),
                            serde_json::json!({
                                "name": name,
                                "type": owner_type.as_str(),
                                "id_number": id_number.as_ref().map(IdNumber::as_str),
                            }),
                        );
                    }
                }
                None | Some(Value::Null) => {
                    fields
                        .errors
                        .push(FieldError::new("owner", "required", "缺少必填字段 owner"))
                }
                Some(_) => fields.errors.push(FieldError::new(
                    "owner",
                    "invalid_type",
                    "owner 应为对象 {name, type, id_number?}",
                )),
            }
            put(&mut data, "document_no", fields.text("document_no", true));
        }
        EntryKind::Income => {
            put(
                &mut data,
                "amount",
                fields.amount("amount", true).map(|a| a.to_string()),
            );
            put(&mut data, "period", fields.text("period", true));
        }
        EntryKind::IncomeDistributed => {
            put(
                &mut data,
                "amount",
                fields.amount("amount", true).map(|a| a.to_string()),
            );
            put(&mut data, "period", fields.text("period", true));
            match object.get("recipients") {
                Some(Value::Number(n)) if n.as_u64().is_some() => {
                    data.insert("recipients".to_owned(), Value::Number(n.clone()));
                }
                Some(Value::String(s)) if !s.trim().is_empty() => {
                    data.insert("recipients".to_owned(), Value::String(s.trim().to_owned()));
                }
                Some(Value::Array(list))
                    if !list.is_empty()
                        && list
                            .iter()
                            .all(|v| v.as_str().is_some_and(|s| !s.trim().is_empty())) =>
                {
                    data.insert("recipients".to_owned(), Value::Array(list.clone()));
                }
                None | Some(Value::Null) => fields.errors.push(FieldError::new(
                    "recipients",
                    "required",
                    "缺少必填字段 recipients",
                )),
                Some(_) => fields.errors.push(FieldError::new(
                    "recipients",
                    "invalid_type",
                    "recipients 应为受益户数（整数）、说明文字或受益人名单（字符串数组）",
                )),
            }
            let notice = fields.date("notice_date", false);
            put(&mut data, "notice_date", notice.map(|d| d.to_string()));
        }
        EntryKind::ValueAdjusted => {
            put(
                &mut data,
                "value",
                fields.amount("value", true).map(|a| a.to_string()),
            );
            put(&mut data, "reason", fields.text("reason", true));
        }
        EntryKind::Disposed => {
            put(
                &mut data,
                "method",
                fields.choice(
                    "method",
                    &["auction", "transfer", "conversion", "loss", "scrap"],
                ),
            );
            put(&mut data, "approval_no", fields.text("approval_no", true));
            put(
                &mut data,
                "proceeds",
                fields.amount("proceeds", false).map(|a| a.to_string()),
            );
        }
        EntryKind::Correction => {
            match object.get("corrects") {
                Some(Value::Number(n)) if n.as_i64().is_some_and(|seq| seq >= 1) => {
                    data.insert("corrects".to_owned(), Value::Number(n.clone()));
                }
                None | Some(Value::Null) => fields.errors.push(FieldError::new(
                    "corrects",
                    "required",
                    "缺少必填字段 corrects（被更正条目的 seq）",
                )),
                Some(_) => fields.errors.push(FieldError::new(
                    "corrects",
                    "invalid_type",
                    "corrects 应为被更正条目的 seq（正整数）",
                )),
            }
            put(&mut data, "reason", fields.text("reason", true));
        }
    }
    match (fields.errors.is_empty(), occurred_on) {
        (true, Some(occurred_on)) => Ok(EntryRequest {
            kind,
            occurred_on,
            data: Value::Object(data),
        }),
        _ => Err(fields.errors),
    }
}
