//! 资产台账: the filtered, paged register with its CSV download; an asset's page with
//! its fields, its custody history and the forms that append to it.

use std::collections::HashMap;

use maud::PreEscaped;
use rocket::form::{self, Form};
use rocket::http::Status;
use rocket::response::content::RawHtml;
use rocket::response::Redirect;
use rocket::{get, post, State};
use serde_json::{Map, Value};

use super::{bad_query, internal, require, PageError};
use crate::auth::{Access, Visibility};
use crate::db::Db;
use crate::domain::AssetStatus;
use crate::ledger::append::{append_entry as append, AppendError, AppendOutcome, AppendRequest};
use crate::ledger::entry::{parse_entry, EntryKind, FieldError};
use crate::ledger::store::entries_of_asset;
use crate::paging::{Limit, Page};
use crate::register::query::find_asset;
use crate::register::query::list_assets;
use crate::register::store::AssetRow;
use crate::request::{Both, RegisterQuery};
use crate::web::session::Session;
use crate::web::view::{
    class_label, encode, kind_label, money_cells, owner_type_label, page, status_label,
};

const PAGE_SIZE: Limit = Limit::fixed(50);

// TODO(redesign): converted once the entry forms land. The last page whose HTML is
// written by hand: until it is a maud template, it escapes every value itself.
/// Escapes text for HTML.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Text of an optional value, escaped, `—` when absent.
fn or_dash(value: Option<&str>) -> String {
    value.map_or_else(|| "—".to_owned(), escape)
}

fn option(value: &str, label: &str, selected: Option<&str>) -> String {
    let mark = if selected == Some(value) {
        " selected"
    } else {
        ""
    };
    format!("<option value=\"{value}\"{mark}>{label}</option>")
}

/// The register, filtered and paged.
#[get("/assets?<query..>")]
pub async fn assets(
    session: Session,
    query: form::Result<'_, RegisterQuery>,
    db: &State<Db>,
) -> Result<RawHtml<String>, PageError> {
    let Both(filter, at) = query.map_err(|e| bad_query(e, "/assets"))?;
    let filter = filter.into_filter();
    let cursor = at.cursor().cloned();
    let query_filter = filter.clone();
    let Page { items: rows, next } = db
        .run(move |conn| {
            let after = cursor.as_ref().map(|c| c.key().as_str());
            let rows = list_assets(conn, &query_filter, true, after, PAGE_SIZE.fetch());
            rows.map(|rows| Page::from_rows(rows, PAGE_SIZE, |row| row.code.clone()))
                .map_err(internal)
        })
        .await?;
    let query: String = [
        ("class", filter.class.map(|c| c.as_str().to_owned())),
        ("town", filter.town.clone()),
        ("village", filter.village.clone()),
        ("owner", filter.owner.clone()),
        (
            "owner_type",
            filter.owner_type.map(|t| t.as_str().to_owned()),
        ),
        ("status", filter.status.map(|s| s.as_str().to_owned())),
        ("project", filter.project.clone()),
        ("q", filter.q.clone()),
    ]
    .iter()
    .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}={}&", encode(v))))
    .collect();
    let value = |v: &Option<String>| escape(v.as_deref().unwrap_or_default());
    let class_now = filter.class.map(|c| c.as_str());
    let status_now = filter.status.map(|s| s.as_str());
    let mut body = format!(
        "<form class=\"filters card\" method=\"get\" action=\"/assets\">\
         <label>类别<select name=\"class\"><option value=\"\">全部</option>{}{}{}</select></label>\
         <label>镇街<input name=\"town\" value=\"{}\"></label><label>村<input name=\"village\" value=\"{}\"></label>\
         <label>所有权人<input name=\"owner\" value=\"{}\"></label>\
         <label>状态<select name=\"status\"><option value=\"\">全部</option>{}{}{}</select></label>\
         <label>名称包含<input name=\"q\" value=\"{}\"></label><button type=\"submit\">查询</button></form>",
        option("operating", "经营性", class_now),
        option("public_welfare", "公益性", class_now),
        option("household", "到户类", class_now),
        value(&filter.town),
        value(&filter.village),
        value(&filter.owner),
        option("registered", "已登记", status_now),
        option("confirmed", "已确权", status_now),
        option("disposed", "已处置", status_now),
        value(&filter.q)
    );
    if session.0.role.allows(Access::Audit) {
        body.push_str(&format!(
            "<p><a class=\"button secondary\" href=\"/api/v1/assets.csv?{query}\">下载 CSV（UTF-8）</a> \
             <a class=\"button secondary\" href=\"/api/v1/assets.csv?{query}encoding=gbk\">下载 CSV（GBK）</a></p>"
        ));
    }
    body.push_str("<div class=\"scroll\"><table><thead><tr><th>资产编号</th><th>资产名称</th><th>类别</th><th>镇街/村</th>\
                   <th class=\"n\">资产价值（万元）</th><th class=\"n\">资产价值（元）</th><th>所有权人</th><th>管护主体</th><th>状态</th></tr></thead><tbody>");
    for row in &rows {
        body.push_str(&asset_row(row));
    }
    if rows.is_empty() {
        body.push_str("<tr><td colspan=\"9\" class=\"muted\">没有符合条件的资产</td></tr>");
    }
    body.push_str("</tbody></table></div><div class=\"pager\">");
    if at.cursor().is_some() {
        body.push_str(&format!("<a href=\"/assets?{query}\">第一页</a>"));
    }
    if let Some(next) = next {
        body.push_str(&format!(
            "<a href=\"/assets?{query}cursor={}\">下一页</a>",
            encode(&next.to_string())
        ));
    }
    body.push_str("</div>");
    // TODO(redesign): converted once the entry forms land; until then `body` is built
    // by hand above, every value in it through `escape`.
    Ok(page(
        &session.0,
        "/assets",
        "资产台账",
        None,
        PreEscaped(body),
    ))
}

