//! A declaration parsed from JSON or from CSV (UTF-8 or GB18030, amounts in 元 or
//! 万元), every error found at once, each naming its line and field.

use std::collections::HashMap;

use serde_json::Value;

use super::figures::{Declaration, DeclarationError, DeclaredLine, Scope};
use crate::domain::{BusinessDate, DateError, MoneyUnit, Yuan};

fn error(line: Option<u64>, field: &str, code: &'static str, message: String) -> DeclarationError {
    DeclarationError {
        line,
        field: field.to_owned(),
        code,
        message,
    }
}

/// Checks one line's three values; `unit` is the unit of the amount text.
fn parse_line(
    line: u64,
    prefix: &str,
    scope: Option<&str>,
    projects: Result<i64, String>,
    amount: Option<&str>,
    unit: MoneyUnit,
    errors: &mut Vec<DeclarationError>,
) -> Option<DeclaredLine> {
    let scope = match scope {
        Some(text) => match Scope::parse(text) {
            Ok(scope) => Some(scope),
            Err(message) => {
                errors.push(error(
                    Some(line),
                    &format!("{prefix}scope"),
                    "unknown_scope",
                    message,
                ));
                None
            }
        },
        None => {
            errors.push(error(
                Some(line),
                &format!("{prefix}scope"),
                "required",
                "缺少口径 scope".to_owned(),
            ));
            None
        }
    };
    let projects = match projects {
        Ok(n) if n >= 0 => Some(n),
        Ok(_) => {
            errors.push(error(
                Some(line),
                &format!("{prefix}projects"),
                "negative_amount",
                "项目数不能为负".to_owned(),
            ));
            None
        }
        Err(message) => {
            errors.push(error(
                Some(line),
                &format!("{prefix}projects"),
                "invalid_number",
                message,
            ));
            None
        }
    };
    let amount = match amount {
        Some(text) => match Yuan::parse(text, unit) {
            Ok(amount) => Some(amount),
            Err(e) => {
                errors.push(error(
                    Some(line),
                    &format!("{prefix}amount"),
                    e.code(),
                    format!("金额“{text}”{e}（单位：{}）", unit.label()),
                ));
                None
            }
        },
        None => {
            errors.push(error(
                Some(line),
                &format!("{prefix}amount"),
                "required",
                "缺少金额 amount（字符串，如 \"7910000.00\"）".to_owned(),
            ));
            None
        }
    };
    Some(DeclaredLine {
        scope: scope?,
        projects: projects?,
        amount: amount?,
    })
}

fn check_duplicates(
    lines: &[(u64, DeclaredLine)],
    prefix: impl Fn(u64) -> String,
    errors: &mut Vec<DeclarationError>,
) {
    let mut seen: HashMap<&Scope, u64> = HashMap::new();
    for (line, declared) in lines {
        if let Some(first) = seen.insert(&declared.scope, *line) {
            errors.push(error(
                Some(*line),
                &format!("{}scope", prefix(*line)),
                "duplicate_scope",
                format!("口径“{}”与第 {first} 行重复", declared.scope.label()),
            ));
        }
    }
}

fn name_and_date(
    name: Option<&str>,
    as_of: Option<&str>,
    errors: &mut Vec<DeclarationError>,
) -> (Option<String>, Option<BusinessDate>) {
    // Each refusal says what is wrong: a name given with a control character is not
    // missing.
    let refusal = match name.map(str::trim) {
        None | Some("") => Some((
            "required",
            "缺少申报名称 name（不超过 200 个字符）".to_owned(),
        )),
        Some(name) if name.chars().count() > 200 => Some((
            "field_too_long",
            format!(
                "申报名称 name 不能超过 200 个字符，此处为 {} 个",
                name.chars().count()
            ),
        )),
        Some(name) if name.chars().any(char::is_control) => {
            Some(("invalid_value", "申报名称 name 不能含有控制字符".to_owned()))
        }
        Some(_) => None,
    };
    let name = match refusal {
        None => name.map(|n| n.trim().to_owned()),
        Some((code, message)) => {
            errors.push(error(None, "name", code, message));
            None
        }
    };
    let as_of = match as_of.map(|d| (d, BusinessDate::parse_iso(d))) {
        Some((_, Ok(date))) => Some(date),
        Some((text, Err(e))) => {
            let expected = match e {
                DateError::Malformed => "应为 YYYY-MM-DD".to_owned(),
                DateError::OutOfRange => DateError::range(),
            };
            errors.push(error(
                None,
                "as_of",
                "invalid_date",
                format!("申报截至日期 as_of“{text}”{expected}"),
            ));
            None
        }
        None => {
            errors.push(error(
                None,
                "as_of",
                "required",
                "缺少申报截至日期 as_of（YYYY-MM-DD）".to_owned(),
            ));
            None
        }
    };
    (name, as_of)
}

