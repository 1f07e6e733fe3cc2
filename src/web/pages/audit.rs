//! 审计发现 and 校验: for auditors (and administrators).

use maud::{html, Markup};
use rocket::form;
use rocket::response::content::RawHtml;
use rocket::{get, State};

use super::{bad_query, internal, require, require_county, PageError};
use crate::auth::Access;
use crate::db::Db;
use crate::domain::Scope;
use crate::ledger::verify::Verification;
use crate::paging::{Cursor, Limit};
use crate::reconcile::findings::{
    counts as count_findings, finding_label, page as page_of_findings, Finding, FindingKey,
    FindingKind,
};
use crate::request::{Both, FindingPageQuery};
use crate::web::session::Session;
use crate::web::view::{encode, header_row, page, pager, scroll_table};

const PAGE_SIZE: Limit = Limit::fixed(100);

/// The most findings of a kind the page counts: beyond it, it says 逾 10,000 (counting a
/// kind of a million findings would take longer than the page may).
const COUNT_CAP: u32 = 10_000;

/// A count as the page shows it.
fn shown_count(count: usize) -> String {
    if count > COUNT_CAP as usize {
        format!("逾 {}", crate::domain::shown::grouped(u64::from(COUNT_CAP)))
    } else {
        count.to_string()
    }
}

