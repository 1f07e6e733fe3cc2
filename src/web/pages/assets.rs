//! 资产台账: the filtered, paged register with its CSV download; an asset's page with
//! its fields, its custody history and the forms that append to it.

mod entries;

use std::collections::HashMap;

use maud::PreEscaped;
use rocket::form::{self, Form};
use rocket::http::Status;
use rocket::response::content::RawHtml;
use rocket::response::Redirect;
use rocket::{get, post, State};

use self::entries::{body_of, entry_forms, summary};
use super::{bad_query, internal, require, PageError};
use crate::auth::Access;
use crate::db::Db;
use crate::domain::{AssetClass, AssetStatus, Vocabulary};
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
    let classes: String = AssetClass::ALL
        .iter()
        .map(|c| option(c.as_str(), c.label(), class_now))
        .collect();
    let statuses: String = AssetStatus::ALL
        .iter()
        .map(|s| option(s.as_str(), s.label(), status_now))
        .collect();
    let mut body = format!(
        "<form class=\"filters card\" method=\"get\" action=\"/assets\">\
         <label>类别<select name=\"class\"><option value=\"\">全部</option>{}</select></label>\
         <label>镇街<input name=\"town\" value=\"{}\"></label><label>村<input name=\"village\" value=\"{}\"></label>\
         <label>所有权人<input name=\"owner\" value=\"{}\"></label>\
         <label>状态<select name=\"status\"><option value=\"\">全部</option>{}</select></label>\
         <label>名称包含<input name=\"q\" value=\"{}\"></label><button type=\"submit\">查询</button></form>",
        classes,
        value(&filter.town),
        value(&filter.village),
        value(&filter.owner),
        statuses,
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
        body.push_str(&format!(
            "<li><strong>{}</strong> <span class=\"muted\">{} · 第 {} 条 · {}</span><br>{}</li>",
            kind_label(&entry.kind),
            escape(&entry.occurred_on),
            entry.seq,
            escape(&entry.actor),
            summary(entry, visibility)
        ));
    }
    body.push_str("</ol>");
    if session.0.role.allows(Access::Write) {
        if row.status == AssetStatus::Disposed.as_str() {
            body.push_str("<p class=\"muted\">资产已处置，只能记录更正。</p>");
            body.push_str(&entry_forms(&row.code, &[EntryKind::Correction], failed));
        } else {
            let appendable: Vec<EntryKind> = EntryKind::ALL
                .iter()
                .copied()
                .filter(|k| k.appendable())
                .collect();
            body.push_str(&entry_forms(&row.code, &appendable, failed));
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