fn asset_row(row: &AssetRow) -> String {
    format!(
        "<tr><td><a href=\"/assets/{}\">{}</a></td><td>{}</td><td>{}</td><td>{}{}</td>{}<td>{}</td><td>{}</td><td>{}</td></tr>",
        encode(&row.code),
        escape(&row.code),
        escape(&row.name),
        class_label(&row.class),
        escape(&row.town),
        row.village.as_deref().map(|v| format!(" {}", escape(v))).unwrap_or_default(),
        money_cells(row.value_fen).into_string(),
        escape(&row.owner_name),
        or_dash(row.custodian.as_deref()),
        status_label(&row.status)
    )
}

/// The fields of the entry forms, per kind: (name, label, input type).
fn form_fields(kind: EntryKind) -> Vec<(&'static str, &'static str, &'static str)> {
    match kind {
        EntryKind::Maintenance => vec![
            ("description", "内容", "text"),
            ("cost", "费用（元）", "text"),
            ("performed_by", "实施单位", "text"),
        ],
        EntryKind::Inspection => vec![("result", "结果", "inspection"), ("note", "说明", "text")],
        EntryKind::Income => vec![
            ("amount", "收益金额（元）", "text"),
            ("period", "收益期间", "text"),
        ],
        EntryKind::IncomeDistributed => vec![
            ("amount", "分配金额（元）", "text"),
            ("period", "收益期间", "text"),
            ("recipients", "受益户数或名单", "text"),
            ("notice_date", "公示日期", "date"),
        ],
        EntryKind::CustodianChanged => vec![
            ("custodian", "新管护主体", "text"),
            ("responsible_person", "责任人", "text"),
            ("phone", "电话", "text"),
        ],
        EntryKind::HandedOver => vec![
            ("from", "移交方", "text"),
            ("to", "接收方", "text"),
            ("document_no", "移交文书号", "text"),
        ],
        EntryKind::OwnershipConfirmed => vec![
            ("confirmed_on", "确权日期", "date"),
            ("certificate_no", "确权证书编号", "text"),
        ],
        EntryKind::OwnershipTransferred => vec![
            ("owner_name", "新所有权人", "text"),
            ("owner_type", "所有权人类型", "owner_type"),
            ("owner_id_number", "证件号", "text"),
            ("document_no", "文书号", "text"),
        ],
        EntryKind::ValueAdjusted => vec![
            ("value", "调整后价值（元）", "text"),
            ("reason", "原因", "text"),
        ],
        EntryKind::Disposed => vec![
            ("method", "处置方式", "method"),
            ("approval_no", "批准文号", "text"),
            ("proceeds", "处置收入（元）", "text"),
        ],
        EntryKind::Correction => vec![
            ("corrects", "被更正条目 seq", "number"),
            ("reason", "更正原因", "text"),
        ],
        EntryKind::Registered => vec![],
    }
}

fn select(name: &str, value: &str, choices: &[(&str, &str)], class: &str) -> String {
    let options: String = choices
        .iter()
        .map(|(v, label)| {
            format!(
                "<option value=\"{v}\"{}>{label}</option>",
                if *v == value { " selected" } else { "" }
            )
        })
        .collect();
    format!("<select name=\"{name}\"{class}><option value=\"\"></option>{options}</select>")
}