/// One page of the findings of one kind, with the count of every kind.
struct FindingsPage {
    /// Each kind and how many findings it has.
    counts: Vec<(&'static str, usize)>,
    /// The kind shown.
    selected: &'static str,
    /// How many findings the kind shown has.
    of_kind: usize,
    /// The findings on this page.
    shown: Vec<Finding>,
    /// Whether this is a later page than the first.
    later: bool,
    /// Where the next page begins, when one follows.
    next: Option<Cursor<FindingKey>>,
}

/// Findings by kind, paged.
#[get("/findings?<query..>")]
pub async fn findings(
    session: Session,
    query: form::Result<'_, FindingPageQuery>,
    db: &State<Db>,
) -> Result<RawHtml<String>, PageError> {
    require(&session, Access::Review)?;
    let Both(filter, cursor) = query.map_err(|e| bad_query(e, "/findings"))?;
    let scope = session.0.scope.clone();
    let view = load_findings(db, scope, filter.kind(), cursor.cursor()).await?;
    Ok(crate::web::view::page(
        &session.0,
        "/findings",
        "审计发现",
        None,
        render_findings(&view),
    ))
}

/// Reads the findings in `scope` and keeps the page of the kind asked for (the first kind when
/// none is asked for) that follows `after`.
async fn load_findings(
    db: &Db,
    scope: Scope,
    kind: Option<FindingKind>,
    after: Option<&Cursor<FindingKey>>,
) -> Result<FindingsPage, PageError> {
    let after = after.cloned();
    let later = after.is_some();
    let (counts, selected, shown) = db
        .run(move |conn| {
            let counts = count_findings(conn, &scope, Some(COUNT_CAP)).map_err(internal)?;
            // Without a kind asked for, the first kind that has findings opens.
            let first_with_items = counts.iter().find(|(_, count)| *count > 0).map(|(k, _)| *k);
            let selected = kind.or(first_with_items).unwrap_or_default();
            let shown = page_of_findings(conn, &scope, Some(selected), after.as_ref(), PAGE_SIZE)
                .map_err(internal)?;
            Ok::<_, PageError>((counts, selected, shown))
        })
        .await?;
    let of_kind = counts
        .iter()
        .find(|(k, _)| *k == selected)
        .map_or(0, |(_, n)| usize::try_from(*n).unwrap_or(0));
    Ok(FindingsPage {
        counts: counts
            .into_iter()
            .map(|(k, n)| (k.as_str(), usize::try_from(n).unwrap_or(0)))
            .collect(),
        selected: selected.as_str(),
        of_kind,
        shown: shown.items,
        later,
        next: shown.next,
    })
}

fn render_findings(view: &FindingsPage) -> Markup {
    let first = format!("/findings?kind={}", view.selected);
    let mut links = Vec::new();
    if view.later {
        links.push((first.clone(), "第一页"));
    }
    if let Some(next) = &view.next {
        links.push((
            format!("{first}&cursor={}", encode(&next.to_string())),
            "下一页",
        ));
    }
    html! {
        div class="grid" {
            @for (kind, count) in &view.counts {
                a class="card"
                    style=[(*kind == view.selected).then_some("border-color:var(--brand)")]
                    href={ "/findings?kind=" (kind) } title=(kind) {
                    strong { (finding_label(kind)) }
                    br;
                    @if *count == 0 {
                        span class="muted" { "无" }
                    } @else {
                        span class="n" { (shown_count(*count)) }
                        " 项"
                    }
                }
            }
        }
        h2 { (finding_label(view.selected)) "（" (shown_count(view.of_kind)) " 项）" }
        @if view.of_kind > 0 {
            p {
                a class="button secondary" href={ "/api/v1/findings.csv?kind=" (view.selected) } {
                    "下载本类 CSV（UTF-8）"
                }
                " "
                a class="button secondary"
                    href={ "/api/v1/findings.csv?kind=" (view.selected) "&encoding=gbk" } {
                    "下载本类 CSV（GBK）"
                }
                " "
                a class="button secondary" href="/api/v1/findings.csv" { "下载全部审计发现 CSV" }
            }
        }
        (scroll_table(
            header_row(&[("资产/项目", false), ("说明", false)]),
            html! {
                @for finding in &view.shown {
                    tr {
                        td { (subject(finding)) }
                        td { (finding.detail) }
                    }
                }
                @if view.shown.is_empty() {
                    tr { td colspan="2" class="muted" { "无" } }
                }
            },
        ))
        (pager(&links))
    }
}

/// What a finding is about: a link to its asset, or its project.
fn subject(finding: &Finding) -> Markup {
    html! {
        @match (&finding.asset_code, &finding.project_code) {
            (Some(asset), _) => a href={ "/assets/" (encode(asset)) } { (asset) },
            (None, Some(project)) => { "项目 " (project) },
            (None, None) => {},
        }
    }
}

/// Verifies the ledger's hash chain and shows the head.
#[get("/verify")]
pub async fn verify(session: Session, db: &State<Db>) -> Result<RawHtml<String>, PageError> {
    require(&session, Access::Audit)?;
    require_county(&session)?;
    let result = load_verification(db).await?;
    Ok(page(
        &session.0,
        "/verify",
        "台账校验",
        None,
        render_verification(&result),
    ))
}

/// Walks the ledger's hash chain.
async fn load_verification(db: &Db) -> Result<Verification, PageError> {
    db.run(|conn| crate::ledger::verify::verify(conn).map_err(internal))
        .await
}

fn render_verification(result: &Verification) -> Markup {
    html! {
        div class="card" {
            @if result.ok {
                p class="ok" {
                    strong { "校验通过" }
                    "：" (result.entries) " 条台账记录的哈希链完整，无改动；"
                    (result.assets) " 项资产与台账折算一致，维护的合计与重算一致。"
                }
                p { "链头（SEQ:HASH）：" }
            } @else {
                p class="bad" {
                    strong { "校验失败" }
                    @if let Some(seq) = result.first_bad_seq {
                        "：第一个不符的条目为第 " (seq) " 条。"
                    } @else if let Some(code) = &result.first_bad_asset {
                        "：第一个不符的资产为 " (code) "。"
                    } @else if let Some(figure) = &result.bad_figure {
                        "：不符的合计为 " (figure) "。"
                    }
                }
                p { (result.problem.as_deref().unwrap_or_default()) }
                p { "此前完好部分的链哈希：" }
            }
            p class="hash" {
                @if result.ok { (result.entries) ":" }
                (result.head)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reconcile::findings::KINDS;
    use crate::web::view::tests::{assert_escaped, hostile};

    fn finding(asset: Option<String>, project: Option<String>, detail: String) -> Finding {
        Finding {
            kind: "unconfirmed",
            asset_code: asset,
            project_code: project,
            detail,
        }
    }

    #[test]
    fn counts_past_the_cap_say_so() {
        assert_eq!(shown_count(3), "3");
        assert_eq!(shown_count(COUNT_CAP as usize), "10000");
        assert_eq!(shown_count(COUNT_CAP as usize + 1), "逾 10,000");
    }

    #[test]
    fn findings_escape_their_codes_and_details() {
        let view = FindingsPage {
            counts: KINDS.into_iter().map(|k| (k, 1)).collect(),
            selected: "unconfirmed",
            of_kind: 2,
            shown: vec![
                finding(Some(hostile("asset")), None, hostile("detail")),
                finding(None, Some(hostile("project")), "说明".to_owned()),
            ],
            later: true,
            next: Some(Cursor::after(
                finding(Some("A-9".to_owned()), None, String::new()).key(),
            )),
        };
        let html = render_findings(&view).into_string();
        assert_escaped(&html, &["asset", "detail", "project"]);
        assert!(html.contains("<a href=\"/assets/%3Cscript%3Ealert%281%29%3C%2Fscript%3E%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E%26amp%3Basset\">"));
        assert!(html.contains(
            "<a class=\"card\" style=\"border-color:var(--brand)\" href=\"/findings?kind=unconfirmed\" title=\"unconfirmed\"><strong>尚未确权</strong><br><span class=\"n\">1</span> 项</a>"
        ));
        assert!(html.contains("<h2>尚未确权（2 项）</h2>"));
        assert!(html.contains(
            "<div class=\"pager\"><a href=\"/findings?kind=unconfirmed\">第一页</a><a href=\"/findings?kind=unconfirmed&amp;cursor=c1."
        ));
    }

    #[test]
    fn a_broken_chain_shows_where_and_why() {
        let broken = Verification {
            ok: false,
            entries: 3,
            assets: 0,
            head: hostile("head"),
            first_bad_seq: Some(2),
            first_bad_asset: None,
            bad_figure: None,
            problem: Some(hostile("problem")),
        };
        let html = render_verification(&broken).into_string();
        assert_escaped(&html, &["head", "problem"]);
        assert!(html.contains("<strong>校验失败</strong>：第一个不符的条目为第 2 条。"));
        let whole = Verification {
            ok: true,
            entries: 3,
            assets: 2,
            head: "ab12".to_owned(),
            first_bad_seq: None,
            first_bad_asset: None,
            bad_figure: None,
            problem: None,
        };
        assert_eq!(
            render_verification(&whole).into_string(),
            "<div class=\"card\"><p class=\"ok\"><strong>校验通过</strong>：3 条台账记录的哈希链完整，无改动；2 项资产与台账折算一致，维护的合计与重算一致。</p><p>链头（SEQ:HASH）：</p><p class=\"hash\">3:ab12</p></div>"
        );
        let asset = Verification {
            first_bad_seq: None,
            first_bad_asset: Some(hostile("asset")),
            ..broken
        };
        let html = render_verification(&asset).into_string();
        assert_escaped(&html, &["asset"]);
        assert!(html.contains("：第一个不符的资产为 "), "{html}");
    }
}
