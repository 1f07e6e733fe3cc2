//! Parsing a request body `{kind, occurred_on, ...data}`. Each field is read by its
//! description ([`Field`]), so that every missing, ill-typed or unknown field is
//! reported at once (serde stops at the first); only then does serde build the typed
//! [`EntryData`] from the normalised fields.

use serde_json::{Map, Number, Value};

use super::field::{Field, Input, OCCURRED_ON};
use super::rules::whole_data_errors;
use super::{EntryData, EntryKind, EntryRequest, FieldError, ATTACHMENTS};
use crate::domain::dates::today_in_china;
use crate::domain::text::{described, unshowable};
use crate::domain::{
    BusinessDate, DateError, IdNumber, MoneyUnit, OwnerType, ProjectCode, Quantity, Vocabulary,
    Yuan,
};
use crate::ledger::attachments::CitedProblem;

/// Parses a request body `{kind, occurred_on, ...data}`.
///
/// Fails with every field error: unknown kind, missing or ill-typed fields, unknown
/// fields, malformed or future dates, negative or inexact amounts.
pub fn parse_entry(body: &Value) -> Result<EntryRequest, Vec<FieldError>> {
    parse(body, Texts::AsWritten)
}

/// Parses a body kept before it was appended (a pending proposal's entry), as
/// [`parse_entry`] but for its texts: a text kept when only a NUL was refused in one
/// (a control or bidi character) is read as kept, so that the proposal can still be
/// decided and shown.
///
/// Fails as [`parse_entry`] does.
pub fn parse_kept_entry(body: &Value) -> Result<EntryRequest, Vec<FieldError>> {
    parse(body, Texts::AsKept)
}

/// Which characters a text may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Texts {
    /// As a person writes one now: no control or bidi character (`domain::text`).
    AsWritten,
    /// As kept before that rule: no NUL.
    AsKept,
}

fn parse(body: &Value, texts: Texts) -> Result<EntryRequest, Vec<FieldError>> {
    let Some(object) = body.as_object() else {
        return Err(vec![FieldError::new(
            "",
            "invalid_type",
            "请求体应为 JSON 对象",
        )]);
    };
    let mut reader = Reader::new(object, String::new(), texts);
    let kind = reader.kind();
    let occurred_on = reader.date(&OCCURRED_ON);
    let Some(kind) = kind else {
        return Err(reader.errors);
    };
    let fields = kind.fields();
    let attachments = attachments(object, &mut reader.errors);
    let names: Vec<&str> = fields.iter().map(|f| f.name).collect();
    for key in object.keys() {
        if key != "kind"
            && key != OCCURRED_ON.name
            && key != ATTACHMENTS
            && !names.contains(&key.as_str())
        {
            reader.errors.push(FieldError::new(
                key,
                "unknown_field",
                format!(
                    "{} 条目没有字段 {key}（可用字段：{}）",
                    kind.as_str(),
                    names.join("、")
                ),
            ));
        }
    }
    let data = reader.fields(fields);
    let (true, Some(occurred_on)) = (reader.errors.is_empty(), occurred_on) else {
        return Err(reader.errors);
    };
    match EntryData::from_fields(kind, data) {
        Ok(data) => {
            let errors = whole_data_errors(&data);
            if errors.is_empty() {
                Ok(EntryRequest {
                    occurred_on,
                    data,
                    attachments,
                })
            } else {
                Err(errors)
            }
        }
        Err(e) => Err(vec![FieldError::new(
            "",
            "invalid_value",
            format!("{} 条目的数据无法读取：{e}", kind.as_str()),
        )]),
    }
}

/// The digests of `attachments`, any entry's list of the stored files it cites: each a
/// SHA-256 in hex (taken in lowercase), each kept once; an error for each that is not.
fn attachments(object: &Map<String, Value>, errors: &mut Vec<FieldError>) -> Vec<String> {
    let Some(value) = object.get(ATTACHMENTS) else {
        return Vec::new();
    };
    let (digests, problems) = crate::ledger::attachments::cited_digests(value);
    for problem in problems {
        errors.push(match problem {
            CitedProblem::NotAList => FieldError::new(
                ATTACHMENTS,
                "invalid_type",
                "attachments 应为附件 SHA-256 的列表（上传附件后得到）",
            ),
            CitedProblem::NotADigest(i, _) => FieldError::new(
                &format!("{ATTACHMENTS}[{i}]"),
                "invalid_value",
                "附件应以其 SHA-256（64 位十六进制）引用",
            ),
        });
    }
    digests
}