/// The forms that append entries, with the values and errors of a failed attempt.
fn entry_forms(
    code: &str,
    kinds: &[EntryKind],
    failed: Option<(&str, &HashMap<String, String>, &[FieldError])>,
) -> String {
    let today = crate::domain::dates::today_in_china().to_string();
    let mut out = String::from("<h2>记录管护台账</h2>");
    for kind in kinds {
        let mine = failed.filter(|(k, _, _)| *k == kind.as_str());
        let value = |name: &str| {
            mine.and_then(|(_, values, _)| values.get(name))
                .cloned()
                .unwrap_or_default()
        };
        let error = |name: &str| -> Option<String> {
            let field = name.replace("owner_", "owner.");
            mine.and_then(|(_, _, errors)| {
                errors
                    .iter()
                    .find(|e| {
                        e.field == name
                            || e.field == field
                            || (name == "owner_name" && e.field == "owner")
                    })
                    .map(|e| e.message.clone())
            })
        };
        let mut inputs = String::new();
        let occurred = if mine.is_some() {
            value("occurred_on")
        } else {
            today.clone()
        };
        let date_error = error("occurred_on");
        inputs.push_str(&format!(
            "<label>业务日期<input type=\"date\" name=\"occurred_on\" value=\"{}\" required{}>{}</label>",
            escape(&occurred),
            if date_error.is_some() { " class=\"invalid\"" } else { "" },
            date_error.map(|m| format!("<span class=\"field-error\">{}</span>", escape(&m))).unwrap_or_default()
        ));
        for (name, label, input) in form_fields(*kind) {
            let message = error(name);
            let invalid = if message.is_some() {
                " class=\"invalid\""
            } else {
                ""
            };
            let current = value(name);
            let control = match input {
                "inspection" => select(
                    name,
                    &current,
                    &[
                        ("normal", "正常"),
                        ("idle", "闲置"),
                        ("damaged", "损坏"),
                        ("missing", "缺失"),
                    ],
                    invalid,
                ),
                "method" => select(
                    name,
                    &current,
                    &[
                        ("auction", "拍卖"),
                        ("transfer", "转让"),
                        ("conversion", "转换用途"),
                        ("loss", "灭失"),
                        ("scrap", "报废"),
                    ],
                    invalid,
                ),
                "owner_type" => select(
                    name,
                    &current,
                    &[
                        ("village_collective", "村集体"),
                        ("household", "农户"),
                        ("government", "政府部门"),
                        ("enterprise", "企业"),
                        ("other", "其他"),
                    ],
                    invalid,
                ),
                other => format!(
                    "<input type=\"{other}\" name=\"{name}\" value=\"{}\"{invalid}>",
                    escape(&current)
                ),
            };
            inputs.push_str(&format!(
                "<label>{label}{control}{}</label>",
                message
                    .map(|m| format!("<span class=\"field-error\">{}</span>", escape(&m)))
                    .unwrap_or_default()
            ));
        }
        let general: Vec<String> = mine
            .map(|(_, _, errors)| {
                errors
                    .iter()
                    .filter(|e| e.field.is_empty() || e.field == "kind")
                    .map(|e| format!("<p class=\"field-error\">{}</p>", escape(&e.message)))
                    .collect()
            })
            .unwrap_or_default();
        out.push_str(&format!(
            "<details class=\"entry-form\" data-kind=\"{kind}\"{open}><summary>{label}</summary>{general}\
             <form method=\"post\" action=\"/assets/{code}/entries\"><input type=\"hidden\" name=\"kind\" value=\"{kind}\">{inputs}\
             <div><button type=\"submit\">记录{label}</button></div></form></details>",
            kind = kind.as_str(),
            open = if mine.is_some() { " open" } else { "" },
            label = kind_label(kind.as_str()),
            general = general.join(""),
            code = encode(code),
        ));
    }
    out
}