fn finish(
    name: Option<String>,
    as_of: Option<BusinessDate>,
    lines: Vec<(u64, DeclaredLine)>,
    errors: Vec<DeclarationError>,
) -> Result<Declaration, Vec<DeclarationError>> {
    match (name, as_of) {
        (Some(name), Some(as_of)) if errors.is_empty() => Ok(Declaration {
            name,
            as_of,
            lines: lines.into_iter().map(|(_, l)| l).collect(),
        }),
        _ => Err(errors),
    }
}

/// Parses `{"name", "as_of", "lines": [{"scope", "projects", "amount"}]}`; amounts are
/// strings of yuan.
///
/// Fails with every error, each naming its line (1-based position in `lines`).
pub fn parse_json(body: &Value) -> Result<Declaration, Vec<DeclarationError>> {
    let mut errors = Vec::new();
    let (name, as_of) = name_and_date(
        body.get("name").and_then(Value::as_str),
        body.get("as_of").and_then(Value::as_str),
        &mut errors,
    );
    let mut lines = Vec::new();
    match body.get("lines").and_then(Value::as_array) {
        Some(items) if !items.is_empty() => {
            for (index, item) in items.iter().enumerate() {
                let line = index as u64 + 1;
                let prefix = format!("lines[{index}].");
                let projects = match item.get("projects") {
                    Some(Value::Number(n)) => n.as_i64().ok_or_else(|| "项目数应为整数".to_owned()),
                    Some(other) => Err(format!("项目数应为整数，收到 {other}")),
                    None => Err("缺少项目数 projects".to_owned()),
                };
                let amount = match item.get("amount") {
                    Some(Value::String(text)) => Some(text.as_str()),
                    Some(Value::Number(_)) => {
                        errors.push(error(
                            Some(line),
                            &format!("{prefix}amount"),
                            "invalid_type",
                            "金额须写成字符串（如 \"7910000.00\"），以免浮点误差".to_owned(),
                        ));
                        continue;
                    }
                    _ => None,
                };
                if let Some(parsed) = parse_line(
                    line,
                    &prefix,
                    item.get("scope").and_then(Value::as_str),
                    projects,
                    amount,
                    MoneyUnit::Yuan,
                    &mut errors,
                ) {
                    lines.push((line, parsed));
                }
            }
        }
        _ => errors.push(error(
            None,
            "lines",
            "required",
            "缺少申报行 lines（至少一行）".to_owned(),
        )),
    }
    check_duplicates(&lines, |line| format!("lines[{}].", line - 1), &mut errors);
    finish(name, as_of, lines, errors)
}

