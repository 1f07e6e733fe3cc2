//! One row of results as sent, checked by itself and against the rows before it: the
//! fields a result has, where each came from (a JSON index, a file's line and cell),
//! and the errors found, in the order of the rows.

use std::collections::HashMap;

use serde::Serialize;

use super::campaign::StocktakeError;
use crate::domain::codes::{code_key, CodeError, MAX_CODE_CHARS};
use crate::domain::dates::{today_in_china, DateError};
use crate::domain::text::{described, unshowable};
use crate::domain::{AssetCode, BusinessDate, InspectionResult, Vocabulary};
use crate::ledger::attachments::CitedProblem;

/// The most errors an answer lists (it counts them all).
pub const LISTED_ERRORS: usize = 1000;

/// The longest note, in characters.
const MAX_NOTE_CHARS: usize = 1000;

/// The fields of a result, as the API and the upload's columns name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResultField {
    /// 资产编号.
    AssetCode,
    /// 盘点结果.
    Result,
    /// 盘点日期.
    CheckedOn,
    /// 备注.
    Note,
    /// 附件: the stored files (photos) the result cites, by SHA-256; JSON only.
    Attachments,
}

impl ResultField {
    /// Every field, in the order of a checklist's columns.
    pub const ALL: [ResultField; 4] = [
        ResultField::AssetCode,
        ResultField::Result,
        ResultField::CheckedOn,
        ResultField::Note,
    ];

    /// Its name in the API.
    pub fn name(self) -> &'static str {
        match self {
            ResultField::AssetCode => "asset_code",
            ResultField::Result => "result",
            ResultField::CheckedOn => "checked_on",
            ResultField::Note => "note",
            ResultField::Attachments => "attachments",
        }
    }

    /// Its column's header on a checklist.
    pub fn header(self) -> &'static str {
        match self {
            ResultField::AssetCode => "资产编号",
            ResultField::Result => "盘点结果",
            ResultField::CheckedOn => "盘点日期",
            ResultField::Note => "备注",
            ResultField::Attachments => "附件",
        }
    }
}

/// Where a result came from: its place in a JSON list, or its row of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// The 0-based index in the list.
    Index(usize),
    /// The row number (as a spreadsheet shows it, or the CSV line).
    Line(u64),
}

/// A result as sent: text, checked here.
#[derive(Debug, Clone, Default)]
pub struct ResultInput {
    /// Where it came from.
    pub origin: Option<Origin>,
    /// 资产编号.
    pub asset_code: Option<String>,
    /// `normal`, `idle`, `damaged`, `missing` or 正常, 闲置, 损毁, 缺失.
    pub result: Option<String>,
    /// The day it was checked.
    pub checked_on: Option<String>,
    /// A remark.
    pub note: Option<String>,
    /// `attachments` as sent in a JSON list: the SHA-256 of each stored file it cites.
    pub attachments: Option<serde_json::Value>,
    /// What is wrong with the row's shape as sent (a JSON item's unknown field, or a
    /// value that is not text): each is the row's error, and its values are not read.
    pub refused: Vec<ShapeError>,
}

/// A JSON item's field that cannot be read: unknown, or not of its type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShapeError {
    /// The field as sent.
    pub field: String,
    /// `unknown_field` or `invalid_type`.
    pub code: &'static str,
    /// What is wrong, in Chinese.
    pub message: String,
}

/// The columns of an uploaded file: each field's letter and header, for its errors.
#[derive(Debug, Clone, Default)]
pub struct Columns {
    /// Per [`ResultField::ALL`], the column's letters (`A`) and header, when present.
    pub of: [Option<(String, String)>; 4],
}

impl Columns {
    fn of(&self, field: ResultField) -> Option<&(String, String)> {
        let index = ResultField::ALL.iter().position(|f| *f == field)?;
        self.of.get(index)?.as_ref()
    }
}

/// One refused result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ResultError {
    /// The 0-based index in the JSON list.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index: Option<usize>,
    /// The row number of the file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// The cell (`C14`) of a file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cell: Option<String>,
    /// The column's header in a file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// `asset_code`, `result`, `checked_on`, `note` or `attachments` (or a JSON item's
    /// field as sent, when it is unknown).
    pub field: String,
    /// Machine-readable code.
    pub code: &'static str,
    /// What is wrong, in Chinese.
    pub message: String,
}

/// A row that passed its own checks.
pub(super) struct Checked {
    pub(super) at: usize,
    pub(super) key: String,
    pub(super) result: InspectionResult,
    pub(super) checked_on: BusinessDate,
    pub(super) note: Option<String>,
    /// The stored files it cites (lowercase digests, each once).
    pub(super) attachments: Vec<String>,
}