/// Summarises an entry's data in one line.
fn summary(kind: &str, data: &Value, visibility: Visibility) -> String {
    let field = |name: &str| {
        data.get(name)
            .and_then(Value::as_str)
            .map(escape)
            .unwrap_or_default()
    };
    match kind {
        "registered" => format!(
            "登记：价值 {} 元，所有权人 {}",
            field("value"),
            escape(
                data.pointer("/owner/name")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
            )
        ),
        "maintenance" => format!(
            "{}{}",
            field("description"),
            data.get("cost")
                .and_then(Value::as_str)
                .map(|c| format!("，费用 {} 元", escape(c)))
                .unwrap_or_default()
        ),
        "inspection" => format!(
            "结果：{}{}",
            field("result"),
            data.get("note")
                .and_then(Value::as_str)
                .map(|n| format!("，{}", escape(n)))
                .unwrap_or_default()
        ),
        "income" | "income_distributed" => format!("{} 元（{}）", field("amount"), field("period")),
        "custodian_changed" => format!("管护主体：{}", field("custodian")),
        "handed_over" => format!(
            "{} → {}（{}）",
            field("from"),
            field("to"),
            field("document_no")
        ),
        "ownership_confirmed" => format!("{}，{}", field("confirmed_on"), field("certificate_no")),
        "ownership_transferred" => {
            let id = visibility.id_number(data.pointer("/owner/id_number").and_then(Value::as_str));
            format!(
                "新所有权人：{}（{}）{}",
                escape(
                    data.pointer("/owner/name")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                ),
                owner_type_label(
                    data.pointer("/owner/type")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                ),
                id.map(|i| format!("，证件号 {}", escape(&i)))
                    .unwrap_or_default()
            )
        }
        "value_adjusted" => format!("价值调整为 {} 元：{}", field("value"), field("reason")),
        "disposed" => format!("方式 {}，批文 {}", field("method"), field("approval_no")),
        "correction" => format!(
            "更正第 {} 条：{}",
            data.get("corrects")
                .and_then(Value::as_i64)
                .unwrap_or_default(),
            field("reason")
        ),
        _ => String::new(),
    }
}

async fn asset_page(
    session: &Session,
    key: &str,
    flash: Option<(bool, &str)>,
    failed: Option<(&str, &HashMap<String, String>, &[FieldError])>,
    db: &Db,
) -> Result<RawHtml<String>, PageError> {
    let lookup = key.to_owned();
    let found = db
        .run(move |conn| {
            let Some(row) = find_asset(conn, &lookup).map_err(internal)? else {
                return Ok(None);
            };
            let entries = entries_of_asset(conn, &row.code).map_err(internal)?;
            Ok::<_, PageError>(Some((row, entries)))
        })
        .await?;
    let Some((row, entries)) = found else {
        return Err(super::missing("没有这项资产。", "/assets"));
    };
    let visibility = session.0.visibility();
    let id_number = visibility.id_number(row.owner_id_number.as_deref());
    let mut body = format!(
        "<div class=\"card\"><dl class=\"fields\">\
         <dt>资产编号</dt><dd>{}</dd><dt>资产名称</dt><dd>{}</dd><dt>项目编号</dt><dd>{}</dd><dt>类别</dt><dd>{}</dd>\
         <dt>数量</dt><dd>{} {}</dd><dt>资产价值</dt><dd>{} 万元（{} 元）</dd>\
         <dt>所有权人</dt><dd>{}（{}）</dd><dt>证件号</dt><dd>{}</dd><dt>管护主体</dt><dd>{}</dd>\
         <dt>状态</dt><dd>{}</dd><dt>确权</dt><dd>{} {}</dd><dt>镇街/村</dt><dd>{} {}</dd>\
         <dt>经营收益 / 已分配</dt><dd>{} 元 / {} 元</dd><dt>登记日期</dt><dd>{}</dd></dl></div>",
        escape(&row.code),
        escape(&row.name),
        escape(&row.project_code),
        class_label(&row.class),
        or_dash(row.quantity.as_deref()),
        escape(row.unit.as_deref().unwrap_or_default()),
        crate::domain::money::signed_wan(row.value_fen),
        crate::domain::money::signed_yuan(row.value_fen),
        escape(&row.owner_name),
        owner_type_label(&row.owner_type),
        or_dash(id_number.as_deref()),
        or_dash(row.custodian.as_deref()),
        status_label(&row.status),
        or_dash(row.confirmed_on.as_deref()),
        escape(row.certificate_no.as_deref().unwrap_or_default()),
        escape(&row.town),
        escape(row.village.as_deref().unwrap_or_default()),
        crate::domain::money::signed_yuan(row.income_fen),
        crate::domain::money::signed_yuan(row.distributed_fen),
        escape(&row.registered_on)
    );
    body.push_str("<h2>管护台账</h2><ol class=\"timeline\">");
    for entry in entries.iter().rev() {
        let data: Value = serde_json::from_str(&entry.data).unwrap_or(Value::Null);
        body.push_str(&format!(
            "<li><strong>{}</strong> <span class=\"muted\">{} · 第 {} 条 · {}</span><br>{}</li>",
            kind_label(&entry.kind),
            escape(&entry.occurred_on),
            entry.seq,
            escape(&entry.actor),
            summary(&entry.kind, &data, visibility)
        ));
    }
    body.push_str("</ol>");
    if session.0.role.allows(Access::Write) {
        if row.status == AssetStatus::Disposed.as_str() {
            body.push_str("<p class=\"muted\">资产已处置，只能记录更正。</p>");
            body.push_str(&entry_forms(&row.code, &[EntryKind::Correction], failed));
        } else {
            body.push_str(&entry_forms(&row.code, &EntryKind::ALL[1..], failed));
        }
    }
    let title = format!("资产 {}", row.code);
    // TODO(redesign): converted once the entry forms land; until then `body` is built
    // by hand above, every value in it through `escape`.
    Ok(page(&session.0, "/assets", &title, flash, PreEscaped(body)))
}