/// Reads the fields of one object, collecting an error for each that is wrong.
struct Reader<'a> {
    object: &'a Map<String, Value>,
    /// `owner.` inside the owner object, empty at the top.
    prefix: String,
    texts: Texts,
    errors: Vec<FieldError>,
}

impl<'a> Reader<'a> {
    fn new(object: &'a Map<String, Value>, prefix: String, texts: Texts) -> Self {
        Reader {
            object,
            prefix,
            texts,
            errors: Vec::new(),
        }
    }

    /// The first character of `text` it may not hold, if any.
    fn unshowable(&self, text: &str) -> Option<char> {
        match self.texts {
            Texts::AsWritten => unshowable(text),
            Texts::AsKept => text.contains('\0').then_some('\0'),
        }
    }

    fn name(&self, field: &str) -> String {
        format!("{}{field}", self.prefix)
    }

    fn error(&mut self, name: &str, code: &'static str, message: String) {
        self.errors.push(FieldError::new(name, code, message));
    }

    /// The kind, which clerks may append.
    fn kind(&mut self) -> Option<EntryKind> {
        let text = self.text("kind", true)?;
        match EntryKind::parse(&text) {
            Some(kind) if kind.appendable() => Some(kind),
            Some(kind) => {
                let message = format!("{} 条目只能由导入写入", kind.as_str());
                self.error("kind", "invalid_value", message);
                None
            }
            None => {
                let known: Vec<&str> = EntryKind::ALL
                    .iter()
                    .filter(|k| k.appendable())
                    .map(|k| k.as_str())
                    .collect();
                let message = format!("未知的条目类型“{text}”，应为 {}", known.join("、"));
                self.error("kind", "unknown_kind", message);
                None
            }
        }
    }

    /// The fields of an object in order, normalised, leaving out those that are wrong.
    fn fields(&mut self, fields: &[Field]) -> Map<String, Value> {
        let mut data = Map::new();
        for field in fields {
            if let Some(value) = self.read(field) {
                data.insert(field.name.to_owned(), value);
            }
        }
        data
    }

    /// One field, normalised.
    fn read(&mut self, field: &Field) -> Option<Value> {
        let name = self.name(field.name);
        let label = field.label;
        let checked = match field.input {
            Input::Text => self.parsed(field, |given| Ok(given.to_owned())),
            Input::Money => self.money(field).map(|amount| amount.to_string()),
            Input::Date | Input::PastDate => self.date(field).map(|date| date.to_string()),
            Input::TermDate => self.parsed(field, |given| {
                let last = chrono::NaiveDate::from_ymd_opt(2099, 12, 31);
                let first = chrono::NaiveDate::from_ymd_opt(1949, 10, 1);
                match given.parse::<BusinessDate>() {
                    Ok(date)
                        if given.len() == 10
                            && Some(date.naive()) >= first
                            && Some(date.naive()) <= last =>
                    {
                        Ok(date.to_string())
                    }
                    Ok(_) => Err((
                        "invalid_date",
                        format!("日期 {name}“{given}”应在 1949-10-01 至 2099-12-31 之间"),
                    )),
                    Err(_) => Err((
                        "invalid_date",
                        format!("日期 {name}“{given}”无效，应写成 YYYY-MM-DD"),
                    )),
                }
            }),
            Input::Choice(choices) => self.parsed(field, |given| {
                let codes: Vec<&str> = choices().iter().map(|c| c.0).collect();
                if codes.contains(&given) {
                    return Ok(given.to_owned());
                }
                let message = format!("字段 {name} 只能是 {}，收到“{given}”", codes.join("、"));
                Err(("invalid_value", message))
            }),
            Input::OwnerType => self.parsed(field, |given| {
                let message = || {
                    let codes = OwnerType::codes_listed();
                    format!("未知的所有权人类型“{given}”，应为 {codes}")
                };
                OwnerType::parse(given)
                    .map(|t| t.as_str().to_owned())
                    .ok_or_else(|| ("unknown_owner_type", message()))
            }),
            Input::IdNumber => self.parsed(field, |given| match IdNumber::parse(given) {
                Ok(id) => Ok(id.as_str().to_owned()),
                Err(e) => Err(("invalid_id_number", format!("{label}“{given}”无效：{e}"))),
            }),
            Input::ProjectCode => self.parsed(field, |given| match ProjectCode::parse(given) {
                Ok(code) => Ok(code.as_str().to_owned()),
                Err(_) => Err(("invalid_code", format!("{label}“{given}”无效"))),
            }),
            Input::Quantity => self.parsed(field, |given| match Quantity::parse(given) {
                Ok(quantity) => Ok(quantity.to_string()),
                Err(e) => Err((e.code(), format!("{label}“{given}”{e}"))),
            }),
            Input::Seq => {
                let positive = |n: &Number| n.as_i64().is_some_and(|seq| seq >= 1);
                return self.whole_number(field, "正整数", positive);
            }
            Input::Count => {
                let fits = |n: &Number| n.as_u64().is_some_and(|c| u32::try_from(c).is_ok());
                return self.whole_number(field, "不小于 0 的整数", fits);
            }
            Input::Recipients => return self.recipients(field),
            Input::Group(fields) => return self.group(field, fields),
            Input::Lines(fields) => return self.lines(field, fields),
        };
        checked.map(Value::String)
    }

