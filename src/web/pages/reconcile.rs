//! 对账: enter or upload declared figures, read the variance table and the charts of
//! value by class and by town, open the printable report.

mod variance;

use std::collections::HashMap;

use maud::{html, Markup};
use rocket::form::{Form, FromForm};
use rocket::fs::TempFile;
use rocket::http::Status;
use rocket::response::content::RawHtml;
use rocket::response::Redirect;
use rocket::{get, post, State};
use serde_json::{json, Value};

use super::{internal, require, require_county, PageError};
use crate::approvals::replies::{answered, keyed_write, ChainLock, Keyed};
use crate::auth::Access;
use crate::db::Db;
use crate::domain::dates::timestamp_now;
use crate::reconcile::declaration::{self, Declaration, DeclarationError, Scope};
use crate::web::form_key::{self, Refused};
use crate::web::session::Session;
use crate::web::view::{header_row, page, scroll_table};

/// The scopes the entry form offers, in order.
const FORM_SCOPES: [&str; 5] = [
    "total",
    "class:operating",
    "class:public_welfare",
    "class:household",
    "unclassified",
];

/// How many lines the entry form has.
const FORM_LINES: usize = 8;

/// What the reconciliation page shows.
struct DeclarationsPage {
    /// The declarations stored, newest first.
    stored: Vec<DeclarationLine>,
    /// The forms to enter or upload figures, for those who may write.
    form: Option<DeclarationForm>,
}

/// One stored declaration in the list.
struct DeclarationLine {
    id: String,
    name: String,
    as_of: String,
    actor: String,
    created_at: String,
}

/// The entry form, as last submitted, with what was wrong with it.
struct DeclarationForm {
    name: String,
    as_of: String,
    /// (scope, projects, amount) of each line.
    lines: Vec<(String, String, String)>,
    errors: Vec<DeclarationError>,
    /// The scopes a line may take, as (code, label): the fixed ones, then each town
    /// and each year the register holds.
    scopes: Vec<(String, String)>,
}

impl DeclarationForm {
    /// The form filled with the `values` posted (the offered scopes where none were).
    fn new(
        values: &HashMap<String, String>,
        errors: &[DeclarationError],
        scopes: Vec<(String, String)>,
    ) -> Self {
        let value = |name: &str| values.get(name).cloned().unwrap_or_default();
        let lines = (0..FORM_LINES)
            .map(|i| {
                let scope = values
                    .get(&format!("scope{i}"))
                    .cloned()
                    .unwrap_or_else(|| FORM_SCOPES.get(i).copied().unwrap_or_default().to_owned());
                (
                    scope,
                    value(&format!("projects{i}")),
                    value(&format!("amount{i}")),
                )
            })
            .collect();
        DeclarationForm {
            name: value("name"),
            as_of: value("as_of"),
            lines,
            errors: errors.to_vec(),
            scopes,
        }
    }
}

/// The scopes a declared line may take: 合计, each class, 未形成资产, then every town and
/// every year of the register, each as its code and its label.
async fn load_scopes(db: &Db) -> Result<Vec<(String, String)>, PageError> {
    use crate::register::totals::{totals, GroupBy};
    let (towns, years) = db
        .run(|conn| {
            // Declarations are the county's (the page requires county scope).
            let county = crate::domain::Scope::County;
            let towns = totals(conn, &county, GroupBy::Town).map_err(internal)?;
            let years = totals(conn, &county, GroupBy::Year).map_err(internal)?;
            Ok::<_, PageError>((towns.groups, years.groups))
        })
        .await?;
    let mut scopes: Vec<Scope> = FORM_SCOPES
        .iter()
        .filter_map(|code| Scope::parse(code).ok())
        .collect();
    scopes.extend(towns.into_iter().map(|g| Scope::Town(g.key)));
    scopes.extend(
        years
            .into_iter()
            .filter_map(|g| g.key.parse().ok().map(Scope::Year)),
    );
    Ok(scopes
        .into_iter()
        .map(|scope| (scope.to_string(), scope.label()))
        .collect())
}