/// One asset: fields, custody history, and (for clerks) the entry forms.
#[get("/assets/<key>?<done>")]
pub async fn asset(
    session: Session,
    key: &str,
    done: Option<&str>,
    db: &State<Db>,
) -> Result<RawHtml<String>, PageError> {
    let flash = done.map(|kind| (true, format!("已记录{}", kind_label(kind))));
    asset_page(
        &session,
        key,
        flash.as_ref().map(|(ok, m)| (*ok, m.as_str())),
        None,
        db,
    )
    .await
}

/// Builds the JSON body of an entry from a form.
fn body_of(form: &HashMap<String, String>) -> Value {
    let mut body = Map::new();
    let mut owner = Map::new();
    for (name, value) in form {
        let value = value.trim();
        if value.is_empty() {
            continue;
        }
        let json = match name.as_str() {
            "corrects" => value
                .parse::<i64>()
                .map_or_else(|_| Value::String(value.to_owned()), Value::from),
            "recipients" => value
                .parse::<u64>()
                .map_or_else(|_| Value::String(value.to_owned()), Value::from),
            _ => Value::String(value.to_owned()),
        };
        match name.strip_prefix("owner_") {
            Some("name") => drop(owner.insert("name".to_owned(), json)),
            Some("type") => drop(owner.insert("type".to_owned(), json)),
            Some("id_number") => drop(owner.insert("id_number".to_owned(), json)),
            _ => drop(body.insert(name.clone(), json)),
        }
    }
    if !owner.is_empty() {
        body.insert("owner".to_owned(), Value::Object(owner));
    }
    Value::Object(body)
}

/// Appends an entry from a form; on errors the page comes back with them beside the fields.
#[post("/assets/<key>/entries", data = "<form>")]
pub async fn append_entry(
    session: Session,
    key: &str,
    form: Form<HashMap<String, String>>,
    db: &State<Db>,
) -> Result<Redirect, PageError> {
    require(&session, Access::Write)?;
    let values = form.into_inner();
    let kind = values.get("kind").cloned().unwrap_or_default();
    let body = body_of(&values);
    let errors: Vec<FieldError> = match parse_entry(&body) {
        Err(errors) => errors,
        Ok(entry) => {
            let request = AppendRequest {
                asset: key.to_owned(),
                entry,
                actor: session.0.name.clone(),
                idempotency_key: None,
                canonical_body: body.to_string(),
            };
            match db
                .run(move |conn| Ok::<_, PageError>(append(conn, &request)))
                .await?
            {
                Ok(AppendOutcome::Created(_) | AppendOutcome::Replayed(_)) => {
                    return Ok(Redirect::to(format!(
                        "/assets/{}?done={}",
                        encode(key),
                        encode(&kind)
                    )));
                }
                Err(AppendError::Rule {
                    code,
                    field,
                    message,
                }) => vec![FieldError::new(field, code, message)],
                Err(AppendError::AssetNotFound(_)) => {
                    return Err(super::missing("没有这项资产。", "/assets"))
                }
                Err(other) => return Err(internal(other)),
            }
        }
    };
    let page = asset_page(
        &session,
        key,
        Some((false, "未记录：请按提示修改后重新提交")),
        Some((&kind, &values, &errors)),
        db,
    )
    .await?;
    Err(PageError(Status::UnprocessableEntity, page))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped() {
        assert_eq!(escape("<script>&\"'"), "&lt;script&gt;&amp;&quot;&#39;");
    }
}