    /// A text field, checked and normalised by `check`, which gives the error's code
    /// and message when the text is wrong.
    fn parsed(
        &mut self,
        field: &Field,
        check: impl FnOnce(&str) -> Result<String, (&'static str, String)>,
    ) -> Option<String> {
        let given = self.text(field.name, field.required)?;
        match check(&given) {
            Ok(normalised) => Some(normalised),
            Err((code, message)) => {
                let name = self.name(field.name);
                self.error(&name, code, message);
                None
            }
        }
    }

    /// A field that is absent or `null`: an error when it is required.
    fn missing(&mut self, field: &Field, message: String) -> Option<Value> {
        if field.required {
            let name = self.name(field.name);
            self.error(&name, "required", message);
        }
        None
    }

    /// A JSON number that `fits` (`what` says which numbers do, in the error).
    fn whole_number(
        &mut self,
        field: &Field,
        what: &str,
        fits: impl Fn(&Number) -> bool,
    ) -> Option<Value> {
        let name = self.name(field.name);
        match self.object.get(field.name) {
            Some(Value::Number(n)) if fits(n) => Some(Value::Number(n.clone())),
            None | Some(Value::Null) => {
                self.missing(field, format!("缺少必填字段 {name}（{}）", field.label))
            }
            Some(_) => {
                let message = format!("{name} 应为{}（{what}）", field.label);
                self.error(&name, "invalid_type", message);
                None
            }
        }
    }

    fn text(&mut self, field: &str, required: bool) -> Option<String> {
        let name = self.name(field);
        match self.object.get(field) {
            None | Some(Value::Null) => {
                if required {
                    self.error(&name, "required", format!("缺少必填字段 {name}"));
                }
                None
            }
            Some(Value::String(text)) if text.trim().is_empty() => {
                if required {
                    self.error(&name, "required", format!("字段 {name} 不能为空"));
                }
                None
            }
            Some(Value::String(text)) if self.unshowable(text).is_some() => {
                let held = self.unshowable(text).map(described).unwrap_or_default();
                let message = format!("字段 {name} 含有{held}");
                self.error(&name, "invalid_value", message);
                None
            }
            Some(Value::String(text)) if text.chars().count() > 1000 => {
                let message = format!("字段 {name} 超过 1000 个字符");
                self.error(&name, "field_too_long", message);
                None
            }
            Some(Value::String(text)) => Some(text.trim().to_owned()),
            Some(_) => {
                self.error(&name, "invalid_type", format!("字段 {name} 应为字符串"));
                None
            }
        }
    }

    fn money(&mut self, field: &Field) -> Option<Yuan> {
        let name = self.name(field.name);
        if let Some(Value::Number(_)) = self.object.get(field.name) {
            let message = format!("金额 {name} 须写成字符串（如 \"1234.50\"），以免浮点误差");
            self.error(&name, "invalid_type", message);
            return None;
        }
        let mut amount = None;
        self.parsed(field, |given| match Yuan::parse(given, MoneyUnit::Yuan) {
            Ok(parsed) => Ok(amount.insert(parsed).to_string()),
            Err(e) => Err((e.code(), format!("金额 {name}“{given}”{e}（单位：元）"))),
        })?;
        amount
    }

    /// A date; one of [`Input::PastDate`] after today is an error too.
    fn date(&mut self, field: &Field) -> Option<BusinessDate> {
        let name = self.name(field.name);
        let mut date = None;
        self.parsed(field, |given| {
            let future = |date: BusinessDate| date.naive() > today_in_china();
            if matches!(field.input, Input::PastDate)
                && BusinessDate::stored(given).is_some_and(future)
            {
                return Err(("future_date", format!("{} {given} 晚于今天", field.label)));
            }
            let parsed = BusinessDate::parse_iso(given).map_err(|e| {
                let message = match e {
                    DateError::Malformed => format!("日期 {name}“{given}”无效，应写成 YYYY-MM-DD"),
                    DateError::OutOfRange if matches!(field.input, Input::PastDate) => {
                        format!("日期 {name}“{given}”{}", DateError::past_range())
                    }
                    DateError::OutOfRange => format!("日期 {name}“{given}”{}", DateError::range()),
                };
                ("invalid_date", message)
            })?;
            Ok(date.insert(parsed).to_string())
        })?;
        date
    }

    fn recipients(&mut self, field: &Field) -> Option<Value> {
        let name = self.name(field.name);
        match self.object.get(field.name) {
            Some(Value::Number(n)) if n.as_u64().is_some() => Some(Value::Number(n.clone())),
            Some(Value::String(s)) if !s.trim().is_empty() => Some(Value::from(s.trim())),
            Some(Value::Array(list))
                if !list.is_empty()
                    && list
                        .iter()
                        .all(|v| v.as_str().is_some_and(|s| !s.trim().is_empty())) =>
            {
                Some(Value::Array(list.clone()))
            }
            None | Some(Value::Null) => self.missing(field, format!("缺少必填字段 {name}")),
            Some(_) => {
                let message =
                    format!("{name} 应为受益户数（整数）、说明文字或受益人名单（字符串数组）");
                self.error(&name, "invalid_type", message);
                None
            }
        }
    }

    /// A list of objects of `fields` (household lines); kept when every line is whole.
    /// Each line's errors name it (`lines[2].amount`) and say its number (第 3 行).
    fn lines(&mut self, field: &Field, fields: &[Field]) -> Option<Value> {
        let name = self.name(field.name);
        let items = match self.object.get(field.name) {
            Some(Value::Array(items)) if !items.is_empty() => items,
            None | Some(Value::Null) => return self.missing(field, format!("缺少必填字段 {name}")),
            Some(_) => {
                let message = format!(
                    "{name}（{}）应为非空数组，每项为 {{name, id_number?, amount, paid_on?}}",
                    field.label
                );
                self.error(&name, "invalid_type", message);
                return None;
            }
        };
        let mut lines = Vec::with_capacity(items.len());
        let mut whole = true;
        for (i, item) in items.iter().enumerate() {
            let at = format!("{name}[{i}]");
            let row = i + 1;
            let Value::Object(inner) = item else {
                let message = format!("{}第 {row} 行应为对象", field.label);
                self.error(&at, "invalid_type", message);
                whole = false;
                continue;
            };
            let (data, errors) = Reader::nested(inner, &at, fields, self.texts);
            whole &= errors.is_empty();
            for mut error in errors {
                error.message = format!("{}第 {row} 行：{}", field.label, error.message);
                self.errors.push(error);
            }
            lines.push(Value::Object(data));
        }
        whole.then_some(Value::Array(lines))
    }

    /// The fields of the object `inner` that stands at `at`, and the errors of reading
    /// them, one for each of its keys that is none of `fields`.
    fn nested(
        inner: &Map<String, Value>,
        at: &str,
        fields: &[Field],
        texts: Texts,
    ) -> (Map<String, Value>, Vec<FieldError>) {
        let mut reader = Reader::new(inner, format!("{at}."), texts);
        let data = reader.fields(fields);
        for key in inner.keys() {
            if !fields.iter().any(|f| f.name == key) {
                let message = format!("{at} 没有字段 {key}");
                reader.error(&format!("{at}.{key}"), "unknown_field", message);
            }
        }
        (data, reader.errors)
    }

    /// An object of its own fields; kept when every required one of them is.
    fn group(&mut self, field: &Field, fields: &[Field]) -> Option<Value> {
        let name = self.name(field.name);
        let inner = match self.object.get(field.name) {
            Some(Value::Object(inner)) => inner,
            None | Some(Value::Null) => return self.missing(field, format!("缺少必填字段 {name}")),
            Some(_) => {
                let shape: Vec<String> = fields
                    .iter()
                    .map(|f| format!("{}{}", f.name, if f.required { "" } else { "?" }))
                    .collect();
                let message = format!("{name} 应为对象 {{{}}}", shape.join(", "));
                self.error(&name, "invalid_type", message);
                return None;
            }
        };
        let (data, mut errors) = Reader::nested(inner, &name, fields, self.texts);
        self.errors.append(&mut errors);
        let complete = fields
            .iter()
            .all(|f| !f.required || data.contains_key(f.name));
        complete.then_some(Value::Object(data))
    }
}