/// Reads the latest 100 declarations.
async fn load_declarations(db: &Db) -> Result<Vec<DeclarationLine>, PageError> {
    let stored = db
        .run(|conn| declaration::list(conn, None, 100).map_err(internal))
        .await?;
    Ok(stored
        .into_iter()
        .map(|item| DeclarationLine {
            created_at: crate::domain::shown::china_time(&item.created_at),
            id: item.id,
            name: item.declaration.name,
            as_of: item.declaration.as_of.to_string(),
            actor: item.actor,
        })
        .collect())
}

fn render_declarations(view: &DeclarationsPage) -> Markup {
    html! {
        h2 { "已录入的申报" }
        (scroll_table(
            header_row(&[("名称", false), ("截至日期", false), ("录入", false), ("时间", false)]),
            html! {
                @for item in &view.stored {
                    tr {
                        td { a href={ "/reconcile/" (item.id) } { (item.name) } }
                        td { (item.as_of) }
                        td { (item.actor) }
                        td { (item.created_at) }
                    }
                }
                @if view.stored.is_empty() {
                    tr { td colspan="4" class="muted" { "尚无申报" } }
                }
            },
        ))
        @if let Some(form) = &view.form {
            (declaration_form(form))
        }
    }
}

fn declaration_form(form: &DeclarationForm) -> Markup {
    html! {
        h2 { "录入申报数" }
        @if !form.errors.is_empty() {
            ul class="field-error" {
                @for error in &form.errors {
                    li {
                        @if let Some(line) = error.line {
                            "第 " (line) " 行 "
                        }
                        span title=(error.field) { (error.field_label()) } "：" (error.message)
                    }
                }
            }
        }
        form method="post" action="/reconcile" class="card" {
            (form_key::fresh_hidden())
            div class="grid" {
                label { "申报名称" input name="name" value=(form.name) required; }
                label { "截至日期" input type="date" name="as_of" value=(form.as_of) required; }
            }
            (scroll_table(
                header_row(&[("口径", false), ("项目数", false), ("金额（元）", false)]),
                html! {
                    @for (i, (scope, projects, amount)) in form.lines.iter().enumerate() {
                        tr {
                            td {
                                select name={ "scope" (i) } {
                                    option value="" { "（不填）" }
                                    @for (code, label) in &form.scopes {
                                        option value=(code) selected[code == scope] { (label) }
                                    }
                                }
                            }
                            td { input name={ "projects" (i) } value=(projects) inputmode="numeric"; }
                            td { input name={ "amount" (i) } value=(amount) inputmode="decimal" placeholder="0.00"; }
                        }
                    }
                },
            ))
            p class="muted" { "口径从列表中选择；未填项目数和金额的行不计。" }
            button type="submit" { "保存并对账" }
        }
        h2 { "或上传申报文件" }
        form method="post" action="/reconcile/upload" enctype="multipart/form-data" class="card filters" {
            (form_key::fresh_hidden())
            label { "文件（JSON，或 scope,projects,amount 的 CSV）" input type="file" name="file" required; }
            label { "申报名称（CSV 用）" input name="name"; }
            label { "截至日期（CSV 用）" input type="date" name="as_of"; }
            button type="submit" { "上传并对账" }
        }
    }
}

/// The reconciliation page: the declarations, and (for writers) the forms, filled with
/// the `values` and `errors` of a refused attempt.
async fn reconcile_page(
    session: &Session,
    values: &HashMap<String, String>,
    errors: &[DeclarationError],
    db: &Db,
) -> Result<RawHtml<String>, PageError> {
    require_county(session)?;
    let form = if session.0.role.allows(Access::Write) {
        Some(DeclarationForm::new(values, errors, load_scopes(db).await?))
    } else {
        None
    };
    let view = DeclarationsPage {
        stored: load_declarations(db).await?,
        form,
    };
    let flash = (!errors.is_empty()).then_some((false, "申报数有误，未保存：请按提示修改"));
    Ok(page(
        &session.0,
        "/reconcile",
        "对账",
        flash,
        render_declarations(&view),
    ))
}

/// Declarations, and the forms to enter or upload one.
#[get("/reconcile")]
pub async fn reconcile(session: Session, db: &State<Db>) -> Result<RawHtml<String>, PageError> {
    reconcile_page(&session, &HashMap::new(), &[], db).await
}