/// Parses a CSV of `scope,projects,amount` (amount in 元; a header `amount_wan` or
/// `金额(万元)` takes 万元), UTF-8 or GB18030; `name` and `as_of` come from the request.
///
/// Fails with every error, each naming its physical line.
pub fn parse_csv(
    bytes: &[u8],
    name: Option<&str>,
    as_of: Option<&str>,
) -> Result<Declaration, Vec<DeclarationError>> {
    let mut errors = Vec::new();
    let (name, as_of) = name_and_date(name, as_of, &mut errors);
    let text = match std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)) {
        Ok(text) => text.to_owned(),
        Err(_) => {
            let (decoded, _, malformed) = encoding_rs::GB18030.decode(bytes);
            if malformed {
                errors.push(error(
                    None,
                    "",
                    "undecodable",
                    "文件既不是 UTF-8 也不是 GB18030/GBK 编码".to_owned(),
                ));
                return Err(errors);
            }
            decoded.into_owned()
        }
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let header: Vec<String> = match records.next() {
        Some(Ok(record)) => record
            .iter()
            .map(|c| c.trim().to_ascii_lowercase())
            .collect(),
        _ => {
            errors.push(error(
                Some(1),
                "",
                "no_header",
                "缺少表头 scope,projects,amount".to_owned(),
            ));
            return Err(errors);
        }
    };
    let position = |names: &[&str]| header.iter().position(|h| names.contains(&h.as_str()));
    let scope_at = position(&["scope", "口径"]);
    let projects_at = position(&["projects", "项目数"]);
    let (amount_at, unit) = match (
        position(&["amount", "amount_yuan", "金额(元)", "金额"]),
        position(&["amount_wan", "金额(万元)"]),
    ) {
        (Some(at), _) => (Some(at), MoneyUnit::Yuan),
        (None, Some(at)) => (Some(at), MoneyUnit::Wan),
        (None, None) => (None, MoneyUnit::Yuan),
    };
    for (at, column) in [
        (scope_at, "scope"),
        (projects_at, "projects"),
        (amount_at, "amount"),
    ] {
        if at.is_none() {
            errors.push(error(
                Some(1),
                column,
                "missing_column",
                format!("表头缺少 {column} 列"),
            ));
        }
    }
    let (Some(scope_at), Some(projects_at), Some(amount_at)) = (scope_at, projects_at, amount_at)
    else {
        return Err(errors);
    };
    let mut lines = Vec::new();
    for record in records {
        let Ok(record) = record else {
            errors.push(error(None, "", "invalid_csv", "CSV 格式错误".to_owned()));
            break;
        };
        let line = record.position().map_or(0, csv::Position::line);
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let cell = |at: usize| record.get(at).map(str::trim).filter(|c| !c.is_empty());
        let projects = cell(projects_at)
            .ok_or_else(|| "缺少项目数".to_owned())
            .and_then(|t| {
                t.replace(',', "")
                    .parse::<i64>()
                    .map_err(|_| format!("项目数“{t}”应为整数"))
            });
        if let Some(parsed) = parse_line(
            line,
            "",
            cell(scope_at),
            projects,
            cell(amount_at),
            unit,
            &mut errors,
        ) {
            lines.push((line, parsed));
        }
    }
    if lines.is_empty() && errors.is_empty() {
        errors.push(error(
            None,
            "lines",
            "required",
            "文件中没有申报行".to_owned(),
        ));
    }
    check_duplicates(&lines, |_| String::new(), &mut errors);
    finish(name, as_of, lines, errors)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn json_errors_name_their_line() {
        let body = json!({"name": "x", "as_of": "2020-10-31", "lines": [
            {"scope": "total", "projects": 1, "amount": "1.00"},
            {"scope": "county", "projects": 1, "amount": "1.00"},
            {"scope": "class:operating", "projects": 1, "amount": "-1.00"},
            {"scope": "total", "projects": 2, "amount": "2.00"},
            {"scope": "year:2020", "projects": 2, "amount": 2.5}
        ]});
        let errors = parse_json(&body).unwrap_err();
        let found: Vec<(Option<u64>, &str, &str)> = errors
            .iter()
            .map(|e| (e.line, e.field.as_str(), e.code))
            .collect();
        assert_eq!(
            found,
            [
                (Some(2), "lines[1].scope", "unknown_scope"),
                (Some(3), "lines[2].amount", "negative_amount"),
                (Some(5), "lines[4].amount", "invalid_type"),
                (Some(4), "lines[3].scope", "duplicate_scope"),
            ]
        );
    }

    #[test]
    fn csv_declarations_take_their_unit_from_the_header() {
        let csv = "scope,projects,amount_wan\ntotal,3219,36980\nclass:operating,25,791\n";
        let declaration =
            parse_csv(csv.as_bytes(), Some("兴平"), Some("2020-10-31")).expect("valid");
        assert_eq!(declaration.lines[1].amount.to_string(), "7910000.00");
        let errors = parse_csv(
            b"scope,projects,amount\ntotal,1,1.00\ntotal,1,abc\n",
            Some("x"),
            Some("2020-10-31"),
        )
        .unwrap_err();
        assert_eq!(
            (errors[0].line, errors[0].code),
            (Some(3), "invalid_number")
        );
    }
}