/// An upload's results, each row checked by itself and against the rows before it
/// (nothing of the register read): done before the chain's lock is taken, so that a
/// large upload is not checked while every ledger append waits.
pub struct CheckedUpload {
    inputs: Vec<ResultInput>,
    columns: Option<Columns>,
    rows: Vec<Checked>,
    list: Vec<(usize, ResultError)>,
    count: usize,
}

impl CheckedUpload {
    /// Checks `inputs`; `columns` names a file's columns in their errors.
    pub fn of(inputs: Vec<ResultInput>, columns: Option<Columns>) -> Self {
        let mut errors = Errors {
            inputs: &inputs,
            columns: columns.as_ref(),
            list: Vec::new(),
            count: 0,
        };
        let rows = check_rows(&mut errors, &inputs);
        let (list, count) = (errors.list, errors.count);
        CheckedUpload {
            inputs,
            columns,
            rows,
            list,
            count,
        }
    }

    /// Whether it holds no result.
    pub fn is_empty(&self) -> bool {
        self.inputs.is_empty()
    }

    /// The results as sent, the errors found so far (to which the checks against the
    /// register add), and the rows that passed.
    pub(super) fn parts(&self) -> (&[ResultInput], Errors<'_>, &[Checked]) {
        let errors = Errors {
            inputs: &self.inputs,
            columns: self.columns.as_ref(),
            list: self.list.clone(),
            count: self.count,
        };
        (&self.inputs, errors, &self.rows)
    }
}

/// Collects errors with where they are.
pub(super) struct Errors<'a> {
    pub(super) inputs: &'a [ResultInput],
    pub(super) columns: Option<&'a Columns>,
    pub(super) list: Vec<(usize, ResultError)>,
    pub(super) count: usize,
}

impl Errors<'_> {
    /// Adds an error of the row at `at` on `field`.
    pub(super) fn add(
        &mut self,
        at: usize,
        field: ResultField,
        code: &'static str,
        message: String,
    ) {
        self.count += 1;
        let origin = self.inputs.get(at).and_then(|i| i.origin);
        let (index, line) = match origin {
            Some(Origin::Index(i)) => (Some(i), None),
            Some(Origin::Line(l)) => (None, Some(l)),
            None => (Some(at), None),
        };
        let column = self.columns.and_then(|c| c.of(field));
        self.list.push((
            at,
            ResultError {
                index,
                line,
                cell: column
                    .zip(line)
                    .map(|((letters, _), l)| format!("{letters}{l}")),
                column: column.map(|(_, header)| header.clone()),
                field: field.name().to_owned(),
                code,
                message,
            },
        ));
    }

    /// Adds the error `shape` of the JSON item at `at`.
    pub(super) fn shape(&mut self, at: usize, shape: &ShapeError) {
        self.count += 1;
        self.list.push((
            at,
            ResultError {
                index: Some(at),
                line: None,
                cell: None,
                column: None,
                field: shape.field.clone(),
                code: shape.code,
                message: shape.message.clone(),
            },
        ));
    }

    /// The first [`LISTED_ERRORS`] errors in the order of the rows (a row's own checks
    /// before those against the register), and how many there are.
    pub(super) fn into_rejection(mut self) -> StocktakeError {
        self.list.sort_by_key(|(at, _)| *at);
        StocktakeError::Rejected {
            errors: self
                .list
                .into_iter()
                .take(LISTED_ERRORS)
                .map(|(_, e)| e)
                .collect(),
            count: self.count,
        }
    }

    /// How a row is named in a message: 第 14 行, or 第 3 条 (1-based).
    pub(super) fn place(&self, at: usize) -> String {
        match self.inputs.get(at).and_then(|i| i.origin) {
            Some(Origin::Line(line)) => format!("第 {line} 行"),
            Some(Origin::Index(i)) => format!("第 {} 条", i + 1),
            None => format!("第 {} 条", at + 1),
        }
    }
}

pub(super) fn text(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|t| !t.is_empty())
}

