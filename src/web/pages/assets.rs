//! 资产台账: the filtered, paged register with its CSV download; an asset's page with
//! its fields, its custody history and the forms that append to it.

mod contracts;
mod detail;
mod entries;
mod filters;

use std::collections::HashMap;

use maud::{html, Markup};
use rocket::form::{self, Form};
use rocket::http::Status;
use rocket::response::content::RawHtml;
use rocket::response::Redirect;
use rocket::{get, post, State};

use self::entries::{body_of, Attempt};
pub(super) use self::filters::{choice_filter, text_filter, year_filter};
use self::filters::{filter_form, filter_query, filters_described};
use super::{bad_query, internal, number_pages, require, PageError};
use crate::approvals::replies::{answered, Keyed};
use crate::approvals::waits::{append_or_propose, Submitted};
use crate::approvals::{ApprovalSettings, ProposalError};
use crate::auth::Access;
use crate::db::Db;
use crate::domain::{shown, Scope};
use crate::ledger::append::{AppendError, AppendOutcome, AppendRequest};
use crate::ledger::entry::{parse_entry, FieldError};
use crate::observe::access::Disclosure;
use crate::paging::{Cursor, Limit, Page};
use crate::register::query::{
    asset_code_at, assets_through, list_assets, tally_assets, AssetFilter, AssetTally,
};
use crate::register::store::AssetRow;
use crate::request::{Both, RegisterQuery};
use crate::web::form_key;
use crate::web::session::Session;
use crate::web::view::{
    class_label, encode, header_row, kind_label, money_cells, numbered_pager, page, print_button,
    status_label, Pages,
};

const PAGE_SIZE: Limit = Limit::fixed(50);

/// The columns of a table of assets ([`asset_row`]): label, and whether it is a number.
pub(super) const ASSET_COLUMNS: [(&str, bool); 9] = [
    ("资产编号", false),
    ("资产名称", false),
    ("类别", false),
    ("镇街/村", false),
    ("资产价值（万元）", true),
    ("资产价值（元）", true),
    ("所有权人", false),
    ("管护主体", false),
    ("状态", false),
];

/// What the register page shows.
struct RegisterPage {
    /// The filters asked for, shown again in the form.
    filter: AssetFilter,
    /// Whether the caller may download the register (the CSV links are shown).
    can_export: bool,
    /// The assets on this page.
    rows: Vec<AssetLine>,
    /// How many assets the filters select, and their value together.
    tally: AssetTally,
    /// Where this page stands among the filtered list's pages.
    pages: Pages,
}

/// One asset in the register.
pub(super) struct AssetLine {
    code: String,
    name: String,
    /// The class's label.
    class: &'static str,
    town: String,
    village: Option<String>,
    value_fen: i64,
    owner_name: String,
    custodian: Option<String>,
    /// The status's label.
    status: &'static str,
}

/// The register, filtered and paged.
#[get("/assets?<query..>")]
pub async fn assets(
    session: Session,
    query: form::Result<'_, RegisterQuery>,
    db: &State<Db>,
) -> Result<RawHtml<String>, PageError> {
    let Both(filter, at) = query.map_err(|e| bad_query(e, "/assets"))?;
    let can_export = session.0.role.allows(Access::Review);
    let scope = session.0.scope.clone();
    let view = load_register(db, scope, filter.into_filter(), at.cursor(), can_export).await?;
    Ok(page(
        &session.0,
        "/assets",
        "资产台账",
        None,
        render_register(&view),
    ))
}

/// Reads the page of the register in `scope` that `filter` selects and that follows
/// `after`, with the count and value of all it selects.
async fn load_register(
    db: &Db,
    scope: Scope,
    filter: AssetFilter,
    after: Option<&Cursor<String>>,
    can_export: bool,
) -> Result<RegisterPage, PageError> {
    let query_filter = filter.clone();
    let cursor = after.cloned();
    let (tally, Page { items, .. }, pages) = db
        .run(move |conn| {
            let filter = &query_filter;
            let tally = tally_assets(conn, &scope, filter).map_err(internal)?;
            let after = cursor.as_ref().map(|c| c.key().as_str());
            let before = match after {
                Some(key) => assets_through(conn, &scope, filter, key).map_err(internal)?,
                None => 0,
            };
            let rows = list_assets(conn, &scope, filter, true, after, PAGE_SIZE.fetch())
                .map_err(internal)?;
            let page = Page::from_rows(rows, PAGE_SIZE, |row| row.code.clone());
            let query = filter_query(filter);
            let pages = number_pages(
                tally.assets,
                PAGE_SIZE,
                (cursor.as_ref(), before),
                page.next.as_ref(),
                |position| asset_code_at(conn, &scope, filter, position),
                |cursor| register_address(&query, cursor),
            )
            .map_err(internal)?;
            Ok::<_, PageError>((tally, page, pages))
        })
        .await?;
    Ok(RegisterPage {
        filter,
        can_export,
        rows: items.into_iter().map(asset_line).collect(),
        tally,
        pages,
    })
}

