//! Declared figures and their reconciliation: `POST /api/v1/declarations` (JSON or
//! CSV), `GET /api/v1/declarations[/{id}]`, `GET …/{id}/reconciliation`, the printable
//! `GET …/{id}/report.html`, `GET /api/v1/findings` and its CSV `GET /api/v1/findings.csv`.

use rocket::data::{Data, Limits};
use rocket::form;
use rocket::http::{ContentType, Status};
use rocket::response::content::RawHtml;
use rocket::serde::json::Json;
use rocket::{get, post, State};
use serde::Serialize;
use serde_json::{json, Value};

use super::assets::CsvDownload;
use super::error::ApiError;
use super::guard::{CountyRead, CountyWrite, ReviewAccess};
use super::ledger::IdempotencyKey;
use super::params;
use super::proposals::run_keyed;
use super::views::Page;
use crate::approvals::replies::ChainLock;
use crate::db::{Db, DbConnection};
use crate::domain::dates::timestamp_now;
use crate::domain::shown::china_time;
use crate::domain::Vocabulary;
use crate::export::write_findings;
use crate::ledger::attachments::digest;
use crate::paging::{Page as ListPage, TimeKey};
use crate::reconcile::declaration::{self, StoredDeclaration};
use crate::reconcile::findings::{self, Finding};
use crate::reconcile::html::render;
use crate::reconcile::report::{reconcile, Report};
use crate::request::{Both, FindingExportQuery, FindingListQuery, PageQuery, Param};

/// A declared line as sent (and received).
#[derive(Debug, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct DeclaredLineView {
    /// The scope.
    pub scope: String,
    /// Declared projects.
    pub projects: i64,
    /// Declared amount, yuan.
    pub amount: String,
}

/// A declaration as sent.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct DeclarationView {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// The date its figures stand at.
    pub as_of: String,
    /// Its lines.
    pub lines: Vec<DeclaredLineView>,
    /// Who entered it.
    pub actor: String,
    /// When.
    pub created_at: String,
}

/// The body of a declaration, for the OpenAPI document.
#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
pub struct DeclarationBody {
    /// What was declared, e.g. 兴平市扶贫资产核实(2020).
    pub name: String,
    /// YYYY-MM-DD.
    pub as_of: String,
    /// `[{scope: total | class:<class> | town:<name> | year:<y> | unclassified, projects, amount: "yuan"}]`.
    pub lines: Vec<DeclaredLineView>,
}

fn view(stored: StoredDeclaration) -> DeclarationView {
    DeclarationView {
        id: stored.id,
        name: stored.declaration.name,
        as_of: stored.declaration.as_of.to_string(),
        lines: stored
            .declaration
            .lines
            .into_iter()
            .map(|l| DeclaredLineView {
                scope: l.scope.to_string(),
                projects: l.projects,
                amount: l.amount.to_string(),
            })
            .collect(),
        actor: stored.actor,
        created_at: stored.created_at,
    }
}

/// Stores declared figures: a JSON body, or a CSV of `scope,projects,amount` with
/// `name` and `as_of` as query parameters. Nothing is stored when any line is wrong.
/// With an `Idempotency-Key`, a repeated post answers as the first did (the same
/// declaration) and stores nothing; another body under the same key is 422
/// `idempotency_key_reused`.
#[expect(
    clippy::too_many_arguments,
    reason = "a Rocket handler takes each guard as an argument"
)]
#[post("/declarations?<name>&<as_of>", data = "<body>")]
pub async fn create(
    caller: CountyWrite,
    content_type: Option<&ContentType>,
    name: form::Result<'_, Param<&str>>,
    as_of: form::Result<'_, Param<&str>>,
    idempotency: IdempotencyKey,
    limits: &Limits,
    body: Data<'_>,
    db: &State<Db>,
) -> Result<(Status, Json<Value>), ApiError> {
    let (name, as_of) = (name?.into_inner(), as_of?.into_inner());
    let bytes = super::json_body(body, limits).await?;
    let is_csv = content_type.is_some_and(|c| c.sub() == "csv");
    // What a repeat must send again: the JSON body as it parses, or the CSV's bytes
    // with its name and date.
    let (parsed, asked) = if is_csv {
        let asked = json!({"name": name, "as_of": as_of, "csv": digest(&bytes)});
        (declaration::parse_csv(&bytes, name, as_of), asked)
    } else {
        let value: Value = crate::request::strict_json::from_slice(&bytes).map_err(|e| ApiError::Unprocessable {
            code: "malformed_json",
            detail: format!("请求体不是有效的 JSON：第 {} 行第 {} 列：{e}", e.line(), e.column()),
            errors: json!([{"line": e.line(), "field": "", "code": "malformed_json", "message": e.to_string()}]),
        })?;
        (declaration::parse_json(&value), value)
    };
    let parsed = parsed.map_err(|errors| {
        ApiError::rejected("invalid_declaration", &errors, |e| e.message.as_str())
    })?;
    let keyed = idempotency.for_body(&caller.0, "POST /api/v1/declarations", &asked);
    let actor = caller.0.name;
    run_keyed(db, keyed, ChainLock::WithKey, move |conn| {
        let id = declaration::store(conn, &parsed, &actor, &timestamp_now())?;
        let stored = declaration::find(conn, &id)?
            .ok_or_else(|| ApiError::Internal("declaration vanished".to_owned()))?;
        Ok((201, json!(view(stored))))
    })
    .await
}