/// Stores `parsed` under its form's key (see [`form_key`]): a form posted again shows
/// the declaration stored the first time, saying so, and stores nothing.
async fn store(
    session: &Session,
    parsed: Declaration,
    key: Option<String>,
    asked: Value,
    db: &Db,
) -> Result<Redirect, PageError> {
    let actor = session.0.name.clone();
    let keyed = Keyed::of_caller(key, &session.0, "POST /reconcile", &asked.to_string());
    let (repeated, answer) = db
        .run(move |conn| {
            let repeated = answered(conn, &keyed).map_err(internal)?;
            let stored = keyed_write(conn, &keyed, ChainLock::WithKey, |conn| {
                let id = declaration::store(conn, &parsed, &actor, &timestamp_now())?;
                Ok::<_, Refused<diesel::result::Error>>((201, json!({ "id": id })))
            });
            match stored {
                Ok((_, answer)) => Ok((repeated, answer)),
                Err(Refused::Reused) => Err(super::message_page(
                    Status::UnprocessableEntity,
                    "未保存",
                    form_key::REUSED,
                    ("/reconcile", "返回对账"),
                )),
                // A busy database (the chain's lock not granted in time) is a page of its
                // own ([`super::busy`]); any other failure is internal.
                Err(Refused::Write(e)) => Err(crate::db::DbError::from(e).into()),
                Err(Refused::Failed(e)) => Err(internal(e)),
            }
        })
        .await?;
    let id = answer["id"].as_str().unwrap_or_default();
    let done = if repeated { "?done=repeated" } else { "" };
    Ok(Redirect::to(format!("/reconcile/{id}{done}")))
}

/// Stores figures entered in the form.
#[post("/reconcile", data = "<form>")]
pub async fn create_declaration(
    session: Session,
    form: Form<HashMap<String, String>>,
    db: &State<Db>,
) -> Result<Redirect, PageError> {
    require_county(&session)?;
    require(&session, Access::Write)?;
    let mut values = form.into_inner();
    let key = form_key::take(&mut values)?;
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
        Ok(parsed) => store(&session, parsed, key, body, db).await,
        Err(errors) => Err(PageError::page(
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
    form_key: Option<String>,
}

/// Stores figures from an uploaded JSON or CSV file.
#[post("/reconcile/upload", data = "<form>")]
pub async fn upload_declaration(
    session: Session,
    form: Form<Upload<'_>>,
    db: &State<Db>,
) -> Result<Redirect, PageError> {
    require_county(&session)?;
    require(&session, Access::Write)?;
    let key = form_key::checked(form.form_key.as_deref())?;
    let bytes = match form.file.path() {
        Some(path) => rocket::tokio::fs::read(path).await.map_err(internal)?,
        None => Vec::new(),
    };
    let content = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let is_json = content.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
    let parsed = if is_json {
        match crate::request::strict_json::from_slice(content) {
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
    let asked = json!([
        form.name,
        form.as_of,
        crate::ledger::attachments::digest(&bytes)
    ]);
    match parsed {
        Ok(parsed) => store(&session, parsed, key, asked, db).await,
        Err(errors) => Err(PageError::page(
            Status::UnprocessableEntity,
            reconcile_page(&session, &HashMap::new(), &errors, db).await?,
        )),
    }
}

/// One declaration's variance table, the charts, and the link to the printable report.
#[get("/reconcile/<id>?<done>")]
pub async fn show_declaration(
    session: Session,
    id: &str,
    done: Option<&str>,
    db: &State<Db>,
) -> Result<RawHtml<String>, PageError> {
    require_county(&session)?;
    let reader = session.0.role.sees_masked_ids();
    let Some(view) = variance::load(db, id, reader).await? else {
        return Err(super::missing("没有这份申报。", "/reconcile"));
    };
    let title = format!("对账：{}", view.name);
    Ok(page(
        &session.0,
        "/reconcile",
        &title,
        (done == Some(form_key::REPEATED_DONE)).then_some((true, form_key::REPEATED)),
        variance::render(&view),
    ))
}

#[cfg(test)]
mod tests;
