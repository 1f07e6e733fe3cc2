//! 对账: enter or upload declared figures, read the variance table and the charts of
//! value by class and by town, open the printable report.

use std::collections::HashMap;

use rocket::form::{Form, FromForm};
use rocket::fs::TempFile;
use rocket::http::Status;
use rocket::response::content::RawHtml;
use rocket::response::Redirect;
use rocket::{get, post, State};
use serde_json::{json, Value};

use super::{internal, require, PageError};
use crate::auth::Access;
use crate::db::Db;
use crate::domain::dates::timestamp_now;
use crate::reconcile::declaration::{self, Declaration, DeclarationError};
use crate::reconcile::report::reconcile as reconcile_report;
use crate::register::totals::{totals, GroupBy};
use crate::web::session::Session;
use crate::web::view::{class_label, escape, fen_of, money_cells, page};

/// The scopes the entry form offers, in order.
const FORM_SCOPES: [&str; 5] = [
    "total",
    "class:operating",
    "class:public_welfare",
    "class:household",
    "unclassified",
];

fn declaration_form(values: &HashMap<String, String>, errors: &[DeclarationError]) -> String {
    let value = |name: &str| escape(values.get(name).map(String::as_str).unwrap_or_default());
    let mut rows = String::new();
    for i in 0..8 {
        let default_scope = FORM_SCOPES.get(i).copied().unwrap_or_default();
        let scope = values
            .get(&format!("scope{i}"))
            .map_or(default_scope.to_owned(), Clone::clone);
        rows.push_str(&format!(
            "<tr><td><input name=\"scope{i}\" value=\"{}\" placeholder=\"town:镇名 或 year:2020\"></td>\
             <td><input name=\"projects{i}\" value=\"{}\" inputmode=\"numeric\"></td><td><input name=\"amount{i}\" value=\"{}\" inputmode=\"decimal\" placeholder=\"0.00\"></td></tr>",
            escape(&scope),
            value(&format!("projects{i}")),
            value(&format!("amount{i}"))
        ));
    }
    let error_list = if errors.is_empty() {
        String::new()
    } else {
        let items: String = errors
            .iter()
            .map(|e| {
                format!(
                    "<li>{}{}：{}</li>",
                    e.line.map(|l| format!("第 {l} 行 ")).unwrap_or_default(),
                    escape(&e.field),
                    escape(&e.message)
                )
            })
            .collect();
        format!("<ul class=\"field-error\">{items}</ul>")
    };
    format!(
        "<h2>录入申报数</h2>{error_list}<form method=\"post\" action=\"/reconcile\" class=\"card\">\
         <div class=\"grid\"><label>申报名称<input name=\"name\" value=\"{}\" required></label>\
         <label>截止日期<input type=\"date\" name=\"as_of\" value=\"{}\" required></label></div>\
         <div class=\"scroll\"><table><thead><tr><th>口径</th><th>项目数</th><th>金额（元）</th></tr></thead><tbody>{rows}</tbody></table></div>\
         <p class=\"muted\">口径：total 合计；class:operating 经营性；class:public_welfare 公益性；class:household 到户类；town:镇名；year:年度；unclassified 未形成资产。空行不计。</p>\
         <button type=\"submit\">保存并对账</button></form>\
         <h2>或上传申报文件</h2><form method=\"post\" action=\"/reconcile/upload\" enctype=\"multipart/form-data\" class=\"card filters\">\
         <label>文件（JSON，或 scope,projects,amount 的 CSV）<input type=\"file\" name=\"file\" required></label>\
         <label>申报名称（CSV 用）<input name=\"name\"></label><label>截止日期（CSV 用）<input type=\"date\" name=\"as_of\"></label>\
         <button type=\"submit\">上传并对账</button></form>",
        value("name"),
        value("as_of")
    )
}

async fn reconcile_page(
    session: &Session,
    values: &HashMap<String, String>,
    errors: &[DeclarationError],
    db: &Db,
) -> Result<RawHtml<String>, PageError> {
    let stored = db
        .run(|conn| declaration::list(conn, None, 100).map_err(internal))
        .await?;
    let mut body = String::from("<h2>已录入的申报</h2><div class=\"scroll\"><table><thead><tr><th>名称</th><th>截止日期</th><th>录入</th><th>时间</th></tr></thead><tbody>");
    for item in &stored {
        body.push_str(&format!(
            "<tr><td><a href=\"/reconcile/{}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&item.id),
            escape(&item.declaration.name),
            item.declaration.as_of,
            escape(&item.actor),
            escape(&item.created_at[..item.created_at.len().min(19)].replace('T', " "))
        ));
    }
    if stored.is_empty() {
        body.push_str("<tr><td colspan=\"4\" class=\"muted\">尚无申报</td></tr>");
    }
    body.push_str("</tbody></table></div>");
    if session.0.role.allows(Access::Write) {
        body.push_str(&declaration_form(values, errors));
    }
    let flash = (!errors.is_empty()).then_some((false, "申报数有误，未保存：请按提示修改"));
    Ok(page(&session.0, "/reconcile", "对账", flash, &body))
}