/// Declarations, newest first.
#[get("/declarations?<query..>")]
pub async fn list_declarations(
    _caller: CountyRead,
    query: form::Result<'_, PageQuery<TimeKey>>,
    db: &State<Db>,
) -> Result<Json<Page<DeclarationView>>, ApiError> {
    let page = query?;
    db.run(move |conn| {
        let found = ListPage::fetch(
            page.cursor(),
            page.limit(),
            |before, n| declaration::list(conn, before.map(TimeKey::as_pair), n),
            |r| TimeKey::of(&r.created_at, &r.id),
        )?;
        Ok(Json(Page::from(found.map(view))))
    })
    .await
}

async fn stored(db: &Db, id: &str) -> Result<StoredDeclaration, ApiError> {
    let key = params::key(id)?;
    db.run(move |conn| {
        declaration::find(conn, &key)?.ok_or_else(|| ApiError::NotFound(format!("没有申报 {key}")))
    })
    .await
}

/// One declaration.
#[get("/declarations/<id>")]
pub async fn get_one(
    _caller: CountyRead,
    id: &str,
    db: &State<Db>,
) -> Result<Json<DeclarationView>, ApiError> {
    Ok(Json(view(stored(db, id).await?)))
}

/// The variance report of a declaration.
#[get("/declarations/<id>/reconciliation")]
pub async fn reconciliation(
    caller: CountyRead,
    id: &str,
    db: &State<Db>,
) -> Result<Json<Report>, ApiError> {
    with_report(db, &caller, id, |_, report| Ok(Json(report))).await
}

/// What `then` makes of the variance report of declaration `id` (for a reader, the
/// ledger head's hash withheld when it commits to unsalted personal fields), on the
/// connection that made it.
///
/// Fails with 404 when there is no such declaration, or when a query or `then` fails.
async fn with_report<T: Send + 'static>(
    db: &Db,
    caller: &CountyRead,
    id: &str,
    then: impl FnOnce(&mut DbConnection, Report) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let stored = stored(db, id).await?;
    let reader = caller.0.role.sees_masked_ids();
    db.run(move |conn| {
        let mut report = reconcile(conn, Some(&stored.id), &stored.declaration)?;
        if reader {
            report.ledger_head.for_readers();
        }
        then(conn, report)
    })
    .await
}

/// How many findings of each kind the printable report lists (it counts them all).
pub const REPORT_FINDINGS_PER_KIND: u16 = 20;

/// The printable report: variance table, the unclassified gap, ledger head, and (for
/// roles that may see findings) the count of each kind of finding with the first
/// [`REPORT_FINDINGS_PER_KIND`] of each.
#[get("/declarations/<id>/report.html")]
pub async fn report_html(
    caller: CountyRead,
    id: &str,
    db: &State<Db>,
) -> Result<RawHtml<String>, ApiError> {
    let sees_findings = caller.0.role.allows(crate::auth::Access::Review);
    with_report(db, &caller, id, move |conn, report| {
        let found = if sees_findings {
            Some(findings::digest(
                conn,
                &crate::domain::Scope::County,
                REPORT_FINDINGS_PER_KIND,
            )?)
        } else {
            None
        };
        Ok(RawHtml(render(&report, found.as_ref()).into_string()))
    })
    .await
}

/// Audit findings in the caller's scope, optionally of one kind, ordered by kind and
/// code.
#[get("/findings?<query..>")]
pub async fn list_findings(
    caller: ReviewAccess,
    query: form::Result<'_, FindingListQuery>,
    db: &State<Db>,
) -> Result<Json<Page<Finding>>, ApiError> {
    let Both(filter, page) = query?;
    let scope = caller.0.scope;
    let found = db
        .run(move |conn| {
            findings::page(conn, &scope, filter.kind(), page.cursor(), page.limit())
                .map_err(ApiError::from)
        })
        .await?;
    Ok(Json(Page::from(found)))
}

/// The findings in the caller's scope, of one `kind` or of every kind, as a CSV file for
/// clerks to work through: Chinese headers and kind names, the asset or project each
/// names with where it is; offered as `审计发现-<kind>-<China time>.csv`.
#[get("/findings.csv?<query..>")]
pub async fn export_findings(
    caller: ReviewAccess,
    query: form::Result<'_, FindingExportQuery>,
    db: &State<Db>,
) -> Result<CsvDownload, ApiError> {
    let Both(encoding, filter) = query?;
    let (encoding, kind) = (encoding.encoding(), filter.kind());
    let scope = caller.0.scope;
    // `2026-12-06 17:05:09` → `20261206-170509`, China time.
    let stamp: String = china_time(&timestamp_now())
        .chars()
        .filter_map(|c| match c {
            '-' | ':' => None,
            ' ' => Some('-'),
            c => Some(c),
        })
        .collect();
    let (code, label) = kind.map_or(("all", "全部"), |k| (k.as_str(), k.label()));
    CsvDownload::spool(
        db,
        encoding,
        format!("findings-{code}-{stamp}.csv"),
        Some(format!("审计发现-{label}-{stamp}.csv")),
        move |conn, out| write_findings(conn, &scope, kind, encoding, out),
    )
    .await
}