/// The address of the register page with the filters of `query` ([`filter_query`]) that
/// continues after `cursor` (the first page without one).
fn register_address(query: &str, cursor: Option<&Cursor<String>>) -> String {
    match cursor {
        Some(cursor) => format!("/assets?{query}cursor={}", encode(&cursor.to_string())),
        None => format!("/assets?{query}"),
    }
}

/// An asset's row as the register shows it.
pub(super) fn asset_line(row: AssetRow) -> AssetLine {
    AssetLine {
        class: class_label(&row.class),
        status: status_label(&row.status),
        code: row.code,
        name: row.name,
        town: row.town,
        village: row.village,
        value_fen: row.value_fen,
        owner_name: row.owner_name,
        custodian: row.custodian,
    }
}

fn render_register(view: &RegisterPage) -> Markup {
    let query = filter_query(&view.filter);
    html! {
        (filter_form(&view.filter))
        p class="actions" {
            @if view.can_export {
                a class="button secondary" href={ "/api/v1/assets.csv?" (query) } { "下载 CSV（UTF-8）" }
                " "
                a class="button secondary" href={ "/api/v1/assets.csv?" (query) "encoding=gbk" } {
                    "下载 CSV（GBK）"
                }
                " "
                a class="button secondary" href={ "/api/v1/assets.xlsx?" (query) } { "下载 Excel" }
                " "
            }
            (print_button())
        }
        @if let Some(filters) = filters_described(&view.filter) {
            p class="print-only" { "筛选条件：" (filters) }
        }
        p class="tally" {
            "共 " strong { (view.tally.assets) } " 项资产，资产价值合计 "
            strong { (shown::yuan(view.tally.value.fen())) } " 元（"
            (shown::wan(view.tally.value.fen())) " 万元）"
        }
        div class="scroll" {
            table {
                thead {
                    (header_row(&ASSET_COLUMNS))
                }
                tbody {
                    @for row in &view.rows {
                        (asset_row(row))
                    }
                    @if view.rows.is_empty() {
                        tr { td colspan="9" class="muted" { "没有符合条件的资产" } }
                    }
                }
                tfoot {
                    tr {
                        th colspan="4" { "合计（" (view.tally.assets) " 项）" }
                        (money_cells(view.tally.value.fen()))
                        td colspan="3" {}
                    }
                }
            }
        }
        (numbered_pager(&view.pages))
    }
}

/// An asset's row of the register's table.
pub(super) fn asset_row(row: &AssetLine) -> Markup {
    html! {
        tr {
            td { a href={ "/assets/" (encode(&row.code)) } { (row.code) } }
            td { (row.name) }
            td { (row.class) }
            td {
                (row.town)
                @if let Some(village) = &row.village {
                    " " (village)
                }
            }
            (money_cells(row.value_fen))
            td { (row.owner_name) }
            td { (row.custodian.as_deref().unwrap_or("—")) }
            td { (row.status) }
        }
    }
}

/// One asset's page; `flash` above it, and the values and errors of a failed
/// `attempt` in its form.
async fn asset_page(
    session: &Session,
    key: &str,
    flash: Option<(bool, &str)>,
    attempt: Option<Attempt>,
    attached: Option<&str>,
    disclosure: &Disclosure,
    db: &Db,
) -> Result<RawHtml<String>, PageError> {
    let can_write = session.0.role.allows(Access::Write);
    let view = detail::load(
        db,
        session.0.scope.clone(),
        key,
        session.0.visibility(),
        disclosure,
        can_write,
        entries::Prefill { attempt, attached },
    )
    .await?;
    let title = format!("资产 {}", view.code());
    Ok(page(
        &session.0,
        "/assets",
        &title,
        flash,
        detail::render(&view),
    ))
}