/// Declarations, and the forms to enter or upload one.
#[get("/reconcile")]
pub async fn reconcile(session: Session, db: &State<Db>) -> Result<RawHtml<String>, PageError> {
    reconcile_page(&session, &HashMap::new(), &[], db).await
}

async fn store(session: &Session, parsed: Declaration, db: &Db) -> Result<Redirect, PageError> {
    let actor = session.0.name.clone();
    let id = db
        .run(move |conn| {
            declaration::store(conn, &parsed, &actor, &timestamp_now()).map_err(internal)
        })
        .await?;
    Ok(Redirect::to(format!("/reconcile/{id}")))
}

/// Stores figures entered in the form.
#[post("/reconcile", data = "<form>")]
pub async fn create_declaration(
    session: Session,
    form: Form<HashMap<String, String>>,
    db: &State<Db>,
) -> Result<Redirect, PageError> {
    require(&session, Access::Write)?;
    let values = form.into_inner();
    let lines: Vec<Value> = (0..8)
        .filter_map(|i| {
            let get = |name: &str| {
                values
                    .get(&format!("{name}{i}"))
                    .map(|v| v.trim().to_owned())
                    .unwrap_or_default()
            };
            let (scope, projects, amount) = (get("scope"), get("projects"), get("amount"));
            if projects.is_empty() && amount.is_empty() {
                return None;
            }
            let projects = projects
                .replace(',', "")
                .parse::<i64>()
                .map_or(Value::String(projects), Value::from);
            Some(json!({"scope": scope, "projects": projects, "amount": amount}))
        })
        .collect();
    let body = json!({"name": values.get("name"), "as_of": values.get("as_of"), "lines": lines});
    match declaration::parse_json(&body) {
        Ok(parsed) => store(&session, parsed, db).await,
        Err(errors) => Err(PageError(
            Status::UnprocessableEntity,
            reconcile_page(&session, &values, &errors, db).await?,
        )),
    }
}

/// The upload form.
#[derive(FromForm)]
pub struct Upload<'r> {
    file: TempFile<'r>,
    name: Option<String>,
    as_of: Option<String>,
}

/// Stores figures from an uploaded JSON or CSV file.
#[post("/reconcile/upload", data = "<form>")]
pub async fn upload_declaration(
    session: Session,
    form: Form<Upload<'_>>,
    db: &State<Db>,
) -> Result<Redirect, PageError> {
    require(&session, Access::Write)?;
    let bytes = match form.file.path() {
        Some(path) => rocket::tokio::fs::read(path).await.map_err(internal)?,
        None => Vec::new(),
    };
    let content = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let is_json = content.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
    let parsed = if is_json {
        match serde_json::from_slice::<Value>(content) {
            Ok(value) => declaration::parse_json(&value),
            Err(e) => Err(vec![DeclarationError {
                line: Some(e.line() as u64),
                field: String::new(),
                code: "malformed_json",
                message: format!("文件不是有效的 JSON：{e}"),
            }]),
        }
    } else {
        let name = form.name.as_deref().filter(|n| !n.trim().is_empty());
        let as_of = form.as_of.as_deref().filter(|d| !d.trim().is_empty());
        declaration::parse_csv(&bytes, name, as_of)
    };
    match parsed {
        Ok(parsed) => store(&session, parsed, db).await,
        Err(errors) => Err(PageError(
            Status::UnprocessableEntity,
            reconcile_page(&session, &HashMap::new(), &errors, db).await?,
        )),
    }
}

/// A horizontal bar chart, as inline SVG: one bar per (label, fen).
fn bar_chart(title: &str, bars: &[(String, i64)]) -> String {
    let max = bars.iter().map(|(_, v)| *v).max().unwrap_or(1).max(1);
    let row = 24;
    let height = bars.len() * row + 30;
    let mut svg = format!(
        "<figure class=\"card\"><figcaption>{}</figcaption><svg class=\"chart\" role=\"img\" aria-label=\"{}\" viewBox=\"0 0 640 {height}\" width=\"100%\" preserveAspectRatio=\"xMinYMin meet\">",
        escape(title),
        escape(title)
    );
    for (i, (label, value)) in bars.iter().enumerate() {
        let y = i * row + 10;
        // Integer arithmetic on fen: the bar's width in pixels out of 400.
        let width = i64::try_from(400i128 * i128::from(*value) / i128::from(max)).unwrap_or(0);
        svg.push_str(&format!(
            "<text x=\"0\" y=\"{}\">{}</text><rect x=\"150\" y=\"{y}\" width=\"{width}\" height=\"16\" fill=\"#a4161a\"></rect>\
             <text x=\"{}\" y=\"{}\">{} 万元</text>",
            y + 13,
            escape(label),
            160 + width,
            y + 13,
            crate::domain::money::signed_wan(*value)
        ));
    }
    svg.push_str("</svg></figure>");
    svg
}