/// Checks each row by itself and against the rows before it.
fn check_rows(errors: &mut Errors<'_>, inputs: &[ResultInput]) -> Vec<Checked> {
    let today = today_in_china();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut checked = Vec::with_capacity(inputs.len());
    for (at, input) in inputs.iter().enumerate() {
        if !input.refused.is_empty() {
            // Its values are not read: what it says is unclear.
            for shape in &input.refused {
                errors.shape(at, shape);
            }
            continue;
        }
        let before = errors.count;
        let key = match text(&input.asset_code).map(|code| (code, AssetCode::parse(code))) {
            None | Some((_, Err(CodeError::Empty))) => {
                errors.add(
                    at,
                    ResultField::AssetCode,
                    "required",
                    "缺少资产编号".to_owned(),
                );
                None
            }
            // A code no asset can have is named as such and never looked up (a NUL
            // would not even reach PostgreSQL).
            Some((code, Err(CodeError::TooLong))) => {
                let message = format!(
                    "资产编号最长 {MAX_CODE_CHARS} 个字符，此处为 {} 个",
                    code.chars().count()
                );
                errors.add(at, ResultField::AssetCode, "field_too_long", message);
                None
            }
            Some((code, Err(CodeError::Invisible))) => {
                let message = format!(
                    "资产编号“{}”含有控制字符或不可见字符（如空字符、零宽空格、双向控制符）",
                    code.escape_debug()
                );
                errors.add(at, ResultField::AssetCode, "invalid_code", message);
                None
            }
            Some((code, Ok(_))) => {
                let key = code_key(code);
                match seen.get(&key) {
                    Some(first) => {
                        let message = format!(
                            "资产编号“{code}”在本次上传的{}已出现，同一资产只能有一个结果",
                            errors.place(*first)
                        );
                        errors.add(at, ResultField::AssetCode, "duplicate_in_upload", message);
                        None
                    }
                    None => {
                        seen.insert(key.clone(), at);
                        Some(key)
                    }
                }
            }
        };
        let result = match text(&input.result) {
            None => {
                errors.add(
                    at,
                    ResultField::Result,
                    "required",
                    "缺少盘点结果".to_owned(),
                );
                None
            }
            Some(given) => {
                let found = InspectionResult::parse(given).or_else(|| {
                    InspectionResult::ALL
                        .iter()
                        .copied()
                        .find(|r| r.label() == given)
                });
                if found.is_none() {
                    errors.add(
                        at,
                        ResultField::Result,
                        "invalid_result",
                        format!(
                            "盘点结果应为 正常、闲置、损毁 或 缺失（{}），收到“{given}”",
                            InspectionResult::codes_listed()
                        ),
                    );
                }
                found
            }
        };
        let checked_on = match text(&input.checked_on) {
            None => {
                errors.add(
                    at,
                    ResultField::CheckedOn,
                    "required",
                    "缺少盘点日期".to_owned(),
                );
                None
            }
            Some(given) => {
                match BusinessDate::parse(given) {
                    Ok(day) if day.naive() <= today => Some(day),
                    Ok(_) => {
                        errors.add(
                            at,
                            ResultField::CheckedOn,
                            "invalid_date",
                            format!("盘点日期 {given} 晚于今天（北京时间 {today}）"),
                        );
                        None
                    }
                    Err(DateError::Malformed) => {
                        errors.add(
                        at,
                        ResultField::CheckedOn,
                        "invalid_date",
                        format!("盘点日期“{given}”无效，应写作 2026-09-30、2026/9/30 或 2026年9月30日"),
                    );
                        None
                    }
                    Err(DateError::OutOfRange) => {
                        errors.add(
                            at,
                            ResultField::CheckedOn,
                            "invalid_date",
                            format!("盘点日期 {given} {}", DateError::past_range()),
                        );
                        None
                    }
                }
            }
        };
        let note = text(&input.note).map(str::to_owned);
        if let Some(c) = note.as_deref().and_then(unshowable) {
            // As every text of a ledger entry: a control or bidi control is refused,
            // not recorded.
            let hint = if c == '\0' {
                "，多为文件损坏或另存格式不对"
            } else {
                ""
            };
            errors.add(
                at,
                ResultField::Note,
                "invalid_value",
                format!("备注含有{}{hint}", described(c)),
            );
        } else if note
            .as_deref()
            .is_some_and(|n| n.chars().count() > MAX_NOTE_CHARS)
        {
            errors.add(
                at,
                ResultField::Note,
                "field_too_long",
                format!("备注超过 {MAX_NOTE_CHARS} 个字符"),
            );
        }
        let attachments = digests(errors, at, input.attachments.as_ref());
        if let (Some(key), Some(result), Some(checked_on)) = (key, result, checked_on) {
            if errors.count == before {
                checked.push(Checked {
                    at,
                    key,
                    result,
                    checked_on,
                    note,
                    attachments,
                });
            }
        }
    }
    checked
}

/// The digests a result cites: a list of SHA-256 in hex, as any entry's `attachments`
/// (the ledger's own reading of such a list); an error on the row for anything else.
fn digests(errors: &mut Errors<'_>, at: usize, sent: Option<&serde_json::Value>) -> Vec<String> {
    let Some(sent) = sent.filter(|v| !v.is_null()) else {
        return Vec::new();
    };
    let (digests, problems) = crate::ledger::attachments::cited_digests(sent);
    for problem in problems {
        let message = match problem {
            CitedProblem::NotAList => {
                "attachments 应为附件 SHA-256 的列表（上传附件后得到）".to_owned()
            }
            CitedProblem::NotADigest(_, item) => {
                format!("附件应以其 SHA-256（64 位十六进制）引用，收到 {item}")
            }
        };
        errors.add(at, ResultField::Attachments, "invalid_value", message);
    }
    digests
}