/// One asset: fields, custody history, and (for clerks) the entry forms.
#[get("/assets/<key>?<done>&<attached>")]
pub async fn asset(
    session: Session,
    key: &str,
    done: Option<&str>,
    attached: Option<&str>,
    disclosure: Disclosure,
    db: &State<Db>,
) -> Result<RawHtml<String>, PageError> {
    // A document just uploaded (`attached`, its SHA-256) is filled into the forms.
    let attached = attached.filter(|d| crate::ledger::attachments::is_digest(d));
    let flash = match (done, attached) {
        (Some(form_key::REPEATED_DONE), _) => Some(form_key::REPEATED.to_owned()),
        (Some(kind), _) => Some(format!("已记录{}", kind_label(kind))),
        (None, Some(_)) => {
            Some("附件已上传，其 SHA-256 已填入下面各表单的“附件”栏；提交记录即引用它".to_owned())
        }
        (None, None) => None,
    };
    asset_page(
        &session,
        key,
        flash.as_deref().map(|m| (true, m)),
        None,
        attached,
        &disclosure,
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
    disclosure: Disclosure,
    db: &State<Db>,
    settings: &State<ApprovalSettings>,
) -> Result<Redirect, PageError> {
    require(&session, Access::Write)?;
    let mut values = form.into_inner();
    let form_key = form_key::take(&mut values)?;
    let kind = values.get("kind").cloned().unwrap_or_default();
    let body = body_of(&values);
    let done = |repeated: bool| {
        if repeated {
            form_key::REPEATED_DONE
        } else {
            kind.as_str()
        }
    };
    let errors: Vec<FieldError> = match parse_entry(&body) {
        Err(errors) => errors,
        Ok(entry) => {
            let request = AppendRequest {
                asset: key.to_owned(),
                scope: session.0.scope.clone(),
                entry,
                actor: session.0.name.clone(),
                idempotency_key: form_key.clone(),
                canonical_body: body.to_string(),
            };
            // A proposal keeps the form's key as its own Idempotency-Key.
            let keyed = Keyed::of_caller(
                form_key.clone(),
                &session.0,
                &format!("POST /assets/{key}/entries"),
                &body.to_string(),
            );
            let policy = settings.policy.clone();
            let submitted = db
                .run(move |conn| {
                    let repeated = answered(conn, &keyed).map_err(internal)?;
                    Ok::<_, PageError>(
                        append_or_propose(conn, &policy, request, body, keyed)
                            .map(|submitted| (repeated, submitted)),
                    )
                })
                .await?;
            match submitted {
                Ok((repeated, Submitted::Proposed(_, created))) => {
                    let id = created["proposal_id"].as_str().unwrap_or_default();
                    let done = if repeated {
                        form_key::REPEATED_DONE
                    } else {
                        "proposed"
                    };
                    return Ok(Redirect::to(format!(
                        "/proposals/{}?done={done}",
                        encode(id)
                    )));
                }
                Ok((_, Submitted::Appended(outcome))) => {
                    let repeated = matches!(*outcome, AppendOutcome::Replayed(_));
                    return Ok(Redirect::to(format!(
                        "/assets/{}?done={}",
                        encode(key),
                        encode(done(repeated))
                    )));
                }
                Err(ProposalError::Append(AppendError::IdempotencyKeyReused)) => {
                    vec![FieldError::new(
                        "",
                        "idempotency_key_reused",
                        form_key::REUSED,
                    )]
                }
                Err(ProposalError::Append(AppendError::Rule {
                    code,
                    field,
                    message,
                })) => vec![FieldError::new(field, code, message)],
                Err(ProposalError::Append(AppendError::AssetNotFound(_))) => {
                    return Err(super::missing("没有这项资产。", "/assets"))
                }
                Err(ProposalError::Append(AppendError::Db(e)) | ProposalError::Db(e)) => {
                    return Err(e.into())
                }
                Err(other) => return Err(internal(other)),
            }
        }
    };
    let page = asset_page(
        &session,
        key,
        Some((false, "未记录：请按提示修改后重新提交")),
        Some(Attempt {
            kind,
            values,
            errors,
        }),
        None,
        &disclosure,
        db,
    )
    .await?;
    Err(PageError::page(Status::UnprocessableEntity, page))
}

#[cfg(test)]
mod tests;