/// One declaration's variance table, the charts, and the link to the printable report.
#[get("/reconcile/<id>")]
pub async fn show_declaration(
    session: Session,
    id: &str,
    db: &State<Db>,
) -> Result<RawHtml<String>, PageError> {
    let key = id.to_owned();
    let found = db
        .run(move |conn| {
            let Some(stored) = declaration::find(conn, &key).map_err(internal)? else {
                return Ok(None);
            };
            let report =
                reconcile_report(conn, Some(&stored.id), &stored.declaration).map_err(internal)?;
            let by_class = totals(conn, GroupBy::Class).map_err(internal)?;
            let by_town = totals(conn, GroupBy::Town).map_err(internal)?;
            Ok::<_, PageError>(Some((stored, report, by_class, by_town)))
        })
        .await?;
    let Some((stored, report, by_class, by_town)) = found else {
        return Err(super::missing("没有这份申报。", "/reconcile"));
    };
    let verdict = if report.status == "match" {
        "<span class=\"ok\">全部相符</span>"
    } else {
        "<span class=\"bad\">存在差异</span>"
    };
    let mut body = format!(
        "<p>截止日期 {}，结论：<strong>{verdict}</strong>　<a class=\"button secondary\" href=\"/api/v1/declarations/{}/report.html\" target=\"_blank\">打开可打印报告</a></p>\
         <div class=\"scroll\"><table><thead><tr><th rowspan=\"2\">口径</th><th colspan=\"3\">申报数</th><th colspan=\"3\">登记数</th><th colspan=\"3\">差额（登记减申报）</th><th rowspan=\"2\">核对</th></tr>\
         <tr><th class=\"n\">项目</th><th class=\"n\">万元</th><th class=\"n\">元</th><th class=\"n\">项目</th><th class=\"n\">万元</th><th class=\"n\">元</th><th class=\"n\">项目</th><th class=\"n\">万元</th><th class=\"n\">元</th></tr></thead><tbody>",
        stored.declaration.as_of,
        escape(&stored.id)
    );
    for line in &report.lines {
        body.push_str(&format!(
            "<tr class=\"{}\"><td>{}<br><small class=\"muted\">{}</small></td><td class=\"n\">{}</td>{}<td class=\"n\">{}</td>{}<td class=\"n\">{}</td>{}<td>{}</td></tr>",
            line.status,
            escape(&line.label),
            escape(&line.scope),
            line.declared.projects,
            money_cells(fen_of(&line.declared.amount)),
            line.actual.projects,
            money_cells(fen_of(&line.actual.amount)),
            line.difference.projects,
            money_cells(fen_of(&line.difference.amount)),
            if line.status == "match" { "相符" } else { "<strong class=\"bad\">不符</strong>" }
        ));
    }
    body.push_str(&format!(
        "</tbody></table></div><p>未形成资产的项目：<strong>{}</strong> 个，项目资金 {} 万元（{} 元）——合计与各类资产之和的差额即由此而来。</p>\
         <p class=\"muted\">台账链头：第 {} 条 <span class=\"hash\">{}</span></p>",
        report.unclassified.projects,
        crate::domain::money::signed_wan(fen_of(&report.unclassified.amount)),
        escape(&report.unclassified.amount),
        report.ledger_head.seq,
        escape(&report.ledger_head.hash)
    ));
    let classes: Vec<(String, i64)> = by_class
        .groups
        .iter()
        .filter(|g| g.key != "none")
        .map(|g| (class_label(&g.key).to_owned(), g.figures.asset_value.fen()))
        .collect();
    let mut towns: Vec<(String, i64)> = by_town
        .groups
        .iter()
        .map(|g| (g.key.clone(), g.figures.funds.fen()))
        .collect();
    towns.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    towns.truncate(20);
    body.push_str(
        "<div class=\"grid\" style=\"grid-template-columns:repeat(auto-fit,minmax(320px,1fr))\">",
    );
    body.push_str(&bar_chart("资产价值（按类别，当前）", &classes));
    body.push_str(&bar_chart("项目资金（按镇街，前 20，当前）", &towns));
    body.push_str("</div>");
    let title = format!("对账：{}", stored.declaration.name);
    Ok(page(&session.0, "/reconcile", &title, None, &body))
}
