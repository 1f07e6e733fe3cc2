//! 审计发现 and 校验: for auditors (and administrators).

use rocket::form;
use rocket::response::content::RawHtml;
use rocket::{get, State};

use super::{bad_query, internal, require, PageError};
use crate::auth::Access;
use crate::db::Db;
use crate::paging::Limit;
use crate::reconcile::findings::{findings as all_findings, paginate, FindingKind, KINDS};
use crate::reconcile::html::finding_label;
use crate::request::{Both, FindingPageQuery};
use crate::web::session::Session;
use crate::web::view::{encode, escape, page};

const PAGE_SIZE: Limit = Limit::fixed(100);

/// Findings by kind, paged.
#[get("/findings?<query..>")]
pub async fn findings(
    session: Session,
    query: form::Result<'_, FindingPageQuery>,
    db: &State<Db>,
) -> Result<RawHtml<String>, PageError> {
    require(&session, Access::Audit)?;
    let Both(filter, cursor) = query.map_err(|e| bad_query(e, "/findings"))?;
    let found = db
        .run(|conn| all_findings(conn, None).map_err(internal))
        .await?;
    let kind = filter.kind().or_else(|| FindingKind::all().next());
    let selected = kind.map_or(KINDS[0], FindingKind::as_str);
    let mut body = String::from("<div class=\"grid\">");
    for k in KINDS {
        let count = found.iter().filter(|f| f.kind == k).count();
        let class = if k == selected {
            " style=\"border-color:var(--brand)\""
        } else {
            ""
        };
        body.push_str(&format!(
            "<a class=\"card\"{class} href=\"/findings?kind={k}\"><strong>{}</strong><br><span class=\"n\">{count}</span> 项<br><span class=\"muted\">{k}</span></a>",
            finding_label(k)
        ));
    }
    body.push_str("</div>");
    let of_kind: Vec<_> = found.into_iter().filter(|f| f.kind == selected).collect();
    body.push_str(&format!(
        "<h2>{}（{} 项）</h2>",
        finding_label(selected),
        of_kind.len()
    ));
    let shown = paginate(of_kind, cursor.cursor(), PAGE_SIZE);
    body.push_str("<div class=\"scroll\"><table><thead><tr><th>资产/项目</th><th>说明</th></tr></thead><tbody>");
    for finding in &shown.items {
        let link = match (&finding.asset_code, &finding.project_code) {
            (Some(asset), _) => format!(
                "<a href=\"/assets/{}\">{}</a>",
                encode(asset),
                escape(asset)
            ),
            (None, Some(project)) => format!("项目 {}", escape(project)),
            _ => String::new(),
        };
        body.push_str(&format!(
            "<tr><td>{link}</td><td>{}</td></tr>",
            escape(&finding.detail)
        ));
    }
    body.push_str("</tbody></table></div><div class=\"pager\">");
    if cursor.cursor().is_some() {
        body.push_str(&format!("<a href=\"/findings?kind={selected}\">第一页</a>"));
    }
    if let Some(next) = shown.next {
        body.push_str(&format!(
            "<a href=\"/findings?kind={selected}&cursor={}\">下一页</a>",
            encode(&next.to_string())
        ));
    }
    body.push_str("</div>");
    Ok(crate::web::view::page(
        &session.0,
        "/findings",
        "审计发现",
        None,
        &body,
    ))
}

/// Verifies the ledger's hash chain and shows the head.
#[get("/verify")]
pub async fn verify(session: Session, db: &State<Db>) -> Result<RawHtml<String>, PageError> {
    require(&session, Access::Audit)?;
    let result = db
        .run(|conn| crate::ledger::verify::verify(conn).map_err(internal))
        .await?;
    let body = if result.ok {
        format!(
            "<div class=\"card\"><p class=\"ok\"><strong>校验通过</strong>：{} 条台账记录的哈希链完整，无改动。</p>\
             <p>链头哈希：</p><p class=\"hash\">{}</p></div>",
            result.entries,
            escape(&result.head)
        )
    } else {
        format!(
            "<div class=\"card\"><p class=\"bad\"><strong>校验失败</strong>：第一个不符的条目为第 {} 条。</p><p>{}</p>\
             <p>此前完好部分的链哈希：</p><p class=\"hash\">{}</p></div>",
            result.first_bad_seq.unwrap_or_default(),
            escape(result.problem.as_deref().unwrap_or_default()),
            escape(&result.head)
        )
    };
    Ok(page(&session.0, "/verify", "台账校验", None, &body))
}
